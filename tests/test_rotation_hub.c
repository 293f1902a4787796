/* Integration: an organisation's key replaced by a successor (kind 17) at the real ticsx-hub over
 * CURVE with real LMDB. The successor is admitted and acts as the organisation (reads what is
 * addressed to it, submits with its own sequence numbers from 1, names members); the old key is
 * refused at the handshake and for submissions from the effective date; a successor not yet in
 * force is not admitted. The attacks: a successor record forged by another organisation, one
 * whose proof is not the successor's, one taking keys in use, a second successor of one key, a
 * member naming a successor, and the old key's records replayed after the rotation. */
#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"

#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define TIMEOUT_MS 5000

typedef struct {
    char *root;
    char dir[PATH_MAX];
    th_hub hub;
    tx_identity *buyer, *supplier, *other, *next, *third, *officer;
    tx_conn *cb, *cs, *co;
    uint64_t seq_s, seq_o;
} fx;

static int
submit(tx_conn *c, uint8_t *env, const size_t *len)
{
    int status = th_submit_status(c, env, *len, NULL);

    free(env);
    return status;
}

static void
assert_refused(const fx *f, const tx_identity *id)
{
    tx_conn *c = th_connect(&f->hub, id, 1500);
    int rc = th_ping(c);

    assert_true(rc == TX_ERR_NOT_ENROLLED || rc == TX_ERR_UNREACHABLE);
    tx_conn_destroy(&c);
}

static int
setup(void **state)
{
    fx *f;

    th_require_hub_bin();
    f = calloc(1, sizeof *f);
    f->root = th_tmpdir();
    snprintf(f->dir, sizeof f->dir, "%s/hub", f->root);
    th_hub_init(f->dir);
    f->buyer = th_identity("Buyer Motors KK");
    f->supplier = th_identity("Supplier Parts KK");
    f->other = th_identity("Other Works KK");
    f->next = th_identity("Supplier Parts KK (2026 key)");
    f->third = th_identity("Supplier Parts KK (2027 key)");
    f->officer = th_identity("Sato Hanako");
    assert_int_equal(th_enroll(f->dir, f->buyer, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->supplier, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->other, 1, NULL, 0), 0);
    th_hub_start(&f->hub, f->dir, NULL);
    f->cb = th_connect(&f->hub, f->buyer, TIMEOUT_MS);
    f->cs = th_connect(&f->hub, f->supplier, TIMEOUT_MS);
    f->co = th_connect(&f->hub, f->other, TIMEOUT_MS);
    f->seq_s = f->seq_o = 2;
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fx *f = *state;
    int exit_status = 0;

    tx_conn_destroy(&f->cb);
    tx_conn_destroy(&f->cs);
    tx_conn_destroy(&f->co);
    if (f->hub.pid > 0) {
        exit_status = th_hub_stop(&f->hub, SIGTERM);
    }
    tx_identity_destroy(&f->buyer);
    tx_identity_destroy(&f->supplier);
    tx_identity_destroy(&f->other);
    tx_identity_destroy(&f->next);
    tx_identity_destroy(&f->third);
    tx_identity_destroy(&f->officer);
    th_rmtree(f->root);
    free(f->root);
    free(f);
    assert_int_equal(exit_status, 0);
    return 0;
}

/* A buyer's questionnaire and its request to the supplier (addressed to its enrolled key). */
static void
request(fx *f, uint8_t qid[32], uint8_t rid[32])
{
    size_t len;
    uint8_t *env = th_questionnaire(f->buyer, 2, &len);

    tx_record_id(env, len, qid);
    assert_int_equal(submit(f->cb, env, &len), TICSX__V1__STATUS__OK);
    env = th_request(f->buyer, 3, qid, (const uint8_t(*)[32])f->supplier->pub.sign, 1, &len);
    tx_record_id(env, len, rid);
    assert_int_equal(submit(f->cb, env, &len), TICSX__V1__STATUS__OK);
}

/* The supplier rotates; the successor acts as the organisation and the old key no longer. */
static void
test_rotation(void **state)
{
    fx *f = *state;
    uint8_t qid[32], rid[32], aid[32], old_aid[32];
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    int64_t now = (int64_t)time(NULL);
    uint8_t *env, *replay;
    size_t len, replay_len;
    tx_conn *cn;

    request(f, qid, rid);
    /* Before the rotation the old key answers; that assessment stays the organisation's. */
    env = th_sealed(f->supplier, f->seq_s++, qid, key, &len);
    tx_record_id(env, len, old_aid);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__OK);
    replay = th_sealed(f->supplier, f->seq_s++, qid, key, &replay_len);
    /* Not admitted before its record is stored. */
    assert_refused(f, f->next);
    env = th_key_successor(f->supplier, f->supplier->pub.sign, f->supplier->pub.sign, f->seq_s++,
                           f->next, f->next, now - 60, &len);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__OK);

    /* The old key: refused for every record from now on, and at its next handshake. */
    assert_int_equal(th_submit_status(f->cs, replay, replay_len, NULL),
                     TICSX__V1__STATUS__FORBIDDEN);
    free(replay);
    assert_refused(f, f->supplier);

    /* The successor: admitted as the organisation; reads the request addressed to it and its
     * old assessment; signs with its own sequence numbers from 1. */
    cn = th_connect(&f->hub, f->next, TIMEOUT_MS);
    assert_int_equal(th_ping(cn), TX_OK);
    assert_int_equal(th_get_status(cn, rid), TX_OK);
    assert_int_equal(th_get_status(cn, old_aid), TX_OK);
    env = th_sealed_with(f->next, 1, qid, old_aid, NULL, key, 0, &len);
    tx_record_id(env, len, aid);
    assert_int_equal(submit(cn, env, &len), TICSX__V1__STATUS__OK);
    /* Its own replay is refused: sequence numbers are per signing key. */
    env = th_grant(f->next, 1, aid, &f->buyer->pub, key, &len);
    assert_int_equal(submit(cn, env, &len), TICSX__V1__STATUS__REPLAY);
    env = th_grant(f->next, 2, aid, &f->buyer->pub, key, &len);
    assert_int_equal(submit(cn, env, &len), TICSX__V1__STATUS__OK);
    assert_int_equal(th_get_status(f->cb, aid), TX_OK);
    /* It grants what the old key signed: the organisation's. */
    env = th_grant(f->next, 3, old_aid, &f->buyer->pub, key, &len);
    assert_int_equal(submit(cn, env, &len), TICSX__V1__STATUS__OK);

    /* It names members of the organisation (the enrolled key stays the organisation). */
    env = th_member(f->next, f->supplier->pub.sign, 4, f->officer, f->officer->pub.curve,
                    TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER, 0, 0, &len);
    assert_int_equal(submit(cn, env, &len), TICSX__V1__STATUS__OK);
    tx_conn *co = th_connect(&f->hub, f->officer, TIMEOUT_MS);
    assert_int_equal(th_ping(co), TX_OK);
    assert_int_equal(th_get_status(co, aid), TX_OK);
    /* A member names no successor. */
    env = th_key_successor(f->officer, f->supplier->pub.sign, f->officer->pub.sign, 1, f->third,
                           f->third, now, &len);
    assert_int_equal(submit(co, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    tx_conn_destroy(&co);

    /* The successor names its own successor from next year: it still acts until then, and the
     * third key is not admitted before. */
    env = th_key_successor(f->next, f->supplier->pub.sign, f->next->pub.sign, 5, f->third, f->third,
                           now + 365 * 86400, &len);
    assert_int_equal(submit(cn, env, &len), TICSX__V1__STATUS__OK);
    assert_int_equal(th_ping(cn), TX_OK);
    assert_refused(f, f->third);
    tx_conn_destroy(&cn);
    cn = th_connect(&f->hub, f->next, TIMEOUT_MS);
    assert_int_equal(th_ping(cn), TX_OK);
    tx_conn_destroy(&cn);
    sodium_free(key);

    char out[4096];
    assert_int_equal(th_hub_stop(&f->hub, SIGTERM), 0);
    if (th_run(out, sizeof out, "check", "--data", f->dir, NULL) != 0) {
        fail_msg("ticsx-hub check: %s", out);
    }
}

/* Forged and abusive successor records are refused and admit nobody. */
static void
test_forged_successors(void **state)
{
    fx *f = *state;
    int64_t now = (int64_t)time(NULL);
    uint8_t *env;
    size_t len;

    /* Another organisation names a successor of the supplier's key: signed by the wrong key. */
    env = th_key_successor(f->other, f->supplier->pub.sign, f->supplier->pub.sign, f->seq_o++,
                           f->next, f->next, now - 60, &len);
    assert_int_equal(submit(f->co, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    /* ...or names the supplier as organisation but itself as the key replaced. */
    env = th_key_successor(f->other, f->supplier->pub.sign, f->other->pub.sign, f->seq_o++, f->next,
                           f->next, now - 60, &len);
    assert_int_equal(submit(f->co, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    /* The supplier names a successor whose holder did not sign the proof. */
    env = th_key_successor(f->supplier, f->supplier->pub.sign, f->supplier->pub.sign, f->seq_s++,
                           f->next, f->other, now - 60, &len);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__BAD_SIGNATURE);
    /* ...or the buyer's keys as its successor (its proof is the buyer's own). */
    env = th_key_successor(f->supplier, f->supplier->pub.sign, f->supplier->pub.sign, f->seq_s++,
                           f->buyer, f->buyer, now - 60, &len);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    assert_refused(f, f->next);
    assert_int_equal(th_ping(f->cs), TX_OK);

    /* One successor per key: a second one is refused. */
    env = th_key_successor(f->supplier, f->supplier->pub.sign, f->supplier->pub.sign, f->seq_s++,
                           f->next, f->next, now + 86400, &len);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__OK);
    env = th_key_successor(f->supplier, f->supplier->pub.sign, f->supplier->pub.sign, f->seq_s++,
                           f->third, f->third, now - 60, &len);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    assert_refused(f, f->third);
    /* A re-enrolment is the hub's own: one submitted is refused, whoever signed it. */
    {
        tx_meta_pb meta = TICSX__V1__META__INIT;
        tx_key_reenrolment_pb e = TICSX__V1__KEY_REENROLMENT__INIT;

        meta.seq = f->seq_s++;
        e.meta = &meta;
        e.organisation = e.replaces = (ProtobufCBinaryData){32, f->supplier->pub.sign};
        e.signing_key = (ProtobufCBinaryData){32, f->third->pub.sign};
        e.seal_key = (ProtobufCBinaryData){32, f->third->pub.seal};
        e.transport_key = (ProtobufCBinaryData){32, f->third->pub.curve};
        e.effective = now - 60;
        e.corporate_number = "3700000000001";
        e.profile = (ProtobufCBinaryData){32, f->third->pub.sign};
        env = NULL;
        assert_int_equal(
            tx_envelope_sign_msg(f->supplier, TX_KIND_KEY_REENROLMENT, &e.base, &env, &len), TX_OK);
        assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__FORBIDDEN);
        assert_refused(f, f->third);
    }
    /* Not yet in force: the old key still acts, the successor is not admitted yet. */
    assert_int_equal(th_ping(f->cs), TX_OK);
    assert_refused(f, f->next);
}

/* A member's key reported lost: refused at once (open connection and handshake); only the
 * organisation's key in force revokes, only its people's keys or its replaced keys, never
 * itself, never from a future date. */
static void
test_revocation(void **state)
{
    fx *f = *state;
    uint8_t qid[32];
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    int64_t now = (int64_t)time(NULL);
    uint8_t *env;
    size_t len;
    tx_conn *co, *cn;

    env = th_member(f->supplier, f->supplier->pub.sign, f->seq_s++, f->officer,
                    f->officer->pub.curve, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER, 0, 0, &len);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__OK);
    env = th_questionnaire(f->buyer, 2, &len);
    tx_record_id(env, len, qid);
    assert_int_equal(submit(f->cb, env, &len), TICSX__V1__STATUS__OK);
    co = th_connect(&f->hub, f->officer, TIMEOUT_MS);
    env = th_sealed(f->officer, 1, qid, key, &len);
    assert_int_equal(submit(co, env, &len), TICSX__V1__STATUS__OK);

    /* Refused: by a member, by another organisation, of a key not the organisation's, of the
     * key in force itself, from a future date. */
    env = th_key_revocation(f->officer, f->supplier->pub.sign, 2, f->officer->pub.sign, now - 60, 0,
                            "lost", &len);
    assert_int_equal(submit(co, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    env = th_key_revocation(f->other, f->supplier->pub.sign, f->seq_o++, f->officer->pub.sign,
                            now - 60, 0, "lost", &len);
    assert_int_equal(submit(f->co, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    env = th_key_revocation(f->other, f->other->pub.sign, f->seq_o++, f->officer->pub.sign,
                            now - 60, 0, "lost", &len);
    assert_int_equal(submit(f->co, env, &len), TICSX__V1__STATUS__MISSING_REFERENCE);
    env = th_key_revocation(f->supplier, f->supplier->pub.sign, f->seq_s++, f->buyer->pub.sign,
                            now - 60, 0, "lost", &len);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__MISSING_REFERENCE);
    env = th_key_revocation(f->supplier, f->supplier->pub.sign, f->seq_s++, f->supplier->pub.sign,
                            now - 60, 0, "lost", &len);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    env = th_key_revocation(f->supplier, f->supplier->pub.sign, f->seq_s++, f->officer->pub.sign,
                            now + 3600, 0, "lost", &len);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    env = th_sealed(f->officer, 2, qid, key, &len);
    assert_int_equal(submit(co, env, &len), TICSX__V1__STATUS__OK);

    /* The organisation revokes it from an hour ago: refused at once, and at the handshake. */
    env = th_key_revocation(f->supplier, f->supplier->pub.sign, f->seq_s++, f->officer->pub.sign,
                            now - 3600, 0, "laptop stolen", &len);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__OK);
    env = th_sealed(f->officer, 3, qid, key, &len);
    assert_int_equal(submit(co, env, &len), TICSX__V1__STATUS__NOT_ENROLLED);
    tx_conn_destroy(&co);
    assert_refused(f, f->officer);

    /* After a rotation the successor revokes the replaced key. */
    env = th_key_successor(f->supplier, f->supplier->pub.sign, f->supplier->pub.sign, f->seq_s++,
                           f->next, f->next, now - 60, &len);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__OK);
    cn = th_connect(&f->hub, f->next, TIMEOUT_MS);
    env = th_key_revocation(f->next, f->supplier->pub.sign, 1, f->supplier->pub.sign, now - 120, 0,
                            "old key copied", &len);
    assert_int_equal(submit(cn, env, &len), TICSX__V1__STATUS__OK);
    tx_conn_destroy(&cn);
    sodium_free(key);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_successors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revocation, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, th_stop_leftover_hubs);
}

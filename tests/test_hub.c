/* Integration: the real ticsx-hub binary on tcp://127.0.0.1:* with CURVE, real clients
 * (client/net/tx_conn), real LMDB. Every security property has an attack that must fail. */
#include "faults_util.h"
#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"
#include "tx_merkle.h"
#include "tx_note.h"
#include "tx_seal.h"
#include "tx_store_file.h"
#include "tx_util.h"

#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include <cmocka.h>

#define TIMEOUT_MS 5000

typedef struct {
    char *root;
    char dir[PATH_MAX];
    th_hub hub;
    tx_identity *buyer, *supplier, *other, *stranger;
    tx_conn *cb, *cs, *co;
} fx;

static int
setup(void **state)
{
    fx *f;

    /* Checked first so a missing binary leaves no temp directory behind. */
    th_require_hub_bin();
    f = calloc(1, sizeof *f);
    f->root = th_tmpdir();
    snprintf(f->dir, sizeof f->dir, "%s/hub", f->root);
    th_hub_init(f->dir);
    f->buyer = th_identity("Buyer Motors KK");
    f->supplier = th_identity("Supplier Parts KK");
    f->other = th_identity("Other Works KK");
    f->stranger = th_identity("Stranger KK");
    /* Profiles are seq 1; every identity's records start at 2. */
    assert_int_equal(th_enroll(f->dir, f->buyer, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->supplier, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->other, 1, NULL, 0), 0);
    th_hub_start(&f->hub, f->dir, NULL);
    f->cb = th_connect(&f->hub, f->buyer, TIMEOUT_MS);
    f->cs = th_connect(&f->hub, f->supplier, TIMEOUT_MS);
    f->co = th_connect(&f->hub, f->other, TIMEOUT_MS);
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
    /* Every test ends with a clean shutdown (and, under a valgrind wrapper, a leak check). */
    if (f->hub.pid > 0) {
        exit_status = th_hub_stop(&f->hub, SIGTERM);
    }
    tx_identity_destroy(&f->buyer);
    tx_identity_destroy(&f->supplier);
    tx_identity_destroy(&f->other);
    tx_identity_destroy(&f->stranger);
    th_rmtree(f->root);
    free(f->root);
    free(f);
    assert_int_equal(exit_status, 0);
    return 0;
}

/* Submits a questionnaire by buyer at seq and returns its id in qid. */
static void
questionnaire(fx *f, uint64_t seq, uint8_t qid[32])
{
    size_t len;
    uint8_t *q = th_questionnaire(f->buyer, seq, &len);

    tx_record_id(q, len, qid);
    assert_int_equal(th_submit_status(f->cb, q, len, NULL), TICSX__V1__STATUS__OK);
    free(q);
}

static void
test_exchange(void **state)
{
    fx *f = *state;
    uint8_t qid[32], rid[32], aid[32], gid[32];
    uint8_t sup[1][32];
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t *opened = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t *env, *plain;
    size_t len, plain_len;
    uint64_t index;
    tx_envelope_pb *genv, *senv, *inner;
    ProtobufCMessage *gmsg, *smsg, *imsg;
    tx_grant_pb *g;
    tx_sealed_pb *s;

    questionnaire(f, 2, qid);

    memcpy(sup[0], f->supplier->pub.sign, 32);
    env = th_request(f->buyer, 3, qid, (const uint8_t(*)[32])sup, 1, &len);
    tx_record_id(env, len, rid);
    assert_int_equal(th_submit_status(f->cb, env, len, &index), TICSX__V1__STATUS__OK);
    assert_true(index > 3);
    free(env);

    /* The supplier sees the request; a third member sees neither it nor that it exists. */
    assert_int_equal(th_list_count(f->cs, TX_KIND_REQUEST), 1);
    assert_int_equal(th_get_status(f->cs, rid), TX_OK);
    assert_int_equal(th_list_count(f->co, TX_KIND_REQUEST), 0);
    assert_int_equal(th_get_status(f->co, rid), TX_ERR_NOT_FOUND);
    assert_int_equal(th_list_count(f->co, TX_KIND_QUESTIONNAIRE), 1);
    assert_int_equal(th_list_count(f->co, TX_KIND_PROFILE), 3);

    env = th_sealed(f->supplier, 2, qid, key, &len);
    tx_record_id(env, len, aid);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    /* Before the grant the buyer cannot see the assessment. */
    assert_int_equal(th_get_status(f->cb, aid), TX_ERR_NOT_FOUND);

    env = th_grant(f->supplier, 3, aid, &f->buyer->pub, key, &len);
    tx_record_id(env, len, gid);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);

    /* The buyer fetches grant and sealed assessment, opens the key and the inner record. */
    assert_int_equal(th_list_count(f->cb, TX_KIND_GRANT), 1);
    assert_int_equal(th_list_count(f->cb, TX_KIND_ASSESSMENT), 1);
    assert_int_equal(tx_conn_get(f->cb, gid, &env, &len), TX_OK);
    assert_int_equal(tx_envelope_open_as(env, len, TX_KIND_GRANT, &genv, &gmsg), TX_OK);
    free(env);
    g = (tx_grant_pb *)gmsg;
    assert_int_equal(tx_open_key(f->buyer, g->sealed_key.data, opened), TX_OK);
    assert_int_equal(tx_conn_get(f->cb, aid, &env, &len), TX_OK);
    assert_int_equal(tx_envelope_open_as(env, len, TX_KIND_ASSESSMENT, &senv, &smsg), TX_OK);
    free(env);
    s = (tx_sealed_pb *)smsg;
    assert_int_equal(tx_open_content(s->ciphertext.data, s->ciphertext.len, qid, opened,
                                     s->nonce.data, &plain, &plain_len),
                     TX_OK);
    assert_int_equal(tx_envelope_open_as(plain, plain_len, TX_KIND_INNER_ASSESSMENT, &inner, &imsg),
                     TX_OK);
    assert_memory_equal(inner->signer_key.data, f->supplier->pub.sign, 32);
    free(plain);
    tx_free(imsg);
    tx_free(inner);
    tx_free(smsg);
    tx_free(senv);
    tx_free(gmsg);
    tx_free(genv);

    /* A non-grantee gets "not found" for both, and empty lists. */
    assert_int_equal(th_get_status(f->co, aid), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->co, gid), TX_ERR_NOT_FOUND);
    assert_int_equal(th_list_count(f->co, TX_KIND_ASSESSMENT), 0);
    assert_int_equal(th_list_count(f->co, TX_KIND_GRANT), 0);
    sodium_free(key);
    sodium_free(opened);
}

static void
test_unenrolled_gets_nothing(void **state)
{
    fx *f = *state;
    uint8_t qid[32];
    tx_conn *c = th_connect(&f->hub, f->stranger, 1500);
    tx_reply_pb *r = NULL;
    char out[1024];
    size_t len;
    uint8_t *q;
    int rc;

    questionnaire(f, 2, qid);
    rc = th_ping(c);
    assert_true(rc == TX_ERR_NOT_ENROLLED || rc == TX_ERR_UNREACHABLE);
    q = th_questionnaire(f->stranger, 2, &len);
    rc = tx_conn_submit(c, q, len, &r);
    assert_true(rc == TX_ERR_NOT_ENROLLED || rc == TX_ERR_UNREACHABLE);
    assert_null(r);
    assert_int_equal(th_list_count(f->cb, TX_KIND_QUESTIONNAIRE), 1);
    tx_conn_destroy(&c);

    /* Enrolled by another process while the hub runs: admitted without a restart. */
    assert_int_equal(th_enroll(f->dir, f->stranger, 1, out, sizeof out), 0);
    assert_non_null(strstr(out, "enrolled Stranger KK SHA256:"));
    c = th_connect(&f->hub, f->stranger, TIMEOUT_MS);
    assert_int_equal(th_ping(c), TX_OK);
    assert_int_equal(th_submit_status(c, q, len, NULL), TICSX__V1__STATUS__OK);
    tx_conn_destroy(&c);
    free(q);
}

static void
test_tampered_refused(void **state)
{
    fx *f = *state;
    uint8_t id[32];
    tx_reply_pb *r;
    size_t len;
    uint8_t *q = th_questionnaire(f->buyer, 2, &len);
    /* Envelope: type, payload, signer key (2 + 32), signature (2 + 64) last. */
    size_t last_payload_byte = len - 66 - 34 - 1;

    for (int pass = 0; pass < 2; pass++) {
        size_t at = pass == 0 ? len - 1 : last_payload_byte;

        q[at] ^= 0x04;
        tx_record_id(q, len, id);
        r = th_submit(f->cb, q, len);
        assert_int_equal(r->status, TICSX__V1__STATUS__BAD_SIGNATURE);
        assert_non_null(strstr(r->message, "envelope signature does not verify"));
        assert_null(strstr(r->message, "bad_signature"));
        assert_null(r->receipt);
        tx_free(r);
        assert_int_equal(th_get_status(f->cb, id), TX_ERR_NOT_FOUND);
        q[at] ^= 0x04;
    }
    /* The refusal used no sequence number: the genuine record still goes in. */
    assert_int_equal(th_submit_status(f->cb, q, len, NULL), TICSX__V1__STATUS__OK);
    free(q);
}

static void
test_signer_must_be_caller(void **state)
{
    fx *f = *state;
    uint8_t id[32];
    size_t len;
    uint8_t *q = th_questionnaire(f->buyer, 2, &len);

    tx_record_id(q, len, id);
    assert_int_equal(th_submit_status(f->cs, q, len, NULL), TICSX__V1__STATUS__FORBIDDEN);
    assert_int_equal(th_get_status(f->cs, id), TX_ERR_NOT_FOUND);
    free(q);
    /* Profiles never come in through submit. */
    q = th_profile(f->buyer, 7, &len);
    assert_int_equal(th_submit_status(f->cb, q, len, NULL), TICSX__V1__STATUS__FORBIDDEN);
    free(q);
}

/* The slot of the hub's cache of callers (tx_round.c, set_caller) an organisation's user id
 * (its signing key in hex) falls in. */
static unsigned
caller_slot(const tx_identity *id)
{
    char user[2 * 32 + 1];

    sodium_bin2hex(user, sizeof user, id->pub.sign, 32);
    return ((unsigned char)user[0] * 31u + (unsigned char)user[1] * 7u + (unsigned char)user[63]) &
           63u;
}

/* The hub decodes who calls once per user id and keeps it in a small cache: two organisations
 * whose ids share a slot, calling in turn, each submit as themselves (a call taken for the
 * other would be refused: the signer must be the caller). */
static void
test_callers_sharing_a_slot(void **state)
{
    fx *f = *state;
    tx_identity *ids[2] = {NULL, NULL};
    tx_conn *conns[2];

    ids[0] = th_identity("Slot One KK");
    for (int tries = 0; ids[1] == NULL && tries < 2000; tries++) {
        tx_identity *id = th_identity("Slot Two KK");

        if (caller_slot(id) == caller_slot(ids[0])) {
            ids[1] = id;
        } else {
            tx_identity_destroy(&id);
        }
    }
    assert_non_null(ids[1]);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(th_enroll(f->dir, ids[i], 1, NULL, 0), 0);
        conns[i] = th_connect(&f->hub, ids[i], TIMEOUT_MS);
    }
    for (uint64_t seq = 2; seq < 6; seq++) {
        for (int i = 0; i < 2; i++) {
            size_t len;
            uint8_t *q = th_questionnaire(ids[i], seq, &len);

            assert_int_equal(th_submit_status(conns[i], q, len, NULL), TICSX__V1__STATUS__OK);
            free(q);
        }
    }
    for (int i = 0; i < 2; i++) {
        tx_conn_destroy(&conns[i]);
        tx_identity_destroy(&ids[i]);
    }
}

static void
test_replay(void **state)
{
    fx *f = *state;
    uint8_t qid[32];
    tx_reply_pb *r;
    size_t len;
    uint8_t *q;

    questionnaire(f, 5, qid);
    /* Same seq with other content, then a lower one: both replays. */
    for (uint64_t seq = 5; seq >= 4; seq--) {
        uint8_t sup[1][32];
        memcpy(sup[0], f->supplier->pub.sign, 32);
        q = th_request(f->buyer, seq, qid, (const uint8_t(*)[32])sup, 1, &len);
        r = th_submit(f->cb, q, len);
        assert_int_equal(r->status, TICSX__V1__STATUS__REPLAY);
        assert_non_null(strstr(r->message, "is not above 5, the last accepted from SHA256:"));
        tx_free(r);
        free(q);
    }
    q = th_questionnaire(f->buyer, 6, &len);
    assert_int_equal(th_submit_status(f->cb, q, len, NULL), TICSX__V1__STATUS__OK);
    free(q);
}

static void
test_missing_reference(void **state)
{
    fx *f = *state;
    uint8_t nowhere[32], qid[32], aid[32];
    uint8_t sup[1][32];
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    size_t len;
    uint8_t *env;

    randombytes_buf(nowhere, sizeof nowhere);
    memcpy(sup[0], f->supplier->pub.sign, 32);
    env = th_request(f->buyer, 2, nowhere, (const uint8_t(*)[32])sup, 1, &len);
    assert_int_equal(th_submit_status(f->cb, env, len, NULL), TICSX__V1__STATUS__MISSING_REFERENCE);
    free(env);
    env = th_sealed(f->supplier, 2, nowhere, key, &len);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__MISSING_REFERENCE);
    free(env);
    env = th_grant(f->supplier, 2, nowhere, &f->buyer->pub, key, &len);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__MISSING_REFERENCE);
    free(env);

    /* A grant for somebody else's assessment is refused as if it did not exist. */
    questionnaire(f, 3, qid);
    env = th_sealed(f->supplier, 3, qid, key, &len);
    tx_record_id(env, len, aid);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    env = th_grant(f->other, 2, aid, &f->other->pub, key, &len);
    assert_int_equal(th_submit_status(f->co, env, len, NULL), TICSX__V1__STATUS__MISSING_REFERENCE);
    free(env);
    assert_int_equal(th_get_status(f->co, aid), TX_ERR_NOT_FOUND);
    sodium_free(key);
}

/* One SubmitBatch: each envelope is judged alone and answered in order (a refused one does not
 * sink the others), a later one may refer to an earlier one, and one checkpoint covers all. */
static void
test_submit_batch(void **state)
{
    fx *f = *state;
    enum { N = 7 };
    uint8_t *envs[N], sup[1][32], qid[32], ids[N][32], leaf[32];
    size_t lens[N];
    const int want[N] = {
        TICSX__V1__STATUS__OK,     TICSX__V1__STATUS__OK,        TICSX__V1__STATUS__BAD_SIGNATURE,
        TICSX__V1__STATUS__REPLAY, TICSX__V1__STATUS__FORBIDDEN, TICSX__V1__STATUS__OK,
        TICSX__V1__STATUS__OK};
    tx_identity *hub_id = NULL;
    tx_reply_pb *r;
    tx_conn *hc;
    uint64_t call;

    memcpy(sup[0], f->supplier->pub.sign, 32);
    envs[0] = th_questionnaire(f->buyer, 2, &lens[0]);
    tx_record_id(envs[0], lens[0], qid);
    /* Refers to envs[0], stored in the same transaction just before it. */
    envs[1] = th_request(f->buyer, 3, qid, (const uint8_t(*)[32])sup, 1, &lens[1]);
    envs[2] = th_questionnaire(f->buyer, 4, &lens[2]);
    envs[2][lens[2] - 1] ^= 0x01;                      /* tampered signature */
    envs[3] = th_questionnaire(f->buyer, 3, &lens[3]); /* seq 3 again: a replay */
    envs[4] = th_questionnaire(f->other, 2, &lens[4]); /* not the caller's */
    envs[5] = th_questionnaire(f->buyer, 5, &lens[5]);
    envs[6] = malloc(lens[0]);
    memcpy(envs[6], envs[0], lens[0]); /* the first again: a duplicate */
    lens[6] = lens[0];
    for (int i = 0; i < N; i++) {
        tx_record_id(envs[i], lens[i], ids[i]);
    }

    assert_int_equal(tx_conn_send_batch(f->cb, N, envs, lens, &call), TX_OK);
    assert_int_equal(tx_conn_wait(f->cb, call, &r), TX_OK);
    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    assert_string_equal(r->message, "4 of 7 stored");
    assert_int_equal(tx_batch_reply_check(r, N), TX_OK);
    assert_int_not_equal(tx_batch_reply_check(r, N + 1), TX_OK);
    assert_true(r->checkpoint.len > 0);
    for (int i = 0; i < N; i++) {
        const tx_outcome_pb *o = r->outcomes[i];

        assert_int_equal(o->status, want[i]);
        if (want[i] != TICSX__V1__STATUS__OK) {
            assert_null(o->receipt);
            assert_int_equal(th_get_status(f->cb, ids[i]), TX_ERR_NOT_FOUND);
            continue;
        }
        assert_non_null(o->receipt);
        assert_memory_equal(o->receipt->record_id.data, ids[i], 32);
        tx_merkle_leaf_hash(envs[i], lens[i], leaf);
        assert_int_equal(o->receipt->leaf_hash.len, 32);
        assert_memory_equal(o->receipt->leaf_hash.data, leaf, 32);
        assert_int_equal(o->receipt->checkpoint.len, 0); /* once, in the reply */
        assert_int_equal(th_get_status(f->cb, ids[i]), TX_OK);
    }
    assert_int_equal(r->outcomes[1]->receipt->index, r->outcomes[0]->receipt->index + 1);
    assert_true(r->outcomes[6]->receipt->duplicate);
    assert_int_equal(r->outcomes[6]->receipt->index, r->outcomes[0]->receipt->index);
    assert_non_null(strstr(r->outcomes[2]->message, "does not verify"));
    tx_free(r);

    /* The hub's own key may not submit, in a batch either. */
    assert_int_equal(tx_identity_load(f->dir, "hub", &hub_id), TX_OK);
    hc = th_connect(&f->hub, hub_id, TIMEOUT_MS);
    assert_int_equal(tx_conn_send_batch(hc, 1, &envs[5], &lens[5], &call), TX_OK);
    assert_int_equal(tx_conn_wait(hc, call, &r), TX_OK);
    assert_int_equal(r->status, TICSX__V1__STATUS__FORBIDDEN);
    assert_int_equal(r->n_outcomes, 0);
    tx_free(r);
    tx_conn_destroy(&hc);
    tx_identity_destroy(&hub_id);
    for (int i = 0; i < N; i++) {
        free(envs[i]);
    }
}

/* A batch with no envelope, an empty one or more than TX_MAX_BATCH is a bad request that names
 * the problem; the batch helper refuses to build the first and the last. */
static void
test_submit_batch_bounds(void **state)
{
    fx *f = *state;
    static uint8_t *envs[TX_MAX_BATCH + 1];
    static size_t lens[TX_MAX_BATCH + 1];
    static ProtobufCBinaryData bins[TX_MAX_BATCH + 1];
    const size_t counts[3] = {0, 2, TX_MAX_BATCH + 1};
    const char *why[3] = {"submit_batch: no envelopes", "submit_batch: empty envelope",
                          "submit_batch: more than 256 envelopes"};
    size_t len;
    uint8_t *q = th_questionnaire(f->buyer, 2, &len);
    uint64_t call;

    for (size_t i = 0; i <= TX_MAX_BATCH; i++) {
        envs[i] = q;
        lens[i] = len;
        bins[i].data = q;
        bins[i].len = len;
    }
    bins[1].len = 0;
    assert_int_equal(tx_conn_send_batch(f->cb, 0, envs, lens, &call), TX_ERR_USAGE);
    assert_int_equal(tx_conn_send_batch(f->cb, TX_MAX_BATCH + 1, envs, lens, &call), TX_ERR_USAGE);
    for (int k = 0; k < 3; k++) {
        tx_call_pb c = TICSX__V1__CALL__INIT;
        tx_submit_batch_pb b = TICSX__V1__SUBMIT_BATCH__INIT;
        tx_reply_pb *r;

        b.n_envelopes = counts[k];
        b.envelopes = bins;
        c.body_case = TICSX__V1__CALL__BODY_SUBMIT_BATCH;
        c.submit_batch = &b;
        assert_int_equal(tx_conn_call(f->cb, &c, &r), TX_OK);
        assert_int_equal(r->status, TICSX__V1__STATUS__BAD_REQUEST);
        assert_non_null(strstr(r->message, why[k]));
        tx_free(r);
    }
    /* 256 copies of one record: one stored, 255 duplicates of it. */
    assert_int_equal(tx_conn_send_batch(f->cb, TX_MAX_BATCH, envs, lens, &call), TX_OK);
    {
        tx_reply_pb *r;
        assert_int_equal(tx_conn_wait(f->cb, call, &r), TX_OK);
        assert_int_equal(tx_batch_reply_check(r, TX_MAX_BATCH), TX_OK);
        assert_false(r->outcomes[0]->receipt->duplicate);
        assert_true(r->outcomes[TX_MAX_BATCH - 1]->receipt->duplicate);
        tx_free(r);
    }
    assert_int_equal(th_list_count(f->cb, TX_KIND_QUESTIONNAIRE), 1);
    free(q);
}

static void
test_duplicate_submit(void **state)
{
    fx *f = *state;
    tx_reply_pb *r1, *r2;
    size_t len;
    uint8_t *q = th_questionnaire(f->buyer, 2, &len);

    r1 = th_submit(f->cb, q, len);
    r2 = th_submit(f->cb, q, len);
    assert_int_equal(r1->status, TICSX__V1__STATUS__OK);
    assert_int_equal(r2->status, TICSX__V1__STATUS__OK);
    assert_non_null(r1->receipt);
    assert_non_null(r2->receipt);
    assert_false(r1->receipt->duplicate);
    assert_true(r2->receipt->duplicate);
    assert_int_equal(r1->receipt->index, r2->receipt->index);
    assert_memory_equal(r1->receipt->record_id.data, r2->receipt->record_id.data, 32);
    assert_int_equal(th_list_count(f->cb, TX_KIND_QUESTIONNAIRE), 1);
    tx_free(r1);
    tx_free(r2);
    free(q);
}

static void
test_revoke(void **state)
{
    fx *f = *state;
    uint8_t qid[32], aid[32], gid[32], vid[32];
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    size_t len;
    uint8_t *env;

    questionnaire(f, 2, qid);
    env = th_sealed(f->supplier, 2, qid, key, &len);
    tx_record_id(env, len, aid);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    env = th_grant(f->supplier, 3, aid, &f->buyer->pub, key, &len);
    tx_record_id(env, len, gid);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    assert_int_equal(th_get_status(f->cb, aid), TX_OK);

    /* Only the author revokes, and only what the grant says. */
    env = th_revoke(f->other, 2, gid, aid, f->buyer->pub.sign, &len);
    assert_int_equal(th_submit_status(f->co, env, len, NULL), TICSX__V1__STATUS__MISSING_REFERENCE);
    free(env);
    env = th_revoke(f->supplier, 4, gid, aid, f->other->pub.sign, &len);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__BAD_REQUEST);
    free(env);
    env = th_revoke(f->supplier, 4, qid, aid, f->buyer->pub.sign, &len);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__MISSING_REFERENCE);
    free(env);
    assert_int_equal(th_get_status(f->cb, aid), TX_OK);

    env = th_revoke(f->supplier, 4, gid, aid, f->buyer->pub.sign, &len);
    tx_record_id(env, len, vid);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    /* The buyer loses the assessment but sees the revocation; the author keeps everything. */
    assert_int_equal(th_get_status(f->cb, aid), TX_ERR_NOT_FOUND);
    assert_int_equal(th_list_count(f->cb, TX_KIND_ASSESSMENT), 0);
    assert_int_equal(th_get_status(f->cb, vid), TX_OK);
    assert_int_equal(th_list_count(f->cb, TX_KIND_GRANT_REVOKE), 1);
    assert_int_equal(th_get_status(f->co, vid), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->cs, aid), TX_OK);

    /* A new grant restores access. */
    env = th_grant(f->supplier, 5, aid, &f->buyer->pub, key, &len);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    assert_int_equal(th_get_status(f->cb, aid), TX_OK);
    sodium_free(key);
}

static void
test_certificates_public(void **state)
{
    fx *f = *state;
    uint8_t cid[32], nowhere[32];
    size_t len;
    uint8_t *env;

    /* "other" plays the certification body: its records are public to every member. */
    env = th_accreditation(f->buyer, 2, f->other, &len);
    assert_int_equal(th_submit_status(f->cb, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    env = th_certificate(f->other, 2, f->supplier, &len);
    tx_record_id(env, len, cid);
    assert_int_equal(th_submit_status(f->co, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    assert_int_equal(th_get_status(f->cs, cid), TX_OK);
    assert_int_equal(th_list_count(f->cs, TX_KIND_CERTIFICATE), 1);
    assert_int_equal(th_list_count(f->cs, TX_KIND_ACCREDITATION), 1);

    /* Events only from the body that issued the certificate, for a stored certificate. */
    env = th_cert_event(f->supplier, 2, cid, &len);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__FORBIDDEN);
    free(env);
    randombytes_buf(nowhere, sizeof nowhere);
    env = th_cert_event(f->other, 3, nowhere, &len);
    assert_int_equal(th_submit_status(f->co, env, len, NULL), TICSX__V1__STATUS__MISSING_REFERENCE);
    free(env);
    env = th_cert_event(f->other, 3, cid, &len);
    assert_int_equal(th_submit_status(f->co, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    assert_int_equal(th_list_count(f->cb, TX_KIND_CERT_EVENT), 1);
}

static void
test_oversize_and_garbage(void **state)
{
    fx *f = *state;
    void *ctx = zmq_ctx_new();
    void *s = th_raw_dealer(&f->hub, ctx, f->other, TIMEOUT_MS);
    size_t big_len = 3u << 20;
    uint8_t *big = calloc(1, big_len);
    uint8_t buf[4096];
    tx_reply_pb *r;
    uint8_t qid[32];
    int n;

    /* Garbage that starts with a call id gets a BAD_REQUEST answer naming the problem. */
    assert_int_equal(zmq_send(s, "\x08\x07\x12\x05\x0a", 5, 0), 5);
    n = zmq_recv(s, buf, sizeof buf, 0);
    assert_true(n > 0);
    assert_int_equal(tx_decode_reply(buf, (size_t)n, &r), TX_OK);
    assert_int_equal(r->id, 7);
    assert_int_equal(r->status, TICSX__V1__STATUS__BAD_REQUEST);
    assert_non_null(strstr(r->message, "call does not decode"));
    tx_free(r);

    /* 3 MB: libzmq drops the peer (ZMQ_MAXMSGSIZE); the hub keeps serving the others. */
    big[0] = 0x08;
    big[1] = 0x09;
    assert_int_equal(zmq_send(s, big, big_len, 0), (int)big_len);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(th_ping(f->cb), TX_OK);
    }
    questionnaire(f, 2, qid);
    assert_int_equal(th_get_status(f->co, qid), TX_OK);
    assert_true(th_hub_alive(&f->hub));
    zmq_close(s);
    zmq_ctx_term(ctx);
    free(big);
}

static void
test_hub_key_may_only_ping(void **state)
{
    fx *f = *state;
    tx_identity *hub_id = NULL;
    uint8_t qid[32];
    tx_conn *c;

    questionnaire(f, 2, qid);
    assert_int_equal(tx_identity_load(f->dir, "hub", &hub_id), TX_OK);
    c = th_connect(&f->hub, hub_id, TIMEOUT_MS);
    assert_int_equal(th_ping(c), TX_OK);
    assert_int_equal(th_get_status(c, qid), TX_ERR_FORBIDDEN);
    tx_conn_destroy(&c);
    tx_identity_destroy(&hub_id);
}

/* Pipelines n questionnaires from seq 2 in waves, waiting for each wave's first reply so the
 * hub is committing one batch while the next arrives. calls[i] are call ids, ids[i] record
 * ids. Returns how many replies were consumed (all OK) while sending. */
static void
pipeline(tx_conn *c, const tx_identity *id, int n, uint64_t *calls, uint8_t (*ids)[32],
         uint8_t **envs, size_t *lens, uint8_t *seen)
{
    for (int i = 0; i < n; i++) {
        tx_call_pb call = TICSX__V1__CALL__INIT;
        tx_submit_pb submit = TICSX__V1__SUBMIT__INIT;

        envs[i] = th_questionnaire(id, 2 + (uint64_t)i, &lens[i]);
        tx_record_id(envs[i], lens[i], ids[i]);
        submit.envelope.data = envs[i];
        submit.envelope.len = lens[i];
        call.body_case = TICSX__V1__CALL__BODY_SUBMIT;
        call.submit = &submit;
        assert_int_equal(tx_conn_send(c, &call, &calls[i]), TX_OK);
        if (i % 50 == 49 && i < n / 2) {
            tx_reply_pb *r;
            assert_int_equal(tx_conn_wait(c, calls[i - 49], &r), TX_OK);
            assert_int_equal(r->status, TICSX__V1__STATUS__OK);
            seen[i - 49] = 1;
            tx_free(r);
        }
    }
}

/* Waits for the replies of calls[from..to) not consumed yet; all must be OK. */
static void
wait_ok(tx_conn *c, const uint64_t *calls, const uint8_t *seen, int from, int to)
{
    for (int i = from; i < to; i++) {
        tx_reply_pb *r;
        if (seen[i]) {
            continue;
        }
        assert_int_equal(tx_conn_wait(c, calls[i], &r), TX_OK);
        assert_int_equal(r->status, TICSX__V1__STATUS__OK);
        tx_free(r);
    }
}

/* Restarts the hub on the same directory: every acknowledged record is there byte for byte,
 * and everything stored verifies. */
static void
check_acknowledged(fx *f, int acked, uint8_t (*ids)[32], uint8_t **envs, size_t *lens)
{
    uint64_t after = 0;
    size_t stored = 0;

    tx_conn_destroy(&f->cb);
    th_hub_start(&f->hub, f->dir, NULL);
    f->cb = th_connect(&f->hub, f->buyer, TIMEOUT_MS);
    for (int i = 0; i < acked; i++) {
        uint8_t *env;
        size_t len;

        assert_int_equal(tx_conn_get(f->cb, ids[i], &env, &len), TX_OK);
        assert_int_equal(len, lens[i]);
        assert_memory_equal(env, envs[i], len);
        free(env);
    }
    do {
        tx_reply_pb *r = th_list(f->cb, TX_KIND_QUESTIONNAIRE, after, 1000);

        assert_int_equal(r->status, TICSX__V1__STATUS__OK);
        for (size_t k = 0; k < r->n_entries; k++) {
            tx_envelope_pb *env;
            ProtobufCMessage *msg;
            assert_int_equal(tx_envelope_open_as(r->entries[k]->envelope.data,
                                                 r->entries[k]->envelope.len, TX_KIND_QUESTIONNAIRE,
                                                 &env, &msg),
                             TX_OK);
            tx_free(msg);
            tx_free(env);
        }
        stored += r->n_entries;
        after = r->next;
        tx_free(r);
    } while (after != 0);
    assert_true(stored >= (size_t)acked);
}

#define ORDERED 150

/* A submit and the calls its client sends after it without waiting, pipelined while earlier
 * batches are committed: a checkpoint call (a write of its own: it signs one of the whole
 * log) is answered with a checkpoint that holds the record, and a get finds it. Replies come
 * in the order the calls went. */
static void
test_order_after_submit(void **state)
{
    fx *f = *state;
    uint64_t calls[ORDERED][3];
    uint8_t *envs[ORDERED];
    size_t lens[ORDERED];
    static tx_note note; /* large */
    for (int i = 0; i < ORDERED; i++) {
        tx_call_pb call = TICSX__V1__CALL__INIT;
        uint8_t id[32];

        envs[i] = th_questionnaire(f->buyer, 2 + (uint64_t)i, &lens[i]);
        tx_record_id(envs[i], lens[i], id);
        assert_int_equal(tx_conn_send_submit(f->cb, envs[i], lens[i], &calls[i][0]), TX_OK);
        call.body_case = TICSX__V1__CALL__BODY_CHECKPOINT;
        call.checkpoint = 1;
        assert_int_equal(tx_conn_send(f->cb, &call, &calls[i][1]), TX_OK);
        assert_int_equal(tx_conn_send_get(f->cb, id, &calls[i][2]), TX_OK);
    }
    for (int i = 0; i < ORDERED; i++) {
        tx_reply_pb *r;
        tx_note_checkpoint cp;
        uint64_t index;

        assert_int_equal(tx_conn_wait(f->cb, calls[i][0], &r), TX_OK);
        assert_int_equal(r->status, TICSX__V1__STATUS__OK);
        assert_non_null(r->receipt);
        index = r->receipt->index;
        tx_free(r);
        assert_int_equal(tx_conn_wait(f->cb, calls[i][1], &r), TX_OK);
        assert_int_equal(r->status, TICSX__V1__STATUS__OK);
        assert_int_equal(tx_note_parse(r->checkpoint.data, r->checkpoint.len, &note), TX_OK);
        assert_int_equal(tx_note_checkpoint_parse(note.text, note.text_len, &cp), TX_OK);
        assert_true(cp.size >= index);
        tx_free(r);
        assert_int_equal(tx_conn_wait(f->cb, calls[i][2], &r), TX_OK);
        assert_int_equal(r->status, TICSX__V1__STATUS__OK);
        assert_int_equal(r->n_entries, 1);
        assert_int_equal(r->entries[0]->envelope.len, lens[i]);
        assert_memory_equal(r->entries[0]->envelope.data, envs[i], lens[i]);
        tx_free(r);
        free(envs[i]);
    }
}

/* The hub started under the checkpoint.signed shim (fu_signed_shim_on). */
static int
setup_signed_shim(void **state)
{
    char *root = th_tmpdir();
    int rc = 0;

    if (fu_signed_shim_on(root)) {
        rc = setup(state);
        fu_signed_shim_off();
    }
    th_rmtree(root);
    free(root);
    return rc;
}

static int
teardown_signed_shim(void **state)
{
    return *state != NULL ? teardown(state) : 0;
}

/* The size of the checkpoint a reply names (its receipt's, or the reply's own), 0 for none. */
static uint64_t
named_checkpoint(const tx_reply_pb *r)
{
    static tx_note note; /* large */
    tx_note_checkpoint cp;
    const ProtobufCBinaryData *b = r->receipt != NULL && r->receipt->checkpoint.len > 0
                                       ? &r->receipt->checkpoint
                                       : &r->checkpoint;

    if (b->len == 0) {
        return 0;
    }
    assert_int_equal(tx_note_parse(b->data, b->len, &note), TX_OK);
    assert_int_equal(tx_note_checkpoint_parse(note.text, note.text_len, &cp), TX_OK);
    return cp.size;
}

#define SIGNED_CALLS 120

/* No reply names a checkpoint before the hub's record of it in checkpoint.signed is durable:
 * submits pipelined on two connections, with a checkpoint call every tenth (a write on the
 * loop: the batch holding it goes the sequential way); after each reply, the durable copy the
 * flush shim made records that checkpoint or a later one. The record is made while the next
 * batch commits, so an answer sent at "in LMDB" fails here (the shim holds each flush back). */
static void
test_answer_after_signed_flush(void **state)
{
    fx *f = *state;
    tx_conn *conns[2];
    uint64_t calls[SIGNED_CALLS];
    uint8_t *envs[SIGNED_CALLS] = {0};
    char durable[PATH_MAX + 16];
    uint8_t root[32];
    uint64_t recorded, named, checked = 0;

    if (f == NULL) {
        skip();
    }
    conns[0] = f->cb;
    conns[1] = f->cs;
    snprintf(durable, sizeof durable, "%s/durable", f->dir);
    for (int i = 0; i < SIGNED_CALLS; i++) {
        tx_conn *c = conns[i % 2];
        size_t len;

        if (i % 10 == 9) {
            tx_call_pb call = TICSX__V1__CALL__INIT;

            call.body_case = TICSX__V1__CALL__BODY_CHECKPOINT;
            call.checkpoint = 1;
            assert_int_equal(tx_conn_send(c, &call, &calls[i]), TX_OK);
            continue;
        }
        envs[i] = th_questionnaire(i % 2 ? f->supplier : f->buyer, 2 + (uint64_t)i, &len);
        assert_int_equal(tx_conn_send_submit(c, envs[i], len, &calls[i]), TX_OK);
    }
    for (int i = 0; i < SIGNED_CALLS; i++) {
        tx_reply_pb *r;

        assert_int_equal(tx_conn_wait(conns[i % 2], calls[i], &r), TX_OK);
        assert_int_equal(r->status, TICSX__V1__STATUS__OK);
        named = named_checkpoint(r);
        tx_free(r);
        if (named == 0) {
            continue;
        }
        assert_int_equal(tx_signed_read(durable, &recorded, root), TX_OK);
        if (recorded < named) {
            fprintf(stderr,
                    "reply %d names checkpoint %llu; checkpoint.signed durably records "
                    "%llu\n",
                    i, (unsigned long long)named, (unsigned long long)recorded);
        }
        assert_true(recorded >= named);
        checked++;
        free(envs[i]);
        envs[i] = NULL;
    }
    for (int i = 0; i < SIGNED_CALLS; i++) {
        free(envs[i]);
    }
    assert_true(checked >= SIGNED_CALLS / 2);
}

/* The file whose existence fails every flush of checkpoint.signed (the shim's
 * TX_SHIM_SIGNED_FAIL_WHILE), in a directory of its own that outlives setup. */
static char *fail_root;
static char fail_path[PATH_MAX];

/* The hub under the shim, with flushes of checkpoint.signed failing while fail_path exists. */
static int
setup_failing_shim(void **state)
{
    fail_root = th_tmpdir();
    snprintf(fail_path, sizeof fail_path, "%s/disk-fails", fail_root);
    assert_int_equal(setenv("TX_SHIM_SIGNED_FAIL_WHILE", fail_path, 1), 0);
    setup_signed_shim(state);
    unsetenv("TX_SHIM_SIGNED_FAIL_WHILE");
    return 0;
}

static int
teardown_failing_shim(void **state)
{
    int rc = teardown_signed_shim(state);

    th_rmtree(fail_root);
    free(fail_root);
    fail_root = NULL;
    return rc;
}

/* Returns r, a reply; fails the test unless the checkpoint it names (if any) is one the
 * durable copy of checkpoint.signed records. */
static tx_reply_pb *
within_signed(fx *f, tx_reply_pb *r)
{
    char durable[PATH_MAX + 16];
    uint8_t root[32];
    uint64_t recorded = 0, named = named_checkpoint(r);

    snprintf(durable, sizeof durable, "%s/durable", f->dir);
    if (named > 0) {
        assert_int_equal(tx_signed_read(durable, &recorded, root), TX_OK);
        if (recorded < named) {
            fprintf(stderr, "a reply names checkpoint %llu; checkpoint.signed durably records %llu\n",
                    (unsigned long long)named, (unsigned long long)recorded);
        }
        assert_true(recorded >= named);
    }
    return r;
}

static tx_reply_pb *
call_within_signed(fx *f, tx_call_pb *call)
{
    tx_reply_pb *r = NULL;

    assert_int_equal(tx_conn_call(f->cb, call, &r), TX_OK);
    return within_signed(f, r);
}

static tx_reply_pb *
submit_within_signed(fx *f, const uint8_t *env, size_t len)
{
    tx_reply_pb *r = NULL;

    assert_int_equal(tx_conn_submit(f->cb, env, len, &r), TX_OK);
    return within_signed(f, r);
}

/* A Checkpoint call, or a Ping (the health answer: it says why writes are refused). */
static tx_reply_pb *
checkpoint_within_signed(fx *f, int ping)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;

    call.body_case = ping ? TICSX__V1__CALL__BODY_PING : TICSX__V1__CALL__BODY_CHECKPOINT;
    call.checkpoint = !ping;
    call.ping = ping;
    return call_within_signed(f, &call);
}

#define REFUSED_TEXT "cannot record its signed checkpoint"

/* A SubmitBatch of envs[0..2) while records fail: both refused with the clear message, no
 * checkpoint named. */
static void
refused_batch(fx *f, uint8_t **envs, const size_t *lens)
{
    uint64_t call;
    tx_reply_pb *r;

    assert_int_equal(tx_conn_send_batch(f->cb, 2, envs, lens, &call), TX_OK);
    assert_int_equal(tx_conn_wait(f->cb, call, &r), TX_OK);
    assert_int_equal(named_checkpoint(r), 0);
    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    assert_int_equal(r->n_outcomes, 2);
    for (size_t i = 0; i < r->n_outcomes; i++) {
        assert_int_not_equal(r->outcomes[i]->status, TICSX__V1__STATUS__OK);
        assert_non_null(strstr(r->outcomes[i]->message, REFUSED_TEXT));
    }
    tx_free(r);
}

/* A record in checkpoint.signed that fails (the shim fails its flushes with EIO while a file
 * exists): the batch is "not stored" and from then on writes are refused with a clear message
 * and no reply names a checkpoint the file does not hold, until a record succeeds; then what
 * was refused is stored once (the record committed before the failure is found as a
 * duplicate, the refused one is new) and everything acknowledged is in the file. */
static void
test_signed_failure_refuses(void **state)
{
    fx *f = *state;
    uint8_t *envs[4];
    size_t lens[4];
    uint64_t idx[4], dup_index;
    tx_reply_pb *r;
    char durable[PATH_MAX + 16];
    uint8_t root[32];
    uint64_t recorded;

    if (f == NULL) {
        skip();
    }
    for (int i = 0; i < 4; i++) {
        envs[i] = th_questionnaire(f->buyer, 2 + (uint64_t)i, &lens[i]);
    }
    /* Before: stored, acknowledged with a checkpoint the file holds. */
    r = submit_within_signed(f, envs[0], lens[0]);
    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    idx[0] = r->receipt->index;
    tx_free(r);

    th_write_file(fail_path, "");
    /* envs[1] is committed in LMDB and its record fails: not stored, as far as the client
     * knows; the duplicate beside it gets no receipt either (none could name a checkpoint). */
    refused_batch(f, envs, lens);
    /* Refused before any write: a new record, a duplicate, a batch, a fresh checkpoint. */
    r = submit_within_signed(f, envs[2], lens[2]);
    assert_int_not_equal(r->status, TICSX__V1__STATUS__OK);
    assert_non_null(strstr(r->message, REFUSED_TEXT));
    tx_free(r);
    r = submit_within_signed(f, envs[0], lens[0]);
    assert_int_not_equal(r->status, TICSX__V1__STATUS__OK);
    assert_non_null(strstr(r->message, REFUSED_TEXT));
    tx_free(r);
    refused_batch(f, &envs[2], &lens[2]);
    r = checkpoint_within_signed(f, 0);
    assert_int_not_equal(r->status, TICSX__V1__STATUS__OK);
    assert_non_null(strstr(r->message, REFUSED_TEXT));
    tx_free(r);
    {
        /* A witnessed checkpoint is refused alike (else: none of this key, not found). */
        tx_call_pb call = TICSX__V1__CALL__INIT;
        tx_witnessed_pb q = TICSX__V1__WITNESSED__INIT;
        uint8_t key[32] = {1};
        ProtobufCBinaryData keys[1] = {{sizeof key, key}};

        q.n_witness_keys = 1;
        q.witness_keys = keys;
        q.quorum = 1;
        call.body_case = TICSX__V1__CALL__BODY_WITNESSED;
        call.witnessed = &q;
        r = call_within_signed(f, &call);
        assert_int_not_equal(r->status, TICSX__V1__STATUS__OK);
        assert_non_null(strstr(r->message, REFUSED_TEXT));
        tx_free(r);
    }
    /* The health answer says so; the log says it once, with the path and errno. */
    r = checkpoint_within_signed(f, 1);
    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    assert_non_null(strstr(r->message, REFUSED_TEXT));
    tx_free(r);
    assert_true(fu_log_has(&f->hub, "/checkpoint.signed (Input/output error)"));
    {
        char out[2048];
        assert_int_equal(th_run(out, sizeof out, "health", "--data", f->dir, NULL), 1);
        assert_non_null(strstr(out, "names no checkpoint until it can record checkpoint.signed"));
    }

    /* The disk is back: the timer records again without any write (ping until it did). */
    unlink(fail_path);
    for (;;) {
        int refused;
        r = checkpoint_within_signed(f, 1);
        refused = strstr(r->message, REFUSED_TEXT) != NULL;
        tx_free(r);
        if (!refused) {
            break;
        }
        usleep(20000);
    }
    /* What was committed before the failure is found again; what was refused is new. */
    r = submit_within_signed(f, envs[1], lens[1]);
    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    assert_true(r->receipt->duplicate);
    dup_index = r->receipt->index;
    assert_int_equal(dup_index, idx[0] + 1);
    tx_free(r);
    for (int i = 2; i < 4; i++) {
        r = submit_within_signed(f, envs[i], lens[i]);
        assert_int_equal(r->status, TICSX__V1__STATUS__OK);
        assert_false(r->receipt->duplicate);
        idx[i] = r->receipt->index;
        tx_free(r);
    }
    assert_int_equal(idx[2], dup_index + 1);
    assert_int_equal(idx[3], dup_index + 2);
    r = checkpoint_within_signed(f, 0);
    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    assert_true(named_checkpoint(r) >= idx[3]);
    tx_free(r);
    snprintf(durable, sizeof durable, "%s/durable", f->dir);
    assert_int_equal(tx_signed_read(durable, &recorded, root), TX_OK);
    assert_true(recorded >= idx[3]);
    for (int i = 0; i < 4; i++) {
        free(envs[i]);
    }
}

#define BULK 400

static void
test_kill9_keeps_acknowledged(void **state)
{
    fx *f = *state;
    uint64_t calls[BULK];
    uint8_t ids[BULK][32];
    uint8_t *envs[BULK];
    size_t lens[BULK];
    uint8_t seen[BULK] = {0};

    pipeline(f->cb, f->buyer, BULK, calls, ids, envs, lens, seen);
    /* Kill as soon as half are acknowledged, with the rest still arriving or in flight. */
    wait_ok(f->cb, calls, seen, 0, BULK / 2);
    assert_int_equal(th_hub_stop(&f->hub, SIGKILL), 128 + SIGKILL);
    check_acknowledged(f, BULK / 2, ids, envs, lens);
    for (int i = 0; i < BULK; i++) {
        free(envs[i]);
    }
}

static void
test_sigterm_finishes_and_exits_zero(void **state)
{
    fx *f = *state;
    uint64_t calls[BULK];
    uint8_t ids[BULK][32];
    uint8_t *envs[BULK];
    size_t lens[BULK];
    uint8_t seen[BULK] = {0};
    char out[1024];
    int acked;

    /* Calls the stopped hub never answers end with this connection's shorter timeout. */
    tx_conn_destroy(&f->cb);
    f->cb = th_connect(&f->hub, f->buyer, 1500);
    pipeline(f->cb, f->buyer, BULK, calls, ids, envs, lens, seen);
    wait_ok(f->cb, calls, seen, 0, 1);
    kill(f->hub.pid, SIGTERM);
    /* Whatever is answered before the exit was committed first. */
    for (acked = 1; acked < BULK; acked++) {
        tx_reply_pb *r;
        if (seen[acked]) {
            continue;
        }
        if (tx_conn_wait(f->cb, calls[acked], &r) != TX_OK) {
            break;
        }
        assert_int_equal(r->status, TICSX__V1__STATUS__OK);
        tx_free(r);
    }
    assert_int_equal(th_hub_stop(&f->hub, SIGTERM), 0);
    assert_int_equal(th_run(out, sizeof out, "health", "--data", f->dir, "--timeout", "300", NULL),
                     3);
    check_acknowledged(f, acked, ids, envs, lens);
    for (int i = 0; i < BULK; i++) {
        free(envs[i]);
    }
}

static void
test_second_hub_refused(void **state)
{
    fx *f = *state;
    char out[2048];
    int rc = th_run(out, sizeof out, "run", "--data", f->dir, "--bind", "tcp://127.0.0.1:*", NULL);

    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "in use by another hub"));
    /* The first one still serves, and its endpoint file is untouched. */
    assert_int_equal(th_ping(f->cb), TX_OK);
    assert_int_equal(th_run(out, sizeof out, "health", "--data", f->dir, NULL), 0);
    assert_non_null(strstr(out, "healthy"));
}

static void
test_cli(void **state)
{
    fx *f = *state;
    char out[4096];

    assert_int_equal(th_run(out, sizeof out, "init", "--data", f->dir, NULL), 2);
    assert_non_null(strstr(out, "already holds a hub"));
    assert_int_equal(th_run(out, sizeof out, "--help", NULL), 0);
    assert_non_null(strstr(out, "usage: ticsx-hub COMMAND"));
    assert_int_equal(th_run(out, sizeof out, "run", "--help", NULL), 0);
    assert_non_null(strstr(out, "--map-size MIB"));
    assert_int_equal(th_run(out, sizeof out, "frobnicate", NULL), 2);
    assert_int_equal(th_run(out, sizeof out, "run", NULL), 2);
    assert_int_equal(th_run(out, sizeof out, "run", "--data", f->dir, "--map-size", "x", NULL), 2);
    /* Re-enrolling the same profile is idempotent; an older one is refused. */
    assert_int_equal(th_enroll(f->dir, f->buyer, 1, out, sizeof out), 0);
    assert_non_null(strstr(out, "already enrolled"));
    assert_int_equal(th_enroll(f->dir, f->buyer, 4, out, sizeof out), 0);
    assert_int_equal(th_enroll(f->dir, f->buyer, 3, out, sizeof out), 1);
    assert_non_null(strstr(out, "replay"));
    assert_int_equal(th_run(out, sizeof out, "enroll", "--data", f->dir, "/nonexistent", NULL), 2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_exchange, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unenrolled_gets_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tampered_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signer_must_be_caller, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callers_sharing_a_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_reference, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_submit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_submit_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_submit_batch_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_certificates_public, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_and_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hub_key_may_only_ping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_after_submit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_after_signed_flush, setup_signed_shim,
                                        teardown_signed_shim),
        cmocka_unit_test_setup_teardown(test_signed_failure_refuses, setup_failing_shim,
                                        teardown_failing_shim),
        cmocka_unit_test_setup_teardown(test_kill9_keeps_acknowledged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigterm_finishes_and_exits_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_hub_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli, setup, teardown),
    };

    tx_log_level = TX_LOG_ERROR;
    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Integration: an organisation's people (member records) at the real ticsx-hub over CURVE with
 * real LMDB. Each role's allowed and refused submissions, reading what the organisation may
 * read, removal and expiry refused at the next handshake and at once for submissions, and the
 * attacks: a person's record forged by another organisation, a person of one organisation
 * named by another, a transport key taken from someone else, a person signing member records. */
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
    tx_identity *buyer, *supplier, *other;
    tx_identity *officer, *viewer, *responder;
    tx_conn *cb, *cs, *co;
    uint64_t seq_s, seq_o; /* the next sequence numbers of supplier and other */
} fx;

static uint8_t *
member(const tx_identity *org, uint64_t seq, const tx_identity *person, int role, size_t *len)
{
    return th_member(org, org->pub.sign, seq, person, person->pub.curve, role, 0, 0, len);
}

static uint8_t *
removal(const tx_identity *org, uint64_t seq, const tx_identity *person, int64_t effective,
        size_t *len)
{
    return th_member_removal(org, seq, person->pub.sign, effective, len);
}

/* Submits env on c and frees it; returns the status. The length is read here, after env was
 * made (the order a call's arguments are evaluated in is unspecified). */
static int
submit(tx_conn *c, uint8_t *env, const size_t *len)
{
    int status = th_submit_status(c, env, *len, NULL);

    free(env);
    return status;
}

/* A connection the hub must refuse at the handshake. */
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
    size_t len;

    th_require_hub_bin();
    f = calloc(1, sizeof *f);
    f->root = th_tmpdir();
    snprintf(f->dir, sizeof f->dir, "%s/hub", f->root);
    th_hub_init(f->dir);
    f->buyer = th_identity("Buyer Motors KK");
    f->supplier = th_identity("Supplier Parts KK");
    f->other = th_identity("Other Works KK");
    f->officer = th_identity("Sato Hanako");
    f->viewer = th_identity("Suzuki Ichiro");
    f->responder = th_identity("Tanaka Jiro");
    assert_int_equal(th_enroll(f->dir, f->buyer, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->supplier, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->other, 1, NULL, 0), 0);
    th_hub_start(&f->hub, f->dir, NULL);
    f->cb = th_connect(&f->hub, f->buyer, TIMEOUT_MS);
    f->cs = th_connect(&f->hub, f->supplier, TIMEOUT_MS);
    f->co = th_connect(&f->hub, f->other, TIMEOUT_MS);
    f->seq_s = f->seq_o = 2;
    assert_int_equal(submit(f->cs,
                            member(f->supplier, f->seq_s++, f->officer,
                                   TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER, &len),
                            &len),
                     TICSX__V1__STATUS__OK);
    assert_int_equal(submit(f->cs,
                            member(f->supplier, f->seq_s++, f->viewer,
                                   TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_VIEWER, &len),
                            &len),
                     TICSX__V1__STATUS__OK);
    assert_int_equal(submit(f->cs,
                            member(f->supplier, f->seq_s++, f->responder,
                                   TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_RESPONDER, &len),
                            &len),
                     TICSX__V1__STATUS__OK);
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
    tx_identity_destroy(&f->officer);
    tx_identity_destroy(&f->viewer);
    tx_identity_destroy(&f->responder);
    th_rmtree(f->root);
    free(f->root);
    free(f);
    assert_int_equal(exit_status, 0);
    return 0;
}

static void
questionnaire(fx *f, uint8_t qid[32])
{
    size_t len;
    uint8_t *q = th_questionnaire(f->buyer, 2, &len);

    tx_record_id(q, len, qid);
    assert_int_equal(submit(f->cb, q, &len), TICSX__V1__STATUS__OK);
}

/* An officer submits and grants for the organisation; the organisation and every person of it
 * read it; a viewer and a responder are refused; the buyer reads what the officer granted. */
static void
test_roles(void **state)
{
    fx *f = *state;
    uint8_t qid[32], aid[32], own[32];
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    char out[4096];
    tx_conn *officer = th_connect(&f->hub, f->officer, TIMEOUT_MS);
    tx_conn *viewer = th_connect(&f->hub, f->viewer, TIMEOUT_MS);
    tx_conn *responder = th_connect(&f->hub, f->responder, TIMEOUT_MS);
    uint8_t *env;
    size_t len;

    questionnaire(f, qid);
    assert_int_equal(th_ping(viewer), TX_OK);
    /* A viewer and a responder submit nothing for the organisation. */
    env = th_sealed(f->viewer, 1, qid, key, &len);
    assert_int_equal(submit(viewer, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    env = th_sealed(f->responder, 1, qid, key, &len);
    assert_int_equal(submit(responder, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    /* A person submits only records its own key signed. */
    env = th_sealed(f->supplier, f->seq_s++, qid, key, &len);
    assert_int_equal(submit(officer, env, &len), TICSX__V1__STATUS__FORBIDDEN);

    /* The officer's assessment is the organisation's: it and its people read it. */
    env = th_sealed(f->officer, 1, qid, key, &len);
    tx_record_id(env, len, aid);
    assert_int_equal(submit(officer, env, &len), TICSX__V1__STATUS__OK);
    assert_int_equal(th_get_status(f->cs, aid), TX_OK);
    assert_int_equal(th_get_status(viewer, aid), TX_OK);
    assert_int_equal(th_get_status(f->cb, aid), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->co, aid), TX_ERR_NOT_FOUND);
    /* The officer grants it; the organisation's key grants it too (its own record). */
    env = th_grant(f->officer, 2, aid, &f->buyer->pub, key, &len);
    assert_int_equal(submit(officer, env, &len), TICSX__V1__STATUS__OK);
    assert_int_equal(th_get_status(f->cb, aid), TX_OK);
    env = th_grant(f->supplier, f->seq_s++, aid, &f->other->pub, key, &len);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__OK);
    assert_int_equal(th_get_status(f->co, aid), TX_OK);

    /* ...and an assessment the organisation's key signed is the officer's to grant. */
    env = th_sealed(f->supplier, f->seq_s++, qid, key, &len);
    tx_record_id(env, len, own);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__OK);
    assert_int_equal(th_get_status(viewer, own), TX_OK);
    env = th_grant(f->officer, 3, own, &f->buyer->pub, key, &len);
    assert_int_equal(submit(officer, env, &len), TICSX__V1__STATUS__OK);
    /* Another organisation's officer-less key cannot grant it. */
    env = th_grant(f->other, f->seq_o++, own, &f->other->pub, key, &len);
    assert_int_equal(submit(f->co, env, &len), TICSX__V1__STATUS__MISSING_REFERENCE);

    /* Sequence numbers are per signing key: the officer's own replay is refused. */
    env = th_grant(f->officer, 3, aid, &f->other->pub, key, &len);
    assert_int_equal(submit(officer, env, &len), TICSX__V1__STATUS__REPLAY);

    /* The officer supersedes the assessment the organisation's key signed: its line. */
    env = th_sealed_with(f->officer, 4, qid, own, NULL, key, 0, &len);
    assert_int_equal(submit(officer, env, &len), TICSX__V1__STATUS__OK);

    tx_conn_destroy(&officer);
    tx_conn_destroy(&viewer);
    tx_conn_destroy(&responder);
    sodium_free(key);
    /* The hub's own check of its store agrees with what the people's records made of it. */
    assert_int_equal(th_hub_stop(&f->hub, SIGTERM), 0);
    if (th_run(out, sizeof out, "check", "--data", f->dir, NULL) != 0) {
        fail_msg("ticsx-hub check: %s", out);
    }
}

#define DRAFT_TEXT "A1-01=yes: MFA on every remote access (draft KIWI-7731)"

/* A draft (a responder's answer sealed to the organisation) is the one record a responder
 * submits; the organisation and its people fetch it, the buyer and another organisation do
 * not, and the hub's store never holds its text. */
static void
test_drafts(void **state)
{
    fx *f = *state;
    uint8_t qid[32], rid[32], did[32], other_q[32], dec[32];
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t *env;
    size_t len;
    char path[PATH_MAX + 16], out[4096];
    tx_conn *officer = th_connect(&f->hub, f->officer, TIMEOUT_MS);
    tx_conn *viewer = th_connect(&f->hub, f->viewer, TIMEOUT_MS);
    tx_conn *responder = th_connect(&f->hub, f->responder, TIMEOUT_MS);

    questionnaire(f, qid);
    env = th_request(f->buyer, 3, qid, (const uint8_t(*)[32])f->supplier->pub.sign, 1, &len);
    tx_record_id(env, len, rid);
    assert_int_equal(submit(f->cb, env, &len), TICSX__V1__STATUS__OK);

    env = th_draft(f->responder, 1, rid, qid, f->supplier->pub.seal, DRAFT_TEXT, &len);
    tx_record_id(env, len, did);
    assert_int_equal(submit(responder, env, &len), TICSX__V1__STATUS__OK);
    /* The organisation and its people read it; the buyer and another organisation do not. */
    assert_int_equal(th_get_status(f->cs, did), TX_OK);
    assert_int_equal(th_get_status(officer, did), TX_OK);
    assert_int_equal(th_get_status(viewer, did), TX_OK);
    assert_int_equal(th_get_status(f->cb, did), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->co, did), TX_ERR_NOT_FOUND);

    /* A viewer prepares nothing; an officer may draft too. */
    env = th_draft(f->viewer, 1, rid, qid, f->supplier->pub.seal, DRAFT_TEXT, &len);
    assert_int_equal(submit(viewer, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    env = th_draft(f->officer, 1, rid, qid, f->supplier->pub.seal, DRAFT_TEXT, &len);
    assert_int_equal(submit(officer, env, &len), TICSX__V1__STATUS__OK);
    /* A draft names a stored request and questionnaire. */
    memset(other_q, 0x42, sizeof other_q);
    env = th_draft(f->responder, 2, other_q, qid, f->supplier->pub.seal, DRAFT_TEXT, &len);
    assert_int_equal(submit(responder, env, &len), TICSX__V1__STATUS__MISSING_REFERENCE);
    /* Only an officer decides on a draft; the organisation's people read the decision. */
    env = th_draft_decision(f->responder, 4, did, NULL, &len);
    assert_int_equal(submit(responder, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    env = th_draft_decision(f->officer, 2, did, NULL, &len);
    tx_record_id(env, len, dec);
    assert_int_equal(submit(officer, env, &len), TICSX__V1__STATUS__OK);
    assert_int_equal(th_get_status(viewer, dec), TX_OK);
    assert_int_equal(th_get_status(f->cb, dec), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->co, dec), TX_ERR_NOT_FOUND);
    /* An approval names an assessment the officer signed. */
    env = th_draft_decision(f->officer, 3, did, rid, &len);
    assert_int_equal(submit(officer, env, &len), TICSX__V1__STATUS__MISSING_REFERENCE);
    /* The responder still sends no assessment or grant of its own. */
    env = th_sealed(f->responder, 3, qid, key, &len);
    assert_int_equal(submit(responder, env, &len), TICSX__V1__STATUS__FORBIDDEN);

    sodium_free(key);
    tx_conn_destroy(&officer);
    tx_conn_destroy(&viewer);
    tx_conn_destroy(&responder);
    assert_int_equal(th_hub_stop(&f->hub, SIGTERM), 0);
    snprintf(path, sizeof path, "%s/data.mdb", f->dir);
    assert_true(th_file_holds(path, "application/vnd.ticsx.draft.v1"));
    assert_false(th_file_holds(path, "KIWI-7731"));
    if (th_run(out, sizeof out, "check", "--data", f->dir, NULL) != 0) {
        fail_msg("ticsx-hub check: %s", out);
    }
}

/* A removal stops every call of an open connection at once and the person's next handshake; an
 * expired or not yet valid record admits nobody; a later record re-admits. */
static void
test_removal(void **state)
{
    fx *f = *state;
    uint8_t qid[32];
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    tx_conn *officer = th_connect(&f->hub, f->officer, TIMEOUT_MS);
    int64_t now = (int64_t)time(NULL);
    uint8_t *env;
    size_t len;

    questionnaire(f, qid);
    assert_int_equal(th_ping(officer), TX_OK);
    assert_int_equal(
        submit(f->cs, removal(f->supplier, f->seq_s++, f->officer, now - 60, &len), &len),
        TICSX__V1__STATUS__OK);
    /* The connection it opened before: every call refused from now on, reads included. */
    env = th_sealed(f->officer, 1, qid, key, &len);
    assert_int_equal(submit(officer, env, &len), TICSX__V1__STATUS__NOT_ENROLLED);
    assert_int_equal(th_get_status(officer, qid), TX_ERR_NOT_ENROLLED);
    assert_int_equal(th_ping(officer), TX_ERR_NOT_ENROLLED);
    tx_conn_destroy(&officer);
    assert_refused(f, f->officer);

    /* Only a person of one's own organisation is removed. */
    assert_int_equal(submit(f->co, removal(f->other, f->seq_o++, f->viewer, now - 60, &len), &len),
                     TICSX__V1__STATUS__MISSING_REFERENCE);
    officer = th_connect(&f->hub, f->viewer, TIMEOUT_MS);
    assert_int_equal(th_ping(officer), TX_OK);
    tx_conn_destroy(&officer);

    /* Expired, and not yet valid: refused at the handshake. */
    env = th_member(f->supplier, f->supplier->pub.sign, f->seq_s++, f->viewer, f->viewer->pub.curve,
                    TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_VIEWER, now - 7200, now - 3600, &len);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__OK);
    assert_refused(f, f->viewer);
    env = th_member(f->supplier, f->supplier->pub.sign, f->seq_s++, f->responder,
                    f->responder->pub.curve, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_RESPONDER,
                    now + 86400, 0, &len);
    assert_int_equal(submit(f->cs, env, &len), TICSX__V1__STATUS__OK);
    assert_refused(f, f->responder);

    /* Named again after the removal: admitted and an officer again. */
    assert_int_equal(submit(f->cs,
                            member(f->supplier, f->seq_s++, f->officer,
                                   TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER, &len),
                            &len),
                     TICSX__V1__STATUS__OK);
    officer = th_connect(&f->hub, f->officer, TIMEOUT_MS);
    env = th_sealed(f->officer, 1, qid, key, &len);
    assert_int_equal(submit(officer, env, &len), TICSX__V1__STATUS__OK);
    tx_conn_destroy(&officer);
    sodium_free(key);
}

/* An admin submits for the organisation as an officer does, and names or removes no members
 * itself (member records stay the organisation key's). */
static void
test_admin(void **state)
{
    fx *f = *state;
    tx_identity *admin = th_identity("Kimura Sho");
    uint8_t qid[32], aid[32];
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN), *env;
    tx_conn *c;
    size_t len;

    assert_int_equal(submit(f->cs,
                            member(f->supplier, f->seq_s++, admin,
                                   TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN, &len),
                            &len),
                     TICSX__V1__STATUS__OK);
    c = th_connect(&f->hub, admin, TIMEOUT_MS);
    questionnaire(f, qid);
    env = th_sealed(admin, 1, qid, key, &len);
    tx_record_id(env, len, aid);
    assert_int_equal(submit(c, env, &len), TICSX__V1__STATUS__OK);
    env = th_grant(admin, 2, aid, &f->buyer->pub, key, &len);
    assert_int_equal(submit(c, env, &len), TICSX__V1__STATUS__OK);
    assert_int_equal(th_get_status(f->cb, aid), TX_OK);
    env = member(admin, 3, f->other, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_VIEWER, &len);
    assert_int_equal(submit(c, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    env = removal(f->supplier, f->seq_s++, f->viewer, 0, &len);
    assert_int_equal(submit(c, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    tx_conn_destroy(&c);
    tx_identity_destroy(&admin);
    sodium_free(key);
}

/* The attacks on member records themselves. */
static void
test_forged_members(void **state)
{
    fx *f = *state;
    tx_identity *mallory = th_identity("Mallory");
    tx_conn *officer = th_connect(&f->hub, f->officer, TIMEOUT_MS);
    uint8_t *env;
    size_t len;

    /* Another organisation names a person for the supplier: refused, and never admitted. */
    env = th_member(f->other, f->supplier->pub.sign, f->seq_o++, mallory, mallory->pub.curve,
                    TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN, 0, 0, &len);
    assert_int_equal(submit(f->co, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    assert_refused(f, mallory);
    /* A record signed by a key that is not enrolled: refused whoever submits it. */
    env = member(mallory, 1, f->buyer, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN, &len);
    assert_int_equal(submit(f->cb, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    /* Another organisation names the supplier's officer as its own person. */
    env = member(f->other, f->seq_o++, f->officer, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN, &len);
    assert_int_equal(submit(f->co, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    /* ...or gives its person the officer's transport key, or an enrolled organisation's. */
    env = th_member(f->other, f->other->pub.sign, f->seq_o++, mallory, f->officer->pub.curve,
                    TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN, 0, 0, &len);
    assert_int_equal(submit(f->co, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    env = th_member(f->other, f->other->pub.sign, f->seq_o++, mallory, f->buyer->pub.curve,
                    TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN, 0, 0, &len);
    assert_int_equal(submit(f->co, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    /* An enrolled organisation's key is no one's person. */
    env = member(f->other, f->seq_o++, f->buyer, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN, &len);
    assert_int_equal(submit(f->co, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    /* A person signs no member record, not even as an officer. */
    env = member(f->officer, 4, mallory, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN, &len);
    assert_int_equal(submit(officer, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    /* ...nor submits the organisation's. */
    env = member(f->supplier, f->seq_s++, mallory, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN, &len);
    assert_int_equal(submit(officer, env, &len), TICSX__V1__STATUS__FORBIDDEN);
    assert_refused(f, mallory);
    /* The operator cannot enrol a person's keys as an organisation's. */
    {
        char out[2048];

        assert_int_equal(th_enroll(f->dir, f->officer, 1, out, sizeof out), 1);
        assert_non_null(strstr(out, "is a member's"));
    }
    /* The officer still works: none of the above changed it. */
    assert_int_equal(th_ping(officer), TX_OK);
    tx_conn_destroy(&officer);
    tx_identity_destroy(&mallory);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drafts, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, th_stop_leftover_hubs);
}

/* Integration: two officers for grants to new buyers at the real ticsx-hub over CURVE with
 * real LMDB. Under the organisation's setting (kind 20) a grant to a buyer the organisation never
 * granted to is stored but not served to the buyer (checked from the buyer's side: neither the
 * grant nor the assessment) until another officer, an admin or the organisation key approves it
 * (kind 21). Attacks: the granting officer approving its own grant, a viewer and a responder
 * approving, another organisation's officer and a removed officer approving, an approval naming
 * another grantee, approving twice, approving a grant withdrawn while it waited, a grant given
 * again after such a withdrawal, and a member signing the setting. */
#include "faults_util.h"
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
#define OK TICSX__V1__STATUS__OK
#define FORBIDDEN TICSX__V1__STATUS__FORBIDDEN

typedef struct {
    char *root;
    char dir[PATH_MAX];
    th_hub hub;
    tx_identity *old_buyer, *new_buyer, *third, *supplier, *other;
    tx_identity *a, *b, *admin, *viewer, *responder, *gone, *foreign;
    tx_conn *cold, *cnew, *cthird, *cs, *ca, *cb;
    uint64_t seq_s, seq_a, seq_b;
    uint8_t qid[32];
    uint8_t *key;
} fx;

static int
submit(tx_conn *c, uint8_t *env, const size_t *len)
{
    int status = th_submit_status(c, env, *len, NULL);

    free(env);
    return status;
}

static uint8_t *
sign(const tx_identity *id, int kind, const ProtobufCMessage *m, size_t *len)
{
    uint8_t *env = NULL;

    assert_int_equal(tx_envelope_sign_msg(id, kind, m, &env, len), TX_OK);
    return env;
}

static uint8_t *
settings(const tx_identity *id, const uint8_t org[32], uint64_t seq, int on, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_org_settings_pb s = TICSX__V1__ORG_SETTINGS__INIT;

    meta.seq = seq;
    s.meta = &meta;
    s.organisation = (ProtobufCBinaryData){32, (uint8_t *)org};
    s.two_officers = on;
    return sign(id, TX_KIND_ORG_SETTINGS, &s.base, len);
}

static uint8_t *
approval(const tx_identity *id, uint64_t seq, const uint8_t gid[32], const uint8_t grantee[32],
         size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_grant_approval_pb a = TICSX__V1__GRANT_APPROVAL__INIT;

    meta.seq = seq;
    a.meta = &meta;
    a.grant = (ProtobufCBinaryData){32, (uint8_t *)gid};
    a.grantee = (ProtobufCBinaryData){32, (uint8_t *)grantee};
    return sign(id, TX_KIND_GRANT_APPROVAL, &a.base, len);
}

static void
name(const tx_identity *org, tx_conn *c, uint64_t *seq, const tx_identity *person, int role)
{
    size_t len;
    uint8_t *env =
        th_member(org, org->pub.sign, (*seq)++, person, person->pub.curve, role, 0, 0, &len);

    assert_int_equal(submit(c, env, &len), OK);
}

static int
setup(void **state)
{
    fx *f;
    tx_conn *co;
    uint64_t seq_o = 2;
    size_t len;
    uint8_t *env;

    th_require_hub_bin();
    f = calloc(1, sizeof *f);
    f->root = th_tmpdir();
    snprintf(f->dir, sizeof f->dir, "%s/hub", f->root);
    th_hub_init(f->dir);
    f->old_buyer = th_identity("Old Buyer Motors KK");
    f->new_buyer = th_identity("New Buyer Motors KK");
    f->third = th_identity("Third Buyer KK");
    f->supplier = th_identity("Supplier Parts KK");
    f->other = th_identity("Other Works KK");
    f->a = th_identity("Sato Hanako");
    f->b = th_identity("Kato Ken");
    f->admin = th_identity("Mori Aki");
    f->viewer = th_identity("Suzuki Ichiro");
    f->responder = th_identity("Tanaka Jiro");
    f->gone = th_identity("Ito Goro");
    f->foreign = th_identity("Yamada Taro");
    assert_int_equal(th_enroll(f->dir, f->old_buyer, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->new_buyer, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->third, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->supplier, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->other, 1, NULL, 0), 0);
    th_hub_start(&f->hub, f->dir, NULL);
    f->cold = th_connect(&f->hub, f->old_buyer, TIMEOUT_MS);
    f->cnew = th_connect(&f->hub, f->new_buyer, TIMEOUT_MS);
    f->cthird = th_connect(&f->hub, f->third, TIMEOUT_MS);
    f->cs = th_connect(&f->hub, f->supplier, TIMEOUT_MS);
    co = th_connect(&f->hub, f->other, TIMEOUT_MS);
    f->seq_s = 2;
    name(f->supplier, f->cs, &f->seq_s, f->a, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER);
    name(f->supplier, f->cs, &f->seq_s, f->b, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER);
    name(f->supplier, f->cs, &f->seq_s, f->admin, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN);
    name(f->supplier, f->cs, &f->seq_s, f->viewer, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_VIEWER);
    name(f->supplier, f->cs, &f->seq_s, f->responder,
         TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_RESPONDER);
    name(f->supplier, f->cs, &f->seq_s, f->gone, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER);
    name(f->other, co, &seq_o, f->foreign, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER);
    env = th_questionnaire(f->old_buyer, 2, &len);
    tx_record_id(env, len, f->qid);
    assert_int_equal(submit(f->cold, env, &len), OK);
    tx_conn_destroy(&co);
    f->ca = th_connect(&f->hub, f->a, TIMEOUT_MS);
    f->cb = th_connect(&f->hub, f->b, TIMEOUT_MS);
    f->seq_a = f->seq_b = 1;
    f->key = sodium_malloc(TX_CONTENT_KEY_LEN);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fx *f = *state;
    tx_identity **ids[] = {&f->old_buyer, &f->new_buyer, &f->third, &f->supplier,
                           &f->other,     &f->a,         &f->b,     &f->admin,
                           &f->viewer,    &f->responder, &f->gone,  &f->foreign};
    tx_conn **conns[] = {&f->cold, &f->cnew, &f->cthird, &f->cs, &f->ca, &f->cb};
    int exit_status = 0;

    for (size_t i = 0; i < sizeof conns / sizeof conns[0]; i++) {
        tx_conn_destroy(conns[i]);
    }
    if (f->hub.pid > 0) {
        exit_status = th_hub_stop(&f->hub, SIGTERM);
    }
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        tx_identity_destroy(ids[i]);
    }
    sodium_free(f->key);
    th_rmtree(f->root);
    free(f->root);
    free(f);
    assert_int_equal(exit_status, 0);
    return 0;
}

/* Officer a's new assessment into aid. */
static void
assess(fx *f, uint8_t aid[32])
{
    size_t len;
    uint8_t *env = th_sealed(f->a, f->seq_a++, f->qid, f->key, &len);

    tx_record_id(env, len, aid);
    assert_int_equal(submit(f->ca, env, &len), OK);
}

/* Officer a grants aid to `to`; the grant's id into gid. Returns the status. */
static int
grant(fx *f, const uint8_t aid[32], const tx_identity *to, uint8_t gid[32])
{
    size_t len;
    uint8_t *env = th_grant(f->a, f->seq_a++, aid, &to->pub, f->key, &len);

    tx_record_id(env, len, gid);
    return submit(f->ca, env, &len);
}

/* A member's connection, approval and status, the connection closed. */
static int
approve_as(fx *f, const tx_identity *who, uint64_t seq, const uint8_t gid[32],
           const tx_identity *grantee)
{
    tx_conn *c = th_connect(&f->hub, who, TIMEOUT_MS);
    size_t len;
    uint8_t *env = approval(who, seq, gid, grantee->pub.sign, &len);
    int status = submit(c, env, &len);

    tx_conn_destroy(&c);
    return status;
}

/* A removed officer: the hub refuses its connection, so nothing it signs gets in. */
static void
refused(const fx *f, const tx_identity *id)
{
    tx_conn *c = th_connect(&f->hub, id, 1500);
    int rc = th_ping(c);

    assert_true(rc == TX_ERR_NOT_ENROLLED || rc == TX_ERR_UNREACHABLE);
    tx_conn_destroy(&c);
}

static void
two_officers(fx *f, int on)
{
    size_t len;
    uint8_t *env = settings(f->supplier, f->supplier->pub.sign, f->seq_s++, on, &len);

    assert_int_equal(submit(f->cs, env, &len), OK);
}

/* The setting is the organisation key's: a member cannot sign it, and it names its signer. */
static void
test_setting(void **state)
{
    fx *f = *state;
    size_t len;
    uint8_t *env = settings(f->a, f->supplier->pub.sign, f->seq_a++, 1, &len);

    assert_int_equal(submit(f->ca, env, &len), FORBIDDEN);
    env = settings(f->supplier, f->other->pub.sign, f->seq_s++, 1, &len);
    assert_int_equal(submit(f->cs, env, &len), FORBIDDEN);
    assert_int_equal(th_list_count(f->cnew, TX_KIND_ORG_SETTINGS), 0);
    two_officers(f, 1);
    /* Public: every buyer reads it (its verify needs it). */
    assert_int_equal(th_list_count(f->cnew, TX_KIND_ORG_SETTINGS), 1);
}

/* A grant to a new buyer waits for a second officer; nobody else may stand in for one. */
static void
test_second_officer(void **state)
{
    fx *f = *state;
    uint8_t aid[32], aid2[32], gid[32], gid2[32], old_gid[32];
    size_t len;
    uint8_t *env;
    int64_t now = (int64_t)time(NULL);

    assess(f, aid);
    /* Granted before the setting: the old buyer is no new buyer. */
    assert_int_equal(grant(f, aid, f->old_buyer, old_gid), OK);
    two_officers(f, 1);
    assess(f, aid2);
    assert_int_equal(grant(f, aid2, f->old_buyer, gid), OK);
    assert_int_equal(th_get_status(f->cold, aid2), TX_OK);

    /* The new buyer: stored, but neither the grant nor the assessment is served to it. */
    assert_int_equal(grant(f, aid2, f->new_buyer, gid), OK);
    assert_int_equal(th_get_status(f->cs, gid), TX_OK);
    assert_int_equal(th_get_status(f->cnew, gid), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->cnew, aid2), TX_ERR_NOT_FOUND);
    assert_int_equal(th_list_count(f->cnew, TX_KIND_GRANT), 0);
    assert_int_equal(th_list_count(f->cnew, TX_KIND_ASSESSMENT), 0);

    /* Nobody but a second officer approves: the granting officer, a viewer, a responder, a
     * removed officer, another organisation's officer; nor an approval naming another buyer. */
    assert_int_equal(approve_as(f, f->a, f->seq_a++, gid, f->new_buyer), FORBIDDEN);
    assert_int_equal(approve_as(f, f->viewer, 1, gid, f->new_buyer), FORBIDDEN);
    assert_int_equal(approve_as(f, f->responder, 1, gid, f->new_buyer), FORBIDDEN);
    env = th_member_removal(f->supplier, f->seq_s++, f->gone->pub.sign, now - 60, &len);
    assert_int_equal(submit(f->cs, env, &len), OK);
    refused(f, f->gone); /* its approval cannot even be submitted */
    assert_int_equal(approve_as(f, f->foreign, 1, gid, f->new_buyer),
                     TICSX__V1__STATUS__MISSING_REFERENCE);
    assert_int_equal(approve_as(f, f->other, 9, gid, f->new_buyer),
                     TICSX__V1__STATUS__MISSING_REFERENCE);
    assert_int_equal(approve_as(f, f->b, f->seq_b++, gid, f->third),
                     TICSX__V1__STATUS__BAD_REQUEST);
    assert_int_equal(th_get_status(f->cnew, gid), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->cnew, aid2), TX_ERR_NOT_FOUND);

    /* A second officer approves: the buyer now reads the grant, the approval and the
     * assessment. */
    env = approval(f->b, f->seq_b++, gid, f->new_buyer->pub.sign, &len);
    assert_int_equal(submit(f->cb, env, &len), OK);
    assert_int_equal(th_get_status(f->cnew, gid), TX_OK);
    assert_int_equal(th_get_status(f->cnew, aid2), TX_OK);
    assert_int_equal(th_list_count(f->cnew, TX_KIND_GRANT_APPROVAL), 1);
    /* Approved once: not again. */
    assert_int_equal(approve_as(f, f->admin, 1, gid, f->new_buyer), FORBIDDEN);

    /* No longer a new buyer: one officer's grant is served at once. */
    assess(f, aid);
    assert_int_equal(grant(f, aid, f->new_buyer, gid2), OK);
    assert_int_equal(th_get_status(f->cnew, aid), TX_OK);
}

/* A grant withdrawn while it waited is never approved, and does not make its buyer known; the
 * organisation key and an admin count as second officers; with the setting off none waits. */
static void
test_withdrawn_and_org_key(void **state)
{
    fx *f = *state;
    uint8_t aid[32], gid[32], gid2[32];
    size_t len;
    uint8_t *env;

    two_officers(f, 1);
    assess(f, aid);
    assert_int_equal(grant(f, aid, f->third, gid), OK);
    env = th_revoke(f->a, f->seq_a++, gid, aid, f->third->pub.sign, &len);
    assert_int_equal(submit(f->ca, env, &len), OK);
    assert_int_equal(approve_as(f, f->b, f->seq_b++, gid, f->third), FORBIDDEN);
    assert_int_equal(th_get_status(f->cthird, gid), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->cthird, aid), TX_ERR_NOT_FOUND);

    /* Given again after the withdrawal: still a new buyer, still waiting. */
    assert_int_equal(grant(f, aid, f->third, gid2), OK);
    assert_int_equal(th_get_status(f->cthird, aid), TX_ERR_NOT_FOUND);
    /* The organisation key approves like an officer. */
    env = approval(f->supplier, f->seq_s++, gid2, f->third->pub.sign, &len);
    assert_int_equal(submit(f->cs, env, &len), OK);
    assert_int_equal(th_get_status(f->cthird, aid), TX_OK);

    /* An admin approves too; and the organisation key's own grant needs a second as well. */
    env = th_grant(f->supplier, f->seq_s++, aid, &f->new_buyer->pub, f->key, &len);
    tx_record_id(env, len, gid);
    assert_int_equal(submit(f->cs, env, &len), OK);
    assert_int_equal(th_get_status(f->cnew, aid), TX_ERR_NOT_FOUND);
    assert_int_equal(approve_as(f, f->supplier, f->seq_s++, gid, f->new_buyer), FORBIDDEN);
    assert_int_equal(approve_as(f, f->admin, 1, gid, f->new_buyer), OK);
    assert_int_equal(th_get_status(f->cnew, aid), TX_OK);

    /* The setting off: a new buyer is served at once. */
    two_officers(f, 0);
    assert_int_equal(grant(f, aid, f->old_buyer, gid), OK);
    assert_int_equal(th_get_status(f->cold, aid), TX_OK);

    /* Waiting, approved and withdrawn grants leave the store whole and consistent. */
    {
        tx_store_report rep;

        assert_int_equal(th_hub_stop(&f->hub, SIGTERM), 0);
        f->hub.pid = 0;
        assert_int_equal(fu_check_store(f->dir, &rep), TX_OK);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_setting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_officer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_withdrawn_and_org_key, setup, teardown),
    };

    return cmocka_run_group_tests(tests, th_stop_leftover_hubs, NULL);
}

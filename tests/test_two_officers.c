/* Unit tests of client/verify/tx_two_officers: the rule a buyer's verify applies to a grant of an
 * organisation that asks for two officers for grants to new buyers, from really signed and
 * opened records ordered by their log index. The approvals a verifier must not believe: by the
 * officer who granted, a viewer, another organisation's officer, a removed officer, one stored
 * before the grant, one naming another grantee. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_kinds.h"
#include "tx_two_officers.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T0 1780000000 /* when the approvals are signed */

static tx_identity *org, *other, *buyer, *a, *b, *viewer, *gone, *foreign;
static tx_recs people, settings, approvals, grants;
static uint8_t key[32], aid[32];

static tx_rec *
push(tx_recs *recs, uint8_t *env, size_t len, int kind, uint64_t index)
{
    tx_rec rec = {0};

    assert_int_equal(tx_rec_open(&rec, env, len, kind), TX_OK);
    rec.index = index;
    assert_int_equal(tx_recs_push(recs, &rec), TX_OK);
    return &recs->v[recs->n - 1];
}

static uint8_t *
sign(const tx_identity *id, int kind, const ProtobufCMessage *m, size_t *len)
{
    uint8_t *env = NULL;

    assert_int_equal(tx_envelope_sign_msg(id, kind, m, &env, len), TX_OK);
    return env;
}

static void
member(const tx_identity *by, const tx_identity *person, uint64_t seq, int role)
{
    size_t len;
    uint8_t *env = th_member(by, by->pub.sign, seq, person, person->pub.curve, role, 0, 0, &len);

    push(&people, env, len, TX_KIND_MEMBER, 0);
}

static void
setting(uint64_t seq, int on, uint64_t index)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_org_settings_pb s = TICSX__V1__ORG_SETTINGS__INIT;
    size_t len;
    uint8_t *env;

    meta.seq = seq;
    s.meta = &meta;
    s.organisation = (ProtobufCBinaryData){32, (uint8_t *)org->pub.sign};
    s.two_officers = on;
    env = sign(org, TX_KIND_ORG_SETTINGS, &s.base, &len);
    push(&settings, env, len, TX_KIND_ORG_SETTINGS, index);
}

static const tx_rec *
grant(const tx_identity *by, uint64_t seq, const tx_identity *to, uint64_t index)
{
    size_t len;
    uint8_t *env = th_grant(by, seq, aid, &to->pub, key, &len);

    return push(&grants, env, len, TX_KIND_GRANT, index);
}

static const tx_rec *
approve(const tx_identity *by, uint64_t seq, const tx_rec *g, const uint8_t *grantee,
        uint64_t index)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_grant_approval_pb x = TICSX__V1__GRANT_APPROVAL__INIT;
    size_t len;
    uint8_t *env;

    meta.seq = seq;
    meta.created = T0;
    x.meta = &meta;
    x.grant = (ProtobufCBinaryData){32, (uint8_t *)g->id};
    x.grantee = (ProtobufCBinaryData){32, (uint8_t *)grantee};
    env = sign(by, TX_KIND_GRANT_APPROVAL, &x.base, &len);
    return push(&approvals, env, len, TX_KIND_GRANT_APPROVAL, index);
}

static int
state(const tx_rec *g, const tx_rec **approval)
{
    tx_two_records r = {&settings, &approvals, &grants, &people};

    return tx_two_officers_state(&r, g, org->pub.sign, approval);
}

static int
setup(void **st)
{
    size_t len;
    uint8_t *env;

    (void)st;
    assert_int_equal(tx_identity_generate("Supplier Parts KK", &org), TX_OK);
    assert_int_equal(tx_identity_generate("Other Works KK", &other), TX_OK);
    assert_int_equal(tx_identity_generate("Buyer Motors KK", &buyer), TX_OK);
    assert_int_equal(tx_identity_generate("Sato Hanako", &a), TX_OK);
    assert_int_equal(tx_identity_generate("Kato Ken", &b), TX_OK);
    assert_int_equal(tx_identity_generate("Suzuki Ichiro", &viewer), TX_OK);
    assert_int_equal(tx_identity_generate("Ito Goro", &gone), TX_OK);
    assert_int_equal(tx_identity_generate("Yamada Taro", &foreign), TX_OK);
    memset(key, 0x42, sizeof key);
    memset(aid, 0x17, sizeof aid);
    member(org, a, 2, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER);
    member(org, b, 3, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER);
    member(org, viewer, 4, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_VIEWER);
    member(org, gone, 5, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER);
    member(other, foreign, 2, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER);
    env = th_member_removal(org, 6, gone->pub.sign, T0 - 60, &len);
    push(&people, env, len, TX_KIND_MEMBER_REMOVE, 0);
    return 0;
}

static int
teardown(void **st)
{
    tx_identity **ids[] = {&org, &other, &buyer, &a, &b, &viewer, &gone, &foreign};

    (void)st;
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        tx_identity_destroy(ids[i]);
    }
    tx_recs_clear(&people);
    return 0;
}

static int
clear(void **st)
{
    (void)st;
    tx_recs_clear(&settings);
    tx_recs_clear(&approvals);
    tx_recs_clear(&grants);
    return 0;
}

/* No setting, a setting stored after the grant, or a grant to the organisation itself: one
 * officer is enough. */
static void
test_not_needed(void **st)
{
    const tx_rec *g;

    (void)st;
    g = grant(a, 1, buyer, 10);
    assert_int_equal(state(g, NULL), TX_TWO_NOT_NEEDED);
    setting(7, 1, 11);
    assert_int_equal(state(g, NULL), TX_TWO_NOT_NEEDED);
    assert_int_equal(state(grant(a, 2, org, 12), NULL), TX_TWO_NOT_NEEDED);
    setting(8, 0, 13);
    assert_int_equal(state(grant(a, 3, buyer, 14), NULL), TX_TWO_NOT_NEEDED);
}

/* Under the setting a grant to a new buyer waits; no forged approval makes it count. */
static void
test_forged_approvals(void **st)
{
    const tx_rec *g, *got = NULL;

    (void)st;
    setting(7, 1, 5);
    g = grant(a, 1, buyer, 10);
    assert_int_equal(state(g, NULL), TX_TWO_WAITING);
    approve(a, 2, g, buyer->pub.sign, 11);       /* the officer who granted */
    approve(viewer, 1, g, buyer->pub.sign, 12);  /* a viewer */
    approve(foreign, 1, g, buyer->pub.sign, 13); /* another organisation's officer */
    approve(other, 1, g, buyer->pub.sign, 14);   /* another organisation's key */
    approve(gone, 1, g, buyer->pub.sign, 15);    /* removed before it signed */
    approve(b, 1, g, other->pub.sign, 16);       /* naming another grantee */
    approve(b, 2, g, buyer->pub.sign, 9);        /* stored before the grant */
    assert_int_equal(state(g, &got), TX_TWO_WAITING);
    assert_null(got);
    /* A second officer's approval counts. */
    const tx_rec *ok = approve(b, 3, g, buyer->pub.sign, 20);
    assert_int_equal(state(g, &got), TX_TWO_APPROVED);
    assert_ptr_equal(got, ok);
}

/* The organisation key counts as an officer; its own grant needs a second signature too. */
static void
test_organisation_key(void **st)
{
    const tx_rec *g, *h;

    (void)st;
    setting(7, 1, 5);
    g = grant(a, 1, buyer, 10);
    approve(org, 9, g, buyer->pub.sign, 11);
    assert_int_equal(state(g, NULL), TX_TWO_APPROVED);
    h = grant(org, 10, other, 12);
    approve(org, 11, h, other->pub.sign, 13);
    assert_int_equal(state(h, NULL), TX_TWO_WAITING);
    approve(b, 1, h, other->pub.sign, 14);
    assert_int_equal(state(h, NULL), TX_TWO_APPROVED);
}

/* A buyer is known once a grant reached it: from the grant's index when it needed no second
 * officer, from its approval's when it did; a grant never approved makes no buyer known. */
static void
test_known_buyers(void **st)
{
    const tx_rec *g1, *g2, *g3;

    (void)st;
    g1 = grant(a, 1, buyer, 10); /* before the setting: served at once */
    setting(7, 1, 11);
    g2 = grant(a, 2, buyer, 12);
    assert_int_equal(state(g2, NULL), TX_TWO_NOT_NEEDED);
    (void)g1;

    g1 = grant(a, 3, other, 20); /* new: waits */
    g2 = grant(a, 4, other, 21); /* still new: the first was not served */
    assert_int_equal(state(g2, NULL), TX_TWO_WAITING);
    approve(b, 1, g1, other->pub.sign, 22);
    assert_int_equal(state(g1, NULL), TX_TWO_APPROVED);
    assert_int_equal(state(g2, NULL), TX_TWO_WAITING); /* granted before the approval */
    g3 = grant(a, 5, other, 23);
    assert_int_equal(state(g3, NULL), TX_TWO_NOT_NEEDED);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_not_needed, clear),
        cmocka_unit_test_teardown(test_forged_approvals, clear),
        cmocka_unit_test_teardown(test_organisation_key, clear),
        cmocka_unit_test_teardown(test_known_buyers, clear),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

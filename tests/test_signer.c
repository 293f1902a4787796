/* Unit tests of client/verify/tx_signer: a signing key resolved through member records to its
 * organisation, member name and role at a date; replaced and removed records; and the forged
 * records a verifier must not believe (signed by another organisation than the one named, one
 * person claimed by two organisations). Records are really signed and opened. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_key_chain.h"
#include "tx_kinds.h"
#include "tx_orgs.h"
#include "tx_signer.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tx_identity *org, *other, *person;

static int
setup(void **state)
{
    (void)state;
    assert_int_equal(tx_identity_generate("Supplier Parts KK", &org), TX_OK);
    assert_int_equal(tx_identity_generate("Other Works KK", &other), TX_OK);
    assert_int_equal(tx_identity_generate("Sato Hanako", &person), TX_OK);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    tx_identity_destroy(&org);
    tx_identity_destroy(&other);
    tx_identity_destroy(&person);
    return 0;
}

/* Opens env (signed as kind) into recs and frees it. */
static void
push(tx_recs *recs, uint8_t *env, size_t len, int kind)
{
    tx_rec rec = {0};

    assert_int_equal(tx_rec_open(&rec, env, len, kind), TX_OK);
    assert_int_equal(tx_recs_push(recs, &rec), TX_OK);
}

/* A member record of person by `by`, naming `named` as the organisation. */
static void
member(tx_recs *recs, const tx_identity *by, const tx_identity *named, uint64_t seq, int role,
       int64_t from, int64_t until)
{
    size_t len;
    uint8_t *env =
        th_member(by, named->pub.sign, seq, person, person->pub.curve, role, from, until, &len);

    push(recs, env, len, TX_KIND_MEMBER);
}

static void
removal(tx_recs *recs, const tx_identity *by, uint64_t seq, int64_t effective)
{
    size_t len;
    uint8_t *env = th_member_removal(by, seq, person->pub.sign, effective, &len);

    push(recs, env, len, TX_KIND_MEMBER_REMOVE);
}

static void
test_resolve_and_replace(void **state)
{
    tx_recs recs = {0};
    tx_signer_info si;

    (void)state;
    assert_int_equal(tx_signer_resolve(&recs, person->pub.sign, 100, &si), TX_ERR_NOT_FOUND);
    member(&recs, org, org, 3, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER, 100, 200);
    member(&recs, org, org, 2, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_VIEWER, 0, 0);
    assert_int_equal(tx_signer_resolve(&recs, person->pub.sign, 150, &si), TX_OK);
    /* The newer record (seq 3) holds, whatever the order the records came in. */
    assert_memory_equal(si.org, org->pub.sign, 32);
    assert_string_equal(si.name, "Sato Hanako");
    assert_int_equal(si.seq, 3);
    assert_int_equal(si.role, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER);
    assert_string_equal(tx_signer_role_name(si.role), "officer");
    assert_true(si.acts);
    assert_int_equal(tx_signer_resolve(&recs, person->pub.sign, 99, &si), TX_OK);
    assert_false(si.acts);
    assert_int_equal(tx_signer_resolve(&recs, person->pub.sign, 200, &si), TX_OK);
    assert_false(si.acts);
    /* The organisation's own key is no person. */
    assert_int_equal(tx_signer_resolve(&recs, org->pub.sign, 150, &si), TX_ERR_NOT_FOUND);
    tx_recs_clear(&recs);
}

static void
test_removal(void **state)
{
    tx_recs recs = {0};
    tx_signer_info si;

    (void)state;
    /* A removal older than the record does not end it (the person was named again). */
    removal(&recs, org, 2, 50);
    member(&recs, org, org, 3, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_RESPONDER, 0, 0);
    assert_int_equal(tx_signer_resolve(&recs, person->pub.sign, 100, &si), TX_OK);
    assert_true(si.acts);
    /* A later one ends it from its date; another organisation's removal does nothing. */
    removal(&recs, other, 9, 10);
    removal(&recs, org, 4, 120);
    assert_int_equal(tx_signer_resolve(&recs, person->pub.sign, 119, &si), TX_OK);
    assert_true(si.acts);
    assert_int_equal(si.removed, 120);
    assert_int_equal(tx_signer_resolve(&recs, person->pub.sign, 120, &si), TX_OK);
    assert_false(si.acts);
    tx_recs_clear(&recs);
}

/* Attacks: a record signed by another organisation than the one it names is ignored; one person
 * claimed by two organisations resolves to neither. */
static void
test_forged(void **state)
{
    tx_recs recs = {0};
    tx_signer_info si;

    (void)state;
    member(&recs, other, org, 5, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN, 0, 0);
    assert_int_equal(tx_signer_resolve(&recs, person->pub.sign, 100, &si), TX_ERR_NOT_FOUND);
    member(&recs, org, org, 2, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER, 0, 0);
    assert_int_equal(tx_signer_resolve(&recs, person->pub.sign, 100, &si), TX_OK);
    assert_memory_equal(si.org, org->pub.sign, 32);
    member(&recs, other, other, 6, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN, 0, 0);
    assert_int_equal(tx_signer_resolve(&recs, person->pub.sign, 100, &si), TX_ERR_EXISTS);
    assert_false(si.acts);
    tx_recs_clear(&recs);
}

/* A key successor of `pred` by `by` for organisation `o`, proven by `prover`, into recs. */
static void
successor(tx_recs *recs, const tx_identity *by, const tx_identity *o, const tx_identity *pred,
          const tx_identity *succ, const tx_identity *prover, int64_t effective)
{
    size_t len;
    uint8_t *env =
        th_key_successor(by, o->pub.sign, pred->pub.sign, 7, succ, prover, effective, &len);

    push(recs, env, len, TX_KIND_KEY_SUCCESSOR);
}

/* The organisation's key replaced twice: each key acts for the organisation from its date until
 * its successor's; member records signed by a successor count; a successor signed by another
 * key than the one it replaces, or without the successor's proof, is nobody's. */
static void
test_successors(void **state)
{
    tx_identity *k2, *k3;
    tx_recs recs = {0};
    tx_signer_info si;

    (void)state;
    assert_int_equal(tx_identity_generate("Supplier Parts KK 2026", &k2), TX_OK);
    assert_int_equal(tx_identity_generate("Supplier Parts KK 2027", &k3), TX_OK);
    /* Forged: by another organisation, by the successor itself, or proven by another key. */
    successor(&recs, other, org, org, k2, k2, 100);
    successor(&recs, k2, org, org, k2, k2, 100);
    successor(&recs, org, org, org, k2, other, 100);
    assert_int_equal(tx_signer_resolve(&recs, k2->pub.sign, 150, &si), TX_ERR_NOT_FOUND);
    assert_int_equal(tx_signer_resolve(&recs, org->pub.sign, 150, &si), TX_ERR_NOT_FOUND);
    /* A member record k2 signs is nobody's before k2 is the organisation's. */
    member(&recs, k2, org, 9, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER, 0, 0);
    assert_int_equal(tx_signer_resolve(&recs, person->pub.sign, 150, &si), TX_ERR_NOT_FOUND);

    successor(&recs, org, org, org, k2, k2, 100);
    successor(&recs, k2, org, k2, k3, k3, 200);
    /* The enrolled key acts until 100, k2 from 100 to 200, k3 from 200, all as org. */
    assert_int_equal(tx_signer_resolve(&recs, org->pub.sign, 99, &si), TX_OK);
    assert_true(si.is_key && si.acts);
    assert_memory_equal(si.org, org->pub.sign, 32);
    assert_int_equal(si.removed, 100);
    /* The second of the rotation is both keys'. */
    assert_int_equal(tx_signer_resolve(&recs, org->pub.sign, 100, &si), TX_OK);
    assert_true(si.acts);
    assert_int_equal(tx_signer_resolve(&recs, org->pub.sign, 101, &si), TX_OK);
    assert_false(si.acts);
    assert_int_equal(tx_signer_resolve(&recs, k2->pub.sign, 99, &si), TX_OK);
    assert_false(si.acts);
    assert_int_equal(tx_signer_resolve(&recs, k2->pub.sign, 150, &si), TX_OK);
    assert_true(si.is_key && si.acts);
    assert_memory_equal(si.org, org->pub.sign, 32);
    assert_memory_equal(si.seal, k2->pub.seal, 32);
    assert_int_equal(si.role, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN);
    assert_int_equal(tx_signer_resolve(&recs, k2->pub.sign, 201, &si), TX_OK);
    assert_false(si.acts);
    assert_int_equal(tx_signer_resolve(&recs, k3->pub.sign, 250, &si), TX_OK);
    assert_true(si.is_key && si.acts);
    assert_memory_equal(si.org, org->pub.sign, 32);
    assert_int_equal(si.removed, INT64_MAX);
    /* The member record k2 signed is now the organisation's. */
    assert_int_equal(tx_signer_resolve(&recs, person->pub.sign, 150, &si), TX_OK);
    assert_false(si.is_key);
    assert_memory_equal(si.org, org->pub.sign, 32);
    assert_true(si.acts);
    tx_recs_clear(&recs);
    tx_identity_destroy(&k2);
    tx_identity_destroy(&k3);
}

/* A key revocation of `key` for organisation `o` signed by `by`, into recs. */
static void
revocation(tx_recs *recs, const tx_identity *by, const tx_identity *o, const uint8_t *key,
           int64_t from, uint64_t from_index, const char *reason)
{
    size_t len;
    uint8_t *env = th_key_revocation(by, o->pub.sign, 8, key, from, from_index, reason, &len);

    push(recs, env, len, TX_KIND_KEY_REVOCATION);
}

/* A member's key reported lost: what it signed from the date, or what entered the log from the
 * index whatever date it carries (the thief's back-dating), is compromised; a revocation by
 * another organisation, or of another key, changes nothing. */
static void
test_revocations(void **state)
{
    tx_recs recs = {0};
    tx_signer_info si;

    (void)state;
    member(&recs, org, org, 3, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER, 0, 0);
    revocation(&recs, other, org, person->pub.sign, 100, 1, "forged");
    revocation(&recs, org, org, other->pub.sign, 100, 1, "another key");
    assert_int_equal(tx_signer_resolve(&recs, person->pub.sign, 50, &si), TX_OK);
    assert_false(tx_signer_compromised(&si, 600, 99));
    revocation(&recs, org, org, person->pub.sign, 500, 40, "laptop stolen");
    assert_int_equal(tx_signer_resolve(&recs, person->pub.sign, 50, &si), TX_OK);
    assert_true(si.acts);
    assert_int_equal(si.revoked_from, 500);
    assert_int_equal(si.revoked_index, 40);
    assert_string_equal(si.revoked_reason, "laptop stolen");
    assert_false(tx_signer_compromised(&si, 400, 39));
    assert_false(tx_signer_compromised(&si, 400, 0));
    /* Back-dated to 400 but logged at 41: caught by its index. */
    assert_true(tx_signer_compromised(&si, 400, 41));
    assert_true(tx_signer_compromised(&si, 500, 0));
    tx_recs_clear(&recs);
}

/* The member record the re-enrolled key k2 signed counts for a user who accepted k2, and for
 * nobody else: not before the acceptance, not for a user who accepted another key. */
static void
accepted_members(tx_recs *recs, const tx_identity *k2)
{
    char *root = th_tmpdir(), dir[PATH_MAX];
    tx_home *home = NULL;
    tx_signer_info si;

    snprintf(dir, sizeof dir, "%s/home", root);
    th_party(NULL, dir, "Buyer Motors KK", NULL);
    assert_int_equal(tx_home_open(dir, &home), TX_OK);
    assert_int_equal(tx_signer_resolve_for(recs, person->pub.sign, 350, home, &si),
                     TX_ERR_NOT_FOUND);
    assert_int_equal(tx_key_accept(home, other->pub.sign), TX_OK);
    assert_int_equal(tx_signer_resolve_for(recs, person->pub.sign, 350, home, &si),
                     TX_ERR_NOT_FOUND);
    assert_int_equal(tx_key_accept(home, k2->pub.sign), TX_OK);
    assert_int_equal(tx_signer_resolve_for(recs, person->pub.sign, 350, home, &si), TX_OK);
    assert_memory_equal(si.org, org->pub.sign, 32);
    assert_true(si.acts && !si.is_key);
    assert_int_equal(si.role, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER);
    /* Without the home (every other caller): still nothing. */
    assert_int_equal(tx_signer_resolve(recs, person->pub.sign, 350, &si), TX_ERR_NOT_FOUND);
    tx_home_destroy(&home);
    th_rmtree(root);
    free(root);
}

/* A re-enrolment (kind 19) makes the new key the organisation's, marked `reenrolled` (verify
 * asks the user to accept it), ends the lost key and flags it from compromised_from; a member
 * record the new key signs does not count (it would bypass the acceptance). */
static void
test_reenrolment(void **state)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_key_reenrolment_pb e = TICSX__V1__KEY_REENROLMENT__INIT;
    tx_identity *k2;
    tx_recs recs = {0};
    tx_signer_info si;
    uint8_t *env = NULL;
    size_t len;

    (void)state;
    assert_int_equal(tx_identity_generate("Supplier Parts KK new", &k2), TX_OK);
    meta.seq = 1;
    e.meta = &meta;
    e.organisation = e.replaces = (ProtobufCBinaryData){32, org->pub.sign};
    e.signing_key = (ProtobufCBinaryData){32, k2->pub.sign};
    e.seal_key = (ProtobufCBinaryData){32, k2->pub.seal};
    e.transport_key = (ProtobufCBinaryData){32, k2->pub.curve};
    e.effective = 300;
    e.compromised_from = 200;
    e.corporate_number = "3700000000001";
    e.profile = (ProtobufCBinaryData){32, k2->pub.sign};
    assert_int_equal(tx_envelope_sign_msg(other, TX_KIND_KEY_REENROLMENT, &e.base, &env, &len),
                     TX_OK);
    push(&recs, env, len, TX_KIND_KEY_REENROLMENT);
    member(&recs, k2, org, 4, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER, 0, 0);

    assert_int_equal(tx_signer_resolve(&recs, k2->pub.sign, 350, &si), TX_OK);
    assert_true(si.is_key && si.reenrolled && si.acts);
    assert_memory_equal(si.org, org->pub.sign, 32);
    assert_int_equal(tx_signer_resolve(&recs, org->pub.sign, 100, &si), TX_OK);
    assert_true(si.acts);
    assert_false(tx_signer_compromised(&si, 100, 0));
    assert_true(tx_signer_compromised(&si, 250, 0));
    assert_int_equal(tx_signer_resolve(&recs, org->pub.sign, 301, &si), TX_OK);
    assert_false(si.acts);
    assert_int_equal(tx_signer_resolve(&recs, person->pub.sign, 350, &si), TX_ERR_NOT_FOUND);
    accepted_members(&recs, k2);
    tx_recs_clear(&recs);
    tx_identity_destroy(&k2);
}

/* The directory seals to the seal key of the successor in force, and names the organisation by
 * its enrolled key; a forged successor changes nothing. */
static void
test_orgs_follow(void **state)
{
    tx_identity *k2;
    tx_recs profiles = {0}, recs = {0};
    tx_orgs orgs = {0};
    size_t len;
    uint8_t *env = th_profile(org, 1, &len);
    const tx_org *o;

    (void)state;
    assert_int_equal(tx_identity_generate("Supplier Parts KK 2026", &k2), TX_OK);
    push(&profiles, env, len, TX_KIND_PROFILE);
    assert_int_equal(tx_orgs_add(&orgs, &profiles), TX_OK);
    successor(&recs, org, org, org, k2, other, 100);
    tx_orgs_follow(&orgs, &recs, 150, NULL);
    assert_non_null(o = tx_orgs_by_key(&orgs, org->pub.sign));
    assert_memory_equal(o->seal, org->pub.seal, 32);
    successor(&recs, org, org, org, k2, k2, 100);
    tx_orgs_follow(&orgs, &recs, 99, NULL);
    assert_memory_equal(o->seal, org->pub.seal, 32);
    tx_orgs_follow(&orgs, &recs, 150, NULL);
    assert_memory_equal(o->seal, k2->pub.seal, 32);
    assert_memory_equal(o->key, org->pub.sign, 32);
    tx_orgs_free(&orgs);
    tx_recs_clear(&profiles);
    tx_recs_clear(&recs);
    tx_identity_destroy(&k2);
}

static void
test_role_words(void **state)
{
    (void)state;
    assert_int_equal(tx_signer_role_parse("viewer"), TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_VIEWER);
    assert_int_equal(tx_signer_role_parse("admin"), TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN);
    assert_int_equal(tx_signer_role_parse("root"), 0);
    assert_int_equal(tx_signer_role_parse(""), 0);
    assert_string_equal(tx_signer_role_name(0), "?");
    assert_string_equal(tx_signer_role_name(99), "?");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_and_replace),
        cmocka_unit_test(test_removal),
        cmocka_unit_test(test_forged),
        cmocka_unit_test(test_role_words),
        cmocka_unit_test(test_successors),
        cmocka_unit_test(test_orgs_follow),
        cmocka_unit_test(test_revocations),
        cmocka_unit_test(test_reenrolment),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

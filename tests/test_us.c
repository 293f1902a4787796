/* Unit tests of client/verify/tx_us: the keys that count as an organisation at a date. Its own
 * key; an officer or admin while its member record is valid and not removed; never a viewer or
 * a responder, a person after its removal, or a person named by a record another organisation
 * signed. Records are really signed and opened. */
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
#include "tx_msg.h"
#include "tx_us.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    VIEWER = TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_VIEWER,
    OFFICER = TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER,
};

/* A member record naming `person` for `named`, signed by `by`, kept by us if it is ours. */
static void
add_member(tx_us *us, const tx_identity *by, const tx_identity *named, const tx_identity *person,
           uint64_t seq, int role, int64_t from)
{
    tx_rec rec = {0};
    size_t len;
    uint8_t *env =
        th_member(by, named->pub.sign, seq, person, person->pub.curve, role, from, 0, &len);

    assert_int_equal(tx_rec_open(&rec, env, len, TX_KIND_MEMBER), TX_OK);
    assert_int_equal(tx_us_add(us, &rec), TX_OK);
}

static void
test_us_signs(void **state)
{
    tx_identity *org, *other, *officer, *viewer, *forged;
    tx_rec rec = {0};
    tx_us us = {0};
    uint8_t *env;
    size_t len;

    (void)state;
    assert_int_equal(tx_identity_generate("Supplier Parts KK", &org), TX_OK);
    assert_int_equal(tx_identity_generate("Other Works KK", &other), TX_OK);
    assert_int_equal(tx_identity_generate("Sato Hanako", &officer), TX_OK);
    assert_int_equal(tx_identity_generate("Ito Ken", &viewer), TX_OK);
    assert_int_equal(tx_identity_generate("Eve", &forged), TX_OK);
    memcpy(us.org, org->pub.sign, TX_KEY_LEN);
    add_member(&us, org, org, officer, 1, OFFICER, 100);
    add_member(&us, org, org, viewer, 2, VIEWER, 100);
    /* Another organisation names a person as ours: kept with the records naming us (whether
     * its signer is a key of ours is tx_signer's to judge), and counts for nothing. */
    add_member(&us, other, org, forged, 1, OFFICER, 100);
    assert_int_equal(us.people.n, 3);
    env = th_member_removal(org, 3, officer->pub.sign, 200, &len);
    assert_int_equal(tx_rec_open(&rec, env, len, TX_KIND_MEMBER_REMOVE), TX_OK);
    assert_int_equal(tx_us_add(&us, &rec), TX_OK);

    assert_true(tx_us_signs(&us, org->pub.sign, 0));
    assert_true(tx_us_signs(&us, officer->pub.sign, 150));
    assert_false(tx_us_signs(&us, officer->pub.sign, 99));  /* before its record */
    assert_false(tx_us_signs(&us, officer->pub.sign, 200)); /* removed */
    assert_false(tx_us_signs(&us, viewer->pub.sign, 150));  /* signs nothing for it */
    assert_false(tx_us_signs(&us, forged->pub.sign, 150));
    assert_false(tx_us_signs(&us, other->pub.sign, 150));
    assert_true(tx_us_may_sign(&us, officer->pub.sign));
    assert_false(tx_us_may_sign(&us, forged->pub.sign));
    assert_false(tx_us_may_sign(&us, other->pub.sign));
    tx_us_free(&us);
    tx_identity_destroy(&org);
    tx_identity_destroy(&other);
    tx_identity_destroy(&officer);
    tx_identity_destroy(&viewer);
    tx_identity_destroy(&forged);
}

/* A re-enrolment by the hub (stand-in key `hub`) of org: new key k2 names an officer. Neither
 * the key nor the officer counts as us until this home accepts k2; then both do. */
static void
test_us_reenrolled(void **state)
{
    tx_identity *org = th_identity("Supplier Parts KK"), *hub = th_identity("hub"),
                *k2 = th_identity("Supplier Parts KK new"), *officer = th_identity("Kato Ichiro");
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_key_reenrolment_pb e = TICSX__V1__KEY_REENROLMENT__INIT;
    char *root = th_tmpdir(), dir[PATH_MAX];
    tx_rec rec = {0};
    tx_us us = {0};
    uint8_t *env = NULL;
    size_t len;

    (void)state;
    snprintf(dir, sizeof dir, "%s/home", root);
    th_party(NULL, dir, "Supplier Parts KK", NULL);
    meta.seq = 1;
    e.meta = &meta;
    e.organisation = e.replaces = (ProtobufCBinaryData){32, org->pub.sign};
    e.signing_key = (ProtobufCBinaryData){32, k2->pub.sign};
    e.seal_key = (ProtobufCBinaryData){32, k2->pub.seal};
    e.transport_key = (ProtobufCBinaryData){32, k2->pub.curve};
    e.effective = 100;
    e.corporate_number = "3700000000001";
    e.profile = (ProtobufCBinaryData){32, k2->pub.sign};
    assert_int_equal(tx_envelope_sign_msg(hub, TX_KIND_KEY_REENROLMENT, &e.base, &env, &len),
                     TX_OK);
    assert_int_equal(tx_rec_open(&rec, env, len, TX_KIND_KEY_REENROLMENT), TX_OK); /* owns env */
    memcpy(us.org, org->pub.sign, TX_KEY_LEN);
    assert_int_equal(tx_us_add(&us, &rec), TX_OK);
    add_member(&us, k2, org, officer, 1, OFFICER, 100);
    assert_false(tx_us_signs(&us, k2->pub.sign, 150)); /* no home: nothing accepted */
    assert_int_equal(tx_home_open(dir, &us.home), TX_OK);
    assert_false(tx_us_signs(&us, k2->pub.sign, 150));
    assert_false(tx_us_signs(&us, officer->pub.sign, 150));
    assert_false(tx_us_may_sign(&us, officer->pub.sign));
    assert_int_equal(tx_key_accept(us.home, k2->pub.sign), TX_OK);
    assert_true(tx_us_signs(&us, k2->pub.sign, 150));
    assert_true(tx_us_signs(&us, officer->pub.sign, 150));
    assert_true(tx_us_may_sign(&us, officer->pub.sign));
    tx_home_destroy(&us.home);
    tx_us_free(&us);
    th_rmtree(root);
    free(root);
    tx_identity_destroy(&org);
    tx_identity_destroy(&hub);
    tx_identity_destroy(&k2);
    tx_identity_destroy(&officer);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_us_signs),
        cmocka_unit_test(test_us_reenrolled),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

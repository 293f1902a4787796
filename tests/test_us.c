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
#include "tx_error.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_us.h"

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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_us_signs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

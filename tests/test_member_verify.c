/* Verification of records signed by an organisation's people, as a buyer sees them from its
 * cache: a grant and assessment signed by an officer count as the organisation's; the same
 * signed by a viewer, by a person removed before it signed, or by a person two organisations
 * claim fail. The records are put in the cache with proof markers, as a hub that stored them
 * anyway (the hub refuses such submissions: this is the attack by a hub). */
#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_home.h"
#include "tx_seal.h"
#include "tx_verify.h"

#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

typedef struct {
    char *root;
    tx_home *home;
    tx_identity *buyer, *org, *other, *person;
    uint64_t index;
    uint8_t aid[TX_ID_LEN], gid[TX_ID_LEN];
} fx;

/* Stores env in the buyer's cache, proven at the next log index. Frees env. */
static void
cache(fx *f, uint8_t *env, size_t len)
{
    uint8_t id[TX_ID_LEN];

    assert_int_equal(tx_home_cache_put(f->home, env, len, id), TX_OK);
    f->index++;
    assert_int_equal(tx_home_proof_put(f->home, id, f->index, 1000), TX_OK);
    free(env);
}

static void
member(fx *f, const tx_identity *org, uint64_t seq, int role)
{
    size_t len;
    uint8_t *env =
        th_member(org, org->pub.sign, seq, f->person, f->person->pub.curve, role, 0, 0, &len);

    cache(f, env, len);
}

static void
removal(fx *f, uint64_t seq, int64_t effective)
{
    size_t len;
    uint8_t *env = th_member_removal(f->org, seq, f->person->pub.sign, effective, &len);

    cache(f, env, len);
}

static int
setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    uint8_t qid[TX_ID_LEN], aid[TX_ID_LEN];
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN), *env;
    size_t len;

    f->root = th_tmpdir();
    f->buyer = th_identity("Tokai Motors KK");
    f->org = th_identity("Mikawa Precision KK");
    f->other = th_identity("Other Works KK");
    f->person = th_identity("Sato Hanako");
    assert_int_equal(tx_identity_save(f->buyer, f->root, "identity"), TX_OK);
    assert_int_equal(tx_home_open(f->root, &f->home), TX_OK);
    env = th_profile(f->org, 1, &len);
    cache(f, env, len);
    env = th_questionnaire(f->buyer, 1, &len);
    tx_record_id(env, len, qid);
    cache(f, env, len);
    /* Signed by the person (at 1700000000), granted to the buyer. */
    env = th_sealed(f->person, 1, qid, key, &len);
    tx_record_id(env, len, aid);
    cache(f, env, len);
    env = th_grant(f->person, 2, aid, &f->buyer->pub, key, &len);
    tx_record_id(env, len, f->gid);
    memcpy(f->aid, aid, TX_ID_LEN);
    cache(f, env, len);
    sodium_free(key);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fx *f = *state;

    tx_home_destroy(&f->home);
    tx_identity_destroy(&f->buyer);
    tx_identity_destroy(&f->org);
    tx_identity_destroy(&f->other);
    tx_identity_destroy(&f->person);
    th_rmtree(f->root);
    free(f->root);
    free(f);
    return 0;
}

/* The one verdict of the cache. */
static void
verdict(fx *f, tx_verdicts *vs)
{
    assert_int_equal(tx_verify_all(f->home, NULL, vs), TX_OK);
    assert_int_equal(vs->n, 1);
}

static void
test_officer_counts_as_organisation(void **state)
{
    fx *f = *state;
    tx_verdicts vs;

    member(f, f->org, 2, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER);
    verdict(f, &vs);
    assert_memory_equal(vs.v[0].supplier, f->org->pub.sign, 32);
    assert_string_equal(vs.v[0].supplier_name, "Mikawa Precision KK");
    assert_string_equal(vs.v[0].member_name, "Sato Hanako");
    if (vs.v[0].status == 2 /* failed */) {
        fail_msg("failed: %s", vs.v[0].reason);
    }
    tx_verdicts_free(&vs);
    /* Removed after it signed: still the organisation's. */
    removal(f, 3, 1800000000);
    verdict(f, &vs);
    assert_memory_equal(vs.v[0].supplier, f->org->pub.sign, 32);
    assert_null(strstr(vs.v[0].reason, "signed by"));
    tx_verdicts_free(&vs);
}

static void
test_viewer_fails(void **state)
{
    fx *f = *state;
    tx_verdicts vs;

    member(f, f->org, 2, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_VIEWER);
    verdict(f, &vs);
    assert_int_equal(vs.v[0].status, 2 /* failed */);
    assert_non_null(strstr(vs.v[0].reason, "only officers and admins sign"));
    tx_verdicts_free(&vs);
}

static void
test_removed_before_fails(void **state)
{
    fx *f = *state;
    tx_verdicts vs;

    member(f, f->org, 2, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER);
    removal(f, 3, 1600000000);
    verdict(f, &vs);
    assert_int_equal(vs.v[0].status, 2);
    assert_non_null(strstr(vs.v[0].reason, "removed or not valid"));
    tx_verdicts_free(&vs);
}

/* Another organisation names the same person (an officer of both): it counts for neither. */
static void
test_claimed_twice_fails(void **state)
{
    fx *f = *state;
    tx_verdicts vs;

    member(f, f->org, 2, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER);
    member(f, f->other, 2, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER);
    verdict(f, &vs);
    assert_int_equal(vs.v[0].status, 2);
    assert_non_null(strstr(vs.v[0].reason, "two organisations"));
    tx_verdicts_free(&vs);
}

/* The organisation's key revokes what its officer granted: later in the hub's log, whatever the
 * two keys' own sequence numbers (the organisation's counter is lower here). */
static void
test_org_revokes_officer_grant(void **state)
{
    fx *f = *state;
    tx_verdicts vs;
    uint8_t *env;
    size_t len;

    member(f, f->org, 2, TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER);
    env = th_revoke(f->org, 1, f->gid, f->aid, f->buyer->pub.sign, &len);
    cache(f, env, len);
    verdict(f, &vs);
    assert_int_equal(vs.v[0].status, 3 /* revoked */);
    tx_verdicts_free(&vs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_officer_counts_as_organisation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_viewer_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removed_before_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claimed_twice_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_org_revokes_officer_grant, setup, teardown),
    };

    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}

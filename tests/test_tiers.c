/* The supply tree's arithmetic on a hand-built tree (tx_tree): the walk to N tiers, the
 * reached-twice and loop flags, answer states, and per tier and in total the coverage, the
 * weakest link per area and the counts by certificate status. */
#include "tx_supply_tree.h"
#include "tx_verify.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define NOW ((int64_t)1800000000)
#define DAY 86400

/* Keys: 1 and 2 tier 1; 3, 4 (listed by 1), 5 (listed by 2, no grant), 3 again (by 2). */
static uint8_t k[8][TX_KEY_LEN];

static tx_area_score areas1[2] = {{.id = "A1", .has_score = 1, .percent = 80.0},
                                  {.id = "A2", .has_score = 1, .percent = 40.0}};
static tx_area_score areas2[2] = {{.id = "A1", .has_score = 1, .percent = 50.0},
                                  {.id = "A2", .has_score = 1, .percent = 90.0}};
static tx_area_score areas3[2] = {{.id = "A1", .has_score = 1, .percent = 50.0},
                                  {.id = "A2", .has_score = 0}};
static tx_score s1 = {.n_areas = 2, .areas = areas1};
static tx_score s2 = {.n_areas = 2, .areas = areas2};
static tx_score s3 = {.n_areas = 2, .areas = areas3};

static void
keys_init(void)
{
    for (int i = 0; i < 8; i++) {
        memset(k[i], i + 1, TX_KEY_LEN);
    }
}

static size_t
node_of(const tx_tree *t, int key)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->nodes[i].has_key && memcmp(t->nodes[i].key, k[key], TX_KEY_LEN) == 0) {
            return i;
        }
    }
    fail_msg("key %d not in the tree", key);
    return 0;
}

static void
test_walk_and_rollups(void **state)
{
    tx_tree_sub subs1[3] = {
        {1, {0}, "three", "bolts"}, {1, {0}, "four", "paint"}, {0, {0}, "no key", "boxes"}};
    tx_tree_sub subs2[2] = {{1, {0}, "five", "springs"}, {1, {0}, "three", "bolts"}};
    tx_tree_sub subs3[1] = {{1, {0}, "one", "loop back"}};
    uint8_t roots[2][TX_KEY_LEN];
    tx_tree_known known[4];
    tx_tree_input in = {0};
    tx_tree t;
    (void)state;

    keys_init();
    memcpy(subs1[0].key, k[2], TX_KEY_LEN);
    memcpy(subs1[1].key, k[3], TX_KEY_LEN);
    memcpy(subs2[0].key, k[4], TX_KEY_LEN);
    memcpy(subs2[1].key, k[2], TX_KEY_LEN);
    memcpy(subs3[0].key, k[0], TX_KEY_LEN);
    memcpy(roots[0], k[0], TX_KEY_LEN);
    memcpy(roots[1], k[1], TX_KEY_LEN);
    memset(known, 0, sizeof known);
    /* one: verified, certified, 10 days old */
    memcpy(known[0].key, k[0], TX_KEY_LEN);
    known[0] = (tx_tree_known){.name = "One KK",
                               .status = TX_VERIFIED,
                               .as_of = NOW - 10 * DAY,
                               .cert_status = TX_CERT_VALID,
                               .score = &s1,
                               .subs = subs1,
                               .n_subs = 3};
    memcpy(known[0].key, k[0], TX_KEY_LEN);
    /* two: verified, certificate expired, 400 days old (not current) */
    known[1] = (tx_tree_known){.name = "Two KK",
                               .status = TX_VERIFIED,
                               .as_of = NOW - 400 * DAY,
                               .cert_status = TX_CERT_EXPIRED,
                               .score = &s2,
                               .subs = subs2,
                               .n_subs = 2};
    memcpy(known[1].key, k[1], TX_KEY_LEN);
    /* three: verified, no certificate, lists one (a loop) */
    known[2] = (tx_tree_known){.name = "Three KK",
                               .status = TX_VERIFIED,
                               .as_of = NOW - DAY,
                               .cert_status = TX_CERT_NONE,
                               .score = &s3,
                               .subs = subs3,
                               .n_subs = 1};
    memcpy(known[2].key, k[2], TX_KEY_LEN);
    /* four: answered but failed */
    known[3] = (tx_tree_known){.name = "Four KK", .status = TX_FAILED};
    memcpy(known[3].key, k[3], TX_KEY_LEN);

    in.roots = (const uint8_t(*)[TX_KEY_LEN])roots;
    in.n_roots = 2;
    in.known = known;
    in.n_known = 4;
    in.depth = 2;
    in.current_days = 365;
    in.now = NOW;
    assert_int_equal(tx_tree_build(&in, &t), 0);

    /* one, two; three, four, (no key), five */
    assert_int_equal(t.n, 6);
    assert_int_equal(t.nodes[node_of(&t, 0)].tier, 1);
    assert_int_equal(t.nodes[node_of(&t, 1)].tier, 1);
    size_t three = node_of(&t, 2), four = node_of(&t, 3), five = node_of(&t, 4);
    assert_int_equal(t.nodes[three].tier, 2);
    assert_int_equal(t.nodes[three].n_parents, 2);
    assert_int_equal(t.nodes[three].flags, TX_TREE_REACHED_TWICE);
    assert_string_equal(t.nodes[three].supplies, "bolts");
    /* Three, at the last tier, lists one: no new node, but the loop is seen. */
    assert_int_equal(t.nodes[node_of(&t, 0)].flags, TX_TREE_LOOP);
    assert_int_equal(t.nodes[four].answer_state, TX_TREE_ANSWERED);
    assert_int_equal(t.nodes[four].verified, 0);
    assert_int_equal(t.nodes[five].answer_state, TX_TREE_NOT_SHARED);
    assert_string_equal(t.nodes[five].name, "five");
    assert_int_equal(t.nodes[2 + 2].has_key, 0); /* "no key": third sub of one */
    assert_int_equal(t.nodes[4].answer_state, TX_TREE_NOT_ANSWERED);
    assert_int_equal(t.nodes[node_of(&t, 1)].age_days, 400);
    assert_int_equal(t.nodes[node_of(&t, 1)].current, 0);

    /* tier 1: 2 nodes, 2 verified, 1 current, 1 certified */
    assert_int_equal(t.tiers[0].nodes, 2);
    assert_int_equal(t.tiers[0].verified, 2);
    assert_int_equal(t.tiers[0].current, 1);
    assert_int_equal(t.tiers[0].certified, 1);
    assert_int_equal(t.tiers[0].cert[TX_CERT_VALID], 1);
    assert_int_equal(t.tiers[0].cert[TX_CERT_EXPIRED], 1);
    assert_int_equal(t.tiers[0].n_weakest, 2);
    assert_string_equal(t.tiers[0].weakest[0].area, "A1");
    assert_true(t.tiers[0].weakest[0].score == 50.0);
    assert_int_equal(t.tiers[0].weakest[0].node, node_of(&t, 1));
    assert_string_equal(t.tiers[0].weakest[1].area, "A2");
    assert_true(t.tiers[0].weakest[1].score == 40.0);
    assert_int_equal(t.tiers[0].weakest[1].node, node_of(&t, 0));
    /* tier 2: three (verified, current, no certificate), four (failed), no key, five */
    assert_int_equal(t.tiers[1].nodes, 4);
    assert_int_equal(t.tiers[1].verified, 1);
    assert_int_equal(t.tiers[1].current, 1);
    assert_int_equal(t.tiers[1].certified, 0);
    assert_int_equal(t.tiers[1].cert[TX_CERT_NONE], 1);
    assert_int_equal(t.tiers[1].n_weakest, 1); /* A2 unscored */
    assert_true(tx_tree_share(t.tiers[1].verified, t.tiers[1].nodes) == 25.0);
    /* total: 6 nodes, 3 verified (50 %), 2 current (33.3 %), 1 certified (16.7 %); A1 ties at
     * 50 between two and three: the first in walk order (two) stays. */
    assert_int_equal(t.total.nodes, 6);
    assert_true(tx_tree_share(t.total.verified, t.total.nodes) == 50.0);
    assert_true(tx_tree_share(t.total.current, t.total.nodes) == 33.3);
    assert_true(tx_tree_share(t.total.certified, t.total.nodes) == 16.7);
    assert_int_equal(t.total.weakest[0].node, node_of(&t, 1));
    assert_true(tx_tree_share(0, 0) < 0);
    tx_tree_free(&t);

    /* Depth 3: the same: one is flagged once, three is its parent; nothing new at tier 3. */
    in.depth = 3;
    assert_int_equal(tx_tree_build(&in, &t), 0);
    assert_int_equal(t.n, 6);
    assert_int_equal(t.nodes[node_of(&t, 0)].flags, TX_TREE_LOOP);
    assert_int_equal(t.nodes[node_of(&t, 0)].n_parents, 1);
    assert_int_equal(t.nodes[node_of(&t, 0)].parents[0], node_of(&t, 2));
    assert_int_equal(t.tiers[2].nodes, 0);
    tx_tree_free(&t);

    /* Depth 1: the suppliers only; neither lists the other. */
    in.depth = 1;
    assert_int_equal(tx_tree_build(&in, &t), 0);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.nodes[0].flags | t.nodes[1].flags, 0);
    assert_int_equal(t.total.nodes, 2);
    tx_tree_free(&t);
}

static void
test_unanswered_roots(void **state)
{
    uint8_t roots[2][TX_KEY_LEN];
    tx_tree_input in = {0};
    tx_tree t;
    (void)state;

    keys_init();
    memcpy(roots[0], k[5], TX_KEY_LEN);
    memcpy(roots[1], k[5], TX_KEY_LEN); /* named twice by the buyer: one node */
    in.roots = (const uint8_t(*)[TX_KEY_LEN])roots;
    in.n_roots = 2;
    in.depth = 2;
    in.current_days = 365;
    in.now = NOW;
    assert_int_equal(tx_tree_build(&in, &t), 0);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.nodes[0].answer_state, TX_TREE_NOT_ANSWERED);
    assert_int_equal(t.nodes[0].age_days, -1);
    assert_int_equal(t.tiers[0].verified, 0);
    assert_int_equal(t.tiers[1].nodes, 0);
    assert_string_equal(tx_tree_answer_name(TX_TREE_NOT_SHARED), "not_shared");
    tx_tree_free(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_and_rollups),
        cmocka_unit_test(test_unanswered_roots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

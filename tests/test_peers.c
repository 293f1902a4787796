/* The loop's count of calls in flight per connection (hub/tx_peers.c): against a plain array of
 * counts, through random takes and answers of keys chosen to collide in the table (so every
 * removal moves keys back), every key's count is right after every step; and routing ids get
 * distinct, non-zero keys. */
#include "tx_error.h"
#include "tx_peers.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

enum { MOST = 40, KEYS = 60 };

static void
test_counts_match_through_collisions(void **state)
{
    uint64_t keys[KEYS];
    size_t want[KEYS] = {0}, live = 0;
    tx_peers *p = NULL;
    unsigned seed = 4242;

    (void)state;
    assert_int_equal(tx_peers_create(MOST, &p), TX_OK);
    /* The table has 128 slots for 40 keys: keys share low bits in threes, and some sit at the
     * top of the table so probing wraps around. */
    for (size_t k = 0; k < KEYS; k++) {
        keys[k] = ((uint64_t)(k + 1) << 32) | (k % 20 == 0 ? 127 : (k / 3) * 5 % 128);
    }
    for (int step = 0; step < 200000; step++) {
        size_t k = (size_t)rand_r(&seed) % KEYS;

        if (rand_r(&seed) % 2 == 0 && (want[k] > 0 || live < MOST)) {
            live += want[k] == 0;
            tx_peers_took(p, keys[k]);
            want[k]++;
        } else if (want[k] > 0) {
            tx_peers_answered(p, keys[k]);
            want[k]--;
            live -= want[k] == 0;
        }
        for (size_t i = 0; i < KEYS; i++) {
            assert_int_equal(tx_peers_calls(p, keys[i]), want[i]);
        }
    }
    /* All answered: the table is empty again. */
    for (size_t i = 0; i < KEYS; i++) {
        while (want[i] > 0) {
            tx_peers_answered(p, keys[i]);
            want[i]--;
        }
    }
    for (size_t i = 0; i < KEYS; i++) {
        assert_int_equal(tx_peers_calls(p, keys[i]), 0);
    }
    tx_peers_destroy(&p);
    assert_null(p);
    tx_peers_destroy(&p);
}

static void
test_keys_of_routing_ids(void **state)
{
    uint8_t a[5] = {0, 0, 0, 0, 1}, b[5] = {0, 0, 0, 0, 2};
    tx_peers *p = NULL, *q = NULL;

    (void)state;
    assert_int_equal(tx_peers_create(4, &p), TX_OK);
    assert_int_equal(tx_peers_create(4, &q), TX_OK);
    assert_true(tx_peers_key(p, a, sizeof a) != 0);
    assert_true(tx_peers_key(p, a, sizeof a) == tx_peers_key(p, a, sizeof a));
    assert_true(tx_peers_key(p, a, sizeof a) != tx_peers_key(p, b, sizeof b));
    /* Each table draws its own hash key. */
    assert_true(tx_peers_key(p, a, sizeof a) != tx_peers_key(q, a, sizeof a));
    tx_peers_destroy(&p);
    tx_peers_destroy(&q);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_match_through_collisions),
        cmocka_unit_test(test_keys_of_routing_ids),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

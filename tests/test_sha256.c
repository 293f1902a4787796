/* tx_sha256 against the FIPS 180-4 examples and against libsodium's SHA-256 on every length
 * from 0 to 4 blocks and a 3 KB envelope, fed whole and in pieces of every size up to 130; two
 * states fed side by side against each fed alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tx_envelope.h"
#include "tx_merkle.h"
#include "tx_sha256.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
hex_is(const uint8_t d[32], const char *want)
{
    char got[65];

    for (int i = 0; i < 32; i++) {
        snprintf(got + 2 * i, 3, "%02x", d[i]);
    }
    assert_string_equal(got, want);
}

static void
test_fips_examples(void **state)
{
    static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    uint8_t d[32], a[1000];
    tx_sha256_state st;

    (void)state;
    tx_sha256(d, (const uint8_t *)"abc", 3);
    hex_is(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    tx_sha256(d, (const uint8_t *)two_blocks, strlen(two_blocks));
    hex_is(d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    tx_sha256(d, NULL, 0);
    hex_is(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* One million 'a', in pieces of 1000. */
    memset(a, 'a', sizeof a);
    tx_sha256_init(&st);
    for (int i = 0; i < 1000; i++) {
        tx_sha256_update(&st, a, sizeof a);
    }
    tx_sha256_final(&st, d);
    hex_is(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    printf("SHA-256 implementation: %s\n", tx_sha256_impl());
}

static void
test_same_as_libsodium(void **state)
{
    uint8_t buf[3100], want[32], got[32];
    tx_sha256_state st;

    (void)state;
    randombytes_buf(buf, sizeof buf);
    for (size_t len = 0; len <= sizeof buf; len = len < 260 ? len + 1 : len + 97) {
        crypto_hash_sha256(want, buf, len);
        tx_sha256(got, buf, len);
        assert_memory_equal(got, want, 32);
        /* The same bytes in pieces of every size 1..130: the block buffer's edges. */
        for (size_t piece = 1; piece <= 130 && len <= 600; piece++) {
            tx_sha256_init(&st);
            for (size_t at = 0; at < len; at += piece) {
                tx_sha256_update(&st, buf + at, len - at < piece ? len - at : piece);
            }
            tx_sha256_final(&st, got);
            assert_memory_equal(got, want, 32);
        }
    }
    /* A 3 KB envelope-sized input fed as the record id and the Merkle leaf feed it. */
    crypto_hash_sha256(want, buf, 3072);
    tx_sha256(got, buf, 3072);
    assert_memory_equal(got, want, 32);
}

/* Two states fed the same bytes side by side (tx_sha256_update_two) end as each fed alone,
 * whatever each took before (0..130 bytes: empty, partial and whole blocks) and whatever the
 * length: the two chains' blocks start at different offsets of the same input. */
static void
test_two_side_by_side(void **state)
{
    uint8_t buf[3100], pre[2][130], want[2][32], got[2][32];
    static const size_t pre_lens[] = {0, 1, 2, 55, 56, 63, 64, 65, 127, 128, 130};
    const size_t npre = sizeof pre_lens / sizeof pre_lens[0];

    (void)state;
    randombytes_buf(buf, sizeof buf);
    randombytes_buf(pre, sizeof pre);
    for (size_t len = 0; len <= sizeof buf; len = len < 300 ? len + 1 : len + 211) {
        for (size_t i = 0; i < npre * npre; i++) {
            const size_t pa = pre_lens[i / npre], pb = pre_lens[i % npre];
            tx_sha256_state a, b;

            for (int k = 0; k < 2; k++) {
                tx_sha256_init(&a);
                tx_sha256_update(&a, pre[k], k == 0 ? pa : pb);
                tx_sha256_update(&a, buf, len);
                tx_sha256_final(&a, want[k]);
            }
            tx_sha256_init(&a);
            tx_sha256_init(&b);
            tx_sha256_update(&a, pre[0], pa);
            tx_sha256_update(&b, pre[1], pb);
            tx_sha256_update_two(&a, &b, buf, len);
            tx_sha256_final(&a, got[0]);
            tx_sha256_final(&b, got[1]);
            assert_memory_equal(got[0], want[0], 32);
            assert_memory_equal(got[1], want[1], 32);
        }
    }
}

/* A record's id and leaf in one pass are those of tx_record_id and tx_merkle_leaf_hash. */
static void
test_record_id_leaf(void **state)
{
    uint8_t buf[3100], id[32], leaf[32], want_id[32], want_leaf[32];

    (void)state;
    randombytes_buf(buf, sizeof buf);
    for (size_t len = 0; len <= sizeof buf; len = len < 300 ? len + 1 : len + 97) {
        tx_record_id(buf, len, want_id);
        tx_merkle_leaf_hash(buf, len, want_leaf);
        tx_record_id_leaf(buf, len, id, leaf);
        assert_memory_equal(id, want_id, 32);
        assert_memory_equal(leaf, want_leaf, 32);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips_examples),
        cmocka_unit_test(test_same_as_libsodium),
        cmocka_unit_test(test_two_side_by_side),
        cmocka_unit_test(test_record_id_leaf),
    };

    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}

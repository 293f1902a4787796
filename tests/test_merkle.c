/* RFC 9162 Merkle tree: the published vectors (transparency-dev/merkle test data) and every
 * corruption of a proof that a verifier must reject. */
#include "tx_error.h"
#include "tx_merkle.h"
#include "tx_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static const char *const leaf_inputs[] = {
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};

static const char *const roots_hex[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct proof_vector {
    uint64_t a, b; /* inclusion: leaf number (1-based) and size; consistency: size1, size2 */
    const char *path[4];
};

static const struct proof_vector inclusion_vectors[] = {
    {1, 8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6, 8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {3, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {2, 5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

static const struct proof_vector consistency_vectors[] = {
    {1, 8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6, 8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6, 7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

static uint8_t leaves[8][32];
static uint8_t roots[9][32];

static void
hex32(uint8_t out[32], const char *hex)
{
    assert_int_equal(tx_unhex(out, 32, hex), TX_OK);
}

static int
setup(void **state)
{
    for (size_t i = 0; i < 8; i++) {
        uint8_t in[16];
        size_t n = strlen(leaf_inputs[i]) / 2;
        if (n > 0) {
            assert_int_equal(tx_unhex(in, n, leaf_inputs[i]), TX_OK);
        }
        tx_merkle_leaf_hash(in, n, leaves[i]);
    }
    for (size_t i = 0; i < 9; i++) {
        hex32(roots[i], roots_hex[i]);
    }
    return 0;
}

static size_t
load_path(const struct proof_vector *v, uint8_t path[][32])
{
    size_t n = 0;
    while (n < 4 && v->path[n] != NULL) {
        hex32(path[n], v->path[n]);
        n++;
    }
    return n;
}

static void
test_roots(void **state)
{
    uint8_t root[32];
    for (uint64_t size = 0; size <= 8; size++) {
        assert_int_equal(tx_merkle_root(tx_merkle_node_from_leaves, leaves, size, root), TX_OK);
        assert_memory_equal(root, roots[size], 32);
    }
}

static void
test_inclusion_vectors(void **state)
{
    for (size_t v = 0; v < TX_ARRAY_LEN(inclusion_vectors); v++) {
        const struct proof_vector *pv = &inclusion_vectors[v];
        uint8_t want[4][32], got[TX_MERKLE_MAX_PATH][32];
        size_t nwant = load_path(pv, want), ngot = 0;
        uint64_t index = pv->a - 1;

        assert_int_equal(tx_merkle_inclusion_proof(tx_merkle_node_from_leaves, leaves, index,
                                                   pv->b, got, &ngot),
                         TX_OK);
        assert_int_equal(ngot, nwant);
        assert_memory_equal(got, want, 32 * nwant);
        assert_int_equal(tx_merkle_verify_inclusion(index, pv->b, leaves[index],
                                                    (const uint8_t(*)[32])want, nwant,
                                                    roots[pv->b]),
                         TX_OK);
    }
}

static void
test_consistency_vectors(void **state)
{
    for (size_t v = 0; v < TX_ARRAY_LEN(consistency_vectors); v++) {
        const struct proof_vector *pv = &consistency_vectors[v];
        uint8_t want[4][32], got[TX_MERKLE_MAX_PATH][32];
        size_t nwant = load_path(pv, want), ngot = 0;

        assert_int_equal(tx_merkle_consistency_proof(tx_merkle_node_from_leaves, leaves, pv->a,
                                                     pv->b, got, &ngot),
                         TX_OK);
        assert_int_equal(ngot, nwant);
        assert_memory_equal(got, want, 32 * nwant);
        assert_int_equal(tx_merkle_verify_consistency(pv->a, pv->b, roots[pv->a], roots[pv->b],
                                                      (const uint8_t(*)[32])want, nwant),
                         TX_OK);
    }
}

/* Every proof between every pair of sizes generated here must verify. */
static void
test_all_sizes_round_trip(void **state)
{
    uint8_t path[TX_MERKLE_MAX_PATH][32];
    size_t n;

    for (uint64_t size = 1; size <= 8; size++) {
        for (uint64_t i = 0; i < size; i++) {
            assert_int_equal(tx_merkle_inclusion_proof(tx_merkle_node_from_leaves, leaves, i,
                                                       size, path, &n),
                             TX_OK);
            assert_int_equal(tx_merkle_verify_inclusion(i, size, leaves[i],
                                                        (const uint8_t(*)[32])path, n,
                                                        roots[size]),
                             TX_OK);
        }
        for (uint64_t old = 0; old <= size; old++) {
            assert_int_equal(tx_merkle_consistency_proof(tx_merkle_node_from_leaves, leaves, old,
                                                         size, path, &n),
                             TX_OK);
            assert_int_equal(tx_merkle_verify_consistency(old, size, roots[old], roots[size],
                                                          (const uint8_t(*)[32])path, n),
                             TX_OK);
        }
    }
}

static const uint8_t some_hash[32] = {0xab, 0xac, 0xab, 0xa0, 0x60, 0x06, 0x1e, 0x00, 0x12, 0x34};

static int
incl_ok(uint64_t index, uint64_t size, const uint8_t leaf[32], uint8_t path[][32], size_t n,
        const uint8_t root[32])
{
    return tx_merkle_verify_inclusion(index, size, leaf, (const uint8_t(*)[32])path, n, root) ==
           TX_OK;
}

static void
test_inclusion_corruptions(void **state)
{
    for (size_t v = 0; v < TX_ARRAY_LEN(inclusion_vectors); v++) {
        const struct proof_vector *pv = &inclusion_vectors[v];
        uint8_t path[6][32], bad[6][32];
        size_t n = load_path(pv, path);
        uint64_t i = pv->a - 1, size = pv->b;
        const uint8_t *root = roots[size], *leaf = leaves[i];

        assert_true(incl_ok(i, size, leaf, path, n, root));
        assert_false(incl_ok(i - 1, size, leaf, path, n, root));
        assert_false(incl_ok(i + 1, size, leaf, path, n, root));
        assert_false(incl_ok(i ^ 2, size, leaf, path, n, root));
        assert_false(incl_ok(i, size * 2, leaf, path, n, root));
        assert_false(incl_ok(i, size / 2, leaf, path, n, root));
        assert_false(incl_ok(i, size, some_hash, path, n, root));
        assert_false(incl_ok(i, size, leaf, path, n, roots[0]));
        assert_false(incl_ok(i, size, leaf, path, n, some_hash));
        /* A root appended or prepended. */
        memcpy(bad, path, sizeof path);
        memcpy(bad[n], root, 32);
        assert_false(incl_ok(i, size, leaf, bad, n + 1, root));
        memcpy(bad[0], root, 32);
        memcpy(bad[1], path, 32 * n);
        assert_false(incl_ok(i, size, leaf, bad, n + 1, root));
        /* Each element with one bit flipped. */
        for (size_t e = 0; e < n; e++) {
            memcpy(bad, path, sizeof path);
            bad[e][0] ^= 8;
            assert_false(incl_ok(i, size, leaf, bad, n, root));
        }
        /* An element removed or inserted. */
        if (n > 0) {
            assert_false(incl_ok(i, size, leaf, path, n - 1, root));
        }
        if (n > 1) {
            memcpy(bad[0], path[0], 32);
            memcpy(bad[1], some_hash, 32);
            memcpy(bad[2], path[1], 32 * (n - 1));
            assert_false(incl_ok(i, size, leaf, bad, n + 1, root));
        }
    }
}

static int
cons_ok(uint64_t a, uint64_t b, const uint8_t ra[32], const uint8_t rb[32], uint8_t path[][32],
        size_t n)
{
    return tx_merkle_verify_consistency(a, b, ra, rb, (const uint8_t(*)[32])path, n) == TX_OK;
}

static void
test_consistency_corruptions(void **state)
{
    for (size_t v = 0; v < TX_ARRAY_LEN(consistency_vectors); v++) {
        const struct proof_vector *pv = &consistency_vectors[v];
        uint8_t path[6][32], bad[6][32];
        size_t n = load_path(pv, path);
        uint64_t a = pv->a, b = pv->b;
        const uint8_t *ra = roots[a], *rb = roots[b];

        assert_true(cons_ok(a, b, ra, rb, path, n));
        assert_false(cons_ok(a - 1, b, ra, rb, path, n));
        assert_false(cons_ok(a + 1, b, ra, rb, path, n));
        assert_false(cons_ok(a ^ 2, b, ra, rb, path, n));
        assert_false(cons_ok(a, b * 2, ra, rb, path, n));
        assert_false(cons_ok(a, b / 2, ra, rb, path, n));
        assert_false(cons_ok(a, b, some_hash, rb, path, n));
        assert_false(cons_ok(a, b, ra, some_hash, path, n));
        assert_false(cons_ok(a, b, rb, ra, path, n));
        assert_false(cons_ok(a, b, ra, rb, path, 0));
        const uint8_t *extra[] = {ra, rb, path[0]};
        for (size_t x = 0; x < 3; x++) {
            memcpy(bad, path, sizeof path);
            memcpy(bad[n], extra[x], 32);
            assert_false(cons_ok(a, b, ra, rb, bad, n + 1));
            memcpy(bad[0], extra[x], 32);
            memcpy(bad[1], path, 32 * n);
            assert_false(cons_ok(a, b, ra, rb, bad, n + 1));
        }
        assert_false(cons_ok(a, b, ra, rb, path, n - 1));
        for (size_t e = 0; e < n; e++) {
            memcpy(bad, path, sizeof path);
            bad[e][0] ^= 16;
            assert_false(cons_ok(a, b, ra, rb, bad, n));
        }
    }
}

static void
test_edge_cases(void **state)
{
    uint8_t empty[1][32];

    /* Index past the end, size 0. */
    assert_false(incl_ok(0, 0, some_hash, empty, 0, roots[0]));
    assert_false(incl_ok(2, 1, some_hash, empty, 0, roots[0]));
    /* Single leaf: root == leaf, empty proof. */
    assert_true(incl_ok(0, 1, leaves[0], empty, 0, leaves[0]));
    assert_false(incl_ok(0, 1, leaves[0], empty, 0, leaves[1]));
    /* Same size: roots must match and the proof be empty. */
    assert_true(cons_ok(3, 3, roots[3], roots[3], empty, 0));
    assert_false(cons_ok(3, 3, roots[3], roots[2], empty, 0));
    memcpy(empty[0], roots[0], 32);
    assert_false(cons_ok(1, 1, roots[1], roots[1], empty, 1));
    /* Going back in time. */
    assert_false(cons_ok(2, 1, roots[2], roots[1], empty, 0));
    /* Growing from empty is always consistent, with an empty proof. */
    assert_true(cons_ok(0, 5, roots[0], roots[5], empty, 0));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roots),
        cmocka_unit_test(test_inclusion_vectors),
        cmocka_unit_test(test_consistency_vectors),
        cmocka_unit_test(test_all_sizes_round_trip),
        cmocka_unit_test(test_inclusion_corruptions),
        cmocka_unit_test(test_consistency_corruptions),
        cmocka_unit_test(test_edge_cases),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

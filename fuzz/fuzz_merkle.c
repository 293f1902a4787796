/* Fuzzes the Merkle proof verifiers against the fixed tree of fuzz_tree.h. Input: a mode byte,
 * two 8-byte little-endian numbers, then proof hashes (32 bytes each; a tail shorter than a
 * hash is ignored). Mode bit 0: consistency (old size, new size) instead of inclusion (index,
 * size); bit 1: the numbers are taken modulo 320, so most land near the tree; bit 2
 * (inclusion): the first hash is the leaf instead of the tree's own. Roots are the tree's for
 * sizes it has, a fixed stranger's otherwise. Must hold: a proof the verifier accepts is
 * exactly the proof the tree makes, for a leaf and sizes the tree has; and the tree's own
 * proof for any index and sizes it has verifies. */
#include "fuzz_tree.h"
#include "tx_error.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t leaves[FUZZ_LEAVES][32];
static uint8_t roots[FUZZ_LEAVES + 1][32];
static uint8_t stranger[32];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (sodium_init() < 0) {
        return -1;
    }
    fuzz_tree_leaves(leaves);
    for (unsigned n = 0; n <= FUZZ_LEAVES; n++) {
        if (tx_merkle_root(tx_merkle_node_from_leaves, leaves, n, roots[n]) != TX_OK) {
            return -1;
        }
    }
    memset(stranger, 0x5a, sizeof stranger);
    return 0;
}

static uint64_t
le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--) {
        v = v << 8 | p[i];
    }
    return v;
}

static const uint8_t *
root_of(uint64_t size)
{
    return size <= FUZZ_LEAVES ? roots[size] : stranger;
}

static int
same_path(const uint8_t (*a)[32], size_t na, const uint8_t (*b)[32], size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na * 32) == 0);
}

static void
inclusion(uint64_t index, uint64_t size, const uint8_t *leaf, const uint8_t (*path)[32], size_t n)
{
    uint8_t real[TX_MERKLE_MAX_PATH][32];
    size_t n_real = 0;
    int in_tree = index < size && size <= FUZZ_LEAVES;

    if (in_tree) {
        if (tx_merkle_inclusion_proof(tx_merkle_node_from_leaves, leaves, index, size, real,
                                      &n_real) != TX_OK ||
            tx_merkle_verify_inclusion(index, size, leaves[index], (const uint8_t(*)[32])real,
                                       n_real, roots[size]) != TX_OK) {
            abort();
        }
    }
    if (tx_merkle_verify_inclusion(index, size, leaf, path, n, root_of(size)) != TX_OK) {
        return;
    }
    if (!in_tree || memcmp(leaf, leaves[index], 32) != 0 ||
        !same_path(path, n, (const uint8_t(*)[32])real, n_real)) {
        abort();
    }
}

static void
consistency(uint64_t old_size, uint64_t new_size, const uint8_t (*path)[32], size_t n)
{
    uint8_t real[TX_MERKLE_MAX_PATH][32];
    size_t n_real = 0;
    int in_tree = old_size <= new_size && new_size <= FUZZ_LEAVES;

    if (in_tree) {
        if (tx_merkle_consistency_proof(tx_merkle_node_from_leaves, leaves, old_size, new_size,
                                        real, &n_real) != TX_OK ||
            tx_merkle_verify_consistency(old_size, new_size, roots[old_size], roots[new_size],
                                         (const uint8_t(*)[32])real, n_real) != TX_OK) {
            abort();
        }
    }
    if (tx_merkle_verify_consistency(old_size, new_size, root_of(old_size), root_of(new_size), path,
                                     n) != TX_OK) {
        return;
    }
    /* Any tree is consistent with the empty one and with itself: nothing to prove. */
    if (n == 0 && (old_size == 0 || old_size == new_size)) {
        return;
    }
    if (!in_tree || !same_path(path, n, (const uint8_t(*)[32])real, n_real)) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t(*hashes)[32];
    uint64_t a, b;
    size_t n;
    uint8_t mode;

    if (size < 17) {
        return 0;
    }
    mode = data[0];
    a = le64(data + 1);
    b = le64(data + 9);
    if (mode & 2) {
        a %= 320;
        b %= 320;
    }
    /* The hashes start at byte 17: copied so they are aligned as uint8_t[32] arrays. */
    n = (size - 17) / 32;
    {
        uint8_t(*copy)[32] = malloc(n ? n * 32 : 1);

        if (copy == NULL) {
            return 0;
        }
        if (n > 0) {
            memcpy(copy, data + 17, n * 32);
        }
        hashes = (const uint8_t(*)[32])copy;
        if (mode & 1) {
            consistency(a, b, hashes, n);
        } else if ((mode & 4) && n > 0) {
            inclusion(a, b, hashes[0], hashes + 1, n - 1);
        } else {
            inclusion(a, b, a < FUZZ_LEAVES ? leaves[a] : stranger, hashes, n);
        }
        free(copy);
    }
    return 0;
}

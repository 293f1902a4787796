/* RFC 9162 Merkle tree hashing, proof generation (2.1.3.1, 2.1.4.1) and verification
 * (2.1.3.2, 2.1.4.2). */
#include "tx_merkle.h"

#include "tx_error.h"
#include "tx_sha256.h"

#include <sodium.h>
#include <string.h>

void
tx_merkle_leaf_begin(tx_sha256_state *st)
{
    const uint8_t prefix = 0x00;

    tx_sha256_init(st);
    tx_sha256_update(st, &prefix, 1);
}

void
tx_merkle_leaf_hash(const uint8_t *entry, size_t len, uint8_t out[32])
{
    tx_sha256_state st;

    tx_merkle_leaf_begin(&st);
    tx_sha256_update(&st, entry, len);
    tx_sha256_final(&st, out);
}

void
tx_merkle_node_hash(const uint8_t left[32], const uint8_t right[32], uint8_t out[32])
{
    uint8_t buf[65];

    buf[0] = 0x01;
    memcpy(buf + 1, left, 32);
    memcpy(buf + 33, right, 32);
    tx_sha256(out, buf, sizeof buf);
}

/* Largest power of two strictly below n (n >= 2). */
static uint64_t
split_point(uint64_t n)
{
    uint64_t k = 1;
    while (k << 1 < n) {
        k <<= 1;
    }
    return k;
}

static int
is_pow2(uint64_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

/* MTH(D[start:end]) for end > start. Left parts of the RFC's recursion are always perfect and
 * aligned, so only they go to the callback. */
static int
range_hash(tx_merkle_node_fn node, void *ctx, uint64_t start, uint64_t end, uint8_t out[32])
{
    uint8_t left[32], right[32];
    uint64_t k;
    int rc;

    if (is_pow2(end - start) && start % (end - start) == 0) {
        return node(ctx, start, end, out);
    }
    k = split_point(end - start);
    if ((rc = range_hash(node, ctx, start, start + k, left)) != TX_OK ||
        (rc = range_hash(node, ctx, start + k, end, right)) != TX_OK) {
        return rc;
    }
    tx_merkle_node_hash(left, right, out);
    return TX_OK;
}

int
tx_merkle_root(tx_merkle_node_fn node, void *ctx, uint64_t size, uint8_t out[32])
{
    if (size == 0) {
        tx_sha256(out, NULL, 0);
        return TX_OK;
    }
    return range_hash(node, ctx, 0, size, out);
}

static int
push(uint8_t path[][32], size_t *n, const uint8_t h[32])
{
    if (*n >= TX_MERKLE_MAX_PATH) {
        return TX_ERR_INTERNAL;
    }
    memcpy(path[(*n)++], h, 32);
    return TX_OK;
}

/* PATH(m, D[start:end]) */
static int
inclusion(tx_merkle_node_fn node, void *ctx, uint64_t m, uint64_t start, uint64_t end,
          uint8_t path[][32], size_t *n)
{
    uint8_t h[32];
    uint64_t k;
    int rc;

    if (end - start == 1) {
        return TX_OK;
    }
    k = split_point(end - start);
    if (m < k) {
        if ((rc = inclusion(node, ctx, m, start, start + k, path, n)) != TX_OK ||
            (rc = range_hash(node, ctx, start + k, end, h)) != TX_OK) {
            return rc;
        }
    } else {
        if ((rc = inclusion(node, ctx, m - k, start + k, end, path, n)) != TX_OK ||
            (rc = range_hash(node, ctx, start, start + k, h)) != TX_OK) {
            return rc;
        }
    }
    return push(path, n, h);
}

int
tx_merkle_inclusion_proof(tx_merkle_node_fn node, void *ctx, uint64_t index, uint64_t size,
                          uint8_t path[][32], size_t *n)
{
    *n = 0;
    if (index >= size) {
        return TX_ERR_USAGE;
    }
    return inclusion(node, ctx, index, 0, size, path, n);
}

/* SUBPROOF(m, D[start:end], whole) */
static int
subproof(tx_merkle_node_fn node, void *ctx, uint64_t m, uint64_t start, uint64_t end, int whole,
         uint8_t path[][32], size_t *n)
{
    uint8_t h[32];
    uint64_t k;
    int rc;

    if (m == end - start) {
        if (whole) {
            return TX_OK;
        }
        if ((rc = range_hash(node, ctx, start, end, h)) != TX_OK) {
            return rc;
        }
        return push(path, n, h);
    }
    k = split_point(end - start);
    if (m <= k) {
        if ((rc = subproof(node, ctx, m, start, start + k, whole, path, n)) != TX_OK ||
            (rc = range_hash(node, ctx, start + k, end, h)) != TX_OK) {
            return rc;
        }
    } else {
        if ((rc = subproof(node, ctx, m - k, start + k, end, 0, path, n)) != TX_OK ||
            (rc = range_hash(node, ctx, start, start + k, h)) != TX_OK) {
            return rc;
        }
    }
    return push(path, n, h);
}

int
tx_merkle_consistency_proof(tx_merkle_node_fn node, void *ctx, uint64_t old_size,
                            uint64_t new_size, uint8_t path[][32], size_t *n)
{
    *n = 0;
    if (old_size > new_size) {
        return TX_ERR_USAGE;
    }
    if (old_size == 0 || old_size == new_size) {
        return TX_OK;
    }
    return subproof(node, ctx, old_size, 0, new_size, 1, path, n);
}

int
tx_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[32],
                           const uint8_t path[][32], size_t n, const uint8_t root[32])
{
    uint64_t fn = index, sn = size - 1;
    uint8_t r[32];

    if (index >= size) {
        return TX_ERR_MALFORMED;
    }
    memcpy(r, leaf, 32);
    for (size_t i = 0; i < n; i++) {
        if (sn == 0) {
            return TX_ERR_MALFORMED; /* proof longer than the tree is deep */
        }
        if ((fn & 1) || fn == sn) {
            tx_merkle_node_hash(path[i], r, r);
            if (!(fn & 1)) {
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            tx_merkle_node_hash(r, path[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) {
        return TX_ERR_MALFORMED; /* proof too short */
    }
    return sodium_memcmp(r, root, 32) == 0 ? TX_OK : TX_ERR_CHECKSUM;
}

int
tx_merkle_verify_consistency(uint64_t old_size, uint64_t new_size, const uint8_t old_root[32],
                             const uint8_t new_root[32], const uint8_t path[][32], size_t n)
{
    uint64_t fn, sn;
    uint8_t fr[32], sr[32];
    size_t i = 0;

    if (old_size > new_size) {
        return TX_ERR_MALFORMED;
    }
    if (old_size == new_size) {
        if (n != 0) {
            return TX_ERR_MALFORMED;
        }
        return sodium_memcmp(old_root, new_root, 32) == 0 ? TX_OK : TX_ERR_CHECKSUM;
    }
    if (old_size == 0) {
        return n == 0 ? TX_OK : TX_ERR_MALFORMED;
    }
    if (n == 0) {
        return TX_ERR_MALFORMED;
    }
    fn = old_size - 1;
    sn = new_size - 1;
    /* When the old tree is a perfect subtree, its root is the implicit first element. */
    if (is_pow2(old_size)) {
        memcpy(fr, old_root, 32);
    } else {
        memcpy(fr, path[i++], 32);
    }
    memcpy(sr, fr, 32);
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    for (; i < n; i++) {
        if (sn == 0) {
            return TX_ERR_MALFORMED;
        }
        if ((fn & 1) || fn == sn) {
            tx_merkle_node_hash(path[i], fr, fr);
            tx_merkle_node_hash(path[i], sr, sr);
            if (!(fn & 1)) {
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            tx_merkle_node_hash(sr, path[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) {
        return TX_ERR_MALFORMED;
    }
    if (sodium_memcmp(fr, old_root, 32) != 0 || sodium_memcmp(sr, new_root, 32) != 0) {
        return TX_ERR_CHECKSUM;
    }
    return TX_OK;
}

int
tx_merkle_node_from_leaves(void *ctx, uint64_t start, uint64_t end, uint8_t out[32])
{
    const uint8_t(*leaves)[32] = ctx;
    uint8_t left[32], right[32];
    uint64_t half;

    if (end - start == 1) {
        memcpy(out, leaves[start], 32);
        return TX_OK;
    }
    half = (end - start) / 2;
    tx_merkle_node_from_leaves(ctx, start, start + half, left);
    tx_merkle_node_from_leaves(ctx, start + half, end, right);
    tx_merkle_node_hash(left, right, out);
    return TX_OK;
}

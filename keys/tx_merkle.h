/* The Merkle tree of RFC 9162 (section 2.1) over a log of entries, with SHA-256:
 * leaf = H(0x00 || entry), node = H(0x01 || left || right). Proof generation asks the caller
 * for the hashes of perfect, aligned subtrees (so a store can serve them from saved nodes);
 * verification needs nothing but the proof. Proofs are arrays of 32-byte hashes. */
#ifndef TX_MERKLE_H
#define TX_MERKLE_H

#include "tx_sha256.h"

#include <stddef.h>
#include <stdint.h>

#define TX_HASH_LEN 32
#define TX_MERKLE_MAX_PATH 64

/* Writes the hash of the perfect subtree of leaves [start, start + 2^k) into out.
 * Returns TX_OK or an error code that the proof functions pass on. */
typedef int (*tx_merkle_node_fn)(void *ctx, uint64_t start, uint64_t end, uint8_t out[32]);

void tx_merkle_leaf_hash(const uint8_t *entry, size_t len, uint8_t out[32]);
/* Starts st as a leaf's hash: the entry's bytes go after (tx_sha256_update, then final). */
void tx_merkle_leaf_begin(tx_sha256_state *st);
void tx_merkle_node_hash(const uint8_t left[32], const uint8_t right[32], uint8_t out[32]);

/* Root of the first `size` leaves (SHA-256 of nothing for size 0). */
int tx_merkle_root(tx_merkle_node_fn node, void *ctx, uint64_t size, uint8_t out[32]);

/* Inclusion path of leaf `index` in a tree of `size`: *n hashes into path (capacity
 * TX_MERKLE_MAX_PATH). TX_ERR_USAGE if index >= size. */
int tx_merkle_inclusion_proof(tx_merkle_node_fn node, void *ctx, uint64_t index, uint64_t size,
                              uint8_t path[][32], size_t *n);

/* Consistency proof between tree sizes old_size <= new_size. Empty when old_size is 0 or equal
 * to new_size. */
int tx_merkle_consistency_proof(tx_merkle_node_fn node, void *ctx, uint64_t old_size,
                                uint64_t new_size, uint8_t path[][32], size_t *n);

/* TX_OK if `leaf` at `index` is in the tree of `size` with `root`; TX_ERR_BAD_SIGNATURE-free:
 * returns TX_ERR_MALFORMED for a proof of the wrong length or shape, TX_ERR_CHECKSUM if the
 * computed root differs. */
int tx_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[32],
                               const uint8_t path[][32], size_t n, const uint8_t root[32]);

/* TX_OK if the tree of old_size with old_root is a prefix of the tree of new_size with new_root.
 * Same error codes as tx_merkle_verify_inclusion. */
int tx_merkle_verify_consistency(uint64_t old_size, uint64_t new_size, const uint8_t old_root[32],
                                 const uint8_t new_root[32], const uint8_t path[][32], size_t n);

/* A tx_merkle_node_fn over an in-memory array of leaf hashes (ctx = const uint8_t (*)[32]),
 * computing every subtree from its leaves: for tests, audits and small logs. */
int tx_merkle_node_from_leaves(void *ctx, uint64_t start, uint64_t end, uint8_t out[32]);

#endif

/* The Merkle log of the hub's store: an RFC 9162 tree over the log (the record at log index i
 * is leaf i - 1, its hash SHA-256(0x00 || envelope bytes as stored)), kept as every perfect
 * subtree hash in the `nodes` database and updated in the write transaction of each append;
 * and the hub's signed checkpoints of it and the witnesses' cosignatures. Roots and proofs
 * take O(log n) reads; nothing is replayed when the store opens. The calls that serve them are
 * in tx_proofs.h; the store's functions for checkpoints are declared in tx_store.h. */
#ifndef TX_MLOG_H
#define TX_MLOG_H

#include "tx_keys.h"
#include "tx_store.h"

#include <stddef.h>
#include <stdint.h>

#define TX_LEAVES_MAX 8192u    /* leaf hashes per Call.leaves answer */
#define TX_WITNESSES_MAX 32    /* witness keys whose newest cosignature the hub keeps */
#define TX_WITNESSES_SERVED 32 /* cosignature lines served with a checkpoint */

/* The origin the hub whose public key is `hub` signs its checkpoints under: the key's name
 * (given at init with --origin), or "ticsx-hub/<key id>" when that name cannot be one. */
void tx_hub_origin(const tx_pubkey *hub, char *out, size_t n);

/* ---- reads (in a view's snapshot) ---- */

/* Root of the first `size` records. TX_ERR_NOT_FOUND if size is past the log. */
int tx_view_root(tx_view *v, uint64_t size, uint8_t root[32]);

/* Leaf hash of the record at log index `index` (from 1). TX_ERR_NOT_FOUND past the log. */
int tx_view_leaf(tx_view *v, uint64_t index, uint8_t leaf[32]);

/* RFC 9162 inclusion proof of the record at log index `index` in the tree of `size`:
 * *n hashes into path (capacity TX_MERKLE_MAX_PATH). TX_ERR_USAGE unless 1 <= index <= size;
 * TX_ERR_NOT_FOUND if size is past the log. */
int tx_view_inclusion(tx_view *v, uint64_t index, uint64_t size, uint8_t path[][32], size_t *n);

/* Consistency proof from old_size to new_size. TX_ERR_USAGE unless 1 <= old_size <= new_size;
 * TX_ERR_NOT_FOUND if new_size is past the log. */
int tx_view_consistency(tx_view *v, uint64_t old_size, uint64_t new_size, uint8_t path[][32],
                        size_t *n);

/* Leaf hashes of log indices > after, ascending: at most `limit` (0 or more than
 * TX_LEAVES_MAX -> TX_LEAVES_MAX). *next is the last index returned when more follow, else 0.
 * Caller owns *leaves (free). */
int tx_view_leaves(tx_view *v, uint64_t after, uint32_t limit, uint8_t (**leaves)[32], size_t *n,
                   uint64_t *next);

/* The latest signed checkpoint note, followed by the stored witness cosignature lines of
 * exactly its text; TX_ERR_NOT_FOUND if none was made yet. info (may be NULL) receives what
 * it says. Caller owns *env (free). */
int tx_view_checkpoint(tx_view *v, uint8_t **env, size_t *len, tx_checkpoint_info *info);

/* Call.witnessed: the newest checkpoint text kept with this hub's signature that at least
 * q->quorum of q->witness_keys cosigned (their newest cosignatures kept), as the hub's signed
 * note with every kept cosignature of exactly that text appended (as tx_view_checkpoint).
 * TX_ERR_NOT_FOUND when there is none. Caller owns *env (free). */
int tx_view_witnessed(tx_view *v, const tx_witnessed_pb *q, uint8_t **env, size_t *len);

/* Parses a checkpoint note and checks the hub's signature, under its origin, against `signer`
 * (NULL: not checked). TX_ERR_BAD_SIGNATURE, TX_ERR_WRONG_KEY (no signature line of that
 * key), TX_ERR_MALFORMED or TX_ERR_TOO_LARGE otherwise. */
int tx_checkpoint_read(const uint8_t *env, size_t len, const uint8_t *signer,
                       tx_checkpoint_info *info);

#endif

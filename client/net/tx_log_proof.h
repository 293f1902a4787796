/* The hub's log over the wire: calls that ask for its checkpoints and for inclusion and
 * consistency proofs, and the checks of each proof reply (RFC 9162). Nothing the hub says is
 * believed until checked. Log index i (from 1) is leaf i - 1. */
#ifndef TX_LOG_PROOF_H
#define TX_LOG_PROOF_H

#include "tx_checkpoint.h"
#include "tx_conn.h"
#include "tx_merkle.h"

/* The hub's latest checkpoint, opened against hub_sign. */
int tx_log_checkpoint(tx_conn *conn, const uint8_t hub_sign[32], tx_checkpoint *out);

/* The newest checkpoint that at least `quorum` of the witness keys (n of them) cosigned
 * (Call.witnessed), opened against hub_sign; TX_ERR_NOT_FOUND (message set) when the hub has
 * none. */
int tx_log_witnessed(tx_conn *conn, const uint8_t hub_sign[32], const tx_pubkey *keys, size_t n,
                     unsigned quorum, tx_checkpoint *out);

/* The proof hashes of a reply: every element exactly 32 bytes, at most TX_MERKLE_MAX_PATH.
 * TX_ERR_MALFORMED otherwise (message set). */
int tx_log_proof_of(const tx_reply_pb *r, uint8_t path[][32], size_t *n);

/* Checks an inclusion proof reply for the record at log index `index` with leaf hash `leaf`
 * in the tree of `size` with `root`. TX_OK, or TX_ERR_CHECKSUM / TX_ERR_MALFORMED with the
 * message naming the record. */
int tx_log_verify_inclusion(const tx_reply_pb *r, uint64_t index, uint64_t size,
                            const uint8_t leaf[32], const uint8_t root[32]);

/* Checks a consistency proof reply between two trees. Codes as above. */
int tx_log_verify_consistency(const tx_reply_pb *r, uint64_t old_size, const uint8_t old_root[32],
                              uint64_t new_size, const uint8_t new_root[32]);

/* Sends an inclusion (index, size) or consistency (old, new) call; wait with tx_conn_wait. */
int tx_log_send_inclusion(tx_conn *conn, uint64_t index, uint64_t size, uint64_t *id);
int tx_log_send_consistency(tx_conn *conn, uint64_t old_size, uint64_t new_size, uint64_t *id);

/* Asks for the consistency proof from old_size to new_size, for tx_checkpoint_judge: *n is 0
 * (with a warning) when the hub refuses it or sends a malformed one, so that the judgement
 * fails like a bad proof. Returns a connection-level code, or TX_OK. */
int tx_log_consistency_path(tx_conn *conn, uint64_t old_size, uint64_t new_size, uint8_t path[][32],
                            size_t *n);

#endif

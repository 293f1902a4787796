/* The calls that serve the Merkle log (tx_mlog.h): the latest checkpoint and the newest one a
 * quorum of witnesses cosigned, inclusion and consistency proofs, leaf hashes, a witness's
 * cosignature; and the leaf hash and checkpoint a submit's receipt carries. Handlers of rows
 * of the call table (tx_calls.c). */
#ifndef TX_PROOFS_H
#define TX_PROOFS_H

#include "tx_mlog.h"
#include "tx_reply.h"

#include <stddef.h>
#include <stdint.h>

/* Call.checkpoint: the latest signed checkpoint with its witnesses' cosignatures. */
void tx_proofs_checkpoint(tx_answer *a);

/* Call.witnessed: the newest checkpoint a quorum of the named witnesses cosigned. */
void tx_proofs_witnessed(tx_answer *a);

/* Call.inclusion: the RFC 9162 inclusion proof of a log index in a tree size. */
void tx_proofs_inclusion(tx_answer *a);

/* Call.consistency: the consistency proof between two tree sizes. */
void tx_proofs_consistency(tx_answer *a);

/* Call.leaves: leaf hashes after a log index. */
void tx_proofs_leaves(tx_answer *a);

/* Call.cosign: stores a witness's cosignature (in its own write transaction). */
void tx_proofs_cosign(tx_answer *a);

/* The latest checkpoint, read once for the receipts of one snapshot. */
typedef struct {
    uint8_t *note;
    size_t len;
    tx_checkpoint_info info;
    int read; /* 1: read; -1: there was none to read; 0: not yet */
} tx_proofs_latest;

/* Completes the receipt of a record stored at `index`: its leaf hash `leaf` (the submit's,
 * hashed with its id off the loop: the stored record's, the same bytes, duplicates included;
 * copied into keep), and the latest checkpoint when it covers the record (read once into
 * `latest`, which the receipts of one snapshot share). Best effort: a storage failure leaves
 * the checkpoint out. */
void tx_proofs_receipt(tx_view *v, uint64_t index, const uint8_t *leaf, tx_receipt_pb *receipt,
                       tx_reply_keep *keep,
                       tx_proofs_latest *latest);

/* Frees what latest holds and zeroes it. */
void tx_proofs_latest_free(tx_proofs_latest *latest);

#endif

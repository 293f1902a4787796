/* Serving the Merkle log: each handler reads the round's snapshot through tx_mlog.h and points
 * the reply into the answer's keep; a size past the log is refused naming the log's size. */
#include "tx_proofs.h"

#include "tx_error.h"
#include "tx_log.h"
#include "tx_merkle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A checkpoint read into keep becomes the reply's; none is NOT_FOUND with `none`'s text. */
static void
reply_checkpoint(tx_answer *a, int rc, const char *none)
{
    if (rc == TX_ERR_NOT_FOUND) {
        tx_outcome_set(a->out, TX_STATUS_NOT_FOUND, rc, "%s", none);
    } else if (rc == TX_ERR_REFUSED) {
        tx_outcome_set(a->out, TX_STATUS_INTERNAL, rc, "%s",
                       "the hub cannot record its signed checkpoint on its disk "
                       "(checkpoint.signed) and names no checkpoint until it can; try again later");
    } else if (rc != TX_OK) {
        tx_outcome_read(a->out, rc);
    } else {
        a->r->checkpoint.data = a->keep->checkpoint;
        a->r->checkpoint.len = a->keep->checkpoint_len;
    }
}

void
tx_proofs_checkpoint(tx_answer *a)
{
    int rc = tx_view_checkpoint(a->view, &a->keep->checkpoint, &a->keep->checkpoint_len, NULL);

    reply_checkpoint(a, rc, "the hub has signed no checkpoint yet; try again in a moment");
}

void
tx_proofs_witnessed(tx_answer *a)
{
    char none[128];
    int rc = tx_view_witnessed(a->view, a->call->witnessed, &a->keep->checkpoint,
                               &a->keep->checkpoint_len);

    snprintf(none, sizeof none,
             "no checkpoint kept here has cosignatures of %u of the witnesses named",
             (unsigned)a->call->witnessed->quorum);
    reply_checkpoint(a, rc, none);
}

/* Room for a proof path in keep; false (with the refusal in out) when memory ran out. */
static int
alloc_path(tx_answer *a)
{
    if ((a->keep->hashes = malloc(TX_MERKLE_MAX_PATH * sizeof *a->keep->hashes)) == NULL) {
        tx_outcome_read(a->out, TX_ERR_NOMEM);
        return 0;
    }
    return 1;
}

/* The tail both proof answers share: a size past the log is refused naming the log's size,
 * otherwise the n hashes in keep become the reply's proof. */
static void
finish_proof(tx_answer *a, int rc, size_t n, const char *what, uint64_t size)
{
    uint64_t last = 0;

    if (rc == TX_ERR_NOT_FOUND) {
        tx_view_last_index(a->view, &last);
        tx_outcome_set(a->out, TX_STATUS_NOT_FOUND, rc,
                       "%s: the log holds %llu records, fewer than %llu", what,
                       (unsigned long long)last, (unsigned long long)size);
        return;
    }
    if (rc == TX_OK) {
        rc = tx_reply_hashes(a->keep, n, &a->r->proof);
    }
    if (rc != TX_OK) {
        tx_outcome_read(a->out, rc);
        return;
    }
    a->r->n_proof = n;
}

void
tx_proofs_inclusion(tx_answer *a)
{
    const tx_inclusion_proof_pb *q = a->call->inclusion;
    size_t n = 0;
    int rc;

    if (q->index == 0) {
        tx_outcome_set(a->out, TX_STATUS_BAD_REQUEST, TX_ERR_USAGE,
                       "inclusion: log indices start at 1");
        return;
    }
    if (q->index > q->size) {
        tx_outcome_set(a->out, TX_STATUS_BAD_REQUEST, TX_ERR_USAGE,
                       "inclusion: index %llu is not in a tree of size %llu",
                       (unsigned long long)q->index, (unsigned long long)q->size);
        return;
    }
    if (alloc_path(a)) {
        rc = tx_view_inclusion(a->view, q->index, q->size, a->keep->hashes, &n);
        finish_proof(a, rc, n, "inclusion", q->size);
    }
}

void
tx_proofs_consistency(tx_answer *a)
{
    const tx_consistency_proof_pb *q = a->call->consistency;
    size_t n = 0;
    int rc;

    if (q->old_size == 0) {
        tx_outcome_set(a->out, TX_STATUS_BAD_REQUEST, TX_ERR_USAGE,
                       "consistency: the old size must be at least 1 (every log is consistent "
                       "with the empty one)");
        return;
    }
    if (q->old_size > q->new_size) {
        tx_outcome_set(a->out, TX_STATUS_BAD_REQUEST, TX_ERR_USAGE,
                       "consistency: old size %llu is larger than new size %llu",
                       (unsigned long long)q->old_size, (unsigned long long)q->new_size);
        return;
    }
    if (alloc_path(a)) {
        rc = tx_view_consistency(a->view, q->old_size, q->new_size, a->keep->hashes, &n);
        finish_proof(a, rc, n, "consistency", q->new_size);
    }
}

void
tx_proofs_leaves(tx_answer *a)
{
    const tx_leaf_hashes_pb *q = a->call->leaves;
    size_t n = 0;
    int rc = tx_view_leaves(a->view, q->after, q->limit, &a->keep->hashes, &n, &a->r->next);

    if (rc == TX_OK) {
        rc = tx_reply_hashes(a->keep, n, &a->r->leaves);
    }
    if (rc != TX_OK) {
        tx_outcome_read(a->out, rc);
        return;
    }
    a->r->n_leaves = n;
}

void
tx_proofs_cosign(tx_answer *a)
{
    const tx_cosign_pb *cs = a->call->cosign;
    char why[TX_OUTCOME_MSG];
    int rc = tx_store_cosign(a->store, cs->note.data, cs->note.len, cs->witness_key.data,
                             cs->witness_key.len, why, sizeof why);

    if (rc != TX_OK && why[0] == '\0') {
        tx_outcome_storage(a->out, rc);
    } else {
        tx_outcome_set(a->out, tx_err_status(rc), rc, "%s", why);
    }
    tx_info("cosignature from %s: %s%s%s", a->who,
            a->out->status == TX_STATUS_OK ? "" : tx_status_text(a->out->status),
            a->out->status == TX_STATUS_OK ? "" : ": ", a->out->message);
}

void
tx_proofs_receipt(tx_view *v, uint64_t index, const uint8_t *leaf, tx_receipt_pb *receipt,
                  tx_reply_keep *keep, tx_proofs_latest *latest)
{
    memcpy(keep->leaf, leaf, sizeof keep->leaf);
    receipt->leaf_hash.data = keep->leaf;
    receipt->leaf_hash.len = sizeof keep->leaf;
    if (latest->read == 0) {
        latest->read =
            tx_view_checkpoint(v, &latest->note, &latest->len, &latest->info) == TX_OK ? 1 : -1;
    }
    if (latest->read > 0 && latest->info.size >= index) {
        receipt->checkpoint.data = latest->note;
        receipt->checkpoint.len = latest->len;
    }
}

void
tx_proofs_latest_free(tx_proofs_latest *latest)
{
    free(latest->note);
    memset(latest, 0, sizeof *latest);
}

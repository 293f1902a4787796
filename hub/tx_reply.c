/* Building the hub's replies: outcomes with their status and detail, and the wire Reply with
 * the memory it points into. */
#include "tx_reply.h"

#include "tx_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
tx_outcome_set(tx_outcome *res, int status, int code, const char *fmt, ...)
{
    va_list ap;

    res->status = status;
    va_start(ap, fmt);
    vsnprintf(res->message, sizeof res->message, fmt, ap);
    va_end(ap);
    return code;
}

int
tx_outcome_storage(tx_outcome *res, int code)
{
    if (code == TX_ERR_STORAGE_FULL) {
        return tx_outcome_set(res, TX_STATUS_STORAGE_FULL, code,
                              "the hub's storage is full; nothing was stored, tell the hub "
                              "operator");
    }
    return tx_outcome_set(res, code == TX_ERR_BUSY ? TX_STATUS_BUSY : TX_STATUS_INTERNAL, code,
                          "the hub could not store the record (%s); try again later",
                          tx_strerror(code));
}

int
tx_outcome_read(tx_outcome *res, int code)
{
    if (code == TX_ERR_BUSY || code == TX_ERR_NOMEM) {
        return tx_outcome_storage(res, code);
    }
    return tx_outcome_set(res, TX_STATUS_INTERNAL, code,
                          "the hub could not read its records (%s); try again later, or tell "
                          "the hub operator if it persists",
                          tx_strerror(code));
}

int
tx_reply_entries(tx_reply_pb *r, tx_reply_keep *keep, tx_entry *ents, size_t n)
{
    keep->ents = ents;
    keep->n_ents = n;
    keep->entries = calloc(n ? n : 1, sizeof *keep->entries);
    keep->entries_p = calloc(n ? n : 1, sizeof *keep->entries_p);
    if (keep->entries == NULL || keep->entries_p == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t k = 0; k < n; k++) {
        ticsx__v1__entry__init(&keep->entries[k]);
        keep->entries[k].index = ents[k].index;
        keep->entries[k].envelope.data = ents[k].env;
        keep->entries[k].envelope.len = ents[k].len;
        keep->entries_p[k] = &keep->entries[k];
    }
    r->n_entries = n;
    r->entries = n ? keep->entries_p : NULL;
    return TX_OK;
}

int
tx_reply_hashes(tx_reply_keep *keep, size_t n, ProtobufCBinaryData **out)
{
    if ((keep->bins = calloc(n ? n : 1, sizeof *keep->bins)) == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        keep->bins[i].data = keep->hashes[i];
        keep->bins[i].len = 32;
    }
    *out = keep->bins;
    return TX_OK;
}

void
tx_reply_receipt(tx_receipt_pb *pb, const tx_receipt *r)
{
    pb->index = r->index;
    pb->record_id.data = (uint8_t *)r->id;
    pb->record_id.len = TX_ID_LEN;
    pb->duplicate = r->duplicate != 0;
}

void
tx_reply_finish(tx_reply_pb *r, const tx_outcome *out)
{
    r->status = (Ticsx__V1__Status)out->status;
    r->message = (char *)out->message;
    if (r->status != TX_STATUS_OK) {
        r->n_entries = 0;
        r->entries = NULL;
        r->next = 0;
        r->n_proof = r->n_leaves = 0;
        r->proof = r->leaves = NULL;
        r->checkpoint.len = 0;
        r->checkpoint.data = NULL;
    }
}

void
tx_reply_keep_free(tx_reply_keep *keep)
{
    free(keep->checkpoint);
    free(keep->hashes);
    free(keep->bins);
    tx_entries_free(keep->ents, keep->n_ents);
    free(keep->entries);
    free(keep->entries_p);
    memset(keep, 0, sizeof *keep);
}

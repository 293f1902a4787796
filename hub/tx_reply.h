/* Replies of the hub: the verdict on one call (tx_outcome: a wire status, the detail a user
 * reads after the status words, a receipt when a record was stored), the call being answered
 * as its handler sees it (tx_answer), and the wire Reply built from them, with what a Reply
 * points into until it is sent (tx_reply_keep). Statuses are the ones of proto/tx_status.h. */
#ifndef TX_REPLY_H
#define TX_REPLY_H

#include "tx_codec.h"
#include "tx_status.h"
#include "tx_store.h"
#include "tx_subs.h"

#include <stddef.h>
#include <stdint.h>

#define TX_OUTCOME_MSG 320

/* The verdict on one call: a wire status (tx_status), the detail (without the status words:
 * who shows it puts tx_status_text in front) and, when a record was accepted, the receipt. */
typedef struct {
    int status;
    char message[TX_OUTCOME_MSG];
    tx_receipt receipt;
} tx_outcome;

/* Fills res with a status and a formatted message; returns `code` for chaining. */
int tx_outcome_set(tx_outcome *res, int status, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fills res for a storage failure (`code` from the store) that lost the record's batch. */
int tx_outcome_storage(tx_outcome *res, int code);

/* Fills res for a failure to read the hub's own records (a damaged data file, LMDB failing):
 * a read, not a write, failed. */
int tx_outcome_read(tx_outcome *res, int code);

/* What a Reply points into; the reply's handler fills it, tx_reply_keep_free frees it once
 * the reply is sent. */
typedef struct {
    uint8_t *checkpoint; /* a checkpoint note (Reply.checkpoint) */
    size_t checkpoint_len;
    uint8_t (*hashes)[32]; /* a proof path or leaf hashes */
    ProtobufCBinaryData *bins;
    uint8_t leaf[32]; /* a receipt's leaf hash */
    tx_entry *ents;   /* records served (Reply.entries) */
    size_t n_ents;
    tx_entry_pb *entries;
    tx_entry_pb **entries_p;
} tx_reply_keep;

/* One call being answered: what its handler reads and where it writes the answer. */
typedef struct {
    tx_store *store;
    tx_view *view; /* the round's snapshot (TX_CALL_READS), else NULL */
    tx_subs *subs;
    const tx_call_pb *call;
    const uint8_t *caller; /* the caller's signing key, TX_KEY_LEN bytes */
    const char *who;       /* the caller's fingerprint, for logs */
    const uint8_t *peer;   /* its ROUTER routing id, for pushes */
    size_t peer_len;
    int64_t now_ms;      /* monotonic */
    tx_reply_pb *r;      /* what the reply carries besides status and message */
    tx_outcome *out;     /* the status and message; left untouched: OK */
    tx_reply_keep *keep; /* what r points into */
} tx_answer;

/* Points r's entries at the n records in ents. keep takes ents over whatever it returns
 * (tx_reply_keep_free frees them); TX_ERR_NOMEM leaves r without entries. */
int tx_reply_entries(tx_reply_pb *r, tx_reply_keep *keep, tx_entry *ents, size_t n);

/* Points the reply's repeated bytes at the n hashes held in keep->hashes. TX_ERR_NOMEM. */
int tx_reply_hashes(tx_reply_keep *keep, size_t n, ProtobufCBinaryData **out);

/* Fills a wire receipt from a stored record's receipt (r is borrowed by the wire one). */
void tx_reply_receipt(tx_receipt_pb *pb, const tx_receipt *r);

/* Sets r's status and message from out; a refusal carries nothing else (entries, proofs and
 * checkpoint a handler set before it failed are dropped). r borrows out's message. */
void tx_reply_finish(tx_reply_pb *r, const tx_outcome *out);

/* Frees what keep holds and zeroes it. */
void tx_reply_keep_free(tx_reply_keep *keep);

#endif

/* The hub's calls, one row each in one table keyed by the Call's body case: its name, whether
 * it writes (its envelopes go through the round's write transaction) or reads (answered from a
 * snapshot taken after the round's commit), and its handler. The round looks every call up
 * here once; adding a call is one row and its handler. The sizes of a call's fields are
 * checked when it is decoded (tx_decode_call); what a handler checks against the log (sizes,
 * indices, kinds) it refuses with a status and a message naming the bad value. */
#ifndef TX_CALLS_H
#define TX_CALLS_H

#include "tx_codec.h"
#include "tx_reply.h"

#include <stddef.h>
#include <stdint.h>

/* What a row says about its call. */
enum {
    TX_CALL_WRITES = 1u << 0,  /* submits envelopes: verified, committed by the round, receipted */
    TX_CALL_READS = 1u << 1,   /* answered from the snapshot taken after the round's commit */
    TX_CALL_OWN_TXN = 1u << 2, /* answered before that snapshot, in a transaction of its own */
    TX_CALL_FRESH = 1u << 3,   /* wants a checkpoint of the whole log: one is signed first */
    TX_CALL_HUB_MAY = 1u << 4, /* the hub's own key may make it (ticsx-hub's ping) */
    TX_CALL_PER_ENVELOPE = 1u << 5, /* answered with one outcome per envelope (SubmitBatch) */
};

typedef struct {
    int body; /* Ticsx__V1__Call__BodyCase */
    const char *name;
    unsigned flags; /* TX_CALL_* */
    /* TX_CALL_WRITES: how many envelopes the call submits, and envelope i of them. */
    size_t (*envelopes)(const tx_call_pb *call, size_t i, const uint8_t **env, size_t *len);
    /* Answers the call into a (NULL for TX_CALL_WRITES: the round's receipts answer it). */
    void (*answer)(tx_answer *a);
} tx_call_def;

/* The row of a body case; NULL when there is none. Static. */
const tx_call_def *tx_call_find(int body);

/* The row of a decoded call made by the hub's own key (is_hub) or an organisation, or NULL
 * with the refusal in out: BAD_REQUEST for a body no row serves, FORBIDDEN for a call the
 * hub's own key may not make. */
const tx_call_def *tx_call_admit(const tx_call_pb *call, int is_hub, tx_outcome *out);

/* Rows of the table, for tests: row i of tx_calls_count(). */
size_t tx_calls_count(void);
const tx_call_def *tx_call_at(size_t i);

#endif

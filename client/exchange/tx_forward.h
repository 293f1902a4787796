/* Forwarding a request down the supply tree: a tier-1 that was asked for more than one tier
 * signs a new Request to its own suppliers, on behalf of the original buyer: same
 * questionnaire and due date, one tier less, on_behalf_of naming the original request (the
 * first one of a chain), origin_buyer carrying the original buyer's key so a tier-2 that cannot
 * see the original request can still grant that buyer. */
#ifndef TX_FORWARD_H
#define TX_FORWARD_H

#include "tx_client.h"
#include "tx_keys.h"

#include <jansson.h>

typedef struct {
    const char *request;   /* 64 hex or a unique prefix of a request naming this org */
    const char *const *to; /* organisation names; none: the sub-suppliers with a key listed
                              in this organisation's latest assessment of that questionnaire */
    size_t n_to;
} tx_forward_args;

/* A supplier not asked again: an earlier forward of the same original request asked it. */
typedef struct {
    uint8_t key[TX_KEY_LEN];
    char name[TX_NAME_MAX]; /* "" without a profile */
    char fingerprint[TX_FP_LEN];
    uint8_t request[TX_ID_LEN]; /* the earlier forwarded request naming it */
} tx_forward_skip;

typedef struct {
    int sent;                    /* 0: every supplier was asked before, nothing was signed */
    uint8_t id[TX_ID_LEN];       /* the forwarded request (when sent) */
    uint8_t original[TX_ID_LEN]; /* on_behalf_of */
    uint8_t origin[TX_KEY_LEN];  /* the original buyer */
    uint32_t depth;              /* tiers the forwarded request asks for */
    size_t n_suppliers;          /* asked by this request */
    tx_forward_skip *skipped;
    size_t n_skipped;
} tx_forward_result;

/* Signs and submits the forwarded request to the suppliers that no earlier forward of this
 * organisation on behalf of the same original request asked (those are listed in skipped;
 * when none is left, nothing is signed and sent is 0). Caller frees out
 * (tx_forward_result_free) whatever the code. Codes: TX_ERR_NOT_FOUND (no such request; with no
 * --to: no own assessment, or it lists no sub-supplier with a key), TX_ERR_USAGE (the request
 * does not name this organisation, asks for one tier only, or an unknown organisation),
 * TX_ERR_REFUSED, connection codes. */
int tx_forward_send(tx_client *c, const tx_forward_args *a, tx_forward_result *out);

void tx_forward_result_free(tx_forward_result *r);

/* A forward as `forward --json` and the web UI give it: {"request" (null when nothing was
 * sent), "on_behalf_of", "origin_buyer" (fingerprint), "depth", "suppliers" (how many asked
 * now), "skipped": [{"name", "fingerprint", "key", "request"}]}. Caller owns. */
json_t *tx_forward_result_json(const tx_forward_result *r);

/* The sub-suppliers with a key listed in this organisation's latest own assessment of
 * questionnaire `qid` (decrypted with the content key kept in the home). Caller frees *keys. */
int tx_forward_own_subs(tx_client *c, const uint8_t qid[TX_ID_LEN], uint8_t (**keys)[TX_KEY_LEN],
                        size_t *n);

#endif

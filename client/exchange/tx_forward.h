/* Forwarding a request down the supply tree: a tier-1 that was asked for more than one tier
 * signs a new Request to its own suppliers, on behalf of the original buyer: same
 * questionnaire and due date, one tier less, on_behalf_of naming the original request (the
 * first one of a chain), origin_buyer carrying the original buyer's key so a tier-2 that cannot
 * see the original request can still grant that buyer. */
#ifndef TX_FORWARD_H
#define TX_FORWARD_H

#include "tx_client.h"

typedef struct {
    const char *request;   /* 64 hex or a unique prefix of a request naming this org */
    const char *const *to; /* organisation names; none: the sub-suppliers with a key listed
                              in this organisation's latest assessment of that questionnaire */
    size_t n_to;
} tx_forward_args;

typedef struct {
    uint8_t id[TX_ID_LEN];       /* the forwarded request */
    uint8_t original[TX_ID_LEN]; /* on_behalf_of */
    uint8_t origin[TX_KEY_LEN];  /* the original buyer */
    uint32_t depth;              /* tiers the forwarded request asks for */
    size_t n_suppliers;
} tx_forward_result;

/* Signs and submits the forwarded request. Codes: TX_ERR_NOT_FOUND (no such request; with no
 * --to: no own assessment, or it lists no sub-supplier with a key), TX_ERR_USAGE (the request
 * does not name this organisation, asks for one tier only, or an unknown organisation),
 * TX_ERR_REFUSED, connection codes. */
int tx_forward_send(tx_client *c, const tx_forward_args *a, tx_forward_result *out);

/* The sub-suppliers with a key listed in this organisation's latest own assessment of
 * questionnaire `qid` (decrypted with the content key kept in the home). Caller frees *keys. */
int tx_forward_own_subs(tx_client *c, const uint8_t qid[TX_ID_LEN], uint8_t (**keys)[TX_KEY_LEN],
                        size_t *n);

#endif

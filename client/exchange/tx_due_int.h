/* Inside tx_due only: what the parts of `ticsx due` share while they collect items. */
#ifndef TX_DUE_INT_H
#define TX_DUE_INT_H

#include "tx_due.h"
#include "tx_orgs.h"
#include "tx_us.h"
#include "tx_verify.h"

typedef struct {
    tx_client *c;
    tx_due *out;
    size_t cap;
    const uint8_t *me; /* this organisation's signing key (us.org) */
    tx_us us;          /* the keys that sign for it: its own and its officers' (from the cache) */
    int64_t horizon;   /* now + the window */
    uint32_t tier;     /* given to the items pushed (awaiting) */
    tx_orgs orgs;      /* names, from the cache */
    tx_verdicts vs;    /* what was granted to this organisation */
    tx_recs requests, forwarded, grants, revokes, sealed; /* from the cache (tx_due.c) */
} tx_due_ctx;

/* Adds an item unless it falls after the window (or has no date). party and subject may be
 * NULL. TX_ERR_NOMEM. */
int tx_due_push(tx_due_ctx *x, int kind, int64_t date, const uint8_t *record, const uint8_t *party,
                const char *subject);

/* "id vN" of a cached questionnaire into out (n bytes), "" when it is not in the cache. */
void tx_due_questionnaire_name(tx_due_ctx *x, const uint8_t *qid, size_t len, char *out, size_t n);

/* tx_due_requests.c: requests naming this organisation to answer (supplier), and suppliers not
 * yet answering its own or forwarded requests (buyer, per tier). TX_ERR_NOMEM or the cache's. */
int tx_due_to_answer(tx_due_ctx *x);
int tx_due_awaiting(tx_due_ctx *x);

/* 1 when verdict i is a supplier's current assessment: verified or expired, not superseded,
 * and no other of the same supplier and questionnaire lasts longer. */
int tx_due_current(const tx_verdicts *vs, size_t i);

/* tx_due_cert.c: certificates held by this organisation or referenced by its suppliers'
 * current assessments that expire or whose periodic report falls due. */
int tx_due_certificates(tx_due_ctx *x);

#endif

/* This organisation's own requests (not forwarded ones) from the home's cache, with their
 * progress per supplier: answered (a verified, expired, revoked... verdict of an assessment
 * granted for that request), open, or overdue (open past its due date). What `ticsx requests`
 * prints and what the UI's request list and dashboard show; works offline.
 * JSON (stable): {"requests": [{"id","date","questionnaire":{"record","id","version","title"},
 *   "due","depth","note","answered","total","asked" (= total),"response_rate" (answered/asked,
 *   null when none asked),"suppliers":[{"name","fingerprint","key","state",
 *   "assessment","answered_on"}]}]}, newest first. */
#ifndef TX_PROGRESS_H
#define TX_PROGRESS_H

#include "tx_home.h"
#include "tx_orgs.h"
#include "tx_verify.h"

#include <jansson.h>
#include <stdio.h>

enum { TX_PROGRESS_ANSWERED = 0, TX_PROGRESS_OPEN = 1, TX_PROGRESS_OVERDUE = 2 };

typedef struct {
    uint8_t key[TX_KEY_LEN];
    int state;                /* TX_PROGRESS_* */
    const tx_verdict *answer; /* the best verdict answering it (borrowed), NULL when open */
} tx_progress_supplier;

typedef struct {
    uint8_t id[TX_ID_LEN];
    int64_t created, due; /* due 0: none */
    uint32_t depth;
    uint64_t log_index;    /* from the record's proof marker, 0 when not proven yet */
    json_t *questionnaire; /* {"record","id","version","title"}; id etc. null when not cached */
    char *note;            /* the sealed note opened, NULL when none */
    tx_progress_supplier *suppliers;
    size_t n_suppliers, answered;
} tx_progress_request;

typedef struct {
    tx_progress_request *v; /* newest first */
    size_t n;
} tx_progress;

/* Reads this organisation's requests from the cache (each verified) and matches them with the
 * verdicts `vs` (from tx_verify_all; borrowed by the result, which must not outlive it) at
 * `now` (0: tx_now()). Caller frees *out (tx_progress_free). TX_ERR_NOMEM or the cache's
 * listing error. */
int tx_progress_load(tx_home *home, const tx_verdicts *vs, int64_t now, tx_progress *out);

/* "answered", "open", "overdue". */
const char *tx_progress_state_name(int state);

/* The JSON above; names from orgs (may be NULL). Caller owns. */
json_t *tx_progress_json(const tx_progress *p, const tx_orgs *orgs);

/* A table (texts in the process's language, tx_i18n) or the JSON document. */
int tx_progress_print(FILE *f, const tx_progress *p, const tx_orgs *orgs, int json);

void tx_progress_free(tx_progress *p);

#endif

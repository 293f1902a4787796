/* What this organisation has to do and by when, from the home's cache (works offline; --fetch
 * refreshes the cache first): requests to answer (as a supplier), requests its suppliers have not
 * answered (as a buyer, per supplier and tier; as a tier-1, those it forwarded a request to), its
 * own assessments and its suppliers' whose validity ends, certificates (its own and those its
 * suppliers reference) that expire or whose periodic report (定期報告) falls due, and grants (given
 * or received) that end. An item is overdue when its date has passed, due when it falls within the
 * window. JSON (stable): {"date","within","until","overdue","due","items":[{"kind","state","date",
 *   "days","record","subject","party":{"name","fingerprint","key"}|null,"tier"}]}, soonest
 *   first; kind one of the names of tx_due_kind_name. */
#ifndef TX_DUE_H
#define TX_DUE_H

#include "tx_client.h"

#include <jansson.h>
#include <stdio.h>

enum {
    TX_DUE_ANSWER = 0,          /* a request naming this organisation, not answered yet */
    TX_DUE_AWAITING,            /* a supplier has not answered this organisation's request */
    TX_DUE_ASSESSMENT,          /* this organisation's own assessment: valid until */
    TX_DUE_SUPPLIER_ASSESSMENT, /* a supplier's assessment granted to it: valid until */
    TX_DUE_CERT_EXPIRES,        /* a certificate (own or a supplier's) expires */
    TX_DUE_CERT_REPORT,         /* a certificate's next periodic report is due */
    TX_DUE_GRANT_GIVEN,         /* a grant this organisation gave ends */
    TX_DUE_GRANT_RECEIVED,      /* a grant to this organisation ends */
    TX_DUE_KIND_COUNT
};

#define TX_DUE_DEFAULT_DAYS 30
#define TX_DUE_MAX_DAYS 3660

typedef struct {
    int kind;
    int64_t date;
    int overdue;               /* date < now */
    uint8_t record[TX_ID_LEN]; /* the request, assessment, certificate or grant */
    int has_party;             /* party is set: the supplier, buyer or grantee concerned */
    uint8_t party[TX_KEY_LEN];
    char party_name[TX_NAME_MAX]; /* "" without a profile */
    uint32_t tier;                /* awaiting: 1 for a direct supplier, 2 for its suppliers...;
                                     else 0 */
    char subject[160];            /* questionnaire "id vN" or certificate number; may be "" */
} tx_due_item;

typedef struct {
    tx_due_item *v; /* soonest first */
    size_t n, overdue;
    int64_t now;
    int within; /* days */
} tx_due;

/* Everything due within `within` days of `now` (0: tx_now()) or overdue, from the cache.
 * Caller frees *out (tx_due_free). TX_ERR_NOMEM, the cache's errors, or the policy's (the
 * suppliers' assessments are verified as `verify` does). */
int tx_due_load(tx_client *c, int64_t now, int within, tx_due *out);

/* Refreshes the cache from the hub first: what `fetch` gets, plus the requests naming this
 * organisation and its own grants and revocations. Connection codes (TX_ERR_UNREACHABLE). */
int tx_due_fetch(tx_client *c);

/* Parses a window of days, 0 to TX_DUE_MAX_DAYS, given as `what` (the option or field named in
 * the message). TX_ERR_USAGE with a message otherwise. */
int tx_due_parse_within(const char *what, const char *s, int *out);

/* "answer", "awaiting", "assessment", "supplier_assessment", "certificate_expires",
 * "certificate_report", "grant_given", "grant_received". */
const char *tx_due_kind_name(int kind);

/* The JSON above. Caller owns. */
json_t *tx_due_json(const tx_due *d);

/* A table in the process's language, the JSON document, or (quiet) each item's record id on a
 * line of its own, soonest first. TX_OK or TX_ERR_IO. */
int tx_due_print(FILE *f, const tx_due *d, int json, int quiet);

void tx_due_free(tx_due *d);

#endif

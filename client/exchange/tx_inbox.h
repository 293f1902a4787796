/* The inbox: requests that name this organisation as a supplier (marked answered once one of
 * its grants names the request), grants addressed to it and revocations of those grants. A
 * cursor in the home remembers what was shown; `all` shows everything again. */
#ifndef TX_INBOX_H
#define TX_INBOX_H

#include "tx_client.h"
#include "tx_keys.h"
#include "tx_orgs.h"

#include <jansson.h>
#include <stdio.h>

typedef struct {
    int kind; /* TX_KIND_REQUEST, TX_KIND_GRANT or TX_KIND_GRANT_REVOKE */
    uint64_t index;
    uint8_t id[TX_ID_LEN];
    char from[TX_NAME_MAX]; /* signer's legal name, "" if it has no profile */
    char from_fp[TX_FP_LEN];
    int is_new;
    /* requests */
    uint8_t questionnaire[TX_ID_LEN];
    char questionnaire_name[96]; /* "tics-selfcheck v1", "" if not visible */
    int64_t due;
    uint32_t depth;
    char *note;
    int forwarded;                 /* sent on behalf of an original buyer */
    uint8_t on_behalf_of[TX_ID_LEN];
    uint8_t origin[TX_KEY_LEN];
    char origin_name[TX_NAME_MAX]; /* "" without a profile */
    char origin_fp[TX_FP_LEN];
    int answered;
    uint8_t answer[TX_ID_LEN]; /* the assessment granted for it, when answered */
    /* grants and revocations */
    uint8_t assessment[TX_ID_LEN];
    uint8_t request[TX_ID_LEN];
    int has_request;
    int64_t until;             /* grants: 0 = no end */
    uint8_t grant[TX_ID_LEN];  /* revocations: the grant withdrawn */
    int64_t when;              /* revocations: when the supplier signed it */
} tx_inbox_entry;

typedef struct {
    tx_inbox_entry *v;
    size_t n;
    size_t n_new;
} tx_inbox;

/* Lists the inbox (one pipelined round trip for requests, grants, revocations, profiles and
 * questionnaires). Only entries past the cursor unless `all`; the cursor then moves past
 * everything seen. */
int tx_inbox_load(tx_client *c, int all, tx_inbox *out);

/* The entry for one opened record (request, grant or revocation) if it is addressed to `me`:
 * a request naming it as a supplier, a grant or revocation naming it as grantee; else
 * TX_ERR_NOT_FOUND (one this organisation sent). orgs names the signer; questionnaires (may be
 * NULL) names a request's questionnaire. Caller clears *e (tx_inbox_entry_clear). */
int tx_inbox_entry_from(const tx_rec *r, const tx_identity *me, const tx_orgs *orgs,
                        const tx_recs *questionnaires, tx_inbox_entry *e);

/* A record a person signed comes from its organisation: when `people` (member records and
 * removals of any organisations) resolve r's signer to one, e names that organisation (its
 * legal name from orgs, its fingerprint). */
void tx_inbox_entry_org(tx_inbox_entry *e, const tx_rec *r, const tx_recs *people,
                        const tx_orgs *orgs);

void tx_inbox_entry_clear(tx_inbox_entry *e);

/* Writes the inbox as a table, as JSON, or (quiet) as ids one per line. */
int tx_inbox_print(FILE *f, const tx_inbox *in, int json, int quiet);

/* One entry on one line (what watch prints): text, a one-line JSON object, or (quiet) its id
 * (a request's, or the assessment's for grants and revocations). */
int tx_inbox_print_line(FILE *f, const tx_inbox_entry *e, int json, int quiet);

/* The inbox as `inbox --json` prints it ({"requests","grants","revocations"}), and one entry's
 * object (`with_kind` adds "kind", as `watch --json` prints it). Caller owns. */
json_t *tx_inbox_json(const tx_inbox *in);
json_t *tx_inbox_entry_json(const tx_inbox_entry *e, int with_kind);

void tx_inbox_free(tx_inbox *in);

#endif

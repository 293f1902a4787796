/* The inbox: requests that name this organisation as a supplier (marked answered once one of
 * its grants names the request) and grants addressed to it. A cursor in the home remembers
 * what was shown; `all` shows everything again. */
#ifndef TX_INBOX_H
#define TX_INBOX_H

#include "tx_client.h"
#include "tx_keys.h"

#include <stdio.h>

typedef struct {
    int kind; /* TX_KIND_REQUEST or TX_KIND_GRANT */
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
    int answered;
    uint8_t answer[TX_ID_LEN]; /* the assessment granted for it, when answered */
    /* grants */
    uint8_t assessment[TX_ID_LEN];
    uint8_t request[TX_ID_LEN];
    int has_request;
} tx_inbox_entry;

typedef struct {
    tx_inbox_entry *v;
    size_t n;
    size_t n_new;
} tx_inbox;

/* Lists the inbox (one pipelined round trip for requests, grants, profiles and questionnaires).
 * Only entries past the cursor unless `all`; the cursor then moves past everything seen. */
int tx_inbox_load(tx_client *c, int all, tx_inbox *out);

/* Writes the inbox as a table, as JSON, or (quiet) as ids one per line. */
int tx_inbox_print(FILE *f, const tx_inbox *in, int json, int quiet);

void tx_inbox_free(tx_inbox *in);

#endif

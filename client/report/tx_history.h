/* A history people can read: what happened, who did it, when and at which index of the hub's
 * log, from the verified records in the home's cache (no network). Requests, forwards, answers,
 * supersedes, grants (saying when one still waits for a second officer), second officers'
 * approvals and rejections, the organisations' settings, certificates and their events (annual
 * report, suspension, reinstatement, revocation). Only records proven in the hub's log count: the
 * others are left out and counted. Signers are named through tx_signer_describe. */
#ifndef TX_HISTORY_H
#define TX_HISTORY_H

#include "tx_home.h"
#include "tx_signer_name.h"

#include <jansson.h>
#include <stdio.h>

enum {
    TX_HIST_REQUESTED = 0,
    TX_HIST_FORWARDED,
    TX_HIST_ANSWERED,
    TX_HIST_SUPERSEDED,
    TX_HIST_GRANTED,
    TX_HIST_REVOKED,
    TX_HIST_APPROVED, /* a second officer's approval of a grant (kind 21) */
    TX_HIST_REJECTED, /* a revocation of a grant that waited for a second officer */
    TX_HIST_SETTINGS, /* the organisation's settings (kind 20): two officers on or off */
    TX_HIST_CERTIFIED,
    TX_HIST_CERT_REPORT,
    TX_HIST_CERT_SUSPENDED,
    TX_HIST_CERT_REINSTATED,
    TX_HIST_CERT_REVOKED,
    TX_HIST_KEY_ROTATED, /* the organisation's key replaced by a successor (kind 17) */
    TX_HIST_KEY_REVOKED, /* a key reported lost (kind 18) */
    TX_HIST_KEY_REENROLLED, /* a lost key replaced by the hub operator (kind 19) */
    TX_HIST_KIND_COUNT
};

typedef struct {
    int kind;
    int64_t at;                  /* the record's signed time (Meta.created) */
    uint8_t actor[TX_KEY_LEN];   /* the record's signer */
    int has_subject;             /* the organisation it concerns: supplier asked, grantee, */
    uint8_t subject[TX_KEY_LEN]; /* certificate holder */
    int has_about;               /* the assessment (answered, superseded: the old one, granted, */
    uint8_t about[TX_ID_LEN];    /* revoked, approved, rejected) or certificate (its events) */
    int has_request;             /* granted: the request it answers; forwarded: the original */
    uint8_t request[TX_ID_LEN];
    int has_grant; /* approved: the grant approved */
    uint8_t grant[TX_ID_LEN];
    uint8_t record[TX_ID_LEN];
    uint64_t log_index; /* from the record's proof marker; 0: not proven */
    char detail[160];
    char member[TX_NAME_MAX]; /* the person who signed for `actor` (its organisation), or "" */
} tx_history_event;

typedef struct {
    tx_history_event *v; /* newest first */
    size_t n;
    size_t unproven; /* records that would have been shown, left out: not proven */
    tx_signers signers;
    tx_recs people; /* member records and removals in the cache (tx_signer_resolve) */
} tx_history;

/* The history of everything in the cache (what = NULL), of one assessment's version line (what
 * is a prefix of its id, 8 to 64 hex digits: every version it supersedes or is superseded by,
 * their grants, revocations and the requests the grants answer) or of one organisation (name,
 * fingerprint or key id: records it signed or that name it). TX_ERR_USAGE when `what` names
 * neither (or several), the cache's errors. Caller frees with tx_history_free. */
int tx_history_load(tx_home *home, const char *what, tx_history *out);

/* "requested", "forwarded", "answered", ..., "approved", "rejected", "settings" (JSON and
 * CSV). */
const char *tx_history_kind_name(int kind);

/* {"events": [{"at", "kind", "actor": {"name", "fingerprint", "member"}, "subject": {"name",
 * "fingerprint"}|null, "assessment"|null, "certificate"|null, "request"|null, "grant"|null,
 * "record", "log_index", "detail"}], "left_out": N}. Caller owns. */
json_t *tx_history_json(const tx_history *h);

/* Writes the history as an aligned table (headings and events in the process's language) or
 * as CSV (RFC 4180, UTF-8 with a BOM, CRLF, every field quoted, names that a spreadsheet would
 * take for a formula neutralised). */
void tx_history_print_table(FILE *f, const tx_history *h);
void tx_history_print_csv(FILE *f, const tx_history *h);

void tx_history_free(tx_history *h);

#endif

/* Fetching what was granted to this organisation: every grant addressed to it, the revocations
 * of those grants, the sealed assessments they name (and newer ones that supersede them, which
 * the hub shows to the old one's grantees), the requests they answer, the questionnaires both
 * name and the signers' profiles, all stored in the home's cache as received (nothing is decrypted here; ticsx
 * verify does that from the cache). Also the public trust records: every certificate,
 * certificate event and accreditation on the hub (the certificate an assessment references is
 * inside its ciphertext, so all are kept; verify judges the one referenced). */
#ifndef TX_FETCH_H
#define TX_FETCH_H

#include "tx_client.h"
#include "tx_keys.h"

#include <jansson.h>
#include <stdio.h>

typedef struct {
    uint8_t grant[TX_ID_LEN];
    uint8_t assessment[TX_ID_LEN];
    char from[TX_NAME_MAX];
    char from_fp[TX_FP_LEN];
    int rc; /* TX_OK, or why the assessment could not be fetched */
    char why[256];
    int is_new; /* the assessment was not in the cache before */
} tx_fetch_item;

typedef struct {
    tx_fetch_item *v;
    size_t n;
    size_t n_certificates, n_cert_events, n_accreditations; /* trust records now cached */
    int trust_listed; /* 0 when the hub would not list them (the message was warned) */
    /* Evidence chunks of the assessments granted: got and cached now, cached before, not given
     * by the hub (not readable by this organisation, e.g. its grant revoked). */
    size_t evidence_fetched, evidence_cached, evidence_refused;
    size_t n_registers; /* register records now cached (public, like the trust records) */
    size_t n_members;   /* member records and removals now cached (public: they resolve the
                           signatures of organisations' people, client/verify/tx_signer) */
    size_t n_two_officers; /* organisations' settings and grant approvals now cached (kinds 20,
                              21: client/verify/tx_two_officers) */
} tx_fetched;

/* Lists grants and profiles in one round trip, then gets all sealed assessments and requests
 * at once, then all questionnaires at once. A record the hub will not give, or that does not
 * check, is reported per grant. Nothing is stored before every record got is proven in the
 * checkpoint accepted (then each gets a proof marker): a failed log check stores nothing.
 * With a witness quorum, records past the newest witnessed checkpoint accepted are left out
 * (not proven, not stored; an item relying on one gets TX_ERR_REFUSED, "not witnessed yet") and
 * counted on stderr (tx_log_check_warn_left_out).
 * Fails when the hub cannot be asked, when the log fails a check (TX_ERR_CHECKSUM), and with
 * TX_ERR_REFUSED when it refused to list certificates (what was listed is stored then). */
int tx_fetch_all(tx_client *c, tx_fetched *out);

int tx_fetch_print(FILE *f, const tx_fetched *fe, int json, int quiet);

/* The `fetch --json` document: {"assessments": [...], "trust": {...}, "evidence": {"fetched",
 * "cached", "refused"}}. Caller owns. */
json_t *tx_fetch_json(const tx_fetched *fe);

void tx_fetched_free(tx_fetched *fe);

#endif

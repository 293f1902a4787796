/* Judging one TICS certificate at one moment, for one assessment: a pinned accreditor
 * accredits the issuing body's key for the certificate's sector at its issue date; the holder
 * is the assessment's signer; the dates hold; events apply from their effective date; an
 * annual report came within the last 12 months. Each outcome is a status with a reason.
 *
 * Rules (documented in README.md, "TICS certificates"):
 *  - per accreditor and body key the accreditation with the highest seq counts; it covers a
 *    certificate issued at t when valid_from <= t < valid_until and its scopes hold "all" or
 *    the certificate's sector (ASCII case ignored). Only records signed by a pinned key count:
 *    one signed by any other key is reported as a forged accreditation.
 *  - a certificate is valid from `issued` up to (not including) `expires`.
 *  - events count only when signed by the certificate's issuer and effective at or before the
 *    moment judged; they apply in order of effective date (then seq): suspended until
 *    reinstated, revoked for good; the newest annual report (or the issue date when none)
 *    must be at most 365 days before the moment judged, else the certificate is stale.
 *  - order of verdicts: no certificate, unavailable, holder mismatch, not accredited, revoked,
 *    not yet valid, expired, suspended, stale, valid. */
#ifndef TX_CERT_JUDGE_H
#define TX_CERT_JUDGE_H

#include "tx_trust.h"

#include <jansson.h>
#include <stdint.h>

/* Certificate statuses, from best to the reasons a certificate does not count. */
enum {
    TX_CERT_VALID = 0,
    TX_CERT_NOT_YET_VALID,   /* the moment is before the issue date */
    TX_CERT_EXPIRED,         /* at or after the expiry date */
    TX_CERT_STALE,           /* no annual report for more than 12 months */
    TX_CERT_SUSPENDED,       /* suspended and not (yet) reinstated */
    TX_CERT_REVOKED,         /* revoked: final */
    TX_CERT_NOT_ACCREDITED,  /* no pinned accreditor accredits the issuer for it */
    TX_CERT_HOLDER_MISMATCH, /* the certificate belongs to another organisation */
    TX_CERT_NONE,            /* the assessment references no certificate */
    TX_CERT_UNAVAILABLE,     /* referenced, but the record is not here or does not verify */
};

#define TX_STALE_DAYS 365

/* "valid", "not_yet_valid", "expired", "stale", "suspended", "revoked", "not_accredited",
 * "holder_mismatch", "no_certificate", "unavailable". */
const char *tx_cert_status_name(int status);

/* The status's label in the process's language ("Periodic report overdue", 「定期報告の遅延」),
 * the web UI's words; "?" for an unknown status. Static storage. */
const char *tx_cert_status_label(int status);

/* True for a status that must make `verify` exit 1: anything but valid and no certificate. */
int tx_cert_status_problem(int status);

/* ---- judging one certificate ---- */

/* What a certificate says, for display. Strings are cut at a character boundary. */
typedef struct {
    int present; /* a certificate is referenced */
    int loaded;  /* and its record is in the set */
    uint8_t record[TX_ID_LEN];
    char number[128];
    uint8_t holder[TX_KEY_LEN];
    char holder_name[TX_NAME_MAX];
    char corporate_number[16];
    uint8_t issuer[TX_KEY_LEN];
    char issuer_name[TX_NAME_MAX]; /* from its accreditation, else its profile, else "" */
    char sector[64];
    char scope[512];
    uint32_t criteria_version;
    int64_t issued, expires;
} tx_cert_info;

typedef struct {
    int status;
    int64_t at;
    int64_t last_report; /* newest annual report effective at `at`, 0 if none */
    char reason[480];    /* one human sentence, also for valid */
} tx_cert_state;

/* Judges certificate `cert` (record id; NULL: the assessment references none) at `at`, for an
 * assessment signed by `holder` (NULL: no holder to check). info (may be NULL) receives what
 * the certificate says. Never fails: every outcome is a status with its reason. */
void tx_cert_evaluate(const tx_trust_set *ts, const uint8_t *cert, const uint8_t *holder,
                      int64_t at, tx_cert_info *info, tx_cert_state *out);

/* The state the issuer's events for certificate `cert` (an opened record of ts) leave at `at`
 * (INT64_MAX: all of them): revoked, suspended, and the newest annual report (0 if none). */
void tx_cert_event_state(const tx_trust_set *ts, const tx_rec *cert, int64_t at, int *revoked,
                         int *suspended, int64_t *last_report);

/* {"record","number","holder":{"name","corporate_number","key"},"issuer":{"name","key",
 * "fingerprint"},"sector","scope","criteria_version","issued","expires",
 * "as_of":{"date","status","reason","last_report"},"now":{...}}; record and the certificate's
 * own fields are null when no certificate is referenced or it is unavailable. as_of may be NULL
 * (then "as_of" is left out). Caller owns the result. */
json_t *tx_cert_json(const tx_cert_info *info, const tx_cert_state *as_of,
                     const tx_cert_state *now);

/* The certificate's chain step by step, as the UI's supplier page explains it (docs/ui-api.md):
 * [{"step":"accreditor","name","fingerprint","pinned"}, {"step":"accreditation","scope",
 * "from","until","ok"}, {"step":"body","name","fingerprint"}, {"step":"certificate","number",
 * "scope","sector","criteria_version","issued","expires","status","reason"}, {"step":"event",
 * "kind":"report"|"suspend"|"reinstate"|"revoke","effective","note"}...]: the accreditation
 * shown is the pinned one covering the certificate, else the newest pinned one, else any;
 * `now` (from tx_cert_evaluate) gives the certificate's status. [] when no certificate is
 * referenced; only the certificate step when its record is not in ts. Caller owns. */
json_t *tx_cert_chain_json(const tx_trust_set *ts, const tx_cert_info *info,
                           const tx_cert_state *now);

#endif

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
 *  - criteria: TICS began on 2018-09-25 and the 2024 criteria came into force on 2024-08-16;
 *    a certificate issued before the start, or on the 2024 criteria before they were in force,
 *    is invalid_criteria (tx_tics_criteria_ok). The codec accepts such a record: judging it is
 *    the verifier's work, refusing to issue it is `ticsx cert issue`'s.
 *  - a certificate is valid from `issued` up to (not including) `expires`.
 *  - events count only when signed by the certificate's issuer and effective at or before the
 *    moment judged; they apply in order of effective date (then seq): suspended until
 *    reinstated, revoked for good; the newest annual report (or the issue date when none)
 *    must be at most 365 days before the moment judged; late by up to the trust set's
 *    report_grace_days it is report_due (a warning), later still stale (tx_tics_report_state).
 *  - renewal: a certificate whose `renews` names an earlier one of the same holder key signed
 *    by the same body is its successor. An expired certificate whose successor (followed along
 *    the line, at most TX_RENEWAL_DEPTH steps) is valid or report_due at the moment judged is
 *    judged as that successor (status and a reason naming both), never as a bare "expired";
 *    the record and number shown stay the referenced one's, with renewed_by set.
 *  - order of verdicts: no certificate, unavailable, holder mismatch, not accredited, invalid
 *    criteria, revoked, not yet valid, expired (unless renewed, see above), suspended, stale,
 *    report due, valid. */
#ifndef TX_CERT_JUDGE_H
#define TX_CERT_JUDGE_H

#include "tx_trust.h"

#include <jansson.h>
#include <stdint.h>

/* Certificate statuses, from best to the reasons a certificate does not count. */
enum {
    TX_CERT_VALID = 0,
    TX_CERT_NOT_YET_VALID,    /* the moment is before the issue date */
    TX_CERT_EXPIRED,          /* at or after the expiry date */
    TX_CERT_STALE,            /* no annual report for more than 12 months */
    TX_CERT_SUSPENDED,        /* suspended and not (yet) reinstated */
    TX_CERT_REVOKED,          /* revoked: final */
    TX_CERT_NOT_ACCREDITED,   /* no pinned accreditor accredits the issuer for it */
    TX_CERT_HOLDER_MISMATCH,  /* the certificate belongs to another organisation */
    TX_CERT_NONE,             /* the assessment references no certificate */
    TX_CERT_UNAVAILABLE,      /* referenced, but the record is not here or does not verify */
    TX_CERT_REPORT_DUE,       /* the annual report is late, within the grace days: a warning */
    TX_CERT_INVALID_CRITERIA, /* issued before TICS began, or on criteria not yet in force */
    TX_CERT_STATUS_COUNT      /* the number of statuses (array sizes) */
};

#define TX_STALE_DAYS 365
#define TX_RENEWAL_DEPTH 16

/* 2018-09-25T00:00:00Z, the start of the scheme, and 2024-08-16T00:00:00Z, when the 2024
 * criteria came into force. */
#define TX_TICS_START 1537833600
#define TX_TICS_2024_IN_FORCE 1723766400

/* 1 when a TICS certificate on `criteria` (2018 or 2024) may have been issued on `issued`;
 * else 0 and the sentence why not in why (process language; may be NULL), e.g. "a certificate
 * on the 2024 criteria cannot be issued before 2024-08-16, when they came into force". */
int tx_tics_criteria_ok(uint32_t criteria, int64_t issued, char *why, size_t n);

/* The periodic report rule at `at`: the newest annual report (last_report, 0 if none), else the
 * issue date, must be at most TX_STALE_DAYS days before `at`. *next_due (may be NULL) gets the
 * date the next report is due (that moment + 365 days). 0 ok, 1 due: late by at most grace_days
 * days, 2 stale: later than that. */
int tx_tics_report_state(int64_t issued, int64_t last_report, int64_t at, int grace_days,
                         int64_t *next_due);

/* "valid", "not_yet_valid", "expired", "stale", "suspended", "revoked", "not_accredited",
 * "holder_mismatch", "no_certificate", "unavailable", "report_due", "invalid_criteria". */
const char *tx_cert_status_name(int status);

/* The status's label in the process's language ("Periodic report overdue", 「定期報告の遅延」),
 * the web UI's words; "?" for an unknown status. Static storage. */
const char *tx_cert_status_label(int status);

/* True for a status that must make `verify` exit 1: anything but valid, report due (a warning)
 * and no certificate. */
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
    int has_renews;            /* the certificate names one it renews */
    uint8_t renews[TX_ID_LEN]; /* that one's record id */
    char renews_number[128];   /* and its number when its record is in the set, else "" */
} tx_cert_info;

typedef struct {
    int status;
    int64_t at;
    int64_t last_report;           /* newest annual report effective at `at`, 0 if none */
    int64_t next_report_due;       /* when the next annual report is due, 0 when not applicable */
    int renewed;                   /* the certificate expired; the judgement is its successor's */
    uint8_t renewed_by[TX_ID_LEN]; /* that successor's record id (renewed set) */
    char renewed_by_number[128];
    int64_t renewed_by_expires;
    char reason[480]; /* one human sentence, also for valid */
} tx_cert_state;

/* Judges certificate `cert` (record id; NULL: the assessment references none) at `at`, for an
 * assessment signed by `holder` (NULL: no holder to check). info (may be NULL) receives what
 * the certificate says. Never fails: every outcome is a status with its reason. */
void tx_cert_evaluate(const tx_trust_set *ts, const uint8_t *cert, const uint8_t *holder,
                      int64_t at, tx_cert_info *info, tx_cert_state *out);

/* True when certificate record `next` renews `old`: it names old's record id in renews, the
 * same body signed both, and both have the same holder key. */
int tx_cert_is_renewal(const tx_rec *next, const tx_rec *old);

/* The state the issuer's events for certificate `cert` (an opened record of ts) leave at `at`
 * (INT64_MAX: all of them): revoked, suspended, and the newest annual report (0 if none). */
void tx_cert_event_state(const tx_trust_set *ts, const tx_rec *cert, int64_t at, int *revoked,
                         int *suspended, int64_t *last_report);

/* {"record","number","holder":{"name","corporate_number","key"},"issuer":{"name","key",
 * "fingerprint"},"sector","scope","criteria_version","issued","expires","renews":{"record",
 * "number"}|null, "as_of":{"date","status","reason","last_report","next_report_due",
 * "renewed_by":{"record","number","expires"}|null},"now":{...}}; record and the certificate's
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

/* A verdict's credentials, judged here: the TICS certificate signed by a body (from the
 * certificate judgement, tx_cert_judge.h) first, then each credential the supplier declares in
 * its assessment (Credential), judged at the assessment's as-of date and now against the
 * dates, the TICS rules (criteria, periodic report with the buyer's grace days), the
 * accredited bodies register, the signer's verified profile (holder), the trusted public
 * registers (listed or not) and the evidence files' checks. The verdict owns the list.
 *
 * Statuses, from what proves most to the problems (names stable, JSON "status"):
 *   valid         signed by a body a pinned accreditor accredits (signed only)
 *   listed        declared, and a trusted register of the right date lists it for this holder
 *   declared      declared with its document checked; nothing else confirms it
 *   report_due    the periodic report is late, within the buyer's grace days (warning)
 *   applied, under_audit   an application in progress (warning)
 *   not_yet_valid, expired, stale, suspended, revoked, not_accredited, holder_mismatch,
 *   invalid_criteria, register_mismatch, evidence_failed, unavailable   (problems) */
#ifndef TX_CRED_H
#define TX_CRED_H

#include "tx_cred_words.h"
#include "tx_home.h"
#include "tx_trust.h"
#include "tx_verify.h"

#include <jansson.h>
#include <stdint.h>

enum { TX_CRED_OK = 0, TX_CRED_WARNING = 1, TX_CRED_PROBLEM = 2 };

#define TX_CRED_MAX_FILES 8

/* One evidence file a credential names, with the result of its check. */
typedef struct {
    char name[128];
    char media_type[64];
    uint64_t size;
    int has_hash;
    uint8_t sha256[32];
    int status; /* TX_EVIDENCE_CHECKED, _MISSING, _MISMATCH (tx_evidence_check.h) */
} tx_cred_file;

/* One credential of the unified list. Strings "" when absent (JSON null). */
typedef struct tx_cred {
    char scheme[16]; /* tics, isms, tisax, pmark, audit */
    int signed_;     /* 1: a Certificate signed by a body; 0: declared */
    char state[16];  /* certified, applied, under_audit */
    int status;      /* TX_CRED_* */
    char reason[512];
    char number[128], body[256], holder_name[256], corporate_number[16];
    char scope[512], standard[128];
    uint32_t criteria_version; /* TICS: 2018 or 2024; 0 otherwise */
    int64_t issued, expires, last_report, next_report_due, expected;
    char renews[128];
    int has_record;
    uint8_t record[32];
    int has_register; /* a trusted register was consulted */
    char reg_list[64], reg_publisher[256], reg_fingerprint[80];
    int64_t reg_as_of;
    char reg_match[16]; /* listed, other_holder, other_body, not_listed */
    tx_cred_file files[TX_CRED_MAX_FILES];
    size_t n_files;
} tx_cred;

/* "valid", "listed", ... (the list above); "unavailable" for an unknown status. */
const char *tx_cred_status_name(int status);

/* The status's label in the process's language (「登録簿に掲載」), the same words in the CLI,
 * the reports and the UI. Static storage. */
const char *tx_cred_status_label(int status);

/* TX_CRED_OK, TX_CRED_WARNING or TX_CRED_PROBLEM; and its name "ok", "warning", "problem". */
int tx_cred_severity(int status);
const char *tx_cred_severity_name(int severity);

/* The scheme's label ("TICS", "ISMS (ISO/IEC 27001)", 「プライバシーマーク」) and the state's
 * (「申請中」); the input itself when unknown. Static storage or the input. */
const char *tx_cred_scheme_label(const char *scheme);
const char *tx_cred_state_label(const char *state);

/* t plus `years` calendar years (29 February to 28 February). */
int64_t tx_cred_add_years(int64_t t, int years);

/* Judges the credentials of every verdict whose inner assessment was read, filling each
 * verdict's creds/n_creds (owned by the verdict). `ts` gives the grace days of the periodic
 * report (ts->report_grace_days). TX_ERR_NOMEM only; every outcome is a status. */
int tx_cred_judge_all(tx_home *home, const tx_trust_set *ts, tx_verdicts *vs);

/* The row's "credentials" member: [{"scheme","source","state","status","severity","reason",
 * "number","body","holder_name","corporate_number","scope","standard","criteria_version",
 * "issued","expires","last_report","next_report_due","expected","renews","record",
 * "register","evidence"}] (the report's JSON contract). Caller owns. */
json_t *tx_cred_json(const tx_cred *v, size_t n);

/* tx_cred_json of a verdict's list (the report row's and verify's "credentials"). */
json_t *tx_cred_verdict_json(const tx_verdict *v);

/* Number of credentials whose severity is problem. */
size_t tx_cred_problems(const tx_cred *v, size_t n);

#endif

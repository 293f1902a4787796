/* The names and words of credential schemes and statuses: the stable ASCII names of the
 * report's "credentials" members (tx_cred_schemes, tx_cred_statuses) and their words in the
 * process's language. One table for the judgement (client/verify/tx_cred.h), the acceptance
 * policy (tx_policy_rule.h) and the reports. */
#ifndef TX_CRED_WORDS_H
#define TX_CRED_WORDS_H

/* Statuses of a credential, best first; the names in tx_cred_statuses in this order. */
enum {
    TX_CRED_VALID = 0,
    TX_CRED_LISTED,
    TX_CRED_DECLARED,
    TX_CRED_REPORT_DUE,
    TX_CRED_APPLIED,
    TX_CRED_UNDER_AUDIT,
    TX_CRED_NOT_YET_VALID,
    TX_CRED_EXPIRED,
    TX_CRED_STALE,
    TX_CRED_SUSPENDED,
    TX_CRED_REVOKED,
    TX_CRED_NOT_ACCREDITED,
    TX_CRED_HOLDER_MISMATCH,
    TX_CRED_INVALID_CRITERIA,
    TX_CRED_REGISTER_MISMATCH,
    TX_CRED_EVIDENCE_FAILED,
    TX_CRED_UNAVAILABLE,
    TX_CRED_COUNT_
};

/* Schemes: "tics", "isms", "tisax", "pmark", "audit", in this order. */
enum { TX_CRED_SCHEME_COUNT = 5 };

extern const char *const tx_cred_schemes[TX_CRED_SCHEME_COUNT];
extern const char *const tx_cred_statuses[TX_CRED_COUNT_];

/* The index of a scheme or status name, -1 when it is none. */
int tx_cred_scheme_find(const char *name);
int tx_cred_status_find(const char *name);

/* The word of a scheme ("TICS", "third-party audit report") or status ("Valid", 「登録簿に掲載」)
 * in the process's language, or in English when en; "-" out of range. Static storage. */
const char *tx_cred_scheme_word(int scheme, int en);
const char *tx_cred_status_word(int status, int en);

#endif

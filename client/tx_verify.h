/* Verification of granted assessments, on this machine, from the bytes in the cache; the hub
 * is trusted for nothing. Per assessment: grant and sealed record verify; the grant, sealed
 * and inner signers are one organisation; the grant names this organisation; the content key
 * opens with this organisation's seal key; the ciphertext opens (AD = questionnaire id); the
 * inner envelope verifies and is an assessment; it names the sealed record's questionnaire;
 * the questionnaire record verifies; a request the grant names is this organisation's and asks
 * for that questionnaire; the answers fit the questionnaire; the dates hold (as-of not in the
 * future, valid-until not past: else "expired"). */
#ifndef TX_VERIFY_H
#define TX_VERIFY_H

#include "tx_codec.h"
#include "tx_home.h"
#include "tx_keys.h"

#include <stdio.h>

enum { TX_VERIFIED = 0, TX_EXPIRED = 1, TX_FAILED = 2 };

typedef struct {
    uint8_t assessment[TX_ID_LEN];
    uint8_t grant[TX_ID_LEN];
    uint8_t supplier[TX_KEY_LEN]; /* the grant's signer */
    char supplier_name[TX_NAME_MAX];
    char supplier_fp[TX_FP_LEN];
    int status;                 /* TX_VERIFIED, TX_EXPIRED, TX_FAILED */
    char reason[320];           /* why not verified; "" when verified */
    int64_t as_of, valid_until; /* 0 when not decrypted */
    uint64_t seq;               /* the sealed record's sequence number */
    uint8_t questionnaire[TX_ID_LEN];
    int has_request;
    uint8_t request[TX_ID_LEN];
    tx_questionnaire_pb *q;  /* owned; set once the questionnaire verified */
    tx_assessment_pb *inner; /* owned; set once decrypted and verified */
} tx_verdict;

typedef struct {
    tx_verdict *v;
    size_t n;
} tx_verdicts;

/* Verifies every assessment granted to `me` that is in the cache, or only the one whose id
 * starts with `only` (hex, may be NULL). With `only`, grants for that assessment that name
 * someone else are judged too, so a non-grantee gets a "not granted" verdict rather than
 * silence; TX_ERR_NOT_FOUND if the cache holds no grant for it. The return code is about
 * running the checks; each verdict says how its assessment fared. */
int tx_verify_all(tx_home *home, const char *only, tx_verdicts *out);

/* Number of verdicts that are not TX_VERIFIED. */
size_t tx_verify_failures(const tx_verdicts *vs);

/* Table (assessment, supplier, fingerprint, verdict and reason), JSON, or ids of verified
 * assessments (quiet). */
int tx_verify_print(FILE *f, const tx_verdicts *vs, int json, int quiet);

/* "verified", "expired" or "failed". */
const char *tx_verdict_name(int status);

void tx_verdicts_free(tx_verdicts *vs);

#endif

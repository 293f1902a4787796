/* Evidence files, reader side: from the home's cache, per EvidenceRef of a decrypted inner
 * assessment, the chunks are read, decrypted with the file key (AD "ticsx-evidence-v1" ||
 * SHA-256(file) || index u32 big-endian), reassembled in order and checked against the size and
 * SHA-256 the signed assessment states. A chunk not in the cache is "missing" (fetch first, or
 * the hub no longer serves it); one that does not open, is signed by another organisation (a
 * key neither the supplier's nor one of its people's), or a file whose size or hash differs is
 * "mismatch". Only a checked file is ever handed out. */
#ifndef TX_EVIDENCE_CHECK_H
#define TX_EVIDENCE_CHECK_H

#include "tx_home.h"
#include "tx_verify.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum { TX_EVIDENCE_CHECKED = 0, TX_EVIDENCE_MISSING = 1, TX_EVIDENCE_MISMATCH = 2 };

/* One file's result (tx_verdict.evidence[i] is Assessment.evidence[i]). */
typedef struct tx_evidence_result {
    char *name;       /* owned */
    char *media_type; /* owned */
    uint64_t size;
    uint8_t sha256[32];
    int status;       /* TX_EVIDENCE_* */
    char reason[256]; /* why missing or mismatch (process language); "" when checked */
} tx_evidence_result;

/* "checked", "missing", "mismatch" (stable, for JSON). */
const char *tx_evidence_status_name(int status);

/* The status's label in the process's language ("checked" / 「確認済み」). Static storage. */
const char *tx_evidence_status_label(int status);

/* Checks every file of `inner` from the cache of `home`, its chunks signed by one of the
 * n_signers keys (the supplier's and its people's). *out has n elements (Assessment.evidence
 * order); n 0 and *out NULL when none. Caller owns *out (tx_evidence_results_free).
 * TX_ERR_NOMEM only: each file's outcome is its status. */
int tx_evidence_check_all(tx_home *home, const tx_assessment_pb *inner,
                          const uint8_t (*signers)[TX_KEY_LEN], size_t n_signers,
                          tx_evidence_result **out, size_t *n);

void tx_evidence_results_free(tx_evidence_result *r, size_t n);

/* The result of the verdict's file `name`, or NULL when the assessment has no such file (for
 * Credential.evidence names). */
const tx_evidence_result *tx_evidence_find(const tx_verdict *v, const char *name);

/* [{"name","media_type","size","sha256","status"}] for a verdict's files ([] when none). */
json_t *tx_evidence_json(const tx_evidence_result *r, size_t n);

/* The bytes of the verdict's file `name` (NULL: the only file), decrypted and checked again
 * now; its media type into media_type (size n). TX_ERR_NOT_FOUND (no such file, or the
 * assessment was not decrypted), TX_ERR_USAGE (NULL name and more than one file),
 * TX_ERR_MISSING_REF (chunks not in the cache), TX_ERR_CHECKSUM (mismatch: refused), each with
 * a message (tx_fail). Caller owns *data (free). */
int tx_evidence_open(tx_home *home, const tx_verdict *v, const char *name, uint8_t **data,
                     size_t *len, char *media_type, size_t n);

#endif

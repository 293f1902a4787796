/* Evidence files attached to an assessment, sender side: each file is read whole (at most
 * TX_EVIDENCE_FILE_MAX bytes, all files at most TX_EVIDENCE_TOTAL_MAX), cut into pieces of
 * TX_EVIDENCE_CHUNK bytes, each encrypted with a fresh 32-byte file key (XChaCha20-Poly1305,
 * AD "ticsx-evidence-v1" || SHA-256(file) || index as u32 big-endian), signed as EvidenceChunk
 * records with this organisation's key and sequence numbers, and submitted in batches; the
 * EvidenceRef that binds them (name, media type, size, hash, key, chunk ids) goes into the
 * inner assessment, the chunk ids into the sealed one (tx_answer.c). */
#ifndef TX_EVIDENCE_H
#define TX_EVIDENCE_H

#include "tx_client.h"
#include "tx_codec.h"

#include <stddef.h>
#include <stdint.h>

/* One file to attach. */
typedef struct {
    const char *path;       /* the file on disk */
    const char *name;       /* its name in the assessment (unique there, no directory); NULL:
                               the last component of path */
    const char *media_type; /* NULL: from the name's extension (tx_evidence_media_type) */
} tx_attachment;

/* The files as sent: refs[i] is attachment i (owned, with its name, media type, key and chunk
 * ids); chunks lists every chunk id of every file (SealedAssessment.evidence). */
typedef struct {
    tx_evidence_ref_pb **refs;
    size_t n;
    uint8_t (*chunks)[TX_ID_LEN];
    size_t n_chunks;
    size_t sent;   /* chunks signed and submitted now */
    size_t reused; /* chunks of a file sent before (same SHA-256), listed again */
} tx_evidence_set;

/* The attachment's name in the assessment: its name, else the last component of its path. */
const char *tx_attachment_name(const tx_attachment *a);

/* Checks the attachments before anything is signed: each readable regular file, at most
 * TX_EVIDENCE_FILE_MAX bytes, all together at most TX_EVIDENCE_TOTAL_MAX, names unique, not
 * empty, without '/' and within the name limit. TX_ERR_TOO_LARGE, TX_ERR_USAGE, TX_ERR_IO with
 * a message naming the file (tx_fail). n == 0 is fine. */
int tx_evidence_check(const tx_attachment *a, size_t n);

/* Checks (tx_evidence_check), then encrypts, signs and submits the chunks of every attachment
 * (a file sent before by this home, same SHA-256, reuses its key and chunks unless they are no
 * longer in the home's index), filling *out. The chunks are stored at the hub when this
 * returns TX_OK; the file keys stay in the home (attachments/<sha256 hex>, 0600) for reuse.
 * Caller owns *out (tx_evidence_set_free). Codes as tx_evidence_check, TX_ERR_REFUSED when the
 * hub refused a chunk, connection codes. */
int tx_evidence_send(tx_client *c, const tx_attachment *a, size_t n, tx_evidence_set *out);

void tx_evidence_set_free(tx_evidence_set *s);

/* "application/pdf", "image/png", "image/jpeg", "text/plain", ... from the name's extension;
 * "application/octet-stream" when unknown. Static storage. */
const char *tx_evidence_media_type(const char *name);

/* The files an approved draft carries (its inner assessment's refs, sent by the responder who
 * prepared it), copied into *out as tx_evidence_send would have made them (sent and reused stay
 * 0), after the same limits: each ref complete and consistent (name, media type, SHA-256, key,
 * size at most TX_EVIDENCE_FILE_MAX and its number of chunks), names unique, all together at
 * most TX_EVIDENCE_TOTAL_MAX. TX_ERR_MALFORMED or TX_ERR_TOO_LARGE naming `what` and the file.
 * Caller owns *out (tx_evidence_set_free). */
int tx_evidence_from_refs(const char *what, tx_evidence_ref_pb *const *refs, size_t n,
                          tx_evidence_set *out);

#endif

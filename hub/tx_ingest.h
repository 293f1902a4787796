/* Ingest: the rules a submitted record must pass before it is stored. Stateless checks
 * (decode, signature, caller == signer, payload) run in tx_ingest_prepare; checks that need
 * the store (enrolled, duplicate, sequence, references) run in tx_ingest_apply inside the
 * batch's write transaction, so records of one batch see each other. */
#ifndef TX_INGEST_H
#define TX_INGEST_H

#include "tx_reply.h"
#include "tx_store.h"

#include <stddef.h>
#include <stdint.h>

typedef struct tx_submission tx_submission;

/* Decodes and verifies `buf` submitted by `caller` (its signing key). On TX_OK *out is ready for
 * tx_ingest_apply; otherwise *out is NULL, `res` holds the refusal and the code says which
 * (TX_ERR_BAD_SIGNATURE, TX_ERR_FORBIDDEN, TX_ERR_MALFORMED, ...). `buf` is borrowed and must
 * outlive *out. Caller owns *out (tx_submission_destroy). */
int tx_ingest_prepare(const uint8_t caller[TX_KEY_LEN], const uint8_t *buf, size_t len,
                      tx_submission **out, tx_outcome *res);

/* tx_ingest_prepare for a call by a person of organisation `caller` (person: its signing key,
 * as the hub's ZAP handler named it; NULL: the organisation's own key). The record must be
 * signed by the person's key and is of the organisation: tx_ingest_apply checks that the
 * person may still act and that its role lets it submit. A member never submits what only the
 * organisation key signs (member records, key successors); a successor of the organisation's
 * key (kind 17) in force is a person who acts as the organisation. */
int tx_ingest_prepare_as(const uint8_t caller[TX_KEY_LEN], const uint8_t *person,
                         const uint8_t *buf, size_t len, tx_submission **out, tx_outcome *res);

/* Applies the store rules and appends the record to batch `b`. TX_OK means `res` holds the
 * verdict (accepted, duplicate or refused); any other code is a storage failure that killed
 * the batch (TX_ERR_STORAGE_FULL, ...), with `res` set to match. */
int tx_ingest_apply(tx_batch *b, const tx_submission *sub, tx_outcome *res);

/* The record id of a prepared submission. Borrowed. */
const uint8_t *tx_submission_id(const tx_submission *sub);

/* The Merkle leaf hash of a prepared submission, hashed with its id: the stored record's
 * whenever the id is stored (the same bytes). Borrowed. */
const uint8_t *tx_submission_leaf(const tx_submission *sub);

/* The record kind of a prepared submission. */
int tx_submission_kind(const tx_submission *sub);

/* Frees; *sub_p becomes NULL. NULL is fine. */
void tx_submission_destroy(tx_submission **sub_p);

/* Admits an organisation: verifies the signed OrgProfile in `buf`, checks its sequence number
 * against the signer's last, appends it and maps its transport key, in its own transaction.
 * Same bytes again: accepted as a duplicate. TX_OK means `res` holds the verdict; `name` (size
 * n) receives the legal name when the profile decodes. Other codes are storage failures. */
int tx_ingest_enroll(tx_store *s, const uint8_t *buf, size_t len, tx_outcome *res, char *name,
                     size_t n);

/* Another member already holds the profile's corporate number, or its legal name with the same
 * corporate number: tx_ingest_enroll refuses (FORBIDDEN) unless this flag is given, and then
 * warns on the log naming both. */
#define TX_ENROLL_ALLOW_DUPLICATE_NAME 1u

/* tx_ingest_enroll with TX_ENROLL_* flags. */
int tx_ingest_enroll_with(tx_store *s, const uint8_t *buf, size_t len, unsigned flags,
                          tx_outcome *res, char *name, size_t n);

#endif

/* Ingest rules of the records that change an organisation's keys: a key successor (kind 17). */
#ifndef TX_INGEST_KEYS_H
#define TX_INGEST_KEYS_H

#include "tx_reply.h"
#include "tx_store.h"

/* A key successor `r` signed by `signer` for organisation `author`: the successor's proof
 * holds; it names `author` and its signer as the key replaced; the signer is the organisation's
 * key in force (its enrolled key, or a successor of it: the caller checked it may act); the
 * signer names no other successor; the successor's signing and transport keys are nobody's
 * at this hub. TX_OK when it may be stored, else the refusal in res. */
int tx_ingest_key_successor(tx_batch *b, const uint8_t signer[TX_KEY_LEN],
                            const uint8_t author[TX_KEY_LEN], const tx_key_successor_pb *r,
                            tx_outcome *res);

/* A key revocation `r` signed by `signer` for organisation `author` (the caller checked the
 * signer is its key in force): it names `author`; the key is a member's of it or a key of its
 * own that a successor replaced (never the key in force); its date is not in the future (the
 * hub refuses the key at once). TX_OK when it may be stored, else the refusal in res. */
int tx_ingest_key_revocation(tx_batch *b, const uint8_t signer[TX_KEY_LEN],
                             const uint8_t author[TX_KEY_LEN], const tx_key_revocation_pb *r,
                             tx_outcome *res);

/* What the hub operator gives `ticsx-hub reenroll`. */
typedef struct {
    const uint8_t *profile; /* the new profile envelope (profile.tx of the new home) */
    size_t profile_len;
    const char *replaces;     /* the enrolled organisation's fingerprint (SHA256:...) */
    int64_t compromised_from; /* 0: not reported compromised */
    int64_t now;              /* the effective date */
} tx_reenrol_args;

/* Re-enrols an organisation that lost its key in force, in one write transaction: the new
 * profile must verify and carry the legal name and corporate number (required) of the enrolled
 * organisation `replaces` names; its keys must be nobody's at the hub. Writes a key
 * re-enrolment (kind 19) signed by the hub's key `hub`: the new key replaces the key in force
 * from now. TX_OK means res holds the verdict (OK, FORBIDDEN or BAD_REQUEST); other codes are
 * storage failures. */
int tx_ingest_reenrol(tx_store *s, const tx_identity *hub, const tx_reenrol_args *a,
                      tx_outcome *res);

#endif

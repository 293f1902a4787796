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

#endif

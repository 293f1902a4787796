/* End-to-end sealing of assessments: the signed inner envelope is encrypted with a fresh
 * content key (XChaCha20-Poly1305); each grant carries that key sealed to one reader's X25519
 * key (crypto_box_seal). The hub never holds a key that opens either. */
#ifndef TX_SEAL_H
#define TX_SEAL_H

#include "tx_codec.h"
#include "tx_keys.h"

#include <stddef.h>
#include <stdint.h>

#define TX_CONTENT_KEY_LEN 32

/* Encrypts plain with a fresh random key. *key must be TX_CONTENT_KEY_LEN bytes of
 * sodium_malloc'd memory the caller provides; nonce receives 24 bytes. The associated data
 * binds the ciphertext to the questionnaire id. Caller owns *ct (free). */
int tx_seal_content(const uint8_t *plain, size_t len, const uint8_t qid[TX_ID_LEN], uint8_t *key,
                    uint8_t nonce[TX_NONCE_LEN], uint8_t **ct, size_t *ct_len);

/* Decrypts; TX_ERR_DECRYPT if the key, nonce, id or ciphertext is wrong. Caller owns *plain. */
int tx_open_content(const uint8_t *ct, size_t ct_len, const uint8_t qid[TX_ID_LEN],
                    const uint8_t *key, const uint8_t nonce[TX_NONCE_LEN], uint8_t **plain,
                    size_t *len);

/* Seals a content key to a reader's X25519 public key. */
int tx_seal_key(const uint8_t *key, const uint8_t seal_pk[32], uint8_t out[TX_SEALED_KEY_LEN]);

/* Opens a sealed content key with id's sealing key into key (TX_CONTENT_KEY_LEN bytes,
 * caller-provided sodium_malloc'd memory). TX_ERR_WRONG_KEY if it was sealed to someone else. */
int tx_open_key(const tx_identity *id, const uint8_t sealed[TX_SEALED_KEY_LEN], uint8_t *key);

#endif

/* Content encryption and key sealing for assessments. */
#include "tx_seal.h"

#include "tx_error.h"

#include <sodium.h>
#include <stdlib.h>

int
tx_seal_content(const uint8_t *plain, size_t len, const uint8_t qid[TX_ID_LEN], uint8_t *key,
                uint8_t nonce[TX_NONCE_LEN], uint8_t **ct, size_t *ct_len)
{
    unsigned long long n = 0;
    uint8_t *out = malloc(len + crypto_aead_xchacha20poly1305_ietf_ABYTES);

    if (out == NULL) {
        return TX_ERR_NOMEM;
    }
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    randombytes_buf(nonce, TX_NONCE_LEN);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out, &n, plain, len, qid, TX_ID_LEN, NULL, nonce,
                                               key);
    *ct = out;
    *ct_len = (size_t)n;
    return TX_OK;
}

int
tx_open_content(const uint8_t *ct, size_t ct_len, const uint8_t qid[TX_ID_LEN],
                const uint8_t *key, const uint8_t nonce[TX_NONCE_LEN], uint8_t **plain,
                size_t *len)
{
    unsigned long long n = 0;
    uint8_t *out;

    *plain = NULL;
    if (ct_len < crypto_aead_xchacha20poly1305_ietf_ABYTES) {
        return TX_ERR_DECRYPT;
    }
    out = malloc(ct_len);
    if (out == NULL) {
        return TX_ERR_NOMEM;
    }
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &n, NULL, ct, ct_len, qid, TX_ID_LEN,
                                                   nonce, key) != 0) {
        free(out);
        return TX_ERR_DECRYPT;
    }
    *plain = out;
    *len = (size_t)n;
    return TX_OK;
}

int
tx_seal_key(const uint8_t *key, const uint8_t seal_pk[32], uint8_t out[TX_SEALED_KEY_LEN])
{
    return crypto_box_seal(out, key, TX_CONTENT_KEY_LEN, seal_pk) == 0 ? TX_OK : TX_ERR_CRYPTO;
}

int
tx_open_key(const tx_identity *id, const uint8_t sealed[TX_SEALED_KEY_LEN], uint8_t *key)
{
    if (crypto_box_seal_open(key, sealed, TX_SEALED_KEY_LEN, id->pub.seal, id->sec->seal) != 0) {
        return TX_ERR_WRONG_KEY;
    }
    return TX_OK;
}

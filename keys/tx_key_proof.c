/* The statement a key successor signs, and its signature. */
#include "tx_key_proof.h"

#include "tx_error.h"

#include <sodium.h>
#include <string.h>

#define DOMAIN "ticsx key-successor v1"
#define STATEMENT_LEN (sizeof DOMAIN + 5 * TX_KEY_LEN + 8)

/* DOMAIN 0x00 || organisation || predecessor || signing_key || seal_key || transport_key ||
 * effective, big-endian. */
static void
statement(const tx_key_successor_pb *r, uint8_t out[STATEMENT_LEN])
{
    const ProtobufCBinaryData *keys[] = {&r->organisation, &r->predecessor, &r->signing_key,
                                         &r->seal_key, &r->transport_key};
    uint64_t e = (uint64_t)r->effective;
    size_t at = sizeof DOMAIN;

    memcpy(out, DOMAIN, sizeof DOMAIN); /* with its NUL */
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++, at += TX_KEY_LEN) {
        memcpy(out + at, keys[i]->data, TX_KEY_LEN);
    }
    for (int i = 7; i >= 0; i--, e >>= 8) {
        out[at + (size_t)i] = (uint8_t)(e & 0xff);
    }
}

int
tx_key_proof_sign(const tx_identity *successor, tx_key_successor_pb *r, uint8_t sig[TX_SIG_LEN])
{
    uint8_t st[STATEMENT_LEN];

    if (r->signing_key.len != TX_KEY_LEN ||
        memcmp(r->signing_key.data, successor->pub.sign, TX_KEY_LEN) != 0) {
        return TX_ERR_BAD_KEY;
    }
    statement(r, st);
    crypto_sign_detached(sig, NULL, st, sizeof st, successor->sec->sign);
    r->proof = (ProtobufCBinaryData){TX_SIG_LEN, sig};
    return TX_OK;
}

int
tx_key_proof_ok(const tx_key_successor_pb *r)
{
    uint8_t st[STATEMENT_LEN];

    if (r->proof.len != TX_SIG_LEN || r->signing_key.len != TX_KEY_LEN) {
        return 0;
    }
    statement(r, st);
    return crypto_sign_verify_detached(r->proof.data, st, sizeof st, r->signing_key.data) == 0;
}

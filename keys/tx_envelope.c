/* Envelope signing and verification over the pre-authentication encoding. */
#include "tx_envelope.h"

#include "tx_error.h"
#include "tx_merkle.h"
#include "tx_sha256.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
tx_pae(const char *type, const uint8_t *body, size_t body_len, uint8_t **out, size_t *len)
{
    size_t tlen = strlen(type);
    char head[64];
    int h1, h2;
    uint8_t *buf;

    /* "DSSEv1 <len(type)> <type> <len(body)> <body>" */
    h1 = snprintf(head, sizeof head, "DSSEv1 %zu ", tlen);
    buf = malloc((size_t)h1 + tlen + 32 + body_len);
    if (buf == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(buf, head, (size_t)h1);
    memcpy(buf + h1, type, tlen);
    h2 = snprintf(head, sizeof head, " %zu ", body_len);
    memcpy(buf + h1 + tlen, head, (size_t)h2);
    if (body_len > 0) {
        memcpy(buf + h1 + tlen + h2, body, body_len);
    }
    *out = buf;
    *len = (size_t)h1 + tlen + (size_t)h2 + body_len;
    return TX_OK;
}

int
tx_envelope_sign(const tx_identity *id, int kind, const uint8_t *payload, size_t payload_len,
                 uint8_t **out, size_t *out_len)
{
    tx_envelope_pb env = TICSX__V1__ENVELOPE__INIT;
    const char *type = tx_kind_payload_type(kind);
    uint8_t sig[TX_SIG_LEN];
    uint8_t *pae;
    size_t pae_len;
    int rc;

    if (type == NULL) {
        return TX_ERR_USAGE;
    }
    if ((rc = tx_pae(type, payload, payload_len, &pae, &pae_len)) != TX_OK) {
        return rc;
    }
    crypto_sign_detached(sig, NULL, pae, pae_len, id->sec->sign);
    free(pae);
    env.payload_type = (char *)type;
    env.payload.data = (uint8_t *)payload;
    env.payload.len = payload_len;
    env.signer_key.data = (uint8_t *)id->pub.sign;
    env.signer_key.len = TX_KEY_LEN;
    env.signature.data = sig;
    env.signature.len = sizeof sig;
    return tx_pack(&env.base, out, out_len);
}

int
tx_envelope_sign_msg(const tx_identity *id, int kind, const ProtobufCMessage *msg, uint8_t **out,
                     size_t *out_len)
{
    uint8_t *payload;
    size_t len;
    int rc = tx_pack(msg, &payload, &len);

    if (rc != TX_OK) {
        return rc;
    }
    rc = tx_envelope_sign(id, kind, payload, len, out, out_len);
    free(payload);
    return rc;
}

int
tx_envelope_verify(const tx_envelope_pb *env)
{
    uint8_t *pae;
    size_t pae_len;
    int rc;

    if (env->signer_key.len != TX_KEY_LEN || env->signature.len != TX_SIG_LEN) {
        return TX_ERR_BAD_SIGNATURE;
    }
    if ((rc = tx_pae(env->payload_type, env->payload.data, env->payload.len, &pae, &pae_len)) !=
        TX_OK) {
        return rc;
    }
    rc = crypto_sign_verify_detached(env->signature.data, pae, pae_len, env->signer_key.data) == 0
             ? TX_OK
             : TX_ERR_BAD_SIGNATURE;
    free(pae);
    return rc;
}

int
tx_envelope_open(const uint8_t *buf, size_t len, tx_envelope_pb **out)
{
    tx_envelope_pb *env;
    int rc = tx_decode_envelope(buf, len, &env);

    *out = NULL;
    if (rc != TX_OK) {
        return rc;
    }
    if ((rc = tx_envelope_verify(env)) != TX_OK) {
        tx_free(env);
        return rc;
    }
    *out = env;
    return TX_OK;
}

int
tx_envelope_open_as(const uint8_t *buf, size_t len, int kind, tx_envelope_pb **env,
                    ProtobufCMessage **payload)
{
    int rc = tx_envelope_open(buf, len, env);

    *payload = NULL;
    if (rc != TX_OK) {
        return rc;
    }
    if ((rc = tx_decode_payload(*env, kind, payload)) != TX_OK) {
        tx_free(*env);
        *env = NULL;
    }
    return rc;
}

void
tx_record_id(const uint8_t *buf, size_t len, uint8_t out[TX_ID_LEN])
{
    tx_sha256(out, buf, len);
}

void
tx_record_id_leaf(const uint8_t *buf, size_t len, uint8_t id[TX_ID_LEN], uint8_t leaf[32])
{
    tx_sha256_state st_id, st_leaf;

    tx_sha256_init(&st_id);
    tx_merkle_leaf_begin(&st_leaf);
    tx_sha256_update_two(&st_id, &st_leaf, buf, len);
    tx_sha256_final(&st_id, id);
    tx_sha256_final(&st_leaf, leaf);
}

void
tx_record_id_short(const uint8_t id[TX_ID_LEN], char out[13])
{
    tx_hex(out, id, 6);
}

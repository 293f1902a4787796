/* Signed envelopes: Ed25519 over the DSSE v1 pre-authentication encoding of the payload type
 * and the exact payload bytes. Verify before parsing; never re-encode to verify. */
#ifndef TX_ENVELOPE_H
#define TX_ENVELOPE_H

#include "tx_codec.h"
#include "tx_keys.h"

#include <stddef.h>
#include <stdint.h>

/* PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. Caller owns *out. */
int tx_pae(const char *type, const uint8_t *body, size_t body_len, uint8_t **out, size_t *len);

/* Signs `payload` as `kind` with id's signing key and packs the envelope.
 * Caller owns *out (free). */
int tx_envelope_sign(const tx_identity *id, int kind, const uint8_t *payload, size_t payload_len,
                     uint8_t **out, size_t *out_len);

/* Packs `msg`, then tx_envelope_sign. */
int tx_envelope_sign_msg(const tx_identity *id, int kind, const ProtobufCMessage *msg,
                         uint8_t **out, size_t *out_len);

/* TX_OK if the signature verifies against the envelope's signer key, TX_ERR_BAD_SIGNATURE
 * otherwise. */
int tx_envelope_verify(const tx_envelope_pb *env);

/* Decodes and verifies `len` bytes. On success the caller owns *out (tx_free). */
int tx_envelope_open(const uint8_t *buf, size_t len, tx_envelope_pb **out);

/* Opens, checks the kind and decodes the payload in one step: *env and *payload are owned by
 * the caller (tx_free both). */
int tx_envelope_open_as(const uint8_t *buf, size_t len, int kind, tx_envelope_pb **env,
                        ProtobufCMessage **payload);

/* A record's id: SHA-256 of the envelope bytes as stored. */
void tx_record_id(const uint8_t *buf, size_t len, uint8_t out[TX_ID_LEN]);
/* The record id and the Merkle leaf hash (tx_merkle_leaf_hash) of the same envelope, in one
 * pass over its bytes: what tx_record_id and tx_merkle_leaf_hash give, for about the time of
 * one hash where the SHA extensions run the two side by side. */
void tx_record_id_leaf(const uint8_t *buf, size_t len, uint8_t id[TX_ID_LEN], uint8_t leaf[32]);

/* First 12 hex characters of a record id, for logs and tables; out needs 13 bytes. */
void tx_record_id_short(const uint8_t id[TX_ID_LEN], char out[13]);

#endif

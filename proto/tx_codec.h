/* The one decoding layer for bytes from outside: size caps, then a strict wire-level scan
 * (no unknown or duplicated fields, right wire types, valid UTF-8 without NUL, enums in range,
 * bounded depth and counts), then protobuf-c unpacking, then per-kind checks of lengths and
 * required fields. Every decode_* result is freed with tx_free(). */
#ifndef TX_CODEC_H
#define TX_CODEC_H

#include "ticsx.pb-c.h"
#include "tx_kinds.h"
#include "tx_wire.h"

#include <stddef.h>
#include <stdint.h>

/* Strictly decodes `len` bytes as message `desc`, refusing more than `cap` bytes.
 * Returns TX_OK, TX_ERR_TOO_LARGE, TX_ERR_TRUNCATED, TX_ERR_MALFORMED, TX_ERR_BAD_UTF8 or
 * TX_ERR_NOMEM; tx_codec_detail() then names the field. Caller owns *out (tx_free). */
int tx_decode(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len, size_t cap,
              ProtobufCMessage **out);

/* Typed decoders: tx_decode plus the per-kind checks (key lengths, required fields). */
int tx_decode_envelope(const uint8_t *buf, size_t len, tx_envelope_pb **out);
int tx_decode_call(const uint8_t *buf, size_t len, tx_call_pb **out);
int tx_decode_reply(const uint8_t *buf, size_t len, tx_reply_pb **out);

/* Decodes a verified envelope's payload as `kind`: TX_ERR_WRONG_TYPE if the envelope says
 * another type. Caller owns *out (tx_free). */
int tx_decode_payload(const tx_envelope_pb *env, int kind, ProtobufCMessage **out);

/* The same on payload bytes alone: tx_decode with the schema of the kind's row, then
 * tx_kind_check. Caller owns *out (tx_free). */
int tx_decode_kind(int kind, const uint8_t *buf, size_t len, ProtobufCMessage **out);

/* Frees anything a tx_decode* returned, with all its parts; NULL is fine. */
void tx_free(void *msg);

/* The blocks of memory a decoded message takes: 1 when the scan foresaw all that protobuf-c
 * allocated to unpack it (checked by the tests). */
size_t tx_decode_blocks(const void *msg);

/* Packs a message into a fresh malloc'd buffer. Caller owns *out (free). */
int tx_pack(const ProtobufCMessage *msg, uint8_t **out, size_t *len);

/* What the last failing decode on this thread found wrong, e.g.
 * "field 3 (signer_key): wrong wire type". Borrowed until the next decode on this thread. */
const char *tx_codec_detail(void);

#endif

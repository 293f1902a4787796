/* The one decoding layer for bytes from outside: size caps, then a strict wire-level scan
 * (no unknown or duplicated fields, right wire types, valid UTF-8 without NUL, enums in range,
 * bounded depth and counts), then protobuf-c unpacking, then per-kind checks of lengths and
 * required fields. Every decode_* result is freed with tx_free(). */
#ifndef TX_CODEC_H
#define TX_CODEC_H

#include "ticsx.pb-c.h"
#include "tx_kinds.h"

#include <stddef.h>
#include <stdint.h>

typedef Ticsx__V1__Envelope tx_envelope_pb;
typedef Ticsx__V1__OrgProfile tx_profile_pb;
typedef Ticsx__V1__Questionnaire tx_questionnaire_pb;
typedef Ticsx__V1__Request tx_request_pb;
typedef Ticsx__V1__Assessment tx_assessment_pb;
typedef Ticsx__V1__SealedAssessment tx_sealed_pb;
typedef Ticsx__V1__Grant tx_grant_pb;
typedef Ticsx__V1__GrantRevoke tx_grant_revoke_pb;
typedef Ticsx__V1__Accreditation tx_accreditation_pb;
typedef Ticsx__V1__Certificate tx_certificate_pb;
typedef Ticsx__V1__CertificateEvent tx_cert_event_pb;
typedef Ticsx__V1__Checkpoint tx_checkpoint_pb;
typedef Ticsx__V1__Call tx_call_pb;
typedef Ticsx__V1__Reply tx_reply_pb;
typedef Ticsx__V1__Meta tx_meta_pb;
typedef Ticsx__V1__Entry tx_entry_pb;
typedef Ticsx__V1__SubSupplier tx_sub_supplier_pb;
typedef Ticsx__V1__LocalText tx_local_text_pb;
typedef Ticsx__V1__Receipt tx_receipt_pb;
typedef Ticsx__V1__Answer tx_answer_pb;
typedef Ticsx__V1__Item tx_item_pb;
typedef Ticsx__V1__Choice tx_choice_pb;
typedef Ticsx__V1__Witnessed tx_witnessed_pb;
typedef Ticsx__V1__Outcome tx_outcome_pb;
typedef Ticsx__V1__Watch tx_watch_pb;
typedef Ticsx__V1__Submit tx_submit_pb;
typedef Ticsx__V1__SubmitBatch tx_submit_batch_pb;
typedef Ticsx__V1__ListRecords tx_list_records_pb;
typedef Ticsx__V1__Level tx_level_pb;
typedef Ticsx__V1__LeafHashes tx_leaf_hashes_pb;
typedef Ticsx__V1__InclusionProof tx_inclusion_proof_pb;
typedef Ticsx__V1__Get tx_get_pb;
typedef Ticsx__V1__Cosign tx_cosign_pb;
typedef Ticsx__V1__ConsistencyProof tx_consistency_proof_pb;
typedef Ticsx__V1__Area tx_area_pb;

/* Size caps; each string's and list's limit is in the table of tx_limits.h, which starts from
 * these. A wire message carries at most one envelope plus framing; replies carry many. */
#define TX_MAX_ENVELOPE (1u << 20)
#define TX_MAX_CALL (TX_MAX_ENVELOPE + 4096)
#define TX_MAX_REPLY (16u << 20)
#define TX_MAX_STRING (64u << 10)
#define TX_MAX_REPEATED 10000u
#define TX_MAX_BATCH 256u /* envelopes in one SubmitBatch call */
#define TX_MAX_DEPTH 8

#define TX_KEY_LEN 32
#define TX_SIG_LEN 64
#define TX_ID_LEN 32
#define TX_NONCE_LEN 24
#define TX_SEALED_KEY_LEN 80 /* crypto_box_SEALBYTES + 32-byte content key */
#define TX_REQUEST_NOTE_MAX 4096u /* bytes of a request's note, before sealing */
#define TX_AEAD_TAG_LEN 16   /* XChaCha20-Poly1305 tag */

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

/* Frees anything a tx_decode* returned; NULL is fine. */
void tx_free(void *msg);

/* Packs a message into a fresh malloc'd buffer. Caller owns *out (free). */
int tx_pack(const ProtobufCMessage *msg, uint8_t **out, size_t *len);

/* What the last failing decode on this thread found wrong, e.g.
 * "field 3 (signer_key): wrong wire type". Borrowed until the next decode on this thread. */
const char *tx_codec_detail(void);

/* True for a 13-digit Japanese corporate number whose leading check digit matches. */
int tx_corporate_number_valid(const char *s);

/* The latest expiry a certificate issued at `issued` may carry: three calendar years later
 * (a TICS certificate is renewed by audit every 3 years). */
int64_t tx_certificate_max_expiry(int64_t issued);

#endif

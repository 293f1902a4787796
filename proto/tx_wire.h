/* The wire's names and sizes: the generated message types under the names the code uses past
 * the codec, the size caps of every decoder, and the lengths of keys, signatures, ids, nonces
 * and sealed keys. Definitions only; the codec, the kinds table and the limits build on it. */
#ifndef TX_WIRE_H
#define TX_WIRE_H

#include "ticsx.pb-c.h"

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
typedef Ticsx__V1__Plan tx_plan_pb;
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
typedef Ticsx__V1__Topic tx_topic_pb;
typedef Ticsx__V1__Credential tx_credential_pb;
typedef Ticsx__V1__EvidenceRef tx_evidence_ref_pb;
typedef Ticsx__V1__EvidenceChunk tx_evidence_chunk_pb;
typedef Ticsx__V1__Register tx_register_pb;
typedef Ticsx__V1__RegisterEntry tx_register_entry_pb;
typedef Ticsx__V1__MemberRecord tx_member_pb;
typedef Ticsx__V1__MemberRemove tx_member_remove_pb;
typedef Ticsx__V1__Draft tx_draft_pb;
typedef Ticsx__V1__DraftDecision tx_draft_decision_pb;
typedef Ticsx__V1__KeySuccessor tx_key_successor_pb;
typedef Ticsx__V1__KeyRevocation tx_key_revocation_pb;
typedef Ticsx__V1__KeyReenrolment tx_key_reenrolment_pb;
typedef Ticsx__V1__OrgSettings tx_org_settings_pb;
typedef Ticsx__V1__GrantApproval tx_grant_approval_pb;

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
#define TX_MAX_PLAN_ACTION 4096u  /* bytes of a remediation plan's action (Plan.action) */
#define TX_AEAD_TAG_LEN 16   /* XChaCha20-Poly1305 tag */
#define TX_MEMBER_NAME_MAX 256u /* bytes of a member's display name (MemberRecord.name) */

/* Evidence files (EvidenceRef, EvidenceChunk): a file of at most TX_EVIDENCE_FILE_MAX bytes
 * travels in pieces of TX_EVIDENCE_CHUNK bytes (the last one shorter), so three chunk records
 * fit one submit call; an assessment's files together are at most TX_EVIDENCE_TOTAL_MAX, so
 * a sealed assessment lists at most TX_EVIDENCE_MAX_CHUNKS chunk ids. */
#define TX_EVIDENCE_CHUNK (256u << 10)
#define TX_EVIDENCE_FILE_MAX (20u << 20)
#define TX_EVIDENCE_TOTAL_MAX (100u << 20)
#define TX_EVIDENCE_MAX_CHUNKS (TX_EVIDENCE_TOTAL_MAX / TX_EVIDENCE_CHUNK)
#define TX_EVIDENCE_AD "ticsx-evidence-v1"

#endif

/* An organisation's drafts (kind 15): the answers its responders prepared, sealed to the
 * organisation. Listed and opened in a member's home with the organisation's seal key its member
 * record gives it; each one checked: the inner assessment signed by the draft's own signer, a
 * responder, officer or admin of this organisation when it signed, for the draft's request.
 * An officer or admin approves one: signs the same assessment as the organisation's and sends
 * it as `answer` would (sealed assessment and grant), naming the draft it came from. */
#ifndef TX_DRAFTS_H
#define TX_DRAFTS_H

#include "tx_answer.h"
#include "tx_client.h"
#include "tx_evidence_check.h"
#include "tx_rec.h"
#include "tx_signer.h"

#include <jansson.h>

typedef struct {
    tx_rec draft;       /* the Draft record */
    tx_rec inner;       /* the opened inner assessment (env NULL when not ok) */
    tx_signer_info who; /* who prepared it (record NULL) */
    int ok;             /* opened and checked; else why says what is wrong */
    char why[256];
    int state; /* TX_DRAFT_OPEN, _APPROVED or _REJECTED (by an officer's decision) */
    char decided_by[257];
    uint8_t assessment[TX_ID_LEN]; /* approved: the assessment sent */
    char note[512];                /* the decision's note, opened; may be empty */
    int has_score;                 /* ok and scored against its questionnaire */
    double score;                  /* overall percentage */
    uint32_t level;                /* level achieved, 0 if none */
    int unrecorded;      /* approved: an assessment this home sent names the draft, but no officer's
                            decision records it (the approval stopped after sending) */
    char level_text[32]; /* the level as reports show it ("L1 76%", "L2"), "" when none */
} tx_draft_item;

enum { TX_DRAFT_OPEN, TX_DRAFT_APPROVED, TX_DRAFT_REJECTED };

typedef struct {
    tx_draft_item *v;
    size_t n;
    uint8_t org_seal[TX_KEY_LEN]; /* the organisation's seal public key */
} tx_drafts;

/* The drafts of this home's organisation on the hub, oldest first. Only in a member's home
 * (TX_ERR_USAGE otherwise); connection codes. Caller frees (tx_drafts_free). */
int tx_drafts_load(tx_client *c, tx_drafts *out);
void tx_drafts_free(tx_drafts *d);

/* The draft whose id starts with `prefix` (>= 8 hex): TX_ERR_NOT_FOUND, TX_ERR_USAGE when
 * ambiguous. */
int tx_drafts_find(const tx_drafts *d, const char *prefix, const tx_draft_item **out);

/* {"drafts": [{"draft", "request", "questionnaire", "prepared_by": {"name", "role"}, "created",
 * "answered", "ok", "problem", "state": "pending"|"approved"|"rejected", "decided_by", "note",
 * "score": overall percentage or null, "level_achieved", "assessment": the one sent when
 * approved or null, "recorded": false when approved without a decision recorded (unrecorded),
 * "evidence": tx_drafts_files_json}]}.
 * Caller owns. */
json_t *tx_drafts_json(const tx_drafts *d);

/* Approves draft `prefix`: this home's person must be an officer or admin of the organisation
 * now (TX_ERR_FORBIDDEN otherwise) and the draft must be ok and still open (TX_ERR_REFUSED,
 * with why), its files all there and matching (tx_drafts_check_files; TX_ERR_REFUSED naming
 * the first that is not); then tx_answer_submit with it prepared, the DraftDecision naming the
 * assessment signed into the same batch (the hub stores the three records in one
 * transaction). A draft this home sent before with no decision recorded (it->unrecorded) gets
 * only the decision (out->draft_recorded_only, out->assessment the one sent then). */
int tx_drafts_approve(tx_client *c, const char *prefix, tx_answer_result *out);

/* Rejects draft `prefix` (the same conditions) with `note` (may be NULL) sealed to the
 * organisation: a DraftDecision. */
int tx_drafts_reject(tx_client *c, const char *prefix, const char *note);

/* "pending", "approved" or "rejected". */
const char *tx_draft_state_name(int state);

/* The evidence files of draft `it` (ok): their chunks, sent by the responder and read by the
 * organisation, fetched from the hub into this home's cache, then each file checked
 * (tx_evidence_check_all, chunks signed by the draft's signer). *out has n elements (n 0 and
 * NULL when none); caller frees (tx_evidence_results_free). Connection codes. */
int tx_drafts_check_files(tx_client *c, const tx_draft_item *it, tx_evidence_result **out,
                          size_t *n);

/* Draft `it` (ok) as a verdict for reading its files (tx_evidence_open, `drafts get`): its
 * inner assessment (borrowed from it), its preparer as the one who signed the chunks, its
 * files fetched and checked (tx_drafts_check_files) in v->evidence. Connection codes. Free
 * with tx_drafts_view_free (not tx_verdicts_free). */
int tx_drafts_view(tx_client *c, const tx_draft_item *it, tx_verdict *v);
void tx_drafts_view_free(tx_verdict *v);

/* [{"name", "media_type", "size", "sha256"}] of draft `it`'s files ([] when none or not ok).
 * Caller owns. */
json_t *tx_drafts_files_json(const tx_draft_item *it);

#endif

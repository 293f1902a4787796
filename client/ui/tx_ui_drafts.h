/* Drafts of answers kept in the home (drafts/ID.json, 0600 in a 0700 directory), checked on
 * every save with the same reader and limits as an answers file, so a draft that could never be
 * sent is refused when it is saved; and the questionnaire a draft, a score or the page names,
 * found without the hub when it is built in or cached. */
#ifndef TX_UI_DRAFTS_H
#define TX_UI_DRAFTS_H

#include "tx_answer_file.h"
#include "tx_codec.h"

#include <jansson.h>
#include <stddef.h>

typedef struct tx_ui_app tx_ui_app;

/* Characters of a draft id: 16 lower-case hex digits (8 random bytes). */
#define TX_UI_DRAFT_ID_LEN 16

/* The questionnaire `ref` names: a built-in name (optionally @VERSION), the 64-hex id of a
 * questionnaire record or of a request in the home's cache, or (with a hub) a questionnaire id
 * on the hub, a record or a request id (the records found are kept in the cache, so the next
 * look-up needs no hub). File paths are refused (the page does not name files). *q: caller
 * owns (tx_free); *meta: {"ref", "id", "version", "title", "record": HEX|null}, caller owns.
 * TX_ERR_USAGE when it needs the hub and none is configured; tx_qref_resolve's codes. */
int tx_ui_questionnaire(tx_ui_app *app, const char *ref, tx_questionnaire_pb **q, json_t **meta);

/* Reads the answers of a draft or a score request (`answers`: [{"item", "answer", "comment"}],
 * `suppliers`: [{"name", "supplies", "key"}], either may be NULL) with the answers-file reader
 * (tx_answers_parse, blank answers allowed) against q, after checking every comment and text
 * against the sender's limits. TX_ERR_MALFORMED / TX_ERR_TOO_LARGE / TX_ERR_BAD_UTF8 with a
 * message naming the entry and item. Caller frees *out (tx_answers_free). */
int tx_ui_answers_read(const tx_questionnaire_pb *q, const json_t *answers, const json_t *suppliers,
                       tx_answers *out);

/* Checks and stores a draft from the page's body ({"id"?, "questionnaire", "request"?,
 * "answers", "suppliers", "certificate"?}); a new id when none is given. *saved (may be NULL)
 * receives the stored document. Codes as above, TX_ERR_NOT_FOUND for an id with no draft,
 * TX_ERR_PERM for a drafts directory group or others can write. Caller owns *saved. */
int tx_ui_draft_save(tx_ui_app *app, const json_t *body, json_t **saved);

/* The stored draft `id`. TX_ERR_USAGE for an id that is not 16 hex digits, TX_ERR_NOT_FOUND.
 * Caller owns *out. */
int tx_ui_draft_load(tx_ui_app *app, const char *id, json_t **out);

/* Removes draft `id` (TX_ERR_NOT_FOUND when there is none). */
int tx_ui_draft_delete(tx_ui_app *app, const char *id);

/* Marks draft `id` sent: {"assessment", "date"}. */
int tx_ui_draft_mark_sent(tx_ui_app *app, const char *id, const char *assessment, const char *date);

/* Every draft, newest first, as GET /api/drafts lists them (summaries, or the whole documents
 * when `full`). Caller owns *out (an array). */
int tx_ui_drafts_list(tx_ui_app *app, int full, json_t **out);

/* The draft as a JSON answers file (tx_answer_file.h): {"questionnaire"?, "answers",
 * "suppliers"}, the questionnaire's record id included when the draft has one. Caller frees. */
char *tx_ui_draft_answers_text(const json_t *draft);

#endif

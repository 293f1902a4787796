/* Questionnaires as data: the JSON format (areas, items with ja/en text, levels, weights, the
 * answer scale and its scores), the built-in TICS-aligned self-check embedded at build time,
 * and lookups used by answers and scoring.
 *
 * JSON: {"id","version","title":{"ja","en"},"provenance"?:{"ja","en"},"scale":[{"code","label",
 * "score_permille","not_applicable"?}],"levels":[{"level","name"}],"areas":[{"id","name"}],
 * "topics"?:[{"id","framework","name"}],"items":[{"id","area","level","weight","text",
 * "topics"?:[topic id,...]}]}. provenance says who wrote the questionnaire and what it is not;
 * topics are those of outside frameworks ("tics-2024", "jama-l1", ...) items map to: topic ids
 * unique, every item topic one of them and named once per item. */
#ifndef TX_QUESTIONNAIRE_H
#define TX_QUESTIONNAIRE_H

#include "tx_codec.h"
#include "tx_keys.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The built-in questionnaire's name. */
#define TX_BUILTIN_QUESTIONNAIRE "tics-selfcheck"

/* The longest id of a questionnaire, area, item or answer code. */
#define TX_QUESTIONNAIRE_ID_MAX 64

/* Parses the JSON format. `source` names the input in messages. Every rule is checked (unique
 * ids, items in known areas and levels, scores 0..1000, ...); the first broken one is named
 * (TX_ERR_MALFORMED). meta is left unset. Caller owns *out (tx_free). */
int tx_questionnaire_parse(const char *text, size_t len, const char *source,
                           tx_questionnaire_pb **out);

/* Reads and parses a JSON questionnaire file. */
int tx_questionnaire_load_file(const char *path, tx_questionnaire_pb **out);

/* The built-in questionnaire called `name` (TX_ERR_NOT_FOUND if none). Caller owns *out. */
int tx_questionnaire_builtin(const char *name, tx_questionnaire_pb **out);

/* Names of the built-in questionnaires, NULL past the end. */
const char *tx_questionnaire_builtin_name(size_t i);

/* True if a and b say the same thing: everything but meta packs to the same bytes. */
int tx_questionnaire_same(const tx_questionnaire_pb *a, const tx_questionnaire_pb *b);

/* Signs q as a questionnaire record with meta {seq, created}. Caller owns *env (free). */
int tx_questionnaire_sign(const tx_questionnaire_pb *q, const tx_identity *id, uint64_t seq,
                          int64_t created, uint8_t **env, size_t *len);

/* The JSON form (as parsed above). Caller owns the result (json_decref). */
json_t *tx_questionnaire_to_json(const tx_questionnaire_pb *q);

/* True if s can be an id (of a questionnaire, area, item or answer code): 1 to
 * TX_QUESTIONNAIRE_ID_MAX letters, digits, '.', '_' or '-'. */
int tx_questionnaire_id_valid(const char *s);

/* Index of item `id`, or -1. */
int tx_questionnaire_item(const tx_questionnaire_pb *q, const char *id);

/* As tx_questionnaire_item, trying item `hint` first: the k-th answer of an assessment is
 * mostly item k, so scoring n answers costs n comparisons instead of n * n / 2. */
int tx_questionnaire_item_near(const tx_questionnaire_pb *q, const char *id, size_t hint);

/* Index of topic `id`, or -1. */
int tx_questionnaire_topic(const tx_questionnaire_pb *q, const char *id);

/* The name of a topic framework in the language of texts: "TICS criteria 2024" for
 * "tics-2024", "JAMA/JAPIA Level 1" for "jama-l1", any other as it is spelt. */
const char *tx_topic_framework_name(const char *framework);

/* Item `it`'s topics as one text in the language of texts: "name (framework)" joined by sep
 * into out (cut to n bytes at a character boundary). Empty when it has none. */
void tx_questionnaire_item_topics_text(const tx_questionnaire_pb *q, const tx_item_pb *it, int ja,
                                       const char *sep, char *out, size_t n);

/* True when q says where it comes from (a provenance text in either language). */
int tx_questionnaire_has_provenance(const tx_questionnaire_pb *q);

/* The topics item `it` of q serves: [{"id","framework","name":{"ja","en"}}], in the item's
 * order; never NULL (an empty array when none). Caller owns. */
json_t *tx_questionnaire_item_topics_json(const tx_questionnaire_pb *q, const tx_item_pb *it);

/* Index of area `id`, or -1. */
int tx_questionnaire_area(const tx_questionnaire_pb *q, const char *id);

/* As tx_questionnaire_area, trying area `hint` first: items are mostly grouped by area, so
 * scoring looks each item's area up with one comparison instead of one per area before it. */
int tx_questionnaire_area_near(const tx_questionnaire_pb *q, const char *id, size_t hint);

/* Index of the scale choice an answer names: its code, or its en label (both compared without
 * regard to ASCII case), or its ja label; surrounding spaces ignored. -1 if none. */
int tx_questionnaire_choice(const tx_questionnaire_pb *q, const char *answer);

/* The allowed answer codes joined as "yes, partly, no or na" into out. */
void tx_questionnaire_codes(const tx_questionnaire_pb *q, char *out, size_t n);

/* The text in the wanted language, falling back to the other. Never NULL. */
const char *tx_text(const tx_local_text_pb *t, int ja);

#endif

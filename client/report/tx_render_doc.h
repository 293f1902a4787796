/* What every report renderer reads from the report's JSON document (tx_report.h, "JSON"): texts
 * in the language, string members, verdict and certificate labels, the rows to show and the
 * union of their areas. Renderers include this and nothing of each other or of the dispatcher.
 * Every pointer returned is borrowed from the document unless said otherwise. */
#ifndef TX_RENDER_DOC_H
#define TX_RENDER_DOC_H

#include <jansson.h>

/* The ja or en member of a {"ja","en"} object (the other when that one is empty); "" when
 * absent. Borrowed from doc. */
const char *tx_render_text(const json_t *text, int ja);

/* The string member `key` of o, "" when absent or not a string. Borrowed. */
const char *tx_render_str(const json_t *o, const char *key);

/* Certificate status name (as in the JSON) of a supplier now, or "" when it was not judged;
 * and its short label in the language. */
const char *tx_render_cert_status(const json_t *supplier);
const char *tx_render_cert_label(const char *status_name, int ja);

/* Verdict label ("verified", "expired", ...) in the language. */
const char *tx_render_status_label(const char *status, int ja);

/* The rows to show: the supply tree's "nodes" when the document has any (they carry every field
 * of a supplier row plus tier, parents, answer_state, flags), else "suppliers". Borrowed. */
const json_t *tx_render_rows(const json_t *doc);

/* The areas of every row in order of first appearance, as an array of the rows' area objects
 * (id, name). Caller owns (json_decref). */
json_t *tx_render_area_union(const json_t *doc);

/* Cuts a trailing incomplete UTF-8 sequence off s (what snprintf leaves when it truncates). */
void tx_render_utf8_fix(char *s);

/* The area object with id `id` of a supplier, NULL when it has none. Borrowed. */
const json_t *tx_render_area_of(const json_t *supplier, const char *id);

#endif

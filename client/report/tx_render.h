/* Report renderers: each takes the report's JSON document (what `report --format json` prints,
 * see README.md "Report JSON") and the language, and writes one file. They never look at
 * verdicts or questionnaires themselves, so every format shows the same data. */
#ifndef TX_RENDER_H
#define TX_RENDER_H

#include "tx_report.h"

#include <jansson.h>
#include <stdio.h>

/* Report formats. TABLE and JSON are 0 and 1 so that a `json` flag is a format. */
enum {
    TX_REPORT_TABLE = 0,
    TX_REPORT_JSON = 1,
    TX_REPORT_CSV,
    TX_REPORT_HTML,
    TX_REPORT_OSCAL,
    TX_REPORT_XLSX,
};

/* "table", "json", "csv", "html", "oscal", "xlsx" to a format; TX_ERR_USAGE with a message for
 * anything else. */
int tx_render_format(const char *name, int *format);

/* CSV (RFC 4180, UTF-8 with BOM, CRLF): one row per supplier; cells from outside that start
 * with = + - @ TAB or CR get a leading single quote. TX_ERR_IO when f fails. */
int tx_render_csv(FILE *f, const json_t *doc, int ja);

/* One self-contained HTML page (inline CSS and SVG; no script, no URL). */
int tx_render_html(FILE *f, const json_t *doc, int ja);

/* An OSCAL 1.0.4 assessment-results document (JSON). */
int tx_render_oscal(FILE *f, const json_t *doc, int ja);

/* An XLSX workbook written to `path` (created or replaced; the caller picks a fresh path):
 * a sheet per view, a radar chart, autofilter and a frozen header row on each table. */
int tx_render_xlsx(const char *path, const json_t *doc, int ja);

/* Renders the report of `vs` (from tx_verify_all; with the supply tree when t is not NULL) in
 * `format`: table and json as tx_report_write_tree prints them, the others from that JSON
 * document. XLSX is written to xlsx_path (the caller picks a fresh path), the others to f. */
int tx_render_report(FILE *f, const char *xlsx_path, const tx_verdicts *vs,
                     const tx_report_tree_opts *t, int format, int ja);

/* ---- shared by the renderers (tx_render.c) ---- */

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

/* The renderers, one file per format: each takes the report's JSON documents (what `report
 * --format json` prints for one questionnaire) as a JSON array of one or more, one document per
 * questionnaire reported in turn, and the language, and writes one file from them alone, so
 * every format shows the same data. Only the dispatcher (tx_render.c) calls them, through its
 * table of formats; they read each document with tx_render_doc.h. */
#ifndef TX_RENDER_FORMATS_H
#define TX_RENDER_FORMATS_H

#include <jansson.h>
#include <stdio.h>

/* CSV (RFC 4180, UTF-8 with BOM, CRLF): one row per supplier; cells from outside that start
 * with = + - @ TAB or CR get a leading single quote. TX_ERR_IO when f fails. */
int tx_render_csv(FILE *f, const json_t *docs, int ja);

/* One self-contained HTML page (inline CSS and SVG; no script, no URL). */
int tx_render_html(FILE *f, const json_t *docs, int ja);

/* An OSCAL 1.0.4 assessment-results document (JSON). */
int tx_render_oscal(FILE *f, const json_t *docs, int ja);

/* An XLSX workbook written to `path` (created or replaced; the caller picks a fresh path):
 * a sheet per view, a radar chart, autofilter and a frozen header row on each table. */
int tx_render_xlsx(const char *path, const json_t *docs, int ja);

#endif

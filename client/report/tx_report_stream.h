/* `report --json` written as it goes (format 2, README.md "Report JSON"): each questionnaire's
 * document is made without the rows' per-item answers (its rows, tree and policy verdicts,
 * which depend on one another, are small), then written member by member; the questionnaires'
 * texts go once into "questionnaires", each row's answers are made, written and freed in turn,
 * and a tree node that is a supplier row refers to it ("row") instead of repeating it. */
#ifndef TX_REPORT_STREAM_H
#define TX_REPORT_STREAM_H

#include "tx_json_write.h"
#include "tx_report_row.h"

#include <jansson.h>
#include <stdio.h>

/* The JSON format version `report --json` writes. */
#define TX_REPORT_FORMAT 2

/* Writes `doc` (tx_report.c's document of `rows`, made with no_items and no_texts; its rows are
 * freed as they are written) at indentation depth `depth` (2 spaces each) to `w`
 * (tx_json_write.h; the caller flushes it). With `apart` the document has no rows (no policy
 * applies): each is written from `rows` (tx_report_row_emit) with "policy": null, and the tree's
 * nodes refer to them (tx_report_tree_json_rows, row_refs). TX_ERR_NOMEM, TX_ERR_BAD_UTF8. */
int tx_report_stream_doc(tx_jw *w, json_t *doc, const tx_report_row *rows, size_t n, int apart,
                         int depth);

/* Writes `v` as `report --json` prints values, indented to `depth`. TX_ERR_NOMEM. */
int tx_report_stream_value(tx_jw *w, const json_t *v, int depth);

#endif

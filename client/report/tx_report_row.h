/* The report's row model: one row per supplier, from the assessment the report shows for it
 * (the newest verified one it granted, else the newest expired one, else the newest that
 * failed), scored, and its object in the report's JSON document. The supplier tables
 * (tx_report.c) and the supply tree (tx_report_tree.c) both stand on it. */
#ifndef TX_REPORT_ROW_H
#define TX_REPORT_ROW_H

#include "tx_emit.h"
#include "tx_score.h"
#include "tx_verify.h"

#include <jansson.h>
#include <stddef.h>

typedef struct {
    const tx_verdict *v; /* borrowed from the tx_verdicts the rows were picked from */
    int scored;          /* verified or expired: the answers were checked and are shown */
    tx_score score;
    unsigned plan_days; /* a plan done longer ago than this, item not improved, is stale */
    int no_items;       /* its JSON without "items" (the streamed document writes them apart) */
    int no_texts;       /* its JSON without the questionnaire's texts (title, provenance, the
                         * names of areas and levels): format 2 has them once per document */
} tx_report_row;

/* One row per supplier of `vs`, sorted by name (then fingerprint); scored on the thread pool.
 * Caller frees *out with tx_report_rows_free; the rows borrow vs. TX_ERR_NOMEM. */
int tx_report_rows(const tx_verdicts *vs, tx_report_row **out, size_t *n);
void tx_report_rows_free(tx_report_row *rows, size_t n);

/* The row's object of the report's "suppliers" array (tx_report.h, "JSON"); without "items"
 * when r->no_items, without texts when r->no_texts. Caller owns. */
json_t *tx_report_row_json(const tx_report_row *r);

/* The members of that object in order, described to `e` (tx_emit.h) into the object it is in:
 * the one description of a row, for the json_t above and for the streamed report's writer. */
void tx_report_row_emit(tx_emit *e, const tx_report_row *r);

#endif

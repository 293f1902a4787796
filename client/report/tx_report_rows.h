/* Inside the report: the row chosen per supplier (tx_report.c), shared with the supply tree's
 * part of the report (tx_report_tree.c). Not for other modules. */
#ifndef TX_REPORT_ROWS_H
#define TX_REPORT_ROWS_H

#include "tx_report.h"
#include "tx_score.h"

#include <jansson.h>
#include <stdio.h>

typedef struct {
    const tx_verdict *v;
    int scored; /* verified or expired: the answers were checked and are shown */
    tx_score score;
} tx_report_row;

/* One row per supplier, sorted by name. Caller frees (tx_report_rows_free). */
int tx_report_rows(const tx_verdicts *vs, tx_report_row **out, size_t *n);
void tx_report_rows_free(tx_report_row *rows, size_t n);

/* The "suppliers" object of one row. Caller owns. */
json_t *tx_report_row_json(const tx_report_row *r);

/* The tree and its roll-ups as text, after the supplier tables. */
int tx_report_tree_table(FILE *f, const tx_verdicts *vs, const tx_report_tree_opts *t, int ja);

#endif

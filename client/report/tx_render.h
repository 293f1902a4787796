/* The report in every format a user can ask for: `--format` names, and writing the report of
 * verified assessments in one of them. Table and JSON come from the report itself; CSV, HTML,
 * OSCAL and XLSX are rendered from its JSON document (see README.md "Report JSON"), never from
 * verdicts or questionnaires, so every format shows the same data. */
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

/* Renders the report of `vs` (from tx_verify_all; with the supply tree when t is not NULL) in
 * `format`, each questionnaire in turn or only `only` (NULL: all): table and json as
 * tx_report_write_tree prints them, the others from that JSON's documents ("reports"). XLSX is
 * written to xlsx_path (the caller picks a fresh path), the others to f. */
int tx_render_report(FILE *f, const char *xlsx_path, const tx_verdicts *vs,
                     const tx_report_tree_opts *t, const char *only, int format, int ja);

#endif

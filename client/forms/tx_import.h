/* Importing a check sheet as a questionnaire, so users can load the sheets they are licensed
 * to use. The sheet is CSV (UTF-8, with or without a byte order mark) with a header row naming
 * the columns id, area, level, text ja, text en and weight (in any order; case, '_' and '-'
 * ignored: "text_ja", "Text-JA" and "text ja" are one name). Each row is one item. Areas are
 * made in order of first appearance (ids A1, A2, ...), named by the area column; levels are
 * those the rows use; the answer scale is the built-in one.
 *
 * An optional column "topics" maps each item to topics of outside frameworks: topic ids
 * separated by ';', ',', '、', spaces or line breaks, e.g. "tics-2024.incident; jama-l1.incident".
 * A topic id is one of the built-in questionnaire's (the 2024 TICS criteria's topics
 * "tics-2024.*" and the JAMA/JAPIA Level 1 topics "jama-l1.*", named in the project's words;
 * `ticsx questionnaire show tics-selfcheck` lists them), which the imported questionnaire then
 * carries, or one of a topics file (CSV, columns id, framework, name ja and name en, e.g.
 * "jama-l1.3-1,jama-l1,...": a user licensed to the official texts may name them there), whose
 * topics are all carried. A topics file may not redefine a built-in topic's id.
 *
 * Every bad row is reported with its line number: a missing column, an empty or malformed id,
 * a duplicate id, a level that is not a positive whole number (1 to 99), a weight outside
 * 1..100, invalid UTF-8, a text too long, no text at all, an unknown or repeated topic; and in
 * the topics file: a missing column, a bad or duplicate id or framework, no name. Nothing is
 * half-imported: a sheet with any bad row gives no questionnaire. */
#ifndef TX_IMPORT_H
#define TX_IMPORT_H

#include "tx_codec.h"

#include <stddef.h>
#include <stdint.h>

#define TX_IMPORT_MAX_FILE (8u << 20)
#define TX_IMPORT_MAX_TEXT 4000u  /* bytes of an item text */
#define TX_IMPORT_MAX_AREA 200u   /* bytes of an area name */
#define TX_IMPORT_MAX_ERRORS 200u /* bad rows listed; more are only counted */

typedef struct {
    unsigned line;  /* where the row starts, from 1 */
    int in_topics;  /* 1: a row of the topics file, 0: of the sheet */
    char item[72];  /* the row's id when readable, else "" */
    char what[240]; /* what is wrong, all problems of the row */
} tx_import_error;

typedef struct {
    tx_import_error *v;
    size_t n;     /* listed */
    size_t total; /* bad rows in all */
} tx_import_errors;

typedef struct {
    const char *id;       /* questionnaire id: 1-64 letters, digits, '.', '_' or '-' */
    uint32_t version;     /* from 1 */
    const char *title_ja; /* may be NULL */
    const char *title_en; /* may be NULL; when both are NULL the title is the id */
    const char *topics_file; /* path of a topics file (tx_import_file reads it), or NULL */
    const char *topics_buf;  /* a topics file's bytes for tx_import_csv, or NULL */
    size_t topics_len;
} tx_import_opts;

/* Turns the sheet in buf into a questionnaire (meta unset). TX_ERR_MALFORMED with every bad row
 * in *errs and a one-line summary message; TX_ERR_USAGE for bad options. Caller owns *out
 * (tx_free) and *errs (tx_import_errors_free), which is filled only on failure. */
int tx_import_csv(const char *buf, size_t len, const char *source, const tx_import_opts *o,
                  tx_questionnaire_pb **out, tx_import_errors *errs);

/* Reads `path` (at most TX_IMPORT_MAX_FILE bytes) and imports it as above. */
int tx_import_file(const char *path, const tx_import_opts *o, tx_questionnaire_pb **out,
                   tx_import_errors *errs);

void tx_import_errors_free(tx_import_errors *e);

#endif

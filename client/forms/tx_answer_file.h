/* Answer files: `ticsx questionnaire template` writes one per questionnaire (CSV with a BOM so
 * Excel shows the Japanese, or JSON), the supplier fills in the answer column, and `ticsx
 * answer` reads it back, naming the line (CSV) or entry (JSON) and item of anything it cannot
 * take: unknown item, unknown answer, duplicate item, wrong column count, blank answer.
 * An XLSX workbook (told apart by its zip signature; see tx_xlsx) is read like the CSV, from
 * its first worksheet, naming rows by their row number.
 *
 * CSV header: item,area,level,weight,text_ja,text_en,answer,comment (only item and answer are
 * needed when reading; columns are found by name). After the answers, a blank line and a second
 * section with its own header, name,supplies,key, lists the supplier's own suppliers (optional:
 * files without it are read as before).
 * JSON: {"questionnaire":"<record id hex>","answers":[{"item":"A1-01","answer":"","comment":""}],
 *        "suppliers":[{"name":"...","supplies":"...","key":"..."}]}   (suppliers optional)
 * An XLSX workbook lists them on a worksheet of their own (the template's "suppliers" sheet:
 * any later worksheet whose first row names the columns name and supplies).
 * Sub-suppliers go into the encrypted assessment, with the same checks and limits whatever the
 * format (tx_limits; a key of at most TX_SUB_KEY_MAX bytes); "key" is optional and resolved
 * by the caller (tx_answer): 64 hex digits of an Ed25519 key, or a fingerprint / key id of an
 * enrolled organisation.
 * Answers are the scale codes, or a choice's en or ja label (ASCII case ignored). */
#ifndef TX_ANSWER_FILE_H
#define TX_ANSWER_FILE_H

#include "tx_codec.h"

#include <stddef.h>
#include <stdio.h>

#define TX_SUB_KEY_MAX 256u /* bytes of a sub-supplier's key as written (hex, id or name) */

/* One sub-supplier from the JSON "suppliers" list, the CSV's second section or the XLSX
 * suppliers sheet. */
typedef struct {
    char *name;      /* never empty */
    char *supplies;  /* "" when not given */
    char *key;       /* as written, "" when not given */
    char where[128]; /* where the file lists it: "suppliers[2]", "line 14", "sheet X, row 3" */
} tx_sub_supplier;

typedef struct {
    tx_answer_pb **v; /* answered items, in file order; choice = the scale code */
    size_t n;
    char questionnaire[65]; /* the JSON file's "questionnaire" field, "" for CSV */
    tx_sub_supplier *subs;  /* the file's sub-suppliers, in file order */
    size_t n_subs;
} tx_answers;

/* Writes the template of q to f. `qref` (may be "") goes into the JSON "questionnaire" field. */
int tx_answers_template(FILE *f, const tx_questionnaire_pb *q, const char *qref, int json);

/* Parses an answers file (XLSX by its zip signature, else CSV or JSON, told apart by the first
 * character after an optional BOM) against q. A blank answer is an error unless allow_missing; so
 * is an item the file does not mention. TX_ERR_MALFORMED with a message naming source, line or
 * entry, and item. Caller owns out's contents (tx_answers_free). */
int tx_answers_parse(const char *buf, size_t len, const char *source, const tx_questionnaire_pb *q,
                     int allow_missing, tx_answers *out);

/* Reads `path` and parses it as above. */
int tx_answers_load(const char *path, const tx_questionnaire_pb *q, int allow_missing,
                    tx_answers *out);

void tx_answers_free(tx_answers *a);

#endif

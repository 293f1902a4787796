/* Answer files: `ticsx questionnaire template` writes one per questionnaire (CSV with a BOM so
 * Excel shows the Japanese, or JSON), the supplier fills in the answer column, and `ticsx
 * answer` reads it back, naming the line (CSV) or entry (JSON) and item of anything it cannot
 * take: unknown item, unknown answer, duplicate item, wrong column count, blank answer.
 * An XLSX workbook (told apart by its zip signature; see tx_xlsx) is read like the CSV, from
 * its first worksheet, naming rows by their row number.
 *
 * CSV header: item,area,level,weight,text_ja,text_en,answer,comment,plan,plan_due,plan_done,
 * evidence (only item and answer are needed when reading; columns are found by name).
 * JSON: {"questionnaire":"<record id hex>","answers":[{"item":"A1-01","answer":"","comment":"",
 *        "plan":{"action":"...","due":"YYYY-MM-DD","done":"YYYY-MM-DD"},"evidence":["f.pdf"]}],
 *        "suppliers":[{"name":"...","supplies":"...","key":"..."}]}   (suppliers optional)
 * A remediation plan (plan = what will be done, plan_due, plan_done; JSON "plan") only on an
 * item answered short of full credit (tx_plan.h); evidence names files attached with
 * `answer --evidence` (CSV/XLSX: separated by ';').
 * Sub-suppliers (JSON only) go into the encrypted assessment; "key" is optional and resolved
 * by the caller (tx_answer): 64 hex digits of an Ed25519 key, or a fingerprint / key id of an
 * enrolled organisation.
 * Answers are the scale codes, or a choice's en or ja label (ASCII case ignored). */
#ifndef TX_ANSWER_FILE_H
#define TX_ANSWER_FILE_H

#include "tx_codec.h"

#include <stddef.h>
#include <stdio.h>

/* One sub-supplier from the JSON "suppliers" list. */
typedef struct {
    char *name;     /* never empty */
    char *supplies; /* "" when not given */
    char *key;      /* as written, "" when not given */
} tx_sub_supplier;

typedef struct {
    tx_answer_pb **v; /* answered items, in file order; choice = the scale code */
    size_t n;
    char questionnaire[65]; /* the JSON file's "questionnaire" field, "" for CSV */
    tx_sub_supplier *subs;  /* the JSON file's "suppliers", in file order */
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

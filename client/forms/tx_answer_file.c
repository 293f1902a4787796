/* Answer templates and answer files (CSV and JSON). */
#include "tx_answer_file.h"

#include "tx_csv.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_limits.h"
#include "tx_msg.h"
#include "tx_plan.h"
#include "tx_questionnaire.h"
#include "tx_util.h"
#include "tx_xlsx_read.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_ANSWERS_FILE TX_XLSX_MAX_FILE /* a workbook; CSV and JSON files are far smaller */

/* The columns a table is read by, found by name in its header. The answers table needs item and
 * answer; further optional columns (a remediation plan's) go at the end of answer_cols. */
static const char *const answer_cols[] = {"item",     "answer",    "comment", "plan",
                                          "plan_due", "plan_done", "evidence"};
static const char *const sub_cols[] = {"name", "supplies", "key"};

/* The CSV template's answer columns, in order: the header key and what each row holds. A column
 * added here (e.g. a remediation plan's) is written by the template; the reader finds the
 * columns it needs by name (answer_cols). */
enum {
    CSV_ITEM,
    CSV_AREA,
    CSV_LEVEL,
    CSV_WEIGHT,
    CSV_TEXT_JA,
    CSV_TEXT_EN,
    CSV_ANSWER,
    CSV_COMMENT,
    CSV_PLAN,
    CSV_PLAN_DUE,
    CSV_PLAN_DONE,
    CSV_EVIDENCE,
    CSV_COLS
};
static const char *const csv_header[CSV_COLS] = {"item",    "area",     "level",     "weight",
                                                 "text_ja", "text_en",  "answer",    "comment",
                                                 "plan",    "plan_due", "plan_done", "evidence"};

/* The sub-suppliers' section of the CSV template: a blank line, then its own header. */
static void
csv_subs_section(FILE *f)
{
    fputs("\r\n", f);
    tx_csv_write(f, (const char *const *)sub_cols, TX_ARRAY_LEN(sub_cols));
}

int
tx_answers_template(FILE *f, const tx_questionnaire_pb *q, const char *qref, int json)
{
    if (json) {
        json_t *arr = json_array();
        json_t *root =
            json_pack("{s:s,s:o,s:[]}", "questionnaire", qref, "answers", arr, "suppliers");
        int rc;

        for (size_t i = 0; i < q->n_items; i++) {
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "item", q->items[i]->id, "answer",
                                                 "", "comment", ""));
        }
        rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', f);
        json_decref(root);
        return rc == 0 ? TX_OK : tx_fail(TX_ERR_IO, "cannot write the template");
    }
    fputs("\xEF\xBB\xBF", f);
    tx_csv_write(f, csv_header, CSV_COLS);
    for (size_t i = 0; i < q->n_items; i++) {
        const tx_item_pb *it = q->items[i];
        char level[16], weight[16];
        const char *row[CSV_COLS] = {0};

        snprintf(level, sizeof level, "%u", it->level);
        snprintf(weight, sizeof weight, "%u", it->weight);
        row[CSV_ITEM] = it->id;
        row[CSV_AREA] = it->area;
        row[CSV_LEVEL] = level;
        row[CSV_WEIGHT] = weight;
        row[CSV_TEXT_JA] = it->text != NULL ? it->text->ja : "";
        row[CSV_TEXT_EN] = it->text != NULL ? it->text->en : "";
        for (size_t c = 0; c < CSV_COLS; c++) {
            row[c] = row[c] != NULL ? row[c] : ""; /* the answer and the columns to fill in */
        }
        tx_csv_write(f, row, CSV_COLS);
    }
    csv_subs_section(f);
    return ferror(f) ? tx_fail(TX_ERR_IO, "cannot write the template") : TX_OK;
}

void
tx_answers_free(tx_answers *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->v[i]->item);
        free(a->v[i]->choice);
        free(a->v[i]->comment);
        tx_plan_answer_clear(a->v[i]);
        free(a->v[i]);
    }
    free(a->v);
    for (size_t i = 0; i < a->n_subs; i++) {
        free(a->subs[i].name);
        free(a->subs[i].supplies);
        free(a->subs[i].key);
    }
    free(a->subs);
    memset(a, 0, sizeof *a);
}

/* What the parser knows while reading one file. */
typedef struct {
    const char *source;
    const tx_questionnaire_pb *q;
    int allow_missing;
    tx_answers *out;
    unsigned *seen_at; /* per item: line, row or entry (from 1) that answered it, 0 if none */
    int json;
    const char *unit; /* how rows are named: "line" (CSV) or "row" (XLSX) */
    char codes[160];
} reader;

static char *
trimmed_dup(const char *s)
{
    size_t n;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        n--;
    }
    return strndup(s, n);
}

static int
is_blank(const char *s)
{
    return s[strspn(s, " \t")] == 0;
}

/* Takes one answer; `where` is "line 7", "row 7" or "answers[3]". */
static int
take(reader *r, const char *where, unsigned pos, const char *item, const char *answer,
     const char *comment)
{
    char *id = trimmed_dup(item);
    tx_answer_pb *a = NULL;
    char why[160];
    int idx, choice, rc = TX_OK;

    if (id == NULL) {
        return TX_ERR_NOMEM;
    }
    idx = tx_questionnaire_item(r->q, id);
    if (id[0] == 0) {
        rc = tx_fail(TX_ERR_MALFORMED, "%s %s: no item id", r->source, where);
    } else if (idx < 0) {
        rc = tx_fail(TX_ERR_MALFORMED, "%s %s (%s): unknown item: not in questionnaire %s v%u",
                     r->source, where, id, r->q->id, r->q->version);
    } else if (r->seen_at[idx] != 0 && r->json) {
        rc = tx_fail(TX_ERR_MALFORMED, "%s %s (%s): item appears twice (first in answers[%u])",
                     r->source, where, id, r->seen_at[idx] - 1);
    } else if (r->seen_at[idx] != 0) {
        rc = tx_fail(TX_ERR_MALFORMED, "%s %s (%s): item appears twice (first on %s %u)", r->source,
                     where, id, r->unit, r->seen_at[idx]);
    } else if (is_blank(answer)) {
        r->seen_at[idx] = pos;
        if (!r->allow_missing) {
            rc = tx_fail(TX_ERR_MALFORMED,
                         "%s %s (%s): no answer: fill in %s, or pass --allow-missing", r->source,
                         where, id, r->codes);
        }
    } else if ((choice = tx_questionnaire_choice(r->q, answer)) < 0) {
        rc = tx_fail(TX_ERR_MALFORMED, "%s %s (%s): unknown answer \"%.40s\": use %s", r->source,
                     where, id, answer, r->codes);
    } else if (comment != NULL &&
               (rc = tx_limit_check_text(
                    tx_limit_find(&ticsx__v1__answer__descriptor, "comment", TX_LIMIT_TEXT),
                    comment, strlen(comment), why, sizeof why)) != TX_OK) {
        rc = tx_fail(rc, "%s %s, item %s: %s", r->source, where, id, why);
    } else {
        void *v = realloc(r->out->v, (r->out->n + 1) * sizeof *r->out->v);
        a = calloc(1, sizeof *a);
        if (v == NULL || a == NULL) {
            if (v != NULL) {
                r->out->v = v;
            }
            free(a);
            free(id);
            return TX_ERR_NOMEM;
        }
        r->out->v = v;
        ticsx__v1__answer__init(a);
        a->item = id;
        a->choice = strdup(r->q->scale[choice]->code);
        a->comment = strdup(comment != NULL ? comment : "");
        r->out->v[r->out->n++] = a;
        r->seen_at[idx] = pos;
        if (a->choice == NULL || a->comment == NULL) {
            return TX_ERR_NOMEM;
        }
        return TX_OK;
    }
    free(id);
    return rc;
}

/* An answer's remediation plan and evidence file names, as a file gives them. */
typedef struct {
    tx_plan_text plan;
    const char *evidence;        /* CSV and XLSX: names separated by ';' (or NULL) */
    const json_t *evidence_list; /* JSON: ["name", ...] (or NULL) */
} extras;

static int
evidence_given(const extras *x)
{
    return (x->evidence != NULL && !is_blank(x->evidence)) || json_array_size(x->evidence_list) > 0;
}

static int
take_evidence(tx_answer_pb *a, const extras *x, char *why, size_t n)
{
    const char *p = x->evidence;
    int rc = TX_OK;

    while (p != NULL && rc == TX_OK) {
        const char *semi = strchr(p, ';');
        char *name = strndup(p, semi != NULL ? (size_t)(semi - p) : strlen(p));
        rc = name != NULL ? tx_plan_take_evidence(a, name, why, n) : TX_ERR_NOMEM;
        free(name);
        p = semi != NULL ? semi + 1 : NULL;
    }
    for (size_t i = 0; rc == TX_OK && i < json_array_size(x->evidence_list); i++) {
        rc = tx_plan_take_evidence(a, json_string_value(json_array_get(x->evidence_list, i)), why,
                                   n);
    }
    return rc;
}

/* Gives the answer just taken (the last of r->out, if take() added one for `item`) its plan
 * and evidence. `n_before`: r->out->n before take(). */
static int
take_extras(reader *r, const char *where, const char *item, size_t n_before, const extras *x)
{
    char why[256];
    int rc;

    if (r->out->n == n_before) {
        return !tx_plan_text_given(&x->plan) && !evidence_given(x)
                   ? TX_OK
                   : tx_fail(TX_ERR_MALFORMED,
                             "%s %s (%.64s): a remediation plan or evidence needs an answer",
                             r->source, where, item);
    }
    tx_answer_pb *a = r->out->v[r->out->n - 1];
    if ((rc = tx_plan_take(r->q, a, &x->plan, why, sizeof why)) == TX_OK) {
        rc = take_evidence(a, x, why, sizeof why);
    }
    return rc == TX_ERR_MALFORMED ? tx_fail(rc, "%s %s (%s): %s", r->source, where, a->item, why)
                                  : rc;
}

/* Takes one sub-supplier; `where` is "line 14", "sheet suppliers, row 3" or "suppliers[2]". The
 * same checks whatever the format: a name, the record's text limits and count, a key of sane
 * length (tx_answer resolves it). */
static int
take_sub(reader *r, const char *where, const char *name, const char *supplies, const char *key)
{
    const char *got[2] = {name, supplies};
    static const char *const fields[2] = {"name", "supplies"};
    tx_sub_supplier *sub;
    char why[160];
    int rc;

    if (is_blank(name)) {
        return tx_fail(TX_ERR_MALFORMED, "%s %s: a sub-supplier needs a name", r->source, where);
    }
    rc = tx_limit_check_count(
        tx_limit_find(&ticsx__v1__assessment__descriptor, "suppliers", TX_LIMIT_COUNT),
        r->out->n_subs + 1, why, sizeof why);
    if (rc != TX_OK) {
        return tx_fail(rc, "%s %s (%.64s): %s", r->source, where, name, why);
    }
    for (size_t k = 0; k < 2; k++) {
        rc = tx_limit_check_text(
            tx_limit_find(&ticsx__v1__sub_supplier__descriptor, fields[k], TX_LIMIT_TEXT), got[k],
            strlen(got[k]), why, sizeof why);
        if (rc != TX_OK) {
            return k == 0 ? tx_fail(rc, "%s %s: %s", r->source, where, why)
                          : tx_fail(rc, "%s %s (%.64s): %s", r->source, where, name, why);
        }
    }
    if (strlen(key) > TX_SUB_KEY_MAX) {
        return tx_fail(TX_ERR_TOO_LARGE,
                       "%s %s (%.64s): key is %zu bytes, at most %u: give 64 hex digits, or the "
                       "fingerprint, key id or legal name of an enrolled organisation",
                       r->source, where, name, strlen(key), TX_SUB_KEY_MAX);
    }
    sub = realloc(r->out->subs, (r->out->n_subs + 1) * sizeof *sub);
    if (sub == NULL) {
        return TX_ERR_NOMEM;
    }
    r->out->subs = sub;
    sub = &sub[r->out->n_subs++];
    memset(sub, 0, sizeof *sub);
    snprintf(sub->where, sizeof sub->where, "%s", where);
    sub->name = trimmed_dup(name);
    sub->supplies = trimmed_dup(supplies);
    sub->key = trimmed_dup(key);
    return sub->name == NULL || sub->supplies == NULL || sub->key == NULL ? TX_ERR_NOMEM : TX_OK;
}

/* 1 when the header cell t names the column `name`: the key itself ("item"), or a label ending
 * with the key in parentheses, as the template writes it in Japanese ("設問ID（item）", ASCII or
 * fullwidth parentheses), whatever the language of this process. */
static int
names_column(const char *t, const char *name)
{
    size_t lt = strlen(t), ln = strlen(name);
    static const char *const opens[] = {"(", "\xEF\xBC\x88"}, *const closes[] = {")",
                                                                                 "\xEF\xBC\x89"};

    if (strcasecmp(t, name) == 0) {
        return 1;
    }
    for (size_t k = 0; k < 2; k++) {
        size_t lo = strlen(opens[k]), lc = strlen(closes[k]);
        if (lt > lo + ln + lc && strcmp(t + lt - lc, closes[k]) == 0 &&
            strncasecmp(t + lt - lc - ln, name, ln) == 0 &&
            strncmp(t + lt - lc - ln - lo, opens[k], lo) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
find_column(char **fields, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        char *t = trimmed_dup(fields[i]);
        int same = t != NULL && names_column(t, name);
        free(t);
        if (same) {
            return (int)i;
        }
    }
    return -1;
}

/* Rows of a table: CSV records or worksheet rows, each with the number it is known by. */
typedef struct {
    int (*next)(void *ctx, char ***fields, size_t *n, unsigned *number);
    void *ctx;
    /* After next() said TX_ERR_BAD_UTF8: the column (from 1) holding a NUL, its byte in *at. */
    size_t (*nul)(void *ctx, size_t *at);
} row_source;

static int
csv_next(void *ctx, char ***fields, size_t *n, unsigned *number)
{
    return tx_csv_next(ctx, fields, n, number);
}

static size_t
csv_nul(void *ctx, size_t *at)
{
    return tx_csv_nul_field(ctx, at);
}

/* A NUL byte in a cell is refused where it is, never cut: the row, the item and the column. */
static int
refuse_nul(reader *r, const row_source *src, char **f, size_t n, unsigned line, size_t width,
           int col_item, int col_answer, int col_comment)
{
    size_t at = 0, col = src->nul != NULL ? src->nul(src->ctx, &at) : 0;
    int c = (int)col - 1;
    const char *what = width == 0         ? _("the header")
                       : c == col_comment ? _("comment")
                       : c == col_answer  ? _("answer")
                       : c == col_item    ? _("item")
                                          : _("a cell");

    if (width > 0 && col_item >= 0 && (size_t)col_item < n && c != col_item) {
        return tx_fail(TX_ERR_BAD_UTF8,
                       "%s %s %u, item %.64s: %s (column %zu) holds a NUL byte at byte %zu: "
                       "remove it",
                       r->source, r->unit, line, f[col_item], what, col, at);
    }
    return tx_fail(TX_ERR_BAD_UTF8,
                   "%s %s %u: %s (column %zu) holds a NUL byte at byte %zu: remove it", r->source,
                   r->unit, line, what, col, at);
}

typedef struct {
    const tx_xlsx_sheet *sheet;
    size_t at;
    char **fields; /* n_cols pointers into the sheet, "" for empty cells */
} sheet_rows;

static int
sheet_next(void *ctx, char ***fields, size_t *n, unsigned *number)
{
    sheet_rows *s = ctx;

    if (s->at >= s->sheet->n_rows) {
        return TX_ERR_NOT_FOUND;
    }
    for (size_t c = 0; c < s->sheet->n_cols; c++) {
        char *cell = s->sheet->cells[s->at * s->sheet->n_cols + c];
        s->fields[c] = cell != NULL ? cell : "";
    }
    *fields = s->fields;
    *n = s->sheet->n_cols;
    *number = s->sheet->row_numbers[s->at++];
    return TX_OK;
}

enum { COLS_MAX = 8 };

/* One table of a file: the answers, or the sub-suppliers (a CSV's second section after its own
 * header row, or a worksheet of their own). */
typedef struct {
    int subs;          /* 1: the sub-suppliers table */
    size_t width;      /* columns of its header; 0 until the header is read */
    int col[COLS_MAX]; /* where answer_cols or sub_cols sit, -1 when absent */
} table;

/* 1 when the row is the header of the sub-suppliers table: it names name and supplies. */
static int
is_subs_header(char **f, size_t n)
{
    return find_column(f, n, sub_cols[0]) >= 0 && find_column(f, n, sub_cols[1]) >= 0;
}

/* Reads a header row into t (whose `subs` says which table it heads). */
static int
read_header(reader *r, table *t, char **f, size_t n, unsigned line)
{
    const char *const *names = t->subs ? sub_cols : answer_cols;
    size_t k = t->subs ? TX_ARRAY_LEN(sub_cols) : TX_ARRAY_LEN(answer_cols);

    for (size_t i = 0; i < k; i++) {
        t->col[i] = find_column(f, n, names[i]);
    }
    if (t->col[0] < 0 || t->col[1] < 0) {
        return t->subs ? tx_fail(TX_ERR_MALFORMED,
                                 "%s %s %u: the sub-suppliers' header must name the columns name "
                                 "and supplies (key is optional)",
                                 r->source, r->unit, line)
                       : tx_fail(TX_ERR_MALFORMED,
                                 "%s %s %u: the header must name the columns item and answer "
                                 "(write one with ticsx questionnaire template)",
                                 r->source, r->unit, line);
    }
    t->width = n;
    return TX_OK;
}

/* One row of table t after its header. */
static int
take_row(reader *r, const table *t, char **f, size_t n, unsigned line)
{
    char where[128];
    const char *first = (size_t)t->col[0] < n ? f[t->col[0]] : "?";

    snprintf(where, sizeof where, "%s %u", r->unit, line);
    if (n != t->width) {
        return tx_fail(TX_ERR_MALFORMED, "%s %s (%.64s): %zu columns, the header has %zu",
                       r->source, where, first, n, t->width);
    }
    if (t->subs) {
        return take_sub(r, where, f[t->col[0]], f[t->col[1]], t->col[2] >= 0 ? f[t->col[2]] : "");
    }
    size_t before = r->out->n;
    const char *v[4]; /* plan, plan_due, plan_done, evidence: answer_cols[3..6] */
    int rc = take(r, where, line, f[t->col[0]], f[t->col[1]], t->col[2] >= 0 ? f[t->col[2]] : "");

    if (rc != TX_OK) {
        return rc;
    }
    for (size_t k = 0; k < 4; k++) {
        v[k] = t->col[3 + k] >= 0 ? f[t->col[3 + k]] : NULL;
    }
    extras x = {{v[0], v[1], v[2]}, v[3], NULL};
    return take_extras(r, where, f[t->col[0]], before, &x);
}

/* Reads the rows of src: the answers table, then (optionally) the sub-suppliers table after it;
 * with subs_only, the sub-suppliers table alone (a worksheet of its own, which may be empty). */
static int
parse_rows(reader *r, const row_source *src, int subs_only)
{
    char **f;
    size_t n;
    unsigned line = 0;
    table t = {.subs = subs_only};
    int rc;

    while ((rc = src->next(src->ctx, &f, &n, &line)) == TX_OK || rc == TX_ERR_BAD_UTF8) {
        size_t blank = 0;

        if (rc == TX_ERR_BAD_UTF8) {
            return t.subs ? refuse_nul(r, src, f, n, line, t.width, -1, -1, -1)
                          : refuse_nul(r, src, f, n, line, t.width, t.col[0], t.col[1], t.col[2]);
        }
        for (size_t i = 0; i < n; i++) {
            if (!tx_utf8_valid(f[i], strlen(f[i]))) {
                return tx_fail(TX_ERR_MALFORMED,
                               "%s %s %u: not valid UTF-8: save the file as UTF-8 (\"CSV UTF-8\")",
                               r->source, r->unit, line);
            }
            blank += is_blank(f[i]);
        }
        if (blank == n) {
            continue; /* empty lines, and rows Excel leaves as bare commas */
        }
        if (t.width > 0 && !t.subs && is_subs_header(f, n)) {
            t = (table){.subs = 1}; /* the answers end, the sub-suppliers begin */
        }
        rc = t.width == 0 ? read_header(r, &t, f, n, line) : take_row(r, &t, f, n, line);
        if (rc != TX_OK) {
            return rc;
        }
    }
    if (rc == TX_ERR_NOT_FOUND) {
        return t.width > 0 || subs_only
                   ? TX_OK
                   : tx_fail(TX_ERR_MALFORMED, "%s: empty: no header and no answers", r->source);
    }
    char why[128];
    snprintf(why, sizeof why, "%s", tx_fail_msg());
    return tx_fail(rc, "%s %s %u: %s", r->source, r->unit, line, why);
}

static int
parse_csv(reader *r, const char *buf, size_t len)
{
    row_source src = {csv_next, NULL, csv_nul};
    tx_csv *csv;
    int rc;

    if ((rc = tx_csv_open(buf, len, &csv)) != TX_OK) {
        return rc;
    }
    src.ctx = csv;
    r->unit = _("line");
    rc = parse_rows(r, &src, 0);
    tx_csv_destroy(&csv);
    return rc;
}

static int
parse_sheet(reader *r, const tx_xlsx_sheet *sheet, int subs_only)
{
    sheet_rows rows = {sheet, 0, calloc(sheet->n_cols ? sheet->n_cols : 1, sizeof(char *))};
    row_source src = {sheet_next, &rows, NULL};
    char unit[160];
    int rc;

    if (rows.fields == NULL) {
        return TX_ERR_NOMEM;
    }
    r->unit = _("row");
    if (subs_only) {
        /* TRANSLATORS: names a row of a worksheet other than the first; a row number follows. */
        snprintf(unit, sizeof unit, _("sheet %.96s, row"), sheet->name);
        r->unit = unit;
    }
    rc = parse_rows(r, &src, subs_only);
    r->unit = _("row");
    free(rows.fields);
    return rc;
}

/* 1 when the worksheet's first row holding a value heads the sub-suppliers table. */
static int
sheet_lists_subs(const tx_xlsx_sheet *sheet)
{
    sheet_rows rows = {sheet, 0, calloc(sheet->n_cols ? sheet->n_cols : 1, sizeof(char *))};
    char **f;
    size_t n;
    unsigned line;
    int found =
        rows.fields != NULL && sheet_next(&rows, &f, &n, &line) == TX_OK && is_subs_header(f, n);

    free(rows.fields);
    return found;
}

/* A workbook: the answers on its first worksheet, the sub-suppliers on the first later one whose
 * header names them (none in templates written before they were asked for). */
static int
parse_book(reader *r, const char *buf, size_t len)
{
    tx_xlsx_sheet *sheets = NULL;
    size_t n = 0;
    int rc = tx_xlsx_read_all((const uint8_t *)buf, len, r->source, &sheets, &n);

    if (rc == TX_OK) {
        rc = parse_sheet(r, &sheets[0], 0);
    }
    for (size_t i = 1; rc == TX_OK && i < n; i++) {
        if (sheet_lists_subs(&sheets[i])) {
            rc = parse_sheet(r, &sheets[i], 1);
            break;
        }
    }
    tx_xlsx_sheets_free(sheets, n);
    free(sheets);
    return rc;
}

/* The optional "suppliers" list: [{"name": "...", "supplies": "...", "key": "..."}]. */
static int
parse_suppliers(reader *r, const json_t *arr)
{
    const char *key;
    json_t *v;
    char why[160];
    int rc;

    if (arr == NULL) {
        return TX_OK;
    }
    if (!json_is_array(arr)) {
        return tx_fail(TX_ERR_MALFORMED,
                       "%s: \"suppliers\" must be a list of {\"name\", "
                       "\"supplies\", \"key\"}",
                       r->source);
    }
    rc = tx_limit_check_count(
        tx_limit_find(&ticsx__v1__assessment__descriptor, "suppliers", TX_LIMIT_COUNT),
        json_array_size(arr), why, sizeof why);
    if (rc != TX_OK) {
        return tx_fail(rc, "%s: \"suppliers\" %s", r->source, why);
    }
    for (size_t i = 0; i < json_array_size(arr) && rc == TX_OK; i++) {
        json_t *e = json_array_get(arr, i);
        const char *got[3] = {"", "", ""};
        char where[32];

        if (!json_is_object(e)) {
            return tx_fail(TX_ERR_MALFORMED,
                           "%s suppliers[%zu]: expected {\"name\": \"...\", "
                           "\"supplies\": \"...\", \"key\": \"...\"}",
                           r->source, i);
        }
        json_object_foreach(e, key, v)
        {
            size_t k;
            for (k = 0; k < TX_ARRAY_LEN(sub_cols) && strcmp(key, sub_cols[k]) != 0; k++) {
            }
            if (k == TX_ARRAY_LEN(sub_cols) || !json_is_string(v)) {
                return tx_fail(TX_ERR_MALFORMED,
                               "%s suppliers[%zu]: %s \"%.64s\": use name, "
                               "supplies and key, each a string",
                               r->source, i,
                               k == TX_ARRAY_LEN(sub_cols) ? _("unknown field") : _("field"), key);
            }
            got[k] = json_string_value(v);
        }
        snprintf(where, sizeof where, "suppliers[%zu]", i);
        rc = take_sub(r, where, got[0], got[1], got[2]);
    }
    return rc;
}

/* A JSON answer's optional "plan" {"action", "due", "done"} and "evidence" ["name", ...] into
 * *x: the number of those fields, or a number that fails the caller's size check (1000) when
 * either is malformed. */
static size_t
json_extras(const json_t *e, extras *x)
{
    static const char *const plan_keys[3] = {"action", "due", "done"};
    const json_t *plan = json_object_get(e, "plan"), *ev = json_object_get(e, "evidence");
    const char **to[3] = {&x->plan.action, &x->plan.due, &x->plan.done};
    const char *key;
    json_t *v;

    for (size_t i = 0; i < json_array_size(ev); i++) {
        if (!json_is_string(json_array_get(ev, i))) {
            return 1000;
        }
    }
    if ((ev != NULL && !json_is_array(ev)) || (plan != NULL && !json_is_object(plan))) {
        return 1000;
    }
    json_object_foreach((json_t *)plan, key, v)
    {
        size_t k;
        for (k = 0; k < 3 && strcmp(key, plan_keys[k]) != 0; k++) {
        }
        if (k == 3 || !json_is_string(v)) {
            return 1000;
        }
        *to[k] = json_string_value(v);
    }
    x->evidence_list = ev;
    return (plan != NULL) + (ev != NULL);
}

static int
parse_json(reader *r, const char *buf, size_t len)
{
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *arr, *qref;
    const char *key;
    json_t *v;
    int rc = TX_OK;

    if (root == NULL) {
        return tx_fail(TX_ERR_MALFORMED, "%s line %d: %s", r->source, jerr.line, jerr.text);
    }
    arr = json_object_get(root, "answers");
    qref = json_object_get(root, "questionnaire");
    if (!json_is_object(root) || !json_is_array(arr) || (qref != NULL && !json_is_string(qref))) {
        rc = tx_fail(TX_ERR_MALFORMED,
                     "%s: expected {\"questionnaire\": \"...\", \"answers\": [...]}", r->source);
        goto out;
    }
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "answers") != 0 && strcmp(key, "questionnaire") != 0 &&
            strcmp(key, "suppliers") != 0) {
            rc = tx_fail(TX_ERR_MALFORMED, "%s: unknown field \"%.64s\"", r->source, key);
            goto out;
        }
    }
    if (qref != NULL) {
        snprintf(r->out->questionnaire, sizeof r->out->questionnaire, "%s",
                 json_string_value(qref));
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        json_t *item = json_object_get(e, "item");
        json_t *answer = json_object_get(e, "answer");
        json_t *comment = json_object_get(e, "comment");
        extras x = {{NULL, NULL, NULL}, NULL, NULL};
        size_t before = r->out->n;
        char where[32];

        snprintf(where, sizeof where, "answers[%zu]", i);
        if (!json_is_object(e) || !json_is_string(item) ||
            (answer != NULL && !json_is_string(answer)) ||
            (comment != NULL && !json_is_string(comment)) ||
            json_object_size(e) != 1u + (answer != NULL) + (comment != NULL) + json_extras(e, &x)) {
            rc = tx_fail(TX_ERR_MALFORMED,
                         "%s %s: expected {\"item\": \"...\", \"answer\": \"...\", "
                         "\"comment\": \"...\", \"plan\": {\"action\": \"...\", \"due\": "
                         "\"YYYY-MM-DD\", \"done\": \"YYYY-MM-DD\"}, \"evidence\": [\"file "
                         "name\"]} (comment, plan and evidence optional)",
                         r->source, where);
            goto out;
        }
        rc = take(r, where, (unsigned)i + 1, json_string_value(item),
                  answer != NULL ? json_string_value(answer) : "",
                  comment != NULL ? json_string_value(comment) : "");
        if (rc == TX_OK) {
            rc = take_extras(r, where, json_string_value(item), before, &x);
        }
        if (rc != TX_OK) {
            goto out;
        }
    }
    rc = parse_suppliers(r, json_object_get(root, "suppliers"));
out:
    json_decref(root);
    return rc;
}

int
tx_answers_parse(const char *buf, size_t len, const char *source, const tx_questionnaire_pb *q,
                 int allow_missing, tx_answers *out)
{
    reader r = {.source = source, .q = q, .allow_missing = allow_missing, .out = out};
    const char *p = buf, *end = buf + len;
    size_t missing = 0;
    int json, rc;

    memset(out, 0, sizeof *out);
    r.seen_at = calloc(q->n_items ? q->n_items : 1, sizeof *r.seen_at);
    if (r.seen_at == NULL) {
        return TX_ERR_NOMEM;
    }
    tx_questionnaire_codes(q, r.codes, sizeof r.codes);
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;
    }
    while (p < end && strchr(" \t\r\n", *p) != NULL) {
        p++;
    }
    json = p < end && *p == '{';
    r.json = json;
    if (tx_xlsx_is_zip((const uint8_t *)buf, len)) {
        rc = parse_book(&r, buf, len);
    } else {
        rc = json ? parse_json(&r, buf, len) : parse_csv(&r, buf, len);
    }
    for (size_t i = 0; rc == TX_OK && i < q->n_items; i++) {
        missing += r.seen_at[i] == 0;
    }
    if (rc == TX_OK && missing > 0 && !allow_missing) {
        for (size_t i = 0; i < q->n_items; i++) {
            if (r.seen_at[i] == 0) {
                rc = tx_fail(TX_ERR_MALFORMED,
                             "%s: item %s%s is missing: add %s, or pass --allow-missing", source,
                             q->items[i]->id, missing > 1 ? " and others" : "",
                             missing > 1 ? "them" : "it");
                break;
            }
        }
    }
    free(r.seen_at);
    if (rc != TX_OK) {
        tx_answers_free(out);
    }
    return rc;
}

int
tx_answers_load(const char *path, const tx_questionnaire_pb *q, int allow_missing, tx_answers *out)
{
    uint8_t *buf;
    size_t len;
    int rc = tx_file_read(path, MAX_ANSWERS_FILE, &buf, &len);

    memset(out, 0, sizeof *out);
    if (rc != TX_OK) {
        return tx_fail(rc == TX_ERR_NOT_FOUND ? TX_ERR_IO : rc, "cannot read %s: %s", path,
                       rc == TX_ERR_NOT_FOUND ? _("no such file") : tx_strerror(rc));
    }
    rc = tx_answers_parse((const char *)buf, len, path, q, allow_missing, out);
    free(buf);
    return rc;
}

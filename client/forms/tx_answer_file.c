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

int
tx_answers_template(FILE *f, const tx_questionnaire_pb *q, const char *qref, int json)
{
    if (json) {
        json_t *arr = json_array();
        json_t *root = json_pack("{s:s,s:o}", "questionnaire", qref, "answers", arr);
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
    static const char *const header[] = {"item",    "area",     "level",     "weight",
                                         "text_ja", "text_en",  "answer",    "comment",
                                         "plan",    "plan_due", "plan_done", "evidence"};
    fputs("\xEF\xBB\xBF", f);
    tx_csv_write(f, header, TX_ARRAY_LEN(header));
    for (size_t i = 0; i < q->n_items; i++) {
        const tx_item_pb *it = q->items[i];
        char level[16], weight[16];
        const char *row[12] = {0};

        snprintf(level, sizeof level, "%u", it->level);
        snprintf(weight, sizeof weight, "%u", it->weight);
        row[0] = it->id;
        row[1] = it->area;
        row[2] = level;
        row[3] = weight;
        row[4] = it->text != NULL ? it->text->ja : "";
        row[5] = it->text != NULL ? it->text->en : "";
        for (size_t k = 6; k < TX_ARRAY_LEN(row); k++) {
            row[k] = "";
        }
        tx_csv_write(f, row, TX_ARRAY_LEN(row));
    }
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

/* The plan columns of a CSV or XLSX header (tx_answer_file.h), -1 for those absent. */
static const char *const extra_columns[4] = {"plan", "plan_due", "plan_done", "evidence"};

static void
find_extra_columns(char **f, size_t n, int col[4])
{
    for (size_t k = 0; k < 4; k++) {
        col[k] = find_column(f, n, extra_columns[k]);
    }
}

static extras
row_extras(char **f, const int col[4])
{
    const char *v[4];

    for (size_t k = 0; k < 4; k++) {
        v[k] = col[k] >= 0 ? f[col[k]] : NULL;
    }
    return (extras){{v[0], v[1], v[2]}, v[3], NULL};
}

static int
parse_rows(reader *r, const row_source *src)
{
    char **f;
    size_t n, width = 0;
    unsigned line = 0;
    int col_item = -1, col_answer = -1, col_comment = -1;
    int col_x[4] = {-1, -1, -1, -1}; /* plan, plan_due, plan_done, evidence */
    int rc;

    while ((rc = src->next(src->ctx, &f, &n, &line)) == TX_OK || rc == TX_ERR_BAD_UTF8) {
        char where[32];
        size_t blank = 0;

        if (rc == TX_ERR_BAD_UTF8) {
            return refuse_nul(r, src, f, n, line, width, col_item, col_answer, col_comment);
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
        if (width == 0) {
            col_item = find_column(f, n, "item");
            col_answer = find_column(f, n, "answer");
            col_comment = find_column(f, n, "comment");
            find_extra_columns(f, n, col_x);
            if (col_item < 0 || col_answer < 0) {
                return tx_fail(TX_ERR_MALFORMED,
                               "%s %s %u: the header must name the columns item and answer "
                               "(write one with ticsx questionnaire template)",
                               r->source, r->unit, line);
            }
            width = n;
            continue;
        }
        snprintf(where, sizeof where, "%s %u", r->unit, line);
        if (n != width) {
            return tx_fail(TX_ERR_MALFORMED, "%s %s (%.64s): %zu columns, the header has %zu",
                           r->source, where, (size_t)col_item < n ? f[col_item] : "?", n, width);
        }
        size_t before = r->out->n;
        rc = take(r, where, line, f[col_item], f[col_answer],
                  col_comment >= 0 ? f[col_comment] : "");
        if (rc == TX_OK) {
            extras x = row_extras(f, col_x);
            rc = take_extras(r, where, f[col_item], before, &x);
        }
        if (rc != TX_OK) {
            return rc;
        }
    }
    if (rc == TX_ERR_NOT_FOUND) {
        return width > 0
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
    rc = parse_rows(r, &src);
    tx_csv_destroy(&csv);
    return rc;
}

static int
parse_sheet(reader *r, const tx_xlsx_sheet *sheet)
{
    sheet_rows rows = {sheet, 0, calloc(sheet->n_cols ? sheet->n_cols : 1, sizeof(char *))};
    row_source src = {sheet_next, &rows, NULL};
    int rc;

    if (rows.fields == NULL) {
        return TX_ERR_NOMEM;
    }
    r->unit = _("row");
    rc = parse_rows(r, &src);
    free(rows.fields);
    return rc;
}

/* The optional "suppliers" list: [{"name": "...", "supplies": "...", "key": "..."}]. */
static int
parse_suppliers(reader *r, const json_t *arr)
{
    static const char *const fields[] = {"name", "supplies", "key"};
    const char *key;
    json_t *v;

    if (arr == NULL) {
        return TX_OK;
    }
    if (!json_is_array(arr)) {
        return tx_fail(TX_ERR_MALFORMED, "%s: \"suppliers\" must be a list of {\"name\", "
                                         "\"supplies\", \"key\"}",
                       r->source);
    }
    {
        char why[160];
        int rc = tx_limit_check_count(
            tx_limit_find(&ticsx__v1__assessment__descriptor, "suppliers", TX_LIMIT_COUNT),
            json_array_size(arr), why, sizeof why);
        if (rc != TX_OK) {
            return tx_fail(rc, "%s: \"suppliers\" %s", r->source, why);
        }
    }
    r->out->subs = calloc(json_array_size(arr) + 1, sizeof *r->out->subs);
    if (r->out->subs == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const char *got[3] = {"", "", ""};
        tx_sub_supplier *sub = &r->out->subs[r->out->n_subs];

        if (!json_is_object(e)) {
            return tx_fail(TX_ERR_MALFORMED, "%s suppliers[%zu]: expected {\"name\": \"...\", "
                                             "\"supplies\": \"...\", \"key\": \"...\"}",
                           r->source, i);
        }
        json_object_foreach(e, key, v)
        {
            size_t k;
            for (k = 0; k < TX_ARRAY_LEN(fields) && strcmp(key, fields[k]) != 0; k++) {
            }
            if (k == TX_ARRAY_LEN(fields) || !json_is_string(v)) {
                return tx_fail(TX_ERR_MALFORMED,
                               "%s suppliers[%zu]: %s \"%.64s\": use name, "
                               "supplies and key, each a string",
                               r->source, i,
                               k == TX_ARRAY_LEN(fields) ? _("unknown field") : _("field"), key);
            }
            got[k] = json_string_value(v);
        }
        if (is_blank(got[0])) {
            return tx_fail(TX_ERR_MALFORMED, "%s suppliers[%zu]: a sub-supplier needs a name",
                           r->source, i);
        }
        for (size_t k = 0; k < 2; k++) {
            char why[160];
            int rc = tx_limit_check_text(
                tx_limit_find(&ticsx__v1__sub_supplier__descriptor, fields[k], TX_LIMIT_TEXT),
                got[k], strlen(got[k]), why, sizeof why);
            if (rc != TX_OK) {
                return k == 0 ? tx_fail(rc, "%s suppliers[%zu]: %s", r->source, i, why)
                              : tx_fail(rc, "%s suppliers[%zu] (%.64s): %s", r->source, i, got[0],
                                        why);
            }
        }
        sub->name = trimmed_dup(got[0]);
        sub->supplies = trimmed_dup(got[1]);
        sub->key = trimmed_dup(got[2]);
        r->out->n_subs++;
        if (sub->name == NULL || sub->supplies == NULL || sub->key == NULL) {
            return TX_ERR_NOMEM;
        }
    }
    return TX_OK;
}

/* A JSON answer's optional "plan" {"action", "due", "done"} and "evidence" ["name", ...] into
 * *x: the number of those fields, or a number that fails the caller's size check (1000) when
 * either is malformed. */
static size_t
json_extras(const json_t *e, extras *x)
{
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
        for (k = 0; k < 3 && strcmp(key, k == 0 ? "action" : extra_columns[k] + 5) != 0; k++) {
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
    tx_xlsx_sheet sheet = {0};
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
        rc = tx_xlsx_read((const uint8_t *)buf, len, source, &sheet);
        if (rc == TX_OK) {
            rc = parse_sheet(&r, &sheet);
        }
        tx_xlsx_sheet_free(&sheet);
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

/* Sub-suppliers in Excel and CSV answer files: the CSV template's second section and the XLSX
 * template's suppliers sheet (Japanese headers under ja), filled in and read back with the same
 * checks and limits as a JSON file's "suppliers" (a name, text limits, the count, the key's
 * length), errors naming the sheet, row or line; files written before the section existed still
 * read, without sub-suppliers. */
#include "harness.h"
#include "tx_answer_file.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"
#include "tx_util.h"
#include "tx_xlsx_read.h"
#include "tx_xlsx_template.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <cmocka.h>

typedef struct {
    char *dir;
    tx_questionnaire_pb *q;
} fixture;

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);

    f->dir = th_tmpdir();
    assert_int_equal(tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, &f->q), TX_OK);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;

    tx_free(f->q);
    th_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void
assert_says(const char *want)
{
    if (strstr(tx_fail_msg(), want) == NULL) {
        fail_msg("\"%s\" does not say \"%s\"", tx_fail_msg(), want);
    }
}

/* The CSV template, every answer filled with "yes", then `tail` appended. Caller frees. */
static char *
filled_csv(const tx_questionnaire_pb *q, const char *tail)
{
    char *buf = NULL, *out, *line, *save = NULL;
    size_t len = 0, used = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_int_equal(tx_answers_template(f, q, "", 0), TX_OK);
    fclose(f);
    out = calloc(1, len * 2 + strlen(tail) + 1);
    /* Rows of items: "...,text_en,," -> "...,text_en,yes," (the answer column is the 7th). */
    for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        size_t n = strlen(line);
        int item_row = n > 3 && strcmp(line + n - 3, ",,\r") == 0;
        memcpy(out + used, line, n - (item_row ? 2 : 0));
        used += n - (item_row ? 2 : 0);
        used += (size_t)sprintf(out + used, "%s\n", item_row ? "yes,\r" : "");
    }
    strcpy(out + used, tail);
    free(buf);
    return out;
}

static void
test_csv_template_section(void **state)
{
    fixture *f = *state;
    char *csv = filled_csv(f->q, "");
    tx_answers a;

    /* The template ends with a blank line and the sub-suppliers' own header. */
    assert_non_null(strstr(csv, "\r\n\r\nname,supplies,key\r\n"));
    /* Left empty, it reads as before: answers, no sub-suppliers. */
    if (tx_answers_parse(csv, strlen(csv), "t.csv", f->q, 0, &a) != TX_OK) {
        fail_msg("%s", tx_fail_msg());
    }
    assert_int_equal(a.n, f->q->n_items);
    assert_int_equal(a.n_subs, 0);
    tx_answers_free(&a);
    free(csv);

    /* Filled in: names, what they supply, keys as written; Excel's padding commas kept. */
    csv = filled_csv(f->q, "東海精密,ブラケット,\r\n"
                           "\"Kobe Cast, Ltd.\",castings,0123456789abcdef\r\n");
    if (tx_answers_parse(csv, strlen(csv), "t.csv", f->q, 0, &a) != TX_OK) {
        fail_msg("%s", tx_fail_msg());
    }
    assert_int_equal(a.n_subs, 2);
    assert_string_equal(a.subs[0].name, "東海精密");
    assert_string_equal(a.subs[0].supplies, "ブラケット");
    assert_string_equal(a.subs[0].key, "");
    assert_string_equal(a.subs[1].name, "Kobe Cast, Ltd.");
    assert_string_equal(a.subs[1].key, "0123456789abcdef");
    assert_non_null(strstr(a.subs[1].where, "line"));
    tx_answers_free(&a);
    free(csv);
}

/* What the CSV section refuses, naming the line and the sub-supplier. */
static void
test_csv_section_refused(void **state)
{
    fixture *f = *state;
    unsigned last = 0;
    char *csv, *big, want[96];
    tx_answers a;

    csv = filled_csv(f->q, "Acme,bolts,\r\n,nuts,\r\n");
    for (const char *p = csv; *p; p++) {
        last += *p == '\n';
    }
    assert_int_equal(tx_answers_parse(csv, strlen(csv), "t.csv", f->q, 0, &a), TX_ERR_MALFORMED);
    snprintf(want, sizeof want, "t.csv line %u: a sub-supplier needs a name", last);
    assert_says(want);
    assert_null(a.subs);
    free(csv);

    csv = filled_csv(f->q, "Acme,bolts\r\n");
    assert_int_equal(tx_answers_parse(csv, strlen(csv), "t.csv", f->q, 0, &a), TX_ERR_MALFORMED);
    assert_says("(Acme): 2 columns, the header has 3");
    free(csv);

    /* The record's limits, as for JSON. */
    big = malloc(70000 + 32);
    strcpy(big, "Acme,");
    memset(big + 5, 'x', 70000);
    strcpy(big + 70005, ",\r\n");
    csv = filled_csv(f->q, big);
    assert_int_equal(tx_answers_parse(csv, strlen(csv), "t.csv", f->q, 0, &a), TX_ERR_TOO_LARGE);
    assert_says("(Acme): supplies is 70 000 bytes");
    free(csv);
    memset(big, 'k', 300);
    strcpy(big + 300, "\r\n");
    csv = filled_csv(f->q, "");
    csv = realloc(csv, strlen(csv) + 400);
    strcat(csv, "Acme,bolts,");
    strcat(csv, big);
    assert_int_equal(tx_answers_parse(csv, strlen(csv), "t.csv", f->q, 0, &a), TX_ERR_TOO_LARGE);
    assert_says("(Acme): key is 300 bytes, at most 256");
    free(csv);
    free(big);
}

/* More sub-suppliers than an assessment may carry: refused at the first one too many. */
static void
test_csv_count_limit(void **state)
{
    fixture *f = *state;
    size_t n = 10001, len;
    char *rows = malloc(n * 16 + 1), *p = rows, *csv;
    tx_answers a;

    for (size_t i = 0; i < n; i++) {
        p += sprintf(p, "s%zu,x,\r\n", i);
    }
    csv = filled_csv(f->q, rows);
    len = strlen(csv);
    assert_int_equal(tx_answers_parse(csv, len, "t.csv", f->q, 0, &a), TX_ERR_TOO_LARGE);
    assert_says("(s10000): sub-suppliers");
    free(csv);
    free(rows);
}

/* A workbook like a filled-in template: answers on the first sheet ("yes" everywhere), then a
 * suppliers sheet named `sheet` with `rows` (name, supplies, key triples; NULL name ends). */
static void
write_book(const char *path, const tx_questionnaire_pb *q, const char *sheet,
           const char *const *rows)
{
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "回答");

    worksheet_write_string(ws, 0, 0, "設問ID（item）", NULL);
    worksheet_write_string(ws, 0, 1, "回答（answer）", NULL);
    for (size_t i = 0; i < q->n_items; i++) {
        worksheet_write_string(ws, (lxw_row_t)i + 1, 0, q->items[i]->id, NULL);
        worksheet_write_string(ws, (lxw_row_t)i + 1, 1, "yes", NULL);
    }
    workbook_add_worksheet(wb, "notes"); /* an empty sheet between: skipped */
    if (sheet != NULL) {
        ws = workbook_add_worksheet(wb, sheet);
        worksheet_write_string(ws, 0, 0, "キー（key）", NULL);
        worksheet_write_string(ws, 0, 1, "サプライヤー名（name）", NULL);
        worksheet_write_string(ws, 0, 2, "供給品（supplies）", NULL);
        for (lxw_row_t r = 0; rows[3 * r] != NULL; r++) {
            worksheet_write_string(ws, r + 2, 0, rows[3 * r + 2], NULL);
            worksheet_write_string(ws, r + 2, 1, rows[3 * r], NULL);
            worksheet_write_string(ws, r + 2, 2, rows[3 * r + 1], NULL);
        }
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

static void
test_xlsx_template_sheet(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    tx_xlsx_sheet *sheets = NULL;
    size_t n = 0, len;
    uint8_t *buf = NULL;
    tx_answers a;

    snprintf(path, sizeof path, "%s/template.xlsx", f->dir);
    assert_int_equal(tx_xlsx_template(path, f->q, 1, ""), TX_OK);
    assert_int_equal(tx_file_read(path, 64u << 20, &buf, &len), TX_OK);
    if (tx_xlsx_read_all(buf, len, "template.xlsx", &sheets, &n) != TX_OK) {
        fail_msg("%s", tx_fail_msg());
    }
    free(buf);
    /* answers, suppliers, scale; the suppliers sheet holds its header, its rows are blank. */
    assert_int_equal(n, 3);
    assert_int_equal(sheets[1].n_cols, 3);
    assert_int_equal(sheets[1].n_rows, 1);
    assert_non_null(strstr(sheets[1].cells[0], "name"));
    assert_non_null(strstr(sheets[1].cells[1], "supplies"));
    assert_non_null(strstr(sheets[1].cells[2], "key"));
    tx_xlsx_sheets_free(sheets, n);
    free(sheets);
    /* The unfilled template reads as no sub-suppliers (its answers are blank). */
    assert_int_equal(tx_answers_load(path, f->q, 1, &a), TX_OK);
    assert_int_equal(a.n_subs, 0);
    tx_answers_free(&a);
}

static void
test_xlsx_read_back(void **state)
{
    fixture *f = *state;
    static const char *const rows[] = {"東海精密", "ブラケット",   "",  "Kobe Cast",
                                       "castings", "kobe-cast-fp", NULL};
    char path[PATH_MAX];
    tx_answers a;

    snprintf(path, sizeof path, "%s/filled.xlsx", f->dir);
    write_book(path, f->q, "仕入先", rows);
    if (tx_answers_load(path, f->q, 0, &a) != TX_OK) {
        fail_msg("%s", tx_fail_msg());
    }
    assert_int_equal(a.n, f->q->n_items);
    assert_int_equal(a.n_subs, 2);
    assert_string_equal(a.subs[0].name, "東海精密");
    assert_string_equal(a.subs[0].supplies, "ブラケット");
    assert_string_equal(a.subs[1].key, "kobe-cast-fp");
    assert_string_equal(a.subs[1].where, "sheet 仕入先, row 4");
    tx_answers_free(&a);

    /* A workbook written before the suppliers sheet existed: answers only. */
    unlink(path);
    write_book(path, f->q, NULL, NULL);
    assert_int_equal(tx_answers_load(path, f->q, 0, &a), TX_OK);
    assert_int_equal(a.n_subs, 0);
    tx_answers_free(&a);
}

static void
test_xlsx_refused(void **state)
{
    fixture *f = *state;
    static const char *const blank_name[] = {"Acme", "bolts", "", " ", "nuts", "", NULL};
    char path[PATH_MAX];
    tx_answers a;

    snprintf(path, sizeof path, "%s/bad.xlsx", f->dir);
    write_book(path, f->q, "suppliers", blank_name);
    assert_int_equal(tx_answers_load(path, f->q, 0, &a), TX_ERR_MALFORMED);
    assert_says("bad.xlsx sheet suppliers, row 4: a sub-supplier needs a name");
    assert_null(a.subs);
    assert_null(a.v);
}

/* JSON goes through the same checks: the key's length is capped there too. */
static void
test_json_same_checks(void **state)
{
    fixture *f = *state;
    char key[400], json[1024];
    tx_answers a;

    memset(key, 'a', 300);
    key[300] = 0;
    snprintf(json, sizeof json,
             "{\"answers\": [], \"suppliers\": [{\"name\": \"Acme\", \"key\": \"%s\"}]}", key);
    assert_int_equal(tx_answers_parse(json, strlen(json), "s.json", f->q, 1, &a), TX_ERR_TOO_LARGE);
    assert_says("s.json suppliers[0] (Acme): key is 300 bytes");
    snprintf(json, sizeof json,
             "{\"answers\": [], \"suppliers\": [{\"name\": \"Acme\", \"supplies\": \"bolts\"}]}");
    assert_int_equal(tx_answers_parse(json, strlen(json), "s.json", f->q, 1, &a), TX_OK);
    assert_int_equal(a.n_subs, 1);
    assert_string_equal(a.subs[0].where, "suppliers[0]");
    tx_answers_free(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_csv_template_section, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_section_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_count_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_template_sheet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_same_checks, setup, teardown),
    };

    return cmocka_run_group_tests_name("excelin", tests, NULL, NULL);
}

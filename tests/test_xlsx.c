/* XLSX answer sheets: the template (frozen header, drop-down answer cells fed by the scale
 * sheet, wrapped texts), read back after being filled in (a workbook written here with
 * libxlsxwriter: shared strings, numbers, columns in another order), a hand-made workbook with
 * inline and rich-text strings and Japanese phonetic guides, a bad row named by row number and
 * item, and what the reader refuses: a zip bomb, too many entries, a DTD, a non-workbook. */
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
#include <zip.h>

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

static uint8_t *
slurp(const char *path, size_t *len)
{
    uint8_t *buf = NULL;

    assert_int_equal(tx_file_read(path, 64u << 20, &buf, len), TX_OK);
    return buf;
}

/* One entry of a zip file, as text. Caller frees. */
static char *
zip_entry(const char *path, const char *name)
{
    int err = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &err);
    zip_stat_t st;
    zip_file_t *zf;
    char *buf;

    assert_non_null(z);
    assert_int_equal(zip_stat(z, name, 0, &st), 0);
    buf = calloc(1, st.size + 1);
    zf = zip_fopen(z, name, 0);
    assert_non_null(zf);
    assert_int_equal(zip_fread(zf, buf, st.size), (zip_int64_t)st.size);
    zip_fclose(zf);
    zip_discard(z);
    return buf;
}

static void
test_template(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    tx_xlsx_sheet sheet;
    uint8_t *buf;
    size_t len;

    snprintf(path, sizeof path, "%s/template.xlsx", f->dir);
    assert_int_equal(tx_xlsx_template(path, f->q, 1, "abcdef0123456789"), TX_OK);
    buf = slurp(path, &len);
    assert_true(tx_xlsx_is_zip(buf, len));
    if (tx_xlsx_read(buf, len, "template.xlsx", &sheet) != TX_OK) {
        fail_msg("%s", tx_fail_msg());
    }
    free(buf);
    assert_int_equal(sheet.n_rows, 1 + f->q->n_items);
    /* The built-in questionnaire maps its items to topics: a last column shows them. */
    /* Then the remediation plan columns, named by their keys. */
    assert_int_equal(sheet.n_cols, 12);
    assert_string_equal(sheet.cells[0], "item");
    assert_string_equal(sheet.cells[4], "text_ja");
    assert_string_equal(sheet.cells[5], "answer");
    assert_string_equal(sheet.cells[7], "topics");
    assert_string_equal(sheet.cells[8], "plan");
    assert_string_equal(sheet.cells[9], "plan_due");
    assert_string_equal(sheet.cells[11], "evidence");
    assert_string_equal(sheet.cells[12 + 0], f->q->items[0]->id);
    assert_string_equal(sheet.cells[12 + 1], "ルール作り");
    assert_string_equal(sheet.cells[12 + 2], "1");
    assert_string_equal(sheet.cells[12 + 4], f->q->items[0]->text->ja);
    assert_null(sheet.cells[12 + 5]); /* the answer cell is blank */
    assert_null(sheet.cells[12 + 8]); /* so is the plan */
    assert_int_equal(sheet.row_numbers[1], 2);
    tx_xlsx_sheet_free(&sheet);

    /* Frozen header, a drop-down of labels and codes on the answer cells, wrapped texts. */
    char *xml = zip_entry(path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(xml, "state=\"frozen\""));
    assert_non_null(strstr(xml, "<dataValidation type=\"list\""));
    assert_non_null(strstr(xml, "<formula1>\"実施している,一部実施,実施していない,該当しない,"
                                "yes,partly,no,na\"</formula1>"));
    assert_non_null(strstr(xml, "sqref=\"F2:F64\""));
    assert_non_null(strstr(xml, "<col "));
    free(xml);
    xml = zip_entry(path, "xl/styles.xml");
    assert_non_null(strstr(xml, "wrapText=\"1\""));
    free(xml);
    xml = zip_entry(path, "xl/sharedStrings.xml");
    assert_non_null(strstr(xml, "実施している")); /* the scale sheet: labels, then codes */
    assert_non_null(strstr(xml, ">partly<"));
    free(xml);

    /* English labels when asked. */
    snprintf(path, sizeof path, "%s/template-en.xlsx", f->dir);
    assert_int_equal(tx_xlsx_template(path, f->q, 0, ""), TX_OK);
    xml = zip_entry(path, "xl/sharedStrings.xml");
    assert_non_null(strstr(xml, "Partly implemented"));
    assert_non_null(strstr(xml, "text_en"));
    free(xml);
    xml = zip_entry(path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(xml, "\"Implemented,Partly implemented,Not implemented,"));
    free(xml);

    /* Labels Excel cannot hold in a list (a comma): the codes alone. */
    char *saved = f->q->scale[1]->label->en;
    f->q->scale[1]->label->en = "Partly, not fully";
    snprintf(path, sizeof path, "%s/template-comma.xlsx", f->dir);
    assert_int_equal(tx_xlsx_template(path, f->q, 0, ""), TX_OK);
    f->q->scale[1]->label->en = saved;
    xml = zip_entry(path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(xml, "<formula1>\"yes,partly,no,na\"</formula1>"));
    free(xml);
}

/* Writes a filled answer sheet with libxlsxwriter: columns in another order, answers as
 * labels and codes, one row replaced by `bad_row` (row number, answer) when bad_row > 0. */
static void
write_filled(const char *path, const tx_questionnaire_pb *q, int bad_row, const char *bad)
{
    static const char *const answers[] = {"実施している", "partly", "Not applicable", "no", "YES"};
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "回答");

    assert_non_null(ws);
    worksheet_write_string(ws, 0, 0, "comment", NULL);
    worksheet_write_string(ws, 0, 1, "Answer", NULL);
    worksheet_write_string(ws, 0, 2, "level", NULL);
    worksheet_write_string(ws, 0, 3, "item", NULL);
    for (size_t i = 0; i < q->n_items; i++) {
        lxw_row_t row = (lxw_row_t)(i + 1);
        const char *a = answers[i % 5];
        if (bad_row > 0 && (lxw_row_t)bad_row == row + 1) {
            a = bad;
        }
        if (i % 7 == 0) {
            worksheet_write_string(ws, row, 0, "金庫に保管 (規程 4.2)", NULL);
        }
        worksheet_write_string(ws, row, 1, a, NULL);
        worksheet_write_number(ws, row, 2, q->items[i]->level, NULL);
        worksheet_write_string(ws, row, 3, q->items[i]->id, NULL);
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

/* A plan typed into the sheet: its due date kept by Excel as a date (a day number) reads as
 * that day; a plan on an item answered yes is refused with its row. */
static void
test_plan_columns(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    tx_answers a;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    int64_t due = 0;

    snprintf(path, sizeof path, "%s/plan.xlsx", f->dir);
    for (int pass = 0; pass < 2; pass++) {
        wb = workbook_new(path);
        ws = workbook_add_worksheet(wb, "回答");
        worksheet_write_string(ws, 0, 0, "item", NULL);
        worksheet_write_string(ws, 0, 1, "answer", NULL);
        worksheet_write_string(ws, 0, 2, "是正計画（plan）", NULL);
        worksheet_write_string(ws, 0, 3, "plan_due", NULL);
        worksheet_write_string(ws, 1, 0, f->q->items[0]->id, NULL);
        worksheet_write_string(ws, 1, 1, pass == 0 ? "partly" : "yes", NULL);
        worksheet_write_string(ws, 1, 2, "鍵付きキャビネットを導入", NULL);
        worksheet_write_number(ws, 1, 3, 46568, NULL); /* 2027-06-30 */
        assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
        if (pass == 1) {
            assert_int_equal(tx_answers_load(path, f->q, 1, &a), TX_ERR_MALFORMED);
            assert_non_null(strstr(tx_fail_msg(), "row 2"));
            assert_non_null(strstr(tx_fail_msg(), "answered \"yes\""));
            break;
        }
        if (tx_answers_load(path, f->q, 1, &a) != TX_OK) {
            fail_msg("%s", tx_fail_msg());
        }
        assert_int_equal(tx_parse_time("2027-06-30", &due), TX_OK);
        assert_non_null(a.v[0]->plan);
        assert_string_equal(a.v[0]->plan->action, "鍵付きキャビネットを導入");
        assert_int_equal(a.v[0]->plan->due, due);
        tx_answers_free(&a);
    }
}

static void
test_filled_read_back(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    tx_answers a;
    size_t na = 0;

    snprintf(path, sizeof path, "%s/filled.xlsx", f->dir);
    write_filled(path, f->q, 0, NULL);
    if (tx_answers_load(path, f->q, 0, &a) != TX_OK) {
        fail_msg("%s", tx_fail_msg());
    }
    assert_int_equal(a.n, f->q->n_items);
    assert_string_equal(a.v[0]->item, f->q->items[0]->id);
    assert_string_equal(a.v[0]->choice, "yes");
    assert_string_equal(a.v[0]->comment, "金庫に保管 (規程 4.2)");
    assert_string_equal(a.v[1]->choice, "partly");
    assert_string_equal(a.v[2]->choice, "na");
    assert_string_equal(a.v[3]->choice, "no");
    assert_string_equal(a.v[4]->choice, "yes");
    for (size_t i = 0; i < a.n; i++) {
        na += strcmp(a.v[i]->choice, "na") == 0;
    }
    assert_true(na > 0);
    tx_answers_free(&a);
}

static void
test_bad_row_named(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX], want[128];
    tx_answers a;

    snprintf(path, sizeof path, "%s/bad.xlsx", f->dir);
    write_filled(path, f->q, 5, "sometimes");
    assert_int_equal(tx_answers_load(path, f->q, 0, &a), TX_ERR_MALFORMED);
    snprintf(want, sizeof want, "bad.xlsx row 5 (%s): unknown answer \"sometimes\"",
             f->q->items[3]->id);
    if (strstr(tx_fail_msg(), want) == NULL) {
        fail_msg("\"%s\" does not say \"%s\"", tx_fail_msg(), want);
    }
    unlink(path);
    write_filled(path, f->q, 9, "");
    assert_int_equal(tx_answers_load(path, f->q, 0, &a), TX_ERR_MALFORMED);
    snprintf(want, sizeof want, "row 9 (%s): no answer", f->q->items[7]->id);
    assert_non_null(strstr(tx_fail_msg(), want));
}

/* A zip of (name, text) pairs; len < 0 entries are `-len` bytes of spaces. */
typedef struct {
    const char *name;
    const char *text;
    long spaces;
} entry;

static void
write_zip(const char *path, const entry *e, size_t n)
{
    int err = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    char **bufs = calloc(n, sizeof *bufs);

    assert_non_null(z);
    for (size_t i = 0; i < n; i++) {
        size_t len = e[i].spaces > 0 ? (size_t)e[i].spaces : strlen(e[i].text);
        bufs[i] = malloc(len + 1);
        if (e[i].spaces > 0) {
            memset(bufs[i], ' ', len);
        } else {
            memcpy(bufs[i], e[i].text, len);
        }
        zip_source_t *src = zip_source_buffer(z, bufs[i], len, 0);
        assert_non_null(src);
        assert_true(zip_file_add(z, e[i].name, src, ZIP_FL_OVERWRITE) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
    for (size_t i = 0; i < n; i++) {
        free(bufs[i]);
    }
    free(bufs);
}

#define WORKBOOK                                                                                   \
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "               \
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"             \
    "<sheets><sheet name=\"answers\" sheetId=\"1\" r:id=\"rId7\"/></sheets></workbook>"
#define RELS                                                                                       \
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"       \
    "<Relationship Id=\"rId7\" Type=\"worksheet\" Target=\"worksheets/answers.xml\"/>"             \
    "</Relationships>"

static void
test_inline_and_rich_strings(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    const char *sst = "<sst><si><t>item</t></si>"
                      "<si><r><t>ans</t></r><r><rPr><b/></rPr><t>wer</t></r></si>"
                      "<si><t>実施</t><rPh sb=\"0\" eb=\"2\"><t>ジッシ</t></rPh>"
                      "<t>している</t></si></sst>";
    char sheet_xml[4096];
    snprintf(sheet_xml, sizeof sheet_xml,
             "<worksheet><sheetData>"
             "<row r=\"1\"><c r=\"B1\" t=\"s\"><v>0</v></c><c r=\"D1\" t=\"s\"><v>1</v></c></row>"
             "<row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><t>%s</t></is></c>"
             "<c r=\"D3\" t=\"s\"><v>2</v></c></row>"
             "<row r=\"4\"><c r=\"B4\" t=\"inlineStr\"><is><r><t>%s</t></r></is></c>"
             "<c r=\"D4\" t=\"inlineStr\"><is><t>par</t><r><t>tly</t></r></is></c></row>"
             "<row r=\"6\"><c r=\"B6\" t=\"str\"><f>A1</f><v>%s</v></c>"
             "<c r=\"D6\" t=\"s\"><v>99</v></c></row>"
             "</sheetData></worksheet>",
             f->q->items[0]->id, f->q->items[1]->id, f->q->items[2]->id);
    const entry e[] = {{"xl/workbook.xml", WORKBOOK, 0},
                       {"xl/_rels/workbook.xml.rels", RELS, 0},
                       {"xl/sharedStrings.xml", sst, 0},
                       {"xl/worksheets/answers.xml", sheet_xml, 0}};
    tx_xlsx_sheet s;
    tx_answers a;
    uint8_t *buf;
    size_t len;

    snprintf(path, sizeof path, "%s/inline.xlsx", f->dir);
    write_zip(path, e, 3);
    buf = slurp(path, &len);
    /* Without the worksheet the workbook names, it is refused. */
    assert_int_equal(tx_xlsx_read(buf, len, "inline.xlsx", &s), TX_ERR_MALFORMED);
    assert_non_null(strstr(tx_fail_msg(), "no worksheet"));
    free(buf);
    unlink(path);
    write_zip(path, e, 4);
    buf = slurp(path, &len);
    /* The last row names a shared string that does not exist. */
    assert_int_equal(tx_xlsx_read(buf, len, "inline.xlsx", &s), TX_ERR_MALFORMED);
    assert_non_null(strstr(tx_fail_msg(), "inline.xlsx row 6: shared string \"99\""));
    free(buf);

    /* The same without the bad cell. */
    char *bad = strstr(sheet_xml, "<c r=\"D6\"");
    memmove(bad, strstr(bad, "</c>") + 4, strlen(strstr(bad, "</c>") + 4) + 1);
    unlink(path);
    write_zip(path, e, 4);
    buf = slurp(path, &len);
    if (tx_xlsx_read(buf, len, "inline.xlsx", &s) != TX_OK) {
        fail_msg("%s", tx_fail_msg());
    }
    assert_int_equal(s.n_rows, 4);
    assert_int_equal(s.n_cols, 4);
    assert_null(s.cells[0]);
    assert_string_equal(s.cells[1], "item");
    assert_string_equal(s.cells[3], "answer");
    assert_string_equal(s.cells[4 + 3], "実施している"); /* phonetic guide left out */
    assert_string_equal(s.cells[8 + 3], "partly");
    assert_string_equal(s.cells[12 + 1], f->q->items[2]->id);
    assert_int_equal(s.row_numbers[1], 3);
    assert_int_equal(s.row_numbers[3], 6);
    tx_xlsx_sheet_free(&s);
    /* Read as answers, row numbers name the row that lacks an answer. */
    assert_int_equal(tx_answers_parse((const char *)buf, len, "inline.xlsx", f->q, 1, &a), TX_OK);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.v[0]->choice, "yes");
    assert_string_equal(a.v[1]->choice, "partly");
    tx_answers_free(&a);
    assert_int_equal(tx_answers_parse((const char *)buf, len, "inline.xlsx", f->q, 0, &a),
                     TX_ERR_MALFORMED);
    assert_non_null(strstr(tx_fail_msg(), "inline.xlsx row 6"));
    assert_non_null(strstr(tx_fail_msg(), "no answer"));
    free(buf);
}

static void
expect_refused(const char *path, int code, const char *needle)
{
    tx_xlsx_sheet s;
    uint8_t *buf;
    size_t len;

    buf = slurp(path, &len);
    assert_int_equal(tx_xlsx_read(buf, len, "evil.xlsx", &s), code);
    if (strstr(tx_fail_msg(), needle) == NULL) {
        fail_msg("\"%s\" does not say \"%s\"", tx_fail_msg(), needle);
    }
    assert_null(s.cells);
    free(buf);
    unlink(path);
}

static void
test_refusals(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];

    snprintf(path, sizeof path, "%s/evil.xlsx", f->dir);
    /* A worksheet that inflates past the per-entry cap: a few KiB on disk. */
    const entry bomb[] = {{"xl/workbook.xml", WORKBOOK, 0},
                          {"xl/_rels/workbook.xml.rels", RELS, 0},
                          {"xl/worksheets/answers.xml", NULL, (long)TX_XLSX_MAX_ENTRY + 1}};
    write_zip(path, bomb, 3);
    {
        size_t len;
        uint8_t *buf = slurp(path, &len);
        assert_true(len < 200000);
        free(buf);
    }
    expect_refused(path, TX_ERR_TOO_LARGE, "zip bomb");

    /* Too many entries. */
    entry *many = calloc(TX_XLSX_MAX_ENTRIES + 1, sizeof *many);
    char(*names)[32] = calloc(TX_XLSX_MAX_ENTRIES + 1, sizeof *names);
    for (size_t i = 0; i <= TX_XLSX_MAX_ENTRIES; i++) {
        snprintf(names[i], sizeof names[i], "x/%zu", i);
        many[i] = (entry){names[i], "x", 0};
    }
    write_zip(path, many, TX_XLSX_MAX_ENTRIES + 1);
    expect_refused(path, TX_ERR_TOO_LARGE, "entries");
    free(many);
    free(names);

    /* A DTD (entities could expand): refused before parsing. */
    const entry dtd[] = {
        {"xl/worksheets/sheet1.xml",
         "<!DOCTYPE lol [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>"
         "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>&b;</t></is></c></row>"
         "</sheetData></worksheet>",
         0}};
    write_zip(path, dtd, 1);
    expect_refused(path, TX_ERR_MALFORMED, "DTD");

    /* Not well-formed XML; not a zip at all. */
    const entry broken[] = {{"xl/worksheets/sheet1.xml", "<worksheet><sheetData><row>", 0}};
    write_zip(path, broken, 1);
    expect_refused(path, TX_ERR_MALFORMED, "not well-formed XML");
    th_write_file(path, "PK\003\004 this is not really a zip");
    expect_refused(path, TX_ERR_MALFORMED, "not a readable XLSX workbook");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template),      cmocka_unit_test(test_filled_read_back),
        cmocka_unit_test(test_bad_row_named), cmocka_unit_test(test_inline_and_rich_strings),
        cmocka_unit_test(test_refusals),      cmocka_unit_test(test_plan_columns),
    };
    return cmocka_run_group_tests_name("xlsx", tests, setup, teardown);
}

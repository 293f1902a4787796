/* The report formats from a hand-made document (tests/reports/credentials.json): credentials
 * side by side with status labels that never call "declared" "valid", register matches,
 * evidence files, the policy's verdict and reasons, the level achieved beside the share of the
 * level above, item topics; in English and Japanese; the table's lines within 80 columns. */
#include "tx_cell.h"
#include "tx_i18n.h"
#include "tx_render_doc.h"
#include "tx_render_formats.h"
#include "tx_report.h"
#include "xlsx_parts.h"

#include <jansson.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

static json_t *doc;
static json_t *docs; /* [doc]: the renderers take one document per questionnaire */
static json_t *two;  /* tests/reports/two-questionnaires.json: two documents with a tree */

static int
setup(void **state)
{
    char path[PATH_MAX];
    json_error_t err;
    const char *src = getenv("TX_SOURCE_DIR");

    (void)state;
    tx_i18n_init("en");
    snprintf(path, sizeof path, "%s/tests/reports/credentials.json", src ? src : ".");
    doc = json_load_file(path, 0, &err);
    if (doc == NULL) {
        fprintf(stderr, "%s: %s\n", path, err.text);
    }
    docs = doc != NULL ? json_pack("[O]", doc) : NULL;
    snprintf(path, sizeof path, "%s/tests/reports/two-questionnaires.json", src ? src : ".");
    two = json_load_file(path, 0, &err);
    if (two == NULL) {
        fprintf(stderr, "%s: %s\n", path, err.text);
    }
    return doc == NULL || two == NULL;
}

static int
teardown(void **state)
{
    (void)state;
    json_decref(docs);
    json_decref(doc);
    json_decref(two);
    return 0;
}

/* What a renderer writes to a stream, as a string (caller frees). */
static char *
render(int (*fn)(FILE *, const json_t *, int), const json_t *d, int ja)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    assert_non_null(f);
    assert_int_equal(fn(f, d, ja), 0);
    fclose(f);
    return text;
}

static int
table_notes(FILE *f, const json_t *d, int ja)
{
    const json_t *sups = json_object_get(d, "suppliers");

    for (size_t i = 0; i < json_array_size(sups); i++) {
        tx_report_row_notes(f, json_array_get(sups, i), ja);
    }
    return 0;
}

static void
assert_has(const char *text, const char *needle)
{
    if (strstr(text, needle) == NULL) {
        fprintf(stderr, "expected \"%s\" in:\n%s\n", needle, text);
        fail();
    }
}

static void
assert_lacks(const char *text, const char *needle)
{
    if (strstr(text, needle) != NULL) {
        fprintf(stderr, "did not expect \"%s\" in:\n%s\n", needle, text);
        fail();
    }
}

/* Every line of text within 80 display columns. */
static void
assert_fits(char *text)
{
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (tx_display_width(line) > 80) {
            fail_msg("line wider than 80 columns: %s", line);
        }
    }
}

static void
test_labels(void **state)
{
    (void)state;
    /* "declared" and "valid" never share words, in either language. */
    for (int ja = 0; ja <= 1; ja++) {
        const char *valid = tx_render_cred_label("valid", ja);
        const char *declared = tx_render_cred_label("declared", ja);
        const char *listed = tx_render_cred_label("listed", ja);
        assert_string_not_equal(valid, declared);
        assert_string_not_equal(valid, listed);
        assert_null(strstr(declared, valid));
    }
    assert_string_equal(tx_render_cred_label("declared", 1), "取引先の自己申告");
    assert_string_equal(tx_render_cred_label("listed", 1), "登録簿に掲載");
    assert_string_equal(tx_render_policy_label(1, 1), "適合");
    assert_string_equal(tx_render_policy_label(0, 1), "不適合");
    assert_string_equal(tx_render_policy_label(-1, 1), "");
    assert_string_equal(tx_render_scheme_label("pmark", 1), "プライバシーマーク");
    /* An unknown status is shown as it is, never as something else. */
    assert_string_equal(tx_render_cred_label("odd_new_status", 0), "odd_new_status");
}

static void
test_level_share(void **state)
{
    const json_t *sups = json_object_get(doc, "suppliers");
    char buf[128];

    (void)state;
    tx_render_level_share(json_array_get(sups, 0), 0, 0, buf, sizeof buf);
    assert_string_equal(buf, "L1 L2 80%");
    tx_render_level_share(json_array_get(sups, 1), 0, 0, buf, sizeof buf);
    assert_string_equal(buf, "L1 33%");
    tx_render_level_share(json_array_get(sups, 0), 1, 0, buf, sizeof buf);
    assert_string_equal(buf, "L1 100%, L2 80%");
    tx_render_level_share(json_array_get(sups, 0), 1, 1, buf, sizeof buf);
    assert_string_equal(buf, "L1 100%、L2 80%");
}

static void
test_table(void **state)
{
    char *en = render(table_notes, doc, 0), *ja = render(table_notes, doc, 1);

    (void)state;
    assert_has(en, "TICS: Valid (signed by the body); No. TICS-0001");
    assert_has(en, "TICS, declared by the supplier: Listed in a public register");
    assert_has(en, "register: listed (METI TICS list, Industry Association, as of");
    assert_has(en, "ISMS (ISO/IEC 27001): Declared by the supplier; No. IS 123456");
    assert_has(en, "evidence: isms=cert.pdf (does not");
    assert_has(en, "policy v2: Fail: ISMS certificate: evidence does not match");
    assert_has(en, "policy v2: Pass");
    /* A problem's reason is shown; an ok one's is not repeated. */
    assert_has(en, "lists TICS-0900 for another holder");
    assert_lacks(en, "signed by Body Alpha, accredited");
    assert_has(ja, "取引先の自己申告");
    assert_has(ja, "登録簿に掲載");
    assert_has(ja, "不適合");
    assert_fits(en);
    assert_fits(ja);
    free(en);
    free(ja);
}

static void
test_csv(void **state)
{
    char *en = render(tx_render_csv, docs, 0);

    (void)state;
    assert_has(en, "\"level_shares\",\"credentials\",\"credential_problems\",\"evidence\","
                   "\"policy\",\"policy_version\",\"policy_reasons\"");
    assert_has(en, "\"L1 100%, L2 80%\"");
    assert_has(en, "TICS, declared by the supplier: Listed in a public register");
    assert_has(en, "\"Fail\",\"2\",\"ISMS certificate: evidence does not match; level 2 "
                   "required, level 1 achieved\"");
    /* Tohoku: one problem (register mismatch), the applied Privacy Mark is a warning. */
    assert_has(en,
               "Privacy Mark, declared by the supplier: Applied for; JIPDEC; expected 2027-02-01: "
               "applied for; expected 2027-02-01\",\"1\",\"\",\"Pass\",\"2\",\"\"");
    free(en);
}

static void
test_html(void **state)
{
    char *en = render(tx_render_html, docs, 0), *ja = render(tx_render_html, docs, 1);

    (void)state;
    assert_has(en, "<span class=\"decl\">Declared by the supplier</span>");
    assert_has(en, "<span class=\"ok\">Listed in a public register</span>");
    assert_has(en, "<span class=\"bad\">Fail</span>");
    assert_has(en, "Credentials and evidence");
    assert_has(en, "tics-0777.pdf <span class=\"ok\">checked</span>");
    assert_has(en, "T-2024-03</span> Classifying information");
    assert_has(en, "L1 L2 80%");
    assert_has(en, "Version 2");
    assert_has(en, "@media print");
    assert_has(en, "TICS-aligned self-check (unofficial) (tics-selfcheck v2): Not an official "
                   "METI form.");
    assert_lacks(en, "<script");
    assert_has(ja, "取引先の自己申告");
    assert_has(ja, "受入れ基準");
    assert_has(ja, "情報の区分");
    free(en);
    free(ja);
}

static void
test_oscal(void **state)
{
    char *en = render(tx_render_oscal, docs, 0);
    json_error_t err;
    json_t *o = json_loads(en, 0, &err);

    (void)state;
    assert_non_null(o);
    assert_has(en, "\"name\": \"credential-status\"");
    assert_has(en, "\"value\": \"listed\"");
    assert_has(en, "\"name\": \"policy-pass\"");
    assert_has(en, "\"name\": \"policy-version\"");
    json_decref(o);
    free(en);
}

/* Two questionnaires' documents: HTML has a section under each title, OSCAL a result per
 * supplier of each. */
static void
test_two_questionnaires(void **state)
{
    json_t *a = json_deep_copy(doc), *b = json_deep_copy(doc), *pair, *o;
    char *html, *one, *both;
    size_t n_one, n_both;

    (void)state;
    json_object_set_new(a, "questionnaire",
                        json_pack("{s:s,s:i,s:{s:s,s:s}}", "id", "a-sheet", "version", 1, "title",
                                  "ja", "シートA", "en", "Sheet A"));
    json_object_set_new(b, "questionnaire",
                        json_pack("{s:s,s:i,s:{s:s,s:s}}", "id", "b-sheet", "version", 3, "title",
                                  "ja", "シートB", "en", "Sheet B"));
    pair = json_pack("[o,o]", a, b);
    html = render(tx_render_html, pair, 0);
    assert_has(html, "<h2 class=\"questionnaire\">Sheet A</h2>");
    assert_has(html, "<h2 class=\"questionnaire\">Sheet B</h2>");
    assert_true(strstr(html, "Sheet A</h2>") < strstr(html, "Sheet B</h2>"));
    free(html);
    html = render(tx_render_html, pair, 1);
    assert_has(html, "<h2 class=\"questionnaire\">シートB</h2>");
    free(html);
    one = render(tx_render_oscal, docs, 0);
    both = render(tx_render_oscal, pair, 0);
    o = json_loads(one, 0, NULL);
    n_one = json_array_size(json_object_get(json_object_get(o, "assessment-results"), "results"));
    json_decref(o);
    o = json_loads(both, 0, NULL);
    n_both = json_array_size(json_object_get(json_object_get(o, "assessment-results"), "results"));
    json_decref(o);
    assert_true(n_one > 0);
    assert_int_equal(n_both, 2 * n_one);
    free(one);
    free(both);
    json_decref(pair);
}

static void
test_xlsx(void **state)
{
    char dir[] = "/tmp/txrenderXXXXXX", path[PATH_MAX];
    char *wb, *strings;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.xlsx", dir);
    assert_int_equal(tx_render_xlsx(path, docs, 0), 0);
    wb = xp_zip_part(path, "xl/workbook.xml");
    assert_non_null(wb);
    assert_has(wb, "name=\"credentials\"");
    assert_has(wb, "name=\"evidence\"");
    strings = xp_zip_part(path, "xl/sharedStrings.xml");
    assert_non_null(strings);
    assert_has(strings, "Listed in a public register");
    assert_has(strings, "level_shares");
    assert_has(strings, "T-2024-03 Classifying information");
    assert_has(strings, "tics-0777.pdf (checked)");
    free(wb);
    free(strings);
    unlink(path);
    rmdir(dir);
}

/* The CSV of two questionnaires with a tree: one table, the questionnaire column telling
 * them apart, each one's areas in columns of their own, every parent of a node and its
 * fingerprint after the flags. */
static void
test_csv_tree(void **state)
{
    char *en = render(tx_render_csv, two, 0), *ja = render(tx_render_csv, two, 1);

    (void)state;
    assert_has(en, "\"supplies\",\"flags\",\"parent\",\"parent_fingerprint\",\"A1 Organisation "
                   "(tics-selfcheck)\",\"A2 Physical (tics-selfcheck)\",\"A1 Policy "
                   "(japia-sheet)\",\"S9 Training (japia-sheet)\"\r\n");
    /* Reached through both tier-1 suppliers: both parents, one a line, in the same order. */
    assert_has(en, "\"2\",\"answered\",\"plating\",\"reached_twice\",\"Alpha Parts KK\n=Beta "
                   "Trading\",\"aaaa-1111\nbbbb-2222\",\"40.0\",\"50.0\",\"\",\"\"\r\n");
    assert_has(en, "\"2\",\"answered\",\"plating\",\"reached_twice\",\"Alpha Parts KK\n=Beta "
                   "Trading\",\"aaaa-1111\nbbbb-2222\",\"\",\"\",\"30.0\",\"40.0\"\r\n");
    /* A sub-supplier that shared nothing still says whose tree it is in. */
    assert_has(en, "\"Mikawa Springs\",\"\",\"\",\"\",\"tics-selfcheck v2\",");
    assert_has(en, "\"Mikawa Springs\",\"\",\"\",\"\",\"japia-sheet v1\",");
    assert_has(en, "\"not_answered\",\"springs\",\"\",\"Alpha Parts KK\",\"aaaa-1111\"");
    /* A tier-1 node has no parent; a name like a formula is neutralised where it starts. */
    assert_has(en, "\"'=Beta Trading\",\"bbbb-2222\"");
    assert_has(en, "\"1\",\"answered\",\"\",\"\",\"\",\"\",\"50.0\"");
    assert_has(ja, "\"記載元の取引先\",\"記載元の取引先のフィンガープリント\"");
    /* One questionnaire: area headings as before, without the questionnaire's id. */
    json_t *one = json_pack("[O]", json_array_get(two, 0));
    char *single = render(tx_render_csv, one, 0);
    assert_has(single, "\"parent_fingerprint\",\"A1 Organisation\",\"A2 Physical\"\r\n");
    free(single);
    json_decref(one);
    free(en);
    free(ja);
}

static void
assert_cell(const char *path, const char *sheet, const char *ref, const char *want)
{
    char *got = xp_cell(path, sheet, ref);

    if (got == NULL) {
        fail_msg("no sheet named \"%s\"", sheet);
    }
    if (strcmp(got, want) != 0) {
        fail_msg("%s!%s is \"%s\", expected \"%s\"", sheet, ref, got, want);
    }
    free(got);
}

/* Every worksheet prints landscape on A4, one page wide, its header row on every page; the
 * radar chart is on a chartsheet of its own, not on the areas sheet; long texts wrap. */
static void
test_xlsx_print(void **state)
{
    static const char *const sheets[] = {"suppliers",   "areas",    "certificates",
                                         "credentials", "evidence", "items"};
    char dir[] = "/tmp/txrenderXXXXXX", path[PATH_MAX];
    char *wb, *xml, *part, *styles;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.xlsx", dir);
    assert_int_equal(tx_render_xlsx(path, docs, 0), 0);
    wb = xp_zip_part(path, "xl/workbook.xml");
    for (size_t i = 0; i < sizeof sheets / sizeof sheets[0]; i++) {
        char want[128];
        part = xp_sheet_part(path, sheets[i]);
        assert_non_null(part);
        xml = xp_zip_part(path, part);
        assert_has(xml, "<pageSetUpPr fitToPage=\"1\"/>");
        assert_has(xml, "<pageSetup paperSize=\"9\" fitToHeight=\"0\" orientation=\"landscape\"/>");
        /* Every column of the table has its width (none lost to a later one). */
        assert_lacks(xml, "<cols><col min=\"2\"");
        assert_has(xml, "<oddHeader>&amp;LTICS-aligned self-check (unofficial) (tics-selfcheck "
                        "v2)&amp;R&amp;A</oddHeader>");
        assert_has(xml, "<oddFooter>&amp;C&amp;P / &amp;N</oddFooter>");
        assert_lacks(xml, "<drawing");
        snprintf(want, sizeof want, ">%s!$1:$1</definedName>", sheets[i]);
        assert_has(wb, want);
        free(xml);
        free(part);
    }
    assert_has(wb, "name=\"_xlnm.Print_Titles\"");
    /* The radar chart on its own sheet, landscape, drawn from the areas sheet. */
    assert_has(wb, "<sheet name=\"radar\"");
    part = xp_sheet_part(path, "radar");
    assert_string_equal(part, "xl/chartsheets/sheet1.xml");
    xml = xp_zip_part(path, part);
    assert_has(xml, "orientation=\"landscape\"");
    free(xml);
    xml = xp_zip_part(path, "xl/charts/chart1.xml");
    assert_has(xml, "<c:radarChart>");
    assert_has(xml, "<c:f>areas!$B$1:$");
    free(xml);
    free(part);
    /* Item texts wrap in a wide column (60 characters), top-aligned. */
    part = xp_sheet_part(path, "items");
    xml = xp_zip_part(path, part);
    assert_has(xml, "<col min=\"5\" max=\"5\" width=\"60.7109375\" style=\"1\"");
    free(xml);
    free(part);
    styles = xp_zip_part(path, "xl/styles.xml");
    /* Style 1 (the columns' one; 0 is Excel's default) wraps, top-aligned. */
    char *xf = strstr(styles, "<cellXfs");
    assert_non_null(xf);
    xf = strstr(strstr(xf, "<xf ") + 1, "<xf ");
    assert_non_null(xf);
    const char *want = "<alignment vertical=\"top\" wrapText=\"1\"/></xf>";
    assert_memory_equal(strstr(xf, "<alignment"), want, strlen(want));
    assert_true(strstr(xf, "<alignment") < strstr(xf, "</xf>"));
    free(styles);
    free(wb);
    unlink(path);
    rmdir(dir);
}

/* Two questionnaires: a set of sheets each, names ending in the questionnaire's id; the tree
 * sheet one node a row with tier, parents and their fingerprints, scores and flags. */
static void
test_xlsx_two(void **state)
{
    char dir[] = "/tmp/txrenderXXXXXX", path[PATH_MAX];
    char *wb;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.xlsx", dir);
    assert_int_equal(tx_render_xlsx(path, two, 0), 0);
    wb = xp_zip_part(path, "xl/workbook.xml");
    assert_has(wb, "<sheet name=\"suppliers tics-selfcheck\"");
    assert_has(wb, "<sheet name=\"suppliers japia-sheet\"");
    assert_has(wb, "<sheet name=\"radar tics-selfcheck\"");
    assert_has(wb, "<sheet name=\"radar japia-sheet\"");
    assert_has(wb, "<sheet name=\"tiers japia-sheet\"");
    assert_has(wb, "'tree japia-sheet'!$1:$1");
    assert_cell(path, "tree tics-selfcheck", "A1", "tier");
    assert_cell(path, "tree tics-selfcheck", "D1", "parent");
    assert_cell(path, "tree tics-selfcheck", "E1", "parent_fingerprint");
    assert_cell(path, "tree tics-selfcheck", "M1", "A1 Organisation");
    assert_cell(path, "tree japia-sheet", "N1", "S9 Training");
    /* Tier 1: no parent. */
    assert_cell(path, "tree tics-selfcheck", "A2", "1");
    assert_cell(path, "tree tics-selfcheck", "B3", "=Beta Trading");
    assert_cell(path, "tree tics-selfcheck", "D2", "");
    /* Reached twice: both parents, one a line, with their fingerprints in the same order. */
    assert_cell(path, "tree tics-selfcheck", "A4", "2");
    assert_cell(path, "tree tics-selfcheck", "B4", "Okazaki Plating KK");
    assert_cell(path, "tree tics-selfcheck", "D4", "Alpha Parts KK\n=Beta Trading");
    assert_cell(path, "tree tics-selfcheck", "E4", "aaaa-1111\nbbbb-2222");
    assert_cell(path, "tree tics-selfcheck", "F4", "plating");
    assert_cell(path, "tree tics-selfcheck", "G4", "answered");
    assert_cell(path, "tree tics-selfcheck", "I4", "40");
    assert_cell(path, "tree tics-selfcheck", "L4", "reached_twice");
    assert_cell(path, "tree tics-selfcheck", "M4", "40");
    assert_cell(path, "tree japia-sheet", "M4", "30");
    assert_cell(path, "tree japia-sheet", "D5", "Alpha Parts KK");
    assert_cell(path, "tree japia-sheet", "G5", "not_answered");
    assert_cell(path, "tree japia-sheet", "I5", "");
    /* Each radar chart draws from its own questionnaire's areas sheet. */
    char *chart = xp_zip_part(path, "xl/charts/chart2.xml");
    assert_non_null(chart);
    assert_has(chart, "<c:f>'areas japia-sheet'!$B$1:$C$1</c:f>");
    assert_has(chart, "Scores by area: JAPIA-style check sheet (japia-sheet v1)");
    free(chart);
    free(wb);
    unlink(path);

    /* In Japanese: sheet names and headings from the catalogue. */
    assert_int_equal(tx_render_xlsx(path, two, 1), 0);
    wb = xp_zip_part(path, "xl/workbook.xml");
    assert_has(wb, "<sheet name=\"サプライチェーン japia-sheet\"");
    assert_has(wb, "<sheet name=\"レーダーチャート tics-selfcheck\"");
    assert_cell(path, "サプライチェーン tics-selfcheck", "D1", "記載元の取引先");
    assert_cell(path, "サプライチェーン tics-selfcheck", "L4", "複数の取引先経由");
    free(wb);
    unlink(path);
    rmdir(dir);
}

/* Questionnaire ids Excel cannot take in a sheet name: forbidden characters replaced, cut to
 * 31 characters (whole UTF-8 characters), no apostrophe at either end, and names that would
 * collide once cut (or differ only in case) made distinct. Every sheet is there. */
static void
test_xlsx_sheet_names(void **state)
{
    static const char *const ids[] = {
        "a/b:c*d?e[f]g\\h",
        "'quoted'",
        "very-long-questionnaire-identifier-number-one",
        "very-long-questionnaire-identifier-number-two",
        "VERY-long-questionnaire-identifier-number-two",
        "品質保証チェックシート自動車部品工業会版二〇二四年度改訂第三版",
    };
    const size_t n = sizeof ids / sizeof ids[0];
    json_t *many = json_array();
    char dir[] = "/tmp/txrenderXXXXXX", path[PATH_MAX];
    char *wb;
    size_t count = 0;

    (void)state;
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_deep_copy(json_array_get(two, 0));
        json_object_set_new(json_object_get(d, "questionnaire"), "id", json_string(ids[i]));
        json_array_append_new(many, d);
    }
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.xlsx", dir);
    for (int ja = 0; ja <= 1; ja++) {
        assert_int_equal(tx_render_xlsx(path, many, ja), 0);
        wb = xp_zip_part(path, "xl/workbook.xml");
        count = 0;
        for (char *at = strstr(wb, "<sheet name=\""); at != NULL;
             at = strstr(at + 1, "<sheet name=\"")) {
            char name[256];
            size_t len = strcspn(at + 13, "\"");
            snprintf(name, sizeof name, "%.*s", (int)len, at + 13);
            assert_true(strpbrk(name, "[]:*?/\\") == NULL);
            assert_true(name[0] != '\'' && name[len - 1] != '\'');
            /* Compared case-insensitively with every later name: distinct. */
            for (char *o = strstr(at + 1, "<sheet name=\""); o != NULL;
                 o = strstr(o + 1, "<sheet name=\"")) {
                assert_false(strncasecmp(o + 13, name, len) == 0 && o[13 + len] == '"');
            }
            assert_true(tx_display_width(name) <= 62); /* 31 characters, wide or not */
            count++;
        }
        /* Nine sheets per questionnaire (suppliers, areas, radar, certificates, credentials,
         * evidence, items, tiers, tree). */
        assert_int_equal(count, 9 * n);
        free(wb);
        unlink(path);
    }
    wb = NULL;
    assert_int_equal(tx_render_xlsx(path, many, 0), 0);
    wb = xp_zip_part(path, "xl/workbook.xml");
    assert_has(wb, "<sheet name=\"suppliers a_b_c_d_e_f_g_h\"");
    assert_has(wb, "<sheet name=\"suppliers 'quoted_\"");
    assert_has(wb, "<sheet name=\"suppliers very-long-questionnai\"");
    assert_has(wb, "<sheet name=\"suppliers very-long-questionn~2\"");
    assert_has(wb, "<sheet name=\"suppliers VERY-long-questionn~3\"");
    assert_has(wb, "<sheet name=\"suppliers 品質保証チェックシート自動車部品工業会版二\"");
    /* A chart's ranges name a sheet with an apostrophe in it quoted, the apostrophe doubled. */
    char *chart = xp_zip_part(path, "xl/charts/chart2.xml");
    assert_non_null(chart);
    assert_has(chart, "<c:f>'areas ''quoted_'!$B$1:$C$1</c:f>");
    free(chart);
    free(wb);
    unlink(path);
    rmdir(dir);
    json_decref(many);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_level_share),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_oscal),
        cmocka_unit_test(test_xlsx),
        cmocka_unit_test(test_csv_tree),
        cmocka_unit_test(test_xlsx_print),
        cmocka_unit_test(test_xlsx_two),
        cmocka_unit_test(test_xlsx_sheet_names),
        cmocka_unit_test(test_two_questionnaires),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

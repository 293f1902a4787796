/* The report formats from a hand-made document (tests/reports/credentials.json): credentials
 * side by side with status labels that never call "declared" "valid", register matches,
 * evidence files, the policy's verdict and reasons, the level achieved beside the share of the
 * level above, item topics; in English and Japanese; the table's lines within 80 columns. */
#include "tx_cell.h"
#include "tx_i18n.h"
#include "tx_render_doc.h"
#include "tx_render_formats.h"
#include "tx_report.h"

#include <jansson.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include <cmocka.h>

static json_t *doc;
static json_t *docs; /* [doc]: the renderers take one document per questionnaire */

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
    return doc == NULL;
}

static int
teardown(void **state)
{
    (void)state;
    json_decref(docs);
    json_decref(doc);
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
    json_t *a = json_deep_copy(doc), *b = json_deep_copy(doc), *two, *o;
    char *html, *one, *both;
    size_t n_one, n_both;

    (void)state;
    json_object_set_new(a, "questionnaire",
                        json_pack("{s:s,s:i,s:{s:s,s:s}}", "id", "a-sheet", "version", 1, "title",
                                  "ja", "シートA", "en", "Sheet A"));
    json_object_set_new(b, "questionnaire",
                        json_pack("{s:s,s:i,s:{s:s,s:s}}", "id", "b-sheet", "version", 3, "title",
                                  "ja", "シートB", "en", "Sheet B"));
    two = json_pack("[o,o]", a, b);
    html = render(tx_render_html, two, 0);
    assert_has(html, "<h2 class=\"questionnaire\">Sheet A</h2>");
    assert_has(html, "<h2 class=\"questionnaire\">Sheet B</h2>");
    assert_true(strstr(html, "Sheet A</h2>") < strstr(html, "Sheet B</h2>"));
    free(html);
    html = render(tx_render_html, two, 1);
    assert_has(html, "<h2 class=\"questionnaire\">シートB</h2>");
    free(html);
    one = render(tx_render_oscal, docs, 0);
    both = render(tx_render_oscal, two, 0);
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
    json_decref(two);
}

/* The text of one part of the workbook. */
static char *
zip_part(const char *path, const char *name)
{
    int err;
    zip_t *z = zip_open(path, ZIP_RDONLY, &err);
    zip_stat_t st;
    zip_file_t *zf;
    char *buf;

    assert_non_null(z);
    if (zip_stat(z, name, 0, &st) != 0) {
        zip_close(z);
        return NULL;
    }
    buf = calloc(1, st.size + 1);
    zf = zip_fopen(z, name, 0);
    assert_non_null(zf);
    assert_int_equal(zip_fread(zf, buf, st.size), (zip_int64_t)st.size);
    zip_fclose(zf);
    zip_close(z);
    return buf;
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
    wb = zip_part(path, "xl/workbook.xml");
    assert_non_null(wb);
    assert_has(wb, "name=\"credentials\"");
    assert_has(wb, "name=\"evidence\"");
    strings = zip_part(path, "xl/sharedStrings.xml");
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels), cmocka_unit_test(test_level_share),
        cmocka_unit_test(test_table),  cmocka_unit_test(test_csv),
        cmocka_unit_test(test_html),   cmocka_unit_test(test_oscal),
        cmocka_unit_test(test_xlsx),   cmocka_unit_test(test_two_questionnaires),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

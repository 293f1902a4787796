/* Check sheet import: a good sheet becomes a questionnaire (areas in order of appearance,
 * levels, weights, the built-in scale, signable and round-tripping through JSON); every kind
 * of bad row is reported with its line number and nothing is made; and through the real ticsx
 * binary, a refused sheet leaves no output file, no record and no sequence number behind. */
#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_import.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"
#include "tx_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const tx_import_opts opts = {.id = "acme-sheet",
                                    .version = 3,
                                    .title_ja = "取引先チェックシート",
                                    .title_en = "Partner check sheet"};

static const char good_sheet[] =
    "\xEF\xBB\xBF"
    "Weight,ID,Area,Level,Text_JA,Text-EN\r\n"
    "3,G-01,ガバナンス,1,責任者を任命している,A manager is appointed\r\n"
    "2,G-02,ガバナンス,2,\"規程を年1回見直す, 記録する\",\"Rules are reviewed yearly, with a "
    "record\"\r\n"
    "\r\n"
    "1,P-01,Protection,1,,Backups are tested\r\n"
    "5,P-02,Protection,3,\"複数行の\n説明\",\r\n"
    "4,G-03,ガバナンス,1,取引先と連絡体制を決めている,Contact points with partners are agreed\r\n";

static void
test_good_sheet(void **state)
{
    tx_questionnaire_pb *q = NULL, *builtin = NULL, *back = NULL;
    tx_import_errors errs;
    tx_identity *id = NULL;
    tx_envelope_pb *env = NULL;
    ProtobufCMessage *msg = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    (void)state;

    if (tx_import_csv(good_sheet, strlen(good_sheet), "sheet.csv", &opts, &q, &errs) != TX_OK) {
        fail_msg("%s", tx_fail_msg());
    }
    assert_int_equal(errs.total, 0);
    assert_string_equal(q->id, "acme-sheet");
    assert_int_equal(q->version, 3);
    assert_string_equal(q->title->ja, "取引先チェックシート");
    assert_int_equal(q->n_items, 5);
    /* Areas in order of first appearance, named by the area column. */
    assert_int_equal(q->n_areas, 2);
    assert_string_equal(q->areas[0]->id, "A1");
    assert_string_equal(tx_text(q->areas[0]->name, 1), "ガバナンス");
    assert_string_equal(tx_text(q->areas[1]->name, 0), "Protection");
    assert_string_equal(q->items[4]->id, "G-03");
    assert_string_equal(q->items[4]->area, "A1");
    assert_int_equal(q->items[4]->weight, 4);
    assert_string_equal(q->items[1]->text->ja, "規程を年1回見直す, 記録する");
    assert_string_equal(q->items[2]->text->ja, "");
    assert_string_equal(q->items[3]->text->ja, "複数行の\n説明");
    assert_int_equal(q->items[3]->level, 3);
    /* Levels are the ones used, ascending; the scale is the built-in one. */
    assert_int_equal(q->n_levels, 3);
    assert_int_equal(q->levels[2]->level, 3);
    assert_int_equal(tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, &builtin), TX_OK);
    assert_int_equal(q->n_scale, builtin->n_scale);
    for (size_t i = 0; i < q->n_scale; i++) {
        assert_string_equal(q->scale[i]->code, builtin->scale[i]->code);
        assert_int_equal(q->scale[i]->score_permille, builtin->scale[i]->score_permille);
        assert_int_equal(q->scale[i]->not_applicable, builtin->scale[i]->not_applicable);
    }
    /* Signed, it decodes with the strict codec; as JSON it is a questionnaire file. */
    assert_int_equal(tx_identity_generate("Publisher", &id), TX_OK);
    assert_int_equal(tx_questionnaire_sign(q, id, 1, 1700000000, &buf, &len), TX_OK);
    assert_int_equal(tx_envelope_open_as(buf, len, TX_KIND_QUESTIONNAIRE, &env, &msg), TX_OK);
    json_t *j = tx_questionnaire_to_json(q);
    char *text = json_dumps(j, 0);
    assert_int_equal(tx_questionnaire_parse(text, strlen(text), "again", &back), TX_OK);
    assert_true(tx_questionnaire_same(q, back));
    free(text);
    json_decref(j);
    tx_free(back);
    tx_free(msg);
    tx_free(env);
    free(buf);
    tx_identity_destroy(&id);
    tx_free(builtin);
    tx_free(q);

    /* Without a byte order mark, LF only, no titles: the title is the id. */
    const char plain[] = "id,area,level,text ja,text en,weight\nX1,Area,1,テキスト,Text,100\n";
    tx_import_opts o2 = {.id = "plain", .version = 1};
    assert_int_equal(tx_import_csv(plain, strlen(plain), "plain.csv", &o2, &q, &errs), TX_OK);
    assert_string_equal(tx_text(q->title, 0), "plain");
    assert_int_equal(q->items[0]->weight, 100);
    tx_free(q);
}

/* Imports `sheet` expecting failure; returns the errors (caller frees). */
static tx_import_errors
expect_refused(const char *sheet, size_t len)
{
    tx_questionnaire_pb *q = NULL;
    tx_import_errors errs;

    assert_int_equal(tx_import_csv(sheet, len, "bad.csv", &opts, &q, &errs), TX_ERR_MALFORMED);
    assert_null(q);
    assert_non_null(strstr(tx_fail_msg(), "nothing imported"));
    return errs;
}

static void
expect_error(const tx_import_errors *e, size_t i, unsigned line, const char *item, const char *what)
{
    if (i >= e->n) {
        fail_msg("only %zu errors, wanted one at line %u (%s)", e->n, line, what);
    }
    if (e->v[i].line != line || strcmp(e->v[i].item, item) != 0 ||
        strstr(e->v[i].what, what) == NULL) {
        fail_msg("error %zu: line %u (%s): %s; expected line %u (%s): %s", i, e->v[i].line,
                 e->v[i].item, e->v[i].what, line, item, what);
    }
}

static void
test_bad_rows(void **state)
{
    char sheet[16384], long_text[TX_IMPORT_MAX_TEXT + 2];
    tx_import_errors e;
    (void)state;

    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = 0;
    snprintf(sheet, sizeof sheet,
             "id,area,level,text ja,text en,weight\n" /* 1 */
             "A-01,Rules,1,ja,en,3\n"                 /* 2: good */
             "A-02,Rules,1,ja\n"                      /* 3: missing column */
             ",Rules,1,ja,en,3\n"                     /* 4: empty id */
             "A-01,Rules,2,ja,en,3\n"                 /* 5: duplicate id */
             "A-03,Rules,basic,ja,en,3\n"             /* 6: level not a number */
             "A-04,Rules,0,ja,en,3\n"                 /* 7: level not positive */
             "A-05,Rules,1,ja,en,0\n"                 /* 8: weight 0 */
             "A-06,Rules,1,ja,en,101\n"               /* 9: weight 101 */
             "A-07,Rules,1,\xff\xfe,en,3\n"           /* 10: invalid UTF-8 */
             "A-08,Rules,1,%s,en,3\n"                 /* 11: text too long */
             "A-09,Rules,1,,,3\n"                     /* 12: no text */
             "A-10,,1,ja,en,3\n"                      /* 13: empty area */
             "A 11,Rules,1,ja,en,3\n"                 /* 14: malformed id */
             "A-12,Rules,-1,ja,en,2.5\n"              /* 15: two problems */
             "A-13,Rules,1,ja,en,3,extra\n"           /* 16: more columns */
             "A-14,Rules,2,ja,en,3\n",                /* 17: good */
             long_text);
    e = expect_refused(sheet, strlen(sheet));
    assert_int_equal(e.total, 14);
    expect_error(&e, 0, 3, "A-02", "missing column: 4 of the header's 6 columns");
    expect_error(&e, 1, 4, "", "empty id");
    expect_error(&e, 2, 5, "A-01", "duplicate id (first on line 2)");
    expect_error(&e, 3, 6, "A-03", "level \"basic\" is not a positive whole number");
    expect_error(&e, 4, 7, "A-04", "level \"0\" is not a positive whole number");
    expect_error(&e, 5, 8, "A-05", "weight \"0\" is not a whole number from 1 to 100");
    expect_error(&e, 6, 9, "A-06", "weight \"101\"");
    expect_error(&e, 7, 10, "", "not valid UTF-8");
    expect_error(&e, 8, 11, "A-08", "text ja is longer than 4000 bytes");
    expect_error(&e, 9, 12, "A-09", "no text");
    expect_error(&e, 10, 13, "A-10", "empty area");
    expect_error(&e, 11, 14, "A 11", "id must be letters, digits");
    expect_error(&e, 12, 15, "A-12", "level \"-1\"");
    assert_non_null(strstr(e.v[12].what, "; weight \"2.5\""));
    expect_error(&e, 13, 16, "A-13", "more columns than the header's 6");
    tx_import_errors_free(&e);

    /* An id longer than 64 characters. */
    snprintf(sheet, sizeof sheet, "id,area,level,text ja,text en,weight\n%0100d,R,1,j,e,1\n", 7);
    e = expect_refused(sheet, strlen(sheet));
    assert_int_equal(e.v[0].line, 2);
    assert_non_null(strstr(e.v[0].what, "id is longer than 64 characters"));
    tx_import_errors_free(&e);
}

static void
test_bad_sheets(void **state)
{
    tx_import_errors e;
    tx_questionnaire_pb *q = NULL;
    (void)state;

    /* A header lacking a column: line 1, naming it. */
    const char no_col[] = "id,area,level,text ja,weight\nA,R,1,j,1\n";
    e = expect_refused(no_col, strlen(no_col));
    expect_error(&e, 0, 1, "", "missing: text en");
    tx_import_errors_free(&e);
    /* A header naming a column twice. */
    const char twice[] = "id,area,level,text ja,text en,weight,ID\nA,R,1,j,e,1,A\n";
    e = expect_refused(twice, strlen(twice));
    expect_error(&e, 0, 1, "", "names the column \"id\" twice");
    tx_import_errors_free(&e);
    /* Empty, and only a header. */
    e = expect_refused("\xEF\xBB\xBF\r\n", 5);
    expect_error(&e, 0, 1, "", "no header row");
    tx_import_errors_free(&e);
    const char header_only[] = "id,area,level,text ja,text en,weight\r\n";
    e = expect_refused(header_only, strlen(header_only));
    expect_error(&e, 0, 2, "", "no items below the header");
    tx_import_errors_free(&e);
    /* A quote never closed: its line, after the bad rows before it. */
    const char quote[] = "id,area,level,text ja,text en,weight\nA,R,x,j,e,1\nB,R,1,\"open,e,1\n";
    e = expect_refused(quote, strlen(quote));
    assert_int_equal(e.total, 2);
    expect_error(&e, 0, 2, "A", "level \"x\"");
    expect_error(&e, 1, 3, "", "never closed");
    tx_import_errors_free(&e);
    /* Bad options are usage errors. */
    tx_import_opts bad = {.id = "bad id", .version = 1};
    assert_int_equal(tx_import_csv(header_only, strlen(header_only), "x", &bad, &q, &e),
                     TX_ERR_USAGE);
    bad.id = "ok";
    bad.version = 0;
    assert_int_equal(tx_import_csv(header_only, strlen(header_only), "x", &bad, &q, &e),
                     TX_ERR_USAGE);
}

/* The built-in self-check, the questionnaire users compare imported sheets with: 8 areas of at
 * least 5 items, Japanese and English texts, levels basic and extended, weights; the topics
 * issue 3 lists; and a scale that scores 1, 0.5, 0 and leaves "not applicable" out. */
static void
test_builtin_coverage(void **state)
{
    static const char *const topics[] = {"identified",
                                         "confidentiality class",
                                         "manager",
                                         "storage",
                                         "copied",
                                         "disposed",
                                         "pledge",
                                         "training",
                                         "leaves",
                                         "New joiners",
                                         "Access rights",
                                         "safes",
                                         "restricted areas",
                                         "media",
                                         "taken outside",
                                         "individual ID",
                                         "passwords",
                                         "Security updates",
                                         "Malware",
                                         "logs",
                                         "cloud services",
                                         "backed up",
                                         "business running",
                                         "report",
                                         "response procedure",
                                         "non-disclosure",
                                         "partners",
                                         "subcontractors",
                                         "Contact points"};
    tx_questionnaire_pb *q = NULL;
    (void)state;

    assert_int_equal(tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, &q), TX_OK);
    assert_int_equal(q->n_areas, 8);
    for (size_t a = 0; a < q->n_areas; a++) {
        size_t n = 0;
        assert_true(q->areas[a]->name->ja[0] && q->areas[a]->name->en[0]);
        for (size_t i = 0; i < q->n_items; i++) {
            n += strcmp(q->items[i]->area, q->areas[a]->id) == 0;
        }
        assert_true(n >= 5);
    }
    for (size_t i = 0; i < q->n_items; i++) {
        const tx_item_pb *it = q->items[i];
        assert_true(it->text->ja[0] && it->text->en[0]);
        assert_true(it->level == 1 || it->level == 2);
        assert_true(it->weight >= 1);
    }
    assert_int_equal(q->n_levels, 2);
    for (size_t t = 0; t < sizeof topics / sizeof topics[0]; t++) {
        int found = 0;
        for (size_t i = 0; i < q->n_items && !found; i++) {
            found = strstr(q->items[i]->text->en, topics[t]) != NULL;
        }
        if (!found) {
            fail_msg("no built-in item covers \"%s\"", topics[t]);
        }
    }
    assert_int_equal(q->n_scale, 4);
    assert_int_equal(q->scale[0]->score_permille, 1000);
    assert_int_equal(q->scale[1]->score_permille, 500);
    assert_int_equal(q->scale[2]->score_permille, 0);
    assert_true(q->scale[3]->not_applicable);
    tx_free(q);
}

/* ---- through the binary ---- */

static size_t
count_records(const char *home)
{
    return th_cache_count(home, "records");
}

static void
test_cli_all_or_nothing(void **state)
{
    char *dir = th_tmpdir(), home[PATH_MAX], bad[PATH_MAX], good[PATH_MAX], out[PATH_MAX];
    char seq[PATH_MAX + 8];
    char *seq_before, *seq_after;
    tx_questionnaire_pb *q = NULL;
    th_result r;
    (void)state;

    snprintf(home, sizeof home, "%s/home", dir);
    snprintf(bad, sizeof bad, "%s/bad.csv", dir);
    snprintf(good, sizeof good, "%s/good.csv", dir);
    snprintf(out, sizeof out, "%s/out.json", dir);
    th_ticsx(&r, NULL, home, "keygen", "--name", "Publisher KK", NULL);
    assert_int_equal(r.status, 0);
    th_result_free(&r);
    snprintf(seq, sizeof seq, "%s/seq", home);
    th_write_file(bad, "id,area,level,text ja,text en,weight\n"
                       "A-1,R,1,j,e,1\n"
                       "A-2,R,x,j,e,1\n"
                       "A-1,R,1,j,e,1\n");
    seq_before = th_read_file(seq);

    th_ticsx(&r, NULL, home, "questionnaire", "import", bad, "--id", "sheet", "--version", "1",
             "--out", out, NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "bad.csv line 3 (A-2): level \"x\""));
    assert_non_null(strstr(r.err, "bad.csv line 4 (A-1): duplicate id (first on line 2)"));
    assert_non_null(strstr(r.err, "2 bad rows: nothing imported"));
    th_result_free(&r);
    assert_int_equal(access(out, F_OK), -1);
    assert_int_equal(count_records(home), 0);
    seq_after = th_read_file(seq);
    assert_string_equal(seq_before, seq_after);
    free(seq_after);

    /* A good sheet: the file is a questionnaire usable with --questionnaire FILE, and the
     * signed record is kept. */
    th_write_file(good, good_sheet);
    th_ticsx(&r, NULL, home, "questionnaire", "import", good, "--id", "acme-sheet", "--version",
             "3", "--title-en", "Partner check sheet", "--out", out, NULL);
    if (r.status != 0) {
        fail_msg("import: %s%s", r.out, r.err);
    }
    assert_non_null(strstr(r.err, "imported acme-sheet v3: 5 items in 2 areas"));
    th_result_free(&r);
    assert_int_equal(tx_questionnaire_load_file(out, &q), TX_OK);
    assert_int_equal(q->n_items, 5);
    tx_free(q);
    assert_int_equal(count_records(home), 1);
    seq_after = th_read_file(seq);
    assert_string_not_equal(seq_before, seq_after);
    free(seq_after);
    /* The output is never overwritten. */
    th_ticsx(&r, NULL, home, "questionnaire", "import", good, "--id", "acme-sheet", "--version",
             "3", "--out", out, NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "exists"));
    th_result_free(&r);
    th_ticsx(&r, NULL, home, "questionnaire", "show", out, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "acme-sheet v3"));
    th_result_free(&r);

    free(seq_before);
    th_rmtree(dir);
    free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_sheet),         cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_bad_sheets),         cmocka_unit_test(test_builtin_coverage),
        cmocka_unit_test(test_cli_all_or_nothing),
    };
    return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}

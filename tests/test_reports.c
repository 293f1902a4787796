/* Report formats from a real exchange: a real ticsx-hub on tcp://127.0.0.1:*, ticsx run as a
 * subprocess for an accreditor, a certification body, a buyer and three suppliers (one
 * certified, one named like a spreadsheet formula, one named like HTML). The buyer renders
 * every format: CSV (BOM, quoting, formula names neutralised), HTML (no script, no URL, names
 * escaped; drawn by headless Chromium in English and Japanese), OSCAL (validated against NIST's
 * schema with ajv-cli + ajv-formats), XLSX (sheets, the radar chartsheet, print setup and the
 * tree sheet with the tier-2 sub-supplier under its parent), and the --out rules.
 * Chromium and the validator are required when CI is set, skipped with a message otherwise. */
#include "harness.h"
#include "tx_error.h"
#include "tx_home.h"
#include "tx_json_write.h"
#include "tx_plan.h"
#include "tx_report_row.h"
#include "tx_verify.h"
#include "xlsx_parts.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define BUYER "Example Motors KK"
#define S1 "株式会社 山田製作所"
#define S2 "=HYPERLINK(\"x\")"
#define S3 "<b>&amp;\"' Trading"
#define METI "METI (accreditor)"
#define BODY "JQA Certification"
#define CERT_NO "TICS-R-0001"
#define SUB "Okazaki Plating KK"

typedef struct {
    th_world w;
    char buyer[PATH_MAX], s1[PATH_MAX], s2[PATH_MAX], s3[PATH_MAX], meti[PATH_MAX], body[PATH_MAX];
} fixture;

static fixture fx;

static int
on_ci(void)
{
    const char *ci = getenv("CI");

    return ci != NULL && ci[0] != 0 && strcmp(ci, "false") != 0 && strcmp(ci, "0") != 0;
}

static json_t *
read_json(const char *path)
{
    char *text = th_read_file(path);
    json_t *j = th_parse_json(text);

    free(text);
    return j;
}

/* The first of `names` found on PATH, into out; 0 when none. */
static int
find_tool(const char *const *names, char *out, size_t n)
{
    const char *path = getenv("PATH");
    char dir[PATH_MAX];

    for (; *names != NULL; names++) {
        const char *p = path != NULL ? path : "/usr/bin:/bin";
        while (*p) {
            size_t len = strcspn(p, ":");
            int w;

            snprintf(dir, sizeof dir, "%.*s", (int)len, p);
            w = snprintf(out, n, "%s/%s", dir, *names);
            if (w > 0 && (size_t)w < n && access(out, X_OK) == 0) {
                return 1;
            }
            p += len + (p[len] == ':');
        }
    }
    return 0;
}

/* Answers the buyer's request from `home` with the JSON template, answer `pattern[i % n]`. */
static void
answer(const char *home, const char *request, const char *const *pattern, size_t n, const char *sub)
{
    char path[PATH_MAX];
    th_result r;
    json_t *j, *arr;

    snprintf(path, sizeof path, "%s/answers.json", home);
    th_ticsx_expect(0, &fx.w.hub, home, "questionnaire", "template", request, "--format", "json",
                    "--out", path, NULL);
    j = read_json(path);
    arr = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer", json_string(pattern[i % n]));
    }
    if (sub != NULL) {
        json_object_set_new(j, "suppliers",
                            json_pack("[{s:s,s:s}]", "name", sub, "supplies", "plating"));
    }
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    th_ticsx(&r, &fx.w.hub, home, "answer", request, "--file", path, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
}

static int
setup(void **state)
{
    static const char *const all_yes[] = {"yes"};
    static const char *const mixed[] = {"yes", "partly", "no", "na", "yes", "partly"};
    static const char *const weak[] = {"no", "partly", "no"};
    char request[65];
    char issued[16];
    time_t now = time(NULL) - 30 * 86400;
    struct tm tm;
    th_result r;
    (void)state;

    /* Issued a month ago: valid now, no annual report due yet. */
    gmtime_r(&now, &tm);
    strftime(issued, sizeof issued, "%Y-%m-%d", &tm);
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, "7123456789012");
    th_world_party(&fx.w, fx.s1, "s1", S1, "3180001056789");
    th_world_party(&fx.w, fx.s2, "s2", S2, NULL);
    th_world_party(&fx.w, fx.s3, "s3", S3, NULL);
    th_world_party(&fx.w, fx.meti, "meti", METI, NULL);
    th_world_party(&fx.w, fx.body, "body", BODY, NULL);
    th_world_start(&fx.w);

    /* S1 holds a TICS certificate from an accredited body the buyer trusts. */
    th_world_certify(&fx.w, fx.meti, fx.buyer, fx.body, BODY, S1, CERT_NO, issued);

    th_ticsx(&r, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to", S1,
             "--to", S2, "--to", S3, "--depth", "2", NULL);
    th_expect_status(&r, 0);
    assert_int_equal(strlen(r.out), 65);
    memcpy(request, r.out, 64);
    request[64] = 0;
    th_result_free(&r);
    answer(fx.s1, request, all_yes, 1, NULL);
    answer(fx.s2, request, mixed, 6, SUB);
    answer(fx.s3, request, weak, 3, NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    th_world_end(&fx.w);
    return 0;
}

/* Renders `format` in `lang` to root/NAME; returns the path (static buffer per call site). */
static void
render(char *out, size_t n, const char *format, const char *lang, const char *name)
{
    th_result r;

    snprintf(out, n, "%s/%s", fx.w.root, name);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--format", format, "--lang", lang, "--out", out,
             NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
}

static void
test_csv(void **state)
{
    char path[PATH_MAX];
    char *text;
    (void)state;

    render(path, sizeof path, "csv", "en", "report.csv");
    text = th_read_file(path);
    assert_memory_equal(text, "\xEF\xBB\xBF\"supplier\",\"fingerprint\"", 27);
    /* Every row ends in CRLF, fields are quoted with quotes doubled. */
    th_expect_text(text, "\r\n");
    th_expect_text(text, "\"" S1 "\"");
    /* The formula-like name is neutralised: a single quote before the '=', quotes doubled. */
    th_expect_text(text, "\r\n\"'=HYPERLINK(\"\"x\"\")\",");
    assert_null(strstr(text, "\n\"=HYPERLINK"));
    th_expect_text(text, "\"<b>&amp;\"\"' Trading\"");
    th_expect_text(text, "\"A1 ");
    th_expect_text(text, "\"" SUB "\"");
    th_expect_text(text, "\"answer_state\"");
    /* The sub-supplier's parent is S2, named like a formula: neutralised in its cell too. */
    th_expect_text(text, "\"flags\",\"parent\",\"parent_fingerprint\",");
    th_expect_text(text, "\"plating\",\"\",\"'=HYPERLINK(\"\"x\"\")\",\"SHA256:");
    free(text);

    render(path, sizeof path, "csv", "ja", "report-ja.csv");
    text = th_read_file(path);
    th_expect_text(text, "\"取引先\"");
    th_expect_text(text, "\"認証の状態\"");
    assert_null(strstr(text, "\"Supplier\""));
    free(text);
}

/* Latin words the questionnaire's own Japanese texts hold ("USB", "ID"): the report shows
 * them as the data has them. " word word ... " */
static char data_words[8192] = " ";

static void
collect_data_words(const json_t *v)
{
    const char *k;
    json_t *m;
    size_t i;

    if (json_is_array(v)) {
        json_array_foreach(v, i, m)
        {
            collect_data_words(m);
        }
        return;
    }
    if (!json_is_object(v)) {
        return;
    }
    json_object_foreach((json_t *)v, k, m)
    {
        if (strcmp(k, "ja") == 0 && json_is_string(m)) {
            for (const char *p = json_string_value(m); *p;) {
                size_t n = 0;
                char word[64];
                while ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= 'a' && p[n] <= 'z')) {
                    n++;
                }
                if (n >= 3 && n < 60) {
                    snprintf(word, sizeof word, " %.*s ", (int)n, p);
                    if (strstr(data_words, word) == NULL &&
                        strlen(data_words) + n + 2 < sizeof data_words) {
                        strcat(data_words, word + 1);
                    }
                }
                p += n > 0 ? n : 1;
            }
        } else {
            collect_data_words(m);
        }
    }
}

/* Words of Latin letters a Japanese page may show: names from the data of this test, the
 * scheme and standard names, what fingerprints and ids are made of, and the words of the
 * questionnaire's Japanese texts. */
static int
allowed_word(const char *w, size_t n)
{
    char word[64];

    if (n < 60) {
        snprintf(word, sizeof word, " %.*s ", (int)n, w);
        if (strstr(data_words, word) != NULL) {
            return 1;
        }
    }
    static const char *const ok[] = {
        "Example", "Motors", "HYPERLINK",     "Trading", "Okazaki",    "Plating",
        "plating", "JQA",    "Certification", "METI",    "accreditor", "TICS",
        "ISMS",    "tics",   "selfcheck",     "ticsx",   "amp", /* the name "<b>&amp;..." holds the
                                                                   letters of an entity */
    };

    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        if (strlen(ok[i]) == n && strncmp(ok[i], w, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Fails when the visible text of `html` (outside tags, <style> and fingerprints) holds a run
 * of three or more Latin letters that is not an allowed word: an English label left in a
 * Japanese page. */
static void
expect_no_english(const char *html)
{
    const char *p = html, *style = strstr(html, "<style>"), *style_end = strstr(html, "</style>");

    while (*p) {
        if (style != NULL && style_end != NULL && p >= style && p < style_end) {
            p = style_end + 8;
            continue;
        }
        if (*p == '<' || *p == '&') {
            /* A tag, or an entity such as &amp; or &#47;: not text a reader sees as a word. */
            const char *end = strchr(p, *p == '<' ? '>' : ';');
            p = end != NULL ? end + 1 : p + 1;
            continue;
        }
        if (strncmp(p, "SHA256:", 7) == 0) {
            p += strcspn(p, "<");
            continue;
        }
        size_t n = 0;
        while ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= 'a' && p[n] <= 'z')) {
            n++;
        }
        if (n >= 3 && !allowed_word(p, n)) {
            fail_msg("the Japanese report shows the English word \"%.*s\" in: %.80s", (int)n, p,
                     p >= html + 40 ? p - 40 : html);
        }
        p += n > 0 ? n : 1;
    }
}

static void
test_html(void **state)
{
    char path[PATH_MAX];
    char *text;
    json_t *j;
    (void)state;

    render(path, sizeof path, "html", "en", "report.html");
    text = th_read_file(path);
    th_expect_text(text, "<html lang=\"en\">");
    assert_null(strstr(text, "<script"));
    assert_null(strstr(text, "<SCRIPT"));
    assert_null(strstr(text, "http:"));
    assert_null(strstr(text, "https:"));
    assert_null(strstr(text, "//"));
    assert_null(strstr(text, "url("));
    th_expect_text(text, S1);
    th_expect_text(text, "=HYPERLINK(&quot;x&quot;)");
    th_expect_text(text, "&lt;b&gt;&amp;amp;&quot;&#39; Trading");
    assert_null(strstr(text, "<b>&amp;"));
    th_expect_text(text, "<svg");
    th_expect_text(text, "Noto Sans CJK JP");
    th_expect_text(text, CERT_NO);
    th_expect_text(text, "SHA256:");
    /* The supply tree: the tier-2 vendor S2 lists, and the roll-ups with the weakest link. */
    th_expect_text(text, "Supply tree");
    th_expect_text(text, SUB);
    th_expect_text(text, "class=\"weak\"");
    th_expect_text(text, "Whole tree");
    /* Item texts from the questionnaire, in the language. */
    th_expect_text(text, "<details>");
    free(text);

    render(path, sizeof path, "json", "ja", "report-words.json");
    j = read_json(path);
    collect_data_words(j);
    json_decref(j);
    render(path, sizeof path, "html", "ja", "report-ja.html");
    text = th_read_file(path);
    th_expect_text(text, "<html lang=\"ja\">");
    assert_null(strstr(text, "//"));
    /* Labels from the catalogue, in the web UI's words; no English label left. */
    th_expect_text(text, "取引先セキュリティ評価レポート");
    th_expect_text(text, "サプライチェーン");
    th_expect_text(text, "検証済み");
    expect_no_english(text);
    free(text);
}

/* tests/reports/validate-oscal DOC: 0 valid, 1 invalid, 77 no validator. */
static void
test_oscal(void **state)
{
    char path[PATH_MAX], script[PATH_MAX];
    const char *src = getenv("TX_SOURCE_DIR");
    th_result r;
    json_t *j, *ar;
    (void)state;

    render(path, sizeof path, "oscal", "en", "report-oscal.json");
    j = read_json(path);
    ar = json_object_get(j, "assessment-results");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(ar, "metadata"), "oscal-version")),
        "1.0.4");
    /* A result per organisation of the tree: three suppliers and the tier-2 vendor. */
    assert_int_equal(json_array_size(json_object_get(ar, "results")), 4);
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(ar, "back-matter"), "resources")), 1);
    /* A finding per item of the questionnaire, not per area. */
    assert_true(json_array_size(json_object_get(json_array_get(json_object_get(ar, "results"), 0),
                                                "findings")) > 8);
    json_decref(j);

    assert_non_null(src);
    snprintf(script, sizeof script, "%s/tests/reports/validate-oscal", src);
    for (int lang = 0; lang < 2; lang++) {
        if (lang == 1) {
            render(path, sizeof path, "oscal", "ja", "report-oscal-ja.json");
        }
        const char *argv[] = {script, path, NULL};
        th_exec(&r, NULL, argv);
        if (r.status == 77) {
            if (on_ci()) {
                fail_msg("the OSCAL validator is missing on CI: %s", r.err);
            }
            fprintf(stderr, "test_reports: skipping OSCAL validation: %s", r.err);
            th_result_free(&r);
            return;
        }
        th_expect_status(&r, 0);
        th_result_free(&r);
    }
    /* The validator catches a broken document: a result without its required uuid. */
    j = read_json(path);
    json_object_del(
        json_array_get(json_object_get(json_object_get(j, "assessment-results"), "results"), 0),
        "uuid");
    snprintf(path, sizeof path, "%s/broken-oscal.json", fx.w.root);
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    const char *argv[] = {script, path, NULL};
    th_exec(&r, NULL, argv);
    th_expect_status(&r, 1);
    th_result_free(&r);
}

/* The node named `name` of the buyer's report JSON (with the tree), or NULL. */
static const json_t *
report_node(const json_t *report, const char *name)
{
    const json_t *nodes = json_object_get(report, "nodes");

    for (size_t i = 0; i < json_array_size(nodes); i++) {
        const json_t *n = json_array_get(nodes, i);
        const char *nn = json_string_value(json_object_get(n, "name"));
        if (nn != NULL && strcmp(nn, name) == 0) {
            return n;
        }
    }
    return NULL;
}

/* The workbook of the two-tier exchange: the radar chart on a chartsheet of its own, the
 * suppliers sheet printing landscape one page wide with its header row repeated, and the tree
 * sheet's row of the sub-supplier at tier 2 under S2, with S2's fingerprint. */
static void
expect_xlsx_tree(const char *path)
{
    th_result r;
    json_t *root;
    const json_t *report, *sub, *s2;
    char *part, *xml, *v, ref[8];
    int row = 0;

    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--format", "json", NULL);
    th_expect_status(&r, 0);
    root = th_parse_json(r.out);
    th_result_free(&r);
    report = th_report_doc(root);
    sub = report_node(report, SUB);
    s2 = report_node(report, S2);
    assert_non_null(sub);
    assert_non_null(s2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(sub, "parents"), 0)),
                        json_string_value(json_object_get(s2, "key")));

    part = xp_sheet_part(path, "radar");
    assert_non_null(part);
    assert_non_null(strstr(part, "chartsheets/"));
    free(part);
    part = xp_sheet_part(path, "suppliers");
    assert_non_null(part);
    xml = xp_zip_part(path, part);
    th_expect_text(xml, "<pageSetUpPr fitToPage=\"1\"/>");
    th_expect_text(xml, "orientation=\"landscape\"");
    free(xml);
    free(part);
    xml = xp_zip_part(path, "xl/workbook.xml");
    th_expect_text(xml, ">suppliers!$1:$1</definedName>");
    th_expect_text(xml, ">tree!$1:$1</definedName>");
    free(xml);

    for (int i = 2; i < 20 && row == 0; i++) {
        snprintf(ref, sizeof ref, "B%d", i);
        v = xp_cell(path, "tree", ref);
        assert_non_null(v);
        row = strcmp(v, SUB) == 0 ? i : 0;
        free(v);
    }
    assert_int_not_equal(row, 0);
    static const struct {
        char col;
        const char *key;
    } want[] = {{'A', "tier"}, {'D', "parent"}, {'E', "parent_fingerprint"}, {'F', "supplies"}};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        const char *expect = k == 0   ? "2"
                             : k == 1 ? S2
                             : k == 2 ? json_string_value(json_object_get(s2, "fingerprint"))
                                      : "plating";
        snprintf(ref, sizeof ref, "%c1", want[k].col);
        v = xp_cell(path, "tree", ref);
        assert_string_equal(v, want[k].key);
        free(v);
        snprintf(ref, sizeof ref, "%c%d", want[k].col, row);
        v = xp_cell(path, "tree", ref);
        assert_string_equal(v, expect);
        free(v);
    }
    json_decref(root);
}

/* Occurrences of needle in hay. */
static size_t
count_of(const char *hay, const char *needle)
{
    size_t n = 0;

    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

/* `report --json` is format 2: the questionnaire's texts once per document, rows' items with
 * only their own answers, and tree nodes that are supplier rows refer to them by position. */
static void
test_json_format2(void **state)
{
    th_result r;
    json_t *root, *doc, *q, *e;
    const json_t *sups, *nodes, *it;
    char *text;
    size_t i, rows = 0, subs = 0;
    (void)state;

    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "report", NULL);
    th_expect_status(&r, 0);
    root = th_parse_json(r.out);
    assert_int_equal(json_integer_value(json_object_get(root, "format")), 2);
    doc = json_array_get(json_object_get(root, "reports"), 0);
    assert_int_equal(json_integer_value(json_object_get(doc, "format")), 2);
    assert_int_equal(json_array_size(json_object_get(doc, "questionnaires")), 1);
    q = json_array_get(json_object_get(doc, "questionnaires"), 0);
    assert_true(json_array_size(json_object_get(q, "choices")) >= 4);
    /* Each item's text is written once, though three suppliers answered it. */
    json_array_foreach(json_object_get(q, "items"), i, e)
    {
        text = json_dumps(json_object_get(json_object_get(e, "text"), "en"), JSON_ENCODE_ANY);
        assert_int_equal(count_of(r.out, text), 1);
        free(text);
    }
    sups = json_object_get(doc, "suppliers");
    assert_int_equal(json_array_size(sups), 3);
    json_array_foreach(sups, i, e)
    {
        size_t k;
        assert_null(json_object_get(json_object_get(e, "questionnaire"), "title"));
        assert_null(json_object_get(json_array_get(json_object_get(e, "areas"), 0), "name"));
        assert_null(json_object_get(json_object_get(e, "questionnaire"), "provenance"));
        assert_non_null(json_array_get(json_object_get(e, "levels"), 0));
        assert_null(json_object_get(json_array_get(json_object_get(e, "levels"), 0), "name"));
        assert_null(json_object_get(json_object_get(e, "level_next"), "name"));
        assert_int_equal(json_array_size(json_object_get(e, "items")),
                         json_array_size(json_object_get(q, "items")));
        json_array_foreach(json_object_get(e, "items"), k, it)
        {
            assert_int_equal(json_object_size(it), 3);
            assert_non_null(json_object_get(it, "answer"));
            assert_true(json_is_string(json_object_get(it, "comment")));
        }
    }
    nodes = json_object_get(doc, "nodes");
    json_array_foreach(nodes, i, e)
    {
        const json_t *at = json_object_get(e, "row");
        if (json_is_integer(at)) {
            const json_t *row = json_array_get(sups, (size_t)json_integer_value(at));
            assert_true(json_equal(json_object_get(row, "key"), json_object_get(e, "key")));
            /* The row's own members a node repeats, and no policy on either. */
            assert_non_null(json_object_get(row, "fingerprint"));
            assert_true(
                json_equal(json_object_get(row, "fingerprint"), json_object_get(e, "fingerprint")));
            assert_true(json_is_null(json_object_get(row, "policy")));
            assert_true(json_is_null(json_object_get(e, "policy")));
            assert_null(json_object_get(e, "status"));
            assert_null(json_object_get(e, "items"));
            rows++;
        } else {
            assert_true(json_is_null(at));
            assert_string_equal(json_string_value(json_object_get(e, "name")), SUB);
            subs++;
        }
    }
    assert_int_equal(rows, 3);
    assert_int_equal(subs, 1);
    json_decref(root);
    th_result_free(&r);
}

static void
test_xlsx(void **state)
{
    char path[PATH_MAX], *xml;
    th_result r;
    (void)state;

    render(path, sizeof path, "xlsx", "en", "report.xlsx");
    for (int i = 1; i <= 5; i++) {
        char part[64];
        snprintf(part, sizeof part, "xl/worksheets/sheet%d.xml", i);
        xml = xp_zip_part(path, part);
        assert_non_null(xml);
        free(xml);
    }
    xml = xp_zip_part(path, "xl/charts/chart1.xml");
    assert_non_null(xml);
    th_expect_text(xml, "<c:radarChart>");
    free(xml);
    xml = xp_zip_part(path, "xl/workbook.xml");
    assert_non_null(xml);
    th_expect_text(xml, "name=\"suppliers\"");
    th_expect_text(xml, "name=\"certificates\"");
    th_expect_text(xml, "name=\"tiers\"");
    th_expect_text(xml, "name=\"items\"");
    th_expect_text(xml, "name=\"tree\"");
    th_expect_text(xml, "_FilterDatabase");
    free(xml);
    expect_xlsx_tree(path);

    /* Never replaced without --force; XLSX needs --out. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--format", "xlsx", "--out", path, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "exists");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--format", "xlsx", "--out", path, "--force", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--format", "xlsx", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "--out");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--format", "pdf", NULL);
    th_expect_status(&r, 2);
    th_result_free(&r);
}

/* The table in Japanese: durations and levels read as a Japanese reader writes them. */
static void
test_table_ja(void **state)
{
    th_result r;
    (void)state;

    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--lang", "ja", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "0日経過");
    th_expect_text(r.out, "サプライチェーン（");
    th_expect_text(r.out, "レベル");
    assert_null(strstr(r.out, " 0d\n"));
    assert_null(strstr(r.out, "SUPPLIER"));
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--lang", "en", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "0d\n");
    th_expect_text(r.out, "SUPPLIER");
    th_result_free(&r);
}

static void
test_out_rules(void **state)
{
    char path[PATH_MAX];
    char *text;
    th_result r;
    (void)state;

    snprintf(path, sizeof path, "%s/keep.html", fx.w.root);
    th_write_file(path, "precious");
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--format", "html", "--out", path, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "--force");
    th_result_free(&r);
    text = th_read_file(path);
    assert_string_equal(text, "precious");
    free(text);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--format", "html", "--out", path, "--force", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    text = th_read_file(path);
    th_expect_text(text, "<!DOCTYPE html>");
    free(text);
    /* Without --out, on standard output. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--format", "csv", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\xEF\xBB\xBF");
    th_result_free(&r);
}

/* Draws the HTML with headless Chromium; the PNG must exist and not be blank. */
static void
screenshot(const char *chromium, const char *lang)
{
    char html[PATH_MAX], png[PATH_MAX + 8], url[PATH_MAX + 16], shot[PATH_MAX + 32],
        profile[PATH_MAX];
    struct stat st;
    th_result r;

    snprintf(html, sizeof html, "%s/shot-%s.html", fx.w.root, lang);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--format", "html", "--lang", lang, "--out", html,
             NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    snprintf(png, sizeof png, "%s/shot-%s.png", fx.w.root, lang);
    snprintf(url, sizeof url, "file://%s", html);
    snprintf(shot, sizeof shot, "--screenshot=%s", png);
    snprintf(profile, sizeof profile, "--user-data-dir=%s/chromium-%s", fx.w.root, lang);
    const char *argv[] = {chromium,
                          "--headless",
                          "--no-sandbox",
                          "--disable-gpu",
                          "--disable-quic",
                          "--no-first-run",
                          "--disable-background-networking",
                          "--disable-component-update",
                          "--disable-sync",
                          "--disable-dev-shm-usage",
                          "--hide-scrollbars",
                          profile,
                          shot,
                          "--window-size=1280,2000",
                          url,
                          NULL};
    th_exec(&r, NULL, argv);
    if (stat(png, &st) != 0) {
        fail_msg("chromium wrote no screenshot (exit %d): %s", r.status, r.err);
    }
    th_result_free(&r);
    /* A blank 1280x2000 page compresses to a few KB; a drawn report is far larger. */
    if (st.st_size < 20000) {
        fail_msg("%s: %lld bytes, looks blank", png, (long long)st.st_size);
    }
    char *data = th_read_file(png);
    assert_memory_equal(data, "\x89PNG", 4);
    free(data);
}

static void
test_chromium(void **state)
{
    static const char *const names[] = {"chromium", "chromium-browser", "google-chrome", NULL};
    char chromium[PATH_MAX];
    (void)state;

    if (!find_tool(names, chromium, sizeof chromium)) {
        if (on_ci()) {
            fail_msg("chromium is missing on CI: run script/bootstrap");
        }
        fprintf(stderr, "test_reports: skipping the Chromium rendering: chromium not found\n");
        return;
    }
    screenshot(chromium, "en");
    screenshot(chromium, "ja");
}

/* A row's first members, in this order, from a bare verdict (no questionnaire, nothing checked);
 * a row whose supplier name is not UTF-8 is not made at all (as json_pack made none). */
static void
test_row_head(void **state)
{
    static tx_verdict v;
    tx_report_row r = {.v = &v};
    const char *want =
        "{\"name\":\"取引先 \\\"A\\\"\",\"fingerprint\":\"fp-1\",\"key\":\""
        "0101010101010101010101010101010101010101010101010101010101010101\",\"status\":"
        "\"revoked\",\"reason\":\"revoked by its author\",\"assessment\":\""
        "0202020202020202020202020202020202020202020202020202020202020202\",\"request\":"
        "\"0303030303030303030303030303030303030303030303030303030303030303\","
        "\"questionnaire\":null,";
    json_t *j;
    char *text;
    (void)state;

    memset(&v, 0, sizeof v);
    snprintf(v.supplier_name, sizeof v.supplier_name, "%s", "取引先 \"A\"");
    snprintf(v.supplier_fp, sizeof v.supplier_fp, "%s", "fp-1");
    memset(v.supplier, 1, sizeof v.supplier);
    memset(v.assessment, 2, sizeof v.assessment);
    v.status = TX_REVOKED;
    snprintf(v.reason, sizeof v.reason, "%s", "revoked by its author");
    v.has_request = 1;
    memset(v.request, 3, sizeof v.request);
    assert_non_null(j = tx_report_row_json(&r));
    text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_non_null(text);
    assert_memory_equal(text, want, strlen(want));
    free(text);
    json_decref(j);
    /* Verified: no reason; no request. */
    v.status = TX_VERIFIED;
    v.has_request = 0;
    assert_non_null(j = tx_report_row_json(&r));
    assert_string_equal(json_string_value(json_object_get(j, "status")), "verified");
    assert_true(json_is_null(json_object_get(j, "reason")));
    assert_true(json_is_null(json_object_get(j, "request")));
    json_decref(j);
    snprintf(v.supplier_name, sizeof v.supplier_name, "%s", "取引\xe5\x85");
    assert_null(tx_report_row_json(&r));
}

/* r's object as the streamed report's writer writes it (tx_jw_emit), parsed back. */
static json_t *
written_row(const tx_report_row *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    tx_jw *w = malloc(sizeof *w);
    tx_jw_emit je;
    json_error_t err;
    json_t *j;

    assert_non_null(f);
    assert_non_null(w);
    tx_jw_init(w, f);
    tx_jw_putc(w, '{');
    tx_jw_emit_init(&je, w, 3, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    tx_report_row_emit(&je.e, r);
    assert_int_equal(je.e.rc, 0);
    tx_jw_puts(w, "\n}");
    assert_int_equal(tx_jw_flush(w), 0);
    assert_int_equal(fclose(f), 0);
    free(w);
    j = json_loads(text, 0, &err);
    if (j == NULL) {
        fail_msg("the writer's row does not parse: %s\n%s", err.text, text);
    }
    free(text);
    return j;
}

/* The builder's object of r and the writer's text of it, parsed, are the same value with the
 * same members in the same order. */
static void
same_row(const tx_report_row *r)
{
    json_t *built = tx_report_row_json(r), *written = written_row(r);
    char *a, *b;

    assert_non_null(built);
    a = json_dumps(built, JSON_COMPACT | JSON_PRESERVE_ORDER);
    b = json_dumps(written, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(b, a);
    assert_true(json_equal(built, written));
    free(a);
    free(b);
    json_decref(built);
    json_decref(written);
}

/* Each real row (a certificate, credentials, Japanese, quotes, "not applicable" answers), with
 * texts and items and without, and made tricky: a plan, failed with no questionnaire, not
 * scored, a questionnaire mismatch and a supersede notice with quotes. */
static void
test_row_backends(void **state)
{
    tx_home *h = NULL;
    tx_verdicts vs;
    tx_report_row *rows;
    size_t n, tried = 0;
    (void)state;

    assert_int_equal(tx_home_open(fx.buyer, &h), TX_OK);
    assert_int_equal(tx_verify_all(h, NULL, &vs), TX_OK);
    assert_int_equal(tx_report_rows(&vs, &rows, &n), TX_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        tx_report_row r = rows[i];
        tx_verdict v = *r.v;
        tx_plan_pb plan = TICSX__V1__PLAN__INIT;
        tx_answer_pb *with_plan = NULL;

        assert_true(r.scored);
        for (int mode = 0; mode < 4; mode++) {
            r.no_texts = mode & 1;
            r.no_items = mode >> 1;
            same_row(&r);
            tried++;
        }
        /* A plan (open, Japanese and quotes in its action) on an answer short of full
         * credit. */
        for (size_t k = 0; k < v.inner->n_answers && with_plan == NULL; k++) {
            if (tx_plan_allowed(v.q, v.inner->answers[k]->choice)) {
                with_plan = v.inner->answers[k];
            }
        }
        if (with_plan != NULL) {
            plan.action = "手順書を \"改訂\" する\tnext";
            plan.due = 4102444800; /* 2100-01-01 */
            with_plan->plan = &plan;
            same_row(&r);
            with_plan->plan = NULL;
            tried++;
        }
        r.v = &v;
        v.q_mismatch = 1;
        snprintf(v.q_mismatch_reason, sizeof v.q_mismatch_reason, "%s", "answers \"x\" v1 で");
        v.superseded = 1;
        snprintf(v.notice, sizeof v.notice, "%s", "newer assessment available: \\ \"y\"");
        same_row(&r);
        r.scored = 0; /* expired-like: read, not scored */
        same_row(&r);
        v.status = TX_FAILED;
        v.q = NULL;
        snprintf(v.reason, sizeof v.reason, "%s", "署名が \"不正\"\n(bad)");
        for (int mode = 0; mode < 4; mode++) {
            r.no_texts = mode & 1;
            r.no_items = mode >> 1;
            same_row(&r);
        }
        tried += 6;
    }
    assert_true(tried >= 3 * 10);
    tx_report_rows_free(rows, n);
    tx_verdicts_free(&vs);
    tx_home_destroy(&h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),          cmocka_unit_test(test_row_head),
        cmocka_unit_test(test_html),         cmocka_unit_test(test_oscal),
        cmocka_unit_test(test_xlsx),         cmocka_unit_test(test_out_rules),
        cmocka_unit_test(test_table_ja),     cmocka_unit_test(test_chromium),
        cmocka_unit_test(test_json_format2), cmocka_unit_test(test_row_backends),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

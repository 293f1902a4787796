/* Several questionnaires at once, through a real ticsx-hub and the ticsx binary: a buyer asks
 * one supplier for the built-in TICS self-check and for its own imported check sheet; the
 * supplier answers the sheet listing a sub-supplier, then the self-check listing none. The
 * report has a document per questionnaire (both rows kept), each tree with the sub-supplier of
 * the assessment that lists one; --questionnaire and `questionnaire main` pick one; a bad id
 * or a tampered main-questionnaire file is refused. Beside it, the split of hand-built
 * verdicts into scopes. */
#include "harness.h"
#include "tx_error.h"
#include "tx_report_scope.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#define BUYER "Multi Motors KK"
#define SUP "Multi Parts KK"
#define SUB "Multi Plating KK"
#define SHEET "buyer-sheet"
#define TICS "tics-selfcheck"

typedef struct {
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], sub[PATH_MAX];
    char a_tics[65], a_sheet[65];
    int ready;
} fixture;

static fixture fx;

static int
setup(void **state)
{
    (void)state;
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, NULL);
    th_world_party(&fx.w, fx.sup, "sup", SUP, NULL);
    th_world_party(&fx.w, fx.sub, "sub", SUB, NULL);
    th_world_start(&fx.w);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    th_world_end(&fx.w);
    return 0;
}

static void
whoami(const char *home, const char *member, char out[65])
{
    th_result r;
    json_t *j;

    th_ticsx(&r, &fx.w.hub, home, "whoami", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    snprintf(out, 65, "%s", json_string_value(json_object_get(j, member)));
    json_decref(j);
    th_result_free(&r);
}

/* Answers `req` with every item `yes` and the sub-suppliers `subs` (taken); the assessment id
 * into aid. */
static void
answer(const char *req, json_t *subs, char aid[65])
{
    char path[PATH_MAX];
    json_t *j, *arr;
    char *text;

    snprintf(path, sizeof path, "%s/answers-%.8s.json", fx.w.root, req);
    th_ticsx_expect(0, &fx.w.hub, fx.sup, "questionnaire", "template", req, "--format", "json",
                    "--out", path, NULL);
    text = th_read_file(path);
    j = th_parse_json(text);
    free(text);
    arr = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer", json_string("yes"));
    }
    json_object_set_new(j, "suppliers", subs);
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    th_ticsx_id(aid, &fx.w.hub, fx.sup, "answer", req, "--file", path, NULL);
}

/* The buyer's sheet imported and published; both requests answered; fetched. Once. */
static void
given_both_answered(void)
{
    char sheet[PATH_MAX], out[PATH_MAX], req_tics[65], req_sheet[65], sub_fp[65];

    if (fx.ready) {
        return;
    }
    snprintf(sheet, sizeof sheet, "%s/sheet.csv", fx.w.root);
    snprintf(out, sizeof out, "%s/sheet.json", fx.w.root);
    th_write_file(sheet, "\xEF\xBB\xBFid,area,level,text ja,text en,weight\r\n"
                         "G-1,ガバナンス,1,責任者を置く,A manager is appointed,3\r\n"
                         "G-2,ガバナンス,2,年1回見直す,Reviewed yearly,2\r\n");
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "questionnaire", "import", sheet, "--id", SHEET,
                    "--version", "1", "--title-en", "Buyer check sheet", "--title-ja",
                    "発注者チェックシート", "--out", out, "--publish", NULL);
    th_ticsx_id(req_tics, &fx.w.hub, fx.buyer, "request", "--questionnaire", TICS, "--to", SUP,
                "--depth", "2", NULL);
    th_ticsx_id(req_sheet, &fx.w.hub, fx.buyer, "request", "--questionnaire", SHEET, "--to", SUP,
                NULL);
    whoami(fx.sub, "fingerprint", sub_fp);
    /* The sheet lists the sub-supplier; the newer self-check lists none. */
    answer(req_sheet,
           json_pack("[{s:s,s:s,s:s}]", "name", SUB, "supplies", "plating", "key", sub_fp),
           fx.a_sheet);
    answer(req_tics, json_array(), fx.a_tics);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    fx.ready = 1;
}

/* ticsx --json report with up to seven more arguments, the list ended by NULL. */
static json_t *report_json(th_result *r, ...) __attribute__((sentinel));

static json_t *
report_json(th_result *r, ...)
{
    const char *argv[8];
    va_list ap;
    size_t n = 0;

    va_start(ap, r);
    for (const char *a; n < 7 && (a = va_arg(ap, const char *)) != NULL;) {
        argv[n++] = a;
    }
    va_end(ap);
    argv[n] = NULL;
    th_ticsx(r, &fx.w.hub, fx.buyer, "--json", "report", n > 0 ? argv[0] : NULL,
             n > 1 ? argv[1] : NULL, NULL);
    th_expect_status(r, 0);
    return th_report_v1(th_parse_json(r->out));
}

static const char *
doc_qid(const json_t *doc)
{
    return json_string_value(json_object_get(json_object_get(doc, "questionnaire"), "id"));
}

/* The node of the organisation named `name` in doc's tree, NULL when none. */
static const json_t *
node_named(const json_t *doc, const char *name)
{
    const json_t *nodes = json_object_get(doc, "nodes");

    for (size_t i = 0; i < json_array_size(nodes); i++) {
        const json_t *n = json_array_get(nodes, i);
        if (strcmp(json_string_value(json_object_get(n, "name")), name) == 0) {
            return n;
        }
    }
    return NULL;
}

/* One doc of questionnaire `qid` with the supplier's row from assessment `aid`, and in its tree
 * the sub-supplier at tier 2 under the supplier. */
static void
expect_doc(const json_t *doc, const char *qid, const char *aid)
{
    const json_t *sups = json_object_get(doc, "suppliers"), *sub;

    assert_string_equal(doc_qid(doc), qid);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(doc, "questionnaire"), "version")) > 0,
        1);
    assert_int_equal(json_array_size(sups), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(sups, 0), "assessment")),
                        aid);
    assert_string_equal(json_string_value(json_object_get(json_array_get(sups, 0), "status")),
                        "verified");
    sub = node_named(doc, SUB);
    assert_non_null(sub);
    assert_int_equal(json_integer_value(json_object_get(sub, "tier")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(sub, "parents"), 0)),
                        json_string_value(json_object_get(json_array_get(sups, 0), "key")));
}

static void
test_both_questionnaires_reported(void **state)
{
    th_result r;
    json_t *j, *docs;
    (void)state;

    given_both_answered();
    j = report_json(&r, NULL);
    docs = json_object_get(j, "reports");
    assert_non_null(json_object_get(j, "generated"));
    assert_int_equal(json_array_size(docs), 2);
    /* By id: the sheet, then the self-check; each keeps its own row. */
    expect_doc(json_array_get(docs, 0), SHEET, fx.a_sheet);
    expect_doc(json_array_get(docs, 1), TICS, fx.a_tics);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(json_array_get(docs, 0), "questionnaire"), "title"),
            "en")),
        "Buyer check sheet");
    json_decref(j);
    th_result_free(&r);

    /* The table: one section per questionnaire, both trees with the sub-supplier. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, SHEET " v1: Buyer check sheet");
    th_expect_text(r.out, TICS " v");
    assert_non_null(strstr(strstr(r.out, "supply tree, " SHEET " ("), SUB));
    assert_non_null(strstr(strstr(r.out, "supply tree, " TICS " ("), SUB));
    th_result_free(&r);

    /* HTML: a section per questionnaire. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--format", "html", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "<h2 class=\"questionnaire\">Buyer check sheet</h2>");
    assert_non_null(
        strstr(strstr(r.out, "Buyer check sheet</h2>"), "<h2 class=\"questionnaire\">"));
    th_result_free(&r);

    /* verify --json names each assessment's questionnaire. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "verify", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    for (size_t i = 0; i < json_array_size(json_object_get(j, "assessments")); i++) {
        const json_t *a = json_array_get(json_object_get(j, "assessments"), i);
        const char *aid = json_string_value(json_object_get(a, "assessment"));
        assert_string_equal(json_string_value(json_object_get(a, "questionnaire_id")),
                            strcmp(aid, fx.a_tics) == 0 ? TICS : SHEET);
    }
    assert_int_equal(json_array_size(json_object_get(j, "assessments")), 2);
    json_decref(j);
    th_result_free(&r);
}

static void
test_questionnaire_option(void **state)
{
    th_result r;
    json_t *j;
    (void)state;

    given_both_answered();
    j = report_json(&r, "--questionnaire", TICS, NULL);
    expect_doc(th_report_doc(j), TICS, fx.a_tics);
    json_decref(j);
    th_result_free(&r);

    /* A questionnaire nobody answered: the same envelope, one empty document naming it. */
    j = report_json(&r, "--questionnaire", "nobody-answers", NULL);
    assert_string_equal(doc_qid(th_report_doc(j)), "nobody-answers");
    assert_int_equal(json_array_size(json_object_get(th_report_doc(j), "suppliers")), 0);
    json_decref(j);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--questionnaire", "nobody-answers", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "nobody-answers: no assessment answers this questionnaire");
    th_result_free(&r);

    /* Not an id: refused before anything is read. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--questionnaire", "../x", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "a questionnaire id is 1 to 64 letters");
    th_result_free(&r);
}

static void
test_main_questionnaire(void **state)
{
    char path[PATH_MAX + 32];
    struct stat st;
    th_result r;
    json_t *j;
    (void)state;

    given_both_answered();
    th_ticsx(&r, &fx.w.hub, fx.buyer, "questionnaire", "main", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "no main questionnaire");
    th_result_free(&r);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "questionnaire", "main", SHEET, NULL);
    snprintf(path, sizeof path, "%s/main-questionnaire", fx.buyer);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "questionnaire", "main", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"main\": \"" SHEET "\"");
    th_result_free(&r);

    /* The main one alone by default; --questionnaire still picks another. */
    j = report_json(&r, NULL);
    expect_doc(th_report_doc(j), SHEET, fx.a_sheet);
    json_decref(j);
    th_result_free(&r);
    j = report_json(&r, "--questionnaire", TICS, NULL);
    expect_doc(th_report_doc(j), TICS, fx.a_tics);
    json_decref(j);
    th_result_free(&r);

    /* An id with a line break (or a path) is refused and the setting kept. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "questionnaire", "main", "x\ny", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "a questionnaire id is 1 to 64 letters");
    th_result_free(&r);
    assert_true(th_file_holds(path, SHEET "\n"));
    /* A main-questionnaire file written by hand with something else is refused, not ignored
     * (the report would otherwise quietly show every questionnaire). */
    th_write_file(path, "../../etc/passwd\n");
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", NULL);
    assert_int_not_equal(r.status, 0);
    th_expect_text(r.err, "not a questionnaire id");
    th_result_free(&r);

    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "questionnaire", "main", "none", NULL);
    assert_int_not_equal(stat(path, &st), 0);
    j = report_json(&r, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "reports")), 2);
    json_decref(j);
    th_result_free(&r);
}

/* Hand-built verdicts: one whose questionnaire did not verify joins the scope of another
 * verdict of the same record; one of an unknown record (revoked before it was read) is in
 * every scope; only with no questionnaire known at all is there a scope with no id. */
static void
test_scopes(void **state)
{
    tx_questionnaire_pb qa, qb;
    tx_verdict v[4];
    tx_verdicts vs = {.v = v, .n = 4}, unknown = {.v = &v[2], .n = 1}, none = {0};
    tx_report_scope *sc;
    size_t n;
    json_t *j;
    (void)state;

    memset(v, 0, sizeof v);
    memset(&qa, 0, sizeof qa);
    memset(&qb, 0, sizeof qb);
    qa.id = (char *)"zeta";
    qa.version = 1;
    qb.id = (char *)"alpha";
    qb.version = 2;
    v[0].q = &qa;
    v[0].questionnaire[0] = 1;
    v[1].questionnaire[0] = 1; /* qa's record, failed before its questionnaire was read */
    v[1].seq = 7;
    v[2].status = TX_REVOKED; /* its sealed record never read */
    v[3].q = &qb;
    v[3].questionnaire[0] = 2;
    assert_int_equal(tx_report_scopes(&vs, NULL, &sc, &n), TX_OK);
    assert_int_equal(n, 2);
    assert_string_equal(sc[0].id, "alpha");
    assert_int_equal(sc[0].vs.n, 2);
    assert_ptr_equal(sc[0].q, &qb);
    assert_int_equal(sc[0].vs.v[0].status, TX_REVOKED);
    assert_string_equal(sc[1].id, "zeta");
    assert_int_equal(sc[1].vs.n, 3);
    assert_ptr_equal(sc[1].q, &qa);
    assert_int_equal(sc[1].vs.v[1].seq, 7);
    j = tx_report_scope_json(&sc[1]);
    assert_string_equal(json_string_value(json_object_get(j, "id")), "zeta");
    json_decref(j);
    tx_report_scopes_free(sc, n);

    assert_int_equal(tx_report_scopes(&vs, "zeta", &sc, &n), TX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(sc[0].vs.n, 3);
    tx_report_scopes_free(sc, n);

    /* Nothing known: one scope with no id, its questionnaire null. */
    assert_int_equal(tx_report_scopes(&unknown, NULL, &sc, &n), TX_OK);
    assert_int_equal(n, 1);
    assert_string_equal(sc[0].id, "");
    assert_int_equal(sc[0].vs.n, 1);
    j = tx_report_scope_json(&sc[0]);
    assert_true(json_is_null(j));
    json_decref(j);
    tx_report_scopes_free(sc, n);

    /* Nothing granted: one scope, for the tree of what was asked. */
    assert_int_equal(tx_report_scopes(&none, NULL, &sc, &n), TX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(sc[0].vs.n, 0);
    tx_report_scopes_free(sc, n);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_questionnaires_reported),
        cmocka_unit_test(test_questionnaire_option),
        cmocka_unit_test(test_main_questionnaire),
    };
    const struct CMUnitTest units[] = {
        cmocka_unit_test(test_scopes),
    };
    int failed = cmocka_run_group_tests_name("multiq units", units, NULL, NULL);

    return failed + cmocka_run_group_tests_name("multiq exchange", tests, setup, teardown);
}

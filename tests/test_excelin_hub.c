/* Excel answers end to end, through the real binaries and a real ticsx-hub (LMDB, CURVE): the
 * Japanese XLSX template carries a suppliers sheet; `answer --check` judges a workbook against a
 * request (keys resolved on the hub) or a built-in questionnaire without any hub, exit 0 when
 * valid and 2 when not, and signs and sends nothing; a supplier answers with a workbook listing
 * its own suppliers and the buyer's supply tree shows tier 2; superseding with fewer
 * sub-suppliers warns and names the dropped ones (and --json carries them), superseding with the
 * same ones does not. */
#include "harness.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"
#include "tx_util.h"
#include "tx_xlsx_read.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <cmocka.h>

#define OEM "Example Motors KK"
#define T1 "Tanaka Seiko KK"
#define T2 "Okazaki Plating KK"
#define NOKEY "Corner Packaging"

typedef struct {
    th_world w;
    char oem[PATH_MAX], t1[PATH_MAX], t2[PATH_MAX];
    tx_questionnaire_pb *q;
} fixture;

static fixture fx;

static int
setup(void **state)
{
    (void)state;
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.oem, "oem", OEM, NULL);
    th_world_party(&fx.w, fx.t1, "t1", T1, NULL);
    th_world_party(&fx.w, fx.t2, "t2", T2, NULL);
    th_world_start(&fx.w);
    assert_int_equal(tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, &fx.q), TX_OK);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    tx_free(fx.q);
    th_world_end(&fx.w);
    return 0;
}

/* A filled-in workbook like the template: every item `answer` on the first sheet, then a
 * suppliers sheet with subs (name, supplies, key triples, NULL-ended), or none when subs is
 * NULL (a workbook from before the sheet existed). */
static void
workbook(const char *path, const char *answer, const char *const *subs)
{
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "回答");

    worksheet_write_string(ws, 0, 0, "設問ID（item）", NULL);
    worksheet_write_string(ws, 0, 1, "回答（answer）", NULL);
    for (size_t i = 0; i < fx.q->n_items; i++) {
        worksheet_write_string(ws, (lxw_row_t)i + 1, 0, fx.q->items[i]->id, NULL);
        worksheet_write_string(ws, (lxw_row_t)i + 1, 1, answer, NULL);
    }
    if (subs != NULL) {
        ws = workbook_add_worksheet(wb, "二次取引先");
        worksheet_write_string(ws, 0, 0, "取引先名（name）", NULL);
        worksheet_write_string(ws, 0, 1, "供給品（supplies）", NULL);
        worksheet_write_string(ws, 0, 2, "鍵またはハブ上の名称（key）", NULL);
        for (lxw_row_t r = 0; subs[3 * r] != NULL; r++) {
            for (lxw_col_t c = 0; c < 3; c++) {
                worksheet_write_string(ws, r + 1, c, subs[3 * r + c], NULL);
            }
        }
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

/* The object in j (searched depth first) with "name" = name and a "tier", or NULL. */
static const json_t *
tree_node(const json_t *j, const char *name)
{
    const char *k;
    const json_t *v, *hit;
    size_t i;

    if (json_is_object(j)) {
        const json_t *n = json_object_get(j, "name");
        if (json_is_string(n) && strcmp(json_string_value(n), name) == 0 &&
            json_object_get(j, "tier") != NULL) {
            return j;
        }
        json_object_foreach((json_t *)j, k, v)
        {
            if ((hit = tree_node(v, name)) != NULL) {
                return hit;
            }
        }
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v)
        {
            if ((hit = tree_node(v, name)) != NULL) {
                return hit;
            }
        }
    }
    return NULL;
}

static size_t
assessments_on_hub(const char *home)
{
    th_result r;
    json_t *j;
    size_t n;

    th_ticsx(&r, &fx.w.hub, home, "assessments", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    n = json_array_size(json_is_array(j) ? j : json_object_get(j, "assessments"));
    json_decref(j);
    th_result_free(&r);
    return n;
}

/* The Japanese template's suppliers sheet: its own worksheet, headers naming the keys. */
static void
test_template_sheet(void **state)
{
    char path[PATH_MAX];
    tx_xlsx_sheet *sheets = NULL;
    uint8_t *buf = NULL;
    size_t n = 0, len;
    (void)state;

    snprintf(path, sizeof path, "%s/template-ja.xlsx", fx.w.root);
    th_ticsx_expect(0, NULL, fx.t1, "--lang", "ja", "questionnaire", "template", "tics-selfcheck",
                    "--format", "xlsx", "--out", path, NULL);
    assert_int_equal(tx_file_read(path, 64u << 20, &buf, &len), TX_OK);
    assert_int_equal(tx_xlsx_read_all(buf, len, path, &sheets, &n), TX_OK);
    free(buf);
    assert_int_equal(n, 3);
    assert_string_equal(sheets[1].name, "二次取引先");
    assert_string_equal(sheets[1].cells[0], "取引先名（name）");
    assert_string_equal(sheets[1].cells[1], "供給品（supplies）");
    assert_string_equal(sheets[1].cells[2], "鍵またはハブ上の名称（key）");
    tx_xlsx_sheets_free(sheets, n);
    free(sheets);
}

static void
test_check_answer_supersede(void **state)
{
    static const char *const two[] = {T2, "plating", T2, NOKEY, "boxes", "", NULL};
    static const char *const stranger[] = {"Nobody KK", "air", "Nobody KK", NULL};
    char req[65], a1[65], a2[65], path[PATH_MAX], csv[PATH_MAX], text[4096];
    const json_t *n;
    th_result r;
    json_t *j;
    size_t before;
    (void)state;

    th_ticsx_id(req, &fx.w.hub, fx.oem, "request", "--questionnaire", "tics-selfcheck", "--to", T1,
                "--depth", "2", NULL);
    snprintf(path, sizeof path, "%s/answers.xlsx", fx.w.root);
    workbook(path, "yes", two);

    /* --check against the request: valid, the sub-supplier's legal name resolved on the hub,
     * nothing signed or sent. */
    before = assessments_on_hub(fx.t1);
    th_ticsx(&r, &fx.w.hub, fx.t1, "answer", "--check", path, req, "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_true(json_is_true(json_object_get(j, "valid")));
    assert_true(json_is_false(json_object_get(j, "signed")));
    assert_int_equal(json_array_size(json_object_get(j, "problems")), 0);
    n = json_object_get(j, "suppliers");
    assert_int_equal(json_array_size(n), 2);
    assert_true(json_is_string(json_object_get(json_array_get(n, 0), "resolved")));
    assert_true(json_is_null(json_object_get(json_array_get(n, 1), "resolved")));
    n = json_array_get(json_object_get(json_object_get(j, "scores"), "areas"), 0);
    assert_true(json_number_value(json_object_get(n, "score")) == 100.0);
    json_decref(j);
    th_result_free(&r);
    assert_int_equal(assessments_on_hub(fx.t1), before);

    /* Offline, against the built-in: no hub named at all. */
    th_ticsx(&r, NULL, fx.t1, "answer", "--check", path, "--questionnaire", "tics-selfcheck", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "63 of 63 items answered");
    th_expect_text(r.out, T2 ": plating");
    th_result_free(&r);

    /* Invalid: a key the hub does not know, and a wrong answer; exit 2, problems listed. */
    snprintf(csv, sizeof csv, "%s/stranger.xlsx", fx.w.root);
    workbook(csv, "yes", stranger);
    th_ticsx(&r, &fx.w.hub, fx.t1, "answer", "--check", csv, req, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.out, "1 problem:");
    th_expect_text(r.out, "sheet 二次取引先, row 2 (Nobody KK): key \"Nobody KK\"");
    th_expect_text(r.err, "is not valid");
    th_result_free(&r);
    workbook(csv, "sometimes", NULL);
    th_ticsx(&r, NULL, fx.t1, "answer", "--check", csv, "--questionnaire", "tics-selfcheck",
             "--json", NULL);
    th_expect_status(&r, 2);
    j = th_parse_json(r.out);
    assert_true(json_is_false(json_object_get(j, "valid")));
    th_expect_text(json_string_value(json_array_get(json_object_get(j, "problems"), 0)),
                   "unknown answer \"sometimes\"");
    json_decref(j);
    th_result_free(&r);
    assert_int_equal(assessments_on_hub(fx.t1), before);

    /* Answering with the workbook: the buyer's tree reaches tier 2 through it. */
    th_ticsx(&r, &fx.w.hub, fx.t1, "answer", req, "--file", path, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "it lists 2 sub-suppliers");
    memcpy(a1, r.out, 64);
    a1[64] = 0;
    th_result_free(&r);
    th_ticsx_expect(0, &fx.w.hub, fx.oem, "fetch", NULL);
    th_ticsx(&r, &fx.w.hub, fx.oem, "report", "--format", "json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_non_null(n = tree_node(j, T2));
    assert_int_equal(json_integer_value(json_object_get(n, "tier")), 2);
    assert_non_null(n = tree_node(j, NOKEY));
    assert_int_equal(json_integer_value(json_object_get(n, "tier")), 2);
    json_decref(j);
    th_result_free(&r);

    /* Superseding with the same sub-suppliers (CSV this time): no warning. */
    snprintf(csv, sizeof csv, "%s/same.csv", fx.w.root);
    th_ticsx_expect(0, &fx.w.hub, fx.t1, "questionnaire", "template", req, "--out", csv, NULL);
    {
        char *t = th_read_file(csv), *out = calloc(1, strlen(t) * 2 + 256), *p = out;
        for (const char *s = t; *s; s++) {
            if (strncmp(s, ",,,,,,\r", 7) == 0) { /* an item row's empty answer and plan */
                p += sprintf(p, ",yes,,,,,");
                s += 5;
                continue;
            }
            *p++ = *s;
        }
        snprintf(text, sizeof text, "%s,plating,%s\r\n%s,boxes,\r\n", T2, T2, NOKEY);
        strcat(out, text);
        th_write_file(csv, out);
        free(t);
        free(out);
    }
    th_ticsx(&r, &fx.w.hub, fx.t1, "answer", req, "--file", csv, "--supersedes", a1, NULL);
    th_expect_status(&r, 0);
    assert_null(strstr(r.err, "warning"));
    memcpy(a2, r.out, 64);
    a2[64] = 0;
    th_result_free(&r);

    /* Superseding with fewer: the dropped one named in --json ... */
    snprintf(path, sizeof path, "%s/one.xlsx", fx.w.root);
    workbook(path, "yes", (const char *const[]){NOKEY, "boxes", "", NULL});
    th_ticsx(&r, &fx.w.hub, fx.t1, "answer", req, "--file", path, "--supersedes", a2, "--json",
             NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    n = json_object_get(j, "dropped_suppliers");
    assert_int_equal(json_integer_value(json_object_get(n, "count")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(n, "names"), 0)), T2);
    snprintf(a1, sizeof a1, "%s", json_string_value(json_object_get(j, "assessment")));
    json_decref(j);
    th_result_free(&r);
    /* ... and a workbook from before the suppliers sheet drops the last one: said even with -q. */
    snprintf(path, sizeof path, "%s/old-style.xlsx", fx.w.root);
    workbook(path, "yes", NULL);
    th_ticsx(&r, &fx.w.hub, fx.t1, "-q", "answer", req, "--file", path, "--supersedes", a1, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "warning: 1 sub-supplier listed in");
    th_expect_text(r.err, "lose it: " NOKEY "\n");
    th_result_free(&r);
}

/* answer --check with a remediation plan naming an evidence file: refused until --evidence
 * gives it, and a file over answer's limit is a problem before anything is signed. */
static void
test_check_evidence(void **state)
{
    char path[512], lock[512], big[512];
    th_result r;
    json_t *j;
    FILE *f;

    (void)state;
    snprintf(path, sizeof path, "%s/plan.json", fx.w.root);
    th_ticsx(&r, NULL, fx.t1, "questionnaire", "template", "tics-selfcheck", "--format", "json",
             "--out", path, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    j = json_load_file(path, 0, NULL);
    assert_non_null(j);
    for (size_t i = 0; i < json_array_size(json_object_get(j, "answers")); i++) {
        json_t *a = json_array_get(json_object_get(j, "answers"), i);
        json_object_set_new(a, "answer", json_string(i == 0 ? "no" : "yes"));
        if (i == 0) {
            json_object_set_new(
                a, "plan",
                json_pack("{s:s,s:s}", "action", "Lock the cabinet", "due", "2099-01-31"));
            json_object_set_new(a, "evidence", json_pack("[s]", "lock.jpg"));
        }
    }
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    th_ticsx(&r, NULL, fx.t1, "answer", "--check", path, "--questionnaire", "tics-selfcheck", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.out, "names the evidence file \"lock.jpg\", which the assessment does not");
    th_result_free(&r);
    snprintf(lock, sizeof lock, "%s/lock.jpg", fx.w.root);
    th_write_file(lock, "\xff\xd8\xff\xe0 a photo of the locked cabinet");
    th_ticsx(&r, NULL, fx.t1, "answer", "--check", path, "--questionnaire", "tics-selfcheck",
             "--evidence", lock, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    /* 21 MiB (sparse): over the 20 MiB a file may have, found by the dry run. */
    snprintf(big, sizeof big, "%s/big.pdf", fx.w.root);
    assert_non_null(f = fopen(big, "w"));
    assert_int_equal(ftruncate(fileno(f), 21 << 20), 0);
    fclose(f);
    th_ticsx(&r, NULL, fx.t1, "answer", "--check", path, "--questionnaire", "tics-selfcheck",
             "--evidence", lock, "--evidence", big, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.out, "big.pdf");
    th_result_free(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_sheet),
        cmocka_unit_test(test_check_answer_supersede),
        cmocka_unit_test(test_check_evidence),
    };

    th_require_hub_bin();
    return cmocka_run_group_tests_name("excelin_hub", tests, setup, teardown);
}

/* Remediation plans end to end on a real ticsx-hub with the real ticsx: a supplier answers with
 * a plan on a `partly` and a `no` item (a plan on a `yes` item is refused before anything is
 * signed); the buyer's report and verify show them open and overdue; the supplier lists them
 * and marks one done (a superseding version, granted again); the buyer's policy flags that plan
 * once it has been done longer than plan_days without an improved answer, and no longer once a
 * superseding answer improves the item. The attacks: an outsider fetching everything it can
 * sees no plan, and the plan's text is nowhere in the hub's store or the outsider's home in
 * the clear (it lives only inside the sealed assessment). */
#include "harness.h"
#include "tx_error.h"
#include "tx_util.h"

#include <ftw.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define BUYER "Example Motors KK"
#define SUP "Tanaka Seiko KK"
#define OUTSIDER "Outsider Trading Ltd"
#define ACTION_LATE "Install a locked cabinet for drawings: 鍵付きキャビネット"
#define ACTION_OPEN "Train every operator on USB media rules"
#define DAY 86400

typedef struct {
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], outsider[PATH_MAX];
    char req[65], a1[65];
    char item_late[32], item_open[32], item_yes[32];
} fixture;

static fixture fx;

static int
setup(void **state)
{
    (void)state;
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, NULL);
    th_world_party(&fx.w, fx.sup, "sup", SUP, NULL);
    th_world_party(&fx.w, fx.outsider, "outsider", OUTSIDER, NULL);
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
day_text(char *out, size_t n, long days_from_now)
{
    tx_format_date(out, n, (int64_t)time(NULL) + days_from_now * DAY);
}

/* The answers for the request: everything "yes" but item 0 ("partly", a plan due ten days ago)
 * and item 1 ("no", a plan due in thirty days); with `plan_on_yes`, item 2 ("yes") gets a plan
 * too. Item 0 is answered `first` (its plan dropped when "yes"). */
static void
answers_file(const char *path, const char *first, int plan_on_yes)
{
    th_result r;
    json_t *j, *arr;
    char *text, late[16], later[16];

    unlink(path);
    th_ticsx(&r, &fx.w.hub, fx.sup, "questionnaire", "template", fx.req, "--format", "json",
             "--out", path, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    text = th_read_file(path);
    j = th_parse_json(text);
    free(text);
    arr = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer", json_string("yes"));
    }
    snprintf(fx.item_late, sizeof fx.item_late, "%s",
             json_string_value(json_object_get(json_array_get(arr, 0), "item")));
    snprintf(fx.item_open, sizeof fx.item_open, "%s",
             json_string_value(json_object_get(json_array_get(arr, 1), "item")));
    snprintf(fx.item_yes, sizeof fx.item_yes, "%s",
             json_string_value(json_object_get(json_array_get(arr, 2), "item")));
    day_text(late, sizeof late, -10);
    day_text(later, sizeof later, 30);
    json_object_set_new(json_array_get(arr, 0), "answer", json_string(first));
    if (strcmp(first, "yes") != 0) {
        json_object_set_new(json_array_get(arr, 0), "plan",
                            json_pack("{s:s,s:s}", "action", ACTION_LATE, "due", late));
        json_object_set_new(json_array_get(arr, 0), "evidence", json_pack("[s]", "cabinet.txt"));
    }
    json_object_set_new(json_array_get(arr, 1), "answer", json_string("no"));
    json_object_set_new(json_array_get(arr, 1), "plan",
                        json_pack("{s:s,s:s}", "action", ACTION_OPEN, "due", later));
    if (plan_on_yes) {
        json_object_set_new(json_array_get(arr, 2), "plan",
                            json_pack("{s:s,s:s}", "action", "nothing", "due", later));
    }
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
}

/* The buyer's report row of SUP as JSON, the clock moved `days` ahead (0: now), with the
 * policy in force. */
static json_t *
report_row(long days)
{
    th_ticsx_opts o = {.hub = &fx.w.hub};
    char now[32];
    th_result r;
    json_t *j, *row;

    snprintf(now, sizeof now, "@%lld", (long long)time(NULL) + days * DAY);
    o.now = days ? now : NULL;
    th_ticsx_with(&r, &o, fx.buyer, "report", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    th_result_free(&r);
    row = json_incref(json_array_get(json_object_get(th_report_doc(j), "suppliers"), 0));
    json_decref(j);
    assert_non_null(row);
    assert_string_equal(json_string_value(json_object_get(row, "name")), SUP);
    return row;
}

static long
plans_n(const json_t *row, const char *state)
{
    return (long)json_integer_value(json_object_get(json_object_get(row, "plans"), state));
}

/* The pass of the policy check `rule` in a report row, -1 when absent. */
static int
check_pass(const json_t *row, const char *rule)
{
    const json_t *c;
    size_t i;

    json_array_foreach(json_object_get(json_object_get(row, "policy"), "checks"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "rule")), rule) == 0) {
            return json_is_true(json_object_get(c, "pass"));
        }
    }
    return -1;
}

static const char *needle;
static int needle_found;

static int
look(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_F && th_file_holds(path, needle)) {
        fprintf(stderr, "found in the clear: %s\n", path);
        needle_found = 1;
    }
    return 0;
}

static int
anywhere(const char *dir, const char *text)
{
    needle = text;
    needle_found = 0;
    assert_int_equal(nftw(dir, look, 16, FTW_PHYS), 0);
    return needle_found;
}

static void
test_plans_end_to_end(void **state)
{
    char path[PATH_MAX + 32], doc[PATH_MAX + 32], a2[65], a3[65];
    th_result r;
    json_t *j, *row;
    (void)state;

    th_ticsx_id(fx.req, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                SUP, NULL);
    snprintf(path, sizeof path, "%s/answers.json", fx.w.root);

    /* A plan on an item answered yes: refused, nothing signed. */
    answers_file(path, "partly", 1);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.req, "--file", path, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "a remediation plan belongs only to an item short of full credit");
    th_expect_text(r.err, fx.item_yes);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sup, "assessments", "--quiet", NULL);
    th_expect_status(&r, 0);
    assert_string_equal(r.out, "");
    th_result_free(&r);

    /* An item naming an evidence file the answer does not attach: refused before signing. */
    answers_file(path, "partly", 0);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.req, "--file", path, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "names the evidence file \"cabinet.txt\", which the assessment does "
                          "not attach");
    th_result_free(&r);
    snprintf(doc, sizeof doc, "%s/cabinet.txt", fx.w.root);
    th_write_file(doc, "photo of the locked cabinet, 2026-11\n");
    th_ticsx_id(fx.a1, &fx.w.hub, fx.sup, "answer", fx.req, "--file", path, "--evidence", doc,
                NULL);

    /* The supplier's list: both open plans, the late one first. */
    th_ticsx(&r, &fx.w.hub, fx.sup, "plan", "list", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    th_result_free(&r);
    assert_int_equal(json_array_size(json_object_get(j, "plans")), 2);
    row = json_array_get(json_object_get(j, "plans"), 0);
    assert_string_equal(json_string_value(json_object_get(row, "item")), fx.item_late);
    assert_string_equal(json_string_value(json_object_get(row, "state")), "overdue");
    assert_string_equal(json_string_value(json_object_get(row, "assessment")), fx.a1);
    json_decref(j);

    /* The buyer sees one open and one overdue plan, in the report and in verify. */
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "policy", "set", "--plan-days", "30", "--max-overdue",
                    "0", NULL);
    row = report_row(0);
    assert_int_equal(plans_n(row, "open"), 1);
    assert_int_equal(plans_n(row, "overdue"), 1);
    {
        const json_t *late =
            json_array_get(json_object_get(json_object_get(row, "plans"), "items"), 0);
        assert_string_equal(json_string_value(json_object_get(late, "item")), fx.item_late);
        assert_string_equal(json_string_value(json_array_get(json_object_get(late, "evidence"), 0)),
                            "cabinet.txt");
    }
    assert_int_equal(check_pass(row, "max_overdue"), 0);
    assert_int_equal(check_pass(row, "plan_days"), 1);
    json_decref(row);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "verify", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, ACTION_OPEN);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "remediation plans: 1 in progress, 1 overdue");
    th_expect_text(r.out, "overdue, plan due ");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--format", "csv", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"policy_reasons\",\"plans_open\",\"plans_overdue\"");
    th_expect_text(r.out, "at most 0)\",\"1\",\"1\"");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--format", "html", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "<h2>Remediation plans</h2>");
    th_expect_text(r.out, "Train every operator on USB media rules");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--format", "oscal", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"remediation-plans\"");
    th_result_free(&r);

    /* Marked done: a new version superseding the first, granted to the buyer again. */
    th_ticsx(&r, &fx.w.hub, fx.sup, "plan", "done", fx.a1, fx.item_yes, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "has no remediation plan");
    th_result_free(&r);
    /* The new version is sealed with a new key: the attached file must be given again. */
    th_ticsx(&r, &fx.w.hub, fx.sup, "plan", "done", fx.a1, fx.item_late, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "attaches the evidence file \"cabinet.txt\": give it again");
    th_result_free(&r);
    th_ticsx_id(a2, &fx.w.hub, fx.sup, "plan", "done", fx.a1, fx.item_late, "--evidence", doc,
                NULL);
    th_ticsx(&r, &fx.w.hub, fx.sup, "plan", "done", fx.a1, fx.item_open, NULL);
    th_expect_status(&r, 2); /* the old version is superseded now */
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sup, "plan", "done", a2, fx.item_late, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "already marked done");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sup, "plan", "list", "--all", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"done\"");
    th_expect_text(r.out, a2);
    th_result_free(&r);

    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    row = report_row(0);
    assert_string_equal(json_string_value(json_object_get(row, "assessment")), a2);
    assert_int_equal(plans_n(row, "overdue"), 0);
    assert_int_equal(plans_n(row, "done"), 1);
    assert_int_equal(check_pass(row, "max_overdue"), 1);
    assert_int_equal(check_pass(row, "plan_days"), 1);
    json_decref(row);
    /* Forty days on, the item still `partly`: flagged. */
    row = report_row(40);
    assert_int_equal(check_pass(row, "plan_days"), 0);
    assert_int_equal(plans_n(row, "stale"), 1);
    json_decref(row);

    /* An improved answer supersedes it: the plan is gone, nothing flagged. */
    answers_file(path, "yes", 0);
    th_ticsx_id(a3, &fx.w.hub, fx.sup, "answer", fx.req, "--file", path, "--supersedes", a2, NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    row = report_row(40);
    assert_string_equal(json_string_value(json_object_get(row, "assessment")), a3);
    assert_int_equal(check_pass(row, "plan_days"), 1);
    assert_int_equal(plans_n(row, "stale"), 0);
    json_decref(row);

    /* The outsider fetches what it can: no plan, and the plans' texts are nowhere in the clear,
     * neither in the hub's store nor in its home (nor the buyer's cache files). */
    th_ticsx(&r, &fx.w.hub, fx.outsider, "fetch", NULL);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.outsider, "report", "--json", NULL);
    assert_null(strstr(r.out, ACTION_OPEN));
    th_result_free(&r);
    assert_true(anywhere(fx.w.root, ACTION_OPEN)); /* the search finds it: the answers file */
    assert_false(anywhere(fx.w.hubdir, ACTION_OPEN));
    assert_false(anywhere(fx.w.hubdir, "locked cabinet"));
    assert_false(anywhere(fx.outsider, ACTION_OPEN));
    assert_false(anywhere(fx.buyer, ACTION_OPEN));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plans_end_to_end),
    };
    th_require_hub_bin();
    return cmocka_run_group_tests(tests, setup, teardown);
}

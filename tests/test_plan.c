/* Remediation plans: states on a given day (open, overdue, done, stale), plans and per-item
 * evidence read from CSV and JSON answer files (only on items short of full credit, a due date
 * needed, dates checked), and the signing-time rules of tx_plan_check. */
#include "tx_answer_file.h"
#include "tx_codec.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_plan.h"
#include "tx_policy.h"
#include "tx_questionnaire.h"
#include "tx_report_plans.h"
#include "tx_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define DAY 86400
#define D(s) day(s)

static const char q_json[] =
    "{\"id\":\"p\",\"version\":1,\"title\":{\"ja\":\"計\",\"en\":\"Plans\"},"
    "\"scale\":[{\"code\":\"yes\",\"label\":{\"ja\":\"はい\",\"en\":\"Yes\"},"
    "\"score_permille\":1000},"
    "{\"code\":\"partly\",\"label\":{\"ja\":\"一部\",\"en\":\"Partly\"},\"score_permille\":500},"
    "{\"code\":\"no\",\"label\":{\"ja\":\"いいえ\",\"en\":\"No\"},\"score_permille\":0},"
    "{\"code\":\"na\",\"label\":{\"ja\":\"該当なし\",\"en\":\"n/a\"},\"score_permille\":0,"
    "\"not_applicable\":true}],"
    "\"levels\":[{\"level\":1,\"name\":{\"ja\":\"基本\",\"en\":\"Basic\"}}],"
    "\"areas\":[{\"id\":\"X\",\"name\":{\"ja\":\"エックス\",\"en\":\"Ex\"}}],"
    "\"items\":["
    "{\"id\":\"X-1\",\"area\":\"X\",\"level\":1,\"weight\":1,\"text\":{\"ja\":\"一\",\"en\":"
    "\"one\"}},"
    "{\"id\":\"X-2\",\"area\":\"X\",\"level\":1,\"weight\":1,\"text\":{\"ja\":\"二\",\"en\":"
    "\"two\"}}]}";

static tx_questionnaire_pb *q;

static int
setup(void **state)
{
    (void)state;
    setenv("TICSX_NOW", "2027-03-10", 1);
    return tx_questionnaire_parse(q_json, strlen(q_json), "p", &q) == TX_OK ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    tx_free(q);
    return 0;
}

static int64_t
day(const char *s)
{
    int64_t t = 0;

    assert_int_equal(tx_parse_time(s, &t), TX_OK);
    return t;
}

static void
test_states(void **state)
{
    tx_plan_pb p = TICSX__V1__PLAN__INIT;
    int64_t now = D("2027-03-10") + 3600;
    (void)state;

    assert_int_equal(tx_plan_state_of(NULL, now, 30), TX_PLAN_NONE);
    p.action = "lock the cabinet";
    p.due = D("2027-03-10");
    assert_int_equal(tx_plan_state_of(&p, now, 30), TX_PLAN_OPEN); /* due today: not late */
    p.due = D("2027-03-09");
    assert_int_equal(tx_plan_state_of(&p, now, 30), TX_PLAN_OVERDUE);
    p.done = D("2027-02-08");
    assert_int_equal(tx_plan_state_of(&p, now, 30), TX_PLAN_DONE); /* done 30 days ago */
    p.done = D("2027-02-07");
    assert_int_equal(tx_plan_state_of(&p, now, 30), TX_PLAN_STALE);
    assert_int_equal(tx_plan_state_of(&p, now, 31), TX_PLAN_DONE);
    assert_string_equal(tx_plan_state_name(TX_PLAN_STALE), "stale");
    assert_string_equal(tx_plan_state_name(TX_PLAN_OVERDUE), "overdue");
}

static int
parse(const char *text, tx_answers *a)
{
    return tx_answers_parse(text, strlen(text), "t", q, 1, a);
}

static void
expect_bad(const char *text, const char *needle)
{
    tx_answers a;

    assert_int_equal(parse(text, &a), TX_ERR_MALFORMED);
    assert_int_equal(a.n, 0);
    if (strstr(tx_fail_msg(), needle) == NULL) {
        fail_msg("\"%s\" does not mention \"%s\"", tx_fail_msg(), needle);
    }
}

static void
test_csv_plans(void **state)
{
    tx_answers a;
    (void)state;

    assert_int_equal(parse("item,answer,plan,plan_due,plan_done,evidence\n"
                           "X-1,partly,lock the cabinet,2027-06-30,,policy.pdf; photo.jpg\n"
                           "X-2,yes,,,,policy.pdf\n",
                           &a),
                     TX_OK);
    assert_int_equal(a.n, 2);
    assert_non_null(a.v[0]->plan);
    assert_string_equal(a.v[0]->plan->action, "lock the cabinet");
    assert_int_equal(a.v[0]->plan->due, D("2027-06-30"));
    assert_int_equal(a.v[0]->plan->done, 0);
    assert_int_equal(a.v[0]->n_evidence, 2);
    assert_string_equal(a.v[0]->evidence[1], "photo.jpg");
    assert_null(a.v[1]->plan);
    assert_int_equal(a.v[1]->n_evidence, 1);
    tx_answers_free(&a);

    /* A date as a Japanese spreadsheet writes it. */
    assert_int_equal(parse("item,answer,plan,plan_due\nX-1,no,lock it,2027/6/30\n", &a), TX_OK);
    assert_int_equal(a.v[0]->plan->due, D("2027-06-30"));
    tx_answers_free(&a);
    expect_bad("item,answer,plan,plan_due\nX-1,no,lock it,2027/13/30\n", "not \"2027/13/30\"");

    expect_bad("item,answer,plan,plan_due\nX-1,yes,lock it,2027-06-30\n",
               "line 2 (X-1): a remediation plan belongs only to an item short of full credit");
    expect_bad("item,answer,plan,plan_due\nX-1,na,lock it,2027-06-30\n", "answered \"na\"");
    expect_bad("item,answer,plan,plan_due\nX-1,no,lock it,\n", "needs a due date");
    expect_bad("item,answer,plan,plan_due\nX-1,no,lock it,soon\n", "not \"soon\"");
    expect_bad("item,answer,plan,plan_due\nX-1,no,,2027-06-30\n", "without a remediation plan");
    expect_bad("item,answer,plan,plan_due,plan_done\nX-1,no,lock it,2027-06-30,2027-04-01\n",
               "done date is in the future");
    expect_bad("item,answer,plan,plan_due\nX-1,,lock it,2027-06-30\n",
               "(X-1): a remediation plan or evidence needs an answer");
}

static void
test_json_plans(void **state)
{
    tx_answers a;
    (void)state;

    assert_int_equal(parse("{\"answers\":[{\"item\":\"X-1\",\"answer\":\"no\",\"plan\":"
                           "{\"action\":\"train staff\",\"due\":\"2027-01-31\",\"done\":"
                           "\"2027-02-15\"},\"evidence\":[\"a.pdf\"]},"
                           "{\"item\":\"X-2\",\"answer\":\"yes\"}]}",
                           &a),
                     TX_OK);
    assert_string_equal(a.v[0]->plan->action, "train staff");
    assert_int_equal(a.v[0]->plan->done, D("2027-02-15"));
    assert_string_equal(a.v[0]->evidence[0], "a.pdf");
    tx_answers_free(&a);

    expect_bad("{\"answers\":[{\"item\":\"X-1\",\"answer\":\"yes\",\"plan\":{\"action\":\"x\","
               "\"due\":\"2027-01-31\"}}]}",
               "answers[0] (X-1): a remediation plan belongs only");
    expect_bad("{\"answers\":[{\"item\":\"X-1\",\"answer\":\"no\",\"plan\":{\"action\":\"x\","
               "\"when\":\"2027-01-31\"}}]}",
               "answers[0]: expected");
    expect_bad("{\"answers\":[{\"item\":\"X-1\",\"answer\":\"no\",\"plan\":\"x\"}]}",
               "answers[0]: expected");
    expect_bad("{\"answers\":[{\"item\":\"X-1\",\"answer\":\"no\",\"evidence\":[3]}]}",
               "answers[0]: expected");
}

/* The signing-time check: an evidence name the assessment does not attach, a done date after
 * the as-of date. */
static void
test_check(void **state)
{
    tx_answers a;
    tx_assessment_pb as = TICSX__V1__ASSESSMENT__INIT;
    char why[256];
    (void)state;

    assert_int_equal(parse("{\"answers\":[{\"item\":\"X-1\",\"answer\":\"no\",\"plan\":"
                           "{\"action\":\"train staff\",\"due\":\"2027-01-31\",\"done\":"
                           "\"2027-02-15\"},\"evidence\":[\"a.pdf\"]}]}",
                           &a),
                     TX_OK);
    as.answers = a.v;
    as.n_answers = a.n;
    as.as_of = D("2027-03-01");
    assert_int_equal(tx_plan_check(q, &as, why, sizeof why), TX_ERR_MALFORMED);
    assert_non_null(strstr(why, "\"a.pdf\", which the assessment does not attach"));
    a.v[0]->n_evidence = 0;
    assert_int_equal(tx_plan_check(q, &as, why, sizeof why), TX_OK);
    as.as_of = D("2027-02-01");
    assert_int_equal(tx_plan_check(q, &as, why, sizeof why), TX_ERR_MALFORMED);
    assert_non_null(strstr(why, "after the assessment's as-of date"));
    a.v[0]->n_evidence = 1;
    tx_answers_free(&a);
}

/* The plans as reports show them, and the policy's two plan rules on a row: a plan overdue
 * counts against max_overdue, a plan done longer ago than plan_days (its item still short of
 * full credit) fails plan_days; done recently passes. */
static void
test_report_and_policy(void **state)
{
    tx_answers a;
    tx_assessment_pb as = TICSX__V1__ASSESSMENT__INIT;
    tx_policy p = {.version = 1};
    const char *rule = "{\"plan_days\": 30, \"max_overdue\": 0}";
    int64_t now = D("2027-03-10");
    json_t *plans, *row, *pol, *tier, *doc;
    char buf[256];
    (void)state;

    assert_int_equal(parse("{\"answers\":[{\"item\":\"X-1\",\"answer\":\"no\",\"plan\":"
                           "{\"action\":\"train staff\",\"due\":\"2027-01-31\",\"done\":"
                           "\"2027-02-01\"}},{\"item\":\"X-2\",\"answer\":\"partly\",\"plan\":"
                           "{\"action\":\"lock\",\"due\":\"2027-03-01\"}}]}",
                           &a),
                     TX_OK);
    as.answers = a.v;
    as.n_answers = a.n;
    plans = tx_plan_json(&as, now, 30);
    assert_int_equal(json_integer_value(json_object_get(plans, "overdue")), 1);
    assert_int_equal(json_integer_value(json_object_get(plans, "stale")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(plans, "items"), 0), "state")),
                        "stale");
    row = json_pack("{s:s,s:O,s:i}", "name", "S", "plans", plans, "tier", 1);
    assert_true(tx_report_plans_summary(row, 0, buf, sizeof buf));
    assert_non_null(strstr(buf, "1 overdue"));

    tx_policy_rules_init(&p.rules);
    assert_int_equal(tx_policy_rules_parse("t", (const uint8_t *)rule, strlen(rule), 0, &p.rules),
                     TX_OK);
    pol = tx_policy_row(row, &p, now);
    assert_false(json_is_true(json_object_get(pol, "pass")));
    assert_int_equal(json_array_size(json_object_get(pol, "reasons")), 2);
    json_decref(pol);
    /* Thirty days after the done date it is not stale yet; with the plan on time, it passes. */
    pol = tx_policy_row(row, &p, D("2027-02-28"));
    assert_true(json_is_true(json_object_get(pol, "pass")));
    json_decref(pol);

    /* The tree's tiers sum their nodes' plans. */
    tier = json_pack("{s:i}", "tier", 1);
    doc = json_pack("{s:[O,O],s:[O],s:{}}", "nodes", row, row, "tiers", tier, "total");
    tx_report_plans_tiers(doc);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(doc, "total"), "plans_overdue")), 2);
    assert_int_equal(json_integer_value(json_object_get(tier, "plans_open")), 0);
    json_decref(doc);
    json_decref(tier);
    json_decref(row);
    json_decref(plans);
    tx_answers_free(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_states),
        cmocka_unit_test(test_csv_plans),
        cmocka_unit_test(test_json_plans),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_report_and_policy),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

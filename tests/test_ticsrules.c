/* The TICS rules on body-signed certificates: the criteria rule (the scheme's start, the 2024
 * criteria's date in force) at `cert issue` and at verify, the periodic report's grace
 * (report_due, then stale), and renewals (`cert issue --renews`, the line of certificates, an
 * expired certificate judged by its valid renewal). The rules through the library on a chain
 * signed in this process, then through the real ticsx and ticsx-hub binaries. */
#include "harness.h"
#include "th_chain.h"
#include "tx_cert_issue.h"
#include "tx_cert_judge.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_kinds.h"
#include "tx_questionnaire.h"
#include "tx_util.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include <cmocka.h>

#define CORP "3180001056789"
#define DAY 86400

/* ---- the rules as functions ---- */

static void
test_criteria_rule(void **state)
{
    char why[300];

    (void)state;
    /* The 2024 criteria: refused the second before 2024-08-16, accepted from it. */
    assert_int_equal(tx_tics_criteria_ok(2024, th_date("2024-08-16") - 1, why, sizeof why), 0);
    th_expect_text(why, "cannot be issued before 2024-08-16, when they came into force");
    th_expect_text(why, "2024-08-15");
    assert_int_equal(tx_tics_criteria_ok(2024, th_date("2024-08-16"), why, sizeof why), 1);
    assert_string_equal(why, "");
    /* The 2018 criteria run on after 2024-08-16 (no end date is stated): accepted. */
    assert_int_equal(tx_tics_criteria_ok(2018, th_date("2024-08-15"), why, sizeof why), 1);
    assert_int_equal(tx_tics_criteria_ok(2018, th_date("2025-01-01"), NULL, 0), 1);
    /* The scheme's start: nothing before 2018-09-25, whatever the criteria. */
    assert_int_equal(tx_tics_criteria_ok(2018, th_date("2018-09-25") - 1, why, sizeof why), 0);
    th_expect_text(why, "before 2018-09-25, when the scheme began");
    assert_int_equal(tx_tics_criteria_ok(2018, th_date("2018-09-25"), why, sizeof why), 1);
    assert_int_equal(tx_tics_criteria_ok(2024, th_date("2018-09-25"), why, sizeof why), 0);
    assert_int_equal(tx_tics_criteria_ok(2024, th_date("2010-01-01"), why, sizeof why), 0);
    th_expect_text(why, "2018-09-25");
    /* Another version is refused with the versions named. */
    assert_int_equal(tx_tics_criteria_ok(2020, th_date("2025-01-01"), why, sizeof why), 0);
    th_expect_text(why, "2018 and 2024");
}

static void
test_report_rule(void **state)
{
    int64_t issued = th_date("2025-01-10"), due = 0;

    (void)state;
    /* No report yet: due a year after the issue date; exactly then still ok. */
    assert_int_equal(tx_tics_report_state(issued, 0, issued + 365 * DAY, 0, &due), 0);
    assert_true(due == issued + 365 * DAY);
    assert_int_equal(tx_tics_report_state(issued, 0, issued + 365 * DAY + 1, 0, &due), 2);
    /* With 30 days of grace: due (1) up to 30 days late, stale (2) after. */
    assert_int_equal(tx_tics_report_state(issued, 0, issued + 366 * DAY, 30, NULL), 1);
    assert_int_equal(tx_tics_report_state(issued, 0, issued + 395 * DAY, 30, NULL), 1);
    assert_int_equal(tx_tics_report_state(issued, 0, issued + 395 * DAY + 1, 30, NULL), 2);
    /* A report restarts the year. */
    assert_int_equal(
        tx_tics_report_state(issued, th_date("2026-01-05"), th_date("2026-06-01"), 0, &due), 0);
    assert_true(due == th_date("2027-01-05"));
    /* A negative grace counts as none. */
    assert_int_equal(tx_tics_report_state(issued, 0, issued + 366 * DAY, -5, NULL), 2);
    assert_false(tx_cert_status_problem(TX_CERT_REPORT_DUE));
    assert_true(tx_cert_status_problem(TX_CERT_INVALID_CRITERIA));
    assert_true(tx_cert_status_problem(TX_CERT_STALE));
    assert_string_equal(tx_cert_status_name(TX_CERT_REPORT_DUE), "report_due");
    assert_string_equal(tx_cert_status_name(TX_CERT_INVALID_CRITERIA), "invalid_criteria");
}

/* ---- the judgement on a chain signed in this process ---- */

typedef struct {
    th_chain t;
    tx_identity *meti, *body, *body2, *supplier, *other;
} chain;

static int
chain_setup(void **state)
{
    chain *c = calloc(1, sizeof *c);

    c->t.scope = "設計・製造部門";
    c->t.corp = CORP;
    c->meti = th_identity("METI (accreditor)");
    c->body = th_identity("Japan Quality Body");
    c->body2 = th_identity("Second Body");
    c->supplier = th_identity("Mikawa Precision KK");
    c->other = th_identity("Other KK");
    c->t.ts.pinned = calloc(1, sizeof *c->t.ts.pinned);
    c->t.ts.pinned[0] = c->meti->pub;
    c->t.ts.n_pinned = 1;
    th_chain_accredit(&c->t, c->meti, c->body, "all", "2018-01-01", "2099-01-01");
    th_chain_accredit(&c->t, c->meti, c->body2, "all", "2018-01-01", "2099-01-01");
    *state = c;
    return 0;
}

static int
chain_teardown(void **state)
{
    chain *c = *state;

    tx_trust_set_free(&c->t.ts);
    tx_identity_destroy(&c->meti);
    tx_identity_destroy(&c->body);
    tx_identity_destroy(&c->body2);
    tx_identity_destroy(&c->supplier);
    tx_identity_destroy(&c->other);
    free(c);
    return 0;
}

static void
judge(chain *c, const uint8_t *cert, const char *date, int grace, int status, const char *needle,
      tx_cert_state *st)
{
    tx_cert_state local;

    if (st == NULL) {
        st = &local;
    }
    c->t.ts.report_grace_days = grace;
    tx_cert_evaluate(&c->t.ts, cert, c->supplier->pub.sign, th_date(date), NULL, st);
    c->t.ts.report_grace_days = 0;
    if (st->status != status) {
        fail_msg("at %s: %s (%s), expected %s", date, tx_cert_status_name(st->status), st->reason,
                 tx_cert_status_name(status));
    }
    if (needle != NULL && strstr(st->reason, needle) == NULL) {
        fail_msg("at %s: reason \"%s\" does not say \"%s\"", date, st->reason, needle);
    }
}

/* A record another client signed on the 2024 criteria before they came into force: the codec
 * and the set take it, the judgement refuses it. */
static void
test_invalid_criteria_judged(void **state)
{
    chain *c = *state;
    uint8_t early[TX_ID_LEN], old[TX_ID_LEN], ok[TX_ID_LEN];
    size_t len;

    free(th_chain_certify_as(&c->t, c->body, c->supplier->pub.sign, "Mikawa Precision KK",
                             "EARLY-2024", 2024, "2024-08-15", NULL, NULL, early, &len));
    judge(c, early, "2025-01-01", 0, TX_CERT_INVALID_CRITERIA, "2024-08-16", NULL);
    free(th_chain_certify_as(&c->t, c->body, c->supplier->pub.sign, "Mikawa Precision KK",
                             "PRE-SCHEME", 2018, "2018-09-24", "2021-09-24", NULL, old, &len));
    judge(c, old, "2019-01-01", 0, TX_CERT_INVALID_CRITERIA, "2018-09-25", NULL);
    /* A day later on each side of each boundary: valid. */
    free(th_chain_certify_as(&c->t, c->body, c->supplier->pub.sign, "Mikawa Precision KK",
                             "ON-TIME-2024", 2024, "2024-08-16", NULL, NULL, ok, &len));
    judge(c, ok, "2025-01-01", 0, TX_CERT_VALID, "criteria 2024", NULL);
    free(th_chain_certify_as(&c->t, c->body, c->supplier->pub.sign, "Mikawa Precision KK",
                             "FIRST-2018", 2018, "2018-09-25", "2021-09-25", NULL, ok, &len));
    judge(c, ok, "2019-01-01", 0, TX_CERT_VALID, NULL, NULL);
}

static void
test_report_due_and_stale(void **state)
{
    chain *c = *state;
    uint8_t cert[TX_ID_LEN];
    tx_cert_state st;
    json_t *j;
    tx_cert_info info;

    th_chain_certify(&c->t, c->body, c->supplier, "JQ-R-1", "manufacturing", "2025-01-10", cert);
    judge(c, cert, "2026-01-10", 30, TX_CERT_VALID, NULL, &st);
    assert_true(st.next_report_due == th_date("2026-01-10"));
    /* Default grace 0: a day late is stale, as before. */
    judge(c, cert, "2026-01-11", 0, TX_CERT_STALE, "due on 2026-01-10 and is 1 days late", NULL);
    /* 30 days of grace: report_due, saying when it was due and how late. */
    judge(c, cert, "2026-01-11", 30, TX_CERT_REPORT_DUE, "was due on 2026-01-10 and is 1 days",
          &st);
    th_expect_text(st.reason, "30 days of grace");
    judge(c, cert, "2026-02-09", 30, TX_CERT_REPORT_DUE, "30 days late", NULL);
    judge(c, cert, "2026-02-10", 30, TX_CERT_STALE, "31 days late", NULL);
    /* The report comes: valid again, the next one due a year after it. */
    th_chain_event(&c->t, c->body, cert, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT,
                   "2026-02-01", "");
    judge(c, cert, "2026-02-10", 0, TX_CERT_VALID, "last annual report 2026-02-01", &st);
    assert_true(st.next_report_due == th_date("2027-02-01"));
    judge(c, cert, "2027-02-03", 5, TX_CERT_REPORT_DUE, "the last was on 2026-02-01", NULL);
    /* The JSON names the next report due. */
    c->t.ts.report_grace_days = 0;
    tx_cert_evaluate(&c->t.ts, cert, NULL, th_date("2026-06-01"), &info, &st);
    j = tx_cert_json(&info, NULL, &st);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "now"), "next_report_due")),
        "2027-02-01");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "now"), "last_report")), "2026-02-01");
    assert_true(json_is_null(json_object_get(j, "renews")));
    json_decref(j);
}

static void
test_renewal_judged(void **state)
{
    chain *c = *state;
    uint8_t a[TX_ID_LEN], b[TX_ID_LEN], x[TX_ID_LEN], y[TX_ID_LEN], d[TX_ID_LEN];
    tx_cert_state st;
    tx_cert_info info;
    json_t *j;
    size_t len;

    free(th_chain_certify_as(&c->t, c->body, c->supplier->pub.sign, "Mikawa Precision KK", "LINE-1",
                             2018, "2021-03-01", NULL, NULL, a, &len));
    th_chain_event(&c->t, c->body, a, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT,
                   "2023-02-01", "");
    judge(c, a, "2024-03-01", 0, TX_CERT_EXPIRED, "expired on 2024-03-01", NULL);
    /* A renewal by another body, and one for another holder, do not count. */
    free(th_chain_certify_as(&c->t, c->body2, c->supplier->pub.sign, "Mikawa Precision KK",
                             "OTHER-BODY", 2024, "2024-09-01", NULL, a, x, &len));
    free(th_chain_certify_as(&c->t, c->body, c->other->pub.sign, "Other KK", "OTHER-HOLDER", 2024,
                             "2024-09-01", NULL, a, y, &len));
    judge(c, a, "2025-01-01", 0, TX_CERT_EXPIRED, "expired on 2024-03-01", &st);
    assert_false(st.renewed);
    /* The body renews it on 2024-09-01: before that the old one is expired, after it renewed. */
    free(th_chain_certify_as(&c->t, c->body, c->supplier->pub.sign, "Mikawa Precision KK", "LINE-2",
                             2024, "2024-09-01", NULL, a, b, &len));
    judge(c, a, "2024-05-01", 0, TX_CERT_EXPIRED, NULL, &st);
    assert_false(st.renewed);
    judge(c, a, "2025-01-01", 0, TX_CERT_VALID, "was renewed by LINE-2", &st);
    assert_true(st.renewed);
    assert_memory_equal(st.renewed_by, b, TX_ID_LEN);
    th_expect_text(st.reason, "expired on 2024-03-01");
    /* The renewal late with its report: the old one follows it (report_due, then stale is not
     * "renewed" any more but expired). */
    judge(c, a, "2025-09-05", 10, TX_CERT_REPORT_DUE, "renewed by LINE-2", &st);
    assert_true(st.renewed);
    judge(c, a, "2025-10-05", 10, TX_CERT_EXPIRED, NULL, &st);
    assert_false(st.renewed);
    /* The renewal's report arrives: renewed and valid again. */
    th_chain_event(&c->t, c->body, b, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT,
                   "2025-08-20", "");
    judge(c, a, "2026-01-01", 0, TX_CERT_VALID, "renewed by LINE-2", NULL);
    /* The JSON: renews on the new one, renewed_by on the old one's judgement. */
    tx_cert_evaluate(&c->t.ts, b, NULL, th_date("2026-01-01"), &info, &st);
    j = tx_cert_json(&info, NULL, &st);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "renews"), "number")),
                        "LINE-1");
    json_decref(j);
    tx_cert_evaluate(&c->t.ts, a, NULL, th_date("2026-01-01"), &info, &st);
    j = tx_cert_json(&info, NULL, &st);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(j, "now"), "renewed_by"), "number")),
                        "LINE-2");
    assert_string_equal(json_string_value(json_object_get(j, "expires")), "2024-03-01");
    json_decref(j);
    /* Renewed twice: the old one names the one in force. */
    free(th_chain_certify_as(&c->t, c->body, c->supplier->pub.sign, "Mikawa Precision KK", "LINE-3",
                             2024, "2027-08-01", NULL, b, d, &len));
    judge(c, a, "2028-01-01", 0, TX_CERT_VALID, "renewed by LINE-3", &st);
    assert_memory_equal(st.renewed_by, d, TX_ID_LEN);
    /* The renewal revoked: the old one is expired again. */
    th_chain_event(&c->t, c->body, b, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REVOKED, "2026-02-01",
                   "");
    judge(c, a, "2026-03-01", 0, TX_CERT_EXPIRED, NULL, &st);
    assert_false(st.renewed);
    /* A holder mismatch stays one: the renewal does not make it another's certificate. */
    tx_cert_evaluate(&c->t.ts, a, c->other->pub.sign, th_date("2028-01-01"), NULL, &st);
    assert_int_equal(st.status, TX_CERT_HOLDER_MISMATCH);
}

/* The new statuses' labels and reasons in Japanese. */
static void
test_japanese(void **state)
{
    chain *c = *state;
    uint8_t a[TX_ID_LEN], b[TX_ID_LEN], e[TX_ID_LEN];
    tx_cert_state st;
    size_t len;

    assert_int_equal(tx_i18n_init("ja"), TX_OK);
    if (tx_i18n_localedir()[0] == 0) {
        tx_i18n_init("en");
        fail_msg("the Japanese catalogue was not found (build the tx_catalogue target)");
    }
    assert_string_equal(tx_cert_status_label(TX_CERT_REPORT_DUE),
                        "定期報告の期限超過（猶予期間内）");
    assert_string_equal(tx_cert_status_label(TX_CERT_INVALID_CRITERIA), "認証基準の不整合");
    free(th_chain_certify_as(&c->t, c->body, c->supplier->pub.sign, "Mikawa Precision KK",
                             "JA-EARLY", 2024, "2024-08-01", NULL, NULL, e, &len));
    judge(c, e, "2025-01-01", 0, TX_CERT_INVALID_CRITERIA, "2024年版の認証基準", NULL);
    free(th_chain_certify_as(&c->t, c->body, c->supplier->pub.sign, "Mikawa Precision KK", "JA-1",
                             2018, "2021-03-01", NULL, NULL, a, &len));
    free(th_chain_certify_as(&c->t, c->body, c->supplier->pub.sign, "Mikawa Precision KK", "JA-2",
                             2024, "2024-09-01", NULL, a, b, &len));
    judge(c, b, "2025-09-11", 30, TX_CERT_REPORT_DUE, "10日遅れています", &st);
    th_expect_text(st.reason, "30日の猶予");
    judge(c, b, "2025-10-11", 30, TX_CERT_STALE, "期限は 2025-09-01 で、40日遅れています", NULL);
    judge(c, a, "2025-01-01", 0, TX_CERT_VALID, "JA-2 として更新しています", NULL);
    assert_int_equal(tx_i18n_init("en"), TX_OK);
}

/* ---- through the binaries ---- */

#define METI "METI (accreditor)"
#define BODY "Japan Quality Body"
#define BODY2 "Second Body"
#define SUPPLIER "Mikawa Precision KK"
#define OTHER "Other Parts KK"
#define BUYER "Example Motors KK"

typedef struct {
    th_world w;
    char meti[PATH_MAX], body[PATH_MAX], body2[PATH_MAX], supplier[PATH_MAX], other[PATH_MAX],
        buyer[PATH_MAX];
    char old_id[65], new_id[65];
    int accredited, renewed;
} fixture;

static fixture fx;

static int
world_setup(void **state)
{
    (void)state;
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.meti, "meti", METI, NULL);
    th_world_party(&fx.w, fx.body, "body", BODY, NULL);
    th_world_party(&fx.w, fx.body2, "body2", BODY2, NULL);
    th_world_party(&fx.w, fx.supplier, "supplier", SUPPLIER, CORP);
    th_world_party(&fx.w, fx.other, "other", OTHER, "7123456789012");
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, "8000000000001");
    th_world_start(&fx.w);
    return 0;
}

static int
world_teardown(void **state)
{
    (void)state;
    th_world_end(&fx.w);
    return 0;
}

/* The buyer pins the accreditor, which accredits both bodies from 2018. */
static void
given_accredited(void)
{
    char path[PATH_MAX + 16];

    if (!th_given(&fx.accredited, "pinning the accreditor and accrediting the bodies")) {
        return;
    }
    snprintf(path, sizeof path, "%s/identity.pub", fx.meti);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "trust", "add", path, NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.meti, "accredit", "--body", BODY, "--scope", "all", "--from",
                    "2018-01-01", "--until", "2099-01-01", NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.meti, "accredit", "--body", BODY2, "--scope", "all", "--from",
                    "2018-01-01", "--until", "2099-01-01", NULL);
    th_given_made(&fx.accredited);
}

static void
issue(th_result *r, const char *home, const char *holder, const char *number, const char *criteria,
      const char *issued, const char *renews)
{
    if (renews != NULL) {
        th_ticsx(r, &fx.w.hub, home, "cert", "issue", "--holder", holder, "--number", number,
                 "--scope", "設計・製造部門", "--sector", "manufacturing", "--criteria", criteria,
                 "--issued", issued, "--renews", renews, NULL);
    } else {
        th_ticsx(r, &fx.w.hub, home, "cert", "issue", "--holder", holder, "--number", number,
                 "--scope", "設計・製造部門", "--sector", "manufacturing", "--criteria", criteria,
                 "--issued", issued, NULL);
    }
}

static void
test_issue_refuses_criteria(void **state)
{
    th_result r;

    (void)state;
    given_accredited();
    issue(&r, fx.body, SUPPLIER, "C24-EARLY", "2024", "2024-08-15", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "cannot be issued before 2024-08-16, when they came into force");
    th_result_free(&r);
    issue(&r, fx.body, SUPPLIER, "C24-FIRST", "2024", "2024-08-16", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    issue(&r, fx.body, SUPPLIER, "C18-EARLY", "2018", "2018-09-24", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "before 2018-09-25, when the scheme began");
    th_result_free(&r);
    issue(&r, fx.body, SUPPLIER, "C24-PRE", "2024", "2018-09-24", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "2018-09-25");
    th_result_free(&r);
    issue(&r, fx.body, SUPPLIER, "C18-FIRST", "2018", "2018-09-25", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    /* Nothing refused reached the hub. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "list", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "C24-FIRST");
    assert_null(strstr(r.out, "C24-EARLY"));
    assert_null(strstr(r.out, "C18-EARLY"));
    th_result_free(&r);
}

/* The second body's own key signs a record `cert issue` would refuse and submits it: the hub
 * stores it; the buyer's verify judges it invalid_criteria (exit 1). */
static void
test_invalid_criteria_verified(void **state)
{
    th_chain t = {.scope = "設計・製造部門", .corp = CORP, .seq = 100000};
    tx_identity *body = NULL, *sup = NULL;
    uint8_t id[TX_ID_LEN];
    uint8_t *env;
    size_t len;
    tx_conn *conn;
    th_result r;
    json_t *j;

    (void)state;
    given_accredited();
    assert_int_equal(tx_identity_load(fx.body2, "identity", &body), TX_OK);
    assert_int_equal(tx_identity_load(fx.supplier, "identity", &sup), TX_OK);
    env = th_chain_certify_as(&t, body, sup->pub.sign, SUPPLIER, "SIGNED-EARLY", 2024, "2024-06-01",
                              NULL, NULL, id, &len);
    conn = th_connect(&fx.w.hub, body, 5000);
    assert_int_equal(th_submit_status(conn, env, len, NULL), TICSX__V1__STATUS__OK);
    tx_conn_destroy(&conn);
    free(env);
    tx_trust_set_free(&t.ts);
    tx_identity_destroy(&body);
    tx_identity_destroy(&sup);

    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "verify", "SIGNED-EARLY", "--at", "2025-01-01", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "invalid_criteria");
    th_expect_text(r.out, "2024-08-16");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "cert", "verify", "SIGNED-EARLY", "--at",
             "2025-01-01", NULL);
    th_expect_status(&r, 1);
    j = th_parse_json(r.out);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "now"), "status")),
                        "invalid_criteria");
    json_decref(j);
    th_result_free(&r);
}

static void
test_report_grace_cli(void **state)
{
    th_result r;

    (void)state;
    given_accredited();
    issue(&r, fx.body, SUPPLIER, "GRACE-1", "2024", "2025-01-10", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "verify", "GRACE-1", "--at", "2026-01-10", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "verify", "GRACE-1", "--at", "2026-01-20", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "stale");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "verify", "GRACE-1", "--at", "2026-01-20", "--grace",
             "30", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "report_due");
    th_expect_text(r.out, "2026-01-10");
    th_expect_text(r.out, "10 days");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "verify", "GRACE-1", "--at", "2026-03-01", "--grace",
             "30", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "stale");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "verify", "GRACE-1", "--grace", "x", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "--grace x");
    th_result_free(&r);
}

/* LINE-A (2018 criteria, 2021-03-01, expired 2024-03-01) renewed by LINE-B (2024-09-01). */
static void
given_renewed(void)
{
    th_result r;

    if (!th_given(&fx.renewed, "a certificate and its renewal")) {
        return;
    }
    given_accredited();
    issue(&r, fx.body, SUPPLIER, "LINE-A", "2018", "2021-03-01", NULL);
    th_expect_status(&r, 0);
    memcpy(fx.old_id, r.out, 64);
    th_result_free(&r);
    issue(&r, fx.body, SUPPLIER, "LINE-B", "2024", "2024-09-01", "LINE-A");
    th_expect_status(&r, 0);
    memcpy(fx.new_id, r.out, 64);
    th_result_free(&r);
    th_ticsx_expect(0, &fx.w.hub, fx.body, "cert", "report", "LINE-B", "--date", "2025-08-20",
                    NULL);
    th_given_made(&fx.renewed);
}

static void
test_renewal_refused(void **state)
{
    th_result r;

    (void)state;
    given_renewed();
    /* Another body cannot renew the first body's certificate. */
    issue(&r, fx.body2, SUPPLIER, "B2-RENEW", "2024", "2024-10-01", "LINE-A");
    th_expect_status(&r, 2);
    th_expect_text(r.err, "not by this body");
    th_result_free(&r);
    /* Nor can a certificate of another holder be renewed for this one. */
    issue(&r, fx.body, OTHER, "OTHER-RENEW", "2024", "2024-10-01", "LINE-A");
    th_expect_status(&r, 2);
    th_expect_text(r.err, "same holder");
    th_result_free(&r);
    /* A renewal is issued after what it renews. */
    issue(&r, fx.body, SUPPLIER, "BACKDATED", "2018", "2020-01-01", "LINE-A");
    th_expect_status(&r, 2);
    th_expect_text(r.err, "not after");
    th_result_free(&r);
    issue(&r, fx.body, SUPPLIER, "NOWHERE", "2024", "2024-10-01", "NO-SUCH-CERT");
    th_expect_status(&r, 1);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "list", NULL);
    th_expect_status(&r, 0);
    assert_null(strstr(r.out, "B2-RENEW"));
    assert_null(strstr(r.out, "OTHER-RENEW"));
    th_result_free(&r);
}

static void
test_renewal_history_and_show(void **state)
{
    th_result r;
    json_t *j, *arr;

    (void)state;
    given_renewed();
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "history", "LINE-A", "--at", "2025-01-01", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "RENEWS");
    th_expect_text(r.out, "LINE-A");
    th_expect_text(r.out, "renewed by LINE-B");
    th_expect_text(r.out, "2024-09-01");
    assert_non_null(strstr(r.out, "LINE-A") < strstr(r.out, "LINE-B") ? r.out : NULL);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "cert", "history", "LINE-B", "--at", "2025-01-01",
             NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    arr = json_object_get(j, "certificates");
    assert_int_equal(json_array_size(arr), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "number")),
                        "LINE-A");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(arr, 1), "renews"), "number")),
                        "LINE-A");
    json_decref(j);
    th_result_free(&r);
    /* By organisation: every certificate the supplier holds, the line among them. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "history", SUPPLIER, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "LINE-A");
    th_expect_text(r.out, "LINE-B");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "--lang", "ja", "cert", "history", "LINE-A", "--at",
             "2025-01-01", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "更新元");
    th_expect_text(r.out, "LINE-B に更新済み");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "history", "Nobody At All KK", NULL);
    th_expect_status(&r, 1);
    th_result_free(&r);
    /* show: renews on the new one, renewed by on the old one. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "show", "LINE-B", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "renews       LINE-A");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "show", "LINE-A", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "renewed by   LINE-B (2024-09-01)");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "cert", "show", "LINE-A", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "renewed_by"), 0), "number")),
                        "LINE-B");
    json_decref(j);
    th_result_free(&r);
    /* verify of the old one: renewed while the renewal holds, expired in the gap. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "verify", "LINE-A", "--at", "2025-01-01", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "valid on 2025-01-01");
    th_expect_text(r.out, "LINE-B of the same body");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "verify", "LINE-A", "--at", "2024-05-01", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "expired");
    th_result_free(&r);
}

/* An answer sheet with every item "Implemented". */
static void
write_answers_xlsx(const char *path)
{
    tx_questionnaire_pb *q = NULL;
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);

    assert_int_equal(tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, &q), TX_OK);
    worksheet_write_string(ws, 0, 0, "item", NULL);
    worksheet_write_string(ws, 0, 1, "answer", NULL);
    for (size_t i = 0; i < q->n_items; i++) {
        worksheet_write_string(ws, (lxw_row_t)(i + 1), 0, q->items[i]->id, NULL);
        worksheet_write_string(ws, (lxw_row_t)(i + 1), 1, "Implemented", NULL);
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    tx_free(q);
}

/* An assessment referencing the expired LINE-A: verify says renewed by LINE-B, valid now (an
 * annual report on LINE-B is recorded today first, so that the real clock finds it fresh). */
static void
test_assessment_old_certificate(void **state)
{
    char path[PATH_MAX], request[65], today[16];
    th_result r;
    json_t *j, *cert;

    (void)state;
    given_renewed();
    tx_format_date(today, sizeof today, tx_now());
    th_ticsx_expect(0, &fx.w.hub, fx.body, "cert", "report", "LINE-B", "--date", today, NULL);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
             SUPPLIER, NULL);
    th_expect_status(&r, 0);
    memcpy(request, r.out, 64);
    request[64] = 0;
    th_result_free(&r);
    snprintf(path, sizeof path, "%s/answers.xlsx", fx.w.root);
    write_answers_xlsx(path);
    th_ticsx(&r, &fx.w.hub, fx.supplier, "answer", request, "--file", path, "--certificate",
             "LINE-A", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "LINE-A");
    th_result_free(&r);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "verify", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    cert = json_object_get(json_array_get(json_object_get(j, "assessments"), 0), "certificate");
    assert_string_equal(json_string_value(json_object_get(cert, "number")), "LINE-A");
    assert_string_equal(json_string_value(json_object_get(json_object_get(cert, "now"), "status")),
                        "valid");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(cert, "now"), "renewed_by"), "number")),
                        "LINE-B");
    th_expect_text(json_string_value(json_object_get(json_object_get(cert, "now"), "reason")),
                   "expired on 2024-03-01 and was renewed by LINE-B");
    json_decref(j);
    th_result_free(&r);
    /* The renewal revoked: the assessment's certificate is expired, and verify fails. */
    th_ticsx_expect(0, &fx.w.hub, fx.body, "cert", "revoke", "LINE-B", "--note", "withdrawn", NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "verify", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "expired");
    th_result_free(&r);
}

int
main(void)
{
    const struct CMUnitTest rules[] = {
        cmocka_unit_test(test_criteria_rule),
        cmocka_unit_test(test_report_rule),
    };
    const struct CMUnitTest chain_tests[] = {
        cmocka_unit_test_setup_teardown(test_invalid_criteria_judged, chain_setup, chain_teardown),
        cmocka_unit_test_setup_teardown(test_report_due_and_stale, chain_setup, chain_teardown),
        cmocka_unit_test_setup_teardown(test_renewal_judged, chain_setup, chain_teardown),
        cmocka_unit_test_setup_teardown(test_japanese, chain_setup, chain_teardown),
    };
    const struct CMUnitTest world[] = {
        cmocka_unit_test(test_issue_refuses_criteria),
        cmocka_unit_test(test_invalid_criteria_verified),
        cmocka_unit_test(test_report_grace_cli),
        cmocka_unit_test(test_renewal_refused),
        cmocka_unit_test(test_renewal_history_and_show),
        cmocka_unit_test(test_assessment_old_certificate),
    };
    int failed = cmocka_run_group_tests_name("rules", rules, NULL, NULL);

    failed += cmocka_run_group_tests_name("chain", chain_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("world", world, world_setup, world_teardown);
    return failed;
}

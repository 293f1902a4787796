/* The buyer's side of `ticsx ui` through its dispatcher (no HTTP): a real ticsx-hub, a buyer
 * that asks two suppliers (one answers through the ticsx CLI and holds an accredited TICS
 * certificate, one does not), and the buyer's API in this process over the buyer's home:
 * fetch, the dashboard (scores equal to `report --json`, open and overdue requests, sort,
 * filter, paging, a bad sort refused), the tree, the supplier page (answers with comments, the
 * certificate chain, history with dates and log indexes, the log's proof), every export, the
 * organisations, questionnaires, requests sent and listed, an unknown supplier, a revocation. */
#include "harness.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_ui_app.h"
#include "tx_ui_http.h"
#include "tx_util.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define BUYER "Example Motors KK"
#define S1 "株式会社 岡崎部品"
#define S2 "Nagoya Metal KK"
#define S3 "Toyohashi Resin KK"
#define METI "METI (accreditor)"
#define BODY "JQA Certification"
#define CERT_NO "TICS-UI-0001"
#define COMMENT "checked by the plant manager"
#define DUE_DAYS 30

typedef struct {
    th_world w;
    char buyer[PATH_MAX], s1[PATH_MAX], s2[PATH_MAX], s3[PATH_MAX], meti[PATH_MAX], body[PATH_MAX];
    char request[65], due[16];
    tx_ui_app *app;
} fixture;

static fixture fx;

static json_t *
read_json(const char *path)
{
    char *text = th_read_file(path);
    json_t *j = th_parse_json(text);

    free(text);
    return j;
}

/* ticsx --json ARGS as `who`, parsed. */
static json_t *
cli_json(const char *home, int status, const char *a1, const char *a2, const char *a3)
{
    th_result r;
    json_t *j;

    th_ticsx(&r, &fx.w.hub, home, "--json", a1, a2, a3, NULL);
    th_expect_status(&r, status);
    j = th_parse_json(r.out);
    th_result_free(&r);
    return j;
}

/* Member `what` ("key", "fingerprint") of the organisation called `name` in /api/orgs. */
static json_t *call(const char *method, const char *target, json_t *body, int status);

static void
org_member(const char *name, const char *what, char *out, size_t n)
{
    json_t *j = call("GET", "/api/orgs", NULL, 200), *o;
    size_t i;

    out[0] = 0;
    json_array_foreach(json_object_get(j, "orgs"), i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "name")), name) == 0) {
            snprintf(out, n, "%s", json_string_value(json_object_get(o, what)));
        }
    }
    json_decref(j);
    assert_true(out[0] != 0);
}

static const char *
name_of(const char *home)
{
    return home == fx.s1 ? S1 : home == fx.s2 ? S2 : S3;
}

static void
key_of(const char *home, char key[65])
{
    org_member(name_of(home), "key", key, 65);
}

static void
fp_of(const char *home, char fp[64])
{
    org_member(name_of(home), "fingerprint", fp, 64);
}

/* Answers `request` from `home` with every item "yes", a comment on the first; returns the
 * assessment id in id. */
static void
answer(const char *home, const char *request, char id[65])
{
    char path[PATH_MAX];
    json_t *j, *arr;

    snprintf(path, sizeof path, "%s/answers.json", home);
    th_ticsx_expect(0, &fx.w.hub, home, "questionnaire", "template", request, "--format", "json",
                    "--out", path, NULL);
    j = read_json(path);
    arr = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer",
                            json_string(i % 3 ? "yes" : "partly"));
    }
    json_object_set_new(json_array_get(arr, 0), "comment", json_string(COMMENT));
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    th_ticsx_id(id, &fx.w.hub, home, "answer", request, "--file", path, NULL);
}

/* Calls the API as the page would; fails unless the status is `status`. Returns the JSON body
 * (caller decrefs), or NULL for raw bytes (then *raw / *len get them, caller frees). */
static json_t *
call_raw(const char *method, const char *target, json_t *body, int status, char **raw, size_t *len)
{
    tx_ui_resp rs;
    json_t *out;

    tx_ui_dispatch(fx.app, method, target, body, 0, &rs);
    if ((rs.status ? rs.status : 200) != status) {
        char *text = rs.json != NULL ? json_dumps(rs.json, 0) : NULL;
        fail_msg("%s %s: status %d, expected %d: %s", method, target, rs.status, status,
                 text != NULL ? text : "(raw body)");
    }
    out = rs.json != NULL ? json_incref(rs.json) : NULL;
    if (raw != NULL) {
        *raw = rs.body;
        *len = rs.len;
        rs.body = NULL;
    }
    tx_ui_resp_clear(&rs);
    return out;
}

static json_t *
call(const char *method, const char *target, json_t *body, int status)
{
    return call_raw(method, target, body, status, NULL, NULL);
}

/* POST /api/fetch, expected to succeed. */
static void
fetch(void)
{
    json_t *body = json_object();

    json_decref(call("POST", "/api/fetch", body, 200));
    json_decref(body);
}

/* The dashboard row of the organisation with key `key` in doc, or NULL. */
static json_t *
row_of(const json_t *rows, const char *key)
{
    size_t i;
    json_t *r;

    json_array_foreach(rows, i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "key")), key) == 0) {
            return r;
        }
    }
    return NULL;
}

static int
setup(void **state)
{
    char issued[16], id[65];
    time_t now = time(NULL);
    time_t then = now - 30 * 86400, due = now + DUE_DAYS * 86400;
    struct tm tm;
    th_result r;
    (void)state;

    /* English for the process (the catalogue found, as ticsx ui does at start). */
    assert_int_equal(tx_i18n_init("en"), TX_OK);

    gmtime_r(&then, &tm);
    strftime(issued, sizeof issued, "%Y-%m-%d", &tm);
    gmtime_r(&due, &tm);
    strftime(fx.due, sizeof fx.due, "%Y-%m-%d", &tm);
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, "7123456789012");
    th_world_party(&fx.w, fx.s1, "s1", S1, "3180001056789");
    th_world_party(&fx.w, fx.s2, "s2", S2, NULL);
    th_world_party(&fx.w, fx.s3, "s3", S3, NULL);
    th_world_party(&fx.w, fx.meti, "meti", METI, NULL);
    th_world_party(&fx.w, fx.body, "body", BODY, NULL);
    th_world_start(&fx.w);

    /* S1 holds a TICS certificate from a body accredited by the accreditor the buyer pins. */
    th_world_certify(&fx.w, fx.meti, fx.buyer, fx.body, BODY, S1, CERT_NO, issued);

    th_ticsx(&r, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to", S1,
             "--to", S2, "--due", fx.due, NULL);
    th_expect_status(&r, 0);
    memcpy(fx.request, r.out, 64);
    fx.request[64] = 0;
    th_result_free(&r);
    answer(fx.s1, fx.request, id);
    {
        tx_client_opts opts = {fx.buyer, fx.w.hub.endpoint, fx.w.hub.key, 20000};
        assert_int_equal(tx_ui_app_open(&opts, &fx.app), TX_OK);
    }
    fetch();
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    tx_ui_app_close(&fx.app);
    th_world_end(&fx.w);
    return 0;
}

static void
test_fetch(void **state)
{
    json_t *body = json_object(), *j;
    (void)state;

    j = call("POST", "/api/fetch", body, 200);
    json_decref(body);
    assert_true(json_is_object(json_object_get(j, "fetch")));
    assert_true(json_is_array(json_object_get(json_object_get(j, "fetch"), "assessments")));
    assert_true(json_integer_value(json_object_get(j, "suppliers")) >= 2);
    assert_non_null(json_string_value(json_object_get(j, "generated")));
    json_decref(j);
    /* A GET on a POST route is refused. */
    json_decref(call("GET", "/api/fetch", NULL, 405));
}

static void
test_dashboard_matches_report(void **state)
{
    char k1[65], k2[65];
    json_t *dash, *report, *r1, *r2, *rep1 = NULL, *areas;
    size_t i;
    json_t *s;
    (void)state;

    key_of(fx.s1, k1);
    key_of(fx.s2, k2);
    dash = call("GET", "/api/dashboard", NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(dash, "limit")), 50);
    assert_true(json_integer_value(json_object_get(json_object_get(dash, "counts"), "verified")) >=
                1);
    assert_true(
        json_integer_value(json_object_get(json_object_get(dash, "counts"), "not_answered")) >= 1);
    r1 = row_of(json_object_get(dash, "rows"), k1);
    r2 = row_of(json_object_get(dash, "rows"), k2);
    assert_non_null(r1);
    assert_non_null(r2);
    assert_string_equal(json_string_value(json_object_get(r1, "status")), "verified");
    assert_string_equal(json_string_value(json_object_get(r1, "name")), S1);
    assert_int_equal(json_integer_value(json_object_get(r1, "tier")), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r1, "certificate"), "status")), "valid");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r1, "certificate"), "number")), CERT_NO);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r1, "requests"), "open")),
                     0);

    /* The same scores as `ticsx report --json` over the same home. */
    report = cli_json(fx.buyer, 0, "report", NULL, NULL);
    json_array_foreach(json_object_get(th_report_doc(report), "suppliers"), i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "key")), k1) == 0) {
            rep1 = s;
        }
    }
    assert_non_null(rep1);
    assert_true(json_is_number(json_object_get(r1, "overall")));
    assert_true(json_equal(json_object_get(r1, "overall"), json_object_get(rep1, "overall")));
    assert_true(
        json_equal(json_object_get(r1, "level_achieved"), json_object_get(rep1, "level_achieved")));
    areas = json_object_get(rep1, "areas");
    assert_true(json_array_size(areas) > 0);
    json_array_foreach(areas, i, s)
    {
        const char *id = json_string_value(json_object_get(s, "id"));
        assert_true(json_equal(json_object_get(json_object_get(r1, "scores"), id),
                               json_object_get(s, "score")));
    }
    assert_int_equal(json_array_size(json_object_get(dash, "areas")), json_array_size(areas));

    /* The supplier that did not answer: an open request and its due date. */
    assert_string_equal(json_string_value(json_object_get(r2, "status")), "not_answered");
    assert_string_equal(json_string_value(json_object_get(r2, "name")), S2);
    assert_true(json_is_null(json_object_get(r2, "overall")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r2, "requests"), "open")),
                     1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r2, "requests"), "overdue")), 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r2, "requests"), "next_due")), fx.due);
    json_decref(report);
    json_decref(dash);
}

static void
test_overdue(void **state)
{
    char k2[65], later[16];
    time_t t = time(NULL) + (DUE_DAYS + 2) * 86400;
    struct tm tm;
    json_t *dash, *r2;
    (void)state;

    key_of(fx.s2, k2);
    gmtime_r(&t, &tm);
    strftime(later, sizeof later, "%Y-%m-%d", &tm);
    setenv("TICSX_NOW", later, 1);
    tx_ui_model_invalidate(fx.app);
    dash = call("GET", "/api/dashboard?q=nagoya", NULL, 200);
    unsetenv("TICSX_NOW");
    tx_ui_model_invalidate(fx.app);
    assert_string_equal(json_string_value(json_object_get(dash, "today")), later);
    r2 = row_of(json_object_get(dash, "rows"), k2);
    assert_non_null(r2);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r2, "requests"), "overdue")), 1);
    json_decref(dash);
}

static void
test_sort_filter_paging(void **state)
{
    char k1[65], k2[65];
    json_t *j, *rows;
    const char *msg;
    (void)state;

    key_of(fx.s1, k1);
    key_of(fx.s2, k2);
    /* By overall score, best first: the answered one leads, the unscored one is last. */
    j = call("GET", "/api/dashboard?sort=overall&order=desc", NULL, 200);
    rows = json_object_get(j, "rows");
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "key")), k1);
    assert_true(
        json_is_null(json_object_get(json_array_get(rows, json_array_size(rows) - 1), "overall")));
    json_decref(j);
    /* By an area's score and by due date work too. */
    json_decref(call("GET", "/api/dashboard?sort=A1&order=asc", NULL, 200));
    j = call("GET", "/api/dashboard?sort=due", NULL, 200);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(j, "rows"), 0), "key")),
        k2);
    json_decref(j);
    /* Filters: text (case ignored), status, certificate. */
    j = call("GET", "/api/dashboard?q=NAGOYA", NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "rows")), 1);
    json_decref(j);
    j = call("GET", "/api/dashboard?status=not_answered", NULL, 200);
    assert_non_null(row_of(json_object_get(j, "rows"), k2));
    assert_null(row_of(json_object_get(j, "rows"), k1));
    json_decref(j);
    j = call("GET", "/api/dashboard?cert=valid", NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
    json_decref(j);
    /* Paging: one row a page, the total stays. */
    j = call("GET", "/api/dashboard?limit=1&offset=1", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(j, "rows")), 1);
    assert_true(json_integer_value(json_object_get(j, "total")) >= 2);
    json_decref(j);
    j = call("GET", "/api/dashboard?offset=1000", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(j, "rows")), 0);
    json_decref(j);
    /* Refused: an unknown sort names the allowed keys; a page too large; a bad order. */
    j = call("GET", "/api/dashboard?sort=price", NULL, 400);
    msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    th_expect_text(msg, "name, status, cert, overall, level, age, due");
    th_expect_text(msg, "A1");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                        "usage");
    json_decref(j);
    json_decref(call("GET", "/api/dashboard?limit=501", NULL, 400));
    json_decref(call("GET", "/api/dashboard?limit=x", NULL, 400));
    json_decref(call("GET", "/api/dashboard?order=up", NULL, 400));
}

static void
test_tree(void **state)
{
    char k1[65], k2[65];
    json_t *j, *n;
    size_t i;
    int seen1 = 0, seen2 = 0;
    (void)state;

    key_of(fx.s1, k1);
    key_of(fx.s2, k2);
    j = call("GET", "/api/tree", NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "depth")), 1);
    assert_true(json_array_size(json_object_get(j, "tiers")) == 1);
    assert_true(json_is_object(json_object_get(j, "total")));
    json_array_foreach(json_object_get(j, "nodes"), i, n)
    {
        const char *key = json_string_value(json_object_get(n, "key"));
        /* Compact: no answers, no areas. */
        assert_null(json_object_get(n, "items"));
        assert_null(json_object_get(n, "areas"));
        if (key != NULL && strcmp(key, k1) == 0) {
            seen1 = 1;
            assert_string_equal(json_string_value(json_object_get(n, "answer_state")), "answered");
            assert_string_equal(json_string_value(json_object_get(n, "status")), "verified");
            assert_string_equal(
                json_string_value(json_object_get(json_object_get(n, "certificate"), "status")),
                "valid");
            assert_true(json_is_true(json_object_get(n, "certified")));
        }
        if (key != NULL && strcmp(key, k2) == 0) {
            seen2 = 1;
            assert_string_equal(json_string_value(json_object_get(n, "answer_state")),
                                "not_answered");
        }
    }
    assert_true(seen1 && seen2);
    json_decref(j);
    j = call("GET", "/api/tree?depth=3", NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "depth")), 3);
    json_decref(j);
    json_decref(call("GET", "/api/tree?depth=0", NULL, 400));
}

/* The history entry `event` of j, or NULL. */
static json_t *
history_of(const json_t *j, const char *event)
{
    size_t i;
    json_t *h;

    json_array_foreach(json_object_get(j, "history"), i, h)
    {
        if (strcmp(json_string_value(json_object_get(h, "event")), event) == 0) {
            return h;
        }
    }
    return NULL;
}

static void
test_supplier_page(void **state)
{
    char k1[65], target[128];
    json_t *j, *items, *it, *chain, *step, *h, *proof;
    size_t i;
    int commented = 0;
    const char *prev = "";
    static const char *const steps[] = {"accreditor", "accreditation", "body", "certificate"};
    (void)state;

    key_of(fx.s1, k1);
    snprintf(target, sizeof target, "/api/supplier/%s", k1);
    j = call("GET", target, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "row"), "name")), S1);
    assert_int_equal(json_integer_value(json_object_get(j, "tier")), 1);
    assert_true(json_is_number(json_object_get(json_object_get(j, "tier_average"), "A1")));
    items = json_object_get(json_object_get(j, "row"), "items");
    assert_true(json_array_size(items) > 0);
    /* The row is the report's own, every answer included. */
    {
        json_t *report = cli_json(fx.buyer, 0, "report", NULL, NULL), *s;
        int same = 0;
        json_array_foreach(json_object_get(th_report_doc(report), "suppliers"), i, s)
        {
            if (strcmp(json_string_value(json_object_get(s, "key")), k1) == 0) {
                same = json_equal(s, json_object_get(j, "row"));
            }
        }
        assert_true(same);
        json_decref(report);
    }
    json_array_foreach(items, i, it)
    {
        const char *c = json_string_value(json_object_get(it, "comment"));
        commented |= c != NULL && strcmp(c, COMMENT) == 0;
    }
    assert_true(commented);

    /* The chain, step by step: the pinned accreditor, the accreditation, the body, the
     * certificate. */
    chain = json_object_get(j, "chain");
    assert_true(json_array_size(chain) >= 4);
    for (i = 0; i < 4; i++) {
        step = json_array_get(chain, i);
        assert_string_equal(json_string_value(json_object_get(step, "step")), steps[i]);
    }
    assert_true(json_is_true(json_object_get(json_array_get(chain, 0), "pinned")));
    assert_true(json_is_true(json_object_get(json_array_get(chain, 1), "ok")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(chain, 2), "name")), BODY);
    assert_string_equal(json_string_value(json_object_get(json_array_get(chain, 3), "number")),
                        CERT_NO);
    assert_string_equal(json_string_value(json_object_get(json_array_get(chain, 3), "status")),
                        "valid");

    /* History: requested, answered, granted (and certified), with dates and log indexes, oldest
     * first. */
    for (const char *const *e =
             (const char *const[]){"requested", "answered", "granted", "certified", NULL};
         *e != NULL; e++) {
        h = history_of(j, *e);
        assert_non_null(h);
        assert_int_equal(strlen(json_string_value(json_object_get(h, "date"))), 10);
        assert_true(json_integer_value(json_object_get(h, "log_index")) > 0);
        assert_int_equal(strlen(json_string_value(json_object_get(h, "record"))), 64);
    }
    assert_string_equal(json_string_value(json_object_get(history_of(j, "requested"), "record")),
                        fx.request);
    json_array_foreach(json_object_get(j, "history"), i, h)
    {
        const char *d = json_string_value(json_object_get(h, "date"));
        assert_true(strcmp(prev, d) <= 0);
        prev = d;
    }

    /* What the log proves: the assessment and grant shown, the checkpoint accepted. */
    proof = json_object_get(j, "proof");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(proof, "assessment"), "record")),
        json_string_value(json_object_get(json_object_get(j, "row"), "assessment")));
    assert_true(
        json_integer_value(json_object_get(json_object_get(proof, "assessment"), "log_index")) > 0);
    assert_true(json_integer_value(json_object_get(json_object_get(proof, "grant"), "log_index")) >
                0);
    assert_true(json_integer_value(json_object_get(json_object_get(proof, "checkpoint"), "size")) >
                0);
    assert_int_equal(
        strlen(json_string_value(json_object_get(json_object_get(proof, "checkpoint"), "root"))),
        64);
    json_decref(j);
}

static void
test_supplier_not_answered_and_unknown(void **state)
{
    char k2[65], target[128];
    json_t *j;
    (void)state;

    key_of(fx.s2, k2);
    snprintf(target, sizeof target, "/api/supplier/%s", k2);
    j = call("GET", target, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "row"), "status")),
                        "not_answered");
    assert_non_null(history_of(j, "requested"));
    assert_null(history_of(j, "answered"));
    assert_true(json_is_null(json_object_get(json_object_get(j, "proof"), "assessment")));
    json_decref(j);
    /* A key this buyer knows nothing of; a key that is not one. */
    j = call("GET",
             "/api/supplier/00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", NULL,
             404);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                        "not_found");
    json_decref(j);
    json_decref(call("GET", "/api/supplier/zz", NULL, 400));
    json_decref(call("GET", "/api/supplier/../../identity.key", NULL, 400));
}

static void
test_exports(void **state)
{
    static const char *const formats[] = {"xlsx", "csv", "html", "oscal", "json"};
    (void)state;

    for (size_t f = 0; f < 5; f++) {
        char target[128], *raw = NULL;
        size_t len = 0;
        json_t *j;
        tx_ui_resp rs;

        snprintf(target, sizeof target, "/api/export?format=%s&lang=%s", formats[f],
                 f % 2 ? "ja" : "en");
        tx_ui_dispatch(fx.app, "GET", target, NULL, 0, &rs);
        assert_int_equal(rs.status ? rs.status : 200, 200);
        assert_non_null(rs.body);
        assert_true(rs.len > 16);
        assert_non_null(strstr(rs.filename, "ticsx-report-"));
        assert_non_null(rs.type);
        raw = rs.body;
        len = rs.len;
        if (strcmp(formats[f], "xlsx") == 0) {
            assert_memory_equal(raw, "PK", 2);
            assert_non_null(strstr(rs.filename, ".xlsx"));
        } else if (strcmp(formats[f], "csv") == 0) {
            assert_memory_equal(raw, "\xEF\xBB\xBF", 3);
        } else if (strcmp(formats[f], "html") == 0) {
            char *text = strndup(raw, len);
            th_expect_text(text, "<html");
            th_expect_text(text, CERT_NO);
            free(text);
        } else {
            j = json_loadb(raw, len, 0, NULL);
            assert_non_null(j);
            json_decref(j);
        }
        tx_ui_resp_clear(&rs);
    }
    /* The page's language, not the process's: this process speaks English (setup), the
     * report asked for in Japanese has the catalogue's Japanese labels. */
    for (int ja = 0; ja < 2; ja++) {
        tx_ui_resp rs;
        char *text;
        tx_ui_dispatch(fx.app, "GET",
                       ja ? "/api/export?format=html&lang=ja" : "/api/export?format=html&lang=en",
                       NULL, 0, &rs);
        assert_int_equal(rs.status ? rs.status : 200, 200);
        text = strndup(rs.body, rs.len);
        th_expect_text(text, ja ? "取引先セキュリティ評価レポート" : "Supplier security report");
        th_expect_text(text, ja ? "認証の状態" : "Certificate");
        free(text);
        tx_ui_resp_clear(&rs);
    }
    json_decref(call("GET", "/api/export?format=table", NULL, 400));
    json_decref(call("GET", "/api/export", NULL, 400));
    json_decref(call("GET", "/api/export?format=csv&lang=fr", NULL, 400));
}

static void
test_orgs_and_questionnaires(void **state)
{
    json_t *j, *o, *q;
    size_t i;
    int self = 0, s2 = 0, builtin = 0;
    (void)state;

    j = call("GET", "/api/orgs", NULL, 200);
    json_array_foreach(json_object_get(j, "orgs"), i, o)
    {
        const char *name = json_string_value(json_object_get(o, "name"));
        if (json_is_true(json_object_get(o, "self"))) {
            self = strcmp(name, BUYER) == 0;
        }
        s2 |= strcmp(name, S2) == 0;
        assert_int_equal(strlen(json_string_value(json_object_get(o, "key"))), 64);
    }
    assert_true(self && s2);
    /* From the hub, as `ticsx orgs` lists them, not only those the cache happens to hold. */
    assert_string_equal(json_string_value(json_object_get(j, "source")), "hub");
    json_decref(j);
    j = call("GET", "/api/questionnaires", NULL, 200);
    json_array_foreach(json_object_get(j, "questionnaires"), i, q)
    {
        if (strcmp(json_string_value(json_object_get(q, "ref")), "tics-selfcheck") == 0) {
            builtin = json_is_true(json_object_get(q, "builtin"));
            assert_non_null(json_string_value(json_object_get(json_object_get(q, "title"), "ja")));
            assert_true(json_integer_value(json_object_get(q, "items")) > 0);
        }
    }
    assert_true(builtin);
    json_decref(j);
}

static void
test_requests(void **state)
{
    char fp2[64], k2[65];
    json_t *body, *j, *rq, *s;
    const char *id;
    size_t i;
    th_result r;
    (void)state;

    fp_of(fx.s2, fp2);
    key_of(fx.s2, k2);
    body = json_pack("{s:s,s:[s],s:s,s:i,s:s}", "questionnaire", "tics-selfcheck", "to", fp2, "due",
                     "2099-03-31", "depth", 1, "note", "年次の確認をお願いします");
    j = call("POST", "/api/requests", body, 200);
    json_decref(body);
    id = json_string_value(json_object_get(j, "request"));
    assert_non_null(id);
    assert_int_equal(strlen(id), 64);
    assert_int_equal(json_integer_value(json_object_get(j, "suppliers")), 1);

    /* The supplier's inbox shows it. */
    th_ticsx(&r, &fx.w.hub, fx.s2, "inbox", "--all", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, id);
    th_result_free(&r);

    /* The buyer's list shows it, newest first, open for S2; the first one half answered. */
    {
        json_t *list = call("GET", "/api/requests", NULL, 200);
        int found = 0, first = 0;
        json_array_foreach(json_object_get(list, "requests"), i, rq)
        {
            const char *rid = json_string_value(json_object_get(rq, "id"));
            if (strcmp(rid, id) == 0) {
                found = 1;
                assert_string_equal(json_string_value(json_object_get(rq, "due")), "2099-03-31");
                assert_string_equal(json_string_value(json_object_get(rq, "note")),
                                    "年次の確認をお願いします");
                assert_int_equal(json_integer_value(json_object_get(rq, "total")), 1);
                assert_int_equal(json_integer_value(json_object_get(rq, "answered")), 0);
                s = json_array_get(json_object_get(rq, "suppliers"), 0);
                assert_string_equal(json_string_value(json_object_get(s, "key")), k2);
                assert_string_equal(json_string_value(json_object_get(s, "state")), "open");
                assert_string_equal(json_string_value(json_object_get(s, "name")), S2);
            }
            if (strcmp(rid, fx.request) == 0) {
                first = 1;
                assert_int_equal(json_integer_value(json_object_get(rq, "total")), 2);
                assert_int_equal(json_integer_value(json_object_get(rq, "answered")), 1);
                assert_string_equal(
                    json_string_value(json_object_get(json_object_get(rq, "questionnaire"), "id")),
                    "tics-selfcheck");
            }
        }
        assert_true(found && first);
        json_decref(list);
    }
    /* The CLI face says the same. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "requests", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, id);
    th_expect_text(r.out, "\"state\": \"answered\"");
    th_result_free(&r);
    json_decref(j);

    /* Refused: no supplier, an unknown one, a bad date. */
    body = json_pack("{s:s,s:[]}", "questionnaire", "tics-selfcheck", "to");
    json_decref(call("POST", "/api/requests", body, 400));
    json_decref(body);
    body = json_pack("{s:s,s:[s]}", "questionnaire", "tics-selfcheck", "to", "No Such KK");
    json_decref(call("POST", "/api/requests", body, 400));
    json_decref(body);
    body = json_pack("{s:s,s:[s],s:s}", "questionnaire", "tics-selfcheck", "to", fp2, "due",
                     "next week");
    json_decref(call("POST", "/api/requests", body, 400));
    json_decref(body);
}

/* S3 answers a request of its own and then withdraws the buyer's grant: after a fetch the
 * dashboard shows it revoked. */
static void
test_revoked(void **state)
{
    char k3[65], request[65], id[65], target[128];
    json_t *j, *r3;
    th_result r;
    (void)state;

    key_of(fx.s3, k3);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to", S3,
             NULL);
    th_expect_status(&r, 0);
    memcpy(request, r.out, 64);
    request[64] = 0;
    th_result_free(&r);
    answer(fx.s3, request, id);
    fetch();
    j = call("GET", "/api/dashboard?q=toyohashi", NULL, 200);
    r3 = row_of(json_object_get(j, "rows"), k3);
    assert_non_null(r3);
    assert_string_equal(json_string_value(json_object_get(r3, "status")), "verified");
    json_decref(j);

    th_ticsx_expect(0, &fx.w.hub, fx.s3, "revoke", id, "--from", BUYER, NULL);
    fetch();
    j = call("GET", "/api/dashboard?q=toyohashi", NULL, 200);
    r3 = row_of(json_object_get(j, "rows"), k3);
    assert_non_null(r3);
    assert_string_equal(json_string_value(json_object_get(r3, "status")), "revoked");
    assert_true(json_integer_value(json_object_get(json_object_get(j, "counts"), "revoked")) >= 1);
    json_decref(j);
    snprintf(target, sizeof target, "/api/supplier/%s", k3);
    j = call("GET", target, NULL, 200);
    assert_non_null(history_of(j, "revoked"));
    json_decref(j);
}

/* GET /api/due: what `ticsx due --json` prints, from the same library; a bad window is 400. */
static void
test_due(void **state)
{
    char request[65], due[16];
    time_t t = time(NULL) + 5 * 86400;
    const json_t *it;
    json_t *j, *cli;
    size_t i, found = 0;
    (void)state;

    strftime(due, sizeof due, "%Y-%m-%d", gmtime(&t));
    th_ticsx_id(request, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck",
                "--to", S2, "--due", due, NULL);
    j = call("GET", "/api/due?within=10", NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "within")), 10);
    json_array_foreach(json_object_get(j, "items"), i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "record")), request) == 0) {
            found++;
            assert_string_equal(json_string_value(json_object_get(it, "kind")), "awaiting");
            assert_string_equal(json_string_value(json_object_get(it, "date")), due);
        }
    }
    assert_int_equal(found, 1);
    cli = cli_json(fx.buyer, 0, "due", "--within", "10");
    assert_true(json_equal(json_object_get(cli, "items"), json_object_get(j, "items")));
    json_decref(cli);
    json_decref(j);
    json_decref(call("GET", "/api/due?within=-3", NULL, 400));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fetch),
        cmocka_unit_test(test_dashboard_matches_report),
        cmocka_unit_test(test_overdue),
        cmocka_unit_test(test_sort_filter_paging),
        cmocka_unit_test(test_tree),
        cmocka_unit_test(test_supplier_page),
        cmocka_unit_test(test_supplier_not_answered_and_unknown),
        cmocka_unit_test(test_exports),
        cmocka_unit_test(test_orgs_and_questionnaires),
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_due),
        cmocka_unit_test(test_revoked),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

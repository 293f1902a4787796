/* The supplier's side of ticsx ui through its dispatcher (no HTTP): a real hub and real homes;
 * a buyer requests with the real ticsx, the supplier answers through the API from a draft kept
 * in its home, and the buyer's own fetch, verify and report see it; reuse, grant, revoke,
 * supersede and forward from the API; the self-check without any hub; drafts refused when they
 * could never be sent (unknown item, a comment over the limit) and their files' permissions. */
#include "harness.h"
#include "tx_error.h"
#include "tx_ui_app.h"
#include "tx_ui_http.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define B1 "Example Motors KK"
#define B2 "Nagoya Assembly KK"
#define B3 "Kyushu Electric Parts KK"
#define SUP "Tanaka Seiko KK"
#define SUP2 "Hamamatsu Castings KK"
#define SELF "Gifu Springs KK"
#define COMMENT "Two-factor login on every remote access since April"
#define SUB_NAME "Okazaki Plating KK"
#define DUE "2031-03-31"

typedef struct {
    th_world w;
    char b1[PATH_MAX], b2[PATH_MAX], b3[PATH_MAX], sup[PATH_MAX], sup2[PATH_MAX], offline[PATH_MAX],
        self[PATH_MAX];
    char sup2_fp[64];
    char r1[65], r2[65], r3[65];
    char draft[17], draft2[17];
    char a[65], a2[65];
    char items[3][32];
    int requested, drafted, answered, granted, superseded;
} fixture;

static fixture fx;

static int
setup(void **state)
{
    th_result r;
    json_t *j;
    (void)state;

    unsetenv("TICSX_HUB_KEY");
    unsetenv("TICSX_HUB");
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.b1, "b1", B1, NULL);
    th_world_party(&fx.w, fx.b2, "b2", B2, NULL);
    th_world_party(&fx.w, fx.b3, "b3", B3, NULL);
    th_world_party(&fx.w, fx.sup, "sup", SUP, NULL);
    th_world_party(&fx.w, fx.sup2, "sup2", SUP2, NULL);
    th_world_party(&fx.w, fx.self, "self", SELF, NULL);
    th_party(NULL, th_world_home(&fx.w, fx.offline, "offline"), "Hida Small Parts KK", NULL);
    th_world_start(&fx.w);
    th_ticsx(&r, &fx.w.hub, fx.sup2, "whoami", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    snprintf(fx.sup2_fp, sizeof fx.sup2_fp, "%s",
             json_string_value(json_object_get(j, "fingerprint")));
    json_decref(j);
    th_result_free(&r);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    th_world_end(&fx.w);
    return 0;
}

/* An app for `home`, with the world's hub unless `hub` is 0 (no hub key at all). */
static tx_ui_app *
app_for(const char *home, int hub)
{
    tx_client_opts o = {.home = home,
                        .endpoint = hub ? fx.w.hub.endpoint : NULL,
                        .hub_key = hub ? fx.w.hub.key : NULL};
    tx_ui_app *app = NULL;

    assert_int_equal(tx_ui_app_open(&o, &app), TX_OK);
    return app;
}

/* Runs one API call; fails the test unless it answers `status`. Returns the JSON (caller
 * decrefs). body is borrowed. */
static json_t *
call(tx_ui_app *app, int status, const char *method, const char *target, json_t *body)
{
    tx_ui_resp rs;
    json_t *j;
    int got;

    tx_ui_dispatch(app, method, target, body, 0, &rs);
    got = rs.status == 0 ? 200 : rs.status;
    if (got != status) {
        char *text = rs.json != NULL ? json_dumps(rs.json, 0) : NULL;
        print_error("%s %s: status %d, expected %d: %s\n", method, target, got, status,
                    text != NULL ? text : "(no JSON)");
        free(text);
        tx_ui_resp_clear(&rs);
        fail();
    }
    j = json_incref(rs.json);
    tx_ui_resp_clear(&rs);
    return j;
}

static const char *
str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    assert_non_null(s);
    return s;
}

static const char *
error_message(const json_t *j)
{
    return str(json_object_get(j, "error"), "message");
}

static void
given_requested(void)
{
    if (!th_given(&fx.requested, "a request of B1 to the supplier")) {
        return;
    }
    th_ticsx_id(fx.r1, &fx.w.hub, fx.b1, "request", "--questionnaire", "tics-selfcheck", "--to",
                SUP, "--due", DUE, NULL);
    th_given_made(&fx.requested);
}

/* The first three items of the request's questionnaire, from the API. */
static void
load_items(tx_ui_app *app)
{
    char target[160];
    json_t *q, *areas;
    size_t n = 0;

    snprintf(target, sizeof target, "/api/questionnaire?ref=%s", fx.r1);
    q = call(app, 200, "GET", target, NULL);
    areas = json_object_get(q, "areas");
    for (size_t a = 0; a < json_array_size(areas) && n < 3; a++) {
        json_t *items = json_object_get(json_array_get(areas, a), "items");
        for (size_t i = 0; i < json_array_size(items) && n < 3; i++) {
            snprintf(fx.items[n++], sizeof fx.items[0], "%s", str(json_array_get(items, i), "id"));
        }
    }
    assert_int_equal(n, 3);
    json_decref(q);
}

static json_t *
answers_json(const char *a0, const char *a1, const char *a2, const char *comment)
{
    return json_pack("[{s:s,s:s,s:s},{s:s,s:s},{s:s,s:s}]", "item", fx.items[0], "answer", a0,
                     "comment", comment, "item", fx.items[1], "answer", a1, "item", fx.items[2],
                     "answer", a2);
}

static json_t *
draft_body(const char *a0, const char *a1, const char *a2)
{
    return json_pack("{s:s,s:s,s:o,s:[{s:s,s:s,s:s}],s:s}", "questionnaire", fx.r1, "request",
                     fx.r1, "answers", answers_json(a0, a1, a2, COMMENT), "suppliers", "name",
                     SUB_NAME, "supplies", "plating of housings", "key", fx.sup2_fp, "certificate",
                     "none");
}

static void
given_drafted(void)
{
    tx_ui_app *app;
    json_t *body, *j;

    given_requested();
    if (!th_given(&fx.drafted, "a draft of the supplier's answers")) {
        return;
    }
    app = app_for(fx.sup, 1);
    load_items(app);
    body = draft_body("yes", "partly", "no");
    j = call(app, 200, "POST", "/api/drafts", body);
    snprintf(fx.draft, sizeof fx.draft, "%s", str(j, "id"));
    assert_int_equal(strlen(fx.draft), 16);
    json_decref(j);
    json_decref(body);
    tx_ui_app_close(&app);
    th_given_made(&fx.drafted);
}

/* The buyer's report row of `aid` (report --json), caller decrefs the document in *doc. */
static json_t *
report_row(const char *home, const char *aid, json_t **doc)
{
    th_result r;
    json_t *rows;

    th_ticsx(&r, &fx.w.hub, home, "report", "--format", "json", NULL);
    th_expect_status(&r, 0);
    *doc = th_parse_json(r.out);
    th_result_free(&r);
    rows = json_object_get(th_report_doc(*doc), "suppliers");
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        if (strcmp(str(row, "assessment"), aid) == 0) {
            return row;
        }
    }
    fail_msg("no report row for assessment %s", aid);
    return NULL;
}

static void
given_answered(void)
{
    tx_ui_app *app;
    json_t *body, *j;

    given_drafted();
    if (!th_given(&fx.answered, "the draft sent as the answer to B1's request")) {
        return;
    }
    app = app_for(fx.sup, 1);
    body = json_pack("{s:s,s:s}", "draft", fx.draft, "request", fx.r1);
    j = call(app, 200, "POST", "/api/answer", body);
    snprintf(fx.a, sizeof fx.a, "%s", str(j, "assessment"));
    assert_int_equal(json_integer_value(json_object_get(j, "suppliers")), 1);
    assert_true(json_is_null(json_object_get(j, "certificate")));
    json_decref(j);
    json_decref(body);
    tx_ui_app_close(&app);
    th_given_made(&fx.answered);
}

static void
test_inbox_shows_request(void **state)
{
    tx_ui_app *app;
    json_t *j, *reqs, *found = NULL;
    (void)state;

    given_requested();
    app = app_for(fx.sup, 1);
    j = call(app, 200, "GET", "/api/inbox", NULL);
    reqs = json_object_get(j, "requests");
    for (size_t i = 0; i < json_array_size(reqs); i++) {
        if (strcmp(str(json_array_get(reqs, i), "id"), fx.r1) == 0) {
            found = json_array_get(reqs, i);
        }
    }
    assert_non_null(found);
    assert_string_equal(str(found, "due"), DUE);
    assert_string_equal(str(json_object_get(found, "from"), "name"), B1);
    assert_true(json_is_array(json_object_get(found, "reusable")));
    assert_true(json_is_array(json_object_get(found, "drafts")));
    assert_non_null(json_object_get(j, "grants"));
    json_decref(j);
    /* No certificate issued to it: an empty picker. */
    j = call(app, 200, "GET", "/api/certificates", NULL);
    assert_int_equal(json_array_size(json_object_get(j, "certificates")), 0);
    json_decref(j);
    tx_ui_app_close(&app);
}

static void
test_questionnaire_of_request(void **state)
{
    tx_ui_app *app;
    char target[160], record[65];
    json_t *q, *scale, *yes = NULL;
    (void)state;

    given_requested();
    app = app_for(fx.sup, 1);
    snprintf(target, sizeof target, "/api/questionnaire?ref=%s", fx.r1);
    q = call(app, 200, "GET", target, NULL);
    assert_string_equal(str(q, "id"), "tics-selfcheck");
    assert_int_equal(strlen(str(q, "record")), 64);
    assert_true(json_array_size(json_object_get(q, "areas")) > 0);
    scale = json_object_get(q, "scale");
    for (size_t i = 0; i < json_array_size(scale); i++) {
        if (strcmp(str(json_array_get(scale, i), "code"), "yes") == 0) {
            yes = json_array_get(scale, i);
        }
    }
    assert_non_null(yes);
    assert_string_equal(str(json_object_get(yes, "label"), "en"), "Implemented");
    assert_string_equal(str(json_object_get(yes, "label"), "ja"), "実施している");
    snprintf(record, sizeof record, "%s", str(q, "record"));
    json_decref(q);
    tx_ui_app_close(&app);

    /* Looked up once, both the request and its questionnaire are kept: no hub needed again
     * (every live score names it). */
    app = app_for(fx.sup, 0);
    snprintf(target, sizeof target, "/api/questionnaire?ref=%s", record);
    q = call(app, 200, "GET", target, NULL);
    assert_string_equal(str(q, "record"), record);
    json_decref(q);
    snprintf(target, sizeof target, "/api/questionnaire?ref=%s", fx.r1);
    q = call(app, 200, "GET", target, NULL);
    assert_string_equal(str(q, "record"), record);
    json_decref(q);
    tx_ui_app_close(&app);
}

static void
test_draft_saved_and_reloaded(void **state)
{
    tx_ui_app *app;
    char target[64];
    json_t *d, *list, *answers, *subs;
    int listed = 0;
    (void)state;

    given_drafted();
    app = app_for(fx.sup, 1);
    snprintf(target, sizeof target, "/api/drafts/%s", fx.draft);
    d = call(app, 200, "GET", target, NULL);
    assert_string_equal(str(d, "id"), fx.draft);
    assert_string_equal(str(d, "request"), fx.r1);
    answers = json_object_get(d, "answers");
    assert_int_equal(json_array_size(answers), 3);
    assert_string_equal(str(json_array_get(answers, 0), "answer"), "yes");
    assert_string_equal(str(json_array_get(answers, 0), "comment"), COMMENT);
    assert_string_equal(str(json_array_get(answers, 1), "answer"), "partly");
    subs = json_object_get(d, "suppliers");
    assert_int_equal(json_array_size(subs), 1);
    assert_string_equal(str(json_array_get(subs, 0), "name"), SUB_NAME);
    assert_string_equal(str(d, "certificate"), "none");
    assert_string_equal(str(json_object_get(d, "questionnaire"), "id"), "tics-selfcheck");
    json_decref(d);

    list = call(app, 200, "GET", "/api/drafts", NULL);
    for (size_t i = 0; i < json_array_size(json_object_get(list, "drafts")); i++) {
        json_t *e = json_array_get(json_object_get(list, "drafts"), i);
        if (strcmp(str(e, "id"), fx.draft) == 0) {
            listed = 1;
            assert_int_equal(json_integer_value(json_object_get(e, "answered")), 3);
        }
    }
    assert_true(listed);
    json_decref(list);
    tx_ui_app_close(&app);
}

static void
test_answer_verified_and_scored_alike(void **state)
{
    tx_ui_app *app;
    json_t *body, *score, *doc, *row, *items, *v, *subs;
    th_result r;
    char target[64];
    int commented = 0;
    (void)state;

    given_drafted();
    app = app_for(fx.sup, 1);
    body = json_pack("{s:s,s:o}", "questionnaire", fx.r1, "answers",
                     answers_json("yes", "partly", "no", COMMENT));
    score = call(app, 200, "POST", "/api/score", body);
    json_decref(body);
    tx_ui_app_close(&app);
    given_answered();

    th_ticsx_expect(0, &fx.w.hub, fx.b1, "fetch", NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.b1, "verify", NULL);
    th_ticsx(&r, &fx.w.hub, fx.b1, "--json", "verify", fx.a, NULL);
    th_expect_status(&r, 0);
    doc = th_parse_json(r.out);
    v = json_array_get(json_object_get(doc, "assessments"), 0);
    assert_string_equal(str(v, "status"), "verified");
    subs = json_object_get(v, "sub_suppliers");
    assert_int_equal(json_array_size(subs), 1);
    assert_string_equal(str(json_array_get(subs, 0), "name"), SUB_NAME);
    assert_string_equal(str(json_array_get(subs, 0), "fingerprint"), fx.sup2_fp);
    json_decref(doc);
    th_result_free(&r);

    row = report_row(fx.b1, fx.a, &doc);
    assert_string_equal(str(row, "status"), "verified");
    assert_true(json_equal(json_object_get(row, "areas"), json_object_get(score, "areas")));
    assert_true(json_equal(json_object_get(row, "overall"), json_object_get(score, "overall")));
    assert_true(json_equal(json_object_get(row, "levels"), json_object_get(score, "levels")));
    assert_int_equal(json_integer_value(json_object_get(row, "unanswered")),
                     json_integer_value(json_object_get(score, "unanswered")));
    items = json_object_get(row, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        if (strcmp(str(it, "id"), fx.items[0]) == 0) {
            assert_string_equal(str(it, "comment"), COMMENT);
            commented = 1;
        }
    }
    assert_true(commented);
    json_decref(doc);
    json_decref(score);

    /* The draft is marked sent with the assessment. */
    app = app_for(fx.sup, 1);
    snprintf(target, sizeof target, "/api/drafts/%s", fx.draft);
    v = call(app, 200, "GET", target, NULL);
    assert_string_equal(str(json_object_get(v, "sent"), "assessment"), fx.a);
    json_decref(v);
    /* Sent once: sending it again without superseding is refused, nothing signed. */
    body = json_pack("{s:s,s:s}", "draft", fx.draft, "request", fx.r1);
    v = call(app, 409, "POST", "/api/answer", body);
    th_expect_text(error_message(v), "sent already");
    json_decref(v);
    json_decref(body);
    tx_ui_app_close(&app);
}

static void
test_reuse_for_second_buyer(void **state)
{
    tx_ui_app *app;
    json_t *j, *reqs, *body, *found = NULL, *reusable;
    (void)state;

    given_answered();
    th_ticsx_id(fx.r2, &fx.w.hub, fx.b2, "request", "--questionnaire", "tics-selfcheck", "--to",
                SUP, "--due", DUE, NULL);
    app = app_for(fx.sup, 1);
    j = call(app, 200, "GET", "/api/inbox", NULL);
    reqs = json_object_get(j, "requests");
    for (size_t i = 0; i < json_array_size(reqs); i++) {
        if (strcmp(str(json_array_get(reqs, i), "id"), fx.r2) == 0) {
            found = json_array_get(reqs, i);
        }
    }
    assert_non_null(found);
    reusable = json_object_get(found, "reusable");
    assert_int_equal(json_array_size(reusable), 1);
    assert_string_equal(str(json_array_get(reusable, 0), "assessment"), fx.a);
    json_decref(j);

    body = json_pack("{s:s,s:s}", "request", fx.r2, "assessment", fx.a);
    j = call(app, 200, "POST", "/api/reuse", body);
    assert_string_equal(str(j, "assessment"), fx.a);
    assert_string_equal(str(json_object_get(j, "grantee"), "name"), B2);
    json_decref(j);
    json_decref(body);
    tx_ui_app_close(&app);
    th_ticsx_expect(0, &fx.w.hub, fx.b2, "fetch", NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.b2, "verify", fx.a, NULL);
}

static void
given_granted(void)
{
    tx_ui_app *app;
    json_t *body, *j;

    given_answered();
    if (!th_given(&fx.granted, "the assessment granted to B3")) {
        return;
    }
    app = app_for(fx.sup, 1);
    body = json_pack("{s:s,s:[s]}", "assessment", fx.a, "to", B3);
    j = call(app, 200, "POST", "/api/grant", body);
    assert_int_equal(json_array_size(json_object_get(j, "grants")), 1);
    json_decref(j);
    json_decref(body);
    tx_ui_app_close(&app);
    th_given_made(&fx.granted);
}

static void
test_grant_to_third_buyer(void **state)
{
    tx_ui_app *app;
    json_t *j, *list, *mine = NULL, *gs, *cli;
    th_result r;
    int b3 = 0;
    (void)state;

    given_granted();
    app = app_for(fx.sup, 1);
    j = call(app, 200, "GET", "/api/assessments", NULL);
    list = json_object_get(j, "assessments");
    for (size_t i = 0; i < json_array_size(list); i++) {
        if (strcmp(str(json_array_get(list, i), "id"), fx.a) == 0) {
            mine = json_array_get(list, i);
        }
    }
    assert_non_null(mine);
    assert_string_equal(str(mine, "draft"), fx.draft);
    assert_string_equal(str(json_object_get(mine, "questionnaire"), "id"), "tics-selfcheck");
    assert_non_null(json_object_get(mine, "as_of"));
    gs = json_object_get(mine, "grantees");
    for (size_t i = 0; i < json_array_size(gs); i++) {
        b3 |= strcmp(str(json_array_get(gs, i), "name"), B3) == 0;
    }
    assert_true(b3);
    tx_ui_app_close(&app);

    /* The CLI's face of the same listing: the same documents, less the draft each came from. */
    th_ticsx(&r, &fx.w.hub, fx.sup, "--json", "assessments", NULL);
    th_expect_status(&r, 0);
    cli = th_parse_json(r.out);
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_object_del(json_array_get(list, i), "draft");
    }
    assert_true(json_equal(cli, j));
    json_decref(cli);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sup, "assessments", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, B3);
    th_result_free(&r);
    json_decref(j);
    th_ticsx_expect(0, &fx.w.hub, fx.b3, "fetch", NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.b3, "verify", fx.a, NULL);
}

static void
test_revoke_seen_by_buyer(void **state)
{
    tx_ui_app *app;
    json_t *body, *j;
    th_result r;
    (void)state;

    given_granted();
    th_ticsx_expect(0, &fx.w.hub, fx.b3, "fetch", NULL);
    app = app_for(fx.sup, 1);
    body = json_pack("{s:s,s:s}", "assessment", fx.a, "from", B3);
    j = call(app, 200, "POST", "/api/revoke", body);
    assert_int_equal(json_array_size(json_object_get(j, "revocations")), 1);
    json_decref(j);
    /* Twice: nothing left to revoke. */
    j = call(app, 404, "POST", "/api/revoke", body);
    th_expect_text(error_message(j), "already revoked");
    json_decref(j);
    json_decref(body);
    tx_ui_app_close(&app);
    th_ticsx(&r, &fx.w.hub, fx.b3, "fetch", NULL);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b3, "verify", fx.a, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "revoked");
    th_result_free(&r);
}

static void
test_supersede_with_changed_draft(void **state)
{
    tx_ui_app *app;
    json_t *body, *j, *list, *score, *doc, *row;
    (void)state;

    given_answered();
    app = app_for(fx.sup, 1);
    body = draft_body("yes", "yes", "yes");
    j = call(app, 200, "POST", "/api/drafts", body);
    snprintf(fx.draft2, sizeof fx.draft2, "%s", str(j, "id"));
    assert_string_not_equal(fx.draft2, fx.draft);
    json_decref(j);
    json_decref(body);
    body = json_pack("{s:s,s:o}", "questionnaire", fx.r1, "answers",
                     answers_json("yes", "yes", "yes", COMMENT));
    score = call(app, 200, "POST", "/api/score", body);
    json_decref(body);

    body = json_pack("{s:s,s:s,s:s}", "draft", fx.draft2, "request", fx.r1, "supersedes", fx.a);
    j = call(app, 200, "POST", "/api/answer", body);
    snprintf(fx.a2, sizeof fx.a2, "%s", str(j, "assessment"));
    assert_string_equal(str(j, "supersedes"), fx.a);
    json_decref(j);
    /* The old one is superseded now: superseding it again is refused. */
    j = call(app, 400, "POST", "/api/answer", body);
    th_expect_text(error_message(j), "already superseded");
    json_decref(j);
    json_decref(body);

    j = call(app, 200, "GET", "/api/assessments", NULL);
    list = json_object_get(j, "assessments");
    assert_string_equal(str(json_array_get(list, 0), "id"), fx.a2); /* newest first */
    for (size_t i = 0; i < json_array_size(list); i++) {
        if (strcmp(str(json_array_get(list, i), "id"), fx.a) == 0) {
            assert_string_equal(str(json_array_get(list, i), "superseded_by"), fx.a2);
        }
    }
    json_decref(j);
    tx_ui_app_close(&app);

    th_ticsx_expect(0, &fx.w.hub, fx.b1, "fetch", NULL);
    row = report_row(fx.b1, fx.a2, &doc);
    assert_string_equal(str(row, "status"), "verified");
    assert_true(json_equal(json_object_get(row, "overall"), json_object_get(score, "overall")));
    json_decref(doc);
    json_decref(score);
}

static void
test_forward_depth_two(void **state)
{
    tx_ui_app *app;
    json_t *body, *j, *reqs, *doc;
    th_result r;
    const char *fwd;
    int seen = 0;
    (void)state;

    th_ticsx_id(fx.r3, &fx.w.hub, fx.b1, "request", "--questionnaire", "tics-selfcheck", "--to",
                SUP, "--due", DUE, "--depth", "2", NULL);
    app = app_for(fx.sup, 1);
    body = json_pack("{s:s,s:[s]}", "request", fx.r3, "to", SUP2);
    j = call(app, 200, "POST", "/api/forward", body);
    assert_int_equal(json_integer_value(json_object_get(j, "suppliers")), 1);
    assert_string_equal(str(j, "on_behalf_of"), fx.r3);
    fwd = str(j, "request");
    th_ticsx(&r, &fx.w.hub, fx.sup2, "--json", "inbox", "--all", NULL);
    th_expect_status(&r, 0);
    doc = th_parse_json(r.out);
    reqs = json_object_get(doc, "requests");
    for (size_t i = 0; i < json_array_size(reqs); i++) {
        json_t *e = json_array_get(reqs, i);
        if (strcmp(str(e, "id"), fwd) == 0) {
            seen = 1;
            assert_string_equal(str(json_object_get(e, "on_behalf_of"), "request"), fx.r3);
            assert_int_equal(json_integer_value(json_object_get(e, "depth")), 1);
        }
    }
    assert_true(seen);
    json_decref(doc);
    th_result_free(&r);
    json_decref(j);
    /* Asked for one tier only: refused with the reason. */
    json_object_set_new(body, "request", json_string(fx.r1));
    j = call(app, 400, "POST", "/api/forward", body);
    json_decref(j);
    json_decref(body);
    tx_ui_app_close(&app);
}

static void
test_drafts_private(void **state)
{
    tx_ui_app *app;
    char dir[PATH_MAX + 16], file[PATH_MAX + 64];
    struct stat st;
    json_t *body, *j;
    (void)state;

    given_drafted();
    snprintf(dir, sizeof dir, "%s/drafts", fx.sup);
    snprintf(file, sizeof file, "%s/%s.json", dir, fx.draft);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    /* A drafts directory others can write is refused: they could plant a draft to be signed. */
    assert_int_equal(chmod(dir, 0777), 0);
    app = app_for(fx.sup, 1);
    body = draft_body("no", "no", "no");
    j = call(app, 500, "POST", "/api/drafts", body);
    th_expect_text(error_message(j), "chmod 700");
    json_decref(j);
    j = call(app, 500, "GET", "/api/drafts", NULL);
    th_expect_text(error_message(j), "writable by group or others");
    json_decref(j);
    assert_int_equal(chmod(dir, 0700), 0);
    j = call(app, 200, "GET", "/api/drafts", NULL);
    json_decref(j);

    /* A path in place of an id goes nowhere. */
    j = call(app, 400, "GET", "/api/drafts/..%2F..%2Fidentity.key", NULL);
    json_decref(j);
    j = call(app, 400, "GET", "/api/drafts/../identity", NULL);
    json_decref(j);
    json_decref(body);
    tx_ui_app_close(&app);
}

static void
test_selfcheck_without_hub(void **state)
{
    tx_ui_app *app;
    json_t *q, *body, *j, *first_items;
    char target[64];
    const char *item0, *item1;
    (void)state;

    app = app_for(fx.offline, 0);
    assert_false(app->has_hub);
    q = call(app, 200, "GET", "/api/questionnaire?ref=tics-selfcheck", NULL);
    assert_true(json_is_null(json_object_get(q, "record")));
    first_items = json_object_get(json_array_get(json_object_get(q, "areas"), 0), "items");
    item0 = str(json_array_get(first_items, 0), "id");
    item1 = str(json_array_get(first_items, 1), "id");

    body = json_pack("{s:s,s:[{s:s,s:s,s:s},{s:s,s:s},{s:s,s:s}],s:[]}", "questionnaire",
                     "tics-selfcheck", "answers", "item", item0, "answer", "yes", "comment",
                     "自社で管理している", "item", item1, "answer", "一部実施", "item",
                     str(json_array_get(first_items, 2), "id"), "answer", "", "suppliers");
    j = call(app, 200, "POST", "/api/drafts", body);
    snprintf(target, sizeof target, "/api/drafts/%s", str(j, "id"));
    json_decref(j);
    j = call(app, 200, "GET", target, NULL);
    assert_true(json_is_null(json_object_get(j, "request")));
    assert_int_equal(json_integer_value(json_object_get(j, "answered")), 2);

    json_object_del(body, "suppliers");
    json_t *score = call(app, 200, "POST", "/api/score", body);
    /* One area scored: yes (100 %) and partly (50 %), equal weights or not, between the two. */
    json_t *a0 = json_array_get(json_object_get(score, "areas"), 0);
    assert_true(json_real_value(json_object_get(a0, "score")) >= 50.0);
    assert_true(json_real_value(json_object_get(a0, "score")) <= 100.0);
    assert_int_equal(json_integer_value(json_object_get(a0, "answered")), 2);
    assert_true(json_integer_value(json_object_get(score, "unanswered")) > 0);
    json_decref(score);

    /* Sending it needs a hub, and says so; the draft stays. */
    json_t *send = json_pack("{s:s,s:s}", "draft", str(j, "id"), "request",
                             "0000000000000000000000000000000000000000000000000000000000000001");
    json_t *e = call(app, 400, "POST", "/api/answer", send);
    th_expect_text(error_message(e), "needs a hub");
    json_decref(e);
    e = call(app, 400, "GET", "/api/inbox", NULL);
    th_expect_text(error_message(e), "needs a hub");
    json_decref(e);
    e = call(app, 400, "GET", "/api/assessments", NULL);
    th_expect_text(error_message(e), "needs a hub");
    json_decref(e);
    /* A questionnaire that is not built in cannot be looked up without it either. */
    e = call(app, 400, "GET", "/api/questionnaire?ref=acme-check", NULL);
    th_expect_text(error_message(e), "needs a hub");
    json_decref(e);
    json_decref(send);
    json_decref(j);
    json_decref(body);
    json_decref(q);
    tx_ui_app_close(&app);
}

/* The self-check filled in with no hub configured, sent later as the answer to a buyer's
 * request once the organisation is enrolled. */
static void
test_selfcheck_sent_later(void **state)
{
    tx_ui_app *app;
    json_t *q, *items, *answers, *body, *j, *reqs;
    char id[17], req[65];
    int offered = 0;
    (void)state;

    app = app_for(fx.self, 0);
    q = call(app, 200, "GET", "/api/questionnaire?ref=tics-selfcheck", NULL);
    answers = json_array();
    for (size_t a = 0; a < json_array_size(json_object_get(q, "areas")); a++) {
        items = json_object_get(json_array_get(json_object_get(q, "areas"), a), "items");
        for (size_t i = 0; i < json_array_size(items); i++) {
            json_array_append_new(answers, json_pack("{s:s,s:s}", "item",
                                                     str(json_array_get(items, i), "id"), "answer",
                                                     i % 2 ? "partly" : "yes"));
        }
    }
    body = json_pack("{s:s,s:o}", "questionnaire", "tics-selfcheck", "answers", answers);
    j = call(app, 200, "POST", "/api/drafts", body);
    snprintf(id, sizeof id, "%s", str(j, "id"));
    json_decref(j);
    json_decref(body);
    json_decref(q);
    tx_ui_app_close(&app);

    th_ticsx_id(req, &fx.w.hub, fx.b1, "request", "--questionnaire", "tics-selfcheck", "--to", SELF,
                "--due", DUE, NULL);
    app = app_for(fx.self, 1);
    j = call(app, 200, "GET", "/api/inbox", NULL);
    reqs = json_object_get(j, "requests");
    for (size_t i = 0; i < json_array_size(reqs); i++) {
        json_t *e = json_array_get(reqs, i);
        if (strcmp(str(e, "id"), req) == 0) {
            offered =
                json_array_size(json_object_get(e, "drafts")) == 1 &&
                strcmp(json_string_value(json_array_get(json_object_get(e, "drafts"), 0)), id) == 0;
        }
    }
    assert_true(offered);
    json_decref(j);
    body = json_pack("{s:s,s:s}", "draft", id, "request", req);
    j = call(app, 200, "POST", "/api/answer", body);
    assert_int_equal(json_integer_value(json_object_get(j, "answered")),
                     json_integer_value(json_object_get(j, "items")));
    json_decref(j);
    json_decref(body);
    tx_ui_app_close(&app);
    th_ticsx_expect(0, &fx.w.hub, fx.b1, "fetch", NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.b1, "verify", NULL);
}

static void
test_unknown_item_refused(void **state)
{
    tx_ui_app *app;
    json_t *body, *j, *q;
    const char *item;
    (void)state;

    app = app_for(fx.offline, 0);
    body = json_pack("{s:s,s:[{s:s,s:s}]}", "questionnaire", "tics-selfcheck", "answers", "item",
                     "Z9-99", "answer", "yes");
    j = call(app, 400, "POST", "/api/drafts", body);
    th_expect_text(error_message(j), "Z9-99");
    th_expect_text(error_message(j), "unknown item");
    json_decref(j);
    j = call(app, 400, "POST", "/api/score", body);
    th_expect_text(error_message(j), "Z9-99");
    json_decref(j);
    json_decref(body);

    /* A choice the scale does not have. */
    q = call(app, 200, "GET", "/api/questionnaire?ref=tics-selfcheck", NULL);
    item = str(
        json_array_get(json_object_get(json_array_get(json_object_get(q, "areas"), 0), "items"), 0),
        "id");
    body = json_pack("{s:s,s:[{s:s,s:s}]}", "questionnaire", "tics-selfcheck", "answers", "item",
                     item, "answer", "sometimes");
    j = call(app, 400, "POST", "/api/drafts", body);
    th_expect_text(error_message(j), item);
    th_expect_text(error_message(j), "unknown answer \"sometimes\"");
    json_decref(j);
    json_decref(body);
    json_decref(q);
    tx_ui_app_close(&app);
}

static size_t
count_drafts(const char *home)
{
    char dir[PATH_MAX + 16];
    size_t n = 0;

    snprintf(dir, sizeof dir, "%s/drafts", home);
    th_result r;
    const char *argv[] = {"/bin/ls", "-A", dir, NULL};
    th_exec(&r, NULL, argv);
    for (const char *p = r.out; *p != 0; p++) {
        n += *p == '\n';
    }
    th_result_free(&r);
    return n;
}

static void
test_large_comment_refused(void **state)
{
    tx_ui_app *app;
    char *big = malloc(70 * 1024 + 1), seq_path[PATH_MAX + 8], file[PATH_MAX + 64];
    char *seq_before, *seq_after;
    json_t *body, *j, *doc;
    size_t before;
    (void)state;

    given_drafted();
    assert_non_null(big);
    memset(big, 'x', 70 * 1024);
    big[70 * 1024] = 0;
    app = app_for(fx.sup, 1);
    before = count_drafts(fx.sup);
    body = json_pack("{s:s,s:[{s:s,s:s,s:s}]}", "questionnaire", fx.r1, "answers", "item",
                     fx.items[0], "answer", "", "comment", big);
    j = call(app, 413, "POST", "/api/drafts", body);
    th_expect_text(error_message(j), fx.items[0]);
    th_expect_text(error_message(j), "65 536");
    json_decref(j);
    json_decref(body);
    assert_int_equal(count_drafts(fx.sup), before);

    /* A draft file edited past the limit by hand is not signed either. */
    snprintf(seq_path, sizeof seq_path, "%s/seq", fx.sup);
    seq_before = th_read_file(seq_path);
    snprintf(file, sizeof file, "%s/drafts/%s.json", fx.sup, "00000000000000aa");
    j = call(app, 200, "GET", "/api/drafts", NULL);
    json_decref(j);
    {
        char target[64];
        snprintf(target, sizeof target, "/api/drafts/%s", fx.draft);
        doc = call(app, 200, "GET", target, NULL);
    }
    json_object_set_new(doc, "id", json_string("00000000000000aa"));
    json_object_set_new(json_array_get(json_object_get(doc, "answers"), 0), "comment",
                        json_string(big));
    json_object_set_new(doc, "sent", json_null());
    assert_int_equal(json_dump_file(doc, file, 0), 0);
    chmod(file, 0600);
    body = json_pack("{s:s,s:s}", "draft", "00000000000000aa", "request", fx.r1);
    j = call(app, 413, "POST", "/api/answer", body);
    th_expect_text(error_message(j), "65 536");
    json_decref(j);
    json_decref(body);
    seq_after = th_read_file(seq_path);
    assert_string_equal(seq_before, seq_after);
    /* The temporary answers file is gone. */
    {
        th_result r;
        const char *argv[] = {"/bin/sh", "-c", "ls -A \"$0\" | grep -c '^.answer-' || true", fx.sup,
                              NULL};
        th_exec(&r, NULL, argv);
        assert_string_equal(r.out, "0\n");
        th_result_free(&r);
    }
    unlink(file);
    free(seq_before);
    free(seq_after);
    json_decref(doc);
    free(big);
    tx_ui_app_close(&app);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inbox_shows_request),
        cmocka_unit_test(test_questionnaire_of_request),
        cmocka_unit_test(test_draft_saved_and_reloaded),
        cmocka_unit_test(test_answer_verified_and_scored_alike),
        cmocka_unit_test(test_reuse_for_second_buyer),
        cmocka_unit_test(test_grant_to_third_buyer),
        cmocka_unit_test(test_revoke_seen_by_buyer),
        cmocka_unit_test(test_supersede_with_changed_draft),
        cmocka_unit_test(test_forward_depth_two),
        cmocka_unit_test(test_drafts_private),
        cmocka_unit_test(test_selfcheck_without_hub),
        cmocka_unit_test(test_selfcheck_sent_later),
        cmocka_unit_test(test_unknown_item_refused),
        cmocka_unit_test(test_large_comment_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

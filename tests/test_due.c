/* Deadlines and campaigns through the real binaries: a real ticsx-hub (LMDB, CURVE, ZAP) on
 * tcp://127.0.0.1:* and ticsx as subprocesses for a buyer and two suppliers. The buyer asks with
 * a due date in the past: its `due` lists both suppliers overdue and exits 1; a supplier sees
 * what to answer after `due --fetch`, answers with a validity ending soon, and then sees its
 * own assessment and its certificate's periodic report coming; the buyer sees the answer gone
 * from its list and the supplier's assessment ending. `request --every` starts a campaign:
 * `campaign run` sends nothing before the period is over, one request after it, and nothing
 * the second time; the response rate is answered of asked. The clock of the viewing commands is
 * moved with TICSX_NOW, so nothing depends on when the test runs. */
#include "harness.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#define BUYER "Example Motors KK"
#define S1 "Tanaka Seiko KK"
#define S2 "Gifu Springs KK"
#define T2 "Okazaki Plating KK"
#define BODY "Japan Cert Body KK"
#define CERT_NO "TICS-DUE-1"
#define DAY 86400

typedef struct {
    th_world w;
    char buyer[PATH_MAX], s1[PATH_MAX], s2[PATH_MAX], t2[PATH_MAX], meti[PATH_MAX], body[PATH_MAX];
    char req[65];
    int asked; /* th_given step of the overdue request */
} fixture;

static fixture fx;

/* The date `days` from today (UTC), YYYY-MM-DD. */
static const char *
day_from_now(char out[16], long days)
{
    time_t t = time(NULL) + days * DAY;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
    return out;
}

/* Seconds at midnight UTC of a YYYY-MM-DD date (asserted). */
static long long
day_of(const char *date)
{
    struct tm tm = {0};

    assert_non_null(strptime(date, "%Y-%m-%d", &tm));
    return (long long)timegm(&tm);
}

/* "@SECONDS" of now + days, for TICSX_NOW. */
static const char *
at_from_now(char out[32], long days)
{
    snprintf(out, 32, "@%lld", (long long)time(NULL) + (long long)days * DAY);
    return out;
}

static int
setup(void **state)
{
    char issued[16];
    (void)state;

    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, NULL);
    th_world_party(&fx.w, fx.s1, "s1", S1, "3700000000001");
    th_world_party(&fx.w, fx.s2, "s2", S2, NULL);
    th_world_party(&fx.w, fx.t2, "t2", T2, NULL);
    th_world_party(&fx.w, fx.meti, "meti", "METI", NULL);
    th_world_party(&fx.w, fx.body, "body", BODY, NULL);
    th_world_start(&fx.w);
    /* Issued 350 days ago with no annual report: the periodic report is due in 15 days. */
    th_world_certify(&fx.w, fx.meti, fx.buyer, fx.body, BODY, S1, CERT_NO,
                     day_from_now(issued, -350));
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    th_world_end(&fx.w);
    return 0;
}

/* `ticsx due ARGS... --json` in home at TICSX_NOW `now` (NULL: the clock), expected to exit
 * with status (-1: 0 or 1); the document is returned (caller decrefs). */
static json_t *
due_json(const char *home, const char *now, int status, const char *a1, const char *a2)
{
    th_ticsx_opts o = {.hub = &fx.w.hub, .now = now};
    th_result r;
    json_t *j;

    th_ticsx_with(&r, &o, home, "due", "--json", a1, a2, NULL);
    if (status >= 0) {
        th_expect_status(&r, status);
    } else { /* either: whether something else is overdue is not the point */
        assert_true(r.status == 0 || r.status == 1);
    }
    j = th_parse_json(r.out);
    th_result_free(&r);
    /* The shape every consumer relies on. */
    assert_true(json_is_string(json_object_get(j, "date")));
    assert_true(json_is_integer(json_object_get(j, "within")));
    assert_true(json_is_string(json_object_get(j, "until")));
    assert_true(json_is_integer(json_object_get(j, "overdue")));
    assert_true(json_is_integer(json_object_get(j, "due")));
    assert_true(json_is_array(json_object_get(j, "items")));
    assert_int_equal(json_integer_value(json_object_get(j, "overdue")) +
                         json_integer_value(json_object_get(j, "due")),
                     json_array_size(json_object_get(j, "items")));
    return j;
}

/* How many items of kind (and of party name, when not NULL) the document lists; the last one
 * found in *found (may be NULL). */
static size_t
count(const json_t *doc, const char *kind, const char *party, const json_t **found)
{
    const json_t *items = json_object_get(doc, "items");
    size_t n = 0;

    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *it = json_array_get(items, i);
        const json_t *p = json_object_get(it, "party");

        assert_true(json_is_string(json_object_get(it, "state")));
        assert_true(json_is_integer(json_object_get(it, "days")));
        assert_int_equal(strlen(json_string_value(json_object_get(it, "record"))), 64);
        if (strcmp(json_string_value(json_object_get(it, "kind")), kind) != 0 ||
            (party != NULL &&
             (!json_is_string(json_object_get(p, "name")) ||
              strcmp(json_string_value(json_object_get(p, "name")), party) != 0))) {
            continue;
        }
        n++;
        if (found != NULL) {
            *found = it;
        }
    }
    return n;
}

/* count() of the items about request `record` only. */
static size_t
count_for(const json_t *doc, const char *kind, const char *party, const char *record)
{
    json_t *only = json_pack("{s:[]}", "items");
    const json_t *items = json_object_get(doc, "items");
    size_t n;

    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        if (strcmp(json_string_value(json_object_get(it, "record")), record) == 0) {
            json_array_append(json_object_get(only, "items"), it);
        }
    }
    n = count(only, kind, party, NULL);
    json_decref(only);
    return n;
}

static const char *
str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    assert_non_null(s);
    return s;
}

/* The buyer asks both suppliers with a due date ten days ago (given once for the cases). */
static void
given_overdue_request(void)
{
    char due[16];

    if (!th_given(&fx.asked, "the overdue request")) {
        return;
    }
    th_ticsx_id(fx.req, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                S1 "," S2, "--due", day_from_now(due, -10), NULL);
    th_given_made(&fx.asked);
}

static void
test_buyer_sees_overdue(void **state)
{
    const json_t *it = NULL;
    th_result r;
    json_t *j;
    (void)state;

    given_overdue_request();
    j = due_json(fx.buyer, NULL, 1, NULL, NULL);
    assert_int_equal(count(j, "awaiting", NULL, NULL), 2);
    json_decref(j);
    /* --fetch brings the suppliers' profiles: their names. */
    j = due_json(fx.buyer, NULL, 1, "--fetch", NULL);
    assert_int_equal(count(j, "awaiting", S2, &it), 1);
    assert_string_equal(str(it, "state"), "overdue");
    assert_string_equal(str(it, "record"), fx.req);
    assert_int_equal(json_integer_value(json_object_get(it, "tier")), 1);
    /* days: from the day `due` ran to the item's date (10 days late, however late the hour). */
    assert_int_equal(json_integer_value(json_object_get(it, "days")),
                     (day_of(str(it, "date")) - day_of(str(j, "date"))) / DAY);
    assert_true(json_integer_value(json_object_get(it, "days")) <= -10);
    assert_int_equal(json_integer_value(json_object_get(j, "overdue")), 2);
    json_decref(j);
    /* The table says the same, and so does the exit status. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "due", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "2 overdue");
    th_expect_text(r.out, S2);
    th_result_free(&r);
    /* -q: the record of each item, one per line (here the request, once per supplier). */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "due", "-q", NULL);
    th_expect_status(&r, 1);
    {
        char want[2 * 65 + 1];
        snprintf(want, sizeof want, "%s\n%s\n", fx.req, fx.req);
        assert_string_equal(r.out, want);
    }
    th_result_free(&r);
    /* --fetch from a hub that does not answer: exit 3 (without --fetch no hub is asked). */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "due", "--fetch", "--hub", "tcp://127.0.0.1:9", "--timeout",
             "300", NULL);
    th_expect_status(&r, 3);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "due", "--hub", "tcp://127.0.0.1:9", NULL);
    th_expect_status(&r, 1);
    th_result_free(&r);
    /* A bad window is a usage error. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "due", "--within", "-1", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "--within");
    th_result_free(&r);
}

static void
test_supplier_answers(void **state)
{
    char until[16], path[PATH_MAX], at[32];
    const json_t *it = NULL;
    th_result r;
    json_t *j;
    (void)state;

    given_overdue_request();
    /* Nothing is in the supplier's cache before it fetches: due works offline. */
    j = due_json(fx.s2, NULL, 0, NULL, NULL);
    assert_int_equal(count(j, "answer", NULL, NULL), 0);
    json_decref(j);
    /* The inbox keeps what it listed: due then knows the request, still offline. */
    th_ticsx_expect(0, &fx.w.hub, fx.s2, "inbox", NULL);
    j = due_json(fx.s2, NULL, 1, NULL, NULL);
    assert_int_equal(count_for(j, "answer", NULL, fx.req), 1);
    json_decref(j);
    j = due_json(fx.s2, NULL, 1, "--fetch", NULL);
    assert_int_equal(count(j, "answer", BUYER, &it), 1);
    assert_string_equal(str(it, "record"), fx.req);
    assert_string_equal(str(it, "state"), "overdue");
    assert_memory_equal(str(it, "subject"), "tics-selfcheck v", 16);
    json_decref(j);

    /* Supplier 1 fetches (its certificate comes with the trust records) and answers, valid for
     * 20 more days. */
    j = due_json(fx.s1, NULL, 1, "--fetch", NULL);
    assert_int_equal(count(j, "answer", BUYER, NULL), 1);
    json_decref(j);
    snprintf(path, sizeof path, "%s/s1.json", fx.w.root);
    th_ticsx_expect(0, &fx.w.hub, fx.s1, "questionnaire", "template", fx.req, "--format", "json",
                    "--out", path, NULL);
    th_ticsx(&r, &fx.w.hub, fx.s1, "answer", fx.req, "--file", path, "--allow-missing",
             "--valid-until", day_from_now(until, 20), NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    j = due_json(fx.s1, NULL, 0, NULL, NULL);
    assert_int_equal(count(j, "answer", NULL, NULL), 0);
    assert_int_equal(count(j, "assessment", NULL, &it), 1);
    assert_string_equal(str(it, "state"), "due");
    assert_string_equal(str(it, "date"), until);
    assert_int_equal(count(j, "certificate_report", S1, &it), 1);
    assert_string_equal(str(it, "subject"), CERT_NO);
    json_decref(j);
    /* A window shorter than what is coming shows none of it. */
    j = due_json(fx.s1, NULL, 0, "--within", "5");
    assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
    json_decref(j);
    /* A month on, the assessment has expired and the report is late: overdue, exit 1. */
    j = due_json(fx.s1, at_from_now(at, 30), 1, NULL, NULL);
    assert_int_equal(count(j, "assessment", NULL, &it), 1);
    assert_string_equal(str(it, "state"), "overdue");
    assert_int_equal(count(j, "certificate_report", NULL, &it), 1);
    assert_string_equal(str(it, "state"), "overdue");
    json_decref(j);

    /* The buyer fetches: supplier 1 is no longer awaited; its assessment ends in 20 days. */
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    j = due_json(fx.buyer, NULL, 1, NULL, NULL);
    assert_int_equal(count(j, "awaiting", S1, NULL), 0);
    assert_int_equal(count(j, "awaiting", S2, NULL), 1);
    assert_int_equal(count(j, "supplier_assessment", S1, &it), 1);
    assert_string_equal(str(it, "date"), until);
    assert_int_equal(count(j, "certificate_report", S1, NULL), 1);
    json_decref(j);
    /* The response rate of the request: one of two. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "requests", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    {
        const json_t *q = json_array_get(json_object_get(j, "requests"), 0);
        assert_string_equal(str(q, "id"), fx.req);
        assert_int_equal(json_integer_value(json_object_get(q, "answered")), 1);
        assert_int_equal(json_integer_value(json_object_get(q, "asked")), 2);
        assert_true(json_real_value(json_object_get(q, "response_rate")) == 0.5);
    }
    json_decref(j);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "requests", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "1/2 (50%)");
    th_result_free(&r);
}

/* Runs `campaign run --json` (dry when asked) at `now`; returns how many requests it sent or
 * would send. */
static size_t
campaign_run(const char *now, int dry)
{
    th_ticsx_opts o = {.hub = &fx.w.hub, .now = now};
    size_t n = 0;
    th_result r;
    json_t *j, *arr;

    th_ticsx_with(&r, &o, fx.buyer, "campaign", "run", "--json", dry ? "--dry-run" : NULL, NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    arr = json_object_get(j, "campaigns");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *c = json_array_get(arr, i);
        n += json_is_true(json_object_get(c, "sent")) ||
             (dry && json_is_null(json_object_get(c, "error")));
    }
    json_decref(j);
    th_result_free(&r);
    return n;
}

static void
test_campaign(void **state)
{
    char due[16], at[32], path[PATH_MAX + 32], first[65];
    struct stat st;
    th_result r;
    json_t *j, *c;
    (void)state;

    th_ticsx(&r, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to", S1,
             "--to", S2, "--due", day_from_now(due, 30), "--every", "12m", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_int_equal(json_integer_value(json_object_get(j, "campaign")), 1);
    snprintf(first, sizeof first, "%s", str(j, "request"));
    json_decref(j);
    th_result_free(&r);
    /* The file and its folder are private. */
    snprintf(path, sizeof path, "%s/campaigns", fx.buyer);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(path, sizeof path, "%s/campaigns/1.json", fx.buyer);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    /* Before the year is over nothing is due. */
    assert_int_equal(campaign_run(NULL, 0), 0);
    /* 13 months on: a dry run says one, sends none; the run sends one; a second run none. */
    at_from_now(at, 400);
    assert_int_equal(campaign_run(at, 1), 1);
    assert_int_equal(campaign_run(at, 1), 1);
    assert_int_equal(campaign_run(at, 0), 1);
    assert_int_equal(campaign_run(at, 0), 0);

    /* Requests due past the window are left out of `due` (and do not upset it). */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "due", "--within", "0", NULL);
    assert_true(r.status == 0 || r.status == 1);
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.buyer, "campaign", "show", "1", "--json", NULL);
    th_expect_status(&r, 0);
    c = th_parse_json(r.out);
    assert_int_equal(json_array_size(json_object_get(c, "requests")), 2);
    assert_string_equal(str(json_array_get(json_object_get(c, "requests"), 0), "id"), first);
    assert_int_equal(json_integer_value(json_object_get(c, "asked")), 4);
    assert_int_equal(json_integer_value(json_object_get(c, "answered")), 0);
    assert_string_equal(str(c, "every"), "12m");
    /* Then, only the newer request is awaited: it replaces last year's for both suppliers. */
    {
        char second[65];
        json_t *d;

        snprintf(second, sizeof second, "%s",
                 str(json_array_get(json_object_get(c, "requests"), 1), "id"));
        d = due_json(fx.buyer, at, -1, NULL, NULL);
        assert_int_equal(count_for(d, "awaiting", NULL, first), 0);
        assert_int_equal(count_for(d, "awaiting", NULL, second), 2);
        json_decref(d);
        /* A supplier sees the newer one only, too. */
        d = due_json(fx.s2, at, -1, "--fetch", NULL);
        assert_int_equal(count_for(d, "answer", NULL, first), 0);
        assert_int_equal(count_for(d, "answer", NULL, second), 1);
        json_decref(d);
    }
    assert_int_equal(json_integer_value(json_object_get(c, "due_days")), 30);
    json_decref(c);
    th_result_free(&r);

    /* Stopped, it sends nothing even when due again. */
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "campaign", "stop", "1", NULL);
    assert_int_equal(campaign_run(at_from_now(at, 800), 0), 0);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "campaign", "list", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "2 sent, 0/4 answered");
    th_result_free(&r);
    /* A hub that does not answer: exit 3, and the campaign stays due (nothing recorded). */
    th_ticsx_id(first, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                S1, "--every", "1y", NULL);
    {
        th_ticsx_opts o = {.hub = &fx.w.hub, .now = at_from_now(at, 400)};

        th_ticsx_with(&r, &o, fx.buyer, "campaign", "run", "--hub", "tcp://127.0.0.1:9",
                      "--timeout", "300", NULL);
        th_expect_status(&r, 3);
        th_result_free(&r);
        assert_int_equal(campaign_run(at, 0), 1);
    }
    th_ticsx(&r, &fx.w.hub, fx.buyer, "campaign", "show", "7", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "no campaign 7");
    th_result_free(&r);
}

/* A damaged campaign file is refused with its name, not half read. */
static void
test_campaign_file_damaged(void **state)
{
    char path[PATH_MAX + 32];
    th_result r;
    (void)state;

    snprintf(path, sizeof path, "%s/campaigns", fx.s2);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/campaigns/3.json", fx.s2);
    th_write_file(path, "{\"version\":1,\"number\":3,\"questionnaire\":\"q\",\"to\":[\"x\"],"
                        "\"depth\":99,\"note\":null,\"every\":\"12m\",\"due_days\":null,"
                        "\"started\":1,\"next\":2,\"stopped\":false,\"requests\":[]}");
    assert_int_equal(chmod(path, 0600), 0);
    th_ticsx(&r, &fx.w.hub, fx.s2, "campaign", "run", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "3.json");
    th_expect_text(r.err, "depth");
    th_result_free(&r);
}

/* A request for two tiers: the tier-2 that supplier 1 lists is awaited at tier 2 by the same
 * date until it shares an answer with the buyer. */
static void
test_tier_two(void **state)
{
    char req[65], fwd[65], due[16], path[PATH_MAX + 32];
    const json_t *it = NULL;
    json_t *j;
    (void)state;

    th_ticsx_id(req, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                S1, "--depth", "2", "--due", day_from_now(due, -5), NULL);
    snprintf(path, sizeof path, "%s/s1-tiers.json", fx.w.root);
    th_answers_file(
        &fx.w.hub, fx.s1, req, "yes",
        json_pack("[{s:s,s:s,s:s}]", "name", "Okazaki", "supplies", "plating", "key", T2), path);
    th_ticsx_expect(0, &fx.w.hub, fx.s1, "answer", req, "--file", path, NULL);
    j = due_json(fx.buyer, NULL, 1, "--fetch", NULL);
    assert_int_equal(count_for(j, "awaiting", S1, req), 0);
    assert_int_equal(count(j, "awaiting", T2, &it), 1);
    assert_string_equal(str(it, "record"), req);
    assert_string_equal(str(it, "state"), "overdue");
    assert_int_equal(json_integer_value(json_object_get(it, "tier")), 2);
    json_decref(j);

    /* Tier 2 answers the forwarded request and grants the buyer too: no longer awaited. */
    th_ticsx_id(fwd, &fx.w.hub, fx.s1, "forward", req, NULL);
    /* The tier-1 awaits its own supplier's answer to what it forwarded, by the same date. */
    j = due_json(fx.s1, NULL, 1, NULL, NULL);
    assert_int_equal(count_for(j, "awaiting", NULL, fwd), 1);
    json_decref(j);
    snprintf(path, sizeof path, "%s/t2.json", fx.w.root);
    th_answers_file(&fx.w.hub, fx.t2, fwd, "yes", json_array(), path);
    th_ticsx_expect(0, &fx.w.hub, fx.t2, "answer", fwd, "--file", path, "--also-grant-origin",
                    NULL);
    j = due_json(fx.buyer, NULL, -1, "--fetch", NULL);
    assert_int_equal(count(j, "awaiting", T2, NULL), 0);
    json_decref(j);
    j = due_json(fx.s1, NULL, -1, "--fetch", NULL);
    assert_int_equal(count_for(j, "awaiting", NULL, fwd), 0);
    json_decref(j);
}

/* A campaign file others can write could send this organisation's requests anywhere: refused,
 * with the chmod to run; nothing is sent. */
static void
test_campaign_file_open_to_others(void **state)
{
    char path[PATH_MAX + 32];
    th_result r;
    (void)state;

    snprintf(path, sizeof path, "%s/campaigns", fx.t2);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/campaigns/1.json", fx.t2);
    th_write_file(path, "{\"version\":1,\"number\":1,\"questionnaire\":\"tics-selfcheck\","
                        "\"to\":[\"" S2 "\"],\"depth\":1,\"note\":null,\"every\":\"12m\","
                        "\"due_days\":null,\"started\":1,\"next\":2,\"stopped\":false,"
                        "\"requests\":[]}");
    assert_int_equal(chmod(path, 0666), 0);
    th_ticsx(&r, &fx.w.hub, fx.t2, "campaign", "run", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "chmod 600");
    th_result_free(&r);
    /* Private again, it is due (next is long past) and sends one request. */
    assert_int_equal(chmod(path, 0600), 0);
    th_ticsx(&r, &fx.w.hub, fx.t2, "campaign", "run", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "campaign 1: request ");
    th_result_free(&r);
}

/* A renewed certificate's deadlines are its successor's: the old one's periodic report no
 * longer shows; the new one's, a year on, does. */
static void
test_certificate_renewed(void **state)
{
    char issued[16];
    const json_t *it = NULL;
    json_t *j;
    (void)state;

    th_ticsx_expect(0, &fx.w.hub, fx.body, "cert", "issue", "--holder", S1, "--number",
                    "TICS-DUE-2", "--scope", "設計・製造部門", "--sector", "manufacturing",
                    "--criteria", "2024", "--issued", day_from_now(issued, -10), "--renews",
                    CERT_NO, NULL);
    j = due_json(fx.s1, NULL, 0, "--fetch", "--within=30");
    assert_int_equal(count(j, "certificate_report", S1, NULL), 0);
    json_decref(j);
    j = due_json(fx.s1, NULL, 0, "--within", "400");
    assert_int_equal(count(j, "certificate_report", S1, &it), 1);
    assert_string_equal(str(it, "subject"), "TICS-DUE-2");
    json_decref(j);
    /* The buyer holds assessments referencing the old one: it follows the line too. */
    j = due_json(fx.buyer, NULL, -1, "--fetch", "--within=400");
    assert_int_equal(count(j, "certificate_report", S1, &it), 1);
    assert_string_equal(str(it, "subject"), "TICS-DUE-2");
    json_decref(j);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buyer_sees_overdue),
        cmocka_unit_test(test_supplier_answers),
        cmocka_unit_test(test_campaign),
        cmocka_unit_test(test_campaign_file_damaged),
        cmocka_unit_test(test_tier_two),
        cmocka_unit_test(test_campaign_file_open_to_others),
        cmocka_unit_test(test_certificate_renewed),
    };

    th_require_hub_bin();
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* ticsx history through the real binaries: a real ticsx-hub (LMDB, CURVE, ZAP) on
 * tcp://127.0.0.1:* and ticsx as subprocesses. A buyer asks a supplier for two tiers; the
 * supplier answers, supersedes its answer, forwards the request to its own supplier (whose name
 * looks like a spreadsheet formula), which answers and grants the buyer too; the supplier then
 * revokes the buyer's grant, and its certification body records a periodic report. After one
 * fetch the buyer's history names each step, its actor and its log index (equal to the proof
 * marker the fetch wrote), newest first; an assessment's version line and an organisation
 * narrow it; a record whose proof marker is gone is left out and counted; the CSV neutralises
 * the formula-like name. */
#include "harness.h"
#include "tx_util.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define BUYER "Example Motors KK"
#define S1 "Tanaka Seiko KK"
#define T2 "=HYPERLINK(\"x\") Plating KK"
#define BODY "Japan Cert Body KK"
#define CERT_NO "TICS-HIST-1"

typedef struct {
    th_world w;
    char buyer[PATH_MAX], s1[PATH_MAX], t2[PATH_MAX], meti[PATH_MAX], body[PATH_MAX];
    char req[65], fwd[65], a1[65], a2[65], a3[65], cert[65];
    int made; /* th_given step of the exchange */
} fixture;

static fixture fx;

static int
setup(void **state)
{
    (void)state;
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, NULL);
    th_world_party(&fx.w, fx.s1, "s1", S1, "3700000000001");
    th_world_party(&fx.w, fx.t2, "t2", T2, NULL);
    th_world_party(&fx.w, fx.meti, "meti", "METI", NULL);
    th_world_party(&fx.w, fx.body, "body", BODY, NULL);
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

/* `ticsx history ARGS... --json` in home, expected to exit 0; stderr into err (size n, may be
 * NULL). Caller decrefs. */
static json_t *
history_of(const char *home, char *err, size_t n, const char *a1, const char *a2)
{
    th_result r;
    json_t *j;

    th_ticsx(&r, &fx.w.hub, home, "history", "--json", a1, a2, NULL);
    th_expect_status(&r, 0);
    if (err != NULL) {
        snprintf(err, n, "%s", r.err);
    }
    j = th_parse_json(r.out);
    th_result_free(&r);
    assert_true(json_is_array(json_object_get(j, "events")));
    return j;
}

/* The same in the buyer's home. */
static json_t *
history(char *err, size_t n, const char *a1, const char *a2)
{
    return history_of(fx.buyer, err, n, a1, a2);
}

static const char *
str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s != NULL ? s : "";
}

/* The position of the first event of kind whose record (or, when about is set, assessment or
 * certificate) is `id`; -1 when none. */
static long
find(const json_t *doc, const char *kind, const char *id)
{
    const json_t *ev = json_object_get(doc, "events");

    for (size_t i = 0; i < json_array_size(ev); i++) {
        const json_t *e = json_array_get(ev, i);
        if (strcmp(str(e, "kind"), kind) == 0 && (id == NULL || strcmp(str(e, "record"), id) == 0 ||
                                                  strcmp(str(e, "assessment"), id) == 0)) {
            return (long)i;
        }
    }
    return -1;
}

static const json_t *
at(const json_t *doc, long i)
{
    assert_true(i >= 0);
    return json_array_get(json_object_get(doc, "events"), (size_t)i);
}

static void
given_exchange(void)
{
    char path[PATH_MAX + 32];
    json_t *j;

    if (!th_given(&fx.made, "the exchange")) {
        return;
    }
    th_world_certify(&fx.w, fx.meti, fx.buyer, fx.body, BODY, S1, CERT_NO, "2025-01-10");
    th_ticsx_id(fx.req, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                S1, "--depth", "2", NULL);
    snprintf(path, sizeof path, "%s/s1.json", fx.w.root);
    th_answers_file(&fx.w.hub, fx.s1, fx.req, "yes", NULL, path);
    th_ticsx_id(fx.a1, &fx.w.hub, fx.s1, "answer", fx.req, "--file", path, NULL);
    th_ticsx_id(fx.a2, &fx.w.hub, fx.s1, "answer", fx.req, "--file", path, "--supersedes", fx.a1,
                NULL);
    th_ticsx_id(fx.fwd, &fx.w.hub, fx.s1, "forward", fx.req, "--to", T2, NULL);
    snprintf(path, sizeof path, "%s/t2.json", fx.w.root);
    th_answers_file(&fx.w.hub, fx.t2, fx.fwd, "yes", json_array(), path);
    th_ticsx_id(fx.a3, &fx.w.hub, fx.t2, "answer", fx.fwd, "--file", path, "--also-grant-origin",
                NULL);
    /* Fetched before the revocation: the hub serves a revoked grantee no more. */
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.s1, "revoke", fx.a2, "--from", BUYER, NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.s1, "fetch", NULL);
    /* The certificate's id, from the history itself. */
    j = history(NULL, 0, NULL, NULL);
    snprintf(fx.cert, sizeof fx.cert, "%s", str(at(j, find(j, "certified", NULL)), "record"));
    json_decref(j);
    th_ticsx_expect(0, &fx.w.hub, fx.body, "cert", "report", fx.cert, "--note", "2025 report",
                    NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    th_given_made(&fx.made);
}

/* The log index the buyer's proof marker of `record` names. */
static long long
proof_index(const char *record)
{
    uint8_t *text = NULL;
    size_t len = 0;
    long long index;

    assert_true(th_cache_get(fx.buyer, "proofs", record, &text, &len));
    index = atoll((const char *)text);
    free(text);
    return index;
}

static void
expect_actor(const json_t *e, const char *name, const char *subject)
{
    const json_t *actor = json_object_get(e, "actor");

    assert_string_equal(str(actor, "name"), name);
    assert_true(strncmp(str(actor, "fingerprint"), "SHA256:", 7) == 0);
    assert_true(json_is_null(json_object_get(actor, "member")));
    if (subject != NULL) {
        assert_string_equal(str(json_object_get(e, "subject"), "name"), subject);
    }
}

/* Every step, its actor, its log index as proven, newest first. */
static void
test_everything(void **state)
{
    json_t *j;
    const json_t *ev;
    (void)state;

    given_exchange();
    j = history(NULL, 0, NULL, NULL);
    expect_actor(at(j, find(j, "requested", fx.req)), BUYER, S1);
    expect_actor(at(j, find(j, "answered", fx.a1)), S1, NULL);
    expect_actor(at(j, find(j, "answered", fx.a2)), S1, NULL);
    expect_actor(at(j, find(j, "superseded", fx.a1)), S1, NULL);
    assert_string_equal(str(at(j, find(j, "superseded", fx.a1)), "record"), fx.a2);
    assert_true(strncmp(str(at(j, find(j, "superseded", fx.a1)), "detail"), fx.a1, 16) == 0);
    expect_actor(at(j, find(j, "granted", fx.a1)), S1, BUYER);
    expect_actor(at(j, find(j, "granted", fx.a2)), S1, BUYER);
    expect_actor(at(j, find(j, "revoked", fx.a2)), S1, BUYER);
    expect_actor(at(j, find(j, "answered", fx.a3)), T2, NULL);
    expect_actor(at(j, find(j, "granted", fx.a3)), T2, BUYER);
    expect_actor(at(j, find(j, "certified", fx.cert)), BODY, S1);
    expect_actor(at(j, find(j, "certificate_report", NULL)), BODY, S1);
    assert_string_equal(str(at(j, find(j, "certificate_report", NULL)), "certificate"), fx.cert);
    assert_string_equal(str(at(j, find(j, "certificate_report", NULL)), "detail"), "2025 report");
    /* Newer steps first: the revocation before the grant it withdraws, the periodic report
     * before everything. */
    assert_true(find(j, "revoked", fx.a2) < find(j, "granted", fx.a2));
    assert_true(find(j, "granted", fx.a2) < find(j, "granted", fx.a1));
    assert_int_equal(find(j, "certificate_report", NULL), 0);
    ev = json_object_get(j, "events");
    for (size_t i = 0; i < json_array_size(ev); i++) {
        const json_t *e = json_array_get(ev, i);
        long long index = json_integer_value(json_object_get(e, "log_index"));
        assert_int_equal(index, proof_index(str(e, "record")));
        if (i > 0) {
            const json_t *p = json_array_get(ev, i - 1);
            int c = strcmp(str(p, "at"), str(e, "at"));
            assert_true(c > 0 ||
                        (c == 0 && json_integer_value(json_object_get(p, "log_index")) >= index));
        }
    }
    assert_int_equal(json_integer_value(json_object_get(j, "left_out")), 0);
    /* The forwarded request is the supplier's and its own supplier's: the buyer may not read
     * it. The supplier sees it, proven by the grant that answers it. */
    assert_int_equal(find(j, "forwarded", NULL), -1);
    json_decref(j);
    j = history_of(fx.s1, NULL, 0, T2, NULL);
    expect_actor(at(j, find(j, "forwarded", fx.fwd)), S1, T2);
    expect_actor(at(j, find(j, "granted", fx.a3)), T2, S1);
    json_decref(j);
}

/* An assessment's version line; an organisation's records. */
static void
test_narrowed(void **state)
{
    char prefix[17];
    json_t *j;
    (void)state;

    given_exchange();
    snprintf(prefix, sizeof prefix, "%.16s", fx.a1);
    j = history(NULL, 0, prefix, NULL);
    assert_true(find(j, "answered", fx.a2) >= 0); /* the newer version of the line */
    assert_true(find(j, "superseded", fx.a1) >= 0);
    assert_true(find(j, "revoked", fx.a2) >= 0);
    assert_true(find(j, "requested", fx.req) >= 0); /* what the grants answer */
    assert_int_equal(find(j, "answered", fx.a3), -1);
    assert_int_equal(find(j, "forwarded", NULL), -1);
    assert_int_equal(find(j, "certified", NULL), -1);
    json_decref(j);

    j = history(NULL, 0, T2, NULL);
    assert_true(find(j, "answered", fx.a3) >= 0); /* signed by it */
    assert_true(find(j, "granted", fx.a3) >= 0);
    assert_int_equal(find(j, "requested", NULL), -1);
    assert_int_equal(find(j, "answered", fx.a1), -1);
    json_decref(j);
}

/* A record without its proof marker is not shown, and counted on stderr and in the JSON. */
static void
test_unproven_left_out(void **state)
{
    char err[4096], revoke[65];
    uint8_t *marker = NULL;
    size_t marker_len = 0;
    json_t *j;
    (void)state;

    given_exchange();
    j = history(NULL, 0, NULL, NULL);
    snprintf(revoke, sizeof revoke, "%s", str(at(j, find(j, "revoked", fx.a2)), "record"));
    json_decref(j);
    assert_true(th_cache_get(fx.buyer, "proofs", revoke, &marker, &marker_len));
    assert_true(th_cache_del(fx.buyer, "proofs", revoke));
    j = history(err, sizeof err, NULL, NULL);
    assert_int_equal(find(j, "revoked", revoke), -1);
    assert_true(find(j, "granted", fx.a2) >= 0);
    assert_int_equal(json_integer_value(json_object_get(j, "left_out")), 1);
    th_expect_text(err, "records left out, not proven in the hub's log: 1");
    json_decref(j);
    th_cache_set(fx.buyer, "proofs", revoke, marker, marker_len);
    free(marker);
}

/* A cached record whose bytes were altered (one bit of its signature flipped, its name kept)
 * does not verify and is not shown. */
static void
test_altered_record_not_shown(void **state)
{
    char grant[65];
    uint8_t *bytes = NULL;
    size_t len = 0;
    json_t *j;
    (void)state;

    given_exchange();
    j = history(NULL, 0, NULL, NULL);
    snprintf(grant, sizeof grant, "%s", str(at(j, find(j, "granted", fx.a3)), "record"));
    json_decref(j);
    assert_true(th_cache_get(fx.buyer, "records", grant, &bytes, &len));
    bytes[len - 1] ^= 1;
    th_cache_set(fx.buyer, "records", grant, bytes, len);
    j = history(NULL, 0, NULL, NULL);
    assert_int_equal(find(j, "granted", fx.a3), -1);
    assert_true(find(j, "answered", fx.a3) >= 0);
    json_decref(j);
    bytes[len - 1] ^= 1;
    th_cache_set(fx.buyer, "records", grant, bytes, len);
    free(bytes);
}

/* The CSV: a BOM, every field quoted, the formula-like name defused; the table in Japanese. */
static void
test_csv_and_table(void **state)
{
    char path[PATH_MAX + 32];
    uint8_t *csv = NULL;
    size_t len = 0;
    th_result r;
    (void)state;

    given_exchange();
    snprintf(path, sizeof path, "%s/history.csv", fx.w.root);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "history", "--format", "csv", "--out", path, NULL);
    /* An existing file is kept unless --force. */
    th_ticsx_expect(2, &fx.w.hub, fx.buyer, "history", "--format", "csv", "--out", path, NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "history", "--format", "csv", "--out", path, "--force",
                    NULL);
    assert_int_equal(tx_file_read(path, 1 << 20, &csv, &len), 0);
    csv = realloc(csv, len + 1);
    csv[len] = 0;
    assert_memory_equal(csv, "\xEF\xBB\xBF\"", 4);
    th_expect_text((const char *)csv, "\"'=HYPERLINK(\"\"x\"\") Plating KK\"");
    assert_null(strstr((const char *)csv, "\"=HYPERLINK"));
    th_expect_text((const char *)csv, "\r\n");
    free(csv);

    th_ticsx(&r, &fx.w.hub, fx.buyer, "--lang", "ja", "history", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "依頼");
    th_expect_text(r.out, BUYER);
    th_result_free(&r);

    th_ticsx_expect(2, &fx.w.hub, fx.buyer, "history", "--format", "html", NULL);
    th_ticsx_expect(2, &fx.w.hub, fx.buyer, "history", "Nobody At All KK", NULL);
}

/* A certificate signed by an organisation no pinned accreditor accredits is shown as what it
 * is: signed by that organisation, and not counting. */
static void
test_unaccredited_certificate(void **state)
{
    json_t *j;
    const json_t *e;
    long i;
    (void)state;

    given_exchange();
    th_ticsx_expect(0, &fx.w.hub, fx.t2, "cert", "issue", "--holder", S1, "--number", "FAKE-1",
                    "--scope", "all", "--sector", "manufacturing", "--criteria", "2024", "--issued",
                    "2025-02-01", NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    j = history(NULL, 0, NULL, NULL);
    i = find(j, "certified", NULL);
    assert_true(i >= 0);
    e = at(j, i);
    assert_string_equal(str(json_object_get(e, "actor"), "name"), T2);
    th_expect_text(str(e, "detail"), "FAKE-1 (does not count: Not accredited)");
    /* The body's certificate counts: nothing added to its number. */
    assert_string_equal(str(at(j, find(j, "certified", fx.cert)), "detail"), CERT_NO);
    json_decref(j);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_everything),
        cmocka_unit_test(test_narrowed),
        cmocka_unit_test(test_unproven_left_out),
        cmocka_unit_test(test_altered_record_not_shown),
        cmocka_unit_test(test_unaccredited_certificate),
        cmocka_unit_test(test_csv_and_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

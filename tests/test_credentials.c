/* Declared credentials end to end through the real ticsx and ticsx-hub binaries: a supplier
 * declares TICS, ISMS, TISAX, Privacy Mark and audit credentials in its home (add refuses what
 * a buyer would judge invalid), answers with them and their documents, and the buyer's verify
 * judges each one (declared, expired, stale, invalid criteria, not accredited, applied, under
 * audit, holder mismatch, evidence) from what it fetched. Hand-edited credential files stand
 * for a supplier that bypasses the checks of `add`. Dates are relative to the clock. */
#include "harness.h"
#include "tx_util.h"

#include <dirent.h>
#include <jansson.h>
#include <setjmp.h>
#include <sodium.h>
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
#define SUP "Acme Parts KK"
#define SUP_CORP "3700000000001"
#define GOOD "Good Castings KK"
#define BODY "一般財団法人 日本品質保証機構"
#define ASSOC "Automotive Parts Association"
#define SHADY "Shady Parts KK"

typedef struct {
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], good[PATH_MAX], assoc[PATH_MAX], shady[PATH_MAX];
    char meti[PATH_MAX], body[PATH_MAX];
    char pdf[PATH_MAX], png[PATH_MAX], jpg[PATH_MAX], txt[PATH_MAX];
    char a_sup[65], a_good[65];
    int answered;
    json_t *creds; /* the supplier's verdict's "credentials" */
} fixture;

static fixture fx;

/* The date `days` days before today (negative: after), YYYY-MM-DD, in one of 16 buffers. */
static const char *
ago(int days)
{
    static char buf[16][16];
    static int k;
    char *b = buf[k++ % 16];

    tx_format_date(b, 16, (int64_t)time(NULL) - (int64_t)days * 86400);
    return b;
}

static void
write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
}

static int
setup(void **state)
{
    (void)state;
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, "7123456789012");
    th_world_party(&fx.w, fx.sup, "sup", SUP, SUP_CORP);
    th_world_party(&fx.w, fx.good, "good", GOOD, NULL);
    th_world_party(&fx.w, fx.assoc, "assoc", ASSOC, NULL);
    th_world_party(&fx.w, fx.shady, "shady", SHADY, NULL);
    th_world_party(&fx.w, fx.meti, "meti", "METI Accreditation", NULL);
    th_world_party(&fx.w, fx.body, "body", "Signed Body KK", NULL);
    th_world_start(&fx.w);
    snprintf(fx.pdf, sizeof fx.pdf, "%s/cert.pdf", fx.w.root);
    snprintf(fx.png, sizeof fx.png, "%s/isms.png", fx.w.root);
    snprintf(fx.jpg, sizeof fx.jpg, "%s/tisax.jpg", fx.w.root);
    snprintf(fx.txt, sizeof fx.txt, "%s/cert.txt", fx.w.root);
    th_write_file(fx.pdf, "%PDF-1.7\n% the certificate of TICS-0001\n%%EOF\n");
    write_bytes(fx.png, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    write_bytes(fx.jpg, "\xff\xd8\xff\xe0\0\x10JFIF", 10);
    th_write_file(fx.txt, "not a certificate\n");
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    json_decref(fx.creds);
    th_world_end(&fx.w);
    return 0;
}

/* ---- the supplier's side: add refuses what a buyer would judge invalid ---- */

static void
test_add_refuses_invalid(void **state)
{
    th_result r;
    (void)state;

    /* 2024 criteria before 2024-08-16. */
    th_ticsx(&r, NULL, fx.sup, "credential", "add", "--scheme", "tics", "--number", "X-1", "--body",
             BODY, "--criteria", "2024", "--issued", "2024-03-01", "--expires", "2027-02-28",
             "--document", fx.pdf, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "2024-08-16");
    th_result_free(&r);
    /* A body not in the accredited bodies register: the message names the choices. */
    th_ticsx(&r, NULL, fx.sup, "credential", "add", "--scheme", "tics", "--number", "X-2", "--body",
             "Fake Certification KK", "--criteria", "2024", "--issued", ago(100), "--expires",
             ago(-900), NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "not an accredited TICS certification body");
    th_expect_text(r.err, "日本品質保証機構");
    th_result_free(&r);
    /* Longer than three years. */
    th_ticsx(&r, NULL, fx.sup, "credential", "add", "--scheme", "tics", "--number", "X-3", "--body",
             BODY, "--criteria", "2024", "--issued", ago(100), "--expires", ago(-1100), NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "3 years");
    th_result_free(&r);
    /* A document that is not a PDF or an image, by its bytes. */
    th_ticsx(&r, NULL, fx.sup, "credential", "add", "--scheme", "pmark", "--number", "1082",
             "--document", fx.txt, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "not a PDF, PNG or JPEG");
    th_result_free(&r);
    /* Each scheme's fields. */
    th_ticsx(&r, NULL, fx.sup, "credential", "add", "--scheme", "isms", "--number", "IS 1",
             "--body", "BSI", "--expires", ago(-100), NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "ISO/IEC 27001:2022");
    th_result_free(&r);
    th_ticsx(&r, NULL, fx.sup, "credential", "add", "--scheme", "tics", "--state", "applied",
             "--body", BODY, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "--expected");
    th_result_free(&r);
    th_ticsx(&r, NULL, fx.sup, "credential", "add", "--scheme", "iso9001", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "tics, isms, tisax, pmark, audit");
    th_result_free(&r);
    /* Nothing was stored. */
    th_ticsx(&r, NULL, fx.sup, "--json", "credential", "list", NULL);
    th_expect_status(&r, 0);
    json_t *j = th_parse_json(r.out);
    assert_int_equal(json_array_size(json_object_get(j, "credentials")), 0);
    json_decref(j);
    th_result_free(&r);
}

/* A credential file written by hand, as a supplier bypassing `add` would. */
static void
forge(const char *id, const char *json)
{
    char path[PATH_MAX * 2];

    snprintf(path, sizeof path, "%s/credentials/%s.json", fx.sup, id);
    th_write_file(path, json);
    chmod(path, 0600);
}

static void
declare_all(void)
{
    char json[2048];

    th_ticsx_expect(0, NULL, fx.sup, "credential", "add", "--scheme", "tics", "--number",
                    "TICS-0001", "--body", BODY, "--criteria", "2024", "--issued", ago(200),
                    "--expires", ago(-800), "--scope", "設計・製造部門", "--document", fx.pdf,
                    NULL);
    th_ticsx_expect(0, NULL, fx.sup, "credential", "add", "--scheme", "tics", "--number",
                    "TICS-OLD", "--body", BODY, "--criteria", "2018", "--issued", ago(1250),
                    "--expires", ago(200), "--last-report", ago(300), "--document", fx.pdf, NULL);
    th_ticsx_expect(0, NULL, fx.sup, "credential", "add", "--scheme", "tics", "--number",
                    "TICS-STALE", "--body", BODY, "--criteria", "2024", "--issued", ago(500),
                    "--expires", ago(-500), "--document", fx.pdf, NULL);
    th_ticsx_expect(0, NULL, fx.sup, "credential", "add", "--scheme", "tics", "--state", "applied",
                    "--body", BODY, "--expected", ago(-30), NULL);
    th_ticsx_expect(0, NULL, fx.sup, "credential", "add", "--scheme", "tics", "--state",
                    "under_audit", "--number", "APP-2", "--body", BODY, "--expected", ago(10),
                    NULL);
    th_ticsx_expect(0, NULL, fx.sup, "credential", "add", "--scheme", "tics", "--number",
                    "TICS-OTHER", "--body", BODY, "--criteria", "2024", "--issued", ago(100),
                    "--expires", ago(-900), "--holder", "Other Company KK", "--corporate-number",
                    "7123456789012", "--document", fx.pdf, NULL);
    th_ticsx_expect(0, NULL, fx.sup, "credential", "add", "--scheme", "isms", "--number",
                    "IS 123456", "--body", "BSI Group Japan", "--scope", "本社", "--standard",
                    "ISO/IEC 27001:2022", "--issued", ago(300), "--expires", ago(-700),
                    "--document", fx.png, NULL);
    th_ticsx_expect(0, NULL, fx.sup, "credential", "add", "--scheme", "isms", "--number", "IS 999",
                    "--body", "BSI Group Japan", "--scope", "本社", "--standard",
                    "ISO/IEC 27001:2013", "--issued", ago(1200), "--expires", ago(5), "--document",
                    fx.png, NULL);
    th_ticsx_expect(0, NULL, fx.sup, "credential", "add", "--scheme", "tisax", "--number",
                    "AB1234-01", "--standard", "AL3 Info high, Prototype", "--issued", ago(100),
                    "--expires", ago(-900), "--document", fx.jpg, NULL);
    th_ticsx_expect(0, NULL, fx.sup, "credential", "add", "--scheme", "pmark", "--number",
                    "10820001(05)", NULL);
    th_ticsx_expect(0, NULL, fx.sup, "credential", "add", "--scheme", "audit", "--body",
                    "Audit Firm LLC", "--issued", ago(30), "--scope", "全工場の情報管理",
                    "--number", "AR-2026-7", "--document", fx.pdf, NULL);
    /* Periodic report late by 15 days: stale without grace, report_due with 30 days. */
    th_ticsx_expect(0, NULL, fx.sup, "credential", "add", "--scheme", "tics", "--number",
                    "TICS-DUE", "--body", BODY, "--criteria", "2024", "--issued", ago(380),
                    "--expires", ago(-700), "--document", fx.pdf, NULL);
    /* Not in the register; in the register under another holder. */
    th_ticsx_expect(0, NULL, fx.sup, "credential", "add", "--scheme", "tics", "--number",
                    "TICS-NOTL", "--body", BODY, "--criteria", "2024", "--issued", ago(100),
                    "--expires", ago(-900), "--document", fx.pdf, NULL);
    th_ticsx_expect(0, NULL, fx.sup, "credential", "add", "--scheme", "tics", "--number",
                    "TICS-REG2", "--body", BODY, "--criteria", "2024", "--issued", ago(100),
                    "--expires", ago(-900), "--document", fx.pdf, NULL);
    /* What add refuses, written by hand. */
    snprintf(json, sizeof json,
             "{\"id\":\"X-CRIT\",\"scheme\":\"tics\",\"state\":\"certified\",\"number\":\"X-CRIT\","
             "\"body\":\"%s\",\"holder_name\":\"%s\",\"standard\":\"2024\","
             "\"issued\":\"2024-03-01\",\"expires\":\"2027-02-28\",\"last_report\":\"%s\"}",
             BODY, SUP, ago(20));
    forge("X-CRIT", json);
    snprintf(json, sizeof json,
             "{\"id\":\"X-FAKE\",\"scheme\":\"tics\",\"state\":\"certified\",\"number\":\"X-FAKE\","
             "\"body\":\"Fake Certification KK\",\"holder_name\":\"%s\",\"standard\":\"2024\","
             "\"issued\":\"%s\",\"expires\":\"%s\"}",
             SUP, ago(100), ago(-900));
    forge("X-FAKE", json);
}

/* Request, template, answer (with --credentials as given), fetch; the assessment id to aid. */
static void
answer(const char *home, const char *name, const char *which, const char *evidence, char aid[65],
       th_result *ans)
{
    static int n;
    char req[65], path[PATH_MAX * 2];
    json_t *j, *answers;

    th_ticsx_id(req, &fx.w.hub, fx.buyer, "-q", "request", "--questionnaire", "tics-selfcheck",
                "--to", name, NULL);
    snprintf(path, sizeof path, "%s/answers-%d.json", home, ++n);
    th_ticsx_expect(0, &fx.w.hub, home, "questionnaire", "template", req, "--format", "json",
                    "--out", path, NULL);
    j = json_load_file(path, 0, NULL);
    assert_non_null(j);
    answers = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(answers); i++) {
        json_object_set_new(json_array_get(answers, i), "answer", json_string("yes"));
    }
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    if (evidence != NULL) {
        th_ticsx(ans, &fx.w.hub, home, "answer", req, "--file", path, "--credentials", which,
                 "--evidence", evidence, NULL);
    } else if (which != NULL) {
        th_ticsx(ans, &fx.w.hub, home, "answer", req, "--file", path, "--credentials", which, NULL);
    } else {
        th_ticsx(ans, &fx.w.hub, home, "answer", req, "--file", path, NULL);
    }
    th_expect_status(ans, 0);
    assert_true(strlen(ans->out) >= 64);
    memcpy(aid, ans->out, 64);
    aid[64] = 0;
}

/* The association publishes the list of certified organisations it read 50 days ago (as METI
 * publishes it): TICS-0001 for the supplier, TICS-REG2 for another holder; the buyer pins the
 * association as a register publisher. */
static void
publish_register(void)
{
    char csv[PATH_MAX * 2], text[2048], id[65], pub[PATH_MAX * 2];

    snprintf(csv, sizeof csv, "%s/certified.csv", fx.w.root);
    snprintf(text, sizeof text,
             "事業者名,法人番号,認証番号,認証機関,認証範囲,認証日,有効期限\n"
             "%s,%s,TICS-0001,%s,設計・製造部門,%s,%s\n"
             "Other Holder KK,7123456789012,TICS-REG2,%s,全社,%s,%s\n",
             SUP, SUP_CORP, BODY, ago(200), ago(-800), BODY, ago(100), ago(-900));
    th_write_file(csv, text);
    th_ticsx_id(id, &fx.w.hub, fx.assoc, "register", "import", csv, "--as-of", ago(50), "--list",
                "tics-certified", "--publish", NULL);
    snprintf(pub, sizeof pub, "%s/identity.pub", fx.assoc);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "register", "trust", pub, NULL);
}

static void
given_answered(void)
{
    th_result r;

    if (!th_given(&fx.answered, "the answers with credentials")) {
        return;
    }
    declare_all();
    /* A certificate signed by an accredited body too: it comes first in the list. */
    th_world_certify(&fx.w, fx.meti, fx.buyer, fx.body, "Signed Body KK", SUP, "SIGNED-1",
                     ago(100));
    answer(fx.sup, SUP, NULL, NULL, fx.a_sup, &r);
    /* answer warns about an expired credential, and goes on. */
    th_expect_text(r.err, "warning: declared credential TICS-OLD expired");
    th_expect_text(r.err, "it declares 16 credentials");
    th_result_free(&r);
    th_ticsx_expect(0, NULL, fx.good, "credential", "add", "--scheme", "tics", "--number", "G-77",
                    "--body", "日本品質保証機構", "--criteria", "2024", "--issued", ago(30),
                    "--expires", ago(-1000), "--document", fx.pdf, NULL);
    answer(fx.good, GOOD, NULL, NULL, fx.a_good, &r);
    th_result_free(&r);
    publish_register();
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    th_ticsx(&r, NULL, fx.buyer, "--json", "verify", fx.a_sup, NULL);
    th_expect_status(&r, 1); /* credential problems count as failures */
    json_t *j = th_parse_json(r.out);
    json_t *v = json_array_get(json_object_get(j, "assessments"), 0);
    assert_string_equal(json_string_value(json_object_get(v, "status")), "verified");
    fx.creds = json_incref(json_object_get(v, "credentials"));
    json_decref(j);
    th_result_free(&r);
    th_given_made(&fx.answered);
}

/* The credential numbered `number` (or of scheme-state when number is NULL). */
static json_t *
cred(const char *number, const char *scheme, const char *state)
{
    for (size_t i = 0; i < json_array_size(fx.creds); i++) {
        json_t *c = json_array_get(fx.creds, i);
        const char *n = json_string_value(json_object_get(c, "number"));
        if (number != NULL
                ? (n != NULL && strcmp(n, number) == 0)
                : (n == NULL &&
                   strcmp(json_string_value(json_object_get(c, "scheme")), scheme) == 0 &&
                   strcmp(json_string_value(json_object_get(c, "state")), state) == 0)) {
            return c;
        }
    }
    fail_msg("no credential %s in the verdict", number ? number : state);
    return NULL;
}

static void
expect(json_t *c, const char *status, const char *severity, const char *reason_part)
{
    const char *st = json_string_value(json_object_get(c, "status"));
    const char *reason = json_string_value(json_object_get(c, "reason"));

    if (strcmp(st, status) != 0) {
        fail_msg("%s: status %s (%s), expected %s", json_string_value(json_object_get(c, "number")),
                 st, reason, status);
    }
    assert_string_equal(json_string_value(json_object_get(c, "severity")), severity);
    assert_string_equal(json_string_value(json_object_get(c, "source")), "declared");
    if (reason_part != NULL) {
        th_expect_text(reason, reason_part);
    }
}

static void
test_declared_with_document(void **state)
{
    (void)state;
    given_answered();
    json_t *c = cred("TICS-0001", NULL, NULL);
    expect(c, "listed", "ok", NULL);
    json_t *reg = json_object_get(c, "register");
    assert_string_equal(json_string_value(json_object_get(reg, "match")), "listed");
    assert_string_equal(json_string_value(json_object_get(reg, "list")), "tics-certified");
    assert_string_equal(json_string_value(json_object_get(reg, "publisher")), ASSOC);
    assert_string_equal(json_string_value(json_object_get(reg, "as_of")), ago(50));
    assert_string_equal(json_string_value(json_object_get(c, "scheme")), "tics");
    assert_int_equal(json_integer_value(json_object_get(c, "criteria_version")), 2024);
    assert_string_equal(json_string_value(json_object_get(c, "scope")), "設計・製造部門");
    assert_string_equal(json_string_value(json_object_get(c, "holder_name")), SUP);
    assert_string_equal(json_string_value(json_object_get(c, "corporate_number")), SUP_CORP);
    assert_string_equal(json_string_value(json_object_get(c, "issued")), ago(200));
    assert_non_null(json_string_value(json_object_get(c, "next_report_due")));
    assert_true(json_is_null(json_object_get(c, "record")));
    json_t *ev = json_object_get(c, "evidence");
    assert_int_equal(json_array_size(ev), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "status")),
                        "checked");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "name")),
                        "TICS-0001.pdf");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "media_type")),
                        "application/pdf");
}

static void
test_signed_certificate_first(void **state)
{
    (void)state;
    given_answered();
    json_t *c = json_array_get(fx.creds, 0);
    assert_string_equal(json_string_value(json_object_get(c, "source")), "signed");
    assert_string_equal(json_string_value(json_object_get(c, "status")), "valid");
    assert_string_equal(json_string_value(json_object_get(c, "severity")), "ok");
    assert_string_equal(json_string_value(json_object_get(c, "number")), "SIGNED-1");
    assert_string_equal(json_string_value(json_object_get(c, "body")), "Signed Body KK");
    assert_int_equal(json_integer_value(json_object_get(c, "criteria_version")), 2024);
    assert_int_equal(strlen(json_string_value(json_object_get(c, "record"))), 64);
    for (size_t i = 1; i < json_array_size(fx.creds); i++) {
        c = json_array_get(fx.creds, i);
        assert_string_equal(json_string_value(json_object_get(c, "source")), "declared");
    }
}

static void
test_dates_and_tics_rules(void **state)
{
    (void)state;
    given_answered();
    expect(cred("TICS-OLD", NULL, NULL), "expired", "problem", "expired on");
    expect(cred("TICS-STALE", NULL, NULL), "stale", "problem", "periodic report");
    expect(cred("X-CRIT", NULL, NULL), "invalid_criteria", "problem", "2024-08-16");
    expect(cred("X-FAKE", NULL, NULL), "not_accredited", "problem",
           "not in the accredited bodies register");
}

/* The public register: listed (above), not listed in the register of its date, listed under
 * another holder; a declared credential that matches no register stays "declared". */
static void
test_register_match(void **state)
{
    (void)state;
    given_answered();
    json_t *c = cred("TICS-NOTL", NULL, NULL);
    expect(c, "declared", "ok", ago(50));
    assert_string_equal(json_string_value(json_object_get(json_object_get(c, "register"), "match")),
                        "not_listed");
    c = cred("TICS-REG2", NULL, NULL);
    expect(c, "register_mismatch", "problem", NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(c, "register"), "match")),
                        "other_holder");
    /* ISMS has no register: none consulted. */
    assert_true(json_is_null(json_object_get(cred("IS 123456", NULL, NULL), "register")));
}

/* The periodic report late within the grace days of the buyer's policy is a warning. */
static void
test_report_grace(void **state)
{
    th_result r;
    (void)state;

    given_answered();
    expect(cred("TICS-DUE", NULL, NULL), "stale", "problem", NULL);
    th_ticsx_expect(0, NULL, fx.buyer, "policy", "set", "--grace", "30", NULL);
    th_ticsx(&r, NULL, fx.buyer, "--json", "verify", fx.a_sup, NULL);
    json_t *j = th_parse_json(r.out);
    json_t *all =
        json_object_get(json_array_get(json_object_get(j, "assessments"), 0), "credentials");
    json_t *saved = fx.creds;
    fx.creds = all;
    expect(cred("TICS-DUE", NULL, NULL), "report_due", "warning", "30 days");
    expect(cred("TICS-STALE", NULL, NULL), "stale", "problem", NULL); /* 135 days late */
    fx.creds = saved;
    json_decref(j);
    th_result_free(&r);
    th_ticsx_expect(0, NULL, fx.buyer, "policy", "use", "none", NULL);
}

static void
test_applications(void **state)
{
    (void)state;
    given_answered();
    expect(cred(NULL, "tics", "applied"), "applied", "warning", "decision expected by");
    json_t *c = cred("APP-2", NULL, NULL);
    expect(c, "under_audit", "warning", "has not come");
    th_expect_text(json_string_value(json_object_get(c, "reason")), "日本品質保証機構");
    assert_string_equal(json_string_value(json_object_get(c, "expected")), ago(10));
}

static void
test_holder_mismatch(void **state)
{
    (void)state;
    given_answered();
    expect(cred("TICS-OTHER", NULL, NULL), "holder_mismatch", "problem", "7123456789012");
}

static void
test_other_schemes(void **state)
{
    (void)state;
    given_answered();
    json_t *c = cred("IS 123456", NULL, NULL);
    expect(c, "declared", "ok", NULL);
    assert_string_equal(json_string_value(json_object_get(c, "scheme")), "isms");
    assert_string_equal(json_string_value(json_object_get(c, "standard")), "ISO/IEC 27001:2022");
    assert_true(json_is_null(json_object_get(c, "criteria_version")));
    expect(cred("IS 999", NULL, NULL), "expired", "problem", NULL);
    c = cred("AB1234-01", NULL, NULL);
    expect(c, "declared", "ok", NULL);
    assert_string_equal(json_string_value(json_object_get(c, "scheme")), "tisax");
    /* Declared without its document: the supplier's word alone does not pass. */
    c = cred("10820001(05)", NULL, NULL);
    expect(c, "evidence_failed", "problem", "without its document");
    assert_string_equal(json_string_value(json_object_get(c, "scheme")), "pmark");
    c = cred("AR-2026-7", NULL, NULL);
    expect(c, "declared", "ok", NULL);
    assert_string_equal(json_string_value(json_object_get(c, "body")), "Audit Firm LLC");
}

/* The table lines of verify and the exit status; a supplier with only a good credential
 * passes; --credentials none leaves them out. */
static void
test_verify_output_and_exit(void **state)
{
    th_result r;
    (void)state;

    given_answered();
    th_ticsx(&r, NULL, fx.buyer, "verify", fx.a_sup, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "declared TICS TICS-STALE: stale:");
    th_expect_text(r.out, "declared ISMS (ISO/IEC 27001) IS 123456: declared:");
    th_result_free(&r);
    th_ticsx(&r, NULL, fx.buyer, "--lang", "ja", "verify", fx.a_sup, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "定期報告の遅延");
    th_expect_text(r.out, "自己申告");
    th_result_free(&r);
    th_ticsx(&r, NULL, fx.buyer, "--json", "verify", fx.a_good, NULL);
    th_expect_status(&r, 0);
    json_t *j = th_parse_json(r.out);
    json_t *c =
        json_object_get(json_array_get(json_object_get(j, "assessments"), 0), "credentials");
    assert_int_equal(json_array_size(c), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "status")),
                        "declared");
    json_decref(j);
    th_result_free(&r);
    /* The report's rows carry the same list. */
    th_ticsx(&r, NULL, fx.buyer, "report", "--format", "json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"credentials\"");
    th_expect_text(r.out, "\"invalid_criteria\"");
    th_result_free(&r);
}

static void
test_answer_credentials_selection(void **state)
{
    char aid[65];
    th_result r;
    (void)state;

    given_answered();
    answer(fx.sup, SUP, "none", NULL, aid, &r);
    th_result_free(&r);
    answer(fx.sup, SUP, "IS 123456,AB1234-01", NULL, aid, &r);
    th_expect_text(r.err, "it declares 2 credentials");
    th_result_free(&r);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    th_ticsx(&r, NULL, fx.buyer, "--json", "verify", aid, NULL);
    th_expect_status(&r, 0);
    json_t *j = th_parse_json(r.out);
    json_t *c =
        json_object_get(json_array_get(json_object_get(j, "assessments"), 0), "credentials");
    assert_int_equal(json_array_size(c), 3); /* the signed certificate, then the two chosen */
    assert_string_equal(json_string_value(json_object_get(json_array_get(c, 1), "number")),
                        "IS 123456");
    assert_string_equal(json_string_value(json_object_get(json_array_get(c, 2), "number")),
                        "AB1234-01");
    json_decref(j);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", "0000000000000000", "--file", "x.json",
             "--credentials", "NO-SUCH", NULL);
    assert_int_not_equal(r.status, 0);
    th_result_free(&r);
}

static void
sha256_hex(const char *path, char hex[65])
{
    char *text = th_read_file(path);
    uint8_t h[32];

    crypto_hash_sha256(h, (const uint8_t *)text, strlen(text));
    tx_hex(hex, h, 32);
    free(text);
}

/* The attack: a supplier whose client lists, for its credential's document, the pieces of
 * another file it sent before (its home's index of sent files edited), so that the signed
 * assessment states the hash of a forged certificate the pieces do not hold. The buyer's
 * check finds the mismatch: the credential is evidence_failed (a problem), never declared. */
static void
test_attack_document_hash_mismatch(void **state)
{
    char aid[65], a_path[PATH_MAX * 2], b_path[PATH_MAX * 2], ha[65], hb[65];
    char from[PATH_MAX * 2], to[PATH_MAX * 2];
    th_result r;
    (void)state;

    given_answered();
    snprintf(a_path, sizeof a_path, "%s/minutes.pdf", fx.w.root);
    snprintf(b_path, sizeof b_path, "%s/forged.pdf", fx.w.root);
    th_write_file(a_path, "%PDF-1.7\n% minutes of a meeting, nothing certified\n%%EOF\n");
    th_write_file(b_path, "%PDF-1.7\n% a certificate no body ever issued\n%%EOF\n");
    /* An answer with the harmless file, so its pieces are at the hub and in the index. */
    answer(fx.shady, SHADY, "none", a_path, aid, &r);
    th_result_free(&r);
    th_ticsx_expect(0, NULL, fx.shady, "credential", "add", "--scheme", "tics", "--number",
                    "TICS-FORGED", "--body", BODY, "--criteria", "2024", "--issued", ago(60),
                    "--expires", ago(-1000), "--document", b_path, NULL);
    sha256_hex(a_path, ha);
    sha256_hex(b_path, hb);
    snprintf(from, sizeof from, "%s/attachments/%s", fx.shady, ha);
    snprintf(to, sizeof to, "%s/attachments/%s", fx.shady, hb);
    {
        char *bytes;
        size_t n;
        FILE *f = fopen(from, "rb");
        assert_non_null(f);
        bytes = malloc(4096);
        n = fread(bytes, 1, 4096, f);
        fclose(f);
        assert_true(n > 32);
        f = fopen(to, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(bytes, 1, n, f), n);
        fclose(f);
        chmod(to, 0600);
        free(bytes);
    }
    answer(fx.shady, SHADY, NULL, NULL, aid, &r);
    th_result_free(&r);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    th_ticsx(&r, NULL, fx.buyer, "--json", "verify", aid, NULL);
    th_expect_status(&r, 1);
    json_t *j = th_parse_json(r.out);
    json_t *all =
        json_object_get(json_array_get(json_object_get(j, "assessments"), 0), "credentials");
    json_t *saved = fx.creds;
    fx.creds = all;
    json_t *c = cred("TICS-FORGED", NULL, NULL);
    expect(c, "evidence_failed", "problem", "does not match");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(c, "evidence"), 0), "status")),
                        "mismatch");
    fx.creds = saved;
    json_decref(j);
    th_result_free(&r);
}

/* The statuses of the good supplier's only credential in the buyer's verify, and its exit. */
static const char *
good_status(int expect_exit, char *reason, size_t n)
{
    static char status[32];
    th_result r;

    th_ticsx(&r, NULL, fx.buyer, "--json", "verify", fx.a_good, NULL);
    th_expect_status(&r, expect_exit);
    json_t *j = th_parse_json(r.out);
    json_t *c = json_array_get(
        json_object_get(json_array_get(json_object_get(j, "assessments"), 0), "credentials"), 0);
    snprintf(status, sizeof status, "%s", json_string_value(json_object_get(c, "status")));
    snprintf(reason, n, "%s", json_string_value(json_object_get(c, "reason")));
    json_decref(j);
    th_result_free(&r);
    return status;
}

/* The document's pieces gone from the buyer's cache (never fetched, or lost): the credential is
 * evidence_failed ("missing"), never declared on the supplier's word; a fetch brings them back. */
static void
test_document_missing_then_fetched(void **state)
{
    char reason[512];
    (void)state;

    given_answered();
    assert_string_equal(good_status(0, reason, sizeof reason), "declared");
    assert_true(
        th_cache_del_holding(fx.buyer, "records", "application/vnd.ticsx.evidence-chunk.v1") > 0);
    assert_string_equal(good_status(1, reason, sizeof reason), "evidence_failed");
    th_expect_text(reason, "is missing");
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    assert_string_equal(good_status(0, reason, sizeof reason), "declared");
}

/* list, show and remove; the files are private to the home's owner. */
static void
test_list_show_remove(void **state)
{
    char path[PATH_MAX * 2];
    struct stat st;
    th_result r;
    (void)state;

    given_answered();
    th_ticsx(&r, NULL, fx.good, "credential", "show", "G-77", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "G-77.pdf");
    th_result_free(&r);
    snprintf(path, sizeof path, "%s/credentials/G-77.pdf", fx.good);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/credentials", fx.good);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    th_ticsx_expect(0, NULL, fx.good, "credential", "remove", "G-77", NULL);
    snprintf(path, sizeof path, "%s/credentials/G-77.pdf", fx.good);
    assert_int_not_equal(access(path, F_OK), 0);
    th_ticsx(&r, NULL, fx.good, "credential", "show", "G-77", NULL);
    th_expect_status(&r, 1); /* not found */
    th_expect_text(r.err, "credential list");
    th_result_free(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_refuses_invalid),
        cmocka_unit_test(test_declared_with_document),
        cmocka_unit_test(test_signed_certificate_first),
        cmocka_unit_test(test_dates_and_tics_rules),
        cmocka_unit_test(test_register_match),
        cmocka_unit_test(test_report_grace),
        cmocka_unit_test(test_applications),
        cmocka_unit_test(test_holder_mismatch),
        cmocka_unit_test(test_other_schemes),
        cmocka_unit_test(test_verify_output_and_exit),
        cmocka_unit_test(test_answer_credentials_selection),
        cmocka_unit_test(test_attack_document_hash_mismatch),
        cmocka_unit_test(test_document_missing_then_fetched),
        cmocka_unit_test(test_list_show_remove),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

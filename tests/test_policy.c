/* The buyer's acceptance policy: the rule parser (a good policy, and each error named by its
 * member or line), versions in a home (set, list, use, show, files 0600), the evaluation of
 * each rule on report rows with its reason (pass and fail), the sub-suppliers roll-up and the
 * tiers' counts; then through the real ticsx and ticsx-hub: a certified supplier with a
 * verified assessment passes a level/area rule and fails another, the report names the version
 * it applied, `report --policy none` applies none. */
#include "harness.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_policy.h"
#include "tx_policy_store.h"
#include "tx_util.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define BUYER "Policy Motors KK"
#define S1 "株式会社 山田製作所"
#define S2 "Kanto Stamping KK"
#define SUB "Okazaki Plating KK"
#define METI "METI (accreditor)"
#define BODY "JQA Certification"
#define CERT_NO "TICS-P-0001"

static int
parse(const char *text, tx_policy_rules *p)
{
    tx_fail_clear();
    return tx_policy_rules_parse("policy.json", (const uint8_t *)text, strlen(text), 0, p);
}

/* The parse fails with TX_ERR_MALFORMED (or `code`) and a message holding `needle`. */
static void
refused(const char *text, int code, const char *needle)
{
    tx_policy_rules p;

    assert_int_equal(parse(text, &p), code);
    th_expect_text(tx_fail_msg(), needle);
}

static void
test_parse_good(void **state)
{
    tx_policy_rules p;
    char text[4096];
    json_t *j;
    (void)state;

    assert_int_equal(parse("{\"name\": \"Tier-1 2026\", \"credentials\": [{\"scheme\": \"tics\", "
                           "\"status\": [\"valid\", \"listed\"]}, {\"scheme\": \"isms\"}], "
                           "\"level\": 1, \"areas\": {\"A5\": 60, \"A2\": 50.5}, \"overall\": 70, "
                           "\"within_days\": 365, \"report_grace_days\": 30, \"verified\": true, "
                           "\"sub_suppliers\": true}",
                           &p),
                     TX_OK);
    assert_string_equal(p.name, "Tier-1 2026");
    assert_int_equal(p.n_accept, 2);
    assert_int_equal(p.accept[0].scheme, tx_cred_scheme_find("tics"));
    assert_int_equal(p.accept[1].statuses, 3); /* no status: valid or listed */
    assert_int_equal(p.level, 1);
    assert_int_equal(p.n_areas, 2);
    assert_string_equal(p.areas[1].id, "A2");
    assert_true(p.areas[1].min == 50.5);
    assert_true(p.overall == 70);
    assert_int_equal(p.within_days, 365);
    assert_int_equal(p.grace_days, 30);
    assert_true(p.verified && p.sub_suppliers);

    /* The JSON spelled back parses to the same policy. */
    j = tx_policy_rules_json(&p);
    {
        char *s = json_dumps(j, 0);
        tx_policy_rules q;

        assert_int_equal(parse(s, &q), TX_OK);
        assert_memory_equal(&p, &q, sizeof p);
        free(s);
    }
    json_decref(j);

    tx_policy_rules_text(&p, 1, text, sizeof text);
    assert_string_equal(
        text, "A supplier is accepted when it holds TICS (Valid or Listed in a "
              "public register) or ISMS (Valid or Listed in a public register); the assessment "
              "is verified; achieves level 1 or higher; scores at least 60% in "
              "area A5; scores at least 50.5% in area A2; scores at least 70% "
              "overall; answered within the last 365 days; every sub-supplier "
              "meets the policy too. A TICS periodic report late by up to 30 days "
              "is a warning, not a failure.");
    /* The empty policy is a policy every supplier meets. */
    assert_int_equal(parse("{}", &p), TX_OK);
    tx_policy_rules_text(&p, 1, text, sizeof text);
    assert_string_equal(text, "No rule: every supplier meets this policy.");
}

/* The sample file the documentation shows is a policy ticsx takes. */
static void
test_sample_file(void **state)
{
    const char *src = getenv("TX_SOURCE_DIR");
    char path[PATH_MAX], *text;
    tx_policy_rules p;
    (void)state;

    assert_non_null(src);
    snprintf(path, sizeof path, "%s/docs/policy-sample.json", src);
    text = th_read_file(path);
    assert_int_equal(parse(text, &p), TX_OK);
    assert_int_equal(p.n_accept, 2);
    assert_int_equal(p.grace_days, 30);
    assert_true(p.verified && p.sub_suppliers);
    free(text);
}

static void
test_parse_japanese_sentence(void **state)
{
    tx_policy_rules p;
    char text[4096];
    (void)state;

    assert_int_equal(parse("{\"credentials\": [{\"scheme\": \"tics\", \"status\": [\"valid\", "
                           "\"listed\"]}, {\"scheme\": \"isms\", \"status\": [\"valid\"]}], "
                           "\"level\": 1}",
                           &p),
                     TX_OK);
    assert_int_equal(tx_i18n_init("ja"), TX_OK);
    tx_policy_rules_text(&p, 0, text, sizeof text);
    tx_i18n_init("en");
    th_expect_text(text, "TICS（有効または登録簿に掲載）またはISMS（有効）");
    th_expect_text(text, "レベル1以上");
}

static void
test_parse_errors(void **state)
{
    char big[TX_POLICY_MAX_BYTES + 64];
    (void)state;

    refused("{\"level\": 1,\n \"areas\": {\"A5\": 6", TX_ERR_MALFORMED, "line 2");
    refused("[1]", TX_ERR_MALFORMED, "a policy is a JSON object");
    refused("{\"levels\": 1}", TX_ERR_MALFORMED, "unknown member \"levels\"");
    refused("{\"level\": 1, \"level\": 2}", TX_ERR_MALFORMED, "duplicate");
    refused("{\"level\": \"1\"}", TX_ERR_MALFORMED, "level: should be a whole number");
    refused("{\"level\": 100}", TX_ERR_MALFORMED, "level: 100 is out of range");
    refused("{\"overall\": 101}", TX_ERR_MALFORMED, "overall: 101 is not a percentage");
    refused("{\"overall\": true}", TX_ERR_MALFORMED, "overall: should be a percentage");
    refused("{\"within_days\": 0}", TX_ERR_MALFORMED, "within_days: 0 is out of range");
    refused("{\"report_grace_days\": -1}", TX_ERR_MALFORMED, "report_grace_days: -1");
    refused("{\"verified\": 1}", TX_ERR_MALFORMED, "verified: should be true or false");
    refused("{\"sub_suppliers\": \"yes\"}", TX_ERR_MALFORMED, "sub_suppliers: should be");
    refused("{\"name\": 5}", TX_ERR_MALFORMED, "name: should be a text");
    refused("{\"areas\": [60]}", TX_ERR_MALFORMED, "areas: should be an object");
    refused("{\"areas\": {\"A 5\": 60}}", TX_ERR_MALFORMED, "\"A 5\" is not an area id");
    refused("{\"areas\": {\"A5\": -1}}", TX_ERR_MALFORMED, "areas.A5: -1 is not a percentage");
    refused("{\"credentials\": {}}", TX_ERR_MALFORMED, "credentials: should be a list");
    refused("{\"credentials\": [\"tics\"]}", TX_ERR_MALFORMED, "credentials[0]: should be an");
    refused("{\"credentials\": [{\"status\": [\"valid\"]}]}", TX_ERR_MALFORMED,
            "credentials[0].scheme: missing");
    refused("{\"credentials\": [{\"scheme\": \"iso\"}]}", TX_ERR_MALFORMED,
            "credentials[0].scheme: unknown scheme \"iso\"");
    refused("{\"credentials\": [{\"scheme\": \"tics\"}, {\"scheme\": \"isms\", \"status\": "
            "[\"valid\", \"vaild\"]}]}",
            TX_ERR_MALFORMED, "credentials[1].status[1]: unknown status \"vaild\"");
    refused("{\"credentials\": [{\"scheme\": \"tics\", \"status\": []}]}", TX_ERR_MALFORMED,
            "credentials[0].status: should be a list");
    refused("{\"credentials\": [{\"scheme\": \"tics\", \"status\": [\"valid\", \"valid\"]}]}",
            TX_ERR_MALFORMED, "\"valid\" is named twice");
    refused("{\"credentials\": [{\"scheme\": \"tics\"}, {\"scheme\": \"tics\"}]}", TX_ERR_MALFORMED,
            "credentials[1]: scheme \"tics\" is named twice");
    refused("{\"credentials\": [{\"scheme\": \"tics\", \"number\": \"x\"}]}", TX_ERR_MALFORMED,
            "credentials[0]: unknown member \"number\"");
    refused("{\"credentials\": [{\"scheme\": \"tics\"}, {\"scheme\": \"isms\"}, {\"scheme\": "
            "\"tisax\"}, {\"scheme\": \"pmark\"}, {\"scheme\": \"audit\"}, {}, {}, {}, {}]}",
            TX_ERR_TOO_LARGE, "at most 8");
    refused("{\"name\": \"\xff\"}", TX_ERR_BAD_UTF8, "not UTF-8");
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = 0;
    big[0] = '{';
    big[sizeof big - 2] = '}';
    refused(big, TX_ERR_TOO_LARGE, "at most 16384 bytes");
    /* "version" and "set" belong to stored versions only. */
    refused("{\"version\": 1}", TX_ERR_MALFORMED, "unknown member \"version\"");
}

/* ---- versions in a home, through ticsx ---- */

static void
test_versions(void **state)
{
    char *root = th_tmpdir(), home[PATH_MAX], file[PATH_MAX + 16], path[PATH_MAX + 32];
    th_result r;
    struct stat st;
    json_t *j;
    (void)state;

    snprintf(home, sizeof home, "%s/buyer", root);
    th_party(NULL, home, BUYER, NULL);

    /* None yet. */
    th_ticsx(&r, NULL, home, "policy", "show", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "no acceptance policy is in force");
    th_result_free(&r);
    th_ticsx(&r, NULL, home, "policy", "show", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "null");
    th_result_free(&r);

    /* Version 1 from a file, version 2 from options. */
    snprintf(file, sizeof file, "%s/p.json", root);
    th_write_file(file, "{\"name\": \"from a file\", \"level\": 2}");
    th_ticsx(&r, NULL, home, "policy", "set", file, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "acceptance policy 1 \"from a file\"");
    th_expect_text(r.out, "achieves level 2 or higher");
    th_result_free(&r);
    th_ticsx(&r, NULL, home, "policy", "set", "--accept", "tics:valid,listed", "--accept",
             "isms:valid", "--level", "1", "--area", "A5=60", "--overall", "70", "--within", "365",
             "--grace", "30", "--name", "Tier-1 2026", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
    assert_true(json_is_true(json_object_get(j, "current")));
    assert_string_equal(json_string_value(json_object_get(j, "name")), "Tier-1 2026");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(j, "definition"), "report_grace_days")),
        30);
    json_decref(j);
    th_result_free(&r);

    /* Stored private, the current one named by policy/current. */
    snprintf(path, sizeof path, "%s/policy/2.json", home);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/policy", home);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(path, sizeof path, "%s/policy/current", home);
    assert_true(th_file_holds(path, "2\n"));

    th_ticsx(&r, NULL, home, "policy", "list", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "     1  ");
    th_expect_text(r.out, "from a file");
    th_expect_text(r.out, "*    2  ");
    th_result_free(&r);

    th_ticsx_expect(0, NULL, home, "policy", "use", "1", NULL);
    th_ticsx(&r, NULL, home, "policy", "list", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_int_equal(json_array_size(j), 2);
    assert_true(json_is_true(json_object_get(json_array_get(j, 0), "current")));
    assert_true(json_is_false(json_object_get(json_array_get(j, 1), "current")));
    json_decref(j);
    th_result_free(&r);

    /* show N shows that version, in Japanese too. */
    th_ticsx(&r, NULL, home, "--lang", "ja", "policy", "show", "2", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "TICS（有効または登録簿に掲載）またはISMS（有効）");
    th_result_free(&r);

    /* Errors: a version that does not exist, a bad file, options and a file together. */
    th_ticsx(&r, NULL, home, "policy", "use", "9", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "there is no policy version 9");
    th_result_free(&r);
    th_write_file(file, "{\"level\": 1,\n \"credentials\": [{\"scheme\": \"tics\", \"status\": "
                        "[\"vaild\"]}]}");
    th_ticsx(&r, NULL, home, "policy", "set", file, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "credentials[0].status[0]: unknown status \"vaild\"");
    th_result_free(&r);
    th_ticsx(&r, NULL, home, "policy", "set", file, "--level", "1", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "not both");
    th_result_free(&r);
    th_ticsx(&r, NULL, home, "policy", "set", "--accept", "iso:valid", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "unknown scheme iso");
    th_result_free(&r);
    th_ticsx(&r, NULL, home, "policy", "set", "--area", "A5", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "give ID=PERCENT");
    th_result_free(&r);
    /* Nothing was stored by the failures. */
    snprintf(path, sizeof path, "%s/policy/3.json", home);
    assert_int_not_equal(access(path, F_OK), 0);

    /* A damaged version is named, not used. */
    snprintf(path, sizeof path, "%s/policy/1.json", home);
    th_write_file(path, "{\"version\": 1, \"set\": \"2026-01-01T00:00:00Z\", \"policy\": "
                        "{\"level\": \"x\"}}");
    th_ticsx(&r, NULL, home, "policy", "show", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "1.json is damaged: level: should be a whole number");
    th_result_free(&r);
    th_ticsx(&r, NULL, home, "report", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "1.json is damaged");
    th_result_free(&r);
    th_ticsx(&r, NULL, home, "report", "--policy", "none", "--json", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);

    th_ticsx_expect(0, NULL, home, "policy", "use", "none", NULL);
    th_ticsx(&r, NULL, home, "policy", "show", NULL);
    th_expect_text(r.out, "no acceptance policy is in force");
    th_result_free(&r);
    th_rmtree(root);
    free(root);
}

/* The grace accessor follows the selected policy. */
static void
test_grace_accessor(void **state)
{
    char *root = th_tmpdir(), home[PATH_MAX];
    tx_home *h = NULL;
    tx_policy_rules p;
    int v = 0;
    (void)state;

    snprintf(home, sizeof home, "%s/buyer", root);
    th_party(NULL, home, BUYER, NULL);
    assert_int_equal(tx_home_open(home, &h), TX_OK);
    assert_int_equal(tx_policy_report_grace(h), 0);
    assert_int_equal(parse("{\"report_grace_days\": 30}", &p), TX_OK);
    assert_int_equal(tx_policy_store_add(h, &p, 1700000000, &v), TX_OK);
    assert_int_equal(v, 1);
    assert_int_equal(tx_policy_report_grace(h), 30);
    assert_int_equal(parse("{\"report_grace_days\": 7}", &p), TX_OK);
    assert_int_equal(tx_policy_store_add(h, &p, 1700000000, &v), TX_OK);
    assert_int_equal(tx_policy_report_grace(h), 7);
    tx_policy_select(1);
    assert_int_equal(tx_policy_report_grace(h), 30);
    tx_policy_select(TX_POLICY_NONE);
    assert_int_equal(tx_policy_report_grace(h), 0);
    tx_policy_select(5); /* no such version: 0, no failure */
    assert_int_equal(tx_policy_report_grace(h), 0);
    tx_policy_select(TX_POLICY_CURRENT);
    assert_int_equal(tx_policy_store_use(h, 0), TX_OK);
    assert_int_equal(tx_policy_report_grace(h), 0);
    assert_int_equal(tx_policy_store_use(h, 3), TX_ERR_NOT_FOUND);
    tx_home_destroy(&h);
    th_rmtree(root);
    free(root);
}

/* ---- evaluation on hand-made rows ---- */

#define NOW 1780000000 /* 2026-05-28 */

static json_t *
row(const char *key, const char *status, int level, double a5, double overall, const char *as_of,
    json_t *creds)
{
    json_t *r = json_pack(
        "{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "name", key, "key", key, "status", status,
        "level_achieved", level >= 0 ? json_integer(level) : json_null(), "areas",
        json_pack("[{s:s,s:o}]", "id", "A5", "score", a5 >= 0 ? json_real(a5) : json_null()),
        "overall", overall >= 0 ? json_real(overall) : json_null(), "as_of",
        as_of ? json_string(as_of) : json_null(), "certificate", json_null());

    if (creds != NULL) {
        json_object_set_new(r, "credentials", creds);
    }
    return r;
}

static json_t *
cred(const char *scheme, const char *status)
{
    return json_pack("{s:s,s:s,s:s,s:s}", "scheme", scheme, "source", "declared", "status", status,
                     "number", "N-1");
}

static tx_policy
policy_of(const char *text)
{
    tx_policy p = {.version = 4, .set = NOW - 86400};

    assert_int_equal(parse(text, &p.rules), TX_OK);
    return p;
}

/* The check of `rule` in a row's policy; fails the test when there is none. */
static const json_t *
check_of(const json_t *pol, const char *rule)
{
    size_t i;
    const json_t *c;

    json_array_foreach(json_object_get(pol, "checks"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "rule")), rule) == 0) {
            return c;
        }
    }
    fail_msg("no check %s", rule);
    return NULL;
}

static void
rule_is(const json_t *row_, const char *rule, int pass, const char *reason)
{
    const json_t *pol = json_object_get(row_, "policy");
    const json_t *c = check_of(pol, rule);

    if (json_is_true(json_object_get(c, "pass")) != pass) {
        fail_msg("%s: pass is %d, not %d (%s)", rule, !pass, pass,
                 json_string_value(json_object_get(c, "reason")));
    }
    th_expect_text(json_string_value(json_object_get(c, "reason")), reason);
}

static void
test_evaluate_each_rule(void **state)
{
    tx_policy p = policy_of(
        "{\"credentials\": [{\"scheme\": \"tics\", \"status\": [\"valid\", \"listed\"]}, "
        "{\"scheme\": \"isms\", \"status\": [\"valid\"]}], \"verified\": true, \"level\": 1, "
        "\"areas\": {\"A5\": 60, \"A9\": 10}, \"overall\": 70, \"within_days\": 365}");
    json_t *good = row("good", "verified", 2, 80, 90, "2026-01-10",
                       json_pack("[o,o]", cred("tics", "expired"), cred("isms", "valid")));
    json_t *bad = row("bad", "expired", 0, 40, 50, "2024-01-10",
                      json_pack("[o,o]", cred("tics", "declared"), cred("pmark", "valid")));
    json_t *none = row("none", "failed", -1, -1, -1, NULL, json_array());
    json_t *doc = json_pack("{s:[O,O,O]}", "suppliers", good, bad, none);
    const json_t *pol;
    (void)state;

    assert_int_equal(tx_policy_apply(doc, &p, NOW), TX_OK);
    /* good passes everything but the area its questionnaire does not have. */
    rule_is(good, "credentials", 1, "holds ISMS N-1 (Valid)");
    rule_is(good, "verified", 1, "the assessment is verified");
    rule_is(good, "level", 1, "level 2 achieved (level 1 required)");
    rule_is(good, "areas", 1, "area A5 scores 80.0% (60% required)");
    rule_is(good, "overall", 1, "overall score 90.0% (70% required)");
    rule_is(good, "within_days", 1, "answered on 2026-01-10, 138 days before the report");
    pol = json_object_get(good, "policy");
    assert_int_equal(json_integer_value(json_object_get(pol, "version")), 4);
    assert_false(json_is_true(json_object_get(pol, "pass")));
    assert_int_equal(json_array_size(json_object_get(pol, "reasons")), 1);
    th_expect_text(json_string_value(json_array_get(json_object_get(pol, "reasons"), 0)),
                   "area A9 is not in the assessment (10% required)");

    /* bad fails every rule, each with its reason. */
    rule_is(bad, "credentials", 0,
            "no accepted credential (has TICS (Declared by the supplier), Privacy Mark (Valid))");
    rule_is(bad, "verified", 0, "the assessment is not verified (Expired)");
    rule_is(bad, "level", 0, "level 0 achieved (level 1 required)");
    rule_is(bad, "areas", 0, "area A5 scores 40.0% (60% required)");
    rule_is(bad, "overall", 0, "overall score 50.0% (70% required)");
    rule_is(bad, "within_days", 0,
            "answered on 2024-01-10, 869 days before the report "
            "(at most 365)");
    pol = json_object_get(bad, "policy");
    assert_int_equal(json_array_size(json_object_get(pol, "reasons")), 7); /* A9 too */

    /* none has nothing to judge: every rule fails, none by accident. */
    rule_is(none, "credentials", 0, "none certified or declared");
    rule_is(none, "level", 0, "no level achieved");
    rule_is(none, "areas", 0, "area A5 has no score");
    rule_is(none, "overall", 0, "no overall score");
    rule_is(none, "within_days", 0, "no answer date");

    /* The document names the policy. */
    pol = json_object_get(doc, "policy");
    assert_int_equal(json_integer_value(json_object_get(pol, "version")), 4);
    th_expect_text(json_string_value(json_object_get(pol, "text")), "A supplier is accepted");
    assert_int_equal(json_array_size(json_object_get(pol, "rules")), 7);
    json_decref(good);
    json_decref(bad);
    json_decref(none);
    json_decref(doc);
}

/* A row without "credentials" (before credentials were judged) has its body-signed TICS
 * certificate as its credential; a row with none passes no credential rule. */
static void
test_evaluate_certificate_fallback(void **state)
{
    tx_policy p = policy_of("{\"credentials\": [{\"scheme\": \"tics\", \"status\": [\"valid\"]}]}");
    json_t *signed_ = row("s", "verified", 1, 80, 80, "2026-01-10", NULL);
    json_t *stale = row("t", "verified", 1, 80, 80, "2026-01-10", NULL);
    json_t *doc;
    (void)state;

    json_object_set_new(signed_, "certificate",
                        json_pack("{s:s,s:s,s:{s:s}}", "record", "ab", "number", "TICS-1", "now",
                                  "status", "valid"));
    json_object_set_new(stale, "certificate",
                        json_pack("{s:s,s:s,s:{s:s}}", "record", "ab", "number", "TICS-2", "now",
                                  "status", "stale"));
    doc = json_pack("{s:[O,O]}", "suppliers", signed_, stale);
    assert_int_equal(tx_policy_apply(doc, &p, NOW), TX_OK);
    rule_is(signed_, "credentials", 1, "holds TICS TICS-1 (Valid)");
    rule_is(stale, "credentials", 0, "has TICS (Periodic report overdue)");
    json_decref(signed_);
    json_decref(stale);
    json_decref(doc);
}

/* A node of `tier` under `parents` (a JSON array, stolen). */
static json_t *
node_at(const char *key, int level, int tier, json_t *parents)
{
    json_t *n = row(key, "verified", level, 80, 80, "2026-01-10", NULL);

    json_object_set_new(n, "tier", json_integer(tier));
    json_object_set_new(n, "parents", parents);
    return n;
}

/* The roll-up's shapes: a parent named twice by one node counts once, a node naming a
 * shallower one as its parent is no sub-supplier of it, a node without a key is one, the
 * same key reached again deeper leaves the supplier row with its first node's verdict, and a
 * row outside the tree passes the rule. */
static void
test_evaluate_tree_shapes(void **state)
{
    tx_policy p = policy_of("{\"level\": 1, \"sub_suppliers\": true}");
    json_t *rr = node_at("rr", 1, 1, json_array());
    json_t *uu = node_at("uu", 1, 1, json_pack("[s]", "s2"));
    json_t *s1 = node_at("s1", 0, 2, json_pack("[s,s]", "rr", "rr"));
    json_t *s2 = node_at("s2", 1, 2, json_pack("[s,s]", "rr", "s1"));
    json_t *dup = node_at("rr", 1, 2, json_pack("[s]", "s2"));
    json_t *anon = node_at("xx", 0, 2, json_pack("[s]", "uu"));
    json_t *s3 = node_at("s3", 1, 3, json_pack("[s]", "s1"));
    json_t *row_rr = row("rr", "verified", 1, 80, 80, "2026-01-10", NULL);
    json_t *row_zz = row("zz", "verified", 1, 80, 80, "2026-01-10", NULL);
    json_t *doc;
    (void)state;

    json_object_set_new(anon, "key", json_null());
    doc = json_pack("{s:[O,O],s:[O,O,O,O,O,O,O],s:[],s:{}}", "suppliers", row_rr, row_zz,
                    "nodes", rr, uu, s1, s2, dup, anon, s3, "tiers", "total");
    assert_int_equal(tx_policy_apply(doc, &p, NOW), TX_OK);
    rule_is(rr, "sub_suppliers", 0, "1 of 2 sub-suppliers do not meet the policy");
    rule_is(uu, "sub_suppliers", 0, "1 of 1 sub-suppliers do not meet the policy");
    rule_is(s1, "sub_suppliers", 1, "all 1 sub-suppliers meet the policy");
    rule_is(s2, "sub_suppliers", 1, "no sub-suppliers in the report");
    rule_is(dup, "sub_suppliers", 1, "no sub-suppliers in the report");
    rule_is(s3, "sub_suppliers", 1, "no sub-suppliers in the report");
    assert_false(json_is_true(json_object_get(json_object_get(rr, "policy"), "pass")));
    assert_true(json_is_true(json_object_get(json_object_get(dup, "policy"), "pass")));
    rule_is(row_rr, "sub_suppliers", 0, "1 of 2 sub-suppliers do not meet the policy");
    assert_false(json_is_true(json_object_get(json_object_get(row_rr, "policy"), "pass")));
    rule_is(row_zz, "sub_suppliers", 1, "not in the supply tree of this report");
    assert_true(json_is_true(json_object_get(json_object_get(row_zz, "policy"), "pass")));
    json_decref(rr);
    json_decref(uu);
    json_decref(s1);
    json_decref(s2);
    json_decref(dup);
    json_decref(anon);
    json_decref(s3);
    json_decref(row_rr);
    json_decref(row_zz);
    json_decref(doc);
}

/* The tree: every node judged, sub-suppliers roll up, the tiers count passes and failures. */
static void
test_evaluate_tree(void **state)
{
    tx_policy p = policy_of("{\"level\": 1, \"sub_suppliers\": true}");
    json_t *a = row("aa", "verified", 1, 80, 80, "2026-01-10", NULL);
    json_t *b = row("bb", "verified", 2, 80, 80, "2026-01-10", NULL);
    json_t *a1 = row("a1", "verified", 0, 80, 80, "2026-01-10", NULL);
    json_t *b1 = row("b1", "verified", 1, 80, 80, "2026-01-10", NULL);
    json_t *doc;
    const json_t *t;
    (void)state;

    json_object_set_new(a, "tier", json_integer(1));
    json_object_set_new(b, "tier", json_integer(1));
    json_object_set_new(a1, "tier", json_integer(2));
    json_object_set_new(b1, "tier", json_integer(2));
    json_object_set_new(a, "parents", json_array());
    json_object_set_new(b, "parents", json_array());
    json_object_set_new(a1, "parents", json_pack("[s]", "aa"));
    json_object_set_new(b1, "parents", json_pack("[s,s]", "bb", "a1"));
    doc = json_pack("{s:[o],s:[O,O,O,O],s:[{s:i},{s:i}],s:{s:n}}", "suppliers",
                    row("aa", "verified", 1, 80, 80, "2026-01-10", NULL), "nodes", a, b, a1, b1,
                    "tiers", "tier", 1, "tier", 2, "total", "tier");
    assert_int_equal(tx_policy_apply(doc, &p, NOW), TX_OK);
    /* a passes itself but its sub-supplier a1 does not. */
    rule_is(a, "level", 1, "level 1 achieved");
    rule_is(a, "sub_suppliers", 0, "1 of 1 sub-suppliers do not meet the policy");
    rule_is(a1, "level", 0, "level 0 achieved");
    rule_is(b, "sub_suppliers", 1, "all 1 sub-suppliers meet the policy");
    rule_is(b1, "sub_suppliers", 1, "no sub-suppliers in the report");
    /* The supplier row takes its tree node's roll-up. */
    rule_is(json_array_get(json_object_get(doc, "suppliers"), 0), "sub_suppliers", 0,
            "1 of 1 sub-suppliers");
    t = json_array_get(json_object_get(doc, "tiers"), 0);
    assert_int_equal(json_integer_value(json_object_get(t, "policy_pass")), 1);
    assert_int_equal(json_integer_value(json_object_get(t, "policy_fail")), 1);
    t = json_array_get(json_object_get(doc, "tiers"), 1);
    assert_int_equal(json_integer_value(json_object_get(t, "policy_pass")), 1);
    assert_int_equal(json_integer_value(json_object_get(t, "policy_fail")), 1);
    t = json_object_get(doc, "total");
    assert_int_equal(json_integer_value(json_object_get(t, "policy_pass")), 2);
    assert_int_equal(json_integer_value(json_object_get(t, "policy_fail")), 2);

    /* No policy: null members and counts. */
    assert_int_equal(tx_policy_apply(doc, NULL, NOW), TX_OK);
    assert_true(json_is_null(json_object_get(doc, "policy")));
    assert_true(json_is_null(json_object_get(a, "policy")));
    assert_true(json_is_null(json_object_get(t, "policy_fail")));
    json_decref(a);
    json_decref(b);
    json_decref(a1);
    json_decref(b1);
    json_decref(doc);
}

/* ---- through a real hub ---- */

typedef struct {
    th_world w;
    char buyer[PATH_MAX], s1[PATH_MAX], s2[PATH_MAX], meti[PATH_MAX], body[PATH_MAX];
} fixture;

static fixture fx;

static void
answer(const char *home, const char *request, const char *const *pattern, size_t n, const char *sub)
{
    char path[PATH_MAX + 16];
    char *text;
    json_t *j, *arr;

    snprintf(path, sizeof path, "%s/answers.json", home);
    th_ticsx_expect(0, &fx.w.hub, home, "questionnaire", "template", request, "--format", "json",
                    "--out", path, NULL);
    text = th_read_file(path);
    j = th_parse_json(text);
    free(text);
    arr = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer", json_string(pattern[i % n]));
    }
    if (sub != NULL) {
        json_object_set_new(j, "suppliers",
                            json_pack("[{s:s,s:s}]", "name", sub, "supplies", "plating"));
    }
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    th_ticsx_expect(0, &fx.w.hub, home, "answer", request, "--file", path, NULL);
}

static int
world_setup(void **state)
{
    static const char *const all_yes[] = {"yes"};
    static const char *const weak[] = {"no", "partly", "no"};
    char request[65], issued[16];
    time_t now = time(NULL) - 30 * 86400;
    struct tm tm;
    th_result r;
    (void)state;

    gmtime_r(&now, &tm);
    strftime(issued, sizeof issued, "%Y-%m-%d", &tm);
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, "7123456789012");
    th_world_party(&fx.w, fx.s1, "s1", S1, "3180001056789");
    th_world_party(&fx.w, fx.s2, "s2", S2, NULL);
    th_world_party(&fx.w, fx.meti, "meti", METI, NULL);
    th_world_party(&fx.w, fx.body, "body", BODY, NULL);
    th_world_start(&fx.w);
    th_world_certify(&fx.w, fx.meti, fx.buyer, fx.body, BODY, S1, CERT_NO, issued);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to", S1,
             "--to", S2, "--depth", "2", NULL);
    th_expect_status(&r, 0);
    memcpy(request, r.out, 64);
    request[64] = 0;
    th_result_free(&r);
    answer(fx.s1, request, all_yes, 1, NULL);
    {
        /* S2 declares an ISMS certificate (no public register: declared at best). */
        char doc[PATH_MAX + 16], from[16], until[16];
        time_t t0 = time(NULL) - 300 * 86400, t1 = time(NULL) + 700 * 86400;

        snprintf(doc, sizeof doc, "%s/isms.pdf", fx.s2);
        th_write_file(doc, "%PDF-1.4\n% ISMS certificate IS 4242\n%%EOF\n");
        gmtime_r(&t0, &tm);
        strftime(from, sizeof from, "%Y-%m-%d", &tm);
        gmtime_r(&t1, &tm);
        strftime(until, sizeof until, "%Y-%m-%d", &tm);
        th_ticsx_expect(0, NULL, fx.s2, "credential", "add", "--scheme", "isms", "--number",
                        "IS 4242", "--body", "BSI Group Japan", "--scope", "本社", "--standard",
                        "ISO/IEC 27001:2022", "--issued", from, "--expires", until, "--document",
                        doc, NULL);
    }
    answer(fx.s2, request, weak, 3, SUB);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    return 0;
}

static int
world_teardown(void **state)
{
    (void)state;
    th_world_end(&fx.w);
    return 0;
}

static json_t *
report(const char *policy)
{
    th_result r;
    json_t *j, *doc;

    if (policy != NULL) {
        th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--json", "--policy", policy, NULL);
    } else {
        th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--json", NULL);
    }
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    th_result_free(&r);
    doc = json_incref(th_report_doc(j));
    json_decref(j);
    return doc;
}

static const json_t *
supplier(const json_t *doc, const char *name)
{
    size_t i;
    const json_t *s;

    json_array_foreach(json_object_get(doc, "suppliers"), i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0) {
            return s;
        }
    }
    fail_msg("no supplier %s in the report", name);
    return NULL;
}

static void
test_report_applies_versions(void **state)
{
    json_t *doc;
    const json_t *s1, *s2, *pol;
    th_result r;
    (void)state;

    /* Version 1: certified, verified, level 1, A5 at least 60: S1 meets it, S2 does not. */
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "policy", "set", "--accept", "tics:valid,listed",
                    "--verified", "--level", "1", "--area", "A5=60", "--name", "L1", NULL);
    /* Version 2: also an ISMS certificate, which S1 does not have. */
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "policy", "set", "--accept", "isms:valid", "--level",
                    "1", NULL);

    doc = report("1");
    pol = json_object_get(doc, "policy");
    assert_int_equal(json_integer_value(json_object_get(pol, "version")), 1);
    assert_string_equal(json_string_value(json_object_get(pol, "name")), "L1");
    s1 = supplier(doc, S1);
    s2 = supplier(doc, S2);
    assert_string_equal(json_string_value(json_object_get(s1, "status")), "verified");
    if (!json_is_true(json_object_get(json_object_get(s1, "policy"), "pass"))) {
        char *t = json_dumps(json_object_get(s1, "policy"), 0);
        fail_msg("S1 should meet policy 1: %s", t);
    }
    rule_is(s1, "credentials", 1, "holds TICS " CERT_NO " (Valid)");
    rule_is(s1, "areas", 1, "area A5 scores 100.0% (60% required)");
    assert_false(json_is_true(json_object_get(json_object_get(s2, "policy"), "pass")));
    rule_is(s2, "credentials", 0, "no accepted credential");
    rule_is(s2, "level", 0, "level 0 achieved (level 1 required)");
    /* The tier counts: tier 1 holds S1 (pass) and S2 (fail), tier 2 S2's sub-supplier. */
    {
        const json_t *t1 = json_array_get(json_object_get(doc, "tiers"), 0);
        const json_t *total = json_object_get(doc, "total");

        assert_int_equal(json_integer_value(json_object_get(t1, "policy_pass")), 1);
        assert_int_equal(json_integer_value(json_object_get(t1, "policy_fail")), 1);
        assert_int_equal(json_integer_value(json_object_get(total, "policy_pass")), 1);
        assert_int_equal(json_integer_value(json_object_get(total, "policy_fail")), 2);
    }
    json_decref(doc);

    /* The current one is version 2: S1 fails it for want of ISMS. */
    doc = report(NULL);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "policy"), "version")),
                     2);
    s1 = supplier(doc, S1);
    assert_false(json_is_true(json_object_get(json_object_get(s1, "policy"), "pass")));
    rule_is(s1, "credentials", 0, "no accepted credential (has TICS (Valid))");
    rule_is(s1, "level", 1, "level");
    json_decref(doc);

    /* --policy none: no policy at all. */
    doc = report("none");
    assert_true(json_is_null(json_object_get(doc, "policy")));
    assert_true(json_is_null(json_object_get(supplier(doc, S1), "policy")));
    json_decref(doc);

    /* A version that does not exist is an error, not an empty policy. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--policy", "7", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "there is no policy version 7");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--policy", "latest", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "--policy latest");
    th_result_free(&r);

    /* Reasons follow the language of the table's process, but stay English under --json. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "--lang", "ja", "report", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "no accepted credential");
    th_result_free(&r);
}

/* A declared credential from a real answer: the policy that accepts a declared ISMS passes
 * S2's credentials check with it; the one that wants a valid ISMS does not. */
static void
test_report_declared_credential(void **state)
{
    json_t *doc;
    const json_t *s2, *c;
    size_t i;
    int found = 0;
    (void)state;

    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "policy", "set", "--accept", "isms:declared", "--name",
                    "declared ISMS", NULL);
    doc = report(NULL);
    s2 = supplier(doc, S2);
    json_array_foreach(json_object_get(s2, "credentials"), i, c)
    {
        found |= strcmp(json_string_value(json_object_get(c, "scheme")), "isms") == 0;
    }
    assert_true(found);
    rule_is(s2, "credentials", 1, "holds ISMS IS 4242 (Declared by the supplier)");
    assert_true(json_is_true(json_object_get(json_object_get(s2, "policy"), "pass")));
    /* S1 declared nothing and has only its TICS certificate. */
    rule_is(supplier(doc, S1), "credentials", 0, "no accepted credential (has TICS (Valid))");
    json_decref(doc);

    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "policy", "set", "--accept", "isms:valid", NULL);
    doc = report(NULL);
    rule_is(supplier(doc, S2), "credentials", 0, "has ISMS (Declared by the supplier)");
    json_decref(doc);
}

int
main(void)
{
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_sample_file),
        cmocka_unit_test(test_parse_japanese_sentence),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_grace_accessor),
        cmocka_unit_test(test_evaluate_each_rule),
        cmocka_unit_test(test_evaluate_certificate_fallback),
        cmocka_unit_test(test_evaluate_tree),
        cmocka_unit_test(test_evaluate_tree_shapes),
    };
    const struct CMUnitTest world[] = {
        cmocka_unit_test(test_report_applies_versions),
        cmocka_unit_test(test_report_declared_credential),
    };
    int failed;

    tx_i18n_init("en");
    failed = cmocka_run_group_tests_name("policy", unit, NULL, NULL);
    return failed +
           cmocka_run_group_tests_name("policy_exchange", world, world_setup, world_teardown);
}

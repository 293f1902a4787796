/* The TICS trust chain through the library, with records signed here by real keys and the
 * clock injected: every certificate status and what produces it (valid, not yet valid,
 * expired, stale, suspended, revoked, not accredited, holder mismatch, none, unavailable), a
 * certificate signed by an unaccredited key, a forged accreditation, a withdrawn and a rotated
 * accreditation, a sector outside the body's scope, events signed by someone else; the pinned
 * key store; and verification of a granted assessment that references a certificate and
 * answers another questionnaire version than its request asked for. */
#include "harness.h"
#include "th_chain.h"
#include "tx_cell.h"
#include "tx_cert_issue.h"
#include "tx_cert_judge.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_home.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"
#include "tx_report.h"
#include "tx_seal.h"
#include "tx_trust.h"
#include "tx_util.h"
#include "tx_verify.h"

#include <jansson.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define CORP "3180001056789" /* a 13-digit corporate number with a valid check digit */

typedef struct {
    th_chain t; /* the trust set and the sequence numbers */
    tx_identity *meti, *rogue, *body, *body_new, *body_ad, *unaccredited, *supplier, *other;
} chain;

static int
chain_setup(void **state)
{
    chain *c = calloc(1, sizeof *c);

    c->t.scope = "設計部門及び製造部門 (design and manufacturing)";
    c->t.corp = CORP;

    c->meti = th_identity("METI (accreditor)");
    c->rogue = th_identity("Rogue Accreditor");
    c->body = th_identity("Japan Quality Body");
    c->body_new = th_identity("Japan Quality Body (new key)");
    c->body_ad = th_identity("Defence Audit Body");
    c->unaccredited = th_identity("Self-styled Body");
    c->supplier = th_identity("Mikawa Precision KK");
    c->other = th_identity("Other KK");
    c->t.ts.pinned = calloc(1, sizeof *c->t.ts.pinned);
    c->t.ts.pinned[0] = c->meti->pub;
    c->t.ts.n_pinned = 1;
    *state = c;
    return 0;
}

static int
chain_teardown(void **state)
{
    chain *c = *state;

    tx_trust_set_free(&c->t.ts);
    tx_identity_destroy(&c->meti);
    tx_identity_destroy(&c->rogue);
    tx_identity_destroy(&c->body);
    tx_identity_destroy(&c->body_new);
    tx_identity_destroy(&c->body_ad);
    tx_identity_destroy(&c->unaccredited);
    tx_identity_destroy(&c->supplier);
    tx_identity_destroy(&c->other);
    free(c);
    return 0;
}

/* Judges cert at `date` for the supplier; the reason must contain `needle`. */
static void
expect_at(chain *c, const uint8_t *cert, const char *date, int status, const char *needle)
{
    tx_cert_state st;
    tx_cert_info info;

    tx_cert_evaluate(&c->t.ts, cert, c->supplier->pub.sign, th_date(date), &info, &st);
    if (st.status != status) {
        fail_msg("at %s: %s (%s), expected %s", date, tx_cert_status_name(st.status), st.reason,
                 tx_cert_status_name(status));
    }
    if (needle != NULL && strstr(st.reason, needle) == NULL) {
        fail_msg("at %s: reason \"%s\" does not say \"%s\"", date, st.reason, needle);
    }
    assert_int_equal(st.at, th_date(date));
}

static void
test_valid_and_dates(void **state)
{
    chain *c = *state;
    uint8_t cert[TX_ID_LEN];
    tx_cert_info info;
    tx_cert_state st;

    th_chain_accredit(&c->t, c->meti, c->body, "all", "2023-01-01", "2030-01-01");
    th_chain_certify(&c->t, c->body, c->supplier, "JQ-2024-001", "manufacturing", "2024-04-01",
                     cert);
    th_chain_event(&c->t, c->body, cert, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT,
                   "2025-03-15", "定期報告");

    expect_at(c, cert, "2025-06-01", TX_CERT_VALID, "JQ-2024-001");
    tx_cert_evaluate(&c->t.ts, cert, c->supplier->pub.sign, th_date("2025-06-01"), &info, &st);
    assert_string_equal(info.issuer_name, "Japan Quality Body");
    assert_int_equal(info.expires, th_date("2027-04-01")); /* three years by default */
    assert_int_equal(st.last_report, th_date("2025-03-15"));
    assert_false(tx_cert_status_problem(st.status));
    /* A clock before issue, and at and after expiry. */
    expect_at(c, cert, "2024-03-31", TX_CERT_NOT_YET_VALID, "not valid before its issue date");
    expect_at(c, cert, "2024-04-01", TX_CERT_VALID, NULL);
    expect_at(c, cert, "2027-04-01", TX_CERT_EXPIRED, "expired on 2027-04-01");
    expect_at(c, cert, "2031-01-01", TX_CERT_EXPIRED, NULL);
    /* The JSON carries both moments. */
    tx_cert_state as_of;
    tx_cert_evaluate(&c->t.ts, cert, c->supplier->pub.sign, th_date("2024-05-01"), NULL, &as_of);
    json_t *j = tx_cert_json(&info, &as_of, &st);
    assert_string_equal(json_string_value(json_object_get(j, "number")), "JQ-2024-001");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "now"), "status")),
                        "valid");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "as_of"), "date")),
                        "2024-05-01");
    assert_string_equal(json_string_value(json_object_get(j, "expires")), "2027-04-01");
    json_decref(j);
}

/* A moment's state in the certificate's JSON, member by member in this order (what the report
 * writes); a state whose reason is not UTF-8 is left out as a whole, as json_pack left it out. */
static void
test_state_json(void **state)
{
    tx_cert_info info;
    tx_cert_state as_of, now;
    json_t *j;
    char *text;
    (void)state;

    memset(&info, 0, sizeof info);
    memset(&as_of, 0, sizeof as_of);
    memset(&now, 0, sizeof now);
    now.status = TX_CERT_EXPIRED;
    now.at = th_date("2027-05-01");
    now.last_report = th_date("2026-03-15");
    snprintf(now.reason, sizeof now.reason, "%s", "expired on 2027-04-01 \"「期限切れ」\"");
    as_of.status = TX_CERT_VALID;
    as_of.at = th_date("2026-04-01");
    as_of.next_report_due = th_date("2027-03-15");
    as_of.renewed = 1;
    memset(as_of.renewed_by, 0xab, sizeof as_of.renewed_by);
    snprintf(as_of.renewed_by_number, sizeof as_of.renewed_by_number, "JQ-2027-002");
    j = tx_cert_json(&info, &as_of, &now);
    assert_non_null(j);
    text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(
        text, "{\"record\":null,\"number\":null,\"holder\":null,\"issuer\":null,\"sector\":null,"
              "\"scope\":null,\"criteria_version\":null,\"issued\":null,\"expires\":null,"
              "\"renews\":null,\"as_of\":{\"date\":\"2026-04-01\",\"status\":\"valid\","
              "\"reason\":\"\",\"last_report\":null,\"next_report_due\":\"2027-03-15\","
              "\"renewed_by\":{\"record\":\""
              "abababababababababababababababababababababababababababababababab\",\"number\":"
              "\"JQ-2027-002\",\"expires\":null}},\"now\":{\"date\":\"2027-05-01\",\"status\":"
              "\"expired\",\"reason\":\"expired on 2027-04-01 \\\"「期限切れ」\\\"\","
              "\"last_report\":\"2026-03-15\",\"next_report_due\":null,\"renewed_by\":null}}");
    free(text);
    json_decref(j);
    /* A reason cut in the middle of a character. */
    snprintf(as_of.reason, sizeof as_of.reason, "%s", "期限\xe5\x88");
    j = tx_cert_json(&info, &as_of, &now);
    assert_non_null(j);
    assert_null(json_object_get(j, "as_of"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "now"), "status")),
                        "expired");
    json_decref(j);
}

static void
test_stale(void **state)
{
    chain *c = *state;
    uint8_t cert[TX_ID_LEN];

    th_chain_accredit(&c->t, c->meti, c->body, "all", "2023-01-01", "2030-01-01");
    th_chain_certify(&c->t, c->body, c->supplier, "JQ-2024-002", "manufacturing", "2024-04-01",
                     cert);
    /* No report: fresh for 365 days after issue, stale after. */
    expect_at(c, cert, "2025-04-01", TX_CERT_VALID, "no annual report due yet");
    expect_at(c, cert, "2025-04-02", TX_CERT_STALE, "none since the issue date 2024-04-01");
    /* A report resets the 12 months; a report dated after the moment judged does not count. */
    th_chain_event(&c->t, c->body, cert, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT,
                   "2025-05-01", "");
    expect_at(c, cert, "2025-04-30", TX_CERT_STALE, NULL);
    expect_at(c, cert, "2025-05-01", TX_CERT_VALID, "last annual report 2025-05-01");
    expect_at(c, cert, "2026-05-01", TX_CERT_VALID, NULL);
    expect_at(c, cert, "2026-05-02", TX_CERT_STALE, "the last was on 2025-05-01");
    /* Expiry wins over staleness. */
    expect_at(c, cert, "2027-04-02", TX_CERT_EXPIRED, NULL);
}

static void
test_suspended_then_reinstated(void **state)
{
    chain *c = *state;
    uint8_t cert[TX_ID_LEN];

    th_chain_accredit(&c->t, c->meti, c->body, "all", "2023-01-01", "2030-01-01");
    th_chain_certify(&c->t, c->body, c->supplier, "JQ-2024-003", "manufacturing", "2024-04-01",
                     cert);
    th_chain_event(&c->t, c->body, cert, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_SUSPENDED,
                   "2024-10-01", "audit findings open");
    th_chain_event(&c->t, c->body, cert, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REINSTATED,
                   "2024-12-01", "");
    expect_at(c, cert, "2024-09-30", TX_CERT_VALID, NULL);
    expect_at(c, cert, "2024-10-01", TX_CERT_SUSPENDED,
              "suspended by Japan Quality Body since "
              "2024-10-01: audit findings open");
    expect_at(c, cert, "2024-11-30", TX_CERT_SUSPENDED, NULL);
    expect_at(c, cert, "2024-12-01", TX_CERT_VALID, NULL);
}

static void
test_revoked_is_final(void **state)
{
    chain *c = *state;
    uint8_t cert[TX_ID_LEN];

    th_chain_accredit(&c->t, c->meti, c->body, "all", "2023-01-01", "2030-01-01");
    th_chain_certify(&c->t, c->body, c->supplier, "JQ-2024-004", "manufacturing", "2024-04-01",
                     cert);
    th_chain_event(&c->t, c->body, cert, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REVOKED,
                   "2024-09-01", "rules not followed");
    th_chain_event(&c->t, c->body, cert, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REINSTATED,
                   "2024-10-01", "");
    th_chain_event(&c->t, c->body, cert, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT,
                   "2025-03-01", "");
    expect_at(c, cert, "2024-08-31", TX_CERT_VALID, NULL);
    expect_at(c, cert, "2024-09-01", TX_CERT_REVOKED,
              "revoked by Japan Quality Body on 2024-09-01");
    expect_at(c, cert, "2025-06-01", TX_CERT_REVOKED, NULL);
    expect_at(c, cert, "2029-01-01", TX_CERT_REVOKED, NULL); /* also past expiry */
}

static void
test_events_by_others_do_not_count(void **state)
{
    chain *c = *state;
    uint8_t cert[TX_ID_LEN];

    th_chain_accredit(&c->t, c->meti, c->body, "all", "2023-01-01", "2030-01-01");
    th_chain_certify(&c->t, c->body, c->supplier, "JQ-2024-005", "manufacturing", "2024-04-01",
                     cert);
    /* A competitor "revokes" it; the holder "reports" for itself: neither is the issuer. */
    th_chain_event(&c->t, c->other, cert, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REVOKED,
                   "2024-05-01", "");
    th_chain_event(&c->t, c->supplier, cert, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT,
                   "2025-03-01", "");
    expect_at(c, cert, "2024-06-01", TX_CERT_VALID, NULL);
    expect_at(c, cert, "2025-04-02", TX_CERT_STALE, NULL);
}

static void
test_unaccredited_issuer(void **state)
{
    chain *c = *state;
    uint8_t cert[TX_ID_LEN];

    th_chain_certify(&c->t, c->unaccredited, c->supplier, "SELF-1", "manufacturing", "2024-04-01",
                     cert);
    expect_at(c, cert, "2024-06-01", TX_CERT_NOT_ACCREDITED,
              "is not accredited by a pinned accreditor");
    assert_true(tx_cert_status_problem(TX_CERT_NOT_ACCREDITED));
}

static void
test_forged_accreditation(void **state)
{
    chain *c = *state;
    uint8_t cert[TX_ID_LEN];
    char fp[TX_FP_LEN];

    /* A well-formed accreditation, signed by a key this home did not pin. */
    th_chain_accredit(&c->t, c->rogue, c->unaccredited, "all", "2023-01-01", "2030-01-01");
    th_chain_certify(&c->t, c->unaccredited, c->supplier, "SELF-2", "manufacturing", "2024-04-01",
                     cert);
    tx_fingerprint(c->rogue->pub.sign, fp);
    expect_at(c, cert, "2024-06-01", TX_CERT_NOT_ACCREDITED, "forged accreditation");
    expect_at(c, cert, "2024-06-01", TX_CERT_NOT_ACCREDITED, fp);
}

static void
test_no_pinned_accreditor(void **state)
{
    chain *c = *state;
    uint8_t cert[TX_ID_LEN];
    size_t pinned = c->t.ts.n_pinned;

    th_chain_accredit(&c->t, c->meti, c->body, "all", "2023-01-01", "2030-01-01");
    th_chain_certify(&c->t, c->body, c->supplier, "JQ-2024-006", "manufacturing", "2024-04-01",
                     cert);
    c->t.ts.n_pinned = 0;
    expect_at(c, cert, "2024-06-01", TX_CERT_NOT_ACCREDITED, "ticsx trust add");
    c->t.ts.n_pinned = pinned;
    expect_at(c, cert, "2024-06-01", TX_CERT_VALID, NULL);
}

static void
test_holder_is_not_the_signer(void **state)
{
    chain *c = *state;
    uint8_t cert[TX_ID_LEN];
    tx_cert_state st;

    th_chain_accredit(&c->t, c->meti, c->body, "all", "2023-01-01", "2030-01-01");
    th_chain_certify(&c->t, c->body, c->other, "JQ-2024-007", "manufacturing", "2024-04-01", cert);
    expect_at(c, cert, "2024-06-01", TX_CERT_HOLDER_MISMATCH, "held by Other KK");
    /* Without an assessment (ticsx cert verify), nobody's holding is checked. */
    tx_cert_evaluate(&c->t.ts, cert, NULL, th_date("2024-06-01"), NULL, &st);
    assert_int_equal(st.status, TX_CERT_VALID);
}

static void
test_none_and_unavailable(void **state)
{
    chain *c = *state;
    uint8_t missing[TX_ID_LEN];
    tx_cert_info info;
    tx_cert_state st;

    tx_cert_evaluate(&c->t.ts, NULL, c->supplier->pub.sign, th_date("2024-06-01"), &info, &st);
    assert_int_equal(st.status, TX_CERT_NONE);
    assert_false(info.present);
    assert_false(tx_cert_status_problem(st.status));
    json_t *j = tx_cert_json(&info, NULL, &st);
    assert_true(json_is_null(json_object_get(j, "record")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "now"), "status")),
                        "no_certificate");
    json_decref(j);

    randombytes_buf(missing, sizeof missing);
    expect_at(c, missing, "2024-06-01", TX_CERT_UNAVAILABLE, "run ticsx fetch");
}

static void
test_withdrawal_and_rotation(void **state)
{
    chain *c = *state;
    uint8_t before[TX_ID_LEN], after[TX_ID_LEN], rotated[TX_ID_LEN];

    th_chain_accredit(&c->t, c->meti, c->body, "all", "2023-01-01", "2030-01-01");
    th_chain_certify(&c->t, c->body, c->supplier, "JQ-2024-010", "manufacturing", "2024-06-01",
                     before);
    /* Withdrawn: the later accreditation (higher seq) ends on 2025-01-01. */
    th_chain_accredit(&c->t, c->meti, c->body, "all", "2023-01-01", "2025-01-01");
    th_chain_certify(&c->t, c->body, c->supplier, "JQ-2025-011", "manufacturing", "2025-02-01",
                     after);
    /* Rotated: the same body under a new key, accredited from the withdrawal on. */
    th_chain_accredit(&c->t, c->meti, c->body_new, "all", "2025-01-01", "2030-01-01");
    th_chain_certify(&c->t, c->body_new, c->supplier, "JQ-2025-012", "manufacturing", "2025-02-01",
                     rotated);

    expect_at(c, before, "2025-03-01", TX_CERT_VALID, NULL); /* keeps its verdict */
    expect_at(c, after, "2025-03-01", TX_CERT_NOT_ACCREDITED,
              "was not accredited when certificate JQ-2025-011 was issued on 2025-02-01");
    expect_at(c, rotated, "2025-03-01", TX_CERT_VALID, NULL);
}

static void
test_scope_of_accreditation(void **state)
{
    chain *c = *state;
    uint8_t mfg[TX_ID_LEN], ad[TX_ID_LEN];

    th_chain_accredit(&c->t, c->meti, c->body_ad, "aerospace-defence", "2023-01-01", "2030-01-01");
    th_chain_certify(&c->t, c->body_ad, c->supplier, "DA-001", "manufacturing", "2024-04-01", mfg);
    th_chain_certify(&c->t, c->body_ad, c->supplier, "DA-002", "aerospace-defence", "2024-04-01",
                     ad);
    expect_at(c, mfg, "2024-06-01", TX_CERT_NOT_ACCREDITED,
              "for aerospace-defence only, not for sector \"manufacturing\"");
    expect_at(c, ad, "2024-06-01", TX_CERT_VALID, NULL);
}

static void
test_certificate_rules(void **state)
{
    chain *c = *state;
    tx_certificate_pb cert = TICSX__V1__CERTIFICATE__INIT;
    tx_envelope_pb *e = NULL;
    ProtobufCMessage *m = NULL;
    uint8_t *env = NULL;
    size_t len = 0;

    cert.number = "JQ-1";
    cert.holder_key = (ProtobufCBinaryData){TX_KEY_LEN, c->supplier->pub.sign};
    cert.holder_name = "Mikawa Precision KK";
    cert.corporate_number = CORP;
    cert.scope = "本社";
    cert.sector = "manufacturing";
    cert.criteria_version = 2018;
    cert.issued = th_date("2023-04-01");
    /* Exactly three years (over 29 February 2024) is the maximum; a day more is refused. */
    cert.expires = th_date("2026-04-01");
    assert_int_equal(tx_cert_sign_certificate(c->body, 1, &cert, &env, &len), TX_OK);
    assert_int_equal(tx_envelope_open_as(env, len, TX_KIND_CERTIFICATE, &e, &m), TX_OK);
    tx_free(m);
    tx_free(e);
    free(env);
    cert.expires = th_date("2026-04-02");
    assert_int_equal(tx_cert_sign_certificate(c->body, 2, &cert, &env, &len), TX_ERR_USAGE);
    assert_non_null(strstr(tx_fail_msg(), "more than three years"));
    assert_null(env);
    /* The codec refuses it too, so no hub stores one. */
    assert_true(tx_certificate_max_expiry(th_date("2023-04-01")) == th_date("2026-04-01"));
    cert.expires = th_date("2026-03-01");
    cert.corporate_number = "4180001056789"; /* check digit wrong */
    assert_int_equal(tx_cert_sign_certificate(c->body, 3, &cert, &env, &len), TX_ERR_USAGE);
    assert_non_null(strstr(tx_fail_msg(), "check digit"));
    cert.corporate_number = CORP;
    cert.criteria_version = 2020;
    assert_int_equal(tx_cert_sign_certificate(c->body, 4, &cert, &env, &len), TX_ERR_USAGE);
    cert.criteria_version = 2024;
    cert.sector = "all";
    assert_int_equal(tx_cert_sign_certificate(c->body, 5, &cert, &env, &len), TX_ERR_USAGE);
    cert.sector = "Manufacturing!";
    assert_int_equal(tx_cert_sign_certificate(c->body, 6, &cert, &env, &len), TX_ERR_USAGE);
    cert.sector = "manufacturing";
    cert.scope = "";
    assert_int_equal(tx_cert_sign_certificate(c->body, 7, &cert, &env, &len), TX_ERR_USAGE);

    const char *bad_scope[1] = {"All Industries"};
    assert_int_equal(tx_cert_sign_accreditation(c->meti, 8, c->body->pub.sign, "Body", bad_scope, 1,
                                                th_date("2024-01-01"), th_date("2025-01-01"), NULL,
                                                &env, &len),
                     TX_ERR_USAGE);
    char scopes[] = "manufacturing, aerospace-defence";
    const char *split[TX_MAX_SCOPES];
    size_t n = 0;
    assert_int_equal(tx_cert_split_scopes(scopes, split, &n), TX_OK);
    assert_int_equal(n, 2);
    assert_string_equal(split[1], "aerospace-defence");
    assert_int_equal(tx_cert_sign_event(c->body, 9,
                                        (const uint8_t *)"0123456789abcdef0123456789abcdef", 0,
                                        th_date("2024-01-01"), NULL, &env, &len),
                     TX_ERR_USAGE);
}

/* ---- the pinned key store ---- */

static void
test_pinned_keys(void **state)
{
    chain *c = *state;
    char *home = th_tmpdir(), path[PATH_MAX], text[1024], kid[17], fp[TX_FP_LEN];
    tx_pubkey pk, *keys = NULL;
    struct stat st;
    size_t n = 0;
    int added = -1;

    snprintf(path, sizeof path, "%s/meti.pub", home);
    assert_int_equal(tx_pubkey_format(&c->meti->pub, text, sizeof text), TX_OK);
    th_write_file(path, text);
    assert_int_equal(tx_trust_add(home, path, &pk, &added), TX_OK);
    assert_int_equal(added, 1);
    assert_memory_equal(pk.sign, c->meti->pub.sign, TX_KEY_LEN);
    assert_int_equal(tx_trust_add(home, path, NULL, &added), TX_OK);
    assert_int_equal(added, 0);
    tx_key_id_hex(c->meti->pub.sign, kid);
    snprintf(path, sizeof path, "%s/trust/%s.pub", home, kid);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);

    snprintf(path, sizeof path, "%s/rogue.pub", home);
    assert_int_equal(tx_pubkey_format(&c->rogue->pub, text, sizeof text), TX_OK);
    th_write_file(path, text);
    assert_int_equal(tx_trust_add(home, path, NULL, &added), TX_OK);
    assert_int_equal(tx_trust_list(home, &keys, &n), TX_OK);
    assert_int_equal(n, 2);
    free(keys);

    /* Not a key file; a missing file. */
    snprintf(path, sizeof path, "%s/junk.pub", home);
    th_write_file(path, "untrusted comment: nothing\nAAAA\n");
    assert_int_equal(tx_trust_add(home, path, NULL, &added), TX_ERR_USAGE);
    assert_int_equal(tx_trust_add(home, "/nonexistent/x.pub", NULL, &added), TX_ERR_USAGE);

    /* Removed by fingerprint, then by key id; an unknown name is refused. */
    tx_fingerprint(c->rogue->pub.sign, fp);
    assert_int_equal(tx_trust_remove(home, fp, &pk), TX_OK);
    assert_memory_equal(pk.sign, c->rogue->pub.sign, TX_KEY_LEN);
    assert_int_equal(tx_trust_remove(home, kid, NULL), TX_OK);
    assert_int_equal(tx_trust_remove(home, kid, NULL), TX_ERR_NOT_FOUND);
    assert_int_equal(tx_trust_list(home, &keys, &n), TX_OK);
    assert_int_equal(n, 0);
    free(keys);
    th_rmtree(home);
    free(home);
}

/* ---- verification of an assessment that references a certificate ---- */

/* Caches a record with a proof marker, as a fetch that proved it would (no hub here). */
static void
cache(tx_home *home, uint8_t *env, size_t len, uint8_t *id)
{
    static uint64_t index;
    uint8_t got[TX_ID_LEN];

    assert_non_null(env);
    assert_int_equal(tx_home_cache_put(home, env, len, got), TX_OK);
    index++;
    assert_int_equal(tx_home_proof_put(home, got, index, index), TX_OK);
    if (id != NULL) {
        memcpy(id, got, TX_ID_LEN);
    }
    free(env);
}

static void
test_verify_with_certificate(void **state)
{
    chain *c = *state;
    char *dir = th_tmpdir(), path[PATH_MAX], text[1024], hex[2 * TX_ID_LEN + 1];
    tx_identity *buyer = th_identity("Example Motors KK");
    tx_questionnaire_pb *q = NULL;
    tx_home *home = NULL;
    uint8_t q1[TX_ID_LEN], q2[TX_ID_LEN], rid[TX_ID_LEN], aid[TX_ID_LEN], cid[TX_ID_LEN];
    uint8_t nonce[TX_NONCE_LEN], sealed_key[TX_SEALED_KEY_LEN];
    uint8_t *env = NULL, *inner = NULL, *ct = NULL, *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    size_t len = 0, inner_len = 0, ct_len = 0;
    uint64_t seq = 100;
    int added;
    tx_verdicts vs;

    assert_int_equal(tx_identity_save(buyer, dir, "identity"), TX_OK);
    assert_int_equal(tx_home_open(dir, &home), TX_OK);
    snprintf(path, sizeof path, "%s/meti.pub", dir);
    assert_int_equal(tx_pubkey_format(&c->meti->pub, text, sizeof text), TX_OK);
    th_write_file(path, text);
    assert_int_equal(tx_trust_add(dir, path, NULL, &added), TX_OK);

    /* The chain: METI accredits the body; the body certifies the supplier, then revokes. */
    const char *all[1] = {"all"};
    assert_int_equal(tx_cert_sign_accreditation(c->meti, 1, c->body->pub.sign, "Japan Quality Body",
                                                all, 1, th_date("2023-01-01"),
                                                th_date("2030-01-01"), NULL, &env, &len),
                     TX_OK);
    cache(home, env, len, NULL);
    tx_certificate_pb cert = TICSX__V1__CERTIFICATE__INIT;
    cert.number = "JQ-2025-100";
    cert.holder_key = (ProtobufCBinaryData){TX_KEY_LEN, c->supplier->pub.sign};
    cert.holder_name = "Mikawa Precision KK";
    cert.corporate_number = CORP;
    cert.scope = "全社";
    cert.sector = "manufacturing";
    cert.criteria_version = 2024;
    cert.issued = th_date("2025-01-10");
    assert_int_equal(tx_cert_sign_certificate(c->body, 2, &cert, &env, &len), TX_OK);
    cache(home, env, len, cid);
    assert_int_equal(
        tx_cert_sign_event(c->body, 3, cid, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REVOKED,
                           th_date("2025-09-01"), "withdrawn by the holder", &env, &len),
        TX_OK);
    cache(home, env, len, NULL);

    /* Questionnaire v1 and v2; the request asks for v2, the assessment answers v1. */
    assert_int_equal(tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, &q), TX_OK);
    q->version = 1;
    assert_int_equal(tx_questionnaire_sign(q, buyer, seq++, th_date("2025-01-01"), &env, &len),
                     TX_OK);
    cache(home, env, len, q1);
    q->version = 2;
    assert_int_equal(tx_questionnaire_sign(q, buyer, seq++, th_date("2025-01-01"), &env, &len),
                     TX_OK);
    cache(home, env, len, q2);
    q->version = 1;

    tx_request_pb r = TICSX__V1__REQUEST__INIT;
    tx_meta_pb m1 = TICSX__V1__META__INIT, m2 = TICSX__V1__META__INIT;
    tx_meta_pb m3 = TICSX__V1__META__INIT, m4 = TICSX__V1__META__INIT;
    ProtobufCBinaryData supplier = {TX_KEY_LEN, c->supplier->pub.sign};
    m1.seq = seq++;
    r.meta = &m1;
    r.questionnaire = (ProtobufCBinaryData){TX_ID_LEN, q2};
    r.suppliers = &supplier;
    r.n_suppliers = 1;
    assert_int_equal(tx_envelope_sign_msg(buyer, TX_KIND_REQUEST, &r.base, &env, &len), TX_OK);
    cache(home, env, len, rid);

    tx_assessment_pb a = TICSX__V1__ASSESSMENT__INIT;
    tx_answer_pb ans = TICSX__V1__ANSWER__INIT, *ansp = &ans;
    m2.seq = 1;
    a.meta = &m2;
    a.questionnaire = (ProtobufCBinaryData){TX_ID_LEN, q1};
    a.request = (ProtobufCBinaryData){TX_ID_LEN, rid};
    ans.item = q->items[0]->id;
    ans.choice = "yes";
    a.answers = &ansp;
    a.n_answers = 1;
    a.as_of = th_date("2025-06-01");
    a.valid_until = th_date("2026-06-01");
    a.certificate = (ProtobufCBinaryData){TX_ID_LEN, cid};
    assert_int_equal(
        tx_envelope_sign_msg(c->supplier, TX_KIND_INNER_ASSESSMENT, &a.base, &inner, &inner_len),
        TX_OK);
    assert_int_equal(tx_seal_content(inner, inner_len, q1, key, nonce, &ct, &ct_len), TX_OK);
    free(inner);
    tx_sealed_pb s = TICSX__V1__SEALED_ASSESSMENT__INIT;
    m3.seq = 2;
    s.meta = &m3;
    s.questionnaire = (ProtobufCBinaryData){TX_ID_LEN, q1};
    s.nonce = (ProtobufCBinaryData){TX_NONCE_LEN, nonce};
    s.ciphertext = (ProtobufCBinaryData){ct_len, ct};
    assert_int_equal(tx_envelope_sign_msg(c->supplier, TX_KIND_ASSESSMENT, &s.base, &env, &len),
                     TX_OK);
    cache(home, env, len, aid);
    free(ct);
    assert_int_equal(tx_seal_key(key, buyer->pub.seal, sealed_key), TX_OK);
    tx_grant_pb g = TICSX__V1__GRANT__INIT;
    m4.seq = 3;
    g.meta = &m4;
    g.assessment = (ProtobufCBinaryData){TX_ID_LEN, aid};
    g.grantee = (ProtobufCBinaryData){TX_KEY_LEN, buyer->pub.sign};
    g.sealed_key = (ProtobufCBinaryData){TX_SEALED_KEY_LEN, sealed_key};
    g.request = (ProtobufCBinaryData){TX_ID_LEN, rid};
    assert_int_equal(tx_envelope_sign_msg(c->supplier, TX_KIND_GRANT, &g.base, &env, &len), TX_OK);
    cache(home, env, len, NULL);

    /* Before the revocation: valid at as-of and now; the version mismatch is reported. */
    setenv("TICSX_NOW", "2025-07-01", 1);
    tx_hex(hex, aid, TX_ID_LEN);
    assert_int_equal(tx_verify_all(home, hex, &vs), TX_OK);
    assert_int_equal(vs.n, 1);
    assert_int_equal(vs.v[0].status, TX_VERIFIED);
    assert_true(vs.v[0].cert_checked);
    assert_int_equal(vs.v[0].cert_as_of.status, TX_CERT_VALID);
    assert_int_equal(vs.v[0].cert_now.status, TX_CERT_VALID);
    assert_true(vs.v[0].q_mismatch);
    assert_non_null(
        strstr(vs.v[0].q_mismatch_reason,
               "answers tics-selfcheck v1, but the request asked for tics-selfcheck v2"));
    assert_int_equal(tx_verify_failures(&vs), 0);
    tx_verdicts_free(&vs);

    /* After it: revoked now, still valid at as-of; verify counts it as a failure. */
    setenv("TICSX_NOW", "2025-10-01", 1);
    assert_int_equal(tx_verify_all(home, NULL, &vs), TX_OK);
    assert_int_equal(vs.n, 1);
    assert_int_equal(vs.v[0].status, TX_VERIFIED);
    assert_int_equal(vs.v[0].cert_as_of.status, TX_CERT_VALID);
    assert_int_equal(vs.v[0].cert_now.status, TX_CERT_REVOKED);
    assert_int_equal(tx_verify_failures(&vs), 1);
    assert_int_equal(tx_verdict_cert_state(&vs.v[0])->status, TX_CERT_REVOKED);

    /* The report: a CERT column within 80 columns, and the detail in JSON. */
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    assert_int_equal(tx_report_write(f, &vs, 0, 0), TX_OK);
    fclose(f);
    assert_non_null(strstr(buf, "CERT"));
    assert_non_null(strstr(buf, "revoked"));
    assert_non_null(strstr(buf, "questionnaire: answers tics-selfcheck v1"));
    for (char *line = strtok(buf, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        assert_true(tx_display_width(line) <= 80);
    }
    free(buf);
    f = open_memstream(&buf, &blen);
    assert_int_equal(tx_report_write(f, &vs, 1, 0), TX_OK);
    fclose(f);
    json_error_t jerr;
    json_t *j = json_loads(buf, 0, &jerr);
    assert_non_null(j);
    th_report_v1(j);
    {
        /* The streamed document (format 2) read back is the document the renderers read. */
        json_t *mem;
        assert_int_equal(tx_report_docs(&vs, NULL, NULL, &mem), TX_OK);
        assert_true(json_equal(j, mem));
        json_decref(mem);
    }
    json_t *row = json_array_get(
        json_object_get(json_array_get(json_object_get(j, "reports"), 0), "suppliers"), 0);
    json_t *cj = json_object_get(row, "certificate");
    assert_string_equal(json_string_value(json_object_get(cj, "number")), "JQ-2025-100");
    assert_string_equal(json_string_value(json_object_get(json_object_get(cj, "now"), "status")),
                        "revoked");
    assert_string_equal(json_string_value(json_object_get(json_object_get(cj, "as_of"), "status")),
                        "valid");
    assert_string_equal(json_string_value(json_object_get(json_object_get(cj, "issuer"), "name")),
                        "Japan Quality Body");
    assert_non_null(json_object_get(json_object_get(row, "questionnaire_mismatch"), "reason"));
    json_decref(j);
    free(buf);
    tx_verdicts_free(&vs);
    unsetenv("TICSX_NOW");

    sodium_free(key);
    tx_free(q);
    tx_home_destroy(&home);
    tx_identity_destroy(&buyer);
    th_rmtree(dir);
    free(dir);
}

/* Each test starts from an empty set of records (the pinned key stays). */
static int
fresh(void **state)
{
    chain *c = *state;

    tx_recs_clear(&c->t.ts.accreditations);
    tx_recs_clear(&c->t.ts.certificates);
    tx_recs_clear(&c->t.ts.events);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_valid_and_dates, fresh),
        cmocka_unit_test_setup(test_stale, fresh),
        cmocka_unit_test(test_state_json),
        cmocka_unit_test_setup(test_suspended_then_reinstated, fresh),
        cmocka_unit_test_setup(test_revoked_is_final, fresh),
        cmocka_unit_test_setup(test_events_by_others_do_not_count, fresh),
        cmocka_unit_test_setup(test_unaccredited_issuer, fresh),
        cmocka_unit_test_setup(test_forged_accreditation, fresh),
        cmocka_unit_test_setup(test_no_pinned_accreditor, fresh),
        cmocka_unit_test_setup(test_holder_is_not_the_signer, fresh),
        cmocka_unit_test_setup(test_none_and_unavailable, fresh),
        cmocka_unit_test_setup(test_withdrawal_and_rotation, fresh),
        cmocka_unit_test_setup(test_scope_of_accreditation, fresh),
        cmocka_unit_test_setup(test_certificate_rules, fresh),
        cmocka_unit_test_setup(test_pinned_keys, fresh),
        cmocka_unit_test_setup(test_verify_with_certificate, fresh),
    };
    return cmocka_run_group_tests_name("trust", tests, chain_setup, chain_teardown);
}

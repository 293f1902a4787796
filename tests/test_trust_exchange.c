/* The TICS trust chain through the real binaries: a real ticsx-hub on tcp://127.0.0.1:* and
 * ticsx run for an accreditor (the METI role), a certification body, a supplier and a buyer,
 * each with its own home, all enrolled. The buyer pins the accreditor's key; the accreditor
 * accredits the body; the body certifies the supplier; the supplier answers a request from an
 * XLSX sheet and its assessment references the certificate; the buyer fetches and verifies:
 * "valid". Then the body revokes the certificate and verify says "revoked" with exit 1. Also:
 * what the command line refuses (an expiry past three years, events by someone else than the
 * issuer), withdrawing an accreditation, and a check sheet imported and published. */
#include "harness.h"
#include "tx_error.h"
#include "tx_questionnaire.h"
#include "tx_util.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#include <cmocka.h>

#define METI "METI (accreditor)"
#define BODY "Japan Quality Body"
#define SUPPLIER "Mikawa Precision KK"
#define BUYER "Example Motors KK"
#define CERT_NO "JQ-2025-0042"

typedef struct {
    th_world w;
    char meti[PATH_MAX], body[PATH_MAX], supplier[PATH_MAX], buyer[PATH_MAX];
    char issued[16], request[65], assessment[65];
    int certified, answered; /* th_given: given_certified, given_answered */
} fixture;

static fixture fx;

static int
setup(void **state)
{
    (void)state;

    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.meti, "meti", METI, NULL);
    th_world_party(&fx.w, fx.body, "body", BODY, NULL);
    th_world_party(&fx.w, fx.supplier, "supplier", SUPPLIER, "3180001056789");
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, "7123456789012");
    th_world_start(&fx.w);
    /* Issued a month ago, by the real clock the binaries use. */
    tx_format_date(fx.issued, sizeof fx.issued, (int64_t)time(NULL) - 30 * 86400);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    th_world_end(&fx.w);
    return 0;
}

/* The buyer pins the accreditor; the accreditor accredits the body, which certifies the supplier
 * (CERT_NO). Made once, by the first case that needs it, so that every case also runs alone. */
static void
given_certified(void)
{
    char path[PATH_MAX + 16];
    th_result r;
    if (!th_given(&fx.certified, "accrediting the body and certifying the supplier")) {
        return;
    }

    /* The buyer pins the accreditor's public key; the list shows it. */
    snprintf(path, sizeof path, "%s/identity.pub", fx.meti);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "trust", "add", path, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "SHA256:");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "trust", "list", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, METI);
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.meti, "accredit", "--body", BODY, "--scope", "all", "--from",
             "2024-01-01", "--until", "2035-01-01", "--note", "first accreditation", NULL);
    th_expect_status(&r, 0);
    assert_int_equal(strlen(r.out), 65);
    th_result_free(&r);

    /* More than three years is refused; the default is exactly three. */
    th_ticsx(&r, &fx.w.hub, fx.body, "cert", "issue", "--holder", SUPPLIER, "--number", CERT_NO,
             "--scope", "設計・製造部門 (design and manufacturing)", "--sector", "manufacturing",
             "--criteria", "2024", "--issued", "2025-01-01", "--expires", "2028-01-02", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "more than three years");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.body, "--json", "cert", "issue", "--holder", SUPPLIER, "--number",
             CERT_NO, "--scope", "設計・製造部門 (design and manufacturing)", "--sector",
             "manufacturing", "--criteria", "2024", "--issued", fx.issued, NULL);
    th_expect_status(&r, 0);
    json_t *j = th_parse_json(r.out);
    assert_string_equal(json_string_value(json_object_get(j, "corporate_number")), "3180001056789");
    assert_string_equal(json_string_value(json_object_get(j, "holder")), SUPPLIER);
    json_decref(j);
    th_result_free(&r);
    /* The same number twice is refused. */
    th_ticsx(&r, &fx.w.hub, fx.body, "cert", "issue", "--holder", SUPPLIER, "--number", CERT_NO,
             "--scope", "x", "--sector", "manufacturing", "--criteria", "2024", "--issued",
             fx.issued, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "already issued");
    th_result_free(&r);
    /* A holder without a corporate number cannot be certified. */
    th_ticsx(&r, &fx.w.hub, fx.body, "cert", "issue", "--holder", BODY, "--number", "X-1",
             "--scope", "x", "--sector", "manufacturing", "--criteria", "2024", "--issued",
             fx.issued, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "corporate number");
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "verify", CERT_NO, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "valid on");
    th_result_free(&r);
    /* Another home that pinned nobody does not take the body's word. */
    th_ticsx(&r, &fx.w.hub, fx.supplier, "cert", "verify", CERT_NO, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "not_accredited");
    th_result_free(&r);
    th_given_made(&fx.certified);
}

static void
test_accredit_and_certify(void **state)
{
    (void)state;
    given_certified();
}

/* An answer sheet written with libxlsxwriter: every item "Implemented". */
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

/* The buyer's request, the supplier's answer referencing the certificate (fx.request,
 * fx.assessment), fetched and verified by the buyer. Made once, by the first case that needs it, so
 * that every case also runs alone. */
static void
given_answered(void)
{
    char path[PATH_MAX], tmpl[PATH_MAX];
    th_result r;
    json_t *j, *cert;
    if (!th_given(&fx.answered, "the answer referencing the certificate")) {
        return;
    }
    given_certified();

    th_ticsx(&r, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
             SUPPLIER, NULL);
    th_expect_status(&r, 0);
    memcpy(fx.request, r.out, 64);
    th_result_free(&r);

    /* The XLSX template, and an answer sheet filled in and read back. */
    snprintf(tmpl, sizeof tmpl, "%s/template.xlsx", fx.w.root);
    th_ticsx(&r, &fx.w.hub, fx.supplier, "questionnaire", "template", fx.request, "--out", tmpl,
             NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "wrote");
    th_result_free(&r);
    snprintf(path, sizeof path, "%s/answers.xlsx", fx.w.root);
    write_answers_xlsx(path);
    /* A certificate the supplier does not hold cannot be referenced. */
    th_ticsx(&r, &fx.w.hub, fx.supplier, "answer", fx.request, "--file", path, "--certificate",
             "JQ-NONE", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "no certificate JQ-NONE");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.supplier, "answer", fx.request, "--file", path, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "references TICS certificate " CERT_NO);
    memcpy(fx.assessment, r.out, 64);
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.buyer, "fetch", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "fetched 1 assessment (1 new)");
    th_expect_text(r.out, "1 certificate");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "verify", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "certificate valid");
    th_expect_text(r.out, CERT_NO);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "verify", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    cert = json_object_get(json_array_get(json_object_get(j, "assessments"), 0), "certificate");
    assert_string_equal(json_string_value(json_object_get(cert, "number")), CERT_NO);
    assert_string_equal(json_string_value(json_object_get(json_object_get(cert, "now"), "status")),
                        "valid");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(cert, "as_of"), "status")), "valid");
    json_decref(j);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "CERT");
    th_expect_text(r.out, "valid");
    th_result_free(&r);
    th_given_made(&fx.answered);
}

static void
test_answer_fetch_verify(void **state)
{
    (void)state;
    given_answered();
}

static void
test_revoked(void **state)
{
    th_result r;
    json_t *j, *cert;
    (void)state;

    given_answered();

    /* Only the issuer records events. */
    th_ticsx(&r, &fx.w.hub, fx.supplier, "cert", "revoke", CERT_NO, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "only its issuer");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.body, "cert", "reinstate", CERT_NO, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "not suspended");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.body, "cert", "report", CERT_NO, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.body, "cert", "revoke", CERT_NO, "--note", "rules not followed",
             NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "revoked");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.body, "cert", "suspend", CERT_NO, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "is revoked");
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.buyer, "fetch", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "verify", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "certificate revoked");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "report", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    cert = json_object_get(json_array_get(json_object_get(th_report_doc(j), "suppliers"), 0),
                           "certificate");
    assert_string_equal(json_string_value(json_object_get(json_object_get(cert, "now"), "status")),
                        "revoked");
    th_expect_text(json_string_value(json_object_get(json_object_get(cert, "now"), "reason")),
                   "rules not followed");
    json_decref(j);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "verify", CERT_NO, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "revoked");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "show", CERT_NO, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "annual report");
    th_expect_text(r.out, "revoked: rules not followed");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "list", "--holder", SUPPLIER, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, CERT_NO);
    th_expect_text(r.out, " Revoked\n");
    th_result_free(&r);
}

static void
test_withdraw_and_import(void **state)
{
    char sheet[PATH_MAX], out[PATH_MAX];
    th_result r;
    (void)state;

    given_certified();

    th_ticsx(&r, &fx.w.hub, fx.meti, "accredit", "--body", BODY, "--withdraw", "--until",
             "2036-01-01", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "after the end of the current accreditation");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.meti, "accredit", "--body", BODY, "--withdraw", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    /* A certificate issued from now on is refused; the revoked one stays revoked. */
    th_ticsx(&r, &fx.w.hub, fx.body, "cert", "issue", "--holder", SUPPLIER, "--number", "JQ-LATE",
             "--scope", "全社", "--sector", "manufacturing", "--criteria", "2024", "--issued",
             "2099-01-01", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "verify", "JQ-LATE", "--at", "2099-02-01", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "was not accredited when");
    th_result_free(&r);

    /* A check sheet, imported and published; then usable by name. */
    snprintf(sheet, sizeof sheet, "%s/sheet.csv", fx.w.root);
    snprintf(out, sizeof out, "%s/sheet.json", fx.w.root);
    th_write_file(sheet, "\xEF\xBB\xBFid,area,level,text ja,text en,weight\r\n"
                         "G-1,ガバナンス,1,責任者を置く,A manager is appointed,3\r\n"
                         "G-2,ガバナンス,2,年1回見直す,Reviewed yearly,2\r\n");
    th_ticsx(&r, &fx.w.hub, fx.buyer, "questionnaire", "import", sheet, "--id", "buyer-sheet",
             "--version", "1", "--out", out, "--publish", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "signed and published");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.supplier, "questionnaire", "list", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "buyer-sheet v1");
    th_result_free(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accredit_and_certify),
        cmocka_unit_test(test_answer_fetch_verify),
        cmocka_unit_test(test_revoked),
        cmocka_unit_test(test_withdraw_and_import),
    };
    return cmocka_run_group_tests_name("trust exchange", tests, setup, teardown);
}

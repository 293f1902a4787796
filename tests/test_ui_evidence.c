/* Evidence files opened from the web UI (GET /api/evidence) through its dispatcher, over a
 * real ticsx-hub: a supplier answers with a PDF and an HTML file attached; the buyer's page
 * gets the PDF's bytes with its media type and a download name, the HTML file as bytes to save
 * (never text/html in the UI's origin), a 404 for a name or an assessment it does not hold, a
 * 400 for a bad id; and, after a piece of the PDF is damaged in the buyer's cache, a refusal
 * rather than the altered bytes (only checked files are handed out). */
#include "harness.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_ui_app.h"
#include "tx_ui_http.h"
#include "tx_util.h"

#include <dirent.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#define BUYER "Example Motors KK"
#define SUP "Okazaki Parts KK"
#define PDF_SIZE (300 * 1024)

static struct {
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], request[65], assessment[65];
    char pdf[PATH_MAX + 16], html[PATH_MAX + 16];
    unsigned char *pdf_bytes;
    tx_ui_app *app;
} fx;

/* GET target; fails unless the status is `status`. *rs keeps the response (caller clears). */
static void
get(const char *target, int status, tx_ui_resp *rs)
{
    tx_ui_dispatch(fx.app, "GET", target, NULL, 0, rs);
    if ((rs->status ? rs->status : 200) != status) {
        char *text = rs->json != NULL ? json_dumps(rs->json, 0) : NULL;
        fail_msg("GET %s: status %d, expected %d: %s", target, rs->status, status,
                 text != NULL ? text : "(raw body)");
    }
}

static void
write_bytes(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static int
setup(void **state)
{
    char answers[PATH_MAX + 16];
    json_t *j, *arr;
    th_result r;
    (void)state;

    assert_int_equal(tx_i18n_init("en"), TX_OK);
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, NULL);
    th_world_party(&fx.w, fx.sup, "sup", SUP, NULL);
    th_world_start(&fx.w);
    th_ticsx_id(fx.request, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck",
                "--to", SUP, NULL);

    /* A "PDF" of pseudo-random bytes (several pieces), and an HTML file with a script. */
    snprintf(fx.pdf, sizeof fx.pdf, "%s/certificate.pdf", fx.w.root);
    snprintf(fx.html, sizeof fx.html, "%s/page.html", fx.w.root);
    fx.pdf_bytes = malloc(PDF_SIZE);
    assert_non_null(fx.pdf_bytes);
    memcpy(fx.pdf_bytes, "%PDF-1.7\n", 9);
    for (size_t i = 9; i < PDF_SIZE; i++) {
        fx.pdf_bytes[i] = (unsigned char)((i * 2654435761u) >> 13);
    }
    write_bytes(fx.pdf, fx.pdf_bytes, PDF_SIZE);
    th_write_file(fx.html, "<html><script>fetch('/api/session')</script></html>\n");

    snprintf(answers, sizeof answers, "%s/answers.json", fx.w.root);
    th_ticsx_expect(0, &fx.w.hub, fx.sup, "questionnaire", "template", fx.request, "--format",
                    "json", "--out", answers, NULL);
    {
        char *text = th_read_file(answers);
        j = th_parse_json(text);
        free(text);
    }
    arr = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer", json_string("yes"));
    }
    assert_int_equal(json_dump_file(j, answers, 0), 0);
    json_decref(j);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.request, "--file", answers, "--evidence", fx.pdf,
             "--evidence", fx.html, NULL);
    th_expect_status(&r, 0);
    memcpy(fx.assessment, r.out, 64);
    fx.assessment[64] = 0;
    th_result_free(&r);
    {
        tx_client_opts opts = {fx.buyer, fx.w.hub.endpoint, fx.w.hub.key, 20000};
        json_t *body = json_object();
        tx_ui_resp rs;
        assert_int_equal(tx_ui_app_open(&opts, &fx.app), TX_OK);
        tx_ui_dispatch(fx.app, "POST", "/api/fetch", body, 0, &rs);
        assert_int_equal(rs.status ? rs.status : 200, 200);
        tx_ui_resp_clear(&rs);
        json_decref(body);
    }
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    tx_ui_app_close(&fx.app);
    th_world_end(&fx.w);
    free(fx.pdf_bytes);
    return 0;
}

static void
test_checked_file_served(void **state)
{
    char target[512];
    tx_ui_resp rs;
    (void)state;

    snprintf(target, sizeof target, "/api/evidence?assessment=%s&name=certificate.pdf",
             fx.assessment);
    get(target, 200, &rs);
    assert_int_equal(rs.len, PDF_SIZE);
    assert_memory_equal(rs.body, fx.pdf_bytes, PDF_SIZE);
    assert_string_equal(rs.type, "application/pdf");
    assert_string_equal(rs.filename, "certificate.pdf");
    tx_ui_resp_clear(&rs);
}

/* The supplier's HTML never runs in the UI's origin: it comes as bytes to save. */
static void
test_html_served_as_bytes(void **state)
{
    char target[512];
    tx_ui_resp rs;
    (void)state;

    snprintf(target, sizeof target, "/api/evidence?assessment=%s&name=page.html", fx.assessment);
    get(target, 200, &rs);
    assert_string_equal(rs.type, "application/octet-stream");
    assert_string_equal(rs.filename, "page.html");
    assert_non_null(memmem(rs.body, rs.len, "<script>", 8));
    tx_ui_resp_clear(&rs);
}

static void
test_bad_requests(void **state)
{
    char target[512];
    tx_ui_resp rs;
    (void)state;

    snprintf(target, sizeof target, "/api/evidence?assessment=%s&name=other.pdf", fx.assessment);
    get(target, 404, &rs);
    tx_ui_resp_clear(&rs);
    get("/api/evidence?assessment="
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff&name=certificate.pdf",
        404, &rs);
    tx_ui_resp_clear(&rs);
    get("/api/evidence?assessment=xyz&name=certificate.pdf", 400, &rs);
    tx_ui_resp_clear(&rs);
    snprintf(target, sizeof target, "/api/evidence?assessment=%s", fx.assessment);
    get(target, 400, &rs);
    tx_ui_resp_clear(&rs);
    /* No route writes: POST is refused. */
    tx_ui_dispatch(fx.app, "POST", "/api/evidence", NULL, 0, &rs);
    assert_true(rs.status == 405 || rs.status == 404);
    tx_ui_resp_clear(&rs);
}

/* Every large record in the buyer's cache (the PDF's pieces) damaged in one byte: the page
 * gets a refusal, never the altered bytes; restored, the file is served again. */
static void
test_damaged_piece_refused(void **state)
{
    char target[512];
    size_t n;
    tx_ui_resp rs;
    (void)state;

    n = th_cache_flip(fx.buyer, 40 * 1024, 10, 0);
    assert_true(n >= 1);

    snprintf(target, sizeof target, "/api/evidence?assessment=%s&name=certificate.pdf",
             fx.assessment);
    tx_ui_dispatch(fx.app, "GET", target, NULL, 0, &rs);
    assert_int_not_equal(rs.status ? rs.status : 200, 200);
    assert_null(rs.body);
    assert_non_null(rs.json);
    tx_ui_resp_clear(&rs);

    th_cache_flip(fx.buyer, 40 * 1024, 10, 1); /* restored (the page may have fetched some) */
    get(target, 200, &rs);
    assert_int_equal(rs.len, PDF_SIZE);
    tx_ui_resp_clear(&rs);
}

/* The supplier page lists the files with their status (the row's "evidence"). */
static void
test_supplier_page_lists_files(void **state)
{
    tx_ui_resp rs;
    json_t *ev;
    (void)state;

    get("/api/dashboard", 200, &rs);
    const char *key = json_string_value(
        json_object_get(json_array_get(json_object_get(rs.json, "rows"), 0), "key"));
    char target[128];
    snprintf(target, sizeof target, "/api/supplier/%s", key);
    tx_ui_resp_clear(&rs);
    get(target, 200, &rs);
    ev = json_object_get(json_object_get(rs.json, "row"), "evidence");
    assert_int_equal(json_array_size(ev), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "status")),
                        "checked");
    tx_ui_resp_clear(&rs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checked_file_served),
        cmocka_unit_test(test_html_served_as_bytes),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_damaged_piece_refused),
        cmocka_unit_test(test_supplier_page_lists_files),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

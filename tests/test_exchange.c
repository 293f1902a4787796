/* The whole exchange through the real binaries: a real ticsx-hub (LMDB, CURVE, ZAP) on
 * tcp://127.0.0.1:*, and ticsx run as a subprocess for a buyer, two suppliers and an outsider,
 * each with its own home. Request, template, answer, fetch, verify, report with exact scores;
 * then what must fail: an outsider reading, a damaged cache, an unreachable hub, an
 * unenrolled organisation, a bad answers file. */
#include "harness.h"
#include "tx_cell.h"
#include "tx_csv.h"
#include "tx_error.h"
#include "tx_questionnaire.h"
#include "tx_util.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#define BUYER "Example Motors KK"
#define S1 "Tanaka Seiko KK"
#define S2 "株式会社 山田製作所"
#define OUTSIDER "Outsider Trading Ltd"

typedef struct {
    th_world w;
    char buyer[PATH_MAX], s1[PATH_MAX], s2[PATH_MAX], outsider[PATH_MAX], stranger[PATH_MAX];
    char request[65];
    char a1[65], a2[65];
    char s2_fp[64];
    int exchanged; /* th_given: the exchange of given_exchange */
} fixture;

static fixture fx;

static int
setup(void **state)
{
    (void)state;

    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, "7123456789012");
    th_world_party(&fx.w, fx.s1, "s1", S1, NULL);
    th_world_party(&fx.w, fx.s2, "s2", S2, "3700000000001");
    th_world_party(&fx.w, fx.outsider, "outsider", OUTSIDER, NULL);
    th_party(NULL, th_world_home(&fx.w, fx.stranger, "stranger"), "Not Enrolled KK", NULL);
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

/* Lists the directory as the buyer: the four enrolled organisations; keeps supplier 2's
 * fingerprint for requests by fingerprint. */
static void
read_directory(void)
{
    th_result r;
    json_t *j, *orgs;

    th_ticsx(&r, &fx.w.hub, fx.buyer, "orgs", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    orgs = json_object_get(j, "organisations");
    assert_int_equal(json_array_size(orgs), 4);
    for (size_t i = 0; i < json_array_size(orgs); i++) {
        json_t *o = json_array_get(orgs, i);
        if (strcmp(json_string_value(json_object_get(o, "name")), S2) == 0) {
            snprintf(fx.s2_fp, sizeof fx.s2_fp, "%s",
                     json_string_value(json_object_get(o, "fingerprint")));
        }
    }
    assert_true(strncmp(fx.s2_fp, "SHA256:", 7) == 0);
    json_decref(j);
    th_result_free(&r);
}

static void
test_identity_and_directory(void **state)
{
    th_result r;
    json_t *j;
    (void)state;

    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "whoami", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_string_equal(json_string_value(json_object_get(j, "name")), BUYER);
    assert_string_equal(json_string_value(json_object_get(j, "corporate_number")), "7123456789012");
    json_decref(j);
    th_result_free(&r);

    read_directory();

    th_ticsx(&r, &fx.w.hub, fx.buyer, "keygen", "--name", "Again", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "already exists");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.stranger, "keygen", "--name", "X", "--corporate-number",
             "1234567890123", NULL);
    th_expect_status(&r, 2);
    th_result_free(&r);
}

/* Fills a CSV template's answer column with `answer` for every item. */
static void
fill_csv(const char *in, const char *out, const char *answer)
{
    char *text = th_read_file(in);
    FILE *f = fopen(out, "w");
    tx_csv *csv;
    char **fields;
    size_t n;
    unsigned line;
    int first = 1;

    assert_non_null(f);
    assert_int_equal(tx_csv_open(text, strlen(text), &csv), TX_OK);
    fputs("\xEF\xBB\xBF", f);
    while (tx_csv_next(csv, &fields, &n, &line) == TX_OK) {
        if (n == 1 && fields[0][0] == 0) {
            break; /* the blank line before the sub-suppliers' section: none listed */
        }
        assert_int_equal(n, 12); /* ... answer, comment, then the plan columns */
        if (!first) {
            fields[6] = (char *)answer;
            fields[7] = "kept in the safe, see rule 4.2";
        }
        first = 0;
        tx_csv_write(f, (const char *const *)fields, n);
    }
    tx_csv_destroy(&csv);
    fclose(f);
    free(text);
}

static const char *const pattern[] = {"yes",         "partly", "no",      "na",
                                      "Implemented", "YES",    "一部実施"};
static const int pattern_permille[] = {1000, 500, 0, -1, 1000, 1000, 500};
#define PATTERN_N (sizeof pattern / sizeof pattern[0])

/* Fills a JSON template's answers with the pattern above, by position. */
static void
fill_json(const char *path)
{
    char *text = th_read_file(path);
    json_t *j = th_parse_json(text);
    json_t *arr = json_object_get(j, "answers");

    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer", json_string(pattern[i % PATTERN_N]));
    }
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    free(text);
}

/* The exchange the later cases read from: the buyer's request to both suppliers, their
 * answers (fx.request, fx.a1, fx.a2), and the buyer's fetched and verified cache. Made once, by
 * the first case that needs it, so that every case also runs alone. */
static void
given_exchange(void)
{
    char path[PATH_MAX], filled[PATH_MAX], to[256], prefix[11];
    th_result r;

    if (!th_given(&fx.exchanged, "the exchange")) {
        return;
    }
    if (fx.s2_fp[0] == 0) {
        read_directory();
    }

    /* The buyer asks both suppliers, one by name and one by fingerprint. */
    snprintf(to, sizeof to, "%s,%s", S1, fx.s2_fp);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to", to,
             "--due", "2099-03-31", "--note", "for the 2025 supplier review", NULL);
    th_expect_status(&r, 0);
    assert_int_equal(strlen(r.out), 65);
    memcpy(fx.request, r.out, 64);
    th_expect_text(r.err, "published now");
    th_result_free(&r);

    /* A second request pins the questionnaire already published instead of a new copy. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "request", "--questionnaire", "tics-selfcheck",
             "--to", S1, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"published\": false");
    th_result_free(&r);

    /* Supplier 1 sees it in its inbox, once; the cursor remembers. */
    th_ticsx(&r, &fx.w.hub, fx.s1, "-q", "inbox", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, fx.request);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.s1, "inbox", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "nothing new");
    th_result_free(&r);

    /* Template by request prefix, every item "yes". */
    memcpy(prefix, fx.request, 10);
    prefix[10] = 0;
    snprintf(path, sizeof path, "%s/s1-template.csv", fx.w.root);
    snprintf(filled, sizeof filled, "%s/s1-answers.csv", fx.w.root);
    th_ticsx(&r, &fx.w.hub, fx.s1, "questionnaire", "template", prefix, "--out", path, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.s1, "questionnaire", "template", prefix, "--out", path, NULL);
    th_expect_status(&r, 2); /* never overwrites a file that may hold answers */
    th_result_free(&r);
    fill_csv(path, filled, "yes");
    th_ticsx(&r, &fx.w.hub, fx.s1, "answer", prefix, "--file", filled, NULL);
    th_expect_status(&r, 0);
    assert_int_equal(strlen(r.out), 65);
    memcpy(fx.a1, r.out, 64);
    th_result_free(&r);

    /* Supplier 2 answers from a JSON template with a mix of codes and labels. */
    snprintf(path, sizeof path, "%s/s2.json", fx.w.root);
    th_ticsx(&r, &fx.w.hub, fx.s2, "questionnaire", "template", fx.request, "--format", "json",
             "--out", path, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    fill_json(path);
    th_ticsx(&r, &fx.w.hub, fx.s2, "answer", fx.request, "--file", path, "--valid-until",
             "2099-12-31", NULL);
    th_expect_status(&r, 0);
    memcpy(fx.a2, r.out, 64);
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.s1, "--json", "inbox", "--all", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"answered\": true");
    th_result_free(&r);

    /* The buyer fetches and verifies both on its own machine. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "inbox", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, S1);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "fetch", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "fetched 2 assessments (2 new)");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "verify", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "verified");
    assert_null(strstr(r.out, "failed"));
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "-q", "verify", fx.a1, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, fx.a1);
    th_result_free(&r);
    th_given_made(&fx.exchanged);
}

static void
test_full_exchange(void **state)
{
    (void)state;
    given_exchange();
}

/* Expected area scores for supplier 2, computed here in integers from the questionnaire. */
static void
check_s2_scores(json_t *sup)
{
    tx_questionnaire_pb *q = NULL;
    json_t *areas = json_object_get(sup, "areas");
    uint64_t all_earned = 0, all_weight = 0;

    assert_int_equal(tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, &q), TX_OK);
    assert_int_equal(json_array_size(areas), q->n_areas);
    for (size_t a = 0; a < q->n_areas; a++) {
        json_t *ja = json_array_get(areas, a);
        uint64_t earned = 0, weight = 0;
        for (size_t i = 0; i < q->n_items; i++) {
            int p = pattern_permille[i % PATTERN_N];
            if (strcmp(q->items[i]->area, q->areas[a]->id) != 0 || p < 0) {
                continue;
            }
            earned += (uint64_t)q->items[i]->weight * (uint64_t)p;
            weight += q->items[i]->weight;
        }
        all_earned += earned;
        all_weight += weight;
        assert_string_equal(json_string_value(json_object_get(ja, "id")), q->areas[a]->id);
        if (weight == 0) {
            assert_true(json_is_null(json_object_get(ja, "score")));
            continue;
        }
        /* Tenths of a percent, rounded half up: 1000 * earned / (1000 * weight) * 100. */
        uint64_t tenths = (earned * 1000 + weight * 500) / (weight * 1000);
        double want = (double)tenths / 10.0;
        double got = json_real_value(json_object_get(ja, "score"));
        if (fabs(got - want) > 1e-9) {
            fail_msg("area %s: score %.3f, expected %.1f", q->areas[a]->id, got, want);
        }
    }
    uint64_t tenths = (all_earned * 1000 + all_weight * 500) / (all_weight * 1000);
    assert_true(fabs(json_number_value(json_object_get(sup, "overall")) - (double)tenths / 10.0) <
                1e-9);
    assert_int_equal(json_integer_value(json_object_get(sup, "level_achieved")), 0);
    assert_int_equal(json_integer_value(json_object_get(sup, "unanswered")), 0);
    tx_free(q);
}

static void
test_report(void **state)
{
    th_result r;
    json_t *j, *sups;
    int seen1 = 0, seen2 = 0;
    (void)state;

    given_exchange();

    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", "--format", "json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    sups = json_object_get(th_report_doc(j), "suppliers");
    assert_int_equal(json_array_size(sups), 2);
    for (size_t i = 0; i < json_array_size(sups); i++) {
        json_t *s = json_array_get(sups, i);
        const char *name = json_string_value(json_object_get(s, "name"));
        json_t *areas = json_object_get(s, "areas");

        assert_string_equal(json_string_value(json_object_get(s, "status")), "verified");
        assert_true(json_is_null(json_object_get(s, "reason")));
        assert_string_equal(json_string_value(json_object_get(s, "request")), fx.request);
        assert_int_equal(json_array_size(areas), 8);
        if (strcmp(name, S1) == 0) {
            seen1 = 1;
            assert_string_equal(json_string_value(json_object_get(s, "assessment")), fx.a1);
            for (size_t a = 0; a < 8; a++) {
                assert_true(json_real_value(json_object_get(json_array_get(areas, a), "score")) ==
                            100.0);
            }
            assert_true(json_real_value(json_object_get(s, "overall")) == 100.0);
            assert_int_equal(json_integer_value(json_object_get(s, "level_achieved")), 2);
        } else {
            assert_string_equal(name, S2);
            seen2 = 1;
            assert_string_equal(json_string_value(json_object_get(s, "fingerprint")), fx.s2_fp);
            assert_string_equal(json_string_value(json_object_get(s, "valid_until")), "2099-12-31");
            check_s2_scores(s);
        }
    }
    assert_true(seen1 && seen2);
    json_decref(j);
    th_result_free(&r);

    /* The table fits 80 columns, Japanese names included. */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "report", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, S1);
    th_expect_text(r.out, S2);
    th_expect_text(r.out, "A8");
    for (char *line = strtok(r.out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (tx_display_width(line) > 80) {
            fail_msg("line wider than 80 columns: %s", line);
        }
    }
    th_result_free(&r);
}

static void
test_outsider_cannot_read(void **state)
{
    th_result r;
    (void)state;

    given_exchange();

    /* The hub shows an enrolled outsider neither the grant nor the assessment. */
    th_ticsx(&r, &fx.w.hub, fx.outsider, "fetch", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "fetched 0 assessments");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.outsider, "verify", fx.a1, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "not been granted");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.outsider, "answer", fx.request, "--file", "/dev/null", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "not found");
    th_result_free(&r);

    /* Handed the buyer's records and proof markers, it still cannot read them: the grant names
     * the buyer. */
    th_cache_copy(fx.buyer, fx.outsider);
    th_ticsx(&r, &fx.w.hub, fx.outsider, "verify", fx.a1, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "not granted to this organisation");
    th_result_free(&r);
}

static void
test_damaged_cache_refused_then_repaired(void **state)
{
    char want[128];
    uint8_t *good = NULL, *bad, *back = NULL;
    size_t len = 0, back_len = 0;
    th_result r;
    (void)state;

    given_exchange();

    /* One bit of the stored value flipped with LMDB itself, as a crash or a disk could. */
    assert_true(th_cache_get(fx.buyer, "records", fx.a2, &good, &len));
    bad = malloc(len);
    memcpy(bad, good, len);
    bad[40] ^= 0x10;
    th_cache_set(fx.buyer, "records", fx.a2, bad, len);
    snprintf(want, sizeof want, "failed: cached assessment %.12s is", fx.a2);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "verify", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, want); /* the table wraps the rest of the message */
    th_expect_text(r.out, "damaged: run ticsx fetch");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "fetch", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    assert_true(th_cache_get(fx.buyer, "records", fx.a2, &back, &back_len));
    assert_int_equal(back_len, len);
    assert_memory_equal(back, good, len);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "verify", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    free(good);
    free(bad);
    free(back);
}

static int
closed_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    close(s);
    return ntohs(a.sin_port);
}

static void
test_unreachable_hub(void **state)
{
    char ep[64];
    th_result r;
    (void)state;

    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", closed_port());
    th_ticsx(&r, &fx.w.hub, fx.buyer, "--hub", ep, "--timeout", "300", "fetch", NULL);
    th_expect_status(&r, 3);
    th_expect_text(r.err, ep);
    th_expect_text(r.err, "no answer within 300 ms");
    th_result_free(&r);

    /* Without a hub key there is nothing to connect with: a usage error. */
    {
        char env_hub[300];
        const char *const env[] = {env_hub, NULL};
        const th_ticsx_opts opts = {.env = env};

        snprintf(env_hub, sizeof env_hub, "TICSX_HUB=%s", fx.w.hub.endpoint);
        th_ticsx_with(&r, &opts, fx.buyer, "ping", NULL);
        th_expect_status(&r, 2);
        th_expect_text(r.err, "--hub-key");
        th_result_free(&r);
    }
}

static void
test_unenrolled_refused(void **state)
{
    th_result r;
    (void)state;

    th_ticsx(&r, &fx.w.hub, fx.stranger, "ping", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "not enrolled");
    th_result_free(&r);
}

static void
test_bad_answers_file(void **state)
{
    char path[PATH_MAX];
    th_result r;
    (void)state;

    given_exchange();

    snprintf(path, sizeof path, "%s/bad.csv", fx.w.root);
    th_write_file(path, "\xEF\xBB\xBFitem,answer,comment\r\n"
                        "A1-01,yes,\r\n"
                        "A1-02,\"partly\",\"two\r\nlines\"\r\n"
                        "A1-03,sometimes,\r\n");
    th_ticsx(&r, &fx.w.hub, fx.s2, "answer", fx.request, "--file", path, "--allow-missing", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "line 5 (A1-03)");
    th_expect_text(r.err, "sometimes");
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
             "Nobody KK", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "Nobody KK");
    th_expect_text(r.err, S1);
    th_result_free(&r);
}

#define NOTE_SECRET "KIWI-5521: bring the 2025 plant audit findings"

/* A request's note is sealed to the suppliers addressed: the hub's file never holds it, the
 * supplier's inbox shows it, and members not addressed get no request at all. */
static void
test_request_note_sealed(void **state)
{
    char id[65], path[PATH_MAX + 16];
    const char *others[] = {fx.s2, fx.outsider};
    th_result r;
    json_t *j, *reqs;
    int seen = 0;
    (void)state;

    th_ticsx(&r, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to", S1,
             "--note", NOTE_SECRET, NULL);
    th_expect_status(&r, 0);
    memcpy(id, r.out, 64);
    id[64] = 0;
    th_result_free(&r);
    snprintf(path, sizeof path, "%s/data.mdb", fx.w.hub.dir);
    assert_true(th_file_holds(path, BUYER)); /* the file is readable and holds profiles */
    assert_false(th_file_holds(path, "KIWI-5521"));

    th_ticsx(&r, &fx.w.hub, fx.s1, "--json", "inbox", "--all", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    reqs = json_object_get(j, "requests");
    for (size_t i = 0; i < json_array_size(reqs); i++) {
        json_t *q = json_array_get(reqs, i);
        if (strcmp(json_string_value(json_object_get(q, "id")), id) == 0) {
            assert_string_equal(json_string_value(json_object_get(q, "note")), NOTE_SECRET);
            seen = 1;
        }
    }
    assert_true(seen);
    json_decref(j);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.s1, "inbox", "--all", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "note: KIWI-5521");
    th_result_free(&r);

    for (size_t i = 0; i < 2; i++) {
        th_ticsx(&r, &fx.w.hub, others[i], "--json", "inbox", "--all", NULL);
        th_expect_status(&r, 0);
        assert_null(strstr(r.out, id));
        assert_null(strstr(r.out, "KIWI"));
        th_result_free(&r);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_and_directory),
        cmocka_unit_test(test_full_exchange),
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_request_note_sealed),
        cmocka_unit_test(test_outsider_cannot_read),
        cmocka_unit_test(test_damaged_cache_refused_then_repaired),
        cmocka_unit_test(test_unreachable_hub),
        cmocka_unit_test(test_unenrolled_refused),
        cmocka_unit_test(test_bad_answers_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

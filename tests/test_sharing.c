/* Sharing that does what people expect, through the real ticsx and ticsx-hub binaries (a real
 * hub with LMDB and CURVE, each party its own home): a revocation covers every version of an
 * assessment line, at the hub too (the fetch of a superseded version and of its evidence is
 * refused); forwarding a request twice asks no supplier twice; `answer` leaves out a certificate
 * not in force unless named; `ticsx assessments` shows where each version is shared. */
#include "harness.h"
#include "tx_client.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_rpc.h"
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

#define B1 "Example Motors KK"
#define B2 "Nagoya Assembly KK"
#define SUP "Tanaka Seiko KK"
#define SUB "Okazaki Plating KK"
#define SUB2 "Gifu Spring KK"
#define METI "METI Accreditation"
#define BODY "Japan Quality Body"

typedef struct {
    th_world w;
    char b1[PATH_MAX], b2[PATH_MAX], sup[PATH_MAX], sub[PATH_MAX], sub2[PATH_MAX];
    char meti[PATH_MAX], body[PATH_MAX];
    char note[PATH_MAX];
} fixture;

static fixture fx;

static int
setup(void **state)
{
    (void)state;
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.b1, "b1", B1, NULL);
    th_world_party(&fx.w, fx.b2, "b2", B2, NULL);
    th_world_party(&fx.w, fx.sup, "sup", SUP, "3180001056789");
    th_world_party(&fx.w, fx.sub, "sub", SUB, NULL);
    th_world_party(&fx.w, fx.sub2, "sub2", SUB2, NULL);
    th_world_party(&fx.w, fx.meti, "meti", METI, NULL);
    th_world_party(&fx.w, fx.body, "body", BODY, NULL);
    th_world_start(&fx.w);
    snprintf(fx.note, sizeof fx.note, "%s/isms.txt", fx.w.root);
    th_write_file(fx.note, "ISMS certificate IS 123456, valid until 2027-03-31\n");
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    th_world_end(&fx.w);
    return 0;
}

static tx_client *
client_of(const char *home)
{
    tx_client_opts o = {.home = home, .endpoint = fx.w.hub.endpoint, .hub_key = fx.w.hub.key};
    tx_client *c = NULL;

    assert_int_equal(tx_client_open(&o, &c), TX_OK);
    return c;
}

/* What the hub answers `home` asking for record `hex` as `kind`: TX_OK or TX_ERR_NOT_FOUND. */
static int
get_status(const char *home, const char *hex, int kind)
{
    tx_client *c = client_of(home);
    uint8_t id[TX_ID_LEN];
    tx_rec rec = {0};
    int got = -1;

    assert_int_equal(tx_unhex(id, TX_ID_LEN, hex), TX_OK);
    assert_int_equal(tx_rpc_get(c, 1, (const uint8_t(*)[TX_ID_LEN])id, &kind, &rec, &got), TX_OK);
    tx_rec_clear(&rec);
    tx_client_destroy(&c);
    return got;
}

/* The first evidence chunk the sealed assessment `aid` lists, as the supplier gets it. */
static void
first_chunk(const char *aid, char out[65])
{
    tx_client *c = client_of(fx.sup);
    uint8_t id[TX_ID_LEN];
    int kind = TX_KIND_ASSESSMENT, got = -1;
    tx_rec rec = {0};
    const tx_sealed_pb *s;

    assert_int_equal(tx_unhex(id, TX_ID_LEN, aid), TX_OK);
    assert_int_equal(tx_rpc_get(c, 1, (const uint8_t(*)[TX_ID_LEN])id, &kind, &rec, &got), TX_OK);
    assert_int_equal(got, TX_OK);
    s = (const tx_sealed_pb *)rec.msg;
    assert_true(s->n_evidence > 0);
    tx_hex(out, s->evidence[0].data, TX_ID_LEN);
    tx_rec_clear(&rec);
    tx_client_destroy(&c);
}

/* home's fingerprint (whoami). */
static void
fingerprint_of(const char *home, char *out, size_t n)
{
    th_result r;
    json_t *j;

    th_ticsx(&r, &fx.w.hub, home, "--json", "whoami", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    snprintf(out, n, "%s", json_string_value(json_object_get(j, "fingerprint")));
    json_decref(j);
    th_result_free(&r);
}

/* A JSON answers file for request `req`: every item "yes"; with `sub` (a home, may be NULL)
 * listed as a sub-supplier by its key. */
static void
answers_file(const char *req, const char *path, const char *sub)
{
    char fp[128];

    th_result r;
    json_t *j, *arr;
    char *text;

    th_ticsx(&r, &fx.w.hub, fx.sup, "questionnaire", "template", req, "--format", "json", "--out",
             path, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    text = th_read_file(path);
    j = th_parse_json(text);
    free(text);
    arr = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer", json_string("yes"));
    }
    if (sub != NULL) {
        fingerprint_of(sub, fp, sizeof fp);
        json_object_set_new(
            j, "suppliers",
            json_pack("[{s:s,s:s,s:s}]", "name", SUB, "supplies", "plating", "key", fp));
    }
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
}

/* The supplier answers `req` (superseding `old` unless NULL) with the evidence file; aid
 * receives the new assessment's id. */
static void
answer(const char *req, const char *old, char aid[65])
{
    char path[PATH_MAX + 32];
    th_result r;

    snprintf(path, sizeof path, "%s/answers-%.8s.json", fx.w.root, req);
    unlink(path);
    answers_file(req, path, fx.sub);
    if (old == NULL) {
        th_ticsx(&r, &fx.w.hub, fx.sup, "answer", req, "--file", path, "--evidence", fx.note, NULL);
    } else {
        th_ticsx(&r, &fx.w.hub, fx.sup, "answer", req, "--file", path, "--evidence", fx.note,
                 "--supersedes", old, NULL);
    }
    th_expect_status(&r, 0);
    memcpy(aid, r.out, 64);
    aid[64] = 0;
    th_result_free(&r);
}

/* True if the JSON array holds the string s. */
static int
has_string(const json_t *arr, const char *s)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        if (strcmp(json_string_value(json_array_get(arr, i)), s) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The share of `aid` with buyer `name` in `assessments --json`, or NULL. */
static json_t *
share_of(json_t *doc, const char *aid, const char *name)
{
    json_t *as = json_object_get(doc, "assessments");

    for (size_t i = 0; i < json_array_size(as); i++) {
        json_t *a = json_array_get(as, i), *sh = json_object_get(a, "shared");
        if (strcmp(json_string_value(json_object_get(a, "id")), aid) != 0) {
            continue;
        }
        for (size_t k = 0; k < json_array_size(sh); k++) {
            if (strcmp(json_string_value(json_object_get(json_array_get(sh, k), "name")), name) ==
                0) {
                return json_array_get(sh, k);
            }
        }
    }
    return NULL;
}

/* `ticsx assessments` after the second revocation: one line a1 -> a2 -> a3; a2 and a3 revoked
 * from buyer 1 and held by buyer 2. */
static void
expect_listing(const char *a1, const char *a2, const char *a3)
{
    th_result r;
    json_t *j, *lines, *chain = NULL, *sh;

    th_ticsx(&r, &fx.w.hub, fx.sup, "--json", "assessments", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    lines = json_object_get(j, "lines");
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *c = json_object_get(json_array_get(lines, i), "chain");
        if (strcmp(json_string_value(json_array_get(c, 0)), a1) == 0) {
            chain = c;
            assert_string_equal(
                json_string_value(json_object_get(json_array_get(lines, i), "current")), a3);
        }
    }
    assert_non_null(chain);
    assert_int_equal(json_array_size(chain), 3);
    assert_string_equal(json_string_value(json_array_get(chain, 1)), a2);
    assert_string_equal(json_string_value(json_array_get(chain, 2)), a3);
    sh = share_of(j, a2, B1);
    assert_non_null(sh);
    assert_string_equal(json_string_value(json_object_get(sh, "state")), "revoked");
    assert_true(json_is_string(json_object_get(sh, "revoked")));
    assert_string_equal(json_string_value(json_object_get(share_of(j, a2, B2), "state")),
                        "current");
    assert_string_equal(json_string_value(json_object_get(share_of(j, a3, B1), "state")),
                        "revoked");
    assert_string_equal(json_string_value(json_object_get(share_of(j, a3, B2), "state")),
                        "current");
    json_decref(j);
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.sup, "assessments", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "revoked from " B1);
    th_expect_text(r.out, "held by " B2);
    th_result_free(&r);
}

/* Revoking the newer version takes the older one with it (each named), at the hub too, and the
 * evidence both list; a later version is not shown to the revoked buyer unless granted to it on
 * purpose. The other buyer keeps all. */
static void
test_revoke_covers_the_line(void **state)
{
    char req[65], req2[65], a1[65], a2[65], a3[65], chunk[65];
    th_result r;
    json_t *j;
    (void)state;

    th_ticsx_id(req, &fx.w.hub, fx.b1, "request", "--questionnaire", "tics-selfcheck", "--to", SUP,
                NULL);
    answer(req, NULL, a1);
    th_ticsx_id(req2, &fx.w.hub, fx.b2, "request", "--questionnaire", "tics-selfcheck", "--to", SUP,
                NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.sup, "answer", req2, "--reuse", a1, NULL);
    answer(req, a1, a2); /* re-granted to both buyers */
    first_chunk(a1, chunk);
    assert_int_equal(get_status(fx.b1, a1, TX_KIND_ASSESSMENT), TX_OK);
    assert_int_equal(get_status(fx.b1, a2, TX_KIND_ASSESSMENT), TX_OK);
    assert_int_equal(get_status(fx.b1, chunk, TX_KIND_EVIDENCE_CHUNK), TX_OK);

    th_ticsx(&r, &fx.w.hub, fx.sup, "--json", "revoke", a2, "--from", B1, NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_string_equal(json_string_value(json_object_get(j, "assessment")), a2);
    assert_int_equal(json_array_size(json_object_get(j, "assessments")), 2);
    assert_true(has_string(json_object_get(j, "assessments"), a1));
    assert_true(has_string(json_object_get(j, "assessments"), a2));
    assert_int_equal(json_array_size(json_object_get(j, "revocations")), 2);
    json_decref(j);
    th_result_free(&r);

    /* The hub refuses the superseded version, the current one and their evidence. */
    assert_int_equal(get_status(fx.b1, a1, TX_KIND_ASSESSMENT), TX_ERR_NOT_FOUND);
    assert_int_equal(get_status(fx.b1, a2, TX_KIND_ASSESSMENT), TX_ERR_NOT_FOUND);
    assert_int_equal(get_status(fx.b1, chunk, TX_KIND_EVIDENCE_CHUNK), TX_ERR_NOT_FOUND);
    th_ticsx(&r, &fx.w.hub, fx.b1, "evidence", "list", a1, NULL);
    th_expect_status(&r, 1);
    th_result_free(&r);
    /* The buyer's own view: both versions revoked. */
    th_ticsx_expect(0, &fx.w.hub, fx.b1, "fetch", NULL);
    th_ticsx(&r, &fx.w.hub, fx.b1, "--json", "verify", a1, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "revoked by the supplier");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b1, "--json", "verify", a2, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "revoked by the supplier");
    th_result_free(&r);
    assert_int_equal(get_status(fx.b2, a1, TX_KIND_ASSESSMENT), TX_OK);
    assert_int_equal(get_status(fx.b2, chunk, TX_KIND_EVIDENCE_CHUNK), TX_OK);

    /* Nothing left to revoke in the line, named by either version. */
    th_ticsx(&r, &fx.w.hub, fx.sup, "revoke", a1, "--from", B1, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "already revoked");
    th_result_free(&r);

    /* A newer version is not shown to the revoked buyer; granted on purpose, it is readable. */
    answer(req2, a2, a3);
    assert_int_equal(get_status(fx.b1, a3, TX_KIND_ASSESSMENT), TX_ERR_NOT_FOUND);
    assert_int_equal(get_status(fx.b2, a3, TX_KIND_ASSESSMENT), TX_OK);
    th_ticsx_expect(0, &fx.w.hub, fx.sup, "grant", a3, "--to", B1, NULL);
    assert_int_equal(get_status(fx.b1, a3, TX_KIND_ASSESSMENT), TX_OK);
    assert_int_equal(get_status(fx.b1, a1, TX_KIND_ASSESSMENT), TX_ERR_NOT_FOUND);
    assert_int_equal(get_status(fx.b1, chunk, TX_KIND_EVIDENCE_CHUNK), TX_OK); /* a3 lists it */
    th_ticsx(&r, &fx.w.hub, fx.sup, "revoke", a1, "--from", B1, NULL);
    th_expect_status(&r, 0);
    expect_listing(a1, a2, a3);
    a3[12] = 0;
    th_expect_text(r.err, a3);
    th_expect_text(r.err, "revoked from " B1);
    th_result_free(&r);
    assert_int_equal(get_status(fx.b1, chunk, TX_KIND_EVIDENCE_CHUNK), TX_ERR_NOT_FOUND);
}

/* Forwarding the same request again asks nobody twice: the second run signs nothing and names
 * who was asked before; one naming a new supplier too asks only that one. */
static void
test_forward_twice_no_duplicates(void **state)
{
    char req[65], aid[65], fwd[65];
    th_result r;
    json_t *j;
    (void)state;

    th_ticsx_id(req, &fx.w.hub, fx.b1, "request", "--questionnaire", "tics-selfcheck", "--to", SUP,
                "--depth", "2", NULL);
    answer(req, NULL, aid);
    th_ticsx_id(fwd, &fx.w.hub, fx.sup, "forward", req, NULL);

    th_ticsx(&r, &fx.w.hub, fx.sup, "forward", req, NULL);
    th_expect_status(&r, 0);
    assert_string_equal(r.out, "");
    th_expect_text(r.err, "not asked again: " SUB);
    th_expect_text(r.err, "nothing forwarded");
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.sup, "--json", "forward", req, "--to", SUB "," SUB2, NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_true(json_is_string(json_object_get(j, "request")));
    assert_int_equal(json_integer_value(json_object_get(j, "suppliers")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "skipped")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "skipped"), 0), "request")),
                        fwd);
    json_decref(j);
    th_result_free(&r);

    /* Each sub-supplier got exactly one request on behalf of it. */
    th_ticsx(&r, &fx.w.hub, fx.sub, "--json", "inbox", "--all", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_int_equal(json_array_size(json_object_get(j, "requests")), 1);
    json_decref(j);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sub2, "--json", "inbox", "--all", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_int_equal(json_array_size(json_object_get(j, "requests")), 1);
    json_decref(j);
    th_result_free(&r);
}

/* Answers req (with --certificate cert unless NULL): the number of the certificate the
 * assessment references ("none") and the run's output in r (caller frees). */
static void
answer_cert(const char *req, const char *cert, th_result *r, char number[64])
{
    char path[PATH_MAX + 32];
    json_t *j, *c;

    snprintf(path, sizeof path, "%s/answers-cert.json", fx.w.root);
    unlink(path);
    answers_file(req, path, NULL);
    if (cert == NULL) {
        th_ticsx(r, &fx.w.hub, fx.sup, "--json", "answer", req, "--file", path, NULL);
    } else {
        th_ticsx(r, &fx.w.hub, fx.sup, "--json", "answer", req, "--file", path, "--certificate",
                 cert, NULL);
    }
    th_expect_status(r, 0);
    j = th_parse_json(r->out);
    c = json_object_get(j, "certificate");
    snprintf(number, 64, "%s",
             json_is_object(c) ? json_string_value(json_object_get(c, "number")) : "none");
    json_decref(j);
}

/* By default `answer` references the newest certificate in force, passing over a newer one
 * the body revoked (and saying so); with none in force it references none and warns, naming
 * the choice; --certificate still takes one not in force, with a warning. */
static void
test_answer_skips_certificate_not_in_force(void **state)
{
    char req[65], number[64];
    th_result r;
    (void)state;

    th_world_certify(&fx.w, fx.meti, fx.b1, fx.body, BODY, SUP, "LINE-1", "2025-01-10");
    th_ticsx_expect(0, &fx.w.hub, fx.body, "cert", "issue", "--holder", SUP, "--number", "LINE-2",
                    "--scope", "設計・製造部門", "--sector", "manufacturing", "--criteria", "2024",
                    "--issued", "2026-01-10", NULL);
    th_ticsx_id(req, &fx.w.hub, fx.b1, "request", "--questionnaire", "tics-selfcheck", "--to", SUP,
                NULL);
    answer_cert(req, NULL, &r, number);
    assert_string_equal(number, "LINE-2");
    th_result_free(&r);

    th_ticsx_expect(0, &fx.w.hub, fx.body, "cert", "revoke", "LINE-2", "--note", "withdrawn", NULL);
    answer_cert(req, NULL, &r, number);
    assert_string_equal(number, "LINE-1");
    th_expect_text(r.err, "LINE-2 is not in force");
    th_result_free(&r);

    th_ticsx_expect(0, &fx.w.hub, fx.body, "cert", "suspend", "LINE-1", NULL);
    answer_cert(req, NULL, &r, number);
    assert_string_equal(number, "none");
    th_expect_text(r.err, "no TICS certificate of this organisation is in force");
    th_expect_text(r.err, "the newest, LINE-2");
    th_expect_text(r.err, "references none");
    th_result_free(&r);

    answer_cert(req, "LINE-1", &r, number);
    assert_string_equal(number, "LINE-1");
    th_expect_text(r.err, "LINE-1 is not in force");
    th_result_free(&r);

    /* An expired one, named: referenced, with the warning. */
    th_ticsx_expect(0, &fx.w.hub, fx.body, "cert", "issue", "--holder", SUP, "--number", "OLD-0",
                    "--scope", "設計・製造部門", "--sector", "manufacturing", "--criteria", "2018",
                    "--issued", "2021-01-10", NULL);
    answer_cert(req, "OLD-0", &r, number);
    assert_string_equal(number, "OLD-0");
    th_expect_text(r.err, "OLD-0 is not in force");
    th_result_free(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_revoke_covers_the_line),
        cmocka_unit_test(test_forward_twice_no_duplicates),
        cmocka_unit_test(test_answer_skips_certificate_not_in_force),
    };

    th_require_hub_bin();
    return cmocka_run_group_tests(tests, setup, teardown);
}

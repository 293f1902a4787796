/* Integration: an assessment's content key is also sealed to its organisation
 * (SealedAssessment.org_key_sealed), through the real binaries and a real hub. Another officer
 * and the organisation's own home share and supersede what one officer answered; a viewer, who
 * holds the organisation's seal key too, still cannot share (the hub refuses its grant); another
 * organisation's keys do not open the box, and the hub's store never holds the key in clear. */
#include "harness.h"
#include "tx_error.h"
#include "tx_home.h"
#include "tx_kinds.h"
#include "tx_rec.h"
#include "tx_seal.h"
#include "tx_util.h"

#include <jansson.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define NAGOYA "Nagoya Body KK"

typedef struct {
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], other[PATH_MAX];
    char sato[PATH_MAX], ito[PATH_MAX], vic[PATH_MAX], mori[PATH_MAX], eve[PATH_MAX];
    char answers[PATH_MAX + 16];
    char req[65];
} fixture;

/* Three organisations; the supplier's officers Sato and Ito and viewer Vic, the buyer's officer
 * Mori (who asks), another organisation's officer Eve. */
static void
setup(fixture *f)
{
    th_require_hub_bin();
    th_world_begin(&f->w);
    th_world_party(&f->w, f->buyer, "buyer", "Tokai Motors KK", NULL);
    th_world_party(&f->w, f->sup, "supplier", "Mikawa Precision KK", NULL);
    th_world_party(&f->w, f->other, "other", NAGOYA, NULL);
    th_world_home(&f->w, f->sato, "sato");
    th_world_home(&f->w, f->ito, "ito");
    th_world_home(&f->w, f->vic, "vic");
    th_world_home(&f->w, f->mori, "mori");
    th_world_home(&f->w, f->eve, "eve");
    th_world_start(&f->w);
    th_person(&f->w.hub, f->sato, f->sup, "Sato Hanako", "officer");
    th_person(&f->w.hub, f->ito, f->sup, "Ito Ken", "officer");
    th_person(&f->w.hub, f->vic, f->sup, "Vic Viewer", "viewer");
    th_person(&f->w.hub, f->mori, f->buyer, "Mori Aoi", "officer");
    th_person(&f->w.hub, f->eve, f->other, "Eve Other", "officer");
    snprintf(f->answers, sizeof f->answers, "%s/answers.json", f->w.root);
    th_ticsx_id(f->req, &f->w.hub, f->mori, "request", "--questionnaire", "tics-selfcheck", "--to",
                "Mikawa Precision KK", NULL);
}

/* `home` answers the request with yes everywhere (superseding `old` unless NULL). */
static void
answer(fixture *f, const char *home, const char *old, char aid[65])
{
    remove(f->answers);
    th_answers_file(&f->w.hub, home, f->req, "yes", NULL, f->answers);
    if (old == NULL) {
        th_ticsx_id(aid, &f->w.hub, home, "answer", f->req, "--file", f->answers, NULL);
    } else {
        th_ticsx_id(aid, &f->w.hub, home, "answer", f->req, "--file", f->answers, "--supersedes",
                    old, NULL);
    }
}

/* The other organisation reads `aid`: its grant's key opens it (exit 0), or not. */
static void
other_reads(fixture *f, const char *aid, int yes)
{
    th_result r;

    th_ticsx_expect(0, &f->w.hub, f->other, "fetch", NULL);
    th_ticsx(&r, &f->w.hub, f->other, "verify", aid, NULL);
    if (yes) {
        th_expect_status(&r, 0);
    } else {
        assert_int_not_equal(r.status, 0);
    }
    th_result_free(&r);
}

/* Another officer shares what Sato answered and supersedes it; the new one reaches the old
 * one's reader. */
static void
test_officer_shares(void **state)
{
    fixture f;
    char aid[65], next[65];

    (void)state;
    setup(&f);
    answer(&f, f.sato, NULL, aid);
    other_reads(&f, aid, 0);
    th_ticsx_expect(0, &f.w.hub, f.ito, "grant", aid, "--to", NAGOYA, NULL);
    other_reads(&f, aid, 1);
    answer(&f, f.ito, aid, next);
    other_reads(&f, next, 1);
    th_world_end(&f.w);
}

/* Another officer forwards the buyer's request to the sub-supplier Sato's assessment lists
 * (forward without --to reads the organisation's newest assessment, whoever signed it). */
static void
test_officer_forwards(void **state)
{
    fixture f;
    char req[65], fwd[65];
    th_result r;

    (void)state;
    setup(&f);
    th_ticsx_id(req, &f.w.hub, f.mori, "request", "--questionnaire", "tics-selfcheck", "--to",
                "Mikawa Precision KK", "--depth", "2", NULL);
    remove(f.answers);
    th_answers_file(
        &f.w.hub, f.sato, req, "yes",
        json_pack("[{s:s,s:s,s:s}]", "name", "Nagoya", "supplies", "castings", "key", NAGOYA),
        f.answers);
    th_ticsx_expect(0, &f.w.hub, f.sato, "answer", req, "--file", f.answers, NULL);
    th_ticsx_id(fwd, &f.w.hub, f.ito, "forward", req, NULL);
    th_ticsx(&r, &f.w.hub, f.other, "inbox", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Mikawa Precision KK");
    th_expect_text(r.out, "on behalf of");
    th_result_free(&r);
    th_world_end(&f.w);
}

/* The organisation's own home shares what an officer answered. */
static void
test_org_home_shares(void **state)
{
    fixture f;
    char aid[65];

    (void)state;
    setup(&f);
    answer(&f, f.ito, NULL, aid);
    th_ticsx_expect(0, &f.w.hub, f.sup, "grant", aid, "--to", NAGOYA, NULL);
    other_reads(&f, aid, 1);
    th_world_end(&f.w);
}

/* A viewer opens the content key (it holds the organisation's seal key) but its grant is
 * refused: its role does not sign for the organisation. */
static void
test_viewer_cannot_grant(void **state)
{
    fixture f;
    char aid[65];
    th_result r;

    (void)state;
    setup(&f);
    answer(&f, f.sato, NULL, aid);
    th_ticsx(&r, &f.w.hub, f.vic, "grant", aid, "--to", NAGOYA, NULL);
    assert_int_not_equal(r.status, 0);
    th_expect_text(r.err, "viewer");
    th_result_free(&r);
    other_reads(&f, aid, 0);
    th_world_end(&f.w);
}

/* The first item answered "no" with a plan due in 30 days: its item id into item. */
static void
plan_first(fixture *f, char item[64])
{
    char *text = th_read_file(f->answers), due[16];
    json_t *j = th_parse_json(text), *a = json_array_get(json_object_get(j, "answers"), 0);
    time_t t = time(NULL) + 30 * 86400;
    struct tm tm;

    free(text);
    gmtime_r(&t, &tm);
    strftime(due, sizeof due, "%Y-%m-%d", &tm);
    snprintf(item, 64, "%s", json_string_value(json_object_get(a, "item")));
    json_object_set_new(a, "answer", json_string("no"));
    json_object_set_new(a, "plan", json_pack("{s:s,s:s}", "action", "fix it", "due", due));
    assert_int_equal(json_dump_file(j, f->answers, 0), 0);
    json_decref(j);
}

/* Another officer lists the plans of Sato's assessment and marks one done (a new version it
 * signs, superseding Sato's). */
static void
test_officer_closes_plan(void **state)
{
    fixture f;
    char aid[65], next[65], item[64];
    th_result r;

    (void)state;
    setup(&f);
    remove(f.answers);
    th_answers_file(&f.w.hub, f.sato, f.req, "yes", NULL, f.answers);
    plan_first(&f, item);
    th_ticsx_id(aid, &f.w.hub, f.sato, "answer", f.req, "--file", f.answers, NULL);
    th_ticsx(&r, &f.w.hub, f.ito, "plan", "list", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, aid);
    th_expect_text(r.out, "fix it");
    th_result_free(&r);
    th_ticsx_id(next, &f.w.hub, f.ito, "plan", "done", aid, item, NULL);
    th_ticsx(&r, &f.w.hub, f.sato, "plan", "list", "--all", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, next);
    th_result_free(&r);
    th_world_end(&f.w);
}

/* The sealed assessment `aid` as cached in `dir`'s home, and that home's content key of it. */
static void
load_sealed(const char *dir, const char *aid, tx_rec *rec, uint8_t *key)
{
    tx_home *home = NULL;
    uint8_t id[TX_ID_LEN], *env = NULL;
    size_t len = 0;

    assert_int_equal(tx_unhex(id, TX_ID_LEN, aid), TX_OK);
    assert_int_equal(tx_home_open(dir, &home), TX_OK);
    assert_int_equal(tx_home_cache_get(home, id, &env, &len), TX_OK);
    assert_int_equal(tx_rec_open(rec, env, len, TX_KIND_ASSESSMENT), TX_OK);
    assert_int_equal(tx_home_key_get(home, id, key), TX_OK);
    tx_home_destroy(&home);
}

/* 1 when `dir`'s identity opens the sealed box `sealed` into exactly `want`. */
static int
opens(const char *dir, const uint8_t *sealed, const uint8_t *want)
{
    tx_home *home = NULL;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    int ok;

    assert_non_null(key);
    assert_int_equal(tx_home_open(dir, &home), TX_OK);
    ok = tx_open_key(tx_home_identity(home), sealed, key) == TX_OK &&
         memcmp(key, want, TX_CONTENT_KEY_LEN) == 0;
    tx_home_destroy(&home);
    sodium_free(key);
    return ok;
}

/* 1 when the file at `path` holds the n bytes of `needle`. */
static int
file_holds(const char *path, const uint8_t *needle, size_t n)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, got;
    int found;

    assert_non_null(fp);
    do {
        if (len == cap) {
            cap = cap ? 2 * cap : 1 << 20;
            assert_non_null(buf = realloc(buf, cap));
        }
        got = fread(buf + len, 1, cap - len, fp);
        len += got;
    } while (got > 0);
    fclose(fp);
    found = memmem(buf, len, needle, n) != NULL;
    free(buf);
    return found;
}

/* The box opens with the supplier's own key into the content key the signer keeps; neither
 * another organisation's key nor its officer's opens it; the hub's file holds the box, never
 * the key. */
static void
test_other_org_cannot_open(void **state)
{
    fixture f;
    char aid[65], path[PATH_MAX + 16];
    tx_rec rec = {0};
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    const tx_sealed_pb *s;

    (void)state;
    assert_non_null(key);
    setup(&f);
    answer(&f, f.sato, NULL, aid);
    load_sealed(f.sato, aid, &rec, key);
    s = (const tx_sealed_pb *)rec.msg;
    assert_int_equal(s->org_key_sealed.len, TX_SEALED_KEY_LEN);
    assert_true(opens(f.sup, s->org_key_sealed.data, key));
    assert_false(opens(f.other, s->org_key_sealed.data, key));
    assert_false(opens(f.eve, s->org_key_sealed.data, key));
    assert_false(opens(f.buyer, s->org_key_sealed.data, key));
    snprintf(path, sizeof path, "%s/data.mdb", f.w.hub.dir);
    assert_true(file_holds(path, s->org_key_sealed.data, TX_SEALED_KEY_LEN));
    assert_false(file_holds(path, key, TX_CONTENT_KEY_LEN));
    tx_rec_clear(&rec);
    sodium_free(key);
    th_world_end(&f.w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_officer_shares),        cmocka_unit_test(test_org_home_shares),
        cmocka_unit_test(test_officer_closes_plan),   cmocka_unit_test(test_viewer_cannot_grant),
        cmocka_unit_test(test_other_org_cannot_open), cmocka_unit_test(test_officer_forwards),
    };

    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}

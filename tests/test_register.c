/* Public registers through the real binaries and the library: a real ticsx-hub, an industry
 * association that imports METI's list of certified organisations (CSV, CSV with a byte order
 * mark, Shift_JIS CSV, the HTML table) and publishes it, a buyer that fetches and pins it, and a
 * rogue publisher whose register lists a forged entry. Bad files are refused with line numbers;
 * matching gives each outcome; the date rule and seq pick the register; the built-in accredited
 * bodies register and a signed one that replaces it. */
#include "harness.h"
#include "tx_codec.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_home.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_register.h"
#include "tx_register_import.h"
#include "tx_sign.h"
#include "tx_util.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define ASSOC "架空自動車部品工業会"
#define ROGUE "偽の登録簿発行者"
#define BUYER "架空モーターズ株式会社"
#define JQA "一般財団法人 日本品質保証機構"
#define JACO "株式会社 日本環境認証機構"

typedef struct {
    th_world w;
    char assoc[PATH_MAX], rogue[PATH_MAX], buyer[PATH_MAX], buyer2[PATH_MAX];
    char data[PATH_MAX / 2];
    char reg_a[65], reg_b[65], reg_c[65], forged[65];
    int published, pinned; /* th_given */
} fixture;

static fixture fx;

static int
setup(void **state)
{
    (void)state;
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.assoc, "assoc", ASSOC, "2400001555512");
    th_world_party(&fx.w, fx.rogue, "rogue", ROGUE, NULL);
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, NULL);
    th_world_party(&fx.w, fx.buyer2, "buyer2", "架空二号モーターズ株式会社", NULL);
    th_world_start(&fx.w);
    assert_non_null(getenv("TX_SOURCE_DIR"));
    snprintf(fx.data, sizeof fx.data, "%s/tests/data/register", getenv("TX_SOURCE_DIR"));
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    th_world_end(&fx.w);
    return 0;
}

static const char *
data(char *out, const char *name)
{
    snprintf(out, PATH_MAX + 64, "%s/%s", fx.data, name);
    return out;
}

static const char *
file_in_root(char *out, const char *name, const char *text)
{
    snprintf(out, PATH_MAX + 64, "%s/%s", fx.w.root, name);
    th_write_file(out, text);
    return out;
}

/* ---- import ---- */

static int64_t
day(const char *s)
{
    int64_t t;
    assert_int_equal(tx_parse_time(s, &t), TX_OK);
    return t;
}

static void
expect_import(const char *file, const char *format, long entries)
{
    char out[PATH_MAX];
    th_result r;
    json_t *j;

    snprintf(out, sizeof out, "%s/out-%s.tx", fx.w.root, format);
    th_ticsx(&r, &fx.w.hub, fx.assoc, "--json", "register", "import", file, "--as-of", "2025-07-01",
             "--out", out, "--force", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_int_equal(json_integer_value(json_object_get(j, "entries")), entries);
    assert_string_equal(json_string_value(json_object_get(j, "format")), format);
    assert_string_equal(json_string_value(json_object_get(j, "as_of")), "2025-07-01");
    assert_false(json_is_true(json_object_get(j, "published")));
    json_decref(j);
    th_result_free(&r);
}

static void
test_import_formats(void **state)
{
    char p[PATH_MAX + 64];
    (void)state;

    expect_import(data(p, "certified.csv"), "csv", 3);
    expect_import(data(p, "certified-bom.csv"), "csv", 3);
    expect_import(data(p, "certified-sjis.csv"), "csv", 3);
    expect_import(data(p, "certified.html"), "html", 2);
    expect_import(data(p, "certified-sjis.html"), "html", 2);
}

/* The parser through the library: what each cell becomes. */
static void
test_import_cells(void **state)
{
    char p[PATH_MAX + 64];
    char *text;
    tx_register_rows rows = {0};
    (void)state;

    text = th_read_file(data(p, "certified.html"));
    assert_int_equal(tx_register_parse((const uint8_t *)text, strlen(text), "certified.html",
                                       "tics-certified", &rows),
                     TX_OK);
    assert_int_equal(rows.n, 2);
    assert_true(rows.html);
    assert_string_equal(rows.v[0]->holder_name, "株式会社 架空精工");
    assert_string_equal(rows.v[0]->scope, "本社及び 設計部門");
    assert_string_equal(rows.v[1]->corporate_number, "4010001234567"); /* full width in */
    assert_string_equal(rows.v[1]->scope, "全社 & 関連会社");
    /* 有効期限 2028-05-14 is the last valid day: valid_until is the day after */
    assert_int_equal(rows.v[1]->valid_until, day("2028-05-15"));
    tx_register_rows_free(&rows);
    free(text);

    text = th_read_file(data(p, "certified-sjis.csv"));
    assert_int_equal(
        tx_register_parse((const uint8_t *)text, strlen(text), "sjis", "tics-certified", &rows),
        TX_OK);
    assert_true(rows.sjis);
    assert_string_equal(rows.v[2]->holder_name, "テスト電装 有限会社, 第二工場");
    assert_string_equal(rows.v[2]->scope, "金型の設計 及び製造");
    assert_int_equal(rows.v[2]->valid_from, day("2025-06-01")); /* 令和7年6月1日 */
    tx_register_rows_free(&rows);
    free(text);

    /* a byte order mark before Shift_JIS bytes: the mark is dropped, the rest converted */
    {
        size_t n = strlen(text = th_read_file(data(p, "certified-sjis.csv")));
        uint8_t *b = malloc(n + 3);
        assert_non_null(b);
        memcpy(b, "\xEF\xBB\xBF", 3);
        memcpy(b + 3, text, n);
        assert_int_equal(tx_register_parse(b, n + 3, "bom-sjis", "tics-certified", &rows), TX_OK);
        assert_true(rows.sjis);
        assert_string_equal(rows.v[0]->holder_name, "株式会社 架空精工");
        tx_register_rows_free(&rows);
        free(b);
        free(text);
    }
}

static void
expect_refused(const char *file, const char *line, const char *what)
{
    th_result r;
    char out[PATH_MAX];

    snprintf(out, sizeof out, "%s/refused.tx", fx.w.root);
    th_ticsx(&r, &fx.w.hub, fx.assoc, "register", "import", file, "--out", out, "--force", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, line);
    th_expect_text(r.err, what);
    th_result_free(&r);
}

static void
test_import_refused(void **state)
{
    char p[PATH_MAX + 64];
    char *big;
    (void)state;

    expect_refused(data(p, "bad-column.csv"), "line 1: column 4 \"電話番号\"",
                   "expected columns: 事業者名, 法人番号, 認証番号, 認証機関");
    expect_refused(data(p, "bad-corp.csv"), "line 3:", "not a corporate number");
    expect_refused(file_in_root(p, "no-body.csv", "事業者名,認証番号\nA,1\n"),
                   "line 1:", "lacks a required column");
    expect_refused(file_in_root(p, "empty-cell.csv",
                                "事業者名,認証番号,認証機関\n株式会社 甲,T-1," JQA "\n"
                                "株式会社 乙,," JQA "\n"),
                   "line 3:", "a required column is empty");
    expect_refused(file_in_root(p, "bad-date.csv",
                                "事業者名,認証番号,認証機関,認証日\n株式会社 甲,T-1," JQA
                                ",2025-13-01\n"),
                   "line 2:", "is not a date");
    expect_refused(
        file_in_root(p, "quote.csv", "事業者名,認証番号,認証機関\n\"株式会社 甲,T-1," JQA "\n"),
        "line 2:", "quoted field");
    expect_refused(file_in_root(p, "twice.csv",
                                "事業者名,認証番号,認証機関\n株式会社 甲,T-1," JQA
                                "\n株式会社 乙,T-1," JQA "\n"),
                   "line 3:", "listed twice");
    expect_refused(
        file_in_root(p, "cells.csv", "事業者名,認証番号,認証機関\n株式会社 甲,T-1," JQA ",余り\n"),
        "line 2:", "4 cells, the header has 3");
    expect_refused(file_in_root(p, "nested.html",
                                "<table>\n<tr><th>事業者名</th><th>認証番号</th><th>認証機関</th>"
                                "</tr>\n<tr><td><table><tr><td>x</td></tr></table></td></tr>\n"
                                "</table>\n"),
                   "line 3:", "a table inside a table");
    expect_refused(file_in_root(p, "notable.html", "<html><body><p>一覧</p></body></html>\n"),
                   "no table with a header row", "expected columns");
    expect_refused(file_in_root(p, "header-only.csv", "事業者名,認証番号,認証機関\n"),
                   "line 1:", "no rows below its header");
    /* a list of bodies takes other columns */
    {
        char out[PATH_MAX];
        th_result r;
        snprintf(out, sizeof out, "%s/bodies-bad.tx", fx.w.root);
        th_ticsx(&r, &fx.w.hub, fx.assoc, "register", "import", data(p, "certified.csv"), "--list",
                 "tics-bodies", "--out", out, NULL);
        th_expect_status(&r, 2);
        th_expect_text(r.err, "does not belong in a tics-bodies list");
        th_result_free(&r);
    }
    /* over the size limit: refused before it is parsed */
    big = malloc(TX_REGISTER_FILE_MAX + 2);
    assert_non_null(big);
    memset(big, 'a', TX_REGISTER_FILE_MAX + 1);
    big[TX_REGISTER_FILE_MAX + 1] = 0;
    file_in_root(p, "big.csv", big);
    free(big);
    expect_refused(p, "big.csv", "save only the list");
    /* neither --publish nor --out */
    th_ticsx_expect(2, &fx.w.hub, fx.assoc, "register", "import", data(p, "certified.csv"), NULL);
}

/* ---- publish, fetch, trust ---- */

static void
import_publish(char id[65], const char *home, const char *file, const char *as_of, const char *list)
{
    th_ticsx_id(id, &fx.w.hub, home, "register", "import", file, "--as-of", as_of, "--list", list,
                "--publish", NULL);
}

/* The association publishes A (2025-07-01, certified.csv), B (2025-10-01, without TICS-0003)
 * and C (2025-10-01 again, a later reading with TICS-0003 back: higher seq); the rogue publishes
 * a newer register listing a forged certificate. The buyer fetches them all. */
static void
given_published(void)
{
    char p[PATH_MAX + 64];
    th_result r;

    if (!th_given(&fx.published, "publishing registers and fetching them")) {
        return;
    }
    import_publish(fx.reg_a, fx.assoc, data(p, "certified.csv"), "2025-07-01", "tics-certified");
    import_publish(fx.reg_b, fx.assoc,
                   file_in_root(p, "b.csv",
                                "事業者名,法人番号,認証番号,認証機関\n"
                                "株式会社 架空精工,8700110005901,TICS-0001," JQA "\n"
                                "架空金型 株式会社,4010001234567,TICS-0002," JACO "\n"),
                   "2025-10-01", "tics-certified");
    import_publish(fx.reg_c, fx.assoc, data(p, "certified.csv"), "2025-10-01", "tics-certified");
    import_publish(fx.forged, fx.rogue,
                   file_in_root(p, "forged.csv",
                                "事業者名,法人番号,認証番号,認証機関\n"
                                "株式会社 架空精工,8700110005901,TICS-0001," JQA "\n"
                                "偽装商事 株式会社,9120001098765,TICS-9999," JQA "\n"),
                   "2025-11-01", "tics-certified");
    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "fetch", NULL);
    th_expect_status(&r, 0);
    json_t *j = th_parse_json(r.out);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "trust"), "registers")),
                     4);
    json_decref(j);
    th_result_free(&r);
    th_given_made(&fx.published);
}

static void
given_pinned(void)
{
    char p[PATH_MAX + 64];

    given_published();
    if (!th_given(&fx.pinned, "pinning the association")) {
        return;
    }
    snprintf(p, sizeof p, "%s/identity.pub", fx.assoc);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "register", "trust", p, NULL);
    th_given_made(&fx.pinned);
}

static void
test_publish_fetch_trust(void **state)
{
    char p[PATH_MAX + 64];
    th_result r;
    json_t *j, *arr;
    size_t i, trusted = 0, untrusted = 0;
    (void)state;

    given_published();
    /* unpinned: listed, not trusted, not used */
    snprintf(p, sizeof p, "%s/identity.pub", fx.rogue);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "register", "show", "tics-certified", NULL);
    if (!fx.pinned) {
        th_expect_status(&r, 1);
        th_expect_text(r.err, "no register tics-certified");
    }
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "register", "show", fx.forged, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "this register is not used");
    th_expect_text(r.out, "TICS-9999");
    th_result_free(&r);

    given_pinned();
    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "register", "list", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    arr = json_object_get(j, "registers");
    assert_int_equal(json_array_size(arr), 6); /* 4 records + 2 built-in editions */
    for (i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        if (json_is_true(json_object_get(e, "builtin"))) {
            continue;
        }
        if (json_is_true(json_object_get(e, "trusted"))) {
            trusted++;
            assert_string_equal(json_string_value(json_object_get(e, "publisher")), ASSOC);
        } else {
            untrusted++;
            assert_string_equal(json_string_value(json_object_get(e, "publisher")), ROGUE);
        }
    }
    assert_int_equal(trusted, 3);
    assert_int_equal(untrusted, 1);
    json_decref(j);
    th_result_free(&r);
    /* show LIST: the newest trusted register (C: 2025-10-01, higher seq than B) */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "register", "show", "tics-certified", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_string_equal(json_string_value(json_object_get(j, "id")), fx.reg_c);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 3);
    json_decref(j);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "register", "trusted", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, ASSOC);
    th_result_free(&r);
    /* untrust: the association's registers no longer count; trust again */
    snprintf(p, sizeof p, "%s/identity.pub", fx.assoc);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "register", "untrust", p, NULL);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "register", "show", "tics-certified", NULL);
    th_expect_status(&r, 1);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "register", "untrust", p, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "not a pinned register publisher");
    th_result_free(&r);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "register", "trust", p, NULL);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "register", "show", "tics-certified", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "yes: the publisher is pinned");
    th_result_free(&r);
    /* a file that is not a key */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "register", "trust", data(p, "certified.csv"), NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "not a ticsx public key file");
    th_result_free(&r);
    /* accreditor pins (trust/) are not register pins, and the other way round */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "trust", "list", NULL);
    th_expect_status(&r, 0);
    assert_null(strstr(r.out, ASSOC));
    assert_null(strstr(r.err, "ignoring"));
    th_result_free(&r);
}

/* ---- matching, through the library on the buyer's home ---- */

static tx_reg_match_t
match(tx_home *home, const char *number, const char *holder, const char *corp, const char *body,
      const char *issued, const char *at, tx_reg_result *res)
{
    tx_registers regs = {0};
    tx_reg_query q = {.number = number,
                      .holder_name = holder,
                      .corporate_number = corp,
                      .body = body,
                      .issued = issued ? day(issued) : 0,
                      .at = day(at)};

    assert_int_equal(tx_registers_load(home, &regs), TX_OK);
    assert_int_equal(tx_register_match(&regs, &q, res), TX_OK);
    assert_true(res->reason[0] != 0);
    tx_registers_free(&regs);
    return res->match;
}

static tx_home *
open_home(const char *dir)
{
    tx_home *h = NULL;
    assert_int_equal(tx_home_open(dir, &h), TX_OK);
    return h;
}

static void
test_match_outcomes(void **state)
{
    tx_home *h;
    tx_reg_result res;
    char hex[65];
    (void)state;

    given_pinned();
    h = open_home(fx.buyer);
    /* listed: by corporate number (the name written otherwise) */
    assert_int_equal(match(h, "TICS-0001", "架空精工 株式会社", "8700110005901", JQA, "2025-04-01",
                           "2025-12-01", &res),
                     TX_REG_LISTED);
    assert_string_equal(res.publisher, ASSOC);
    assert_string_equal(tx_reg_match_name(res.match), "listed");
    assert_int_equal(res.as_of, day("2025-10-01"));
    tx_hex(hex, res.record, TX_ID_LEN);
    assert_string_equal(hex, fx.reg_c);
    assert_non_null(strstr(res.fingerprint, "SHA256:"));
    /* listed: by name when the declaration has no corporate number — full-width letters and
     * spaces, the legal form on the other side, the body without its legal form */
    assert_int_equal(match(h, "ＴＩＣＳ－０００２", "株式会社　架空金型", NULL, "日本環境認証機構",
                           "2025-05-15", "2025-12-01", &res),
                     TX_REG_LISTED);
    /* half-width katakana in the name */
    assert_int_equal(match(h, "TICS-0003", "ﾃｽﾄ電装 有限会社, 第二工場", NULL,
                           "一般社団法人 日本金型工業会", "2025-06-01", "2025-12-01", &res),
                     TX_REG_LISTED);
    /* other holder: the same number and body, another corporate number */
    assert_int_equal(match(h, "TICS-0001", "株式会社 架空精工", "4010001234567", JQA, "2025-04-01",
                           "2025-12-01", &res),
                     TX_REG_OTHER_HOLDER);
    assert_non_null(strstr(res.reason, "another holder"));
    /* other holder by name; another legal form is another organisation */
    assert_int_equal(
        match(h, "TICS-0001", "有限会社 架空精工", NULL, JQA, "2025-04-01", "2025-12-01", &res),
        TX_REG_OTHER_HOLDER);
    /* other body */
    assert_int_equal(match(h, "TICS-0001", "株式会社 架空精工", "8700110005901", JACO, "2025-04-01",
                           "2025-12-01", &res),
                     TX_REG_OTHER_BODY);
    assert_string_equal(tx_reg_match_name(res.match), "other_body");
    /* not listed: "not in the register of 2025-10-01" */
    assert_int_equal(match(h, "TICS-0404", "株式会社 架空精工", "8700110005901", JQA, "2025-04-01",
                           "2025-12-01", &res),
                     TX_REG_NOT_LISTED);
    assert_non_null(strstr(res.reason, "not in the register of 2025-10-01"));
    /* the attack: the rogue's newer register lists TICS-9999; its publisher is not pinned */
    assert_int_equal(match(h, "TICS-9999", "偽装商事 株式会社", "9120001098765", JQA, "2025-04-01",
                           "2025-12-01", &res),
                     TX_REG_NOT_LISTED);
    assert_string_equal(res.publisher, ASSOC);
    /* none: no trusted register read up to `at` */
    assert_int_equal(match(h, "TICS-0001", "株式会社 架空精工", "8700110005901", JQA, "2025-04-01",
                           "2025-06-15", &res),
                     TX_REG_NONE);
    assert_string_equal(tx_reg_match_name(res.match), "none");
    tx_home_destroy(&h);
}

/* The register used: the newest trusted one read at or after issue and at or before `at`; one
 * publisher's two readings of the same day: the higher seq. */
static void
test_date_rule_and_seq(void **state)
{
    tx_home *h;
    tx_reg_result res;
    char hex[65];
    (void)state;

    given_pinned();
    h = open_home(fx.buyer);
    /* issued before A: A (2025-07-01) is used at 2025-08-01 */
    assert_int_equal(match(h, "TICS-0003", "テスト電装 有限会社, 第二工場", NULL,
                           "一般社団法人 日本金型工業会", "2025-06-01", "2025-08-01", &res),
                     TX_REG_LISTED);
    tx_hex(hex, res.record, TX_ID_LEN);
    assert_string_equal(hex, fx.reg_a);
    /* issued after A, judged before B: A was read before issue and cannot list it: none */
    assert_int_equal(match(h, "TICS-0003", "テスト電装 有限会社, 第二工場", NULL,
                           "一般社団法人 日本金型工業会", "2025-08-01", "2025-09-01", &res),
                     TX_REG_NONE);
    /* at 2025-12-01: C replaces B (same as_of, higher seq), which lacked TICS-0003 */
    assert_int_equal(match(h, "TICS-0003", "テスト電装 有限会社, 第二工場", NULL,
                           "一般社団法人 日本金型工業会", "2025-08-01", "2025-12-01", &res),
                     TX_REG_LISTED);
    tx_hex(hex, res.record, TX_ID_LEN);
    assert_string_equal(hex, fx.reg_c);
    tx_home_destroy(&h);
}

/* A register record altered in the cache no longer counts (checked by hash and signature). */
static void
test_tampered_register_ignored(void **state)
{
    char path[PATH_MAX + 80], copy[PATH_MAX + 80];
    const char *home = fx.buyer2;
    tx_home *h;
    tx_reg_result res;
    th_result r;
    (void)state;

    given_pinned();
    /* a second buyer with its own copy of the cache */
    snprintf(path, sizeof path, "%s/identity.pub", fx.assoc);
    th_ticsx_expect(0, &fx.w.hub, home, "register", "trust", path, NULL);
    th_ticsx(&r, &fx.w.hub, home, "fetch", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    /* flip TICS-0003 to TICS-0004 inside C */
    {
        uint8_t *buf = NULL;
        size_t n = 0;
        assert_true(th_cache_get(home, "records", fx.reg_c, &buf, &n));
        for (size_t i = 0; i + 9 <= n; i++) {
            if (memcmp(buf + i, "TICS-0003", 9) == 0) {
                buf[i + 8] = '4';
            }
        }
        th_cache_set(home, "records", fx.reg_c, buf, n);
        free(buf);
    }
    (void)copy;
    h = open_home(home);
    /* C does not count: B (same day) answers, and does not list TICS-0003; nor TICS-0004 */
    assert_int_equal(match(h, "TICS-0004", "テスト電装 有限会社, 第二工場", NULL,
                           "一般社団法人 日本金型工業会", "2025-08-01", "2025-12-01", &res),
                     TX_REG_NOT_LISTED);
    assert_int_equal(match(h, "TICS-0003", "テスト電装 有限会社, 第二工場", NULL,
                           "一般社団法人 日本金型工業会", "2025-08-01", "2025-12-01", &res),
                     TX_REG_NOT_LISTED);
    tx_hex(copy, res.record, TX_ID_LEN);
    assert_string_equal(copy, fx.reg_b);
    tx_home_destroy(&h);
}

/* ---- accredited bodies ---- */

static void
test_bodies(void **state)
{
    char p[PATH_MAX + 64], id[65];
    tx_home *h;
    tx_registers regs = {0};
    tx_reg_body b;
    th_result r;
    json_t *j;
    (void)state;

    given_pinned();
    h = open_home(fx.buyer);
    assert_int_equal(tx_registers_load(h, &regs), TX_OK);
    /* built-in, without the legal form, with a full-width space */
    assert_int_equal(tx_register_body(&regs, "日本品質保証機構", day("2025-01-01"), &b), TX_OK);
    assert_int_equal(b.state, TX_BODY_ACCREDITED);
    assert_true(b.builtin);
    assert_true(tx_register_body_covers(&b, "manufacturing"));
    assert_string_equal(b.entry->corporate_number, ""); /* not stated */
    assert_int_equal(
        tx_register_body(&regs, "一般財団法人　日本品質保証機構", day("2025-08-01"), &b), TX_OK);
    assert_int_equal(b.state, TX_BODY_ACCREDITED);
    /* the SME-only body: in the 2024 edition, not in June 2025's */
    assert_int_equal(tx_register_body(&regs, "株式会社ライド", day("2025-01-01"), &b), TX_OK);
    assert_int_equal(b.state, TX_BODY_ACCREDITED);
    assert_true(tx_register_body_covers(&b, "sme"));
    assert_false(tx_register_body_covers(&b, "manufacturing"));
    assert_int_equal(tx_register_body(&regs, "ライド株式会社", day("2025-07-01"), &b), TX_OK);
    assert_int_equal(b.state, TX_BODY_NOT_LISTED);
    assert_int_equal(tx_register_body(&regs, "日本金型工業会", day("2025-07-01"), &b), TX_OK);
    assert_false(tx_register_body_covers(&b, "sme"));
    assert_true(tx_register_body_covers(&b, "manufacturing"));
    assert_int_equal(tx_register_body(&regs, "一般社団法人 架空認証協会", day("2025-07-01"), &b),
                     TX_ERR_NOT_FOUND);
    tx_registers_free(&regs);

    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "register", "bodies", "--at", "2025-01-01", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 8);
    json_decref(j);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "register", "bodies", "--at", "2025-07-01", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "entries:    7");
    th_expect_text(r.out, "not stated");
    assert_null(strstr(r.out, "ライド"));
    th_result_free(&r);
    /* show tics-bodies is the edition in force, as the judgement uses it */
    th_ticsx(&r, &fx.w.hub, fx.buyer, "register", "show", "tics-bodies", "--at", "2025-01-01",
             NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "entries:    8");
    th_expect_text(r.out, "ライド");
    th_result_free(&r);

    /* a signed tics-bodies register of the pinned association, newer than the built-in one,
     * replaces it from its date; the rogue's is ignored */
    th_ticsx_id(id, &fx.w.hub, fx.assoc, "register", "import", data(p, "bodies.csv"), "--list",
                "tics-bodies", "--as-of", "2026-10-01", "--publish", NULL);
    th_ticsx_id(id, &fx.w.hub, fx.rogue, "register", "import",
                file_in_root(p, "rogue-bodies.csv",
                             "認証機関,認証範囲,分野\n一般社団法人 偽認証機構,全業種,all\n"),
                "--list", "tics-bodies", "--as-of", "2026-10-02", "--publish", NULL);
    th_ticsx_expect(0, &fx.w.hub, fx.buyer, "fetch", NULL);
    assert_int_equal(tx_registers_load(h, &regs), TX_OK);
    assert_int_equal(tx_register_body(&regs, "架空認証協会", day("2026-11-01"), &b), TX_OK);
    assert_int_equal(b.state, TX_BODY_ACCREDITED);
    assert_false(b.builtin);
    assert_string_equal(b.publisher, ASSOC);
    assert_string_equal(b.entry->corporate_number, "9120001098765");
    /* before its date the built-in edition holds, which does not know it */
    assert_int_equal(tx_register_body(&regs, "架空認証協会", day("2026-09-01"), &b), TX_OK);
    assert_int_equal(b.state, TX_BODY_NOT_LISTED);
    /* the signed register lists two of the seven: the others are not listed from its date */
    assert_int_equal(tx_register_body(&regs, "日本検査キューエイ株式会社", day("2026-11-01"), &b),
                     TX_OK);
    assert_int_equal(b.state, TX_BODY_NOT_LISTED);
    /* the rogue's body is nowhere */
    assert_int_equal(tx_register_body(&regs, "偽認証機構", day("2026-11-01"), &b),
                     TX_ERR_NOT_FOUND);
    /* the accreditation date the register states counts */
    assert_int_equal(tx_register_body(&regs, "架空認証協会", day("2026-10-01"), &b), TX_OK);
    assert_int_equal(b.state, TX_BODY_ACCREDITED);
    tx_registers_free(&regs);
    tx_home_destroy(&h);
}

/* ---- the hub ---- */

/* Register records are public: any enrolled organisation lists them; one without a list or a
 * date is refused at ingest. */
static void
test_hub_register_kind(void **state)
{
    tx_home *h;
    tx_conn *c;
    tx_register_pb reg = TICSX__V1__REGISTER__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    uint8_t *env;
    size_t len;
    (void)state;

    given_published();
    h = open_home(fx.buyer);
    c = th_connect(&fx.w.hub, tx_home_identity(h), 5000);
    assert_true(th_list_count(c, TX_KIND_REGISTER) >= 4);
    meta.seq = 1000000;
    meta.created = 1;
    reg.meta = &meta;
    reg.list = "tics-certified";
    reg.as_of = 0; /* no date */
    /* the sender's own check refuses it; signed bare, the hub must refuse it too */
    assert_int_not_equal(
        tx_sign_checked(tx_home_identity(h), TX_KIND_REGISTER, &reg.base, NULL, &env, &len), TX_OK);
    tx_fail_clear();
    assert_int_equal(
        tx_envelope_sign_msg(tx_home_identity(h), TX_KIND_REGISTER, &reg.base, &env, &len), TX_OK);
    assert_int_equal(th_submit_status(c, env, len, NULL), TICSX__V1__STATUS__BAD_REQUEST);
    free(env);
    tx_conn_destroy(&c);
    tx_home_destroy(&h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_formats),
        cmocka_unit_test(test_import_cells),
        cmocka_unit_test(test_import_refused),
        cmocka_unit_test(test_publish_fetch_trust),
        cmocka_unit_test(test_match_outcomes),
        cmocka_unit_test(test_date_rule_and_seq),
        cmocka_unit_test(test_tampered_register_ignored),
        cmocka_unit_test(test_bodies),
        cmocka_unit_test(test_hub_register_kind),
    };
    th_require_hub_bin();
    return cmocka_run_group_tests_name("register", tests, setup, teardown);
}

/* The command line in Japanese, through the real binaries: --lang ja and LANG=ja_JP.UTF-8 (no
 * Japanese locale needed) choose the catalogue, --lang is accepted after every command, --json
 * stays byte-identical in both languages, errors, cert show and cert verify read in Japanese,
 * the XLSX template's sheets have Japanese names; and the harness keeps children English
 * whatever the developer's environment says. */
#include "harness.h"
#include "tx_answer_file.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"
#include "tx_util.h"

#include <limits.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zip.h>

#include <cmocka.h>

#define BUYER "Example Motors KK"
#define HOLDER "株式会社 山田製作所"
#define METI "METI Accreditation Office"
#define BODY "JQA Certification Body"
#define CERT_NO "TICS-JA-0001"

/* Every command of client/cli/main.c's table: test_command_list_is_complete reads the table
 * from the source, so a command added there and not here is noticed. */
static const char *const commands[] = {
    "keygen",      "whoami",  "orgs",     "ping",     "questionnaire", "request",   "inbox",
    "answer",      "grant",   "revoke",   "watch",    "fetch",         "verify",    "report",
    "requests",    "forward", "trust",    "accredit", "cert",          "audit-log", "witness",
    "assessments", "ui",      "help",     "evidence", "register",      "policy",    "credential",
    "plan",        "due",     "campaign", "history",  "member",        "drafts",    "grants",
    "key",
};

static const char *const ja_env[] = {"LANG=ja_JP.UTF-8", NULL};

typedef struct {
    th_world w;
    char buyer[PATH_MAX], holder[PATH_MAX], meti[PATH_MAX], body[PATH_MAX], lone[PATH_MAX];
    int certified; /* th_given */
} fixture;

static fixture fx;

static int
setup(void **state)
{
    (void)state;
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, "7123456789012");
    th_world_party(&fx.w, fx.holder, "holder", HOLDER, "3180001056789");
    th_world_party(&fx.w, fx.meti, "meti", METI, NULL);
    th_world_party(&fx.w, fx.body, "body", BODY, NULL);
    th_world_home(&fx.w, fx.lone, "lone"); /* no identity: the error case */
    assert_int_equal(mkdir(fx.lone, 0700), 0);
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

/* The holder's certificate, issued a month ago (valid), pinned by the buyer. */
static void
given_certificate(void)
{
    char issued[16];
    time_t t = time(NULL) - 30 * 86400;
    struct tm tm;

    if (!th_given(&fx.certified, "a certificate")) {
        return;
    }
    gmtime_r(&t, &tm);
    strftime(issued, sizeof issued, "%Y-%m-%d", &tm);
    th_world_certify(&fx.w, fx.meti, fx.buyer, fx.body, BODY, HOLDER, CERT_NO, issued);
    th_given_made(&fx.certified);
}

static void
expect_no(const char *hay, const char *needle)
{
    if (strstr(hay, needle) != NULL) {
        fail_msg("unexpected \"%s\" in:\n%s", needle, hay);
    }
}

static void
test_help_japanese(void **state)
{
    th_result r;

    (void)state;
    th_ticsx(&r, NULL, fx.lone, "--lang", "ja", "--help", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "使い方: ticsx");
    th_expect_text(r.out, "グローバルオプション（コマンドの前後どちらにも置けます）");
    th_expect_text(r.out, "自組織の鍵とプロファイルを作成");
    th_expect_text(r.out, "終了ステータス");
    expect_no(r.out, "create this organisation");
    th_result_free(&r);

    /* -h after a command, --lang after that: the language is chosen before anything prints. */
    th_ticsx(&r, NULL, fx.lone, "whoami", "--help", "--lang", "ja", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "使い方: ticsx");
    th_result_free(&r);

    /* No command: the help on standard error, exit 2, in Japanese too. */
    th_ticsx(&r, NULL, fx.lone, "--lang=ja", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "コマンド:");
    th_result_free(&r);

    /* The harness default: English. */
    th_ticsx(&r, NULL, fx.lone, "--help", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "usage: ticsx [GLOBAL OPTIONS]");
    expect_no(r.out, "使い方");
    th_result_free(&r);
}

static void
test_command_list_is_complete(void **state)
{
    const char *src = getenv("TX_SOURCE_DIR");
    char path[PATH_MAX];
    char *text, *at;
    size_t found = 0;

    (void)state;
    assert_non_null(src);
    snprintf(path, sizeof path, "%s/client/cli/main.c", src);
    text = th_read_file(path);
    assert_non_null(text);
    /* Entries read {"name", tx_cmd_...}. */
    for (at = strstr(text, "{\""); at != NULL; at = strstr(at + 2, "{\"")) {
        char name[32];
        const char *end = strchr(at + 2, '"');
        size_t k;

        if (end == NULL || strncmp(end, "\", tx_cmd_", 10) != 0 ||
            (size_t)(end - at - 2) >= sizeof name) {
            continue;
        }
        memcpy(name, at + 2, (size_t)(end - at - 2));
        name[end - at - 2] = 0;
        for (k = 0; k < sizeof commands / sizeof commands[0]; k++) {
            if (strcmp(commands[k], name) == 0) {
                break;
            }
        }
        if (k == sizeof commands / sizeof commands[0]) {
            fail_msg("command %s of client/cli/main.c is missing from test_i18n.c", name);
        }
        found++;
    }
    assert_int_equal(found, sizeof commands / sizeof commands[0]);
    free(text);
}

static void
test_help_names_every_command(void **state)
{
    th_result r;

    (void)state;
    /* `ticsx help` is the same text. */
    th_ticsx(&r, NULL, fx.lone, "help", "--lang", "ja", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "使い方: ticsx");
    th_expect_text(r.out, "（ticsx help でも表示）");
    th_result_free(&r);

    th_ticsx(&r, NULL, fx.lone, "--help", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "this help (also ticsx help)");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i], "help") == 0) {
            continue; /* named in the global options */
        }
        char line[64];
        snprintf(line, sizeof line, "\n  %s", commands[i]);
        th_expect_text(r.out, line);
    }
    th_result_free(&r);
}

static void
test_lang_from_environment(void **state)
{
    const th_ticsx_opts ja = {.env = ja_env};
    static const char *const lc_all[] = {"LC_ALL=ja_JP.UTF-8", "LANG=C", NULL};
    const th_ticsx_opts ja_all = {.env = lc_all};
    static const char *const en_all[] = {"LC_ALL=C", "LANG=ja_JP.UTF-8", NULL};
    const th_ticsx_opts en = {.env = en_all};
    th_result r;

    (void)state;
    /* The machine needs no Japanese locale: say whether this one has one. */
    if (setlocale(LC_ALL, "ja_JP.UTF-8") == NULL) {
        fprintf(stderr, "note: no ja_JP.UTF-8 locale on this machine (as intended)\n");
    }
    setlocale(LC_ALL, "C");

    th_ticsx_with(&r, &ja, fx.lone, "--help", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "使い方: ticsx");
    th_result_free(&r);

    th_ticsx_with(&r, &ja, fx.lone, "whoami", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "自組織の鍵がありません");
    th_result_free(&r);

    /* LC_ALL comes first, as POSIX orders them. */
    th_ticsx_with(&r, &ja_all, fx.lone, "--help", NULL);
    th_expect_text(r.out, "使い方: ticsx");
    th_result_free(&r);
    th_ticsx_with(&r, &en, fx.lone, "--help", NULL);
    th_expect_text(r.out, "usage: ticsx");
    th_result_free(&r);

    /* --lang wins over the environment. */
    th_ticsx_with(&r, &ja, fx.lone, "--help", "--lang", "en", NULL);
    th_expect_text(r.out, "usage: ticsx");
    th_result_free(&r);
}

/* The harness's children do not inherit the developer's language. */
static void
test_harness_runs_children_in_english(void **state)
{
    th_result r;

    (void)state;
    setenv("LANG", "ja_JP.UTF-8", 1);
    setenv("LC_ALL", "ja_JP.UTF-8", 1);
    setenv("LANGUAGE", "ja", 1);
    th_ticsx(&r, NULL, fx.lone, "--help", NULL);
    unsetenv("LANG");
    unsetenv("LC_ALL");
    unsetenv("LANGUAGE");
    th_expect_status(&r, 0);
    th_expect_text(r.out, "usage: ticsx");
    th_result_free(&r);
}

/* Every command takes --lang (and --json) after its name: none calls it an unknown option. */
static void
test_lang_after_every_command(void **state)
{
    th_result r;

    (void)state;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        th_ticsx(&r, NULL, fx.lone, commands[i], "--lang", "ja", "--json", "--help", NULL);
        if (r.status != 0 || strstr(r.out, "使い方: ticsx") == NULL) {
            fail_msg("ticsx %s --lang ja --json --help: status %d\n%s%s", commands[i], r.status,
                     r.out, r.err);
        }
        th_result_free(&r);

        /* Run for real (no hub, no identity here: each stops at its own first problem, never
         * at the options); ui and watch would wait for ctrl-c. */
        if (strcmp(commands[i], "ui") == 0 || strcmp(commands[i], "watch") == 0) {
            continue;
        }
        th_ticsx(&r, NULL, fx.lone, commands[i], "--lang", "ja", NULL);
        if (strstr(r.err, "不明なオプション") != NULL ||
            strstr(r.err, "というオプションはありません") != NULL ||
            strstr(r.err, "unknown option") != NULL) {
            fail_msg("ticsx %s --lang ja refuses the option:\n%s", commands[i], r.err);
        }
        th_result_free(&r);
    }
    /* The command's subcommand and arguments around it. */
    th_ticsx(&r, NULL, fx.lone, "questionnaire", "show", "tics-selfcheck", "--lang", "ja", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "回答の選択肢:");
    th_expect_text(r.out, "レベル1・重み");
    expect_no(r.out, " L1 w");
    th_result_free(&r);
    th_ticsx(&r, NULL, fx.lone, "questionnaire", "show", "tics-selfcheck", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "answers:");
    th_expect_text(r.out, " L1 w");
    th_result_free(&r);
}

/* stdout of `ticsx ARGS... --lang LANG` on the world's hub, asserted to succeed. */
static char *
json_of(const char *home, const char *lang, const char *a, const char *b, const char *c)
{
    th_result r;
    char *out;

    if (b == NULL) {
        th_ticsx(&r, &fx.w.hub, home, a, "--json", "--lang", lang, NULL);
    } else if (c == NULL) {
        th_ticsx(&r, &fx.w.hub, home, a, b, "--json", "--lang", lang, NULL);
    } else {
        th_ticsx(&r, &fx.w.hub, home, a, b, c, "--json", "--lang", lang, NULL);
    }
    th_expect_status(&r, 0);
    out = r.out;
    r.out = NULL;
    th_result_free(&r);
    return out;
}

static void
test_json_same_in_both_languages(void **state)
{
    static const char *const runs[][3] = {
        {"whoami", NULL, NULL},
        {"orgs", NULL, NULL},
        {"questionnaire", "show", "tics-selfcheck"},
        {"questionnaire", "list", NULL},
        {"cert", "show", CERT_NO},
        {"cert", "verify", CERT_NO},
        {"cert", "list", NULL},
        {"inbox", NULL, NULL},
        {"report", NULL, NULL},
        {"register", "list", NULL},
        {"register", "bodies", NULL},
    };

    (void)state;
    given_certificate();
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        char *ja = json_of(fx.buyer, "ja", runs[i][0], runs[i][1], runs[i][2]);
        char *en = json_of(fx.buyer, "en", runs[i][0], runs[i][1], runs[i][2]);
        json_t *j = th_parse_json(en);
        json_decref(j);
        if (strcmp(ja, en) != 0) {
            fail_msg("ticsx %s %s --json differs with --lang ja:\n%s\n--- en:\n%s", runs[i][0],
                     runs[i][1] ? runs[i][1] : "", ja, en);
        }
        free(ja);
        free(en);
    }
}

static void
test_errors_japanese(void **state)
{
    th_result r;

    (void)state;
    th_ticsx(&r, NULL, fx.lone, "--lang", "ja", "--timeout", "x", "whoami", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "ticsx: --timeout x: 1 から 3600000 までのミリ秒で指定してください");
    th_result_free(&r);

    /* After the command, and before the --lang that comes later on the line. */
    th_ticsx(&r, NULL, fx.lone, "whoami", "--timeout", "0", "--lang", "ja", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "ミリ秒で指定してください");
    th_result_free(&r);

    th_ticsx(&r, NULL, fx.lone, "whoami", "--timeout", "0", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "--timeout 0: give milliseconds, 1 to 3600000");
    th_result_free(&r);

    /* A home without an identity. */
    th_ticsx(&r, NULL, fx.lone, "whoami", "--lang", "ja", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "に自組織の鍵がありません。先に ticsx keygen --name NAME を実行してく"
                          "ださい");
    th_result_free(&r);

    th_ticsx(&r, NULL, fx.lone, "no-such-command", "--lang", "ja", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "no-such-command というコマンドはありません");
    th_result_free(&r);

    th_ticsx(&r, NULL, fx.lone, "--lang", "fr", "whoami", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "--lang fr: use ja or en");
    th_result_free(&r);
}

static void
test_cert_show_and_verify_japanese(void **state)
{
    th_result r;

    (void)state;
    given_certificate();
    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "show", CERT_NO, "--lang", "ja", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "認証番号     " CERT_NO "\n");
    th_expect_text(r.out, "取得者       " HOLDER);
    th_expect_text(r.out, "認証機関     " BODY);
    th_expect_text(r.out, "認証範囲     ");
    th_expect_text(r.out, "有効期間     ");
    th_expect_text(r.out, "時点の状態: 有効");
    expect_no(r.out, "holder ");
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "verify", CERT_NO, "--lang", "ja", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "時点の状態: 有効");
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.buyer, "--lang", "ja", "cert", "list", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "認証番号");
    th_expect_text(r.out, "取得者");
    th_expect_text(r.out, "状態\n");
    th_expect_text(r.out, " 有効\n");
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.buyer, "cert", "show", CERT_NO, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "certificate  " CERT_NO "\n");
    th_expect_text(r.out, "valid on ");
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.buyer, "whoami", "--lang", "ja", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "名称                " BUYER "\n");
    th_expect_text(r.out, "フィンガープリント  SHA256:");
    th_result_free(&r);
}

/* The text of one entry of a workbook. */
static char *
zip_text(const char *path, const char *entry)
{
    int err = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &err);
    zip_stat_t st;
    zip_file_t *f;
    char *buf;

    assert_non_null(z);
    assert_int_equal(zip_stat(z, entry, 0, &st), 0);
    assert_true(st.size < 1 << 20);
    buf = calloc(1, st.size + 1);
    assert_non_null(buf);
    f = zip_fopen(z, entry, 0);
    assert_non_null(f);
    assert_int_equal(zip_fread(f, buf, st.size), (zip_int64_t)st.size);
    zip_fclose(f);
    zip_close(z);
    return buf;
}

/* The names of the workbook's sheets, in order, from xl/workbook.xml. */
static char *
workbook_xml(const char *path)
{
    return zip_text(path, "xl/workbook.xml");
}

static void
test_xlsx_template_japanese(void **state)
{
    char ja[PATH_MAX], en[PATH_MAX];
    char *xml;
    th_result r;

    (void)state;
    snprintf(ja, sizeof ja, "%s/template-ja.xlsx", fx.w.root);
    snprintf(en, sizeof en, "%s/template-en.xlsx", fx.w.root);
    th_ticsx(&r, NULL, fx.lone, "questionnaire", "template", "tics-selfcheck", "--out", ja,
             "--lang", "ja", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "を作成しました");
    th_result_free(&r);
    xml = zip_text(ja, "xl/sharedStrings.xml");
    th_expect_text(xml, "<t>設問ID（item）</t>");
    th_expect_text(xml, "<t>回答（answer）</t>");
    th_expect_text(xml, "<t>コメント（comment）</t>");
    free(xml);
    xml = workbook_xml(ja);
    th_expect_text(xml, "name=\"回答\"");
    th_expect_text(xml, "name=\"回答の選択肢\"");
    assert_true(strstr(xml, "name=\"回答\"") < strstr(xml, "name=\"回答の選択肢\""));
    free(xml);

    /* Its headers say what each column holds and keep the key the reader looks for; this
     * process speaks English and still reads the sheet. */
    tx_questionnaire_pb *q = NULL;
    tx_answers a = {0};
    assert_int_equal(tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, &q), TX_OK);
    if (tx_answers_load(ja, q, 1, &a) != TX_OK) {
        fail_msg("the Japanese template is not read back: %s", tx_fail_msg());
    }
    assert_int_equal(a.n, 0); /* nothing answered yet */
    tx_answers_free(&a);
    tx_free(q);

    th_ticsx(&r, NULL, fx.lone, "questionnaire", "template", "tics-selfcheck", "--out", en, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    xml = workbook_xml(en);
    th_expect_text(xml, "name=\"answers\"");
    th_expect_text(xml, "name=\"scale\"");
    free(xml);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_japanese),
        cmocka_unit_test(test_command_list_is_complete),
        cmocka_unit_test(test_help_names_every_command),
        cmocka_unit_test(test_lang_from_environment),
        cmocka_unit_test(test_harness_runs_children_in_english),
        cmocka_unit_test(test_lang_after_every_command),
        cmocka_unit_test(test_json_same_in_both_languages),
        cmocka_unit_test(test_errors_japanese),
        cmocka_unit_test(test_cert_show_and_verify_japanese),
        cmocka_unit_test(test_xlsx_template_japanese),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

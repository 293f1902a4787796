/* Japanese in the libraries and the hub: with Japanese chosen, every certificate verdict reason
 * is wholly Japanese (no English word outside ids, numbers, dates and command names), the inbox
 * listing's headers and states are Japanese, a hub's refusal shows its status in Japanese with
 * the hub's English detail kept, every `ticsx-hub` usage text is Japanese with
 * LANG=ja_JP.UTF-8 (no Japanese locale installed: tx_i18n copes), so are the result lines of
 * `ticsx-hub init` and `enroll`, and `ticsx-hub run` keeps its log lines and its usage errors
 * English under the same LANG. */
#include "harness.h"
#include "th_chain.h"
#include "tx_cert_issue.h"
#include "tx_cert_judge.h"
#include "tx_conn.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_inbox.h"
#include "tx_msg.h"
#include "tx_trust.h"
#include "tx_util.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define CORP "3180001056789" /* a 13-digit corporate number with a valid check digit */
#define NUMBER "TICS-DEMO-0007"

/* ---- helpers ---- */

static int
id_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           (ch != 0 && strchr("+/=:._-", ch) != NULL);
}

/* The first run of three or more ASCII letters in s that is not one of `allowed` (a
 * NULL-ended list of words that may stay ASCII: command names, option argument names), copied
 * into out; 0 when there is none. A token with a digit in it is an id, a number, a date or a
 * fingerprint ("TICS-DEMO-0007", "2026-11-01", "SHA256:oy3r...") and is skipped whole. */
static int
english_word(const char *s, const char *const *allowed, char *out, size_t n)
{
    for (const char *p = s; *p;) {
        const char *end = p;
        int digit = 0;

        if (!id_char(*p)) {
            p++;
            continue;
        }
        while (id_char(*end)) {
            digit |= *end >= '0' && *end <= '9';
            end++;
        }
        for (const char *w = p; !digit && w < end;) {
            const char *q = w;
            while (q < end && ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z'))) {
                q++;
            }
            if (q - w >= 3) {
                int ok = 0;
                for (size_t i = 0; allowed[i] != NULL && !ok; i++) {
                    ok = strlen(allowed[i]) == (size_t)(q - w) &&
                         strncmp(allowed[i], w, (size_t)(q - w)) == 0;
                }
                if (!ok) {
                    snprintf(out, n, "%.*s", (int)(q - w), w);
                    return 1;
                }
            }
            w = q > w ? q : w + 1;
        }
        p = end;
    }
    return 0;
}

/* True when s holds a character outside ASCII (the Japanese texts all do). */
static int
has_non_ascii(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s >= 0x80) {
            return 1;
        }
    }
    return 0;
}

static void
expect_japanese(const char *what, const char *text, const char *const *allowed)
{
    char word[128];

    if (!has_non_ascii(text)) {
        fail_msg("%s is not Japanese: \"%s\"", what, text);
    }
    if (english_word(text, allowed, word, sizeof word)) {
        fail_msg("%s holds the English word \"%s\": \"%s\"", what, word, text);
    }
}

static void
test_helper_finds_english(void **state)
{
    static const char *const allowed[] = {"ticsx", NULL};
    char word[64];
    (void)state;

    /* The mixed reason the issue quotes is caught; ids and dates pass. */
    assert_true(english_word("認証 現在: certificate TICS-DEMO-0007 expired on 2026-11-01", allowed,
                             word, sizeof word));
    assert_string_equal(word, "certificate");
    assert_false(english_word("認証 TICS-DEMO-0007 は 2026-11-01 に有効期限が切れています", allowed,
                              word, sizeof word));
    assert_false(
        english_word("ab 12 x SHA256:oy3rEFtaLIqBWO7Dk+oE ticsx", allowed, word, sizeof word));
    assert_true(english_word("ticsx fetch を実行", allowed, word, sizeof word));
    assert_string_equal(word, "fetch");
}

/* ---- certificate reasons, in this process ---- */

typedef struct {
    th_chain t; /* the trust set and the sequence numbers */
    tx_identity *meti, *rogue, *body, *supplier, *other;
} chain;

static int
chain_setup(void **state)
{
    chain *c = calloc(1, sizeof *c);

    c->t.scope = "設計部門及び製造部門";
    c->t.corp = CORP;

    /* Japanese names, as the parties of a Japanese exchange have: only ids stay ASCII. */
    c->meti = th_identity("経済産業省");
    c->rogue = th_identity("自称認定機関");
    c->body = th_identity("日本品質認証機構");
    c->supplier = th_identity("三河精密株式会社");
    c->other = th_identity("尾張工業株式会社");
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
    tx_identity_destroy(&c->supplier);
    tx_identity_destroy(&c->other);
    free(c);
    tx_i18n_init("en");
    return 0;
}

/* What may stay ASCII in a Japanese reason: the certificate numbers and the sector (ids), TICS
 * (the scheme's name), and the command a reason tells the reader to run. */
static const char *const reason_ids[] = {"TICS",  "manufacturing", "aerospace", "defence", "ticsx",
                                         "trust", "add",           "FILE",      "fetch",   NULL};

/* Judges cert at `date` in Japanese: the status must be `status` and the reason wholly
 * Japanese; `needle` (may be NULL) must occur in it. */
static void
expect_ja(chain *c, const uint8_t *cert, const tx_identity *holder, const char *date, int status,
          const char *needle)
{
    tx_cert_state st;
    char what[128];

    tx_cert_evaluate(&c->t.ts, cert, holder != NULL ? holder->pub.sign : NULL, th_date(date), NULL,
                     &st);
    if (st.status != status) {
        fail_msg("at %s: %s (%s), expected %s", date, tx_cert_status_name(st.status), st.reason,
                 tx_cert_status_name(status));
    }
    snprintf(what, sizeof what, "the %s reason at %s", tx_cert_status_name(status), date);
    expect_japanese(what, st.reason, reason_ids);
    if (needle != NULL && strstr(st.reason, needle) == NULL) {
        fail_msg("%s: \"%s\" does not say \"%s\"", what, st.reason, needle);
    }
    assert_true(has_non_ascii(tx_cert_status_label(status)));
}

static void
test_certificate_reasons_japanese(void **state)
{
    chain *c = *state;
    uint8_t cert[TX_ID_LEN], revoked[TX_ID_LEN], other[TX_ID_LEN], stray[TX_ID_LEN];
    tx_cert_state st;

    assert_int_equal(tx_i18n_init("ja"), TX_OK);
    assert_true(tx_i18n_ja());
    if (tx_i18n_localedir()[0] == 0) {
        fail_msg("the Japanese catalogue was not found (build the tx_catalogue target)");
    }
    th_chain_accredit(&c->t, c->meti, c->body, "manufacturing", "2023-01-01", "2030-01-01");
    th_chain_certify(&c->t, c->body, c->supplier, NUMBER, "manufacturing", "2023-11-01", cert);
    th_chain_event(&c->t, c->body, cert, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT,
                   "2024-10-15", "定期報告");

    /* The example: an expired certificate, date as 2026-11-01 (ISO, everywhere). */
    expect_ja(c, cert, c->supplier, "2026-11-02", TX_CERT_EXPIRED,
              "認証 " NUMBER " は 2026-11-01 に有効期限が切れています");
    expect_ja(c, cert, c->supplier, "2024-11-01", TX_CERT_VALID, "2026-11-01");
    expect_ja(c, cert, c->supplier, "2023-06-01", TX_CERT_NOT_YET_VALID, NULL);
    expect_ja(c, cert, c->supplier, "2025-11-01", TX_CERT_STALE, "定期報告");
    expect_ja(c, cert, c->other, "2024-11-01", TX_CERT_HOLDER_MISMATCH, NULL);
    th_chain_event(&c->t, c->body, cert, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_SUSPENDED,
                   "2025-01-10", "是正処置の確認中");
    expect_ja(c, cert, c->supplier, "2025-02-01", TX_CERT_SUSPENDED, "是正処置の確認中");

    th_chain_certify(&c->t, c->body, c->supplier, "TICS-DEMO-0008", "manufacturing", "2024-01-01",
                     revoked);
    th_chain_event(&c->t, c->body, revoked, TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REVOKED,
                   "2024-06-01", "");
    expect_ja(c, revoked, c->supplier, "2024-07-01", TX_CERT_REVOKED, "2024-06-01");

    /* Not accredited: a sector outside the scope, a date outside the accreditation, a body
     * accredited only by a key that is not pinned, and no pinned key at all. */
    th_chain_certify(&c->t, c->body, c->supplier, "TICS-DEMO-0009", "aerospace-defence",
                     "2024-01-01", other);
    expect_ja(c, other, c->supplier, "2024-02-01", TX_CERT_NOT_ACCREDITED, "aerospace-defence");
    th_chain_certify(&c->t, c->body, c->supplier, "TICS-DEMO-0010", "manufacturing", "2031-01-01",
                     stray);
    expect_ja(c, stray, c->supplier, "2031-02-01", TX_CERT_NOT_ACCREDITED, "2030-01-01");
    {
        uint8_t forged[TX_ID_LEN];
        th_chain_accredit(&c->t, c->rogue, c->supplier, "manufacturing", "2023-01-01",
                          "2030-01-01");
        th_chain_certify(&c->t, c->supplier, c->supplier, "TICS-DEMO-0011", "manufacturing",
                         "2024-01-01", forged);
        expect_ja(c, forged, c->supplier, "2024-02-01", TX_CERT_NOT_ACCREDITED, "偽造");
    }
    c->t.ts.n_pinned = 0;
    expect_ja(c, cert, c->supplier, "2024-11-01", TX_CERT_NOT_ACCREDITED, "ticsx trust add");
    c->t.ts.n_pinned = 1;

    /* No certificate, and one this home does not hold. */
    expect_ja(c, NULL, c->supplier, "2024-11-01", TX_CERT_NONE, NULL);
    memset(stray, 0x5a, sizeof stray);
    expect_ja(c, stray, c->supplier, "2024-11-01", TX_CERT_UNAVAILABLE, "ticsx fetch");

    /* The same judgement in English reads as before. */
    assert_int_equal(tx_i18n_init("en"), TX_OK);
    tx_cert_evaluate(&c->t.ts, cert, c->supplier->pub.sign, th_date("2026-11-02"), NULL, &st);
    assert_string_equal(st.reason, "certificate " NUMBER " expired on 2026-11-01");
}

/* ---- the inbox listing, in this process ---- */

static char *
print_inbox(const tx_inbox *in)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    assert_non_null(f);
    assert_int_equal(tx_inbox_print(f, in, 0, 0), TX_OK);
    fclose(f);
    return text;
}

static void
test_inbox_headers_japanese(void **state)
{
    tx_inbox_entry e[3];
    tx_inbox in = {e, 3, 3};
    char *text;
    (void)state;

    memset(e, 0, sizeof e);
    e[0].kind = TX_KIND_REQUEST;
    memset(e[0].id, 0xab, TX_ID_LEN);
    snprintf(e[0].from, sizeof e[0].from, "%s", "豊田自動車株式会社");
    snprintf(e[0].questionnaire_name, sizeof e[0].questionnaire_name, "tics-selfcheck v1");
    e[0].due = th_date("2026-12-24");
    e[0].depth = 2;
    e[1].kind = TX_KIND_GRANT;
    memset(e[1].assessment, 0xcd, TX_ID_LEN);
    snprintf(e[1].from, sizeof e[1].from, "%s", "三河精密株式会社");
    e[1].until = th_date("2027-03-31");
    e[2].kind = TX_KIND_GRANT_REVOKE;
    memset(e[2].assessment, 0xef, TX_ID_LEN);
    snprintf(e[2].from, sizeof e[2].from, "%s", "尾張工業株式会社");
    e[2].when = th_date("2026-11-30");

    assert_int_equal(tx_i18n_init("ja"), TX_OK);
    text = print_inbox(&in);
    for (const char *h = "回答依頼\0送信元\0質問票\0回答期限\0状態\0未回答\0評価\0共有の取消し\0"
                         "2026-12-24\0"
                         "2次取引先までの回答を求めています\0";
         *h; h += strlen(h) + 1) {
        th_expect_text(text, h);
    }
    for (const char *en = "REQUEST\0FROM\0DUE\0STATUS\0open\0ASSESSMENT\0REVOKED\0until\0"; *en;
         en += strlen(en) + 1) {
        if (strstr(text, en) != NULL) {
            fail_msg("the Japanese inbox holds \"%s\":\n%s", en, text);
        }
    }
    free(text);

    /* English keeps its headers. */
    assert_int_equal(tx_i18n_init("en"), TX_OK);
    text = print_inbox(&in);
    th_expect_text(text, "REQUEST");
    th_expect_text(text, "QUESTIONNAIRE");
    th_expect_text(text, "open");
    free(text);
}

/* ---- a hub's refusal, in this process ---- */

static void
test_refusal_status_in_readers_language(void **state)
{
    tx_reply_pb r = TICSX__V1__REPLY__INIT;
    (void)state;

    r.status = TX_STATUS_FORBIDDEN;
    r.message = "only the author may revoke";
    assert_int_equal(tx_i18n_init("ja"), TX_OK);
    assert_int_equal(tx_conn_refused(&r, "%s", _("to get a record")), TX_ERR_REFUSED);
    /* The status in Japanese, the hub's English detail kept for support. */
    assert_string_equal(tx_fail_msg(), "ハブがレコードの取得を拒否しました: 許可されていません"
                                       "（ハブの詳細: only the author may revoke）");
    r.message = "";
    tx_conn_refused(&r, "%s", _("to get a record"));
    assert_string_equal(tx_fail_msg(), "ハブがレコードの取得を拒否しました: 許可されていません");
    assert_int_equal(tx_i18n_init("en"), TX_OK);
    r.message = "only the author may revoke";
    tx_conn_refused(&r, "%s", _("to get a record"));
    assert_string_equal(tx_fail_msg(),
                        "hub refused to get a record: forbidden: only the author may revoke");
}

/* ---- the hub binary ---- */

/* Runs ticsx-hub with LANG=lang (LC_ALL, LC_MESSAGES and LANGUAGE unset), stdout and stderr
 * into out (NUL-terminated). Returns the exit status. */
static int
run_hub(const char *lang, char *out, size_t n, const char *const *args)
{
    char path[PATH_MAX];
    int fd[2], status = 0;
    size_t used = 0;
    ssize_t got;
    pid_t pid;

    snprintf(path, sizeof path, "%s", th_hub_bin());
    assert_int_equal(pipe(fd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const char *argv[16] = {"ticsx-hub"};
        size_t k = 1;
        for (; args[k - 1] != NULL && k < 15; k++) {
            argv[k] = args[k - 1];
        }
        argv[k] = NULL;
        dup2(fd[1], 1);
        dup2(fd[1], 2);
        close(fd[0]);
        unsetenv("LC_ALL");
        unsetenv("LC_MESSAGES");
        unsetenv("LANGUAGE");
        setenv("LANG", lang, 1);
        execv(path, (char *const *)argv);
        _exit(127);
    }
    close(fd[1]);
    while (used + 1 < n && (got = read(fd[0], out + used, n - 1 - used)) > 0) {
        used += (size_t)got;
    }
    out[used] = 0;
    close(fd[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A usage text with what stays ASCII blanked: options ("--data"), argument names ("DIR",
 * "ADDR:PORT"), and file names, paths, endpoints and values ("hub.key", "DIR/endpoint",
 * "tcp://127.0.0.1:7700", "storage_full"). Caller frees. */
static char *
usage_words(const char *text)
{
    char *s = strdup(text);

    assert_non_null(s);
    for (char *p = s; *p;) {
        char *end = p;
        int lower = 0, mark = 0;
        if (!id_char(*p)) {
            p++;
            continue;
        }
        while (id_char(*end) || *end == '<' || *end == '>' || *end == '[' || *end == ']' ||
               *end == '|') {
            lower |= *end >= 'a' && *end <= 'z';
            mark |= strchr("/._:<>|", *end) != NULL;
            end++;
        }
        if (*p == '-' || *p == '[' || !lower || mark) {
            memset(p, ' ', (size_t)(end - p));
        }
        p = end;
    }
    return s;
}

/* The commands and the names of tools, formats and levels a Japanese usage text keeps. */
static const char *const usage_ids[] = {
    "ticsx", "hub", "init", "run", "enroll", "reenroll", "health", "backup", "check", "ZeroMQ",
    "LMDB", "MiB", "Prometheus", "stderr", "text", "logfmt", "json", "error", "warn", "info",
    "debug", "localhost", "tlog", "checkpoint", "origin", "enrolled", "systemd", "journal",
    "Merkle",
    /* hub.ini's sections and keys */
    "log", "metrics", "bind", "map", "size", "workers", "commit", "wait", "level", "format",
    "listen", "allow", "remote", "first",
    /* a metric named in run --help: ticsx_hub_store_check_state */
    "store", "state", NULL};

static void
test_hub_usage_japanese(void **state)
{
    static const char *const cmds[] = {NULL,       "init",   "run",    "enroll",
                                       "reenroll", "health", "backup", "check"};
    char out[16384], what[64];
    (void)state;

    th_require_hub_bin();
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const char *args[3] = {cmds[i] != NULL ? cmds[i] : "--help", "--help", NULL};
        if (cmds[i] == NULL) {
            args[1] = NULL;
        }
        assert_int_equal(run_hub("ja_JP.UTF-8", out, sizeof out, args), 0);
        snprintf(what, sizeof what, "ticsx-hub %s --help", cmds[i] != NULL ? cmds[i] : "");
        {
            char *words = usage_words(out);
            expect_japanese(what, words, usage_ids);
            free(words);
        }
        th_expect_text(out, "使い方: ticsx-hub");
        /* English under C.UTF-8. */
        assert_int_equal(run_hub("C.UTF-8", out, sizeof out, args), 0);
        th_expect_text(out, "usage: ticsx-hub");
        assert_false(has_non_ascii(out));
    }
}

/* `ticsx-hub init` and `enroll` speak the operator's language: their result lines are Japanese
 * with LANG=ja_JP.UTF-8 and the same English as ever in C.UTF-8 (scripts read those). */
static void
test_hub_results_japanese(void **state)
{
    char *dir = th_tmpdir_named("i18n-hub-results"), ja[PATH_MAX - 64], en[PATH_MAX - 64],
         home[PATH_MAX - 64], profile[PATH_MAX], out[16384];
    const char *init_ja[] = {"init", "--data", ja, NULL}, *init_en[] = {"init", "--data", en, NULL};
    const char *enroll_ja[] = {"enroll", "--data", ja, profile, NULL},
               *enroll_en[] = {"enroll", "--data", en, profile, NULL};
    (void)state;

    th_require_hub_bin();
    snprintf(ja, sizeof ja, "%s/hub-ja", dir);
    snprintf(en, sizeof en, "%s/hub-en", dir);
    snprintf(home, sizeof home, "%s/supplier", dir);
    snprintf(profile, sizeof profile, "%s/profile.tx", home);
    th_party(NULL, home, "Tanaka Seiki KK", NULL);

    assert_int_equal(run_hub("ja_JP.UTF-8", out, sizeof out, init_ja), 0);
    th_expect_text(out, "ハブの公開鍵: ");
    th_expect_text(out, "ハブのフィンガープリント: SHA256:");
    th_expect_text(out, "ハブの検証鍵: ");
    th_expect_text(out, "（すべてコメントアウトされているため、既定値が適用されます）\n");
    assert_null(strstr(out, "hub public key"));
    assert_int_equal(run_hub("C.UTF-8", out, sizeof out, init_en), 0);
    th_expect_text(out, "hub public key: ");
    th_expect_text(out, "hub fingerprint: SHA256:");
    th_expect_text(out, "hub verifier key: ");
    th_expect_text(out, " (all commented out: the defaults apply)\n");
    assert_false(has_non_ascii(out));

    assert_int_equal(run_hub("ja_JP.UTF-8", out, sizeof out, enroll_ja), 0);
    th_expect_text(out, "登録しました: Tanaka Seiki KK SHA256:");
    assert_int_equal(run_hub("ja_JP.UTF-8", out, sizeof out, enroll_ja), 0);
    th_expect_text(out, "登録済みです（変更はありません）: Tanaka Seiki KK SHA256:");
    assert_null(strstr(out, "enrolled"));
    assert_int_equal(run_hub("C.UTF-8", out, sizeof out, enroll_en), 0);
    th_expect_text(out, "enrolled Tanaka Seiki KK SHA256:");
    assert_false(has_non_ascii(out));
    assert_int_equal(run_hub("C.UTF-8", out, sizeof out, enroll_en), 0);
    th_expect_text(out, "enrolled Tanaka Seiki KK SHA256:");
    th_expect_text(out, " (already enrolled)\n");
    assert_false(has_non_ascii(out));
    th_rmtree(dir);
    free(dir);
}

static void
test_hub_run_stays_english(void **state)
{
    char *dir = th_tmpdir_named("i18n-hub"), data[PATH_MAX - 64], endpoint[PATH_MAX],
         logpath[PATH_MAX], out[16384];
    const char *bad[] = {"run", "--data", data, "--no-such-option", NULL};
    struct stat st;
    int status = 0, fd;
    pid_t pid;
    (void)state;

    th_require_hub_bin();
    snprintf(data, sizeof data, "%s/hub", dir);
    snprintf(endpoint, sizeof endpoint, "%s/endpoint", data);
    snprintf(logpath, sizeof logpath, "%s/hub.log", dir);
    th_hub_init(data);

    /* A usage error of run: English, usage included. */
    assert_int_equal(run_hub("ja_JP.UTF-8", out, sizeof out, bad), 2);
    th_expect_text(out, "usage: ticsx-hub run");
    assert_false(has_non_ascii(out));

    /* Serving: every log line English. */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 2);
        dup2(fd, 1);
        unsetenv("LC_ALL");
        unsetenv("LC_MESSAGES");
        unsetenv("LANGUAGE");
        setenv("LANG", "ja_JP.UTF-8", 1);
        execl(th_hub_bin(), "ticsx-hub", "run", "--data", data, "--bind", "tcp://127.0.0.1:*",
              "--log-level", "debug", (char *)NULL);
        _exit(127);
    }
    /* Up when it has written its endpoint (bounded wait: a hub that never comes up fails). */
    for (int i = 0; i < 6000 && stat(endpoint, &st) != 0; i++) {
        assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
        usleep(10000);
    }
    assert_int_equal(stat(endpoint, &st), 0);
    {
        /* An operator command with Japanese asked for, against the running hub. */
        const char *health[] = {"health", "--data", data, NULL};
        assert_int_equal(run_hub("ja_JP.UTF-8", out, sizeof out, health), 0);
    }
    assert_int_equal(kill(pid, SIGTERM), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    {
        char *log = th_read_file(logpath);
        assert_non_null(log);
        assert_true(strlen(log) > 0);
        if (has_non_ascii(log)) {
            fail_msg("ticsx-hub run logged text that is not English with LANG=ja_JP.UTF-8:\n%s",
                     log);
        }
        th_expect_text(log, "info");
        free(log);
    }
    th_rmtree(dir);
    free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_helper_finds_english),
        cmocka_unit_test_setup_teardown(test_certificate_reasons_japanese, chain_setup,
                                        chain_teardown),
        cmocka_unit_test(test_inbox_headers_japanese),
        cmocka_unit_test(test_refusal_status_in_readers_language),
        cmocka_unit_test(test_hub_usage_japanese),
        cmocka_unit_test(test_hub_results_japanese),
        cmocka_unit_test(test_hub_run_stays_english),
    };
    return cmocka_run_group_tests(tests, NULL, th_stop_leftover_hubs);
}

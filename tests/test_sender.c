/* The sender's side, through the real binaries against a real ticsx-hub on 127.0.0.1:
 * answers files over a reader's limits are refused before anything is signed or submitted (and
 * the hub's log does not grow); NUL bytes are refused where they are, never cut; a home open
 * to others is refused with the chmod to run; a legal name with a comma works in --to; a
 * handshake cut by a hub restart is "unreachable" (3), not "not enrolled" (1). */
#include "harness.h"
#include "tx_csv.h"
#include "tx_error.h"

#include <fcntl.h>
#include <jansson.h>
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
#include <xlsxwriter.h>

#include <cmocka.h>

#define BUYER "Example Motors KK"
#define SUPPLIER "Tanaka Seiko KK"
#define COMMA "Example Co., Ltd."
#define OTHER "Other KK"
#define LONG_COMMENT 71680 /* 70 KiB: over the 64 KiB a reader takes */

typedef struct {
    th_world w;
    char buyer[PATH_MAX], supplier[PATH_MAX], comma[PATH_MAX], other[PATH_MAX];
    char request[65];
} fixture;

static fixture fx;

static int
setup(void **state)
{
    (void)state;

    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, NULL);
    th_world_party(&fx.w, fx.supplier, "supplier", SUPPLIER, NULL);
    th_world_party(&fx.w, fx.comma, "comma", COMMA, NULL);
    th_world_party(&fx.w, fx.other, "other", OTHER, NULL);
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

/* The size of the hub's log, as the buyer's audit-log reports it. */
static long
log_size(void)
{
    th_result r;
    json_t *j;
    long size;

    th_ticsx(&r, &fx.w.hub, fx.buyer, "--json", "audit-log", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    size = (long)json_integer_value(json_object_get(j, "size"));
    json_decref(j);
    th_result_free(&r);
    return size;
}

/* The request to the supplier, and the supplier's CSV template of it (path in tmpl). */
static void
request_and_template(char *tmpl, size_t n)
{
    th_result r;

    if (fx.request[0] == 0) {
        th_ticsx(&r, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                 SUPPLIER, NULL);
        th_expect_status(&r, 0);
        memcpy(fx.request, r.out, 64);
        th_result_free(&r);
    }
    snprintf(tmpl, n, "%s/template.csv", fx.w.root);
    if (access(tmpl, F_OK) != 0) {
        th_ticsx(&r, &fx.w.hub, fx.supplier, "questionnaire", "template", fx.request, "--out", tmpl,
                 NULL);
        th_expect_status(&r, 0);
        th_result_free(&r);
    }
}

/* Writes the template with every answer "yes" and, on data row `row` (from 1), the comment
 * `comment` of comment_len bytes (which may hold NUL bytes). Returns that row's item id
 * (caller frees) and its line in *line. */
static char *
fill_csv(const char *tmpl, const char *out, size_t row, const char *comment, size_t comment_len,
         unsigned *line)
{
    char *text = th_read_file(tmpl);
    FILE *f = fopen(out, "wb");
    tx_csv *csv;
    char **fields;
    size_t n, at = 0;
    unsigned l;
    char *item = NULL;

    assert_non_null(f);
    assert_int_equal(tx_csv_open(text, strlen(text), &csv), TX_OK);
    fputs("\xEF\xBB\xBF", f);
    while (tx_csv_next(csv, &fields, &n, &l) == TX_OK) {
        if (n == 1 && fields[0][0] == 0) {
            break; /* the blank line before the sub-suppliers' section: none listed */
        }
        assert_int_equal(n, 12); /* ... answer, comment, then the plan columns */
        if (at == 0) {
            tx_csv_write(f, (const char *const *)fields, n);
        } else {
            fields[6] = "yes";
            fields[7] = "";
            if (at == row) {
                item = strdup(fields[0]);
                *line = l;
                fields[7] = "@"; /* replaced by the raw comment below */
            }
            if (at == row) {
                /* Written by hand: a NUL cannot go through tx_csv_write. */
                for (size_t i = 0; i < 7; i++) {
                    fputc('"', f);
                    for (const char *c = fields[i]; *c; c++) {
                        fputs(*c == '"' ? "\"\"" : (char[2]){*c, 0}, f);
                    }
                    fputs("\",", f);
                }
                fputc('"', f);
                fwrite(comment, 1, comment_len, f);
                fputs("\",,,,\r\n", f); /* the four plan columns, empty */
            } else {
                tx_csv_write(f, (const char *const *)fields, n);
            }
        }
        at++;
    }
    tx_csv_destroy(&csv);
    fclose(f);
    free(text);
    assert_non_null(item);
    return item;
}

static char *
long_text(size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, 'x', n);
    s[n] = 0;
    return s;
}

/* A 70 KiB comment in a CSV answers file: before, signed, sealed and sent (exit 0), and every
 * buyer got "inner assessment is malformed". Now exit 2 naming file, line, item and limit. */
static void
test_long_comment_csv(void **state)
{
    char tmpl[PATH_MAX], path[PATH_MAX], want[256];
    char *comment = long_text(LONG_COMMENT), *item;
    unsigned line = 0;
    long before;
    th_result r;
    (void)state;

    request_and_template(tmpl, sizeof tmpl);
    snprintf(path, sizeof path, "%s/long.csv", fx.w.root);
    item = fill_csv(tmpl, path, 12, comment, LONG_COMMENT, &line);
    before = log_size();
    th_ticsx(&r, &fx.w.hub, fx.supplier, "answer", fx.request, "--file", path, NULL);
    th_expect_status(&r, 2);
    snprintf(want, sizeof want,
             "long.csv line %u, item %s: comment is 71 680 bytes, at most 65 536", line, item);
    th_expect_text(r.err, want);
    th_result_free(&r);
    assert_int_equal(log_size(), before);
    free(item);
    free(comment);
}

/* The same in a JSON answers file: named by entry. */
static void
test_long_comment_json(void **state)
{
    char tmpl[PATH_MAX], path[PATH_MAX];
    char *comment = long_text(LONG_COMMENT), *text;
    json_t *j, *arr;
    long before;
    th_result r;
    (void)state;

    request_and_template(tmpl, sizeof tmpl);
    snprintf(path, sizeof path, "%s/long.json", fx.w.root);
    th_ticsx(&r, &fx.w.hub, fx.supplier, "questionnaire", "template", fx.request, "--format",
             "json", "--out", path, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    text = th_read_file(path);
    j = th_parse_json(text);
    free(text);
    arr = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer", json_string("yes"));
    }
    json_object_set_new(json_array_get(arr, 3), "comment", json_string(comment));
    assert_int_equal(json_dump_file(j, path, 0), 0);
    before = log_size();
    th_ticsx(&r, &fx.w.hub, fx.supplier, "answer", fx.request, "--file", path, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "long.json answers[3], item ");
    th_expect_text(r.err, ": comment is 71 680 bytes, at most 65 536");
    th_result_free(&r);

    /* A sub-supplier named at length is refused the same way. */
    json_object_set_new(json_array_get(arr, 3), "comment", json_string(""));
    json_object_set_new(j, "suppliers",
                        json_pack("[{s:s,s:s}]", "name", "Sub KK", "supplies", comment));
    assert_int_equal(json_dump_file(j, path, 0), 0);
    th_ticsx(&r, &fx.w.hub, fx.supplier, "answer", fx.request, "--file", path, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "long.json suppliers[0] (Sub KK): supplies is 71 680 bytes, at most");
    th_result_free(&r);

    /* A NUL written as \u0000 is refused with its line, never cut. */
    json_object_del(j, "suppliers");
    json_object_set_new(json_array_get(arr, 3), "comment", json_stringn("safe\0hidden", 11));
    assert_int_equal(json_dump_file(j, path, JSON_INDENT(1)), 0);
    th_ticsx(&r, &fx.w.hub, fx.supplier, "answer", fx.request, "--file", path, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "long.json line ");
    th_result_free(&r);
    assert_int_equal(log_size(), before);
    json_decref(j);
    free(comment);
}

/* XLSX: a 70 KiB comment cell is named by row and item, like the CSV. */
static void
test_long_comment_xlsx(void **state)
{
    char tmpl[PATH_MAX], path[PATH_MAX];
    char *comment = malloc(LONG_COMMENT + 1);
    char *text;
    tx_csv *csv;
    char **fields;
    size_t n, row = 0;
    unsigned l;
    th_result r;
    (void)state;

    /* Excel holds at most 32 767 characters in a cell: 70 KiB of Japanese is 23 894 of them. */
    for (size_t i = 0; i + 3 <= LONG_COMMENT; i += 3) {
        memcpy(comment + i, "\xE3\x81\x82", 3); /* あ */
    }
    memcpy(comment + LONG_COMMENT - LONG_COMMENT % 3, "xx", LONG_COMMENT % 3);
    comment[LONG_COMMENT] = 0;
    request_and_template(tmpl, sizeof tmpl);
    snprintf(path, sizeof path, "%s/long.xlsx", fx.w.root);
    text = th_read_file(tmpl);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "answers");
    assert_int_equal(tx_csv_open(text, strlen(text), &csv), TX_OK);
    worksheet_write_string(ws, 0, 0, "item", NULL);
    worksheet_write_string(ws, 0, 1, "answer", NULL);
    worksheet_write_string(ws, 0, 2, "comment", NULL);
    assert_int_equal(tx_csv_next(csv, &fields, &n, &l), TX_OK); /* header */
    /* The items; the sub-suppliers' section after them is left out. */
    while (tx_csv_next(csv, &fields, &n, &l) == TX_OK && n == 12) {
        row++;
        worksheet_write_string(ws, (lxw_row_t)row, 0, fields[0], NULL);
        worksheet_write_string(ws, (lxw_row_t)row, 1, "yes", NULL);
        if (row == 5) {
            assert_int_equal(worksheet_write_string(ws, (lxw_row_t)row, 2, comment, NULL),
                             LXW_NO_ERROR);
        }
    }
    tx_csv_destroy(&csv);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    th_ticsx(&r, &fx.w.hub, fx.supplier, "answer", fx.request, "--file", path, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "long.xlsx row 6, item ");
    th_expect_text(r.err, ": comment is 71 680 bytes, at most 65 536");
    th_result_free(&r);
    free(text);
    free(comment);
}

/* A NUL in a CSV comment used to cut it silently ("safe" was signed, "hidden" dropped). */
static void
test_nul_in_csv(void **state)
{
    char tmpl[PATH_MAX], path[PATH_MAX], want[256];
    char *item;
    unsigned line = 0;
    long before;
    th_result r;
    (void)state;

    request_and_template(tmpl, sizeof tmpl);
    snprintf(path, sizeof path, "%s/nul.csv", fx.w.root);
    item = fill_csv(tmpl, path, 7, "safe\0hidden", 11, &line);
    before = log_size();
    th_ticsx(&r, &fx.w.hub, fx.supplier, "answer", fx.request, "--file", path, NULL);
    th_expect_status(&r, 2);
    snprintf(want, sizeof want,
             "nul.csv line %u, item %s: comment (column 8) holds a NUL byte at byte 5", line, item);
    th_expect_text(r.err, want);
    th_result_free(&r);
    assert_int_equal(log_size(), before);
    free(item);
}

/* A check sheet with a NUL in an item text: refused by line, not imported cut short. */
static void
test_nul_in_import(void **state)
{
    char path[PATH_MAX];
    FILE *f;
    th_result r;
    (void)state;

    snprintf(path, sizeof path, "%s/sheet.csv", fx.w.root);
    f = fopen(path, "wb");
    assert_non_null(f);
    fputs("id,area,level,text ja,text en,weight\r\n", f);
    fputs("X-1,Access,1,,Badges are checked,1\r\n", f);
    fwrite("X-2,Access,1,,Visitors sign in\0 and are escorted,1\r\n", 1, 52, f);
    fclose(f);
    th_ticsx(&r, &fx.w.hub, fx.buyer, "questionnaire", "import", path, "--id", "nul-sheet",
             "--version", "1", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "line 3");
    th_expect_text(r.err, "holds a NUL byte");
    th_result_free(&r);
}

/* Each directory or file of the home that others may write is refused, with its chmod. */
static void
test_home_writable_by_others(void **state)
{
    static const struct {
        const char *rel;
        mode_t bad, good;
    } cases[] = {
        {"", 0777, 0700},          {"trust", 0775, 0700},          {"witnesses", 0770, 0700},
        {"cache", 0757, 0700},     {"cache/data.mdb", 0662, 0600}, {"receipts", 0720, 0700},
        {"checkpoint", 0666, 0644}};
    char path[PATH_MAX + 64], want[PATH_MAX + 128];
    th_result r;
    (void)state;

    /* fetch writes cache/ and checkpoint; the others are made on first use. */
    th_ticsx(&r, &fx.w.hub, fx.other, "fetch", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    for (const char *const *d = (const char *const[]){"trust", "witnesses", "receipts", NULL};
         *d != NULL; d++) {
        snprintf(path, sizeof path, "%s/%s", fx.other, *d);
        mkdir(path, 0700);
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct stat st;

        snprintf(path, sizeof path, "%s%s%s", fx.other, cases[i].rel[0] ? "/" : "", cases[i].rel);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(chmod(path, cases[i].bad), 0);
        th_ticsx(&r, &fx.w.hub, fx.other, "fetch", NULL);
        th_expect_status(&r, 2);
        snprintf(want, sizeof want, "run chmod %o %s", (unsigned)cases[i].good, path);
        th_expect_text(r.err, want);
        th_result_free(&r);
        assert_int_equal(chmod(path, cases[i].good), 0);
    }
    th_ticsx(&r, &fx.w.hub, fx.other, "fetch", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
}

/* Requests to --to ARGS...; asserts the exit status and returns the request id in id. */
static void
request_to(int status, char id[65], const char *needle, const char *const *to, size_t n)
{
    char bin[PATH_MAX], hub[300], key[PATH_MAX + 32];
    const char *argv[32];
    const char *env[] = {hub, key, "LANG=C", "TICSX_NOW=", NULL};
    size_t k = 0;
    th_result r;

    snprintf(hub, sizeof hub, "TICSX_HUB=%s", fx.w.hub.endpoint);
    snprintf(key, sizeof key, "TICSX_HUB_KEY=%s", fx.w.hub.key);

    argv[k++] = th_build_path(bin, sizeof bin, "client/ticsx");
    argv[k++] = "--home";
    argv[k++] = fx.buyer;
    argv[k++] = "request";
    argv[k++] = "--questionnaire";
    argv[k++] = "tics-selfcheck";
    for (size_t i = 0; i < n; i++) {
        argv[k++] = "--to";
        argv[k++] = to[i];
    }
    argv[k] = NULL;
    th_exec(&r, env, argv);
    th_expect_status(&r, status);
    if (needle != NULL) {
        th_expect_text(r.err, needle);
    }
    if (status == 0) {
        memcpy(id, r.out, 64);
        id[64] = 0;
    }
    th_result_free(&r);
}

/* The request id is (or is not) in home's inbox. */
static void
expect_inbox(const char *home, const char *id, int present)
{
    th_result r;

    th_ticsx(&r, &fx.w.hub, home, "-q", "inbox", "--all", NULL);
    th_expect_status(&r, 0);
    if (present) {
        th_expect_text(r.out, id);
    } else if (strstr(r.out, id) != NULL) {
        fail_msg("%s got request %s", home, id);
    }
    th_result_free(&r);
}

/* "Example Co., Ltd." in --to: the whole argument is tried as an exact name first; a list
 * still splits at commas; --to may be repeated. */
static void
test_to_name_with_comma(void **state)
{
    char id[65];
    (void)state;

    {
        const char *to[] = {COMMA};
        request_to(0, id, NULL, to, 1);
        expect_inbox(fx.comma, id, 1);
        expect_inbox(fx.other, id, 0);
    }
    {
        const char *to[] = {COMMA, OTHER};
        request_to(0, id, NULL, to, 2);
        expect_inbox(fx.comma, id, 1);
        expect_inbox(fx.other, id, 1);
    }
    {
        const char *to[] = {OTHER "," SUPPLIER};
        request_to(0, id, NULL, to, 1);
        expect_inbox(fx.other, id, 1);
        expect_inbox(fx.supplier, id, 1);
        expect_inbox(fx.comma, id, 0);
    }
    {
        const char *to[] = {OTHER ",Nobody KK"};
        request_to(2, id, "\"Nobody KK\"", to, 1);
    }
}

/* Starts the hub again on a fixed endpoint (the one it had), as a restart does. */
static void
restart_hub(const char *bind)
{
    char dir[PATH_MAX];

    snprintf(dir, sizeof dir, "%s", fx.w.hub.dir);
    th_hub_start(&fx.w.hub, dir, &(th_hub_opts){.bind = bind});
}

/* Runs `ticsx ping` with a timeout in a child process; returns its pid. The result goes to
 * a file the parent reads. */
static pid_t
ping_async(const char *home, const char *timeout, const char *out)
{
    pid_t pid;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        th_result r;
        FILE *f;
        th_ticsx(&r, &fx.w.hub, home, "--timeout", timeout, "ping", NULL);
        f = fopen(out, "w");
        fprintf(f, "%d\n%s", r.status, r.err);
        fclose(f);
        _exit(0);
    }
    return pid;
}

/* A hub that dies in the middle of the handshake, then comes back: the client used to say
 * "not enrolled" (exit 1) at once. Now it waits for the hub within its timeout (exit 0), or
 * says unreachable (exit 3) if the hub stays away. */
static void
test_handshake_cut_by_restart(void **state)
{
    char bind[256], out[PATH_MAX];
    char *text;
    pid_t pid;
    int st;
    (void)state;

    snprintf(bind, sizeof bind, "%s", fx.w.hub.endpoint);
    snprintf(out, sizeof out, "%s/ping.out", fx.w.root);

    /* Frozen: the kernel accepts the connection, the greeting waits unread. Killed: the
     * connection is reset mid-handshake. Restarted on the same port within the timeout. */
    assert_int_equal(kill(fx.w.hub.pid, SIGSTOP), 0);
    pid = ping_async(fx.supplier, "8000", out);
    usleep(800 * 1000);
    assert_int_equal(kill(fx.w.hub.pid, SIGKILL), 0);
    assert_int_equal(waitpid(fx.w.hub.pid, NULL, 0), fx.w.hub.pid);
    usleep(300 * 1000);
    restart_hub(bind);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    text = th_read_file(out);
    if (strncmp(text, "0\n", 2) != 0) {
        fail_msg("ping across a hub restart: %s", text);
    }
    free(text);

    /* Killed mid-handshake and not restarted: unreachable, not "not enrolled". */
    assert_int_equal(kill(fx.w.hub.pid, SIGSTOP), 0);
    pid = ping_async(fx.supplier, "2500", out);
    usleep(800 * 1000);
    assert_int_equal(kill(fx.w.hub.pid, SIGKILL), 0);
    assert_int_equal(waitpid(fx.w.hub.pid, NULL, 0), fx.w.hub.pid);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    text = th_read_file(out);
    if (strncmp(text, "3\n", 2) != 0 || strstr(text, "not enrolled") != NULL) {
        fail_msg("ping with the hub gone mid-handshake: %s", text);
    }
    free(text);

    /* An organisation the hub does not know is still a definite no, at once. */
    restart_hub(bind);
    {
        char stranger[PATH_MAX];
        th_result r;
        snprintf(stranger, sizeof stranger, "%s/stranger", fx.w.root);
        th_party(NULL, stranger, "Not Enrolled KK", NULL);
        th_ticsx(&r, &fx.w.hub, stranger, "--timeout", "8000", "ping", NULL);
        th_expect_status(&r, 1);
        th_expect_text(r.err, "not enrolled");
        th_result_free(&r);
    }
    /* So is a wrong hub key: the hub cuts every handshake, and the client says which. */
    {
        char other[PATH_MAX], key[PATH_MAX + 32];
        const char *const env[] = {key, NULL};
        const th_ticsx_opts opts = {.hub = &fx.w.hub, .env = env};
        th_result r;
        snprintf(other, sizeof other, "%s/otherhub", fx.w.root);
        th_hub_init(other);
        snprintf(key, sizeof key, "TICSX_HUB_KEY=%s/hub.pub", other);
        th_ticsx_with(&r, &opts, fx.supplier, "--timeout", "8000", "ping", NULL);
        th_expect_status(&r, 1);
        th_expect_text(r.err, "the hub key is probably wrong");
        th_result_free(&r);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_comment_csv),   cmocka_unit_test(test_long_comment_json),
        cmocka_unit_test(test_long_comment_xlsx),  cmocka_unit_test(test_nul_in_csv),
        cmocka_unit_test(test_nul_in_import),      cmocka_unit_test(test_home_writable_by_others),
        cmocka_unit_test(test_to_name_with_comma), cmocka_unit_test(test_handshake_cut_by_restart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

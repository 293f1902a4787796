/* Unit tests of common/: UTF-8 validation, time parsing, the capped file reader, exclusive file
 * creation, permission checks, hex and base64. Real files in a fresh temp directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tx_error.h"
#include "tx_util.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[64];

static int
make_tmpdir(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tx_util_XXXXXX");
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
remove_tmpdir(void **state)
{
    char cmd[128];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void
path_in_tmp(char *out, size_t n, const char *name)
{
    assert_int_equal(tx_path_join(out, n, tmpdir, name), TX_OK);
}

static mode_t
mode_of(const char *path)
{
    struct stat st;

    assert_int_equal(lstat(path, &st), 0);
    return st.st_mode & 07777;
}

static const struct {
    const char *bytes;
    size_t len;
    int valid;
    const char *what;
} utf8_cases[] = {
    {"", 0, 1, "empty"},
    {"plain ascii", 11, 1, "ascii"},
    {"\xc3\xa9", 2, 1, "U+00E9"},
    {"\xe6\x8a\x80\xe8\xa1\x93", 6, 1, "kanji"},
    {"\xf0\x9f\x94\x90", 4, 1, "U+1F510"},
    {"\xc2\x80", 2, 1, "U+0080, smallest two-byte"},
    {"\xe0\xa0\x80", 3, 1, "U+0800, smallest three-byte"},
    {"\xf0\x90\x80\x80", 4, 1, "U+10000, smallest four-byte"},
    {"\xed\x9f\xbf", 3, 1, "U+D7FF, below the surrogates"},
    {"\xee\x80\x80", 3, 1, "U+E000, above the surrogates"},
    {"\xef\xbf\xbf", 3, 1, "U+FFFF"},
    {"\xf4\x8f\xbf\xbf", 4, 1, "U+10FFFF, the largest"},
    {"a\0b", 3, 0, "embedded nul"},
    {"\0", 1, 0, "lone nul"},
    {"\xc0\x80", 2, 0, "overlong nul"},
    {"\xc1\xbf", 2, 0, "overlong two-byte"},
    {"\xe0\x80\xaf", 3, 0, "overlong slash in three bytes"},
    {"\xe0\x9f\xbf", 3, 0, "overlong three-byte"},
    {"\xf0\x8f\xbf\xbf", 4, 0, "overlong four-byte"},
    {"\xed\xa0\x80", 3, 0, "U+D800 high surrogate"},
    {"\xed\xbf\xbf", 3, 0, "U+DFFF low surrogate"},
    {"\xf4\x90\x80\x80", 4, 0, "U+110000"},
    {"\xf5\x80\x80\x80", 4, 0, "lead byte f5"},
    {"\xf8\x88\x80\x80\x80", 5, 0, "five-byte form"},
    {"\xfe", 1, 0, "byte fe"},
    {"\xff", 1, 0, "byte ff"},
    {"\x80", 1, 0, "lone continuation"},
    {"a\xbf", 2, 0, "continuation after ascii"},
    {"\xc3", 1, 0, "two-byte cut after the lead"},
    {"\xe6\x8a", 2, 0, "three-byte cut"},
    {"\xf0\x9f\x94", 3, 0, "four-byte cut"},
    {"ok\xe6\x8a", 4, 0, "cut at the end after ascii"},
    {"\xc3\x28", 2, 0, "bad continuation"},
    {"\xe6\x28\x80", 3, 0, "bad first continuation"},
    {"\xf0\x9f\x28\x90", 4, 0, "bad middle continuation"},
};

static void
test_utf8_table(void **state)
{
    for (size_t i = 0; i < TX_ARRAY_LEN(utf8_cases); i++) {
        int got = tx_utf8_valid(utf8_cases[i].bytes, utf8_cases[i].len);
        if (got != utf8_cases[i].valid) {
            fail_msg("utf-8 case %zu (%s): expected %d, got %d", i, utf8_cases[i].what,
                     utf8_cases[i].valid, got);
        }
    }
}

static void
test_utf8_length_is_honoured(void **state)
{
    /* Only len bytes count: a valid prefix of an invalid buffer is valid. */
    assert_true(tx_utf8_valid("abc\xff", 3));
    assert_false(tx_utf8_valid("abc\xff", 4));
    assert_true(tx_utf8_valid("\xe6\x8a\x80\xe6", 3));
    assert_false(tx_utf8_valid("\xe6\x8a\x80\xe6", 4));
}

static void
test_parse_time_forms(void **state)
{
    int64_t t = -1;

    assert_int_equal(tx_parse_time("2024-08-16", &t), TX_OK);
    assert_int_equal(t, 1723766400);
    assert_int_equal(tx_parse_time("2024-08-16T12:34:56Z", &t), TX_OK);
    assert_int_equal(t, 1723811696);
    assert_int_equal(tx_parse_time("1970-01-01", &t), TX_OK);
    assert_int_equal(t, 0);
    assert_int_equal(tx_parse_time("2024-02-29", &t), TX_OK);
    assert_int_equal(t, 1709164800);
    assert_int_equal(tx_parse_time("2024-12-31T23:59:59Z", &t), TX_OK);
    assert_int_equal(t, 1735689599);
    assert_int_equal(tx_parse_time("@0", &t), TX_OK);
    assert_int_equal(t, 0);
    assert_int_equal(tx_parse_time("@1723766400", &t), TX_OK);
    assert_int_equal(t, 1723766400);
    assert_int_equal(tx_parse_time("@-86400", &t), TX_OK);
    assert_int_equal(t, -86400);
}

static void
test_parse_time_rejects(void **state)
{
    static const char *const bad[] = {
        "",
        "now",
        "2024",
        "2024-08",
        "2024-08-16x",
        "2024-08-16 ",
        " 2024-08-16",
        "2024-13-01",
        "2024-00-10",
        "2024-08-00",
        "2024-08-32",
        "2023-02-29",
        "2024-02-30",
        "2024-04-31",
        "2024-08-16T",
        "2024-08-16T12:34:56",
        "2024-08-16T12:34:56+09:00",
        "2024-08-16T12:34:56Zjunk",
        "2024-08-16T24:00:00Z",
        "2024-08-16T12:60:00Z",
        "2024-08-16T12:34:61Z",
        "1969-12-31",
        "@",
        "@12x",
        "@ 12",
        "@99999999999999999999",
    };
    for (size_t i = 0; i < TX_ARRAY_LEN(bad); i++) {
        int64_t t = 12345;
        int rc = tx_parse_time(bad[i], &t);
        if (rc != TX_ERR_MALFORMED) {
            fail_msg("tx_parse_time(\"%s\") = %d (%s), expected malformed", bad[i], rc,
                     tx_strerror(rc));
        }
    }
}

static void
test_now_and_format_date(void **state)
{
    char date[16];
    int64_t before = (int64_t)time(NULL);

    assert_int_equal(setenv("TICSX_NOW", "@1000", 1), 0);
    assert_int_equal(tx_now(), 1000);
    assert_int_equal(setenv("TICSX_NOW", "2024-08-16", 1), 0);
    assert_int_equal(tx_now(), 1723766400);
    /* An unparsable override falls back to the clock. */
    assert_int_equal(setenv("TICSX_NOW", "yesterday", 1), 0);
    assert_true(tx_now() >= before);
    assert_int_equal(unsetenv("TICSX_NOW"), 0);
    assert_true(tx_now() >= before);

    tx_format_date(date, sizeof date, 1723811696);
    assert_string_equal(date, "2024-08-16");
    tx_format_date(date, sizeof date, 0);
    assert_string_equal(date, "1970-01-01");
}

static void
write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void
test_file_read_cap(void **state)
{
    char path[PATH_MAX];
    char data[100];
    uint8_t *buf = NULL;
    size_t len = 7;

    memset(data, 'x', sizeof data);
    path_in_tmp(path, sizeof path, "hundred");
    write_file(path, data, sizeof data);

    assert_int_equal(tx_file_read(path, 100, &buf, &len), TX_OK);
    assert_int_equal(len, 100);
    assert_memory_equal(buf, data, 100);
    assert_int_equal(buf[100], 0);
    free(buf);

    assert_int_equal(tx_file_read(path, 99, &buf, &len), TX_ERR_TOO_LARGE);
    assert_null(buf);
    assert_int_equal(len, 0);

    path_in_tmp(path, sizeof path, "empty");
    write_file(path, "", 0);
    assert_int_equal(tx_file_read(path, 0, &buf, &len), TX_OK);
    assert_int_equal(len, 0);
    assert_int_equal(buf[0], 0);
    free(buf);

    path_in_tmp(path, sizeof path, "absent");
    assert_int_equal(tx_file_read(path, 100, &buf, &len), TX_ERR_NOT_FOUND);
    assert_null(buf);

    /* A file with no size in stat (a device that never ends) is caught by reading past the cap. */
    assert_int_equal(tx_file_read("/dev/zero", 4096, &buf, &len), TX_ERR_TOO_LARGE);
    assert_null(buf);
    assert_int_equal(tx_file_read(tmpdir, 4096, &buf, &len), TX_ERR_IO);
}

static void
test_file_create_exclusive(void **state)
{
    char path[PATH_MAX], target[PATH_MAX], other[PATH_MAX];
    uint8_t *buf;
    size_t len;
    mode_t old = umask(077);

    path_in_tmp(path, sizeof path, "created");
    assert_int_equal(tx_file_create(path, "first", 5, 0644), TX_OK);
    /* The mode is exact whatever the umask. */
    assert_int_equal(mode_of(path), 0644);
    assert_int_equal(tx_file_create(path, "second", 6, 0644), TX_ERR_EXISTS);
    assert_int_equal(tx_file_read(path, 64, &buf, &len), TX_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(buf, "first", 5);
    free(buf);

    /* A symlink is never followed, dangling or not. */
    path_in_tmp(target, sizeof target, "link-target");
    path_in_tmp(path, sizeof path, "dangling");
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(tx_file_create(path, "x", 1, 0600), TX_ERR_EXISTS);
    assert_int_equal(access(target, F_OK), -1);
    assert_int_equal(errno, ENOENT);

    path_in_tmp(other, sizeof other, "created");
    path_in_tmp(path, sizeof path, "link-to-existing");
    assert_int_equal(symlink(other, path), 0);
    assert_int_equal(tx_file_create(path, "x", 1, 0600), TX_ERR_EXISTS);
    assert_int_equal(tx_file_read(other, 64, &buf, &len), TX_OK);
    assert_memory_equal(buf, "first", 5);
    free(buf);

    path_in_tmp(path, sizeof path, "no-such-dir/file");
    assert_int_equal(tx_file_create(path, "x", 1, 0600), TX_ERR_IO);
    umask(old);
}

static void
test_file_replace(void **state)
{
    char path[PATH_MAX];
    uint8_t *buf;
    size_t len;

    path_in_tmp(path, sizeof path, "replaced");
    assert_int_equal(tx_file_replace(path, "one", 3, 0600), TX_OK);
    assert_int_equal(tx_file_replace(path, "two!", 4, 0644), TX_OK);
    assert_int_equal(mode_of(path), 0644);
    assert_int_equal(tx_file_read(path, 64, &buf, &len), TX_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(buf, "two!", 4);
    free(buf);
}

/* Threads replacing one file at once (the UI's server and its watcher both save the inbox
 * cursor): every call succeeds and the file holds one whole version. */
#define REPLACERS 4
#define REPLACES 300

static void *
replace_often(void *arg)
{
    const char *path = arg;
    long failed = 0;

    for (int i = 0; i < REPLACES; i++) {
        failed += tx_file_replace(path, "request 1\ngrant 2\n", 18, 0600) != TX_OK;
    }
    return (void *)failed;
}

static void
test_file_replace_threads(void **state)
{
    char path[PATH_MAX];
    pthread_t t[REPLACERS];
    long failed = 0;
    uint8_t *buf;
    size_t len;

    (void)state;
    path_in_tmp(path, sizeof path, "cursor");
    int started = 0;

    while (started < REPLACERS && pthread_create(&t[started], NULL, replace_often, path) == 0) {
        started++;
    }
    for (int i = 0; i < started; i++) { /* all joined before any assertion can leave */
        void *one = (void *)1L;
        pthread_join(t[i], &one);
        failed += (long)one;
    }
    assert_int_equal(started, REPLACERS);
    assert_int_equal(failed, 0);
    assert_int_equal(tx_file_read(path, 64, &buf, &len), TX_OK);
    assert_int_equal(len, 18);
    free(buf);
}

static void
test_file_check_private(void **state)
{
    char path[PATH_MAX];
    static const mode_t open_modes[] = {0640, 0604, 0620, 0602, 0610, 0601, 0644, 0666, 0700 | 07};

    path_in_tmp(path, sizeof path, "secret");
    assert_int_equal(tx_file_create(path, "s", 1, 0600), TX_OK);
    assert_int_equal(tx_file_check_private(path), TX_OK);
    assert_int_equal(chmod(path, 0400), 0);
    assert_int_equal(tx_file_check_private(path), TX_OK);
    for (size_t i = 0; i < TX_ARRAY_LEN(open_modes); i++) {
        assert_int_equal(chmod(path, open_modes[i]), 0);
        assert_int_equal(tx_file_check_private(path), TX_ERR_PERM);
    }
    path_in_tmp(path, sizeof path, "no-secret");
    assert_int_equal(tx_file_check_private(path), TX_ERR_NOT_FOUND);
}

static void
test_mkdir_private(void **state)
{
    char path[PATH_MAX], sub[PATH_MAX];
    mode_t old = umask(0);

    path_in_tmp(path, sizeof path, "a/b/c");
    assert_int_equal(tx_mkdir_private(path), TX_OK);
    assert_int_equal(mode_of(path), 0700);
    path_in_tmp(sub, sizeof sub, "a");
    assert_int_equal(mode_of(sub), 0700);
    path_in_tmp(sub, sizeof sub, "a/b");
    assert_int_equal(mode_of(sub), 0700);
    /* Again: existing directories are fine and kept as they are. */
    assert_int_equal(chmod(sub, 0755), 0);
    assert_int_equal(tx_mkdir_private(path), TX_OK);
    assert_int_equal(mode_of(sub), 0755);
    path_in_tmp(path, sizeof path, "trailing/");
    assert_int_equal(tx_mkdir_private(path), TX_OK);
    assert_int_equal(tx_mkdir_private(""), TX_ERR_USAGE);
    umask(old);
}

static void
test_path_join(void **state)
{
    char out[8];

    assert_int_equal(tx_path_join(out, sizeof out, "ab", "cd"), TX_OK);
    assert_string_equal(out, "ab/cd");
    assert_int_equal(tx_path_join(out, sizeof out, "abc", "def"), TX_OK);
    assert_int_equal(tx_path_join(out, sizeof out, "abcd", "efg"), TX_ERR_USAGE);
}

static void
test_hex(void **state)
{
    static const uint8_t bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    char hex[2 * sizeof bytes + 1];
    uint8_t back[sizeof bytes];

    tx_hex(hex, bytes, sizeof bytes);
    assert_string_equal(hex, "00017f80abff");
    assert_int_equal(tx_unhex(back, sizeof back, hex), TX_OK);
    assert_memory_equal(back, bytes, sizeof bytes);
    assert_int_equal(tx_unhex(back, sizeof back, "00017F80ABFF"), TX_OK);
    assert_memory_equal(back, bytes, sizeof bytes);

    assert_int_equal(tx_unhex(back, sizeof back, "00017f80abf"), TX_ERR_MALFORMED);
    assert_int_equal(tx_unhex(back, sizeof back, "00017f80abff00"), TX_ERR_MALFORMED);
    assert_int_equal(tx_unhex(back, sizeof back, "00017f80abfg"), TX_ERR_MALFORMED);
    assert_int_equal(tx_unhex(back, sizeof back, "00017f80ab f"), TX_ERR_MALFORMED);
    tx_hex(hex, bytes, 0);
    assert_string_equal(hex, "");
}

static void
test_base64(void **state)
{
    /* RFC 4648 section 10 vectors. */
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const coded[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                        "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    char out[64];
    uint8_t back[64];
    size_t len;

    for (size_t i = 0; i < TX_ARRAY_LEN(plain); i++) {
        size_t n = strlen(plain[i]);
        assert_true(tx_b64_len(n) <= sizeof out);
        tx_b64(out, (const uint8_t *)plain[i], n);
        assert_string_equal(out, coded[i]);
        assert_int_equal(tx_b64_len(n), strlen(coded[i]) + 1);
        len = 99;
        assert_int_equal(tx_unb64(back, sizeof back, &len, coded[i], strlen(coded[i])), TX_OK);
        assert_int_equal(len, n);
        assert_memory_equal(back, plain[i], n);
    }
    /* Padding is optional. */
    assert_int_equal(tx_unb64(back, sizeof back, &len, "Zm9vYg", 6), TX_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(back, "foob", 4);

    /* Every byte value survives a round trip. */
    uint8_t all[256];
    char coded_all[400];
    for (int i = 0; i < 256; i++) {
        all[i] = (uint8_t)i;
    }
    tx_b64(coded_all, all, sizeof all);
    assert_int_equal(tx_unb64(back, 64, &len, coded_all, strlen(coded_all)), TX_ERR_MALFORMED);
    uint8_t big[256];
    assert_int_equal(tx_unb64(big, sizeof big, &len, coded_all, strlen(coded_all)), TX_OK);
    assert_int_equal(len, 256);
    assert_memory_equal(big, all, 256);

    assert_int_equal(tx_unb64(back, sizeof back, &len, "Zm9v!mFy", 8), TX_ERR_MALFORMED);
    assert_int_equal(tx_unb64(back, sizeof back, &len, "Zm9v YmFy", 9), TX_ERR_MALFORMED);
    assert_int_equal(tx_unb64(back, sizeof back, &len, "Zm9vYmFy\n", 9), TX_ERR_MALFORMED);
    assert_int_equal(tx_unb64(back, sizeof back, &len, "Z", 1), TX_ERR_MALFORMED);
    assert_int_equal(tx_unb64(back, sizeof back, &len, "Zg=", 3), TX_ERR_MALFORMED);
    assert_int_equal(tx_unb64(back, sizeof back, &len, "Zm9v-_8", 7), TX_ERR_MALFORMED);
    /* Only the first in_len bytes are read. */
    assert_int_equal(tx_unb64(back, sizeof back, &len, "Zm9v!!!!", 4), TX_OK);
    assert_int_equal(len, 3);
}

static void
test_strerror(void **state)
{
    for (int c = 0; c < TX_ERR_COUNT_; c++) {
        const char *s = tx_strerror(c);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown error");
        /* Short and lowercase, as the style asks. */
        assert_true(s[0] >= 'a' && s[0] <= 'z');
    }
    assert_string_equal(tx_strerror(-1), "unknown error");
    assert_string_equal(tx_strerror(TX_ERR_COUNT_), "unknown error");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_table),
        cmocka_unit_test(test_utf8_length_is_honoured),
        cmocka_unit_test(test_parse_time_forms),
        cmocka_unit_test(test_parse_time_rejects),
        cmocka_unit_test(test_now_and_format_date),
        cmocka_unit_test(test_file_read_cap),
        cmocka_unit_test(test_file_create_exclusive),
        cmocka_unit_test(test_file_replace),
        cmocka_unit_test(test_file_replace_threads),
        cmocka_unit_test(test_file_check_private),
        cmocka_unit_test(test_mkdir_private),
        cmocka_unit_test(test_path_join),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}

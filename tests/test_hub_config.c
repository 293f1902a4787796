/* hub.ini through the real ticsx-hub: `init` writes a commented one, a value in the file takes
 * effect, the command line wins over it, --config names another file, and a bad line, an
 * unknown key or a file that group or others may write is refused with the file and line. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

/* A fresh hub data directory made by `ticsx-hub init` in a new temporary root. */
typedef struct {
    char *root;
    char dir[PATH_MAX], ini[PATH_MAX + 16];
} hubdir;

static void
hubdir_make(hubdir *d)
{
    d->root = th_tmpdir();
    snprintf(d->dir, sizeof d->dir, "%s/hub", d->root);
    snprintf(d->ini, sizeof d->ini, "%s/hub.ini", d->dir);
    th_hub_init(d->dir);
}

static void
hubdir_free(hubdir *d)
{
    th_rmtree(d->root);
    free(d->root);
}

/* Writes hub.ini as its owner alone may (0600). */
static void
write_ini(const char *path, const char *text)
{
    th_write_file(path, text);
    assert_int_equal(chmod(path, 0600), 0);
}

/* Starts the hub with the extra options, stops it, and returns its log. Caller frees. */
static char *
serve_once(const char *dir, const char *const *args)
{
    char path[PATH_MAX + 8];
    th_hub h;
    char *log;

    /* The harness appends to dir.log: each run's log alone. */
    snprintf(path, sizeof path, "%s.log", dir);
    unlink(path);
    th_hub_start(&h, dir, &(th_hub_opts){.args = args});
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
    log = th_read_file(h.log);
    return log;
}

static void
test_init_writes_commented_defaults(void **state)
{
    struct stat st;
    hubdir d;
    th_result r;
    char *text;
    (void)state;

    d.root = th_tmpdir();
    snprintf(d.dir, sizeof d.dir, "%s/hub", d.root);
    snprintf(d.ini, sizeof d.ini, "%s/hub.ini", d.dir);
    th_exec(&r, NULL, (const char *const[]){th_hub_bin(), "init", "--data", d.dir, NULL});
    th_expect_status(&r, 0);
    th_expect_text(r.out, "hub settings: ");
    th_expect_text(r.out, d.ini);
    th_result_free(&r);
    assert_int_equal(stat(d.ini, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    text = th_read_file(d.ini);
    /* Every setting is there, commented out, at its default. */
    th_expect_text(text, "[hub]\n");
    th_expect_text(text, "# bind = tcp://127.0.0.1:7700\n");
    th_expect_text(text, "# map-size = 1024\n");
    th_expect_text(text, "# commit-wait-us is retired: ");
    th_expect_text(text, "[log]\n");
    th_expect_text(text, "# level = info\n");
    th_expect_text(text, "# format = text\n");
    th_expect_text(text, "[metrics]\n");
    th_expect_text(text, "# listen = 127.0.0.1:9464\n");
    th_expect_text(text, "# allow-remote = false\n");
    for (const char *line = text; *line != 0; line = strchr(line, '\n') + 1) {
        assert_true(line[0] == '#' || line[0] == '[' || line[0] == '\n');
        assert_non_null(strchr(line, '\n'));
    }
    free(text);
    hubdir_free(&d);
}

static void
test_file_value_takes_effect(void **state)
{
    hubdir d;
    char *log;
    (void)state;

    hubdir_make(&d);
    write_ini(d.ini, "# the operator's settings\n[hub]\nworkers = 3\ncommit-wait-us = 0\n");
    log = serve_once(d.dir, NULL);
    th_expect_text(log, "3 verification threads");
    free(log);
    hubdir_free(&d);
}

static void
test_metrics_and_log_format_from_file(void **state)
{
    hubdir d;
    char *log;
    (void)state;

    hubdir_make(&d);
    write_ini(d.ini,
              "[log]\nformat = json\n[metrics]\nlisten = 127.0.0.1:0\nallow-remote = false\n");
    log = serve_once(d.dir, NULL);
    th_expect_text(log, "{\"time\":");
    th_expect_text(log, "metrics on http://127.0.0.1:");
    free(log);
    /* The command line's format wins over the file's. */
    log = serve_once(d.dir, (const char *const[]){"--log-format", "logfmt", NULL});
    th_expect_text(log, "level=info");
    assert_null(strstr(log, "{\"time\":"));
    free(log);
    hubdir_free(&d);
}

static void
test_command_line_wins(void **state)
{
    const char *const args[] = {"--workers", "2", NULL};
    hubdir d;
    char *log;
    (void)state;

    hubdir_make(&d);
    /* The harness gives --log-level debug: the file's level must not silence the info line. */
    write_ini(d.ini, "[hub]\nworkers = 3\n[log]\nlevel = error\n");
    log = serve_once(d.dir, args);
    th_expect_text(log, "2 verification threads");
    assert_null(strstr(log, "3 verification threads"));
    free(log);
    hubdir_free(&d);
}

static void
test_config_option_names_another_file(void **state)
{
    char other[PATH_MAX + 16], missing[PATH_MAX + 16];
    const char *args[] = {"--config", other, NULL};
    hubdir d;
    th_result r;
    char *log;
    (void)state;

    hubdir_make(&d);
    snprintf(other, sizeof other, "%s/elsewhere.ini", d.root);
    write_ini(d.ini, "[hub]\nworkers = 3\n");
    write_ini(other, "[hub]\nworkers = 5\n");
    log = serve_once(d.dir, args);
    th_expect_text(log, "5 verification threads");
    free(log);
    /* A file named on the command line must be there. */
    snprintf(missing, sizeof missing, "%s/missing.ini", d.root);
    th_exec(&r, NULL,
            (const char *const[]){th_hub_bin(), "run", "--data", d.dir, "--config", missing, NULL});
    th_expect_status(&r, 2);
    th_expect_text(r.err, missing);
    th_expect_text(r.err, "no such file");
    th_result_free(&r);
    hubdir_free(&d);
}

/* Runs the hub on d with hub.ini holding text; it must refuse, naming every needle. */
static void
expect_refused(const hubdir *d, const char *text, const char *const *needles)
{
    char out[8192];

    write_ini(d->ini, text);
    assert_int_equal(th_hub_try_run(d->dir, out, sizeof out), 2);
    th_expect_text(out, d->ini);
    for (size_t i = 0; needles[i] != NULL; i++) {
        th_expect_text(out, needles[i]);
    }
}

static void
test_bad_lines_refused_with_line(void **state)
{
    hubdir d;
    (void)state;

    hubdir_make(&d);
    expect_refused(&d, "[hub]\nworkers = 2\n\nbogus = 1\n",
                   (const char *const[]){"hub.ini:4:", "[hub] bogus", "unknown setting", NULL});
    expect_refused(&d, "[hub]\nmap-size = lots\n",
                   (const char *const[]){"hub.ini:2:", "[hub] map-size", "number of MiB", NULL});
    expect_refused(&d, "[hub]\nworkers = 0\n",
                   (const char *const[]){"hub.ini:2:", "[hub] workers", "1 to 256", NULL});
    expect_refused(&d, "[log]\nlevel = loud\n",
                   (const char *const[]){"hub.ini:2:", "[log] level", "error, warn", NULL});
    expect_refused(&d, "# fine\n[hub]\nworkers 2\n",
                   (const char *const[]){"hub.ini:3:", "not a `key = value`", NULL});
    expect_refused(&d, "[hub]\nworkers = 2\nworkers = 3\n",
                   (const char *const[]){"hub.ini:3:", "given twice (first on line 2)", NULL});
    /* A key in the wrong section is not the same setting. */
    expect_refused(&d, "[log]\nworkers = 2\n",
                   (const char *const[]){"hub.ini:2:", "[log] workers", "unknown", NULL});
    expect_refused(&d, "workers = 2\n", (const char *const[]){"hub.ini:1:", "unknown", NULL});
    expect_refused(
        &d, "[metrics]\nlisten = 127.0.0.1:0\nallow-remote = maybe\n",
        (const char *const[]){"hub.ini:3:", "[metrics] allow-remote", "true or false", NULL});
    expect_refused(&d, "[log]\nformat = xml\n",
                   (const char *const[]){"hub.ini:2:", "[log] format", "text, logfmt, json", NULL});
    /* A bad value is refused even where the command line overrides it. */
    {
        char out[8192];
        th_result r;
        write_ini(d.ini, "[hub]\nworkers = many\n");
        th_exec(
            &r, NULL,
            (const char *const[]){th_hub_bin(), "run", "--data", d.dir, "--workers", "2", NULL});
        th_expect_status(&r, 2);
        th_expect_text(r.err, "hub.ini:2: [hub] workers");
        th_result_free(&r);
        (void)out;
    }
    hubdir_free(&d);
}

static void
test_writable_by_others_refused(void **state)
{
    char out[8192];
    hubdir d;
    (void)state;

    hubdir_make(&d);
    write_ini(d.ini, "[hub]\nworkers = 2\n");
    assert_int_equal(chmod(d.ini, 0620), 0);
    assert_int_equal(th_hub_try_run(d.dir, out, sizeof out), 2);
    th_expect_text(out, d.ini);
    th_expect_text(out, "group or others may write it (mode 620)");
    th_expect_text(out, "chmod 600");
    assert_int_equal(chmod(d.ini, 0602), 0);
    assert_int_equal(th_hub_try_run(d.dir, out, sizeof out), 2);
    th_expect_text(out, "mode 602");
    /* Readable by others is not the danger: who may change it is. */
    assert_int_equal(chmod(d.ini, 0644), 0);
    assert_int_equal(th_hub_try_run(d.dir, out, sizeof out), -1);
    hubdir_free(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_writes_commented_defaults),
        cmocka_unit_test_teardown(test_file_value_takes_effect, th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_metrics_and_log_format_from_file, th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_command_line_wins, th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_config_option_names_another_file, th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_bad_lines_refused_with_line, th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_writable_by_others_refused, th_stop_leftover_hubs),
    };
    th_require_hub_bin();
    return cmocka_run_group_tests(tests, NULL, NULL);
}

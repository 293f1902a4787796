/* Subprocess and temporary-directory helpers for the client tests. */
#include "client_testutil.h"
#include "hub_testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

char *
ct_tmpdir(void)
{
    return th_tmpdir_named("ticsx-client");
}

const char *
ct_build_path(char *out, size_t n, const char *rel)
{
    const char *build = getenv("TX_BUILD_DIR");

    assert_non_null(build);
    snprintf(out, n, "%s/%s", build, rel);
    return out;
}

char *
ct_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    return buf;
}

void
ct_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static int
capture_file(char *path, size_t n)
{
    const char *base = getenv("TMPDIR");
    int fd;

    snprintf(path, n, "%s/ticsx-out-XXXXXX", base != NULL && *base ? base : "/tmp");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    return fd;
}

static int
is_ticsx(const char *path)
{
    const char *slash = strrchr(path, '/');
    return strcmp(slash != NULL ? slash + 1 : path, "ticsx") == 0;
}

void
ct_run(ct_result *r, const char *const *env, const char *const *argv)
{
    char out_path[PATH_MAX], err_path[PATH_MAX];
    int out_fd = capture_file(out_path, sizeof out_path);
    int err_fd = capture_file(err_path, sizeof err_path);
    const char *wrapper = getenv("TX_TEST_CLIENT_WRAPPER");
    struct timespec start, now;
    int status = 0;
    pid_t pid;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const char *args[64];
        size_t n = 0;
        char *w = NULL;
        int in = open("/dev/null", O_RDONLY);

        dup2(in, 0);
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
            putenv((char *)env[i]);
        }
        if (wrapper != NULL && *wrapper && is_ticsx(argv[0])) {
            w = strdup(wrapper);
            for (char *save = NULL, *t = strtok_r(w, " ", &save); t && n < 32;
                 t = strtok_r(NULL, " ", &save)) {
                args[n++] = t;
            }
        }
        for (size_t i = 0; argv[i] != NULL && n < 63; i++) {
            args[n++] = argv[i];
        }
        args[n] = NULL;
        execvp(args[0], (char *const *)args);
        _exit(127);
    }
    close(out_fd);
    close(err_fd);
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 120) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        usleep(2000);
    }
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r->out = ct_read_file(out_path);
    r->err = ct_read_file(err_path);
    unlink(out_path);
    unlink(err_path);
}

void
ct_result_free(ct_result *r)
{
    free(r->out);
    free(r->err);
    r->out = NULL;
    r->err = NULL;
}

void
ct_ticsx_v(ct_result *r, const char *const *env, const char *home, const ct_hub *hub, va_list ap)
{
    char bin[PATH_MAX];
    const char *argv[40];
    size_t n = 0;

    argv[n++] = ct_build_path(bin, sizeof bin, "client/ticsx");
    argv[n++] = "--home";
    argv[n++] = home;
    if (hub != NULL) {
        argv[n++] = "--hub";
        argv[n++] = hub->endpoint;
        argv[n++] = "--hub-key";
        argv[n++] = hub->key;
    }
    for (const char *a = va_arg(ap, const char *); a != NULL && n < 39;
         a = va_arg(ap, const char *)) {
        argv[n++] = a;
    }
    argv[n] = NULL;
    ct_run(r, env, argv);
}

/* ct_ticsx_v with the arguments inline. */
static void
ticsx_local(ct_result *r, const char *home, ...)
{
    const char *const env[] = {"LANG=C", NULL};
    va_list ap;

    va_start(ap, home);
    ct_ticsx_v(r, env, home, NULL, ap);
    va_end(ap);
}

void
ct_keygen(const char *home, const char *name, const char *corp)
{
    ct_result r;

    if (corp != NULL) {
        ticsx_local(&r, home, "keygen", "--name", name, "--corporate-number", corp, NULL);
    } else {
        ticsx_local(&r, home, "keygen", "--name", name, NULL);
    }
    ct_expect_status(&r, 0);
    ct_expect_text(r.out, "SHA256:");
    ct_result_free(&r);
}

void
ct_keygen_enroll(const char *hubdir, const char *home, const char *name, const char *corp)
{
    char profile[PATH_MAX + 16];

    ct_keygen(home, name, corp);
    snprintf(profile, sizeof profile, "%s/profile.tx", home);
    assert_int_equal(ct_hub_enroll(hubdir, profile), 0);
}

void
ct_expect_status(const ct_result *r, int status)
{
    if (r->status != status) {
        fail_msg("exit %d, expected %d\nstdout: %s\nstderr: %s", r->status, status, r->out, r->err);
    }
}

void
ct_expect_text(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL) {
        fail_msg("\"%s\" not found in:\n%s", needle, hay);
    }
}

json_t *
ct_parse_json(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);

    if (j == NULL) {
        fail_msg("not JSON (%s): %s", err.text, text);
    }
    return j;
}

void
ct_hub_init(const char *dir)
{
    char bin[PATH_MAX];
    const char *argv[] = {ct_build_path(bin, sizeof bin, "hub/ticsx-hub"), "init", "--data", dir,
                          NULL};
    ct_result r;

    ct_run(&r, NULL, argv);
    if (r.status != 0) {
        print_error("ticsx-hub init: %s%s\n", r.out, r.err);
    }
    assert_int_equal(r.status, 0);
    ct_result_free(&r);
}

int
ct_hub_enroll(const char *dir, const char *profile)
{
    char bin[PATH_MAX];
    const char *argv[] = {
        ct_build_path(bin, sizeof bin, "hub/ticsx-hub"), "enroll", "--data", dir, profile, NULL};
    ct_result r;
    int status;

    ct_run(&r, NULL, argv);
    status = r.status;
    if (status != 0) {
        print_error("ticsx-hub enroll: %s%s\n", r.out, r.err);
    }
    ct_result_free(&r);
    return status;
}

void
ct_hub_start(ct_hub *h, const char *dir)
{
    char bin[PATH_MAX], endpoint[PATH_MAX], log[PATH_MAX];

    memset(h, 0, sizeof *h);
    snprintf(h->dir, sizeof h->dir, "%s", dir);
    snprintf(h->key, sizeof h->key, "%s/hub.pub", dir);
    snprintf(endpoint, sizeof endpoint, "%s/endpoint", dir);
    snprintf(log, sizeof log, "%s.log", dir);
    unlink(endpoint);
    ct_build_path(bin, sizeof bin, "hub/ticsx-hub");
    fflush(stdout);
    fflush(stderr);
    h->pid = fork();
    assert_true(h->pid >= 0);
    if (h->pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int in = open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execl(bin, bin, "run", "--data", dir, "--bind", "tcp://127.0.0.1:*", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 3000; i++) {
        FILE *f = fopen(endpoint, "r");
        if (f != NULL) {
            char *ok = fgets(h->endpoint, sizeof h->endpoint, f);
            fclose(f);
            if (ok != NULL && strchr(h->endpoint, '\n') != NULL) {
                *strchr(h->endpoint, '\n') = 0;
                return;
            }
        }
        assert_int_equal(waitpid(h->pid, NULL, WNOHANG), 0);
        usleep(10000);
    }
    fail_msg("hub did not write %s", endpoint);
}

int
ct_hub_stop(ct_hub *h)
{
    int status = 0;

    if (h->pid <= 0) {
        return -1;
    }
    kill(h->pid, SIGTERM);
    for (int i = 0; i < 3000; i++) {
        if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
            h->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        usleep(10000);
    }
    kill(h->pid, SIGKILL);
    waitpid(h->pid, &status, 0);
    h->pid = 0;
    return 128 + SIGKILL;
}

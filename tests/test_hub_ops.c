/* What an operator meets around the real ticsx-hub: readiness and the watchdog told to the
 * service manager over $NOTIFY_SOCKET (sd_notify, as systemd's Type=notify reads it), a backup
 * beside a hub that is PID 1 of another PID namespace, dated backups with --keep, --help that makes
 * nothing, and a data directory this process may not use named as a permission problem. */
#include "harness.h"

#include "tx_error.h"
#include "tx_hub_admin.h"
#include "tx_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#ifndef TX_HAVE_SYSTEMD
#define TX_HAVE_SYSTEMD 0
#endif

static int
status_of(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A datagram socket at path, as systemd listens for sd_notify. */
static int
notify_socket(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    assert_true(strlen(path) < sizeof sa.sun_path);
    strcpy(sa.sun_path, path);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    return fd;
}

/* Reads notifications until one has the line `want` or `ms` pass; the matching one goes to
 * msg (size n). True when it came. */
static int
await_notify(int fd, const char *want, char *msg, size_t n, int64_t ms)
{
    int64_t until = th_now_ms() + ms;
    size_t wl = strlen(want);

    while (th_now_ms() < until) {
        ssize_t got = recv(fd, msg, n - 1, 0);
        if (got <= 0) {
            continue;
        }
        msg[got] = 0;
        for (const char *l = msg; l != NULL; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
            if (strncmp(l, want, wl) == 0 && (l[wl] == '\n' || l[wl] == 0)) {
                return 1;
            }
        }
    }
    return 0;
}

static void
test_ready_and_stopping_notified(void **state)
{
    char *root, dir[PATH_MAX], sock[PATH_MAX + 16], msg[4096];
    th_hub h;
    int fd;
    (void)state;

    if (!TX_HAVE_SYSTEMD) {
        fprintf(stderr, "# ticsx-hub was built without libsystemd (install libsystemd-dev): "
                        "it sends no sd_notify, nothing to check\n");
        skip();
    }
    root = th_tmpdir();
    snprintf(dir, sizeof dir, "%s/hub", root);
    snprintf(sock, sizeof sock, "%s/notify", root);
    th_hub_init(dir);
    fd = notify_socket(sock);
    setenv("NOTIFY_SOCKET", sock, 1);
    /* As WatchdogSec=200ms would: the loop pings at half of it. */
    setenv("WATCHDOG_USEC", "200000", 1);
    th_hub_start(&h, dir, NULL);
    /* READY=1 only once it takes calls, with where it serves. */
    assert_true(await_notify(fd, "READY=1", msg, sizeof msg, 60000));
    th_expect_text(msg, "STATUS=serving on ");
    th_expect_text(msg, h.endpoint);
    assert_true(await_notify(fd, "WATCHDOG=1", msg, sizeof msg, 30000));
    /* A second hub on the same directory refuses to serve: it must not say READY=1. */
    {
        th_result r;
        th_exec(&r, NULL,
                (const char *const[]){th_hub_bin(), "run", "--data", dir, "--bind",
                                      "tcp://127.0.0.1:*", NULL});
        th_expect_status(&r, 2);
        th_expect_text(r.err, "in use by another hub");
        th_result_free(&r);
    }
    assert_false(await_notify(fd, "READY=1", msg, sizeof msg, 500));
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
    assert_true(await_notify(fd, "STOPPING=1", msg, sizeof msg, 10000));
    close(fd);
    th_rmtree(root);
    free(root);
}

/* Runs argv as PID 1 of a new PID namespace, stdout and stderr into out_fd. Returns its pid as
 * this process sees it, or -1 when no PID namespace can be made here; *waiter is the process
 * that exits with its status. */
static pid_t
spawn_pid1(const char *const *argv, int out_fd, pid_t *waiter)
{
    pid_t inner = -1;
    int p[2];

    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    *waiter = fork();
    assert_true(*waiter >= 0);
    if (*waiter == 0) {
        pid_t c;
        int st;
        close(p[0]);
        if (unshare(CLONE_NEWPID) != 0) {
            (void)!write(p[1], &inner, sizeof inner);
            _exit(99);
        }
        c = fork();
        if (c == 0) {
            dup2(out_fd, 1);
            dup2(out_fd, 2);
            execv(argv[0], (char *const *)argv);
            _exit(127);
        }
        (void)!write(p[1], &c, sizeof c);
        waitpid(c, &st, 0);
        _exit(status_of(st));
    }
    close(p[1]);
    assert_int_equal(read(p[0], &inner, sizeof inner), (ssize_t)sizeof inner);
    close(p[0]);
    if (inner < 0) {
        int st;
        waitpid(*waiter, &st, 0);
    }
    return inner;
}

static void
test_backup_beside_pid1_hub_of_another_namespace(void **state)
{
    char *root, dir[PATH_MAX], out[PATH_MAX + 16], log[PATH_MAX + 16], bout[PATH_MAX + 16];
    char endpoint[256], *text;
    pid_t hub, hub_waiter, bk, bk_waiter;
    int64_t until;
    int fd, st;
    (void)state;

    root = th_tmpdir();
    snprintf(dir, sizeof dir, "%s/hub", root);
    snprintf(log, sizeof log, "%s/hub.log", root);
    snprintf(bout, sizeof bout, "%s/backup.out", root);
    th_hub_init(dir);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    hub = spawn_pid1((const char *const[]){th_hub_bin(), "run", "--data", dir, "--bind",
                                           "tcp://127.0.0.1:*", NULL},
                     fd, &hub_waiter);
    close(fd);
    if (hub < 0) {
        fprintf(stderr, "# no PID namespace can be made here (unshare needs CAP_SYS_ADMIN; CI "
                        "runs as root): skipped\n");
        th_rmtree(root);
        free(root);
        skip();
    }
    /* A second container's hub: PID 1 there, and it serves. */
    until = th_now_ms() + 30000;
    while (tx_hub_read_endpoint(dir, endpoint, sizeof endpoint) != TX_OK) {
        assert_true(th_now_ms() < until);
        assert_int_equal(waitpid(hub_waiter, &st, WNOHANG), 0);
        usleep(10000);
    }
    /* This container's backup: PID 1 too. */
    snprintf(out, sizeof out, "%s/copy", root);
    fd = open(bout, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bk = spawn_pid1((const char *const[]){th_hub_bin(), "backup", "--data", dir, out, NULL}, fd,
                    &bk_waiter);
    close(fd);
    assert_true(bk > 0);
    assert_int_equal(waitpid(bk_waiter, &st, 0), bk_waiter);
    text = th_read_file(bout);
    if (status_of(st) != 2) {
        fprintf(stderr, "backup exited %d: %s\n", status_of(st), text);
    }
    assert_int_equal(status_of(st), 2);
    th_expect_text(text, "running in another container");
    th_expect_text(text, "same process id");
    th_expect_text(text, "docker compose exec");
    assert_int_not_equal(access(out, F_OK), 0);
    free(text);
    /* From this PID namespace, with another pid, the same backup works while the hub serves. */
    {
        th_result r;
        th_exec(&r, NULL, (const char *const[]){th_hub_bin(), "backup", "--data", dir, out, NULL});
        th_expect_status(&r, 0);
        th_result_free(&r);
    }
    kill(hub, SIGTERM);
    assert_int_equal(waitpid(hub_waiter, &st, 0), hub_waiter);
    assert_int_equal(status_of(st), 0);
    th_rmtree(root);
    free(root);
}

static void
make_dir_with(const char *parent, const char *name, const char *file)
{
    char path[PATH_MAX + 64], f[PATH_MAX + 128];

    snprintf(path, sizeof path, "%s/%s", parent, name);
    assert_int_equal(mkdir(path, 0700), 0);
    if (file != NULL) {
        snprintf(f, sizeof f, "%s/%s", path, file);
        th_write_file(f, "x");
    }
}

static int
exists_in(const char *parent, const char *name)
{
    char path[PATH_MAX + 64];

    snprintf(path, sizeof path, "%s/%s", parent, name);
    return access(path, F_OK) == 0;
}

static void
test_dated_backups_keep_the_newest(void **state)
{
    char *root, dir[PATH_MAX], into[PATH_MAX], made[PATH_MAX];
    const char *p;
    th_result r;
    (void)state;

    root = th_tmpdir();
    snprintf(dir, sizeof dir, "%s/hub", root);
    snprintf(into, sizeof into, "%s/backups", root);
    th_hub_init(dir);
    assert_int_equal(mkdir(into, 0700), 0);
    make_dir_with(into, "2000-01-01T000000Z", "notes.txt"); /* not a backup's file: kept */
    make_dir_with(into, "2001-01-01T000000Z", "data.mdb");
    make_dir_with(into, "2002-01-01T000000Z", "hub.pub");
    make_dir_with(into, "2003-01-01T000000Z", "data.mdb");
    make_dir_with(into, "keep-me", "data.mdb"); /* not a dated name: never touched */
    th_exec(&r, NULL,
            (const char *const[]){th_hub_bin(), "backup", "--data", dir, "--into", into, "--keep",
                                  "2", NULL});
    th_expect_status(&r, 0);
    th_expect_text(r.out, "removed 2 older backup(s)");
    p = strstr(r.out, " to ");
    assert_non_null(p);
    snprintf(made, sizeof made, "%.*s", (int)(strchr(p, ':') - p - 4), p + 4);
    th_result_free(&r);
    assert_true(access(made, F_OK) == 0);
    assert_true(exists_in(into, "2000-01-01T000000Z"));
    assert_false(exists_in(into, "2001-01-01T000000Z"));
    assert_false(exists_in(into, "2002-01-01T000000Z"));
    assert_true(exists_in(into, "2003-01-01T000000Z"));
    assert_true(exists_in(into, "keep-me"));
    /* What was made is a hub database that checks. */
    th_exec(&r, NULL, (const char *const[]){th_hub_bin(), "check", "--data", made, NULL});
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_exec(
        &r, NULL,
        (const char *const[]){th_hub_bin(), "backup", "--data", dir, "--keep", "2", made, NULL});
    th_expect_status(&r, 2);
    th_expect_text(r.err, "--keep needs --into");
    th_result_free(&r);
    th_rmtree(root);
    free(root);
}

static size_t
entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    }
    closedir(d);
    return n;
}

static void
test_help_creates_nothing(void **state)
{
    static const char *const cmds[] = {"init", "run", "enroll", "health", "backup", "check"};
    char *root, data[PATH_MAX], cwd[PATH_MAX];
    th_result r;
    (void)state;

    root = th_tmpdir();
    snprintf(data, sizeof data, "%s/data", root);
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(root), 0);
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        th_exec(&r, NULL,
                (const char *const[]){th_hub_bin(), cmds[i], "--data", data, "--help", NULL});
        th_expect_status(&r, 0);
        th_expect_text(r.out, "usage: ticsx-hub ");
        th_expect_text(r.out, cmds[i]);
        th_result_free(&r);
        th_exec(&r, NULL, (const char *const[]){th_hub_bin(), cmds[i], "--help", NULL});
        th_expect_status(&r, 0);
        th_result_free(&r);
    }
    th_exec(&r, NULL, (const char *const[]){th_hub_bin(), "--help", NULL});
    th_expect_status(&r, 0);
    th_result_free(&r);
    assert_int_equal(chdir(cwd), 0);
    /* Neither DIR nor anything in the working directory. */
    assert_int_equal(entries(root), 0);
    th_rmtree(root);
    free(root);
}

/* Runs the hub binary `bin` with argv as uid and gid 65534 (nobody) when this process is root,
 * else as itself; stderr into err (size n). Returns the exit status. */
static int
run_as_other(const char *const *argv, char *err, size_t n)
{
    size_t len = 0;
    ssize_t got;
    pid_t pid;
    int p[2], st;

    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], 2);
        dup2(p[1], 1);
        if (geteuid() == 0 &&
            (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)) {
            _exit(98);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    while (len < n - 1 && (got = read(p[0], err + len, n - 1 - len)) > 0) {
        len += (size_t)got;
    }
    err[len] = 0;
    close(p[0]);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return status_of(st);
}

static void
test_permission_problem_named(void **state)
{
    char *root, dir[PATH_MAX], bin[PATH_MAX], out[PATH_MAX], fresh[PATH_MAX], err[8192];
    char owner[64], runs[64];
    const int root_user = geteuid() == 0;
    uint8_t *exe;
    size_t len;
    (void)state;

    root = th_tmpdir();
    snprintf(dir, sizeof dir, "%s/hub", root);
    snprintf(bin, sizeof bin, "%s/ticsx-hub", root);
    snprintf(out, sizeof out, "%s/copy", root);
    snprintf(fresh, sizeof fresh, "%s/fresh", root);
    th_hub_init(dir);
    /* Its own copy of the binary, so that nobody may run it wherever the build tree is. */
    assert_int_equal(tx_file_read(th_hub_bin(), 64u << 20, &exe, &len), TX_OK);
    assert_int_equal(tx_file_create(bin, exe, len, 0755), TX_OK);
    free(exe);
    assert_int_equal(chmod(root, 0755), 0);
    if (!root_user) {
        assert_int_equal(chmod(dir, 0500), 0); /* then even its owner may not write it */
    }
    snprintf(owner, sizeof owner, "belongs to uid %u", (unsigned)getuid());
    snprintf(runs, sizeof runs, "runs as uid %u", root_user ? 65534u : (unsigned)getuid());

    assert_int_equal(
        run_as_other((const char *const[]){bin, "run", "--data", dir, NULL}, err, sizeof err), 2);
    th_expect_text(err, "permission denied");
    th_expect_text(err, dir);
    th_expect_text(err, owner);
    th_expect_text(err, runs);
    th_expect_text(err, "chown -R");
    if (root_user) {
        /* Reading is all a backup needs, and nobody may not read it either. */
        assert_int_equal(
            run_as_other((const char *const[]){bin, "backup", "--data", dir, out, NULL}, err,
                         sizeof err),
            2);
        th_expect_text(err, "permission denied");
        th_expect_text(err, runs);
        /* init where the parent is not the process's to write. */
        assert_int_equal(run_as_other((const char *const[]){bin, "init", "--data", fresh, NULL},
                                      err, sizeof err),
                         2);
        th_expect_text(err, "permission denied");
        th_expect_text(err, root);
        th_expect_text(err, runs);
    }
    assert_int_equal(chmod(dir, 0700), 0);
    th_rmtree(root);
    free(root);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_ready_and_stopping_notified, th_stop_leftover_hubs),
        cmocka_unit_test(test_backup_beside_pid1_hub_of_another_namespace),
        cmocka_unit_test(test_dated_backups_keep_the_newest),
        cmocka_unit_test(test_help_creates_nothing),
        cmocka_unit_test(test_permission_problem_named),
    };
    th_require_hub_bin();
    return cmocka_run_group_tests(tests, NULL, NULL);
}

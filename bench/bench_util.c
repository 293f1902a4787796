/* Benchmark plumbing: clocks and quantiles, temporary directories, the real ticsx-hub as a
 * child process, /proc memory figures, raw DEALER clients, and printing results as they are
 * recorded. */
#include "bench.h"

#include "tx_error.h"
#include "tx_hub_admin.h"
#include "tx_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define MAX_HUBS 8 /* children at once: hubs and the Redis peer */
#define HUB_START_S 60
#define HUB_STOP_S 60

volatile sig_atomic_t tx_bench_stop;

static pid_t hubs[MAX_HUBS];

int64_t
tx_bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

double
tx_bench_since_s(int64_t t0_ns)
{
    return (double)(tx_bench_now_ns() - t0_ns) / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

double
tx_bench_quantile(double *v, size_t n, double q)
{
    size_t rank;

    if (n == 0) {
        return 0;
    }
    qsort(v, n, sizeof *v, cmp_double);
    rank = (size_t)ceil(q * (double)n);
    return v[rank == 0 ? 0 : rank - 1];
}

int
tx_bench_mkdtemp(const char *root, const char *name, char *out, size_t n)
{
    if (snprintf(out, n, "%s/%s-XXXXXX", root, name) >= (int)n) {
        return TX_ERR_USAGE;
    }
    if (mkdtemp(out) == NULL) {
        fprintf(stderr, "ticsx-bench: cannot make a directory in %s: %s\n", root, strerror(errno));
        return TX_ERR_IO;
    }
    return TX_OK;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

void
tx_bench_rmtree(const char *dir)
{
    if (dir == NULL || dir[0] == 0 || strcmp(dir, "/") == 0) {
        return;
    }
    nftw(dir, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

int
tx_bench_file_size(const char *path, uint64_t *size, uint64_t *allocated)
{
    struct stat st;

    *size = *allocated = 0;
    if (stat(path, &st) != 0) {
        return TX_ERR_IO;
    }
    *size = (uint64_t)st.st_size;
    *allocated = (uint64_t)st.st_blocks * 512;
    return TX_OK;
}

/* ---- the hub ---- */

static void
track(pid_t pid, int add)
{
    for (int i = 0; i < MAX_HUBS; i++) {
        if (add ? hubs[i] == 0 : hubs[i] == pid) {
            hubs[i] = add ? pid : 0;
            return;
        }
    }
}

/* fork + exec of the hub binary with argv; stdout to /dev/null, stderr to `log` (or
 * /dev/null). */
static pid_t
spawn(const char *bin, char *const *argv, const char *log)
{
    pid_t pid = fork();

    if (pid == 0) {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        int err = log != NULL ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : null;

        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
        }
        if (err >= 0) {
            dup2(err, 2);
        }
        execv(bin, argv);
        _exit(127);
    }
    return pid;
}

static int
wait_exit(pid_t pid, double limit_s)
{
    int64_t t0 = tx_bench_now_ns();
    int status;

    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);

        if (r == pid) {
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (r < 0 && errno != EINTR) {
            return -1;
        }
        if (tx_bench_since_s(t0) > limit_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        usleep(1000);
    }
}

pid_t
tx_bench_spawn(const char *bin, char *const *argv, const char *log)
{
    pid_t pid = spawn(bin, argv, log);

    if (pid > 0) {
        track(pid, 1);
    }
    return pid;
}

int
tx_bench_child_stop(pid_t pid, double limit_s)
{
    int st;

    if (pid <= 0) {
        return -1;
    }
    kill(pid, SIGTERM);
    st = wait_exit(pid, limit_s);
    track(pid, 0);
    return st;
}

int
tx_bench_child_exited(pid_t pid)
{
    int status;

    if (pid > 0 && waitpid(pid, &status, WNOHANG) == pid) {
        track(pid, 0);
        return 1;
    }
    return 0;
}

int
tx_bench_hub_cmd(const tx_bench_cfg *cfg, const char *const *args, const char *log, double limit_s)
{
    char *argv[16];
    size_t n = 0;
    pid_t pid;

    argv[n++] = (char *)cfg->hub_bin;
    for (size_t i = 0; args[i] != NULL && n < sizeof argv / sizeof argv[0] - 1; i++) {
        argv[n++] = (char *)args[i];
    }
    argv[n] = NULL;
    pid = spawn(cfg->hub_bin, argv, log);
    return pid < 0 ? -1 : wait_exit(pid, limit_s);
}

int
tx_bench_hub_init(const tx_bench_cfg *cfg, const char *dir)
{
    const char *args[] = {"init", "--data", dir, NULL};
    int st = tx_bench_hub_cmd(cfg, args, NULL, 30);

    if (st != 0) {
        fprintf(stderr, "ticsx-bench: %s init --data %s exited with %d\n", cfg->hub_bin, dir, st);
        return TX_ERR_INTERNAL;
    }
    return TX_OK;
}

/* A free TCP port on 127.0.0.1, bound and let go (another process could take it first: then
 * the hub does not start and the run says why); 0 when none could be had. */
static unsigned
free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unsigned port = 0;

    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0) {
        port = ntohs(a.sin_port);
    }
    if (fd >= 0) {
        close(fd);
    }
    return port;
}

/* The hub's metrics page (GET /metrics) into buf (size n, NUL-terminated): TX_OK, or
 * TX_ERR_NET when it could not be had within a few seconds. */
static int
metrics_page(unsigned port, char *buf, size_t n)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {5, 0};
    const char req[] = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    size_t got = 0;
    ssize_t r = 0;

    if (fd < 0 || port == 0) {
        if (fd >= 0) {
            close(fd);
        }
        return TX_ERR_NET;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        send(fd, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1)) {
        close(fd);
        return TX_ERR_NET;
    }
    while (got + 1 < n && (r = recv(fd, buf + got, n - 1 - got, 0)) > 0) {
        got += (size_t)r;
    }
    close(fd);
    buf[got] = 0;
    return r == 0 && strncmp(buf, "HTTP/1.", 7) == 0 && strstr(buf, " 200 ") != NULL
               ? TX_OK
               : TX_ERR_NET;
}

int
tx_bench_hub_metrics(const tx_bench_hub *h, const char *const *names, double *vals, size_t n)
{
    size_t cap = 1 << 20;
    char *page = malloc(cap);
    int rc = page != NULL ? metrics_page(h->metrics_port, page, cap) : TX_ERR_NOMEM;

    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        size_t len = strlen(names[i]);
        const char *at = page;

        /* A sample line: the name at a line's start, then a space and the value. */
        while ((at = strstr(at, names[i])) != NULL &&
               ((at != page && at[-1] != '\n') || at[len] != ' ')) {
            at += len;
        }
        if (at == NULL || sscanf(at + len, " %lf", &vals[i]) != 1) {
            rc = TX_ERR_NOT_FOUND;
        }
    }
    free(page);
    return rc;
}

int
tx_bench_hub_start(const tx_bench_cfg *cfg, const char *dir, unsigned map_mib, tx_bench_hub *h)
{
    char path[PATH_MAX + 16], log[PATH_MAX + 8], map[32], workers[32], wait_us[32];
    char metrics[40];
    char *argv[24];
    int argc = 0;
    tx_pubkey pk;
    int64_t t0;

    memset(h, 0, sizeof *h);
    snprintf(h->dir, sizeof h->dir, "%s", dir);
    snprintf(path, sizeof path, "%s/hub.pub", dir);
    if (tx_pubkey_load(path, &pk) != TX_OK) {
        fprintf(stderr, "ticsx-bench: cannot read %s\n", path);
        return TX_ERR_IO;
    }
    memcpy(h->curve, pk.curve, 32);
    snprintf(path, sizeof path, "%s/endpoint", dir);
    unlink(path);
    snprintf(log, sizeof log, "%s.log", dir);
    snprintf(map, sizeof map, "%u", map_mib);
    argv[argc++] = (char *)cfg->hub_bin;
    argv[argc++] = "run";
    argv[argc++] = "--data";
    argv[argc++] = (char *)dir;
    argv[argc++] = "--bind";
    argv[argc++] = "tcp://127.0.0.1:*";
    argv[argc++] = "--map-size";
    argv[argc++] = map;
    argv[argc++] = "--log-level";
    argv[argc++] = (char *)cfg->hub_log;
    /* Its metrics: the commits and records stored, for the mean batch of a run. */
    if ((h->metrics_port = free_port()) != 0) {
        snprintf(metrics, sizeof metrics, "127.0.0.1:%u", h->metrics_port);
        argv[argc++] = "--metrics";
        argv[argc++] = metrics;
    }
    if (cfg->hub_workers > 0) {
        snprintf(workers, sizeof workers, "%u", cfg->hub_workers);
        argv[argc++] = "--workers";
        argv[argc++] = workers;
    }
    if (cfg->commit_wait_us >= 0) {
        snprintf(wait_us, sizeof wait_us, "%ld", cfg->commit_wait_us);
        argv[argc++] = "--commit-wait-us";
        argv[argc++] = wait_us;
    }
    argv[argc] = NULL;
    t0 = tx_bench_now_ns();
    h->pid = tx_bench_spawn(cfg->hub_bin, argv, log);
    if (h->pid < 0) {
        return TX_ERR_INTERNAL;
    }
    while (tx_bench_since_s(t0) < HUB_START_S && !tx_bench_stop) {
        if (tx_hub_read_endpoint(dir, h->endpoint, sizeof h->endpoint) == TX_OK) {
            h->start_ms = tx_bench_since_s(t0) * 1000;
            return TX_OK;
        }
        if (tx_bench_child_exited(h->pid)) {
            fprintf(stderr, "ticsx-bench: the hub exited at start; see %s\n", log);
            h->pid = 0;
            return TX_ERR_INTERNAL;
        }
        usleep(200);
    }
    fprintf(stderr, "ticsx-bench: the hub did not start in time; see %s\n", log);
    tx_bench_hub_stop(h);
    return TX_ERR_INTERNAL;
}

int
tx_bench_hub_stop(tx_bench_hub *h)
{
    int st = tx_bench_child_stop(h->pid, HUB_STOP_S);

    h->pid = 0;
    return st;
}

void
tx_bench_hub_kill_all(void)
{
    for (int i = 0; i < MAX_HUBS; i++) {
        if (hubs[i] > 0) {
            kill(hubs[i], SIGKILL);
            waitpid(hubs[i], NULL, 0);
            hubs[i] = 0;
        }
    }
}

/* Reads "Name: N kB" lines of a /proc file into vals (-1 when absent). */
static int
read_kib(const char *path, const char *const *names, long *vals, size_t n, char *why,
         size_t why_len)
{
    char line[256];
    FILE *f = fopen(path, "r");

    for (size_t i = 0; i < n; i++) {
        vals[i] = -1;
    }
    if (f == NULL) {
        snprintf(why, why_len, "cannot read %s: %s", path, strerror(errno));
        return TX_ERR_IO;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(names[i]);
            long v;

            if (strncmp(line, names[i], len) == 0 && line[len] == ':' &&
                sscanf(line + len + 1, " %ld kB", &v) == 1) {
                vals[i] = v;
            }
        }
    }
    fclose(f);
    if (vals[0] < 0) {
        snprintf(why, why_len, "%s has no %s line", path, names[0]);
        return TX_ERR_IO;
    }
    return TX_OK;
}

int
tx_bench_memory(pid_t pid, tx_bench_mem *m)
{
    static const char *const smaps[] = {"Anonymous", "Private_Dirty", "Rss"};
    static const char *const status[] = {"RssAnon", "VmRSS"};
    char path[64], why2[sizeof m->why];
    long v[3];

    memset(m, 0, sizeof *m);
    m->anon_kib = m->private_dirty_kib = m->rss_kib = -1;
    snprintf(path, sizeof path, "/proc/%ld/smaps_rollup", (long)pid);
    if (read_kib(path, smaps, v, 3, m->why, sizeof m->why) == TX_OK) {
        m->anon_kib = v[0];
        m->private_dirty_kib = v[1];
        m->rss_kib = v[2];
        m->source = "smaps_rollup";
        return TX_OK;
    }
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    if (read_kib(path, status, v, 2, why2, sizeof why2) == TX_OK) {
        m->anon_kib = v[0];
        m->rss_kib = v[1];
        m->source = "status";
        return TX_OK;
    }
    snprintf(m->why + strlen(m->why), sizeof m->why - strlen(m->why), "; %s", why2);
    return TX_ERR_IO;
}

static void
memory_figure(json_t *section, const char *prefix, const char *name, long kib, const char *label,
              const char *what, const char *why)
{
    char key[64], text[128];

    snprintf(key, sizeof key, "%s_%s_kib", prefix, name);
    snprintf(text, sizeof text, "%s: %s", label, what);
    if (kib >= 0) {
        tx_bench_set(section, key, (double)kib, "KiB", text);
    } else {
        tx_bench_unmeasured(section, key, text, "%s", why[0] ? why : "not in smaps_rollup");
    }
}

void
tx_bench_memory_into(json_t *section, const char *prefix, pid_t pid, const char *label)
{
    tx_bench_mem m;
    char key[64], why[sizeof m.why + 64];
    int from_status = tx_bench_memory(pid, &m) == TX_OK && strcmp(m.source, "status") == 0;

    snprintf(key, sizeof key, "%s_anon_source", prefix);
    json_object_set_new(section, key, m.source != NULL ? json_string(m.source) : json_null());
    memory_figure(section, prefix, "anon", m.anon_kib, label,
                  from_status ? "Anonymous (RssAnon: smaps not readable)" : "Anonymous", m.why);
    snprintf(why, sizeof why, "%s; /proc/PID/status has no such figure", m.why);
    memory_figure(section, prefix, "private_dirty", m.private_dirty_kib, label, "Private_Dirty",
                  from_status ? why : m.why);
    memory_figure(section, prefix, "rss", m.rss_kib, label,
                  from_status ? "Rss (VmRSS, with file)" : "Rss (with file)", m.why);
}

/* ---- clients ---- */

int
tx_bench_client_open(tx_bench_client *c, void *ctx, const char *endpoint,
                     const uint8_t hub_curve[32], const tx_identity *id)
{
    int64_t maxmsg = TX_MAX_REPLY + 4096;
    int linger = 0, hwm = 100000;

    memset(c, 0, sizeof *c);
    c->own_ctx = ctx == NULL;
    c->ctx = ctx != NULL ? ctx : zmq_ctx_new();
    c->sock = c->ctx != NULL ? zmq_socket(c->ctx, ZMQ_DEALER) : NULL;
    if (c->sock == NULL || zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, hub_curve, 32) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, id->pub.curve, 32) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, id->sec->curve, 32) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_SNDHWM, &hwm, sizeof hwm) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_RCVHWM, &hwm, sizeof hwm) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_connect(c->sock, endpoint) != 0) {
        fprintf(stderr, "ticsx-bench: cannot connect to %s: %s\n", endpoint, zmq_strerror(errno));
        tx_bench_client_close(c);
        return TX_ERR_NET;
    }
    return TX_OK;
}

void
tx_bench_client_close(tx_bench_client *c)
{
    if (c->sock != NULL) {
        zmq_close(c->sock);
    }
    if (c->ctx != NULL && c->own_ctx) {
        zmq_ctx_term(c->ctx);
    }
    memset(c, 0, sizeof *c);
}

int
tx_bench_client_send(tx_bench_client *c, const uint8_t *call, size_t len)
{
    while (zmq_send(c->sock, call, len, 0) < 0) {
        if (errno != EINTR) {
            return TX_ERR_NET;
        }
    }
    return TX_OK;
}

int
tx_bench_client_recv(tx_bench_client *c, int64_t timeout_us, tx_reply_pb **reply)
{
    int64_t deadline = tx_bench_now_ns() + timeout_us * 1000;

    *reply = NULL;
    for (;;) {
        zmq_msg_t m;
        struct pollfd pfd;
        struct timespec ts;
        size_t len = sizeof(int);
        int64_t left;
        int events = 0, fd = -1, rc;

        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, c->sock, ZMQ_DONTWAIT) >= 0) {
            rc = tx_decode_reply(zmq_msg_data(&m), zmq_msg_size(&m), reply);
            zmq_msg_close(&m);
            return rc;
        }
        zmq_msg_close(&m);
        if (errno != EAGAIN && errno != EINTR) {
            return TX_ERR_NET;
        }
        left = deadline - tx_bench_now_ns();
        if (left <= 0) {
            return TX_ERR_UNREACHABLE;
        }
        /* ZMQ_FD is edge-triggered: ask ZMQ_EVENTS before sleeping on it. */
        if (zmq_getsockopt(c->sock, ZMQ_EVENTS, &events, &len) == 0 && (events & ZMQ_POLLIN)) {
            continue;
        }
        len = sizeof fd;
        if (zmq_getsockopt(c->sock, ZMQ_FD, &fd, &len) != 0) {
            return TX_ERR_NET;
        }
        pfd = (struct pollfd){fd, POLLIN, 0};
        ts.tv_sec = left / 1000000000;
        ts.tv_nsec = left % 1000000000;
        ppoll(&pfd, 1, &ts, NULL);
    }
}

int
tx_bench_client_ping(tx_bench_client *c, int timeout_ms)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_reply_pb *r = NULL;
    uint8_t *buf;
    size_t len;
    int rc;

    call.id = 0x7fffffff;
    call.body_case = TICSX__V1__CALL__BODY_PING;
    call.ping = 1;
    if ((rc = tx_pack(&call.base, &buf, &len)) != TX_OK) {
        return rc;
    }
    rc = tx_bench_client_send(c, buf, len);
    free(buf);
    if (rc != TX_OK) {
        return rc;
    }
    rc = tx_bench_client_recv(c, (int64_t)timeout_ms * 1000, &r);
    if (rc == TX_OK && (r->id != call.id || r->status != TICSX__V1__STATUS__OK)) {
        rc = TX_ERR_REFUSED;
    }
    tx_free(r);
    return rc;
}

/* The Redis peer: what a user might pick instead of a hub, on the same machine and disk. A
 * redis-server of its own (data and Unix socket in the work directory, appendonly yes,
 * appendfsync always, no snapshots) driven by N clients each waiting for its reply, each
 * sending XADD of a 2 KB value: durable records/s and the latency of a call. No signatures, no
 * encryption: the durable tail the hub must match while doing far more per record. The server
 * is stopped by its pid at the end, also on error (and on an early exit by
 * tx_bench_hub_kill_all). */
#include "bench.h"

#include "tx_error.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#ifdef TX_BENCH_HIREDIS
#include <hiredis/hiredis.h>
#endif

#define LABEL "Redis XADD of 2 KB, appendfsync always"

/* redis-server on PATH into out (size n): TX_OK, or TX_ERR_NOT_FOUND. */
static int
find_on_path(const char *name, char *out, size_t n)
{
    const char *path = getenv("PATH");
    char dirs[4096];

    snprintf(dirs, sizeof dirs, "%s", path != NULL && *path ? path : "/usr/local/bin:/usr/bin");
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d != NULL;
         d = strtok_r(NULL, ":", &save)) {
        if (snprintf(out, n, "%s/%s", *d ? d : ".", name) < (int)n && access(out, X_OK) == 0) {
            return TX_OK;
        }
    }
    return TX_ERR_NOT_FOUND;
}

/* Every figure of the peer as not measured, for the same reason. */
static void
unmeasured_all(json_t *out, const char *why)
{
    tx_bench_unmeasured(out, "records_per_s", LABEL, "%s", why);
    tx_bench_unmeasured(out, "p50_us", NULL, "%s", why);
    tx_bench_unmeasured(out, "p99_us", NULL, "%s", why);
    tx_bench_unmeasured(out, "p999_us", NULL, "%s", why);
}

#ifdef TX_BENCH_HIREDIS

#define REDIS_START_S 30
#define REDIS_STOP_S 60
#define REDIS_VALUE_BYTES 2048
#define REDIS_REPLY_TIMEOUT_S 60
#define REDIS_VERSION_MAX 32

typedef struct {
    redisContext *c;
    uint64_t count; /* XADDs to make */
    const uint8_t *value;
    double *lat; /* us per call */
    size_t n_lat;
    int64_t last_ns;
    pthread_mutex_t *mu;
    pthread_cond_t *cond;
    int *go; /* 1 run, -1 called off */
    char err[160];
} peer_client;

static redisContext *
connect_sock(const char *sock, int timeout_ms)
{
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    struct timeval reply_tv = {REDIS_REPLY_TIMEOUT_S, 0};
    redisContext *c = redisConnectUnixWithTimeout(sock, tv);

    if (c != NULL && (c->err || redisSetTimeout(c, reply_tv) != REDIS_OK)) {
        redisFree(c);
        return NULL;
    }
    return c;
}

/* One command whose reply must be of `type`: the reply (caller frees), or NULL with why. */
static redisReply *
command(redisContext *c, int type, char *why, size_t n, const char *fmt, ...)
{
    redisReply *r;
    va_list ap;

    va_start(ap, fmt);
    r = redisvCommand(c, fmt, ap);
    va_end(ap);
    if (r == NULL) {
        snprintf(why, n, "%s", c->errstr[0] ? c->errstr : "no reply");
        return NULL;
    }
    if (r->type != type) {
        snprintf(why, n, "unexpected reply: %.100s",
                 r->type == REDIS_REPLY_ERROR ? r->str : "of another type");
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

static void *
peer_loop(void *arg)
{
    peer_client *p = arg;
    int go;

    pthread_mutex_lock(p->mu);
    while (*p->go == 0) {
        pthread_cond_wait(p->cond, p->mu);
    }
    go = *p->go > 0;
    pthread_mutex_unlock(p->mu);
    for (uint64_t i = 0; go && i < p->count && !tx_bench_stop; i++) {
        int64_t t0 = tx_bench_now_ns();
        redisReply *r = command(p->c, REDIS_REPLY_STRING, p->err, sizeof p->err,
                                "XADD ticsx-bench * v %b", p->value, (size_t)REDIS_VALUE_BYTES);

        if (r == NULL) {
            break;
        }
        freeReplyObject(r);
        p->last_ns = tx_bench_now_ns();
        p->lat[p->n_lat++] = (double)(p->last_ns - t0) / 1000;
    }
    return NULL;
}

typedef struct {
    pid_t pid;
    char dir[PATH_MAX];
    char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
    char log[PATH_MAX + 16];
    char version[REDIS_VERSION_MAX];
} peer_server;

/* The version from INFO server, and a check that the server runs with appendfsync always. */
static int
check_server(redisContext *c, peer_server *s, char *why, size_t n)
{
    redisReply *r = command(c, REDIS_REPLY_STRING, why, n, "INFO server");
    const char *v;

    if (r == NULL) {
        return TX_ERR_NET;
    }
    v = strstr(r->str, "redis_version:");
    snprintf(s->version, sizeof s->version, "%.*s", v != NULL ? (int)strcspn(v + 14, "\r\n") : 7,
             v != NULL ? v + 14 : "unknown");
    freeReplyObject(r);
    r = command(c, REDIS_REPLY_ARRAY, why, n, "CONFIG GET appendfsync");
    if (r == NULL) {
        return TX_ERR_NET;
    }
    if (r->elements != 2 || r->element[1]->type != REDIS_REPLY_STRING ||
        strcmp(r->element[1]->str, "always") != 0) {
        snprintf(why, n, "redis-server does not run with appendfsync always");
        freeReplyObject(r);
        return TX_ERR_INTERNAL;
    }
    freeReplyObject(r);
    return TX_OK;
}

/* Starts redis-server in its own directory and waits (bounded) until it answers PING. */
static int
start_server(const tx_bench_cfg *cfg, const char *bin, peer_server *s, char *why, size_t n)
{
    char *argv[24];
    int argc = 0, rc;
    int64_t t0;

    memset(s, 0, sizeof *s);
    if ((rc = tx_bench_mkdtemp(cfg->work, "redis", s->dir, sizeof s->dir)) != TX_OK) {
        snprintf(why, n, "cannot make its directory in %.300s", cfg->work);
        return rc;
    }
    if (snprintf(s->sock, sizeof s->sock, "%s/redis.sock", s->dir) >= (int)sizeof s->sock) {
        snprintf(why, n, "the socket path in %.300s is too long for a Unix socket", s->dir);
        return TX_ERR_USAGE;
    }
    snprintf(s->log, sizeof s->log, "%s/redis.log", s->dir);
    argv[argc++] = (char *)bin;
    argv[argc++] = "--port";
    argv[argc++] = "0";
    argv[argc++] = "--unixsocket";
    argv[argc++] = s->sock;
    argv[argc++] = "--unixsocketperm";
    argv[argc++] = "700";
    argv[argc++] = "--dir";
    argv[argc++] = s->dir;
    argv[argc++] = "--appendonly";
    argv[argc++] = "yes";
    argv[argc++] = "--appendfsync";
    argv[argc++] = "always";
    argv[argc++] = "--save";
    argv[argc++] = "";
    argv[argc++] = "--daemonize";
    argv[argc++] = "no";
    argv[argc++] = "--logfile";
    argv[argc++] = s->log;
    argv[argc] = NULL;
    s->pid = tx_bench_spawn(bin, argv, s->log);
    if (s->pid < 0) {
        snprintf(why, n, "cannot start %.300s: %s", bin, strerror(errno));
        return TX_ERR_INTERNAL;
    }
    t0 = tx_bench_now_ns();
    while (tx_bench_since_s(t0) < REDIS_START_S && !tx_bench_stop) {
        redisContext *c = connect_sock(s->sock, 200);
        redisReply *r = c != NULL ? command(c, REDIS_REPLY_STATUS, why, n, "PING") : NULL;

        if (r != NULL) {
            freeReplyObject(r);
            rc = check_server(c, s, why, n);
            redisFree(c);
            return rc;
        }
        redisFree(c);
        if (tx_bench_child_exited(s->pid)) {
            snprintf(why, n, "redis-server exited at start; see %.300s", s->log);
            s->pid = 0;
            return TX_ERR_INTERNAL;
        }
        usleep(20000);
    }
    snprintf(why, n, "redis-server did not answer within %d s; see %.300s", REDIS_START_S, s->log);
    return TX_ERR_UNREACHABLE;
}

static void
stop_server(const tx_bench_cfg *cfg, peer_server *s)
{
    if (s->pid > 0 && tx_bench_child_stop(s->pid, REDIS_STOP_S) != 0) {
        fprintf(stderr, "ticsx-bench: redis-server did not stop cleanly; see %s\n", s->log);
    }
    s->pid = 0;
    if (s->dir[0] != 0 && !cfg->keep) {
        tx_bench_rmtree(s->dir);
    }
}

/* Connects the clients (before the clock), runs them together, joins them: the figures into
 * out. */
static int
drive(const tx_bench_cfg *cfg, const peer_server *s, json_t *out, char *why, size_t n)
{
    unsigned k = cfg->redis_clients;
    peer_client *pc = calloc(k, sizeof *pc);
    pthread_t *tid = calloc(k, sizeof *tid);
    uint8_t *value = malloc(REDIS_VALUE_BYTES);
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
    /* One latency array for all: client i fills its own slice. */
    double *all = calloc(cfg->records ? cfg->records : 1, sizeof *all);
    size_t n_all = 0, at = 0;
    unsigned started = 0;
    int go = 0,
        rc = pc == NULL || tid == NULL || value == NULL || all == NULL ? TX_ERR_NOMEM : TX_OK;
    int64_t t0, last = 0;

    if (rc == TX_OK) {
        randombytes_buf(value, REDIS_VALUE_BYTES);
    }
    for (unsigned i = 0; i < k && rc == TX_OK; i++) {
        pc[i] = (peer_client){
            NULL, cfg->records / k + (i < cfg->records % k), value, all + at, 0, 0, &mu, &cond, &go,
            ""};
        at += pc[i].count;
        pc[i].c = connect_sock(s->sock, 5000);
        if (pc[i].c == NULL) {
            snprintf(why, n, "client %u cannot connect to %s", i + 1, s->sock);
            rc = TX_ERR_NET;
        } else if (pthread_create(&tid[i], NULL, peer_loop, &pc[i]) == 0) {
            started++;
        } else {
            rc = TX_ERR_INTERNAL;
        }
    }
    t0 = tx_bench_now_ns();
    pthread_mutex_lock(&mu);
    go = rc == TX_OK ? 1 : -1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&mu);
    for (unsigned i = 0; i < started; i++) {
        pthread_join(tid[i], NULL);
    }
    for (unsigned i = 0; pc != NULL && i < k; i++) {
        if (rc == TX_OK && pc[i].err[0] != 0) {
            snprintf(why, n, "client %u: %s", i + 1, pc[i].err);
            rc = TX_ERR_NET;
        }
        if (rc == TX_OK && pc[i].n_lat < pc[i].count) {
            snprintf(why, n, "%s", tx_bench_stop ? "the run was stopped" : "XADDs went unanswered");
            rc = TX_ERR_INTERNAL;
        }
        n_all += pc[i].n_lat;
        last = pc[i].last_ns > last ? pc[i].last_ns : last;
        if (pc[i].c != NULL) {
            redisFree(pc[i].c);
        }
    }
    if (rc == TX_OK && (n_all == 0 || last <= t0)) {
        snprintf(why, n, "no XADD was answered");
        rc = TX_ERR_INTERNAL;
    }
    if (rc == TX_OK) {
        tx_bench_set_str(out, "redis_version", s->version, "redis-server version");
        tx_bench_set(out, "clients", k, "", "clients, each waiting for its reply");
        tx_bench_set(out, "records", (double)n_all, "", "XADDs of 2 KB");
        tx_bench_set(out, "seconds", (double)(last - t0) / 1e9, "s", "time");
        tx_bench_set(out, "records_per_s", (double)n_all / ((double)(last - t0) / 1e9), "records/s",
                     LABEL);
        tx_bench_set_quantile(out, "p50_us", all, n_all, 0.5, "us", "  latency p50");
        tx_bench_set_quantile(out, "p99_us", all, n_all, 0.99, "us", "  latency p99");
        tx_bench_set_quantile(out, "p999_us", all, n_all, 0.999, "us", "  latency p99.9");
    }
    free(all);
    free(value);
    free(tid);
    free(pc);
    return rc;
}

static int
run_peer(const tx_bench_cfg *cfg, const char *bin, json_t *out)
{
    peer_server s;
    char why[512] = "";
    int rc;

    printf("Redis peer: %s, appendonly, appendfsync always, %u clients each waiting for its "
           "reply, %llu XADDs of 2 KB\n",
           bin, cfg->redis_clients, (unsigned long long)cfg->records);
    fflush(stdout);
    if ((rc = start_server(cfg, bin, &s, why, sizeof why)) == TX_OK) {
        rc = drive(cfg, &s, out, why, sizeof why);
    }
    stop_server(cfg, &s);
    /* A peer that could not be measured leaves the hub's figures standing: it says so. */
    if (rc != TX_OK) {
        fprintf(stderr, "ticsx-bench: the Redis peer failed: %s\n", why);
        unmeasured_all(out, why);
    }
    return TX_OK;
}

#endif /* TX_BENCH_HIREDIS */

int
tx_bench_redis(const tx_bench_cfg *cfg, json_t *out)
{
    char bin[PATH_MAX];

    if (cfg->redis_bin != NULL) {
        snprintf(bin, sizeof bin, "%s", cfg->redis_bin);
        if (access(bin, X_OK) != 0) {
            printf("Redis peer\n");
            unmeasured_all(out, "the --redis-server given is not an executable file");
            return TX_OK;
        }
    } else if (find_on_path("redis-server", bin, sizeof bin) != TX_OK) {
        printf("Redis peer\n");
        unmeasured_all(out, "redis-server not installed");
        return TX_OK;
    }
#ifdef TX_BENCH_HIREDIS
    return run_peer(cfg, bin, out);
#else
    printf("Redis peer\n");
    unmeasured_all(out, "ticsx-bench was built without hiredis (libhiredis-dev)");
    return TX_OK;
#endif
}

/* The hub's metrics page and health checks over HTTP: libmicrohttpd on a socket bound here,
 * one thread, GET /metrics, /healthz and /readyz only. Every figure comes from tx_stats (the
 * serving loop's atomics), the pool's depth and data.mdb's size: no lock the loop takes. */
#include "tx_metrics.h"

#include "tx_error.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A scraper or a probe needs one connection at a time; a few spare. */
#define CONNECTIONS_MAX 8
#define CONNECTION_TIMEOUT_S 10
/* The loop turns at least every 100 ms when idle (TICK_MS of tx_hub.c); a round or a commit
 * that holds it longer than this makes the hub not ready. */
#define LOOP_STALL_MS 5000

const int64_t tx_stats_bucket_us[TX_STATS_BUCKETS] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000,
};

void
tx_stats_observe(tx_stats_histogram *h, int64_t us)
{
    size_t i = 0;

    if (us < 0) {
        us = 0;
    }
    while (i < TX_STATS_BUCKETS && us > tx_stats_bucket_us[i]) {
        i++;
    }
    tx_stats_add(&h->bucket[i], 1);
    tx_stats_add(&h->sum_us, (uint64_t)us);
}

struct tx_metrics {
    struct MHD_Daemon *d;
    tx_stats *stats;
    tx_vpool *pool;
    char dir[PATH_MAX];
    char url[80];
};

/* ---- the address ---- */

static int
is_loopback(const struct sockaddr_storage *sa)
{
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
        return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    }
    return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
}

int
tx_metrics_parse(const char *text, int allow_remote, tx_metrics_addr *out)
{
    char host[64];
    const char *colon, *h = text;
    size_t hlen;
    char *end;
    long port;

    memset(out, 0, sizeof *out);
    if (text == NULL || (colon = strrchr(text, ':')) == NULL || colon == text) {
        return tx_fail(TX_ERR_USAGE, "--metrics takes ADDRESS:PORT, e.g. 127.0.0.1:%d",
                       TX_METRICS_DEFAULT_PORT);
    }
    hlen = (size_t)(colon - text);
    if (text[0] == '[') {
        if (hlen < 3 || text[hlen - 1] != ']') {
            return tx_fail(TX_ERR_USAGE,
                           "--metrics: an IPv6 address goes in brackets, e.g. "
                           "[::1]:%d",
                           TX_METRICS_DEFAULT_PORT);
        }
        h++;
        hlen -= 2;
    }
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    if (colon[1] == 0 || *end != 0 || errno != 0 || port < 0 || port > 65535) {
        return tx_fail(TX_ERR_USAGE, "--metrics: the port is 0 to 65535 (0: any free port)");
    }
    if (hlen >= sizeof host) {
        return tx_fail(TX_ERR_USAGE, "--metrics: %s is not an IP address", text);
    }
    memcpy(host, h, hlen);
    host[hlen] = 0;
    if (strcmp(host, "localhost") == 0) {
        strcpy(host, "127.0.0.1");
    }
    if (text[0] == '[') {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out->sa;
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) {
            return tx_fail(TX_ERR_USAGE, "--metrics: [%s] is not an IPv6 address", host);
        }
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        out->len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&out->sa;
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1) {
            return tx_fail(TX_ERR_USAGE,
                           "--metrics: %s is not an IPv4 address (names other than localhost are "
                           "not looked up; an IPv6 address goes in brackets)",
                           host);
        }
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        out->len = sizeof *a;
    }
    out->loopback = is_loopback(&out->sa);
    if (!out->loopback && !allow_remote) {
        return tx_fail(TX_ERR_FORBIDDEN,
                       "--metrics %s is not a loopback address: the page tells anyone who can "
                       "reach it how busy the hub is; add --metrics-allow-remote to serve it there",
                       text);
    }
    return TX_OK;
}

/* ---- the page ---- */

typedef struct {
    char *p;
    size_t len, cap;
    int failed;
} text_buf;

static void put(text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(text_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->failed) {
        return;
    }
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        char *grown = realloc(b->p, b->cap * 2 + (size_t)n);
        if (grown == NULL) {
            b->failed = 1;
            return;
        }
        b->p = grown;
        b->cap = b->cap * 2 + (size_t)n;
    }
}

static void
head(text_buf *b, const char *name, const char *type, const char *help)
{
    put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
one(text_buf *b, const char *name, const char *type, const char *help, double v)
{
    head(b, name, type, help);
    put(b, "%s %.17g\n", name, v);
}

static void
histogram(text_buf *b, const char *name, const char *help, tx_stats_histogram *h)
{
    uint64_t sum = 0;

    head(b, name, "histogram", help);
    for (size_t i = 0; i <= TX_STATS_BUCKETS; i++) {
        sum += tx_stats_get(&h->bucket[i]);
        if (i < TX_STATS_BUCKETS) {
            put(b, "%s_bucket{le=\"%g\"} %llu\n", name, (double)tx_stats_bucket_us[i] / 1e6,
                (unsigned long long)sum);
        } else {
            put(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)sum);
        }
    }
    put(b, "%s_sum %.6f\n", name, (double)tx_stats_get(&h->sum_us) / 1e6);
    put(b, "%s_count %llu\n", name, (unsigned long long)sum);
}

int
tx_metrics_render(tx_stats *s, tx_vpool *pool, const char *dir, char **out, size_t *len)
{
    text_buf b = {malloc(8192), 0, 8192, 0};
    char path[PATH_MAX];
    struct stat st;
    uint64_t accepted = tx_stats_get(&s->accepted), gone = tx_stats_get(&s->disconnected);
    int64_t cp = atomic_load_explicit(&s->checkpoint_time, memory_order_relaxed);

    *out = NULL;
    if (b.p == NULL) {
        return TX_ERR_NOMEM;
    }
    one(&b, "ticsx_hub_start_time_seconds", "gauge",
        "Start time of the hub process since the Unix epoch in seconds.", (double)s->start_time);
    head(&b, "ticsx_hub_submits_total", "counter",
         "Submitted envelopes answered, by the status of the answer (ok includes duplicates).");
    for (int i = 0; i < TX_STATUS_COUNT_; i++) {
        put(&b, "ticsx_hub_submits_total{status=\"%s\"} %llu\n", tx_status_name(i),
            (unsigned long long)tx_stats_get(&s->submits[i]));
    }
    one(&b, "ticsx_hub_records_stored_total", "counter",
        "New records this hub process stored (duplicates not counted).",
        (double)tx_stats_get(&s->stored));
    one(&b, "ticsx_hub_log_records", "gauge", "Records in the verifiable log (its leaves).",
        (double)tx_stats_get(&s->log_size));
    head(&b, "ticsx_hub_data_file_bytes", "gauge", "Size of the database file data.mdb in bytes.");
    if (tx_path_join(path, sizeof path, dir, "data.mdb") == TX_OK && stat(path, &st) == 0) {
        put(&b, "ticsx_hub_data_file_bytes %lld\n", (long long)st.st_size);
    }
    head(&b, "ticsx_hub_checkpoint_age_seconds", "gauge",
         "Seconds since the latest signed checkpoint of the log was made.");
    if (cp > 0) {
        int64_t age = tx_now() - cp;
        put(&b, "ticsx_hub_checkpoint_age_seconds %lld\n", (long long)(age > 0 ? age : 0));
    }
    histogram(&b, "ticsx_hub_round_duration_seconds",
              "Rounds of the serving loop that answered calls: from taking the calls to the "
              "last answer, verification and commit included.",
              &s->round);
    histogram(&b, "ticsx_hub_commit_duration_seconds",
              "Commits of a write transaction of submitted records, fsync included.", &s->commit);
    one(&b, "ticsx_hub_verify_queue", "gauge",
        "Submitted envelopes handed to the verification threads and not yet verified.",
        pool != NULL ? (double)tx_vpool_depth(pool) : 0);
    one(&b, "ticsx_hub_submits_verified_inline_total", "counter",
        "Submitted envelopes verified on the serving loop's thread: the first of a take, "
        "while the verification threads were idle and the loop would otherwise wait.",
        (double)tx_stats_get(&s->verified_here));
    one(&b, "ticsx_hub_connections", "gauge",
        "Open TCP connections to the hub's ZeroMQ endpoint (accepted minus closed; handshakes "
        "in progress included).",
        (double)(accepted > gone ? accepted - gone : 0));
    head(&b, "ticsx_hub_handshakes_total", "counter",
         "CURVE handshakes of connections, by result (refused: not enrolled or failed).");
    put(&b, "ticsx_hub_handshakes_total{result=\"ok\"} %llu\n",
        (unsigned long long)tx_stats_get(&s->handshakes_ok));
    put(&b, "ticsx_hub_handshakes_total{result=\"refused\"} %llu\n",
        (unsigned long long)tx_stats_get(&s->handshakes_failed));
    one(&b, "ticsx_hub_store_check_state", "gauge",
        "The full check of the database since the hub started: 0 running (the hub serves "
        "meanwhile), 1 passed, 2 found damage (writes are refused), 3 could not run.",
        (double)atomic_load_explicit(&s->store_check, memory_order_relaxed));
    one(&b, "ticsx_hub_store_check_records", "gauge",
        "Log records the full check of the database has walked.",
        (double)tx_stats_get(&s->store_checked));
    one(&b, "ticsx_hub_signed_record_failing", "gauge",
        "1 while the last record of the signed checkpoint in checkpoint.signed failed (a disk "
        "error): writes are refused and no checkpoint is served until a record succeeds, tried "
        "again every second and at each write.",
        (double)tx_stats_get(&s->signed_failing));
    one(&b, "ticsx_hub_signed_record_failures_total", "counter",
        "Records of the signed checkpoint in checkpoint.signed that failed since the start.",
        (double)tx_stats_get(&s->signed_failures));
    if (b.failed) {
        free(b.p);
        return TX_ERR_NOMEM;
    }
    *out = b.p;
    *len = b.len;
    return TX_OK;
}

/* ---- HTTP ---- */

/* Why the hub is not ready, or NULL when it is. */
static const char *
not_ready(tx_stats *s, char *why, size_t n)
{
    int state = atomic_load_explicit(&s->state, memory_order_relaxed);
    int64_t idle = tx_clock_ms() - atomic_load_explicit(&s->loop_ms, memory_order_relaxed);

    if (state == TX_STATS_STARTING) {
        return "starting: the store is open, the serving loop has not started yet";
    }
    if (state == TX_STATS_STOPPING) {
        return "stopping: the hub takes no more calls";
    }
    if (idle > LOOP_STALL_MS) {
        snprintf(why, n,
                 "the serving loop has not turned for %lld s (a commit waiting on the disk, or "
                 "the database's write lock held by another process)",
                 (long long)(idle / 1000));
        return why;
    }
    return NULL;
}

static enum MHD_Result
answer(struct MHD_Connection *c, unsigned status, const char *type, char *body, size_t len,
       int owned)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, body, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;

    if (r == NULL) {
        if (owned) {
            free(body);
        }
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED) {
        MHD_add_response_header(r, "Allow", "GET");
    }
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result
answer_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    return answer(c, status, "text/plain; charset=utf-8", (char *)text, strlen(text), 0);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
           const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    tx_metrics *m = cls;
    char why[256], line[320];
    const char *reason;

    (void)version;
    (void)upload;
    (void)upload_size;
    (void)con_cls;
    /* Answered on the first call, before any body: a body is never read. */
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0) {
        return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET is served here\n");
    }
    if (strcmp(url, "/metrics") == 0) {
        char *text;
        size_t len;
        if (tx_metrics_render(m->stats, m->pool, m->dir, &text, &len) != TX_OK) {
            return answer_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
        }
        return answer(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, len, 1);
    }
    if (strcmp(url, "/healthz") == 0) {
        return answer_text(c, MHD_HTTP_OK, "ok\n");
    }
    if (strcmp(url, "/readyz") == 0) {
        if ((reason = not_ready(m->stats, why, sizeof why)) != NULL) {
            snprintf(line, sizeof line, "not ready: %s\n", reason);
            return answer_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, line);
        }
        return answer_text(c, MHD_HTTP_OK, "ready\n");
    }
    return answer_text(c, MHD_HTTP_NOT_FOUND,
                       "not found: this address serves /metrics, /healthz and /readyz\n");
}

static int
listen_on(const tx_metrics_addr *addr, int *fd_out, char *url, size_t n)
{
    struct sockaddr_storage got;
    socklen_t glen = sizeof got;
    char host[INET6_ADDRSTRLEN];
    int one = 1, e;
    int fd = socket(addr->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        return tx_fail(TX_ERR_NET, "cannot make a socket: %s", strerror(errno));
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (const struct sockaddr *)&addr->sa, addr->len) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&got, &glen) != 0) {
        e = errno;
        close(fd);
        return tx_fail(TX_ERR_NET, "%s", strerror(e));
    }
    if (got.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&got;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        snprintf(url, n, "http://[%s]:%u", host, (unsigned)ntohs(a->sin6_port));
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&got;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        snprintf(url, n, "http://%s:%u", host, (unsigned)ntohs(a->sin_port));
    }
    *fd_out = fd;
    return TX_OK;
}

int
tx_metrics_start(const tx_metrics_addr *addr, const char *dir, tx_stats *stats, tx_vpool *pool,
                 tx_metrics **out)
{
    tx_metrics *m;
    int fd = -1, rc;

    *out = NULL;
    if ((m = calloc(1, sizeof *m)) == NULL) {
        return tx_fail(TX_ERR_NOMEM, "out of memory");
    }
    if ((rc = listen_on(addr, &fd, m->url, sizeof m->url)) != TX_OK) {
        free(m);
        return rc;
    }
    m->stats = stats;
    m->pool = pool;
    snprintf(m->dir, sizeof m->dir, "%s", dir);
    m->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                                (addr->sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
                            0, NULL, NULL, on_request, m, MHD_OPTION_LISTEN_SOCKET, fd,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTIONS_MAX,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024, MHD_OPTION_END);
    if (m->d == NULL) {
        close(fd);
        free(m);
        return tx_fail(TX_ERR_NET, "the HTTP server did not start");
    }
    *out = m;
    return TX_OK;
}

const char *
tx_metrics_url(const tx_metrics *m)
{
    return m->url;
}

void
tx_metrics_stop(tx_metrics **m_p)
{
    if (m_p == NULL || *m_p == NULL) {
        return;
    }
    MHD_stop_daemon((*m_p)->d);
    free(*m_p);
    *m_p = NULL;
}

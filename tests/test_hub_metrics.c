/* Integration: the real ticsx-hub with --metrics on a free loopback port, real submits over
 * CURVE, then /metrics, /healthz and /readyz scraped over a real TCP socket: the counters
 * moved, every line parses (and passes `promtool check metrics` when it is installed), other
 * paths and methods are refused, the page is off by default; and --log-format json and
 * logfmt write lines that parse, each with time, level and msg. */
#include "faults_util.h"
#include "harness.h"
#include "tx_error.h"
#include "tx_keys.h"
#include "tx_log.h"
#include "tx_status.h"
#include "tx_util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zmq.h>

#include <cmocka.h>

#define TIMEOUT_MS 5000
#define BUYER_NAME "Metrics Buyer Motors KK"

/* cmocka's skip() with the reason on stderr. */
#define skip_msg(...)                                                                              \
    do {                                                                                           \
        fprintf(stderr, "skipped: " __VA_ARGS__);                                                  \
        fprintf(stderr, "\n");                                                                     \
        skip();                                                                                    \
    } while (0)

typedef struct {
    char *root;
    char dir[PATH_MAX];
    th_hub hub;
    unsigned port;
    tx_identity *buyer, *stranger;
    tx_conn *cb;
    int submitted; /* th_given step of the submits every counter case needs */
} fx;

/* ---- HTTP over a real socket ---- */

typedef struct {
    int status;
    char *head; /* status line and headers */
    char *body;
} http_resp;

static void
http_free(http_resp *r)
{
    free(r->head);
    r->head = r->body = NULL;
}

/* Sends `request` (a whole HTTP/1.1 request) to 127.0.0.1:port and reads the answer until the
 * server closes. status -1 when nothing came back. */
static void
http_raw(unsigned port, const char *request, http_resp *r)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {10, 0};
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap), *sep;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ssize_t n;

    assert_non_null(buf);
    assert_true(fd >= 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
    while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (len + 1 == cap) {
            buf = realloc(buf, cap *= 2);
            assert_non_null(buf);
        }
    }
    close(fd);
    buf[len] = 0;
    r->head = buf;
    r->status = -1;
    r->body = buf + len;
    if (sscanf(buf, "HTTP/1.1 %d", &r->status) != 1) {
        r->status = -1;
    }
    if ((sep = strstr(buf, "\r\n\r\n")) != NULL) {
        *sep = 0;
        r->body = sep + 4;
    }
}

/* method path on 127.0.0.1:port; a POST or PUT carries a small form body. */
static void
http(unsigned port, const char *method, const char *path, http_resp *r)
{
    int body = strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0;
    char req[512];

    snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n%s",
             method, path, port,
             body
                 ? "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\nx=1"
                 : "\r\n");
    http_raw(port, req, r);
}

/* GET /metrics, asserted 200; caller frees. */
static char *
scrape(const fx *f)
{
    http_resp r;
    char *text;

    http(f->port, "GET", "/metrics", &r);
    if (r.status != 200) {
        fail_msg("GET /metrics: %d\n%s", r.status, r.head);
    }
    th_expect_text(r.head, "Content-Type: text/plain; version=0.0.4");
    text = strdup(r.body);
    http_free(&r);
    return text;
}

/* The value of the sample whose name with labels is exactly `series` ("name" or
 * "name{status=\"ok\"}"); NAN when absent. */
static double
sample(const char *text, const char *series)
{
    size_t n = strlen(series);

    for (const char *line = text; line != NULL && *line;) {
        const char *end = strchr(line, '\n');
        if (strncmp(line, series, n) == 0 && line[n] == ' ') {
            return strtod(line + n + 1, NULL);
        }
        line = end != NULL ? end + 1 : NULL;
    }
    return NAN;
}

/* ---- the fixture ---- */

static int
setup(void **state)
{
    char port[32], metrics[64];
    fx *f;

    th_require_hub_bin();
    f = calloc(1, sizeof *f);
    f->root = th_tmpdir();
    snprintf(f->dir, sizeof f->dir, "%s/hub", f->root);
    th_hub_init(f->dir);
    f->buyer = th_identity(BUYER_NAME);
    f->stranger = th_identity("Metrics Stranger KK");
    assert_int_equal(th_enroll(f->dir, f->buyer, 1, NULL, 0), 0);
    f->port = th_free_port();
    snprintf(port, sizeof port, "%u", f->port);
    snprintf(metrics, sizeof metrics, "127.0.0.1:%u", f->port);
    {
        const char *args[] = {"--metrics", metrics, NULL};
        th_hub_opts o = {.args = args};
        th_hub_start(&f->hub, f->dir, &o);
    }
    f->cb = th_connect(&f->hub, f->buyer, TIMEOUT_MS);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fx *f = *state;

    tx_conn_destroy(&f->cb);
    assert_int_equal(th_hub_stop(&f->hub, SIGTERM), 0);
    tx_identity_destroy(&f->buyer);
    tx_identity_destroy(&f->stranger);
    th_rmtree(f->root);
    free(f->root);
    free(f);
    th_stop_leftover_hubs(NULL);
    return 0;
}

/* Statuses the submits of given_submits got back, for the counters to match. */
static int refused_status;

/* A questionnaire accepted, the same again (a duplicate, answered ok), and one with a byte of
 * its signature flipped (refused). */
static void
given_submits(fx *f)
{
    uint8_t *q;
    size_t len;

    if (!th_given(&f->submitted, "submits")) {
        return;
    }
    q = th_questionnaire(f->buyer, 2, &len);
    assert_int_equal(th_submit_status(f->cb, q, len, NULL), TX_STATUS_OK);
    assert_int_equal(th_submit_status(f->cb, q, len, NULL), TX_STATUS_OK);
    free(q);
    q = th_questionnaire(f->buyer, 3, &len);
    q[len - 5] ^= 0x01;
    refused_status = th_submit_status(f->cb, q, len, NULL);
    assert_int_not_equal(refused_status, TX_STATUS_OK);
    free(q);
    th_given_made(&f->submitted);
}

/* ---- cases ---- */

static void
test_counters_moved(void **state)
{
    fx *f = *state;
    char series[96];
    char *text;

    given_submits(f);
    text = scrape(f);
    assert_true(sample(text, "ticsx_hub_submits_total{status=\"ok\"}") >= 2);
    snprintf(series, sizeof series, "ticsx_hub_submits_total{status=\"%s\"}",
             tx_status_name(refused_status));
    assert_true(sample(text, series) >= 1);
    assert_true(sample(text, "ticsx_hub_submits_total{status=\"internal\"}") == 0);
    assert_true(sample(text, "ticsx_hub_records_stored_total") >= 1);
    /* The buyer's profile (enrolled before the start) and its questionnaire. */
    assert_true(sample(text, "ticsx_hub_log_records") >= 2);
    assert_true(sample(text, "ticsx_hub_commit_duration_seconds_count") >= 1);
    assert_true(sample(text, "ticsx_hub_commit_duration_seconds_sum") > 0);
    assert_true(sample(text, "ticsx_hub_round_duration_seconds_count") >= 2);
    assert_true(sample(text, "ticsx_hub_data_file_bytes") > 0);
    assert_true(sample(text, "ticsx_hub_checkpoint_age_seconds") >= 0);
    assert_true(sample(text, "ticsx_hub_start_time_seconds") > 1.6e9);
    assert_true(sample(text, "ticsx_hub_verify_queue") >= 0);
    /* Each of the three submits arrived alone at an idle hub: verified on the loop's thread,
     * not handed to a verification thread and back. */
    assert_true(sample(text, "ticsx_hub_submits_verified_inline_total") >= 3);
    /* f->cb is connected and was admitted. */
    assert_true(sample(text, "ticsx_hub_connections") >= 1);
    assert_true(sample(text, "ticsx_hub_handshakes_total{result=\"ok\"}") >= 1);
    /* The full check of the store, beside the serving hub: running (0) or passed (1), never
     * damage on a sound store; it walks the log's records. */
    assert_true(sample(text, "ticsx_hub_store_check_state") == 0 ||
                sample(text, "ticsx_hub_store_check_state") == 1);
    assert_true(sample(text, "ticsx_hub_store_check_records") >= 0);
    free(text);
}

/* The name of a sample line's metric family: the name without a histogram's suffix. */
static void
family_of(const char *name, size_t n, char *out, size_t cap)
{
    static const char *const suffixes[] = {"_bucket", "_sum", "_count"};

    snprintf(out, cap, "%.*s", (int)n, name);
    for (size_t i = 0; i < 3; i++) {
        size_t sl = strlen(suffixes[i]), ol = strlen(out);
        if (ol > sl && strcmp(out + ol - sl, suffixes[i]) == 0 &&
            strstr(out, "_duration_seconds") != NULL) {
            out[ol - sl] = 0;
        }
    }
}

/* Every line is a HELP, a TYPE or a sample of a family declared before it, named
 * ticsx_hub_*, with well-formed labels and a number; histogram buckets never decrease and
 * +Inf equals _count. */
static void
test_format_parses(void **state)
{
    fx *f = *state;
    char declared[64][96], family[96], last_family[96] = "";
    size_t n_declared = 0, samples = 0;
    double last_bucket = -1;
    char *text, *save = NULL;

    given_submits(f);
    text = scrape(f);
    assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
    for (char *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char name[96], type[32];
        const char *p = line;
        size_t nl;
        char *end;

        if (strncmp(line, "# HELP ", 7) == 0) {
            assert_int_equal(sscanf(line + 7, "%95s", name), 1);
            assert_true(strncmp(name, "ticsx_hub_", 10) == 0);
            assert_true(strlen(line) > 8 + strlen(name)); /* some text */
            continue;
        }
        if (strncmp(line, "# TYPE ", 7) == 0) {
            assert_int_equal(sscanf(line + 7, "%95s %31s", name, type), 2);
            assert_true(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 ||
                        strcmp(type, "histogram") == 0);
            assert_true(n_declared < 64);
            snprintf(declared[n_declared++], sizeof declared[0], "%s", name);
            if (strcmp(type, "counter") == 0) {
                assert_non_null(strstr(name, "_total"));
            }
            continue;
        }
        assert_true(line[0] != '#');
        while (isalnum((unsigned char)*p) || *p == '_') {
            p++;
        }
        nl = (size_t)(p - line);
        assert_true(nl > 10 && strncmp(line, "ticsx_hub_", 10) == 0);
        family_of(line, nl, family, sizeof family);
        assert_true(n_declared > 0);
        assert_string_equal(declared[n_declared - 1], family);
        if (*p == '{') {
            /* name="value"{,name="value"} */
            p++;
            for (;;) {
                const char *k = p;
                while (islower((unsigned char)*p) || *p == '_') {
                    p++;
                }
                assert_true(p > k && p[0] == '=' && p[1] == '"');
                p += 2;
                while (*p != '"') {
                    assert_true(*p != 0 && *p != '\\' && *p != '\n');
                    p++;
                }
                p++;
                if (*p == ',') {
                    p++;
                    continue;
                }
                assert_true(*p == '}');
                p++;
                break;
            }
        }
        assert_true(*p == ' ');
        errno = 0;
        double v = strtod(p + 1, &end);
        assert_true(end > p + 1 && *end == 0 && errno == 0 && !isnan(v) && v >= 0);
        if (strstr(line, "_bucket{") != NULL) {
            if (strcmp(family, last_family) != 0) {
                last_bucket = -1;
                snprintf(last_family, sizeof last_family, "%s", family);
            }
            assert_true(v >= last_bucket);
            last_bucket = v;
        } else if (nl > 6 && strncmp(line + nl - 6, "_count", 6) == 0) {
            assert_true(v == last_bucket); /* the +Inf bucket just before */
        }
        samples++;
    }
    assert_true(samples >= 20);
    free(text);
}

static void
test_promtool_check(void **state)
{
    fx *f = *state;
    char path[PATH_MAX + 16], cmd[PATH_MAX + 64], out[4096];
    size_t got;
    FILE *p;
    char *text;
    int rc;

    if (system("command -v promtool >/dev/null 2>&1") != 0) {
        skip_msg("promtool is not installed (Debian package prometheus; script/bootstrap "
                 "--tests installs it)");
    }
    given_submits(f);
    text = scrape(f);
    snprintf(path, sizeof path, "%s/scrape.txt", f->root);
    th_write_file(path, text);
    snprintf(cmd, sizeof cmd, "promtool check metrics < '%s' 2>&1", path);
    p = popen(cmd, "r");
    assert_non_null(p);
    got = fread(out, 1, sizeof out - 1, p);
    out[got] = 0;
    rc = pclose(p);
    if (rc != 0) {
        fail_msg("promtool check metrics failed (%d):\n%s\n--- the page:\n%s", rc, out, text);
    }
    free(text);
}

static void
test_health_and_ready(void **state)
{
    fx *f = *state;
    http_resp r;

    http(f->port, "GET", "/healthz", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok\n");
    http_free(&r);
    http(f->port, "GET", "/readyz", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ready\n");
    http_free(&r);
}

static void
test_other_paths_and_methods_refused(void **state)
{
    static const char *const paths[] = {
        "/", "/metrics/", "/Metrics", "/debug/pprof", "/../data.mdb", "/hub.key"};
    static const char *const methods[] = {"POST", "PUT", "DELETE", "HEAD"};
    fx *f = *state;
    http_resp r;

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        http(f->port, "GET", paths[i], &r);
        if (r.status != 404) {
            fail_msg("GET %s: %d, not 404", paths[i], r.status);
        }
        http_free(&r);
    }
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        http(f->port, methods[i], "/metrics", &r);
        if (r.status != 405) {
            fail_msg("%s /metrics: %d, not 405", methods[i], r.status);
        }
        th_expect_text(r.head, "Allow: GET");
        assert_null(strstr(r.body, "ticsx_hub_"));
        http_free(&r);
    }
    /* Still serving after all that. */
    http(f->port, "GET", "/healthz", &r);
    assert_int_equal(r.status, 200);
    http_free(&r);
}

/* No organisation name, fingerprint or key in the page. */
static void
test_no_names_or_keys(void **state)
{
    fx *f = *state;
    char fp[TX_FP_LEN], hex[65];
    char *text;

    given_submits(f);
    text = scrape(f);
    tx_fingerprint(f->buyer->pub.sign, fp);
    tx_hex(hex, f->buyer->pub.sign, 32);
    assert_null(strstr(text, BUYER_NAME));
    assert_null(strstr(text, "Metrics Buyer"));
    assert_null(strstr(text, fp));
    assert_null(strstr(text, "SHA256:"));
    assert_null(strstr(text, hex));
    free(text);
}

/* A stranger's handshake is refused by ZAP and counted, and its connections are not counted
 * once closed. The loop reads the connection events on its next turn, so the page is read
 * again until it shows them (at most 20 s each). */
static void
test_refused_handshake_counted(void **state)
{
    fx *f = *state;
    void *ctx = zmq_ctx_new();
    void *s = th_raw_dealer(&f->hub, ctx, f->stranger, 200);
    double before, now = 0;
    char *text = scrape(f), buf[16];

    before = sample(text, "ticsx_hub_handshakes_total{result=\"refused\"}");
    free(text);
    zmq_send(s, "x", 1, 0);
    zmq_recv(s, buf, sizeof buf, 0); /* never answered: the handshake fails */
    for (int i = 0; i < 200; i++) {
        text = scrape(f);
        now = sample(text, "ticsx_hub_handshakes_total{result=\"refused\"}");
        free(text);
        if (now > before) {
            break;
        }
        usleep(100000);
    }
    assert_true(now > before);
    zmq_close(s);
    zmq_ctx_term(ctx);
    /* Each refused attempt closed its connection: the gauge falls back to the fixture's one
     * client. */
    for (int i = 0; i < 200; i++) {
        text = scrape(f);
        now = sample(text, "ticsx_hub_connections");
        free(text);
        if (now == 1) {
            break;
        }
        usleep(100000);
    }
    assert_true(now == 1);
}

/* Listening TCP sockets of process pid (from /proc/PID/fd and /proc/net/tcp{,6}). */
static int
listening_sockets(pid_t pid)
{
    unsigned long inodes[256];
    size_t n = 0;
    char path[64], link[128], line[512];
    int count = 0;
    struct dirent *e;
    DIR *d;

    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    d = opendir(path);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL && n < 256) {
        char fdpath[384];
        ssize_t len;
        snprintf(fdpath, sizeof fdpath, "%s/%s", path, e->d_name);
        len = readlink(fdpath, link, sizeof link - 1);
        if (len > 0) {
            link[len] = 0;
            if (sscanf(link, "socket:[%lu]", &inodes[n]) == 1) {
                n++;
            }
        }
    }
    closedir(d);
    for (int v6 = 0; v6 < 2; v6++) {
        FILE *fp = fopen(v6 ? "/proc/net/tcp6" : "/proc/net/tcp", "r");
        if (fp == NULL) {
            continue;
        }
        while (fgets(line, sizeof line, fp) != NULL) {
            unsigned st;
            unsigned long inode;
            /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
            if (sscanf(line, " %*s %*s %*s %x %*s %*s %*s %*s %*s %lu", &st, &inode) == 2 &&
                st == 0x0A) {
                for (size_t i = 0; i < n; i++) {
                    count += inodes[i] == inode;
                }
            }
        }
        fclose(fp);
    }
    return count;
}

static void
test_off_by_default(void **state)
{
    fx *f = *state;
    char dir[PATH_MAX + 16];
    th_hub plain;
    char *log;

    /* The fixture's hub listens twice: ZeroMQ and the metrics page. */
    assert_int_equal(listening_sockets(f->hub.pid), 2);
    snprintf(dir, sizeof dir, "%s/plain", f->root);
    th_hub_init(dir);
    th_hub_start(&plain, dir, NULL);
    assert_int_equal(listening_sockets(plain.pid), 1);
    assert_int_equal(th_hub_stop(&plain, SIGTERM), 0);
    log = th_read_file(plain.log);
    assert_null(strstr(log, "metrics on"));
    free(log);
}

static void
test_remote_address_refused(void **state)
{
    fx *f = *state;
    char out[4096];

    assert_int_equal(
        th_run(out, sizeof out, "run", "--data", f->dir, "--metrics", "0.0.0.0:0", NULL), 2);
    th_expect_text(out, "--metrics-allow-remote");
    assert_int_equal(
        th_run(out, sizeof out, "run", "--data", f->dir, "--metrics", "192.0.2.1:9464", NULL), 2);
    th_expect_text(out, "not a loopback address");
    assert_int_equal(th_run(out, sizeof out, "run", "--data", f->dir, "--metrics", "nowhere", NULL),
                     2);
    th_expect_text(out, "ADDRESS:PORT");
    assert_int_equal(
        th_run(out, sizeof out, "run", "--data", f->dir, "--metrics", "127.0.0.1:70000", NULL), 2);
    assert_int_equal(
        th_run(out, sizeof out, "run", "--data", f->dir, "--metrics", "example.org:9464", NULL), 2);
}

/* A second hub asked for the metrics port the fixture's hub holds refuses to start (exit 2)
 * and names the address, instead of serving without its page. */
static void
test_metrics_port_in_use(void **state)
{
    fx *f = *state;
    char dir[PATH_MAX + 16], metrics[64], want[96], out[8192];

    snprintf(dir, sizeof dir, "%s/second", f->root);
    snprintf(metrics, sizeof metrics, "127.0.0.1:%u", f->port);
    th_hub_init(dir);
    assert_int_equal(th_run(out, sizeof out, "run", "--data", dir, "--bind", "tcp://127.0.0.1:*",
                            "--metrics", metrics, NULL),
                     2);
    snprintf(want, sizeof want, "cannot serve metrics on %s", metrics);
    th_expect_text(out, want);
    /* The first one still serves its page. */
    free(scrape(f));
}

/* ---- log formats ---- */

/* Runs a hub with --log-format fmt on its own data directory, an accepted and a refused
 * submit, stops it and returns its log (caller frees). */
static char *
log_of_run(const fx *f, const char *fmt)
{
    char dir[PATH_MAX + 16];
    const char *args[] = {"--log-format", fmt, NULL};
    th_hub_opts o = {.args = args};
    th_hub h;
    tx_conn *c;
    uint8_t *q;
    size_t len;
    char *log;

    if (getenv("TX_TEST_HUB_LOG") != NULL) {
        skip_msg("TX_TEST_HUB_LOG sends the hub's log to stderr; this case reads its log file");
    }
    snprintf(dir, sizeof dir, "%s/log-%s", f->root, fmt);
    th_hub_init(dir);
    assert_int_equal(th_enroll(dir, f->buyer, 1, NULL, 0), 0);
    th_hub_start(&h, dir, &o);
    c = th_connect(&h, f->buyer, TIMEOUT_MS);
    q = th_questionnaire(f->buyer, 2, &len);
    assert_int_equal(th_submit_status(c, q, len, NULL), TX_STATUS_OK);
    q[len - 5] ^= 0x01;
    q[len - 40] ^= 0x01;
    assert_int_not_equal(th_submit_status(c, q, len, NULL), TX_STATUS_OK);
    free(q);
    tx_conn_destroy(&c);
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
    log = th_read_file(h.log);
    /* The same guarantee as the text lines: no key, no name. */
    {
        char hex[65];
        tx_hex(hex, f->buyer->pub.sign, 32);
        assert_null(strstr(log, hex));
        assert_null(strstr(log, BUYER_NAME));
    }
    return log;
}

/* YYYY-MM-DDTHH:MM:SS.mmmZ */
static int
rfc3339_utc(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";

    if (strlen(s) != sizeof shape - 1) {
        return 0;
    }
    for (size_t i = 0; shape[i]; i++) {
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i]) {
            return 0;
        }
    }
    return 1;
}

static int
level_ok(const char *s)
{
    return strcmp(s, "error") == 0 || strcmp(s, "warn") == 0 || strcmp(s, "info") == 0 ||
           strcmp(s, "debug") == 0;
}

static void
test_log_json(void **state)
{
    fx *f = *state;
    char *log = log_of_run(f, "json"), *save = NULL;
    size_t lines = 0, accepted = 0;

    for (char *line = strtok_r(log, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        json_error_t err;
        json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &err);
        json_t *outcome;

        if (o == NULL || !json_is_object(o)) {
            fail_msg("not a JSON object: %s (%s)", line, err.text);
        }
        assert_true(json_is_string(json_object_get(o, "time")));
        assert_true(rfc3339_utc(json_string_value(json_object_get(o, "time"))));
        assert_true(json_is_string(json_object_get(o, "level")));
        assert_true(level_ok(json_string_value(json_object_get(o, "level"))));
        assert_true(json_is_string(json_object_get(o, "msg")));
        outcome = json_object_get(o, "outcome");
        if (outcome != NULL && strcmp(json_string_value(outcome), "accepted") == 0) {
            assert_true(json_is_integer(json_object_get(o, "index")));
            assert_true(json_is_string(json_object_get(o, "id")));
            assert_true(json_is_string(json_object_get(o, "kind")));
            th_expect_text(json_string_value(json_object_get(o, "peer")), "SHA256:");
            accepted++;
        }
        if (outcome != NULL && strcmp(json_string_value(outcome), "refused") == 0) {
            assert_true(json_is_string(json_object_get(o, "status")));
        }
        json_decref(o);
        lines++;
    }
    assert_true(lines >= 4);
    assert_int_equal(accepted, 1);
    free(log);
}

/* Parses one logfmt line (key=value or key="quoted \" value", separated by single spaces)
 * into at most n pairs; returns how many, or -1 when it does not parse. Values are unescaped
 * in place. */
static int
logfmt_parse(char *line, char *keys[], char *vals[], int n)
{
    int count = 0;
    char *p = line;

    while (*p) {
        char *k = p, *v, *w;
        if (count == n) {
            return -1;
        }
        while (islower((unsigned char)*p) || *p == '_') {
            p++;
        }
        if (p == k || *p != '=') {
            return -1;
        }
        *p++ = 0;
        if (*p == '"') {
            v = w = ++p;
            while (*p != '"') {
                if (*p == 0 || (unsigned char)*p < 0x20) {
                    return -1;
                }
                if (*p == '\\') {
                    p++;
                    if (*p != '"' && *p != '\\' && *p != 'n' && *p != 't' && *p != 'r' &&
                        *p != 'x') {
                        return -1;
                    }
                }
                *w++ = *p++;
            }
            p++;
            *w = 0;
        } else {
            v = p;
            while (*p && *p != ' ') {
                if (*p == '"' || *p == '=' || (unsigned char)*p < 0x20) {
                    return -1;
                }
                p++;
            }
        }
        keys[count] = k;
        vals[count] = v;
        count++;
        if (*p == ' ') {
            *p++ = 0;
            if (*p == 0 || *p == ' ') {
                return -1;
            }
        } else if (*p != 0) {
            return -1;
        }
    }
    return count;
}

static void
test_log_logfmt(void **state)
{
    fx *f = *state;
    char *log = log_of_run(f, "logfmt"), *save = NULL;
    size_t lines = 0, refused = 0;

    for (char *line = strtok_r(log, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *keys[32], *vals[32], copy[8192];
        int n;

        snprintf(copy, sizeof copy, "%s", line);
        n = logfmt_parse(line, keys, vals, 32);
        if (n < 3) {
            fail_msg("not logfmt with time, level and msg: %s", copy);
        }
        assert_string_equal(keys[0], "time");
        assert_true(rfc3339_utc(vals[0]));
        assert_string_equal(keys[1], "level");
        assert_true(level_ok(vals[1]));
        assert_string_equal(keys[2], "msg");
        for (int i = 3; i < n; i++) {
            if (strcmp(keys[i], "outcome") == 0 && strcmp(vals[i], "refused") == 0) {
                refused++;
            }
        }
        lines++;
    }
    assert_true(lines >= 4);
    assert_int_equal(refused, 1);
    free(log);
}

/* What tx_log_fields writes for one line in format fmt (stderr captured). Caller frees. */
static char *
log_line(const fx *f, int fmt, const tx_log_field *fields, size_t n, const char *msg)
{
    char path[PATH_MAX + 16];
    int saved = dup(2), fd, old_format = tx_log_format;
    char *text;

    snprintf(path, sizeof path, "%s/line.log", f->root);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0 && saved >= 0);
    fflush(stderr);
    dup2(fd, 2);
    tx_log_format = fmt;
    tx_log_fields(TX_LOG_WARN, fields, n, "%s", msg);
    tx_log_format = old_format;
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    text = th_read_file(path);
    /* One line, ended by its newline. */
    assert_true(strlen(text) > 0 && strchr(text, '\n') == text + strlen(text) - 1);
    text[strlen(text) - 1] = 0;
    return text;
}

/* Quotes, backslashes, newlines, control characters, bytes that are not UTF-8 and Japanese in
 * a message and a field: escaped so that the line parses back to the same text (a bad byte as
 * U+FFFD); a line too long for the buffer is cut and still parses. */
static void
test_log_escapes(void **state)
{
    static const char msg[] = "a \"quoted\" \\ back\nslash\x01 \xff 日本語";
    static const char want[] = "a \"quoted\" \\ back\nslash\x01 \xef\xbf\xbd 日本語";
    fx *f = *state;
    char big[1100], quotes[1100];
    char *keys[16], *vals[16];
    json_t *o;
    char *line;
    int n;

    tx_log_field fields[] = {TX_KV("peer", "SHA256:ab+/c"), TX_KV("why", "two words \"q\" a=b"),
                             TX_KN("index", 9007199254740993ULL)};
    line = log_line(f, TX_LOG_JSON, fields, 3, msg);
    o = json_loads(line, 0, NULL);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "msg")), want);
    assert_string_equal(json_string_value(json_object_get(o, "level")), "warn");
    assert_string_equal(json_string_value(json_object_get(o, "why")), "two words \"q\" a=b");
    assert_true(json_integer_value(json_object_get(o, "index")) == 9007199254740993LL);
    json_decref(o);
    free(line);

    line = log_line(f, TX_LOG_LOGFMT, fields, 3, msg);
    n = logfmt_parse(line, keys, vals, 16);
    assert_int_equal(n, 6);
    assert_string_equal(keys[3], "peer");
    assert_string_equal(vals[3], "SHA256:ab+/c");
    assert_string_equal(vals[4], "two words \"q\" a=b");
    assert_string_equal(vals[5], "9007199254740993");
    free(line);

    /* Escaped, each of these grows six- or twofold: together far past one line. */
    memset(big, 0x01, sizeof big - 1);
    big[sizeof big - 1] = 0;
    memset(quotes, '"', sizeof quotes - 1);
    quotes[sizeof quotes - 1] = 0;
    {
        tx_log_field many[] = {TX_KV("a", quotes), TX_KV("b", quotes), TX_KV("c", quotes),
                               TX_KV("d", quotes), TX_KN("e", 1)};
        line = log_line(f, TX_LOG_JSON, many, 5, big);
        o = json_loads(line, 0, NULL);
        if (o == NULL) {
            fail_msg("a cut JSON line does not parse: %s", line);
        }
        assert_true(json_is_string(json_object_get(o, "msg")));
        json_decref(o);
        free(line);
        line = log_line(f, TX_LOG_LOGFMT, many, 5, big);
        assert_true(logfmt_parse(line, keys, vals, 16) >= 3);
        free(line);
    }
}

static void
test_log_format_unknown_refused(void **state)
{
    fx *f = *state;
    char out[4096];

    assert_int_equal(
        th_run(out, sizeof out, "check", "--data", f->dir, "--log-format", "xml", NULL), 2);
    th_expect_text(out, "--log-format is one of text, logfmt, json");
}

/* The metric of checkpoint.signed until the scrape shows `want` (the loop copies it between
 * rounds); returns the failures counted then. */
static double
signed_failing_until(const fx *f, double want)
{
    for (;;) {
        char *text = scrape(f);
        double failing = sample(text, "ticsx_hub_signed_record_failing");
        double failures = sample(text, "ticsx_hub_signed_record_failures_total");

        free(text);
        if (failing == want) {
            return failures;
        }
        usleep(20000);
    }
}

/* Starts a hub of its own in f (a new root, the buyer enrolled, metrics on a free port, f->cb
 * connected) under the sync shim, with `var` naming ROOT/name (written to path, n bytes) in
 * its environment. False, with no hub started, when hubs run under a wrapper of their own
 * (valgrind): the caller skips. */
static int
shim_hub_start(fx *f, const char *var, const char *name, char *path, size_t n)
{
    char metrics[64];
    const char *args[] = {"--metrics", metrics, NULL};
    th_hub_opts o = {.args = args};

    f->root = th_tmpdir();
    snprintf(f->dir, sizeof f->dir, "%s/hub", f->root);
    snprintf(path, n, "%s/%s", f->root, name);
    th_hub_init(f->dir);
    f->buyer = th_identity(BUYER_NAME);
    assert_int_equal(th_enroll(f->dir, f->buyer, 1, NULL, 0), 0);
    f->port = th_free_port();
    snprintf(metrics, sizeof metrics, "127.0.0.1:%u", f->port);
    assert_int_equal(setenv(var, path, 1), 0);
    if (!fu_signed_shim_on(f->root)) {
        unsetenv(var);
        return 0;
    }
    th_hub_start(&f->hub, f->dir, &o);
    fu_signed_shim_off();
    unsetenv(var);
    f->cb = th_connect(&f->hub, f->buyer, TIMEOUT_MS);
    return 1;
}

/* Stops and removes what shim_hub_start made. */
static void
shim_hub_stop(fx *f)
{
    tx_conn_destroy(&f->cb);
    assert_int_equal(th_hub_stop(&f->hub, SIGTERM), 0);
    tx_identity_destroy(&f->buyer);
    th_rmtree(f->root);
    free(f->root);
}

/* A hub of its own under the shim that fails flushes of checkpoint.signed while a file exists:
 * the gauge says so while records fail and the counter keeps the failures afterwards. */
static void
test_signed_failure_shown(void **state)
{
    fx g = {0}, *f = &g;
    char fail[PATH_MAX + 16];
    uint8_t *q;
    size_t len;

    (void)state;
    if (!shim_hub_start(f, "TX_SHIM_SIGNED_FAIL_WHILE", "disk-fails", fail, sizeof fail)) {
        skip(); /* a wrapper of its own (valgrind) */
    }
    q = th_questionnaire(f->buyer, 2, &len);
    assert_int_equal(th_submit_status(f->cb, q, len, NULL), TX_STATUS_OK);
    free(q);
    assert_true(signed_failing_until(f, 0) == 0);
    th_write_file(fail, "");
    q = th_questionnaire(f->buyer, 3, &len);
    assert_int_not_equal(th_submit_status(f->cb, q, len, NULL), TX_STATUS_OK);
    assert_true(signed_failing_until(f, 1) >= 1);
    unlink(fail);
    assert_true(signed_failing_until(f, 0) >= 1);
    assert_int_equal(th_submit_status(f->cb, q, len, NULL), TX_STATUS_OK);
    free(q);
    shim_hub_stop(f);
}

/* While the batch before commits on the writer, the loop verifies the first submit of each
 * take itself (it would only wait for the writer meanwhile): one submit is held in LMDB's
 * flush (the shim), then a SubmitBatch of two is sent, taken in one take: its first envelope
 * is verified inline, the second on the pool; all answered OK. */
static void
test_inline_while_committing(void **state)
{
    fx g = {0}, *f = &g;
    char hold[PATH_MAX + 16], held[PATH_MAX + 32];
    uint64_t calls[2];
    double before;
    uint8_t *q[4];
    size_t len[4];
    tx_reply_pb *r;
    char *text;

    (void)state;
    if (!shim_hub_start(f, "TX_SHIM_DATA_HOLD_WHILE", "hold-commit", hold, sizeof hold)) {
        skip(); /* a wrapper of its own (valgrind) */
    }
    snprintf(held, sizeof held, "%s.held", hold);
    for (int i = 0; i < 4; i++) {
        q[i] = th_questionnaire(f->buyer, 2 + (uint64_t)i, &len[i]);
    }
    assert_int_equal(th_submit_status(f->cb, q[0], len[0], NULL), TX_STATUS_OK);
    text = scrape(f);
    before = sample(text, "ticsx_hub_submits_verified_inline_total");
    free(text);

    th_write_file(hold, "");
    assert_int_equal(tx_conn_send_submit(f->cb, q[1], len[1], &calls[0]), TX_OK);
    while (access(held, F_OK) != 0) {
        usleep(1000); /* until its commit is held on the writer */
    }
    assert_int_equal(tx_conn_send_batch(f->cb, 2, q + 2, len + 2, &calls[1]), TX_OK);
    /* Time for the loop to take the batch while the first is held (taken after the first's
     * answer, its first envelope would be verified inline anyway: the check would not bite). */
    usleep(300000);
    unlink(hold);
    assert_int_equal(tx_conn_wait(f->cb, calls[0], &r), TX_OK);
    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    tx_free(r);
    assert_int_equal(tx_conn_wait(f->cb, calls[1], &r), TX_OK);
    assert_int_equal(tx_batch_reply_check(r, 2), TX_OK);
    for (size_t i = 0; i < 2; i++) {
        tx_reply_pb view;
        tx_receipt_pb receipt;

        tx_batch_outcome(r, i, &view, &receipt);
        assert_int_equal(view.status, TICSX__V1__STATUS__OK);
    }
    tx_free(r);
    text = scrape(f);
    /* The lone submit and the batch's first envelope. */
    assert_true(sample(text, "ticsx_hub_submits_verified_inline_total") == before + 2);
    free(text);

    for (int i = 0; i < 4; i++) {
        free(q[i]);
    }
    shim_hub_stop(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counters_moved),
        cmocka_unit_test(test_inline_while_committing),
        cmocka_unit_test(test_format_parses),
        cmocka_unit_test(test_promtool_check),
        cmocka_unit_test(test_health_and_ready),
        cmocka_unit_test(test_signed_failure_shown),
        cmocka_unit_test(test_other_paths_and_methods_refused),
        cmocka_unit_test(test_no_names_or_keys),
        cmocka_unit_test(test_refused_handshake_counted),
        cmocka_unit_test(test_off_by_default),
        cmocka_unit_test(test_remote_address_refused),
        cmocka_unit_test(test_metrics_port_in_use),
        cmocka_unit_test(test_log_json),
        cmocka_unit_test(test_log_logfmt),
        cmocka_unit_test(test_log_escapes),
        cmocka_unit_test(test_log_format_unknown_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

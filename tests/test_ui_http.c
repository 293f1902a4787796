/* The HTTP server of `ticsx ui`, attacked over raw TCP: the real ticsx serves a supplier's home
 * (a real hub behind it) and every security rule is broken once on purpose: a foreign Host (DNS
 * rebinding), no cookie, a wrong or reused token, POSTs without the CSRF token or from another
 * origin, oversized bodies, path traversal; the listening address, the headers of every kind of
 * response, no secret key in what the page reads, and an event pushed by the hub's watch. */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tx_util.h"

#define BUYER "Example Motors KK"
#define SUPPLIER "Sample Parts KK"
#define CSP                                                                                        \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src "  \
    "'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/* A running `ticsx ui`. */
typedef struct {
    pid_t pid;
    char out[PATH_MAX + 32], err[PATH_MAX + 32];
    unsigned port;
    char token[65];
    char cookie[65]; /* the session, once the token was used */
    char csrf[65];
} ui_proc;

typedef struct {
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], alone[PATH_MAX];
    ui_proc ui; /* serving the supplier's home, with the hub */
} fixture;

static fixture fx;

/* Generous bounds for a process under valgrind; never a measured assertion. */
static int64_t
patience_ms(void)
{
    const char *w = getenv("TX_TEST_CLIENT_WRAPPER");
    return w != NULL && w[0] != 0 ? 300000 : 60000;
}

/* ---- a tiny HTTP client ---- */

typedef struct {
    int status;
    char *head; /* status line and headers */
    char *body;
    size_t body_len;
} http_resp;

static void
http_free(http_resp *r)
{
    free(r->head);
    free(r->body);
    memset(r, 0, sizeof *r);
}

static int
connect_to(const char *addr, unsigned port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    assert_int_equal(inet_pton(AF_INET, addr, &a.sin_addr), 1);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void
send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return; /* the server may close early (a refused body): read its answer */
        }
        p += n;
        len -= (size_t)n;
    }
}

/* Reads everything until the server closes, then splits the status, headers and body. */
static void
read_resp(int fd, http_resp *r)
{
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap), *sep;

    assert_non_null(buf);
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n;
        assert_int_equal(poll(&p, 1, (int)patience_ms()), 1);
        n = recv(fd, buf + len, cap - len - 1, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
        if (len + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    close(fd);
    buf[len] = 0;
    memset(r, 0, sizeof *r);
    sep = strstr(buf, "\r\n\r\n");
    assert_non_null(sep);
    r->head = strndup(buf, (size_t)(sep - buf) + 2);
    r->body_len = len - (size_t)(sep + 4 - buf);
    r->body = malloc(r->body_len + 1);
    memcpy(r->body, sep + 4, r->body_len);
    r->body[r->body_len] = 0;
    assert_int_equal(sscanf(buf, "HTTP/1.1 %d", &r->status), 1);
    free(buf);
}

/* Sends the raw request text (and body bytes) and reads the answer. */
static void
http_raw(http_resp *r, unsigned port, const char *req, const char *body, size_t body_len)
{
    int fd = connect_to("127.0.0.1", port);

    assert_true(fd >= 0);
    send_all(fd, req, strlen(req));
    if (body != NULL) {
        send_all(fd, body, body_len);
    }
    read_resp(fd, r);
}

/* METHOD path with the right Host, the session cookie (when `cookie`), the extra header lines
 * `extra` ("Name: value\r\n"...) and body (may be NULL). */
static void
http_req(http_resp *r, const ui_proc *u, const char *method, const char *path, int cookie,
         const char *extra, const char *body)
{
    char req[8192];

    snprintf(req, sizeof req,
             "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%s%s%s%sContent-Length: %zu\r\n"
             "Connection: close\r\n\r\n",
             method, path, u->port, cookie ? "Cookie: ticsx_session=" : "", cookie ? u->cookie : "",
             cookie ? "\r\n" : "", extra != NULL ? extra : "", body != NULL ? strlen(body) : 0);
    http_raw(r, u->port, req, body, body != NULL ? strlen(body) : 0);
}

/* A POST as the page makes it: CSRF token and Origin, JSON body. */
static void
http_post_ok(http_resp *r, const ui_proc *u, const char *path, const char *body)
{
    char extra[256];

    snprintf(
        extra, sizeof extra,
        "X-CSRF-Token: %s\r\nOrigin: http://127.0.0.1:%u\r\nContent-Type: application/json\r\n",
        u->csrf, u->port);
    http_req(r, u, "POST", path, 1, extra, body);
}

/* The value of header `name` (case-insensitive), or NULL. Caller frees. */
static char *
header_of(const http_resp *r, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = strstr(r->head, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1, *end = strstr(v, "\r\n");
            while (*v == ' ') {
                v++;
            }
            return strndup(v, end != NULL ? (size_t)(end - v) : strlen(v));
        }
    }
    return NULL;
}

static void
expect_status(const http_resp *r, int status)
{
    if (r->status != status) {
        fail_msg("expected HTTP %d, got:\n%s\n%s", status, r->head, r->body);
    }
}

/* The protective headers every response carries, and a CSP without inline script. */
static void
expect_headers(const http_resp *r)
{
    static const char *const want[][2] = {
        {"Content-Security-Policy", CSP},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"X-Frame-Options", "DENY"},
        {"Cross-Origin-Opener-Policy", "same-origin"},
        {"Cross-Origin-Resource-Policy", "same-origin"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char *v = header_of(r, want[i][0]);
        if (v == NULL || strcmp(v, want[i][1]) != 0) {
            fail_msg("%s: want \"%s\", got \"%s\" in\n%s", want[i][0], want[i][1],
                     v != NULL ? v : "(none)", r->head);
        }
        free(v);
    }
    assert_null(strstr(r->head, "unsafe-inline"));
    assert_null(strstr(r->head, "unsafe-eval"));
}

/* tmpl with "PORT" replaced by the port. */
static void
with_port(char *out, size_t n, const char *tmpl, unsigned port)
{
    const char *at = strstr(tmpl, "PORT");

    if (at == NULL) {
        snprintf(out, n, "%s", tmpl);
    } else {
        snprintf(out, n, "%.*s%u%s", (int)(at - tmpl), tmpl, port, at + 4);
    }
}

/* ---- the server under test ---- */

static pid_t
spawn_ticsx(const th_ticsx_opts *opts, const char *out, const char *err, const char *home, ...)
{
    va_list ap;
    pid_t pid;

    va_start(ap, home);
    pid = th_ticsx_spawn_v(opts, out, err, home, ap);
    va_end(ap);
    return pid;
}

/* Starts `ticsx ui --port 0` on home (with the hub when hub), with the extra environment env
(may be NULL; with it the browser is opened, else --no-browser), and reads its URL. */
static void
ui_start_env(ui_proc *u, const char *home, const char *name, int hub, const char *const *env)
{
    const th_ticsx_opts opts = {.hub = hub ? &fx.w.hub : NULL, .env = env};
    int64_t t0 = th_now_ms();
    char *url = NULL;

    memset(u, 0, sizeof *u);
    snprintf(u->out, sizeof u->out, "%s/%s.out", fx.w.root, name);
    snprintf(u->err, sizeof u->err, "%s/%s.err", fx.w.root, name);
    u->pid = env != NULL ? spawn_ticsx(&opts, u->out, u->err, home, "ui", "--port", "0", NULL)
                         : spawn_ticsx(&opts, u->out, u->err, home, "ui", "--no-browser", "--port",
                                       "0", NULL);
    while (url == NULL) {
        char *text = th_read_file(u->out);
        char *line = strstr(text, "http://127.0.0.1:");
        if (line != NULL && strchr(line, '\n') != NULL) {
            url = strndup(line, (size_t)(strchr(line, '\n') - line));
        }
        free(text);
        if (url == NULL) {
            int status;
            if (waitpid(u->pid, &status, WNOHANG) == u->pid) {
                char *err = th_read_file(u->err);
                fail_msg("ticsx ui stopped before it printed its address: %s", err);
            }
            assert_true(th_now_ms() - t0 < patience_ms());
            usleep(20000);
        }
    }
    assert_int_equal(sscanf(url, "http://127.0.0.1:%u/?token=%64[0-9a-f]", &u->port, u->token), 2);
    assert_int_equal(strlen(u->token), 64);
    free(url);
}

static void
ui_start(ui_proc *u, const char *home, const char *name, int hub)
{
    ui_start_env(u, home, name, hub, NULL);
}

/* Stops it with SIGINT and waits: its wait status, 0 when it exited 0 (or was not running);
 * otherwise *err (caller frees) holds its standard error. */
static int
ui_halt(ui_proc *u, char **err)
{
    int status = 0;

    *err = NULL;
    if (u->pid <= 0) {
        return 0;
    }
    kill(u->pid, SIGINT);
    if (waitpid(u->pid, &status, 0) != u->pid) {
        status = -1;
    }
    u->pid = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        *err = th_read_file(u->err);
        return status != 0 ? status : -1;
    }
    return 0;
}

/* Stops it with SIGINT: asserts a clean exit (0; 99 would be a valgrind error). */
static void
ui_stop(ui_proc *u)
{
    char *err = NULL;
    int status = ui_halt(u, &err);

    if (status != 0) {
        fail_msg("ticsx ui did not stop cleanly (status %d): %s", status, err);
    }
}

/* Uses the token: the 303 sets the session cookie; then reads the CSRF token. */
static void
ui_login(ui_proc *u)
{
    char path[128], *cookie, *loc;
    http_resp r;
    json_t *j;

    snprintf(path, sizeof path, "/?token=%s", u->token);
    http_req(&r, u, "GET", path, 0, NULL, NULL);
    expect_status(&r, 303);
    expect_headers(&r);
    loc = header_of(&r, "Location");
    assert_string_equal(loc, "/");
    cookie = header_of(&r, "Set-Cookie");
    assert_non_null(cookie);
    assert_int_equal(sscanf(cookie, "ticsx_session=%64[0-9a-f];", u->cookie), 1);
    free(cookie);
    free(loc);
    http_free(&r);

    http_req(&r, u, "GET", "/api/session", 1, NULL, NULL);
    expect_status(&r, 200);
    j = th_parse_json(r.body);
    snprintf(u->csrf, sizeof u->csrf, "%s", json_string_value(json_object_get(j, "csrf")));
    assert_int_equal(strlen(u->csrf), 64);
    json_decref(j);
    http_free(&r);
}

static int
setup(void **state)
{
    (void)state;
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.buyer, "buyer", BUYER, NULL);
    th_world_party(&fx.w, fx.sup, "sup", SUPPLIER, NULL);
    th_party(NULL, th_world_home(&fx.w, fx.alone, "alone"), "Small Shop KK", NULL);
    th_world_start(&fx.w);
    ui_start(&fx.ui, fx.sup, "ui-sup", 1);
    ui_login(&fx.ui);
    return 0;
}

static int
teardown(void **state)
{
    char *err = NULL;
    int status;
    (void)state;

    /* The world ends (its hub stopped) before a dirty stop of ticsx ui fails the group. */
    status = ui_halt(&fx.ui, &err);
    th_world_end(&fx.w);
    if (status != 0) {
        fail_msg("ticsx ui did not stop cleanly (status %d): %s", status, err);
    }
    return 0;
}

/* ---- the cases ---- */

static void
test_wrong_host_refused(void **state)
{
    static const char *const hosts[] = {
        "evil.example", "evil.example:PORT",           "localhost:PORT", "127.0.0.1",
        "127.0.0.1:1",  "127.0.0.1:PORT.evil.example", "[::1]:PORT"};
    char req[512], host[64];
    http_resp r;
    (void)state;

    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        with_port(host, sizeof host, hosts[i], fx.ui.port);
        snprintf(req, sizeof req,
                 "GET /api/session HTTP/1.1\r\nHost: %s\r\nCookie: ticsx_session=%s\r\n"
                 "Connection: close\r\n\r\n",
                 host, fx.ui.cookie);
        http_raw(&r, fx.ui.port, req, NULL, 0);
        expect_status(&r, 403);
        expect_headers(&r);
        assert_null(strstr(r.body, fx.ui.csrf));
        http_free(&r);
    }
    /* Control: the same request with the right Host is answered. */
    http_req(&r, &fx.ui, "GET", "/api/session", 1, NULL, NULL);
    expect_status(&r, 200);
    http_free(&r);
}

static void
test_no_cookie_refused(void **state)
{
    static const char *const paths[] = {"/api/session", "/api/events", "/assets/index.html",
                                        "/api/inbox"};
    http_resp r;
    (void)state;

    http_req(&r, &fx.ui, "GET", "/", 0, NULL, NULL);
    expect_status(&r, 401);
    expect_headers(&r);
    th_expect_text(r.body,
                   "ticsx ui が表示したアドレスを開いてください。アドレスは一度だけ有効です。");
    th_expect_text(r.body, "Open the address ticsx ui printed; it is valid once");
    assert_null(strstr(r.body, "<script"));
    assert_null(strstr(r.body, "style="));
    http_free(&r);
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        http_req(&r, &fx.ui, "GET", paths[i], 0, NULL, NULL);
        expect_status(&r, 401);
        expect_headers(&r);
        th_expect_text(r.body, "\"error\"");
        http_free(&r);
    }
    /* A forged cookie is no better. */
    http_req(&r, &fx.ui, "GET", "/api/session", 0,
             "Cookie: ticsx_session="
             "0000000000000000000000000000000000000000000000000000000000000000\r\n",
             NULL);
    expect_status(&r, 401);
    http_free(&r);
}

/* On a fresh server of a home without a hub: a wrong token sets no cookie and does not use up
 * the real one; the real one works once; the second time it is refused. */
static void
test_token_once(void **state)
{
    ui_proc u;
    char path[128], wrong[65];
    http_resp r;
    (void)state;

    ui_start(&u, fx.alone, "ui-alone", 0);
    snprintf(wrong, sizeof wrong, "%s", u.token);
    wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
    snprintf(path, sizeof path, "/?token=%s", wrong);
    http_req(&r, &u, "GET", path, 0, NULL, NULL);
    expect_status(&r, 401);
    expect_headers(&r);
    assert_null(header_of(&r, "Set-Cookie"));
    http_free(&r);
    http_req(&r, &u, "GET", "/?token=", 0, NULL, NULL);
    expect_status(&r, 401);
    assert_null(header_of(&r, "Set-Cookie"));
    http_free(&r);

    ui_login(&u);
    snprintf(path, sizeof path, "/?token=%s", u.token);
    http_req(&r, &u, "GET", path, 0, NULL, NULL);
    expect_status(&r, 401);
    assert_null(header_of(&r, "Set-Cookie"));
    http_free(&r);
    /* Opened again in the browser holding the session: back to the page, no new cookie. */
    http_req(&r, &u, "GET", path, 1, NULL, NULL);
    expect_status(&r, 303);
    assert_null(header_of(&r, "Set-Cookie"));
    http_free(&r);

    /* The session works; without a hub the page is told so. */
    http_req(&r, &u, "GET", "/api/session", 1, NULL, NULL);
    expect_status(&r, 200);
    th_expect_text(r.body, "\"configured\":false");
    th_expect_text(r.body, "Small Shop KK");
    http_free(&r);
    ui_stop(&u);
}

static void
test_cookie_flags(void **state)
{
    ui_proc u;
    char path[128], *cookie;
    http_resp r;
    (void)state;

    ui_start(&u, fx.alone, "ui-cookie", 0);
    snprintf(path, sizeof path, "/?token=%s", u.token);
    http_req(&r, &u, "GET", path, 0, NULL, NULL);
    expect_status(&r, 303);
    cookie = header_of(&r, "Set-Cookie");
    assert_non_null(cookie);
    th_expect_text(cookie, "; HttpOnly");
    th_expect_text(cookie, "; SameSite=Strict");
    th_expect_text(cookie, "; Path=/");
    assert_null(strstr(cookie, u.token)); /* the cookie is not the token */
    free(cookie);
    http_free(&r);
    ui_stop(&u);
}

static void
test_post_without_csrf_refused(void **state)
{
    char extra[512];
    http_resp r;
    (void)state;

    /* No CSRF token, right origin. */
    snprintf(extra, sizeof extra, "Origin: http://127.0.0.1:%u\r\n", fx.ui.port);
    http_req(&r, &fx.ui, "POST", "/api/drafts", 1, extra, "{}");
    expect_status(&r, 403);
    expect_headers(&r);
    http_free(&r);
    /* A wrong one: the right token with its last digit changed. */
    snprintf(extra, sizeof extra, "Origin: http://127.0.0.1:%u\r\nX-CSRF-Token: %.63s%c\r\n",
             fx.ui.port, fx.ui.csrf, fx.ui.csrf[63] == '0' ? '1' : '0');
    http_req(&r, &fx.ui, "POST", "/api/drafts", 1, extra, "{}");
    expect_status(&r, 403);
    http_free(&r);
    /* The session cookie as the CSRF token. */
    snprintf(extra, sizeof extra, "Origin: http://127.0.0.1:%u\r\nX-CSRF-Token: %s\r\n", fx.ui.port,
             fx.ui.cookie);
    http_req(&r, &fx.ui, "POST", "/api/drafts", 1, extra, "{}");
    expect_status(&r, 403);
    http_free(&r);
}

static void
test_post_from_another_origin_refused(void **state)
{
    static const char *const origins[] = {
        "http://evil.example",   "null",
        "http://localhost:PORT", "https://127.0.0.1:PORT",
        "http://127.0.0.1:1",    "http://127.0.0.1:PORT.evil.example"};
    char extra[512], origin[128];
    http_resp r;
    (void)state;

    for (size_t i = 0; i < sizeof origins / sizeof origins[0]; i++) {
        with_port(origin, sizeof origin, origins[i], fx.ui.port);
        snprintf(extra, sizeof extra, "X-CSRF-Token: %s\r\nOrigin: %s\r\n", fx.ui.csrf, origin);
        http_req(&r, &fx.ui, "POST", "/api/drafts", 1, extra, "{}");
        expect_status(&r, 403);
        expect_headers(&r);
        http_free(&r);
    }
    /* No Origin: only Sec-Fetch-Site: same-origin passes. */
    snprintf(extra, sizeof extra, "X-CSRF-Token: %s\r\nSec-Fetch-Site: cross-site\r\n", fx.ui.csrf);
    http_req(&r, &fx.ui, "POST", "/api/drafts", 1, extra, "{}");
    expect_status(&r, 403);
    http_free(&r);
    snprintf(extra, sizeof extra, "X-CSRF-Token: %s\r\nSec-Fetch-Site: same-site\r\n", fx.ui.csrf);
    http_req(&r, &fx.ui, "POST", "/api/drafts", 1, extra, "{}");
    expect_status(&r, 403);
    http_free(&r);
    snprintf(extra, sizeof extra, "X-CSRF-Token: %s\r\n", fx.ui.csrf);
    http_req(&r, &fx.ui, "POST", "/api/drafts", 1, extra, "{}");
    expect_status(&r, 403);
    http_free(&r);
    /* Control: the page's own POST passes the checks (whatever the handler then says). */
    snprintf(extra, sizeof extra, "X-CSRF-Token: %s\r\nSec-Fetch-Site: same-origin\r\n",
             fx.ui.csrf);
    http_req(&r, &fx.ui, "POST", "/api/drafts/delete", 1, extra, "{}");
    assert_int_not_equal(r.status, 403);
    assert_int_not_equal(r.status, 401);
    http_free(&r);
    http_post_ok(&r, &fx.ui, "/api/drafts/delete", "{}");
    assert_int_not_equal(r.status, 403);
    http_free(&r);
}

static void
test_cross_site_read_refused(void **state)
{
    static const char *const sites[] = {"cross-site", "same-site"};
    char extra[128];
    http_resp r;
    (void)state;

    /* A page elsewhere (another port of 127.0.0.1 is the same site) reading data with the
     * user's cookie: refused before anything is read. */
    for (size_t i = 0; i < sizeof sites / sizeof sites[0]; i++) {
        snprintf(extra, sizeof extra, "Sec-Fetch-Site: %s\r\n", sites[i]);
        http_req(&r, &fx.ui, "GET", "/api/session", 1, extra, NULL);
        expect_status(&r, 403);
        expect_headers(&r);
        assert_null(strstr(r.body, "csrf"));
        http_free(&r);
        http_req(&r, &fx.ui, "GET", "/api/drafts", 1, extra, NULL);
        expect_status(&r, 403);
        http_free(&r);
    }
    /* Control: the page's own reads, and a browser that sends no Sec-Fetch-Site. */
    http_req(&r, &fx.ui, "GET", "/api/session", 1, "Sec-Fetch-Site: same-origin\r\n", NULL);
    expect_status(&r, 200);
    http_free(&r);
    http_req(&r, &fx.ui, "GET", "/api/session", 1, NULL, NULL);
    expect_status(&r, 200);
    http_free(&r);
}

static void
test_methods(void **state)
{
    http_resp r;
    (void)state;

    /* Only GET and POST. */
    static const char *const methods[] = {"PUT", "DELETE", "PATCH", "OPTIONS"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        http_req(&r, &fx.ui, methods[i], "/api/session", 1, NULL, NULL);
        expect_status(&r, 405);
        expect_headers(&r);
        http_free(&r);
    }
    /* A read with POST, a page with POST. */
    http_post_ok(&r, &fx.ui, "/api/session", "{}");
    expect_status(&r, 405);
    http_free(&r);
    http_post_ok(&r, &fx.ui, "/", "{}");
    expect_status(&r, 405);
    http_free(&r);
    /* A change asked for with GET (a link or an image on another page would do that). */
    static const char *const posts[] = {"/api/fetch", "/api/answer", "/api/score", "/api/grant",
                                        "/api/revoke"};
    for (size_t i = 0; i < sizeof posts / sizeof posts[0]; i++) {
        http_req(&r, &fx.ui, "GET", posts[i], 1, NULL, NULL);
        expect_status(&r, 405);
        expect_headers(&r);
        th_expect_text(r.body, "\"error\"");
        http_free(&r);
    }
}

/* What passes the checks reaches the handlers: a POST's body, a GET's query, a download. */
static void
test_handlers_reached(void **state)
{
    http_resp r;
    char *cd;
    json_t *j;
    (void)state;

    http_post_ok(&r, &fx.ui, "/api/score",
                 "{\"questionnaire\": \"tics-selfcheck\", \"answers\": []}");
    expect_status(&r, 200);
    expect_headers(&r);
    j = th_parse_json(r.body);
    assert_true(json_is_array(json_object_get(j, "areas")));
    json_decref(j);
    http_free(&r);

    http_req(&r, &fx.ui, "GET", "/api/dashboard?limit=7&q=no%20such%20name", 1, NULL, NULL);
    expect_status(&r, 200);
    j = th_parse_json(r.body);
    assert_int_equal(json_integer_value(json_object_get(j, "limit")), 7);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
    json_decref(j);
    http_free(&r);

    http_req(&r, &fx.ui, "GET", "/api/export?format=csv&lang=en", 1, NULL, NULL);
    expect_status(&r, 200);
    expect_headers(&r);
    cd = header_of(&r, "Content-Disposition");
    assert_non_null(cd);
    th_expect_text(cd, "attachment; filename=\"ticsx-report-");
    th_expect_text(cd, ".csv\"; filename*=UTF-8''ticsx-report-");
    free(cd);
    http_free(&r);
}

static void
test_body_limits(void **state)
{
    char req[1024];
    http_resp r;
    (void)state;

    /* Announced past 4 MiB: refused before any of it is read. */
    snprintf(req, sizeof req,
             "POST /api/drafts HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nCookie: ticsx_session=%s\r\n"
             "X-CSRF-Token: %s\r\nOrigin: http://127.0.0.1:%u\r\nContent-Length: %u\r\n"
             "Connection: close\r\n\r\n",
             fx.ui.port, fx.ui.cookie, fx.ui.csrf, fx.ui.port, 4u * 1024 * 1024 + 1);
    http_raw(&r, fx.ui.port, req, "{", 1);
    expect_status(&r, 413);
    expect_headers(&r);
    http_free(&r);

    /* Chunked, without a length, growing past 4 MiB. */
    {
        size_t chunk = 64 * 1024, total = 0;
        char *data = malloc(chunk);
        char line[32];
        int fd = connect_to("127.0.0.1", fx.ui.port);
        assert_true(fd >= 0);
        memset(data, ' ', chunk);
        snprintf(req, sizeof req,
                 "POST /api/drafts HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nCookie: ticsx_session=%s\r\n"
                 "X-CSRF-Token: %s\r\nOrigin: http://127.0.0.1:%u\r\n"
                 "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                 fx.ui.port, fx.ui.cookie, fx.ui.csrf, fx.ui.port);
        send_all(fd, req, strlen(req));
        while (total <= 4u * 1024 * 1024) {
            snprintf(line, sizeof line, "%zx\r\n", chunk);
            send_all(fd, line, strlen(line));
            send_all(fd, data, chunk);
            send_all(fd, "\r\n", 2);
            total += chunk;
        }
        send_all(fd, "0\r\n\r\n", 5);
        free(data);
        read_resp(fd, &r);
        expect_status(&r, 413);
        http_free(&r);
    }

    /* A chunked body without end: the server stops reading and closes the connection. */
    {
        size_t chunk = 256 * 1024, total = 0;
        char *data = malloc(chunk), line[32], buf[4096];
        int fd = connect_to("127.0.0.1", fx.ui.port), closed = 0;
        assert_true(fd >= 0);
        memset(data, ' ', chunk);
        snprintf(req, sizeof req,
                 "POST /api/drafts HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nCookie: ticsx_session=%s\r\n"
                 "X-CSRF-Token: %s\r\nOrigin: http://127.0.0.1:%u\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n",
                 fx.ui.port, fx.ui.cookie, fx.ui.csrf, fx.ui.port);
        assert_true(send(fd, req, strlen(req), MSG_NOSIGNAL) > 0);
        while (!closed && total < 256u * 1024 * 1024) {
            snprintf(line, sizeof line, "%zx\r\n", chunk);
            closed = send(fd, line, strlen(line), MSG_NOSIGNAL) < 0 ||
                     send(fd, data, chunk, MSG_NOSIGNAL) < 0 ||
                     send(fd, "\r\n", 2, MSG_NOSIGNAL) < 0;
            total += chunk;
        }
        free(data);
        assert_true(closed); /* well before 256 MiB */
        while (recv(fd, buf, sizeof buf, 0) > 0) {
        }
        close(fd);
        print_message("closed after %zu MiB\n", total >> 20);
        http_req(&r, &fx.ui, "GET", "/api/session", 1, NULL, NULL);
        expect_status(&r, 200); /* and still serving */
        http_free(&r);
    }

    /* Not JSON, not an object. */
    http_post_ok(&r, &fx.ui, "/api/drafts", "{\"id\": ");
    expect_status(&r, 400);
    expect_headers(&r);
    th_expect_text(r.body, "\"error\"");
    http_free(&r);
    http_post_ok(&r, &fx.ui, "/api/drafts", "[1, 2]");
    expect_status(&r, 400);
    http_free(&r);
    http_post_ok(&r, &fx.ui, "/api/drafts", "");
    expect_status(&r, 400);
    http_free(&r);
}

static void
test_csp_on_every_kind(void **state)
{
    http_resp r;
    char *type;
    (void)state;

    http_req(&r, &fx.ui, "GET", "/", 1, NULL, NULL); /* HTML */
    expect_status(&r, 200);
    expect_headers(&r);
    type = header_of(&r, "Content-Type");
    th_expect_text(type, "text/html");
    free(type);
    type = header_of(&r, "Cache-Control");
    assert_string_equal(type, "no-store");
    free(type);
    http_free(&r);

    http_req(&r, &fx.ui, "GET", "/assets/index.html", 1, NULL, NULL); /* an asset */
    expect_status(&r, 200);
    expect_headers(&r);
    type = header_of(&r, "Cache-Control");
    th_expect_text(type, "private");
    free(type);
    http_free(&r);

    http_req(&r, &fx.ui, "GET", "/api/session", 1, NULL, NULL); /* the API */
    expect_status(&r, 200);
    expect_headers(&r);
    type = header_of(&r, "Content-Type");
    th_expect_text(type, "application/json");
    free(type);
    type = header_of(&r, "Cache-Control");
    assert_string_equal(type, "no-store");
    free(type);
    http_free(&r);

    http_req(&r, &fx.ui, "GET", "/api/no-such-call", 1, NULL, NULL); /* errors */
    expect_status(&r, 404);
    expect_headers(&r);
    http_free(&r);
    http_req(&r, &fx.ui, "GET", "/nothing-here", 1, NULL, NULL);
    expect_status(&r, 404);
    expect_headers(&r);
    http_free(&r);
}

static void
test_path_traversal_refused(void **state)
{
    static const char *const paths[] = {
        "/assets/../identity.key",
        "/assets/%2e%2e/identity.key",
        "/assets/%2E%2E%2Fidentity.key",
        "/assets/..%2fidentity.key",
        "/assets//etc/passwd",
        "/assets/%2fetc%2fpasswd",
        "/assets/",
        "/assets/index.html%00.js",
        "/../identity.key",
        "/identity.key",
    };
    http_resp r;
    (void)state;

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        http_req(&r, &fx.ui, "GET", paths[i], 1, NULL, NULL);
        if (r.status != 404) {
            fail_msg("%s: expected 404, got %d", paths[i], r.status);
        }
        expect_headers(&r);
        assert_null(strstr(r.body, "untrusted comment"));
        http_free(&r);
    }
}

/* The page's language: the lang cookie, else the first of Accept-Language, else the default
 * (--lang; here LANG=C: English). */
static void
test_language(void **state)
{
    static const struct {
        const char *cookie, *accept, *lang; /* cookie: the lang cookie's value or NULL */
    } cases[] = {
        {NULL, NULL, "en"},  {NULL, "ja-JP,ja;q=0.9,en;q=0.8", "ja"},
        {NULL, "ja", "ja"},  {NULL, "en-US,ja;q=0.9", "en"},
        {NULL, "jam", "en"}, {"ja", "en", "ja"},
        {"en", "ja", "en"},  {"fr", "ja", "ja"},
    };
    char extra[512], want[32];
    http_resp r;
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = snprintf(extra, sizeof extra, "Cookie: ticsx_session=%s%s%s\r\n", fx.ui.cookie,
                         cases[i].cookie != NULL ? "; lang=" : "",
                         cases[i].cookie != NULL ? cases[i].cookie : "");
        if (cases[i].accept != NULL) {
            snprintf(extra + n, sizeof extra - (size_t)n, "Accept-Language: %s\r\n",
                     cases[i].accept);
        }
        http_req(&r, &fx.ui, "GET", "/api/session", 0, extra, NULL);
        expect_status(&r, 200);
        snprintf(want, sizeof want, "\"lang\":\"%s\"", cases[i].lang);
        if (strstr(r.body, want) == NULL) {
            fail_msg("case %zu: want %s in %s", i, want, r.body);
        }
        http_free(&r);
    }
}

/* The local addresses of the sockets listening on port in a /proc/net/tcp* table. */
static size_t
listening_on(const char *table, unsigned port, char addrs[][64], size_t max)
{
    FILE *f = fopen(table, "r");
    char line[512], port_hex[8];
    size_t n = 0;

    if (f == NULL) {
        return 0;
    }
    snprintf(port_hex, sizeof port_hex, ":%04X", port);
    while (fgets(line, sizeof line, f) != NULL) {
        char local[64], st[8];
        size_t len;
        if (sscanf(line, " %*d: %63s %*s %7s", local, st) != 2 || strcmp(st, "0A") != 0) {
            continue;
        }
        len = strlen(local);
        if (len > 5 && strcmp(local + len - 5, port_hex) == 0 && n < max) {
            snprintf(addrs[n++], 64, "%s", local);
        }
    }
    fclose(f);
    return n;
}

/* The listening socket is 127.0.0.1's only: /proc/net/tcp shows it bound there and nothing
 * listens on the port over IPv6; connections to other addresses of this machine fail. */
static void
test_bound_to_loopback_only(void **state)
{
    char addrs[4][64], want[32];
    struct ifaddrs *ifs = NULL;
    int fd;
    (void)state;

    assert_int_equal(listening_on("/proc/net/tcp", fx.ui.port, addrs, 4), 1);
    snprintf(want, sizeof want, "0100007F:%04X", fx.ui.port);
    assert_string_equal(addrs[0], want);
    assert_int_equal(listening_on("/proc/net/tcp6", fx.ui.port, addrs, 4), 0);

    /* Every other IPv4 address of this machine (when it has one) refuses the connection. */
    assert_int_equal(getifaddrs(&ifs), 0);
    for (struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next) {
        char addr[INET_ADDRSTRLEN];
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET) {
            continue;
        }
        inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, addr, sizeof addr);
        if (strncmp(addr, "127.", 4) == 0) {
            continue;
        }
        if ((fd = connect_to(addr, fx.ui.port)) >= 0) {
            close(fd);
            fail_msg("ticsx ui accepted a connection on %s:%u", addr, fx.ui.port);
        }
        print_message("refused on %s:%u\n", addr, fx.ui.port);
    }
    freeifaddrs(ifs);
    /* 127.0.0.2 is loopback too, but not the bound address. */
    if ((fd = connect_to("127.0.0.2", fx.ui.port)) >= 0) {
        close(fd);
        fail_msg("ticsx ui accepted a connection on 127.0.0.2");
    }
}

/* The port taken: a second ui on it stops with exit 2 and says what to do. */
static void
test_port_in_use(void **state)
{
    char port[16];
    th_result r;
    (void)state;

    snprintf(port, sizeof port, "%u", fx.ui.port);
    th_ticsx(&r, NULL, fx.alone, "ui", "--no-browser", "--port", port, NULL);
    th_expect_status(&r, 2);
    char want[128];
    snprintf(want, sizeof want, "ui: port %u is in use: choose another with --port or leave it out",
             fx.ui.port);
    th_expect_text(r.err, want);
    th_result_free(&r);
    th_ticsx(&r, NULL, fx.alone, "ui", "--port", "70000", NULL);
    th_expect_status(&r, 2);
    th_result_free(&r);
    th_ticsx(&r, NULL, fx.alone, "ui", "--lang", "fr", NULL);
    th_expect_status(&r, 2);
    th_result_free(&r);
}

/* An open event stream: reads until `needle` arrives; returns everything read (caller frees). */
typedef struct {
    int fd;
    char *buf;
    size_t len, cap;
} sse;

static void
sse_open(sse *s, const ui_proc *u)
{
    char req[512];

    memset(s, 0, sizeof *s);
    s->fd = connect_to("127.0.0.1", u->port);
    assert_true(s->fd >= 0);
    snprintf(req, sizeof req,
             "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nCookie: ticsx_session=%s\r\n"
             "Accept: text/event-stream\r\n\r\n",
             u->port, u->cookie);
    send_all(s->fd, req, strlen(req));
    s->cap = 65536;
    s->buf = calloc(1, s->cap);
}

static void
sse_wait(sse *s, const char *needle)
{
    int64_t t0 = th_now_ms();

    while (strstr(s->buf, needle) == NULL) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        ssize_t n;
        if (th_now_ms() - t0 > patience_ms()) {
            fail_msg("no \"%s\" on the event stream; it holds:\n%s", needle, s->buf);
        }
        if (poll(&p, 1, 1000) != 1) {
            continue;
        }
        if (s->len + 4096 >= s->cap) {
            s->cap *= 2;
            s->buf = realloc(s->buf, s->cap);
        }
        n = recv(s->fd, s->buf + s->len, s->cap - s->len - 1, 0);
        if (n <= 0) {
            fail_msg("the event stream ended; it held:\n%s", s->buf);
        }
        s->len += (size_t)n;
        s->buf[s->len] = 0;
    }
}

static void
sse_close(sse *s)
{
    close(s->fd);
    free(s->buf);
}

/* The secret key file's bytes in every form the page could be handed them. */
static void
expect_no_secret(const char *home, const char *text, const char *public_hex)
{
    char path[PATH_MAX + 16], *file, *b64, *end, hex[2 * 1024 + 1];
    uint8_t raw[1024];
    size_t len = 0;

    snprintf(path, sizeof path, "%s/identity.key", home);
    file = th_read_file(path);
    /* The file's own bytes, as hex. */
    assert_true(strlen(file) < 1024);
    tx_hex(hex, (const uint8_t *)file, strlen(file));
    assert_null(strstr(text, hex));
    /* Its key line (base64), whole and decoded into hex, and every 16 bytes of it that are not
     * part of the public key the page may see. */
    b64 = strchr(file, '\n');
    assert_non_null(b64);
    b64++;
    end = strchr(b64, '\n');
    if (end != NULL) {
        *end = 0;
    }
    assert_true(strlen(b64) > 40);
    assert_null(strstr(text, b64));
    assert_int_equal(tx_unb64(raw, sizeof raw, &len, b64, strlen(b64)), 0);
    tx_hex(hex, raw, len);
    assert_null(strstr(text, hex));
    for (size_t i = 0; i + 16 <= len; i++) {
        char part[33];
        tx_hex(part, raw + i, 16);
        if (strstr(public_hex, part) == NULL) {
            assert_null(strstr(text, part));
        }
    }
    free(file);
}

static void
test_no_secret_key_in_responses(void **state)
{
    http_resp r;
    sse s;
    json_t *j;
    char key[65];
    (void)state;

    http_req(&r, &fx.ui, "GET", "/api/session", 1, NULL, NULL);
    expect_status(&r, 200);
    j = th_parse_json(r.body);
    snprintf(key, sizeof key, "%s",
             json_string_value(json_object_get(json_object_get(j, "org"), "key")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "org"), "name")),
                        SUPPLIER);
    json_decref(j);
    expect_no_secret(fx.sup, r.body, key);
    expect_no_secret(fx.sup, r.head, key);
    http_free(&r);

    sse_open(&s, &fx.ui);
    sse_wait(&s, "event: hub");
    expect_no_secret(fx.sup, s.buf, key);
    sse_close(&s);
}

/* A buyer's request through the real hub reaches the open page as an `inbox` event. */
static void
test_event_stream_gets_request(void **state)
{
    char id[65], want[128];
    sse s;
    (void)state;

    sse_open(&s, &fx.ui);
    th_expect_text(s.buf, ""); /* opened */
    sse_wait(&s, "\r\n\r\n");
    th_expect_text(s.buf, "HTTP/1.1 200");
    th_expect_text(s.buf, "text/event-stream");
    th_expect_text(s.buf, "Content-Security-Policy: " CSP);
    sse_wait(&s, "\"state\":\"connected\""); /* the watcher is subscribed */

    th_ticsx_id(id, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                SUPPLIER, NULL);
    sse_wait(&s, "event: inbox");
    snprintf(want, sizeof want, "\"id\":\"%s\"", id);
    sse_wait(&s, want);
    th_expect_text(s.buf, "\"kind\":\"request\"");
    th_expect_text(s.buf, BUYER);
    sse_close(&s);
}

/* The browser is $BROWSER started directly with the address as its one argument; a BROWSER
 * holding shell syntax is not run through a shell: no such program, so the address is only
 * printed. */
static void
test_browser_started_without_shell(void **state)
{
    char script[PATH_MAX + 32], args[PATH_MAX + 32], pwned[PATH_MAX + 32], text[PATH_MAX * 4];
    char env1[PATH_MAX + 64], env2[PATH_MAX * 3], url[160], *got, *out;
    const char *e1[] = {env1, NULL}, *e2[] = {env2, NULL};
    ui_proc u;
    (void)state;

    snprintf(script, sizeof script, "%s/fake-browser", fx.w.root);
    snprintf(args, sizeof args, "%s/browser.args", fx.w.root);
    snprintf(pwned, sizeof pwned, "%s/pwned", fx.w.root);
    snprintf(text, sizeof text,
             "#!/bin/sh\nprintf '%%s\\n' \"$#\" \"$1\" > '%s.tmp'\nmv '%s.tmp' '%s'\n", args, args,
             args);
    th_write_file(script, text);
    assert_int_equal(chmod(script, 0700), 0);
    snprintf(env1, sizeof env1, "BROWSER=%s", script);
    ui_start_env(&u, fx.alone, "ui-browser", 0, e1);
    for (int64_t t0 = th_now_ms(); access(args, R_OK) != 0;) {
        assert_true(th_now_ms() - t0 < patience_ms());
        usleep(20000);
    }
    got = th_read_file(args);
    snprintf(url, sizeof url, "1\nhttp://127.0.0.1:%u/?token=%s\n", u.port, u.token);
    assert_string_equal(got, url);
    free(got);
    ui_stop(&u);

    snprintf(env2, sizeof env2, "BROWSER=%s; touch %s", script, pwned);
    unlink(args);
    ui_start_env(&u, fx.alone, "ui-browser-shell", 0, e2);
    for (int64_t t0 = th_now_ms();;) {
        out = th_read_file(u.out);
        if (strstr(out, "No browser could be started") != NULL) {
            break;
        }
        free(out);
        assert_true(th_now_ms() - t0 < patience_ms());
        usleep(20000);
    }
    free(out);
    ui_stop(&u);
    assert_int_not_equal(access(pwned, F_OK), 0);
    assert_int_not_equal(access(args, F_OK), 0);
}

/* A supplier's answer grants it to the buyer: the buyer's open page gets the grant as `inbox`,
 * then `model` once the server fetched it, and the dashboard shows the supplier. */
static void
test_event_stream_gets_grant_and_model(void **state)
{
    char id[65], path[PATH_MAX + 32];
    ui_proc b;
    http_resp r;
    th_result res;
    json_t *j, *arr;
    sse s;
    (void)state;

    ui_start(&b, fx.buyer, "ui-buyer", 1);
    ui_login(&b);
    sse_open(&s, &b);
    sse_wait(&s, "\"state\":\"connected\"");

    th_ticsx_id(id, &fx.w.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                SUPPLIER, NULL);
    snprintf(path, sizeof path, "%s/answers-grant.json", fx.w.root);
    th_ticsx(&res, &fx.w.hub, fx.sup, "questionnaire", "template", id, "--format", "json", "--out",
             path, NULL);
    th_expect_status(&res, 0);
    th_result_free(&res);
    char *text = th_read_file(path);
    j = th_parse_json(text);
    free(text);
    arr = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer", json_string("yes"));
    }
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    th_ticsx(&res, &fx.w.hub, fx.sup, "answer", id, "--file", path, NULL);
    th_expect_status(&res, 0);
    th_result_free(&res);

    sse_wait(&s, "\"kind\":\"grant\"");
    sse_wait(&s, "event: model");
    sse_wait(&s, "\"suppliers\":1");
    sse_close(&s);

    http_req(&r, &b, "GET", "/api/dashboard", 1, NULL, NULL);
    expect_status(&r, 200);
    th_expect_text(r.body, SUPPLIER);
    th_expect_text(r.body, "\"verified\"");
    http_free(&r);
    ui_stop(&b);
}

/* A hub that will not serve this home (it is not enrolled) is reported to the page as
 * unreachable, with the reason; the server goes on serving. */
static void
test_hub_state_reported(void **state)
{
    ui_proc u;
    http_resp r;
    sse s;
    (void)state;

    ui_start(&u, fx.alone, "ui-stranger", 1);
    ui_login(&u);
    sse_open(&s, &u);
    sse_wait(&s, "\"state\":\"unreachable\"");
    sse_close(&s);
    http_req(&r, &u, "GET", "/api/session", 1, NULL, NULL);
    expect_status(&r, 200);
    th_expect_text(r.body, "\"configured\":true");
    http_free(&r);
    ui_stop(&u);
}

/* Pages cannot hold every thread: past the open streams allowed, one more is refused (503)
 * while other requests are still answered; a closed page frees its place. */
static void
test_stream_limit(void **state)
{
    enum { MAX = 16 }; /* TX_UI_STREAMS_MAX */
    sse s[MAX + 1];
    ui_proc u;
    http_resp r;
    (void)state;

    ui_start(&u, fx.alone, "ui-streams", 0);
    ui_login(&u);
    for (int i = 0; i < MAX; i++) {
        sse_open(&s[i], &u);
        sse_wait(&s[i], "event: hub");
    }
    http_req(&r, &u, "GET", "/api/events", 1, NULL, NULL);
    expect_status(&r, 503);
    expect_headers(&r);
    http_free(&r);
    http_req(&r, &u, "GET", "/api/session", 1, NULL, NULL);
    expect_status(&r, 200);
    http_free(&r);
    /* One page goes away: a new stream gets its place (once the server noticed). */
    sse_close(&s[0]);
    for (int64_t t0 = th_now_ms();;) {
        sse_open(&s[MAX], &u);
        sse_wait(&s[MAX], "\r\n\r\n");
        if (strstr(s[MAX].buf, "HTTP/1.1 200") != NULL) {
            break;
        }
        sse_close(&s[MAX]);
        assert_true(th_now_ms() - t0 < patience_ms());
        usleep(100000);
    }
    sse_wait(&s[MAX], "event: hub");
    for (int i = 1; i <= MAX; i++) {
        sse_close(&s[i]);
    }
    ui_stop(&u); /* with streams just closed: still a clean stop */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrong_host_refused),
        cmocka_unit_test(test_no_cookie_refused),
        cmocka_unit_test(test_token_once),
        cmocka_unit_test(test_cookie_flags),
        cmocka_unit_test(test_post_without_csrf_refused),
        cmocka_unit_test(test_post_from_another_origin_refused),
        cmocka_unit_test(test_cross_site_read_refused),
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_handlers_reached),
        cmocka_unit_test(test_body_limits),
        cmocka_unit_test(test_csp_on_every_kind),
        cmocka_unit_test(test_path_traversal_refused),
        cmocka_unit_test(test_language),
        cmocka_unit_test(test_bound_to_loopback_only),
        cmocka_unit_test(test_port_in_use),
        cmocka_unit_test(test_browser_started_without_shell),
        cmocka_unit_test(test_no_secret_key_in_responses),
        cmocka_unit_test(test_event_stream_gets_request),
        cmocka_unit_test(test_event_stream_gets_grant_and_model),
        cmocka_unit_test(test_hub_state_reported),
        cmocka_unit_test(test_stream_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

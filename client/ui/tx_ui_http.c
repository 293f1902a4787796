/* The UI's HTTP server (libmicrohttpd) on 127.0.0.1: every request is checked before anything
 * else (the Host against DNS rebinding, the session cookie the one-time token became, for a POST
 * the CSRF token, the origin and the body's size), then answered from the embedded assets, the
 * session and event stream here, or the API handlers through tx_ui_dispatch. Every response
 * carries a strict Content-Security-Policy and the other protective headers. */
#include "tx_ui_server.h"

#include "tx_ui_assets.h"
#include "tx_ui_http.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_keys.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_render_doc.h"
#include "tx_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONNECTIONS_MAX 64    /* open connections at once; one thread each */
#define CONNECTION_TIMEOUT 60 /* seconds a connection may sit idle (streams send every 15 s) */
#define SECRET_HEX 65         /* 32 random bytes as hex, NUL */
#define QUERY_MAX 4096
#define DROP_MAX (16u * 1024 * 1024) /* the most of a too large chunked body read to answer 413 */
#define STREAM_POLL_MS 1000 /* how often an idle event stream looks whether its page is gone */

static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src "
                          "'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
                          "form-action 'self'; frame-ancestors 'none'";

/* The answers to a browser without the session, in both languages since nothing says which
 * its reader wants; the texts are the catalogue's (made once, at start). */
#define NO_SESSION_HTML                                                                            \
    "<!doctype html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">"                            \
    "<meta name=\"viewport\" content=\"width=device-width\"><title>ticsx ui</title></head>\n"      \
    "<body><main><h1>ticsx ui</h1>\n<p lang=\"ja\">%s</p>\n<p lang=\"en\">%s</p>\n"                \
    "</main></body></html>\n"
static const char no_session_text[] = N_("Open the address ticsx ui printed; it is valid once. "
                                         "For a new one, stop ticsx ui (ctrl-c) and start it "
                                         "again.");
static const char wrong_host_line[] =
    N_("403: ticsx ui answers only at the address it printed (http://127.0.0.1:PORT/).");

struct tx_ui_server {
    tx_ui_app *app;
    struct MHD_Daemon *d;
    unsigned port;
    int ja;
    char host[32];   /* "127.0.0.1:PORT" */
    char origin[40]; /* "http://127.0.0.1:PORT" */
    char version[32];
    pthread_mutex_t mu;     /* guards the token and the session */
    char token[SECRET_HEX]; /* "" once used */
    int has_session;
    char session[SECRET_HEX];
    char csrf[SECRET_HEX];
    char no_session_page[1024]; /* no_session_html with its texts */
    char wrong_host_text[512];  /* wrong_host_line in Japanese and English */
};

/* What a request collects between the calls of the access handler (a POST: its body). */
typedef struct {
    char *body;
    size_t len;
    int too_large;
    size_t dropped; /* bytes of a too large body read and dropped */
    int get;
} post_ctx;

static void
random_hex(char out[SECRET_HEX])
{
    uint8_t b[32];

    randombytes_buf(b, sizeof b);
    tx_hex(out, b, sizeof b);
    sodium_memzero(b, sizeof b);
}

/* True when a (any length) equals the 64-hex secret, in time independent of where they differ. */
static int
secret_equal(const char *a, const char *secret)
{
    return a != NULL && secret[0] != 0 && strlen(a) == SECRET_HEX - 1 &&
           sodium_memcmp(a, secret, SECRET_HEX - 1) == 0;
}

static int
hex_digit(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* ---- responses ---- */

static enum MHD_Result
send_resp(struct MHD_Connection *c, unsigned status, struct MHD_Response *r, int cacheable)
{
    enum MHD_Result ret;

    if (r == NULL) {
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    MHD_add_response_header(r, "Cache-Control", cacheable ? "private, max-age=3600" : "no-store");
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Sends static bytes. */
static enum MHD_Result
send_static(struct MHD_Connection *c, unsigned status, const char *type, const void *data,
            size_t len, int cacheable)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_PERSISTENT);

    if (r != NULL) {
        MHD_add_response_header(r, "Content-Type", type);
    }
    return send_resp(c, status, r, cacheable);
}

/* Sends root (taken) as the JSON body. */
static enum MHD_Result
send_json(struct MHD_Connection *c, unsigned status, json_t *root)
{
    char *text = root != NULL ? json_dumps(root, JSON_COMPACT) : NULL;
    struct MHD_Response *r;

    json_decref(root);
    if (text == NULL) {
        return MHD_NO;
    }
    r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    return send_resp(c, status, r, 0);
}

/* The error document of docs/ui-api.md. */
static enum MHD_Result
send_error(struct MHD_Connection *c, unsigned status, const char *code, const char *message)
{
    return send_json(c, status,
                     json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message));
}

static const char *
type_of(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".json", "application/json; charset=utf-8"},
        {".png", "image/png"},
        {".woff2", "font/woff2"},
    };
    size_t n = strlen(name);

    for (size_t i = 0; i < TX_ARRAY_LEN(types); i++) {
        size_t e = strlen(types[i].ext);
        if (n > e && strcmp(name + n - e, types[i].ext) == 0) {
            return types[i].type;
        }
    }
    return "application/octet-stream";
}

/* The embedded asset called name (looked up, never opened: no path reaches the disk). */
static enum MHD_Result
send_asset(struct MHD_Connection *c, const char *name, int cacheable)
{
    for (size_t i = 0; i < tx_ui_n_assets; i++) {
        if (strcmp(tx_ui_assets[i].name, name) == 0) {
            return send_static(c, MHD_HTTP_OK, type_of(name), tx_ui_assets[i].data,
                               tx_ui_assets[i].len, cacheable);
        }
    }
    return send_error(c, MHD_HTTP_NOT_FOUND, "not_found", "no such page");
}

/* Content-Disposition for a download: an ASCII fallback and the RFC 5987 UTF-8 name. */
static void
disposition(char *out, size_t n, const char *filename)
{
    static const char hexd[] = "0123456789ABCDEF";
    char plain[128], enc[3 * 128 + 1];
    size_t p = 0, e = 0;

    for (const unsigned char *s = (const unsigned char *)filename; *s != 0; s++) {
        int safe = (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
                   (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '_';
        if (p + 1 < sizeof plain) {
            plain[p++] = safe ? (char)*s : '_';
        }
        if (e + 4 > sizeof enc) {
            continue;
        }
        if (safe) {
            enc[e++] = (char)*s;
        } else {
            enc[e++] = '%';
            enc[e++] = hexd[*s >> 4];
            enc[e++] = hexd[*s & 15];
        }
    }
    plain[p] = 0;
    enc[e] = 0;
    snprintf(out, n, "attachment; filename=\"%s\"; filename*=UTF-8''%s", plain, enc);
}

/* A handler's response (taken: cleared here). */
static enum MHD_Result
send_handler(struct MHD_Connection *c, tx_ui_resp *rs)
{
    unsigned status = rs->status != 0 ? (unsigned)rs->status : MHD_HTTP_OK;
    struct MHD_Response *r;
    char cd[600];

    if (rs->json != NULL) {
        json_t *j = rs->json;
        enum MHD_Result ret;
        rs->json = NULL;
        if (rs->filename[0] == 0) {
            tx_ui_resp_clear(rs);
            return send_json(c, status, j);
        }
        /* a JSON download */
        rs->body = json_dumps(j, JSON_INDENT(2));
        rs->len = rs->body != NULL ? strlen(rs->body) : 0;
        rs->type = "application/json; charset=utf-8";
        json_decref(j);
        if (rs->body == NULL) {
            ret = send_error(c, 500, "nomem", "out of memory");
            tx_ui_resp_clear(rs);
            return ret;
        }
    }
    r = MHD_create_response_from_buffer(rs->len, rs->body != NULL ? rs->body : (void *)"",
                                        rs->body != NULL ? MHD_RESPMEM_MUST_FREE
                                                         : MHD_RESPMEM_PERSISTENT);
    if (r == NULL) {
        tx_ui_resp_clear(rs);
        return MHD_NO;
    }
    rs->body = NULL; /* the response owns it now */
    MHD_add_response_header(r, "Content-Type",
                            rs->type != NULL ? rs->type : "application/octet-stream");
    if (rs->filename[0] != 0) {
        disposition(cd, sizeof cd, rs->filename);
        MHD_add_response_header(r, "Content-Disposition", cd);
    }
    tx_ui_resp_clear(rs);
    return send_resp(c, status, r, 0);
}

/* ---- the request's context ---- */

static const char *
header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* The page's language: the lang cookie, else the first of Accept-Language, else the default. */
static int
request_ja(struct MHD_Connection *c, int dflt)
{
    const char *lang = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "lang");
    const char *al = header(c, "Accept-Language");

    if (lang != NULL && (strcmp(lang, "ja") == 0 || strcmp(lang, "en") == 0)) {
        return strcmp(lang, "ja") == 0;
    }
    if (al != NULL) {
        while (*al == ' ' || *al == '\t') {
            al++;
        }
        if (*al != 0 && *al != ',' && *al != ';' && *al != '*') {
            return strncasecmp(al, "ja", 2) == 0 &&
                   (al[2] == 0 || al[2] == '-' || al[2] == ',' || al[2] == ';');
        }
    }
    return dflt;
}

typedef struct {
    char *out;
    size_t len, cap;
    int overflow;
} query_buf;

static void
query_put(query_buf *q, const char *s)
{
    static const char hexd[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)s; *p != 0; p++) {
        int safe = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                   (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_' || *p == '~';
        if (q->len + 4 >= q->cap) {
            q->overflow = 1;
            return;
        }
        if (safe) {
            q->out[q->len++] = (char)*p;
        } else {
            q->out[q->len++] = '%';
            q->out[q->len++] = hexd[*p >> 4];
            q->out[q->len++] = hexd[*p & 15];
        }
    }
    q->out[q->len] = 0;
}

static void
query_char(query_buf *q, char ch)
{
    if (q->len + 2 >= q->cap) {
        q->overflow = 1;
        return;
    }
    q->out[q->len++] = ch;
    q->out[q->len] = 0;
}

static enum MHD_Result
query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    query_buf *q = cls;
    (void)kind;

    if (q->len > 0) {
        query_char(q, '&');
    }
    query_put(q, key);
    if (value != NULL) {
        query_char(q, '=');
        query_put(q, value);
    }
    return q->overflow ? MHD_NO : MHD_YES;
}

/* path?query into target (QUERY_MAX + path), the query encoded again from MHD's parsed
 * arguments so the handlers decode it with tx_ui_arg. -1 when too long. */
static int
make_target(struct MHD_Connection *c, const char *url, char *target, size_t n)
{
    size_t ulen = strlen(url);
    query_buf q;

    if (ulen + 2 >= n) {
        return -1;
    }
    memcpy(target, url, ulen);
    target[ulen] = '?';
    target[ulen + 1] = 0;
    q = (query_buf){.out = target + ulen + 1, .cap = n - ulen - 1};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_arg, &q);
    if (q.overflow) {
        return -1;
    }
    if (q.len == 0) {
        target[ulen] = 0;
    }
    return 0;
}

/* ---- the server's own routes ---- */

/* The session: the organisation this home acts for ("you" on every page), in a member's home
 * the person and what its role may do (tx_ui_who_json), the CSRF token, the language, the hub.
 * A member's role the hub cannot be asked for is "role": null and the page offers no action. */
static enum MHD_Result
send_session(tx_ui_server *s, struct MHD_Connection *c, int ja)
{
    tx_ui_app *app = s->app;
    char fp[TX_FP_LEN], kid[17], key[2 * TX_KEY_LEN + 1], today[16];
    char csrf[SECRET_HEX];
    json_t *hub, *who, *doc;
    tx_ui_who w;

    pthread_mutex_lock(&app->lock);
    if (tx_ui_who_get(app, &w) != TX_OK && !w.is_member) {
        /* No organisation's profile readable: the home's own key, as before members. */
        tx_orgs_own_profile(tx_client_home(app->client), tx_client_id(app->client), w.org_name,
                            sizeof w.org_name, w.corp, sizeof w.corp);
        memcpy(w.org, tx_client_id(app->client)->pub.sign, TX_KEY_LEN);
    }
    who = tx_ui_who_json(&w);
    if (w.is_member && w.role == 0) {
        json_object_set_new(who, "member_problem", json_string(tx_fail_msg()));
    }
    tx_fail_clear();
    tx_fingerprint(w.org, fp);
    tx_key_id_hex(w.org, kid);
    tx_hex(key, w.org, TX_KEY_LEN);
    hub = json_pack("{s:b,s:s}", "configured", app->has_hub, "endpoint",
                    tx_client_endpoint(app->client));
    pthread_mutex_unlock(&app->lock);
    pthread_mutex_lock(&s->mu);
    memcpy(csrf, s->csrf, sizeof csrf);
    pthread_mutex_unlock(&s->mu);
    tx_format_date(today, sizeof today, tx_now());
    doc = json_pack("{s:{s:s,s:s,s:s,s:s,s:s},s:s,s:s,s:o,s:s,s:s}", "org", "name", w.org_name,
                    "corporate_number", w.corp, "fingerprint", fp, "key_id", kid, "key", key,
                    "csrf", csrf, "lang", ja ? "ja" : "en", "hub", hub, "version", s->version,
                    "today", today);
    json_object_update(doc, who);
    json_decref(who);
    return send_json(c, MHD_HTTP_OK, doc);
}

/* An open event stream and the socket of its page. */
typedef struct {
    tx_ui_stream *st;
    int fd;
} stream_ctx;

/* True once the page closed its end (a reload, a closed tab): its thread and slot are freed at
 * once rather than at the next keep-alive. */
static int
peer_gone(int fd)
{
    char c;
    ssize_t n;

    if (fd < 0) {
        return 0;
    }
    n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream_ctx *sc = cls;
    (void)pos;

    for (;;) { /* this connection's own thread: waiting here holds up nobody else */
        ssize_t n = tx_ui_stream_read(sc->st, buf, max, STREAM_POLL_MS);
        if (n < 0) {
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        if (n > 0) {
            return n;
        }
        if (peer_gone(sc->fd)) {
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
    }
}

static void
stream_free(void *cls)
{
    stream_ctx *sc = cls;

    tx_ui_stream_close(sc->st);
    free(sc);
}

static enum MHD_Result
send_events(tx_ui_server *s, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    stream_ctx *sc = calloc(1, sizeof *sc);
    struct MHD_Response *r;
    int rc;

    if (sc == NULL) {
        return MHD_NO;
    }
    sc->fd = ci != NULL ? ci->connect_fd : -1;
    if ((rc = tx_ui_stream_open(s->app->events, &sc->st)) != TX_OK) {
        free(sc);
        return send_error(c, tx_ui_status_of(rc), tx_ui_code_name(rc), tx_fail_msg());
    }
    r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, sc, stream_free);
    if (r == NULL) {
        stream_free(sc);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/event-stream; charset=utf-8");
    return send_resp(c, MHD_HTTP_OK, r, 0);
}

/* 303 to the page (the token leaves the address bar), setting cookie when not NULL. */
static enum MHD_Result
redirect_home(struct MHD_Connection *c, const char *cookie)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);

    if (r == NULL) {
        return MHD_NO;
    }
    if (cookie != NULL) {
        MHD_add_response_header(r, "Set-Cookie", cookie);
    }
    MHD_add_response_header(r, "Location", "/");
    return send_resp(c, MHD_HTTP_SEE_OTHER, r, 0);
}

/* GET /?token=T: the one-time token becomes the session cookie, once. */
static enum MHD_Result
take_token(tx_ui_server *s, struct MHD_Connection *c, const char *token)
{
    char cookie[128];
    enum MHD_Result ret;
    int ok;

    pthread_mutex_lock(&s->mu);
    ok = secret_equal(token, s->token);
    if (ok) {
        sodium_memzero(s->token, sizeof s->token); /* valid once */
        random_hex(s->session);
        random_hex(s->csrf);
        s->has_session = 1;
        snprintf(cookie, sizeof cookie, "ticsx_session=%s; HttpOnly; SameSite=Strict; Path=/",
                 s->session);
    }
    pthread_mutex_unlock(&s->mu);
    if (!ok) {
        return send_static(c, MHD_HTTP_UNAUTHORIZED, "text/html; charset=utf-8", s->no_session_page,
                           strlen(s->no_session_page), 0);
    }
    ret = redirect_home(c, cookie);
    sodium_memzero(cookie, sizeof cookie);
    return ret;
}

static int
has_session(tx_ui_server *s, struct MHD_Connection *c)
{
    const char *v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "ticsx_session");
    int ok;

    pthread_mutex_lock(&s->mu);
    ok = s->has_session && secret_equal(v, s->session);
    pthread_mutex_unlock(&s->mu);
    return ok;
}

/* A POST must carry the session's CSRF token and come from the page itself. */
static int
same_origin_with_csrf(tx_ui_server *s, struct MHD_Connection *c)
{
    const char *origin = header(c, "Origin");
    const char *site = header(c, "Sec-Fetch-Site");
    int ok;

    pthread_mutex_lock(&s->mu);
    ok = secret_equal(header(c, "X-CSRF-Token"), s->csrf);
    pthread_mutex_unlock(&s->mu);
    if (origin != NULL) {
        return ok && strcmp(origin, s->origin) == 0;
    }
    return ok && site != NULL && strcmp(site, "same-origin") == 0;
}

/* Routes a checked request; body is the POST's parsed object (borrowed) or NULL. */
static enum MHD_Result
route(tx_ui_server *s, struct MHD_Connection *c, const char *url, const char *method, json_t *body)
{
    int get = strcmp(method, "GET") == 0;
    int ja = request_ja(c, s->ja);
    char target[QUERY_MAX + 600];
    tx_ui_resp rs;

    if (strcmp(url, "/api/session") == 0 || strcmp(url, "/api/events") == 0) {
        if (!get) {
            return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method", "method not allowed");
        }
        return url[5] == 's' ? send_session(s, c, ja) : send_events(s, c);
    }
    if (strncmp(url, "/api/", 5) == 0) {
        if (make_target(c, url, target, sizeof target) != 0) {
            return send_error(c, MHD_HTTP_URI_TOO_LONG, "too_large", "the address is too long");
        }
        tx_ui_dispatch(s->app, method, target, body, ja, &rs);
        return send_handler(c, &rs);
    }
    if (strcmp(url, "/") == 0 || strncmp(url, "/assets/", 8) == 0) {
        if (!get) {
            return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method", "method not allowed");
        }
        return url[1] == 0 ? send_asset(c, "index.html", 0) : send_asset(c, url + 8, 1);
    }
    return send_error(c, MHD_HTTP_NOT_FOUND, "not_found", "no such page");
}

/* The first call for a request: every check, before any of its body is read. Returns 1 and
 * *ret when it answered, 0 when the request may go on. */
static int
check_request(tx_ui_server *s, struct MHD_Connection *c, const char *url, const char *method,
              enum MHD_Result *ret)
{
    const char *host = header(c, "Host");
    const char *token;
    int api = strncmp(url, "/api/", 5) == 0 || strncmp(url, "/assets/", 8) == 0;
    const char *cl, *site;

    if (host == NULL || strcmp(host, s->host) != 0) {
        *ret = send_static(c, MHD_HTTP_FORBIDDEN, "text/plain; charset=utf-8", s->wrong_host_text,
                           strlen(s->wrong_host_text), 0);
        return 1;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0) {
        *ret = send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method", "only GET and POST are served");
        return 1;
    }
    token = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
    if (strcmp(method, "GET") == 0 && strcmp(url, "/") == 0 && token != NULL) {
        /* The printed address opened again in the browser that holds the session: to the page,
         * with no new cookie. Anyone else is refused. */
        *ret = has_session(s, c) ? redirect_home(c, NULL) : take_token(s, c, token);
        return 1;
    }
    if (!has_session(s, c)) {
        *ret = api ? send_error(c, MHD_HTTP_UNAUTHORIZED, "unauthorized",
                                "no session: open the address ticsx ui printed (valid once)")
                   : send_static(c, MHD_HTTP_UNAUTHORIZED, "text/html; charset=utf-8",
                                 s->no_session_page, strlen(s->no_session_page), 0);
        return 1;
    }
    site = header(c, "Sec-Fetch-Site");
    if (strncmp(url, "/api/", 5) == 0 && site != NULL &&
        (strcmp(site, "cross-site") == 0 || strcmp(site, "same-site") == 0)) {
        /* Another site, or another port of this machine (the same site to a browser), asking
         * for data with the user's cookie: the browser would not hand it the answer, but it is
         * not answered at all. */
        *ret = send_error(c, MHD_HTTP_FORBIDDEN, "forbidden",
                          "refused: only the page itself may read this");
        return 1;
    }
    cl = header(c, "Content-Length");
    if (strcmp(method, "POST") != 0) {
        if ((cl != NULL && strcmp(cl, "0") != 0) || header(c, "Transfer-Encoding") != NULL) {
            *ret = send_error(c, MHD_HTTP_BAD_REQUEST, "malformed", "a GET carries no body");
            return 1;
        }
        return 0;
    }
    if (!same_origin_with_csrf(s, c)) {
        *ret = send_error(c, MHD_HTTP_FORBIDDEN, "forbidden",
                          "refused: a change must come from the page itself, with its CSRF "
                          "token; reload the page");
        return 1;
    }
    if (cl != NULL) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(cl, &end, 10);
        if (errno != 0 || end == cl || v > TX_UI_BODY_MAX) {
            *ret = send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
                              "the request body is larger than 4 MiB");
            return 1;
        }
    }
    return 0;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    tx_ui_server *s = cls;
    post_ctx *p = *con_cls;
    enum MHD_Result ret;
    json_t *body;
    json_error_t jerr;
    (void)version;

    if (p == NULL) {
        if (check_request(s, c, url, method, &ret)) {
            return ret;
        }
        if ((p = calloc(1, sizeof *p)) == NULL) {
            return MHD_NO;
        }
        p->get = strcmp(method, "GET") == 0;
        *con_cls = p;
        return MHD_YES; /* answered on the next call, once the request is read: keeps it alive */
    }
    if (p->get) {
        *upload_data_size = 0; /* a GET's body, if any, is ignored */
        return route(s, c, url, method, NULL);
    }
    if (*upload_data_size > 0) { /* a piece of the POST's body */
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (p->too_large || p->len + n > TX_UI_BODY_MAX) {
            /* A chunked body past the limit: the rest is dropped to answer 413, but not without
             * end: past DROP_MAX the connection is closed. */
            p->too_large = 1;
            p->dropped += n + p->len;
            free(p->body);
            p->body = NULL;
            p->len = 0;
            return p->dropped > DROP_MAX ? MHD_NO : MHD_YES;
        }
        char *grown = realloc(p->body, p->len + n + 1);
        if (grown == NULL) {
            return MHD_NO;
        }
        memcpy(grown + p->len, upload_data, n);
        p->body = grown;
        p->len += n;
        return MHD_YES;
    }
    if (p->too_large) {
        return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
                          "the request body is larger than 4 MiB");
    }
    body = p->len > 0 ? json_loadb(p->body, p->len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (!json_is_object(body)) {
        json_decref(body);
        return send_error(c, MHD_HTTP_BAD_REQUEST, "malformed",
                          "the request body must be a JSON object");
    }
    ret = route(s, c, url, method, body);
    json_decref(body);
    return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    post_ctx *p = *con_cls;
    (void)cls;
    (void)c;
    (void)toe;

    if (p != NULL) {
        free(p->body);
        free(p);
        *con_cls = NULL;
    }
}

/* Percent-decodes the path and the query's names and values in place, as libmicrohttpd would,
 * except that %00 stays as it is: a NUL must not cut "index.html%00.js" down to a known name. */
static size_t
unescape(void *cls, struct MHD_Connection *c, char *s)
{
    char *w = s;
    (void)cls;
    (void)c;

    for (const char *r = s; *r != 0; r++) {
        int hi, lo;
        if (*r == '%' && (hi = hex_digit(r[1])) >= 0 && (lo = hex_digit(r[2])) >= 0 &&
            (hi | lo) != 0) {
            *w++ = (char)(hi * 16 + lo);
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = 0;
    return (size_t)(w - s);
}

/* ---- the daemon ---- */

static int
listen_loopback(unsigned port, int *fd_out, unsigned *bound)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    socklen_t alen = sizeof a;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0) {
        return tx_fail(TX_ERR_NET, "ui: cannot make a socket: %s", strerror(errno));
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        int e = errno;
        close(fd);
        if (e == EADDRINUSE) {
            return tx_fail(TX_ERR_USAGE,
                           "ui: port %u is in use: choose another with --port or leave it out",
                           port);
        }
        if (e == EACCES) {
            return tx_fail(TX_ERR_USAGE, "ui: port %u is not allowed: choose one above 1023", port);
        }
        return tx_fail(TX_ERR_NET, "ui: cannot listen on 127.0.0.1:%u: %s", port, strerror(e));
    }
    if (listen(fd, 32) != 0 || getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
        int e = errno;
        close(fd);
        return tx_fail(TX_ERR_NET, "ui: cannot listen on 127.0.0.1:%u: %s", port, strerror(e));
    }
    *fd_out = fd;
    *bound = ntohs(a.sin_port);
    return TX_OK;
}

int
tx_ui_server_start(tx_ui_app *app, unsigned port, const char *token, int ja, const char *version,
                   tx_ui_server **out)
{
    tx_ui_server *s;
    int fd = -1, rc;

    *out = NULL;
    if (port > 65535) {
        return tx_fail(TX_ERR_USAGE, "ui: --port %u: give 1 to 65535, or 0 for any", port);
    }
    if (sodium_init() < 0) {
        return tx_fail(TX_ERR_CRYPTO, "ui: libsodium did not start");
    }
    if ((s = calloc(1, sizeof *s)) == NULL) {
        return tx_fail(TX_ERR_NOMEM, "out of memory");
    }
    if ((rc = listen_loopback(port, &fd, &s->port)) != TX_OK) {
        free(s);
        return rc;
    }
    s->app = app;
    s->ja = ja;
    snprintf(s->host, sizeof s->host, "127.0.0.1:%u", s->port);
    snprintf(s->origin, sizeof s->origin, "http://127.0.0.1:%u", s->port);
    snprintf(s->version, sizeof s->version, "%s", version);
    snprintf(s->token, sizeof s->token, "%s", token);
    snprintf(s->no_session_page, sizeof s->no_session_page, NO_SESSION_HTML,
             tx_render_tr(no_session_text, 1), no_session_text);
    snprintf(s->wrong_host_text, sizeof s->wrong_host_text, "%s\n%s\n", wrong_host_line,
             tx_render_tr(wrong_host_line, 1));
    pthread_mutex_init(&s->mu, NULL);
    s->d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL,
        NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)CONNECTIONS_MAX, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_UNESCAPE_CALLBACK,
        unescape, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (s->d == NULL) {
        close(fd);
        pthread_mutex_destroy(&s->mu);
        sodium_memzero(s, sizeof *s);
        free(s);
        return tx_fail(TX_ERR_NET, "ui: the HTTP server did not start on 127.0.0.1");
    }
    *out = s;
    return TX_OK;
}

unsigned
tx_ui_server_port(const tx_ui_server *s)
{
    return s->port;
}

void
tx_ui_server_stop(tx_ui_server **s_p)
{
    tx_ui_server *s = *s_p;

    if (s == NULL) {
        return;
    }
    tx_ui_events_shutdown(s->app->events); /* streams end, so their threads can be joined */
    MHD_stop_daemon(s->d);
    pthread_mutex_destroy(&s->mu);
    sodium_memzero(s, sizeof *s);
    free(s);
    *s_p = NULL;
}

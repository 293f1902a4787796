/* The UI's shared state and its one dispatcher: every API call, from the HTTP server or a test,
 * is looked up in the route tables and run with the lock held; a failing handler's tx_err code
 * and message become the error document. */
#include "tx_ui_app.h"
#include "tx_ui_http.h"

#include "tx_error.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <stdlib.h>
#include <string.h>

int
tx_ui_app_open(const tx_client_opts *opts, tx_ui_app **out)
{
    tx_ui_app *app = calloc(1, sizeof *app);
    const char *key = opts->hub_key != NULL ? opts->hub_key : getenv("TICSX_HUB_KEY");
    int rc;

    *out = NULL;
    if (app == NULL) {
        return tx_fail(TX_ERR_NOMEM, "out of memory");
    }
    if ((rc = tx_client_open(opts, &app->client)) != TX_OK) {
        free(app);
        return rc;
    }
    pthread_mutex_init(&app->lock, NULL);
    app->opts = *opts;
    app->has_hub = key != NULL && key[0] != 0;
    *out = app;
    return TX_OK;
}

void
tx_ui_app_close(tx_ui_app **app_p)
{
    tx_ui_app *app = *app_p;

    if (app == NULL) {
        return;
    }
    tx_ui_model_free(app);
    tx_client_destroy(&app->client);
    pthread_mutex_destroy(&app->lock);
    free(app);
    *app_p = NULL;
}

int
tx_ui_need_hub(const tx_ui_app *app, const char *what)
{
    if (app->has_hub) {
        return TX_OK;
    }
    return tx_fail(TX_ERR_USAGE,
                   "%s needs a hub, and this home has none configured (start ticsx ui with "
                   "--hub and --hub-key, or set TICSX_HUB and TICSX_HUB_KEY); drafts and the "
                   "self-check work without one and stay saved in this home",
                   what);
}

static const struct {
    int status;
    const char *name;
} codes[TX_ERR_COUNT_] = {
    [TX_OK] = {200, "ok"},
    [TX_ERR_USAGE] = {400, "usage"},
    [TX_ERR_IO] = {500, "io"},
    [TX_ERR_NOMEM] = {500, "nomem"},
    [TX_ERR_PERM] = {500, "perm"},
    [TX_ERR_EXISTS] = {409, "exists"},
    [TX_ERR_NOT_FOUND] = {404, "not_found"},
    [TX_ERR_TOO_LARGE] = {413, "too_large"},
    [TX_ERR_TRUNCATED] = {400, "truncated"},
    [TX_ERR_MALFORMED] = {400, "malformed"},
    [TX_ERR_WRONG_TYPE] = {400, "wrong_type"},
    [TX_ERR_BAD_UTF8] = {400, "bad_utf8"},
    [TX_ERR_BAD_KEY] = {422, "bad_key"},
    [TX_ERR_CHECKSUM] = {422, "checksum"},
    [TX_ERR_BAD_SIGNATURE] = {422, "bad_signature"},
    [TX_ERR_WRONG_KEY] = {422, "wrong_key"},
    [TX_ERR_DECRYPT] = {422, "decrypt"},
    [TX_ERR_NOT_ENROLLED] = {409, "not_enrolled"},
    [TX_ERR_REPLAY] = {409, "replay"},
    [TX_ERR_MISSING_REF] = {409, "missing_reference"},
    [TX_ERR_FORBIDDEN] = {409, "forbidden"},
    [TX_ERR_STORAGE_FULL] = {500, "storage_full"},
    [TX_ERR_STORAGE] = {500, "storage"},
    [TX_ERR_NET] = {503, "net"},
    [TX_ERR_UNREACHABLE] = {503, "unreachable"},
    [TX_ERR_BUSY] = {503, "busy"},
    [TX_ERR_REFUSED] = {409, "refused"},
    [TX_ERR_LOCKED] = {503, "locked"},
    [TX_ERR_CRYPTO] = {500, "crypto"},
    [TX_ERR_INTERNAL] = {500, "internal"},
};

int
tx_ui_status_of(int code)
{
    return code > 0 && code < TX_ERR_COUNT_ ? codes[code].status : 500;
}

const char *
tx_ui_code_name(int code)
{
    return code >= 0 && code < TX_ERR_COUNT_ ? codes[code].name : "internal";
}

void
tx_ui_resp_clear(tx_ui_resp *rs)
{
    json_decref(rs->json);
    free(rs->body);
    memset(rs, 0, sizeof *rs);
}

static void
fail_doc(tx_ui_resp *rs, int code, int status, const char *message)
{
    tx_ui_resp_clear(rs);
    rs->status = status;
    rs->json = json_pack("{s:{s:s,s:s}}", "error", "code", tx_ui_code_name(code), "message",
                         message);
}

static int
hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

const char *
tx_ui_arg(const tx_ui_req *rq, const char *name, char *buf, size_t n)
{
    size_t nlen = strlen(name);
    const char *p = rq->query;

    while (p != NULL && *p != 0) {
        const char *end = strchr(p, '&');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

        if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            size_t o = 0;
            for (size_t i = nlen + 1; i < len; i++) {
                int c = (unsigned char)p[i];
                if (c == '+') {
                    c = ' ';
                } else if (c == '%') {
                    int hi = i + 2 < len ? hexval(p[i + 1]) : -1;
                    int lo = i + 2 < len ? hexval(p[i + 2]) : -1;
                    if (hi < 0 || lo < 0) {
                        return NULL;
                    }
                    c = hi * 16 + lo;
                    i += 2;
                }
                if (c == 0 || o + 1 >= n) {
                    return NULL;
                }
                buf[o++] = (char)c;
            }
            buf[o] = 0;
            return tx_utf8_valid(buf, o) ? buf : NULL;
        }
        p = end != NULL ? end + 1 : NULL;
    }
    return NULL;
}

static const struct {
    const tx_ui_route *v;
    const size_t *n;
} tables[] = {
    {tx_ui_buyer_routes, &tx_ui_buyer_n_routes},
    {tx_ui_supplier_routes, &tx_ui_supplier_n_routes},
    {tx_ui_member_routes, &tx_ui_member_n_routes},
    {tx_ui_grants_routes, &tx_ui_grants_n_routes},
};

static int
path_matches(const tx_ui_route *r, const char *path, size_t len, const char **rest)
{
    size_t plen = strlen(r->path);

    if (r->flags & TX_UI_PREFIX) {
        if (len >= plen && strncmp(path, r->path, plen) == 0) {
            *rest = path + plen;
            return 1;
        }
        return 0;
    }
    *rest = "";
    return len == plen && strncmp(path, r->path, plen) == 0;
}

void
tx_ui_dispatch(tx_ui_app *app, const char *method, const char *target, json_t *body, int ja,
               tx_ui_resp *rs)
{
    const char *q = strchr(target, '?');
    size_t len = q != NULL ? (size_t)(q - target) : strlen(target);
    const tx_ui_route *found = NULL;
    int other_method = 0;
    char path[512];
    const char *rest = "";
    tx_ui_req rq;
    int rc;

    memset(rs, 0, sizeof *rs);
    if (len >= sizeof path) {
        fail_doc(rs, TX_ERR_NOT_FOUND, 404, "no such page");
        return;
    }
    memcpy(path, target, len);
    path[len] = 0;
    for (size_t t = 0; t < TX_ARRAY_LEN(tables) && found == NULL; t++) {
        for (size_t i = 0; i < *tables[t].n && found == NULL; i++) {
            const tx_ui_route *r = &tables[t].v[i];
            const char *r_rest;
            if (path_matches(r, path, len, &r_rest)) {
                if (strcmp(r->method, method) == 0) {
                    found = r;
                    rest = r_rest;
                } else {
                    other_method = 1;
                }
            }
        }
    }
    if (found == NULL) {
        fail_doc(rs, TX_ERR_NOT_FOUND, other_method ? 405 : 404,
                 other_method ? "method not allowed" : "no such page");
        return;
    }
    rq = (tx_ui_req){.method = method, .path = path, .rest = rest, .body = body, .ja = ja,
                     .query = q != NULL ? q + 1 : NULL};
    pthread_mutex_lock(&app->lock);
    tx_fail_clear();
    /* What the person's role may not do is refused before anything is done: 403. */
    if ((found->flags & (TX_UI_ANSWERS | TX_UI_SIGNS)) &&
        (rc = tx_ui_may(app, found->flags)) != TX_OK) {
        const char *msg = tx_fail_msg();
        fail_doc(rs, rc, rc == TX_ERR_FORBIDDEN ? 403 : tx_ui_status_of(rc),
                 msg[0] != 0 ? msg : tx_strerror(rc));
    } else if ((rc = found->fn(app, &rq, rs)) != TX_OK) {
        const char *msg = tx_fail_msg();
        fail_doc(rs, rc, tx_ui_status_of(rc), msg[0] != 0 ? msg : tx_strerror(rc));
    }
    pthread_mutex_unlock(&app->lock);
    if (rs->json == NULL && rs->body == NULL) {
        rs->json = json_object();
    }
}

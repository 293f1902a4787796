/* What the UI's HTTP server hands a JSON API handler and takes back: the request (method,
 * path, query, the parsed body), the response (a JSON document, raw bytes or a download) and
 * the route table rows the server dispatches on. Handlers never see HTTP headers: the server
 * has already checked the Host, the session cookie and, for POST, the CSRF token and origin. */
#ifndef TX_UI_HTTP_H
#define TX_UI_HTTP_H

#include <jansson.h>
#include <stddef.h>

typedef struct tx_ui_app tx_ui_app;

/* Largest request body the server reads (a POST's JSON); more is refused with 413. */
#define TX_UI_BODY_MAX (4u * 1024 * 1024)

typedef struct {
    const char *method; /* "GET" or "POST" */
    const char *path;   /* "/api/...", without the query */
    const char *rest;   /* routes marked TX_UI_PREFIX: the path after the route's path, else "" */
    json_t *body;       /* POST: the body, a JSON object (borrowed); NULL for GET */
    int ja;             /* the page's language (the lang cookie, else Accept-Language) */
    const char *query;  /* the raw query string after '?' (may be NULL), for tx_ui_arg */
} tx_ui_req;

/* The query argument `name`, percent-decoded into buf (n bytes), or NULL when absent, too long
 * or not UTF-8. */
const char *tx_ui_arg(const tx_ui_req *rq, const char *name, char *buf, size_t n);

typedef struct {
    int status;       /* HTTP status; 0 = 200 */
    json_t *json;     /* the body as JSON (the server takes and frees it), or */
    char *body;       /* raw bytes (malloc'd; the server frees it) */
    size_t len;
    const char *type;  /* raw body's content type (static string) */
    char filename[128]; /* non-empty: sent as a download (Content-Disposition: attachment) */
} tx_ui_resp;

/* A handler fills *rs and returns TX_OK, or returns a tx_err code with tx_fail()'s message set:
 * the server answers {"error": {"code": "<tx_strerror name>", "message": "<tx_fail_msg>"}}
 * with 400 (usage, malformed, too large...), 404 (not found), 409 (exists, refused, replay,
 * missing reference, forbidden), 422 (a signature, key or check failed), 503 (hub unreachable,
 * busy) or 500. Handlers run one at a time (the server holds app->lock around each). */
typedef int (*tx_ui_handler)(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs);

enum {
    TX_UI_POST = 1,   /* state-changing: POST only, with the CSRF token and a same-origin check */
    TX_UI_PREFIX = 2, /* the path is a prefix; the remainder goes into rq->rest */
    /* In a member's home, what the person's role must allow (tx_ui_may), else 403: */
    TX_UI_ANSWERS = 4, /* answering (a responder's answer is a draft for approval) */
    TX_UI_SIGNS = 8,   /* signing for the organisation: an officer or an admin */
};

typedef struct {
    const char *method; /* "GET" or "POST" (TX_UI_POST routes are "POST") */
    const char *path;
    tx_ui_handler fn;
    unsigned flags;
} tx_ui_route;

/* The route tables, one per file that serves them; the server looks a call up in each. */
extern const tx_ui_route tx_ui_buyer_routes[];
extern const size_t tx_ui_buyer_n_routes;
extern const tx_ui_route tx_ui_supplier_routes[];
extern const size_t tx_ui_supplier_n_routes;
extern const tx_ui_route tx_ui_member_routes[];
extern const size_t tx_ui_member_n_routes;
extern const tx_ui_route tx_ui_grants_routes[];
extern const size_t tx_ui_grants_n_routes;

/* The body's string `name`: *out NULL when absent or null (TX_ERR_USAGE when `required`), else
 * a non-empty string without NUL (TX_ERR_USAGE otherwise). Borrowed from rq->body. */
int tx_ui_body_str(const tx_ui_req *rq, const char *name, int required, const char **out);

/* Looks the call up in the route tables and runs its handler with app->lock held; what every
 * call goes through, from the HTTP server (after its checks) and from the tests. `target` is
 * the path with its query. An unknown path is 404, a known one with another method 405, both
 * with the error document. On return *rs holds the response; the caller frees it
 * (tx_ui_resp_clear). */
void tx_ui_dispatch(tx_ui_app *app, const char *method, const char *target, json_t *body, int ja,
                    tx_ui_resp *rs);

/* Frees what *rs holds and zeroes it. */
void tx_ui_resp_clear(tx_ui_resp *rs);

/* HTTP status and machine name ("not_found") for a tx_err code. */
int tx_ui_status_of(int code);
const char *tx_ui_code_name(int code);

#endif

/* Client session: the home, the hub settings and the connection made on first use. */
#include "tx_client.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tx_client {
    tx_home *home;
    tx_conn *conn;
    char endpoint[256];
    char hub_key[PATH_MAX];
    int timeout_ms;
    tx_pubkey hub; /* loaded from hub_key by tx_client_hub_key */
    int hub_loaded;
};

static const char *
pick(const char *opt, const char *env_name, const char *fallback)
{
    const char *env = getenv(env_name);

    if (opt != NULL && *opt != 0) {
        return opt;
    }
    if (env != NULL && *env != 0) {
        return env;
    }
    return fallback;
}

int
tx_client_open(const tx_client_opts *opts, tx_client **out)
{
    char dir[PATH_MAX];
    tx_client *c;
    int rc;

    *out = NULL;
    if ((rc = tx_home_resolve(opts->home, dir, sizeof dir)) != TX_OK) {
        return rc;
    }
    c = calloc(1, sizeof *c);
    if (c == NULL) {
        return TX_ERR_NOMEM;
    }
    snprintf(c->endpoint, sizeof c->endpoint, "%s",
             pick(opts->endpoint, "TICSX_HUB", TX_DEFAULT_HUB));
    snprintf(c->hub_key, sizeof c->hub_key, "%s", pick(opts->hub_key, "TICSX_HUB_KEY", ""));
    c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : TX_DEFAULT_TIMEOUT_MS;
    if ((rc = tx_home_open(dir, &c->home)) != TX_OK) {
        free(c);
        return rc;
    }
    *out = c;
    return TX_OK;
}

void
tx_client_destroy(tx_client **client_p)
{
    if (client_p == NULL || *client_p == NULL) {
        return;
    }
    tx_conn_destroy(&(*client_p)->conn);
    tx_home_destroy(&(*client_p)->home);
    free(*client_p);
    *client_p = NULL;
}

tx_home *
tx_client_home(tx_client *c)
{
    return c->home;
}

const tx_identity *
tx_client_id(const tx_client *c)
{
    return tx_home_identity(c->home);
}

const char *
tx_client_endpoint(const tx_client *c)
{
    return c->endpoint;
}

int
tx_client_hub_key(tx_client *c, const tx_pubkey **out)
{
    int rc;

    *out = NULL;
    if (!c->hub_loaded) {
        if (c->hub_key[0] == 0) {
            return tx_fail(TX_ERR_USAGE, "no hub key: pass --hub-key FILE (the hub's hub.pub) or "
                                         "set TICSX_HUB_KEY");
        }
        if ((rc = tx_pubkey_load(c->hub_key, &c->hub)) != TX_OK) {
            return tx_fail(rc == TX_ERR_NOT_FOUND ? TX_ERR_USAGE : rc,
                           "cannot read hub key %s: %s", c->hub_key, tx_strerror(rc));
        }
        c->hub_loaded = 1;
    }
    *out = &c->hub;
    return TX_OK;
}

int
tx_client_conn(tx_client *c, tx_conn **out)
{
    tx_pubkey hub;
    int rc;

    *out = NULL;
    if (c->conn != NULL) {
        *out = c->conn;
        return TX_OK;
    }
    if (c->hub_key[0] == 0) {
        return tx_fail(TX_ERR_USAGE,
                       "no hub key: pass --hub-key FILE (the hub's hub.pub) or set TICSX_HUB_KEY");
    }
    if ((rc = tx_pubkey_load(c->hub_key, &hub)) != TX_OK) {
        return tx_fail(rc == TX_ERR_NOT_FOUND ? TX_ERR_USAGE : rc, "cannot read hub key %s: %s",
                       c->hub_key, tx_strerror(rc));
    }
    rc = tx_conn_open(c->endpoint, hub.curve, tx_client_id(c), c->timeout_ms, &c->conn);
    if (rc == TX_ERR_USAGE) {
        return tx_fail(rc, "bad hub endpoint %s: use tcp://HOST:PORT", c->endpoint);
    }
    if (rc != TX_OK) {
        return tx_fail(rc, "cannot connect to hub at %s: %s", c->endpoint, tx_strerror(rc));
    }
    *out = c->conn;
    return TX_OK;
}

int
tx_client_conn_fail(tx_client *c, int rc)
{
    unsigned cut = c->conn != NULL ? tx_conn_handshakes_failed(c->conn) : 0;

    switch (rc) {
    case TX_ERR_UNREACHABLE:
        return cut > 0 ? tx_fail(rc,
                                 "hub unreachable at %s: no answer within %d ms (a handshake was "
                                 "cut: the hub may be restarting; try again)",
                                 c->endpoint, c->timeout_ms)
                       : tx_fail(rc,
                                 "hub unreachable at %s: no answer within %d ms: check that the "
                                 "hub runs and the address, or raise --timeout",
                                 c->endpoint, c->timeout_ms);
    case TX_ERR_NOT_ENROLLED:
        if (c->conn != NULL && tx_conn_refusal(c->conn) == TX_CONN_REFUSED_HELLO) {
            return tx_fail(rc,
                           "hub at %s cut every handshake: the hub key is probably wrong "
                           "(check --hub-key), or this is not a ticsx hub",
                           c->endpoint);
        }
        return tx_fail(rc,
                       "hub at %s refused the handshake: this organisation is not enrolled "
                       "there (ask the hub operator to enroll profile.tx)",
                       c->endpoint);
    default:
        return tx_fail(rc, "hub at %s: %s", c->endpoint, tx_strerror(rc));
    }
}

int
tx_client_pipeline(tx_client *c, size_t n, size_t window, tx_pipeline_send send,
                   tx_pipeline_take take, void *ctx)
{
    uint64_t ids[TX_PIPELINE_MAX];
    size_t sent = 0, done = 0;
    tx_conn *conn;
    int rc;

    if (window == 0 || window > TX_PIPELINE_MAX) {
        window = TX_PIPELINE_MAX;
    }
    if ((rc = tx_client_conn(c, &conn)) != TX_OK) {
        return rc;
    }
    while (done < n) {
        tx_reply_pb *r = NULL;

        while (sent < n && sent - done < window) {
            if ((rc = send(ctx, conn, sent, &ids[sent % window])) != TX_OK) {
                return tx_client_conn_fail(c, rc);
            }
            sent++;
        }
        if ((rc = tx_conn_wait(conn, ids[done % window], &r)) != TX_OK) {
            return tx_client_conn_fail(c, rc);
        }
        rc = take(ctx, done, r);
        tx_free(r);
        if (rc != TX_OK) {
            return rc;
        }
        done++;
    }
    return TX_OK;
}

const char *
tx_kind_word(int kind)
{
    static const char *const words[] = {
        [TX_KIND_PROFILE] = N_("profile"),
        [TX_KIND_QUESTIONNAIRE] = N_("questionnaire"),
        [TX_KIND_REQUEST] = N_("request"),
        [TX_KIND_ASSESSMENT] = N_("assessment"),
        [TX_KIND_GRANT] = N_("grant"),
        [TX_KIND_GRANT_REVOKE] = N_("grant revocation"),
        [TX_KIND_ACCREDITATION] = N_("accreditation"),
        [TX_KIND_CERTIFICATE] = N_("certificate"),
        [TX_KIND_CERT_EVENT] = N_("certificate event"),
        [TX_KIND_CHECKPOINT] = N_("checkpoint"),
        [TX_KIND_EVIDENCE_CHUNK] = N_("evidence chunk"),
    };

    if (kind > 0 && (size_t)kind < sizeof words / sizeof words[0] && words[kind] != NULL) {
        return _(words[kind]);
    }
    return kind == TX_KIND_INNER_ASSESSMENT ? _("inner assessment") : tx_kind_name(kind);
}

/* ZAP handler: one request in, one reply out, answered from the hub's poll loop. */
#include "tx_zap.h"

#include "tx_error.h"
#include "tx_keys.h"
#include "tx_log.h"
#include "tx_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

/* RFC 27 request: version, request id, domain, address, identity, mechanism, credentials. */
#define ZAP_FRAMES 7
#define ZAP_MAX_FRAMES 16

struct tx_zap {
    void *sock;
    tx_store *store;
    uint8_t hub_curve[32];
};

int
tx_zap_open(void *ctx, tx_store *store, const uint8_t hub_curve_pk[32], tx_zap **out)
{
    tx_zap *z = calloc(1, sizeof *z);
    int linger = 0;

    *out = NULL;
    if (z == NULL) {
        return TX_ERR_NOMEM;
    }
    z->store = store;
    memcpy(z->hub_curve, hub_curve_pk, 32);
    z->sock = zmq_socket(ctx, ZMQ_REP);
    if (z->sock == NULL) {
        tx_error("zap: cannot create the handler socket: %s", zmq_strerror(errno));
        free(z);
        return TX_ERR_NET;
    }
    zmq_setsockopt(z->sock, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(z->sock, TX_ZAP_ENDPOINT) != 0) {
        tx_error("zap: cannot bind %s: %s", TX_ZAP_ENDPOINT, zmq_strerror(errno));
        zmq_close(z->sock);
        free(z);
        return TX_ERR_NET;
    }
    *out = z;
    return TX_OK;
}

void *
tx_zap_socket(tx_zap *z)
{
    return z->sock;
}

void
tx_zap_destroy(tx_zap **z_p)
{
    if (z_p == NULL || *z_p == NULL) {
        return;
    }
    zmq_close((*z_p)->sock);
    free(*z_p);
    *z_p = NULL;
}

static int
frame_is(zmq_msg_t *m, const char *s)
{
    size_t n = strlen(s);
    return zmq_msg_size(m) == n && memcmp(zmq_msg_data(m), s, n) == 0;
}

/* A person of an organisation (a member record names this transport key): admitted while it
 * may act, with the user id of its organisation followed by its own signing key. Removed or
 * expired: refused, so a removal takes effect at the person's next handshake. */
static int
decide_person(tx_zap *z, const uint8_t *curve, const char *addr, char user[TX_ZAP_USER_MAX])
{
    tx_person p;
    char fp[TX_FP_LEN], org[TX_FP_LEN];
    int rc = tx_store_person(z->store, TX_PERSON_BY_TRANSPORT, curve, &p);

    if (rc != TX_OK) {
        return rc;
    }
    tx_fingerprint(p.key, fp);
    tx_fingerprint(p.org, org);
    if (!tx_person_acts(&p, (int64_t)time(NULL))) {
        tx_log_kv(TX_LOG_INFO,
                  TX_FIELDS(TX_KV("outcome", "refused"), TX_KV("status", "member_ended"),
                            TX_KV("peer", fp), TX_KV("addr", addr)),
                  "zap: refused %s of %s from %s: removed, expired or not yet valid", fp, org,
                  addr);
        return TX_ERR_FORBIDDEN;
    }
    tx_hex(user, p.org, TX_KEY_LEN);
    tx_hex(user + 2 * TX_KEY_LEN, p.key, TX_KEY_LEN);
    tx_log_kv(TX_LOG_DEBUG,
              TX_FIELDS(TX_KV("outcome", "admitted"), TX_KV("peer", fp), TX_KV("addr", addr)),
              "zap: admitted %s of %s from %s", fp, org, addr);
    return TX_OK;
}

/* An enrolled organisation's own key is no longer admitted once a successor it signed is in
 * force (the successor is, as a person of the organisation): TX_ERR_FORBIDDEN then. */
static int
org_key_current(tx_zap *z, const uint8_t signer[TX_KEY_LEN], const char *addr)
{
    char fp[TX_FP_LEN];
    int64_t at;
    int rc = tx_store_key_replaced(z->store, signer, &at);

    if (rc == TX_ERR_NOT_FOUND || (rc == TX_OK && at > (int64_t)time(NULL))) {
        return TX_OK;
    }
    if (rc != TX_OK) {
        return rc;
    }
    tx_fingerprint(signer, fp);
    tx_log_kv(TX_LOG_INFO,
              TX_FIELDS(TX_KV("outcome", "refused"), TX_KV("status", "key_replaced"),
                        TX_KV("peer", fp), TX_KV("addr", addr)),
              "zap: refused %s from %s: a successor replaced this organisation key", fp, addr);
    return TX_ERR_FORBIDDEN;
}

/* Decides on one well-formed request: status code and user id. */
static void
decide(tx_zap *z, zmq_msg_t *frames, size_t n, const char **code, const char **text,
       char user[TX_ZAP_USER_MAX])
{
    uint8_t signer[32];
    char fp[TX_FP_LEN];
    char addr[64];
    size_t alen;
    int rc;

    *code = "500";
    *text = "malformed request";
    user[0] = 0;
    if (n != ZAP_FRAMES || !frame_is(&frames[0], "1.0")) {
        tx_warn("zap: malformed request of %zu frames", n);
        return;
    }
    alen = zmq_msg_size(&frames[3]);
    if (alen >= sizeof addr) {
        alen = sizeof addr - 1;
    }
    memcpy(addr, zmq_msg_data(&frames[3]), alen);
    addr[alen] = 0;
    if (!tx_utf8_valid(addr, alen)) {
        strcpy(addr, "?");
    }
    if (!frame_is(&frames[5], "CURVE") || zmq_msg_size(&frames[6]) != 32) {
        *code = "400";
        *text = "curve required";
        tx_log_kv(TX_LOG_INFO, TX_FIELDS(TX_KV("outcome", "refused"), TX_KV("addr", addr)),
                  "zap: refused a non-CURVE client from %s", addr);
        return;
    }
    if (memcmp(zmq_msg_data(&frames[6]), z->hub_curve, 32) == 0) {
        *code = "200";
        *text = "OK";
        strcpy(user, TX_ZAP_HUB_USER);
        tx_debug("zap: admitted the hub's own key from %s", addr);
        return;
    }
    rc = tx_store_member_of_transport(z->store, zmq_msg_data(&frames[6]), signer);
    if (rc == TX_OK) {
        rc = org_key_current(z, signer, addr);
    }
    if (rc == TX_ERR_NOT_FOUND &&
        (rc = decide_person(z, zmq_msg_data(&frames[6]), addr, user)) == TX_OK) {
        *code = "200";
        *text = "OK";
    } else if (rc == TX_OK) {
        *code = "200";
        *text = "OK";
        tx_hex(user, signer, 32);
        tx_fingerprint(signer, fp);
        tx_log_kv(TX_LOG_DEBUG,
                  TX_FIELDS(TX_KV("outcome", "admitted"), TX_KV("peer", fp), TX_KV("addr", addr)),
                  "zap: admitted %s from %s", fp, addr);
    } else if (rc == TX_ERR_FORBIDDEN) {
        *code = "400";
        *text = "not enrolled"; /* logged with its reason above */
    } else if (rc == TX_ERR_NOT_FOUND) {
        *code = "400";
        *text = "not enrolled";
        tx_log_kv(TX_LOG_INFO,
                  TX_FIELDS(TX_KV("outcome", "refused"), TX_KV("status", "not_enrolled"),
                            TX_KV("addr", addr)),
                  "zap: refused a client with an unenrolled transport key from %s", addr);
    } else {
        *text = "hub storage unavailable";
        tx_error("zap: transport lookup failed: %s", tx_strerror(rc));
    }
}

static int
send_frame(void *sock, const void *data, size_t len, int more)
{
    return zmq_send(sock, data, len, more ? ZMQ_SNDMORE : 0) < 0 ? TX_ERR_NET : TX_OK;
}

/* Reads one request (all its frames) and answers it. TX_ERR_NOT_FOUND if none waits. */
static int
serve_one(tx_zap *z)
{
    zmq_msg_t frames[ZAP_MAX_FRAMES];
    size_t n = 0;
    int more = 1;
    const char *code, *text;
    char user[TX_ZAP_USER_MAX];
    int rc = TX_OK;

    while (more) {
        zmq_msg_t m;

        zmq_msg_init(&m);
        /* Only the first frame may be absent; the rest of a multipart message is there. */
        if (zmq_msg_recv(&m, z->sock, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
            zmq_msg_close(&m);
            if (n == 0 && errno == EAGAIN) {
                return TX_ERR_NOT_FOUND;
            }
            rc = TX_ERR_NET;
            break;
        }
        more = zmq_msg_more(&m);
        if (n < ZAP_MAX_FRAMES) {
            frames[n++] = m;
        } else {
            zmq_msg_close(&m);
        }
    }
    if (rc != TX_OK) {
        for (size_t i = 0; i < n; i++) {
            zmq_msg_close(&frames[i]);
        }
        return rc;
    }
    decide(z, frames, n, &code, &text, user);
    /* A REP socket must answer before it can read again, even a malformed request. */
    if (send_frame(z->sock, "1.0", 3, 1) != TX_OK ||
        send_frame(z->sock, n > 1 ? zmq_msg_data(&frames[1]) : "",
                   n > 1 ? zmq_msg_size(&frames[1]) : 0, 1) != TX_OK ||
        send_frame(z->sock, code, strlen(code), 1) != TX_OK ||
        send_frame(z->sock, text, strlen(text), 1) != TX_OK ||
        send_frame(z->sock, user, strlen(user), 1) != TX_OK ||
        send_frame(z->sock, "", 0, 0) != TX_OK) {
        tx_error("zap: cannot send reply: %s", zmq_strerror(errno));
        rc = TX_ERR_NET;
    }
    for (size_t i = 0; i < n; i++) {
        zmq_msg_close(&frames[i]);
    }
    return rc;
}

int
tx_zap_serve(tx_zap *z)
{
    int served = 0;

    while (serve_one(z) == TX_OK) {
        served++;
    }
    return served;
}

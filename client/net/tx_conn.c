/* DEALER connection to the hub with CURVE, pipelined calls and a handshake monitor so a
 * refused key is reported as such rather than as a timeout. */
#include "tx_conn.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_log.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define MAX_PARKED 4096
#define HS_FAILED_REFUSED 3 /* handshakes cut in a row that mean a refusal, not a restart */

struct tx_conn {
    void *ctx;
    void *sock;
    void *monitor;
    char endpoint[256];
    int timeout_ms;
    uint64_t next_id;
    int auth_failed;    /* the hub refused this client: TX_CONN_REFUSED_* (0 = not) */
    unsigned hs_cut;    /* handshakes cut (reset, protocol error) since the last that succeeded */
    unsigned hs_failed; /* handshakes that failed without a refusal, in all */
    /* Replies received while waiting for another id. */
    tx_reply_pb **parked;
    size_t n_parked;
};

/* The hub's status in the reader's language (tx_status_text's words in English); the hub's
 * own message stays as it sent it, in English, for support. */
static const char *
status_words(int status)
{
    static const char *const words[TX_STATUS_COUNT_] = {
        [TX_STATUS_OK] = N_("ok"),
        [TX_STATUS_BAD_REQUEST] = N_("bad request"),
        [TX_STATUS_BAD_SIGNATURE] = N_("bad signature"),
        [TX_STATUS_NOT_ENROLLED] = N_("not enrolled"),
        [TX_STATUS_NOT_FOUND] = N_("not found"),
        [TX_STATUS_REPLAY] = N_("replayed"),
        [TX_STATUS_MISSING_REFERENCE] = N_("missing reference"),
        [TX_STATUS_FORBIDDEN] = N_("forbidden"),
        [TX_STATUS_TOO_LARGE] = N_("too large"),
        [TX_STATUS_STORAGE_FULL] = N_("hub storage full"),
        [TX_STATUS_BUSY] = N_("busy"),
        [TX_STATUS_INTERNAL] = N_("internal error"),
    };

    if (status < 0 || status >= TX_STATUS_COUNT_ || words[status] == NULL) {
        return tx_status_text(status);
    }
    return _(words[status]);
}

int
tx_conn_refused(const tx_reply_pb *r, const char *fmt, ...)
{
    char what[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (r->message[0] == 0) {
        return tx_fail(TX_ERR_REFUSED, "hub refused %s: %s", what, status_words(r->status));
    }
    /* TRANSLATORS: the last %s is the hub's own English detail, kept for support. */
    return tx_fail(TX_ERR_REFUSED, "hub refused %s: %s: %s", what, status_words(r->status),
                   r->message);
}

int
tx_conn_open(const char *endpoint, const uint8_t hub_curve_pk[32], const tx_identity *id,
             int timeout_ms, tx_conn **out)
{
    tx_conn *c = calloc(1, sizeof *c);
    char mon[64];
    int64_t maxmsg = TX_MAX_REPLY + 4096;
    int linger = 0;
    int rc = TX_ERR_NET;

    *out = NULL;
    if (c == NULL) {
        return TX_ERR_NOMEM;
    }
    snprintf(c->endpoint, sizeof c->endpoint, "%s", endpoint);
    c->timeout_ms = timeout_ms;
    c->next_id = 1;
    c->ctx = zmq_ctx_new();
    if (c->ctx == NULL) {
        goto fail;
    }
    c->sock = zmq_socket(c->ctx, ZMQ_DEALER);
    if (c->sock == NULL) {
        goto fail;
    }
    if (zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, hub_curve_pk, 32) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, id->pub.curve, 32) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, id->sec->curve, 32) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof linger) != 0) {
        goto fail;
    }
    /* The monitor tells a refused handshake (wrong hub key, client not enrolled) apart from a
     * hub that is simply not there. */
    snprintf(mon, sizeof mon, "inproc://tx-conn-monitor-%p", (void *)c);
    if (zmq_socket_monitor(c->sock, mon,
                           ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                               ZMQ_EVENT_HANDSHAKE_SUCCEEDED) != 0) {
        goto fail;
    }
    c->monitor = zmq_socket(c->ctx, ZMQ_PAIR);
    if (c->monitor == NULL || zmq_setsockopt(c->monitor, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_connect(c->monitor, mon) != 0) {
        goto fail;
    }
    if (zmq_connect(c->sock, endpoint) != 0) {
        rc = errno == EINVAL || errno == EPROTONOSUPPORT ? TX_ERR_USAGE : TX_ERR_NET;
        goto fail;
    }
    *out = c;
    return TX_OK;
fail:
    tx_conn_destroy(&c);
    return rc;
}

void
tx_conn_destroy(tx_conn **conn_p)
{
    tx_conn *c;

    if (conn_p == NULL || *conn_p == NULL) {
        return;
    }
    c = *conn_p;
    for (size_t i = 0; i < c->n_parked; i++) {
        tx_free(c->parked[i]);
    }
    free(c->parked);
    if (c->sock != NULL) {
        zmq_socket_monitor(c->sock, NULL, 0);
        zmq_close(c->sock);
    }
    if (c->monitor != NULL) {
        zmq_close(c->monitor);
    }
    if (c->ctx != NULL) {
        zmq_ctx_term(c->ctx);
    }
    free(c);
    *conn_p = NULL;
}

unsigned
tx_conn_handshakes_failed(const tx_conn *conn)
{
    return conn->hs_failed;
}

int
tx_conn_refusal(const tx_conn *conn)
{
    return conn->auth_failed;
}

const char *
tx_conn_endpoint(const tx_conn *conn)
{
    return conn->endpoint;
}

int
tx_conn_send(tx_conn *conn, tx_call_pb *call, uint64_t *id_out)
{
    uint8_t *buf;
    size_t len;
    int rc;

    call->id = conn->next_id++;
    if ((rc = tx_pack(&call->base, &buf, &len)) != TX_OK) {
        return rc;
    }
    if (len > TX_MAX_CALL) {
        free(buf);
        return TX_ERR_TOO_LARGE;
    }
    /* DEALER queues while the connection is being made; a full queue means the hub is gone. */
    if (zmq_send(conn->sock, buf, len, ZMQ_DONTWAIT) < 0) {
        free(buf);
        return errno == EAGAIN ? TX_ERR_UNREACHABLE : TX_ERR_NET;
    }
    free(buf);
    if (id_out != NULL) {
        *id_out = call->id;
    }
    return TX_OK;
}

static void
drain_monitor(tx_conn *conn)
{
    for (;;) {
        zmq_msg_t m;
        uint16_t event = 0;

        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, conn->monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return;
        }
        if (zmq_msg_size(&m) >= 6 && zmq_msg_more(&m)) {
            uint32_t value;
            memcpy(&event, zmq_msg_data(&m), 2);
            memcpy(&value, (const char *)zmq_msg_data(&m) + 2, 4);
            if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
                conn->hs_cut = 0;
            } else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH && value == 400) {
                conn->auth_failed = TX_CONN_REFUSED_KEY; /* the hub's ZAP handler said no */
            } else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
                conn->hs_failed++; /* ZAP 300 or 500: the hub cannot decide now; keep waiting */
            } else if (event & (ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                                ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)) {
                /* A hub stopping or restarting cuts a handshake once, then refuses connections
                 * until it is back: keep waiting. A hub that cuts every handshake is listening
                 * and does not take this client's CURVE hello: the hub key is wrong. */
                conn->hs_failed++;
                if (++conn->hs_cut >= HS_FAILED_REFUSED) {
                    conn->auth_failed = TX_CONN_REFUSED_HELLO;
                }
            }
        }
        zmq_msg_close(&m);
    }
}

static int
park(tx_conn *conn, tx_reply_pb *r)
{
    tx_reply_pb **p;

    if (conn->n_parked >= MAX_PARKED) {
        tx_free(r);
        return TX_ERR_BUSY;
    }
    p = realloc(conn->parked, (conn->n_parked + 1) * sizeof *p);
    if (p == NULL) {
        tx_free(r);
        return TX_ERR_NOMEM;
    }
    conn->parked = p;
    conn->parked[conn->n_parked++] = r;
    return TX_OK;
}

int
tx_conn_wait(tx_conn *conn, uint64_t id, tx_reply_pb **reply)
{
    int64_t deadline = 0;

    *reply = NULL;
    for (size_t i = 0; i < conn->n_parked; i++) {
        if (conn->parked[i]->id == id) {
            *reply = conn->parked[i];
            conn->parked[i] = conn->parked[--conn->n_parked];
            return TX_OK;
        }
    }
    deadline = tx_clock_ms() + conn->timeout_ms;
    for (;;) {
        zmq_pollitem_t items[2] = {{conn->sock, 0, ZMQ_POLLIN, 0},
                                   {conn->monitor, 0, ZMQ_POLLIN, 0}};
        int64_t now_ms;
        int n;

        now_ms = tx_clock_ms();
        if (now_ms >= deadline) {
            return TX_ERR_UNREACHABLE;
        }
        n = zmq_poll(items, 2, (long)(deadline - now_ms));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return TX_ERR_NET;
        }
        if (items[1].revents & ZMQ_POLLIN) {
            drain_monitor(conn);
            if (conn->auth_failed) {
                return TX_ERR_NOT_ENROLLED;
            }
        }
        if (items[0].revents & ZMQ_POLLIN) {
            zmq_msg_t m;
            tx_reply_pb *r;
            int rc;

            zmq_msg_init(&m);
            if (zmq_msg_recv(&m, conn->sock, 0) < 0) {
                zmq_msg_close(&m);
                return TX_ERR_NET;
            }
            rc = tx_decode_reply(zmq_msg_data(&m), zmq_msg_size(&m), &r);
            zmq_msg_close(&m);
            if (rc != TX_OK) {
                tx_warn(_("hub %s sent an unreadable reply: %s"), conn->endpoint,
                        tx_codec_detail());
                continue;
            }
            if (r->id == id) {
                *reply = r;
                return TX_OK;
            }
            if ((rc = park(conn, r)) != TX_OK) {
                return rc;
            }
        }
    }
}

int
tx_conn_next(tx_conn *conn, int timeout_ms, tx_reply_pb **reply)
{
    zmq_pollitem_t items[2] = {{conn->sock, 0, ZMQ_POLLIN, 0}, {conn->monitor, 0, ZMQ_POLLIN, 0}};
    zmq_msg_t m;
    int rc;

    *reply = NULL;
    if (conn->n_parked > 0) {
        *reply = conn->parked[0];
        conn->parked[0] = conn->parked[--conn->n_parked];
        return TX_OK;
    }
    if (zmq_poll(items, 2, timeout_ms) < 0) {
        return errno == EINTR ? TX_OK : TX_ERR_NET;
    }
    if (items[1].revents & ZMQ_POLLIN) {
        drain_monitor(conn);
        if (conn->auth_failed) {
            return TX_ERR_NOT_ENROLLED;
        }
    }
    if (!(items[0].revents & ZMQ_POLLIN)) {
        return TX_OK;
    }
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, conn->sock, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&m);
        return errno == EAGAIN || errno == EINTR ? TX_OK : TX_ERR_NET;
    }
    rc = tx_decode_reply(zmq_msg_data(&m), zmq_msg_size(&m), reply);
    zmq_msg_close(&m);
    if (rc != TX_OK) {
        tx_warn(_("hub %s sent an unreadable reply: %s"), conn->endpoint, tx_codec_detail());
        *reply = NULL;
    }
    return TX_OK;
}

int
tx_conn_call(tx_conn *conn, tx_call_pb *call, tx_reply_pb **reply)
{
    uint64_t id;
    int rc = tx_conn_send(conn, call, &id);

    if (rc != TX_OK) {
        *reply = NULL;
        return rc;
    }
    return tx_conn_wait(conn, id, reply);
}

int
tx_conn_send_submit(tx_conn *conn, const uint8_t *env, size_t len, uint64_t *id_out)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_submit_pb submit = TICSX__V1__SUBMIT__INIT;

    submit.envelope.data = (uint8_t *)env;
    submit.envelope.len = len;
    call.body_case = TICSX__V1__CALL__BODY_SUBMIT;
    call.submit = &submit;
    return tx_conn_send(conn, &call, id_out);
}

int
tx_conn_submit(tx_conn *conn, const uint8_t *env, size_t len, tx_reply_pb **reply)
{
    uint64_t id;
    int rc;

    if ((rc = tx_conn_send_submit(conn, env, len, &id)) != TX_OK) {
        return rc;
    }
    return tx_conn_wait(conn, id, reply);
}

int
tx_conn_send_batch(tx_conn *conn, size_t n, uint8_t *const *envs, const size_t *lens,
                   uint64_t *id_out)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_submit_batch_pb batch = TICSX__V1__SUBMIT_BATCH__INIT;
    ProtobufCBinaryData bins[TX_MAX_BATCH];

    if (n == 0 || n > TX_MAX_BATCH) {
        return tx_fail(TX_ERR_USAGE, "a batch holds 1 to %u envelopes, not %zu: send them in parts",
                       TX_MAX_BATCH, n);
    }
    for (size_t i = 0; i < n; i++) {
        bins[i].data = envs[i];
        bins[i].len = lens[i];
    }
    batch.n_envelopes = n;
    batch.envelopes = bins;
    call.body_case = TICSX__V1__CALL__BODY_SUBMIT_BATCH;
    call.submit_batch = &batch;
    return tx_conn_send(conn, &call, id_out);
}

int
tx_batch_reply_check(const tx_reply_pb *r, size_t n)
{
    if (r->status == TX_STATUS_OK && r->n_outcomes != n) {
        return tx_fail(TX_ERR_MALFORMED,
                       "the hub answered a batch of %zu with %zu outcomes: run the command again",
                       n, r->n_outcomes);
    }
    return TX_OK;
}

void
tx_batch_outcome(const tx_reply_pb *r, size_t i, tx_reply_pb *view, tx_receipt_pb *receipt)
{
    const tx_outcome_pb *o = r->outcomes[i];

    ticsx__v1__reply__init(view);
    view->id = r->id;
    view->status = o->status;
    view->message = o->message;
    if (o->receipt != NULL) {
        *receipt = *o->receipt;
        receipt->checkpoint = r->checkpoint;
        view->receipt = receipt;
    }
}

int
tx_conn_send_get(tx_conn *conn, const uint8_t record_id[TX_ID_LEN], uint64_t *id_out)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_get_pb get = TICSX__V1__GET__INIT;

    get.record_id.data = (uint8_t *)record_id;
    get.record_id.len = TX_ID_LEN;
    call.body_case = TICSX__V1__CALL__BODY_GET;
    call.get = &get;
    return tx_conn_send(conn, &call, id_out);
}

int
tx_conn_get(tx_conn *conn, const uint8_t record_id[TX_ID_LEN], uint8_t **env, size_t *len)
{
    tx_reply_pb *r;
    uint64_t id;
    int rc;

    *env = NULL;
    if ((rc = tx_conn_send_get(conn, record_id, &id)) != TX_OK ||
        (rc = tx_conn_wait(conn, id, &r)) != TX_OK) {
        return rc;
    }
    rc = tx_status_err(r->status);
    if (rc == TX_OK && (r->n_entries != 1 || r->entries[0]->envelope.len == 0)) {
        rc = TX_ERR_MALFORMED;
    }
    if (rc == TX_OK) {
        *len = r->entries[0]->envelope.len;
        *env = malloc(*len);
        if (*env == NULL) {
            rc = TX_ERR_NOMEM;
        } else {
            memcpy(*env, r->entries[0]->envelope.data, *len);
        }
    }
    tx_free(r);
    return rc;
}

/* Sending replies with a byte account per peer (see tx_send.h). */
#include "tx_send.h"

#include "tx_error.h"
#include "tx_log.h"
#include "tx_status.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* Reply bytes ZeroMQ may hold for one peer that does not read: past it, its further replies
 * are a short BUSY instead (one reply of any size goes when nothing is queued). ZeroMQ's own
 * bound (TX_HUB_SNDHWM) counts messages, and a list reply may be 16 MiB. */
#define PEER_QUEUE_BYTES ((size_t)8 << 20)
#define PEER_BUCKETS 1024

/* What ZeroMQ holds for one peer: replies handed to it and not yet written to the socket
 * (ZeroMQ frees each message, on its I/O thread, once written). */
typedef struct peer_q {
    struct peer_q *next;
    atomic_size_t queued; /* bytes */
    atomic_uint refs;     /* the table's, and one per message ZeroMQ holds */
    size_t id_len;
    uint8_t id[256];
} peer_q;

typedef struct {
    peer_q *q;
    size_t len;
} sent_reply;

struct tx_send {
    void *router;
    peer_q *peers[PEER_BUCKETS]; /* reply bytes queued per peer */
};

int
tx_send_create(void *router, tx_send **out)
{
    *out = calloc(1, sizeof **out);
    if (*out == NULL) {
        return TX_ERR_NOMEM;
    }
    (*out)->router = router;
    return TX_OK;
}

/* Called by ZeroMQ (on its I/O thread) once a reply is written or dropped. */
static void
reply_freed(void *data, void *hint)
{
    sent_reply *h = hint;

    atomic_fetch_sub(&h->q->queued, h->len);
    atomic_fetch_sub(&h->q->refs, 1);
    free(data);
    free(h);
}

static size_t
peer_bucket(const uint8_t *id, size_t len)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < len; i++) {
        h = (h ^ id[i]) * 16777619u;
    }
    return h % PEER_BUCKETS;
}

/* The queue account of a peer, made on first use; NULL when out of memory. */
static peer_q *
peer_get(tx_send *s, const uint8_t *id, size_t len)
{
    size_t b = peer_bucket(id, len);
    peer_q *q;

    for (q = s->peers[b]; q != NULL; q = q->next) {
        if (q->id_len == len && memcmp(q->id, id, len) == 0) {
            return q;
        }
    }
    if (len > sizeof q->id || (q = calloc(1, sizeof *q)) == NULL) {
        return NULL;
    }
    atomic_init(&q->queued, 0);
    atomic_init(&q->refs, 1);
    q->id_len = len;
    memcpy(q->id, id, len);
    q->next = s->peers[b];
    s->peers[b] = q;
    return q;
}

/* Frees the accounts of peers ZeroMQ holds nothing for (all: every one, at the end). */
static void
peers_sweep(tx_send *s, int all)
{
    for (size_t b = 0; b < PEER_BUCKETS; b++) {
        peer_q **at = &s->peers[b];

        while (*at != NULL) {
            peer_q *q = *at;

            if (all || atomic_load(&q->refs) == 1) {
                *at = q->next;
                free(q);
            } else {
                at = &q->next;
            }
        }
    }
}

/* The reply a peer gets instead of another one past PEER_QUEUE_BYTES unread. */
static int
pack_busy(uint64_t call_id, size_t queued, uint8_t **buf, size_t *len)
{
    tx_reply_pb r = TICSX__V1__REPLY__INIT;
    char msg[160];

    snprintf(msg, sizeof msg,
             "%zu KiB of replies to you are still unread at the hub; read them, then "
             "ask again",
             queued >> 10);
    r.id = call_id;
    r.status = TX_STATUS_BUSY;
    r.message = msg;
    return tx_pack(&r.base, buf, len);
}

void
tx_send_reply(tx_send *s, const uint8_t *peer, size_t peer_len, const char *who, uint64_t call_id,
              tx_reply_pb *r, int64_t now_ms)
{
    uint8_t *buf;
    size_t len, queued;
    peer_q *q;
    sent_reply *h;
    zmq_msg_t msg;
    int sent;

    r->id = call_id;
    if (tx_pack(&r->base, &buf, &len) != TX_OK) {
        tx_error("hub: out of memory packing reply %llu", (unsigned long long)call_id);
        return;
    }
    if ((q = peer_get(s, peer, peer_len)) == NULL || (h = malloc(sizeof *h)) == NULL) {
        tx_error("hub: out of memory sending reply %llu", (unsigned long long)call_id);
        free(buf);
        return;
    }
    /* A peer that does not read: past PEER_QUEUE_BYTES unread, a short BUSY goes instead. */
    queued = atomic_load(&q->queued);
    if (queued > 0 && queued + len > PEER_QUEUE_BYTES && r->status != TX_STATUS_BUSY) {
        static int64_t logged_ms;
        uint8_t *busy;
        size_t busy_len;

        if (now_ms - logged_ms >= 1000) {
            logged_ms = now_ms;
            tx_warn("hub: %s leaves %zu KiB of replies unread; its further replies are busy", who,
                    queued >> 10);
        }
        if (pack_busy(call_id, queued, &busy, &busy_len) == TX_OK) {
            free(buf);
            buf = busy;
            len = busy_len;
        }
    }
    h->q = q;
    h->len = len;
    atomic_fetch_add(&q->queued, len);
    atomic_fetch_add(&q->refs, 1);
    /* ZeroMQ takes buf without a copy and frees it (reply_freed) once written. */
    if (zmq_msg_init_data(&msg, buf, len, reply_freed, h) != 0) {
        reply_freed(buf, h);
        return;
    }
    /* Never block on one client: with ROUTER_MANDATORY a gone peer is EHOSTUNREACH and a
     * peer that stopped reading is EAGAIN; its reply is dropped, the others go on. */
    sent = zmq_send(s->router, peer, peer_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0 &&
           zmq_msg_send(&msg, s->router, ZMQ_DONTWAIT) >= 0;
    if (!sent) {
        int e = errno;
        zmq_msg_close(&msg);
        errno = e;
    }
    if (!sent) {
        if (errno == EHOSTUNREACH) {
            tx_debug("reply %llu to %s dropped: peer gone", (unsigned long long)call_id, who);
        } else {
            /* One line a second at most: a client that does not read would flood the log. */
            static int64_t logged_ms;
            static uint64_t dropped;

            dropped++;
            if (now_ms - logged_ms >= 1000) {
                logged_ms = now_ms;
                tx_warn("reply %llu to %s dropped: %s (%llu replies dropped so far)",
                        (unsigned long long)call_id, who,
                        errno == EAGAIN ? "peer is not reading" : zmq_strerror(errno),
                        (unsigned long long)dropped);
            }
        }
    }
}

void
tx_send_sweep(tx_send *s)
{
    peers_sweep(s, 0);
}

void
tx_send_destroy(tx_send **s_p)
{
    if (s_p == NULL || *s_p == NULL) {
        return;
    }
    peers_sweep(*s_p, 1);
    free(*s_p);
    *s_p = NULL;
}

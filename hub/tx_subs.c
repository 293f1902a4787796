/* Watchers and the pushes they get after each commit. */
#include "tx_subs.h"

#include "tx_error.h"
#include "tx_keys.h"
#include "tx_log.h"
#include "tx_status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define PEER_MAX 256
/* Envelopes per pushed Reply, framing aside; more go in further replies. */
#define PUSH_BYTES (TX_MAX_REPLY - (64u << 10))

typedef struct {
    uint8_t peer[PEER_MAX]; /* ROUTER routing id of the watching connection */
    size_t peer_len;
    uint8_t member[TX_KEY_LEN];
    uint64_t call_id;
    uint32_t kinds; /* bit k: watches kind k */
    int64_t expires_ms;
} watcher;

struct tx_subs {
    watcher *v;
    size_t n;
};

int
tx_subs_create(tx_subs **out)
{
    tx_subs *s = calloc(1, sizeof *s);

    *out = NULL;
    if (s == NULL) {
        return TX_ERR_NOMEM;
    }
    *out = s;
    return TX_OK;
}

void
tx_subs_destroy(tx_subs **s_p)
{
    if (s_p == NULL || *s_p == NULL) {
        return;
    }
    free((*s_p)->v);
    free(*s_p);
    *s_p = NULL;
}

size_t
tx_subs_count(const tx_subs *s)
{
    return s->n;
}

static void
drop(tx_subs *s, size_t i)
{
    s->v[i] = s->v[--s->n];
}

static void
expire(tx_subs *s, int64_t now_ms)
{
    for (size_t i = 0; i < s->n;) {
        if (s->v[i].expires_ms <= now_ms) {
            drop(s, i);
        } else {
            i++;
        }
    }
}

int
tx_subs_watch(tx_subs *s, const uint8_t *peer, size_t peer_len, const uint8_t member[TX_KEY_LEN],
              uint64_t call_id, const tx_watch_pb *w, int64_t now_ms, uint32_t *seconds, char *why,
              size_t n)
{
    uint32_t kinds = 0, secs = w->seconds;
    size_t same_member = 0;
    watcher *at = NULL;

    *seconds = 0;
    if (peer_len == 0 || peer_len > PEER_MAX) {
        snprintf(why, n, "watch: unusable connection id");
        return TX_ERR_USAGE;
    }
    for (size_t i = 0; i < w->n_kinds; i++) {
        int k = (int)w->kinds[i];
        if (!tx_kind_is_stored(k)) {
            snprintf(why, n, "watch: this hub keeps no records of kind %d", k);
            return TX_ERR_USAGE;
        }
        kinds |= 1u << k;
    }
    if (kinds == 0) {
        kinds = 1u << TX_KIND_REQUEST | 1u << TX_KIND_GRANT | 1u << TX_KIND_GRANT_REVOKE;
    }
    secs = secs == 0 ? TX_WATCH_DEFAULT_S : secs > TX_WATCH_MAX_S ? TX_WATCH_MAX_S : secs;
    expire(s, now_ms);
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].peer_len == peer_len && memcmp(s->v[i].peer, peer, peer_len) == 0) {
            at = &s->v[i];
        }
        same_member += memcmp(s->v[i].member, member, TX_KEY_LEN) == 0;
    }
    if (at == NULL) {
        /* One organisation cannot take every slot from the others. */
        if (s->n >= TX_SUBS_MAX || same_member >= TX_SUBS_PER_MEMBER) {
            snprintf(why, n, "the hub holds too many watchers%s; try again later",
                     same_member >= TX_SUBS_PER_MEMBER ? " of this organisation" : "");
            return TX_ERR_BUSY;
        }
        if ((s->n & (s->n - 1)) == 0) {
            watcher *v = realloc(s->v, (s->n ? s->n * 2 : 1) * sizeof *v);
            if (v == NULL) {
                snprintf(why, n, "out of memory");
                return TX_ERR_NOMEM;
            }
            s->v = v;
        }
        at = &s->v[s->n++];
        memset(at, 0, sizeof *at);
        memcpy(at->peer, peer, peer_len);
        at->peer_len = peer_len;
        memcpy(at->member, member, TX_KEY_LEN);
    } else if (memcmp(at->member, member, TX_KEY_LEN) != 0) {
        /* A routing id is one connection, and one connection is one member. */
        snprintf(why, n, "watch: connection id already used by another organisation");
        return TX_ERR_USAGE;
    }
    at->call_id = call_id;
    at->kinds = kinds;
    at->expires_ms = now_ms + (int64_t)secs * 1000;
    *seconds = secs;
    return TX_OK;
}

/* Sends one push; returns 0 if the watcher should be dropped (its peer is gone). */
static int
send_push(void *router, const watcher *w, tx_entry_pb **entries, size_t n)
{
    tx_reply_pb r = TICSX__V1__REPLY__INIT;
    char fp[TX_FP_LEN];
    uint8_t *buf;
    size_t len;
    int keep = 1;

    r.id = w->call_id;
    r.status = TX_STATUS_OK;
    r.message = "";
    r.push = 1;
    r.entries = entries;
    r.n_entries = n;
    if (tx_pack(&r.base, &buf, &len) != TX_OK) {
        tx_error("hub: out of memory packing a push");
        return 1;
    }
    tx_fingerprint(w->member, fp);
    if (zmq_send(router, w->peer, w->peer_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(router, buf, len, ZMQ_DONTWAIT) < 0) {
        if (errno == EHOSTUNREACH) {
            tx_debug("watcher %s gone; subscription dropped", fp);
            keep = 0;
        } else {
            tx_warn("push of %zu record(s) to watcher %s dropped: %s", n, fp,
                    errno == EAGAIN ? "peer is not reading" : zmq_strerror(errno));
        }
    } else {
        tx_debug("pushed %zu record(s) to watcher %s", n, fp);
    }
    free(buf);
    return keep;
}

/* Pushes to watcher w what it may see among recs; 0 if it should be dropped. */
static int
publish_one(tx_view *v, void *router, const watcher *w, const tx_subs_record *recs, size_t n,
            tx_entry_pb *ents, tx_entry_pb **ptrs)
{
    size_t count = 0, bytes = 0;

    for (size_t i = 0; i < n; i++) {
        const tx_subs_record *r = &recs[i];

        if (!(w->kinds & (1u << r->kind)) ||
            tx_view_may_read(v, w->member, r->kind, r->index) != TX_OK) {
            continue;
        }
        if (count > 0 && bytes + r->len > PUSH_BYTES) {
            if (!send_push(router, w, ptrs, count)) {
                return 0;
            }
            count = 0;
            bytes = 0;
        }
        ticsx__v1__entry__init(&ents[count]);
        ents[count].index = r->index;
        ents[count].envelope.data = (uint8_t *)r->env;
        ents[count].envelope.len = r->len;
        ptrs[count] = &ents[count];
        count++;
        bytes += r->len;
    }
    return count == 0 || send_push(router, w, ptrs, count);
}

void
tx_subs_publish(tx_subs *s, void *router, tx_store *store, const tx_subs_record *recs, size_t n,
                int64_t now_ms)
{
    tx_entry_pb *ents = NULL;
    tx_entry_pb **ptrs = NULL;
    tx_view *v = NULL;
    int rc;

    expire(s, now_ms);
    if (s->n == 0 || n == 0) {
        return;
    }
    ents = calloc(n, sizeof *ents);
    ptrs = calloc(n, sizeof *ptrs);
    if (ents == NULL || ptrs == NULL) {
        tx_error("hub: out of memory; %zu watcher(s) miss a push", s->n);
        goto out;
    }
    if ((rc = tx_store_view(store, &v)) != TX_OK) {
        tx_error("hub: cannot read the store for watchers: %s", tx_strerror(rc));
        goto out;
    }
    for (size_t i = 0; i < s->n;) {
        if (publish_one(v, router, &s->v[i], recs, n, ents, ptrs)) {
            i++;
        } else {
            drop(s, i);
        }
    }
out:
    tx_view_end(&v);
    free(ents);
    free(ptrs);
}

/* One round of the hub's loop: drain the calls waiting on the ROUTER, ingest every submit of
 * the round in one write transaction (group commit), then answer all of them in arrival order,
 * submits only after the commit returned. */
#include "tx_round.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_ingest.h"
#include "tx_keys.h"
#include "tx_log.h"
#include "tx_util.h"
#include "tx_zap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define ROUND_MAX 512                           /* calls drained per round */
#define ROUND_BYTES ((size_t)64 << 20)          /* submitted bytes per write transaction */
#define LIST_BYTES (TX_MAX_REPLY - (64u << 10)) /* envelopes per list reply, framing aside */

/* One call of the current round. */
typedef struct {
    uint8_t peer[256]; /* ROUTER routing id */
    size_t peer_len;
    uint8_t caller[TX_KEY_LEN];
    int is_hub;
    char who[TX_FP_LEN]; /* caller's fingerprint, or "hub", for logs */
    tx_call_pb *call;
    uint64_t call_id;
    tx_submission *sub;
    tx_outcome out;
    int answered; /* out is final before any store work (refusal, bad request) */
    int applied;  /* went through tx_ingest_apply */
} pending;

struct tx_round {
    tx_store *store;
    void *router;
    pending *calls;
    size_t n;
    uint64_t accepted, refused;
};

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
tx_round_create(void *router, tx_store *store, tx_round **out)
{
    tx_round *r = calloc(1, sizeof *r);

    *out = NULL;
    if (r == NULL) {
        return TX_ERR_NOMEM;
    }
    r->calls = calloc(ROUND_MAX, sizeof *r->calls);
    if (r->calls == NULL) {
        free(r);
        return TX_ERR_NOMEM;
    }
    r->router = router;
    r->store = store;
    *out = r;
    return TX_OK;
}

void
tx_round_destroy(tx_round **r_p)
{
    if (r_p == NULL || *r_p == NULL) {
        return;
    }
    free((*r_p)->calls);
    free(*r_p);
    *r_p = NULL;
}

void
tx_round_stats(const tx_round *r, uint64_t *accepted, uint64_t *refused)
{
    *accepted = r->accepted;
    *refused = r->refused;
}

/* The call id of bytes that do not decode, if they start with it (field 1, varint). */
static int
peek_call_id(const uint8_t *p, size_t n, uint64_t *id)
{
    uint64_t v = 0;

    if (n < 2 || p[0] != 0x08) {
        return 0;
    }
    for (size_t i = 1; i < n && i <= 10; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << (7 * (i - 1));
        if ((p[i] & 0x80) == 0) {
            *id = v;
            return 1;
        }
    }
    return 0;
}

static int
set_caller(pending *p, const char *user)
{
    if (user == NULL) {
        return TX_ERR_INTERNAL;
    }
    if (strcmp(user, TX_ZAP_HUB_USER) == 0) {
        p->is_hub = 1;
        strcpy(p->who, TX_ZAP_HUB_USER);
        return TX_OK;
    }
    if (strlen(user) != 2 * TX_KEY_LEN || tx_unhex(p->caller, TX_KEY_LEN, user) != TX_OK) {
        return TX_ERR_INTERNAL;
    }
    tx_fingerprint(p->caller, p->who);
    return TX_OK;
}

static void
pending_clear(pending *p)
{
    tx_submission_destroy(&p->sub);
    tx_free(p->call);
    p->call = NULL;
}

/* Runs what needs no store on a decoded call; sets p->answered when the verdict is final. */
static void
accept_call(tx_round *rd, pending *p)
{
    char shortid[13];

    p->call_id = p->call->id;
    if (p->is_hub && p->call->body_case != TICSX__V1__CALL__BODY_PING) {
        p->answered = 1;
        tx_outcome_set(&p->out, TICSX__V1__STATUS__FORBIDDEN, TX_ERR_FORBIDDEN,
                       "the hub's own key may only ping");
        return;
    }
    if (p->call->body_case == TICSX__V1__CALL__BODY_SUBMIT) {
        const ProtobufCBinaryData *env = &p->call->submit->envelope;

        if (tx_ingest_prepare(p->caller, env->data, env->len, &p->sub, &p->out) != TX_OK) {
            p->answered = 1;
            rd->refused++;
            tx_record_id_short(p->out.receipt.id, shortid);
            tx_info("refused %s from %s: %s", shortid, p->who, p->out.message);
        }
    }
}

/* Receives one call into p. 1: got one; 0: nothing waits; -1: dropped, try the next. */
static int
receive(tx_round *rd, pending *p)
{
    zmq_msg_t id, body;
    int extra = 0;
    int dec, rc = -1;

    memset(p, 0, sizeof *p);
    zmq_msg_init(&id);
    if (zmq_msg_recv(&id, rd->router, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&id);
        if (errno != EAGAIN && errno != EINTR) {
            tx_error("hub: receive failed: %s", zmq_strerror(errno));
        }
        return 0;
    }
    if (!zmq_msg_more(&id) || zmq_msg_size(&id) > sizeof p->peer) {
        zmq_msg_close(&id);
        return -1;
    }
    p->peer_len = zmq_msg_size(&id);
    memcpy(p->peer, zmq_msg_data(&id), p->peer_len);
    zmq_msg_close(&id);
    zmq_msg_init(&body);
    if (zmq_msg_recv(&body, rd->router, 0) < 0) {
        zmq_msg_close(&body);
        return -1;
    }
    /* A DEALER call is one frame; anything after it is read and thrown away. */
    while (zmq_msg_more(&body)) {
        zmq_msg_t rest;

        extra = 1;
        zmq_msg_init(&rest);
        if (zmq_msg_recv(&rest, rd->router, 0) < 0) {
            zmq_msg_close(&rest);
            break;
        }
        if (!zmq_msg_more(&rest)) {
            zmq_msg_close(&rest);
            break;
        }
        zmq_msg_close(&rest);
    }
    if (set_caller(p, zmq_msg_gets(&body, "User-Id")) != TX_OK) {
        tx_error("hub: dropped a call without a ZAP user id");
        goto out;
    }
    dec = extra ? TX_ERR_MALFORMED
                : tx_decode_call(zmq_msg_data(&body), zmq_msg_size(&body), &p->call);
    if (dec != TX_OK) {
        const char *why = extra ? "a call is one frame" : tx_codec_detail();

        /* Answerable only if the id can be read; otherwise the caller's wait times out. */
        if (!peek_call_id(zmq_msg_data(&body), zmq_msg_size(&body), &p->call_id)) {
            tx_info("dropped an undecodable call from %s: %s", p->who, why);
            goto out;
        }
        p->answered = 1;
        tx_outcome_set(&p->out, tx_err_status(dec), dec, "call does not decode: %s", why);
        tx_info("bad call %llu from %s: %s", (unsigned long long)p->call_id, p->who, why);
    } else {
        accept_call(rd, p);
    }
    rc = 1;
out:
    zmq_msg_close(&body);
    return rc;
}

static void
send_reply(tx_round *rd, pending *p, Ticsx__V1__Reply *r)
{
    uint8_t *buf;
    size_t len;

    r->id = p->call_id;
    if (tx_pack(&r->base, &buf, &len) != TX_OK) {
        tx_error("hub: out of memory packing reply %llu", (unsigned long long)p->call_id);
        return;
    }
    /* Never block on one client: with ROUTER_MANDATORY a gone peer is EHOSTUNREACH and a
     * peer that stopped reading is EAGAIN; its reply is dropped, the others go on. */
    if (zmq_send(rd->router, p->peer, p->peer_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(rd->router, buf, len, ZMQ_DONTWAIT) < 0) {
        if (errno == EHOSTUNREACH) {
            tx_debug("reply %llu to %s dropped: peer gone", (unsigned long long)p->call_id, p->who);
        } else {
            tx_warn("reply %llu to %s dropped: %s", (unsigned long long)p->call_id, p->who,
                    errno == EAGAIN ? "peer is not reading" : zmq_strerror(errno));
        }
    }
    free(buf);
}

static void
log_verdict(tx_round *rd, const pending *p)
{
    char shortid[13];

    tx_record_id_short(p->out.receipt.id, shortid);
    if (p->out.status != TICSX__V1__STATUS__OK) {
        rd->refused++;
        tx_info("refused %s from %s: %s", shortid, p->who, p->out.message);
    } else if (p->out.receipt.duplicate) {
        tx_info("duplicate %s %s #%llu from %s", tx_kind_name(tx_submission_kind(p->sub)), shortid,
                (unsigned long long)p->out.receipt.index, p->who);
    } else {
        rd->accepted++;
        tx_info("accepted %s %s #%llu from %s", tx_kind_name(tx_submission_kind(p->sub)), shortid,
                (unsigned long long)p->out.receipt.index, p->who);
    }
}

/* Ingests every prepared submit of the round in one write transaction. */
static void
commit_submits(tx_round *rd)
{
    tx_batch *b = NULL;
    uint64_t base = 0;
    size_t count = 0;
    int64_t t0 = now_ms();
    int rc = tx_store_begin(rd->store, &b);

    if (rc == TX_OK) {
        base = tx_batch_base(b);
        for (size_t i = 0; i < rd->n && rc == TX_OK; i++) {
            pending *p = &rd->calls[i];
            if (p->sub != NULL && !p->answered) {
                rc = tx_ingest_apply(b, p->sub, &p->out);
                p->applied = 1;
                count++;
            }
        }
        rc = rc == TX_OK ? tx_batch_commit(&b) : rc;
        tx_batch_abort(&b);
    }
    if (rc != TX_OK) {
        size_t lost = 0;
        /* Nothing of the batch is stored: every submit that was not refused on its own gets
         * the failure, except duplicates of records committed before the batch. */
        for (size_t i = 0; i < rd->n; i++) {
            pending *p = &rd->calls[i];
            if (p->sub == NULL || p->answered) {
                continue;
            }
            if (p->applied && p->out.status == TICSX__V1__STATUS__OK && p->out.receipt.duplicate &&
                p->out.receipt.index <= base) {
                continue;
            }
            tx_outcome_storage(&p->out, rc);
            lost++;
        }
        tx_error("hub: a batch of %zu submit(s) was not stored: %s", lost, tx_strerror(rc));
        return;
    }
    for (size_t i = 0; i < rd->n; i++) {
        pending *p = &rd->calls[i];
        if (p->sub != NULL && !p->answered) {
            log_verdict(rd, p);
        }
    }
    tx_debug("committed a batch of %zu submit(s) in %lld ms", count, (long long)(now_ms() - t0));
}

static void
answer_get(tx_view *v, pending *p, Ticsx__V1__Reply *r, tx_entry *ent, Ticsx__V1__Entry *e)
{
    char shortid[13];
    int rc = tx_view_get(v, p->call->get->record_id.data, p->caller, ent);

    if (rc == TX_OK) {
        e->index = ent->index;
        e->envelope.data = ent->env;
        e->envelope.len = ent->len;
        r->n_entries = 1;
        return;
    }
    tx_record_id_short(p->call->get->record_id.data, shortid);
    if (rc == TX_ERR_NOT_FOUND) {
        tx_outcome_set(&p->out, TICSX__V1__STATUS__NOT_FOUND, rc,
                       "record %s is not stored or not visible to you", shortid);
    } else {
        tx_outcome_storage(&p->out, rc);
    }
}

static void
answer_list(tx_view *v, pending *p, Ticsx__V1__Reply *r, tx_entry **ents, size_t *n)
{
    const Ticsx__V1__ListRecords *l = p->call->list;
    int rc;

    if (l->kind == TICSX__V1__KIND__KIND_NONE) {
        tx_outcome_set(&p->out, TICSX__V1__STATUS__BAD_REQUEST, TX_ERR_USAGE,
                       "list: a kind is required");
        return;
    }
    rc =
        tx_view_list(v, (int)l->kind, p->caller, l->after, l->limit, LIST_BYTES, ents, n, &r->next);
    if (rc == TX_ERR_USAGE) {
        tx_outcome_set(&p->out, TICSX__V1__STATUS__BAD_REQUEST, rc,
                       "list: this hub keeps no records of kind %d", (int)l->kind);
    } else if (rc != TX_OK) {
        tx_outcome_storage(&p->out, rc);
    }
}

/* Sends every reply of the round in arrival order; reads see the batch just committed. */
static void
answer_all(tx_round *rd)
{
    tx_view *v = NULL;
    int vrc = TX_OK;

    for (size_t i = 0; i < rd->n; i++) {
        pending *p = &rd->calls[i];
        Ticsx__V1__Reply r = TICSX__V1__REPLY__INIT;
        Ticsx__V1__Receipt receipt = TICSX__V1__RECEIPT__INIT;
        Ticsx__V1__Entry one = TICSX__V1__ENTRY__INIT;
        Ticsx__V1__Entry *one_p = &one;
        Ticsx__V1__Entry *many = NULL, **many_p = NULL;
        tx_entry ent = {0}, *ents = NULL;
        size_t n_ents = 0;
        int is_read = !p->answered && (p->call->body_case == TICSX__V1__CALL__BODY_GET ||
                                       p->call->body_case == TICSX__V1__CALL__BODY_LIST);

        if (is_read && v == NULL && vrc == TX_OK) {
            vrc = tx_store_view(rd->store, &v);
        }
        if (is_read && vrc != TX_OK) {
            tx_outcome_storage(&p->out, vrc);
        } else if (!p->answered && p->call->body_case == TICSX__V1__CALL__BODY_GET) {
            answer_get(v, p, &r, &ent, &one);
            r.entries = r.n_entries ? &one_p : NULL;
        } else if (!p->answered && p->call->body_case == TICSX__V1__CALL__BODY_LIST) {
            answer_list(v, p, &r, &ents, &n_ents);
            many = calloc(n_ents ? n_ents : 1, sizeof *many);
            many_p = calloc(n_ents ? n_ents : 1, sizeof *many_p);
            if (many == NULL || many_p == NULL) {
                tx_outcome_storage(&p->out, TX_ERR_NOMEM);
                n_ents = 0;
            }
            for (size_t k = 0; k < n_ents; k++) {
                ticsx__v1__entry__init(&many[k]);
                many[k].index = ents[k].index;
                many[k].envelope.data = ents[k].env;
                many[k].envelope.len = ents[k].len;
                many_p[k] = &many[k];
            }
            r.n_entries = n_ents;
            r.entries = n_ents ? many_p : NULL;
        } else if (!p->answered && p->call->body_case == TICSX__V1__CALL__BODY_PING) {
            tx_outcome_set(&p->out, TICSX__V1__STATUS__OK, TX_OK, "ok");
        }
        if (p->sub != NULL && p->out.status == TICSX__V1__STATUS__OK) {
            receipt.index = p->out.receipt.index;
            receipt.record_id.data = p->out.receipt.id;
            receipt.record_id.len = TX_ID_LEN;
            receipt.duplicate = p->out.receipt.duplicate != 0;
            r.receipt = &receipt;
        }
        r.status = (Ticsx__V1__Status)p->out.status;
        r.message = p->out.message;
        if (r.status != TICSX__V1__STATUS__OK) {
            r.n_entries = 0;
            r.entries = NULL;
            r.next = 0;
        }
        send_reply(rd, p, &r);
        free(ent.env);
        tx_entries_free(ents, n_ents);
        free(many);
        free(many_p);
    }
    tx_view_end(&v);
}

void
tx_round_run(tx_round *rd)
{
    size_t bytes = 0, submits = 0;

    rd->n = 0;
    while (rd->n < ROUND_MAX && bytes < ROUND_BYTES) {
        pending *p = &rd->calls[rd->n];
        int got = receive(rd, p);

        if (got == 0) {
            break;
        }
        if (got < 0) {
            pending_clear(p);
            continue;
        }
        rd->n++;
        if (p->sub != NULL && !p->answered) {
            bytes += p->call->submit->envelope.len;
            submits++;
        }
    }
    if (submits > 0) {
        commit_submits(rd);
    }
    answer_all(rd);
    for (size_t i = 0; i < rd->n; i++) {
        pending_clear(&rd->calls[i]);
    }
    rd->n = 0;
}

/* One round of the hub's loop: drain the calls waiting on the ROUTER, ingest every submit of
 * the round in one write transaction (group commit), then answer all of them in arrival order,
 * submits only after the commit returned. With a pool, the write transaction is begun, filled
 * and committed on a writer thread of its own while this thread goes on taking calls, and the
 * checkpoint each commit signs is recorded in checkpoint.signed by a third thread while the
 * writer commits the next batch. */
#include "tx_round.h"

#include "tx_calls.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_ingest.h"
#include "tx_keys.h"
#include "tx_log.h"
#include "tx_peers.h"
#include "tx_proofs.h"
#include "tx_send.h"
#include "tx_stats.h"
#include "tx_subs.h"
#include "tx_util.h"
#include "tx_vpool.h"
#include "tx_zap.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define ROUND_MAX 512                           /* calls drained per round */
#define ROUND_BYTES ((size_t)64 << 20)          /* submitted bytes per write transaction */
/* Calls one client (one connection) may have taken and not yet answered; more are answered
 * BUSY at once, without verification or store work, so a flood from one client costs the
 * others little. Twice the window the ticsx client keeps in flight (tx_rpc). */
#define PEER_MAX 512
/* Calls received by one take, those answered at once included: bounds a round's reading, and
 * with ROUND_MAX the answers one round sends to one client (see TX_HUB_SNDHWM). */
#define TAKE_MAX ROUND_MAX
/* A batch holds ROUND_MAX calls plus the rest of a SubmitBatch taken last: each of its
 * envelopes is a pending of its own (verified, ingested and counted in flight alone). */
#define BATCH_SLOTS (ROUND_MAX + TX_MAX_BATCH)
/* Slots of the cache of callers by ZAP user id (direct-mapped, a power of two). */
#define CALLER_SLOTS 64

/* One call of the current round. */
typedef struct {
    uint8_t peer[256]; /* ROUTER routing id */
    size_t peer_len;
    uint8_t caller[TX_KEY_LEN]; /* the organisation: whose records it reads */
    uint8_t person[TX_KEY_LEN]; /* is_person: the person of it who connected (its signing key) */
    int is_person;
    int is_hub;
    char who[TX_FP_LEN]; /* caller's fingerprint, or "hub", for logs */
    tx_call_pb *call;    /* a SubmitBatch's parts share its first part's */
    const tx_call_def *def; /* call's row in the call table */
    uint64_t call_id;
    const uint8_t *env; /* the envelope submitted, inside call */
    size_t env_len;
    size_t parts; /* first part of a SubmitBatch: how many envelopes it has; else 0 */
    int is_part;  /* a later part of a SubmitBatch: call belongs to the first */
    tx_submission *sub;
    tx_outcome out;
    int answered; /* out is final before any store work (refusal, bad request) */
    int applied;  /* went through tx_ingest_apply */
    int is_submit;
    int to_verify; /* a submit taken and not yet verified nor handed to the pool */
    int in_pool;   /* tx_ingest_prepare runs (or ran) on a pool thread */
    int prep_rc;  /* what tx_ingest_prepare returned */
    int busy;     /* over PEER_MAX: answered BUSY on arrival, never part of a batch */
    int64_t t_in; /* when it was taken from the router, us */
    uint64_t peer_key; /* peer's key in the table of calls in flight (never 0) */
} pending;

/* Calls taken together: verified together, committed in one transaction, answered in
 * arrival order. */
typedef struct {
    pending *calls; /* BATCH_SLOTS */
    size_t n, bytes, submits;
    size_t handed;        /* calls[0 .. handed) were looked at by dispatch */
    tx_vpool_group group; /* its submits on the pool */
    void **jobs;          /* BATCH_SLOTS: dispatch's hand-over to the pool */
    tx_store *store;      /* where it commits (the round's) */
    tx_vpool *signer;     /* records its checkpoint in checkpoint.signed; NULL: the writer */
    int retry;            /* its begin met a grown map: committed again once it is adopted */
    /* Verified and its verdicts taken in: nothing more is taken into it. From then until
     * wgroup is done the writer thread owns calls[] (its outcomes) and the fields below. */
    int started;
    int commits;           /* started with submits to store: committed by commit_job */
    tx_vpool_group wgroup; /* commit_job on the writer thread */
    int commit_rc;
    int64_t commit_us; /* the LMDB commit's own time (its flushes) */
    uint64_t base;     /* the last index committed before it */
    /* Once committed in LMDB, the checkpoint it signed, recorded by sign_job on the signer
     * (sgroup) while the writer commits the next batch: the batch is answered after that. */
    tx_signed_due due;
    tx_vpool_group sgroup;
    int sign_rc;
} batch;

/* A caller as its ZAP user id names it (CALLER_SLOTS of them, direct-mapped). */
typedef struct {
    char user[4 * TX_KEY_LEN + 1]; /* "": an empty slot */
    uint8_t caller[TX_KEY_LEN], person[TX_KEY_LEN];
    int is_person;
    char who[TX_FP_LEN];
} caller_slot;

struct tx_round {
    tx_store *store;
    void *router;
    pending *calls; /* the batch being committed and answered (b[0].calls between rounds) */
    size_t n;
    batch b[2]; /* b[fill] takes calls while b[!fill], taken before, is verified */
    int fill;
    uint64_t accepted, refused;
    tx_subs *subs;          /* watchers, pushed the records of each commit */
    tx_vpool *pool;         /* verifies submits; NULL: on this thread */
    /* One thread that begins, fills and commits each batch's write transaction (LMDB wants one
     * thread to do all three) while this one takes and verifies the next batch; NULL: this
     * thread commits. Created with the pool. */
    tx_vpool *writer;
    /* One thread that records each commit's checkpoint in checkpoint.signed, in commit order,
     * while the writer commits the next batch; NULL: the writer records it. */
    tx_vpool *signer;
    tx_send *send;          /* replies, with the bytes queued per peer */
    /* Calls taken and not answered per connection (at most one connection per pending of
     * both batches). */
    tx_peers *peers;
    /* Callers as their ZAP user id names them, decoded (keys from hex, the fingerprint) once
     * rather than for every call: a fingerprint is a SHA-256 and base64. */
    caller_slot *callers;
    tx_stats *stats;        /* counters for the metrics page; NULL: none */
    int64_t signed_retry_ms; /* when tx_round_quiet last retried a failed checkpoint.signed */
    /* The last call on the router was a receive that found nothing: ZeroMQ then took in its
     * pending commands, so its descriptor signals the next call (wait_input). */
    int drained;
};

int
tx_round_create(void *router, tx_store *store, tx_round **out)
{
    tx_round *r = calloc(1, sizeof *r);

    *out = NULL;
    if (r == NULL) {
        return TX_ERR_NOMEM;
    }
    r->calls = calloc(BATCH_SLOTS, sizeof *r->calls);
    r->b[1].calls = calloc(BATCH_SLOTS, sizeof *r->calls);
    r->b[0].jobs = calloc(BATCH_SLOTS, sizeof *r->b[0].jobs);
    r->b[1].jobs = calloc(BATCH_SLOTS, sizeof *r->b[1].jobs);
    r->callers = calloc(CALLER_SLOTS, sizeof *r->callers);
    if (r->calls == NULL || r->b[1].calls == NULL || r->b[0].jobs == NULL || r->b[1].jobs == NULL ||
        r->callers == NULL || tx_peers_create(2 * BATCH_SLOTS, &r->peers) != TX_OK ||
        tx_subs_create(&r->subs) != TX_OK || tx_send_create(router, &r->send) != TX_OK) {
        tx_subs_destroy(&r->subs);
        free(r->calls);
        free(r->b[1].calls);
        free(r->b[0].jobs);
        free(r->b[1].jobs);
        tx_peers_destroy(&r->peers);
        free(r->callers);
        free(r);
        return TX_ERR_NOMEM;
    }
    r->b[0].calls = r->calls;
    r->b[0].store = r->b[1].store = store;
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
    /* Idle: every batch handed to them was waited for (finish). */
    tx_vpool_destroy(&(*r_p)->writer);
    tx_vpool_destroy(&(*r_p)->signer);
    tx_send_destroy(&(*r_p)->send);
    tx_subs_destroy(&(*r_p)->subs);
    free((*r_p)->b[0].calls);
    free((*r_p)->b[1].calls);
    free((*r_p)->b[0].jobs);
    free((*r_p)->b[1].jobs);
    tx_peers_destroy(&(*r_p)->peers);
    free((*r_p)->callers);
    free(*r_p);
    *r_p = NULL;
}

void
tx_round_stats(const tx_round *r, uint64_t *accepted, uint64_t *refused)
{
    *accepted = r->accepted;
    *refused = r->refused;
}

void
tx_round_set_stats(tx_round *r, tx_stats *stats)
{
    r->stats = stats;
}

void
tx_round_set_pool(tx_round *r, tx_vpool *pool)
{
    r->pool = pool;
    /* Not niced: the writer holds the flushes every answer waits for. */
    if (pool != NULL && r->writer == NULL &&
        tx_vpool_create_as(1, "tx-write", 0, &r->writer) != TX_OK) {
        tx_warn("hub: no writer thread; the loop commits itself");
    }
    /* Not niced either: every answer waits for its flush. */
    if (r->writer != NULL && r->signer == NULL &&
        tx_vpool_create_as(1, "tx-sign", 0, &r->signer) != TX_OK) {
        tx_warn("hub: no thread for checkpoint.signed; the writer records it");
    }
    r->b[0].signer = r->b[1].signer = r->signer;
    tx_store_defer_remap(r->store, r->writer != NULL);
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
set_caller(tx_round *rd, pending *p, const char *user)
{
    char org[2 * TX_KEY_LEN + 1];
    caller_slot *c;
    size_t len;

    if (user == NULL) {
        return TX_ERR_INTERNAL;
    }
    if (strcmp(user, TX_ZAP_HUB_USER) == 0) {
        p->is_hub = 1;
        strcpy(p->who, TX_ZAP_HUB_USER);
        return TX_OK;
    }
    /* An organisation's key, or (a person of it, tx_zap.h) its key then the person's. */
    len = strlen(user);
    if (len != 2 * TX_KEY_LEN && len != 4 * TX_KEY_LEN) {
        return TX_ERR_INTERNAL;
    }
    /* The hex digits of a key are as good as random: three of them pick the slot. */
    c = &rd->callers[((unsigned char)user[0] * 31u + (unsigned char)user[1] * 7u +
                      (unsigned char)user[len - 1]) &
                     (CALLER_SLOTS - 1)];
    if (strcmp(c->user, user) != 0) {
        c->user[0] = 0;
        c->is_person = len == 4 * TX_KEY_LEN;
        memset(c->person, 0, TX_KEY_LEN);
        memcpy(org, user, 2 * TX_KEY_LEN);
        org[2 * TX_KEY_LEN] = 0;
        if (tx_unhex(c->caller, TX_KEY_LEN, org) != TX_OK ||
            (c->is_person && tx_unhex(c->person, TX_KEY_LEN, user + 2 * TX_KEY_LEN) != TX_OK)) {
            return TX_ERR_INTERNAL;
        }
        tx_fingerprint(c->caller, c->who);
        memcpy(c->user, user, len + 1);
    }
    p->is_person = c->is_person;
    memcpy(p->caller, c->caller, TX_KEY_LEN);
    memcpy(p->person, c->person, TX_KEY_LEN);
    memcpy(p->who, c->who, TX_FP_LEN);
    return TX_OK;
}

/* A person's connection outlives its removal or expiry: every call it makes is refused from
 * then on (NOT_ENROLLED, as at the handshake), not only its next handshake. Sets p->out. */
static int
person_current(tx_round *rd, pending *p)
{
    tx_person person;
    char fp[TX_FP_LEN];
    int rc = tx_store_person(rd->store, TX_PERSON_BY_KEY, p->person, &person);

    if (rc == TX_OK && memcmp(person.org, p->caller, TX_KEY_LEN) == 0 &&
        tx_person_acts(&person, (int64_t)time(NULL))) {
        return 1;
    }
    if (rc != TX_OK && rc != TX_ERR_NOT_FOUND) {
        tx_outcome_storage(&p->out, rc);
    } else {
        tx_fingerprint(p->person, fp);
        tx_outcome_set(&p->out, TX_STATUS_NOT_ENROLLED, TX_ERR_NOT_ENROLLED,
                       "%s is no longer a member of its organisation (removed or expired)", fp);
    }
    return 0;
}

static void
pending_clear(pending *p)
{
    tx_submission_destroy(&p->sub);
    if (!p->is_part) {
        tx_free(p->call);
    }
    p->call = NULL;
}

/* Decodes and verifies one submit, on a pool thread or this one. Touches only p. */
static void
prepare_job(void *arg)
{
    pending *p = arg;

    p->prep_rc = tx_ingest_prepare_as(p->caller, p->is_person ? p->person : NULL, p->env,
                                      p->env_len, &p->sub, &p->out);
}

/* Counts and logs the verdict on a submit. */
static void
log_verdict(tx_round *rd, const pending *p)
{
    char shortid[13];

    tx_record_id_short(p->out.receipt.id, shortid);
    if (p->out.status != TX_STATUS_OK) {
        rd->refused++;
        tx_log_kv(TX_LOG_INFO,
                  TX_FIELDS(TX_KV("outcome", "refused"), TX_KV("id", shortid),
                            TX_KV("status", tx_status_name(p->out.status)), TX_KV("peer", p->who)),
                  "refused %s from %s: %s: %s", shortid, p->who, tx_status_text(p->out.status),
                  p->out.message);
    } else {
        const char *kind = tx_kind_name(tx_submission_kind(p->sub));
        const char *outcome = p->out.receipt.duplicate ? "duplicate" : "accepted";

        rd->accepted += !p->out.receipt.duplicate;
        tx_log_kv(TX_LOG_INFO,
                  TX_FIELDS(TX_KV("outcome", outcome), TX_KV("kind", kind), TX_KV("id", shortid),
                            TX_KN("index", p->out.receipt.index), TX_KV("peer", p->who)),
                  "%s %s %s #%llu from %s", outcome, kind, shortid,
                  (unsigned long long)p->out.receipt.index, p->who);
    }
}

/* Takes in what tx_ingest_prepare decided: a refusal is final before any store work. */
static void
prepared(tx_round *rd, pending *p)
{
    if (p->prep_rc != TX_OK) {
        p->answered = 1;
        log_verdict(rd, p);
    }
}

/* Verifies a submit on this thread (no pool, a lone submit, or a pool out of memory). */
static void
verify_here(tx_round *rd, pending *p)
{
    p->to_verify = 0;
    prepare_job(p);
    prepared(rd, p);
}

/* Runs what needs no store on a decoded call; sets p->answered when the verdict is final. A
 * submit is verified here when there is no pool; otherwise dispatch decides where, once the
 * take is over. */
static void
accept_call(tx_round *rd, pending *p)
{
    p->call_id = p->call->id;
    if (p->def->flags & TX_CALL_WRITES) {
        p->is_submit = 1;
        if (rd->pool != NULL) {
            p->to_verify = 1;
            return;
        }
        verify_here(rd, p);
    }
}

/* True when this thread would only wait while b's calls are verified: the other batch is
 * empty, or started and committing on the writer (the loop waits for its signal). */
static int
loop_would_wait(const tx_round *rd, const batch *b)
{
    const batch *other = &rd->b[b == &rd->b[0]];

    return other->n == 0 || (other->started && other->commits && rd->writer != NULL);
}

/* Verifies the submits b took since the last dispatch. When the pool is idle and this thread
 * would otherwise wait (loop_would_wait), the first of them is verified on this thread: for a
 * lone one, handing it over would cost two thread wake-ups (a worker's, then this thread's)
 * for the same work; with more, the pool verifies the others meanwhile with one worker fewer
 * to wake. At most one per take, so a commit that ends meanwhile is answered at most one
 * verification later. The others go to the pool first, all at once: one lock, one wake-up
 * call. Their verdicts are read once b's group is done (finish). */
static void
dispatch(tx_round *rd, batch *b)
{
    size_t n = 0, first = 0;

    for (size_t i = b->handed; i < b->n; i++) {
        if (b->calls[i].to_verify) {
            b->jobs[n++] = &b->calls[i];
        }
    }
    b->handed = b->n;
    if (n == 0) {
        return;
    }
    if (loop_would_wait(rd, b) && tx_vpool_depth(rd->pool) == 0) {
        first = 1; /* jobs[0] is verified here, after the others are handed over */
    }
    if (tx_vpool_submit_all(rd->pool, &b->group, prepare_job, b->jobs + first, n - first) !=
        TX_OK) {
        /* Out of memory for the queue: verified here, as without a pool. */
        for (size_t i = first; i < n; i++) {
            verify_here(rd, b->jobs[i]);
        }
    } else {
        for (size_t i = first; i < n; i++) {
            pending *p = b->jobs[i];

            p->to_verify = 0;
            p->in_pool = 1;
        }
    }
    if (first) {
        verify_here(rd, b->jobs[0]);
        if (rd->stats != NULL) {
            tx_stats_add(&rd->stats->verified_here, 1);
        }
    }
}

/* Envelopes a decoded call submits (0 for calls that submit nothing); envelope i to env. */
static size_t
call_envelope(const pending *p, size_t i, const uint8_t **env, size_t *len)
{
    return p->def->envelopes != NULL ? p->def->envelopes(p->call, i, env, len) : 0;
}

/* Calls (envelopes, for a SubmitBatch) taken from p's connection and not yet answered, in
 * both batches. */
static size_t
in_flight(const tx_round *rd, const pending *p)
{
    return tx_peers_calls(rd->peers, p->peer_key);
}

/* Pending slots a decoded call takes: one per envelope, at least one. */
static size_t
call_slots(const pending *p)
{
    const uint8_t *env;
    size_t len, n = call_envelope(p, 0, &env, &len);

    return n > 1 ? n : 1;
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
    p->t_in = tx_clock_us();
    p->peer_len = zmq_msg_size(&id);
    memcpy(p->peer, zmq_msg_data(&id), p->peer_len);
    p->peer_key = tx_peers_key(rd->peers, p->peer, p->peer_len);
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
    if (set_caller(rd, p, zmq_msg_gets(&body, "User-Id")) != TX_OK) {
        tx_error("hub: dropped a call without a ZAP user id");
        goto out;
    }
    dec = extra ? TX_ERR_MALFORMED
                : tx_decode_call(zmq_msg_data(&body), zmq_msg_size(&body), &p->call);
    if (dec != TX_OK) {
        const char *why = extra ? "a call is one frame" : tx_codec_detail();

        /* Answerable only if the id can be read; otherwise the caller's wait times out. */
        if (!peek_call_id(zmq_msg_data(&body), zmq_msg_size(&body), &p->call_id)) {
            tx_log_kv(TX_LOG_INFO, TX_FIELDS(TX_KV("outcome", "dropped"), TX_KV("peer", p->who)),
                      "dropped an undecodable call from %s: %s", p->who, why);
            goto out;
        }
        p->answered = 1;
        tx_outcome_set(&p->out, tx_err_status(dec), dec, "call does not decode: %s", why);
        tx_log_kv(TX_LOG_INFO,
                  TX_FIELDS(TX_KV("outcome", "refused"),
                            TX_KV("status", tx_status_name(p->out.status)),
                            TX_KN("call", p->call_id), TX_KV("peer", p->who)),
                  "bad call %llu from %s: %s", (unsigned long long)p->call_id, p->who, why);
    } else if ((p->def = tx_call_admit(p->call, p->is_hub, &p->out)) == NULL) {
        p->call_id = p->call->id;
        p->answered = 1;
    } else if (p->is_person && !person_current(rd, p)) {
        p->call_id = p->call->id;
        p->answered = 1;
    } else if (in_flight(rd, p) + call_slots(p) > PEER_MAX) {
        p->call_id = p->call->id;
        p->answered = p->busy = 1;
        tx_outcome_set(&p->out, TX_STATUS_BUSY, TX_ERR_BUSY,
                       "too many calls in flight from this client (%d); retry once answers "
                       "arrive",
                       PEER_MAX);
    }
    rc = 1;
out:
    zmq_msg_close(&body);
    return rc;
}

/* Accepts the call just received into b->calls[b->n]; a call answered per envelope
 * (SubmitBatch) becomes one pending per envelope, in order, the later ones sharing the first
 * one's call. Returns the slots used. */
static size_t
accept_parts(tx_round *rd, batch *b)
{
    pending *first = &b->calls[b->n];
    size_t n = call_envelope(first, 0, &first->env, &first->env_len);

    if (!(first->def->flags & TX_CALL_PER_ENVELOPE)) {
        accept_call(rd, first);
        return 1;
    }
    for (size_t j = 1; j < n; j++) {
        b->calls[b->n + j] = *first;
        b->calls[b->n + j].is_part = 1;
    }
    first->parts = n;
    tx_debug("batch call %llu from %s: %zu envelopes", (unsigned long long)first->call->id,
             first->who, n);
    for (size_t j = 0; j < n; j++) {
        pending *p = &b->calls[b->n + j];

        call_envelope(first, j, &p->env, &p->env_len);
        accept_call(rd, p);
    }
    return n;
}

/* Sends p's reply r (its id set to p's call id). */
static void
send_reply(tx_round *rd, pending *p, tx_reply_pb *r)
{
    rd->drained = 0;
    tx_send_reply(rd->send, p->peer, p->peer_len, p->who, p->call_id, r, tx_clock_ms());
}

/* Counts a commit that took us microseconds and the records it stored; a commit that grows
 * the log signs a checkpoint of it at the time tx_now() (or the last one's, if later). */
static void
count_commit(tx_round *rd, int64_t us)
{
    uint64_t stored = 0, last = 0;

    if (rd->stats == NULL) {
        return;
    }
    tx_stats_observe(&rd->stats->commit, us);
    for (size_t i = 0; i < rd->n; i++) {
        const pending *p = &rd->calls[i];
        if (p->sub != NULL && p->applied && p->out.status == TX_STATUS_OK &&
            !p->out.receipt.duplicate) {
            stored++;
            last = p->out.receipt.index > last ? p->out.receipt.index : last;
        }
    }
    if (stored > 0) {
        int64_t now = tx_now();
        tx_stats_add(&rd->stats->stored, stored);
        if (last > tx_stats_get(&rd->stats->log_size)) {
            tx_stats_set(&rd->stats->log_size, last);
        }
        if (now > atomic_load_explicit(&rd->stats->checkpoint_time, memory_order_relaxed)) {
            atomic_store_explicit(&rd->stats->checkpoint_time, now, memory_order_relaxed);
        }
    }
}

static void not_stored(batch *bt, int rc, uint64_t base);

/* Records the checkpoint bt's commit signed in checkpoint.signed. Runs on the signer (or the
 * writer, without one), after bt's LMDB commit returned and in commit order: the file never
 * leads the database. Touches only the store's record and bt's sign_rc. */
static void
sign_job(void *arg)
{
    batch *bt = arg;
    int64_t t0 = tx_clock_us();

    bt->sign_rc = tx_store_record_signed(bt->store, &bt->due);
    tx_debug("recorded checkpoint %llu in %s in %lld us", (unsigned long long)bt->due.size,
             "checkpoint.signed", (long long)(tx_clock_us() - t0));
}

/* Ingests every prepared submit of b in one write transaction and commits it; the checkpoint
 * it signs is then recorded in checkpoint.signed by sign_job, on the signer when there is one
 * (the writer goes on with the next batch meanwhile). Runs on the writer thread (or the
 * loop's, without one): touches only the store's write side and b's calls. */
static void
commit_job(void *arg)
{
    batch *bt = arg;
    tx_batch *b = NULL;
    uint64_t base = 0;
    size_t count = 0;
    int64_t t0 = tx_clock_us(), t_commit = 0;
    int rc;

    /* After a failed record tx_store_begin records again: the signer must be idle (it takes
     * jobs from this thread only, so it stays so). */
    if (bt->signer != NULL && tx_store_signed_failing(bt->store, NULL)) {
        tx_vpool_wait(bt->signer);
    }
    rc = tx_store_begin(bt->store, &b);
    memset(&bt->due, 0, sizeof bt->due);
    bt->sign_rc = TX_OK;

    bt->retry = rc != TX_OK && tx_store_remap_wanted(bt->store);
    if (bt->retry) {
        bt->commit_rc = rc; /* nothing applied: finish adopts the map and commits it again */
        return;
    }
    if (rc == TX_OK) {
        base = tx_batch_base(b);
        for (size_t i = 0; i < bt->n && rc == TX_OK; i++) {
            pending *p = &bt->calls[i];
            if (p->sub != NULL && !p->answered) {
                rc = tx_ingest_apply(b, p->sub, &p->out);
                p->applied = 1;
                count++;
            }
        }
        t_commit = tx_clock_us();
        rc = rc == TX_OK ? tx_batch_commit_lmdb(&b, &bt->due) : rc;
        tx_batch_abort(&b);
    }
    bt->commit_rc = rc;
    bt->base = base;
    if (rc != TX_OK) {
        not_stored(bt, rc, base);
        return;
    }
    bt->commit_us = tx_clock_us() - t_commit;
    tx_debug("committed a batch of %zu submit(s): stored in %lld us, committed (fsync) in %lld us",
             count, (long long)(t_commit - t0), (long long)bt->commit_us);
    if (bt->due.due && (bt->signer == NULL ||
                        tx_vpool_submit_group(bt->signer, &bt->sgroup, sign_job, bt) != TX_OK)) {
        sign_job(bt);
    }
}

/* Gives every submit of bt not refused on its own the failure rc: nothing of the batch is
 * stored. Duplicates of records committed before it (index <= base) keep their receipts. */
static void
not_stored(batch *bt, int rc, uint64_t base)
{
    size_t lost = 0;

    bt->commit_rc = rc;
    for (size_t i = 0; i < bt->n; i++) {
        pending *p = &bt->calls[i];
        if (p->sub == NULL || p->answered) {
            continue;
        }
        if (p->applied && p->out.status == TX_STATUS_OK && p->out.receipt.duplicate &&
            p->out.receipt.index <= base) {
            continue;
        }
        tx_outcome_storage(&p->out, rc);
        if (rc == TX_ERR_STORAGE_FULL) {
            /* This thread's reason: the failed write was made here (commit_job). */
            tx_outcome_set(&p->out, TX_STATUS_STORAGE_FULL, rc, "%s", tx_store_full_reason());
        } else if (tx_store_refusal(bt->store) != NULL) {
            /* The check beside the serving hub found the store damaged: the reason, not a
             * bare storage error. */
            tx_outcome_set(&p->out, TX_STATUS_INTERNAL, rc, "%s", tx_store_refusal(bt->store));
        }
        lost++;
    }
    tx_error("hub: a batch of %zu submit(s) was not stored: %s", lost, tx_strerror(rc));
}

/* Takes in b's committed outcomes on the loop: counts and logs them. */
static void
committed(tx_round *rd, const batch *b)
{
    if (b->commit_rc != TX_OK) {
        return;
    }
    count_commit(rd, b->commit_us);
    for (size_t i = 0; i < rd->n; i++) {
        pending *p = &rd->calls[i];
        if (p->sub != NULL && !p->answered) {
            log_verdict(rd, p);
        }
    }
}

/* Pushes what the round stored to the watchers that may see it. */
static void
push_committed(tx_round *rd)
{
    tx_subs_record *recs;
    size_t n = 0;

    if (tx_subs_count(rd->subs) == 0) {
        return;
    }
    recs = calloc(rd->n ? rd->n : 1, sizeof *recs);
    if (recs == NULL) {
        tx_error("hub: out of memory; watchers miss a push");
        return;
    }
    for (size_t i = 0; i < rd->n; i++) {
        const pending *p = &rd->calls[i];
        if (p->sub != NULL && p->applied && p->out.status == TX_STATUS_OK &&
            !p->out.receipt.duplicate) {
            recs[n].index = p->out.receipt.index;
            recs[n].kind = tx_submission_kind(p->sub);
            recs[n].env = p->env;
            recs[n].len = p->env_len;
            n++;
        }
    }
    rd->drained = 0;
    tx_subs_publish(rd->subs, rd->router, rd->store, recs, n, tx_clock_ms());
    free(recs);
}

/* Answers a SubmitBatch whose parts are first[0 .. first->parts): one outcome per envelope, in
 * order, and the checkpoint that holds the records stored once for all of them. */
static void
answer_batch(tx_round *rd, tx_view *v, pending *first, tx_proofs_latest *latest)
{
    tx_reply_pb r = TICSX__V1__REPLY__INIT;
    size_t n = first->parts, stored = 0;
    tx_outcome_pb *outs = calloc(n, sizeof *outs);
    tx_outcome_pb **outs_p = calloc(n, sizeof *outs_p);
    tx_receipt_pb *rcpts = calloc(n, sizeof *rcpts);
    tx_reply_keep *keeps = calloc(n, sizeof *keeps); /* leaf hashes only */
    char msg[64];

    if (outs == NULL || outs_p == NULL || rcpts == NULL || keeps == NULL) {
        r.status = TX_STATUS_INTERNAL;
        r.message = "the hub is out of memory answering this batch; submit it again";
        n = 0;
    }
    for (size_t j = 0; j < n; j++) {
        const pending *p = &first[j];

        ticsx__v1__outcome__init(&outs[j]);
        outs_p[j] = &outs[j];
        outs[j].status = (Ticsx__V1__Status)p->out.status;
        outs[j].message = (char *)p->out.message;
        if (p->sub == NULL || p->out.status != TX_STATUS_OK) {
            continue;
        }
        ticsx__v1__receipt__init(&rcpts[j]);
        tx_reply_receipt(&rcpts[j], &p->out.receipt);
        if (v != NULL) {
            tx_proofs_receipt(v, p->out.receipt.index, tx_submission_leaf(p->sub), &rcpts[j],
                              &keeps[j], latest);
        }
        if (rcpts[j].checkpoint.len > 0) {
            r.checkpoint = rcpts[j].checkpoint;
            rcpts[j].checkpoint.data = NULL;
            rcpts[j].checkpoint.len = 0;
        }
        outs[j].receipt = &rcpts[j];
        stored++;
    }
    if (n > 0) {
        snprintf(msg, sizeof msg, "%zu of %zu stored", stored, n);
        r.status = TX_STATUS_OK;
        r.message = msg;
        r.n_outcomes = n;
        r.outcomes = outs_p;
    }
    send_reply(rd, first, &r);
    free(outs);
    free(outs_p);
    free(rcpts);
    free(keeps);
}

/* The answer context of p's call; v is the round's snapshot. */
static tx_answer
answer_of(tx_round *rd, pending *p, tx_view *v, tx_reply_pb *r, tx_reply_keep *keep)
{
    return (tx_answer){.store = rd->store,
                       .view = v,
                       .subs = rd->subs,
                       .call = p->call,
                       .caller = p->caller,
                       .who = p->who,
                       .peer = p->peer,
                       .peer_len = p->peer_len,
                       .now_ms = tx_clock_ms(),
                       .r = r,
                       .out = &p->out,
                       .keep = keep};
}

/* True when a call of the round writes on this thread (before_snapshot): the next batch then
 * waits for it, and for the round's checkpoint.signed. */
static int
writes_here(const tx_round *rd)
{
    for (size_t i = 0; i < rd->n; i++) {
        const pending *p = &rd->calls[i];
        if (!p->answered && !p->is_part && (p->def->flags & (TX_CALL_FRESH | TX_CALL_OWN_TXN))) {
            return 1;
        }
    }
    return 0;
}

/* Runs what must happen before the round's snapshot: a checkpoint of the whole log when a
 * call wants one (records another process, such as enroll, appended since the last commit
 * get one first, so the snapshot holds it), and the calls that write a transaction of their
 * own (cosignatures), which are answered here. */
static void
before_snapshot(tx_round *rd)
{
    for (size_t i = 0; i < rd->n; i++) {
        const pending *p = &rd->calls[i];
        if (!p->answered && (p->def->flags & TX_CALL_FRESH)) {
            int rc = tx_store_checkpoint_refresh(rd->store, NULL);
            /* A failed checkpoint.signed was logged once already (tx_store_signed_note). */
            if (rc != TX_OK && !tx_store_signed_failing(rd->store, NULL)) {
                tx_error("hub: cannot sign a checkpoint: %s", tx_strerror(rc));
            }
            break;
        }
    }
    for (size_t i = 0; i < rd->n; i++) {
        pending *p = &rd->calls[i];
        if (!p->answered && !p->is_part && (p->def->flags & TX_CALL_OWN_TXN)) {
            tx_answer a = answer_of(rd, p, NULL, NULL, NULL);
            p->def->answer(&a);
            p->answered = 1;
        }
    }
}

static void start_if_ready(tx_round *rd, batch *b);

/* Takes the round's snapshot (*v, or its failure in *vrc) and hands `next` (the batch taken
 * since; NULL: none) to the writer thread, when there is one and next is verified: its commit
 * overlaps what is left of this round (the flush of its checkpoint.signed, the answers' proofs,
 * encoding and sending). Neither the snapshot nor any answer of this round names a checkpoint
 * of next, whose checkpoint.signed is not durable yet. */
static void
snapshot_and_start(tx_round *rd, batch *next, tx_view **v, int *vrc)
{
    if (*v == NULL && *vrc == TX_OK && next != NULL && rd->writer != NULL && next->n > 0 &&
        !next->started) {
        *vrc = tx_store_view(rd->store, v);
        start_if_ready(rd, next);
    }
}

/* Sends every reply of the round in arrival order; reads see the batch just committed (v, when
 * snapshot_and_start took it already, or vrc its failure; else taken here, after the round's
 * own writes). */
static void
answer_all(tx_round *rd, batch *next, tx_view *v, int vrc)
{
    tx_proofs_latest latest = {0}; /* the checkpoint every receipt of this snapshot carries */

    /* The writes of this round's own calls (a fresh checkpoint, cosignatures) come before the
     * next batch's submits. */
    before_snapshot(rd);
    snapshot_and_start(rd, next, &v, &vrc);
    for (size_t i = 0; i < rd->n; i++) {
        pending *p = &rd->calls[i];
        tx_reply_pb r = TICSX__V1__REPLY__INIT;
        tx_receipt_pb receipt = TICSX__V1__RECEIPT__INIT;
        tx_reply_keep keep = {0};
        int is_read = !p->answered && (p->def->flags & TX_CALL_READS);
        int with_receipt = p->sub != NULL && p->out.status == TX_STATUS_OK;

        if (p->is_part) {
            continue; /* answered with the first part of its SubmitBatch */
        }
        if ((is_read || with_receipt || p->parts > 0) && v == NULL && vrc == TX_OK) {
            vrc = tx_store_view(rd->store, &v);
        }
        if (p->parts > 0) {
            answer_batch(rd, vrc == TX_OK ? v : NULL, p, &latest);
            continue;
        }
        if (is_read && vrc != TX_OK) {
            tx_outcome_read(&p->out, vrc);
        } else if (!p->answered && p->def->answer != NULL) {
            tx_answer a = answer_of(rd, p, v, &r, &keep);
            p->def->answer(&a);
        }
        if (with_receipt) {
            tx_reply_receipt(&receipt, &p->out.receipt);
            /* Its leaf hash and a signed checkpoint that holds it: inclusion is provable. */
            if (v != NULL) {
                tx_proofs_receipt(v, p->out.receipt.index, tx_submission_leaf(p->sub), &receipt,
                                  &keep, &latest);
            }
            r.receipt = &receipt;
        }
        tx_reply_finish(&r, &p->out);
        send_reply(rd, p, &r);
        tx_reply_keep_free(&keep);
    }
    tx_proofs_latest_free(&latest);
    tx_view_end(&v);
    tx_send_sweep(rd->send);
}

/* Answers a call over PEER_MAX at once; a client that does not read loses the answer. */
static void
answer_busy(tx_round *rd, pending *p)
{
    tx_reply_pb r = TICSX__V1__REPLY__INIT;

    tx_reply_finish(&r, &p->out);
    send_reply(rd, p, &r);
}

/* Receives every call waiting now into b (the batch being filled), within its bounds. */
static void
take(tx_round *rd, batch *b)
{
    /* One log line a second at most while a client floods. */
    static int64_t logged_ms;
    size_t busy = 0;

    for (size_t received = 0; received < TAKE_MAX && b->n < ROUND_MAX && b->bytes < ROUND_BYTES;
         received++) {
        pending *p = &b->calls[b->n];
        int got = receive(rd, p);

        rd->drained = got == 0;
        if (got == 0) {
            break;
        }
        if (got > 0 && p->busy) {
            if (busy++ == 0 && tx_clock_ms() - logged_ms >= 1000) {
                logged_ms = tx_clock_ms();
                tx_log_kv(TX_LOG_WARN, TX_FIELDS(TX_KV("status", "busy"), TX_KV("peer", p->who)),
                          "hub: %s has %d calls in flight; its further calls are answered busy",
                          p->who, PEER_MAX);
            }
            if (rd->stats != NULL && (p->def->flags & TX_CALL_WRITES)) {
                tx_stats_add(&rd->stats->submits[TX_STATUS_BUSY], call_slots(p));
            }
            answer_busy(rd, p);
        }
        if (got < 0 || p->busy) {
            pending_clear(p);
            continue;
        }
        if (p->answered) {
            tx_peers_took(rd->peers, p->peer_key);
            b->n++;
            continue;
        }
        for (size_t j = 0, n = accept_parts(rd, b); j < n; j++, b->n++) {
            tx_peers_took(rd->peers, b->calls[b->n].peer_key);
            if (b->calls[b->n].is_submit && !b->calls[b->n].answered) {
                b->bytes += b->calls[b->n].env_len;
                b->submits++;
            }
        }
    }
    if (rd->pool != NULL) {
        dispatch(rd, b);
    }
}

static int
batch_full(const batch *b)
{
    return b->n >= ROUND_MAX || b->bytes >= ROUND_BYTES;
}

/* True when b's submits are verified; when not, the pool's descriptor is signalled once they
 * are (the loop waits on it next). */
static int
batch_verified(tx_round *rd, batch *b)
{
    return rd->pool == NULL || tx_vpool_group_watch(rd->pool, &b->group);
}

/* Sleeps until a call may be waiting on the router, the pool or the writer signals, or
 * timeout_us passed. zmq_poll counts in milliseconds; the router's ZMQ_FD with ppoll gives
 * microseconds. That descriptor is edge-triggered, so ZMQ_EVENTS is asked first, unless the
 * last call on the router was a receive that found nothing (it asked the same). The pool and
 * the writer signal only what the loop watches (batch_verified, batch_done), and a signal
 * seen here is consumed here, before the loop asks what it reports: one left over only makes
 * the next wait return at once. */
static void
wait_input(tx_round *rd, int64_t timeout_us)
{
    struct pollfd pfd[3];
    struct timespec ts;
    size_t len = sizeof(int);
    int events = 0, fd = -1;

    if (!rd->drained &&
        (zmq_getsockopt(rd->router, ZMQ_EVENTS, &events, &len) != 0 || (events & ZMQ_POLLIN))) {
        return;
    }
    rd->drained = 0;
    len = sizeof fd;
    if (zmq_getsockopt(rd->router, ZMQ_FD, &fd, &len) != 0) {
        return;
    }
    /* A negative descriptor is left out by ppoll. */
    pfd[0] = (struct pollfd){fd, POLLIN, 0};
    pfd[1] = (struct pollfd){rd->pool != NULL ? tx_vpool_fd(rd->pool) : -1, POLLIN, 0};
    pfd[2] = (struct pollfd){rd->writer != NULL ? tx_vpool_fd(rd->writer) : -1, POLLIN, 0};
    ts.tv_sec = timeout_us / 1000000;
    ts.tv_nsec = (timeout_us % 1000000) * 1000;
    if (ppoll(pfd, 3, &ts, NULL) <= 0) {
        return;
    }
    if (pfd[1].revents & POLLIN) {
        tx_vpool_clear_fd(rd->pool);
    }
    if (pfd[2].revents & POLLIN) {
        tx_vpool_clear_fd(rd->writer);
    }
}

/* Takes in the verdicts of b's verification (waiting for the pool if need be) and hands its
 * submits to the writer thread, or commits them here without one. Nothing more is taken into
 * b: the calls arriving meanwhile go to the other batch. */
static void
start(tx_round *rd, batch *b)
{
    if (rd->pool != NULL && b->submits > 0) {
        tx_vpool_group_wait(rd->pool, &b->group);
        for (size_t i = 0; i < b->n; i++) {
            if (b->calls[i].in_pool) {
                prepared(rd, &b->calls[i]);
            }
        }
    }
    b->started = 1;
    b->commits = 0;
    b->commit_rc = TX_OK;
    for (size_t i = 0; i < b->n; i++) {
        b->commits |= b->calls[i].sub != NULL && !b->calls[i].answered;
    }
    if (!b->commits) {
        return;
    }
    if (rd->writer == NULL ||
        tx_vpool_submit_group(rd->writer, &b->wgroup, commit_job, b) != TX_OK) {
        commit_job(b);
    }
}

/* Starts b if it holds calls and is verified (its commit then runs while the loop takes). */
static void
start_if_ready(tx_round *rd, batch *b)
{
    if (b->n > 0 && !b->started && batch_verified(rd, b)) {
        start(rd, b);
    }
}

/* True when b was started and its commit, if any, is over; when not, the writer's descriptor
 * is signalled once it is. */
static int
batch_done(tx_round *rd, batch *b)
{
    return b->started &&
           (!b->commits || rd->writer == NULL || tx_vpool_group_watch(rd->writer, &b->wgroup));
}

/* Answers a batch once committed (starting it and waiting for the writer if need be), in
 * arrival order, then empties it; next (NULL: none) is the batch taken after it, handed to the
 * writer as soon as b is in LMDB, when it is verified and no call of b writes on this thread,
 * else before b's answers (snapshot_and_start). */
static void
finish(tx_round *rd, batch *b, batch *next)
{
    tx_view *v = NULL;
    int vrc = TX_OK;

    if (!b->started) {
        start(rd, b);
    }
    if (b->commits && rd->writer != NULL) {
        /* In LMDB (or failed); its checkpoint.signed is on its way (the signer). */
        tx_vpool_group_wait(rd->writer, &b->wgroup);
    }
    /* The writer is idle and this thread holds no transaction: a map another process grew is
     * adopted here, and a batch whose begin met it is committed again (on this thread). */
    if (tx_store_remap_wanted(rd->store) && tx_store_adopt_map(rd->store) == TX_OK && b->retry) {
        commit_job(b);
    }
    if (b->retry) {
        not_stored(b, b->commit_rc, 0);
        b->retry = 0;
    }
    rd->calls = b->calls;
    rd->n = b->n;
    /* The writer commits the next batch while b's checkpoint.signed is flushed. A call that
     * writes here waits for both instead: the writer and the signer are then idle. */
    if (!writes_here(rd)) {
        snapshot_and_start(rd, next, &v, &vrc);
    }
    if (b->commits && rd->signer != NULL) {
        /* Nothing is answered before its commit, and checkpoint.signed, are durable. */
        tx_vpool_group_wait(rd->signer, &b->sgroup);
    }
    if (b->commits && b->commit_rc == TX_OK && b->sign_rc != TX_OK) {
        /* Duplicates too: no checkpoint is named now (tx_store_signed_failing), so none gets a
         * receipt; each is found again when submitted again. */
        not_stored(b, b->sign_rc, 0);
    }
    if (b->commits) {
        committed(rd, b);
    }
    /* Counted before the answers go: a client that holds its answer finds it on the page. */
    for (size_t i = 0; rd->stats != NULL && i < rd->n; i++) {
        if (rd->calls[i].is_submit) {
            tx_stats_submit(rd->stats, rd->calls[i].out.status);
        }
    }
    /* When a call writes on this thread (a cosignature, a fresh checkpoint), the writer and the
     * signer are idle here: it comes after this batch's submits and before the next batch's. */
    answer_all(rd, next, v, vrc);
    if (rd->stats != NULL && rd->n > 0) {
        tx_stats_observe(&rd->stats->round, tx_clock_us() - rd->calls[0].t_in);
    }
    if (b->commits) {
        push_committed(rd);
        /* Calls are held in arrival order: the first is the oldest. */
        tx_debug("answered %zu call(s); the oldest was taken %lld us before", rd->n,
                 (long long)(tx_clock_us() - rd->calls[0].t_in));
    }
    for (size_t i = 0; i < rd->n; i++) {
        tx_peers_answered(rd->peers, rd->calls[i].peer_key);
        pending_clear(&rd->calls[i]);
    }
    rd->calls = rd->b[0].calls;
    rd->n = 0;
    b->n = b->bytes = b->submits = b->handed = 0;
    b->group.pending = 0;
    b->wgroup.pending = 0;
    b->sgroup.pending = 0;
    b->started = b->commits = 0;
}

/* Two batches in a pipeline: the older one is verified on the pool, then committed on the
 * writer thread, while this thread takes the calls that arrive meanwhile into the other and
 * hands their submits to the pool too; once the older one is committed it is answered, and
 * the other becomes the older one, handed to the writer as soon as it is verified. Nothing
 * waits for company: a batch is committed as soon as it is verified and the writer is free,
 * and the calls that arrive during a commit make the next group. */
void
tx_round_run(tx_round *rd)
{
    batch *cur = &rd->b[rd->fill], *prev = &rd->b[rd->fill ^ 1];

    take(rd, cur);
    if (prev->n == 0) {
        /* Nothing older: this batch becomes the older one, started at once when verified (a
         * lone submit was verified here); it is answered next round, which the hub's loop
         * runs at once (tx_round_pending). */
        if (cur->n > 0) {
            rd->fill ^= 1;
            start_if_ready(rd, cur);
        }
        return;
    }
    /* Bounded: prev holds at most ROUND_MAX calls, and cur fills up. */
    while (!batch_done(rd, prev) && !batch_full(cur)) {
        if (!prev->started && batch_verified(rd, prev)) {
            start(rd, prev);
            continue;
        }
        wait_input(rd, 1000000);
        take(rd, cur);
    }
    finish(rd, prev, cur);
    rd->fill ^= 1;
    start_if_ready(rd, cur);
}

void
tx_round_quiet(tx_round *rd)
{
    uint64_t failures;
    int failing = tx_store_signed_failing(rd->store, &failures);

    if (rd->stats != NULL) {
        tx_stats_set(&rd->stats->signed_failing, (uint64_t)failing);
        tx_stats_set(&rd->stats->signed_failures, failures);
    }
    for (int i = 0; i < 2; i++) {
        if (rd->b[i].started && rd->b[i].commits) {
            return; /* on the writer, or committed and not yet answered */
        }
    }
    if (tx_store_remap_wanted(rd->store)) {
        tx_store_adopt_map(rd->store);
    }
    /* The writer and the signer are idle: a failed checkpoint.signed is recorded again once a
     * second, so the refusals end without waiting for a write. */
    if (failing && tx_clock_ms() - rd->signed_retry_ms >= 1000) {
        rd->signed_retry_ms = tx_clock_ms();
        tx_store_signed_retry(rd->store);
    }
}

int
tx_round_pending(const tx_round *rd)
{
    return rd->b[0].n > 0 || rd->b[1].n > 0;
}

void
tx_round_finish(tx_round *rd)
{
    /* The older batch first: replies keep arrival order. */
    for (int i = 0; i < 2; i++) {
        batch *b = &rd->b[rd->fill ^ 1];

        if (b->n > 0) {
            finish(rd, b, NULL);
        }
        rd->fill ^= 1;
    }
}

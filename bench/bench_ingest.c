/* The ingest side: a real ticsx-hub on a temporary data directory, K enrolled clients each
 * with its own signer, pre-signed sealed assessments with increasing sequence numbers, and
 * raw DEALER connections with CURVE over tcp://127.0.0.1 driving it: as fast as it goes
 * (pipelined, a window of calls in flight per client), then paced open loop for latency. */
#include "bench.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_ingest.h"
#include "tx_seal.h"
#include "tx_store.h"

#include <dirent.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zmq.h>

#define REPLY_TIMEOUT_US 60000000 /* one reply; the hub answers every call */
#define RUN_DEADLINE_S 3600       /* one whole run */
#define CONNECT_TIMEOUT_MS 20000
#define PACED_IN_FLIGHT_MAX 512 /* the hub's limit of calls in flight per client */

typedef struct {
    tx_bench_ingest *ing;
    unsigned index;
    tx_identity *id;
    uint64_t next_seq; /* next sequence number to sign */
    uint64_t first_seq;
    uint8_t **calls; /* packed submits, call id = seq (of the first record of a batch) */
    size_t *call_lens;
    size_t *call_recs; /* records in each call */
    size_t n_calls, n_recs;
    uint64_t env_bytes, env_min, env_max;
    tx_bench_client cl;
    /* one run */
    double rate;         /* paced: calls per second of this client */
    int64_t t0, last_ns; /* start, last reply */
    uint64_t ok, refused;
    double *lat; /* paced: latency per call, us */
    size_t n_lat;
    int rc;
} signer;

struct tx_bench_ingest {
    tx_bench_cfg *cfg;
    char dir[PATH_MAX];
    unsigned map_mib;
    tx_bench_hub hub;
    tx_questionnaire_pb *q;
    uint8_t qid[TX_ID_LEN];
    signer *s;
    unsigned k;
    uint64_t stored_bytes;
    /* One ZeroMQ context (one I/O thread) for the K clients: each has its own connection,
     * CURVE key and signer, and the two cores go to the hub rather than to client threads. */
    void *ctx;
    /* Clients start together: they wait for `go` (or for `abort` when one could not start). */
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int go, abort;
};

/* ---- setup ---- */

static void
free_calls(signer *s)
{
    for (size_t i = 0; i < s->n_calls; i++) {
        free(s->calls[i]);
    }
    free(s->calls);
    free(s->call_lens);
    free(s->call_recs);
    s->calls = NULL;
    s->call_lens = NULL;
    s->call_recs = NULL;
    s->n_calls = s->n_recs = 0;
}

/* Enrols the signers and stores the questionnaire, straight into the store before the hub
 * runs (the hub's own ingest code; nothing here is timed). */
static int
enroll_all(tx_bench_ingest *ing, const uint8_t *qenv, size_t qlen)
{
    tx_store *st = NULL;
    tx_batch *b = NULL;
    tx_submission *sub = NULL;
    tx_outcome res = {0};
    char name[TX_NAME_MAX];
    int rc = tx_store_open(ing->dir, (size_t)ing->map_mib << 20, &st);

    for (unsigned i = 0; i < ing->k && rc == TX_OK; i++) {
        uint8_t *env;
        size_t len;

        if ((rc = tx_bench_profile(ing->s[i].id, 1, &env, &len)) != TX_OK) {
            break;
        }
        rc = tx_ingest_enroll(st, env, len, &res, name, sizeof name);
        free(env);
        if (rc == TX_OK && res.status != TICSX__V1__STATUS__OK) {
            fprintf(stderr, "ticsx-bench: enroll refused: %s\n", res.message);
            rc = TX_ERR_REFUSED;
        }
        ing->stored_bytes += len;
        ing->s[i].next_seq = 2;
    }
    if (rc == TX_OK &&
        (rc = tx_ingest_prepare(ing->s[0].id->pub.sign, qenv, qlen, &sub, &res)) == TX_OK &&
        (rc = tx_store_begin(st, &b)) == TX_OK && (rc = tx_ingest_apply(b, sub, &res)) == TX_OK) {
        rc = res.status == TICSX__V1__STATUS__OK ? tx_batch_commit(&b) : TX_ERR_REFUSED;
    }
    if (rc != TX_OK) {
        fprintf(stderr, "ticsx-bench: setting up the hub's store failed: %s %s\n", tx_strerror(rc),
                res.message);
    }
    ing->stored_bytes += qlen;
    ing->s[0].next_seq = 3;
    tx_batch_abort(&b);
    tx_submission_destroy(&sub);
    tx_store_close(&st);
    return rc;
}

static int
connect_all(tx_bench_ingest *ing)
{
    int rc = TX_OK;

    for (unsigned i = 0; i < ing->k && rc == TX_OK; i++) {
        if ((rc = tx_bench_client_open(&ing->s[i].cl, ing->ctx, ing->hub.endpoint, ing->hub.curve,
                                       ing->s[i].id)) == TX_OK) {
            rc = tx_bench_client_ping(&ing->s[i].cl, CONNECT_TIMEOUT_MS);
        }
    }
    if (rc != TX_OK) {
        fprintf(stderr, "ticsx-bench: a client could not reach the hub: %s\n", tx_strerror(rc));
    }
    return rc;
}

int
tx_bench_ingest_open(tx_bench_cfg *cfg, unsigned map_mib, tx_bench_ingest **out)
{
    tx_bench_ingest *ing = calloc(1, sizeof *ing);
    uint8_t *qenv = NULL;
    size_t qlen = 0;
    int rc = TX_ERR_NOMEM;

    *out = NULL;
    if (ing == NULL) {
        return rc;
    }
    ing->cfg = cfg;
    ing->k = cfg->clients;
    ing->map_mib = map_mib;
    ing->s = calloc(ing->k, sizeof *ing->s);
    if (ing->s == NULL) {
        free(ing);
        return rc;
    }
    pthread_mutex_init(&ing->mu, NULL);
    pthread_cond_init(&ing->cond, NULL);
    if ((ing->ctx = zmq_ctx_new()) == NULL) {
        rc = TX_ERR_NET;
        goto fail;
    }
    if ((rc = tx_bench_mkdtemp(cfg->work, "hub", ing->dir, sizeof ing->dir)) != TX_OK ||
        (rc = tx_bench_hub_init(cfg, ing->dir)) != TX_OK) {
        goto fail;
    }
    for (unsigned i = 0; i < ing->k && rc == TX_OK; i++) {
        char name[64];

        snprintf(name, sizeof name, "Bench Supplier %u", i + 1);
        ing->s[i].ing = ing;
        ing->s[i].index = i;
        rc = tx_identity_generate(name, &ing->s[i].id);
    }
    if (rc != TX_OK ||
        (rc = tx_bench_questionnaire(ing->s[0].id, 2, &ing->q, &qenv, &qlen, ing->qid)) != TX_OK ||
        (rc = enroll_all(ing, qenv, qlen)) != TX_OK ||
        (rc = tx_bench_hub_start(cfg, ing->dir, map_mib, &ing->hub)) != TX_OK ||
        (rc = connect_all(ing)) != TX_OK) {
        goto fail;
    }
    free(qenv);
    *out = ing;
    return TX_OK;
fail:
    free(qenv);
    tx_bench_ingest_close(&ing);
    return rc;
}

void
tx_bench_ingest_close(tx_bench_ingest **ing_p)
{
    tx_bench_ingest *ing;

    if (ing_p == NULL || *ing_p == NULL) {
        return;
    }
    ing = *ing_p;
    for (unsigned i = 0; i < ing->k; i++) {
        tx_bench_client_close(&ing->s[i].cl);
    }
    if (ing->ctx != NULL) {
        zmq_ctx_term(ing->ctx);
    }
    tx_bench_hub_stop(&ing->hub);
    for (unsigned i = 0; i < ing->k; i++) {
        free_calls(&ing->s[i]);
        free(ing->s[i].lat);
        tx_identity_destroy(&ing->s[i].id);
    }
    pthread_cond_destroy(&ing->cond);
    pthread_mutex_destroy(&ing->mu);
    tx_free(ing->q);
    if (ing->dir[0] != 0 && !ing->cfg->keep) {
        char log[PATH_MAX + 8];

        tx_bench_rmtree(ing->dir);
        snprintf(log, sizeof log, "%s.log", ing->dir);
        unlink(log);
    }
    free(ing->s);
    free(ing);
    *ing_p = NULL;
}

tx_bench_hub *
tx_bench_ingest_hub(tx_bench_ingest *ing)
{
    return &ing->hub;
}

uint64_t
tx_bench_ingest_stored_bytes(const tx_bench_ingest *ing)
{
    return ing->stored_bytes;
}

int
tx_bench_ingest_restart(tx_bench_ingest *ing, double *ping_ms)
{
    int64_t t0;
    int rc;

    for (unsigned i = 0; i < ing->k; i++) {
        tx_bench_client_close(&ing->s[i].cl);
    }
    if (tx_bench_hub_stop(&ing->hub) != 0) {
        fprintf(stderr, "ticsx-bench: the hub did not stop cleanly\n");
        return TX_ERR_INTERNAL;
    }
    t0 = tx_bench_now_ns();
    if ((rc = tx_bench_hub_start(ing->cfg, ing->dir, ing->map_mib, &ing->hub)) != TX_OK) {
        return rc;
    }
    /* The first answer: a connection, its CURVE handshake with the ZAP lookup, and a ping. */
    if ((rc = tx_bench_client_open(&ing->s[0].cl, ing->ctx, ing->hub.endpoint, ing->hub.curve,
                                   ing->s[0].id)) == TX_OK &&
        (rc = tx_bench_client_ping(&ing->s[0].cl, CONNECT_TIMEOUT_MS)) == TX_OK) {
        *ping_ms = tx_bench_since_s(t0) * 1000;
    }
    for (unsigned i = 1; i < ing->k && rc == TX_OK; i++) {
        if ((rc = tx_bench_client_open(&ing->s[i].cl, ing->ctx, ing->hub.endpoint, ing->hub.curve,
                                       ing->s[i].id)) == TX_OK) {
            rc = tx_bench_client_ping(&ing->s[i].cl, CONNECT_TIMEOUT_MS);
        }
    }
    return rc;
}

/* ---- pre-signing ---- */

typedef struct {
    signer *s;
    size_t count;
    unsigned batch;
} sign_job;

/* Packs the signed envelopes envs[0..n) (sequence numbers from first_seq) into calls of
 * `batch` envelopes each. */
static int
pack_calls(signer *s, uint8_t **envs, const size_t *lens, size_t n, unsigned batch)
{
    size_t calls = (n + batch - 1) / batch;
    int rc = TX_OK;

    s->calls = calloc(calls ? calls : 1, sizeof *s->calls);
    s->call_lens = calloc(calls ? calls : 1, sizeof *s->call_lens);
    s->call_recs = calloc(calls ? calls : 1, sizeof *s->call_recs);
    if (s->calls == NULL || s->call_lens == NULL || s->call_recs == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t at = 0; at < n && rc == TX_OK; at += batch) {
        size_t take = n - at < batch ? n - at : batch;
        uint8_t **out = &s->calls[s->n_calls];

        rc = batch == 1 ? tx_bench_pack_submit(s->first_seq + at, envs[at], lens[at], out,
                                               &s->call_lens[s->n_calls])
                        : tx_bench_pack_batch(s->first_seq + at, envs + at, lens + at, take, out,
                                              &s->call_lens[s->n_calls]);
        if (rc == TX_OK) {
            s->call_recs[s->n_calls++] = take;
            s->n_recs += take;
        }
    }
    return rc;
}

static void *
sign_thread(void *arg)
{
    sign_job *j = arg;
    signer *s = j->s;
    tx_bench_ingest *ing = s->ing;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t **envs = calloc(j->count ? j->count : 1, sizeof *envs);
    size_t *lens = calloc(j->count ? j->count : 1, sizeof *lens);
    size_t n = 0;

    free_calls(s);
    s->rc = TX_ERR_NOMEM;
    if (key == NULL || envs == NULL || lens == NULL) {
        goto out;
    }
    s->rc = TX_OK;
    s->first_seq = s->next_seq;
    s->env_bytes = s->env_max = 0;
    s->env_min = UINT64_MAX;
    for (size_t i = 0; i < j->count && s->rc == TX_OK && !tx_bench_stop; i++) {
        uint64_t seq = s->next_seq++;
        uint8_t *env = NULL;
        size_t len = 0;

        s->rc = tx_bench_sealed(s->id, seq, ing->q, ing->qid, seq * ing->k + s->index, NULL, 0, key,
                                &env, &len);
        if (s->rc == TX_OK) {
            envs[n] = env;
            lens[n++] = len;
            s->env_bytes += len;
            s->env_min = len < s->env_min ? len : s->env_min;
            s->env_max = len > s->env_max ? len : s->env_max;
        }
    }
    if (s->rc == TX_OK) {
        s->rc = pack_calls(s, envs, lens, n, j->batch);
    }
    if (tx_bench_stop) {
        s->rc = TX_ERR_INTERNAL;
    }
out:
    for (size_t i = 0; i < n; i++) {
        free(envs[i]);
    }
    free(envs);
    free(lens);
    sodium_free(key);
    return NULL;
}

int
tx_bench_ingest_prepare(tx_bench_ingest *ing, uint64_t count, unsigned batch)
{
    pthread_t *tid = calloc(ing->k, sizeof *tid);
    sign_job *jobs = calloc(ing->k, sizeof *jobs);
    int rc = TX_OK;

    if (tid == NULL || jobs == NULL) {
        free(tid);
        free(jobs);
        return TX_ERR_NOMEM;
    }
    for (unsigned i = 0; i < ing->k; i++) {
        jobs[i].s = &ing->s[i];
        jobs[i].count = count / ing->k + (i < count % ing->k);
        jobs[i].batch = batch > 0 && batch <= TX_MAX_BATCH ? batch : 1;
        if (pthread_create(&tid[i], NULL, sign_thread, &jobs[i]) != 0) {
            sign_thread(&jobs[i]);
            tid[i] = 0;
        }
    }
    for (unsigned i = 0; i < ing->k; i++) {
        if (tid[i] != 0) {
            pthread_join(tid[i], NULL);
        }
        if (ing->s[i].rc != TX_OK) {
            rc = ing->s[i].rc;
        }
    }
    free(tid);
    free(jobs);
    return rc;
}

size_t
tx_bench_ingest_sample(tx_bench_ingest *ing, size_t max, uint8_t ***envs, size_t **lens)
{
    size_t n = 0;

    *envs = calloc(max ? max : 1, sizeof **envs);
    *lens = calloc(max ? max : 1, sizeof **lens);
    if (*envs == NULL || *lens == NULL) {
        return 0;
    }
    for (size_t j = 0; n < max; j++) {
        int any = 0;

        for (unsigned i = 0; i < ing->k && n < max; i++) {
            tx_call_pb *call = NULL;
            signer *s = &ing->s[i];

            if (j >= s->n_calls) {
                continue;
            }
            any = 1;
            if (tx_decode_call(s->calls[j], s->call_lens[j], &call) == TX_OK) {
                const ProtobufCBinaryData *e =
                    call->body_case == TICSX__V1__CALL__BODY_SUBMIT ? &call->submit->envelope
                    : call->body_case == TICSX__V1__CALL__BODY_SUBMIT_BATCH
                        ? &call->submit_batch->envelopes[0]
                        : NULL;
                (*envs)[n] = e != NULL ? malloc(e->len) : NULL;
                if ((*envs)[n] != NULL) {
                    memcpy((*envs)[n], e->data, e->len);
                    (*lens)[n++] = e->len;
                }
            }
            tx_free(call);
        }
        if (!any) {
            break;
        }
    }
    return n;
}

/* ---- runs ---- */

/* Waits for the clients' release; 0 when the run was called off. */
static int
wait_go(tx_bench_ingest *ing)
{
    int go;

    pthread_mutex_lock(&ing->mu);
    while (!ing->go && !ing->abort) {
        pthread_cond_wait(&ing->cond, &ing->mu);
    }
    go = !ing->abort;
    pthread_mutex_unlock(&ing->mu);
    return go;
}

/* Takes one reply within timeout_us (TX_ERR_UNREACHABLE when none came): counts it, and for
 * paced runs records its latency from the time its send was due. */
static int
take_reply(signer *s, const int64_t *due, int64_t timeout_us)
{
    const char *why = NULL;
    tx_reply_pb *r = NULL;
    int rc = tx_bench_client_recv(&s->cl, timeout_us, &r);
    int64_t now = tx_bench_now_ns();

    if (rc != TX_OK) {
        return rc;
    }
    s->last_ns = now;
    if (r->status == TICSX__V1__STATUS__OK && r->n_outcomes > 0) {
        /* A batch: one outcome per record. */
        for (size_t i = 0; i < r->n_outcomes; i++) {
            const tx_outcome_pb *o = r->outcomes[i];
            if (o->status == TICSX__V1__STATUS__OK && o->receipt != NULL &&
                !o->receipt->duplicate) {
                s->ok++;
            } else if (s->refused++ == 0) {
                why = o->message;
            }
        }
    } else if (r->status == TICSX__V1__STATUS__OK && r->receipt != NULL && !r->receipt->duplicate) {
        s->ok++;
    } else if (s->refused++ == 0) {
        why = r->message;
    }
    if (why != NULL) {
        fprintf(stderr, "ticsx-bench: client %u: refused: %s\n", s->index + 1, why);
    }
    if (due != NULL && r->id >= s->first_seq && r->id - s->first_seq < s->n_calls) {
        s->lat[s->n_lat++] = (double)(now - due[r->id - s->first_seq]) / 1000;
    }
    tx_free(r);
    return TX_OK;
}

/* Closed loop: keeps `window` calls in flight until every prepared call is answered. */
static void *
run_thread(void *arg)
{
    signer *s = arg;
    size_t sent = 0, got = 0;
    /* The window counts records: a batch call takes as many places as it has records. */
    size_t per_call = s->n_calls ? (s->n_recs + s->n_calls - 1) / s->n_calls : 1;
    size_t window = s->ing->cfg->window / per_call > 0 ? s->ing->cfg->window / per_call : 1;

    s->ok = s->refused = 0;
    s->rc = TX_OK;
    if (!wait_go(s->ing)) {
        return NULL;
    }
    s->t0 = tx_bench_now_ns();
    s->last_ns = s->t0;
    while (got < s->n_calls && s->rc == TX_OK && !tx_bench_stop) {
        while (sent < s->n_calls && sent - got < window && s->rc == TX_OK) {
            s->rc = tx_bench_client_send(&s->cl, s->calls[sent], s->call_lens[sent]);
            sent++;
        }
        if (s->rc == TX_OK && (s->rc = take_reply(s, NULL, REPLY_TIMEOUT_US)) == TX_OK) {
            got++;
        } else if (s->rc == TX_ERR_UNREACHABLE) {
            fprintf(stderr, "ticsx-bench: client %u: no reply within %d s\n", s->index + 1,
                    REPLY_TIMEOUT_US / 1000000);
        }
        if (tx_bench_since_s(s->t0) > RUN_DEADLINE_S) {
            s->rc = TX_ERR_UNREACHABLE;
        }
    }
    return NULL;
}

/* Open loop: call i is due at t0 + i / rate (each client offset by a fraction of the
 * interval), sent when due whatever the replies do; latency counts from when it was due. */
static void *
paced_thread(void *arg)
{
    signer *s = arg;
    int64_t interval = (int64_t)(1e9 / s->rate);
    int64_t *due = calloc(s->n_calls ? s->n_calls : 1, sizeof *due);
    size_t sent = 0, got = 0;

    s->ok = s->refused = 0;
    s->n_lat = 0;
    free(s->lat);
    s->lat = calloc(s->n_calls ? s->n_calls : 1, sizeof *s->lat);
    s->rc = due == NULL || s->lat == NULL ? TX_ERR_NOMEM : TX_OK;
    if (!wait_go(s->ing)) {
        free(due);
        return NULL;
    }
    s->t0 = tx_bench_now_ns() + interval * s->index / s->ing->k;
    s->last_ns = s->t0;
    for (size_t i = 0; i < s->n_calls && due != NULL; i++) {
        due[i] = s->t0 + (int64_t)i * interval;
    }
    while (got < s->n_calls && s->rc == TX_OK && !tx_bench_stop) {
        int64_t now = tx_bench_now_ns();
        int rc;

        /* A hub that falls behind answers a client's 513th call in flight busy: a call due
         * then waits for a reply, and its latency still counts from when it was due. */
        if (sent < s->n_calls && now >= due[sent] && sent - got < PACED_IN_FLIGHT_MAX) {
            s->rc = tx_bench_client_send(&s->cl, s->calls[sent], s->call_lens[sent]);
            sent++;
            continue;
        }
        if (sent == got) {
            /* Nothing in flight: sleep until the next call is due. */
            struct timespec ts = {(due[sent] - now) / 1000000000, (due[sent] - now) % 1000000000};
            nanosleep(&ts, NULL);
            continue;
        }
        /* Replies are awaited only until the next call is due (unless it must wait anyway). */
        rc = take_reply(s, due,
                        sent < s->n_calls && sent - got < PACED_IN_FLIGHT_MAX
                            ? (due[sent] - now) / 1000 + 1
                            : REPLY_TIMEOUT_US);
        if (rc == TX_OK) {
            got++;
        } else if (rc != TX_ERR_UNREACHABLE || sent == s->n_calls) {
            fprintf(stderr, "ticsx-bench: client %u: no reply: %s\n", s->index + 1,
                    tx_strerror(rc));
            s->rc = rc;
        }
        if (tx_bench_since_s(s->t0) > RUN_DEADLINE_S) {
            s->rc = TX_ERR_UNREACHABLE;
        }
    }
    free(due);
    return NULL;
}

/* CPU seconds (user + system) from a /proc stat file (a process's or a thread's), its system
 * part into *sys_s when sys_s is not NULL, and its command name (a thread's name) into name
 * (size n) when name is not NULL; -1 if unreadable. */
static double
stat_cpu_seconds(const char *path, char *name, size_t n, double *sys_s)
{
    char buf[1024];
    unsigned long ut = 0, st = 0;
    FILE *f = fopen(path, "r");
    char *p, *open;

    if (f == NULL) {
        return -1;
    }
    p = fgets(buf, sizeof buf, f);
    fclose(f);
    /* Fields after the command name (which may hold spaces): state is field 3. */
    if (p == NULL || (open = strchr(buf, '(')) == NULL || (p = strrchr(buf, ')')) == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) {
        return -1;
    }
    if (name != NULL) {
        snprintf(name, n, "%.*s", (int)(p - open - 1), open + 1);
    }
    if (sys_s != NULL) {
        *sys_s = (double)st / (double)sysconf(_SC_CLK_TCK);
    }
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

double
tx_bench_stat_cpu(const char *path)
{
    return stat_cpu_seconds(path, NULL, 0, NULL);
}

double
tx_bench_thread_cpu(double *sys_s)
{
    struct rusage ru;
    double sys;

    if (getrusage(RUSAGE_THREAD, &ru) != 0) {
        return -1;
    }
    sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    if (sys_s != NULL) {
        *sys_s = sys;
    }
    return sys + (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

double
tx_bench_cpu_seconds(pid_t pid)
{
    char path[64];

    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    return stat_cpu_seconds(path, NULL, 0, NULL);
}

/* ---- the hub's threads: CPU time and context switches of each, by name ---- */

#define HUB_THREADS_MAX 64

typedef struct {
    long tid;
    char name[32];
    double cpu_s, sys_s; /* all CPU time, and the kernel's part of it */
    uint64_t vol, invol; /* voluntary (slept) and involuntary (preempted) context switches */
} hub_thread;

typedef struct {
    hub_thread t[HUB_THREADS_MAX];
    size_t n;
    int ok; /* /proc/PID/task could be read */
} hub_threads;

/* The voluntary and involuntary context switches from a /proc status file. */
static int
status_switches(const char *path, uint64_t *vol, uint64_t *invol)
{
    char line[256];
    int found = 0;
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        return 0;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long long v;

        if (sscanf(line, "voluntary_ctxt_switches: %llu", &v) == 1) {
            *vol = v;
            found |= 1;
        } else if (sscanf(line, "nonvoluntary_ctxt_switches: %llu", &v) == 1) {
            *invol = v;
            found |= 2;
        }
    }
    fclose(f);
    return found == 3;
}

/* Every thread of pid as it is now. A thread that ended between listing and reading is left
 * out. */
static void
sample_threads(pid_t pid, hub_threads *s)
{
    char dir[64], path[128];
    struct dirent *e;
    DIR *d;

    s->n = 0;
    snprintf(dir, sizeof dir, "/proc/%ld/task", (long)pid);
    d = opendir(dir);
    s->ok = d != NULL;
    while (d != NULL && (e = readdir(d)) != NULL && s->n < HUB_THREADS_MAX) {
        hub_thread *t = &s->t[s->n];
        char *end;

        t->tid = strtol(e->d_name, &end, 10);
        if (*end != 0 || t->tid <= 0) {
            continue;
        }
        snprintf(path, sizeof path, "%s/%ld/stat", dir, t->tid);
        t->cpu_s = stat_cpu_seconds(path, t->name, sizeof t->name, &t->sys_s);
        snprintf(path, sizeof path, "%s/%ld/status", dir, t->tid);
        if (t->cpu_s >= 0 && status_switches(path, &t->vol, &t->invol)) {
            s->n++;
        }
    }
    if (d != NULL) {
        closedir(d);
    }
}

/* What the hub's threads spent between samples a and b, per record, into out: for each thread
 * name (threads of one name added up: "tx-verify" is the pool) its CPU microseconds and
 * context switches under "hub_threads", and all threads' context switches as
 * hub_ctx_switches_per_record (voluntary: a thread slept and was woken) beside
 * hub_voluntary_ctx_switches_per_record. */
static void
threads_per_record(json_t *out, const hub_threads *a, const hub_threads *b, uint64_t records,
                   int print)
{
    json_t *by_name;
    uint64_t vol = 0, invol = 0;
    const char *why =
        records == 0 ? "no record stored" : "the hub's /proc/PID/task could not be read";

    if (!a->ok || !b->ok || b->n == 0 || records == 0) {
        tx_bench_unmeasured(out, "hub_ctx_switches_per_record",
                            print ? "hub context switches per record" : NULL, "%s", why);
        tx_bench_unmeasured(out, "hub_voluntary_ctx_switches_per_record", NULL, "%s", why);
        tx_bench_unmeasured(out, "hub_threads", NULL, "%s", why);
        return;
    }
    by_name = json_object();
    for (size_t i = 0; i < b->n; i++) {
        const hub_thread *t = &b->t[i];
        hub_thread d = *t;
        json_t *row = json_object_get(by_name, t->name);
        double cpu = 0, sys = 0, sw = 0, n = 0;

        /* A thread that started after a counts from 0. */
        for (size_t j = 0; j < a->n; j++) {
            if (a->t[j].tid == t->tid) {
                d.cpu_s -= a->t[j].cpu_s;
                d.sys_s -= a->t[j].sys_s;
                d.vol -= a->t[j].vol;
                d.invol -= a->t[j].invol;
                break;
            }
        }
        vol += d.vol;
        invol += d.invol;
        if (row == NULL) {
            row = json_object();
            json_object_set_new(by_name, t->name, row);
        }
        tx_bench_get(row, "cpu_us_per_record", &cpu);
        tx_bench_get(row, "sys_us_per_record", &sys);
        tx_bench_get(row, "ctx_switches_per_record", &sw);
        tx_bench_get(row, "threads", &n);
        tx_bench_set(row, "cpu_us_per_record", cpu + d.cpu_s * 1e6 / (double)records, "us", NULL);
        tx_bench_set(row, "sys_us_per_record", sys + d.sys_s * 1e6 / (double)records, "us", NULL);
        tx_bench_set(row, "ctx_switches_per_record",
                     sw + (double)(d.vol + d.invol) / (double)records, "", NULL);
        tx_bench_set(row, "threads", n + 1, "", NULL);
    }
    json_object_set_new(out, "hub_threads", by_name);
    tx_bench_set(out, "hub_ctx_switches_per_record", (double)(vol + invol) / (double)records, "",
                 print ? "hub context switches per record" : NULL);
    tx_bench_set(out, "hub_voluntary_ctx_switches_per_record", (double)vol / (double)records, "",
                 print ? "  of which voluntary (woken)" : NULL);
    if (print) {
        const char *name;
        json_t *row;

        json_object_foreach(by_name, name, row)
        {
            double cpu = 0, sys = 0, sw = 0;
            char label[96];

            tx_bench_get(row, "cpu_us_per_record", &cpu);
            tx_bench_get(row, "sys_us_per_record", &sys);
            tx_bench_get(row, "ctx_switches_per_record", &sw);
            if (cpu <= 0 && sw < 0.001) {
                continue;
            }
            snprintf(label, sizeof label, "  hub thread %s: CPU per record", name);
            tx_bench_set(row, "cpu_us_per_record", cpu, "us", label);
            snprintf(label, sizeof label, "  hub thread %s: of which kernel", name);
            tx_bench_set(row, "sys_us_per_record", sys, "us", label);
            snprintf(label, sizeof label, "  hub thread %s: switches per record", name);
            tx_bench_set(row, "ctx_switches_per_record", sw, "", label);
        }
    }
}

static double
self_cpu_seconds(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* The hub's commits of submitted records, their time and the records stored, from its metrics
 * page: 1 when read. */
static const char *const commit_metrics[] = {"ticsx_hub_commit_duration_seconds_count",
                                             "ticsx_hub_commit_duration_seconds_sum",
                                             "ticsx_hub_records_stored_total"};
#define N_COMMIT_METRICS (sizeof commit_metrics / sizeof commit_metrics[0])

static int
read_commits(const tx_bench_ingest *ing, double v[N_COMMIT_METRICS])
{
    return tx_bench_hub_metrics(&ing->hub, commit_metrics, v, N_COMMIT_METRICS) == TX_OK;
}

/* The hub's commits between a and b (read_commits): how many, records per commit (mean) and a
 * commit's mean time, into out (printed when print). */
static void
commits_between(json_t *out, int ok, const double *a, const double *b, int print)
{
    double commits = b[0] - a[0], records = b[2] - a[2];
    const char *why = ok ? "the hub made no commit" : "the hub's metrics page could not be read";

    if (!ok || commits <= 0) {
        tx_bench_unmeasured(out, "hub_commits", NULL, "%s", why);
        tx_bench_unmeasured(out, "hub_records_per_commit",
                            print ? "hub records per commit (mean)" : NULL, "%s", why);
        tx_bench_unmeasured(out, "hub_commit_us_mean", NULL, "%s", why);
        return;
    }
    tx_bench_set(out, "hub_commits", commits, "", print ? "hub commits" : NULL);
    tx_bench_set(out, "hub_records_per_commit", records / commits, "",
                 print ? "hub records per commit (mean)" : NULL);
    tx_bench_set(out, "hub_commit_us_mean", (b[1] - a[1]) * 1e6 / commits, "us",
                 print ? "hub commit time (mean, its flushes included)" : NULL);
}

/* Runs fn on every client, returns when all are done: totals into *ok, *refused and the
 * span from the release to the last reply into *seconds; the hub's threads as they were
 * before and after into th[0] and th[1]. */
static int
run_clients(tx_bench_ingest *ing, void *(*fn)(void *), uint64_t *ok, uint64_t *refused,
            double *seconds, double *hub_cpu, double *own_cpu, hub_threads th[2])
{
    pthread_t *tid = calloc(ing->k, sizeof *tid);
    double hub0, own0;
    int64_t t0, last = 0;
    unsigned started = 0;
    int rc = TX_OK;

    if (tid == NULL) {
        return TX_ERR_NOMEM;
    }
    sample_threads(ing->hub.pid, &th[0]);
    hub0 = tx_bench_cpu_seconds(ing->hub.pid);
    own0 = self_cpu_seconds();
    for (unsigned i = 0; i < ing->k; i++) {
        if (pthread_create(&tid[i], NULL, fn, &ing->s[i]) != 0) {
            rc = TX_ERR_INTERNAL;
            break;
        }
        started++;
    }
    t0 = tx_bench_now_ns();
    pthread_mutex_lock(&ing->mu);
    ing->go = started == ing->k;
    ing->abort = !ing->go;
    pthread_cond_broadcast(&ing->cond);
    pthread_mutex_unlock(&ing->mu);
    *ok = *refused = 0;
    for (unsigned i = 0; i < started; i++) {
        pthread_join(tid[i], NULL);
        *ok += ing->s[i].ok;
        *refused += ing->s[i].refused;
        last = ing->s[i].last_ns > last ? ing->s[i].last_ns : last;
        if (ing->s[i].rc != TX_OK) {
            rc = ing->s[i].rc;
        }
    }
    pthread_mutex_lock(&ing->mu);
    ing->go = ing->abort = 0;
    pthread_mutex_unlock(&ing->mu);
    *seconds = (double)(last - t0) / 1e9;
    *hub_cpu = tx_bench_cpu_seconds(ing->hub.pid);
    sample_threads(ing->hub.pid, &th[1]);
    /* -1: the hub's /proc/PID/stat could not be read at the start or the end. */
    *hub_cpu = hub0 < 0 || *hub_cpu < 0 ? -1 : *hub_cpu - hub0;
    *own_cpu = self_cpu_seconds() - own0;
    free(tid);
    return rc;
}

static void
envelope_stats(const tx_bench_ingest *ing, uint64_t *n, uint64_t *bytes, uint64_t *min,
               uint64_t *max)
{
    *n = *bytes = *max = 0;
    *min = UINT64_MAX;
    for (unsigned i = 0; i < ing->k; i++) {
        const signer *s = &ing->s[i];
        *n += s->n_recs;
        *bytes += s->env_bytes;
        *min = s->n_calls && s->env_min < *min ? s->env_min : *min;
        *max = s->env_max > *max ? s->env_max : *max;
    }
}

/* CPU seconds spent over `records` records as microseconds per record; not measured (why)
 * when cpu_s is negative (unreadable) or no record was stored. */
static void
per_record(json_t *out, const char *key, double cpu_s, uint64_t records, const char *label,
           const char *why)
{
    if (cpu_s >= 0 && records > 0) {
        tx_bench_set(out, key, cpu_s * 1e6 / (double)records, "us", label);
    } else {
        tx_bench_unmeasured(out, key, label, "%s", records == 0 ? "no record stored" : why);
    }
}

int
tx_bench_ingest_run(tx_bench_ingest *ing, json_t *out, int print, double *rate)
{
    uint64_t n, bytes, min, max, ok, refused;
    double secs, hub_cpu, own_cpu, m0[N_COMMIT_METRICS], m1[N_COMMIT_METRICS];
    hub_threads *th = calloc(2, sizeof *th);
    int rc, m_ok;

    if (th == NULL) {
        return TX_ERR_NOMEM;
    }
    envelope_stats(ing, &n, &bytes, &min, &max);
    m_ok = read_commits(ing, m0);
    rc = run_clients(ing, run_thread, &ok, &refused, &secs, &hub_cpu, &own_cpu, th);
    m_ok = m_ok && read_commits(ing, m1);
    ing->stored_bytes += bytes;
    for (unsigned i = 0; i < ing->k; i++) {
        free_calls(&ing->s[i]);
    }
    if (rc != TX_OK) {
        free(th);
        return rc;
    }
    *rate = secs > 0 ? (double)ok / secs : 0;
    if (out != NULL) {
        tx_bench_set(out, "records", (double)ok, "", print ? "records stored" : NULL);
        tx_bench_set(out, "refused", (double)refused, "", print ? "records refused" : NULL);
        tx_bench_set(out, "envelope_bytes_avg", n ? (double)bytes / (double)n : 0, "B",
                     print ? "sealed assessment size, avg" : NULL);
        tx_bench_set(out, "envelope_bytes_min", (double)min, "B", print ? "  min" : NULL);
        tx_bench_set(out, "envelope_bytes_max", (double)max, "B", print ? "  max" : NULL);
        tx_bench_set(out, "seconds", secs, "s", print ? "time" : NULL);
        if (*rate > 0) {
            tx_bench_set(out, "records_per_s", *rate, "records/s",
                         print ? "sustained durable ingest" : NULL);
        } else {
            tx_bench_unmeasured(out, "records_per_s", print ? "sustained durable ingest" : NULL,
                                "%s", ok > 0 ? "no time elapsed" : "no record stored");
        }
        per_record(out, "hub_cpu_us_per_record", hub_cpu, ok, print ? "hub CPU per record" : NULL,
                   "the hub's /proc/PID/stat could not be read");
        per_record(out, "client_cpu_us_per_record", own_cpu, ok,
                   print ? "clients' CPU per record (same machine)" : NULL, "");
        threads_per_record(out, &th[0], &th[1], ok, print);
        commits_between(out, m_ok, m0, m1, print);
    }
    free(th);
    if (refused > 0) {
        fprintf(stderr, "ticsx-bench: the hub refused %llu record(s)\n",
                (unsigned long long)refused);
        return TX_ERR_REFUSED;
    }
    return TX_OK;
}

int
tx_bench_ingest_paced(tx_bench_ingest *ing, double rate, json_t *out)
{
    uint64_t ok, refused;
    double secs, hub_cpu, own_cpu, *all, m0[N_COMMIT_METRICS], m1[N_COMMIT_METRICS];
    hub_threads *th = calloc(2, sizeof *th);
    size_t n = 0, total = 0;
    int rc, m_ok;

    if (th == NULL) {
        return TX_ERR_NOMEM;
    }
    for (unsigned i = 0; i < ing->k; i++) {
        ing->s[i].rate = rate / ing->k;
        total += ing->s[i].n_calls;
    }
    m_ok = read_commits(ing, m0);
    rc = run_clients(ing, paced_thread, &ok, &refused, &secs, &hub_cpu, &own_cpu, th);
    m_ok = m_ok && read_commits(ing, m1);
    for (unsigned i = 0; i < ing->k; i++) {
        ing->stored_bytes += ing->s[i].env_bytes;
        free_calls(&ing->s[i]);
    }
    all = rc == TX_OK ? calloc(total ? total : 1, sizeof *all) : NULL;
    if (all == NULL) {
        free(th);
        return rc != TX_OK ? rc : TX_ERR_NOMEM;
    }
    for (unsigned i = 0; i < ing->k; i++) {
        memcpy(all + n, ing->s[i].lat, ing->s[i].n_lat * sizeof *all);
        n += ing->s[i].n_lat;
    }
    tx_bench_set(out, "target_per_s", rate, "records/s", "paced at");
    if (secs > 0) {
        tx_bench_set(out, "achieved_per_s", (double)ok / secs, "records/s", "achieved");
    } else {
        tx_bench_unmeasured(out, "achieved_per_s", "achieved", "no reply came");
    }
    tx_bench_set(out, "submits", (double)n, "", "submits timed");
    tx_bench_set_quantile(out, "p50_us", all, n, 0.5, "us", "submit latency p50");
    tx_bench_set_quantile(out, "p99_us", all, n, 0.99, "us", "submit latency p99");
    tx_bench_set_quantile(out, "p999_us", all, n, 0.999, "us", "submit latency p99.9");
    tx_bench_set_quantile(out, "max_us", all, n, 1.0, "us", "submit latency max");
    /* At half rate a record often arrives alone: what it costs the hub then. */
    per_record(out, "hub_cpu_us_per_record", hub_cpu, ok, "hub CPU per record at this rate",
               "the hub's /proc/PID/stat could not be read");
    threads_per_record(out, &th[0], &th[1], ok, 1);
    commits_between(out, m_ok, m0, m1, 1);
    free(th);
    free(all);
    return refused > 0 ? TX_ERR_REFUSED : TX_OK;
}

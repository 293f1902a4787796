/* The bare limits of this machine, measured with nothing of ticsx around them: Ed25519
 * verifications over the envelopes the ingest submits (one thread, then every core), durable
 * LMDB commits (one record each, and batches of 1000), and ZeroMQ with CURVE (a ROUTER/DEALER
 * echo's round trip, and the one-way rate of 2 KB messages). */
#include "bench.h"

#include "tx_envelope.h"
#include "tx_error.h"

#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define VERIFY_MAX 20000000u  /* per measurement, beside the deadline */
#define LMDB_ONE_MAX 20000u   /* single-record commits */
#define LMDB_BATCH 1000u      /* records per batch commit */
#define LMDB_BATCHES_MAX 500u /* batch commits */
#define ECHO_WARMUP 200u
#define ECHO_MAX 50000u
#define ONEWAY_MAX 5000000u
#define MSG_BYTES 2048u

/* ---- Ed25519 ---- */

typedef struct {
    const tx_bench_signed *msgs;
    size_t n, first, step;
    double seconds;
    atomic_int *go;
    uint64_t done;
    int bad;
} verify_arg;

static void *
verify_loop(void *arg)
{
    verify_arg *a = arg;
    int64_t t0;
    size_t i = a->first;

    while (atomic_load(a->go) == 0) {
    }
    t0 = tx_bench_now_ns();
    while (a->done < VERIFY_MAX && !tx_bench_stop) {
        const tx_bench_signed *m = &a->msgs[i];

        if (!tx_bench_signed_ok(m)) {
            a->bad++;
        }
        a->done++;
        i = (i + a->step) % a->n;
        if ((a->done & 63) == 0 && tx_bench_since_s(t0) >= a->seconds) {
            break;
        }
    }
    return NULL;
}

/* Verifications per second over msgs with `threads` threads (the caller's included when 1);
 * with one thread, when cpu_us is given, the CPU time of one verification (µs) into it, -1
 * when it could not be read. */
static double
verify_rate(const tx_bench_signed *msgs, size_t n, unsigned threads, double seconds, int *bad,
            double *cpu_us)
{
    pthread_t *tid = calloc(threads, sizeof *tid);
    verify_arg *args = calloc(threads, sizeof *args);
    atomic_int go = 0;
    uint64_t total = 0;
    unsigned started = 0;
    int64_t t0;
    double rate = 0;

    *bad = 0;
    if (tid == NULL || args == NULL) {
        goto out;
    }
    for (unsigned t = 0; t < threads; t++) {
        args[t] = (verify_arg){msgs, n, t % n, threads, seconds, &go, 0, 0};
        if (threads > 1 && pthread_create(&tid[t], NULL, verify_loop, &args[t]) != 0) {
            break;
        }
        started++;
    }
    t0 = tx_bench_now_ns();
    atomic_store(&go, 1);
    if (threads == 1) {
        double c0 = tx_bench_thread_cpu(NULL), c1;

        verify_loop(&args[0]);
        c1 = tx_bench_thread_cpu(NULL);
        if (cpu_us != NULL) {
            *cpu_us = c0 >= 0 && c1 >= 0 && args[0].done > 0
                          ? (c1 - c0) * 1e6 / (double)args[0].done
                          : -1;
        }
    }
    for (unsigned t = 0; t < started && threads > 1; t++) {
        pthread_join(tid[t], NULL);
    }
    for (unsigned t = 0; t < started; t++) {
        total += args[t].done;
        *bad += args[t].bad;
    }
    rate = (double)total / tx_bench_since_s(t0);
out:
    free(tid);
    free(args);
    return rate;
}

int
tx_bench_signed_prepare(uint8_t *const *envs, const size_t *lens, size_t n, tx_bench_signed *msgs,
                        size_t *got, size_t *bytes)
{
    int rc = TX_OK;

    *got = *bytes = 0;
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        tx_envelope_pb *e = NULL;

        if ((rc = tx_decode_envelope(envs[i], lens[i], &e)) == TX_OK) {
            memcpy(msgs[*got].pk, e->signer_key.data, 32);
            memcpy(msgs[*got].sig, e->signature.data, 64);
            rc = tx_pae(e->payload_type, e->payload.data, e->payload.len, &msgs[*got].pae,
                        &msgs[*got].pae_len);
            *bytes += msgs[*got].pae_len;
            *got += rc == TX_OK;
        }
        tx_free(e);
    }
    return rc == TX_OK && *got == 0 ? TX_ERR_USAGE : rc;
}

void
tx_bench_signed_free(tx_bench_signed *msgs, size_t n)
{
    for (size_t i = 0; msgs != NULL && i < n; i++) {
        free(msgs[i].pae);
    }
    free(msgs);
}

int
tx_bench_signed_ok(const tx_bench_signed *m)
{
    return crypto_sign_verify_detached(m->sig, m->pae, m->pae_len, m->pk) == 0;
}

int
tx_bench_verify_all_cores(const tx_bench_cfg *cfg, uint8_t *const *envs, const size_t *lens,
                          size_t n, double *rate)
{
    tx_bench_signed *msgs = calloc(n ? n : 1, sizeof *msgs);
    size_t got = 0, bytes = 0;
    int bad = 0, rc;

    if (msgs == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((rc = tx_bench_signed_prepare(envs, lens, n, msgs, &got, &bytes)) == TX_OK) {
        *rate = verify_rate(msgs, got, cfg->threads, cfg->seconds, &bad, NULL);
        rc = bad > 0 ? TX_ERR_BAD_SIGNATURE : TX_OK;
    }
    tx_bench_signed_free(msgs, got);
    return rc;
}

static int
limits_verify(const tx_bench_cfg *cfg, uint8_t *const *envs, const size_t *lens, size_t n,
              json_t *out, double *all_core)
{
    tx_bench_signed *msgs = calloc(n ? n : 1, sizeof *msgs);
    size_t got = 0, bytes = 0;
    double one, all, one_cpu = -1;
    int bad1, badn, rc;

    if (msgs == NULL) {
        return TX_ERR_NOMEM;
    }
    rc = tx_bench_signed_prepare(envs, lens, n, msgs, &got, &bytes);
    if (rc == TX_OK) {
        tx_bench_set(out, "verify_envelopes", (double)got, "", "distinct envelopes verified");
        tx_bench_set(out, "verify_message_bytes_avg", (double)bytes / (double)got, "B",
                     "signed bytes per envelope (avg)");
        one = verify_rate(msgs, got, 1, cfg->seconds, &bad1, &one_cpu);
        tx_bench_set(out, "verify_1thread_per_s", one, "/s", "Ed25519 verify, 1 thread");
        if (one_cpu > 0) {
            tx_bench_set(out, "verify_1thread_cpu_us", one_cpu, "us",
                         "  one verification's CPU time (user + system)");
        } else {
            tx_bench_unmeasured(out, "verify_1thread_cpu_us",
                                "  one verification's CPU time (user + system)",
                                "getrusage(RUSAGE_THREAD) could not be read");
        }
        all = verify_rate(msgs, got, cfg->threads, cfg->seconds, &badn, NULL);
        tx_bench_set(out, "verify_threads", cfg->threads, "", "threads (all cores)");
        tx_bench_set(out, "verify_all_cores_per_s", all, "/s", "Ed25519 verify, all cores");
        if (bad1 + badn > 0) {
            fprintf(stderr, "ticsx-bench: %d signature(s) did not verify\n", bad1 + badn);
            rc = TX_ERR_BAD_SIGNATURE;
        }
        *all_core = all;
    }
    tx_bench_signed_free(msgs, got);
    return rc;
}

/* ---- LMDB ---- */

/* One durable write transaction of `batch` records with the next big-endian keys. */
static int
commit_records(MDB_env *env, MDB_dbi dbi, const uint8_t *val, size_t vlen, unsigned batch,
               uint64_t *key_next)
{
    MDB_txn *txn;
    int rc;

    if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != MDB_SUCCESS) {
        return rc;
    }
    for (unsigned i = 0; i < batch && rc == MDB_SUCCESS; i++) {
        uint8_t kb[8];
        uint64_t k = (*key_next)++;
        MDB_val mk = {8, kb}, mv = {vlen, (void *)val};

        for (int b = 7; b >= 0; b--) {
            kb[b] = (uint8_t)k;
            k >>= 8;
        }
        rc = mdb_put(txn, dbi, &mk, &mv, MDB_APPEND);
    }
    if (rc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        return rc;
    }
    return mdb_txn_commit(txn);
}

/* Commits of `batch` records each, for cfg->seconds (at most max_txns): *rate in records/s,
 * and when lat is given the time of each commit (us) into lat, *n_lat of them. */
static int
lmdb_commits(const tx_bench_cfg *cfg, const uint8_t *val, size_t vlen, unsigned batch,
             unsigned max_txns, uint64_t *key_next, MDB_env *env, MDB_dbi dbi, double *rate,
             double *lat, size_t *n_lat)
{
    int64_t t0 = tx_bench_now_ns();
    uint64_t records = 0;
    int rc = MDB_SUCCESS;

    for (unsigned t = 0; t < max_txns && !tx_bench_stop && rc == MDB_SUCCESS; t++) {
        int64_t tc = tx_bench_now_ns();

        if ((rc = commit_records(env, dbi, val, vlen, batch, key_next)) == MDB_SUCCESS) {
            records += batch;
            if (lat != NULL) {
                lat[(*n_lat)++] = (double)(tx_bench_now_ns() - tc) / 1000;
            }
        }
        if (tx_bench_since_s(t0) >= cfg->seconds) {
            break;
        }
    }
    if (rc != MDB_SUCCESS) {
        fprintf(stderr, "ticsx-bench: lmdb: %s\n", mdb_strerror(rc));
        return TX_ERR_STORAGE;
    }
    *rate = (double)records / tx_bench_since_s(t0);
    return TX_OK;
}

/* One durable single-record commit every millisecond for cfg->latency_s seconds, as long as
 * the hub's latency run: the disk's own tail (journal commits, a busy host) over that span.
 * Each commit's time (us) into lat (capacity max), *n of them. */
static int
lmdb_paced(const tx_bench_cfg *cfg, const uint8_t *val, size_t vlen, uint64_t *key_next,
           MDB_env *env, MDB_dbi dbi, double *lat, size_t max, size_t *n)
{
    struct timespec due;
    int rc = MDB_SUCCESS;

    *n = 0;
    clock_gettime(CLOCK_MONOTONIC, &due);
    for (size_t i = 0; i < max && !tx_bench_stop && rc == MDB_SUCCESS; i++) {
        int64_t tc;

        due.tv_nsec += 1000000;
        if (due.tv_nsec >= 1000000000) {
            due.tv_sec++;
            due.tv_nsec -= 1000000000;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
        tc = tx_bench_now_ns();
        if ((rc = commit_records(env, dbi, val, vlen, 1, key_next)) == MDB_SUCCESS) {
            lat[(*n)++] = (double)(tx_bench_now_ns() - tc) / 1000;
        }
    }
    if (rc != MDB_SUCCESS) {
        fprintf(stderr, "ticsx-bench: lmdb: %s\n", mdb_strerror(rc));
        return TX_ERR_STORAGE;
    }
    return TX_OK;
}

static int
limits_lmdb(const tx_bench_cfg *cfg, const uint8_t *val, size_t vlen, json_t *out)
{
    char dir[PATH_MAX];
    MDB_env *env = NULL;
    MDB_txn *txn;
    MDB_dbi dbi;
    uint64_t key = 1;
    double one = 0, many = 0;
    double *lat = calloc(LMDB_ONE_MAX, sizeof *lat), *paced = NULL;
    size_t n_lat = 0, n_paced = 0, paced_max;
    int rc;

    if (lat == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((rc = tx_bench_mkdtemp(cfg->work, "lmdb", dir, sizeof dir)) != TX_OK) {
        return rc;
    }
    /* The hub's settings: durable commits (no NOSYNC/NOMETASYNC), one environment. */
    if (mdb_env_create(&env) != MDB_SUCCESS || mdb_env_set_mapsize(env, (size_t)4 << 30) ||
        mdb_env_open(env, dir, MDB_NOTLS, 0600) != MDB_SUCCESS ||
        mdb_txn_begin(env, NULL, 0, &txn) != MDB_SUCCESS) {
        rc = TX_ERR_STORAGE;
        goto out;
    }
    if (mdb_dbi_open(txn, NULL, 0, &dbi) != MDB_SUCCESS || mdb_txn_commit(txn) != MDB_SUCCESS) {
        rc = TX_ERR_STORAGE;
        goto out;
    }
    if ((rc = lmdb_commits(cfg, val, vlen, 1, LMDB_ONE_MAX, &key, env, dbi, &one, lat, &n_lat)) !=
            TX_OK ||
        (rc = lmdb_commits(cfg, val, vlen, LMDB_BATCH, LMDB_BATCHES_MAX, &key, env, dbi, &many,
                           NULL, NULL)) != TX_OK) {
        goto out;
    }
    tx_bench_set(out, "lmdb_value_bytes", (double)vlen, "B", "LMDB record size");
    tx_bench_set(out, "lmdb_commit_1_per_s", one, "records/s", "LMDB durable commits, 1 per txn");
    tx_bench_set_quantile(out, "lmdb_commit_us_p50", lat, n_lat, 0.5, "us",
                          "  one commit's time, p50");
    tx_bench_set_quantile(out, "lmdb_commit_us_p99", lat, n_lat, 0.99, "us",
                          "  one commit's time, p99");
    tx_bench_set(out, "lmdb_commit_1000_records_per_s", many, "records/s",
                 "LMDB durable commits, 1000 per txn");
    paced_max = (size_t)(cfg->latency_s * 1000) + 1;
    if ((paced = calloc(paced_max, sizeof *paced)) == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    if ((rc = lmdb_paced(cfg, val, vlen, &key, env, dbi, paced, paced_max, &n_paced)) != TX_OK) {
        goto out;
    }
    tx_bench_set(out, "lmdb_paced_seconds", cfg->latency_s, "s",
                 "LMDB durable commit every ms, for");
    tx_bench_set_quantile(out, "lmdb_paced_us_p50", paced, n_paced, 0.5, "us",
                          "  one commit's time, p50");
    tx_bench_set_quantile(out, "lmdb_paced_us_p99", paced, n_paced, 0.99, "us", "  p99");
    tx_bench_set_quantile(out, "lmdb_paced_us_p999", paced, n_paced, 0.999, "us", "  p99.9");
    tx_bench_set_quantile(out, "lmdb_paced_us_max", paced, n_paced, 1.0, "us", "  max");
out:
    if (env != NULL) {
        mdb_env_close(env);
    }
    tx_bench_rmtree(dir);
    free(lat);
    free(paced);
    return rc;
}

/* ---- ZeroMQ with CURVE ---- */

typedef struct {
    void *ctx;
    void *sock;
    char endpoint[128];
    atomic_int quit;
} echo_server;

/* Echo server: 'E' messages come back, 'C' ones are counted, 'F' answers the count. */
static void *
echo_loop(void *arg)
{
    echo_server *s = arg;
    uint64_t counted = 0;

    while (!atomic_load(&s->quit)) {
        zmq_pollitem_t it = {s->sock, 0, ZMQ_POLLIN, 0};
        zmq_msg_t id, body;

        if (zmq_poll(&it, 1, 50) <= 0) {
            continue;
        }
        zmq_msg_init(&id);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&id, s->sock, 0) >= 0 && zmq_msg_more(&id) &&
            zmq_msg_recv(&body, s->sock, 0) >= 0 && zmq_msg_size(&body) > 0) {
            char op = ((const char *)zmq_msg_data(&body))[0];

            if (op == 'E') {
                zmq_msg_send(&id, s->sock, ZMQ_SNDMORE);
                zmq_msg_send(&body, s->sock, 0);
            } else if (op == 'C') {
                counted++;
            } else if (op == 'F') {
                zmq_msg_send(&id, s->sock, ZMQ_SNDMORE);
                zmq_send(s->sock, &counted, sizeof counted, 0);
                counted = 0;
            }
        }
        zmq_msg_close(&id);
        zmq_msg_close(&body);
    }
    return NULL;
}

static int
recv_timeout(void *sock, void *buf, size_t n, int timeout_ms)
{
    zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};

    if (zmq_poll(&it, 1, timeout_ms) <= 0) {
        return -1;
    }
    return zmq_recv(sock, buf, n, 0);
}

static int
limits_zmq(const tx_bench_cfg *cfg, json_t *out)
{
    char spk[41], ssk[41], cpk[41], csk[41];
    echo_server s;
    pthread_t tid;
    void *cctx = NULL, *c = NULL;
    uint8_t *msg = calloc(1, MSG_BYTES), *back = calloc(1, MSG_BYTES);
    double *rtt = calloc(ECHO_MAX, sizeof *rtt);
    size_t len = sizeof s.endpoint, n_rtt = 0;
    int one = 1, linger = 0, started = 0, rc = TX_ERR_NET;
    uint64_t sent = 0, counted = 0;
    int64_t t0;

    memset(&s, 0, sizeof s);
    if (msg == NULL || back == NULL || rtt == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    if (zmq_curve_keypair(spk, ssk) != 0 || zmq_curve_keypair(cpk, csk) != 0) {
        goto out;
    }
    s.ctx = zmq_ctx_new();
    s.sock = s.ctx != NULL ? zmq_socket(s.ctx, ZMQ_ROUTER) : NULL;
    if (s.sock == NULL || zmq_setsockopt(s.sock, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
        zmq_setsockopt(s.sock, ZMQ_CURVE_SECRETKEY, ssk, 40) != 0 ||
        zmq_setsockopt(s.sock, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_bind(s.sock, "tcp://127.0.0.1:*") != 0 ||
        zmq_getsockopt(s.sock, ZMQ_LAST_ENDPOINT, s.endpoint, &len) != 0) {
        goto out;
    }
    if (pthread_create(&tid, NULL, echo_loop, &s) != 0) {
        goto out;
    }
    started = 1;
    cctx = zmq_ctx_new();
    c = cctx != NULL ? zmq_socket(cctx, ZMQ_DEALER) : NULL;
    if (c == NULL || zmq_setsockopt(c, ZMQ_CURVE_SERVERKEY, spk, 40) != 0 ||
        zmq_setsockopt(c, ZMQ_CURVE_PUBLICKEY, cpk, 40) != 0 ||
        zmq_setsockopt(c, ZMQ_CURVE_SECRETKEY, csk, 40) != 0 ||
        zmq_setsockopt(c, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_connect(c, s.endpoint) != 0) {
        goto out;
    }
    randombytes_buf(msg, MSG_BYTES);
    msg[0] = 'E';
    t0 = tx_bench_now_ns();
    for (unsigned i = 0; i < ECHO_WARMUP + ECHO_MAX && !tx_bench_stop; i++) {
        int64_t t = tx_bench_now_ns();

        if (zmq_send(c, msg, MSG_BYTES, 0) < 0 || recv_timeout(c, back, MSG_BYTES, 5000) < 0) {
            fprintf(stderr, "ticsx-bench: the CURVE echo did not answer\n");
            goto out;
        }
        if (i >= ECHO_WARMUP) {
            rtt[n_rtt++] = (double)(tx_bench_now_ns() - t) / 1000;
            if (n_rtt % 64 == 0 && tx_bench_since_s(t0) >= cfg->seconds) {
                break;
            }
        }
    }
    tx_bench_set_quantile(out, "zmq_curve_rtt_us_p50", rtt, n_rtt, 0.5, "us",
                          "ZeroMQ CURVE round trip of 2 KB, p50");
    tx_bench_set_quantile(out, "zmq_curve_rtt_us_p99", rtt, n_rtt, 0.99, "us",
                          "ZeroMQ CURVE round trip of 2 KB, p99");
    msg[0] = 'C';
    t0 = tx_bench_now_ns();
    while (sent < ONEWAY_MAX && !tx_bench_stop) {
        if (zmq_send(c, msg, MSG_BYTES, 0) < 0) {
            goto out;
        }
        sent++;
        if ((sent & 255) == 0 && tx_bench_since_s(t0) >= cfg->seconds) {
            break;
        }
    }
    msg[0] = 'F';
    if (zmq_send(c, msg, 1, 0) < 0 || recv_timeout(c, &counted, sizeof counted, 60000) < 0) {
        fprintf(stderr, "ticsx-bench: the CURVE sink did not answer\n");
        goto out;
    }
    tx_bench_set(out, "zmq_curve_oneway_2k_per_s", (double)counted / tx_bench_since_s(t0), "msgs/s",
                 "ZeroMQ CURVE one way, 2 KB messages");
    rc = counted == sent ? TX_OK : TX_ERR_NET;
out:
    if (c != NULL) {
        zmq_close(c);
    }
    if (cctx != NULL) {
        zmq_ctx_term(cctx);
    }
    if (started) {
        atomic_store(&s.quit, 1);
        pthread_join(tid, NULL);
    }
    if (s.sock != NULL) {
        zmq_close(s.sock);
    }
    if (s.ctx != NULL) {
        zmq_ctx_term(s.ctx);
    }
    free(msg);
    free(back);
    free(rtt);
    return rc;
}

int
tx_bench_limits(tx_bench_cfg *cfg, uint8_t *const *envs, const size_t *lens, size_t n, json_t *out)
{
    double all_core = 0;
    int rc;

    printf("bare limits of this machine\n");
    if ((rc = limits_verify(cfg, envs, lens, n, out, &all_core)) != TX_OK) {
        return rc;
    }
    if ((rc = limits_lmdb(cfg, envs[0], lens[0], out)) != TX_OK) {
        return rc;
    }
    return limits_zmq(cfg, out);
}

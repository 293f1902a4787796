/* The floors behind two of issue 18's targets, from bare parts measured in the same run as the
 * hub, each on one core and in CPU time (utime + stime), not wall time:
 * - the hub's CPU per record: (a) one bare verification (the limits), (b) a real ZeroMQ CURVE
 *   ROUTER taking the record's bytes as a submit call and answering a small reply: its I/O
 *   thread and the thread that answers, per message (the client's side beside it), and (c) a
 *   bare LMDB store of the hub's shape, per record, committed in batches of the size the hub
 *   committed at in the sustained ingest;
 * - the tail: a bare single-writer group commit of the same store, arrivals paced at the
 *   latency run's rate, each commit taking everything queued and followed by the hub's rollback
 *   guard (one small file's fdatasync); a record's latency runs from when it was due to its
 *   commit's return.
 * Neither is a design for the hub: each is what any design that does these things waits on or
 * spends on this machine. The store leaves out what the hub does beyond them (hashing, the
 * checkpoint's signature, decoding), so the floor is below what any such design spends. */
#include "bench.h"

#include "tx_error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

/* The hub's store shape (hub/tx_store.c, tx_store_int.h): a record's envelope in log parts of
 * 490 bytes under index | part; its id (32 random bytes) -> index | kind; its signer -> seq;
 * one access entry reader | kind | index; the Merkle leaf and every subtree it completes,
 * level | index -> 32 bytes; per commit the signed checkpoint in meta, and after the commit
 * checkpoint.signed's slot of 128 bytes written and flushed (the rollback guard). */
#define LOG_PART 490u
#define IDX_LEN 8u
#define KEY_LEN 32u
#define CHECKPOINT_BYTES 320u
#define GUARD_SLOT 128u
#define SIGNERS 64u
#define FLOOR_MAP ((size_t)4 << 30)

#define DEFAULT_BATCH 64u      /* records per commit when the hub's own was not measured */
#define STORE_RECORDS_MAX 30000u /* records per CPU measurement of the store, beside seconds */
/* The file is written with zeros ahead of the records, a page per write, as the hub does as it
 * grows (pre_write_tail in hub/tx_store.c: LMDB then writes into small page-cache folios, and
 * a flush writes the pages LMDB wrote, not whole folios around them). Here it is done once for
 * the whole run, outside the measurement: FILE_PER_RECORD is more than a record takes (3.4 KB
 * measured). */
#define FILE_PER_RECORD 4096u
#define FILE_SLACK ((size_t)8 << 20)
#define PAGE 4096u
#define CURVE_MAX 2000000u     /* messages per CURVE measurement, beside seconds */
#define REPLY_BYTES 512u       /* the small reply: about a receipt and an inclusion proof */
#define TAIL_MAX 2000000u      /* arrivals in the tail floor */
#define THREADS_MAX 64
#define FIGURE_KEY 64        /* a figure's key in the JSON */

/* ---- the bare store ---- */

typedef struct {
    MDB_env *env;
    MDB_dbi log, ids, seqs, access, nodes, meta;
    int guard;       /* the rollback guard's file; -1: none */
    uint64_t last;   /* records stored */
    uint64_t guards; /* the guard's writes, its slot's sequence */
    const uint8_t *rec;
    size_t rec_len;
    uint8_t signer[SIGNERS][KEY_LEN];
} floor_store;

static void
be64_put(uint8_t *p, uint64_t v)
{
    for (int b = 7; b >= 0; b--) {
        p[b] = (uint8_t)v;
        v >>= 8;
    }
}

static void
store_close(floor_store *s)
{
    if (s->env != NULL) {
        mdb_env_close(s->env);
    }
    if (s->guard >= 0) {
        close(s->guard);
    }
    s->env = NULL;
    s->guard = -1;
}

/* data.mdb written with zeros up to `bytes` past what it holds, a page per write, and flushed. */
static int
pre_write(MDB_env *env, size_t bytes)
{
    static const uint8_t zero[PAGE];
    struct stat st;
    int fd;

    if (mdb_env_get_fd(env, &fd) != MDB_SUCCESS || fstat(fd, &st) != 0) {
        return -1;
    }
    for (size_t at = (size_t)st.st_size - (size_t)st.st_size % PAGE; at < bytes; at += PAGE) {
        if (pwrite(fd, zero, PAGE, (off_t)at) != PAGE) {
            return -1;
        }
    }
    return fdatasync(fd);
}

/* An environment in dir with the hub's settings (durable commits, MDB_NOTLS | MDB_NORDAHEAD)
 * and its databases, its file written ahead for `records`; with the guard file when guard is
 * set. Stores rec (borrowed). */
static int
store_open(floor_store *s, const char *dir, int guard, size_t records, const uint8_t *rec,
           size_t rec_len)
{
    static const char *const names[] = {"log", "ids", "seqs", "access", "nodes", "meta"};
    MDB_dbi *dbis[] = {&s->log, &s->ids, &s->seqs, &s->access, &s->nodes, &s->meta};
    char path[PATH_MAX];
    MDB_txn *txn = NULL;
    int ok;

    memset(s, 0, sizeof *s);
    s->guard = -1;
    s->rec = rec;
    s->rec_len = rec_len;
    randombytes_buf(s->signer, sizeof s->signer);
    ok = mdb_env_create(&s->env) == MDB_SUCCESS && mdb_env_set_mapsize(s->env, FLOOR_MAP) == 0 &&
         mdb_env_set_maxdbs(s->env, 16) == 0 &&
         mdb_env_open(s->env, dir, MDB_NOTLS | MDB_NORDAHEAD, 0600) == MDB_SUCCESS &&
         mdb_txn_begin(s->env, NULL, 0, &txn) == MDB_SUCCESS;
    for (size_t i = 0; ok && i < sizeof names / sizeof names[0]; i++) {
        ok = mdb_dbi_open(txn, names[i], MDB_CREATE, dbis[i]) == MDB_SUCCESS;
    }
    if (txn != NULL) {
        ok = ok && mdb_txn_commit(txn) == MDB_SUCCESS;
        if (!ok) {
            mdb_txn_abort(txn);
        }
    }
    ok = ok && pre_write(s->env, records * FILE_PER_RECORD + FILE_SLACK) == 0;
    if (ok && guard) {
        snprintf(path, sizeof path, "%s/checkpoint.signed", dir);
        s->guard = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        ok = s->guard >= 0;
    }
    if (!ok) {
        fprintf(stderr, "ticsx-bench: the bare store in %s could not be made\n", dir);
        store_close(s);
        return TX_ERR_STORAGE;
    }
    return TX_OK;
}

/* Record `index` (1-based) as the hub writes it, in txn. */
static int
store_put(floor_store *s, MDB_txn *txn, uint64_t index)
{
    uint8_t lkey[IDX_LEN + 2], id[KEY_LEN], idval[IDX_LEN + 1], seq[IDX_LEN];
    uint8_t akey[KEY_LEN + 1 + IDX_LEN], nkey[1 + IDX_LEN], h[32], *signer;
    MDB_val k, v;
    uint64_t i = index - 1;
    unsigned level = 0;
    int rc = MDB_SUCCESS;

    be64_put(lkey, index);
    for (size_t off = 0, part = 0; off < s->rec_len && rc == MDB_SUCCESS;
         off += LOG_PART, part++) {
        lkey[IDX_LEN] = (uint8_t)(part >> 8);
        lkey[IDX_LEN + 1] = (uint8_t)part;
        k = (MDB_val){sizeof lkey, lkey};
        v = (MDB_val){s->rec_len - off < LOG_PART ? s->rec_len - off : LOG_PART,
                      (void *)(s->rec + off)};
        rc = mdb_put(txn, s->log, &k, &v, MDB_APPEND);
    }
    /* The leaf, then each subtree it completes (its left sibling read, as the hub does). */
    randombytes_buf(h, sizeof h);
    for (;;) {
        nkey[0] = (uint8_t)level;
        be64_put(nkey + 1, i);
        k = (MDB_val){sizeof nkey, nkey};
        v = (MDB_val){sizeof h, h};
        if (rc != MDB_SUCCESS || (rc = mdb_put(txn, s->nodes, &k, &v, 0)) != MDB_SUCCESS ||
            (i & 1) == 0) {
            break;
        }
        be64_put(nkey + 1, i - 1);
        if ((rc = mdb_get(txn, s->nodes, &k, &v)) != MDB_SUCCESS) {
            break;
        }
        h[0] ^= ((const uint8_t *)v.mv_data)[0];
        level++;
        i >>= 1;
    }
    randombytes_buf(id, sizeof id);
    be64_put(idval, index);
    idval[IDX_LEN] = 1;
    signer = s->signer[index % SIGNERS];
    be64_put(seq, index);
    memcpy(akey, signer, KEY_LEN);
    akey[KEY_LEN] = 1;
    be64_put(akey + KEY_LEN + 1, index);
    if (rc == MDB_SUCCESS) {
        k = (MDB_val){sizeof id, id};
        v = (MDB_val){sizeof idval, idval};
        rc = mdb_put(txn, s->ids, &k, &v, MDB_NOOVERWRITE);
    }
    if (rc == MDB_SUCCESS) {
        k = (MDB_val){KEY_LEN, signer};
        v = (MDB_val){sizeof seq, seq};
        rc = mdb_put(txn, s->seqs, &k, &v, 0);
    }
    if (rc == MDB_SUCCESS) {
        k = (MDB_val){sizeof akey, akey};
        v = (MDB_val){0, ""};
        rc = mdb_put(txn, s->access, &k, &v, 0);
    }
    return rc;
}

/* One durable commit of n records and a checkpoint, then the guard's slot written and flushed
 * (when there is a guard). */
static int
store_commit(floor_store *s, size_t n)
{
    static const char cp_key[] = "checkpoint";
    uint8_t cp[CHECKPOINT_BYTES], slot[GUARD_SLOT];
    MDB_val k = {sizeof cp_key - 1, (void *)cp_key}, v = {sizeof cp, cp};
    MDB_txn *txn;
    int rc;

    if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != MDB_SUCCESS) {
        fprintf(stderr, "ticsx-bench: bare store: %s\n", mdb_strerror(rc));
        return TX_ERR_STORAGE;
    }
    for (size_t j = 0; j < n && rc == MDB_SUCCESS; j++) {
        rc = store_put(s, txn, s->last + 1 + j);
    }
    memset(cp, 'c', sizeof cp);
    if (rc != MDB_SUCCESS || (rc = mdb_put(txn, s->meta, &k, &v, 0)) != MDB_SUCCESS) {
        mdb_txn_abort(txn);
    } else {
        rc = mdb_txn_commit(txn);
    }
    if (rc != MDB_SUCCESS) {
        fprintf(stderr, "ticsx-bench: bare store: %s\n", mdb_strerror(rc));
        return TX_ERR_STORAGE;
    }
    s->last += n;
    if (s->guard >= 0) {
        memset(slot, ' ', sizeof slot);
        snprintf((char *)slot, sizeof slot, "%llu %llu", (unsigned long long)s->guards,
                 (unsigned long long)s->last);
        if (pwrite(s->guard, slot, sizeof slot, (off_t)(s->guards % 2) * GUARD_SLOT) !=
                (ssize_t)sizeof slot ||
            fdatasync(s->guard) != 0) {
            fprintf(stderr, "ticsx-bench: bare store's guard: %s\n", strerror(errno));
            return TX_ERR_IO;
        }
        s->guards++;
    }
    return TX_OK;
}

/* ---- CPU time ---- */

/* CPU seconds of a thread's CPU clock (pthread_getcpuclockid); -1 if unreadable. */
static double
clock_cpu_s(clockid_t clock)
{
    struct timespec ts;

    if (clock_gettime(clock, &ts) != 0) {
        return -1;
    }
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This process's threads: their ids into tid (capacity max); how many. */
static size_t
own_threads(long *tid, size_t max)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    size_t n = 0;

    while (d != NULL && (e = readdir(d)) != NULL && n < max) {
        char *end;
        long t = strtol(e->d_name, &end, 10);

        if (*end == 0 && t > 0) {
            tid[n++] = t;
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

/* The threads of after that are not in before (the ones a ZeroMQ context started). */
static size_t
new_threads(const long *before, size_t nb, const long *after, size_t na, long *out)
{
    size_t n = 0;

    for (size_t i = 0; i < na; i++) {
        size_t j = 0;

        while (j < nb && before[j] != after[i]) {
            j++;
        }
        if (j == nb) {
            out[n++] = after[i];
        }
    }
    return n;
}

/* CPU seconds of these threads of this process; -1 when one cannot be read. */
static double
threads_cpu_s(const long *tid, size_t n)
{
    double sum = 0;

    for (size_t i = 0; i < n; i++) {
        char path[64];
        double s;

        snprintf(path, sizeof path, "/proc/self/task/%ld/stat", tid[i]);
        if ((s = tx_bench_stat_cpu(path)) < 0) {
            return -1;
        }
        sum += s;
    }
    return sum;
}

/* ---- (c) the store's CPU per record ---- */

static int
store_cpu(const tx_bench_cfg *cfg, const uint8_t *rec, size_t rec_len, unsigned batch,
          double *us, double *sys_us)
{
    char dir[PATH_MAX];
    floor_store s;
    double c0, k0, c1, k1;
    int64_t t0;
    int rc;

    if ((rc = tx_bench_mkdtemp(cfg->work, "floor-store", dir, sizeof dir)) != TX_OK) {
        return rc;
    }
    if ((rc = store_open(&s, dir, 0, STORE_RECORDS_MAX + 2 * (size_t)batch, rec, rec_len)) !=
        TX_OK) {
        tx_bench_rmtree(dir);
        return rc;
    }
    /* A first commit outside the measurement: the file's first pages. */
    rc = store_commit(&s, batch);
    c0 = tx_bench_thread_cpu(&k0);
    t0 = tx_bench_now_ns();
    while (rc == TX_OK && !tx_bench_stop && s.last < STORE_RECORDS_MAX &&
           tx_bench_since_s(t0) < cfg->seconds) {
        rc = store_commit(&s, batch);
    }
    c1 = tx_bench_thread_cpu(&k1);
    if (rc == TX_OK && (c0 < 0 || c1 < 0)) {
        rc = TX_ERR_IO;
    }
    if (rc == TX_OK) {
        double stored = (double)(s.last - batch);

        *us = stored > 0 ? (c1 - c0) * 1e6 / stored : 0;
        *sys_us = stored > 0 ? (k1 - k0) * 1e6 / stored : 0;
    }
    store_close(&s);
    tx_bench_rmtree(dir);
    return rc;
}

/* ---- (b) CURVE: the record's bytes in, a small reply out ---- */

typedef struct {
    void *sock;
    atomic_int quit;
    uint64_t answered;
} curve_server;

static void *
curve_serve(void *arg)
{
    curve_server *s = arg;
    uint8_t reply[REPLY_BYTES];

    memset(reply, 'r', sizeof reply);
    while (!atomic_load(&s->quit)) {
        zmq_pollitem_t it = {s->sock, 0, ZMQ_POLLIN, 0};
        zmq_msg_t id, body;

        if (zmq_poll(&it, 1, 50) <= 0) {
            continue;
        }
        /* Everything waiting, as the hub's loop takes it. */
        for (;;) {
            zmq_msg_init(&id);
            zmq_msg_init(&body);
            if (zmq_msg_recv(&id, s->sock, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&id);
                zmq_msg_close(&body);
                break;
            }
            if (zmq_msg_more(&id) && zmq_msg_recv(&body, s->sock, 0) >= 0 &&
                zmq_msg_send(&id, s->sock, ZMQ_SNDMORE) >= 0 &&
                zmq_send(s->sock, reply, sizeof reply, 0) >= 0) {
                s->answered++;
            }
            zmq_msg_close(&id);
            zmq_msg_close(&body);
        }
    }
    return NULL;
}

static void *
curve_socket(void *ctx, int type, const char *pk, const char *sk, const char *server_pk)
{
    void *sock = zmq_socket(ctx, type);
    int one = 1, linger = 0, hwm = 0;

    if (sock == NULL) {
        return NULL;
    }
    if (zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm) != 0 ||
        zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm) != 0 ||
        (server_pk == NULL && (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
                               zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, sk, 40) != 0)) ||
        (server_pk != NULL && (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server_pk, 40) != 0 ||
                               zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, pk, 40) != 0 ||
                               zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, sk, 40) != 0))) {
        zmq_close(sock);
        return NULL;
    }
    return sock;
}

typedef struct {
    double server_us, server_io_us, client_us;
    uint64_t messages;
    size_t call_bytes;
} curve_cpu_out;

/* The K clients of the ingest, each with `window` calls in flight, send the record as a submit
 * call (call: its packed bytes) to a CURVE ROUTER that answers each with REPLY_BYTES. */
static int
curve_cpu(const tx_bench_cfg *cfg, const uint8_t *call, size_t call_len, curve_cpu_out *out)
{
    char spk[41], ssk[41], cpk[41], csk[41], endpoint[128];
    long before[THREADS_MAX], after[THREADS_MAX], server_io[THREADS_MAX], client_io[THREADS_MAX];
    size_t nb, na, n_sio = 0, n_cio = 0, len = sizeof endpoint;
    unsigned k = cfg->clients, window = cfg->window;
    void *sctx = NULL, *cctx = NULL, **c = calloc(k, sizeof *c);
    unsigned *flight = calloc(k, sizeof *flight);
    zmq_pollitem_t *it = calloc(k, sizeof *it);
    uint8_t back[REPLY_BYTES + 16];
    curve_server srv;
    pthread_t tid;
    int started = 0, rc = TX_ERR_NET;
    double sio0 = -1, cio0 = -1, sio1, cio1, own0, own1, srv0, srv1;
    clockid_t srv_clock;
    uint64_t sent = 0, got = 0;
    int64_t t0;

    memset(&srv, 0, sizeof srv);
    memset(out, 0, sizeof *out);
    if (c == NULL || flight == NULL || it == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    if (zmq_curve_keypair(spk, ssk) != 0 || zmq_curve_keypair(cpk, csk) != 0) {
        goto out;
    }
    /* Each context's threads are the ones that appear with its first socket. */
    nb = own_threads(before, THREADS_MAX);
    sctx = zmq_ctx_new();
    srv.sock = sctx != NULL ? curve_socket(sctx, ZMQ_ROUTER, NULL, ssk, NULL) : NULL;
    if (srv.sock == NULL || zmq_bind(srv.sock, "tcp://127.0.0.1:*") != 0 ||
        zmq_getsockopt(srv.sock, ZMQ_LAST_ENDPOINT, endpoint, &len) != 0) {
        goto out;
    }
    na = own_threads(after, THREADS_MAX);
    n_sio = new_threads(before, nb, after, na, server_io);
    nb = own_threads(before, THREADS_MAX);
    cctx = zmq_ctx_new();
    for (unsigned i = 0; i < k; i++) {
        c[i] = cctx != NULL ? curve_socket(cctx, ZMQ_DEALER, cpk, csk, spk) : NULL;
        if (c[i] == NULL || zmq_connect(c[i], endpoint) != 0) {
            goto out;
        }
    }
    na = own_threads(after, THREADS_MAX);
    n_cio = new_threads(before, nb, after, na, client_io);
    if (pthread_create(&tid, NULL, curve_serve, &srv) != 0) {
        goto out;
    }
    started = 1;
    if (pthread_getcpuclockid(tid, &srv_clock) != 0) {
        goto out;
    }
    /* The handshakes and a first round, outside the measurement. */
    for (unsigned i = 0; i < k; i++) {
        it[i] = (zmq_pollitem_t){c[i], 0, ZMQ_POLLIN, 0};
        if (zmq_send(c[i], call, call_len, 0) < 0 || zmq_poll(&it[i], 1, 10000) <= 0 ||
            zmq_recv(c[i], back, sizeof back, 0) < 0) {
            fprintf(stderr, "ticsx-bench: the CURVE floor's server did not answer\n");
            goto out;
        }
    }
    sio0 = threads_cpu_s(server_io, n_sio);
    cio0 = threads_cpu_s(client_io, n_cio);
    own0 = tx_bench_thread_cpu(NULL);
    srv0 = clock_cpu_s(srv_clock);
    t0 = tx_bench_now_ns();
    while (!tx_bench_stop) {
        int more = sent < CURVE_MAX && tx_bench_since_s(t0) < cfg->seconds;

        if (!more && got == sent) {
            break;
        }
        for (unsigned i = 0; more && i < k; i++) {
            while (flight[i] < window) {
                if (zmq_send(c[i], call, call_len, 0) < 0) {
                    goto out;
                }
                flight[i]++;
                sent++;
            }
        }
        if (zmq_poll(it, (int)k, 10000) <= 0) {
            fprintf(stderr, "ticsx-bench: the CURVE floor's server stopped answering\n");
            goto out;
        }
        for (unsigned i = 0; i < k; i++) {
            while (flight[i] > 0 && zmq_recv(c[i], back, sizeof back, ZMQ_DONTWAIT) >= 0) {
                flight[i]--;
                got++;
            }
        }
    }
    own1 = tx_bench_thread_cpu(NULL);
    srv1 = clock_cpu_s(srv_clock);
    sio1 = threads_cpu_s(server_io, n_sio);
    cio1 = threads_cpu_s(client_io, n_cio);
    atomic_store(&srv.quit, 1);
    pthread_join(tid, NULL);
    started = 0;
    if (got == 0 || sio0 < 0 || sio1 < 0 || cio0 < 0 || cio1 < 0 || srv0 < 0 || srv1 < 0 ||
        n_sio == 0) {
        fprintf(stderr, "ticsx-bench: the CURVE floor's threads could not be read\n");
        rc = TX_ERR_IO;
        goto out;
    }
    out->messages = got;
    out->call_bytes = call_len;
    out->server_io_us = (sio1 - sio0) * 1e6 / (double)got;
    out->server_us = out->server_io_us + (srv1 - srv0) * 1e6 / (double)got;
    out->client_us = ((cio1 - cio0) + (own1 - own0)) * 1e6 / (double)got;
    rc = TX_OK;
out:
    if (started) {
        atomic_store(&srv.quit, 1);
        pthread_join(tid, NULL);
    }
    for (unsigned i = 0; c != NULL && i < k; i++) {
        if (c[i] != NULL) {
            zmq_close(c[i]);
        }
    }
    if (cctx != NULL) {
        zmq_ctx_term(cctx);
    }
    if (srv.sock != NULL) {
        zmq_close(srv.sock);
    }
    if (sctx != NULL) {
        zmq_ctx_term(sctx);
    }
    free(c);
    free(flight);
    free(it);
    return rc;
}

/* ---- the tail: arrivals, their verification, a single-writer group commit ---- */

/* What a thread has used: CPU seconds (user + system) and context switches, from
 * getrusage(RUSAGE_THREAD); cpu_s < 0 when it could not be read. */
typedef struct {
    double cpu_s;
    long woken;     /* voluntary switches: it waited and was woken */
    long preempted; /* involuntary: another task took its core */
} thread_use;

static thread_use
thread_use_now(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_THREAD, &ru) != 0) {
        return (thread_use){-1, 0, 0};
    }
    return (thread_use){(double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                            (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
                        ru.ru_nvcsw, ru.ru_nivcsw};
}

/* The calling thread's use since `start` added to *sum; sum->cpu_s stays < 0 once one could
 * not be read. */
static void
thread_use_add(thread_use *sum, thread_use start)
{
    thread_use now = thread_use_now();

    sum->cpu_s = start.cpu_s < 0 || now.cpu_s < 0 || sum->cpu_s < 0
                     ? -1
                     : sum->cpu_s + (now.cpu_s - start.cpu_s);
    sum->woken += now.woken - start.woken;
    sum->preempted += now.preempted - start.preempted;
}

/* One paced run. Arrivals come every 1/rate s; with verifiers, each verifying thread takes the
 * oldest arrival queued, one at a time, checks its signature and hands it to the writer;
 * without, each arrival goes to the writer as it comes. Each commit takes every record handed
 * on so far; a record's latency runs from when it was due to its commit's return (the guard's
 * flush included). */
typedef struct {
    floor_store *s;
    const tx_bench_signed *msgs; /* record i checks msgs[i % n_msgs] */
    size_t n_msgs;
    pthread_mutex_t mu;
    pthread_cond_t queued; /* an arrival for the verifiers, or the end */
    pthread_cond_t ready;  /* a record for the writer, or the end */
    int64_t *due;          /* each arrival's due time */
    size_t *order;         /* the records in the order they were handed to the writer */
    double *lat;           /* latencies (us) in the order committed */
    double *handed_lat;    /* arrival to its hand-off to the writer (us), in that order */
    size_t arrived;        /* arrivals so far */
    size_t taken;          /* of those, taken by a verifier */
    size_t handed;         /* records handed to the writer */
    size_t committed;      /* of those, committed */
    size_t total;          /* arrivals in all */
    uint64_t commits;
    thread_use writer, verifiers; /* what the writer and the verifiers (all) used */
    int bad;                           /* signatures that did not verify */
    int rc;
} tail_run;

/* Record i to the writer; t->mu held. */
static void
hand_on(tail_run *t, size_t i)
{
    t->handed_lat[t->handed] = (double)(tx_bench_now_ns() - t->due[i]) / 1000;
    t->order[t->handed++] = i;
    pthread_cond_signal(&t->ready);
}

static void *
tail_verifier(void *arg)
{
    tail_run *t = arg;
    thread_use start = thread_use_now();

    pthread_mutex_lock(&t->mu);
    while (t->rc == TX_OK && !tx_bench_stop) {
        size_t i;
        int ok;

        if (t->taken == t->arrived) {
            if (t->taken == t->total) {
                break;
            }
            pthread_cond_wait(&t->queued, &t->mu);
            continue;
        }
        i = t->taken++;
        pthread_mutex_unlock(&t->mu);
        ok = tx_bench_signed_ok(&t->msgs[i % t->n_msgs]);
        pthread_mutex_lock(&t->mu);
        t->bad += !ok;
        hand_on(t, i);
    }
    thread_use_add(&t->verifiers, start);
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

static void *
tail_writer(void *arg)
{
    tail_run *t = arg;
    thread_use start = thread_use_now();

    pthread_mutex_lock(&t->mu);
    while (t->committed < t->total && t->rc == TX_OK && !tx_bench_stop) {
        size_t from = t->committed, to;
        int rc;

        if (t->handed == from) {
            pthread_cond_wait(&t->ready, &t->mu);
            continue;
        }
        to = t->handed;
        pthread_mutex_unlock(&t->mu);
        rc = store_commit(t->s, to - from);
        if (rc == TX_OK) {
            int64_t now = tx_bench_now_ns();

            for (size_t j = from; j < to; j++) {
                t->lat[j] = (double)(now - t->due[t->order[j]]) / 1000;
            }
        }
        pthread_mutex_lock(&t->mu);
        t->rc = rc;
        t->committed = to;
        t->commits++;
    }
    thread_use_add(&t->writer, start);
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

/* The arrivals, paced on this thread, with `verifiers` verifying threads (0: none) and the
 * writer; t's store, messages and arrays set by the caller. */
static int
tail_pace(tail_run *t, unsigned verifiers, double rate)
{
    pthread_t writer, ver[THREADS_MAX];
    unsigned started = 0;
    int64_t t0, interval = (int64_t)(1e9 / rate);
    int rc = TX_OK, writing;

    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->queued, NULL);
    pthread_cond_init(&t->ready, NULL);
    t->rc = TX_OK;
    writing = pthread_create(&writer, NULL, tail_writer, t) == 0;
    if (!writing) {
        t->rc = rc = TX_ERR_INTERNAL;
    }
    while (rc == TX_OK && started < verifiers) {
        if (pthread_create(&ver[started], NULL, tail_verifier, t) != 0) {
            pthread_mutex_lock(&t->mu);
            t->rc = rc = TX_ERR_INTERNAL;
            pthread_mutex_unlock(&t->mu);
            break;
        }
        started++;
    }
    t0 = tx_bench_now_ns();
    for (size_t i = 0; rc == TX_OK && i < t->total && !tx_bench_stop; i++) {
        int64_t due = t0 + (int64_t)i * interval;
        struct timespec ts = {(time_t)(due / 1000000000), (long)(due % 1000000000)};

        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        pthread_mutex_lock(&t->mu);
        t->due[i] = due;
        t->arrived = i + 1;
        if (verifiers == 0) {
            hand_on(t, i);
        } else {
            pthread_cond_signal(&t->queued);
        }
        rc = t->rc;
        pthread_mutex_unlock(&t->mu);
    }
    /* The end: stopped early, the threads end with what arrived. */
    pthread_mutex_lock(&t->mu);
    t->total = t->arrived;
    pthread_cond_broadcast(&t->queued);
    pthread_cond_broadcast(&t->ready);
    pthread_mutex_unlock(&t->mu);
    for (unsigned v = 0; v < started; v++) {
        pthread_join(ver[v], NULL);
    }
    if (writing) {
        pthread_join(writer, NULL);
    }
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->queued);
    pthread_cond_destroy(&t->ready);
    return t->rc;
}

/* key = prefix_name (key: FIGURE_KEY bytes). */
static const char *
figure(char *key, const char *prefix, const char *name)
{
    snprintf(key, FIGURE_KEY, "%s_%s", prefix, name);
    return key;
}

/* The floor of the tail under its prefix in out ("tail": the group-commit floor, no
 * verification; "pipeline": each arrival verified first, on `verifiers` threads over msgs).
 * Arrivals every 1/rate s for cfg->latency_s (the latency run's span). */
static int
tail_floor(const tx_bench_cfg *cfg, const uint8_t *rec, size_t rec_len, const tx_bench_signed *msgs,
           size_t n_msgs, unsigned verifiers, double rate, json_t *out)
{
    const char *prefix = verifiers > 0 ? "pipeline" : "tail";
    char dir[PATH_MAX], key[FIGURE_KEY];
    floor_store s;
    tail_run t;
    size_t total = (size_t)(rate * cfg->latency_s);
    int rc;

    if (total == 0) {
        total = 1;
    }
    if (total > TAIL_MAX) {
        total = TAIL_MAX;
    }
    memset(&t, 0, sizeof t);
    t.due = calloc(total, sizeof *t.due);
    t.order = calloc(total, sizeof *t.order);
    t.lat = calloc(total, sizeof *t.lat);
    t.handed_lat = calloc(total, sizeof *t.handed_lat);
    if (t.due == NULL || t.order == NULL || t.lat == NULL || t.handed_lat == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    if ((rc = tx_bench_mkdtemp(cfg->work, verifiers > 0 ? "floor-pipeline" : "floor-tail", dir,
                               sizeof dir)) != TX_OK) {
        goto out;
    }
    if ((rc = store_open(&s, dir, 1, total + 64, rec, rec_len)) != TX_OK) {
        tx_bench_rmtree(dir);
        goto out;
    }
    /* The file's first pages, outside the measurement. */
    if ((rc = store_commit(&s, 64)) == TX_OK) {
        t.s = &s;
        t.msgs = msgs;
        t.n_msgs = n_msgs;
        t.total = total;
        rc = tail_pace(&t, verifiers, rate);
    }
    store_close(&s);
    tx_bench_rmtree(dir);
    if (rc != TX_OK) {
        goto out;
    }
    if (t.bad > 0) {
        fprintf(stderr, "ticsx-bench: %d signature(s) did not verify in the pipeline floor\n",
                t.bad);
        rc = TX_ERR_BAD_SIGNATURE;
        goto out;
    }
    tx_bench_set(out, figure(key, prefix, "rate_per_s"), rate, "records/s",
                 verifiers > 0 ? "pipeline floor: arrivals at" : "group-commit floor: arrivals at");
    if (verifiers > 0) {
        tx_bench_set(out, figure(key, prefix, "verifiers"), verifiers, "", "  verifying threads");
    }
    tx_bench_set(out, figure(key, prefix, "records"), (double)t.committed, "",
                 "  records committed");
    tx_bench_set(out, figure(key, prefix, "records_per_commit"),
                 t.commits ? (double)t.committed / (double)t.commits : 0, "",
                 "  records per commit (mean)");
    tx_bench_set_quantile(out, figure(key, prefix, "p50_us"), t.lat, t.committed, 0.5, "us",
                          verifiers > 0 ? "  arrival to its commit, verified, p50"
                                        : "  arrival to its commit, p50");
    tx_bench_set_quantile(out, figure(key, prefix, "p99_us"), t.lat, t.committed, 0.99, "us",
                          "  p99");
    tx_bench_set_quantile(out, figure(key, prefix, "p999_us"), t.lat, t.committed, 0.999, "us",
                          "  p99.9");
    if (verifiers > 0) {
        tx_bench_set_quantile(out, figure(key, prefix, "verified_p99_us"), t.handed_lat,
                              t.handed, 0.99, "us", "  arrival to verified (queue + check), p99");
    }
    if (t.committed > 0 && t.writer.cpu_s >= 0) {
        tx_bench_set(out, figure(key, prefix, "writer_cpu_us_per_record"),
                     t.writer.cpu_s * 1e6 / (double)t.committed, "us",
                     "  the writer's CPU per record");
    }
    if (verifiers > 0 && t.committed > 0 && t.verifiers.cpu_s >= 0) {
        tx_bench_set(out, figure(key, prefix, "verifiers_cpu_us_per_record"),
                     t.verifiers.cpu_s * 1e6 / (double)t.committed, "us",
                     "  the verifiers' CPU per record");
    }
    if (t.committed > 0) {
        double n = (double)t.committed;

        tx_bench_set(out, figure(key, prefix, "switches_per_record"),
                     (double)(t.writer.woken + t.writer.preempted + t.verifiers.woken +
                              t.verifiers.preempted) /
                         n,
                     "", "  its threads' context switches per record");
        tx_bench_set(out, figure(key, prefix, "preempted_per_record"),
                     (double)(t.writer.preempted + t.verifiers.preempted) / n, "",
                     "    of which preempted (a busy machine)");
    }
out:
    free(t.due);
    free(t.order);
    free(t.lat);
    free(t.handed_lat);
    return rc;
}

/* ---- the section ---- */

static void
cpu_floor(const tx_bench_cfg *cfg, const json_t *limits, const json_t *ingest, const uint8_t *env,
          size_t env_len, json_t *out)
{
    double one = 0, batch = 0, store_us = 0, store_sys = 0, a_us, floor_us;
    const char *batch_from, *a_label = "  (a) one bare verification, CPU time";
    curve_cpu_out cv;
    uint8_t *call = NULL;
    size_t call_len = 0;
    unsigned b;
    char label[160];

    /* (a) in CPU time; from the 1-thread rate (wall time) only when the
     * CPU time could not be read, and labelled so. */
    if (!tx_bench_get(limits, "verify_1thread_cpu_us", &a_us) || a_us <= 0) {
        if (!tx_bench_get(limits, "verify_1thread_per_s", &one) || one <= 0) {
            tx_bench_unmeasured(out, "cpu_floor_us", "hub CPU floor per record", "%s",
                                tx_bench_why(limits, "verify_1thread_per_s"));
            tx_bench_unmeasured(out, "cpu_floor_over_verify", NULL, "%s",
                                tx_bench_why(limits, "verify_1thread_per_s"));
            return;
        }
        a_us = 1e6 / one;
        a_label = "  (a) one bare verification, from the 1-thread rate";
    }
    if (tx_bench_get(ingest, "hub_records_per_commit", &batch) && batch >= 1) {
        b = (unsigned)(batch + 0.5);
        batch_from = "the hub's mean in the sustained ingest";
    } else {
        b = DEFAULT_BATCH;
        batch_from = "fixed (the hub's own was not measured)";
    }
    printf("floor of the hub's CPU per record: bare parts, each on one core, CPU time\n");
    tx_bench_set(out, "cpu_floor_verify_us", a_us, "us", a_label);
    if (tx_bench_pack_submit(1, env, env_len, &call, &call_len) != TX_OK ||
        curve_cpu(cfg, call, call_len, &cv) != TX_OK) {
        free(call);
        tx_bench_unmeasured(out, "cpu_floor_us", "hub CPU floor per record",
                            "the CURVE pair could not be measured");
        tx_bench_unmeasured(out, "cpu_floor_over_verify", NULL,
                            "the CURVE pair could not be measured");
        return;
    }
    free(call);
    tx_bench_set(out, "curve_call_bytes", (double)cv.call_bytes, "B",
                 "  (b) CURVE: a submit call of");
    tx_bench_set(out, "curve_reply_bytes", REPLY_BYTES, "B", "      answered with");
    tx_bench_set(out, "curve_messages", (double)cv.messages, "", "      messages");
    tx_bench_set(out, "curve_server_us", cv.server_us, "us",
                 "      server (the hub's share) per message");
    tx_bench_set(out, "curve_server_io_us", cv.server_io_us, "us",
                 "        of which its ZeroMQ I/O thread");
    tx_bench_set(out, "curve_client_us", cv.client_us, "us", "      client per message (beside)");
    if (store_cpu(cfg, env, env_len, b, &store_us, &store_sys) != TX_OK || store_us <= 0) {
        tx_bench_unmeasured(out, "cpu_floor_us", "hub CPU floor per record",
                            "the bare store could not be measured");
        tx_bench_unmeasured(out, "cpu_floor_over_verify", NULL,
                            "the bare store could not be measured");
        return;
    }
    snprintf(label, sizeof label, "  (c) batch: %s", batch_from);
    tx_bench_set(out, "store_batch", b, "records", label);
    tx_bench_set(out, "store_us", store_us, "us", "      bare LMDB store per record");
    tx_bench_set(out, "store_sys_us", store_sys, "us", "        of which kernel");
    floor_us = a_us + cv.server_us + store_us;
    tx_bench_set(out, "cpu_floor_us", floor_us, "us", "  floor a + b + c per record");
    /* The claim is made only when this run shows it. */
    tx_bench_set(out, "cpu_floor_over_verify", floor_us / a_us, "",
                 floor_us / a_us > 1.25 ? "  floor / (a): above 1.25, out of reach here for any "
                                          "design that receives over CURVE, verifies and "
                                          "durably stores each record in LMDB as the hub "
                                          "does, at its batches"
                                        : "  floor / (a)");
}

/* prefix_p99_over_disk_p99: the floor's p99 / the bare commit's p99 (limits'
 * lmdb_paced_us_p99), printed with `above` as its label when it is above 3 in this run and the
 * floor is one: not above the hub's own p99 (latency's p99_us). A floor above what the hub did
 * was stretched by a busier machine while it ran, and claims nothing. */
static void
over_disk(json_t *out, const json_t *limits, const json_t *latency, const char *prefix,
          const char *above)
{
    char key[FIGURE_KEY], ratio[FIGURE_KEY];
    double p99, disk_p99, hub_p99, r;

    figure(ratio, prefix, "p99_over_disk_p99");
    if (!tx_bench_get(out, figure(key, prefix, "p99_us"), &p99)) {
        tx_bench_unmeasured(out, ratio, "  its p99 / bare commit p99", "%s",
                            tx_bench_why(out, key));
    } else if (!tx_bench_get(limits, "lmdb_paced_us_p99", &disk_p99) || disk_p99 <= 0) {
        tx_bench_unmeasured(out, ratio, "  its p99 / bare commit p99", "%s",
                            tx_bench_why(limits, "lmdb_paced_us_p99"));
    } else if ((r = p99 / disk_p99) <= 3) {
        tx_bench_set(out, ratio, r, "", "  its p99 / bare commit p99");
    } else if (tx_bench_get(latency, "p99_us", &hub_p99) && hub_p99 >= p99) {
        tx_bench_set(out, ratio, r, "", above);
    } else {
        tx_bench_set(out, ratio, r, "",
                     "  its p99 / bare commit p99 (above the hub's p99, or that was not "
                     "measured: no claim)");
    }
}

int
tx_bench_floor(const tx_bench_cfg *cfg, uint8_t *const *envs, const size_t *lens, size_t n,
               json_t *root, double pace, json_t *out)
{
    json_t *limits = json_object_get(root, "limits"), *ingest = json_object_get(root, "ingest");
    json_t *latency = json_object_get(root, "latency");
    tx_bench_signed *msgs = NULL;
    unsigned verifiers = cfg->threads < 1 ? 1 : cfg->threads > THREADS_MAX ? THREADS_MAX
                                                                            : cfg->threads;
    size_t got = 0, bytes = 0;
    int rc;

    cpu_floor(cfg, limits, ingest, envs[0], lens[0], out);
    if (tx_bench_stop) {
        return TX_OK;
    }
    if (pace <= 0) {
        static const char *const keys[] = {"tail_p99_us", "tail_p99_over_disk_p99",
                                           "pipeline_p99_us", "pipeline_p99_over_disk_p99"};

        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            tx_bench_unmeasured(out, keys[k], k == 0   ? "group-commit floor p99"
                                              : k == 2 ? "pipeline floor p99"
                                                       : NULL,
                                "no latency run gave its rate");
        }
        return TX_OK;
    }
    printf("group-commit floor: one writer, the hub's store and guard, paced as the latency "
           "run\n");
    if ((rc = tail_floor(cfg, envs[0], lens[0], NULL, 0, 0, pace, out)) != TX_OK) {
        return rc;
    }
    over_disk(out, limits, latency, "tail",
              "  its p99 / bare commit p99: above 3 at this rate for any single-writer store of "
              "these records and guard on this disk");
    if (tx_bench_stop) {
        return TX_OK;
    }
    printf("pipeline floor: the same arrivals, each verified on one of %u threads, then the "
           "same writer\n",
           verifiers);
    msgs = calloc(n, sizeof *msgs);
    if (msgs == NULL) {
        return TX_ERR_NOMEM;
    }
    rc = tx_bench_signed_prepare(envs, lens, n, msgs, &got, &bytes);
    if (rc != TX_OK) {
        tx_bench_unmeasured(out, "pipeline_p99_us", "  p99", "the envelopes do not decode: %s",
                            tx_strerror(rc));
    } else if ((rc = tail_floor(cfg, envs[0], lens[0], msgs, got, verifiers, pace, out)) ==
               TX_ERR_BAD_SIGNATURE) {
        tx_bench_unmeasured(out, "pipeline_p99_us", "  p99",
                            "a signature of the sample did not verify");
    } else if (rc != TX_OK) {
        tx_bench_signed_free(msgs, got);
        return rc;
    }
    tx_bench_signed_free(msgs, got);
    over_disk(out, limits, latency, "pipeline",
              "  its p99 / bare commit p99: above 3, out of reach here for any design that "
              "verifies each record before one writer commits it to this store and guard, at "
              "this rate");
    return TX_OK;
}

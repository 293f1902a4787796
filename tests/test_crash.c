/* kill -9 of the real ticsx-hub at random moments while several clients pipeline thousands of
 * submits, restarting it each time: every acknowledged record is there byte for byte at the
 * index its receipt named, everything stored is complete and verifies, the log is dense and
 * every index agrees with it, and mdb_stat reads the environment cleanly. */
#include "faults_util.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"
#include "tx_mlog.h"
#include "tx_note.h"
#include "tx_store.h"
#include "tx_store_file.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define CLIENTS 4
#define PER_CLIENT 1500
#define KILLS_MAX 12       /* kills a run plans at most */
#define WAIT_MS 1000       /* a client's wait for one reply before it reconnects */
/* The whole run, kills and restarts included: a deadline against a hang (a run takes 5-20 s;
 * a sanitizer build on a busy machine took 40-70 s). */
#define RUN_LIMIT_MS 150000

/* Where the hub is now; clients reconnect to it after a timeout. */
typedef struct {
    pthread_mutex_t mu;
    char endpoint[256];
    uint8_t curve[32];
    int up;
} where;

typedef struct {
    where *w;
    const tx_identity *id;
    fu_rec *recs;
    atomic_size_t acked; /* recs[0..acked) acknowledged */
    unsigned reconnects;
    unsigned duplicates; /* stored before a crash, acknowledged only after it */
    atomic_uint_fast64_t named; /* the largest checkpoint a receipt named */
    int rc;
} client;

static int
hub_at(where *w, char *endpoint, size_t n, uint8_t curve[32])
{
    int up;

    pthread_mutex_lock(&w->mu);
    up = w->up;
    snprintf(endpoint, n, "%s", w->endpoint);
    memcpy(curve, w->curve, 32);
    pthread_mutex_unlock(&w->mu);
    return up;
}

static void
set_hub(where *w, const th_hub *h, int up)
{
    pthread_mutex_lock(&w->mu);
    w->up = up;
    if (up) {
        snprintf(w->endpoint, sizeof w->endpoint, "%s", h->endpoint);
        memcpy(w->curve, h->curve, 32);
    }
    pthread_mutex_unlock(&w->mu);
}

/* The size of the checkpoint note b. */
static uint64_t
checkpoint_size(const ProtobufCBinaryData *b)
{
    tx_note *note = malloc(sizeof *note); /* large */
    tx_note_checkpoint cp = {0};

    assert_non_null(note);
    assert_int_equal(tx_note_parse(b->data, b->len, note), TX_OK);
    assert_int_equal(tx_note_checkpoint_parse(note->text, note->text_len, &cp), TX_OK);
    free(note);
    return cp.size;
}

/* One connection's worth: pipelines from the first unacknowledged record until done or the
 * hub stops answering. Records are resent after a reconnect; those stored before the crash
 * come back as duplicates with their first receipt. */
static int
session(client *cl, tx_conn *c)
{
    uint64_t ids[PER_CLIENT];
    size_t next = atomic_load(&cl->acked), sent = next;
    int rc;

    while (next < PER_CLIENT) {
        tx_reply_pb *r = NULL;

        while (sent < PER_CLIENT && sent - next < FU_WINDOW) {
            if ((rc = fu_send_submit(c, &cl->recs[sent], &ids[sent])) != TX_OK) {
                return rc;
            }
            sent++;
        }
        if ((rc = tx_conn_wait(c, ids[next], &r)) != TX_OK) {
            return rc;
        }
        if (r->status != TICSX__V1__STATUS__OK || r->receipt == NULL) {
            fprintf(stderr, "record %zu refused: %s\n", next, r->message);
            tx_free(r);
            return TX_ERR_REFUSED;
        }
        cl->recs[next].status = r->status;
        cl->recs[next].index = r->receipt->index;
        cl->duplicates += r->receipt->duplicate != 0;
        if (r->receipt->checkpoint.len > 0) {
            uint64_t size = checkpoint_size(&r->receipt->checkpoint);
            if (size > atomic_load(&cl->named)) {
                atomic_store(&cl->named, size);
            }
        }
        tx_free(r);
        atomic_store(&cl->acked, ++next);
    }
    return TX_OK;
}

static void *
run_client(void *arg)
{
    client *cl = arg;
    int64_t deadline = th_now_ms() + RUN_LIMIT_MS;

    while (atomic_load(&cl->acked) < PER_CLIENT && th_now_ms() < deadline) {
        char endpoint[256];
        uint8_t curve[32];
        tx_conn *c = NULL;
        int rc;

        if (!hub_at(cl->w, endpoint, sizeof endpoint, curve)) {
            usleep(5000);
            continue;
        }
        if (tx_conn_open(endpoint, curve, cl->id, WAIT_MS, &c) != TX_OK) {
            cl->rc = TX_ERR_NET;
            break;
        }
        rc = session(cl, c);
        tx_conn_destroy(&c);
        if (rc == TX_ERR_REFUSED) {
            cl->rc = rc;
            break;
        }
        if (rc != TX_OK) {
            cl->reconnects++;
        }
    }
    if (atomic_load(&cl->acked) < PER_CLIENT && cl->rc == TX_OK) {
        cl->rc = TX_ERR_UNREACHABLE;
    }
    return NULL;
}

static size_t
total_acked(client *cls)
{
    size_t n = 0;

    for (int i = 0; i < CLIENTS; i++) {
        n += atomic_load(&cls[i].acked);
    }
    return n;
}

static void
assert_mdb_stat_clean(const char *dir)
{
    static char out[65536];
    int st = fu_mdb_stat("-a", dir, out, sizeof out);

    if (st > 0) {
        fprintf(stderr, "mdb_stat -a %s failed (%d): %s\n", dir, st, out);
    }
    assert_true(st <= 0);
}

/* The hub's latest signed checkpoint covers the whole log, and its root is the one rebuilt
 * from the log's envelopes (and the one the stored Merkle nodes give): a crash neither loses
 * a checkpointed record nor leaves a checkpoint of records that are not there. */
static void
assert_root_is_checkpoint(const char *dir)
{
    char key_path[PATH_MAX + 16];
    uint8_t rebuilt[32], stored[32];
    uint8_t *env = NULL;
    size_t len;
    tx_checkpoint_info cp, signed_cp;
    tx_pubkey hub;
    tx_store *s = NULL;
    uint64_t last;

    snprintf(key_path, sizeof key_path, "%s/hub.pub", dir);
    assert_int_equal(tx_pubkey_load(key_path, &hub), TX_OK);
    assert_int_equal(tx_store_open(dir, 0, &s), TX_OK);
    assert_int_equal(tx_store_last_index(s, &last), TX_OK);
    assert_int_equal(tx_store_checkpoint(s, &env, &len, &cp), TX_OK);
    assert_int_equal(tx_checkpoint_read(env, len, hub.sign, &signed_cp), TX_OK);
    assert_int_equal(signed_cp.size, last);
    assert_int_equal(tx_store_rebuild_root(s, signed_cp.size, rebuilt), TX_OK);
    assert_memory_equal(rebuilt, signed_cp.root, 32);
    assert_int_equal(tx_store_root(s, signed_cp.size, stored), TX_OK);
    assert_memory_equal(stored, signed_cp.root, 32);
    free(env);
    tx_store_close(&s);
}

/* DIR/checkpoint.signed never leads the log: it records at most the log's size, and its root
 * is the root of that many records. It may lag (the hub was killed between a commit and its
 * record, which is made while the next batch commits): returns 1 then. */
static int
assert_signed_not_ahead(const char *dir, client *cls)
{
    tx_store *s = NULL;
    uint8_t root[32], want[32];
    uint64_t size, last;

    assert_int_equal(tx_signed_read(dir, &size, root), TX_OK);
    assert_int_equal(tx_store_open(dir, 0, &s), TX_OK);
    assert_int_equal(tx_store_last_index(s, &last), TX_OK);
    assert_true(size <= last);
    /* Every checkpoint a receipt named was recorded before the receipt went out. */
    for (int i = 0; cls != NULL && i < CLIENTS; i++) {
        if (atomic_load(&cls[i].named) > size) {
            fprintf(stderr, "a receipt named checkpoint %llu; checkpoint.signed records %llu\n",
                    (unsigned long long)atomic_load(&cls[i].named), (unsigned long long)size);
        }
        assert_true(atomic_load(&cls[i].named) <= size);
    }
    assert_int_equal(tx_store_root(s, size, want), TX_OK);
    assert_memory_equal(root, want, 32);
    tx_store_close(&s);
    return size < last;
}

/* Once the hub serves again, checkpoint.signed records the whole log as it was at the kill:
 * a record that lagged caught up before any checkpoint was served. */
static void
assert_signed_caught_up(const char *dir, uint64_t at_kill)
{
    uint8_t root[32];
    uint64_t size;

    assert_int_equal(tx_signed_read(dir, &size, root), TX_OK);
    assert_true(size >= at_kill);
}

/* Every record the clients saw acknowledged so far is in the store in dir at its receipt's
 * index, byte for byte: a receipt is never sent for a record the crash lost. */
static void
assert_acknowledged_stored(const char *dir, client *cls)
{
    tx_store *s = NULL;

    assert_int_equal(tx_store_open(dir, 0, &s), TX_OK);
    for (int i = 0; i < CLIENTS; i++) {
        size_t acked = atomic_load(&cls[i].acked);

        for (size_t k = 0; k < acked; k++) {
            const fu_rec *rec = &cls[i].recs[k];
            tx_entry e;

            assert_int_equal(rec->status, TICSX__V1__STATUS__OK);
            assert_int_equal(tx_store_get(s, rec->id, NULL, &e), TX_OK);
            assert_int_equal(e.index, rec->index);
            assert_int_equal(e.len, rec->len);
            assert_memory_equal(e.env, rec->env, e.len);
            free(e.env);
        }
    }
    tx_store_close(&s);
}

/* `kills` kill -9 of the hub, each once `step` to 3 * `step` more records were acknowledged
 * and then 0 to `delay_us` later; `mid_min` of them must land while clients still submit. */
static void
kill9_run(unsigned kill_plan, size_t step, uint32_t delay_us, unsigned mid_min, int shim)
{
    char *root = th_tmpdir();
    char dir[PATH_MAX];
    tx_identity *ids[CLIENTS];
    client cls[CLIENTS];
    pthread_t threads[CLIENTS];
    where w = {PTHREAD_MUTEX_INITIALIZER, "", {0}, 0};
    th_hub hub;
    tx_store_report r;
    size_t at_kill[KILLS_MAX];
    unsigned kills = 0, mid_run = 0, reconnects = 0, duplicates = 0, lagged = 0;
    int64_t t0 = th_now_ms();

    snprintf(dir, sizeof dir, "%s/hub", root);
    if (shim && !fu_signed_shim_on(root)) {
        th_rmtree(root);
        free(root);
        skip();
    }
    th_hub_init(dir);
    for (int i = 0; i < CLIENTS; i++) {
        char name[32];

        snprintf(name, sizeof name, "Member %d KK", i);
        ids[i] = th_identity(name);
        assert_int_equal(th_enroll(dir, ids[i], 1, NULL, 0), 0);
        memset(&cls[i], 0, sizeof cls[i]);
        cls[i].w = &w;
        cls[i].id = ids[i];
        cls[i].recs = fu_questionnaires(ids[i], 2, PER_CLIENT);
    }
    th_hub_start(&hub, dir, NULL);
    set_hub(&w, &hub, 1);
    for (int i = 0; i < CLIENTS; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, run_client, &cls[i]), 0);
    }
    while (kills < kill_plan && total_acked(cls) < CLIENTS * PER_CLIENT) {
        /* A random moment while the clients are at it again: after some more records were
         * acknowledged, then up to delay_us later (mid-batch, mid-commit or mid-reply). */
        size_t target = total_acked(cls) + step + randombytes_uniform((uint32_t)(2 * step));
        int64_t until = th_now_ms() + 10000;

        while (total_acked(cls) < target && total_acked(cls) < CLIENTS * PER_CLIENT &&
               th_now_ms() < until) {
            usleep(1000);
        }
        usleep(randombytes_uniform(delay_us));
        if (total_acked(cls) == CLIENTS * PER_CLIENT) {
            break;
        }
        set_hub(&w, NULL, 0);
        assert_int_equal(th_hub_stop(&hub, SIGKILL), 128 + SIGKILL);
        at_kill[kills++] = total_acked(cls);
        mid_run += at_kill[kills - 1] < CLIENTS * PER_CLIENT;
        /* After each crash: whatever is stored is whole and consistent. */
        assert_int_equal(fu_check_store(dir, &r), TX_OK);
        assert_true(r.records >= at_kill[kills - 1]);
        assert_mdb_stat_clean(dir);
        assert_root_is_checkpoint(dir);
        assert_acknowledged_stored(dir, cls);
        lagged += (unsigned)assert_signed_not_ahead(dir, cls);
        th_hub_start(&hub, dir, NULL);
        assert_signed_caught_up(dir, r.records);
        set_hub(&w, &hub, 1);
    }
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(threads[i], NULL);
        reconnects += cls[i].reconnects;
        duplicates += cls[i].duplicates;
        assert_int_equal(cls[i].rc, TX_OK);
    }
    assert_int_equal(th_hub_stop(&hub, SIGTERM), 0);
    fu_signed_shim_off();
    fprintf(stderr,
            "# %u kill -9 (%u while submits were in flight), %u reconnects, %zu records "
            "acknowledged in %lld ms, %u of them stored before a crash but acknowledged only "
            "after it (resent: duplicate receipts), checkpoint.signed behind the log at %u "
            "kills; acknowledged at each kill:",
            kills, mid_run, reconnects, total_acked(cls), (long long)(th_now_ms() - t0), duplicates,
            lagged);
    for (unsigned k = 0; k < kills; k++) {
        fprintf(stderr, " %zu", at_kill[k]);
    }
    fprintf(stderr, "\n");
    assert_true(mid_run >= mid_min);

    /* Every record every client saw acknowledged: at its receipt's index, byte for byte. */
    assert_int_equal(fu_check_store(dir, &r), TX_OK);
    assert_int_equal(r.records, CLIENTS * PER_CLIENT + CLIENTS);
    assert_int_equal(r.last, r.records);
    assert_mdb_stat_clean(dir);
    assert_root_is_checkpoint(dir);
    /* Stopped by SIGTERM: every batch was answered, so its record was made. */
    assert_int_equal(assert_signed_not_ahead(dir, cls), 0);
    for (int i = 0; i < CLIENTS; i++) {
        assert_int_equal(atomic_load(&cls[i].acked), PER_CLIENT);
    }
    assert_acknowledged_stored(dir, cls);
    fprintf(stderr, "# checked %llu stored records: log 1..%llu dense, all verify, indices agree\n",
            (unsigned long long)r.records, (unsigned long long)r.last);
    for (int i = 0; i < CLIENTS; i++) {
        fu_recs_free(cls[i].recs, PER_CLIENT);
        tx_identity_destroy(&ids[i]);
    }
    th_rmtree(root);
    free(root);
}

static void
test_kill9_under_load(void **state)
{
    (void)state;
    /* 6 planned, 0 to 20 ms after 200 to 600 more acknowledgements. */
    kill9_run(6, 200, 20000, 5, 0);
}

/* Kills that land closer together, within 2 ms of an acknowledgement: with clients keeping
 * hundreds of submits in flight, the writer thread is then mostly inside a commit (applying,
 * flushing LMDB or checkpoint.signed) while the loop takes and answers. */
static void
test_kill9_mid_commit(void **state)
{
    (void)state;
    kill9_run(KILLS_MAX, 100, 2000, 10, 0);
}

/* The same with each write and flush of checkpoint.signed held back (sync_shim.c): the record
 * of a commit is made while the next batch commits, so kills land between a commit and its
 * record, and between a record and the next commit. After each: the record may lag the log,
 * never lead it, holds every checkpoint a receipt named, and has caught up once the hub
 * serves again. */
static void
test_kill9_signed_lag(void **state)
{
    (void)state;
    kill9_run(KILLS_MAX, 100, 20000, 10, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill9_under_load),
        cmocka_unit_test(test_kill9_mid_commit),
        cmocka_unit_test(test_kill9_signed_lag),
    };

    tx_log_level = TX_LOG_ERROR;
    if (sodium_init() < 0) {
        return 1;
    }
    if (access(th_hub_bin(), X_OK) != 0) {
        fprintf(stderr, "%s is missing; build ticsx-hub first\n", th_hub_bin());
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}

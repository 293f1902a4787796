/* Storage faults against the real ticsx-hub: the LMDB map full, the filesystem full (a small
 * tmpfs in a private mount namespace), a reader killed inside its transaction, a hot backup
 * taken while clients keep writing, restored and verified, and `ticsx-hub check` finding each
 * kind of damage done behind the store's back. */
#include "faults_util.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"
#include "tx_store.h"
#include "tx_util.h"

#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define TIMEOUT_MS 10000

typedef struct {
    char *root;
    char dir[PATH_MAX];
    th_hub hub;
    tx_identity *buyer, *supplier;
    char mnt[PATH_MAX]; /* a tmpfs mounted by the test, unmounted in teardown */
} fx;

static int
setup(void **state)
{
    fx *f;

    th_require_hub_bin();
    f = calloc(1, sizeof *f);
    f->root = th_tmpdir();
    snprintf(f->dir, sizeof f->dir, "%s/hub", f->root);
    f->buyer = th_identity("Buyer Motors KK");
    f->supplier = th_identity("Supplier Parts KK");
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fx *f = *state;
    int exit_status = 0;

    if (f->hub.pid > 0) {
        exit_status = th_hub_stop(&f->hub, SIGTERM);
    }
    if (f->mnt[0] != 0) {
        umount2(f->mnt, MNT_DETACH);
    }
    tx_identity_destroy(&f->buyer);
    tx_identity_destroy(&f->supplier);
    th_rmtree(f->root);
    free(f->root);
    free(f);
    assert_int_equal(exit_status, 0);
    return 0;
}

/* ticsx-hub init and enrolment of buyer and supplier (profiles are seq 1). */
static void
make_hub(fx *f)
{
    th_hub_init(f->dir);
    assert_int_equal(th_enroll(f->dir, f->buyer, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->supplier, 1, NULL, 0), 0);
}

static int
get_same(tx_conn *c, const fu_rec *rec)
{
    uint8_t *env = NULL;
    size_t len = 0;
    int rc = tx_conn_get(c, rec->id, &env, &len);

    if (rc == TX_OK && (len != rec->len || memcmp(env, rec->env, len) != 0)) {
        rc = TX_ERR_STORAGE;
    }
    free(env);
    return rc;
}

static size_t
count_status(const fu_rec *recs, size_t n, int status)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        k += recs[i].status == status;
    }
    return k;
}

static size_t
list_all(tx_conn *c, int kind)
{
    uint64_t after = 0;
    size_t n = 0;

    do {
        tx_reply_pb *r = th_list(c, kind, after, 1000);

        assert_int_equal(r->status, TICSX__V1__STATUS__OK);
        n += r->n_entries;
        after = r->next;
        tx_free(r);
    } while (after != 0);
    return n;
}

/* Submits until the hub answers STORAGE_FULL, then checks what a full store must do: the
 * status names the cause (`cause` in the message), nothing of a refused batch is stored,
 * everything acknowledged before is there byte for byte, and reads are still served. Returns
 * the records (n in *n_out) for more checks. */
static fu_rec *
fill_until_full(fx *f, const char *cause, size_t n, size_t *n_out)
{
    tx_conn *c = th_connect(&f->hub, f->buyer, TIMEOUT_MS);
    fu_rec *recs = fu_questionnaires(f->buyer, 2, n);
    size_t ok, full, first_full = n;

    assert_int_equal(fu_submit_all(c, recs, n, FU_WINDOW, TICSX__V1__STATUS__STORAGE_FULL), TX_OK);
    ok = count_status(recs, n, TICSX__V1__STATUS__OK);
    full = count_status(recs, n, TICSX__V1__STATUS__STORAGE_FULL);
    fprintf(stderr, "# %zu records stored, %zu refused as storage full (%s)\n", ok, full, cause);
    if (full == 0) {
        for (size_t i = 0; i < n; i++) {
            if (recs[i].status != TICSX__V1__STATUS__OK) {
                fprintf(stderr, "record %zu: status %d: %s\n", i, recs[i].status, recs[i].message);
                break;
            }
        }
    }
    assert_true(ok > 0);
    assert_true(full > 0);
    for (size_t i = 0; i < n; i++) {
        if (recs[i].status == TICSX__V1__STATUS__STORAGE_FULL && first_full == n) {
            first_full = i;
            fprintf(stderr, "# %s\n", recs[i].message);
        }
        /* Every answer is a verdict on the record, nothing else. */
        assert_true(recs[i].status == -1 || recs[i].status == TICSX__V1__STATUS__OK ||
                    recs[i].status == TICSX__V1__STATUS__STORAGE_FULL ||
                    recs[i].status == TICSX__V1__STATUS__REPLAY);
    }
    /* The status is the status field; the message is the detail only (said once). */
    assert_null(strstr(recs[first_full].message, "storage_full"));
    assert_non_null(strstr(recs[first_full].message, cause));
    /* Acknowledged: there, byte for byte. Refused as full: not there at all. */
    for (size_t i = 0; i < n; i++) {
        if (recs[i].status == TICSX__V1__STATUS__OK) {
            assert_int_equal(get_same(c, &recs[i]), TX_OK);
        } else if (recs[i].status == TICSX__V1__STATUS__STORAGE_FULL) {
            assert_int_equal(get_same(c, &recs[i]), TX_ERR_NOT_FOUND);
        }
    }
    /* Reads are served while writes cannot be. */
    assert_int_equal(list_all(c, TX_KIND_QUESTIONNAIRE), ok);
    assert_int_equal(list_all(c, TX_KIND_PROFILE), 2);
    assert_int_equal(fu_ping(&f->hub, f->supplier, TIMEOUT_MS), TX_OK);
    tx_conn_destroy(&c);
    *n_out = n;
    return recs;
}

/* Submits `n` fresh records from seq and expects every one stored. */
static void
writes_resume(fx *f, uint64_t seq, size_t n)
{
    tx_conn *c = th_connect(&f->hub, f->buyer, TIMEOUT_MS);
    fu_rec *more = fu_questionnaires(f->buyer, seq, n);

    assert_int_equal(fu_submit_all(c, more, n, FU_WINDOW, -1), TX_OK);
    for (size_t i = 0; i < n; i++) {
        if (more[i].status != TICSX__V1__STATUS__OK) {
            fprintf(stderr, "record %zu after the store grew: %s\n", i, more[i].message);
        }
        assert_int_equal(more[i].status, TICSX__V1__STATUS__OK);
        assert_int_equal(get_same(c, &more[i]), TX_OK);
    }
    fu_recs_free(more, n);
    tx_conn_destroy(&c);
}

static void
assert_store_clean(const char *dir)
{
    tx_store_report r;
    char out[16384];
    int st = fu_mdb_stat("-a", dir, out, sizeof out);

    assert_int_equal(fu_check_store(dir, &r), TX_OK);
    assert_int_equal(r.problems, 0);
    if (st >= 0) {
        if (st != 0) {
            fprintf(stderr, "mdb_stat -a %s: %s\n", dir, out);
        }
        assert_int_equal(st, 0);
    }
}

static void
test_map_full(void **state)
{
    fx *f = *state;
    const char *small[] = {"--map-size", "1", NULL};
    const char *larger[] = {"--map-size", "8", NULL};
    size_t n;
    fu_rec *recs;

    make_hub(f);
    th_hub_start(&f->hub, f->dir, &(th_hub_opts){.args = small});
    recs = fill_until_full(f, "--map-size", 8000, &n);
    assert_true(fu_log_has(&f->hub, "restart the hub with a larger --map-size"));
    assert_true(th_hub_alive(&f->hub));
    assert_int_equal(th_hub_stop(&f->hub, SIGTERM), 0);
    assert_store_clean(f->dir);

    /* The operator grows the map: writes resume, and nothing stored before moved. */
    th_hub_start(&f->hub, f->dir, &(th_hub_opts){.args = larger});
    writes_resume(f, 2 + n, 300);
    {
        tx_conn *c = th_connect(&f->hub, f->buyer, TIMEOUT_MS);
        for (size_t i = 0; i < n; i++) {
            if (recs[i].status == TICSX__V1__STATUS__OK) {
                assert_int_equal(get_same(c, &recs[i]), TX_OK);
            }
        }
        tx_conn_destroy(&c);
    }
    assert_int_equal(th_hub_stop(&f->hub, SIGTERM), 0);
    assert_store_clean(f->dir);
    fu_recs_free(recs, n);
}

/* A private mount namespace with a tmpfs of `size` at path; 0 when this process may not. */
static int
mount_small_fs(const char *path, const char *size)
{
    char opts[64];

    snprintf(opts, sizeof opts, "size=%s,mode=0700", size);
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0) {
        return 0;
    }
    return 1;
}

static void
test_disk_full(void **state)
{
    fx *f = *state;
    size_t n;
    fu_rec *recs;

    assert_int_equal(mkdir(f->dir, 0700), 0);
    if (!mount_small_fs(f->dir, "1m")) {
        fprintf(stderr, "# cannot mount a small tmpfs here (%s): needs root or user namespaces\n",
                strerror(errno));
        skip();
    }
    snprintf(f->mnt, sizeof f->mnt, "%s", f->dir);
    make_hub(f);
    th_hub_start(&f->hub, f->dir, NULL);
    recs = fill_until_full(f, "disk", 8000, &n);
    assert_true(fu_log_has(&f->hub, "the disk holding the database is full"));
    assert_true(th_hub_alive(&f->hub));

    /* Room is made while the hub runs: writes resume without a restart. */
    assert_int_equal(mount(NULL, f->dir, NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV, "size=8m"), 0);
    writes_resume(f, 2 + n, 300);
    assert_int_equal(th_hub_stop(&f->hub, SIGTERM), 0);
    assert_store_clean(f->dir);
    fu_recs_free(recs, n);
}

/* A process that dies inside a read transaction leaves its reader slot behind; the hub clears
 * it when it starts (and on its periodic tick). */
static void
test_stale_reader_cleared(void **state)
{
    fx *f = *state;
    char out[8192], pid_text[32];
    int ready[2];
    tx_store *held = NULL;
    pid_t child;
    char c;

    make_hub(f);
    assert_int_equal(pipe(ready), 0);
    child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        tx_store *s = NULL;
        tx_view *v = NULL;

        close(ready[0]);
        if (tx_store_open(f->dir, 0, &s) != TX_OK || tx_store_view(s, &v) != TX_OK) {
            _exit(1);
        }
        if (write(ready[1], "r", 1) != 1) {
            _exit(1);
        }
        for (;;) {
            pause();
        }
    }
    close(ready[1]);
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    /* Held open here so the lock file is not re-initialised when the hub opens it: only a
     * reader check clears the dead slot. */
    assert_int_equal(tx_store_open(f->dir, 0, &held), TX_OK);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    snprintf(pid_text, sizeof pid_text, " %ld ", (long)child);
    if (fu_mdb_stat("-r", f->dir, out, sizeof out) >= 0) {
        assert_non_null(strstr(out, pid_text));
    }
    th_hub_start(&f->hub, f->dir, NULL);
    assert_true(fu_log_has(&f->hub, "cleared 1 stale reader slot(s)"));
    if (fu_mdb_stat("-r", f->dir, out, sizeof out) >= 0) {
        assert_null(strstr(out, pid_text));
    }
    assert_int_equal(fu_ping(&f->hub, f->buyer, TIMEOUT_MS), TX_OK);
    tx_store_close(&held);
}

/* Changes one entry of database `db` in dir behind the store's back: the first key at or
 * after `key` is deleted, or (flip) has one byte of its value flipped. */
static void
damage(const char *dir, const char *db, const uint8_t *key, size_t klen, int flip)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *cur;
    MDB_val k = {klen, (void *)key}, v;

    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
    assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, db, 0, &dbi), 0);
    assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
    assert_int_equal(mdb_cursor_get(cur, &k, &v, klen ? MDB_SET_RANGE : MDB_FIRST), 0);
    if (flip) {
        uint8_t *copy = malloc(v.mv_size);

        memcpy(copy, v.mv_data, v.mv_size);
        copy[v.mv_size / 2] ^= 0x01;
        v.mv_data = copy;
        assert_int_equal(mdb_cursor_put(cur, &k, &v, MDB_CURRENT), 0);
        free(copy);
    } else {
        assert_int_equal(mdb_cursor_del(cur, 0), 0);
    }
    mdb_cursor_close(cur);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* `ticsx-hub check` finds what a damaged data file or a lost index entry would cause. */
static void
test_check_finds_damage(void **state)
{
    fx *f = *state;
    struct {
        const char *db;
        uint8_t key[32];
        size_t klen;
        int flip;
        const char *says;
    } cases[] = {
        {"ids", {0}, 0, 0, "the record id index (ids) lacks the entry"},
        {"log", {0, 0, 0, 0, 0, 0, 0, 4, 0, 0}, 10, 1, "its signature does not verify"},
        {"log", {0, 0, 0, 0, 0, 0, 0, 5, 0, 0}, 10, 0, "the log has a gap"},
        {"public", {2}, 1, 0, "the public index lacks the entry"},
        {"access", {0}, 32, 0, "is missing from the access index"},
    };
    char copy[PATH_MAX], out[8192];
    tx_conn *c;
    fu_rec *recs;

    make_hub(f);
    th_hub_start(&f->hub, f->dir, NULL);
    c = th_connect(&f->hub, f->buyer, TIMEOUT_MS);
    recs = fu_questionnaires(f->buyer, 2, 20);
    assert_int_equal(fu_submit_all(c, recs, 20, FU_WINDOW, -1), TX_OK);
    /* A request, visible to its signer and its supplier only (access entries). */
    {
        uint8_t sup[1][32];
        size_t len;
        uint8_t *env;

        memcpy(sup[0], f->supplier->pub.sign, 32);
        env = th_request(f->buyer, 22, recs[0].id, (const uint8_t(*)[32])sup, 1, &len);
        assert_int_equal(th_submit_status(c, env, len, NULL), TICSX__V1__STATUS__OK);
        free(env);
    }
    /* The buyer's own access entry to its request is the one taken away. */
    memcpy(cases[TX_ARRAY_LEN(cases) - 1].key, f->buyer->pub.sign, 32);
    tx_conn_destroy(&c);
    assert_int_equal(th_hub_stop(&f->hub, SIGTERM), 0);
    assert_int_equal(th_run(out, sizeof out, "check", "--data", f->dir, NULL), 0);
    assert_non_null(strstr(out, "ok: 23 records up to log index 23"));
    for (size_t i = 0; i < TX_ARRAY_LEN(cases); i++) {
        snprintf(copy, sizeof copy, "%s/damaged-%zu", f->root, i);
        assert_int_equal(th_run(out, sizeof out, "backup", "--data", f->dir, copy, NULL), 0);
        damage(copy, cases[i].db, cases[i].key, cases[i].klen, cases[i].flip);
        assert_int_equal(th_run(out, sizeof out, "check", "--data", copy, NULL), 1);
        fprintf(stderr, "# %s entry %s: %s", cases[i].db, cases[i].flip ? "flipped" : "deleted",
                out);
        assert_non_null(strstr(out, cases[i].says));
        assert_non_null(strstr(out, "problem(s) in"));
    }
    fu_recs_free(recs, 20);
}

/* ---- hot backup ---- */

typedef struct {
    const th_hub *hub;
    const tx_identity *id;
    fu_rec *recs;
    size_t n;
    atomic_size_t acked; /* recs[0..acked) are acknowledged */
    atomic_int stop;
    int rc;
} writer;

#define CHUNK 40

static void *
write_chunks(void *arg)
{
    writer *w = arg;
    tx_conn *c = th_connect(w->hub, w->id, TIMEOUT_MS);

    for (size_t at = 0; at < w->n && !atomic_load(&w->stop); at += CHUNK) {
        size_t k = w->n - at < CHUNK ? w->n - at : CHUNK;

        if ((w->rc = fu_submit_all(c, w->recs + at, k, CHUNK, -1)) != TX_OK) {
            break;
        }
        for (size_t i = 0; i < k; i++) {
            if (w->recs[at + i].status != TICSX__V1__STATUS__OK) {
                w->rc = TX_ERR_REFUSED;
            }
        }
        if (w->rc != TX_OK) {
            break;
        }
        atomic_store(&w->acked, at + k);
    }
    tx_conn_destroy(&c);
    return NULL;
}

static void
test_backup_while_writing(void **state)
{
    fx *f = *state;
    char out_dir[PATH_MAX], key_dir[PATH_MAX], path[PATH_MAX + 16], out[2048];
    writer w[2];
    pthread_t t[2];
    size_t before[2];
    unsigned long long last = 0;
    const char *tag;
    tx_store *copy = NULL;
    th_hub restored;
    tx_store_report r;

    make_hub(f);
    th_hub_start(&f->hub, f->dir, NULL);
    snprintf(out_dir, sizeof out_dir, "%s/backup", f->root);
    snprintf(key_dir, sizeof key_dir, "%s/backup-with-key", f->root);
    for (int i = 0; i < 2; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].hub = &f->hub;
        w[i].id = i == 0 ? f->buyer : f->supplier;
        w[i].n = 4000;
        w[i].recs = fu_questionnaires(w[i].id, 2, w[i].n);
        assert_int_equal(pthread_create(&t[i], NULL, write_chunks, &w[i]), 0);
    }
    while (atomic_load(&w[0].acked) < 400 || atomic_load(&w[1].acked) < 400) {
        usleep(2000);
    }
    /* Everything acknowledged before the backup starts must be in it. */
    before[0] = atomic_load(&w[0].acked);
    before[1] = atomic_load(&w[1].acked);
    assert_int_equal(th_run(out, sizeof out, "backup", "--data", f->dir, out_dir, NULL), 0);
    fprintf(stderr, "# %s", out);
    assert_non_null(tag = strstr(out, "log up to index "));
    assert_int_equal(sscanf(tag, "log up to index %llu", &last), 1);
    assert_non_null(strstr(out, "without hub.key"));
    /* The writers went on meanwhile, and go on after it. */
    {
        size_t mark0 = atomic_load(&w[0].acked);
        while (atomic_load(&w[0].acked) < mark0 + 2 * CHUNK && atomic_load(&w[0].acked) < w[0].n &&
               w[0].rc == TX_OK) {
            usleep(2000);
        }
    }
    assert_int_equal(
        th_run(out, sizeof out, "backup", "--data", f->dir, "--with-key", key_dir, NULL), 0);
    for (int i = 0; i < 2; i++) {
        atomic_store(&w[i].stop, 1);
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].rc, TX_OK);
    }
    fprintf(stderr, "# backup at index %llu after %zu + %zu acknowledged; %zu + %zu in the end\n",
            last, before[0], before[1], atomic_load(&w[0].acked), atomic_load(&w[1].acked));
    assert_true(atomic_load(&w[0].acked) > before[0] || atomic_load(&w[1].acked) > before[1]);

    /* The copy: no secret key, every record complete and verified, every index consistent. */
    snprintf(path, sizeof path, "%s/hub.key", out_dir);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/hub.pub", out_dir);
    assert_int_equal(access(path, F_OK), 0);
    assert_store_clean(out_dir);
    assert_int_equal(th_run(out, sizeof out, "check", "--data", out_dir, NULL), 0);
    assert_int_equal(fu_check_store(out_dir, &r), TX_OK);
    assert_int_equal(r.last, last);
    assert_int_equal(r.records, last);
    assert_int_equal(tx_store_open(out_dir, 0, &copy), TX_OK);
    for (int i = 0; i < 2; i++) {
        for (size_t k = 0; k < before[i]; k++) {
            tx_entry e;

            assert_int_equal(tx_store_get(copy, w[i].recs[k].id, NULL, &e), TX_OK);
            assert_int_equal(e.index, w[i].recs[k].index);
            assert_true(e.index <= last);
            assert_int_equal(e.len, w[i].recs[k].len);
            assert_memory_equal(e.env, w[i].recs[k].env, e.len);
            free(e.env);
        }
    }
    tx_store_close(&copy);
    /* A second backup into the same place is refused and leaves the first alone. */
    assert_int_equal(th_run(out, sizeof out, "backup", "--data", f->dir, out_dir, NULL), 2);
    assert_non_null(strstr(out, "already exists"));
    assert_store_clean(out_dir);

    /* The copy with the key serves as a hub: the same identity, the same records. */
    assert_int_equal(th_hub_stop(&f->hub, SIGTERM), 0);
    th_hub_start(&restored, key_dir, NULL);
    {
        tx_conn *c = th_connect(&restored, f->supplier, TIMEOUT_MS);
        for (size_t k = 0; k < before[1]; k++) {
            assert_int_equal(get_same(c, &w[1].recs[k]), TX_OK);
        }
        tx_conn_destroy(&c);
    }
    assert_int_equal(th_hub_stop(&restored, SIGTERM), 0);
    assert_store_clean(key_dir);
    for (int i = 0; i < 2; i++) {
        fu_recs_free(w[i].recs, w[i].n);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_map_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_reader_cleared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_while_writing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_finds_damage, setup, teardown),
        /* Last: it moves this process into a mount namespace of its own. */
        cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
    };

    tx_log_level = TX_LOG_ERROR;
    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}

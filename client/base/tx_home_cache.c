/* The home's record cache and proof markers: one LMDB environment in HOME/cache (0700; data.mdb
 * and lock.mdb 0600) with two named databases, "records" (record id -> the envelope as
 * received) and "proofs" (record id -> "INDEX SIZE\n"). It replaces one file per record under
 * records/ and proofs/, which an old home still has: they are imported on first open and
 * removed.
 *
 * Commits do not fsync (MDB_NOSYNC): everything here can be fetched and proven again, and every
 * read checks the record's hash against its id, so a record that a crash damaged reads as
 * damaged, never as another record. The environment is synced when the home closes after a
 * write and before a migration removes the old files. */
#include "tx_home_priv.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <lmdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_DIR "cache"
#define MAP_START ((size_t)64 << 20) /* grows by doubling when full */
#define PROOF_MAX 64                 /* bytes of a marker: "INDEX SIZE\n" */
#define MIGRATE_BATCH 512            /* old cache files imported per transaction */

/* One open environment, shared by every tx_home of this process on the same directory (LMDB
 * forbids opening one environment twice in a process). */
struct tx_cache {
    tx_cache *next;
    dev_t dev;
    ino_t ino;
    unsigned refs;
    MDB_env *env;
    MDB_dbi recs, proofs;
    pthread_rwlock_t map;  /* every transaction holds it shared; resizing the map, exclusively */
    pthread_mutex_t write; /* this process's write transactions, one at a time */
    int wrote;             /* a write was committed: sync when closing */
    /* The generations (LMDB numbers each commit one more than the last, whichever process made
     * it) from own_from to own_last, the latest unbroken run of this process's write
     * transactions: after own_from, nobody else committed. A transaction that changed nothing
     * commits nothing: it ends the run at the generation it saw, still nobody else's since. */
    size_t own_from, own_last;
    int dirty; /* the running write transaction has put something */
    char path[PATH_MAX];
};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static tx_cache *registry;

enum { CACHE_OPEN, CACHE_READ, CACHE_WRITE };

/* An LMDB failure as the caller's message: damage names the way out. */
static int
cache_fail(const tx_cache *c, int mdb_rc, int what)
{
    int code = mdb_rc == ENOMEM ? TX_ERR_NOMEM : TX_ERR_IO;

    if (mdb_rc == MDB_CORRUPTED || mdb_rc == MDB_PAGE_NOTFOUND || mdb_rc == MDB_INVALID ||
        mdb_rc == MDB_VERSION_MISMATCH) {
        return tx_fail(TX_ERR_CHECKSUM,
                       "the record cache %s is damaged (%s): remove it and run ticsx fetch",
                       c->path, mdb_strerror(mdb_rc));
    }
    switch (what) {
    case CACHE_OPEN:
        return tx_fail(code, "cannot open the record cache %s: %s", c->path, mdb_strerror(mdb_rc));
    case CACHE_READ:
        return tx_fail(code, "cannot read the record cache %s: %s", c->path, mdb_strerror(mdb_rc));
    default:
        return tx_fail(code, "cannot write the record cache %s: %s", c->path, mdb_strerror(mdb_rc));
    }
}

/* Begins a transaction with the map lock held shared (txn_done releases both). A map grown by
 * another process is adopted first. */
static int
txn_begin(tx_cache *c, unsigned flags, MDB_txn **txn)
{
    for (;;) {
        int rc;

        pthread_rwlock_rdlock(&c->map);
        rc = mdb_txn_begin(c->env, NULL, flags, txn);
        if (rc != MDB_MAP_RESIZED) {
            if (rc != MDB_SUCCESS) {
                pthread_rwlock_unlock(&c->map);
            }
            return rc;
        }
        pthread_rwlock_unlock(&c->map);
        pthread_rwlock_wrlock(&c->map);
        rc = mdb_env_set_mapsize(c->env, 0);
        pthread_rwlock_unlock(&c->map);
        if (rc != MDB_SUCCESS) {
            return rc;
        }
    }
}

/* Commits (commit != 0) or aborts txn, then releases the map lock. */
static int
txn_done(tx_cache *c, MDB_txn *txn, int commit)
{
    int rc = MDB_SUCCESS;

    if (commit) {
        rc = mdb_txn_commit(txn);
    } else {
        mdb_txn_abort(txn);
    }
    pthread_rwlock_unlock(&c->map);
    return rc;
}

/* One write transaction running fn; when the map is full it is doubled and fn runs again in a
 * new transaction. fn returns an LMDB code. */
static int
cache_write(tx_cache *c, int (*fn)(tx_cache *c, MDB_txn *txn, void *ctx), void *ctx)
{
    int rc;

    pthread_mutex_lock(&c->write);
    for (;;) {
        MDB_txn *txn;
        MDB_envinfo info;

        if ((rc = txn_begin(c, 0, &txn)) != MDB_SUCCESS) {
            break;
        }
        size_t id = mdb_txn_id(txn); /* the generation it commits as; id - 1 is the last one */
        c->dirty = 0;
        rc = fn(c, txn, ctx);
        rc = rc == MDB_SUCCESS ? txn_done(c, txn, 1) : (txn_done(c, txn, 0), rc);
        if (rc == MDB_SUCCESS) {
            if (c->own_last == 0 || id - 1 != c->own_last) { /* someone else committed before */
                c->own_from = id - 1;
            }
            c->own_last = c->dirty ? id : id - 1;
        }
        if (rc != MDB_MAP_FULL) {
            break;
        }
        pthread_rwlock_wrlock(&c->map);
        mdb_env_info(c->env, &info);
        rc = mdb_env_set_mapsize(c->env, info.me_mapsize * 2);
        pthread_rwlock_unlock(&c->map);
        if (rc != MDB_SUCCESS) {
            break;
        }
    }
    if (rc == MDB_SUCCESS) {
        c->wrote = 1;
    }
    pthread_mutex_unlock(&c->write);
    return rc;
}

/* mdb_put, noting that the transaction changed something (it commits a new generation). */
static int
put_dirty(tx_cache *c, MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v)
{
    int rc = mdb_put(txn, dbi, k, v, 0);

    c->dirty |= rc == MDB_SUCCESS;
    return rc;
}

/* Stores env under id unless the same bytes are there already (a damaged copy is replaced). */
static int
put_record(tx_cache *c, MDB_txn *txn, const uint8_t *id, const uint8_t *env, size_t len)
{
    MDB_val k = {TX_ID_LEN, (void *)id}, v;
    int rc = mdb_get(txn, c->recs, &k, &v);

    if (rc == MDB_SUCCESS && v.mv_size == len && memcmp(v.mv_data, env, len) == 0) {
        return MDB_SUCCESS;
    }
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
        return rc;
    }
    v.mv_size = len;
    v.mv_data = (void *)env;
    return put_dirty(c, txn, c->recs, &k, &v);
}

/* ---- migration of an old home's records/ and proofs/ files ---- */

typedef struct {
    MDB_dbi dbi;
    size_t n;
    uint8_t id[MIGRATE_BATCH][TX_ID_LEN];
    uint8_t *val[MIGRATE_BATCH];
    size_t len[MIGRATE_BATCH];
} import_batch;

static int
import_put(tx_cache *c, MDB_txn *txn, void *ctx)
{
    import_batch *b = ctx;
    int rc = MDB_SUCCESS;

    for (size_t i = 0; i < b->n && rc == MDB_SUCCESS; i++) {
        MDB_val k = {TX_ID_LEN, b->id[i]}, v = {b->len[i], b->val[i]};
        rc = put_dirty(c, txn, b->dbi, &k, &v);
    }
    return rc;
}

/* Removes the flat directory dir and the files in it. */
static int
remove_flat(const char *dir)
{
    char path[PATH_MAX + 260];
    struct dirent *de;
    DIR *d = opendir(dir);

    if (d == NULL) {
        return errno == ENOENT ? TX_OK : TX_ERR_IO;
    }
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            unlink(path);
        }
    }
    closedir(d);
    return rmdir(dir) == 0 ? TX_OK : TX_ERR_IO;
}

/* Imports HOME/sub's files (named by record id, at most max bytes) into dbi as they are, a
 * batch per transaction; a batch's files are removed once it is committed and synced, then the
 * directory with whatever else it held. Interrupted, the next open imports what is left:
 * importing a file again stores the same bytes. A damaged file is imported damaged and read
 * back as damaged, as before. */
static int
migrate_dir(tx_cache *c, const char *home_dir, const char *sub, MDB_dbi dbi, size_t max)
{
    char dir[PATH_MAX], path[PATH_MAX + 80];
    import_batch *b;
    struct dirent *de;
    DIR *d;
    int rc = TX_OK, more = 1;

    if (tx_path_join(dir, sizeof dir, home_dir, sub) != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "home path too long");
    }
    if ((d = opendir(dir)) == NULL) {
        return errno == ENOENT ? TX_OK
                               : tx_fail(TX_ERR_IO, "cannot read %s: %s", dir, strerror(errno));
    }
    if ((b = calloc(1, sizeof *b)) == NULL) {
        closedir(d);
        return TX_ERR_NOMEM;
    }
    b->dbi = dbi;
    while (more && rc == TX_OK) {
        int mdb_rc;

        b->n = 0;
        while (b->n < MIGRATE_BATCH && (de = readdir(d)) != NULL) {
            if (strlen(de->d_name) != 2 * TX_ID_LEN ||
                tx_unhex(b->id[b->n], TX_ID_LEN, de->d_name) != TX_OK) {
                continue;
            }
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            if (tx_file_read(path, max, &b->val[b->n], &b->len[b->n]) == TX_OK) {
                b->n++;
            } /* unreadable or too long: not a record; removed with the directory */
        }
        more = b->n == MIGRATE_BATCH;
        if (b->n == 0) {
            break;
        }
        mdb_rc = cache_write(c, import_put, b);
        if (mdb_rc == MDB_SUCCESS) {
            mdb_rc = mdb_env_sync(c->env, 1);
        }
        if (mdb_rc != MDB_SUCCESS) {
            rc = cache_fail(c, mdb_rc, CACHE_WRITE);
        }
        for (size_t i = 0; i < b->n; i++) {
            char hex[2 * TX_ID_LEN + 1];
            if (rc == TX_OK) {
                tx_hex(hex, b->id[i], TX_ID_LEN);
                snprintf(path, sizeof path, "%s/%s", dir, hex);
                unlink(path);
            }
            free(b->val[i]);
        }
    }
    free(b);
    closedir(d);
    if (rc == TX_OK && remove_flat(dir) != TX_OK) {
        rc = tx_fail(TX_ERR_IO, "cannot remove %s: %s", dir, strerror(errno));
    }
    return rc;
}

/* ---- opening and closing ---- */

static void
cache_free(tx_cache *c)
{
    if (c->env != NULL) {
        if (c->wrote) {
            mdb_env_sync(c->env, 1);
        }
        mdb_env_close(c->env);
    }
    pthread_rwlock_destroy(&c->map);
    pthread_mutex_destroy(&c->write);
    free(c);
}

static int
open_dbs(tx_cache *c, MDB_txn *txn, void *ctx)
{
    int rc = mdb_dbi_open(txn, "records", MDB_CREATE, &c->recs);

    (void)ctx;
    return rc == MDB_SUCCESS ? mdb_dbi_open(txn, "proofs", MDB_CREATE, &c->proofs) : rc;
}

/* The environment in dir/cache, made if missing: the one this process has open already, or a
 * new one. */
static int
cache_open(const char *home_dir, tx_cache **out)
{
    struct stat st;
    tx_cache *c;
    int rc;

    *out = NULL;
    if ((c = calloc(1, sizeof *c)) == NULL) {
        return TX_ERR_NOMEM;
    }
    pthread_rwlock_init(&c->map, NULL);
    pthread_mutex_init(&c->write, NULL);
    c->refs = 1;
    if (tx_path_join(c->path, sizeof c->path, home_dir, CACHE_DIR) != TX_OK) {
        cache_free(c);
        return tx_fail(TX_ERR_USAGE, "home path too long");
    }
    if (tx_mkdir_private(c->path) != TX_OK || stat(c->path, &st) != 0) {
        rc = tx_fail(TX_ERR_IO, "cannot create %s: %s", c->path, strerror(errno));
        cache_free(c);
        return rc;
    }
    c->dev = st.st_dev;
    c->ino = st.st_ino;
    pthread_mutex_lock(&registry_mu);
    for (tx_cache *o = registry; o != NULL; o = o->next) {
        if (o->dev == c->dev && o->ino == c->ino) {
            o->refs++;
            pthread_mutex_unlock(&registry_mu);
            cache_free(c);
            *out = o;
            return TX_OK;
        }
    }
    if ((rc = mdb_env_create(&c->env)) != MDB_SUCCESS || (rc = mdb_env_set_maxdbs(c->env, 2)) ||
        (rc = mdb_env_set_mapsize(c->env, MAP_START)) ||
        (rc = mdb_env_open(c->env, c->path, MDB_NOSYNC | MDB_NOTLS, 0600)) ||
        (rc = cache_write(c, open_dbs, NULL))) {
        pthread_mutex_unlock(&registry_mu);
        rc = cache_fail(c, rc, CACHE_OPEN);
        c->wrote = 0;
        cache_free(c);
        return rc;
    }
    c->wrote = 0;
    c->next = registry;
    registry = c;
    pthread_mutex_unlock(&registry_mu);
    *out = c;
    return TX_OK;
}

static void
cache_release(tx_cache *c)
{
    tx_cache **p;

    pthread_mutex_lock(&registry_mu);
    if (--c->refs > 0) {
        pthread_mutex_unlock(&registry_mu);
        return;
    }
    for (p = &registry; *p != c; p = &(*p)->next) {
    }
    *p = c->next;
    pthread_mutex_unlock(&registry_mu);
    cache_free(c);
}

/* The home's cache, opened (and an old home's files migrated) on first use. */
static int
home_cache(tx_home *home, tx_cache **out)
{
    int rc = TX_OK;

    pthread_mutex_lock(&home->cache_mu);
    if (home->cache == NULL && (rc = cache_open(home->dir, &home->cache)) == TX_OK) {
        tx_cache *c = home->cache;
        if ((rc = migrate_dir(c, home->dir, "records", c->recs, TX_MAX_ENVELOPE)) != TX_OK ||
            (rc = migrate_dir(c, home->dir, "proofs", c->proofs, PROOF_MAX)) != TX_OK) {
            cache_release(c);
            home->cache = NULL;
        }
    }
    *out = home->cache;
    pthread_mutex_unlock(&home->cache_mu);
    return rc;
}

void
tx_home_cache_close(tx_home *home)
{
    if (home->cache != NULL) {
        cache_release(home->cache);
        home->cache = NULL;
    }
}

/* ---- records ---- */

int
tx_home_cache_put(tx_home *home, const uint8_t *env, size_t len, uint8_t id_out[TX_ID_LEN])
{
    uint8_t id[TX_ID_LEN];
    const uint8_t *envs[1] = {env};
    int rc;

    tx_record_id(env, len, id);
    if (id_out != NULL) {
        memcpy(id_out, id, TX_ID_LEN);
    }
    rc = tx_home_cache_put_many(home, 1, envs, &len, (const uint8_t(*)[TX_ID_LEN])id);
    return rc;
}

typedef struct {
    size_t n;
    const uint8_t *const *envs;
    const size_t *lens;
    const uint8_t (*ids)[TX_ID_LEN];
} put_batch;

static int
put_all(tx_cache *c, MDB_txn *txn, void *ctx)
{
    put_batch *b = ctx;
    int rc = MDB_SUCCESS;

    for (size_t i = 0; i < b->n && rc == MDB_SUCCESS; i++) {
        rc = put_record(c, txn, b->ids[i], b->envs[i], b->lens[i]);
    }
    return rc;
}

int
tx_home_cache_put_many(tx_home *home, size_t n, const uint8_t *const *envs, const size_t *lens,
                       const uint8_t (*ids)[TX_ID_LEN])
{
    uint8_t(*own)[TX_ID_LEN] = NULL;
    tx_cache *c;
    put_batch b = {n, envs, lens, ids};
    int rc;

    if (n == 0) {
        return TX_OK;
    }
    if ((rc = home_cache(home, &c)) != TX_OK) {
        return rc;
    }
    if (ids == NULL) {
        if ((own = malloc(n * sizeof *own)) == NULL) {
            return TX_ERR_NOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            tx_record_id(envs[i], lens[i], own[i]);
        }
        b.ids = (const uint8_t(*)[TX_ID_LEN])own;
    }
    rc = cache_write(c, put_all, &b);
    free(own);
    return rc == MDB_SUCCESS ? TX_OK : cache_fail(c, rc, CACHE_WRITE);
}

int
tx_home_cache_gen(tx_home *home, uint64_t *gen, uint64_t *own_from)
{
    tx_cache *c;
    MDB_txn *txn;
    int rc;

    *gen = 0;
    *own_from = 0;
    if ((rc = home_cache(home, &c)) != TX_OK) {
        return rc;
    }
    pthread_mutex_lock(&c->write); /* none of this process's commits in between */
    if ((rc = txn_begin(c, MDB_RDONLY, &txn)) != MDB_SUCCESS) {
        pthread_mutex_unlock(&c->write);
        return cache_fail(c, rc, CACHE_READ);
    }
    *gen = mdb_txn_id(txn);
    txn_done(c, txn, 0);
    if (c->own_last == *gen) {
        *own_from = c->own_from;
    }
    pthread_mutex_unlock(&c->write);
    return TX_OK;
}

/* Copies the value of id out of an open read transaction and checks its hash. */
static int
read_in(tx_cache *c, MDB_txn *txn, const uint8_t id[TX_ID_LEN], uint8_t **env, size_t *len)
{
    char hex[2 * TX_ID_LEN + 1];
    MDB_val k = {TX_ID_LEN, (void *)id}, v;
    uint8_t got[TX_ID_LEN];
    int rc;

    *env = NULL;
    *len = 0;
    tx_hex(hex, id, TX_ID_LEN);
    if ((rc = mdb_get(txn, c->recs, &k, &v)) == MDB_NOTFOUND) {
        return tx_fail(TX_ERR_NOT_FOUND, "record %.12s is not in the local cache: run ticsx fetch",
                       hex);
    }
    if (rc != MDB_SUCCESS) {
        return cache_fail(c, rc, CACHE_READ);
    }
    tx_record_id(v.mv_data, v.mv_size, got);
    if (v.mv_size > TX_MAX_ENVELOPE || sodium_memcmp(got, id, TX_ID_LEN) != 0) {
        return tx_fail(TX_ERR_CHECKSUM, "cached record %.12s is damaged: its hash does not match",
                       hex);
    }
    if ((*env = malloc(v.mv_size > 0 ? v.mv_size : 1)) == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(*env, v.mv_data, v.mv_size);
    *len = v.mv_size;
    return TX_OK;
}

int
tx_home_cache_read(tx_home *home, const uint8_t id[TX_ID_LEN], uint8_t **env, size_t *len)
{
    int rc;

    tx_home_cache_read_many(home, 1, (const uint8_t(*)[TX_ID_LEN])id, env, len, &rc);
    return rc;
}

int
tx_home_cache_read_many(tx_home *home, size_t n, const uint8_t (*ids)[TX_ID_LEN], uint8_t **envs,
                        size_t *lens, int *rcs)
{
    MDB_txn *txn;
    tx_cache *c;
    int rc, mdb_rc;

    for (size_t i = 0; i < n; i++) {
        envs[i] = NULL;
        lens[i] = 0;
    }
    if ((rc = home_cache(home, &c)) == TX_OK && (mdb_rc = txn_begin(c, MDB_RDONLY, &txn)) != 0) {
        rc = cache_fail(c, mdb_rc, CACHE_READ);
    }
    if (rc != TX_OK) {
        for (size_t i = 0; i < n; i++) {
            rcs[i] = rc;
        }
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        rcs[i] = read_in(c, txn, ids[i], &envs[i], &lens[i]);
        if (rc == TX_OK && rcs[i] != TX_OK) {
            rc = rcs[i];
        }
    }
    txn_done(c, txn, 0);
    return rc;
}

int
tx_home_cache_get(tx_home *home, const uint8_t id[TX_ID_LEN], uint8_t **env, size_t *len)
{
    char hex[2 * TX_ID_LEN + 1];
    tx_envelope_pb *e = NULL;
    int rc = tx_home_cache_read(home, id, env, len);

    if (rc != TX_OK) {
        return rc;
    }
    if ((rc = tx_envelope_open(*env, *len, &e)) != TX_OK) {
        tx_hex(hex, id, TX_ID_LEN);
        rc = tx_fail(rc, "cached record %.12s does not verify: %s", hex, tx_strerror(rc));
        free(*env);
        *env = NULL;
        *len = 0;
    }
    tx_free(e);
    return rc;
}

int
tx_home_cache_list(tx_home *home, uint8_t (**ids)[TX_ID_LEN], size_t *n)
{
    uint64_t gen;

    return tx_home_cache_list_gen(home, ids, n, &gen);
}

int
tx_home_cache_list_gen(tx_home *home, uint8_t (**ids)[TX_ID_LEN], size_t *n, uint64_t *gen)
{
    uint8_t(*v)[TX_ID_LEN] = NULL;
    MDB_txn *txn;
    MDB_cursor *cur = NULL;
    MDB_stat st;
    MDB_val k, val;
    tx_cache *c;
    size_t count = 0;
    int rc;

    *ids = NULL;
    *n = 0;
    if ((rc = home_cache(home, &c)) != TX_OK) {
        return rc;
    }
    if ((rc = txn_begin(c, MDB_RDONLY, &txn)) != MDB_SUCCESS) {
        return cache_fail(c, rc, CACHE_READ);
    }
    *gen = mdb_txn_id(txn);
    if ((rc = mdb_stat(txn, c->recs, &st)) == MDB_SUCCESS &&
        (v = malloc((st.ms_entries > 0 ? st.ms_entries : 1) * sizeof *v)) == NULL) {
        txn_done(c, txn, 0);
        return TX_ERR_NOMEM;
    }
    if (rc == MDB_SUCCESS) {
        rc = mdb_cursor_open(txn, c->recs, &cur);
    }
    for (int op = MDB_FIRST; rc == MDB_SUCCESS; op = MDB_NEXT) {
        if ((rc = mdb_cursor_get(cur, &k, &val, op)) == MDB_SUCCESS && k.mv_size == TX_ID_LEN &&
            count < st.ms_entries) {
            memcpy(v[count++], k.mv_data, TX_ID_LEN);
        }
    }
    mdb_cursor_close(cur);
    txn_done(c, txn, 0);
    if (rc != MDB_NOTFOUND) {
        free(v);
        return cache_fail(c, rc, CACHE_READ);
    }
    *ids = v;
    *n = count;
    return TX_OK;
}

/* Keeps the record at the cursor in p[*n] if its copied bytes hash to its key, with its proof
 * marker's index from the same transaction. 0, or ENOMEM. */
static int
pick_one(tx_cache *c, MDB_txn *txn, const MDB_val *k, const MDB_val *v, int tag, tx_cache_pick **p,
         size_t *n, size_t *cap)
{
    tx_cache_pick *e;
    uint8_t got[TX_ID_LEN];
    MDB_val pv;
    uint64_t size;

    if (*n == *cap) {
        size_t grown = *cap ? *cap * 2 : 64;
        void *w = realloc(*p, grown * sizeof **p);
        if (w == NULL) {
            return ENOMEM;
        }
        *p = w;
        *cap = grown;
    }
    e = &(*p)[*n];
    memset(e, 0, sizeof *e);
    if ((e->env = malloc(v->mv_size > 0 ? v->mv_size : 1)) == NULL) {
        return ENOMEM;
    }
    /* Hashed after the copy: the bytes kept are the bytes checked. */
    memcpy(e->env, v->mv_data, v->mv_size);
    e->len = v->mv_size;
    tx_record_id(e->env, e->len, got);
    if (sodium_memcmp(got, k->mv_data, TX_ID_LEN) != 0) {
        free(e->env); /* damaged: left out */
        return 0;
    }
    memcpy(e->id, k->mv_data, TX_ID_LEN);
    e->tag = tag;
    if (mdb_get(txn, c->proofs, (MDB_val *)k, &pv) != MDB_SUCCESS || pv.mv_size > PROOF_MAX ||
        tx_home_proof_parse(pv.mv_data, pv.mv_size, &e->index, &size) != TX_OK) {
        e->index = 0;
    }
    (*n)++;
    return 0;
}

int
tx_home_cache_pick(tx_home *home, tx_cache_pick_fn want, void *ctx, tx_cache_pick **out, size_t *n)
{
    tx_cache_pick *p = NULL;
    size_t count = 0, cap = 0;
    MDB_txn *txn;
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    tx_cache *c;
    int rc, tag;

    *out = NULL;
    *n = 0;
    if ((rc = home_cache(home, &c)) != TX_OK) {
        return rc;
    }
    if ((rc = txn_begin(c, MDB_RDONLY, &txn)) != MDB_SUCCESS) {
        return cache_fail(c, rc, CACHE_READ);
    }
    rc = mdb_cursor_open(txn, c->recs, &cur);
    for (int op = MDB_FIRST; rc == MDB_SUCCESS; op = MDB_NEXT) {
        if ((rc = mdb_cursor_get(cur, &k, &v, op)) == MDB_SUCCESS && k.mv_size == TX_ID_LEN &&
            v.mv_size <= TX_MAX_ENVELOPE && (tag = want(ctx, v.mv_data, v.mv_size)) != 0) {
            rc = pick_one(c, txn, &k, &v, tag, &p, &count, &cap);
        }
    }
    mdb_cursor_close(cur);
    txn_done(c, txn, 0);
    if (rc != MDB_NOTFOUND) {
        for (size_t i = 0; i < count; i++) {
            free(p[i].env);
        }
        free(p);
        return rc == ENOMEM ? TX_ERR_NOMEM : cache_fail(c, rc, CACHE_READ);
    }
    *out = p;
    *n = count;
    return TX_OK;
}

/* ---- proof markers ---- */

typedef struct {
    size_t n;
    const uint8_t (*ids)[TX_ID_LEN];
    const uint64_t *index;
    uint64_t size;
} proof_batch;

static int
proof_all(tx_cache *c, MDB_txn *txn, void *ctx)
{
    proof_batch *b = ctx;
    int rc = MDB_SUCCESS;

    for (size_t i = 0; i < b->n && rc == MDB_SUCCESS; i++) {
        char text[PROOF_MAX];
        int w = snprintf(text, sizeof text, "%" PRIu64 " %" PRIu64 "\n", b->index[i], b->size);
        MDB_val k = {TX_ID_LEN, (void *)b->ids[i]}, v = {(size_t)w, text};
        rc = put_dirty(c, txn, c->proofs, &k, &v);
    }
    return rc;
}

int
tx_home_proof_put(tx_home *home, const uint8_t id[TX_ID_LEN], uint64_t index, uint64_t size)
{
    return tx_home_proof_put_many(home, 1, (const uint8_t(*)[TX_ID_LEN])id, &index, size);
}

int
tx_home_proof_put_many(tx_home *home, size_t n, const uint8_t (*ids)[TX_ID_LEN],
                       const uint64_t *index, uint64_t size)
{
    proof_batch b = {n, ids, index, size};
    tx_cache *c;
    int rc;

    for (size_t i = 0; i < n; i++) {
        if (index[i] == 0 || index[i] > size) {
            return tx_fail(TX_ERR_USAGE, "a proof marker needs 1 <= index <= size");
        }
    }
    if (n == 0) {
        return TX_OK;
    }
    if ((rc = home_cache(home, &c)) != TX_OK) {
        return rc;
    }
    rc = cache_write(c, proof_all, &b);
    return rc == MDB_SUCCESS ? TX_OK : cache_fail(c, rc, CACHE_WRITE);
}

int
tx_home_proof_get(tx_home *home, const uint8_t id[TX_ID_LEN], uint64_t *index, uint64_t *size)
{
    char hex[2 * TX_ID_LEN + 1];
    MDB_val k = {TX_ID_LEN, (void *)id}, v;
    MDB_txn *txn;
    tx_cache *c;
    int rc;

    *index = *size = 0;
    if ((rc = home_cache(home, &c)) != TX_OK) {
        return rc;
    }
    if ((rc = txn_begin(c, MDB_RDONLY, &txn)) != MDB_SUCCESS) {
        return cache_fail(c, rc, CACHE_READ);
    }
    rc = mdb_get(txn, c->proofs, &k, &v);
    if (rc == MDB_SUCCESS) {
        rc = v.mv_size <= PROOF_MAX ? tx_home_proof_parse(v.mv_data, v.mv_size, index, size)
                                    : TX_ERR_MALFORMED;
        txn_done(c, txn, 0);
        if (rc != TX_OK) {
            tx_hex(hex, id, TX_ID_LEN);
            return tx_fail(rc,
                           "the proof marker of record %.12s in %s is damaged: run ticsx fetch to "
                           "prove the record again",
                           hex, c->path);
        }
        return TX_OK;
    }
    txn_done(c, txn, 0);
    return rc == MDB_NOTFOUND ? TX_ERR_NOT_FOUND : cache_fail(c, rc, CACHE_READ);
}

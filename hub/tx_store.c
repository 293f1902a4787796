/* The store's environment and its write side: batches that append verified records and keep
 * the derived indices in step, all inside one LMDB write transaction. */
#include "tx_store_int.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"
#include "tx_merkle.h"
#include "tx_store_file.h"
#include "tx_util.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

void
tx_be64_put(uint8_t out[TX_IDX_LEN], uint64_t v)
{
    for (int i = TX_IDX_LEN - 1; i >= 0; i--) {
        out[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

uint64_t
tx_be64_get(const uint8_t in[TX_IDX_LEN])
{
    uint64_t v = 0;

    for (int i = 0; i < TX_IDX_LEN; i++) {
        v = (v << 8) | in[i];
    }
    return v;
}

/* What made the last write on this thread fail for lack of room: MDB_MAP_FULL, or the errno
 * of a full disk (tx_store_full_reason). */
static _Thread_local int full_cause;

const char *
tx_store_full_reason(void)
{
    if (full_cause == MDB_MAP_FULL) {
        return "the hub's database is full (it reached its map size); nothing was stored. The "
               "hub operator must restart the hub with a larger --map-size";
    }
    return "the disk holding the hub's database is full; nothing was stored. The hub operator "
           "must free space on it";
}

/* LMDB reports a write the disk took only in part as EIO ("short write, filesystem full?"):
 * when the filesystem holding the database has next to nothing left, it was full. */
static int
commit_err(tx_store *s, int mrc)
{
    struct statvfs fs;
    const char *path = NULL;

    if (mrc == EIO && mdb_env_get_path(s->env, &path) == MDB_SUCCESS && statvfs(path, &fs) == 0 &&
        (uint64_t)fs.f_bavail * fs.f_frsize < ((uint64_t)4 << 20)) {
        mrc = ENOSPC;
    }
    return tx_store_err(mrc, "commit");
}

/* Says on the hub's log how large the map is and how to grow it. */
static void
log_map_full(tx_store *s)
{
    MDB_envinfo info;

    if (full_cause == MDB_MAP_FULL && mdb_env_info(s->env, &info) == MDB_SUCCESS) {
        tx_error("store: the database reached its map size of %zu MiB and the write was "
                 "dropped; restart the hub with a larger --map-size (e.g. --map-size %zu)",
                 info.me_mapsize >> 20, 2 * (info.me_mapsize >> 20));
    }
}

int
tx_store_err(int rc, const char *what)
{
    switch (rc) {
    case MDB_SUCCESS:
        return TX_OK;
    case MDB_NOTFOUND:
        return TX_ERR_NOT_FOUND;
    case MDB_MAP_FULL:
    case ENOSPC:
    case EDQUOT:
        full_cause = rc;
        if (rc == MDB_MAP_FULL) {
            tx_error("store: %s: %s", what, mdb_strerror(rc));
        } else {
            tx_error("store: %s: the disk holding the database is full (%s); free space there",
                     what, mdb_strerror(rc));
        }
        return TX_ERR_STORAGE_FULL;
    case ENOMEM:
        return TX_ERR_NOMEM;
    case MDB_READERS_FULL:
        tx_warn("store: %s: %s", what, mdb_strerror(rc));
        return TX_ERR_BUSY;
    case EACCES:
    case EIO:
    case ENOENT:
        tx_error("store: %s: %s", what, mdb_strerror(rc));
        return TX_ERR_IO;
    default:
        tx_error("store: %s: %s", what, mdb_strerror(rc));
        return TX_ERR_STORAGE;
    }
}

int
tx_store_txn_begin(tx_store *s, unsigned flags, MDB_txn **txn)
{
    int rc = mdb_txn_begin(s->env, NULL, flags, txn);

    /* Another process (enroll with a larger map, or a hub restarted with --map-size) grew the
     * map: adopt its size and try once more. Adopting remaps the whole map, which no other
     * thread's transaction may see: with remaps deferred, the owner does it at a quiet moment
     * (tx_store_adopt_map) and this transaction fails. */
    if (rc == MDB_MAP_RESIZED && s->defer_remap) {
        atomic_store(&s->remap_wanted, 1);
        tx_warn("store: another process grew the database past this process's map; its size is "
                "adopted once no transaction is open");
        return TX_ERR_BUSY;
    }
    if (rc == MDB_MAP_RESIZED) {
        rc = mdb_env_set_mapsize(s->env, 0);
        if (rc == MDB_SUCCESS) {
            rc = mdb_txn_begin(s->env, NULL, flags, txn);
        }
    }
    return tx_store_err(rc, "begin transaction");
}

void
tx_store_defer_remap(tx_store *s, int on)
{
    s->defer_remap = on;
}

int
tx_store_remap_wanted(tx_store *s)
{
    return atomic_load(&s->remap_wanted);
}

int
tx_store_adopt_map(tx_store *s)
{
    int rc;

    if (!atomic_load(&s->remap_wanted)) {
        return TX_OK;
    }
    rc = tx_store_err(mdb_env_set_mapsize(s->env, 0), "adopt the map size");
    if (rc == TX_OK) {
        atomic_store(&s->remap_wanted, 0);
    }
    return rc;
}

int
tx_store_last_in(tx_store *s, MDB_txn *txn, uint64_t *last)
{
    MDB_cursor *cur;
    MDB_val k, v;
    int rc = mdb_cursor_open(txn, s->log, &cur);

    *last = 0;
    if (rc != MDB_SUCCESS) {
        return tx_store_err(rc, "open log cursor");
    }
    rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND) {
        return TX_OK;
    }
    if (rc != MDB_SUCCESS) {
        return tx_store_err(rc, "read last log index");
    }
    if (k.mv_size != TX_LOG_KEY_LEN && k.mv_size != TX_IDX_LEN) {
        tx_error("store: log key of %zu bytes; the data file is damaged", k.mv_size);
        return TX_ERR_STORAGE;
    }
    *last = tx_be64_get(k.mv_data);
    return TX_OK;
}

int
tx_log_append(tx_batch *b, uint64_t index, const uint8_t *env, size_t len)
{
    uint8_t key[TX_LOG_KEY_LEN];
    int rc = TX_OK;

    if (len > (size_t)TX_LOG_PART * 0xffff) {
        return TX_ERR_TOO_LARGE;
    }
    tx_be64_put(key, index);
    for (size_t off = 0, part = 0; off < len && rc == TX_OK; off += TX_LOG_PART, part++) {
        key[TX_IDX_LEN] = (uint8_t)(part >> 8);
        key[TX_IDX_LEN + 1] = (uint8_t)part;
        rc = tx_batch_put(b, b->s->log, key, sizeof key, env + off,
                          len - off < TX_LOG_PART ? len - off : TX_LOG_PART, MDB_APPEND, "log");
    }
    return rc;
}

/* The envelope of an environment written before parts: index -> whole envelope. */
static int
log_read_whole(tx_store *s, MDB_txn *txn, const uint8_t key[TX_IDX_LEN], uint8_t **env, size_t *len)
{
    MDB_val k = {TX_IDX_LEN, (void *)key}, v;
    int rc = tx_store_err(mdb_get(txn, s->log, &k, &v), "read log");

    if (rc != TX_OK) {
        return rc;
    }
    if ((*env = malloc(v.mv_size ? v.mv_size : 1)) == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(*env, v.mv_data, v.mv_size);
    *len = v.mv_size;
    return TX_OK;
}

int
tx_log_read(tx_store *s, MDB_txn *txn, uint64_t index, uint8_t **env, size_t *len)
{
    uint8_t key[TX_LOG_KEY_LEN];
    MDB_cursor *cur;
    MDB_val k = {sizeof key, key}, v;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    unsigned part = 0;
    int mrc, rc;

    *env = NULL;
    *len = 0;
    tx_be64_put(key, index);
    key[TX_IDX_LEN] = key[TX_IDX_LEN + 1] = 0;
    if ((rc = tx_store_err(mdb_cursor_open(txn, s->log, &cur), "open log cursor")) != TX_OK) {
        return rc;
    }
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == MDB_SUCCESS && rc == TX_OK;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *kd = k.mv_data;

        if (k.mv_size != TX_LOG_KEY_LEN || memcmp(kd, key, TX_IDX_LEN) != 0) {
            break;
        }
        if (((unsigned)kd[TX_IDX_LEN] << 8 | kd[TX_IDX_LEN + 1]) != part || v.mv_size == 0 ||
            v.mv_size > TX_LOG_PART) {
            tx_error("store: log entry %llu has a damaged part %u; the data file is damaged",
                     (unsigned long long)index, part);
            rc = TX_ERR_STORAGE;
            break;
        }
        if (n + v.mv_size > cap) {
            uint8_t *grown;

            cap = cap ? 2 * cap : 8 * TX_LOG_PART;
            if ((grown = realloc(buf, cap)) == NULL) {
                rc = TX_ERR_NOMEM;
                break;
            }
            buf = grown;
        }
        memcpy(buf + n, v.mv_data, v.mv_size);
        n += v.mv_size;
        part++;
    }
    if (rc == TX_OK && mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        rc = tx_store_err(mrc, "read log");
    }
    mdb_cursor_close(cur);
    if (rc == TX_OK && part == 0) {
        return log_read_whole(s, txn, key, env, len);
    }
    if (rc != TX_OK) {
        free(buf);
        return rc;
    }
    *env = buf;
    *len = n;
    return TX_OK;
}

int
tx_store_lookup_in(tx_store *s, MDB_txn *txn, const uint8_t id[TX_ID_LEN], uint64_t *index,
                   int *kind)
{
    MDB_val k = {TX_ID_LEN, (void *)id}, v;
    int rc = mdb_get(txn, s->ids, &k, &v);

    if (rc != MDB_SUCCESS) {
        return tx_store_err(rc, "look up record id");
    }
    if (v.mv_size != TX_IDS_VAL_LEN) {
        tx_error("store: id entry of %zu bytes; the data file is damaged", v.mv_size);
        return TX_ERR_STORAGE;
    }
    *index = tx_be64_get(v.mv_data);
    *kind = ((const uint8_t *)v.mv_data)[TX_IDX_LEN];
    return TX_OK;
}

#define GRANTEES_BUILT "built" /* marker key: grantees holds every assessment access entry */

/* Fills `grantees` from `access` once, for an environment written before it existed. The
 * marker (shorter than any real key) says it was done. */
static int
build_grantees(tx_store *s, MDB_txn *txn)
{
    MDB_val k = {sizeof GRANTEES_BUILT - 1, GRANTEES_BUILT}, v = {0, ""};
    MDB_cursor *cur = NULL;
    int mrc = mdb_get(txn, s->grantees, &k, &v);

    if (mrc != MDB_NOTFOUND) {
        return mrc;
    }
    if ((mrc = mdb_cursor_open(txn, s->access, &cur)) != MDB_SUCCESS) {
        return mrc;
    }
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == MDB_SUCCESS;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *a = k.mv_data;
        uint8_t g[TX_GRANTEES_KEY_LEN];
        MDB_val gk = {sizeof g, g}, gv = {0, ""};

        if (k.mv_size != TX_ACCESS_KEY_LEN || a[TX_KEY_LEN] != TX_KIND_ASSESSMENT) {
            continue;
        }
        memcpy(g, a + TX_KEY_LEN + 1, TX_IDX_LEN);
        memcpy(g + TX_IDX_LEN, a, TX_KEY_LEN);
        if ((mrc = mdb_put(txn, s->grantees, &gk, &gv, 0)) != MDB_SUCCESS) {
            break;
        }
    }
    mdb_cursor_close(cur);
    if (mrc != MDB_NOTFOUND) {
        return mrc;
    }
    k.mv_size = sizeof GRANTEES_BUILT - 1;
    k.mv_data = GRANTEES_BUILT;
    v.mv_size = 0;
    v.mv_data = "";
    return mdb_put(txn, s->grantees, &k, &v, 0);
}

int
tx_store_superseded(tx_store *s, MDB_txn *txn, const uint8_t *replaced, uint64_t *old)
{
    int kind = 0, rc = TX_OK;

    *old = 0;
    if (replaced != NULL) {
        rc = tx_store_lookup_in(s, txn, replaced, old, &kind);
        if (rc == TX_ERR_NOT_FOUND || (rc == TX_OK && kind != TX_KIND_ASSESSMENT)) {
            *old = 0;
            rc = TX_OK;
        }
    }
    return rc;
}

/* tx_store_superseded of a stored envelope (0 for another kind); TX_ERR_STORAGE when it
 * does not decode. */
static int
supersedes_in(tx_store *s, MDB_txn *txn, const uint8_t *env, size_t len, uint64_t *old)
{
    tx_envelope_pb *e = NULL;
    ProtobufCMessage *m = NULL;
    int rc;

    *old = 0;
    if (tx_decode_envelope(env, len, &e) != TX_OK) {
        return TX_ERR_STORAGE;
    }
    if (tx_kind_from_payload_type(e->payload_type) != TX_KIND_ASSESSMENT) {
        tx_free(e);
        return TX_OK;
    }
    if (tx_decode_payload(e, TX_KIND_ASSESSMENT, &m) != TX_OK) {
        tx_free(e);
        return TX_ERR_STORAGE;
    }
    rc = tx_store_superseded(s, txn, tx_kind_replaced(TX_KIND_ASSESSMENT, m), old);
    tx_free(m);
    tx_free(e);
    return rc;
}

/* Fills `superseders` from the log once, for an environment written before it existed (the
 * marker, shorter than any real key, says it was done). An entry that does not decode is left
 * to `ticsx-hub check`. */
static int
build_superseders(tx_store *s, MDB_txn *txn)
{
    MDB_val k = {sizeof TX_SUPERSEDERS_BUILT - 1, TX_SUPERSEDERS_BUILT}, v = {0, ""};
    uint64_t last = 0, old;
    uint8_t key[TX_SUPERSEDERS_KEY_LEN];
    int mrc = mdb_get(txn, s->superseders, &k, &v), rc;

    if (mrc != MDB_NOTFOUND) {
        return mrc == MDB_SUCCESS ? TX_OK : tx_store_err(mrc, "read superseders");
    }
    if ((rc = tx_store_last_in(s, txn, &last)) != TX_OK) {
        return rc;
    }
    for (uint64_t i = 1; i <= last; i++) {
        uint8_t *env;
        size_t len;

        if (tx_log_read(s, txn, i, &env, &len) != TX_OK) {
            continue;
        }
        rc = supersedes_in(s, txn, env, len, &old);
        free(env);
        if (rc == TX_OK && old != 0) {
            MDB_val sk = {sizeof key, key}, sv = {0, ""};

            tx_be64_put(key, old);
            tx_be64_put(key + TX_IDX_LEN, i);
            if ((mrc = mdb_put(txn, s->superseders, &sk, &sv, 0)) != MDB_SUCCESS) {
                return tx_store_err(mrc, "build superseders");
            }
        } else if (rc != TX_OK && rc != TX_ERR_STORAGE) {
            return rc;
        }
    }
    v.mv_size = 0; /* k is still the marker */
    v.mv_data = "";
    return tx_store_err(mdb_put(txn, s->superseders, &k, &v, 0), "build superseders");
}

/* The named databases of the environment, for both ways of opening it. `since_v2` marks one
 * added after the first hubs were deployed: a read-only open of an older environment goes on
 * without it (the read-write open builds it from the log). */
static const struct {
    const char *name;
    size_t offset; /* of its MDB_dbi in tx_store */
    int since_v2;
    size_t absent; /* since_v2: offset of the flag set when a read-only open lacks it */
} store_dbs[] = {
    {"log", offsetof(tx_store, log), 0, 0},
    {"ids", offsetof(tx_store, ids), 0, 0},
    {"seqs", offsetof(tx_store, seqs), 0, 0},
    {"transports", offsetof(tx_store, transports), 0, 0},
    {"members", offsetof(tx_store, members), 0, 0},
    {"access", offsetof(tx_store, access), 0, 0},
    {"public", offsetof(tx_store, pub), 0, 0},
    {"grantees", offsetof(tx_store, grantees), 0, 0},
    {"nodes", offsetof(tx_store, nodes), 0, 0},
    {"meta", offsetof(tx_store, meta), 0, 0},
    {"superseders", offsetof(tx_store, superseders), 1, offsetof(tx_store, superseders_absent)},
    {"evidence", offsetof(tx_store, evidence), 1, offsetof(tx_store, evidence_absent)},
};

static MDB_dbi *
store_dbi(tx_store *s, size_t i)
{
    return (MDB_dbi *)((char *)s + store_dbs[i].offset);
}

static int
open_dbs(tx_store *s)
{
    MDB_txn *txn;
    int mrc, rc = tx_store_txn_begin(s, 0, &txn);

    if (rc != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < TX_ARRAY_LEN(store_dbs); i++) {
        mrc = mdb_dbi_open(txn, store_dbs[i].name, MDB_CREATE, store_dbi(s, i));
        if (mrc != MDB_SUCCESS) {
            mdb_txn_abort(txn);
            return tx_store_err(mrc, store_dbs[i].name);
        }
    }
    if ((mrc = build_grantees(s, txn)) != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        return tx_store_err(mrc, "build grantees");
    }
    if ((rc = build_superseders(s, txn)) != TX_OK) {
        mdb_txn_abort(txn);
        return rc;
    }
    return tx_store_err(mdb_txn_commit(txn), "create databases");
}

int
tx_store_open(const char *dir, size_t map_size, tx_store **out)
{
    char path[PATH_MAX], why[PATH_MAX + 200];
    struct stat st;
    tx_store *s;
    uint64_t filled;
    int dead = 0;
    int rc;

    *out = NULL;
    if ((rc = tx_path_join(path, sizeof path, dir, "data.mdb")) != TX_OK) {
        return rc;
    }
    /* LMDB trusts its file: one that is not LMDB, truncated or with a damaged meta page is
     * refused here rather than opened empty, read past its end (SIGBUS) or rolled back. */
    if ((rc = tx_store_file_check(dir, why, sizeof why)) != TX_OK && rc != TX_ERR_NOT_FOUND) {
        tx_error("store: %s", why[0] ? why : tx_strerror(rc));
        return rc;
    }
    if (map_size == 0 && stat(path, &st) != 0) {
        map_size = TX_STORE_DEFAULT_MAP;
    }
    s = calloc(1, sizeof *s);
    if (s == NULL) {
        return TX_ERR_NOMEM;
    }
    tx_signed_init(&s->signed_file);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    if ((rc = tx_store_err(mdb_env_create(&s->env), "create environment")) != TX_OK) {
        free(s);
        return rc;
    }
    rc = mdb_env_set_maxdbs(s->env, 16);
    if (rc == MDB_SUCCESS && map_size > 0) {
        rc = mdb_env_set_mapsize(s->env, map_size);
    }
    /* Default sync flags: a commit returns only once the data is on disk. MDB_NOTLS lets read
     * transactions coexist with the write transaction in the hub's one thread. MDB_NORDAHEAD:
     * pages come into the page cache one by one (see pre_write_tail). */
    if (rc == MDB_SUCCESS) {
        rc = mdb_env_open(s->env, dir, MDB_NOTLS | MDB_NORDAHEAD, 0600);
    }
    if (rc != MDB_SUCCESS) {
        rc = tx_store_err(rc, dir);
        mdb_env_close(s->env);
        free(s);
        return rc;
    }
    /* Slots of readers that died mid-transaction pin pages until cleared. */
    if (mdb_reader_check(s->env, &dead) == MDB_SUCCESS && dead > 0) {
        tx_warn("store: cleared %d stale reader slot(s)", dead);
    }
    if ((rc = open_dbs(s)) != TX_OK) {
        mdb_env_close(s->env);
        free(s);
        return rc;
    }
    /* A store written before the Merkle log gets its nodes once. If that fails (damaged log,
     * full map) the store still opens for reading and checking; proofs and appends then
     * report the damage. */
    if ((rc = tx_mlog_fill(s, &filled)) != TX_OK) {
        tx_warn("store: the Merkle tree could not be completed (%s)", tx_strerror(rc));
    }
    *out = s;
    return TX_OK;
}

int
tx_store_open_readonly(const char *dir, tx_store **out)
{
    tx_store *s;
    MDB_txn *txn = NULL;
    int mrc;

    *out = NULL;
    if ((s = calloc(1, sizeof *s)) == NULL) {
        return TX_ERR_NOMEM;
    }
    tx_signed_init(&s->signed_file);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    if ((mrc = mdb_env_create(&s->env)) != MDB_SUCCESS) {
        free(s);
        return tx_store_err(mrc, "create environment");
    }
    if ((mrc = mdb_env_set_maxdbs(s->env, 16)) == MDB_SUCCESS) {
        mrc = mdb_env_open(s->env, dir, MDB_RDONLY | MDB_NOTLS | MDB_NORDAHEAD, 0600);
    }
    if (mrc == MDB_SUCCESS) {
        mrc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    }
    for (size_t i = 0; i < TX_ARRAY_LEN(store_dbs) && mrc == MDB_SUCCESS; i++) {
        mrc = mdb_dbi_open(txn, store_dbs[i].name, 0, store_dbi(s, i));
        if (mrc == MDB_NOTFOUND && store_dbs[i].since_v2) {
            *(int *)((char *)s + store_dbs[i].absent) = 1;
            mrc = MDB_SUCCESS;
        } else if (mrc == MDB_NOTFOUND) {
            tx_error("store: %s/data.mdb has no `%s` database: it is not a hub database", dir,
                     store_dbs[i].name);
            mdb_txn_abort(txn);
            mdb_env_close(s->env);
            free(s);
            return TX_ERR_STORAGE;
        }
    }
    if (mrc == MDB_SUCCESS) {
        mrc = mdb_txn_commit(txn);
    } else if (txn != NULL) {
        mdb_txn_abort(txn);
    }
    if (mrc != MDB_SUCCESS) {
        int rc = tx_store_err(mrc, dir);
        mdb_env_close(s->env);
        free(s);
        return rc;
    }
    *out = s;
    return TX_OK;
}

/* Write amplification, and what this is for: Linux (6.x) caches file pages in folios of up to
 * hundreds of KB when they are read ahead or written in long runs, and writes a dirty folio
 * back whole. LMDB writes the pages of a commit in long runs, later frees some of them and
 * rewrites single pages there; each such page then costs its whole folio at the next fsync
 * (measured: 6 times the bytes LMDB writes, and the group commit's fsync time with it). Pages
 * that entered the cache one at a time stay in 4 KB folios. So the region LMDB grows into
 * next is written with zeros one page per write ahead of it (and MDB_NORDAHEAD keeps faults
 * from reading ahead): LMDB then writes into small folios. This runs at the start of a write
 * transaction, under LMDB's writer lock (so `ticsx-hub enroll` in another process cannot be
 * appending), before the transaction writes anything; the zeros lie past the last page in use,
 * so they are never data. At most TAIL_STEP a time, so no transaction waits long. */
#define TAIL_PAGE 4096
#define TAIL_AHEAD ((off_t)8 << 20)         /* keep this much written ahead of LMDB */
#define TAIL_STEP ((off_t)1 << 20)          /* at most this much per transaction */
#define TAIL_MIN_FREE ((uint64_t)256 << 20) /* and only with this much free on the disk */

static void
pre_write_tail(tx_store *s)
{
    static const uint8_t zero[TAIL_PAGE];
    MDB_envinfo info;
    MDB_stat st;
    struct stat fst;
    struct statvfs vfs;
    off_t used, to, at;
    int fd;

    if (mdb_env_get_fd(s->env, &fd) != MDB_SUCCESS || mdb_env_info(s->env, &info) != MDB_SUCCESS ||
        mdb_env_stat(s->env, &st) != MDB_SUCCESS || fstat(fd, &fst) != 0) {
        return;
    }
    /* Never on a filling disk: the room stays for the records (and the hub's small files). */
    if (fstatvfs(fd, &vfs) != 0 || (uint64_t)vfs.f_bavail * vfs.f_frsize < TAIL_MIN_FREE) {
        return;
    }
    used = (off_t)(info.me_last_pgno + 1) * st.ms_psize;
    at = s->tail_to > used ? s->tail_to : used;
    at = fst.st_size > at ? fst.st_size : at; /* what is on disk already stays */
    to = used + TAIL_AHEAD < at + TAIL_STEP ? used + TAIL_AHEAD : at + TAIL_STEP;
    if ((off_t)info.me_mapsize < to) {
        to = (off_t)info.me_mapsize;
    }
    for (at -= at % TAIL_PAGE; at < to; at += TAIL_PAGE) {
        if (pwrite(fd, zero, TAIL_PAGE, at) != TAIL_PAGE) {
            /* A full disk: LMDB's own writes will say so; nothing of the data is touched. */
            tx_debug("store: tail pre-write stopped at %lld: %s", (long long)at, strerror(errno));
            break;
        }
    }
    s->tail_to = at;
}

void
tx_store_close(tx_store **s_p)
{
    if (s_p == NULL || *s_p == NULL) {
        return;
    }
    mdb_env_close((*s_p)->env);
    tx_signed_close(&(*s_p)->signed_file);
    free(*s_p);
    *s_p = NULL;
}

void
tx_store_reader_check(tx_store *s)
{
    int dead = 0;

    if (mdb_reader_check(s->env, &dead) == MDB_SUCCESS && dead > 0) {
        tx_warn("store: cleared %d stale reader slot(s)", dead);
    }
}

int
tx_store_begin(tx_store *s, tx_batch **out)
{
    tx_batch *b = calloc(1, sizeof *b);
    int rc;

    *out = NULL;
    if (b == NULL) {
        return TX_ERR_NOMEM;
    }
    /* Damage found, or a checkpoint the database holds and checkpoint.signed may not. */
    if (atomic_load_explicit(&s->refusing, memory_order_acquire) != 0 ||
        tx_store_signed_retry(s) != TX_OK) {
        free(b);
        return TX_ERR_STORAGE;
    }
    b->s = s;
    if ((rc = tx_store_txn_begin(s, 0, &b->txn)) != TX_OK) {
        free(b);
        return rc;
    }
    /* Read inside the write transaction: another process may have appended since. */
    if ((rc = tx_store_last_in(s, b->txn, &b->base)) != TX_OK) {
        mdb_txn_abort(b->txn);
        free(b);
        return rc;
    }
    b->last = b->base;
    pre_write_tail(s);
    *out = b;
    return TX_OK;
}

int
tx_batch_commit_lmdb(tx_batch **b_p, tx_signed_due *due)
{
    tx_batch *b = *b_p;
    int rc;

    *b_p = NULL;
    memset(due, 0, sizeof *due);
    /* The checkpoint of what the batch appended commits with it (a failure kills the batch). */
    tx_mlog_checkpoint_batch(b);
    if (b->err != TX_OK) {
        mdb_txn_abort(b->txn);
        rc = b->err;
    } else {
        /* mdb_txn_commit frees the transaction whatever it returns. */
        rc = commit_err(b->s, mdb_txn_commit(b->txn));
    }
    if (rc == TX_OK && b->signed_cp) {
        due->due = 1;
        due->size = b->signed_size;
        memcpy(due->root, b->signed_root, 32);
    }
    if (rc == TX_ERR_STORAGE_FULL) {
        log_map_full(b->s);
    }
    free(b);
    return rc;
}

int
tx_store_record_signed(tx_store *s, const tx_signed_due *due)
{
    /* Before anyone hears of the checkpoint: what it signed is recorded outside the LMDB
     * environment, so a database rolled back later (an old copy, a damaged meta page) is
     * refused at start instead of served. */
    if (!due->due) {
        return TX_OK;
    }
    return tx_store_signed_note(s, tx_signed_record(&s->signed_file, s->dir, due->size, due->root),
                                due->size);
}

int
tx_store_signed_note(tx_store *s, int rc, uint64_t size)
{
    int e = s->signed_file.err;

    if (rc == TX_OK) {
        if (atomic_exchange_explicit(&s->signed_failing, 0, memory_order_release) != 0) {
            tx_log_kv(TX_LOG_INFO, TX_FIELDS(TX_KN("size", size)),
                      "store: recorded the signed checkpoint (%llu records) in %s/%s again; "
                      "writes are taken again",
                      (unsigned long long)size, s->dir, TX_SIGNED_FILE);
        }
        return rc;
    }
    atomic_fetch_add_explicit(&s->signed_failures, 1, memory_order_relaxed);
    /* Once per failure, not for every retry while the disk stays bad. */
    if (atomic_exchange_explicit(&s->signed_failing, 1, memory_order_release) == 0) {
        tx_log_kv(TX_LOG_ERROR,
                  TX_FIELDS(TX_KV("error", tx_strerror(rc)), TX_KV("errno", e ? strerror(e) : "-"),
                            TX_KN("size", size)),
                  "store: cannot record the signed checkpoint of %llu records in %s/%s (%s). "
                  "Writes are refused and no checkpoint is served until a record succeeds "
                  "(tried again at the next write and every second)",
                  (unsigned long long)size, s->dir, TX_SIGNED_FILE,
                  e ? strerror(e) : tx_strerror(rc));
    }
    return rc;
}

int
tx_store_signed_failing(tx_store *s, uint64_t *failures)
{
    if (failures != NULL) {
        *failures = atomic_load_explicit(&s->signed_failures, memory_order_relaxed);
    }
    return atomic_load_explicit(&s->signed_failing, memory_order_acquire);
}

int
tx_batch_commit(tx_batch **b_p)
{
    tx_store *s = (*b_p)->s;
    tx_signed_due due;
    int rc = tx_batch_commit_lmdb(b_p, &due);

    return rc == TX_OK ? tx_store_record_signed(s, &due) : rc;
}

void
tx_batch_abort(tx_batch **b_p)
{
    if (b_p == NULL || *b_p == NULL) {
        return;
    }
    mdb_txn_abort((*b_p)->txn);
    free(*b_p);
    *b_p = NULL;
}

int
tx_batch_error(const tx_batch *b)
{
    return b->err;
}

uint64_t
tx_batch_base(const tx_batch *b)
{
    return b->base;
}

int
tx_batch_read_rc(tx_batch *b, int rc)
{
    if (rc != TX_OK && rc != TX_ERR_NOT_FOUND) {
        b->err = rc;
    }
    return rc;
}

/* A put that failed with LMDB's rc: the transaction cannot be used after it; everything of
 * the batch goes. */
static int
put_failed(tx_batch *b, int rc, const char *what)
{
    b->err = tx_store_err(rc, what);
    if (b->err == TX_ERR_NOT_FOUND || b->err == TX_ERR_EXISTS) {
        b->err = TX_ERR_STORAGE;
    }
    if (b->err == TX_ERR_STORAGE_FULL) {
        log_map_full(b->s);
    }
    return b->err;
}

int
tx_batch_put(tx_batch *b, MDB_dbi dbi, const void *key, size_t klen, const void *val, size_t vlen,
             unsigned flags, const char *what)
{
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    int rc = mdb_put(b->txn, dbi, &k, &v, flags);

    return rc == MDB_SUCCESS ? TX_OK : put_failed(b, rc, what);
}

/* Puts a new record's id entry idval, in the same descent of the ids tree that finds the id
 * already stored: then nothing is written, *index is the stored record's and the answer is
 * TX_ERR_EXISTS. LMDB answers MDB_KEYEXIST with the stored value before it touches a page,
 * and the transaction stays usable. */
static int
put_new_id(tx_batch *b, const uint8_t id[TX_ID_LEN], const uint8_t idval[TX_IDS_VAL_LEN],
           uint64_t *index)
{
    MDB_val k = {TX_ID_LEN, (void *)id}, v = {TX_IDS_VAL_LEN, (void *)idval};
    int rc = mdb_put(b->txn, b->s->ids, &k, &v, MDB_NOOVERWRITE);

    if (rc == MDB_KEYEXIST) {
        if (v.mv_size != TX_IDS_VAL_LEN) {
            tx_error("store: id entry of %zu bytes; the data file is damaged", v.mv_size);
            return b->err = TX_ERR_STORAGE;
        }
        *index = tx_be64_get(v.mv_data);
        return TX_ERR_EXISTS;
    }
    return rc == MDB_SUCCESS ? TX_OK : put_failed(b, rc, "ids");
}

int
tx_batch_lookup(tx_batch *b, const uint8_t id[TX_ID_LEN], uint64_t *index, int *kind)
{
    if (b->err != TX_OK) {
        return b->err;
    }
    return tx_batch_read_rc(b, tx_store_lookup_in(b->s, b->txn, id, index, kind));
}

static int
get_u64(tx_batch *b, MDB_dbi dbi, const uint8_t key[TX_KEY_LEN], uint64_t *out, const char *what)
{
    MDB_val k = {TX_KEY_LEN, (void *)key}, v;
    int rc;

    if (b->err != TX_OK) {
        return b->err;
    }
    rc = tx_store_err(mdb_get(b->txn, dbi, &k, &v), what);
    if (rc == TX_OK && v.mv_size != TX_IDX_LEN) {
        tx_error("store: %s entry of %zu bytes; the data file is damaged", what, v.mv_size);
        rc = TX_ERR_STORAGE;
    }
    if (rc == TX_OK) {
        *out = tx_be64_get(v.mv_data);
    }
    return tx_batch_read_rc(b, rc);
}

int
tx_batch_last_seq(tx_batch *b, const uint8_t signer[TX_KEY_LEN], uint64_t *seq)
{
    int rc = get_u64(b, b->s->seqs, signer, seq, "seqs");

    if (rc == TX_ERR_NOT_FOUND) {
        *seq = 0;
        return TX_OK;
    }
    return rc;
}

int
tx_batch_member(tx_batch *b, const uint8_t signer[TX_KEY_LEN], uint64_t *profile_index)
{
    return get_u64(b, b->s->members, signer, profile_index, "members");
}

int
tx_batch_envelope(tx_batch *b, uint64_t index, tx_envelope_pb **env)
{
    uint8_t *buf;
    size_t len;
    int rc;

    *env = NULL;
    if (b->err != TX_OK) {
        return b->err;
    }
    rc = tx_batch_read_rc(b, tx_log_read(b->s, b->txn, index, &buf, &len));
    if (rc != TX_OK) {
        return rc;
    }
    rc = tx_decode_envelope(buf, len, env);
    free(buf);
    if (rc != TX_OK) {
        tx_error("store: log entry %llu does not decode (%s); the data file is damaged",
                 (unsigned long long)index, tx_codec_detail());
        return TX_ERR_STORAGE;
    }
    return TX_OK;
}

int
tx_batch_signer_of(tx_batch *b, uint64_t index, uint8_t signer[TX_KEY_LEN])
{
    tx_envelope_pb *env;
    int rc = tx_batch_envelope(b, index, &env);

    if (rc == TX_OK) {
        memcpy(signer, env->signer_key.data, TX_KEY_LEN);
        tx_free(env);
    }
    return rc;
}

static void
access_key(uint8_t key[TX_ACCESS_KEY_LEN], const uint8_t reader[TX_KEY_LEN], int kind,
           uint64_t index)
{
    memcpy(key, reader, TX_KEY_LEN);
    key[TX_KEY_LEN] = (uint8_t)kind;
    tx_be64_put(key + TX_KEY_LEN + 1, index);
}

static void
grantees_key(uint8_t key[TX_GRANTEES_KEY_LEN], const uint8_t reader[TX_KEY_LEN], uint64_t index)
{
    tx_be64_put(key, index);
    memcpy(key + TX_IDX_LEN, reader, TX_KEY_LEN);
}

int
tx_batch_allow(tx_batch *b, const uint8_t reader[TX_KEY_LEN], int kind, uint64_t index)
{
    uint8_t key[TX_ACCESS_KEY_LEN], gkey[TX_GRANTEES_KEY_LEN];
    int rc;

    if (b->err != TX_OK) {
        return b->err;
    }
    access_key(key, reader, kind, index);
    rc = tx_batch_put(b, b->s->access, key, sizeof key, "", 0, 0, "access");
    if (rc == TX_OK && kind == TX_KIND_ASSESSMENT) {
        grantees_key(gkey, reader, index);
        rc = tx_batch_put(b, b->s->grantees, gkey, sizeof gkey, "", 0, 0, "grantees");
    }
    return rc;
}

int
tx_batch_may_read(tx_batch *b, const uint8_t reader[TX_KEY_LEN], int kind, uint64_t index)
{
    uint8_t key[TX_ACCESS_KEY_LEN];
    MDB_val k = {sizeof key, key}, v;

    if (b->err != TX_OK) {
        return b->err;
    }
    access_key(key, reader, kind, index);
    return tx_batch_read_rc(b, tx_store_err(mdb_get(b->txn, b->s->access, &k, &v), "access"));
}

static int
del_key(tx_batch *b, MDB_dbi dbi, const uint8_t *key, size_t len, const char *what)
{
    MDB_val k = {len, (void *)key};
    int rc = mdb_del(b->txn, dbi, &k, NULL);

    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
        b->err = tx_store_err(rc, what);
        return b->err;
    }
    return TX_OK;
}

int
tx_batch_deny(tx_batch *b, const uint8_t reader[TX_KEY_LEN], int kind, uint64_t index)
{
    uint8_t key[TX_ACCESS_KEY_LEN], gkey[TX_GRANTEES_KEY_LEN];
    int rc;

    if (b->err != TX_OK) {
        return b->err;
    }
    access_key(key, reader, kind, index);
    rc = del_key(b, b->s->access, key, sizeof key, "access");
    if (rc == TX_OK && kind == TX_KIND_ASSESSMENT) {
        grantees_key(gkey, reader, index);
        rc = del_key(b, b->s->grantees, gkey, sizeof gkey, "grantees");
    }
    return rc;
}

/* Ends a batch's read of a list that a write depends on: on failure the batch cannot commit
 * half of what depends on it, so it fails the batch and frees the list; returns rc. */
static int
batch_list_end(tx_batch *b, int rc, void *list)
{
    if (rc != TX_OK) {
        b->err = rc;
        free(list);
    }
    return rc;
}

int
tx_batch_readers(tx_batch *b, uint64_t index, uint8_t (**readers)[TX_KEY_LEN], size_t *n)
{
    uint8_t key[TX_GRANTEES_KEY_LEN];
    MDB_cursor *cur = NULL;
    MDB_val k = {sizeof key, key}, v;
    uint8_t(*list)[TX_KEY_LEN] = NULL;
    size_t count = 0;
    int mrc, rc = TX_OK;

    *readers = NULL;
    *n = 0;
    if (b->err != TX_OK) {
        return b->err;
    }
    memset(key, 0, sizeof key);
    tx_be64_put(key, index);
    if ((rc = tx_store_err(mdb_cursor_open(b->txn, b->s->grantees, &cur), "open cursor")) !=
        TX_OK) {
        return tx_batch_read_rc(b, rc);
    }
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == MDB_SUCCESS;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        void *grown;

        if (k.mv_size != TX_GRANTEES_KEY_LEN || tx_be64_get(k.mv_data) != index) {
            break;
        }
        grown = realloc(list, (count + 1) * sizeof *list);
        if (grown == NULL) {
            rc = TX_ERR_NOMEM;
            break;
        }
        list = grown;
        memcpy(list[count++], (const uint8_t *)k.mv_data + TX_IDX_LEN, TX_KEY_LEN);
    }
    mdb_cursor_close(cur);
    if (rc == TX_OK && mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        rc = tx_batch_read_rc(b, tx_store_err(mrc, "walk grantees"));
    }
    if ((rc = batch_list_end(b, rc, list)) != TX_OK) {
        return rc;
    }
    *readers = list;
    *n = count;
    return TX_OK;
}

int
tx_batch_supersede(tx_batch *b, uint64_t old, uint64_t index)
{
    uint8_t key[TX_SUPERSEDERS_KEY_LEN];

    if (b->err != TX_OK) {
        return b->err;
    }
    tx_be64_put(key, old);
    tx_be64_put(key + TX_IDX_LEN, index);
    return tx_batch_put(b, b->s->superseders, key, sizeof key, "", 0, 0, "superseders");
}

int
tx_batch_list_evidence(tx_batch *b, uint64_t chunk, uint64_t assessment)
{
    uint8_t key[TX_EVIDENCE_KEY_LEN];

    if (b->err != TX_OK) {
        return b->err;
    }
    tx_be64_put(key, chunk);
    tx_be64_put(key + TX_IDX_LEN, assessment);
    return tx_batch_put(b, b->s->evidence, key, sizeof key, "", 0, 0, "evidence");
}

int
tx_batch_superseders(tx_batch *b, uint64_t index, uint64_t **out, size_t *n)
{
    uint64_t *list = NULL;
    size_t count = 0, cap = 0;
    MDB_cursor *cur = NULL;
    int mrc, rc;

    *out = NULL;
    *n = 0;
    if (b->err != TX_OK) {
        return b->err;
    }
    if ((rc = tx_store_err(mdb_cursor_open(b->txn, b->s->superseders, &cur), "open cursor")) !=
        TX_OK) {
        return tx_batch_read_rc(b, rc);
    }
    /* Breadth first from `index`: list[done..] are still to be followed. Each superseding
     * record comes later in the log than the one it names, so the walk ends. */
    for (size_t done = 0, from = index;; from = list[done++]) {
        uint8_t key[TX_SUPERSEDERS_KEY_LEN];
        MDB_val k = {sizeof key, key}, v;

        tx_be64_put(key, from);
        memset(key + TX_IDX_LEN, 0, TX_IDX_LEN);
        for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == MDB_SUCCESS;
             mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            uint64_t next;

            if (k.mv_size != TX_SUPERSEDERS_KEY_LEN || tx_be64_get(k.mv_data) != from) {
                break;
            }
            next = tx_be64_get((const uint8_t *)k.mv_data + TX_IDX_LEN);
            if (next <= from) {
                continue; /* damaged: would not end */
            }
            if (count == cap) {
                void *grown = realloc(list, (cap = cap ? 2 * cap : 8) * sizeof *list);
                if (grown == NULL) {
                    rc = TX_ERR_NOMEM;
                    break;
                }
                list = grown;
            }
            list[count++] = next;
        }
        if (rc == TX_OK && mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
            rc = tx_store_err(mrc, "walk superseders");
        }
        if (rc != TX_OK || done == count) {
            break;
        }
    }
    mdb_cursor_close(cur);
    if ((rc = batch_list_end(b, rc, list)) != TX_OK) {
        return rc;
    }
    *out = list;
    *n = count;
    return TX_OK;
}

int
tx_batch_append(tx_batch *b, const uint8_t *env, size_t len, int kind,
                const uint8_t signer[TX_KEY_LEN], uint64_t seq,
                const uint8_t (*readers)[TX_KEY_LEN], size_t n_readers, tx_receipt *receipt)
{
    uint8_t id[TX_ID_LEN];

    tx_record_id(env, len, id);
    return tx_batch_append_id(b, id, env, len, kind, signer, seq, readers, n_readers, receipt);
}

int
tx_batch_append_id(tx_batch *b, const uint8_t id[TX_ID_LEN], const uint8_t *env, size_t len,
                   int kind, const uint8_t signer[TX_KEY_LEN], uint64_t seq,
                   const uint8_t (*readers)[TX_KEY_LEN], size_t n_readers, tx_receipt *receipt)
{
    return tx_batch_append_hashed(b, id, NULL, env, len, kind, signer, seq, readers, n_readers,
                                  receipt);
}

int
tx_batch_append_hashed(tx_batch *b, const uint8_t id[TX_ID_LEN], const uint8_t *leaf_in,
                       const uint8_t *env, size_t len, int kind, const uint8_t signer[TX_KEY_LEN],
                       uint64_t seq, const uint8_t (*readers)[TX_KEY_LEN], size_t n_readers,
                       tx_receipt *receipt)
{
    uint8_t ikey[TX_IDX_LEN], idval[TX_IDS_VAL_LEN], seqval[TX_IDX_LEN], leaf[32];
    uint64_t index = 0;
    int rc;

    memset(receipt, 0, sizeof *receipt);
    if (b->err != TX_OK) {
        return b->err;
    }
    if (!tx_kind_is_stored(kind) || len == 0) {
        return TX_ERR_USAGE;
    }
    memcpy(receipt->id, id, TX_ID_LEN);
    index = b->last + 1;
    tx_be64_put(ikey, index);
    memcpy(idval, ikey, TX_IDX_LEN);
    idval[TX_IDX_LEN] = (uint8_t)kind;
    /* The id first: the same bytes stored before (or earlier in this batch) get the first
     * receipt, and nothing of them is written again. */
    rc = put_new_id(b, receipt->id, idval, &receipt->index);
    if (rc == TX_ERR_EXISTS) {
        receipt->duplicate = 1;
        return TX_OK;
    }
    if (rc != TX_OK) {
        return rc;
    }
    tx_be64_put(seqval, seq);
    if (leaf_in != NULL) {
        memcpy(leaf, leaf_in, sizeof leaf);
    } else {
        tx_merkle_leaf_hash(env, len, leaf);
    }
    /* Indices grow by one from the last key, so MDB_APPEND holds and keeps pages packed. */
    if ((rc = tx_log_append(b, index, env, len)) != TX_OK ||
        (rc = tx_mlog_append(b, index, leaf)) != TX_OK ||
        (rc = tx_batch_put(b, b->s->seqs, signer, TX_KEY_LEN, seqval, sizeof seqval, 0, "seqs")) !=
            TX_OK) {
        return rc;
    }
    if (tx_kind_is_public(kind)) {
        uint8_t pkey[TX_PUBLIC_KEY_LEN];

        pkey[0] = (uint8_t)kind;
        memcpy(pkey + 1, ikey, TX_IDX_LEN);
        if ((rc = tx_batch_put(b, b->s->pub, pkey, sizeof pkey, "", 0, 0, "public")) != TX_OK) {
            return rc;
        }
    } else {
        for (size_t i = 0; i < n_readers; i++) {
            if ((rc = tx_batch_allow(b, readers[i], kind, index)) != TX_OK) {
                return rc;
            }
        }
    }
    b->last = index;
    receipt->index = index;
    return TX_OK;
}

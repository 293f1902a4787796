/* The store's environment and its write side: batches that append verified records and keep
 * the derived indices in step, all inside one LMDB write transaction. */
#include "tx_store_int.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"
#include "tx_util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
        tx_error("store: %s: %s", what, mdb_strerror(rc));
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
     * map: adopt its size and try once more. */
    if (rc == MDB_MAP_RESIZED) {
        rc = mdb_env_set_mapsize(s->env, 0);
        if (rc == MDB_SUCCESS) {
            rc = mdb_txn_begin(s->env, NULL, flags, txn);
        }
    }
    return tx_store_err(rc, "begin transaction");
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
    if (k.mv_size != TX_IDX_LEN) {
        tx_error("store: log key of %zu bytes; the data file is damaged", k.mv_size);
        return TX_ERR_STORAGE;
    }
    *last = tx_be64_get(k.mv_data);
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

int
tx_kind_is_public(int kind)
{
    switch (kind) {
    case TX_KIND_PROFILE:
    case TX_KIND_QUESTIONNAIRE:
    case TX_KIND_ACCREDITATION:
    case TX_KIND_CERTIFICATE:
    case TX_KIND_CERT_EVENT:
        return 1;
    default:
        return 0;
    }
}

int
tx_kind_is_stored(int kind)
{
    return kind >= TX_KIND_PROFILE && kind <= TX_KIND_CERT_EVENT;
}

static int
open_dbs(tx_store *s)
{
    static const char *const names[] = {"log",     "ids",    "seqs",  "transports",
                                        "members", "access", "public"};
    MDB_dbi *dbis[] = {&s->log,     &s->ids,    &s->seqs, &s->transports,
                       &s->members, &s->access, &s->pub};
    MDB_txn *txn;
    int rc = tx_store_txn_begin(s, 0, &txn);

    if (rc != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < TX_ARRAY_LEN(names); i++) {
        int mrc = mdb_dbi_open(txn, names[i], MDB_CREATE, dbis[i]);
        if (mrc != MDB_SUCCESS) {
            mdb_txn_abort(txn);
            return tx_store_err(mrc, names[i]);
        }
    }
    return tx_store_err(mdb_txn_commit(txn), "create databases");
}

int
tx_store_open(const char *dir, size_t map_size, tx_store **out)
{
    char path[PATH_MAX];
    struct stat st;
    tx_store *s;
    int dead = 0;
    int rc;

    *out = NULL;
    if ((rc = tx_path_join(path, sizeof path, dir, "data.mdb")) != TX_OK) {
        return rc;
    }
    if (map_size == 0 && stat(path, &st) != 0) {
        map_size = TX_STORE_DEFAULT_MAP;
    }
    s = calloc(1, sizeof *s);
    if (s == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((rc = tx_store_err(mdb_env_create(&s->env), "create environment")) != TX_OK) {
        free(s);
        return rc;
    }
    rc = mdb_env_set_maxdbs(s->env, 8);
    if (rc == MDB_SUCCESS && map_size > 0) {
        rc = mdb_env_set_mapsize(s->env, map_size);
    }
    /* Default sync flags: a commit returns only once the data is on disk. MDB_NOTLS lets read
     * transactions coexist with the write transaction in the hub's one thread. */
    if (rc == MDB_SUCCESS) {
        rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0600);
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
    *out = s;
    return TX_OK;
}

void
tx_store_close(tx_store **s_p)
{
    if (s_p == NULL || *s_p == NULL) {
        return;
    }
    mdb_env_close((*s_p)->env);
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
    *out = b;
    return TX_OK;
}

int
tx_batch_commit(tx_batch **b_p)
{
    tx_batch *b = *b_p;
    int rc;

    *b_p = NULL;
    if (b->err != TX_OK) {
        mdb_txn_abort(b->txn);
        rc = b->err;
    } else {
        /* mdb_txn_commit frees the transaction whatever it returns. */
        rc = tx_store_err(mdb_txn_commit(b->txn), "commit");
    }
    free(b);
    return rc;
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

int
tx_batch_put(tx_batch *b, MDB_dbi dbi, const void *key, size_t klen, const void *val, size_t vlen,
             unsigned flags, const char *what)
{
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    int rc = mdb_put(b->txn, dbi, &k, &v, flags);

    if (rc != MDB_SUCCESS) {
        /* The transaction cannot be used after a failed put; everything of the batch goes. */
        b->err = tx_store_err(rc, what);
        if (b->err == TX_ERR_NOT_FOUND || b->err == TX_ERR_EXISTS) {
            b->err = TX_ERR_STORAGE;
        }
        return b->err;
    }
    return TX_OK;
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
    uint8_t key[TX_IDX_LEN];
    MDB_val k = {TX_IDX_LEN, key}, v;
    int rc;

    *env = NULL;
    if (b->err != TX_OK) {
        return b->err;
    }
    tx_be64_put(key, index);
    rc = tx_batch_read_rc(b, tx_store_err(mdb_get(b->txn, b->s->log, &k, &v), "read log"));
    if (rc != TX_OK) {
        return rc;
    }
    /* Decoded at once: the value is only valid until the next write in this transaction. */
    if (tx_decode_envelope(v.mv_data, v.mv_size, env) != TX_OK) {
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

int
tx_batch_allow(tx_batch *b, const uint8_t reader[TX_KEY_LEN], int kind, uint64_t index)
{
    uint8_t key[TX_ACCESS_KEY_LEN];

    if (b->err != TX_OK) {
        return b->err;
    }
    access_key(key, reader, kind, index);
    return tx_batch_put(b, b->s->access, key, sizeof key, "", 0, 0, "access");
}

int
tx_batch_deny(tx_batch *b, const uint8_t reader[TX_KEY_LEN], int kind, uint64_t index)
{
    uint8_t key[TX_ACCESS_KEY_LEN];
    MDB_val k = {sizeof key, key};
    int rc;

    if (b->err != TX_OK) {
        return b->err;
    }
    access_key(key, reader, kind, index);
    rc = mdb_del(b->txn, b->s->access, &k, NULL);
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
        b->err = tx_store_err(rc, "access");
        return b->err;
    }
    return TX_OK;
}

int
tx_batch_append(tx_batch *b, const uint8_t *env, size_t len, int kind,
                const uint8_t signer[TX_KEY_LEN], uint64_t seq,
                const uint8_t (*readers)[TX_KEY_LEN], size_t n_readers, tx_receipt *receipt)
{
    uint8_t ikey[TX_IDX_LEN], idval[TX_IDS_VAL_LEN], seqval[TX_IDX_LEN];
    uint64_t index;
    int found_kind;
    int rc;

    memset(receipt, 0, sizeof *receipt);
    if (b->err != TX_OK) {
        return b->err;
    }
    if (!tx_kind_is_stored(kind) || len == 0) {
        return TX_ERR_USAGE;
    }
    tx_record_id(env, len, receipt->id);
    rc = tx_batch_lookup(b, receipt->id, &index, &found_kind);
    if (rc == TX_OK) {
        receipt->index = index;
        receipt->duplicate = 1;
        return TX_OK;
    }
    if (rc != TX_ERR_NOT_FOUND) {
        return rc;
    }
    index = b->last + 1;
    tx_be64_put(ikey, index);
    memcpy(idval, ikey, TX_IDX_LEN);
    idval[TX_IDX_LEN] = (uint8_t)kind;
    tx_be64_put(seqval, seq);
    /* Indices grow by one from the last key, so MDB_APPEND holds and keeps pages packed. */
    if ((rc = tx_batch_put(b, b->s->log, ikey, sizeof ikey, env, len, MDB_APPEND, "log")) !=
            TX_OK ||
        (rc = tx_batch_put(b, b->s->ids, receipt->id, TX_ID_LEN, idval, sizeof idval,
                           MDB_NOOVERWRITE, "ids")) != TX_OK ||
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

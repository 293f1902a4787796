/* The store's read side: snapshots that fetch and list records with the visibility rules
 * applied, and the transport lookup ZAP uses. Values are copied before the snapshot ends. */
#include "tx_store_int.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"

#include <stdlib.h>
#include <string.h>

int
tx_store_view(tx_store *s, tx_view **out)
{
    tx_view *v = calloc(1, sizeof *v);
    int rc;

    *out = NULL;
    if (v == NULL) {
        return TX_ERR_NOMEM;
    }
    v->s = s;
    if ((rc = tx_store_txn_begin(s, MDB_RDONLY, &v->txn)) != TX_OK) {
        free(v);
        return rc;
    }
    *out = v;
    return TX_OK;
}

void
tx_view_end(tx_view **v_p)
{
    if (v_p == NULL || *v_p == NULL) {
        return;
    }
    mdb_txn_abort((*v_p)->txn);
    free(*v_p);
    *v_p = NULL;
}

void
tx_entries_free(tx_entry *entries, size_t n)
{
    if (entries == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        free(entries[i].env);
    }
    free(entries);
}

/* Copies the log entry at index into out, checking its hash: against `id` when given, else
 * against the ids index (which must point back to this index). */
static int
read_entry(tx_view *v, uint64_t index, int kind, const uint8_t *id, tx_entry *out)
{
    uint8_t hash[TX_ID_LEN];
    uint8_t *env = NULL;
    size_t len = 0;
    uint64_t at;
    int found_kind;
    int rc;

    memset(out, 0, sizeof *out);
    rc = tx_log_read(v->s, v->txn, index, &env, &len);
    if (rc == TX_ERR_NOT_FOUND) {
        tx_error("store: index points at missing log entry %llu; the data file is damaged",
                 (unsigned long long)index);
        return TX_ERR_STORAGE;
    }
    if (rc != TX_OK) {
        return rc;
    }
    tx_record_id(env, len, hash);
    if (id != NULL) {
        rc = memcmp(hash, id, TX_ID_LEN) == 0 ? TX_OK : TX_ERR_STORAGE;
    } else {
        rc = tx_store_lookup_in(v->s, v->txn, hash, &at, &found_kind);
        rc = rc == TX_OK && at == index && found_kind == kind ? TX_OK : TX_ERR_STORAGE;
    }
    if (rc != TX_OK) {
        tx_error("store: log entry %llu does not match its record id; the data file is damaged",
                 (unsigned long long)index);
        free(env);
        return rc;
    }
    out->env = env;
    out->len = len;
    out->index = index;
    out->kind = kind;
    return TX_OK;
}

static int
access_entry(tx_view *v, const uint8_t *reader, int kind, uint64_t index)
{
    uint8_t key[TX_ACCESS_KEY_LEN];
    MDB_val k = {sizeof key, key}, val;

    memcpy(key, reader, TX_KEY_LEN);
    key[TX_KEY_LEN] = (uint8_t)kind;
    tx_be64_put(key + TX_KEY_LEN + 1, index);
    return tx_store_err(mdb_get(v->txn, v->s->access, &k, &val), "read access");
}

/* An evidence chunk not the reader's own: readable while the reader may read one of the sealed
 * assessments listing it (a revoked grant took that access entry away). */
static int
may_read_chunk(tx_view *v, const uint8_t *reader, uint64_t index)
{
    uint8_t key[TX_EVIDENCE_KEY_LEN];
    MDB_cursor *cur = NULL;
    MDB_val k = {sizeof key, key}, val;
    int mrc, rc;

    if (v->s->evidence_absent) {
        return TX_ERR_NOT_FOUND;
    }
    tx_be64_put(key, index);
    memset(key + TX_IDX_LEN, 0, TX_IDX_LEN);
    if ((rc = tx_store_err(mdb_cursor_open(v->txn, v->s->evidence, &cur), "open cursor")) !=
        TX_OK) {
        return rc;
    }
    rc = TX_ERR_NOT_FOUND;
    for (mrc = mdb_cursor_get(cur, &k, &val, MDB_SET_RANGE); mrc == MDB_SUCCESS;
         mrc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
        if (k.mv_size != TX_EVIDENCE_KEY_LEN || tx_be64_get(k.mv_data) != index) {
            break;
        }
        rc = access_entry(v, reader, TX_KIND_ASSESSMENT,
                          tx_be64_get((const uint8_t *)k.mv_data + TX_IDX_LEN));
        if (rc != TX_ERR_NOT_FOUND) {
            break;
        }
    }
    mdb_cursor_close(cur);
    if (rc == TX_ERR_NOT_FOUND && mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        rc = tx_store_err(mrc, "walk evidence");
    }
    return rc;
}

int
tx_view_may_read(tx_view *v, const uint8_t *reader, int kind, uint64_t index)
{
    int rc;

    if (tx_kind_is_public(kind)) {
        return TX_OK;
    }
    if (reader == NULL) {
        return TX_ERR_NOT_FOUND;
    }
    rc = access_entry(v, reader, kind, index);
    if (rc == TX_ERR_NOT_FOUND && kind == TX_KIND_EVIDENCE_CHUNK) {
        rc = may_read_chunk(v, reader, index);
    }
    return rc;
}

int
tx_view_get(tx_view *v, const uint8_t id[TX_ID_LEN], const uint8_t *reader, tx_entry *out)
{
    uint64_t index;
    int kind;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = tx_store_lookup_in(v->s, v->txn, id, &index, &kind)) != TX_OK ||
        (rc = tx_view_may_read(v, reader, kind, index)) != TX_OK) {
        return rc;
    }
    return read_entry(v, index, kind, id, out);
}

int
tx_view_list(tx_view *v, int kind, const uint8_t *reader, uint64_t after, uint32_t limit,
             size_t max_bytes, tx_entry **entries, size_t *n, uint64_t *next)
{
    tx_list_damage d;

    return tx_view_list_damaged(v, kind, reader, after, limit, max_bytes, entries, n, next, &d);
}

int
tx_view_list_damaged(tx_view *v, int kind, const uint8_t *reader, uint64_t after, uint32_t limit,
                     size_t max_bytes, tx_entry **entries, size_t *n, uint64_t *next,
                     tx_list_damage *damage)
{
    uint8_t key[TX_ACCESS_KEY_LEN];
    size_t prefix, key_len, bytes = 0, count = 0;
    MDB_dbi dbi;
    MDB_cursor *cur = NULL;
    MDB_val k, val;
    tx_entry *list = NULL;
    int more = 0;
    int mrc, rc = TX_OK;

    *entries = NULL;
    *n = 0;
    *next = 0;
    memset(damage, 0, sizeof *damage);
    if (!tx_kind_is_stored(kind)) {
        return TX_ERR_USAGE;
    }
    if (limit == 0) {
        limit = TX_LIST_DEFAULT;
    }
    if (limit > TX_LIST_MAX) {
        limit = TX_LIST_MAX;
    }
    if (after == UINT64_MAX || (!tx_kind_is_public(kind) && reader == NULL)) {
        return TX_OK;
    }
    /* Public kinds are listed from `public` (kind | index), the others from the reader's own
     * range of `access` (reader | kind | index): a reader never walks over others' entries. */
    if (tx_kind_is_public(kind)) {
        dbi = v->s->pub;
        key[0] = (uint8_t)kind;
        prefix = 1;
    } else {
        dbi = v->s->access;
        memcpy(key, reader, TX_KEY_LEN);
        key[TX_KEY_LEN] = (uint8_t)kind;
        prefix = TX_KEY_LEN + 1;
    }
    key_len = prefix + TX_IDX_LEN;
    tx_be64_put(key + prefix, after + 1);
    list = calloc(limit, sizeof *list);
    if (list == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((rc = tx_store_err(mdb_cursor_open(v->txn, dbi, &cur), "open cursor")) != TX_OK) {
        goto out;
    }
    k.mv_size = key_len;
    k.mv_data = key;
    mrc = mdb_cursor_get(cur, &k, &val, MDB_SET_RANGE);
    while (mrc == MDB_SUCCESS) {
        uint64_t index;

        if (k.mv_size != key_len || memcmp(k.mv_data, key, prefix) != 0) {
            break;
        }
        if (count == limit) {
            more = 1;
            break;
        }
        index = tx_be64_get((const uint8_t *)k.mv_data + prefix);
        rc = read_entry(v, index, kind, NULL, &list[count]);
        if (rc == TX_ERR_STORAGE) {
            /* One damaged record does not take the others with it: it is left out, named to
             * the caller and on the hub's log. */
            tx_error("store: log entry %llu is damaged and was left out of a list; run "
                     "`ticsx-hub check`",
                     (unsigned long long)index);
            if (damage->n++ == 0) {
                damage->first = index;
            }
            rc = TX_OK;
            mrc = mdb_cursor_get(cur, &k, &val, MDB_NEXT);
            continue;
        }
        if (rc != TX_OK) {
            goto out;
        }
        if (count > 0 && bytes + list[count].len > max_bytes) {
            free(list[count].env);
            list[count].env = NULL;
            more = 1;
            break;
        }
        bytes += list[count].len;
        count++;
        mrc = mdb_cursor_get(cur, &k, &val, MDB_NEXT);
    }
    if (mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        rc = tx_store_err(mrc, "walk index");
        goto out;
    }
    *next = more && count > 0 ? list[count - 1].index : 0;
    *entries = list;
    *n = count;
    list = NULL;
    count = 0;
out:
    if (cur != NULL) {
        mdb_cursor_close(cur);
    }
    tx_entries_free(list, count);
    return rc;
}

int
tx_view_transport(tx_view *v, const uint8_t curve[TX_KEY_LEN], uint8_t signer[TX_KEY_LEN])
{
    MDB_val k = {TX_KEY_LEN, (void *)curve}, val;
    int rc = tx_store_err(mdb_get(v->txn, v->s->transports, &k, &val), "read transports");

    if (rc != TX_OK) {
        return rc;
    }
    if (val.mv_size != TX_KEY_LEN) {
        tx_error("store: transport entry of %zu bytes; the data file is damaged", val.mv_size);
        return TX_ERR_STORAGE;
    }
    memcpy(signer, val.mv_data, TX_KEY_LEN);
    return TX_OK;
}

int
tx_view_last_index(tx_view *v, uint64_t *last)
{
    return tx_store_last_in(v->s, v->txn, last);
}

int
tx_store_get(tx_store *s, const uint8_t id[TX_ID_LEN], const uint8_t *reader, tx_entry *out)
{
    tx_view *v;
    int rc = tx_store_view(s, &v);

    memset(out, 0, sizeof *out);
    if (rc != TX_OK) {
        return rc;
    }
    rc = tx_view_get(v, id, reader, out);
    tx_view_end(&v);
    return rc;
}

int
tx_store_list(tx_store *s, int kind, const uint8_t *reader, uint64_t after, uint32_t limit,
              tx_entry **entries, size_t *n, uint64_t *next)
{
    tx_view *v;
    int rc = tx_store_view(s, &v);

    *entries = NULL;
    *n = 0;
    *next = 0;
    if (rc != TX_OK) {
        return rc;
    }
    rc = tx_view_list(v, kind, reader, after, limit, SIZE_MAX, entries, n, next);
    tx_view_end(&v);
    return rc;
}

int
tx_store_member_of_transport(tx_store *s, const uint8_t curve[TX_KEY_LEN],
                             uint8_t signer[TX_KEY_LEN])
{
    tx_view *v;
    int rc = tx_store_view(s, &v);

    if (rc != TX_OK) {
        return rc;
    }
    rc = tx_view_transport(v, curve, signer);
    tx_view_end(&v);
    return rc;
}

int
tx_store_last_index(tx_store *s, uint64_t *last)
{
    tx_view *v;
    int rc = tx_store_view(s, &v);

    *last = 0;
    if (rc != TX_OK) {
        return rc;
    }
    rc = tx_view_last_index(v, last);
    tx_view_end(&v);
    return rc;
}

/* The Merkle log in the store: perfect subtree hashes under level (1) | index (8, big-endian)
 * in `nodes`, the latest signed checkpoint and the witnesses' cosignatures in `meta`. */
#include "tx_mlog.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"
#include "tx_merkle.h"
#include "tx_note.h"
#include "tx_store_int.h"
#include "tx_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NODE_KEY_LEN (1 + TX_IDX_LEN)
#define FILL_CHUNK 65536u /* leaves per transaction when filling an old store */

static const char checkpoint_key[] = "checkpoint"; /* meta: the latest signed checkpoint */
static const char cosig_prefix[] = "cosig:";       /* meta: | witness key -> cosignature */

static void
node_key(uint8_t key[NODE_KEY_LEN], unsigned level, uint64_t index)
{
    key[0] = (uint8_t)level;
    tx_be64_put(key + 1, index);
}

/* The hash of the perfect subtree `index` of `level` (leaves index*2^level ...). */
static int
node_get(tx_store *s, MDB_txn *txn, unsigned level, uint64_t index, uint8_t out[32])
{
    uint8_t key[NODE_KEY_LEN];
    MDB_val k = {sizeof key, key}, v;
    int rc;

    node_key(key, level, index);
    rc = mdb_get(txn, s->nodes, &k, &v);
    if (rc == MDB_NOTFOUND) {
        return TX_ERR_NOT_FOUND;
    }
    if ((rc = tx_store_err(rc, "read Merkle node")) != TX_OK) {
        return rc;
    }
    if (v.mv_size != 32) {
        tx_error("store: Merkle node %u/%llu of %zu bytes; the data file is damaged", level,
                 (unsigned long long)index, v.mv_size);
        return TX_ERR_STORAGE;
    }
    memcpy(out, v.mv_data, 32);
    return TX_OK;
}

/* Puts a node in txn, through the batch when there is one (a failure then kills it and a full
 * map is explained on the hub's log). */
static int
node_put(tx_store *s, MDB_txn *txn, tx_batch *b, unsigned level, uint64_t index,
         const uint8_t h[32])
{
    uint8_t key[NODE_KEY_LEN];
    MDB_val k = {sizeof key, key}, v = {32, (void *)h};
    int rc;

    node_key(key, level, index);
    if (b != NULL) {
        return tx_batch_put(b, s->nodes, key, sizeof key, h, 32, 0, "Merkle nodes");
    }
    rc = tx_store_err(mdb_put(txn, s->nodes, &k, &v, 0), "Merkle nodes");
    /* A put's own "not found" or "exists" would mean a damaged tree. */
    return rc == TX_ERR_NOT_FOUND || rc == TX_ERR_EXISTS ? TX_ERR_STORAGE : rc;
}

/* Stores leaf `i` (0-based) and every perfect subtree it completes: while the new node is a
 * right child, it and its left sibling make their parent. */
static int
append_leaf(tx_store *s, MDB_txn *txn, tx_batch *b, uint64_t i, const uint8_t leaf[32])
{
    uint8_t h[32], left[32];
    unsigned level = 0;
    int rc;

    memcpy(h, leaf, 32);
    if ((rc = node_put(s, txn, b, 0, i, h)) != TX_OK) {
        return rc;
    }
    while (i & 1) {
        rc = node_get(s, txn, level, i - 1, left);
        if (rc == TX_ERR_NOT_FOUND) {
            tx_error("store: Merkle node %u/%llu is missing; the data file is damaged", level,
                     (unsigned long long)(i - 1));
            return TX_ERR_STORAGE;
        }
        if (rc != TX_OK) {
            return rc;
        }
        tx_merkle_node_hash(left, h, h);
        level++;
        i >>= 1;
        if ((rc = node_put(s, txn, b, level, i, h)) != TX_OK) {
            return rc;
        }
    }
    return TX_OK;
}

int
tx_mlog_append(tx_batch *b, uint64_t index, const uint8_t leaf[32])
{
    int rc;

    if (b->err != TX_OK) {
        return b->err;
    }
    if (index == 0) {
        return TX_ERR_USAGE;
    }
    if ((rc = append_leaf(b->s, b->txn, b, index - 1, leaf)) != TX_OK) {
        /* The transaction cannot be trusted after a failed put: the batch goes. */
        b->err = rc;
    }
    return rc;
}

/* A tx_merkle_node_fn over the nodes of one transaction. */
typedef struct {
    tx_store *s;
    MDB_txn *txn;
} node_ctx;

static int
node_fn(void *ctx, uint64_t start, uint64_t end, uint8_t out[32])
{
    node_ctx *c = ctx;
    uint64_t width = end - start;
    unsigned level = 0;
    int rc;

    while (((uint64_t)1 << level) < width) {
        level++;
    }
    rc = node_get(c->s, c->txn, level, start >> level, out);
    if (rc == TX_ERR_NOT_FOUND) {
        tx_error("store: Merkle node %u/%llu is missing; the data file is damaged", level,
                 (unsigned long long)(start >> level));
        return TX_ERR_STORAGE;
    }
    return rc;
}

/* How many leaves `nodes` holds: one past the last key of level 0. */
static int
leaves_in(tx_store *s, MDB_txn *txn, uint64_t *count)
{
    uint8_t key[NODE_KEY_LEN];
    MDB_cursor *cur;
    MDB_val k = {sizeof key, key}, v;
    int mrc, rc;

    *count = 0;
    node_key(key, 1, 0);
    if ((rc = tx_store_err(mdb_cursor_open(txn, s->nodes, &cur), "open node cursor")) != TX_OK) {
        return rc;
    }
    mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    mrc = mrc == MDB_SUCCESS ? mdb_cursor_get(cur, &k, &v, MDB_PREV)
                             : mdb_cursor_get(cur, &k, &v, MDB_LAST);
    mdb_cursor_close(cur);
    if (mrc == MDB_NOTFOUND) {
        return TX_OK;
    }
    if ((rc = tx_store_err(mrc, "read Merkle nodes")) != TX_OK) {
        return rc;
    }
    if (k.mv_size != NODE_KEY_LEN) {
        tx_error("store: Merkle node key of %zu bytes; the data file is damaged", k.mv_size);
        return TX_ERR_STORAGE;
    }
    if (((const uint8_t *)k.mv_data)[0] == 0) {
        *count = tx_be64_get((const uint8_t *)k.mv_data + 1) + 1;
    }
    return TX_OK;
}

int
tx_mlog_fill(tx_store *s, uint64_t *filled)
{
    int64_t t0 = tx_clock_ms();
    int rc = TX_OK;

    *filled = 0;
    for (;;) {
        MDB_txn *txn;
        uint64_t have, last, stop;

        if ((rc = tx_store_txn_begin(s, 0, &txn)) != TX_OK) {
            break;
        }
        if ((rc = leaves_in(s, txn, &have)) != TX_OK ||
            (rc = tx_store_last_in(s, txn, &last)) != TX_OK) {
            mdb_txn_abort(txn);
            break;
        }
        if (have > last) {
            tx_error("store: the Merkle tree holds %llu leaves but the log only %llu records; "
                     "the data file is damaged",
                     (unsigned long long)have, (unsigned long long)last);
            mdb_txn_abort(txn);
            rc = TX_ERR_STORAGE;
            break;
        }
        if (have == last) {
            mdb_txn_abort(txn);
            break;
        }
        stop = last - have > FILL_CHUNK ? have + FILL_CHUNK : last;
        for (uint64_t i = have; i < stop && rc == TX_OK; i++) {
            uint8_t leaf[32];
            uint8_t *env;
            size_t len;

            rc = tx_log_read(s, txn, i + 1, &env, &len);
            if (rc == TX_ERR_NOT_FOUND) {
                tx_error("store: log entry %llu is missing; the data file is damaged",
                         (unsigned long long)(i + 1));
                rc = TX_ERR_STORAGE;
            }
            if (rc == TX_OK) {
                tx_merkle_leaf_hash(env, len, leaf);
                free(env);
                rc = append_leaf(s, txn, NULL, i, leaf);
            }
        }
        if (rc != TX_OK) {
            mdb_txn_abort(txn);
            break;
        }
        if ((rc = tx_store_err(mdb_txn_commit(txn), "commit Merkle nodes")) != TX_OK) {
            break;
        }
        *filled += stop - have;
    }
    if (*filled > 0) {
        tx_info("store: built the Merkle tree over %llu records in %lld ms",
                (unsigned long long)*filled, (long long)(tx_clock_ms() - t0));
    }
    return rc;
}

void
tx_store_set_signer(tx_store *s, const tx_identity *id)
{
    s->signer = id;
    if (id != NULL) {
        tx_hub_origin(&id->pub, s->origin, sizeof s->origin);
    }
}

void
tx_hub_origin(const tx_pubkey *hub, char *out, size_t n)
{
    char hex[17];

    /* The hub key's name when init was given one that may be a note key name, else one
     * derived from the key: the same for every copy of the data directory. */
    if (tx_note_name_ok(hub->name) && strcmp(hub->name, "hub") != 0) {
        snprintf(out, n, "%.*s", TX_NOTE_NAME_MAX, hub->name); /* checked: at most that long */
    } else {
        tx_key_id_hex(hub->sign, hex);
        snprintf(out, n, "ticsx-hub/%s", hex);
    }
}

const char *
tx_store_origin(const tx_store *s)
{
    return s->origin;
}

/* Decodes a checkpoint note's text; the signature is not checked (`note` may be NULL). */
static int
checkpoint_decode(const uint8_t *buf, size_t len, tx_checkpoint_info *info, tx_note *note)
{
    tx_note local;
    tx_note_checkpoint cp;
    int rc;

    if (note == NULL) {
        note = &local;
    }
    if ((rc = tx_note_parse(buf, len, note)) != TX_OK ||
        (rc = tx_note_checkpoint_parse(note->text, note->text_len, &cp)) != TX_OK) {
        return rc;
    }
    info->size = cp.size;
    memcpy(info->root, cp.root, 32);
    info->time = cp.time;
    return TX_OK;
}

int
tx_checkpoint_read(const uint8_t *buf, size_t len, const uint8_t *signer, tx_checkpoint_info *info)
{
    tx_note_checkpoint cp;
    tx_note note;
    int rc = tx_note_parse(buf, len, &note);

    if (rc == TX_OK) {
        rc = tx_note_checkpoint_parse(note.text, note.text_len, &cp);
    }
    /* The hub signs under the checkpoint's origin. */
    if (rc == TX_OK && signer != NULL) {
        rc = tx_note_verify(&note, cp.origin, signer);
    }
    if (rc == TX_OK) {
        info->size = cp.size;
        memcpy(info->root, cp.root, 32);
        info->time = cp.time;
    }
    return rc;
}

/* The latest checkpoint in txn: its bytes (borrowed from the map, valid in txn) and what it
 * says. TX_ERR_NOT_FOUND when none. */
static int
checkpoint_in(tx_store *s, MDB_txn *txn, MDB_val *val, tx_checkpoint_info *info)
{
    MDB_val k = {sizeof checkpoint_key - 1, (void *)checkpoint_key};
    int rc = mdb_get(txn, s->meta, &k, val);

    if (rc == MDB_NOTFOUND) {
        return TX_ERR_NOT_FOUND;
    }
    if ((rc = tx_store_err(rc, "read checkpoint")) != TX_OK) {
        return rc;
    }
    if (checkpoint_decode(val->mv_data, val->mv_size, info, NULL) != TX_OK) {
        tx_error("store: the stored checkpoint is not a checkpoint note; the data file is "
                 "damaged");
        return TX_ERR_STORAGE;
    }
    return TX_OK;
}

/* Signs a checkpoint of the batch's whole log unless the latest covers it; *made says whether
 * one was. */
static int
checkpoint_batch(tx_batch *b, int *made)
{
    char text[TX_NOTE_NAME_MAX + 128];
    size_t text_len;
    tx_checkpoint_info prev = {0};
    node_ctx ctx = {b->s, b->txn};
    uint8_t root[32];
    uint8_t *env = NULL;
    size_t len;
    MDB_val val;
    int64_t now;
    int rc;

    if (made != NULL) {
        *made = 0;
    }
    if (b->err != TX_OK) {
        return b->err;
    }
    if (b->s->signer == NULL) {
        return TX_OK;
    }
    rc = checkpoint_in(b->s, b->txn, &val, &prev);
    if (rc == TX_OK && prev.size == b->last) {
        return TX_OK;
    }
    if (rc == TX_OK && prev.size > b->last) {
        tx_error("store: the log holds %llu records but the last checkpoint signed %llu; "
                 "history was lost, no checkpoint is signed",
                 (unsigned long long)b->last, (unsigned long long)prev.size);
        rc = TX_ERR_STORAGE;
    }
    if (rc != TX_OK && rc != TX_ERR_NOT_FOUND) {
        b->err = rc;
        return rc;
    }
    if ((rc = tx_merkle_root(node_fn, &ctx, b->last, root)) != TX_OK) {
        b->err = rc;
        return rc;
    }
    /* A hub's checkpoints never go back in time, whatever its clock does: the time line. */
    now = tx_now();
    if ((rc =
             tx_note_checkpoint_text(b->s->origin, b->last, root, now > prev.time ? now : prev.time,
                                     text, sizeof text, &text_len)) != TX_OK ||
        (rc = tx_note_sign((const uint8_t *)text, text_len, b->s->origin, b->s->signer->sec->sign,
                           &env, &len)) != TX_OK) {
        b->err = rc;
        return rc;
    }
    rc = tx_batch_put(b, b->s->meta, checkpoint_key, sizeof checkpoint_key - 1, env, len, 0,
                      "checkpoint");
    free(env);
    if (rc == TX_OK) {
        /* Recorded outside LMDB once committed (tx_batch_commit). */
        b->signed_cp = 1;
        b->signed_size = b->last;
        memcpy(b->signed_root, root, 32);
    }
    if (rc == TX_OK && made != NULL) {
        *made = 1;
    }
    return rc;
}

int
tx_mlog_checkpoint_batch(tx_batch *b)
{
    return checkpoint_batch(b, NULL);
}

/* The latest checkpoint, which covers the log, is recorded in checkpoint.signed: the hub may
 * have been stopped (kill -9) between a commit and its record, and the checkpoint is about to
 * be served. */
static int
signed_catch_up(tx_batch *b)
{
    tx_checkpoint_info cp = {0};
    MDB_val val;
    int rc = checkpoint_in(b->s, b->txn, &val, &cp);

    if (rc == TX_ERR_NOT_FOUND) {
        return TX_OK; /* an empty log: nothing signed */
    }
    if (rc == TX_OK) {
        rc = tx_store_signed_note(
            b->s, tx_signed_reach(&b->s->signed_file, b->s->dir, cp.size, cp.root), cp.size);
    }
    return rc;
}

int
tx_store_signed_retry(tx_store *s)
{
    tx_checkpoint_info cp = {0};
    MDB_txn *txn = NULL;
    MDB_val val;
    int rc;

    if (!tx_store_signed_failing(s, NULL)) {
        return TX_OK;
    }
    if ((rc = tx_store_txn_begin(s, MDB_RDONLY, &txn)) != TX_OK) {
        return rc;
    }
    /* A failed flush may have left the slot in the page cache: written again, not trusted. */
    if ((rc = checkpoint_in(s, txn, &val, &cp)) == TX_OK) {
        rc = tx_signed_redo(&s->signed_file, s->dir, cp.size, cp.root);
    } else if (rc == TX_ERR_NOT_FOUND) {
        rc = TX_OK; /* nothing signed: nothing to record */
    }
    mdb_txn_abort(txn);
    return tx_store_signed_note(s, rc, cp.size);
}

int
tx_store_checkpoint_refresh(tx_store *s, int *made)
{
    tx_batch *b = NULL;
    int m = 0;
    int rc;

    if (made != NULL) {
        *made = 0;
    }
    if (s->signer == NULL) {
        return TX_OK;
    }
    if ((rc = tx_store_begin(s, &b)) != TX_OK) {
        return rc;
    }
    if ((rc = checkpoint_batch(b, &m)) != TX_OK || !m) {
        rc = rc == TX_OK ? signed_catch_up(b) : rc;
        tx_batch_abort(&b);
        return rc;
    }
    if ((rc = tx_batch_commit(&b)) == TX_OK && made != NULL) {
        *made = 1;
    }
    return rc;
}

/* ---- reads ---- */

static int
view_last(tx_view *v, uint64_t *last)
{
    return tx_store_last_in(v->s, v->txn, last);
}

int
tx_view_root(tx_view *v, uint64_t size, uint8_t root[32])
{
    node_ctx ctx = {v->s, v->txn};
    uint64_t last;
    int rc;

    if ((rc = view_last(v, &last)) != TX_OK) {
        return rc;
    }
    if (size > last) {
        return TX_ERR_NOT_FOUND;
    }
    return tx_merkle_root(node_fn, &ctx, size, root);
}

int
tx_view_leaf(tx_view *v, uint64_t index, uint8_t leaf[32])
{
    if (index == 0) {
        return TX_ERR_USAGE;
    }
    return node_get(v->s, v->txn, 0, index - 1, leaf);
}

int
tx_view_inclusion(tx_view *v, uint64_t index, uint64_t size, uint8_t path[][32], size_t *n)
{
    node_ctx ctx = {v->s, v->txn};
    uint64_t last;
    int rc;

    *n = 0;
    if (index == 0 || index > size) {
        return TX_ERR_USAGE;
    }
    if ((rc = view_last(v, &last)) != TX_OK) {
        return rc;
    }
    if (size > last) {
        return TX_ERR_NOT_FOUND;
    }
    return tx_merkle_inclusion_proof(node_fn, &ctx, index - 1, size, path, n);
}

int
tx_view_consistency(tx_view *v, uint64_t old_size, uint64_t new_size, uint8_t path[][32], size_t *n)
{
    node_ctx ctx = {v->s, v->txn};
    uint64_t last;
    int rc;

    *n = 0;
    if (old_size == 0 || old_size > new_size) {
        return TX_ERR_USAGE;
    }
    if ((rc = view_last(v, &last)) != TX_OK) {
        return rc;
    }
    if (new_size > last) {
        return TX_ERR_NOT_FOUND;
    }
    return tx_merkle_consistency_proof(node_fn, &ctx, old_size, new_size, path, n);
}

int
tx_view_leaves(tx_view *v, uint64_t after, uint32_t limit, uint8_t (**leaves)[32], size_t *n,
               uint64_t *next)
{
    uint8_t key[NODE_KEY_LEN];
    uint8_t(*list)[32] = NULL;
    MDB_cursor *cur = NULL;
    MDB_val k = {sizeof key, key}, val;
    uint64_t last, want;
    size_t count = 0;
    int mrc, rc;

    *leaves = NULL;
    *n = 0;
    *next = 0;
    if (limit == 0 || limit > TX_LEAVES_MAX) {
        limit = TX_LEAVES_MAX;
    }
    if ((rc = view_last(v, &last)) != TX_OK) {
        return rc;
    }
    if (after >= last) {
        return TX_OK;
    }
    want = last - after < limit ? last - after : limit;
    if ((list = malloc(want * sizeof *list)) == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((rc = tx_store_err(mdb_cursor_open(v->txn, v->s->nodes, &cur), "open node cursor")) !=
        TX_OK) {
        free(list);
        return rc;
    }
    /* Leaf after is the record at index after + 1. */
    node_key(key, 0, after);
    for (mrc = mdb_cursor_get(cur, &k, &val, MDB_SET_RANGE); mrc == MDB_SUCCESS && count < want;
         mrc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
        const uint8_t *kd = k.mv_data;

        if (k.mv_size != NODE_KEY_LEN || kd[0] != 0 || tx_be64_get(kd + 1) != after + count ||
            val.mv_size != 32) {
            break;
        }
        memcpy(list[count++], val.mv_data, 32);
    }
    mdb_cursor_close(cur);
    if (mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        free(list);
        return tx_store_err(mrc, "read Merkle leaves");
    }
    if (count < want) {
        tx_error("store: Merkle leaf %llu is missing; the data file is damaged",
                 (unsigned long long)(after + count));
        free(list);
        return TX_ERR_STORAGE;
    }
    *next = after + count < last ? after + count : 0;
    *leaves = list;
    *n = count;
    return TX_OK;
}

/* The last line of a stored cosignature note: its cosignature line (a note ends with '\n'). */
static void
last_line(const uint8_t *buf, size_t len, size_t *start)
{
    size_t i = len >= 2 ? len - 2 : 0;

    while (i > 0 && buf[i] != '\n') {
        i--;
    }
    *start = buf[i] == '\n' ? i + 1 : i;
}

/* Appends to *env the cosignature lines stored for exactly its text, at most
 * TX_WITNESSES_SERVED and within TX_NOTE_MAX. */
static int
append_cosignatures(tx_view *v, uint8_t **env, size_t *len)
{
    MDB_val k = {sizeof cosig_prefix - 1, (void *)cosig_prefix}, val;
    MDB_cursor *cur;
    tx_note mine, theirs;
    size_t served = 0;
    int rc;

    if (tx_note_parse(*env, *len, &mine) != TX_OK ||
        mdb_cursor_open(v->txn, v->s->meta, &cur) != MDB_SUCCESS) {
        return TX_OK; /* best effort: the hub's own signature is what matters */
    }
    for (rc = mdb_cursor_get(cur, &k, &val, MDB_SET_RANGE);
         rc == MDB_SUCCESS && served < TX_WITNESSES_SERVED;
         rc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
        const uint8_t *line;
        size_t line_len, at;
        uint8_t *grown;

        if (k.mv_size < sizeof cosig_prefix - 1 ||
            memcmp(k.mv_data, cosig_prefix, sizeof cosig_prefix - 1) != 0) {
            break;
        }
        if (tx_note_parse(val.mv_data, val.mv_size, &theirs) != TX_OK ||
            theirs.text_len != mine.text_len ||
            memcmp(theirs.text, *env, mine.text_len) != 0) { /* the text starts *env (realloc) */
            continue;
        }
        /* Kept as the hub's note and the cosignature line, or (older) that line alone. */
        last_line(val.mv_data, val.mv_size, &at);
        line = (const uint8_t *)val.mv_data + at;
        line_len = val.mv_size - at;
        if (*len + line_len > TX_NOTE_MAX || (grown = realloc(*env, *len + line_len)) == NULL) {
            break;
        }
        memcpy(grown + *len, line, line_len);
        *env = grown;
        *len += line_len;
        served++;
    }
    mdb_cursor_close(cur);
    return TX_OK;
}

int
tx_view_checkpoint(tx_view *v, uint8_t **env, size_t *len, tx_checkpoint_info *info)
{
    tx_checkpoint_info got;
    MDB_val val;
    int rc;

    *env = NULL;
    *len = 0;
    /* The database may hold a checkpoint checkpoint.signed does not: none is named. */
    if (tx_store_signed_failing(v->s, NULL)) {
        return TX_ERR_REFUSED;
    }
    if ((rc = checkpoint_in(v->s, v->txn, &val, &got)) != TX_OK) {
        return rc;
    }
    if ((*env = malloc(val.mv_size)) == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(*env, val.mv_data, val.mv_size);
    *len = val.mv_size;
    append_cosignatures(v, env, len);
    if (info != NULL) {
        *info = got;
    }
    return TX_OK;
}

/* One kept cosignature note, for tx_view_witnessed. */
typedef struct {
    const uint8_t *key;               /* the witness key, in the map */
    const uint8_t *buf;               /* the note kept, in the map */
    size_t len, text_len, signed_len; /* signed_len: text and the hub's line; 0 without it */
    uint64_t size;
    int64_t time;
} kept_cosig;

static int
key_named(const tx_witnessed_pb *q, const uint8_t *key)
{
    for (size_t i = 0; i < q->n_witness_keys; i++) {
        if (q->witness_keys[i].len == 32 && memcmp(q->witness_keys[i].data, key, 32) == 0) {
            return 1;
        }
    }
    return 0;
}

int
tx_view_witnessed(tx_view *v, const tx_witnessed_pb *q, uint8_t **env, size_t *len)
{
    MDB_val k = {sizeof cosig_prefix - 1, (void *)cosig_prefix}, val;
    kept_cosig kept[TX_WITNESSES_MAX];
    tx_note_checkpoint cp;
    MDB_cursor *cur;
    tx_note note;
    size_t n = 0, best = TX_WITNESSES_MAX;
    int rc;

    *env = NULL;
    *len = 0;
    if (tx_store_signed_failing(v->s, NULL)) {
        return TX_ERR_REFUSED; /* as tx_view_checkpoint */
    }
    if ((rc = mdb_cursor_open(v->txn, v->s->meta, &cur)) != MDB_SUCCESS) {
        return tx_store_err(rc, "open a cursor on meta");
    }
    for (rc = mdb_cursor_get(cur, &k, &val, MDB_SET_RANGE);
         rc == MDB_SUCCESS && n < TX_WITNESSES_MAX; rc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
        kept_cosig *e = &kept[n];

        if (k.mv_size < sizeof cosig_prefix - 1 ||
            memcmp(k.mv_data, cosig_prefix, sizeof cosig_prefix - 1) != 0) {
            break;
        }
        if (k.mv_size != sizeof cosig_prefix - 1 + 32 ||
            !key_named(q, (const uint8_t *)k.mv_data + sizeof cosig_prefix - 1) ||
            tx_note_parse(val.mv_data, val.mv_size, &note) != TX_OK ||
            tx_note_checkpoint_parse(note.text, note.text_len, &cp) != TX_OK) {
            continue;
        }
        e->key = (const uint8_t *)k.mv_data + sizeof cosig_prefix - 1;
        e->buf = val.mv_data;
        e->len = val.mv_size;
        e->text_len = note.text_len;
        e->signed_len = 0;
        if (note.n_sigs == 2) {
            last_line(val.mv_data, val.mv_size, &e->signed_len);
        }
        e->size = cp.size;
        e->time = cp.time;
        n++;
    }
    mdb_cursor_close(cur);
    /* The newest text kept with the hub's signature that at least quorum named keys cosigned. */
    for (size_t i = 0; i < n; i++) {
        uint32_t count = 0;

        if (kept[i].signed_len == 0 ||
            (best < n && (kept[i].size < kept[best].size ||
                          (kept[i].size == kept[best].size && kept[i].time <= kept[best].time)))) {
            continue;
        }
        for (size_t j = 0; j < n; j++) {
            count += kept[j].text_len == kept[i].text_len &&
                     memcmp(kept[j].buf, kept[i].buf, kept[i].text_len) == 0;
        }
        if (count >= q->quorum) {
            best = i;
        }
    }
    if (best >= n) {
        return TX_ERR_NOT_FOUND;
    }
    if ((*env = malloc(kept[best].signed_len)) == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(*env, kept[best].buf, kept[best].signed_len);
    *len = kept[best].signed_len;
    return append_cosignatures(v, env, len);
}

/* ---- cosignatures ---- */

/* A judgement on a cosignature: its words to why (size n), its code returned. */
static int judged(char *why, size_t n, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
judged(char *why, size_t n, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return code;
}

/* Judges a witness's cosignature note against the log in txn; TX_OK when it may be stored.
 * *hub_signed is set when the note carries the hub's own signature line before the
 * cosignature line (then the hub can serve that note later, when it is no longer the latest). */
static int
cosign_judge(tx_batch *b, const uint8_t *note_buf, size_t note_len, const uint8_t key[32],
             char *why, size_t n_why, tx_note_checkpoint *cp, uint64_t *t, int *hub_signed)
{
    node_ctx ctx = {b->s, b->txn};
    uint8_t root[32];
    tx_note note;
    size_t w;
    int rc;

    *hub_signed = 0;
    if (tx_note_parse(note_buf, note_len, &note) != TX_OK || note.n_sigs < 1 || note.n_sigs > 2 ||
        tx_note_checkpoint_parse(note.text, note.text_len, cp) != TX_OK) {
        return judged(why, n_why, TX_ERR_MALFORMED,
                      "a cosignature is a checkpoint note with the hub's signature line "
                      "and one cosignature line");
    }
    if (strcmp(cp->origin, b->s->origin) != 0) {
        return judged(why, n_why, TX_ERR_NOT_FOUND,
                      "the cosigned checkpoint is of log %s, not of this hub's log %s", cp->origin,
                      b->s->origin);
    }
    w = note.n_sigs - 1; /* the cosignature line comes last */
    if (note.n_sigs == 2) {
        if (tx_note_verify(&note, b->s->origin, b->s->signer->pub.sign) != TX_OK ||
            note.sigs[0].sig_len != 64) {
            return judged(why, n_why, TX_ERR_BAD_SIGNATURE,
                          "the cosigned note's first signature line is not this hub's "
                          "signature of it");
        }
        *hub_signed = 1;
    }
    rc = tx_note_cosig_verify(&note, note.sigs[w].name, key, t);
    if (rc != TX_OK || note.sigs[w].sig_len != 72) {
        return judged(why, n_why, TX_ERR_BAD_SIGNATURE,
                      "the cosignature of %s does not verify with the witness key given",
                      note.sigs[w].name);
    }
    if (cp->size > b->last) {
        return judged(why, n_why, TX_ERR_NOT_FOUND,
                      "the cosigned checkpoint has %llu records; the log holds %llu",
                      (unsigned long long)cp->size, (unsigned long long)b->last);
    }
    if ((rc = tx_merkle_root(node_fn, &ctx, cp->size, root)) != TX_OK) {
        return rc;
    }
    if (memcmp(root, cp->root, 32) != 0) {
        return judged(why, n_why, TX_ERR_FORBIDDEN,
                      "the cosigned checkpoint of %llu records has another root than "
                      "this hub's log of that size",
                      (unsigned long long)cp->size);
    }
    return TX_OK;
}

/* The older form (text and cosignature line): kept with the hub's signature line when its text
 * is the latest checkpoint's, as is otherwise. *full (caller frees) is what to keep. */
static int
cosign_complete(tx_batch *b, const uint8_t *note_buf, size_t note_len, uint8_t **full,
                size_t *full_len)
{
    tx_checkpoint_info info;
    tx_note mine, theirs;
    MDB_val val;
    size_t at;

    *full = NULL;
    if (checkpoint_in(b->s, b->txn, &val, &info) != TX_OK ||
        tx_note_parse(val.mv_data, val.mv_size, &mine) != TX_OK ||
        tx_note_parse(note_buf, note_len, &theirs) != TX_OK || mine.text_len != theirs.text_len ||
        memcmp(mine.text, theirs.text, mine.text_len) != 0) {
        return TX_OK;
    }
    last_line(note_buf, note_len, &at);
    if (val.mv_size + (note_len - at) > TX_NOTE_MAX ||
        (*full = malloc(val.mv_size + (note_len - at))) == NULL) {
        return TX_OK; /* kept as it came */
    }
    memcpy(*full, val.mv_data, val.mv_size);
    memcpy(*full + val.mv_size, note_buf + at, note_len - at);
    *full_len = val.mv_size + (note_len - at);
    return TX_OK;
}

/* Witness keys with a stored cosignature, up to the limit. */
static int
cosign_count(tx_batch *b, size_t *n)
{
    MDB_val k = {sizeof cosig_prefix - 1, (void *)cosig_prefix}, val;
    MDB_cursor *cur;
    int rc;

    *n = 0;
    if ((rc = mdb_cursor_open(b->txn, b->s->meta, &cur)) != MDB_SUCCESS) {
        return tx_store_err(rc, "open a cursor on meta");
    }
    for (rc = mdb_cursor_get(cur, &k, &val, MDB_SET_RANGE); rc == MDB_SUCCESS;
         rc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
        if (k.mv_size < sizeof cosig_prefix - 1 ||
            memcmp(k.mv_data, cosig_prefix, sizeof cosig_prefix - 1) != 0) {
            break;
        }
        ++*n;
    }
    mdb_cursor_close(cur);
    return TX_OK;
}

int
tx_store_cosign(tx_store *s, const uint8_t *note_buf, size_t note_len, const uint8_t *key,
                size_t key_len, char *why, size_t n_why)
{
    uint8_t mkey[sizeof cosig_prefix - 1 + 32];
    tx_note_checkpoint cp, old_cp;
    tx_note old;
    tx_batch *b = NULL;
    uint64_t t = 0, old_t = 0;
    MDB_val k = {sizeof mkey, mkey}, val;
    uint8_t *full = NULL;
    size_t n, full_len = 0;
    int rc, hub_signed = 0;

    why[0] = '\0';
    if (key_len != 32 || note_len > TX_NOTE_MAX) {
        return judged(why, n_why, TX_ERR_MALFORMED,
                      "a cosignature needs a 32-byte witness key and a note of at most "
                      "%d bytes",
                      TX_NOTE_MAX);
    }
    if (s->signer == NULL) {
        return judged(why, n_why, TX_ERR_NOT_FOUND, "this hub signs no checkpoints");
    }
    if ((rc = tx_store_begin(s, &b)) != TX_OK) {
        return rc;
    }
    if ((rc = cosign_judge(b, note_buf, note_len, key, why, n_why, &cp, &t, &hub_signed)) !=
        TX_OK) {
        tx_batch_abort(&b);
        return rc;
    }
    memcpy(mkey, cosig_prefix, sizeof cosig_prefix - 1);
    memcpy(mkey + sizeof cosig_prefix - 1, key, 32);
    rc = mdb_get(b->txn, s->meta, &k, &val);
    if (rc == MDB_SUCCESS && tx_note_parse(val.mv_data, val.mv_size, &old) == TX_OK &&
        tx_note_checkpoint_parse(old.text, old.text_len, &old_cp) == TX_OK &&
        tx_note_cosig_verify(&old, old.sigs[old.n_sigs - 1].name, key, &old_t) == TX_OK &&
        (old_cp.size > cp.size || (old_cp.size == cp.size && old_t >= t))) {
        tx_batch_abort(&b);
        return judged(why, n_why, TX_OK, "kept: a newer cosignature of this witness is stored");
    }
    if (rc == MDB_NOTFOUND) {
        if ((rc = cosign_count(b, &n)) != TX_OK) {
            tx_batch_abort(&b);
            return rc;
        }
        if (n >= TX_WITNESSES_MAX) {
            tx_batch_abort(&b);
            return judged(why, n_why, TX_ERR_STORAGE_FULL,
                          "the hub keeps cosignatures of %d witnesses already", TX_WITNESSES_MAX);
        }
    }
    if (!hub_signed) {
        cosign_complete(b, note_buf, note_len, &full, &full_len);
    }
    rc = tx_batch_put(b, s->meta, mkey, sizeof mkey, full != NULL ? full : note_buf,
                      full != NULL ? full_len : note_len, 0, "cosignature");
    free(full);
    if (rc != TX_OK || (rc = tx_batch_commit(&b)) != TX_OK) {
        tx_batch_abort(&b);
        return rc;
    }
    return judged(why, n_why, TX_OK, "stored");
}

int
tx_store_root(tx_store *s, uint64_t size, uint8_t root[32])
{
    tx_view *v;
    int rc = tx_store_view(s, &v);

    if (rc == TX_OK) {
        rc = tx_view_root(v, size, root);
        tx_view_end(&v);
    }
    return rc;
}

int
tx_store_rebuild_root(tx_store *s, uint64_t size, uint8_t root[32])
{
    uint8_t(*leaves)[32] = NULL;
    uint64_t last;
    tx_view *v;
    int rc = tx_store_view(s, &v);

    if (rc != TX_OK) {
        return rc;
    }
    if ((rc = view_last(v, &last)) == TX_OK && size > last) {
        rc = TX_ERR_NOT_FOUND;
    }
    if (rc == TX_OK && (leaves = malloc((size ? size : 1) * sizeof *leaves)) == NULL) {
        rc = TX_ERR_NOMEM;
    }
    for (uint64_t i = 0; i < size && rc == TX_OK; i++) {
        uint8_t *env;
        size_t len;

        rc = tx_log_read(s, v->txn, i + 1, &env, &len);
        if (rc == TX_ERR_NOT_FOUND) {
            tx_error("store: log entry %llu is missing; the data file is damaged",
                     (unsigned long long)(i + 1));
            rc = TX_ERR_STORAGE;
        }
        if (rc == TX_OK) {
            tx_merkle_leaf_hash(env, len, leaves[i]);
            free(env);
        }
    }
    if (rc == TX_OK) {
        rc = tx_merkle_root(tx_merkle_node_from_leaves, leaves, size, root);
    }
    free(leaves);
    tx_view_end(&v);
    return rc;
}

int
tx_store_checkpoint(tx_store *s, uint8_t **env, size_t *len, tx_checkpoint_info *info)
{
    tx_view *v;
    int rc = tx_store_view(s, &v);

    *env = NULL;
    *len = 0;
    if (rc == TX_OK) {
        rc = tx_view_checkpoint(v, env, len, info);
        tx_view_end(&v);
    }
    return rc;
}

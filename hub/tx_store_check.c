/* The store's integrity check: walks the log once in one read snapshot, then every derived
 * index, and notes whatever disagrees with the log. */
#include "tx_store_check.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"
#include "tx_keys.h"
#include "tx_merkle.h"
#include "tx_mlog.h"
#include "tx_store_file.h"
#include "tx_store_int.h"
#include "tx_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define GRANTEES_MARKER "built" /* tx_store.c's marker key in grantees */

/* The indices recomputed from the log and compared entry by entry. Each is what the write side
 * makes of the log replayed in order: a put of the same key again replaces the value. Adding
 * an index is a row here and its emit() calls in check_entry. */
enum {
    D_IDS,
    D_SEQS,
    D_PUBLIC,
    D_MEMBERS,
    D_TRANSPORTS,
    D_SUPERSEDERS,
    D_EVIDENCE,
    D_NODES,
    D_COUNT
};

static const struct {
    const char *what;
    size_t dbi; /* offset of its MDB_dbi in tx_store */
} derived[D_COUNT] = {
    [D_IDS] = {"record id index (ids)", offsetof(tx_store, ids)},
    [D_SEQS] = {"sequence-number index (seqs)", offsetof(tx_store, seqs)},
    [D_PUBLIC] = {"public index", offsetof(tx_store, pub)},
    [D_MEMBERS] = {"member index (members)", offsetof(tx_store, members)},
    [D_TRANSPORTS] = {"transport-key index (transports)", offsetof(tx_store, transports)},
    [D_SUPERSEDERS] = {"superseders index", offsetof(tx_store, superseders)},
    [D_EVIDENCE] = {"evidence index", offsetof(tx_store, evidence)},
    [D_NODES] = {"Merkle tree (nodes)", offsetof(tx_store, nodes)},
};

/* The entries an index should hold: key and value bytes in buf, in the order written. */
typedef struct {
    size_t off;
    uint16_t klen, vlen;
    uint64_t order;
} expected_entry;

typedef struct {
    uint8_t *buf;
    size_t len, cap;
    expected_entry *e;
    size_t n, cap_e;
} expected;

/* What the walk of the log learnt, for the index checks. kinds[i] is the kind of the entry
 * at index i (0 where none); signers[i] its signer, leaves[i] its Merkle leaf hash,
 * transports[i] the transport key of a profile. */
typedef struct {
    tx_store *s;
    MDB_txn *txn;
    tx_store_report *r;
    const tx_check_opts *o;
    uint8_t *kinds;
    uint8_t (*signers)[TX_KEY_LEN];
    uint8_t (*leaves)[32];
    uint8_t (*transports)[TX_KEY_LEN];
    uint64_t cap;
    uint64_t order;
    expected ex[D_COUNT];
    int superseders; /* the superseders index is built (its marker stored), so it is compared */
    int nomem;
    int last_mrc;  /* the last LMDB failure while walking */
    tx_view *view; /* the start check: roots from the stored nodes, not from the leaves */
} walk;

static const uint8_t *ex_key(const expected *x, const expected_entry *e);
static int kind_at(const walk *w, uint64_t index);

static void note(tx_store_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(tx_store_report *r, const char *fmt, ...)
{
    va_list ap;

    r->problems++;
    if (r->n_notes >= TX_CHECK_NOTES) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(r->notes[r->n_notes++], TX_CHECK_NOTE_LEN, fmt, ap);
    va_end(ap);
}

static int
grow(walk *w, uint64_t index)
{
    uint64_t cap = w->cap ? w->cap : 1024;
    uint8_t *kinds;
    uint8_t(*signers)[TX_KEY_LEN];
    uint8_t(*leaves)[32];
    uint8_t(*transports)[TX_KEY_LEN];

    while (cap <= index) {
        cap *= 2;
    }
    if (cap == w->cap) {
        return TX_OK;
    }
    if ((kinds = realloc(w->kinds, cap)) == NULL) {
        return TX_ERR_NOMEM;
    }
    w->kinds = kinds;
    if ((signers = realloc(w->signers, cap * sizeof *signers)) == NULL) {
        return TX_ERR_NOMEM;
    }
    w->signers = signers;
    if ((leaves = realloc(w->leaves, cap * sizeof *leaves)) == NULL) {
        return TX_ERR_NOMEM;
    }
    w->leaves = leaves;
    if ((transports = realloc(w->transports, cap * sizeof *transports)) == NULL) {
        return TX_ERR_NOMEM;
    }
    w->transports = transports;
    memset(w->kinds + w->cap, 0, cap - w->cap);
    memset(w->leaves + w->cap, 0, (cap - w->cap) * sizeof *leaves);
    memset(w->transports + w->cap, 0, (cap - w->cap) * sizeof *transports);
    w->cap = cap;
    return TX_OK;
}

/* Notes that an index should hold key -> val (a later emit of the same key replaces it). */
static void
emit(walk *w, int d, const void *key, size_t klen, const void *val, size_t vlen)
{
    expected *x = &w->ex[d];

    if (w->nomem) {
        return;
    }
    if (x->len + klen + vlen > x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 4096;
        uint8_t *grown;

        while (cap < x->len + klen + vlen) {
            cap *= 2;
        }
        if ((grown = realloc(x->buf, cap)) == NULL) {
            w->nomem = 1;
            return;
        }
        x->buf = grown;
        x->cap = cap;
    }
    if (x->n == x->cap_e) {
        size_t cap = x->cap_e ? 2 * x->cap_e : 256;
        expected_entry *grown = realloc(x->e, cap * sizeof *grown);

        if (grown == NULL) {
            w->nomem = 1;
            return;
        }
        x->e = grown;
        x->cap_e = cap;
    }
    x->e[x->n].off = x->len;
    x->e[x->n].klen = (uint16_t)klen;
    x->e[x->n].vlen = (uint16_t)vlen;
    x->e[x->n].order = w->order++;
    x->n++;
    memcpy(x->buf + x->len, key, klen);
    memcpy(x->buf + x->len + klen, val, vlen);
    x->len += klen + vlen;
}

static const uint8_t *
ex_key(const expected *x, const expected_entry *e)
{
    return x->buf + e->off;
}

/* LMDB's default key order: bytes, then the shorter first. */
static int
key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);

    if (c != 0) {
        return c;
    }
    return alen < blen ? -1 : alen > blen;
}

static const expected *sort_x; /* qsort has no context argument */

static int
entry_cmp(const void *pa, const void *pb)
{
    const expected_entry *a = pa, *b = pb;
    int c = key_cmp(ex_key(sort_x, a), a->klen, ex_key(sort_x, b), b->klen);

    if (c != 0) {
        return c;
    }
    return a->order < b->order ? -1 : a->order > b->order;
}

static void
hex_short(char *out, const uint8_t *in, size_t len)
{
    if (len > 12) {
        tx_hex(out, in, 12);
        strcat(out, "..");
    } else {
        tx_hex(out, in, len);
    }
}

/* Checks one complete log entry: it verifies, its payload decodes as its kind; notes what the
 * derived indices must hold for it. */
static int
check_entry(walk *w, uint64_t index, const uint8_t *env, size_t len)
{
    uint8_t id[TX_ID_LEN], vkey[TX_ACCESS_KEY_LEN], idval[TX_IDS_VAL_LEN], seqval[TX_IDX_LEN];
    tx_envelope_pb *e = NULL;
    ProtobufCMessage *payload = NULL;
    MDB_val k, v;
    int kind;

    tx_record_id(env, len, id);
    if (tx_decode_envelope(env, len, &e) != TX_OK) {
        note(w->r, "log entry %llu does not decode (%s)", (unsigned long long)index,
             tx_codec_detail());
        return TX_OK;
    }
    if (!(w->o->flags & TX_CHECK_QUICK) && tx_envelope_verify(e) != TX_OK) {
        note(w->r, "log entry %llu: its signature does not verify", (unsigned long long)index);
        goto out;
    }
    kind = tx_kind_from_payload_type(e->payload_type);
    if (!tx_kind_is_stored(kind) || tx_decode_payload(e, kind, &payload) != TX_OK) {
        note(w->r, "log entry %llu has a payload the hub does not store (%s)",
             (unsigned long long)index, e->payload_type);
        goto out;
    }
    w->kinds[index] = (uint8_t)kind; /* walk_log grew the arrays to index */
    memcpy(w->signers[index], e->signer_key.data, TX_KEY_LEN);
    /* What the write side puts for this record (tx_batch_append_hashed, tx_batch_enroll). */
    tx_be64_put(idval, index);
    idval[TX_IDX_LEN] = (uint8_t)kind;
    emit(w, D_IDS, id, TX_ID_LEN, idval, sizeof idval);
    tx_be64_put(seqval, tx_kind_seq(kind, payload));
    emit(w, D_SEQS, e->signer_key.data, TX_KEY_LEN, seqval, sizeof seqval);
    if (tx_kind_is_public(kind)) {
        vkey[0] = (uint8_t)kind;
        tx_be64_put(vkey + 1, index);
        emit(w, D_PUBLIC, vkey, TX_PUBLIC_KEY_LEN, "", 0);
    }
    if (kind == TX_KIND_ASSESSMENT && w->superseders) {
        uint8_t skey[TX_SUPERSEDERS_KEY_LEN];
        uint64_t old;

        /* The write side notes a supersede of a stored assessment of the same organisation
         * (signed by its key or its people's). */
        if (tx_store_superseded(w->s, w->txn, tx_kind_replaced(kind, payload), &old) == TX_OK &&
            old != 0 && old < index && kind_at(w, old) == TX_KIND_ASSESSMENT &&
            tx_store_same_org(w->s, w->txn, w->signers[old], e->signer_key.data)) {
            tx_be64_put(skey, old);
            tx_be64_put(skey + TX_IDX_LEN, index);
            emit(w, D_SUPERSEDERS, skey, sizeof skey, "", 0);
        }
    }
    if (kind == TX_KIND_ASSESSMENT && !w->s->evidence_absent) {
        const tx_sealed_pb *sp = (const tx_sealed_pb *)payload;

        /* The write side notes each listed chunk: stored earlier, of the same organisation. */
        for (size_t i = 0; i < sp->n_evidence; i++) {
            uint8_t ekey[TX_EVIDENCE_KEY_LEN];
            uint64_t at;
            int ck;

            if (sp->evidence[i].len == TX_ID_LEN &&
                tx_store_lookup_in(w->s, w->txn, sp->evidence[i].data, &at, &ck) == TX_OK &&
                ck == TX_KIND_EVIDENCE_CHUNK && at < index &&
                kind_at(w, at) == TX_KIND_EVIDENCE_CHUNK &&
                tx_store_same_org(w->s, w->txn, w->signers[at], e->signer_key.data)) {
                tx_be64_put(ekey, at);
                tx_be64_put(ekey + TX_IDX_LEN, index);
                emit(w, D_EVIDENCE, ekey, sizeof ekey, "", 0);
            }
        }
    }
    if (kind == TX_KIND_PROFILE) {
        const tx_profile_pb *p = (const tx_profile_pb *)payload;

        tx_be64_put(seqval, index);
        emit(w, D_MEMBERS, e->signer_key.data, TX_KEY_LEN, seqval, sizeof seqval);
        if (p->transport_key.len == TX_KEY_LEN) {
            memcpy(w->transports[index], p->transport_key.data, TX_KEY_LEN);
        }
    }
    /* Anything not public is visible at least to its signer. */
    if (!tx_kind_is_public(kind)) {
        memcpy(vkey, e->signer_key.data, TX_KEY_LEN);
        vkey[TX_KEY_LEN] = (uint8_t)kind;
        tx_be64_put(vkey + TX_KEY_LEN + 1, index);
        k.mv_size = TX_ACCESS_KEY_LEN;
        k.mv_data = vkey;
        if (mdb_get(w->txn, w->s->access, &k, &v) != MDB_SUCCESS) {
            note(w->r, "log entry %llu is missing from the access index",
                 (unsigned long long)index);
        }
    }
out:
    tx_free(payload);
    tx_free(e);
    return TX_OK;
}

/* Adds one part to the entry being gathered in *buf. */
static int
gather(uint8_t **buf, size_t *n, size_t *cap, const MDB_val *v)
{
    if (*n + v->mv_size > *cap) {
        size_t want = *n + v->mv_size > 2 * *cap ? *n + v->mv_size : 2 * *cap;
        uint8_t *grown = realloc(*buf, want);

        if (grown == NULL) {
            return TX_ERR_NOMEM;
        }
        *buf = grown;
        *cap = want;
    }
    memcpy(*buf + *n, v->mv_data, v->mv_size);
    *n += v->mv_size;
    return TX_OK;
}

/* Walks the log in key order: entries in parts (index | part) or whole (index), indices from
 * 1 without gaps. `index` is the entry being gathered, 0 between entries. */
static int
walk_log(walk *w)
{
    MDB_cursor *cur;
    MDB_val k, v;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    uint64_t index = 0;
    unsigned next_part = 0;
    int broken = 0;
    int mrc, rc = tx_store_err(mdb_cursor_open(w->txn, w->s->log, &cur), "open log cursor");

    if (rc != TX_OK) {
        return rc;
    }
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == TX_OK;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *kd = k.mv_data;
        uint64_t at = 0;
        unsigned part = 0;
        int whole = 0;

        if (mrc == MDB_SUCCESS) {
            if (k.mv_size != TX_LOG_KEY_LEN && k.mv_size != TX_IDX_LEN) {
                note(w->r, "the log is damaged: a key of %zu bytes", k.mv_size);
                if (w->r->problems > 1000) {
                    note(w->r, "the log is damaged beyond 1000 problems; its walk stopped");
                    break;
                }
                continue;
            }
            at = tx_be64_get(kd);
            whole = k.mv_size == TX_IDX_LEN;
            part = whole ? 0 : (unsigned)kd[TX_IDX_LEN] << 8 | kd[TX_IDX_LEN + 1];
        }
        /* The entry gathered so far is complete when the next key starts another one. */
        if (index != 0 && (mrc != MDB_SUCCESS || at != index || whole)) {
            w->r->records++;
            if (!broken && (rc = grow(w, index)) == TX_OK) {
                tx_merkle_leaf_hash(buf, n, w->leaves[index]);
                rc = check_entry(w, index, buf, n);
            }
            index = 0;
        }
        if (mrc != MDB_SUCCESS) {
            if (mrc != MDB_NOTFOUND) {
                w->last_mrc = mrc;
                rc = tx_store_err(mrc, "walk log");
            }
            break;
        }
        if (index == 0) {
            if (at == w->r->last) {
                note(w->r, "log index %llu is stored twice", (unsigned long long)at);
            } else if (at != w->r->last + 1) {
                note(w->r, "log index %llu follows %llu: the log has a gap", (unsigned long long)at,
                     (unsigned long long)w->r->last);
            }
            index = at;
            n = 0;
            next_part = 0;
            broken = 0;
            w->r->last = at;
        }
        if (part != next_part || v.mv_size == 0 || (!whole && v.mv_size > TX_LOG_PART)) {
            if (!broken) {
                note(w->r, "log entry %llu has a missing or damaged part %u",
                     (unsigned long long)at, next_part);
            }
            broken = 1;
            continue;
        }
        next_part++;
        rc = gather(&buf, &n, &cap, &v);
    }
    mdb_cursor_close(cur);
    free(buf);
    return rc;
}

/* The kind of the log entry at index, 0 when there is none. */
static int
kind_at(const walk *w, uint64_t index)
{
    return index < w->cap ? w->kinds[index] : 0;
}

/* Calls fn (if not NULL) on every key and value of dbi: every page of it is read. */
static int
each(walk *w, MDB_dbi dbi, const char *what, void (*fn)(walk *, const MDB_val *, const MDB_val *))
{
    MDB_cursor *cur;
    MDB_val k, v;
    int mrc, rc = tx_store_err(mdb_cursor_open(w->txn, dbi, &cur), what);

    if (rc != TX_OK) {
        return rc;
    }
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == MDB_SUCCESS;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (fn != NULL) {
            fn(w, &k, &v);
        }
    }
    mdb_cursor_close(cur);
    if (mrc != MDB_NOTFOUND) {
        w->last_mrc = mrc;
    }
    return mrc == MDB_NOTFOUND ? TX_OK : tx_store_err(mrc, what);
}

static void
check_id(walk *w, const MDB_val *k, const MDB_val *v)
{
    (void)k;
    w->r->ids++;
    if (v->mv_size != TX_IDS_VAL_LEN) {
        note(w->r, "a record id entry of %zu bytes", v->mv_size);
    }
}

static void
check_access(walk *w, const MDB_val *k, const MDB_val *v)
{
    const uint8_t *kd = k->mv_data;
    uint64_t index;

    (void)v;
    if (k->mv_size != TX_ACCESS_KEY_LEN) {
        note(w->r, "an access key of %zu bytes", k->mv_size);
        return;
    }
    index = tx_be64_get(kd + TX_KEY_LEN + 1);
    if (kind_at(w, index) != kd[TX_KEY_LEN]) {
        note(w->r, "an access entry names %llu as kind %d; the log does not",
             (unsigned long long)index, kd[TX_KEY_LEN]);
    }
}

static void
check_grantee(walk *w, const MDB_val *k, const MDB_val *v)
{
    uint64_t index;

    (void)v;
    if (k->mv_size == sizeof GRANTEES_MARKER - 1 &&
        memcmp(k->mv_data, GRANTEES_MARKER, k->mv_size) == 0) {
        return;
    }
    if (k->mv_size != TX_GRANTEES_KEY_LEN) {
        note(w->r, "a grantee key of %zu bytes", k->mv_size);
        return;
    }
    index = tx_be64_get(k->mv_data);
    if (kind_at(w, index) != TX_KIND_ASSESSMENT) {
        note(w->r, "a grantee entry names %llu, which is not an assessment",
             (unsigned long long)index);
    }
}

/* The value of the last write of each key, in key order: sorts x and compares it with dbi. */
static int
compare_index(walk *w, int d)
{
    expected *x = &w->ex[d];
    MDB_dbi dbi = *(const MDB_dbi *)((const char *)w->s + derived[d].dbi);
    MDB_cursor *cur;
    MDB_val k, v;
    char kh[32], vh[40], eh[40];
    size_t i = 0;
    int mrc, rc = tx_store_err(mdb_cursor_open(w->txn, dbi, &cur), derived[d].what);

    if (rc != TX_OK) {
        return rc;
    }
    sort_x = x;
    if (x->n > 1) {
        qsort(x->e, x->n, sizeof *x->e, entry_cmp);
    }
    mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    for (;;) {
        const expected_entry *e = NULL;
        int c;

        /* The last write of the next key. */
        while (i < x->n) {
            e = &x->e[i++];
            if (i == x->n || key_cmp(ex_key(x, e), e->klen, ex_key(x, &x->e[i]), x->e[i].klen) != 0) {
                break;
            }
        }
        if (mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
            break;
        }
        if (e == NULL && mrc == MDB_NOTFOUND) {
            break;
        }
        c = e == NULL ? -1 : mrc == MDB_NOTFOUND ? 1 : key_cmp(k.mv_data, k.mv_size, ex_key(x, e), e->klen);
        if (c < 0) {
            hex_short(kh, k.mv_data, k.mv_size);
            note(w->r, "the %s has an entry the log does not explain (key %s)", derived[d].what, kh);
        } else if (c > 0) {
            hex_short(kh, ex_key(x, e), e->klen);
            note(w->r, "the %s lacks the entry the log needs for key %s", derived[d].what, kh);
        } else if (v.mv_size != e->vlen || memcmp(v.mv_data, ex_key(x, e) + e->klen, e->vlen) != 0) {
            hex_short(kh, k.mv_data, k.mv_size);
            hex_short(vh, v.mv_data, v.mv_size);
            hex_short(eh, ex_key(x, e) + e->klen, e->vlen);
            note(w->r, "the %s holds %s for key %s; the log says %s", derived[d].what, vh, kh, eh);
        }
        if (c <= 0) {
            mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        }
        if (c < 0 && e != NULL) {
            i--; /* the expected entry is still to be matched */
            while (i > 0 && key_cmp(ex_key(x, &x->e[i - 1]), x->e[i - 1].klen, ex_key(x, e), e->klen) == 0) {
                i--;
            }
        }
    }
    mdb_cursor_close(cur);
    if (mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        w->last_mrc = mrc;
        return tx_store_err(mrc, derived[d].what);
    }
    return TX_OK;
}

/* The transport key of each member's current profile maps to the member. */
static void
expect_transports(walk *w)
{
    expected *x = &w->ex[D_MEMBERS];

    sort_x = x;
    if (x->n > 1) {
        qsort(x->e, x->n, sizeof *x->e, entry_cmp);
    }
    for (size_t i = 0; i < x->n; i++) {
        const expected_entry *e = &x->e[i];
        uint64_t index;

        if (i + 1 < x->n && key_cmp(ex_key(x, e), e->klen, ex_key(x, &x->e[i + 1]), x->e[i + 1].klen) == 0) {
            continue;
        }
        index = tx_be64_get(ex_key(x, e) + e->klen);
        emit(w, D_TRANSPORTS, w->transports[index], TX_KEY_LEN, ex_key(x, e), TX_KEY_LEN);
    }
}

/* The Merkle nodes: every perfect subtree of the log's leaves (level | index -> hash),
 * recomputed from the bytes of the log. */
static int
compare_nodes(walk *w)
{
    uint64_t n = w->r->last;
    uint8_t(*level)[32];
    uint8_t key[1 + TX_IDX_LEN];

    if ((level = malloc((n ? n : 1) * sizeof *level)) == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(level, w->leaves + 1, n * sizeof *level);
    for (unsigned l = 0; n > 0; l++, n /= 2) {
        for (uint64_t i = 0; i < n; i++) {
            key[0] = (uint8_t)l;
            tx_be64_put(key + 1, i);
            emit(w, D_NODES, key, sizeof key, level[i], 32);
        }
        for (uint64_t i = 0; i + 1 < n; i += 2) {
            tx_merkle_node_hash(level[i], level[i + 1], level[i / 2]);
        }
    }
    free(level);
    return w->nomem ? TX_ERR_NOMEM : compare_index(w, D_NODES);
}

/* The root of the log's first `size` records: recomputed from the leaves the walk hashed, or
 * for the start check read from the stored nodes (O(log n)). */
static int
root_of(walk *w, uint64_t size, uint8_t root[32])
{
    if (w->view != NULL) {
        int rc = tx_view_root(w->view, size, root);

        if (rc != TX_OK) {
            note(w->r, "the Merkle tree (nodes) cannot give the root of %llu records (%s)",
                 (unsigned long long)size, tx_strerror(rc));
        }
        return rc;
    }
    return tx_merkle_root(tx_merkle_node_from_leaves, w->leaves + 1, size, root);
}

/* The stored checkpoint is signed by the hub and signs the log's own tree; the log reaches
 * what the hub recorded outside LMDB that it signed. */
static int
check_checkpoint(walk *w)
{
    static const char key[] = "checkpoint";
    MDB_val k = {sizeof key - 1, (void *)key}, v;
    tx_checkpoint_info info;
    uint8_t root[32];
    uint8_t *copy;
    uint64_t n = w->r->last, root_size = UINT64_MAX; /* the size `root` was computed for */
    int mrc = mdb_get(w->txn, w->s->meta, &k, &v);
    int rc;

    if (mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        w->last_mrc = mrc;
        return tx_store_err(mrc, "read checkpoint");
    }
    if (mrc == MDB_SUCCESS) {
        if ((copy = malloc(v.mv_size ? v.mv_size : 1)) == NULL) {
            return TX_ERR_NOMEM;
        }
        memcpy(copy, v.mv_data, v.mv_size);
        rc = tx_checkpoint_read(copy, v.mv_size, w->o->hub_key, &info);
        free(copy);
        if (rc != TX_OK) {
            note(w->r, "the stored checkpoint does not verify against the hub's key (%s)",
                 tx_strerror(rc));
        } else if (info.size > n) {
            note(w->r, "the stored checkpoint signs %llu records but the log holds %llu: records "
                       "were lost", (unsigned long long)info.size, (unsigned long long)n);
        } else if (root_of(w, info.size, root) == TX_OK) {
            root_size = info.size;
            if (memcmp(root, info.root, 32) != 0) {
                note(w->r,
                     "the stored checkpoint's root of %llu records is not the root of %s first "
                     "%llu records",
                     (unsigned long long)info.size,
                     w->view != NULL ? "the Merkle tree (nodes) of the log's" : "the log's",
                     (unsigned long long)info.size);
            }
        }
    }
    if (w->o->have_signed) {
        if (w->o->signed_size > n) {
            note(w->r, "the hub signed a checkpoint of %llu records (%s) but the log holds %llu: "
                       "the database was rolled back (an older copy, or a damaged meta page)",
                 (unsigned long long)w->o->signed_size, TX_SIGNED_FILE, (unsigned long long)n);
        } else if ((root_size == w->o->signed_size ||
                    root_of(w, w->o->signed_size, root) == TX_OK) &&
                   memcmp(root, w->o->signed_root, 32) != 0) {
            note(w->r, "the log's first %llu records are not those the hub signed (%s): the log "
                       "was rewritten", (unsigned long long)w->o->signed_size, TX_SIGNED_FILE);
        }
    }
    return TX_OK;
}

#define PHASE(w, ...) snprintf((w)->r->phase, sizeof (w)->r->phase, __VA_ARGS__)

/* One of the last records, for the start check: it reads whole, decodes as a kind the hub
 * stores, its id points back at it and its leaf is the stored one. */
static int
check_tail_entry(walk *w, tx_view *view, uint64_t index)
{
    uint8_t id[TX_ID_LEN], leaf[32], stored[32];
    uint8_t *env = NULL;
    tx_envelope_pb *e = NULL;
    ProtobufCMessage *payload = NULL;
    uint64_t at;
    size_t len;
    int kind, id_kind, rc = tx_log_read(w->s, w->txn, index, &env, &len);

    if (rc == TX_ERR_NOT_FOUND || rc == TX_ERR_STORAGE) {
        note(w->r, "log entry %llu has a missing or damaged part", (unsigned long long)index);
        return TX_OK;
    }
    if (rc != TX_OK) {
        return rc;
    }
    w->r->records++;
    tx_record_id(env, len, id);
    tx_merkle_leaf_hash(env, len, leaf);
    if (tx_view_leaf(view, index, stored) != TX_OK || memcmp(leaf, stored, 32) != 0) {
        note(w->r, "the Merkle tree (nodes) does not hold the leaf of log entry %llu",
             (unsigned long long)index);
    }
    if (tx_decode_envelope(env, len, &e) != TX_OK) {
        note(w->r, "log entry %llu does not decode (%s)", (unsigned long long)index,
             tx_codec_detail());
    } else if (kind = tx_kind_from_payload_type(e->payload_type),
               !tx_kind_is_stored(kind) || tx_decode_payload(e, kind, &payload) != TX_OK) {
        note(w->r, "log entry %llu has a payload the hub does not store (%s)",
             (unsigned long long)index, e->payload_type);
    } else if (tx_store_lookup_in(w->s, w->txn, id, &at, &id_kind) != TX_OK || at != index ||
               id_kind != kind) {
        note(w->r, "the record id index (ids) does not point at log entry %llu",
             (unsigned long long)index);
    }
    tx_free(payload);
    tx_free(e);
    free(env);
    return TX_OK;
}

/* The entries of dbi, for the start check's counts. */
static int
count_entries(walk *w, MDB_dbi dbi, const char *what, uint64_t *n)
{
    MDB_stat st;
    int mrc = mdb_stat(w->txn, dbi, &st);

    if (mrc != MDB_SUCCESS) {
        w->last_mrc = mrc;
        return tx_store_err(mrc, what);
    }
    *n = st.ms_entries;
    return TX_OK;
}

/* TX_CHECK_START: the record id index and the Merkle nodes hold as many entries as a log of
 * its size needs, its last TX_CHECK_TAIL records are whole and indexed (check_tail_entry), and
 * the stored and the signed checkpoints have the root of the stored nodes. O(TX_CHECK_TAIL +
 * log n) reads, in whatever order the log grew: an older record changed in place is left to
 * the full check. */
static int
check_start(walk *w)
{
    tx_view view = {w->s, w->txn};
    uint64_t n, ids = 0, nodes = 0, want;
    int rc;

    PHASE(w, "the log's last record");
    if ((rc = tx_store_last_in(w->s, w->txn, &n)) != TX_OK) {
        return rc;
    }
    w->r->last = n;
    PHASE(w, "the record id index");
    if ((rc = count_entries(w, w->s->ids, "ids", &ids)) != TX_OK) {
        return rc;
    }
    w->r->ids = ids;
    if (ids != n) {
        note(w->r, "%llu record id entries for %llu log entries", (unsigned long long)ids,
             (unsigned long long)n);
    }
    PHASE(w, "the Merkle nodes");
    if ((rc = count_entries(w, w->s->nodes, "nodes", &nodes)) != TX_OK) {
        return rc;
    }
    /* Every perfect subtree: n leaves, n / 2 pairs, and so on up: 2n - popcount(n). */
    want = 2 * n - (uint64_t)__builtin_popcountll(n);
    if (nodes != want) {
        note(w->r, "the Merkle tree (nodes) holds %llu nodes; a log of %llu records has %llu",
             (unsigned long long)nodes, (unsigned long long)n, (unsigned long long)want);
    }
    for (uint64_t i = n > TX_CHECK_TAIL ? n - TX_CHECK_TAIL + 1 : 1; i <= n && rc == TX_OK; i++) {
        PHASE(w, "log entry %llu", (unsigned long long)i);
        rc = check_tail_entry(w, &view, i);
    }
    if (rc == TX_OK) {
        PHASE(w, "the stored checkpoint");
        w->view = &view;
        rc = check_checkpoint(w);
        w->view = NULL;
    }
    return rc;
}

/* Everything (the full check): see tx_store_check_with. */
static int
check_all(walk *w)
{
    tx_store *s = w->s;
    tx_store_report *r = w->r;
    int rc;

    /* Every page of every database is read: the free list and the main database (which names
     * the others) are not read by the checks below. */
    PHASE(w, "the free-page list");
    if ((rc = each(w, 0, "free list", NULL)) == TX_OK) {
        PHASE(w, "the main database");
        rc = each(w, 1, "main database", NULL);
    }
    if (rc == TX_OK && !s->superseders_absent) {
        /* Without its marker the superseders index was never built (an environment older
         * than it): the hub's next read-write open builds it from the log, so there is
         * nothing to compare yet. With it, the marker is one of its expected entries. */
        MDB_val mk = {sizeof TX_SUPERSEDERS_BUILT - 1, TX_SUPERSEDERS_BUILT}, mv;
        int mrc = mdb_get(w->txn, s->superseders, &mk, &mv);

        if (mrc == MDB_SUCCESS) {
            w->superseders = 1;
            emit(w, D_SUPERSEDERS, mk.mv_data, mk.mv_size, "", 0);
        } else if (mrc != MDB_NOTFOUND) {
            w->last_mrc = mrc;
            rc = tx_store_err(mrc, "superseders");
        }
    }
    if (rc == TX_OK) {
        PHASE(w, "the log");
        /* The arrays exist even for an empty log: the checks below offset into them. */
        rc = grow(w, 0);
    }
    if (rc == TX_OK) {
        rc = walk_log(w);
    }
    if (rc == TX_OK) {
        PHASE(w, "the record id index");
        rc = each(w, s->ids, "ids", check_id);
    }
    if (rc == TX_OK) {
        PHASE(w, "the access index");
        rc = each(w, s->access, "access", check_access);
    }
    if (rc == TX_OK) {
        PHASE(w, "the grantee index");
        rc = each(w, s->grantees, "grantees", check_grantee);
    }
    if (rc == TX_OK) {
        expect_transports(w);
        rc = w->nomem ? TX_ERR_NOMEM : TX_OK;
    }
    for (int d = 0; d < D_NODES && rc == TX_OK; d++) {
        if ((d == D_SUPERSEDERS && !w->superseders) || (d == D_EVIDENCE && s->evidence_absent)) {
            continue;
        }
        PHASE(w, "the %s", derived[d].what);
        rc = compare_index(w, d);
    }
    if (rc == TX_OK && r->records == r->last) {
        PHASE(w, "the Merkle nodes");
        rc = compare_nodes(w);
    }
    if (rc == TX_OK && r->records == r->last) {
        PHASE(w, "the stored checkpoint");
        rc = check_checkpoint(w);
    }
    return rc;
}

int
tx_store_check_with(tx_store *s, const tx_check_opts *o, tx_store_report *r)
{
    static const tx_check_opts none;
    walk w;
    int rc;

    memset(r, 0, sizeof *r);
    memset(&w, 0, sizeof w);
    w.s = s;
    w.r = r;
    w.o = o != NULL ? o : &none;
    PHASE(&w, "the database's first pages");
    if ((rc = tx_store_txn_begin(s, MDB_RDONLY, &w.txn)) != TX_OK) {
        return rc;
    }
    rc = w.o->flags & TX_CHECK_START ? check_start(&w) : check_all(&w);
    mdb_txn_abort(w.txn);
    /* LMDB's own refusals of a damaged page (MDB_CORRUPTED, MDB_PAGE_NOTFOUND) end the walk
     * where they happen: that is damage found, not a check that could not run. */
    if (rc == TX_ERR_STORAGE) {
        note(r, "the database is damaged: LMDB cannot read %s (%s)", r->phase,
             w.last_mrc != 0 ? mdb_strerror(w.last_mrc) : tx_strerror(rc));
    }
    /* Every log entry's id points back at it, so equal counts leave no id entry over. */
    if (rc == TX_OK && !(w.o->flags & TX_CHECK_START) && r->ids != r->records) {
        note(r, "%llu record id entries for %llu log entries", (unsigned long long)r->ids,
             (unsigned long long)r->records);
    }
    if (rc == TX_OK && !(w.o->flags & TX_CHECK_START) && r->records != r->last) {
        note(r, "%llu log entries up to index %llu", (unsigned long long)r->records,
             (unsigned long long)r->last);
    }
    free(w.kinds);
    free(w.signers);
    free(w.leaves);
    free(w.transports);
    for (int d = 0; d < D_COUNT; d++) {
        free(w.ex[d].buf);
        free(w.ex[d].e);
    }
    if (rc != TX_OK) {
        return rc;
    }
    return r->problems == 0 ? TX_OK : TX_ERR_STORAGE;
}

int
tx_store_check(tx_store *s, tx_store_report *r)
{
    return tx_store_check_with(s, NULL, r);
}

/* What the child hands back besides the report. */
typedef struct {
    tx_store_report r;
    int rc;
    int done;
} shared_result;

/* What tx_store_check_dir reads before the snapshot: the file's meta pages, the hub's key and
 * the signed record. TX_OK when the check may go on with o. */
static int
check_prepare(const char *dir, unsigned flags, tx_check_opts *o, tx_pubkey *hub, tx_store_report *r)
{
    char why[TX_CHECK_NOTE_LEN], path[PATH_MAX];
    int rc;

    memset(r, 0, sizeof *r);
    memset(o, 0, sizeof *o);
    o->flags = flags;
    rc = tx_store_file_check(dir, why, sizeof why);
    if (rc == TX_ERR_STORAGE) {
        note(r, "%s", why);
        return rc;
    }
    if (rc != TX_OK) {
        return rc;
    }
    if (tx_path_join(path, sizeof path, dir, "hub.pub") == TX_OK &&
        tx_pubkey_load(path, hub) == TX_OK) {
        o->hub_key = hub->sign;
    }
    /* Read before the snapshot is taken: a hub running meanwhile only writes it after the
     * commit it describes. */
    rc = tx_signed_read(dir, &o->signed_size, o->signed_root);
    if (rc == TX_ERR_MALFORMED) {
        note(r, "%s/%s does not parse; it records the last checkpoint the hub signed",
             dir, TX_SIGNED_FILE);
        return TX_ERR_STORAGE;
    }
    o->have_signed = rc == TX_OK;
    return TX_OK;
}

/* The child's side: opens dir read-only and checks it into sh, then exits. */
static void
check_child(const char *dir, const tx_check_opts *o, shared_result *sh)
{
    tx_store *s = NULL;

    /* The notes say what is wrong; LMDB's and the store's own log lines would only
     * repeat it. A damaged page may kill this process: that is what it is for. */
    tx_log_level = -1;
    /* ...and so would a sanitizer's report of the crash: the parent names it. */
    {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, STDERR_FILENO);
            close(devnull);
        }
    }
    snprintf(sh->r.phase, sizeof sh->r.phase, "the database's meta pages");
    sh->rc = tx_store_open_readonly(dir, &s);
    if (sh->rc == TX_OK) {
        sh->rc = tx_store_check_with(s, o, &sh->r);
        tx_store_close(&s);
    } else if (sh->rc == TX_ERR_STORAGE) {
        note(&sh->r,
             "%s/data.mdb is not a hub database (LMDB opens it, but without the "
             "hub's databases)",
             dir);
    }
    sh->done = 1;
    _exit(0);
}

/* What the child that ended with status left in sh: into r, and the check's result. */
static int
check_reaped(shared_result *sh, int status, tx_store_report *r)
{
    int rc;

    *r = sh->r;
    rc = sh->rc;
    if (!sh->done) {
        /* The crash is the news: its note goes first, before what the walk noted on the way. */
        if (r->n_notes == TX_CHECK_NOTES) {
            r->n_notes--;
        }
        memmove(r->notes[1], r->notes[0], r->n_notes * sizeof r->notes[0]);
        r->n_notes++;
        r->problems++;
        if (WIFSIGNALED(status)) {
            snprintf(r->notes[0], sizeof r->notes[0],
                     "the database is damaged: reading %s crashed the check (%s); LMDB keeps no "
                     "page checksums, so a damaged page shows this way",
                     r->phase, strsignal(WTERMSIG(status)));
        } else {
            snprintf(r->notes[0], sizeof r->notes[0],
                     "the database is damaged: reading %s stopped the check (exit %d)", r->phase,
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        }
        rc = TX_ERR_STORAGE;
    }
    if (rc == TX_OK && r->problems > 0) {
        rc = TX_ERR_STORAGE;
    }
    return rc;
}

/* Forks the checking child with its shared result. The parent gets *pid; low: the child runs
 * at the lowest priority and dies with its parent. */
static int
check_fork(const char *dir, const tx_check_opts *o, int low, shared_result **sh_out, pid_t *pid)
{
    shared_result *sh =
        mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t parent;

    if (sh == MAP_FAILED) {
        return TX_ERR_NOMEM;
    }
    memset(sh, 0, sizeof *sh);
    fflush(stdout);
    fflush(stderr);
    parent = getpid();
    if ((*pid = fork()) < 0) {
        munmap(sh, sizeof *sh);
        return TX_ERR_INTERNAL;
    }
    if (*pid == 0) {
        if (low) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            /* Compared with the parent's own pid, not with 1: in a container the hub itself
             * is often process 1. */
            if (getppid() != parent) {
                _exit(0); /* the parent is gone already */
            }
            if (setpriority(PRIO_PROCESS, 0, 19) != 0) {
                /* nice as it was: the check still runs */
            }
            /* ioprio_set(IOPRIO_WHO_PROCESS, self, IOPRIO_CLASS_IDLE): reads only when the disk
             * is otherwise idle. */
            syscall(SYS_ioprio_set, 1, 0, 3 << 13);
        }
        check_child(dir, o, sh);
    }
    *sh_out = sh;
    return TX_OK;
}

int
tx_store_check_dir(const char *dir, unsigned flags, tx_store_report *r)
{
    tx_check_opts o;
    tx_pubkey hub;
    shared_result *sh;
    pid_t pid;
    int status, rc;

    if ((rc = check_prepare(dir, flags, &o, &hub, r)) != TX_OK) {
        return rc;
    }
    if ((rc = check_fork(dir, &o, 0, &sh, &pid)) != TX_OK) {
        return rc;
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    rc = check_reaped(sh, status, r);
    munmap(sh, sizeof *sh);
    return rc;
}

struct tx_store_check_bg {
    shared_result *sh;
    pid_t pid;     /* the child's, 0 once reaped */
    int state;     /* TX_CHECK_* */
    int rc;        /* why it did not run (TX_CHECK_NOT_RUN) */
    tx_pubkey hub; /* the check's options point into it */
    tx_check_opts o;
    tx_store_report r; /* once ended */
};

int
tx_store_check_bg_start(const char *dir, unsigned flags, tx_store_check_bg **out)
{
    tx_store_check_bg *b = calloc(1, sizeof *b);
    int rc;

    *out = NULL;
    if (b == NULL) {
        return TX_ERR_NOMEM;
    }
    rc = check_prepare(dir, flags, &b->o, &b->hub, &b->r);
    if (rc == TX_OK) {
        rc = check_fork(dir, &b->o, 1, &b->sh, &b->pid);
        if (rc != TX_OK) {
            free(b);
            return rc;
        }
        b->state = TX_CHECK_RUNNING;
    } else {
        /* Ended before the fork: what the file or the signed record showed, or why not. */
        b->state = rc == TX_ERR_STORAGE ? TX_CHECK_FAILED : TX_CHECK_NOT_RUN;
        b->rc = rc;
    }
    *out = b;
    return TX_OK;
}

int
tx_store_check_bg_poll(tx_store_check_bg *b, uint64_t *checked, tx_store_report *r, int *rc)
{
    int status;

    if (b->state == TX_CHECK_RUNNING && waitpid(b->pid, &status, WNOHANG) == b->pid) {
        b->pid = 0;
        b->rc = check_reaped(b->sh, status, &b->r);
        b->state = b->rc == TX_OK            ? TX_CHECK_PASSED
                   : b->rc == TX_ERR_STORAGE ? TX_CHECK_FAILED
                                             : TX_CHECK_NOT_RUN;
    }
    if (checked != NULL) {
        /* The child counts as it walks; an aligned word is read whole. */
        *checked = b->state == TX_CHECK_RUNNING
                       ? __atomic_load_n(&b->sh->r.records, __ATOMIC_RELAXED)
                       : b->r.records;
    }
    if (r != NULL) {
        *r = b->r;
    }
    if (rc != NULL) {
        *rc = b->rc;
    }
    return b->state;
}

void
tx_store_check_bg_stop(tx_store_check_bg **b_p)
{
    tx_store_check_bg *b = b_p != NULL ? *b_p : NULL;

    if (b == NULL) {
        return;
    }
    if (b->pid > 0) {
        kill(b->pid, SIGKILL);
        while (waitpid(b->pid, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    if (b->sh != NULL) {
        munmap(b->sh, sizeof *b->sh);
    }
    free(b);
    *b_p = NULL;
}

void
tx_store_refuse_writes(tx_store *s, const char *why)
{
    int no = 0;

    /* The first caller writes the reason, then lets readers see it. */
    if (atomic_load_explicit(&s->refusing, memory_order_acquire) != 0) {
        return;
    }
    snprintf(s->refusal, sizeof s->refusal, "%s", why);
    atomic_compare_exchange_strong_explicit(&s->refusing, &no, 1, memory_order_release,
                                            memory_order_relaxed);
}

const char *
tx_store_refusal(tx_store *s)
{
    if (atomic_load_explicit(&s->refusing, memory_order_acquire) != 0) {
        return s->refusal;
    }
    /* What a client reads in its answer: the hub's messages stay English. */
    return tx_store_signed_failing(s, NULL)
               ? "the hub cannot record its signed checkpoint on its disk (checkpoint.signed) "
                 "and refuses writes until it can; nothing of this was stored: submit it again "
                 "later (what the hub holds already is then found as a duplicate)"
               : NULL;
}

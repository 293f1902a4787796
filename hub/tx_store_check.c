/* The store's integrity check: walks the log once in one read snapshot, then every derived
 * index, and notes whatever disagrees with the log. */
#include "tx_store_check.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"
#include "tx_store_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRANTEES_MARKER "built" /* tx_store.c's marker key in grantees */

/* What the walk of the log learnt, for the index checks. kinds[i] is the kind of the entry
 * at index i (0 where none); signers[i] its signer. */
typedef struct {
    tx_store *s;
    MDB_txn *txn;
    tx_store_report *r;
    uint8_t *kinds;
    uint8_t (*signers)[TX_KEY_LEN];
    uint64_t cap;
} walk;

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
    memset(w->kinds + w->cap, 0, cap - w->cap);
    w->cap = cap;
    return TX_OK;
}

/* The sequence number in a decoded payload's meta (every stored kind has one). */
static uint64_t
payload_seq(const ProtobufCMessage *m)
{
    const ProtobufCFieldDescriptor *fd =
        protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "meta");
    const Ticsx__V1__Meta *meta;

    if (fd == NULL || fd->type != PROTOBUF_C_TYPE_MESSAGE) {
        return 0;
    }
    meta = *(const Ticsx__V1__Meta *const *)((const char *)m + fd->offset);
    return meta != NULL ? meta->seq : 0;
}

/* Checks one complete log entry: it verifies, its payload decodes as its kind, the id index
 * points back at it and the signer's sequence number covers it. */
static int
check_entry(walk *w, uint64_t index, const uint8_t *env, size_t len)
{
    uint8_t id[TX_ID_LEN], vkey[TX_ACCESS_KEY_LEN];
    tx_envelope_pb *e = NULL;
    ProtobufCMessage *payload = NULL;
    uint64_t at, last_seq;
    MDB_val k, v;
    int kind, found_kind;
    int rc;

    tx_record_id(env, len, id);
    if (tx_decode_envelope(env, len, &e) != TX_OK) {
        note(w->r, "log entry %llu does not decode (%s)", (unsigned long long)index,
             tx_codec_detail());
        return TX_OK;
    }
    if (tx_envelope_verify(e) != TX_OK) {
        note(w->r, "log entry %llu: its signature does not verify", (unsigned long long)index);
        goto out;
    }
    kind = tx_kind_from_payload_type(e->payload_type);
    if (!tx_kind_is_stored(kind) || tx_decode_payload(e, kind, &payload) != TX_OK) {
        note(w->r, "log entry %llu has a payload the hub does not store (%s)",
             (unsigned long long)index, e->payload_type);
        goto out;
    }
    if ((rc = grow(w, index)) != TX_OK) {
        tx_free(payload);
        tx_free(e);
        return rc;
    }
    w->kinds[index] = (uint8_t)kind;
    memcpy(w->signers[index], e->signer_key.data, TX_KEY_LEN);
    rc = tx_store_lookup_in(w->s, w->txn, id, &at, &found_kind);
    if (rc == TX_ERR_NOT_FOUND) {
        note(w->r, "log entry %llu has no record id entry", (unsigned long long)index);
    } else if (rc != TX_OK) {
        note(w->r, "log entry %llu: its record id entry cannot be read", (unsigned long long)index);
    } else if (at != index || found_kind != kind) {
        note(w->r, "log entry %llu: its record id points at %llu (kind %d, not %d)",
             (unsigned long long)index, (unsigned long long)at, found_kind, kind);
    }
    /* Visible where the rules put it: public kinds in `public`, the others at least to
     * their signer. */
    if (tx_kind_is_public(kind)) {
        vkey[0] = (uint8_t)kind;
        tx_be64_put(vkey + 1, index);
        k.mv_size = TX_PUBLIC_KEY_LEN;
    } else {
        memcpy(vkey, e->signer_key.data, TX_KEY_LEN);
        vkey[TX_KEY_LEN] = (uint8_t)kind;
        tx_be64_put(vkey + TX_KEY_LEN + 1, index);
        k.mv_size = TX_ACCESS_KEY_LEN;
    }
    k.mv_data = vkey;
    if (mdb_get(w->txn, tx_kind_is_public(kind) ? w->s->pub : w->s->access, &k, &v) !=
        MDB_SUCCESS) {
        note(w->r, "log entry %llu is missing from the %s index", (unsigned long long)index,
             tx_kind_is_public(kind) ? "public" : "access");
    }
    k.mv_size = TX_KEY_LEN;
    k.mv_data = e->signer_key.data;
    if (mdb_get(w->txn, w->s->seqs, &k, &v) != MDB_SUCCESS || v.mv_size != TX_IDX_LEN) {
        note(w->r, "log entry %llu: its signer has no sequence entry", (unsigned long long)index);
    } else if ((last_seq = tx_be64_get(v.mv_data)) < payload_seq(payload)) {
        note(w->r, "log entry %llu has sequence %llu, above its signer's last %llu",
             (unsigned long long)index, (unsigned long long)payload_seq(payload),
             (unsigned long long)last_seq);
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
                note(w->r, "a log key of %zu bytes", k.mv_size);
                continue;
            }
            at = tx_be64_get(kd);
            whole = k.mv_size == TX_IDX_LEN;
            part = whole ? 0 : (unsigned)kd[TX_IDX_LEN] << 8 | kd[TX_IDX_LEN + 1];
        }
        /* The entry gathered so far is complete when the next key starts another one. */
        if (index != 0 && (mrc != MDB_SUCCESS || at != index || whole)) {
            w->r->records++;
            if (!broken) {
                rc = check_entry(w, index, buf, n);
            }
            index = 0;
        }
        if (mrc != MDB_SUCCESS) {
            if (mrc != MDB_NOTFOUND) {
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

/* Calls fn on every key and value of dbi. */
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
        fn(w, &k, &v);
    }
    mdb_cursor_close(cur);
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
check_public(walk *w, const MDB_val *k, const MDB_val *v)
{
    const uint8_t *kd = k->mv_data;
    uint64_t index;

    (void)v;
    if (k->mv_size != TX_PUBLIC_KEY_LEN) {
        note(w->r, "a public index key of %zu bytes", k->mv_size);
        return;
    }
    index = tx_be64_get(kd + 1);
    if (kind_at(w, index) != kd[0] || !tx_kind_is_public(kd[0])) {
        note(w->r, "the public index lists %llu as kind %d; the log does not",
             (unsigned long long)index, kd[0]);
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

static void
check_member(walk *w, const MDB_val *k, const MDB_val *v)
{
    uint64_t index;

    if (k->mv_size != TX_KEY_LEN || v->mv_size != TX_IDX_LEN) {
        note(w->r, "a member entry of %zu/%zu bytes", k->mv_size, v->mv_size);
        return;
    }
    index = tx_be64_get(v->mv_data);
    if (kind_at(w, index) != TX_KIND_PROFILE ||
        memcmp(w->signers[index], k->mv_data, TX_KEY_LEN) != 0) {
        note(w->r, "a member's profile index %llu is not a profile it signed",
             (unsigned long long)index);
    }
}

static void
check_transport(walk *w, const MDB_val *k, const MDB_val *v)
{
    MDB_val mk = *v, mv;

    if (k->mv_size != TX_KEY_LEN || v->mv_size != TX_KEY_LEN) {
        note(w->r, "a transport entry of %zu/%zu bytes", k->mv_size, v->mv_size);
        return;
    }
    if (mdb_get(w->txn, w->s->members, &mk, &mv) != MDB_SUCCESS) {
        note(w->r, "a transport key maps to a signer that is not a member");
    }
}

/* The superseders index against the log: every assessment that names a stored assessment it
 * supersedes has its entry, and every entry is such a pair (same signer). */
static int
check_superseders(walk *w)
{
    MDB_cursor *cur;
    MDB_val k, v;
    uint64_t old, at, named;
    uint8_t key[TX_SUPERSEDERS_KEY_LEN];
    int mrc, rc = tx_store_err(mdb_cursor_open(w->txn, w->s->superseders, &cur), "superseders");

    if (rc != TX_OK) {
        return rc;
    }
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == MDB_SUCCESS;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        uint8_t *env;
        size_t len;

        if (k.mv_size == sizeof TX_SUPERSEDERS_BUILT - 1 &&
            memcmp(k.mv_data, TX_SUPERSEDERS_BUILT, k.mv_size) == 0) {
            continue;
        }
        if (k.mv_size != TX_SUPERSEDERS_KEY_LEN) {
            note(w->r, "a superseders key of %zu bytes", k.mv_size);
            continue;
        }
        old = tx_be64_get(k.mv_data);
        at = tx_be64_get((const uint8_t *)k.mv_data + TX_IDX_LEN);
        if (kind_at(w, old) != TX_KIND_ASSESSMENT || kind_at(w, at) != TX_KIND_ASSESSMENT ||
            tx_log_read(w->s, w->txn, at, &env, &len) != TX_OK) {
            note(w->r, "a superseders entry names %llu <- %llu; the log holds no such assessments",
                 (unsigned long long)old, (unsigned long long)at);
            continue;
        }
        rc = tx_store_supersedes_in(w->s, w->txn, env, len, &named);
        free(env);
        if (rc != TX_OK || named != old ||
            memcmp(w->signers[old], w->signers[at], TX_KEY_LEN) != 0) {
            note(w->r, "a superseders entry says %llu supersedes %llu; the log does not",
                 (unsigned long long)at, (unsigned long long)old);
        }
        rc = TX_OK;
    }
    mdb_cursor_close(cur);
    if (mrc != MDB_NOTFOUND) {
        return tx_store_err(mrc, "superseders");
    }
    for (at = 1; at < w->cap; at++) {
        uint8_t *env;
        size_t len;

        if (kind_at(w, at) != TX_KIND_ASSESSMENT ||
            tx_log_read(w->s, w->txn, at, &env, &len) != TX_OK) {
            continue;
        }
        rc = tx_store_supersedes_in(w->s, w->txn, env, len, &old);
        free(env);
        if (rc != TX_OK || old == 0) {
            continue;
        }
        tx_be64_put(key, old);
        tx_be64_put(key + TX_IDX_LEN, at);
        k.mv_size = sizeof key;
        k.mv_data = key;
        if (mdb_get(w->txn, w->s->superseders, &k, &v) != MDB_SUCCESS) {
            note(w->r, "log entry %llu supersedes %llu but the superseders index misses it",
                 (unsigned long long)at, (unsigned long long)old);
        }
    }
    return TX_OK;
}

int
tx_store_check(tx_store *s, tx_store_report *r)
{
    walk w;
    int rc;

    memset(r, 0, sizeof *r);
    memset(&w, 0, sizeof w);
    w.s = s;
    w.r = r;
    if ((rc = tx_store_txn_begin(s, MDB_RDONLY, &w.txn)) != TX_OK) {
        return rc;
    }
    if ((rc = walk_log(&w)) == TX_OK && (rc = each(&w, s->ids, "ids", check_id)) == TX_OK &&
        (rc = each(&w, s->pub, "public", check_public)) == TX_OK &&
        (rc = each(&w, s->access, "access", check_access)) == TX_OK &&
        (rc = each(&w, s->grantees, "grantees", check_grantee)) == TX_OK &&
        (rc = each(&w, s->members, "members", check_member)) == TX_OK) {
        rc = each(&w, s->transports, "transports", check_transport);
    }
    if (rc == TX_OK) {
        rc = check_superseders(&w);
    }
    mdb_txn_abort(w.txn);
    /* Every log entry's id points back at it, so equal counts leave no id entry over. */
    if (rc == TX_OK && r->ids != r->records) {
        note(r, "%llu record id entries for %llu log entries", (unsigned long long)r->ids,
             (unsigned long long)r->records);
    }
    if (rc == TX_OK && r->records != r->last) {
        note(r, "%llu log entries up to index %llu", (unsigned long long)r->records,
             (unsigned long long)r->last);
    }
    free(w.kinds);
    free(w.signers);
    if (rc != TX_OK) {
        return rc;
    }
    return r->problems == 0 ? TX_OK : TX_ERR_STORAGE;
}

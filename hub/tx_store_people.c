/* The people of an organisation: member records (TX_KIND_MEMBER) and their removals
 * (TX_KIND_MEMBER_REMOVE), signed by an enrolled organisation's key. Not the enrolled
 * organisations themselves (tx_store_members.c). Both kinds are public, so they are found
 * through the public index, walked in log order: a lookup costs one pass over an
 * organisation-wide small set of records, and needs no index of its own to keep or check. */
#include "tx_store_int.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Calls fn on every stored record of `kind` (public) in log order until fn returns other than
 * TX_ERR_NOT_FOUND; that code is returned, TX_ERR_NOT_FOUND when every call returned it. */
typedef int (*person_fn)(const tx_envelope_pb *env, const ProtobufCMessage *m, uint64_t index,
                         void *arg);

static int
walk_kind(tx_store *s, MDB_txn *txn, int kind, person_fn fn, void *arg)
{
    uint8_t key[TX_PUBLIC_KEY_LEN] = {(uint8_t)kind};
    MDB_val k = {sizeof key, key}, v;
    MDB_cursor *cur = NULL;
    int mrc, rc = tx_store_err(mdb_cursor_open(txn, s->pub, &cur), "public");

    if (rc != TX_OK) {
        return rc;
    }
    rc = TX_ERR_NOT_FOUND;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         mrc == MDB_SUCCESS && rc == TX_ERR_NOT_FOUND && k.mv_size == TX_PUBLIC_KEY_LEN &&
         ((const uint8_t *)k.mv_data)[0] == (uint8_t)kind;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        uint64_t index = tx_be64_get((const uint8_t *)k.mv_data + 1);
        tx_envelope_pb *env = NULL;
        ProtobufCMessage *m = NULL;
        uint8_t *buf;
        size_t len;

        if ((rc = tx_log_read(s, txn, index, &buf, &len)) != TX_OK) {
            break;
        }
        if (tx_decode_envelope(buf, len, &env) != TX_OK ||
            tx_decode_payload(env, kind, &m) != TX_OK) {
            tx_error("store: %s at %llu does not decode (%s); the data file is damaged",
                     tx_kind_name(kind), (unsigned long long)index, tx_codec_detail());
            rc = TX_ERR_STORAGE;
        } else {
            rc = fn(env, m, index, arg);
        }
        tx_free(m);
        tx_free(env);
        free(buf);
    }
    mdb_cursor_close(cur);
    if (rc == TX_ERR_NOT_FOUND && mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        rc = tx_store_err(mrc, "walk public");
    }
    return rc;
}

typedef struct {
    int by;
    const uint8_t *key;
    tx_person *p;
    int found;
} person_walk;

/* The newest member record naming the key (signing or transport) keeps the person. */
static int
take_record(const tx_envelope_pb *env, const ProtobufCMessage *m, uint64_t index, void *arg)
{
    person_walk *w = arg;
    const tx_member_pb *r = (const tx_member_pb *)m;
    const ProtobufCBinaryData *k = w->by == TX_PERSON_BY_KEY ? &r->signing_key : &r->transport_key;

    if (memcmp(k->data, w->key, TX_KEY_LEN) != 0 ||
        memcmp(env->signer_key.data, r->organisation.data, TX_KEY_LEN) != 0) {
        return TX_ERR_NOT_FOUND;
    }
    memcpy(w->p->org, r->organisation.data, TX_KEY_LEN);
    memcpy(w->p->key, r->signing_key.data, TX_KEY_LEN);
    memcpy(w->p->transport, r->transport_key.data, TX_KEY_LEN);
    w->p->role = (int)r->role;
    w->p->from = r->valid_from;
    w->p->until = r->valid_until;
    w->p->index = index;
    w->found = 1;
    return TX_ERR_NOT_FOUND; /* a later one may replace it */
}

/* A removal by the same organisation, stored after the person's newest record, ends it. */
static int
take_removal(const tx_envelope_pb *env, const ProtobufCMessage *m, uint64_t index, void *arg)
{
    person_walk *w = arg;
    const tx_member_remove_pb *x = (const tx_member_remove_pb *)m;

    if (index > w->p->index && memcmp(x->signing_key.data, w->p->key, TX_KEY_LEN) == 0 &&
        memcmp(x->organisation.data, w->p->org, TX_KEY_LEN) == 0 &&
        memcmp(env->signer_key.data, w->p->org, TX_KEY_LEN) == 0 && x->effective < w->p->removed) {
        w->p->removed = x->effective;
    }
    return TX_ERR_NOT_FOUND;
}

int
tx_store_person_in(tx_store *s, MDB_txn *txn, int by, const uint8_t key[TX_KEY_LEN], tx_person *out)
{
    person_walk w = {by, key, out, 0};
    int rc;

    memset(out, 0, sizeof *out);
    out->removed = INT64_MAX;
    rc = walk_kind(s, txn, TX_KIND_MEMBER, take_record, &w);
    if (rc == TX_ERR_NOT_FOUND && w.found && by == TX_PERSON_BY_TRANSPORT) {
        /* The person's newest record must still name this transport key. */
        uint8_t signing[TX_KEY_LEN];

        memcpy(signing, out->key, TX_KEY_LEN);
        return tx_store_person_in(s, txn, TX_PERSON_BY_KEY, signing, out) == TX_OK &&
                       memcmp(out->transport, key, TX_KEY_LEN) == 0
                   ? TX_OK
                   : TX_ERR_NOT_FOUND;
    }
    if (rc != TX_ERR_NOT_FOUND) {
        return rc;
    }
    if (!w.found) {
        return TX_ERR_NOT_FOUND;
    }
    rc = walk_kind(s, txn, TX_KIND_MEMBER_REMOVE, take_removal, &w);
    return rc == TX_ERR_NOT_FOUND ? TX_OK : rc;
}

/* The organisation a signing key acts for: its person's, or itself. */
static void
org_of(tx_store *s, MDB_txn *txn, const uint8_t key[TX_KEY_LEN], uint8_t org[TX_KEY_LEN])
{
    tx_person p;

    memcpy(org, key, TX_KEY_LEN);
    if (tx_store_person_in(s, txn, TX_PERSON_BY_KEY, key, &p) == TX_OK) {
        memcpy(org, p.org, TX_KEY_LEN);
    }
}

int
tx_store_same_org(tx_store *s, MDB_txn *txn, const uint8_t a[TX_KEY_LEN],
                  const uint8_t b[TX_KEY_LEN])
{
    uint8_t oa[TX_KEY_LEN], ob[TX_KEY_LEN];

    if (memcmp(a, b, TX_KEY_LEN) == 0) {
        return 1;
    }
    org_of(s, txn, a, oa);
    org_of(s, txn, b, ob);
    return memcmp(oa, ob, TX_KEY_LEN) == 0;
}

int
tx_batch_person(tx_batch *b, int by, const uint8_t key[TX_KEY_LEN], tx_person *out)
{
    if (b->err != TX_OK) {
        return b->err;
    }
    return tx_batch_read_rc(b, tx_store_person_in(b->s, b->txn, by, key, out));
}

int
tx_store_person(tx_store *s, int by, const uint8_t key[TX_KEY_LEN], tx_person *out)
{
    MDB_txn *txn;
    int rc = tx_store_txn_begin(s, MDB_RDONLY, &txn);

    if (rc != TX_OK) {
        return rc;
    }
    rc = tx_store_person_in(s, txn, by, key, out);
    mdb_txn_abort(txn);
    return rc;
}

int
tx_batch_transport_owner(tx_batch *b, const uint8_t curve[TX_KEY_LEN], uint8_t signer[TX_KEY_LEN])
{
    MDB_val k = {TX_KEY_LEN, (void *)curve}, v;
    int rc;

    if (b->err != TX_OK) {
        return b->err;
    }
    rc = tx_batch_read_rc(b, tx_store_err(mdb_get(b->txn, b->s->transports, &k, &v), "transports"));
    if (rc == TX_OK && v.mv_size == TX_KEY_LEN) {
        memcpy(signer, v.mv_data, TX_KEY_LEN);
    }
    return rc;
}

int
tx_person_acts(const tx_person *p, int64_t now)
{
    return p->from <= now && (p->until == 0 || now < p->until) && now < p->removed;
}

/* ---- two officers for grants to new buyers (tx_approval.c) ---- */

typedef struct {
    const uint8_t *org;
    int on;
} settings_walk;

/* The organisation's settings in log order: the last one stored holds (seq only rises). */
static int
take_settings(const tx_envelope_pb *env, const ProtobufCMessage *m, uint64_t index, void *arg)
{
    settings_walk *w = arg;
    const tx_org_settings_pb *x = (const tx_org_settings_pb *)m;

    (void)index;
    if (memcmp(env->signer_key.data, w->org, TX_KEY_LEN) == 0 &&
        memcmp(x->organisation.data, w->org, TX_KEY_LEN) == 0) {
        w->on = x->two_officers;
    }
    return TX_ERR_NOT_FOUND;
}

int
tx_batch_two_officers(tx_batch *b, const uint8_t org[TX_KEY_LEN], int *on)
{
    settings_walk w = {org, 0};
    int rc;

    *on = 0;
    if (b->err != TX_OK) {
        return b->err;
    }
    rc = walk_kind(b->s, b->txn, TX_KIND_ORG_SETTINGS, take_settings, &w);
    if (rc == TX_ERR_NOT_FOUND) {
        *on = w.on;
        rc = TX_OK;
    }
    return tx_batch_read_rc(b, rc);
}

int
tx_batch_walk_readable(tx_batch *b, const uint8_t reader[TX_KEY_LEN], int kind, tx_readable_fn fn,
                       void *arg)
{
    uint8_t key[TX_ACCESS_KEY_LEN] = {0};
    MDB_val k = {sizeof key, key}, v;
    MDB_cursor *cur = NULL;
    int mrc, rc;

    if (b->err != TX_OK) {
        return b->err;
    }
    memcpy(key, reader, TX_KEY_LEN);
    key[TX_KEY_LEN] = (uint8_t)kind;
    if ((rc = tx_store_err(mdb_cursor_open(b->txn, b->s->access, &cur), "access")) != TX_OK) {
        return tx_batch_read_rc(b, rc);
    }
    rc = TX_ERR_NOT_FOUND;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         mrc == MDB_SUCCESS && rc == TX_ERR_NOT_FOUND && k.mv_size == TX_ACCESS_KEY_LEN &&
         memcmp(k.mv_data, key, TX_KEY_LEN + 1) == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        rc = fn(b, tx_be64_get((const uint8_t *)k.mv_data + TX_KEY_LEN + 1), arg);
    }
    mdb_cursor_close(cur);
    if (rc == TX_ERR_NOT_FOUND && mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        rc = tx_store_err(mrc, "access");
    }
    return tx_batch_read_rc(b, rc);
}

int
tx_batch_same_org(tx_batch *b, const uint8_t a[TX_KEY_LEN], const uint8_t c[TX_KEY_LEN])
{
    return b->err == TX_OK && tx_store_same_org(b->s, b->txn, a, c);
}

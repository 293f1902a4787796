/* The people of an organisation: member records (TX_KIND_MEMBER) and their removals
 * (TX_KIND_MEMBER_REMOVE), signed by an enrolled organisation's key or a successor of it, and
 * the successors of its key (TX_KIND_KEY_SUCCESSOR), which act as the organisation. Not the
 * enrolled organisations themselves (tx_store_members.c). Both kinds are public, so they are found
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
    tx_store *s;
    MDB_txn *txn;
} person_walk;

/* A key successor whose signing key is w->key and whose organisation is w->p's: found. */
static int
is_successor(const tx_envelope_pb *env, const ProtobufCMessage *m, uint64_t index, void *arg)
{
    const tx_key_successor_pb *r = (const tx_key_successor_pb *)m;
    const person_walk *w = arg;

    (void)env;
    (void)index;
    return memcmp(r->signing_key.data, w->key, TX_KEY_LEN) == 0 &&
                   memcmp(r->organisation.data, w->p->org, TX_KEY_LEN) == 0
               ? TX_OK
               : TX_ERR_NOT_FOUND;
}

/* A re-enrolment whose new key is w->key for w->p's organisation: found. */
static int
is_reenrolled(const tx_envelope_pb *env, const ProtobufCMessage *m, uint64_t index, void *arg)
{
    const tx_key_reenrolment_pb *r = (const tx_key_reenrolment_pb *)m;
    const person_walk *w = arg;

    (void)env;
    (void)index;
    return memcmp(r->signing_key.data, w->key, TX_KEY_LEN) == 0 &&
                   memcmp(r->organisation.data, w->p->org, TX_KEY_LEN) == 0
               ? TX_OK
               : TX_ERR_NOT_FOUND;
}

/* Whether `signer` signs for organisation `org`: it is the organisation's key or a successor
 * of it (kind 17, stored only from the key it replaced; kind 19, only written by the hub). */
static int
signs_for(person_walk *w, const uint8_t signer[TX_KEY_LEN], const uint8_t org[TX_KEY_LEN])
{
    tx_person p;
    person_walk sw = {TX_PERSON_BY_KEY, signer, &p, 0, w->s, w->txn};

    if (memcmp(signer, org, TX_KEY_LEN) == 0) {
        return 1;
    }
    memcpy(p.org, org, TX_KEY_LEN);
    return walk_kind(w->s, w->txn, TX_KIND_KEY_SUCCESSOR, is_successor, &sw) == TX_OK ||
           walk_kind(w->s, w->txn, TX_KIND_KEY_REENROLMENT, is_reenrolled, &sw) == TX_OK;
}

/* The newest member record naming the key (signing or transport) keeps the person. */
static int
take_record(const tx_envelope_pb *env, const ProtobufCMessage *m, uint64_t index, void *arg)
{
    person_walk *w = arg;
    const tx_member_pb *r = (const tx_member_pb *)m;
    const ProtobufCBinaryData *k = w->by == TX_PERSON_BY_KEY ? &r->signing_key : &r->transport_key;

    if (memcmp(k->data, w->key, TX_KEY_LEN) != 0 ||
        !signs_for(w, env->signer_key.data, r->organisation.data)) {
        return TX_ERR_NOT_FOUND;
    }
    memcpy(w->p->org, r->organisation.data, TX_KEY_LEN);
    memcpy(w->p->key, r->signing_key.data, TX_KEY_LEN);
    memcpy(w->p->transport, r->transport_key.data, TX_KEY_LEN);
    w->p->role = (int)r->role;
    w->p->from = r->valid_from;
    w->p->until = r->valid_until;
    w->p->index = index;
    w->p->is_key = 0;
    w->found = 1;
    return TX_ERR_NOT_FOUND; /* a later one may replace it */
}

/* The organisation's own key `key` (transport `transport`) from `from`, with every right, when it
 * is the key looked for (signing or transport). */
static int
keep_key(person_walk *w, const ProtobufCBinaryData *org, const ProtobufCBinaryData *key,
         const ProtobufCBinaryData *transport, int64_t from, uint64_t index)
{
    const ProtobufCBinaryData *k = w->by == TX_PERSON_BY_KEY ? key : transport;

    if (memcmp(k->data, w->key, TX_KEY_LEN) != 0) {
        return TX_ERR_NOT_FOUND;
    }
    memcpy(w->p->org, org->data, TX_KEY_LEN);
    memcpy(w->p->key, key->data, TX_KEY_LEN);
    memcpy(w->p->transport, transport->data, TX_KEY_LEN);
    w->p->role = TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN;
    w->p->from = from;
    w->p->until = 0;
    w->p->index = index;
    w->p->is_key = 1;
    w->found = 1;
    return TX_ERR_NOT_FOUND;
}

/* A key successor naming the key as its successor's: the organisation's own key from its
 * effective date (the hub stored it only from the key in force, with the successor's proof). */
static int
take_successor(const tx_envelope_pb *env, const ProtobufCMessage *m, uint64_t index, void *arg)
{
    const tx_key_successor_pb *r = (const tx_key_successor_pb *)m;

    if (memcmp(env->signer_key.data, r->predecessor.data, TX_KEY_LEN) != 0) {
        return TX_ERR_NOT_FOUND;
    }
    return keep_key(arg, &r->organisation, &r->signing_key, &r->transport_key, r->effective,
                    index);
}

/* A re-enrolment naming the key as the new one: the organisation's own key from its effective
 * date (only the hub writes these, ticsx-hub reenroll). */
static int
take_reenrolled(const tx_envelope_pb *env, const ProtobufCMessage *m, uint64_t index, void *arg)
{
    const tx_key_reenrolment_pb *r = (const tx_key_reenrolment_pb *)m;

    (void)env;
    return keep_key(arg, &r->organisation, &r->signing_key, &r->transport_key, r->effective,
                    index);
}

/* A re-enrolment replacing the key ends it from its date, or from when it was compromised. */
static int
take_reenrol_replacement(const tx_envelope_pb *env, const ProtobufCMessage *m, uint64_t index,
                         void *arg)
{
    person_walk *w = arg;
    const tx_key_reenrolment_pb *r = (const tx_key_reenrolment_pb *)m;
    int64_t end = r->compromised_from != 0 && r->compromised_from < r->effective
                      ? r->compromised_from
                      : r->effective;

    (void)env;
    (void)index;
    if (memcmp(r->replaces.data, w->key, TX_KEY_LEN) == 0 && end < w->p->removed) {
        w->p->removed = end;
        w->found = 1;
    }
    return TX_ERR_NOT_FOUND;
}

/* A revocation by the person's organisation (its key or a successor) ends it from its date. */
static int
take_revocation(const tx_envelope_pb *env, const ProtobufCMessage *m, uint64_t index, void *arg)
{
    person_walk *w = arg;
    const tx_key_revocation_pb *x = (const tx_key_revocation_pb *)m;

    (void)index;
    if (memcmp(x->key.data, w->p->key, TX_KEY_LEN) == 0 &&
        memcmp(x->organisation.data, w->p->org, TX_KEY_LEN) == 0 &&
        signs_for(w, env->signer_key.data, w->p->org) && x->from < w->p->removed) {
        w->p->removed = x->from;
    }
    return TX_ERR_NOT_FOUND;
}

/* The key's own successor ends it from the successor's effective date. */
static int
take_replacement(const tx_envelope_pb *env, const ProtobufCMessage *m, uint64_t index, void *arg)
{
    person_walk *w = arg;
    const tx_key_successor_pb *r = (const tx_key_successor_pb *)m;

    (void)index;
    if (memcmp(r->predecessor.data, w->key, TX_KEY_LEN) == 0 &&
        memcmp(env->signer_key.data, w->key, TX_KEY_LEN) == 0 && r->effective < w->p->removed) {
        w->p->removed = r->effective;
        w->found = 1;
    }
    return TX_ERR_NOT_FOUND;
}

/* A removal by the same organisation, stored after the person's newest record, ends it. */
static int
take_removal(const tx_envelope_pb *env, const ProtobufCMessage *m, uint64_t index, void *arg)
{
    person_walk *w = arg;
    const tx_member_remove_pb *x = (const tx_member_remove_pb *)m;

    if (index > w->p->index && memcmp(x->signing_key.data, w->p->key, TX_KEY_LEN) == 0 &&
        memcmp(x->organisation.data, w->p->org, TX_KEY_LEN) == 0 &&
        signs_for(w, env->signer_key.data, w->p->org) && x->effective < w->p->removed) {
        w->p->removed = x->effective;
    }
    return TX_ERR_NOT_FOUND;
}

int
tx_store_person_in(tx_store *s, MDB_txn *txn, int by, const uint8_t key[TX_KEY_LEN], tx_person *out)
{
    person_walk w = {by, key, out, 0, s, txn};
    int rc;

    memset(out, 0, sizeof *out);
    out->removed = INT64_MAX;
    rc = walk_kind(s, txn, TX_KIND_MEMBER, take_record, &w);
    if (rc == TX_ERR_NOT_FOUND) {
        rc = walk_kind(s, txn, TX_KIND_KEY_SUCCESSOR, take_successor, &w);
    }
    if (rc == TX_ERR_NOT_FOUND) {
        rc = walk_kind(s, txn, TX_KIND_KEY_REENROLMENT, take_reenrolled, &w);
    }
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
    if (rc == TX_ERR_NOT_FOUND) {
        rc = walk_kind(s, txn, TX_KIND_KEY_REVOCATION, take_revocation, &w);
    }
    if (rc == TX_ERR_NOT_FOUND && out->is_key) {
        w.key = out->key;
        rc = walk_kind(s, txn, TX_KIND_KEY_SUCCESSOR, take_replacement, &w);
    }
    if (rc == TX_ERR_NOT_FOUND && out->is_key) {
        rc = walk_kind(s, txn, TX_KIND_KEY_REENROLMENT, take_reenrol_replacement, &w);
    }
    return rc == TX_ERR_NOT_FOUND ? TX_OK : rc;
}

typedef struct {
    const uint8_t *key; /* the key replaced */
    int64_t now;
    uint8_t next[TX_KEY_LEN];
} next_walk;

/* A successor (kind 17) or re-enrolment (kind 19) in force replacing w->key: its new key. */
static int
take_next(const tx_envelope_pb *env, const ProtobufCMessage *m, uint64_t index, void *arg)
{
    next_walk *w = arg;
    const uint8_t *from, *to;
    int64_t effective;

    (void)index;
    if (tx_kind_from_payload_type(env->payload_type) == TX_KIND_KEY_SUCCESSOR) {
        const tx_key_successor_pb *r = (const tx_key_successor_pb *)m;
        from = r->predecessor.data, to = r->signing_key.data, effective = r->effective;
    } else {
        const tx_key_reenrolment_pb *r = (const tx_key_reenrolment_pb *)m;
        from = r->replaces.data, to = r->signing_key.data, effective = r->effective;
    }
    if (memcmp(from, w->key, TX_KEY_LEN) != 0 || effective > w->now) {
        return TX_ERR_NOT_FOUND;
    }
    memcpy(w->next, to, TX_KEY_LEN);
    return TX_OK;
}

int
tx_batch_key_in_force(tx_batch *b, const uint8_t org[TX_KEY_LEN], int64_t now,
                      uint8_t out[TX_KEY_LEN])
{
    next_walk w = {NULL, now, {0}};
    int rc = TX_OK;

    memcpy(out, org, TX_KEY_LEN);
    for (int depth = 0; depth < 32 && rc == TX_OK && b->err == TX_OK; depth++) {
        w.key = out;
        rc = walk_kind(b->s, b->txn, TX_KIND_KEY_SUCCESSOR, take_next, &w);
        if (rc == TX_ERR_NOT_FOUND) {
            rc = walk_kind(b->s, b->txn, TX_KIND_KEY_REENROLMENT, take_next, &w);
        }
        if (rc == TX_OK) {
            memcpy(out, w.next, TX_KEY_LEN);
        }
    }
    return rc == TX_ERR_NOT_FOUND || rc == TX_OK ? b->err : tx_batch_read_rc(b, rc);
}

static int
key_replaced_in(tx_store *s, MDB_txn *txn, const uint8_t key[TX_KEY_LEN], int64_t *at)
{
    tx_person p;
    person_walk w = {TX_PERSON_BY_KEY, key, &p, 0, s, txn};
    int rc;

    p.removed = INT64_MAX;
    rc = walk_kind(s, txn, TX_KIND_KEY_SUCCESSOR, take_replacement, &w);
    if (rc == TX_ERR_NOT_FOUND) {
        rc = walk_kind(s, txn, TX_KIND_KEY_REENROLMENT, take_reenrol_replacement, &w);
    }
    *at = p.removed;
    if (rc != TX_ERR_NOT_FOUND) {
        return rc;
    }
    return w.found ? TX_OK : TX_ERR_NOT_FOUND;
}

int
tx_batch_key_replaced(tx_batch *b, const uint8_t key[TX_KEY_LEN], int64_t *at)
{
    if (b->err != TX_OK) {
        return b->err;
    }
    return tx_batch_read_rc(b, key_replaced_in(b->s, b->txn, key, at));
}

int
tx_store_key_replaced(tx_store *s, const uint8_t key[TX_KEY_LEN], int64_t *at)
{
    MDB_txn *txn;
    int rc = tx_store_txn_begin(s, MDB_RDONLY, &txn);

    if (rc != TX_OK) {
        return rc;
    }
    rc = key_replaced_in(s, txn, key, at);
    mdb_txn_abort(txn);
    return rc;
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

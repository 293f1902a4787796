/* The signing keys that count as this organisation at a date. */
#include "tx_us.h"

#include "tx_cache_scan.h"
#include "tx_error.h"
#include "tx_key_chain.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_signer.h"

#include <stdlib.h>
#include <string.h>

int
tx_us_init(tx_home *home, tx_us *us)
{
    memset(us, 0, sizeof *us);
    us->home = home;
    return tx_home_org(home, us->org, &us->is_member);
}

/* The organisation a record about people or keys names (kinds 13, 14, 17, 18, 19), else NULL.
 * Whether its signer may name it is tx_signer's to judge (the organisation's key or a
 * successor of it). */
static const uint8_t *
org_named(const tx_rec *rec)
{
    const ProtobufCBinaryData *o = NULL;

    if (rec->msg == NULL || rec->env == NULL) {
        return NULL;
    }
    switch (rec->kind) {
    case TX_KIND_MEMBER:
        o = &((const tx_member_pb *)rec->msg)->organisation;
        break;
    case TX_KIND_MEMBER_REMOVE:
        o = &((const tx_member_remove_pb *)rec->msg)->organisation;
        break;
    case TX_KIND_KEY_SUCCESSOR:
        o = &((const tx_key_successor_pb *)rec->msg)->organisation;
        break;
    case TX_KIND_KEY_REVOCATION:
        o = &((const tx_key_revocation_pb *)rec->msg)->organisation;
        break;
    case TX_KIND_KEY_REENROLMENT:
        o = &((const tx_key_reenrolment_pb *)rec->msg)->organisation;
        break;
    }
    return o != NULL && o->len == TX_KEY_LEN ? o->data : NULL;
}

int
tx_us_add(tx_us *us, tx_rec *rec)
{
    const uint8_t *org = org_named(rec);

    if (org == NULL || memcmp(org, us->org, TX_KEY_LEN) != 0) {
        tx_rec_clear(rec);
        return TX_OK;
    }
    return tx_recs_push(&us->people, rec);
}

void
tx_us_free(tx_us *us)
{
    tx_recs_clear(&us->people);
    memset(us, 0, sizeof *us);
}

static int
want_people(void *ctx, int kind, const uint8_t *signer)
{
    (void)ctx;
    (void)signer; /* a successor of the organisation's key signs for it too: tx_us_add sorts */
    return kind == TX_KIND_MEMBER || kind == TX_KIND_MEMBER_REMOVE ||
           kind == TX_KIND_KEY_SUCCESSOR || kind == TX_KIND_KEY_REVOCATION ||
           kind == TX_KIND_KEY_REENROLMENT;
}

/* Keeps a copy of a cached record (borrowed for the call); opening the same bytes again does
 * not check the signature twice. */
static int
take_person(void *ctx, const tx_rec *rec, uint64_t log_index)
{
    tx_rec copy = {0};
    uint8_t *bytes = malloc(rec->len ? rec->len : 1);
    int rc;

    (void)log_index;
    if (bytes == NULL) {
        return tx_fail(TX_ERR_NOMEM, "out of memory");
    }
    memcpy(bytes, rec->bytes, rec->len);
    if ((rc = tx_rec_open_known(&copy, bytes, rec->len, rec->kind, rec->id)) == TX_OK) {
        rc = tx_us_add(ctx, &copy);
    }
    tx_rec_clear(&copy);
    return rc;
}

int
tx_us_from_cache(tx_home *home, tx_us *us)
{
    int rc = tx_us_init(home, us);

    if (rc == TX_OK) {
        rc = tx_cache_scan(home, want_people, take_person, us);
    }
    if (rc != TX_OK) {
        tx_us_free(us);
    }
    return rc;
}

void
tx_us_org_of(const tx_recs *people, const uint8_t key[TX_KEY_LEN], uint8_t org[TX_KEY_LEN])
{
    tx_signer_info si;

    memcpy(org, key, TX_KEY_LEN);
    if (tx_signer_resolve(people, key, 0, &si) == TX_OK) {
        memcpy(org, si.org, TX_KEY_LEN);
    }
}

int
tx_us_role_signs(int role)
{
    return role == TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER ||
           role == TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN;
}

int
tx_us_signs(const tx_us *us, const uint8_t key[TX_KEY_LEN], int64_t at)
{
    tx_signer_info si;

    if (memcmp(key, us->org, TX_KEY_LEN) == 0) {
        return 1;
    }
    return tx_signer_resolve_for(&us->people, key, at, us->home, &si) == TX_OK && si.acts &&
           memcmp(si.org, us->org, TX_KEY_LEN) == 0 && tx_us_role_signs(si.role) &&
           (!si.reenrolled || (us->home != NULL && tx_key_accepted(us->home, si.key)));
}

int
tx_us_signed(const tx_us *us, const tx_rec *rec)
{
    return rec->msg != NULL && rec->env != NULL &&
           tx_us_signs(us, tx_rec_signer(rec), tx_kind_created(rec->kind, rec->msg));
}

int
tx_us_may_sign(const tx_us *us, const uint8_t key[TX_KEY_LEN])
{
    if (memcmp(key, us->org, TX_KEY_LEN) == 0) {
        return 1;
    }
    if (tx_key_chain_find(&us->people, us->org, key, 0) != NULL) {
        return 1; /* a successor of the organisation's key */
    }
    for (size_t i = 0; i < us->people.n; i++) {
        const tx_rec *r = &us->people.v[i];

        if (r->kind == TX_KIND_MEMBER &&
            tx_key_chain_holds_for(&us->people, us->org, tx_rec_signer(r), us->home) &&
            ((const tx_member_pb *)r->msg)->signing_key.len == TX_KEY_LEN &&
            memcmp(((const tx_member_pb *)r->msg)->signing_key.data, key, TX_KEY_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

int
tx_us_reader(tx_home *home, const tx_us *us, tx_identity **out)
{
    *out = NULL;
    return us->is_member ? tx_signer_reader(home, &us->people, out) : TX_OK;
}

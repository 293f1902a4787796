/* Member records and removals: signing, submitting, fetching and resolving them. */
#include "tx_member_admin.h"

#include "tx_codec.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_key_rotate.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_rpc.h"
#include "tx_sign.h"
#include "tx_us_hub.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Refuses in a member's home: member records are the organisation key's (its enrolled key or
 * the successor in force); the organisation into org. */
static int
org_home_only(tx_client *c, uint8_t org[TX_KEY_LEN])
{
    int rc = tx_key_org_home(c, org);

    if (rc == TX_ERR_NOT_FOUND) {
        rc = tx_fail(TX_ERR_USAGE, "this is a member's home: members are added and removed with "
                                   "the organisation key, in the organisation's home");
    }
    return rc;
}

int
tx_sign_submit(tx_client *c, int kind, tx_meta_pb *meta, const ProtobufCMessage *m,
            uint8_t id[TX_ID_LEN])
{
    tx_home *home = tx_client_home(c);
    uint8_t *env = NULL;
    size_t len;
    int rc;

    meta->created = tx_now();
    if ((rc = tx_seq_take(tx_home_dir(home), 1, &meta->seq)) != TX_OK ||
        (rc = tx_sign_checked(tx_client_id(c), kind, m, tx_kind_name(kind), &env, &len)) != TX_OK) {
        return rc;
    }
    tx_record_id(env, len, id);
    if ((rc = tx_rpc_submit(c, 1, &env, &len)) == TX_OK) {
        rc = tx_home_cache_put(home, env, len, NULL);
    }
    free(env);
    return rc;
}

int
tx_member_add(tx_client *c, const tx_member_args *a, uint8_t id[TX_ID_LEN])
{
    const tx_identity *me = tx_client_id(c);
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_member_pb m = TICSX__V1__MEMBER_RECORD__INIT;
    uint8_t sealed[TX_SEALED_KEY_LEN], org[TX_KEY_LEN];
    int rc;

    if ((rc = org_home_only(c, org)) != TX_OK) {
        return rc;
    }
    if (memcmp(a->person->sign, me->pub.sign, TX_KEY_LEN) == 0) {
        return tx_fail(TX_ERR_USAGE, "--key names this organisation's own key: a member makes "
                                     "its own keys with `ticsx keygen --member-of`");
    }
    /* The organisation's seal secret, sealed to the member: it reads what is granted to the
     * organisation (content keys are sealed to the organisation's seal key). */
    if (crypto_box_seal(sealed, me->sec->seal, TX_KEY_LEN, a->person->seal) != 0) {
        return tx_fail(TX_ERR_BAD_KEY, "cannot seal to the member's seal key");
    }
    m.meta = &meta;
    m.organisation = (ProtobufCBinaryData){TX_KEY_LEN, org};
    m.signing_key = (ProtobufCBinaryData){TX_KEY_LEN, (uint8_t *)a->person->sign};
    m.seal_key = (ProtobufCBinaryData){TX_KEY_LEN, (uint8_t *)a->person->seal};
    m.transport_key = (ProtobufCBinaryData){TX_KEY_LEN, (uint8_t *)a->person->curve};
    m.name = (char *)a->name;
    m.role = a->role;
    m.valid_from = a->from;
    m.valid_until = a->until;
    m.org_seal_key = (ProtobufCBinaryData){sizeof sealed, sealed};
    rc = tx_sign_submit(c, TX_KIND_MEMBER, &meta, &m.base, id);
    sodium_memzero(sealed, sizeof sealed);
    return rc;
}

int
tx_member_remove(tx_client *c, const uint8_t key[TX_KEY_LEN], int64_t effective,
                 uint8_t id[TX_ID_LEN])
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_member_remove_pb x = TICSX__V1__MEMBER_REMOVE__INIT;
    uint8_t org[TX_KEY_LEN];
    int rc;

    if ((rc = org_home_only(c, org)) != TX_OK) {
        return rc;
    }
    x.meta = &meta;
    x.organisation = (ProtobufCBinaryData){TX_KEY_LEN, org};
    x.signing_key = (ProtobufCBinaryData){TX_KEY_LEN, (uint8_t *)key};
    x.effective = effective;
    return tx_sign_submit(c, TX_KIND_MEMBER_REMOVE, &meta, &x.base, id);
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(((const tx_signer_info *)a)->name, ((const tx_signer_info *)b)->name);
}

/* One entry per person of org named in recs (already resolved ones skipped); as the user of
 * home counts them (tx_signer_resolve_for). */
static int
resolve_all(tx_home *home, const tx_recs *recs, const uint8_t org[TX_KEY_LEN], int64_t at,
            tx_signer_info **people, size_t *n)
{
    tx_signer_info *v = calloc(recs->n + 1, sizeof *v);

    if (v == NULL) {
        return tx_fail(TX_ERR_NOMEM, "out of memory");
    }
    *n = 0;
    for (size_t i = 0; i < recs->n; i++) {
        const tx_member_pb *m = (const tx_member_pb *)recs->v[i].msg;
        int seen = 0;

        if (recs->v[i].kind != TX_KIND_MEMBER) {
            continue;
        }
        for (size_t j = 0; j < *n && !seen; j++) {
            seen = memcmp(v[j].key, m->signing_key.data, TX_KEY_LEN) == 0;
        }
        if (!seen && tx_signer_resolve_for(recs, m->signing_key.data, at, home, &v[*n]) == TX_OK &&
            memcmp(v[*n].org, org, TX_KEY_LEN) == 0) {
            (*n)++;
        }
    }
    qsort(v, *n, sizeof *v, by_name);
    *people = v;
    return TX_OK;
}

int
tx_member_people(tx_client *c, const uint8_t org[TX_KEY_LEN], int64_t at, tx_recs *recs,
                 tx_signer_info **people, size_t *n)
{
    int rc = tx_people_list(c, recs);

    *people = NULL;
    *n = 0;
    return rc == TX_OK ? resolve_all(tx_client_home(c), recs, org, at, people, n) : rc;
}

int
tx_member_find(const tx_signer_info *people, size_t n, const char *who, const tx_signer_info **out)
{
    size_t hits = 0;

    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        char fp[TX_FP_LEN], kid[17];

        tx_fingerprint(people[i].key, fp);
        tx_key_id_hex(people[i].key, kid);
        if (strcmp(who, fp) == 0 || strcmp(who, kid) == 0 || strcmp(who, people[i].name) == 0) {
            *out = &people[i];
            hits++;
        }
    }
    if (hits > 1) {
        *out = NULL;
        return tx_fail(TX_ERR_USAGE,
                       "%zu members are named %s: give the fingerprint or key id "
                       "(ticsx member list)",
                       hits, who);
    }
    return hits == 1 ? TX_OK
                     : tx_fail(TX_ERR_NOT_FOUND,
                               "no member of your organisation is %s (ticsx "
                               "member list)",
                               who);
}

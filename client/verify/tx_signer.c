/* Resolving a signing key to its organisation through member records. */
#include "tx_signer.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_key_chain.h"
#include "tx_kinds.h"

#include "tx_msg.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[] = {
    [TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_VIEWER] = N_("viewer"),
    [TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_RESPONDER] = N_("responder"),
    [TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER] = N_("officer"),
    [TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN] = N_("admin"),
};

const char *
tx_signer_role_name(int role)
{
    return role > 0 && role <= TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN ? role_names[role] : "?";
}

int
tx_signer_role_parse(const char *word)
{
    for (int r = 1; r <= TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN; r++) {
        if (strcmp(word, role_names[r]) == 0) {
            return r;
        }
    }
    return 0;
}

/* The member record or removal rec, of `kind`, names `key` and is signed by the organisation
 * it names (its key or a successor of it); its organisation into org. */
static int
names(const tx_recs *records, tx_home *home, const tx_rec *rec, int kind,
      const uint8_t key[TX_KEY_LEN], const uint8_t **org)
{
    const ProtobufCBinaryData *o, *k;

    if (rec->kind != kind || rec->msg == NULL || rec->env == NULL) {
        return 0;
    }
    if (kind == TX_KIND_MEMBER) {
        o = &((const tx_member_pb *)rec->msg)->organisation;
        k = &((const tx_member_pb *)rec->msg)->signing_key;
    } else {
        o = &((const tx_member_remove_pb *)rec->msg)->organisation;
        k = &((const tx_member_remove_pb *)rec->msg)->signing_key;
    }
    *org = o->data;
    return memcmp(k->data, key, TX_KEY_LEN) == 0 &&
           tx_key_chain_holds_for(records, o->data, tx_rec_signer(rec), home);
}

static void
take(tx_signer_info *out, const tx_rec *rec)
{
    const tx_member_pb *m = (const tx_member_pb *)rec->msg;

    memcpy(out->org, m->organisation.data, TX_KEY_LEN);
    memcpy(out->key, m->signing_key.data, TX_KEY_LEN);
    memcpy(out->seal, m->seal_key.data, TX_KEY_LEN);
    memcpy(out->transport, m->transport_key.data, TX_KEY_LEN);
    snprintf(out->name, sizeof out->name, "%s", m->name);
    out->role = (int)m->role;
    out->from = m->valid_from;
    out->until = m->valid_until;
    out->seq = tx_kind_seq(TX_KIND_MEMBER, rec->msg);
    out->record = rec;
}

int
tx_signer_reader(tx_home *home, const tx_recs *records, tx_identity **out)
{
    const tx_identity *me = tx_home_identity(home);
    const tx_member_pb *m;
    tx_signer_info si;
    tx_identity *r;
    uint8_t org[TX_KEY_LEN];
    int is_member, rc = tx_home_org(home, org, &is_member);

    *out = NULL;
    if (rc != TX_OK || !is_member) {
        return rc;
    }
    if (tx_signer_resolve(records, me->pub.sign, tx_now(), &si) != TX_OK ||
        memcmp(si.org, org, TX_KEY_LEN) != 0) {
        return tx_fail(TX_ERR_NOT_FOUND, "no member record of this home's key by its "
                                         "organisation is cached: run ticsx fetch, or ask the "
                                         "organisation to add this member");
    }
    if ((r = calloc(1, sizeof *r)) == NULL || (r->sec = sodium_malloc(sizeof *r->sec)) == NULL) {
        free(r);
        return tx_fail(TX_ERR_NOMEM, "out of memory");
    }
    memcpy(r->pub.sign, org, TX_KEY_LEN);
    if (si.is_key) {
        /* The organisation's own key in force (ticsx key rotate): its seal key is the home's. */
        memcpy(r->sec->seal, me->sec->seal, TX_KEY_LEN);
        memcpy(r->pub.seal, me->pub.seal, TX_KEY_LEN);
        *out = r;
        return TX_OK;
    }
    m = (const tx_member_pb *)si.record->msg;
    if (m->org_seal_key.len != TX_SEALED_KEY_LEN ||
        crypto_box_seal_open(r->sec->seal, m->org_seal_key.data, TX_SEALED_KEY_LEN, me->pub.seal,
                             me->sec->seal) != 0) {
        tx_identity_destroy(&r);
        return tx_fail(TX_ERR_WRONG_KEY, "this member's record gives it no key to read what is "
                                         "granted to the organisation");
    }
    crypto_scalarmult_base(r->pub.seal, r->sec->seal);
    *out = r;
    return TX_OK;
}

/* `key` as an organisation's own key: a successor in a valid chain from its organisation
 * (acting from its effective date), or an enrolled key that names a successor; until the
 * successor it names takes over. TX_ERR_NOT_FOUND when neither. */
/* What the record `rec` (a successor or re-enrolment naming the key) says of it. */
static void
named_key(tx_signer_info *out, const tx_rec *rec, const ProtobufCBinaryData *org,
          const ProtobufCBinaryData *seal, const ProtobufCBinaryData *transport, int64_t from)
{
    memcpy(out->org, org->data, TX_KEY_LEN);
    memcpy(out->seal, seal->data, TX_KEY_LEN);
    memcpy(out->transport, transport->data, TX_KEY_LEN);
    out->from = from;
    out->seq = tx_kind_seq(rec->kind, rec->msg);
    out->record = rec;
}

/* The hub operator re-enrolled the organisation because this key was lost: it stops at the
 * re-enrolment, and what it signed from `compromised_from`, or logged after the re-enrolment,
 * is suspect (as a revocation says). */
static void
lost(const tx_recs *records, tx_signer_info *out)
{
    const tx_rec *r = tx_key_chain_reenrolled(records, out->org, out->key, 1);
    const tx_key_reenrolment_pb *e = r != NULL ? (const tx_key_reenrolment_pb *)r->msg : NULL;
    char d[16];

    if (e == NULL) {
        return;
    }
    if (e->effective < out->removed) {
        out->removed = e->effective;
    }
    if (e->compromised_from != 0 && e->compromised_from < out->revoked_from) {
        out->revoked_from = e->compromised_from;
    }
    if (r->index != 0 && (out->revoked_index == 0 || r->index < out->revoked_index)) {
        out->revoked_index = r->index;
    }
    tx_format_date(d, sizeof d, e->effective);
    snprintf(out->revoked_reason, sizeof out->revoked_reason,
             _("lost; re-enrolled by the hub operator on %s (corporate number %s checked)"), d,
             e->corporate_number);
}

static int
resolve_key(const tx_recs *records, const uint8_t key[TX_KEY_LEN], int64_t at, tx_signer_info *out)
{
    const tx_rec *named = tx_key_chain_find(records, NULL, key, 0);
    const tx_rec *next;
    const tx_key_successor_pb *r;

    if (named != NULL) {
        r = (const tx_key_successor_pb *)named->msg;
        if (!tx_key_chain_holds(records, r->organisation.data, key)) {
            return TX_ERR_NOT_FOUND;
        }
        named_key(out, named, &r->organisation, &r->seal_key, &r->transport_key, r->effective);
    } else if ((named = tx_key_chain_reenrolled(records, NULL, key, 0)) != NULL) {
        const tx_key_reenrolment_pb *e = (const tx_key_reenrolment_pb *)named->msg;

        named_key(out, named, &e->organisation, &e->seal_key, &e->transport_key, e->effective);
        out->reenrolled = 1;
    } else if (tx_key_chain_find(records, key, key, 1) != NULL ||
               tx_key_chain_reenrolled(records, key, key, 1) != NULL) {
        memcpy(out->org, key, TX_KEY_LEN); /* the enrolled key: its seal key is its profile's */
        out->from = INT64_MIN;
    } else {
        return TX_ERR_NOT_FOUND;
    }
    memcpy(out->key, key, TX_KEY_LEN);
    out->role = TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN;
    out->is_key = 1;
    if ((next = tx_key_chain_find(records, out->org, key, 1)) != NULL) {
        out->removed = ((const tx_key_successor_pb *)next->msg)->effective;
    }
    lost(records, out);
    /* The second of the rotation is both keys' (times are whole seconds). */
    out->acts = out->from <= at && at <= out->removed;
    return TX_OK;
}

/* The key revocations of `key` by its organisation (signed by a key of its chain) into out. */
static void
revocations(const tx_recs *records, const uint8_t key[TX_KEY_LEN], tx_signer_info *out)
{
    for (size_t i = 0; i < records->n; i++) {
        const tx_rec *r = &records->v[i];
        const tx_key_revocation_pb *x = (const tx_key_revocation_pb *)r->msg;

        if (r->kind != TX_KIND_KEY_REVOCATION || x == NULL || r->env == NULL ||
            memcmp(x->key.data, key, TX_KEY_LEN) != 0 ||
            memcmp(x->organisation.data, out->org, TX_KEY_LEN) != 0 ||
            !tx_key_chain_holds(records, out->org, tx_rec_signer(r))) {
            continue;
        }
        if (x->from < out->revoked_from) {
            out->revoked_from = x->from;
            snprintf(out->revoked_reason, sizeof out->revoked_reason, "%s", x->reason);
        }
        if (x->from_index != 0 && (out->revoked_index == 0 || x->from_index < out->revoked_index)) {
            out->revoked_index = x->from_index;
        }
    }
}

int
tx_signer_compromised(const tx_signer_info *info, int64_t at, uint64_t index)
{
    return at >= info->revoked_from ||
           (info->revoked_index != 0 && index != 0 && index >= info->revoked_index);
}

static int
resolve(const tx_recs *records, tx_home *home, const uint8_t key[TX_KEY_LEN], int64_t at,
        tx_signer_info *out)
{
    const uint8_t *org;

    memset(out, 0, sizeof *out);
    out->removed = INT64_MAX;
    out->revoked_from = INT64_MAX;
    for (size_t i = 0; i < records->n; i++) {
        const tx_rec *r = &records->v[i];

        if (!names(records, home, r, TX_KIND_MEMBER, key, &org)) {
            continue;
        }
        if (out->record != NULL && memcmp(org, out->org, TX_KEY_LEN) != 0) {
            /* Two organisations name the same person: neither may claim what it signed. */
            memset(out, 0, sizeof *out);
            return TX_ERR_EXISTS;
        }
        if (out->record == NULL || tx_kind_seq(TX_KIND_MEMBER, r->msg) > out->seq) {
            take(out, r);
        }
    }
    if (out->record == NULL) {
        return resolve_key(records, key, at, out);
    }
    for (size_t i = 0; i < records->n; i++) {
        const tx_rec *r = &records->v[i];
        const tx_member_remove_pb *x = (const tx_member_remove_pb *)r->msg;

        if (names(records, home, r, TX_KIND_MEMBER_REMOVE, key, &org) &&
            memcmp(org, out->org, TX_KEY_LEN) == 0 &&
            tx_kind_seq(TX_KIND_MEMBER_REMOVE, r->msg) > out->seq && x->effective < out->removed) {
            out->removed = x->effective;
        }
    }
    out->acts = out->from <= at && (out->until == 0 || at < out->until) && at < out->removed;
    return TX_OK;
}

int
tx_signer_resolve_for(const tx_recs *records, const uint8_t key[TX_KEY_LEN], int64_t at,
                      tx_home *home, tx_signer_info *out)
{
    int rc = resolve(records, home, key, at, out);

    if (rc == TX_OK) {
        revocations(records, key, out);
    }
    return rc;
}

int
tx_signer_resolve(const tx_recs *records, const uint8_t key[TX_KEY_LEN], int64_t at,
                  tx_signer_info *out)
{
    return tx_signer_resolve_for(records, key, at, NULL, out);
}

/* Key successors: an organisation's key names the key that replaces it. */
#include "tx_ingest_keys.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_key_proof.h"
#include "tx_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int
forbidden(tx_outcome *res, const char *what)
{
    return tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN, "%s", what);
}

/* The successor's keys are new at this hub: no enrolled organisation's, no person's or other
 * successor's (signing or transport). */
static int
keys_free(tx_batch *b, const uint8_t signing[TX_KEY_LEN], const uint8_t transport[TX_KEY_LEN],
          tx_outcome *res)
{
    uint8_t owner[TX_KEY_LEN];
    uint64_t at;
    tx_person p;
    int rc = tx_batch_member(b, signing, &at);

    if (rc == TX_ERR_NOT_FOUND) {
        rc = tx_batch_person(b, TX_PERSON_BY_KEY, signing, &p);
    }
    if (rc == TX_ERR_NOT_FOUND) {
        rc = tx_batch_transport_owner(b, transport, owner);
    }
    if (rc == TX_ERR_NOT_FOUND) {
        rc = tx_batch_person(b, TX_PERSON_BY_TRANSPORT, transport, &p);
    }
    if (rc == TX_OK) {
        return forbidden(res, "a key of the successor is already in use at this hub; make new "
                              "keys with `ticsx key rotate`");
    }
    return rc == TX_ERR_NOT_FOUND ? TX_OK : tx_outcome_storage(res, rc);
}

int
tx_ingest_key_successor(tx_batch *b, const uint8_t signer[TX_KEY_LEN],
                        const uint8_t author[TX_KEY_LEN], const tx_key_successor_pb *r,
                        tx_outcome *res)
{
    char fp[TX_FP_LEN];
    int64_t at;
    int rc;

    if (!tx_key_proof_ok(r)) {
        return tx_outcome_set(res, TX_STATUS_BAD_SIGNATURE, TX_ERR_BAD_SIGNATURE,
                              "the key successor's proof is not its signing key's signature of "
                              "the record; the successor must sign it");
    }
    if (memcmp(r->organisation.data, author, TX_KEY_LEN) != 0 ||
        memcmp(r->predecessor.data, signer, TX_KEY_LEN) != 0) {
        return forbidden(res, "a key successor names its own organisation and the key that "
                              "signs it as the key it replaces");
    }
    rc = tx_batch_key_replaced(b, signer, &at);
    if (rc == TX_OK) {
        tx_fingerprint(signer, fp);
        return tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                              "%s already names a successor; a key is replaced once", fp);
    }
    if (rc != TX_ERR_NOT_FOUND) {
        return tx_outcome_storage(res, rc);
    }
    return keys_free(b, r->signing_key.data, r->transport_key.data, res);
}

/* Whether `key` is one of `author`'s people or a key of its own that a successor replaced. */
static int
revocable(tx_batch *b, const uint8_t author[TX_KEY_LEN], const uint8_t key[TX_KEY_LEN], int *yes)
{
    tx_person p;
    int64_t at;
    int rc = tx_batch_person(b, TX_PERSON_BY_KEY, key, &p);

    *yes = 0;
    if (rc == TX_OK) {
        *yes = memcmp(p.org, author, TX_KEY_LEN) == 0 && (!p.is_key || p.removed != INT64_MAX);
        return TX_OK;
    }
    if (rc != TX_ERR_NOT_FOUND) {
        return rc;
    }
    if (memcmp(key, author, TX_KEY_LEN) != 0) {
        return TX_OK;
    }
    rc = tx_batch_key_replaced(b, key, &at);
    *yes = rc == TX_OK;
    return rc == TX_ERR_NOT_FOUND ? TX_OK : rc;
}

int
tx_ingest_key_revocation(tx_batch *b, const uint8_t signer[TX_KEY_LEN],
                         const uint8_t author[TX_KEY_LEN], const tx_key_revocation_pb *r,
                         tx_outcome *res)
{
    char fp[TX_FP_LEN];
    int yes, rc;

    if (memcmp(r->organisation.data, author, TX_KEY_LEN) != 0) {
        return forbidden(res, "a key revocation names the organisation whose key signs it");
    }
    if (memcmp(r->key.data, signer, TX_KEY_LEN) == 0) {
        return forbidden(res, "the key in force cannot revoke itself: name a successor first "
                              "(ticsx key rotate), then revoke the old key");
    }
    if (r->from > (int64_t)time(NULL)) {
        return forbidden(res, "a key is reported lost from a date not in the future");
    }
    if ((rc = revocable(b, author, r->key.data, &yes)) != TX_OK) {
        return tx_outcome_storage(res, rc);
    }
    if (!yes) {
        tx_fingerprint(r->key.data, fp);
        return tx_outcome_set(res, TX_STATUS_MISSING_REFERENCE, TX_ERR_MISSING_REF,
                              "%s is neither a member of your organisation nor a key of it a "
                              "successor replaced",
                              fp);
    }
    return TX_OK;
}

/* The enrolled organisation whose legal name and corporate number the new profile p carries,
 * and which `replaces` names (its fingerprint): into org. */
static int
enrolled_match(tx_batch *b, const tx_profile_pb *p, const uint8_t signer[TX_KEY_LEN],
               const char *replaces, uint8_t org[TX_KEY_LEN], tx_outcome *res)
{
    char fp[TX_FP_LEN];
    uint64_t index;
    int rc;

    if (p->corporate_number[0] == 0) {
        return forbidden(res, "a re-enrolment is checked by corporate number: the new profile "
                              "carries none (ticsx keygen --corporate-number)");
    }
    rc = tx_batch_find_member(b, p->legal_name, p->corporate_number, signer, org, &index);
    if (rc == TX_ERR_NOT_FOUND) {
        return tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                              "no enrolled organisation has the legal name \"%s\" and corporate "
                              "number %s of the new profile: nothing re-enrolled",
                              p->legal_name, p->corporate_number);
    }
    if (rc != TX_OK) {
        return tx_outcome_storage(res, rc);
    }
    tx_fingerprint(org, fp);
    if (strcmp(fp, replaces) != 0) {
        return tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                              "%s is not the enrolled organisation with corporate number %s "
                              "(that is %s): nothing re-enrolled",
                              replaces, p->corporate_number, fp);
    }
    return TX_OK;
}

/* The re-enrolment record, signed by the hub's key with its next sequence number. */
static int
sign_reenrolment(tx_batch *b, const tx_identity *hub, tx_key_reenrolment_pb *r, uint8_t **env,
                 size_t *len, uint64_t *seq, tx_outcome *res)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    uint64_t last;
    int rc = tx_batch_last_seq(b, hub->pub.sign, &last);

    if (rc != TX_OK) {
        return tx_outcome_storage(res, rc);
    }
    meta.seq = *seq = last + 1;
    meta.created = r->effective;
    r->meta = &meta;
    rc = tx_envelope_sign_msg(hub, TX_KIND_KEY_REENROLMENT, &r->base, env, len);
    r->meta = NULL;
    return rc == TX_OK
               ? TX_OK
               : tx_outcome_set(res, TX_STATUS_INTERNAL, rc, "cannot sign: %s", tx_strerror(rc));
}

/* In batch b: the checks, then the record appended. */
static int
reenrol_in(tx_batch *b, const tx_identity *hub, const tx_reenrol_args *a, tx_outcome *res)
{
    tx_envelope_pb *env = NULL;
    ProtobufCMessage *msg = NULL;
    tx_key_reenrolment_pb r = TICSX__V1__KEY_REENROLMENT__INIT;
    uint8_t org[TX_KEY_LEN], lost[TX_KEY_LEN], *rec = NULL;
    uint64_t seq = 0;
    size_t len;
    const tx_profile_pb *p;
    int rc = tx_envelope_open_as(a->profile, a->profile_len, TX_KIND_PROFILE, &env, &msg);

    if (rc != TX_OK) {
        return tx_outcome_set(res, TX_STATUS_BAD_REQUEST, rc,
                              "the new profile is no signed profile: %s", tx_codec_detail());
    }
    p = (const tx_profile_pb *)msg;
    if ((rc = enrolled_match(b, p, env->signer_key.data, a->replaces, org, res)) == TX_OK &&
        (rc = tx_batch_key_in_force(b, org, a->now, lost)) != TX_OK) {
        rc = tx_outcome_storage(res, rc);
    }
    if (rc == TX_OK) {
        rc = keys_free(b, env->signer_key.data, p->transport_key.data, res);
    }
    if (rc == TX_OK) {
        r.organisation = (ProtobufCBinaryData){TX_KEY_LEN, org};
        r.replaces = (ProtobufCBinaryData){TX_KEY_LEN, lost};
        r.signing_key = env->signer_key;
        r.seal_key = p->seal_key;
        r.transport_key = p->transport_key;
        r.effective = a->now;
        r.compromised_from = a->compromised_from;
        r.corporate_number = p->corporate_number;
        r.profile = (ProtobufCBinaryData){a->profile_len, (uint8_t *)a->profile};
        rc = sign_reenrolment(b, hub, &r, &rec, &len, &seq, res);
    }
    if (rc == TX_OK && (rc = tx_batch_append(b, rec, len, TX_KIND_KEY_REENROLMENT, hub->pub.sign,
                                             seq, NULL, 0, &res->receipt)) != TX_OK) {
        rc = tx_outcome_storage(res, rc);
    }
    free(rec);
    tx_free(msg);
    tx_free(env);
    return rc;
}

int
tx_ingest_reenrol(tx_store *s, const tx_identity *hub, const tx_reenrol_args *a, tx_outcome *res)
{
    tx_batch *b = NULL;
    int rc;

    memset(res, 0, sizeof *res);
    if ((rc = tx_store_begin(s, &b)) != TX_OK) {
        return tx_outcome_storage(res, rc);
    }
    if ((rc = reenrol_in(b, hub, a, res)) == TX_OK && (rc = tx_batch_commit(&b)) != TX_OK) {
        tx_outcome_storage(res, rc);
    }
    tx_batch_abort(&b);
    if (rc == TX_OK) {
        tx_outcome_set(res, TX_STATUS_OK, TX_OK, "re-enrolled as %llu",
                       (unsigned long long)res->receipt.index);
    }
    return res->status == TX_STATUS_OK || res->status == TX_STATUS_FORBIDDEN ||
                   res->status == TX_STATUS_BAD_REQUEST
               ? TX_OK
               : rc;
}

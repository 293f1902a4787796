/* Key successors: an organisation's key names the key that replaces it. */
#include "tx_ingest_keys.h"

#include "tx_error.h"
#include "tx_key_proof.h"
#include "tx_keys.h"

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
keys_free(tx_batch *b, const tx_key_successor_pb *r, tx_outcome *res)
{
    uint8_t owner[TX_KEY_LEN];
    uint64_t at;
    tx_person p;
    int rc = tx_batch_member(b, r->signing_key.data, &at);

    if (rc == TX_ERR_NOT_FOUND) {
        rc = tx_batch_person(b, TX_PERSON_BY_KEY, r->signing_key.data, &p);
    }
    if (rc == TX_ERR_NOT_FOUND) {
        rc = tx_batch_transport_owner(b, r->transport_key.data, owner);
    }
    if (rc == TX_ERR_NOT_FOUND) {
        rc = tx_batch_person(b, TX_PERSON_BY_TRANSPORT, r->transport_key.data, &p);
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
    return keys_free(b, r, res);
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

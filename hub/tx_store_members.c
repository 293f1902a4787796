/* Membership: enrolling an organisation's profile, and the transport-key allow-list that ZAP
 * reads. A newer profile of a member moves its transport key; the old key stops admitting. */
#include "tx_store_int.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"

#include <string.h>

/* The transport key named by the profile stored at index. */
static int
profile_transport(tx_batch *b, uint64_t index, uint8_t transport[TX_KEY_LEN])
{
    tx_envelope_pb *env;
    ProtobufCMessage *msg;
    int rc = tx_batch_envelope(b, index, &env);

    if (rc != TX_OK) {
        return rc;
    }
    if (tx_decode_payload(env, TX_KIND_PROFILE, &msg) != TX_OK) {
        tx_error("store: profile at %llu does not decode (%s); the data file is damaged",
                 (unsigned long long)index, tx_codec_detail());
        tx_free(env);
        return TX_ERR_STORAGE;
    }
    memcpy(transport, ((tx_profile_pb *)msg)->transport_key.data, TX_KEY_LEN);
    tx_free(msg);
    tx_free(env);
    return TX_OK;
}

int
tx_batch_enroll(tx_batch *b, const uint8_t *env, size_t len, const uint8_t signer[TX_KEY_LEN],
                uint64_t seq, const uint8_t transport[TX_KEY_LEN], tx_receipt *receipt)
{
    uint8_t ikey[TX_IDX_LEN];
    uint8_t old[TX_KEY_LEN];
    MDB_val k = {TX_KEY_LEN, (void *)transport}, v;
    uint64_t index, old_index;
    int kind;
    int rc;

    memset(receipt, 0, sizeof *receipt);
    if (b->err != TX_OK) {
        return b->err;
    }
    tx_record_id(env, len, receipt->id);
    if ((rc = tx_batch_lookup(b, receipt->id, &index, &kind)) == TX_OK) {
        receipt->index = index;
        receipt->duplicate = 1;
        return TX_OK;
    }
    if (rc != TX_ERR_NOT_FOUND) {
        return rc;
    }
    rc = tx_batch_read_rc(b, tx_store_err(mdb_get(b->txn, b->s->transports, &k, &v), "transports"));
    if (rc == TX_OK && (v.mv_size != TX_KEY_LEN || memcmp(v.mv_data, signer, TX_KEY_LEN) != 0)) {
        return TX_ERR_EXISTS;
    }
    if (rc != TX_OK && rc != TX_ERR_NOT_FOUND) {
        return rc;
    }
    /* A newer profile with another transport key: the old key stops admitting anyone. */
    rc = tx_batch_member(b, signer, &old_index);
    if (rc == TX_OK) {
        if ((rc = profile_transport(b, old_index, old)) != TX_OK) {
            return rc;
        }
        if (memcmp(old, transport, TX_KEY_LEN) != 0) {
            MDB_val ok = {TX_KEY_LEN, old};
            int mrc = mdb_del(b->txn, b->s->transports, &ok, NULL);
            if (mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
                b->err = tx_store_err(mrc, "transports");
                return b->err;
            }
        }
    } else if (rc != TX_ERR_NOT_FOUND) {
        return rc;
    }
    if ((rc = tx_batch_append(b, env, len, TX_KIND_PROFILE, signer, seq, NULL, 0, receipt)) !=
        TX_OK) {
        return rc;
    }
    tx_be64_put(ikey, receipt->index);
    if ((rc = tx_batch_put(b, b->s->members, signer, TX_KEY_LEN, ikey, sizeof ikey, 0,
                           "members")) != TX_OK ||
        (rc = tx_batch_put(b, b->s->transports, transport, TX_KEY_LEN, signer, TX_KEY_LEN, 0,
                           "transports")) != TX_OK) {
        return rc;
    }
    return TX_OK;
}

int
tx_batch_find_member(tx_batch *b, const char *legal_name, const char *corporate_number,
                     const uint8_t except[TX_KEY_LEN], uint8_t found[TX_KEY_LEN], uint64_t *index)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int mrc, rc;

    if (b->err != TX_OK) {
        return b->err;
    }
    if ((rc = tx_store_err(mdb_cursor_open(b->txn, b->s->members, &cur), "members")) != TX_OK) {
        return tx_batch_read_rc(b, rc);
    }
    rc = TX_ERR_NOT_FOUND;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == MDB_SUCCESS && rc == TX_ERR_NOT_FOUND;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        uint8_t signer[TX_KEY_LEN];
        uint64_t at;
        tx_envelope_pb *env;
        ProtobufCMessage *msg;
        const tx_profile_pb *p;

        if (k.mv_size != TX_KEY_LEN || v.mv_size != TX_IDX_LEN) {
            continue;
        }
        memcpy(signer, k.mv_data, TX_KEY_LEN);
        at = tx_be64_get(v.mv_data);
        if (memcmp(signer, except, TX_KEY_LEN) == 0) {
            continue;
        }
        /* The reads below move no cursor of members. */
        if ((rc = tx_batch_envelope(b, at, &env)) != TX_OK) {
            break;
        }
        rc = TX_ERR_NOT_FOUND;
        if (tx_decode_payload(env, TX_KIND_PROFILE, &msg) != TX_OK) {
            tx_free(env);
            continue;
        }
        p = (const tx_profile_pb *)msg;
        if (strcmp(p->corporate_number, corporate_number) == 0 &&
            (corporate_number[0] != 0 || strcmp(p->legal_name, legal_name) == 0)) {
            memcpy(found, signer, TX_KEY_LEN);
            *index = at;
            rc = TX_OK;
        }
        tx_free(msg);
        tx_free(env);
    }
    mdb_cursor_close(cur);
    if (rc == TX_ERR_NOT_FOUND && mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        rc = tx_batch_read_rc(b, tx_store_err(mrc, "walk members"));
    }
    return rc;
}

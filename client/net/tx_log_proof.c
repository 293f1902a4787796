/* The hub's log over the wire: its checkpoints and proofs asked for, and each proof checked
 * (RFC 9162) before anything is believed. */
#include "tx_log_proof.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_log.h"
#include "tx_merkle.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int
tx_log_checkpoint(tx_conn *conn, const uint8_t hub_sign[32], tx_checkpoint *out)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_reply_pb *r = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    call.body_case = TICSX__V1__CALL__BODY_CHECKPOINT;
    call.checkpoint = 1;
    if ((rc = tx_conn_call(conn, &call, &r)) != TX_OK) {
        return rc;
    }
    if (r->status != TX_STATUS_OK) {
        rc = tx_conn_refused(r, "%s", _("to give its checkpoint"));
    } else {
        rc = tx_checkpoint_open(r->checkpoint.data, r->checkpoint.len, hub_sign, out);
    }
    tx_free(r);
    return rc;
}

int
tx_log_witnessed(tx_conn *conn, const uint8_t hub_sign[32], const tx_pubkey *keys, size_t n,
                 unsigned quorum, tx_checkpoint *out)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_witnessed_pb q = TICSX__V1__WITNESSED__INIT;
    ProtobufCBinaryData *bins;
    tx_reply_pb *r = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((bins = calloc(n ? n : 1, sizeof *bins)) == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        bins[i].data = (uint8_t *)keys[i].sign;
        bins[i].len = 32;
    }
    q.witness_keys = bins;
    q.n_witness_keys = n;
    q.quorum = quorum;
    call.body_case = TICSX__V1__CALL__BODY_WITNESSED;
    call.witnessed = &q;
    rc = tx_conn_call(conn, &call, &r);
    free(bins);
    if (rc != TX_OK) {
        return rc;
    }
    if (r->status == TX_STATUS_NOT_FOUND) {
        rc = tx_fail(TX_ERR_NOT_FOUND, "the hub has no checkpoint with the witness quorum: %s",
                     r->message);
    } else if (r->status != TX_STATUS_OK) {
        rc = tx_conn_refused(r, "%s", _("to give its newest witnessed checkpoint"));
    } else {
        rc = tx_checkpoint_open(r->checkpoint.data, r->checkpoint.len, hub_sign, out);
    }
    tx_free(r);
    return rc;
}

int
tx_log_proof_of(const tx_reply_pb *r, uint8_t path[][32], size_t *n)
{
    *n = 0;
    if (r->n_proof > TX_MERKLE_MAX_PATH) {
        return tx_fail(TX_ERR_MALFORMED, "the hub's proof has %zu hashes, more than any tree needs",
                       r->n_proof);
    }
    for (size_t i = 0; i < r->n_proof; i++) {
        if (r->proof[i].len != 32) {
            return tx_fail(TX_ERR_MALFORMED, "the hub's proof holds a hash of %zu bytes",
                           r->proof[i].len);
        }
        memcpy(path[i], r->proof[i].data, 32);
    }
    *n = r->n_proof;
    return TX_OK;
}

int
tx_log_verify_inclusion(const tx_reply_pb *r, uint64_t index, uint64_t size, const uint8_t leaf[32],
                        const uint8_t root[32])
{
    uint8_t path[TX_MERKLE_MAX_PATH][32];
    char hex[65];
    size_t n;
    int rc;

    if (r->status != TX_STATUS_OK) {
        return tx_conn_refused(r, "%s", _("an inclusion proof"));
    }
    if ((rc = tx_log_proof_of(r, path, &n)) != TX_OK) {
        return rc;
    }
    if (index == 0 || tx_merkle_verify_inclusion(index - 1, size, leaf, (const uint8_t(*)[32])path,
                                                 n, root) != TX_OK) {
        tx_hex(hex, root, 32);
        return tx_fail(TX_ERR_CHECKSUM,
                       "the record at log index %" PRIu64 " is not in the hub's signed log of "
                       "%" PRIu64 " records (root %.16s): its inclusion proof fails",
                       index, size, hex);
    }
    return TX_OK;
}

int
tx_log_verify_consistency(const tx_reply_pb *r, uint64_t old_size, const uint8_t old_root[32],
                          uint64_t new_size, const uint8_t new_root[32])
{
    uint8_t path[TX_MERKLE_MAX_PATH][32];
    char a[65], b[65];
    size_t n;
    int rc;

    if (r->status != TX_STATUS_OK) {
        return tx_conn_refused(r, "%s", _("a consistency proof"));
    }
    if ((rc = tx_log_proof_of(r, path, &n)) != TX_OK) {
        return rc;
    }
    if (tx_merkle_verify_consistency(old_size, new_size, old_root, new_root,
                                     (const uint8_t(*)[32])path, n) != TX_OK) {
        tx_hex(a, old_root, 32);
        tx_hex(b, new_root, 32);
        return tx_fail(TX_ERR_CHECKSUM,
                       "the hub's log of %" PRIu64 " records (root %.16s) is not a prefix of its "
                       "log of %" PRIu64 " records (root %.16s): the consistency proof fails",
                       old_size, a, new_size, b);
    }
    return TX_OK;
}

int
tx_log_send_inclusion(tx_conn *conn, uint64_t index, uint64_t size, uint64_t *id)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_inclusion_proof_pb q = TICSX__V1__INCLUSION_PROOF__INIT;

    q.index = index;
    q.size = size;
    call.body_case = TICSX__V1__CALL__BODY_INCLUSION;
    call.inclusion = &q;
    return tx_conn_send(conn, &call, id);
}

int
tx_log_send_consistency(tx_conn *conn, uint64_t old_size, uint64_t new_size, uint64_t *id)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_consistency_proof_pb q = TICSX__V1__CONSISTENCY_PROOF__INIT;

    q.old_size = old_size;
    q.new_size = new_size;
    call.body_case = TICSX__V1__CALL__BODY_CONSISTENCY;
    call.consistency = &q;
    return tx_conn_send(conn, &call, id);
}

int
tx_log_consistency_path(tx_conn *conn, uint64_t old_size, uint64_t new_size, uint8_t path[][32],
                        size_t *n)
{
    tx_reply_pb *r = NULL;
    uint64_t id;
    int rc;

    *n = 0;
    if ((rc = tx_log_send_consistency(conn, old_size, new_size, &id)) != TX_OK ||
        (rc = tx_conn_wait(conn, id, &r)) != TX_OK) {
        return rc;
    }
    if (r->status != TX_STATUS_OK) {
        /* A hub that will not prove its new log extends the old one shows no proof: the
         * judgement then fails like a bad proof. */
        tx_warn(_("hub refused a consistency proof: %s: %s"), tx_status_text(r->status),
                r->message);
    } else if (tx_log_proof_of(r, path, n) != TX_OK) {
        tx_warn("%s", tx_fail_msg());
        *n = 0; /* a malformed proof is judged as no proof */
    }
    tx_free(r);
    return TX_OK;
}

/* Pipelined list / get / submit / ping against the hub, checking everything it returns. */
#include "tx_rpc.h"

#include "tx_audit.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIST_PAGE 1000
#define WINDOW 256 /* calls in flight at once; well under the socket's high-water mark */

static int
send_list(tx_conn *conn, int kind, uint64_t after, uint64_t *id)
{
    Ticsx__V1__Call call = TICSX__V1__CALL__INIT;
    Ticsx__V1__ListRecords list = TICSX__V1__LIST_RECORDS__INIT;

    list.kind = (Ticsx__V1__Kind)kind;
    list.after = after;
    list.limit = LIST_PAGE;
    call.body_case = TICSX__V1__CALL__BODY_LIST;
    call.list = &list;
    return tx_conn_send(conn, &call, id);
}

static int
refused(const char *what, const tx_reply_pb *r)
{
    return tx_fail(TX_ERR_REFUSED, "hub refused to %s: %s%s%s", what, tx_status_name(r->status),
                   r->message[0] ? ": " : "", r->message);
}

/* Copies and opens every entry of a list reply; drops (with a warning) what does not check. */
static int
take_entries(const tx_reply_pb *r, int kind, tx_recs *out)
{
    for (size_t k = 0; k < r->n_entries; k++) {
        const Ticsx__V1__Entry *e = r->entries[k];
        tx_rec rec = {0};
        uint8_t *bytes;
        int rc;

        if (e->envelope.len == 0) {
            continue;
        }
        bytes = malloc(e->envelope.len);
        if (bytes == NULL) {
            return TX_ERR_NOMEM;
        }
        memcpy(bytes, e->envelope.data, e->envelope.len);
        rec.index = e->index;
        if ((rc = tx_rec_open(&rec, bytes, e->envelope.len, kind)) != TX_OK) {
            tx_warn("ignoring %s at hub index %" PRIu64 ": %s", tx_kind_name(kind), e->index,
                    tx_fail_msg());
            tx_rec_clear(&rec);
            continue;
        }
        if ((rc = tx_recs_push(out, &rec)) != TX_OK) {
            tx_rec_clear(&rec);
            return rc;
        }
    }
    return TX_OK;
}

int
tx_rpc_list(tx_client *c, size_t n, const int *kinds, const uint64_t *after, tx_recs *out)
{
    uint64_t *ids = calloc(n ? n : 1, sizeof *ids);
    uint64_t *cur = calloc(n ? n : 1, sizeof *cur);
    int *open = calloc(n ? n : 1, sizeof *open);
    tx_conn *conn;
    size_t left = n;
    int rc;

    if (ids == NULL || cur == NULL || open == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    if ((rc = tx_client_conn(c, &conn)) != TX_OK) {
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        cur[i] = after != NULL ? after[i] : 0;
        if ((rc = send_list(conn, kinds[i], cur[i], &ids[i])) != TX_OK) {
            rc = tx_client_conn_fail(c, rc);
            goto out;
        }
        open[i] = 1;
    }
    while (left > 0) {
        for (size_t i = 0; i < n; i++) {
            tx_reply_pb *r;
            char what[64];

            if (!open[i]) {
                continue;
            }
            if ((rc = tx_conn_wait(conn, ids[i], &r)) != TX_OK) {
                rc = tx_client_conn_fail(c, rc);
                goto out;
            }
            if (r->status != TICSX__V1__STATUS__OK) {
                snprintf(what, sizeof what, "list %s records", tx_kind_name(kinds[i]));
                rc = refused(what, r);
                tx_free(r);
                goto out;
            }
            rc = take_entries(r, kinds[i], &out[i]);
            /* Continue only while the hub says more may follow and makes progress. */
            if (rc == TX_OK && r->next > cur[i] && r->n_entries > 0) {
                cur[i] = r->next;
                rc = send_list(conn, kinds[i], cur[i], &ids[i]);
                if (rc != TX_OK) {
                    rc = tx_client_conn_fail(c, rc);
                }
            } else {
                open[i] = 0;
                left--;
            }
            tx_free(r);
            if (rc != TX_OK) {
                goto out;
            }
        }
    }
    rc = TX_OK;
out:
    free(ids);
    free(cur);
    free(open);
    return rc;
}

static int
send_get(tx_conn *conn, const uint8_t id[TX_ID_LEN], uint64_t *call_id)
{
    Ticsx__V1__Call call = TICSX__V1__CALL__INIT;
    Ticsx__V1__Get get = TICSX__V1__GET__INIT;

    get.record_id.data = (uint8_t *)id;
    get.record_id.len = TX_ID_LEN;
    call.body_case = TICSX__V1__CALL__BODY_GET;
    call.get = &get;
    return tx_conn_send(conn, &call, call_id);
}

static int
take_get(const tx_reply_pb *r, const uint8_t id[TX_ID_LEN], int kind, tx_rec *out)
{
    char hex[2 * TX_ID_LEN + 1];
    uint8_t got[TX_ID_LEN];
    uint8_t *bytes;
    size_t len;

    tx_hex(hex, id, TX_ID_LEN);
    if (r->status == TICSX__V1__STATUS__NOT_FOUND) {
        return tx_fail(TX_ERR_NOT_FOUND, "%s %.12s not found on the hub", tx_kind_name(kind), hex);
    }
    if (r->status != TICSX__V1__STATUS__OK) {
        return refused("get a record", r);
    }
    if (r->n_entries != 1 || r->entries[0]->envelope.len == 0) {
        return tx_fail(TX_ERR_MALFORMED, "hub answered a get of %.12s without the record", hex);
    }
    len = r->entries[0]->envelope.len;
    tx_record_id(r->entries[0]->envelope.data, len, got);
    if (sodium_memcmp(got, id, TX_ID_LEN) != 0) {
        return tx_fail(TX_ERR_CHECKSUM, "hub answered a get of %.12s with another record", hex);
    }
    bytes = malloc(len);
    if (bytes == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(bytes, r->entries[0]->envelope.data, len);
    /* The log index, for proving the record is in the hub's signed log (tx_audit). */
    out->index = r->entries[0]->index;
    return tx_rec_open(out, bytes, len, kind);
}

int
tx_rpc_get(tx_client *c, size_t n, const uint8_t (*ids)[TX_ID_LEN], const int *kinds, tx_rec *out,
           int *rcs)
{
    uint64_t call_ids[WINDOW];
    tx_conn *conn;
    size_t sent = 0, done = 0;
    int rc;

    if ((rc = tx_client_conn(c, &conn)) != TX_OK) {
        return rc;
    }
    while (done < n) {
        tx_reply_pb *r;

        while (sent < n && sent - done < WINDOW) {
            if ((rc = send_get(conn, ids[sent], &call_ids[sent % WINDOW])) != TX_OK) {
                return tx_client_conn_fail(c, rc);
            }
            sent++;
        }
        if ((rc = tx_conn_wait(conn, call_ids[done % WINDOW], &r)) != TX_OK) {
            return tx_client_conn_fail(c, rc);
        }
        rcs[done] = take_get(r, ids[done], kinds[done], &out[done]);
        tx_free(r);
        done++;
    }
    return TX_OK;
}

static int
send_submit(tx_conn *conn, const uint8_t *env, size_t len, uint64_t *id)
{
    Ticsx__V1__Call call = TICSX__V1__CALL__INIT;
    Ticsx__V1__Submit submit = TICSX__V1__SUBMIT__INIT;

    submit.envelope.data = (uint8_t *)env;
    submit.envelope.len = len;
    call.body_case = TICSX__V1__CALL__BODY_SUBMIT;
    call.submit = &submit;
    return tx_conn_send(conn, &call, id);
}

static const char *
env_kind_name(const uint8_t *env, size_t len)
{
    tx_envelope_pb *e;
    const char *name = "record";

    if (tx_decode_envelope(env, len, &e) == TX_OK) {
        name = tx_kind_name(tx_kind_from_payload_type(e->payload_type));
        tx_free(e);
    }
    return name;
}

static int
submit_refused(const uint8_t *env, size_t len, const tx_reply_pb *r)
{
    uint8_t id[TX_ID_LEN];
    char hex[2 * TX_ID_LEN + 1];

    tx_record_id(env, len, id);
    tx_hex(hex, id, TX_ID_LEN);
    return tx_fail(TX_ERR_REFUSED, "hub refused %s %.12s: %s%s%s", env_kind_name(env, len), hex,
                   tx_status_name(r->status), r->message[0] ? ": " : "", r->message);
}

int
tx_rpc_submit(tx_client *c, size_t n, uint8_t *const *envs, const size_t *lens)
{
    uint64_t *ids = calloc(n ? n : 1, sizeof *ids);
    int *status = calloc(n ? n : 1, sizeof *status);
    tx_reply_pb **replies = calloc(n ? n : 1, sizeof *replies);
    int accepted = 0;
    tx_conn *conn;
    int rc;

    if (ids == NULL || status == NULL || replies == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    if ((rc = tx_client_conn(c, &conn)) != TX_OK) {
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if ((rc = send_submit(conn, envs[i], lens[i], &ids[i])) != TX_OK) {
            rc = tx_client_conn_fail(c, rc);
            goto out;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if ((rc = tx_conn_wait(conn, ids[i], &replies[i])) != TX_OK) {
            rc = tx_client_conn_fail(c, rc);
            goto out;
        }
        status[i] = replies[i]->status;
        if (status[i] == TICSX__V1__STATUS__OK) {
            accepted = 1;
        } else if (status[i] == TICSX__V1__STATUS__MISSING_REFERENCE && accepted) {
            /* The record it refers to was in the same batch; now it is stored. */
            tx_free(replies[i]);
            replies[i] = NULL;
            if ((rc = send_submit(conn, envs[i], lens[i], &ids[i])) != TX_OK ||
                (rc = tx_conn_wait(conn, ids[i], &replies[i])) != TX_OK) {
                rc = tx_client_conn_fail(c, rc);
                goto out;
            }
            status[i] = replies[i]->status;
        }
    }
    rc = TX_OK;
    for (size_t i = 0; i < n; i++) {
        if (status[i] != TICSX__V1__STATUS__OK) {
            rc = submit_refused(envs[i], lens[i], replies[i]);
            break;
        }
    }
    /* Each receipt names the record's leaf hash and a signed checkpoint holding it; a hub
     * that acknowledges what it did not log is caught here (the fetch proves inclusion). */
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        const tx_pubkey *hub;
        if ((rc = tx_client_hub_key(c, &hub)) == TX_OK &&
            (rc = tx_receipt_check(replies[i], envs[i], lens[i], hub->sign, NULL)) != TX_OK) {
            char msg[512];
            uint8_t id[TX_ID_LEN];
            char hex[2 * TX_ID_LEN + 1];

            snprintf(msg, sizeof msg, "%s", tx_fail_msg());
            tx_record_id(envs[i], lens[i], id);
            tx_hex(hex, id, TX_ID_LEN);
            rc = tx_fail(rc == TX_ERR_MALFORMED ? TX_ERR_CHECKSUM : rc,
                         "bad receipt for %s %.12s: %s", env_kind_name(envs[i], lens[i]), hex,
                         msg);
        }
    }
out:
    for (size_t i = 0; replies != NULL && i < n; i++) {
        tx_free(replies[i]);
    }
    free(replies);
    free(status);
    free(ids);
    return rc;
}

int
tx_rpc_ping(tx_client *c, double *ms)
{
    Ticsx__V1__Call call = TICSX__V1__CALL__INIT;
    struct timespec t0, t1;
    tx_reply_pb *r;
    tx_conn *conn;
    int rc;

    if ((rc = tx_client_conn(c, &conn)) != TX_OK) {
        return rc;
    }
    call.body_case = TICSX__V1__CALL__BODY_PING;
    call.ping = 1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((rc = tx_conn_call(conn, &call, &r)) != TX_OK) {
        return tx_client_conn_fail(c, rc);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    rc = r->status == TICSX__V1__STATUS__OK ? TX_OK : refused("answer a ping", r);
    tx_free(r);
    return rc;
}

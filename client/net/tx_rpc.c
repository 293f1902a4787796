/* Pipelined list / get / submit / ping against the hub, checking everything it returns. */
#include "tx_rpc.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_log.h"
#include "tx_log_check.h"
#include "tx_msg.h"
#include "tx_pool.h"
#include "tx_receipts.h"
#include "tx_util.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIST_PAGE 1000
#define WINDOW 256 /* calls in flight at once; well under the socket's high-water mark */

static int
send_list(tx_conn *conn, int kind, uint64_t after, uint32_t page, uint64_t *id)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_list_records_pb list = TICSX__V1__LIST_RECORDS__INIT;

    list.kind = (Ticsx__V1__Kind)kind;
    list.after = after;
    list.limit = page;
    call.body_case = TICSX__V1__CALL__BODY_LIST;
    call.list = &list;
    return tx_conn_send(conn, &call, id);
}

/* One record of a reply being opened on the pool. */
typedef struct {
    tx_rec rec;
    int kind;
    int rc;
    int check_id; /* a get: the bytes must hash to `want` */
    uint8_t want[TX_ID_LEN];
    char why[256]; /* the failure's message, kept from the thread that opened it */
} opening;

static void
open_one(void *ctx, size_t i)
{
    opening *o = &((opening *)ctx)[i];
    uint8_t got[TX_ID_LEN];
    char hex[2 * TX_ID_LEN + 1];

    if (o->check_id) {
        tx_record_id(o->rec.bytes, o->rec.len, got);
        if (sodium_memcmp(got, o->want, TX_ID_LEN) != 0) {
            tx_hex(hex, o->want, TX_ID_LEN);
            o->rc =
                tx_fail(TX_ERR_CHECKSUM, "hub answered a get of %.12s with another record", hex);
            snprintf(o->why, sizeof o->why, "%s", tx_fail_msg());
            return;
        }
    }
    o->rc =
        tx_rec_open_known(&o->rec, o->rec.bytes, o->rec.len, o->kind, o->check_id ? o->want : NULL);
    if (o->rc != TX_OK) {
        snprintf(o->why, sizeof o->why, "%s", tx_fail_msg());
    }
}

/* Copies and opens (verifies, on the pool) every entry of a list reply; drops with a warning,
 * in the hub's order, what does not check. */
static int
take_entries(const tx_reply_pb *r, int kind, tx_recs *out)
{
    opening *o = calloc(r->n_entries ? r->n_entries : 1, sizeof *o);
    size_t n = 0;
    int rc = TX_OK;

    if (o == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t k = 0; k < r->n_entries; k++) {
        const tx_entry_pb *e = r->entries[k];

        if (e->envelope.len == 0) {
            continue;
        }
        o[n].rec.bytes = malloc(e->envelope.len);
        if (o[n].rec.bytes == NULL) {
            rc = TX_ERR_NOMEM;
            break;
        }
        memcpy(o[n].rec.bytes, e->envelope.data, e->envelope.len);
        o[n].rec.len = e->envelope.len;
        o[n].rec.index = e->index;
        o[n++].kind = kind;
    }
    if (rc == TX_OK) {
        tx_pool_for(n, open_one, o);
    }
    for (size_t k = 0; k < n; k++) {
        if (rc == TX_OK && o[k].rc != TX_OK) {
            tx_warn(_("ignoring %s at hub index %" PRIu64 ": %s"), tx_kind_word(kind),
                    o[k].rec.index, o[k].why);
        } else if (rc == TX_OK) {
            rc = tx_recs_push(out, &o[k].rec);
        }
        tx_rec_clear(&o[k].rec);
    }
    free(o);
    return rc;
}

int
tx_rpc_list(tx_client *c, size_t n, const int *kinds, const uint64_t *after, tx_recs *out)
{
    return tx_rpc_list_pages(c, n, kinds, after, 0, out, NULL, NULL);
}

int
tx_rpc_list_pages(tx_client *c, size_t n, const int *kinds, const uint64_t *after, uint32_t page,
                  tx_recs *out, tx_rpc_page_fn fn, void *ctx)
{
    uint64_t *ids = calloc(n ? n : 1, sizeof *ids);
    uint64_t *cur = calloc(n ? n : 1, sizeof *cur);
    int *open = calloc(n ? n : 1, sizeof *open);
    tx_conn *conn;
    size_t left = n;
    int rc;

    page = page ? page : LIST_PAGE;
    if (ids == NULL || cur == NULL || open == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    if ((rc = tx_client_conn(c, &conn)) != TX_OK) {
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        cur[i] = after != NULL ? after[i] : 0;
        if ((rc = send_list(conn, kinds[i], cur[i], page, &ids[i])) != TX_OK) {
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
            if (r->status != TX_STATUS_OK) {
                snprintf(what, sizeof what, _("to list %s records"), tx_kind_word(kinds[i]));
                rc = tx_conn_refused(r, "%s", what);
                tx_free(r);
                goto out;
            }
            if (r->left_out > 0) {
                /* Records the hub found damaged: a listing without them is not the hub's whole
                 * answer, so nothing built on it may pass for complete. */
                rc = tx_fail(TX_ERR_REFUSED,
                             "hub could not list every %s record: %" PRIu32 " left out as "
                             "damaged at the hub: %s; ask the hub operator to run ticsx-hub check",
                             tx_kind_word(kinds[i]), r->left_out, r->message[0] ? r->message : "-");
                tx_free(r);
                goto out;
            }
            /* Continue only while the hub says more may follow and makes progress; the next
             * page is asked for before this one is checked, so the hub works meanwhile. */
            if (r->next > cur[i] && r->n_entries > 0) {
                cur[i] = r->next;
                rc = send_list(conn, kinds[i], cur[i], page, &ids[i]);
                if (rc != TX_OK) {
                    rc = tx_client_conn_fail(c, rc);
                }
            } else {
                open[i] = 0;
                left--;
            }
            if (rc == TX_OK) {
                size_t from = out[i].n;

                if ((rc = take_entries(r, kinds[i], &out[i])) == TX_OK && fn != NULL) {
                    rc = fn(ctx, i, &out[i], from);
                }
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

/* Checks a get reply's status and keeps a copy of its bytes in o for open_one. */
static int
take_get(const tx_reply_pb *r, const uint8_t id[TX_ID_LEN], int kind, opening *o)
{
    char hex[2 * TX_ID_LEN + 1];
    size_t len;

    tx_hex(hex, id, TX_ID_LEN);
    if (r->status == TX_STATUS_NOT_FOUND) {
        return tx_fail(TX_ERR_NOT_FOUND, "%s %.12s not found on the hub", tx_kind_word(kind), hex);
    }
    if (r->status != TX_STATUS_OK) {
        return tx_conn_refused(r, "%s", _("to get a record"));
    }
    if (r->n_entries != 1 || r->entries[0]->envelope.len == 0) {
        return tx_fail(TX_ERR_MALFORMED,
                       "hub answered a get of %.12s without the record: run the command again",
                       hex);
    }
    len = r->entries[0]->envelope.len;
    o->rec.bytes = malloc(len);
    if (o->rec.bytes == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(o->rec.bytes, r->entries[0]->envelope.data, len);
    o->rec.len = len;
    /* The log index, for proving the record is in the hub's signed log (tx_log_check). */
    o->rec.index = r->entries[0]->index;
    o->kind = kind;
    o->check_id = 1;
    memcpy(o->want, id, TX_ID_LEN);
    return TX_OK;
}

/* The records of a tx_rpc_get, asked for in a pipeline. */
typedef struct {
    const uint8_t (*ids)[TX_ID_LEN];
    const int *kinds;
    opening *o;
    int *rcs;
} getting;

static int
send_get(void *ctx, tx_conn *conn, size_t i, uint64_t *id)
{
    const getting *gt = ctx;

    return tx_conn_send_get(conn, gt->ids[i], id);
}

static int
take_got(void *ctx, size_t i, const tx_reply_pb *r)
{
    const getting *gt = ctx;

    gt->rcs[i] = take_get(r, gt->ids[i], gt->kinds[i], &gt->o[i]);
    return TX_OK;
}

static void
open_got(void *ctx, size_t i)
{
    opening *o = &((opening *)ctx)[i];

    if (o->rec.bytes != NULL) {
        open_one(ctx, i);
    }
}

int
tx_rpc_get(tx_client *c, size_t n, const uint8_t (*ids)[TX_ID_LEN], const int *kinds, tx_rec *out,
           int *rcs)
{
    opening *o = calloc(n ? n : 1, sizeof *o);
    int rc;

    if (o == NULL) {
        return TX_ERR_NOMEM;
    }
    {
        getting gt = {ids, kinds, o, rcs};
        if ((rc = tx_client_pipeline(c, n, WINDOW, send_get, take_got, &gt)) != TX_OK) {
            goto out;
        }
    }
    /* Hash checks, signatures and decoding are independent: all at once, on the pool. */
    tx_pool_for(n, open_got, o);
    for (size_t i = 0; i < n; i++) {
        if (o[i].rec.bytes != NULL) {
            rcs[i] = o[i].rc;
            if (o[i].rc != TX_OK) {
                tx_fail(o[i].rc, "%s", o[i].why);
            }
            if (o[i].rc == TX_ERR_CHECKSUM) {
                tx_rec_clear(&o[i].rec);
            }
            out[i] = o[i].rec;
            memset(&o[i].rec, 0, sizeof o[i].rec);
        }
    }
    rc = TX_OK;
out:
    for (size_t i = 0; i < n; i++) {
        tx_rec_clear(&o[i].rec);
    }
    free(o);
    return rc;
}

static const char *
env_kind_name(const uint8_t *env, size_t len)
{
    tx_envelope_pb *e;
    const char *name = _("record");

    if (tx_decode_envelope(env, len, &e) == TX_OK) {
        name = tx_kind_word(tx_kind_from_payload_type(e->payload_type));
        tx_free(e);
    }
    return name;
}

static int
submit_refused(const uint8_t *env, size_t len, const tx_reply_pb *r)
{
    uint8_t id[TX_ID_LEN];
    char hex[2 * TX_ID_LEN + 1], what[96];

    tx_record_id(env, len, id);
    tx_hex(hex, id, TX_ID_LEN);
    snprintf(what, sizeof what, "%s %.12s", env_kind_name(env, len), hex);
    return tx_conn_refused(r, "%s", what);
}

/* Where each envelope of a tx_rpc_submit went: calls[j] carries envs[first[j] ..
 * first[j] + count[j]), a Submit when count is 1, else a SubmitBatch. */
typedef struct {
    size_t n_calls;
    size_t *first, *count;
    uint64_t *ids;
    tx_reply_pb **replies;     /* per call */
    tx_reply_pb **again;       /* per envelope: its single resubmission's reply */
    tx_reply_pb *views;        /* per envelope: its outcome in a batch reply */
    tx_receipt_pb *rcpts;      /* the receipts those views point to */
    const tx_reply_pb **per;   /* per envelope: the reply that judges it */
} submission;

static void
submission_free(submission *sb, size_t n)
{
    for (size_t j = 0; sb->replies != NULL && j < sb->n_calls; j++) {
        tx_free(sb->replies[j]);
    }
    for (size_t i = 0; sb->again != NULL && i < n; i++) {
        tx_free(sb->again[i]);
    }
    free(sb->first);
    free(sb->count);
    free(sb->ids);
    free(sb->replies);
    free(sb->again);
    free(sb->views);
    free(sb->rcpts);
    free(sb->per);
}

/* Cuts envs into calls of at most TX_MAX_BATCH envelopes and one envelope's size limit of
 * bytes (a larger envelope goes alone) and sends them all, in order. */
static int
submission_send(submission *sb, tx_conn *conn, size_t n, uint8_t *const *envs, const size_t *lens)
{
    int rc = TX_OK;

    for (size_t i = 0; i < n && rc == TX_OK;) {
        size_t k = 0, bytes = 0, j = sb->n_calls++;

        /* 16 bytes a record for the field's tag and length, with room to spare. */
        while (i + k < n && k < TX_MAX_BATCH &&
               (k == 0 || bytes + lens[i + k] + 16 <= TX_MAX_ENVELOPE)) {
            bytes += lens[i + k] + 16;
            k++;
        }
        sb->first[j] = i;
        sb->count[j] = k;
        rc = k == 1 ? tx_conn_send_submit(conn, envs[i], lens[i], &sb->ids[j])
                    : tx_conn_send_batch(conn, k, envs + i, lens + i, &sb->ids[j]);
        i += k;
    }
    return rc;
}

/* Waits for every call's reply and points per[i] at the reply (or batch outcome) of envs[i].
 * A batch refused as a whole (busy, forbidden) judges each of its envelopes. */
static int
submission_wait(submission *sb, tx_conn *conn)
{
    int rc = TX_OK;

    for (size_t j = 0; j < sb->n_calls && rc == TX_OK; j++) {
        const tx_reply_pb *r;

        if ((rc = tx_conn_wait(conn, sb->ids[j], &sb->replies[j])) != TX_OK) {
            break;
        }
        r = sb->replies[j];
        if ((rc = tx_batch_reply_check(r, sb->count[j] > 1 ? sb->count[j] : 0)) != TX_OK) {
            break;
        }
        for (size_t k = 0; k < sb->count[j]; k++) {
            size_t i = sb->first[j] + k;

            if (sb->count[j] > 1 && r->status == TX_STATUS_OK) {
                tx_batch_outcome(r, k, &sb->views[i], &sb->rcpts[i]);
                sb->per[i] = &sb->views[i];
            } else {
                sb->per[i] = r;
            }
        }
    }
    return rc;
}

int
tx_rpc_submit(tx_client *c, size_t n, uint8_t *const *envs, const size_t *lens)
{
    submission sb = {0};
    size_t m = n ? n : 1;
    int accepted = 0;
    tx_conn *conn;
    int rc;

    sb.first = calloc(m, sizeof *sb.first);
    sb.count = calloc(m, sizeof *sb.count);
    sb.ids = calloc(m, sizeof *sb.ids);
    sb.replies = calloc(m, sizeof *sb.replies);
    sb.again = calloc(m, sizeof *sb.again);
    sb.views = calloc(m, sizeof *sb.views);
    sb.rcpts = calloc(m, sizeof *sb.rcpts);
    sb.per = calloc(m, sizeof *sb.per);
    if (sb.first == NULL || sb.count == NULL || sb.ids == NULL || sb.replies == NULL ||
        sb.again == NULL || sb.views == NULL || sb.rcpts == NULL || sb.per == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    if ((rc = tx_client_conn(c, &conn)) != TX_OK) {
        goto out;
    }
    /* Several records go in SubmitBatch calls: stored in this order in one transaction each,
     * so a later one may refer to an earlier one. */
    if ((rc = submission_send(&sb, conn, n, envs, lens)) != TX_OK ||
        (rc = submission_wait(&sb, conn)) != TX_OK) {
        rc = rc == TX_ERR_MALFORMED ? rc : tx_client_conn_fail(c, rc);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (sb.per[i]->status == TX_STATUS_OK) {
            accepted = 1;
        } else if (sb.per[i]->status == TX_STATUS_MISSING_REFERENCE && accepted) {
            /* What it refers to went in another call that is stored now: once more alone. */
            uint64_t id;
            if ((rc = tx_conn_send_submit(conn, envs[i], lens[i], &id)) != TX_OK ||
                (rc = tx_conn_wait(conn, id, &sb.again[i])) != TX_OK) {
                rc = tx_client_conn_fail(c, rc);
                goto out;
            }
            sb.per[i] = sb.again[i];
        }
    }
    rc = TX_OK;
    for (size_t i = 0; i < n; i++) {
        if (sb.per[i]->status != TX_STATUS_OK) {
            rc = submit_refused(envs[i], lens[i], sb.per[i]);
            break;
        }
    }
    /* Each receipt names the record's leaf hash and a signed checkpoint holding it; a hub
     * that acknowledges what it did not log is caught here (the fetch proves inclusion). */
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        const tx_pubkey *hub;
        if ((rc = tx_client_hub_key(c, &hub)) == TX_OK &&
            (rc = tx_receipt_check(sb.per[i], envs[i], lens[i], hub->sign, NULL)) != TX_OK) {
            char msg[512];
            uint8_t id[TX_ID_LEN];
            char hex[2 * TX_ID_LEN + 1];

            snprintf(msg, sizeof msg, "%s", tx_fail_msg());
            tx_record_id(envs[i], lens[i], id);
            tx_hex(hex, id, TX_ID_LEN);
            rc = tx_fail(rc == TX_ERR_MALFORMED ? TX_ERR_CHECKSUM : rc,
                         "bad receipt for %s %.12s: %s", env_kind_name(envs[i], lens[i]), hex, msg);
        }
    }
    /* Kept until a later contact proves each record still in the log the hub shows. */
    if (rc == TX_OK) {
        tx_checkpoint newest;

        rc = tx_receipts_keep(c, n, (const tx_reply_pb *const *)sb.per, envs, lens, &newest);
        /* The newest checkpoint this home has seen must extend the kept one: a hub that forked
         * before acknowledging is caught now, one that drops the record later at the next
         * contact. */
        if (rc == TX_OK && newest.len > 0) {
            rc = tx_log_check_accept(c, &newest);
        }
        tx_checkpoint_clear(&newest);
    }
out:
    submission_free(&sb, n);
    return rc;
}

int
tx_rpc_ping(tx_client *c, double *ms)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
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
    rc = r->status == TX_STATUS_OK ? TX_OK : tx_conn_refused(r, "%s", _("to answer a ping"));
    tx_free(r);
    return rc;
}

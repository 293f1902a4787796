/* The call table and the handlers of the record calls (get, list, watch, ping); the log's are
 * in tx_proofs.c, and a submit is answered by the round with the receipt of its commit. */
#include "tx_calls.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"
#include "tx_proofs.h"
#include "tx_util.h"

#include <stdlib.h>
#include <string.h>

#define LIST_BYTES (TX_MAX_REPLY - (64u << 10)) /* envelopes per list reply, framing aside */

static size_t
submit_envelopes(const tx_call_pb *call, size_t i, const uint8_t **env, size_t *len)
{
    (void)i;
    *env = call->submit->envelope.data;
    *len = call->submit->envelope.len;
    return 1;
}

static size_t
batch_envelopes(const tx_call_pb *call, size_t i, const uint8_t **env, size_t *len)
{
    const tx_submit_batch_pb *b = call->submit_batch;

    if (i < b->n_envelopes) {
        *env = b->envelopes[i].data;
        *len = b->envelopes[i].len;
    }
    return b->n_envelopes;
}

static void
answer_ping(tx_answer *a)
{
    /* The hub answers, and says when it refuses writes (ticsx-hub health shows it). */
    const char *refusal = tx_store_refusal(a->store);

    tx_outcome_set(a->out, TX_STATUS_OK, TX_OK, "%s", refusal != NULL ? refusal : "ok");
}

static void
answer_get(tx_answer *a)
{
    const uint8_t *id = a->call->get->record_id.data;
    tx_entry *ent = calloc(1, sizeof *ent);
    char shortid[13];
    int rc = ent == NULL ? TX_ERR_NOMEM : tx_view_get(a->view, id, a->caller, ent);

    if (rc == TX_OK) {
        rc = tx_reply_entries(a->r, a->keep, ent, 1);
    } else {
        free(ent);
    }
    if (rc == TX_ERR_NOT_FOUND) {
        tx_record_id_short(id, shortid);
        tx_outcome_set(a->out, TX_STATUS_NOT_FOUND, rc,
                       "record %s is not stored or not visible to you", shortid);
    } else if (rc != TX_OK) {
        tx_outcome_read(a->out, rc);
    }
}

static void
answer_list(tx_answer *a)
{
    const tx_list_records_pb *l = a->call->list;
    tx_list_damage damage;
    tx_entry *ents = NULL;
    size_t n = 0;
    int rc;

    if (l->kind == TICSX__V1__KIND__KIND_NONE) {
        tx_outcome_set(a->out, TX_STATUS_BAD_REQUEST, TX_ERR_USAGE, "list: a kind is required");
        return;
    }
    rc = tx_view_list_damaged(a->view, (int)l->kind, a->caller, l->after, l->limit, LIST_BYTES,
                              &ents, &n, &a->r->next, &damage);
    if (rc == TX_OK) {
        rc = tx_reply_entries(a->r, a->keep, ents, n);
    }
    if (rc == TX_ERR_USAGE) {
        tx_outcome_set(a->out, TX_STATUS_BAD_REQUEST, rc,
                       "list: this hub keeps no records of kind %d", (int)l->kind);
    } else if (rc != TX_OK) {
        tx_outcome_read(a->out, rc);
    } else if (damage.n > 0) {
        /* The others are served; the reply says how many were left out, its message which. */
        a->r->left_out = damage.n > UINT32_MAX ? UINT32_MAX : (uint32_t)damage.n;
        tx_outcome_set(a->out, TX_STATUS_OK, TX_OK,
                       "%zu damaged record(s) left out of this list, the first at log index "
                       "%llu; tell the hub operator (ticsx-hub check)",
                       damage.n, (unsigned long long)damage.first);
    }
}

/* Registers or renews a watcher. */
static void
answer_watch(tx_answer *a)
{
    char why[128];
    uint32_t secs;
    int rc = tx_subs_watch(a->subs, a->peer, a->peer_len, a->caller, a->call->id, a->call->watch,
                           a->now_ms, &secs, why, sizeof why);

    if (rc == TX_OK) {
        tx_outcome_set(a->out, TX_STATUS_OK, TX_OK, "watching for %u s", secs);
        tx_debug("watcher %s for %u s (%zu held)", a->who, secs, tx_subs_count(a->subs));
    } else {
        tx_outcome_set(a->out, tx_err_status(rc), rc, "%s", why);
        tx_info("watch from %s refused: %s", a->who, why);
    }
}

static const tx_call_def calls[] = {
    {TICSX__V1__CALL__BODY_SUBMIT, "submit", TX_CALL_WRITES, submit_envelopes, NULL},
    {TICSX__V1__CALL__BODY_SUBMIT_BATCH, "submit_batch", TX_CALL_WRITES | TX_CALL_PER_ENVELOPE,
     batch_envelopes, NULL},
    {TICSX__V1__CALL__BODY_GET, "get", TX_CALL_READS, NULL, answer_get},
    {TICSX__V1__CALL__BODY_LIST, "list", TX_CALL_READS, NULL, answer_list},
    {TICSX__V1__CALL__BODY_PING, "ping", TX_CALL_HUB_MAY, NULL, answer_ping},
    {TICSX__V1__CALL__BODY_WATCH, "watch", 0, NULL, answer_watch},
    {TICSX__V1__CALL__BODY_CHECKPOINT, "checkpoint", TX_CALL_READS | TX_CALL_FRESH, NULL,
     tx_proofs_checkpoint},
    {TICSX__V1__CALL__BODY_WITNESSED, "witnessed", TX_CALL_READS, NULL, tx_proofs_witnessed},
    {TICSX__V1__CALL__BODY_INCLUSION, "inclusion", TX_CALL_READS, NULL, tx_proofs_inclusion},
    {TICSX__V1__CALL__BODY_CONSISTENCY, "consistency", TX_CALL_READS, NULL, tx_proofs_consistency},
    {TICSX__V1__CALL__BODY_LEAVES, "leaves", TX_CALL_READS, NULL, tx_proofs_leaves},
    {TICSX__V1__CALL__BODY_COSIGN, "cosign", TX_CALL_OWN_TXN, NULL, tx_proofs_cosign},
};

#define N_CALLS (sizeof calls / sizeof calls[0])

const tx_call_def *
tx_call_find(int body)
{
    for (size_t i = 0; i < N_CALLS; i++) {
        if (calls[i].body == body) {
            return &calls[i];
        }
    }
    return NULL;
}

const tx_call_def *
tx_call_admit(const tx_call_pb *call, int is_hub, tx_outcome *out)
{
    const tx_call_def *def = tx_call_find((int)call->body_case);

    if (def == NULL) {
        tx_outcome_set(out, TX_STATUS_BAD_REQUEST, TX_ERR_MALFORMED,
                       "call: this hub serves no call of body %d", (int)call->body_case);
        return NULL;
    }
    if (is_hub && !(def->flags & TX_CALL_HUB_MAY)) {
        tx_outcome_set(out, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                       "the hub's own key may only ping");
        return NULL;
    }
    return def;
}

size_t
tx_calls_count(void)
{
    return N_CALLS;
}

const tx_call_def *
tx_call_at(size_t i)
{
    return i < N_CALLS ? &calls[i] : NULL;
}

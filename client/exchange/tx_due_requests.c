/* Requests in `ticsx due`: those naming this organisation still to answer, and those it sent
 * (or forwarded) still awaited from its suppliers, per supplier and tier. */
#include "tx_due_int.h"

#include "tx_progress.h"
#include "tx_request.h"

#include "tx_error.h"

#include <stdlib.h>
#include <string.h>

static int
answered_by_me(const tx_due_ctx *x, const uint8_t *request)
{
    for (size_t i = 0; i < x->grants.n; i++) {
        const tx_grant_pb *g = (const tx_grant_pb *)x->grants.v[i].msg;
        if (tx_us_signed(&x->us, &x->grants.v[i]) &&
            g->request.len == TX_ID_LEN && memcmp(g->request.data, request, TX_ID_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

/* A newer request of the same buyer for the same questionnaire replaces request i (a yearly
 * campaign asks again: last year's is not still to do). */
static int
replaced_request(const tx_due_ctx *x, size_t i)
{
    const tx_rec *r = &x->requests.v[i];
    const tx_request_pb *req = (const tx_request_pb *)r->msg;
    int64_t created = req->meta != NULL ? req->meta->created : 0;

    for (size_t k = 0; k < x->requests.n; k++) {
        const tx_rec *o = &x->requests.v[k];
        const tx_request_pb *op = (const tx_request_pb *)o->msg;
        if (k != i && op->meta != NULL && op->meta->created > created &&
            memcmp(tx_rec_signer(o), tx_rec_signer(r), TX_KEY_LEN) == 0 &&
            op->questionnaire.len == req->questionnaire.len &&
            memcmp(op->questionnaire.data, req->questionnaire.data, req->questionnaire.len) == 0) {
            return 1;
        }
    }
    return 0;
}

int
tx_due_to_answer(tx_due_ctx *x)
{
    int rc = TX_OK;

    for (size_t i = 0; i < x->requests.n && rc == TX_OK; i++) {
        const tx_rec *r = &x->requests.v[i];
        const tx_request_pb *req = (const tx_request_pb *)r->msg;
        char name[160];

        if (req->due == 0 || answered_by_me(x, r->id) || replaced_request(x, i)) {
            continue;
        }
        tx_due_questionnaire_name(x, req->questionnaire.data, req->questionnaire.len, name,
                                  sizeof name);
        rc = tx_due_push(x, TX_DUE_ANSWER, req->due, r->id, tx_rec_signer(r), name);
    }
    return rc;
}

/* 1 when supplier `key` has granted this organisation an assessment (whatever its verdict:
 * it has answered). */
static int
has_shared(const tx_verdicts *vs, const uint8_t *key)
{
    for (size_t i = 0; i < vs->n; i++) {
        if (memcmp(vs->v[i].supplier, key, TX_KEY_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Beyond tier 1: a request asking for more tiers reaches, through the sub-suppliers listed in
 * the assessments read, organisations that should answer by the same date (the tier-1 forwards
 * it on this organisation's behalf). One that has shared nothing with it is awaited, at its
 * tier; the walk stops there and at the request's depth. */
typedef struct {
    uint8_t (*keys)[TX_KEY_LEN];
    unsigned *tier;
    size_t n;
} walk;

enum { WALK_MAX = 4096 };

/* Adds the keyed sub-suppliers listed in verdict v of a node at `tier` that are not reached
 * yet; those that shared nothing are pushed as awaited. */
static int
walk_subs(tx_due_ctx *x, const tx_progress_request *q, const char *name, walk *w,
          const tx_verdict *v, unsigned tier)
{
    int rc = TX_OK;

    for (size_t i = 0; i < v->inner->n_suppliers && rc == TX_OK && w->n < WALK_MAX; i++) {
        const tx_sub_supplier_pb *sub = v->inner->suppliers[i];
        size_t seen = 0;

        if (sub->key.len != TX_KEY_LEN) {
            continue; /* no key: nobody to ask on the hub */
        }
        while (seen < w->n && memcmp(w->keys[seen], sub->key.data, TX_KEY_LEN) != 0) {
            seen++;
        }
        if (seen < w->n) {
            continue;
        }
        memcpy(w->keys[w->n], sub->key.data, TX_KEY_LEN);
        w->tier[w->n++] = tier + 1;
        if (!has_shared(&x->vs, sub->key.data)) {
            x->tier = tier + 1;
            rc = tx_due_push(x, TX_DUE_AWAITING, q->due, q->id, sub->key.data, name);
            x->tier = 0;
        }
    }
    return rc;
}

static int
deeper_tiers(tx_due_ctx *x, const tx_progress_request *q, const char *name)
{
    walk w = {calloc(WALK_MAX, TX_KEY_LEN), calloc(WALK_MAX, sizeof(unsigned)), 0};
    int rc = w.keys != NULL && w.tier != NULL ? TX_OK : TX_ERR_NOMEM;

    for (size_t k = 0; k < q->n_suppliers && rc == TX_OK && w.n < WALK_MAX; k++) {
        memcpy(w.keys[w.n], q->suppliers[k].key, TX_KEY_LEN);
        w.tier[w.n++] = 1;
    }
    for (size_t head = 0; head < w.n && rc == TX_OK; head++) {
        /* Every assessment of that organisation still in force lists some of its suppliers. */
        for (size_t i = 0; w.tier[head] < q->depth && i < x->vs.n && rc == TX_OK; i++) {
            const tx_verdict *v = &x->vs.v[i];
            if (v->inner != NULL && !v->superseded &&
                (v->status == TX_VERIFIED || v->status == TX_EXPIRED) &&
                memcmp(v->supplier, w.keys[head], TX_KEY_LEN) == 0) {
                rc = walk_subs(x, q, name, &w, v, w.tier[head]);
            }
        }
    }
    free(w.keys);
    free(w.tier);
    return rc;
}

/* Requests this organisation forwarded on a buyer's behalf: each supplier that has not granted
 * it an assessment naming the forwarded request is awaited (tier 1 from here). */
static int
awaiting_forwarded(tx_due_ctx *x)
{
    int rc = TX_OK;

    for (size_t r = 0; r < x->forwarded.n && rc == TX_OK; r++) {
        const tx_rec *fr = &x->forwarded.v[r];
        const tx_request_pb *req = (const tx_request_pb *)fr->msg;
        char name[160];

        tx_due_questionnaire_name(x, req->questionnaire.data, req->questionnaire.len, name,
                                  sizeof name);
        for (size_t k = 0; req->due != 0 && k < req->n_suppliers && rc == TX_OK; k++) {
            int answered = 0;

            for (size_t i = 0; i < x->vs.n && !answered && req->suppliers[k].len == TX_KEY_LEN;
                 i++) {
                const tx_verdict *v = &x->vs.v[i];
                answered = v->has_request && memcmp(v->request, fr->id, TX_ID_LEN) == 0 &&
                           memcmp(v->supplier, req->suppliers[k].data, TX_KEY_LEN) == 0;
            }
            if (!answered && req->suppliers[k].len == TX_KEY_LEN) {
                x->tier = 1;
                rc =
                    tx_due_push(x, TX_DUE_AWAITING, req->due, fr->id, req->suppliers[k].data, name);
                x->tier = 0;
            }
        }
    }
    return rc;
}

/* A newer request of this organisation (p is newest first) asks supplier `key` for the same
 * questionnaire as request r: that one is awaited instead. */
static int
asked_again(const tx_progress *p, size_t r, const uint8_t *key)
{
    const json_t *qrec = json_object_get(p->v[r].questionnaire, "record");

    for (size_t n = 0; n < r; n++) {
        /* Strictly newer: two sent within one second replace neither. */
        if (p->v[n].created <= p->v[r].created ||
            !json_equal(json_object_get(p->v[n].questionnaire, "record"), qrec)) {
            continue;
        }
        for (size_t k = 0; k < p->v[n].n_suppliers; k++) {
            if (memcmp(p->v[n].suppliers[k].key, key, TX_KEY_LEN) == 0) {
                return 1;
            }
        }
    }
    return 0;
}

int
tx_due_awaiting(tx_due_ctx *x)
{
    tx_progress p = {0};
    int rc = tx_progress_load(tx_client_home(x->c), &x->vs, x->out->now, &p);

    for (size_t r = 0; r < p.n && rc == TX_OK; r++) {
        const tx_progress_request *q = &p.v[r];
        const char *qid = json_string_value(json_object_get(q->questionnaire, "id"));
        json_int_t ver = json_integer_value(json_object_get(q->questionnaire, "version"));
        char name[160] = "";

        if (qid != NULL) {
            snprintf(name, sizeof name, "%.120s v%lld", qid, (long long)ver);
        }
        for (size_t k = 0; k < q->n_suppliers && rc == TX_OK; k++) {
            if (q->suppliers[k].state == TX_PROGRESS_ANSWERED || q->due == 0 ||
                asked_again(&p, r, q->suppliers[k].key)) {
                continue;
            }
            x->tier = 1; /* direct suppliers; deeper tiers below */
            rc = tx_due_push(x, TX_DUE_AWAITING, q->due, q->id, q->suppliers[k].key, name);
            x->tier = 0;
        }
        if (rc == TX_OK && q->due != 0 && q->depth > 1) {
            rc = deeper_tiers(x, q, name);
        }
    }
    tx_progress_free(&p);
    return rc == TX_OK ? awaiting_forwarded(x) : rc;
}

/* What needs doing by when: the cache read once, assessments and grants (this file), requests
 * (tx_due_requests.c), certificates (tx_due_cert.c), printed by tx_due_print.c. */
#include "tx_due.h"
#include "tx_due_int.h"

#include "tx_cache_scan.h"
#include "tx_fetch.h"
#include "tx_grant_state.h"
#include "tx_lookup.h"
#include "tx_progress.h"
#include "tx_request.h"
#include "tx_rpc.h"

#include "tx_error.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_seal.h"
#include "tx_util.h"
#include "tx_verify_ahead.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int
tx_due_push(tx_due_ctx *x, int kind, int64_t date, const uint8_t *record, const uint8_t *party,
            const char *subject)
{
    tx_due *d = x->out;
    tx_due_item *it;

    if (date == 0 || date > x->horizon) {
        return TX_OK;
    }
    if (d->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 16;
        tx_due_item *v = realloc(d->v, cap * sizeof *v);
        if (v == NULL) {
            return TX_ERR_NOMEM;
        }
        d->v = v;
        x->cap = cap;
    }
    it = &d->v[d->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->date = date;
    it->overdue = date < d->now;
    d->overdue += it->overdue;
    memcpy(it->record, record, TX_ID_LEN);
    if (party != NULL) {
        const tx_org *o = tx_orgs_by_key(&x->orgs, party);
        it->has_party = 1;
        memcpy(it->party, party, TX_KEY_LEN);
        snprintf(it->party_name, sizeof it->party_name, "%s", o != NULL ? o->name : "");
    }
    snprintf(it->subject, sizeof it->subject, "%s", subject != NULL ? subject : "");
    it->tier = x->tier;
    return TX_OK;
}

void
tx_due_questionnaire_name(tx_due_ctx *x, const uint8_t *qid, size_t len, char *out, size_t n)
{
    tx_rec q = {0};

    out[0] = 0;
    if (len == TX_ID_LEN &&
        tx_rec_from_cache(tx_client_home(x->c), qid, TX_KIND_QUESTIONNAIRE, &q) == TX_OK) {
        const tx_questionnaire_pb *qp = (const tx_questionnaire_pb *)q.msg;
        snprintf(out, n, "%.120s v%u", qp->id, qp->version);
    }
    tx_fail_clear();
    tx_rec_clear(&q);
}

/* ---- the cache, read once ---- */

static int
want(void *ctx, int kind, const uint8_t *signer)
{
    const tx_due_ctx *x = ctx;

    return kind == TX_KIND_REQUEST || kind == TX_KIND_GRANT || kind == TX_KIND_GRANT_REVOKE ||
           (kind == TX_KIND_ASSESSMENT && tx_us_may_sign(&x->us, signer));
}

static int
take(void *ctx, const tx_rec *rec, uint64_t log_index)
{
    tx_due_ctx *x = ctx;
    tx_recs *l = rec->kind == TX_KIND_REQUEST      ? &x->requests
                 : rec->kind == TX_KIND_GRANT      ? &x->grants
                 : rec->kind == TX_KIND_ASSESSMENT ? &x->sealed
                                                   : &x->revokes;
    tx_rec copy = {0};
    int rc;

    (void)log_index;
    if (rec->kind == TX_KIND_REQUEST) {
        const tx_request_pb *req = (const tx_request_pb *)rec->msg;
        int mine = tx_us_signed(&x->us, rec);

        /* Its own requests come from tx_progress, except those it forwarded for a buyer. */
        if (mine && req->on_behalf_of.len != 0) {
            l = &x->forwarded;
        } else if (mine || !tx_request_names(req, x->me)) {
            return TX_OK;
        }
    } else if (rec->kind == TX_KIND_GRANT) {
        const tx_grant_pb *g = (const tx_grant_pb *)rec->msg;
        if (!tx_us_signed(&x->us, rec) &&
            (g->grantee.len != TX_KEY_LEN || memcmp(g->grantee.data, x->me, TX_KEY_LEN) != 0)) {
            return TX_OK;
        }
    }
    /* The scan lends the record for the call: keep an opened copy (no second signature check). */
    if ((rc = tx_rec_from_cache(tx_client_home(x->c), rec->id, rec->kind, &copy)) == TX_OK) {
        rc = tx_recs_push(l, &copy);
    }
    tx_rec_clear(&copy);
    return rc == TX_ERR_NOMEM ? rc : TX_OK;
}

/* ---- assessments ---- */

static int
superseded_own(const tx_due_ctx *x, const uint8_t *id)
{
    for (size_t i = 0; i < x->sealed.n; i++) {
        const tx_sealed_pb *s = (const tx_sealed_pb *)x->sealed.v[i].msg;
        if (s->supersedes.len == TX_ID_LEN && memcmp(s->supersedes.data, id, TX_ID_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
own_assessments(tx_due_ctx *x)
{
    size_t n = x->sealed.n;
    int64_t *until = calloc(n ? n : 1, sizeof *until);
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    int rc = until != NULL && key != NULL ? TX_OK : TX_ERR_NOMEM;

    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        tx_assessment_pb *in = NULL;

        if (superseded_own(x, x->sealed.v[i].id) ||
            tx_grant_open_own(x->c, &x->sealed.v[i], key, &in) != TX_OK) {
            tx_fail_clear(); /* written in another home, or replaced: nothing to do here */
            continue;
        }
        until[i] = in->valid_until;
        tx_free(in);
    }
    /* Of two current assessments for one questionnaire, only the one valid longer counts. */
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        const tx_sealed_pb *s = (const tx_sealed_pb *)x->sealed.v[i].msg;
        int newer = 0;
        char name[160];

        for (size_t k = 0; k < n && until[i] != 0; k++) {
            const tx_sealed_pb *o = (const tx_sealed_pb *)x->sealed.v[k].msg;
            newer |=
                k != i && until[k] > until[i] && o->questionnaire.len == s->questionnaire.len &&
                memcmp(o->questionnaire.data, s->questionnaire.data, s->questionnaire.len) == 0;
        }
        if (until[i] == 0 || newer) {
            continue;
        }
        tx_due_questionnaire_name(x, s->questionnaire.data, s->questionnaire.len, name,
                                  sizeof name);
        rc = tx_due_push(x, TX_DUE_ASSESSMENT, until[i], x->sealed.v[i].id, NULL, name);
    }
    if (key != NULL) {
        sodium_memzero(key, TX_CONTENT_KEY_LEN);
    }
    sodium_free(key);
    free(until);
    return rc;
}

int
tx_due_current(const tx_verdicts *vs, size_t i)
{
    const tx_verdict *v = &vs->v[i];

    if ((v->status != TX_VERIFIED && v->status != TX_EXPIRED) || v->superseded ||
        v->valid_until == 0) {
        return 0;
    }
    for (size_t k = 0; k < vs->n; k++) {
        const tx_verdict *o = &vs->v[k];
        if (k != i && (o->status == TX_VERIFIED || o->status == TX_EXPIRED) && !o->superseded &&
            memcmp(o->supplier, v->supplier, TX_KEY_LEN) == 0 &&
            memcmp(o->questionnaire, v->questionnaire, TX_ID_LEN) == 0 &&
            (o->valid_until > v->valid_until ||
             (o->valid_until == v->valid_until &&
              memcmp(o->assessment, v->assessment, TX_ID_LEN) < 0))) {
            return 0; /* another of the same supplier and questionnaire lasts longer */
        }
    }
    return 1;
}

static int
supplier_assessments(tx_due_ctx *x)
{
    int rc = TX_OK;

    for (size_t i = 0; i < x->vs.n && rc == TX_OK; i++) {
        const tx_verdict *v = &x->vs.v[i];
        char name[160] = "";

        if (!tx_due_current(&x->vs, i)) {
            continue;
        }
        if (v->q != NULL) {
            snprintf(name, sizeof name, "%.120s v%u", v->q->id, v->q->version);
        }
        rc = tx_due_push(x, TX_DUE_SUPPLIER_ASSESSMENT, v->valid_until, v->assessment, v->supplier,
                         name);
    }
    return rc;
}

/* ---- grants ---- */

/* The grant is still in force as its author last said: not revoked, not replaced by a newer
 * grant of the same assessment to the same grantee. */
static int
grant_standing(const tx_due_ctx *x, const tx_rec *g)
{
    const tx_grant_pb *gp = (const tx_grant_pb *)g->msg;

    for (size_t i = 0; i < x->revokes.n; i++) {
        const tx_grant_revoke_pb *v = (const tx_grant_revoke_pb *)x->revokes.v[i].msg;
        const tx_rec *r = &x->revokes.v[i];
        if (v->grant.len == TX_ID_LEN && memcmp(v->grant.data, g->id, TX_ID_LEN) == 0 &&
            (memcmp(tx_rec_signer(r), tx_rec_signer(g), TX_KEY_LEN) == 0 ||
             (tx_us_signed(&x->us, r) && tx_us_signed(&x->us, g)))) {
            return 0;
        }
    }
    for (size_t i = 0; i < x->grants.n; i++) {
        const tx_rec *o = &x->grants.v[i];
        const tx_grant_pb *op = (const tx_grant_pb *)o->msg;
        if (o != g && memcmp(tx_rec_signer(o), tx_rec_signer(g), TX_KEY_LEN) == 0 &&
            op->grantee.len == gp->grantee.len &&
            memcmp(op->grantee.data, gp->grantee.data, gp->grantee.len) == 0 &&
            op->assessment.len == gp->assessment.len &&
            memcmp(op->assessment.data, gp->assessment.data, gp->assessment.len) == 0 &&
            tx_grant_seq(o) > tx_grant_seq(g)) {
            return 0;
        }
    }
    return 1;
}

static int
grants_ending(tx_due_ctx *x)
{
    int rc = TX_OK;

    for (size_t i = 0; i < x->grants.n && rc == TX_OK; i++) {
        const tx_rec *g = &x->grants.v[i];
        const tx_grant_pb *gp = (const tx_grant_pb *)g->msg;
        int given = tx_us_signed(&x->us, g);

        /* A grant that has ended is history (verify reports it), not something to do. */
        if (gp->until == 0 || gp->until < x->out->now || gp->assessment.len != TX_ID_LEN ||
            gp->grantee.len != TX_KEY_LEN || !grant_standing(x, g) ||
            (given && superseded_own(x, gp->assessment.data))) {
            continue;
        }
        rc = tx_due_push(x, given ? TX_DUE_GRANT_GIVEN : TX_DUE_GRANT_RECEIVED, gp->until, g->id,
                         given ? gp->grantee.data : tx_rec_signer(g), NULL);
    }
    return rc;
}

/* ---- together ---- */

static int
soonest_first(const void *pa, const void *pb)
{
    const tx_due_item *a = pa, *b = pb;

    if (a->date != b->date) {
        return a->date < b->date ? -1 : 1;
    }
    if (a->kind != b->kind) {
        return a->kind < b->kind ? -1 : 1;
    }
    return memcmp(a->record, b->record, TX_ID_LEN);
}

int
tx_due_load(tx_client *c, int64_t now, int within, tx_due *out)
{
    tx_due_ctx x = {0};
    int rc;

    memset(out, 0, sizeof *out);
    out->now = now ? now : tx_now();
    out->within = within;
    x.c = c;
    x.out = out;
    if ((rc = tx_us_from_cache(tx_client_home(c), &x.us)) != TX_OK) {
        return rc;
    }
    x.me = x.us.org;
    x.horizon = out->now + (int64_t)within * 86400;
    if (tx_orgs_from_cache(tx_client_home(c), &x.orgs) != TX_OK) {
        tx_fail_clear(); /* names only */
    }
    if ((rc = tx_verify_all(tx_client_home(c), NULL, &x.vs)) == TX_OK &&
        (rc = tx_cache_scan(tx_client_home(c), want, take, &x)) == TX_OK &&
        (rc = tx_due_to_answer(&x)) == TX_OK && (rc = tx_due_awaiting(&x)) == TX_OK &&
        (rc = own_assessments(&x)) == TX_OK && (rc = supplier_assessments(&x)) == TX_OK &&
        (rc = tx_due_certificates(&x)) == TX_OK) {
        rc = grants_ending(&x);
    }
    if (rc == TX_OK && out->n > 1) {
        qsort(out->v, out->n, sizeof *out->v, soonest_first);
    }
    tx_us_free(&x.us);
    tx_recs_clear(&x.requests);
    tx_recs_clear(&x.forwarded);
    tx_recs_clear(&x.grants);
    tx_recs_clear(&x.revokes);
    tx_recs_clear(&x.sealed);
    tx_orgs_free(&x.orgs);
    tx_verdicts_free(&x.vs);
    if (rc != TX_OK) {
        tx_due_free(out);
    }
    return rc;
}

int
tx_due_fetch(tx_client *c)
{
    static const int kinds[4] = {TX_KIND_REQUEST, TX_KIND_GRANT, TX_KIND_GRANT_REVOKE,
                                 TX_KIND_QUESTIONNAIRE};
    tx_fetched fe = {0};
    tx_orgs orgs = {0};
    tx_recs l[4] = {{0}};
    int rc;

    tx_verify_ahead_enable(1); /* `due --fetch` verifies next (tx_due_load), in this process */
    rc = tx_fetch_all(c, &fe);

    tx_fetched_free(&fe);
    if (rc == TX_OK) { /* every profile, for the names of suppliers who have not answered */
        rc = tx_orgs_fetch(c, &orgs);
        tx_orgs_free(&orgs);
    }
    /* The requests naming this organisation (and their questionnaires) and its own grants are
     * not what fetch keeps. */
    if (rc == TX_OK && (rc = tx_rpc_list(c, 4, kinds, NULL, l)) == TX_OK) {
        for (size_t k = 0; k < 4 && rc == TX_OK; k++) {
            for (size_t i = 0; i < l[k].n && rc == TX_OK; i++) {
                rc = tx_home_cache_put(tx_client_home(c), l[k].v[i].bytes, l[k].v[i].len, NULL);
            }
        }
    }
    for (size_t k = 0; k < 4; k++) {
        tx_recs_clear(&l[k]);
    }
    return rc;
}

void
tx_due_free(tx_due *d)
{
    free(d->v);
    memset(d, 0, sizeof *d);
}

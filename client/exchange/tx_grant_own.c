/* This organisation's own assessments with who holds each now and what supersedes it
 * (`ticsx assessments`, the UI's assessments page), and the JSON documents of sharing that the
 * CLI and the UI print alike. */
#include "tx_grant.h"

#include "tx_error.h"
#include "tx_grant_state.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_rpc.h"
#include "tx_seal.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
grantee_json(const tx_grant_item *it)
{
    return json_pack("{s:s,s:s,s:o}", "name", it->name, "fingerprint", it->fingerprint, "key",
                     tx_json_hex(it->grantee, TX_KEY_LEN));
}

json_t *
tx_grant_result_json(const tx_grant_result *r, const char *what, int64_t until)
{
    json_t *arr = json_array(), *ids = json_array();

    for (size_t i = 0; i < r->n; i++) {
        json_t *o = json_pack("{s:o,s:o,s:o}", "record", tx_json_hex(r->v[i].record, TX_ID_LEN),
                              "assessment", tx_json_hex(r->v[i].assessment, TX_ID_LEN), "grantee",
                              grantee_json(&r->v[i]));
        size_t k = 0;

        if (until != 0) {
            json_object_set_new(o, "until", tx_json_date(until));
        }
        json_array_append_new(arr, o);
        while (k < i && memcmp(r->v[k].assessment, r->v[i].assessment, TX_ID_LEN) != 0) {
            k++;
        }
        if (k == i) {
            json_array_append_new(ids, tx_json_hex(r->v[i].assessment, TX_ID_LEN));
        }
    }
    return json_pack("{s:o,s:o,s:o}", "assessment", tx_json_hex(r->assessment, TX_ID_LEN),
                     "assessments", ids, what, arr);
}

json_t *
tx_grant_reuse_json(const tx_grant_result *r)
{
    const tx_grant_item *it = r->n > 0 ? &r->v[0] : NULL;

    return json_pack(
        "{s:o,s:o,s:o,s:b,s:b,s:o}", "assessment", tx_json_hex(r->assessment, TX_ID_LEN), "grant",
        it != NULL ? tx_json_hex(it->record, TX_ID_LEN) : json_null(), "request",
        tx_json_hex(r->request, TX_ID_LEN), "reused", 1, "already_answered",
        it != NULL && it->existing, "grantee", it != NULL ? grantee_json(it) : json_null());
}

void
tx_own_list_free(tx_own_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        json_decref(l->v[i].q);
        free(l->v[i].holders);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int
newest_first(const void *a, const void *b)
{
    const tx_own_assessment *x = a, *y = b;

    if (x->created != y->created) {
        return x->created < y->created ? 1 : -1;
    }
    if (x->index != y->index) { /* the same second: the later in the hub's log first */
        return x->index < y->index ? 1 : -1;
    }
    return memcmp(x->id, y->id, TX_ID_LEN);
}

static int
current_first(const void *a, const void *b)
{
    const tx_own_holder *x = a, *y = b;

    if (x->state != y->state) {
        return x->state < y->state ? -1 : 1;
    }
    return strcmp(x->fingerprint, y->fingerprint);
}

/* One buyer's sharing of the assessment from its newest grant and revocation. */
static void
own_holder(const tx_grant_state *st, const tx_grant_holder *hs, int64_t now, tx_own_holder *h)
{
    const tx_grant_pb *gp = (const tx_grant_pb *)hs->grant->msg;
    const tx_org *o = tx_orgs_by_key(&st->orgs, hs->key);

    memcpy(h->key, hs->key, TX_KEY_LEN);
    snprintf(h->name, sizeof h->name, "%s", o != NULL ? o->name : "");
    tx_fingerprint(hs->key, h->fingerprint);
    h->granted = gp->meta != NULL ? gp->meta->created : 0;
    h->until = gp->until;
    if (gp->request.len == TX_ID_LEN) {
        h->has_request = 1;
        memcpy(h->request, gp->request.data, TX_ID_LEN);
    }
    if (tx_grant_holds(hs, now)) {
        h->state = TX_SHARE_CURRENT;
    } else if (tx_grant_seq(hs->grant) <= hs->revoked_seq) {
        const tx_grant_revoke_pb *rp = (const tx_grant_revoke_pb *)hs->revoke->msg;
        h->state = TX_SHARE_REVOKED;
        h->revoked = rp->meta != NULL ? rp->meta->created : 0;
    } else {
        h->state = TX_SHARE_ENDED;
    }
}

/* Fills in e's holders (every buyer it was granted to, current ones first; this organisation
 * left out). */
static int
own_holders(tx_client *c, const tx_grant_state *st, tx_own_assessment *e, int64_t now)
{
    tx_grant_holder *hs = NULL;
    size_t nh = 0;
    int rc;

    if ((rc = tx_grant_holders(st, e->id, &hs, &nh)) != TX_OK) {
        return rc;
    }
    e->holders = calloc(nh + 1, sizeof *e->holders);
    if (e->holders == NULL) {
        free(hs);
        return TX_ERR_NOMEM;
    }
    for (size_t k = 0; k < nh; k++) {
        tx_own_holder *h = &e->holders[e->n_holders];

        if (memcmp(hs[k].key, tx_grant_me(c), TX_KEY_LEN) == 0) {
            continue;
        }
        own_holder(st, &hs[k], now, h);
        e->n_current += h->state == TX_SHARE_CURRENT;
        e->n_holders++;
    }
    qsort(e->holders, e->n_holders, sizeof *e->holders, current_first);
    free(hs);
    return TX_OK;
}

/* The first version of r's line into e->line. */
static int
own_line(const tx_grant_state *st, const tx_rec *r, tx_own_assessment *e)
{
    const tx_rec **line = NULL;
    size_t n = 0;
    int rc = tx_grant_line(st, r->id, &line, &n);

    if (rc == TX_OK) {
        memcpy(e->line, n > 0 ? line[0]->id : r->id, TX_ID_LEN);
    }
    free(line);
    return rc;
}

/* The questionnaires the assessments answer, fetched by id in one round trip. */
static int
own_questionnaires(tx_client *c, tx_own_list *l)
{
    uint8_t(*ids)[TX_ID_LEN] = calloc(l->n + 1, sizeof *ids);
    int *kinds = calloc(l->n + 1, sizeof *kinds), *got = calloc(l->n + 1, sizeof *got);
    tx_rec *recs = calloc(l->n + 1, sizeof *recs);
    size_t n = 0;
    int rc = TX_OK;

    if (ids == NULL || kinds == NULL || got == NULL || recs == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < l->n; i++) {
        size_t k;
        for (k = 0; k < n && memcmp(ids[k], l->v[i].questionnaire, TX_ID_LEN) != 0; k++) {
        }
        if (k == n) {
            memcpy(ids[n], l->v[i].questionnaire, TX_ID_LEN);
            kinds[n++] = TX_KIND_QUESTIONNAIRE;
        }
    }
    if (n > 0 &&
        (rc = tx_rpc_get(c, n, (const uint8_t(*)[TX_ID_LEN])ids, kinds, recs, got)) != TX_OK) {
        goto out;
    }
    for (size_t i = 0; i < l->n; i++) {
        size_t k;
        for (k = 0; k < n && memcmp(ids[k], l->v[i].questionnaire, TX_ID_LEN) != 0; k++) {
        }
        if (k < n && got[k] == TX_OK) {
            const tx_questionnaire_pb *q = (const tx_questionnaire_pb *)recs[k].msg;
            l->v[i].q = json_pack("{s:o,s:s,s:I,s:o}", "record", tx_json_hex(ids[k], TX_ID_LEN),
                                  "id", q->id, "version", (json_int_t)q->version, "title",
                                  tx_json_text(q->title));
        } else {
            l->v[i].q = json_pack("{s:o}", "record", tx_json_hex(l->v[i].questionnaire, TX_ID_LEN));
        }
    }
    tx_fail_clear();
out:
    for (size_t k = 0; recs != NULL && k < n; k++) {
        tx_rec_clear(&recs[k]);
    }
    free(ids);
    free(kinds);
    free(got);
    free(recs);
    return rc;
}

int
tx_grant_list_own(tx_client *c, tx_own_list *out)
{
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    int64_t now = tx_now();
    tx_grant_state st;
    int rc;

    memset(out, 0, sizeof *out);
    if (key == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((rc = tx_grant_state_load(c, &st)) != TX_OK) {
        sodium_free(key);
        return rc;
    }
    out->v = calloc(st.l[TX_GS_ASSESSMENT].n + 1, sizeof *out->v);
    if (out->v == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < st.l[TX_GS_ASSESSMENT].n && rc == TX_OK; i++) {
        const tx_rec *r = &st.l[TX_GS_ASSESSMENT].v[i];
        const tx_sealed_pb *s = (const tx_sealed_pb *)r->msg;
        tx_own_assessment *e = &out->v[out->n++];
        const tx_rec *newer = tx_grant_superseded_by(&st, r->id);
        tx_assessment_pb *inner = NULL;

        memcpy(e->id, r->id, TX_ID_LEN);
        memcpy(e->questionnaire, s->questionnaire.data, TX_ID_LEN);
        e->created = s->meta != NULL ? s->meta->created : 0;
        e->index = r->index;
        if (newer != NULL) {
            e->superseded = 1;
            memcpy(e->superseded_by, newer->id, TX_ID_LEN);
        }
        /* Without the key (an older one another home wrote) the dates stay unknown; listed. */
        if (tx_grant_opens_here(c, r) && tx_grant_open_own(c, r, key, &inner) == TX_OK) {
            e->opened = 1;
            e->as_of = inner->as_of;
            e->valid_until = inner->valid_until;
        }
        tx_free(inner);
        tx_fail_clear();
        if ((rc = own_holders(c, &st, e, now)) == TX_OK) {
            rc = own_line(&st, r, e);
        }
    }
    if (rc == TX_OK) {
        rc = own_questionnaires(c, out);
    }
    if (rc == TX_OK) {
        qsort(out->v, out->n, sizeof *out->v, newest_first);
    }
out:
    sodium_memzero(key, TX_CONTENT_KEY_LEN);
    sodium_free(key);
    tx_grant_state_free(&st);
    if (rc != TX_OK) {
        tx_own_list_free(out);
    }
    return rc;
}

static const char *
share_state_name(int state)
{
    return state == TX_SHARE_CURRENT ? "current" : state == TX_SHARE_REVOKED ? "revoked" : "ended";
}

static json_t *
holder_json(const tx_own_holder *h, int with_state)
{
    json_t *o = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "name", h->name, "fingerprint",
                          h->fingerprint, "key", tx_json_hex(h->key, TX_KEY_LEN), "granted",
                          tx_json_date(h->granted), "until", tx_json_date(h->until), "request",
                          h->has_request ? tx_json_hex(h->request, TX_ID_LEN) : json_null());

    if (with_state) {
        json_object_set_new(o, "state", json_string(share_state_name(h->state)));
        json_object_set_new(o, "revoked",
                            h->state == TX_SHARE_REVOKED ? tx_json_date(h->revoked) : json_null());
    }
    return o;
}

int
tx_own_line_starts(const tx_own_list *l, size_t i)
{
    for (size_t k = 0; k < i; k++) {
        if (memcmp(l->v[k].line, l->v[i].line, TX_ID_LEN) == 0) {
            return 0;
        }
    }
    return 1;
}

/* The version lines: each line's versions oldest first, newest line first (l is newest
 * first). */
static json_t *
lines_json(const tx_own_list *l)
{
    json_t *lines = json_array();

    for (size_t i = 0; i < l->n; i++) {
        json_t *chain;

        if (!tx_own_line_starts(l, i)) {
            continue; /* its line is listed with a newer version */
        }
        chain = json_array();
        for (size_t j = l->n; j-- > i;) {
            if (memcmp(l->v[j].line, l->v[i].line, TX_ID_LEN) == 0) {
                json_array_append_new(chain, tx_json_hex(l->v[j].id, TX_ID_LEN));
            }
        }
        json_array_append_new(lines, json_pack("{s:o,s:o,s:O}", "chain", chain, "current",
                                               tx_json_hex(l->v[i].id, TX_ID_LEN), "questionnaire",
                                               l->v[i].q != NULL ? l->v[i].q : json_null()));
    }
    return lines;
}

json_t *
tx_own_list_json(const tx_own_list *l)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < l->n; i++) {
        const tx_own_assessment *e = &l->v[i];
        json_t *gs = json_array(), *shared = json_array();

        for (size_t k = 0; k < e->n_holders; k++) {
            if (e->holders[k].state == TX_SHARE_CURRENT) {
                json_array_append_new(gs, holder_json(&e->holders[k], 0));
            }
            json_array_append_new(shared, holder_json(&e->holders[k], 1));
        }
        json_array_append_new(
            arr,
            json_pack("{s:o,s:O,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", tx_json_hex(e->id, TX_ID_LEN),
                      "questionnaire", e->q != NULL ? e->q : json_null(), "as_of",
                      e->opened ? tx_json_date(e->as_of) : json_null(), "valid_until",
                      e->opened ? tx_json_date(e->valid_until) : json_null(), "created",
                      tx_json_date(e->created), "superseded_by",
                      e->superseded ? tx_json_hex(e->superseded_by, TX_ID_LEN) : json_null(),
                      "line", tx_json_hex(e->line, TX_ID_LEN), "grantees", gs, "shared", shared));
    }
    return json_pack("{s:o,s:o}", "assessments", arr, "lines", lines_json(l));
}

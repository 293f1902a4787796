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

/* Fills in e's holders (current ones, this organisation left out). */
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
        const tx_grant_pb *gp = (const tx_grant_pb *)hs[k].grant->msg;
        const tx_org *o = tx_orgs_by_key(&st->orgs, hs[k].key);
        tx_own_holder *h = &e->holders[e->n_holders];

        if (!tx_grant_holds(&hs[k], now) || memcmp(hs[k].key, tx_grant_me(c), TX_KEY_LEN) == 0) {
            continue;
        }
        memcpy(h->key, hs[k].key, TX_KEY_LEN);
        snprintf(h->name, sizeof h->name, "%s", o != NULL ? o->name : "");
        tx_fingerprint(hs[k].key, h->fingerprint);
        h->until = gp->until;
        if (gp->request.len == TX_ID_LEN) {
            h->has_request = 1;
            memcpy(h->request, gp->request.data, TX_ID_LEN);
        }
        e->n_holders++;
    }
    free(hs);
    return TX_OK;
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
        /* Without the key (another home wrote it) the dates stay unknown; still listed. */
        if (tx_grant_open_own(c, r, key, &inner) == TX_OK) {
            e->opened = 1;
            e->as_of = inner->as_of;
            e->valid_until = inner->valid_until;
        }
        tx_free(inner);
        tx_fail_clear();
        rc = own_holders(c, &st, e, now);
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

json_t *
tx_own_list_json(const tx_own_list *l)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < l->n; i++) {
        const tx_own_assessment *e = &l->v[i];
        json_t *gs = json_array();

        for (size_t k = 0; k < e->n_holders; k++) {
            const tx_own_holder *h = &e->holders[k];
            json_array_append_new(
                gs, json_pack("{s:s,s:s,s:o,s:o,s:o}", "name", h->name, "fingerprint",
                              h->fingerprint, "key", tx_json_hex(h->key, TX_KEY_LEN), "until",
                              tx_json_date(h->until), "request",
                              h->has_request ? tx_json_hex(h->request, TX_ID_LEN) : json_null()));
        }
        json_array_append_new(
            arr, json_pack("{s:o,s:O,s:o,s:o,s:o,s:o,s:o}", "id", tx_json_hex(e->id, TX_ID_LEN),
                           "questionnaire", e->q != NULL ? e->q : json_null(), "as_of",
                           e->opened ? tx_json_date(e->as_of) : json_null(), "valid_until",
                           e->opened ? tx_json_date(e->valid_until) : json_null(), "created",
                           tx_json_date(e->created), "superseded_by",
                           e->superseded ? tx_json_hex(e->superseded_by, TX_ID_LEN) : json_null(),
                           "grantees", gs));
    }
    return json_pack("{s:o}", "assessments", arr);
}

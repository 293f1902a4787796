/* Fetch granted assessments and what is needed to verify them into the cache. */
#include "tx_fetch.h"

#include "tx_cell.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_rpc.h"
#include "tx_util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A set of ids to get, with the kind each should open as. */
typedef struct {
    uint8_t (*ids)[TX_ID_LEN];
    int *kinds;
    size_t n;
} wanted;

static int
want(wanted *w, const uint8_t *id, int kind)
{
    for (size_t i = 0; i < w->n; i++) {
        if (memcmp(w->ids[i], id, TX_ID_LEN) == 0) {
            return TX_OK;
        }
    }
    void *ids = realloc(w->ids, (w->n + 1) * sizeof *w->ids);
    if (ids == NULL) {
        return TX_ERR_NOMEM;
    }
    w->ids = ids;
    void *kinds = realloc(w->kinds, (w->n + 1) * sizeof *w->kinds);
    if (kinds == NULL) {
        return TX_ERR_NOMEM;
    }
    w->kinds = kinds;
    memcpy(w->ids[w->n], id, TX_ID_LEN);
    w->kinds[w->n++] = kind;
    return TX_OK;
}

/* Gets everything in w at once and caches what checks; results per id in recs/rcs. */
static int
get_all(tx_client *c, const wanted *w, tx_rec **recs, int **rcs)
{
    int rc;

    *recs = calloc(w->n ? w->n : 1, sizeof **recs);
    *rcs = calloc(w->n ? w->n : 1, sizeof **rcs);
    if (*recs == NULL || *rcs == NULL) {
        return TX_ERR_NOMEM;
    }
    if (w->n == 0) {
        return TX_OK;
    }
    if ((rc = tx_rpc_get(c, w->n, (const uint8_t(*)[TX_ID_LEN])w->ids, w->kinds, *recs, *rcs)) !=
        TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < w->n; i++) {
        if ((*rcs)[i] == TX_OK) {
            rc = tx_home_cache_put(tx_client_home(c), (*recs)[i].bytes, (*recs)[i].len, NULL);
            if (rc != TX_OK) {
                return rc;
            }
        }
    }
    return TX_OK;
}

static int
in_cache(tx_client *c, const uint8_t *id)
{
    uint8_t *b;
    size_t len;

    if (tx_home_cache_get(tx_client_home(c), id, &b, &len) != TX_OK) {
        tx_fail_clear();
        return 0;
    }
    free(b);
    return 1;
}

int
tx_fetch_all(tx_client *c, tx_fetched *out)
{
    const int kinds[2] = {TX_KIND_GRANT, TX_KIND_PROFILE};
    const uint8_t *me = tx_client_id(c)->pub.sign;
    tx_recs l[2] = {{0}};
    tx_orgs orgs = {0};
    wanted first = {0}, second = {0};
    tx_rec *r1 = NULL, *r2 = NULL;
    int *rc1 = NULL, *rc2 = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = tx_rpc_list(c, 2, kinds, NULL, l)) != TX_OK ||
        (rc = tx_orgs_add(&orgs, &l[1])) != TX_OK) {
        goto out;
    }
    for (size_t i = 0; i < l[1].n && rc == TX_OK; i++) {
        rc = tx_home_cache_put(tx_client_home(c), l[1].v[i].bytes, l[1].v[i].len, NULL);
    }
    out->v = calloc(l[0].n ? l[0].n : 1, sizeof *out->v);
    if (out->v == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    /* Round two: sealed assessments and the requests they answer, all at once. */
    for (size_t i = 0; i < l[0].n && rc == TX_OK; i++) {
        const tx_rec *g = &l[0].v[i];
        const tx_grant_pb *gp = (const tx_grant_pb *)g->msg;
        tx_fetch_item *it;
        const tx_org *o;

        if (memcmp(gp->grantee.data, me, TX_KEY_LEN) != 0) {
            continue;
        }
        it = &out->v[out->n++];
        memcpy(it->grant, g->id, TX_ID_LEN);
        memcpy(it->assessment, gp->assessment.data, TX_ID_LEN);
        o = tx_orgs_by_key(&orgs, tx_rec_signer(g));
        snprintf(it->from, sizeof it->from, "%s", o != NULL ? o->name : "");
        tx_fingerprint(tx_rec_signer(g), it->from_fp);
        it->is_new = !in_cache(c, it->assessment);
        if ((rc = tx_home_cache_put(tx_client_home(c), g->bytes, g->len, NULL)) != TX_OK ||
            (rc = want(&first, gp->assessment.data, TX_KIND_ASSESSMENT)) != TX_OK) {
            goto out;
        }
        if (gp->request.len == TX_ID_LEN) {
            rc = want(&first, gp->request.data, TX_KIND_REQUEST);
        }
    }
    if (rc != TX_OK || (rc = get_all(c, &first, &r1, &rc1)) != TX_OK) {
        goto out;
    }
    /* Round three: the questionnaires the sealed assessments name. */
    for (size_t i = 0; i < first.n && rc == TX_OK; i++) {
        if (rc1[i] == TX_OK && first.kinds[i] == TX_KIND_ASSESSMENT) {
            const tx_sealed_pb *s = (const tx_sealed_pb *)r1[i].msg;
            if (!in_cache(c, s->questionnaire.data)) {
                rc = want(&second, s->questionnaire.data, TX_KIND_QUESTIONNAIRE);
            }
        }
    }
    if (rc != TX_OK || (rc = get_all(c, &second, &r2, &rc2)) != TX_OK) {
        goto out;
    }
    for (size_t i = 0; i < out->n; i++) {
        tx_fetch_item *it = &out->v[i];
        for (size_t k = 0; k < first.n; k++) {
            if (first.kinds[k] == TX_KIND_ASSESSMENT &&
                memcmp(first.ids[k], it->assessment, TX_ID_LEN) == 0 && rc1[k] != TX_OK) {
                it->rc = rc1[k];
                snprintf(it->why, sizeof it->why, "%s", "the hub did not give the assessment");
            }
        }
    }
out:
    for (size_t i = 0; i < first.n && r1 != NULL; i++) {
        tx_rec_clear(&r1[i]);
    }
    for (size_t i = 0; i < second.n && r2 != NULL; i++) {
        tx_rec_clear(&r2[i]);
    }
    free(r1);
    free(r2);
    free(rc1);
    free(rc2);
    free(first.ids);
    free(first.kinds);
    free(second.ids);
    free(second.kinds);
    tx_orgs_free(&orgs);
    tx_recs_clear(&l[0]);
    tx_recs_clear(&l[1]);
    if (rc != TX_OK) {
        tx_fetched_free(out);
    }
    return rc;
}

void
tx_fetched_free(tx_fetched *fe)
{
    free(fe->v);
    fe->v = NULL;
    fe->n = 0;
}

int
tx_fetch_print(FILE *f, const tx_fetched *fe, int json, int quiet)
{
    char hex[2 * TX_ID_LEN + 1];
    size_t n_new = 0, n_ok = 0;

    for (size_t i = 0; i < fe->n; i++) {
        n_new += fe->v[i].rc == TX_OK && fe->v[i].is_new;
        n_ok += fe->v[i].rc == TX_OK;
    }
    if (json) {
        json_t *arr = json_array();
        json_t *root = json_pack("{s:o}", "assessments", arr);
        int rc;
        for (size_t i = 0; i < fe->n; i++) {
            const tx_fetch_item *it = &fe->v[i];
            char g[2 * TX_ID_LEN + 1];
            tx_hex(hex, it->assessment, TX_ID_LEN);
            tx_hex(g, it->grant, TX_ID_LEN);
            json_array_append_new(
                arr, json_pack("{s:s,s:s,s:{s:s,s:s},s:b,s:b,s:o}", "assessment", hex, "grant", g,
                               "from", "name", it->from, "fingerprint", it->from_fp, "fetched",
                               it->rc == TX_OK, "new", it->is_new, "error",
                               it->rc == TX_OK ? json_null() : json_string(it->why)));
        }
        rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', f);
        json_decref(root);
        return rc == 0 ? TX_OK : tx_fail(TX_ERR_IO, "cannot write the result");
    }
    for (size_t i = 0; i < fe->n; i++) {
        const tx_fetch_item *it = &fe->v[i];
        tx_hex(hex, it->assessment, TX_ID_LEN);
        if (quiet) {
            if (it->rc == TX_OK) {
                fprintf(f, "%s\n", hex);
            }
            continue;
        }
        fprintf(f, "%.12s  ", hex);
        tx_put_cell(f, it->from[0] ? it->from : it->from_fp, 24);
        fprintf(f, "  %s\n", it->rc != TX_OK ? it->why : it->is_new ? "new" : "already here");
    }
    if (!quiet) {
        fprintf(f, "fetched %zu assessment%s (%zu new)%s\n", n_ok, n_ok == 1 ? "" : "s", n_new,
                n_ok ? "; ticsx verify checks them" : "");
    }
    return TX_OK;
}

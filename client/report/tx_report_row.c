/* The report's rows: the assessment shown per supplier (a replacing one wins, then the better
 * verdict, then the newer), its score, and its object in the report's JSON document. */
#include "tx_report_row.h"

#include "tx_cred.h"

#include "tx_error.h"
#include "tx_evidence_check.h"
#include "tx_idmap.h"
#include "tx_json.h"
#include "tx_plan.h"
#include "tx_pool.h"
#include "tx_questionnaire.h"
#include "tx_report_items.h"
#include "tx_util.h"

#include <stdlib.h>
#include <string.h>

typedef tx_report_row row;

static int
readable(const tx_verdict *v)
{
    return v->status == TX_VERIFIED || v->status == TX_EXPIRED || v->status == TX_SUPERSEDED;
}

/* True if `newer` is on the supersede chain that replaces `old` (all of one supplier); `by_id`
 * maps an assessment id to its first verdict. */
static int
replaces(const tx_verdicts *vs, const tx_idmap *by_id, const tx_verdict *newer,
         const tx_verdict *old)
{
    const tx_verdict *v = newer;

    for (size_t hops = 0; v != NULL && v->has_supersedes && hops < vs->n; hops++) {
        const size_t *at;
        if (memcmp(v->supersedes, old->assessment, TX_ID_LEN) == 0) {
            return 1;
        }
        at = tx_idmap_get(by_id, v->supersedes);
        v = at != NULL ? &vs->v[*at] : NULL;
    }
    return 0;
}

/* True if a should be shown instead of b for the same supplier: a readable assessment that
 * replaces the other wins whatever their verdicts; otherwise the better verdict, then the
 * newer. */
static int
better(const tx_verdicts *vs, const tx_idmap *by_id, const tx_verdict *a, const tx_verdict *b)
{
    if (readable(a) && replaces(vs, by_id, a, b)) {
        return 1;
    }
    if (readable(b) && replaces(vs, by_id, b, a)) {
        return 0;
    }
    if (a->status != b->status) {
        return tx_verdict_rank(a->status) < tx_verdict_rank(b->status);
    }
    if (a->as_of != b->as_of) {
        return a->as_of > b->as_of;
    }
    return a->seq > b->seq;
}

static int
by_name(const void *pa, const void *pb)
{
    const row *a = pa, *b = pb;
    int c = strcmp(a->v->supplier_name, b->v->supplier_name);

    return c != 0 ? c : strcmp(a->v->supplier_fp, b->v->supplier_fp);
}

/* Scores one row (rows are independent: run on the pool). */
static void
score_row(void *ctx, size_t k)
{
    row *rows = ctx;
    const tx_verdict *v = rows[k].v;

    if (v->status != TX_FAILED && v->q != NULL && v->inner != NULL &&
        tx_score_compute(v->q, v->inner->answers, v->inner->n_answers, &rows[k].score) == TX_OK) {
        rows[k].scored = 1;
    }
}

int
tx_report_rows(const tx_verdicts *vs, tx_report_row **out, size_t *n)
{
    row *rows = calloc(vs->n ? vs->n : 1, sizeof *rows);
    tx_idmap by_id = {0}, by_supplier = {0}; /* assessment -> verdict; supplier -> row */
    size_t count = 0;

    if (rows == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < vs->n; i++) {
        if (tx_idmap_put(&by_id, vs->v[i].assessment, i, NULL) == NULL) {
            goto nomem;
        }
    }
    for (size_t i = 0; i < vs->n; i++) {
        const tx_verdict *v = &vs->v[i];
        int added;
        const size_t *k = tx_idmap_put(&by_supplier, v->supplier, count, &added);
        if (k == NULL) {
            goto nomem;
        }
        if (added) {
            rows[count++].v = v;
        } else if (better(vs, &by_id, v, rows[*k].v)) {
            rows[*k].v = v;
        }
    }
    tx_idmap_free(&by_id);
    tx_idmap_free(&by_supplier);
    for (size_t i = 0; i < count; i++) {
        rows[i].plan_days = tx_verdicts_plan_days(vs);
    }
    tx_pool_for(count, score_row, rows);
    qsort(rows, count, sizeof *rows, by_name);
    *out = rows;
    *n = count;
    return TX_OK;
nomem:
    tx_idmap_free(&by_id);
    tx_idmap_free(&by_supplier);
    free(rows);
    return TX_ERR_NOMEM;
}

void
tx_report_rows_free(tx_report_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (rows[i].scored) {
            tx_score_free(&rows[i].score);
        }
    }
    free(rows);
}

/* A row's first members: what json_pack("{s:s,s:s,s:o,s:s,s:o,s:o,s:o}", ...) made, member by
 * member (without parsing a format per row); NULL, as from the pack, when any of them could not
 * be made (a name that is not UTF-8, no memory). */
static json_t *
row_head(const tx_verdict *v)
{
    static const char *const names[] = {"name",   "fingerprint", "key",    "status",
                                        "reason", "assessment",  "request"};
    json_t *m[] = {json_string(v->supplier_name),
                   json_string(v->supplier_fp),
                   tx_json_hex(v->supplier, TX_KEY_LEN),
                   json_string(tx_verdict_name(v->status)),
                   v->status == TX_VERIFIED ? json_null() : json_string(v->reason),
                   tx_json_hex(v->assessment, TX_ID_LEN),
                   v->has_request ? tx_json_hex(v->request, TX_ID_LEN) : json_null()};

    return tx_json_object_take(names, m, TX_ARRAY_LEN(m));
}

json_t *
tx_report_row_json(const tx_report_row *r)
{
    const tx_verdict *v = r->v;
    json_t *o = row_head(v);
    json_t *areas = json_array(), *levels = json_array(), *missing = json_array(), *scores;

    if (v->q != NULL) {
        json_object_set_new(
            o, "questionnaire",
            json_pack("{s:o,s:s,s:I,s:o*,s:o*}", "record", tx_json_hex(v->questionnaire, TX_ID_LEN),
                      "id", v->q->id, "version", (json_int_t)v->q->version, "title",
                      r->no_texts ? NULL : tx_json_text(v->q->title), "provenance",
                      r->no_texts                             ? NULL
                      : tx_questionnaire_has_provenance(v->q) ? tx_json_text(v->q->provenance)
                                                              : json_null()));
    } else {
        json_object_set_new(o, "questionnaire", json_null());
    }
    json_object_set_new(o, "as_of", tx_json_date(v->as_of));
    json_object_set_new(o, "valid_until", tx_json_date(v->valid_until));
    json_object_set_new(o, "questionnaire_mismatch", tx_verdict_mismatch_json(v));
    json_object_set_new(o, "superseded_by", tx_verdict_superseded_json(v));
    json_object_set_new(o, "certificate", tx_verdict_cert_json(v));
    json_object_set_new(o, "credentials", tx_cred_verdict_json(v));
    json_object_set_new(o, "evidence", tx_evidence_json(v->evidence, v->n_evidence));
    json_object_set_new(o, "plans",
                        tx_plan_json(r->scored ? v->inner : NULL, tx_now(), r->plan_days));
    if (!r->scored) {
        json_object_set_new(o, "areas", areas);
        json_object_set_new(o, "overall", json_null());
        json_object_set_new(o, "levels", levels);
        json_object_set_new(o, "level_achieved", json_null());
        json_object_set_new(o, "level_next", json_null());
        json_object_set_new(o, "unanswered", json_null());
        json_object_set_new(o, "unanswered_items", missing);
        if (!r->no_items) {
            json_object_set_new(o, "items", json_array());
        }
        return o;
    }
    json_decref(areas);
    json_decref(levels);
    json_decref(missing);
    scores = r->no_texts ? tx_score_json_bare(v->q, &r->score) : tx_score_json(v->q, &r->score);
    json_object_update(o, scores);
    json_decref(scores);
    if (!r->no_items) {
        json_object_set_new(o, "items",
                            tx_report_items_json(v->q, v->inner->answers, v->inner->n_answers));
    }
    return o;
}

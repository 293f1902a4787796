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

/* An id or key as hex, or null when the verdict has none. */
static void
emit_id(tx_emit *e, int has, const uint8_t *id, size_t len)
{
    if (has) {
        tx_emit_hex(e, id, len);
    } else {
        tx_emit_null(e);
    }
}

/* The row's "questionnaire": its record, id and version, and its texts unless r->no_texts. */
static void
emit_questionnaire(tx_emit *e, const tx_report_row *r)
{
    const tx_verdict *v = r->v;

    if (v->q == NULL) {
        tx_emit_null(e);
        return;
    }
    tx_emit_object(e);
    tx_emit_key(e, "record");
    tx_emit_hex(e, v->questionnaire, TX_ID_LEN);
    tx_emit_key(e, "id");
    tx_emit_string(e, v->q->id);
    tx_emit_key(e, "version");
    tx_emit_int(e, v->q->version);
    if (!r->no_texts) {
        tx_emit_key(e, "title");
        tx_emit_json(e, tx_json_text(v->q->title));
        tx_emit_key(e, "provenance");
        if (tx_questionnaire_has_provenance(v->q)) {
            tx_emit_json(e, tx_json_text(v->q->provenance));
        } else {
            tx_emit_null(e);
        }
    }
    tx_emit_end(e);
}

/* A row that was not scored: its score's members, empty. */
static void
emit_no_score(tx_emit *e)
{
    static const char *const nulls[] = {"level_achieved", "level_next", "unanswered"};

    tx_emit_key(e, "areas");
    tx_emit_array(e);
    tx_emit_end(e);
    tx_emit_key(e, "overall");
    tx_emit_null(e);
    tx_emit_key(e, "levels");
    tx_emit_array(e);
    tx_emit_end(e);
    for (size_t k = 0; k < TX_ARRAY_LEN(nulls); k++) {
        tx_emit_key(e, nulls[k]);
        tx_emit_null(e);
    }
    tx_emit_key(e, "unanswered_items");
    tx_emit_array(e);
    tx_emit_end(e);
}

void
tx_report_row_emit(tx_emit *e, const tx_report_row *r)
{
    const tx_verdict *v = r->v;

    tx_emit_key(e, "name");
    tx_emit_string(e, v->supplier_name);
    tx_emit_key(e, "fingerprint");
    tx_emit_string(e, v->supplier_fp);
    tx_emit_key(e, "key");
    tx_emit_hex(e, v->supplier, TX_KEY_LEN);
    tx_emit_key(e, "status");
    tx_emit_string(e, tx_verdict_name(v->status));
    tx_emit_key(e, "reason");
    tx_emit_string(e, v->status == TX_VERIFIED ? NULL : v->reason);
    tx_emit_key(e, "assessment");
    tx_emit_hex(e, v->assessment, TX_ID_LEN);
    tx_emit_key(e, "request");
    emit_id(e, v->has_request, v->request, TX_ID_LEN);
    tx_emit_key(e, "questionnaire");
    emit_questionnaire(e, r);
    tx_emit_key(e, "as_of");
    tx_emit_date(e, v->as_of);
    tx_emit_key(e, "valid_until");
    tx_emit_date(e, v->valid_until);
    /* The rare and nested members, made by their own makers. */
    tx_emit_key(e, "questionnaire_mismatch");
    tx_emit_json(e, tx_verdict_mismatch_json(v));
    tx_emit_key(e, "superseded_by");
    tx_emit_json(e, tx_verdict_superseded_json(v));
    tx_emit_key(e, "certificate");
    tx_emit_json(e, tx_verdict_cert_json(v));
    tx_emit_key(e, "credentials");
    tx_emit_json(e, tx_cred_verdict_json(v));
    tx_emit_key(e, "evidence");
    tx_emit_json(e, tx_evidence_json(v->evidence, v->n_evidence));
    tx_emit_key(e, "plans");
    tx_emit_json(e, tx_plan_json(r->scored ? v->inner : NULL, tx_now(), r->plan_days));
    if (r->scored) {
        tx_score_emit(e, v->q, &r->score, !r->no_texts);
    } else {
        emit_no_score(e);
    }
    if (!r->no_items) {
        tx_emit_key(e, "items");
        if (r->scored) {
            tx_emit_json(e, tx_report_items_json(v->q, v->inner->answers, v->inner->n_answers));
        } else {
            tx_emit_array(e);
            tx_emit_end(e);
        }
    }
}

json_t *
tx_report_row_json(const tx_report_row *r)
{
    tx_emit_builder b;
    json_t *o = json_object();

    tx_emit_build(&b, o);
    tx_report_row_emit(&b.e, r);
    if (b.e.rc != TX_OK) {
        json_decref(o);
        return NULL;
    }
    return o;
}

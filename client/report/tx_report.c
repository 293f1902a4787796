/* Supplier report: choose one assessment per supplier, score it, print a table or JSON. */
#include "tx_report.h"
#include "tx_report_rows.h"

#include "tx_cell.h"
#include "tx_error.h"
#include "tx_idmap.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_pool.h"
#include "tx_questionnaire.h"
#include "tx_render_items.h"
#include "tx_score.h"
#include "tx_util.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 80

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

static int
pick_rows(const tx_verdicts *vs, row **out, size_t *n)
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

static void
free_rows(row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (rows[i].scored) {
            tx_score_free(&rows[i].score);
        }
    }
    free(rows);
}

static json_t *
score_json(const tx_area_score *a)
{
    return a->has_score ? json_real(tx_score_round(a->percent)) : json_null();
}

static json_t *
row_json(const row *r)
{
    const tx_verdict *v = r->v;
    json_t *o = json_pack("{s:s,s:s,s:o,s:s,s:o,s:o,s:o}", "name", v->supplier_name, "fingerprint",
                          v->supplier_fp, "key", tx_json_hex(v->supplier, TX_KEY_LEN), "status",
                          tx_verdict_name(v->status), "reason",
                          v->status == TX_VERIFIED ? json_null() : json_string(v->reason),
                          "assessment", tx_json_hex(v->assessment, TX_ID_LEN), "request",
                          v->has_request ? tx_json_hex(v->request, TX_ID_LEN) : json_null());
    json_t *areas = json_array(), *levels = json_array(), *missing = json_array();

    if (v->q != NULL) {
        json_object_set_new(o, "questionnaire",
                            json_pack("{s:o,s:s,s:I,s:o}", "record",
                                      tx_json_hex(v->questionnaire, TX_ID_LEN), "id", v->q->id,
                                      "version", (json_int_t)v->q->version, "title",
                                      tx_json_text(v->q->title)));
    } else {
        json_object_set_new(o, "questionnaire", json_null());
    }
    json_object_set_new(o, "as_of", tx_json_date(v->as_of));
    json_object_set_new(o, "valid_until", tx_json_date(v->valid_until));
    json_object_set_new(o, "questionnaire_mismatch", tx_verdict_mismatch_json(v));
    json_object_set_new(o, "superseded_by", tx_verdict_superseded_json(v));
    json_object_set_new(o, "certificate", tx_verdict_cert_json(v));
    if (!r->scored) {
        json_object_set_new(o, "areas", areas);
        json_object_set_new(o, "overall", json_null());
        json_object_set_new(o, "levels", levels);
        json_object_set_new(o, "level_achieved", json_null());
        json_object_set_new(o, "unanswered", json_null());
        json_object_set_new(o, "unanswered_items", missing);
        json_object_set_new(o, "items", json_array());
        return o;
    }
    for (size_t a = 0; a < r->score.n_areas; a++) {
        const tx_area_score *s = &r->score.areas[a];
        json_array_append_new(areas, json_pack("{s:s,s:o,s:o,s:I,s:I,s:I}", "id", s->id, "name",
                                               tx_json_text(v->q->areas[a]->name), "score",
                                               score_json(s), "items", (json_int_t)s->items,
                                               "answered", (json_int_t)s->answered, "applicable",
                                               (json_int_t)s->applicable));
    }
    for (size_t l = 0; l < r->score.n_levels; l++) {
        const tx_level_score *s = &r->score.levels[l];
        const tx_local_text_pb *name = NULL;
        for (size_t k = 0; k < v->q->n_levels; k++) {
            if (v->q->levels[k]->level == s->level) {
                name = v->q->levels[k]->name;
            }
        }
        json_array_append_new(levels, json_pack("{s:I,s:o,s:I,s:I,s:f,s:b}", "level",
                                                (json_int_t)s->level, "name", tx_json_text(name),
                                                "applicable", (json_int_t)s->applicable,
                                                "implemented", (json_int_t)s->implemented, "share",
                                                tx_score_round(s->share), "achieved", s->achieved));
    }
    for (size_t k = 0; k < r->score.n_unanswered; k++) {
        json_array_append_new(missing, json_string(r->score.unanswered[k]));
    }
    json_object_set_new(o, "areas", areas);
    json_object_set_new(o, "overall", score_json(&r->score.overall));
    json_object_set_new(o, "levels", levels);
    json_object_set_new(o, "level_achieved", json_integer(r->score.level_achieved));
    json_object_set_new(o, "unanswered", json_integer((json_int_t)r->score.n_unanswered));
    json_object_set_new(o, "unanswered_items", missing);
    json_object_set_new(o, "items",
                        tx_render_items_json(v->q, v->inner->answers, v->inner->n_answers));
    return o;
}

static int
write_json(FILE *f, const row *rows, size_t n, const tx_verdicts *vs, const tx_report_tree_opts *t)
{
    json_t *arr = json_array();
    json_t *root = json_pack("{s:o,s:o}", "generated", tx_json_date(tx_now()), "suppliers", arr);
    int rc;

    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, row_json(&rows[i]));
    }
    if (t != NULL && (rc = tx_report_tree_json(root, vs, t)) != TX_OK) {
        json_decref(root);
        return rc;
    }
    /* Six significant digits print rounded scores as written: 83.3, not 83.299999999999997. */
    rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    fputc('\n', f);
    json_decref(root);
    return rc == 0 ? TX_OK : tx_fail(TX_ERR_IO, "cannot write the report");
}

/* Column label of area i: its id when short, else its position. */
static void
area_label(const tx_questionnaire_pb *q, size_t i, char *out, size_t n)
{
    if (strlen(q->areas[i]->id) <= 3) {
        snprintf(out, n, "%s", q->areas[i]->id);
    } else {
        snprintf(out, n, "a%zu", i + 1);
    }
}

static void
put_score(FILE *f, const tx_area_score *a, int width)
{
    if (a->has_score) {
        fprintf(f, "%*.0f", width, floor(a->percent + 0.5));
    } else {
        fprintf(f, "%*s", width, "-");
    }
}

static void
put_id_line(FILE *f, const tx_verdict *v)
{
    char a[16], u[16];

    fprintf(f, "  %s", v->supplier_fp);
    if (v->as_of != 0) {
        tx_format_date(a, sizeof a, v->as_of);
        tx_format_date(u, sizeof u, v->valid_until);
        fprintf(f, "  %s..%s", a, u);
    }
    fputc('\n', f);
}

/* Under a row: the questionnaire mismatch and the certificate's reason when it is not valid. */
static void
put_notes(FILE *f, const tx_verdict *v, int ja)
{
    const tx_cert_state *st = tx_verdict_cert_state(v);
    char buf[640], d[16];

    if (v->q_mismatch) {
        fputs("  ", f);
        snprintf(buf, sizeof buf, "%s%s",
                 ja ? "質問票の版違い: " : "questionnaire: ", v->q_mismatch_reason);
        tx_put_wrapped(f, buf, 2, WIDTH, 4);
    }
    if (v->superseded) {
        /* This is an older assessment: say so, and whether the newer one can be read. */
        fputs("  ", f);
        snprintf(buf, sizeof buf, "%s%s", ja ? "旧版: " : "older assessment: ", v->notice);
        tx_put_wrapped(f, buf, 2, WIDTH, 4);
    }
    if (v->cert_checked && st->status != TX_CERT_VALID && st->status != TX_CERT_NONE) {
        tx_format_date(d, sizeof d, st->at);
        fputs("  ", f);
        snprintf(buf, sizeof buf, "%s %s%s: %s", ja ? "認証" : "certificate",
                 st == &v->cert_as_of ? (ja ? "評価基準日 " : "at as-of ") : "",
                 st == &v->cert_as_of ? d : (ja ? "現在" : "now"), st->reason);
        tx_put_wrapped(f, buf, 2, WIDTH, 4);
    }
}

static void
write_group(FILE *f, const row *rows, size_t n, const uint8_t *qid, int ja)
{
    const tx_questionnaire_pb *q = NULL;
    char buf[1024], label[8];
    int name_w;

    for (size_t i = 0; i < n && q == NULL; i++) {
        if (rows[i].scored && memcmp(rows[i].v->questionnaire, qid, TX_ID_LEN) == 0) {
            q = rows[i].v->q;
        }
    }
    /* The certificate column takes the place a verdict column would: every row here was
     * verified, and one whose validity ended says so on the line below it. */
    name_w = WIDTH - 1 - (10 + 4 * (int)q->n_areas + 5 + 4 + 7);
    name_w = name_w < 12 ? 12 : name_w;
    snprintf(buf, sizeof buf, "%s v%u: %s", q->id, q->version, tx_text(q->title, ja));
    tx_put_wrapped(f, buf, 0, WIDTH, 2);
    tx_put_cell(f, ja ? "サプライヤ" : "SUPPLIER", name_w);
    fputc(' ', f);
    tx_put_cell(f, ja ? "認証" : "CERT", 9);
    for (size_t a = 0; a < q->n_areas; a++) {
        area_label(q, a, label, sizeof label);
        tx_put_rcell(f, label, 4);
    }
    tx_put_rcell(f, ja ? "総合" : "ALL", 5);
    tx_put_rcell(f, "LV", 4);
    tx_put_rcell(f, ja ? "未回答" : "MISS", 7);
    fputc('\n', f);
    for (size_t i = 0; i < n; i++) {
        const row *r = &rows[i];
        if (!r->scored || memcmp(r->v->questionnaire, qid, TX_ID_LEN) != 0) {
            continue;
        }
        tx_put_cell(f, r->v->supplier_name[0] ? r->v->supplier_name : "(no profile)", name_w);
        fputc(' ', f);
        tx_put_cell(f, tx_cert_status_label(tx_verdict_cert_state(r->v)->status, ja), 9);
        for (size_t a = 0; a < r->score.n_areas; a++) {
            put_score(f, &r->score.areas[a], 4);
        }
        put_score(f, &r->score.overall, 5);
        if (r->score.level_achieved) {
            fprintf(f, "%4u", r->score.level_achieved);
        } else {
            fprintf(f, "%4s", "-");
        }
        fprintf(f, "%7zu\n", r->score.n_unanswered);
        put_id_line(f, r->v);
        if (r->v->status != TX_VERIFIED) {
            snprintf(buf, sizeof buf, "%s: %s", tx_verdict_label(r->v->status, ja), r->v->reason);
            fputs("  ", f);
            tx_put_wrapped(f, buf, 2, WIDTH, 4);
        }
        put_notes(f, r->v, ja);
    }
    /* Legend: area names, then what LV and MISS mean. */
    size_t used = 0;
    buf[0] = 0;
    for (size_t a = 0; a < q->n_areas && used < sizeof buf; a++) {
        area_label(q, a, label, sizeof label);
        int w = snprintf(buf + used, sizeof buf - used, "%s%s %s", a ? "; " : "", label,
                         tx_text(q->areas[a]->name, ja));
        used += w > 0 ? (size_t)w : 0;
    }
    tx_put_wrapped(f, buf, 0, WIDTH, 0);
    used = 0;
    used += (size_t)snprintf(buf, sizeof buf, "%s",
                             ja ? "LV: 完全に実施している最高のレベル ("
                                : "LV: highest level fully implemented (");
    for (size_t l = 0; l < q->n_levels && used < sizeof buf; l++) {
        int w = snprintf(buf + used, sizeof buf - used, "%s%u %s", l ? ", " : "",
                         q->levels[l]->level, tx_text(q->levels[l]->name, ja));
        used += w > 0 ? (size_t)w : 0;
    }
    if (used < sizeof buf) {
        snprintf(buf + used, sizeof buf - used, "%s",
                 ja ? "); 点数は該当項目の加重達成率 (%)"
                    : "); scores: weighted % of applicable items");
    }
    tx_put_wrapped(f, buf, 0, WIDTH, 0);
}

static int
write_table(FILE *f, const row *rows, size_t n, int ja)
{
    int any_failed = 0;

    if (n == 0) {
        fprintf(f, "%s\n",
                ja ? "検証済みの評価はありません: ticsx fetch を実行してください"
                   : "no assessments to report: run ticsx fetch");
        return TX_OK;
    }
    /* One table per questionnaire, in the order they first appear. */
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        if (!rows[i].scored) {
            any_failed = 1;
            continue;
        }
        for (size_t k = 0; k < i && !seen; k++) {
            seen = rows[k].scored &&
                   memcmp(rows[k].v->questionnaire, rows[i].v->questionnaire, TX_ID_LEN) == 0;
        }
        if (!seen) {
            if (i > 0) {
                fputc('\n', f);
            }
            write_group(f, rows, n, rows[i].v->questionnaire, ja);
        }
    }
    if (any_failed) {
        fprintf(f, "\n%s\n", ja ? "検証できなかった評価:" : "not verified:");
        for (size_t i = 0; i < n; i++) {
            if (rows[i].scored) {
                continue;
            }
            tx_put_cell(f, rows[i].v->supplier_name[0] ? rows[i].v->supplier_name : "(no profile)",
                        40);
            fprintf(f, " %s\n", tx_verdict_label(rows[i].v->status, ja));
            put_id_line(f, rows[i].v);
            fputs("  ", f);
            tx_put_wrapped(f, rows[i].v->reason, 2, WIDTH, 4);
        }
    }
    return TX_OK;
}

int
tx_report_write(FILE *f, const tx_verdicts *vs, int json, int ja)
{
    return tx_report_write_tree(f, vs, NULL, json, ja);
}

int
tx_report_rows(const tx_verdicts *vs, tx_report_row **out, size_t *n)
{
    return pick_rows(vs, out, n);
}

void
tx_report_rows_free(tx_report_row *rows, size_t n)
{
    free_rows(rows, n);
}

json_t *
tx_report_row_json(const tx_report_row *r)
{
    return row_json(r);
}

int
tx_report_write_tree(FILE *f, const tx_verdicts *vs, const tx_report_tree_opts *t, int json, int ja)
{
    row *rows;
    size_t n;
    int rc = pick_rows(vs, &rows, &n);

    if (rc != TX_OK) {
        return rc;
    }
    rc = json ? write_json(f, rows, n, vs, t) : write_table(f, rows, n, ja);
    if (rc == TX_OK && !json && t != NULL) {
        rc = tx_report_tree_table(f, vs, t, ja);
    }
    free_rows(rows, n);
    if (rc == TX_OK && ferror(f)) {
        rc = tx_fail(TX_ERR_IO, "cannot write the report");
    }
    return rc;
}

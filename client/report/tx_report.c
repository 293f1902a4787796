/* The supplier report: the rows (tx_report_row.h) as one table per questionnaire or as the JSON
 * document, followed by the supply tree (tx_report_tree.h) when asked. */
#include "tx_report.h"
#include "tx_policy.h"
#include "tx_render_doc.h"
#include "tx_report_plans.h"
#include "tx_report_row.h"
#include "tx_report_scope.h"
#include "tx_report_stream.h"

#include "tx_cell.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"
#include "tx_score.h"
#include "tx_util.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 80

typedef tx_report_row row;

/* 1 when the streamed report writes the rows of `vs` apart from its document: no policy is
 * applied, so nothing is added to a row after it is made. */
static int
rows_apart(const tx_verdicts *vs)
{
    return vs->policy == NULL;
}

/* The document of `rows`; its "suppliers" empty when `refs` (the streamed report writes them
 * from `rows`). */
static json_t *
doc_json(const row *rows, size_t n, json_t *questionnaire, int refs)
{
    json_t *arr = json_array(), *doc = json_object();

    for (size_t i = 0; i < n && !refs; i++) {
        json_array_append_new(arr, tx_report_row_json(&rows[i]));
    }
    json_object_set_new(doc, "generated", tx_json_date(tx_now()));
    if (questionnaire != NULL) {
        json_object_set_new(doc, "questionnaire", questionnaire);
    }
    json_object_set_new(doc, "suppliers", arr);
    return doc;
}

/* The document of `vs`, with "questionnaire" when that is not NULL (stolen). With `keep` not
 * NULL the rows' and nodes' objects have no "items" and the rows the document was made of are
 * left in *keep, *n_keep (in the order of "suppliers"; tx_report_rows_free). For the streamed
 * writer (`streamed`, with `keep`) its rows have no questionnaire texts (tx_report_row.h,
 * no_texts), and without a policy (rows_apart) they are not in it at all: "suppliers" is empty,
 * the tree's nodes refer to them (tx_report_tree_json_rows, row_refs), the writer writes
 * *keep. */
static int
report_doc(const tx_verdicts *vs, const tx_report_tree_opts *t, json_t *questionnaire, row **keep,
           size_t *n_keep, int streamed, json_t **out)
{
    int apart = streamed && rows_apart(vs);
    tx_report_tree_opts light;
    row *rows;
    size_t n;
    int rc = tx_report_rows(vs, &rows, &n);

    *out = NULL;
    if (rc != TX_OK) {
        json_decref(questionnaire);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        rows[i].no_items = keep != NULL;
        rows[i].no_texts = streamed;
    }
    if (t != NULL && keep != NULL) {
        light = *t;
        light.no_items = 1;
        t = &light;
    }
    *out = doc_json(rows, n, questionnaire, apart);
    /* The tree's rows are these: not made and scored again. */
    if ((t != NULL && (rc = tx_report_tree_json_rows(*out, vs, t, rows, n, apart)) != TX_OK) ||
        (rc = tx_policy_apply(*out, vs->policy, t != NULL && t->now ? t->now : tx_now())) !=
            TX_OK) {
        json_decref(*out);
        *out = NULL;
    }
    if (keep != NULL && rc == TX_OK) {
        *keep = rows;
        *n_keep = n;
    } else {
        tx_report_rows_free(rows, n);
    }
    return rc;
}

int
tx_report_json(const tx_verdicts *vs, const tx_report_tree_opts *t, json_t **out)
{
    return report_doc(vs, t, NULL, NULL, NULL, 0, out);
}

int
tx_report_json_brief(const tx_verdicts *vs, const tx_report_tree_opts *t, json_t **out)
{
    row *rows;
    size_t n;
    int rc = report_doc(vs, t, NULL, &rows, &n, 0, out);

    if (rc == TX_OK) {
        tx_report_rows_free(rows, n);
    }
    return rc;
}

/* The tree options of a scope: sub-suppliers read from every verdict. */
static const tx_report_tree_opts *
scope_tree(const tx_report_tree_opts *t, const tx_verdicts *all, tx_report_tree_opts *buf)
{
    if (t == NULL) {
        return NULL;
    }
    *buf = *t;
    buf->subs_from = all;
    return buf;
}

int
tx_report_docs(const tx_verdicts *vs, const tx_report_tree_opts *t, const char *only, json_t **out)
{
    tx_report_scope *sc;
    tx_report_tree_opts buf;
    size_t n;
    json_t *docs;
    int rc = tx_report_scopes(vs, only, &sc, &n);

    *out = NULL;
    if (rc != TX_OK) {
        return rc;
    }
    docs = json_array();
    for (size_t k = 0; k < n && rc == TX_OK; k++) {
        json_t *doc;
        rc = report_doc(&sc[k].vs, scope_tree(t, vs, &buf), tx_report_scope_json(&sc[k]), NULL,
                        NULL, 0, &doc);
        if (rc == TX_OK) {
            json_array_append_new(docs, doc);
        }
    }
    tx_report_scopes_free(sc, n);
    if (rc != TX_OK) {
        json_decref(docs);
        return rc;
    }
    *out = json_pack("{s:o,s:o}", "generated", tx_json_date(tx_now()), "reports", docs);
    return TX_OK;
}

/* Format 2, streamed (tx_report_stream.h): the envelope, then each questionnaire's document
 * made and written in turn. */
static int
write_json(FILE *f, const tx_verdicts *vs, const tx_report_tree_opts *t, const char *only)
{
    tx_report_scope *sc;
    tx_report_tree_opts buf;
    size_t n;
    json_t *date = tx_json_date(tx_now());
    tx_jw *w = malloc(sizeof *w);
    int rc = w != NULL ? tx_report_scopes(vs, only, &sc, &n) : TX_ERR_NOMEM;

    if (rc != TX_OK) {
        json_decref(date);
        free(w);
        return rc;
    }
    tx_jw_init(w, f);
    tx_jw_puts(w, "{\n  \"generated\": ");
    rc = tx_report_stream_value(w, date, 1);
    tx_jw_puts(w, ",\n  \"format\": ");
    tx_json_write_int(w, TX_REPORT_FORMAT);
    tx_jw_puts(w, ",\n  \"reports\": [");
    for (size_t k = 0; k < n && rc == TX_OK; k++) {
        json_t *doc;
        row *rows;
        size_t n_rows;
        rc = report_doc(&sc[k].vs, scope_tree(t, vs, &buf), tx_report_scope_json(&sc[k]), &rows,
                        &n_rows, 1, &doc);
        if (rc == TX_OK) {
            tx_jw_puts(w, k ? ",\n    " : "\n    ");
            rc = tx_report_stream_doc(w, doc, rows, n_rows, rows_apart(&sc[k].vs), 2);
            json_decref(doc);
            tx_report_rows_free(rows, n_rows);
        }
    }
    tx_jw_puts(w, n > 0 ? "\n  ]\n}\n" : "]\n}\n");
    tx_report_scopes_free(sc, n);
    json_decref(date);
    if ((tx_jw_flush(w) != TX_OK || ferror(f)) && rc == TX_OK) {
        rc = tx_fail(TX_ERR_IO, "cannot write the report");
    }
    free(w);
    return rc;
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

void
tx_report_row_notes(FILE *f, const json_t *jrow, int ja)
{
    const json_t *creds = json_object_get(jrow, "credentials");
    const json_t *pol = json_object_get(jrow, "policy");
    int pass = tx_render_policy_pass(jrow);
    char buf[1024], reasons[768];

    for (size_t i = 0; i < json_array_size(creds); i++) {
        const json_t *c = json_array_get(creds, i);
        const char *reason = tx_render_str(c, "reason");
        size_t used;
        tx_render_cred_line(c, ja, buf, sizeof buf);
        used = strlen(buf);
        /* The reason of anything not plainly fine. */
        if (reason[0] && strcmp(tx_render_str(c, "severity"), "ok") != 0) {
            tx_render_append(buf, sizeof buf, &used, "%s%s", tx_render_tr(N_(": "), ja), reason);
        }
        fputs("  ", f);
        tx_put_wrapped(f, buf, 2, WIDTH, 4);
    }
    if (pass >= 0) {
        size_t used = 0;
        tx_render_policy_reasons(jrow, ja, reasons, sizeof reasons);
        buf[0] = 0;
        tx_render_append(buf, sizeof buf, &used, tx_render_tr(N_("policy v%lld: %s"), ja),
                         (long long)json_integer_value(json_object_get(pol, "version")),
                         tx_render_policy_label(pass, ja));
        if (reasons[0]) {
            tx_render_append(buf, sizeof buf, &used, "%s%s", tx_render_tr(N_(": "), ja), reasons);
        }
        fputs("  ", f);
        tx_put_wrapped(f, buf, 2, WIDTH, 4);
    }
    tx_report_plans_notes(f, jrow, ja);
}

/* Under a row: the questionnaire mismatch and the certificate's reason when it is not valid;
 * then, from the row's JSON, its credentials and the policy's verdict. */
static void
put_notes(FILE *f, const tx_verdict *v, const json_t *jrow, int ja)
{
    const tx_cert_state *st = tx_verdict_cert_state(v);
    char buf[640], d[16];

    if (v->q_mismatch) {
        fputs("  ", f);
        snprintf(buf, sizeof buf, "%s%s", tx_render_tr(N_("questionnaire: "), ja),
                 v->q_mismatch_reason);
        tx_put_wrapped(f, buf, 2, WIDTH, 4);
    }
    if (v->superseded) {
        /* This is an older assessment: say so, and whether the newer one can be read. */
        fputs("  ", f);
        snprintf(buf, sizeof buf, "%s%s", tx_render_tr(N_("older assessment: "), ja), v->notice);
        tx_put_wrapped(f, buf, 2, WIDTH, 4);
    }
    /* The row's credentials (below) list the body-signed certificate with its reason. */
    if (v->cert_checked && st->status != TX_CERT_VALID && st->status != TX_CERT_NONE &&
        json_array_size(json_object_get(jrow, "credentials")) == 0) {
        tx_format_date(d, sizeof d, st->at);
        fputs("  ", f);
        if (st == &v->cert_as_of) {
            snprintf(buf, sizeof buf, tx_render_tr(N_("certificate at as-of %s: %s"), ja), d,
                     st->reason);
        } else {
            snprintf(buf, sizeof buf, tx_render_tr(N_("certificate now: %s"), ja), st->reason);
        }
        tx_put_wrapped(f, buf, 2, WIDTH, 4);
    }
    tx_report_row_notes(f, jrow, ja);
}

static void
write_group(FILE *f, const row *rows, const json_t *sups, size_t n, const uint8_t *qid, int ja)
{
    const tx_questionnaire_pb *q = NULL;
    char buf[1024], label[8], label16[32];
    /* Japanese labels are wider: the web UI's words for certificate states (定期報告の遅延
     * takes 14 columns), "レベル". */
    int name_w, cert_w = ja ? 14 : 9, lv_w = 10;

    for (size_t i = 0; i < n && q == NULL; i++) {
        if (rows[i].scored && memcmp(rows[i].v->questionnaire, qid, TX_ID_LEN) == 0) {
            q = rows[i].v->q;
        }
    }
    /* The certificate column takes the place a verdict column would: every row here was
     * verified, and one whose validity ended says so on the line below it. */
    /* With 8 areas in Japanese the name keeps 10 columns: the whole row stays within 80. */
    name_w = WIDTH - 1 - (cert_w + 1 + 4 * (int)q->n_areas + 5 + lv_w + 7);
    name_w = name_w < 10 ? 10 : name_w;
    snprintf(buf, sizeof buf, "%s v%u: %s", q->id, q->version, tx_text(q->title, ja));
    tx_put_wrapped(f, buf, 0, WIDTH, 2);
    tx_put_cell(f, tx_render_tr(N_("SUPPLIER"), ja), name_w);
    fputc(' ', f);
    tx_put_cell(f, tx_render_tr(N_("CERT"), ja), cert_w);
    for (size_t a = 0; a < q->n_areas; a++) {
        area_label(q, a, label, sizeof label);
        tx_put_rcell(f, label, 4);
    }
    tx_put_rcell(f, tx_render_tr(N_("ALL"), ja), 5);
    tx_put_rcell(f, tx_render_tr(N_("LV"), ja), lv_w);
    tx_put_rcell(f, tx_render_tr(N_("MISS"), ja), 7);
    fputc('\n', f);
    for (size_t i = 0; i < n; i++) {
        const row *r = &rows[i];
        if (!r->scored || memcmp(r->v->questionnaire, qid, TX_ID_LEN) != 0) {
            continue;
        }
        tx_put_cell(
            f, r->v->supplier_name[0] ? r->v->supplier_name : tx_render_tr(N_("(no profile)"), ja),
            name_w);
        fputc(' ', f);
        tx_put_cell(f, tx_render_cert_word(tx_verdict_cert_state(r->v)->status, ja), cert_w);
        for (size_t a = 0; a < r->score.n_areas; a++) {
            put_score(f, &r->score.areas[a], 4);
        }
        put_score(f, &r->score.overall, 5);
        /* "L1 L2 80%": the level achieved, the share fully met of the one above. */
        tx_render_level_share(json_array_get(sups, i), 0, ja, label16, sizeof label16);
        tx_put_rcell(f, label16, lv_w);
        fprintf(f, "%7zu\n", r->score.n_unanswered);
        put_id_line(f, r->v);
        if (r->v->status != TX_VERIFIED) {
            snprintf(buf, sizeof buf, "%s: %s", tx_render_verdict_word(r->v->status, ja),
                     r->v->reason);
            fputs("  ", f);
            tx_put_wrapped(f, buf, 2, WIDTH, 4);
        }
        put_notes(f, r->v, json_array_get(sups, i), ja);
    }
    /* Legend: area names, then what LV and MISS mean. */
    size_t used = 0;
    buf[0] = 0;
    for (size_t a = 0; a < q->n_areas && used < sizeof buf; a++) {
        area_label(q, a, label, sizeof label);
        int w =
            snprintf(buf + used, sizeof buf - used, "%s%s %s", a ? tx_render_tr(N_("; "), ja) : "",
                     label, tx_text(q->areas[a]->name, ja));
        used += w > 0 ? (size_t)w : 0;
    }
    tx_put_wrapped(f, buf, 0, WIDTH, 0);
    used = 0;
    used += (size_t)snprintf(buf, sizeof buf, "%s",
                             tx_render_tr(N_("LV: highest level fully implemented ("), ja));
    for (size_t l = 0; l < q->n_levels && used < sizeof buf; l++) {
        int w =
            snprintf(buf + used, sizeof buf - used, "%s%u %s", l ? tx_render_tr(N_(", "), ja) : "",
                     q->levels[l]->level, tx_text(q->levels[l]->name, ja));
        used += w > 0 ? (size_t)w : 0;
    }
    if (used < sizeof buf) {
        snprintf(buf + used, sizeof buf - used, "%s",
                 /* xgettext:no-c-format */
                 tx_render_tr(N_("); scores: weighted % of applicable items"), ja));
    }
    tx_put_wrapped(f, buf, 0, WIDTH, 0);
    /* xgettext:no-c-format */
    tx_put_wrapped(f,
                   tx_render_tr(N_("LV: \"L1 80%\" = level 1 not yet achieved, 80% of its "
                                   "items fully implemented; \"L1 L2 40%\" = level 1 achieved, "
                                   "40% of level 2's"),
                                ja),
                   0, WIDTH, 0);
}

static int
write_table(FILE *f, const row *rows, const json_t *sups, size_t n, int ja)
{
    int any_failed = 0;

    if (n == 0) {
        fprintf(f, "%s\n", tx_render_tr(N_("no assessments to report: run ticsx fetch"), ja));
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
            write_group(f, rows, sups, n, rows[i].v->questionnaire, ja);
        }
    }
    if (any_failed) {
        fprintf(f, "\n%s\n", tx_render_tr(N_("not verified:"), ja));
        for (size_t i = 0; i < n; i++) {
            if (rows[i].scored) {
                continue;
            }
            tx_put_cell(f,
                        rows[i].v->supplier_name[0] ? rows[i].v->supplier_name
                                                    : tx_render_tr(N_("(no profile)"), ja),
                        40);
            fprintf(f, " %s\n", tx_render_verdict_word(rows[i].v->status, ja));
            put_id_line(f, rows[i].v);
            fputs("  ", f);
            tx_put_wrapped(f, rows[i].v->reason, 2, WIDTH, 4);
            tx_report_row_notes(f, json_array_get(sups, i), ja);
        }
    }
    return TX_OK;
}

int
tx_report_write(FILE *f, const tx_verdicts *vs, int json, int ja)
{
    return tx_report_write_tree(f, vs, NULL, NULL, json, ja);
}

/* The table of one scope: its supplier tables, then its tree. */
static int
write_scope(FILE *f, const tx_report_scope *sc, const tx_report_tree_opts *t, int ja)
{
    row *rows;
    json_t *doc = NULL;
    size_t n;
    int rc;

    if (sc->vs.n == 0 && sc->id[0] != 0) {
        char buf[256];
        snprintf(buf, sizeof buf,
                 tx_render_tr(N_("%s: no assessment answers this questionnaire"), ja), sc->id);
        tx_put_wrapped(f, buf, 0, WIDTH, 2);
    }
    if ((rc = report_doc(&sc->vs, t, tx_report_scope_json(sc), NULL, NULL, 0, &doc)) == TX_OK &&
        (rc = tx_report_rows(&sc->vs, &rows, &n)) == TX_OK) {
        /* The rows' credentials, evidence and policy verdict come from the document, as in
         * every other format; its rows are in the order of `rows`. */
        if (n > 0 || sc->id[0] == 0) {
            rc = write_table(f, rows, json_object_get(doc, "suppliers"), n, ja);
        }
        if (rc == TX_OK && t != NULL) {
            rc = tx_report_tree_table(f, &sc->vs, t, doc, ja);
        }
        tx_report_rows_free(rows, n);
    }
    json_decref(doc);
    return rc;
}

int
tx_report_write_tree(FILE *f, const tx_verdicts *vs, const tx_report_tree_opts *t, const char *only,
                     int json, int ja)
{
    tx_report_scope *sc = NULL;
    tx_report_tree_opts buf;
    size_t n = 0;
    int rc;

    if (json) {
        rc = write_json(f, vs, t, only);
    } else if ((rc = tx_report_scopes(vs, only, &sc, &n)) == TX_OK) {
        for (size_t k = 0; k < n && rc == TX_OK; k++) {
            if (k > 0) {
                fputc('\n', f);
            }
            rc = write_scope(f, &sc[k], scope_tree(t, vs, &buf), ja);
        }
        tx_report_scopes_free(sc, n);
    }
    if (rc == TX_OK && ferror(f)) {
        rc = tx_fail(TX_ERR_IO, "cannot write the report");
    }
    return rc;
}

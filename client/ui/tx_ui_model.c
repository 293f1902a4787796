/* The buyer's report model, kept in memory between requests: exactly what `ticsx report --json`
 * computes from the home's cache (tx_cmd_report: verify, the tree from this organisation's
 * requests, the report document), plus the compact rows the dashboard and the tree answer
 * from, so that no request verifies or scores again. */
#include "tx_ui_model.h"
#include "tx_ui_app.h"

#include "tx_error.h"
#include "tx_fetch.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_report_items.h"
#include "tx_supply_tree.h"
#include "tx_util.h"

#include <ctype.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

static void
model_free(tx_ui_model *m)
{
    if (m == NULL) {
        return;
    }
    for (size_t i = 0; i < m->n_rows; i++) {
        json_decref(m->rows[i].obj);
        free(m->rows[i].haystack);
    }
    free(m->rows);
    tx_idmap_free(&m->by_key);
    json_decref(m->areas);
    json_decref(m->counts);
    json_decref(m->tree_doc);
    json_decref(m->doc);
    tx_progress_free(&m->progress);
    free(m->roots);
    tx_orgs_free(&m->orgs);
    tx_report_scopes_free(m->scope, m->n_scope);
    json_decref(m->questionnaires);
    tx_verdicts_free(&m->vs);
    free(m);
}

void
tx_ui_model_invalidate(tx_ui_app *app)
{
    if (app->model != NULL) {
        app->model->valid = 0;
    }
}

void
tx_ui_model_free(tx_ui_app *app)
{
    model_free(app->model);
    app->model = NULL;
}

/* {"status","reason","number"} of a report row's certificate now, or null when it references
 * none (or it was not read). */
static json_t *
cert_brief(const json_t *full, const char **status)
{
    const json_t *c = json_object_get(full, "certificate");
    const json_t *now = json_object_get(c, "now");
    const char *st = json_string_value(json_object_get(now, "status"));

    *status = st != NULL ? st : "no_certificate";
    if (st == NULL || strcmp(st, "no_certificate") == 0) {
        return json_null();
    }
    return json_pack("{s:s,s:O,s:O}", "status", st, "reason", json_object_get(now, "reason"),
                     "number", json_object_get(c, "number"));
}

static json_t *
member(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    return v != NULL ? json_incref(v) : json_null();
}

/* The credentials of a report row in brief, for lists and the tree: [{"scheme","source",
 * "status","severity","reason"}] ([] when none). */
static json_t *
creds_brief(const json_t *full)
{
    json_t *out = json_array();
    size_t i;
    json_t *c;

    json_array_foreach(json_object_get(full, "credentials"), i, c)
    {
        json_array_append_new(out, json_pack("{s:o,s:o,s:o,s:o,s:o}", "scheme", member(c, "scheme"),
                                             "source", member(c, "source"), "status",
                                             member(c, "status"), "severity", member(c, "severity"),
                                             "reason", member(c, "reason")));
    }
    return out;
}

/* The policy's verdict of a report row in brief: {"version","pass","reasons"} or null. */
static json_t *
policy_brief(const json_t *full)
{
    const json_t *p = json_object_get(full, "policy");

    if (!json_is_object(p)) {
        return json_null();
    }
    return json_pack("{s:o,s:o,s:o}", "version", member(p, "version"), "pass", member(p, "pass"),
                     "reasons", member(p, "reasons"));
}

static char *
haystack(const char *name, const char *fp)
{
    size_t n = strlen(name) + strlen(fp) + 2;
    char *h = malloc(n);

    if (h != NULL) {
        snprintf(h, n, "%s %s", name, fp);
        for (char *p = h; *p; p++) {
            *p = (char)tolower((unsigned char)*p);
        }
    }
    return h;
}

static json_t *
requests_brief(void)
{
    return json_pack("{s:i,s:n,s:i}", "open", 0, "next_due", "overdue", 0);
}

/* The dashboard row of a report row. */
static int
row_from_report(tx_ui_model *m, tx_ui_row *r, json_t *full, const tx_verdict *v)
{
    json_t *scores = json_object(), *areas = json_object_get(full, "areas");
    const json_t *overall = json_object_get(full, "overall");
    const json_t *level = json_object_get(full, "level_achieved");
    size_t i;
    json_t *a;

    r->full = full;
    r->v = v;
    tx_unhex(r->key, TX_KEY_LEN, json_string_value(json_object_get(full, "key")));
    json_array_foreach(areas, i, a)
    {
        json_object_set(scores, json_string_value(json_object_get(a, "id")),
                        json_object_get(a, "score"));
    }
    r->age = v != NULL && v->as_of != 0 ? (m->now - v->as_of) / DAY : -1;
    r->obj = json_pack("{s:o,s:o,s:o,s:n,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "key",
                       member(full, "key"), "fingerprint", member(full, "fingerprint"), "name",
                       member(full, "name"), "tier", "status", member(full, "status"), "reason",
                       member(full, "reason"), "certificate", cert_brief(full, &r->cert), "overall",
                       member(full, "overall"), "scores", scores, "level_achieved",
                       member(full, "level_achieved"), "as_of", member(full, "as_of"), "age_days",
                       r->age >= 0 ? json_integer(r->age) : json_null(), "valid_until",
                       member(full, "valid_until"), "requests", requests_brief());
    if (r->obj == NULL) {
        return TX_ERR_NOMEM;
    }
    json_object_set_new(r->obj, "credentials", creds_brief(full));
    json_object_set_new(r->obj, "policy", policy_brief(full));
    json_object_set_new(r->obj, "levels", member(full, "levels"));
    r->name = json_string_value(json_object_get(r->obj, "name"));
    r->status = json_string_value(json_object_get(r->obj, "status"));
    r->overall = json_is_number(overall) ? json_number_value(overall) : -1;
    r->level = json_is_integer(level) ? (int)json_integer_value(level) : 0;
    r->haystack = haystack(r->name, json_string_value(json_object_get(r->obj, "fingerprint")));
    return r->haystack != NULL ? TX_OK : TX_ERR_NOMEM;
}

/* The dashboard row of a supplier asked that granted nothing. */
static int
row_not_answered(tx_ui_model *m, tx_ui_row *r, const uint8_t key[TX_KEY_LEN])
{
    const tx_org *o = tx_orgs_by_key(&m->orgs, key);
    char fp[TX_FP_LEN];

    memcpy(r->key, key, TX_KEY_LEN);
    tx_fingerprint(key, fp);
    r->obj = json_pack("{s:o,s:s,s:s,s:n,s:s,s:n,s:n,s:n,s:{},s:n,s:n,s:n,s:n,s:o}", "key",
                       tx_json_hex(key, TX_KEY_LEN), "fingerprint", fp, "name",
                       o != NULL ? o->name : "", "tier", "status", "not_answered", "reason",
                       "certificate", "overall", "scores", "level_achieved", "as_of", "age_days",
                       "valid_until", "requests", requests_brief());
    if (r->obj == NULL) {
        return TX_ERR_NOMEM;
    }
    r->name = json_string_value(json_object_get(r->obj, "name"));
    r->status = "not_answered";
    r->cert = "no_certificate";
    r->overall = -1;
    r->age = -1;
    r->haystack = haystack(r->name, fp);
    return r->haystack != NULL ? TX_OK : TX_ERR_NOMEM;
}

static int
by_name(const void *pa, const void *pb)
{
    const tx_ui_row *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);

    return c != 0 ? c : memcmp(a->key, b->key, TX_KEY_LEN);
}

/* Open and overdue requests per supplier, with the earliest due date of the open ones. */
static void
add_requests(tx_ui_model *m)
{
    for (size_t q = 0; q < m->progress.n; q++) {
        const tx_progress_request *rq = &m->progress.v[q];
        for (size_t k = 0; k < rq->n_suppliers; k++) {
            const tx_progress_supplier *sp = &rq->suppliers[k];
            const size_t *at = tx_idmap_get(&m->by_key, sp->key);
            tx_ui_row *r;
            json_t *o;

            if (at == NULL || sp->state == TX_PROGRESS_ANSWERED) {
                continue;
            }
            r = &m->rows[*at];
            o = json_object_get(r->obj, "requests");
            json_object_set_new(o, "open",
                                json_integer(json_integer_value(json_object_get(o, "open")) + 1));
            if (sp->state == TX_PROGRESS_OVERDUE) {
                json_object_set_new(
                    o, "overdue",
                    json_integer(json_integer_value(json_object_get(o, "overdue")) + 1));
            }
            if (rq->due != 0 && (r->next_due == 0 || rq->due < r->next_due)) {
                r->next_due = rq->due;
                json_object_set_new(o, "next_due", tx_json_date(rq->due));
            }
        }
    }
}

/* The compact node of a report tree node. */
static json_t *
compact_node(const json_t *n)
{
    const json_t *c = json_object_get(n, "certificate");
    const char *st = json_string_value(json_object_get(json_object_get(c, "now"), "status"));
    static const char *const keep[] = {
        "key",   "fingerprint", "name",    "tier",           "parents",  "supplies", "answer_state",
        "flags", "status",      "overall", "level_achieved", "age_days", "current",  "certified"};
    json_t *o = json_object();

    for (size_t i = 0; i < TX_ARRAY_LEN(keep); i++) {
        json_object_set_new(o, keep[i], member(n, keep[i]));
        if (strcmp(keep[i], "status") == 0) {
            json_object_set_new(o, "certificate",
                                st != NULL && strcmp(st, "no_certificate") != 0
                                    ? json_pack("{s:s}", "status", st)
                                    : json_null());
        }
    }
    json_object_set_new(o, "credentials", creds_brief(n));
    json_object_set_new(o, "policy", policy_brief(n));
    return o;
}

static json_t *
compact_tree(const json_t *doc)
{
    json_t *nodes = json_array();
    size_t i;
    json_t *n;

    json_array_foreach(json_object_get(doc, "nodes"), i, n)
    {
        json_array_append_new(nodes, compact_node(n));
    }
    return json_pack("{s:o,s:o,s:o,s:o,s:o}", "depth", member(doc, "depth"), "current_days",
                     member(doc, "current_days"), "nodes", nodes, "tiers", member(doc, "tiers"),
                     "total", member(doc, "total"));
}

/* The tree nodes of the kept document repeat their supplier rows in full; the model reads
 * only their tier, status and area scores (and the compact tree was made from them), so the
 * per-item answers, levels and questionnaire texts are dropped from the nodes: at 10 000
 * suppliers that halves the memory the model holds. The supplier rows keep everything. */
static void
slim_nodes(json_t *doc)
{
    static const char *const heavy[] = {
        "items",       "levels",        "unanswered_items",      "questionnaire",
        "certificate", "superseded_by", "questionnaire_mismatch"};
    size_t i;
    json_t *n;

    json_array_foreach(json_object_get(doc, "nodes"), i, n)
    {
        for (size_t k = 0; k < TX_ARRAY_LEN(heavy); k++) {
            json_object_del(n, heavy[k]);
        }
    }
}

/* The supplier rows' per-item answers are the bulk of the report document (every item's texts
 * in both languages, per supplier): the model's document is made without them
 * (tx_report_json_brief) and they are made for the one supplier a page shows
 * (tx_ui_model_full_row) from the verdict the model keeps. A row was scored when it counts its
 * unanswered items. */
static void
mark_items(tx_ui_model *m)
{
    for (size_t i = 0; i < m->n_rows; i++) {
        tx_ui_row *r = &m->rows[i];
        r->items_dropped = r->full != NULL && r->v != NULL && r->v->q != NULL &&
                           r->v->inner != NULL &&
                           json_is_integer(json_object_get(r->full, "unanswered"));
    }
}

json_t *
tx_ui_model_full_row(const tx_ui_row *r)
{
    json_t *o;

    if (r->full == NULL) {
        return json_incref(r->obj);
    }
    o = json_copy(r->full);
    json_object_set_new(o, "items",
                        r->items_dropped ? tx_report_items_json(r->v->q, r->v->inner->answers,
                                                                r->v->inner->n_answers)
                                         : json_array());
    return o;
}

int
tx_ui_model_tree(const tx_ui_model *m, unsigned depth, json_t **out)
{
    tx_report_tree_opts t = m->tree;
    json_t *doc = json_object();
    int rc;

    *out = NULL;
    t.depth = depth;
    if ((rc = tx_report_tree_json(doc, m->rvs, &t)) == TX_OK) {
        *out = compact_tree(doc);
    }
    json_decref(doc);
    return rc;
}

/* Tiers of the rows from the tree's nodes (the lowest tier an organisation is reached at). */
static void
add_tiers(tx_ui_model *m)
{
    size_t i;
    json_t *n;

    json_array_foreach(json_object_get(m->tree_doc, "nodes"), i, n)
    {
        const char *hex = json_string_value(json_object_get(n, "key"));
        unsigned tier = (unsigned)json_integer_value(json_object_get(n, "tier"));
        uint8_t key[TX_KEY_LEN];
        const size_t *at;

        if (hex == NULL || tx_unhex(key, TX_KEY_LEN, hex) != TX_OK ||
            (at = tx_idmap_get(&m->by_key, key)) == NULL) {
            continue;
        }
        if (m->rows[*at].tier == 0 || tier < m->rows[*at].tier) {
            m->rows[*at].tier = tier;
            json_object_set_new(m->rows[*at].obj, "tier", json_integer(tier));
        }
    }
}

static int
add_rows(tx_ui_model *m)
{
    json_t *sups = json_object_get(m->doc, "suppliers");
    size_t n = json_array_size(sups) + m->tree.n_roots;
    tx_idmap by_assessment = {0};
    int rc = TX_OK;

    m->rows = calloc(n ? n : 1, sizeof *m->rows);
    if (m->rows == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < m->vs.n; i++) {
        if (tx_idmap_put(&by_assessment, m->vs.v[i].assessment, i, NULL) == NULL) {
            rc = TX_ERR_NOMEM;
        }
    }
    for (size_t i = 0; i < json_array_size(sups) && rc == TX_OK; i++) {
        json_t *full = json_array_get(sups, i);
        uint8_t aid[TX_ID_LEN];
        const size_t *at = NULL;

        if (tx_unhex(aid, TX_ID_LEN, json_string_value(json_object_get(full, "assessment"))) ==
            TX_OK) {
            at = tx_idmap_get(&by_assessment, aid);
        }
        rc = row_from_report(m, &m->rows[m->n_rows++], full, at != NULL ? &m->vs.v[*at] : NULL);
    }
    tx_idmap_free(&by_assessment);
    for (size_t i = 0; i < m->n_rows && rc == TX_OK; i++) {
        if (tx_idmap_put(&m->by_key, m->rows[i].key, i, NULL) == NULL) {
            rc = TX_ERR_NOMEM;
        }
    }
    for (size_t r = 0; r < m->tree.n_roots && rc == TX_OK; r++) {
        int added;
        if (tx_idmap_put(&m->by_key, m->roots[r], m->n_rows, &added) == NULL) {
            rc = TX_ERR_NOMEM;
        } else if (added) {
            rc = row_not_answered(m, &m->rows[m->n_rows++], m->roots[r]);
        }
    }
    if (rc != TX_OK) {
        return rc;
    }
    /* By name, then key; the index follows the sorted order. */
    if (m->n_rows > 1) {
        qsort(m->rows, m->n_rows, sizeof *m->rows, by_name);
    }
    tx_idmap_free(&m->by_key);
    for (size_t i = 0; i < m->n_rows; i++) {
        if (tx_idmap_put(&m->by_key, m->rows[i].key, i, NULL) == NULL) {
            return TX_ERR_NOMEM;
        }
    }
    return TX_OK;
}

/* The union of the rows' areas in order of first appearance, and the rows per status. */
static void
add_areas_counts(tx_ui_model *m)
{
    m->areas = json_array();
    m->counts = json_pack("{s:i,s:i,s:i,s:i,s:i}", "verified", 0, "expired", 0, "failed", 0,
                          "revoked", 0, "not_answered", 0);
    for (size_t r = 0; r < m->n_rows; r++) {
        json_t *c = json_object_get(m->counts, m->rows[r].status);
        size_t i;
        json_t *a;

        json_object_set_new(m->counts, m->rows[r].status, json_integer(json_integer_value(c) + 1));
        json_array_foreach(json_object_get(m->rows[r].full, "areas"), i, a)
        {
            const char *id = json_string_value(json_object_get(a, "id"));
            size_t k;
            json_t *seen;
            int found = 0;

            json_array_foreach(m->areas, k, seen)
            {
                found = found || strcmp(json_string_value(json_object_get(seen, "id")), id) == 0;
            }
            if (!found) {
                json_array_append_new(
                    m->areas, json_pack("{s:s,s:O}", "id", id, "name", json_object_get(a, "name")));
            }
        }
    }
}

/* The questionnaire the model shows: the one asked, else the main one, else the first
 * answered; its verdicts in m->rvs; every questionnaire answered in m->questionnaires. */
static int
pick_questionnaire(tx_ui_model *m, tx_home *home, const char *asked)
{
    const char *main_q = m->main_q;
    tx_report_scope *all;
    size_t n;
    const char *shown;
    int rc;

    if ((rc = tx_report_main_get(home, m->main_q)) != TX_OK ||
        (rc = tx_report_scopes(&m->vs, NULL, &all, &n)) != TX_OK) {
        return rc;
    }
    shown = asked[0] ? asked : main_q[0] ? main_q : all[0].id;
    /* One scope: that questionnaire's, or (no id) the unreadable ones', or none at all. */
    if ((rc = tx_report_scopes(&m->vs, shown[0] ? shown : NULL, &m->scope, &m->n_scope)) == TX_OK) {
        int selected = 0;
        m->rvs = &m->scope[0].vs;
        m->questionnaires = json_array();
        for (size_t i = 0; i < n && m->vs.n > 0; i++) {
            json_t *q = tx_report_scope_json(&all[i]);
            q = json_is_null(q) ? json_pack("{s:n}", "id") : q;
            selected |= strcmp(all[i].id, shown) == 0;
            json_object_set_new(q, "selected", json_boolean(strcmp(all[i].id, shown) == 0));
            json_object_set_new(q, "main", json_boolean(strcmp(all[i].id, main_q) == 0));
            json_array_append_new(m->questionnaires, q);
        }
        if (!selected && shown[0]) {
            /* Asked for, or the main one, but answered by nobody yet. */
            json_t *q = tx_report_scope_json(&m->scope[0]);
            json_object_set_new(q, "selected", json_true());
            json_object_set_new(q, "main", json_boolean(strcmp(shown, main_q) == 0));
            json_array_append_new(m->questionnaires, q);
        }
    }
    tx_report_scopes_free(all, n);
    return rc;
}

int
tx_ui_model_build(tx_ui_app *app)
{
    tx_home *home = tx_client_home(app->client);
    tx_ui_model *m = calloc(1, sizeof *m);
    unsigned req_depth = 1;
    int rc;

    if (m == NULL) {
        return tx_fail(TX_ERR_NOMEM, "out of memory");
    }
    m->now = tx_now();
    /* As tx_cmd_report: the tree starts at the suppliers of this organisation's own requests
     * and goes as deep as the deepest of them asks. */
    if ((rc = tx_verify_all(home, NULL, &m->vs)) != TX_OK ||
        (rc = pick_questionnaire(m, home, app->questionnaire)) != TX_OK ||
        (rc = tx_tree_roots(home, &m->roots, &m->tree.n_roots, &req_depth)) != TX_OK) {
        model_free(m);
        return rc;
    }
    m->tree.roots = (const uint8_t(*)[TX_KEY_LEN])m->roots;
    if (tx_orgs_from_cache(home, &m->orgs) == TX_OK) {
        m->tree.orgs = &m->orgs;
    } else {
        tx_fail_clear();
    }
    m->tree.depth = req_depth;
    m->tree.subs_from = &m->vs;
    if ((rc = tx_report_json_brief(m->rvs, &m->tree, &m->doc)) != TX_OK ||
        (rc = tx_progress_load(home, &m->vs, m->now, &m->progress)) != TX_OK ||
        (rc = add_rows(m)) != TX_OK) {
        model_free(m);
        return rc == TX_ERR_NOMEM ? tx_fail(rc, "out of memory") : rc;
    }
    m->tree_doc = compact_tree(m->doc);
    slim_nodes(m->doc);
    mark_items(m);
    add_requests(m);
    add_tiers(m);
    add_areas_counts(m);
    m->valid = 1;
    model_free(app->model);
    app->model = m;
#ifdef __GLIBC__
    /* Building freed millions of small objects (the verifier's records, the old model, the
     * slimmed nodes); glibc would sort its free lists on the next large allocation, that is
     * in the first page's request (over a second at 10 000 suppliers). Do it here, and give
     * the memory back. */
    malloc_trim(0);
#endif
    return TX_OK;
}

int
tx_ui_model_get_q(tx_ui_app *app, const char *id, tx_ui_model **out)
{
    const char *want = id != NULL ? id : "";
    char main_q[TX_QUESTIONNAIRE_ID_MAX + 1];
    int rc;

    *out = NULL;
    if (want[0] && (rc = tx_report_qid_check(want)) != TX_OK) {
        return rc;
    }
    if (strcmp(want, app->questionnaire) != 0) {
        snprintf(app->questionnaire, sizeof app->questionnaire, "%s", want);
        tx_ui_model_invalidate(app);
    } else if (app->model != NULL) {
        /* The default and the selector's mark follow `questionnaire main` set meanwhile. */
        if ((rc = tx_report_main_get(tx_client_home(app->client), main_q)) != TX_OK) {
            return rc;
        }
        if (strcmp(main_q, app->model->main_q) != 0) {
            tx_ui_model_invalidate(app);
        }
    }
    return tx_ui_model_get(app, out);
}

int
tx_ui_model_get(tx_ui_app *app, tx_ui_model **out)
{
    int rc = TX_OK;

    if (app->model == NULL || !app->model->valid) {
        rc = tx_ui_model_build(app);
    }
    *out = rc == TX_OK ? app->model : NULL;
    return rc;
}

const tx_ui_row *
tx_ui_model_row(const tx_ui_model *m, const uint8_t key[TX_KEY_LEN])
{
    const size_t *at = tx_idmap_get(&m->by_key, key);

    return at != NULL ? &m->rows[*at] : NULL;
}

int
tx_ui_model_refresh(tx_ui_app *app, json_t **summary)
{
    tx_fetched fe = {0};
    int rc;

    if (summary != NULL) {
        *summary = NULL;
    }
    if (!app->has_hub) {
        return tx_fail(TX_ERR_USAGE,
                       "no hub is configured for this home: set TICSX_HUB and TICSX_HUB_KEY (or "
                       "--hub and --hub-key) to fetch");
    }
    rc = tx_fetch_all(app->client, &fe);
    /* A refusal to list certificates still stored what was listed: build on it. */
    if (rc == TX_OK || rc == TX_ERR_REFUSED) {
        int built = tx_ui_model_build(app);
        if (built != TX_OK) {
            rc = built;
        } else if (summary != NULL) {
            *summary = json_pack("{s:o,s:o,s:I}", "fetch", tx_fetch_json(&fe), "generated",
                                 tx_json_date(app->model->now), "suppliers",
                                 (json_int_t)app->model->n_rows);
        }
        if (rc == TX_ERR_REFUSED) {
            rc = TX_OK;
        }
    }
    tx_fetched_free(&fe);
    return rc;
}

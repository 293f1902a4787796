/* The report's supply tree: the rows the report picked become what tx_supply_tree walks; the tree
 * and its roll-ups are added to the JSON document or printed under the supplier tables. */
#include "tx_report_tree.h"
#include "tx_render_doc.h"
#include "tx_report_plans.h"
#include "tx_report_row.h"
#include "tx_supply_tree.h"

#include "tx_cell.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_idmap.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_plan.h"
#include "tx_pool.h"
#include "tx_questionnaire.h"
#include "tx_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 80

typedef struct {
    const tx_report_row *rows; /* own_rows, or the caller's (tx_report_tree_opts.rows) */
    tx_report_row *own_rows;
    size_t n_rows;
    tx_tree_known *known;
    tx_tree_sub *subs;
    uint8_t (*roots)[TX_KEY_LEN];
    const char **names;
    tx_tree tree;
} tree_ctx;

/* Keys listed as sub-suppliers by verified assessments: for each, the first lister's key and
 * whether another lister has a different key, so "listed by a verified assessment of another
 * organisation" is one lookup. */
typedef struct {
    tx_idmap at; /* listed key -> slot */
    const uint8_t **first;
    int *other;
    size_t n;
} listed;

static int
listed_build(listed *l, const tx_tree_known *known, size_t n, size_t n_subs)
{
    memset(l, 0, sizeof *l);
    l->first = calloc(n_subs ? n_subs : 1, sizeof *l->first);
    l->other = calloc(n_subs ? n_subs : 1, sizeof *l->other);
    if (l->first == NULL || l->other == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (known[i].status != TX_VERIFIED) {
            continue;
        }
        for (size_t s = 0; s < known[i].n_subs; s++) {
            const size_t *slot;
            int added;
            if (!known[i].subs[s].has_key) {
                continue;
            }
            if ((slot = tx_idmap_put(&l->at, known[i].subs[s].key, l->n, &added)) == NULL) {
                return TX_ERR_NOMEM;
            }
            if (added) {
                l->first[l->n++] = known[i].key;
            } else if (memcmp(l->first[*slot], known[i].key, TX_KEY_LEN) != 0) {
                l->other[*slot] = 1;
            }
        }
    }
    return TX_OK;
}

static int
listed_by_verified(const listed *l, const uint8_t key[TX_KEY_LEN])
{
    const size_t *slot = tx_idmap_get(&l->at, key);

    return slot != NULL && (memcmp(l->first[*slot], key, TX_KEY_LEN) != 0 || l->other[*slot]);
}

static void
listed_free(listed *l)
{
    tx_idmap_free(&l->at);
    free(l->first);
    free(l->other);
}

/* Tier-1 order: by name, ties in the order found (a stable sort). */
typedef struct {
    const char *name;
    size_t pos;
} root_order;

static int
by_root_name(const void *pa, const void *pb)
{
    const root_order *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);

    return c != 0 ? c : (a->pos > b->pos) - (a->pos < b->pos);
}

static void
ctx_free(tree_ctx *c)
{
    tx_tree_free(&c->tree);
    if (c->own_rows != NULL) {
        tx_report_rows_free(c->own_rows, c->n_rows);
    }
    free(c->known);
    free(c->subs);
    free(c->roots);
    free(c->names);
    memset(c, 0, sizeof *c);
}

static int
lists_subs(const tx_verdict *v)
{
    return v->status == TX_VERIFIED && v->inner != NULL && v->inner->n_suppliers > 0;
}

/* Per row, the verdict its sub-suppliers are read from: the supplier's newest verified
 * assessment in `from` that lists any (whatever its questionnaire), else the row's own. */
static int
subs_sources(tree_ctx *c, const tx_verdicts *from, const tx_verdict **src)
{
    tx_idmap best = {0}; /* supplier -> index in from */

    for (size_t i = 0; i < from->n; i++) {
        const tx_verdict *v = &from->v[i];
        int added;
        size_t *at;
        if (!lists_subs(v)) {
            continue;
        }
        if ((at = tx_idmap_put(&best, v->supplier, i, &added)) == NULL) {
            tx_idmap_free(&best);
            return TX_ERR_NOMEM;
        }
        if (!added && (v->as_of > from->v[*at].as_of ||
                       (v->as_of == from->v[*at].as_of && v->seq > from->v[*at].seq))) {
            *at = i;
        }
    }
    for (size_t i = 0; i < c->n_rows; i++) {
        const size_t *at = tx_idmap_get(&best, c->rows[i].v->supplier);
        src[i] = at != NULL ? &from->v[*at] : c->rows[i].v;
    }
    tx_idmap_free(&best);
    return TX_OK;
}

/* Rows to known organisations; tier 1 = the request's suppliers, then anyone who granted this
 * buyer an assessment and is listed by no verified assessment (a grant without a request). */
static int
ctx_build(tree_ctx *c, const tx_verdicts *vs, const tx_report_tree_opts *t,
          const tx_report_row *rows, size_t n_rows)
{
    size_t n_subs = 0, at = 0, n_roots = 0;
    tx_tree_input in = {0};
    const tx_verdict **src;
    int rc;

    memset(c, 0, sizeof *c);
    if (rows != NULL) {
        c->rows = rows;
        c->n_rows = n_rows;
    } else {
        if ((rc = tx_report_rows(vs, &c->own_rows, &c->n_rows)) != TX_OK) {
            return rc;
        }
        for (size_t i = 0; i < c->n_rows; i++) {
            c->own_rows[i].no_items = t->no_items;
        }
        c->rows = c->own_rows;
    }
    if ((src = calloc(c->n_rows + 1, sizeof *src)) == NULL ||
        subs_sources(c, t->subs_from != NULL ? t->subs_from : vs, src) != TX_OK) {
        free(src);
        ctx_free(c);
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < c->n_rows; i++) {
        if (lists_subs(src[i])) {
            n_subs += src[i]->inner->n_suppliers;
        }
    }
    c->known = calloc(c->n_rows ? c->n_rows : 1, sizeof *c->known);
    c->subs = calloc(n_subs ? n_subs : 1, sizeof *c->subs);
    c->roots = calloc(t->n_roots + c->n_rows + 1, sizeof *c->roots);
    c->names = calloc(t->n_roots + c->n_rows + 1, sizeof *c->names);
    if (c->known == NULL || c->subs == NULL || c->roots == NULL || c->names == NULL) {
        free(src);
        ctx_free(c);
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < c->n_rows; i++) {
        const tx_verdict *v = c->rows[i].v;
        tx_tree_known *k = &c->known[i];
        memcpy(k->key, v->supplier, TX_KEY_LEN);
        k->name = v->supplier_name;
        k->status = v->status;
        k->as_of = v->as_of;
        k->cert_status = v->cert_checked ? tx_verdict_cert_state(v)->status : TX_CERT_UNAVAILABLE;
        k->score = c->rows[i].scored ? &c->rows[i].score : NULL;
        k->q = v->q;
        k->ctx = &c->rows[i];
        k->subs = &c->subs[at];
        if (lists_subs(src[i])) {
            for (size_t s = 0; s < src[i]->inner->n_suppliers; s++) {
                const tx_sub_supplier_pb *sub = src[i]->inner->suppliers[s];
                tx_tree_sub *o = &c->subs[at++];
                o->has_key = sub->key.len == TX_KEY_LEN;
                if (o->has_key) {
                    memcpy(o->key, sub->key.data, TX_KEY_LEN);
                }
                o->name = sub->name != NULL ? sub->name : "";
                o->supplies = sub->supplies != NULL ? sub->supplies : "";
                k->n_subs++;
            }
        }
    }
    free(src);
    {
        tx_idmap seen = {0}, last = {0}; /* roots so far; key -> its last known row */
        listed l;
        root_order *ord = NULL;
        uint8_t(*sorted)[TX_KEY_LEN] = NULL;

        rc = listed_build(&l, c->known, c->n_rows, n_subs);
        for (size_t r = 0; r < t->n_roots && rc == TX_OK; r++) {
            if (tx_idmap_put(&seen, t->roots[r], n_roots, NULL) == NULL) {
                rc = TX_ERR_NOMEM;
            }
            memcpy(c->roots[n_roots++], t->roots[r], TX_KEY_LEN);
        }
        for (size_t i = 0; i < c->n_rows && rc == TX_OK; i++) {
            if (tx_idmap_get(&seen, c->known[i].key) != NULL ||
                listed_by_verified(&l, c->known[i].key)) {
                continue;
            }
            if (tx_idmap_put(&seen, c->known[i].key, n_roots, NULL) == NULL) {
                rc = TX_ERR_NOMEM;
                break;
            }
            memcpy(c->roots[n_roots++], c->known[i].key, TX_KEY_LEN);
        }
        for (size_t i = 0; i < c->n_rows && rc == TX_OK; i++) {
            size_t *li = tx_idmap_put(&last, c->known[i].key, i, NULL);
            if (li == NULL) {
                rc = TX_ERR_NOMEM;
                break;
            }
            *li = i;
        }
        ord = calloc(n_roots ? n_roots : 1, sizeof *ord);
        sorted = calloc(n_roots ? n_roots : 1, sizeof *sorted);
        if (rc == TX_OK && (ord == NULL || sorted == NULL)) {
            rc = TX_ERR_NOMEM;
        }
        /* Tier 1 by name, so the tree reads the same on every run. */
        for (size_t r = 0; r < n_roots && rc == TX_OK; r++) {
            const tx_org *o = t->orgs != NULL ? tx_orgs_by_key(t->orgs, c->roots[r]) : NULL;
            const size_t *li = tx_idmap_get(&last, c->roots[r]);
            ord[r].name = li != NULL ? c->known[*li].name : o != NULL ? o->name : "";
            ord[r].pos = r;
        }
        if (rc == TX_OK) {
            qsort(ord, n_roots, sizeof *ord, by_root_name);
            for (size_t r = 0; r < n_roots; r++) {
                memcpy(sorted[r], c->roots[ord[r].pos], TX_KEY_LEN);
                c->names[r] = ord[r].name;
            }
            memcpy(c->roots, sorted, n_roots * sizeof *sorted);
        }
        free(ord);
        free(sorted);
        listed_free(&l);
        tx_idmap_free(&seen);
        tx_idmap_free(&last);
        if (rc != TX_OK) {
            ctx_free(c);
            return rc;
        }
    }
    in.roots = (const uint8_t(*)[TX_KEY_LEN])c->roots;
    in.root_names = c->names;
    in.n_roots = n_roots;
    in.known = c->known;
    in.n_known = c->n_rows;
    in.depth = t->depth < 1 ? 1 : t->depth;
    in.current_days = t->current_days ? t->current_days : TX_TREE_DEFAULT_CURRENT_DAYS;
    in.now = t->now ? t->now : tx_now();
    if ((rc = tx_tree_build(&in, &c->tree)) != TX_OK) {
        ctx_free(c);
    }
    return rc;
}

static json_t *
key_json(const tx_tree_node *node)
{
    return node->has_key ? tx_json_hex(node->key, TX_KEY_LEN) : json_null();
}

static json_t *
share_json(size_t part, size_t whole)
{
    double s = tx_tree_share(part, whole);

    return s < 0 ? json_null() : json_real(s);
}

/* The JSON of a node's supplier row: the document's own row object when `sups` holds it (same
 * key at the row's position: the document's rows and the tree's are made alike), its members
 * shared rather than made again (they are not changed afterwards: the policy sets each
 * object's own "policy"); else made from the row. */
static json_t *
known_json(const tx_tree_node *node, const tx_report_row *rows, const json_t *sups)
{
    const tx_report_row *r = node->known->ctx;
    const json_t *row = json_array_get(sups, (size_t)(r - rows));
    char hex[2 * TX_KEY_LEN + 1];
    json_t *o;

    tx_hex(hex, node->known->key, TX_KEY_LEN);
    if (row == NULL || !json_is_string(json_object_get(row, "key")) ||
        strcmp(json_string_value(json_object_get(row, "key")), hex) != 0) {
        return tx_report_row_json(r);
    }
    o = json_object();
    if (o != NULL && json_object_update(o, (json_t *)row) != 0) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

/* A supplier row's node that refers to its row (tx_report_tree_json_rows, row_refs): the row's
 * members the node writes as its own (fingerprint, key), what the streamed writer finds the
 * row by (status, key) and what the tiers' plan counts read. */
static json_t *
row_ref_json(const tx_tree_node *node)
{
    const tx_report_row *r = node->known->ctx;
    tx_plan_counts c;

    tx_plan_count(r->scored ? r->v->inner : NULL, tx_now(), r->plan_days, &c);
    return json_pack("{s:s,s:o,s:s,s:{s:I,s:I}}", "fingerprint", r->v->supplier_fp, "key",
                     key_json(node), "status", tx_verdict_name(r->v->status), "plans", "open",
                     (json_int_t)c.open, "overdue", (json_int_t)c.overdue);
}

static json_t *
node_json(const tx_tree *tree, size_t i, const tx_report_row *rows, const json_t *sups,
          int row_refs)
{
    const tx_tree_node *node = &tree->nodes[i];
    json_t *o, *parents = json_array(), *flags = json_array();

    if (node->known != NULL) {
        o = row_refs ? row_ref_json(node) : known_json(node, rows, sups);
        json_object_set_new(o, "name", json_string(node->name));
    } else {
        char fp[TX_FP_LEN];
        if (node->has_key) {
            tx_fingerprint(node->key, fp);
        }
        o = json_pack("{s:s,s:o,s:o}", "name", node->name, "fingerprint",
                      node->has_key ? json_string(fp) : json_null(), "key", key_json(node));
        json_object_set_new(o, "status", json_null());
        json_object_set_new(o, "reason", json_null());
        json_object_set_new(o, "assessment", json_null());
        json_object_set_new(o, "request", json_null());
        json_object_set_new(o, "questionnaire", json_null());
        json_object_set_new(o, "as_of", json_null());
        json_object_set_new(o, "valid_until", json_null());
        json_object_set_new(o, "questionnaire_mismatch", json_null());
        json_object_set_new(o, "superseded_by", json_null());
        json_object_set_new(o, "certificate", json_null());
        json_object_set_new(o, "credentials", json_array());
        json_object_set_new(o, "evidence", json_array());
        json_object_set_new(o, "areas", json_array());
        json_object_set_new(o, "overall", json_null());
        json_object_set_new(o, "levels", json_array());
        json_object_set_new(o, "level_achieved", json_null());
        json_object_set_new(o, "level_next", json_null());
        json_object_set_new(o, "unanswered", json_null());
        json_object_set_new(o, "unanswered_items", json_array());
        json_object_set_new(o, "plans", json_null());
    }
    for (size_t p = 0; p < node->n_parents; p++) {
        json_array_append_new(parents, key_json(&tree->nodes[node->parents[p]]));
    }
    if (node->flags & TX_TREE_REACHED_TWICE) {
        json_array_append_new(flags, json_string("reached_twice"));
    }
    if (node->flags & TX_TREE_LOOP) {
        json_array_append_new(flags, json_string("loop"));
    }
    json_object_set_new(o, "tier", json_integer(node->tier));
    json_object_set_new(o, "parents", parents);
    json_object_set_new(o, "supplies",
                        node->supplies != NULL ? json_string(node->supplies) : json_null());
    json_object_set_new(o, "answer_state", json_string(tx_tree_answer_name(node->answer_state)));
    json_object_set_new(o, "flags", flags);
    json_object_set_new(o, "age_days",
                        node->age_days >= 0 ? json_integer(node->age_days) : json_null());
    json_object_set_new(o, "current", json_boolean(node->current));
    json_object_set_new(o, "certified", json_boolean(node->certified));
    return o;
}

static json_t *
rollup_json(const tx_tree *tree, const tx_tree_rollup *r)
{
    json_t *weakest = json_array(), *certs = json_object();
    json_t *o =
        json_pack("{s:o,s:I,s:I,s:I,s:I}", "tier", r->tier ? json_integer(r->tier) : json_null(),
                  "nodes", (json_int_t)r->nodes, "verified", (json_int_t)r->verified, "current",
                  (json_int_t)r->current, "certified", (json_int_t)r->certified);

    json_object_set_new(o, "coverage",
                        json_pack("{s:o,s:o,s:o}", "verified", share_json(r->verified, r->nodes),
                                  "current", share_json(r->current, r->nodes), "certified",
                                  share_json(r->certified, r->nodes)));
    for (size_t w = 0; w < r->n_weakest; w++) {
        const tx_tree_weak *k = &r->weakest[w];
        const tx_tree_node *node = &tree->nodes[k->node];
        json_array_append_new(weakest,
                              json_pack("{s:s,s:{s:s,s:s},s:f,s:o,s:s}", "area", k->area, "name",
                                        "ja", k->name != NULL ? k->name->ja : "", "en",
                                        k->name != NULL ? k->name->en : "", "score", k->score,
                                        "node", key_json(node), "node_name", node->name));
    }
    json_object_set_new(o, "weakest", weakest);
    for (int s = 0; s < TX_CERT_STATUS_COUNT; s++) {
        if (r->cert[s] != 0) {
            json_object_set_new(certs, tx_cert_status_name(s),
                                json_integer((json_int_t)r->cert[s]));
        }
    }
    json_object_set_new(o, "certificate_status", certs);
    return o;
}

typedef struct {
    const tx_tree *tree;
    json_t **out;
    const tx_report_row *rows; /* the tree's rows */
    const json_t *sups;        /* the document's "suppliers", NULL if none */
    int row_refs;              /* nodes refer to their rows (tx_report_tree_json_rows) */
} node_job;

static void
node_one(void *ctx, size_t i)
{
    node_job *j = ctx;

    j->out[i] = node_json(j->tree, i, j->rows, j->sups, j->row_refs);
}

int
tx_report_tree_json(json_t *doc, const tx_verdicts *vs, const tx_report_tree_opts *t)
{
    return tx_report_tree_json_rows(doc, vs, t, NULL, 0, 0);
}

int
tx_report_tree_json_rows(json_t *doc, const tx_verdicts *vs, const tx_report_tree_opts *t,
                         const tx_report_row *rows, size_t n_rows, int row_refs)
{
    tree_ctx c;
    json_t *nodes, *tiers;
    int rc = ctx_build(&c, vs, t, rows, n_rows);

    if (rc != TX_OK) {
        return rc;
    }
    nodes = json_array();
    tiers = json_array();
    {
        /* Each node's object is independent (jansson keeps no shared state once its hash seed
         * is set, which the caller's document did): built on every core, appended in order. */
        node_job j = {&c.tree, calloc(c.tree.n ? c.tree.n : 1, sizeof *j.out), c.rows,
                      json_object_get(doc, "suppliers"), row_refs};
        if (j.out == NULL) {
            json_decref(nodes);
            json_decref(tiers);
            ctx_free(&c);
            return TX_ERR_NOMEM;
        }
        tx_pool_for(c.tree.n, node_one, &j);
        for (size_t i = 0; i < c.tree.n; i++) {
            json_array_append_new(nodes, j.out[i]);
        }
        free(j.out);
    }
    for (unsigned d = 0; d < c.tree.depth; d++) {
        json_array_append_new(tiers, rollup_json(&c.tree, &c.tree.tiers[d]));
    }
    json_object_set_new(doc, "depth", json_integer(c.tree.depth));
    json_object_set_new(doc, "current_days", json_integer(c.tree.current_days));
    json_object_set_new(doc, "nodes", nodes);
    json_object_set_new(doc, "tiers", tiers);
    json_object_set_new(doc, "total", rollup_json(&c.tree, &c.tree.total));
    tx_report_plans_tiers(doc);
    ctx_free(&c);
    return TX_OK;
}

static const char *
state_text(const tx_tree_node *node, int ja)
{
    if (node->answer_state == TX_TREE_ANSWERED) {
        return tx_render_verdict_word(node->known->status, ja);
    }
    if (node->answer_state == TX_TREE_NOT_SHARED) {
        return tx_render_tr(N_("not shared"), ja);
    }
    return tx_render_tr(N_("no answer"), ja);
}

/* Column widths of the tree table, 79 columns in all: Japanese labels ("有効期限切れ",
 * "120日経過") are wider than the English ones, the name column gives way. */
typedef struct {
    int name, state, cert, lv, age;
} tree_widths;

static tree_widths
widths(int ja)
{
    /* LV holds "L1 L2 40%" (the level achieved beside the share of the next one). */
    return ja ? (tree_widths){.name = 18, .state = 12, .cert = 14, .lv = 10, .age = 11}
              : (tree_widths){.name = 30, .state = 10, .cert = 9, .lv = 10, .age = 6};
}

/* Under a node, from its JSON: its credentials in a few words and the policy's verdict. */
static void
put_node_notes(FILE *f, const json_t *jnode, int ja)
{
    char buf[1024], creds[768];
    size_t used = 0;
    int pass = tx_render_policy_pass(jnode);

    tx_render_cred_summary(jnode, ja, creds, sizeof creds);
    buf[0] = 0;
    if (creds[0]) {
        tx_render_append(buf, sizeof buf, &used, "%s%s", tx_render_tr(N_("credentials: "), ja),
                         creds);
    }
    if (pass >= 0) {
        tx_render_append(buf, sizeof buf, &used, "%s%s%s", used ? tx_render_tr(N_("; "), ja) : "",
                         tx_render_tr(N_("policy: "), ja), tx_render_policy_label(pass, ja));
    }
    if (buf[0]) {
        fputs("     ", f);
        tx_put_wrapped(f, buf, 5, WIDTH, 7);
    }
}

static void
put_node(FILE *f, const tx_tree *tree, size_t i, const json_t *jnode, int ja)
{
    tree_widths w = widths(ja);
    char age[32];
    const tx_tree_node *node = &tree->nodes[i];
    const tx_report_row *r = node->known != NULL ? node->known->ctx : NULL;
    char name[320], buf[640];
    int indent = 2 * (int)(node->tier - 1);

    snprintf(name, sizeof name, "%*s%s", indent > 12 ? 12 : indent, "",
             node->name[0] ? node->name : tx_render_tr(N_("(no profile)"), ja));
    fprintf(f, "%-3u", node->tier);
    tx_put_cell(f, name, w.name);
    fputc(' ', f);
    tx_put_cell(f, state_text(node, ja), w.state);
    fputc(' ', f);
    tx_put_cell(f, node->verified ? tx_render_cert_word(node->known->cert_status, ja) : "-",
                w.cert);
    if (r != NULL && r->scored && r->score.overall.has_score) {
        fprintf(f, "%5.0f", floor(r->score.overall.percent + 0.5));
    } else {
        fprintf(f, "%5s", "-");
    }
    if (r != NULL && r->scored && json_array_size(json_object_get(jnode, "levels")) > 0) {
        char lv[32];
        tx_render_level_share(jnode, 0, ja, lv, sizeof lv);
        tx_put_rcell(f, lv, w.lv);
    } else if (r != NULL && r->scored && r->score.level_achieved) {
        fprintf(f, "%*u", w.lv, r->score.level_achieved);
    } else {
        fprintf(f, "%*s", w.lv, "-");
    }
    /* Days since the as-of date: "0d", 「0日経過」. */
    if (node->age_days >= 0) {
        snprintf(age, sizeof age, tx_render_tr(N_("%lldd"), ja), (long long)node->age_days);
    } else {
        snprintf(age, sizeof age, "-");
    }
    tx_put_rcell(f, age, w.age);
    fputc('\n', f);
    if (node->flags != 0 || (node->supplies != NULL && node->supplies[0] != '\0')) {
        size_t used = 0;
        buf[0] = '\0';
        if (node->supplies != NULL && node->supplies[0] != '\0') {
            used += (size_t)snprintf(buf, sizeof buf, "%s%s", tx_render_tr(N_("supplies: "), ja),
                                     node->supplies);
        }
        if ((node->flags & TX_TREE_REACHED_TWICE) && used < sizeof buf) {
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", used ? "; " : "",
                                     tx_render_tr(N_("reached twice"), ja));
        }
        if ((node->flags & TX_TREE_LOOP) && used < sizeof buf) {
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", used ? "; " : "",
                                     tx_render_tr(N_("loop"), ja));
        }
        for (size_t p = 0; p < node->n_parents && node->flags != 0 && used < sizeof buf; p++) {
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s",
                                     p ? ", " : tx_render_tr(N_("; listed by "), ja),
                                     tree->nodes[node->parents[p]].name);
        }
        fprintf(f, "%*s", 5 + indent, "");
        tx_put_wrapped(f, buf, 5 + indent, WIDTH, 5 + indent);
    }
    if (node->known != NULL && node->known->status != TX_VERIFIED) {
        fprintf(f, "%*s", 5 + indent, "");
        tx_put_wrapped(f, r->v->reason, 5 + indent, WIDTH, 5 + indent);
    }
    put_node_notes(f, jnode, ja);
}

static void
put_rollup(FILE *f, const tx_tree *tree, const tx_tree_rollup *r, int ja)
{
    char buf[1024], pct[3][16];
    size_t used;
    size_t parts[3] = {r->verified, r->current, r->certified};

    for (int k = 0; k < 3; k++) {
        double s = tx_tree_share(parts[k], r->nodes);
        if (s < 0) {
            snprintf(pct[k], sizeof pct[k], "-");
        } else {
            snprintf(pct[k], sizeof pct[k], "%.1f%%", s);
        }
    }
    if (r->tier) {
        used = (size_t)snprintf(buf, sizeof buf, tx_render_tr(N_("tier %u: "), ja), r->tier);
    } else {
        used = (size_t)snprintf(buf, sizeof buf, "%s", tx_render_tr(N_("total: "), ja));
    }
    snprintf(
        buf + used, sizeof buf - used,
        tx_render_tr(N_("%zu nodes; verified %zu (%s), current %zu (%s), certified %zu (%s)"), ja),
        r->nodes, r->verified, pct[0], r->current, pct[1], r->certified, pct[2]);
    tx_put_wrapped(f, buf, 0, WIDTH, 2);
    used = (size_t)snprintf(buf, sizeof buf, "%s", tx_render_tr(N_("certificates: "), ja));
    for (int s = 0, first = 1; s < TX_CERT_STATUS_COUNT && used < sizeof buf; s++) {
        if (r->cert[s] != 0) {
            used += (size_t)snprintf(
                buf + used, sizeof buf - used, "%s%s %zu", first ? "" : tx_render_tr(N_(", "), ja),
                ja ? tx_render_cert_word(s, ja) : tx_cert_status_name(s), r->cert[s]);
            first = 0;
        }
    }
    if (r->verified != 0) {
        fputs("  ", f);
        tx_put_wrapped(f, buf, 2, WIDTH, 4);
    }
    if (r->n_weakest == 0) {
        return;
    }
    /* Areas with the same weakest node and score share one entry: "A1,A3 50 Name". */
    used = (size_t)snprintf(buf, sizeof buf, "%s", tx_render_tr(N_("weakest: "), ja));
    for (size_t w = 0, first = 1; w < r->n_weakest && used < sizeof buf; w++) {
        const tx_tree_weak *k = &r->weakest[w];
        int seen = 0;
        for (size_t p = 0; p < w && !seen; p++) {
            seen = r->weakest[p].node == k->node && r->weakest[p].score == k->score;
        }
        if (seen) {
            continue;
        }
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", first ? "" : "; ", k->area);
        for (size_t q = w + 1; q < r->n_weakest && used < sizeof buf; q++) {
            if (r->weakest[q].node == k->node && r->weakest[q].score == k->score) {
                used += (size_t)snprintf(buf + used, sizeof buf - used, ",%s", r->weakest[q].area);
            }
        }
        if (used < sizeof buf) {
            used += (size_t)snprintf(buf + used, sizeof buf - used, " %.0f %s",
                                     floor(k->score + 0.5), tree->nodes[k->node].name);
        }
        first = 0;
    }
    fputs("  ", f);
    tx_put_wrapped(f, buf, 2, WIDTH, 4);
}

/* "policy: pass 3, fail 1" under a roll-up whose JSON has the counts. */
static void
put_policy_counts(FILE *f, const json_t *rollup, int ja)
{
    const json_t *pass = json_object_get(rollup, "policy_pass");
    const json_t *fail = json_object_get(rollup, "policy_fail");
    char buf[256];

    if (!json_is_integer(pass) || !json_is_integer(fail)) {
        return;
    }
    snprintf(buf, sizeof buf, "%s%s %lld%s%s %lld", tx_render_tr(N_("policy: "), ja),
             tx_render_policy_label(1, ja), (long long)json_integer_value(pass),
             tx_render_tr(N_(", "), ja), tx_render_policy_label(0, ja),
             (long long)json_integer_value(fail));
    fputs("  ", f);
    tx_put_wrapped(f, buf, 2, WIDTH, 4);
}

int
tx_report_tree_table(FILE *f, const tx_verdicts *vs, const tx_report_tree_opts *t,
                     const json_t *doc, int ja)
{
    tree_ctx c;
    tree_widths w = widths(ja);
    char buf[256];
    const char *qid =
        json_string_value(json_object_get(json_object_get(doc, "questionnaire"), "id"));
    int rc = ctx_build(&c, vs, t, NULL, 0);

    if (rc != TX_OK) {
        return rc;
    }
    fputc('\n', f);
    if (qid != NULL) {
        /* Each questionnaire has its own tree: say whose. */
        snprintf(buf, sizeof buf,
                 tx_render_tr(N_("supply tree, %s (%u tiers; current = as-of within %u days)"), ja),
                 qid, c.tree.depth, c.tree.current_days);
    } else {
        snprintf(buf, sizeof buf,
                 tx_render_tr(N_("supply tree (%u tiers; current = as-of within %u days)"), ja),
                 c.tree.depth, c.tree.current_days);
    }
    tx_put_wrapped(f, buf, 0, WIDTH, 2);
    tx_put_cell(f, tx_render_tr(N_("T"), ja), 3);
    tx_put_cell(f, tx_render_tr(N_("SUPPLIER"), ja), w.name);
    fputc(' ', f);
    tx_put_cell(f, tx_render_tr(N_("STATE"), ja), w.state);
    fputc(' ', f);
    tx_put_cell(f, tx_render_tr(N_("CERT"), ja), w.cert);
    tx_put_rcell(f, tx_render_tr(N_("ALL"), ja), 5);
    tx_put_rcell(f, tx_render_tr(N_("LV"), ja), w.lv);
    tx_put_rcell(f, tx_render_tr(N_("AGE"), ja), w.age);
    fputc('\n', f);
    /* Depth first under each root, so a node sits under its first parent. */
    {
        size_t *stack = calloc(c.tree.n + 1, sizeof *stack);
        unsigned char *shown = calloc(c.tree.n + 1, 1);
        size_t top = 0;
        if (stack == NULL || shown == NULL) {
            free(stack);
            free(shown);
            ctx_free(&c);
            return TX_ERR_NOMEM;
        }
        for (size_t root = 0; root < c.tree.n; root++) {
            if (c.tree.nodes[root].tier != 1) {
                continue;
            }
            stack[top++] = root;
            while (top > 0) {
                size_t i = stack[--top];
                if (shown[i]) {
                    continue;
                }
                shown[i] = 1;
                put_node(f, &c.tree, i, json_array_get(json_object_get(doc, "nodes"), i), ja);
                /* Children: nodes whose first parent is i, pushed in reverse walk order. */
                for (size_t k = c.tree.n; k-- > 0;) {
                    if (!shown[k] && c.tree.nodes[k].n_parents > 0 &&
                        c.tree.nodes[k].parents[0] == i && c.tree.nodes[k].tier > 1) {
                        stack[top++] = k;
                    }
                }
            }
        }
        free(stack);
        free(shown);
    }
    for (unsigned d = 0; d < c.tree.depth; d++) {
        put_rollup(f, &c.tree, &c.tree.tiers[d], ja);
        put_policy_counts(f, json_array_get(json_object_get(doc, "tiers"), d), ja);
        tx_report_plans_rollup(f, json_array_get(json_object_get(doc, "tiers"), d), ja);
    }
    put_rollup(f, &c.tree, &c.tree.total, ja);
    put_policy_counts(f, json_object_get(doc, "total"), ja);
    tx_report_plans_rollup(f, json_object_get(doc, "total"), ja);
    tx_put_wrapped(
        f,
        tx_render_tr(N_("state: not shared = listed as a sub-supplier, but nothing is granted "
                        "to you (it may also not have answered yet)"),
                     ja),
        0, WIDTH, 0);
    ctx_free(&c);
    return TX_OK;
}

/* The supply tree: breadth-first walk, flags, and the per-tier and total roll-ups. */
#include "tx_supply_tree.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_idmap.h"
#include "tx_msg.h"
#include "tx_rec.h"
#include "tx_us.h"
#include "tx_verify.h"

#include <stdlib.h>
#include <string.h>

#define DAY 86400

/* Lookups by key for the walk: the first known organisation and the first node with a key. */
typedef struct {
    tx_idmap known, nodes;
} maps;

static const tx_tree_known *
find_known(const tx_tree_input *in, const maps *m, const uint8_t key[TX_KEY_LEN])
{
    const size_t *at = tx_idmap_get(&m->known, key);

    return at != NULL ? &in->known[*at] : NULL;
}

static int
find_node(const maps *m, const uint8_t key[TX_KEY_LEN], size_t *at)
{
    const size_t *i = tx_idmap_get(&m->nodes, key);

    if (i != NULL) {
        *at = *i;
        return 1;
    }
    return 0;
}

static int
add_parent(tx_tree_node *node, size_t parent)
{
    size_t *p = realloc(node->parents, (node->n_parents + 1) * sizeof *p);

    if (p == NULL) {
        return TX_ERR_NOMEM;
    }
    p[node->n_parents++] = parent;
    node->parents = p;
    return TX_OK;
}

static int
add_node(tx_tree *t, size_t *cap, const tx_tree_input *in, maps *m, const uint8_t *key,
         const char *name, const char *supplies, unsigned tier, const size_t *parent)
{
    tx_tree_node *node;

    if (key != NULL && tx_idmap_put(&m->nodes, key, t->n, NULL) == NULL) {
        return TX_ERR_NOMEM;
    }
    if (t->n == *cap) {
        size_t ncap = *cap ? 2 * *cap : 16;
        tx_tree_node *v = realloc(t->nodes, ncap * sizeof *v);
        if (v == NULL) {
            return TX_ERR_NOMEM;
        }
        t->nodes = v;
        *cap = ncap;
    }
    node = &t->nodes[t->n++];
    memset(node, 0, sizeof *node);
    node->tier = tier;
    node->supplies = supplies;
    node->name = name != NULL ? name : "";
    node->age_days = -1;
    if (key != NULL) {
        node->has_key = 1;
        memcpy(node->key, key, TX_KEY_LEN);
        node->known = find_known(in, m, key);
    }
    if (node->known != NULL) {
        const tx_tree_known *k = node->known;
        if (k->name != NULL && k->name[0] != '\0') {
            node->name = k->name;
        }
        node->answer_state = TX_TREE_ANSWERED;
        node->verified = k->status == TX_VERIFIED;
        if (k->as_of != 0) {
            int64_t age = in->now - k->as_of;
            node->age_days = age < 0 ? 0 : age / DAY;
        }
        node->current =
            node->verified && node->age_days >= 0 && node->age_days <= (int64_t)in->current_days;
        node->certified = node->verified && k->cert_status == TX_CERT_VALID;
    } else {
        /* Tier 1 was asked by the buyer itself; deeper, the buyer can only see that nothing
         * was granted to it, not whether the organisation answered its direct customer. */
        node->answer_state = tier == 1 || key == NULL ? TX_TREE_NOT_ANSWERED : TX_TREE_NOT_SHARED;
    }
    return parent != NULL ? add_parent(node, *parent) : TX_OK;
}

/* True if `anc` is `from` or reachable from it through parents (every edge, loops included:
 * a cycle through any listing is a loop). */
static int
is_ancestor(const tx_tree *t, size_t from, size_t anc, unsigned char *seen)
{
    if (from == anc) {
        return 1;
    }
    if (seen[from]) {
        return 0;
    }
    seen[from] = 1;
    for (size_t p = 0; p < t->nodes[from].n_parents; p++) {
        if (is_ancestor(t, t->nodes[from].parents[p], anc, seen)) {
            return 1;
        }
    }
    return 0;
}

static int
link_existing(tx_tree *t, size_t parent, size_t child)
{
    tx_tree_node *node = &t->nodes[child];
    unsigned char *seen;
    int loop;

    for (size_t p = 0; p < node->n_parents; p++) {
        if (node->parents[p] == parent) {
            return TX_OK; /* listed twice by the same parent */
        }
    }
    if ((seen = calloc(t->n, 1)) == NULL) {
        return TX_ERR_NOMEM;
    }
    loop = is_ancestor(t, parent, child, seen);
    free(seen);
    node->flags |= loop ? TX_TREE_LOOP : TX_TREE_REACHED_TWICE;
    return add_parent(node, parent);
}

static int
walk(const tx_tree_input *in, tx_tree *t)
{
    size_t cap = 0, at;
    maps m = {{0}, {0}};
    int rc = TX_OK;

    for (size_t i = 0; i < in->n_known && rc == TX_OK; i++) {
        if (tx_idmap_put(&m.known, in->known[i].key, i, NULL) == NULL) {
            rc = TX_ERR_NOMEM;
        }
    }
    for (size_t r = 0; r < in->n_roots && rc == TX_OK; r++) {
        if (!find_node(&m, in->roots[r], &at)) {
            rc = add_node(t, &cap, in, &m, in->roots[r],
                          in->root_names != NULL ? in->root_names[r] : NULL, NULL, 1, NULL);
        }
    }
    for (size_t i = 0; i < t->n && rc == TX_OK; i++) {
        const tx_tree_known *k = t->nodes[i].known;
        unsigned tier = t->nodes[i].tier;
        if (k == NULL || k->status != TX_VERIFIED) {
            continue;
        }
        /* At the last tier a listing adds no node, but one naming a node already in the tree
         * is still a loop or a second way to it. */
        for (size_t s = 0; s < k->n_subs && rc == TX_OK; s++) {
            const tx_tree_sub *sub = &k->subs[s];
            if (sub->has_key && find_node(&m, sub->key, &at)) {
                rc = link_existing(t, i, at);
            } else if (tier < in->depth) {
                rc = add_node(t, &cap, in, &m, sub->has_key ? sub->key : NULL, sub->name,
                              sub->supplies, tier + 1, &i);
            }
        }
    }
    tx_idmap_free(&m.known);
    tx_idmap_free(&m.nodes);
    return rc;
}

static int
roll_up(tx_tree *t, unsigned tier, tx_tree_rollup *r)
{
    memset(r, 0, sizeof *r);
    r->tier = tier;
    for (size_t i = 0; i < t->n; i++) {
        const tx_tree_node *node = &t->nodes[i];
        const tx_tree_known *k = node->known;
        if (tier != 0 && node->tier != tier) {
            continue;
        }
        r->nodes++;
        r->verified += node->verified != 0;
        r->current += node->current != 0;
        r->certified += node->certified != 0;
        if (!node->verified) {
            continue;
        }
        if (k->cert_status >= 0 && k->cert_status < TX_CERT_STATUS_COUNT) {
            r->cert[k->cert_status]++;
        }
        if (k->score == NULL) {
            continue;
        }
        for (size_t a = 0; a < k->score->n_areas; a++) {
            const tx_area_score *s = &k->score->areas[a];
            double score = tx_score_round(s->percent);
            size_t w;
            if (!s->has_score || s->id == NULL) {
                continue;
            }
            for (w = 0; w < r->n_weakest; w++) {
                if (strcmp(r->weakest[w].area, s->id) == 0) {
                    break;
                }
            }
            if (w == r->n_weakest) {
                tx_tree_weak *v = realloc(r->weakest, (w + 1) * sizeof *v);
                if (v == NULL) {
                    return TX_ERR_NOMEM;
                }
                r->weakest = v;
                r->n_weakest++;
            } else if (!(score < r->weakest[w].score)) {
                continue; /* ties keep the first in walk order */
            }
            r->weakest[w].area = s->id;
            r->weakest[w].name = k->q != NULL && a < k->q->n_areas ? k->q->areas[a]->name : NULL;
            r->weakest[w].score = score;
            r->weakest[w].node = i;
        }
    }
    return TX_OK;
}

int
tx_tree_build(const tx_tree_input *in, tx_tree *out)
{
    int rc;

    memset(out, 0, sizeof *out);
    out->depth = in->depth < 1 ? 1 : in->depth;
    out->current_days = in->current_days;
    if ((rc = walk(in, out)) != TX_OK) {
        goto fail;
    }
    if ((out->tiers = calloc(out->depth, sizeof *out->tiers)) == NULL) {
        rc = TX_ERR_NOMEM;
        goto fail;
    }
    for (unsigned d = 1; d <= out->depth; d++) {
        if ((rc = roll_up(out, d, &out->tiers[d - 1])) != TX_OK) {
            goto fail;
        }
    }
    if ((rc = roll_up(out, 0, &out->total)) != TX_OK) {
        goto fail;
    }
    return TX_OK;
fail:
    tx_tree_free(out);
    return rc;
}

double
tx_tree_share(size_t part, size_t whole)
{
    return whole == 0 ? -1.0 : tx_score_round(100.0 * (double)part / (double)whole);
}

const char *
tx_tree_answer_name(int state)
{
    return state == TX_TREE_ANSWERED     ? "answered"
           : state == TX_TREE_NOT_SHARED ? "not_shared"
                                         : "not_answered";
}

void
tx_tree_free(tx_tree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->nodes[i].parents);
    }
    free(t->nodes);
    if (t->tiers != NULL) {
        for (unsigned d = 0; d < t->depth; d++) {
            free(t->tiers[d].weakest);
        }
    }
    free(t->tiers);
    free(t->total.weakest);
    memset(t, 0, sizeof *t);
}

int
tx_tree_roots(tx_home *home, uint8_t (**roots)[TX_KEY_LEN], size_t *n, unsigned *depth)
{
    uint8_t(*ids)[TX_ID_LEN] = NULL;
    uint8_t(*out)[TX_KEY_LEN] = NULL;
    tx_idmap seen = {0}; /* suppliers already in out */
    tx_us us;            /* whose requests are ours: the organisation's and its officers' */
    size_t n_ids = 0, count = 0;
    unsigned deepest = 1;
    int rc;

    *roots = NULL;
    *n = 0;
    *depth = 1;
    if ((rc = tx_us_from_cache(home, &us)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_home_cache_list(home, &ids, &n_ids)) != TX_OK) {
        tx_us_free(&us);
        return rc;
    }
    for (size_t i = 0; i < n_ids && rc == TX_OK; i++) {
        uint8_t *bytes = NULL;
        size_t len = 0;
        tx_envelope_pb *env = NULL;
        tx_rec rec = {0};
        const tx_request_pb *req;

        /* Only this organisation's requests matter: the kind and signer are read from the
         * decoded envelope first, and only those records are verified (once per process). */
        if (tx_home_cache_read(home, ids[i], &bytes, &len) != TX_OK ||
            tx_decode_envelope(bytes, len, &env) != TX_OK ||
            tx_kind_from_payload_type(env->payload_type) != TX_KIND_REQUEST ||
            env->signer_key.len != TX_KEY_LEN || !tx_us_may_sign(&us, env->signer_key.data)) {
            goto next;
        }
        tx_free(env);
        env = NULL;
        if (tx_rec_open_known(&rec, bytes, len, TX_KIND_REQUEST, ids[i]) != TX_OK) {
            bytes = NULL; /* owned by rec */
            goto next;
        }
        bytes = NULL;
        req = (const tx_request_pb *)rec.msg;
        if (req->on_behalf_of.len != 0) {
            goto next; /* one this organisation forwarded: its tier 1 is not ours */
        }
        if (req->meta == NULL || !tx_us_signs(&us, tx_rec_signer(&rec), req->meta->created)) {
            goto next; /* a person of ours who did not sign for it then */
        }
        if (req->depth > deepest) {
            deepest = req->depth > TX_TREE_MAX_DEPTH ? TX_TREE_MAX_DEPTH : req->depth;
        }
        for (size_t s = 0; s < req->n_suppliers; s++) {
            int added = 0;
            if (req->suppliers[s].len != TX_KEY_LEN) {
                continue;
            }
            if (tx_idmap_put(&seen, req->suppliers[s].data, count, &added) == NULL) {
                rc = TX_ERR_NOMEM;
                goto next;
            }
            if (added) {
                uint8_t(*v)[TX_KEY_LEN] = realloc(out, (count + 1) * sizeof *v);
                if (v == NULL) {
                    rc = TX_ERR_NOMEM;
                    goto next;
                }
                out = v;
                memcpy(out[count++], req->suppliers[s].data, TX_KEY_LEN);
            }
        }
    next:
        tx_rec_clear(&rec);
        tx_free(env);
        free(bytes);
    }
    free(ids);
    tx_idmap_free(&seen);
    tx_us_free(&us);
    tx_fail_clear();
    if (rc != TX_OK) {
        free(out);
        return rc;
    }
    *roots = out;
    *n = count;
    *depth = deepest;
    return TX_OK;
}

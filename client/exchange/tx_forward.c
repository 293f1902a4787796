/* Forwarding a request to this organisation's own suppliers, on behalf of the original buyer. */
#include "tx_forward.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_grant.h"
#include "tx_grant_state.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_request.h"
#include "tx_rpc.h"
#include "tx_seal.h"
#include "tx_sign.h"
#include "tx_us_hub.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static int
push_key(uint8_t (**keys)[TX_KEY_LEN], size_t *n, const uint8_t *key)
{
    uint8_t(*v)[TX_KEY_LEN];

    for (size_t k = 0; k < *n; k++) {
        if (memcmp((*keys)[k], key, TX_KEY_LEN) == 0) {
            return TX_OK;
        }
    }
    if ((v = realloc(*keys, (*n + 1) * sizeof *v)) == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(v[*n], key, TX_KEY_LEN);
    *keys = v;
    (*n)++;
    return TX_OK;
}

/* The organisation's sealed assessment `id`: from this home's cache, else from the hub (another
 * officer's, not fetched here yet). */
static int
own_sealed(tx_client *c, tx_home *home, const uint8_t id[TX_ID_LEN], tx_rec *out)
{
    static const int kind = TX_KIND_ASSESSMENT;
    int one = TX_OK, rc;

    if (tx_rec_from_cache(home, id, TX_KIND_ASSESSMENT, out) == TX_OK) {
        return TX_OK;
    }
    tx_fail_clear();
    if ((rc = tx_rpc_get(c, 1, (const uint8_t(*)[TX_ID_LEN])id, &kind, out, &one)) != TX_OK) {
        return rc;
    }
    return one;
}

int
tx_forward_own_subs(tx_client *c, const uint8_t qid[TX_ID_LEN], uint8_t (**keys)[TX_KEY_LEN],
                    size_t *n)
{
    tx_home *home = tx_client_home(c);
    const uint8_t *me = tx_grant_me(c); /* the organisation, in a member's home too */
    uint8_t none[TX_ID_LEN] = {0}, id[TX_ID_LEN];
    uint8_t *key = NULL;
    tx_rec sealed = {0};
    tx_assessment_pb *inner = NULL;
    int found = 0, rc;

    *keys = NULL;
    *n = 0;
    if ((rc = tx_grant_latest_own(c, qid, none, id, &found)) != TX_OK) {
        return rc;
    }
    if (!found) {
        return tx_fail(TX_ERR_NOT_FOUND, "no assessment of this organisation answers that "
                                         "questionnaire: answer first, or name --to ORG");
    }
    if ((key = sodium_malloc(TX_CONTENT_KEY_LEN)) == NULL) {
        return TX_ERR_NOMEM;
    }
    /* Its content key: this home's, or the one sealed to the organisation (any officer's
     * assessment opens in every home of the organisation). */
    if ((rc = own_sealed(c, home, id, &sealed)) != TX_OK ||
        (rc = tx_grant_open_own(c, &sealed, key, &inner)) != TX_OK) {
        if (rc == TX_ERR_NOT_FOUND) {
            char hex[2 * TX_ID_LEN + 1];

            tx_fail_clear();
            tx_hex(hex, id, TX_ID_LEN);
            rc = tx_fail(TX_ERR_NOT_FOUND, "assessment %.12s is not in this home: name --to ORG",
                         hex);
        }
        goto out;
    }
    for (size_t i = 0; i < inner->n_suppliers && rc == TX_OK; i++) {
        const ProtobufCBinaryData *k = &inner->suppliers[i]->key;
        if (k->len == TX_KEY_LEN && memcmp(k->data, me, TX_KEY_LEN) != 0) {
            rc = push_key(keys, n, k->data);
        }
    }
    if (rc == TX_OK && *n == 0) {
        rc = tx_fail(TX_ERR_NOT_FOUND, "the latest assessment lists no sub-supplier with a key: "
                                       "name --to ORG");
    }
out:
    if (rc != TX_OK) {
        free(*keys);
        *keys = NULL;
        *n = 0;
    }
    tx_free(inner);
    sodium_free(key);
    tx_rec_clear(&sealed);
    return rc;
}

void
tx_forward_result_free(tx_forward_result *r)
{
    free(r->skipped);
    r->skipped = NULL;
    r->n_skipped = 0;
}

json_t *
tx_forward_result_json(const tx_forward_result *r)
{
    char fp[TX_FP_LEN];
    json_t *skipped = json_array();

    for (size_t i = 0; i < r->n_skipped; i++) {
        const tx_forward_skip *k = &r->skipped[i];
        json_array_append_new(skipped,
                              json_pack("{s:s,s:s,s:o,s:o}", "name", k->name, "fingerprint",
                                        k->fingerprint, "key", tx_json_hex(k->key, TX_KEY_LEN),
                                        "request", tx_json_hex(k->request, TX_ID_LEN)));
    }
    tx_fingerprint(r->origin, fp);
    return json_pack("{s:o,s:o,s:s,s:I,s:I,s:o}", "request",
                     r->sent ? tx_json_hex(r->id, TX_ID_LEN) : json_null(), "on_behalf_of",
                     tx_json_hex(r->original, TX_ID_LEN), "origin_buyer", fp, "depth",
                     (json_int_t)r->depth, "suppliers", (json_int_t)r->n_suppliers, "skipped",
                     skipped);
}

/* The earlier forward of `original` signed by the organisation (its key or any of its officers,
 * tx_us) that asked `key`, or NULL. Borrowed from all. */
static const tx_rec *
asked_before(const tx_recs *all, const tx_us *us, const uint8_t *original, const uint8_t *key)
{
    for (size_t i = 0; i < all->n; i++) {
        const tx_request_pb *r = (const tx_request_pb *)all->v[i].msg;
        if (tx_us_signed(us, &all->v[i]) && r->on_behalf_of.len == TX_ID_LEN &&
            memcmp(r->on_behalf_of.data, original, TX_ID_LEN) == 0 && tx_request_names(r, key)) {
            return &all->v[i];
        }
    }
    return NULL;
}

/* Drops from keys the suppliers an earlier forward of `original` by this organisation asked
 * (the hub's list of requests it signed), recording each in out->skipped. */
static int
skip_asked(tx_client *c, const tx_orgs *orgs, uint8_t (*keys)[TX_KEY_LEN], size_t *n,
           tx_forward_result *out)
{
    const int kind = TX_KIND_REQUEST;
    tx_recs all = {0};
    tx_us us = {0};
    size_t kept = 0;
    int rc;

    if ((rc = tx_us_load(c, &us)) != TX_OK ||
        (rc = tx_rpc_list(c, 1, &kind, NULL, &all)) != TX_OK) {
        tx_us_free(&us);
        return rc;
    }
    if ((out->skipped = calloc(*n + 1, sizeof *out->skipped)) == NULL) {
        tx_us_free(&us);
        tx_recs_clear(&all);
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < *n; i++) {
        const tx_rec *prev = asked_before(&all, &us, out->original, keys[i]);
        tx_forward_skip *sk;
        const tx_org *o;

        if (prev == NULL) {
            memmove(keys[kept++], keys[i], TX_KEY_LEN);
            continue;
        }
        sk = &out->skipped[out->n_skipped++];
        o = tx_orgs_by_key(orgs, keys[i]);
        memcpy(sk->key, keys[i], TX_KEY_LEN);
        snprintf(sk->name, sizeof sk->name, "%s", o != NULL ? o->name : "");
        tx_fingerprint(keys[i], sk->fingerprint);
        memcpy(sk->request, prev->id, TX_ID_LEN);
    }
    *n = kept;
    tx_us_free(&us);
    tx_recs_clear(&all);
    return TX_OK;
}

/* The suppliers to ask: the organisations --to names, or the sub-suppliers with a key of the
 * latest own assessment of the request's questionnaire. Caller frees *keys. */
static int
forward_targets(tx_client *c, const tx_forward_args *a, const tx_orgs *orgs,
                const tx_request_pb *orig, uint8_t (**keys)[TX_KEY_LEN], size_t *n)
{
    const uint8_t *me = tx_grant_me(c);
    const char **names = NULL;
    char *store = NULL;
    size_t n_names = 0;
    int rc;

    if (a->n_to == 0) {
        return tx_forward_own_subs(c, orig->questionnaire.data, keys, n);
    }
    rc = tx_orgs_split_to(orgs, a->to, a->n_to, TX_ORGS_MAX_TO, &names, &n_names, &store);
    for (size_t i = 0; i < n_names && rc == TX_OK; i++) {
        const tx_org *o;
        if ((rc = tx_orgs_resolve(orgs, names[i], &o)) != TX_OK) {
            break;
        }
        if (memcmp(o->key, me, TX_KEY_LEN) == 0) {
            rc = tx_fail(TX_ERR_USAGE, "%s is this organisation: forward to suppliers", names[i]);
            break;
        }
        rc = push_key(keys, n, o->key);
    }
    free(names);
    free(store);
    return rc;
}

int
tx_forward_send(tx_client *c, const tx_forward_args *a, tx_forward_result *out)
{
    const tx_identity *me = tx_client_id(c);
    tx_rec request = {0};
    tx_recs profiles = {0};
    tx_orgs orgs = {0};
    uint8_t(*keys)[TX_KEY_LEN] = NULL;
    size_t n_keys = 0;
    ProtobufCBinaryData *sup = NULL;
    tx_request_pb req = TICSX__V1__REQUEST__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    const tx_request_pb *orig;
    uint8_t *env = NULL;
    size_t len = 0;
    int named = 0, rc;

    memset(out, 0, sizeof *out);
    if ((rc = tx_request_find(c, a->request, &request, &profiles)) != TX_OK) {
        goto out;
    }
    orig = (const tx_request_pb *)request.msg;
    for (size_t i = 0; i < orig->n_suppliers && !named; i++) {
        named = memcmp(orig->suppliers[i].data, tx_grant_me(c), TX_KEY_LEN) == 0;
    }
    if (!named) {
        rc = tx_fail(TX_ERR_USAGE,
                     "request %.12s does not name this organisation as a supplier: ticsx inbox "
                     "lists the requests sent to it",
                     a->request);
        goto out;
    }
    if (orig->depth <= 1) {
        rc = tx_fail(TX_ERR_USAGE,
                     "request %.12s asks for 1 tier (its suppliers only): nothing to forward",
                     a->request);
        goto out;
    }
    /* A chain keeps pointing at the first request and its buyer. */
    if (orig->on_behalf_of.len == TX_ID_LEN && orig->origin_buyer.len == TX_KEY_LEN) {
        memcpy(out->original, orig->on_behalf_of.data, TX_ID_LEN);
        memcpy(out->origin, orig->origin_buyer.data, TX_KEY_LEN);
    } else {
        memcpy(out->original, request.id, TX_ID_LEN);
        memcpy(out->origin, tx_rec_signer(&request), TX_KEY_LEN);
    }
    out->depth = orig->depth - 1;
    if ((rc = tx_orgs_add(&orgs, &profiles)) != TX_OK ||
        (rc = forward_targets(c, a, &orgs, orig, &keys, &n_keys)) != TX_OK ||
        (rc = skip_asked(c, &orgs, keys, &n_keys, out)) != TX_OK || n_keys == 0) {
        goto out;
    }
    if ((sup = calloc(n_keys, sizeof *sup)) == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n_keys; i++) {
        sup[i].data = keys[i];
        sup[i].len = TX_KEY_LEN;
    }
    if ((rc = tx_seq_take(tx_home_dir(tx_client_home(c)), 1, &meta.seq)) != TX_OK) {
        goto out;
    }
    meta.created = tx_now();
    req.meta = &meta;
    req.questionnaire = orig->questionnaire;
    req.suppliers = sup;
    req.n_suppliers = n_keys;
    req.due = orig->due;
    req.depth = orig->depth - 1;
    req.on_behalf_of.data = out->original;
    req.on_behalf_of.len = TX_ID_LEN;
    req.origin_buyer.data = out->origin;
    req.origin_buyer.len = TX_KEY_LEN;
    req.note = (char *)"";
    if ((rc = tx_sign_checked(me, TX_KIND_REQUEST, &req.base, NULL, &env, &len)) != TX_OK) {
        goto out;
    }
    tx_record_id(env, len, out->id);
    if ((rc = tx_rpc_submit(c, 1, &env, &len)) != TX_OK) {
        goto out;
    }
    out->sent = 1;
    out->n_suppliers = n_keys;
    rc = tx_home_cache_put(tx_client_home(c), env, len, NULL);
out:
    free(env);
    free(sup);
    free(keys);
    tx_orgs_free(&orgs);
    tx_recs_clear(&profiles);
    tx_rec_clear(&request);
    return rc;
}

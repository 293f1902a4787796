/* Grants, revocations, reuse and re-grants after a supersede. */
#include "tx_grant.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_json.h"
#include "tx_log.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_qref.h"
#include "tx_request.h"
#include "tx_rpc.h"
#include "tx_seal.h"
#include "tx_sign.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { S_ASSESSMENT, S_GRANT, S_REVOKE, S_PROFILE, S_COUNT };

/* What this organisation wrote that decides who holds its assessments, as the hub lists it
 * (each record verified), plus the directory of organisations. Records of other signers are
 * dropped. */
typedef struct {
    tx_recs l[S_COUNT];
    tx_orgs orgs;
} state;

/* A buyer's standing for one assessment: its newest grant and newest revocation. */
typedef struct {
    uint8_t key[TX_KEY_LEN];
    const tx_rec *grant;  /* newest grant */
    uint64_t revoked_seq; /* newest revocation's seq, 0 if none */
} holder;

static const uint8_t *
me_of(tx_client *c)
{
    return tx_client_id(c)->pub.sign;
}

static uint64_t
rec_seq(const tx_rec *r)
{
    return tx_kind_seq(r->kind, r->msg);
}

/* Keeps only the records signed by `me` in recs. */
static void
keep_own(tx_recs *recs, const uint8_t *me)
{
    size_t k = 0;

    for (size_t i = 0; i < recs->n; i++) {
        if (memcmp(tx_rec_signer(&recs->v[i]), me, TX_KEY_LEN) == 0) {
            recs->v[k++] = recs->v[i];
        } else {
            tx_rec_clear(&recs->v[i]);
        }
    }
    recs->n = k;
}

static void
state_free(state *st)
{
    for (size_t i = 0; i < S_COUNT; i++) {
        tx_recs_clear(&st->l[i]);
    }
    tx_orgs_free(&st->orgs);
}

static int
state_load(tx_client *c, state *st)
{
    static const int kinds[S_COUNT] = {TX_KIND_ASSESSMENT, TX_KIND_GRANT, TX_KIND_GRANT_REVOKE,
                                       TX_KIND_PROFILE};
    int rc;

    memset(st, 0, sizeof *st);
    if ((rc = tx_rpc_list(c, S_COUNT, kinds, NULL, st->l)) != TX_OK ||
        (rc = tx_orgs_add(&st->orgs, &st->l[S_PROFILE])) != TX_OK) {
        state_free(st);
        return rc;
    }
    for (size_t i = 0; i < S_PROFILE; i++) {
        keep_own(&st->l[i], me_of(c));
    }
    return TX_OK;
}

/* The own assessment that supersedes `id`, or NULL. */
static const tx_rec *
superseded_by(const state *st, const uint8_t *id)
{
    for (size_t i = 0; i < st->l[S_ASSESSMENT].n; i++) {
        const tx_rec *r = &st->l[S_ASSESSMENT].v[i];
        const tx_sealed_pb *s = (const tx_sealed_pb *)r->msg;
        if (s->supersedes.len == TX_ID_LEN && memcmp(s->supersedes.data, id, TX_ID_LEN) == 0) {
            return r;
        }
    }
    return NULL;
}

/* One of the own assessments by id or unique prefix. */
static int
find_own(const state *st, const char *arg, const tx_rec **out)
{
    size_t len = strlen(arg), hits = 0;
    char hex[2 * TX_ID_LEN + 1];

    *out = NULL;
    if (!tx_is_id_prefix(arg)) {
        return tx_fail(TX_ERR_USAGE, "assessment %s: give its id (64 hex digits, or at least 8)",
                       arg);
    }
    for (size_t i = 0; i < st->l[S_ASSESSMENT].n; i++) {
        tx_hex(hex, st->l[S_ASSESSMENT].v[i].id, TX_ID_LEN);
        if (strncasecmp(hex, arg, len) == 0) {
            hits++;
            *out = &st->l[S_ASSESSMENT].v[i];
        }
    }
    if (hits == 0) {
        return tx_fail(TX_ERR_NOT_FOUND,
                       "assessment %s not found among this organisation's assessments on the hub "
                       "(only the author grants, revokes, reuses or supersedes one)",
                       arg);
    }
    if (hits > 1) {
        *out = NULL;
        return tx_fail(TX_ERR_USAGE, "assessment %s is ambiguous: %zu assessments start with it",
                       arg, hits);
    }
    return TX_OK;
}

/* Who holds or held assessment `aid` by grant of this organisation. Caller frees *out. */
static int
holders(const state *st, const uint8_t *aid, holder **out, size_t *n)
{
    holder *v = calloc(st->l[S_GRANT].n + 1, sizeof *v);
    size_t count = 0;

    *out = NULL;
    *n = 0;
    if (v == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < st->l[S_GRANT].n; i++) {
        const tx_rec *g = &st->l[S_GRANT].v[i];
        const tx_grant_pb *gp = (const tx_grant_pb *)g->msg;
        size_t k;

        if (memcmp(gp->assessment.data, aid, TX_ID_LEN) != 0) {
            continue;
        }
        for (k = 0; k < count && memcmp(v[k].key, gp->grantee.data, TX_KEY_LEN) != 0; k++) {
        }
        if (k == count) {
            memcpy(v[count++].key, gp->grantee.data, TX_KEY_LEN);
        }
        if (v[k].grant == NULL || rec_seq(g) > rec_seq(v[k].grant)) {
            v[k].grant = g;
        }
    }
    for (size_t i = 0; i < st->l[S_REVOKE].n; i++) {
        const tx_rec *r = &st->l[S_REVOKE].v[i];
        const tx_grant_revoke_pb *rp = (const tx_grant_revoke_pb *)r->msg;

        if (memcmp(rp->assessment.data, aid, TX_ID_LEN) != 0) {
            continue;
        }
        for (size_t k = 0; k < count; k++) {
            if (memcmp(v[k].key, rp->grantee.data, TX_KEY_LEN) == 0 &&
                rec_seq(r) > v[k].revoked_seq) {
                v[k].revoked_seq = rec_seq(r);
            }
        }
    }
    *out = v;
    *n = count;
    return TX_OK;
}

/* True if h holds the assessment now: granted after its last revocation, not ended. */
static int
holds(const holder *h, int64_t now)
{
    const tx_grant_pb *gp = (const tx_grant_pb *)h->grant->msg;

    return rec_seq(h->grant) > h->revoked_seq && (gp->until == 0 || gp->until >= now);
}

/* Loads the stored content key of own assessment `sealed` and checks that it opens it, into an
 * inner assessment signed by this organisation. *inner may be NULL (not wanted). */
static int
open_own(tx_client *c, const tx_rec *sealed, uint8_t *key, tx_assessment_pb **inner)
{
    const tx_sealed_pb *s = (const tx_sealed_pb *)sealed->msg;
    char hex[2 * TX_ID_LEN + 1];
    tx_rec in = {0};
    uint8_t *plain = NULL;
    size_t len = 0;
    int rc;

    if (inner != NULL) {
        *inner = NULL;
    }
    tx_hex(hex, sealed->id, TX_ID_LEN);
    if ((rc = tx_home_key_get(tx_client_home(c), sealed->id, key)) != TX_OK) {
        return tx_fail(rc == TX_ERR_NOT_FOUND ? TX_ERR_NOT_FOUND : rc,
                       "no content key for assessment %.12s in this home (keys/%s): only the "
                       "home that wrote it can share it",
                       hex, hex);
    }
    rc = tx_open_content(s->ciphertext.data, s->ciphertext.len, s->questionnaire.data, key,
                         s->nonce.data, &plain, &len);
    if (rc != TX_OK) {
        return tx_fail(TX_ERR_DECRYPT,
                       "the content key kept for assessment %.12s does not open it: keys/%s is "
                       "damaged; nothing was shared",
                       hex, hex);
    }
    rc = tx_rec_open(&in, plain, len, TX_KIND_INNER_ASSESSMENT);
    if (rc == TX_OK && memcmp(tx_rec_signer(&in), tx_rec_signer(sealed), TX_KEY_LEN) != 0) {
        rc = tx_fail(TX_ERR_WRONG_KEY, "assessment %.12s holds another signer's content", hex);
    }
    if (rc == TX_OK && inner != NULL) {
        *inner = (tx_assessment_pb *)in.msg;
        in.msg = NULL;
    }
    sodium_memzero(in.bytes, in.len);
    tx_rec_clear(&in);
    return rc;
}

static int
sign_grant(const tx_identity *me, uint64_t seq, const uint8_t *aid, const tx_org *to,
           const uint8_t *key, int64_t until, const uint8_t *request, uint8_t **env, size_t *len)
{
    tx_grant_pb g = TICSX__V1__GRANT__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    uint8_t sealed_key[TX_SEALED_KEY_LEN];
    int rc;

    if ((rc = tx_seal_key(key, to->seal, sealed_key)) != TX_OK) {
        return rc;
    }
    meta.seq = seq;
    meta.created = tx_now();
    g.meta = &meta;
    g.assessment.data = (uint8_t *)aid;
    g.assessment.len = TX_ID_LEN;
    g.grantee.data = (uint8_t *)to->key;
    g.grantee.len = TX_KEY_LEN;
    g.sealed_key.data = sealed_key;
    g.sealed_key.len = TX_SEALED_KEY_LEN;
    g.until = until;
    if (request != NULL) {
        g.request.data = (uint8_t *)request;
        g.request.len = TX_ID_LEN;
    }
    return tx_sign_checked(me, TX_KIND_GRANT, &g.base, NULL, env, len);
}

static int
sign_revoke(const tx_identity *me, uint64_t seq, const tx_rec *grant, uint8_t **env, size_t *len)
{
    const tx_grant_pb *gp = (const tx_grant_pb *)grant->msg;
    tx_grant_revoke_pb v = TICSX__V1__GRANT_REVOKE__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;

    meta.seq = seq;
    meta.created = tx_now();
    v.meta = &meta;
    v.grant.data = (uint8_t *)grant->id;
    v.grant.len = TX_ID_LEN;
    v.assessment = gp->assessment;
    v.grantee = gp->grantee;
    return tx_sign_checked(me, TX_KIND_GRANT_REVOKE, &v.base, NULL, env, len);
}

/* Signed records waiting to be submitted together, with the item each one reports. */
typedef struct {
    uint8_t **envs;
    size_t *lens;
    size_t n;
} batch;

static int
batch_add(batch *b, tx_grant_result *out, uint8_t *env, size_t len, const uint8_t *grantee,
          const tx_orgs *orgs)
{
    const tx_org *o = tx_orgs_by_key(orgs, grantee);
    tx_grant_item *it;
    void *p;

    if ((p = realloc(b->envs, (b->n + 1) * sizeof *b->envs)) == NULL) {
        free(env);
        return TX_ERR_NOMEM;
    }
    b->envs = p;
    if ((p = realloc(b->lens, (b->n + 1) * sizeof *b->lens)) == NULL) {
        free(env);
        return TX_ERR_NOMEM;
    }
    b->lens = p;
    if ((p = realloc(out->v, (out->n + 1) * sizeof *out->v)) == NULL) {
        free(env);
        return TX_ERR_NOMEM;
    }
    out->v = p;
    b->envs[b->n] = env;
    b->lens[b->n++] = len;
    it = &out->v[out->n++];
    memset(it, 0, sizeof *it);
    tx_record_id(env, len, it->record);
    memcpy(it->grantee, grantee, TX_KEY_LEN);
    snprintf(it->name, sizeof it->name, "%s", o != NULL ? o->name : "");
    tx_fingerprint(grantee, it->fingerprint);
    return TX_OK;
}

static void
batch_free(batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->envs[i]);
    }
    free(b->envs);
    free(b->lens);
    memset(b, 0, sizeof *b);
}

/* Submits the batch and keeps what was stored in the cache. */
static int
batch_submit(tx_client *c, batch *b)
{
    int rc;

    if (b->n == 0) {
        return TX_OK;
    }
    if ((rc = tx_rpc_submit(c, b->n, b->envs, b->lens)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < b->n && rc == TX_OK; i++) {
        rc = tx_home_cache_put(tx_client_home(c), b->envs[i], b->lens[i], NULL);
    }
    return rc;
}

void
tx_grant_result_free(tx_grant_result *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

/* Grants own assessment `sealed` to each org in `to`, in batch b (sequence numbers from seq). */
static int
add_grants(tx_client *c, const state *st, const tx_rec *sealed, const uint8_t *key,
           const tx_org *const *to, const int64_t *until, const uint8_t *const *requests, size_t n,
           uint64_t seq, batch *b, tx_grant_result *out)
{
    int rc = TX_OK;

    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        uint8_t *env = NULL;
        size_t len = 0;

        rc = sign_grant(tx_client_id(c), seq + i, sealed->id, to[i], key, until[i],
                        requests != NULL ? requests[i] : NULL, &env, &len);
        if (rc == TX_OK) {
            rc = batch_add(b, out, env, len, to[i]->key, &st->orgs);
        }
    }
    return rc;
}

/* Refuses to grant a superseded assessment: the grantee would be given what this organisation
 * itself replaced (the hub would show it the newer one, and its verify would say superseded).
 * Points to the newest of the chain and the command that grants it. */
static int
grantable(const state *st, const tx_rec *sealed, const tx_grant_args *a)
{
    const tx_rec *newer = superseded_by(st, sealed->id), *newest = NULL;
    char hex[2 * TX_ID_LEN + 1], nhex[2 * TX_ID_LEN + 1];

    for (size_t hops = 0; newer != NULL && hops <= st->l[S_ASSESSMENT].n; hops++) {
        newest = newer;
        newer = superseded_by(st, newer->id);
    }
    if (newest == NULL) {
        return TX_OK;
    }
    tx_hex(hex, sealed->id, TX_ID_LEN);
    tx_hex(nhex, newest->id, TX_ID_LEN);
    return tx_fail(TX_ERR_USAGE,
                   "assessment %.12s is superseded by %.12s: grant that one instead (ticsx grant "
                   "%.12s --to \"%s\"%s); nothing was granted",
                   hex, nhex, nhex, a->n_to > 0 ? a->to[0] : "NAME", a->n_to > 1 ? " ..." : "");
}

int
tx_grant_submit(tx_client *c, const tx_grant_args *a, tx_grant_result *out)
{
    const tx_org **to = NULL;
    int64_t *until = NULL;
    const char **names = NULL;
    char *store = NULL;
    size_t n_names = 0;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    const tx_rec *sealed;
    char d[16];
    batch b = {0};
    state st;
    uint64_t seq;
    int rc;

    memset(out, 0, sizeof *out);
    if (key == NULL) {
        rc = TX_ERR_NOMEM;
        goto done;
    }
    if (a->until != 0 && a->until < tx_now()) {
        tx_format_date(d, sizeof d, a->until);
        rc = tx_fail(TX_ERR_USAGE, "--until %s is in the past", d);
        goto done;
    }
    if ((rc = state_load(c, &st)) != TX_OK) {
        goto done;
    }
    if ((rc = find_own(&st, a->assessment, &sealed)) != TX_OK ||
        (rc = grantable(&st, sealed, a)) != TX_OK) {
        goto out;
    }
    memcpy(out->assessment, sealed->id, TX_ID_LEN);
    if ((rc = tx_orgs_split_to(&st.orgs, a->to, a->n_to, TX_ORGS_MAX_TO, &names, &n_names,
                               &store)) != TX_OK) {
        goto out;
    }
    if (n_names == 0) {
        rc = tx_fail(TX_ERR_USAGE, "no buyer: name at least one with --to BUYER");
        goto out;
    }
    to = calloc(n_names + 1, sizeof *to);
    until = calloc(n_names + 1, sizeof *until);
    if (to == NULL || until == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n_names && rc == TX_OK; i++) {
        rc = tx_orgs_resolve(&st.orgs, names[i], &to[i]);
        if (rc == TX_OK && memcmp(to[i]->key, me_of(c), TX_KEY_LEN) == 0) {
            rc = tx_fail(TX_ERR_USAGE,
                         "%s is this organisation: it reads its own assessments "
                         "without a grant",
                         names[i]);
        }
        for (size_t k = 0; k < i && rc == TX_OK; k++) {
            if (to[k] == to[i]) {
                rc = tx_fail(TX_ERR_USAGE, "--to names %s twice", to[i]->name);
            }
        }
        until[i] = a->until;
    }
    if (rc != TX_OK || (rc = open_own(c, sealed, key, NULL)) != TX_OK ||
        (rc = tx_seq_take(tx_home_dir(tx_client_home(c)), (unsigned)n_names, &seq)) != TX_OK ||
        (rc = add_grants(c, &st, sealed, key, to, until, NULL, n_names, seq, &b, out)) != TX_OK) {
        goto out;
    }
    rc = batch_submit(c, &b);
out:
    state_free(&st);
done:
    batch_free(&b);
    sodium_free(key);
    free(to);
    free(until);
    free(names);
    free(store);
    if (rc != TX_OK) {
        tx_grant_result_free(out);
    }
    return rc;
}

int
tx_revoke_submit(tx_client *c, const char *assessment, const char *from, tx_grant_result *out)
{
    const tx_rec *sealed;
    const tx_org *org;
    const tx_rec **pending = NULL;
    size_t n = 0, granted = 0;
    batch b = {0};
    state st;
    uint64_t seq;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = state_load(c, &st)) != TX_OK) {
        return rc;
    }
    if ((rc = find_own(&st, assessment, &sealed)) != TX_OK ||
        (rc = tx_orgs_resolve(&st.orgs, from, &org)) != TX_OK) {
        goto out;
    }
    memcpy(out->assessment, sealed->id, TX_ID_LEN);
    pending = calloc(st.l[S_GRANT].n + 1, sizeof *pending);
    if (pending == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    /* Every grant of it to this buyer that no revocation names yet. */
    for (size_t i = 0; i < st.l[S_GRANT].n; i++) {
        const tx_rec *g = &st.l[S_GRANT].v[i];
        const tx_grant_pb *gp = (const tx_grant_pb *)g->msg;
        int revoked = 0;

        if (memcmp(gp->assessment.data, sealed->id, TX_ID_LEN) != 0 ||
            memcmp(gp->grantee.data, org->key, TX_KEY_LEN) != 0) {
            continue;
        }
        granted++;
        for (size_t k = 0; k < st.l[S_REVOKE].n && !revoked; k++) {
            const tx_grant_revoke_pb *rp = (const tx_grant_revoke_pb *)st.l[S_REVOKE].v[k].msg;
            revoked = memcmp(rp->grant.data, g->id, TX_ID_LEN) == 0;
        }
        if (!revoked) {
            pending[n++] = g;
        }
    }
    if (n == 0) {
        char hex[2 * TX_ID_LEN + 1];
        tx_hex(hex, sealed->id, TX_ID_LEN);
        rc = tx_fail(TX_ERR_NOT_FOUND, "assessment %.12s is not granted to %s%s: nothing to revoke",
                     hex, org->name, granted ? " (already revoked)" : "");
        goto out;
    }
    if ((rc = tx_seq_take(tx_home_dir(tx_client_home(c)), (unsigned)n, &seq)) != TX_OK) {
        goto out;
    }
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        uint8_t *env = NULL;
        size_t len = 0;
        if ((rc = sign_revoke(tx_client_id(c), seq + i, pending[i], &env, &len)) == TX_OK) {
            rc = batch_add(&b, out, env, len, org->key, &st.orgs);
        }
    }
    if (rc == TX_OK) {
        rc = batch_submit(c, &b);
    }
out:
    batch_free(&b);
    free(pending);
    state_free(&st);
    if (rc != TX_OK) {
        tx_grant_result_free(out);
    }
    return rc;
}

/* The questionnaire's name for messages: "tics-selfcheck v1 (1a2b3c4d5e6f)". */
static void
q_name(tx_client *c, const uint8_t *qid, char *out, size_t n)
{
    int kind = TX_KIND_QUESTIONNAIRE, got = TX_ERR_NOT_FOUND;
    tx_rec q = {0};
    char hex[2 * TX_ID_LEN + 1];

    tx_hex(hex, qid, TX_ID_LEN);
    if (tx_rpc_get(c, 1, (const uint8_t(*)[TX_ID_LEN])qid, &kind, &q, &got) == TX_OK &&
        got == TX_OK) {
        const tx_questionnaire_pb *qp = (const tx_questionnaire_pb *)q.msg;
        snprintf(out, n, "%.80s v%u (%.12s)", qp->id, qp->version, hex);
    } else {
        snprintf(out, n, "%.12s", hex);
    }
    tx_rec_clear(&q);
    tx_fail_clear();
}

/* Refuses to reuse an assessment that is superseded or whose validity has ended. */
static int
reusable(const state *st, const tx_rec *sealed, const tx_assessment_pb *inner)
{
    const tx_rec *newer = superseded_by(st, sealed->id);
    char hex[2 * TX_ID_LEN + 1], nhex[2 * TX_ID_LEN + 1], d[16];

    tx_hex(hex, sealed->id, TX_ID_LEN);
    if (newer != NULL) {
        tx_hex(nhex, newer->id, TX_ID_LEN);
        return tx_fail(TX_ERR_USAGE, "assessment %.12s is superseded by %.12s: reuse %.12s instead",
                       hex, nhex, nhex);
    }
    if (inner->valid_until != 0 && inner->valid_until < tx_now()) {
        tx_format_date(d, sizeof d, inner->valid_until);
        return tx_fail(TX_ERR_USAGE,
                       "assessment %.12s was valid until %s: answer the request afresh with "
                       "--file",
                       hex, d);
    }
    return TX_OK;
}

int
tx_grant_reuse(tx_client *c, const char *request, const char *assessment, tx_grant_result *out)
{
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    tx_assessment_pb *inner = NULL;
    tx_rec req = {0};
    tx_recs profiles = {0};
    const tx_rec *sealed;
    const tx_request_pb *rp;
    const tx_sealed_pb *sp;
    const tx_org *buyer;
    char rhex[2 * TX_ID_LEN + 1], ahex[2 * TX_ID_LEN + 1], qa[128], qr[128];
    int64_t until = 0;
    batch b = {0};
    state st;
    uint64_t seq;
    int rc;

    memset(out, 0, sizeof *out);
    memset(&st, 0, sizeof st);
    if (key == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((rc = tx_request_find(c, request, &req, &profiles)) != TX_OK ||
        (rc = state_load(c, &st)) != TX_OK) {
        goto out;
    }
    rp = (const tx_request_pb *)req.msg;
    tx_hex(rhex, req.id, TX_ID_LEN);
    memcpy(out->request, req.id, TX_ID_LEN);
    if (!tx_request_names(rp, me_of(c))) {
        rc = tx_fail(TX_ERR_USAGE, "request %.12s does not name this organisation as a supplier",
                     rhex);
        goto out;
    }
    if ((rc = find_own(&st, assessment, &sealed)) != TX_OK) {
        goto out;
    }
    sp = (const tx_sealed_pb *)sealed->msg;
    tx_hex(ahex, sealed->id, TX_ID_LEN);
    memcpy(out->assessment, sealed->id, TX_ID_LEN);
    if (memcmp(sp->questionnaire.data, rp->questionnaire.data, TX_ID_LEN) != 0) {
        q_name(c, sp->questionnaire.data, qa, sizeof qa);
        q_name(c, rp->questionnaire.data, qr, sizeof qr);
        rc = tx_fail(TX_ERR_USAGE,
                     "assessment %.12s answers questionnaire %s, but request %.12s asks for %s: "
                     "answer it with --file instead",
                     ahex, qa, rhex, qr);
        goto out;
    }
    if ((buyer = tx_orgs_by_key(&st.orgs, tx_rec_signer(&req))) == NULL) {
        rc = tx_fail(TX_ERR_NOT_FOUND,
                     "the requester of %.12s has no profile on the hub: cannot seal the key to it",
                     rhex);
        goto out;
    }
    if ((rc = open_own(c, sealed, key, &inner)) != TX_OK || (rc = reusable(&st, sealed, inner))) {
        goto out;
    }
    /* Already answered with this assessment and still held: report that grant, sign nothing. */
    for (size_t i = 0; i < st.l[S_GRANT].n; i++) {
        const tx_rec *g = &st.l[S_GRANT].v[i];
        const tx_grant_pb *gp = (const tx_grant_pb *)g->msg;
        holder *hs = NULL;
        size_t nh = 0;
        int held = 0;

        if (memcmp(gp->assessment.data, sealed->id, TX_ID_LEN) != 0 ||
            memcmp(gp->grantee.data, buyer->key, TX_KEY_LEN) != 0 || gp->request.len != TX_ID_LEN ||
            memcmp(gp->request.data, req.id, TX_ID_LEN) != 0) {
            continue;
        }
        if ((rc = holders(&st, sealed->id, &hs, &nh)) != TX_OK) {
            goto out;
        }
        for (size_t k = 0; k < nh; k++) {
            held |= memcmp(hs[k].key, buyer->key, TX_KEY_LEN) == 0 && holds(&hs[k], tx_now());
        }
        free(hs);
        if (held) {
            out->v = calloc(1, sizeof *out->v);
            if (out->v == NULL) {
                rc = TX_ERR_NOMEM;
                goto out;
            }
            out->n = 1;
            memcpy(out->v[0].record, g->id, TX_ID_LEN);
            memcpy(out->v[0].grantee, buyer->key, TX_KEY_LEN);
            snprintf(out->v[0].name, sizeof out->v[0].name, "%s", buyer->name);
            tx_fingerprint(buyer->key, out->v[0].fingerprint);
            out->v[0].existing = 1;
            goto out;
        }
    }
    if ((rc = tx_seq_take(tx_home_dir(tx_client_home(c)), 1, &seq)) == TX_OK) {
        const uint8_t *reqs[1] = {req.id};
        rc = add_grants(c, &st, sealed, key, &buyer, &until, reqs, 1, seq, &b, out);
    }
    if (rc == TX_OK && (rc = batch_submit(c, &b)) == TX_OK) {
        tx_home_cache_put(tx_client_home(c), req.bytes, req.len, NULL);
    }
out:
    batch_free(&b);
    tx_free(inner);
    sodium_free(key);
    tx_rec_clear(&req);
    tx_recs_clear(&profiles);
    state_free(&st);
    if (rc != TX_OK) {
        tx_grant_result_free(out);
    }
    return rc;
}

int
tx_grant_check_supersede(tx_client *c, const char *old_arg, uint8_t old[TX_ID_LEN])
{
    const tx_rec *sealed, *newer;
    char hex[2 * TX_ID_LEN + 1], nhex[2 * TX_ID_LEN + 1];
    state st;
    int rc;

    if ((rc = state_load(c, &st)) != TX_OK) {
        return rc;
    }
    rc = find_own(&st, old_arg, &sealed);
    if (rc == TX_ERR_NOT_FOUND) {
        rc = tx_fail(rc,
                     "--supersedes %s: not one of this organisation's assessments on the hub "
                     "(only its author may supersede an assessment)",
                     old_arg);
    }
    if (rc == TX_OK && (newer = superseded_by(&st, sealed->id)) != NULL) {
        tx_hex(hex, sealed->id, TX_ID_LEN);
        tx_hex(nhex, newer->id, TX_ID_LEN);
        rc = tx_fail(TX_ERR_USAGE,
                     "--supersedes %.12s: it is already superseded by %.12s; supersede that one",
                     hex, nhex);
    }
    if (rc == TX_OK) {
        memcpy(old, sealed->id, TX_ID_LEN);
    }
    state_free(&st);
    return rc;
}

int
tx_grant_regrant(tx_client *c, const uint8_t old[TX_ID_LEN], const uint8_t new_id[TX_ID_LEN],
                 const uint8_t *key, const uint8_t *skip, tx_grant_result *out)
{
    holder *hs = NULL;
    size_t nh = 0, n = 0;
    const tx_org **to = NULL;
    int64_t *until = NULL;
    const uint8_t **reqs = NULL;
    const tx_rec *sealed = NULL;
    int64_t now = tx_now();
    batch b = {0};
    state st;
    uint64_t seq;
    int rc;

    memset(out, 0, sizeof *out);
    memcpy(out->assessment, new_id, TX_ID_LEN);
    if ((rc = state_load(c, &st)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < st.l[S_ASSESSMENT].n; i++) {
        if (memcmp(st.l[S_ASSESSMENT].v[i].id, new_id, TX_ID_LEN) == 0) {
            sealed = &st.l[S_ASSESSMENT].v[i];
        }
    }
    if (sealed == NULL) {
        rc = tx_fail(TX_ERR_NOT_FOUND, "the new assessment is not listed by the hub");
        goto out;
    }
    if ((rc = holders(&st, old, &hs, &nh)) != TX_OK) {
        goto out;
    }
    to = calloc(nh + 1, sizeof *to);
    until = calloc(nh + 1, sizeof *until);
    reqs = calloc(nh + 1, sizeof *reqs);
    if (to == NULL || until == NULL || reqs == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < nh; i++) {
        const tx_grant_pb *gp = (const tx_grant_pb *)hs[i].grant->msg;
        char fp[TX_FP_LEN];

        if (!holds(&hs[i], now) || memcmp(hs[i].key, me_of(c), TX_KEY_LEN) == 0 ||
            (skip != NULL && memcmp(hs[i].key, skip, TX_KEY_LEN) == 0)) {
            continue;
        }
        if ((to[n] = tx_orgs_by_key(&st.orgs, hs[i].key)) == NULL) {
            tx_fingerprint(hs[i].key, fp);
            tx_warn("not re-granted to %s: it has no profile on the hub", fp);
            continue;
        }
        until[n] = gp->until;
        reqs[n] = gp->request.len == TX_ID_LEN ? gp->request.data : NULL;
        n++;
    }
    if (n == 0) {
        goto out;
    }
    if ((rc = tx_seq_take(tx_home_dir(tx_client_home(c)), (unsigned)n, &seq)) != TX_OK ||
        (rc = add_grants(c, &st, sealed, key, to, until, reqs, n, seq, &b, out)) != TX_OK) {
        goto out;
    }
    rc = batch_submit(c, &b);
out:
    batch_free(&b);
    free(hs);
    free(to);
    free(until);
    free(reqs);
    state_free(&st);
    if (rc != TX_OK) {
        tx_grant_result_free(out);
    }
    return rc;
}

int
tx_grant_latest_own(tx_client *c, const uint8_t qid[TX_ID_LEN], const uint8_t except[TX_ID_LEN],
                    uint8_t out[TX_ID_LEN], int *found)
{
    const tx_rec *best = NULL;
    state st;
    int rc;

    *found = 0;
    if ((rc = state_load(c, &st)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < st.l[S_ASSESSMENT].n; i++) {
        const tx_rec *r = &st.l[S_ASSESSMENT].v[i];
        const tx_sealed_pb *s = (const tx_sealed_pb *)r->msg;

        if (memcmp(s->questionnaire.data, qid, TX_ID_LEN) != 0 ||
            memcmp(r->id, except, TX_ID_LEN) == 0 || superseded_by(&st, r->id) != NULL) {
            continue;
        }
        if (best == NULL || rec_seq(r) > rec_seq(best)) {
            best = r;
        }
    }
    if (best != NULL) {
        memcpy(out, best->id, TX_ID_LEN);
        *found = 1;
    }
    state_free(&st);
    return TX_OK;
}

static json_t *
grantee_json(const tx_grant_item *it)
{
    return json_pack("{s:s,s:s,s:o}", "name", it->name, "fingerprint", it->fingerprint, "key",
                     tx_json_hex(it->grantee, TX_KEY_LEN));
}

json_t *
tx_grant_result_json(const tx_grant_result *r, const char *what, int64_t until)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < r->n; i++) {
        json_t *o = json_pack("{s:o,s:o}", "record", tx_json_hex(r->v[i].record, TX_ID_LEN),
                              "grantee", grantee_json(&r->v[i]));
        if (until != 0) {
            json_object_set_new(o, "until", tx_json_date(until));
        }
        json_array_append_new(arr, o);
    }
    return json_pack("{s:o,s:o}", "assessment", tx_json_hex(r->assessment, TX_ID_LEN), what, arr);
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

    return x->created != y->created ? (x->created < y->created ? 1 : -1)
                                    : memcmp(x->id, y->id, TX_ID_LEN);
}

/* Fills in e's holders (current ones, this organisation left out). */
static int
own_holders(tx_client *c, const state *st, tx_own_assessment *e, int64_t now)
{
    holder *hs = NULL;
    size_t nh = 0;
    int rc;

    if ((rc = holders(st, e->id, &hs, &nh)) != TX_OK) {
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

        if (!holds(&hs[k], now) || memcmp(hs[k].key, me_of(c), TX_KEY_LEN) == 0) {
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
    state st;
    int rc;

    memset(out, 0, sizeof *out);
    if (key == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((rc = state_load(c, &st)) != TX_OK) {
        sodium_free(key);
        return rc;
    }
    out->v = calloc(st.l[S_ASSESSMENT].n + 1, sizeof *out->v);
    if (out->v == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < st.l[S_ASSESSMENT].n && rc == TX_OK; i++) {
        const tx_rec *r = &st.l[S_ASSESSMENT].v[i];
        const tx_sealed_pb *s = (const tx_sealed_pb *)r->msg;
        tx_own_assessment *e = &out->v[out->n++];
        const tx_rec *newer = superseded_by(&st, r->id);
        tx_assessment_pb *inner = NULL;

        memcpy(e->id, r->id, TX_ID_LEN);
        memcpy(e->questionnaire, s->questionnaire.data, TX_ID_LEN);
        e->created = s->meta != NULL ? s->meta->created : 0;
        if (newer != NULL) {
            e->superseded = 1;
            memcpy(e->superseded_by, newer->id, TX_ID_LEN);
        }
        /* Without the key (another home wrote it) the dates stay unknown; still listed. */
        if (open_own(c, r, key, &inner) == TX_OK) {
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
    state_free(&st);
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

/* Grants, revocations, reuse and re-grants after a supersede. */
#include "tx_grant.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_grant_state.h"
#include "tx_i18n.h"
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

/* One of the own assessments by id or unique prefix. */
static int
find_own(const tx_grant_state *st, const char *arg, const tx_rec **out)
{
    size_t len = strlen(arg), hits = 0;
    char hex[2 * TX_ID_LEN + 1];

    *out = NULL;
    if (!tx_is_id_prefix(arg)) {
        return tx_fail(TX_ERR_USAGE, "assessment %s: give its id (64 hex digits, or at least 8)",
                       arg);
    }
    for (size_t i = 0; i < st->l[TX_GS_ASSESSMENT].n; i++) {
        tx_hex(hex, st->l[TX_GS_ASSESSMENT].v[i].id, TX_ID_LEN);
        if (strncasecmp(hex, arg, len) == 0) {
            hits++;
            *out = &st->l[TX_GS_ASSESSMENT].v[i];
        }
    }
    if (hits == 0) {
        return tx_fail(TX_ERR_NOT_FOUND,
                       "assessment %s not found among this organisation's assessments on the hub "
                       "(only the author grants, revokes, reuses or supersedes one); ticsx "
                       "assessments lists them",
                       arg);
    }
    if (hits > 1) {
        *out = NULL;
        return tx_fail(TX_ERR_USAGE, "assessment %s is ambiguous: %zu assessments start with it",
                       arg, hits);
    }
    return TX_OK;
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
batch_add(batch *b, tx_grant_result *out, uint8_t *env, size_t len, const uint8_t *aid,
          const uint8_t *grantee, const tx_orgs *orgs)
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
    memcpy(it->assessment, aid, TX_ID_LEN);
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
add_grants(tx_client *c, const tx_grant_state *st, const tx_rec *sealed, const uint8_t *key,
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
            rc = batch_add(b, out, env, len, sealed->id, to[i]->key, &st->orgs);
        }
    }
    return rc;
}

/* Refuses to grant a superseded assessment: the grantee would be given what this organisation
 * itself replaced (the hub would show it the newer one, and its verify would say superseded).
 * Points to the newest of the chain and the command that grants it. */
static int
grantable(const tx_grant_state *st, const tx_rec *sealed, const tx_grant_args *a)
{
    const tx_rec *newer = tx_grant_superseded_by(st, sealed->id), *newest = NULL;
    char hex[2 * TX_ID_LEN + 1], nhex[2 * TX_ID_LEN + 1];

    for (size_t hops = 0; newer != NULL && hops <= st->l[TX_GS_ASSESSMENT].n; hops++) {
        newest = newer;
        newer = tx_grant_superseded_by(st, newer->id);
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
    tx_grant_state st;
    uint64_t seq;
    int rc;

    memset(out, 0, sizeof *out);
    if (key == NULL) {
        rc = TX_ERR_NOMEM;
        goto done;
    }
    if (a->until != 0 && a->until < tx_now()) {
        tx_format_date(d, sizeof d, a->until);
        rc = tx_fail(TX_ERR_USAGE, "--until %s is in the past: give a later date", d);
        goto done;
    }
    if ((rc = tx_grant_state_load(c, &st)) != TX_OK) {
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
        if (rc == TX_OK && memcmp(to[i]->key, tx_grant_me(c), TX_KEY_LEN) == 0) {
            rc = tx_fail(TX_ERR_USAGE,
                         "%s is this organisation: it reads its own assessments "
                         "without a grant",
                         names[i]);
        }
        for (size_t k = 0; k < i && rc == TX_OK; k++) {
            if (to[k] == to[i]) {
                rc = tx_fail(TX_ERR_USAGE, "--to names %s twice: name it once", to[i]->name);
            }
        }
        until[i] = a->until;
    }
    if (rc != TX_OK || (rc = tx_grant_open_own(c, sealed, key, NULL)) != TX_OK ||
        (rc = tx_seq_take(tx_home_dir(tx_client_home(c)), (unsigned)n_names, &seq)) != TX_OK ||
        (rc = add_grants(c, &st, sealed, key, to, until, NULL, n_names, seq, &b, out)) != TX_OK) {
        goto out;
    }
    rc = batch_submit(c, &b);
out:
    tx_grant_state_free(&st);
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

/* True if grant g has a revocation among this organisation's. */
static int
grant_revoked(const tx_grant_state *st, const tx_rec *g)
{
    for (size_t k = 0; k < st->l[TX_GS_REVOKE].n; k++) {
        const tx_grant_revoke_pb *rp = (const tx_grant_revoke_pb *)st->l[TX_GS_REVOKE].v[k].msg;
        if (memcmp(rp->grant.data, g->id, TX_ID_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The grants to `grantee` of any version in line not revoked yet, oldest version first, into
 * pending (room for every grant); *granted counts those revoked already too. */
static void
pending_revokes(const tx_grant_state *st, const tx_rec *const *line, size_t n_line,
                const uint8_t *grantee, const tx_rec **pending, size_t *n, size_t *granted)
{
    *n = *granted = 0;
    for (size_t a = 0; a < n_line; a++) {
        for (size_t i = 0; i < st->l[TX_GS_GRANT].n; i++) {
            const tx_rec *g = &st->l[TX_GS_GRANT].v[i];
            const tx_grant_pb *gp = (const tx_grant_pb *)g->msg;

            if (memcmp(gp->assessment.data, line[a]->id, TX_ID_LEN) != 0 ||
                memcmp(gp->grantee.data, grantee, TX_KEY_LEN) != 0) {
                continue;
            }
            (*granted)++;
            if (!grant_revoked(st, g)) {
                pending[(*n)++] = g;
            }
        }
    }
}

int
tx_revoke_submit(tx_client *c, const char *assessment, const char *from, tx_grant_result *out)
{
    const tx_rec *sealed;
    const tx_org *org;
    const tx_rec **pending = NULL, **line = NULL;
    size_t n = 0, granted = 0, n_line = 0;
    char hex[2 * TX_ID_LEN + 1];
    batch b = {0};
    tx_grant_state st;
    uint64_t seq;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = tx_grant_state_load(c, &st)) != TX_OK) {
        return rc;
    }
    if ((rc = find_own(&st, assessment, &sealed)) != TX_OK ||
        (rc = tx_orgs_resolve(&st.orgs, from, &org)) != TX_OK ||
        (rc = tx_grant_line(&st, sealed->id, &line, &n_line)) != TX_OK) {
        goto out;
    }
    memcpy(out->assessment, sealed->id, TX_ID_LEN);
    tx_hex(hex, sealed->id, TX_ID_LEN);
    if ((pending = calloc(st.l[TX_GS_GRANT].n + 1, sizeof *pending)) == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    pending_revokes(&st, line, n_line, org->key, pending, &n, &granted);
    if (n == 0) {
        rc = granted ? tx_fail(TX_ERR_NOT_FOUND,
                               "assessment %.12s is no longer granted to %s, in no version of "
                               "its line (already revoked): nothing to revoke",
                               hex, org->name)
                     : tx_fail(TX_ERR_NOT_FOUND,
                               "assessment %.12s is not granted to %s, in no version of its "
                               "line: nothing to revoke",
                               hex, org->name);
        goto out;
    }
    if ((rc = tx_seq_take(tx_home_dir(tx_client_home(c)), (unsigned)n, &seq)) != TX_OK) {
        goto out;
    }
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        const tx_grant_pb *gp = (const tx_grant_pb *)pending[i]->msg;
        uint8_t *env = NULL;
        size_t len = 0;

        if ((rc = sign_revoke(tx_client_id(c), seq + i, pending[i], &env, &len)) == TX_OK) {
            rc = batch_add(&b, out, env, len, gp->assessment.data, org->key, &st.orgs);
        }
    }
    if (rc == TX_OK) {
        rc = batch_submit(c, &b);
    }
out:
    batch_free(&b);
    free(pending);
    free(line);
    tx_grant_state_free(&st);
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
reusable(const tx_grant_state *st, const tx_rec *sealed, const tx_assessment_pb *inner)
{
    const tx_rec *newer = tx_grant_superseded_by(st, sealed->id);
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
    uint8_t org[TX_KEY_LEN]; /* the organisation (a member's home answers for it) */
    int64_t until = 0;
    batch b = {0};
    tx_grant_state st;
    uint64_t seq;
    int rc, is_member;

    memset(out, 0, sizeof *out);
    memset(&st, 0, sizeof st);
    if (key == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((rc = tx_home_org(tx_client_home(c), org, &is_member)) != TX_OK ||
        (rc = tx_request_find(c, request, &req, &profiles)) != TX_OK ||
        (rc = tx_grant_state_load(c, &st)) != TX_OK) {
        goto out;
    }
    rp = (const tx_request_pb *)req.msg;
    tx_hex(rhex, req.id, TX_ID_LEN);
    memcpy(out->request, req.id, TX_ID_LEN);
    if (!tx_request_names(rp, org)) {
        rc = tx_fail(TX_ERR_USAGE,
                     "request %.12s does not name this organisation as a supplier: ticsx inbox "
                     "lists the requests sent to it",
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
                     "the requester of %.12s has no profile on the hub: cannot seal the key to it; "
                     "ask the requester to enrol at the hub",
                     rhex);
        goto out;
    }
    if ((rc = tx_grant_open_own(c, sealed, key, &inner)) != TX_OK ||
        (rc = reusable(&st, sealed, inner))) {
        goto out;
    }
    /* Already answered with this assessment and still held: report that grant, sign nothing. */
    for (size_t i = 0; i < st.l[TX_GS_GRANT].n; i++) {
        const tx_rec *g = &st.l[TX_GS_GRANT].v[i];
        const tx_grant_pb *gp = (const tx_grant_pb *)g->msg;
        tx_grant_holder *hs = NULL;
        size_t nh = 0;
        int held = 0;

        if (memcmp(gp->assessment.data, sealed->id, TX_ID_LEN) != 0 ||
            memcmp(gp->grantee.data, buyer->key, TX_KEY_LEN) != 0 || gp->request.len != TX_ID_LEN ||
            memcmp(gp->request.data, req.id, TX_ID_LEN) != 0) {
            continue;
        }
        if ((rc = tx_grant_holders(&st, sealed->id, &hs, &nh)) != TX_OK) {
            goto out;
        }
        for (size_t k = 0; k < nh; k++) {
            held |=
                memcmp(hs[k].key, buyer->key, TX_KEY_LEN) == 0 && tx_grant_holds(&hs[k], tx_now());
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
    tx_grant_state_free(&st);
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
    tx_grant_state st;
    int rc;

    if ((rc = tx_grant_state_load(c, &st)) != TX_OK) {
        return rc;
    }
    rc = find_own(&st, old_arg, &sealed);
    if (rc == TX_ERR_NOT_FOUND) {
        rc = tx_fail(rc,
                     "--supersedes %s: not one of this organisation's assessments on the hub "
                     "(only its author may supersede an assessment); ticsx assessments lists them",
                     old_arg);
    }
    if (rc == TX_OK && (newer = tx_grant_superseded_by(&st, sealed->id)) != NULL) {
        tx_hex(hex, sealed->id, TX_ID_LEN);
        tx_hex(nhex, newer->id, TX_ID_LEN);
        rc = tx_fail(TX_ERR_USAGE,
                     "--supersedes %.12s: it is already superseded by %.12s; supersede that one",
                     hex, nhex);
    }
    if (rc == TX_OK) {
        memcpy(old, sealed->id, TX_ID_LEN);
    }
    tx_grant_state_free(&st);
    return rc;
}

int
tx_grant_regrant(tx_client *c, const uint8_t old[TX_ID_LEN], const uint8_t new_id[TX_ID_LEN],
                 const uint8_t *key, const uint8_t *skip, tx_grant_result *out)
{
    tx_grant_holder *hs = NULL;
    size_t nh = 0, n = 0;
    const tx_org **to = NULL;
    int64_t *until = NULL;
    const uint8_t **reqs = NULL;
    const tx_rec *sealed = NULL;
    int64_t now = tx_now();
    batch b = {0};
    tx_grant_state st;
    uint64_t seq;
    int rc;

    memset(out, 0, sizeof *out);
    memcpy(out->assessment, new_id, TX_ID_LEN);
    if ((rc = tx_grant_state_load(c, &st)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < st.l[TX_GS_ASSESSMENT].n; i++) {
        if (memcmp(st.l[TX_GS_ASSESSMENT].v[i].id, new_id, TX_ID_LEN) == 0) {
            sealed = &st.l[TX_GS_ASSESSMENT].v[i];
        }
    }
    if (sealed == NULL) {
        rc = tx_fail(TX_ERR_NOT_FOUND,
                     "the new assessment is not listed by the hub; run the command again shortly");
        goto out;
    }
    if ((rc = tx_grant_holders(&st, old, &hs, &nh)) != TX_OK) {
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

        if (!tx_grant_holds(&hs[i], now) || memcmp(hs[i].key, tx_grant_me(c), TX_KEY_LEN) == 0 ||
            (skip != NULL && memcmp(hs[i].key, skip, TX_KEY_LEN) == 0)) {
            continue;
        }
        if ((to[n] = tx_orgs_by_key(&st.orgs, hs[i].key)) == NULL) {
            tx_fingerprint(hs[i].key, fp);
            tx_warn(_("not re-granted to %s: it has no profile on the hub"), fp);
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
    tx_grant_state_free(&st);
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
    tx_grant_state st;
    int rc;

    *found = 0;
    if ((rc = tx_grant_state_load(c, &st)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < st.l[TX_GS_ASSESSMENT].n; i++) {
        const tx_rec *r = &st.l[TX_GS_ASSESSMENT].v[i];
        const tx_sealed_pb *s = (const tx_sealed_pb *)r->msg;

        if (memcmp(s->questionnaire.data, qid, TX_ID_LEN) != 0 ||
            memcmp(r->id, except, TX_ID_LEN) == 0 || tx_grant_superseded_by(&st, r->id) != NULL) {
            continue;
        }
        if (best == NULL || tx_grant_seq(r) > tx_grant_seq(best)) {
            best = r;
        }
    }
    if (best != NULL) {
        memcpy(out, best->id, TX_ID_LEN);
        *found = 1;
    }
    tx_grant_state_free(&st);
    return TX_OK;
}

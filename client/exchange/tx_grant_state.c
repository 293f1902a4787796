/* Who holds this organisation's assessments, read from what it signed: its sealed
 * assessments, grants and revocations as the hub lists them, and the content keys kept in the
 * home. */
#include "tx_grant_state.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_lookup.h"
#include "tx_msg.h"
#include "tx_rpc.h"
#include "tx_seal.h"
#include "tx_us.h"
#include "tx_us_hub.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

const uint8_t *
tx_grant_me(tx_client *c)
{
    /* The organisation this home acts for (in a member's home, not the person's key). */
    static _Thread_local uint8_t org[TX_KEY_LEN];
    int is_member;

    if (tx_home_org(tx_client_home(c), org, &is_member) != TX_OK) {
        tx_fail_clear(); /* a damaged copy of the profile: the commands that sign say so */
        return tx_client_id(c)->pub.sign;
    }
    return org;
}

uint64_t
tx_grant_seq(const tx_rec *r)
{
    /* Listed records: their order in the hub's log (an organisation's records are signed by
     * several keys, each with its own sequence numbers); else the signer's sequence number. */
    return r->index != 0 ? r->index : tx_kind_seq(r->kind, r->msg);
}

/* Keeps only the records the organisation signed (its key, its officers: tx_us) in recs. */
static void
keep_own(tx_recs *recs, const tx_us *us)
{
    size_t k = 0;

    for (size_t i = 0; i < recs->n; i++) {
        if (tx_us_signed(us, &recs->v[i])) {
            recs->v[k++] = recs->v[i];
        } else {
            tx_rec_clear(&recs->v[i]);
        }
    }
    recs->n = k;
}

void
tx_grant_state_free(tx_grant_state *st)
{
    for (size_t i = 0; i < TX_GS_COUNT; i++) {
        tx_recs_clear(&st->l[i]);
    }
    tx_orgs_free(&st->orgs);
}

int
tx_grant_state_load(tx_client *c, tx_grant_state *st)
{
    static const int kinds[TX_GS_COUNT] = {TX_KIND_ASSESSMENT, TX_KIND_GRANT, TX_KIND_GRANT_REVOKE,
                                           TX_KIND_PROFILE};
    int rc;

    tx_us us = {0};

    memset(st, 0, sizeof *st);
    if ((rc = tx_us_load(c, &us)) != TX_OK ||
        (rc = tx_rpc_list(c, TX_GS_COUNT, kinds, NULL, st->l)) != TX_OK ||
        (rc = tx_orgs_add(&st->orgs, &st->l[TX_GS_PROFILE])) != TX_OK ||
        (rc = tx_orgs_follow_hub(c, &st->orgs)) != TX_OK) {
        tx_us_free(&us);
        tx_grant_state_free(st);
        return rc;
    }
    for (size_t i = 0; i < TX_GS_PROFILE; i++) {
        keep_own(&st->l[i], &us);
    }
    tx_us_free(&us);
    return TX_OK;
}

/* The own assessment that supersedes `id`, or NULL. */
const tx_rec *
tx_grant_superseded_by(const tx_grant_state *st, const uint8_t *id)
{
    for (size_t i = 0; i < st->l[TX_GS_ASSESSMENT].n; i++) {
        const tx_rec *r = &st->l[TX_GS_ASSESSMENT].v[i];
        const tx_sealed_pb *s = (const tx_sealed_pb *)r->msg;
        if (s->supersedes.len == TX_ID_LEN && memcmp(s->supersedes.data, id, TX_ID_LEN) == 0) {
            return r;
        }
    }
    return NULL;
}

int
tx_grant_line_has(const tx_rec *const *v, size_t n, const uint8_t *id)
{
    for (size_t i = 0; i < n; i++) {
        if (memcmp(v[i]->id, id, TX_ID_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
older_first(const void *a, const void *b)
{
    uint64_t x = tx_grant_seq(*(const tx_rec *const *)a),
             y = tx_grant_seq(*(const tx_rec *const *)b);

    return x < y ? -1 : x > y;
}

int
tx_grant_line(const tx_grant_state *st, const uint8_t *id, const tx_rec ***out, size_t *n)
{
    const tx_recs *as = &st->l[TX_GS_ASSESSMENT];
    const tx_rec **v = calloc(as->n + 1, sizeof *v);
    size_t count = 0;
    int grew = 1;

    *out = NULL;
    *n = 0;
    if (v == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < as->n && count == 0; i++) {
        if (memcmp(as->v[i].id, id, TX_ID_LEN) == 0) {
            v[count++] = &as->v[i];
        }
    }
    /* Closure over "supersedes" in both directions; each pass adds at least one or ends. */
    while (grew) {
        grew = 0;
        for (size_t i = 0; i < as->n; i++) {
            const tx_rec *r = &as->v[i];
            const tx_sealed_pb *s = (const tx_sealed_pb *)r->msg;
            int has_old = s->supersedes.len == TX_ID_LEN;

            if (tx_grant_line_has(v, count, r->id)) {
                continue;
            }
            if (has_old && tx_grant_line_has(v, count, s->supersedes.data)) {
                v[count++] = r;
                grew = 1;
                continue;
            }
            for (size_t k = 0; k < count; k++) {
                const tx_sealed_pb *ks = (const tx_sealed_pb *)v[k]->msg;
                if (ks->supersedes.len == TX_ID_LEN &&
                    memcmp(ks->supersedes.data, r->id, TX_ID_LEN) == 0) {
                    v[count++] = r;
                    grew = 1;
                    break;
                }
            }
        }
    }
    qsort(v, count, sizeof *v, older_first);
    *out = v;
    *n = count;
    return TX_OK;
}

/* Who holds or held assessment `aid` by grant of this organisation. Caller frees *out. */
int
tx_grant_holders(const tx_grant_state *st, const uint8_t *aid, tx_grant_holder **out, size_t *n)
{
    tx_grant_holder *v = calloc(st->l[TX_GS_GRANT].n + 1, sizeof *v);
    size_t count = 0;

    *out = NULL;
    *n = 0;
    if (v == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < st->l[TX_GS_GRANT].n; i++) {
        const tx_rec *g = &st->l[TX_GS_GRANT].v[i];
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
        if (v[k].grant == NULL || tx_grant_seq(g) > tx_grant_seq(v[k].grant)) {
            v[k].grant = g;
        }
    }
    for (size_t i = 0; i < st->l[TX_GS_REVOKE].n; i++) {
        const tx_rec *r = &st->l[TX_GS_REVOKE].v[i];
        const tx_grant_revoke_pb *rp = (const tx_grant_revoke_pb *)r->msg;

        if (memcmp(rp->assessment.data, aid, TX_ID_LEN) != 0) {
            continue;
        }
        for (size_t k = 0; k < count; k++) {
            if (memcmp(v[k].key, rp->grantee.data, TX_KEY_LEN) == 0 &&
                tx_grant_seq(r) > v[k].revoked_seq) {
                v[k].revoked_seq = tx_grant_seq(r);
                v[k].revoke = r;
            }
        }
    }
    *out = v;
    *n = count;
    return TX_OK;
}

/* True if h holds the assessment now: granted after its last revocation, not ended. */
int
tx_grant_holds(const tx_grant_holder *h, int64_t now)
{
    const tx_grant_pb *gp = (const tx_grant_pb *)h->grant->msg;

    return tx_grant_seq(h->grant) > h->revoked_seq && (gp->until == 0 || gp->until >= now);
}

int
tx_grant_signed_here(tx_client *c, const tx_rec *r)
{
    return memcmp(tx_rec_signer(r), tx_client_id(c)->pub.sign, TX_KEY_LEN) == 0;
}

int
tx_grant_opens_here(tx_client *c, const tx_rec *r)
{
    return tx_grant_signed_here(c, r) ||
           ((const tx_sealed_pb *)r->msg)->org_key_sealed.len == TX_SEALED_KEY_LEN;
}

/* The content key sealed to the organisation (SealedAssessment.org_key_sealed), opened with its
 * seal key: this home's own in the organisation's home, else the one this person's member record
 * on the hub gives it. TX_ERR_NOT_FOUND (no message) when the assessment carries none. */
static int
open_org_key(tx_client *c, const tx_sealed_pb *s, uint8_t *key)
{
    tx_identity *reader = NULL;
    uint8_t org[TX_KEY_LEN];
    tx_us us;
    int is_member, rc;

    if (s->org_key_sealed.len != TX_SEALED_KEY_LEN) {
        return TX_ERR_NOT_FOUND;
    }
    if ((rc = tx_home_org(tx_client_home(c), org, &is_member)) != TX_OK) {
        return rc;
    }
    if (!is_member) {
        return tx_open_key(tx_client_id(c), s->org_key_sealed.data, key);
    }
    if ((rc = tx_us_load(c, &us)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_us_reader(tx_client_home(c), &us, &reader)) == TX_OK) {
        rc = tx_open_key(reader, s->org_key_sealed.data, key);
    }
    tx_identity_destroy(&reader);
    tx_us_free(&us);
    return rc;
}

/* The content key of `sealed` is not in this home: says whose home holds it (another person of
 * the organisation, by name, or the organisation's own home). */
static int
no_key(tx_client *c, const tx_rec *sealed, int rc, const char *hex)
{
    tx_signer_info si;
    int found = 0;

    rc = rc == TX_ERR_NOT_FOUND ? TX_ERR_NOT_FOUND : rc;
    if (!tx_grant_signed_here(c, sealed) &&
        tx_person_of(c, tx_rec_signer(sealed), 0, &si, &found) == TX_OK && found) {
        return tx_fail(rc,
                       "assessment %.12s was signed by %s: its content key is in that person's "
                       "home, not in this one; %s shares it (ticsx grant %.12s --to BUYER)",
                       hex, si.name, si.name, hex);
    }
    if (!tx_grant_signed_here(c, sealed)) {
        return tx_fail(rc,
                       "assessment %.12s was signed with the organisation's key: its content key "
                       "is in the organisation's home, which shares it",
                       hex);
    }
    return tx_fail(rc,
                   "no content key for assessment %.12s in this home (keys/%s): only the "
                   "home that wrote it can share it",
                   hex, hex);
}

/* Loads the stored content key of own assessment `sealed` and checks that it opens it, into an
 * inner assessment signed by this organisation. *inner may be NULL (not wanted). */
int
tx_grant_open_own(tx_client *c, const tx_rec *sealed, uint8_t *key, tx_assessment_pb **inner)
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
    if ((rc = tx_home_key_get(tx_client_home(c), sealed->id, key)) == TX_ERR_NOT_FOUND) {
        tx_fail_clear();
        rc = open_org_key(c, s, key);
    }
    if (rc == TX_ERR_WRONG_KEY) {
        return tx_fail(rc,
                       "assessment %.12s: its content key is not sealed to this organisation's "
                       "seal key; nothing was shared",
                       hex);
    }
    if (rc != TX_OK) {
        return rc == TX_ERR_NOT_FOUND ? no_key(c, sealed, rc, hex) : rc;
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
        rc = tx_fail(TX_ERR_WRONG_KEY,
                     "assessment %.12s holds another signer's content: do not rely on it", hex);
    }
    if (rc == TX_OK && inner != NULL) {
        *inner = (tx_assessment_pb *)in.msg;
        in.msg = NULL;
    }
    sodium_memzero(in.bytes, in.len);
    tx_rec_clear(&in);
    return rc;
}

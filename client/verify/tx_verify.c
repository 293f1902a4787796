/* Verify granted assessments from the cache. */
#include "tx_verify.h"

#include "tx_evidence_check.h"

#include "tx_cache_kept.h"
#include "tx_cell.h"
#include "tx_cred.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_idmap.h"
#include "tx_json.h"
#include "tx_key_chain.h"
#include "tx_log.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_plan.h"
#include "tx_policy_store.h"
#include "tx_pool.h"
#include "tx_rec.h"
#include "tx_score.h"
#include "tx_seal.h"
#include "tx_signer.h"
#include "tx_two_officers.h"
#include "tx_util.h"
#include "tx_verify_ahead.h"

#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *
tx_verdict_name(int status)
{
    switch (status) {
    case TX_VERIFIED:
        return "verified";
    case TX_EXPIRED:
        return "expired";
    case TX_REVOKED:
        return "revoked";
    case TX_SUPERSEDED:
        return "superseded";
    default:
        return "failed";
    }
}

/* The web UI's and the reports' words for a verdict ("status." of i18n.js). */
const char *
tx_verdict_label(int status)
{
    return status == TX_VERIFIED     ? _("Verified")
           : status == TX_EXPIRED    ? _("Expired")
           : status == TX_REVOKED    ? _("Sharing revoked")
           : status == TX_SUPERSEDED ? _("Superseded")
                                     : _("Verification failed");
}

/* A verdict in verify's lines: its name in English (as before), its label in Japanese. */
static const char *
verdict_word(int status)
{
    return tx_i18n_ja() ? tx_verdict_label(status) : tx_verdict_name(status);
}

int
tx_verdict_rank(int status)
{
    switch (status) {
    case TX_VERIFIED:
        return 0;
    case TX_SUPERSEDED:
        return 1;
    case TX_EXPIRED:
        return 2;
    case TX_REVOKED:
        return 4;
    default:
        return 3;
    }
}

static void fail(tx_verdict *v, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(tx_verdict *v, int status, const char *fmt, ...)
{
    va_list ap;

    v->status = status;
    va_start(ap, fmt);
    vsnprintf(v->reason, sizeof v->reason, fmt, ap);
    va_end(ap);
}

/* A certificate status in verify's lines: its name in English (as before), its label in
 * Japanese. */
static const char *
cert_word(int status)
{
    return tx_i18n_ja() ? tx_cert_status_label(status) : tx_cert_status_name(status);
}

/* The record kind a verdict's reason names, in the reader's language (verify works offline:
 * tx_kind_word of client/net is out of its reach). */
static const char *
kind_word(int kind)
{
    switch (kind) {
    case TX_KIND_ASSESSMENT:
        return _("assessment");
    case TX_KIND_GRANT:
        return _("grant");
    case TX_KIND_REQUEST:
        return _("request");
    case TX_KIND_QUESTIONNAIRE:
        return _("questionnaire");
    default:
        return tx_kind_name(kind);
    }
}

/* Opens a cached record for a verdict, turning each way it can fail into a reason. */
static int
load(tx_home *home, const uint8_t *id, int kind, tx_rec *rec, tx_verdict *v)
{
    char hex[2 * TX_ID_LEN + 1];
    int rc = tx_rec_from_cache(home, id, kind, rec);

    tx_hex(hex, id, TX_ID_LEN);
    switch (rc) {
    case TX_OK:
        return TX_OK;
    case TX_ERR_NOT_FOUND:
        fail(v, TX_FAILED, _("%s %.12s is not in the local cache: run ticsx fetch"),
             kind_word(kind), hex);
        break;
    case TX_ERR_BAD_SIGNATURE:
        fail(v, TX_FAILED, _("signature does not verify: %s %.12s"), kind_word(kind), hex);
        break;
    case TX_ERR_CHECKSUM:
        fail(v, TX_FAILED, _("cached %s %.12s is damaged: run ticsx fetch"), kind_word(kind), hex);
        break;
    default:
        fail(v, TX_FAILED, "%s", tx_fail_msg());
        break;
    }
    return rc;
}

static void
wipe_clear(tx_rec *r)
{
    if (r->bytes != NULL) {
        sodium_memzero(r->bytes, r->len);
    }
    tx_rec_clear(r);
}

#define NONE ((size_t)-1)

/* Questionnaires and requests of the cache, verified once; the verdicts borrow their
 * questionnaires from here (tx_verdicts_free frees it). */
struct tx_verify_store {
    tx_recs recs;
    tx_idmap ids; /* id -> position in recs */
};

static void
store_free(struct tx_verify_store *st)
{
    if (st != NULL) {
        tx_recs_clear(&st->recs);
        tx_idmap_free(&st->ids);
        free(st);
    }
}

/* Positions of records sharing a 32-byte key (the assessment a grant names, the record a sealed
 * assessment supersedes), walked in ascending position order like the scans they replace. */
typedef struct {
    tx_idmap head;
    size_t *next;
} multi;

static int
multi_build(multi *m, const tx_recs *recs, const uint8_t *(*key_of)(const tx_rec *))
{
    m->next = malloc((recs->n ? recs->n : 1) * sizeof *m->next);
    if (m->next == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = recs->n; i-- > 0;) {
        const uint8_t *key = key_of(&recs->v[i]);
        size_t *slot;
        int added;

        m->next[i] = NONE;
        if (key == NULL) {
            continue;
        }
        if ((slot = tx_idmap_put(&m->head, key, i, &added)) == NULL) {
            return TX_ERR_NOMEM;
        }
        if (!added) {
            m->next[i] = *slot;
            *slot = i;
        }
    }
    return TX_OK;
}

static size_t
multi_first(const multi *m, const uint8_t *key)
{
    const size_t *at = tx_idmap_get(&m->head, key);

    return at != NULL ? *at : NONE;
}

static void
multi_free(multi *m)
{
    tx_idmap_free(&m->head);
    free(m->next);
    m->next = NULL;
}

static const uint8_t *
grant_key(const tx_rec *r)
{
    return ((const tx_grant_pb *)r->msg)->assessment.data;
}

static const uint8_t *
revoke_key(const tx_rec *r)
{
    return ((const tx_grant_revoke_pb *)r->msg)->assessment.data;
}

static const uint8_t *
supersedes_key(const tx_rec *r)
{
    const tx_sealed_pb *s = (const tx_sealed_pb *)r->msg;

    return s->supersedes.len == TX_ID_LEN ? s->supersedes.data : NULL;
}

/* Everything verify reads from the cache, each record verified once, with the indexes the
 * checks join on. Read-only while the checks run on the pool. */
typedef struct {
    tx_home *home;
    tx_recs grants, revokes, sealed;
    tx_recs members;       /* member records and removals: people's signatures (tx_signer) */
    tx_recs settings, approvals; /* two officers for grants to new buyers (tx_two_officers) */
    const tx_identity *me; /* who reads the grants: the home's identity, or in a member's home
                              the organisation (reader) */
    tx_identity *reader;
    tx_orgs orgs;
    tx_trust_set ts;
    tx_idmap sealed_ids; /* id -> position in sealed */
    multi grants_of, revokes_of, successors;
    struct tx_verify_store *store;
    size_t unproven, unproven_grants; /* left out: no proof marker (of them, grants to me) */
} cache_view;

static void
view_free(cache_view *cv)
{
    tx_recs_clear(&cv->grants);
    tx_recs_clear(&cv->revokes);
    tx_recs_clear(&cv->sealed);
    tx_recs_clear(&cv->members);
    tx_recs_clear(&cv->settings);
    tx_recs_clear(&cv->approvals);
    tx_identity_destroy(&cv->reader);
    tx_orgs_free(&cv->orgs);
    tx_trust_set_free(&cv->ts);
    tx_idmap_free(&cv->sealed_ids);
    multi_free(&cv->grants_of);
    multi_free(&cv->revokes_of);
    multi_free(&cv->successors);
    store_free(cv->store);
    cv->store = NULL;
}

/* The cached record `id` opened as `kind`, from the records read at the start. One that was not
 * read (absent, damaged, not verifying, of another kind) is read again to say why in v. */
static const tx_rec *
find(const cache_view *cv, const uint8_t *id, int kind, tx_verdict *v, int *rc)
{
    const size_t *at;
    tx_rec r = {0};
    char hex[2 * TX_ID_LEN + 1];

    if (kind == TX_KIND_ASSESSMENT) {
        if ((at = tx_idmap_get(&cv->sealed_ids, id)) != NULL) {
            *rc = TX_OK;
            return &cv->sealed.v[*at];
        }
    } else if ((at = tx_idmap_get(&cv->store->ids, id)) != NULL &&
               cv->store->recs.v[*at].kind == kind) {
        *rc = TX_OK;
        return &cv->store->recs.v[*at];
    }
    *rc = load(cv->home, id, kind, &r, v);
    if (*rc == TX_OK) {
        /* It opens now but did not when the cache was read: changed under us. */
        tx_hex(hex, id, TX_ID_LEN);
        fail(v, TX_FAILED,
             _("cached %s %.12s changed while being verified: run ticsx verify again"),
             kind_word(kind), hex);
        *rc = TX_ERR_CHECKSUM;
    }
    tx_rec_clear(&r);
    return NULL;
}

/* Decrypts the sealed record with the grant's key and opens the inner assessment. `key` is
 * TX_CONTENT_KEY_LEN bytes of sodium_malloc'd memory to hold the content key (wiped after).
 * The same grant decrypted and opened ahead, beside the fetch, gives the same record: taken, not
 * redone (only records that opened are kept there). */
static int
open_inner(const tx_identity *me, const tx_rec *grant, const tx_sealed_pb *s, uint8_t *key,
           tx_rec *inner, tx_verdict *v)
{
    uint8_t *plain = NULL;
    size_t len = 0;
    int rc, step;

    if (tx_verify_ahead_take(me, grant->id, inner)) {
        return TX_OK;
    }
    if ((rc = tx_open_granted(me, (const tx_grant_pb *)grant->msg, s, key, &plain, &len, &step)) !=
        TX_OK) {
        fail(v, TX_FAILED,
             step == 0 ? _("decryption failed: content key not sealed to this buyer")
                       : _("decryption failed: the assessment does not open with the granted key"));
        return rc;
    }
    rc = tx_rec_open(inner, plain, len, TX_KIND_INNER_ASSESSMENT);
    if (rc == TX_ERR_BAD_SIGNATURE) {
        fail(v, TX_FAILED, _("signature does not verify: inner assessment"));
    } else if (rc == TX_ERR_WRONG_TYPE) {
        fail(v, TX_FAILED, _("the sealed content is not an assessment (%s)"),
             inner->env != NULL ? inner->env->payload_type : _("unknown type"));
    } else if (rc != TX_OK) {
        fail(v, TX_FAILED, _("inner assessment is malformed: %s"), tx_codec_detail());
    }
    return rc;
}

/* Notes that the assessment answers another questionnaire than its request asked for. */
static void
note_mismatch(const cache_view *cv, const tx_questionnaire_pb *answered, const uint8_t *requested,
              tx_verdict *v)
{
    const size_t *at = tx_idmap_get(&cv->store->ids, requested);
    const tx_rec *rq = at != NULL ? &cv->store->recs.v[*at] : NULL;
    char hex[2 * TX_ID_LEN + 1];

    v->q_mismatch = 1;
    memcpy(v->q_requested, requested, TX_ID_LEN);
    tx_hex(hex, requested, TX_ID_LEN);
    if (rq != NULL && rq->kind == TX_KIND_QUESTIONNAIRE) {
        const tx_questionnaire_pb *q = (const tx_questionnaire_pb *)rq->msg;
        snprintf(v->q_requested_name, sizeof v->q_requested_name, "%.80s v%u", q->id, q->version);
        snprintf(v->q_mismatch_reason, sizeof v->q_mismatch_reason,
                 _("answers %.80s v%u, but the request asked for %s (%.12s)"), answered->id,
                 answered->version, v->q_requested_name, hex);
    } else {
        snprintf(v->q_mismatch_reason, sizeof v->q_mismatch_reason,
                 _("answers %.80s v%u, but the request asked for questionnaire %.12s"),
                 answered->id, answered->version, hex);
    }
}

/* The organisation `key` acts for through the cached member records, whatever the date: its
 * person's organisation, or itself. For the links between the records of one author. */
static void
org_of(const cache_view *cv, const uint8_t *key, uint8_t org[TX_KEY_LEN])
{
    tx_signer_info si;

    memcpy(org, key, TX_KEY_LEN);
    if (tx_signer_resolve_for(&cv->members, key, 0, cv->home, &si) == TX_OK) {
        memcpy(org, si.org, TX_KEY_LEN);
    }
}

/* True when keys a and b act for the same organisation. */
static int
same_org(const cache_view *cv, const uint8_t *a, const uint8_t *b)
{
    uint8_t oa[TX_KEY_LEN], ob[TX_KEY_LEN];

    if (memcmp(a, b, TX_KEY_LEN) == 0) {
        return 1;
    }
    org_of(cv, a, oa);
    org_of(cv, b, ob);
    return memcmp(oa, ob, TX_KEY_LEN) == 0;
}

/* The author buyers see of `rec`, signed at `at`: its signer's key, or the organisation of the
 * person who signed it (tx_signer), into org, the person's name into member (may be NULL).
 * 0, with the reason in v, when the person did not act for it at that date (removed, expired,
 * named by two organisations) or its role signs nothing for the organisation. */
static int
author_of(const cache_view *cv, const tx_rec *rec, int64_t at, uint8_t org[TX_KEY_LEN],
          char *member, size_t n, tx_verdict *v)
{
    tx_signer_info si;
    char fp[TX_FP_LEN], d[16];
    int rc = tx_signer_resolve_for(&cv->members, tx_rec_signer(rec), at, cv->home, &si);

    memcpy(org, tx_rec_signer(rec), TX_KEY_LEN);
    if (rc == TX_ERR_NOT_FOUND) {
        return 1;
    }
    tx_fingerprint(tx_rec_signer(rec), fp);
    if (rc != TX_OK) {
        fail(v, TX_FAILED, _("signed by %s, whom two organisations name as their member"), fp);
        return 0;
    }
    memcpy(org, si.org, TX_KEY_LEN);
    if (member != NULL) {
        snprintf(member, n, "%s", si.name);
    }
    if (si.reenrolled && !tx_key_accepted(cv->home, si.key)) {
        const tx_key_reenrolment_pb *e = (const tx_key_reenrolment_pb *)si.record->msg;
        char org_fp[TX_FP_LEN];

        tx_format_date(d, sizeof d, e->effective);
        tx_fingerprint(si.org, org_fp);
        fail(v, TX_FAILED,
             _("signed by %s, which the hub operator re-enrolled for %s on %s (corporate number "
               "%s checked): not accepted here; after checking with the organisation, run ticsx "
               "key accept %s"),
             fp, org_fp, d, e->corporate_number, fp);
        return 0;
    }
    if (tx_signer_compromised(&si, at, rec->index)) {
        tx_format_date(d, sizeof d, si.revoked_from);
        fail(v, TX_FAILED,
             _("signed by %s, a key its organisation reported lost from %s (or at log index "
               "%llu): %s"),
             fp, d, (unsigned long long)si.revoked_index, si.revoked_reason);
        return 0;
    }
    tx_format_date(d, sizeof d, at);
    if (!si.acts && si.is_key) {
        fail(v, TX_FAILED,
             _("signed on %s by %s, a key of the organisation that was not in force then (a "
               "successor replaced it, or its own took effect later)"),
             d, fp);
        return 0;
    }
    if (!si.acts) {
        fail(v, TX_FAILED, _("signed by member %s (%s), who was removed or not valid on %s"),
             si.name, fp, d);
        return 0;
    }
    if (si.role != TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER &&
        si.role != TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN) {
        fail(v, TX_FAILED,
             _("signed by member %s (%s), a %s: only officers and admins sign for the "
               "organisation"),
             si.name, fp, _(tx_signer_role_name(si.role)));
        return 0;
    }
    return 1;
}

/* True when rec (signed at `at`) is by the author v names, directly or through a person of it
 * who could sign for it then; v's reason says why not. */
static int
by_author(const cache_view *cv, const tx_rec *rec, int64_t at, tx_verdict *v)
{
    uint8_t org[TX_KEY_LEN];

    return author_of(cv, rec, at, org, NULL, 0, v) && memcmp(org, v->supplier, TX_KEY_LEN) == 0;
}

/* True when record a came after b: by sequence number when one key signed both (its own
 * counter), else (two people of one organisation, or a person and the organisation's key:
 * counters of their own) by their indices in the hub's log, which fetch proved. */
static int
later(const tx_rec *a, const tx_rec *b)
{
    if (memcmp(tx_rec_signer(a), tx_rec_signer(b), TX_KEY_LEN) == 0 || a->index == 0 ||
        b->index == 0) {
        return tx_kind_seq(a->kind, a->msg) > tx_kind_seq(b->kind, b->msg);
    }
    return a->index > b->index;
}

/* The newest revocation by the grant's author of this organisation's access to the grant's
 * assessment that is newer than the grant (a later grant restores access), or NULL. */
static const tx_rec *
revoked_by(const cache_view *cv, const tx_rec *grant, const uint8_t *me)
{
    const tx_grant_pb *g = (const tx_grant_pb *)grant->msg;
    const tx_rec *found = NULL;

    for (size_t i = multi_first(&cv->revokes_of, g->assessment.data); i != NONE;
         i = cv->revokes_of.next[i]) {
        const tx_rec *r = &cv->revokes.v[i];
        const tx_grant_revoke_pb *rp = (const tx_grant_revoke_pb *)r->msg;

        if (same_org(cv, tx_rec_signer(r), tx_rec_signer(grant)) &&
            memcmp(rp->assessment.data, g->assessment.data, TX_ID_LEN) == 0 &&
            memcmp(rp->grantee.data, me, TX_KEY_LEN) == 0 && later(r, grant) &&
            (found == NULL || later(r, found))) {
            found = r;
        }
    }
    return found;
}

/* Under its organisation's setting, a grant to a buyer new to the organisation counts only
 * with a second officer's approval (tx_two_officers): a hub serving it without one is caught. */
static int
second_officer_ok(const cache_view *cv, const tx_rec *grant, tx_verdict *v)
{
    tx_two_records r = {&cv->settings, &cv->approvals, &cv->grants, &cv->members};

    if (tx_two_officers_state(&r, grant, v->supplier, NULL) != TX_TWO_WAITING) {
        return 1;
    }
    fail(v, TX_FAILED,
         _("granted by one officer only: the supplier requires a second officer's approval of "
           "grants to buyers new to it, and no approval of this grant verifies"));
    return 0;
}

/* Who may sign the verdict's evidence chunks: its supplier, and every person a member record
 * the supplier signed names (a file's bytes are bound by the hash in the signed assessment; a
 * responder sends the files of a draft an officer approves). */
static int
chunk_signers(const cache_view *cv, tx_verdict *v)
{
    size_t n = 1;

    if ((v->chunk_signers = calloc(cv->members.n + 1, TX_KEY_LEN)) == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(v->chunk_signers[0], v->supplier, TX_KEY_LEN);
    for (size_t i = 0; i < cv->members.n; i++) {
        const tx_member_pb *m = (const tx_member_pb *)cv->members.v[i].msg;

        if (cv->members.v[i].kind == TX_KIND_MEMBER &&
            memcmp(tx_rec_signer(&cv->members.v[i]), v->supplier, TX_KEY_LEN) == 0 &&
            m->organisation.len == TX_KEY_LEN &&
            memcmp(m->organisation.data, v->supplier, TX_KEY_LEN) == 0 &&
            m->signing_key.len == TX_KEY_LEN) {
            memcpy(v->chunk_signers[n++], m->signing_key.data, TX_KEY_LEN);
        }
    }
    v->n_chunk_signers = n;
    return TX_OK;
}

static void
check(const cache_view *cv, const tx_rec *grant, uint8_t *key, tx_verdict *v)
{
    tx_home *home = cv->home;
    const tx_identity *me = cv->me;
    const tx_grant_pb *g = (const tx_grant_pb *)grant->msg;
    const tx_rec *revoke, *sealed, *qrec, *req;
    const tx_org *o;
    tx_rec inner = {0};
    const tx_sealed_pb *s;
    const tx_assessment_pb *a;
    tx_score score;
    char d[16], why[512];
    int64_t now = tx_now();
    int rc, signed_ok;

    memcpy(v->assessment, g->assessment.data, TX_ID_LEN);
    memcpy(v->grant, grant->id, TX_ID_LEN);
    signed_ok = author_of(cv, grant, g->meta->created, v->supplier, v->member_name,
                          sizeof v->member_name, v);
    tx_fingerprint(v->supplier, v->supplier_fp);
    o = tx_orgs_by_key(&cv->orgs, v->supplier);
    snprintf(v->supplier_name, sizeof v->supplier_name, "%s", o != NULL ? o->name : "");
    snprintf(v->supplier_corp, sizeof v->supplier_corp, "%s", o != NULL ? o->corporate_number : "");
    if (g->request.len == TX_ID_LEN) {
        v->has_request = 1;
        memcpy(v->request, g->request.data, TX_ID_LEN);
    }
    if (!signed_ok) {
        goto out;
    }
    if (memcmp(g->grantee.data, me->pub.sign, TX_KEY_LEN) != 0) {
        char fp[TX_FP_LEN];
        /* Passed on by its grantee, it cannot be read here either: the key is sealed to it. */
        int opens = tx_open_key(me, g->sealed_key.data, key) == TX_OK;
        sodium_memzero(key, TX_CONTENT_KEY_LEN);
        tx_fingerprint(g->grantee.data, fp);
        fail(v, TX_FAILED,
             opens ? _("not granted to this organisation: the grant names %s")
                   : _("not granted to this organisation: the grant names %s, and its content key "
                       "is not sealed to this buyer"),
             fp);
        goto out;
    }
    if (!second_officer_ok(cv, grant, v)) {
        goto out;
    }
    if ((revoke = revoked_by(cv, grant, me->pub.sign)) != NULL) {
        tx_format_date(d, sizeof d, ((const tx_grant_revoke_pb *)revoke->msg)->meta->created);
        fail(v, TX_REVOKED, _("revoked by the supplier on %s"), d);
        goto out;
    }
    if (g->until != 0 && g->until < now) {
        tx_format_date(d, sizeof d, g->until);
        fail(v, TX_EXPIRED, _("the grant expired on %s"), d);
        goto out;
    }
    if ((sealed = find(cv, g->assessment.data, TX_KIND_ASSESSMENT, v, &rc)) == NULL) {
        goto out;
    }
    s = (const tx_sealed_pb *)sealed->msg;
    v->seq = s->meta->seq;
    memcpy(v->questionnaire, s->questionnaire.data, TX_ID_LEN);
    if (s->supersedes.len == TX_ID_LEN) {
        v->has_supersedes = 1;
        memcpy(v->supersedes, s->supersedes.data, TX_ID_LEN);
    }
    if (!by_author(cv, sealed, s->meta->created, v)) {
        if (v->status != TX_FAILED) {
            fail(v, TX_FAILED, _("the grant is not signed by the assessment's author"));
        }
        goto out;
    }
    if (open_inner(me, grant, s, key, &inner, v) != TX_OK) {
        goto out;
    }
    a = (const tx_assessment_pb *)inner.msg;
    v->has_content = 1;
    memcpy(v->content, inner.id, TX_ID_LEN);
    v->as_of = a->as_of;
    v->valid_until = a->valid_until;
    if (!same_org(cv, tx_rec_signer(&inner), tx_rec_signer(sealed)) ||
        !by_author(cv, &inner, a->meta->created, v)) {
        if (v->status != TX_FAILED) {
            fail(v, TX_FAILED,
                 _("the inner assessment is signed by another key than its sealed record"));
        }
        goto out;
    }
    if (memcmp(a->questionnaire.data, s->questionnaire.data, TX_ID_LEN) != 0) {
        fail(v, TX_FAILED,
             _("the inner assessment names another questionnaire than its sealed "
               "record"));
        goto out;
    }
    if ((qrec = find(cv, s->questionnaire.data, TX_KIND_QUESTIONNAIRE, v, &rc)) == NULL) {
        goto out;
    }
    if (v->has_request) {
        const tx_request_pb *r;
        req = find(cv, v->request, TX_KIND_REQUEST, v, &rc);
        if (rc == TX_ERR_NOT_FOUND) {
            /* fetch gets every request a grant names; the hub shows only one's own. */
            fail(v, TX_FAILED,
                 _("the grant names a request this organisation did not make (or "
                   "did not fetch)"));
        }
        if (req == NULL) {
            goto out;
        }
        r = (const tx_request_pb *)req->msg;
        if (!same_org(cv, tx_rec_signer(req), me->pub.sign)) {
            fail(v, TX_FAILED, _("the grant names a request this organisation did not make"));
            goto out;
        }
        if (memcmp(r->questionnaire.data, s->questionnaire.data, TX_ID_LEN) != 0) {
            /* Authentic, but not what was asked: reported beside the verdict. */
            note_mismatch(cv, (const tx_questionnaire_pb *)qrec->msg, r->questionnaire.data, v);
        }
    }
    if (tx_score_compute((const tx_questionnaire_pb *)qrec->msg, a->answers, a->n_answers,
                         &score) != TX_OK) {
        fail(v, TX_FAILED, _("answers do not fit the questionnaire: %s"), tx_fail_msg());
        goto out;
    }
    tx_score_free(&score);
    if (tx_plan_check((const tx_questionnaire_pb *)qrec->msg, a, why, sizeof why) != TX_OK) {
        fail(v, TX_FAILED, _("inner assessment is malformed: %s"), why);
        goto out;
    }
    v->cert_checked = 1;
    tx_cert_evaluate(&cv->ts, a->certificate.len == TX_ID_LEN ? a->certificate.data : NULL,
                     v->supplier, a->as_of, &v->cert, &v->cert_as_of);
    tx_cert_evaluate(&cv->ts, a->certificate.len == TX_ID_LEN ? a->certificate.data : NULL,
                     v->supplier, now, NULL, &v->cert_now);
    if (a->as_of > now) {
        tx_format_date(d, sizeof d, a->as_of);
        fail(v, TX_FAILED, _("its as-of date %s is in the future"), d);
    } else if (a->valid_until < now) {
        tx_format_date(d, sizeof d, a->valid_until);
        fail(v, TX_EXPIRED, _("validity ended on %s"), d);
    } else {
        v->status = TX_VERIFIED;
    }
    /* Keep what the report needs: the questionnaire (shared by every verdict that answers it,
     * held by the verdicts' store) and the answers. */
    v->q = (tx_questionnaire_pb *)qrec->msg;
    v->inner = (tx_assessment_pb *)inner.msg;
    inner.msg = NULL;
    /* Its files, from the cache (a failure to allocate leaves them unlisted). */
    if (chunk_signers(cv, v) != TX_OK ||
        tx_evidence_check_all(home, v->inner, (const uint8_t(*)[TX_KEY_LEN])v->chunk_signers,
                              v->n_chunk_signers, &v->evidence, &v->n_evidence) != TX_OK) {
        v->n_evidence = 0;
    }
out:
    wipe_clear(&inner);
}

/* One cached record read, hash-checked and opened on the pool. */
typedef struct {
    uint8_t id[TX_ID_LEN];
    tx_rec rec;
    int rc;
    int unproven; /* not proven in a checkpoint this home accepted: left out */
    char why[256];
} cached;

typedef struct {
    tx_home *home;
    cached *c;
    int kept; /* the fetch of this process left opened records, and the cache as it wrote it */
} read_job;

/* A large evidence chunk, told by the envelope's type only (nothing else believed), so that
 * the whole cache's read does not verify the signatures of file pieces. */
static int
is_chunk(const uint8_t *bytes, size_t len)
{
    tx_envelope_pb *e = NULL;
    int yes = 0;

    if (len > 4096) {
        if (tx_decode_envelope(bytes, len, &e) == TX_OK) {
            yes = tx_kind_from_payload_type(e->payload_type) == TX_KIND_EVIDENCE_CHUNK;
        }
        tx_free(e);
    }
    return yes;
}

static void
read_one(void *ctx, size_t i)
{
    read_job *j = ctx;
    cached *c = &j->c[i];
    uint8_t *bytes;
    size_t len;
    int kind;

    if (j->kept && tx_cache_kept_take(c->id, &c->rec)) {
        return; /* stored and proved by this process's fetch, opened as below */
    }
    if ((c->rc = tx_home_cache_read(j->home, c->id, &bytes, &len)) != TX_OK) {
        snprintf(c->why, sizeof c->why, "%s", tx_fail_msg());
        return;
    }
    if (is_chunk(bytes, len)) {
        free(bytes); /* read per file by tx_evidence_check, not here */
        return;
    }
    if ((c->rc = tx_rec_open_known(&c->rec, bytes, len, TX_KIND_NONE, c->id)) != TX_OK) {
        snprintf(c->why, sizeof c->why, "%s", tx_fail_msg());
        tx_rec_clear(&c->rec);
        return;
    }
    kind = tx_kind_from_payload_type(c->rec.env->payload_type);
    if (kind == TX_KIND_EVIDENCE_CHUNK) {
        tx_rec_clear(&c->rec); /* a small one: as above */
        return;
    }
    if (tx_kind_is_stored(kind) && tx_decode_payload(c->rec.env, kind, &c->rec.msg) == TX_OK) {
        uint64_t index, size;

        c->rec.kind = kind;
        /* Only what a fetch proved in the hub's signed log is used. */
        if (tx_home_proof_get(j->home, c->id, &index, &size) != TX_OK) {
            tx_fail_clear();
            c->unproven = 1;
        } else {
            c->rec.index = index; /* orders the records of one organisation's people */
        }
    } else {
        tx_rec_clear(&c->rec); /* of no use here: not kept */
    }
}

/* Reads the whole cache once: every record hash-checked and verified (on the pool), then
 * sorted by kind into cv in the cache's listing order; damaged ones are named and skipped. */
static int
load_cache(tx_home *home, cache_view *cv)
{
    uint8_t(*ids)[TX_ID_LEN] = NULL;
    tx_recs profiles = {0};
    cached *c = NULL;
    size_t n = 0;
    uint64_t gen; /* the cache's generation the listing was read at */
    int rc, kept;

    cv->home = home;
    if ((cv->store = calloc(1, sizeof *cv->store)) == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((rc = tx_trust_set_load_pinned(home, &cv->ts)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_home_cache_list_gen(home, &ids, &n, &gen)) != TX_OK) {
        tx_cache_kept_drop();
        return rc;
    }
    kept = tx_cache_kept_open(home, gen);
    /* The buyer's acceptance policy says how late a periodic report may be (0: not at all). */
    cv->ts.report_grace_days = tx_policy_report_grace(home);
    if ((c = calloc(n ? n : 1, sizeof *c)) == NULL) {
        free(ids);
        tx_cache_kept_drop();
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(c[i].id, ids[i], TX_ID_LEN);
    }
    free(ids);
    {
        read_job j = {home, c, kept};
        tx_pool_for(n, read_one, &j);
    }
    tx_cache_kept_drop(); /* what was not taken is not cached any more: not used */
    for (size_t i = 0; i < n; i++) {
        tx_rec *r = &c[i].rec;
        char hex[2 * TX_ID_LEN + 1];

        if (c[i].rc != TX_OK) {
            tx_hex(hex, c[i].id, TX_ID_LEN);
            tx_warn(_("skipping cached record %.12s: %s"), hex, c[i].why);
            continue;
        }
        if (rc != TX_OK || r->env == NULL) {
            tx_rec_clear(r);
            continue;
        }
        if (c[i].unproven) {
            cv->unproven++;
            cv->unproven_grants += r->kind == TX_KIND_GRANT &&
                                   memcmp(((const tx_grant_pb *)r->msg)->grantee.data,
                                          tx_home_identity(home)->pub.sign, TX_KEY_LEN) == 0;
            tx_rec_clear(r);
            continue;
        }
        switch (r->kind) {
        case TX_KIND_GRANT:
            rc = tx_recs_push(&cv->grants, r);
            break;
        case TX_KIND_GRANT_REVOKE:
            rc = tx_recs_push(&cv->revokes, r);
            break;
        case TX_KIND_ASSESSMENT:
            if (tx_idmap_put(&cv->sealed_ids, r->id, cv->sealed.n, NULL) == NULL) {
                rc = TX_ERR_NOMEM;
                break;
            }
            rc = tx_recs_push(&cv->sealed, r);
            break;
        case TX_KIND_PROFILE:
            rc = tx_recs_push(&profiles, r);
            break;
        case TX_KIND_MEMBER:
        case TX_KIND_MEMBER_REMOVE:
        case TX_KIND_KEY_SUCCESSOR:
        case TX_KIND_KEY_REVOCATION:
        case TX_KIND_KEY_REENROLMENT:
            rc = tx_recs_push(&cv->members, r);
            break;
        case TX_KIND_ORG_SETTINGS:
            rc = tx_recs_push(&cv->settings, r);
            break;
        case TX_KIND_GRANT_APPROVAL:
            rc = tx_recs_push(&cv->approvals, r);
            break;
        case TX_KIND_QUESTIONNAIRE:
        case TX_KIND_REQUEST:
            if (tx_idmap_put(&cv->store->ids, r->id, cv->store->recs.n, NULL) == NULL) {
                rc = TX_ERR_NOMEM;
                break;
            }
            rc = tx_recs_push(&cv->store->recs, r);
            break;
        default:
            rc = tx_trust_set_take(&cv->ts, r);
            break;
        }
        tx_rec_clear(r);
    }
    free(c);
    if (cv->unproven > 0) {
        tx_warn("%zu cached record%s (%zu grant%s to this organisation) %s not proven in the "
                "hub's signed log and %s left out: run `ticsx fetch`",
                cv->unproven, cv->unproven == 1 ? "" : "s", cv->unproven_grants,
                cv->unproven_grants == 1 ? "" : "s", cv->unproven == 1 ? "is" : "are",
                cv->unproven == 1 ? "is" : "are");
    }
    /* Names for the verdicts and for the certificate judgements alike. */
    if (rc == TX_OK && (rc = tx_orgs_add(&cv->orgs, &profiles)) == TX_OK) {
        rc = tx_orgs_add(&cv->ts.orgs, &profiles);
    }
    tx_recs_clear(&profiles);
    if (rc == TX_OK && (rc = multi_build(&cv->grants_of, &cv->grants, grant_key)) == TX_OK &&
        (rc = multi_build(&cv->revokes_of, &cv->revokes, revoke_key)) == TX_OK) {
        rc = multi_build(&cv->successors, &cv->sealed, supersedes_key);
    }
    tx_fail_clear();
    return rc;
}

/* The sealed record of v's author that replaces `id`, or NULL; the newest if several do. */
static const tx_rec *
successor(const cache_view *cv, const uint8_t *author, const uint8_t *id)
{
    const tx_rec *found = NULL;

    for (size_t i = multi_first(&cv->successors, id); i != NONE; i = cv->successors.next[i]) {
        const tx_rec *r = &cv->sealed.v[i];
        const tx_sealed_pb *s = (const tx_sealed_pb *)r->msg;

        if (s->supersedes.len == TX_ID_LEN && memcmp(s->supersedes.data, id, TX_ID_LEN) == 0 &&
            same_org(cv, tx_rec_signer(r), author) && (found == NULL || later(r, found))) {
            found = r;
        }
    }
    return found;
}

/* True if a cached grant of `id` by `author` to `me` stands (not revoked, not ended). */
static int
granted(const cache_view *cv, const uint8_t *author, const uint8_t *me, const uint8_t *id)
{
    int64_t now = tx_now();

    for (size_t i = multi_first(&cv->grants_of, id); i != NONE; i = cv->grants_of.next[i]) {
        const tx_rec *g = &cv->grants.v[i];
        const tx_grant_pb *gp = (const tx_grant_pb *)g->msg;

        if (memcmp(gp->assessment.data, id, TX_ID_LEN) == 0 &&
            memcmp(gp->grantee.data, me, TX_KEY_LEN) == 0 &&
            same_org(cv, tx_rec_signer(g), author) && revoked_by(cv, g, me) == NULL &&
            (gp->until == 0 || gp->until >= now)) {
            return 1;
        }
    }
    return 0;
}

/* Follows the supersede chain from v's assessment (records signed by its author, as cached) to
 * its newest record, and says whether a newer one is granted to this organisation. `first`
 * maps an assessment id to its first verdict. */
static void
note_superseded(const cache_view *cv, const uint8_t *me, const tx_verdicts *vs,
                const tx_idmap *first, tx_verdict *v)
{
    const tx_rec *next = successor(cv, v->supplier, v->assessment), *last = NULL;
    const tx_rec *shared = NULL;
    const tx_verdict *nv;
    const size_t *at;
    char hex[2 * TX_ID_LEN + 1], d[16];

    /* Bounded: signed records cannot form a loop (each names an earlier id), but stay safe. */
    for (size_t hops = 0; next != NULL && hops <= cv->sealed.n; hops++) {
        last = next;
        if (granted(cv, v->supplier, me, next->id)) {
            shared = next;
        }
        next = successor(cv, v->supplier, next->id);
    }
    if (last == NULL) {
        return;
    }
    v->superseded = 1;
    memcpy(v->superseded_by, last->id, TX_ID_LEN);
    v->superseded_on = ((const tx_sealed_pb *)last->msg)->meta->created;
    v->newest_judged = tx_idmap_get(first, last->id) != NULL;
    if (v->status == TX_VERIFIED) {
        /* One judgement for verify and report: it verified, but it is not current. */
        tx_hex(hex, last->id, TX_ID_LEN);
        tx_format_date(d, sizeof d, v->superseded_on);
        v->status = TX_SUPERSEDED;
        if (v->supplier_name[0]) {
            snprintf(v->reason, sizeof v->reason,
                     _("superseded by %.12s (signed by %.100s %s, %s)"), hex, v->supplier_name,
                     v->supplier_fp, d);
        } else {
            snprintf(v->reason, sizeof v->reason,
                     _("superseded by %.12s (signed by the supplier %s, %s)"), hex, v->supplier_fp,
                     d);
        }
    }
    if (shared != NULL) {
        v->newer_shared = 1;
        tx_hex(hex, shared->id, TX_ID_LEN);
        at = tx_idmap_get(first, shared->id);
        nv = at != NULL ? &vs->v[*at] : NULL;
        if (nv == NULL) {
            snprintf(v->notice, sizeof v->notice, _("newer assessment available: %.12s"), hex);
        } else if (nv->status == TX_VERIFIED || nv->status == TX_SUPERSEDED) {
            snprintf(v->notice, sizeof v->notice, _("newer assessment available: %.12s (verified)"),
                     hex);
        } else {
            snprintf(v->notice, sizeof v->notice,
                     _("newer assessment available: %.12s (%s: %.120s)"), hex,
                     verdict_word(nv->status), nv->reason);
        }
        return;
    }
    tx_hex(hex, last->id, TX_ID_LEN);
    tx_format_date(d, sizeof d, v->superseded_on);
    snprintf(v->notice, sizeof v->notice,
             _("superseded by a newer assessment not shared with you (%.12s, %s)"), hex, d);
}

static uint64_t
grant_seq(const tx_rec *g)
{
    return ((const tx_grant_pb *)g->msg)->meta->seq;
}

typedef struct {
    const cache_view *cv;
    const tx_rec **pick;
    tx_verdict *v;
    uint8_t *keys; /* one content key slot per verdict, in one sodium_malloc'd block */
} check_job;

static void
check_one(void *ctx, size_t k)
{
    check_job *j = ctx;

    check(j->cv, j->pick[k], j->keys + k * TX_CONTENT_KEY_LEN, &j->v[k]);
}

/* The acceptance policy the report applies, the same version whose grace days judge the
 * certificates (tx_policy_report_grace). */
static int
load_policy(tx_home *home, tx_verdicts *out)
{
    tx_policy p;
    int found, rc = tx_policy_selected(home, &p, &found);

    if (rc != TX_OK || !found) {
        return rc;
    }
    if ((out->policy = malloc(sizeof *out->policy)) == NULL) {
        return TX_ERR_NOMEM;
    }
    *out->policy = p;
    return TX_OK;
}

int
tx_verify_all(tx_home *home, const char *only, tx_verdicts *out)
{
    const uint8_t *me;
    cache_view cv;
    tx_idmap picked = {0}, first = {0}; /* assessment -> pick; assessment -> first verdict */
    const tx_rec **pick = NULL;         /* chosen grant per assessment */
    size_t n_pick = 0;
    const uint8_t *target = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    memset(&cv, 0, sizeof cv);
    if ((rc = load_policy(home, out)) != TX_OK) {
        goto out;
    }
    if ((rc = load_cache(home, &cv)) != TX_OK ||
        (rc = tx_signer_reader(home, &cv.members, &cv.reader)) != TX_OK) {
        goto out;
    }
    cv.me = cv.reader != NULL ? cv.reader : tx_home_identity(home);
    me = cv.me->pub.sign;
    pick = calloc(cv.grants.n ? cv.grants.n : 1, sizeof *pick);
    if (pick == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < cv.grants.n; i++) {
        const tx_rec *g = &cv.grants.v[i];
        const tx_grant_pb *gp = (const tx_grant_pb *)g->msg;
        int to_me = memcmp(gp->grantee.data, me, TX_KEY_LEN) == 0;
        size_t *at;
        int added;

        if (only != NULL) {
            char hex[2 * TX_ID_LEN + 1];
            tx_hex(hex, gp->assessment.data, TX_ID_LEN);
            if (strncasecmp(hex, only, strlen(only)) != 0) {
                continue;
            }
            if (target != NULL && memcmp(target, gp->assessment.data, TX_ID_LEN) != 0) {
                rc = tx_fail(TX_ERR_USAGE, "assessment %s is ambiguous: give more digits", only);
                goto out;
            }
            target = gp->assessment.data;
        } else if (!to_me) {
            continue;
        }
        if ((at = tx_idmap_put(&picked, gp->assessment.data, n_pick, &added)) == NULL) {
            rc = TX_ERR_NOMEM;
            goto out;
        }
        if (added) {
            pick[n_pick++] = g;
            continue;
        }
        /* Prefer a grant to this organisation, then the newest. */
        const tx_grant_pb *cur = (const tx_grant_pb *)pick[*at]->msg;
        int p_to_me = memcmp(cur->grantee.data, me, TX_KEY_LEN) == 0;
        if ((to_me && !p_to_me) || (to_me == p_to_me && grant_seq(g) > grant_seq(pick[*at]))) {
            pick[*at] = g;
        }
    }
    if (only != NULL && n_pick == 0) {
        rc = tx_fail(TX_ERR_NOT_FOUND,
                     "assessment %s has not been granted to this organisation (or not fetched: "
                     "run ticsx fetch)",
                     only);
        goto out;
    }
    out->v = calloc(n_pick ? n_pick : 1, sizeof *out->v);
    if (out->v == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    /* Each assessment is judged on its own: decryption and signatures on every core. */
    {
        /* One guarded allocation for every key, not one mapping (and TLB flush) per verdict. */
        check_job j = {&cv, pick, out->v, sodium_malloc((n_pick ? n_pick : 1) * TX_CONTENT_KEY_LEN)};
        if (j.keys == NULL) {
            rc = TX_ERR_NOMEM;
            goto out;
        }
        tx_pool_for(n_pick, check_one, &j);
        out->n = n_pick;
        sodium_free(j.keys);
    }
    for (size_t k = 0; k < out->n; k++) {
        if (tx_idmap_put(&first, out->v[k].assessment, k, NULL) == NULL) {
            rc = TX_ERR_NOMEM;
            goto out;
        }
    }
    for (size_t k = 0; k < out->n; k++) {
        note_superseded(&cv, me, out, &first, &out->v[k]);
    }
    out->unproven = cv.unproven_grants;
    /* The credentials, once every verdict (and its evidence files) is judged. */
    if ((rc = tx_cred_judge_all(home, &cv.ts, out)) != TX_OK) {
        goto out;
    }
    /* The verdicts borrow their questionnaires from the store. */
    out->store = cv.store;
    cv.store = NULL;
    tx_fail_clear();
out:
    free(pick);
    tx_idmap_free(&picked);
    tx_idmap_free(&first);
    view_free(&cv);
    return rc;
}

/* An evidence file that does not match its signed description (missing is not counted: it
 * may simply not be fetched yet). */
static int
evidence_mismatch(const tx_verdict *v)
{
    for (size_t i = 0; i < v->n_evidence; i++) {
        if (v->evidence[i].status == TX_EVIDENCE_MISMATCH) {
            return 1;
        }
    }
    return 0;
}

unsigned
tx_verdicts_plan_days(const tx_verdicts *vs)
{
    if (vs->policy != NULL && vs->policy->rules.plan_days >= 0) {
        return (unsigned)vs->policy->rules.plan_days;
    }
    return TX_PLAN_DAYS_DEFAULT;
}

size_t
tx_verify_failures(const tx_verdicts *vs)
{
    size_t n = vs->unproven;

    for (size_t i = 0; i < vs->n; i++) {
        const tx_verdict *v = &vs->v[i];
        if (v->status == TX_SUPERSEDED && v->newest_judged) {
            continue;
        }
        n += v->status != TX_VERIFIED ||
             (v->cert_checked && (tx_cert_status_problem(v->cert_as_of.status) ||
                                  tx_cert_status_problem(v->cert_now.status))) ||
             tx_cred_problems(v->creds, v->n_creds) > 0 || evidence_mismatch(v);
    }
    return n;
}

const tx_cert_state *
tx_verdict_cert_state(const tx_verdict *v)
{
    if (!tx_cert_status_problem(v->cert_now.status) &&
        tx_cert_status_problem(v->cert_as_of.status)) {
        return &v->cert_as_of;
    }
    return &v->cert_now;
}

json_t *
tx_verdict_cert_json(const tx_verdict *v)
{
    return v->cert_checked ? tx_cert_json(&v->cert, &v->cert_as_of, &v->cert_now) : json_null();
}

json_t *
tx_verdict_superseded_json(const tx_verdict *v)
{
    char hex[2 * TX_ID_LEN + 1], d[16];

    if (!v->superseded) {
        return json_null();
    }
    tx_hex(hex, v->superseded_by, TX_ID_LEN);
    tx_format_date(d, sizeof d, v->superseded_on);
    return json_pack("{s:s,s:s,s:b,s:s}", "assessment", hex, "date", d, "shared",
                     v->newer_shared, "notice", v->notice);
}

json_t *
tx_verdict_mismatch_json(const tx_verdict *v)
{
    char hex[2 * TX_ID_LEN + 1];

    if (!v->q_mismatch) {
        return json_null();
    }
    tx_hex(hex, v->q_requested, TX_ID_LEN);
    return json_pack("{s:s,s:{s:s,s:o}}", "reason", v->q_mismatch_reason, "requested", "record",
                     hex, "name",
                     v->q_requested_name[0] ? json_string(v->q_requested_name) : json_null());
}

void
tx_verdicts_free(tx_verdicts *vs)
{
    for (size_t i = 0; i < vs->n; i++) {
        tx_free(vs->v[i].inner);
        free(vs->v[i].creds);
        free(vs->v[i].chunk_signers);
        tx_evidence_results_free(vs->v[i].evidence, vs->v[i].n_evidence);
    }
    free(vs->v);
    vs->v = NULL;
    vs->n = 0;
    store_free(vs->store);
    vs->store = NULL;
    free(vs->policy);
    vs->policy = NULL;
}

/* The sub-suppliers the assessment lists (read from inside it): [{"name","supplies","key",
 * "fingerprint"}], keys null when not given; null when it was not decrypted. */
static json_t *
sub_suppliers_json(const tx_verdict *v)
{
    json_t *arr;

    if (v->inner == NULL) {
        return json_null();
    }
    arr = json_array();
    for (size_t i = 0; i < v->inner->n_suppliers; i++) {
        const tx_sub_supplier_pb *s = v->inner->suppliers[i];
        int keyed = s->key.len == TX_KEY_LEN;
        char fp[TX_FP_LEN];

        if (keyed) {
            tx_fingerprint(s->key.data, fp);
        }
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:o,s:o}", "name", s->name, "supplies", s->supplies, "key",
                           keyed ? tx_json_hex(s->key.data, TX_KEY_LEN) : json_null(),
                           "fingerprint", keyed ? json_string(fp) : json_null()));
    }
    return arr;
}

int
tx_verify_print(FILE *f, const tx_verdicts *vs, int json, int quiet)
{
    char hex[2 * TX_ID_LEN + 1];

    if (json) {
        json_t *arr = json_array();
        json_t *root = json_pack("{s:o}", "assessments", arr);
        int rc;
        for (size_t i = 0; i < vs->n; i++) {
            const tx_verdict *v = &vs->v[i];
            json_array_append_new(
                arr, json_pack("{s:o,s:o,s:{s:s,s:s,s:o},s:s,s:o,s:o,s:o,s:o,s:o}", "assessment",
                               tx_json_hex(v->assessment, TX_ID_LEN), "grant",
                               tx_json_hex(v->grant, TX_ID_LEN), "supplier", "name",
                               v->supplier_name, "fingerprint", v->supplier_fp, "key",
                               tx_json_hex(v->supplier, TX_KEY_LEN), "status",
                               tx_verdict_name(v->status), "reason",
                               v->status == TX_VERIFIED ? json_null() : json_string(v->reason),
                               "as_of", tx_json_date(v->as_of), "valid_until",
                               tx_json_date(v->valid_until), "questionnaire",
                               v->seq != 0 ? tx_json_hex(v->questionnaire, TX_ID_LEN) : json_null(),
                               "request",
                               v->has_request ? tx_json_hex(v->request, TX_ID_LEN) : json_null()));
            json_t *last = json_array_get(arr, json_array_size(arr) - 1);
            /* The questionnaire's own id and version, once its record verified. */
            json_object_set_new(last, "questionnaire_id",
                                v->q != NULL ? json_string(v->q->id) : json_null());
            json_object_set_new(last, "questionnaire_version",
                                v->q != NULL ? json_integer(v->q->version) : json_null());
            json_object_set_new(last, "questionnaire_mismatch", tx_verdict_mismatch_json(v));
            json_object_set_new(last, "superseded_by", tx_verdict_superseded_json(v));
            json_object_set_new(last, "content",
                                v->has_content ? tx_json_hex(v->content, TX_ID_LEN) : json_null());
            /* The person of the supplier who signed the grant (its member record's name). */
            json_object_set_new(last, "signed_by_member",
                                v->member_name[0] ? json_string(v->member_name) : json_null());
            json_object_set_new(last, "sub_suppliers", sub_suppliers_json(v));
            json_object_set_new(last, "certificate", tx_verdict_cert_json(v));
            json_object_set_new(last, "credentials", tx_cred_json(v->creds, v->n_creds));
            json_object_set_new(last, "evidence", tx_evidence_json(v->evidence, v->n_evidence));
            json_object_set_new(last, "plans",
                                tx_plan_json(v->status != TX_FAILED ? v->inner : NULL, tx_now(),
                                             tx_verdicts_plan_days(vs)));
        }
        rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', f);
        json_decref(root);
        return rc == 0 ? TX_OK : tx_fail(TX_ERR_IO, "cannot write the result: check the output");
    }
    if (!quiet && vs->n == 0) {
        fputs(_("no assessments granted to this organisation in the cache: run ticsx fetch\n"), f);
        return TX_OK;
    }
    if (!quiet) {
        /* TRANSLATORS: verify table headers; columns of 12 and 22 characters. */
        tx_put_cell(f, _("ASSESSMENT"), 12);
        fputs("  ", f);
        tx_put_cell(f, _("SUPPLIER"), 22);
        fprintf(f, "  %s\n", _("VERDICT"));
    }
    for (size_t i = 0; i < vs->n; i++) {
        const tx_verdict *v = &vs->v[i];
        char line[512], a[16], u[16];

        tx_hex(hex, v->assessment, TX_ID_LEN);
        if (quiet) {
            if (v->status == TX_VERIFIED) {
                fprintf(f, "%s\n", hex);
            }
            continue;
        }
        fprintf(f, "%.12s  ", hex);
        tx_put_cell(f, v->supplier_name[0] ? v->supplier_name : _("(no profile)"), 22);
        fputs("  ", f);
        if (v->status == TX_VERIFIED) {
            tx_format_date(a, sizeof a, v->as_of);
            tx_format_date(u, sizeof u, v->valid_until);
            snprintf(line, sizeof line, _("verified, valid %s..%s"), a, u);
        } else {
            /* TRANSLATORS: "<verdict>: <reason>" */
            snprintf(line, sizeof line, _("%1$s: %2$s"), verdict_word(v->status), v->reason);
        }
        tx_put_wrapped(f, line, 38, 80, 38);
        fprintf(f, "%14s%s\n", "", v->supplier_fp);
        if (v->q_mismatch) {
            fprintf(f, "%14s", "");
            snprintf(line, sizeof line, _("questionnaire: %s"), v->q_mismatch_reason);
            tx_put_wrapped(f, line, 14, 80, 16);
        }
        if (v->superseded) {
            fprintf(f, "%14s", "");
            tx_put_wrapped(f, v->notice, 14, 80, 16);
        }
        if (v->cert_checked) {
            char cl[640];
            fprintf(f, "%14s", "");
            snprintf(cl, sizeof cl, _("certificate %1$s: %2$s"), cert_word(v->cert_now.status),
                     v->cert_now.reason);
            tx_put_wrapped(f, cl, 14, 80, 16);
            if (v->cert_as_of.status != v->cert_now.status) {
                tx_format_date(a, sizeof a, v->as_of);
                fprintf(f, "%14s", "");
                snprintf(cl, sizeof cl, _("at the as-of date %1$s, certificate %2$s: %3$s"), a,
                         cert_word(v->cert_as_of.status), v->cert_as_of.reason);
                tx_put_wrapped(f, cl, 14, 80, 16);
            }
        }
        for (size_t k = 0; k < v->n_creds; k++) {
            const tx_cred *c = &v->creds[k];
            char cl[1024];
            if (c->signed_) {
                continue; /* told by the certificate lines above */
            }
            fprintf(f, "%14s", "");
            /* TRANSLATORS: "declared <scheme> <number>: <status label>: <reason>" */
            snprintf(cl, sizeof cl, _("declared %1$s %2$s: %3$s: %4$s"),
                     tx_cred_scheme_label(c->scheme), c->number[0] ? c->number : "-",
                     tx_i18n_ja() ? tx_cred_status_label(c->status)
                                  : tx_cred_status_name(c->status),
                     c->reason);
            tx_put_wrapped(f, cl, 14, 80, 16);
        }
        for (size_t k = 0; k < v->n_evidence; k++) {
            const tx_evidence_result *e = &v->evidence[k];
            char el[640];

            fprintf(f, "%14s", "");
            if (e->status == TX_EVIDENCE_CHECKED) {
                snprintf(el, sizeof el, _("evidence %1$s: %2$s"), e->name,
                         tx_evidence_status_label(e->status));
            } else {
                snprintf(el, sizeof el, _("evidence %1$s: %2$s (%3$s)"), e->name,
                         tx_evidence_status_label(e->status), e->reason);
            }
            tx_put_wrapped(f, el, 14, 80, 16);
        }
    }
    return TX_OK;
}

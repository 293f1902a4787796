/* Fetch granted assessments and what is needed to verify them into the cache. */
#include "tx_fetch.h"

#include "tx_cache_kept.h"
#include "tx_cell.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_idmap.h"
#include "tx_log.h"
#include "tx_log_check.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_rpc.h"
#include "tx_us_hub.h"
#include "tx_util.h"
#include "tx_verify_ahead.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A set of ids to get, with the kind each should open as, in the order first wanted. */
typedef struct {
    uint8_t (*ids)[TX_ID_LEN];
    int *kinds;
    size_t n, cap;
    tx_idmap seen; /* id -> position */
} wanted;

static int
want(wanted *w, const uint8_t *id, int kind)
{
    int added;

    if (tx_idmap_put(&w->seen, id, w->n, &added) == NULL) {
        return TX_ERR_NOMEM;
    }
    if (!added) {
        return TX_OK;
    }
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        void *ids = realloc(w->ids, cap * sizeof *w->ids);
        if (ids == NULL) {
            return TX_ERR_NOMEM;
        }
        w->ids = ids;
        void *kinds = realloc(w->kinds, cap * sizeof *w->kinds);
        if (kinds == NULL) {
            return TX_ERR_NOMEM;
        }
        w->kinds = kinds;
        w->cap = cap;
    }
    memcpy(w->ids[w->n], id, TX_ID_LEN);
    w->kinds[w->n++] = kind;
    return TX_OK;
}

static void
wanted_free(wanted *w)
{
    free(w->ids);
    free(w->kinds);
    tx_idmap_free(&w->seen);
    memset(w, 0, sizeof *w);
}

/* Records to store in the cache, written together in one transaction; the records must stay
 * alive until the flush. */
typedef struct {
    const uint8_t **envs;
    size_t *lens;
    uint8_t (*ids)[TX_ID_LEN];
    size_t n, cap;
} staged;

static int
stage(staged *st, const tx_rec *r)
{
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 256;
        void *e = realloc(st->envs, cap * sizeof *st->envs);
        if (e == NULL) {
            return TX_ERR_NOMEM;
        }
        st->envs = e;
        void *l = realloc(st->lens, cap * sizeof *st->lens);
        if (l == NULL) {
            return TX_ERR_NOMEM;
        }
        st->lens = l;
        void *d = realloc(st->ids, cap * sizeof *st->ids);
        if (d == NULL) {
            return TX_ERR_NOMEM;
        }
        st->ids = d;
        st->cap = cap;
    }
    memcpy(st->ids[st->n], r->id, TX_ID_LEN); /* opened: the id is the bytes' hash */
    st->envs[st->n] = r->bytes;
    st->lens[st->n++] = r->len;
    return TX_OK;
}

static int
flush(tx_client *c, staged *st)
{
    return tx_home_cache_put_many(tx_client_home(c), st->n, st->envs, st->lens,
                                  (const uint8_t(*)[TX_ID_LEN])st->ids);
}

/* Drops from the set and the staged records those past `size` (not witnessed yet), naming
 * them in *late: they are neither proven nor cached by this fetch. */
static int
leave_out(tx_log_check_set *set, uint64_t size, staged *st, tx_idmap *late)
{
    size_t n = 0;

    for (size_t i = 0; i < set->n; i++) {
        if (set->index[i] > size) {
            if (tx_idmap_put(late, set->id[i], i, NULL) == NULL) {
                return TX_ERR_NOMEM;
            }
            continue;
        }
        set->index[n] = set->index[i];
        memcpy(set->leaf[n], set->leaf[i], 32);
        memcpy(set->id[n], set->id[i], TX_ID_LEN);
        n++;
    }
    set->n = n;
    n = 0;
    for (size_t i = 0; i < st->n; i++) {
        if (tx_idmap_get(late, st->ids[i]) != NULL) {
            continue;
        }
        memcpy(st->ids[n], st->ids[i], TX_ID_LEN);
        st->envs[n] = st->envs[i];
        st->lens[n++] = st->lens[i];
    }
    st->n = n;
    return TX_OK;
}

/* Gets everything in w at once and stages what checks for the cache; results per id in
 * recs/rcs (the staged bytes are borrowed from recs). */
static int
get_all(tx_client *c, const wanted *w, tx_rec **recs, int **rcs, staged *st)
{
    int rc;

    *recs = calloc(w->n ? w->n : 1, sizeof **recs);
    *rcs = calloc(w->n ? w->n : 1, sizeof **rcs);
    if (*recs == NULL || *rcs == NULL) {
        return TX_ERR_NOMEM;
    }
    if (w->n == 0) {
        return TX_OK;
    }
    if ((rc = tx_rpc_get(c, w->n, (const uint8_t(*)[TX_ID_LEN])w->ids, w->kinds, *recs, *rcs)) !=
        TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < w->n; i++) {
        if ((*rcs)[i] == TX_OK) {
            rc = stage(st, &(*recs)[i]);
            if (rc != TX_OK) {
                return rc;
            }
        }
    }
    return TX_OK;
}

static int
in_cache(tx_client *c, const uint8_t *id)
{
    uint8_t *b;
    size_t len;

    /* Present under its name (hash checked); verify opens it and checks its signature. */
    if (tx_home_cache_read(tx_client_home(c), id, &b, &len) != TX_OK) {
        tx_fail_clear();
        return 0;
    }
    free(b);
    return 1;
}

#define EVIDENCE_GROUP 32u /* chunks got at once: about 8 MiB */

/* The evidence chunks of the sealed assessments granted to this organisation (sealed[i], n of
 * them) that are not in the cache yet, got in groups and cached. The hub gives a chunk only to
 * whoever may read an assessment listing it, so after a revocation none come. Each is checked
 * by hash and signature here; its bytes are bound by the file's hash in the signed assessment,
 * which verify checks (no log proof is kept for chunks). */
static int
fetch_evidence(tx_client *c, const tx_sealed_pb *const *sealed, size_t n, tx_fetched *out)
{
    wanted w = {0};
    tx_rec *recs = NULL;
    int *rcs = NULL, *kinds = NULL;
    int rc = TX_OK;

    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        for (size_t j = 0; j < sealed[i]->n_evidence && rc == TX_OK; j++) {
            const ProtobufCBinaryData *id = &sealed[i]->evidence[j];

            if (id->len != TX_ID_LEN || tx_idmap_get(&w.seen, id->data) != NULL) {
                continue;
            }
            if (in_cache(c, id->data)) {
                out->evidence_cached++;
                if (tx_idmap_put(&w.seen, id->data, SIZE_MAX, NULL) == NULL) {
                    rc = TX_ERR_NOMEM;
                }
                continue;
            }
            rc = want(&w, id->data, TX_KIND_EVIDENCE_CHUNK);
        }
    }
    recs = calloc(EVIDENCE_GROUP, sizeof *recs);
    rcs = calloc(EVIDENCE_GROUP, sizeof *rcs);
    if (rc == TX_OK && (recs == NULL || rcs == NULL)) {
        rc = TX_ERR_NOMEM;
    }
    for (size_t at = 0; at < w.n && rc == TX_OK; at += EVIDENCE_GROUP) {
        size_t k = w.n - at < EVIDENCE_GROUP ? w.n - at : EVIDENCE_GROUP;

        kinds = w.kinds + at;
        rc = tx_rpc_get(c, k, (const uint8_t(*)[TX_ID_LEN])(w.ids + at), kinds, recs, rcs);
        for (size_t i = 0; i < k && rc == TX_OK; i++) {
            if (rcs[i] != TX_OK) {
                out->evidence_refused++;
                continue;
            }
            rc = tx_home_cache_put(tx_client_home(c), recs[i].bytes, recs[i].len, NULL);
            out->evidence_fetched += rc == TX_OK;
        }
        for (size_t i = 0; i < k; i++) {
            tx_rec_clear(&recs[i]);
        }
    }
    free(recs);
    free(rcs);
    wanted_free(&w);
    return rc;
}

/* Adds every record of recs to the set proven included at the end of the fetch. */
static int
audit_recs(tx_log_check_set *set, const tx_recs *recs)
{
    return tx_log_check_add_recs(set, recs);
}

/* The public records fetch lists whole: accreditations, certificates, certificate events,
 * registers, and the member records and removals that resolve people's signatures; with them
 * the organisations' settings and the grant approvals this organisation may read (a grant to a
 * buyer new to its organisation counts only with one: client/verify/tx_two_officers); and the
 * key successors, revocations and re-enrolments that resolve organisations' new keys and flag
 * lost ones. */
#define TRUST_KINDS 11

static void
trust_counts(tx_fetched *out, size_t *counts[TRUST_KINDS])
{
    counts[0] = &out->n_accreditations;
    counts[1] = &out->n_certificates;
    counts[2] = &out->n_cert_events;
    counts[3] = &out->n_registers;
    counts[4] = counts[5] = &out->n_members;
    counts[6] = counts[7] = &out->n_two_officers;
    counts[8] = counts[9] = counts[10] = &out->n_members;
}

/* Lists every record of TRUST_KINDS and stages them for the cache (l, owned by the caller, must
 * live until the flush). TX_ERR_REFUSED (message names the list) when the hub will not list
 * them. */
static int
fetch_trust(tx_client *c, tx_fetched *out, tx_log_check_set *set, staged *st,
            tx_recs l[TRUST_KINDS])
{
    const int kinds[TRUST_KINDS] = {TX_KIND_ACCREDITATION, TX_KIND_CERTIFICATE,
                                    TX_KIND_CERT_EVENT,    TX_KIND_REGISTER,
                                    TX_KIND_MEMBER,        TX_KIND_MEMBER_REMOVE,
                                    TX_KIND_ORG_SETTINGS,  TX_KIND_GRANT_APPROVAL,
                                    TX_KIND_KEY_SUCCESSOR, TX_KIND_KEY_REVOCATION,
                                    TX_KIND_KEY_REENROLMENT};
    size_t *counts[TRUST_KINDS];
    int rc = tx_rpc_list(c, TRUST_KINDS, kinds, NULL, l);

    if (rc == TX_ERR_REFUSED) {
        char msg[512];

        snprintf(msg, sizeof msg, "%s", tx_fail_msg());
        return tx_fail(TX_ERR_REFUSED,
                       "certificates not fetched: %s; verify cannot judge the certificates "
                       "assessments reference until a fetch gets them: run ticsx fetch again",
                       msg);
    }
    out->trust_listed = rc == TX_OK;
    trust_counts(out, counts);
    for (size_t k = 0; k < TRUST_KINDS; k++) {
        for (size_t i = 0; i < l[k].n && rc == TX_OK; i++) {
            rc = stage(st, &l[k].v[i]);
            *counts[k] += rc == TX_OK;
        }
        if (rc == TX_OK) {
            rc = audit_recs(set, &l[k]);
        }
    }
    return rc;
}

/* The organisation's own requests, signed by its key or by any of its officers while it acted,
 * staged for the cache into `own` (owned by the caller, alive until the flush): `requests`,
 * `due` and the report's tree count every request of the organisation, in any of its homes.
 * Its grants and revocations among those listed (grants[], revokes[], already audited) are
 * staged too: `history` and `due` in a person's home see what another officer shared. */
static int
fetch_own(tx_client *c, tx_log_check_set *set, staged *st, tx_recs *own, const tx_recs *grants,
          const tx_recs *revokes)
{
    const int kind = TX_KIND_REQUEST;
    tx_recs l = {0};
    tx_us us = {0};
    int rc = tx_us_load(c, &us);

    if (rc == TX_OK) {
        rc = tx_rpc_list(c, 1, &kind, NULL, &l);
    }
    for (size_t i = 0; i < l.n && rc == TX_OK; i++) {
        const tx_request_pb *req = (const tx_request_pb *)l.v[i].msg;

        if (req->meta != NULL && tx_us_signs(&us, tx_rec_signer(&l.v[i]), req->meta->created)) {
            rc = tx_recs_push(own, &l.v[i]);
        }
    }
    for (size_t i = 0; i < own->n && rc == TX_OK; i++) {
        rc = stage(st, &own->v[i]);
    }
    for (size_t i = 0; i < grants->n && rc == TX_OK; i++) {
        rc = tx_us_signed(&us, &grants->v[i]) ? stage(st, &grants->v[i]) : TX_OK;
    }
    for (size_t i = 0; i < revokes->n && rc == TX_OK; i++) {
        rc = tx_us_signed(&us, &revokes->v[i]) ? stage(st, &revokes->v[i]) : TX_OK;
    }
    if (rc == TX_OK) {
        rc = audit_recs(set, own);
    }
    tx_recs_clear(&l);
    tx_us_free(&us);
    return rc;
}

/* True if one of the listed revocations withdraws `assessment` from `me`. */
static int
revoked(const tx_recs *revokes, const uint8_t *me, const uint8_t *assessment)
{
    for (size_t i = 0; i < revokes->n; i++) {
        const tx_grant_revoke_pb *v = (const tx_grant_revoke_pb *)revokes->v[i].msg;
        if (memcmp(v->grantee.data, me, TX_KEY_LEN) == 0 &&
            memcmp(v->assessment.data, assessment, TX_ID_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Each listed page of grants and sealed assessments goes to the decryption ahead at once. */
static int
feed_ahead(void *ahead, size_t i, const tx_recs *list, size_t from)
{
    (void)i;
    if (from < list->n) { /* an empty page leaves list->v NULL */
        tx_verify_ahead_add(ahead, list->v + from, list->n - from);
    }
    return TX_OK;
}

/* Moves into *hand each opened record of v[0..n) that this fetch stored (in st) and proved (in
 * set, whose positions `proven` maps), once, with its proof's log index; only the kinds verify
 * reads from the cache, opened as the kind their envelope names (as verify opens them). */
static int
hand_from(tx_rec *v, size_t n, const tx_idmap *stored, const tx_idmap *proven,
          const tx_log_check_set *set, uint8_t *handed, tx_recs *hand)
{
    for (size_t i = 0; i < n; i++) {
        tx_rec *r = &v[i];
        const size_t *at;
        int kind;

        if (r->env == NULL || r->msg == NULL || tx_idmap_get(stored, r->id) == NULL ||
            (at = tx_idmap_get(proven, r->id)) == NULL || handed[*at]) {
            continue;
        }
        kind = tx_kind_from_payload_type(r->env->payload_type);
        if (kind != r->kind || !tx_kind_is_stored(kind) || kind == TX_KIND_EVIDENCE_CHUNK) {
            continue;
        }
        handed[*at] = 1;
        r->index = set->index[*at];
        if (tx_recs_push(hand, r) != TX_OK) {
            return TX_ERR_NOMEM;
        }
    }
    return TX_OK;
}

/* Hands the records this fetch stored and proved, opened, to the verify that follows in this
 * process (tx_cache_kept): it takes them instead of reading, hashing and decoding them again,
 * while the cache is as this fetch left it. */
static void
hand_over(tx_client *c, uint64_t mark, const staged *st, const tx_log_check_set *set,
          tx_recs *lists, size_t n_lists)
{
    tx_idmap stored = {0}, proven = {0};
    tx_recs hand = {0};
    uint8_t *handed = calloc(set->n ? set->n : 1, 1);
    int rc = handed != NULL ? TX_OK : TX_ERR_NOMEM;

    for (size_t i = 0; i < st->n && rc == TX_OK; i++) {
        rc = tx_idmap_put(&stored, st->ids[i], i, NULL) != NULL ? TX_OK : TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < set->n && rc == TX_OK; i++) {
        rc = tx_idmap_put(&proven, set->id[i], i, NULL) != NULL ? TX_OK : TX_ERR_NOMEM;
    }
    for (size_t k = 0; k < n_lists && rc == TX_OK; k++) {
        rc = hand_from(lists[k].v, lists[k].n, &stored, &proven, set, handed, &hand);
    }
    if (rc == TX_OK) {
        tx_cache_kept_hand(tx_client_home(c), mark, &hand);
    }
    tx_recs_clear(&hand);
    tx_idmap_free(&stored);
    tx_idmap_free(&proven);
    free(handed);
}

int
tx_fetch_all(tx_client *c, tx_fetched *out)
{
    /* Revocations of grants to this organisation and every sealed assessment it may see (those
     * granted, and newer ones superseding them: verify reports both) come in the first round. */
    const int kinds[4] = {TX_KIND_GRANT, TX_KIND_PROFILE, TX_KIND_GRANT_REVOKE,
                          TX_KIND_ASSESSMENT};
    uint8_t me[TX_KEY_LEN]; /* the organisation (a member's home fetches for it) */
    int is_member;
    tx_recs l[4] = {{0}}, trust[TRUST_KINDS] = {{0}}, own = {0};
    tx_checkpoint cp = {0};
    tx_orgs orgs = {0};
    wanted first = {0}, second = {0};
    tx_log_check_set set = {0};
    tx_idmap items = {0}, listed = {0}; /* assessment -> item; sealed id -> l[3] position */
    tx_idmap late = {0};                /* records past the witnessed checkpoint: left out */
    tx_verify_ahead *ahead = NULL;      /* decrypting what was listed, while the rest comes */
    uint64_t left_out = 0, mark = 0;    /* mark: the cache's generation after this fetch's write */
    staged st = {0};                    /* what this fetch stores in the cache */
    tx_rec *r1 = NULL, *r2 = NULL;
    int *rc1 = NULL, *rc2 = NULL;
    char trust_msg[1024];
    int rc, trust_rc = TX_OK, stored = 0;

    memset(out, 0, sizeof *out);
    if ((rc = tx_home_org(tx_client_home(c), me, &is_member)) != TX_OK) {
        goto out;
    }
    if (!is_member) { /* a member's home reads with a key verify finds from the members */
        ahead = tx_verify_ahead_start(tx_home_identity(tx_client_home(c)));
    }
    if ((rc = tx_rpc_list_pages(c, 4, kinds, NULL, 0, l, feed_ahead, ahead)) != TX_OK ||
        (rc = tx_orgs_add(&orgs, &l[1])) != TX_OK) {
        goto out;
    }
    for (size_t i = 0; i < l[1].n && rc == TX_OK; i++) {
        rc = stage(&st, &l[1].v[i]);
    }
    out->v = calloc(l[0].n ? l[0].n : 1, sizeof *out->v);
    if (out->v == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < l[3].n; i++) {
        if (tx_idmap_put(&listed, l[3].v[i].id, i, NULL) == NULL) {
            rc = TX_ERR_NOMEM;
            goto out;
        }
    }
    /* Round two: sealed assessments and the requests they answer, all at once. */
    for (size_t i = 0; i < l[0].n && rc == TX_OK; i++) {
        const tx_rec *g = &l[0].v[i];
        const tx_grant_pb *gp = (const tx_grant_pb *)g->msg;
        tx_fetch_item *it;
        const tx_org *o;

        if (memcmp(gp->grantee.data, me, TX_KEY_LEN) != 0) {
            /* The organisation's own grant (any member's): kept for its history. */
            if ((rc = stage(&st, g)) != TX_OK) {
                goto out;
            }
            continue;
        }
        /* One item per assessment, however often it was granted (a re-grant after a
         * revocation): the grant shown is the latest in the hub's log. */
        size_t *at = tx_idmap_get(&items, gp->assessment.data);
        it = at != NULL ? &out->v[*at] : NULL;
        if (it != NULL) {
            memcpy(it->grant, g->id, TX_ID_LEN);
            if ((rc = stage(&st, g)) != TX_OK) {
                goto out;
            }
            continue;
        }
        if (tx_idmap_put(&items, gp->assessment.data, out->n, NULL) == NULL) {
            rc = TX_ERR_NOMEM;
            goto out;
        }
        it = &out->v[out->n++];
        memcpy(it->grant, g->id, TX_ID_LEN);
        memcpy(it->assessment, gp->assessment.data, TX_ID_LEN);
        o = tx_orgs_by_key(&orgs, tx_rec_signer(g));
        snprintf(it->from, sizeof it->from, "%s", o != NULL ? o->name : "");
        tx_fingerprint(tx_rec_signer(g), it->from_fp);
        it->is_new = !in_cache(c, it->assessment);
        if ((rc = stage(&st, g)) != TX_OK) {
            goto out;
        }
        if (tx_idmap_get(&listed, gp->assessment.data) == NULL &&
            (rc = want(&first, gp->assessment.data, TX_KIND_ASSESSMENT)) != TX_OK) {
            goto out;
        }
        if (gp->request.len == TX_ID_LEN) {
            rc = want(&first, gp->request.data, TX_KIND_REQUEST);
        }
    }
    for (size_t i = 0; i < l[2].n && rc == TX_OK; i++) {
        /* Those of grants to this organisation, and the organisation's own (its history). */
        rc = stage(&st, &l[2].v[i]);
    }
    for (size_t i = 0; i < l[3].n && rc == TX_OK; i++) {
        const ProtobufCBinaryData *qid = &((const tx_sealed_pb *)l[3].v[i].msg)->questionnaire;
        rc = stage(&st, &l[3].v[i]);
        /* Got again even when cached: every record a report relies on is proven to be in the
         * hub's signed log by this fetch (tx_log_check_records). */
        if (rc == TX_OK) {
            rc = want(&second, qid->data, TX_KIND_QUESTIONNAIRE);
        }
    }
    if (rc != TX_OK || (rc = get_all(c, &first, &r1, &rc1, &st)) != TX_OK) {
        goto out;
    }
    for (size_t i = 0; i < first.n; i++) { /* sealed records granted but not listed */
        if (rc1[i] == TX_OK) {
            tx_verify_ahead_add(ahead, &r1[i], 1);
        }
    }
    /* Round three: the questionnaires the sealed assessments name, and those the requests ask
     * for (verify names the version a request asked for when an assessment answers another). */
    for (size_t i = 0; i < first.n && rc == TX_OK; i++) {
        const ProtobufCBinaryData *qid = NULL;
        if (rc1[i] == TX_OK && first.kinds[i] == TX_KIND_ASSESSMENT) {
            qid = &((const tx_sealed_pb *)r1[i].msg)->questionnaire;
        } else if (rc1[i] == TX_OK && first.kinds[i] == TX_KIND_REQUEST) {
            qid = &((const tx_request_pb *)r1[i].msg)->questionnaire;
        }
        if (qid != NULL) {
            rc = want(&second, qid->data, TX_KIND_QUESTIONNAIRE);
        }
    }
    if (rc != TX_OK || (rc = get_all(c, &second, &r2, &rc2, &st)) != TX_OK) {
        goto out;
    }
    /* A refused trust listing fails the fetch, after what was listed is proven and kept. */
    trust_rc = fetch_trust(c, out, &set, &st, trust);
    if (trust_rc != TX_OK && trust_rc != TX_ERR_REFUSED) {
        rc = trust_rc;
        goto out;
    }
    if (trust_rc != TX_OK) {
        snprintf(trust_msg, sizeof trust_msg, "%s", tx_fail_msg());
        tx_fail_clear();
    }
    if ((rc = fetch_own(c, &set, &st, &own, &l[0], &l[2])) != TX_OK) {
        goto out;
    }
    /* Every record fetched must be in the hub's signed log, and that log must extend the one
     * this home saw before: a hub showing this organisation another history is caught here. */
    for (size_t k = 0; k < 4 && rc == TX_OK; k++) {
        rc = audit_recs(&set, &l[k]);
    }
    for (size_t i = 0; i < first.n && rc == TX_OK; i++) {
        rc = rc1[i] == TX_OK ? tx_log_check_add(&set, r1[i].index, r1[i].bytes, r1[i].len) : TX_OK;
    }
    for (size_t i = 0; i < second.n && rc == TX_OK; i++) {
        rc = rc2[i] == TX_OK ? tx_log_check_add(&set, r2[i].index, r2[i].bytes, r2[i].len) : TX_OK;
    }
    /* Atomic: nothing enters the cache before every record of this fetch is proven, and each
     * record stored gets its proof marker (verify and report use no record without one). */
    if (rc != TX_OK || (rc = tx_log_check_records(c, &set, &cp, &left_out)) != TX_OK ||
        (left_out > 0 && (rc = leave_out(&set, cp.size, &st, &late)) != TX_OK) ||
        (rc = flush(c, &st)) != TX_OK || (mark = tx_cache_kept_mark(tx_client_home(c)), 0) ||
        (rc = tx_home_proof_put_many(tx_client_home(c), set.n, (const uint8_t(*)[TX_ID_LEN])set.id,
                                     set.index, cp.size)) != TX_OK) {
        goto out;
    }
    stored = 1;
    for (size_t i = 0; i < out->n; i++) {
        tx_fetch_item *it = &out->v[i];
        const size_t *k = tx_idmap_get(&first.seen, it->assessment);

        if (tx_idmap_get(&late, it->assessment) != NULL || tx_idmap_get(&late, it->grant) != NULL) {
            it->rc = TX_ERR_REFUSED;
            it->is_new = 0;
            snprintf(it->why, sizeof it->why, "%s",
                     _("not witnessed yet: left out until the witnesses cosign a newer "
                       "checkpoint"));
            continue;
        }
        if (k != NULL && first.kinds[*k] == TX_KIND_ASSESSMENT && rc1[*k] != TX_OK) {
            it->rc = rc1[*k];
            snprintf(it->why, sizeof it->why, "%s",
                     revoked(&l[2], me, it->assessment)
                         ? _("revoked by the supplier: the hub no longer serves it")
                         : _("the hub did not give the assessment"));
        }
    }
    /* The trust records counted are those now cached. */
    for (size_t k = 0; left_out > 0 && k < TRUST_KINDS; k++) {
        size_t *counted[TRUST_KINDS];

        trust_counts(out, counted);
        for (size_t i = 0; i < trust[k].n; i++) {
            *counted[k] -= tx_idmap_get(&late, trust[k].v[i].id) != NULL;
        }
    }
    tx_log_check_warn_left_out(left_out, cp.size);
    /* Last, the evidence files of what was granted (and is cached now). */
    {
        const tx_sealed_pb **sealed = calloc(first.n + l[3].n + 1, sizeof *sealed);
        size_t n_sealed = 0;

        if (sealed == NULL) {
            rc = TX_ERR_NOMEM;
            goto out;
        }
        for (size_t i = 0; i < first.n; i++) {
            if (rc1[i] == TX_OK && first.kinds[i] == TX_KIND_ASSESSMENT &&
                tx_idmap_get(&late, r1[i].id) == NULL) {
                sealed[n_sealed++] = (const tx_sealed_pb *)r1[i].msg;
            }
        }
        for (size_t i = 0; i < l[3].n; i++) {
            if (tx_idmap_get(&items, l[3].v[i].id) != NULL &&
                tx_idmap_get(&late, l[3].v[i].id) == NULL) {
                sealed[n_sealed++] = (const tx_sealed_pb *)l[3].v[i].msg;
            }
        }
        rc = fetch_evidence(c, sealed, n_sealed, out);
        free(sealed);
        if (rc != TX_OK) {
            goto out;
        }
    }
    if (trust_rc != TX_OK) {
        rc = tx_fail(trust_rc, "%s", trust_msg);
    }
out:
    /* It reads l[0], l[3] and r1. What it has not reached is decrypted now when the fetch stored
     * what it got (verify may follow), else dropped. */
    tx_verify_ahead_join(ahead, stored);
    if (rc == TX_OK && mark != 0 && tx_verify_ahead_enabled()) {
        tx_recs all[4 + TRUST_KINDS + 3];
        size_t n = 0;

        for (size_t k = 0; k < 4; k++) {
            all[n++] = l[k];
        }
        for (size_t k = 0; k < TRUST_KINDS; k++) {
            all[n++] = trust[k];
        }
        all[n++] = own;
        all[n++] = (tx_recs){r1, first.n};
        all[n++] = (tx_recs){r2, second.n};
        hand_over(c, mark, &st, &set, all, n); /* the records taken are zeroed where they were */
    }
    tx_checkpoint_clear(&cp);
    tx_recs_clear(&own);
    for (size_t k = 0; k < TRUST_KINDS; k++) {
        tx_recs_clear(&trust[k]);
    }
    for (size_t i = 0; i < first.n && r1 != NULL; i++) {
        tx_rec_clear(&r1[i]);
    }
    for (size_t i = 0; i < second.n && r2 != NULL; i++) {
        tx_rec_clear(&r2[i]);
    }
    free(r1);
    free(r2);
    free(rc1);
    free(rc2);
    wanted_free(&first);
    wanted_free(&second);
    tx_idmap_free(&items);
    tx_idmap_free(&listed);
    tx_idmap_free(&late);
    free(st.envs);
    free(st.lens);
    free(st.ids);
    tx_log_check_set_free(&set);
    tx_orgs_free(&orgs);
    for (size_t i = 0; i < 4; i++) {
        tx_recs_clear(&l[i]);
    }
    if (rc != TX_OK) {
        tx_fetched_free(out);
    }
    return rc;
}

void
tx_fetched_free(tx_fetched *fe)
{
    free(fe->v);
    fe->v = NULL;
    fe->n = 0;
}

json_t *
tx_fetch_json(const tx_fetched *fe)
{
    json_t *arr = json_array();
    json_t *root =
        json_pack("{s:o,s:{s:I,s:I,s:I,s:I}}", "assessments", arr, "trust", "certificates",
                  (json_int_t)fe->n_certificates, "certificate_events",
                  (json_int_t)fe->n_cert_events, "accreditations", (json_int_t)fe->n_accreditations,
                  "registers", (json_int_t)fe->n_registers);

    json_object_set_new(root, "evidence",
                        json_pack("{s:I,s:I,s:I}", "fetched", (json_int_t)fe->evidence_fetched,
                                  "cached", (json_int_t)fe->evidence_cached, "refused",
                                  (json_int_t)fe->evidence_refused));

    for (size_t i = 0; i < fe->n; i++) {
        const tx_fetch_item *it = &fe->v[i];
        char a[2 * TX_ID_LEN + 1], g[2 * TX_ID_LEN + 1];
        tx_hex(a, it->assessment, TX_ID_LEN);
        tx_hex(g, it->grant, TX_ID_LEN);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:{s:s,s:s},s:b,s:b,s:o}", "assessment", a,
                                             "grant", g, "from", "name", it->from, "fingerprint",
                                             it->from_fp, "fetched", it->rc == TX_OK, "new",
                                             it->is_new, "error",
                                             it->rc == TX_OK ? json_null() : json_string(it->why)));
    }
    return root;
}

int
tx_fetch_print(FILE *f, const tx_fetched *fe, int json, int quiet)
{
    char hex[2 * TX_ID_LEN + 1];
    size_t n_new = 0, n_ok = 0;

    for (size_t i = 0; i < fe->n; i++) {
        n_new += fe->v[i].rc == TX_OK && fe->v[i].is_new;
        n_ok += fe->v[i].rc == TX_OK;
    }
    if (json) {
        json_t *root = tx_fetch_json(fe);
        int rc;

        rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', f);
        json_decref(root);
        return rc == 0 ? TX_OK : tx_fail(TX_ERR_IO, "cannot write the result: check the output");
    }
    for (size_t i = 0; i < fe->n; i++) {
        const tx_fetch_item *it = &fe->v[i];
        tx_hex(hex, it->assessment, TX_ID_LEN);
        if (quiet) {
            if (it->rc == TX_OK) {
                fprintf(f, "%s\n", hex);
            }
            continue;
        }
        fprintf(f, "%.12s  ", hex);
        tx_put_cell(f, it->from[0] ? it->from : it->from_fp, 24);
        fprintf(f, "  %s\n", it->rc != TX_OK ? it->why : it->is_new ? _("new") : _("already here"));
    }
    if (!quiet) {
        if (n_ok == 0) {
            fputs(_("fetched 0 assessments\n"), f);
        } else {
            fprintf(f,
                    ngettext("fetched %1$zu assessment (%2$zu new); ticsx verify checks it\n",
                             "fetched %1$zu assessments (%2$zu new); ticsx verify checks them\n",
                             n_ok),
                    n_ok, n_new);
        }
        if (fe->trust_listed) {
            char c[64], e[64], a[64];
            snprintf(c, sizeof c,
                     ngettext("%zu certificate", "%zu certificates", fe->n_certificates),
                     fe->n_certificates);
            snprintf(e, sizeof e,
                     ngettext("%zu certificate event", "%zu certificate events", fe->n_cert_events),
                     fe->n_cert_events);
            snprintf(a, sizeof a,
                     ngettext("%zu accreditation", "%zu accreditations", fe->n_accreditations),
                     fe->n_accreditations);
            /* TRANSLATORS: the three counts above, in this order. */
            fprintf(f, _("trust records: %1$s, %2$s, %3$s\n"), c, e, a);
            if (fe->n_registers > 0) {
                fprintf(f,
                        ngettext("%zu register record (ticsx register list shows them)\n",
                                 "%zu register records (ticsx register list shows them)\n",
                                 fe->n_registers),
                        fe->n_registers);
            }
        }
        if (fe->evidence_fetched > 0) {
            fprintf(f,
                    ngettext("evidence: %zu file chunk fetched\n",
                             "evidence: %zu file chunks fetched\n", fe->evidence_fetched),
                    fe->evidence_fetched);
        }
        if (fe->evidence_refused > 0) {
            fprintf(f,
                    ngettext("evidence: the hub did not give %zu file chunk (not shared with "
                             "you, or the sharing was revoked)\n",
                             "evidence: the hub did not give %zu file chunks (not shared with "
                             "you, or the sharing was revoked)\n",
                             fe->evidence_refused),
                    fe->evidence_refused);
        }
    }
    return TX_OK;
}

/* Drafts: listing, opening with the organisation's seal key, checking, approving. */
#include "tx_drafts.h"

#include "tx_error.h"
#include "tx_evidence_check.h"
#include "tx_grant_state.h"
#include "tx_home.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_rpc.h"
#include "tx_score.h"
#include "tx_seal.h"
#include "tx_sign.h"
#include "tx_us.h"
#include "tx_us_hub.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
tx_drafts_free(tx_drafts *d)
{
    for (size_t i = 0; i < d->n; i++) {
        tx_rec_clear(&d->v[i].draft);
        tx_rec_clear(&d->v[i].inner);
    }
    free(d->v);
    memset(d, 0, sizeof *d);
}

static int
refuse(tx_draft_item *it, const char *why)
{
    snprintf(it->why, sizeof it->why, "%s", _(why));
    return TX_OK;
}

/* Opens it->draft with the organisation's seal key and checks who prepared it. */
static int
open_one(tx_draft_item *it, const tx_identity *org, const tx_recs *people)
{
    const tx_draft_pb *d = (const tx_draft_pb *)it->draft.msg;
    const tx_assessment_pb *a;
    size_t len;
    uint8_t *plain;
    int role;

    if (tx_signer_resolve(people, tx_rec_signer(&it->draft), d->meta->created, &it->who) != TX_OK ||
        memcmp(it->who.org, org->pub.sign, TX_KEY_LEN) != 0 || !it->who.acts) {
        return refuse(it, N_("not prepared by a current person of this organisation"));
    }
    it->who.record = NULL;
    role = it->who.role;
    if (role != TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_RESPONDER &&
        role != TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER &&
        role != TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN) {
        return refuse(it, N_("prepared by a person who is neither a responder nor an officer"));
    }
    len = d->sealed.len - crypto_box_SEALBYTES; /* the kind's check: longer than that */
    if ((plain = malloc(len)) == NULL) {
        return TX_ERR_NOMEM;
    }
    if (crypto_box_seal_open(plain, d->sealed.data, d->sealed.len, org->pub.seal, org->sec->seal) !=
        0) {
        free(plain);
        return refuse(it, N_("does not open with the organisation's seal key"));
    }
    if (tx_rec_open(&it->inner, plain, len, TX_KIND_INNER_ASSESSMENT) != TX_OK) {
        tx_fail_clear();
        return refuse(it, N_("holds no signed assessment"));
    }
    a = (const tx_assessment_pb *)it->inner.msg;
    if (memcmp(tx_rec_signer(&it->inner), tx_rec_signer(&it->draft), TX_KEY_LEN) != 0) {
        return refuse(it, N_("the assessment inside was signed by another key than the draft"));
    }
    if (a->request.len != TX_ID_LEN || memcmp(a->request.data, d->request.data, TX_ID_LEN) != 0 ||
        memcmp(a->questionnaire.data, d->questionnaire.data, TX_ID_LEN) != 0) {
        return refuse(it, N_("the assessment inside answers another request"));
    }
    it->ok = 1;
    return TX_OK;
}

/* The overall score and level of an opened draft against its questionnaire (fetched); left
 * unscored when it cannot be fetched or scored. */
static int
score_one(tx_client *c, tx_draft_item *it)
{
    const tx_assessment_pb *a = (const tx_assessment_pb *)it->inner.msg;
    const uint8_t(*qid)[TX_ID_LEN] = (const uint8_t(*)[TX_ID_LEN])a->questionnaire.data;
    int kind = TX_KIND_QUESTIONNAIRE, got;
    tx_rec q = {0};
    tx_score s = {0};
    int rc = tx_rpc_get(c, 1, qid, &kind, &q, &got);

    if (rc == TX_OK && got == TX_OK &&
        tx_score_compute((const tx_questionnaire_pb *)q.msg, a->answers, a->n_answers, &s) ==
            TX_OK) {
        json_t *row = tx_score_json((const tx_questionnaire_pb *)q.msg, &s);

        it->has_score = s.overall.has_score;
        it->score = s.overall.percent;
        it->level = s.level_achieved;
        if (row == NULL || !tx_score_level_text(row, it->level_text, sizeof it->level_text)) {
            it->level_text[0] = 0;
        }
        json_decref(row);
    }
    tx_fail_clear();
    tx_score_free(&s);
    tx_rec_clear(&q);
    return rc;
}

static int
load_people(tx_client *c, tx_recs *drafts, tx_recs *decisions, tx_recs *people)
{
    static const int kinds[2] = {TX_KIND_DRAFT, TX_KIND_DRAFT_DECISION};
    tx_recs l[2] = {{0}};
    int rc = tx_rpc_list(c, 2, kinds, NULL, l);

    *drafts = l[0];
    *decisions = l[1];
    return rc == TX_OK ? tx_people_list(c, people) : rc;
}

const char *
tx_draft_state_name(int state)
{
    return state == TX_DRAFT_APPROVED   ? N_("approved")
           : state == TX_DRAFT_REJECTED ? N_("rejected")
                                        : N_("pending");
}

/* The first decision on each draft by an officer or admin of the organisation who acted then
 * decides it; its note is opened with the organisation's seal key. */
static void
apply_decisions(tx_drafts *d, const tx_recs *decisions, const tx_identity *org,
                const tx_recs *people)
{
    for (size_t i = 0; i < decisions->n; i++) {
        const tx_draft_decision_pb *x = (const tx_draft_decision_pb *)decisions->v[i].msg;
        tx_signer_info si;

        if (tx_signer_resolve(people, tx_rec_signer(&decisions->v[i]), x->meta->created, &si) !=
                TX_OK ||
            memcmp(si.org, org->pub.sign, TX_KEY_LEN) != 0 || !si.acts ||
            (si.role != TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER &&
             si.role != TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN)) {
            continue;
        }
        for (size_t k = 0; k < d->n; k++) {
            tx_draft_item *it = &d->v[k];
            size_t n = x->note_sealed.len - crypto_box_SEALBYTES;

            if (it->state != TX_DRAFT_OPEN || x->draft.len != TX_ID_LEN ||
                memcmp(it->draft.id, x->draft.data, TX_ID_LEN) != 0) {
                continue;
            }
            it->state = x->approved ? TX_DRAFT_APPROVED : TX_DRAFT_REJECTED;
            snprintf(it->decided_by, sizeof it->decided_by, "%s", si.name);
            if (x->approved) {
                memcpy(it->assessment, x->assessment.data, TX_ID_LEN);
            }
            if (x->note_sealed.len > crypto_box_SEALBYTES && n < sizeof it->note &&
                crypto_box_seal_open((uint8_t *)it->note, x->note_sealed.data, x->note_sealed.len,
                                     org->pub.seal, org->sec->seal) == 0) {
                it->note[tx_utf8_valid(it->note, n) ? n : 0] = 0;
            }
        }
    }
}

/* The open draft `id` names, or NULL. */
static tx_draft_item *
open_draft(tx_drafts *d, const ProtobufCBinaryData *id)
{
    for (size_t i = 0; id->len == TX_ID_LEN && i < d->n; i++) {
        if (d->v[i].ok && d->v[i].state == TX_DRAFT_OPEN &&
            memcmp(d->v[i].draft.id, id->data, TX_ID_LEN) == 0) {
            return &d->v[i];
        }
    }
    return NULL;
}

static size_t
open_drafts(const tx_drafts *d)
{
    size_t n = 0;

    for (size_t i = 0; i < d->n; i++) {
        n += d->v[i].ok && d->v[i].state == TX_DRAFT_OPEN;
    }
    return n;
}

/* Draft `it` was sent as own assessment r (inner opened): approved by r's signer, with no
 * decision recorded. */
static void
mark_sent(tx_draft_item *it, const tx_rec *r, const tx_assessment_pb *inner, const tx_recs *people)
{
    int64_t at = inner->meta != NULL ? inner->meta->created : tx_now();
    tx_signer_info si;

    it->state = TX_DRAFT_APPROVED;
    it->unrecorded = 1;
    memcpy(it->assessment, r->id, TX_ID_LEN);
    if (tx_signer_resolve(people, tx_rec_signer(r), at, &si) == TX_OK) {
        snprintf(it->decided_by, sizeof it->decided_by, "%s", si.name);
    }
}

/* An approval stopped between sending and recording: the drafts still open that an assessment
 * this home sent names (Assessment.draft, read with the content key kept here) are approved,
 * by that assessment's signer, with no decision recorded yet (it->unrecorded). */
static int
sent_here(tx_client *c, tx_drafts *d, const tx_recs *people)
{
    tx_grant_state st = {0};
    uint8_t *key = NULL;
    int rc = TX_OK;

    if (open_drafts(d) == 0) {
        return TX_OK;
    }
    if ((key = sodium_malloc(TX_CONTENT_KEY_LEN)) == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((rc = tx_grant_state_load(c, &st)) == TX_OK) {
        for (size_t i = 0; i < st.l[TX_GS_ASSESSMENT].n; i++) {
            const tx_rec *r = &st.l[TX_GS_ASSESSMENT].v[i];
            tx_assessment_pb *inner = NULL;
            tx_draft_item *it;

            if (tx_grant_open_own(c, r, key, &inner) == TX_OK &&
                (it = open_draft(d, &inner->draft)) != NULL) {
                mark_sent(it, r, inner, people);
            }
            tx_free(inner);
            tx_fail_clear();
        }
    }
    sodium_free(key);
    tx_grant_state_free(&st);
    return rc;
}

int
tx_drafts_load(tx_client *c, tx_drafts *out)
{
    tx_recs drafts = {0}, decisions = {0}, people = {0};
    tx_identity *org = NULL;
    int rc = load_people(c, &drafts, &decisions, &people);

    memset(out, 0, sizeof *out);
    if (rc == TX_OK && (rc = tx_signer_reader(tx_client_home(c), &people, &org)) == TX_OK &&
        org == NULL) {
        rc = tx_fail(TX_ERR_USAGE, "drafts are read in a person's home (ticsx keygen "
                                   "--member-of): this is the organisation's own home");
    }
    if (rc == TX_OK && drafts.n > 0 && (out->v = calloc(drafts.n, sizeof *out->v)) == NULL) {
        rc = TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < drafts.n && rc == TX_OK; i++) {
        tx_draft_item *it = &out->v[out->n++];

        it->draft = drafts.v[i]; /* taken */
        memset(&drafts.v[i], 0, sizeof drafts.v[i]);
        if ((rc = open_one(it, org, &people)) == TX_OK && it->ok) {
            rc = score_one(c, it);
        }
    }
    if (rc == TX_OK) {
        memcpy(out->org_seal, org->pub.seal, TX_KEY_LEN);
        apply_decisions(out, &decisions, org, &people);
        rc = sent_here(c, out, &people);
    }
    tx_identity_destroy(&org);
    tx_recs_clear(&decisions);
    tx_recs_clear(&drafts);
    tx_recs_clear(&people);
    return rc;
}

int
tx_drafts_find(const tx_drafts *d, const char *prefix, const tx_draft_item **out)
{
    char hex[2 * TX_ID_LEN + 1];
    size_t n = strlen(prefix);

    *out = NULL;
    if (!tx_is_id_prefix(prefix)) {
        return tx_fail(TX_ERR_USAGE,
                       "%s: give a draft id (8 to 64 hex digits; ticsx drafts "
                       "lists them)",
                       prefix);
    }
    for (size_t i = 0; i < d->n; i++) {
        tx_hex(hex, d->v[i].draft.id, TX_ID_LEN);
        if (strncasecmp(hex, prefix, n) != 0) {
            continue;
        }
        if (*out != NULL) {
            return tx_fail(TX_ERR_USAGE, "%s names more than one draft: give more digits", prefix);
        }
        *out = &d->v[i];
    }
    return *out != NULL ? TX_OK
                        : tx_fail(TX_ERR_NOT_FOUND,
                                  "no draft %s of this organisation on the hub (ticsx drafts "
                                  "lists them)",
                                  prefix);
}

json_t *
tx_drafts_json(const tx_drafts *d)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < d->n; i++) {
        const tx_draft_item *it = &d->v[i];
        const tx_draft_pb *p = (const tx_draft_pb *)it->draft.msg;
        const tx_assessment_pb *a = it->ok ? (const tx_assessment_pb *)it->inner.msg : NULL;

        json_t *o = json_pack("{s:o,s:o,s:o,s:{s:s,s:s},s:o,s:o,s:b,s:o,s:s,s:o,s:o}", "draft",
                              tx_json_hex(it->draft.id, TX_ID_LEN), "request",
                              tx_json_hex(p->request.data, TX_ID_LEN), "questionnaire",
                              tx_json_hex(p->questionnaire.data, TX_ID_LEN), "prepared_by", "name",
                              it->who.name, "role", tx_signer_role_name(it->who.role), "created",
                              tx_json_date(p->meta->created), "answered",
                              a ? json_integer((json_int_t)a->n_answers) : json_null(), "ok",
                              it->ok, "problem", it->ok ? json_null() : json_string(it->why),
                              "state", tx_draft_state_name(it->state), "decided_by",
                              it->state ? json_string(it->decided_by) : json_null(), "note",
                              it->note[0] ? json_string(it->note) : json_null());

        json_object_set_new(o, "score", it->has_score ? json_real(it->score) : json_null());
        json_object_set_new(o, "level_achieved", json_integer(it->level));
        json_object_set_new(o, "assessment",
                            it->state == TX_DRAFT_APPROVED ? tx_json_hex(it->assessment, TX_ID_LEN)
                                                           : json_null());
        json_object_set_new(o, "recorded", json_boolean(!it->unrecorded));
        json_object_set_new(o, "evidence", tx_drafts_files_json(it));
        json_array_append_new(arr, o);
    }
    return json_pack("{s:o}", "drafts", arr);
}

/* This home's person may approve: an officer or admin of its organisation now. */
static int
may_approve(tx_client *c)
{
    tx_signer_info si;
    int found = 0, ok = 0;
    int rc = tx_person_of(c, tx_client_id(c)->pub.sign, tx_now(), &si, &found);

    if (rc == TX_OK && found) {
        ok = si.acts && tx_us_role_signs(si.role);
    }
    if (rc == TX_OK && !ok) {
        rc = tx_fail(TX_ERR_FORBIDDEN, "only an officer or an admin of the organisation approves "
                                       "a draft; this person is not one");
    }
    return rc;
}

/* Signs this officer's decision on draft `it`: *env, caller frees. */
static int
sign_decision(tx_client *c, const tx_drafts *d, const tx_draft_item *it, const uint8_t *assessment,
              const char *note, uint8_t **env, size_t *len)
{
    tx_draft_decision_pb x = TICSX__V1__DRAFT_DECISION__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    size_t n = note != NULL ? strlen(note) : 0;
    uint8_t *sealed = NULL;
    uint64_t seq;
    int rc = tx_seq_take(tx_home_dir(tx_client_home(c)), 1, &seq);

    if (rc == TX_OK && n > 0 && (sealed = malloc(n + crypto_box_SEALBYTES)) == NULL) {
        rc = TX_ERR_NOMEM;
    }
    if (rc == TX_OK && n > 0 &&
        crypto_box_seal(sealed, (const uint8_t *)note, n, d->org_seal) != 0) {
        rc = tx_fail(TX_ERR_CRYPTO, "cannot seal the note to the organisation's seal key");
    }
    if (rc == TX_OK) {
        meta.seq = seq;
        meta.created = tx_now();
        x.meta = &meta;
        x.draft = (ProtobufCBinaryData){TX_ID_LEN, (uint8_t *)it->draft.id};
        x.approved = assessment != NULL;
        if (assessment != NULL) {
            x.assessment = (ProtobufCBinaryData){TX_ID_LEN, (uint8_t *)assessment};
        }
        if (n > 0) {
            x.note_sealed = (ProtobufCBinaryData){n + crypto_box_SEALBYTES, sealed};
        }
        rc = tx_sign_checked(tx_client_id(c), TX_KIND_DRAFT_DECISION, &x.base, NULL, env, len);
    }
    free(sealed);
    return rc;
}

/* Signs and submits this officer's decision on draft `it`. */
static int
decide(tx_client *c, const tx_drafts *d, const tx_draft_item *it, const uint8_t *assessment,
       const char *note)
{
    uint8_t *env = NULL;
    size_t len = 0;
    int rc = sign_decision(c, d, it, assessment, note, &env, &len);

    if (rc == TX_OK) {
        rc = tx_rpc_submit(c, 1, &env, &len);
    }
    free(env);
    return rc;
}

/* The approval that goes in one batch with the assessment it names (tx_answer_args.also). */
typedef struct {
    tx_client *c;
    const tx_drafts *d;
    const tx_draft_item *it;
} approval;

static int
sign_approval(void *ctx, const uint8_t assessment[TX_ID_LEN], uint8_t **env, size_t *len)
{
    const approval *a = ctx;

    return sign_decision(a->c, a->d, a->it, assessment, NULL, env, len);
}

/* The officer may decide, and draft `prefix` exists, checks and is still open (or, when
 * `unrecorded` is allowed, approved by an assessment sent with no decision recorded). */
static int
decidable(tx_client *c, const char *prefix, int unrecorded, tx_drafts *d, const tx_draft_item **it)
{
    int rc = may_approve(c);

    if (rc == TX_OK && (rc = tx_drafts_load(c, d)) == TX_OK &&
        (rc = tx_drafts_find(d, prefix, it)) == TX_OK && !(*it)->ok) {
        rc = tx_fail(TX_ERR_REFUSED, "draft %.12s is refused: %s", prefix, (*it)->why);
    }
    if (rc == TX_OK && (*it)->unrecorded && !unrecorded) {
        char hex[2 * TX_ID_LEN + 1];

        tx_hex(hex, (*it)->assessment, TX_ID_LEN);
        rc = tx_fail(TX_ERR_REFUSED,
                     "draft %.12s was already sent as assessment %.12s by %s, but its approval "
                     "is not recorded: run ticsx drafts approve %.12s to record it",
                     prefix, hex, (*it)->decided_by, prefix);
    } else if (rc == TX_OK && (*it)->state != TX_DRAFT_OPEN && !(*it)->unrecorded) {
        rc = tx_fail(TX_ERR_REFUSED, "draft %.12s was already %s by %s", prefix,
                     _(tx_draft_state_name((*it)->state)), (*it)->decided_by);
    }
    return rc;
}

/* The draft's files are all there and match what it says; else TX_ERR_REFUSED naming the
 * first that does not. */
static int
files_ok(tx_client *c, const char *prefix, const tx_draft_item *it)
{
    tx_evidence_result *r = NULL;
    size_t n = 0;
    int rc = tx_drafts_check_files(c, it, &r, &n);

    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        if (r[i].status != TX_EVIDENCE_CHECKED) {
            rc = tx_fail(TX_ERR_REFUSED,
                         "draft %.12s: evidence \"%.80s\" is %s (%s); nothing was sent: ask the "
                         "responder to answer again with the file",
                         prefix, r[i].name, tx_evidence_status_label(r[i].status), r[i].reason);
        }
    }
    tx_evidence_results_free(r, n);
    return rc;
}

int
tx_drafts_reject(tx_client *c, const char *prefix, const char *note)
{
    tx_drafts d = {0};
    const tx_draft_item *it = NULL;
    int rc = decidable(c, prefix, 0, &d, &it);

    if (rc == TX_OK && note != NULL && strlen(note) >= sizeof it->note) {
        rc = tx_fail(TX_ERR_USAGE, "--note: at most %zu bytes", sizeof it->note - 1);
    }
    if (rc == TX_OK) {
        rc = decide(c, &d, it, NULL, note);
    }
    tx_drafts_free(&d);
    return rc;
}

int
tx_drafts_approve(tx_client *c, const char *prefix, tx_answer_result *out)
{
    tx_drafts d = {0};
    const tx_draft_item *it = NULL;
    tx_answer_args args = {0};
    approval ap = {c, &d, NULL};
    char req[2 * TX_ID_LEN + 1], name[32];
    int rc = decidable(c, prefix, 1, &d, &it);

    memset(out, 0, sizeof *out);
    if (rc == TX_OK && it->unrecorded) {
        /* Sent before: only the decision is missing. */
        memcpy(out->assessment, it->assessment, TX_ID_LEN);
        memcpy(out->request, ((const tx_draft_pb *)it->draft.msg)->request.data, TX_ID_LEN);
        out->draft_recorded_only = 1;
        rc = decide(c, &d, it, it->assessment, NULL);
        tx_drafts_free(&d);
        return rc;
    }
    if (rc == TX_OK) {
        rc = files_ok(c, prefix, it);
    }
    if (rc == TX_OK) {
        const tx_draft_pb *p = (const tx_draft_pb *)it->draft.msg;

        tx_hex(req, p->request.data, TX_ID_LEN);
        snprintf(name, sizeof name, "draft %.12s", prefix);
        args.request = req;
        args.file = name;
        args.certificate = "none";
        args.prepared = (const tx_assessment_pb *)it->inner.msg;
        args.draft = it->draft.id;
        if (args.prepared->certificate.len == TX_ID_LEN) {
            args.certificate = NULL; /* this organisation's newest, as the responder had */
        }
        ap.it = it;
        args.also = sign_approval;
        args.also_ctx = &ap;
        if ((rc = tx_answer_submit(c, &args, out)) != TX_OK &&
            !sodium_is_zero(out->assessment, TX_ID_LEN)) {
            char hex[2 * TX_ID_LEN + 1], why[256];

            tx_hex(hex, out->assessment, TX_ID_LEN);
            snprintf(why, sizeof why, "%s", tx_fail_msg());
            rc = tx_fail(rc,
                         "the approval of draft %.12s did not complete (%s): run ticsx drafts "
                         "approve %.12s again from this home: if assessment %.12s was stored, it "
                         "records only the approval, else it sends the draft",
                         prefix, why, prefix, hex);
        }
    }
    tx_drafts_free(&d);
    return rc;
}

#define CHUNK_GROUP 32u /* chunks got at once: about 8 MiB */

/* The chunks of the draft's files not in this home's cache, got from the hub and cached. */
static int
fetch_chunks(tx_client *c, const tx_assessment_pb *a)
{
    uint8_t(*ids)[TX_ID_LEN] = calloc(CHUNK_GROUP, TX_ID_LEN);
    tx_rec *recs = calloc(CHUNK_GROUP, sizeof *recs);
    int kinds[CHUNK_GROUP], rcs[CHUNK_GROUP];
    int rc = ids != NULL && recs != NULL ? TX_OK : TX_ERR_NOMEM;

    for (size_t f = 0; f < a->n_evidence && rc == TX_OK; f++) {
        const tx_evidence_ref_pb *r = a->evidence[f];

        for (size_t at = 0; at < r->n_chunks && rc == TX_OK; at += CHUNK_GROUP) {
            size_t k = 0;

            for (size_t i = at; i < r->n_chunks && i < at + CHUNK_GROUP; i++) {
                uint8_t *b = NULL;
                size_t len;

                if (r->chunks[i].len != TX_ID_LEN ||
                    tx_home_cache_read(tx_client_home(c), r->chunks[i].data, &b, &len) == TX_OK) {
                    free(b);
                    continue;
                }
                tx_fail_clear();
                memcpy(ids[k], r->chunks[i].data, TX_ID_LEN);
                kinds[k++] = TX_KIND_EVIDENCE_CHUNK;
            }
            rc = k > 0 ? tx_rpc_get(c, k, (const uint8_t(*)[TX_ID_LEN])ids, kinds, recs, rcs)
                       : TX_OK;
            for (size_t i = 0; i < k; i++) {
                if (rc == TX_OK && rcs[i] == TX_OK) {
                    rc = tx_home_cache_put(tx_client_home(c), recs[i].bytes, recs[i].len, NULL);
                }
                tx_rec_clear(&recs[i]);
            }
            tx_fail_clear();
        }
    }
    free(ids);
    free(recs);
    return rc;
}

int
tx_drafts_check_files(tx_client *c, const tx_draft_item *it, tx_evidence_result **out, size_t *n)
{
    const tx_assessment_pb *a = it->ok ? (const tx_assessment_pb *)it->inner.msg : NULL;
    int rc;

    *out = NULL;
    *n = 0;
    if (a == NULL || a->n_evidence == 0) {
        return TX_OK;
    }
    if ((rc = fetch_chunks(c, a)) != TX_OK) {
        return rc;
    }
    return tx_evidence_check_all(
        tx_client_home(c), a, (const uint8_t(*)[TX_KEY_LEN])tx_rec_signer(&it->draft), 1, out, n);
}

json_t *
tx_drafts_files_json(const tx_draft_item *it)
{
    const tx_assessment_pb *a = it->ok ? (const tx_assessment_pb *)it->inner.msg : NULL;
    json_t *arr = json_array();

    for (size_t i = 0; a != NULL && i < a->n_evidence; i++) {
        const tx_evidence_ref_pb *r = a->evidence[i];

        json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:o}", "name", r->name, "media_type",
                                             r->media_type, "size", (json_int_t)r->size, "sha256",
                                             tx_json_hex(r->sha256.data, r->sha256.len)));
    }
    return arr;
}

int
tx_drafts_view(tx_client *c, const tx_draft_item *it, tx_verdict *v)
{
    memset(v, 0, sizeof *v);
    memcpy(v->assessment, it->draft.id, TX_ID_LEN);
    memcpy(v->supplier, tx_rec_signer(&it->draft), TX_KEY_LEN);
    v->inner = it->ok ? (tx_assessment_pb *)it->inner.msg : NULL;
    return tx_drafts_check_files(c, it, &v->evidence, &v->n_evidence);
}

void
tx_drafts_view_free(tx_verdict *v)
{
    tx_evidence_results_free(v->evidence, v->n_evidence);
    memset(v, 0, sizeof *v);
}

/* The table of record kinds and each kind's own checks. The checks common to every kind (a Meta
 * with a sequence number, references of TX_ID_LEN bytes) run from the row; a kind's function
 * checks only what is its own. */
#include "tx_kinds.h"

#include "tx_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int
ids_ok(const ProtobufCBinaryData *v, size_t n, int allow_empty)
{
    for (size_t i = 0; i < n; i++) {
        if (!(v[i].len == TX_ID_LEN || (allow_empty && v[i].len == 0))) {
            return 0;
        }
    }
    return 1;
}

static int
check_profile(const ProtobufCMessage *m)
{
    const tx_profile_pb *p = (const tx_profile_pb *)m;

    return p->legal_name[0] != 0 && p->seal_key.len == TX_KEY_LEN &&
           p->transport_key.len == TX_KEY_LEN &&
           (p->corporate_number[0] == 0 || tx_corporate_number_valid(p->corporate_number));
}

static int
topic_cmp(const void *a, const void *b)
{
    return strcmp(**(const char *const *const *)a, **(const char *const *const *)b);
}

/* The questionnaire's topics have non-empty unique ids and frameworks, and every item names
 * only topics among them, each once. Sorted once, so a hostile record costs n log n. */
static int
topics_ok(const tx_questionnaire_pb *q)
{
    char ***byid;
    size_t *seen;
    int ok = 1;

    if (q->n_topics == 0) {
        for (size_t i = 0; i < q->n_items; i++) {
            if (q->items[i]->n_topics != 0) {
                return 0;
            }
        }
        return 1;
    }
    byid = malloc(q->n_topics * sizeof *byid);
    seen = malloc(q->n_topics * sizeof *seen);
    if (byid == NULL || seen == NULL) {
        free(byid);
        free(seen);
        return 0;
    }
    for (size_t t = 0; t < q->n_topics && ok; t++) {
        ok = q->topics[t]->id[0] != 0 && q->topics[t]->framework[0] != 0;
        byid[t] = &q->topics[t]->id;
        seen[t] = SIZE_MAX;
    }
    if (ok) {
        qsort(byid, q->n_topics, sizeof *byid, topic_cmp);
    }
    for (size_t t = 1; t < q->n_topics && ok; t++) {
        ok = strcmp(*byid[t - 1], *byid[t]) != 0;
    }
    for (size_t i = 0; i < q->n_items && ok; i++) {
        for (size_t k = 0; k < q->items[i]->n_topics && ok; k++) {
            char *key = q->items[i]->topics[k], **keyp = &key;
            char ***hit = bsearch(&keyp, byid, q->n_topics, sizeof *byid, topic_cmp);
            size_t at = hit != NULL ? (size_t)(hit - byid) : 0;
            ok = hit != NULL && seen[at] != i;
            if (ok) {
                seen[at] = i;
            }
        }
    }
    free(byid);
    free(seen);
    return ok;
}

static int
check_questionnaire(const ProtobufCMessage *m)
{
    const tx_questionnaire_pb *q = (const tx_questionnaire_pb *)m;

    if (q->id[0] == 0 || q->n_areas == 0 || q->n_items == 0 || q->n_scale == 0 || !topics_ok(q)) {
        return 0;
    }
    for (size_t i = 0; i < q->n_items; i++) {
        int found = 0;
        if (q->items[i]->id[0] == 0 || q->items[i]->text == NULL) {
            return 0;
        }
        for (size_t a = 0; a < q->n_areas && !found; a++) {
            found = strcmp(q->areas[a]->id, q->items[i]->area) == 0;
        }
        if (!found) {
            return 0;
        }
    }
    for (size_t i = 0; i < q->n_scale; i++) {
        if (q->scale[i]->code[0] == 0 || q->scale[i]->score_permille > 1000) {
            return 0;
        }
    }
    return 1;
}

/* A request's sealed note: none at all, or a nonce, a ciphertext of at most TX_REQUEST_NOTE_MAX
 * bytes plus its tag, and one sealed key per supplier plus one for the signer; never beside a
 * plaintext note. */
static int
note_ok(const tx_request_pb *r)
{
    if (r->note_sealed.len == 0) {
        return r->note_nonce.len == 0 && r->n_note_keys == 0;
    }
    if (r->note[0] != 0 || r->note_nonce.len != TX_NONCE_LEN ||
        r->note_sealed.len <= TX_AEAD_TAG_LEN ||
        r->note_sealed.len > TX_REQUEST_NOTE_MAX + TX_AEAD_TAG_LEN ||
        r->n_note_keys != r->n_suppliers + 1) {
        return 0;
    }
    for (size_t i = 0; i < r->n_note_keys; i++) {
        if (r->note_keys[i].len != TX_SEALED_KEY_LEN) {
            return 0;
        }
    }
    return 1;
}

static int
check_request(const ProtobufCMessage *m)
{
    const tx_request_pb *r = (const tx_request_pb *)m;

    return r->n_suppliers > 0 && ids_ok(r->suppliers, r->n_suppliers, 0) &&
           ids_ok(&r->origin_buyer, 1, 1) && note_ok(r);
}

/* The key sealed to the organisation is a sealed box of one content key, or absent (older). */
static int
check_sealed(const ProtobufCMessage *m)
{
    const tx_sealed_pb *s = (const tx_sealed_pb *)m;

    return s->nonce.len == TX_NONCE_LEN && s->ciphertext.len > TX_AEAD_TAG_LEN &&
           (s->org_key_sealed.len == 0 || s->org_key_sealed.len == TX_SEALED_KEY_LEN);
}

static int
check_grant(const ProtobufCMessage *m)
{
    const tx_grant_pb *g = (const tx_grant_pb *)m;

    return g->grantee.len == TX_KEY_LEN && g->sealed_key.len == TX_SEALED_KEY_LEN;
}

static int
check_grant_revoke(const ProtobufCMessage *m)
{
    return ((const tx_grant_revoke_pb *)m)->grantee.len == TX_KEY_LEN;
}

static int
check_accreditation(const ProtobufCMessage *m)
{
    const tx_accreditation_pb *a = (const tx_accreditation_pb *)m;

    for (size_t i = 0; i < a->n_scopes; i++) {
        if (a->scopes[i][0] == 0) {
            return 0;
        }
    }
    return a->body_key.len == TX_KEY_LEN && a->body_name[0] != 0 && a->n_scopes > 0 &&
           a->valid_until >= a->valid_from;
}

static int
check_certificate(const ProtobufCMessage *m)
{
    const tx_certificate_pb *c = (const tx_certificate_pb *)m;

    return c->number[0] != 0 && c->holder_key.len == TX_KEY_LEN && c->holder_name[0] != 0 &&
           tx_corporate_number_valid(c->corporate_number) && c->scope[0] != 0 &&
           (c->criteria_version == 2018 || c->criteria_version == 2024) && c->expires > c->issued &&
           c->expires <= tx_certificate_max_expiry(c->issued);
}

static int
check_cert_event(const ProtobufCMessage *m)
{
    return ((const tx_cert_event_pb *)m)->kind != TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_NONE;
}

static int
check_evidence_chunk(const ProtobufCMessage *m)
{
    const tx_evidence_chunk_pb *c = (const tx_evidence_chunk_pb *)m;

    return c->nonce.len == TX_NONCE_LEN && c->ciphertext.len > TX_AEAD_TAG_LEN;
}

static int
check_register(const ProtobufCMessage *m)
{
    const tx_register_pb *r = (const tx_register_pb *)m;

    return r->list[0] != 0 && r->as_of > 0;
}

/* Both keys of the organisation and the member are keys; the organisation is the signer, which
 * the hub and every verifier check (the payload alone cannot). */
static int
check_member(const ProtobufCMessage *m)
{
    const tx_member_pb *r = (const tx_member_pb *)m;

    return r->organisation.len == TX_KEY_LEN && r->signing_key.len == TX_KEY_LEN &&
           r->seal_key.len == TX_KEY_LEN && r->transport_key.len == TX_KEY_LEN &&
           memcmp(r->organisation.data, r->signing_key.data, TX_KEY_LEN) != 0 && r->name[0] != 0 &&
           r->role >= TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_VIEWER &&
           r->role <= TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN && r->valid_from >= 0 &&
           (r->valid_until == 0 || r->valid_until > r->valid_from) &&
           (r->org_seal_key.len == 0 || r->org_seal_key.len == TX_SEALED_KEY_LEN);
}

/* The sealed answer is longer than a sealed box's overhead and a key (a signed envelope is). */
static int
check_draft(const ProtobufCMessage *m)
{
    const tx_draft_pb *d = (const tx_draft_pb *)m;

    return d->sealed.len > TX_SEALED_KEY_LEN;
}

/* Approved names the assessment sent, rejected none; a note is a sealed box or absent. */
static int
check_draft_decision(const ProtobufCMessage *m)
{
    const tx_draft_decision_pb *d = (const tx_draft_decision_pb *)m;

    return (d->approved ? d->assessment.len == TX_ID_LEN : d->assessment.len == 0) &&
           (d->note_sealed.len == 0 || d->note_sealed.len > TX_SEALED_KEY_LEN - TX_KEY_LEN);
}

static int
check_org_settings(const ProtobufCMessage *m)
{
    return ((const tx_org_settings_pb *)m)->organisation.len == TX_KEY_LEN;
}

static int
check_grant_approval(const ProtobufCMessage *m)
{
    return ((const tx_grant_approval_pb *)m)->grantee.len == TX_KEY_LEN;
}

static int
check_member_remove(const ProtobufCMessage *m)
{
    const tx_member_remove_pb *r = (const tx_member_remove_pb *)m;

    return r->organisation.len == TX_KEY_LEN && r->signing_key.len == TX_KEY_LEN &&
           r->effective >= 0;
}

/* Five keys of 32 bytes, three of them new (the successor's signing key is neither the
 * organisation's nor the one it replaces) and a signature; that the signature is the successor's
 * (keys/tx_key_proof.h) and the signer the predecessor, the hub and every verifier check. */
static int
check_key_successor(const ProtobufCMessage *m)
{
    const tx_key_successor_pb *r = (const tx_key_successor_pb *)m;

    return r->organisation.len == TX_KEY_LEN && r->predecessor.len == TX_KEY_LEN &&
           r->signing_key.len == TX_KEY_LEN && r->seal_key.len == TX_KEY_LEN &&
           r->transport_key.len == TX_KEY_LEN && r->proof.len == TX_SIG_LEN &&
           memcmp(r->signing_key.data, r->organisation.data, TX_KEY_LEN) != 0 &&
           memcmp(r->signing_key.data, r->predecessor.data, TX_KEY_LEN) != 0 && r->effective >= 0;
}

/* Two keys of 32 bytes, a date and a reason; that the signer is the organisation's key in force
 * and the key one of its people or replaced keys, the hub and every verifier check. */
static int
check_key_revocation(const ProtobufCMessage *m)
{
    const tx_key_revocation_pb *r = (const tx_key_revocation_pb *)m;

    return r->organisation.len == TX_KEY_LEN && r->key.len == TX_KEY_LEN && r->from >= 0 &&
           r->reason[0] != 0;
}

/* Five keys of 32 bytes (the new key not the organisation's nor the one replaced), a 13-digit
 * corporate number with its check digit, and the new profile's bytes. */
static int
check_key_reenrolment(const ProtobufCMessage *m)
{
    const tx_key_reenrolment_pb *r = (const tx_key_reenrolment_pb *)m;

    return r->organisation.len == TX_KEY_LEN && r->replaces.len == TX_KEY_LEN &&
           r->signing_key.len == TX_KEY_LEN && r->seal_key.len == TX_KEY_LEN &&
           r->transport_key.len == TX_KEY_LEN &&
           memcmp(r->signing_key.data, r->organisation.data, TX_KEY_LEN) != 0 &&
           memcmp(r->signing_key.data, r->replaces.data, TX_KEY_LEN) != 0 && r->effective >= 0 &&
           r->compromised_from >= 0 && tx_corporate_number_valid(r->corporate_number) &&
           r->profile.len > 0;
}

static int
check_checkpoint(const ProtobufCMessage *m)
{
    const tx_checkpoint_pb *c = (const tx_checkpoint_pb *)m;

    return c->root.len == TX_ID_LEN && c->time >= 0; /* root: a SHA-256, like an id */
}

static int
check_inner_assessment(const ProtobufCMessage *m)
{
    const tx_assessment_pb *a = (const tx_assessment_pb *)m;

    /* A sub-supplier is named; its key is optional (it may not be enrolled). */
    for (size_t i = 0; i < a->n_suppliers; i++) {
        if (a->suppliers[i]->name[0] == 0 || !ids_ok(&a->suppliers[i]->key, 1, 1)) {
            return 0;
        }
    }
    return 1;
}

#define META(type) offsetof(type, meta)
#define FIELD(type, f) .field = #f, .offset = offsetof(type, f)

/* In kind order (tx_kind_at walks them so). */
static const tx_kind_info kinds[] = {
    {
        .kind = TX_KIND_PROFILE,
        .name = "profile",
        .payload_type = "application/vnd.ticsx.profile.v1",
        .desc = &ticsx__v1__org_profile__descriptor,
        .flags = TX_KIND_STORED | TX_KIND_PUBLIC,
        .meta = META(tx_profile_pb),
        .check = check_profile,
    },
    {
        .kind = TX_KIND_QUESTIONNAIRE,
        .name = "questionnaire",
        .payload_type = "application/vnd.ticsx.questionnaire.v1",
        .desc = &ticsx__v1__questionnaire__descriptor,
        .flags = TX_KIND_STORED | TX_KIND_PUBLIC,
        .meta = META(tx_questionnaire_pb),
        .check = check_questionnaire,
    },
    {
        .kind = TX_KIND_REQUEST,
        .name = "request",
        .payload_type = "application/vnd.ticsx.request.v1",
        .desc = &ticsx__v1__request__descriptor,
        .flags = TX_KIND_STORED,
        .meta = META(tx_request_pb),
        .check = check_request,
        .refs = {{FIELD(tx_request_pb, questionnaire), .noun = "questionnaire",
                  .kind = TX_KIND_QUESTIONNAIRE, .rule = TX_REF_STORED},
                 {FIELD(tx_request_pb, on_behalf_of), .noun = "original request",
                  .kind = TX_KIND_REQUEST, .flags = TX_REF_OPTIONAL, .rule = TX_REF_NAMED}},
    },
    {
        .kind = TX_KIND_ASSESSMENT,
        .name = "assessment",
        .payload_type = "application/vnd.ticsx.sealed-assessment.v1",
        .desc = &ticsx__v1__sealed_assessment__descriptor,
        .flags = TX_KIND_STORED,
        .meta = META(tx_sealed_pb),
        .check = check_sealed,
        /* Only the author of an assessment may supersede it. */
        .refs = {{FIELD(tx_sealed_pb, questionnaire), .noun = "questionnaire",
                  .kind = TX_KIND_QUESTIONNAIRE, .rule = TX_REF_STORED},
                 {FIELD(tx_sealed_pb, supersedes), .noun = "superseded assessment",
                  .kind = TX_KIND_ASSESSMENT, .flags = TX_REF_OPTIONAL | TX_REF_REPLACES,
                  .rule = TX_REF_OWN}},
    },
    {
        .kind = TX_KIND_GRANT,
        .name = "grant",
        .payload_type = "application/vnd.ticsx.grant.v1",
        .desc = &ticsx__v1__grant__descriptor,
        .flags = TX_KIND_STORED,
        .meta = META(tx_grant_pb),
        .check = check_grant,
        .refs = {{FIELD(tx_grant_pb, assessment), .noun = "assessment", .kind = TX_KIND_ASSESSMENT,
                  .rule = TX_REF_OWN},
                 {FIELD(tx_grant_pb, request), .noun = "request", .kind = TX_KIND_REQUEST,
                  .flags = TX_REF_OPTIONAL, .rule = TX_REF_NAMED}},
    },
    {
        .kind = TX_KIND_GRANT_REVOKE,
        .name = "grant revocation",
        .payload_type = "application/vnd.ticsx.grant-revoke.v1",
        .desc = &ticsx__v1__grant_revoke__descriptor,
        .flags = TX_KIND_STORED,
        .meta = META(tx_grant_revoke_pb),
        .check = check_grant_revoke,
        /* The assessment must be the grant's own: the hub checks it through the grant. */
        .refs = {{FIELD(tx_grant_revoke_pb, grant), .noun = "grant", .kind = TX_KIND_GRANT,
                  .rule = TX_REF_OWN},
                 {FIELD(tx_grant_revoke_pb, assessment), .noun = "assessment",
                  .kind = TX_KIND_ASSESSMENT, .rule = TX_REF_NAMED}},
    },
    {
        .kind = TX_KIND_ACCREDITATION,
        .name = "accreditation",
        .payload_type = "application/vnd.ticsx.accreditation.v1",
        .desc = &ticsx__v1__accreditation__descriptor,
        .flags = TX_KIND_STORED | TX_KIND_PUBLIC,
        .meta = META(tx_accreditation_pb),
        .check = check_accreditation,
    },
    {
        .kind = TX_KIND_CERTIFICATE,
        .name = "certificate",
        .payload_type = "application/vnd.ticsx.certificate.v1",
        .desc = &ticsx__v1__certificate__descriptor,
        .flags = TX_KIND_STORED | TX_KIND_PUBLIC,
        .meta = META(tx_certificate_pb),
        .check = check_certificate,
    },
    {
        .kind = TX_KIND_CERT_EVENT,
        .name = "certificate event",
        .payload_type = "application/vnd.ticsx.certificate-event.v1",
        .desc = &ticsx__v1__certificate_event__descriptor,
        .flags = TX_KIND_STORED | TX_KIND_PUBLIC,
        .meta = META(tx_cert_event_pb),
        .check = check_cert_event,
        .refs = {{FIELD(tx_cert_event_pb, certificate), .noun = "certificate",
                  .kind = TX_KIND_CERTIFICATE, .rule = TX_REF_AUTHOR,
                  .act = "record events for it"}},
    },
    {
        .kind = TX_KIND_CHECKPOINT,
        .name = "checkpoint",
        .payload_type = "application/vnd.ticsx.checkpoint.v1",
        .desc = &ticsx__v1__checkpoint__descriptor,
        .check = check_checkpoint,
    },
    {
        .kind = TX_KIND_EVIDENCE_CHUNK,
        .name = "evidence chunk",
        .payload_type = "application/vnd.ticsx.evidence-chunk.v1",
        .desc = &ticsx__v1__evidence_chunk__descriptor,
        .flags = TX_KIND_STORED,
        .meta = META(tx_evidence_chunk_pb),
        .check = check_evidence_chunk,
    },
    {
        .kind = TX_KIND_REGISTER,
        .name = "register",
        .payload_type = "application/vnd.ticsx.register.v1",
        .desc = &ticsx__v1__register__descriptor,
        .flags = TX_KIND_STORED | TX_KIND_PUBLIC,
        .meta = META(tx_register_pb),
        .check = check_register,
    },
    {
        .kind = TX_KIND_MEMBER,
        .name = "member",
        .payload_type = "application/vnd.ticsx.member.v1",
        .desc = &ticsx__v1__member_record__descriptor,
        .flags = TX_KIND_STORED | TX_KIND_PUBLIC,
        .meta = META(tx_member_pb),
        .check = check_member,
    },
    {
        .kind = TX_KIND_MEMBER_REMOVE,
        .name = "member removal",
        .payload_type = "application/vnd.ticsx.member-remove.v1",
        .desc = &ticsx__v1__member_remove__descriptor,
        .flags = TX_KIND_STORED | TX_KIND_PUBLIC,
        .meta = META(tx_member_remove_pb),
        .check = check_member_remove,
    },
    {
        .kind = TX_KIND_DRAFT,
        .name = "draft",
        .payload_type = "application/vnd.ticsx.draft.v1",
        .desc = &ticsx__v1__draft__descriptor,
        .flags = TX_KIND_STORED,
        .meta = META(tx_draft_pb),
        .check = check_draft,
        .refs = {{FIELD(tx_draft_pb, request), .noun = "request", .kind = TX_KIND_REQUEST,
                  .rule = TX_REF_STORED},
                 {FIELD(tx_draft_pb, questionnaire), .noun = "questionnaire",
                  .kind = TX_KIND_QUESTIONNAIRE, .rule = TX_REF_STORED}},
    },
    {
        .kind = TX_KIND_DRAFT_DECISION,
        .name = "draft decision",
        .payload_type = "application/vnd.ticsx.draft-decision.v1",
        .desc = &ticsx__v1__draft_decision__descriptor,
        .flags = TX_KIND_STORED,
        .meta = META(tx_draft_decision_pb),
        .check = check_draft_decision,
        .refs = {{FIELD(tx_draft_decision_pb, draft), .noun = "draft", .kind = TX_KIND_DRAFT,
                  .rule = TX_REF_STORED},
                 {FIELD(tx_draft_decision_pb, assessment), .noun = "approved assessment",
                  .kind = TX_KIND_ASSESSMENT, .flags = TX_REF_OPTIONAL, .rule = TX_REF_OWN}},
    },
    {
        .kind = TX_KIND_KEY_SUCCESSOR,
        .name = "key successor",
        .payload_type = "application/vnd.ticsx.key-successor.v1",
        .desc = &ticsx__v1__key_successor__descriptor,
        .flags = TX_KIND_STORED | TX_KIND_PUBLIC,
        .meta = META(tx_key_successor_pb),
        .check = check_key_successor,
    },
    {
        .kind = TX_KIND_KEY_REVOCATION,
        .name = "key revocation",
        .payload_type = "application/vnd.ticsx.key-revocation.v1",
        .desc = &ticsx__v1__key_revocation__descriptor,
        .flags = TX_KIND_STORED | TX_KIND_PUBLIC,
        .meta = META(tx_key_revocation_pb),
        .check = check_key_revocation,
    },
    {
        .kind = TX_KIND_KEY_REENROLMENT,
        .name = "key re-enrolment",
        .payload_type = "application/vnd.ticsx.key-reenrolment.v1",
        .desc = &ticsx__v1__key_reenrolment__descriptor,
        .flags = TX_KIND_STORED | TX_KIND_PUBLIC,
        .meta = META(tx_key_reenrolment_pb),
        .check = check_key_reenrolment,
    },
    {
        .kind = TX_KIND_ORG_SETTINGS,
        .name = "organisation settings",
        .payload_type = "application/vnd.ticsx.org-settings.v1",
        .desc = &ticsx__v1__org_settings__descriptor,
        .flags = TX_KIND_STORED | TX_KIND_PUBLIC,
        .meta = META(tx_org_settings_pb),
        .check = check_org_settings,
    },
    {
        .kind = TX_KIND_GRANT_APPROVAL,
        .name = "grant approval",
        .payload_type = "application/vnd.ticsx.grant-approval.v1",
        .desc = &ticsx__v1__grant_approval__descriptor,
        .flags = TX_KIND_STORED,
        .meta = META(tx_grant_approval_pb),
        .check = check_grant_approval,
        /* A grant of the approver's own organisation; the hub checks the rest (tx_approval.c). */
        .refs = {{FIELD(tx_grant_approval_pb, grant), .noun = "grant", .kind = TX_KIND_GRANT,
                  .rule = TX_REF_OWN}},
    },
    {
        .kind = TX_KIND_INNER_ASSESSMENT,
        .name = "inner assessment",
        .payload_type = "application/vnd.ticsx.assessment.v1",
        .desc = &ticsx__v1__assessment__descriptor,
        .meta = META(tx_assessment_pb),
        .check = check_inner_assessment,
        .refs = {{FIELD(tx_assessment_pb, questionnaire), .noun = "questionnaire",
                  .kind = TX_KIND_QUESTIONNAIRE, .rule = TX_REF_NAMED},
                 {FIELD(tx_assessment_pb, request), .noun = "request", .kind = TX_KIND_REQUEST,
                  .flags = TX_REF_OPTIONAL, .rule = TX_REF_NAMED},
                 {FIELD(tx_assessment_pb, certificate), .noun = "certificate",
                  .kind = TX_KIND_CERTIFICATE, .flags = TX_REF_OPTIONAL, .rule = TX_REF_NAMED}},
    },
};

const tx_kind_info *
tx_kind_get(int kind)
{
    for (size_t i = 0; i < TX_ARRAY_LEN(kinds); i++) {
        if (kinds[i].kind == kind) {
            return &kinds[i];
        }
    }
    return NULL;
}

size_t
tx_kind_count(void)
{
    return TX_ARRAY_LEN(kinds);
}

const tx_kind_info *
tx_kind_at(size_t i)
{
    return i < TX_ARRAY_LEN(kinds) ? &kinds[i] : NULL;
}

const char *
tx_kind_payload_type(int kind)
{
    const tx_kind_info *k = tx_kind_get(kind);

    return k != NULL ? k->payload_type : NULL;
}

int
tx_kind_from_payload_type(const char *type)
{
    for (size_t i = 0; i < TX_ARRAY_LEN(kinds); i++) {
        if (strcmp(kinds[i].payload_type, type) == 0) {
            return kinds[i].kind;
        }
    }
    return TX_KIND_NONE;
}

const char *
tx_kind_name(int kind)
{
    const tx_kind_info *k = tx_kind_get(kind);

    return k != NULL ? k->name : "unknown";
}

int
tx_kind_is_stored(int kind)
{
    const tx_kind_info *k = tx_kind_get(kind);

    return k != NULL && (k->flags & TX_KIND_STORED) != 0;
}

int
tx_kind_is_public(int kind)
{
    const tx_kind_info *k = tx_kind_get(kind);

    return k != NULL && (k->flags & TX_KIND_PUBLIC) != 0;
}

static const tx_meta_pb *
meta_of(const tx_kind_info *k, const ProtobufCMessage *m)
{
    return k->meta != 0 ? *(const tx_meta_pb *const *)((const char *)m + k->meta) : NULL;
}

static const ProtobufCBinaryData *
ref_of(const tx_kind_ref *r, const ProtobufCMessage *m)
{
    return (const ProtobufCBinaryData *)((const char *)m + r->offset);
}

int
tx_kind_check(int kind, const ProtobufCMessage *m)
{
    const tx_kind_info *k = tx_kind_get(kind);
    const tx_meta_pb *meta;

    if (k == NULL || m == NULL || m->descriptor != k->desc) {
        return 0;
    }
    meta = meta_of(k, m);
    if (k->meta != 0 && (meta == NULL || meta->seq == 0)) {
        return 0;
    }
    for (const tx_kind_ref *r = k->refs; r < k->refs + TX_KIND_MAX_REFS && r->field; r++) {
        if (!ids_ok(ref_of(r, m), 1, (r->flags & TX_REF_OPTIONAL) != 0)) {
            return 0;
        }
    }
    return k->check(m);
}

uint64_t
tx_kind_seq(int kind, const ProtobufCMessage *m)
{
    const tx_kind_info *k = tx_kind_get(kind);
    const tx_meta_pb *meta = k != NULL ? meta_of(k, m) : NULL;

    return meta != NULL ? meta->seq : 0;
}

int64_t
tx_kind_created(int kind, const ProtobufCMessage *m)
{
    const tx_kind_info *k = tx_kind_get(kind);
    const tx_meta_pb *meta = k != NULL ? meta_of(k, m) : NULL;

    return meta != NULL ? meta->created : 0;
}

size_t
tx_kind_refs(int kind, const ProtobufCMessage *m, tx_ref out[TX_KIND_MAX_REFS])
{
    const tx_kind_info *k = tx_kind_get(kind);
    size_t n = 0;

    if (k == NULL) {
        return 0;
    }
    for (const tx_kind_ref *r = k->refs; r < k->refs + TX_KIND_MAX_REFS && r->field; r++) {
        const ProtobufCBinaryData *v = ref_of(r, m);

        if (v->len == TX_ID_LEN) {
            out[n].ref = r;
            out[n++].id = v->data;
        }
    }
    return n;
}

const uint8_t *
tx_kind_replaced(int kind, const ProtobufCMessage *m)
{
    tx_ref refs[TX_KIND_MAX_REFS];
    size_t n = tx_kind_refs(kind, m, refs);

    for (size_t i = 0; i < n; i++) {
        if (refs[i].ref->flags & TX_REF_REPLACES) {
            return refs[i].id;
        }
    }
    return NULL;
}

int
tx_corporate_number_valid(const char *s)
{
    unsigned sum = 0;

    if (strlen(s) != 13) {
        return 0;
    }
    for (int i = 0; i < 13; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    /* Check digit = 9 - (sum of the 12 base digits, weighted 1 and 2 alternately from the
     * right, mod 9). */
    for (int n = 1; n <= 12; n++) {
        unsigned digit = (unsigned)(s[13 - n] - '0');
        sum += digit * ((n % 2 == 1) ? 1u : 2u);
    }
    return (unsigned)(s[0] - '0') == 9u - (sum % 9u);
}

int64_t
tx_certificate_max_expiry(int64_t issued)
{
    time_t t = (time_t)issued;
    struct tm tm;

    /* Three calendar years; 29 February runs on to 1 March. Out-of-range dates get no room. */
    if (gmtime_r(&t, &tm) == NULL || tm.tm_year > 9000) {
        return issued;
    }
    tm.tm_year += 3;
    return (int64_t)timegm(&tm);
}

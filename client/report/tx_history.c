/* The history's events from one pass over the cache, narrowed to an assessment's version line
 * or an organisation, unproven records left out, newest first. */
#include "tx_history.h"

#include "tx_cache_scan.h"
#include "tx_cert_judge.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_idmap.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_signer.h"
#include "tx_trust.h"
#include "tx_two_officers.h"
#include "tx_util.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    tx_history *h;
    size_t cap;
    tx_recs grants, approvals, settings; /* copies, for the two-officer rule */
} builder;

static int
want(void *ctx, int kind, const uint8_t *signer)
{
    (void)ctx;
    (void)signer;
    return kind == TX_KIND_REQUEST || kind == TX_KIND_ASSESSMENT || kind == TX_KIND_GRANT ||
           kind == TX_KIND_GRANT_REVOKE || kind == TX_KIND_CERTIFICATE ||
           kind == TX_KIND_CERT_EVENT || kind == TX_KIND_ACCREDITATION || kind == TX_KIND_MEMBER ||
           kind == TX_KIND_MEMBER_REMOVE || kind == TX_KIND_KEY_SUCCESSOR ||
           kind == TX_KIND_KEY_REVOCATION || kind == TX_KIND_KEY_REENROLMENT ||
           kind == TX_KIND_ORG_SETTINGS || kind == TX_KIND_GRANT_APPROVAL;
}

/* A new event of rec, zeroed but for kind, signer, record and index; NULL when out of memory. */
static tx_history_event *
add(builder *b, int kind, const tx_rec *rec, const tx_meta_pb *meta, uint64_t index)
{
    tx_history *h = b->h;
    tx_history_event *e;

    if (h->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        tx_history_event *grown = realloc(h->v, cap * sizeof *grown);
        if (grown == NULL) {
            return NULL;
        }
        h->v = grown;
        b->cap = cap;
    }
    e = &h->v[h->n++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->at = meta != NULL ? meta->created : 0;
    memcpy(e->actor, tx_rec_signer(rec), TX_KEY_LEN);
    memcpy(e->record, rec->id, TX_ID_LEN);
    e->log_index = index;
    return e;
}

static void
set_id(int *has, uint8_t out[TX_ID_LEN], const ProtobufCBinaryData *b)
{
    *has = b->len == TX_ID_LEN;
    if (*has) {
        memcpy(out, b->data, TX_ID_LEN);
    }
}

static void
set_key(tx_history_event *e, const ProtobufCBinaryData *b)
{
    e->has_subject = b->len == TX_KEY_LEN;
    if (e->has_subject) {
        memcpy(e->subject, b->data, TX_KEY_LEN);
    }
}

/* One event per supplier asked: each row then names who was asked. */
static int
take_request(builder *b, const tx_rec *rec, uint64_t index)
{
    const tx_request_pb *r = (const tx_request_pb *)rec->msg;
    int kind = r->on_behalf_of.len != 0 ? TX_HIST_FORWARDED : TX_HIST_REQUESTED;
    char d[16];

    for (size_t i = 0; i < r->n_suppliers; i++) {
        tx_history_event *e = add(b, kind, rec, r->meta, index);
        if (e == NULL) {
            return TX_ERR_NOMEM;
        }
        set_key(e, &r->suppliers[i]);
        set_id(&e->has_request, e->request, &r->on_behalf_of);
        if (r->due != 0) {
            tx_format_date(d, sizeof d, r->due);
            snprintf(e->detail, sizeof e->detail, _("due %s"), d);
        }
    }
    return TX_OK;
}

static int
take_assessment(builder *b, const tx_rec *rec, uint64_t index)
{
    const tx_sealed_pb *a = (const tx_sealed_pb *)rec->msg;
    tx_history_event *e = add(b, TX_HIST_ANSWERED, rec, a->meta, index);
    char hex[2 * TX_ID_LEN + 1], hex_new[2 * TX_ID_LEN + 1];

    if (e == NULL) {
        return TX_ERR_NOMEM;
    }
    e->has_about = 1;
    memcpy(e->about, rec->id, TX_ID_LEN);
    if (a->supersedes.len == TX_ID_LEN) {
        if ((e = add(b, TX_HIST_SUPERSEDED, rec, a->meta, index)) == NULL) {
            return TX_ERR_NOMEM;
        }
        set_id(&e->has_about, e->about, &a->supersedes);
        tx_hex(hex, a->supersedes.data, TX_ID_LEN);
        tx_hex(hex_new, rec->id, TX_ID_LEN);
        snprintf(e->detail, sizeof e->detail, _("%.16s replaced by %.16s"), hex, hex_new);
    }
    return TX_OK;
}

static int
take_grant(builder *b, const tx_rec *rec, uint64_t index)
{
    const tx_grant_pb *g = (const tx_grant_pb *)rec->msg;
    tx_history_event *e = add(b, TX_HIST_GRANTED, rec, g->meta, index);
    char d[16];

    if (e == NULL) {
        return TX_ERR_NOMEM;
    }
    set_key(e, &g->grantee);
    set_id(&e->has_about, e->about, &g->assessment);
    set_id(&e->has_request, e->request, &g->request);
    if (g->until != 0) {
        tx_format_date(d, sizeof d, g->until);
        snprintf(e->detail, sizeof e->detail, _("until %s"), d);
    }
    return TX_OK;
}

static int
take_revoke(builder *b, const tx_rec *rec, uint64_t index)
{
    const tx_grant_revoke_pb *g = (const tx_grant_revoke_pb *)rec->msg;
    tx_history_event *e = add(b, TX_HIST_REVOKED, rec, g->meta, index);

    if (e == NULL) {
        return TX_ERR_NOMEM;
    }
    set_key(e, &g->grantee);
    set_id(&e->has_about, e->about, &g->assessment);
    return TX_OK;
}

static int
take_certificate(builder *b, const tx_rec *rec, uint64_t index)
{
    const tx_certificate_pb *c = (const tx_certificate_pb *)rec->msg;
    tx_history_event *e = add(b, TX_HIST_CERTIFIED, rec, c->meta, index);

    if (e == NULL) {
        return TX_ERR_NOMEM;
    }
    set_key(e, &c->holder_key);
    e->has_about = 1;
    memcpy(e->about, rec->id, TX_ID_LEN);
    snprintf(e->detail, sizeof e->detail, "%s", c->number != NULL ? c->number : "");
    return TX_OK;
}

/* The holder is the certificate's: set once every certificate is read (holder_of). */
static int
take_cert_event(builder *b, const tx_rec *rec, uint64_t index)
{
    static const int kinds[] = {
        [TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT] = TX_HIST_CERT_REPORT,
        [TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_SUSPENDED] = TX_HIST_CERT_SUSPENDED,
        [TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REVOKED] = TX_HIST_CERT_REVOKED,
        [TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REINSTATED] = TX_HIST_CERT_REINSTATED,
    };
    const tx_cert_event_pb *ev = (const tx_cert_event_pb *)rec->msg;
    tx_history_event *e;

    if (ev->kind <= 0 || (size_t)ev->kind >= TX_ARRAY_LEN(kinds)) {
        return TX_OK; /* a kind this client does not know: not a step it can name */
    }
    if ((e = add(b, kinds[ev->kind], rec, ev->meta, index)) == NULL) {
        return TX_ERR_NOMEM;
    }
    set_id(&e->has_about, e->about, &ev->certificate);
    snprintf(e->detail, sizeof e->detail, "%s", ev->note != NULL ? ev->note : "");
    return TX_OK;
}

/* Keeps a copy of rec (opened again from a copy of its bytes: the scan frees its own) with its
 * log index: member records and removals for the people who signed for their organisations,
 * grants, approvals and settings for the two-officer rule. */
static int
keep_copy(tx_recs *into, const tx_rec *rec, uint64_t index)
{
    tx_rec copy = {0};
    uint8_t *bytes = malloc(rec->len);
    int rc;

    if (bytes == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(bytes, rec->bytes, rec->len);
    if ((rc = tx_rec_open_known(&copy, bytes, rec->len, rec->kind, rec->id)) == TX_OK) {
        copy.index = index;
        rc = tx_recs_push(into, &copy);
    }
    tx_rec_clear(&copy);
    return rc;
}

/* A key successor resolves signatures (as a member record does) and is an event: the key that
 * signed it (its organisation) names its successor from a date. */
static int
take_successor(builder *b, const tx_rec *rec, uint64_t index)
{
    const tx_key_successor_pb *r = (const tx_key_successor_pb *)rec->msg;
    tx_history_event *e;
    char fp[TX_FP_LEN], d[16];
    int rc = keep_copy(&b->h->people, rec, index);

    if (rc != TX_OK || (e = add(b, TX_HIST_KEY_ROTATED, rec, r->meta, index)) == NULL) {
        return rc != TX_OK ? rc : TX_ERR_NOMEM;
    }
    tx_fingerprint(r->signing_key.data, fp);
    tx_format_date(d, sizeof d, r->effective);
    snprintf(e->detail, sizeof e->detail, _("new key %s from %s"), fp, d);
    return TX_OK;
}

/* A key revocation flags signatures (tx_signer) and is an event: the organisation reported a
 * key lost from a date, with its reason. */
static int
take_revocation(builder *b, const tx_rec *rec, uint64_t index)
{
    const tx_key_revocation_pb *r = (const tx_key_revocation_pb *)rec->msg;
    tx_history_event *e;
    char fp[TX_FP_LEN], d[16];
    int rc = keep_copy(&b->h->people, rec, index);

    if (rc != TX_OK || (e = add(b, TX_HIST_KEY_REVOKED, rec, r->meta, index)) == NULL) {
        return rc != TX_OK ? rc : TX_ERR_NOMEM;
    }
    tx_fingerprint(r->key.data, fp);
    tx_format_date(d, sizeof d, r->from);
    snprintf(e->detail, sizeof e->detail, _("%s from %s: %.60s"), fp, d, r->reason);
    return TX_OK;
}

/* A re-enrolment is an event of the organisation it concerns (the hub signed it): its new key,
 * the date and the corporate number the operator checked. */
static int
take_reenrolment(builder *b, const tx_rec *rec, uint64_t index)
{
    const tx_key_reenrolment_pb *r = (const tx_key_reenrolment_pb *)rec->msg;
    tx_history_event *e;
    char fp[TX_FP_LEN], d[16];
    int rc = keep_copy(&b->h->people, rec, index);

    if (rc != TX_OK || (e = add(b, TX_HIST_KEY_REENROLLED, rec, r->meta, index)) == NULL) {
        return rc != TX_OK ? rc : TX_ERR_NOMEM;
    }
    memcpy(e->actor, r->organisation.data, TX_KEY_LEN);
    tx_fingerprint(r->signing_key.data, fp);
    tx_format_date(d, sizeof d, r->effective);
    snprintf(e->detail, sizeof e->detail,
             _("new key %s on %s (corporate number %s checked); accept it with ticsx key accept"),
             fp, d, r->corporate_number);
    return TX_OK;
}

static int
take_settings(builder *b, const tx_rec *rec, uint64_t index)
{
    const tx_org_settings_pb *o = (const tx_org_settings_pb *)rec->msg;
    tx_history_event *e = add(b, TX_HIST_SETTINGS, rec, o->meta, index);

    if (e == NULL) {
        return TX_ERR_NOMEM;
    }
    snprintf(e->detail, sizeof e->detail, "%s", tx_two_officers_label(o->two_officers));
    return keep_copy(&b->settings, rec, index);
}

/* The assessment is the approved grant's, when it is cached (approved_grants). */
static int
take_approval(builder *b, const tx_rec *rec, uint64_t index)
{
    const tx_grant_approval_pb *a = (const tx_grant_approval_pb *)rec->msg;
    tx_history_event *e = add(b, TX_HIST_APPROVED, rec, a->meta, index);
    char hex[2 * TX_ID_LEN + 1] = "";

    if (e == NULL) {
        return TX_ERR_NOMEM;
    }
    set_key(e, &a->grantee);
    set_id(&e->has_grant, e->grant, &a->grant);
    if (a->grant.len == TX_ID_LEN) {
        tx_hex(hex, a->grant.data, TX_ID_LEN);
    }
    snprintf(e->detail, sizeof e->detail, _("grant %.16s"), hex);
    return keep_copy(&b->approvals, rec, index);
}

/* An event signed by a person counts as its organisation's: the actor becomes the
 * organisation its member records name (at the signing time), the person is named. Member
 * records a re-enrolled key signed count once the user of `home` accepted that key. */
static void
resolve_people(tx_home *home, tx_history *h)
{
    for (size_t i = 0; i < h->n && h->people.n > 0; i++) {
        tx_history_event *e = &h->v[i];
        tx_signer_info who;

        if (tx_signer_resolve_for(&h->people, e->actor, e->at, home, &who) == TX_OK) {
            memcpy(e->actor, who.org, TX_KEY_LEN);
            snprintf(e->member, sizeof e->member, "%.*s", (int)sizeof e->member - 1, who.name);
            if (tx_signer_compromised(&who, e->at, e->log_index)) {
                /* Flagged where it is shown: the signing key was reported lost. */
                snprintf(e->detail, sizeof e->detail, _("signed with a key reported lost: %.100s"),
                         who.revoked_reason);
            }
        }
    }
}

static int
take(void *ctx, const tx_rec *rec, uint64_t index)
{
    builder *b = ctx;
    int rc;

    switch (rec->kind) {
    case TX_KIND_REQUEST:
        return take_request(b, rec, index);
    case TX_KIND_ASSESSMENT:
        return take_assessment(b, rec, index);
    case TX_KIND_GRANT:
        rc = take_grant(b, rec, index);
        return rc == TX_OK ? keep_copy(&b->grants, rec, index) : rc;
    case TX_KIND_GRANT_REVOKE:
        return take_revoke(b, rec, index);
    case TX_KIND_CERTIFICATE:
        return take_certificate(b, rec, index);
    case TX_KIND_CERT_EVENT:
        return take_cert_event(b, rec, index);
    case TX_KIND_ORG_SETTINGS:
        return take_settings(b, rec, index);
    case TX_KIND_GRANT_APPROVAL:
        return take_approval(b, rec, index);
    case TX_KIND_MEMBER:
    case TX_KIND_MEMBER_REMOVE:
        return keep_copy(&b->h->people, rec, index);
    case TX_KIND_KEY_SUCCESSOR:
        return take_successor(b, rec, index);
    case TX_KIND_KEY_REVOCATION:
        return take_revocation(b, rec, index);
    case TX_KIND_KEY_REENROLMENT:
        return take_reenrolment(b, rec, index);
    default: { /* an accreditation names a body that may have no profile */
        const tx_accreditation_pb *a = (const tx_accreditation_pb *)rec->msg;
        return a->body_key.len == TX_KEY_LEN
                   ? tx_signers_add_body(&b->h->signers, a->body_key.data, a->body_name)
                   : TX_OK;
    }
    }
}

/* An approval concerns the approved grant's assessment and request (when the grant is cached). */
static void
approved_grants(tx_history *h, const tx_recs *grants)
{
    for (size_t i = 0; i < h->n; i++) {
        tx_history_event *e = &h->v[i];
        const tx_rec *g;

        if (e->kind == TX_HIST_APPROVED && e->has_grant &&
            (g = tx_recs_find(grants, e->grant)) != NULL) {
            const tx_grant_pb *pb = (const tx_grant_pb *)g->msg;
            set_id(&e->has_about, e->about, &pb->assessment);
            set_id(&e->has_request, e->request, &pb->request);
        }
    }
}

/* Whether revocation r withdraws grant g while it waited: the same organisation, assessment
 * and grantee, later in the log. */
static int
withdraws(const tx_history_event *r, const tx_history_event *g)
{
    return memcmp(r->actor, g->actor, TX_KEY_LEN) == 0 && r->has_about && g->has_about &&
           memcmp(r->about, g->about, TX_ID_LEN) == 0 && r->has_subject && g->has_subject &&
           memcmp(r->subject, g->subject, TX_KEY_LEN) == 0 && g->log_index < r->log_index;
}

/* Two officers (client/verify/tx_two_officers): a grant that still waits for a second officer
 * says so; a revocation of a waiting grant is its rejection. Needs the actors resolved to
 * their organisations. */
static int
judge_two_officers(tx_history *h, const builder *b)
{
    const tx_two_records r = {&b->settings, &b->approvals, &b->grants, &h->people};
    unsigned char *waits;

    if (b->settings.n == 0) {
        return TX_OK; /* no organisation ever asked for two officers: nothing waits */
    }
    if ((waits = calloc(h->n + 1, 1)) == NULL) { /* 1: waiting, 2: rejected */
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < h->n; i++) {
        const tx_rec *g = h->v[i].kind == TX_HIST_GRANTED && h->v[i].log_index != 0
                              ? tx_recs_find(&b->grants, h->v[i].record)
                              : NULL;
        waits[i] = g != NULL && tx_two_officers_state(&r, g, h->v[i].actor, NULL) == TX_TWO_WAITING;
    }
    for (size_t i = 0; i < h->n; i++) {
        for (size_t j = 0; j < h->n && h->v[i].kind == TX_HIST_REVOKED; j++) {
            if (waits[j] == 1 && withdraws(&h->v[i], &h->v[j])) {
                h->v[i].kind = TX_HIST_REJECTED;
                waits[j] = 2;
            }
        }
    }
    for (size_t i = 0; i < h->n; i++) {
        size_t used = strlen(h->v[i].detail);
        if (waits[i] == 1 && used + 2 < sizeof h->v[i].detail) {
            snprintf(h->v[i].detail + used, sizeof h->v[i].detail - used, "%s%s", used ? "; " : "",
                     _("waiting for a second officer"));
        }
    }
    free(waits);
    return TX_OK;
}

/* A certificate event concerns the certificate's holder, when the certificate is cached. */
static int
holder_of(tx_history *h)
{
    tx_idmap certs = {0};
    int rc = TX_OK;

    for (size_t i = 0; i < h->n && rc == TX_OK; i++) {
        if (h->v[i].kind == TX_HIST_CERTIFIED &&
            tx_idmap_put(&certs, h->v[i].record, i, NULL) == NULL) {
            rc = TX_ERR_NOMEM;
        }
    }
    for (size_t i = 0; i < h->n && rc == TX_OK; i++) {
        tx_history_event *e = &h->v[i];
        const size_t *c;

        if (e->kind >= TX_HIST_CERT_REPORT && e->kind <= TX_HIST_CERT_REVOKED && e->has_about &&
            (c = tx_idmap_get(&certs, e->about)) != NULL) {
            e->has_subject = h->v[*c].has_subject;
            memcpy(e->subject, h->v[*c].subject, TX_KEY_LEN);
        }
    }
    tx_idmap_free(&certs);
    return rc;
}

/* A certificate that no pinned accreditor let its signer issue (or issued against the TICS
 * criteria) says so in its detail: the row shows who signed it, not that it counts. */
static int
judge_certificates(tx_home *home, tx_history *h)
{
    tx_trust_set ts = {0};
    int rc = TX_OK, any = 0;

    for (size_t i = 0; i < h->n; i++) {
        any = any || h->v[i].kind == TX_HIST_CERTIFIED;
    }
    if (!any || (rc = tx_trust_set_from_cache(home, &ts)) != TX_OK) {
        tx_trust_set_free(&ts);
        return rc;
    }
    for (size_t i = 0; i < h->n; i++) {
        tx_history_event *e = &h->v[i];
        tx_cert_info info;
        tx_cert_state st;
        size_t used;

        if (e->kind != TX_HIST_CERTIFIED) {
            continue;
        }
        /* Judged on its issue date, which the first look reads. */
        tx_cert_evaluate(&ts, e->record, NULL, e->at, &info, &st);
        tx_cert_evaluate(&ts, e->record, NULL, info.issued, &info, &st);
        used = strlen(e->detail);
        if ((st.status == TX_CERT_NOT_ACCREDITED || st.status == TX_CERT_INVALID_CRITERIA) &&
            used < sizeof e->detail) {
            snprintf(e->detail + used, sizeof e->detail - used, _(" (does not count: %s)"),
                     tx_cert_status_label(st.status));
        }
    }
    tx_trust_set_free(&ts);
    return TX_OK;
}

static int
in_line(const uint8_t (*line)[TX_ID_LEN], size_t n, const uint8_t id[TX_ID_LEN])
{
    for (size_t i = 0; i < n; i++) {
        if (memcmp(line[i], id, TX_ID_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The one assessment whose id starts with `prefix` into id, *found 1; *found 0 when none.
 * Several: TX_ERR_USAGE. */
static int
find_assessment(const tx_history *h, const char *prefix, uint8_t id[TX_ID_LEN], int *found)
{
    char hex[2 * TX_ID_LEN + 1];

    *found = 0;
    for (size_t i = 0; i < h->n; i++) {
        const tx_history_event *e = &h->v[i];
        tx_hex(hex, e->record, TX_ID_LEN);
        if (e->kind != TX_HIST_ANSWERED || strncasecmp(hex, prefix, strlen(prefix)) != 0) {
            continue;
        }
        if (*found && memcmp(id, e->record, TX_ID_LEN) != 0) {
            return tx_fail(TX_ERR_USAGE, "%s names several assessments: give more digits", prefix);
        }
        memcpy(id, e->record, TX_ID_LEN);
        *found = 1;
    }
    return TX_OK;
}

/* Marks the requests that the marked grants answer. */
static int
mark_requests(const tx_history *h, unsigned char *keep)
{
    tx_idmap answered = {0};
    int rc = TX_OK;

    for (size_t i = 0; i < h->n && rc == TX_OK; i++) {
        const tx_history_event *e = &h->v[i];
        if (keep[i] && e->kind == TX_HIST_GRANTED && e->has_request &&
            tx_idmap_put(&answered, e->request, i, NULL) == NULL) {
            rc = TX_ERR_NOMEM;
        }
    }
    for (size_t i = 0; i < h->n && rc == TX_OK; i++) {
        if (h->v[i].kind <= TX_HIST_FORWARDED && tx_idmap_get(&answered, h->v[i].record) != NULL) {
            keep[i] = 1;
        }
    }
    tx_idmap_free(&answered);
    return rc;
}

/* Marks (keep[i] = 1) the events of the version line of `start`: the assessments linked by
 * supersedes either way, their grants and revocations, and the requests the grants answer. */
static int
mark_line(const tx_history *h, const uint8_t start[TX_ID_LEN], unsigned char *keep)
{
    uint8_t(*line)[TX_ID_LEN] = malloc((h->n + 1) * TX_ID_LEN);
    size_t n = 1;
    int grew = 1;

    if (line == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(line[0], start, TX_ID_LEN);
    while (grew) {
        grew = 0;
        for (size_t i = 0; i < h->n; i++) {
            const tx_history_event *e = &h->v[i];
            int old_in, new_in;
            if (e->kind != TX_HIST_SUPERSEDED) {
                continue;
            }
            old_in = in_line((const uint8_t(*)[TX_ID_LEN])line, n, e->about);
            new_in = in_line((const uint8_t(*)[TX_ID_LEN])line, n, e->record);
            if (old_in != new_in) {
                memcpy(line[n++], old_in ? e->record : e->about, TX_ID_LEN);
                grew = 1;
            }
        }
    }
    for (size_t i = 0; i < h->n; i++) {
        const tx_history_event *e = &h->v[i];
        keep[i] = e->kind >= TX_HIST_ANSWERED && e->kind <= TX_HIST_REJECTED && e->has_about &&
                  in_line((const uint8_t(*)[TX_ID_LEN])line, n, e->about);
    }
    free(line);
    return mark_requests(h, keep);
}

/* Marks the events an organisation signed or that name it. */
static void
mark_org(const tx_history *h, const uint8_t key[TX_KEY_LEN], unsigned char *keep)
{
    for (size_t i = 0; i < h->n; i++) {
        const tx_history_event *e = &h->v[i];
        tx_signer who;
        tx_signer_describe(&h->signers, e->actor, &who);
        keep[i] = memcmp(who.org, key, TX_KEY_LEN) == 0 ||
                  (e->has_subject && memcmp(e->subject, key, TX_KEY_LEN) == 0);
    }
}

/* What `what` names: marks the events to keep. */
static int
select_events(tx_history *h, const char *what, unsigned char *keep)
{
    const tx_org *org = NULL;
    uint8_t id[TX_ID_LEN];
    char why[512];
    int rc, found = 0;

    if (what == NULL) {
        memset(keep, 1, h->n);
        return TX_OK;
    }
    if (tx_is_id_prefix(what) && (rc = find_assessment(h, what, id, &found)) != TX_OK) {
        return rc;
    }
    if (found) {
        return mark_line(h, id, keep);
    }
    if (tx_orgs_resolve(&h->signers.orgs, what, &org) != TX_OK) {
        snprintf(why, sizeof why, "%s", tx_fail_msg());
        return tx_fail(TX_ERR_USAGE,
                       "%s names no assessment in the cache and no organisation: %s (run ticsx "
                       "fetch, or ticsx history --fetch, to refresh the cache)",
                       what, why);
    }
    mark_org(h, org->key, keep);
    return TX_OK;
}

/* Keeps the marked events that are proven; counts the records left out (a request's events
 * are adjacent: counted once). */
static void
compact(tx_history *h, const unsigned char *keep)
{
    size_t w = 0;
    uint8_t last[TX_ID_LEN] = {0}; /* copied: the slot it came from may be written over */
    int any = 0;

    for (size_t i = 0; i < h->n; i++) {
        if (!keep[i]) {
            continue;
        }
        if (h->v[i].log_index == 0) {
            if (!any || memcmp(last, h->v[i].record, TX_ID_LEN) != 0) {
                h->unproven++;
            }
            memcpy(last, h->v[i].record, TX_ID_LEN);
            any = 1;
            continue;
        }
        h->v[w++] = h->v[i];
    }
    h->n = w;
}

static int
newest_first(const void *pa, const void *pb)
{
    const tx_history_event *a = pa, *b = pb;

    if (a->at != b->at) {
        return a->at < b->at ? 1 : -1;
    }
    if (a->log_index != b->log_index) {
        return a->log_index < b->log_index ? 1 : -1;
    }
    return (a->kind < b->kind) - (a->kind > b->kind);
}

int
tx_history_load(tx_home *home, const char *what, tx_history *out)
{
    builder b = {out, 0, {0}, {0}, {0}};
    unsigned char *keep = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = tx_signers_load(home, &out->signers)) != TX_OK ||
        (rc = tx_cache_scan(home, want, take, &b)) != TX_OK) {
        goto out;
    }
    resolve_people(home, out);
    approved_grants(out, &b.grants);
    if ((rc = judge_two_officers(out, &b)) != TX_OK || (rc = holder_of(out)) != TX_OK ||
        (rc = judge_certificates(home, out)) != TX_OK) {
        goto out;
    }
    if ((keep = calloc(out->n + 1, 1)) == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    if ((rc = select_events(out, what, keep)) != TX_OK) {
        goto out;
    }
    compact(out, keep);
    qsort(out->v, out->n, sizeof *out->v, newest_first);
out:
    free(keep);
    tx_recs_clear(&b.grants);
    tx_recs_clear(&b.approvals);
    tx_recs_clear(&b.settings);
    if (rc != TX_OK) {
        tx_history_free(out);
    }
    return rc;
}

void
tx_history_free(tx_history *h)
{
    free(h->v);
    tx_signers_free(&h->signers);
    tx_recs_clear(&h->people);
    memset(h, 0, sizeof *h);
}

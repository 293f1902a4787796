/* One supplier's story from the cache: its records and this organisation's requests to it in
 * date order, its certificate's chain, and the log's proof of what the report shows. */
#include "tx_story.h"
#include "tx_cache_scan.h"

#include "tx_checkpoint.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_request.h"
#include "tx_signer.h"
#include "tx_trust.h"
#include "tx_us.h"
#include "tx_util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define CHECKPOINT_MAX 8192

typedef struct {
    const uint8_t *key, *me;
    json_t *history;
    json_t *events; /* certificate events seen, filtered once the certificates are known */
    tx_trust_set ts;
    tx_recs people;    /* member records and removals: who signed for the supplier */
    tx_recs approvals; /* second officers' approvals of grants to this organisation */
    tx_recs late;      /* assessments, grants, revocations a person signed: whose, once known */
    int resolving;     /* taking from late */
} story;

static int
want(void *ctx, int kind, const uint8_t *signer)
{
    const story *s = ctx;

    switch (kind) {
    case TX_KIND_REQUEST:
        return memcmp(signer, s->me, TX_KEY_LEN) == 0;
    case TX_KIND_ASSESSMENT:
    case TX_KIND_GRANT:
    case TX_KIND_GRANT_REVOKE:
    case TX_KIND_ACCREDITATION:
    case TX_KIND_CERTIFICATE:
    case TX_KIND_CERT_EVENT:
    case TX_KIND_MEMBER:
    case TX_KIND_MEMBER_REMOVE:
    case TX_KIND_GRANT_APPROVAL:
        return 1;
    default:
        return 0;
    }
}

static json_t *
entry(int64_t date, const char *event, const uint8_t *record, uint64_t index, const char *detail)
{
    return json_pack("{s:o,s:s,s:o,s:o,s:s}", "date", tx_json_date(date), "event", event, "record",
                     tx_json_hex(record, TX_ID_LEN), "log_index",
                     index ? json_integer((json_int_t)index) : json_null(), "detail", detail);
}

static int64_t
created(const tx_meta_pb *m)
{
    return m != NULL ? m->created : 0;
}

/* A copy of rec in *out, with its log index (the scan keeps its own). */
static int
copy_rec(const tx_rec *rec, uint64_t index, tx_rec *out)
{
    uint8_t *bytes = malloc(rec->len ? rec->len : 1);
    int rc;

    if (bytes == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(bytes, rec->bytes, rec->len);
    rc = tx_rec_open_known(out, bytes, rec->len, rec->kind, rec->id);
    out->index = index;
    return rc;
}

/* Moves a copy of rec into the trust set. */
static int
trust_take(tx_trust_set *ts, const tx_rec *rec)
{
    tx_rec r = {0};
    int rc = copy_rec(rec, 0, &r);

    if (rc == TX_OK) {
        rc = tx_trust_set_take(ts, &r);
    }
    tx_rec_clear(&r);
    return rc;
}

/* Keeps a copy of rec in recs. */
static int
keep(tx_recs *recs, const tx_rec *rec, uint64_t index)
{
    tx_rec r = {0};
    int rc = copy_rec(rec, index, &r);

    if (rc == TX_OK) {
        rc = tx_recs_push(recs, &r);
    }
    tx_rec_clear(&r);
    return rc;
}

/* The approvals the supplier's people signed (known once the scan has its member records), as
 * `ticsx history` shows them: who approved, the grant approved. */
static void
add_approvals(story *s)
{
    char detail[400], hex[2 * TX_ID_LEN + 1];

    for (size_t i = 0; i < s->approvals.n; i++) {
        const tx_rec *r = &s->approvals.v[i];
        const tx_grant_approval_pb *a = (const tx_grant_approval_pb *)r->msg;
        uint8_t org[TX_KEY_LEN];
        tx_signer_info who;

        tx_us_org_of(&s->people, tx_rec_signer(r), org);
        if (memcmp(org, s->key, TX_KEY_LEN) != 0 || a->grant.len != TX_ID_LEN) {
            continue;
        }
        if (memcmp(tx_rec_signer(r), s->key, TX_KEY_LEN) == 0 ||
            tx_signer_resolve(&s->people, tx_rec_signer(r), created(a->meta), &who) != TX_OK) {
            snprintf(who.name, sizeof who.name, "%s", _("the organisation's key"));
        }
        tx_fail_clear();
        tx_hex(hex, a->grant.data, TX_ID_LEN);
        snprintf(detail, sizeof detail, _("grant %.12s approved by %s"), hex, who.name);
        json_array_append_new(s->history,
                              entry(created(a->meta), "approved", r->id, r->index, detail));
    }
}

static int
take(void *ctx, const tx_rec *rec, uint64_t index)
{
    story *s = ctx;
    char detail[160], d[16], hex[2 * TX_ID_LEN + 1];

    detail[0] = 0;
    if ((rec->kind == TX_KIND_ASSESSMENT || rec->kind == TX_KIND_GRANT ||
         rec->kind == TX_KIND_GRANT_REVOKE) &&
        !s->resolving && memcmp(tx_rec_signer(rec), s->key, TX_KEY_LEN) != 0) {
        return keep(&s->late, rec, index); /* the supplier's person's, or another's */
    }
    switch (rec->kind) {
    case TX_KIND_REQUEST: {
        const tx_request_pb *r = (const tx_request_pb *)rec->msg;
        if (r->on_behalf_of.len != 0 || !tx_request_names(r, s->key)) {
            return TX_OK;
        }
        if (r->due != 0) {
            tx_format_date(d, sizeof d, r->due);
            snprintf(detail, sizeof detail, _("due %s"), d);
        }
        json_array_append_new(s->history,
                              entry(created(r->meta), "requested", rec->id, index, detail));
        return TX_OK;
    }
    case TX_KIND_ASSESSMENT: {
        const tx_sealed_pb *a = (const tx_sealed_pb *)rec->msg;
        json_array_append_new(s->history, entry(created(a->meta), "answered", rec->id, index, ""));
        if (a->supersedes.len == TX_ID_LEN) {
            tx_hex(hex, rec->id, TX_ID_LEN);
            snprintf(detail, sizeof detail, _("replaced by %.16s"), hex);
            json_array_append_new(s->history, entry(created(a->meta), "superseded",
                                                    a->supersedes.data, index, detail));
        }
        return TX_OK;
    }
    case TX_KIND_GRANT: {
        const tx_grant_pb *g = (const tx_grant_pb *)rec->msg;
        if (g->grantee.len != TX_KEY_LEN || memcmp(g->grantee.data, s->me, TX_KEY_LEN) != 0) {
            return TX_OK;
        }
        if (g->until != 0) {
            tx_format_date(d, sizeof d, g->until);
            snprintf(detail, sizeof detail, _("until %s"), d);
        }
        json_array_append_new(s->history,
                              entry(created(g->meta), "granted", rec->id, index, detail));
        return TX_OK;
    }
    case TX_KIND_GRANT_REVOKE: {
        const tx_grant_revoke_pb *g = (const tx_grant_revoke_pb *)rec->msg;
        if (g->grantee.len != TX_KEY_LEN || memcmp(g->grantee.data, s->me, TX_KEY_LEN) != 0) {
            return TX_OK;
        }
        json_array_append_new(s->history, entry(created(g->meta), "revoked", rec->id, index, ""));
        return TX_OK;
    }
    case TX_KIND_MEMBER:
    case TX_KIND_MEMBER_REMOVE:
        return keep(&s->people, rec, index);
    case TX_KIND_GRANT_APPROVAL: {
        const tx_grant_approval_pb *a = (const tx_grant_approval_pb *)rec->msg;
        if (a->grantee.len != TX_KEY_LEN || memcmp(a->grantee.data, s->me, TX_KEY_LEN) != 0) {
            return TX_OK;
        }
        return keep(&s->approvals, rec, index);
    }
    case TX_KIND_CERTIFICATE: {
        const tx_certificate_pb *cert = (const tx_certificate_pb *)rec->msg;
        if (cert->holder_key.len == TX_KEY_LEN &&
            memcmp(cert->holder_key.data, s->key, TX_KEY_LEN) == 0) {
            snprintf(detail, sizeof detail, "%s", cert->number != NULL ? cert->number : "");
            json_array_append_new(s->history,
                                  entry(cert->issued, "certified", rec->id, index, detail));
        }
        return trust_take(&s->ts, rec);
    }
    case TX_KIND_CERT_EVENT: {
        const tx_cert_event_pb *e = (const tx_cert_event_pb *)rec->msg;
        json_t *o = entry(e->effective, "certificate_event", rec->id, index, "");
        json_object_set_new(o, "certificate", tx_json_hex(e->certificate.data, e->certificate.len));
        json_object_set_new(o, "kind", json_integer(e->kind));
        json_object_set_new(o, "note", json_string(e->note != NULL ? e->note : ""));
        json_array_append_new(s->events, o);
        return trust_take(&s->ts, rec);
    }
    default:
        return trust_take(&s->ts, rec);
    }
}

static int
by_date(const void *pa, const void *pb)
{
    const json_t *a = *(const json_t *const *)pa, *b = *(const json_t *const *)pb;
    int c = strcmp(json_string_value(json_object_get(a, "date")),
                   json_string_value(json_object_get(b, "date")));
    json_int_t ia = json_integer_value(json_object_get(a, "log_index"));
    json_int_t ib = json_integer_value(json_object_get(b, "log_index"));

    if (c != 0) {
        return c;
    }
    /* Unproven records (no index) last within their day. */
    ia = ia ? ia : INT64_MAX;
    ib = ib ? ib : INT64_MAX;
    return (ia > ib) - (ia < ib);
}

static const char *
event_word(json_int_t kind)
{
    return kind == 1   ? _("annual report")
           : kind == 2 ? _("suspended")
           : kind == 3 ? _("revoked")
           : kind == 4 ? _("reinstated")
                       : _("event");
}

/* The certificate events of the certificates the supplier holds, into the history. */
static void
add_cert_events(story *s)
{
    size_t i;
    json_t *e;

    json_array_foreach(s->events, i, e)
    {
        const char *cert = json_string_value(json_object_get(e, "certificate"));
        size_t k;
        json_t *h;
        int held = 0;

        json_array_foreach(s->history, k, h)
        {
            held =
                held || (strcmp(json_string_value(json_object_get(h, "event")), "certified") == 0 &&
                         strcmp(json_string_value(json_object_get(h, "record")), cert) == 0);
        }
        if (held) {
            const char *note = json_string_value(json_object_get(e, "note"));
            char detail[320];
            json_t *o = json_deep_copy(e);

            snprintf(detail, sizeof detail, "%s%s%s",
                     event_word(json_integer_value(json_object_get(e, "kind"))),
                     note[0] ? _(": ") : "", note);
            json_object_del(o, "certificate");
            json_object_del(o, "kind");
            json_object_del(o, "note");
            json_object_set_new(o, "detail", json_string(detail));
            json_array_append_new(s->history, o);
        }
    }
}

/* The records the supplier's people signed, now that the scan has their member records. */
static int
take_late(story *s)
{
    int rc = TX_OK;

    s->resolving = 1;
    for (size_t i = 0; i < s->late.n && rc == TX_OK; i++) {
        uint8_t org[TX_KEY_LEN];

        tx_us_org_of(&s->people, tx_rec_signer(&s->late.v[i]), org);
        if (memcmp(org, s->key, TX_KEY_LEN) == 0) {
            rc = take(s, &s->late.v[i], s->late.v[i].index);
        }
    }
    return rc;
}

static json_t *
sorted(json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **v = calloc(n ? n : 1, sizeof *v), *out = json_array();

    for (size_t i = 0; v != NULL && i < n; i++) {
        v[i] = json_array_get(arr, i);
    }
    if (v != NULL) {
        qsort(v, n, sizeof *v, by_date);
        for (size_t i = 0; i < n; i++) {
            json_array_append(out, v[i]);
        }
    }
    free(v);
    return out;
}

static json_t *
marker(tx_home *home, const uint8_t *id)
{
    uint64_t index, size;

    if (tx_home_proof_get(home, id, &index, &size) != TX_OK) {
        tx_fail_clear();
        return json_pack("{s:o,s:n}", "record", tx_json_hex(id, TX_ID_LEN), "log_index");
    }
    return json_pack("{s:o,s:I}", "record", tx_json_hex(id, TX_ID_LEN), "log_index",
                     (json_int_t)index);
}

json_t *
tx_story_checkpoint(tx_client *c)
{
    const tx_pubkey *hub;
    char path[PATH_MAX], hex[65], when[32], origin[256];
    uint8_t *buf = NULL;
    size_t len = 0, o = 0;
    tx_checkpoint cp = {0};
    json_t *out;

    if (tx_client_hub_key(c, &hub) != TX_OK ||
        tx_path_join(path, sizeof path, tx_home_dir(tx_client_home(c)), "checkpoint") != TX_OK ||
        tx_file_read(path, CHECKPOINT_MAX, &buf, &len) != TX_OK ||
        tx_checkpoint_open(buf, len, hub->sign, &cp) != TX_OK) {
        free(buf);
        tx_fail_clear();
        return json_null();
    }
    /* The note's first line is its origin. */
    while (o < len && o + 1 < sizeof origin && buf[o] != '\n') {
        origin[o] = (char)buf[o];
        o++;
    }
    origin[o] = 0;
    tx_hex(hex, cp.root, 32);
    tx_checkpoint_time(cp.time, when);
    out = json_pack("{s:s,s:I,s:s,s:s}", "origin", tx_utf8_valid(origin, o) ? origin : "", "size",
                    (json_int_t)cp.size, "root", hex, "time", when);
    tx_checkpoint_clear(&cp);
    free(buf);
    return out;
}

int
tx_story_load(tx_client *c, const uint8_t key[TX_KEY_LEN], const tx_verdict *v, json_t **out)
{
    tx_home *home = tx_client_home(c);
    story s = {
        key, tx_home_identity(home)->pub.sign, json_array(), json_array(), {0}, {0}, {0}, {0}, 0};
    json_t *chain;
    int rc;

    *out = NULL;
    if ((rc = tx_trust_set_load_pinned(home, &s.ts)) == TX_OK) {
        rc = tx_cache_scan(home, want, take, &s);
    }
    if (rc == TX_OK) {
        rc = take_late(&s);
        add_approvals(&s);
    }
    tx_recs_clear(&s.people);
    tx_recs_clear(&s.approvals);
    tx_recs_clear(&s.late);
    if (rc != TX_OK) {
        json_decref(s.history);
        json_decref(s.events);
        tx_trust_set_free(&s.ts);
        return rc;
    }
    add_cert_events(&s);
    chain = v != NULL && v->cert_checked ? tx_cert_chain_json(&s.ts, &v->cert, &v->cert_now)
                                         : json_array();
    *out = json_pack("{s:o,s:o,s:{s:o,s:o,s:o}}", "history", sorted(s.history), "chain", chain,
                     "proof", "assessment", v != NULL ? marker(home, v->assessment) : json_null(),
                     "grant", v != NULL ? marker(home, v->grant) : json_null(), "checkpoint",
                     tx_story_checkpoint(c));
    json_decref(s.history);
    json_decref(s.events);
    tx_trust_set_free(&s.ts);
    return *out != NULL ? TX_OK : TX_ERR_NOMEM;
}

/* Watch: the inbox's news, then the hub's pushes, each record checked before it is shown. */
#include "tx_watch.h"
#include "tx_lookup.h"
#include "tx_us_hub.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_log.h"
#include "tx_log_check.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_rpc.h"
#include "tx_seal.h"
#include "tx_signer.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WATCH_S 60                    /* subscription asked for */
#define RENEW_MS (WATCH_S * 1000 / 3) /* renewed well before it lapses */
#define SLICE_MS 250                  /* longest wait before looking at the stop flag */

enum { K_REQUEST, K_GRANT, K_REVOKE, K_COUNT };
static const int watched[K_COUNT] = {TX_KIND_REQUEST, TX_KIND_GRANT, TX_KIND_GRANT_REVOKE};
/* Watched too when news is asked for (tx_watch_news), pushed only. */
enum { N_NEWS = 4 };
static const int news_kinds[N_NEWS] = {TX_KIND_DRAFT, TX_KIND_DRAFT_DECISION, TX_KIND_ORG_SETTINGS,
                                       TX_KIND_GRANT_APPROVAL};

typedef struct {
    tx_client *c;
    tx_conn *conn;
    const tx_watch_opts *o;
    tx_watch_fn fn;
    void *ctx;
    const tx_identity *me; /* the organisation as a reader (tx_us_reader), else this home's */
    tx_identity *reader;   /* in a member's home: the organisation's keys; owned */
    tx_recs people;        /* every organisation's member records and removals (tx_signer) */
    tx_orgs orgs;
    tx_recs questionnaires;
    tx_cursor start, cur; /* the inbox cursor when the watch began, and as it moves */
    uint8_t (*seen)[TX_ID_LEN];
    size_t n_seen;
    size_t shown;
    uint64_t watch_id; /* the latest watch call */
    uint64_t first_id; /* the first one: replies to older calls carry ids from here */
    int awaiting_ack;  /* a renewal not answered yet */
} watch;

static int
seen(const watch *w, const uint8_t *id)
{
    for (size_t i = 0; i < w->n_seen; i++) {
        if (memcmp(w->seen[i], id, TX_ID_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
mark_seen(watch *w, const uint8_t *id)
{
    if ((w->n_seen & (w->n_seen - 1)) == 0) {
        void *p = realloc(w->seen, (w->n_seen ? w->n_seen * 2 : 1) * sizeof *w->seen);
        if (p == NULL) {
            return TX_ERR_NOMEM;
        }
        w->seen = p;
    }
    memcpy(w->seen[w->n_seen++], id, TX_ID_LEN);
    return TX_OK;
}

static uint64_t *
cursor_of(tx_cursor *cur, int kind)
{
    return kind == TX_KIND_REQUEST ? &cur->request
           : kind == TX_KIND_GRANT ? &cur->grant
                                   : &cur->revoke;
}

/* The directory again when a signer is not in it (an organisation enrolled since). */
static const tx_org *
signer_org(watch *w, const uint8_t *key)
{
    const tx_org *o = tx_orgs_by_key(&w->orgs, key);
    tx_orgs fresh = {0};

    if (o != NULL) {
        return o;
    }
    if (tx_orgs_fetch(w->c, &fresh) != TX_OK) {
        tx_fail_clear();
        return NULL;
    }
    tx_orgs_free(&w->orgs);
    w->orgs = fresh;
    return tx_orgs_by_key(&w->orgs, key);
}

/* True when records signed by a and b are one organisation's (its key or its people). */
static int
same_org(const watch *w, const uint8_t *a, const uint8_t *b)
{
    uint8_t oa[TX_KEY_LEN], ob[TX_KEY_LEN];

    tx_us_org_of(&w->people, a, oa);
    tx_us_org_of(&w->people, b, ob);
    return memcmp(oa, ob, TX_KEY_LEN) == 0;
}

/* A record a person signed comes from its organisation (the directory fetched again when it
 * is not in it yet): e names the organisation. */
static void
from_org(watch *w, const tx_rec *r, tx_inbox_entry *e)
{
    uint8_t org[TX_KEY_LEN];

    tx_us_org_of(&w->people, tx_rec_signer(r), org);
    signer_org(w, org);
    tx_inbox_entry_org(e, r, &w->people, &w->orgs);
}

/* Gets one record by id, opened as kind; the reason in *why when the hub will not give it. */
static int
get_one(watch *w, const uint8_t *id, int kind, tx_rec *out)
{
    int got = TX_ERR_NOT_FOUND;
    int rc = tx_rpc_get(w->c, 1, (const uint8_t(*)[TX_ID_LEN])id, &kind, out, &got);

    return rc != TX_OK ? rc : got;
}

/* The checks beyond signature and addressing. TX_OK, or TX_ERR_WRONG_KEY (and the like) with
 * the reason in the message: the record is then not shown. */
static int
check_record(watch *w, const tx_rec *r)
{
    const tx_identity *me = w->me;
    tx_rec other = {0};
    int rc = TX_OK;

    if (r->kind == TX_KIND_GRANT) {
        const tx_grant_pb *g = (const tx_grant_pb *)r->msg;
        uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);

        if (key == NULL) {
            return TX_ERR_NOMEM;
        }
        if ((rc = get_one(w, g->assessment.data, TX_KIND_ASSESSMENT, &other)) != TX_OK) {
            rc = tx_fail(rc, "the hub does not give the assessment it grants");
        } else if (!same_org(w, tx_rec_signer(&other), tx_rec_signer(r))) {
            rc = tx_fail(TX_ERR_FORBIDDEN, "it is not signed by the assessment's author");
        } else if (tx_open_key(me, g->sealed_key.data, key) != TX_OK) {
            rc = tx_fail(TX_ERR_WRONG_KEY, "content key not sealed to this organisation");
        }
        sodium_free(key);
    } else if (r->kind == TX_KIND_GRANT_REVOKE) {
        const tx_grant_revoke_pb *v = (const tx_grant_revoke_pb *)r->msg;

        if ((rc = get_one(w, v->grant.data, TX_KIND_GRANT, &other)) != TX_OK) {
            rc = tx_fail(rc, "the hub does not give the grant it revokes");
        } else {
            const tx_grant_pb *g = (const tx_grant_pb *)other.msg;
            if (!same_org(w, tx_rec_signer(&other), tx_rec_signer(r)) ||
                memcmp(g->grantee.data, me->pub.sign, TX_KEY_LEN) != 0 ||
                memcmp(g->assessment.data, v->assessment.data, TX_ID_LEN) != 0) {
                rc = tx_fail(TX_ERR_FORBIDDEN,
                             "it does not withdraw a grant its author made to this "
                             "organisation");
            }
        }
    }
    tx_rec_clear(&other);
    return rc;
}

/* A request's questionnaire, got from the hub when not known yet (for its name). */
static void
know_questionnaire(watch *w, const tx_rec *r)
{
    const tx_request_pb *req = (const tx_request_pb *)r->msg;
    tx_rec q = {0};

    if (tx_recs_find(&w->questionnaires, req->questionnaire.data) != NULL) {
        return;
    }
    if (get_one(w, req->questionnaire.data, TX_KIND_QUESTIONNAIRE, &q) != TX_OK ||
        tx_recs_push(&w->questionnaires, &q) != TX_OK) {
        tx_fail_clear();
    }
    tx_rec_clear(&q);
}

static int
is_news_kind(int kind)
{
    for (size_t k = 0; k < N_NEWS; k++) {
        if (news_kinds[k] == kind) {
            return 1;
        }
    }
    return 0;
}

/* Passes a record of this organisation on as news, with the member who signed it; a record
 * signed by anyone else is dropped. */
static int
take_news(watch *w, const tx_rec *r)
{
    tx_watch_news n = {.kind = r->kind, .index = r->index};
    tx_signer_info who;
    uint8_t org[TX_KEY_LEN];

    if (w->o->news == NULL) {
        return TX_OK;
    }
    tx_us_org_of(&w->people, tx_rec_signer(r), org);
    if (memcmp(org, w->me->pub.sign, TX_KEY_LEN) != 0) {
        return TX_OK;
    }
    if (memcmp(tx_rec_signer(r), org, TX_KEY_LEN) != 0 &&
        tx_signer_resolve(&w->people, tx_rec_signer(r), time(NULL), &who) == TX_OK) {
        snprintf(n.by, sizeof n.by, "%s", who.name);
    }
    tx_fail_clear();
    n.mine = memcmp(tx_rec_signer(r), tx_client_id(w->c)->pub.sign, TX_KEY_LEN) == 0;
    tx_hex(n.id, r->id, TX_ID_LEN);
    return w->o->news(w->ctx, &n);
}

/* Shows one opened record if it is new, addressed to this organisation and checks out; moves
 * the cursor past it either way. */
static int
take(watch *w, tx_rec *r)
{
    char hex[2 * TX_ID_LEN + 1];
    tx_inbox_entry e;
    uint64_t *cur;
    int rc;

    if (seen(w, r->id)) {
        return TX_OK;
    }
    if ((rc = mark_seen(w, r->id)) != TX_OK) {
        return rc;
    }
    if (is_news_kind(r->kind)) {
        return take_news(w, r);
    }
    cur = cursor_of(&w->cur, r->kind);
    if (r->index > *cur) {
        *cur = r->index;
    }
    signer_org(w, tx_rec_signer(r));
    if (r->kind == TX_KIND_REQUEST) {
        know_questionnaire(w, r);
    }
    rc = tx_inbox_entry_from(r, w->me, &w->orgs, &w->questionnaires, &e);
    if (rc == TX_ERR_NOT_FOUND) {
        tx_fail_clear();
        return take_news(w, r); /* one this organisation sent */
    }
    if (rc != TX_OK) {
        return rc;
    }
    from_org(w, r, &e);
    if ((rc = check_record(w, r)) != TX_OK) {
        tx_hex(hex, r->id, TX_ID_LEN);
        tx_warn(_("not shown: %s %.12s from %s: %s"), tx_kind_word(r->kind), hex,
                e.from[0] ? e.from : e.from_fp, tx_fail_msg());
        tx_fail_clear();
        tx_inbox_entry_clear(&e);
        return rc == TX_ERR_NOMEM ? rc : TX_OK;
    }
    e.is_new = 1;
    rc = w->fn(w->ctx, &e);
    tx_inbox_entry_clear(&e);
    if (rc == TX_OK) {
        w->shown++;
        rc = tx_home_cursor_save_all(tx_client_home(w->c), &w->cur);
    }
    return rc;
}

static int
done(const watch *w)
{
    return w->o->count > 0 && w->shown >= w->o->count;
}

static int
by_index(const void *a, const void *b)
{
    const tx_rec *x = a, *y = b;

    return x->index < y->index ? -1 : x->index > y->index;
}

/* Lists the watched kinds past the cursor the watch began with and takes what is new, oldest
 * first: the news before the first push, and later whatever a lost push carried. */
static int
catch_up(watch *w)
{
    const uint64_t after[K_COUNT] = {w->start.request, w->start.grant, w->start.revoke};
    uint64_t listed[K_COUNT] = {after[0], after[1], after[2]};
    tx_recs l[K_COUNT] = {{0}}, all = {0};
    int rc = tx_rpc_list(w->c, K_COUNT, watched, after, l);

    for (size_t k = 0; k < K_COUNT && rc == TX_OK; k++) {
        for (size_t i = 0; i < l[k].n && rc == TX_OK; i++) {
            listed[k] = l[k].v[i].index > listed[k] ? l[k].v[i].index : listed[k];
            rc = tx_recs_push(&all, &l[k].v[i]);
        }
    }
    if (rc == TX_OK && all.n > 1) {
        qsort(all.v, all.n, sizeof *all.v, by_index);
    }
    for (size_t i = 0; i < all.n && rc == TX_OK && !done(w); i++) {
        rc = take(w, &all.v[i]);
    }
    /* Everything listed was taken: the next catch-up starts after it. */
    if (rc == TX_OK && !done(w)) {
        for (size_t k = 0; k < K_COUNT; k++) {
            *cursor_of(&w->start, watched[k]) = listed[k];
        }
    }
    tx_recs_clear(&all);
    for (size_t k = 0; k < K_COUNT; k++) {
        tx_recs_clear(&l[k]);
    }
    return rc;
}

static int
send_watch(watch *w)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_watch_pb body = TICSX__V1__WATCH__INIT;
    Ticsx__V1__Kind kinds[K_COUNT + N_NEWS];
    size_t n = 0;
    int rc;

    for (size_t k = 0; k < K_COUNT; k++) {
        kinds[n++] = (Ticsx__V1__Kind)watched[k];
    }
    for (size_t k = 0; k < N_NEWS && w->o->news != NULL; k++) {
        kinds[n++] = (Ticsx__V1__Kind)news_kinds[k];
    }
    body.kinds = kinds;
    body.n_kinds = n;
    body.seconds = WATCH_S;
    call.body_case = TICSX__V1__CALL__BODY_WATCH;
    call.watch = &body;
    if ((rc = tx_conn_send(w->conn, &call, &w->watch_id)) != TX_OK) {
        return tx_client_conn_fail(w->c, rc);
    }
    if (w->first_id == 0) {
        w->first_id = w->watch_id;
    }
    w->awaiting_ack = 1;
    return TX_OK;
}

/* Takes the records a push carries. */
static int
take_push(watch *w, const tx_reply_pb *r)
{
    int rc = TX_OK;

    for (size_t i = 0; i < r->n_entries && rc == TX_OK && !done(w); i++) {
        const tx_entry_pb *e = r->entries[i];
        tx_envelope_pb *env = NULL;
        tx_rec rec = {0};
        uint8_t *bytes;
        int kind;

        if (tx_decode_envelope(e->envelope.data, e->envelope.len, &env) != TX_OK) {
            tx_warn(_("ignoring an undecodable record pushed by the hub: %s"), tx_codec_detail());
            continue;
        }
        kind = tx_kind_from_payload_type(env->payload_type);
        tx_free(env);
        if (kind != TX_KIND_REQUEST && kind != TX_KIND_GRANT && kind != TX_KIND_GRANT_REVOKE &&
            !(is_news_kind(kind) && w->o->news != NULL)) {
            continue;
        }
        if ((bytes = malloc(e->envelope.len)) == NULL) {
            return TX_ERR_NOMEM;
        }
        memcpy(bytes, e->envelope.data, e->envelope.len);
        rec.index = e->index;
        if (tx_rec_open(&rec, bytes, e->envelope.len, kind) != TX_OK) {
            tx_warn(_("ignoring a record pushed by the hub: %s"), tx_fail_msg());
            tx_fail_clear();
        } else {
            rc = take(w, &rec);
        }
        tx_rec_clear(&rec);
    }
    return rc;
}

static int
loop(watch *w)
{
    int64_t start = tx_clock_ms(), renew = start + RENEW_MS;
    int64_t end = w->o->seconds > 0 ? start + (int64_t)w->o->seconds * 1000 : 0;
    int rc = TX_OK;

    while (rc == TX_OK && !done(w) && !(w->o->stop != NULL && *w->o->stop)) {
        int64_t now = tx_clock_ms(), slice = SLICE_MS;
        tx_reply_pb *r = NULL;

        if (end != 0 && now >= end) {
            break;
        }
        if (now >= renew) {
            if (w->awaiting_ack) {
                return tx_client_conn_fail(w->c, TX_ERR_UNREACHABLE);
            }
            /* Each renewal also checks the hub's latest checkpoint against the one kept: two
             * calls, and a split view ends the watch. */
            if ((rc = send_watch(w)) != TX_OK || (rc = catch_up(w)) != TX_OK ||
                (rc = tx_log_check_sync(w->c, NULL)) != TX_OK) {
                break;
            }
            renew = tx_clock_ms() + RENEW_MS;
            continue;
        }
        if (end != 0 && end - now < slice) {
            slice = end - now;
        }
        if ((rc = tx_conn_next(w->conn, (int)slice, &r)) != TX_OK) {
            rc = tx_client_conn_fail(w->c, rc);
            break;
        }
        if (r == NULL || r->id < w->first_id) {
            tx_free(r);
            continue; /* nothing yet, or a late reply to an earlier call */
        }
        if (r->push) {
            rc = take_push(w, r);
        } else if (r->id == w->watch_id) {
            w->awaiting_ack = 0;
            if (r->status != TX_STATUS_OK) {
                rc = tx_conn_refused(r, "%s", _("to watch"));
            }
        }
        tx_free(r);
    }
    return rc;
}

/* Who this watch reads for: in a member's home the organisation (its requests, the grants
 * sealed to it), with the seal key this person's member record gives it (tx_us_reader). */
static int
who_reads(watch *w)
{
    tx_us us = {0};
    int rc = tx_people_list(w->c, &w->people);

    if (rc == TX_OK) {
        rc = tx_us_load(w->c, &us);
    }
    if (rc == TX_OK) {
        rc = tx_us_reader(tx_client_home(w->c), &us, &w->reader);
    }
    tx_us_free(&us);
    w->me = w->reader != NULL ? w->reader : tx_client_id(w->c);
    return rc;
}

int
tx_watch_run(tx_client *c, const tx_watch_opts *o, tx_watch_fn fn, void *ctx, size_t *shown)
{
    static const int dir_kinds[2] = {TX_KIND_PROFILE, TX_KIND_QUESTIONNAIRE};
    tx_recs dir[2] = {{0}};
    tx_reply_pb *ack = NULL;
    watch w;
    int rc;

    memset(&w, 0, sizeof w);
    w.c = c;
    w.o = o;
    w.fn = fn;
    w.ctx = ctx;
    if (shown != NULL) {
        *shown = 0;
    }
    /* The hub's log is checked first (the kept checkpoint, this home's receipts), then again
     * at every renewal. */
    if ((rc = tx_client_conn(c, &w.conn)) != TX_OK || (rc = tx_log_check_sync(c, NULL)) != TX_OK ||
        (rc = tx_home_cursor_load_all(tx_client_home(c), &w.start)) != TX_OK ||
        (rc = tx_rpc_list(c, 2, dir_kinds, NULL, dir)) != TX_OK ||
        (rc = tx_orgs_add(&w.orgs, &dir[0])) != TX_OK) {
        goto out;
    }
    if ((rc = who_reads(&w)) != TX_OK) {
        goto out;
    }
    w.questionnaires = dir[1];
    memset(&dir[1], 0, sizeof dir[1]);
    w.cur = w.start;
    /* Subscribe first, then list: a record stored in between arrives both ways, and is shown
     * once. */
    if ((rc = send_watch(&w)) != TX_OK) {
        goto out;
    }
    if ((rc = tx_conn_wait(w.conn, w.watch_id, &ack)) != TX_OK) {
        rc = tx_client_conn_fail(c, rc);
        goto out;
    }
    w.awaiting_ack = 0;
    if (ack->status != TX_STATUS_OK) {
        rc = tx_conn_refused(ack, "%s", _("to watch"));
        goto out;
    }
    if (o->ready != NULL) {
        o->ready(ctx);
    }
    if ((rc = catch_up(&w)) == TX_OK) {
        rc = loop(&w);
    }
    if (rc == TX_OK) {
        rc = tx_home_cursor_save_all(tx_client_home(c), &w.cur);
    }
    if (rc == TX_OK && o->count > 0 && w.shown < o->count && !(o->stop != NULL && *o->stop)) {
        rc = o->count == 1
                 ? tx_fail(TX_ERR_NOT_FOUND,
                           "watch: %zu of %zu record arrived within %d s: wait longer with "
                           "--for SECONDS, or check with the sender that it was sent",
                           w.shown, o->count, o->seconds)
                 : tx_fail(TX_ERR_NOT_FOUND,
                           "watch: %zu of %zu records arrived within %d s: wait longer with "
                           "--for SECONDS, or check with the sender that they were sent",
                           w.shown, o->count, o->seconds);
    }
out:
    if (shown != NULL) {
        *shown = w.shown;
    }
    tx_free(ack);
    tx_recs_clear(&dir[0]);
    tx_recs_clear(&dir[1]);
    tx_recs_clear(&w.questionnaires);
    tx_orgs_free(&w.orgs);
    tx_identity_destroy(&w.reader);
    tx_recs_clear(&w.people);
    free(w.seen);
    return rc;
}

const char *
tx_watch_news_word(int kind)
{
    switch (kind) {
    case TX_KIND_DRAFT:
        return "draft";
    case TX_KIND_DRAFT_DECISION:
        return "decision";
    case TX_KIND_ORG_SETTINGS:
        return "settings";
    case TX_KIND_GRANT_APPROVAL:
        return "approval";
    case TX_KIND_GRANT:
        return "grant";
    default:
        return "revocation";
    }
}

json_t *
tx_watch_news_json(const tx_watch_news *n)
{
    return json_pack("{s:s,s:s,s:I,s:s?,s:b}", "news", tx_watch_news_word(n->kind), "id", n->id,
                     "index", (json_int_t)n->index, "by", n->by[0] ? n->by : NULL, "mine", n->mine);
}

/* The sentence of one piece of news, in the user's language. */
static void
news_line(FILE *f, const tx_watch_news *n)
{
    const char *by = n->by[0] ? n->by : _("the organisation's key");

    switch (n->kind) {
    case TX_KIND_DRAFT:
        fprintf(f, _("approval request %.12s prepared by %s\n"), n->id, by);
        break;
    case TX_KIND_DRAFT_DECISION:
        fprintf(f, _("decision %.12s on an approval request by %s\n"), n->id, by);
        break;
    case TX_KIND_ORG_SETTINGS:
        fprintf(f, _("two-officer setting %.12s signed by %s\n"), n->id, by);
        break;
    case TX_KIND_GRANT_APPROVAL:
        fprintf(f, _("grant approval %.12s by %s\n"), n->id, by);
        break;
    case TX_KIND_GRANT:
        fprintf(f, _("grant %.12s made by %s\n"), n->id, by);
        break;
    default:
        fprintf(f, _("grant revocation %.12s signed by %s\n"), n->id, by);
    }
}

int
tx_watch_news_print(FILE *f, const tx_watch_news *n, int json, int quiet)
{
    int rc = 0;

    if (json) {
        json_t *o = tx_watch_news_json(n);
        rc = o != NULL ? json_dumpf(o, f, JSON_COMPACT | JSON_PRESERVE_ORDER) : -1;
        json_decref(o);
        fputc('\n', f);
    } else if (quiet) {
        fprintf(f, "%s\n", n->id);
    } else {
        news_line(f, n);
    }
    return rc == 0 && !ferror(f) ? TX_OK : tx_fail(TX_ERR_IO, "cannot write to standard output");
}

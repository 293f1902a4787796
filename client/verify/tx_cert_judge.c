/* Certificate judgement: accreditor -> body -> certificate -> events, at one moment. */
#include "tx_cert_judge.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DAY 86400

/* Each status's name (machine output) and label, in the words of the web UI
 * (client/ui/assets/i18n.js, "cert.") and the reports (client/report/tx_render_doc.c). */
static const struct {
    const char *name, *label;
} statuses[] = {
    [TX_CERT_VALID] = {"valid", N_("Valid")},
    [TX_CERT_NOT_YET_VALID] = {"not_yet_valid", N_("Not yet valid")},
    [TX_CERT_EXPIRED] = {"expired", N_("Expired")},
    [TX_CERT_STALE] = {"stale", N_("Periodic report overdue")},
    [TX_CERT_SUSPENDED] = {"suspended", N_("Suspended")},
    [TX_CERT_REVOKED] = {"revoked", N_("Revoked")},
    [TX_CERT_NOT_ACCREDITED] = {"not_accredited", N_("Not accredited")},
    [TX_CERT_HOLDER_MISMATCH] = {"holder_mismatch", N_("Holder mismatch")},
    [TX_CERT_NONE] = {"no_certificate", N_("No certificate")},
    [TX_CERT_UNAVAILABLE] = {"unavailable", N_("Unavailable")},
    [TX_CERT_REPORT_DUE] = {"report_due", N_("Periodic report due")},
    [TX_CERT_INVALID_CRITERIA] = {"invalid_criteria", N_("Invalid criteria")},
};

const char *
tx_cert_status_name(int status)
{
    return status >= 0 && (size_t)status < TX_ARRAY_LEN(statuses) ? statuses[status].name
                                                                  : "unknown";
}

const char *
tx_cert_status_label(int status)
{
    if (status < 0 || (size_t)status >= TX_ARRAY_LEN(statuses)) {
        return "?";
    }
    return _(statuses[status].label);
}

int
tx_cert_status_problem(int status)
{
    return status != TX_CERT_VALID && status != TX_CERT_NONE && status != TX_CERT_REPORT_DUE;
}

static void say(tx_cert_state *st, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(tx_cert_state *st, int status, const char *fmt, ...)
{
    va_list ap;

    st->status = status;
    va_start(ap, fmt);
    vsnprintf(st->reason, sizeof st->reason, fmt, ap);
    va_end(ap);
}

static const char *
date(char buf[16], int64_t t)
{
    tx_format_date(buf, 16, t);
    return buf;
}

int
tx_tics_criteria_ok(uint32_t criteria, int64_t issued, char *why, size_t n)
{
    char d[16];
    char local[8];

    if (why == NULL || n == 0) {
        why = local;
        n = sizeof local;
    }
    why[0] = 0;
    if (criteria != 2018 && criteria != 2024) {
        snprintf(why, n,
                 _("%u is not a TICS criteria version: the criteria are those of 2018 and 2024"),
                 criteria);
        return 0;
    }
    if (issued < TX_TICS_START) {
        snprintf(why, n,
                 _("a TICS certificate cannot be issued before %s, when the scheme began (this "
                   "one is dated %s)"),
                 "2018-09-25", date(d, issued));
        return 0;
    }
    if (criteria == 2024 && issued < TX_TICS_2024_IN_FORCE) {
        snprintf(why, n,
                 _("a certificate on the 2024 criteria cannot be issued before 2024-08-16, when "
                   "they came into force (this one is dated %s)"),
                 date(d, issued));
        return 0;
    }
    return 1;
}

int
tx_tics_report_state(int64_t issued, int64_t last_report, int64_t at, int grace_days,
                     int64_t *next_due)
{
    int64_t since = last_report > issued ? last_report : issued;
    int64_t due = since + (int64_t)TX_STALE_DAYS * DAY;

    if (next_due != NULL) {
        *next_due = due;
    }
    if (grace_days < 0) {
        grace_days = 0;
    }
    if (at <= due) {
        return 0;
    }
    return at - due <= (int64_t)grace_days * DAY ? 1 : 2;
}

static int
is_pinned(const tx_trust_set *ts, const uint8_t *key)
{
    for (size_t i = 0; i < ts->n_pinned; i++) {
        if (memcmp(ts->pinned[i].sign, key, TX_KEY_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

static const char *
pinned_name(const tx_trust_set *ts, const uint8_t *key, char fp[TX_FP_LEN])
{
    for (size_t i = 0; i < ts->n_pinned; i++) {
        if (memcmp(ts->pinned[i].sign, key, TX_KEY_LEN) == 0 && ts->pinned[i].name[0]) {
            return ts->pinned[i].name;
        }
    }
    tx_fingerprint(key, fp);
    return fp;
}

static int
covers_sector(const tx_accreditation_pb *a, const char *sector)
{
    for (size_t i = 0; i < a->n_scopes; i++) {
        if (strcasecmp(a->scopes[i], "all") == 0 ||
            (sector[0] != 0 && strcasecmp(a->scopes[i], sector) == 0)) {
            return 1;
        }
    }
    return 0;
}

static void
join_scopes(const tx_accreditation_pb *a, char *out, size_t n)
{
    size_t used = 0;

    out[0] = 0;
    for (size_t i = 0; i < a->n_scopes && used < n; i++) {
        int w = snprintf(out + used, n - used, "%s%s", i ? ", " : "", a->scopes[i]);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* The newest accreditation (highest seq) of `body` by `accreditor`, or NULL. */
static const tx_rec *
latest_accreditation(const tx_trust_set *ts, const uint8_t *accreditor, const uint8_t *body)
{
    const tx_rec *best = NULL;

    for (size_t i = 0; i < ts->accreditations.n; i++) {
        const tx_rec *r = &ts->accreditations.v[i];
        const tx_accreditation_pb *a = (const tx_accreditation_pb *)r->msg;
        if (memcmp(tx_rec_signer(r), accreditor, TX_KEY_LEN) != 0 ||
            memcmp(a->body_key.data, body, TX_KEY_LEN) != 0) {
            continue;
        }
        if (best == NULL || a->meta->seq > ((const tx_accreditation_pb *)best->msg)->meta->seq) {
            best = r;
        }
    }
    return best;
}

/* The body's name as its accreditation or its profile gives it. */
static void
issuer_name(const tx_trust_set *ts, const uint8_t *body, char *out, size_t n)
{
    const tx_org *o;

    out[0] = 0;
    for (size_t i = 0; i < ts->n_pinned && out[0] == 0; i++) {
        const tx_rec *r = latest_accreditation(ts, ts->pinned[i].sign, body);
        if (r != NULL) {
            tx_utf8_copy(out, n, ((const tx_accreditation_pb *)r->msg)->body_name);
        }
    }
    if (out[0] == 0 && (o = tx_orgs_by_key(&ts->orgs, body)) != NULL) {
        tx_utf8_copy(out, n, o->name);
    }
}

/* TX_CERT_VALID when a pinned accreditor accredits the issuer for the certificate's sector at
 * its issue date; else the reason why not, in st. */
static int
check_accreditation(const tx_trust_set *ts, const tx_cert_info *info, tx_cert_state *st)
{
    char fp[TX_FP_LEN], afp[TX_FP_LEN], d1[16], d2[16], d3[16], scopes[256];
    const tx_rec *reason_rec = NULL;
    int scope_miss = 0;
    const uint8_t *forger = NULL;
    const char *who = info->issuer_name[0] ? info->issuer_name : NULL;

    tx_fingerprint(info->issuer, fp);
    if (who == NULL) {
        who = fp;
    }
    if (ts->n_pinned == 0) {
        say(st, TX_CERT_NOT_ACCREDITED,
            _("issuer %s cannot be checked: no accreditor key is pinned in this home (pin it with "
              "ticsx trust add FILE)"),
            who);
        return st->status;
    }
    for (size_t i = 0; i < ts->n_pinned; i++) {
        const tx_rec *r = latest_accreditation(ts, ts->pinned[i].sign, info->issuer);
        const tx_accreditation_pb *a;
        if (r == NULL) {
            continue;
        }
        a = (const tx_accreditation_pb *)r->msg;
        int in_time = a->valid_from <= info->issued && info->issued < a->valid_until;
        int in_scope = covers_sector(a, info->sector);
        if (in_time && in_scope) {
            return TX_CERT_VALID;
        }
        /* Prefer explaining a scope miss over a time miss: it does not change with dates. */
        if (reason_rec == NULL || (!in_scope && in_time)) {
            reason_rec = r;
            scope_miss = !in_scope && in_time;
        }
    }
    if (reason_rec != NULL) {
        const tx_accreditation_pb *a = (const tx_accreditation_pb *)reason_rec->msg;
        const char *acc = pinned_name(ts, tx_rec_signer(reason_rec), afp);
        join_scopes(a, scopes, sizeof scopes);
        if (scope_miss) {
            say(st, TX_CERT_NOT_ACCREDITED,
                _("issuer %1$s is accredited by %2$s for %3$s only, not for sector \"%4$s\" of "
                  "certificate %5$s"),
                who, acc, scopes, info->sector[0] ? info->sector : _("(none)"), info->number);
        } else {
            say(st, TX_CERT_NOT_ACCREDITED,
                _("issuer %1$s was not accredited when certificate %2$s was issued on %3$s: its "
                  "accreditation by %4$s runs from %5$s up to %6$s"),
                who, info->number, date(d1, info->issued), acc, date(d2, a->valid_from),
                date(d3, a->valid_until));
        }
        return st->status;
    }
    for (size_t i = 0; i < ts->accreditations.n && forger == NULL; i++) {
        const tx_rec *r = &ts->accreditations.v[i];
        const tx_accreditation_pb *a = (const tx_accreditation_pb *)r->msg;
        if (memcmp(a->body_key.data, info->issuer, TX_KEY_LEN) == 0 &&
            !is_pinned(ts, tx_rec_signer(r))) {
            forger = tx_rec_signer(r);
        }
    }
    if (forger != NULL) {
        tx_fingerprint(forger, afp);
        say(st, TX_CERT_NOT_ACCREDITED,
            _("issuer %1$s is not accredited: its accreditation is signed by %2$s, which is not a "
              "pinned accreditor key (a forged accreditation)"),
            who, afp);
    } else {
        say(st, TX_CERT_NOT_ACCREDITED,
            _("issuer %1$s (%2$s) is not accredited by a pinned accreditor: certificate %3$s does "
              "not count"),
            who, fp, info->number);
    }
    return st->status;
}

static const tx_cert_event_pb *
ev(const tx_rec *r)
{
    return (const tx_cert_event_pb *)r->msg;
}

static int
by_effective(const void *pa, const void *pb)
{
    const tx_cert_event_pb *a = ev(*(const tx_rec *const *)pa);
    const tx_cert_event_pb *b = ev(*(const tx_rec *const *)pb);

    if (a->effective != b->effective) {
        return a->effective < b->effective ? -1 : 1;
    }
    return a->meta->seq < b->meta->seq ? -1 : a->meta->seq > b->meta->seq;
}

typedef struct {
    const tx_cert_event_pb *revoked;   /* the revocation, if any */
    const tx_cert_event_pb *suspended; /* the suspension in force, if any */
    int64_t last_report;
} event_state;

/* Applies the issuer's events for the certificate effective at or before `at`, in order. */
static int
apply_events(const tx_trust_set *ts, const tx_rec *cert, int64_t at, event_state *es)
{
    const tx_rec **v = calloc(ts->events.n ? ts->events.n : 1, sizeof *v);
    size_t n = 0;

    memset(es, 0, sizeof *es);
    if (v == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < ts->events.n; i++) {
        const tx_rec *r = &ts->events.v[i];
        if (memcmp(ev(r)->certificate.data, cert->id, TX_ID_LEN) == 0 &&
            memcmp(tx_rec_signer(r), tx_rec_signer(cert), TX_KEY_LEN) == 0 &&
            ev(r)->effective <= at) {
            v[n++] = r;
        }
    }
    qsort(v, n, sizeof *v, by_effective);
    for (size_t i = 0; i < n && es->revoked == NULL; i++) {
        const tx_cert_event_pb *e = ev(v[i]);
        switch (e->kind) {
        case TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT:
            es->last_report = e->effective > es->last_report ? e->effective : es->last_report;
            break;
        case TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_SUSPENDED:
            if (es->suspended == NULL) {
                es->suspended = e;
            }
            break;
        case TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REINSTATED:
            es->suspended = NULL;
            break;
        case TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REVOKED:
            es->revoked = e;
            break;
        default:
            break;
        }
    }
    free(v);
    return TX_OK;
}

void
tx_cert_event_state(const tx_trust_set *ts, const tx_rec *cert, int64_t at, int *revoked,
                    int *suspended, int64_t *last_report)
{
    event_state es;

    if (apply_events(ts, cert, at, &es) != TX_OK) {
        memset(&es, 0, sizeof es);
    }
    *revoked = es.revoked != NULL;
    *suspended = es.suspended != NULL;
    *last_report = es.last_report;
}

static void
fill_info(const tx_trust_set *ts, const tx_rec *r, tx_cert_info *info)
{
    const tx_certificate_pb *c = (const tx_certificate_pb *)r->msg;

    info->loaded = 1;
    tx_utf8_copy(info->number, sizeof info->number, c->number);
    memcpy(info->holder, c->holder_key.data, TX_KEY_LEN);
    tx_utf8_copy(info->holder_name, sizeof info->holder_name, c->holder_name);
    tx_utf8_copy(info->corporate_number, sizeof info->corporate_number, c->corporate_number);
    memcpy(info->issuer, tx_rec_signer(r), TX_KEY_LEN);
    issuer_name(ts, info->issuer, info->issuer_name, sizeof info->issuer_name);
    tx_utf8_copy(info->sector, sizeof info->sector, c->sector);
    tx_utf8_copy(info->scope, sizeof info->scope, c->scope);
    info->criteria_version = c->criteria_version;
    info->issued = c->issued;
    info->expires = c->expires;
    if (c->renews.len == TX_ID_LEN) {
        const tx_rec *old = tx_trust_set_certificate(ts, c->renews.data);
        info->has_renews = 1;
        memcpy(info->renews, c->renews.data, TX_ID_LEN);
        if (old != NULL) {
            tx_utf8_copy(info->renews_number, sizeof info->renews_number,
                         ((const tx_certificate_pb *)old->msg)->number);
        }
    }
}

static void
with_note(char *out, size_t n, const char *note)
{
    char cut[160];

    tx_utf8_copy(cut, sizeof cut, note);
    if (note[0] == 0) {
        out[0] = 0;
        return;
    }
    /* TRANSLATORS: the issuer's note after a revocation or suspension sentence. */
    snprintf(out, n, _(": %s"), cut);
}

static void evaluate(const tx_trust_set *ts, const uint8_t *cert, const uint8_t *holder, int64_t at,
                     tx_cert_info *info, tx_cert_state *out, int depth);

int
tx_cert_is_renewal(const tx_rec *next, const tx_rec *old)
{
    const tx_certificate_pb *n = (const tx_certificate_pb *)next->msg;
    const tx_certificate_pb *o = (const tx_certificate_pb *)old->msg;

    return n->renews.len == TX_ID_LEN && memcmp(n->renews.data, old->id, TX_ID_LEN) == 0 &&
           memcmp(tx_rec_signer(next), tx_rec_signer(old), TX_KEY_LEN) == 0 &&
           n->holder_key.len == TX_KEY_LEN && o->holder_key.len == TX_KEY_LEN &&
           memcmp(n->holder_key.data, o->holder_key.data, TX_KEY_LEN) == 0;
}

/* The best renewal of `old` at `at` (valid before report due, then the latest issued), judged
 * along its own line; 0 when none is valid or due. */
static int
best_renewal(const tx_trust_set *ts, const tx_rec *old, const uint8_t *holder, int64_t at,
             int depth, tx_cert_info *binfo, tx_cert_state *bst)
{
    int found = 0;

    if (depth >= TX_RENEWAL_DEPTH) {
        return 0;
    }
    for (size_t i = 0; i < ts->certificates.n; i++) {
        const tx_rec *r = &ts->certificates.v[i];
        tx_cert_info ni;
        tx_cert_state ns;
        if (!tx_cert_is_renewal(r, old) || tx_trust_set_certificate(ts, r->id) != r) {
            continue;
        }
        evaluate(ts, r->id, holder, at, &ni, &ns, depth + 1);
        if (ns.status != TX_CERT_VALID && ns.status != TX_CERT_REPORT_DUE) {
            continue;
        }
        if (!found || (ns.status == TX_CERT_VALID && bst->status != TX_CERT_VALID) ||
            (ns.status == bst->status && ni.issued > binfo->issued)) {
            *binfo = ni;
            *bst = ns;
            found = 1;
        }
    }
    return found;
}

void
tx_cert_evaluate(const tx_trust_set *ts, const uint8_t *cert, const uint8_t *holder, int64_t at,
                 tx_cert_info *info, tx_cert_state *out)
{
    evaluate(ts, cert, holder, at, info, out, 0);
}

static void
evaluate(const tx_trust_set *ts, const uint8_t *cert, const uint8_t *holder, int64_t at,
         tx_cert_info *info, tx_cert_state *out, int depth)
{
    tx_cert_info local;
    const tx_rec *r;
    event_state es;
    char hex[2 * TX_ID_LEN + 1], fp[TX_FP_LEN], d1[16], d2[16], d3[16], note[200];
    const char *who;
    tx_cert_info ninfo = {0};
    tx_cert_state nst;
    int64_t since, due = 0;
    long long late;
    int rs;

    if (info == NULL) {
        info = &local;
    }
    memset(info, 0, sizeof *info);
    memset(out, 0, sizeof *out);
    out->at = at;
    if (cert == NULL) {
        say(out, TX_CERT_NONE, "%s", _("the assessment references no TICS certificate"));
        return;
    }
    info->present = 1;
    memcpy(info->record, cert, TX_ID_LEN);
    tx_hex(hex, cert, TX_ID_LEN);
    r = tx_trust_set_certificate(ts, cert);
    if (r == NULL) {
        say(out, TX_CERT_UNAVAILABLE,
            _("certificate %.12s is not in the local cache or does not verify: run ticsx fetch"),
            hex);
        return;
    }
    fill_info(ts, r, info);
    who = info->issuer_name[0] ? info->issuer_name : _("its issuer");
    if (holder != NULL && memcmp(holder, info->holder, TX_KEY_LEN) != 0) {
        tx_fingerprint(info->holder, fp);
        say(out, TX_CERT_HOLDER_MISMATCH,
            _("certificate %1$s is held by %2$s (%3$s), not by the organisation that signed the "
              "assessment"),
            info->number, info->holder_name, fp);
        return;
    }
    if (check_accreditation(ts, info, out) != TX_CERT_VALID) {
        return;
    }
    if (!tx_tics_criteria_ok(info->criteria_version, info->issued, note, sizeof note)) {
        say(out, TX_CERT_INVALID_CRITERIA, _("certificate %1$s does not count: %2$s"), info->number,
            note);
        return;
    }
    if (apply_events(ts, r, at, &es) != TX_OK) {
        say(out, TX_CERT_UNAVAILABLE, _("out of memory while reading the events of %s"),
            info->number);
        return;
    }
    out->last_report = es.last_report;
    tx_tics_report_state(info->issued, es.last_report, at, 0, &out->next_report_due);
    if (es.revoked != NULL || at >= info->expires || out->next_report_due >= info->expires) {
        out->next_report_due = 0; /* no report comes due: revoked, expired or renewal first */
    }
    if (es.revoked != NULL) {
        with_note(note, sizeof note, es.revoked->note);
        say(out, TX_CERT_REVOKED, _("certificate %1$s was revoked by %2$s on %3$s%4$s"),
            info->number, who, date(d1, es.revoked->effective), note);
    } else if (at < info->issued) {
        say(out, TX_CERT_NOT_YET_VALID,
            _("certificate %1$s is not valid before its issue date %2$s"), info->number,
            date(d1, info->issued));
    } else if (at >= info->expires && best_renewal(ts, r, holder != NULL ? holder : info->holder,
                                                   at, depth, &ninfo, &nst)) {
        char cut[300];
        tx_utf8_copy(cut, sizeof cut, nst.reason);
        out->status = nst.status;
        out->last_report = nst.last_report;
        out->next_report_due = nst.next_report_due;
        out->renewed = 1;
        if (nst.renewed) { /* renewed more than once: name the one in force */
            memcpy(out->renewed_by, nst.renewed_by, TX_ID_LEN);
            memcpy(out->renewed_by_number, nst.renewed_by_number, sizeof out->renewed_by_number);
            out->renewed_by_expires = nst.renewed_by_expires;
        } else {
            memcpy(out->renewed_by, ninfo.record, TX_ID_LEN);
            memcpy(out->renewed_by_number, ninfo.number, sizeof out->renewed_by_number);
            out->renewed_by_expires = ninfo.expires;
        }
        say(out, nst.status,
            _("certificate %1$s expired on %2$s and was renewed by %3$s of the same body for the "
              "same holder: %4$s"),
            info->number, date(d1, info->expires), out->renewed_by_number, cut);
    } else if (at >= info->expires) {
        say(out, TX_CERT_EXPIRED, _("certificate %1$s expired on %2$s"), info->number,
            date(d1, info->expires));
    } else if (es.suspended != NULL) {
        with_note(note, sizeof note, es.suspended->note);
        say(out, TX_CERT_SUSPENDED, _("certificate %1$s is suspended by %2$s since %3$s%4$s"),
            info->number, who, date(d1, es.suspended->effective), note);
    } else if ((rs = tx_tics_report_state(info->issued, es.last_report, at, ts->report_grace_days,
                                          &due)) != 0) {
        since = es.last_report > info->issued ? es.last_report : info->issued;
        late = (at - due + DAY - 1) / DAY;
        if (rs == 1 && es.last_report > info->issued) {
            say(out, TX_CERT_REPORT_DUE,
                _("the annual report on certificate %1$s was due on %2$s and is %3$lld days late "
                  "(the last was on %4$s; %5$d days of grace are allowed before it counts as "
                  "overdue)"),
                info->number, date(d1, due), late, date(d2, since), ts->report_grace_days);
        } else if (rs == 1) {
            say(out, TX_CERT_REPORT_DUE,
                _("the first annual report on certificate %1$s was due on %2$s and is %3$lld days "
                  "late (none since the issue date %4$s; %5$d days of grace are allowed before it "
                  "counts as overdue)"),
                info->number, date(d1, due), late, date(d2, since), ts->report_grace_days);
        } else if (es.last_report > info->issued) {
            say(out, TX_CERT_STALE,
                _("no annual report on certificate %1$s for %2$lld days (the last was on %3$s; "
                  "one is due every 12 months): it was due on %4$s and is %5$lld days late"),
                info->number, (long long)((at - since) / DAY), date(d1, since), date(d2, due),
                late);
        } else {
            say(out, TX_CERT_STALE,
                _("no annual report on certificate %1$s for %2$lld days (none since the issue "
                  "date %3$s; one is due every 12 months): it was due on %4$s and is %5$lld days "
                  "late"),
                info->number, (long long)((at - since) / DAY), date(d1, since), date(d2, due),
                late);
        }
    } else {
        if (es.last_report > 0) {
            snprintf(note, sizeof note, _("last annual report %s"), date(d3, es.last_report));
        } else {
            snprintf(note, sizeof note, "%s", _("no annual report due yet"));
        }
        say(out, TX_CERT_VALID,
            _("certificate %1$s (%2$s, criteria %3$u) issued by %4$s on %5$s, valid until %6$s; "
              "%7$s"),
            info->number, info->sector[0] ? info->sector : _("no sector"), info->criteria_version,
            who, date(d1, info->issued), date(d2, info->expires), note);
    }
}

/* A moment's state: what json_pack("{s:o,s:s,s:s,s:o,s:o}", ...) made, member by member (a row
 * has two of these, and the pack's format parsing was most of their cost): NULL, as from the
 * pack, when any member could not be made (a reason that is not UTF-8, no memory). */
static json_t *
state_json(const tx_cert_state *st)
{
    static const char *const names[] = {"date", "status", "reason", "last_report",
                                        "next_report_due"};
    json_t *m[] = {tx_json_date(st->at), json_string(tx_cert_status_name(st->status)),
                   json_string(st->reason), tx_json_date(st->last_report),
                   tx_json_date(st->next_report_due)};
    json_t *o = tx_json_object_take(names, m, TX_ARRAY_LEN(m));

    if (o != NULL) {
        json_object_set_new(o, "renewed_by",
                            st->renewed ? json_pack("{s:o,s:s,s:o}", "record",
                                                    tx_json_hex(st->renewed_by, TX_ID_LEN),
                                                    "number", st->renewed_by_number, "expires",
                                                    tx_json_date(st->renewed_by_expires))
                                        : json_null());
    }
    return o;
}

json_t *
tx_cert_json(const tx_cert_info *info, const tx_cert_state *as_of, const tx_cert_state *now)
{
    json_t *o = json_object();
    char fp[TX_FP_LEN];

    json_object_set_new(o, "record",
                        info->present ? tx_json_hex(info->record, TX_ID_LEN) : json_null());
    if (info->loaded) {
        tx_fingerprint(info->issuer, fp);
        json_object_set_new(o, "number", json_string(info->number));
        json_object_set_new(o, "holder",
                            json_pack("{s:s,s:s,s:o}", "name", info->holder_name,
                                      "corporate_number", info->corporate_number, "key",
                                      tx_json_hex(info->holder, TX_KEY_LEN)));
        json_object_set_new(o, "issuer",
                            json_pack("{s:s,s:o,s:s}", "name", info->issuer_name, "key",
                                      tx_json_hex(info->issuer, TX_KEY_LEN), "fingerprint", fp));
        json_object_set_new(o, "sector", json_string(info->sector));
        json_object_set_new(o, "scope", json_string(info->scope));
        json_object_set_new(o, "criteria_version", json_integer(info->criteria_version));
        json_object_set_new(o, "issued", tx_json_date(info->issued));
        json_object_set_new(o, "expires", tx_json_date(info->expires));
        json_object_set_new(
            o, "renews",
            info->has_renews
                ? json_pack("{s:o,s:o}", "record", tx_json_hex(info->renews, TX_ID_LEN), "number",
                            info->renews_number[0] ? json_string(info->renews_number) : json_null())
                : json_null());
    } else {
        static const char *const keys[] = {"number", "holder",  "issuer",
                                           "sector", "scope",   "criteria_version",
                                           "issued", "expires", "renews"};
        for (size_t i = 0; i < TX_ARRAY_LEN(keys); i++) {
            json_object_set_new(o, keys[i], json_null());
        }
    }
    if (as_of != NULL) {
        json_object_set_new(o, "as_of", state_json(as_of));
    }
    json_object_set_new(o, "now", state_json(now));
    return o;
}

static const char *
event_kind_name(int kind)
{
    switch (kind) {
    case TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT:
        return "report";
    case TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_SUSPENDED:
        return "suspend";
    case TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REINSTATED:
        return "reinstate";
    case TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REVOKED:
        return "revoke";
    default:
        return "unknown";
    }
}

/* The accreditation the chain shows for the issuer: the newest by a pinned accreditor that
 * covers the certificate, else the newest by a pinned one, else any (a forged one shows as not
 * pinned). */
static const tx_rec *
chain_accreditation(const tx_trust_set *ts, const tx_cert_info *info)
{
    const tx_rec *pinned_any = NULL;

    for (size_t i = 0; i < ts->n_pinned; i++) {
        const tx_rec *r = latest_accreditation(ts, ts->pinned[i].sign, info->issuer);
        const tx_accreditation_pb *a;
        if (r == NULL) {
            continue;
        }
        a = (const tx_accreditation_pb *)r->msg;
        if (a->valid_from <= info->issued && info->issued < a->valid_until &&
            covers_sector(a, info->sector)) {
            return r;
        }
        pinned_any = pinned_any != NULL ? pinned_any : r;
    }
    if (pinned_any != NULL) {
        return pinned_any;
    }
    for (size_t i = 0; i < ts->accreditations.n; i++) {
        const tx_rec *r = &ts->accreditations.v[i];
        if (memcmp(((const tx_accreditation_pb *)r->msg)->body_key.data, info->issuer,
                   TX_KEY_LEN) == 0) {
            return r;
        }
    }
    return NULL;
}

json_t *
tx_cert_chain_json(const tx_trust_set *ts, const tx_cert_info *info, const tx_cert_state *now)
{
    json_t *steps = json_array(), *scopes = json_array();
    const tx_rec *acc, *cert;
    char fp[TX_FP_LEN];

    if (!info->present) {
        json_decref(scopes);
        return steps;
    }
    if (!info->loaded) {
        json_array_append_new(
            steps, json_pack("{s:s,s:n,s:n,s:n,s:n,s:n,s:n,s:s,s:s}", "step", "certificate",
                             "number", "scope", "sector", "criteria_version", "issued", "expires",
                             "status", tx_cert_status_name(now->status), "reason", now->reason));
        json_decref(scopes);
        return steps;
    }
    acc = chain_accreditation(ts, info);
    if (acc != NULL) {
        const tx_accreditation_pb *a = (const tx_accreditation_pb *)acc->msg;
        const uint8_t *signer = tx_rec_signer(acc);
        const tx_org *o = tx_orgs_by_key(&ts->orgs, signer);
        char afp[TX_FP_LEN];
        const char *name = pinned_name(ts, signer, afp);
        int pinned = is_pinned(ts, signer);

        tx_fingerprint(signer, fp);
        for (size_t i = 0; i < a->n_scopes; i++) {
            json_array_append_new(scopes, json_string(a->scopes[i]));
        }
        json_array_append_new(steps, json_pack("{s:s,s:s,s:s,s:b}", "step", "accreditor", "name",
                                               o != NULL ? o->name : name, "fingerprint", fp,
                                               "pinned", pinned));
        json_array_append_new(steps, json_pack("{s:s,s:o,s:o,s:o,s:b}", "step", "accreditation",
                                               "scope", scopes, "from", tx_json_date(a->valid_from),
                                               "until", tx_json_date(a->valid_until), "ok",
                                               pinned && a->valid_from <= info->issued &&
                                                   info->issued < a->valid_until &&
                                                   covers_sector(a, info->sector)));
    } else {
        json_array_append_new(steps, json_pack("{s:s,s:n,s:n,s:b}", "step", "accreditor", "name",
                                               "fingerprint", "pinned", 0));
        json_array_append_new(steps, json_pack("{s:s,s:o,s:n,s:n,s:b}", "step", "accreditation",
                                               "scope", scopes, "from", "until", "ok", 0));
    }
    tx_fingerprint(info->issuer, fp);
    json_array_append_new(steps, json_pack("{s:s,s:s,s:s}", "step", "body", "name",
                                           info->issuer_name, "fingerprint", fp));
    json_array_append_new(
        steps, json_pack("{s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:s,s:s}", "step", "certificate", "number",
                         info->number, "scope", info->scope, "sector", info->sector,
                         "criteria_version", (json_int_t)info->criteria_version, "issued",
                         tx_json_date(info->issued), "expires", tx_json_date(info->expires),
                         "status", tx_cert_status_name(now->status), "reason", now->reason));
    if ((cert = tx_trust_set_certificate(ts, info->record)) != NULL) {
        const tx_rec **v = calloc(ts->events.n ? ts->events.n : 1, sizeof *v);
        size_t n = 0;

        for (size_t i = 0; v != NULL && i < ts->events.n; i++) {
            const tx_rec *r = &ts->events.v[i];
            if (memcmp(ev(r)->certificate.data, cert->id, TX_ID_LEN) == 0 &&
                memcmp(tx_rec_signer(r), tx_rec_signer(cert), TX_KEY_LEN) == 0) {
                v[n++] = r;
            }
        }
        if (v != NULL) {
            qsort(v, n, sizeof *v, by_effective);
        }
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(steps, json_pack("{s:s,s:s,s:o,s:s}", "step", "event", "kind",
                                                   event_kind_name(ev(v[i])->kind), "effective",
                                                   tx_json_date(ev(v[i])->effective), "note",
                                                   ev(v[i])->note != NULL ? ev(v[i])->note : ""));
        }
        free(v);
    }
    return steps;
}

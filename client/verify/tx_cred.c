/* The unified list of a verdict's credentials: the body-signed certificate's judgement mapped
 * to the common statuses, then each declared credential judged at as-of and now (the worse of
 * the two counts, problems first). Labels come from the catalogue, one per status. */
#include "tx_cred.h"

#include "tx_cert_judge.h"
#include "tx_error.h"
#include "tx_evidence_check.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_register.h"
#include "tx_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY 86400

const char *
tx_cred_status_name(int status)
{
    return tx_cred_statuses[status >= 0 && status < TX_CRED_COUNT_ ? status : TX_CRED_UNAVAILABLE];
}

const char *
tx_cred_status_label(int status)
{
    if (status == TX_CRED_VALID) {
        return _(
            "Valid (signed by the body)"); /* only a body's signature makes a credential valid */
    }
    return tx_cred_status_word(
        status >= 0 && status < TX_CRED_COUNT_ ? status : TX_CRED_UNAVAILABLE, 0);
}

int
tx_cred_severity(int status)
{
    switch (status) {
    case TX_CRED_VALID:
    case TX_CRED_LISTED:
    case TX_CRED_DECLARED:
        return TX_CRED_OK;
    case TX_CRED_REPORT_DUE:
    case TX_CRED_APPLIED:
    case TX_CRED_UNDER_AUDIT:
        return TX_CRED_WARNING;
    default:
        return TX_CRED_PROBLEM;
    }
}

const char *
tx_cred_severity_name(int severity)
{
    return severity == TX_CRED_OK ? "ok" : severity == TX_CRED_WARNING ? "warning" : "problem";
}

const char *
tx_cred_scheme_label(const char *scheme)
{
    static const char *const labels[TX_CRED_SCHEME_COUNT] = {N_("TICS"), N_("ISMS (ISO/IEC 27001)"),
                                                             N_("TISAX"), N_("Privacy Mark"),
                                                             N_("Third-party audit report")};
    int i = tx_cred_scheme_find(scheme);

    return i >= 0 ? _(labels[i]) : scheme;
}

const char *
tx_cred_state_label(const char *state)
{
    if (strcmp(state, "certified") == 0) {
        return _("certified");
    }
    if (strcmp(state, "applied") == 0) {
        return _("applied");
    }
    if (strcmp(state, "under_audit") == 0) {
        return _("under audit");
    }
    return state;
}

int64_t
tx_cred_add_years(int64_t t, int years)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    tm.tm_year += years;
    if (tm.tm_mon == 1 && tm.tm_mday == 29) {
        tm.tm_mday = 28;
    }
    return (int64_t)timegm(&tm);
}

static const char *
day(char buf[16], int64_t t)
{
    tx_format_date(buf, 16, t);
    return buf;
}

/* ---- the body-signed certificate ---- */

static int
from_cert_status(int st)
{
    int i = tx_cred_status_find(tx_cert_status_name(st));

    return i >= 0 ? i : TX_CRED_UNAVAILABLE;
}

static void
add_signed(const tx_verdict *v, tx_cred *c)
{
    const tx_cert_state *st = tx_verdict_cert_state(v);
    const tx_cert_info *in = &v->cert;

    memset(c, 0, sizeof *c);
    snprintf(c->scheme, sizeof c->scheme, "tics");
    c->signed_ = 1;
    snprintf(c->state, sizeof c->state, "certified");
    c->status = from_cert_status(st->status);
    snprintf(c->reason, sizeof c->reason, "%s", st->reason);
    if (in->loaded) {
        snprintf(c->number, sizeof c->number, "%s", in->number);
        snprintf(c->body, sizeof c->body, "%s", in->issuer_name);
        snprintf(c->holder_name, sizeof c->holder_name, "%s", in->holder_name);
        snprintf(c->corporate_number, sizeof c->corporate_number, "%s", in->corporate_number);
        snprintf(c->scope, sizeof c->scope, "%s", in->scope);
        if (in->criteria_version) {
            snprintf(c->standard, sizeof c->standard, "%u", in->criteria_version);
        }
        c->criteria_version = in->criteria_version;
        c->issued = in->issued;
        c->expires = in->expires;
    }
    c->last_report = st->last_report;
    if (in->present) {
        c->has_record = 1;
        memcpy(c->record, in->record, TX_ID_LEN);
    }
}

/* ---- a declared credential ---- */

typedef struct {
    int status;
    char reason[512];
    int64_t next_due;
} judged;

/* Judges d at `at`; `when` names the moment in reasons ("" for now). */
static void
judge_at(const tx_registers *regs, const tx_trust_set *ts, const tx_verdict *v,
         const tx_credential_pb *d, const tx_cred *c, int64_t at, const char *when, judged *out)
{
    char d1[16], d2[16], why[256];
    int tics = strcmp(d->scheme, "tics") == 0;
    int grace = ts != NULL ? ts->report_grace_days : 0;
    out->next_due = 0;
    /* The holder is the signer: its verified profile names it. */
    if (d->corporate_number[0] && v->supplier_corp[0] &&
        strcmp(d->corporate_number, v->supplier_corp) != 0) {
        out->status = TX_CRED_HOLDER_MISMATCH;
        snprintf(out->reason, sizeof out->reason,
                 _("the credential names corporate number %1$s, the assessment's signer has "
                   "%2$s"),
                 d->corporate_number, v->supplier_corp);
        return;
    }
    if (d->holder_name[0] && v->supplier_name[0]) {
        char a[512], b[512];
        tx_register_norm_name(d->holder_name, a, sizeof a, NULL);
        tx_register_norm_name(v->supplier_name, b, sizeof b, NULL);
        if (strcmp(a, b) != 0 &&
            !(d->corporate_number[0] && strcmp(d->corporate_number, v->supplier_corp) == 0)) {
            out->status = TX_CRED_HOLDER_MISMATCH;
            snprintf(out->reason, sizeof out->reason,
                     _("the credential is held by %1$s, the assessment is signed by %2$s"),
                     d->holder_name, v->supplier_name);
            return;
        }
    }
    /* The evidence the credential names: each file present in the assessment and checked. */
    for (size_t i = 0; i < c->n_files; i++) {
        if (c->files[i].status != TX_EVIDENCE_CHECKED) {
            out->status = TX_CRED_EVIDENCE_FAILED;
            snprintf(out->reason, sizeof out->reason,
                     c->files[i].status == TX_EVIDENCE_MISSING
                         ? _("its document %s is missing: the assessment does not carry it or "
                             "its pieces are not here (run ticsx fetch)")
                         : _("its document %s does not match what the signed assessment states "
                             "(size or SHA-256)"),
                     c->files[i].name);
            return;
        }
    }
    if (tics && regs == NULL) {
        out->status = TX_CRED_UNAVAILABLE;
        snprintf(out->reason, sizeof out->reason,
                 _("the accredited bodies register could not be read here: the body is not "
                   "checked"));
        return;
    }
    if (tics && d->body[0]) {
        tx_reg_body rb;
        int64_t when_body = d->issued ? d->issued : at;
        if (tx_register_body(regs, d->body, when_body, &rb) != TX_OK ||
            rb.state != TX_BODY_ACCREDITED) {
            tx_fail_clear();
            out->status = TX_CRED_NOT_ACCREDITED;
            snprintf(out->reason, sizeof out->reason,
                     _("%1$s is not in the accredited bodies register on %2$s"), d->body,
                     day(d1, when_body));
            return;
        }
    }
    if (strcmp(d->state, "certified") != 0) {
        int applied = strcmp(d->state, "applied") == 0;
        out->status = applied ? TX_CRED_APPLIED : TX_CRED_UNDER_AUDIT;
        if (d->expected && d->expected < at) {
            snprintf(out->reason, sizeof out->reason,
                     applied ? _("applied to %1$s; the decision expected by %2$s has not come%3$s")
                             : _("under audit by %1$s; the decision expected by %2$s has not "
                                 "come%3$s"),
                     d->body, day(d1, d->expected), when);
        } else {
            snprintf(out->reason, sizeof out->reason,
                     applied ? _("applied to %1$s, decision expected by %2$s%3$s")
                             : _("under audit by %1$s, decision expected by %2$s%3$s"),
                     d->body, d->expected ? day(d1, d->expected) : "?", when);
        }
        return;
    }
    if (tics) {
        uint32_t cv = (uint32_t)strtoul(d->standard, NULL, 10);
        if (!tx_tics_criteria_ok(cv, d->issued, why, sizeof why)) {
            out->status = TX_CRED_INVALID_CRITERIA;
            snprintf(out->reason, sizeof out->reason, "%s", why);
            return;
        }
    }
    if (d->issued && at < d->issued) {
        out->status = TX_CRED_NOT_YET_VALID;
        snprintf(out->reason, sizeof out->reason, _("issued on %1$s, after %2$s"),
                 day(d1, d->issued), day(d2, at));
        return;
    }
    if (d->expires && at >= d->expires) {
        out->status = TX_CRED_EXPIRED;
        snprintf(out->reason, sizeof out->reason, _("expired on %1$s%2$s"), day(d1, d->expires),
                 when);
        return;
    }
    judged reg = {.status = TX_CRED_DECLARED};
    if (c->n_files == 0) {
        reg.status = TX_CRED_EVIDENCE_FAILED;
        snprintf(reg.reason, sizeof reg.reason,
                 _("declared without its document: nothing but the supplier's word"));
    } else {
        snprintf(reg.reason, sizeof reg.reason,
                 _("declared by the supplier with its document; no trusted register confirms "
                   "it"));
    }
    if (tics && d->number[0] && regs != NULL) {
        tx_reg_query q = {.list = TX_REG_LIST_CERTIFIED,
                          .number = d->number,
                          .holder_name = d->holder_name,
                          .corporate_number = d->corporate_number,
                          .body = d->body,
                          .issued = d->issued,
                          .at = at};
        tx_reg_result r;
        if (tx_register_match(regs, &q, &r) == TX_OK) {
            if (r.match == TX_REG_LISTED) {
                reg.status = TX_CRED_LISTED;
                snprintf(reg.reason, sizeof reg.reason, "%s", r.reason);
            } else if (r.match == TX_REG_OTHER_HOLDER || r.match == TX_REG_OTHER_BODY) {
                reg.status = TX_CRED_REGISTER_MISMATCH;
                snprintf(reg.reason, sizeof reg.reason, "%s", r.reason);
            } else if (r.match == TX_REG_NOT_LISTED && reg.status == TX_CRED_DECLARED) {
                snprintf(reg.reason, sizeof reg.reason, _("declared with its document; %s"),
                         r.reason);
            }
        }
        tx_fail_clear();
    }
    if (reg.status == TX_CRED_REGISTER_MISMATCH) {
        *out = reg;
        return;
    }
    if (tics) {
        int64_t next = 0;
        int rs = tx_tics_report_state(d->issued, d->last_report, at, grace, &next);
        out->next_due = next;
        if (rs == 2) {
            out->status = TX_CRED_STALE;
            snprintf(out->reason, sizeof out->reason,
                     _("the periodic report due by %1$s has not been made%2$s"), day(d1, next),
                     when);
            return;
        }
        if (rs == 1 && reg.status != TX_CRED_EVIDENCE_FAILED) {
            out->status = TX_CRED_REPORT_DUE;
            snprintf(out->reason, sizeof out->reason,
                     _("the periodic report due by %1$s is late, within the %2$d days of grace"),
                     day(d1, next), grace);
            return;
        }
    }
    out->status = reg.status;
    snprintf(out->reason, sizeof out->reason, "%s", reg.reason);
}

/* Fills c's register member from a match at `at` (for the JSON). */
static void
register_info(const tx_registers *regs, const tx_credential_pb *d, int64_t at, tx_cred *c)
{
    tx_reg_query q = {.list = TX_REG_LIST_CERTIFIED,
                      .number = d->number,
                      .holder_name = d->holder_name,
                      .corporate_number = d->corporate_number,
                      .body = d->body,
                      .issued = d->issued,
                      .at = at};
    tx_reg_result r;

    if (regs == NULL || strcmp(d->scheme, "tics") != 0 || d->number[0] == 0 ||
        tx_register_match(regs, &q, &r) != TX_OK || r.match == TX_REG_NONE) {
        tx_fail_clear();
        return;
    }
    c->has_register = 1;
    snprintf(c->reg_list, sizeof c->reg_list, "%s", r.list);
    snprintf(c->reg_publisher, sizeof c->reg_publisher, "%s", r.publisher);
    snprintf(c->reg_fingerprint, sizeof c->reg_fingerprint, "%s", r.fingerprint);
    c->reg_as_of = r.as_of;
    snprintf(c->reg_match, sizeof c->reg_match, "%s", tx_reg_match_name(r.match));
}

/* The verdict's result for its file `name` (tx_verdict.evidence follows inner->evidence). */
static const tx_evidence_result *
evidence_of(const tx_verdict *v, const char *name)
{
    for (size_t i = 0; i < v->n_evidence; i++) {
        if (v->evidence[i].name != NULL && strcmp(v->evidence[i].name, name) == 0) {
            return &v->evidence[i];
        }
    }
    return NULL;
}

static const char *
evidence_status(int status)
{
    return status == TX_EVIDENCE_CHECKED   ? "checked"
           : status == TX_EVIDENCE_MISSING ? "missing"
                                           : "mismatch";
}

static void
add_declared(const tx_registers *regs, const tx_trust_set *ts, const tx_verdict *v,
             const tx_credential_pb *d, int64_t now, tx_cred *c)
{
    judged at_asof, at_now;
    char d1[16], when[64];

    memset(c, 0, sizeof *c);
    snprintf(c->scheme, sizeof c->scheme, "%s", d->scheme);
    snprintf(c->state, sizeof c->state, "%s", d->state);
    snprintf(c->number, sizeof c->number, "%s", d->number);
    snprintf(c->body, sizeof c->body, "%s", d->body);
    snprintf(c->holder_name, sizeof c->holder_name, "%s", d->holder_name);
    snprintf(c->corporate_number, sizeof c->corporate_number, "%s", d->corporate_number);
    snprintf(c->scope, sizeof c->scope, "%s", d->scope);
    snprintf(c->standard, sizeof c->standard, "%s", d->standard);
    snprintf(c->renews, sizeof c->renews, "%s", d->renews);
    if (strcmp(d->scheme, "tics") == 0) {
        unsigned long cv = strtoul(d->standard, NULL, 10);
        c->criteria_version = cv == 2018 || cv == 2024 ? (uint32_t)cv : 0;
    }
    c->issued = d->issued;
    c->expires = d->expires;
    c->last_report = d->last_report;
    c->expected = d->expected;
    for (size_t i = 0; i < d->n_evidence && c->n_files < TX_CRED_MAX_FILES; i++) {
        tx_cred_file *f = &c->files[c->n_files++];
        const tx_evidence_result *r = evidence_of(v, d->evidence[i]);
        snprintf(f->name, sizeof f->name, "%s", d->evidence[i]);
        if (r == NULL) {
            f->status = TX_EVIDENCE_MISSING;
            continue;
        }
        snprintf(f->media_type, sizeof f->media_type, "%s", r->media_type ? r->media_type : "");
        f->size = r->size;
        f->has_hash = 1;
        memcpy(f->sha256, r->sha256, 32);
        f->status = r->status;
    }
    snprintf(when, sizeof when, _(" (at the as-of date %s)"), day(d1, v->as_of));
    judge_at(regs, ts, v, d, c, v->as_of, when, &at_asof);
    judge_at(regs, ts, v, d, c, now, "", &at_now);
    /* The worse of the two; now's when equally bad. */
    const judged *j =
        tx_cred_severity(at_asof.status) > tx_cred_severity(at_now.status) ? &at_asof : &at_now;
    c->status = j->status;
    c->next_report_due = at_now.next_due;
    snprintf(c->reason, sizeof c->reason, "%s", j->reason);
    register_info(regs, d, now, c);
}

int
tx_cred_judge_all(tx_home *home, const tx_trust_set *ts, tx_verdicts *vs)
{
    tx_registers regs = {0};
    int have_regs = 0, declared = 0;
    int64_t now = tx_now();

    /* The registers (a scan of the cache) only when some assessment declares a credential. */
    for (size_t i = 0; i < vs->n && !declared; i++) {
        declared = vs->v[i].inner != NULL && vs->v[i].inner->n_credentials > 0;
    }
    if (declared && !(have_regs = tx_registers_load(home, &regs) == TX_OK)) {
        tx_registers_free(&regs);
    }
    tx_fail_clear();
    for (size_t i = 0; i < vs->n; i++) {
        tx_verdict *v = &vs->v[i];
        size_t n = 0, cap;
        int with_cert = v->cert_checked && v->cert.present;

        if (v->inner == NULL && !with_cert) {
            continue;
        }
        cap = (with_cert ? 1 : 0) + (v->inner ? v->inner->n_credentials : 0);
        if (cap == 0) {
            continue;
        }
        if ((v->creds = calloc(cap, sizeof *v->creds)) == NULL) {
            if (have_regs) {
                tx_registers_free(&regs);
            }
            return TX_ERR_NOMEM;
        }
        if (with_cert) {
            add_signed(v, &v->creds[n++]);
        }
        for (size_t k = 0; v->inner && k < v->inner->n_credentials; k++) {
            add_declared(have_regs ? &regs : NULL, ts, v, v->inner->credentials[k], now,
                         &v->creds[n++]);
        }
        v->n_creds = n;
    }
    if (have_regs) {
        tx_registers_free(&regs);
    }
    return TX_OK;
}

json_t *
tx_cred_json(const tx_cred *v, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++) {
        const tx_cred *c = &v[i];
        json_t *j = json_object(), *ev = json_array();
        json_object_set_new(j, "scheme", json_string(c->scheme));
        json_object_set_new(j, "source", json_string(c->signed_ ? "signed" : "declared"));
        json_object_set_new(j, "state", json_string(c->state));
        json_object_set_new(j, "status", json_string(tx_cred_status_name(c->status)));
        json_object_set_new(j, "severity",
                            json_string(tx_cred_severity_name(tx_cred_severity(c->status))));
        json_object_set_new(j, "reason", json_string(c->reason));
        json_object_set_new(j, "number", tx_json_str(c->number));
        json_object_set_new(j, "body", tx_json_str(c->body));
        json_object_set_new(j, "holder_name", tx_json_str(c->holder_name));
        json_object_set_new(j, "corporate_number", tx_json_str(c->corporate_number));
        json_object_set_new(j, "scope", tx_json_str(c->scope));
        json_object_set_new(j, "standard", tx_json_str(c->standard));
        json_object_set_new(j, "criteria_version",
                            c->criteria_version ? json_integer(c->criteria_version) : json_null());
        json_object_set_new(j, "issued", tx_json_date(c->issued));
        json_object_set_new(j, "expires", tx_json_date(c->expires));
        json_object_set_new(j, "last_report", tx_json_date(c->last_report));
        json_object_set_new(j, "next_report_due", tx_json_date(c->next_report_due));
        json_object_set_new(j, "expected", tx_json_date(c->expected));
        json_object_set_new(j, "renews", tx_json_str(c->renews));
        json_object_set_new(j, "record",
                            c->has_record ? tx_json_hex(c->record, TX_ID_LEN) : json_null());
        json_object_set_new(
            j, "register",
            c->has_register ? json_pack("{s:s,s:s,s:s,s:o,s:s}", "list", c->reg_list, "publisher",
                                        c->reg_publisher, "fingerprint", c->reg_fingerprint,
                                        "as_of", tx_json_date(c->reg_as_of), "match", c->reg_match)
                            : json_null());
        for (size_t k = 0; k < c->n_files; k++) {
            const tx_cred_file *f = &c->files[k];
            json_array_append_new(
                ev, json_pack("{s:s,s:o,s:o,s:o,s:s}", "name", f->name, "media_type",
                              tx_json_str(f->media_type), "size",
                              f->has_hash ? json_integer((json_int_t)f->size) : json_null(),
                              "sha256", f->has_hash ? tx_json_hex(f->sha256, 32) : json_null(),
                              "status", evidence_status(f->status)));
        }
        json_object_set_new(j, "evidence", ev);
        json_array_append_new(arr, j);
    }
    return arr;
}

json_t *
tx_cred_verdict_json(const tx_verdict *v)
{
    return tx_cred_json(v->creds, v->n_creds);
}

size_t
tx_cred_problems(const tx_cred *v, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        k += tx_cred_severity(v[i].status) == TX_CRED_PROBLEM;
    }
    return k;
}

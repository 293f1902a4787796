/* Accreditations, certificates and certificate events: signing them and the flows that
 * submit them. */
#include "tx_cert_issue.h"
#include "tx_lookup.h"

#include "tx_cert_judge.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_log.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_rpc.h"
#include "tx_sign.h"
#include "tx_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_NOTE 1024
#define MAX_NUMBER 100
#define MAX_SCOPE_TEXT 2000

int
tx_cert_sector_valid(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n < 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

int
tx_cert_split_scopes(char *s, const char **scopes, size_t *n)
{
    *n = 0;
    for (char *save = NULL, *tok = strtok_r(s, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') {
            tok++;
        }
        if (*tok == 0) {
            continue;
        }
        if (!tx_cert_sector_valid(tok)) {
            return tx_fail(TX_ERR_USAGE,
                           "--scope %s: use all, or sectors of a-z, 0-9 and '-' such as "
                           "manufacturing or aerospace-defence",
                           tok);
        }
        if (*n >= TX_MAX_SCOPES) {
            return tx_fail(TX_ERR_USAGE, "--scope: at most %d sectors", TX_MAX_SCOPES);
        }
        scopes[(*n)++] = tok;
    }
    return *n > 0 ? TX_OK : tx_fail(TX_ERR_USAGE, "--scope: give all or a list of sectors");
}

static int
text_ok(const char *s, size_t max, int allow_empty)
{
    size_t n = strlen(s);

    if ((n == 0 && !allow_empty) || n > max || !tx_utf8_valid(s, n)) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            return 0;
        }
    }
    return 1;
}

/* Signs msg as kind, then opens the result with the strict codec: what fails there is named. */
static int
sign_checked(const tx_identity *id, int kind, const ProtobufCMessage *msg, uint8_t **env,
             size_t *len)
{
    tx_envelope_pb *e = NULL;
    ProtobufCMessage *back = NULL;
    int rc;

    *env = NULL;
    if ((rc = tx_sign_checked(id, kind, msg, NULL, env, len)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_envelope_open_as(*env, *len, kind, &e, &back)) != TX_OK) {
        rc = tx_fail(TX_ERR_USAGE, "the %s would be refused: %s", tx_kind_word(kind),
                     tx_codec_detail());
        free(*env);
        *env = NULL;
    }
    tx_free(back);
    tx_free(e);
    return rc;
}

int
tx_cert_sign_accreditation(const tx_identity *accreditor, uint64_t seq,
                           const uint8_t body_key[TX_KEY_LEN], const char *body_name,
                           const char *const *scopes, size_t n_scopes, int64_t from, int64_t until,
                           const char *note, uint8_t **env, size_t *len)
{
    tx_accreditation_pb a = TICSX__V1__ACCREDITATION__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;

    *env = NULL;
    if (!text_ok(body_name, 200, 0)) {
        return tx_fail(TX_ERR_USAGE, "body name: 1 to 200 bytes of UTF-8 text on one line");
    }
    if (n_scopes == 0 || n_scopes > TX_MAX_SCOPES) {
        return tx_fail(TX_ERR_USAGE, "an accreditation needs 1 to %d scopes", TX_MAX_SCOPES);
    }
    for (size_t i = 0; i < n_scopes; i++) {
        if (!tx_cert_sector_valid(scopes[i])) {
            return tx_fail(TX_ERR_USAGE, "scope \"%s\": use all or a sector of a-z, 0-9 and '-'",
                           scopes[i]);
        }
    }
    if (until < from) {
        return tx_fail(TX_ERR_USAGE,
                       "the accreditation would end before it starts: check --from and --until");
    }
    if (note != NULL && !text_ok(note, MAX_NOTE, 1)) {
        return tx_fail(TX_ERR_USAGE, "--note: at most %d bytes of UTF-8 text on one line",
                       MAX_NOTE);
    }
    meta.seq = seq;
    meta.created = tx_now();
    a.meta = &meta;
    a.body_key = (ProtobufCBinaryData){TX_KEY_LEN, (uint8_t *)body_key};
    a.body_name = (char *)body_name;
    a.scopes = (char **)scopes;
    a.n_scopes = n_scopes;
    a.valid_from = from;
    a.valid_until = until;
    a.note = (char *)(note != NULL ? note : "");
    return sign_checked(accreditor, TX_KIND_ACCREDITATION, &a.base, env, len);
}

int
tx_cert_sign_certificate(const tx_identity *body, uint64_t seq, const tx_certificate_pb *c,
                         uint8_t **env, size_t *len)
{
    tx_certificate_pb copy = *c;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    int64_t max = tx_certificate_max_expiry(c->issued);
    char d1[16], d2[16], d3[16];

    *env = NULL;
    if (!text_ok(c->number, MAX_NUMBER, 0)) {
        return tx_fail(TX_ERR_USAGE, "--number: 1 to %d bytes of text on one line", MAX_NUMBER);
    }
    if (c->holder_key.len != TX_KEY_LEN || !text_ok(c->holder_name, 200, 0)) {
        return tx_fail(TX_ERR_USAGE, "the holder needs a key and a legal name");
    }
    if (!tx_corporate_number_valid(c->corporate_number)) {
        return tx_fail(TX_ERR_USAGE,
                       "corporate number \"%s\" of %s is not 13 digits with a valid check digit: "
                       "check the number",
                       c->corporate_number, c->holder_name);
    }
    if (!text_ok(c->scope, MAX_SCOPE_TEXT, 0)) {
        return tx_fail(TX_ERR_USAGE,
                       "--scope: the scope of certification (認証範囲), 1 to %d bytes of text",
                       MAX_SCOPE_TEXT);
    }
    if (!tx_cert_sector_valid(c->sector) || strcmp(c->sector, "all") == 0) {
        return tx_fail(TX_ERR_USAGE,
                       "--sector \"%s\": one sector of a-z, 0-9 and '-', such as manufacturing",
                       c->sector);
    }
    if (c->criteria_version != 2018 && c->criteria_version != 2024) {
        return tx_fail(TX_ERR_USAGE,
                       "--criteria %u: use 2018 or 2024 (the revision in force "
                       "2024-08-16)",
                       c->criteria_version);
    }
    if (copy.expires == 0) {
        copy.expires = max;
    }
    tx_format_date(d1, sizeof d1, copy.expires);
    tx_format_date(d2, sizeof d2, c->issued);
    tx_format_date(d3, sizeof d3, max);
    if (copy.expires <= c->issued) {
        return tx_fail(TX_ERR_USAGE,
                       "--expires %s is not after the issue date %s: give a later date", d1, d2);
    }
    if (copy.expires > max) {
        return tx_fail(TX_ERR_USAGE,
                       "--expires %s is more than three years after the issue date %s: a TICS "
                       "certificate runs at most until %s",
                       d1, d2, d3);
    }
    meta.seq = seq;
    meta.created = tx_now();
    copy.meta = &meta;
    return sign_checked(body, TX_KIND_CERTIFICATE, &copy.base, env, len);
}

const char *
tx_cert_event_name(int kind)
{
    switch (kind) {
    case TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT:
        return "annual report";
    case TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_SUSPENDED:
        return "suspended";
    case TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REINSTATED:
        return "reinstated";
    case TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REVOKED:
        return "revoked";
    default:
        return "unknown";
    }
}

int
tx_cert_sign_event(const tx_identity *body, uint64_t seq, const uint8_t cert[TX_ID_LEN], int kind,
                   int64_t effective, const char *note, uint8_t **env, size_t *len)
{
    tx_cert_event_pb e = TICSX__V1__CERTIFICATE_EVENT__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;

    *env = NULL;
    if (kind < TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT ||
        kind > TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REINSTATED) {
        return tx_fail(TX_ERR_USAGE, "unknown certificate event %d", kind);
    }
    if (note != NULL && !text_ok(note, MAX_NOTE, 1)) {
        return tx_fail(TX_ERR_USAGE, "--note: at most %d bytes of UTF-8 text on one line",
                       MAX_NOTE);
    }
    meta.seq = seq;
    meta.created = tx_now();
    e.meta = &meta;
    e.certificate = (ProtobufCBinaryData){TX_ID_LEN, (uint8_t *)cert};
    e.kind = (Ticsx__V1__CertEventKind)kind;
    e.effective = effective;
    e.note = (char *)(note != NULL ? note : "");
    return sign_checked(body, TX_KIND_CERT_EVENT, &e.base, env, len);
}

/* Takes one sequence number, submits the envelope and keeps it in the cache. */
static int
submit_one(tx_client *c, uint8_t *env, size_t len)
{
    int rc = tx_rpc_submit(c, 1, &env, &len);

    if (rc == TX_OK) {
        rc = tx_home_cache_put(tx_client_home(c), env, len, NULL);
    }
    return rc;
}

int
tx_accredit(tx_client *c, const tx_accredit_args *a, uint8_t id[TX_ID_LEN], char *body_name,
            size_t n)
{
    const tx_identity *me = tx_client_id(c);
    tx_trust_set ts = {0};
    const tx_org *body;
    const char *scopes[TX_MAX_SCOPES];
    size_t n_scopes = 0;
    int64_t from = a->from, until = a->until;
    uint8_t *env = NULL;
    size_t len = 0;
    uint64_t seq;
    char d1[16], d2[16];
    int rc;

    if ((rc = tx_trust_set_from_hub(c, &ts)) != TX_OK ||
        (rc = tx_orgs_resolve(&ts.orgs, a->body, &body)) != TX_OK) {
        goto out;
    }
    if (a->withdraw) {
        const tx_rec *cur = NULL;
        for (size_t i = 0; i < ts.accreditations.n; i++) {
            const tx_rec *r = &ts.accreditations.v[i];
            const tx_accreditation_pb *p = (const tx_accreditation_pb *)r->msg;
            if (memcmp(tx_rec_signer(r), me->pub.sign, TX_KEY_LEN) == 0 &&
                memcmp(p->body_key.data, body->key, TX_KEY_LEN) == 0 &&
                (cur == NULL ||
                 p->meta->seq > ((const tx_accreditation_pb *)cur->msg)->meta->seq)) {
                cur = r;
            }
        }
        if (cur == NULL) {
            rc = tx_fail(TX_ERR_NOT_FOUND,
                         "%s has no accreditation from this accreditor on the hub: nothing to "
                         "withdraw",
                         body->name);
            goto out;
        }
        const tx_accreditation_pb *p = (const tx_accreditation_pb *)cur->msg;
        for (size_t i = 0; i < p->n_scopes && i < TX_MAX_SCOPES; i++) {
            scopes[n_scopes++] = p->scopes[i];
        }
        from = p->valid_from;
        until = until != 0 ? until : tx_now();
        if (until > p->valid_until) {
            tx_format_date(d1, sizeof d1, until);
            tx_format_date(d2, sizeof d2, p->valid_until);
            rc = tx_fail(TX_ERR_USAGE,
                         "--until %s is after the end of the current accreditation (%s): to "
                         "extend it, accredit again without --withdraw",
                         d1, d2);
            goto out;
        }
        until = until < from ? from : until;
    } else {
        if (a->scopes == NULL || from == 0 || until == 0) {
            rc = tx_fail(TX_ERR_USAGE, "accredit needs --scope, --from and --until");
            goto out;
        }
        if ((rc = tx_cert_split_scopes(a->scopes, scopes, &n_scopes)) != TX_OK) {
            goto out;
        }
        if (until <= from) {
            rc = tx_fail(TX_ERR_USAGE, "--until must be after --from");
            goto out;
        }
    }
    if ((rc = tx_seq_take(tx_home_dir(tx_client_home(c)), 1, &seq)) != TX_OK ||
        (rc = tx_cert_sign_accreditation(me, seq, body->key, body->name, scopes, n_scopes, from,
                                         until, a->note, &env, &len)) != TX_OK ||
        (rc = submit_one(c, env, len)) != TX_OK) {
        goto out;
    }
    tx_record_id(env, len, id);
    if (body_name != NULL) {
        snprintf(body_name, n, "%s", body->name);
    }
out:
    free(env);
    tx_trust_set_free(&ts);
    return rc;
}

/* Opens env as a record and adds it to the set, so the caller can describe it. */
static int
add_made(tx_trust_set *ts, const uint8_t *env, size_t len, int kind)
{
    tx_rec r = {0};
    uint8_t *copy = malloc(len);
    int rc;

    if (copy == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(copy, env, len);
    if ((rc = tx_rec_open(&r, copy, len, kind)) == TX_OK) {
        rc = tx_trust_set_take(ts, &r);
    }
    tx_rec_clear(&r);
    return rc;
}

/* The certificate `a->renews` names, when this body issued it to the same holder before. */
static int
check_renewal(const tx_trust_set *ts, const tx_identity *me, const tx_org *holder,
              const tx_cert_issue_args *a, const tx_rec **old)
{
    const tx_certificate_pb *o;
    char name[TX_NAME_MAX], d1[16], d2[16];
    int rc;

    /* This body's certificate of that number first; another body's only to say why not. */
    if (tx_trust_find_certificate(ts, a->renews, me->pub.sign, old) != TX_OK) {
        tx_fail_clear();
        if ((rc = tx_trust_find_certificate(ts, a->renews, NULL, old)) != TX_OK) {
            return rc;
        }
    }
    o = (const tx_certificate_pb *)(*old)->msg;
    if (memcmp(tx_rec_signer(*old), me->pub.sign, TX_KEY_LEN) != 0) {
        const tx_org *body = tx_orgs_by_key(&ts->orgs, tx_rec_signer(*old));
        tx_utf8_copy(name, sizeof name, body != NULL ? body->name : _("another body"));
        return tx_fail(TX_ERR_USAGE,
                       "--renews %s: certificate %s was issued by %s, not by this body: a body "
                       "renews only the certificates it issued",
                       a->renews, o->number, name);
    }
    if (o->holder_key.len != TX_KEY_LEN ||
        memcmp(o->holder_key.data, holder->key, TX_KEY_LEN) != 0) {
        return tx_fail(TX_ERR_USAGE,
                       "--renews %s: certificate %s is held by %s, not by %s: a renewal is for "
                       "the same holder",
                       a->renews, o->number, o->holder_name, holder->name);
    }
    if (a->issued <= o->issued) {
        tx_format_date(d1, sizeof d1, a->issued);
        tx_format_date(d2, sizeof d2, o->issued);
        return tx_fail(TX_ERR_USAGE,
                       "--renews %s: the renewal's issue date %s is not after that of "
                       "certificate %s (%s)",
                       a->renews, d1, o->number, d2);
    }
    return TX_OK;
}

int
tx_cert_issue(tx_client *c, const tx_cert_issue_args *a, uint8_t id[TX_ID_LEN], tx_cert_info *info)
{
    const tx_identity *me = tx_client_id(c);
    tx_certificate_pb cert = TICSX__V1__CERTIFICATE__INIT;
    tx_trust_set ts = {0};
    tx_cert_state st;
    const tx_org *holder;
    uint8_t *env = NULL;
    size_t len = 0;
    uint64_t seq;
    const tx_rec *old = NULL;
    char hex[2 * TX_ID_LEN + 1], why[300], d1[16];
    int rc;

    if ((rc = tx_trust_set_from_hub(c, &ts)) != TX_OK ||
        (rc = tx_orgs_resolve(&ts.orgs, a->holder, &holder)) != TX_OK) {
        goto out;
    }
    if (!tx_tics_criteria_ok(a->criteria, a->issued, why, sizeof why)) {
        tx_format_date(d1, sizeof d1, a->issued);
        rc = tx_fail(TX_ERR_USAGE, "--criteria %u --issued %s: %s", a->criteria, d1, why);
        goto out;
    }
    if (a->renews != NULL && (rc = check_renewal(&ts, me, holder, a, &old)) != TX_OK) {
        goto out;
    }
    if (!tx_corporate_number_valid(holder->corporate_number)) {
        rc = tx_fail(TX_ERR_USAGE,
                     "%s has no valid corporate number (法人番号) in its profile: a certificate "
                     "names its holder by it; the holder must add it to its profile",
                     holder->name);
        goto out;
    }
    for (size_t i = 0; i < ts.certificates.n; i++) {
        const tx_rec *r = &ts.certificates.v[i];
        if (memcmp(tx_rec_signer(r), me->pub.sign, TX_KEY_LEN) == 0 &&
            strcmp(((const tx_certificate_pb *)r->msg)->number, a->number) == 0) {
            tx_hex(hex, r->id, TX_ID_LEN);
            rc = tx_fail(TX_ERR_EXISTS,
                         "certificate number %s was already issued by this body (record %.12s): "
                         "give another number",
                         a->number, hex);
            goto out;
        }
    }
    cert.number = (char *)a->number;
    cert.holder_key = (ProtobufCBinaryData){TX_KEY_LEN, (uint8_t *)holder->key};
    cert.holder_name = (char *)holder->name;
    cert.corporate_number = (char *)holder->corporate_number;
    cert.scope = (char *)a->scope;
    cert.sector = (char *)a->sector;
    cert.criteria_version = a->criteria;
    cert.issued = a->issued;
    cert.expires = a->expires;
    if (old != NULL) {
        cert.renews = (ProtobufCBinaryData){TX_ID_LEN, (uint8_t *)old->id};
    }
    if ((rc = tx_seq_take(tx_home_dir(tx_client_home(c)), 1, &seq)) != TX_OK ||
        (rc = tx_cert_sign_certificate(me, seq, &cert, &env, &len)) != TX_OK ||
        (rc = submit_one(c, env, len)) != TX_OK) {
        goto out;
    }
    tx_record_id(env, len, id);
    if (info != NULL && (rc = add_made(&ts, env, len, TX_KIND_CERTIFICATE)) == TX_OK) {
        tx_cert_evaluate(&ts, id, NULL, tx_now(), info, &st);
    }
out:
    free(env);
    tx_trust_set_free(&ts);
    return rc;
}

int
tx_cert_record_event(tx_client *c, const char *arg, int kind, int64_t effective, const char *note,
                     uint8_t id[TX_ID_LEN], tx_cert_info *info)
{
    const tx_identity *me = tx_client_id(c);
    tx_trust_set ts = {0};
    const tx_rec *cert;
    const tx_certificate_pb *cp;
    tx_cert_state st;
    uint8_t *env = NULL;
    size_t len = 0;
    uint64_t seq;
    int revoked, suspended;
    int64_t last;
    int rc;

    if ((rc = tx_trust_set_from_hub(c, &ts)) != TX_OK) {
        goto out;
    }
    /* This body's certificates first: another body may use the same number. */
    if ((rc = tx_trust_find_certificate(&ts, arg, me->pub.sign, &cert)) == TX_ERR_NOT_FOUND) {
        char why[256];
        snprintf(why, sizeof why, "%s", tx_fail_msg());
        if (tx_trust_find_certificate(&ts, arg, NULL, &cert) == TX_OK) {
            rc = tx_fail(TX_ERR_FORBIDDEN,
                         "certificate %s was issued by another body: only its issuer records its "
                         "events",
                         ((const tx_certificate_pb *)cert->msg)->number);
        } else {
            rc = tx_fail(rc, "%s", why);
        }
    }
    if (rc != TX_OK) {
        goto out;
    }
    cp = (const tx_certificate_pb *)cert->msg;
    tx_cert_event_state(&ts, cert, INT64_MAX, &revoked, &suspended, &last);
    if (revoked) {
        rc = tx_fail(TX_ERR_USAGE, "certificate %s is revoked: it takes no further events",
                     cp->number);
    } else if (kind == TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_SUSPENDED && suspended) {
        rc = tx_fail(TX_ERR_USAGE, "certificate %s is suspended already", cp->number);
    } else if (kind == TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REINSTATED && !suspended) {
        rc = tx_fail(TX_ERR_USAGE, "certificate %s is not suspended: nothing to reinstate",
                     cp->number);
    }
    if (rc != TX_OK) {
        goto out;
    }
    if ((rc = tx_seq_take(tx_home_dir(tx_client_home(c)), 1, &seq)) != TX_OK ||
        (rc = tx_cert_sign_event(me, seq, cert->id, kind, effective ? effective : tx_now(), note,
                                 &env, &len)) != TX_OK ||
        (rc = submit_one(c, env, len)) != TX_OK) {
        goto out;
    }
    tx_record_id(env, len, id);
    if (info != NULL) {
        tx_cert_evaluate(&ts, cert->id, NULL, tx_now(), info, &st);
    }
out:
    free(env);
    tx_trust_set_free(&ts);
    return rc;
}

/* The status that keeps own certificate `r` from being in force at `now` (TX_CERT_REVOKED,
 * TX_CERT_SUSPENDED, TX_CERT_EXPIRED, TX_CERT_NOT_YET_VALID), or TX_CERT_VALID. The issuer's
 * events decide; the annual report rule and the accreditation are the buyer's to judge. */
static int
in_force(const tx_trust_set *ts, const tx_rec *r, int64_t now)
{
    const tx_certificate_pb *cp = (const tx_certificate_pb *)r->msg;
    int revoked = 0, suspended = 0;
    int64_t last = 0;

    tx_cert_event_state(ts, r, now, &revoked, &suspended, &last);
    if (revoked) {
        return TX_CERT_REVOKED;
    }
    if (suspended) {
        return TX_CERT_SUSPENDED;
    }
    if (cp->expires != 0 && now >= cp->expires) {
        return TX_CERT_EXPIRED;
    }
    return now < cp->issued ? TX_CERT_NOT_YET_VALID : TX_CERT_VALID;
}

/* The newer of a and b (by issue date, then hub order); NULL counts as oldest. */
static const tx_rec *
newer_cert(const tx_rec *a, const tx_rec *b)
{
    const tx_certificate_pb *ap, *bp;

    if (a == NULL || b == NULL) {
        return a != NULL ? a : b;
    }
    ap = (const tx_certificate_pb *)a->msg;
    bp = (const tx_certificate_pb *)b->msg;
    return ap->issued > bp->issued || (ap->issued == bp->issued && a->index > b->index) ? a : b;
}

/* The default: the newest own certificate in force; a newer one not in force, or none in
 * force, is said on stderr with the choice made. *pick NULL: none. */
static void
pick_default(const tx_trust_set *ts, const uint8_t *me, int64_t now, const tx_rec **pick)
{
    const tx_rec *newest = NULL, *best = NULL;
    const tx_certificate_pb *np;

    for (size_t i = 0; i < ts->certificates.n; i++) {
        const tx_rec *r = &ts->certificates.v[i];
        const tx_certificate_pb *cp = (const tx_certificate_pb *)r->msg;

        if (memcmp(cp->holder_key.data, me, TX_KEY_LEN) != 0) {
            continue;
        }
        newest = newer_cert(newest, r);
        if (in_force(ts, r, now) == TX_CERT_VALID) {
            best = newer_cert(best, r);
        }
    }
    *pick = best;
    if (newest == NULL || newest == best) {
        return;
    }
    np = (const tx_certificate_pb *)newest->msg;
    if (best == NULL) {
        tx_warn(_("no TICS certificate of this organisation is in force (the newest, %s: %s): "
                  "the assessment references none; --certificate CERT references one anyway"),
                np->number, tx_cert_status_label(in_force(ts, newest, now)));
    } else {
        tx_warn(_("TICS certificate %s is not in force (%s): the assessment references %s, the "
                  "newest in force; --certificate CERT|none chooses otherwise"),
                np->number, tx_cert_status_label(in_force(ts, newest, now)),
                ((const tx_certificate_pb *)best->msg)->number);
    }
}

int
tx_cert_pick_own(tx_client *c, const char *arg, uint8_t id[TX_ID_LEN], int *has, char *number,
                 size_t n)
{
    static const int kinds[2] = {TX_KIND_CERTIFICATE, TX_KIND_CERT_EVENT};
    uint8_t me[TX_KEY_LEN]; /* the organisation: in a member's home, the one it acts for */
    tx_recs lists[2] = {{0}};
    tx_trust_set ts = {0};
    const tx_rec *pick = NULL;
    int64_t now = tx_now();
    int rc, is_member;

    *has = 0;
    if (number != NULL && n > 0) {
        number[0] = 0;
    }
    if (arg != NULL && strcmp(arg, "none") == 0) {
        return TX_OK;
    }
    if ((rc = tx_home_org(tx_client_home(c), me, &is_member)) != TX_OK) {
        return rc;
    }
    rc = tx_rpc_list(c, 2, kinds, NULL, lists);
    if (rc == TX_ERR_REFUSED && arg == NULL) {
        tx_warn(_("the hub does not list certificates (%s): the assessment references none"),
                tx_fail_msg());
        tx_fail_clear();
        return TX_OK;
    }
    for (size_t k = 0; k < 2 && rc == TX_OK; k++) {
        for (size_t i = 0; i < lists[k].n && rc == TX_OK; i++) {
            rc = tx_trust_set_take(&ts, &lists[k].v[i]);
        }
    }
    if (rc != TX_OK) {
        goto out;
    }
    if (arg != NULL) {
        if ((rc = tx_trust_find_certificate(&ts, arg, NULL, &pick)) != TX_OK) {
            goto out;
        }
        const tx_certificate_pb *cp = (const tx_certificate_pb *)pick->msg;
        if (memcmp(cp->holder_key.data, me, TX_KEY_LEN) != 0) {
            rc = tx_fail(TX_ERR_USAGE,
                         "certificate %s is held by %s, not by this organisation: an assessment "
                         "references its signer's own certificate",
                         cp->number, cp->holder_name);
            goto out;
        }
        if (in_force(&ts, pick, now) != TX_CERT_VALID) {
            tx_warn(_("TICS certificate %s is not in force (%s): referenced as --certificate "
                      "asks; buyers' verify will report it"),
                    cp->number, tx_cert_status_label(in_force(&ts, pick, now)));
        }
    } else {
        pick_default(&ts, me, now, &pick);
        if (pick == NULL) {
            goto out;
        }
    }
    memcpy(id, pick->id, TX_ID_LEN);
    *has = 1;
    if (number != NULL) {
        snprintf(number, n, "%s", ((const tx_certificate_pb *)pick->msg)->number);
    }
    rc = tx_home_cache_put(tx_client_home(c), pick->bytes, pick->len, NULL);
out:
    tx_recs_clear(&lists[0]);
    tx_recs_clear(&lists[1]);
    tx_trust_set_free(&ts);
    return rc;
}

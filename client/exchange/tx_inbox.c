/* Inbox of requests, grants and revocations. */
#include "tx_inbox.h"

#include "tx_cell.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_log.h"
#include "tx_msg.h"
#include "tx_request.h"
#include "tx_rpc.h"
#include "tx_us_hub.h"
#include "tx_util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum { L_REQUEST, L_GRANT, L_REVOKE, L_PROFILE, L_QUESTIONNAIRE, L_APPROVAL, L_COUNT };

static int
push(tx_inbox *in, tx_inbox_entry *e)
{
    tx_inbox_entry *v = realloc(in->v, (in->n + 1) * sizeof *v);

    if (v == NULL) {
        tx_inbox_entry_clear(e);
        return TX_ERR_NOMEM;
    }
    in->v = v;
    in->v[in->n++] = *e;
    in->n_new += e->is_new;
    memset(e, 0, sizeof *e);
    return TX_OK;
}

static void
set_from(tx_inbox_entry *e, const tx_orgs *orgs, const uint8_t *key)
{
    const tx_org *o = tx_orgs_by_key(orgs, key);

    snprintf(e->from, sizeof e->from, "%s", o != NULL ? o->name : "");
    tx_fingerprint(key, e->from_fp);
}

void
tx_inbox_entry_clear(tx_inbox_entry *e)
{
    free(e->note);
    memset(e, 0, sizeof *e);
}

int
tx_inbox_entry_from(const tx_rec *r, const tx_identity *id, const tx_orgs *orgs,
                    const tx_recs *questionnaires, tx_inbox_entry *e)
{
    const uint8_t *me = id->pub.sign;

    memset(e, 0, sizeof *e);
    e->kind = r->kind;
    e->index = r->index;
    memcpy(e->id, r->id, TX_ID_LEN);
    if (r->kind == TX_KIND_REQUEST) {
        const tx_request_pb *req = (const tx_request_pb *)r->msg;
        const tx_rec *q;

        if (!tx_request_names(req, me)) {
            return TX_ERR_NOT_FOUND; /* one this organisation sent */
        }
        memcpy(e->questionnaire, req->questionnaire.data, TX_ID_LEN);
        q = questionnaires != NULL ? tx_recs_find(questionnaires, e->questionnaire) : NULL;
        if (q != NULL) {
            const tx_questionnaire_pb *qp = (const tx_questionnaire_pb *)q->msg;
            snprintf(e->questionnaire_name, sizeof e->questionnaire_name, "%.80s v%u", qp->id,
                     qp->version);
        }
        e->due = req->due;
        e->depth = req->depth;
        if (req->on_behalf_of.len == TX_ID_LEN && req->origin_buyer.len == TX_KEY_LEN) {
            const tx_org *o = tx_orgs_by_key(orgs, req->origin_buyer.data);
            e->forwarded = 1;
            memcpy(e->on_behalf_of, req->on_behalf_of.data, TX_ID_LEN);
            memcpy(e->origin, req->origin_buyer.data, TX_KEY_LEN);
            snprintf(e->origin_name, sizeof e->origin_name, "%s", o != NULL ? o->name : "");
            tx_fingerprint(e->origin, e->origin_fp);
        }
        int nrc = tx_request_note(req, tx_rec_signer(r), id, &e->note);

        if (nrc == TX_ERR_NOMEM) {
            return nrc;
        }
        if (nrc != TX_OK) {
            char hex[2 * TX_ID_LEN + 1];

            tx_hex(hex, r->id, TX_ID_LEN);
            tx_warn(_("request %.12s: %s"), hex, tx_fail_msg());
            tx_fail_clear();
            e->note = strdup(_("(sealed note that does not open)"));
            if (e->note == NULL) {
                return TX_ERR_NOMEM;
            }
        }
    } else if (r->kind == TX_KIND_GRANT) {
        const tx_grant_pb *gp = (const tx_grant_pb *)r->msg;

        if (memcmp(gp->grantee.data, me, TX_KEY_LEN) != 0) {
            return TX_ERR_NOT_FOUND; /* one this organisation gave */
        }
        memcpy(e->assessment, gp->assessment.data, TX_ID_LEN);
        if (gp->request.len == TX_ID_LEN) {
            memcpy(e->request, gp->request.data, TX_ID_LEN);
            e->has_request = 1;
        }
        e->until = gp->until;
    } else if (r->kind == TX_KIND_GRANT_REVOKE) {
        const tx_grant_revoke_pb *vp = (const tx_grant_revoke_pb *)r->msg;

        if (memcmp(vp->grantee.data, me, TX_KEY_LEN) != 0) {
            return TX_ERR_NOT_FOUND;
        }
        memcpy(e->assessment, vp->assessment.data, TX_ID_LEN);
        memcpy(e->grant, vp->grant.data, TX_ID_LEN);
        e->when = vp->meta->created;
    } else {
        return TX_ERR_NOT_FOUND;
    }
    set_from(e, orgs, tx_rec_signer(r));
    return TX_OK;
}

void
tx_inbox_entry_org(tx_inbox_entry *e, const tx_rec *r, const tx_recs *people, const tx_orgs *orgs)
{
    uint8_t org[TX_KEY_LEN];

    tx_us_org_of(people, tx_rec_signer(r), org);
    if (memcmp(org, tx_rec_signer(r), TX_KEY_LEN) != 0) {
        set_from(e, orgs, org);
    }
}

/* Who the inbox reads for: the organisation (us), and every organisation's people, which name
 * the organisation a person's record comes from. */
typedef struct {
    const tx_identity *id; /* the organisation's key as the reader */
    tx_us us;
    tx_recs people;
} inbox_who;

/* Adds the entries of one listed kind past *cur (all of them when `all`) and moves *max. */
static int
add_kind(tx_inbox *out, const tx_recs *l, const inbox_who *who, const tx_orgs *orgs,
         const tx_recs *questionnaires, const tx_recs *grants, int all, uint64_t cur, uint64_t *max)
{
    const tx_identity *id = who->id;
    int rc = TX_OK;

    for (size_t i = 0; i < l->n && rc == TX_OK; i++) {
        const tx_rec *r = &l->v[i];
        tx_inbox_entry e;

        *max = r->index > *max ? r->index : *max;
        if (!all && r->index <= cur) {
            continue;
        }
        rc = tx_inbox_entry_from(r, id, orgs, questionnaires, &e);
        if (rc == TX_ERR_NOT_FOUND) {
            rc = TX_OK;
            continue;
        }
        if (rc != TX_OK) {
            break;
        }
        e.is_new = r->index > cur;
        tx_inbox_entry_org(&e, r, &who->people, orgs);
        /* A request is answered once one of this organisation's grants (its key's or an
         * officer's) names it. */
        for (size_t k = 0; r->kind == TX_KIND_REQUEST && k < grants->n; k++) {
            const tx_rec *g = &grants->v[k];
            const tx_grant_pb *gp = (const tx_grant_pb *)g->msg;
            if (tx_us_signed(&who->us, g) && gp->request.len == TX_ID_LEN &&
                memcmp(gp->request.data, r->id, TX_ID_LEN) == 0) {
                e.answered = 1;
                memcpy(e.answer, gp->assessment.data, TX_ID_LEN);
            }
        }
        rc = push(out, &e);
    }
    return rc;
}

/* Keeps the requests naming this organisation, and their questionnaires, in the cache: `due`
 * lists what to answer from there without the hub. */
static int
cache_requests(tx_client *c, const uint8_t *me, const tx_recs *requests,
               const tx_recs *questionnaires)
{
    int rc = TX_OK;

    for (size_t i = 0; i < requests->n && rc == TX_OK; i++) {
        const tx_request_pb *req = (const tx_request_pb *)requests->v[i].msg;
        const tx_rec *q = req->questionnaire.len == TX_ID_LEN
                              ? tx_recs_find(questionnaires, req->questionnaire.data)
                              : NULL;

        if (!tx_request_names(req, me)) {
            continue;
        }
        rc = tx_home_cache_put(tx_client_home(c), requests->v[i].bytes, requests->v[i].len, NULL);
        if (rc == TX_OK && q != NULL) {
            rc = tx_home_cache_put(tx_client_home(c), q->bytes, q->len, NULL);
        }
    }
    return rc;
}

/* A grant that waited for a second officer reached this organisation when it was approved:
 * it is new past the approval's log index, not its own (older) one. */
static void
served_from_approval(tx_recs *grants, const tx_recs *approvals)
{
    for (size_t i = 0; i < approvals->n; i++) {
        const tx_grant_approval_pb *a = (const tx_grant_approval_pb *)approvals->v[i].msg;
        tx_rec *g = tx_recs_find(grants, a->grant.data);

        if (g != NULL && approvals->v[i].index > g->index) {
            g->index = approvals->v[i].index;
        }
    }
}

int
tx_inbox_load(tx_client *c, int all, tx_inbox *out)
{
    static const int kinds[L_COUNT] = {TX_KIND_REQUEST,       TX_KIND_GRANT,
                                       TX_KIND_GRANT_REVOKE,  TX_KIND_PROFILE,
                                       TX_KIND_QUESTIONNAIRE, TX_KIND_GRANT_APPROVAL};
    /* The organisation's requests: in a member's home, its organisation's (tx_home_org). */
    tx_identity as = *tx_client_id(c);
    const tx_identity *me = &as;
    inbox_who who = {.id = &as};
    tx_recs l[L_COUNT] = {{0}};
    tx_orgs orgs = {0};
    tx_cursor cur, max;
    int rc, is_member;

    memset(out, 0, sizeof *out);
    if ((rc = tx_home_org(tx_client_home(c), as.pub.sign, &is_member)) != TX_OK ||
        (rc = tx_us_load(c, &who.us)) != TX_OK || (rc = tx_people_list(c, &who.people)) != TX_OK ||
        (rc = tx_home_cursor_load_all(tx_client_home(c), &cur)) != TX_OK ||
        (rc = tx_rpc_list(c, L_COUNT, kinds, NULL, l)) != TX_OK ||
        (rc = tx_orgs_add(&orgs, &l[L_PROFILE])) != TX_OK) {
        goto out;
    }
    max = cur;
    served_from_approval(&l[L_GRANT], &l[L_APPROVAL]);
    if ((rc = add_kind(out, &l[L_REQUEST], &who, &orgs, &l[L_QUESTIONNAIRE], &l[L_GRANT], all,
                       cur.request, &max.request)) != TX_OK ||
        (rc = add_kind(out, &l[L_GRANT], &who, &orgs, NULL, &l[L_GRANT], all, cur.grant,
                       &max.grant)) != TX_OK ||
        (rc = add_kind(out, &l[L_REVOKE], &who, &orgs, NULL, &l[L_GRANT], all, cur.revoke,
                       &max.revoke)) != TX_OK) {
        goto out;
    }
    if (memcmp(&max, &cur, sizeof max) != 0) {
        rc = tx_home_cursor_save_all(tx_client_home(c), &max);
    }
    if (rc == TX_OK) {
        rc = cache_requests(c, me->pub.sign, &l[L_REQUEST], &l[L_QUESTIONNAIRE]);
    }
out:
    tx_us_free(&who.us);
    tx_recs_clear(&who.people);
    tx_orgs_free(&orgs);
    for (size_t i = 0; i < L_COUNT; i++) {
        tx_recs_clear(&l[i]);
    }
    if (rc != TX_OK) {
        tx_inbox_free(out);
    }
    return rc;
}

void
tx_inbox_free(tx_inbox *in)
{
    for (size_t i = 0; i < in->n; i++) {
        tx_inbox_entry_clear(&in->v[i]);
    }
    free(in->v);
    memset(in, 0, sizeof *in);
}

json_t *
tx_inbox_entry_json(const tx_inbox_entry *e, int with_kind)
{
    json_t *from = json_pack("{s:s,s:s}", "name", e->from, "fingerprint", e->from_fp);
    json_t *o;

    if (e->kind == TX_KIND_REQUEST) {
        o = json_pack(
            "{s:o,s:I,s:b,s:o,s:o,s:s,s:o,s:I,s:s,s:b,s:o}", "id", tx_json_hex(e->id, TX_ID_LEN),
            "index", (json_int_t)e->index, "new", e->is_new, "from", from, "questionnaire",
            tx_json_hex(e->questionnaire, TX_ID_LEN), "questionnaire_name", e->questionnaire_name,
            "due", tx_json_date(e->due), "depth", (json_int_t)e->depth, "note",
            e->note != NULL ? e->note : "", "answered", e->answered, "assessment",
            e->answered ? tx_json_hex(e->answer, TX_ID_LEN) : json_null());
        json_object_set_new(o, "on_behalf_of",
                            e->forwarded
                                ? json_pack("{s:o,s:s,s:s,s:o}", "request",
                                            tx_json_hex(e->on_behalf_of, TX_ID_LEN), "name",
                                            e->origin_name, "fingerprint", e->origin_fp, "key",
                                            tx_json_hex(e->origin, TX_KEY_LEN))
                                : json_null());
    } else if (e->kind == TX_KIND_GRANT) {
        o = json_pack("{s:o,s:I,s:b,s:o,s:o,s:o,s:o}", "id", tx_json_hex(e->id, TX_ID_LEN), "index",
                      (json_int_t)e->index, "new", e->is_new, "from", from, "assessment",
                      tx_json_hex(e->assessment, TX_ID_LEN), "request",
                      e->has_request ? tx_json_hex(e->request, TX_ID_LEN) : json_null(), "until",
                      tx_json_date(e->until));
    } else {
        o = json_pack("{s:o,s:I,s:b,s:o,s:o,s:o,s:o}", "id", tx_json_hex(e->id, TX_ID_LEN), "index",
                      (json_int_t)e->index, "new", e->is_new, "from", from, "assessment",
                      tx_json_hex(e->assessment, TX_ID_LEN), "grant",
                      tx_json_hex(e->grant, TX_ID_LEN), "date", tx_json_date(e->when));
    }
    if (with_kind && o != NULL) {
        json_object_set_new(o, "kind",
                            json_string(e->kind == TX_KIND_REQUEST ? "request"
                                        : e->kind == TX_KIND_GRANT ? "grant"
                                                                   : "revocation"));
    }
    return o;
}

json_t *
tx_inbox_json(const tx_inbox *in)
{
    json_t *reqs = json_array(), *grants = json_array(), *revs = json_array();
    json_t *root =
        json_pack("{s:o,s:o,s:o}", "requests", reqs, "grants", grants, "revocations", revs);

    for (size_t i = 0; i < in->n; i++) {
        const tx_inbox_entry *e = &in->v[i];
        json_array_append_new(e->kind == TX_KIND_REQUEST ? reqs
                              : e->kind == TX_KIND_GRANT ? grants
                                                         : revs,
                              tx_inbox_entry_json(e, 0));
    }
    return root;
}

static int
print_json(FILE *f, const tx_inbox *in)
{
    json_t *root = tx_inbox_json(in);
    int rc;

    rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    json_decref(root);
    return rc == 0 ? TX_OK : tx_fail(TX_ERR_IO, "cannot write the inbox: check the output");
}

static const char *
who(const tx_inbox_entry *e)
{
    return e->from[0] ? e->from : e->from_fp;
}

/* One header row: cells of the given widths (0: the last, unpadded), two spaces apart. */
static void
header_row(FILE *f, const char *const *cells, const int *widths, int n)
{
    for (int i = 0; i < n; i++) {
        if (i > 0) {
            fputs("  ", f);
        }
        if (widths[i] > 0) {
            tx_put_cell(f, cells[i], widths[i]);
        } else {
            fputs(cells[i], f);
        }
    }
    fputc('\n', f);
}

static void
print_requests(FILE *f, const tx_inbox *in, int quiet, int *sections)
{
    char hex[2 * TX_ID_LEN + 1], rq[2 * TX_ID_LEN + 1], due[16];
    int header = 0;

    for (size_t i = 0; i < in->n; i++) {
        const tx_inbox_entry *e = &in->v[i];

        if (e->kind != TX_KIND_REQUEST) {
            continue;
        }
        tx_hex(hex, e->id, TX_ID_LEN);
        if (quiet) {
            fprintf(f, "%s\n", hex);
            continue;
        }
        if (!header++) {
            fputs((*sections)++ ? "\n" : "", f);
            /* TRANSLATORS: inbox table headers; columns of 12, 22, 18 and 10 characters. */
            header_row(f,
                       (const char *[]){_("REQUEST"), _("FROM"), _("QUESTIONNAIRE"), _("DUE"),
                                        _("STATUS")},
                       (const int[]){12, 22, 18, 10, 0}, 5);
        }
        if (e->due) {
            tx_format_date(due, sizeof due, e->due);
        } else {
            snprintf(due, sizeof due, "-");
        }
        tx_hex(rq, e->questionnaire, TX_ID_LEN);
        fprintf(f, "%.12s  ", hex);
        tx_put_cell(f, who(e), 22);
        fputs("  ", f);
        tx_put_cell(f, e->questionnaire_name[0] ? e->questionnaire_name : rq, 18);
        fputs("  ", f);
        tx_put_cell(f, due, 10);
        fprintf(f, "  %s\n", e->answered ? _("answered") : _("open"));
        if (e->forwarded) {
            char ob[2 * TX_ID_LEN + 1];
            tx_hex(ob, e->on_behalf_of, TX_ID_LEN);
            fputs("              ", f);
            fprintf(f,
                    e->depth == 1 ? _("on behalf of %.120s (request %.12s), %u tier\n")
                                  : _("on behalf of %.120s (request %.12s), %u tiers\n"),
                    e->origin_name[0] ? e->origin_name : e->origin_fp, ob, e->depth);
        } else if (e->depth > 1) {
            fputs("              ", f);
            fprintf(f, _("asks for %u tiers: answer, then ticsx forward %.12s\n"), e->depth, hex);
        }
        if (e->note != NULL && e->note[0]) {
            fputs("              ", f);
            fprintf(f, _("note: %.200s\n"), e->note);
        }
    }
}

static void
print_grants(FILE *f, const tx_inbox *in, int kind, int quiet, int *sections)
{
    char hex[2 * TX_ID_LEN + 1], rq[2 * TX_ID_LEN + 1], d[16];
    int header = 0;

    for (size_t i = 0; i < in->n; i++) {
        const tx_inbox_entry *e = &in->v[i];

        if (e->kind != kind) {
            continue;
        }
        tx_hex(hex, e->assessment, TX_ID_LEN);
        if (quiet) {
            fprintf(f, "%s\n", hex);
            continue;
        }
        if (!header++) {
            fputs((*sections)++ ? "\n" : "", f);
            /* TRANSLATORS: inbox table headers; columns of 12 and 22 characters. */
            header_row(f,
                       (const char *[]){kind == TX_KIND_GRANT ? _("ASSESSMENT") : _("REVOKED"),
                                        _("FROM"),
                                        kind == TX_KIND_GRANT ? _("FOR REQUEST") : _("ON")},
                       (const int[]){12, 22, 0}, 3);
        }
        fprintf(f, "%.12s  ", hex);
        tx_put_cell(f, who(e), 22);
        if (kind == TX_KIND_GRANT) {
            tx_hex(rq, e->request, TX_ID_LEN);
            fprintf(f, "  %.12s", e->has_request ? rq : "-");
            if (e->until) {
                tx_format_date(d, sizeof d, e->until);
                fputs("  ", f);
                fprintf(f, _("(until %s)"), d);
            }
            fputc('\n', f);
        } else {
            tx_format_date(d, sizeof d, e->when);
            fprintf(f, "  %s\n", d);
        }
    }
}

int
tx_inbox_print(FILE *f, const tx_inbox *in, int json, int quiet)
{
    int sections = 0, grants = 0;

    if (json) {
        return print_json(f, in);
    }
    print_requests(f, in, quiet, &sections);
    print_grants(f, in, TX_KIND_GRANT, quiet, &sections);
    print_grants(f, in, TX_KIND_GRANT_REVOKE, quiet, &sections);
    for (size_t i = 0; i < in->n; i++) {
        grants += in->v[i].kind == TX_KIND_GRANT;
    }
    if (!quiet && in->n == 0) {
        fputs(_("nothing new (ticsx inbox --all shows everything)\n"), f);
    } else if (!quiet && grants > 0) {
        fputs(_("(ticsx fetch, then ticsx verify, reads the assessments)\n"), f);
    }
    return TX_OK;
}

int
tx_inbox_print_line(FILE *f, const tx_inbox_entry *e, int json, int quiet)
{
    char hex[2 * TX_ID_LEN + 1], other[2 * TX_ID_LEN + 1], d[16], rest[160];
    int n = 0;

    if (json) {
        json_t *o = tx_inbox_entry_json(e, 1);
        int rc = o != NULL ? json_dumpf(o, f, JSON_COMPACT | JSON_PRESERVE_ORDER) : -1;
        json_decref(o);
        fputc('\n', f);
        return rc == 0 ? TX_OK : tx_fail(TX_ERR_IO, "cannot write to standard output");
    }
    tx_hex(hex, e->kind == TX_KIND_REQUEST ? e->id : e->assessment, TX_ID_LEN);
    if (quiet) {
        fprintf(f, "%s\n", hex);
        return TX_OK;
    }
    /* What follows the sender, so the name is padded into a column only when something does. */
    rest[0] = 0;
    if (e->kind == TX_KIND_REQUEST) {
        tx_hex(other, e->questionnaire, TX_ID_LEN);
        n = snprintf(rest, sizeof rest, "%s",
                     e->questionnaire_name[0] ? e->questionnaire_name : other);
        if (e->due) {
            tx_format_date(d, sizeof d, e->due);
            snprintf(rest + n, sizeof rest - (size_t)n, _(", due %s"), d);
        }
    } else if (e->kind == TX_KIND_GRANT) {
        tx_hex(other, e->request, TX_ID_LEN);
        if (e->has_request) {
            n = snprintf(rest, sizeof rest, _("for request %.12s"), other);
        }
        if (e->until) {
            tx_format_date(d, sizeof d, e->until);
            snprintf(rest + n, sizeof rest - (size_t)n, n ? _(", until %s") : _("until %s"), d);
        }
    } else {
        tx_format_date(d, sizeof d, e->when);
        snprintf(rest, sizeof rest, _("revoked on %s"), d);
    }
    tx_put_cell(f,
                e->kind == TX_KIND_REQUEST ? _("request")
                : e->kind == TX_KIND_GRANT ? _("grant")
                                           : _("revocation"),
                10);
    /* TRANSLATORS: inbox --watch line: "<id>  from <sender>"; keep the two spaces after %.12s. */
    fprintf(f, _("  %.12s  from "), hex);
    if (rest[0]) {
        tx_put_cell(f, who(e), 22);
        fprintf(f, "  %s", rest);
    } else {
        fputs(who(e), f);
    }
    fputc('\n', f);
    return TX_OK;
}

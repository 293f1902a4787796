/* Inbox of requests and grants. */
#include "tx_inbox.h"

#include "tx_cell.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_rpc.h"
#include "tx_util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum { L_REQUEST, L_GRANT, L_PROFILE, L_QUESTIONNAIRE, L_COUNT };

static int
push(tx_inbox *in, tx_inbox_entry *e)
{
    tx_inbox_entry *v = realloc(in->v, (in->n + 1) * sizeof *v);

    if (v == NULL) {
        free(e->note);
        return TX_ERR_NOMEM;
    }
    in->v = v;
    in->v[in->n++] = *e;
    in->n_new += e->is_new;
    return TX_OK;
}

static void
set_from(tx_inbox_entry *e, const tx_orgs *orgs, const uint8_t *key)
{
    const tx_org *o = tx_orgs_by_key(orgs, key);

    snprintf(e->from, sizeof e->from, "%s", o != NULL ? o->name : "");
    tx_fingerprint(key, e->from_fp);
}

static int
names(const tx_request_pb *r, const uint8_t *key)
{
    for (size_t i = 0; i < r->n_suppliers; i++) {
        if (memcmp(r->suppliers[i].data, key, TX_KEY_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

int
tx_inbox_load(tx_client *c, int all, tx_inbox *out)
{
    static const int kinds[L_COUNT] = {TX_KIND_REQUEST, TX_KIND_GRANT, TX_KIND_PROFILE,
                                       TX_KIND_QUESTIONNAIRE};
    const uint8_t *me = tx_client_id(c)->pub.sign;
    tx_recs l[L_COUNT] = {{0}};
    tx_orgs orgs = {0};
    uint64_t cur_req = 0, cur_grant = 0, max_req, max_grant;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = tx_home_cursor_load(tx_client_home(c), &cur_req, &cur_grant)) != TX_OK ||
        (rc = tx_rpc_list(c, L_COUNT, kinds, NULL, l)) != TX_OK ||
        (rc = tx_orgs_add(&orgs, &l[L_PROFILE])) != TX_OK) {
        goto out;
    }
    max_req = cur_req;
    max_grant = cur_grant;
    for (size_t i = 0; i < l[L_REQUEST].n && rc == TX_OK; i++) {
        const tx_rec *r = &l[L_REQUEST].v[i];
        const tx_request_pb *req = (const tx_request_pb *)r->msg;
        tx_inbox_entry e = {.kind = TX_KIND_REQUEST, .index = r->index};
        const tx_rec *q;

        max_req = r->index > max_req ? r->index : max_req;
        if (!names(req, me)) {
            continue; /* one this organisation sent */
        }
        e.is_new = r->index > cur_req;
        if (!all && !e.is_new) {
            continue;
        }
        memcpy(e.id, r->id, TX_ID_LEN);
        set_from(&e, &orgs, tx_rec_signer(r));
        memcpy(e.questionnaire, req->questionnaire.data, TX_ID_LEN);
        if ((q = tx_recs_find(&l[L_QUESTIONNAIRE], e.questionnaire)) != NULL) {
            const tx_questionnaire_pb *qp = (const tx_questionnaire_pb *)q->msg;
            snprintf(e.questionnaire_name, sizeof e.questionnaire_name, "%.80s v%u", qp->id,
                     qp->version);
        }
        e.due = req->due;
        e.depth = req->depth;
        e.note = strdup(req->note);
        for (size_t k = 0; k < l[L_GRANT].n; k++) {
            const tx_rec *g = &l[L_GRANT].v[k];
            const tx_grant_pb *gp = (const tx_grant_pb *)g->msg;
            if (memcmp(tx_rec_signer(g), me, TX_KEY_LEN) == 0 && gp->request.len == TX_ID_LEN &&
                memcmp(gp->request.data, r->id, TX_ID_LEN) == 0) {
                e.answered = 1;
                memcpy(e.answer, gp->assessment.data, TX_ID_LEN);
            }
        }
        rc = e.note == NULL ? TX_ERR_NOMEM : push(out, &e);
    }
    for (size_t i = 0; i < l[L_GRANT].n && rc == TX_OK; i++) {
        const tx_rec *g = &l[L_GRANT].v[i];
        const tx_grant_pb *gp = (const tx_grant_pb *)g->msg;
        tx_inbox_entry e = {.kind = TX_KIND_GRANT, .index = g->index};

        max_grant = g->index > max_grant ? g->index : max_grant;
        if (memcmp(gp->grantee.data, me, TX_KEY_LEN) != 0) {
            continue; /* one this organisation gave */
        }
        e.is_new = g->index > cur_grant;
        if (!all && !e.is_new) {
            continue;
        }
        memcpy(e.id, g->id, TX_ID_LEN);
        set_from(&e, &orgs, tx_rec_signer(g));
        memcpy(e.assessment, gp->assessment.data, TX_ID_LEN);
        if (gp->request.len == TX_ID_LEN) {
            memcpy(e.request, gp->request.data, TX_ID_LEN);
            e.has_request = 1;
        }
        rc = push(out, &e);
    }
    if (rc == TX_OK && (max_req != cur_req || max_grant != cur_grant)) {
        rc = tx_home_cursor_save(tx_client_home(c), max_req, max_grant);
    }
out:
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
        free(in->v[i].note);
    }
    free(in->v);
    memset(in, 0, sizeof *in);
}

static json_t *
hex_json(const uint8_t *id)
{
    char hex[2 * TX_ID_LEN + 1];

    tx_hex(hex, id, TX_ID_LEN);
    return json_string(hex);
}

static json_t *
date_json(int64_t t)
{
    char d[16];

    if (t == 0) {
        return json_null();
    }
    tx_format_date(d, sizeof d, t);
    return json_string(d);
}

static int
print_json(FILE *f, const tx_inbox *in)
{
    json_t *reqs = json_array(), *grants = json_array();
    json_t *root = json_pack("{s:o,s:o}", "requests", reqs, "grants", grants);
    int rc;

    for (size_t i = 0; i < in->n; i++) {
        const tx_inbox_entry *e = &in->v[i];
        json_t *from = json_pack("{s:s,s:s}", "name", e->from, "fingerprint", e->from_fp);
        if (e->kind == TX_KIND_REQUEST) {
            json_array_append_new(
                reqs,
                json_pack("{s:o,s:I,s:b,s:o,s:o,s:s,s:o,s:I,s:s,s:b,s:o}", "id", hex_json(e->id),
                          "index", (json_int_t)e->index, "new", e->is_new, "from", from,
                          "questionnaire", hex_json(e->questionnaire), "questionnaire_name",
                          e->questionnaire_name, "due", date_json(e->due), "depth",
                          (json_int_t)e->depth, "note", e->note, "answered", e->answered,
                          "assessment", e->answered ? hex_json(e->answer) : json_null()));
        } else {
            json_array_append_new(grants,
                                  json_pack("{s:o,s:I,s:b,s:o,s:o,s:o}", "id", hex_json(e->id),
                                            "index", (json_int_t)e->index, "new", e->is_new, "from",
                                            from, "assessment", hex_json(e->assessment), "request",
                                            e->has_request ? hex_json(e->request) : json_null()));
        }
    }
    rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    json_decref(root);
    return rc == 0 ? TX_OK : tx_fail(TX_ERR_IO, "cannot write the inbox");
}

int
tx_inbox_print(FILE *f, const tx_inbox *in, int json, int quiet)
{
    char hex[2 * TX_ID_LEN + 1], rq[2 * TX_ID_LEN + 1], due[16];
    int header = 0;

    if (json) {
        return print_json(f, in);
    }
    for (size_t i = 0; i < in->n; i++) {
        const tx_inbox_entry *e = &in->v[i];
        const char *from = e->from[0] ? e->from : e->from_fp;

        if (e->kind == TX_KIND_REQUEST) {
            tx_hex(hex, e->id, TX_ID_LEN);
            if (quiet) {
                fprintf(f, "%s\n", hex);
                continue;
            }
            if (!header++) {
                fprintf(f, "%-12s  %-22s  %-18s  %-10s  %s\n", "REQUEST", "FROM", "QUESTIONNAIRE",
                        "DUE", "STATUS");
            }
            if (e->due) {
                tx_format_date(due, sizeof due, e->due);
            } else {
                snprintf(due, sizeof due, "-");
            }
            tx_hex(rq, e->questionnaire, TX_ID_LEN);
            fprintf(f, "%.12s  ", hex);
            tx_put_cell(f, from, 22);
            fputs("  ", f);
            tx_put_cell(f, e->questionnaire_name[0] ? e->questionnaire_name : rq, 18);
            fprintf(f, "  %-10s  %s\n", due, e->answered ? "answered" : "open");
            if (e->note != NULL && e->note[0]) {
                fprintf(f, "              note: %.200s\n", e->note);
            }
        }
    }
    header = 0;
    for (size_t i = 0; i < in->n; i++) {
        const tx_inbox_entry *e = &in->v[i];

        if (e->kind != TX_KIND_GRANT) {
            continue;
        }
        tx_hex(hex, e->assessment, TX_ID_LEN);
        if (quiet) {
            fprintf(f, "%s\n", hex);
            continue;
        }
        if (!header++) {
            fprintf(f, "%s%-12s  %-22s  %s\n", in->v[0].kind == TX_KIND_REQUEST ? "\n" : "",
                    "ASSESSMENT", "FROM", "FOR REQUEST");
        }
        tx_hex(rq, e->request, TX_ID_LEN);
        fprintf(f, "%.12s  ", hex);
        tx_put_cell(f, e->from[0] ? e->from : e->from_fp, 22);
        fprintf(f, "  %.12s\n", e->has_request ? rq : "-");
    }
    if (!quiet && in->n == 0) {
        fprintf(f, "nothing new (ticsx inbox --all shows everything)\n");
    } else if (!quiet && header) {
        fprintf(f, "(ticsx fetch, then ticsx verify, reads the assessments)\n");
    }
    return TX_OK;
}

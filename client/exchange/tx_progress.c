/* This organisation's own requests with their progress per supplier: the requests from the
 * cache, each supplier matched with the best verdict of an assessment granted for it. */
#include "tx_progress.h"
#include "tx_cache_scan.h"
#include "tx_request.h"
#include "tx_us.h"

#include "tx_cell.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_idmap.h"
#include "tx_json.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"
#include "tx_util.h"

#include <stdlib.h>
#include <string.h>

const char *
tx_progress_state_name(int state)
{
    /* Machine names in JSON; the table shows them through _(). */
    return state == TX_PROGRESS_ANSWERED  ? N_("answered")
           : state == TX_PROGRESS_OVERDUE ? N_("overdue")
                                          : N_("open");
}

typedef struct {
    tx_home *home;
    tx_progress *out;
    size_t cap;
    tx_us us; /* whose requests are ours: the organisation's key and its officers' */
} scan_ctx;

static int
want_request(void *ctx, int kind, const uint8_t *signer)
{
    const scan_ctx *s = ctx;

    return kind == TX_KIND_REQUEST && tx_us_may_sign(&s->us, signer);
}

static int
take_request(void *ctx, const tx_rec *rec, uint64_t log_index)
{
    scan_ctx *s = ctx;
    const tx_request_pb *req = (const tx_request_pb *)rec->msg;
    tx_progress_request *r;

    if (req->on_behalf_of.len != 0) {
        return TX_OK; /* forwarded: the original buyer's request, not this organisation's */
    }
    if (req->meta == NULL || !tx_us_signs(&s->us, tx_rec_signer(rec), req->meta->created)) {
        return TX_OK; /* a person of ours who did not sign for it then */
    }
    if (s->out->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        tx_progress_request *v = realloc(s->out->v, cap * sizeof *v);
        if (v == NULL) {
            return TX_ERR_NOMEM;
        }
        s->out->v = v;
        s->cap = cap;
    }
    r = &s->out->v[s->out->n++];
    memset(r, 0, sizeof *r);
    memcpy(r->id, rec->id, TX_ID_LEN);
    r->created = req->meta != NULL ? req->meta->created : 0;
    r->due = req->due;
    r->depth = req->depth ? req->depth : 1;
    r->log_index = log_index;
    r->suppliers = calloc(req->n_suppliers ? req->n_suppliers : 1, sizeof *r->suppliers);
    if (r->suppliers == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < req->n_suppliers; i++) {
        if (req->suppliers[i].len == TX_KEY_LEN) {
            memcpy(r->suppliers[r->n_suppliers++].key, req->suppliers[i].data, TX_KEY_LEN);
        }
    }
    if (tx_request_note(req, tx_rec_signer(rec), tx_home_identity(s->home), &r->note) != TX_OK) {
        r->note = NULL;
        tx_fail_clear();
    }
    {
        tx_rec q = {0};
        json_t *o = json_pack("{s:o}", "record",
                              tx_json_hex(req->questionnaire.data, req->questionnaire.len));
        if (req->questionnaire.len == TX_ID_LEN &&
            tx_rec_from_cache(s->home, req->questionnaire.data, TX_KIND_QUESTIONNAIRE, &q) ==
                TX_OK) {
            const tx_questionnaire_pb *qp = (const tx_questionnaire_pb *)q.msg;
            json_object_set_new(o, "id", json_string(qp->id));
            json_object_set_new(o, "version", json_integer(qp->version));
            json_object_set_new(o, "title", tx_json_text(qp->title));
        } else {
            json_object_set_new(o, "id", json_null());
            json_object_set_new(o, "version", json_null());
            json_object_set_new(o, "title", json_null());
            tx_fail_clear();
        }
        tx_rec_clear(&q);
        r->questionnaire = o;
    }
    return TX_OK;
}

static int
newest_first(const void *pa, const void *pb)
{
    const tx_progress_request *a = pa, *b = pb;

    if (a->created != b->created) {
        return a->created < b->created ? 1 : -1;
    }
    if (a->log_index != b->log_index) { /* the same second: the later in the hub's log first */
        return a->log_index < b->log_index ? 1 : -1;
    }
    return memcmp(a->id, b->id, TX_ID_LEN);
}

/* Is verdict a better answer to show than b (NULL)? The better verdict, then the newer. */
static int
better(const tx_verdict *a, const tx_verdict *b)
{
    if (b == NULL) {
        return 1;
    }
    if (tx_verdict_rank(a->status) != tx_verdict_rank(b->status)) {
        return tx_verdict_rank(a->status) < tx_verdict_rank(b->status);
    }
    return a->as_of > b->as_of;
}

int
tx_progress_load(tx_home *home, const tx_verdicts *vs, int64_t now, tx_progress *out)
{
    scan_ctx s = {.home = home, .out = out};
    tx_idmap by_request = {0}; /* request id -> first verdict answering it */
    size_t *next = NULL;       /* verdict -> next verdict of the same request */
    int rc;

    memset(out, 0, sizeof *out);
    now = now ? now : tx_now();
    if ((rc = tx_us_from_cache(home, &s.us)) == TX_OK) {
        rc = tx_cache_scan(home, want_request, take_request, &s);
    }
    tx_us_free(&s.us);
    if (rc != TX_OK) {
        tx_progress_free(out);
        return rc;
    }
    if (out->n > 1) {
        qsort(out->v, out->n, sizeof *out->v, newest_first);
    }
    next = malloc((vs->n ? vs->n : 1) * sizeof *next);
    if (next == NULL) {
        tx_progress_free(out);
        return TX_ERR_NOMEM;
    }
    for (size_t i = vs->n; i-- > 0;) {
        size_t *slot;
        int added;

        next[i] = (size_t)-1;
        if (!vs->v[i].has_request) {
            continue;
        }
        if ((slot = tx_idmap_put(&by_request, vs->v[i].request, i, &added)) == NULL) {
            rc = TX_ERR_NOMEM;
            break;
        }
        if (!added) {
            next[i] = *slot;
            *slot = i;
        }
    }
    for (size_t r = 0; r < out->n && rc == TX_OK; r++) {
        tx_progress_request *q = &out->v[r];
        const size_t *first = tx_idmap_get(&by_request, q->id);

        for (size_t k = 0; k < q->n_suppliers; k++) {
            tx_progress_supplier *sp = &q->suppliers[k];
            for (size_t i = first != NULL ? *first : (size_t)-1; i != (size_t)-1; i = next[i]) {
                if (memcmp(vs->v[i].supplier, sp->key, TX_KEY_LEN) == 0 &&
                    better(&vs->v[i], sp->answer)) {
                    sp->answer = &vs->v[i];
                }
            }
            sp->state = sp->answer != NULL            ? TX_PROGRESS_ANSWERED
                        : q->due != 0 && q->due < now ? TX_PROGRESS_OVERDUE
                                                      : TX_PROGRESS_OPEN;
            q->answered += sp->answer != NULL;
        }
    }
    free(next);
    tx_idmap_free(&by_request);
    if (rc != TX_OK) {
        tx_progress_free(out);
    }
    return rc;
}

json_t *
tx_progress_json(const tx_progress *p, const tx_orgs *orgs)
{
    json_t *list = json_array();

    for (size_t r = 0; r < p->n; r++) {
        const tx_progress_request *q = &p->v[r];
        json_t *sup = json_array();

        for (size_t k = 0; k < q->n_suppliers; k++) {
            const tx_progress_supplier *sp = &q->suppliers[k];
            const tx_org *o = orgs != NULL ? tx_orgs_by_key(orgs, sp->key) : NULL;
            char fp[TX_FP_LEN];

            tx_fingerprint(sp->key, fp);
            json_array_append_new(
                sup, json_pack("{s:s,s:s,s:o,s:s,s:o,s:o}", "name",
                               o != NULL            ? o->name
                               : sp->answer != NULL ? sp->answer->supplier_name
                                                    : "",
                               "fingerprint", fp, "key", tx_json_hex(sp->key, TX_KEY_LEN), "state",
                               tx_progress_state_name(sp->state), "assessment",
                               sp->answer != NULL ? tx_json_hex(sp->answer->assessment, TX_ID_LEN)
                                                  : json_null(),
                               "answered_on",
                               sp->answer != NULL && sp->answer->as_of != 0
                                   ? tx_json_date(sp->answer->as_of)
                                   : json_null()));
        }
        json_array_append_new(
            list,
            json_pack("{s:o,s:o,s:O,s:o,s:I,s:o,s:I,s:I,s:I,s:o,s:o,s:o}", "id",
                      tx_json_hex(q->id, TX_ID_LEN), "date", tx_json_date(q->created),
                      "questionnaire", q->questionnaire, "due",
                      q->due ? tx_json_date(q->due) : json_null(), "depth", (json_int_t)q->depth,
                      "note", q->note != NULL ? json_string(q->note) : json_string(""), "answered",
                      (json_int_t)q->answered, "total", (json_int_t)q->n_suppliers, "asked",
                      (json_int_t)q->n_suppliers, "response_rate",
                      q->n_suppliers ? json_real((double)q->answered / (double)q->n_suppliers)
                                     : json_null(),
                      "suppliers", sup, "log_index",
                      q->log_index ? json_integer((json_int_t)q->log_index) : json_null()));
    }
    return json_pack("{s:o}", "requests", list);
}

int
tx_progress_print(FILE *f, const tx_progress *p, const tx_orgs *orgs, int json)
{
    if (json) {
        json_t *doc = tx_progress_json(p, orgs);
        int rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

        fputc('\n', f);
        json_decref(doc);
        return rc == 0 && !ferror(f) ? TX_OK : tx_fail(TX_ERR_IO, "cannot write the requests");
    }
    if (p->n == 0) {
        fprintf(f, "%s\n", _("no requests yet: send one with ticsx request"));
    }
    for (size_t r = 0; r < p->n; r++) {
        const tx_progress_request *q = &p->v[r];
        char hex[2 * TX_ID_LEN + 1], date[16], due[16];
        const char *qid = json_string_value(json_object_get(q->questionnaire, "id"));

        tx_hex(hex, q->id, TX_ID_LEN);
        tx_format_date(date, sizeof date, q->created);
        if (q->due) {
            tx_format_date(due, sizeof due, q->due);
        } else {
            snprintf(due, sizeof due, "-");
        }
        fprintf(f, "%.16s  %s  %s %s  %s %zu/%zu", hex, date, _("due"), due,
                qid != NULL ? qid : "?", q->answered, q->n_suppliers);
        if (q->n_suppliers != 0) { /* the response rate */
            fprintf(f, " (%zu%%)", (q->answered * 100 + q->n_suppliers / 2) / q->n_suppliers);
        }
        fputc('\n', f);
        for (size_t k = 0; k < q->n_suppliers; k++) {
            const tx_progress_supplier *sp = &q->suppliers[k];
            const tx_org *o = orgs != NULL ? tx_orgs_by_key(orgs, sp->key) : NULL;
            const char *state = _(tx_progress_state_name(sp->state));

            fputs("  ", f);
            tx_put_cell(f, o != NULL ? o->name : _("(no profile)"), 44);
            fprintf(f, " %s\n", state);
        }
    }
    return ferror(f) ? tx_fail(TX_ERR_IO, "cannot write the requests") : TX_OK;
}

void
tx_progress_free(tx_progress *p)
{
    for (size_t r = 0; p->v != NULL && r < p->n; r++) {
        free(p->v[r].suppliers);
        free(p->v[r].note);
        json_decref(p->v[r].questionnaire);
    }
    free(p->v);
    memset(p, 0, sizeof *p);
}

/* A supplier's own remediation plans: list them, mark one done (tx_plan_own.h). */
#include "tx_plan_own.h"

#include "tx_error.h"
#include "tx_grant.h"
#include "tx_grant_state.h"
#include "tx_home.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_plan.h"
#include "tx_seal.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAY 86400

static int
earliest_due(const void *pa, const void *pb)
{
    const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;

    return strcmp(json_string_value(json_object_get(a, "due")),
                  json_string_value(json_object_get(b, "due")));
}

/* Sorts the plans of arr, earliest due first. */
static int
sort_by_due(json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **v = calloc(n + 1, sizeof *v);

    if (v == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        v[i] = json_incref(json_array_get(arr, i));
    }
    qsort(v, n, sizeof *v, earliest_due);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, v[i]);
    }
    free(v);
    return TX_OK;
}

/* Appends the plans of one opened assessment to `arr`. */
static void
add_plans(json_t *arr, const tx_rec *r, const tx_assessment_pb *inner, int all, int64_t now)
{
    json_t *plans = tx_plan_json(inner, now, TX_PLAN_DAYS_DEFAULT), *p;
    size_t i;

    json_array_foreach(json_object_get(plans, "items"), i, p)
    {
        if (!all && !json_is_null(json_object_get(p, "done"))) {
            continue;
        }
        json_object_set_new(p, "assessment", tx_json_hex(r->id, TX_ID_LEN));
        json_object_set_new(p, "questionnaire",
                            tx_json_hex(inner->questionnaire.data, inner->questionnaire.len));
        json_array_append(arr, p);
    }
    json_decref(plans);
}

int
tx_plan_list_own(tx_client *c, int all, json_t **out)
{
    tx_grant_state st = {0};
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    json_t *arr = json_array();
    int64_t now = tx_now();
    int rc;

    *out = NULL;
    if (key == NULL || arr == NULL) {
        sodium_free(key);
        json_decref(arr);
        return TX_ERR_NOMEM;
    }
    if ((rc = tx_grant_state_load(c, &st)) == TX_OK) {
        for (size_t i = 0; i < st.l[TX_GS_ASSESSMENT].n; i++) {
            const tx_rec *r = &st.l[TX_GS_ASSESSMENT].v[i];
            tx_assessment_pb *inner = NULL;

            /* A superseded one's plans live on in its successor; one whose key cannot open
             * here (an older one another home wrote) is not even looked for. */
            if (tx_grant_superseded_by(&st, r->id) == NULL && tx_grant_opens_here(c, r) &&
                tx_grant_open_own(c, r, key, &inner) == TX_OK) {
                add_plans(arr, r, inner, all, now);
            }
            tx_free(inner);
            tx_fail_clear();
        }
        rc = sort_by_due(arr);
    }
    sodium_free(key);
    tx_grant_state_free(&st);
    if (rc != TX_OK) {
        json_decref(arr);
        return rc;
    }
    *out = json_pack("{s:o}", "plans", arr);
    return TX_OK;
}

/* The answers file of the new version: the old answers, suppliers and questionnaire, with the
 * plan of `item` marked done on `done`. */
static json_t *
answers_json(const tx_assessment_pb *in, const char *item, int64_t done)
{
    json_t *answers = json_array(), *subs = json_array();
    char d[16];

    for (size_t i = 0; i < in->n_answers; i++) {
        const tx_answer_pb *an = in->answers[i];
        json_t *o = json_pack("{s:s,s:s,s:s}", "item", an->item, "answer", an->choice, "comment",
                              an->comment != NULL ? an->comment : "");
        json_t *ev = json_array();

        if (an->plan != NULL) {
            int64_t when = strcmp(an->item, item) == 0 ? done : an->plan->done;
            json_t *p = json_pack("{s:s,s:o}", "action", an->plan->action, "due",
                                  tx_json_date(an->plan->due));
            if (when != 0) {
                tx_format_date(d, sizeof d, when);
                json_object_set_new(p, "done", json_string(d));
            }
            json_object_set_new(o, "plan", p);
        }
        for (size_t k = 0; k < an->n_evidence; k++) {
            json_array_append_new(ev, json_string(an->evidence[k]));
        }
        json_object_set_new(o, "evidence", ev);
        json_array_append_new(answers, o);
    }
    for (size_t i = 0; i < in->n_suppliers; i++) {
        const tx_sub_supplier_pb *s = in->suppliers[i];
        json_t *o = json_pack("{s:s,s:s}", "name", s->name, "supplies", s->supplies);
        if (s->key.len == TX_KEY_LEN) {
            json_object_set_new(o, "key", tx_json_hex(s->key.data, TX_KEY_LEN));
        }
        json_array_append_new(subs, o);
    }
    return json_pack("{s:o,s:o,s:o}", "questionnaire",
                     tx_json_hex(in->questionnaire.data, in->questionnaire.len), "answers", answers,
                     "suppliers", subs);
}

/* Every file the old version attaches must be given again: the new one is sealed with a new
 * content key, so its files are encrypted and bound anew. */
static int
check_files(const tx_plan_done_args *a, const tx_assessment_pb *in)
{
    for (size_t i = 0; i < in->n_evidence; i++) {
        const char *name = in->evidence[i]->name;
        size_t k;
        for (k = 0; k < a->n_attachments; k++) {
            if (strcmp(tx_attachment_name(&a->attachments[k]), name) == 0) {
                break;
            }
        }
        if (k == a->n_attachments) {
            return tx_fail(TX_ERR_USAGE,
                           "assessment %.12s attaches the evidence file \"%s\": give it again "
                           "with --evidence FILE (the new version is encrypted with a new key)",
                           a->assessment, name);
        }
    }
    return TX_OK;
}

/* The plan of `item` in `in`, open; else TX_ERR_USAGE naming what is wrong. */
static int
find_open_plan(const tx_plan_done_args *a, const tx_assessment_pb *in, int64_t done)
{
    char d[16];

    if (done > tx_now()) {
        tx_format_date(d, sizeof d, done);
        return tx_fail(TX_ERR_USAGE, "--date %s is in the future: mark a plan done once it is", d);
    }
    for (size_t i = 0; i < in->n_answers; i++) {
        const tx_answer_pb *an = in->answers[i];
        if (strcmp(an->item, a->item) != 0) {
            continue;
        }
        if (an->plan == NULL) {
            return tx_fail(TX_ERR_USAGE, "item %s of assessment %.12s has no remediation plan",
                           a->item, a->assessment);
        }
        if (an->plan->done != 0) {
            tx_format_date(d, sizeof d, an->plan->done);
            return tx_fail(TX_ERR_USAGE,
                           "the remediation plan of item %s is already marked done (%s)", a->item,
                           d);
        }
        return TX_OK;
    }
    return tx_fail(TX_ERR_USAGE, "assessment %.12s has no answer for item %s", a->assessment,
                   a->item);
}

/* Writes the new version's answers file (0600) into the home; *path gets its name. */
static int
write_answers(tx_client *c, const json_t *j, char *path, size_t n)
{
    char *text = json_dumps(j, JSON_COMPACT);
    int rc;

    if (text == NULL) {
        return TX_ERR_NOMEM;
    }
    snprintf(path, n, "%s/plan-done-%ld.json", tx_home_dir(tx_client_home(c)), (long)getpid());
    unlink(path);
    rc = tx_file_create(path, text, strlen(text), 0600);
    free(text);
    return rc == TX_OK ? TX_OK : tx_fail(rc, "cannot write %s", path);
}

static int
submit(tx_client *c, const tx_plan_done_args *a, const tx_assessment_pb *in,
       const uint8_t old[TX_ID_LEN], int64_t done, tx_answer_result *out)
{
    char req[2 * TX_ID_LEN + 1], cert[2 * TX_ID_LEN + 1], oldhex[2 * TX_ID_LEN + 1];
    char path[4096];
    json_t *j = answers_json(in, a->item, done);
    tx_answer_args args = {0};
    int rc = j != NULL ? write_answers(c, j, path, sizeof path) : TX_ERR_NOMEM;

    json_decref(j);
    if (rc != TX_OK) {
        return rc;
    }
    tx_hex(req, in->request.data, TX_ID_LEN);
    tx_hex(oldhex, old, TX_ID_LEN);
    if (in->certificate.len == TX_ID_LEN) {
        tx_hex(cert, in->certificate.data, TX_ID_LEN);
    }
    args.request = req;
    args.file = path;
    args.valid_until = in->valid_until > tx_now() ? in->valid_until : 0;
    args.allow_missing = 1;
    args.certificate = in->certificate.len == TX_ID_LEN ? cert : "none";
    args.supersedes = oldhex;
    args.attachments = a->attachments;
    args.n_attachments = a->n_attachments;
    args.credentials = in->credentials;
    args.n_credentials = in->n_credentials;
    rc = tx_answer_submit(c, &args, out);
    unlink(path);
    return rc;
}

int
tx_plan_done(tx_client *c, const tx_plan_done_args *a, tx_answer_result *out)
{
    tx_grant_state st = {0};
    tx_assessment_pb *inner = NULL;
    const tx_rec *rec = NULL;
    uint8_t old[TX_ID_LEN];
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    int64_t done = a->done ? a->done : tx_now();
    int rc;

    memset(out, 0, sizeof *out);
    done -= done % DAY;
    if (key == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((rc = tx_grant_check_supersede(c, a->assessment, old)) != TX_OK ||
        (rc = tx_grant_state_load(c, &st)) != TX_OK) {
        goto out;
    }
    for (size_t i = 0; i < st.l[TX_GS_ASSESSMENT].n && rec == NULL; i++) {
        if (memcmp(st.l[TX_GS_ASSESSMENT].v[i].id, old, TX_ID_LEN) == 0) {
            rec = &st.l[TX_GS_ASSESSMENT].v[i];
        }
    }
    if (rec == NULL) {
        rc = tx_fail(TX_ERR_NOT_FOUND, "assessment %.12s is not on the hub", a->assessment);
        goto out;
    }
    if ((rc = tx_grant_open_own(c, rec, key, &inner)) != TX_OK ||
        (rc = find_open_plan(a, inner, done)) != TX_OK || (rc = check_files(a, inner)) != TX_OK) {
        goto out;
    }
    if (inner->request.len != TX_ID_LEN) {
        rc = tx_fail(TX_ERR_USAGE, "assessment %.12s answers no request: cannot supersede it",
                     a->assessment);
        goto out;
    }
    rc = submit(c, a, inner, old, done, out);
out:
    tx_free(inner);
    sodium_free(key);
    tx_grant_state_free(&st);
    return rc;
}

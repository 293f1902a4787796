/* The supplier's API: the inbox, questionnaires, drafts, the live score, answering, and answer
 * once / share with many (reuse, supersede, grant, revoke, forward). Each handler reads its
 * arguments, calls the client library the CLI calls, and returns the CLI's --json shapes. */
#include "tx_cred_store.h"
#include "tx_ui_app.h"
#include "tx_ui_drafts.h"
#include "tx_ui_http.h"

#include "tx_answer.h"
#include "tx_cert_judge.h"
#include "tx_error.h"
#include "tx_forward.h"
#include "tx_grant.h"
#include "tx_inbox.h"
#include "tx_json.h"
#include "tx_lookup.h"
#include "tx_msg.h"
#include "tx_plan_own.h"
#include "tx_questionnaire.h"
#include "tx_score.h"
#include "tx_util.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAY 86400

/* Organisations one grant or forward may name from the page. */
#define TO_MAX 1000

int
tx_ui_body_str(const tx_ui_req *rq, const char *name, int required, const char **out)
{
    const json_t *v = rq->body != NULL ? json_object_get(rq->body, name) : NULL;

    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        return required ? tx_fail(TX_ERR_USAGE, "\"%s\" is missing", name) : TX_OK;
    }
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
        json_string_length(v) == 0) {
        return tx_fail(TX_ERR_USAGE, "\"%s\" must be a non-empty string", name);
    }
    *out = json_string_value(v);
    return TX_OK;
}

/* The body's list of organisation names `name` into a calloc'd array (caller frees). */
static int
body_names(const tx_ui_req *rq, const char *name, const char ***out, size_t *n)
{
    const json_t *v = json_object_get(rq->body, name);

    *out = NULL;
    *n = 0;
    if (v == NULL || json_is_null(v)) {
        return TX_OK;
    }
    if (!json_is_array(v) || json_array_size(v) > TO_MAX) {
        return tx_fail(TX_ERR_USAGE, "\"%s\" must be a list of at most %d organisations", name,
                       TO_MAX);
    }
    if ((*out = calloc(json_array_size(v) + 1, sizeof **out)) == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *e = json_array_get(v, i);
        if (!json_is_string(e) || json_string_length(e) == 0 ||
            strlen(json_string_value(e)) != json_string_length(e)) {
            free(*out);
            *out = NULL;
            return tx_fail(TX_ERR_USAGE,
                           "\"%s\"[%zu] must be an organisation's name or "
                           "fingerprint",
                           name, i);
        }
        (*out)[(*n)++] = json_string_value(e);
    }
    return TX_OK;
}

static int
body_date(const tx_ui_req *rq, const char *name, int64_t *out)
{
    const char *s;
    int rc;

    *out = 0;
    if ((rc = tx_ui_body_str(rq, name, 0, &s)) != TX_OK || s == NULL) {
        return rc;
    }
    if (tx_parse_time(s, out) != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "%s %.40s: give a date as YYYY-MM-DD", name, s);
    }
    return TX_OK;
}

/* ---- inbox ---- */

/* A draft fits a request when it was written for it, or for no request (the self-check filled
 * in before any buyer asked) and for the same questionnaire: the same record, or, for a
 * built-in one without a record, the same id and version ("tics-selfcheck v1"). A sent draft
 * fits nothing more. */
static int
draft_fits(const json_t *d, const char *request, const char *qrecord, const char *qname)
{
    const json_t *q = json_object_get(d, "questionnaire");
    const char *dr = json_string_value(json_object_get(d, "request"));
    const char *rec = json_string_value(json_object_get(q, "record"));
    const char *qid = json_string_value(json_object_get(q, "id"));
    char name[128];

    if (json_is_object(json_object_get(d, "sent"))) {
        return 0;
    }
    if (dr != NULL) {
        return strcmp(dr, request) == 0;
    }
    if (rec != NULL) {
        return strcmp(rec, qrecord) == 0;
    }
    if (qid == NULL || qname == NULL) {
        return 0;
    }
    snprintf(name, sizeof name, "%.80s v%lld", qid,
             (long long)json_integer_value(json_object_get(q, "version")));
    return strcmp(name, qname) == 0;
}

static int
inbox_get(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    tx_inbox in = {0};
    tx_own_list own = {0};
    json_t *root = NULL, *drafts = NULL, *reqs;
    int64_t now = tx_now();
    int rc;

    (void)rq;
    if ((rc = tx_ui_need_hub(app, "the inbox")) != TX_OK ||
        (rc = tx_inbox_load(app->client, 1, &in)) != TX_OK ||
        (rc = tx_grant_list_own(app->client, &own)) != TX_OK ||
        (rc = tx_ui_drafts_list(app, 1, &drafts)) != TX_OK) {
        goto out;
    }
    root = tx_inbox_json(&in);
    reqs = json_object_get(root, "requests");
    for (size_t i = 0; i < json_array_size(reqs); i++) {
        json_t *r = json_array_get(reqs, i);
        const char *id = json_string_value(json_object_get(r, "id"));
        const char *qid = json_string_value(json_object_get(r, "questionnaire"));
        json_t *reusable = json_array(), *ds = json_array();
        char hex[2 * TX_ID_LEN + 1];

        for (size_t k = 0; k < own.n; k++) {
            const tx_own_assessment *e = &own.v[k];
            tx_hex(hex, e->questionnaire, TX_ID_LEN);
            if (strcmp(hex, qid) != 0 || e->superseded || !e->opened ||
                (e->valid_until != 0 && e->valid_until < now)) {
                continue;
            }
            tx_hex(hex, e->id, TX_ID_LEN);
            json_array_append_new(reusable, json_pack("{s:s,s:o,s:o}", "assessment", hex, "as_of",
                                                      tx_json_date(e->as_of), "valid_until",
                                                      tx_json_date(e->valid_until)));
        }
        for (size_t k = 0; k < json_array_size(drafts); k++) {
            const json_t *d = json_array_get(drafts, k);
            if (draft_fits(d, id, qid,
                           json_string_value(json_object_get(r, "questionnaire_name")))) {
                json_array_append(ds, json_object_get(d, "id"));
            }
        }
        json_object_set_new(r, "reusable", reusable);
        json_object_set_new(r, "drafts", ds);
    }
    rs->json = root;
    root = NULL;
out:
    json_decref(root);
    json_decref(drafts);
    tx_own_list_free(&own);
    tx_inbox_free(&in);
    return rc;
}

/* ---- questionnaires ---- */

/* An item's topics as the page shows them: [{"id","framework","name"}] from the
 * questionnaire's topics its ids name ([] when none). */
static json_t *
item_topics(const json_t *topics, const json_t *item)
{
    json_t *out = json_array(), *id, *tp;
    size_t i, k;

    json_array_foreach(json_object_get(item, "topics"), i, id)
    {
        json_array_foreach(topics, k, tp)
        {
            if (json_is_string(id) && json_equal(json_object_get(tp, "id"), id)) {
                json_array_append(out, tp);
            }
        }
    }
    return out;
}

/* The questionnaire as the page draws it: its areas with their items (each with its topics),
 * the scale with labels, its provenance. */
static json_t *
questionnaire_json(const tx_questionnaire_pb *q, const json_t *meta)
{
    json_t *plain = tx_questionnaire_to_json(q);
    json_t *scale = json_array(), *areas = json_array();
    json_t *items = json_object_get(plain, "items");
    json_t *root;
    size_t i;
    json_t *v;

    json_array_foreach(json_object_get(plain, "scale"), i, v)
    {
        json_array_append_new(scale,
                              json_pack("{s:O,s:O,s:O,s:b}", "code", json_object_get(v, "code"),
                                        "label", json_object_get(v, "label"), "score_permille",
                                        json_object_get(v, "score_permille"), "not_applicable",
                                        json_is_true(json_object_get(v, "not_applicable"))));
    }
    json_array_foreach(json_object_get(plain, "areas"), i, v)
    {
        const char *aid = json_string_value(json_object_get(v, "id"));
        json_t *its = json_array(), *it;
        size_t k;

        json_array_foreach(items, k, it)
        {
            if (strcmp(json_string_value(json_object_get(it, "area")), aid) == 0) {
                json_array_append_new(
                    its,
                    json_pack("{s:O,s:O,s:O,s:O,s:o}", "id", json_object_get(it, "id"), "level",
                              json_object_get(it, "level"), "weight", json_object_get(it, "weight"),
                              "text", json_object_get(it, "text"), "topics",
                              item_topics(json_object_get(plain, "topics"), it)));
            }
        }
        json_array_append_new(areas, json_pack("{s:O,s:O,s:o}", "id", json_object_get(v, "id"),
                                               "name", json_object_get(v, "name"), "items", its));
    }
    root = json_pack("{s:O,s:O,s:O,s:O,s:o,s:O,s:o}", "record", json_object_get(meta, "record"),
                     "id", json_object_get(plain, "id"), "version",
                     json_object_get(plain, "version"), "title", json_object_get(plain, "title"),
                     "scale", scale, "levels", json_object_get(plain, "levels"), "areas", areas);
    json_object_set(root, "provenance",
                    json_object_get(plain, "provenance") != NULL
                        ? json_object_get(plain, "provenance")
                        : json_null());
    json_decref(plain);
    return root;
}

static int
questionnaire_get(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    char ref[160];
    tx_questionnaire_pb *q = NULL;
    json_t *meta = NULL;
    int rc;

    if (tx_ui_arg(rq, "ref", ref, sizeof ref) == NULL) {
        return tx_fail(TX_ERR_USAGE, "name the questionnaire: /api/questionnaire?ref=REF");
    }
    if ((rc = tx_ui_questionnaire(app, ref, &q, &meta)) == TX_OK) {
        rs->json = questionnaire_json(q, meta);
    }
    json_decref(meta);
    tx_free(q);
    return rc;
}

/* ---- drafts ---- */

static int
drafts_get(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    json_t *list = NULL;
    int rc;

    (void)rq;
    if ((rc = tx_ui_drafts_list(app, 0, &list)) == TX_OK) {
        rs->json = json_pack("{s:O}", "drafts", list);
    }
    json_decref(list);
    return rc;
}

static int
draft_get(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    return tx_ui_draft_load(app, rq->rest, &rs->json);
}

static int
draft_post(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    json_t *saved = NULL;
    int rc;

    if ((rc = tx_ui_draft_save(app, rq->body, &saved)) == TX_OK) {
        rs->json = json_pack("{s:O,s:O}", "id", json_object_get(saved, "id"), "updated",
                             json_object_get(saved, "updated"));
    }
    json_decref(saved);
    return rc;
}

static int
draft_delete(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    const char *id;
    int rc;

    if ((rc = tx_ui_body_str(rq, "id", 1, &id)) == TX_OK &&
        (rc = tx_ui_draft_delete(app, id)) == TX_OK) {
        rs->json = json_object();
    }
    return rc;
}

/* ---- the live score ---- */

static int
score_post(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    const char *ref;
    tx_questionnaire_pb *q = NULL;
    json_t *meta = NULL;
    tx_answers answers = {0};
    tx_score score = {0};
    int rc, scored = 0;

    if ((rc = tx_ui_body_str(rq, "questionnaire", 1, &ref)) != TX_OK ||
        (rc = tx_ui_questionnaire(app, ref, &q, &meta)) != TX_OK ||
        (rc = tx_ui_answers_read(q, json_object_get(rq->body, "answers"), NULL, &answers)) !=
            TX_OK ||
        (rc = tx_score_compute(q, answers.v, answers.n, &score)) != TX_OK) {
        goto out;
    }
    scored = 1;
    rs->json = tx_score_json(q, &score);
out:
    if (scored) {
        tx_score_free(&score);
    }
    tx_answers_free(&answers);
    json_decref(meta);
    tx_free(q);
    return rc;
}

/* ---- certificates for the picker ---- */

/* GET /api/credentials: the credentials this organisation declared (`ticsx credential add`),
 * read-only, as `credential list --json` gives them; every answer includes them. */
static int
credentials_get(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    tx_cred_decl *v = NULL;
    size_t n = 0;
    json_t *arr;
    int rc;

    (void)rq;
    if ((rc = tx_cred_load_all(tx_client_home(app->client), &v, &n)) != TX_OK) {
        return rc;
    }
    arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, tx_cred_decl_json(&v[i]));
    }
    free(v);
    rs->json = json_pack("{s:o}", "credentials", arr);
    return TX_OK;
}

static int
certificates_get(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    const uint8_t *me = tx_client_id(app->client)->pub.sign;
    tx_trust_set ts = {0};
    json_t *arr;
    int64_t now = tx_now();
    int rc;

    (void)rq;
    if ((rc = tx_ui_need_hub(app, "the list of certificates")) != TX_OK ||
        (rc = tx_trust_set_from_hub(app->client, &ts)) != TX_OK) {
        tx_trust_set_free(&ts);
        return rc;
    }
    arr = json_array();
    for (size_t i = 0; i < ts.certificates.n; i++) {
        const tx_rec *r = &ts.certificates.v[i];
        tx_cert_info info;
        tx_cert_state st;

        if (memcmp(((const tx_certificate_pb *)r->msg)->holder_key.data, me, TX_KEY_LEN) != 0) {
            continue;
        }
        tx_cert_evaluate(&ts, r->id, NULL, now, &info, &st);
        json_array_append_new(arr, tx_cert_json(&info, NULL, &st));
    }
    tx_trust_set_free(&ts);
    rs->json = json_pack("{s:o}", "certificates", arr);
    return TX_OK;
}

/* ---- answering ---- */

/* Writes the draft's answers to a temporary file in the home (0600, mkstemp) for the answers
 * reader. path receives its name; the caller removes it. */
static int
answers_tmp(tx_ui_app *app, const json_t *draft, char *path, size_t n)
{
    char *text = tx_ui_draft_answers_text(draft);
    size_t len, off = 0;
    int fd, rc = TX_OK;

    path[0] = 0;
    if (text == NULL) {
        return TX_ERR_NOMEM;
    }
    len = strlen(text);
    if (snprintf(path, n, "%s/.answer-XXXXXX", tx_home_dir(tx_client_home(app->client))) >=
        (int)n) {
        path[0] = 0;
        rc = tx_fail(TX_ERR_USAGE, "home directory path too long");
        goto out;
    }
    if ((fd = mkstemp(path)) < 0) {
        rc = tx_fail(TX_ERR_IO, "cannot make a temporary file in the home: %s", strerror(errno));
        path[0] = 0;
        goto out;
    }
    while (off < len && rc == TX_OK) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno != EINTR) {
            rc = tx_fail(TX_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        } else if (w > 0) {
            off += (size_t)w;
        }
    }
    if (close(fd) != 0 && rc == TX_OK) {
        rc = tx_fail(TX_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    }
out:
    sodium_memzero(text, len);
    free(text);
    return rc;
}

static int
answer_post(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    const char *id, *request, *cert, *supersedes;
    json_t *draft = NULL, *cv, *sent;
    tx_answer_args a = {0};
    tx_answer_result res;
    char path[PATH_MAX] = "", hex[2 * TX_ID_LEN + 1], date[16];
    int rc;

    if ((rc = tx_ui_need_hub(app, "sending an answer")) != TX_OK ||
        (rc = tx_ui_body_str(rq, "draft", 1, &id)) != TX_OK ||
        (rc = tx_ui_body_str(rq, "request", 0, &request)) != TX_OK ||
        (rc = tx_ui_body_str(rq, "certificate", 0, &cert)) != TX_OK ||
        (rc = tx_ui_body_str(rq, "supersedes", 0, &supersedes)) != TX_OK ||
        (rc = body_date(rq, "valid_until", &a.valid_until)) != TX_OK ||
        (rc = tx_ui_draft_load(app, id, &draft)) != TX_OK) {
        goto out;
    }
    /* Sent once: sending it again would put a second, unrelated assessment beside the first. */
    if (supersedes == NULL && json_is_object(sent = json_object_get(draft, "sent"))) {
        rc = tx_fail(TX_ERR_EXISTS,
                     "draft %s was sent already as assessment %.12s on %s: to replace that "
                     "assessment, send it with \"supersedes\"",
                     id, json_string_value(json_object_get(sent, "assessment")),
                     json_string_value(json_object_get(sent, "date")));
        goto out;
    }
    if (request == NULL) {
        request = json_string_value(json_object_get(draft, "request"));
    }
    if (request == NULL) {
        rc = tx_fail(TX_ERR_USAGE, "draft %s answers no request: name the request to answer", id);
        goto out;
    }
    /* No "certificate" in the body: the draft's choice (null: the newest one on the hub). */
    if (json_object_get(rq->body, "certificate") == NULL &&
        json_is_string(cv = json_object_get(draft, "certificate"))) {
        cert = json_string_value(cv);
    }
    if ((rc = answers_tmp(app, draft, path, sizeof path)) != TX_OK) {
        goto out;
    }
    a.request = request;
    a.file = path;
    a.allow_missing = 1;
    a.certificate = cert;
    a.supersedes = supersedes;
    rc = tx_answer_submit(app->client, &a, &res);
    unlink(path);
    path[0] = 0;
    if (rc != TX_OK) {
        goto out;
    }
    if (res.draft) {
        /* A responder's answer: a draft for the officers' approval; nothing reached the
         * requester, so the form stays open to be sent again if it is rejected. */
        rs->json = json_pack(
            "{s:o,s:o,s:I,s:I,s:o}", "approval", tx_json_hex(res.draft_id, TX_ID_LEN), "request",
            tx_json_hex(res.request, TX_ID_LEN), "answered", (json_int_t)res.n_answers, "items",
            (json_int_t)res.n_items, "valid_until", tx_json_date(res.valid_until));
        goto out;
    }
    rs->json = tx_answer_result_json(&res);
    tx_ui_note_waiting(app, rs->json, res.grant);
    tx_hex(hex, res.assessment, TX_ID_LEN);
    tx_format_date(date, sizeof date, res.as_of);
    /* The answer is on the hub whatever happens to the draft file now. */
    if (tx_ui_draft_mark_sent(app, id, hex, date) != TX_OK) {
        json_object_set_new(rs->json, "draft_warning", json_string(tx_fail_msg()));
        tx_fail_clear();
    }
out:
    if (path[0] != 0) {
        unlink(path);
    }
    json_decref(draft);
    return rc;
}

/* ---- answer once, share with many ---- */

static int
assessments_get(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    tx_own_list own = {0};
    json_t *drafts = NULL, *root, *arr;
    int rc;

    (void)rq;
    if ((rc = tx_ui_need_hub(app, "the list of assessments")) != TX_OK ||
        (rc = tx_grant_list_own(app->client, &own)) != TX_OK ||
        (rc = tx_ui_drafts_list(app, 0, &drafts)) != TX_OK) {
        goto out;
    }
    root = tx_own_list_json(&own);
    arr = json_object_get(root, "assessments");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const char *id = json_string_value(json_object_get(e, "id"));
        json_t *found = json_null();

        for (size_t k = 0; k < json_array_size(drafts); k++) {
            const json_t *d = json_array_get(drafts, k);
            const char *sent =
                json_string_value(json_object_get(json_object_get(d, "sent"), "assessment"));
            if (sent != NULL && strcmp(sent, id) == 0) {
                found = json_object_get(d, "id");
                break;
            }
        }
        json_object_set(e, "draft", found);
    }
    rs->json = root;
out:
    json_decref(drafts);
    tx_own_list_free(&own);
    return rc;
}

/* GET /api/plans: this organisation's remediation plans (`plan list --all --json`). */
static int
plans_get(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    int rc;

    (void)rq;
    if ((rc = tx_ui_need_hub(app, "the list of remediation plans")) == TX_OK) {
        rc = tx_plan_list_own(app->client, 1, &rs->json);
    }
    return rc;
}

/* POST /api/plans/done {"assessment", "item"}: `plan done` (today; an assessment attaching
 * evidence files is refused with the reason: they are given again on the command line). */
static int
plan_done_post(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    tx_plan_done_args a = {0};
    tx_answer_result res;
    int rc;

    if ((rc = tx_ui_need_hub(app, "marking a remediation plan done")) == TX_OK &&
        (rc = tx_ui_body_str(rq, "assessment", 1, &a.assessment)) == TX_OK &&
        (rc = tx_ui_body_str(rq, "item", 1, &a.item)) == TX_OK &&
        (rc = tx_plan_done(app->client, &a, &res)) == TX_OK) {
        rs->json = tx_answer_result_json(&res);
        json_object_set_new(rs->json, "item", json_string(a.item));
    }
    return rc;
}

static int
reuse_post(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    const char *request, *assessment;
    tx_grant_result res = {0};
    int rc;

    if ((rc = tx_ui_need_hub(app, "sharing an assessment")) == TX_OK &&
        (rc = tx_ui_body_str(rq, "request", 1, &request)) == TX_OK &&
        (rc = tx_ui_body_str(rq, "assessment", 1, &assessment)) == TX_OK &&
        (rc = tx_grant_reuse(app->client, request, assessment, &res)) == TX_OK) {
        rs->json = tx_grant_reuse_json(&res);
        tx_ui_note_waiting_grants(app, rs->json, &res);
    }
    tx_grant_result_free(&res);
    return rc;
}

static int
grant_post(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    tx_grant_args a = {0};
    tx_grant_result res = {0};
    const char **to = NULL;
    int rc;

    if ((rc = tx_ui_need_hub(app, "granting an assessment")) == TX_OK &&
        (rc = tx_ui_body_str(rq, "assessment", 1, &a.assessment)) == TX_OK &&
        (rc = body_names(rq, "to", &to, &a.n_to)) == TX_OK &&
        (rc = body_date(rq, "until", &a.until)) == TX_OK) {
        if (a.n_to == 0) {
            rc = tx_fail(TX_ERR_USAGE, "no buyer: name at least one in \"to\"");
        } else {
            /* Through the end of that day (UTC), as grant --until. */
            a.until += a.until != 0 ? DAY - 1 : 0;
            a.to = to;
            if ((rc = tx_grant_submit(app->client, &a, &res)) == TX_OK) {
                rs->json = tx_grant_result_json(&res, "grants", a.until);
                tx_ui_note_waiting_grants(app, rs->json, &res);
            }
        }
    }
    tx_grant_result_free(&res);
    free(to);
    return rc;
}

static int
revoke_post(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    const char *assessment, *from;
    tx_grant_result res = {0};
    int rc;

    if ((rc = tx_ui_need_hub(app, "revoking a grant")) == TX_OK &&
        (rc = tx_ui_body_str(rq, "assessment", 1, &assessment)) == TX_OK &&
        (rc = tx_ui_body_str(rq, "from", 1, &from)) == TX_OK &&
        (rc = tx_revoke_submit(app->client, assessment, from, &res)) == TX_OK) {
        rs->json = tx_grant_result_json(&res, "revocations", 0);
    }
    tx_grant_result_free(&res);
    return rc;
}

static int
forward_post(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    tx_forward_args a = {0};
    tx_forward_result res = {0};
    const char **to = NULL;
    int rc;

    if ((rc = tx_ui_need_hub(app, "forwarding a request")) == TX_OK &&
        (rc = tx_ui_body_str(rq, "request", 1, &a.request)) == TX_OK &&
        (rc = body_names(rq, "to", &to, &a.n_to)) == TX_OK) {
        a.to = to;
        if ((rc = tx_forward_send(app->client, &a, &res)) == TX_OK) {
            rs->json = tx_forward_result_json(&res);
        }
    }
    tx_forward_result_free(&res);
    free(to);
    return rc;
}

const tx_ui_route tx_ui_supplier_routes[] = {
    {"GET", "/api/inbox", inbox_get, 0},
    {"GET", "/api/questionnaire", questionnaire_get, 0},
    {"GET", "/api/drafts", drafts_get, 0},
    {"POST", "/api/drafts", draft_post, TX_UI_POST | TX_UI_ANSWERS},
    {"POST", "/api/drafts/delete", draft_delete, TX_UI_POST | TX_UI_ANSWERS},
    {"GET", "/api/drafts/", draft_get, TX_UI_PREFIX},
    {"POST", "/api/score", score_post, TX_UI_POST},
    {"GET", "/api/certificates", certificates_get, 0},
    {"GET", "/api/credentials", credentials_get, 0},
    {"POST", "/api/answer", answer_post, TX_UI_POST | TX_UI_ANSWERS},
    {"GET", "/api/assessments", assessments_get, 0},
    {"GET", "/api/plans", plans_get, 0},
    {"POST", "/api/plans/done", plan_done_post, TX_UI_POST | TX_UI_SIGNS},
    {"POST", "/api/reuse", reuse_post, TX_UI_POST | TX_UI_SIGNS},
    {"POST", "/api/grant", grant_post, TX_UI_POST | TX_UI_SIGNS},
    {"POST", "/api/revoke", revoke_post, TX_UI_POST | TX_UI_SIGNS},
    {"POST", "/api/forward", forward_post, TX_UI_POST | TX_UI_SIGNS},
};
const size_t tx_ui_supplier_n_routes = TX_ARRAY_LEN(tx_ui_supplier_routes);

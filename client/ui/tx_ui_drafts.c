/* Drafts of answers, kept in the home and resumable: drafts/ID.json, written to a temporary file
 * and renamed, checked with the answers-file reader and the sender's limits on every save; and
 * the questionnaire a draft names, found without the hub when it is built in or cached. */
#include "tx_ui_drafts.h"

#include "tx_ui_app.h"

#include "tx_error.h"
#include "tx_json.h"
#include "tx_limits.h"
#include "tx_msg.h"
#include "tx_qref.h"
#include "tx_questionnaire.h"
#include "tx_util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A draft file is at most this large: 10 000 sub-suppliers of 64 KiB each do not fit a sendable
 * assessment (1 MiB) anyway. */
#define DRAFT_FILE_MAX (8u * 1024 * 1024)

static json_t *
meta_json(const char *ref, const tx_questionnaire_pb *q, const uint8_t *record)
{
    return json_pack("{s:s,s:s,s:I,s:o,s:o}", "ref", ref, "id", q->id, "version",
                     (json_int_t)q->version, "title", tx_json_text(q->title), "record",
                     record != NULL ? tx_json_hex(record, TX_ID_LEN) : json_null());
}

int
tx_ui_questionnaire(tx_ui_app *app, const char *ref, tx_questionnaire_pb **q, json_t **meta)
{
    tx_home *home = tx_client_home(app->client);
    uint8_t id[TX_ID_LEN];
    tx_rec rec = {0};
    tx_qref qr;
    size_t len = strlen(ref);
    int rc;

    *q = NULL;
    *meta = NULL;
    if (len == 0 || len > 128 || strchr(ref, '/') != NULL ||
        (len > 5 && strcmp(ref + len - 5, ".json") == 0)) {
        return tx_fail(TX_ERR_USAGE,
                       "questionnaire \"%.64s\": give a built-in name (tics-selfcheck), a "
                       "questionnaire id on the hub, or a questionnaire or request record id",
                       ref);
    }
    rc = tx_qref_local(ref, q);
    if (rc == TX_OK) {
        *meta = meta_json(ref, *q, NULL);
        return TX_OK;
    }
    if (rc != TX_ERR_NOT_FOUND) {
        return rc;
    }
    tx_fail_clear();
    /* A questionnaire record, or a request, this home has kept: no hub needed. */
    if (len == 2 * TX_ID_LEN && tx_unhex(id, TX_ID_LEN, ref) == TX_OK) {
        tx_rec req = {0};
        if (tx_rec_from_cache(home, id, TX_KIND_REQUEST, &req) == TX_OK) {
            const tx_request_pb *rp = (const tx_request_pb *)req.msg;
            if (rp->questionnaire.len == TX_ID_LEN) {
                memcpy(id, rp->questionnaire.data, TX_ID_LEN);
            }
        }
        tx_rec_clear(&req);
        tx_fail_clear();
        if (tx_rec_from_cache(home, id, TX_KIND_QUESTIONNAIRE, &rec) == TX_OK) {
            *q = (tx_questionnaire_pb *)rec.msg;
            rec.msg = NULL;
            *meta = meta_json(ref, *q, rec.id);
            tx_rec_clear(&rec);
            return TX_OK;
        }
    }
    tx_rec_clear(&rec);
    tx_fail_clear();
    if (!app->has_hub) {
        return tx_fail(TX_ERR_USAGE,
                       "questionnaire %.64s is not built in: finding it needs a hub, and this "
                       "home has none configured (the built-in tics-selfcheck works without one)",
                       ref);
    }
    if ((rc = tx_qref_resolve(app->client, ref, NULL, &qr)) != TX_OK) {
        return rc;
    }
    /* Kept (a public record, checked), so the page's next look-ups by record or request id,
     * for every live score, need no hub round trip. */
    if (qr.published) {
        tx_home_cache_put(home, qr.record.bytes, qr.record.len, NULL);
    }
    if (qr.via_request) {
        tx_home_cache_put(home, qr.request.bytes, qr.request.len, NULL);
    }
    tx_fail_clear();
    *q = qr.q;
    qr.q = NULL;
    *meta = meta_json(ref, *q, qr.published ? qr.record.id : NULL);
    tx_qref_clear(&qr);
    return TX_OK;
}

/* A string of the page's body: NULL when absent or null; TX_ERR_MALFORMED naming `what` when
 * it is not a string or holds a NUL. */
static int
opt_string(const json_t *v, const char *what, const char **out)
{
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        return TX_OK;
    }
    if (!json_is_string(v)) {
        return tx_fail(TX_ERR_MALFORMED, "%s must be a string", what);
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        return tx_fail(TX_ERR_BAD_UTF8, "%s holds a NUL byte: remove it", what);
    }
    *out = json_string_value(v);
    return TX_OK;
}

/* An answer's remediation plan from the page ({"action", "due", "done"}, each a string, any
 * may be missing or ""), copied into `to` as the answers file writes it; nothing when absent
 * or null. The reader checks it against the answer (tx_plan_take). */
static int
plan_doc(const json_t *e, const char *what, json_t *to)
{
    static const char *const fields[] = {"action", "due", "done"};
    const json_t *p = json_object_get(e, "plan");
    json_t *o;

    if (p == NULL || json_is_null(p)) {
        return TX_OK;
    }
    if (!json_is_object(p)) {
        return tx_fail(TX_ERR_MALFORMED,
                       "%s: \"plan\" must be {\"action\": \"...\", \"due\": \"YYYY-MM-DD\", "
                       "\"done\": \"YYYY-MM-DD\"}",
                       what);
    }
    o = json_object();
    json_object_set_new(to, "plan", o);
    for (size_t k = 0; k < TX_ARRAY_LEN(fields); k++) {
        const char *s = NULL;
        char field[160];
        int rc;

        snprintf(field, sizeof field, "%s.plan.%s", what, fields[k]);
        if ((rc = opt_string(json_object_get(p, fields[k]), field, &s)) != TX_OK) {
            return rc;
        }
        json_object_set_new(o, fields[k], json_string(s != NULL ? s : ""));
    }
    return TX_OK;
}

/* The answers and sub-suppliers as an answers file's JSON, after the checks the reader leaves
 * to the sender: a comment on an unanswered item, a NUL inside a string. */
static int
answers_doc(const json_t *answers, const json_t *suppliers, json_t **out)
{
    static const char *const sub_fields[] = {"name", "supplies", "key"};
    const tx_limit *lc = tx_limit_find(&ticsx__v1__answer__descriptor, "comment", TX_LIMIT_TEXT);
    json_t *arr = json_array(), *subs = json_array();
    char what[128], why[160];
    int rc = TX_OK;

    *out = json_pack("{s:o,s:o}", "answers", arr, "suppliers", subs);
    if ((answers != NULL && !json_is_null(answers) && !json_is_array(answers)) ||
        (suppliers != NULL && !json_is_null(suppliers) && !json_is_array(suppliers))) {
        return tx_fail(TX_ERR_MALFORMED, "\"answers\" and \"suppliers\" must be lists");
    }
    for (size_t i = 0; i < json_array_size(answers) && rc == TX_OK; i++) {
        const json_t *e = json_array_get(answers, i);
        const char *item = NULL, *answer = NULL, *comment = NULL;

        snprintf(what, sizeof what, "answers[%zu]", i);
        if (!json_is_object(e)) {
            return tx_fail(TX_ERR_MALFORMED,
                           "%s: expected {\"item\": \"...\", \"answer\": \"...\", "
                           "\"comment\": \"...\"}",
                           what);
        }
        if ((rc = opt_string(json_object_get(e, "item"), what, &item)) != TX_OK) {
            return rc;
        }
        if (item == NULL) {
            return tx_fail(TX_ERR_MALFORMED, "%s: no item id", what);
        }
        snprintf(what, sizeof what, "answers[%zu] (%.64s)", i, item);
        if ((rc = opt_string(json_object_get(e, "answer"), what, &answer)) != TX_OK ||
            (rc = opt_string(json_object_get(e, "comment"), what, &comment)) != TX_OK) {
            return rc;
        }
        if (comment != NULL &&
            (rc = tx_limit_check_text(lc, comment, strlen(comment), why, sizeof why)) != TX_OK) {
            return tx_fail(rc, "%s: %s", what, why);
        }
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "item", item, "answer",
                                             answer != NULL ? answer : "", "comment",
                                             comment != NULL ? comment : ""));
        if ((rc = plan_doc(e, what, json_array_get(arr, json_array_size(arr) - 1))) != TX_OK) {
            return rc;
        }
    }
    for (size_t i = 0; i < json_array_size(suppliers) && rc == TX_OK; i++) {
        const json_t *e = json_array_get(suppliers, i);
        json_t *o = json_object();

        snprintf(what, sizeof what, "suppliers[%zu]", i);
        json_array_append_new(subs, o);
        if (!json_is_object(e)) {
            return tx_fail(TX_ERR_MALFORMED,
                           "%s: expected {\"name\": \"...\", \"supplies\": \"...\", "
                           "\"key\": \"...\"}",
                           what);
        }
        for (size_t k = 0; k < TX_ARRAY_LEN(sub_fields); k++) {
            const char *s = NULL;
            char field[160];
            snprintf(field, sizeof field, "%s.%s", what, sub_fields[k]);
            if ((rc = opt_string(json_object_get(e, sub_fields[k]), field, &s)) != TX_OK) {
                return rc;
            }
            json_object_set_new(o, sub_fields[k], json_string(s != NULL ? s : ""));
        }
    }
    return rc;
}

int
tx_ui_answers_read(const tx_questionnaire_pb *q, const json_t *answers, const json_t *suppliers,
                   tx_answers *out)
{
    json_t *doc = NULL;
    char *text = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = answers_doc(answers, suppliers, &doc)) == TX_OK) {
        text = json_dumps(doc, JSON_COMPACT);
        rc = text != NULL ? tx_answers_parse(text, strlen(text), "draft", q, 1, out) : TX_ERR_NOMEM;
    }
    free(text);
    json_decref(doc);
    return rc;
}

/* drafts/ in the home into out; refuses one that group or others can write (they could put a
 * draft there that the page then signs), and makes it (0700) when `create`. */
static int
drafts_dir(tx_ui_app *app, char *out, size_t n, int create)
{
    struct stat st;

    if (tx_path_join(out, n, tx_home_dir(tx_client_home(app->client)), "drafts") != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "home directory path too long");
    }
    if (lstat(out, &st) != 0) {
        if (errno != ENOENT) {
            return tx_fail(TX_ERR_IO, "%s: %s", out, strerror(errno));
        }
        if (!create) {
            return TX_ERR_NOT_FOUND;
        }
        if (mkdir(out, 0700) != 0 && errno != EEXIST) {
            return tx_fail(TX_ERR_IO, "cannot make %s: %s", out, strerror(errno));
        }
        return TX_OK;
    }
    if (!S_ISDIR(st.st_mode)) {
        return tx_fail(TX_ERR_PERM, "%s is not a directory: move it away", out);
    }
    if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        return tx_fail(TX_ERR_PERM,
                       "%s is writable by group or others: run chmod 700 %s (drafts are signed "
                       "and sent from there)",
                       out, out);
    }
    return TX_OK;
}

static int
id_valid(const char *id)
{
    if (id == NULL || strlen(id) != TX_UI_DRAFT_ID_LEN) {
        return 0;
    }
    for (size_t i = 0; i < TX_UI_DRAFT_ID_LEN; i++) {
        if (strchr("0123456789abcdef", id[i]) == NULL || id[i] == 0) {
            return 0;
        }
    }
    return 1;
}

static int
draft_path(tx_ui_app *app, const char *id, int create, char *path, size_t n)
{
    char dir[PATH_MAX], name[TX_UI_DRAFT_ID_LEN + 8];
    int rc;

    if (!id_valid(id)) {
        return tx_fail(TX_ERR_USAGE, "draft \"%.40s\": a draft id is 16 hex digits", id);
    }
    if ((rc = drafts_dir(app, dir, sizeof dir, create)) != TX_OK) {
        return rc == TX_ERR_NOT_FOUND ? tx_fail(rc, "draft %s: no such draft", id) : rc;
    }
    snprintf(name, sizeof name, "%s.json", id);
    if (tx_path_join(path, n, dir, name) != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "home directory path too long");
    }
    return TX_OK;
}

int
tx_ui_draft_load(tx_ui_app *app, const char *id, json_t **out)
{
    char path[PATH_MAX];
    uint8_t *buf = NULL;
    size_t len = 0;
    json_error_t err;
    int rc;

    *out = NULL;
    if ((rc = draft_path(app, id, 0, path, sizeof path)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_file_read(path, DRAFT_FILE_MAX, &buf, &len)) != TX_OK) {
        return rc == TX_ERR_NOT_FOUND ? tx_fail(rc, "draft %s: no such draft", id)
                                      : tx_fail(rc, "cannot read %s", path);
    }
    *out = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &err);
    free(buf);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return tx_fail(TX_ERR_MALFORMED, "%s is damaged (line %d: %s): remove it", path, err.line,
                       err.text);
    }
    return TX_OK;
}

static int
store(tx_ui_app *app, const char *id, const json_t *doc)
{
    char path[PATH_MAX];
    char *text;
    int rc;

    if ((rc = draft_path(app, id, 1, path, sizeof path)) != TX_OK) {
        return rc;
    }
    text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    if (text == NULL) {
        return TX_ERR_NOMEM;
    }
    /* A temporary beside it (0600, never followed through a symlink), then rename. */
    rc = tx_file_replace(path, text, strlen(text), 0600);
    free(text);
    return rc != TX_OK ? tx_fail(rc, "cannot write %s", path) : TX_OK;
}

static json_t *
today_json(void)
{
    return tx_json_date(tx_now());
}

int
tx_ui_draft_save(tx_ui_app *app, const json_t *body, json_t **saved)
{
    const char *ref = NULL, *id = NULL, *request = NULL, *cert = NULL;
    tx_questionnaire_pb *q = NULL;
    json_t *meta = NULL, *doc = NULL, *clean = NULL, *old = NULL;
    tx_answers answers = {0};
    char fresh[TX_UI_DRAFT_ID_LEN + 1];
    int rc;

    if (saved != NULL) {
        *saved = NULL;
    }
    if (!json_is_object(body)) {
        return tx_fail(TX_ERR_MALFORMED, "a draft is a JSON object");
    }
    if ((rc = opt_string(json_object_get(body, "id"), "id", &id)) != TX_OK ||
        (rc = opt_string(json_object_get(body, "questionnaire"), "questionnaire", &ref)) != TX_OK ||
        (rc = opt_string(json_object_get(body, "request"), "request", &request)) != TX_OK ||
        (rc = opt_string(json_object_get(body, "certificate"), "certificate", &cert)) != TX_OK) {
        return rc;
    }
    if (ref == NULL) {
        return tx_fail(TX_ERR_USAGE, "a draft names its questionnaire (\"questionnaire\")");
    }
    if (request != NULL && (strlen(request) != 2 * TX_ID_LEN || !tx_is_id_prefix(request))) {
        return tx_fail(TX_ERR_USAGE, "request \"%.70s\": give its id, 64 hex digits", request);
    }
    if (cert != NULL && (strlen(cert) == 0 || strlen(cert) > 128)) {
        return tx_fail(TX_ERR_USAGE, "certificate: null, \"none\" or a certificate number");
    }
    if (id != NULL) {
        if ((rc = tx_ui_draft_load(app, id, &old)) != TX_OK) {
            return rc;
        }
    } else {
        uint8_t rnd[TX_UI_DRAFT_ID_LEN / 2];
        randombytes_buf(rnd, sizeof rnd);
        tx_hex(fresh, rnd, sizeof rnd);
        id = fresh;
    }
    if ((rc = tx_ui_questionnaire(app, ref, &q, &meta)) != TX_OK ||
        (rc = tx_ui_answers_read(q, json_object_get(body, "answers"),
                                 json_object_get(body, "suppliers"), &answers)) != TX_OK ||
        (rc = answers_doc(json_object_get(body, "answers"), json_object_get(body, "suppliers"),
                          &clean)) != TX_OK) {
        goto out;
    }
    doc = json_pack(
        "{s:s,s:O,s:o,s:O,s:O,s:o,s:o,s:I,s:I,s:O}", "id", id, "questionnaire", meta, "request",
        request != NULL ? json_string(request) : json_null(), "answers",
        json_object_get(clean, "answers"), "suppliers", json_object_get(clean, "suppliers"),
        "certificate", cert != NULL ? json_string(cert) : json_null(), "updated", today_json(),
        "answered", (json_int_t)answers.n, "items", (json_int_t)q->n_items, "sent",
        old != NULL && json_object_get(old, "sent") != NULL ? json_object_get(old, "sent")
                                                            : json_null());
    if (doc == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    if ((rc = store(app, id, doc)) == TX_OK && saved != NULL) {
        *saved = json_incref(doc);
    }
out:
    tx_answers_free(&answers);
    tx_free(q);
    json_decref(meta);
    json_decref(clean);
    json_decref(doc);
    json_decref(old);
    return rc;
}

int
tx_ui_draft_delete(tx_ui_app *app, const char *id)
{
    char path[PATH_MAX];
    int rc;

    if ((rc = draft_path(app, id, 0, path, sizeof path)) != TX_OK) {
        return rc;
    }
    if (unlink(path) != 0) {
        return errno == ENOENT ? tx_fail(TX_ERR_NOT_FOUND, "draft %s: no such draft", id)
                               : tx_fail(TX_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
    }
    return TX_OK;
}

int
tx_ui_draft_mark_sent(tx_ui_app *app, const char *id, const char *assessment, const char *date)
{
    json_t *doc = NULL;
    int rc;

    if ((rc = tx_ui_draft_load(app, id, &doc)) != TX_OK) {
        return rc;
    }
    json_object_set_new(doc, "sent",
                        json_pack("{s:s,s:s}", "assessment", assessment, "date", date));
    rc = store(app, id, doc);
    json_decref(doc);
    return rc;
}

typedef struct {
    json_t *doc;
    struct timespec mtime;
} entry;

static int
newest_first(const void *a, const void *b)
{
    const entry *x = a, *y = b;

    if (x->mtime.tv_sec != y->mtime.tv_sec) {
        return x->mtime.tv_sec < y->mtime.tv_sec ? 1 : -1;
    }
    if (x->mtime.tv_nsec != y->mtime.tv_nsec) {
        return x->mtime.tv_nsec < y->mtime.tv_nsec ? 1 : -1;
    }
    return strcmp(json_string_value(json_object_get(x->doc, "id")),
                  json_string_value(json_object_get(y->doc, "id")));
}

static json_t *
summary(const json_t *d)
{
    const json_t *q = json_object_get(d, "questionnaire");

    return json_pack("{s:O,s:{s:O,s:O,s:O,s:O},s:O,s:O,s:O,s:O,s:O}", "id",
                     json_object_get(d, "id"), "questionnaire", "ref", json_object_get(q, "ref"),
                     "id", json_object_get(q, "id"), "version", json_object_get(q, "version"),
                     "title", json_object_get(q, "title"), "request", json_object_get(d, "request"),
                     "updated", json_object_get(d, "updated"), "answered",
                     json_object_get(d, "answered"), "items", json_object_get(d, "items"), "sent",
                     json_object_get(d, "sent"));
}

int
tx_ui_drafts_list(tx_ui_app *app, int full, json_t **out)
{
    char dir[PATH_MAX];
    entry *v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    DIR *d;
    int rc;

    *out = json_array();
    if ((rc = drafts_dir(app, dir, sizeof dir, 0)) != TX_OK) {
        return rc == TX_ERR_NOT_FOUND ? TX_OK : rc;
    }
    if ((d = opendir(dir)) == NULL) {
        return tx_fail(TX_ERR_IO, "cannot read %s: %s", dir, strerror(errno));
    }
    while ((de = readdir(d)) != NULL) {
        char id[TX_UI_DRAFT_ID_LEN + 1], path[PATH_MAX];
        struct stat st;
        json_t *doc;

        /* ID.json only: temporaries of a write in progress are left alone. */
        if (strlen(de->d_name) != TX_UI_DRAFT_ID_LEN + 5 ||
            strcmp(de->d_name + TX_UI_DRAFT_ID_LEN, ".json") != 0) {
            continue;
        }
        snprintf(id, sizeof id, "%.*s", TX_UI_DRAFT_ID_LEN, de->d_name);
        if (!id_valid(id) || tx_path_join(path, sizeof path, dir, de->d_name) != TX_OK ||
            stat(path, &st) != 0 || tx_ui_draft_load(app, id, &doc) != TX_OK) {
            tx_fail_clear();
            continue;
        }
        if (!json_is_string(json_object_get(doc, "id")) ||
            strcmp(json_string_value(json_object_get(doc, "id")), id) != 0) {
            json_decref(doc);
            continue;
        }
        if (n == cap) {
            entry *p = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof *v);
            if (p == NULL) {
                json_decref(doc);
                rc = TX_ERR_NOMEM;
                break;
            }
            v = p;
        }
        v[n].doc = doc;
        v[n++].mtime = st.st_mtim;
    }
    closedir(d);
    if (n > 1) {
        qsort(v, n, sizeof *v, newest_first);
    }
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(*out, full ? json_incref(v[i].doc) : summary(v[i].doc));
        json_decref(v[i].doc);
    }
    free(v);
    return rc;
}

char *
tx_ui_draft_answers_text(const json_t *draft)
{
    const json_t *record = json_object_get(json_object_get(draft, "questionnaire"), "record");
    json_t *doc = json_pack("{s:O,s:O}", "answers", json_object_get(draft, "answers"), "suppliers",
                            json_object_get(draft, "suppliers"));
    char *text;

    if (doc == NULL) {
        return NULL;
    }
    if (json_is_string(record)) {
        json_object_set(doc, "questionnaire", (json_t *)record);
    }
    text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

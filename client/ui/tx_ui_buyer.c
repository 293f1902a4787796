/* The buyer's API (docs/ui-api.md, "Buyer"): fetch, the dashboard, the supply tree, the supplier
 * page, exports, organisations, questionnaires and requests. Every read answers from the report
 * model in memory (tx_ui_model.h); each handler only picks, sorts and shapes. */
#include "tx_ui_app.h"
#include "tx_ui_http.h"
#include "tx_ui_model.h"

#include "tx_due.h"
#include "tx_error.h"
#include "tx_evidence_check.h"
#include "tx_json.h"
#include "tx_lookup.h"
#include "tx_msg.h"
#include "tx_qlist.h"
#include "tx_render.h"
#include "tx_render_doc.h"
#include "tx_request.h"
#include "tx_story.h"
#include "tx_supply_tree.h"
#include "tx_util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARG_MAX 256
#define PAGE_DEFAULT 50
#define PAGE_MAX 500

/* A whole number query argument from min to max; def when absent. */
static int
arg_count(const tx_ui_req *rq, const char *name, long min, long max, long def, long *out)
{
    char buf[32], *end;
    const char *s = tx_ui_arg(rq, name, buf, sizeof buf);

    *out = def;
    if (s == NULL) {
        return TX_OK;
    }
    errno = 0;
    *out = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != 0 || *out < min || *out > max) {
        return tx_fail(TX_ERR_USAGE, "%s=%s: give a number from %ld to %ld", name, s, min, max);
    }
    return TX_OK;
}

/* ---- POST /api/fetch ---- */

static int
h_fetch(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    json_t *summary = NULL;
    int rc = tx_ui_model_refresh(app, &summary);

    (void)rq;
    if (rc != TX_OK) {
        return rc;
    }
    tx_ui_event(app, "model",
                json_pack("{s:O,s:O}", "generated", json_object_get(summary, "generated"),
                          "suppliers", json_object_get(summary, "suppliers")));
    rs->json = summary;
    return TX_OK;
}

/* ---- GET /api/dashboard ---- */

enum { SORT_NAME, SORT_STATUS, SORT_CERT, SORT_OVERALL, SORT_LEVEL, SORT_AGE, SORT_DUE, SORT_AREA };

static const char *const sort_names[] = {"name",  "status", "cert", "overall",
                                         "level", "age",    "due"};

typedef struct {
    int by;
    const char *area;
    int desc;
} sort_key;

/* An area's score in a row, -1 when it has none. */
static double
area_score(const tx_ui_row *r, const char *area)
{
    const json_t *s = json_object_get(json_object_get(r->obj, "scores"), area);

    return json_is_number(s) ? json_number_value(s) : -1;
}

/* Compares two numbers where -1 means "none": rows without a value go last either way. */
static int
cmp_num(double a, double b, int desc, int *decided)
{
    *decided = 1;
    if (a < 0 || b < 0) {
        return a < 0 && b < 0 ? (*decided = 0) : a < 0 ? 1 : -1;
    }
    if (a == b) {
        *decided = 0;
        return 0;
    }
    return (a < b ? -1 : 1) * (desc ? -1 : 1);
}

static int
cmp_rows(const void *pa, const void *pb, void *ctx)
{
    const tx_ui_row *a = *(const tx_ui_row *const *)pa, *b = *(const tx_ui_row *const *)pb;
    const sort_key *k = ctx;
    int c = 0, decided = 0, sign = k->desc ? -1 : 1;

    switch (k->by) {
    case SORT_STATUS:
        c = sign * strcmp(a->status, b->status);
        break;
    case SORT_CERT:
        c = sign * strcmp(a->cert, b->cert);
        break;
    case SORT_OVERALL:
        c = cmp_num(a->overall, b->overall, k->desc, &decided);
        break;
    case SORT_LEVEL:
        c = cmp_num(a->level ? a->level : -1, b->level ? b->level : -1, k->desc, &decided);
        break;
    case SORT_AGE:
        c = cmp_num((double)a->age, (double)b->age, k->desc, &decided);
        break;
    case SORT_DUE:
        c = cmp_num(a->next_due ? (double)a->next_due : -1, b->next_due ? (double)b->next_due : -1,
                    k->desc, &decided);
        break;
    case SORT_AREA:
        c = cmp_num(area_score(a, k->area), area_score(b, k->area), k->desc, &decided);
        break;
    default:
        break;
    }
    if (c != 0) {
        return c;
    }
    /* Ties (and the name sort) by name, then key, in the order asked for by name only. */
    c = strcmp(a->name, b->name);
    if (c == 0) {
        c = memcmp(a->key, b->key, TX_KEY_LEN);
    }
    return k->by == SORT_NAME ? sign * c : c;
}

static int
parse_sort(const tx_ui_model *m, const tx_ui_req *rq, sort_key *k)
{
    char sort[ARG_MAX], order[16], allowed[1024];
    const char *s = tx_ui_arg(rq, "sort", sort, sizeof sort);
    const char *o = tx_ui_arg(rq, "order", order, sizeof order);
    size_t used = 0, i;
    json_t *a;

    k->by = SORT_NAME;
    k->area = NULL;
    k->desc = 0;
    if (o != NULL && strcmp(o, "asc") != 0 && strcmp(o, "desc") != 0) {
        return tx_fail(TX_ERR_USAGE, "order=%s: use asc or desc", o);
    }
    k->desc = o != NULL && strcmp(o, "desc") == 0;
    if (s == NULL) {
        return TX_OK;
    }
    for (i = 0; i < TX_ARRAY_LEN(sort_names); i++) {
        if (strcmp(s, sort_names[i]) == 0) {
            k->by = (int)i;
            return TX_OK;
        }
    }
    json_array_foreach(m->areas, i, a)
    {
        const char *id = json_string_value(json_object_get(a, "id"));
        if (strcmp(s, id) == 0) {
            k->by = SORT_AREA;
            k->area = id;
            return TX_OK;
        }
    }
    /* The message names every key the rows can be sorted by. */
    allowed[0] = 0;
    for (i = 0; i < TX_ARRAY_LEN(sort_names) && used < sizeof allowed; i++) {
        used += (size_t)snprintf(allowed + used, sizeof allowed - used, "%s%s", i ? ", " : "",
                                 sort_names[i]);
    }
    json_array_foreach(m->areas, i, a)
    {
        if (used < sizeof allowed) {
            used += (size_t)snprintf(allowed + used, sizeof allowed - used, ", %s",
                                     json_string_value(json_object_get(a, "id")));
        }
    }
    return tx_fail(TX_ERR_USAGE, "sort=%s: sort by one of %s", s, allowed);
}

static void
lower(char *s)
{
    for (; *s; s++) {
        if (*s >= 'A' && *s <= 'Z') {
            *s = (char)(*s - 'A' + 'a');
        }
    }
}

/* The model of the questionnaire the page shows (?questionnaire=ID; absent: the default). */
static int
model_for(tx_ui_app *app, const tx_ui_req *rq, tx_ui_model **m)
{
    char q[256];

    return tx_ui_model_get_q(app, tx_ui_arg(rq, "questionnaire", q, sizeof q), m);
}

static int
h_dashboard(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    char q[ARG_MAX], status[64], cert[64], today[16];
    const char *qs = tx_ui_arg(rq, "q", q, sizeof q);
    const char *st = tx_ui_arg(rq, "status", status, sizeof status);
    const char *ce = tx_ui_arg(rq, "cert", cert, sizeof cert);
    const tx_ui_row **hits;
    json_t *rows;
    tx_ui_model *m;
    sort_key k;
    long offset, limit;
    size_t n = 0;
    int rc;

    if ((rc = arg_count(rq, "offset", 0, LONG_MAX / 2, 0, &offset)) != TX_OK ||
        (rc = arg_count(rq, "limit", 1, PAGE_MAX, PAGE_DEFAULT, &limit)) != TX_OK ||
        (rc = model_for(app, rq, &m)) != TX_OK || (rc = parse_sort(m, rq, &k)) != TX_OK) {
        return rc;
    }
    if (qs != NULL) {
        lower(q);
    }
    if ((hits = calloc(m->n_rows ? m->n_rows : 1, sizeof *hits)) == NULL) {
        return tx_fail(TX_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < m->n_rows; i++) {
        const tx_ui_row *r = &m->rows[i];
        if ((st == NULL || strcmp(r->status, st) == 0) &&
            (ce == NULL || strcmp(r->cert, ce) == 0) &&
            (qs == NULL || strstr(r->haystack, q) != NULL)) {
            hits[n++] = r;
        }
    }
    qsort_r(hits, n, sizeof *hits, cmp_rows, &k);
    rows = json_array();
    for (size_t i = (size_t)offset; i < n && i < (size_t)offset + (size_t)limit; i++) {
        json_array_append(rows, hits[i]->obj);
    }
    free(hits);
    tx_format_date(today, sizeof today, tx_now());
    rs->json =
        json_pack("{s:o,s:s,s:I,s:I,s:I,s:O,s:O,s:o}", "generated", tx_json_date(m->now), "today",
                  today, "total", (json_int_t)n, "offset", (json_int_t)offset, "limit",
                  (json_int_t)limit, "areas", m->areas, "counts", m->counts, "rows", rows);
    json_object_set(rs->json, "questionnaires", m->questionnaires);
    return TX_OK;
}

/* ---- GET /api/tree ---- */

static int
h_tree(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    tx_ui_model *m;
    long depth;
    int rc;

    if ((rc = arg_count(rq, "depth", 1, TX_TREE_MAX_DEPTH, 0, &depth)) != TX_OK ||
        (rc = model_for(app, rq, &m)) != TX_OK) {
        return rc;
    }
    if (depth == 0 || (unsigned)depth == m->tree.depth) {
        rs->json = json_incref(m->tree_doc);
        return TX_OK;
    }
    return tx_ui_model_tree(m, (unsigned)depth, &rs->json);
}

/* ---- GET /api/supplier/KEY ---- */

/* Mean score per area over the verified nodes of `tier`, one decimal, for the radar overlay. */
static json_t *
tier_average(const tx_ui_model *m, unsigned tier)
{
    json_t *sum = json_object(), *count = json_object(), *out = json_object();
    const char *id;
    json_t *node, *v;
    size_t i;

    json_array_foreach(json_object_get(m->doc, "nodes"), i, node)
    {
        size_t k;
        json_t *a;
        if (json_integer_value(json_object_get(node, "tier")) != (json_int_t)tier ||
            !json_is_string(json_object_get(node, "status")) ||
            strcmp(json_string_value(json_object_get(node, "status")), "verified") != 0) {
            continue;
        }
        json_array_foreach(json_object_get(node, "areas"), k, a)
        {
            const char *area = json_string_value(json_object_get(a, "id"));
            const json_t *s = json_object_get(a, "score");
            if (area == NULL || !json_is_number(s)) {
                continue;
            }
            json_object_set_new(
                sum, area,
                json_real(json_number_value(json_object_get(sum, area)) + json_number_value(s)));
            json_object_set_new(count, area,
                                json_integer(json_integer_value(json_object_get(count, area)) + 1));
        }
    }
    json_object_foreach(sum, id, v)
    {
        double mean = json_number_value(v) / (double)json_integer_value(json_object_get(count, id));
        json_object_set_new(out, id, json_real(round(mean * 10) / 10));
    }
    json_decref(sum);
    json_decref(count);
    return out;
}

static int
h_supplier(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    uint8_t key[TX_KEY_LEN];
    const tx_ui_row *r;
    tx_ui_model *m;
    json_t *story = NULL;
    int rc;

    if (strlen(rq->rest) != 2 * TX_KEY_LEN ||
        strspn(rq->rest, "0123456789abcdef") != 2 * TX_KEY_LEN ||
        tx_unhex(key, TX_KEY_LEN, rq->rest) != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "supplier %.80s: give the organisation's key (64 hex)",
                       rq->rest);
    }
    if ((rc = model_for(app, rq, &m)) != TX_OK) {
        return rc;
    }
    if ((r = tx_ui_model_row(m, key)) == NULL) {
        return tx_fail(TX_ERR_NOT_FOUND,
                       "supplier %.16s: not among the suppliers of this organisation (asked or "
                       "granting); fetch again if it answered just now",
                       rq->rest);
    }
    if ((rc = tx_story_load(app->client, key, r->v, &story)) != TX_OK) {
        return rc;
    }
    rs->json =
        json_pack("{s:o,s:o,s:o,s:O,s:O,s:O}", "row", tx_ui_model_full_row(r), "tier",
                  r->tier ? json_integer(r->tier) : json_null(), "tier_average",
                  r->tier ? tier_average(m, r->tier) : json_object(), "chain",
                  json_object_get(story, "chain"), "history", json_object_get(story, "history"),
                  "proof", json_object_get(story, "proof"));
    json_decref(story);
    return TX_OK;
}

/* ---- GET /api/export ---- */

static const struct {
    const char *name, *ext, *type;
} exports[] = {
    {"xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"csv", "csv", "text/csv; charset=utf-8"},
    {"html", "html", "text/html; charset=utf-8"},
    {"oscal", "oscal.json", "application/json"},
    {"json", "json", "application/json"},
};

/* The questionnaire the model shows, for the export: NULL when none is named (every
 * questionnaire then, as `report`). */
static const char *
shown(const tx_ui_model *m)
{
    return m->scope[0].id[0] ? m->scope[0].id : NULL;
}

/* XLSX is written to a file: a fresh 0700 directory in the home, read back and removed. */
static int
export_xlsx(tx_ui_app *app, const tx_ui_model *m, int ja, tx_ui_resp *rs)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rc;

    if (snprintf(dir, sizeof dir, "%s/export-XXXXXX", tx_home_dir(tx_client_home(app->client))) >=
            (int)sizeof dir ||
        mkdtemp(dir) == NULL) {
        return tx_fail(TX_ERR_IO, "cannot make a temporary directory in the home: %s",
                       strerror(errno));
    }
    snprintf(path, sizeof path, "%s/report.xlsx", dir);
    rc = tx_render_report(NULL, path, &m->vs, &m->tree, shown(m), TX_REPORT_XLSX, ja);
    if (rc == TX_OK && (rc = tx_file_read(path, 256u * 1024 * 1024, &bytes, &len)) != TX_OK) {
        rc = tx_fail(rc, "cannot read the spreadsheet back: %s", tx_strerror(rc));
    }
    unlink(path);
    rmdir(dir);
    if (rc == TX_OK) {
        rs->body = (char *)bytes;
        rs->len = len;
    }
    return rc;
}

static int
h_export(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    char fmt[16], lang[8], today[16];
    const char *f = tx_ui_arg(rq, "format", fmt, sizeof fmt);
    const char *l = tx_ui_arg(rq, "lang", lang, sizeof lang);
    int ja = rq->ja, format, rc;
    size_t e;
    tx_ui_model *m;

    for (e = 0; f != NULL && e < TX_ARRAY_LEN(exports); e++) {
        if (strcmp(f, exports[e].name) == 0) {
            break;
        }
    }
    if (f == NULL || e == TX_ARRAY_LEN(exports)) {
        return tx_fail(TX_ERR_USAGE, "format=%s: use xlsx, csv, html, oscal or json",
                       f != NULL ? f : "");
    }
    if (l != NULL && strcmp(l, "ja") != 0 && strcmp(l, "en") != 0) {
        return tx_fail(TX_ERR_USAGE, "lang=%s: use ja or en", l);
    }
    ja = l != NULL ? strcmp(l, "ja") == 0 : ja;
    if ((rc = tx_render_format(f, &format)) != TX_OK || (rc = model_for(app, rq, &m)) != TX_OK) {
        return rc;
    }
    if (format == TX_REPORT_XLSX) {
        rc = export_xlsx(app, m, ja, rs);
    } else {
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        if (mem == NULL) {
            return tx_fail(TX_ERR_NOMEM, "out of memory");
        }
        rc = tx_render_report(mem, NULL, &m->vs, &m->tree, shown(m), format, ja);
        if (fclose(mem) != 0 && rc == TX_OK) {
            rc = tx_fail(TX_ERR_NOMEM, "out of memory");
        }
        if (rc == TX_OK) {
            rs->body = text;
            rs->len = len;
        } else {
            free(text);
        }
    }
    if (rc == TX_OK) {
        tx_format_date(today, sizeof today, tx_now());
        rs->type = exports[e].type;
        snprintf(rs->filename, sizeof rs->filename, "ticsx-report-%s.%s", today, exports[e].ext);
    }
    return rc;
}

/* ---- GET /api/evidence?assessment=HEX&name=NAME ---- */

/* The media types a file is served as: the few a browser shows without running anything in
 * it; every other file (HTML, SVG, scripts, office documents...) goes as bytes to save. The
 * server adds nosniff and the page's CSP; the response is always a download. */
static const char *
evidence_type(const char *media_type)
{
    static const char *const shown[] = {"application/pdf", "image/png", "image/jpeg", "text/plain"};

    for (size_t i = 0; i < TX_ARRAY_LEN(shown); i++) {
        if (strcmp(media_type, shown[i]) == 0) {
            return strcmp(shown[i], "text/plain") == 0 ? "text/plain; charset=utf-8" : shown[i];
        }
    }
    return "application/octet-stream";
}

/* One evidence file of an assessment the model holds, decrypted and checked again now: only a
 * checked file is handed out (tx_evidence_open refuses a mismatch or a missing piece). */
static int
h_evidence(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    char hex[2 * TX_ID_LEN + 8], name[512], media[256];
    const char *a = tx_ui_arg(rq, "assessment", hex, sizeof hex);
    const char *nm = tx_ui_arg(rq, "name", name, sizeof name);
    uint8_t id[TX_ID_LEN], *data = NULL;
    const tx_verdict *v = NULL;
    tx_ui_model *m;
    size_t len = 0;
    int rc;

    if (a == NULL || strlen(a) != 2 * TX_ID_LEN || strspn(a, "0123456789abcdef") != 2 * TX_ID_LEN ||
        tx_unhex(id, TX_ID_LEN, a) != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "assessment=%.80s: give the assessment's id (64 hex)",
                       a != NULL ? a : "");
    }
    if (nm == NULL || nm[0] == 0) {
        return tx_fail(TX_ERR_USAGE, "name: give the evidence file's name");
    }
    if ((rc = tx_ui_model_get(app, &m)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < m->vs.n && v == NULL; i++) {
        if (memcmp(m->vs.v[i].assessment, id, TX_ID_LEN) == 0) {
            v = &m->vs.v[i];
        }
    }
    if (v == NULL) {
        return tx_fail(TX_ERR_NOT_FOUND,
                       "assessment %.16s: not among the assessments granted to this organisation "
                       "(fetch again if it was granted just now)",
                       a);
    }
    media[0] = 0;
    if ((rc = tx_evidence_open(tx_client_home(app->client), v, nm, &data, &len, media,
                               sizeof media)) != TX_OK) {
        return rc;
    }
    rs->body = (char *)data;
    rs->len = len;
    rs->type = evidence_type(media);
    snprintf(rs->filename, sizeof rs->filename, "%s", nm);
    /* A name cut at the buffer's end keeps whole UTF-8 characters. */
    tx_render_utf8_fix(rs->filename);
    return TX_OK;
}

/* ---- GET /api/orgs, /api/questionnaires, /api/requests ---- */

/* The enrolled organisations as `ticsx orgs` lists them, from the hub (each profile verified and
 * cached); without a hub, or when it cannot be reached, those this home has in its cache, and
 * "source" says which. */
static int
h_orgs(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    const uint8_t *me = tx_client_id(app->client)->pub.sign;
    tx_orgs orgs = {0};
    tx_ui_model *m;
    int rc;

    (void)rq;
    if (app->has_hub && tx_orgs_fetch(app->client, &orgs) == TX_OK) {
        rs->json = json_pack("{s:o,s:s}", "orgs", tx_orgs_json(&orgs, me), "source", "hub");
        tx_orgs_free(&orgs);
        return TX_OK;
    }
    tx_orgs_free(&orgs);
    if ((rc = tx_ui_model_get(app, &m)) != TX_OK) {
        return rc;
    }
    rs->json = json_pack("{s:o,s:s}", "orgs", tx_orgs_json(&m->orgs, me), "source", "cache");
    return TX_OK;
}

static int
h_questionnaires(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    (void)rq;
    return tx_qlist_json(tx_client_home(app->client), &rs->json);
}

static int
h_requests(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    tx_ui_model *m;
    int rc;

    (void)rq;
    if ((rc = tx_ui_model_get(app, &m)) != TX_OK) {
        return rc;
    }
    rs->json = tx_progress_json(&m->progress, &m->orgs);
    return TX_OK;
}

/* ---- GET /api/due?within=DAYS ---- */

/* What this organisation must do and by when, as `ticsx due --json` prints it, from the cache. */
static int
h_due(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    char buf[16];
    const char *arg = tx_ui_arg(rq, "within", buf, sizeof buf);
    int within = TX_DUE_DEFAULT_DAYS, rc = TX_OK;
    tx_due d = {0};

    if ((arg == NULL || (rc = tx_due_parse_within("within", arg, &within)) == TX_OK) &&
        (rc = tx_due_load(app->client, 0, within, &d)) == TX_OK) {
        rs->json = tx_due_json(&d);
    }
    tx_due_free(&d);
    return rc;
}

/* ---- POST /api/requests ---- */

static int
h_request_send(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    const json_t *b = rq->body, *to = json_object_get(b, "to");
    const json_t *due = json_object_get(b, "due"), *depth = json_object_get(b, "depth");
    const json_t *note = json_object_get(b, "note");
    const char *qref = json_string_value(json_object_get(b, "questionnaire"));
    tx_request_args args = {0};
    tx_request_result res;
    const char **names;
    int rc;

    if (qref == NULL || qref[0] == 0) {
        return tx_fail(TX_ERR_USAGE, "questionnaire: name the questionnaire to ask for");
    }
    if (!json_is_array(to) || json_array_size(to) == 0 || json_array_size(to) > TX_ORGS_MAX_TO) {
        return tx_fail(TX_ERR_USAGE, "to: give 1 to %d suppliers (fingerprints)", TX_ORGS_MAX_TO);
    }
    if (due != NULL && !json_is_null(due) &&
        (!json_is_string(due) || tx_parse_time(json_string_value(due), &args.due) != TX_OK)) {
        return tx_fail(TX_ERR_USAGE, "due: give a date as YYYY-MM-DD, or null");
    }
    if (depth != NULL && !json_is_null(depth) &&
        (!json_is_integer(depth) || json_integer_value(depth) < 1 ||
         json_integer_value(depth) > TX_TREE_MAX_DEPTH)) {
        return tx_fail(TX_ERR_USAGE, "depth: give a number from 1 to %d", TX_TREE_MAX_DEPTH);
    }
    if (note != NULL && !json_is_null(note) && !json_is_string(note)) {
        return tx_fail(TX_ERR_USAGE, "note: give a text");
    }
    if ((names = calloc(json_array_size(to), sizeof *names)) == NULL) {
        return tx_fail(TX_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < json_array_size(to); i++) {
        if ((names[i] = json_string_value(json_array_get(to, i))) == NULL) {
            free(names);
            return tx_fail(TX_ERR_USAGE, "to: every supplier is a text (a fingerprint)");
        }
    }
    args.questionnaire = qref;
    args.to = names;
    args.n_to = json_array_size(to);
    args.depth = depth != NULL && json_is_integer(depth) ? (uint32_t)json_integer_value(depth) : 1;
    args.note = note != NULL && json_is_string(note) && json_string_length(note) > 0
                    ? json_string_value(note)
                    : NULL;
    rc = tx_request_send(app->client, &args, &res);
    free(names);
    if (rc != TX_OK) {
        return rc;
    }
    /* The request is in the cache now: its suppliers show as asked. */
    tx_ui_model_invalidate(app);
    rs->json = json_pack("{s:o,s:o,s:b,s:I}", "request", tx_json_hex(res.id, TX_ID_LEN),
                         "questionnaire", tx_json_hex(res.questionnaire, TX_ID_LEN), "published",
                         res.published, "suppliers", (json_int_t)res.n_suppliers);
    return TX_OK;
}

const tx_ui_route tx_ui_buyer_routes[] = {
    {"POST", "/api/fetch", h_fetch, TX_UI_POST},
    {"GET", "/api/dashboard", h_dashboard, 0},
    {"GET", "/api/tree", h_tree, 0},
    {"GET", "/api/supplier/", h_supplier, TX_UI_PREFIX},
    {"GET", "/api/export", h_export, 0},
    {"GET", "/api/evidence", h_evidence, 0},
    {"GET", "/api/orgs", h_orgs, 0},
    {"GET", "/api/questionnaires", h_questionnaires, 0},
    {"GET", "/api/requests", h_requests, 0},
    {"GET", "/api/due", h_due, 0},
    {"POST", "/api/requests", h_request_send, TX_UI_POST | TX_UI_SIGNS},
};
const size_t tx_ui_buyer_n_routes = TX_ARRAY_LEN(tx_ui_buyer_routes);

/* CSV check sheet -> questionnaire, all rows checked before anything is made. */
#include "tx_import.h"

#include "tx_csv.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_limits.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"
#include "tx_util.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TITLE 1000

/* The sheet's columns: the first N_REQUIRED must be there, "topics" may. */
enum {
    C_ID,
    C_AREA,
    C_LEVEL,
    C_TEXT_JA,
    C_TEXT_EN,
    C_WEIGHT,
    N_REQUIRED,
    C_TOPICS = N_REQUIRED,
    N_COLS
};

static const char *const col_names[N_COLS] = {"id",      "area",   "level", "text ja",
                                              "text en", "weight", "topics"};

/* The topics file's columns, all required. */
enum { T_ID, T_FRAMEWORK, T_NAME_JA, T_NAME_EN, N_TCOLS };

static const char *const tcol_names[N_TCOLS] = {"id", "framework", "name ja", "name en"};

typedef struct {
    unsigned line;
    char *id, *area, *ja, *en;
    unsigned level, weight;
    char **topics; /* topic ids, n_topics of them */
    size_t n_topics;
} row;

/* A topic the sheet may name: one of the topics file (line > 0, strings owned) or of the
 * built-in questionnaire (line 0, strings borrowed from it). */
typedef struct {
    unsigned line;
    char *id, *framework, *ja, *en;
    int used;
} topic_def;

typedef struct {
    topic_def *v;
    size_t n;
} topic_defs;

static void
topic_defs_free(topic_defs *d)
{
    for (size_t i = 0; i < d->n; i++) {
        if (d->v[i].line > 0) {
            free(d->v[i].id);
            free(d->v[i].framework);
            free(d->v[i].ja);
            free(d->v[i].en);
        }
    }
    free(d->v);
    memset(d, 0, sizeof *d);
}

static topic_def *
topic_find(topic_defs *d, const char *id)
{
    for (size_t i = 0; i < d->n; i++) {
        if (strcmp(d->v[i].id, id) == 0) {
            return &d->v[i];
        }
    }
    return NULL;
}

typedef struct {
    row *v;
    size_t n;
} rows;

static void
topics_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i]);
    }
    free(v);
}

static void
rows_free(rows *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        topics_free(rs->v[i].topics, rs->v[i].n_topics);
        free(rs->v[i].id);
        free(rs->v[i].area);
        free(rs->v[i].ja);
        free(rs->v[i].en);
    }
    free(rs->v);
}

void
tx_import_errors_free(tx_import_errors *e)
{
    free(e->v);
    memset(e, 0, sizeof *e);
}

static int
add_error_in(tx_import_errors *e, int in_topics, unsigned line, const char *item, const char *what)
{
    e->total++;
    if (e->n >= TX_IMPORT_MAX_ERRORS) {
        return TX_OK;
    }
    tx_import_error *v = realloc(e->v, (e->n + 1) * sizeof *v);
    if (v == NULL) {
        return TX_ERR_NOMEM;
    }
    e->v = v;
    v[e->n].line = line;
    v[e->n].in_topics = in_topics;
    tx_utf8_copy(v[e->n].item, sizeof v[e->n].item, item);
    tx_utf8_copy(v[e->n].what, sizeof v[e->n].what, what);
    e->n++;
    return TX_OK;
}

static int
add_error(tx_import_errors *e, unsigned line, const char *item, const char *what)
{
    return add_error_in(e, 0, line, item, what);
}

/* Problems of one row, joined with "; ". */
typedef struct {
    char text[240];
    size_t used;
} problems;

static void problem(problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
problem(problems *p, const char *fmt, ...)
{
    va_list ap;
    int w;

    if (p->used + 3 >= sizeof p->text) {
        return;
    }
    if (p->used > 0) {
        memcpy(p->text + p->used, "; ", 3);
        p->used += 2;
    }
    va_start(ap, fmt);
    w = vsnprintf(p->text + p->used, sizeof p->text - p->used, fmt, ap);
    va_end(ap);
    if (w > 0) {
        p->used += (size_t)w < sizeof p->text - p->used ? (size_t)w : sizeof p->text - p->used - 1;
    }
}

static char *
trim_dup(const char *s)
{
    size_t n;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    n = strlen(s);
    while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL) {
        n--;
    }
    return strndup(s, n);
}

/* "Text_JA " -> "text ja": ASCII lowercase, '_' and '-' as spaces, spaces collapsed. */
static void
header_name(const char *s, char *out, size_t n)
{
    size_t k = 0;
    int space = 0;

    for (; *s && k + 2 < n; s++) {
        char c = *s == '_' || *s == '-' || *s == '\t' ? ' ' : *s;
        if (c == ' ') {
            space = k > 0;
            continue;
        }
        if (space) {
            out[k++] = ' ';
            space = 0;
        }
        out[k++] = (char)tolower((unsigned char)c);
    }
    out[k] = 0;
}

/* A whole number in lo..hi, digits only. */
static int
parse_number(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    unsigned long v;
    char *end;

    if (*s == 0 || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9) {
        return 0;
    }
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || v < lo || v > hi) {
        return 0;
    }
    *out = (unsigned)v;
    return 1;
}

/* Maps header cells to columns. TX_OK, or an error naming what is missing or repeated. */
static int
read_header(char **f, size_t n, unsigned line, int *cols, tx_import_errors *errs)
{
    char name[64], missing[128] = "";

    for (int c = 0; c < N_COLS; c++) {
        cols[c] = -1;
    }
    cols[C_TOPICS] = INT32_MAX; /* absent: never below a row's field count */
    for (size_t i = 0; i < n; i++) {
        if (!tx_utf8_valid(f[i], strlen(f[i]))) {
            add_error(errs, line, "",
                      _("the header is not valid UTF-8: save the sheet as CSV UTF-8"));
            return TX_ERR_MALFORMED;
        }
        header_name(f[i], name, sizeof name);
        for (int c = 0; c < N_COLS; c++) {
            if (strcmp(name, col_names[c]) != 0) {
                continue;
            }
            if (cols[c] >= 0 && cols[c] != INT32_MAX) {
                char what[96];
                snprintf(what, sizeof what, _("the header names the column \"%s\" twice"),
                         col_names[c]);
                add_error(errs, line, "", what);
                return TX_ERR_MALFORMED;
            }
            cols[c] = (int)i;
        }
    }
    for (int c = 0; c < N_REQUIRED; c++) {
        if (cols[c] < 0) {
            size_t used = strlen(missing);
            snprintf(missing + used, sizeof missing - used, "%s%s", used ? ", " : "", col_names[c]);
        }
    }
    if (missing[0] != 0) {
        char what[240];
        snprintf(what, sizeof what,
                 _("the header row must name the columns id, area, level, text ja, text en and "
                   "weight (missing: %s)"),
                 missing);
        add_error(errs, line, "", what);
        return TX_ERR_MALFORMED;
    }
    return TX_OK;
}

/* Bytes of the separator of topic ids at s (';', ',', '、', '；', '，', a space, a tab or a line
 * break), 0 if none. */
static size_t
topic_sep(const char *s)
{
    static const char *const wide[] = {"\xE3\x80\x81", "\xEF\xBC\x9B", "\xEF\xBC\x8C", NULL};

    if (*s != 0 && strchr(";, \t\r\n", *s) != NULL) {
        return 1;
    }
    for (size_t k = 0; wide[k] != NULL; k++) {
        if (strncmp(s, wide[k], strlen(wide[k])) == 0) {
            return strlen(wide[k]);
        }
    }
    return 0;
}

/* Splits a topics cell ("tics-2024.incident; jama-l1.incident") into r->topics, each a known
 * topic named once; what is wrong goes to p. */
static int
read_topics(const char *cell, topic_defs *defs, size_t max_topics, row *r, problems *p)
{
    const char *s = cell;

    while (*s) {
        size_t n = 0, sep = topic_sep(s);
        char id[TX_QUESTIONNAIRE_ID_MAX + 1], cut[40];

        if (sep > 0) {
            s += sep;
            continue;
        }
        while (s[n] != 0 && topic_sep(s + n) == 0) {
            n++;
        }
        tx_utf8_copy(cut, sizeof cut, s);
        if (n < sizeof cut) {
            cut[n] = 0;
        }
        if (n > TX_QUESTIONNAIRE_ID_MAX) {
            problem(p, _("topic \"%s\" is longer than %d characters"), cut,
                    TX_QUESTIONNAIRE_ID_MAX);
            s += n;
            continue;
        }
        memcpy(id, s, n);
        id[n] = 0;
        s += n;
        topic_def *d = tx_questionnaire_id_valid(id) ? topic_find(defs, id) : NULL;
        if (d == NULL) {
            problem(p,
                    _("unknown topic \"%s\": name a topic of the built-in questionnaire (ticsx "
                      "questionnaire show tics-selfcheck) or one defined in --topics"),
                    cut);
            continue;
        }
        int twice = 0;
        for (size_t k = 0; k < r->n_topics && !twice; k++) {
            twice = strcmp(r->topics[k], id) == 0;
        }
        if (twice) {
            problem(p, _("topic \"%s\" is named twice"), id);
            continue;
        }
        if (r->n_topics >= max_topics) {
            problem(p, _("more than %zu topics"), max_topics);
            return TX_OK;
        }
        char **v = realloc(r->topics, (r->n_topics + 1) * sizeof *v);
        if (v == NULL) {
            return TX_ERR_NOMEM;
        }
        r->topics = v;
        if ((v[r->n_topics] = strdup(id)) == NULL) {
            return TX_ERR_NOMEM;
        }
        r->n_topics++;
        d->used = 1;
    }
    return TX_OK;
}

/* Checks one data row; a good one is appended to rs, a bad one to errs. max_items is the
 * questionnaire's items limit from the limits table. */
static int
read_row(char **f, size_t n, size_t width, unsigned line, const int *cols, size_t max_items,
         topic_defs *defs, rows *rs, tx_import_errors *errs)
{
    problems p = {.used = 0};
    char label[72] = "";
    row r = {.line = line};
    int rc = TX_OK;

    p.text[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (!tx_utf8_valid(f[i], strlen(f[i]))) {
            return add_error(errs, line, "", _("not valid UTF-8: save the sheet as CSV UTF-8"));
        }
    }
    if ((size_t)cols[C_ID] < n) {
        char *id = trim_dup(f[cols[C_ID]]);
        if (id == NULL) {
            return TX_ERR_NOMEM;
        }
        tx_utf8_copy(label, sizeof label, id);
        free(id);
    }
    if (n < width) {
        problem(&p, _("missing column: %zu of the header's %zu columns"), n, width);
        return add_error(errs, line, label, p.text);
    }
    for (size_t i = width; i < n; i++) {
        if (f[i][strspn(f[i], " \t")] != 0) {
            problem(&p, _("more columns than the header's %zu"), width);
            break;
        }
    }
    r.id = trim_dup(f[cols[C_ID]]);
    r.area = trim_dup(f[cols[C_AREA]]);
    r.ja = trim_dup(f[cols[C_TEXT_JA]]);
    r.en = trim_dup(f[cols[C_TEXT_EN]]);
    if (r.id == NULL || r.area == NULL || r.ja == NULL || r.en == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    if (r.id[0] == 0) {
        problem(&p, _("empty id"));
    } else if (strlen(r.id) > TX_QUESTIONNAIRE_ID_MAX) {
        problem(&p, _("id is longer than %d characters"), TX_QUESTIONNAIRE_ID_MAX);
    } else if (!tx_questionnaire_id_valid(r.id)) {
        problem(&p, _("id must be letters, digits, '.', '_' or '-'"));
    } else {
        for (size_t k = 0; k < rs->n; k++) {
            if (strcmp(rs->v[k].id, r.id) == 0) {
                problem(&p, _("duplicate id (first on line %u)"), rs->v[k].line);
                break;
            }
        }
    }
    if (r.area[0] == 0) {
        problem(&p, _("empty area"));
    } else if (strlen(r.area) > TX_IMPORT_MAX_AREA) {
        problem(&p, _("area is longer than %u bytes"), TX_IMPORT_MAX_AREA);
    }
    char *level = trim_dup(f[cols[C_LEVEL]]), *weight = trim_dup(f[cols[C_WEIGHT]]);
    if (level == NULL || weight == NULL) {
        free(level);
        free(weight);
        rc = TX_ERR_NOMEM;
        goto out;
    }
    if (!parse_number(level, 1, 99, &r.level)) {
        char cut[24];
        tx_utf8_copy(cut, sizeof cut, level);
        problem(&p, _("level \"%s\" is not a positive whole number (1 to 99)"), cut);
    }
    if (!parse_number(weight, 1, 100, &r.weight)) {
        char cut[24];
        tx_utf8_copy(cut, sizeof cut, weight);
        problem(&p, _("weight \"%s\" is not a whole number from 1 to 100"), cut);
    }
    free(level);
    free(weight);
    if (r.ja[0] == 0 && r.en[0] == 0) {
        problem(&p, _("no text: fill in text ja or text en"));
    }
    if (strlen(r.ja) > TX_IMPORT_MAX_TEXT) {
        problem(&p, _("text ja is longer than %u bytes"), TX_IMPORT_MAX_TEXT);
    }
    if (strlen(r.en) > TX_IMPORT_MAX_TEXT) {
        problem(&p, _("text en is longer than %u bytes"), TX_IMPORT_MAX_TEXT);
    }
    if ((size_t)cols[C_TOPICS] < n && f[cols[C_TOPICS]][0] != 0 &&
        (rc = read_topics(f[cols[C_TOPICS]], defs, TX_MAX_REPEATED, &r, &p)) != TX_OK) {
        goto out;
    }
    if (p.used == 0 && rs->n >= max_items) {
        problem(&p, _("more than %zu items"), max_items);
    }
    if (p.used > 0) {
        rc = add_error(errs, line, label, p.text);
        goto out;
    }
    row *v = realloc(rs->v, (rs->n + 1) * sizeof *v);
    if (v == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    rs->v = v;
    rs->v[rs->n++] = r;
    return TX_OK;
out:
    topics_free(r.topics, r.n_topics);
    free(r.id);
    free(r.area);
    free(r.ja);
    free(r.en);
    return rc;
}

static int
by_level(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

    return x < y ? -1 : x > y;
}

/* Builds the questionnaire's JSON form from good rows (with `builtin`'s answer scale)
 * and parses it with the one parser. */
static int
build(const rows *rs, const topic_defs *defs, const tx_questionnaire_pb *builtin,
      const char *source, const tx_import_opts *o, tx_questionnaire_pb **out)
{
    json_t *root = NULL, *areas = json_array(), *items = json_array(), *levels = json_array();
    json_t *topics = json_array();
    unsigned lv[100];
    size_t n_lv = 0, n_areas = 0;
    char **area_names = calloc(rs->n + 1, sizeof *area_names);
    char *text = NULL;
    int rc;

    if (area_names == NULL || areas == NULL || items == NULL || levels == NULL || topics == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < rs->n; i++) {
        const row *r = &rs->v[i];
        size_t a, k;
        char aid[24];

        for (a = 0; a < n_areas && strcmp(area_names[a], r->area) != 0; a++) {
        }
        if (a == n_areas) {
            area_names[n_areas++] = r->area;
            snprintf(aid, sizeof aid, "A%zu", n_areas);
            json_array_append_new(areas, json_pack("{s:s,s:{s:s,s:s}}", "id", aid, "name", "ja",
                                                   r->area, "en", r->area));
        }
        snprintf(aid, sizeof aid, "A%zu", a + 1);
        for (k = 0; k < n_lv && lv[k] != r->level; k++) {
        }
        if (k == n_lv) {
            lv[n_lv++] = r->level;
        }
        json_t *item = json_pack("{s:s,s:s,s:I,s:I,s:{s:s,s:s}}", "id", r->id, "area", aid, "level",
                                 (json_int_t)r->level, "weight", (json_int_t)r->weight, "text",
                                 "ja", r->ja, "en", r->en);
        if (r->n_topics > 0) {
            json_t *t = json_array();
            for (size_t j = 0; j < r->n_topics; j++) {
                json_array_append_new(t, json_string(r->topics[j]));
            }
            json_object_set_new(item, "topics", t);
        }
        json_array_append_new(items, item);
    }
    /* The built-in topics the sheet uses, then every topic of the topics file. */
    for (size_t k = 0; k < defs->n; k++) {
        const topic_def *d = &defs->v[k];
        if (d->line == 0 && !d->used) {
            continue;
        }
        json_array_append_new(topics, json_pack("{s:s,s:s,s:{s:s,s:s}}", "id", d->id, "framework",
                                                d->framework, "name", "ja", d->ja, "en", d->en));
    }
    qsort(lv, n_lv, sizeof *lv, by_level);
    for (size_t k = 0; k < n_lv; k++) {
        char ja[32], en[32];
        snprintf(ja, sizeof ja, "レベル%u", lv[k]);
        snprintf(en, sizeof en, "Level %u", lv[k]);
        json_array_append_new(levels, json_pack("{s:I,s:{s:s,s:s}}", "level", (json_int_t)lv[k],
                                                "name", "ja", ja, "en", en));
    }
    json_t *bj = tx_questionnaire_to_json(builtin);
    root =
        json_pack("{s:s,s:I,s:{s:s,s:s},s:O,s:o,s:o,s:o}", "id", o->id, "version",
                  (json_int_t)o->version, "title", "ja", o->title_ja ? o->title_ja : "", "en",
                  o->title_en ? o->title_en : (o->title_ja ? "" : o->id), "scale",
                  json_object_get(bj, "scale"), "levels", levels, "areas", areas, "items", items);
    json_decref(bj);
    areas = items = levels = NULL;
    if (root != NULL && json_array_size(topics) > 0) {
        json_object_set(root, "topics", topics);
    }
    if (root == NULL || (text = json_dumps(root, JSON_COMPACT)) == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    rc = tx_questionnaire_parse(text, strlen(text), source, out);
out:
    free(text);
    json_decref(root);
    json_decref(areas);
    json_decref(items);
    json_decref(levels);
    json_decref(topics);
    free(area_names);
    return rc;
}

/* The built-in questionnaire's topics, which any sheet may name without defining them. */
static int
builtin_topics(tx_questionnaire_pb *builtin, topic_defs *defs)
{
    if (builtin->n_topics == 0) {
        return TX_OK;
    }
    defs->v = calloc(builtin->n_topics, sizeof *defs->v);
    if (defs->v == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < builtin->n_topics; i++) {
        const tx_topic_pb *t = builtin->topics[i];
        defs->v[defs->n++] = (topic_def){0, t->id, t->framework, t->name->ja, t->name->en, 0};
    }
    return TX_OK;
}

/* Reads the topics file (columns id, framework, name ja, name en) into defs after the built-in
 * ones; every bad row goes to errs, marked as the topics file's. */
static int
read_topics_file(const char *buf, size_t len, topic_defs *defs, tx_import_errors *errs)
{
    const size_t max_topics =
        tx_limit_find(&ticsx__v1__questionnaire__descriptor, "topics", TX_LIMIT_COUNT)->max;
    int cols[N_TCOLS];
    tx_csv *csv = NULL;
    char **f;
    size_t n, width = 0;
    unsigned line = 0;
    int rc;

    if ((rc = tx_csv_open(buf, len, &csv)) != TX_OK) {
        return rc;
    }
    while ((rc = tx_csv_next(csv, &f, &n, &line)) == TX_OK || rc == TX_ERR_BAD_UTF8) {
        problems p = {.used = 0};
        char label[72] = "", name[64];
        size_t blank = 0;

        p.text[0] = 0;
        if (rc == TX_ERR_BAD_UTF8) {
            add_error_in(errs, 1, line, "", tx_fail_msg());
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            blank += f[i][strspn(f[i], " \t")] == 0;
            if (!tx_utf8_valid(f[i], strlen(f[i]))) {
                problem(&p, _("not valid UTF-8: save the sheet as CSV UTF-8"));
                break;
            }
        }
        if (blank == n) {
            continue;
        }
        if (p.used > 0) {
            add_error_in(errs, 1, line, "", p.text);
            if (width == 0) {
                break;
            }
            continue;
        }
        if (width == 0) {
            for (int c = 0; c < N_TCOLS; c++) {
                cols[c] = -1;
            }
            for (size_t i = 0; i < n; i++) {
                header_name(f[i], name, sizeof name);
                for (int c = 0; c < N_TCOLS; c++) {
                    if (strcmp(name, tcol_names[c]) == 0 && cols[c] < 0) {
                        cols[c] = (int)i;
                    }
                }
            }
            for (int c = 0; c < N_TCOLS && width == 0; c++) {
                if (cols[c] < 0) {
                    add_error_in(errs, 1, line, "",
                                 _("the header row must name the columns id, framework, name ja "
                                   "and name en"));
                    width = SIZE_MAX;
                }
            }
            if (width == SIZE_MAX) {
                rc = TX_ERR_NOT_FOUND;
                break;
            }
            width = n;
            continue;
        }
        if (n < width) {
            problem(&p, _("missing column: %zu of the header's %zu columns"), n, width);
            add_error_in(errs, 1, line, "", p.text);
            continue;
        }
        topic_def d = {.line = line};
        d.id = trim_dup(f[cols[T_ID]]);
        d.framework = trim_dup(f[cols[T_FRAMEWORK]]);
        d.ja = trim_dup(f[cols[T_NAME_JA]]);
        d.en = trim_dup(f[cols[T_NAME_EN]]);
        if (d.id == NULL || d.framework == NULL || d.ja == NULL || d.en == NULL) {
            rc = TX_ERR_NOMEM;
        } else {
            const topic_def *old = topic_find(defs, d.id);
            tx_utf8_copy(label, sizeof label, d.id);
            if (!tx_questionnaire_id_valid(d.id)) {
                problem(&p, _("id must be 1-%d letters, digits, '.', '_' or '-'"),
                        TX_QUESTIONNAIRE_ID_MAX);
            } else if (old != NULL && old->line == 0) {
                problem(&p, _("a topic of the built-in questionnaire has this id: name it in the "
                              "sheet without defining it, or choose another id"));
            } else if (old != NULL) {
                problem(&p, _("duplicate id (first on line %u)"), old->line);
            }
            if (!tx_questionnaire_id_valid(d.framework)) {
                problem(&p, _("framework must be 1-%d letters, digits, '.', '_' or '-'"),
                        TX_QUESTIONNAIRE_ID_MAX);
            }
            if (d.ja[0] == 0 && d.en[0] == 0) {
                problem(&p, _("no name: fill in name ja or name en"));
            }
            if (strlen(d.ja) > TX_IMPORT_MAX_AREA || strlen(d.en) > TX_IMPORT_MAX_AREA) {
                problem(&p, _("a name is longer than %u bytes"), TX_IMPORT_MAX_AREA);
            }
            if (p.used == 0 && defs->n >= max_topics) {
                problem(&p, _("more than %zu topics"), max_topics);
            }
        }
        if (rc == TX_OK && p.used > 0) {
            rc = add_error_in(errs, 1, line, label, p.text);
        } else if (rc == TX_OK) {
            topic_def *v = realloc(defs->v, (defs->n + 1) * sizeof *v);
            if (v != NULL) {
                defs->v = v;
                defs->v[defs->n++] = d;
                continue;
            }
            rc = TX_ERR_NOMEM;
        }
        free(d.id);
        free(d.framework);
        free(d.ja);
        free(d.en);
        if (rc != TX_OK) {
            break;
        }
    }
    if (rc == TX_ERR_MALFORMED) {
        add_error_in(errs, 1, line, "", tx_fail_msg());
    } else if (rc == TX_ERR_NOT_FOUND && width == 0) {
        add_error_in(errs, 1, 1, "",
                     _("no header row: the topics file needs the columns id, framework, name ja "
                       "and name en"));
    } else if (rc != TX_ERR_NOT_FOUND) {
        tx_csv_destroy(&csv);
        return rc;
    }
    tx_csv_destroy(&csv);
    return TX_OK;
}

static int
check_opts(const tx_import_opts *o)
{
    if (o->id == NULL || !tx_questionnaire_id_valid(o->id)) {
        return tx_fail(TX_ERR_USAGE, "--id: 1 to %d letters, digits, '.', '_' or '-'",
                       TX_QUESTIONNAIRE_ID_MAX);
    }
    if (o->version == 0) {
        return tx_fail(TX_ERR_USAGE, "--version: a whole number from 1");
    }
    const char *titles[2] = {o->title_ja, o->title_en};
    for (int i = 0; i < 2; i++) {
        if (titles[i] != NULL &&
            (strlen(titles[i]) > MAX_TITLE || !tx_utf8_valid(titles[i], strlen(titles[i])))) {
            return tx_fail(TX_ERR_USAGE, "--title-%s: at most %d bytes of UTF-8 text",
                           i == 0 ? "ja" : "en", MAX_TITLE);
        }
    }
    return TX_OK;
}

int
tx_import_csv(const char *buf, size_t len, const char *source, const tx_import_opts *o,
              tx_questionnaire_pb **out, tx_import_errors *errs)
{
    int cols[N_COLS] = {0}; /* filled by the header; zeroed so no path reads garbage */
    rows rs = {0};
    topic_defs defs = {0};
    tx_questionnaire_pb *builtin = NULL;
    tx_csv *csv = NULL;
    char **f;
    size_t n, width = 0;
    const size_t max_items =
        tx_limit_find(&ticsx__v1__questionnaire__descriptor, "items", TX_LIMIT_COUNT)->max;
    unsigned line = 0;
    int rc;

    *out = NULL;
    memset(errs, 0, sizeof *errs);
    if ((rc = check_opts(o)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, &builtin)) != TX_OK ||
        (rc = builtin_topics(builtin, &defs)) != TX_OK ||
        (o->topics_buf != NULL &&
         (rc = read_topics_file(o->topics_buf, o->topics_len, &defs, errs)) != TX_OK) ||
        (rc = tx_csv_open(buf, len, &csv)) != TX_OK) {
        goto out;
    }
    int header_bad = 0;
    while ((rc = tx_csv_next(csv, &f, &n, &line)) == TX_OK || rc == TX_ERR_BAD_UTF8) {
        size_t blank = 0;
        if (rc == TX_ERR_BAD_UTF8) { /* a NUL byte: named where it is, never cut */
            char what[200];
            snprintf(what, sizeof what, _("%s"), tx_fail_msg());
            if ((rc = add_error(errs, line,
                                width > 0 && (size_t)cols[C_ID] < n ? f[cols[C_ID]] : "", what)) !=
                TX_OK) {
                goto out;
            }
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            blank += f[i][strspn(f[i], " \t")] == 0;
        }
        if (blank == n) {
            continue;
        }
        if (width == 0) {
            if ((rc = read_header(f, n, line, cols, errs)) != TX_OK) {
                header_bad = 1;
                break;
            }
            width = n;
            continue;
        }
        if ((rc = read_row(f, n, width, line, cols, max_items, &defs, &rs, errs)) != TX_OK) {
            goto out;
        }
    }
    if (rc == TX_ERR_MALFORMED && !header_bad) {
        add_error(errs, line, "", tx_fail_msg()); /* the CSV itself: an unclosed quote */
    } else if (rc == TX_ERR_NOT_FOUND && width == 0) {
        add_error(errs, 1, "",
                  _("no header row: the sheet needs the columns id, area, level, text ja, text en "
                    "and weight"));
    } else if (rc == TX_ERR_NOT_FOUND && rs.n == 0 && errs->total == 0) {
        add_error(errs, line, "", _("no items below the header"));
    } else if (rc != TX_ERR_NOT_FOUND && rc != TX_ERR_MALFORMED) {
        goto out;
    }
    if (errs->total > 0) {
        rc = tx_fail(TX_ERR_MALFORMED, "%s: %zu bad row%s: nothing imported", source, errs->total,
                     errs->total == 1 ? "" : "s");
        goto out;
    }
    rc = build(&rs, &defs, builtin, source, o, out);
out:
    tx_csv_destroy(&csv);
    rows_free(&rs);
    topic_defs_free(&defs);
    tx_free(builtin);
    if (rc != TX_OK && rc != TX_ERR_MALFORMED) {
        tx_import_errors_free(errs);
    }
    return rc;
}

int
tx_import_file(const char *path, const tx_import_opts *o, tx_questionnaire_pb **out,
               tx_import_errors *errs)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    memset(errs, 0, sizeof *errs);
    rc = tx_file_read(path, TX_IMPORT_MAX_FILE, &buf, &len);
    if (rc != TX_OK) {
        return tx_fail(rc == TX_ERR_NOT_FOUND ? TX_ERR_IO : rc, "cannot read %s: %s", path,
                       rc == TX_ERR_NOT_FOUND ? _("no such file") : tx_strerror(rc));
    }
    if (o->topics_file != NULL && o->topics_buf == NULL) {
        uint8_t *tbuf = NULL;
        size_t tlen = 0;
        tx_import_opts with = *o;
        rc = tx_file_read(o->topics_file, TX_IMPORT_MAX_FILE, &tbuf, &tlen);
        if (rc != TX_OK) {
            free(buf);
            return tx_fail(rc == TX_ERR_NOT_FOUND ? TX_ERR_IO : rc, "cannot read %s: %s",
                           o->topics_file,
                           rc == TX_ERR_NOT_FOUND ? _("no such file") : tx_strerror(rc));
        }
        with.topics_buf = (const char *)tbuf;
        with.topics_len = tlen;
        rc = tx_import_csv((const char *)buf, len, path, &with, out, errs);
        free(tbuf);
    } else {
        rc = tx_import_csv((const char *)buf, len, path, o, out, errs);
    }
    free(buf);
    return rc;
}

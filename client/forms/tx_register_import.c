/* METI's list of certified organisations (or a list of accredited bodies) as a user saves it:
 * CSV or the HTML table, UTF-8 or Shift_JIS/CP932, read to a fixed set of columns into register
 * entries. Every limit is checked before memory is taken; a refusal names the line. */
#include "tx_register_import.h"

#include "tx_codec.h"
#include "tx_csv.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <ctype.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    COL_IGNORE,
    COL_HOLDER,
    COL_CORP,
    COL_NUMBER,
    COL_BODY,
    COL_SCOPE,
    COL_SECTORS,
    COL_FROM,
    COL_UNTIL,
    COL_NOTE,
    COL_COUNT
};

static const struct {
    const char *name;
    int col;
} col_names[] = {
    {"事業者名", COL_HOLDER}, {"holder_name", COL_HOLDER},
    {"法人番号", COL_CORP},   {"corporate_number", COL_CORP},
    {"認証番号", COL_NUMBER}, {"number", COL_NUMBER},
    {"認証機関", COL_BODY},   {"認証機関名", COL_BODY},
    {"body", COL_BODY},       {"認証範囲", COL_SCOPE},
    {"scope", COL_SCOPE},     {"分野", COL_SECTORS},
    {"sectors", COL_SECTORS}, {"認証日", COL_FROM},
    {"認定日", COL_FROM},     {"issued", COL_FROM},
    {"有効期限", COL_UNTIL},  {"expires", COL_UNTIL},
    {"備考", COL_NOTE},       {"note", COL_NOTE},
    {"所在地", COL_IGNORE},   {"address", COL_IGNORE},
};

#define EXPECT_CERTIFIED                                                                                                        \
    "事業者名, 法人番号, 認証番号, 認証機関, 認証範囲, 認証日, 有効期限, 備考 (所在地 is read " \
    "and "                                                                                                                      \
    "ignored; 事業者名, 認証番号 and 認証機関 are required)"
#define EXPECT_BODIES                                                                                                       \
    "認証機関, 法人番号, 認証範囲, 分野, 認定日, 有効期限, 備考 (認証機関 and 認証範囲 are " \
    "required)"

#define MAX_COLS 32u

typedef struct {
    char **cells;
    size_t n;
    unsigned line;
} row;

typedef struct {
    row *v;
    size_t n;
} table;

static void
table_free(table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        for (size_t k = 0; k < t->v[i].n; k++) {
            free(t->v[i].cells[k]);
        }
        free(t->v[i].cells);
    }
    free(t->v);
    memset(t, 0, sizeof *t);
}

static int
is_bodies(const char *list)
{
    return strcmp(list, "tics-bodies") == 0;
}

/* ---- cell text ---- */

/* Collapses white space (ASCII and U+3000 kept as one ASCII space), trims; in place. Control
 * characters become spaces. */
static void
tidy(char *s)
{
    size_t o = 0;
    int space = 0;

    for (size_t i = 0; s[i] != 0; i++) {
        unsigned char c = (unsigned char)s[i];
        int ws = c == ' ' || c < 0x20 || c == 0x7f;
        if (c == 0xE3 && (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0x80) {
            ws = 1; /* U+3000 */
            i += 2;
        }
        if (ws) {
            space = o > 0;
            continue;
        }
        if (space) {
            s[o++] = ' ';
            space = 0;
        }
        s[o++] = (char)c;
    }
    s[o] = 0;
}

/* ---- the HTML table ---- */

typedef struct {
    const char *p, *end, *start;
} cursor;

static unsigned
line_at(const cursor *c, const char *at)
{
    unsigned n = 1;

    for (const char *q = c->start; q < at; q++) {
        n += *q == '\n';
    }
    return n;
}

/* Whether the text at p is the tag `name` ("tr", "/td", ...): '<' name then a space, '>' or
 * '/'. */
static int
tag_is(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);

    if (p >= end || *p != '<' || (size_t)(end - p) < n + 2 || strncasecmp(p + 1, name, n) != 0) {
        return 0;
    }
    p += 1 + n;
    return *p == '>' || *p == '/' || isspace((unsigned char)*p);
}

static const char *
skip_tag(const char *p, const char *end)
{
    if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
        const char *q = p + 4;
        while (end - q >= 3 && memcmp(q, "-->", 3) != 0) {
            q++;
        }
        return end - q >= 3 ? q + 3 : end;
    }
    while (p < end && *p != '>') {
        p++;
    }
    return p < end ? p + 1 : end;
}

/* Skips <script> and <style> blocks whole. */
static const char *
skip_raw(const char *p, const char *end)
{
    const char *close = tag_is(p, end, "script") ? "</script" : "</style";
    size_t n = strlen(close);

    for (p = skip_tag(p, end); end - p >= (long)n; p++) {
        if (strncasecmp(p, close, n) == 0) {
            return skip_tag(p, end);
        }
    }
    return end;
}

/* Decodes one entity at p ('&'); appends to out; returns the next position. */
static const char *
entity(const char *p, const char *end, char *out, size_t *o)
{
    static const struct {
        const char *name;
        uint32_t cp;
    } named[] = {{"amp", '&'},  {"lt", '<'},    {"gt", '>'},
                 {"quot", '"'}, {"apos", '\''}, {"nbsp", ' '}};
    const char *semi = p + 1;

    while (semi < end && semi - p < 12 && *semi != ';') {
        semi++;
    }
    if (semi < end && *semi == ';') {
        size_t n = (size_t)(semi - p - 1);
        uint32_t cp = 0;
        int ok = 0;
        if (n >= 2 && p[1] == '#') {
            char *e;
            unsigned long v =
                (p[2] == 'x' || p[2] == 'X') ? strtoul(p + 3, &e, 16) : strtoul(p + 2, &e, 10);
            ok = e == semi && v > 0 && v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF);
            cp = (uint32_t)v;
        } else {
            for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
                if (strlen(named[i].name) == n && memcmp(p + 1, named[i].name, n) == 0) {
                    cp = named[i].cp;
                    ok = 1;
                }
            }
        }
        if (ok) {
            *o += tx_utf8_put(out + *o, cp);
            return semi + 1;
        }
    }
    out[(*o)++] = '&';
    return p + 1;
}

static int
push_row(table *t, row *r)
{
    row *nv;

    if (t->n >= TX_REGISTER_ROWS_MAX + 1) {
        return tx_fail(TX_ERR_TOO_LARGE,
                       "line %u: more than %u rows: a list holds at most %u "
                       "organisations",
                       r->line, TX_REGISTER_ROWS_MAX, TX_REGISTER_ROWS_MAX);
    }
    if ((nv = realloc(t->v, (t->n + 1) * sizeof *nv)) == NULL) {
        return TX_ERR_NOMEM;
    }
    t->v = nv;
    t->v[t->n++] = *r;
    memset(r, 0, sizeof *r);
    return TX_OK;
}

static void
row_free(row *r)
{
    for (size_t k = 0; k < r->n; k++) {
        free(r->cells[k]);
    }
    free(r->cells);
    memset(r, 0, sizeof *r);
}

/* Reads the table starting at c->p ("<table") up to its "</table>" into t. */
static int
html_table(cursor *c, table *t)
{
    const char *p = skip_tag(c->p, c->end), *end = c->end;
    row cur = {0};
    char *cell = NULL;
    size_t o = 0;
    int in_row = 0, rc = TX_OK;

    cell = malloc(TX_REGISTER_CELL_MAX + 8);
    if (cell == NULL) {
        return TX_ERR_NOMEM;
    }
#define END_CELL()                                                                                 \
    do {                                                                                           \
        if (cell_open) {                                                                           \
            char **nc;                                                                             \
            cell[o] = 0;                                                                           \
            tidy(cell);                                                                            \
            if (cur.n >= MAX_COLS) {                                                               \
                rc = tx_fail(TX_ERR_MALFORMED, "line %u: more than %u cells in a row", cur.line,   \
                             MAX_COLS);                                                            \
                goto out;                                                                          \
            }                                                                                      \
            if ((nc = realloc(cur.cells, (cur.n + 1) * sizeof *nc)) == NULL ||                     \
                (cur.cells = nc, (nc[cur.n] = strdup(cell)) == NULL)) {                            \
                rc = TX_ERR_NOMEM;                                                                 \
                goto out;                                                                          \
            }                                                                                      \
            cur.n++;                                                                               \
            cell_open = 0;                                                                         \
            o = 0;                                                                                 \
        }                                                                                          \
    } while (0)
    int cell_open = 0;
    while (p < end) {
        if (*p == '<') {
            if (tag_is(p, end, "table")) {
                rc = tx_fail(TX_ERR_MALFORMED,
                             "line %u: a table inside a table: save the list's table alone",
                             line_at(c, p));
                goto out;
            }
            if (tag_is(p, end, "script") || tag_is(p, end, "style")) {
                p = skip_raw(p, end);
                continue;
            }
            if (tag_is(p, end, "td") || tag_is(p, end, "th") || tag_is(p, end, "/td") ||
                tag_is(p, end, "/th") || tag_is(p, end, "tr") || tag_is(p, end, "/tr") ||
                tag_is(p, end, "/table")) {
                END_CELL();
            }
            if (tag_is(p, end, "tr") || tag_is(p, end, "/tr") || tag_is(p, end, "/table")) {
                if (in_row && cur.n > 0 && (rc = push_row(t, &cur)) != TX_OK) {
                    goto out;
                }
                row_free(&cur);
                in_row = 0;
            }
            if (tag_is(p, end, "/table")) {
                c->p = skip_tag(p, end);
                goto out;
            }
            if (tag_is(p, end, "tr")) {
                in_row = 1;
                cur.line = line_at(c, p);
            } else if (tag_is(p, end, "td") || tag_is(p, end, "th")) {
                if (!in_row) {
                    in_row = 1;
                    cur.line = line_at(c, p);
                }
                cell_open = 1;
                o = 0;
            } else if (cell_open &&
                       (tag_is(p, end, "br") || tag_is(p, end, "p") || tag_is(p, end, "div"))) {
                cell[o++] = ' ';
            }
            p = skip_tag(p, end);
            if (o > TX_REGISTER_CELL_MAX) {
                goto toolong;
            }
            continue;
        }
        if (cell_open) {
            if (*p == '&') {
                p = entity(p, end, cell, &o);
            } else {
                cell[o++] = *p++;
            }
            if (o > TX_REGISTER_CELL_MAX) {
                goto toolong;
            }
        } else {
            p++;
        }
    }
    rc = tx_fail(TX_ERR_MALFORMED, "line %u: the table has no </table>: save the whole page",
                 line_at(c, end));
    goto out;
toolong:
    rc = tx_fail(TX_ERR_TOO_LARGE, "line %u: a cell is over %u bytes", line_at(c, p),
                 TX_REGISTER_CELL_MAX);
out:
#undef END_CELL
    row_free(&cur);
    free(cell);
    return rc;
}

static int col_of(const char *h);

/* Whether a table's first row looks like the header of the list. */
static int
header_like(const table *t, const char *list)
{
    int want = is_bodies(list) ? COL_BODY : COL_HOLDER;

    if (t->n == 0) {
        return 0;
    }
    for (size_t i = 0; i < t->v[0].n; i++) {
        if (col_of(t->v[0].cells[i]) == want) {
            return 1;
        }
    }
    return 0;
}

static int
read_html(const char *text, size_t len, const char *list, table *out)
{
    cursor c = {text, text + len, text};
    int tables = 0;

    while (c.p < c.end) {
        if (*c.p == '<' && (tag_is(c.p, c.end, "script") || tag_is(c.p, c.end, "style"))) {
            c.p = skip_raw(c.p, c.end);
        } else if (*c.p == '<' && tag_is(c.p, c.end, "table")) {
            table t = {0};
            int rc;
            if (++tables > 64) {
                break;
            }
            if ((rc = html_table(&c, &t)) != TX_OK) {
                table_free(&t);
                return rc;
            }
            if (header_like(&t, list)) {
                *out = t;
                return TX_OK;
            }
            table_free(&t);
        } else if (*c.p == '<') {
            c.p = skip_tag(c.p, c.end);
        } else {
            c.p++;
        }
    }
    return tx_fail(TX_ERR_MALFORMED,
                   "no table with a header row of the list's columns; expected "
                   "columns: %s",
                   is_bodies(list) ? EXPECT_BODIES : EXPECT_CERTIFIED);
}

static int
read_csv(const char *text, size_t len, table *out)
{
    tx_csv *csv = NULL;
    char **fields;
    size_t n;
    unsigned line = 0;
    int rc, from_us = 0;

    if ((rc = tx_csv_open(text, len, &csv)) != TX_OK) {
        return rc;
    }
    while ((rc = tx_csv_next(csv, &fields, &n, &line)) == TX_OK) {
        row r = {0};
        from_us = 1;
        if (n > MAX_COLS) {
            rc = tx_fail(TX_ERR_MALFORMED, "line %u: more than %u columns", line, MAX_COLS);
            break;
        }
        r.line = line;
        if ((r.cells = calloc(n + 1, sizeof *r.cells)) == NULL) {
            rc = TX_ERR_NOMEM;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            if (strlen(fields[i]) > TX_REGISTER_CELL_MAX) {
                rc = tx_fail(TX_ERR_TOO_LARGE, "line %u: column %zu is over %u bytes", line, i + 1,
                             TX_REGISTER_CELL_MAX);
                break;
            }
            if ((r.cells[i] = strdup(fields[i])) == NULL) {
                rc = TX_ERR_NOMEM;
                break;
            }
            r.n++;
            tidy(r.cells[i]);
        }
        if (rc == TX_OK) {
            rc = push_row(out, &r);
        }
        row_free(&r);
        if (rc != TX_OK) {
            break;
        }
        from_us = 0;
    }
    if (rc == TX_ERR_MALFORMED && !from_us) {
        rc = tx_fail(TX_ERR_MALFORMED,
                     "line %u: a quoted field is not closed, or text follows its closing quote",
                     line);
    } else if (rc == TX_ERR_BAD_UTF8) {
        rc = tx_fail(TX_ERR_BAD_UTF8, "line %u: a field holds a NUL byte", line);
    } else if (rc == TX_ERR_NOT_FOUND) {
        rc = TX_OK;
    }
    tx_csv_destroy(&csv);
    return rc;
}

/* ---- columns to entries ---- */

static int
col_of(const char *h)
{
    char buf[128];
    size_t o = 0;

    /* the header without spaces (either width) */
    for (size_t i = 0; h[i] != 0 && o + 1 < sizeof buf; i++) {
        if (h[i] == ' ') {
            continue;
        }
        if ((unsigned char)h[i] == 0xE3 && (unsigned char)h[i + 1] == 0x80 &&
            (unsigned char)h[i + 2] == 0x80) {
            i += 2;
            continue;
        }
        buf[o++] = h[i];
    }
    buf[o] = 0;
    for (size_t i = 0; i < sizeof col_names / sizeof col_names[0]; i++) {
        if (strcasecmp(buf, col_names[i].name) == 0) {
            return col_names[i].col;
        }
    }
    return -1;
}

int
tx_register_parse_date(const char *s, int64_t *out)
{
    char buf[64];
    int y, m, d, era = 0, eraoff = 0;
    size_t o = 0;
    char iso[16];

    /* width-fold digits, drop spaces */
    for (const unsigned char *p = (const unsigned char *)s; *p != 0 && o + 4 < sizeof buf; p++) {
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
            buf[o++] = (char)('0' + (p[2] - 0x90));
            p += 2;
        } else if (*p != ' ') {
            buf[o++] = (char)*p;
        }
    }
    buf[o] = 0;
    if (strncmp(buf, "令和", 6) == 0) {
        era = 1;
        eraoff = 2018;
    } else if (strncmp(buf, "平成", 6) == 0) {
        era = 1;
        eraoff = 1988;
    }
    if (era) {
        char *p = buf + 6;
        if (strncmp(p, "元", 3) == 0) {
            y = 1;
            p += 3;
        } else {
            char *e;
            long v = strtol(p, &e, 10);
            if (e == p || v < 1 || v > 99) {
                return -1;
            }
            y = (int)v;
            p = e;
        }
        if (sscanf(p, "年%d月%d日", &m, &d) != 2) {
            return -1;
        }
        y += eraoff;
    } else if (sscanf(buf, "%4d-%2d-%2d", &y, &m, &d) == 3 ||
               sscanf(buf, "%4d/%2d/%2d", &y, &m, &d) == 3 ||
               sscanf(buf, "%4d年%d月%d日", &y, &m, &d) == 3) {
        /* parsed */
    } else {
        return -1;
    }
    if (y < 1990 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31) {
        return -1;
    }
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
    return tx_parse_time(iso, out) == TX_OK ? 0 : -1;
}

static int
sector_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 63) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-')) {
            return 0;
        }
    }
    return 1;
}

static void
entry_free(tx_register_entry_pb *e)
{
    if (e == NULL) {
        return;
    }
    free(e->number);
    free(e->holder_name);
    free(e->corporate_number);
    free(e->body);
    free(e->scope);
    free(e->note);
    for (size_t i = 0; i < e->n_sectors; i++) {
        free(e->sectors[i]);
    }
    free(e->sectors);
    free(e);
}

void
tx_register_rows_free(tx_register_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        entry_free(rows->v[i]);
    }
    free(rows->v);
    memset(rows, 0, sizeof *rows);
}

static char *
dup_or_empty(const char *s)
{
    return strdup(s != NULL ? s : "");
}

/* The corporate number in digits only (full-width digits and hyphens allowed in the cell). */
static int
corp_digits(const char *s, char out[16])
{
    size_t o = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p != 0; p++) {
        if (*p >= '0' && *p <= '9') {
            if (o >= 13) {
                return -1;
            }
            out[o++] = (char)*p;
        } else if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
            if (o >= 13) {
                return -1;
            }
            out[o++] = (char)('0' + (p[2] - 0x90));
            p += 2;
        } else if (*p != '-' && *p != ' ') {
            return -1;
        }
    }
    out[o] = 0;
    return 0;
}

static int
to_entries(const table *t, const char *list, tx_register_rows *out)
{
    int map[MAX_COLS], have[COL_COUNT] = {0};
    const char *expect = is_bodies(list) ? EXPECT_BODIES : EXPECT_CERTIFIED;
    const row *h;
    int rc = TX_OK;

    if (t->n == 0) {
        return tx_fail(TX_ERR_MALFORMED, "line 1: the file is empty; expected columns: %s", expect);
    }
    h = &t->v[0];
    for (size_t i = 0; i < h->n && i < MAX_COLS; i++) {
        int c = col_of(h->cells[i]);
        if (c < 0) {
            return tx_fail(TX_ERR_MALFORMED,
                           "line %u: column %zu \"%s\" is not a column of the list; expected "
                           "columns: %s",
                           h->line, i + 1, h->cells[i], expect);
        }
        if (c != COL_IGNORE && have[c]) {
            return tx_fail(TX_ERR_MALFORMED,
                           "line %u: column \"%s\" appears twice; expected columns: %s", h->line,
                           h->cells[i], expect);
        }
        if (is_bodies(list) ? c == COL_HOLDER || c == COL_NUMBER : c == COL_SECTORS) {
            return tx_fail(TX_ERR_MALFORMED,
                           "line %u: column \"%s\" does not belong in a %s list; expected "
                           "columns: %s",
                           h->line, h->cells[i], list, expect);
        }
        have[c] = 1;
        map[i] = c;
    }
    if (is_bodies(list) ? !have[COL_BODY] || !have[COL_SCOPE]
                        : !have[COL_HOLDER] || !have[COL_NUMBER] || !have[COL_BODY]) {
        return tx_fail(TX_ERR_MALFORMED,
                       "line %u: the header row lacks a required column; expected columns: %s",
                       h->line, expect);
    }
    if ((out->v = calloc(t->n, sizeof *out->v)) == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t r = 1; r < t->n && rc == TX_OK; r++) {
        const row *w = &t->v[r];
        const char *cell[COL_COUNT] = {0};
        tx_register_entry_pb init = TICSX__V1__REGISTER_ENTRY__INIT, *e;
        char corp[16] = "";
        int empty = 1;

        for (size_t i = 0; i < w->n; i++) {
            if (w->cells[i][0] != 0) {
                empty = 0;
            }
        }
        if (empty) {
            continue;
        }
        if (w->n > h->n) {
            return tx_fail(TX_ERR_MALFORMED,
                           "line %u: %zu cells, the header has %zu; expected columns: %s", w->line,
                           w->n, h->n, expect);
        }
        for (size_t i = 0; i < w->n; i++) {
            if (map[i] != COL_IGNORE) {
                cell[map[i]] = w->cells[i];
            }
            if (!tx_utf8_valid(w->cells[i], strlen(w->cells[i]))) {
                return tx_fail(TX_ERR_BAD_UTF8, "line %u: column %zu is not valid text", w->line,
                               i + 1);
            }
        }
#define EMPTY(c) (cell[c] == NULL || cell[c][0] == 0)
        if (is_bodies(list) ? EMPTY(COL_BODY) || EMPTY(COL_SCOPE)
                            : EMPTY(COL_HOLDER) || EMPTY(COL_NUMBER) || EMPTY(COL_BODY)) {
            return tx_fail(TX_ERR_MALFORMED,
                           "line %u: a required column is empty; expected columns: %s", w->line,
                           expect);
        }
        if (!EMPTY(COL_CORP) &&
            (corp_digits(cell[COL_CORP], corp) != 0 || !tx_corporate_number_valid(corp))) {
            return tx_fail(TX_ERR_MALFORMED,
                           "line %u: 法人番号 \"%s\" is not a corporate number (13 digits with "
                           "its check digit)",
                           w->line, cell[COL_CORP]);
        }
        if ((e = malloc(sizeof *e)) == NULL) {
            return TX_ERR_NOMEM;
        }
        *e = init;
        out->v[out->n++] = e;
        e->holder_name = dup_or_empty(is_bodies(list) ? cell[COL_BODY] : cell[COL_HOLDER]);
        e->number = dup_or_empty(is_bodies(list) ? "" : cell[COL_NUMBER]);
        e->body = dup_or_empty(is_bodies(list) ? "" : cell[COL_BODY]);
        e->corporate_number = dup_or_empty(corp);
        e->scope = dup_or_empty(cell[COL_SCOPE]);
        e->note = dup_or_empty(cell[COL_NOTE]);
        if (e->holder_name == NULL || e->number == NULL || e->body == NULL ||
            e->corporate_number == NULL || e->scope == NULL || e->note == NULL) {
            return TX_ERR_NOMEM;
        }
        if (!EMPTY(COL_FROM) && tx_register_parse_date(cell[COL_FROM], &e->valid_from) != 0) {
            return tx_fail(TX_ERR_MALFORMED,
                           "line %u: date \"%s\" is not a date (YYYY-MM-DD, YYYY/M/D, YYYY年M月D日 "
                           "or 令和N年M月D日)",
                           w->line, cell[COL_FROM]);
        }
        if (!EMPTY(COL_UNTIL)) {
            if (tx_register_parse_date(cell[COL_UNTIL], &e->valid_until) != 0) {
                return tx_fail(TX_ERR_MALFORMED,
                               "line %u: date \"%s\" is not a date (YYYY-MM-DD, YYYY/M/D, "
                               "YYYY年M月D日 or 令和N年M月D日)",
                               w->line, cell[COL_UNTIL]);
            }
            e->valid_until += 86400; /* 有効期限 is the last valid day; valid_until excludes */
            if (e->valid_from != 0 && e->valid_until <= e->valid_from) {
                return tx_fail(TX_ERR_MALFORMED, "line %u: 有効期限 is before 認証日", w->line);
            }
        }
        if (!EMPTY(COL_SECTORS)) {
            char buf[TX_REGISTER_CELL_MAX + 1], *save = NULL;
            snprintf(buf, sizeof buf, "%s", cell[COL_SECTORS]);
            if ((e->sectors = calloc(16, sizeof *e->sectors)) == NULL) {
                return TX_ERR_NOMEM;
            }
            for (char *s = strtok_r(buf, ", ;", &save); s != NULL;
                 s = strtok_r(NULL, ", ;", &save)) {
                if (!sector_ok(s) || e->n_sectors >= 16) {
                    return tx_fail(TX_ERR_MALFORMED,
                                   "line %u: 分野 \"%s\" is not a list of up to 16 sector names "
                                   "(a-z, 0-9 and -, e.g. all, manufacturing, sme)",
                                   w->line, cell[COL_SECTORS]);
                }
                if ((e->sectors[e->n_sectors] = strdup(s)) == NULL) {
                    return TX_ERR_NOMEM;
                }
                e->n_sectors++;
            }
        }
#undef EMPTY
        for (size_t k = 0; k + 1 < out->n; k++) {
            const tx_register_entry_pb *o = out->v[k];
            if (strcmp(o->number, e->number) == 0 && strcmp(o->body, e->body) == 0 &&
                (e->number[0] != 0 || strcmp(o->holder_name, e->holder_name) == 0)) {
                return tx_fail(TX_ERR_MALFORMED, "line %u: %s is listed twice", w->line,
                               e->number[0] != 0 ? e->number : e->holder_name);
            }
        }
    }
    if (out->n == 0) {
        return tx_fail(TX_ERR_MALFORMED, "line %u: the list has no rows below its header", h->line);
    }
    return TX_OK;
}

/* ---- bytes to text ---- */

static int
to_utf8(const uint8_t *data, size_t len, char **out, size_t *out_len, int *sjis)
{
    iconv_t cd;
    char *in, *o, *buf;
    size_t il, ol;

    *sjis = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    if (memchr(data, 0, len) != NULL) {
        return tx_fail(TX_ERR_BAD_UTF8, "the file holds NUL bytes: it is not a CSV or HTML text "
                                        "file (UTF-8 or Shift_JIS)");
    }
    if (tx_utf8_valid((const char *)data, len)) {
        if ((*out = malloc(len + 1)) == NULL) {
            return TX_ERR_NOMEM;
        }
        memcpy(*out, data, len);
        (*out)[len] = 0;
        *out_len = len;
        return TX_OK;
    }
    il = len;
    ol = 3 * len + 8; /* a CP932 byte or pair is at most 3 UTF-8 bytes */
    if ((cd = iconv_open("UTF-8", "CP932")) == (iconv_t)-1) {
        return tx_fail(TX_ERR_BAD_UTF8, "the file is not UTF-8, and this system cannot read "
                                        "Shift_JIS: save it as UTF-8");
    }
    if ((buf = malloc(ol + 1)) == NULL) {
        iconv_close(cd);
        return TX_ERR_NOMEM;
    }
    in = (char *)data;
    o = buf;
    if (iconv(cd, &in, &il, &o, &ol) == (size_t)-1) {
        size_t at = (size_t)(in - (const char *)data);
        unsigned line = 1;
        for (size_t i = 0; i < at; i++) {
            line += data[i] == '\n';
        }
        iconv_close(cd);
        free(buf);
        return tx_fail(TX_ERR_BAD_UTF8,
                       "line %u: the file is neither UTF-8 nor Shift_JIS (CP932): save it as "
                       "CSV UTF-8 or CSV from Excel",
                       line);
    }
    iconv_close(cd);
    *o = 0;
    *out = buf;
    *out_len = (size_t)(o - buf);
    *sjis = 1;
    return TX_OK;
}

static int
looks_html(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len && isspace((unsigned char)s[i])) {
        i++;
    }
    if (i < len && s[i] == '<') {
        return 1;
    }
    for (size_t k = 0; k + 6 <= len && k < 4096; k++) {
        if (strncasecmp(s + k, "<table", 6) == 0) {
            return 1;
        }
    }
    return 0;
}

int
tx_register_parse(const uint8_t *data, size_t len, const char *source, const char *list,
                  tx_register_rows *out)
{
    table t = {0};
    char *text = NULL;
    size_t tlen = 0;
    int rc, sjis = 0;

    memset(out, 0, sizeof *out);
    tx_fail_clear();
    if (len > TX_REGISTER_FILE_MAX) {
        return tx_fail(TX_ERR_TOO_LARGE, "%s is %zu bytes, at most %u: save only the list", source,
                       len, TX_REGISTER_FILE_MAX);
    }
    if ((rc = to_utf8(data, len, &text, &tlen, &sjis)) != TX_OK) {
        goto out;
    }
    out->sjis = sjis;
    out->html = looks_html(text, tlen);
    rc = out->html ? read_html(text, tlen, list, &t) : read_csv(text, tlen, &t);
    if (rc == TX_OK) {
        rc = to_entries(&t, list, out);
    }
out:
    if (rc != TX_OK) {
        if (tx_fail_msg()[0] != 0) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", tx_fail_msg());
            rc = tx_fail(rc, "%s: %s", source, msg);
        }
        tx_register_rows_free(out);
    }
    table_free(&t);
    free(text);
    return rc;
}

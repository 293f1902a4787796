/* XLSX answer sheets: the capped reader. */
#include "tx_xlsx_read.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define REL_NS "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define MAX_ROW_NUMBER 1048576u /* Excel's last row */

int
tx_xlsx_is_zip(const uint8_t *buf, size_t len)
{
    return len >= 4 && memcmp(buf, "PK\x03\x04", 4) == 0;
}

typedef struct {
    const char *source;
    zip_t *zip;
    size_t total; /* uncompressed bytes read so far */
    size_t rows;  /* rows holding cells read so far, all sheets */
} book;

static int
not_workbook(const book *b, const char *why)
{
    return tx_fail(TX_ERR_MALFORMED, "%s: not a readable XLSX workbook: %s", b->source, why);
}

static int
too_big(const book *b, const char *entry, size_t limit)
{
    return tx_fail(TX_ERR_TOO_LARGE,
                   "%s: %s expands to more than %zu MiB: refusing it (a zip bomb, or not an "
                   "answer sheet)",
                   b->source, entry, limit >> 20);
}

/* Reads one entry, refusing more than TX_XLSX_MAX_ENTRY bytes of it whatever its header says.
 * TX_ERR_NOT_FOUND (no message) when absent. Caller owns *out (free). */
static int
read_entry(book *b, const char *name, char **out, size_t *len)
{
    zip_stat_t st;
    zip_file_t *zf;
    zip_int64_t idx = zip_name_locate(b->zip, name, 0), got;
    size_t cap = TX_XLSX_MAX_ENTRY, used = 0;
    char *buf;

    *out = NULL;
    *len = 0;
    if (idx < 0) {
        return TX_ERR_NOT_FOUND;
    }
    zip_stat_init(&st);
    if (zip_stat_index(b->zip, (zip_uint64_t)idx, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) &&
        st.size > cap) {
        return too_big(b, name, cap);
    }
    if (b->total >= TX_XLSX_MAX_TOTAL) {
        return too_big(b, _("the workbook"), TX_XLSX_MAX_TOTAL);
    }
    if (cap > TX_XLSX_MAX_TOTAL - b->total) {
        cap = TX_XLSX_MAX_TOTAL - b->total;
    }
    buf = malloc(cap + 1);
    if (buf == NULL) {
        return TX_ERR_NOMEM;
    }
    zf = zip_fopen_index(b->zip, (zip_uint64_t)idx, 0);
    if (zf == NULL) {
        free(buf);
        return not_workbook(b, zip_error_strerror(zip_get_error(b->zip)));
    }
    /* Read one byte past the cap: getting it means the entry is too large. */
    while ((got = zip_fread(zf, buf + used, cap + 1 - used)) > 0) {
        used += (size_t)got;
        if (used > cap) {
            break;
        }
    }
    if (got < 0) {
        char why[160];
        snprintf(why, sizeof why, "%s: %s", name, zip_error_strerror(zip_file_get_error(zf)));
        zip_fclose(zf);
        free(buf);
        return not_workbook(b, why);
    }
    zip_fclose(zf);
    if (used > cap) {
        free(buf);
        return cap == TX_XLSX_MAX_ENTRY ? too_big(b, name, cap)
                                        : too_big(b, _("the workbook"), TX_XLSX_MAX_TOTAL);
    }
    buf[used] = 0;
    b->total += used;
    *out = buf;
    *len = used;
    return TX_OK;
}

/* Parses XML without network access or a DTD (so no entity can be expanded). */
static int
parse_xml(const book *b, const char *name, const char *text, size_t len, xmlDoc **out)
{
    char why[200];
    xmlDoc *doc;

    *out = NULL;
    if (len > INT32_MAX) {
        return too_big(b, name, TX_XLSX_MAX_ENTRY);
    }
    if (memmem(text, len, "<!DOCTYPE", 9) != NULL) {
        snprintf(why, sizeof why, "%s carries a DTD", name);
        return not_workbook(b, why);
    }
    doc = xmlReadMemory(text, (int)len, name, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL || doc->intSubset != NULL || xmlDocGetRootElement(doc) == NULL) {
        const xmlError *e = xmlGetLastError();
        char at[48] = "";
        if (e != NULL && e->line > 0) { /* where, e.g. a character XML cannot carry (a NUL) */
            snprintf(at, sizeof at, " at line %d, column %d", e->line, e->int2);
        }
        snprintf(why, sizeof why, "%s is not well-formed XML%s%s%.120s", name, at,
                 e != NULL && e->message != NULL ? ": " : "",
                 e != NULL && e->message != NULL ? e->message : "");
        why[strcspn(why, "\n")] = 0;
        xmlFreeDoc(doc);
        return not_workbook(b, why);
    }
    *out = doc;
    return TX_OK;
}

static int
named(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *
child(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n != NULL ? n->children : NULL; c != NULL; c = c->next) {
        if (named(c, name)) {
            return c;
        }
    }
    return NULL;
}

typedef struct {
    char *s;
    size_t len, cap;
} strbuf;

static int
text_add(strbuf *t, const char *s)
{
    size_t n = strlen(s);

    if (t->len + n > TX_XLSX_MAX_CELL) {
        return TX_ERR_TOO_LARGE;
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *p = realloc(t->s, cap);
        if (p == NULL) {
            return TX_ERR_NOMEM;
        }
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n + 1);
    t->len += n;
    return TX_OK;
}

/* The text of a string item (<si> or <is>): its <t> elements, rich-text runs included, the
 * phonetic guides Japanese Excel adds (<rPh>) left out. */
static int
collect_text(const xmlNode *n, strbuf *t)
{
    int rc = TX_OK;

    for (const xmlNode *c = n->children; c != NULL && rc == TX_OK; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || named(c, "rPh") || named(c, "phoneticPr")) {
            continue;
        }
        if (named(c, "t")) {
            xmlChar *content = xmlNodeGetContent(c);
            rc = text_add(t, content != NULL ? (const char *)content : "");
            xmlFree(content);
        } else {
            rc = collect_text(c, t);
        }
    }
    return rc;
}

static char *
string_item(const xmlNode *n, int *rc)
{
    strbuf t = {0};

    *rc = text_add(&t, "");
    if (*rc == TX_OK) {
        *rc = collect_text(n, &t);
    }
    if (*rc != TX_OK) {
        free(t.s);
        return NULL;
    }
    return t.s;
}

typedef struct {
    char **v;
    size_t n;
} strings;

static void
strings_free(strings *ss)
{
    for (size_t i = 0; i < ss->n; i++) {
        free(ss->v[i]);
    }
    free(ss->v);
}

static int
read_shared_strings(book *b, strings *ss)
{
    const char *name = "xl/sharedStrings.xml";
    char *buf;
    size_t len, cap = 0;
    xmlDoc *doc = NULL;
    int rc = read_entry(b, name, &buf, &len);

    if (rc == TX_ERR_NOT_FOUND) {
        return TX_OK; /* a workbook of numbers and inline strings has none */
    }
    if (rc != TX_OK || (rc = parse_xml(b, name, buf, len, &doc)) != TX_OK) {
        goto out;
    }
    for (xmlNode *si = xmlDocGetRootElement(doc)->children; si != NULL; si = si->next) {
        if (!named(si, "si")) {
            continue;
        }
        if (ss->n >= TX_XLSX_MAX_STRINGS) {
            rc = tx_fail(TX_ERR_TOO_LARGE, "%s: more than %u shared strings", b->source,
                         TX_XLSX_MAX_STRINGS);
            goto out;
        }
        if (ss->n == cap) {
            cap = cap ? cap * 2 : 256;
            char **v = realloc(ss->v, cap * sizeof *v);
            if (v == NULL) {
                rc = TX_ERR_NOMEM;
                goto out;
            }
            ss->v = v;
        }
        if ((ss->v[ss->n] = string_item(si, &rc)) == NULL) {
            if (rc == TX_ERR_TOO_LARGE) {
                rc = tx_fail(rc, "%s: shared string %zu is longer than %u KiB", b->source, ss->n,
                             TX_XLSX_MAX_CELL >> 10);
            }
            goto out;
        }
        ss->n++;
    }
out:
    xmlFreeDoc(doc);
    free(buf);
    return rc;
}

/* A worksheet the workbook lists: its name and the zip entry holding it. */
typedef struct {
    char name[96];
    char path[256];
} sheet_ref;

/* The target of relationship `rid` in rels, as a zip entry path, into out; 0 when absent. */
static int
rel_target(xmlDoc *rels, const xmlChar *rid, char *out, size_t n)
{
    int found = 0;

    for (xmlNode *r = xmlDocGetRootElement(rels)->children; r != NULL && !found; r = r->next) {
        xmlChar *id, *target;
        if (!named(r, "Relationship")) {
            continue;
        }
        id = xmlGetProp(r, (const xmlChar *)"Id");
        target = xmlGetProp(r, (const xmlChar *)"Target");
        if (id != NULL && target != NULL && xmlStrcmp(id, rid) == 0) {
            const char *t = (const char *)target;
            snprintf(out, n, t[0] == '/' ? "%s" : "xl/%s", t[0] == '/' ? t + 1 : t);
            found = 1;
        }
        xmlFree(id);
        xmlFree(target);
    }
    return found;
}

/* The worksheets in workbook order, at most `max`: workbook.xml names them, its relationships
 * locate them. Without a readable workbook.xml, sheet1.xml alone (named ""). */
static size_t
list_sheets(book *b, sheet_ref *out, size_t max)
{
    char *wb = NULL, *rels = NULL;
    size_t wl, rl, n = 0;
    xmlDoc *wdoc = NULL, *rdoc = NULL;

    if (read_entry(b, "xl/workbook.xml", &wb, &wl) != TX_OK ||
        read_entry(b, "xl/_rels/workbook.xml.rels", &rels, &rl) != TX_OK ||
        parse_xml(b, "xl/workbook.xml", wb, wl, &wdoc) != TX_OK ||
        parse_xml(b, "xl/_rels/workbook.xml.rels", rels, rl, &rdoc) != TX_OK) {
        goto out;
    }
    for (xmlNode *sheet = child(child(xmlDocGetRootElement(wdoc), "sheets"), "sheet");
         sheet != NULL && n < max; sheet = sheet->next) {
        xmlChar *rid, *name;
        if (!named(sheet, "sheet")) {
            continue;
        }
        rid = xmlGetNsProp(sheet, (const xmlChar *)"id", (const xmlChar *)REL_NS);
        name = xmlGetProp(sheet, (const xmlChar *)"name");
        if (rid != NULL && rel_target(rdoc, rid, out[n].path, sizeof out[n].path)) {
            snprintf(out[n].name, sizeof out[n].name, "%s", name != NULL ? (char *)name : "");
            n++;
        }
        xmlFree(rid);
        xmlFree(name);
    }
out:
    if (n == 0) {
        snprintf(out[0].name, sizeof out[0].name, "%s", "");
        snprintf(out[0].path, sizeof out[0].path, "%s", "xl/worksheets/sheet1.xml");
        n = 1;
    }
    xmlFreeDoc(wdoc);
    xmlFreeDoc(rdoc);
    free(wb);
    free(rels);
    tx_fail_clear();
    return n;
}

/* "BC12" -> column 55, row 12 (both from 1); 0 when absent or malformed. */
static void
cell_ref(const char *r, unsigned *col, unsigned *row)
{
    unsigned c = 0, w = 0;
    const char *p = r;

    while (*p >= 'A' && *p <= 'Z' && c < 100000u) {
        c = c * 26 + (unsigned)(*p++ - 'A' + 1);
    }
    while (*p >= '0' && *p <= '9' && w < 10000000u) {
        w = w * 10 + (unsigned)(*p++ - '0');
    }
    *col = *p == 0 ? c : 0;
    *row = *p == 0 ? w : 0;
}

typedef struct {
    char **cells; /* TX_XLSX_MAX_COLS per row */
    unsigned *numbers;
    size_t n, cap, width;
} grid;

static int
grid_row(grid *g, unsigned number)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        char **c = realloc(g->cells, cap * TX_XLSX_MAX_COLS * sizeof *c);
        if (c == NULL) {
            return TX_ERR_NOMEM;
        }
        g->cells = c;
        unsigned *nb = realloc(g->numbers, cap * sizeof *nb);
        if (nb == NULL) {
            return TX_ERR_NOMEM;
        }
        g->numbers = nb;
        g->cap = cap;
    }
    memset(&g->cells[g->n * TX_XLSX_MAX_COLS], 0, TX_XLSX_MAX_COLS * sizeof *g->cells);
    g->numbers[g->n++] = number;
    return TX_OK;
}

static void
grid_free(grid *g)
{
    for (size_t i = 0; i < g->n * TX_XLSX_MAX_COLS; i++) {
        free(g->cells[i]);
    }
    free(g->cells);
    free(g->numbers);
}

/* The text of cell c, or NULL (rc TX_OK) when it holds nothing. */
static char *
cell_text(const book *b, const xmlNode *c, const strings *ss, unsigned row, int *rc)
{
    xmlChar *type = xmlGetProp(c, (const xmlChar *)"t");
    const xmlNode *v = child(c, "v"), *is = child(c, "is");
    char *out = NULL;

    *rc = TX_OK;
    if (type != NULL && xmlStrcmp(type, (const xmlChar *)"inlineStr") == 0) {
        out = is != NULL ? string_item(is, rc) : NULL;
    } else if (v != NULL) {
        xmlChar *content = xmlNodeGetContent(v);
        const char *s = content != NULL ? (const char *)content : "";
        if (type != NULL && xmlStrcmp(type, (const xmlChar *)"s") == 0) {
            char *end;
            unsigned long i = strtoul(s, &end, 10);
            if (*s == 0 || *end != 0 || i >= ss->n) {
                *rc = tx_fail(TX_ERR_MALFORMED, "%s row %u: shared string \"%.20s\" does not exist",
                              b->source, row, s);
            } else {
                out = strdup(ss->v[i]);
            }
        } else if (strlen(s) > TX_XLSX_MAX_CELL) {
            *rc = TX_ERR_TOO_LARGE;
        } else {
            out = strdup(s);
        }
        if (*rc == TX_OK && out == NULL) {
            *rc = TX_ERR_NOMEM;
        }
        xmlFree(content);
    }
    if (*rc == TX_ERR_TOO_LARGE) {
        *rc = tx_fail(*rc, "%s row %u: a cell is longer than %u KiB", b->source, row,
                      TX_XLSX_MAX_CELL >> 10);
    }
    xmlFree(type);
    return out;
}

static int
read_rows(book *b, const xmlNode *data, const strings *ss, grid *g)
{
    unsigned last_row = 0;
    int rc;

    for (const xmlNode *row = data->children; row != NULL; row = row->next) {
        xmlChar *r;
        unsigned number = last_row + 1, col = 0, ignore;

        if (!named(row, "row")) {
            continue;
        }
        if ((r = xmlGetProp(row, (const xmlChar *)"r")) != NULL) {
            number = (unsigned)strtoul((const char *)r, NULL, 10);
            xmlFree(r);
        }
        if (number == 0 || number > MAX_ROW_NUMBER) {
            return tx_fail(TX_ERR_MALFORMED, "%s: a row is numbered outside 1..%u", b->source,
                           MAX_ROW_NUMBER);
        }
        last_row = number;
        if (b->rows++ >= TX_XLSX_MAX_ROWS) {
            return tx_fail(TX_ERR_TOO_LARGE, "%s: more than %u rows", b->source, TX_XLSX_MAX_ROWS);
        }
        if ((rc = grid_row(g, number)) != TX_OK) {
            return rc;
        }
        for (const xmlNode *c = row->children; c != NULL; c = c->next) {
            char *value;
            if (!named(c, "c")) {
                continue;
            }
            col++;
            if ((r = xmlGetProp(c, (const xmlChar *)"r")) != NULL) {
                cell_ref((const char *)r, &col, &ignore);
                xmlFree(r);
            }
            if (col == 0) {
                return tx_fail(TX_ERR_MALFORMED, "%s row %u: a cell has a malformed reference",
                               b->source, number);
            }
            if (col > TX_XLSX_MAX_COLS) {
                continue;
            }
            value = cell_text(b, c, ss, number, &rc);
            if (rc != TX_OK) {
                return rc;
            }
            char **slot = &g->cells[(g->n - 1) * TX_XLSX_MAX_COLS + (col - 1)];
            free(*slot);
            *slot = value;
            if (value != NULL && col > g->width) {
                g->width = col;
            }
        }
    }
    return TX_OK;
}

/* Keeps the rows that hold a value, g->width columns wide. */
static int
to_sheet(grid *g, tx_xlsx_sheet *out)
{
    size_t rows = 0;

    out->n_cols = g->width;
    out->cells = calloc(g->n * g->width + 1, sizeof *out->cells);
    out->row_numbers = calloc(g->n + 1, sizeof *out->row_numbers);
    if (out->cells == NULL || out->row_numbers == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < g->n; i++) {
        char **src = &g->cells[i * TX_XLSX_MAX_COLS];
        int any = 0;
        for (size_t c = 0; c < g->width; c++) {
            any |= src[c] != NULL;
        }
        if (!any) {
            continue;
        }
        for (size_t c = 0; c < g->width; c++) {
            out->cells[rows * g->width + c] = src[c];
            src[c] = NULL;
        }
        out->row_numbers[rows++] = g->numbers[i];
    }
    out->n_rows = rows;
    return TX_OK;
}

/* Reads worksheet `ref` into out; `first` says it is the one that must hold cells. Messages
 * name a later sheet by its name. */
static int
read_sheet(book *b, const sheet_ref *ref, int first, const strings *ss, tx_xlsx_sheet *out)
{
    const char *source = b->source;
    char label[384], *xml = NULL;
    size_t xml_len;
    xmlDoc *doc = NULL;
    xmlNode *data;
    grid g = {0};
    int rc = read_entry(b, ref->path, &xml, &xml_len);

    if (!first) {
        /* TRANSLATORS: how a worksheet other than the first is named in messages: the file,
         * then the sheet's name. */
        snprintf(label, sizeof label, _("%s, sheet %s,"), source, ref->name);
        b->source = label;
    }
    if (rc == TX_ERR_NOT_FOUND) {
        rc = not_workbook(b, _("it has no worksheet"));
    }
    if (rc != TX_OK || (rc = parse_xml(b, ref->path, xml, xml_len, &doc)) != TX_OK) {
        goto out;
    }
    if ((data = child(xmlDocGetRootElement(doc), "sheetData")) == NULL) {
        rc = first ? not_workbook(b, _("the first worksheet has no cells")) : TX_OK;
    } else {
        rc = read_rows(b, data, ss, &g);
    }
    if (rc == TX_OK) {
        rc = to_sheet(&g, out);
    }
    if (rc == TX_OK) {
        out->name = strdup(ref->name);
        rc = out->name != NULL ? TX_OK : TX_ERR_NOMEM;
    }
out:
    b->source = source;
    xmlFreeDoc(doc);
    free(xml);
    grid_free(&g);
    return rc;
}

/* Reads the first `max` worksheets of the workbook in buf into out[0..*n). */
static int
read_book(const uint8_t *buf, size_t len, const char *source, size_t max, tx_xlsx_sheet *out,
          size_t *n)
{
    book b = {.source = source};
    zip_error_t zerr;
    zip_source_t *src;
    strings ss = {0};
    sheet_ref refs[TX_XLSX_MAX_SHEETS];
    size_t n_refs;
    zip_int64_t entries;
    int rc;

    *n = 0;
    xmlInitParser();
    if (len > TX_XLSX_MAX_FILE) {
        return tx_fail(TX_ERR_TOO_LARGE, "%s is larger than %u MiB", source,
                       TX_XLSX_MAX_FILE >> 20);
    }
    zip_error_init(&zerr);
    src = zip_source_buffer_create(buf, len, 0, &zerr);
    if (src == NULL || (b.zip = zip_open_from_source(src, ZIP_RDONLY, &zerr)) == NULL) {
        rc = not_workbook(&b, zip_error_strerror(&zerr));
        zip_source_free(src);
        zip_error_fini(&zerr);
        return rc;
    }
    zip_error_fini(&zerr);
    entries = zip_get_num_entries(b.zip, 0);
    if (entries < 0 || (zip_uint64_t)entries > TX_XLSX_MAX_ENTRIES) {
        rc = tx_fail(TX_ERR_TOO_LARGE, "%s holds %lld entries: refusing more than %u", source,
                     (long long)entries, TX_XLSX_MAX_ENTRIES);
        goto out;
    }
    n_refs = list_sheets(&b, refs, max < TX_XLSX_MAX_SHEETS ? max : TX_XLSX_MAX_SHEETS);
    if ((rc = read_shared_strings(&b, &ss)) != TX_OK) {
        goto out;
    }
    for (size_t i = 0; i < n_refs && rc == TX_OK; i++) {
        memset(&out[i], 0, sizeof out[i]);
        rc = read_sheet(&b, &refs[i], i == 0, &ss, &out[i]);
        *n = i + 1;
    }
out:
    strings_free(&ss);
    zip_discard(b.zip);
    if (rc != TX_OK) {
        tx_xlsx_sheets_free(out, *n);
        *n = 0;
    }
    return rc;
}

int
tx_xlsx_read(const uint8_t *buf, size_t len, const char *source, tx_xlsx_sheet *out)
{
    size_t n;

    memset(out, 0, sizeof *out);
    return read_book(buf, len, source, 1, out, &n);
}

int
tx_xlsx_read_all(const uint8_t *buf, size_t len, const char *source, tx_xlsx_sheet **out, size_t *n)
{
    int rc;

    *n = 0;
    if ((*out = calloc(TX_XLSX_MAX_SHEETS, sizeof **out)) == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((rc = read_book(buf, len, source, TX_XLSX_MAX_SHEETS, *out, n)) != TX_OK) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

void
tx_xlsx_sheets_free(tx_xlsx_sheet *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++) {
        tx_xlsx_sheet_free(&v[i]);
    }
}

void
tx_xlsx_sheet_free(tx_xlsx_sheet *s)
{
    for (size_t i = 0; s->cells != NULL && i < s->n_rows * s->n_cols; i++) {
        free(s->cells[i]);
    }
    free(s->cells);
    free(s->row_numbers);
    free(s->name);
    memset(s, 0, sizeof *s);
}

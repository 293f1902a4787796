/* The report as an XLSX workbook (libxlsxwriter): per questionnaire reported, a sheet of
 * suppliers, a heat map of area scores with a native radar chart of them on a chartsheet of its
 * own, the supply tree one node a row, its roll-ups by tier, certificates, credentials,
 * evidence files and every answer. Each table has an autofilter and a frozen header row and
 * prints landscape, one page wide, its header row repeated on every page. Text is written as
 * strings, never as formulas. This file: the workbook, sheet names and print setup; the
 * sheets are in tx_render_xlsx_sheets.c and tx_render_xlsx_tree.c. */
#include "tx_render_xlsx.h"
#include "tx_render_doc.h"
#include "tx_render_formats.h"

#include "tx_error.h"
#include "tx_msg.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Excel's limit on a sheet name, in UTF-16 units. */
#define SHEET_NAME_MAX 31
/* Paper: A4 (libxlsxwriter's paper index 9). */
#define PAPER_A4 9

const char *
tx_xlsx_word(const tx_xlsx_book *b, const char *const key_label[2])
{
    return b->ja ? tx_render_tr(key_label[1], 1) : key_label[0];
}

/* Cuts s after `max` UTF-16 units (a character beyond the BMP takes two), on a character
 * boundary. */
static void
cut_units(char *s, size_t max)
{
    size_t units = 0;

    for (char *p = s; *p;) {
        size_t w = (unsigned char)*p >= 0xF0 ? 2 : 1;
        if (units + w > max) {
            *p = 0;
            return;
        }
        units += w;
        for (p++; ((unsigned char)*p & 0xC0) == 0x80; p++) {
        }
    }
}

static int
name_taken(const json_t *used, const char *name)
{
    for (size_t i = 0; i < json_array_size(used); i++) {
        if (strcasecmp(json_string_value(json_array_get(used, i)), name) == 0) {
            return 1;
        }
    }
    return 0;
}

void
tx_xlsx_sheet_name(tx_xlsx_book *b, const char *const key_label[2], char *out)
{
    char full[256], suffix[16] = "";
    size_t len;

    snprintf(full, sizeof full, "%s%s%s", tx_xlsx_word(b, key_label), b->qid ? " " : "",
             b->qid ? b->qid : "");
    tx_render_utf8_fix(full);
    for (char *p = full; *p; p++) {
        if (strchr("[]:*?/\\", *p) != NULL || (unsigned char)*p < 0x20) {
            *p = '_';
        }
    }
    for (int k = 2;; k++) {
        len = strnlen(full, LXW_MAX_SHEETNAME_LENGTH - 1);
        memcpy(out, full, len);
        out[len] = 0;
        cut_units(out, SHEET_NAME_MAX - strlen(suffix));
        len = strlen(out);
        if (len > 0 && out[len - 1] == '\'') {
            out[len - 1] = '_';
        }
        if (out[0] == '\'') {
            out[0] = '_';
        }
        strcat(out, suffix);
        if (!name_taken(b->used, out)) {
            break;
        }
        snprintf(suffix, sizeof suffix, "~%d", k);
    }
    json_array_append_new(b->used, json_string(out));
}

/* "&L<title>&R<sheet name>": the header of every printed page ("&" doubled in the title). */
static void
page_header(const tx_xlsx_book *b, char *out, size_t n)
{
    size_t used = 0;

    tx_render_append(out, n, &used, "&L");
    for (const char *p = b->title; *p && used + 8 < n; p++) {
        tx_render_append(out, n, &used, "%s%c", *p == '&' ? "&" : "", *p);
    }
    tx_render_utf8_fix(out);
    used = strlen(out);
    tx_render_append(out, n, &used, "&R&A");
}

lxw_worksheet *
tx_xlsx_add_sheet(tx_xlsx_book *b, const char *const key_label[2], char *name)
{
    char mine[LXW_MAX_SHEETNAME_LENGTH], head[LXW_HEADER_FOOTER_MAX];
    lxw_worksheet *ws;

    if (name == NULL) {
        name = mine;
    }
    tx_xlsx_sheet_name(b, key_label, name);
    if ((ws = workbook_add_worksheet(b->wb, name)) == NULL) {
        return NULL;
    }
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, PAPER_A4);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, 0, 0);
    page_header(b, head, sizeof head);
    worksheet_set_header(ws, head);
    worksheet_set_footer(ws, "&C&P / &N");
    return ws;
}

void
tx_xlsx_add_chartsheet(tx_xlsx_book *b, const char *const key_label[2], lxw_chart *chart)
{
    char name[LXW_MAX_SHEETNAME_LENGTH], head[LXW_HEADER_FOOTER_MAX];
    lxw_chartsheet *cs;

    tx_xlsx_sheet_name(b, key_label, name);
    if ((cs = workbook_add_chartsheet(b->wb, name)) == NULL) {
        return;
    }
    chartsheet_set_landscape(cs);
    chartsheet_set_paper(cs, PAPER_A4);
    page_header(b, head, sizeof head);
    chartsheet_set_header(cs, head);
    chartsheet_set_chart(cs, chart);
}

void
tx_xlsx_header(lxw_worksheet *ws, const tx_xlsx_book *b, const char *const (*cols)[2],
               const double *widths, size_t n)
{
    /* One column at a time: ranges starting at the same column would replace each other,
     * overlapping ones upset Excel. Every cell wraps, so a long text grows its row instead of
     * running off the printed page. */
    for (size_t c = 0; c < n; c++) {
        worksheet_write_string(ws, 0, (lxw_col_t)c, tx_xlsx_word(b, cols[c]), b->head);
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], b->wrap);
    }
    worksheet_freeze_panes(ws, 1, 0);
}

lxw_worksheet *
tx_xlsx_add_table(tx_xlsx_book *b, const char *const key_label[2], const char *const (*cols)[2],
                  const double *widths, size_t n)
{
    lxw_worksheet *ws = tx_xlsx_add_sheet(b, key_label, NULL);

    if (ws != NULL) {
        tx_xlsx_header(ws, b, cols, widths, n);
    }
    return ws;
}

void
tx_xlsx_area_headings(lxw_worksheet *ws, const tx_xlsx_book *b, const json_t *areas,
                      lxw_col_t first)
{
    char label[300];

    for (size_t a = 0; a < json_array_size(areas); a++) {
        lxw_col_t c = (lxw_col_t)(first + a);
        tx_render_area_label(json_array_get(areas, a), b->ja, label, sizeof label);
        worksheet_write_string(ws, 0, c, label, b->head);
        worksheet_set_column(ws, c, c, 10, b->wrap);
    }
}

void
tx_xlsx_area_scores(lxw_worksheet *ws, const tx_xlsx_book *b, lxw_row_t r, lxw_col_t first,
                    const json_t *row, const json_t *areas)
{
    for (size_t a = 0; a < json_array_size(areas); a++) {
        const json_t *mine = tx_render_area_of(row, tx_render_str(json_array_get(areas, a), "id"));
        tx_xlsx_put_number(ws, r, (lxw_col_t)(first + a), json_object_get(mine, "score"), b->num);
    }
}

void
tx_xlsx_put_number(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const json_t *n, lxw_format *fmt)
{
    if (json_is_number(n)) {
        worksheet_write_number(ws, r, c, json_number_value(n), fmt);
    }
}

void
tx_xlsx_put_str(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s)
{
    if (s[0] != 0) {
        worksheet_write_string(ws, r, c, s, NULL);
    }
}

/* The sheets of one document; with several, each sheet's name ends in the questionnaire's
 * id and every printed page names the questionnaire. */
static void
render_doc(tx_xlsx_book *b, const json_t *doc, int several)
{
    const json_t *q = tx_render_questionnaire(doc);
    const json_t *rows = tx_render_rows(doc);
    json_t *areas = tx_render_area_union(doc);

    b->qid = several ? tx_render_str(q, "id") : NULL;
    b->title[0] = 0;
    if (q != NULL) {
        snprintf(b->title, sizeof b->title, "%s (%s v%lld)",
                 tx_render_text(json_object_get(q, "title"), b->ja), tx_render_str(q, "id"),
                 (long long)json_integer_value(json_object_get(q, "version")));
        tx_render_utf8_fix(b->title);
    }
    tx_xlsx_sheet_suppliers(b, rows);
    tx_xlsx_sheet_areas(b, rows, areas);
    tx_xlsx_sheet_certificates(b, rows);
    tx_xlsx_sheet_credentials(b, rows);
    tx_xlsx_sheet_evidence(b, rows);
    tx_xlsx_sheet_items(b, rows);
    tx_xlsx_sheet_plans(b, rows);
    tx_xlsx_sheet_tiers(b, doc);
    tx_xlsx_sheet_tree(b, doc, areas);
    json_decref(areas);
}

static lxw_format *
new_format(lxw_workbook *wb, int wrap)
{
    lxw_format *f = workbook_add_format(wb);

    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    if (wrap) {
        format_set_text_wrap(f);
    }
    return f;
}

int
tx_render_xlsx(const char *path, const json_t *docs, int ja)
{
    tx_xlsx_book b = {.wb = workbook_new(path), .ja = ja, .used = json_array()};
    size_t n = json_array_size(docs);
    lxw_error err;

    if (b.wb == NULL || b.used == NULL) {
        json_decref(b.used);
        if (b.wb != NULL) {
            workbook_close(b.wb);
        }
        return tx_fail(TX_ERR_IO, "cannot write %s", path);
    }
    b.head = workbook_add_format(b.wb);
    format_set_bold(b.head);
    format_set_bg_color(b.head, 0xEEF2F6);
    format_set_bottom(b.head, LXW_BORDER_THIN);
    format_set_text_wrap(b.head);
    format_set_align(b.head, LXW_ALIGN_VERTICAL_TOP);
    b.num = new_format(b.wb, 0);
    format_set_num_format(b.num, "0.0");
    b.wrap = new_format(b.wb, 1);
    for (size_t i = 0; i < n; i++) {
        render_doc(&b, json_array_get(docs, i), n > 1);
    }
    err = workbook_close(b.wb);
    json_decref(b.used);
    if (err != LXW_NO_ERROR) {
        return tx_fail(TX_ERR_IO, "cannot write %s: %s", path, lxw_strerror(err));
    }
    return TX_OK;
}

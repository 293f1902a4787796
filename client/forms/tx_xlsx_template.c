/* XLSX answer template, written with libxlsxwriter. */
#include "tx_xlsx_template.h"

#include "tx_cell.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

enum {
    COL_ITEM,
    COL_AREA,
    COL_LEVEL,
    COL_WEIGHT,
    COL_TEXT,
    COL_ANSWER,
    COL_COMMENT,
    COL_TOPICS, /* only when the questionnaire maps its items to topics */
    N_COLS
};

/* Height in points for `s` wrapped in a column `width` characters wide. */
static double
row_height(const char *s, double width)
{
    int lines = (int)((double)tx_display_width(s) / (width - 2.0)) + 1;

    return 15.0 * (lines < 1 ? 1 : lines > 15 ? 15 : lines);
}

static int
write_scale(lxw_workbook *wb, const tx_questionnaire_pb *q, int ja, const char *qref,
            lxw_format *head, size_t *n_list)
{
    /* TRANSLATORS: the name of the worksheet listing the answers one may pick (at most 31
     * characters, none of []:*?/\). */
    lxw_worksheet *ws = workbook_add_worksheet(wb, _("scale"));
    char score[32], about[300];
    lxw_row_t row = 1;

    if (ws == NULL) {
        return TX_ERR_IO;
    }
    worksheet_write_string(ws, 0, 0, _("answer"), head);
    worksheet_write_string(ws, 0, 1, _("code"), head);
    worksheet_write_string(ws, 0, 2, _("score"), head);
    worksheet_write_string(ws, 0, 3, _("meaning"), head);
    worksheet_set_column(ws, 0, 0, 24, NULL);
    worksheet_set_column(ws, 1, 2, 10, NULL);
    worksheet_set_column(ws, 3, 3, 24, NULL);
    /* Column A is the drop-down list: the labels, then the codes. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < q->n_scale; i++, row++) {
            const tx_choice_pb *c = q->scale[i];
            if (c->not_applicable) {
                snprintf(score, sizeof score, "%s", _("not scored"));
            } else {
                snprintf(score, sizeof score, "%u%%", c->score_permille / 10);
            }
            worksheet_write_string(ws, row, 0, pass == 0 ? tx_text(c->label, ja) : c->code, NULL);
            worksheet_write_string(ws, row, 1, c->code, NULL);
            worksheet_write_string(ws, row, 2, score, NULL);
            worksheet_write_string(ws, row, 3, tx_text(c->label, !ja), NULL);
        }
    }
    if (qref[0]) {
        snprintf(about, sizeof about, _("%s v%u record %s"), q->id, q->version, qref);
    } else {
        snprintf(about, sizeof about, "%s v%u", q->id, q->version);
    }
    worksheet_write_string(ws, row + 1, 0, _("questionnaire"), head);
    worksheet_write_string(ws, row + 1, 1, about, NULL);
    *n_list = 2 * q->n_scale;
    return TX_OK;
}

/* Fills list (NULL-ended) with the scale's labels in the chosen language followed by its codes
 * (labels = 0: the codes only) when Excel can hold them in the cell rule: at most 255
 * characters joined with commas, none holding a comma or a quote. 0 when they do not fit. */
static int
inline_choices(const tx_questionnaire_pb *q, int ja, int labels, char **list)
{
    size_t n = 0, chars = 0;

    for (int pass = labels ? 0 : 1; pass < 2; pass++) {
        for (size_t i = 0; i < q->n_scale; i++) {
            const char *s = pass == 0 ? tx_text(q->scale[i]->label, ja) : q->scale[i]->code;
            if (s[0] == 0 || strpbrk(s, ",\"") != NULL) {
                return 0;
            }
            for (const char *p = s; *p; p++) {
                chars += ((unsigned char)*p & 0xC0) != 0x80;
            }
            chars += n > 0; /* the comma before it */
            list[n++] = (char *)s;
        }
    }
    list[n] = NULL;
    return chars <= 255;
}

/* A header cell: the column's key, or in a translated template what it holds followed by the
 * key ("設問ID（item）"): the reader finds the column by the key (tx_answers_load). */
static void
write_head(lxw_worksheet *ws, lxw_col_t col, const char *key, const char *word, lxw_format *head)
{
    const char *tr = _(word);
    char named[160];

    if (strcmp(tr, word) != 0) {
        /* TRANSLATORS: a column header of the answer sheet: what it holds, then its key
         * (kept in the cell, e.g. "設問ID（item）"). */
        snprintf(named, sizeof named, _("%s (%s)"), tr, key);
        key = named;
    }
    worksheet_write_string(ws, 0, col, key, head);
}

/* Rows made ready on the suppliers sheet (more may be typed below them). */
#define SUB_ROWS 30

/* The "suppliers" worksheet: the supplier's own suppliers, one a row (name, what it supplies,
 * its key or its name on the hub), read back as the assessment's sub-suppliers. */
static int
write_suppliers(lxw_workbook *wb, lxw_format *head, lxw_format *input)
{
    static const char *const keys[] = {"name", "supplies", "key"};
    static const char *const words[] = {N_("supplier name"), N_("what it supplies"),
                                        N_("key or name on the hub")};
    static const double widths[] = {36, 36, 48};
    /* TRANSLATORS: the name of the worksheet listing the supplier's own suppliers (at most 31
     * characters, none of []:*?/\). */
    lxw_worksheet *ws = workbook_add_worksheet(wb, _("suppliers"));
    lxw_data_validation dv = {0};

    if (ws == NULL) {
        return TX_ERR_IO;
    }
    for (lxw_col_t c = 0; c < 3; c++) {
        write_head(ws, c, keys[c], words[c], head);
        worksheet_set_column(ws, c, c, widths[c], input);
    }
    for (lxw_row_t r = 1; r <= SUB_ROWS; r++) {
        for (lxw_col_t c = 0; c < 3; c++) {
            worksheet_write_blank(ws, r, c, input);
        }
    }
    worksheet_freeze_panes(ws, 1, 0);
    dv.validate = LXW_VALIDATION_TYPE_ANY;
    dv.input_title = (char *)_("Sub-supplier");
    dv.input_message =
        (char *)_("Optional: 64 hex digits of its key, its fingerprint or key id, or "
                  "its legal name on the hub. Leave empty if it is not enrolled.");
    return worksheet_data_validation_range(ws, 1, 2, SUB_ROWS, 2, &dv) == LXW_NO_ERROR ? TX_OK
                                                                                       : TX_ERR_IO;
}

int
tx_xlsx_template(const char *path, const tx_questionnaire_pb *q, int ja, const char *qref)
{
    static const double widths[N_COLS] = {10, 20, 6, 7, 70, 20, 40, 40};
    const char *heads[N_COLS] = {"item",   "area",    "level", "weight", ja ? "text_ja" : "text_en",
                                 "answer", "comment", "topics"};
    /* What each column holds, for a header in the language of texts: "設問ID（item）". The key
     * stays in the cell: it is what the reader looks for (tx_answers_load). */
    static const char *const words[N_COLS] = {
        N_("item ID"),   N_("area"),   N_("level"),   N_("weight"),
        N_("item text"), N_("answer"), N_("comment"), N_("topics it serves")};
    const int n_cols = q->n_topics > 0 ? N_COLS : COL_TOPICS;
    char topics[2048];
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws;
    lxw_format *head, *wrap, *plain, *answer;
    lxw_data_validation dv;
    char formula[128], codes[160], message[256], **list;
    size_t n_list = 0;
    lxw_error err;

    if (wb == NULL) {
        return tx_fail(TX_ERR_IO, "cannot create %s", path);
    }
    /* TRANSLATORS: the name of the worksheet to fill in (at most 31 characters, none of
     * []:*?/\). */
    ws = workbook_add_worksheet(wb, _("answers"));
    head = workbook_add_format(wb);
    wrap = workbook_add_format(wb);
    plain = workbook_add_format(wb);
    answer = workbook_add_format(wb);
    if (ws == NULL || head == NULL || wrap == NULL || plain == NULL || answer == NULL) {
        workbook_close(wb);
        return tx_fail(TX_ERR_IO, "cannot build the workbook %s", path);
    }
    format_set_bold(head);
    format_set_bg_color(head, 0xDDEBF7);
    format_set_border(head, LXW_BORDER_THIN);
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
    format_set_align(plain, LXW_ALIGN_VERTICAL_TOP);
    format_set_align(answer, LXW_ALIGN_VERTICAL_TOP);
    format_set_bg_color(answer, 0xFFF2CC);
    format_set_border(answer, LXW_BORDER_THIN);
    format_set_unlocked(answer);
    for (int c = 0; c < n_cols; c++) {
        write_head(ws, (lxw_col_t)c, heads[c], words[c], head);
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c],
                             c == COL_TEXT || c == COL_AREA || c >= COL_COMMENT ? wrap : plain);
    }
    for (size_t i = 0; i < q->n_items; i++) {
        const tx_item_pb *it = q->items[i];
        int area = tx_questionnaire_area(q, it->area);
        const char *text = tx_text(it->text, ja);
        lxw_row_t row = (lxw_row_t)(i + 1);

        worksheet_write_string(ws, row, COL_ITEM, it->id, plain);
        worksheet_write_string(ws, row, COL_AREA,
                               area >= 0 ? tx_text(q->areas[area]->name, ja) : it->area, wrap);
        worksheet_write_number(ws, row, COL_LEVEL, it->level, plain);
        worksheet_write_number(ws, row, COL_WEIGHT, it->weight, plain);
        worksheet_write_string(ws, row, COL_TEXT, text, wrap);
        worksheet_write_blank(ws, row, COL_ANSWER, answer);
        worksheet_write_blank(ws, row, COL_COMMENT, wrap);
        if (n_cols > COL_TOPICS) {
            tx_questionnaire_item_topics_text(q, it, ja, "\n", topics, sizeof topics);
            worksheet_write_string(ws, row, COL_TOPICS, topics, wrap);
        }
        worksheet_set_row(ws, row, row_height(text, widths[COL_TEXT]), NULL);
    }
    worksheet_freeze_panes(ws, 1, 1);
    if (write_suppliers(wb, head, answer) != TX_OK ||
        write_scale(wb, q, ja, qref, head, &n_list) != TX_OK) {
        workbook_close(wb);
        return tx_fail(TX_ERR_IO, "cannot build the workbook %s", path);
    }
    tx_questionnaire_codes(q, codes, sizeof codes);
    snprintf(formula, sizeof formula, "='%s'!$A$2:$A$%zu", _("scale"), n_list + 1);
    snprintf(message, sizeof message, _("Pick from the list, or type a code: %s"), codes);
    memset(&dv, 0, sizeof dv);
    list = calloc(2 * q->n_scale + 1, sizeof *list);
    if (list == NULL) {
        workbook_close(wb);
        return TX_ERR_NOMEM;
    }
    /* The list is written into the cell rule when it fits (libxlsxwriter 1.1.4 loses the copy
     * of a range formula); the scale sheet's range is the fallback for long scales. */
    if (inline_choices(q, ja, 1, list) || inline_choices(q, ja, 0, list)) {
        dv.validate = LXW_VALIDATION_TYPE_LIST;
        dv.value_list = list;
    } else {
        dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
        dv.value_formula = formula;
    }
    dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
    dv.error_title = (char *)_("Answer");
    dv.error_message = message;
    dv.input_title = (char *)_("Answer");
    dv.input_message = message;
    err = q->n_items > 0 ? worksheet_data_validation_range(ws, 1, COL_ANSWER, (lxw_row_t)q->n_items,
                                                           COL_ANSWER, &dv)
                         : LXW_NO_ERROR;
    free(list);
    if (err != LXW_NO_ERROR) {
        workbook_close(wb);
        return tx_fail(TX_ERR_IO, "cannot add the answer drop-down to %s: %s", path,
                       lxw_strerror(err));
    }
    err = workbook_close(wb);
    if (err != LXW_NO_ERROR) {
        return tx_fail(TX_ERR_IO, "cannot write %s: %s", path, lxw_strerror(err));
    }
    return TX_OK;
}

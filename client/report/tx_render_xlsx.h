/* What the XLSX renderer's files share (tx_render_xlsx*.c, nobody else): the workbook being
 * written with its formats and language, the sheet of one questionnaire's view with a unique
 * name and print setup, and the cell writers. */
#ifndef TX_RENDER_XLSX_H
#define TX_RENDER_XLSX_H

#include <jansson.h>
#include <xlsxwriter.h>

typedef struct {
    lxw_workbook *wb;
    lxw_format *head, *num, *wrap;
    int ja;
    const char *qid; /* the questionnaire of the sheets being added; NULL with one document */
    char title[200]; /* its title in the language and id, for the printed page header */
    json_t *used;    /* sheet names taken so far */
} tx_xlsx_book;

/* A heading: the key (scripts read the English workbook like the CSV) or its Japanese. */
const char *tx_xlsx_word(const tx_xlsx_book *b, const char *const key_label[2]);

/* The name of the view `key_label` ("areas"/"Scores by area"), with " ID" of the questionnaire
 * when the workbook has several: cut to 31 characters, Excel's forbidden characters [ ] : * ? /
 * \ replaced by "_", no apostrophe at either end, made unique (case-insensitive) with "~2",
 * "~3", ... Written to out (LXW_MAX_SHEETNAME_LENGTH bytes) and taken. */
void tx_xlsx_sheet_name(tx_xlsx_book *b, const char *const key_label[2], char *out);

/* A new worksheet for view `key_label`, set up to print: landscape A4, one page wide, row 1
 * repeated on every page, the questionnaire's title in the page header and page numbers in
 * the footer. `name` (may be NULL) receives its name. NULL when out of memory. */
lxw_worksheet *tx_xlsx_add_sheet(tx_xlsx_book *b, const char *const key_label[2], char *name);

/* A table's worksheet for view `key_label`: tx_xlsx_add_sheet, then tx_xlsx_header with its
 * n columns. NULL when out of memory. */
lxw_worksheet *tx_xlsx_add_table(tx_xlsx_book *b, const char *const key_label[2],
                                 const char *const (*cols)[2], const double *widths, size_t n);

/* A chartsheet for view `key_label` holding `chart`, printed landscape on its own page. */
void tx_xlsx_add_chartsheet(tx_xlsx_book *b, const char *const key_label[2], lxw_chart *chart);

/* A sheet's table of widths has one per column, checked at compile time. */
#define TX_XLSX_WIDTH_PER_COLUMN(widths, cols)                                                     \
    _Static_assert(sizeof(widths) / sizeof((widths)[0]) == sizeof(cols) / sizeof((cols)[0]),       \
                   "one width per column")

/* Row 0 with the headings of n columns, frozen; column c `widths[c]` characters wide, its
 * cells wrapped and top-aligned. */
void tx_xlsx_header(lxw_worksheet *ws, const tx_xlsx_book *b, const char *const (*cols)[2],
                    const double *widths, size_t n);

/* Row 0 from column `first` on: "ID name" of each area, each column 10 wide; and row r's
 * score per area of `row` (a supplier or a node), in the same columns. */
void tx_xlsx_area_headings(lxw_worksheet *ws, const tx_xlsx_book *b, const json_t *areas,
                           lxw_col_t first);
void tx_xlsx_area_scores(lxw_worksheet *ws, const tx_xlsx_book *b, lxw_row_t r, lxw_col_t first,
                         const json_t *row, const json_t *areas);

void tx_xlsx_put_number(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const json_t *n,
                        lxw_format *fmt);
void tx_xlsx_put_str(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s);

/* The sheets of one document (one questionnaire), in the order they are added. */
void tx_xlsx_sheet_suppliers(tx_xlsx_book *b, const json_t *rows);
void tx_xlsx_sheet_areas(tx_xlsx_book *b, const json_t *rows, const json_t *areas);
void tx_xlsx_sheet_certificates(tx_xlsx_book *b, const json_t *rows);
void tx_xlsx_sheet_credentials(tx_xlsx_book *b, const json_t *rows);
void tx_xlsx_sheet_evidence(tx_xlsx_book *b, const json_t *rows);
void tx_xlsx_sheet_items(tx_xlsx_book *b, const json_t *rows);
void tx_xlsx_sheet_plans(tx_xlsx_book *b, const json_t *rows);
void tx_xlsx_sheet_tiers(tx_xlsx_book *b, const json_t *doc);
void tx_xlsx_sheet_tree(tx_xlsx_book *b, const json_t *doc, const json_t *areas);

#endif

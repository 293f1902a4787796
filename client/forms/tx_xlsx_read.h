/* Reading XLSX answer sheets (libzip + libxml2): any workbook, whoever wrote it. The reader
 * finds the worksheets through xl/workbook.xml and its relationships, reads
 * xl/sharedStrings.xml when present, and returns the worksheet's cells as text (shared
 * strings, inline strings, numbers and formula results as written). Everything is capped: the
 * file, the number of zip entries, each entry's and all entries' uncompressed bytes (a zip
 * bomb is refused with a clear error, whatever its header claims), rows, columns and strings;
 * a document carrying a DTD is refused. The template is tx_xlsx_template. */
#ifndef TX_XLSX_READ_H
#define TX_XLSX_READ_H

#include <stddef.h>
#include <stdint.h>

#define TX_XLSX_MAX_FILE (32u << 20)  /* the .xlsx file itself */
#define TX_XLSX_MAX_ENTRIES 1000u     /* entries in the zip */
#define TX_XLSX_MAX_ENTRY (16u << 20) /* uncompressed bytes of one entry read */
#define TX_XLSX_MAX_TOTAL (48u << 20) /* uncompressed bytes of all entries read */
#define TX_XLSX_MAX_ROWS 20000u       /* rows holding cells, all sheets read together */
#define TX_XLSX_MAX_SHEETS 16u        /* worksheets read; later ones are ignored */
#define TX_XLSX_MAX_COLS 64u          /* columns A..BL; cells further right are ignored */
#define TX_XLSX_MAX_STRINGS 1000000u  /* shared strings */
#define TX_XLSX_MAX_CELL (256u << 10) /* bytes of one cell's text: above the records' limits */

/* A worksheet's cells: rows that hold at least one cell, in order, each n_cols wide. */
typedef struct {
    char *name;            /* the sheet's name as the workbook lists it ("" if it does not) */
    char **cells;          /* n_rows * n_cols, row-major; NULL for an empty cell */
    unsigned *row_numbers; /* the worksheet row number (from 1) of each row */
    size_t n_rows, n_cols;
} tx_xlsx_sheet;

/* True if buf starts like a zip archive (an XLSX workbook). */
int tx_xlsx_is_zip(const uint8_t *buf, size_t len);

/* Reads the first worksheet of the workbook in buf. `source` names it in messages.
 * TX_ERR_MALFORMED (not a workbook, bad XML, a shared string out of range, ...) or
 * TX_ERR_TOO_LARGE (a cap exceeded: the message names the entry and the limit), with a
 * message. Caller owns *out (tx_xlsx_sheet_free). */
int tx_xlsx_read(const uint8_t *buf, size_t len, const char *source, tx_xlsx_sheet *out);

/* Reads the workbook's worksheets in order (at most TX_XLSX_MAX_SHEETS; the first must hold
 * cells, later ones may be empty) under the same caps, all sheets counted together. Messages
 * about a later sheet name it ("a.xlsx, sheet suppliers, row 3: ..."). Caller owns *out
 * (tx_xlsx_sheets_free, then free). */
int tx_xlsx_read_all(const uint8_t *buf, size_t len, const char *source, tx_xlsx_sheet **out,
                     size_t *n);

void tx_xlsx_sheet_free(tx_xlsx_sheet *s);

/* Frees the contents of v[0..n), not v itself. */
void tx_xlsx_sheets_free(tx_xlsx_sheet *v, size_t n);

#endif

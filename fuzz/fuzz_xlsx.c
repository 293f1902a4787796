/* Fuzzes the XLSX reader (libzip and libxml2 behind caps) on workbooks from a buffer, the first
 * worksheet alone and every worksheet (the answers and the suppliers sheet): whatever it
 * returns stays inside its caps (sheets, rows across them, columns), every cell is
 * NUL-terminated text of at most TX_XLSX_MAX_CELL bytes, rows carry worksheet row numbers from
 * 1, every sheet has a name, and a refusal returns nothing. */
#include "tx_error.h"
#include "tx_xlsx_read.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless s is within the caps; returns its rows. */
static size_t
check_sheet(const tx_xlsx_sheet *s)
{
    if (s->n_cols > TX_XLSX_MAX_COLS || s->n_rows > TX_XLSX_MAX_ROWS || s->name == NULL) {
        abort();
    }
    for (size_t r = 0; r < s->n_rows; r++) {
        if (s->row_numbers[r] == 0) {
            abort();
        }
        for (size_t c = 0; c < s->n_cols; c++) {
            const char *cell = s->cells[r * s->n_cols + c];

            if (cell != NULL && strnlen(cell, TX_XLSX_MAX_CELL + 1) > TX_XLSX_MAX_CELL) {
                abort();
            }
        }
    }
    return s->n_rows;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tx_xlsx_sheet s, *all = NULL;
    size_t n = 0, rows = 0;

    memset(&s, 0, sizeof s);
    if (tx_xlsx_read(data, size, "fuzz.xlsx", &s) != TX_OK) {
        if (s.cells != NULL || s.row_numbers != NULL || s.name != NULL) {
            abort();
        }
    } else {
        check_sheet(&s);
        tx_xlsx_sheet_free(&s);
    }
    if (tx_xlsx_read_all(data, size, "fuzz.xlsx", &all, &n) != TX_OK) {
        if (all != NULL || n != 0) {
            abort();
        }
        return 0;
    }
    if (n == 0 || n > TX_XLSX_MAX_SHEETS) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        rows += check_sheet(&all[i]);
    }
    if (rows > TX_XLSX_MAX_ROWS) {
        abort();
    }
    tx_xlsx_sheets_free(all, n);
    free(all);
    return 0;
}

/* Fuzzes the XLSX reader (libzip and libxml2 behind caps) on workbooks from a buffer: whatever
 * it returns stays inside its caps, every cell is NUL-terminated text of at most
 * TX_XLSX_MAX_CELL bytes, rows carry worksheet row numbers from 1, and a refusal returns
 * nothing. */
#include "tx_error.h"
#include "tx_xlsx_read.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tx_xlsx_sheet s;

    memset(&s, 0, sizeof s);
    if (tx_xlsx_read(data, size, "fuzz.xlsx", &s) != TX_OK) {
        if (s.cells != NULL || s.row_numbers != NULL) {
            abort();
        }
        return 0;
    }
    if (s.n_cols > TX_XLSX_MAX_COLS || s.n_rows > TX_XLSX_MAX_ROWS) {
        abort();
    }
    for (size_t r = 0; r < s.n_rows; r++) {
        if (s.row_numbers[r] == 0) {
            abort();
        }
        for (size_t c = 0; c < s.n_cols; c++) {
            const char *cell = s.cells[r * s.n_cols + c];

            if (cell != NULL && strnlen(cell, TX_XLSX_MAX_CELL + 1) > TX_XLSX_MAX_CELL) {
                abort();
            }
        }
    }
    tx_xlsx_sheet_free(&s);
    return 0;
}

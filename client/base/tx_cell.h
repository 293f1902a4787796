/* Table cells for terminals: the display width of UTF-8 text (East Asian wide and fullwidth
 * characters take two columns, so Japanese names line up) and fixed-width output. */
#ifndef TX_CELL_H
#define TX_CELL_H

#include <stdio.h>

/* Columns `s` takes on a terminal. */
int tx_display_width(const char *s);

/* Writes s in exactly `width` columns: padded with spaces, or cut at a character boundary and
 * ended with '~' when too wide. */
void tx_put_cell(FILE *f, const char *s, int width);

/* The same, right-aligned (never cut). */
void tx_put_rcell(FILE *f, const char *s, int width);

/* Writes `text` and a newline, the cursor being at column `start`, wrapped at `width`
 * columns; lines after the first are indented by `indent` spaces. Breaks at spaces when it
 * can. */
void tx_put_wrapped(FILE *f, const char *text, int start, int width, int indent);

#endif

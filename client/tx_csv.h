/* RFC 4180 CSV: a reader that accepts a UTF-8 byte order mark, CRLF or LF line ends and quoted
 * fields holding commas, line breaks and doubled quotes, reporting the line each record starts
 * on; and a writer that quotes only what needs it. */
#ifndef TX_CSV_H
#define TX_CSV_H

#include <stddef.h>
#include <stdio.h>

typedef struct tx_csv tx_csv;

/* Reads from buf[0..len), which must outlive the reader. Caller owns *out (tx_csv_destroy). */
int tx_csv_open(const char *buf, size_t len, tx_csv **out);

void tx_csv_destroy(tx_csv **csv_p);

/* The next record: *fields[0..*n) are NUL-terminated, borrowed until the next call; *line is
 * the line the record starts on (from 1). TX_ERR_NOT_FOUND past the last record;
 * TX_ERR_MALFORMED (with *line) for an unterminated quote or text after a closing quote. */
int tx_csv_next(tx_csv *csv, char ***fields, size_t *n, unsigned *line);

/* Writes one record with CRLF, quoting fields that hold a comma, quote, CR or LF, or that
 * start or end with a space. */
void tx_csv_write(FILE *f, const char *const *fields, size_t n);

#endif

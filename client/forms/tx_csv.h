/* RFC 4180 CSV: a reader that accepts a UTF-8 byte order mark, CRLF or LF line ends and quoted
 * fields holding commas, line breaks and doubled quotes, reporting the line each record starts
 * on; and a writer that quotes only what needs it (or, for the report, every field, with text
 * a spreadsheet would take for a formula defused). */
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
 * TX_ERR_MALFORMED (with *line) for an unterminated quote or text after a closing quote;
 * TX_ERR_BAD_UTF8 for a record with a NUL byte in a field: the record is still returned (the
 * field cut at the NUL, so never use it as text) and tx_csv_nul_field says where. */
int tx_csv_next(tx_csv *csv, char ***fields, size_t *n, unsigned *line);

/* After TX_ERR_BAD_UTF8 from tx_csv_next: the field (from 1) holding the first NUL, and in *at
 * its byte within the field (from 1). */
size_t tx_csv_nul_field(const tx_csv *csv, size_t *at);

/* Writes one record with CRLF, quoting fields that hold a comma, quote, CR or LF, or that
 * start or end with a space. */
void tx_csv_write(FILE *f, const char *const *fields, size_t n);

/* tx_csv_put_field flags: quote every field; quote text that a spreadsheet would take for a
 * formula (it starts with = + - @ TAB or CR) with a single quote before it. */
#define TX_CSV_QUOTE_ALL 1
#define TX_CSV_NO_FORMULA 2

/* Writes one field (no separator): quoted, quotes doubled, when TX_CSV_QUOTE_ALL or when it
 * holds a comma, quote, CR or LF or starts or ends with a space; else as it is. */
void tx_csv_put_field(FILE *f, const char *s, int flags);

#endif

/* CSV reader and writer (RFC 4180, with the usual leniency for LF-only files). */
#include "tx_csv.h"

#include "tx_error.h"
#include "tx_msg.h"

#include <stdlib.h>
#include <string.h>

struct tx_csv {
    const char *p, *end;
    unsigned line;
    char *buf; /* the current record's field texts, each NUL-terminated */
    size_t buf_len, buf_cap;
    size_t *offs;
    char **fields;
    size_t n_fields, fields_cap;
    size_t nul_field, nul_at; /* the first field holding a NUL (from 1, 0 = none), its byte */
};

int
tx_csv_open(const char *buf, size_t len, tx_csv **out)
{
    tx_csv *c = calloc(1, sizeof *c);

    *out = NULL;
    if (c == NULL) {
        return TX_ERR_NOMEM;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    c->p = buf;
    c->end = buf + len;
    c->line = 1;
    *out = c;
    return TX_OK;
}

void
tx_csv_destroy(tx_csv **csv_p)
{
    if (csv_p == NULL || *csv_p == NULL) {
        return;
    }
    free((*csv_p)->buf);
    free((*csv_p)->offs);
    free((*csv_p)->fields);
    free(*csv_p);
    *csv_p = NULL;
}

static int
put(tx_csv *c, char ch)
{
    if (c->buf_len == c->buf_cap) {
        size_t cap = c->buf_cap ? c->buf_cap * 2 : 256;
        char *b = realloc(c->buf, cap);
        if (b == NULL) {
            return TX_ERR_NOMEM;
        }
        c->buf = b;
        c->buf_cap = cap;
    }
    c->buf[c->buf_len++] = ch;
    return TX_OK;
}

static int
start_field(tx_csv *c)
{
    if (c->n_fields == c->fields_cap) {
        size_t cap = c->fields_cap ? c->fields_cap * 2 : 16;
        size_t *o = realloc(c->offs, cap * sizeof *o);
        if (o == NULL) {
            return TX_ERR_NOMEM;
        }
        c->offs = o;
        char **f = realloc(c->fields, cap * sizeof *f);
        if (f == NULL) {
            return TX_ERR_NOMEM;
        }
        c->fields = f;
        c->fields_cap = cap;
    }
    c->offs[c->n_fields++] = c->buf_len;
    return TX_OK;
}

/* Remembers the first NUL byte of the record: where it is, so it can be named, never cut. */
static void
note_nul(tx_csv *c)
{
    if (*c->p == 0 && c->nul_field == 0) {
        c->nul_field = c->n_fields;
        c->nul_at = c->buf_len - c->offs[c->n_fields - 1] + 1;
    }
}

/* Consumes a line end at p if there is one: CRLF, LF or a lone CR. */
static int
eol(tx_csv *c)
{
    if (c->p < c->end && *c->p == '\r') {
        c->p++;
        if (c->p < c->end && *c->p == '\n') {
            c->p++;
        }
        c->line++;
        return 1;
    }
    if (c->p < c->end && *c->p == '\n') {
        c->p++;
        c->line++;
        return 1;
    }
    return 0;
}

int
tx_csv_next(tx_csv *c, char ***fields, size_t *n, unsigned *line)
{
    int rc;

    *line = c->line;
    if (c->p >= c->end) {
        return TX_ERR_NOT_FOUND;
    }
    c->buf_len = 0;
    c->n_fields = 0;
    c->nul_field = 0;
    for (;;) {
        if ((rc = start_field(c)) != TX_OK) {
            return rc;
        }
        if (c->p < c->end && *c->p == '"') {
            unsigned opened = c->line;
            c->p++;
            for (;;) {
                if (c->p >= c->end) {
                    *line = opened;
                    return tx_fail(TX_ERR_MALFORMED, "a quoted field is never closed");
                }
                if (*c->p == '"') {
                    if (c->p + 1 < c->end && c->p[1] == '"') {
                        rc = put(c, '"');
                        c->p += 2;
                    } else {
                        c->p++;
                        break;
                    }
                } else {
                    if (*c->p == '\n' ||
                        (*c->p == '\r' && !(c->p + 1 < c->end && c->p[1] == '\n'))) {
                        c->line++;
                    }
                    note_nul(c);
                    rc = put(c, *c->p++);
                }
                if (rc != TX_OK) {
                    return rc;
                }
            }
            if (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n') {
                *line = c->line;
                return tx_fail(TX_ERR_MALFORMED, "text after the closing quote of a field");
            }
        } else {
            while (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n') {
                note_nul(c);
                if ((rc = put(c, *c->p++)) != TX_OK) {
                    return rc;
                }
            }
        }
        if ((rc = put(c, 0)) != TX_OK) {
            return rc;
        }
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        eol(c);
        break;
    }
    for (size_t i = 0; i < c->n_fields; i++) {
        c->fields[i] = c->buf + c->offs[i];
    }
    *fields = c->fields;
    *n = c->n_fields;
    if (c->nul_field != 0) {
        return tx_fail(TX_ERR_BAD_UTF8, "field %zu holds a NUL byte at byte %zu: remove it",
                       c->nul_field, c->nul_at);
    }
    return TX_OK;
}

size_t
tx_csv_nul_field(const tx_csv *c, size_t *at)
{
    *at = c->nul_at;
    return c->nul_field;
}

void
tx_csv_put_field(FILE *f, const char *s, int flags)
{
    size_t len = strlen(s);
    int guard = (flags & TX_CSV_NO_FORMULA) && s[0] != 0 && strchr("=+-@\t\r", s[0]) != NULL;
    int quote = (flags & TX_CSV_QUOTE_ALL) || guard || strpbrk(s, ",\"\r\n") != NULL ||
                (len > 0 && (s[0] == ' ' || s[len - 1] == ' '));

    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (guard) {
        fputc('\'', f);
    }
    for (; *s; s++) {
        if (*s == '"') {
            fputc('"', f);
        }
        fputc(*s, f);
    }
    fputc('"', f);
}

void
tx_csv_write(FILE *f, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            fputc(',', f);
        }
        tx_csv_put_field(f, fields[i], 0);
    }
    fputs("\r\n", f);
}

/* JSON written straight to a FILE as jansson's json_dumps writes it (tx_json_write.h). */
#include "tx_json_write.h"

#include "tx_error.h"
#include "tx_util.h"

#include <inttypes.h>
#include <locale.h>
#include <string.h>

int
tx_json_write_string(FILE *f, const char *s)
{
    size_t len = strlen(s), run = 0;

    if (!tx_utf8_valid(s, len)) {
        return TX_ERR_BAD_UTF8;
    }
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc;
        char seq[8];
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        fwrite(s + run, 1, i - run, f);
        run = i + 1;
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        default:
            snprintf(seq, sizeof seq, "\\u%04X", c);
            esc = seq;
        }
        fputs(esc, f);
    }
    fwrite(s + run, 1, len - run, f);
    fputc('"', f);
    return TX_OK;
}

void
tx_json_write_int(FILE *f, int64_t i)
{
    fprintf(f, "%" PRId64, i);
}

/* jansson's dtostr: "%.*g" (17 digits when no precision is given), the locale's decimal point
 * made '.', ".0" added when the text would read back as an integer, the exponent without '+'
 * and leading zeros. */
static void
write_real(FILE *f, double d, int precision)
{
    char buf[64], *e;
    const char *point = localeconv()->decimal_point;
    int n = snprintf(buf, sizeof buf - 2, "%.*g", precision ? precision : 17, d);

    if (n < 0 || (size_t)n >= sizeof buf - 2) {
        return;
    }
    if (point[0] != '.' && point[0] != 0 && (e = strchr(buf, point[0])) != NULL) {
        *e = '.';
    }
    if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
        memcpy(buf + n, ".0", 3);
    }
    if ((e = strchr(buf, 'e')) != NULL) {
        char *from = e + 1, *to = e + 1;
        if (*from == '+' || *from == '-') {
            from++;
            to += e[1] == '-';
        }
        while (*from == '0' && from[1] != 0) {
            from++;
        }
        memmove(to, from, strlen(from) + 1);
    }
    fputs(buf, f);
}

/* A new line at `level` (indent > 0), else the space after a "," (`space`). */
static void
next_line(FILE *f, int indent, int level, int space)
{
    if (indent > 0) {
        fputc('\n', f);
        for (int i = 0; i < indent * level; i++) {
            fputc(' ', f);
        }
    } else if (space) {
        fputc(' ', f);
    }
}

static int
write_at(FILE *f, const json_t *v, int indent, int precision, int level)
{
    const char *key;
    json_t *m;
    size_t i;
    int rc = TX_OK, first = 1;

    switch (json_typeof(v)) {
    case JSON_NULL:
        fputs("null", f);
        return TX_OK;
    case JSON_TRUE:
        fputs("true", f);
        return TX_OK;
    case JSON_FALSE:
        fputs("false", f);
        return TX_OK;
    case JSON_INTEGER:
        tx_json_write_int(f, json_integer_value(v));
        return TX_OK;
    case JSON_REAL:
        write_real(f, json_real_value(v), precision);
        return TX_OK;
    case JSON_STRING:
        return tx_json_write_string(f, json_string_value(v));
    case JSON_ARRAY:
        if (json_array_size(v) == 0) {
            fputs("[]", f);
            return TX_OK;
        }
        fputc('[', f);
        json_array_foreach(v, i, m)
        {
            if (i > 0) {
                fputc(',', f);
            }
            next_line(f, indent, level + 1, i > 0);
            if ((rc = write_at(f, m, indent, precision, level + 1)) != TX_OK) {
                return rc;
            }
        }
        next_line(f, indent, level, 0);
        fputc(']', f);
        return TX_OK;
    case JSON_OBJECT:
        if (json_object_size(v) == 0) {
            fputs("{}", f);
            return TX_OK;
        }
        fputc('{', f);
        json_object_foreach((json_t *)v, key, m)
        {
            if (!first) {
                fputc(',', f);
            }
            next_line(f, indent, level + 1, !first);
            first = 0;
            if ((rc = tx_json_write_string(f, key)) != TX_OK) {
                return rc;
            }
            fputs(": ", f);
            if ((rc = write_at(f, m, indent, precision, level + 1)) != TX_OK) {
                return rc;
            }
        }
        next_line(f, indent, level, 0);
        fputc('}', f);
        return TX_OK;
    }
    return TX_ERR_INTERNAL;
}

int
tx_json_write_value(FILE *f, const json_t *v, size_t flags, int depth)
{
    if (v == NULL) {
        return TX_ERR_INTERNAL;
    }
    return write_at(f, v, (int)(flags & JSON_MAX_INDENT), (int)((flags >> 11) & 0x1F), depth);
}

/* JSON written straight to a FILE as jansson's json_dumps writes it (tx_json_write.h). */
#include "tx_json_write.h"

#include "tx_error.h"
#include "tx_util.h"

#include <locale.h>
#include <string.h>

/* The escape of byte c, which json_dumps escapes ('"', '\\', a control character). */
static const char *
escape(unsigned char c, char seq[8])
{
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    }
    snprintf(seq, 8, "\\u%04X", c);
    return seq;
}

/* Appends n bytes to out (its length *o), flushing it to f when full. */
static void
put(FILE *f, char *out, size_t cap, size_t *o, const char *s, size_t n)
{
    if (*o + n > cap) {
        fwrite_unlocked(out, 1, *o, f);
        *o = 0;
    }
    if (n > cap) {
        fwrite_unlocked(s, 1, n, f);
    } else {
        memcpy(out + *o, s, n);
        *o += n;
    }
}

int
tx_json_write_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    char out[512], seq[8];
    size_t o = 0, len, i = 0;
    int ascii = 1;

    for (len = 0; p[len] != 0; len++) {
        ascii &= p[len] < 0x80;
    }
    if (!ascii && !tx_utf8_valid(s, len)) {
        return TX_ERR_BAD_UTF8;
    }
    /* Runs of bytes written as they are, then one escape: most strings are a single run
     * (ids, codes, hex), one fwrite with their quotes. */
    put(f, out, sizeof out, &o, "\"", 1);
    while (i < len) {
        size_t end = i;
        while (end < len && p[end] >= 0x20 && p[end] != '"' && p[end] != '\\') {
            end++;
        }
        put(f, out, sizeof out, &o, s + i, end - i);
        if (end < len) {
            const char *esc = escape(p[end], seq);
            put(f, out, sizeof out, &o, esc, strlen(esc));
            end++;
        }
        i = end;
    }
    put(f, out, sizeof out, &o, "\"", 1);
    fwrite_unlocked(out, 1, o, f);
    return TX_OK;
}

void
tx_json_write_int(FILE *f, int64_t i)
{
    char digits[24], *d = digits + sizeof digits;
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;

    do {
        *--d = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    if (i < 0) {
        *--d = '-';
    }
    fwrite_unlocked(d, 1, (size_t)(digits + sizeof digits - d), f);
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
    fputs_unlocked(buf, f);
}

/* A new line at `level` (indent > 0), else the space after a "," (`space`). */
static void
next_line(FILE *f, int indent, int level, int space)
{
    static const char spaces[] = "\n                ";

    if (indent > 0) {
        size_t n = 1 + (size_t)(indent * level);
        fwrite_unlocked(spaces, 1, n < sizeof spaces ? n : sizeof spaces - 1, f);
        for (n = n < sizeof spaces ? 0 : n - (sizeof spaces - 1); n > 0; n--) {
            fputc_unlocked(' ', f);
        }
    } else if (space) {
        fputc_unlocked(' ', f);
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
        fputs_unlocked("null", f);
        return TX_OK;
    case JSON_TRUE:
        fputs_unlocked("true", f);
        return TX_OK;
    case JSON_FALSE:
        fputs_unlocked("false", f);
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
            fputs_unlocked("[]", f);
            return TX_OK;
        }
        fputc_unlocked('[', f);
        json_array_foreach(v, i, m)
        {
            if (i > 0) {
                fputc_unlocked(',', f);
            }
            next_line(f, indent, level + 1, i > 0);
            if ((rc = write_at(f, m, indent, precision, level + 1)) != TX_OK) {
                return rc;
            }
        }
        next_line(f, indent, level, 0);
        fputc_unlocked(']', f);
        return TX_OK;
    case JSON_OBJECT:
        if (json_object_size(v) == 0) {
            fputs_unlocked("{}", f);
            return TX_OK;
        }
        fputc_unlocked('{', f);
        json_object_foreach((json_t *)v, key, m)
        {
            if (!first) {
                fputc_unlocked(',', f);
            }
            next_line(f, indent, level + 1, !first);
            first = 0;
            if ((rc = tx_json_write_string(f, key)) != TX_OK) {
                return rc;
            }
            fputs_unlocked(": ", f);
            if ((rc = write_at(f, m, indent, precision, level + 1)) != TX_OK) {
                return rc;
            }
        }
        next_line(f, indent, level, 0);
        fputc_unlocked('}', f);
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

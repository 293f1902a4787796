/* JSON written straight to a FILE as jansson's json_dumps writes it, through the writer's own
 * buffer (tx_json_write.h). */
#include "tx_json_write.h"

#include "tx_error.h"
#include "tx_util.h"

#include <locale.h>
#include <math.h>
#include <stdint.h>
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

void
tx_jw_init(tx_jw *w, FILE *f)
{
    w->f = f;
    w->n = 0;
    w->failed = 0;
}

void
tx_jw_spill(tx_jw *w, const char *s, size_t n)
{
    if (w->n > 0 && fwrite_unlocked(w->buf, 1, w->n, w->f) != w->n) {
        w->failed = 1;
    }
    w->n = 0;
    if (n > sizeof w->buf) {
        w->failed |= fwrite_unlocked(s, 1, n, w->f) != n;
    } else {
        memcpy(w->buf, s, n);
        w->n = n;
    }
}

int
tx_jw_flush(tx_jw *w)
{
    tx_jw_spill(w, "", 0);
    return w->failed ? TX_ERR_IO : TX_OK;
}

/* 1 for the bytes json_dumps escapes: control characters, '"' and '\\'. */
#define C4(n) [n] = 1, [n + 1] = 1, [n + 2] = 1, [n + 3] = 1
static const unsigned char escaped[256] = {C4(0),  C4(4),  C4(8),  C4(12),    C4(16),
                                           C4(20), C4(24), C4(28), ['"'] = 1, ['\\'] = 1};
#undef C4

/* True if any of the n bytes at p is 0x80 or above (eight at a time). */
static int
any_high(const unsigned char *p, size_t n)
{
    uint64_t word, high = 0;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        memcpy(&word, p + i, 8);
        high |= word;
    }
    for (; i < n; i++) {
        high |= p[i];
    }
    return (high & UINT64_C(0x8080808080808080)) != 0;
}

/* Nonzero if any of the eight bytes of word is below 0x20, '"', '\\' or 0x80 and above. Each
 * term is exact for the word as a whole (the high bit of some byte is set if and only if one
 * byte matches); a byte of 0x80 and above sets it itself. */
static inline uint64_t
special8(uint64_t word)
{
    const uint64_t ones = UINT64_C(0x0101010101010101);
    uint64_t quote = word ^ (ones * '"'), slash = word ^ (ones * '\\');

    return (((word - ones * 0x20) & ~word) | ((quote - ones) & ~quote) | ((slash - ones) & ~slash) |
            word) &
           UINT64_C(0x8080808080808080);
}

/* The number of bytes at the start of p[0..n) that json_dumps writes as they are: none is
 * escaped or 0x80 and above (eight at a time: a word with none of them is skipped whole). */
static size_t
plain_prefix(const unsigned char *p, size_t n)
{
    uint64_t word;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        memcpy(&word, p + i, 8);
        if (special8(word) != 0) {
            break;
        }
    }
    while (i < n && !escaped[p[i]] && p[i] < 0x80) {
        i++;
    }
    return i;
}

int
tx_json_write_string(tx_jw *w, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    char seq[8];
    size_t len = strlen(s), i = plain_prefix(p, len);

    if (i == len) { /* most strings: ids, codes, hex, plain text */
        tx_jw_putc(w, '"');
        tx_jw_put(w, s, len);
        tx_jw_putc(w, '"');
        return TX_OK;
    }
    if (any_high(p + i, len - i) && !tx_utf8_valid(s, len)) {
        return TX_ERR_BAD_UTF8;
    }
    /* Runs of bytes copied as they are, then one escape. */
    tx_jw_putc(w, '"');
    tx_jw_put(w, s, i);
    while (i < len) {
        size_t end = i;
        while (end < len && !escaped[p[end]]) {
            end++;
        }
        tx_jw_put(w, s + i, end - i);
        if (end < len) {
            tx_jw_puts(w, escape(p[end], seq));
            end++;
        }
        i = end;
    }
    tx_jw_putc(w, '"');
    return TX_OK;
}

void
tx_json_write_int(tx_jw *w, int64_t i)
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
    tx_jw_put(w, d, (size_t)(digits + sizeof digits - d));
}

/* A real that is a whole number of tenths (a score: tx_score_round), written as write_real
 * would write it without printf. The double nearest t / 10 with |t| < 10^precision (precision
 * 2..15) has t / 10 as its shortest form at that precision, and "%g" writes it without an
 * exponent ("72.3", "-4.0"). Zero (signed or not), fractions of tenths, big values and
 * other precisions are left to printf. Returns 0 when it wrote nothing. */
static int
write_tenths(tx_jw *w, double d, int precision)
{
    static const double limit[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6, 1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14}; /* 10^(precision - 1) */
    char digits[24], *p = digits + sizeof digits;
    long long t;
    uint64_t u;

    if (precision < 2 || (size_t)precision > sizeof limit / sizeof limit[0] || d == 0 ||
        !(fabs(d) < limit[precision - 1])) {
        return 0;
    }
    t = llround(d * 10.0);
    if ((double)t / 10.0 != d) {
        return 0;
    }
    u = t < 0 ? (uint64_t)-t : (uint64_t)t;
    *--p = (char)('0' + u % 10);
    *--p = '.';
    u /= 10;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    if (t < 0) {
        *--p = '-';
    }
    tx_jw_put(w, p, (size_t)(digits + sizeof digits - p));
    return 1;
}

/* jansson's dtostr: "%.*g" (17 digits when no precision is given), the locale's decimal point
 * made '.', ".0" added when the text would read back as an integer, the exponent without '+'
 * and leading zeros. */
static void
write_real(tx_jw *w, double d, int precision)
{
    char buf[64], *e;
    const char *point;
    int n;

    if (write_tenths(w, d, precision)) {
        return;
    }
    point = localeconv()->decimal_point;
    n = snprintf(buf, sizeof buf - 2, "%.*g", precision ? precision : 17, d);
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
    tx_jw_puts(w, buf);
}

/* A new line at `level` (indent > 0), else the space after a "," (`space`). */
static void
next_line(tx_jw *w, int indent, int level, int space)
{
    static const char spaces[] = "\n                ";

    if (indent > 0) {
        size_t n = 1 + (size_t)(indent * level);
        tx_jw_put(w, spaces, n < sizeof spaces ? n : sizeof spaces - 1);
        for (n = n < sizeof spaces ? 0 : n - (sizeof spaces - 1); n > 0; n--) {
            tx_jw_putc(w, ' ');
        }
    } else if (space) {
        tx_jw_putc(w, ' ');
    }
}

static int
write_at(tx_jw *w, const json_t *v, int indent, int precision, int level)
{
    const char *key;
    json_t *m;
    size_t i;
    int rc = TX_OK, first = 1;

    switch (json_typeof(v)) {
    case JSON_NULL:
        tx_jw_puts(w, "null");
        return TX_OK;
    case JSON_TRUE:
        tx_jw_puts(w, "true");
        return TX_OK;
    case JSON_FALSE:
        tx_jw_puts(w, "false");
        return TX_OK;
    case JSON_INTEGER:
        tx_json_write_int(w, json_integer_value(v));
        return TX_OK;
    case JSON_REAL:
        write_real(w, json_real_value(v), precision);
        return TX_OK;
    case JSON_STRING:
        return tx_json_write_string(w, json_string_value(v));
    case JSON_ARRAY:
        if (json_array_size(v) == 0) {
            tx_jw_puts(w, "[]");
            return TX_OK;
        }
        tx_jw_putc(w, '[');
        json_array_foreach(v, i, m)
        {
            if (i > 0) {
                tx_jw_putc(w, ',');
            }
            next_line(w, indent, level + 1, i > 0);
            if ((rc = write_at(w, m, indent, precision, level + 1)) != TX_OK) {
                return rc;
            }
        }
        next_line(w, indent, level, 0);
        tx_jw_putc(w, ']');
        return TX_OK;
    case JSON_OBJECT:
        if (json_object_size(v) == 0) {
            tx_jw_puts(w, "{}");
            return TX_OK;
        }
        tx_jw_putc(w, '{');
        json_object_foreach((json_t *)v, key, m)
        {
            if (!first) {
                tx_jw_putc(w, ',');
            }
            next_line(w, indent, level + 1, !first);
            first = 0;
            if ((rc = tx_json_write_string(w, key)) != TX_OK) {
                return rc;
            }
            tx_jw_puts(w, ": ");
            if ((rc = write_at(w, m, indent, precision, level + 1)) != TX_OK) {
                return rc;
            }
        }
        next_line(w, indent, level, 0);
        tx_jw_putc(w, '}');
        return TX_OK;
    }
    return TX_ERR_INTERNAL;
}

int
tx_json_write_value(tx_jw *w, const json_t *v, size_t flags, int depth)
{
    if (v == NULL) {
        return TX_ERR_INTERNAL;
    }
    return write_at(w, v, (int)(flags & JSON_MAX_INDENT), (int)((flags >> 11) & 0x1F), depth);
}

/* What comes before a value: at the object's own level its member's line and name, inside a
 * value ", " between elements and the name of an object's member. 0 when the value may be
 * written. */
static int
before_value(tx_jw_emit *je)
{
    static const char spaces[] = "                ";
    tx_jw *w = je->w;
    int first = je->level < TX_EMIT_DEPTH ? je->first[je->level] : 0;
    int in_array = je->level > 0 && je->level < TX_EMIT_DEPTH && je->is_array[je->level];
    const char *key = je->key;

    je->key = NULL;
    if (je->e.rc != TX_OK || je->level >= TX_EMIT_DEPTH || (!in_array && key == NULL)) {
        je->e.rc = je->e.rc != TX_OK ? je->e.rc : TX_ERR_INTERNAL;
        return -1;
    }
    je->first[je->level] = 0;
    if (je->level == 0) {
        tx_jw_puts(w, first ? "\n" : ",\n");
        for (int left = 2 * je->depth; left > 0; left -= (int)sizeof spaces - 1) {
            tx_jw_put(w, spaces, left < (int)sizeof spaces - 1 ? (size_t)left : sizeof spaces - 1);
        }
    } else if (!first) {
        tx_jw_puts(w, ", ");
    }
    if (!in_array) {
        tx_jw_putc(w, '"');
        tx_jw_puts(w, key); /* our own member names: nothing to escape */
        tx_jw_puts(w, "\": ");
    }
    return 0;
}

static void
je_open(tx_emit *e, int array)
{
    tx_jw_emit *je = (tx_jw_emit *)e;

    if (before_value(je) == 0) {
        tx_jw_putc(je->w, array ? '[' : '{');
    }
    /* Counted even when not written, so that its tx_emit_end matches. */
    if (++je->level < TX_EMIT_DEPTH) {
        je->first[je->level] = 1;
        je->is_array[je->level] = array;
    } else if (je->e.rc == TX_OK) {
        je->e.rc = TX_ERR_INTERNAL;
    }
}

static void
je_close(tx_emit *e)
{
    tx_jw_emit *je = (tx_jw_emit *)e;

    if (je->level > 0) {
        if (je->e.rc == TX_OK) {
            tx_jw_putc(je->w, je->is_array[je->level] ? ']' : '}');
        }
        je->level--;
    }
}

static void
je_key(tx_emit *e, const char *key)
{
    ((tx_jw_emit *)e)->key = key;
}

static void
je_string(tx_emit *e, const char *s)
{
    tx_jw_emit *je = (tx_jw_emit *)e;

    if (before_value(je) == 0) {
        je->e.rc = tx_json_write_string(je->w, s);
    }
}

static void
je_integer(tx_emit *e, int64_t i)
{
    tx_jw_emit *je = (tx_jw_emit *)e;

    if (before_value(je) == 0) {
        tx_json_write_int(je->w, i);
    }
}

static void
je_real(tx_emit *e, double d)
{
    tx_jw_emit *je = (tx_jw_emit *)e;

    if (before_value(je) == 0) {
        write_real(je->w, d, (int)((je->flags >> 11) & 0x1F));
    }
}

static void
je_boolean(tx_emit *e, int b)
{
    tx_jw_emit *je = (tx_jw_emit *)e;

    if (before_value(je) == 0) {
        tx_jw_puts(je->w, b ? "true" : "false");
    }
}

static void
je_null(tx_emit *e)
{
    tx_jw_emit *je = (tx_jw_emit *)e;

    if (before_value(je) == 0) {
        tx_jw_puts(je->w, "null");
    }
}

static void
je_json(tx_emit *e, json_t *v)
{
    tx_jw_emit *je = (tx_jw_emit *)e;

    if (v == NULL) {
        je->key = NULL; /* left out */
        return;
    }
    if (before_value(je) == 0) {
        je->e.rc = tx_json_write_value(je->w, v, je->flags, 0);
    }
    json_decref(v);
}

static const tx_emit_ops writer_ops = {je_open, je_close,   je_key,  je_string, je_integer,
                                       je_real, je_boolean, je_null, je_json};

void
tx_jw_emit_init(tx_jw_emit *je, tx_jw *w, int depth, size_t flags)
{
    je->e.ops = &writer_ops;
    je->e.rc = TX_OK;
    je->w = w;
    je->flags = flags;
    je->depth = depth;
    je->level = 0;
    je->first[0] = 1;
    je->is_array[0] = 0;
    je->key = NULL;
}

/* stderr log lines: time (RFC 3339, UTC), level, message and fields, as text, logfmt or JSON.
 * Each line is built whole in a bounded buffer and written with one call, so lines from
 * threads do not interleave; what does not fit is cut at a character, never inside an escape. */
#include "tx_log.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int tx_log_level = TX_LOG_INFO;
int tx_log_format = TX_LOG_TEXT;

#define MSG_MAX 1024      /* the message, formatted */
#define LOG_LINE_MAX 8192 /* the line, escaped; room for the message escaped 6 for 1 */
#define LOG_LINE_TAIL 3   /* kept for what closes a cut line: a quote, the brace, the newline */

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int
tx_log_format_parse(const char *name)
{
    static const char *const names[] = {"text", "logfmt", "json"};

    for (int i = 0; name != NULL && i < 3; i++) {
        if (strcmp(name, names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

typedef struct {
    char p[LOG_LINE_MAX];
    size_t len;
    int full; /* something did not fit: nothing more is appended but closers */
} line_buf;

/* Appends a character that closes what was opened (a string's quote, the object's brace, the
 * newline): at most LOG_LINE_TAIL of these follow the point where the line was cut. */
static void
put_closer(line_buf *b, char c)
{
    if (b->len < sizeof b->p) {
        b->p[b->len++] = c;
    }
}

/* Appends n bytes if they fit (leaving LOG_LINE_TAIL); returns 0 when they did not, and from
 * then on appends nothing more, so a cut line ends with whole parts. */
static int
put_n(line_buf *b, const char *s, size_t n)
{
    if (b->full || b->len + n + LOG_LINE_TAIL > sizeof b->p) {
        b->full = 1;
        return 0;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 1;
}

static int
put_s(line_buf *b, const char *s)
{
    return put_n(b, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 when it is not one. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t c;

    if (s[0] < 0x80) {
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2, c = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3, c = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4, c = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
        (len == 4 && (c < 0x10000 || c > 0x10ffff))) {
        return 0;
    }
    return len;
}

/* Appends s as the inside of a JSON or logfmt string: ", \ and control characters escaped,
 * bytes that are not UTF-8 replaced with U+FFFD. */
static void
put_escaped(line_buf *b, const char *s, int json)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    char esc[8];

    for (size_t i = 0; i < n;) {
        size_t len = utf8_len(u + i, n - i);
        int ok;

        if (len == 0) {
            ok = put_s(b, "\xef\xbf\xbd");
            len = 1;
        } else if (u[i] == '"' || u[i] == '\\') {
            esc[0] = '\\', esc[1] = (char)u[i];
            ok = put_n(b, esc, 2);
        } else if (u[i] == '\n') {
            ok = put_s(b, "\\n");
        } else if (u[i] == '\t') {
            ok = put_s(b, "\\t");
        } else if (u[i] == '\r') {
            ok = put_s(b, "\\r");
        } else if (u[i] < 0x20 || u[i] == 0x7f) {
            snprintf(esc, sizeof esc, json ? "\\u%04x" : "\\x%02x", u[i]);
            ok = put_s(b, esc);
        } else {
            ok = put_n(b, s + i, len);
        }
        if (!ok) {
            return;
        }
        i += len;
    }
}

/* True when a logfmt value can go without quotes: no space, quote, '=', backslash or control
 * character, and not empty. */
static int
logfmt_bare(const char *s)
{
    int bare = *s != 0;

    for (const unsigned char *u = (const unsigned char *)s; *u && bare; u++) {
        bare = *u > 0x20 && *u != '"' && *u != '=' && *u != '\\' && *u != 0x7f;
    }
    return bare;
}

/* A field: its opening part goes in whole or not at all, and a string opened is closed. */
static void
put_field(line_buf *b, const tx_log_field *f, int json)
{
    const char *v = f->str != NULL ? f->str : "";
    char head[96];
    char num[24];

    if (f->is_num) {
        snprintf(num, sizeof num, "%llu", f->num);
    }
    if (json) {
        /* Keys are literals of the code ([a-z_]+): no escaping needed. */
        if (f->is_num) {
            snprintf(head, sizeof head, ",\"%.40s\":%s", f->key, num);
            put_s(b, head);
            return;
        }
        snprintf(head, sizeof head, ",\"%.40s\":\"", f->key);
        if (put_s(b, head)) {
            put_escaped(b, v, 1);
            put_closer(b, '"');
        }
        return;
    }
    if (f->is_num || logfmt_bare(v)) {
        snprintf(head, sizeof head, " %.40s=%s", f->key, f->is_num ? num : "");
        if (put_s(b, head) && !f->is_num) {
            /* A bare value cut short is still a bare value. */
            put_escaped(b, v, 0);
        }
        return;
    }
    snprintf(head, sizeof head, " %.40s=\"", f->key);
    if (put_s(b, head)) {
        put_escaped(b, v, 0);
        put_closer(b, '"');
    }
}

static void write_line(int level, const tx_log_field *fields, size_t n, const char *fmt,
                       va_list ap) __attribute__((format(printf, 4, 0)));

static void
write_line(int level, const tx_log_field *fields, size_t n, const char *fmt, va_list ap)
{
    char stamp[48], msg[MSG_MAX];
    const char *name = level_names[level & 3];
    struct timespec ts;
    struct tm tm;
    line_buf b;
    size_t len;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    len = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(stamp + len, sizeof stamp - len, ".%03ldZ", ts.tv_nsec / 1000000);
    vsnprintf(msg, sizeof msg, fmt, ap);
    b.len = 0;
    b.full = 0;
    switch (tx_log_format) {
    case TX_LOG_JSON:
        put_s(&b, "{\"time\":\"");
        put_s(&b, stamp);
        put_s(&b, "\",\"level\":\"");
        put_s(&b, name);
        put_s(&b, "\",\"msg\":\"");
        put_escaped(&b, msg, 1);
        put_closer(&b, '"');
        for (size_t i = 0; i < n; i++) {
            put_field(&b, &fields[i], 1);
        }
        put_closer(&b, '}');
        break;
    case TX_LOG_LOGFMT:
        put_s(&b, "time=");
        put_s(&b, stamp);
        put_s(&b, " level=");
        put_s(&b, name);
        put_s(&b, " msg=\"");
        put_escaped(&b, msg, 0);
        put_closer(&b, '"');
        for (size_t i = 0; i < n; i++) {
            put_field(&b, &fields[i], 0);
        }
        break;
    default:
        /* Today's line, as it always was. */
        put_s(&b, stamp);
        put_s(&b, " ");
        put_s(&b, name);
        put_s(&b, " ");
        put_s(&b, msg);
        break;
    }
    put_closer(&b, '\n');
    fwrite(b.p, 1, b.len, stderr);
}

void
tx_log_write(int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    write_line(level, NULL, 0, fmt, ap);
    va_end(ap);
}

void
tx_log_fields(int level, const tx_log_field *fields, size_t n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    write_line(level, fields, n, fmt, ap);
    va_end(ap);
}

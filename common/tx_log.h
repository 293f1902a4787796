/* Leveled logging to stderr, one line per event, as text (the default), logfmt or JSON. The
 * level is checked before anything is formatted. Log ids and fingerprints, never keys or
 * payloads. */
#ifndef TX_LOG_H
#define TX_LOG_H

#include <stddef.h>

enum { TX_LOG_ERROR = 0, TX_LOG_WARN = 1, TX_LOG_INFO = 2, TX_LOG_DEBUG = 3 };

/* How a line is written:
 *   text:   2026-12-02T13:42:43.123Z info accepted assessment 1f2e3d4c5b6a #12 from SHA256:...
 *   logfmt: time=2026-12-02T13:42:43.123Z level=info msg="accepted ..." kind=assessment ...
 *   json:   {"time":"2026-12-02T13:42:43.123Z","level":"info","msg":"accepted ...",...}
 * Time is RFC 3339 in UTC with milliseconds. Fields (tx_log_kv) appear in logfmt and JSON
 * only: the text line stays what it always was. */
enum { TX_LOG_TEXT = 0, TX_LOG_LOGFMT = 1, TX_LOG_JSON = 2 };

extern int tx_log_level;
extern int tx_log_format;

/* The TX_LOG_* format named "text", "logfmt" or "json"; -1 for anything else. */
int tx_log_format_parse(const char *name);

/* One key=value field of a line. A string value, or a number when is_num. */
typedef struct {
    const char *key; /* [a-z_]+ */
    const char *str;
    unsigned long long num;
    int is_num;
} tx_log_field;

#define TX_KV(k, v) ((tx_log_field){.key = (k), .str = (v)})
#define TX_KN(k, v) ((tx_log_field){.key = (k), .num = (unsigned long long)(v), .is_num = 1})

void tx_log_write(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* tx_log_write with n fields beside the message. */
void tx_log_fields(int level, const tx_log_field *fields, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define tx_log(level, ...)                                                                         \
    do {                                                                                           \
        if ((level) <= tx_log_level) {                                                             \
            tx_log_write((level), __VA_ARGS__);                                                    \
        }                                                                                          \
    } while (0)

/* tx_log with fields: tx_log_kv(TX_LOG_INFO, TX_FIELDS(TX_KV("id", id), TX_KN("index", i)),
 * "accepted %s #%llu", id, i). */
#define TX_FIELDS(...)                                                                             \
    ((const tx_log_field[]){__VA_ARGS__}),                                                         \
        (sizeof((const tx_log_field[]){__VA_ARGS__}) / sizeof(tx_log_field))
#define tx_log_kv(level, fields, ...)                                                              \
    do {                                                                                           \
        if ((level) <= tx_log_level) {                                                             \
            tx_log_fields((level), fields, __VA_ARGS__);                                           \
        }                                                                                          \
    } while (0)

#define tx_error(...) tx_log(TX_LOG_ERROR, __VA_ARGS__)
#define tx_warn(...) tx_log(TX_LOG_WARN, __VA_ARGS__)
#define tx_info(...) tx_log(TX_LOG_INFO, __VA_ARGS__)
#define tx_debug(...) tx_log(TX_LOG_DEBUG, __VA_ARGS__)

#endif

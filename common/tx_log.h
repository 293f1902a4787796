/* Leveled logging to stderr. The level is checked before anything is formatted.
 * Log ids and fingerprints, never keys or payloads. */
#ifndef TX_LOG_H
#define TX_LOG_H

enum { TX_LOG_ERROR = 0, TX_LOG_WARN = 1, TX_LOG_INFO = 2, TX_LOG_DEBUG = 3 };

extern int tx_log_level;

void tx_log_write(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define tx_log(level, ...)                                                                         \
    do {                                                                                           \
        if ((level) <= tx_log_level) {                                                             \
            tx_log_write((level), __VA_ARGS__);                                                    \
        }                                                                                          \
    } while (0)

#define tx_error(...) tx_log(TX_LOG_ERROR, __VA_ARGS__)
#define tx_warn(...) tx_log(TX_LOG_WARN, __VA_ARGS__)
#define tx_info(...) tx_log(TX_LOG_INFO, __VA_ARGS__)
#define tx_debug(...) tx_log(TX_LOG_DEBUG, __VA_ARGS__)

#endif

/* stderr log lines: UTC time, level, message. */
#include "tx_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

int tx_log_level = TX_LOG_INFO;

void
tx_log_write(int level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    char stamp[32];
    struct timespec ts;
    struct tm tm;
    char line[1024];
    va_list ap;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* One fprintf per line so lines from threads do not interleave. */
    fprintf(stderr, "%s.%03ldZ %s %s\n", stamp, ts.tv_nsec / 1000000, names[level & 3], line);
}

/* sd_notify for the hub, or nothing when the hub is built without libsystemd. */
#include "tx_notify.h"

#include <stdarg.h>
#include <stdio.h>

#ifdef TX_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

void
tx_notify(const char *fmt, ...)
{
#ifdef TX_HAVE_SYSTEMD
    char text[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    (void)sd_notify(0, text);
#else
    (void)fmt;
#endif
}

int64_t
tx_notify_watchdog_ms(void)
{
#ifdef TX_HAVE_SYSTEMD
    uint64_t usec = 0;

    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        return (int64_t)(usec / 2000);
    }
#endif
    return 0;
}

/* Telling the service manager how the hub is (systemd's Type=notify): READY=1 once it takes
 * calls, STATUS= lines, STOPPING=1, and WATCHDOG=1 when the unit asks for it. Through
 * libsystemd's sd_notify when the hub is built with it (TX_HAVE_SYSTEMD), else nothing; a
 * no-op too when $NOTIFY_SOCKET is not set, as outside systemd. */
#ifndef TX_NOTIFY_H
#define TX_NOTIFY_H

#include <stdint.h>

/* Sends one notification: newline-separated "KEY=VALUE" lines, formatted like printf. Failures
 * are ignored: the hub serves the same either way. */
void tx_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* How often to send WATCHDOG=1, in milliseconds (half of the unit's WatchdogSec=), or 0 when
 * no watchdog is asked for. */
int64_t tx_notify_watchdog_ms(void);

#endif

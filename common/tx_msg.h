/* The human-readable detail of the last failure on this thread, so a library function can
 * return a tx_err code and still tell the command line exactly what went wrong and what to do
 * ("identity.key is readable by others: run chmod 600 PATH"). */
#ifndef TX_MSG_H
#define TX_MSG_H

/* Records the detail and returns `code`, so callers write `return tx_fail(rc, "...")`. The
 * format is translated (tx_i18n.h): write it in English; xgettext extracts it. */
int tx_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The detail set by the last tx_fail on this thread, or "" after tx_fail_clear().
 * Borrowed until the next tx_fail on this thread. */
const char *tx_fail_msg(void);

void tx_fail_clear(void);

#endif

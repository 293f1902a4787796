/* The hub's metrics and health over HTTP (libmicrohttpd, its own thread): /metrics in the
 * Prometheus text exposition format, /healthz and /readyz; GET only, nothing else served. Off
 * unless `ticsx-hub run --metrics ADDR:PORT`; loopback only unless remote scraping is allowed
 * explicitly. It reads the counters of tx_stats and never a record, key or name. */
#ifndef TX_METRICS_H
#define TX_METRICS_H

#include "tx_stats.h"
#include "tx_vpool.h"

#include <stddef.h>
#include <sys/socket.h>

/* Default port when ADDR:PORT names none; Prometheus's registry has no ticsx entry, so this
 * is only a convention (the OpenTelemetry exporters' port). */
#define TX_METRICS_DEFAULT_PORT 9464

/* A parsed --metrics address. */
typedef struct {
    struct sockaddr_storage sa;
    socklen_t len;
    int loopback; /* 127.0.0.0/8 or ::1 */
} tx_metrics_addr;

/* Parses "HOST:PORT" where HOST is an IPv4 address, an IPv6 address in brackets ("[::1]:9464")
 * or "localhost" (127.0.0.1; no other name is looked up), and PORT 0 to 65535 (0: any free
 * one). A non-loopback HOST is TX_ERR_FORBIDDEN unless allow_remote. TX_ERR_USAGE for text
 * that is not such an address. The reason is in tx_fail_msg(). */
int tx_metrics_parse(const char *text, int allow_remote, tx_metrics_addr *out);

typedef struct tx_metrics tx_metrics;

/* Listens on addr and serves the pages from a thread of its own (it inherits the caller's
 * signal mask). dir is the data directory (for data.mdb's size); stats and pool (may be NULL)
 * are borrowed until tx_metrics_stop. TX_ERR_NET (address in use, not local), with the reason
 * in tx_fail_msg(). Caller owns *out (tx_metrics_stop). */
int tx_metrics_start(const tx_metrics_addr *addr, const char *dir, tx_stats *stats, tx_vpool *pool,
                     tx_metrics **out);

/* Where it listens, "http://127.0.0.1:9464" (the port bound when 0 was asked). Borrowed. */
const char *tx_metrics_url(const tx_metrics *m);

/* Stops serving (waits for the requests in flight) and frees; *m_p becomes NULL. NULL is
 * fine. */
void tx_metrics_stop(tx_metrics **m_p);

/* The text /metrics answers with, as of now, into a malloc'd string (*out, length *len).
 * TX_ERR_NOMEM. */
int tx_metrics_render(tx_stats *stats, tx_vpool *pool, const char *dir, char **out, size_t *len);

#endif

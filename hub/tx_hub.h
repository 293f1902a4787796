/* The hub server: a ROUTER socket with CURVE behind the ZAP allow-list, one thread, one poll
 * loop with a periodic tick. Each round drains waiting calls; all submits of a round are
 * ingested in one write transaction and answered only after it commits (group commit). */
#ifndef TX_HUB_H
#define TX_HUB_H

#include "tx_metrics.h"
#include "tx_store_check.h"

#include <stddef.h>

#define TX_HUB_DEFAULT_BIND "tcp://127.0.0.1:7700"

typedef struct {
    const char *dir;         /* data directory made by tx_hub_init */
    const char *bind;        /* ZeroMQ endpoint; "tcp://127.0.0.1:*" picks a free port */
    size_t map_size;         /* LMDB map size in bytes; 0 keeps the environment's */
    unsigned workers;        /* verification threads; 0: one per online CPU */
    const tx_metrics_addr *metrics; /* serve /metrics, /healthz, /readyz there; NULL: off */
    const char *metrics_text;       /* how the operator wrote that address, for messages */
    /* The full check of the store, started before (tx_store_check_bg_start) and followed while
     * serving; tx_hub_run stops and frees it. NULL: the full check passed before serving. */
    tx_store_check_bg *check;
} tx_hub_options;

/* Serves until SIGTERM or SIGINT, then finishes the round in flight (commit and replies) and
 * returns TX_OK. Holds an flock on DIR/hub.lock (TX_ERR_LOCKED if another hub has it), writes
 * the bound endpoint to DIR/endpoint, and refuses to start (TX_ERR_NET) if the ZAP handler
 * cannot be bound, or the metrics address when one is given. Turns off core dumps for the process.
 */
int tx_hub_run(const tx_hub_options *opt);

#endif

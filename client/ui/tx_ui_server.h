/* What the UI's server parts share among themselves (tx_ui.c, tx_ui_http.c, tx_ui_events.c)
 * and nobody else uses: the event streams' life cycle and the HTTP daemon's. Handlers use
 * tx_ui_event (tx_ui_app.h) and never these. */
#ifndef TX_UI_SERVER_H
#define TX_UI_SERVER_H

#include "tx_ui_app.h"

#include <stddef.h>
#include <sys/types.h>

/* ---- event streams (tx_ui_events.c) ---- */

/* Open streams at the most; one more is refused (503), so pages cannot hold every thread. */
#define TX_UI_STREAMS_MAX 16
/* Events queued per stream; past it the oldest is dropped (a slow page never blocks a sender). */
#define TX_UI_STREAM_QUEUE 64
/* Seconds between keep-alive comments on an idle stream. */
#define TX_UI_KEEPALIVE_S 15

typedef struct tx_ui_stream tx_ui_stream;

/* The list of streams, empty. NULL when out of memory. Caller frees (tx_ui_events_free). */
tx_ui_events *tx_ui_events_new(void);

/* Ends every open stream: their readers return -1 from now on. */
void tx_ui_events_shutdown(tx_ui_events *ev);

/* Frees the list; every stream must have been closed (tx_ui_stream_close) before. */
void tx_ui_events_free(tx_ui_events **ev_p);

/* A new stream that receives every event sent from now on. TX_ERR_BUSY when TX_UI_STREAMS_MAX
 * are open, TX_ERR_NOMEM. Caller closes it (tx_ui_stream_close). */
int tx_ui_stream_open(tx_ui_events *ev, tx_ui_stream **out);

/* Copies up to n bytes of the stream's text (whole events, or a keep-alive comment once
 * TX_UI_KEEPALIVE_S seconds passed without anything sent) into buf, waiting at most wait_ms for
 * some. Returns the byte count, 0 when nothing came in wait_ms, or -1 once the stream was shut
 * down. */
ssize_t tx_ui_stream_read(tx_ui_stream *s, char *buf, size_t n, int wait_ms);

/* Takes the stream off the list and frees it. NULL is fine. */
void tx_ui_stream_close(tx_ui_stream *s);

/* ---- the HTTP daemon (tx_ui_http.c) ---- */

typedef struct tx_ui_server tx_ui_server;

/* Listens on 127.0.0.1:port (0: any free port) and serves app. `token` (64 hex) is the one-time
 * token of the first URL; `ja` the language when a request names none; `version` the client's
 * version for /api/session. TX_ERR_USAGE when the port is taken (message says what to do),
 * TX_ERR_NET when the daemon cannot start, TX_ERR_NOMEM. Caller stops it (tx_ui_server_stop). */
int tx_ui_server_start(tx_ui_app *app, unsigned port, const char *token, int ja,
                       const char *version, tx_ui_server **out);

/* The port it listens on. */
unsigned tx_ui_server_port(const tx_ui_server *s);

/* Ends the event streams, stops the daemon (joining its threads) and frees it. NULL is fine. */
void tx_ui_server_stop(tx_ui_server **s_p);

#endif

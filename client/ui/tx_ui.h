/* ticsx ui: the exchange in a browser. A local HTTP server (libmicrohttpd) on 127.0.0.1 serving
 * the page's assets, embedded in the binary, and a small JSON API over the same client
 * libraries as the CLI; the browser never receives a secret key and decrypted data never leaves
 * this machine. The first URL carries a one-time token that becomes a cookie. */
#ifndef TX_UI_H
#define TX_UI_H

#include "tx_client.h"

#include <signal.h>
#include <stdio.h>

typedef struct {
    tx_client_opts client; /* home, hub, hub key, timeout: as for every command */
    unsigned port;         /* 0: any free port */
    int no_browser;        /* do not open the default browser */
    int ja;                /* language of the first page when the browser names neither */
    FILE *out;             /* where the URL is printed (stdout when NULL) */
    const volatile sig_atomic_t *stop; /* set by a signal handler: stop serving, return TX_OK */
} tx_ui_opts;

/* Serves until *o->stop is set. Prints "URL" (with the one-time token) on its own line once the
 * server listens, then opens it in the default browser unless o->no_browser.
 * Codes: TX_ERR_USAGE (port taken, home not usable, message set), TX_ERR_NOMEM, TX_ERR_NET. */
int tx_ui_run(const tx_ui_opts *o);

#endif

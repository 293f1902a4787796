/* ticsx ui: opens the client, starts the HTTP server and the watcher, prints the URL. */
#include "tx_ui.h"

#include "tx_error.h"
#include "tx_msg.h"

int
tx_ui_run(const tx_ui_opts *o)
{
    (void)o;
    return tx_fail(TX_ERR_INTERNAL, "ui: not built yet");
}

/* The event streams (Server-Sent Events) to the open pages. */
#include "tx_ui_app.h"

void
tx_ui_event(tx_ui_app *app, const char *event, json_t *data)
{
    (void)app;
    (void)event;
    json_decref(data);
}

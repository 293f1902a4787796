/* The buyer's report model, kept in memory between requests. */
#include "tx_ui_app.h"

#include "tx_error.h"

void
tx_ui_model_invalidate(tx_ui_app *app)
{
    (void)app;
}

int
tx_ui_model_build(tx_ui_app *app)
{
    (void)app;
    return TX_OK;
}

int
tx_ui_model_refresh(tx_ui_app *app, json_t **summary)
{
    (void)app;
    if (summary != NULL) {
        *summary = NULL;
    }
    return TX_OK;
}

void
tx_ui_model_free(tx_ui_app *app)
{
    (void)app;
}

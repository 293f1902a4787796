/* The supplier's API: inbox, questionnaires, drafts, live score, answering and sharing. */
#include "tx_ui_app.h"
#include "tx_ui_http.h"

const tx_ui_route tx_ui_supplier_routes[] = {{NULL, NULL, NULL, 0}};
const size_t tx_ui_supplier_n_routes = 0;

/* The buyer's API: dashboard, supply tree, supplier page, requests, exports. */
#include "tx_ui_app.h"
#include "tx_ui_http.h"

const tx_ui_route tx_ui_buyer_routes[] = {{NULL, NULL, NULL, 0}};
const size_t tx_ui_buyer_n_routes = 0;

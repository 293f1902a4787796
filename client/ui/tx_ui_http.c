/* The UI's HTTP server (libmicrohttpd): security checks, routes, assets, event streams. */
#include "tx_ui_http.h"

# The HTTP server of ticsx ui, attacked over raw TCP against the real ticsx and ticsx-hub: Host,
# session cookie, one-time token, CSRF and origin, body limits, CSP, path traversal, the bound
# address, no secret key in responses, and the event stream fed by the hub's watch.
tx_add_test(test_ui_http SOURCES test_ui_http.c
            LIBS tx_test_harness tx_common PkgConfig::JANSSON TIMEOUT 300)
add_dependencies(test_ui_http ticsx ticsx-hub)

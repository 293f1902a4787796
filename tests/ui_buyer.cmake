# The buyer's side of the web UI (ticsx ui): its JSON API through the dispatcher, in this process,
# over a buyer's home that a real ticsx-hub and the real ticsx binary filled.
tx_add_test(test_ui_buyer SOURCES test_ui_buyer.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON TIMEOUT 300)
add_dependencies(test_ui_buyer ticsx ticsx-hub)

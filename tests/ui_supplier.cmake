# The supplier's side of ticsx ui through its dispatcher: a real hub, real homes, the buyer's
# real ticsx checking what the supplier's API sent; drafts, the self-check without a hub.
tx_add_test(test_ui_supplier SOURCES test_ui_supplier.c
            LIBS tx_test_harness tx_ui PkgConfig::JANSSON TIMEOUT 600)
add_dependencies(test_ui_supplier ticsx ticsx-hub)

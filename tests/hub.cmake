# Hub tests: the store against a real LMDB, and the real ticsx-hub binary over loopback with
# CURVE on.
tx_add_test(test_store SOURCES test_store.c LIBS tx_test_harness TIMEOUT 60)
tx_add_test(test_hub SOURCES test_hub.c LIBS tx_test_harness TIMEOUT 120)
# test_hub starts build/hub/ticsx-hub.
add_dependencies(test_hub ticsx-hub)

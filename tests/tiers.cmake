# Tiers: the supply tree's walk and roll-ups on a hand-built tree; and through the real ticsx
# and ticsx-hub binaries, a buyer, two tier-1s and two tier-2s: forward, grant to the origin,
# a loop, a supplier reached twice, and the report's tree.
tx_add_test(test_tiers SOURCES test_tiers.c LIBS tx_client)
tx_add_test(test_tiers_exchange SOURCES test_tiers_exchange.c
            LIBS tx_test_harness PkgConfig::JANSSON PkgConfig::SODIUM TIMEOUT 300)
add_dependencies(test_tiers_exchange ticsx ticsx-hub)

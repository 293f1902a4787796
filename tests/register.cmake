# Public registers: METI's list of certified organisations imported (CSV, Shift_JIS CSV, HTML
# table) and refused with line numbers, published to and fetched from a real hub, publisher pins
# (a rogue publisher's register is ignored), matching outcomes, the date rule and seq, the
# built-in accredited bodies register and a signed one replacing it.
tx_add_test(test_register SOURCES test_register.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON TIMEOUT 300)
add_dependencies(test_register ticsx ticsx-hub)

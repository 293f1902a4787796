# The TICS rules on body-signed certificates: criteria dates, the periodic report's grace,
# renewals; through the library (a chain signed in the test) and through the real ticsx and
# ticsx-hub binaries.
tx_add_test(test_ticsrules SOURCES test_ticsrules.c
            LIBS tx_test_chain tx_test_harness tx_client PkgConfig::JANSSON TIMEOUT 300)
add_dependencies(test_ticsrules ticsx ticsx-hub tx_catalogue)

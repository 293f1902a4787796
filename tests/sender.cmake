# The sender's side: the readers' limits applied before signing (one table, every limit), NUL
# bytes refused where they are, the home's permissions, exact names in --to, and handshakes cut
# by a hub restart; against a real hub and the real binaries.
tx_add_test(test_limits SOURCES test_limits.c LIBS tx_client TIMEOUT 120)
tx_add_test(test_sender SOURCES test_sender.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON TIMEOUT 300)
add_dependencies(test_sender ticsx ticsx-hub)

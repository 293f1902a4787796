# The buyer's acceptance policy: its rule parser, versions in a home, its evaluation on report
# rows (each rule, sub-suppliers, tiers), and a real exchange judged by two versions and none.
tx_add_test(test_policy SOURCES test_policy.c LIBS tx_test_harness tx_client PkgConfig::JANSSON
            TIMEOUT 300)
add_dependencies(test_policy ticsx ticsx-hub tx_catalogue)

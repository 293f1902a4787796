# Declared credentials end to end through the real ticsx and ticsx-hub binaries: credential
# add/list/show/remove (and what add refuses), answer with credentials and their documents, and
# the buyer's judgement of each status in verify and the report.
tx_add_test(test_credentials SOURCES test_credentials.c LIBS tx_test_harness PkgConfig::JANSSON
            PkgConfig::SODIUM
            TIMEOUT 300)
add_dependencies(test_credentials ticsx ticsx-hub tx_catalogue)

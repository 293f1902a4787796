# ticsx history through the real ticsx and ticsx-hub binaries: a request, answers, a supersede,
# grants, a revocation, a forward and a certificate with its periodic report, seen by the buyer
# as a table, JSON and CSV; an unproven record left out.
tx_add_test(test_history SOURCES test_history.c LIBS tx_test_harness PkgConfig::JANSSON TIMEOUT 300)
add_dependencies(test_history ticsx ticsx-hub)

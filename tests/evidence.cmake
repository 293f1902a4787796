# Evidence files end to end on a real hub with the real binaries: attach, fetch, check, list and
# write; and the attacks (another signer's chunk listed, oversize, non-grantee and revoked
# fetches, swapped / foreign / altered / damaged pieces).
tx_add_test(test_evidence SOURCES test_evidence.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON PkgConfig::SODIUM TIMEOUT 600)
add_dependencies(test_evidence ticsx ticsx-hub)
# Remediation plans end to end (answer with plans, report, verify, plan list|done, policy
# plan_days and max_overdue) and that no outsider sees them.
tx_add_test(test_items SOURCES test_items.c LIBS tx_test_harness tx_client PkgConfig::JANSSON
            TIMEOUT 300)
add_dependencies(test_items ticsx ticsx-hub)

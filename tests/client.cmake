# Client tests: questionnaires, scoring and answer files; the home, sequence counter, cache and
# verification from it; and the whole exchange driven through the real ticsx and ticsx-hub
# binaries over loopback with CURVE on.
tx_add_test(test_questionnaire SOURCES test_questionnaire.c LIBS tx_client TIMEOUT 60)
tx_add_test(test_plan SOURCES test_plan.c LIBS tx_client)
tx_add_test(test_client SOURCES test_client.c
            LIBS tx_test_harness tx_client TIMEOUT 60)
tx_add_test(test_exchange SOURCES test_exchange.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON TIMEOUT 300)
# test_exchange runs build/client/ticsx and build/hub/ticsx-hub.
add_dependencies(test_exchange ticsx ticsx-hub)
# The read path: id map, parallel loop, verification once per process, batch cache writes.
tx_add_test(test_readpath SOURCES test_readpath.c LIBS tx_client TIMEOUT 60)
# A signing key resolved through member records to its organisation (client/verify/tx_signer).
tx_add_test(test_signer SOURCES test_signer.c LIBS tx_client tx_test_harness TIMEOUT 60)
# The two-officer rule of a buyer's verify (client/verify/tx_two_officers), forged approvals.
tx_add_test(test_two_officers SOURCES test_two_officers.c LIBS tx_client tx_test_harness TIMEOUT 60)
tx_add_test(test_us SOURCES test_us.c LIBS tx_client tx_test_harness TIMEOUT 60)
# A buyer's verify of records signed by an organisation's people, from a cache a hub filled.
tx_add_test(test_member_verify SOURCES test_member_verify.c LIBS tx_client tx_test_harness TIMEOUT 60)

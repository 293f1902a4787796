# A responder's draft with evidence files (who may fetch them, the buyer's check of the bytes,
# the hub's store) and an approval resumed after it stopped between sending and recording.
tx_add_test(test_draft_evidence SOURCES test_draft_evidence.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON PkgConfig::SODIUM TIMEOUT 300)
add_dependencies(test_draft_evidence ticsx ticsx-hub)

# Trust and questionnaire-data tests: the TICS certificate chain judged through the library
# (statuses, accreditations, pinned keys, verification of an assessment that references a
# certificate), check sheet import, XLSX answer sheets, and the chain driven through the real
# ticsx and ticsx-hub binaries.
tx_add_test(test_trust SOURCES test_trust.c
            LIBS tx_test_chain tx_test_harness tx_client PkgConfig::JANSSON TIMEOUT 60)
tx_add_test(test_import SOURCES test_import.c
            LIBS tx_test_harness tx_client TIMEOUT 60)
tx_add_test(test_xlsx SOURCES test_xlsx.c
            LIBS tx_test_harness tx_client TIMEOUT 60)
tx_add_test(test_excelin SOURCES test_excelin.c
            LIBS tx_test_harness tx_client TIMEOUT 60)
tx_add_test(test_excelin_hub SOURCES test_excelin_hub.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON TIMEOUT 300)
tx_add_test(test_trust_exchange SOURCES test_trust_exchange.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON TIMEOUT 300)
# These run build/client/ticsx (and test_trust_exchange build/hub/ticsx-hub).
add_dependencies(test_import ticsx)
add_dependencies(test_trust_exchange ticsx ticsx-hub)
add_dependencies(test_excelin_hub ticsx ticsx-hub)

# Several questionnaires at once: through a real ticsx-hub, one supplier answers the built-in
# self-check and an imported check sheet; the report per questionnaire, its tree's
# sub-suppliers, --questionnaire and `questionnaire main`; and the split of verdicts by
# questionnaire on hand-built verdicts.
tx_add_test(test_multiq SOURCES test_multiq.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON TIMEOUT 120)
add_dependencies(test_multiq ticsx ticsx-hub)

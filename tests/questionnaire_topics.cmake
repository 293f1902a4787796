# The built-in questionnaire's provenance and topics, topic checks in the codec and at a real
# hub, check sheets imported with topics, `questionnaire show|list` in both languages, and the
# share of each level fully met.
tx_add_test(test_questionnaire_topics SOURCES test_questionnaire_topics.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON TIMEOUT 120)
add_dependencies(test_questionnaire_topics ticsx ticsx-hub)

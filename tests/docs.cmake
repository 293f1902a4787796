# The man pages (English and Japanese) and the bash completion against the programs' --help:
# every command and option they print is documented and completed (tests/check_docs.sh).
add_test(NAME test_docs
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/check_docs.sh $<TARGET_FILE:ticsx>
                 $<TARGET_FILE:ticsx-hub> ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/man
                 "${SCDOC}")
set_tests_properties(test_docs PROPERTIES TIMEOUT 300)

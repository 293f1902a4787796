# The source layout's rule (which folder may use which), checked on every run.
add_test(NAME test_layers COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR}
         -P ${CMAKE_CURRENT_SOURCE_DIR}/check_layers.cmake)

# The image's entry point and demo client, run outside a container against the built programs:
# --help creates nothing, a data directory the hub's uid cannot write is named as a permission
# problem, and the demo client completes an exchange with a hub the entry point started.
# (script/docker-check runs the same scripts in the real image.)
add_test(NAME test_docker_scripts COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_docker_scripts.sh)
set_tests_properties(test_docker_scripts PROPERTIES TIMEOUT 120
    ENVIRONMENT "TX_BUILD_DIR=${CMAKE_BINARY_DIR};TX_SOURCE_DIR=${CMAKE_SOURCE_DIR}")

# Running the hub as an operator does: hub.ini, sd_notify readiness, the systemd units, backups
# beside a running hub, --help and a data directory the hub may not use.
tx_add_test(test_hub_config SOURCES test_hub_config.c LIBS tx_test_harness TIMEOUT 120)
add_dependencies(test_hub_config ticsx-hub)
# sd_notify, a backup beside a PID-1 hub of another PID namespace, dated backups, --help, and a
# data directory the process may not use. TX_HAVE_SYSTEMD says whether the hub was built with
# libsystemd (without it the readiness case skips).
tx_add_test(test_hub_ops SOURCES test_hub_ops.c LIBS tx_test_harness TIMEOUT 180)
add_dependencies(test_hub_ops ticsx-hub)
if(TX_SYSTEMD_FOUND)
    target_compile_definitions(test_hub_ops PRIVATE TX_HAVE_SYSTEMD=1)
endif()
# The systemd units: systemd-analyze verify and security, and (with strace) every system call
# and socket family of the running hub and of a backup against the units' filters. Exit 77:
# skipped (no systemd-analyze).
add_test(NAME test_systemd COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_systemd.sh)
set_tests_properties(test_systemd PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 77
    ENVIRONMENT "TX_BUILD_DIR=${CMAKE_BINARY_DIR};TX_SOURCE_DIR=${CMAKE_SOURCE_DIR}")

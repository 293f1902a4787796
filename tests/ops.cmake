# Running the hub as an operator does: hub.ini, sd_notify readiness, the systemd units, backups
# beside a running hub, --help and a data directory the hub may not use.
tx_add_test(test_hub_config SOURCES test_hub_config.c LIBS tx_test_harness TIMEOUT 120)
add_dependencies(test_hub_config ticsx-hub)

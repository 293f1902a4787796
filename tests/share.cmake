# Sharing tests: the hub's rules for who reads an assessment, replays, supersede and watchers,
# over the wire against the real ticsx-hub; and answer once / share with many through the real
# ticsx and ticsx-hub binaries (grant, revoke, reuse, supersede, watch, what the hub holds).
tx_add_test(test_share_hub SOURCES test_share_hub.c hub_testutil.c LIBS tx_hub_lib TIMEOUT 180)
add_dependencies(test_share_hub ticsx-hub)
tx_add_test(test_share SOURCES test_share.c client_testutil.c hub_testutil.c
            LIBS tx_hub_lib tx_client PkgConfig::JANSSON PkgConfig::SODIUM TIMEOUT 600)
add_dependencies(test_share ticsx ticsx-hub)

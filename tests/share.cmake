# Sharing tests: the hub's rules for who reads an assessment, replays, supersede and watchers,
# over the wire against the real ticsx-hub; and answer once / share with many through the real
# ticsx and ticsx-hub binaries (grant, revoke, reuse, supersede, watch, what the hub holds).
tx_add_test(test_share_hub SOURCES test_share_hub.c LIBS tx_test_harness TIMEOUT 180)
add_dependencies(test_share_hub ticsx-hub)
tx_add_test(test_share SOURCES test_share.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON PkgConfig::SODIUM TIMEOUT 600)
add_dependencies(test_share ticsx ticsx-hub)
# Sharing as people expect it: revocation of a whole version line (and at the hub), forward
# without duplicates, the certificate answer picks, where each assessment is shared.
tx_add_test(test_sharing SOURCES test_sharing.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON PkgConfig::SODIUM TIMEOUT 300)
add_dependencies(test_sharing ticsx ticsx-hub)

# Hub tests: the store against a real LMDB, and the real ticsx-hub binary over loopback with
# CURVE on.
tx_add_test(test_store SOURCES test_store.c LIBS tx_test_harness TIMEOUT 60)
tx_add_test(test_hub SOURCES test_hub.c LIBS tx_test_harness TIMEOUT 120)
# test_hub starts build/hub/ticsx-hub.
add_dependencies(test_hub ticsx-hub)
# Preloaded into ticsx-hub by test_hub and test_crash: each write and flush of checkpoint.signed is delayed, then the file
# copied aside as what a power cut would leave of it (sync_shim.c).
add_library(tx_sync_shim MODULE sync_shim.c)
target_link_libraries(tx_sync_shim PRIVATE ${CMAKE_DL_LIBS})
add_dependencies(test_hub tx_sync_shim)
# fu_signed_shim_on (faults_util.c) names it; test_crash preloads it too.
target_compile_definitions(tx_test_harness PRIVATE TX_SYNC_SHIM="$<TARGET_FILE:tx_sync_shim>")
# The table of wire statuses shared by hub and client: a row per status, code round trip.
tx_add_test(test_status SOURCES test_status.c LIBS tx_proto tx_common)
# The hub's call table, and the read handlers against a real LMDB store.
tx_add_test(test_calls SOURCES test_calls.c hub_unit.c LIBS tx_test_harness TIMEOUT 60)
# The ZAP handler over real ZeroMQ and LMDB: enrolled, unknown and replaced transport keys.
tx_add_test(test_zap SOURCES test_zap.c hub_unit.c LIBS tx_test_harness TIMEOUT 60)
# Watchers over real ZeroMQ and LMDB: a push reaches only who may read the record.
tx_add_test(test_subs SOURCES test_subs.c hub_unit.c LIBS tx_test_harness TIMEOUT 60)
# An organisation's people at the real ticsx-hub: roles, removal, forged member records.
tx_add_test(test_members_hub SOURCES test_members_hub.c LIBS tx_test_harness TIMEOUT 120)
add_dependencies(test_members_hub ticsx-hub)
# An organisation's key replaced by a successor at the real ticsx-hub: admission, refusals, forgeries.
tx_add_test(test_rotation_hub SOURCES test_rotation_hub.c LIBS tx_test_harness TIMEOUT 120)
add_dependencies(test_rotation_hub ticsx-hub)
# ticsx key rotate through the binaries and a real hub: answers before and after, verify, history.
tx_add_test(test_key_cli SOURCES test_key_cli.c LIBS tx_test_harness TIMEOUT 120)
add_dependencies(test_key_cli ticsx-hub ticsx)
# Two officers for grants to new buyers at the real ticsx-hub: waiting, approving, attacks.
tx_add_test(test_twoofficers_hub SOURCES test_twoofficers_hub.c LIBS tx_test_harness TIMEOUT 120)
add_dependencies(test_twoofficers_hub ticsx-hub)
# ticsx member and keygen --member-of through the binaries and a real hub.
tx_add_test(test_member_cli SOURCES test_member_cli.c LIBS tx_test_harness TIMEOUT 120)
add_dependencies(test_member_cli ticsx-hub ticsx)
# ticsx grants: two officers for grants to new buyers through the binaries and a real hub.
tx_add_test(test_twoofficers_cli SOURCES test_twoofficers_cli.c LIBS tx_test_harness TIMEOUT 120)
add_dependencies(test_twoofficers_cli ticsx-hub ticsx)
# In a member's home every command acts for the organisation (watch, requests, assessments, share).
tx_add_test(test_member_home SOURCES test_member_home.c
            LIBS tx_test_harness tx_ui PkgConfig::JANSSON TIMEOUT 180)
add_dependencies(test_member_home ticsx-hub ticsx)
# An assessment's content key sealed to its organisation: any officer or the organisation's home
# shares, supersedes and closes plans of it; a viewer cannot share; no other organisation opens it.
tx_add_test(test_org_keys SOURCES test_org_keys.c
            LIBS tx_test_harness tx_base PkgConfig::JANSSON TIMEOUT 180)
add_dependencies(test_org_keys ticsx-hub ticsx)

# Fault tests against the real ticsx-hub: kill -9 under load, map and disk full, stale
# readers, hot backup, hostile input and abusive clients. Each stays well under a minute.
tx_add_test(test_faults SOURCES test_faults.c LIBS tx_test_harness TIMEOUT 180)
add_dependencies(test_faults ticsx-hub)
tx_add_test(test_crash SOURCES test_crash.c LIBS tx_test_harness TIMEOUT 500)
add_dependencies(test_crash ticsx-hub tx_sync_shim)
tx_add_test(test_hostile SOURCES test_hostile.c LIBS tx_test_harness TIMEOUT 120)
add_dependencies(test_hostile ticsx-hub)
tx_add_test(test_abuse SOURCES test_abuse.c LIBS tx_test_harness TIMEOUT 180)
add_dependencies(test_abuse ticsx-hub)

# Writes the seed corpora of the newer fuzz targets (fuzz/make_input_seeds.c); not a test.
add_executable(make_input_seeds ${CMAKE_SOURCE_DIR}/fuzz/make_input_seeds.c)
target_include_directories(make_input_seeds PRIVATE ${CMAKE_SOURCE_DIR}/fuzz)
target_link_libraries(make_input_seeds PRIVATE tx_client)
# Damaged storage: real LMDB files damaged at offsets found by walking them; check and run.
tx_add_test(test_storage SOURCES test_storage.c LIBS tx_test_harness TIMEOUT 180)
add_dependencies(test_storage ticsx-hub)

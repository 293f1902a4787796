# Unit tests of the core libraries: key files, envelopes and sealing, the decoding layer, and the
# shared helpers. Each links exactly what the binaries link.
tx_add_test(test_keys SOURCES test_keys.c LIBS tx_keys tx_proto tx_common)
tx_add_test(test_envelope SOURCES test_envelope.c LIBS tx_keys tx_proto tx_common)
tx_add_test(test_codec SOURCES test_codec.c LIBS tx_keys tx_proto tx_common)
tx_add_test(test_kinds SOURCES test_kinds.c LIBS tx_proto tx_common)
tx_add_test(test_util SOURCES test_util.c LIBS tx_common)
tx_add_test(test_malloc SOURCES test_malloc.c LIBS tx_common Threads::Threads)
tx_add_test(test_sha256 SOURCES test_sha256.c LIBS tx_keys tx_proto tx_common)
tx_add_test(test_note SOURCES test_note.c LIBS tx_keys tx_proto tx_common)

# Writes the seed corpora for the fuzz targets (fuzz/make_seeds DIR); not a test.
add_executable(make_seeds ${CMAKE_SOURCE_DIR}/fuzz/make_seeds.c)
target_link_libraries(make_seeds PRIVATE tx_keys tx_proto tx_common)

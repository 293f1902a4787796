# docs/protocol.md's test vectors recomputed with the project's code (keys, records, sealing,
# the AEAD, Merkle proofs, checkpoints, a call). The document's path is compiled in and the
# document read when the test runs: a vector, or the code it describes, changed without the
# other fails the test.
tx_add_test(test_protocol SOURCES test_protocol.c LIBS tx_keys tx_proto tx_common)
target_compile_definitions(test_protocol PRIVATE TX_PROTOCOL_MD="${CMAKE_SOURCE_DIR}/docs/protocol.md")

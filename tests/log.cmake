tx_add_test(test_merkle SOURCES test_merkle.c LIBS tx_keys tx_common)
# The Merkle log in the hub's store (real LMDB): nodes, roots, proofs, fill, checkpoints.
tx_add_test(test_mlog SOURCES test_mlog.c LIBS tx_test_harness TIMEOUT 120)
# The verifiable log end to end: real ticsx-hub and ticsx over loopback with CURVE on.
tx_add_test(test_audit SOURCES test_audit.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON PkgConfig::LMDB TIMEOUT 300)
add_dependencies(test_audit ticsx ticsx-hub)
# Witnesses end to end: pins and quorum, the hub's check of cosignatures, and the backup fork
# caught by a witness (real ticsx-hub and ticsx, real backups).
tx_add_test(test_witness SOURCES test_witness.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON TIMEOUT 300)
add_dependencies(test_witness ticsx ticsx-hub)
# The hub's checkpoint note and a witness cosignature verified by Go's
# golang.org/x/mod/sumdb/note (offline, Debian's packages); skipped (77) without `go`.
tx_add_test(test_note_go SOURCES test_note_go.c LIBS tx_test_harness tx_client TIMEOUT 300)
set_tests_properties(test_note_go PROPERTIES SKIP_RETURN_CODE 77)
add_dependencies(test_note_go ticsx-hub)
# What the client keeps of the log, attacked: a restored backup dropping an acknowledged record,
# a damaged Merkle node (nothing unproven cached or used), a refused certificate listing.
tx_add_test(test_client_log SOURCES test_client_log.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON PkgConfig::LMDB TIMEOUT 300)
add_dependencies(test_client_log ticsx ticsx-hub)

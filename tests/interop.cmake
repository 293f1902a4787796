# The independent Python client of tests/interop (written from docs/protocol.md only) against a
# real ticsx-hub and the C ticsx over CURVE: key files, enrolment, a request and an answer in
# both directions, checkpoint and proofs, a broken signature refused. Skipped (77) without
# python3-zmq and python3-nacl for /usr/bin/python3.
add_test(NAME test_interop
    COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/interop/run_interop.py)
set_tests_properties(test_interop PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 77
    ENVIRONMENT "TX_BUILD_DIR=${CMAKE_BINARY_DIR};TX_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
    REQUIRED_FILES "${CMAKE_BINARY_DIR}/client/ticsx;${CMAKE_BINARY_DIR}/hub/ticsx-hub")

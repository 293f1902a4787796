# Speed: the hub's verification pool (also under valgrind when it is installed), the store's
# log in parts, and a small smoke run of ticsx-bench: it must run, print its figures and write
# valid JSON with every section. No timing is asserted: figures belong to the benchmark.
#
# Run as a script (cmake -DBENCH=... -DOUT=... -P bench.cmake) this file is that smoke run.
if(CMAKE_SCRIPT_MODE_FILE)
    execute_process(
        COMMAND ${BENCH} --records 2000 --clients 2 --window 32 --suppliers 120 --seconds 0.2
                --latency-seconds 1 --scale --scale-max 10000 --json ${OUT}
        RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 280)
    message("${out}")
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "ticsx-bench exited with ${rc}: ${err}")
    endif()
    foreach(line "Ed25519 verify, all cores" "LMDB durable commits, 1000 per txn"
                 "ZeroMQ CURVE round trip" "sustained durable ingest" "submit latency p99"
                 "aggregation" "data.mdb / envelope bytes" "ingest / all-core verify")
        string(FIND "${out}" "${line}" at)
        if(at EQUAL -1)
            message(FATAL_ERROR "ticsx-bench printed no \"${line}\"")
        endif()
    endforeach()
    file(READ ${OUT} json)
    foreach(path "limits;verify_1thread_per_s" "limits;verify_all_cores_per_s"
                 "limits;lmdb_commit_1_per_s" "limits;zmq_curve_rtt_us_p50"
                 "ingest;records_per_s" "latency;p99_us" "read;nodes_per_s"
                 "ratios;ingest_over_verify" "ratios;aggregate_over_verify"
                 "scale;0;lmdb_over_envelopes" "scale;0;after_start_anon_kib" "targets;0;met")
        string(JSON v ERROR_VARIABLE e GET "${json}" ${path})
        if(e)
            message(FATAL_ERROR "${OUT}: ${path}: ${e}")
        endif()
    endforeach()
    return()
endif()

tx_add_test(test_vpool SOURCES test_vpool.c LIBS tx_hub_lib TIMEOUT 120)
tx_add_test(test_store_log SOURCES test_store_log.c LIBS tx_test_harness PkgConfig::LMDB
            TIMEOUT 60)
find_program(TX_VALGRIND valgrind)
if(TX_VALGRIND AND NOT TX_SANITIZE)
    add_test(NAME test_vpool_valgrind
             COMMAND ${TX_VALGRIND} -q --error-exitcode=99 --leak-check=full
                     --errors-for-leak-kinds=definite,indirect $<TARGET_FILE:test_vpool>)
    set_tests_properties(test_vpool_valgrind PROPERTIES TIMEOUT 300)
endif()
if(TARGET ticsx-bench)
    add_test(NAME bench_smoke
             COMMAND ${CMAKE_COMMAND} -DBENCH=$<TARGET_FILE:ticsx-bench>
                     -DOUT=${CMAKE_CURRENT_BINARY_DIR}/bench_smoke.json
                     -P ${CMAKE_CURRENT_SOURCE_DIR}/bench.cmake)
    set_tests_properties(bench_smoke PROPERTIES TIMEOUT 300)
endif()

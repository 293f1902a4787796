# Speed: the hub's verification pool (also under valgrind when it is installed), the store's
# log in parts, and a small smoke run of ticsx-bench: it must run, print its figures and write
# valid JSON with every section. No timing is asserted: figures belong to the benchmark.
#
# Run as a script (cmake -DBENCH=... -DOUT=... -P bench.cmake) this file is that smoke run.
if(CMAKE_SCRIPT_MODE_FILE)
    # A figure at PATH (a list) of the JSON: "number" when it is a number above 0; "unmeasured"
    # when it is null with a reason under "not_measured" beside it (the reason into WHY); the
    # run fails on anything else: a figure missing, or silently 0.
    function(figure path kind why)
        string(JSON type ERROR_VARIABLE e TYPE "${json}" ${path})
        if(e)
            message(FATAL_ERROR "${OUT}: ${path}: ${e}")
        endif()
        if(type STREQUAL "NUMBER")
            string(JSON v GET "${json}" ${path})
            if(NOT v GREATER 0)
                message(FATAL_ERROR "${OUT}: ${path} is ${v}: a figure this run measures is 0")
            endif()
            set(${kind} number PARENT_SCOPE)
            return()
        endif()
        list(POP_BACK path key)
        string(JSON reason ERROR_VARIABLE e GET "${json}" ${path} not_measured ${key})
        if(NOT type STREQUAL "NULL" OR e OR reason STREQUAL "")
            message(FATAL_ERROR "${OUT}: ${path};${key} is ${type} without a reason")
        endif()
        set(${kind} unmeasured PARENT_SCOPE)
        set(${why} "${reason}" PARENT_SCOPE)
    endfunction()

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
                 "hub context switches per record" "hub thread tx-verify: CPU per record"
                 "aggregation" "data.mdb / envelope bytes" "ingest / all-core verify"
                 "Redis XADD of 2 KB" "hub Anonymous MiB at 10000 records"
                 "ticsx-hub check (extrapolated)" "extrapolated from the 10000-record step"
                 "floor of the hub's CPU per record" "group-commit floor: arrivals at"
                 "context, not a target: its floor / (a)"
                 "context, not a target: group-commit floor's" "pipeline floor: arrivals at")
        string(FIND "${out}" "${line}" at)
        if(at EQUAL -1)
            message(FATAL_ERROR "ticsx-bench printed no \"${line}\"")
        endif()
    endforeach()
    string(REGEX MATCH "[^\n]*MiB at 10000 records[^\n]*" memory "${out}")
    file(READ ${OUT} json)
    # Measured in every run, by any user.
    foreach(path "limits;verify_1thread_per_s" "limits;verify_all_cores_per_s"
                 "limits;lmdb_commit_1_per_s" "limits;zmq_curve_rtt_us_p50"
                 "limits;lmdb_paced_us_p99" "ingest;records_per_s" "ingest;hub_cpu_us_per_record"
                 "ingest;hub_ctx_switches_per_record" "ingest;hub_threads;tx-verify;cpu_us_per_record"
                 "latency;hub_cpu_us_per_record" "latency;hub_ctx_switches_per_record"
                 "latency;p99_us" "read;nodes_per_s" "read;required_sig_per_s"
                 "ratios;ingest_over_verify" "ratios;aggregate_over_verify"
                 "scale;0;lmdb_over_envelopes" "scale;0;start_first_answer_ms"
                 "scale;0;after_ingest_anon_kib" "scale;0;after_start_anon_kib"
                 "scale;0;backup_s" "scale;0;check_s" "scale_10m;lmdb_file_bytes"
                 "scale_10m;start_first_answer_ms" "scale_10m;backup_s" "scale_10m;check_s")
        figure("${path}" kind why)
        if(NOT kind STREQUAL "number")
            message(FATAL_ERROR "${OUT}: ${path} not measured: ${why}")
        endif()
    endforeach()
    # The fetch decrypted ahead what verify used (tx_verify_ahead): every assessment fetched.
    string(JSON fetched GET "${json}" read fetched)
    string(JSON ahead GET "${json}" read decrypted_ahead)
    if(NOT fetched GREATER 0 OR NOT ahead EQUAL fetched)
        message(FATAL_ERROR "${OUT}: ${ahead} of ${fetched} assessments decrypted ahead")
    endif()
    # The hub's CPU while it served the fetch: a number (0 when under one clock tick at this size).
    string(JSON type ERROR_VARIABLE e TYPE "${json}" read fetch_hub_cpu_s)
    if(NOT type STREQUAL "NUMBER")
        message(FATAL_ERROR "${OUT}: read;fetch_hub_cpu_s is ${type}${e}, not a number")
    endif()
    # One step: the memory on paper has no growth to go by; a number, or not measured so.
    figure("scale_10m;after_start_anon_kib" kind why)
    # Private_Dirty only from smaps_rollup, which a non-root user cannot read of the hub (it is
    # not dumpable): a number, or not measured with the reason.
    figure("scale;0;after_start_private_dirty_kib" kind why)
    # The full check beside the restarted hub: the hub's /proc/PID/task/PID/children (a number,
    # or not measured with the reason where it cannot be read).
    figure("scale;0;check_beside_s" kind why)
    figure("scale_10m;check_beside_s" kind why)
    message("full check beside the serving hub: ${kind} ${why}")
    # The Redis peer: measured when redis-server is installed (and ticsx-bench has hiredis).
    find_program(REDIS_SERVER redis-server)
    foreach(key records_per_s p50_us p99_us)
        figure("redis;${key}" kind why)
        if(kind STREQUAL "unmeasured" AND NOT why MATCHES "not installed|without hiredis")
            message(FATAL_ERROR "${OUT}: the Redis peer's ${key} not measured: ${why}")
        endif()
        if(kind STREQUAL "unmeasured" AND REDIS_SERVER AND NOT why MATCHES "without hiredis")
            message(FATAL_ERROR "${OUT}: ${REDIS_SERVER} is installed; the peer did not run")
        endif()
    endforeach()
    figure("ratios;ingest_over_redis" kind why)
    string(JSON n LENGTH "${json}" targets)
    math(EXPR last "${n} - 1")
    # The floors behind two targets (bench_floor.c): each a number, or not measured with its
    # reason; and each of the two targets carries its floor as context.
    foreach(path "limits;verify_1thread_cpu_us" "ratios;verify_1thread_us"
                 "floor;cpu_floor_us" "floor;cpu_floor_over_verify" "floor;curve_server_us"
                 "floor;store_us" "floor;store_batch" "floor;tail_p50_us" "floor;tail_p99_us"
                 "floor;tail_p999_us" "floor;tail_p99_over_disk_p99"
                 "floor;tail_records_per_commit" "floor;pipeline_p50_us" "floor;pipeline_p99_us"
                 "floor;pipeline_p999_us" "floor;pipeline_verified_p99_us"
                 "floor;pipeline_p99_over_disk_p99"
                 "floor;pipeline_records_per_commit" "floor;pipeline_writer_cpu_us_per_record"
                 "floor;pipeline_verifiers_cpu_us_per_record" "floor;pipeline_switches_per_record"
                 "ratios;latency_p99_over_pipeline_p99" "ratios;hub_cpu_over_floor"
                 "ratios;latency_p99_over_floor_p99" "ingest;hub_records_per_commit"
                 "latency;hub_records_per_commit")
        set(why "")
        figure("${path}" kind why)
        message("${path}: ${kind} ${why}")
    endforeach()
    foreach(target "hub CPU per record / one bare verification"
                   "p99 at half rate / bare durable commit p99")
        set(found "")
        foreach(i RANGE ${last})
            string(JSON name GET "${json}" targets ${i} name)
            if(name STREQUAL target)
                set(found ${i})
            endif()
        endforeach()
        if(found STREQUAL "")
            message(FATAL_ERROR "${OUT}: no target \"${target}\"")
        endif()
        figure("targets;${found};context;value" kind why)
        if(target MATCHES "^p99")
            # Beside the p99 target, the pipeline floor too.
            figure("targets;${found};floor;value" kind why)
        endif()
    endforeach()
    # No target is met without a value; the memory target is a number here (never 0, above).
    foreach(i RANGE ${last})
        string(JSON met TYPE "${json}" targets ${i} met)
        string(JSON value TYPE "${json}" targets ${i} value)
        if(met STREQUAL "BOOLEAN" AND NOT value STREQUAL "NUMBER")
            message(FATAL_ERROR "${OUT}: target ${i} is judged without a value")
        endif()
    endforeach()
    if(NOT memory MATCHES " (met|MISSED)$")
        message(FATAL_ERROR "the hub's memory target was not judged: ${memory}")
    endif()
    return()
endif()

tx_add_test(test_vpool SOURCES test_vpool.c LIBS tx_hub_lib TIMEOUT 120)
tx_add_test(test_peers SOURCES test_peers.c LIBS tx_hub_lib TIMEOUT 60)
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
    # Figures that could not be measured (memory of an exited or undumpable process, no
    # redis-server): null with their reason, printed so, and no target met on them.
    tx_add_test(test_bench_figures SOURCES bench_figures.c LIBS tx_bench TIMEOUT 60)
    add_test(NAME bench_smoke
             COMMAND ${CMAKE_COMMAND} -DBENCH=$<TARGET_FILE:ticsx-bench>
                     -DOUT=${CMAKE_CURRENT_BINARY_DIR}/bench_smoke.json
                     -P ${CMAKE_CURRENT_SOURCE_DIR}/bench.cmake)
    set_tests_properties(bench_smoke PROPERTIES TIMEOUT 300)
endif()

/* ticsx-bench's figures when a reading fails: a figure the run could not measure is null in
 * the JSON with its reason under "not_measured", is printed as "not measured: WHY", and no
 * ratio or target built on it has a number or is met. The failures are real: the memory of a
 * process that has exited, of a process that is not dumpable (as the hub), a Redis peer whose
 * redis-server is not there. */
#include "bench.h"

#include "tx_envelope.h"
#include "tx_error.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* ---- what the table printed ---- */

static int saved_stdout = -1;
static char out_path[] = "/tmp/bench-figures-XXXXXX";

static void
capture_begin(void)
{
    int fd = mkstemp(out_path);

    assert_true(fd >= 0);
    fflush(stdout);
    saved_stdout = dup(1);
    assert_true(saved_stdout >= 0);
    assert_int_equal(dup2(fd, 1), 1);
    close(fd);
}

/* The text printed since capture_begin (caller frees). */
static char *
capture_end(void)
{
    FILE *f;
    char *text = calloc(1, 65536);
    size_t n;

    fflush(stdout);
    assert_int_equal(dup2(saved_stdout, 1), 1);
    close(saved_stdout);
    f = fopen(out_path, "r");
    assert_non_null(f);
    assert_non_null(text);
    n = fread(text, 1, 65535, f);
    text[n] = 0;
    fclose(f);
    unlink(out_path);
    strcpy(out_path, "/tmp/bench-figures-XXXXXX");
    return text;
}

/* key of section is null with a reason containing `why`. */
static void
assert_unmeasured(const json_t *section, const char *key, const char *why)
{
    const char *reason = tx_bench_why(section, key);
    double v = -1;

    assert_non_null(json_object_get(section, key));
    assert_true(json_is_null(json_object_get(section, key)));
    assert_false(tx_bench_get(section, key, &v));
    assert_true(v == 0);
    assert_non_null(reason);
    assert_non_null(strstr(reason, why));
}

/* ---- the results tree ---- */

static void
unmeasured_is_null_with_reason(void **state)
{
    json_t *s = json_object();
    char *text;

    (void)state;
    capture_begin();
    tx_bench_set(s, "rate", 1234, "/s", "a rate");
    tx_bench_unmeasured(s, "memory", "a memory", "cannot read %s", "/proc/1/smaps_rollup");
    tx_bench_unmeasured(s, "quiet", NULL, "left out");
    text = capture_end();
    assert_non_null(strstr(text, "a rate"));
    assert_non_null(strstr(text, "a memory"));
    assert_non_null(strstr(text, "not measured: cannot read /proc/1/smaps_rollup\n"));
    assert_null(strstr(text, "left out")); /* no label: not printed */
    assert_unmeasured(s, "memory", "cannot read /proc/1/smaps_rollup");
    assert_unmeasured(s, "quiet", "left out");
    assert_null(tx_bench_why(s, "rate"));
    assert_string_equal(tx_bench_why(s, "absent"), "no figure");
    /* Measured again later: a number, and no longer a reason to read. */
    capture_begin();
    tx_bench_set(s, "memory", 42, "KiB", NULL);
    free(capture_end());
    assert_null(tx_bench_why(s, "memory"));
    free(text);
    json_decref(s);
}

static void
quantile_of_nothing_is_unmeasured(void **state)
{
    json_t *s = json_object();
    double v[3] = {3, 1, 2};
    char *text;

    (void)state;
    capture_begin();
    tx_bench_set_quantile(s, "p50", v, 0, 0.5, "us", "p50 of nothing");
    tx_bench_set_quantile(s, "p99", v, 3, 0.99, "us", "p99 of three");
    text = capture_end();
    assert_unmeasured(s, "p50", "no samples");
    assert_int_equal(json_integer_value(json_object_get(s, "p99")), 3);
    assert_non_null(strstr(text, "not measured: no samples"));
    free(text);
    json_decref(s);
}

/* ---- memory ---- */

/* A child that sleeps until killed; not dumpable when asked (as the hub makes itself). */
static pid_t
sleeper(int undumpable)
{
    int ready[2];
    char c;
    pid_t pid;

    assert_int_equal(pipe(ready), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (undumpable) {
            prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        }
        (void)!write(ready[1], "r", 1);
        pause();
        _exit(0);
    }
    close(ready[1]);
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    return pid;
}

static void
memory_of_a_gone_process_is_unmeasured(void **state)
{
    json_t *row = json_object();
    pid_t pid = sleeper(0);
    tx_bench_mem m;
    char *text;

    (void)state;
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    assert_int_equal(tx_bench_memory(pid, &m), TX_ERR_IO);
    assert_true(m.anon_kib == -1 && m.private_dirty_kib == -1 && m.rss_kib == -1);
    assert_null(m.source);
    assert_non_null(strstr(m.why, "smaps_rollup"));
    assert_non_null(strstr(m.why, "status"));
    capture_begin();
    tx_bench_memory_into(row, "after_start", pid, "hub memory");
    text = capture_end();
    assert_unmeasured(row, "after_start_anon_kib", "cannot read /proc/");
    assert_unmeasured(row, "after_start_private_dirty_kib", "cannot read /proc/");
    assert_unmeasured(row, "after_start_rss_kib", "cannot read /proc/");
    assert_true(json_is_null(json_object_get(row, "after_start_anon_source")));
    assert_non_null(strstr(text, "hub memory: Anonymous"));
    assert_non_null(strstr(text, "not measured: cannot read /proc/"));
    assert_null(strstr(text, " KiB"));
    free(text);
    json_decref(row);
}

/* Root reads a process's smaps whatever it is; anyone else reads the RssAnon of a process that
 * is not dumpable from /proc/PID/status, and its Private_Dirty is not measured. */
static void
memory_of_an_undumpable_process(void **state)
{
    json_t *row = json_object();
    pid_t pid = sleeper(1);
    tx_bench_mem m;

    (void)state;
    capture_begin();
    assert_int_equal(tx_bench_memory(pid, &m), TX_OK);
    tx_bench_memory_into(row, "after_ingest", pid, "hub memory");
    free(capture_end());
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    assert_true(m.anon_kib >= 0 && m.rss_kib > 0);
    assert_true(tx_bench_get(row, "after_ingest_anon_kib", &(double){0}));
    if (geteuid() == 0) {
        assert_string_equal(m.source, "smaps_rollup");
        assert_true(m.private_dirty_kib >= 0);
    } else {
        assert_string_equal(m.source, "status");
        assert_true(m.private_dirty_kib == -1);
        assert_non_null(strstr(m.why, "smaps_rollup"));
        assert_unmeasured(row, "after_ingest_private_dirty_kib", "smaps_rollup");
    }
    assert_string_equal(json_string_value(json_object_get(row, "after_ingest_anon_source")),
                        m.source);
    json_decref(row);
}

/* ---- ratios and targets ---- */

static const json_t *
target_named(const json_t *root, const char *prefix)
{
    const json_t *targets = json_object_get(root, "targets");

    for (size_t i = 0; i < json_array_size(targets); i++) {
        const json_t *t = json_array_get(targets, i);
        if (strncmp(json_string_value(json_object_get(t, "name")), prefix, strlen(prefix)) == 0) {
            return t;
        }
    }
    fail_msg("no target %s", prefix);
    return NULL;
}

static void
assert_target_unmeasured(const json_t *root, const char *name, const char *why)
{
    const json_t *t = target_named(root, name);

    assert_true(json_is_null(json_object_get(t, "value")));
    assert_true(json_is_null(json_object_get(t, "met")));
    assert_non_null(strstr(json_string_value(json_object_get(t, "not_measured")), why));
}

/* The scale step of the old failure: the hub's memory could not be read, everything else was.
 * Its target is not measured (it read "0.000 MiB ... met" before); the others are judged. */
static void
unmeasured_memory_is_no_met_target(void **state)
{
    tx_bench_cfg cfg = {.scale = 1, .scale_max = 10000};
    json_t *root = json_object(), *scale = json_array(), *row = json_object();
    json_t *ratios = json_object(), *ingest = json_object();
    char *text;

    (void)state;
    json_object_set_new(root, "ingest", ingest);
    json_object_set_new(root, "ratios", ratios);
    json_object_set_new(root, "scale", scale);
    json_array_append_new(scale, row);
    capture_begin();
    tx_bench_set(ingest, "records_per_s", 6000, "records/s", NULL);
    tx_bench_set(ratios, "verify_all_cores_mean_per_s", 30000, "/s", NULL);
    tx_bench_set(row, "records", 10000, "", NULL);
    tx_bench_set(row, "lmdb_over_envelopes", 1.2, "x", NULL);
    tx_bench_set(row, "start_first_answer_ms", 250, "ms", NULL);
    tx_bench_set(row, "after_ingest_anon_kib", 3000, "KiB", NULL);
    tx_bench_unmeasured(row, "after_start_anon_kib", NULL,
                        "cannot read /proc/9/smaps_rollup: Permission denied");
    tx_bench_judge(&cfg, root);
    text = capture_end();
    assert_target_unmeasured(root, "hub Anonymous MiB at 10000 records", "Permission denied");
    assert_true(json_is_true(json_object_get(target_named(root, "data.mdb"), "met")));
    assert_true(json_is_true(json_object_get(target_named(root, "start to first"), "met")));
    assert_true(json_is_false(json_object_get(target_named(root, "ingest / all"), "met")));
    assert_non_null(strstr(text, "hub Anonymous MiB at 10000 records"));
    assert_non_null(strstr(text, "not measured: cannot read /proc/9/smaps_rollup"));
    assert_null(strstr(text, "0.000 MiB"));
    /* The parts that did not run: their ratios and targets say why. */
    assert_unmeasured(ratios, "ingest_over_redis", "records_per_s: no figure");
    assert_unmeasured(ratios, "aggregate_over_verify", "required_sig_per_s");
    assert_target_unmeasured(root, "UI supply tree", "no figure");
    assert_target_unmeasured(root, "p99 submit latency", "no figure");
    free(text);
    json_decref(root);
}

/* No scale series, no figures at all: every target is not measured, none is met. */
static void
nothing_measured_nothing_met(void **state)
{
    tx_bench_cfg cfg = {.scale = 0, .scale_max = 1000000};
    json_t *root = json_object(), *targets;
    char *text;

    (void)state;
    capture_begin();
    tx_bench_judge(&cfg, root);
    text = capture_end();
    targets = json_object_get(root, "targets");
    assert_true(json_array_size(targets) >= 8);
    for (size_t i = 0; i < json_array_size(targets); i++) {
        const json_t *t = json_array_get(targets, i);
        assert_true(json_is_null(json_object_get(t, "met")));
        assert_true(json_is_string(json_object_get(t, "not_measured")));
    }
    assert_target_unmeasured(root, "hub Anonymous MiB at 1000000", "left out (no --scale)");
    assert_null(strstr(text, " met"));
    assert_null(strstr(text, "MISSED"));
    free(text);
    json_decref(root);
}

/* ---- the floors (bench_floor.c) ---- */

/* Each of the two targets carries its floor as context; the verdict stays the target's own,
 * met or not, whatever the floor says. */
static void
floors_are_context_not_verdicts(void **state)
{
    tx_bench_cfg cfg = {.scale = 0, .scale_max = 1000000};
    json_t *root = json_object(), *limits = json_object(), *ingest = json_object();
    json_t *latency = json_object(), *floor = json_object();
    const json_t *t, *ctx;
    double v;
    char *text;

    (void)state;
    json_object_set_new(root, "limits", limits);
    json_object_set_new(root, "ingest", ingest);
    json_object_set_new(root, "latency", latency);
    json_object_set_new(root, "floor", floor);
    capture_begin();
    /* The rate stretched by a busy machine (200 us of wall a verification), its CPU time 100 us:
     * the target divides CPU time by CPU time. */
    tx_bench_set(limits, "verify_1thread_per_s", 5000, "/s", NULL);
    tx_bench_set(limits, "verify_1thread_cpu_us", 100, "us", NULL);
    tx_bench_set(limits, "lmdb_paced_us_p99", 3000, "us", NULL);
    tx_bench_set(ingest, "hub_cpu_us_per_record", 150, "us", NULL); /* 1.5: missed */
    tx_bench_set(latency, "p99_us", 6000, "us", NULL);              /* 2: met */
    tx_bench_set(floor, "cpu_floor_us", 130, "us", NULL);
    tx_bench_set(floor, "cpu_floor_over_verify", 1.3, "", NULL);
    tx_bench_set(floor, "tail_p99_us", 12000, "us", NULL);
    tx_bench_set(floor, "tail_p99_over_disk_p99", 4, "", NULL);
    tx_bench_judge(&cfg, root);
    text = capture_end();
    t = target_named(root, "hub CPU per record / one bare");
    assert_true(json_is_false(json_object_get(t, "met")));
    assert_true(json_real_value(json_object_get(t, "value")) == 1.5);
    ctx = json_object_get(t, "context");
    assert_string_equal(json_string_value(json_object_get(ctx, "figure")),
                        "cpu_floor_over_verify");
    assert_true(tx_bench_get(ctx, "value", &v) && v == 1.3);
    /* A floor above the target does not turn a met target into a missed one. */
    t = target_named(root, "p99 at half rate / bare");
    assert_true(json_is_true(json_object_get(t, "met")));
    assert_true(tx_bench_get(json_object_get(t, "context"), "value", &v) && v == 4);
    assert_true(tx_bench_get(json_object_get(root, "ratios"), "hub_cpu_over_floor", &v) &&
                v > 1.15 && v < 1.16);
    assert_true(tx_bench_get(json_object_get(root, "ratios"), "latency_p99_over_floor_p99", &v) &&
                v == 0.5);
    assert_non_null(strstr(text, "context, not a target: its floor / (a)"));
    free(text);
    json_decref(root);
}

/* `report --json` is judged against the read side's decryption and verification at their floor,
 * not against the verify phase, which the fetch's decrypting ahead leaves short; that phase's
 * ratio rides along as context. */
static void
report_judged_against_crypto_floor(void **state)
{
    tx_bench_cfg cfg = {.scale = 0, .scale_max = 1000000};
    json_t *root = json_object(), *read = json_object();
    const json_t *t, *ctx;
    double v;
    char *text;

    (void)state;
    json_object_set_new(root, "read", read);
    tx_bench_set(read, "report_json_s", 0.7, "s", NULL);
    tx_bench_set(read, "crypto_floor_s", 2.0, "s", NULL);
    tx_bench_set(read, "verify_s", 0.14, "s", NULL);
    capture_begin();
    tx_bench_judge(&cfg, root);
    text = capture_end();
    t = target_named(root, "report --json / decrypt and verify");
    assert_true(json_is_true(json_object_get(t, "met")));
    assert_true(json_real_value(json_object_get(t, "value")) == 0.35);
    ctx = json_object_get(t, "context");
    assert_string_equal(json_string_value(json_object_get(ctx, "figure")), "report_over_verify");
    assert_true(tx_bench_get(ctx, "value", &v) && v > 4.99 && v < 5.01);
    assert_non_null(strstr(text, "context, not a target: / the verify phase alone"));
    free(text);
    /* Over 1.5 x the floor it is missed, whatever the verify phase says. */
    tx_bench_set(read, "report_json_s", 3.2, "s", NULL);
    tx_bench_set(read, "verify_s", 4.0, "s", NULL);
    capture_begin();
    tx_bench_judge(&cfg, root);
    free(capture_end());
    t = target_named(root, "report --json / decrypt and verify");
    assert_true(json_is_false(json_object_get(t, "met")));
    json_decref(root);
}

/* A floor that was not measured: the context says why; the target is judged as before. */
static void
unmeasured_floor_is_context_with_reason(void **state)
{
    tx_bench_cfg cfg = {.scale = 0, .scale_max = 1000000};
    json_t *root = json_object(), *limits = json_object(), *ingest = json_object();
    json_t *floor = json_object();
    const json_t *t;

    (void)state;
    json_object_set_new(root, "limits", limits);
    json_object_set_new(root, "ingest", ingest);
    json_object_set_new(root, "floor", floor);
    capture_begin();
    tx_bench_set(limits, "verify_1thread_per_s", 10000, "/s", NULL);
    tx_bench_set(ingest, "hub_cpu_us_per_record", 110, "us", NULL);
    tx_bench_unmeasured(floor, "cpu_floor_over_verify", NULL, "left out (--skip-limits)");
    tx_bench_judge(&cfg, root);
    free(capture_end());
    t = target_named(root, "hub CPU per record / one bare");
    assert_true(json_is_true(json_object_get(t, "met")));
    assert_unmeasured(json_object_get(t, "context"), "value", "--skip-limits");
    t = target_named(root, "p99 at half rate / bare");
    assert_true(json_is_null(json_object_get(t, "met")));
    assert_unmeasured(json_object_get(t, "context"), "value", "no figure");
    assert_unmeasured(json_object_get(root, "ratios"), "hub_cpu_over_floor", "no figure");
    json_decref(root);
}

/* The floors measured for real (a short run): every figure a number; the batch is the hub's
 * mean when the ingest gave one, else 64, and the label says which; the claim "out of reach"
 * is printed only when the run's floor / (a) is above 1.25. No time is asserted. */
static void
floors_measured(void **state)
{
    char dir[] = "/tmp/bench-figures-floor-XXXXXX";
    tx_bench_cfg cfg = {
        .clients = 2, .window = 4, .threads = 2, .seconds = 0.05, .latency_s = 0.2};
    json_t *root = json_object(), *limits = json_object(), *ingest = json_object();
    json_t *out = json_object(), *slow = json_object(), *none = json_object();
    json_t *claimed = json_object();
    uint8_t **envs = NULL;
    size_t *lens = NULL, n = 0;
    double v;
    char *text;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(cfg.work, sizeof cfg.work, "%s", dir);
    assert_int_equal(tx_bench_sample(3, &envs, &lens, &n), TX_OK);
    json_object_set_new(root, "limits", limits);
    json_object_set_new(root, "ingest", ingest);
    capture_begin();
    /* (a) of a nanosecond in CPU time: any floor is far above 1.25 of it. The 1-thread rate
     * (wall time) is there too, and not used. */
    tx_bench_set(limits, "verify_1thread_cpu_us", 0.001, "us", NULL);
    tx_bench_set(limits, "verify_1thread_per_s", 1, "/s", NULL);
    /* A bare commit of a nanosecond: both tail floors are far above 3 x it. */
    tx_bench_set(limits, "lmdb_paced_us_p99", 0.001, "us", NULL);
    tx_bench_set(ingest, "hub_records_per_commit", 7.2, "", NULL);
    assert_int_equal(tx_bench_floor(&cfg, envs, lens, n, root, 200, out), TX_OK);
    text = capture_end();
    for (const char *const *k = (const char *const[]){"cpu_floor_us", "curve_server_us",
                                                      "curve_client_us", "store_us",
                                                      "tail_p50_us", "tail_p99_us",
                                                      "tail_p999_us", "tail_p99_over_disk_p99",
                                                      "tail_writer_cpu_us_per_record",
                                                      "pipeline_p50_us", "pipeline_p99_us",
                                                      "pipeline_p999_us",
                                                      "pipeline_verified_p99_us",
                                                      "pipeline_p99_over_disk_p99",
                                                      "pipeline_writer_cpu_us_per_record",
                                                      "pipeline_verifiers_cpu_us_per_record",
                                                      "tail_switches_per_record",
                                                      "pipeline_switches_per_record", NULL};
         *k != NULL; k++) {
        assert_true(tx_bench_get(out, *k, &v) && v > 0);
    }
    assert_true(tx_bench_get(out, "store_batch", &v) && v == 7);
    assert_true(tx_bench_get(out, "cpu_floor_verify_us", &v) && v == 0.001);
    assert_non_null(strstr(text, "(a) one bare verification, CPU time"));
    assert_true(tx_bench_get(out, "tail_records", &v) && v == 40);
    assert_true(tx_bench_get(out, "cpu_floor_over_verify", &v) && v > 1.25);
    assert_non_null(strstr(text, "batch: the hub's mean in the sustained ingest"));
    assert_non_null(strstr(text, "floor / (a): above 1.25, out of reach here"));
    assert_non_null(strstr(text, "group-commit floor: arrivals at"));
    /* The pipeline floor: every arrival verified on the 2 threads, then committed. */
    assert_true(tx_bench_get(out, "pipeline_records", &v) && v == 40);
    assert_true(tx_bench_get(out, "pipeline_verifiers", &v) && v == 2);
    assert_true(tx_bench_get(out, "pipeline_preempted_per_record", &v) && v >= 0);
    assert_non_null(strstr(text, "pipeline floor: arrivals at"));
    /* No latency run in root: no hub p99 to show the floors are floors, no claim. */
    assert_null(strstr(text, "at this rate for any single-writer store"));
    assert_null(strstr(text, "out of reach here for any design that verifies"));
    assert_non_null(strstr(text, "(above the hub's p99, or that was not measured: no claim)"));
    free(text);
    /* With a hub p99 of days both are below it, and say what they show. */
    json_object_set_new(root, "latency", json_pack("{s:f}", "p99_us", 1e11));
    capture_begin();
    assert_int_equal(tx_bench_floor(&cfg, envs, lens, n, root, 200, claimed), TX_OK);
    text = capture_end();
    assert_non_null(strstr(text, "above 3 at this rate for any single-writer store"));
    assert_non_null(strstr(text, "above 3, out of reach here for any design that verifies"));
    assert_null(strstr(text, "no claim"));
    free(text);
    json_object_del(root, "latency");
    /* (a) of a second, from the rate when its CPU time was not measured: the floor is within
     * 1.25 of it, and no claim is printed. */
    json_object_del(ingest, "hub_records_per_commit");
    tx_bench_unmeasured(limits, "verify_1thread_cpu_us", NULL, "getrusage failed");
    capture_begin();
    assert_int_equal(tx_bench_floor(&cfg, envs, lens, n, root, 0, slow), TX_OK);
    text = capture_end();
    assert_true(tx_bench_get(slow, "cpu_floor_over_verify", &v) && v < 1.25);
    assert_true(tx_bench_get(slow, "store_batch", &v) && v == 64);
    assert_true(tx_bench_get(slow, "cpu_floor_verify_us", &v) && v == 1e6);
    assert_non_null(strstr(text, "(a) one bare verification, from the 1-thread rate"));
    assert_non_null(strstr(text, "batch: fixed (the hub's own was not measured)"));
    assert_null(strstr(text, "out of reach"));
    assert_unmeasured(slow, "tail_p99_us", "no latency run gave its rate");
    assert_unmeasured(slow, "pipeline_p99_us", "no latency run gave its rate");
    assert_unmeasured(slow, "pipeline_p99_over_disk_p99", "no latency run gave its rate");
    free(text);
    /* Without (a) nothing is added up. */
    json_object_del(limits, "verify_1thread_per_s");
    capture_begin();
    assert_int_equal(tx_bench_floor(&cfg, envs, lens, n, root, 0, none), TX_OK);
    free(capture_end());
    assert_unmeasured(none, "cpu_floor_us", "no figure");
    assert_unmeasured(none, "cpu_floor_over_verify", "no figure");
    assert_int_equal(rmdir(dir), 0); /* the stores' directories removed */
    for (size_t i = 0; i < n; i++) {
        free(envs[i]);
    }
    free(envs);
    free(lens);
    json_decref(root);
    json_decref(out);
    json_decref(slow);
    json_decref(none);
    json_decref(claimed);
}

/* The pipeline floor of envelopes it cannot check: not measured, and why; the group-commit
 * floor beside it is measured as before. */
static void
pipeline_floor_of_bad_envelopes(void **state)
{
    char dir[] = "/tmp/bench-figures-pipe-XXXXXX";
    tx_bench_cfg cfg = {
        .clients = 1, .window = 1, .threads = 2, .seconds = 0.02, .latency_s = 0.1};
    json_t *root = json_object(), *limits = json_object(), *junk = json_object();
    json_t *forged = json_object();
    uint8_t **envs = NULL, bytes[2500], *one[1] = {bytes};
    size_t *lens = NULL, n = 0, len[1] = {sizeof bytes};
    tx_envelope_pb *e = NULL;
    uint8_t *sig;
    double v;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(cfg.work, sizeof cfg.work, "%s", dir);
    json_object_set_new(root, "limits", limits);
    capture_begin();
    tx_bench_set(limits, "verify_1thread_cpu_us", 80, "us", NULL);
    tx_bench_set(limits, "lmdb_paced_us_p99", 1000, "us", NULL);
    /* Bytes that are no envelope. */
    memset(bytes, 7, sizeof bytes);
    assert_int_equal(tx_bench_floor(&cfg, one, len, 1, root, 200, junk), TX_OK);
    /* A real envelope whose signature has one bit changed. */
    assert_int_equal(tx_bench_sample(1, &envs, &lens, &n), TX_OK);
    assert_int_equal(tx_decode_envelope(envs[0], lens[0], &e), TX_OK);
    sig = memmem(envs[0], lens[0], e->signature.data, e->signature.len);
    tx_free(e);
    assert_non_null(sig);
    sig[10] ^= 1;
    assert_int_equal(tx_bench_floor(&cfg, envs, lens, n, root, 200, forged), TX_OK);
    free(capture_end());
    assert_true(tx_bench_get(junk, "tail_p99_us", &v) && v > 0);
    assert_unmeasured(junk, "pipeline_p99_us", "do not decode");
    assert_unmeasured(junk, "pipeline_p99_over_disk_p99", "do not decode");
    assert_true(tx_bench_get(forged, "tail_p99_us", &v) && v > 0);
    assert_unmeasured(forged, "pipeline_p99_us", "did not verify");
    assert_unmeasured(forged, "pipeline_p99_over_disk_p99", "did not verify");
    assert_int_equal(rmdir(dir), 0);
    free(envs[0]);
    free(envs);
    free(lens);
    json_decref(root);
    json_decref(junk);
    json_decref(forged);
}

/* The table tx_bench_judge printed (caller frees). */
static char *
judged(const tx_bench_cfg *cfg, json_t *root)
{
    capture_begin();
    tx_bench_judge(cfg, root);
    return capture_end();
}

/* Judged: the p99 target met or missed as `met` says, its pipeline floor measured and
 * claiming nothing; the table printed (caller frees). */
static char *
judged_no_claim(const tx_bench_cfg *cfg, json_t *root, int met)
{
    char *text = judged(cfg, root);
    const json_t *t = target_named(root, "p99 at half rate / bare");

    assert_true(json_is_boolean(json_object_get(t, "met")));
    assert_int_equal(json_is_true(json_object_get(t, "met")), met);
    assert_true(json_is_false(json_object_get(json_object_get(t, "floor"), "out_of_reach")));
    assert_null(strstr(text, "out of reach"));
    return text;
}

/* The p99 target's line from the table printed (caller frees). */
static char *
p99_target_line(const char *text)
{
    const char *at = strstr(text, "  p99 at half rate / bare durable commit p99");
    const char *end;

    assert_non_null(at);
    end = strchr(at, '\n');
    assert_non_null(end);
    return strndup(at, (size_t)(end - at));
}

/* The p99 target and the pipeline floor: when the target is missed and the bare parts alone
 * (verification, then one writer's durable commit) take more than 3 x the bare commit's p99,
 * the table says the target is out of reach here; the target stays missed. Below 3, with the
 * target met, or with the floor above the hub's own p99, the floor is context only. */
static void
p99_target_follows_pipeline_floor(void **state)
{
    tx_bench_cfg cfg = {.scale = 0, .scale_max = 1000000};
    json_t *root = json_object(), *limits = json_object(), *latency = json_object();
    json_t *floor = json_object();
    const json_t *t, *f;
    double v;
    char *text, *line;

    (void)state;
    json_object_set_new(root, "limits", limits);
    json_object_set_new(root, "latency", latency);
    json_object_set_new(root, "floor", floor);
    tx_bench_set(limits, "lmdb_paced_us_p99", 1000, "us", NULL);
    tx_bench_set(latency, "p99_us", 20000, "us", NULL); /* 20 x: missed */
    tx_bench_set(floor, "pipeline_p99_us", 7000, "us", NULL);
    tx_bench_set(floor, "pipeline_p99_over_disk_p99", 7.5, "", NULL);
    tx_bench_set(floor, "tail_p99_over_disk_p99", 2, "", NULL);
    text = judged(&cfg, root);
    t = target_named(root, "p99 at half rate / bare");
    assert_true(json_is_false(json_object_get(t, "met")));
    f = json_object_get(t, "floor");
    assert_string_equal(json_string_value(json_object_get(f, "figure")),
                        "pipeline_p99_over_disk_p99");
    assert_true(tx_bench_get(f, "value", &v) && v == 7.5);
    assert_true(json_is_true(json_object_get(f, "out_of_reach")));
    /* The group-commit floor stays the target's context. */
    assert_true(tx_bench_get(json_object_get(t, "context"), "value", &v) && v == 2);
    line = p99_target_line(text);
    assert_non_null(strstr(line, "MISSED"));
    assert_null(strstr(line, " met"));
    free(line);
    assert_non_null(strstr(text, "out of reach here: the bare parts alone take"));
    assert_non_null(strstr(text, "7.500 x the bare commit p99"));
    assert_true(tx_bench_get(json_object_get(root, "ratios"), "latency_p99_over_pipeline_p99",
                             &v) &&
                v > 2.85 && v < 2.86);
    free(text);
    /* A floor above what the hub did (a busier machine while it ran) is no floor: no claim. */
    tx_bench_set(floor, "pipeline_p99_us", 25000, "us", NULL);
    text = judged_no_claim(&cfg, root, 0);
    assert_non_null(strstr(text, "above the real p99: the machine was busier while it ran"));
    free(text);
    tx_bench_set(floor, "pipeline_p99_us", 7000, "us", NULL);
    /* The floor within 3: context, no claim. */
    tx_bench_set(floor, "pipeline_p99_over_disk_p99", 2.5, "", NULL);
    text = judged_no_claim(&cfg, root, 0);
    assert_non_null(strstr(text, "context, not a target: the pipeline floor's"));
    free(text);
    /* The target met: met, whatever the floor (measured at another moment) says. */
    tx_bench_set(latency, "p99_us", 2000, "us", NULL);
    tx_bench_set(floor, "pipeline_p99_over_disk_p99", 4, "", NULL);
    text = judged_no_claim(&cfg, root, 1);
    line = p99_target_line(text);
    assert_non_null(strstr(line, " met"));
    free(line);
    free(text);
    /* Not measured: why, and no claim. */
    tx_bench_set(latency, "p99_us", 20000, "us", NULL);
    tx_bench_unmeasured(floor, "pipeline_p99_over_disk_p99", NULL, "left out (--skip-limits)");
    text = judged(&cfg, root);
    t = target_named(root, "p99 at half rate / bare");
    assert_true(json_is_false(json_object_get(t, "met")));
    assert_unmeasured(json_object_get(t, "floor"), "value", "--skip-limits");
    assert_null(json_object_get(json_object_get(t, "floor"), "out_of_reach"));
    assert_null(strstr(text, "out of reach"));
    free(text);
    json_decref(root);
}

/* ---- the Redis peer without redis-server ---- */

static void
redis_not_installed(void **state)
{
    char dir[] = "/tmp/bench-figures-path-XXXXXX", *old = getenv("PATH");
    char *saved = old != NULL ? strdup(old) : NULL;
    tx_bench_cfg cfg = {.records = 10, .redis_clients = 2};
    json_t *out = json_object(), *given = json_object();
    char *text;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(cfg.work, sizeof cfg.work, "%s", dir);
    setenv("PATH", dir, 1); /* an empty directory: no redis-server on it */
    capture_begin();
    assert_int_equal(tx_bench_redis(&cfg, out), TX_OK);
    cfg.redis_bin = "/nonexistent/redis-server";
    assert_int_equal(tx_bench_redis(&cfg, given), TX_OK);
    text = capture_end();
    if (saved != NULL) {
        setenv("PATH", saved, 1);
    }
    free(saved);
    rmdir(dir);
    assert_unmeasured(out, "records_per_s", "redis-server not installed");
    assert_unmeasured(out, "p50_us", "redis-server not installed");
    assert_unmeasured(out, "p99_us", "redis-server not installed");
    assert_unmeasured(given, "records_per_s", "not an executable");
    assert_non_null(strstr(text, "Redis XADD of 2 KB, appendfsync always"));
    assert_non_null(strstr(text, "not measured: redis-server not installed"));
    free(text);
    json_decref(out);
    json_decref(given);
}

/* A redis-server that exits at once: the peer is not measured, says why, and leaves no child
 * behind (the run goes on). */
static void
redis_that_exits_is_unmeasured(void **state)
{
    char dir[] = "/tmp/bench-figures-redis-XXXXXX";
    tx_bench_cfg cfg = {.records = 10, .redis_clients = 2, .redis_bin = "/bin/false"};
    json_t *out = json_object();

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(cfg.work, sizeof cfg.work, "%s", dir);
    capture_begin();
    assert_int_equal(tx_bench_redis(&cfg, out), TX_OK);
    free(capture_end());
#ifdef TX_BENCH_HIREDIS
    assert_unmeasured(out, "records_per_s", "redis-server exited at start");
    assert_unmeasured(out, "p99_us", "redis-server exited at start");
#else
    assert_unmeasured(out, "records_per_s", "without hiredis");
#endif
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* no child left */
    assert_int_equal(rmdir(dir), 0);                  /* its directory removed */
    json_decref(out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unmeasured_is_null_with_reason),
        cmocka_unit_test(quantile_of_nothing_is_unmeasured),
        cmocka_unit_test(memory_of_a_gone_process_is_unmeasured),
        cmocka_unit_test(memory_of_an_undumpable_process),
        cmocka_unit_test(unmeasured_memory_is_no_met_target),
        cmocka_unit_test(nothing_measured_nothing_met),
        cmocka_unit_test(floors_are_context_not_verdicts),
        cmocka_unit_test(report_judged_against_crypto_floor),
        cmocka_unit_test(unmeasured_floor_is_context_with_reason),
        cmocka_unit_test(floors_measured),
        cmocka_unit_test(pipeline_floor_of_bad_envelopes),
        cmocka_unit_test(p99_target_follows_pipeline_floor),
        cmocka_unit_test(redis_not_installed),
        cmocka_unit_test(redis_that_exits_is_unmeasured),
    };

    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}

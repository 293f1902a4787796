/* How cost grows with the log: one hub ingests up to 10 000, 100 000 and 1 000 000 records;
 * at each step the ingest rate of that step, the LMDB file against the envelope bytes stored,
 * the hub's memory, a restart (time to its endpoint and to its first answer, and its memory
 * once it answered, and the full check the restarted hub runs beside serving), then
 * `ticsx-hub backup` of the running hub and `ticsx-hub check` of its data. Records are signed in
 * chunks between timed stretches, so memory stays bounded. Then 10 000 000 records on paper: the
 * last step's figures extrapolated, with the method. */
#include "bench.h"

#include "tx_error.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 100000u
#define SCALE_MAP_MIB 16384u
#define ADMIN_LIMIT_S 3600       /* one backup or check */
#define PAPER_RECORDS 10000000.0 /* the step on paper */

static const uint64_t steps[] = {10000, 100000, 1000000};

/* The step's ingest rate and hub CPU per record (not measured when the hub's /proc/PID/stat
 * could not be read in any part of it). */
static void
step_figures(json_t *row, uint64_t done, double secs, double cpu_us, int cpu_known)
{
    if (secs > 0) {
        tx_bench_set(row, "ingest_per_s", (double)done / secs, "records/s",
                     "ingest rate of this step");
    } else {
        tx_bench_unmeasured(row, "ingest_per_s", "ingest rate of this step", "no time elapsed");
    }
    if (cpu_known && done > 0) {
        tx_bench_set(row, "hub_cpu_us_per_record", cpu_us / (double)done, "us",
                     "hub CPU per record in this step");
    } else {
        tx_bench_unmeasured(row, "hub_cpu_us_per_record", "hub CPU per record in this step", "%s",
                            done > 0 ? "the hub's /proc/PID/stat could not be read"
                                     : "no records stored");
    }
}

/* data.mdb's size against the envelope bytes stored. */
static void
file_figures(json_t *row, const char *dir, uint64_t bytes)
{
    char path[PATH_MAX + 16];
    uint64_t size, alloc;

    snprintf(path, sizeof path, "%s/data.mdb", dir);
    tx_bench_set(row, "envelope_bytes", (double)bytes, "B", "envelope bytes stored");
    if (tx_bench_file_size(path, &size, &alloc) != TX_OK) {
        const char *why = strerror(errno);

        tx_bench_unmeasured(row, "lmdb_file_bytes", "data.mdb size", "cannot stat %s: %s", path,
                            why);
        tx_bench_unmeasured(row, "lmdb_allocated_bytes", "data.mdb allocated", "%s",
                            tx_bench_why(row, "lmdb_file_bytes"));
        tx_bench_unmeasured(row, "lmdb_over_envelopes", "data.mdb / envelope bytes", "%s",
                            tx_bench_why(row, "lmdb_file_bytes"));
        return;
    }
    tx_bench_set(row, "lmdb_file_bytes", (double)size, "B", "data.mdb size");
    tx_bench_set(row, "lmdb_allocated_bytes", (double)alloc, "B", "data.mdb allocated");
    if (bytes > 0) {
        tx_bench_set(row, "lmdb_over_envelopes", (double)size / (double)bytes, "x",
                     "data.mdb / envelope bytes");
    } else {
        tx_bench_unmeasured(row, "lmdb_over_envelopes", "data.mdb / envelope bytes",
                            "no envelope bytes stored");
    }
}

/* `ticsx-hub ARGS` timed into row[key] (seconds); not measured when it fails. */
static void
admin_timed(const tx_bench_cfg *cfg, json_t *row, const char *key, const char *const *args,
            const char *log, const char *label)
{
    int64_t t0 = tx_bench_now_ns();
    int st = tx_bench_hub_cmd(cfg, args, log, ADMIN_LIMIT_S);

    if (st == 0) {
        tx_bench_set(row, key, tx_bench_since_s(t0), "s", label);
    } else {
        fprintf(stderr, "ticsx-bench: ticsx-hub %s exited with %d; see %s\n", args[0], st, log);
        tx_bench_unmeasured(row, key, label, "ticsx-hub %s exited with %d", args[0], st);
    }
}

/* A hot backup of the running hub into a new directory (its size, then removed) and a check
 * of its data. */
static void
admin_figures(const tx_bench_cfg *cfg, json_t *row, const char *dir)
{
    char out[PATH_MAX + 16], log[PATH_MAX + 8], path[PATH_MAX + 32];
    const char *backup[] = {"backup", "--data", dir, out, NULL};
    const char *check[] = {"check", "--data", dir, NULL};
    uint64_t size, alloc;

    snprintf(out, sizeof out, "%s-backup", dir);
    snprintf(log, sizeof log, "%s.log", dir);
    admin_timed(cfg, row, "backup_s", backup, log, "ticsx-hub backup (hot, compact)");
    snprintf(path, sizeof path, "%s/data.mdb", out);
    if (tx_bench_get(row, "backup_s", &(double){0}) &&
        tx_bench_file_size(path, &size, &alloc) == TX_OK) {
        tx_bench_set(row, "backup_data_bytes", (double)size, "B", "  its data.mdb");
    }
    tx_bench_rmtree(out);
    admin_timed(cfg, row, "check_s", check, log, "ticsx-hub check");
}

/* The full check the restarted hub runs beside serving: from the restart (start_ms before now)
 * until its child process, the hub's only one, has ended. */
static void
check_beside(json_t *row, pid_t hub, double start_ms)
{
    static const char label[] = "full check beside serving, from restart";
    char path[64], buf[256];
    int64_t t0 = tx_bench_now_ns();

    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)hub, (int)hub);
    for (;;) {
        FILE *f = fopen(path, "r");
        size_t n;

        if (f == NULL) {
            tx_bench_unmeasured(row, "check_beside_s", label, "cannot read %s", path);
            return;
        }
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        if (n == 0) {
            break;
        }
        if (tx_bench_since_s(t0) > ADMIN_LIMIT_S || tx_bench_stop) {
            tx_bench_unmeasured(row, "check_beside_s", label, "it did not end within %d s",
                                ADMIN_LIMIT_S);
            return;
        }
        usleep(10000);
    }
    tx_bench_set(row, "check_beside_s", start_ms / 1000 + tx_bench_since_s(t0), "s", label);
}

/* paper[key] = last[key] * k, or not measured with the figure's reason. */
static void
proportional(json_t *paper, const json_t *last, const char *key, double k, const char *unit,
             const char *label)
{
    double v;

    if (tx_bench_get(last, key, &v)) {
        tx_bench_set(paper, key, v * k, unit, label);
    } else {
        tx_bench_unmeasured(paper, key, label, "%s", tx_bench_why(last, key));
    }
}

/* The hub's memory at 10M: the last step's plus its growth per record from the first step to
 * the last (none when it did not grow) times the records added. */
static void
memory_growth(json_t *paper, const json_t *first, const json_t *last, const char *key,
              const char *label)
{
    double r0, r1, m0, m1;

    tx_bench_get(first, "records", &r0);
    tx_bench_get(last, "records", &r1);
    if (!tx_bench_get(last, key, &m1) || !tx_bench_get(first, key, &m0)) {
        tx_bench_unmeasured(paper, key, label, "%s",
                            tx_bench_why(tx_bench_get(last, key, &m1) ? first : last, key));
    } else if (r1 <= r0) {
        tx_bench_unmeasured(paper, key, label, "one scale step shows no growth per record");
    } else {
        double slope = m1 > m0 ? (m1 - m0) / (r1 - r0) : 0;
        tx_bench_set(paper, key, m1 + slope * (PAPER_RECORDS - r1), "KiB", label);
    }
}

static void
extrapolate(const json_t *steps_done, json_t *paper)
{
    size_t n = json_array_size(steps_done);
    const json_t *first = json_array_get(steps_done, 0), *last = json_array_get(steps_done, n - 1);
    double from = 0, k, size;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);

    if (n == 0 || !tx_bench_get(last, "records", &from) || from <= 0) {
        tx_bench_unmeasured(paper, "lmdb_file_bytes", NULL, "no scale step was measured");
        return;
    }
    k = PAPER_RECORDS / from;
    printf(" %.0f records on paper, extrapolated from the %.0f-record step\n", PAPER_RECORDS, from);
    tx_bench_set(paper, "records", PAPER_RECORDS, "", NULL);
    tx_bench_set(paper, "from_records", from, "", NULL);
    tx_bench_set_str(paper, "method",
                     "linear in the records from the last step: data.mdb size, backup and "
                     "check times (the full check beside the serving hub too) times 10M/N; start "
                     "to first answer: the last step's (the start check reads the last 1000 "
                     "records and O(log N) Merkle nodes, whatever N); memory: the last step's plus "
                     "its growth per record from the first step to the last (none when it did "
                     "not grow) times the records added",
                     "  method");
    proportional(paper, last, "lmdb_file_bytes", k, "B", "data.mdb size (extrapolated)");
    proportional(paper, last, "start_first_answer_ms", 1, "ms",
                 "start to first answer (as the last step)");
    memory_growth(paper, first, last, "after_ingest_anon_kib",
                  "hub Anonymous after ingest (extrapolated)");
    memory_growth(paper, first, last, "after_start_anon_kib",
                  "hub Anonymous after restart (extrapolated)");
    proportional(paper, last, "backup_s", k, "s", "ticsx-hub backup (extrapolated)");
    proportional(paper, last, "check_s", k, "s", "ticsx-hub check (extrapolated)");
    proportional(paper, last, "check_beside_s", k, "s", "check beside serving (extrapolated)");
    /* Linear holds while the store stays in the page cache, as it did at the last step. */
    if (tx_bench_get(paper, "lmdb_file_bytes", &size) && pages > 0 && page > 0 &&
        size > (double)pages * (double)page) {
        tx_bench_set_str(paper, "caveat",
                         "data.mdb would exceed this machine's memory: start, backup and check "
                         "would read it from disk, so their figures are a lower bound",
                         "  caveat");
    }
}

int
tx_bench_scale(tx_bench_cfg *cfg, json_t *out, json_t *paper)
{
    tx_bench_ingest *ing = NULL;
    uint64_t stored = 0;
    int rc;

    printf("scale: one hub, up to %llu records\n", (unsigned long long)cfg->scale_max);
    fflush(stdout);
    if ((rc = tx_bench_ingest_open(cfg, SCALE_MAP_MIB, &ing)) != TX_OK) {
        return rc;
    }
    for (size_t s = 0; s < sizeof steps / sizeof steps[0] && rc == TX_OK && !tx_bench_stop; s++) {
        json_t *row = json_object();
        double secs = 0, cpu_us = 0, part_cpu, ping_ms = 0, rate;
        uint64_t done = 0;
        int cpu_known = 1;
        tx_bench_hub *hub = tx_bench_ingest_hub(ing);

        if (steps[s] > cfg->scale_max) {
            json_decref(row);
            break;
        }
        printf(" %llu records\n", (unsigned long long)steps[s]);
        while (stored < steps[s] && rc == TX_OK && !tx_bench_stop) {
            json_t *part = json_object();
            uint64_t n = steps[s] - stored < CHUNK ? steps[s] - stored : CHUNK;

            if ((rc = tx_bench_ingest_prepare(ing, n, cfg->batch)) == TX_OK &&
                (rc = tx_bench_ingest_run(ing, part, 0, &rate)) == TX_OK) {
                uint64_t got = (uint64_t)json_integer_value(json_object_get(part, "records"));

                secs += json_number_value(json_object_get(part, "seconds"));
                cpu_known &= tx_bench_get(part, "hub_cpu_us_per_record", &part_cpu);
                cpu_us += part_cpu * (double)got;
                done += got;
                stored += n;
            }
            json_decref(part);
        }
        if (rc != TX_OK) {
            json_decref(row);
            break;
        }
        tx_bench_set(row, "records", (double)stored, "", "records stored");
        step_figures(row, done, secs, cpu_us, cpu_known);
        file_figures(row, hub->dir, tx_bench_ingest_stored_bytes(ing));
        tx_bench_memory_into(row, "after_ingest", hub->pid, "hub memory after ingest");
        if ((rc = tx_bench_ingest_restart(ing, &ping_ms)) != TX_OK) {
            json_decref(row);
            break;
        }
        tx_bench_set(row, "start_endpoint_ms", hub->start_ms, "ms", "restart: endpoint written");
        tx_bench_set(row, "start_first_answer_ms", ping_ms, "ms", "restart: first answer");
        tx_bench_memory_into(row, "after_start", hub->pid, "hub memory after restart");
        check_beside(row, hub->pid, ping_ms);
        admin_figures(cfg, row, hub->dir);
        json_array_append_new(out, row);
    }
    tx_bench_ingest_close(&ing);
    if (rc == TX_OK) {
        extrapolate(out, paper);
    }
    return rc;
}

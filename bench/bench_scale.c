/* How cost grows with the log: one hub ingests up to 10 000, 100 000 and 1 000 000 records;
 * at each step the ingest rate of that step, the LMDB file against the envelope bytes stored,
 * the hub's memory, and a restart: time to its endpoint and to its first answer, and its
 * memory once it answered. Records are signed in chunks between timed stretches, so memory
 * stays bounded. */
#include "bench.h"

#include "tx_error.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 100000u
#define SCALE_MAP_MIB 16384u

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

int
tx_bench_scale(tx_bench_cfg *cfg, json_t *out)
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
        json_array_append_new(out, row);
    }
    tx_bench_ingest_close(&ing);
    return rc;
}

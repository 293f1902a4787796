/* How cost grows with the log: one hub ingests up to 10 000, 100 000 and 1 000 000 records;
 * at each step the ingest rate of that step, the LMDB file against the envelope bytes stored,
 * the hub's memory, and a restart: time to its endpoint and to its first answer, and its
 * memory once it answered. Records are signed in chunks between timed stretches, so memory
 * stays bounded. */
#include "bench.h"

#include "tx_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 100000u
#define SCALE_MAP_MIB 16384u

static const uint64_t steps[] = {10000, 100000, 1000000};

static int
memory_into(json_t *row, const char *prefix, pid_t pid, const char *label)
{
    long anon, dirty, rss;
    char key[64], text[96];

    if (tx_bench_memory(pid, &anon, &dirty, &rss) != TX_OK) {
        return TX_ERR_IO;
    }
    snprintf(key, sizeof key, "%s_anon_kib", prefix);
    snprintf(text, sizeof text, "%s: Anonymous", label);
    tx_bench_set(row, key, (double)anon, "KiB", text);
    snprintf(key, sizeof key, "%s_private_dirty_kib", prefix);
    snprintf(text, sizeof text, "%s: Private_Dirty", label);
    tx_bench_set(row, key, (double)dirty, "KiB", text);
    snprintf(key, sizeof key, "%s_rss_kib", prefix);
    snprintf(text, sizeof text, "%s: Rss (with file)", label);
    tx_bench_set(row, key, (double)rss, "KiB", text);
    return TX_OK;
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
        double secs = 0, cpu_us = 0, ping_ms = 0, rate;
        uint64_t done = 0, size, alloc, bytes;
        char path[PATH_MAX + 16];
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
                cpu_us +=
                    json_number_value(json_object_get(part, "hub_cpu_us_per_record")) * (double)got;
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
        tx_bench_set(row, "ingest_per_s", secs > 0 ? (double)done / secs : 0, "records/s",
                     "ingest rate of this step");
        tx_bench_set(row, "hub_cpu_us_per_record", done ? cpu_us / (double)done : 0, "us",
                     "hub CPU per record in this step");
        snprintf(path, sizeof path, "%s/data.mdb", hub->dir);
        tx_bench_file_size(path, &size, &alloc);
        bytes = tx_bench_ingest_stored_bytes(ing);
        tx_bench_set(row, "envelope_bytes", (double)bytes, "B", "envelope bytes stored");
        tx_bench_set(row, "lmdb_file_bytes", (double)size, "B", "data.mdb size");
        tx_bench_set(row, "lmdb_allocated_bytes", (double)alloc, "B", "data.mdb allocated");
        tx_bench_set(row, "lmdb_over_envelopes", bytes ? (double)size / (double)bytes : 0, "x",
                     "data.mdb / envelope bytes");
        memory_into(row, "after_ingest", hub->pid, "hub memory after ingest");
        if ((rc = tx_bench_ingest_restart(ing, &ping_ms)) != TX_OK) {
            json_decref(row);
            break;
        }
        tx_bench_set(row, "start_endpoint_ms", hub->start_ms, "ms", "restart: endpoint written");
        tx_bench_set(row, "start_first_answer_ms", ping_ms, "ms", "restart: first answer");
        memory_into(row, "after_start", hub->pid, "hub memory after restart");
        json_array_append_new(out, row);
    }
    tx_bench_ingest_close(&ing);
    return rc;
}

/* ticsx-bench: measures this machine's bare limits, then a real ticsx-hub against them (ingest,
 * latency, the buyer's read side, optionally how cost grows to a million records), prints
 * every figure with the ratios the targets are stated in, and writes them as JSON. Exit
 * status: 0 ran (targets met or not), 2 usage or a failed run. */
#include "bench.h"

#include "tx_error.h"
#include "tx_log.h"
#include "tx_malloc.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define SAMPLE_ENVELOPES 4096
#define INGEST_MAP_MIB 8192

static const char *const usage =
    "usage: ticsx-bench [OPTIONS]\n"
    "\n"
    "Measures this machine's bare limits, then a real ticsx-hub against them, and prints\n"
    "every figure with the ratios the targets are stated in. Everything runs on 127.0.0.1\n"
    "in a temporary directory that is removed at the end.\n"
    "\n"
    "  1. bare limits: Ed25519 verifications/s on 1 thread and on all cores over the\n"
    "     envelopes the ingest submits; durable LMDB commits (1 record, and 1000, per\n"
    "     transaction); ZeroMQ CURVE round trip (p50, p99) and one-way rate of 2 KB messages\n"
    "  2. ingest: a real ticsx-hub, K enrolled clients each with its own signer, pre-signed\n"
    "     sealed assessments of 2-4 KB, pipelined: sustained durable records/s\n"
    "  3. latency: submits paced at half that rate (open loop): p50, p99, p99.9\n"
    "  4. floors, from bare parts each on one core: the hub's CPU per record (one\n"
    "     verification + a CURVE pair's server side per submit + a bare LMDB store of the\n"
    "     hub's shape in batches of the hub's mean size); a bare single-writer group\n"
    "     commit of that store paced as the latency run: p50, p99, p99.9; and the pipeline\n"
    "     floor: the same arrivals each verified (Ed25519, on T threads) before that writer\n"
    "     commits it: p50, p99, p99.9, and whether the p99 target is out of reach here\n"
    "  5. read side: a buyer fetching, decrypting, verifying and scoring a supply tree of\n"
    "     N suppliers in 3 tiers with the client library: seconds and nodes/s\n"
    "  6. the Redis peer, when redis-server is installed: a redis-server of its own\n"
    "     (appendonly, appendfsync always), 50 clients each waiting for its reply, as many\n"
    "     XADDs of 2 KB as the ingest's records: records/s, p50, p99, and our ratios to it\n"
    "  7. with --scale: ingest rate, LMDB file size / envelope bytes, hub start time,\n"
    "     memory, backup and check time at 10k, 100k and 1M stored records (takes minutes);\n"
    "     then 10M records on paper: those of the last step extrapolated, printed as\n"
    "     \"extrapolated\" with the method\n"
    "\n"
    "A figure the run could not measure (a file it could not read, a part left out) is\n"
    "printed as \"not measured: WHY\" and written as null with its reason under\n"
    "\"not_measured\" in its JSON section; a target it depends on is not measured either.\n"
    "\n"
    "options:\n"
    "  --records N          submits in the sustained ingest (default 100000)\n"
    "  --clients K          client threads, each its own signer and connection (default 4)\n"
    "  --window W           records in flight per client (default 256)\n"
    "  --batch B            records per SubmitBatch call in a second, batched ingest run\n"
    "                       (default 32, 1 to 256; 1: no batched run)\n"
    "  --suppliers N        read side: suppliers in the tree (default 10000)\n"
    "  --threads T          threads for the all-core limits (default: online CPUs)\n"
    "  --seconds S          length of each bare-limit measurement (default 3)\n"
    "  --latency-seconds S  length of the paced latency run (default 10)\n"
    "  --latency-rate R     pace it at R records/s (default: half the sustained rate)\n"
    "  --workers N          the hub's verification threads (default: the hub's, one per CPU)\n"
    "  --commit-wait-us US  passed to the hub, which no longer uses it (retired: kept so\n"
    "                       older command lines run)\n"
    "  --hub-log-level L    the hub's --log-level (default warn)\n"
    "  --hub-bin PATH       ticsx-hub to run (default: ../hub/ticsx-hub beside this program)\n"
    "  --tmp DIR            where temporary directories go (default $TMPDIR or /tmp); LMDB\n"
    "                       is measured there, so put it on the disk the hub would use\n"
    "  --scale              also run the scale series (10k, 100k, 1M records)\n"
    "  --scale-max N        largest scale step (default 1000000)\n"
    "  --redis-server PATH  redis-server for the Redis peer (default: found on PATH)\n"
    "  --redis-clients N    the peer's clients (default 50)\n"
    "  --skip-limits, --skip-ingest, --skip-read, --skip-redis   leave a part out\n"
    "  --json FILE          write every figure as JSON to FILE\n"
    "  --keep               keep the temporary directory (data and hub logs) for a look\n"
    "  -v, --verbose        the library's log lines on stderr\n"
    "  -h, --help           this text\n"
    "\n"
    "Targets (issue 7, on the 2-core development machine): ingest >= 0.6 x all-core verify;\n"
    "p99 <= 5 ms at half rate; aggregation (3 signatures per node) >= 0.7 x all-core verify;\n"
    "at 1M records: hub Anonymous memory < 64 MiB, data.mdb <= 1.3 x envelope bytes, start\n"
    "to first answer < 1 s. Issue 13 (ticsx ui, from the model in memory, at --suppliers):\n"
    "dashboard first page <= 1 s, supply tree <= 2 s. Issue 18 (same-run ratios): hub CPU\n"
    "per record <= 1.25 x one bare verification; p99 at half rate <= 3 x the bare durable\n"
    "commit's p99; read side >= 0.7 x its crypto floor; report --json <= 1.5 x decrypt and\n"
    "verify (their crypto floor) and <= 100 MB. Exit status 0 whether or not targets are\n"
    "met; 2 on failure.\n";

static void
on_signal(int sig)
{
    (void)sig;
    tx_bench_stop = 1;
}

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    if (s == NULL || *s == 0 || *s == '-') {
        return TX_ERR_USAGE;
    }
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != 0 || v < min || v > max) {
        return TX_ERR_USAGE;
    }
    *out = v;
    return TX_OK;
}

static int
parse_seconds(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);

    if (*end != 0 || !(v > 0 && v <= 3600)) {
        return TX_ERR_USAGE;
    }
    *out = v;
    return TX_OK;
}

static int
fail_usage(const char *msg)
{
    fprintf(stderr, "ticsx-bench: %s\n\n%s", msg, usage);
    return 2;
}

/* ../hub/ticsx-hub beside this program, as the build tree lays them out. */
static void
default_hub_bin(char *out, size_t n)
{
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    char *slash;

    snprintf(out, n, "ticsx-hub");
    if (len <= 0) {
        return;
    }
    self[len] = 0;
    slash = strrchr(self, '/');
    if (slash != NULL) {
        *slash = 0;
        snprintf(out, n, "%.*s/../hub/ticsx-hub", (int)(n - 20), self);
    }
}

static int
parse(int argc, char **argv, tx_bench_cfg *cfg, const char **json_path, char *hub_bin, size_t n)
{
    enum {
        O_RECORDS = 256,
        O_CLIENTS,
        O_WINDOW,
        O_BATCH,
        O_SUPPLIERS,
        O_THREADS,
        O_SECONDS,
        O_LATENCY,
        O_LATENCY_RATE,
        O_KEEP,
        O_WORKERS,
        O_WAIT,
        O_HUBLOG,
        O_HUBBIN,
        O_TMP,
        O_SCALE,
        O_SCALEMAX,
        O_SKIP_LIMITS,
        O_SKIP_INGEST,
        O_SKIP_READ,
        O_SKIP_REDIS,
        O_REDIS_BIN,
        O_REDIS_CLIENTS,
        O_JSON
    };
    static const struct option opts[] = {
        {"records", required_argument, NULL, O_RECORDS},
        {"clients", required_argument, NULL, O_CLIENTS},
        {"window", required_argument, NULL, O_WINDOW},
        {"batch", required_argument, NULL, O_BATCH},
        {"suppliers", required_argument, NULL, O_SUPPLIERS},
        {"threads", required_argument, NULL, O_THREADS},
        {"seconds", required_argument, NULL, O_SECONDS},
        {"latency-seconds", required_argument, NULL, O_LATENCY},
        {"latency-rate", required_argument, NULL, O_LATENCY_RATE},
        {"keep", no_argument, NULL, O_KEEP},
        {"workers", required_argument, NULL, O_WORKERS},
        {"commit-wait-us", required_argument, NULL, O_WAIT},
        {"hub-log-level", required_argument, NULL, O_HUBLOG},
        {"hub-bin", required_argument, NULL, O_HUBBIN},
        {"tmp", required_argument, NULL, O_TMP},
        {"scale", no_argument, NULL, O_SCALE},
        {"scale-max", required_argument, NULL, O_SCALEMAX},
        {"skip-limits", no_argument, NULL, O_SKIP_LIMITS},
        {"skip-ingest", no_argument, NULL, O_SKIP_INGEST},
        {"skip-read", no_argument, NULL, O_SKIP_READ},
        {"skip-redis", no_argument, NULL, O_SKIP_REDIS},
        {"redis-server", required_argument, NULL, O_REDIS_BIN},
        {"redis-clients", required_argument, NULL, O_REDIS_CLIENTS},
        {"json", required_argument, NULL, O_JSON},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t v;
    int c;

    memset(cfg, 0, sizeof *cfg);
    cfg->records = 100000;
    cfg->clients = 4;
    cfg->window = 256;
    cfg->batch = 32;
    cfg->suppliers = 10000;
    cfg->threads = ncpu > 0 ? (unsigned)ncpu : 1;
    cfg->seconds = 3;
    cfg->latency_s = 10;
    cfg->commit_wait_us = -1;
    cfg->hub_log = "warn";
    cfg->scale_max = 1000000;
    cfg->redis_clients = 50;
    cfg->tmp_root = getenv("TMPDIR") != NULL && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp";
    default_hub_bin(hub_bin, n);
    cfg->hub_bin = hub_bin;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (c) {
        case O_RECORDS:
            if (parse_u64(optarg, 1, 100000000, &v) != TX_OK) {
                return fail_usage("--records takes a count (1 or more)");
            }
            cfg->records = v;
            break;
        case O_CLIENTS:
            if (parse_u64(optarg, 1, 256, &v) != TX_OK) {
                return fail_usage("--clients takes 1 to 256");
            }
            cfg->clients = (unsigned)v;
            break;
        case O_WINDOW:
            if (parse_u64(optarg, 1, 10000, &v) != TX_OK) {
                return fail_usage("--window takes 1 to 10000");
            }
            cfg->window = (unsigned)v;
            break;
        case O_BATCH:
            if (parse_u64(optarg, 1, TX_MAX_BATCH, &v) != TX_OK) {
                return fail_usage("--batch takes 1 to 256");
            }
            cfg->batch = (unsigned)v;
            break;
        case O_SUPPLIERS:
            if (parse_u64(optarg, 10, 1000000, &v) != TX_OK) {
                return fail_usage("--suppliers takes 10 to 1000000");
            }
            cfg->suppliers = (unsigned)v;
            break;
        case O_THREADS:
            if (parse_u64(optarg, 1, 1024, &v) != TX_OK) {
                return fail_usage("--threads takes 1 to 1024");
            }
            cfg->threads = (unsigned)v;
            break;
        case O_SECONDS:
            if (parse_seconds(optarg, &cfg->seconds) != TX_OK) {
                return fail_usage("--seconds takes a duration in seconds (up to 3600)");
            }
            break;
        case O_LATENCY:
            if (parse_seconds(optarg, &cfg->latency_s) != TX_OK) {
                return fail_usage("--latency-seconds takes a duration in seconds (up to 3600)");
            }
            break;
        case O_LATENCY_RATE:
            if (parse_u64(optarg, 1, 10000000, &v) != TX_OK) {
                return fail_usage("--latency-rate takes records per second (1 or more)");
            }
            cfg->latency_rate = (double)v;
            break;
        case O_KEEP:
            cfg->keep = 1;
            break;
        case O_WORKERS:
            if (parse_u64(optarg, 1, 256, &v) != TX_OK) {
                return fail_usage("--workers takes 1 to 256");
            }
            cfg->hub_workers = (unsigned)v;
            break;
        case O_WAIT:
            if (parse_u64(optarg, 0, 1000000, &v) != TX_OK) {
                return fail_usage("--commit-wait-us takes 0 to 1000000");
            }
            cfg->commit_wait_us = (long)v;
            break;
        case O_HUBLOG:
            cfg->hub_log = optarg;
            break;
        case O_HUBBIN:
            cfg->hub_bin = optarg;
            break;
        case O_TMP:
            cfg->tmp_root = optarg;
            break;
        case O_SCALE:
            cfg->scale = 1;
            break;
        case O_SCALEMAX:
            if (parse_u64(optarg, 10000, 100000000, &v) != TX_OK) {
                return fail_usage("--scale-max takes 10000 or more");
            }
            cfg->scale_max = v;
            break;
        case O_SKIP_LIMITS:
            cfg->skip_limits = 1;
            break;
        case O_SKIP_INGEST:
            cfg->skip_ingest = 1;
            break;
        case O_SKIP_READ:
            cfg->skip_read = 1;
            break;
        case O_SKIP_REDIS:
            cfg->skip_redis = 1;
            break;
        case O_REDIS_BIN:
            cfg->redis_bin = optarg;
            break;
        case O_REDIS_CLIENTS:
            if (parse_u64(optarg, 1, 1024, &v) != TX_OK) {
                return fail_usage("--redis-clients takes 1 to 1024");
            }
            cfg->redis_clients = (unsigned)v;
            break;
        case O_JSON:
            *json_path = optarg;
            break;
        case 'v':
            cfg->verbose = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            return fail_usage("unknown or incomplete option");
        }
    }
    if (optind != argc) {
        return fail_usage("unexpected argument");
    }
    if (access(cfg->hub_bin, X_OK) != 0) {
        fprintf(stderr,
                "ticsx-bench: %s is not an executable ticsx-hub; build it or pass --hub-bin\n",
                cfg->hub_bin);
        return 2;
    }
    return -1;
}

static void
machine_info(const tx_bench_cfg *cfg, json_t *out)
{
    char line[256], model[160] = "unknown";
    struct utsname u;
    double load[3] = {0, 0, 0};
    FILE *f = fopen("/proc/cpuinfo", "r");

    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
            snprintf(model, sizeof model, "%s", colon + 2);
            model[strcspn(model, "\n")] = 0;
            break;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    printf("machine\n");
    tx_bench_set_str(out, "cpu", model, "cpu");
    tx_bench_set(out, "cpus", (double)sysconf(_SC_NPROCESSORS_ONLN), "", "online CPUs");
    if (uname(&u) == 0) {
        snprintf(line, sizeof line, "%s %s %s", u.sysname, u.release, u.machine);
        tx_bench_set_str(out, "kernel", line, "kernel");
    }
    if (getloadavg(load, 3) == 3) {
        tx_bench_set(out, "loadavg_1m_at_start", load[0], "", "load average (1 min) at start");
    } else {
        tx_bench_unmeasured(out, "loadavg_1m_at_start", "load average (1 min) at start",
                            "getloadavg failed (no /proc/loadavg?)");
    }
    tx_bench_set_str(out, "tmp", cfg->tmp_root, "temporary directories in");
    {
        time_t now = time(NULL);
        char when[32];
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        tx_bench_set_str(out, "date", when, NULL);
    }
}

/* keys (NULL-terminated) of section as not measured: left out (why). */
static void
left_out(json_t *section, const char *const *keys, const char *why)
{
    for (; *keys != NULL; keys++) {
        tx_bench_unmeasured(section, *keys, NULL, "left out (%s)", why);
    }
}

/* The figures of the parts left out, as not measured and why. */
static void
mark_skipped(const tx_bench_cfg *cfg, json_t *limits, json_t *ingest, json_t *batch,
             json_t *latency, json_t *readside, json_t *redis, json_t *floor)
{
    static const char *const floor_keys[] = {"cpu_floor_us", "cpu_floor_over_verify",
                                             "tail_p99_us", "tail_p99_over_disk_p99",
                                             "pipeline_p99_us", "pipeline_p99_over_disk_p99",
                                             NULL};
    static const char *const limit_keys[] = {"verify_all_cores_per_s", "lmdb_paced_us_p99", NULL};
    static const char *const rate_keys[] = {"records_per_s", NULL};
    static const char *const latency_keys[] = {"p50_us", "p99_us", NULL};
    static const char *const read_keys[] = {"required_sig_per_s", "ui_dashboard_s", "ui_tree_s",
                                            NULL};

    if (cfg->skip_limits) {
        left_out(limits, limit_keys, "--skip-limits");
        left_out(floor, floor_keys, "--skip-limits");
    }
    if (cfg->skip_ingest) {
        left_out(ingest, rate_keys, "--skip-ingest");
        left_out(latency, latency_keys, "--skip-ingest");
    }
    if (cfg->skip_ingest || cfg->batch == 1) {
        left_out(batch, rate_keys, cfg->skip_ingest ? "--skip-ingest" : "--batch 1");
    }
    if (cfg->skip_read) {
        left_out(readside, read_keys, "--skip-read");
    }
    if (cfg->skip_redis) {
        left_out(redis, rate_keys, "--skip-redis");
        left_out(redis, latency_keys, "--skip-redis");
    }
}

/* Measures the all-core verify rate once more into limits ("verify_all_cores_<when>_per_s")
 * and adds it to the running sum the ratios are based on. */
static int
resample_verify(const tx_bench_cfg *cfg, uint8_t *const *envs, const size_t *lens, size_t n,
                json_t *limits, const char *when, const char *label, double *sum, int *count)
{
    char key[64];
    double again = 0;
    int rc = tx_bench_verify_all_cores(cfg, envs, lens, n, &again);

    if (rc == TX_OK && again > 0) {
        snprintf(key, sizeof key, "verify_all_cores_%s_per_s", when);
        tx_bench_set(limits, key, again, "/s", label);
        *sum += again;
        (*count)++;
    }
    return rc;
}

int
main(int argc, char **argv)
{
    tx_bench_cfg cfg;
    char hub_bin[PATH_MAX];
    const char *json_path = NULL;
    json_t *root = json_object(), *limits = json_object(), *ingest = json_object();
    json_t *latency = json_object(), *readside = json_object(), *scale = json_array();
    json_t *ingest_batch = json_object(), *redis = json_object(), *paper = json_object();
    json_t *machine = json_object(), *ratios = json_object(), *floor = json_object();
    tx_bench_ingest *ing = NULL;
    uint8_t **envs = NULL;
    size_t *lens = NULL, n_env = 0;
    double verify_all = 0, rate = 0, rate_batch = 0, sig_rate = 0, verify_sum = 0, paced_at = 0;
    int verify_n = 0;
    struct sigaction sa;
    int rc = parse(argc, argv, &cfg, &json_path, hub_bin, sizeof hub_bin);
    int exit_code = 0;

    if (rc >= 0) {
        return rc;
    }
    tx_malloc_setup(); /* before any thread: the read side's fetch runs in this process */
    if (sodium_init() < 0) {
        fprintf(stderr, "ticsx-bench: libsodium does not initialise\n");
        return 2;
    }
    tx_log_level = cfg.verbose ? TX_LOG_INFO : TX_LOG_ERROR;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (tx_bench_mkdtemp(cfg.tmp_root, "ticsx-bench", cfg.work, sizeof cfg.work) != TX_OK) {
        return 2;
    }
    machine_info(&cfg, machine);
    json_object_set_new(root, "machine", machine);
    json_object_set_new(root, "config",
                        json_pack("{s:I,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:f,s:f,s:b}", "records",
                                  (json_int_t)cfg.records, "clients", (int)cfg.clients, "window",
                                  (int)cfg.window, "batch", (int)cfg.batch, "suppliers",
                                  (int)cfg.suppliers, "threads", (int)cfg.threads, "hub_workers",
                                  (int)cfg.hub_workers, "commit_wait_us", (int)cfg.commit_wait_us,
                                  "seconds", cfg.seconds, "latency_seconds", cfg.latency_s, "scale",
                                  cfg.scale));
    rc = TX_OK;
    mark_skipped(&cfg, limits, ingest, ingest_batch, latency, readside, redis, floor);
    if (!cfg.skip_ingest) {
        printf("preparing the ingest: a hub, %u clients, %llu signed records (untimed)\n",
               cfg.clients, (unsigned long long)cfg.records);
        fflush(stdout);
        if ((rc = tx_bench_ingest_open(&cfg, INGEST_MAP_MIB, &ing)) == TX_OK) {
            rc = tx_bench_ingest_prepare(ing, cfg.records, 1);
        }
        if (rc == TX_OK) {
            n_env = tx_bench_ingest_sample(ing, SAMPLE_ENVELOPES, &envs, &lens);
        }
    } else if (!cfg.skip_limits) {
        rc = tx_bench_sample(256, &envs, &lens, &n_env);
    }
    if (rc == TX_OK && !cfg.skip_limits && !tx_bench_stop) {
        rc = n_env > 0 ? tx_bench_limits(&cfg, envs, lens, n_env, limits) : TX_ERR_INTERNAL;
        verify_all = json_number_value(json_object_get(limits, "verify_all_cores_per_s"));
        verify_sum = verify_all;
        verify_n = verify_all > 0;
    }
    json_object_set_new(root, "limits", limits);
    if (rc == TX_OK && ing != NULL && !tx_bench_stop) {
        printf("ingest, one record per call: %u clients over tcp://127.0.0.1 with CURVE, "
               "window %u\n",
               cfg.clients, cfg.window);
        rc = tx_bench_ingest_run(ing, ingest, 1, &rate);
        if (rc == TX_OK && cfg.batch > 1) {
            printf("ingest, %u records per SubmitBatch call: %u clients, window %u records\n",
                   cfg.batch, cfg.clients, cfg.window);
            fflush(stdout);
            if ((rc = tx_bench_ingest_prepare(ing, cfg.records, cfg.batch)) == TX_OK) {
                rc = tx_bench_ingest_run(ing, ingest_batch, 1, &rate_batch);
            }
        }
        if (rc == TX_OK && verify_n > 0 &&
            (rc = resample_verify(&cfg, envs, lens, n_env, limits, "after_ingest",
                                  "Ed25519 verify, all cores, again after the ingest", &verify_sum,
                                  &verify_n)) != TX_OK) {
            fprintf(stderr, "ticsx-bench: the verify rate could not be measured again\n");
        }
        if (rc == TX_OK) {
            double pace = cfg.latency_rate > 0 ? cfg.latency_rate : rate / 2;
            uint64_t paced = (uint64_t)(pace * cfg.latency_s);

            printf("latency: open loop at %s for %.0f s\n",
                   cfg.latency_rate > 0 ? "the rate given" : "half the sustained rate",
                   cfg.latency_s);
            fflush(stdout);
            rc = tx_bench_ingest_prepare(ing, paced > cfg.clients ? paced : cfg.clients, 1);
            if (rc == TX_OK) {
                rc = tx_bench_ingest_paced(ing, pace, latency);
                paced_at = pace;
            }
        }
    }
    tx_bench_ingest_close(&ing);
    json_object_set_new(root, "ingest", ingest);
    json_object_set_new(root, "ingest_batch", ingest_batch);
    json_object_set_new(root, "latency", latency);
    json_object_set_new(root, "floor", floor);
    if (rc == TX_OK && !cfg.skip_limits && n_env > 0 && !tx_bench_stop) {
        rc = tx_bench_floor(&cfg, envs, lens, n_env, root, paced_at, floor);
    }
    if (rc == TX_OK && !cfg.skip_redis && !tx_bench_stop) {
        rc = tx_bench_redis(&cfg, redis);
    }
    if (rc == TX_OK && !cfg.skip_read && !tx_bench_stop) {
        rc = tx_bench_read(&cfg, readside, &sig_rate);
        if (rc == TX_OK && verify_n > 0) {
            rc = resample_verify(&cfg, envs, lens, n_env, limits, "after_read",
                                 "Ed25519 verify, all cores, again after the read side",
                                 &verify_sum, &verify_n);
        }
    }
    json_object_set_new(root, "read", readside);
    json_object_set_new(root, "redis", redis);
    if (rc == TX_OK && cfg.scale && !tx_bench_stop) {
        rc = tx_bench_scale(&cfg, scale, paper);
    } else if (!cfg.scale) {
        tx_bench_unmeasured(paper, "lmdb_file_bytes", NULL, "left out (no --scale)");
    }
    json_object_set_new(root, "scale", scale);
    json_object_set_new(root, "scale_10m", paper);
    printf("ratios and targets\n");
    if (verify_n > 0) {
        tx_bench_set(ratios, "verify_all_cores_mean_per_s", verify_sum / verify_n, "/s",
                     "all-core verify, mean of the samples (the ratios' base)");
    } else {
        tx_bench_unmeasured(ratios, "verify_all_cores_mean_per_s",
                            "all-core verify, mean of the samples (the ratios' base)", "%s",
                            cfg.skip_limits ? "left out (--skip-limits)" : "no sample");
    }
    json_object_set_new(root, "ratios", ratios);
    tx_bench_judge(&cfg, root);
    {
        double load[3];
        if (getloadavg(load, 3) == 3) {
            json_object_set_new(machine, "loadavg_1m_at_end", json_real(load[0]));
        } else {
            tx_bench_unmeasured(machine, "loadavg_1m_at_end", NULL, "getloadavg failed");
        }
    }
    if (json_path != NULL) {
        if (json_dump_file(root, json_path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
            fprintf(stderr, "ticsx-bench: cannot write %s\n", json_path);
            exit_code = 2;
        } else {
            printf("figures written to %s\n", json_path);
        }
    }
    if (rc != TX_OK || tx_bench_stop) {
        fprintf(stderr, "ticsx-bench: the run %s: %s\n", tx_bench_stop ? "was stopped" : "failed",
                tx_strerror(rc));
        exit_code = 2;
    }
    for (size_t i = 0; i < n_env; i++) {
        free(envs[i]);
    }
    free(envs);
    free(lens);
    json_decref(root);
    tx_bench_hub_kill_all();
    if (cfg.keep) {
        printf("kept %s\n", cfg.work);
    } else {
        tx_bench_rmtree(cfg.work);
    }
    return exit_code;
}

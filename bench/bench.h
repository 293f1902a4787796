/* ticsx-bench: shared pieces of the benchmark. Timing and statistics, temporary directories,
 * the real ticsx-hub run as a child process, realistic signed records, raw DEALER clients,
 * and the results tree that is printed and written as JSON. Every loop in the benchmark has a
 * count and a deadline; it talks only to 127.0.0.1. */
#ifndef TX_BENCH_H
#define TX_BENCH_H

#include "tx_codec.h"
#include "tx_keys.h"

#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- run settings ---- */

typedef struct {
    const char *hub_bin;  /* ticsx-hub to run */
    const char *tmp_root; /* where the temporary directories go */
    char work[PATH_MAX];  /* this run's temporary directory (removed at the end) */
    uint64_t records;     /* submits in the sustained ingest */
    unsigned clients;     /* K client threads */
    unsigned window;      /* records in flight per client */
    unsigned batch;       /* envelopes per call in the batched ingest */
    unsigned threads;     /* all-core measurements: threads (nproc) */
    unsigned hub_workers; /* ticsx-hub run --workers; 0: its default */
    long commit_wait_us;  /* ticsx-hub run --commit-wait-us; -1: its default */
    unsigned suppliers;   /* read side: tree size */
    double seconds;       /* length of each timed limit measurement */
    double latency_s;     /* length of the paced latency run */
    double latency_rate;  /* its rate in records/s; 0: half the sustained rate */
    int keep;             /* leave the temporary directory (and the hubs' logs) behind */
    const char *hub_log;  /* ticsx-hub --log-level */
    int scale;            /* run the 10k/100k/1M scale series */
    uint64_t scale_max;   /* its largest step */
    int skip_limits, skip_ingest, skip_read, skip_redis;
    const char *redis_bin;  /* redis-server for the Redis peer; NULL: found on PATH */
    unsigned redis_clients; /* its clients, each waiting for its reply */
    int verbose;
} tx_bench_cfg;

/* Set by SIGINT/SIGTERM: loops stop early, the run cleans up. */
extern volatile sig_atomic_t tx_bench_stop;

/* ---- time and statistics ---- */

int64_t tx_bench_now_ns(void);
double tx_bench_since_s(int64_t t0_ns);

/* Sorts v (n values) and returns the q-quantile (0..1) by nearest rank; 0 when n is 0. */
double tx_bench_quantile(double *v, size_t n, double q);

/* ---- files and directories ---- */

/* mkdtemp of root/NAME-XXXXXX into out (size n). */
int tx_bench_mkdtemp(const char *root, const char *name, char *out, size_t n);

/* rm -rf dir (bounded: refuses an empty path or "/"). */
void tx_bench_rmtree(const char *dir);

/* Size in bytes of a file, and the bytes allocated to it on disk: TX_OK, or TX_ERR_IO (errno
 * says why; both 0) when it cannot be read. */
int tx_bench_file_size(const char *path, uint64_t *size, uint64_t *allocated);

/* ---- the real hub as a child process ---- */

typedef struct {
    pid_t pid;
    char dir[PATH_MAX];
    char endpoint[256];
    uint8_t curve[32]; /* hub.pub's transport key, for clients to pin */
    double start_ms;   /* spawn until DIR/endpoint was written */
    unsigned metrics_port; /* its --metrics on 127.0.0.1; 0: none */
} tx_bench_hub;

/* Runs `ticsx-hub ARGS...` (args NULL-terminated, at most 14) to its end, stderr appended to
 * log (NULL: discarded), killed after limit_s: its exit status, or -1. */
int tx_bench_hub_cmd(const tx_bench_cfg *cfg, const char *const *args, const char *log,
                     double limit_s);

/* CPU seconds (user + system) of a process from /proc/PID/stat; -1 if unreadable. */
double tx_bench_cpu_seconds(pid_t pid);

/* The same from a /proc stat file at path (a thread's: /proc/self/task/TID/stat). */
double tx_bench_stat_cpu(const char *path);

/* The calling thread's CPU seconds so far (getrusage RUSAGE_THREAD, user + system), its system
 * part into *sys_s when sys_s is not NULL; -1 if unreadable. */
double tx_bench_thread_cpu(double *sys_s);

/* The values of the samples names (n of them, each a line "NAME VALUE" of the hub's
 * Prometheus page, e.g. "ticsx_hub_commit_duration_seconds_count") into vals: TX_OK, or an
 * error when the page or a sample could not be read. */
int tx_bench_hub_metrics(const tx_bench_hub *h, const char *const *names, double *vals, size_t n);

/* `ticsx-hub init --data dir` (quiet). */
int tx_bench_hub_init(const tx_bench_cfg *cfg, const char *dir);

/* Starts `ticsx-hub run` on dir bound to tcp://127.0.0.1:* with map_mib and the configured
 * workers, commit wait and log level (log to dir.log); waits (bounded) for DIR/endpoint. */
int tx_bench_hub_start(const tx_bench_cfg *cfg, const char *dir, unsigned map_mib, tx_bench_hub *h);

/* SIGTERM and wait (bounded; SIGKILL after 60 s). Returns the exit status or -1. */
int tx_bench_hub_stop(tx_bench_hub *h);

/* Kills every child this process started that still runs: hubs and the Redis peer (for early
 * exits). */
void tx_bench_hub_kill_all(void);

/* fork + exec of bin with argv: stdin and stdout on /dev/null, stderr to log (appended) or
 * /dev/null; tracked for tx_bench_hub_kill_all. -1 when fork fails. */
pid_t tx_bench_spawn(const char *bin, char *const *argv, const char *log);

/* SIGTERM to a child from tx_bench_spawn, and waits up to limit_s (then SIGKILL): its exit
 * status, or -1. */
int tx_bench_child_stop(pid_t pid, double limit_s);

/* 1 when that child has exited (it is reaped and no longer tracked), else 0. */
int tx_bench_child_exited(pid_t pid);

/* A process's memory in KiB; -1 where it could not be read. */
typedef struct {
    long anon_kib, private_dirty_kib, rss_kib;
    const char *source; /* where anon_kib came from: "smaps_rollup", "status" or NULL */
    char why[192];      /* why smaps_rollup (and then status) could not be read */
} tx_bench_mem;

/* From /proc/PID/smaps_rollup: Anonymous, Private_Dirty and Rss. A process that is not
 * dumpable (the hub) keeps its smaps from anyone but root: then Anonymous is RssAnon and Rss
 * VmRSS from /proc/PID/status (world-readable), and Private_Dirty is not measured. TX_OK when
 * anon_kib was read. */
int tx_bench_memory(pid_t pid, tx_bench_mem *m);

/* The three figures as PREFIX_anon_kib, PREFIX_private_dirty_kib and PREFIX_rss_kib of
 * section (PREFIX_anon_source beside them), each not measured with its reason where it could
 * not be read; printed under label. */
void tx_bench_memory_into(json_t *section, const char *prefix, pid_t pid, const char *label);

/* ---- records ---- */

/* The built-in questionnaire, signed by `publisher` with seq. *q is the decoded
 * questionnaire (caller tx_free()s), *env the signed record (caller free()s). */
int tx_bench_questionnaire(const tx_identity *publisher, uint64_t seq, tx_questionnaire_pb **q,
                           uint8_t **env, size_t *len, uint8_t qid[TX_ID_LEN]);

/* A signed OrgProfile. Caller frees *env. */
int tx_bench_profile(const tx_identity *id, uint64_t seq, uint8_t **env, size_t *len);

/* A sub-supplier named in an assessment. */
typedef struct {
    const uint8_t *key;
    const char *name;
} tx_bench_sub;

/* A full assessment of q answered by id (every item, a comment of up to 80 characters chosen by
 * `variant`, so sealed records come out at 2-4 KB), listing n_subs sub-suppliers; signed as
 * the inner envelope, sealed with a fresh content key (key: TX_CONTENT_KEY_LEN bytes of
 * sodium_malloc'd memory, receives it) and signed again as the SealedAssessment with seq.
 * Caller frees *env. */
int tx_bench_sealed(const tx_identity *id, uint64_t seq, const tx_questionnaire_pb *q,
                    const uint8_t qid[TX_ID_LEN], uint64_t variant, const tx_bench_sub *subs,
                    size_t n_subs, uint8_t *key, uint8_t **env, size_t *len);

/* A request by id for questionnaire qid naming n suppliers, asking for `depth` tiers. Caller
 * frees *env. */
int tx_bench_request(const tx_identity *id, uint64_t seq, const uint8_t qid[TX_ID_LEN],
                     const uint8_t (*suppliers)[TX_KEY_LEN], size_t n, uint32_t depth,
                     uint8_t **env, size_t *len);

/* A grant of assessment aid to grantee, carrying key sealed to its seal key. */
int tx_bench_grant(const tx_identity *id, uint64_t seq, const uint8_t aid[TX_ID_LEN],
                   const tx_pubkey *grantee, const uint8_t *key, uint8_t **env, size_t *len);

/* n sealed assessments of 2-4 KB by one fresh signer, without a hub (for the limits when the
 * ingest is left out): *got made; caller frees each and both arrays. */
int tx_bench_sample(size_t n, uint8_t ***envs, size_t **lens, size_t *got);

/* Packs Call{id, submit{env}}. Caller frees *out. */
int tx_bench_pack_submit(uint64_t call_id, const uint8_t *env, size_t len, uint8_t **out,
                         size_t *out_len);

/* Packs Call{id, submit_batch{envs}}. Caller frees *out. */
int tx_bench_pack_batch(uint64_t call_id, uint8_t *const *envs, const size_t *lens, size_t n,
                        uint8_t **out, size_t *out_len);

/* ---- a raw DEALER client with CURVE (the wire of tx_conn, with open-loop control) ---- */

typedef struct {
    void *ctx; /* owned when the client made it */
    void *sock;
    int own_ctx;
} tx_bench_client;

/* Connects as id. ctx: a ZeroMQ context to share (borrowed), or NULL for one of its own. */
int tx_bench_client_open(tx_bench_client *c, void *ctx, const char *endpoint,
                         const uint8_t hub_curve[32], const tx_identity *id);
void tx_bench_client_close(tx_bench_client *c);

/* Sends one packed call (borrowed until the call returns). */
int tx_bench_client_send(tx_bench_client *c, const uint8_t *call, size_t len);

/* Waits up to timeout_us for one reply; TX_ERR_UNREACHABLE on timeout. Caller tx_free()s. */
int tx_bench_client_recv(tx_bench_client *c, int64_t timeout_us, tx_reply_pb **reply);

/* A ping round trip (connects, handshakes): TX_OK when answered within timeout_ms. */
int tx_bench_client_ping(tx_bench_client *c, int timeout_ms);

/* ---- results ---- */

/* The results tree: sections of name -> number/string, printed as they are set. */
void tx_bench_set(json_t *section, const char *key, double v, const char *unit, const char *label);
void tx_bench_set_str(json_t *section, const char *key, const char *v, const char *label);

/* A figure the run could not measure: key is null in the JSON, the section's "not_measured"
 * object holds why under the same key, and the table prints "not measured: WHY" (when label is
 * given). Never a number, never a met target. */
void tx_bench_unmeasured(json_t *section, const char *key, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The figure key of section: 1 with *v when it was measured (a number), else 0 (*v = 0). */
int tx_bench_get(const json_t *section, const char *key, double *v);

/* Why the figure key of section was not measured: its reason, or "no figure" when the section
 * has no such figure at all; NULL when it was measured. */
const char *tx_bench_why(const json_t *section, const char *key);

/* The q-quantile of v (n values, sorted in place) as a figure; not measured when n is 0. */
void tx_bench_set_quantile(json_t *section, const char *key, double *v, size_t n, double q,
                           const char *unit, const char *label);

/* A target: the value against limit (at_least: >=, else <=), appended to targets (name, value,
 * op, target, met) and printed; met true or false. */
void tx_bench_target(json_t *targets, const char *name, double value, double limit, int at_least,
                     const char *unit);

/* A target the run did not measure: value and met null, "not_measured" the reason; printed as
 * "not measured: WHY". */
void tx_bench_target_unmeasured(json_t *targets, const char *name, double limit, int at_least,
                                const char *unit, const char *why);

/* The target for the figure key of section times scale: measured, or not measured with the
 * figure's own reason. */
void tx_bench_target_of(json_t *targets, const char *name, const json_t *section, const char *key,
                        double scale, double limit, int at_least, const char *unit);

/* ---- the measurements ---- */

/* One envelope's signature, its signer and the bytes the signature covers (PAE), prepared once
 * so that a loop measures the checks alone. */
typedef struct {
    uint8_t pk[32];
    uint8_t sig[64];
    uint8_t *pae;
    size_t pae_len;
} tx_bench_signed;

/* The n envelopes decoded into msgs (capacity n): *got of them, *bytes signed bytes in all.
 * TX_ERR_USAGE when none. Caller frees with tx_bench_signed_free(msgs, *got). */
int tx_bench_signed_prepare(uint8_t *const *envs, const size_t *lens, size_t n,
                            tx_bench_signed *msgs, size_t *got, size_t *bytes);
void tx_bench_signed_free(tx_bench_signed *msgs, size_t n);

/* 1 when m's signature verifies (crypto_sign_verify_detached, the bare check), else 0. */
int tx_bench_signed_ok(const tx_bench_signed *m);

/* Bare limits of this machine into `out`. Signatures are checked over envs (n of them). */
int tx_bench_limits(tx_bench_cfg *cfg, uint8_t *const *envs, const size_t *lens, size_t n,
                    json_t *out);

/* The all-core Ed25519 verification rate over the same envelopes, measured again (a virtual
 * machine's speed drifts during a run; the ratios use the mean of every sample). */
int tx_bench_verify_all_cores(const tx_bench_cfg *cfg, uint8_t *const *envs, const size_t *lens,
                              size_t n, double *rate);

/* A hub with K enrolled clients, each with its own signer, ready to submit. */
typedef struct tx_bench_ingest tx_bench_ingest;

/* Makes the hub (data dir under the work dir, map_mib), the K signers, enrolls them and a
 * questionnaire, starts the hub and connects the clients. */
int tx_bench_ingest_open(tx_bench_cfg *cfg, unsigned map_mib, tx_bench_ingest **out);
void tx_bench_ingest_close(tx_bench_ingest **ing_p);

/* Pre-signs `count` sealed assessments spread over the K signers (untimed; parallel), packed
 * `batch` to a call (1: one Submit each; more: SubmitBatch calls). */
int tx_bench_ingest_prepare(tx_bench_ingest *ing, uint64_t count, unsigned batch);

/* Copies of up to `max` prepared envelopes taken round the signers, for the verify limits.
 * Caller frees each and both arrays. */
size_t tx_bench_ingest_sample(tx_bench_ingest *ing, size_t max, uint8_t ***envs, size_t **lens);

/* Submits every prepared envelope, K clients pipelined with the window (closed loop): the
 * sustained durable rate into *rate, the figures into out (printed when `print`). */
int tx_bench_ingest_run(tx_bench_ingest *ing, json_t *out, int print, double *rate);

/* Submits the prepared envelopes paced at `rate` records/s in all (open loop): latency
 * percentiles into out. */
int tx_bench_ingest_paced(tx_bench_ingest *ing, double rate, json_t *out);

/* Stored envelope bytes so far (enrolments and questionnaire included). */
uint64_t tx_bench_ingest_stored_bytes(const tx_bench_ingest *ing);

/* The hub, its data dir, and restarting it (clients reconnect). */
tx_bench_hub *tx_bench_ingest_hub(tx_bench_ingest *ing);
int tx_bench_ingest_restart(tx_bench_ingest *ing, double *ping_ms);

/* The read side: a buyer fetching, decrypting, verifying and scoring a tree of
 * cfg->suppliers suppliers in 3 tiers. */
int tx_bench_read(tx_bench_cfg *cfg, json_t *out, double *sig_rate);

/* The Redis peer: a redis-server of its own (appendonly, appendfsync always, on a Unix socket in
 * the work directory), cfg->redis_clients clients each waiting for its reply, cfg->records
 * XADDs of 2 KB in all: records/s and latency percentiles into out. Without redis-server (or
 * without hiredis at build time) its figures say "not measured" and why; TX_OK then. */
int tx_bench_redis(const tx_bench_cfg *cfg, json_t *out);

/* The scale series: ingest, file size, start time, memory, backup and check time at 10k, 100k,
 * 1M records (rows into out), then 10M records on paper (into paper): file size, start,
 * memory, backup and check time extrapolated from the last step, with the method. */
int tx_bench_scale(tx_bench_cfg *cfg, json_t *out, json_t *paper);

/* The floors behind two targets, from bare parts, into out (root's "floor"): the hub's CPU
 * floor per record (one bare verification from root's limits, a CURVE pair's server side per
 * message carrying envs[0] as a submit call, a bare LMDB store of the hub's shape per record in
 * batches of the hub's mean from root's ingest, else 64) and its ratio to one verification;
 * the group-commit floor of the tail, arrivals paced at `pace` records/s (0: not measured) for
 * cfg->latency_s, and the pipeline floor: the same arrivals each verified (the n envelopes in
 * turn, on cfg->threads threads) before the writer commits it; each with its p99 / the bare
 * commit's p99. */
int tx_bench_floor(const tx_bench_cfg *cfg, uint8_t *const *envs, const size_t *lens, size_t n,
                   json_t *root, double pace, json_t *out);

/* The ratios (into root's "ratios", which holds the all-core verify mean
 * "verify_all_cores_mean_per_s" they are based on) and the targets (root's "targets") from
 * root's sections: limits, ingest, ingest_batch, latency, read, redis, scale. A ratio or target
 * whose figure was not measured is not measured either, with that figure's reason. */
void tx_bench_judge(const tx_bench_cfg *cfg, json_t *root);

#endif

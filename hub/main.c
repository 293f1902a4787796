/* ticsx-hub: parses the command line, calls the hub library, maps codes to exit statuses
 * (0 ok, 1 a definite no, 2 usage or local error, 3 hub unreachable). */
#include "tx_backup.h"
#include "tx_error.h"
#include "tx_hub.h"
#include "tx_hub_admin.h"
#include "tx_ingest.h"
#include "tx_log.h"
#include "tx_metrics.h"
#include "tx_mlog.h"
#include "tx_msg.h"
#include "tx_note.h"
#include "tx_store.h"
#include "tx_store_check.h"
#include "tx_util.h"
#include "tx_vpool.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_NO = 1, EXIT_LOCAL = 2, EXIT_UNREACHABLE = 3 };

enum {
    OPT_DATA = 1,
    OPT_BIND = 2,
    OPT_MAP = 4,
    OPT_LOG = 8,
    OPT_HUB = 16,
    OPT_TIMEOUT = 32,
    OPT_WORKERS = 64,
    OPT_WAIT = 128,
    OPT_WITH_KEY = 256,
    OPT_ORIGIN = 512,
    OPT_ALLOW_DUP = 1024,
    OPT_METRICS = 2048,
    OPT_LOG_FORMAT = 4096 /* every command */
};

typedef struct {
    const char *data;
    const char *bind;
    const char *hub;
    const char *log_level;
    unsigned long map_mib;
    long timeout_ms;
    unsigned workers;
    unsigned commit_wait_us;
    int help;
    int with_key;
    const char *origin;
    int allow_dup;
    const char *metrics; /* --metrics ADDR:PORT; NULL: off */
    int metrics_remote;  /* --metrics-allow-remote */
    char **rest;
    int n_rest;
} args;

static const char *const usage_main =
    "usage: ticsx-hub COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  init    --data DIR [--origin O]    create the hub's keys and database in DIR\n"
    "  run     --data DIR [--bind ENDPOINT] [--map-size MIB] [--log-level LEVEL]\n"
    "          [--workers N] [--commit-wait-us US] [--metrics ADDR:PORT]\n"
    "                                     serve until SIGTERM or SIGINT\n"
    "  enroll  --data DIR [--allow-duplicate-name] PROFILE\n"
    "                                     admit an organisation from its signed profile.tx\n"
    "  health  --data DIR [--hub ENDPOINT] [--timeout MS]\n"
    "                                     ping the running hub with its own key\n"
    "  backup  --data DIR [--with-key] OUT\n"
    "                                     copy the database (hot, compact) into new dir OUT\n"
    "  check   --data DIR                 verify every record and index of the database\n"
    "\n"
    "Every command takes --log-format text|logfmt|json for its log lines on stderr.\n"
    "Run `ticsx-hub COMMAND --help` for details.\n"
    "exit status: 0 ok, 1 refused, 2 usage or local error, 3 hub unreachable\n";

static const char *const usage_init =
    "usage: ticsx-hub init --data DIR [--origin ORIGIN]\n"
    "\n"
    "Creates DIR (0700) with the hub identity (hub.key 0600, hub.pub, hub_ed25519.pub) and the\n"
    "LMDB database (data.mdb, lock.mdb). Prints the path of hub.pub, which clients pin with\n"
    "--hub-key or TICSX_HUB_KEY, and the hub's fingerprint. Refuses if DIR already has hub.key.\n"
    "  --origin ORIGIN    the log's name on its checkpoints (C2SP tlog-checkpoint origin line,\n"
    "                     kept as the name in hub.pub); default ticsx-hub/<hub key id>\n";

static const char *const usage_run =
    "usage: ticsx-hub run --data DIR [--bind ENDPOINT] [--map-size MIB] [--log-level LEVEL]\n"
    "                     [--log-format FORMAT] [--workers N] [--commit-wait-us US]\n"
    "                     [--metrics ADDR:PORT [--metrics-allow-remote]]\n"
    "\n"
    "  --bind ENDPOINT    ZeroMQ endpoint to serve on (default " TX_HUB_DEFAULT_BIND ");\n"
    "                     a port of * picks a free one. The bound endpoint is written to\n"
    "                     DIR/endpoint.\n"
    "  --map-size MIB     LMDB map size in MiB: the most the database can hold. Default: the\n"
    "                     size it already has (1024 as made by init). Raise it when the hub\n"
    "                     answers storage_full.\n"
    "  --log-level LEVEL  error, warn, info (default) or debug; log lines go to stderr\n"
    "  --log-format FORMAT\n"
    "                     text (default), logfmt or json: one line per event, with time\n"
    "                     (RFC 3339, UTC), level, message and fields (ids, fingerprints,\n"
    "                     statuses); never keys or payloads\n"
    "  --workers N        threads that verify submitted envelopes (default: one per CPU);\n"
    "                     rules and storage stay on one thread, in arrival order\n"
    "  --commit-wait-us US\n"
    "                     how long a batch of submits waits for more before it is\n"
    "                     committed (default 200; 0: as soon as all are verified)\n"
    "  --metrics ADDR:PORT\n"
    "                     serve Prometheus metrics at http://ADDR:PORT/metrics, and /healthz\n"
    "                     and /readyz (e.g. 127.0.0.1:9464, [::1]:9464; port 0: any free\n"
    "                     one, logged). Off by default. Loopback addresses only, unless\n"
    "  --metrics-allow-remote\n"
    "                     is given too: the page has no secrets, but says how busy the hub is\n"
    "\n"
    "Holds DIR/hub.lock while running: a second hub on the same DIR refuses to start.\n"
    "SIGTERM or SIGINT: finishes the commit in flight, answers it, exits 0.\n";

static const char *const usage_enroll =
    "usage: ticsx-hub enroll --data DIR [--allow-duplicate-name] PROFILE\n"
    "\n"
    "Admits an organisation: verifies its signed profile (the profile.tx its ticsx home holds),\n"
    "stores it and admits its transport key. Works while the hub runs. The same file again\n"
    "changes nothing; a newer profile (higher sequence number) of the same organisation\n"
    "replaces its transport key. Prints \"enrolled NAME FINGERPRINT\".\n"
    "A profile with another member's corporate number, or its legal name and the same\n"
    "corporate number, is refused unless --allow-duplicate-name is given (then a warning\n"
    "naming both is logged).\n"
    "exit status: 0 enrolled, 1 refused (bad, truncated or duplicate profile), 2 local error\n";

static const char *const usage_health =
    "usage: ticsx-hub health --data DIR [--hub ENDPOINT] [--timeout MS]\n"
    "\n"
    "Pings the hub with its own key at ENDPOINT (default: the one in DIR/endpoint).\n"
    "  --timeout MS       how long to wait for the answer (default 3000)\n"
    "exit status: 0 healthy, 1 refused, 2 local error, 3 unreachable\n";

static const char *const usage_backup =
    "usage: ticsx-hub backup --data DIR [--with-key] OUT\n"
    "\n"
    "Copies the hub's database into the new directory OUT (which must not exist) while the hub\n"
    "keeps serving: one consistent snapshot, compacted, synced to disk. OUT also gets hub.pub\n"
    "and hub_ed25519.pub, but not the hub's secret key hub.key unless --with-key is given:\n"
    "keep that key apart from the backups. To restore, put hub.key (0600) into a copy made\n"
    "without it and run `ticsx-hub run --data OUT`; `ticsx-hub check --data OUT` verifies it.\n"
    "Prints the last log index the copy holds: every record up to it is in the backup.\n";

static const char *const usage_check =
    "usage: ticsx-hub check --data DIR\n"
    "\n"
    "Reads the whole database in one snapshot (the hub may keep running) and checks that the\n"
    "log runs from index 1 without gaps, that every record is complete, decodes and verifies\n"
    "against its signer, and that every index (record ids, sequence numbers, visibility,\n"
    "members) agrees with the log.\n"
    "exit status: 0 clean, 1 problems found (listed), 2 the check could not run\n";

static int
fail_usage(const char *cmd, const char *msg, const char *usage)
{
    fprintf(stderr, "ticsx-hub%s%s: %s\n\n%s", cmd ? " " : "", cmd ? cmd : "", msg, usage);
    return EXIT_LOCAL;
}

static int
parse_number(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    if (s == NULL || *s == 0) {
        return TX_ERR_USAGE;
    }
    v = strtol(s, &end, 10);
    if (*end != 0 || v < min || v > max) {
        return TX_ERR_USAGE;
    }
    *out = v;
    return TX_OK;
}

/* Parses the options of `cmd`; `allowed` is a mask of OPT_*. Returns -1 when parsed, else an
 * exit status. */
static int
parse_args(const char *cmd, int argc, char **argv, unsigned allowed, const char *usage, args *a)
{
    static const struct option longopts[] = {
        {"data", required_argument, NULL, 'd'},
        {"bind", required_argument, NULL, 'b'},
        {"map-size", required_argument, NULL, 'm'},
        {"log-level", required_argument, NULL, 'l'},
        {"hub", required_argument, NULL, 'H'},
        {"timeout", required_argument, NULL, 't'},
        {"workers", required_argument, NULL, 'w'},
        {"commit-wait-us", required_argument, NULL, 'W'},
        {"with-key", no_argument, NULL, 'K'},
        {"origin", required_argument, NULL, 'O'},
        {"allow-duplicate-name", no_argument, NULL, 'D'},
        {"metrics", required_argument, NULL, 'M'},
        {"metrics-allow-remote", no_argument, NULL, 'R'},
        {"log-format", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char msg[256];
    long v;
    int c;

    memset(a, 0, sizeof *a);
    a->bind = TX_HUB_DEFAULT_BIND;
    a->map_mib = 0;
    a->timeout_ms = 3000;
    a->commit_wait_us = TX_HUB_DEFAULT_COMMIT_WAIT_US;
    allowed |= OPT_LOG_FORMAT;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        unsigned need = c == 'd'   ? OPT_DATA
                        : c == 'b' ? OPT_BIND
                        : c == 'm' ? OPT_MAP
                        : c == 'l' ? OPT_LOG
                        : c == 'H' ? OPT_HUB
                        : c == 't' ? OPT_TIMEOUT
                        : c == 'w' ? OPT_WORKERS
                        : c == 'W' ? OPT_WAIT
                        : c == 'K' ? OPT_WITH_KEY
                        : c == 'O' ? OPT_ORIGIN
                        : c == 'D' ? OPT_ALLOW_DUP
                        : c == 'M' ? OPT_METRICS
                        : c == 'R' ? OPT_METRICS
                        : c == 'F' ? OPT_LOG_FORMAT
                                   : 0;

        if (c == 'h') {
            a->help = 1;
            continue;
        }
        if (c == '?' || c == ':' || (need & allowed) == 0) {
            snprintf(msg, sizeof msg, "unknown or incomplete option %s", argv[optind - 1]);
            return fail_usage(cmd, msg, usage);
        }
        switch (c) {
        case 'd':
            a->data = optarg;
            break;
        case 'b':
            a->bind = optarg;
            break;
        case 'm':
            if (parse_number(optarg, 1, 1L << 24, &v) != TX_OK) {
                return fail_usage(cmd, "--map-size takes a number of MiB (1 or more)", usage);
            }
            a->map_mib = (unsigned long)v;
            break;
        case 'K':
            a->with_key = 1;
            break;
        case 'O':
            a->origin = optarg;
            break;
        case 'D':
            a->allow_dup = 1;
            break;
        case 'l':
            a->log_level = optarg;
            break;
        case 'M':
            a->metrics = optarg;
            break;
        case 'R':
            a->metrics_remote = 1;
            break;
        case 'F':
            if ((tx_log_format = tx_log_format_parse(optarg)) < 0) {
                tx_log_format = TX_LOG_TEXT;
                return fail_usage(cmd, "--log-format is one of text, logfmt, json", usage);
            }
            break;
        case 'H':
            a->hub = optarg;
            break;
        case 't':
            if (parse_number(optarg, 1, 3600000, &v) != TX_OK) {
                return fail_usage(cmd, "--timeout takes milliseconds (1 or more)", usage);
            }
            a->timeout_ms = v;
            break;
        case 'w':
            if (parse_number(optarg, 1, TX_VPOOL_MAX_WORKERS, &v) != TX_OK) {
                return fail_usage(cmd, "--workers takes a number of threads (1 to 256)", usage);
            }
            a->workers = (unsigned)v;
            break;
        case 'W':
            if (parse_number(optarg, 0, 1000000, &v) != TX_OK) {
                return fail_usage(cmd, "--commit-wait-us takes microseconds (0 to 1000000)", usage);
            }
            a->commit_wait_us = (unsigned)v;
            break;
        default:
            break;
        }
    }
    if (a->help) {
        fputs(usage, stdout);
        return 0;
    }
    a->rest = argv + optind;
    a->n_rest = argc - optind;
    if ((allowed & OPT_DATA) && a->data == NULL) {
        return fail_usage(cmd, "--data DIR is required", usage);
    }
    if (a->log_level != NULL) {
        static const char *const levels[] = {"error", "warn", "info", "debug"};
        int found = 0;
        for (int i = 0; i < 4; i++) {
            if (strcmp(a->log_level, levels[i]) == 0) {
                tx_log_level = i;
                found = 1;
            }
        }
        if (!found) {
            return fail_usage(cmd, "--log-level is one of error, warn, info, debug", usage);
        }
    }
    return -1;
}

static int
have_hub_key(const char *dir)
{
    char path[PATH_MAX];

    if (tx_path_join(path, sizeof path, dir, "hub.key") != TX_OK || access(path, F_OK) != 0) {
        fprintf(stderr, "ticsx-hub: %s has no hub.key; run `ticsx-hub init --data %s` first\n", dir,
                dir);
        return 0;
    }
    return 1;
}

static int
cmd_init(int argc, char **argv)
{
    char pub[PATH_MAX], fp[TX_FP_LEN];
    args a;
    int rc = parse_args("init", argc, argv, OPT_DATA | OPT_ORIGIN, usage_init, &a);

    if (rc >= 0) {
        return rc;
    }
    if (a.n_rest != 0) {
        return fail_usage("init", "unexpected argument", usage_init);
    }
    if (a.origin != NULL && !tx_note_name_ok(a.origin)) {
        return fail_usage("init",
                          "--origin: 1 to 128 printable characters, no space or '+' (e.g. "
                          "hub.example.org/ticsx)",
                          usage_init);
    }
    rc = tx_hub_init(a.data, a.origin, pub, sizeof pub, fp);
    if (rc == TX_ERR_EXISTS) {
        fprintf(stderr,
                "ticsx-hub: %s already holds a hub (hub.key exists); refusing to replace it\n",
                a.data);
        return EXIT_LOCAL;
    }
    if (rc != TX_OK) {
        fprintf(stderr, "ticsx-hub: init %s: %s\n", a.data, tx_strerror(rc));
        return EXIT_LOCAL;
    }
    printf("hub public key: %s\n", pub);
    printf("hub fingerprint: %s\n", fp);
    {
        /* What its checkpoints are signed under, and the key as Go's note package reads it. */
        char origin[TX_NOTE_NAME_MAX + 1], vkey[TX_NOTE_VKEY_MAX];
        tx_pubkey pk;
        if (tx_pubkey_load(pub, &pk) == TX_OK) {
            tx_hub_origin(&pk, origin, sizeof origin);
            if (tx_note_vkey(origin, TX_NOTE_ED25519, pk.sign, vkey, sizeof vkey) == TX_OK) {
                printf("hub checkpoint origin: %s\n", origin);
                printf("hub verifier key: %s\n", vkey);
            }
        }
    }
    return 0;
}

/* The data directory, data.mdb and hub.key are the hub's alone: anyone who can read data.mdb
 * reads every record's metadata, anyone who can write it rewrites the log. */
static int
private_data(const char *dir)
{
    static const struct {
        const char *name;
        const char *mode;
    } files[] = {{"", "700"}, {"data.mdb", "600"}, {"hub.key", "600"}};
    char path[PATH_MAX];
    struct stat st;

    for (size_t i = 0; i < TX_ARRAY_LEN(files); i++) {
        if (files[i].name[0] == 0) {
            snprintf(path, sizeof path, "%s", dir);
        } else if (tx_path_join(path, sizeof path, dir, files[i].name) != TX_OK) {
            return 0;
        }
        if (stat(path, &st) == 0 && (st.st_mode & 077) != 0) {
            fprintf(stderr, "ticsx-hub: %s is open to group or others (mode %03o); run `chmod %s %s`\n",
                    path, (unsigned)(st.st_mode & 0777), files[i].mode, path);
            return 0;
        }
    }
    return 1;
}

/* Refuses a database that fails the check (without each record's signature: the signed
 * checkpoint's root covers the records' bytes). True when it may be served. */
static int
trusted_data(const char *dir, int *status)
{
    tx_store_report r;
    int rc = tx_store_check_dir(dir, TX_CHECK_QUICK, &r);

    if (rc == TX_OK || rc == TX_ERR_NOT_FOUND) {
        return 1;
    }
    if (rc == TX_ERR_STORAGE) {
        fprintf(stderr,
                "ticsx-hub: refusing to serve %s: %s (%llu problem(s); `ticsx-hub check --data "
                "%s` lists them)\n",
                dir, r.n_notes > 0 ? r.notes[0] : "the database is damaged",
                (unsigned long long)r.problems, dir);
        *status = EXIT_NO;
    } else {
        fprintf(stderr, "ticsx-hub: cannot check %s before serving it: %s\n", dir,
                tx_strerror(rc));
        *status = EXIT_LOCAL;
    }
    return 0;
}

static int
cmd_run(int argc, char **argv)
{
    tx_hub_options opt;
    tx_metrics_addr maddr;
    args a;
    int rc =
        parse_args("run", argc, argv,
                   OPT_DATA | OPT_BIND | OPT_MAP | OPT_LOG | OPT_WORKERS | OPT_WAIT | OPT_METRICS,
                   usage_run, &a);

    if (rc >= 0) {
        return rc;
    }
    if (a.n_rest != 0) {
        return fail_usage("run", "unexpected argument", usage_run);
    }
    if (a.metrics != NULL && tx_metrics_parse(a.metrics, a.metrics_remote, &maddr) != TX_OK) {
        return fail_usage("run", tx_fail_msg(), usage_run);
    }
    if (!have_hub_key(a.data) || !private_data(a.data)) {
        return EXIT_LOCAL;
    }
    if (!trusted_data(a.data, &rc)) {
        return rc;
    }
    opt.dir = a.data;
    opt.bind = a.bind;
    opt.map_size = (size_t)a.map_mib << 20;
    opt.workers = a.workers;
    opt.commit_wait_us = a.commit_wait_us;
    opt.metrics = a.metrics != NULL ? &maddr : NULL;
    opt.metrics_text = a.metrics;
    rc = tx_hub_run(&opt);
    switch (rc) {
    case TX_OK:
        return 0;
    case TX_ERR_LOCKED:
        fprintf(stderr,
                "ticsx-hub: %s is in use by another hub (%s/hub.lock is locked); stop it first\n",
                a.data, a.data);
        return EXIT_LOCAL;
    case TX_ERR_PERM:
        fprintf(stderr, "ticsx-hub: %s/hub.key is open to group or others; run `chmod 600 %s/hub.key`\n",
                a.data, a.data);
        return EXIT_LOCAL;
    case TX_ERR_USAGE:
        fprintf(stderr, "ticsx-hub: cannot serve on %s: not an endpoint to bind (e.g. %s)\n",
                a.bind, TX_HUB_DEFAULT_BIND);
        return EXIT_LOCAL;
    case TX_ERR_NET:
        fprintf(stderr, "ticsx-hub: cannot serve on %s%s%s (address in use?); see the log above\n",
                a.bind, a.metrics != NULL ? " or metrics on " : "", a.metrics ? a.metrics : "");
        return EXIT_LOCAL;
    default:
        fprintf(stderr, "ticsx-hub: run %s on %s: %s\n", a.data, a.bind, tx_strerror(rc));
        return EXIT_LOCAL;
    }
}

static int
cmd_enroll(int argc, char **argv)
{
    char name[TX_NAME_MAX], fp[TX_FP_LEN];
    tx_outcome res;
    args a;
    int rc = parse_args("enroll", argc, argv, OPT_DATA | OPT_ALLOW_DUP, usage_enroll, &a);

    if (rc >= 0) {
        return rc;
    }
    if (a.n_rest != 1) {
        return fail_usage("enroll", "one PROFILE file is required", usage_enroll);
    }
    if (!have_hub_key(a.data)) {
        return EXIT_LOCAL;
    }
    rc = tx_hub_enroll_file(a.data, a.rest[0], a.allow_dup ? TX_ENROLL_ALLOW_DUPLICATE_NAME : 0,
                            &res, name, sizeof name, fp);
    if (rc == TX_ERR_TOO_LARGE) {
        fprintf(stderr, "ticsx-hub: enroll %s refused: larger than any profile\n", a.rest[0]);
        return EXIT_NO;
    }
    if (rc != TX_OK) {
        fprintf(stderr, "ticsx-hub: enroll %s: %s\n", a.rest[0], tx_strerror(rc));
        return EXIT_LOCAL;
    }
    switch (res.status) {
    case TX_STATUS_OK:
        printf("enrolled %s %s%s\n", name, fp, res.receipt.duplicate ? " (already enrolled)" : "");
        return 0;
    case TX_STATUS_BAD_SIGNATURE:
    case TX_STATUS_REPLAY:
    case TX_STATUS_FORBIDDEN:
    case TX_STATUS_BAD_REQUEST:
        /* A definite no about the profile: it is bad (truncated, malformed, not a profile),
         * replayed or not allowed. */
        fprintf(stderr, "ticsx-hub: enroll %s refused: %s: %s\n", a.rest[0],
                tx_status_text(res.status), res.message);
        return EXIT_NO;
    default:
        fprintf(stderr, "ticsx-hub: enroll %s: %s: %s\n", a.rest[0], tx_status_text(res.status),
                res.message);
        return EXIT_LOCAL;
    }
}

static int
cmd_health(int argc, char **argv)
{
    char used[1024] = "";
    args a;
    int rc = parse_args("health", argc, argv, OPT_DATA | OPT_HUB | OPT_TIMEOUT, usage_health, &a);

    if (rc >= 0) {
        return rc;
    }
    if (a.n_rest != 0) {
        return fail_usage("health", "unexpected argument", usage_health);
    }
    /* Quiet unless asked: health runs from container health checks every few seconds. */
    tx_log_level = TX_LOG_ERROR;
    rc = tx_hub_health(a.data, a.hub, (int)a.timeout_ms, used, sizeof used);
    switch (rc) {
    case TX_OK:
        printf("healthy: %s\n", used);
        return 0;
    case TX_ERR_UNREACHABLE:
    case TX_ERR_NET:
        fprintf(stderr, "ticsx-hub: hub at %s did not answer within %ld ms\n", used, a.timeout_ms);
        return EXIT_UNREACHABLE;
    case TX_ERR_REFUSED:
        fprintf(stderr, "ticsx-hub: hub at %s refused the ping; is it the hub of %s?\n", used,
                a.data);
        return EXIT_NO;
    case TX_ERR_NOT_FOUND:
        if (a.hub == NULL && used[0] == 0) {
            fprintf(stderr,
                    "ticsx-hub: %s/endpoint not found; is the hub running? (or pass --hub)\n",
                    a.data);
            return EXIT_UNREACHABLE;
        }
        fprintf(stderr, "ticsx-hub: %s has no hub.key; run `ticsx-hub init` first\n", a.data);
        return EXIT_LOCAL;
    default:
        fprintf(stderr, "ticsx-hub: health %s: %s\n", used[0] ? used : a.data, tx_strerror(rc));
        return EXIT_LOCAL;
    }
}

static int
cmd_backup(int argc, char **argv)
{
    tx_backup_info info;
    args a;
    int rc = parse_args("backup", argc, argv, OPT_DATA | OPT_WITH_KEY, usage_backup, &a);

    if (rc >= 0) {
        return rc;
    }
    if (a.n_rest != 1) {
        return fail_usage("backup", "one OUT directory is required", usage_backup);
    }
    rc = tx_hub_backup(a.data, a.rest[0], a.with_key, &info);
    switch (rc) {
    case TX_OK:
        printf("backed up %s to %s: log up to index %llu, %llu bytes%s\n", a.data, a.rest[0],
               (unsigned long long)info.last, (unsigned long long)info.bytes,
               a.with_key ? ", with hub.key" : ", without hub.key");
        return 0;
    case TX_ERR_EXISTS:
        fprintf(stderr, "ticsx-hub: %s already exists; name a new directory for the backup\n",
                a.rest[0]);
        return EXIT_LOCAL;
    case TX_ERR_NOT_FOUND:
        fprintf(stderr,
                "ticsx-hub: %s holds no hub database (data.mdb, hub.pub), or %s's parent "
                "is missing\n",
                a.data, a.rest[0]);
        return EXIT_LOCAL;
    case TX_ERR_STORAGE_FULL:
        fprintf(stderr, "ticsx-hub: no space for the backup in %s; nothing was kept\n", a.rest[0]);
        return EXIT_LOCAL;
    default:
        fprintf(stderr, "ticsx-hub: backup %s to %s: %s; nothing was kept\n", a.data, a.rest[0],
                tx_strerror(rc));
        return EXIT_LOCAL;
    }
}

/* Prints the check's notes on stderr, one line each, and the count. */
static void
print_problems(const char *dir, const tx_store_report *r)
{
    for (size_t i = 0; i < r->n_notes; i++) {
        fprintf(stderr, "ticsx-hub: %s: %s\n", dir, r->notes[i]);
    }
    fprintf(stderr, "ticsx-hub: %s: %llu problem(s) in %llu records\n", dir,
            (unsigned long long)r->problems, (unsigned long long)r->records);
}

static int
cmd_check(int argc, char **argv)
{
    tx_store_report r;
    args a;
    int rc = parse_args("check", argc, argv, OPT_DATA, usage_check, &a);

    if (rc >= 0) {
        return rc;
    }
    if (a.n_rest != 0) {
        return fail_usage("check", "unexpected argument", usage_check);
    }
    /* No hub.key needed: a backup made without it is checked too. Never create a database,
     * never write to one: it is opened read-only, in a child process. */
    rc = tx_store_check_dir(a.data, 0, &r);
    if (rc == TX_ERR_NOT_FOUND) {
        fprintf(stderr, "ticsx-hub: %s holds no hub database (data.mdb)\n", a.data);
        return EXIT_LOCAL;
    }
    if (rc != TX_OK && rc != TX_ERR_STORAGE) {
        fprintf(stderr, "ticsx-hub: check %s: %s\n", a.data, tx_strerror(rc));
        return EXIT_LOCAL;
    }
    if (r.problems > 0) {
        print_problems(a.data, &r);
        return EXIT_NO;
    }
    printf("ok: %llu records up to log index %llu; every record verifies, every index, Merkle "
           "node and the checkpoint agree with the log\n",
           (unsigned long long)r.records, (unsigned long long)r.last);
    return 0;
}

int
main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"init", cmd_init},     {"run", cmd_run},       {"enroll", cmd_enroll},
                {"health", cmd_health}, {"backup", cmd_backup}, {"check", cmd_check}};

    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_LOCAL;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_main, stdout);
        return 0;
    }
    for (size_t i = 0; i < TX_ARRAY_LEN(cmds); i++) {
        if (strcmp(argv[1], cmds[i].name) == 0) {
            return cmds[i].fn(argc - 1, argv + 1);
        }
    }
    return fail_usage(NULL, "unknown command", usage_main);
}

/* ticsx-hub: parses the command line, calls the hub library, maps codes to exit statuses
 * (0 ok, 1 a definite no, 2 usage or local error, 3 hub unreachable). */
#include "tx_backup.h"
#include "tx_error.h"
#include "tx_hub.h"
#include "tx_hub_admin.h"
#include "tx_hub_config.h"
#include "tx_i18n.h"
#include "tx_ingest.h"
#include "tx_log.h"
#include "tx_metrics.h"
#include "tx_mlog.h"
#include "tx_msg.h"
#include "tx_note.h"
#include "tx_notify.h"
#include "tx_store.h"
#include "tx_store_check.h"
#include "tx_store_file.h"
#include "tx_util.h"
#include "tx_vpool.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_NO = 1, EXIT_LOCAL = 2, EXIT_UNREACHABLE = 3 };

/* Which commands take an option: one bit per option of the table below. */
enum {
    OPT_DATA = 1 << 0,
    OPT_BIND = 1 << 1,
    OPT_MAP = 1 << 2,
    OPT_LOG = 1 << 3,
    OPT_HUB = 1 << 4,
    OPT_TIMEOUT = 1 << 5,
    OPT_WORKERS = 1 << 6,
    OPT_WAIT = 1 << 7,
    OPT_WITH_KEY = 1 << 8,
    OPT_ORIGIN = 1 << 9,
    OPT_ALLOW_DUP = 1 << 10,
    OPT_CONFIG = 1 << 11,
    OPT_INTO = 1 << 12,
    OPT_KEEP = 1 << 13,
    OPT_METRICS = 1 << 14,
    OPT_LOG_FORMAT = 1 << 15, /* every command */
    OPT_REENROL = 1 << 16,    /* reenroll's --replaces and --compromised-from */
    OPT_CHECK_FIRST = 1 << 17,
};

/* given, in_file and file_line hold a bit or a slot per row of options[]. */
#define MAX_OPTIONS 32

typedef struct {
    const char *data;
    const char *bind;
    const char *hub;
    const char *config;
    const char *origin;
    const char *into;
    const char *replaces;
    const char *compromised_from;
    const char *metrics; /* --metrics ADDR:PORT; NULL: off */
    long metrics_remote; /* --metrics-allow-remote */
    long log_level;      /* TX_LOG_*, -1: unset */
    long log_format;     /* TX_LOG_TEXT..., -1: unset */
    long map_mib;
    long timeout_ms;
    long workers;
    long commit_wait_us; /* retired: read and checked, no effect */
    long check_first;    /* the full check before serving, not beside it */
    long with_key;
    long allow_dup;
    long keep;
    int help;
    unsigned given;   /* rows of options[] given on the command line, 1 << row */
    unsigned in_file; /* rows set by the configuration file */
    int file_line[MAX_OPTIONS];
    char *owned[32]; /* values copied out of the configuration file */
    size_t n_owned;
    char **rest;
    int n_rest;
} args;

typedef enum { ARG_FLAG, ARG_TEXT, ARG_NUMBER, ARG_CHOICE } arg_kind;

/* One row per option: its long name, its bit, where its value goes, how it is read (a number
 * between min and max, or one of `choices`, separated by '|'), what it takes (for errors), and
 * for an option `run` also reads from hub.ini its section, key and the commented line
 * `ticsx-hub init` writes. Adding an option is adding a row. */
typedef struct {
    const char *name;
    unsigned bit;
    arg_kind kind;
    size_t field;
    long min, max;
    const char *choices;
    const char *takes;
    const char *section, *key, *sample;
} option_row;

/* How a row reads its value into the field f of args, and whether hub.ini holds it. */
#define TEXT(f, takes) ARG_TEXT, offsetof(args, f), 0, 0, NULL, takes
#define NUMBER(f, min, max, takes) ARG_NUMBER, offsetof(args, f), min, max, NULL, takes
#define CHOICE(f, choices, takes) ARG_CHOICE, offsetof(args, f), 0, 0, choices, takes
#define FLAG(f) ARG_FLAG, offsetof(args, f), 0, 0, NULL, NULL
#define INI(section, key, sample) section, key, sample
#define CLI_ONLY NULL, NULL, NULL

static const option_row options[] = {
    {"data", OPT_DATA, TEXT(data, N_("a directory")), CLI_ONLY},
    {"config", OPT_CONFIG, TEXT(config, N_("a file")), CLI_ONLY},
    {"bind", OPT_BIND, TEXT(bind, N_("a ZeroMQ endpoint")),
     INI("hub", "bind",
         "# The ZeroMQ endpoint the hub serves on; a port of * picks a free one.\n"
         "# bind = " TX_HUB_DEFAULT_BIND "\n")},
    {"map-size", OPT_MAP, NUMBER(map_mib, 1, 1L << 24, N_("a number of MiB (1 to 16777216)")),
     INI("hub", "map-size",
         "# The most the database can hold, in MiB; raise it when the hub answers\n"
         "# storage_full. Default: the size the database has (1024 as made by init).\n"
         "# map-size = 1024\n")},
    {"workers", OPT_WORKERS,
     NUMBER(workers, 1, TX_VPOOL_MAX_WORKERS, N_("a number of threads (1 to 256)")),
     INI("hub", "workers",
         "# Threads that verify submitted envelopes. Default: one per CPU.\n"
         "# workers = 4\n")},
    {"commit-wait-us", OPT_WAIT,
     NUMBER(commit_wait_us, 0, 1000000, N_("microseconds (0 to 1000000)")),
     INI("hub", "commit-wait-us",
         "# commit-wait-us is retired: each batch of submits is committed as soon as it\n"
         "# is verified. A value set here (0 to 1000000) is accepted and has no effect.\n")},
    {"check-first", OPT_CHECK_FIRST, FLAG(check_first),
     INI("hub", "check-first",
         "# Check the whole database before serving (the time grows with the records),\n"
         "# instead of the head before serving and the rest while serving.\n"
         "# check-first = false\n")},
    {"log-level", OPT_LOG,
     CHOICE(log_level, "error|warn|info|debug", N_("one of error, warn, info, debug")),
     INI("log", "level",
         "# What the hub logs on stderr (the journal under systemd): error, warn, info\n"
         "# or debug.\n"
         "# level = info\n")},
    {"log-format", OPT_LOG_FORMAT,
     CHOICE(log_format, "text|logfmt|json", N_("one of text, logfmt, json")),
     INI("log", "format",
         "# How log lines read: text, logfmt or json (one object per line).\n"
         "# format = text\n")},
    {"metrics", OPT_METRICS, TEXT(metrics, N_("an address ADDR:PORT")),
     INI("metrics", "listen",
         "# Serve Prometheus metrics at http://ADDR:PORT/metrics, and /healthz and\n"
         "# /readyz. Off unless set; loopback addresses only unless allow-remote is true.\n"
         "# listen = 127.0.0.1:9464\n")},
    {"metrics-allow-remote", OPT_METRICS, FLAG(metrics_remote),
     INI("metrics", "allow-remote", "# allow-remote = false\n")},
    {"hub", OPT_HUB, TEXT(hub, N_("a ZeroMQ endpoint")), CLI_ONLY},
    {"timeout", OPT_TIMEOUT, NUMBER(timeout_ms, 1, 3600000, N_("milliseconds (1 or more)")),
     CLI_ONLY},
    {"with-key", OPT_WITH_KEY, FLAG(with_key), CLI_ONLY},
    {"origin", OPT_ORIGIN, TEXT(origin, N_("a name")), CLI_ONLY},
    {"allow-duplicate-name", OPT_ALLOW_DUP, FLAG(allow_dup), CLI_ONLY},
    {"into", OPT_INTO, TEXT(into, N_("a directory")), CLI_ONLY},
    {"keep", OPT_KEEP, NUMBER(keep, 1, 100000, N_("a number of backups (1 or more)")), CLI_ONLY},
    {"replaces", OPT_REENROL, TEXT(replaces, N_("a fingerprint")), CLI_ONLY},
    {"compromised-from", OPT_REENROL, TEXT(compromised_from, N_("a date")), CLI_ONLY},
};

static const char *const usage_main =
    N_("usage: ticsx-hub COMMAND [OPTIONS]\n"
       "\n"
       "commands:\n"
       "  init    --data DIR [--origin O]    create the hub's keys and database in DIR\n"
       "  run     --data DIR [--config FILE] [--bind ENDPOINT] [--map-size MIB]\n"
       "          [--log-level LEVEL] [--workers N] [--check-first]\n"
       "          [--metrics ADDR:PORT]\n"
       "                                     serve until SIGTERM or SIGINT\n"
       "  enroll  --data DIR [--allow-duplicate-name] PROFILE\n"
       "                                     admit an organisation from its signed profile.tx\n"
       "  reenroll --data DIR --replaces FINGERPRINT [--compromised-from DATE] PROFILE\n"
       "                                     give an organisation that lost its key a new one\n"
       "  health  --data DIR [--hub ENDPOINT] [--timeout MS]\n"
       "                                     ping the running hub with its own key\n"
       "  backup  --data DIR [--with-key] OUT | --into PARENT [--keep N]\n"
       "                                     copy the database (hot, compact) into new dir OUT\n"
       "  check   --data DIR                 verify every record and index of the database\n"
       "\n"
       "Every command takes --log-format text|logfmt|json for its log lines on stderr.\n"
       "Run `ticsx-hub COMMAND --help` for details.\n"
       "exit status: 0 ok, 1 refused, 2 usage or local error, 3 hub unreachable\n");

static const char *const usage_init =
    N_("usage: ticsx-hub init --data DIR [--origin ORIGIN]\n"
       "\n"
       "Creates DIR (0700) with the hub identity (hub.key 0600, hub.pub, hub_ed25519.pub), the\n"
       "LMDB database (data.mdb, lock.mdb) and a commented hub.ini (0600). Prints the path of\n"
       "hub.pub, which clients pin with --hub-key or TICSX_HUB_KEY, and the hub's fingerprint.\n"
       "Refuses if DIR already has hub.key.\n"
       "  --origin ORIGIN    the log's name on its checkpoints (C2SP tlog-checkpoint origin line,\n"
       "                     kept as the name in hub.pub); default ticsx-hub/<hub key id>\n");

static const char *const usage_run =
    N_("usage: ticsx-hub run --data DIR [--config FILE] [--bind ENDPOINT] [--map-size MIB]\n"
       "                     [--log-level LEVEL] [--log-format FORMAT] [--workers N]\n"
       "                     [--commit-wait-us US] [--metrics ADDR:PORT [--metrics-allow-remote]]\n"
       "                     [--check-first]\n"
       "\n"
       "Settings come from DIR/hub.ini (or --config FILE) when it exists, the command line\n"
       "winning: [hub] bind, map-size, workers, commit-wait-us, check-first; [log] level,\n"
       "format; [metrics] listen, allow-remote. `ticsx-hub init` writes a commented hub.ini; the "
       "hub refuses one\n"
       "that group or others may write.\n"
       "  --config FILE      read the settings from FILE instead of DIR/hub.ini\n"
       "  --bind ENDPOINT    ZeroMQ endpoint to serve on (default tcp://127.0.0.1:7700);\n"
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
       "                     retired: a batch of submits is committed as soon as it is\n"
       "                     verified. Still accepted (0 to 1000000), with no effect, so that\n"
       "                     older settings start\n"
       "  --metrics ADDR:PORT\n"
       "                     serve Prometheus metrics at http://ADDR:PORT/metrics, and /healthz\n"
       "                     and /readyz (e.g. 127.0.0.1:9464, [::1]:9464; port 0: any free\n"
       "                     one, logged). Off by default. Loopback addresses only, unless\n"
       "  --metrics-allow-remote\n"
       "                     is given too: the page has no secrets, but says how busy the hub is\n"
       "  --check-first      check the whole database before serving, as `ticsx-hub check`\n"
       "                     does (the start then takes longer the more records it holds).\n"
       "                     Default: the database's head (its size, latest records, Merkle\n"
       "                     root and signed checkpoints) before serving, and all of it while\n"
       "                     serving, at the lowest priority. Damage found then is logged and\n"
       "                     refuses every write (ticsx_hub_store_check_state 2, `ticsx-hub\n"
       "                     health` says so); reads go on, as clients verify every record\n"
       "\n"
       "Holds DIR/hub.lock while running: a second hub on the same DIR refuses to start.\n"
       "SIGTERM or SIGINT: finishes the commit in flight, answers it, exits 0.\n");

static const char *const usage_enroll = N_(
    "usage: ticsx-hub enroll --data DIR [--allow-duplicate-name] PROFILE\n"
    "\n"
    "Admits an organisation: verifies its signed profile (the profile.tx its ticsx home holds),\n"
    "stores it and admits its transport key. Works while the hub runs. The same file again\n"
    "changes nothing; a newer profile (higher sequence number) of the same organisation\n"
    "replaces its transport key. Prints \"enrolled NAME FINGERPRINT\".\n"
    "A profile with another member's corporate number, or its legal name and the same\n"
    "corporate number, is refused unless --allow-duplicate-name is given (then a warning\n"
    "naming both is logged).\n"
    "exit status: 0 enrolled, 1 refused (bad, truncated or duplicate profile), 2 local error\n");

static const char *const usage_reenroll = N_(
    "usage: ticsx-hub reenroll --data DIR --replaces FINGERPRINT [--compromised-from DATE] "
    "PROFILE\n"
    "\n"
    "Recovers an organisation that lost its key in force: PROFILE is the signed profile of the\n"
    "new home, made with a corporate number. It must carry the legal name and the corporate\n"
    "number of the enrolled organisation FINGERPRINT names (checked here; the operator checks the\n"
    "person asking against the company register). The hub signs a key re-enrolment into its\n"
    "log: the new key acts for the organisation from now, the lost key no longer; with\n"
    "--compromised-from, the lost key is refused from DATE. The record is public: every\n"
    "counterparty can see it. Run while the hub is stopped. Prints \"reenrolled FINGERPRINT\n"
    "NEWFINGERPRINT\".\n"
    "exit status: 0 re-enrolled, 1 refused (no such organisation, another corporate number or\n"
    "legal name, keys in use, bad profile), 2 local error\n");

static const char *const usage_health =
    N_("usage: ticsx-hub health --data DIR [--hub ENDPOINT] [--timeout MS]\n"
       "\n"
       "Pings the hub with its own key at ENDPOINT (default: the one in DIR/endpoint).\n"
       "  --timeout MS       how long to wait for the answer (default 3000)\n"
       "exit status: 0 healthy, 1 refused, 2 local error, 3 unreachable\n");

static const char *const usage_backup =
    N_("usage: ticsx-hub backup --data DIR [--with-key] OUT\n"
       "       ticsx-hub backup --data DIR [--with-key] --into PARENT [--keep N]\n"
       "\n"
       "Copies the hub's database into the new directory OUT (which must not exist) while the hub\n"
       "keeps serving: one consistent snapshot, compacted, synced to disk. OUT also gets hub.pub\n"
       "and hub_ed25519.pub, but not the hub's secret key hub.key unless --with-key is given:\n"
       "keep that key apart from the backups. To restore, put hub.key (0600) into a copy made\n"
       "without it and run `ticsx-hub run --data OUT`; `ticsx-hub check --data OUT` verifies it.\n"
       "Prints the last log index the copy holds: every record up to it is in the backup.\n"
       "  --into PARENT      back up into PARENT/YYYY-MM-DDTHHMMSSZ (UTC; PARENT is made 0700)\n"
       "  --keep N           then remove all but the N newest such backups in PARENT (other\n"
       "                     files and directories there are left alone)\n");

static const char *const usage_check =
    N_("usage: ticsx-hub check --data DIR\n"
       "\n"
       "Reads the whole database in one snapshot (the hub may keep running) and checks that the\n"
       "log runs from index 1 without gaps, that every record is complete, decodes and verifies\n"
       "against its signer, and that every index (record ids, sequence numbers, visibility,\n"
       "members) agrees with the log.\n"
       "exit status: 0 clean, 1 problems found (listed), 2 the check could not run\n");

static int
fail_usage(const char *cmd, const char *msg, const char *usage)
{
    fprintf(stderr, "ticsx-hub%s%s: %s\n\n%s", cmd ? " " : "", cmd ? cmd : "", msg, _(usage));
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
    errno = 0;
    v = strtol(s, &end, 10);
    if (*end != 0 || errno != 0 || v < min || v > max) {
        return TX_ERR_USAGE;
    }
    *out = v;
    return TX_OK;
}

/* The log level and format given, from here on. */
static void
apply_log(const args *a)
{
    if (a->log_level >= 0) {
        tx_log_level = (int)a->log_level;
    }
    if (a->log_format >= 0) {
        tx_log_format = (int)a->log_format;
    }
}

_Static_assert(TX_ARRAY_LEN(options) <= MAX_OPTIONS, "a row per bit of args.given");

/* Reads `value` into o's field of a. TX_ERR_USAGE with a detail ("takes ...") otherwise. */

static int
set_option(args *a, const option_row *o, const char *value)
{
    char *field = (char *)a + o->field;
    long v;

    switch (o->kind) {
    case ARG_FLAG: /* "" on the command line; true or false in hub.ini */
        if (value[0] == 0 || strcmp(value, "true") == 0 || strcmp(value, "false") == 0) {
            *(long *)field = strcmp(value, "false") != 0;
            return TX_OK;
        }
        return tx_fail(TX_ERR_USAGE, "takes true or false");
    case ARG_TEXT:
        if (value[0] == 0) {
            return tx_fail(TX_ERR_USAGE, "takes %s", _(o->takes));
        }
        *(const char **)field = value;
        return TX_OK;
    case ARG_NUMBER:
        if (parse_number(value, o->min, o->max, &v) != TX_OK) {
            return tx_fail(TX_ERR_USAGE, "takes %s", _(o->takes));
        }
        *(long *)field = v;
        return TX_OK;
    case ARG_CHOICE:
        v = 0;
        for (const char *c = o->choices; *c != 0; v++) {
            size_t len = strcspn(c, "|");
            if (strlen(value) == len && strncmp(c, value, len) == 0) {
                *(long *)field = v;
                return TX_OK;
            }
            c += len + (c[len] == '|');
        }
        return tx_fail(TX_ERR_USAGE, "is %s", _(o->takes));
    }
    return TX_ERR_INTERNAL;
}

/* Parses the options of `cmd`; `allowed` is a mask of OPT_*. Returns -1 when parsed, else an
 * exit status. */
static int
parse_args(const char *cmd, int argc, char **argv, unsigned allowed, const char *usage, args *a)
{
    struct option longopts[TX_ARRAY_LEN(options) + 2];
    char msg[512];
    int c;

    memset(a, 0, sizeof *a);
    a->bind = TX_HUB_DEFAULT_BIND;
    a->log_level = -1;
    a->log_format = -1;
    allowed |= OPT_LOG_FORMAT;
    a->timeout_ms = 3000;
    for (size_t i = 0; i < TX_ARRAY_LEN(options); i++) {
        longopts[i] = (struct option){options[i].name,
                                      options[i].kind == ARG_FLAG ? no_argument : required_argument,
                                      NULL, 256 + (int)i};
    }
    longopts[TX_ARRAY_LEN(options)] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[TX_ARRAY_LEN(options) + 1] = (struct option){NULL, 0, NULL, 0};
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        const option_row *o =
            c >= 256 && c < 256 + (int)TX_ARRAY_LEN(options) ? &options[c - 256] : NULL;
        if (c == 'h') {
            a->help = 1;
            continue;
        }
        if (o == NULL || (o->bit & allowed) == 0) {
            snprintf(msg, sizeof msg, _("unknown or incomplete option %s"), argv[optind - 1]);
            return fail_usage(cmd, msg, usage);
        }
        if (set_option(a, o, optarg != NULL ? optarg : "") != TX_OK) {
            snprintf(msg, sizeof msg, "--%s %s", o->name, tx_fail_msg());
            return fail_usage(cmd, msg, usage);
        }
        a->given |= 1u << (o - options);
    }
    if (a->help) {
        fputs(_(usage), stdout);
        return 0;
    }
    a->rest = argv + optind;
    a->n_rest = argc - optind;
    if ((allowed & OPT_DATA) && a->data == NULL) {
        return fail_usage(cmd, _("--data DIR is required"), usage);
    }
    apply_log(a);
    return -1;
}

/* Takes one setting of hub.ini: a key of the option table, unless the command line gave the
 * option (then the value is only checked). */
static int
on_config(void *ctx, const char *section, const char *key, const char *value, int line)
{
    args *a = ctx;

    for (size_t i = 0; i < TX_ARRAY_LEN(options); i++) {
        const option_row *o = &options[i];
        args scratch;
        char *copy;
        int rc;

        if (o->key == NULL || strcmp(section, o->section) != 0 || strcmp(key, o->key) != 0) {
            continue;
        }
        if (a->in_file & (1u << i)) {
            return tx_fail(TX_ERR_USAGE,
                           "given twice (first on line %d); a setting starts at the beginning "
                           "of its line",
                           a->file_line[i]);
        }
        a->in_file |= 1u << i;
        a->file_line[i] = line;
        if (a->given & (1u << i)) {
            memset(&scratch, 0, sizeof scratch);
            return set_option(&scratch, o, value);
        }
        if ((copy = strdup(value)) == NULL || a->n_owned == TX_ARRAY_LEN(a->owned)) {
            free(copy);
            return TX_ERR_NOMEM;
        }
        a->owned[a->n_owned++] = copy;
        rc = set_option(a, o, copy);
        return rc;
    }
    {
        char known[512];
        size_t len = 0;
        for (size_t i = 0; i < TX_ARRAY_LEN(options); i++) {
            if (options[i].key != NULL && len < sizeof known) {
                len += (size_t)snprintf(known + len, sizeof known - len, "%s[%s] %s",
                                        len ? ", " : "", options[i].section, options[i].key);
            }
        }
        return tx_fail(TX_ERR_USAGE, "unknown setting; the settings are %s", known);
    }
}

/* Reads the configuration file (--config FILE, else DIR/hub.ini when there is one) under what
 * the command line gave. Returns -1 when read, else an exit status. */
static int
load_config(const char *cmd, args *a)
{
    char path[PATH_MAX];
    int rc;

    if (a->config != NULL) {
        snprintf(path, sizeof path, "%s", a->config);
    } else if (tx_path_join(path, sizeof path, a->data, "hub.ini") != TX_OK) {
        return fail_usage(cmd, _("--data DIR is too long"), "");
    }
    rc = tx_config_read(path, on_config, a);
    if (rc == TX_ERR_NOT_FOUND && a->config == NULL) {
        return -1;
    }
    if (rc != TX_OK) {
        fprintf(stderr, "ticsx-hub %s: %s\n", cmd,
                tx_fail_msg()[0] ? tx_fail_msg() : tx_strerror(rc));
        return EXIT_LOCAL;
    }
    apply_log(a);
    return -1;
}

static void
args_free(args *a)
{
    for (size_t i = 0; i < a->n_owned; i++) {
        free(a->owned[i]);
    }
    a->n_owned = 0;
}

/* The commented hub.ini `ticsx-hub init` writes: every setting of the table at its default. */
static int
write_config_sample(const char *dir, char *path, size_t n)
{
    char text[4096];
    size_t len;
    int rc;

    if ((rc = tx_path_join(path, n, dir, "hub.ini")) != TX_OK) {
        return rc;
    }
    len = (size_t)snprintf(
        text, sizeof text, "%s",
        "# ticsx-hub settings, read by `ticsx-hub run` from hub.ini in its data directory (or\n"
        "# from the file --config names). An option on the command line wins over the same\n"
        "# setting here. Everything below is commented out: the defaults apply. Keep this\n"
        "# file writable by its owner only (chmod 600): the hub refuses it otherwise.\n");
    for (size_t i = 0; i < TX_ARRAY_LEN(options); i++) {
        int first = options[i].section != NULL;
        for (size_t j = 0; first && j < i; j++) {
            first = options[j].section == NULL || strcmp(options[j].section, options[i].section);
        }
        if (!first) {
            continue;
        }
        len += (size_t)snprintf(text + len, sizeof text - len, "\n[%s]\n", options[i].section);
        for (size_t j = i; j < TX_ARRAY_LEN(options) && len < sizeof text; j++) {
            if (options[j].section != NULL && strcmp(options[j].section, options[i].section) == 0) {
                len += (size_t)snprintf(text + len, sizeof text - len, "%s", options[j].sample);
            }
        }
    }
    if (len >= sizeof text) {
        return TX_ERR_INTERNAL;
    }
    return tx_file_create(path, text, len, 0600);
}

static int
have_hub_key(const char *dir)
{
    char path[PATH_MAX];

    if (tx_path_join(path, sizeof path, dir, "hub.key") != TX_OK || access(path, F_OK) != 0) {
        fprintf(stderr, _("ticsx-hub: %s has no hub.key; run `ticsx-hub init --data %s` first\n"),
                dir, dir);
        return 0;
    }
    return 1;
}

/* Says so when this process may not use dir (tx_hub_check_access). True when it may. */
static int
usable_data(const char *dir, int write)
{
    if (tx_hub_check_access(dir, write) != TX_OK) {
        fprintf(stderr, "ticsx-hub: %s\n", tx_fail_msg());
        return 0;
    }
    return 1;
}

/* Refuses to open dir's database beside a hub that has this process's pid in another PID
 * namespace (tx_hub_pid_clash). True when it may be opened. */
static int
no_pid_clash(const char *cmd, const char *dir)
{
    if (!tx_hub_pid_clash(dir)) {
        return 1;
    }
    fprintf(stderr,
            _("ticsx-hub %s: the hub serving %s is running in another container (another PID "
              "namespace) under the same process id as this command (%ld, both PID 1), and the "
              "database cannot tell the two apart. Run the command in the hub's own container "
              "(`docker compose exec hub ticsx-hub %s ...` or `docker exec`), or stop the hub "
              "first.\n"),
            cmd, dir, (long)getpid(), cmd);
    return 0;
}

static int
cmd_init(int argc, char **argv)
{
    char pub[PATH_MAX], ini[PATH_MAX], fp[TX_FP_LEN];
    args a;
    int rc = parse_args("init", argc, argv, OPT_DATA | OPT_ORIGIN, usage_init, &a);

    if (rc >= 0) {
        return rc;
    }
    if (a.n_rest != 0) {
        return fail_usage("init", _("unexpected argument"), usage_init);
    }
    if (a.origin != NULL && !tx_note_name_ok(a.origin)) {
        return fail_usage("init",
                          _("--origin: 1 to 128 printable characters, no space or '+' (e.g. "
                            "hub.example.org/ticsx)"),
                          usage_init);
    }
    if (!usable_data(a.data, 1)) {
        return EXIT_LOCAL;
    }
    rc = tx_hub_init(a.data, a.origin, pub, sizeof pub, fp);
    if (rc == TX_ERR_EXISTS) {
        fprintf(stderr,
                _("ticsx-hub: %s already holds a hub (hub.key exists); refusing to replace it\n"),
                a.data);
        return EXIT_LOCAL;
    }
    if (rc != TX_OK) {
        fprintf(stderr, "ticsx-hub: init %s: %s\n", a.data, tx_strerror(rc));
        return EXIT_LOCAL;
    }
    rc = write_config_sample(a.data, ini, sizeof ini);
    if (rc != TX_OK && rc != TX_ERR_EXISTS) {
        fprintf(stderr, _("ticsx-hub: init %s: cannot write %s: %s\n"), a.data, ini,
                tx_strerror(rc));
        return EXIT_LOCAL;
    }
    printf(_("hub public key: %s\n"), pub);
    printf(_("hub fingerprint: %s\n"), fp);
    {
        /* What its checkpoints are signed under, and the key as Go's note package reads it. */
        char origin[TX_NOTE_NAME_MAX + 1], vkey[TX_NOTE_VKEY_MAX];
        tx_pubkey pk;
        if (tx_pubkey_load(pub, &pk) == TX_OK) {
            tx_hub_origin(&pk, origin, sizeof origin);
            if (tx_note_vkey(origin, TX_NOTE_ED25519, pk.sign, vkey, sizeof vkey) == TX_OK) {
                printf(_("hub checkpoint origin: %s\n"), origin);
                printf(_("hub verifier key: %s\n"), vkey);
            }
        }
    }
    /* Said only when init wrote it: an operator's own hub.ini is left as it was. */
    if (rc == TX_OK) {
        printf(_("hub settings: %s (all commented out: the defaults apply)\n"), ini);
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
            fprintf(stderr,
                    _("ticsx-hub: %s is open to group or others (mode %03o); run `chmod %s %s`\n"),
                    path, (unsigned)(st.st_mode & 0777), files[i].mode, path);
            return 0;
        }
    }
    return 1;
}

/* Refuses a database that fails the check before serving (without each record's signature:
 * the signed checkpoint's root covers the records' bytes): its head only (TX_CHECK_START), and
 * the rest is checked while serving in *check; or all of it with check_first. True when it may
 * be served. */
static int
trusted_data(const char *dir, int check_first, tx_store_check_bg **check, int *status)
{
    tx_store_report r;
    int rc = tx_store_check_dir(dir, TX_CHECK_QUICK | (check_first ? 0 : TX_CHECK_START), &r);

    *check = NULL;
    if (rc == TX_ERR_NOT_FOUND) {
        return 1;
    }
    if (rc == TX_OK) {
        /* Started before the hub's threads (it forks); tx_hub_run follows it. */
        if (!check_first && (rc = tx_store_check_bg_start(dir, TX_CHECK_QUICK, check)) != TX_OK) {
            fprintf(stderr, _("ticsx-hub: cannot start the check of %s: %s\n"), dir,
                    tx_strerror(rc));
            *status = EXIT_LOCAL;
            return 0;
        }
        return 1;
    }
    if (rc == TX_ERR_STORAGE) {
        fprintf(stderr,
                _("ticsx-hub: refusing to serve %s: %s (%llu problem(s); `ticsx-hub check --data "
                  "%s` lists them)\n"),
                dir, r.n_notes > 0 ? r.notes[0] : _("the database is damaged"),
                (unsigned long long)r.problems, dir);
        *status = EXIT_NO;
    } else {
        fprintf(stderr, _("ticsx-hub: cannot check %s before serving it: %s\n"), dir,
                tx_strerror(rc));
        *status = EXIT_LOCAL;
    }
    return 0;
}

/* Serves a->data with the settings of the command line and hub.ini. Returns the exit status. */
static int
serve_data(const args *a)
{
    tx_metrics_addr maddr;
    tx_hub_options opt;
    int rc;

    if (a->metrics != NULL &&
        tx_metrics_parse(a->metrics, (int)a->metrics_remote, &maddr) != TX_OK) {
        return fail_usage("run", tx_fail_msg(), usage_run);
    }
    if (!have_hub_key(a->data) || !private_data(a->data)) {
        return EXIT_LOCAL;
    }
    tx_notify("STATUS=checking the database in %s before serving it", a->data);
    if (!trusted_data(a->data, (int)a->check_first, &opt.check, &rc)) {
        return rc;
    }
    opt.dir = a->data;
    opt.bind = a->bind;
    opt.map_size = (size_t)a->map_mib << 20;
    opt.workers = (unsigned)a->workers;
    opt.metrics = a->metrics != NULL ? &maddr : NULL;
    opt.metrics_text = a->metrics;
    rc = tx_hub_run(&opt);
    switch (rc) {
    case TX_OK:
        return 0;
    case TX_ERR_LOCKED:
        fprintf(stderr,
                _("ticsx-hub: %s is in use by another hub (%s/hub.lock is locked); stop it "
                  "first\n"),
                a->data, a->data);
        return EXIT_LOCAL;
    case TX_ERR_PERM:
        fprintf(stderr,
                _("ticsx-hub: %s/hub.key is open to group or others; run `chmod 600 "
                  "%s/hub.key`\n"),
                a->data, a->data);
        return EXIT_LOCAL;
    case TX_ERR_USAGE:
        fprintf(stderr, _("ticsx-hub: cannot serve on %s: not an endpoint to bind (e.g. %s)\n"),
                a->bind, TX_HUB_DEFAULT_BIND);
        return EXIT_LOCAL;
    case TX_ERR_NET:
        if (a->metrics != NULL) {
            fprintf(stderr,
                    _("ticsx-hub: cannot serve on %s or metrics on %s (address in use?); see the "
                      "log above\n"),
                    a->bind, a->metrics);
        } else {
            fprintf(stderr,
                    _("ticsx-hub: cannot serve on %s (address in use?); see the log above\n"),
                    a->bind);
        }
        return EXIT_LOCAL;
    default:
        fprintf(stderr, _("ticsx-hub: run %s on %s: %s\n"), a->data, a->bind, tx_strerror(rc));
        return EXIT_LOCAL;
    }
}

static int
cmd_run(int argc, char **argv)
{
    args a;
    int rc = parse_args("run", argc, argv,
                        OPT_DATA | OPT_CONFIG | OPT_BIND | OPT_MAP | OPT_LOG | OPT_WORKERS |
                            OPT_WAIT | OPT_METRICS | OPT_CHECK_FIRST,
                        usage_run, &a);

    if (rc >= 0) {
        return rc;
    }
    if (a.n_rest != 0) {
        return fail_usage("run", _("unexpected argument"), usage_run);
    }
    if (!usable_data(a.data, 1)) {
        return EXIT_LOCAL;
    }
    if ((rc = load_config("run", &a)) >= 0) {
        args_free(&a);
        return rc;
    }
    rc = serve_data(&a);
    args_free(&a);
    return rc;
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
        return fail_usage("enroll", _("one PROFILE file is required"), usage_enroll);
    }
    if (!usable_data(a.data, 1) || !have_hub_key(a.data) || !no_pid_clash("enroll", a.data)) {
        return EXIT_LOCAL;
    }
    rc = tx_hub_enroll_file(a.data, a.rest[0], a.allow_dup ? TX_ENROLL_ALLOW_DUPLICATE_NAME : 0,
                            &res, name, sizeof name, fp);
    if (rc == TX_ERR_TOO_LARGE) {
        fprintf(stderr, _("ticsx-hub: enroll %s refused: larger than any profile\n"), a.rest[0]);
        return EXIT_NO;
    }
    if (rc != TX_OK) {
        fprintf(stderr, "ticsx-hub: enroll %s: %s\n", a.rest[0], tx_strerror(rc));
        return EXIT_LOCAL;
    }
    switch (res.status) {
    case TX_STATUS_OK:
        printf(res.receipt.duplicate ? _("enrolled %s %s (already enrolled)\n")
                                     : _("enrolled %s %s\n"),
               name, fp);
        return 0;
    case TX_STATUS_BAD_SIGNATURE:
    case TX_STATUS_REPLAY:
    case TX_STATUS_FORBIDDEN:
    case TX_STATUS_BAD_REQUEST:
        /* A definite no about the profile: it is bad (truncated, malformed, not a profile),
         * replayed or not allowed. The status's words are translated (client/net/tx_conn.c
         * marks them), the hub's detail stays English. */
        fprintf(stderr, _("ticsx-hub: enroll %s refused: %s: %s\n"), a.rest[0],
                _(tx_status_text(res.status)), res.message);
        return EXIT_NO;
    default:
        fprintf(stderr, "ticsx-hub: enroll %s: %s: %s\n", a.rest[0], _(tx_status_text(res.status)),
                res.message);
        return EXIT_LOCAL;
    }
}

static int
cmd_reenroll(int argc, char **argv)
{
    char fp[TX_FP_LEN];
    tx_outcome res;
    args a;
    int rc = parse_args("reenroll", argc, argv, OPT_DATA | OPT_REENROL, usage_reenroll, &a);
    int64_t from = 0;

    if (rc >= 0) {
        return rc;
    }
    if (a.n_rest != 1 || a.replaces == NULL) {
        return fail_usage("reenroll", _("--replaces FINGERPRINT and one PROFILE file are required"),
                          usage_reenroll);
    }
    if (a.compromised_from != NULL && tx_parse_time(a.compromised_from, &from) != TX_OK) {
        return fail_usage("reenroll", _("--compromised-from: give a date as YYYY-MM-DD"),
                          usage_reenroll);
    }
    if (!usable_data(a.data, 1) || !have_hub_key(a.data) || !no_pid_clash("reenroll", a.data)) {
        return EXIT_LOCAL;
    }
    rc = tx_hub_reenroll_file(a.data, a.rest[0], a.replaces, from, &res, fp);
    if (rc != TX_OK) {
        fprintf(stderr, "ticsx-hub: reenroll %s: %s\n", a.rest[0], tx_strerror(rc));
        return EXIT_LOCAL;
    }
    if (res.status != TX_STATUS_OK) {
        fprintf(stderr, _("ticsx-hub: reenroll %s refused: %s: %s\n"), a.rest[0],
                _(tx_status_text(res.status)), res.message);
        return EXIT_NO;
    }
    printf(_("reenrolled %s %s\n"), a.replaces, fp);
    return 0;
}

static int
cmd_health(int argc, char **argv)
{
    char used[1024] = "", refusal[1024];
    args a;
    int rc = parse_args("health", argc, argv, OPT_DATA | OPT_HUB | OPT_TIMEOUT, usage_health, &a);

    if (rc >= 0) {
        return rc;
    }
    if (a.n_rest != 0) {
        return fail_usage("health", _("unexpected argument"), usage_health);
    }
    /* Quiet unless asked: health runs from container health checks every few seconds. */
    tx_log_level = TX_LOG_ERROR;
    rc =
        tx_hub_health(a.data, a.hub, (int)a.timeout_ms, used, sizeof used, refusal, sizeof refusal);
    switch (rc) {
    case TX_OK:
        if (refusal[0] != 0 && strstr(refusal, TX_SIGNED_FILE) != NULL) {
            /* A record of its checkpoint failed: no checkpoint is named either, until one
             * succeeds (the hub tries again by itself). */
            fprintf(stderr,
                    _("ticsx-hub: hub at %s refuses writes and names no checkpoint until it can "
                      "record checkpoint.signed again (it retries every second): %s\n"),
                    used, refusal);
            return EXIT_NO;
        }
        if (refusal[0] != 0) {
            fprintf(stderr, _("ticsx-hub: hub at %s serves reads only: %s\n"), used, refusal);
            return EXIT_NO;
        }
        printf(_("healthy: %s\n"), used);
        return 0;
    case TX_ERR_UNREACHABLE:
    case TX_ERR_NET:
        fprintf(stderr, _("ticsx-hub: hub at %s did not answer within %ld ms\n"), used,
                a.timeout_ms);
        return EXIT_UNREACHABLE;
    case TX_ERR_REFUSED:
        fprintf(stderr, _("ticsx-hub: hub at %s refused the ping; is it the hub of %s?\n"), used,
                a.data);
        return EXIT_NO;
    case TX_ERR_NOT_FOUND:
        if (a.hub == NULL && used[0] == 0) {
            fprintf(stderr,
                    _("ticsx-hub: %s/endpoint not found; is the hub running? (or pass "
                      "--hub)\n"),
                    a.data);
            return EXIT_UNREACHABLE;
        }
        fprintf(stderr, _("ticsx-hub: %s has no hub.key; run `ticsx-hub init` first\n"), a.data);
        return EXIT_LOCAL;
    default:
        fprintf(stderr, "ticsx-hub: health %s: %s\n", used[0] ? used : a.data, tx_strerror(rc));
        return EXIT_LOCAL;
    }
}

static int
cmd_backup(int argc, char **argv)
{
    char out[PATH_MAX], name[TX_BACKUP_NAME_LEN];
    tx_backup_info info;
    unsigned removed = 0;
    args a;
    int rc = parse_args("backup", argc, argv, OPT_DATA | OPT_WITH_KEY | OPT_INTO | OPT_KEEP,
                        usage_backup, &a);

    if (rc >= 0) {
        return rc;
    }
    if (a.n_rest != (a.into == NULL ? 1 : 0)) {
        return fail_usage("backup", _("name one OUT directory, or --into PARENT"), usage_backup);
    }
    if (a.keep != 0 && a.into == NULL) {
        return fail_usage("backup", _("--keep needs --into PARENT"), usage_backup);
    }
    if (!usable_data(a.data, 0) || !no_pid_clash("backup", a.data)) {
        return EXIT_LOCAL;
    }
    if (a.into != NULL) {
        tx_hub_backup_name(name, tx_now());
        if (tx_mkdir_private(a.into) != TX_OK ||
            tx_path_join(out, sizeof out, a.into, name) != TX_OK) {
            fprintf(stderr, _("ticsx-hub: cannot make %s for the backups: %s\n"), a.into,
                    strerror(errno));
            return EXIT_LOCAL;
        }
    } else {
        snprintf(out, sizeof out, "%s", a.rest[0]);
    }
    rc = tx_hub_backup(a.data, out, (int)a.with_key, &info);
    switch (rc) {
    case TX_OK:
        printf(a.with_key ? _("backed up %s to %s: log up to index %llu, %llu bytes, with "
                              "hub.key\n")
                          : _("backed up %s to %s: log up to index %llu, %llu bytes, without "
                              "hub.key\n"),
               a.data, out, (unsigned long long)info.last, (unsigned long long)info.bytes);
        if (a.keep > 0 && tx_hub_backup_prune(a.into, (unsigned)a.keep, &removed) != TX_OK) {
            fprintf(stderr, _("ticsx-hub: cannot list %s to remove old backups\n"), a.into);
            return EXIT_LOCAL;
        }
        if (removed > 0) {
            printf(_("removed %u older backup(s) from %s, keeping %ld\n"), removed, a.into, a.keep);
        }
        return 0;
    case TX_ERR_EXISTS:
        fprintf(stderr, _("ticsx-hub: %s already exists; name a new directory for the backup\n"),
                out);
        return EXIT_LOCAL;
    case TX_ERR_NOT_FOUND:
        fprintf(stderr,
                _("ticsx-hub: %s holds no hub database (data.mdb, hub.pub), or %s's parent "
                  "is missing\n"),
                a.data, out);
        return EXIT_LOCAL;
    case TX_ERR_STORAGE_FULL:
        fprintf(stderr, _("ticsx-hub: no space for the backup in %s; nothing was kept\n"), out);
        return EXIT_LOCAL;
    default:
        fprintf(stderr, _("ticsx-hub: backup %s to %s: %s; nothing was kept\n"), a.data, out,
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
    fprintf(stderr, _("ticsx-hub: %s: %llu problem(s) in %llu records\n"), dir,
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
        return fail_usage("check", _("unexpected argument"), usage_check);
    }
    /* No hub.key needed: a backup made without it is checked too. Never create a database,
     * never write to one: it is opened read-only, in a child process. */
    if (!usable_data(a.data, 0) || !no_pid_clash("check", a.data)) {
        return EXIT_LOCAL;
    }
    rc = tx_store_check_dir(a.data, 0, &r);
    if (rc == TX_ERR_NOT_FOUND) {
        fprintf(stderr, _("ticsx-hub: %s holds no hub database (data.mdb)\n"), a.data);
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
    printf(_("ok: %llu records up to log index %llu; every record verifies, every index, Merkle "
             "node and the checkpoint agree with the log\n"),
           (unsigned long long)r.records, (unsigned long long)r.last);
    return 0;
}

/* True when the command's arguments ask for its help (before any "--"). */
static int
asks_help(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return 1;
        }
    }
    return 0;
}

int
main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"init", cmd_init},     {"run", cmd_run},       {"enroll", cmd_enroll},
                {"health", cmd_health}, {"backup", cmd_backup}, {"check", cmd_check},
                {"reenroll", cmd_reenroll}};

    /* The operator's commands speak the operator's language (LANG=ja_JP.UTF-8: Japanese);
     * `run` stays English throughout, log lines and what it sends over the wire alike (log
     * tools read it; clients translate by status): it never binds the catalogue, so gettext
     * returns the English text. Only `run --help` is translated. */
    if (argc < 2 || strcmp(argv[1], "run") != 0 || asks_help(argc - 1, argv + 1)) {
        tx_i18n_init(NULL);
    }
    if (argc < 2) {
        fputs(_(usage_main), stderr);
        return EXIT_LOCAL;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(_(usage_main), stdout);
        return 0;
    }
    for (size_t i = 0; i < TX_ARRAY_LEN(cmds); i++) {
        if (strcmp(argv[1], cmds[i].name) == 0) {
            return cmds[i].fn(argc - 1, argv + 1);
        }
    }
    return fail_usage(NULL, _("unknown command"), usage_main);
}

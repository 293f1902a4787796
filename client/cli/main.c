/* ticsx: the command line of buyers and suppliers. Parses global options, runs one command,
 * maps its code to the exit status: 0 ok, 1 a definite no, 2 usage or local error,
 * 3 hub unreachable. */
#include "cli.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_log.h"
#include "tx_malloc.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TX_VERSION
#define TX_VERSION "0"
#endif

static int
exit_status(int rc)
{
    switch (rc) {
    case TX_OK:
        return 0;
    case TX_ERR_UNREACHABLE:
    case TX_ERR_NET:
        return 3;
    case TX_ERR_BAD_SIGNATURE:
    case TX_ERR_WRONG_KEY:
    case TX_ERR_DECRYPT:
    case TX_ERR_NOT_ENROLLED:
    case TX_ERR_REPLAY:
    case TX_ERR_MISSING_REF:
    case TX_ERR_FORBIDDEN:
    case TX_ERR_REFUSED:
    case TX_ERR_NOT_FOUND:
    case TX_ERR_CHECKSUM:
        return 1;
    default:
        return 2;
    }
}

static const struct {
    const char *name;
    int (*run)(tx_cli *, int, char **);
} commands[] = {
    {"keygen", tx_cmd_keygen},
    {"whoami", tx_cmd_whoami},
    {"orgs", tx_cmd_orgs},
    {"ping", tx_cmd_ping},
    {"member", tx_cmd_member},
    {"key", tx_cmd_key},
    {"questionnaire", tx_cmd_questionnaire},
    {"request", tx_cmd_request},
    {"inbox", tx_cmd_inbox},
    {"answer", tx_cmd_answer},
    {"grant", tx_cmd_grant},
    {"revoke", tx_cmd_revoke},
    {"watch", tx_cmd_watch},
    {"fetch", tx_cmd_fetch},
    {"verify", tx_cmd_verify},
    {"report", tx_cmd_report},
    {"requests", tx_cmd_requests},
    {"due", tx_cmd_due},
    {"history", tx_cmd_history},
    {"drafts", tx_cmd_drafts},
    {"grants", tx_cmd_grants},
    {"campaign", tx_cmd_campaign},
    {"forward", tx_cmd_forward},
    {"trust", tx_cmd_trust},
    {"accredit", tx_cmd_accredit},
    {"cert", tx_cmd_cert},
    {"credential", tx_cmd_credential},
    {"audit-log", tx_cmd_audit_log},
    {"witness", tx_cmd_witness},
    {"assessments", tx_cmd_assessments},
    {"evidence", tx_cmd_evidence},
    {"ui", tx_cmd_ui},
    {"register", tx_cmd_register},
    {"policy", tx_cmd_policy},
    {"plan", tx_cmd_plan},
    {"help", tx_cmd_help},
};

/* --lang anywhere on the line chooses the language before any text is made, so that even a
 * refused option earlier on the line is told in it. A bad value is left to the parser. */
static void
early_lang(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc) {
            tx_i18n_init(argv[++i]);
        } else if (strncmp(argv[i], "--lang=", 7) == 0) {
            tx_i18n_init(argv[i] + 7);
        }
    }
}

/* The options before the command: the common ones (which every command also accepts after
 * it, tx_cli_common_opt) and --version. */
static int
parse_global(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {
        TX_CLI_COMMON_OPTS,
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+qh", opts, NULL)) != -1) {
        if (opt == 'V') {
            printf("ticsx %s\n", TX_VERSION);
            exit(0);
        }
        if (opt == '?' && optopt == 0) {
            return tx_fail(TX_ERR_USAGE, "unknown option %s: see ticsx --help", argv[optind - 1]);
        }
        if (opt == '?' || opt == ':') {
            return tx_fail(TX_ERR_USAGE, "bad option %s: see ticsx --help", argv[optind - 1]);
        }
        if (tx_cli_common_opt(g, opt, "ticsx") != TX_OK) {
            return TX_ERR_USAGE;
        }
    }
    return TX_OK;
}

int
main(int argc, char **argv)
{
    tx_cli g = {0};
    int rc, status;

    tx_malloc_setup();
    tx_log_level = TX_LOG_WARN;
    tx_i18n_init(NULL);
    early_lang(argc, argv);
    g.ja = tx_i18n_ja();
    if ((rc = parse_global(&g, argc, argv)) != TX_OK) {
        fprintf(stderr, "ticsx: %s\n", tx_fail_msg());
        return 2;
    }
    if (optind >= argc) {
        tx_cli_usage(stderr);
        return 2;
    }
    rc = TX_ERR_USAGE;
    tx_fail(rc, "unknown command %s: see ticsx --help", argv[optind]);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, argv[optind]) == 0) {
            char **sub = argv + optind;
            int n = argc - optind;
            tx_fail_clear();
            optind = 0; /* GNU getopt: start over for the command's own options */
            rc = commands[i].run(&g, n, sub);
            break;
        }
    }
    status = exit_status(rc);
    if (rc != TX_OK) {
        fprintf(stderr, "ticsx: %s\n", tx_fail_msg()[0] ? tx_fail_msg() : tx_strerror(rc));
    } else if (g.definite_no) {
        status = 1;
    }
    return status;
}

/* ticsx: the command line of buyers and suppliers. Parses global options, runs one command,
 * maps its code to the exit status: 0 ok, 1 a definite no, 2 usage or local error,
 * 3 hub unreachable. */
#include "cli.h"

#include "tx_error.h"
#include "tx_log.h"
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

const char tx_cli_usage_text[] =
    "usage: ticsx [GLOBAL OPTIONS] COMMAND [OPTIONS]\n"
    "\n"
    "global options (before the command):\n"
    "  --home DIR        home directory (env TICSX_HOME, default ~/.config/ticsx)\n"
    "  --hub ENDPOINT    hub address (env TICSX_HUB, default tcp://127.0.0.1:7700)\n"
    "  --hub-key FILE    the hub's hub.pub (env TICSX_HUB_KEY); needed to reach the hub\n"
    "  --timeout MS      wait at most MS for each hub reply (default 5000)\n"
    "  --lang ja|en      language of texts (default: ja if LANG starts with ja)\n"
    "  --json            JSON output (read commands)\n"
    "  -q, --quiet       print only ids, one per line\n"
    "  -h, --help        this help;  --version  the version\n"
    "\n"
    "commands:\n"
    "  keygen --name NAME [--corporate-number N]   create this organisation's keys and profile\n"
    "  whoami                                      name, fingerprint, key id, home\n"
    "  orgs                                        organisations enrolled on the hub\n"
    "  ping                                        check the hub answers\n"
    "  questionnaire list                          built-in and published questionnaires\n"
    "  questionnaire show ID                       areas, items, scale and levels\n"
    "  questionnaire template ID|REQUEST [--out FILE] [--format csv|json|xlsx]\n"
    "                                              an answers file to fill in\n"
    "  questionnaire import FILE.csv --id ID --version N [--title-ja T] [--title-en T]\n"
    "                [--out FILE.json] [--publish]  a check sheet as a signed questionnaire\n"
    "  request --questionnaire ID --to ORG[,ORG...] [--due DATE] [--depth N] [--note TEXT]\n"
    "                                              ask suppliers; prints the request id\n"
    "  inbox [--all]                               new requests, grants and revocations\n"
    "  watch [--count N] [--for SECONDS]           print them as the hub pushes them\n"
    "  answer REQUEST --file FILE [--valid-until DATE] [--as-of DATE] [--allow-missing]\n"
    "         [--certificate CERT|none] [--supersedes ASSESSMENT [--no-regrant]]\n"
    "                                              sign, seal and grant; prints the assessment id\n"
    "  answer REQUEST --reuse ASSESSMENT           answer with an assessment already written\n"
    "  forward REQUEST [--to ORG[,ORG...]]         pass a request asking for more tiers on to\n"
    "                                              your suppliers, on behalf of its buyer\n"
    "  grant ASSESSMENT --to BUYER[,BUYER...] [--until DATE]   share it with more buyers\n"
    "  revoke ASSESSMENT --from BUYER              withdraw a buyer's grant\n"
    "  fetch                                       download what was granted to you\n"
    "  verify [ASSESSMENT]                         check it all here; exit 1 if any fails\n"
    "  report [--format table|json|csv|html|oscal|xlsx] [--out FILE [--force]] [--lang ja|en]\n"
    "         [--depth N] [--current-days N]   one row per supplier with area scores, and the\n"
    "                                          supply tree with roll-ups per tier\n"
    "  trust add FILE | list | remove KEY          pin the accreditor's public key (METI role)\n"
    "  accredit --body ORG --scope all|SECTOR[,SECTOR...] --from DATE --until DATE [--note T]\n"
    "  accredit --body ORG --withdraw [--until DATE]   (accreditor) accredit or withdraw a body\n"
    "  cert issue --holder ORG --number N --scope TEXT --sector SECTOR --criteria 2018|2024\n"
    "             --issued DATE [--expires DATE]   (certification body) issue a certificate\n"
    "  cert report|suspend|reinstate|revoke CERT [--date DATE] [--note TEXT]\n"
    "  cert show CERT | verify CERT [--at DATE] | list [--holder ORG]\n"
    "  audit-log                                   check the hub's signed log: every record you\n"
    "                                              may see is in it, the leaves rebuild its root\n"
    "  witness [--every SECONDS] [--name NAME]     check the hub's log extends the checkpoint\n"
    "                                              cosigned last, cosign the new one, hand it in\n"
    "  trust witness add FILE | list | remove KEY | quorum [N] | max-age [SECONDS]\n"
    "                                              pin witnesses; accept only checkpoints N of\n"
    "                                              them cosigned (default 0: none needed)\n"
    "\n"
    "ORG: legal name, fingerprint (SHA256:...) or 16-hex key id.  DATE: YYYY-MM-DD.\n"
    "REQUEST, ASSESSMENT: 64 hex digits, or a unique prefix of at least 8.\n"
    "CERT: a certificate number, or its record id (a unique prefix of at least 8 hex).\n"
    "exit status: 0 ok, 1 a definite no (verification failed, refused), 2 usage or local\n"
    "error, 3 hub unreachable.\n";

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
    {"forward", tx_cmd_forward},
    {"trust", tx_cmd_trust},
    {"accredit", tx_cmd_accredit},
    {"cert", tx_cmd_cert},
    {"audit-log", tx_cmd_audit_log},
    {"witness", tx_cmd_witness},
};

static int
parse_global(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"home", required_argument, NULL, 'H'},    {"hub", required_argument, NULL, 'u'},
        {"hub-key", required_argument, NULL, 'k'}, {"timeout", required_argument, NULL, 't'},
        {"lang", required_argument, NULL, 'l'},    {"json", no_argument, NULL, 'J'},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0},
    };
    const char *lang = getenv("LANG");
    int opt;

    g->ja = lang != NULL && strncmp(lang, "ja", 2) == 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+qh", opts, NULL)) != -1) {
        char *end;
        switch (opt) {
        case 'H':
            g->home = optarg;
            break;
        case 'u':
            g->hub = optarg;
            break;
        case 'k':
            g->hub_key = optarg;
            break;
        case 't':
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno != 0 || *end != 0 || v <= 0 || v > 3600000) {
                return tx_fail(TX_ERR_USAGE, "--timeout %s: give milliseconds, 1 to 3600000",
                               optarg);
            }
            g->timeout_ms = (int)v;
            break;
        case 'l':
            if (strcmp(optarg, "ja") != 0 && strcmp(optarg, "en") != 0) {
                return tx_fail(TX_ERR_USAGE, "--lang %s: use ja or en", optarg);
            }
            g->ja = strcmp(optarg, "ja") == 0;
            break;
        case 'V':
            printf("ticsx %s\n", TX_VERSION);
            exit(0);
        default:
            if (opt == '?' && optopt == 0) {
                return tx_fail(TX_ERR_USAGE, "unknown option %s: see ticsx --help",
                               argv[optind - 1]);
            }
            if (tx_cli_common_opt(g, opt, "ticsx") != TX_OK) {
                return tx_fail(TX_ERR_USAGE, "bad option %s: see ticsx --help", argv[optind - 1]);
            }
        }
    }
    return TX_OK;
}

int
main(int argc, char **argv)
{
    tx_cli g = {0};
    int rc, status;

    tx_log_level = TX_LOG_WARN;
    if ((rc = parse_global(&g, argc, argv)) != TX_OK) {
        fprintf(stderr, "ticsx: %s\n", tx_fail_msg());
        return 2;
    }
    if (optind >= argc) {
        fputs(tx_cli_usage_text, stderr);
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

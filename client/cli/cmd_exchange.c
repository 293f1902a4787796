/* ticsx request, inbox, answer, fetch, verify, report: the exchange itself. */
#include "cli.h"

#include "tx_answer.h"
#include "tx_error.h"
#include "tx_fetch.h"
#include "tx_inbox.h"
#include "tx_msg.h"
#include "tx_render.h"
#include "tx_report.h"
#include "tx_request.h"
#include "tx_supply_tree.h"
#include "tx_util.h"
#include "tx_verify.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TO 1000

int
tx_cmd_request(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"questionnaire", required_argument, NULL, 'Q'},
                                         {"to", required_argument, NULL, 'T'},
                                         {"due", required_argument, NULL, 'D'},
                                         {"depth", required_argument, NULL, 'd'},
                                         {"note", required_argument, NULL, 'N'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    tx_request_args a = {0};
    tx_request_result res;
    const char **to = calloc(MAX_TO, sizeof *to);
    tx_client *c = NULL;
    char hex[2 * TX_ID_LEN + 1], qhex[2 * TX_ID_LEN + 1];
    int opt, rc = TX_OK;

    if (to == NULL) {
        return TX_ERR_NOMEM;
    }
    a.to = to;
    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        char *end;
        switch (opt) {
        case 'Q':
            a.questionnaire = optarg;
            break;
        case 'T':
            rc = tx_cli_split_names(optarg, to, &a.n_to, MAX_TO, "suppliers per request");
            break;
        case 'D':
            rc = tx_cli_parse_date("--due", optarg, &a.due);
            break;
        case 'd':
            errno = 0;
            unsigned long d = strtoul(optarg, &end, 10);
            if (errno != 0 || *end != 0 || d < 1 || d > 16) {
                rc = tx_fail(TX_ERR_USAGE, "--depth %s: give a number of tiers, 1 to 16", optarg);
            }
            a.depth = (uint32_t)d;
            break;
        case 'N':
            a.note = optarg;
            if (!tx_utf8_valid(optarg, strlen(optarg)) || strlen(optarg) > 4096) {
                rc = tx_fail(TX_ERR_USAGE, "--note: at most 4096 bytes of UTF-8 text");
            }
            break;
        default:
            rc = tx_cli_common_opt(g, opt, "request");
        }
    }
    if (rc == TX_OK && (a.questionnaire == NULL || a.n_to == 0 || optind < argc)) {
        rc = tx_fail(TX_ERR_USAGE, "usage: ticsx request --questionnaire ID --to ORG[,ORG...] "
                                   "[--due DATE] [--depth N] [--note TEXT]");
    }
    if (rc == TX_OK && (rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = tx_request_send(c, &a, &res)) == TX_OK) {
        tx_hex(hex, res.id, TX_ID_LEN);
        tx_hex(qhex, res.questionnaire, TX_ID_LEN);
        if (g->json) {
            json_t *j =
                json_pack("{s:s,s:s,s:b,s:I}", "request", hex, "questionnaire", qhex, "published",
                          res.published, "suppliers", (json_int_t)res.n_suppliers);
            json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            fputc('\n', stdout);
            json_decref(j);
        } else {
            printf("%s\n", hex);
            if (!g->quiet) {
                fprintf(stderr, "request sent to %zu supplier%s; questionnaire %.12s %s\n",
                        res.n_suppliers, res.n_suppliers == 1 ? "" : "s", qhex,
                        res.published ? "published now" : "already on the hub");
            }
        }
    }
    tx_client_destroy(&c);
    free(to);
    return rc;
}

int
tx_cmd_inbox(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"all", no_argument, NULL, 'a'}, TX_CLI_COMMON_OPTS, {NULL, 0, NULL, 0}};
    tx_client *c = NULL;
    tx_inbox in = {0};
    int all = 0, opt, rc;

    while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'a') {
            all = 1;
        } else if ((rc = tx_cli_common_opt(g, opt, "inbox")) != TX_OK) {
            return rc;
        }
    }
    if (optind < argc) {
        return tx_fail(TX_ERR_USAGE, "usage: ticsx inbox [--all]");
    }
    if ((rc = tx_cli_open(g, &c)) == TX_OK && (rc = tx_inbox_load(c, all, &in)) == TX_OK) {
        rc = tx_inbox_print(stdout, &in, g->json, g->quiet);
    }
    tx_inbox_free(&in);
    tx_client_destroy(&c);
    return rc;
}

int
tx_cmd_answer(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"file", required_argument, NULL, 'f'},
                                         {"valid-until", required_argument, NULL, 'v'},
                                         {"as-of", required_argument, NULL, 'a'},
                                         {"allow-missing", no_argument, NULL, 'm'},
                                         {"certificate", required_argument, NULL, 'C'},
                                         {"reuse", required_argument, NULL, 'R'},
                                         {"supersedes", required_argument, NULL, 'S'},
                                         {"no-regrant", no_argument, NULL, 'N'},
                                         {"also-grant-origin", no_argument, NULL, 'O'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    const char *reuse = NULL;
    tx_answer_args a = {0};
    tx_answer_result res;
    tx_client *c = NULL;
    char hex[2 * TX_ID_LEN + 1], grant[2 * TX_ID_LEN + 1], d1[16], d2[16];
    int opt, rc = TX_OK, also_grant_origin = 0;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (opt) {
        case 'f':
            a.file = optarg;
            break;
        case 'v':
            rc = tx_cli_parse_date("--valid-until", optarg, &a.valid_until);
            break;
        case 'a':
            rc = tx_cli_parse_date("--as-of", optarg, &a.as_of);
            break;
        case 'm':
            a.allow_missing = 1;
            break;
        case 'C':
            a.certificate = optarg;
            break;
        case 'R':
            reuse = optarg;
            break;
        case 'S':
            a.supersedes = optarg;
            break;
        case 'N':
            a.no_regrant = 1;
            break;
        case 'O':
            also_grant_origin = a.need_forwarded = 1;
            break;
        default:
            rc = tx_cli_common_opt(g, opt, "answer");
        }
    }
    if (rc != TX_OK) {
        return rc;
    }
    if (reuse != NULL) {
        if (a.file != NULL || a.supersedes != NULL || a.no_regrant || a.valid_until || a.as_of ||
            a.allow_missing || a.certificate != NULL || also_grant_origin || optind + 1 != argc) {
            return tx_fail(TX_ERR_USAGE, "usage: ticsx answer REQUEST --reuse ASSESSMENT (the "
                                         "assessment is shared as it is: no other options)");
        }
        return tx_cli_answer_reuse(g, argv[optind], reuse);
    }
    if (a.no_regrant && a.supersedes == NULL) {
        return tx_fail(TX_ERR_USAGE, "--no-regrant goes with --supersedes ASSESSMENT");
    }
    if (a.file == NULL || optind + 1 != argc) {
        return tx_fail(TX_ERR_USAGE, "usage: ticsx answer REQUEST --file FILE [--valid-until DATE] "
                                     "[--as-of DATE] [--allow-missing] [--certificate CERT|none]");
    }
    a.request = argv[optind];
    if ((rc = tx_cli_open(g, &c)) == TX_OK && (rc = tx_answer_submit(c, &a, &res)) == TX_OK) {
        tx_hex(hex, res.assessment, TX_ID_LEN);
        tx_hex(grant, res.grant, TX_ID_LEN);
        tx_format_date(d1, sizeof d1, res.as_of);
        tx_format_date(d2, sizeof d2, res.valid_until);
        if (g->json) {
            char rq[2 * TX_ID_LEN + 1];
            tx_hex(rq, res.request, TX_ID_LEN);
            json_t *j = json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:s}", "assessment", hex, "grant",
                                  grant, "request", rq, "answered", (json_int_t)res.n_answers,
                                  "items", (json_int_t)res.n_items, "as_of", d1, "valid_until", d2);
            char ch[2 * TX_ID_LEN + 1];
            tx_hex(ch, res.certificate, TX_ID_LEN);
            json_object_set_new(j, "certificate",
                                res.has_certificate ? json_pack("{s:s,s:s}", "record", ch, "number",
                                                                res.certificate_number)
                                                    : json_null());
            tx_answer_share_json(j, &res);
            rc = tx_cli_answer_tiers(g, c, &res, also_grant_origin, j);
            json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            fputc('\n', stdout);
            json_decref(j);
        } else {
            printf("%s\n", hex);
            if (!g->quiet) {
                fprintf(stderr,
                        "assessment signed, sealed and granted to the requester: %zu of %zu "
                        "items answered, as of %s, valid until %s\n",
                        res.n_answers, res.n_items, d1, d2);
                if (res.has_certificate) {
                    fprintf(stderr, "it references TICS certificate %s\n", res.certificate_number);
                } else {
                    fprintf(stderr, "it references no TICS certificate\n");
                }
                tx_answer_share_note(stderr, &res);
            }
            rc = tx_cli_answer_tiers(g, c, &res, also_grant_origin, NULL);
        }
    }
    tx_client_destroy(&c);
    return rc;
}

static int
only_common(tx_cli *g, int argc, char **argv, const char *command, int max_args)
{
    static const struct option opts[] = {TX_CLI_COMMON_OPTS, {NULL, 0, NULL, 0}};
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if ((rc = tx_cli_common_opt(g, opt, command)) != TX_OK) {
            return rc;
        }
    }
    if (argc - optind > max_args) {
        return tx_fail(TX_ERR_USAGE, "%s: unexpected argument %s", command, argv[argc - 1]);
    }
    return TX_OK;
}

int
tx_cmd_fetch(tx_cli *g, int argc, char **argv)
{
    tx_client *c = NULL;
    tx_fetched fe = {0};
    int rc;

    if ((rc = only_common(g, argc, argv, "fetch", 0)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_cli_open(g, &c)) == TX_OK && (rc = tx_fetch_all(c, &fe)) == TX_OK) {
        rc = tx_fetch_print(stdout, &fe, g->json, g->quiet);
    }
    tx_fetched_free(&fe);
    tx_client_destroy(&c);
    return rc;
}

int
tx_cmd_verify(tx_cli *g, int argc, char **argv)
{
    tx_client *c = NULL;
    tx_verdicts vs = {0};
    const char *only;
    int rc;

    if ((rc = only_common(g, argc, argv, "verify", 1)) != TX_OK) {
        return rc;
    }
    only = optind < argc ? argv[optind] : NULL;
    if (only != NULL && strspn(only, "0123456789abcdefABCDEF") != strlen(only)) {
        return tx_fail(TX_ERR_USAGE, "verify %s: give an assessment id (hex)", only);
    }
    if ((rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = tx_verify_all(tx_client_home(c), only, &vs)) == TX_OK) {
        rc = tx_verify_print(stdout, &vs, g->json, g->quiet);
        g->definite_no = tx_verify_failures(&vs) > 0;
    }
    tx_verdicts_free(&vs);
    tx_client_destroy(&c);
    return rc;
}

/* XLSX goes through a temporary beside `out`, linked into place (renamed with --force) so that
 * an existing file is never replaced by surprise. */
static int
report_xlsx(const char *out, int force, const tx_verdicts *vs, const tx_report_tree_opts *t,
            int ja)
{
    char tmp[PATH_MAX];
    int rc;

    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid()) >= (int)sizeof tmp) {
        return tx_fail(TX_ERR_USAGE, "path too long: %s", out);
    }
    rc = tx_render_report(NULL, tmp, vs, t, TX_REPORT_XLSX, ja);
    if (rc == TX_OK && (force ? rename(tmp, out) : link(tmp, out)) != 0) {
        rc = errno == EEXIST ? tx_fail(TX_ERR_EXISTS, "%s exists: remove it or add --force", out)
                             : tx_fail(TX_ERR_IO, "cannot write %s: %s", out, strerror(errno));
    }
    unlink(tmp);
    return rc;
}

int
tx_cmd_report(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"depth", required_argument, NULL, 'd'},
                                         {"current-days", required_argument, NULL, 'C'},
                                         {"force", no_argument, NULL, 'F'},
                                         {"lang", required_argument, NULL, 'l'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    tx_client *c = NULL;
    tx_verdicts vs = {0};
    tx_report_tree_opts tree = {0};
    tx_orgs orgs = {0};
    uint8_t(*roots)[TX_KEY_LEN] = NULL;
    unsigned depth = 0, req_depth = 1;
    char tmp[PATH_MAX];
    FILE *f = NULL;
    int opt, rc = TX_OK, format = g->json ? TX_REPORT_JSON : TX_REPORT_TABLE, force = 0;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'd' || opt == 'C') {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*optarg == 0 || *end != 0 || v < 1 ||
                v > (opt == 'd' ? TX_TREE_MAX_DEPTH : 36500)) {
                rc = tx_fail(TX_ERR_USAGE, "%s %s: give a number from 1 to %d",
                             opt == 'd' ? "--depth" : "--current-days", optarg,
                             opt == 'd' ? TX_TREE_MAX_DEPTH : 36500);
            } else if (opt == 'd') {
                depth = (unsigned)v;
            } else {
                tree.current_days = (unsigned)v;
            }
        } else if (opt == 'f') {
            rc = tx_render_format(optarg, &format);
        } else if (opt == 'F') {
            force = 1;
        } else if (opt == 'l') {
            if (strcmp(optarg, "ja") != 0 && strcmp(optarg, "en") != 0) {
                rc = tx_fail(TX_ERR_USAGE, "--lang %s: use ja or en", optarg);
            }
            g->ja = strcmp(optarg, "ja") == 0;
        } else if (opt == 'J') {
            format = TX_REPORT_JSON;
        } else if (opt == 'o') {
            out = optarg;
        } else {
            rc = tx_cli_common_opt(g, opt, "report");
        }
    }
    if (rc == TX_OK && optind < argc) {
        rc = tx_fail(TX_ERR_USAGE, "usage: ticsx report [--format table|json|csv|html|oscal|xlsx] "
                                   "[--out FILE [--force]] [--lang ja|en] [--depth N] "
                                   "[--current-days N]");
    }
    if (rc == TX_OK && format == TX_REPORT_XLSX && (out == NULL || strcmp(out, "-") == 0)) {
        rc = tx_fail(TX_ERR_USAGE, "--format xlsx needs --out FILE.xlsx");
    }
    if (rc == TX_OK && out != NULL && strcmp(out, "-") != 0 && !force && access(out, F_OK) == 0) {
        rc = tx_fail(TX_ERR_EXISTS, "%s exists: remove it, choose another --out or add --force",
                     out);
    }
    /* The tree starts at the suppliers of this organisation's own requests and goes as deep
     * as the deepest of them asks, unless --depth says otherwise. */
    if (rc == TX_OK && (rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = tx_verify_all(tx_client_home(c), NULL, &vs)) == TX_OK &&
        (rc = tx_tree_roots(tx_client_home(c), &roots, &tree.n_roots, &req_depth)) == TX_OK &&
        (format == TX_REPORT_XLSX || (rc = tx_cli_open_out(out, force, &f, tmp, sizeof tmp)) == TX_OK)) {
        /* Granted assessments left out as unproven make the report incomplete: exit 1. */
        g->definite_no = vs.unproven > 0;
        tree.roots = (const uint8_t(*)[TX_KEY_LEN])roots;
        tree.orgs = tx_orgs_from_cache(tx_client_home(c), &orgs) == TX_OK ? &orgs : NULL;
        tree.depth = depth ? depth : req_depth;
        if (format == TX_REPORT_XLSX) {
            rc = report_xlsx(out, force, &vs, &tree, g->ja);
        } else {
            rc = tx_render_report(f, NULL, &vs, &tree, format, g->ja);
            rc = tx_cli_commit_out(out, f, tmp, rc);
        }
    }
    free(roots);
    tx_orgs_free(&orgs);
    tx_verdicts_free(&vs);
    tx_client_destroy(&c);
    return rc;
}

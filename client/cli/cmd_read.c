/* ticsx fetch, verify, report, watch: reading what was shared with this organisation:
 * downloaded and proven in the hub's log, checked here, reported, or printed as the hub pushes
 * it. */
#include "cli.h"

#include "tx_error.h"
#include "tx_fetch.h"
#include "tx_i18n.h"
#include "tx_inbox.h"
#include "tx_key_rotate.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"
#include "tx_render.h"
#include "tx_report.h"
#include "tx_report_scope.h"
#include "tx_supply_tree.h"
#include "tx_util.h"
#include "tx_verify.h"
#include "tx_watch.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAY 86400

/* A count given to option `opt`: 1 to max. */
static int
parse_count(const char *opt, const char *s, long max, long *out)
{
    char *end;

    errno = 0;
    *out = strtol(s, &end, 10);
    if (errno != 0 || *end != 0 || *out < 1 || *out > max) {
        return tx_fail(TX_ERR_USAGE, "%s %s: give a number from 1 to %ld", opt, s, max);
    }
    return TX_OK;
}

int
tx_cmd_fetch(tx_cli *g, int argc, char **argv)
{
    tx_client *c = NULL;
    tx_fetched fe = {0};
    tx_key_adopted adopted;
    int rc;

    if ((rc = tx_cli_common_only(g, argc, argv, "fetch")) != TX_OK) {
        return rc;
    }
    if (argc - optind > 0) {
        return tx_fail(TX_ERR_USAGE, "fetch: unexpected argument %s", argv[argc - 1]);
    }
    if ((rc = tx_cli_open(g, &c)) == TX_OK && (rc = tx_fetch_all(c, &fe)) == TX_OK) {
        rc = tx_fetch_print(stdout, &fe, g->json, g->quiet);
    }
    if (rc == TX_OK && (rc = tx_key_adopt(c, &adopted)) == TX_OK && adopted.adopted) {
        fprintf(stderr,
                _("re-enrolled by the hub operator: this home now acts for %s (corporate number "
                  "%s); wrote its profile to %s (0600)\n"),
                adopted.name, adopted.corporate_number, adopted.path);
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

    if ((rc = tx_cli_common_only(g, argc, argv, "verify")) != TX_OK) {
        return rc;
    }
    if (argc - optind > 1) {
        return tx_fail(TX_ERR_USAGE, "verify: unexpected argument %s", argv[argc - 1]);
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
            const char *only, int ja)
{
    char tmp[PATH_MAX];
    int rc;

    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid()) >= (int)sizeof tmp) {
        return tx_fail(TX_ERR_USAGE, "path too long: %s", out);
    }
    rc = tx_render_report(NULL, tmp, vs, t, only, TX_REPORT_XLSX, ja);
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
                                         {"policy", required_argument, NULL, 'P'},
                                         {"questionnaire", required_argument, NULL, 'Q'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL, *only = NULL;
    char main_q[TX_QUESTIONNAIRE_ID_MAX + 1] = "";
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
            long v;
            rc = parse_count(opt == 'd' ? "--depth" : "--current-days", optarg,
                             opt == 'd' ? TX_TREE_MAX_DEPTH : 36500, &v);
            if (rc == TX_OK && opt == 'd') {
                depth = (unsigned)v;
            } else if (rc == TX_OK) {
                tree.current_days = (unsigned)v;
            }
        } else if (opt == 'f') {
            rc = tx_render_format(optarg, &format);
        } else if (opt == 'F') {
            force = 1;
        } else if (opt == 'P') {
            rc = tx_cli_policy_opt(optarg);
        } else if (opt == 'J') {
            format = TX_REPORT_JSON;
        } else if (opt == 'o') {
            out = optarg;
        } else if (opt == 'Q') {
            only = optarg;
            rc = tx_report_qid_check(only);
        } else {
            rc = tx_cli_common_opt(g, opt, "report");
        }
    }
    if (rc == TX_OK && optind < argc) {
        rc = tx_fail(TX_ERR_USAGE, "usage: ticsx report [--format table|json|csv|html|oscal|xlsx] "
                                   "[--out FILE [--force]] [--lang ja|en] [--depth N] "
                                   "[--current-days N] [--policy N|none] [--questionnaire ID]");
    }
    if (format == TX_REPORT_JSON) {
        tx_i18n_english(1); /* as --json: a document for programs */
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
    /* Each questionnaire in turn, or the main one when the organisation named it. */
    if (rc == TX_OK && (rc = tx_cli_open(g, &c)) == TX_OK && only == NULL &&
        (rc = tx_report_main_get(tx_client_home(c), main_q)) == TX_OK && main_q[0]) {
        only = main_q;
    }
    if (rc == TX_OK && (rc = tx_verify_all(tx_client_home(c), NULL, &vs)) == TX_OK &&
        (rc = tx_tree_roots(tx_client_home(c), &roots, &tree.n_roots, &req_depth)) == TX_OK &&
        (format == TX_REPORT_XLSX ||
         (rc = tx_cli_open_out(out, force, &f, tmp, sizeof tmp)) == TX_OK)) {
        /* Granted assessments left out as unproven make the report incomplete: exit 1. */
        g->definite_no = vs.unproven > 0;
        tree.roots = (const uint8_t(*)[TX_KEY_LEN])roots;
        tree.orgs = tx_orgs_from_cache(tx_client_home(c), &orgs) == TX_OK ? &orgs : NULL;
        tree.depth = depth ? depth : req_depth;
        if (format == TX_REPORT_XLSX) {
            rc = report_xlsx(out, force, &vs, &tree, only, g->ja);
        } else {
            rc = tx_render_report(f, NULL, &vs, &tree, only, format, g->ja);
            rc = tx_cli_commit_out(out, f, tmp, rc);
        }
    }
    free(roots);
    tx_orgs_free(&orgs);
    tx_verdicts_free(&vs);
    tx_client_destroy(&c);
    return rc;
}

static volatile sig_atomic_t watch_stop;

static void
on_stop(int sig)
{
    (void)sig;
    watch_stop = 1;
}

typedef struct {
    tx_cli *g;
} watch_ctx;

static void
watch_ready(void *ctx)
{
    const watch_ctx *w = ctx;

    if (!w->g->quiet && !w->g->json) {
        fputs(_("watching for requests, grants and revocations (ctrl-c stops)\n"), stderr);
    }
}

static int
watch_show(void *ctx, const tx_inbox_entry *e)
{
    const watch_ctx *w = ctx;
    int rc = tx_inbox_print_line(stdout, e, w->g->json, w->g->quiet);

    /* Each record as it comes, even into a pipe. */
    if (rc == TX_OK && fflush(stdout) != 0) {
        rc = tx_fail(TX_ERR_IO, "cannot write to standard output");
    }
    return rc;
}

static int
watch_news(void *ctx, const tx_watch_news *n)
{
    const watch_ctx *w = ctx;
    int rc = tx_watch_news_print(stdout, n, w->g->json, w->g->quiet);

    if (rc == TX_OK && fflush(stdout) != 0) {
        rc = tx_fail(TX_ERR_IO, "cannot write to standard output");
    }
    return rc;
}

int
tx_cmd_watch(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"count", required_argument, NULL, 'n'},
                                         {"for", required_argument, NULL, 'f'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    tx_watch_opts o = {0};
    watch_ctx ctx = {g};
    struct sigaction sa, old_int, old_term;
    tx_client *c = NULL;
    long v;
    int opt, rc = TX_OK;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'n') {
            rc = parse_count("--count", optarg, 1000000, &v);
            o.count = (size_t)v;
        } else if (opt == 'f') {
            rc = parse_count("--for", optarg, 31 * DAY, &v);
            o.seconds = (int)v;
        } else {
            rc = tx_cli_common_opt(g, opt, "watch");
        }
    }
    if (rc == TX_OK && optind < argc) {
        rc = tx_fail(TX_ERR_USAGE, "usage: ticsx watch [--count N] [--for SECONDS]");
    }
    if (rc != TX_OK) {
        return rc;
    }
    watch_stop = 0;
    o.stop = &watch_stop;
    o.ready = watch_ready;
    o.news = watch_news;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    if ((rc = tx_cli_open(g, &c)) == TX_OK) {
        rc = tx_watch_run(c, &o, watch_show, &ctx, NULL);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    tx_client_destroy(&c);
    return rc;
}

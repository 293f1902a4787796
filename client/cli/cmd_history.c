/* ticsx history [ASSESSMENT|ORG]: who requested, answered, superseded, granted, revoked and
 * certified what, when, at which log index, from the proven records in the home's cache
 * (--fetch refreshes it first). Table, JSON or CSV. */
#include "cli.h"

#include "tx_error.h"
#include "tx_fetch.h"
#include "tx_history.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_render.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
history_format(const char *name, int *format)
{
    int rc = tx_render_format(name, format);

    if (rc == TX_OK && *format != TX_REPORT_TABLE && *format != TX_REPORT_JSON &&
        *format != TX_REPORT_CSV) {
        rc = tx_fail(TX_ERR_USAGE, "--format %s: the history is written as table, json or csv",
                     name);
    }
    return rc;
}

static int
history_write(FILE *f, const tx_history *h, int format)
{
    json_t *doc;
    int rc = TX_OK;

    if (format == TX_REPORT_TABLE) {
        tx_history_print_table(f, h);
    } else if (format == TX_REPORT_CSV) {
        tx_history_print_csv(f, h);
    } else if ((doc = tx_history_json(h)) == NULL) {
        rc = TX_ERR_NOMEM;
    } else {
        rc = json_dumpf(doc, f, JSON_INDENT(2)) == 0 && fputc('\n', f) != EOF
                 ? TX_OK
                 : tx_fail(TX_ERR_IO, "could not write the history");
        json_decref(doc);
    }
    return rc;
}

static int
history_fetch(tx_client *c)
{
    tx_fetched fe = {0};
    int rc = tx_fetch_all(c, &fe);

    tx_fetched_free(&fe);
    return rc;
}

int
tx_cmd_history(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"force", no_argument, NULL, 'F'},
                                         {"fetch", no_argument, NULL, 'R'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    int opt, rc = TX_OK, format = g->json ? TX_REPORT_JSON : TX_REPORT_TABLE, force = 0;
    int fetch = 0;
    const char *out = NULL, *what = NULL;
    tx_client *c = NULL;
    tx_history h = {0};
    char tmp[PATH_MAX];
    FILE *f = NULL;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'f') {
            rc = history_format(optarg, &format);
        } else if (opt == 'o') {
            out = optarg;
        } else if (opt == 'F') {
            force = 1;
        } else if (opt == 'R') {
            fetch = 1;
        } else if (opt == 'J') {
            format = TX_REPORT_JSON;
        } else {
            rc = tx_cli_common_opt(g, opt, "history");
        }
    }
    if (rc == TX_OK && optind < argc) {
        what = argv[optind++];
    }
    if (rc == TX_OK && optind < argc) {
        rc = tx_fail(TX_ERR_USAGE, "usage: ticsx history [ASSESSMENT|ORG] [--format "
                                   "table|json|csv] [--out FILE [--force]] [--fetch]");
    }
    if (format == TX_REPORT_JSON) {
        tx_i18n_english(1); /* a document for programs */
    }
    if (rc == TX_OK && out != NULL && strcmp(out, "-") != 0 && !force && access(out, F_OK) == 0) {
        rc = tx_fail(TX_ERR_EXISTS, "%s exists: remove it, choose another --out or add --force",
                     out);
    }
    if (rc == TX_OK && (rc = tx_cli_open(g, &c)) == TX_OK &&
        (!fetch || (rc = history_fetch(c)) == TX_OK) &&
        (rc = tx_history_load(tx_client_home(c), what, &h)) == TX_OK &&
        (rc = tx_cli_open_out(out, force, &f, tmp, sizeof tmp)) == TX_OK) {
        rc = tx_cli_commit_out(out, f, tmp, history_write(f, &h, format));
        if (h.unproven > 0) {
            fprintf(stderr,
                    _("records left out, not proven in the hub's log: %zu (ticsx fetch proves "
                      "what it gets)\n"),
                    h.unproven);
        }
    }
    tx_history_free(&h);
    tx_client_destroy(&c);
    return rc;
}

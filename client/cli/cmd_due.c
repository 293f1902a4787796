/* ticsx due: what this organisation must do and by when, from the home's cache (--fetch
 * refreshes it from the hub first). Exit 1 when something is overdue. */
#include "cli.h"

#include "tx_due.h"
#include "tx_error.h"
#include "tx_msg.h"

#include <getopt.h>
#include <stdio.h>

int
tx_cmd_due(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"within", required_argument, NULL, 'w'},
                                         {"fetch", no_argument, NULL, 'f'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    int within = TX_DUE_DEFAULT_DAYS, fetch = 0, opt, rc = TX_OK;
    tx_client *c = NULL;
    tx_due d = {0};

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'w') {
            rc = tx_due_parse_within("--within", optarg, &within);
        } else if (opt == 'f') {
            fetch = 1;
        } else {
            rc = tx_cli_common_opt(g, opt, "due");
        }
    }
    if (rc == TX_OK && optind < argc) {
        rc = tx_fail(TX_ERR_USAGE, "usage: ticsx due [--within DAYS] [--fetch] [--json]");
    }
    if (rc == TX_OK && (rc = tx_cli_open(g, &c)) == TX_OK &&
        (!fetch || (rc = tx_due_fetch(c)) == TX_OK) &&
        (rc = tx_due_load(c, 0, within, &d)) == TX_OK) {
        rc = tx_due_print(stdout, &d, g->json, g->quiet);
        g->definite_no = d.overdue > 0;
    }
    tx_due_free(&d);
    tx_client_destroy(&c);
    return rc;
}

/* ticsx requests: this organisation's own requests from the cache with their progress per
 * supplier (answered, open, overdue), as a table or --json; the UI's request list is the same
 * library read (tx_progress.h). */
#include "cli.h"

#include "tx_error.h"
#include "tx_msg.h"
#include "tx_progress.h"
#include "tx_verify.h"

#include <getopt.h>
#include <stdio.h>

int
tx_cmd_requests(tx_cli *g, int argc, char **argv)
{
    tx_client *c = NULL;
    tx_verdicts vs = {0};
    tx_orgs orgs = {0};
    tx_progress p = {0};
    int rc;

    if ((rc = tx_cli_common_only(g, argc, argv, "requests")) != TX_OK) {
        return rc;
    }
    if (argc - optind > 0) {
        return tx_fail(TX_ERR_USAGE, "requests: unexpected argument %s", argv[argc - 1]);
    }
    if ((rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = tx_verify_all(tx_client_home(c), NULL, &vs)) == TX_OK) {
        if (tx_orgs_from_cache(tx_client_home(c), &orgs) != TX_OK) {
            tx_fail_clear();
        }
        if ((rc = tx_progress_load(tx_client_home(c), &vs, 0, &p)) == TX_OK) {
            rc = tx_progress_print(stdout, &p, &orgs, g->json);
        }
    }
    tx_progress_free(&p);
    tx_orgs_free(&orgs);
    tx_verdicts_free(&vs);
    tx_client_destroy(&c);
    return rc;
}

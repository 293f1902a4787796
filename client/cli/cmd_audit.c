/* ticsx audit-log: checks the hub's whole log as far as this organisation may see it. */
#include "cli.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_log_audit.h"
#include "tx_msg.h"

#include <getopt.h>
#include <stdio.h>

int
tx_cmd_audit_log(tx_cli *g, int argc, char **argv)
{
    tx_log_audit_result res;
    tx_client *c = NULL;
    int rc;

    if ((rc = tx_cli_common_only(g, argc, argv, "audit-log")) != TX_OK) {
        return rc;
    }
    if (optind < argc) {
        return tx_fail(TX_ERR_USAGE, "audit-log: unexpected argument %s", argv[optind]);
    }
    if ((rc = tx_cli_open(g, &c)) == TX_OK && (rc = tx_log_audit(c, &res)) == TX_OK) {
        rc = tx_log_audit_print(stdout, &res, g->json);
        if (rc == TX_OK && (res.mismatch > 0 || !res.root_ok)) {
            rc = tx_fail(TX_ERR_CHECKSUM, "audit failed: %s (mismatches: %llu)", res.first,
                         (unsigned long long)res.mismatch);
        }
    }
    tx_client_destroy(&c);
    return rc;
}

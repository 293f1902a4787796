/* ticsx key rotate: the organisation's key names its successor and the home moves to it. */
#include "cli.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_key_rotate.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    N_("usage: ticsx key rotate\n"
       "rotate: in the organisation's home, makes a new signing key and transport key (the seal\n"
       "key stays), signs with the current key a successor record naming them from now, proven\n"
       "by the new key, and sends it to the hub; the home then signs and connects with the new\n"
       "key and keeps the old one in retired/ (0600). The organisation stays the same for\n"
       "buyers, pins, grants and members: they follow the successor. The hub refuses the old\n"
       "key from now on. A member changes keys by making a new home (ticsx keygen --member-of)\n"
       "and being added again (ticsx member add), then removed under the old key.\n");

static int
print_rotated(const tx_cli *g, const tx_key_rotated *r)
{
    char org[TX_FP_LEN], old[TX_FP_LEN], next[TX_FP_LEN], hex[2 * TX_ID_LEN + 1], d[16];

    tx_fingerprint(r->org, org);
    tx_fingerprint(r->old, old);
    tx_fingerprint(r->next, next);
    tx_hex(hex, r->record, TX_ID_LEN);
    tx_format_date(d, sizeof d, r->effective);
    if (g->json) {
        return tx_cli_print_json(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", hex, "organisation",
                                           org, "old", old, "new", next, "effective", d, "retired",
                                           r->retired));
    }
    printf("%s\n", hex);
    if (!g->quiet) {
        printf(_("organisation %s: key %s replaced by %s from %s\n"), org, old, next, d);
        printf(_("the old key is kept in %s\n"), r->retired);
    }
    return TX_OK;
}

int
tx_cmd_key(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {TX_CLI_COMMON_OPTS, {NULL, 0, NULL, 0}};
    tx_client *c = NULL;
    tx_key_rotated r;
    int opt, rc = TX_OK, help = 0;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'h') {
            help = 1;
        } else {
            rc = tx_cli_common_opt(g, opt, "key");
        }
    }
    if (rc != TX_OK) {
        return rc;
    }
    if (help) {
        tx_i18n_english(0); /* help is for people, even beside --json */
        fputs(_(usage), stdout);
        return TX_OK;
    }
    if (argc - optind != 1 || strcmp(argv[optind], "rotate") != 0) {
        return tx_fail(TX_ERR_USAGE, "usage: ticsx key rotate");
    }
    if ((rc = tx_cli_open(g, &c)) != TX_OK) {
        return rc;
    }
    memset(&r, 0, sizeof r);
    if ((rc = tx_key_rotate(c, &r)) == TX_OK) {
        rc = print_rotated(g, &r);
    }
    tx_client_destroy(&c);
    return rc;
}

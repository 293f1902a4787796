/* ticsx request, inbox: a buyer asks suppliers, and what was sent to this organisation is
 * listed. */
#include "cli.h"

#include "tx_campaign.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_inbox.h"
#include "tx_msg.h"
#include "tx_request.h"
#include "tx_util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
tx_cmd_request(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"questionnaire", required_argument, NULL, 'Q'},
                                         {"to", required_argument, NULL, 'T'},
                                         {"due", required_argument, NULL, 'D'},
                                         {"depth", required_argument, NULL, 'd'},
                                         {"note", required_argument, NULL, 'N'},
                                         {"every", required_argument, NULL, 'E'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    tx_request_args a = {0};
    tx_request_result res;
    tx_period every = {0};
    unsigned campaign = 0;
    const char **to = calloc(TX_CLI_MAX_TO, sizeof *to);
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
            rc = tx_cli_split_names(optarg, to, &a.n_to, TX_CLI_MAX_TO, _("suppliers per request"));
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
        case 'E':
            rc = tx_period_parse(optarg, &every);
            break;
        default:
            rc = tx_cli_common_opt(g, opt, "request");
        }
    }
    if (rc == TX_OK && (a.questionnaire == NULL || a.n_to == 0 || optind < argc)) {
        rc = tx_fail(TX_ERR_USAGE, "usage: ticsx request --questionnaire ID --to ORG[,ORG...] "
                                   "[--due DATE] [--depth N] [--note TEXT] [--every PERIOD]");
    }
    if (rc == TX_OK && (rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = tx_request_send(c, &a, &res)) == TX_OK) {
        /* The request is sent: a campaign that cannot be stored is said, the request stands. */
        if (every.n != 0 &&
            (rc = tx_campaign_start(c, &a, &every, a.due, res.id, tx_now(), &campaign)) != TX_OK) {
            char why[512];
            snprintf(why, sizeof why, "%s", tx_fail_msg());
            rc = tx_fail(rc, "the request was sent, but no campaign was started: %s", why);
        }
        tx_hex(hex, res.id, TX_ID_LEN);
        tx_hex(qhex, res.questionnaire, TX_ID_LEN);
        if (g->json) {
            json_t *j =
                json_pack("{s:s,s:s,s:b,s:I,s:o}", "request", hex, "questionnaire", qhex,
                          "published", res.published, "suppliers", (json_int_t)res.n_suppliers,
                          "campaign", campaign ? json_integer(campaign) : json_null());
            tx_cli_print_json(j);
        } else {
            printf("%s\n", hex);
            if (!g->quiet) {
                fprintf(stderr,
                        res.published
                            ? ngettext("request sent to %zu supplier; questionnaire %.12s "
                                       "published now\n",
                                       "request sent to %zu suppliers; questionnaire %.12s "
                                       "published now\n",
                                       res.n_suppliers)
                            : ngettext("request sent to %zu supplier; questionnaire %.12s "
                                       "already on the hub\n",
                                       "request sent to %zu suppliers; questionnaire %.12s "
                                       "already on the hub\n",
                                       res.n_suppliers),
                        res.n_suppliers, qhex);
                if (campaign != 0) {
                    fprintf(stderr,
                            _("campaign %u started: ticsx campaign run sends the next one "
                              "when due\n"),
                            campaign);
                }
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

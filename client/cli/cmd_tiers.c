/* ticsx forward, and what answer does about tiers: the hint to forward a request that asks for
 * more than one tier, and --also-grant-origin for a forwarded one. */
#include "cli.h"

#include "tx_error.h"
#include "tx_forward.h"
#include "tx_grant.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TO 1000

int
tx_cmd_forward(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"to", required_argument, NULL, 'T'}, TX_CLI_COMMON_OPTS, {NULL, 0, NULL, 0}};
    const char **to = calloc(MAX_TO, sizeof *to);
    tx_forward_args a = {0};
    tx_forward_result res;
    tx_client *c = NULL;
    char id[2 * TX_ID_LEN + 1], orig[2 * TX_ID_LEN + 1], fp[TX_FP_LEN];
    int opt, rc = to != NULL ? TX_OK : TX_ERR_NOMEM;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'T') {
            rc = tx_cli_split_names(optarg, to, &a.n_to, MAX_TO, "suppliers per request");
        } else {
            rc = tx_cli_common_opt(g, opt, "forward");
        }
    }
    if (rc == TX_OK && optind + 1 != argc) {
        rc = tx_fail(TX_ERR_USAGE, "usage: ticsx forward REQUEST [--to ORG[,ORG...]]");
    }
    if (rc == TX_OK) {
        a.request = argv[optind];
        a.to = to;
    }
    if (rc == TX_OK && (rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = tx_forward_send(c, &a, &res)) == TX_OK) {
        tx_hex(id, res.id, TX_ID_LEN);
        tx_hex(orig, res.original, TX_ID_LEN);
        tx_fingerprint(res.origin, fp);
        if (g->json) {
            json_t *j = json_pack("{s:s,s:s,s:s,s:I,s:I}", "request", id, "on_behalf_of", orig,
                                  "origin_buyer", fp, "depth", (json_int_t)res.depth, "suppliers",
                                  (json_int_t)res.n_suppliers);
            json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            fputc('\n', stdout);
            json_decref(j);
        } else {
            printf("%s\n", id);
            if (!g->quiet) {
                fprintf(stderr,
                        "forwarded to %zu supplier%s on behalf of %s (request %.12s), %u tier%s\n",
                        res.n_suppliers, res.n_suppliers == 1 ? "" : "s", fp, orig, res.depth,
                        res.depth == 1 ? "" : "s");
            }
        }
    }
    tx_client_destroy(&c);
    free(to);
    return rc;
}

int
tx_cli_answer_tiers(tx_cli *g, tx_client *c, const tx_answer_result *res, int also_grant_origin,
                    json_t *j)
{
    char rq[2 * TX_ID_LEN + 1], as[2 * TX_ID_LEN + 1], fp[TX_FP_LEN];
    tx_grant_result gr = {0};
    int rc = TX_OK, granted = 0;

    tx_hex(rq, res->request, TX_ID_LEN);
    tx_hex(as, res->assessment, TX_ID_LEN);
    tx_fingerprint(res->origin, fp);
    if (also_grant_origin && !res->forwarded) {
        return tx_fail(TX_ERR_USAGE,
                       "--also-grant-origin: request %.12s was not forwarded on "
                       "anyone's behalf (it was granted to its requester)",
                       rq);
    }
    if (also_grant_origin) {
        const char *to[1] = {fp};
        tx_grant_args ga = {.assessment = as, .to = to, .n_to = 1, .until = 0};
        if ((rc = tx_grant_submit(c, &ga, &gr)) != TX_OK) {
            tx_grant_result_free(&gr);
            return rc;
        }
        granted = 1;
        tx_grant_result_free(&gr);
    }
    if (j != NULL) {
        json_object_set_new(j, "depth", json_integer(res->depth));
        json_object_set_new(j, "origin_buyer", res->forwarded ? json_string(fp) : json_null());
        json_object_set_new(j, "origin_granted", json_boolean(granted));
        return TX_OK;
    }
    if (g->quiet) {
        return TX_OK;
    }
    if (res->forwarded && granted) {
        fprintf(stderr, "also granted to the original buyer %s\n", fp);
    } else if (res->forwarded) {
        fprintf(stderr,
                "forwarded on behalf of %s: it sees this assessment only if you share it "
                "(ticsx grant %.12s --to %s, or answer --also-grant-origin)\n",
                fp, as, fp);
    }
    if (res->depth > 1) {
        fprintf(stderr,
                "the request asks for %u tiers: forward it to your suppliers with "
                "ticsx forward %.12s\n",
                res->depth, rq);
    }
    return TX_OK;
}

/* ticsx grant, revoke, forward: sharing an assessment with more buyers, withdrawing it, and
 * passing a request that asks for more tiers on to this organisation's suppliers. */
#include "cli.h"

#include "tx_error.h"
#include "tx_forward.h"
#include "tx_grant.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

int
tx_cmd_grant(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"to", required_argument, NULL, 'T'},
                                         {"until", required_argument, NULL, 'U'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    const char **to = calloc(TX_CLI_MAX_TO, sizeof *to);
    tx_grant_args a = {0};
    tx_grant_result res = {0};
    tx_client *c = NULL;
    char hex[2 * TX_ID_LEN + 1], d[16];
    int opt, rc = TX_OK;

    if (to == NULL) {
        return TX_ERR_NOMEM;
    }
    a.to = to;
    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'T') {
            rc = tx_cli_split_names(optarg, to, &a.n_to, TX_CLI_MAX_TO, _("buyers at once"));
        } else if (opt == 'U') {
            /* Through the end of that day (UTC). */
            if (tx_parse_time(optarg, &a.until) != TX_OK) {
                rc = tx_fail(TX_ERR_USAGE, "--until %s: give a date as YYYY-MM-DD", optarg);
            }
            a.until += DAY - 1;
        } else {
            rc = tx_cli_common_opt(g, opt, "grant");
        }
    }
    if (rc == TX_OK && (a.n_to == 0 || optind + 1 != argc)) {
        rc = tx_fail(TX_ERR_USAGE, "usage: ticsx grant ASSESSMENT --to BUYER[,BUYER...] "
                                   "[--until DATE]");
    }
    if (rc == TX_OK) {
        a.assessment = argv[optind];
    }
    if (rc == TX_OK && (rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = tx_grant_submit(c, &a, &res)) == TX_OK) {
        tx_hex(hex, res.assessment, TX_ID_LEN);
        if (g->json) {
            tx_cli_print_json(tx_grant_result_json(&res, "grants", a.until));
        } else {
            for (size_t i = 0; i < res.n; i++) {
                char rec[2 * TX_ID_LEN + 1];
                tx_hex(rec, res.v[i].record, TX_ID_LEN);
                printf("%s\n", rec);
                if (!g->quiet) {
                    fprintf(stderr, _("assessment %.12s granted to %s (%s)"), hex,
                            res.v[i].name[0] ? res.v[i].name : "?", res.v[i].fingerprint);
                    if (a.until != 0) {
                        tx_format_date(d, sizeof d, a.until);
                        fprintf(stderr, _(" until %s"), d);
                    }
                    fputc('\n', stderr);
                }
            }
        }
        for (size_t i = 0; i < res.n; i++) {
            tx_cli_note_waiting(g, c, &res.v[i].record, 1);
        }
    }
    tx_grant_result_free(&res);
    tx_client_destroy(&c);
    free(to);
    return rc;
}

/* Each revocation's record id on stdout; on stderr, each version it was revoked from. */
static void
print_revoked(const tx_cli *g, const tx_grant_result *res)
{
    char hex[2 * TX_ID_LEN + 1], rec[2 * TX_ID_LEN + 1];

    for (size_t i = 0; i < res->n; i++) {
        tx_hex(rec, res->v[i].record, TX_ID_LEN);
        printf("%s\n", rec);
        if (!g->quiet) {
            tx_hex(hex, res->v[i].assessment, TX_ID_LEN);
            fprintf(stderr, _("assessment %.12s revoked from %s (%s)\n"), hex,
                    res->v[i].name[0] ? res->v[i].name : "?", res->v[i].fingerprint);
        }
    }
    if (!g->quiet && res->n > 0) {
        fputs(_("the hub no longer serves these versions to them, nor their evidence, and their "
                "verify reports the revocation; a version granted to them again later is readable "
                "again\n"),
              stderr);
    }
}

int
tx_cmd_revoke(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"from", required_argument, NULL, 'F'}, TX_CLI_COMMON_OPTS, {NULL, 0, NULL, 0}};
    const char *from = NULL;
    tx_grant_result res = {0};
    tx_client *c = NULL;
    int opt, rc = TX_OK;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'F') {
            from = optarg;
        } else {
            rc = tx_cli_common_opt(g, opt, "revoke");
        }
    }
    if (rc == TX_OK && (from == NULL || optind + 1 != argc)) {
        rc = tx_fail(TX_ERR_USAGE, "usage: ticsx revoke ASSESSMENT --from BUYER");
    }
    if (rc == TX_OK && (rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = tx_revoke_submit(c, argv[optind], from, &res)) == TX_OK) {
        if (g->json) {
            tx_cli_print_json(tx_grant_result_json(&res, "revocations", 0));
        } else {
            print_revoked(g, &res);
        }
    }
    tx_grant_result_free(&res);
    tx_client_destroy(&c);
    return rc;
}

/* The new request's id on stdout; on stderr, whom it asks and who was asked before. */
static void
print_forwarded(const tx_cli *g, const tx_forward_result *res)
{
    char id[2 * TX_ID_LEN + 1], orig[2 * TX_ID_LEN + 1], fp[TX_FP_LEN], prev[2 * TX_ID_LEN + 1];

    tx_hex(id, res->id, TX_ID_LEN);
    tx_hex(orig, res->original, TX_ID_LEN);
    tx_fingerprint(res->origin, fp);
    if (res->sent) {
        printf("%s\n", id);
    }
    if (g->quiet) {
        return;
    }
    for (size_t i = 0; i < res->n_skipped; i++) {
        tx_hex(prev, res->skipped[i].request, TX_ID_LEN);
        fprintf(stderr, _("not asked again: %s (%s), asked by request %.12s\n"),
                res->skipped[i].name[0] ? res->skipped[i].name : "?", res->skipped[i].fingerprint,
                prev);
    }
    if (!res->sent) {
        fprintf(stderr,
                _("nothing forwarded: every supplier was already asked on behalf of %s (request "
                  "%.12s)\n"),
                fp, orig);
        return;
    }
    /* TRANSLATORS: the count of suppliers decides the form; the tiers follow. */
    fprintf(stderr,
            ngettext("forwarded to %zu supplier on behalf of %s (request %.12s), tiers: %u\n",
                     "forwarded to %zu suppliers on behalf of %s (request %.12s), tiers: %u\n",
                     res->n_suppliers),
            res->n_suppliers, fp, orig, res->depth);
}

int
tx_cmd_forward(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"to", required_argument, NULL, 'T'}, TX_CLI_COMMON_OPTS, {NULL, 0, NULL, 0}};
    const char **to = calloc(TX_CLI_MAX_TO, sizeof *to);
    tx_forward_args a = {0};
    tx_forward_result res = {0};
    tx_client *c = NULL;
    int opt, rc = to != NULL ? TX_OK : TX_ERR_NOMEM;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'T') {
            rc = tx_cli_split_names(optarg, to, &a.n_to, TX_CLI_MAX_TO, _("suppliers per request"));
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
        if (g->json) {
            tx_cli_print_json(tx_forward_result_json(&res));
        } else {
            print_forwarded(g, &res);
        }
    }
    tx_forward_result_free(&res);
    tx_client_destroy(&c);
    free(to);
    return rc;
}

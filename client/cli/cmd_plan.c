/* ticsx plan list|done: a supplier's own remediation plans (tx_plan_own.h). */
#include "cli.h"

#include "tx_error.h"
#include "tx_evidence.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_plan_own.h"
#include "tx_util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *const usage_plan =
    N_("usage: ticsx plan list [--all] [--json] | plan done ASSESSMENT ITEM [--date DATE] "
       "[--evidence FILE]...");

static int
plan_list(tx_cli *g, int all)
{
    tx_client *c = NULL;
    json_t *j = NULL, *p;
    size_t i;
    int rc;

    if ((rc = tx_cli_open(g, &c)) != TX_OK || (rc = tx_plan_list_own(c, all, &j)) != TX_OK) {
        tx_client_destroy(&c);
        return rc;
    }
    tx_client_destroy(&c);
    if (g->json) {
        return tx_cli_print_json(j);
    }
    if (!g->quiet) {
        /* TRANSLATORS: column headers over 12, 10, 10, 10 display columns, one space between,
         * then the plan's action. */
        fputs(_("ASSESSMENT   ITEM       DUE        STATE      ACTION\n"), stdout);
    }
    json_array_foreach(json_object_get(j, "plans"), i, p)
    {
        printf("%.12s %-10s %-10s %-10s %s\n", json_string_value(json_object_get(p, "assessment")),
               json_string_value(json_object_get(p, "item")),
               json_string_value(json_object_get(p, "due")),
               json_string_value(json_object_get(p, "state")),
               json_string_value(json_object_get(p, "action")));
    }
    json_decref(j);
    return TX_OK;
}

static int
plan_done(tx_cli *g, tx_plan_done_args *a)
{
    tx_answer_result res;
    tx_client *c = NULL;
    char hex[2 * TX_ID_LEN + 1], old[2 * TX_ID_LEN + 1];
    int rc;

    if ((rc = tx_cli_open(g, &c)) == TX_OK && (rc = tx_plan_done(c, a, &res)) == TX_OK) {
        tx_hex(hex, res.assessment, TX_ID_LEN);
        tx_hex(old, res.superseded, TX_ID_LEN);
        if (g->json) {
            json_t *j = tx_answer_result_json(&res);
            json_object_set_new(j, "item", json_string(a->item));
            rc = tx_cli_print_json(j);
        } else {
            printf("%s\n", hex);
            if (!g->quiet) {
                fprintf(stderr,
                        _("remediation plan of item %s marked done: assessment %.12s supersedes "
                          "%.12s, granted to its %zu other holders\n"),
                        a->item, hex, old, res.n_regranted);
            }
        }
    }
    tx_client_destroy(&c);
    return rc;
}

int
tx_cmd_plan(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"all", no_argument, NULL, 'A'},
                                         {"date", required_argument, NULL, 'd'},
                                         {"evidence", required_argument, NULL, 'E'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    tx_attachment files[TX_EVIDENCE_MAX_CHUNKS];
    tx_plan_done_args a = {0};
    const char *sub;
    int opt, rc = TX_OK, all = 0;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (opt) {
        case 'A':
            all = 1;
            break;
        case 'd':
            rc = tx_cli_parse_date("--date", optarg, &a.done);
            break;
        case 'E':
            if (a.n_attachments == TX_ARRAY_LEN(files)) {
                rc = tx_fail(TX_ERR_USAGE, "--evidence: at most %zu files", TX_ARRAY_LEN(files));
                break;
            }
            files[a.n_attachments++] = (tx_attachment){.path = optarg};
            a.attachments = files;
            break;
        default:
            rc = tx_cli_common_opt(g, opt, "plan");
        }
    }
    if (rc != TX_OK) {
        return rc;
    }
    sub = optind < argc ? argv[optind] : "";
    if (strcmp(sub, "list") == 0 && optind + 1 == argc && a.done == 0 && a.n_attachments == 0) {
        return plan_list(g, all);
    }
    if (strcmp(sub, "done") == 0 && optind + 3 == argc && !all) {
        a.assessment = argv[optind + 1];
        a.item = argv[optind + 2];
        return plan_done(g, &a);
    }
    return tx_fail(TX_ERR_USAGE, "%s", _(usage_plan));
}

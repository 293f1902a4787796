/* ticsx assessments: this organisation's own assessments on the hub, newest first, with who
 * holds each now and what supersedes it; the listing the web UI's assessments page shows. */
#include "cli.h"

#include "tx_error.h"
#include "tx_grant.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

static const char *
date_or_dash(char *buf, size_t n, int known, int64_t t)
{
    if (!known || t == 0) {
        return "-";
    }
    tx_format_date(buf, n, t);
    return buf;
}

int
tx_cmd_assessments(tx_cli *g, int argc, char **argv)
{
    tx_own_list l = {0};
    tx_client *c = NULL;
    int rc;

    if ((rc = tx_cli_common_only(g, argc, argv, "assessments")) != TX_OK) {
        return rc;
    }
    if (optind != argc) {
        return tx_fail(TX_ERR_USAGE, "usage: ticsx assessments [--json]");
    }
    if ((rc = tx_cli_open(g, &c)) != TX_OK || (rc = tx_grant_list_own(c, &l)) != TX_OK) {
        goto out;
    }
    if (g->json) {
        rc = tx_cli_print_json(tx_own_list_json(&l));
        goto out;
    }
    if (!g->quiet) {
        /* TRANSLATORS: column headers over 12, 24, 10, 11 and 7 display columns, one space
         * between. */
        fputs(_("ASSESSMENT   QUESTIONNAIRE            AS-OF      VALID-UNTIL HOLDERS "
                "SUPERSEDED-BY\n"),
              stdout);
    }
    for (size_t i = 0; i < l.n; i++) {
        const tx_own_assessment *e = &l.v[i];
        char hex[2 * TX_ID_LEN + 1], by[2 * TX_ID_LEN + 1], q[96], d1[16], d2[16];
        json_t *qid = json_object_get(e->q, "id");

        tx_hex(hex, e->id, TX_ID_LEN);
        if (g->quiet) {
            printf("%s\n", hex);
            continue;
        }
        tx_hex(by, e->superseded_by, TX_ID_LEN);
        if (json_is_string(qid)) {
            snprintf(q, sizeof q, "%.80s v%lld", json_string_value(qid),
                     (long long)json_integer_value(json_object_get(e->q, "version")));
        } else {
            tx_hex(q, e->questionnaire, 6);
        }
        printf("%.12s %-24s %-10s %-11s %-7zu %.12s\n", hex, q,
               date_or_dash(d1, sizeof d1, e->opened, e->as_of),
               date_or_dash(d2, sizeof d2, e->opened, e->valid_until), e->n_holders,
               e->superseded ? by : "-");
        for (size_t k = 0; k < e->n_holders; k++) {
            printf(_("  held by %s (%s)\n"), e->holders[k].name[0] ? e->holders[k].name : "?",
                   e->holders[k].fingerprint);
        }
    }
out:
    tx_own_list_free(&l);
    tx_client_destroy(&c);
    return rc;
}

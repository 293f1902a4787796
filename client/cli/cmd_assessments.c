/* ticsx assessments: this organisation's own assessments on the hub grouped by version line
 * (newest first), with where each is shared (held now, revoked, ended) and what supersedes it;
 * the listing the web UI's assessments page shows. */
#include "cli.h"

#include "tx_error.h"
#include "tx_grant.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *
date_or_dash(char *buf, size_t n, int known, int64_t t)
{
    if (!known || t == 0) {
        return "-";
    }
    tx_format_date(buf, n, t);
    return buf;
}

/* Where one version is shared, one line per buyer: held now (since, until), revoked (on), or
 * ended (on). */
static void
print_shares(const tx_own_assessment *e)
{
    char d1[16], d2[16];

    for (size_t k = 0; k < e->n_holders; k++) {
        const tx_own_holder *h = &e->holders[k];
        const char *name = h->name[0] ? h->name : "?";

        tx_format_date(d1, sizeof d1, h->granted);
        if (h->state == TX_SHARE_REVOKED) {
            tx_format_date(d2, sizeof d2, h->revoked);
            printf(_("  revoked from %s (%s) on %s (granted %s)\n"), name, h->fingerprint, d2, d1);
        } else if (h->state == TX_SHARE_ENDED) {
            tx_format_date(d2, sizeof d2, h->until);
            printf(_("  share with %s (%s) ended on %s (granted %s)\n"), name, h->fingerprint, d2,
                   d1);
        } else if (h->until != 0) {
            tx_format_date(d2, sizeof d2, h->until);
            printf(_("  held by %s (%s) since %s, until %s\n"), name, h->fingerprint, d1, d2);
        } else {
            printf(_("  held by %s (%s) since %s\n"), name, h->fingerprint, d1);
        }
    }
}

static void
print_one(const tx_own_assessment *e)
{
    char hex[2 * TX_ID_LEN + 1], by[2 * TX_ID_LEN + 1], q[96], d1[16], d2[16];
    json_t *qid = json_object_get(e->q, "id");

    tx_hex(hex, e->id, TX_ID_LEN);
    tx_hex(by, e->superseded_by, TX_ID_LEN);
    if (json_is_string(qid)) {
        snprintf(q, sizeof q, "%.80s v%lld", json_string_value(qid),
                 (long long)json_integer_value(json_object_get(e->q, "version")));
    } else {
        tx_hex(q, e->questionnaire, 6);
    }
    printf("%.12s %-24s %-10s %-11s %-7zu %.12s\n", hex, q,
           date_or_dash(d1, sizeof d1, e->opened, e->as_of),
           date_or_dash(d2, sizeof d2, e->opened, e->valid_until), e->n_current,
           e->superseded ? by : "-");
    print_shares(e);
}

/* The list grouped by version line: each line's versions newest first, a blank line between
 * lines (l is newest first, so a line starts at its newest version). */
static void
print_lines(const tx_own_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (!tx_own_line_starts(l, i)) {
            continue;
        }
        if (i > 0) {
            putchar('\n');
        }
        for (size_t j = i; j < l->n; j++) {
            if (memcmp(l->v[j].line, l->v[i].line, TX_ID_LEN) == 0) {
                print_one(&l->v[j]);
            }
        }
    }
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
    } else if (g->quiet) {
        for (size_t i = 0; i < l.n; i++) {
            char hex[2 * TX_ID_LEN + 1];
            tx_hex(hex, l.v[i].id, TX_ID_LEN);
            printf("%s\n", hex);
        }
    } else {
        /* TRANSLATORS: column headers over 12, 24, 10, 11 and 7 display columns, one space
         * between. */
        fputs(_("ASSESSMENT   QUESTIONNAIRE            AS-OF      VALID-UNTIL HOLDERS "
                "SUPERSEDED-BY\n"),
              stdout);
        print_lines(&l);
    }
out:
    tx_own_list_free(&l);
    tx_client_destroy(&c);
    return rc;
}

/* ticsx grants [pending] | approve ID | reject ID | settings [--two-officers on|off]: two
 * officers for grants to new buyers (see tx_grant_approve.h). */
#include "cli.h"

#include "tx_error.h"
#include "tx_grant_approve.h"
#include "tx_two_officers.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void
print_setting(int on)
{
    printf("%s\n", tx_two_officers_label(on));
}

static void
print_waiting(const tx_cli *g, const tx_waiting_list *l)
{
    char id[2 * TX_ID_LEN + 1], aid[2 * TX_ID_LEN + 1], date[16];

    if (g->json) {
        tx_cli_print_json(tx_waiting_json(l));
        return;
    }
    if (!g->quiet) {
        print_setting(l->two_officers);
    }
    if (l->n == 0) {
        fputs(_("no grants waiting for a second officer\n"), stderr);
        return;
    }
    for (size_t i = 0; i < l->n; i++) {
        const tx_waiting_grant *w = &l->v[i];
        const tx_grant_pb *p = (const tx_grant_pb *)w->grant->msg;

        tx_hex(id, w->grant->id, TX_ID_LEN);
        tx_hex(aid, p->assessment.data, TX_ID_LEN);
        tx_format_date(date, sizeof date, p->meta->created);
        printf(_("%.12s  %.12s  %s  to %s (%s), granted by %s\n"), id, aid, date,
               w->grantee[0] ? w->grantee : "?", w->grantee_fp,
               w->granted_by[0] ? w->granted_by : _("the organisation key"));
    }
}

/* settings: with --two-officers, signs the new setting; shows the setting in force. */
static int
settings(const tx_cli *g, tx_client *c, const char *two)
{
    uint8_t id[TX_ID_LEN];
    tx_waiting_list l = {0};
    int rc;

    if (two != NULL && (rc = tx_two_officers_set(c, strcmp(two, "on") == 0, id)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_waiting_load(c, &l)) == TX_OK) {
        if (g->json) {
            tx_cli_print_json(json_pack("{s:b}", "two_officers", l.two_officers));
        } else {
            print_setting(l.two_officers);
        }
    }
    tx_waiting_free(&l);
    return rc;
}

/* approve or reject ID; prints the record signed. */
static int
decide(const tx_cli *g, tx_client *c, const char *sub, const char *id)
{
    char hex[2 * TX_ID_LEN + 1];
    uint8_t rec[TX_ID_LEN];
    int approve = strcmp(sub, "approve") == 0;
    int rc = approve ? tx_grant_approve(c, id, rec) : tx_grant_reject(c, id, rec);

    if (rc != TX_OK) {
        return rc;
    }
    tx_hex(hex, rec, TX_ID_LEN);
    if (g->json) {
        tx_cli_print_json(json_pack("{s:s,s:s,s:s}", "grant", id,
                                    approve ? "approval" : "revocation", hex, "state",
                                    approve ? "approved" : "rejected"));
        return TX_OK;
    }
    printf("%s\n", hex);
    if (!g->quiet) {
        fprintf(stderr,
                approve ? _("grant %s approved: the hub now serves it to the buyer\n")
                        : _("grant %s rejected: it was revoked and is never served\n"),
                id);
    }
    return TX_OK;
}

/* The subcommand and its ID; TX_ERR_USAGE for anything else. */
static int
grants_args(int argc, char **argv, const char *two, const char **sub, const char **id)
{
    *sub = optind < argc ? argv[optind++] : "pending";
    *id = NULL;
    if ((strcmp(*sub, "approve") == 0 || strcmp(*sub, "reject") == 0) && optind < argc) {
        *id = argv[optind++];
    }
    if (optind < argc ||
        (strcmp(*sub, "pending") != 0 && strcmp(*sub, "settings") != 0 && *id == NULL)) {
        return tx_fail(TX_ERR_USAGE, "usage: ticsx grants [pending] | approve ID | reject ID | "
                                     "settings [--two-officers on|off]");
    }
    if (two != NULL && strcmp(*sub, "settings") != 0) {
        return tx_fail(TX_ERR_USAGE, "--two-officers goes with grants settings");
    }
    if (two != NULL && strcmp(two, "on") != 0 && strcmp(two, "off") != 0) {
        return tx_fail(TX_ERR_USAGE, "--two-officers takes on or off, not %s", two);
    }
    return TX_OK;
}

int
tx_cmd_grants(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"two-officers", required_argument, NULL, 't'}, TX_CLI_COMMON_OPTS, {NULL, 0, NULL, 0}};
    tx_client *c = NULL;
    tx_waiting_list l = {0};
    const char *sub = NULL, *id = NULL, *two = NULL;
    int opt, rc = TX_OK;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 't') {
            two = optarg;
        } else {
            rc = tx_cli_common_opt(g, opt, "grants");
        }
    }
    if (rc == TX_OK && (rc = grants_args(argc, argv, two, &sub, &id)) == TX_OK &&
        (rc = tx_cli_open(g, &c)) == TX_OK) {
        if (strcmp(sub, "settings") == 0) {
            rc = settings(g, c, two);
        } else if (id != NULL) {
            rc = decide(g, c, sub, id);
        } else if ((rc = tx_waiting_load(c, &l)) == TX_OK) {
            print_waiting(g, &l);
        }
    }
    tx_waiting_free(&l);
    tx_client_destroy(&c);
    return rc;
}

void
tx_cli_note_waiting(const tx_cli *g, tx_client *c, const uint8_t (*ids)[TX_ID_LEN], size_t n)
{
    char hex[2 * TX_ID_LEN + 1];
    tx_waiting_list l = {0};

    if (g->quiet || tx_waiting_load(c, &l) != TX_OK) {
        tx_fail_clear(); /* a note only: the grants themselves were stored */
        tx_waiting_free(&l);
        return;
    }
    for (size_t i = 0; i < l.n; i++) {
        for (size_t k = 0; k < n; k++) {
            if (memcmp(l.v[i].grant->id, ids[k], TX_ID_LEN) != 0) {
                continue;
            }
            tx_hex(hex, ids[k], TX_ID_LEN);
            fprintf(stderr,
                    _("grant %.12s to %s is waiting for a second officer (the buyer is new to "
                      "the organisation): another officer, an admin or the organisation key "
                      "approves it with ticsx grants approve %.12s\n"),
                    hex, l.v[i].grantee[0] ? l.v[i].grantee : l.v[i].grantee_fp, hex);
        }
    }
    tx_waiting_free(&l);
}

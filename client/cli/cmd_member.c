/* ticsx member add|list|show|remove: the people of this organisation, named by member records
 * the organisation key signs. */
#include "cli.h"

#include "tx_cell.h"
#include "tx_error.h"
#include "tx_grant_approve.h"
#include "tx_i18n.h"
#include "tx_member_admin.h"
#include "tx_msg.h"
#include "tx_pins.h"
#include "tx_two_officers.h"
#include "tx_util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    N_("usage: ticsx member add --name NAME --role viewer|responder|officer|admin --key FILE\n"
       "                        [--from DATE] [--until DATE]\n"
       "       ticsx member list | show MEMBER | remove MEMBER [--date DATE]\n"
       "add: names a person of this organisation, with the public keys in FILE (identity.pub of\n"
       "the home the person made with ticsx keygen --member-of), signed by the organisation key\n"
       "and sent to the hub; the person may then connect with its own keys. viewer: reads what\n"
       "is granted to the organisation; responder: prepares answers; officer: also signs and\n"
       "sends for the organisation; admin: as an officer (members stay signed by the\n"
       "organisation key). remove: the hub refuses the person from DATE (default now) on.\n"
       "MEMBER is a fingerprint, a key id or the display name. add and remove run in the\n"
       "organisation's home; list and show also in a member's home.\n");

typedef struct {
    const char *name, *role, *key, *date;
    int64_t from, until;
    int help;
} member_opts;

static const char *
status_of(const tx_signer_info *p, int64_t now)
{
    if (p->acts) {
        return N_("active");
    }
    if (now >= p->removed) {
        return N_("removed");
    }
    return p->from > now ? N_("not yet valid") : N_("expired");
}

static json_t *
person_json(const tx_signer_info *p, int64_t now)
{
    char fp[TX_FP_LEN], kid[17], from[16], until[16], removed[16];

    tx_fingerprint(p->key, fp);
    tx_key_id_hex(p->key, kid);
    tx_format_date(from, sizeof from, p->from);
    tx_format_date(until, sizeof until, p->until);
    tx_format_date(removed, sizeof removed, p->removed);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s}", "name", p->name, "role",
                     tx_signer_role_name(p->role), "fingerprint", fp, "key_id", kid, "from", from,
                     "until", p->until != 0 ? until : NULL, "removed",
                     p->removed != INT64_MAX ? removed : NULL, "status", status_of(p, now));
}

static void
print_person(const tx_signer_info *p, int64_t now)
{
    char fp[TX_FP_LEN], d[16];

    tx_fingerprint(p->key, fp);
    tx_put_cell(stdout, p->name, 28);
    fputs("  ", stdout);
    tx_put_cell(stdout, _(tx_signer_role_name(p->role)), 9);
    printf("  %s\n", _(status_of(p, now)));
    printf("  %s\n", fp);
    if (p->until != 0) {
        tx_format_date(d, sizeof d, p->until);
        printf(_("  valid until %s\n"), d);
    }
    if (p->removed != INT64_MAX) {
        tx_format_date(d, sizeof d, p->removed);
        printf(_("  removed from %s\n"), d);
    }
}

/* The people of the organisation this home acts for. */
static int
people_of(tx_client *c, int64_t now, tx_recs *recs, tx_signer_info **people, size_t *n)
{
    uint8_t org[TX_KEY_LEN];
    int is_member;
    int rc = tx_home_org(tx_client_home(c), org, &is_member);

    return rc == TX_OK ? tx_member_people(c, org, now, recs, people, n) : rc;
}

static int
member_list(tx_cli *g, tx_client *c, const char *who)
{
    int64_t now = tx_now();
    tx_recs recs = {0};
    tx_signer_info *people = NULL;
    const tx_signer_info *one = NULL;
    size_t n = 0;
    int two = 0, rc = people_of(c, now, &recs, &people, &n);

    if (rc == TX_OK && who != NULL && (rc = tx_member_find(people, n, who, &one)) == TX_OK) {
        people = memmove(people, one, sizeof *one); /* the one found, alone */
        n = 1;
    }
    if (rc != TX_OK || (who == NULL && (rc = tx_two_officers_get(c, &two)) != TX_OK)) {
        goto out;
    }
    if (g->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(arr, person_json(&people[i], now));
        }
        rc = tx_cli_print_json(who != NULL ? json_incref(json_array_get(arr, 0))
                                           : json_pack("{s:O,s:b}", "members", arr,
                                                       "two_officers", two));
        json_decref(arr);
        goto out;
    }
    if (who == NULL && !g->quiet) {
        printf("%s\n", tx_two_officers_label(two));
    }
    if (n == 0 && !g->quiet) {
        fputs(_("no members yet: add one with ticsx member add\n"), stdout);
    }
    for (size_t i = 0; i < n; i++) {
        char fp[TX_FP_LEN];

        tx_fingerprint(people[i].key, fp);
        if (g->quiet) {
            printf("%s\n", fp);
        } else {
            print_person(&people[i], now);
        }
    }
out:
    free(people);
    tx_recs_clear(&recs);
    return rc;
}

static int
member_add(tx_cli *g, tx_client *c, const member_opts *o)
{
    tx_member_args a = {0};
    tx_pubkey pk;
    uint8_t id[TX_ID_LEN];
    char hex[2 * TX_ID_LEN + 1], fp[TX_FP_LEN];
    int rc;

    if (o->name == NULL || o->role == NULL || o->key == NULL) {
        return tx_fail(TX_ERR_USAGE, "usage: ticsx member add --name NAME --role "
                                     "viewer|responder|officer|admin --key FILE [--from DATE] "
                                     "[--until DATE]");
    }
    if ((a.role = tx_signer_role_parse(o->role)) == 0) {
        return tx_fail(TX_ERR_USAGE, "--role %s: give viewer, responder, officer or admin",
                       o->role);
    }
    if ((rc = tx_pins_load(o->key, &pk)) != TX_OK) {
        return tx_fail(rc, "--key %s: not a ticsx public key file (identity.pub): %s", o->key,
                       tx_strerror(rc));
    }
    a.person = &pk;
    a.name = o->name;
    a.from = o->from != 0 ? o->from : tx_now();
    a.until = o->until;
    if (a.until != 0 && a.until <= a.from) {
        return tx_fail(TX_ERR_USAGE, "--until must be after --from (or today)");
    }
    if ((rc = tx_member_add(c, &a, id)) != TX_OK) {
        return rc;
    }
    tx_hex(hex, id, TX_ID_LEN);
    tx_fingerprint(pk.sign, fp);
    if (g->json) {
        return tx_cli_print_json(json_pack("{s:s,s:s,s:s,s:s}", "id", hex, "name", o->name, "role",
                                           tx_signer_role_name(a.role), "fingerprint", fp));
    }
    printf("%s\n", hex);
    if (!g->quiet) {
        printf(_("member %s (%s) added: %s\n"), o->name, _(tx_signer_role_name(a.role)), fp);
    }
    return TX_OK;
}

static int
member_remove(tx_cli *g, tx_client *c, const char *who, int64_t date)
{
    tx_recs recs = {0};
    tx_signer_info *people = NULL;
    const tx_signer_info *one;
    uint8_t id[TX_ID_LEN];
    char hex[2 * TX_ID_LEN + 1], d[16];
    size_t n = 0;
    int rc = people_of(c, tx_now(), &recs, &people, &n);

    if (rc == TX_OK && (rc = tx_member_find(people, n, who, &one)) == TX_OK &&
        (rc = tx_member_remove(c, one->key, date != 0 ? date : tx_now(), id)) == TX_OK) {
        tx_hex(hex, id, TX_ID_LEN);
        tx_format_date(d, sizeof d, date != 0 ? date : tx_now());
        if (g->json) {
            rc = tx_cli_print_json(
                json_pack("{s:s,s:s,s:s}", "id", hex, "name", one->name, "removed", d));
        } else {
            printf("%s\n", hex);
            if (!g->quiet) {
                printf(_("member %s removed from %s: the hub refuses it from then on\n"), one->name,
                       d);
            }
        }
    }
    free(people);
    tx_recs_clear(&recs);
    return rc;
}

static int
parse(tx_cli *g, int argc, char **argv, member_opts *o)
{
    static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
                                         {"role", required_argument, NULL, 'r'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"from", required_argument, NULL, 'f'},
                                         {"until", required_argument, NULL, 'u'},
                                         {"date", required_argument, NULL, 'd'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    int opt, rc = TX_OK;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (opt) {
        case 'n':
            o->name = optarg;
            break;
        case 'r':
            o->role = optarg;
            break;
        case 'k':
            o->key = optarg;
            break;
        case 'f':
            rc = tx_cli_parse_date("--from", optarg, &o->from);
            break;
        case 'u':
            rc = tx_cli_parse_date("--until", optarg, &o->until);
            break;
        case 'd':
            o->date = optarg;
            break;
        case 'h':
            o->help = 1;
            break;
        default:
            rc = tx_cli_common_opt(g, opt, "member");
        }
    }
    return rc;
}

int
tx_cmd_member(tx_cli *g, int argc, char **argv)
{
    member_opts o = {0};
    tx_client *c = NULL;
    const char *sub;
    int64_t date = 0;
    int rc = parse(g, argc, argv, &o), args = argc - optind;

    if (rc == TX_OK && o.date != NULL) {
        rc = tx_cli_parse_date("--date", o.date, &date);
    }
    if (rc != TX_OK) {
        return rc;
    }
    if (o.help) {
        tx_i18n_english(0); /* help is for people, even beside --json */
        fputs(_(usage), stdout);
        return TX_OK;
    }
    sub = optind < argc ? argv[optind] : "";
    if (!((strcmp(sub, "add") == 0 && args == 1) || (strcmp(sub, "list") == 0 && args == 1) ||
          (strcmp(sub, "show") == 0 && args == 2) || (strcmp(sub, "remove") == 0 && args == 2))) {
        return tx_fail(TX_ERR_USAGE, "usage: ticsx member add --name NAME --role ROLE --key FILE "
                                     "| list | show MEMBER | remove MEMBER [--date DATE]");
    }
    if ((rc = tx_cli_open(g, &c)) != TX_OK) {
        return rc;
    }
    if (strcmp(sub, "add") == 0) {
        rc = member_add(g, c, &o);
    } else if (strcmp(sub, "remove") == 0) {
        rc = member_remove(g, c, argv[optind + 1], date);
    } else {
        rc = member_list(g, c, args == 2 ? argv[optind + 1] : NULL);
    }
    tx_client_destroy(&c);
    return rc;
}

/* ticsx key rotate: the organisation's key names its successor and the home moves to it. */
#include "cli.h"

#include "tx_error.h"
#include "tx_home.h"
#include "tx_i18n.h"
#include "tx_key_rotate.h"
#include "tx_member_admin.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    N_("usage: ticsx key rotate\n"
       "       ticsx key revoke (MEMBER | --own) --from DATE --reason TEXT [--from-index N]\n"
       "       ticsx key accept FINGERPRINT\n"
       "rotate: in the organisation's home, makes a new signing key and transport key (the seal\n"
       "key stays), signs with the current key a successor record naming them from now, proven\n"
       "by the new key, and sends it to the hub; the home then signs and connects with the new\n"
       "key and keeps the old one in retired/ (0600). The organisation stays the same for\n"
       "buyers, pins, grants and members: they follow the successor. The hub refuses the old\n"
       "key from now on. A member changes keys by making a new home (ticsx keygen --member-of)\n"
       "and being added again (ticsx member add), then removed under the old key.\n"
       "revoke: reports a key lost from DATE, signed by the organisation key: a member's\n"
       "(MEMBER: fingerprint, key id or display name) or, with --own, the organisation key this\n"
       "home's key replaced (rotate first when the key in force is lost). The hub refuses the\n"
       "key at once; every verifier flags what it signed from DATE, or what entered the hub's\n"
       "log from index N whatever date it carries (default: after the checkpoint this home\n"
       "kept, when it is not newer than DATE).\n"
       "accept: accepts the key the hub operator re-enrolled for an organisation that lost its\n"
       "key (ticsx-hub reenroll): until then verify fails what that key signed. Check with the\n"
       "organisation first: the operator could abuse a re-enrolment.\n");

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

typedef struct {
    const char *from, *reason;
    int own, help, has_from;
    tx_key_revoke_args a;
} key_opts;

static int
parse(tx_cli *g, int argc, char **argv, key_opts *o)
{
    static const struct option opts[] = {{"own", no_argument, NULL, 'o'},
                                         {"from", required_argument, NULL, 'f'},
                                         {"reason", required_argument, NULL, 'r'},
                                         {"from-index", required_argument, NULL, 'i'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    int opt, rc = TX_OK;
    char *end;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            o->own = 1;
            break;
        case 'f':
            o->has_from = 1;
            rc = tx_cli_parse_date("--from", optarg, &o->a.from);
            break;
        case 'r':
            o->a.reason = optarg;
            break;
        case 'i':
            o->a.from_index = strtoull(optarg, &end, 10);
            if (*optarg == 0 || *end != 0 || o->a.from_index == 0 || *optarg == '-') {
                rc = tx_fail(TX_ERR_USAGE, "--from-index %s: a log index from 1", optarg);
            }
            break;
        case 'h':
            o->help = 1;
            break;
        default:
            rc = tx_cli_common_opt(g, opt, "key");
        }
    }
    return rc;
}

/* The key MEMBER names among the organisation's people, or with --own the key this home's
 * replaced. */
static int
revoked_key(tx_client *c, const key_opts *o, const char *who, uint8_t key[TX_KEY_LEN])
{
    tx_recs recs = {0};
    tx_signer_info *people = NULL;
    const tx_signer_info *one;
    uint8_t org[TX_KEY_LEN];
    size_t n = 0;
    int is_member, rc;

    if (o->own) {
        return tx_key_predecessor(c, key);
    }
    if ((rc = tx_home_org(tx_client_home(c), org, &is_member)) == TX_OK &&
        (rc = tx_member_people(c, org, tx_now(), &recs, &people, &n)) == TX_OK &&
        (rc = tx_member_find(people, n, who, &one)) == TX_OK) {
        memcpy(key, one->key, TX_KEY_LEN);
    }
    free(people);
    tx_recs_clear(&recs);
    return rc;
}

static int
key_revoke(tx_cli *g, tx_client *c, key_opts *o, const char *who)
{
    uint8_t key[TX_KEY_LEN], id[TX_ID_LEN];
    char fp[TX_FP_LEN], hex[2 * TX_ID_LEN + 1], d[16];
    int rc = revoked_key(c, o, who, key);

    o->a.key = key;
    if (rc != TX_OK || (rc = tx_key_revoke(c, &o->a, id)) != TX_OK) {
        return rc;
    }
    tx_fingerprint(key, fp);
    tx_hex(hex, id, TX_ID_LEN);
    tx_format_date(d, sizeof d, o->a.from);
    if (g->json) {
        return tx_cli_print_json(json_pack("{s:s,s:s,s:s,s:I,s:s}", "id", hex, "key", fp, "from", d,
                                           "from_index", (json_int_t)o->a.from_index, "reason",
                                           o->a.reason));
    }
    printf("%s\n", hex);
    if (!g->quiet) {
        printf(_("key %s reported lost from %s: the hub refuses it; verifiers flag what it "
                 "signed from then on\n"),
               fp, d);
    }
    return TX_OK;
}

static int
key_accept(tx_cli *g, tx_client *c, const char *fp)
{
    tx_key_reenrolled_info r;
    char org[TX_FP_LEN], d[16];
    int rc = tx_key_accept_reenrolled(c, fp, &r);

    if (rc != TX_OK) {
        return rc;
    }
    tx_fingerprint(r.org, org);
    tx_format_date(d, sizeof d, r.effective);
    if (g->json) {
        return tx_cli_print_json(json_pack("{s:s,s:s,s:s,s:s}", "key", fp, "organisation", org,
                                           "reenrolled", d, "corporate_number",
                                           r.corporate_number));
    }
    if (!g->quiet) {
        printf(_("accepted %s as the key of %s (re-enrolled by the hub operator on %s, corporate "
                 "number %s)\n"),
               fp, org, d, r.corporate_number);
    }
    return TX_OK;
}

int
tx_cmd_key(tx_cli *g, int argc, char **argv)
{
    key_opts o = {0};
    tx_client *c = NULL;
    tx_key_rotated r;
    const char *sub;
    int rc = parse(g, argc, argv, &o), args = argc - optind;

    if (rc != TX_OK) {
        return rc;
    }
    if (o.help) {
        tx_i18n_english(0); /* help is for people, even beside --json */
        fputs(_(usage), stdout);
        return TX_OK;
    }
    sub = args > 0 ? argv[optind] : "";
    if (!((strcmp(sub, "rotate") == 0 && args == 1) || (strcmp(sub, "accept") == 0 && args == 2) ||
          (strcmp(sub, "revoke") == 0 && args == 2 - o.own && o.has_from && o.a.reason != NULL &&
           o.a.reason[0] != 0))) {
        return tx_fail(TX_ERR_USAGE, "usage: ticsx key rotate | key revoke (MEMBER | --own) "
                                     "--from DATE --reason TEXT [--from-index N] | key accept "
                                     "FINGERPRINT");
    }
    if ((rc = tx_cli_open(g, &c)) != TX_OK) {
        return rc;
    }
    if (strcmp(sub, "revoke") == 0) {
        rc = key_revoke(g, c, &o, o.own ? NULL : argv[optind + 1]);
    } else if (strcmp(sub, "accept") == 0) {
        rc = key_accept(g, c, argv[optind + 1]);
    } else {
        memset(&r, 0, sizeof r);
        if ((rc = tx_key_rotate(c, &r)) == TX_OK) {
            rc = print_rotated(g, &r);
        }
    }
    tx_client_destroy(&c);
    return rc;
}

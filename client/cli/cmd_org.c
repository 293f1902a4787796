/* ticsx keygen, whoami, orgs, ping: this organisation and the hub's directory. */
#include "cli.h"

#include "tx_cell.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_lookup.h"
#include "tx_member_admin.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_rpc.h"
#include "tx_sign.h"
#include "tx_util.h"

#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Only options shared by all commands: used by those that take none of their own. */
static int
no_options(tx_cli *g, int argc, char **argv, const char *command)
{
    int rc;

    if ((rc = tx_cli_common_only(g, argc, argv, command)) != TX_OK) {
        return rc;
    }
    if (optind < argc) {
        return tx_fail(TX_ERR_USAGE, "%s takes no argument (got %s)", command, argv[optind]);
    }
    return TX_OK;
}

static int
valid_name(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > 200 || !tx_utf8_valid(name, n)) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
            return 0; /* the name goes on a key file's comment line */
        }
    }
    return 1;
}

static int
write_profile(const char *dir, const tx_identity *id, const char *corp, char *path, size_t n)
{
    tx_profile_pb p = TICSX__V1__ORG_PROFILE__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    uint8_t *env = NULL;
    size_t len = 0;
    int rc;

    if ((rc = tx_seq_take(dir, 1, &meta.seq)) != TX_OK) {
        return rc;
    }
    meta.created = tx_now();
    p.meta = &meta;
    p.legal_name = (char *)id->pub.name;
    p.corporate_number = (char *)(corp != NULL ? corp : "");
    p.seal_key.data = (uint8_t *)id->pub.seal;
    p.seal_key.len = TX_KEY_LEN;
    p.transport_key.data = (uint8_t *)id->pub.curve;
    p.transport_key.len = TX_KEY_LEN;
    if ((rc = tx_sign_checked(id, TX_KIND_PROFILE, &p.base, NULL, &env, &len)) != TX_OK) {
        return rc;
    }
    tx_path_join(path, n, dir, "profile.tx");
    rc = tx_file_replace(path, env, len, 0644);
    free(env);
    return rc == TX_OK ? TX_OK : tx_fail(rc, "cannot write %s", path);
}

/* The organisation profile a member's home keeps (keygen --member-of): read, checked to be a
 * signed profile, and its bytes kept in *bytes for writing once the keys exist. */
static int
read_org_profile(const char *file, uint8_t **bytes, size_t *len)
{
    tx_rec rec = {0};
    uint8_t *copy;
    int rc = tx_file_read(file, TX_MAX_ENVELOPE, bytes, len);

    if (rc != TX_OK) {
        return tx_fail(rc, "--member-of %s: cannot read it: %s", file, tx_strerror(rc));
    }
    if ((copy = malloc(*len)) == NULL) {
        free(*bytes);
        return tx_fail(TX_ERR_NOMEM, "out of memory");
    }
    memcpy(copy, *bytes, *len);
    if ((rc = tx_rec_open(&rec, copy, *len, TX_KIND_PROFILE)) != TX_OK) {
        free(*bytes);
        *bytes = NULL;
        rc = tx_fail(rc,
                     "--member-of %s: not a signed organisation profile (the profile.tx of "
                     "the organisation's home)",
                     file);
    }
    tx_rec_clear(&rec);
    return rc;
}

/* The end of keygen in a member's home: the organisation's profile beside the new keys. */
static int
finish_member(tx_cli *g, const char *dir, const tx_identity *id, const uint8_t *org, size_t len)
{
    char path[PATH_MAX], pub[PATH_MAX], fp[TX_FP_LEN];
    int rc;

    tx_path_join(path, sizeof path, dir, TX_HOME_ORG_PROFILE);
    if ((rc = tx_file_replace(path, org, len, 0644)) != TX_OK) {
        return tx_fail(rc, "cannot write %s", path);
    }
    tx_path_join(pub, sizeof pub, dir, "identity.pub");
    tx_fingerprint(id->pub.sign, fp);
    if (g->json) {
        return tx_cli_print_json(json_pack("{s:s,s:s,s:s,s:s,s:s}", "home", dir, "name",
                                           id->pub.name, "fingerprint", fp, "public_key", pub,
                                           "org_profile", path));
    }
    if (g->quiet) {
        printf("%s\n", fp);
        return TX_OK;
    }
    printf(_("member keys created in %s\n"), dir);
    printf(_("fingerprint  %s\n"), fp);
    printf(_("give %s to your organisation: ticsx member add --name NAME --role ROLE --key "
             "identity.pub\n"),
           pub);
    return TX_OK;
}

int
tx_cmd_keygen(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
                                         {"corporate-number", required_argument, NULL, 'c'},
                                         {"member-of", required_argument, NULL, 'm'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    const char *name = NULL, *corp = NULL, *member_of = NULL;
    uint8_t *org = NULL;
    size_t org_len = 0;
    char dir[PATH_MAX], path[PATH_MAX], profile[PATH_MAX], ssh[PATH_MAX];
    char fp[TX_FP_LEN], kid[17];
    tx_identity *id = NULL;
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'n') {
            name = optarg;
        } else if (opt == 'c') {
            corp = optarg;
        } else if (opt == 'm') {
            member_of = optarg;
        } else if ((rc = tx_cli_common_opt(g, opt, "keygen")) != TX_OK) {
            return rc;
        }
    }
    if (name == NULL || optind < argc || (member_of != NULL && corp != NULL)) {
        return tx_fail(TX_ERR_USAGE, "usage: ticsx keygen --name NAME [--corporate-number N | "
                                     "--member-of PROFILE]");
    }
    if (!valid_name(name)) {
        return tx_fail(TX_ERR_USAGE, "--name: 1 to 200 bytes of UTF-8 text on one line");
    }
    if (corp != NULL && !tx_corporate_number_valid(corp)) {
        return tx_fail(TX_ERR_USAGE,
                       "--corporate-number %s: not a valid 13-digit corporate number (法人番号): "
                       "check the digits",
                       corp);
    }
    if ((rc = tx_home_resolve(g->home, dir, sizeof dir)) != TX_OK ||
        (member_of != NULL && (rc = read_org_profile(member_of, &org, &org_len)) != TX_OK)) {
        return rc;
    }
    tx_path_join(path, sizeof path, dir, "identity.key");
    if (access(path, F_OK) == 0) {
        rc = tx_fail(TX_ERR_EXISTS, "%s already exists: this home has an identity", path);
        goto out;
    }
    if ((rc = tx_mkdir_private(dir)) != TX_OK) {
        rc = tx_fail(rc, "cannot create %s", dir);
        goto out;
    }
    if ((rc = tx_identity_generate(name, &id)) != TX_OK) {
        rc = tx_fail(rc, "cannot generate keys: %s", tx_strerror(rc));
        goto out;
    }
    if ((rc = tx_identity_save(id, dir, "identity")) != TX_OK) {
        rc = tx_fail(rc, "cannot write the identity into %s: %s", dir, tx_strerror(rc));
        goto out;
    }
    if (org != NULL) {
        /* A person of an organisation: no profile of its own (it is not enrolled). */
        rc = finish_member(g, dir, id, org, org_len);
        goto out;
    }
    if ((rc = write_profile(dir, id, corp, profile, sizeof profile)) != TX_OK) {
        goto out;
    }
    tx_fingerprint(id->pub.sign, fp);
    tx_key_id_hex(id->pub.sign, kid);
    tx_path_join(ssh, sizeof ssh, dir, "identity_ed25519.pub");
    if (g->json) {
        rc = tx_cli_print_json(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "home", dir, "name", name,
                                         "fingerprint", fp, "key_id", kid, "public_key", ssh,
                                         "profile", profile));
    } else if (g->quiet) {
        printf("%s\n", fp);
    } else {
        printf(_("identity created in %s\n"), dir);
        printf(_("name         %s\n"), name);
        printf(_("fingerprint  %s\n"), fp);
        printf(_("key id       %s\n"), kid);
        printf(_("public key   %s\n"), ssh);
        printf(_("profile      %s\n"), profile);
        printf(_("give the profile to the hub operator: ticsx-hub enroll --data DIR %s\n"),
               profile);
    }
out:
    free(org);
    tx_identity_destroy(&id);
    return rc;
}

int
tx_cmd_whoami(tx_cli *g, int argc, char **argv)
{
    tx_client *c = NULL;
    char name[TX_NAME_MAX], corp[16], fp[TX_FP_LEN], kid[17], org_fp[TX_FP_LEN];
    uint8_t org[TX_KEY_LEN];
    int rc, is_member;

    if ((rc = no_options(g, argc, argv, "whoami")) != TX_OK || (rc = tx_cli_open(g, &c)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_home_org(tx_client_home(c), org, &is_member)) != TX_OK) {
        tx_client_destroy(&c);
        return rc;
    }
    tx_fingerprint(org, org_fp);
    tx_orgs_own_profile(tx_client_home(c), tx_client_id(c), name, sizeof name, corp, sizeof corp);
    tx_fingerprint(tx_client_id(c)->pub.sign, fp);
    tx_key_id_hex(tx_client_id(c)->pub.sign, kid);
    if (g->json) {
        rc = tx_cli_print_json(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?}", "name", name,
                                         "corporate_number", corp, "fingerprint", fp, "key_id", kid,
                                         "home", tx_home_dir(tx_client_home(c)), "member_of",
                                         is_member ? org_fp : NULL));
    } else if (g->quiet) {
        printf("%s\n", fp);
    } else {
        printf(_("name         %s\n"), name);
        if (corp[0]) {
            printf(_("corporate no %s\n"), corp);
        }
        printf(_("fingerprint  %s\n"), fp);
        printf(_("key id       %s\n"), kid);
        printf(_("home         %s\n"), tx_home_dir(tx_client_home(c)));
        if (is_member) {
            printf(_("member of    %s\n"), org_fp);
        }
    }
    tx_client_destroy(&c);
    return rc;
}

int
tx_cmd_orgs(tx_cli *g, int argc, char **argv)
{
    tx_client *c = NULL;
    tx_orgs orgs = {0};
    int rc;

    if ((rc = no_options(g, argc, argv, "orgs")) != TX_OK || (rc = tx_cli_open(g, &c)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_orgs_fetch(c, &orgs)) != TX_OK) {
        goto out;
    }
    if (g->json) {
        json_t *arr = tx_orgs_json(&orgs, tx_client_id(c)->pub.sign);
        rc = tx_cli_print_json(json_pack("{s:o}", "organisations", arr));
        goto out;
    }
    if (!g->quiet) {
        /* TRANSLATORS: column headers over 44, 13 and 16 display columns, two spaces between. */
        fputs(_("NAME                                          CORPORATE NO   KEY ID\n"), stdout);
    }
    for (size_t i = 0; i < orgs.n; i++) {
        const tx_org *o = &orgs.v[i];
        if (g->quiet) {
            printf("%s\n", o->fingerprint);
            continue;
        }
        tx_put_cell(stdout, o->name, 44);
        printf("  %-13s  %s%s\n", o->corporate_number[0] ? o->corporate_number : "-", o->key_id,
               memcmp(o->key, tx_client_id(c)->pub.sign, TX_KEY_LEN) == 0 ? _(" (you)") : "");
        printf("  %s\n", o->fingerprint);
    }
out:
    tx_orgs_free(&orgs);
    tx_client_destroy(&c);
    return rc;
}

int
tx_cmd_ping(tx_cli *g, int argc, char **argv)
{
    tx_client *c = NULL;
    double ms = 0;
    int rc;

    if ((rc = no_options(g, argc, argv, "ping")) != TX_OK || (rc = tx_cli_open(g, &c)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_rpc_ping(c, &ms)) == TX_OK) {
        if (g->json) {
            rc = tx_cli_print_json(
                json_pack("{s:s,s:f}", "endpoint", tx_client_endpoint(c), "ms", ms));
        } else if (!g->quiet) {
            printf(_("hub at %s answered in %.1f ms\n"), tx_client_endpoint(c), ms);
        }
    }
    tx_client_destroy(&c);
    return rc;
}

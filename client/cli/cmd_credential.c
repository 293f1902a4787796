/* ticsx credential add|list|show|remove: the credentials this organisation declares (TICS,
 * ISMS, TISAX, Privacy Mark, audit report, or an application in progress), kept in the home and
 * included in every answer. `add` refuses what a buyer would judge invalid. */
#include "cli.h"

#include "tx_cell.h"
#include "tx_cert_judge.h"
#include "tx_cred.h"
#include "tx_cred_store.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_register.h"
#include "tx_util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

static const char *
day(char buf[16], int64_t t)
{
    if (t == 0) {
        return "-";
    }
    tx_format_date(buf, 16, t);
    return buf;
}

static int
one_of(const char *s, const char *const *v)
{
    for (; *v; v++) {
        if (strcmp(s, *v) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
copy_opt(char *dst, size_t n, const char *opt, const char *val)
{
    if (strlen(val) >= n || !tx_utf8_valid(val, strlen(val))) {
        return tx_fail(TX_ERR_USAGE, "%s: at most %zu bytes of UTF-8", opt, n - 1);
    }
    memcpy(dst, val, strlen(val) + 1);
    return TX_OK;
}

/* The accredited body check of `add`: the body must be in the accredited bodies register in
 * force at the issue date (or today for an application). The message names the choices. */
static int
check_body(tx_home *home, const char *body, int64_t at)
{
    tx_registers regs = {0};
    tx_reg_body rb;
    int rc;

    if ((rc = tx_registers_load(home, &regs)) != TX_OK) {
        return rc;
    }
    rc = tx_register_body(&regs, body, at, &rb);
    if (rc == TX_OK && rb.state == TX_BODY_ACCREDITED) {
        tx_registers_free(&regs);
        return TX_OK;
    }
    tx_fail_clear();
    /* The choices: the names of the newest bodies edition known. */
    char names[2048] = "";
    size_t best = regs.n;
    for (size_t i = 0; i < regs.n; i++) {
        if (regs.v[i].trusted && strcmp(regs.v[i].list, TX_REG_LIST_BODIES) == 0 &&
            (best == regs.n || regs.v[i].as_of >= regs.v[best].as_of) &&
            (regs.v[i].as_of <= at || regs.v[i].as_of == 0)) {
            best = i;
        }
    }
    if (best < regs.n) {
        const tx_register_entry_pb *const *e;
        size_t ne = tx_registers_entries(&regs, best, &e);
        for (size_t i = 0; i < ne; i++) {
            size_t l = strlen(names);
            snprintf(names + l, sizeof names - l, "%s%s", i ? "; " : "", e[i]->holder_name);
        }
    }
    char d[16];
    rc = tx_fail(TX_ERR_USAGE,
                 "--body %s: not an accredited TICS certification body on %s; the accredited "
                 "bodies are: %s",
                 body, day(d, at), names[0] ? names : "(none known)");
    tx_registers_free(&regs);
    return rc;
}

/* What each scheme needs, and the TICS rules: refuses what a buyer would judge invalid. */
static int
check_fields(tx_home *home, tx_cred_decl *c, const char *criteria)
{
    static const char *const schemes[] = {"tics", "isms", "tisax", "pmark", "audit", NULL};
    static const char *const states[] = {"certified", "applied", "under_audit", NULL};
    static const char *const isms_std[] = {"ISO/IEC 27001:2013", "ISO/IEC 27001:2022", NULL};
    int certified = strcmp(c->state, "certified") == 0;
    int tics = strcmp(c->scheme, "tics") == 0;
    char why[256];

    if (!one_of(c->scheme, schemes)) {
        return tx_fail(TX_ERR_USAGE, "--scheme %s: one of tics, isms, tisax, pmark, audit",
                       c->scheme[0] ? c->scheme : "(missing)");
    }
    if (!one_of(c->state, states)) {
        return tx_fail(TX_ERR_USAGE, "--state %s: one of certified, applied, under_audit",
                       c->state);
    }
    if (c->corporate_number[0] && !tx_corporate_number_valid(c->corporate_number)) {
        return tx_fail(TX_ERR_USAGE,
                       "--corporate-number %s: not a 13-digit corporate number with a valid "
                       "check digit",
                       c->corporate_number);
    }
    if (tics && criteria != NULL) {
        if (strcmp(criteria, "2018") != 0 && strcmp(criteria, "2024") != 0) {
            return tx_fail(TX_ERR_USAGE, "--criteria %s: 2018 or 2024", criteria);
        }
        snprintf(c->standard, sizeof c->standard, "%s", criteria);
    } else if (criteria != NULL) {
        return tx_fail(TX_ERR_USAGE, "--criteria is for TICS (--scheme tics); use --standard");
    }
    if (!certified) {
        if (c->body[0] == 0 || c->expected == 0) {
            return tx_fail(TX_ERR_USAGE,
                           "an application (--state %s) needs --body and --expected DATE (the "
                           "expected date of the decision)",
                           c->state);
        }
        if (c->issued || c->expires || c->last_report) {
            return tx_fail(TX_ERR_USAGE,
                           "an application (--state %s) has no --issued, "
                           "--expires or --last-report yet",
                           c->state);
        }
        return tics ? check_body(home, c->body, tx_now()) : TX_OK;
    }
    if (c->expected) {
        return tx_fail(TX_ERR_USAGE, "--expected is for --state applied or under_audit");
    }
    if (c->issued && c->expires && c->expires <= c->issued) {
        return tx_fail(TX_ERR_USAGE, "--expires must be after --issued");
    }
    if (c->last_report && (c->last_report < c->issued || c->last_report > tx_now())) {
        return tx_fail(TX_ERR_USAGE,
                       "--last-report must lie between --issued and today (the date of the last "
                       "periodic report)");
    }
    if (tics) {
        if (c->number[0] == 0 || c->body[0] == 0 || c->standard[0] == 0 || c->issued == 0 ||
            c->expires == 0) {
            return tx_fail(TX_ERR_USAGE, "a TICS certificate needs --number, --body, --criteria "
                                         "2018|2024, --issued DATE and --expires DATE");
        }
        if (strcmp(c->standard, "2018") != 0 && strcmp(c->standard, "2024") != 0) {
            return tx_fail(TX_ERR_USAGE, "--criteria %s: 2018 or 2024", c->standard);
        }
        if (c->expires > tx_cred_add_years(c->issued, 3)) {
            return tx_fail(TX_ERR_USAGE,
                           "--expires: a TICS certificate is valid at most 3 years after its "
                           "issue date");
        }
        if (!tx_tics_criteria_ok((uint32_t)atoi(c->standard), c->issued, why, sizeof why)) {
            return tx_fail(TX_ERR_USAGE, "--criteria %s: %s", c->standard, why);
        }
        return check_body(home, c->body, c->issued);
    }
    if (strcmp(c->scheme, "isms") == 0) {
        if (c->number[0] == 0 || c->body[0] == 0 || c->scope[0] == 0 || c->expires == 0 ||
            !one_of(c->standard, isms_std)) {
            return tx_fail(TX_ERR_USAGE, "an ISMS certificate needs --number, --body, --scope, "
                                         "--expires DATE and --standard \"ISO/IEC 27001:2013\" "
                                         "or \"ISO/IEC 27001:2022\"");
        }
    } else if (strcmp(c->scheme, "tisax") == 0) {
        if (c->number[0] == 0 || c->standard[0] == 0 || c->expires == 0) {
            return tx_fail(TX_ERR_USAGE, "a TISAX label needs --number (the assessment id), "
                                         "--standard (assessment level and labels, e.g. \"AL3 "
                                         "Info high\") and --expires DATE");
        }
    } else if (strcmp(c->scheme, "pmark") == 0) {
        if (c->number[0] == 0) {
            return tx_fail(TX_ERR_USAGE,
                           "the Privacy Mark needs --number (the registration number)");
        }
    } else if (c->body[0] == 0 || c->issued == 0 || c->scope[0] == 0) {
        return tx_fail(TX_ERR_USAGE, "an audit report needs --body (the auditor), --issued DATE "
                                     "(the report's date) and --scope");
    }
    return TX_OK;
}

static void
print_decl(const tx_cred_decl *c)
{
    char d1[16], d2[16];

    printf(_("credential   %s\n"), c->id);
    printf(_("scheme       %s (%s)\n"), tx_cred_scheme_label(c->scheme),
           tx_cred_state_label(c->state));
    printf(_("number       %s\n"), c->number[0] ? c->number : "-");
    printf(_("body         %s\n"), c->body[0] ? c->body : "-");
    printf(_("holder       %s  %s\n"), c->holder_name[0] ? c->holder_name : "-",
           c->corporate_number);
    printf(_("scope        %s\n"), c->scope[0] ? c->scope : "-");
    printf(_("standard     %s\n"), c->standard[0] ? c->standard : "-");
    printf(_("valid        %s up to %s\n"), day(d1, c->issued), day(d2, c->expires));
    if (c->last_report) {
        printf(_("last report  %s\n"), day(d1, c->last_report));
    }
    if (c->expected) {
        printf(_("expected     %s\n"), day(d1, c->expected));
    }
    if (c->renews[0]) {
        printf(_("renews       %s\n"), c->renews);
    }
    printf(_("document     %s\n"), c->document[0] ? c->document : _("(none)"));
}

static int
cred_add(tx_cli *g, tx_client *cl, int argc, char **argv)
{
    static const struct option opts[] = {{"scheme", required_argument, NULL, 's'},
                                         {"state", required_argument, NULL, 't'},
                                         {"number", required_argument, NULL, 'n'},
                                         {"body", required_argument, NULL, 'b'},
                                         {"holder", required_argument, NULL, 'H'},
                                         {"corporate-number", required_argument, NULL, 'c'},
                                         {"scope", required_argument, NULL, 'S'},
                                         {"standard", required_argument, NULL, 'd'},
                                         {"criteria", required_argument, NULL, 'C'},
                                         {"issued", required_argument, NULL, 'i'},
                                         {"expires", required_argument, NULL, 'e'},
                                         {"last-report", required_argument, NULL, 'r'},
                                         {"expected", required_argument, NULL, 'x'},
                                         {"renews", required_argument, NULL, 'R'},
                                         {"document", required_argument, NULL, 'D'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    tx_cred_decl c;
    const char *criteria = NULL, *doc = NULL;
    int opt, rc = TX_OK;

    memset(&c, 0, sizeof c);
    snprintf(c.state, sizeof c.state, "certified");
    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (opt) {
        case 's':
            rc = copy_opt(c.scheme, sizeof c.scheme, "--scheme", optarg);
            break;
        case 't':
            rc = copy_opt(c.state, sizeof c.state, "--state", optarg);
            break;
        case 'n':
            rc = copy_opt(c.number, sizeof c.number, "--number", optarg);
            break;
        case 'b':
            rc = copy_opt(c.body, sizeof c.body, "--body", optarg);
            break;
        case 'H':
            rc = copy_opt(c.holder_name, sizeof c.holder_name, "--holder", optarg);
            break;
        case 'c':
            rc = copy_opt(c.corporate_number, sizeof c.corporate_number, "--corporate-number",
                          optarg);
            break;
        case 'S':
            rc = copy_opt(c.scope, sizeof c.scope, "--scope", optarg);
            break;
        case 'd':
            rc = copy_opt(c.standard, sizeof c.standard, "--standard", optarg);
            break;
        case 'C':
            criteria = optarg;
            break;
        case 'i':
            rc = tx_cli_parse_date("--issued", optarg, &c.issued);
            break;
        case 'e':
            rc = tx_cli_parse_date("--expires", optarg, &c.expires);
            break;
        case 'r':
            rc = tx_cli_parse_date("--last-report", optarg, &c.last_report);
            break;
        case 'x':
            rc = tx_cli_parse_date("--expected", optarg, &c.expected);
            break;
        case 'R':
            rc = copy_opt(c.renews, sizeof c.renews, "--renews", optarg);
            break;
        case 'D':
            doc = optarg;
            break;
        default:
            rc = tx_cli_common_opt(g, opt, "credential");
        }
    }
    if (rc != TX_OK) {
        return rc;
    }
    if (optind != argc) {
        return tx_fail(TX_ERR_USAGE, "usage: ticsx credential add --scheme SCHEME [--state "
                                     "STATE] [fields...] [--document FILE]");
    }
    if (c.holder_name[0] == 0 || c.corporate_number[0] == 0) {
        char name[TX_NAME_MAX], corp[16];
        tx_orgs_acting_profile(tx_client_home(cl), tx_client_id(cl), name, sizeof name, corp,
                               sizeof corp);
        if (c.holder_name[0] == 0) {
            snprintf(c.holder_name, sizeof c.holder_name, "%s", name);
        }
        if (c.corporate_number[0] == 0) {
            snprintf(c.corporate_number, sizeof c.corporate_number, "%s", corp);
        }
    }
    if ((rc = check_fields(tx_client_home(cl), &c, criteria)) != TX_OK ||
        (rc = tx_cred_save(tx_client_home(cl), &c, doc)) != TX_OK) {
        return rc;
    }
    if (g->json) {
        return tx_cli_print_json(tx_cred_decl_json(&c));
    }
    printf("%s\n", c.id);
    if (!g->quiet) {
        fprintf(stderr, c.document[0]
                            ? _("declared; every answer includes it with its document from "
                                "now on (answer --credentials none leaves it out)\n")
                            : _("declared; every answer includes it from now on; without a "
                                "document a buyer sees it as unproven (add it again with "
                                "--document FILE)\n"));
    }
    return TX_OK;
}

static int
cred_list(tx_cli *g, tx_client *cl)
{
    tx_cred_decl *v;
    size_t n;
    char d[16];
    int rc;

    if ((rc = tx_cred_load_all(tx_client_home(cl), &v, &n)) != TX_OK) {
        return rc;
    }
    if (g->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(arr, tx_cred_decl_json(&v[i]));
        }
        free(v);
        return tx_cli_print_json(json_pack("{s:o}", "credentials", arr));
    }
    if (n == 0 && !g->quiet) {
        fputs(_("no declared credentials: ticsx credential add declares one\n"), stdout);
    } else if (!g->quiet) {
        /* TRANSLATORS: credential list headers; columns of 20, 14, 10 and 24 characters. */
        tx_put_cell(stdout, _("ID"), 20);
        fputs("  ", stdout);
        tx_put_cell(stdout, _("SCHEME"), 14);
        fputs("  ", stdout);
        tx_put_cell(stdout, _("STATE"), 10);
        fputs("  ", stdout);
        tx_put_cell(stdout, _("BODY"), 24);
        printf("  %s\n", _("EXPIRES/EXPECTED"));
    }
    for (size_t i = 0; i < n; i++) {
        if (g->quiet) {
            printf("%s\n", v[i].id);
            continue;
        }
        tx_put_cell(stdout, v[i].id, 20);
        fputs("  ", stdout);
        tx_put_cell(stdout, tx_cred_scheme_label(v[i].scheme), 14);
        fputs("  ", stdout);
        tx_put_cell(stdout, tx_cred_state_label(v[i].state), 10);
        fputs("  ", stdout);
        tx_put_cell(stdout, v[i].body[0] ? v[i].body : "-", 24);
        printf("  %s%s\n", day(d, v[i].expires ? v[i].expires : v[i].expected),
               v[i].document[0] ? "" : _("  (no document)"));
    }
    free(v);
    return TX_OK;
}

int
tx_cmd_credential(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {TX_CLI_COMMON_OPTS, {NULL, 0, NULL, 0}};
    const char *sub = argc > 1 ? argv[1] : "";
    tx_client *cl = NULL;
    tx_cred_decl c;
    int opt, rc;

    if (strcmp(sub, "add") != 0 && strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 &&
        strcmp(sub, "remove") != 0) {
        while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
            if ((rc = tx_cli_common_opt(g, opt, "credential")) != TX_OK) {
                return rc;
            }
        }
        return tx_fail(TX_ERR_USAGE, "usage: ticsx credential add|list|show ID|remove ID");
    }
    argc--;
    argv++;
    optind = 0; /* GNU getopt: start over after the sub-command */
    if (strcmp(sub, "add") == 0) {
        if ((rc = tx_cli_open(g, &cl)) == TX_OK) {
            rc = cred_add(g, cl, argc, argv);
        }
        tx_client_destroy(&cl);
        return rc;
    }
    while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if ((rc = tx_cli_common_opt(g, opt, "credential")) != TX_OK) {
            return rc;
        }
    }
    if ((strcmp(sub, "list") == 0) != (optind == argc) ||
        (strcmp(sub, "list") != 0 && optind + 1 != argc)) {
        return tx_fail(TX_ERR_USAGE, "usage: ticsx credential add|list|show ID|remove ID");
    }
    if ((rc = tx_cli_open(g, &cl)) != TX_OK) {
        return rc;
    }
    if (strcmp(sub, "list") == 0) {
        rc = cred_list(g, cl);
    } else if (strcmp(sub, "show") == 0) {
        if ((rc = tx_cred_find(tx_client_home(cl), argv[optind], &c)) == TX_OK) {
            if (g->json) {
                rc = tx_cli_print_json(tx_cred_decl_json(&c));
            } else {
                print_decl(&c);
            }
        }
    } else if ((rc = tx_cred_find(tx_client_home(cl), argv[optind], &c)) == TX_OK &&
               (rc = tx_cred_remove(tx_client_home(cl), argv[optind])) == TX_OK) {
        if (g->json) {
            rc = tx_cli_print_json(json_pack("{s:s}", "removed", c.id));
        } else {
            printf("%s\n", c.id);
            if (!g->quiet) {
                fprintf(stderr, _("removed: answers from now on leave it out\n"));
            }
        }
    }
    tx_client_destroy(&cl);
    return rc;
}

/* ticsx policy set|show|list|use: the buyer's acceptance policy (受入れ基準) as versions in the
 * home, set from a JSON file or from options, shown as a sentence, put in force by number. */
#include "cli.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_policy.h"
#include "tx_policy_store.h"
#include "tx_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const usage_policy =
    N_("usage: ticsx policy set FILE [--name TEXT] | set [--accept SCHEME:STATUS[,STATUS...]] "
       "[--level N] [--area ID=PERCENT] [--overall PERCENT] [--within DAYS] [--grace DAYS] "
       "[--verified] [--sub-suppliers] [--plan-days DAYS] [--max-overdue N] [--name TEXT] | "
       "show [N] | list | use N|none");

/* A version number from the command line: 1 to TX_POLICY_MAX_VERSIONS ("none": 0 if allowed). */
static int
parse_version(const char *s, int none_ok, int *out)
{
    char *end;
    long v;

    if (none_ok && strcmp(s, "none") == 0) {
        *out = 0;
        return TX_OK;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != 0 || v < 1 || v > TX_POLICY_MAX_VERSIONS) {
        return tx_fail(TX_ERR_USAGE,
                       "%s is not a policy version (a number from 1, see `ticsx "
                       "policy list`)",
                       s);
    }
    *out = (int)v;
    return TX_OK;
}

int
tx_cli_policy_opt(const char *arg)
{
    int version = 0, rc = parse_version(arg, 1, &version);

    if (rc != TX_OK) {
        return tx_fail(rc, "--policy %s: give a version number or none", arg);
    }
    tx_policy_select(version == 0 ? TX_POLICY_NONE : version);
    return TX_OK;
}

static int
parse_number(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(s, &end);
    if (errno != 0 || end == s || *end != 0 || !(*out >= lo && *out <= hi)) {
        return tx_fail(TX_ERR_USAGE, "%s %s: give a number from %g to %g", opt, s, lo, hi);
    }
    return TX_OK;
}

/* --accept tics:valid,listed */
static int
add_accept(json_t *creds, const char *arg)
{
    const char *colon = strchr(arg, ':');
    char scheme[16], buf[256], *tok, *save = NULL;
    json_t *st = json_array();

    if (colon == NULL || colon == arg || (size_t)(colon - arg) >= sizeof scheme ||
        strlen(colon + 1) >= sizeof buf || colon[1] == 0) {
        json_decref(st);
        return tx_fail(TX_ERR_USAGE,
                       "--accept %s: give SCHEME:STATUS[,STATUS...], e.g. tics:valid,listed", arg);
    }
    memcpy(scheme, arg, (size_t)(colon - arg));
    scheme[colon - arg] = 0;
    if (tx_cred_scheme_find(scheme) < 0) {
        json_decref(st);
        return tx_fail(TX_ERR_USAGE,
                       "--accept %s: unknown scheme %s (tics, isms, tisax, pmark, audit)", arg,
                       scheme);
    }
    snprintf(buf, sizeof buf, "%s", colon + 1);
    for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        if (tx_cred_status_find(tok) < 0) {
            json_decref(st);
            return tx_fail(TX_ERR_USAGE,
                           "--accept %s: unknown status %s (valid, listed, declared, "
                           "report_due, applied, under_audit, ...)",
                           arg, tok);
        }
        json_array_append_new(st, json_string(tok));
    }
    json_array_append_new(creds, json_pack("{s:s,s:o}", "scheme", scheme, "status", st));
    return TX_OK;
}

/* --area A5=60 */
static int
add_area(json_t *areas, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char id[TX_POLICY_AREA_ID_MAX];
    double v;
    int rc;

    if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof id) {
        return tx_fail(TX_ERR_USAGE, "--area %s: give ID=PERCENT, e.g. A5=60", arg);
    }
    memcpy(id, arg, (size_t)(eq - arg));
    id[eq - arg] = 0;
    if ((rc = parse_number("--area", eq + 1, 0, 100, &v)) != TX_OK) {
        return rc;
    }
    json_object_set_new(areas, id, json_real(v));
    return TX_OK;
}

static void
print_policy(const tx_policy *p, int current)
{
    char text[4096], d[16];

    tx_policy_rules_text(&p->rules, 0, text, sizeof text);
    tx_format_date(d, sizeof d, p->set);
    if (p->rules.name[0]) {
        printf(current ? _("acceptance policy %d \"%s\" (set on %s, in force)\n")
                       : _("acceptance policy %d \"%s\" (set on %s, not in force)\n"),
               p->version, p->rules.name, d);
    } else {
        printf(current ? _("acceptance policy %d (set on %s, in force)\n")
                       : _("acceptance policy %d (set on %s, not in force)\n"),
               p->version, d);
    }
    printf("%s\n", text);
}

static json_t *
policy_json(const tx_policy *p, int current)
{
    json_t *o = tx_policy_doc(p);

    json_object_set_new(o, "current", json_boolean(current));
    return o;
}

/* --plan-days DAYS (days) or --max-overdue N: a whole number into o. */
static int
set_plan_rule(json_t *o, int days, const char *arg)
{
    const char *flag = days ? "--plan-days" : "--max-overdue";
    double v;
    int rc = parse_number(flag, arg, 0, days ? TX_POLICY_MAX_DAYS : 100000, &v);

    if (rc == TX_OK && v != (json_int_t)v) {
        rc = tx_fail(TX_ERR_USAGE, "%s %s: a whole number", flag, arg);
    }
    if (rc == TX_OK) {
        json_object_set_new(o, days ? "plan_days" : "max_overdue", json_integer((json_int_t)v));
    }
    return rc;
}

static int
policy_set(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"accept", required_argument, NULL, 'a'},
                                         {"level", required_argument, NULL, 'l'},
                                         {"area", required_argument, NULL, 'r'},
                                         {"overall", required_argument, NULL, 'o'},
                                         {"within", required_argument, NULL, 'w'},
                                         {"grace", required_argument, NULL, 'g'},
                                         {"verified", no_argument, NULL, 'v'},
                                         {"sub-suppliers", no_argument, NULL, 's'},
                                         {"plan-days", required_argument, NULL, 'P'},
                                         {"max-overdue", required_argument, NULL, 'M'},
                                         {"name", required_argument, NULL, 'n'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    json_t *o = json_object(), *creds = json_array(), *areas = json_object();
    const char *name = NULL;
    tx_policy_rules rules;
    tx_client *c = NULL;
    tx_policy p;
    int opt, rc = TX_OK, flags = 0, version = 0;
    double v;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        flags += opt != 'n' && opt != 'J' && opt != 'q' && opt < 0x100;
        switch (opt) {
        case 'a':
            rc = add_accept(creds, optarg);
            break;
        case 'r':
            rc = add_area(areas, optarg);
            break;
        case 'l':
            if ((rc = parse_number("--level", optarg, 0, 99, &v)) == TX_OK) {
                json_object_set_new(o, "level", json_integer((json_int_t)v));
                rc = v == (json_int_t)v
                         ? TX_OK
                         : tx_fail(TX_ERR_USAGE, "--level %s: a whole number", optarg);
            }
            break;
        case 'o':
            if ((rc = parse_number("--overall", optarg, 0, 100, &v)) == TX_OK) {
                json_object_set_new(o, "overall", json_real(v));
            }
            break;
        case 'w':
        case 'g':
            if ((rc = parse_number(opt == 'w' ? "--within" : "--grace", optarg, opt == 'w' ? 1 : 0,
                                   TX_POLICY_MAX_DAYS, &v)) == TX_OK) {
                if (v != (json_int_t)v) {
                    rc = tx_fail(TX_ERR_USAGE, "%s %s: a whole number of days",
                                 opt == 'w' ? "--within" : "--grace", optarg);
                }
                json_object_set_new(o, opt == 'w' ? "within_days" : "report_grace_days",
                                    json_integer((json_int_t)v));
            }
            break;
        case 'P':
        case 'M':
            rc = set_plan_rule(o, opt == 'P', optarg);
            break;
        case 'v':
            json_object_set_new(o, "verified", json_true());
            break;
        case 's':
            json_object_set_new(o, "sub_suppliers", json_true());
            break;
        case 'n':
            name = optarg;
            break;
        default:
            rc = tx_cli_common_opt(g, opt, "policy set");
        }
    }
    if (json_array_size(creds)) {
        json_object_set(o, "credentials", creds);
    }
    if (json_object_size(areas)) {
        json_object_set(o, "areas", areas);
    }
    optind++; /* the word "set" */
    if (rc == TX_OK && optind < argc) {
        /* From a file: the options are the file's, only --name may override its name. */
        uint8_t *text = NULL;
        size_t len = 0;

        if (flags || optind + 1 < argc) {
            rc = tx_fail(TX_ERR_USAGE, "policy set: give a FILE or rule options, not both; %s",
                         _(usage_policy));
        } else if ((rc = tx_file_read(argv[optind], TX_POLICY_MAX_BYTES, &text, &len)) != TX_OK) {
            rc = rc == TX_ERR_TOO_LARGE ? tx_fail(rc, "%s: a policy has at most %d bytes",
                                                  argv[optind], TX_POLICY_MAX_BYTES)
                                        : tx_fail(rc, "cannot read %s", argv[optind]);
        } else {
            rc = tx_policy_rules_parse(argv[optind], text, len, 0, &rules);
        }
        free(text);
    } else if (rc == TX_OK) {
        if (flags == 0) {
            rc = tx_fail(TX_ERR_USAGE, "policy set: give a policy FILE or at least one rule; %s",
                         _(usage_policy));
        } else {
            rc = tx_policy_rules_from_json(o, 0, &rules);
        }
    }
    json_decref(o);
    json_decref(creds);
    json_decref(areas);
    if (rc == TX_OK && name != NULL) {
        if (strlen(name) >= TX_POLICY_NAME_MAX || !tx_utf8_valid(name, strlen(name))) {
            rc =
                tx_fail(TX_ERR_USAGE, "--name: a text of at most %d bytes", TX_POLICY_NAME_MAX - 1);
        } else {
            snprintf(rules.name, sizeof rules.name, "%s", name);
        }
    }
    if (rc == TX_OK && (rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = tx_policy_store_add(tx_client_home(c), &rules, tx_now(), &version)) == TX_OK &&
        (rc = tx_policy_store_get(tx_client_home(c), version, &p)) == TX_OK) {
        if (g->json) {
            rc = tx_cli_print_json(policy_json(&p, 1));
        } else if (g->quiet) {
            printf("%d\n", version);
        } else {
            print_policy(&p, 1);
        }
    }
    tx_client_destroy(&c);
    return rc;
}

static int
policy_show(tx_cli *g, tx_home *home, const char *which)
{
    tx_policy p;
    int current, version = 0, rc;

    if ((rc = tx_policy_store_current(home, &current)) != TX_OK) {
        return rc;
    }
    if (which != NULL && (rc = parse_version(which, 0, &version)) != TX_OK) {
        return rc;
    }
    if (which == NULL) {
        version = current;
        if (version == 0) {
            if (g->json) {
                return puts("null") < 0 ? tx_fail(TX_ERR_IO, "cannot write to standard output")
                                        : TX_OK;
            }
            if (!g->quiet) {
                printf("%s\n", _("no acceptance policy is in force: reports judge no supplier "
                                 "against one (ticsx policy set)"));
            }
            return TX_OK;
        }
    }
    if ((rc = tx_policy_store_get(home, version, &p)) != TX_OK) {
        return rc;
    }
    if (g->json) {
        return tx_cli_print_json(policy_json(&p, version == current));
    }
    print_policy(&p, version == current);
    return TX_OK;
}

static int
policy_list(tx_cli *g, tx_home *home)
{
    int *vs = NULL, current, rc;
    size_t n = 0;
    json_t *arr = json_array();

    if ((rc = tx_policy_store_current(home, &current)) != TX_OK ||
        (rc = tx_policy_store_list(home, &vs, &n)) != TX_OK) {
        json_decref(arr);
        return rc;
    }
    if (!g->json && !g->quiet && n == 0) {
        printf("%s\n", _("no acceptance policy yet (ticsx policy set)"));
    }
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        tx_policy p;
        char d[16];

        if ((rc = tx_policy_store_get(home, vs[i], &p)) != TX_OK) {
            break;
        }
        tx_format_date(d, sizeof d, p.set);
        if (g->json) {
            json_array_append_new(
                arr, json_pack("{s:i,s:s,s:o,s:b}", "version", p.version, "set", d, "name",
                               p.rules.name[0] ? json_string(p.rules.name) : json_null(), "current",
                               p.version == current));
        } else if (g->quiet) {
            printf("%d\n", p.version);
        } else {
            printf("%c %4d  %s  %s\n", p.version == current ? '*' : ' ', p.version, d,
                   p.rules.name[0] ? p.rules.name : "-");
        }
    }
    free(vs);
    if (rc == TX_OK && g->json) {
        return tx_cli_print_json(arr);
    }
    json_decref(arr);
    if (rc == TX_OK && !g->json && !g->quiet && n > 0) {
        printf("%s\n", current ? _("* the version in force") : _("no version is in force"));
    }
    return rc;
}

static int
policy_use(tx_cli *g, tx_home *home, const char *which)
{
    int version = 0, rc;

    if ((rc = parse_version(which, 1, &version)) != TX_OK ||
        (rc = tx_policy_store_use(home, version)) != TX_OK) {
        return rc;
    }
    if (g->json) {
        return tx_cli_print_json(
            json_pack("{s:o}", "current", version ? json_integer(version) : json_null()));
    }
    if (!g->quiet) {
        if (version) {
            printf(_("acceptance policy %d is in force\n"), version);
        } else {
            printf("%s\n", _("no acceptance policy is in force"));
        }
    }
    return TX_OK;
}

/* The sub-command: the first word after "policy" that is neither an option nor the value of a
 * global option (options may come before it: ticsx policy --lang ja show). */
static const char *
find_sub(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--home") == 0 || strcmp(argv[i], "--hub") == 0 ||
            strcmp(argv[i], "--hub-key") == 0 || strcmp(argv[i], "--timeout") == 0 ||
            strcmp(argv[i], "--lang") == 0) {
            i++;
        } else if (argv[i][0] != '-') {
            return argv[i];
        }
    }
    return "";
}

int
tx_cmd_policy(tx_cli *g, int argc, char **argv)
{
    const char *sub = find_sub(argc, argv);
    tx_client *c = NULL;
    int rc;

    if (strcmp(sub, "set") == 0) {
        return policy_set(g, argc, argv);
    }
    /* Options first (--help prints the usage and exits), then the words. */
    if ((rc = tx_cli_common_only(g, argc, argv, "policy")) != TX_OK) {
        return rc;
    }
    if ((strcmp(sub, "use") == 0 && optind + 2 != argc) ||
        (strcmp(sub, "show") == 0 && optind + 2 < argc) ||
        (strcmp(sub, "list") == 0 && optind + 1 != argc) ||
        (strcmp(sub, "use") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "list") != 0)) {
        return tx_fail(TX_ERR_USAGE, "%s", _(usage_policy));
    }
    if ((rc = tx_cli_open(g, &c)) != TX_OK) {
        return rc;
    }
    if (strcmp(sub, "show") == 0) {
        rc = policy_show(g, tx_client_home(c), optind + 1 < argc ? argv[optind + 1] : NULL);
    } else if (strcmp(sub, "list") == 0) {
        rc = policy_list(g, tx_client_home(c));
    } else {
        rc = policy_use(g, tx_client_home(c), argv[optind + 1]);
    }
    tx_client_destroy(&c);
    /* A version that is not there is a mistake in the command line: exit 2, not 1. */
    return rc == TX_ERR_NOT_FOUND ? TX_ERR_USAGE : rc;
}

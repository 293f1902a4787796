/* ticsx campaign list|show N|run [--dry-run]|stop N: requests repeated on a period, started by
 * `request --every`, with their response rate (answered of asked, from the cache). */
#include "cli.h"

#include "tx_campaign.h"
#include "tx_cell.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_util.h"
#include "tx_verify.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE "usage: ticsx campaign list | show N | run [--dry-run] | stop N"

static int
parse_number(const char *s, unsigned *out)
{
    char *end;
    unsigned long n;

    errno = 0;
    n = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != 0 || s[0] == '-' || n < 1 || n > TX_CAMPAIGN_MAX_NUMBER) {
        return tx_fail(TX_ERR_USAGE,
                       "campaign %s: give a campaign's number (see ticsx campaign "
                       "list)",
                       s);
    }
    *out = (unsigned)n;
    return TX_OK;
}

/* The requests of this organisation with their progress, for the rates; none when the cache
 * cannot be verified (the rates then read 0 of 0, with a warning). */
static void
load_progress(tx_client *c, tx_verdicts *vs, tx_progress *p)
{
    if (tx_verify_all(tx_client_home(c), NULL, vs) != TX_OK ||
        tx_progress_load(tx_client_home(c), vs, 0, p) != TX_OK) {
        fprintf(stderr, _("ticsx: response rates unknown: %s\n"), tx_fail_msg());
        tx_fail_clear();
    }
}

static json_t *
campaign_json(const tx_campaign *k, const tx_progress *p)
{
    size_t answered, asked;
    json_t *to = json_array(), *reqs = tx_campaign_json_rates(k, p, &answered, &asked);
    char every[16];

    for (size_t i = 0; i < k->n_to; i++) {
        json_array_append_new(to, json_string(k->to[i]));
    }
    tx_period_format(&k->every, every, sizeof every);
    return json_pack(
        "{s:i,s:s,s:o,s:i,s:s,s:o,s:o,s:o,s:b,s:I,s:I,s:o,s:o}", "number", (int)k->number,
        "questionnaire", k->questionnaire, "to", to, "depth", (int)k->depth, "every", every,
        "due_days", k->due_days ? json_integer(k->due_days) : json_null(), "started",
        tx_json_date(k->started), "next", tx_json_date(k->next), "stopped", k->stopped, "answered",
        (json_int_t)answered, "asked", (json_int_t)asked, "response_rate",
        asked ? json_real((double)answered / (double)asked) : json_null(), "requests", reqs);
}

static void
print_line(const tx_campaign *k, const tx_progress *p)
{
    size_t answered, asked;
    char next[16], every[16];

    json_decref(tx_campaign_json_rates(k, p, &answered, &asked));
    tx_format_date(next, sizeof next, k->next);
    tx_period_format(&k->every, every, sizeof every);
    printf("%-5u %-5s ", k->number, every);
    tx_put_cell(stdout, k->stopped ? _("stopped") : next, 10);
    printf(" %-24s ", k->questionnaire);
    printf(_("%zu sent, %zu/%zu answered"), k->n_sent, answered, asked);
    if (asked != 0) {
        printf(" (%zu%%)", (answered * 100 + asked / 2) / asked);
    }
    putchar('\n');
}

static void
print_show(const tx_campaign *k, const tx_progress *p)
{
    json_t *reqs = tx_campaign_json_rates(k, p, NULL, NULL);

    print_line(k, p);
    printf("  %s", _("to:"));
    for (size_t i = 0; i < k->n_to; i++) {
        printf("%s %s", i ? "," : "", k->to[i]);
    }
    putchar('\n');
    for (size_t i = 0; i < json_array_size(reqs); i++) {
        const json_t *r = json_array_get(reqs, i);
        printf("  %.16s  %s  %lld/%lld\n", json_string_value(json_object_get(r, "id")),
               json_string_value(json_object_get(r, "date")),
               (long long)json_integer_value(json_object_get(r, "answered")),
               (long long)json_integer_value(json_object_get(r, "asked")));
    }
    json_decref(reqs);
}

static int
list_or_show(tx_cli *g, tx_client *c, unsigned only)
{
    tx_verdicts vs = {0};
    tx_progress p = {0};
    tx_campaign *v = NULL;
    size_t n = 0;
    json_t *arr = json_array();
    int rc = tx_campaign_list(tx_home_dir(tx_client_home(c)), &v, &n);

    if (rc == TX_OK && only != 0) {
        int found = 0;
        for (size_t i = 0; i < n; i++) {
            found |= v[i].number == only;
        }
        rc = found ? TX_OK
                   : tx_fail(TX_ERR_NOT_FOUND, "no campaign %u: see ticsx campaign list", only);
    }
    if (rc == TX_OK) {
        load_progress(c, &vs, &p);
    }
    if (rc == TX_OK && !g->json && n == 0) {
        printf("%s\n", _("no campaigns: start one with ticsx request ... --every 12m"));
    }
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        if (only != 0 && v[i].number != only) {
            continue;
        }
        if (g->json) {
            json_array_append_new(arr, campaign_json(&v[i], &p));
        } else if (only != 0) {
            print_show(&v[i], &p);
        } else {
            print_line(&v[i], &p);
        }
    }
    if (rc == TX_OK && g->json) {
        rc = only != 0 ? tx_cli_print_json(json_incref(json_array_get(arr, 0)))
                       : tx_cli_print_json(json_pack("{s:O}", "campaigns", arr));
    }
    json_decref(arr);
    tx_campaigns_free(v, n);
    tx_progress_free(&p);
    tx_verdicts_free(&vs);
    return rc;
}

static int
stop(tx_cli *g, tx_client *c, unsigned number)
{
    const char *home = tx_home_dir(tx_client_home(c));
    tx_campaign k = {0};
    int fd = -1, rc;

    if ((rc = tx_campaign_lock(home, &fd)) == TX_OK &&
        (rc = tx_campaign_load(home, number, &k)) == TX_OK && !k.stopped) {
        k.stopped = 1;
        rc = tx_campaign_save(home, &k);
    }
    tx_campaign_unlock(fd);
    if (rc == TX_OK && !g->quiet) {
        fprintf(stderr, _("campaign %u stopped: no more requests will be sent\n"), number);
    }
    tx_campaign_free(&k);
    return rc;
}

static int
run(tx_cli *g, tx_client *c, int dry)
{
    tx_campaign_run_result r = {0};
    int rc = tx_campaign_run(c, dry, 0, &r);
    json_t *arr = json_array();

    for (size_t i = 0; i < r.n; i++) {
        const tx_campaign_step *st = &r.v[i];
        char hex[2 * TX_ID_LEN + 1] = "", due[16] = "-";

        if (st->sent && !dry) {
            tx_hex(hex, st->request, TX_ID_LEN);
        }
        if (st->due) {
            tx_format_date(due, sizeof due, st->due);
        }
        if (g->json) {
            json_array_append_new(arr,
                                  json_pack("{s:i,s:b,s:o,s:I,s:o,s:o}", "number", (int)st->number,
                                            "sent", st->sent && !dry, "request", tx_json_str(hex),
                                            "suppliers", (json_int_t)st->n_suppliers, "due",
                                            tx_json_date(st->due), "error", tx_json_str(st->why)));
        } else if (st->rc != TX_OK) {
            fprintf(stderr, _("campaign %u: not sent: %s\n"), st->number, st->why);
        } else if (dry) {
            printf(_("campaign %u: would send a request to %zu suppliers, due %s\n"), st->number,
                   st->n_suppliers, due);
        } else {
            printf(_("campaign %u: request %s sent to %zu suppliers, due %s\n"), st->number, hex,
                   st->n_suppliers, due);
        }
    }
    if (g->json) {
        tx_cli_print_json(json_pack("{s:b,s:O}", "dry_run", dry, "campaigns", arr));
    } else if (r.n == 0 && !g->quiet) {
        fprintf(stderr, "%s\n", _("no campaign is due: nothing sent"));
    }
    json_decref(arr);
    tx_campaign_run_free(&r);
    return rc;
}

int
tx_cmd_campaign(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"dry-run", no_argument, NULL, 'n'}, TX_CLI_COMMON_OPTS, {NULL, 0, NULL, 0}};
    tx_client *c = NULL;
    const char *sub;
    unsigned number = 0;
    int dry = 0, opt, rc = TX_OK;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        rc = opt == 'n' ? (dry = 1, TX_OK) : tx_cli_common_opt(g, opt, "campaign");
    }
    if (rc != TX_OK) {
        return rc;
    }
    sub = optind < argc ? argv[optind] : "";
    if (strcmp(sub, "show") == 0 || strcmp(sub, "stop") == 0) {
        if (argc - optind != 2) {
            return tx_fail(TX_ERR_USAGE, USAGE);
        }
        rc = parse_number(argv[optind + 1], &number);
    } else if ((strcmp(sub, "list") != 0 && strcmp(sub, "run") != 0) || argc - optind != 1) {
        return tx_fail(TX_ERR_USAGE, USAGE);
    }
    if (rc == TX_OK && dry && strcmp(sub, "run") != 0) {
        rc = tx_fail(TX_ERR_USAGE, "--dry-run goes with campaign run");
    }
    if (rc == TX_OK && (rc = tx_cli_open(g, &c)) == TX_OK) {
        rc = strcmp(sub, "run") == 0    ? run(g, c, dry)
             : strcmp(sub, "stop") == 0 ? stop(g, c, number)
                                        : list_or_show(g, c, number);
    }
    tx_client_destroy(&c);
    return rc;
}

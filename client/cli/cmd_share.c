/* ticsx grant, revoke, watch: sharing an assessment with more buyers, withdrawing it, and
 * waiting for what the hub pushes. */
#include "cli.h"

#include "tx_error.h"
#include "tx_grant.h"
#include "tx_inbox.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_util.h"
#include "tx_watch.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TO 1000
#define DAY 86400

static json_t *
items_json(const tx_grant_result *res, int64_t until)
{
    json_t *arr = json_array();
    char d[16];

    for (size_t i = 0; i < res->n; i++) {
        const tx_grant_item *it = &res->v[i];
        json_t *o = json_pack("{s:o,s:{s:s,s:s,s:o}}", "record", tx_json_hex(it->record, TX_ID_LEN),
                              "grantee", "name", it->name, "fingerprint", it->fingerprint, "key",
                              tx_json_hex(it->grantee, TX_KEY_LEN));
        if (until != 0) {
            tx_format_date(d, sizeof d, until);
            json_object_set_new(o, "until", json_string(d));
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

static void
dump(json_t *j)
{
    json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(j);
}

int
tx_cmd_grant(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"to", required_argument, NULL, 'T'},
                                         {"until", required_argument, NULL, 'U'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    const char **to = calloc(MAX_TO, sizeof *to);
    tx_grant_args a = {0};
    tx_grant_result res = {0};
    tx_client *c = NULL;
    char hex[2 * TX_ID_LEN + 1], d[16];
    int opt, rc = TX_OK;

    if (to == NULL) {
        return TX_ERR_NOMEM;
    }
    a.to = to;
    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'T') {
            rc = tx_cli_split_names(optarg, to, &a.n_to, MAX_TO, "buyers at once");
        } else if (opt == 'U') {
            /* Through the end of that day (UTC). */
            if (tx_parse_time(optarg, &a.until) != TX_OK) {
                rc = tx_fail(TX_ERR_USAGE, "--until %s: give a date as YYYY-MM-DD", optarg);
            }
            a.until += DAY - 1;
        } else {
            rc = tx_cli_common_opt(g, opt, "grant");
        }
    }
    if (rc == TX_OK && (a.n_to == 0 || optind + 1 != argc)) {
        rc = tx_fail(TX_ERR_USAGE, "usage: ticsx grant ASSESSMENT --to BUYER[,BUYER...] "
                                   "[--until DATE]");
    }
    if (rc == TX_OK) {
        a.assessment = argv[optind];
    }
    if (rc == TX_OK && (rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = tx_grant_submit(c, &a, &res)) == TX_OK) {
        tx_hex(hex, res.assessment, TX_ID_LEN);
        if (g->json) {
            dump(json_pack("{s:s,s:o}", "assessment", hex, "grants", items_json(&res, a.until)));
        } else {
            for (size_t i = 0; i < res.n; i++) {
                char rec[2 * TX_ID_LEN + 1];
                tx_hex(rec, res.v[i].record, TX_ID_LEN);
                printf("%s\n", rec);
                if (!g->quiet) {
                    fprintf(stderr, "assessment %.12s granted to %s (%s)", hex,
                            res.v[i].name[0] ? res.v[i].name : "?", res.v[i].fingerprint);
                    if (a.until != 0) {
                        tx_format_date(d, sizeof d, a.until);
                        fprintf(stderr, " until %s", d);
                    }
                    fputc('\n', stderr);
                }
            }
        }
    }
    tx_grant_result_free(&res);
    tx_client_destroy(&c);
    free(to);
    return rc;
}

int
tx_cmd_revoke(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"from", required_argument, NULL, 'F'}, TX_CLI_COMMON_OPTS, {NULL, 0, NULL, 0}};
    const char *from = NULL;
    tx_grant_result res = {0};
    tx_client *c = NULL;
    char hex[2 * TX_ID_LEN + 1], rec[2 * TX_ID_LEN + 1];
    int opt, rc = TX_OK;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'F') {
            from = optarg;
        } else {
            rc = tx_cli_common_opt(g, opt, "revoke");
        }
    }
    if (rc == TX_OK && (from == NULL || optind + 1 != argc)) {
        rc = tx_fail(TX_ERR_USAGE, "usage: ticsx revoke ASSESSMENT --from BUYER");
    }
    if (rc == TX_OK && (rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = tx_revoke_submit(c, argv[optind], from, &res)) == TX_OK) {
        tx_hex(hex, res.assessment, TX_ID_LEN);
        if (g->json) {
            dump(json_pack("{s:s,s:o}", "assessment", hex, "revocations", items_json(&res, 0)));
        } else {
            for (size_t i = 0; i < res.n; i++) {
                tx_hex(rec, res.v[i].record, TX_ID_LEN);
                printf("%s\n", rec);
            }
            if (!g->quiet && res.n > 0) {
                fprintf(stderr,
                        "assessment %.12s revoked from %s (%s): the hub no longer serves it to "
                        "them, and their verify reports the revocation\n",
                        hex, res.v[0].name[0] ? res.v[0].name : "?", res.v[0].fingerprint);
            }
        }
    }
    tx_grant_result_free(&res);
    tx_client_destroy(&c);
    return rc;
}

static volatile sig_atomic_t watch_stop;

static void
on_stop(int sig)
{
    (void)sig;
    watch_stop = 1;
}

typedef struct {
    tx_cli *g;
} watch_ctx;

static void
watch_ready(void *ctx)
{
    const watch_ctx *w = ctx;

    if (!w->g->quiet && !w->g->json) {
        fprintf(stderr, "watching for requests, grants and revocations (ctrl-c stops)\n");
    }
}

static int
watch_show(void *ctx, const tx_inbox_entry *e)
{
    const watch_ctx *w = ctx;
    int rc = tx_inbox_print_line(stdout, e, w->g->json, w->g->quiet);

    /* Each record as it comes, even into a pipe. */
    if (rc == TX_OK && fflush(stdout) != 0) {
        rc = tx_fail(TX_ERR_IO, "cannot write to standard output");
    }
    return rc;
}

static int
parse_count(const char *opt, const char *s, long max, long *out)
{
    char *end;

    errno = 0;
    *out = strtol(s, &end, 10);
    if (errno != 0 || *end != 0 || *out < 1 || *out > max) {
        return tx_fail(TX_ERR_USAGE, "%s %s: give a number from 1 to %ld", opt, s, max);
    }
    return TX_OK;
}

int
tx_cmd_watch(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"count", required_argument, NULL, 'n'},
                                         {"for", required_argument, NULL, 'f'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    tx_watch_opts o = {0};
    watch_ctx ctx = {g};
    struct sigaction sa, old_int, old_term;
    tx_client *c = NULL;
    long v;
    int opt, rc = TX_OK;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'n') {
            rc = parse_count("--count", optarg, 1000000, &v);
            o.count = (size_t)v;
        } else if (opt == 'f') {
            rc = parse_count("--for", optarg, 31 * DAY, &v);
            o.seconds = (int)v;
        } else {
            rc = tx_cli_common_opt(g, opt, "watch");
        }
    }
    if (rc == TX_OK && optind < argc) {
        rc = tx_fail(TX_ERR_USAGE, "usage: ticsx watch [--count N] [--for SECONDS]");
    }
    if (rc != TX_OK) {
        return rc;
    }
    watch_stop = 0;
    o.stop = &watch_stop;
    o.ready = watch_ready;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    if ((rc = tx_cli_open(g, &c)) == TX_OK) {
        rc = tx_watch_run(c, &o, watch_show, &ctx, NULL);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    tx_client_destroy(&c);
    return rc;
}

int
tx_cli_answer_reuse(tx_cli *g, const char *request, const char *assessment)
{
    tx_grant_result res = {0};
    tx_client *c = NULL;
    char hex[2 * TX_ID_LEN + 1], rq[2 * TX_ID_LEN + 1], rec[2 * TX_ID_LEN + 1];
    int rc;

    if ((rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = tx_grant_reuse(c, request, assessment, &res)) == TX_OK && res.n == 1) {
        const tx_grant_item *it = &res.v[0];
        tx_hex(hex, res.assessment, TX_ID_LEN);
        tx_hex(rq, res.request, TX_ID_LEN);
        tx_hex(rec, it->record, TX_ID_LEN);
        if (g->json) {
            dump(json_pack("{s:s,s:s,s:s,s:b,s:b,s:{s:s,s:s,s:o}}", "assessment", hex, "grant", rec,
                           "request", rq, "reused", 1, "already_answered", it->existing, "grantee",
                           "name", it->name, "fingerprint", it->fingerprint, "key",
                           tx_json_hex(it->grantee, TX_KEY_LEN)));
        } else {
            printf("%s\n", hex);
            if (!g->quiet) {
                fprintf(stderr, "%s: request %.12s of %s answered with assessment %.12s%s\n",
                        it->existing ? "nothing to do" : "shared", rq,
                        it->name[0] ? it->name : it->fingerprint, hex,
                        it->existing ? " already" : " (no answers typed again)");
            }
        }
    }
    tx_grant_result_free(&res);
    tx_client_destroy(&c);
    return rc;
}

void
tx_answer_share_json(json_t *j, const tx_answer_result *res)
{
    json_object_set_new(j, "supersedes",
                        res->supersedes ? tx_json_hex(res->superseded, TX_ID_LEN) : json_null());
    json_object_set_new(j, "regranted", json_integer((json_int_t)res->n_regranted));
    json_object_set_new(j, "suppliers", json_integer((json_int_t)res->n_suppliers));
    json_object_set_new(j, "older",
                        res->has_older ? tx_json_hex(res->older, TX_ID_LEN) : json_null());
}

void
tx_answer_share_note(FILE *f, const tx_answer_result *res)
{
    char old[2 * TX_ID_LEN + 1];

    if (res->n_suppliers > 0) {
        fprintf(f, "it lists %zu sub-supplier%s (encrypted with the answers)\n", res->n_suppliers,
                res->n_suppliers == 1 ? "" : "s");
    }
    if (res->supersedes) {
        tx_hex(old, res->superseded, TX_ID_LEN);
        fprintf(f, "it supersedes %.12s; granted to %zu more reader%s of that one\n", old,
                res->n_regranted, res->n_regranted == 1 ? "" : "s");
    } else if (res->has_older) {
        tx_hex(old, res->older, TX_ID_LEN);
        fprintf(f,
                "note: assessment %.12s of this organisation answers the same questionnaire and "
                "stays current beside the new one (answer --reuse %.12s shares an existing one; "
                "--supersedes %.12s replaces it)\n",
                old, old, old);
    }
}

/* ticsx questionnaire list | show | template | import | main. */
#include "cli.h"

#include "tx_answer_file.h"
#include "tx_cell.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_import.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_qref.h"
#include "tx_questionnaire.h"
#include "tx_report_scope.h"
#include "tx_rpc.h"
#include "tx_util.h"
#include "tx_xlsx_template.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
dump(json_t *root, FILE *f)
{
    int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

    fputc('\n', f);
    json_decref(root);
    return rc == 0 ? TX_OK : tx_fail(TX_ERR_IO, "cannot write the output");
}

/* A hub key is configured: published questionnaires can be listed. */
static int
hub_configured(const tx_cli *g)
{
    const char *env = getenv("TICSX_HUB_KEY");
    return (g->hub_key != NULL && *g->hub_key) || (env != NULL && *env);
}

/* A {"ja", "en"} title in the language of texts, the other one when it is empty. */
static const char *
title_in(const json_t *t, int ja)
{
    const char *first = json_string_value(json_object_get(t, ja ? "ja" : "en"));
    const char *other = json_string_value(json_object_get(t, ja ? "en" : "ja"));

    return first != NULL && first[0] ? first : other != NULL ? other : "";
}

/* A questionnaire's provenance for JSON: {"ja", "en"}, or null when it says none. */
static json_t *
provenance_json(const tx_questionnaire_pb *q)
{
    return tx_questionnaire_has_provenance(q) ? tx_json_text(q->provenance) : json_null();
}

/* The JSON (titles in both languages: the same document whatever --lang says) and the table. */
static int
cmd_list(tx_cli *g)
{
    int kinds[2] = {TX_KIND_QUESTIONNAIRE, TX_KIND_PROFILE};
    tx_recs l[2] = {{0}};
    tx_orgs orgs = {0};
    tx_client *c = NULL;
    json_t *arr = json_array();
    size_t builtins = 0;
    int rc = TX_OK;

    for (size_t i = 0; tx_questionnaire_builtin_name(i) != NULL; i++) {
        tx_questionnaire_pb *q;
        if ((rc = tx_questionnaire_builtin(tx_questionnaire_builtin_name(i), &q)) != TX_OK) {
            goto out;
        }
        json_array_append_new(arr,
                              json_pack("{s:s,s:I,s:o,s:n,s:n,s:I,s:b,s:o}", "id", q->id, "version",
                                        (json_int_t)q->version, "title", tx_json_text(q->title),
                                        "record", "publisher", "items", (json_int_t)q->n_items,
                                        "builtin", 1, "provenance", provenance_json(q)));
        tx_free(q);
    }
    if (hub_configured(g)) {
        if ((rc = tx_cli_open(g, &c)) != TX_OK ||
            (rc = tx_rpc_list(c, 2, kinds, NULL, l)) != TX_OK ||
            (rc = tx_orgs_add(&orgs, &l[1])) != TX_OK) {
            goto out;
        }
        for (size_t i = 0; i < l[0].n; i++) {
            const tx_questionnaire_pb *q = (const tx_questionnaire_pb *)l[0].v[i].msg;
            const tx_org *o = tx_orgs_by_key(&orgs, tx_rec_signer(&l[0].v[i]));
            char hex[2 * TX_ID_LEN + 1];
            tx_hex(hex, l[0].v[i].id, TX_ID_LEN);
            json_array_append_new(arr, json_pack("{s:s,s:I,s:o,s:s,s:s,s:I,s:b,s:o}", "id", q->id,
                                                 "version", (json_int_t)q->version, "title",
                                                 tx_json_text(q->title), "record", hex, "publisher",
                                                 o != NULL ? o->name : "", "items",
                                                 (json_int_t)q->n_items, "builtin", 0, "provenance",
                                                 provenance_json(q)));
        }
    }
    if (g->json) {
        rc = dump(json_pack("{s:O}", "questionnaires", arr), stdout);
        goto out;
    }
    if (!g->quiet) {
        /* TRANSLATORS: column headers over 22, 12 and 5 display columns, two spaces between
         * (ITEMS right-aligned). */
        fputs(_("QUESTIONNAIRE           RECORD        ITEMS  TITLE\n"), stdout);
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const char *rec = json_string_value(json_object_get(e, "record"));
        char name[96];
        if (g->quiet) {
            printf("%s\n", rec != NULL ? rec : json_string_value(json_object_get(e, "id")));
            continue;
        }
        snprintf(name, sizeof name, "%s v%lld", json_string_value(json_object_get(e, "id")),
                 (long long)json_integer_value(json_object_get(e, "version")));
        tx_put_cell(stdout, name, 22);
        char items[24];
        snprintf(items, sizeof items, "%lld",
                 (long long)json_integer_value(json_object_get(e, "items")));
        fputs("  ", stdout);
        tx_put_cell(stdout, rec != NULL ? rec : _("built-in"), 12);
        fputs("  ", stdout);
        tx_put_rcell(stdout, items, 5);
        fputs("  ", stdout);
        tx_put_cell(stdout, title_in(json_object_get(e, "title"), g->ja), 33);
        fputc('\n', stdout);
        builtins += rec == NULL;
    }
    if (builtins > 0 && !g->quiet) {
        fputc('\n', stdout);
        tx_put_wrapped(stdout,
                       _("Built-in questionnaires are TICS-aligned and unofficial: written by the "
                         "ticsx project, not METI's self-check list nor the text of the criteria "
                         "(ticsx questionnaire show ID tells where each comes from)."),
                       0, 80, 0);
    }
out:
    json_decref(arr);
    tx_orgs_free(&orgs);
    tx_recs_clear(&l[0]);
    tx_recs_clear(&l[1]);
    tx_client_destroy(&c);
    return rc;
}

/* Resolves ID without the hub when it names a local questionnaire, else through the hub. */
static int
resolve(tx_cli *g, const char *arg, tx_qref *ref, tx_client **c)
{
    int rc = tx_qref_local(arg, &ref->q);

    if (rc != TX_ERR_NOT_FOUND) {
        return rc;
    }
    tx_fail_clear();
    if ((rc = tx_cli_open(g, c)) != TX_OK) {
        return rc;
    }
    return tx_qref_resolve(*c, arg, NULL, ref);
}

/* An item's topics under its text: "-> name (framework); ...". */
static void
show_item_topics(const tx_questionnaire_pb *q, const tx_item_pb *it, int ja, int indent)
{
    char line[2048];

    if (it->n_topics == 0) {
        return;
    }
    tx_questionnaire_item_topics_text(q, it, ja, _("; "), line, sizeof line);
    printf("%*s", indent, "");
    /* TRANSLATORS: before the list of topics an item serves, under the item's text. */
    fputs(_("-> "), stdout);
    tx_put_wrapped(stdout, line, indent + tx_display_width(_("-> ")), 80,
                   indent + tx_display_width(_("-> ")));
}

static void
show_text(const tx_questionnaire_pb *q, int ja)
{
    char buf[2048];

    snprintf(buf, sizeof buf, "%s v%u: %s", q->id, q->version, tx_text(q->title, ja));
    tx_put_wrapped(stdout, buf, 0, 80, 2);
    if (tx_questionnaire_has_provenance(q)) {
        fputs(_("provenance:\n"), stdout);
        fputs("  ", stdout);
        tx_put_wrapped(stdout, tx_text(q->provenance, ja), 2, 80, 2);
    } else {
        fputs(_("provenance: not stated by the questionnaire\n"), stdout);
    }
    fputs(_("answers:\n"), stdout);
    for (size_t i = 0; i < q->n_scale; i++) {
        const tx_choice_pb *c = q->scale[i];
        printf("  %-8s ", c->code);
        tx_put_cell(stdout, tx_text(c->label, ja), 28);
        fputc(' ', stdout);
        if (c->not_applicable) {
            fputs(_("(not applicable: left out of scores)\n"), stdout);
        } else {
            printf("%u%%\n", c->score_permille / 10);
        }
    }
    fputs(_("levels:\n"), stdout);
    for (size_t i = 0; i < q->n_levels; i++) {
        printf("  %u  %s\n", q->levels[i]->level, tx_text(q->levels[i]->name, ja));
    }
    if (q->n_topics > 0) {
        fputs(_("topics:\n"), stdout);
    }
    for (size_t i = 0; i < q->n_topics; i++) {
        const tx_topic_pb *t = q->topics[i];
        int at = printf("  %-20s ", t->id);
        snprintf(buf, sizeof buf, _("%s (%s)"), tx_text(t->name, ja),
                 tx_topic_framework_name(t->framework));
        tx_put_wrapped(stdout, buf, at, 80, 23);
    }
    for (size_t a = 0; a < q->n_areas; a++) {
        printf("\n%s %s\n", q->areas[a]->id, tx_text(q->areas[a]->name, ja));
        for (size_t i = 0; i < q->n_items; i++) {
            const tx_item_pb *it = q->items[i];
            if (strcmp(it->area, q->areas[a]->id) != 0) {
                continue;
            }
            int at = snprintf(buf, sizeof buf, "  %-8s ", it->id);
            /* TRANSLATORS: an item's level and weight before its text, e.g. "L1 w3 ". */
            snprintf(buf + at, sizeof buf - (size_t)at, _("L%1$u w%2$-3u "), it->level, it->weight);
            fputs(buf, stdout);
            tx_put_wrapped(stdout, tx_text(it->text, ja), tx_display_width(buf), 80,
                           tx_display_width(buf));
            show_item_topics(q, it, ja, tx_display_width(buf));
        }
    }
}

static int
cmd_show(tx_cli *g, const char *arg)
{
    tx_qref ref = {0};
    tx_client *c = NULL;
    int rc = resolve(g, arg, &ref, &c);

    if (rc == TX_OK) {
        if (g->json) {
            json_t *j = tx_questionnaire_to_json(ref.q);
            if (ref.published) {
                char hex[2 * TX_ID_LEN + 1];
                tx_hex(hex, ref.record.id, TX_ID_LEN);
                json_object_set_new(j, "record", json_string(hex));
            }
            rc = dump(j, stdout);
        } else {
            show_text(ref.q, g->ja);
        }
    }
    tx_qref_clear(&ref);
    tx_client_destroy(&c);
    return rc;
}

/* The organisation's main questionnaire: shown (arg NULL), set or cleared ("none"). */
static int
cmd_main(tx_cli *g, const char *arg)
{
    char id[TX_QUESTIONNAIRE_ID_MAX + 1] = "";
    tx_client *c = NULL;
    int rc = tx_cli_open(g, &c);

    if (rc == TX_OK && arg != NULL) {
        rc = tx_report_main_set(tx_client_home(c), strcmp(arg, "none") == 0 ? NULL : arg);
    }
    if (rc == TX_OK) {
        rc = tx_report_main_get(tx_client_home(c), id);
    }
    if (rc == TX_OK && g->json) {
        rc = dump(json_pack("{s:o}", "main", id[0] ? json_string(id) : json_null()), stdout);
    } else if (rc == TX_OK && g->quiet) {
        if (id[0]) {
            printf("%s\n", id);
        }
    } else if (rc == TX_OK && id[0]) {
        printf(_("main questionnaire: %s (reports show it alone; report --questionnaire ID shows "
                 "another)\n"),
               id);
    } else if (rc == TX_OK) {
        fputs(_("no main questionnaire: reports show each questionnaire in turn\n"), stdout);
    }
    tx_client_destroy(&c);
    return rc;
}

/* libxlsxwriter creates its file itself: it writes a temporary beside `out`, linked into place
 * only when complete and only if `out` does not exist. */
static int
write_xlsx(const char *out, const tx_questionnaire_pb *q, int ja, const char *qref)
{
    char tmp[PATH_MAX];
    int rc;

    if (access(out, F_OK) == 0) {
        return tx_fail(TX_ERR_EXISTS, "%s exists: remove it or choose another --out", out);
    }
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid()) >= (int)sizeof tmp) {
        return tx_fail(TX_ERR_USAGE, "path too long: %s", out);
    }
    rc = tx_xlsx_template(tmp, q, ja, qref);
    if (rc == TX_OK && link(tmp, out) != 0) {
        rc = errno == EEXIST
                 ? tx_fail(TX_ERR_EXISTS, "%s exists: remove it or choose another --out", out)
                 : tx_fail(TX_ERR_IO, "cannot write %s: %s", out, strerror(errno));
    }
    unlink(tmp);
    return rc;
}

static int
cmd_template(tx_cli *g, const char *arg, const char *out, const char *format)
{
    tx_qref ref = {0};
    tx_client *c = NULL;
    char qhex[2 * TX_ID_LEN + 1] = "";
    char tmp[PATH_MAX], codes[160];
    FILE *f = NULL;
    int json, rc;

    if (format != NULL && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0 &&
        strcmp(format, "xlsx") != 0) {
        return tx_fail(TX_ERR_USAGE, "--format %s: use csv, json or xlsx", format);
    }
    json = format != NULL
               ? strcmp(format, "json") == 0
               : out != NULL && strlen(out) > 5 && strcmp(out + strlen(out) - 5, ".json") == 0;
    int xlsx = format != NULL
                   ? strcmp(format, "xlsx") == 0
                   : out != NULL && strlen(out) > 5 && strcmp(out + strlen(out) - 5, ".xlsx") == 0;
    if (xlsx && out == NULL) {
        return tx_fail(TX_ERR_USAGE, "--format xlsx writes a file: give --out FILE.xlsx");
    }
    if ((rc = resolve(g, arg, &ref, &c)) != TX_OK) {
        goto done;
    }
    if (ref.published) {
        tx_hex(qhex, ref.record.id, TX_ID_LEN);
    }
    if (xlsx) {
        rc = write_xlsx(out, ref.q, g->ja, qhex);
        if (rc == TX_OK && !g->quiet) {
            tx_questionnaire_codes(ref.q, codes, sizeof codes);
            fprintf(stderr,
                    _("wrote %1$s: %2$s v%3$u, %4$zu items; pick an answer in the answer column "
                      "(or type %5$s), then run ticsx answer REQUEST --file %1$s\n"),
                    out, ref.q->id, ref.q->version, ref.q->n_items, codes);
        }
        goto done;
    }
    if ((rc = tx_cli_open_out(out, 0, &f, tmp, sizeof tmp)) != TX_OK) {
        goto done;
    }
    rc = tx_answers_template(f, ref.q, qhex, json);
    rc = tx_cli_commit_out(out, f, tmp, rc);
    if (rc == TX_OK && out != NULL && !g->quiet) {
        tx_questionnaire_codes(ref.q, codes, sizeof codes);
        fprintf(stderr,
                _("wrote %1$s: %2$s v%3$u, %4$zu items; fill in the answer column with %5$s, "
                  "then run ticsx answer REQUEST --file %1$s\n"),
                out, ref.q->id, ref.q->version, ref.q->n_items, codes);
    }
done:
    tx_qref_clear(&ref);
    tx_client_destroy(&c);
    return rc;
}

/* Lists every bad row of a refused sheet (and of its topics file) on standard error. */
static void
print_import_errors(const char *sheet, const char *topics, const tx_import_errors *errs)
{
    const char *file = sheet;

    for (size_t i = 0; i < errs->n; i++) {
        const tx_import_error *e = &errs->v[i];
        file = e->in_topics && topics != NULL ? topics : sheet;
        if (e->item[0]) {
            fprintf(stderr, _("ticsx: %s line %u (%s): %s\n"), file, e->line, e->item, e->what);
        } else {
            fprintf(stderr, _("ticsx: %s line %u: %s\n"), file, e->line, e->what);
        }
    }
    if (errs->total > errs->n) {
        fprintf(stderr, _("ticsx: %s: %zu more bad rows not listed\n"), sheet,
                errs->total - errs->n);
    }
}

static int
cmd_import(tx_cli *g, const char *file, const tx_import_opts *o, const char *out, int publish)
{
    int kind = TX_KIND_QUESTIONNAIRE, already = -1;
    tx_questionnaire_pb *q = NULL;
    tx_import_errors errs = {0};
    tx_recs published = {0};
    tx_client *c = NULL;
    uint8_t *env = NULL, id[TX_ID_LEN];
    size_t len = 0;
    uint64_t seq;
    char hex[2 * TX_ID_LEN + 1], tmp[PATH_MAX];
    FILE *f = NULL;
    int rc = tx_import_file(file, o, &q, &errs);

    if (rc == TX_ERR_MALFORMED && errs.total > 0) {
        print_import_errors(file, o->topics_file, &errs);
        goto done;
    }
    if (rc != TX_OK) {
        goto done;
    }
    if (out != NULL && strcmp(out, "-") != 0 && access(out, F_OK) == 0) {
        rc = tx_fail(TX_ERR_EXISTS, "%s exists: remove it or choose another --out", out);
        goto done;
    }
    if ((rc = tx_cli_open(g, &c)) != TX_OK) {
        goto done;
    }
    if (publish) {
        if ((rc = tx_rpc_list(c, 1, &kind, NULL, &published)) != TX_OK) {
            goto done;
        }
        already = tx_qref_published(&published, q);
    }
    if (already >= 0) {
        /* The same questionnaire is on the hub already: that record is the one to pin. */
        const tx_rec *r = &published.v[already];
        memcpy(id, r->id, TX_ID_LEN);
        rc = tx_home_cache_put(tx_client_home(c), r->bytes, r->len, NULL);
    } else if ((rc = tx_seq_take(tx_home_dir(tx_client_home(c)), 1, &seq)) == TX_OK &&
               (rc = tx_questionnaire_sign(q, tx_client_id(c), seq, tx_now(), &env, &len)) ==
                   TX_OK) {
        tx_record_id(env, len, id);
    }
    /* Published before anything is written: a refusal leaves nothing behind. */
    if (rc == TX_OK && publish && already < 0) {
        rc = tx_rpc_submit(c, 1, &env, &len);
    }
    if (rc != TX_OK || (rc = tx_cli_open_out(out, 0, &f, tmp, sizeof tmp)) != TX_OK) {
        goto done;
    }
    rc = dump(tx_questionnaire_to_json(q), f);
    rc = tx_cli_commit_out(out, f, tmp, rc);
    if (rc == TX_OK && env != NULL) {
        rc = tx_home_cache_put(tx_client_home(c), env, len, NULL);
    }
    if (rc == TX_OK && !g->quiet) {
        tx_hex(hex, id, TX_ID_LEN);
        fprintf(stderr, _("imported %s v%u: %zu items in %zu areas; questionnaire record %s (%s)"),
                q->id, q->version, q->n_items, q->n_areas, hex,
                already >= 0 ? _("already on the hub")
                : publish    ? _("signed and published")
                             : _("signed, not published"));
        if (out != NULL) {
            fprintf(stderr, _("; written to %s"), out);
        }
        fputc('\n', stderr);
    }
done:
    free(env);
    tx_recs_clear(&published);
    tx_import_errors_free(&errs);
    tx_free(q);
    tx_client_destroy(&c);
    return rc;
}

int
tx_cmd_questionnaire(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"id", required_argument, NULL, 'I'},
                                         {"version", required_argument, NULL, 'v'},
                                         {"title-ja", required_argument, NULL, 'j'},
                                         {"title-en", required_argument, NULL, 'e'},
                                         {"publish", no_argument, NULL, 'P'},
                                         {"topics", required_argument, NULL, 'T'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL, *format = NULL, *sub;
    tx_import_opts io = {0};
    int opt, rc, publish = 0;

    while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        char *end;
        if (opt == 'o') {
            out = optarg;
        } else if (opt == 'f') {
            format = optarg;
        } else if (opt == 'I') {
            io.id = optarg;
        } else if (opt == 'v') {
            errno = 0;
            unsigned long v = strtoul(optarg, &end, 10);
            if (errno != 0 || *end != 0 || v < 1 || v > UINT32_MAX || optarg[0] == '-') {
                return tx_fail(TX_ERR_USAGE, "--version %s: a whole number from 1", optarg);
            }
            io.version = (uint32_t)v;
        } else if (opt == 'j') {
            io.title_ja = optarg;
        } else if (opt == 'e') {
            io.title_en = optarg;
        } else if (opt == 'P') {
            publish = 1;
        } else if (opt == 'T') {
            io.topics_file = optarg;
        } else if ((rc = tx_cli_common_opt(g, opt, "questionnaire")) != TX_OK) {
            return rc;
        }
    }
    sub = optind < argc ? argv[optind] : "";
    if (strcmp(sub, "list") == 0 && optind + 1 == argc) {
        return cmd_list(g);
    }
    if (strcmp(sub, "show") == 0 && optind + 2 == argc) {
        return cmd_show(g, argv[optind + 1]);
    }
    if (strcmp(sub, "template") == 0 && optind + 2 == argc) {
        return cmd_template(g, argv[optind + 1], out, format);
    }
    if (strcmp(sub, "main") == 0 && optind + 2 >= argc) {
        return cmd_main(g, optind + 1 < argc ? argv[optind + 1] : NULL);
    }
    if (strcmp(sub, "import") == 0 && optind + 2 == argc && io.id != NULL && io.version != 0) {
        return cmd_import(g, argv[optind + 1], &io, out, publish);
    }
    return tx_fail(TX_ERR_USAGE,
                   "usage: ticsx questionnaire list | show ID | template ID|REQUEST [--out FILE] "
                   "[--format csv|json|xlsx] | import FILE.csv --id ID --version N [--title-ja "
                   "T] [--title-en T] [--topics TOPICS.csv] [--out FILE.json] [--publish] | "
                   "main [ID|none]");
}

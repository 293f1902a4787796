/* ticsx register: public registers as signed, dated data. import reads METI's list of certified
 * organisations (CSV or the HTML table) and signs it; list/show read the registers in the cache;
 * trust/untrust/trusted pin the publishers whose registers count; bodies shows the accredited
 * bodies register in force. */
#include "cli.h"

#include "tx_cell.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_register.h"
#include "tx_register_import.h"
#include "tx_register_pub.h"
#include "tx_util.h"

#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const register_usage =
    N_("usage: ticsx register import FILE [--list LIST] [--as-of DATE] [--source TEXT]\n"
       "                [--title-ja T --title-en T] --publish|--out FILE\n"
       "       ticsx register list | bodies [--at DATE] | show ID|LIST [--at DATE]\n"
       "       ticsx register trust FILE | untrust KEY | trusted");

typedef struct {
    const char *list, *source, *title_ja, *title_en, *out;
    int64_t as_of, at;
    int publish, force;
} reg_opts;

static const char *
day_or(char buf[16], int64_t t, const char *none)
{
    if (t == 0) {
        return none;
    }
    tx_format_date(buf, 16, t);
    return buf;
}

/* ---- import ---- */

static int
reg_import(tx_cli *g, const char *file, const reg_opts *o)
{
    tx_register_rows rows = {0};
    tx_register_args a = {.list = o->list,
                          .title_ja = o->title_ja,
                          .title_en = o->title_en,
                          .source = o->source,
                          .as_of = o->as_of};
    tx_client *c = NULL;
    uint8_t *data = NULL, *env = NULL, id[TX_ID_LEN];
    size_t len = 0, elen = 0;
    char hex[2 * TX_ID_LEN + 1], d[16];
    int rc;

    if (o->publish == (o->out != NULL)) {
        return tx_fail(TX_ERR_USAGE, "register import needs --publish or --out FILE (one of them)");
    }
    if (o->as_of > tx_now()) {
        return tx_fail(TX_ERR_USAGE, "--as-of is in the future: give the day the list was read");
    }
    if ((rc = tx_file_read(file, TX_REGISTER_FILE_MAX, &data, &len)) != TX_OK) {
        return rc == TX_ERR_TOO_LARGE
                   ? tx_fail(rc, "%s is over %u bytes: save only the list", file,
                             TX_REGISTER_FILE_MAX)
                   : tx_fail(rc, "cannot read %s: give the list saved from METI's page", file);
    }
    if ((rc = tx_register_parse(data, len, file, o->list, &rows)) != TX_OK ||
        (rc = tx_cli_open(g, &c)) != TX_OK ||
        (rc = tx_register_make(c, &a, &rows, o->publish, &env, &elen, id)) != TX_OK) {
        goto out;
    }
    if (o->out != NULL) {
        FILE *f;
        char tmp[PATH_MAX];
        if ((rc = tx_cli_open_out(o->out, o->force, &f, tmp, sizeof tmp)) != TX_OK) {
            goto out;
        }
        if (fwrite(env, 1, elen, f) != elen) {
            rc = tx_fail(TX_ERR_IO, "cannot write %s", o->out);
        }
        if ((rc = tx_cli_commit_out(o->out, f, tmp, rc)) != TX_OK) {
            goto out;
        }
    }
    tx_hex(hex, id, TX_ID_LEN);
    day_or(d, o->as_of != 0 ? o->as_of : tx_now(), "");
    if (g->json) {
        rc = tx_cli_print_json(json_pack("{s:s,s:s,s:s,s:I,s:b,s:o,s:s}", "id", hex, "list",
                                         o->list, "as_of", d, "entries", (json_int_t)rows.n,
                                         "published", o->publish, "out", tx_json_str(o->out),
                                         "format", rows.html ? "html" : "csv"));
        goto out;
    }
    printf("%s\n", hex);
    if (!g->quiet) {
        fprintf(stderr,
                o->publish ? _("published register %1$s of %2$s: %3$zu entries (read as %4$s)\n")
                           : _("signed register %1$s of %2$s: %3$zu entries (read as %4$s), "
                               "written to the file given\n"),
                o->list, d, rows.n,
                rows.html ? (rows.sjis ? "HTML, Shift_JIS" : "HTML")
                          : (rows.sjis ? "CSV, Shift_JIS" : "CSV"));
    }
out:
    free(env);
    free(data);
    tx_register_rows_free(&rows);
    tx_client_destroy(&c);
    return rc;
}

/* ---- list / show / bodies ---- */

static int
load(tx_cli *g, tx_client **c, tx_registers *regs)
{
    int rc;

    if ((rc = tx_cli_open(g, c)) != TX_OK) {
        return rc;
    }
    return tx_registers_load(tx_client_home(*c), regs);
}

static json_t *
info_json(const tx_register_info *ri)
{
    char hex[2 * TX_ID_LEN + 1];

    if (ri->rec != NULL) {
        tx_hex(hex, ri->rec->id, TX_ID_LEN);
    }
    return json_pack("{s:o,s:s,s:o,s:I,s:b,s:b,s:s,s:o,s:I}", "id",
                     ri->rec != NULL ? json_string(hex) : json_null(), "list", ri->list, "as_of",
                     tx_json_date(ri->as_of), "entries", (json_int_t)ri->n_entries, "trusted",
                     ri->trusted, "builtin", ri->builtin, "publisher", ri->publisher, "fingerprint",
                     tx_json_str(ri->fingerprint), "seq", (json_int_t)ri->seq);
}

static int
reg_list(tx_cli *g)
{
    tx_client *c = NULL;
    tx_registers regs = {0};
    json_t *arr = json_array();
    int rc;

    if ((rc = load(g, &c, &regs)) != TX_OK) {
        goto out;
    }
    if (!g->json && !g->quiet) {
        /* TRANSLATORS: column headers over 12, 16, 10, 7 and 7 display columns, one space
         * between. */
        fputs(_("REGISTER     LIST             AS OF      ENTRIES TRUSTED PUBLISHER\n"), stdout);
    }
    for (size_t i = 0; i < regs.n; i++) {
        const tx_register_info *ri = &regs.v[i];
        char hex[2 * TX_ID_LEN + 1] = "", d[16], n[24];
        if (ri->rec != NULL) {
            tx_hex(hex, ri->rec->id, TX_ID_LEN);
        }
        if (g->json) {
            json_array_append_new(arr, info_json(ri));
        } else if (g->quiet) {
            if (ri->rec != NULL) {
                printf("%s\n", hex);
            }
        } else {
            hex[12] = 0;
            tx_put_cell(stdout, ri->builtin ? _("built-in") : hex, 12);
            fputc(' ', stdout);
            tx_put_cell(stdout, ri->list, 16);
            fputc(' ', stdout);
            tx_put_cell(stdout, day_or(d, ri->as_of, ri->builtin ? "2024" : "-"), 10);
            fputc(' ', stdout);
            snprintf(n, sizeof n, "%zu", ri->n_entries);
            tx_put_rcell(stdout, n, 7);
            fputc(' ', stdout);
            tx_put_cell(stdout, ri->trusted ? _("yes") : _("no"), 7);
            fputc(' ', stdout);
            printf("%s\n", ri->builtin ? _("METI briefing (built in)") : ri->publisher);
        }
    }
    if (g->json) {
        rc = tx_cli_print_json(json_pack("{s:O}", "registers", arr));
    }
out:
    json_decref(arr);
    tx_registers_free(&regs);
    tx_client_destroy(&c);
    return rc;
}

static json_t *
entry_json(const tx_register_entry_pb *e)
{
    json_t *sec = json_array();

    for (size_t i = 0; i < e->n_sectors; i++) {
        json_array_append_new(sec, json_string(e->sectors[i]));
    }
    return json_pack("{s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "number", tx_json_str(e->number),
                     "holder_name", e->holder_name, "corporate_number",
                     tx_json_str(e->corporate_number), "body", tx_json_str(e->body), "scope",
                     tx_json_str(e->scope), "sectors", sec, "valid_from",
                     tx_json_date(e->valid_from), "valid_until", tx_json_date(e->valid_until),
                     "note", tx_json_str(e->note));
}

static void
print_entries(const tx_register_info *ri, const tx_register_entry_pb *const *ents, size_t n)
{
    int bodies = strcmp(ri->list, TX_REG_LIST_BODIES) == 0;
    const char *none = _("not stated");

    if (bodies) {
        /* TRANSLATORS: column headers over 36, 16 and 40 display columns. */
        fputs(_("BODY                                 CORPORATE NO.    SCOPE\n"), stdout);
    } else {
        /* TRANSLATORS: column headers over 16, 28, 13, 28 and 10 display columns. */
        fputs(_("NUMBER           HOLDER                       CORPORATE NO. BODY                "
                "         ISSUED     EXPIRES\n"),
              stdout);
    }
    for (size_t i = 0; i < n; i++) {
        const tx_register_entry_pb *e = ents[i];
        char d1[16], d2[16];
        if (bodies) {
            tx_put_cell(stdout, e->holder_name, 36);
            fputc(' ', stdout);
            tx_put_cell(stdout, e->corporate_number[0] ? e->corporate_number : none, 16);
            fputc(' ', stdout);
            fputs(e->scope, stdout);
            if (e->n_sectors > 0) {
                fputs(" [", stdout);
                for (size_t k = 0; k < e->n_sectors; k++) {
                    printf("%s%s", k ? "," : "", e->sectors[k]);
                }
                fputc(']', stdout);
            }
            fputc('\n', stdout);
        } else {
            tx_put_cell(stdout, e->number, 16);
            fputc(' ', stdout);
            tx_put_cell(stdout, e->holder_name, 28);
            fputc(' ', stdout);
            tx_put_cell(stdout, e->corporate_number[0] ? e->corporate_number : "-", 13);
            fputc(' ', stdout);
            tx_put_cell(stdout, e->body, 28);
            fputc(' ', stdout);
            tx_put_cell(stdout, day_or(d1, e->valid_from, "-"), 10);
            fputc(' ', stdout);
            /* valid_until excludes: the last valid day is the one before */
            printf("%s\n", day_or(d2, e->valid_until != 0 ? e->valid_until - 86400 : 0, "-"));
        }
    }
}

static int
show_one(tx_cli *g, const tx_registers *regs, size_t i)
{
    const tx_register_info *ri = &regs->v[i];
    const tx_register_entry_pb *const *ents;
    size_t n = tx_registers_entries(regs, i, &ents);
    char d[16];

    if (g->json) {
        json_t *j = info_json(ri), *arr = json_array();
        const tx_register_pb *p = ri->rec != NULL ? (const tx_register_pb *)ri->rec->msg : NULL;
        for (size_t k = 0; k < n; k++) {
            json_array_append_new(arr, entry_json(ents[k]));
        }
        json_object_set_new(j, "source", tx_json_str(p != NULL ? p->source : "METI briefing"));
        json_object_set_new(j, "title",
                            p != NULL && p->title != NULL
                                ? json_pack("{s:s,s:s}", "ja", p->title->ja, "en", p->title->en)
                                : json_null());
        json_object_set_new(j, "items", arr);
        return tx_cli_print_json(j);
    }
    if (ri->rec != NULL) {
        const tx_register_pb *p = (const tx_register_pb *)ri->rec->msg;
        char hex[2 * TX_ID_LEN + 1];
        tx_hex(hex, ri->rec->id, TX_ID_LEN);
        printf(_("register:   %s\n"), hex);
        if (p->title != NULL) {
            printf(_("title:      %s\n"),
                   tx_i18n_ja() && p->title->ja[0] ? p->title->ja : p->title->en);
        }
        printf(_("list:       %s\n"), ri->list);
        printf(_("as of:      %s\n"), day_or(d, ri->as_of, "-"));
        printf(_("source:     %s\n"), p->source);
        printf(_("publisher:  %s (%s)\n"), ri->publisher, ri->fingerprint);
        printf(_("trusted:    %s\n"),
               ri->trusted ? _("yes: the publisher is pinned")
                           : _("no: the publisher is not pinned (ticsx register trust FILE); "
                               "this register is not used"));
    } else {
        printf(_("register:   built in (METI briefing, %s edition)\n"),
               ri->as_of != 0 ? "2025-06" : "2024");
        printf(_("list:       %s\n"), ri->list);
        printf(_("note:       corporate numbers and accreditation dates are not stated in the "
                 "briefing\n"));
    }
    printf(_("entries:    %zu\n\n"), n);
    print_entries(ri, ents, n);
    return TX_OK;
}

/* The register a LIST argument names at `at`: for tics-bodies the edition in force, otherwise the
 * newest trusted register of the list read at or before `at`. */
static int
pick_list(const tx_registers *regs, const char *list, int64_t at, size_t *out)
{
    int found = 0;

    for (size_t i = 0; i < regs->n; i++) {
        const tx_register_info *ri = &regs->v[i], *b = found ? &regs->v[*out] : NULL;
        if (!ri->trusted || strcmp(ri->list, list) != 0 || ri->as_of > at) {
            continue;
        }
        if (b == NULL || ri->as_of > b->as_of || (ri->as_of == b->as_of && ri->seq > b->seq)) {
            *out = i;
            found = 1;
        }
    }
    return found;
}

static int
reg_show(tx_cli *g, const char *arg, int64_t at)
{
    tx_client *c = NULL;
    tx_registers regs = {0};
    size_t hits = 0, at_i = 0;
    int rc;

    if ((rc = load(g, &c, &regs)) != TX_OK) {
        goto out;
    }
    if (tx_is_id_prefix(arg)) {
        for (size_t i = 0; i < regs.n; i++) {
            char hex[2 * TX_ID_LEN + 1];
            if (regs.v[i].rec == NULL) {
                continue;
            }
            tx_hex(hex, regs.v[i].rec->id, TX_ID_LEN);
            if (strncasecmp(hex, arg, strlen(arg)) == 0) {
                hits++;
                at_i = i;
            }
        }
        if (hits > 1) {
            rc = tx_fail(TX_ERR_USAGE, "register %s is ambiguous: give more of its id", arg);
            goto out;
        }
    }
    if (hits == 0 && !pick_list(&regs, arg, at, &at_i)) {
        rc = tx_fail(TX_ERR_NOT_FOUND,
                     "no register %s in the cache: give a register id or a list name (ticsx "
                     "register list shows them; ticsx fetch gets published ones)",
                     arg);
        goto out;
    }
    rc = show_one(g, &regs, at_i);
out:
    tx_registers_free(&regs);
    tx_client_destroy(&c);
    return rc;
}

static int
reg_bodies(tx_cli *g, int64_t at)
{
    tx_client *c = NULL;
    tx_registers regs = {0};
    tx_reg_body b;
    int rc;

    if ((rc = load(g, &c, &regs)) != TX_OK) {
        goto out;
    }
    /* the edition in force: look up any built-in name to learn which one is used */
    if ((rc = tx_register_body(&regs, "一般財団法人 日本品質保証機構", at, &b)) != TX_OK &&
        rc != TX_ERR_NOT_FOUND) {
        goto out;
    }
    rc = TX_OK;
    tx_fail_clear();
    for (size_t i = 0; i < regs.n; i++) {
        const tx_register_info *ri = &regs.v[i];
        if (ri->trusted && strcmp(ri->list, TX_REG_LIST_BODIES) == 0 && ri->as_of == b.as_of &&
            ri->builtin == b.builtin && strcmp(ri->publisher, b.publisher) == 0) {
            rc = show_one(g, &regs, i);
            goto out;
        }
    }
    rc = tx_fail(TX_ERR_INTERNAL, "no accredited bodies register in force");
out:
    tx_registers_free(&regs);
    tx_client_destroy(&c);
    return rc;
}

/* ---- trust / untrust / trusted ---- */

static int
reg_trust(tx_cli *g, const char *sub, const char *arg)
{
    char dir[PATH_MAX], fp[TX_FP_LEN], kid[17];
    tx_pubkey pk, *keys = NULL;
    size_t n = 0;
    int rc, added = 0;

    if ((rc = tx_home_resolve(g->home, dir, sizeof dir)) != TX_OK) {
        return rc;
    }
    if (strcmp(sub, "trust") == 0) {
        if ((rc = tx_register_trust_add(dir, arg, &pk, &added)) != TX_OK) {
            return rc;
        }
        tx_fingerprint(pk.sign, fp);
        tx_key_id_hex(pk.sign, kid);
        if (g->json) {
            json_t *j = tx_cli_key_json(&pk);
            json_object_set_new(j, "added", json_boolean(added));
            return tx_cli_print_json(j);
        }
        printf("%s\n", fp);
        if (!g->quiet) {
            fprintf(stderr,
                    added ? _("pinned register publisher %s (%s) as %s/trust/registers/%s.pub\n")
                          : _("already pinned: register publisher %s (%s) as "
                              "%s/trust/registers/%s.pub\n"),
                    pk.name, kid, dir, kid);
        }
        return TX_OK;
    }
    if (strcmp(sub, "untrust") == 0) {
        if ((rc = tx_register_trust_remove(dir, arg, &pk)) != TX_OK) {
            return rc;
        }
        tx_fingerprint(pk.sign, fp);
        if (g->json) {
            return tx_cli_print_json(tx_cli_key_json(&pk));
        }
        printf("%s\n", fp);
        if (!g->quiet) {
            fprintf(stderr, _("unpinned register publisher %s: its registers no longer count\n"),
                    pk.name);
        }
        return TX_OK;
    }
    if ((rc = tx_register_trust_list(dir, &keys, &n)) != TX_OK) {
        return rc;
    }
    return tx_cli_print_pins(
        g, keys, n, "publishers",
        _("no register publisher pinned: pin one with ticsx register trust FILE\n"));
}

int
tx_cmd_register(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"list", required_argument, NULL, 'l'},
                                         {"as-of", required_argument, NULL, 'a'},
                                         {"source", required_argument, NULL, 's'},
                                         {"title-ja", required_argument, NULL, 'j'},
                                         {"title-en", required_argument, NULL, 'e'},
                                         {"publish", no_argument, NULL, 'p'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"force", no_argument, NULL, 'f'},
                                         {"at", required_argument, NULL, 't'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    reg_opts o = {.list = TX_REG_LIST_CERTIFIED};
    const char *sub;
    int opt, rc = TX_OK;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (opt) {
        case 'l':
            o.list = optarg;
            if (!tx_register_list_valid(optarg)) {
                rc = tx_fail(TX_ERR_USAGE,
                             "--list %s: a list name is 1 to 63 of a-z, 0-9 and -, e.g. "
                             "tics-certified",
                             optarg);
            }
            break;
        case 'a':
            rc = tx_cli_parse_date("--as-of", optarg, &o.as_of);
            break;
        case 's':
            o.source = optarg;
            break;
        case 'j':
            o.title_ja = optarg;
            break;
        case 'e':
            o.title_en = optarg;
            break;
        case 'p':
            o.publish = 1;
            break;
        case 'o':
            o.out = optarg;
            break;
        case 'f':
            o.force = 1;
            break;
        case 't':
            rc = tx_cli_parse_date("--at", optarg, &o.at);
            break;
        default:
            rc = tx_cli_common_opt(g, opt, "register");
        }
    }
    if (rc != TX_OK) {
        return rc;
    }
    if ((o.title_ja == NULL) != (o.title_en == NULL)) {
        return tx_fail(TX_ERR_USAGE, "give --title-ja and --title-en together");
    }
    sub = optind < argc ? argv[optind] : "";
    if (o.at == 0) {
        o.at = tx_now();
    }
    if (strcmp(sub, "import") == 0 && optind + 2 == argc) {
        return reg_import(g, argv[optind + 1], &o);
    }
    if (strcmp(sub, "list") == 0 && optind + 1 == argc) {
        return reg_list(g);
    }
    if (strcmp(sub, "show") == 0 && optind + 2 == argc) {
        /* the bodies list: the edition in force, as the judgement uses it */
        return strcmp(argv[optind + 1], TX_REG_LIST_BODIES) == 0
                   ? reg_bodies(g, o.at)
                   : reg_show(g, argv[optind + 1], o.at);
    }
    if (strcmp(sub, "bodies") == 0 && optind + 1 == argc) {
        return reg_bodies(g, o.at);
    }
    if ((strcmp(sub, "trust") == 0 || strcmp(sub, "untrust") == 0) && optind + 2 == argc) {
        return reg_trust(g, sub, argv[optind + 1]);
    }
    if (strcmp(sub, "trusted") == 0 && optind + 1 == argc) {
        return reg_trust(g, sub, NULL);
    }
    return tx_fail(TX_ERR_USAGE, "%s", _(register_usage));
}

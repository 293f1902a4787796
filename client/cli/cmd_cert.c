/* ticsx trust, accredit, cert: the TICS trust chain from the command line. */
#include "cli.h"

#include "tx_cell.h"
#include "tx_cert_issue.h"
#include "tx_cert_judge.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_lookup.h"
#include "tx_msg.h"
#include "tx_trust.h"
#include "tx_util.h"

#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
day(char buf[16], int64_t t)
{
    tx_format_date(buf, 16, t);
    return buf;
}

/* ---- ticsx trust add FILE | list | remove KEY ---- */

int
tx_cmd_trust(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {TX_CLI_COMMON_OPTS, {NULL, 0, NULL, 0}};
    const char *sub;
    char dir[PATH_MAX], fp[TX_FP_LEN], kid[17];
    tx_pubkey pk, *keys = NULL;
    size_t n = 0;
    int opt, rc, added = 0;

    while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if ((rc = tx_cli_common_opt(g, opt, "trust")) != TX_OK) {
            return rc;
        }
    }
    sub = optind < argc ? argv[optind] : "";
    if (strcmp(sub, "witness") == 0) {
        return tx_cmd_trust_witness(g, argc, argv, optind + 1);
    }
    if ((rc = tx_home_resolve(g->home, dir, sizeof dir)) != TX_OK) {
        return rc;
    }
    if (strcmp(sub, "add") == 0 && optind + 2 == argc) {
        if ((rc = tx_trust_add(dir, argv[optind + 1], &pk, &added)) != TX_OK) {
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
                    added ? _("pinned accreditor key %s (%s) as %s/trust/%s.pub\n")
                          : _("already pinned: accreditor key %s (%s) as %s/trust/%s.pub\n"),
                    pk.name, kid, dir, kid);
        }
        return TX_OK;
    }
    if (strcmp(sub, "remove") == 0 && optind + 2 == argc) {
        if ((rc = tx_trust_remove(dir, argv[optind + 1], &pk)) != TX_OK) {
            return rc;
        }
        tx_fingerprint(pk.sign, fp);
        if (g->json) {
            return tx_cli_print_json(tx_cli_key_json(&pk));
        }
        printf("%s\n", fp);
        if (!g->quiet) {
            fprintf(stderr, _("unpinned accreditor key %s: its accreditations no longer count\n"),
                    pk.name);
        }
        return TX_OK;
    }
    if (strcmp(sub, "list") != 0 || optind + 1 != argc) {
        return tx_fail(TX_ERR_USAGE, "usage: ticsx trust add FILE | list | remove KEY");
    }
    if ((rc = tx_trust_list(dir, &keys, &n)) != TX_OK) {
        return rc;
    }
    return tx_cli_print_pins(g, keys, n, "accreditors",
                             _("no accreditor key pinned: pin one with ticsx trust add FILE\n"));
}

/* ---- ticsx accredit ---- */

int
tx_cmd_accredit(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"body", required_argument, NULL, 'b'},
                                         {"scope", required_argument, NULL, 's'},
                                         {"from", required_argument, NULL, 'F'},
                                         {"until", required_argument, NULL, 'U'},
                                         {"withdraw", no_argument, NULL, 'W'},
                                         {"note", required_argument, NULL, 'N'},
                                         {"renews", required_argument, NULL, 'R'},
                                         {"grace", required_argument, NULL, 'g'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    tx_accredit_args a = {0};
    tx_client *c = NULL;
    uint8_t id[TX_ID_LEN];
    char hex[2 * TX_ID_LEN + 1], name[TX_NAME_MAX];
    int opt, rc = TX_OK;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (opt) {
        case 'b':
            a.body = optarg;
            break;
        case 's':
            a.scopes = optarg;
            break;
        case 'F':
            rc = tx_cli_parse_date("--from", optarg, &a.from);
            break;
        case 'U':
            rc = tx_cli_parse_date("--until", optarg, &a.until);
            break;
        case 'W':
            a.withdraw = 1;
            break;
        case 'N':
            a.note = optarg;
            break;
        default:
            rc = tx_cli_common_opt(g, opt, "accredit");
        }
    }
    if (rc != TX_OK) {
        return rc;
    }
    if (a.body == NULL || optind < argc ||
        (!a.withdraw && (a.scopes == NULL || a.from == 0 || a.until == 0))) {
        return tx_fail(TX_ERR_USAGE,
                       "usage: ticsx accredit --body ORG --scope all|SECTOR[,SECTOR...] --from "
                       "DATE --until DATE [--note TEXT]\n"
                       "       ticsx accredit --body ORG --withdraw [--until DATE] [--note TEXT]");
    }
    if ((rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = tx_accredit(c, &a, id, name, sizeof name)) == TX_OK) {
        tx_hex(hex, id, TX_ID_LEN);
        if (g->json) {
            rc = tx_cli_print_json(json_pack("{s:s,s:s,s:b}", "accreditation", hex, "body", name,
                                             "withdrawn", a.withdraw));
        } else {
            printf("%s\n", hex);
            if (!g->quiet) {
                fprintf(stderr,
                        a.withdraw ? _("withdrew the accreditation of %s: signed and published\n")
                                   : _("accredited %s: signed and published\n"),
                        name);
            }
        }
    }
    tx_client_destroy(&c);
    return rc;
}

/* ---- ticsx cert ---- */

/* The words of certificate events as people read them (the JSON keeps tx_cert_event_name). */
static const char *const event_words[] = {N_("annual report"), N_("suspended"), N_("reinstated"),
                                          N_("revoked"), N_("unknown")};

static const char *
event_label(const char *name)
{
    for (size_t i = 0; i < TX_ARRAY_LEN(event_words); i++) {
        if (strcmp(name, event_words[i]) == 0) {
            return _(event_words[i]);
        }
    }
    return name;
}

typedef struct {
    const char *holder, *number, *scope, *sector, *note, *renews;
    long criteria;
    int64_t issued, expires, date, at;
    int grace; /* --grace DAYS, -1 when not given */
} cert_opts;

static void
print_info(const tx_cert_info *info)
{
    char fp[TX_FP_LEN], d1[16], d2[16];

    tx_fingerprint(info->holder, fp);
    /* TRANSLATORS: the labels of `ticsx cert show`, each padded to 13 display columns. */
    printf(_("certificate  %s\n"), info->number);
    printf(_("holder       %s  %s\n"), info->holder_name, info->corporate_number);
    printf("             %s\n", fp);
    tx_fingerprint(info->issuer, fp);
    printf(_("issuer       %s\n"), info->issuer_name[0] ? info->issuer_name : _("(unknown body)"));
    printf("             %s\n", fp);
    printf(_("sector       %s, criteria %u\n"), info->sector[0] ? info->sector : "-",
           info->criteria_version);
    fputs(_("scope        "), stdout);
    tx_put_wrapped(stdout, info->scope, 13, 80, 13);
    printf(_("valid        %s up to %s\n"), day(d1, info->issued), day(d2, info->expires));
    if (info->has_renews) {
        char hex[2 * TX_ID_LEN + 1];
        tx_hex(hex, info->renews, TX_ID_LEN);
        printf(_("renews       %s\n"), info->renews_number[0] ? info->renews_number : hex);
    }
}

/* The certificates that renew `cert` (same body, same holder), as [{"record","number",
 * "issued"}]. */
static json_t *
renewed_by_json(const tx_trust_set *ts, const tx_rec *cert)
{
    json_t *arr = json_array();
    char d[16];

    for (size_t i = 0; i < ts->certificates.n; i++) {
        const tx_rec *r = &ts->certificates.v[i];
        const tx_certificate_pb *c = (const tx_certificate_pb *)r->msg;
        if (tx_trust_set_certificate(ts, r->id) == r && tx_cert_is_renewal(r, cert)) {
            json_array_append_new(arr, json_pack("{s:o,s:s,s:s}", "record",
                                                 tx_json_hex(r->id, TX_ID_LEN), "number", c->number,
                                                 "issued", day(d, c->issued)));
        }
    }
    return arr;
}

static json_t *
events_json(const tx_trust_set *ts, const tx_rec *cert)
{
    json_t *arr = json_array();
    char hex[2 * TX_ID_LEN + 1], d[16];

    for (size_t i = 0; i < ts->events.n; i++) {
        const tx_rec *r = &ts->events.v[i];
        const tx_cert_event_pb *e = (const tx_cert_event_pb *)r->msg;
        if (memcmp(e->certificate.data, cert->id, TX_ID_LEN) != 0) {
            continue;
        }
        tx_hex(hex, r->id, TX_ID_LEN);
        json_array_append_new(
            arr,
            json_pack("{s:s,s:s,s:s,s:s,s:b}", "record", hex, "kind", tx_cert_event_name(e->kind),
                      "effective", day(d, e->effective), "note", e->note, "by_issuer",
                      memcmp(tx_rec_signer(r), tx_rec_signer(cert), TX_KEY_LEN) == 0));
    }
    return arr;
}

/* show, verify: judge one certificate from the hub's records. */
static int
cert_judge(tx_cli *g, const char *arg, int show, int64_t at, int grace)
{
    tx_client *c = NULL;
    tx_trust_set ts = {0};
    const tx_rec *cert;
    tx_cert_info info;
    tx_cert_state st;
    int rc;

    if ((rc = tx_cli_open(g, &c)) != TX_OK || (rc = tx_trust_set_from_hub(c, &ts)) != TX_OK ||
        (rc = tx_trust_find_certificate(&ts, arg, NULL, &cert)) != TX_OK) {
        goto out;
    }
    ts.report_grace_days = grace > 0 ? grace : 0;
    tx_cert_evaluate(&ts, cert->id, NULL, at, &info, &st);
    g->definite_no = !show && tx_cert_status_problem(st.status);
    if (g->json) {
        json_t *j = tx_cert_json(&info, NULL, &st);
        if (show) {
            json_object_set_new(j, "events", events_json(&ts, cert));
            json_object_set_new(j, "renewed_by", renewed_by_json(&ts, cert));
        }
        rc = tx_cli_print_json(j);
        goto out;
    }
    if (g->quiet) {
        printf("%s\n", tx_cert_status_name(st.status));
        goto out;
    }
    if (show) {
        json_t *ev = events_json(&ts, cert);
        char hex[2 * TX_ID_LEN + 1];
        tx_hex(hex, cert->id, TX_ID_LEN);
        json_t *rb = renewed_by_json(&ts, cert);
        print_info(&info);
        for (size_t i = 0; i < json_array_size(rb); i++) {
            json_t *e = json_array_get(rb, i);
            fputs(i == 0 ? _("renewed by   ") : "             ", stdout);
            printf("%s (%s)\n", json_string_value(json_object_get(e, "number")),
                   json_string_value(json_object_get(e, "issued")));
        }
        json_decref(rb);
        printf(_("record       %s\n"), hex);
        for (size_t i = 0; i < json_array_size(ev); i++) {
            json_t *e = json_array_get(ev, i);
            fputs(i == 0 ? _("events       ") : "             ", stdout);
            printf("%s %s%s%s%s\n", json_string_value(json_object_get(e, "effective")),
                   event_label(json_string_value(json_object_get(e, "kind"))),
                   json_string_value(json_object_get(e, "note"))[0] ? _(": ") : "",
                   json_string_value(json_object_get(e, "note")),
                   json_is_true(json_object_get(e, "by_issuer")) ? "" : _(" (not by the issuer)"));
        }
        json_decref(ev);
    }
    char line[640], d[16];
    /* Japanese reads the status as a word (有効, 失効, ...), English keeps its name. */
    snprintf(line, sizeof line, _("%1$s on %2$s: %3$s"),
             g->ja ? tx_cert_status_label(st.status) : tx_cert_status_name(st.status), day(d, at),
             st.reason);
    tx_put_wrapped(stdout, line, 0, 80, 2);
out:
    tx_trust_set_free(&ts);
    tx_client_destroy(&c);
    return rc;
}

static int
cert_list(tx_cli *g, const char *holder)
{
    tx_client *c = NULL;
    tx_trust_set ts = {0};
    const tx_org *who = NULL;
    json_t *arr = json_array();
    int64_t now = tx_now();
    int rc;

    if ((rc = tx_cli_open(g, &c)) != TX_OK || (rc = tx_trust_set_from_hub(c, &ts)) != TX_OK ||
        (holder != NULL && (rc = tx_orgs_resolve(&ts.orgs, holder, &who)) != TX_OK)) {
        goto out;
    }
    if (!g->json && !g->quiet) {
        /* TRANSLATORS: column headers over 16, 20, 16, 10 and 10 display columns, one space
         * between. */
        fputs(_("CERTIFICATE      HOLDER               ISSUER           ISSUED     EXPIRES    "
                "STATUS\n"),
              stdout);
    }
    for (size_t i = 0; i < ts.certificates.n; i++) {
        const tx_rec *r = &ts.certificates.v[i];
        tx_cert_info info;
        tx_cert_state st;
        char hex[2 * TX_ID_LEN + 1], d1[16], d2[16];

        if (who != NULL && memcmp(((const tx_certificate_pb *)r->msg)->holder_key.data, who->key,
                                  TX_KEY_LEN) != 0) {
            continue;
        }
        tx_cert_evaluate(&ts, r->id, NULL, now, &info, &st);
        tx_hex(hex, r->id, TX_ID_LEN);
        if (g->json) {
            json_array_append_new(arr, tx_cert_json(&info, NULL, &st));
        } else if (g->quiet) {
            printf("%s\n", hex);
        } else {
            tx_put_cell(stdout, info.number, 16);
            fputc(' ', stdout);
            tx_put_cell(stdout, info.holder_name, 20);
            fputc(' ', stdout);
            tx_put_cell(stdout, info.issuer_name[0] ? info.issuer_name : "?", 16);
            printf(" %s %s %s\n", day(d1, info.issued), day(d2, info.expires),
                   tx_cert_status_label(st.status));
        }
    }
    if (g->json) {
        rc = tx_cli_print_json(json_pack("{s:O}", "certificates", arr));
    }
out:
    json_decref(arr);
    tx_trust_set_free(&ts);
    tx_client_destroy(&c);
    return rc;
}

/* The line a certificate belongs to, marked in `in`: back along renews to the first one (same
 * body, same holder, at most TX_RENEWAL_DEPTH steps), then forward to every renewal of a marked
 * one, breadth first; each step scans the set once. */
static void
mark_line(const tx_trust_set *ts, const tx_rec *start, unsigned char *in)
{
    const tx_rec *root = start;
    size_t *queue = calloc(ts->certificates.n + 1, sizeof *queue), head = 0, tail = 0;

    for (int i = 0; i < TX_RENEWAL_DEPTH; i++) {
        const tx_certificate_pb *c = (const tx_certificate_pb *)root->msg;
        const tx_rec *prev =
            c->renews.len == TX_ID_LEN ? tx_trust_set_certificate(ts, c->renews.data) : NULL;
        if (prev == NULL || !tx_cert_is_renewal(root, prev)) {
            break;
        }
        root = prev;
    }
    in[root - ts->certificates.v] = 1;
    in[start - ts->certificates.v] = 1;
    if (queue == NULL) {
        return; /* out of memory: the line is what was marked */
    }
    queue[tail++] = (size_t)(root - ts->certificates.v);
    while (head < tail) {
        const tx_rec *cur = &ts->certificates.v[queue[head++]];
        for (size_t i = 0; i < ts->certificates.n; i++) {
            if (!in[i] && tx_cert_is_renewal(&ts->certificates.v[i], cur)) {
                in[i] = 1;
                queue[tail++] = i;
            }
        }
    }
    free(queue);
}

static int
by_issue(const void *pa, const void *pb)
{
    const tx_rec *a = *(const tx_rec *const *)pa, *b = *(const tx_rec *const *)pb;
    int64_t ia = ((const tx_certificate_pb *)a->msg)->issued;
    int64_t ib = ((const tx_certificate_pb *)b->msg)->issued;

    return ia < ib ? -1 : ia > ib ? 1 : memcmp(a->id, b->id, TX_ID_LEN);
}

/* history CERT|ORG: the line of certificates of one certificate, or every certificate an
 * organisation holds, oldest first, each judged at `at`. */
static int
cert_history(tx_cli *g, const char *arg, int64_t at, int grace)
{
    tx_client *c = NULL;
    tx_trust_set ts = {0};
    const tx_rec *cert = NULL, **v = NULL;
    const tx_org *who = NULL;
    unsigned char *in = NULL;
    json_t *arr = json_array();
    size_t n = 0;
    char d[16];
    int rc;

    if ((rc = tx_cli_open(g, &c)) != TX_OK || (rc = tx_trust_set_from_hub(c, &ts)) != TX_OK) {
        goto out;
    }
    ts.report_grace_days = grace > 0 ? grace : 0;
    if (tx_trust_find_certificate(&ts, arg, NULL, &cert) != TX_OK) {
        cert = NULL;
        if (tx_orgs_resolve(&ts.orgs, arg, &who) != TX_OK) {
            rc = tx_fail(TX_ERR_NOT_FOUND,
                         "%s is neither a certificate (number or record id) nor an organisation "
                         "known to the hub: check the name or run ticsx cert list",
                         arg);
            goto out;
        }
    }
    in = calloc(ts.certificates.n + 1, 1);
    v = calloc(ts.certificates.n + 1, sizeof *v);
    if (in == NULL || v == NULL) {
        rc = tx_fail(TX_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (cert != NULL) {
        mark_line(&ts, cert, in);
    }
    for (size_t i = 0; i < ts.certificates.n; i++) {
        const tx_rec *r = &ts.certificates.v[i];
        const tx_certificate_pb *pb = (const tx_certificate_pb *)r->msg;
        if (tx_trust_set_certificate(&ts, r->id) != r) {
            continue; /* a second copy of one record */
        }
        if (who != NULL ? memcmp(pb->holder_key.data, who->key, TX_KEY_LEN) == 0 : in[i]) {
            v[n++] = r;
        }
    }
    qsort(v, n, sizeof *v, by_issue);
    if (!g->json && !g->quiet && n == 0) {
        fprintf(stdout, _("%s holds no certificate known to the hub\n"), who->name);
    } else if (!g->json && !g->quiet) {
        /* TRANSLATORS: column headers over 16, 10, 10, 24 display columns, one space between;
         * RENEWS is the certificate number a renewal replaces. */
        fputs(_("CERTIFICATE      ISSUED     EXPIRES    STATUS                   RENEWS\n"),
              stdout);
    }
    for (size_t i = 0; i < n; i++) {
        tx_cert_info info;
        tx_cert_state st;
        char hex[2 * TX_ID_LEN + 1], d2[16];
        tx_cert_evaluate(&ts, v[i]->id, NULL, at, &info, &st);
        tx_hex(hex, v[i]->id, TX_ID_LEN);
        if (g->json) {
            json_array_append_new(arr, tx_cert_json(&info, NULL, &st));
        } else if (g->quiet) {
            printf("%s\n", hex);
        } else {
            char status[160];
            if (st.renewed) {
                snprintf(status, sizeof status, _("renewed by %s"), st.renewed_by_number);
            } else {
                snprintf(status, sizeof status, "%s", tx_cert_status_label(st.status));
            }
            tx_put_cell(stdout, info.number, 16);
            printf(" %s %s ", day(d, info.issued), day(d2, info.expires));
            tx_put_cell(stdout, status, 24);
            printf(" %s\n", !info.has_renews        ? "-"
                            : info.renews_number[0] ? info.renews_number
                                                    : hex);
        }
    }
    if (g->json) {
        rc = tx_cli_print_json(json_pack("{s:s,s:O}", "at", day(d, at), "certificates", arr));
    }
out:
    free(in);
    free(v);
    json_decref(arr);
    tx_trust_set_free(&ts);
    tx_client_destroy(&c);
    return rc;
}

static int
cert_issue(tx_cli *g, const cert_opts *o)
{
    tx_cert_issue_args a = {.holder = o->holder,
                            .number = o->number,
                            .scope = o->scope,
                            .sector = o->sector,
                            .criteria = (uint32_t)o->criteria,
                            .issued = o->issued,
                            .expires = o->expires,
                            .renews = o->renews};
    tx_client *c = NULL;
    tx_cert_info info;
    uint8_t id[TX_ID_LEN];
    char hex[2 * TX_ID_LEN + 1], d1[16], d2[16];
    int rc;

    if (o->holder == NULL || o->number == NULL || o->scope == NULL || o->sector == NULL ||
        o->criteria == 0 || o->issued == 0) {
        return tx_fail(TX_ERR_USAGE,
                       "usage: ticsx cert issue --holder ORG --number N --scope TEXT --sector "
                       "SECTOR --criteria 2018|2024 --issued DATE [--expires DATE] [--renews "
                       "CERT]");
    }
    if ((rc = tx_cli_open(g, &c)) == TX_OK && (rc = tx_cert_issue(c, &a, id, &info)) == TX_OK) {
        tx_hex(hex, id, TX_ID_LEN);
        if (g->json) {
            rc = tx_cli_print_json(json_pack(
                "{s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "certificate", hex, "number", info.number,
                "holder", info.holder_name, "corporate_number", info.corporate_number, "issued",
                day(d1, info.issued), "expires", day(d2, info.expires), "renews",
                info.has_renews ? tx_json_hex(info.renews, TX_ID_LEN) : json_null()));
        } else {
            printf("%s\n", hex);
            if (!g->quiet) {
                fprintf(stderr, _("issued certificate %s to %s (%s), valid %s up to %s\n"),
                        info.number, info.holder_name, info.corporate_number, day(d1, info.issued),
                        day(d2, info.expires));
            }
        }
    }
    tx_client_destroy(&c);
    return rc;
}

static int
cert_event(tx_cli *g, const char *arg, int kind, const cert_opts *o)
{
    tx_client *c = NULL;
    tx_cert_info info;
    uint8_t id[TX_ID_LEN];
    char hex[2 * TX_ID_LEN + 1], d[16];
    int64_t effective = o->date ? o->date : tx_now();
    int rc;

    if ((rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = tx_cert_record_event(c, arg, kind, effective, o->note, id, &info)) == TX_OK) {
        tx_hex(hex, id, TX_ID_LEN);
        if (g->json) {
            rc = tx_cli_print_json(json_pack("{s:s,s:s,s:s,s:s}", "event", hex, "certificate",
                                             info.number, "kind", tx_cert_event_name(kind),
                                             "effective", day(d, effective)));
        } else {
            printf("%s\n", hex);
            if (!g->quiet) {
                fprintf(stderr, _("recorded on certificate %s: %s, effective %s\n"), info.number,
                        event_label(tx_cert_event_name(kind)), day(d, effective));
            }
        }
    }
    tx_client_destroy(&c);
    return rc;
}

static const struct {
    const char *name;
    int kind;
} event_commands[] = {
    {"report", TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT},
    {"suspend", TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_SUSPENDED},
    {"reinstate", TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REINSTATED},
    {"revoke", TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REVOKED},
};

static const char *const cert_usage = N_(
    "usage: ticsx cert issue --holder ORG --number N --scope TEXT --sector SECTOR --criteria "
    "2018|2024 --issued DATE [--expires DATE] [--renews CERT]\n"
    "       ticsx cert report|suspend|reinstate|revoke CERT [--date DATE] [--note TEXT]\n"
    "       ticsx cert show CERT | verify CERT [--at DATE] [--grace DAYS] | list [--holder ORG]\n"
    "       ticsx cert history CERT|ORG [--at DATE] [--grace DAYS]");

int
tx_cmd_cert(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"holder", required_argument, NULL, 'H'},
                                         {"number", required_argument, NULL, 'n'},
                                         {"scope", required_argument, NULL, 's'},
                                         {"sector", required_argument, NULL, 'S'},
                                         {"criteria", required_argument, NULL, 'c'},
                                         {"issued", required_argument, NULL, 'i'},
                                         {"expires", required_argument, NULL, 'e'},
                                         {"date", required_argument, NULL, 'd'},
                                         {"at", required_argument, NULL, 'a'},
                                         {"note", required_argument, NULL, 'N'},
                                         {"renews", required_argument, NULL, 'R'},
                                         {"grace", required_argument, NULL, 'g'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    cert_opts o = {.grace = -1};
    const char *sub;
    int opt, rc = TX_OK;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        char *end;
        switch (opt) {
        case 'H':
            o.holder = optarg;
            break;
        case 'n':
            o.number = optarg;
            break;
        case 's':
            o.scope = optarg;
            break;
        case 'S':
            o.sector = optarg;
            break;
        case 'c':
            o.criteria = strtol(optarg, &end, 10);
            if (*end != 0 || (o.criteria != 2018 && o.criteria != 2024)) {
                rc = tx_fail(TX_ERR_USAGE, "--criteria %s: use 2018 or 2024", optarg);
            }
            break;
        case 'i':
            rc = tx_cli_parse_date("--issued", optarg, &o.issued);
            break;
        case 'e':
            rc = tx_cli_parse_date("--expires", optarg, &o.expires);
            break;
        case 'd':
            rc = tx_cli_parse_date("--date", optarg, &o.date);
            break;
        case 'a':
            rc = tx_cli_parse_date("--at", optarg, &o.at);
            break;
        case 'N':
            o.note = optarg;
            break;
        case 'R':
            o.renews = optarg;
            break;
        case 'g':
            o.grace = (int)strtol(optarg, &end, 10);
            if (*end != 0 || end == optarg || o.grace < 0 || o.grace > 365 || strlen(optarg) > 3) {
                rc = tx_fail(TX_ERR_USAGE,
                             "--grace %s: give the days an annual report may be late, 0 to 365",
                             optarg);
            }
            break;
        default:
            rc = tx_cli_common_opt(g, opt, "cert");
        }
    }
    if (rc != TX_OK) {
        return rc;
    }
    sub = optind < argc ? argv[optind] : "";
    if (strcmp(sub, "issue") == 0 && optind + 1 == argc) {
        return cert_issue(g, &o);
    }
    if (strcmp(sub, "list") == 0 && optind + 1 == argc) {
        return cert_list(g, o.holder);
    }
    if (optind + 2 == argc) {
        const char *arg = argv[optind + 1];
        if (strcmp(sub, "show") == 0) {
            return cert_judge(g, arg, 1, tx_now(), o.grace);
        }
        if (strcmp(sub, "verify") == 0) {
            return cert_judge(g, arg, 0, o.at ? o.at : tx_now(), o.grace);
        }
        if (strcmp(sub, "history") == 0) {
            return cert_history(g, arg, o.at ? o.at : tx_now(), o.grace);
        }
        for (size_t i = 0; i < TX_ARRAY_LEN(event_commands); i++) {
            if (strcmp(sub, event_commands[i].name) == 0) {
                return cert_event(g, arg, event_commands[i].kind, &o);
            }
        }
    }
    return tx_fail(TX_ERR_USAGE, "%s", _(cert_usage));
}

/* `ticsx due` printed: the JSON document (tx_due.h) or a table, soonest first. */
#include "tx_due.h"

#include "tx_cell.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;  /* JSON */
    const char *label; /* the table, through _() */
} kinds[TX_DUE_KIND_COUNT] = {
    [TX_DUE_ANSWER] = {"answer", N_("request to answer")},
    [TX_DUE_AWAITING] = {"awaiting", N_("awaiting answer")},
    [TX_DUE_ASSESSMENT] = {"assessment", N_("own assessment valid until")},
    [TX_DUE_SUPPLIER_ASSESSMENT] = {"supplier_assessment", N_("supplier's assessment valid until")},
    [TX_DUE_CERT_EXPIRES] = {"certificate_expires", N_("certificate expires")},
    [TX_DUE_CERT_REPORT] = {"certificate_report", N_("periodic report due")},
    [TX_DUE_GRANT_GIVEN] = {"grant_given", N_("grant given ends")},
    [TX_DUE_GRANT_RECEIVED] = {"grant_received", N_("grant received ends")},
};

int
tx_due_parse_within(const char *what, const char *s, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != 0 || v < 0 || v > TX_DUE_MAX_DAYS) {
        return tx_fail(TX_ERR_USAGE, "%s %s: give a number of days, 0 to %d", what, s,
                       TX_DUE_MAX_DAYS);
    }
    *out = (int)v;
    return TX_OK;
}

const char *
tx_due_kind_name(int kind)
{
    return kind >= 0 && kind < TX_DUE_KIND_COUNT ? kinds[kind].name : "?";
}

/* Calendar days (UTC) from today to the item's date: 0 today, -1 yesterday. */
static int64_t
days_left(const tx_due *d, const tx_due_item *it)
{
    int64_t a = it->date >= 0 ? it->date / 86400 : -((-it->date + 86399) / 86400);
    int64_t b = d->now >= 0 ? d->now / 86400 : -((-d->now + 86399) / 86400);

    return a - b;
}

json_t *
tx_due_json(const tx_due *d)
{
    json_t *items = json_array();

    for (size_t i = 0; i < d->n; i++) {
        const tx_due_item *it = &d->v[i];
        json_t *party = json_null();

        if (it->has_party) {
            char fp[TX_FP_LEN];
            tx_fingerprint(it->party, fp);
            party = json_pack("{s:o,s:s,s:o}", "name", tx_json_str(it->party_name), "fingerprint",
                              fp, "key", tx_json_hex(it->party, TX_KEY_LEN));
        }
        json_array_append_new(
            items,
            json_pack("{s:s,s:s,s:o,s:I,s:o,s:o,s:o,s:o}", "kind", tx_due_kind_name(it->kind),
                      "state", it->overdue ? "overdue" : "due", "date", tx_json_date(it->date),
                      "days", (json_int_t)days_left(d, it), "record",
                      tx_json_hex(it->record, TX_ID_LEN), "subject", tx_json_str(it->subject),
                      "party", party, "tier", it->tier ? json_integer(it->tier) : json_null()));
    }
    return json_pack("{s:o,s:i,s:o,s:I,s:I,s:o}", "date", tx_json_date(d->now), "within", d->within,
                     "until", tx_json_date(d->now + (int64_t)d->within * 86400), "overdue",
                     (json_int_t)d->overdue, "due", (json_int_t)(d->n - d->overdue), "items",
                     items);
}

static void
print_item(FILE *f, const tx_due *d, const tx_due_item *it)
{
    char date[16], hex[2 * TX_ID_LEN + 1], days[48], what[160];
    int64_t left = days_left(d, it);

    tx_format_date(date, sizeof date, it->date);
    tx_hex(hex, it->record, TX_ID_LEN);
    if (left < 0) {
        snprintf(days, sizeof days, _("%lld d late"), (long long)-left);
    } else {
        snprintf(days, sizeof days, _("in %lld d"), (long long)left);
    }
    snprintf(what, sizeof what, "%s", _(kinds[it->kind].label));
    if (it->tier != 0) {
        size_t at = strlen(what);
        snprintf(what + at, sizeof what - at, _(" (tier %u)"), it->tier);
    }
    tx_put_cell(f, it->overdue ? _("overdue") : _("due soon"), 10);
    fprintf(f, " %s ", date);
    tx_put_cell(f, days, 12);
    fputc(' ', f);
    tx_put_cell(f, what, 36);
    fputc(' ', f);
    tx_put_cell(f, it->has_party ? (it->party_name[0] ? it->party_name : _("(no profile)")) : "-",
                28);
    fprintf(f, " %s %.12s\n", it->subject[0] ? it->subject : "-", hex);
}

/* The column headings, in the widths print_item writes. */
static void
print_header(FILE *f)
{
    tx_put_cell(f, _("STATE"), 10);
    fputc(' ', f);
    tx_put_cell(f, _("DATE"), 10);
    fputc(' ', f);
    tx_put_cell(f, _("WHEN"), 12);
    fputc(' ', f);
    tx_put_cell(f, _("WHAT"), 36);
    fputc(' ', f);
    tx_put_cell(f, _("WHO"), 28);
    fprintf(f, " %s\n", _("SUBJECT, RECORD"));
}

int
tx_due_print(FILE *f, const tx_due *d, int json, int quiet)
{
    if (json) {
        json_t *doc = tx_due_json(d);
        int rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

        fputc('\n', f);
        json_decref(doc);
        return rc == 0 && !ferror(f) ? TX_OK : tx_fail(TX_ERR_IO, "cannot write the list");
    }
    if (quiet) {
        for (size_t i = 0; i < d->n; i++) {
            char hex[2 * TX_ID_LEN + 1];
            tx_hex(hex, d->v[i].record, TX_ID_LEN);
            fprintf(f, "%s\n", hex);
        }
    } else if (d->n == 0) {
        fprintf(f, _("nothing due within %d days\n"), d->within);
    } else {
        fprintf(f, _("%zu overdue, %zu due within %d days\n"), d->overdue, d->n - d->overdue,
                d->within);
    }
    if (!quiet && d->n > 0) {
        print_header(f);
    }
    for (size_t i = 0; i < d->n && !quiet; i++) {
        print_item(f, d, &d->v[i]);
    }
    return ferror(f) ? tx_fail(TX_ERR_IO, "cannot write the list") : TX_OK;
}

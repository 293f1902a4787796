/* The history written out: JSON for programs, an aligned table for people, CSV for an
 * auditor's spreadsheet. */
#include "tx_history.h"

#include "tx_cell.h"
#include "tx_csv.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_util.h"

#include <string.h>
#include <time.h>

#define NAME_COLS 28  /* widest subject column; longer names are cut with '~' in the table */
#define ACTOR_COLS 48 /* widest actor column: "organisation / person" */

static const struct {
    const char *name;  /* JSON and CSV */
    const char *label; /* the table, through _() */
} kinds[TX_HIST_KIND_COUNT] = {
    [TX_HIST_REQUESTED] = {"requested", N_("request sent")},
    [TX_HIST_FORWARDED] = {"forwarded", N_("request forwarded")},
    [TX_HIST_ANSWERED] = {"answered", N_("assessment answered")},
    [TX_HIST_SUPERSEDED] = {"superseded", N_("assessment superseded")},
    [TX_HIST_GRANTED] = {"granted", N_("grant given")},
    [TX_HIST_REVOKED] = {"revoked", N_("grant revoked")},
    [TX_HIST_APPROVED] = {"approved", N_("grant approved (second officer)")},
    [TX_HIST_REJECTED] = {"rejected", N_("waiting grant rejected")},
    [TX_HIST_SETTINGS] = {"settings", N_("organisation settings")},
    [TX_HIST_CERTIFIED] = {"certified", N_("certificate issued")},
    [TX_HIST_CERT_REPORT] = {"certificate_report", N_("periodic report recorded")},
    [TX_HIST_CERT_SUSPENDED] = {"certificate_suspended", N_("certificate suspended")},
    [TX_HIST_CERT_REINSTATED] = {"certificate_reinstated", N_("certificate reinstated")},
    [TX_HIST_CERT_REVOKED] = {"certificate_revoked", N_("certificate revoked")},
    [TX_HIST_KEY_ROTATED] = {"key_rotated", N_("organisation key replaced")},
    [TX_HIST_KEY_REVOKED] = {"key_revoked", N_("key reported lost")},
    [TX_HIST_KEY_REENROLLED] = {"key_reenrolled", N_("re-enrolled by the hub operator")},
};

const char *
tx_history_kind_name(int kind)
{
    return kind >= 0 && kind < TX_HIST_KIND_COUNT ? kinds[kind].name : "?";
}

/* UTC time: "2026-12-03T07:06:30Z" (iso) or "2026-12-03 07:06"; "" for no time. */
static void
format_time(char out[32], int64_t t, int iso)
{
    time_t tt = (time_t)t;
    struct tm tm;

    out[0] = 0;
    if (t != 0 && gmtime_r(&tt, &tm) != NULL) {
        strftime(out, 32, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M", &tm);
    }
}

/* The strings of one event's row, in the process's language for the table. */
typedef struct {
    char at[32], index[24], record[2 * TX_ID_LEN + 1], about[2 * TX_ID_LEN + 1];
    char request[2 * TX_ID_LEN + 1], grant[2 * TX_ID_LEN + 1];
    tx_signer actor, subject;
} row;

static void
row_of(const tx_history *h, const tx_history_event *e, int iso, row *r)
{
    memset(r, 0, sizeof *r);
    format_time(r->at, e->at, iso);
    snprintf(r->index, sizeof r->index, "%llu", (unsigned long long)e->log_index);
    tx_hex(r->record, e->record, TX_ID_LEN);
    if (e->has_about) {
        tx_hex(r->about, e->about, TX_ID_LEN);
    }
    if (e->has_request) {
        tx_hex(r->request, e->request, TX_ID_LEN);
    }
    if (e->has_grant) {
        tx_hex(r->grant, e->grant, TX_ID_LEN);
    }
    tx_signer_describe(&h->signers, e->actor, &r->actor);
    snprintf(r->actor.member, sizeof r->actor.member, "%s", e->member);
    if (e->has_subject) {
        tx_signer_describe(&h->signers, e->subject, &r->subject);
    }
}

/* A text field, null when empty (an id not given, a record without a signed time). */
static json_t *
hex_or_null(const char *hex)
{
    return hex[0] ? json_string(hex) : json_null();
}

json_t *
tx_history_json(const tx_history *h)
{
    json_t *events = json_array();

    for (size_t i = 0; i < h->n; i++) {
        const tx_history_event *e = &h->v[i];
        int cert = e->kind >= TX_HIST_CERTIFIED && e->kind <= TX_HIST_CERT_REVOKED;
        row r;

        row_of(h, e, 1, &r);
        json_array_append_new(
            events,
            json_pack("{s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:I,s:s}", "at", hex_or_null(r.at),
                      "kind", tx_history_kind_name(e->kind), "actor", tx_signer_json(&r.actor),
                      "subject",
                      e->has_subject ? json_pack("{s:o,s:s}", "name", tx_json_str(r.subject.name),
                                                 "fingerprint", r.subject.fingerprint)
                                     : json_null(),
                      "assessment", hex_or_null(cert ? "" : r.about), "certificate",
                      hex_or_null(cert && e->kind != TX_HIST_CERTIFIED ? r.about : ""), "request",
                      hex_or_null(r.request), "grant", hex_or_null(r.grant), "record", r.record,
                      "log_index", (json_int_t)e->log_index, "detail", e->detail));
    }
    return json_pack("{s:o,s:I}", "events", events, "left_out", (json_int_t)h->unproven);
}

/* Who, for a person: the name (its fingerprint when no record names it), and the member. */
static void
who(char *out, size_t n, const tx_signer *s)
{
    const char *name = s->name[0] ? s->name : s->fingerprint;

    if (s->member[0]) {
        snprintf(out, n, "%s / %s", name, s->member);
    } else {
        snprintf(out, n, "%s", name);
    }
}

enum { COL_AT, COL_KIND, COL_ACTOR, COL_SUBJECT, COL_INDEX, COL_RECORD, COL_DETAIL, COLS };

static const char *const headings[COLS] = {N_("date (UTC)"), N_("event"),     N_("by"),
                                           N_("concerning"), N_("log index"), N_("record"),
                                           N_("detail")};

/* One row's cells (the table's); the buffers are row-sized. */
static void
cells(const tx_history *h, const tx_history_event *e, char c[COLS][2 * TX_NAME_MAX + 8])
{
    row r;

    row_of(h, e, 0, &r);
    snprintf(c[COL_AT], sizeof c[0], "%s", r.at);
    snprintf(c[COL_KIND], sizeof c[0], "%s", _(kinds[e->kind].label));
    who(c[COL_ACTOR], sizeof c[0], &r.actor);
    c[COL_SUBJECT][0] = 0;
    if (e->has_subject) {
        who(c[COL_SUBJECT], sizeof c[0], &r.subject);
    }
    snprintf(c[COL_INDEX], sizeof c[0], "%s", r.index);
    snprintf(c[COL_RECORD], sizeof c[0], "%.16s", r.record);
    snprintf(c[COL_DETAIL], sizeof c[0], "%s", e->detail);
}

void
tx_history_print_table(FILE *f, const tx_history *h)
{
    char c[COLS][2 * TX_NAME_MAX + 8];
    int width[COLS];

    if (h->n == 0) {
        fputs(_("no events: nothing proven in the cache matches (run ticsx fetch)\n"), f);
        return;
    }
    for (int k = 0; k < COLS; k++) {
        width[k] = tx_display_width(_(headings[k]));
    }
    for (size_t i = 0; i < h->n; i++) {
        cells(h, &h->v[i], c);
        for (int k = 0; k < COL_DETAIL; k++) {
            int w = tx_display_width(c[k]);
            width[k] = w > width[k] ? w : width[k];
        }
    }
    width[COL_ACTOR] = width[COL_ACTOR] > ACTOR_COLS ? ACTOR_COLS : width[COL_ACTOR];
    width[COL_SUBJECT] = width[COL_SUBJECT] > NAME_COLS ? NAME_COLS : width[COL_SUBJECT];
    for (size_t i = 0; i <= h->n; i++) {
        if (i == 0) {
            for (int k = 0; k < COLS; k++) {
                /* Headings in capitals, as the other tables have them (Japanese unchanged). */
                snprintf(c[k], sizeof c[k], "%s", _(headings[k]));
                for (char *p = c[k]; *p != '\0'; p++) {
                    *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
                }
            }
        } else {
            cells(h, &h->v[i - 1], c);
        }
        for (int k = 0; k < COL_DETAIL; k++) {
            (k == COL_INDEX ? tx_put_rcell : tx_put_cell)(f, c[k], width[k]);
            fputs("  ", f);
        }
        fprintf(f, "%s\n", c[COL_DETAIL]);
    }
}

static void
put(FILE *f, const char *s, int first)
{
    if (!first) {
        fputc(',', f);
    }
    /* Names and details come from other organisations' records: never a formula. */
    tx_csv_put_field(f, s, TX_CSV_QUOTE_ALL | TX_CSV_NO_FORMULA);
}

void
tx_history_print_csv(FILE *f, const tx_history *h)
{
    static const char *const head[] = {N_("date (UTC)"),
                                       N_("event"),
                                       N_("by"),
                                       N_("fingerprint"),
                                       N_("member"),
                                       N_("concerning"),
                                       N_("concerning fingerprint"),
                                       N_("assessment or certificate"),
                                       N_("request"),
                                       N_("record"),
                                       N_("log index"),
                                       N_("detail")};

    fputs("\xEF\xBB\xBF", f);
    for (size_t k = 0; k < TX_ARRAY_LEN(head); k++) {
        put(f, _(head[k]), k == 0);
    }
    fputs("\r\n", f);
    for (size_t i = 0; i < h->n; i++) {
        const tx_history_event *e = &h->v[i];
        row r;

        row_of(h, e, 1, &r);
        put(f, r.at, 1);
        put(f, tx_history_kind_name(e->kind), 0);
        put(f, r.actor.name, 0);
        put(f, r.actor.fingerprint, 0);
        put(f, r.actor.member, 0);
        put(f, r.subject.name, 0);
        put(f, r.subject.fingerprint, 0);
        put(f, r.about, 0);
        put(f, r.request, 0);
        put(f, r.record, 0);
        put(f, r.index, 0);
        put(f, e->detail, 0);
        fputs("\r\n", f);
    }
}

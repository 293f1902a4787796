/* The report as an XLSX workbook (libxlsxwriter): a sheet of suppliers, a heat map of area
 * scores with a native radar chart of them, a sheet of certificates, one of every answer and,
 * when the report has a supply tree, one of its roll-ups by tier; each table has an autofilter
 * and a frozen header row. Text is written as strings, never as formulas. */
#include "tx_render_doc.h"
#include "tx_render_formats.h"
#include "tx_report_plans.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_msg.h"

#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

/* Suppliers drawn as radar series: more would be unreadable. */
#define RADAR_MAX_SERIES 12

typedef struct {
    lxw_workbook *wb;
    lxw_format *head, *num;
    int ja;
} book;

/* A heading: the key (scripts read the English workbook like the CSV) or its Japanese. */
static const char *
word(const book *b, const char *const key_label[2])
{
    return b->ja ? tx_render_tr(key_label[1], 1) : key_label[0];
}

static void
header(lxw_worksheet *ws, const book *b, const char *const (*cols)[2], size_t n, double width)
{
    for (size_t c = 0; c < n; c++) {
        worksheet_write_string(ws, 0, (lxw_col_t)c, word(b, cols[c]), b->head);
    }
    worksheet_set_column(ws, 0, (lxw_col_t)(n - 1), width, NULL);
    worksheet_freeze_panes(ws, 1, 0);
}

static void
put_number(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const json_t *n, lxw_format *fmt)
{
    if (json_is_number(n)) {
        worksheet_write_number(ws, r, c, json_number_value(n), fmt);
    }
}

static void
put_str(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s)
{
    if (s[0] != 0) {
        worksheet_write_string(ws, r, c, s, NULL);
    }
}

static void
sheet_suppliers(const book *b, const json_t *sups)
{
    static const char *const cols[][2] = {
        {"supplier", N_("Supplier")},
        {"fingerprint", N_("Fingerprint")},
        {"verification", N_("Verification")},
        {"reason", N_("Reason")},
        {"certificate", N_("Certificate")},
        {"as_of", N_("As of")},
        {"valid_until", N_("Valid until")},
        {"overall", N_("Overall")},
        {"level_achieved", N_("Level")},
        {"unanswered", N_("Unanswered")},
        {"level_shares", N_("Share fully met per level")},
        {"credentials", N_("Credentials")},
        {"policy", N_("Acceptance policy")},
        {"policy_version", N_("Policy version")},
        {"policy_reasons", N_("Policy reasons")},
    };
    static const char *const sheet[2] = {"suppliers", N_("Suppliers")};
    char buf[2048];
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, word(b, sheet));
    size_t n = json_array_size(sups);

    header(ws, b, cols, sizeof cols / sizeof cols[0], 16);
    worksheet_set_column(ws, 0, 1, 30, NULL);
    for (size_t s = 0; s < n; s++) {
        const json_t *sup = json_array_get(sups, s);
        const char *cs = tx_render_cert_status(sup);
        lxw_row_t r = (lxw_row_t)(s + 1);
        put_str(ws, r, 0, tx_render_str(sup, "name"));
        put_str(ws, r, 1, tx_render_str(sup, "fingerprint"));
        put_str(ws, r, 2, tx_render_status_label(tx_render_str(sup, "status"), b->ja));
        put_str(ws, r, 3, tx_render_str(sup, "reason"));
        put_str(ws, r, 4, cs[0] ? tx_render_cert_label(cs, b->ja) : "");
        put_str(ws, r, 5, tx_render_str(sup, "as_of"));
        put_str(ws, r, 6, tx_render_str(sup, "valid_until"));
        put_number(ws, r, 7, json_object_get(sup, "overall"), b->num);
        put_number(ws, r, 8, json_object_get(sup, "level_achieved"), NULL);
        put_number(ws, r, 9, json_object_get(sup, "unanswered"), NULL);
        tx_render_level_share(sup, 1, b->ja, buf, sizeof buf);
        put_str(ws, r, 10, json_array_size(json_object_get(sup, "levels")) ? buf : "");
        tx_render_cred_summary(sup, b->ja, buf, sizeof buf);
        put_str(ws, r, 11, buf);
        put_str(ws, r, 12, tx_render_policy_label(tx_render_policy_pass(sup), b->ja));
        put_number(ws, r, 13, json_object_get(json_object_get(sup, "policy"), "version"), NULL);
        tx_render_policy_reasons(sup, b->ja, buf, sizeof buf);
        put_str(ws, r, 14, buf);
    }
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)n, sizeof cols / sizeof cols[0] - 1);
}

static void
sheet_areas(const book *b, const json_t *sups, const json_t *areas)
{
    static const char *const sheet[2] = {"areas", N_("Scores by area")};
    static const char *const supplier[2] = {"supplier", N_("Supplier")};
    static const char *const overall[2] = {"overall", N_("Overall")};
    const char *name = word(b, sheet);
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, name);
    size_t n = json_array_size(sups), na = json_array_size(areas);
    lxw_conditional_format scale = {0};
    char label[300];

    worksheet_write_string(ws, 0, 0, word(b, supplier), b->head);
    worksheet_set_column(ws, 0, 0, 30, NULL);
    for (size_t a = 0; a < na; a++) {
        const json_t *area = json_array_get(areas, a);
        snprintf(label, sizeof label, "%s %s", tx_render_str(area, "id"),
                 tx_render_text(json_object_get(area, "name"), b->ja));
        tx_render_utf8_fix(label);
        worksheet_write_string(ws, 0, (lxw_col_t)(a + 1), label, b->head);
    }
    worksheet_write_string(ws, 0, (lxw_col_t)(na + 1), word(b, overall), b->head);
    worksheet_set_column(ws, 1, (lxw_col_t)(na + 1), 14, NULL);
    worksheet_freeze_panes(ws, 1, 1);
    for (size_t s = 0; s < n; s++) {
        const json_t *sup = json_array_get(sups, s);
        lxw_row_t r = (lxw_row_t)(s + 1);
        put_str(ws, r, 0, tx_render_str(sup, "name"));
        for (size_t a = 0; a < na; a++) {
            const json_t *mine =
                tx_render_area_of(sup, tx_render_str(json_array_get(areas, a), "id"));
            put_number(ws, r, (lxw_col_t)(a + 1), json_object_get(mine, "score"), b->num);
        }
        put_number(ws, r, (lxw_col_t)(na + 1), json_object_get(sup, "overall"), b->num);
    }
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)n, (lxw_col_t)(na + 1));
    if (n == 0 || na == 0) {
        return;
    }
    /* The heat map: red at 0, yellow at 50, green at 100. */
    scale.type = LXW_CONDITIONAL_3_COLOR_SCALE;
    scale.min_rule_type = LXW_CONDITIONAL_RULE_TYPE_NUMBER;
    scale.min_value = 0;
    scale.min_color = 0xF8696B;
    scale.mid_rule_type = LXW_CONDITIONAL_RULE_TYPE_NUMBER;
    scale.mid_value = 50;
    scale.mid_color = 0xFFEB84;
    scale.max_rule_type = LXW_CONDITIONAL_RULE_TYPE_NUMBER;
    scale.max_value = 100;
    scale.max_color = 0x63BE7B;
    worksheet_conditional_format_range(ws, 1, 1, (lxw_row_t)n, (lxw_col_t)(na + 1), &scale);

    lxw_chart *chart = workbook_add_chart(b->wb, LXW_CHART_RADAR);
    for (size_t s = 0; s < n && s < RADAR_MAX_SERIES; s++) {
        lxw_chart_series *series = chart_add_series(chart, NULL, NULL);
        chart_series_set_categories(series, name, 0, 1, 0, (lxw_col_t)na);
        chart_series_set_values(series, name, (lxw_row_t)(s + 1), 1, (lxw_row_t)(s + 1),
                                (lxw_col_t)na);
        chart_series_set_name_range(series, name, (lxw_row_t)(s + 1), 0);
    }
    chart_title_set_name(chart, tx_render_tr(N_("Scores by area"), b->ja));
    chart_axis_set_min(chart->y_axis, 0);
    chart_axis_set_max(chart->y_axis, 100);
    lxw_chart_options where = {.x_scale = 1.6, .y_scale = 1.6};
    worksheet_insert_chart_opt(ws, (lxw_row_t)(n + 3), 0, chart, &where);
}

static void
sheet_certificates(const book *b, const json_t *sups)
{
    static const char *const cols[][2] = {
        {"supplier", N_("Supplier")},
        {"signer_fingerprint", N_("Signer's fingerprint")},
        {"status_now", N_("Status now")},
        {"status_as_of", N_("Status on the as-of date")},
        {"number", N_("Certificate number")},
        {"issuer", N_("Certification body")},
        {"issuer_fingerprint", N_("Certification body's fingerprint")},
        {"sector", N_("Sector")},
        {"issued", N_("Issued")},
        {"expires", N_("Expires")},
        {"reason", N_("Reason")},
    };
    static const char *const sheet[2] = {"certificates", N_("Certificates")};
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, word(b, sheet));
    size_t n = json_array_size(sups);

    header(ws, b, cols, sizeof cols / sizeof cols[0], 18);
    for (size_t s = 0; s < n; s++) {
        const json_t *sup = json_array_get(sups, s);
        const json_t *cert = json_object_get(sup, "certificate");
        const char *now = tx_render_cert_status(sup);
        const char *then = tx_render_str(json_object_get(cert, "as_of"), "status");
        lxw_row_t r = (lxw_row_t)(s + 1);
        put_str(ws, r, 0, tx_render_str(sup, "name"));
        put_str(ws, r, 1, tx_render_str(sup, "fingerprint"));
        put_str(ws, r, 2, now[0] ? tx_render_cert_label(now, b->ja) : "");
        put_str(ws, r, 3, then[0] ? tx_render_cert_label(then, b->ja) : "");
        put_str(ws, r, 4, tx_render_str(cert, "number"));
        put_str(ws, r, 5, tx_render_str(json_object_get(cert, "issuer"), "name"));
        put_str(ws, r, 6, tx_render_str(json_object_get(cert, "issuer"), "fingerprint"));
        put_str(ws, r, 7, tx_render_str(cert, "sector"));
        put_str(ws, r, 8, tx_render_str(cert, "issued"));
        put_str(ws, r, 9, tx_render_str(cert, "expires"));
        put_str(ws, r, 10, tx_render_str(json_object_get(cert, "now"), "reason"));
    }
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)n, sizeof cols / sizeof cols[0] - 1);
}

/* Every credential of every supplier, one a row: scheme, source, status and reason, the
 * fields, the register match and the evidence files with their status. */
static void
sheet_credentials(const book *b, const json_t *sups)
{
    static const char *const cols[][2] = {
        {"supplier", N_("Supplier")},
        {"scheme", N_("Scheme")},
        {"source", N_("Source")},
        {"status", N_("Status")},
        {"reason", N_("Reason")},
        {"number", N_("Certificate number")},
        {"body", N_("Certification body")},
        {"holder", N_("Holder")},
        {"scope", N_("Scope")},
        {"standard", N_("Standard")},
        {"criteria_version", N_("Criteria version")},
        {"issued", N_("Issued")},
        {"expires", N_("Expires")},
        {"last_report", N_("Last periodic report")},
        {"next_report_due", N_("Next report due")},
        {"expected", N_("Expected")},
        {"register", N_("Register")},
        {"register_as_of", N_("Register as of")},
        {"evidence", N_("Evidence files")},
    };
    static const char *const sheet[2] = {"credentials", N_("Credentials")};
    static const char *const fields[] = {"number", "body", "holder_name", "scope", "standard"};
    static const char *const dates[] = {"issued", "expires", "last_report", "next_report_due",
                                        "expected"};
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, word(b, sheet));
    lxw_row_t r = 0;
    char buf[2048];

    header(ws, b, cols, sizeof cols / sizeof cols[0], 16);
    worksheet_set_column(ws, 0, 0, 28, NULL);
    worksheet_set_column(ws, 4, 4, 50, NULL);
    worksheet_set_column(ws, 18, 18, 40, NULL);
    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *sup = json_array_get(sups, s);
        const json_t *creds = json_object_get(sup, "credentials");
        for (size_t i = 0; i < json_array_size(creds); i++) {
            const json_t *c = json_array_get(creds, i);
            const json_t *reg = json_object_get(c, "register");
            const json_t *ev = json_object_get(c, "evidence");
            size_t used = 0;
            r++;
            put_str(ws, r, 0, tx_render_str(sup, "name"));
            put_str(ws, r, 1, tx_render_scheme_label(tx_render_str(c, "scheme"), b->ja));
            put_str(ws, r, 2, tx_render_source_label(tx_render_str(c, "source"), b->ja));
            put_str(ws, r, 3, tx_render_cred_label(tx_render_str(c, "status"), b->ja));
            put_str(ws, r, 4, tx_render_str(c, "reason"));
            for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
                put_str(ws, r, (lxw_col_t)(5 + k), tx_render_str(c, fields[k]));
            }
            put_number(ws, r, 10, json_object_get(c, "criteria_version"), NULL);
            for (size_t k = 0; k < sizeof dates / sizeof dates[0]; k++) {
                put_str(ws, r, (lxw_col_t)(11 + k), tx_render_str(c, dates[k]));
            }
            if (json_is_object(reg)) {
                snprintf(buf, sizeof buf, "%s (%s, %s)",
                         tx_render_match_label(tx_render_str(reg, "match"), b->ja),
                         tx_render_str(reg, "list"), tx_render_str(reg, "publisher"));
                tx_render_utf8_fix(buf);
                put_str(ws, r, 16, buf);
                put_str(ws, r, 17, tx_render_str(reg, "as_of"));
            }
            buf[0] = 0;
            for (size_t e = 0; e < json_array_size(ev); e++) {
                const json_t *fe = json_array_get(ev, e);
                tx_render_append(buf, sizeof buf, &used, "%s%s (%s)", e ? "\n" : "",
                                 tx_render_str(fe, "name"),
                                 tx_render_evidence_label(tx_render_str(fe, "status"), b->ja));
            }
            put_str(ws, r, 18, buf);
        }
    }
    worksheet_autofilter(ws, 0, 0, r, sizeof cols / sizeof cols[0] - 1);
}

/* Every evidence file of every supplier's assessment, one a row. */
static void
sheet_evidence(const book *b, const json_t *sups)
{
    static const char *const cols[][2] = {
        {"supplier", N_("Supplier")},  {"name", N_("File")},      {"media_type", N_("Type")},
        {"size", N_("Size in bytes")}, {"sha256", N_("SHA-256")}, {"status", N_("Status")},
    };
    static const char *const sheet[2] = {"evidence", N_("Evidence files")};
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, word(b, sheet));
    lxw_row_t r = 0;

    header(ws, b, cols, sizeof cols / sizeof cols[0], 18);
    worksheet_set_column(ws, 0, 1, 30, NULL);
    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *sup = json_array_get(sups, s);
        const json_t *ev = json_object_get(sup, "evidence");
        for (size_t e = 0; e < json_array_size(ev); e++) {
            const json_t *fe = json_array_get(ev, e);
            r++;
            put_str(ws, r, 0, tx_render_str(sup, "name"));
            put_str(ws, r, 1, tx_render_str(fe, "name"));
            put_str(ws, r, 2, tx_render_str(fe, "media_type"));
            put_number(ws, r, 3, json_object_get(fe, "size"), NULL);
            put_str(ws, r, 4, tx_render_str(fe, "sha256"));
            put_str(ws, r, 5, tx_render_evidence_label(tx_render_str(fe, "status"), b->ja));
        }
    }
    worksheet_autofilter(ws, 0, 0, r, sizeof cols / sizeof cols[0] - 1);
}

/* The supply tree's roll-ups: one row per tier and one for the whole tree. */
static void
sheet_tiers(const book *b, const json_t *doc)
{
    static const char *const cols[][2] = {
        {"tier", N_("Tier")},
        {"nodes", N_("Organisations")},
        {"verified", N_("Verified")},
        {"verified_%", N_("Verified, share")},
        {"current", N_("Current")},
        {"current_%", N_("Current, share")},
        {"certified", N_("Certified")},
        {"certified_%", N_("Certified, share")},
        {"weakest", N_("Weakest link per area")},
    };
    static const char *const sheet[2] = {"tiers", N_("Tiers")};
    static const char *const all[2] = {"all", N_("Whole tree")};
    static const char *const measures[] = {"verified", "current", "certified"};
    const json_t *tiers = json_object_get(doc, "tiers");
    size_t n = json_array_size(tiers);
    lxw_worksheet *ws;
    char buf[2048];

    if (n == 0) {
        return;
    }
    ws = workbook_add_worksheet(b->wb, word(b, sheet));
    header(ws, b, cols, sizeof cols / sizeof cols[0], 12);
    worksheet_set_column(ws, 8, 8, 60, NULL);
    for (size_t i = 0; i <= n; i++) {
        const json_t *t = i < n ? json_array_get(tiers, i) : json_object_get(doc, "total");
        const json_t *weakest = json_object_get(t, "weakest");
        lxw_row_t r = (lxw_row_t)(i + 1);
        size_t used = 0;
        if (!json_is_object(t)) {
            break;
        }
        if (i < n) {
            put_number(ws, r, 0, json_object_get(t, "tier"), NULL);
        } else {
            worksheet_write_string(ws, r, 0, word(b, all), b->head);
        }
        put_number(ws, r, 1, json_object_get(t, "nodes"), NULL);
        for (size_t m = 0; m < 3; m++) {
            put_number(ws, r, (lxw_col_t)(2 + 2 * m), json_object_get(t, measures[m]), NULL);
            put_number(ws, r, (lxw_col_t)(3 + 2 * m),
                       json_object_get(json_object_get(t, "coverage"), measures[m]), b->num);
        }
        buf[0] = 0;
        for (size_t w = 0; w < json_array_size(weakest) && used < sizeof buf; w++) {
            const json_t *e = json_array_get(weakest, w);
            int k =
                snprintf(buf + used, sizeof buf - used, "%s%s %.1f %s", w ? "; " : "",
                         tx_render_str(e, "area"), json_number_value(json_object_get(e, "score")),
                         tx_render_str(e, "node_name"));
            used += k > 0 ? (size_t)k : 0;
        }
        tx_render_utf8_fix(buf);
        put_str(ws, r, 8, buf);
    }
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)n, sizeof cols / sizeof cols[0] - 1);
}

/* Every answer: one row per supplier and item, with the questionnaire's text. */
static void
sheet_items(const book *b, const json_t *sups)
{
    static const char *const cols[][2] = {
        {"supplier", N_("Supplier")},
        {"item", N_("Item")},
        {"area", N_("Area")},
        {"level", N_("Level")},
        {"text", N_("Requirement")},
        {"answer", N_("Answer")},
        {"score_%", N_("Score in percent")},
        {"comment", N_("Comment")},
        {"topics", N_("Topics")},
    };
    static const char *const sheet[2] = {"items", N_("Items")};
    char buf[2048];
    lxw_worksheet *ws;
    lxw_row_t r = 0;

    ws = workbook_add_worksheet(b->wb, word(b, sheet));
    header(ws, b, cols, sizeof cols / sizeof cols[0], 10);
    worksheet_set_column(ws, 0, 0, 28, NULL);
    worksheet_set_column(ws, 4, 4, 70, NULL);
    worksheet_set_column(ws, 5, 5, 16, NULL);
    worksheet_set_column(ws, 7, 7, 40, NULL);
    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *sup = json_array_get(sups, s);
        const json_t *items = json_object_get(sup, "items");
        for (size_t i = 0; i < json_array_size(items); i++) {
            const json_t *it = json_array_get(items, i);
            const json_t *permille = json_object_get(it, "score_permille");
            r++;
            put_str(ws, r, 0, tx_render_str(sup, "name"));
            put_str(ws, r, 1, tx_render_str(it, "id"));
            put_str(ws, r, 2, tx_render_str(it, "area"));
            put_number(ws, r, 3, json_object_get(it, "level"), NULL);
            put_str(ws, r, 4, tx_render_text(json_object_get(it, "text"), b->ja));
            put_str(ws, r, 5,
                    json_is_string(json_object_get(it, "answer"))
                        ? tx_render_text(json_object_get(it, "label"), b->ja)
                        : tx_render_tr(N_("not answered"), b->ja));
            if (json_is_integer(permille)) {
                worksheet_write_number(ws, r, 6, (double)json_integer_value(permille) / 10.0,
                                       b->num);
            }
            put_str(ws, r, 7, tx_render_str(it, "comment"));
            buf[0] = 0;
            size_t used = 0;
            for (size_t k = 0; k < json_array_size(json_object_get(it, "topics")); k++) {
                const json_t *tp = json_array_get(json_object_get(it, "topics"), k);
                tx_render_append(buf, sizeof buf, &used, "%s%s %s", k ? "\n" : "",
                                 tx_render_str(tp, "id"),
                                 tx_render_text(json_object_get(tp, "name"), b->ja));
            }
            put_str(ws, r, 8, buf);
        }
    }
    worksheet_autofilter(ws, 0, 0, r, sizeof cols / sizeof cols[0] - 1);
}

/* One row per remediation plan of every supplier: its state, dates, action and evidence. */
static void
sheet_plans(const book *b, const json_t *sups)
{
    static const char *const cols[][2] = {
        {"supplier", N_("Supplier")},
        {"item", N_("Item")},
        {"state", N_("State")},
        {"due", N_("Due")},
        {"done", N_("Done")},
        {"action", N_("Action")},
        {"evidence", N_("Evidence files")},
    };
    static const char *const sheet[2] = {"plans", N_("Remediation plans")};
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, word(b, sheet));
    const json_t *p;
    char buf[1024];
    lxw_row_t r = 0;
    size_t i;

    header(ws, b, cols, sizeof cols / sizeof cols[0], 12);
    worksheet_set_column(ws, 0, 0, 28, NULL);
    worksheet_set_column(ws, 5, 5, 60, NULL);
    worksheet_set_column(ws, 6, 6, 30, NULL);
    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *sup = json_array_get(sups, s);
        json_array_foreach(json_object_get(json_object_get(sup, "plans"), "items"), i, p)
        {
            const json_t *ev = json_object_get(p, "evidence");
            size_t used = 0;
            r++;
            put_str(ws, r, 0, tx_render_str(sup, "name"));
            put_str(ws, r, 1, tx_render_str(p, "item"));
            put_str(ws, r, 2,
                    b->ja ? tx_report_plan_state_label(tx_render_str(p, "state"), 1)
                          : tx_render_str(p, "state"));
            put_str(ws, r, 3, tx_render_str(p, "due"));
            put_str(ws, r, 4, tx_render_str(p, "done"));
            put_str(ws, r, 5, tx_render_str(p, "action"));
            buf[0] = 0;
            for (size_t k = 0; k < json_array_size(ev); k++) {
                tx_render_append(buf, sizeof buf, &used, "%s%s", k ? "\n" : "",
                                 json_string_value(json_array_get(ev, k)));
            }
            put_str(ws, r, 6, buf);
        }
    }
    worksheet_autofilter(ws, 0, 0, r, sizeof cols / sizeof cols[0] - 1);
}

int
tx_render_xlsx(const char *path, const json_t *docs, int ja)
{
    /* Several questionnaires in turn: only the first for now (issue 15 renders each). */
    const json_t *doc = json_array_get(docs, 0);
    const json_t *sups = tx_render_rows(doc);
    json_t *areas = tx_render_area_union(doc);
    book b = {.wb = workbook_new(path), .ja = ja};
    lxw_error err;

    if (b.wb == NULL) {
        json_decref(areas);
        return tx_fail(TX_ERR_IO, "cannot write %s", path);
    }
    b.head = workbook_add_format(b.wb);
    format_set_bold(b.head);
    format_set_bg_color(b.head, 0xEEF2F6);
    format_set_bottom(b.head, LXW_BORDER_THIN);
    b.num = workbook_add_format(b.wb);
    format_set_num_format(b.num, "0.0");
    sheet_suppliers(&b, sups);
    sheet_areas(&b, sups, areas);
    sheet_certificates(&b, sups);
    sheet_credentials(&b, sups);
    sheet_evidence(&b, sups);
    sheet_items(&b, sups);
    sheet_plans(&b, sups);
    sheet_tiers(&b, doc);
    err = workbook_close(b.wb);
    json_decref(areas);
    if (err != LXW_NO_ERROR) {
        return tx_fail(TX_ERR_IO, "cannot write %s: %s", path, lxw_strerror(err));
    }
    return TX_OK;
}

/* The XLSX report's sheets of suppliers, area scores with their radar chart, certificates,
 * credentials and evidence files (tx_render_xlsx.h). */
#include "tx_render_doc.h"
#include "tx_render_xlsx.h"
#include "tx_report_plans.h"

#include "tx_i18n.h"
#include "tx_msg.h"

#include <stdio.h>
#include <string.h>

/* Suppliers drawn as radar series: more would be unreadable. */
#define RADAR_MAX_SERIES 12

void
tx_xlsx_sheet_suppliers(tx_xlsx_book *b, const json_t *sups)
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
    /* Widths in characters: short for dates and numbers, wide for texts (wrapped). */
    static const double widths[] = {24, 26, 12, 30, 12, 11, 11, 8, 7, 8, 16, 30, 9, 8, 30};
    TX_XLSX_WIDTH_PER_COLUMN(widths, cols);
    static const char *const sheet[2] = {"suppliers", N_("Suppliers")};
    char buf[2048];
    lxw_worksheet *ws = tx_xlsx_add_table(b, sheet, cols, widths, sizeof cols / sizeof cols[0]);
    size_t n = json_array_size(sups);

    if (ws == NULL) {
        return;
    }
    for (size_t s = 0; s < n; s++) {
        const json_t *sup = json_array_get(sups, s);
        const char *cs = tx_render_cert_status(sup);
        lxw_row_t r = (lxw_row_t)(s + 1);
        tx_xlsx_put_str(ws, r, 0, tx_render_str(sup, "name"));
        tx_xlsx_put_str(ws, r, 1, tx_render_str(sup, "fingerprint"));
        tx_xlsx_put_str(ws, r, 2, tx_render_status_label(tx_render_str(sup, "status"), b->ja));
        tx_xlsx_put_str(ws, r, 3, tx_render_str(sup, "reason"));
        tx_xlsx_put_str(ws, r, 4, cs[0] ? tx_render_cert_label(cs, b->ja) : "");
        tx_xlsx_put_str(ws, r, 5, tx_render_str(sup, "as_of"));
        tx_xlsx_put_str(ws, r, 6, tx_render_str(sup, "valid_until"));
        tx_xlsx_put_number(ws, r, 7, json_object_get(sup, "overall"), b->num);
        tx_xlsx_put_number(ws, r, 8, json_object_get(sup, "level_achieved"), NULL);
        tx_xlsx_put_number(ws, r, 9, json_object_get(sup, "unanswered"), NULL);
        tx_render_level_share(sup, 1, b->ja, buf, sizeof buf);
        tx_xlsx_put_str(ws, r, 10, json_array_size(json_object_get(sup, "levels")) ? buf : "");
        tx_render_cred_summary(sup, b->ja, buf, sizeof buf);
        tx_xlsx_put_str(ws, r, 11, buf);
        tx_xlsx_put_str(ws, r, 12, tx_render_policy_label(tx_render_policy_pass(sup), b->ja));
        tx_xlsx_put_number(ws, r, 13, json_object_get(json_object_get(sup, "policy"), "version"),
                           NULL);
        tx_render_policy_reasons(sup, b->ja, buf, sizeof buf);
        tx_xlsx_put_str(ws, r, 14, buf);
    }
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)n, sizeof cols / sizeof cols[0] - 1);
}

/* The radar chart of the areas sheet `name` (n suppliers, na areas) on a chartsheet of its
 * own, so that it prints on a page of its own. */
static void
radar(tx_xlsx_book *b, const char *name, size_t n, size_t na)
{
    static const char *const sheet[2] = {"radar", N_("Radar chart")};
    lxw_chart *chart = workbook_add_chart(b->wb, LXW_CHART_RADAR);
    char title[300];

    if (chart == NULL) {
        return;
    }
    for (size_t s = 0; s < n && s < RADAR_MAX_SERIES; s++) {
        lxw_chart_series *series = chart_add_series(chart, NULL, NULL);
        chart_series_set_categories(series, name, 0, 1, 0, (lxw_col_t)na);
        chart_series_set_values(series, name, (lxw_row_t)(s + 1), 1, (lxw_row_t)(s + 1),
                                (lxw_col_t)na);
        chart_series_set_name_range(series, name, (lxw_row_t)(s + 1), 0);
    }
    snprintf(title, sizeof title, "%s%s%s", tx_render_tr(N_("Scores by area"), b->ja),
             b->qid ? tx_render_tr(N_(": "), b->ja) : "", b->qid ? b->title : "");
    tx_render_utf8_fix(title);
    chart_title_set_name(chart, title);
    chart_axis_set_min(chart->y_axis, 0);
    chart_axis_set_max(chart->y_axis, 100);
    tx_xlsx_add_chartsheet(b, sheet, chart);
}

/* The heat map: red at 0, yellow at 50, green at 100. */
static void
heat_map(lxw_worksheet *ws, size_t n, size_t na)
{
    lxw_conditional_format scale = {0};

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
}

void
tx_xlsx_sheet_areas(tx_xlsx_book *b, const json_t *sups, const json_t *areas)
{
    static const char *const sheet[2] = {"areas", N_("Scores by area")};
    static const char *const supplier[2] = {"supplier", N_("Supplier")};
    static const char *const overall[2] = {"overall", N_("Overall")};
    char name[LXW_MAX_SHEETNAME_LENGTH];
    lxw_worksheet *ws = tx_xlsx_add_sheet(b, sheet, name);
    size_t n = json_array_size(sups), na = json_array_size(areas);

    if (ws == NULL) {
        return;
    }
    worksheet_write_string(ws, 0, 0, tx_xlsx_word(b, supplier), b->head);
    worksheet_set_column(ws, 0, 0, 26, b->wrap);
    tx_xlsx_area_headings(ws, b, areas, 1);
    worksheet_write_string(ws, 0, (lxw_col_t)(na + 1), tx_xlsx_word(b, overall), b->head);
    worksheet_set_column(ws, (lxw_col_t)(na + 1), (lxw_col_t)(na + 1), 12, b->wrap);
    worksheet_freeze_panes(ws, 1, 1);
    for (size_t s = 0; s < n; s++) {
        const json_t *sup = json_array_get(sups, s);
        lxw_row_t r = (lxw_row_t)(s + 1);
        tx_xlsx_put_str(ws, r, 0, tx_render_str(sup, "name"));
        tx_xlsx_area_scores(ws, b, r, 1, sup, areas);
        tx_xlsx_put_number(ws, r, (lxw_col_t)(na + 1), json_object_get(sup, "overall"), b->num);
    }
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)n, (lxw_col_t)(na + 1));
    if (n > 0 && na > 0) {
        heat_map(ws, n, na);
        radar(b, name, n, na);
    }
}

void
tx_xlsx_sheet_certificates(tx_xlsx_book *b, const json_t *sups)
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
    /* Widths in characters: short for dates and numbers, wide for texts (wrapped). */
    static const double widths[] = {24, 26, 14, 14, 14, 20, 26, 12, 11, 11, 30};
    TX_XLSX_WIDTH_PER_COLUMN(widths, cols);
    static const char *const sheet[2] = {"certificates", N_("Certificates")};
    lxw_worksheet *ws = tx_xlsx_add_table(b, sheet, cols, widths, sizeof cols / sizeof cols[0]);
    size_t n = json_array_size(sups);

    if (ws == NULL) {
        return;
    }
    for (size_t s = 0; s < n; s++) {
        const json_t *sup = json_array_get(sups, s);
        const json_t *cert = json_object_get(sup, "certificate");
        const char *now = tx_render_cert_status(sup);
        const char *then = tx_render_str(json_object_get(cert, "as_of"), "status");
        lxw_row_t r = (lxw_row_t)(s + 1);
        tx_xlsx_put_str(ws, r, 0, tx_render_str(sup, "name"));
        tx_xlsx_put_str(ws, r, 1, tx_render_str(sup, "fingerprint"));
        tx_xlsx_put_str(ws, r, 2, now[0] ? tx_render_cert_label(now, b->ja) : "");
        tx_xlsx_put_str(ws, r, 3, then[0] ? tx_render_cert_label(then, b->ja) : "");
        tx_xlsx_put_str(ws, r, 4, tx_render_str(cert, "number"));
        tx_xlsx_put_str(ws, r, 5, tx_render_str(json_object_get(cert, "issuer"), "name"));
        tx_xlsx_put_str(ws, r, 6, tx_render_str(json_object_get(cert, "issuer"), "fingerprint"));
        tx_xlsx_put_str(ws, r, 7, tx_render_str(cert, "sector"));
        tx_xlsx_put_str(ws, r, 8, tx_render_str(cert, "issued"));
        tx_xlsx_put_str(ws, r, 9, tx_render_str(cert, "expires"));
        tx_xlsx_put_str(ws, r, 10, tx_render_str(json_object_get(cert, "now"), "reason"));
    }
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)n, sizeof cols / sizeof cols[0] - 1);
}

/* Every credential of every supplier, one a row: scheme, source, status and reason, the
 * fields, the register match and the evidence files with their status. */
void
tx_xlsx_sheet_credentials(tx_xlsx_book *b, const json_t *sups)
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
    /* Widths in characters: short for dates and numbers, wide for texts (wrapped). */
    static const double widths[] = {22, 14, 14, 14, 30, 14, 18, 18, 18, 14,
                                    8,  11, 11, 11, 11, 11, 24, 11, 30};
    TX_XLSX_WIDTH_PER_COLUMN(widths, cols);
    static const char *const sheet[2] = {"credentials", N_("Credentials")};
    static const char *const fields[] = {"number", "body", "holder_name", "scope", "standard"};
    static const char *const dates[] = {"issued", "expires", "last_report", "next_report_due",
                                        "expected"};
    lxw_worksheet *ws = tx_xlsx_add_table(b, sheet, cols, widths, sizeof cols / sizeof cols[0]);
    lxw_row_t r = 0;
    char buf[2048];

    if (ws == NULL) {
        return;
    }
    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *sup = json_array_get(sups, s);
        const json_t *creds = json_object_get(sup, "credentials");
        for (size_t i = 0; i < json_array_size(creds); i++) {
            const json_t *c = json_array_get(creds, i);
            const json_t *reg = json_object_get(c, "register");
            const json_t *ev = json_object_get(c, "evidence");
            size_t used = 0;
            r++;
            tx_xlsx_put_str(ws, r, 0, tx_render_str(sup, "name"));
            tx_xlsx_put_str(ws, r, 1, tx_render_scheme_label(tx_render_str(c, "scheme"), b->ja));
            tx_xlsx_put_str(ws, r, 2, tx_render_source_label(tx_render_str(c, "source"), b->ja));
            tx_xlsx_put_str(ws, r, 3, tx_render_cred_label(tx_render_str(c, "status"), b->ja));
            tx_xlsx_put_str(ws, r, 4, tx_render_str(c, "reason"));
            for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
                tx_xlsx_put_str(ws, r, (lxw_col_t)(5 + k), tx_render_str(c, fields[k]));
            }
            tx_xlsx_put_number(ws, r, 10, json_object_get(c, "criteria_version"), NULL);
            for (size_t k = 0; k < sizeof dates / sizeof dates[0]; k++) {
                tx_xlsx_put_str(ws, r, (lxw_col_t)(11 + k), tx_render_str(c, dates[k]));
            }
            if (json_is_object(reg)) {
                snprintf(buf, sizeof buf, "%s (%s, %s)",
                         tx_render_match_label(tx_render_str(reg, "match"), b->ja),
                         tx_render_str(reg, "list"), tx_render_str(reg, "publisher"));
                tx_render_utf8_fix(buf);
                tx_xlsx_put_str(ws, r, 16, buf);
                tx_xlsx_put_str(ws, r, 17, tx_render_str(reg, "as_of"));
            }
            buf[0] = 0;
            for (size_t e = 0; e < json_array_size(ev); e++) {
                const json_t *fe = json_array_get(ev, e);
                tx_render_append(buf, sizeof buf, &used, "%s%s (%s)", e ? "\n" : "",
                                 tx_render_str(fe, "name"),
                                 tx_render_evidence_label(tx_render_str(fe, "status"), b->ja));
            }
            tx_xlsx_put_str(ws, r, 18, buf);
        }
    }
    worksheet_autofilter(ws, 0, 0, r, sizeof cols / sizeof cols[0] - 1);
}

/* Every evidence file of every supplier's assessment, one a row. */
void
tx_xlsx_sheet_evidence(tx_xlsx_book *b, const json_t *sups)
{
    static const char *const cols[][2] = {
        {"supplier", N_("Supplier")},  {"name", N_("File")},      {"media_type", N_("Type")},
        {"size", N_("Size in bytes")}, {"sha256", N_("SHA-256")}, {"status", N_("Status")},
    };
    /* Widths in characters: short for dates and numbers, wide for texts (wrapped). */
    static const double widths[] = {24, 30, 16, 10, 34, 14};
    TX_XLSX_WIDTH_PER_COLUMN(widths, cols);
    static const char *const sheet[2] = {"evidence", N_("Evidence files")};
    lxw_worksheet *ws = tx_xlsx_add_table(b, sheet, cols, widths, sizeof cols / sizeof cols[0]);
    lxw_row_t r = 0;

    if (ws == NULL) {
        return;
    }
    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *sup = json_array_get(sups, s);
        const json_t *ev = json_object_get(sup, "evidence");
        for (size_t e = 0; e < json_array_size(ev); e++) {
            const json_t *fe = json_array_get(ev, e);
            r++;
            tx_xlsx_put_str(ws, r, 0, tx_render_str(sup, "name"));
            tx_xlsx_put_str(ws, r, 1, tx_render_str(fe, "name"));
            tx_xlsx_put_str(ws, r, 2, tx_render_str(fe, "media_type"));
            tx_xlsx_put_number(ws, r, 3, json_object_get(fe, "size"), NULL);
            tx_xlsx_put_str(ws, r, 4, tx_render_str(fe, "sha256"));
            tx_xlsx_put_str(ws, r, 5, tx_render_evidence_label(tx_render_str(fe, "status"), b->ja));
        }
    }
    worksheet_autofilter(ws, 0, 0, r, sizeof cols / sizeof cols[0] - 1);
}

/* One row per remediation plan of every supplier: its state, dates, action and evidence. */
void
tx_xlsx_sheet_plans(tx_xlsx_book *b, const json_t *sups)
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
    static const double widths[] = {28, 10, 12, 12, 12, 60, 30};
    TX_XLSX_WIDTH_PER_COLUMN(widths, cols);
    static const char *const sheet[2] = {"plans", N_("Remediation plans")};
    lxw_worksheet *ws = tx_xlsx_add_table(b, sheet, cols, widths, sizeof cols / sizeof cols[0]);
    const json_t *p;
    char buf[1024];
    lxw_row_t r = 0;
    size_t i;

    if (ws == NULL) {
        return;
    }
    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *sup = json_array_get(sups, s);
        json_array_foreach(json_object_get(json_object_get(sup, "plans"), "items"), i, p)
        {
            const json_t *ev = json_object_get(p, "evidence");
            const char *state = tx_render_str(p, "state");
            size_t used = 0;

            r++;
            tx_xlsx_put_str(ws, r, 0, tx_render_str(sup, "name"));
            tx_xlsx_put_str(ws, r, 1, tx_render_str(p, "item"));
            tx_xlsx_put_str(ws, r, 2, b->ja ? tx_report_plan_state_label(state, 1) : state);
            tx_xlsx_put_str(ws, r, 3, tx_render_str(p, "due"));
            tx_xlsx_put_str(ws, r, 4, tx_render_str(p, "done"));
            tx_xlsx_put_str(ws, r, 5, tx_render_str(p, "action"));
            buf[0] = 0;
            for (size_t k = 0; k < json_array_size(ev); k++) {
                tx_render_append(buf, sizeof buf, &used, "%s%s", k ? "\n" : "",
                                 json_string_value(json_array_get(ev, k)));
            }
            tx_xlsx_put_str(ws, r, 6, buf);
        }
    }
    worksheet_autofilter(ws, 0, 0, r, sizeof cols / sizeof cols[0] - 1);
}

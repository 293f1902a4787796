/* The report as one self-contained HTML page: inline CSS and inline SVG, no script, no URL of
 * any kind (nothing is fetched when it is opened). Every string from the document is escaped. */
#include "tx_render_doc.h"
#include "tx_render_formats.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_msg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RADAR_W 580
#define RADAR_H 300
#define RADAR_R 100.0
#define PI 3.14159265358979323846

/* Writes s with & < > " ' escaped: safe in text and in quoted attributes. */
static void
put_esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        case '/':
            /* Never "//" in the page: nothing in it may read as a URL. */
            fputs("&#47;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

static const char style[] =
    "body{font-family:\"Noto Sans CJK JP\",\"Noto Sans JP\",\"Hiragino Sans\",\"Yu Gothic\","
    "Meiryo,sans-serif;margin:24px;color:#1d2733;background:#fff}\n"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;"
    "border-bottom:2px solid #d6dde6;padding-bottom:4px}\n"
    ".meta{color:#5b6776;font-size:13px}\n"
    "table{border-collapse:collapse;font-size:13px}"
    "th,td{border:1px solid #c9d2dc;padding:4px 8px;text-align:left;vertical-align:top}\n"
    "th{background:#eef2f6}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.heat{text-align:center;min-width:44px;font-weight:600}.nw{white-space:nowrap}\n"
    "tr.weak td{background:#fdecea}tr.weak td:first-child{border-left:4px solid #b3261e}\n"
    ".fp{font-family:\"Noto Sans Mono CJK JP\",monospace;font-size:11px;color:#5b6776}\n"
    ".bad{color:#b3261e;font-weight:600}.ok{color:#1e7b34;font-weight:600}\n"
    ".note{color:#5b6776;font-size:12px}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:12px}"
    ".card{border:1px solid #c9d2dc;border-radius:6px;padding:8px}"
    ".card h3{font-size:14px;margin:0 0 4px}\n"
    "details{margin:4px 0}summary{cursor:pointer;font-weight:600}details table{margin:6px 0}\n"
    "svg text{font-size:11px;fill:#1d2733}\n"
    ".warn{color:#8a5300;font-weight:600}.decl{color:#3d4a5c;font-style:italic}\n"
    ".creds th{white-space:nowrap}.creds td{min-width:150px}\n"
    "h2.questionnaire{font-size:20px;border-bottom:4px solid #1d2733;margin-top:36px}\n"
    "@media print{body{margin:0}h2{break-after:avoid}tr,.card{break-inside:avoid}"
    "details>*{display:block}}\n";

/* The class of a credential's status: ok (valid, listed), decl (declared: not the same as
 * valid), warn (a warning), bad (a problem). */
static const char *
cred_class(const json_t *c)
{
    const char *sev = tx_render_str(c, "severity");

    if (strcmp(tx_render_str(c, "status"), "declared") == 0) {
        return "decl";
    }
    return strcmp(sev, "ok") == 0 ? "ok" : strcmp(sev, "warning") == 0 ? "warn" : "bad";
}

/* A cell of the credentials' summary and the policy's verdict of a row. */
static void
put_cred_policy_cells(FILE *f, const json_t *sup, int ja)
{
    const json_t *creds = json_object_get(sup, "credentials");
    int pass = tx_render_policy_pass(sup);
    char reasons[1024];

    fputs("<td>", f);
    for (size_t i = 0; i < json_array_size(creds); i++) {
        const json_t *c = json_array_get(creds, i);
        fputs(i ? "<br>" : "", f);
        put_esc(f, tx_render_scheme_short(tx_render_str(c, "scheme"), ja));
        fprintf(f, " <span class=\"%s\">", cred_class(c));
        put_esc(f, tx_render_cred_label(tx_render_str(c, "status"), ja));
        fputs("</span>", f);
    }
    if (json_array_size(creds) == 0) {
        fputs("-", f);
    }
    fputs("</td><td>", f);
    if (pass < 0) {
        fputs("-</td>", f);
        return;
    }
    fprintf(f, "<span class=\"%s\">", pass ? "ok" : "bad");
    put_esc(f, tx_render_policy_label(pass, ja));
    fputs("</span>", f);
    tx_render_policy_reasons(sup, ja, reasons, sizeof reasons);
    if (reasons[0]) {
        fputs("<br><span class=\"note\">", f);
        put_esc(f, reasons);
        fputs("</span>", f);
    }
    fputs("</td>", f);
}

static void
put_score_cell(FILE *f, const json_t *score)
{
    if (!json_is_number(score)) {
        fputs("<td class=\"heat\" style=\"background:#eceff3\">-</td>", f);
        return;
    }
    double v = json_number_value(score);
    /* Red at 0, through yellow, to green at 100. */
    fprintf(f, "<td class=\"heat\" style=\"background:hsl(%.0f,70%%,78%%)\">%.1f</td>",
            fmax(0.0, fmin(100.0, v)) * 1.2, v);
}

static void
put_supplier_name(FILE *f, const json_t *sup, int ja)
{
    const char *name = tx_render_str(sup, "name");

    put_esc(f, name[0] ? name : tx_render_tr(N_("(no profile)"), ja));
}

static void
put_cert(FILE *f, const json_t *sup, int ja)
{
    const json_t *cert = json_object_get(sup, "certificate");
    const char *cs = tx_render_cert_status(sup);

    if (cs[0] == 0) {
        fputs("<td>-</td>", f);
        return;
    }
    fprintf(f, "<td><span class=\"%s\">",
            strcmp(cs, "valid") == 0            ? "ok"
            : strcmp(cs, "no_certificate") == 0 ? "note"
                                                : "bad");
    put_esc(f, tx_render_cert_label(cs, ja));
    fputs("</span>", f);
    if (tx_render_str(cert, "number")[0]) {
        fputs("<br>", f);
        put_esc(f, tx_render_str(cert, "number"));
        fputs(" &middot; ", f);
        put_esc(f, tx_render_str(json_object_get(cert, "issuer"), "name"));
    }
    if (strcmp(cs, "valid") != 0 && strcmp(cs, "no_certificate") != 0) {
        fputs("<br><span class=\"note\">", f);
        put_esc(f, tx_render_str(json_object_get(cert, "now"), "reason"));
        fputs("</span>", f);
    }
    fputs("</td>", f);
}

static void
put_suppliers(FILE *f, const json_t *sups, int ja)
{
    char lvbuf[256];

    fprintf(f,
            "<h2>%s</h2>\n<table>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
            "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
            tx_render_tr(N_("Suppliers"), ja), tx_render_tr(N_("Supplier"), ja),
            tx_render_tr(N_("Verification"), ja), tx_render_tr(N_("Certificate"), ja),
            tx_render_tr(N_("Credentials"), ja), tx_render_tr(N_("Acceptance policy"), ja),
            tx_render_tr(N_("As of"), ja), tx_render_tr(N_("Overall"), ja),
            tx_render_tr(N_("Level"), ja), tx_render_tr(N_("Unanswered"), ja));
    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *sup = json_array_get(sups, s);
        const char *st = tx_render_str(sup, "status");
        const json_t *overall = json_object_get(sup, "overall");
        const json_t *miss = json_object_get(sup, "unanswered");

        fputs("<tr><td>", f);
        put_supplier_name(f, sup, ja);
        fputs("<br><span class=\"fp\">", f);
        put_esc(f, tx_render_str(sup, "fingerprint"));
        fprintf(f, "</span></td><td class=\"nw\"><span class=\"%s\">",
                strcmp(st, "verified") == 0 ? "ok" : "bad");
        put_esc(f, st[0] ? tx_render_status_label(st, ja)
                         : tx_render_answer_state_label(tx_render_str(sup, "answer_state"), ja));
        fputs("</span>", f);
        if (tx_render_str(sup, "reason")[0]) {
            fputs("<br><span class=\"note\">", f);
            put_esc(f, tx_render_str(sup, "reason"));
            fputs("</span>", f);
        }
        fputs("</td>", f);
        put_cert(f, sup, ja);
        put_cred_policy_cells(f, sup, ja);
        fputs("<td class=\"nw\">", f);
        put_esc(f, tx_render_str(sup, "as_of"));
        if (tx_render_str(sup, "valid_until")[0]) {
            fputs("<br>&ndash; ", f);
            put_esc(f, tx_render_str(sup, "valid_until"));
        }
        fputs("</td>", f);
        put_score_cell(f, overall);
        /* The level achieved beside every level's share fully met. */
        tx_render_level_share(sup, 0, ja, lvbuf, sizeof lvbuf);
        fputs("<td class=\"nw\">", f);
        put_esc(f, lvbuf);
        if (json_array_size(json_object_get(sup, "levels")) > 0) {
            tx_render_level_share(sup, 1, ja, lvbuf, sizeof lvbuf);
            fputs("<br><span class=\"note\">", f);
            put_esc(f, lvbuf);
            fputs("</span>", f);
        }
        fputs("</td>", f);
        if (json_is_integer(miss)) {
            fprintf(f, "<td class=\"num\">%lld</td></tr>\n", (long long)json_integer_value(miss));
        } else {
            fputs("<td class=\"num\">-</td></tr>\n", f);
        }
    }
    fputs("</table>\n", f);
}

static void
put_heatmap(FILE *f, const json_t *sups, const json_t *areas, int ja)
{
    fprintf(f, "<h2>%s</h2>\n<table>\n<tr><th>%s</th>", tx_render_tr(N_("Scores by area"), ja),
            tx_render_tr(N_("Supplier"), ja));
    for (size_t a = 0; a < json_array_size(areas); a++) {
        const json_t *area = json_array_get(areas, a);
        fputs("<th>", f);
        put_esc(f, tx_render_str(area, "id"));
        fputs("<br><span class=\"note\">", f);
        put_esc(f, tx_render_text(json_object_get(area, "name"), ja));
        fputs("</span></th>", f);
    }
    fprintf(f, "<th>%s</th></tr>\n", tx_render_tr(N_("Overall"), ja));
    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *sup = json_array_get(sups, s);
        fputs("<tr><td>", f);
        put_supplier_name(f, sup, ja);
        fputs("</td>", f);
        for (size_t a = 0; a < json_array_size(areas); a++) {
            const json_t *mine =
                tx_render_area_of(sup, tx_render_str(json_array_get(areas, a), "id"));
            put_score_cell(f, json_object_get(mine, "score"));
        }
        put_score_cell(f, json_object_get(sup, "overall"));
        fputs("</tr>\n", f);
    }
    fprintf(f, "</table>\n<p class=\"note\">%s</p>\n",
            /* xgettext:no-c-format */
            tx_render_tr(N_("Scores: weighted % of the applicable items answered; - where nothing "
                            "applicable was answered."),
                         ja));
}

/* One radar chart: a polygon of the area scores on rings at 25, 50, 75 and 100. */
static void
put_radar(FILE *f, const json_t *sup, int ja)
{
    const json_t *areas = json_object_get(sup, "areas");
    size_t n = json_array_size(areas);
    double cx = RADAR_W / 2.0, cy = RADAR_H / 2.0;

    fprintf(f, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", RADAR_W,
            RADAR_H, RADAR_W, RADAR_H);
    for (int ring = 1; ring <= 4; ring++) {
        fputs("<polygon fill=\"none\" stroke=\"#c9d2dc\" points=\"", f);
        for (size_t i = 0; i < n; i++) {
            double t = 2.0 * PI * (double)i / (double)n - PI / 2.0;
            fprintf(f, "%.1f,%.1f ", cx + RADAR_R * ring / 4.0 * cos(t),
                    cy + RADAR_R * ring / 4.0 * sin(t));
        }
        fputs("\"/>\n", f);
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *a = json_array_get(areas, i);
        double t = 2.0 * PI * (double)i / (double)n - PI / 2.0;
        double lx = cx + (RADAR_R + 14.0) * cos(t), ly = cy + (RADAR_R + 14.0) * sin(t);
        const char *anchor = cos(t) > 0.2 ? "start" : cos(t) < -0.2 ? "end" : "middle";
        fprintf(f, "<line stroke=\"#c9d2dc\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                cx, cy, cx + RADAR_R * cos(t), cy + RADAR_R * sin(t));
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" dominant-baseline=\"middle\">",
                lx, ly, anchor);
        put_esc(f, tx_render_text(json_object_get(a, "name"), ja));
        fputs("</text>\n", f);
    }
    fputs("<polygon fill=\"rgba(37,99,175,0.25)\" stroke=\"#2563af\" stroke-width=\"2\" "
          "points=\"",
          f);
    for (size_t i = 0; i < n; i++) {
        const json_t *score = json_object_get(json_array_get(areas, i), "score");
        double v = json_is_number(score) ? fmax(0.0, fmin(100.0, json_number_value(score))) : 0;
        double t = 2.0 * PI * (double)i / (double)n - PI / 2.0;
        fprintf(f, "%.1f,%.1f ", cx + RADAR_R * v / 100.0 * cos(t),
                cy + RADAR_R * v / 100.0 * sin(t));
    }
    fputs("\"/>\n</svg>\n", f);
}

static void
put_radars(FILE *f, const json_t *sups, int ja)
{
    fprintf(f, "<h2>%s</h2>\n<div class=\"cards\">\n",
            tx_render_tr(N_("Area profile per supplier"), ja));
    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *sup = json_array_get(sups, s);
        const json_t *overall = json_object_get(sup, "overall");
        if (json_array_size(json_object_get(sup, "areas")) < 3) {
            continue;
        }
        fputs("<div class=\"card\"><h3>", f);
        put_supplier_name(f, sup, ja);
        fputs("</h3><div class=\"fp\">", f);
        put_esc(f, tx_render_str(sup, "fingerprint"));
        fputs("</div>\n", f);
        put_radar(f, sup, ja);
        if (json_is_number(overall)) {
            fprintf(f, "<div class=\"note\">%s %.1f</div>", tx_render_tr(N_("Overall"), ja),
                    json_number_value(overall));
        }
        fputs("</div>\n", f);
    }
    fputs("</div>\n", f);
}

/* A row of the credentials' table: one field of every credential side by side. */
static void
put_field_row(FILE *f, const json_t *creds, const char *label, const char *key)
{
    fputs("<tr><th>", f);
    put_esc(f, label);
    fputs("</th>", f);
    for (size_t i = 0; i < json_array_size(creds); i++) {
        const json_t *v = json_object_get(json_array_get(creds, i), key);
        fputs("<td>", f);
        if (json_is_integer(v)) {
            fprintf(f, "%lld", (long long)json_integer_value(v));
        } else {
            put_esc(f, json_is_string(v) && json_string_length(v) ? json_string_value(v) : "-");
        }
        fputs("</td>", f);
    }
    fputs("</tr>\n", f);
}

/* Per supplier with credentials: each credential in a column of its own (the body-signed
 * certificate first), its status, reason, fields, register match and evidence files; then the
 * supplier's other evidence files. Declared credentials say so in their own words and style. */
static void
put_credentials(FILE *f, const json_t *sups, int ja)
{
    static const struct {
        const char *label, *key;
    } fields[] = {
        {N_("Certificate number"), "number"},
        {N_("Certification body"), "body"},
        {N_("Holder"), "holder_name"},
        {N_("Corporate number"), "corporate_number"},
        {N_("Scope"), "scope"},
        {N_("Standard"), "standard"},
        {N_("Criteria version"), "criteria_version"},
        {N_("Issued"), "issued"},
        {N_("Expires"), "expires"},
        {N_("Last periodic report"), "last_report"},
        {N_("Next report due"), "next_report_due"},
        {N_("Expected"), "expected"},
        {N_("Renews"), "renews"},
    };
    int any = 0;

    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *sup = json_array_get(sups, s);
        const json_t *creds = json_object_get(sup, "credentials");
        const json_t *ev = json_object_get(sup, "evidence");
        size_t n = json_array_size(creds);

        if (n == 0 && json_array_size(ev) == 0) {
            continue;
        }
        if (!any) {
            fprintf(f, "<h2>%s</h2>\n", tx_render_tr(N_("Credentials and evidence"), ja));
            any = 1;
        }
        fputs("<h3>", f);
        put_supplier_name(f, sup, ja);
        fputs("</h3>\n", f);
        if (n > 0) {
            fputs("<table class=\"creds\">\n<tr><th></th>", f);
            for (size_t i = 0; i < n; i++) {
                const json_t *c = json_array_get(creds, i);
                fputs("<th>", f);
                put_esc(f, tx_render_scheme_label(tx_render_str(c, "scheme"), ja));
                fputs("<br><span class=\"note\">", f);
                put_esc(f, tx_render_source_label(tx_render_str(c, "source"), ja));
                fputs("</span></th>", f);
            }
            fprintf(f, "</tr>\n<tr><th>%s</th>", tx_render_tr(N_("Status"), ja));
            for (size_t i = 0; i < n; i++) {
                const json_t *c = json_array_get(creds, i);
                fprintf(f, "<td><span class=\"%s\">", cred_class(c));
                put_esc(f, tx_render_cred_label(tx_render_str(c, "status"), ja));
                fputs("</span>", f);
                /* A valid body-signed certificate's reason is the Certificate column's. */
                if (strcmp(tx_render_str(c, "status"), "valid") != 0) {
                    fputs("<br><span class=\"note\">", f);
                    put_esc(f, tx_render_str(c, "reason"));
                    fputs("</span>", f);
                }
                fputs("</td>", f);
            }
            fputs("</tr>\n", f);
            for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
                put_field_row(f, creds, tx_render_tr(fields[k].label, ja), fields[k].key);
            }
            fprintf(f, "<tr><th>%s</th>", tx_render_tr(N_("Register"), ja));
            for (size_t i = 0; i < n; i++) {
                const json_t *reg = json_object_get(json_array_get(creds, i), "register");
                fputs("<td>", f);
                if (json_is_object(reg)) {
                    const char *m = tx_render_str(reg, "match");
                    fprintf(f, "<span class=\"%s\">", strcmp(m, "listed") == 0 ? "ok" : "bad");
                    put_esc(f, tx_render_match_label(m, ja));
                    fputs("</span><br>", f);
                    put_esc(f, tx_render_str(reg, "list"));
                    fputs(" &middot; ", f);
                    put_esc(f, tx_render_str(reg, "publisher"));
                    fputs(" &middot; ", f);
                    put_esc(f, tx_render_str(reg, "as_of"));
                    fputs("<br><span class=\"fp\">", f);
                    put_esc(f, tx_render_str(reg, "fingerprint"));
                    fputs("</span>", f);
                } else {
                    fputs("-", f);
                }
                fputs("</td>", f);
            }
            fprintf(f, "</tr>\n<tr><th>%s</th>", tx_render_tr(N_("Evidence files"), ja));
            for (size_t i = 0; i < n; i++) {
                const json_t *files = json_object_get(json_array_get(creds, i), "evidence");
                fputs("<td>", f);
                for (size_t e = 0; e < json_array_size(files); e++) {
                    const json_t *fe = json_array_get(files, e);
                    const char *st = tx_render_str(fe, "status");
                    fputs(e ? "<br>" : "", f);
                    put_esc(f, tx_render_str(fe, "name"));
                    fprintf(f, " <span class=\"%s\">", strcmp(st, "checked") == 0 ? "ok" : "bad");
                    put_esc(f, tx_render_evidence_label(st, ja));
                    fputs("</span>", f);
                }
                fputs(json_array_size(files) ? "</td>" : "-</td>", f);
            }
            fputs("</tr>\n</table>\n", f);
        }
        if (json_array_size(ev) > 0) {
            fprintf(f, "<p>%s: ", tx_render_tr(N_("All evidence files"), ja));
            for (size_t e = 0; e < json_array_size(ev); e++) {
                const json_t *fe = json_array_get(ev, e);
                const char *st = tx_render_str(fe, "status");
                fputs(e ? tx_render_tr(N_(", "), ja) : "", f);
                put_esc(f, tx_render_str(fe, "name"));
                fprintf(f, " (%s, %lld B) <span class=\"%s\">", tx_render_str(fe, "media_type"),
                        (long long)json_integer_value(json_object_get(fe, "size")),
                        strcmp(st, "checked") == 0 ? "ok" : "bad");
                put_esc(f, tx_render_evidence_label(st, ja));
                fputs("</span>", f);
            }
            fputs("</p>\n", f);
        }
    }
}

/* Each questionnaire the rows answered, once: its title, id and version, and its provenance
 * (who wrote it and what it is not, e.g. the built-in self-check is TICS-aligned and
 * unofficial). */
static void
put_questionnaires(FILE *f, const json_t *sups, int ja)
{
    json_t *seen = json_object();
    char key[256];

    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *q = json_object_get(json_array_get(sups, s), "questionnaire");
        const char *prov = tx_render_text(json_object_get(q, "provenance"), ja);
        if (!json_is_object(q)) {
            continue;
        }
        snprintf(key, sizeof key, "%s v%lld", tx_render_str(q, "id"),
                 (long long)json_integer_value(json_object_get(q, "version")));
        if (json_object_get(seen, key) != NULL) {
            continue;
        }
        json_object_set_new(seen, key, json_true());
        fputs("<p class=\"meta\">", f);
        put_esc(f, tx_render_text(json_object_get(q, "title"), ja));
        fputs(" (", f);
        put_esc(f, key);
        fputs(")", f);
        if (prov[0]) {
            fputs(": ", f);
            put_esc(f, prov);
        }
        fputs("</p>\n", f);
    }
    json_decref(seen);
}

/* The acceptance policy applied: its version, name, date and text. */
static void
put_policy(FILE *f, const json_t *doc, int ja)
{
    const json_t *p = json_object_get(doc, "policy");

    if (!json_is_object(p)) {
        return;
    }
    fprintf(f, "<h2>%s</h2>\n<p>", tx_render_tr(N_("Acceptance policy"), ja));
    fprintf(f, tx_render_tr(N_("Version %lld"), ja),
            (long long)json_integer_value(json_object_get(p, "version")));
    if (tx_render_str(p, "name")[0]) {
        fputs(" &middot; ", f);
        put_esc(f, tx_render_str(p, "name"));
    }
    if (tx_render_str(p, "set")[0]) {
        fputs(" &middot; ", f);
        put_esc(f, tx_render_str(p, "set"));
    }
    fputs("</p>\n", f);
    if (tx_render_str(p, "text")[0]) {
        fputs("<p class=\"note\">", f);
        put_esc(f, tx_render_str(p, "text"));
        fputs("</p>\n", f);
    }
}

/* The areas in which node `key` is the weakest link of the whole tree, as "A1, A3"; "" when
 * none. (Each tier's own weakest links are listed in the roll-up table.) */
static void
weak_areas(const json_t *doc, const char *key, char *out, size_t n)
{
    const json_t *weakest = json_object_get(json_object_get(doc, "total"), "weakest");
    size_t used = 0;

    out[0] = 0;
    for (size_t w = 0; w < json_array_size(weakest) && key[0]; w++) {
        const json_t *e = json_array_get(weakest, w);
        if (strcmp(tx_render_str(e, "node"), key) == 0 && used < n) {
            int k =
                snprintf(out + used, n - used, "%s%s", used ? ", " : "", tx_render_str(e, "area"));
            used += k > 0 ? (size_t)k : 0;
        }
    }
}

static int
has_parent(const json_t *node, const char *key)
{
    const json_t *parents = json_object_get(node, "parents");

    for (size_t i = 0; i < json_array_size(parents); i++) {
        if (strcmp(json_string_value(json_array_get(parents, i)), key) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Node i and, below it, the nodes one tier deeper that list it, each shown once. */
static void
put_tree_node(FILE *f, const json_t *doc, size_t i, unsigned char *shown, int ja)
{
    const json_t *nodes = json_object_get(doc, "nodes");
    const json_t *node = json_array_get(nodes, i);
    const json_t *flags = json_object_get(node, "flags");
    const char *key = tx_render_str(node, "key");
    const char *st = tx_render_str(node, "status");
    json_int_t tier = json_integer_value(json_object_get(node, "tier"));
    char weak[128];

    shown[i] = 1;
    weak_areas(doc, key, weak, sizeof weak);
    fprintf(f, "<tr%s><td style=\"padding-left:%lldpx\">", weak[0] ? " class=\"weak\"" : "",
            8 + 22 * (long long)(tier > 1 ? tier - 1 : 0));
    put_supplier_name(f, node, ja);
    if (tx_render_str(node, "supplies")[0]) {
        fputs(" <span class=\"note\">(", f);
        put_esc(f, tx_render_str(node, "supplies"));
        fputs(")</span>", f);
    }
    for (size_t k = 0; k < json_array_size(flags); k++) {
        const char *flag = json_string_value(json_array_get(flags, k));
        fputs(" <span class=\"bad\">[", f);
        put_esc(f, strcmp(flag, "loop") == 0            ? tx_render_tr(N_("loop"), ja)
                   : strcmp(flag, "reached_twice") == 0 ? tx_render_tr(N_("reached twice"), ja)
                                                        : flag);
        fputs("]</span>", f);
    }
    fprintf(f, "</td><td class=\"num\">%lld</td><td class=\"nw\"><span class=\"%s\">",
            (long long)tier, strcmp(st, "verified") == 0 ? "ok" : "bad");
    put_esc(f, st[0] ? tx_render_status_label(st, ja)
                     : tx_render_answer_state_label(tx_render_str(node, "answer_state"), ja));
    fputs("</span></td>", f);
    put_cert(f, node, ja);
    put_cred_policy_cells(f, node, ja);
    put_score_cell(f, json_object_get(node, "overall"));
    fputs("<td>", f);
    if (weak[0]) {
        fprintf(f, "<span class=\"bad\">%s ", tx_render_tr(N_("weakest link:"), ja));
        put_esc(f, weak);
        fputs("</span>", f);
    }
    fputs("</td></tr>\n", f);
    for (size_t c = 0; c < json_array_size(nodes) && key[0]; c++) {
        const json_t *child = json_array_get(nodes, c);
        if (!shown[c] && json_integer_value(json_object_get(child, "tier")) == tier + 1 &&
            has_parent(child, key)) {
            put_tree_node(f, doc, c, shown, ja);
        }
    }
}

static void
put_rollup_row(FILE *f, const json_t *t, int ja)
{
    const json_t *cov = json_object_get(t, "coverage");
    const json_t *weakest = json_object_get(t, "weakest");
    const json_t *certs = json_object_get(t, "certificate_status");
    const char *k;
    json_t *v;
    int first = 1;

    if (json_is_integer(json_object_get(t, "tier"))) {
        fputs("<tr><td>", f);
        fprintf(f, tx_render_tr(N_("Tier %lld"), ja),
                (long long)json_integer_value(json_object_get(t, "tier")));
        fputs("</td>", f);
    } else {
        fprintf(f, "<tr><th>%s</th>", tx_render_tr(N_("Whole tree"), ja));
    }
    fprintf(f, "<td class=\"num\">%lld</td>",
            (long long)json_integer_value(json_object_get(t, "nodes")));
    static const char *const measures[] = {"verified", "current", "certified"};
    for (size_t m = 0; m < 3; m++) {
        const json_t *pct = json_object_get(cov, measures[m]);
        fprintf(f, "<td class=\"num\">%lld",
                (long long)json_integer_value(json_object_get(t, measures[m])));
        if (json_is_number(pct)) {
            fprintf(f, " (%.1f%%)", json_number_value(pct));
        }
        fputs("</td>", f);
    }
    fputs("<td>", f);
    for (size_t w = 0; w < json_array_size(weakest); w++) {
        const json_t *e = json_array_get(weakest, w);
        const json_t *sc = json_object_get(e, "score");
        fputs(w ? "<br>" : "", f);
        put_esc(f, tx_render_str(e, "area"));
        fputs(" ", f);
        put_esc(f, tx_render_text(json_object_get(e, "name"), ja));
        fprintf(f, ": <b>%.1f</b> ", json_is_number(sc) ? json_number_value(sc) : 0.0);
        put_esc(f, tx_render_str(e, "node_name"));
    }
    fputs("</td><td>", f);
    if (json_is_integer(json_object_get(t, "policy_pass"))) {
        fprintf(f, "%s %lld%s%s %lld<br>", tx_render_tr(N_("Pass"), ja),
                (long long)json_integer_value(json_object_get(t, "policy_pass")),
                tx_render_tr(N_(", "), ja), tx_render_tr(N_("Fail"), ja),
                (long long)json_integer_value(json_object_get(t, "policy_fail")));
    }
    json_object_foreach((json_t *)certs, k, v)
    {
        fprintf(f, "%s", first ? "" : tx_render_tr(N_(", "), ja));
        put_esc(f, tx_render_cert_label(k, ja));
        fprintf(f, " %lld", (long long)json_integer_value(v));
        first = 0;
    }
    fputs("</td></tr>\n", f);
}

/* The supply tree, indented by tier, with the weakest links highlighted; then the roll-ups. */
static void
put_tree(FILE *f, const json_t *doc, int ja)
{
    const json_t *nodes = json_object_get(doc, "nodes");
    const json_t *tiers = json_object_get(doc, "tiers");
    size_t n = json_array_size(nodes);
    unsigned char *shown = calloc(n ? n : 1, 1);

    if (n == 0 || shown == NULL) {
        free(shown);
        return;
    }
    fprintf(f,
            "<h2>%s</h2>\n<table>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
            "<th>%s</th><th>%s</th><th>%s</th><th></th></tr>\n",
            tx_render_tr(N_("Supply tree"), ja), tx_render_tr(N_("Organisation"), ja),
            tx_render_tr(N_("Tier"), ja), tx_render_tr(N_("Verification"), ja),
            tx_render_tr(N_("Certificate"), ja), tx_render_tr(N_("Credentials"), ja),
            tx_render_tr(N_("Acceptance policy"), ja), tx_render_tr(N_("Overall"), ja));
    for (size_t i = 0; i < n; i++) {
        if (!shown[i] &&
            json_integer_value(json_object_get(json_array_get(nodes, i), "tier")) <= 1) {
            put_tree_node(f, doc, i, shown, ja);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!shown[i]) {
            put_tree_node(f, doc, i, shown, ja);
        }
    }
    free(shown);
    fprintf(f,
            "</table>\n<h2>%s</h2>\n<table>\n<tr><th></th><th>%s</th><th>%s</th><th>%s</th>"
            "<th>%s</th><th>%s</th><th>%s</th></tr>\n",
            tx_render_tr(N_("Roll-up by tier"), ja), tx_render_tr(N_("Nodes"), ja),
            tx_render_tr(N_("Verified"), ja), tx_render_tr(N_("Current"), ja),
            tx_render_tr(N_("Certified"), ja), tx_render_tr(N_("Weakest link per area"), ja),
            tx_render_tr(N_("Certificates"), ja));
    for (size_t t = 0; t < json_array_size(tiers); t++) {
        put_rollup_row(f, json_array_get(tiers, t), ja);
    }
    if (json_is_object(json_object_get(doc, "total"))) {
        put_rollup_row(f, json_object_get(doc, "total"), ja);
    }
    fprintf(f, "</table>\n<p class=\"note\">%s</p>\n",
            tx_render_tr(N_("Current: verified and as-of within the report's current period. "
                            "Certified: verified with a valid certificate now. Coverage as a "
                            "share of the tier's nodes."),
                         ja));
}

/* An item's topics, one a line: "T-2024-03 Classifying information" (the name alone in Japanese).
 */
static void
put_topics(FILE *f, const json_t *it, int ja)
{
    const json_t *topics = json_object_get(it, "topics");

    for (size_t i = 0; i < json_array_size(topics); i++) {
        const json_t *tp = json_array_get(topics, i);
        fputs(i ? "<br>" : "", f);
        /* The id (ASCII, e.g. tics-2024.scope) only in English: the Japanese page reads
         * Japanese throughout. */
        if (!ja) {
            fputs("<span class=\"nw\">", f);
            put_esc(f, tx_render_str(tp, "id"));
            fputs("</span> ", f);
        }
        put_esc(f, tx_render_text(json_object_get(tp, "name"), ja));
    }
}

/* Per supplier, the items not fully implemented (unanswered, partly, not), with the
 * questionnaire's text in the language; folded with <details>, which needs no script. */
static void
put_gaps(FILE *f, const json_t *sups, int ja)
{
    int any = 0;

    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *sup = json_array_get(sups, s);
        const json_t *items = json_object_get(sup, "items");
        size_t gaps = 0;

        for (size_t i = 0; i < json_array_size(items); i++) {
            const json_t *it = json_array_get(items, i);
            gaps += !json_is_true(json_object_get(it, "not_applicable")) &&
                    json_integer_value(json_object_get(it, "score_permille")) < 1000;
        }
        if (json_array_size(items) == 0) {
            continue;
        }
        if (!any) {
            fprintf(f, "<h2>%s</h2>\n", tx_render_tr(N_("Items not fully implemented"), ja));
            any = 1;
        }
        fputs("<details><summary>", f);
        put_supplier_name(f, sup, ja);
        fputs(": ", f);
        fprintf(f, tx_render_tr(N_("%zu items"), ja), gaps);
        fputs("</summary>\n", f);
        if (gaps == 0) {
            fputs("</details>\n", f);
            continue;
        }
        fprintf(f, "<table>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
                tx_render_tr(N_("Item"), ja), tx_render_tr(N_("Requirement"), ja),
                tx_render_tr(N_("Topics"), ja), tx_render_tr(N_("Answer"), ja),
                tx_render_tr(N_("Comment"), ja));
        for (size_t i = 0; i < json_array_size(items); i++) {
            const json_t *it = json_array_get(items, i);
            int answered = json_is_string(json_object_get(it, "answer"));
            if (json_is_true(json_object_get(it, "not_applicable")) ||
                json_integer_value(json_object_get(it, "score_permille")) >= 1000) {
                continue;
            }
            fputs("<tr><td class=\"nw\">", f);
            put_esc(f, tx_render_str(it, "id"));
            fputs("</td><td>", f);
            put_esc(f, tx_render_text(json_object_get(it, "text"), ja));
            fputs("</td><td>", f);
            put_topics(f, it, ja);
            fprintf(f, "</td><td class=\"nw%s\">", answered ? "" : " bad");
            put_esc(f, answered ? tx_render_text(json_object_get(it, "label"), ja)
                                : tx_render_tr(N_("not answered"), ja));
            fputs("</td><td>", f);
            put_esc(f, tx_render_str(it, "comment"));
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n</details>\n", f);
    }
}

/* One questionnaire's part: under its title when the document names one, its suppliers and
 * every view of them. */
static void
put_doc(FILE *f, const json_t *doc, int ja)
{
    const json_t *sups = tx_render_rows(doc);
    const json_t *q = tx_render_questionnaire(doc);
    json_t *areas = tx_render_area_union(doc);

    fputs("<section class=\"questionnaire\">\n", f);
    if (json_is_object(q)) {
        const char *t = tx_render_text(json_object_get(q, "title"), ja);
        fputs("<h2 class=\"questionnaire\">", f);
        put_esc(f, t[0] ? t : tx_render_str(q, "id"));
        fputs("</h2>\n", f);
    }
    fputs("<div class=\"meta\">", f);
    fprintf(f, tx_render_tr(N_("%zu suppliers"), ja), json_array_size(sups));
    fputs("</div>\n", f);
    if (json_array_size(sups) == 0) {
        fprintf(f, "<p>%s</p>\n",
                tx_render_tr(N_("No assessments to report: run ticsx fetch."), ja));
    } else {
        put_questionnaires(f, sups, ja);
        put_policy(f, doc, ja);
        put_suppliers(f, sups, ja);
        put_credentials(f, sups, ja);
        put_tree(f, doc, ja);
        put_heatmap(f, sups, areas, ja);
        put_radars(f, sups, ja);
        put_gaps(f, sups, ja);
    }
    fputs("</section>\n", f);
    json_decref(areas);
}

int
tx_render_html(FILE *f, const json_t *docs, int ja)
{
    const char *title = tx_render_tr(N_("Supplier security report"), ja);

    fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
            ja ? "ja" : "en");
    put_esc(f, title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", style);
    put_esc(f, title);
    fprintf(f, "</h1>\n<div class=\"meta\">%s ", tx_render_tr(N_("Generated"), ja));
    put_esc(f, tx_render_str(json_array_get(docs, 0), "generated"));
    fputs("</div>\n", f);
    /* Each questionnaire in turn. */
    for (size_t d = 0; d < json_array_size(docs); d++) {
        put_doc(f, json_array_get(docs, d), ja);
    }
    fputs("</body>\n</html>\n", f);
    return ferror(f) ? tx_fail(TX_ERR_IO, "cannot write the report") : TX_OK;
}

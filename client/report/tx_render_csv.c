/* The report as CSV for spreadsheets: RFC 4180 (every field quoted, CRLF), UTF-8 with a BOM so
 * that Excel reads Japanese, one row per supplier (per node of the supply tree when the report
 * has one, with its tier, answer state, what it supplies and its flags) and per-area scores. */
#include "tx_render_doc.h"
#include "tx_render_formats.h"

#include "tx_csv.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <string.h>

/* A field, every one quoted; text from outside (names, reasons) that a spreadsheet would take
 * for a formula starts with a single quote instead. */
static void
put_field(FILE *f, const char *s, int outside, int first)
{
    if (!first) {
        fputc(',', f);
    }
    tx_csv_put_field(f, s, TX_CSV_QUOTE_ALL | (outside ? TX_CSV_NO_FORMULA : 0));
}

static void
put_number(FILE *f, const json_t *n)
{
    char buf[32] = "";

    if (json_is_integer(n)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(n));
    } else if (json_is_number(n)) {
        snprintf(buf, sizeof buf, "%.1f", json_number_value(n));
    }
    put_field(f, buf, 0, 0);
}

/* The columns of credentials, evidence and policy: every credential on a line of its own in
 * one cell, the count of those with severity "problem", each evidence file with its status,
 * and the policy's verdict, version and reasons ("" without a policy). */
static void
put_extra(FILE *f, const json_t *sup, int ja, char *buf, size_t n)
{
    const json_t *creds = json_object_get(sup, "credentials");
    const json_t *ev = json_object_get(sup, "evidence");
    const json_t *pol = json_object_get(sup, "policy");
    int pass = tx_render_policy_pass(sup);
    json_int_t problems = 0;
    char line[1024];
    size_t used = 0;

    tx_render_level_share(sup, 1, ja, buf, n);
    put_field(f, buf, 0, 0);
    buf[0] = 0;
    for (size_t i = 0; i < json_array_size(creds); i++) {
        const json_t *c = json_array_get(creds, i);
        size_t lu;
        tx_render_cred_line(c, ja, line, sizeof line);
        lu = strlen(line);
        if (tx_render_str(c, "reason")[0] && strcmp(tx_render_str(c, "severity"), "ok") != 0) {
            tx_render_append(line, sizeof line, &lu, "%s%s", tx_render_tr(N_(": "), ja),
                             tx_render_str(c, "reason"));
        }
        tx_render_append(buf, n, &used, "%s%s", i ? "\n" : "", line);
        problems += strcmp(tx_render_str(c, "severity"), "problem") == 0;
    }
    put_field(f, buf, 1, 0);
    snprintf(line, sizeof line, "%lld", (long long)problems);
    put_field(f, json_is_array(creds) ? line : "", 0, 0);
    used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < json_array_size(ev); i++) {
        const json_t *e = json_array_get(ev, i);
        tx_render_append(buf, n, &used, "%s%s (%s)", i ? "\n" : "", tx_render_str(e, "name"),
                         tx_render_evidence_label(tx_render_str(e, "status"), ja));
    }
    put_field(f, buf, 1, 0);
    put_field(f, tx_render_policy_label(pass, ja), 0, 0);
    put_number(f, json_object_get(pol, "version"));
    tx_render_policy_reasons(sup, ja, buf, n);
    put_field(f, buf, 1, 0);
    put_number(f, json_object_get(json_object_get(sup, "plans"), "open"));
    put_number(f, json_object_get(json_object_get(sup, "plans"), "overdue"));
}

int
tx_render_csv(FILE *f, const json_t *docs, int ja)
{
    /* Several questionnaires in turn: only the first for now (issue 15 renders each). */
    const json_t *doc = json_array_get(docs, 0);
    /* The column keys stay as they are in English (scripts read them); a Japanese reader gets
     * headings from the catalogue. */
    static const char *const head[][2] = {
        {"supplier", N_("Supplier")},
        {"fingerprint", N_("Fingerprint")},
        {"status", N_("Verification")},
        {"reason", N_("Reason")},
        {"questionnaire", N_("Questionnaire")},
        {"as_of", N_("As of")},
        {"valid_until", N_("Valid until")},
        {"certificate_status", N_("Certificate")},
        {"certificate_number", N_("Certificate number")},
        {"certificate_issuer", N_("Certification body")},
        {"overall", N_("Overall")},
        {"level_achieved", N_("Level")},
        {"unanswered", N_("Unanswered")},
        /* Credentials, evidence and the buyer's policy (README.md "Report JSON"). */
        {"level_shares", N_("Share fully met per level")},
        {"credentials", N_("Credentials")},
        {"credential_problems", N_("Credential problems")},
        {"evidence", N_("Evidence files")},
        {"policy", N_("Acceptance policy")},
        {"policy_version", N_("Policy version")},
        {"policy_reasons", N_("Policy reasons")},
        {"plans_open", N_("Open remediation plans")},
        {"plans_overdue", N_("Overdue remediation plans")},
        /* The supply tree's columns. */
        {"tier", N_("Tier")},
        {"answer_state", N_("Answer state")},
        {"supplies", N_("Supplies")},
        {"flags", N_("Notes")},
    };
    const json_t *sups = tx_render_rows(doc);
    json_t *areas = tx_render_area_union(doc);
    size_t n_areas = json_array_size(areas);
    int tree = sups == json_object_get(doc, "nodes");
    char buf[256], big[4096];

    fputs("\xEF\xBB\xBF", f);
    for (size_t i = 0; i < TX_ARRAY_LEN(head) - (tree ? 0 : 4); i++) {
        put_field(f, ja ? tx_render_tr(head[i][1], 1) : head[i][0], 0, i == 0);
    }
    for (size_t a = 0; a < n_areas; a++) {
        const json_t *area = json_array_get(areas, a);
        snprintf(buf, sizeof buf, "%s %s", tx_render_str(area, "id"),
                 tx_render_text(json_object_get(area, "name"), ja));
        tx_render_utf8_fix(buf);
        put_field(f, buf, 1, 0);
    }
    fputs("\r\n", f);
    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *sup = json_array_get(sups, s);
        const json_t *q = json_object_get(sup, "questionnaire");
        const json_t *cert = json_object_get(sup, "certificate");
        const char *cs = tx_render_cert_status(sup);

        put_field(f, tx_render_str(sup, "name"), 1, 1);
        put_field(f, tx_render_str(sup, "fingerprint"), 1, 0);
        put_field(f, tx_render_status_label(tx_render_str(sup, "status"), ja), 0, 0);
        put_field(f, tx_render_str(sup, "reason"), 1, 0);
        buf[0] = 0;
        if (json_is_object(q)) {
            snprintf(buf, sizeof buf, "%s v%lld", tx_render_str(q, "id"),
                     (long long)json_integer_value(json_object_get(q, "version")));
            tx_render_utf8_fix(buf);
        }
        put_field(f, buf, 1, 0);
        put_field(f, tx_render_str(sup, "as_of"), 0, 0);
        put_field(f, tx_render_str(sup, "valid_until"), 0, 0);
        put_field(f, cs[0] ? tx_render_cert_label(cs, ja) : "", 0, 0);
        put_field(f, tx_render_str(cert, "number"), 1, 0);
        put_field(f, tx_render_str(json_object_get(cert, "issuer"), "name"), 1, 0);
        put_number(f, json_object_get(sup, "overall"));
        put_number(f, json_object_get(sup, "level_achieved"));
        put_number(f, json_object_get(sup, "unanswered"));
        put_extra(f, sup, ja, big, sizeof big);
        if (tree) {
            const json_t *flags = json_object_get(sup, "flags");
            size_t used = 0;
            put_number(f, json_object_get(sup, "tier"));
            put_field(f,
                      ja ? tx_render_answer_state_label(tx_render_str(sup, "answer_state"), 1)
                         : tx_render_str(sup, "answer_state"),
                      0, 0);
            put_field(f, tx_render_str(sup, "supplies"), 1, 0);
            buf[0] = 0;
            for (size_t k = 0; k < json_array_size(flags) && used < sizeof buf; k++) {
                int w = snprintf(buf + used, sizeof buf - used, "%s%s", k ? " " : "",
                                 json_string_value(json_array_get(flags, k)));
                used += w > 0 ? (size_t)w : 0;
            }
            tx_render_utf8_fix(buf);
            put_field(f, buf, 1, 0);
        }
        for (size_t a = 0; a < n_areas; a++) {
            const json_t *mine =
                tx_render_area_of(sup, tx_render_str(json_array_get(areas, a), "id"));
            put_number(f, json_object_get(mine, "score"));
        }
        fputs("\r\n", f);
    }
    json_decref(areas);
    return ferror(f) ? tx_fail(TX_ERR_IO, "cannot write the report") : TX_OK;
}

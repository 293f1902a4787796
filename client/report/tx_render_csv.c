/* The report as CSV for spreadsheets: RFC 4180 (every field quoted, CRLF), UTF-8 with a BOM so
 * that Excel reads Japanese, one row per supplier (per node of the supply tree when the report
 * has one, with its tier, answer state, what it supplies, its flags and its parents) and
 * per-area scores. Several questionnaires make one table, not several: their rows one after
 * the other, told apart by the `questionnaire` column, each questionnaire's areas in columns
 * of their own, so that one autofilter sorts and filters them all. */
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
}

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
    /* The supply tree's columns. */
    {"tier", N_("Tier")},
    {"answer_state", N_("Answer state")},
    {"supplies", N_("Supplies")},
    {"flags", N_("Notes")},
    {"parent", N_("Parent")},
    {"parent_fingerprint", N_("Parent's fingerprint")},
};
/* The supply tree's columns at the end of head. */
#define TREE_COLS 6

/* The report being written: the documents, whether any has a tree, each one's areas. */
typedef struct {
    FILE *f;
    const json_t *docs;
    json_t *areas; /* per document, the union of its rows' areas */
    int tree, ja;
} sheet;

/* The heading row: head (without the tree's columns when no document has a tree), then one
 * column per area of each document; with several documents an area's heading ends with its
 * questionnaire's id in parentheses. */
static void
put_header(const sheet *t)
{
    size_t nd = json_array_size(t->docs);
    char buf[512];

    fputs("\xEF\xBB\xBF", t->f);
    for (size_t i = 0; i < TX_ARRAY_LEN(head) - (t->tree ? 0 : TREE_COLS); i++) {
        put_field(t->f, t->ja ? tx_render_tr(head[i][1], 1) : head[i][0], 0, i == 0);
    }
    for (size_t d = 0; d < nd; d++) {
        const json_t *areas = json_array_get(t->areas, d);
        const char *qid = tx_render_str(tx_render_questionnaire(json_array_get(t->docs, d)), "id");
        for (size_t a = 0; a < json_array_size(areas); a++) {
            size_t used;
            tx_render_area_label(json_array_get(areas, a), t->ja, buf, sizeof buf);
            used = strlen(buf);
            if (nd > 1) {
                tx_render_append(buf, sizeof buf, &used, " (%s)", qid);
            }
            put_field(t->f, buf, 1, 0);
        }
    }
    fputs("\r\n", t->f);
}

/* The supply tree's columns of a node of doc. */
static void
put_tree(const sheet *t, const json_t *doc, const json_t *node, char *buf, size_t n)
{
    const json_t *flags = json_object_get(node, "flags");
    char *fps = buf + n / 2;
    size_t used = 0;

    put_number(t->f, json_object_get(node, "tier"));
    put_field(t->f,
              t->ja ? tx_render_answer_state_label(tx_render_str(node, "answer_state"), 1)
                    : tx_render_str(node, "answer_state"),
              0, 0);
    put_field(t->f, tx_render_str(node, "supplies"), 1, 0);
    buf[0] = 0;
    for (size_t k = 0; k < json_array_size(flags); k++) {
        const char *flag = json_string_value(json_array_get(flags, k));
        tx_render_append(buf, n, &used, "%s%s", k ? " " : "", flag != NULL ? flag : "");
    }
    put_field(t->f, buf, 1, 0);
    tx_render_parents(doc, node, buf, fps, n / 2);
    put_field(t->f, buf, 1, 0);
    put_field(t->f, fps, 1, 0);
}

/* One row of document d: a supplier (a node of the tree when d has one). Its questionnaire is
 * the row's, else (a node that shared nothing) the document's own. Only d's area columns are
 * filled. */
static void
put_row(const sheet *t, size_t d, const json_t *sup, char *big, size_t n)
{
    const json_t *doc = json_array_get(t->docs, d);
    const json_t *q = json_object_get(sup, "questionnaire");
    const json_t *cert = json_object_get(sup, "certificate");
    const char *cs = tx_render_cert_status(sup);
    FILE *f = t->f;
    char buf[256] = "";

    if (!json_is_object(q)) {
        q = json_object_get(doc, "questionnaire");
    }
    put_field(f, tx_render_str(sup, "name"), 1, 1);
    put_field(f, tx_render_str(sup, "fingerprint"), 1, 0);
    put_field(f, tx_render_status_label(tx_render_str(sup, "status"), t->ja), 0, 0);
    put_field(f, tx_render_str(sup, "reason"), 1, 0);
    if (json_is_object(q)) {
        snprintf(buf, sizeof buf, "%s v%lld", tx_render_str(q, "id"),
                 (long long)json_integer_value(json_object_get(q, "version")));
        tx_render_utf8_fix(buf);
    }
    put_field(f, buf, 1, 0);
    put_field(f, tx_render_str(sup, "as_of"), 0, 0);
    put_field(f, tx_render_str(sup, "valid_until"), 0, 0);
    put_field(f, cs[0] ? tx_render_cert_label(cs, t->ja) : "", 0, 0);
    put_field(f, tx_render_str(cert, "number"), 1, 0);
    put_field(f, tx_render_str(json_object_get(cert, "issuer"), "name"), 1, 0);
    put_number(f, json_object_get(sup, "overall"));
    put_number(f, json_object_get(sup, "level_achieved"));
    put_number(f, json_object_get(sup, "unanswered"));
    put_extra(f, sup, t->ja, big, n);
    if (t->tree) {
        put_tree(t, doc, sup, big, n);
    }
    for (size_t e = 0; e < json_array_size(t->areas); e++) {
        const json_t *areas = json_array_get(t->areas, e);
        for (size_t a = 0; a < json_array_size(areas); a++) {
            const json_t *mine =
                e == d ? tx_render_area_of(sup, tx_render_str(json_array_get(areas, a), "id"))
                       : NULL;
            put_number(f, json_object_get(mine, "score"));
        }
    }
    fputs("\r\n", f);
}

int
tx_render_csv(FILE *f, const json_t *docs, int ja)
{
    sheet t = {.f = f, .docs = docs, .areas = json_array(), .ja = ja};
    size_t nd = json_array_size(docs);
    char big[4096];

    if (t.areas == NULL) {
        return tx_fail(TX_ERR_NOMEM, "out of memory");
    }
    for (size_t d = 0; d < nd; d++) {
        const json_t *doc = json_array_get(docs, d);
        json_array_append_new(t.areas, tx_render_area_union(doc));
        t.tree |= tx_render_rows(doc) == json_object_get(doc, "nodes");
    }
    put_header(&t);
    for (size_t d = 0; d < nd; d++) {
        const json_t *rows = tx_render_rows(json_array_get(docs, d));
        for (size_t s = 0; s < json_array_size(rows); s++) {
            put_row(&t, d, json_array_get(rows, s), big, sizeof big);
        }
    }
    json_decref(t.areas);
    return ferror(f) ? tx_fail(TX_ERR_IO, "cannot write the report") : TX_OK;
}

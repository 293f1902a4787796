/* What every report renderer reads from the report's JSON document (tx_report.h, "JSON"): texts
 * in the language, string members, verdict and certificate labels, the rows to show and the
 * union of their areas. Renderers include this and nothing of each other or of the dispatcher.
 * Every pointer returned is borrowed from the document unless said otherwise. */
#ifndef TX_RENDER_DOC_H
#define TX_RENDER_DOC_H

#include <jansson.h>

/* The ja or en member of a {"ja","en"} object (the other when that one is empty); "" when
 * absent. Borrowed from doc. */
const char *tx_render_text(const json_t *text, int ja);

/* The string member `key` of o, "" when absent or not a string. Borrowed. */
const char *tx_render_str(const json_t *o, const char *key);

/* `msgid`, an English text of the catalogue (marked with N_() where it is written), in the
 * report's language: its Japanese from po/ja.po when ja, whatever language the process chose
 * (the web UI renders a report in the page's language), else the English itself. A text
 * without Japanese stays English. Borrowed (static). */
const char *tx_render_tr(const char *msgid, int ja) __attribute__((format_arg(1)));
/* Lists in a report are joined with tx_render_tr(N_(", "), ja) and N_("; "): 「、」 in
 * Japanese. */

/* Certificate status name (as in the JSON) of a supplier now, or "" when it was not judged;
 * and its label in the language, the same words as the web UI's. "-" for an unknown name. */
const char *tx_render_cert_status(const json_t *supplier);
const char *tx_render_cert_label(const char *status_name, int ja);

/* Verdict label ("verified", "expired", ...) in the language, the web UI's words. */
const char *tx_render_status_label(const char *status, int ja);

/* The words of the terminal tables for a verdict (TX_VERIFIED, ...) and a certificate status
 * (TX_CERT_*): in English the short names the CLI has always printed ("verified", "no accr"),
 * in Japanese the web UI's words, as tx_render_status_label and tx_render_cert_label. */
const char *tx_render_verdict_word(int status, int ja);
const char *tx_render_cert_word(int status, int ja);

/* Label of a tree node's answer state ("not_shared", "not_answered") in the language. */
const char *tx_render_answer_state_label(const char *state, int ja);

/* The rows to show: the supply tree's "nodes" when the document has any (they carry every field
 * of a supplier row plus tier, parents, answer_state, flags), else "suppliers". Borrowed. */
const json_t *tx_render_rows(const json_t *doc);

/* The parents of tree node `node` of `doc` (its "parents", keys of other nodes), their names
 * and their fingerprints, one a line ("\n") in the order of "parents"; a parent that is no
 * node of doc shows its key as its name. "" for none (tier 1). Cut at n - 1 bytes (UTF-8
 * whole). */
void tx_render_parents(const json_t *doc, const json_t *node, char *names, char *fps, size_t n);

/* The questionnaire a document reports ({record, id, version, title, provenance}): the
 * document's own "questionnaire" member when it has one, else the first row's; NULL when
 * neither names one. Borrowed. */
const json_t *tx_render_questionnaire(const json_t *doc);

/* The areas of every row in order of first appearance, as an array of the rows' area objects
 * (id, name). Caller owns (json_decref). */
json_t *tx_render_area_union(const json_t *doc);

/* "ID name" of an area object (id, name) in the language, cut at n - 1 bytes (UTF-8 whole):
 * the heading of an area's column. */
void tx_render_area_label(const json_t *area, int ja, char *out, size_t n);

/* Cuts a trailing incomplete UTF-8 sequence off s (what snprintf leaves when it truncates). */
void tx_render_utf8_fix(char *s);

/* The area object with id `id` of a supplier, NULL when it has none. Borrowed. */
const json_t *tx_render_area_of(const json_t *supplier, const char *id);

/* Credentials (a row's "credentials"[], README.md "Report JSON"): the label in the language of
 * a credential's status, scheme, source, register match and of an evidence file's status; the
 * same words in every report and in the web UI. The name itself for an unknown one. */
const char *tx_render_cred_label(const char *status, int ja);
const char *tx_render_scheme_label(const char *scheme, int ja);
/* The scheme in a word or two for summaries and narrow cells: "TICS", "ISMS", "TISAX", the
 * Privacy Mark's label, "Audit report". */
const char *tx_render_scheme_short(const char *scheme, int ja);
const char *tx_render_source_label(const char *source, int ja);
const char *tx_render_match_label(const char *match, int ja);
const char *tx_render_evidence_label(const char *status, int ja);

/* One credential as one line of text in the language: scheme and source, status label, then
 * the fields it has (number, body, scope, criteria version, dates, register match, evidence
 * files), e.g. "TICS, declared: Listed in the register; No. T-1; Body A; 2024 criteria;
 * expires 2027-03-31; register: METI list as of 2026-11-01". Cut at n - 1 bytes (UTF-8
 * whole). */
void tx_render_cred_line(const json_t *cred, int ja, char *out, size_t n);

/* A row's credentials in a few words: "TICS Valid, ISMS Declared (not verified)"; "" when it
 * has none. Cut as tx_render_cred_line. */
void tx_render_cred_summary(const json_t *row, int ja, char *out, size_t n);

/* A row's policy verdict: 1 pass, 0 fail, -1 when no policy was applied ("policy" null or
 * absent); its label ("Pass"/"Fail", 適合/不適合; "" for -1); and the reasons joined with "; "
 * (cut as tx_render_cred_line). */
int tx_render_policy_pass(const json_t *row);
const char *tx_render_policy_label(int pass, int ja);
void tx_render_policy_reasons(const json_t *row, int ja, char *out, size_t n);

/* The level achieved beside the share fully met of the lowest level not achieved, as
 * tx_score_level_text writes it: "L1 80%" (no level yet, 80% of level 1's applicable items
 * fully met), "L1 L2 40%" (level 1 achieved, 40% of level 2), "L3" (every level); "-" without
 * levels. `all` lists every level instead: "L1 100%, L2 80%, L3 20%". */
void tx_render_level_share(const json_t *row, int all, int ja, char *out, size_t n);

/* Appends printf-formatted text at *used in out (size n), never past its end. */
void tx_render_append(char *out, size_t n, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif

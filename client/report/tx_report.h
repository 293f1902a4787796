/* The buyer's report: one row per supplier, from the newest verified assessment it granted
 * (else the newest expired one, else the newest that failed, with the reason): name,
 * fingerprint, verdict, as-of and valid-until, per-area scores, overall score, highest level
 * fully achieved and the number of items left unanswered.
 *
 * Table: fits 80 columns with up to 8 areas; short area ids with a legend; CERT is the status
 * of the referenced TICS certificate (tx_verdict_cert_state), its reason on a line below when
 * it is not valid; a row whose validity ended has "expired: ..." on a line below.
 * JSON of one questionnaire's document in memory (format 1: what the renderers read; `report
 * --json` writes format 2 from it, tx_report_stream.h): {"generated","questionnaire",
 *   "suppliers":[{"name","fingerprint","key","status","reason",
 *   "assessment","request","questionnaire":{"record","id","version","title"},"as_of",
 *   "valid_until","questionnaire_mismatch","superseded_by","certificate","areas":[{"id","name":{"ja","en"},"score","items","answered","applicable"}],
 *   "overall","levels":[{"level","name":{"ja","en"},"applicable","implemented","share",
 *   "achieved"}],"level_achieved","unanswered","unanswered_items","items"}]}
 *   ("items": the answers per item, see tx_report_items.h)
 * Scores are percentages rounded to one decimal, null when nothing applicable was answered. */
#ifndef TX_REPORT_H
#define TX_REPORT_H

#include "tx_report_tree.h"
#include "tx_verify.h"

#include <jansson.h>
#include <stdio.h>

/* How the JSON document is printed (`report --json`): indented, members in order, scores with
 * six significant digits (83.3, not 83.299999999999997). */
#define TX_REPORT_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))

/* The report's JSON document of all of `vs`, whatever the questionnaires (with the supply tree
 * when t is not NULL), as one of tx_report_docs's but without "questionnaire". Caller owns
 * *out. TX_ERR_NOMEM. */
int tx_report_json(const tx_verdicts *vs, const tx_report_tree_opts *t, json_t **out);

/* As tx_report_json, but its rows and nodes have no "items" (the per-item answers with the
 * questionnaire's texts, the bulk of the document): what the web UI's model keeps. */
int tx_report_json_brief(const tx_verdicts *vs, const tx_report_tree_opts *t, json_t **out);

/* The report per questionnaire (tx_report_scope.h): {"generated","reports":[doc, ...]}, one
 * document per questionnaire id in `vs` in turn, or only `only`'s (one document, whatever
 * answers it). Each document is tx_report_json's of that questionnaire's verdicts with a
 * "questionnaire" member ({"record","id","version","title","provenance"}; null when no
 * questionnaire is known, tx_report_scope.h) and, with t, its own tree whose
 * sub-suppliers come from each supplier's newest verified assessment that lists any. Caller
 * owns *out. TX_ERR_NOMEM. */
int tx_report_docs(const tx_verdicts *vs, const tx_report_tree_opts *t, const char *only,
                   json_t **out);

/* Writes the report of `vs` (from tx_verify_all) as a table (texts in Japanese when ja) or
 * JSON (format 2, written as it goes: tx_report_stream.h), each questionnaire in turn. */
int tx_report_write(FILE *f, const tx_verdicts *vs, int json, int ja);

/* As tx_report_write, plus the tree when t is not NULL: the table goes on with the indented
 * tree and per-tier roll-ups; JSON gains "depth", "current_days", "nodes", "tiers", "total"
 * (README.md, "The supply tree"). Only questionnaire `only` when it is not NULL. */
int tx_report_write_tree(FILE *f, const tx_verdicts *vs, const tx_report_tree_opts *t,
                         const char *only, int json, int ja);

/* The lines under a row of the table from the row's JSON: each credential (scheme, source,
 * status label, fields, register match, evidence; its reason unless its severity is "ok") and
 * the policy's verdict with its reasons, each wrapped at 80 columns. Nothing for a row without
 * them. */
void tx_report_row_notes(FILE *f, const json_t *row, int ja);

#endif

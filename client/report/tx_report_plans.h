/* Remediation plans in the buyer's report, read from the report's JSON document: each row's
 * "plans" ({"open","overdue","done","stale","days","items":[...]}, tx_plan_json), the tree's
 * per-tier sums, and the lines the terminal table and the other renderers print for them. */
#ifndef TX_REPORT_PLANS_H
#define TX_REPORT_PLANS_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* Adds "plans_open" and "plans_overdue" to each of doc's "tiers" (by its "tier") and to its
 * "total", summed over the "nodes" of that tier (all of them for the total). */
void tx_report_plans_tiers(json_t *doc);

/* The count `state` ("open", "overdue", "done", "stale") of a row's plans; 0 without plans. */
long tx_report_plans_n(const json_t *row, const char *state);

/* "remediation plans: 2 open, 1 overdue, 1 done without an improved answer" in the language
 * (ja); returns 0 (and writes "") when the row has no plan. */
int tx_report_plans_summary(const json_t *row, int ja, char *out, size_t n);

/* One plan ("items"[] member) on a line: "A1-2 overdue, due 2027-01-31: lock the cabinet". */
void tx_report_plan_line(const json_t *plan, int ja, char *out, size_t n);

/* The state's label in the language ("open", 「未完了」, ...). */
const char *tx_report_plan_state_label(const char *state, int ja);

/* Under a row of the terminal table: the summary, then each plan not done in time (overdue,
 * stale), indented and wrapped at 80 columns. Nothing for a row without plans. */
void tx_report_plans_notes(FILE *f, const json_t *row, int ja);

/* Under a roll-up of the tree table: "plans: open 3, overdue 1" when the roll-up has them. */
void tx_report_plans_rollup(FILE *f, const json_t *rollup, int ja);

#endif

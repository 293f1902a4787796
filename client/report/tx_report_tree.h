/* The supply tree's part of the report: the rows the report picked (tx_report_row.h) become the
 * organisations tx_supply_tree walks; the tree and its roll-ups by tier are added to the JSON
 * document or printed as text under the supplier tables. */
#ifndef TX_REPORT_TREE_H
#define TX_REPORT_TREE_H

#include "tx_orgs.h"
#include "tx_report_row.h"
#include "tx_verify.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* The supply tree (tx_supply_tree.h) the report walks. */
typedef struct {
    const uint8_t (*roots)[TX_KEY_LEN]; /* tier 1: the suppliers of the buyer's requests */
    size_t n_roots;
    const tx_orgs *orgs;   /* may be NULL: names of organisations that granted nothing */
    unsigned depth;        /* tiers, >= 1 */
    unsigned current_days; /* 0: TX_TREE_DEFAULT_CURRENT_DAYS */
    int64_t now;
    const tx_verdicts *subs_from; /* NULL: the report's verdicts. Where a supplier's
                                     sub-suppliers are read: its newest verified assessment
                                     that lists any, whatever its questionnaire */
    int no_items;                 /* nodes without "items" (tx_report_row.h, no_items) */
} tx_report_tree_opts;

/* Adds "depth", "current_days", "nodes", "tiers" and "total" to a report document `doc` built
 * from the same `vs` (README.md, "The supply tree"). TX_ERR_NOMEM. */
int tx_report_tree_json(json_t *doc, const tx_verdicts *vs, const tx_report_tree_opts *t);

/* As tx_report_tree_json, on the rows the document was made of (tx_report_rows of the same
 * `vs`, borrowed: not made and scored a second time). With `row_refs` a supplier row's node has
 * none of the row's members but its "fingerprint", "key", "status" and the counts of "plans"
 * ("open", "overdue") beside its own: for the streamed report without a policy, which writes
 * such a node as a reference to its row. */
int tx_report_tree_json_rows(json_t *doc, const tx_verdicts *vs, const tx_report_tree_opts *t,
                             const tx_report_row *rows, size_t n_rows, int row_refs);

/* Prints the indented tree and its roll-ups by tier (texts in Japanese when ja), as the table
 * report goes on after the supplier tables; under each node its credentials and the policy's
 * verdict, under each roll-up the policy's counts, read from `doc` (the report's JSON document
 * with the tree of the same vs and t; may be NULL); the heading names the document's
 * questionnaire when it has one. TX_ERR_NOMEM. */
int tx_report_tree_table(FILE *f, const tx_verdicts *vs, const tx_report_tree_opts *t,
                         const json_t *doc, int ja);

#endif

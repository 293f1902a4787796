/* The buyer's acceptance policy applied to the report's JSON document: every supplier row
 * ("suppliers"[]) and tree node ("nodes"[]) gets "policy": {"version","pass","reasons",
 * "checks":[{"rule","pass","reason"}]} (null when no policy applies), the document gets
 * "policy": {"version","name","set","text","rules":[{"rule","text"}]} or null, and the tree's
 * "tiers"[] and "total" get "policy_pass" and "policy_fail" counts (null when no policy).
 * Reasons and texts are in the process's language (English while tx_i18n_english is on, as
 * under --json). */
#ifndef TX_POLICY_H
#define TX_POLICY_H

#include "tx_policy_store.h"

#include <jansson.h>
#include <stdint.h>

/* Applies `p` (NULL: no policy) to `doc` as of `now` (the report's date: within_days counts
 * from it). A row's credentials are its "credentials" member; a row without that member has
 * its body-signed TICS certificate ("certificate", status now) as its only credential.
 * TX_ERR_NOMEM. */
int tx_policy_apply(json_t *doc, const tx_policy *p, int64_t now);

/* Evaluates the rules of `p` on one row (a tree node or a supplier row) without the
 * sub-suppliers rule: the row's "policy" object. Caller owns; NULL on NOMEM. */
json_t *tx_policy_row(const json_t *row, const tx_policy *p, int64_t now);

/* The document's "policy" member for p (null when NULL): {"version","name","set","text",
 * "rules":[{"rule","text"}],"definition"} ("definition": the policy file's object, as `policy
 * show --json` prints it). Caller owns. */
json_t *tx_policy_doc(const tx_policy *p);

#endif

/* Versions of the buyer's acceptance policy in the home: policy/N.json (N = 1, 2, ...; 0600,
 * the directory 0700), each {"version","set","policy":{...}} and never changed once written;
 * policy/current holds the version in force ("N\n", "0\n" for none). Everything is written
 * atomically (temporary file and rename). */
#ifndef TX_POLICY_STORE_H
#define TX_POLICY_STORE_H

#include "tx_home.h"
#include "tx_policy_rule.h"

#include <stdint.h>

#define TX_POLICY_MAX_VERSIONS 10000

/* One stored version. */
typedef struct {
    int version; /* >= 1 */
    int64_t set; /* when it was set (unix seconds) */
    tx_policy_rules rules;
} tx_policy;

/* The process's choice of policy for reports (report --policy): TX_POLICY_CURRENT (the
 * default), TX_POLICY_NONE, or a version number. tx_policy_selected and
 * tx_policy_report_grace follow it. */
enum { TX_POLICY_CURRENT = -1, TX_POLICY_NONE = 0 };
void tx_policy_select(int version);

/* The periodic report grace days of the selected policy (the current one unless
 * tx_policy_select chose another), 0 when there is none or it cannot be read (a damaged
 * policy is reported by the commands that apply it, not here). */
int tx_policy_report_grace(tx_home *home);

/* Stores `rules` as a new version (the highest + 1) set at `now` and makes it current.
 * *version (may be NULL) gets its number. */
int tx_policy_store_add(tx_home *home, const tx_policy_rules *rules, int64_t now, int *version);

/* Loads version `version` (>= 1). TX_ERR_NOT_FOUND with a message when there is none;
 * TX_ERR_MALFORMED naming the file when it is damaged. */
int tx_policy_store_get(tx_home *home, int version, tx_policy *out);

/* The current version, 0 when none is in force. */
int tx_policy_store_current(tx_home *home, int *version);

/* Makes version `version` current (0: no policy). TX_ERR_NOT_FOUND when it does not exist. */
int tx_policy_store_use(tx_home *home, int version);

/* The stored version numbers in increasing order (at most TX_POLICY_MAX_VERSIONS). Caller
 * owns *versions (free). */
int tx_policy_store_list(tx_home *home, int **versions, size_t *n);

/* The selected policy (tx_policy_select): *found is 0 when none applies (no current version,
 * or TX_POLICY_NONE chosen). TX_ERR_USAGE when the chosen version does not exist; other
 * failures (a damaged version) with the message set. */
int tx_policy_selected(tx_home *home, tx_policy *out, int *found);

#endif

/* The buyer's acceptance policy (受入れ基準) as data: the rules a supplier's report row must
 * meet (credentials any-of by scheme and status, level, area and overall minimums, age of the
 * answer, periodic report grace, verified verdict, sub-suppliers, remediation plans), parsed
 * strictly from JSON and spelled back as JSON and as one sentence in the process's language. */
#ifndef TX_POLICY_RULE_H
#define TX_POLICY_RULE_H

#include "tx_cred_words.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define TX_POLICY_MAX_BYTES 16384 /* a policy file or stored version, at most */
#define TX_POLICY_MAX_ACCEPT 8    /* credential alternatives */
#define TX_POLICY_MAX_AREAS 32    /* area minimums */
#define TX_POLICY_NAME_MAX 128    /* bytes of the name, NUL included */
#define TX_POLICY_AREA_ID_MAX 16  /* bytes of an area id, NUL included */
#define TX_POLICY_MAX_DAYS 3660   /* within_days and report_grace_days, at most */

typedef struct {
    int scheme;        /* index in tx_cred_schemes */
    uint32_t statuses; /* bit i: tx_cred_statuses[i] is accepted */
} tx_policy_accept;

typedef struct {
    char id[TX_POLICY_AREA_ID_MAX];
    double min; /* percent, 0..100 */
} tx_policy_area;

/* One policy. A member that is absent is -1 (numbers) or 0 (counts, flags): no such rule. */
typedef struct {
    char name[TX_POLICY_NAME_MAX]; /* "" when unnamed */
    size_t n_accept;               /* 0: credentials are not required */
    tx_policy_accept accept[TX_POLICY_MAX_ACCEPT];
    int level; /* highest level fully achieved at least this; -1 none */
    size_t n_areas;
    tx_policy_area areas[TX_POLICY_MAX_AREAS];
    double overall;    /* overall score at least this percent; -1 none */
    int within_days;   /* answered (as_of) at most this many days before the report; -1 none */
    int grace_days;    /* periodic report late by up to this many days is a warning; 0 */
    int verified;      /* the assessment's verdict must be "verified" */
    int sub_suppliers; /* a tree node passes only when every sub-supplier under it passes */
    int plan_days;     /* a remediation plan marked done more than this many days ago whose
                          item was not improved by a superseding answer fails; -1 none */
    int max_overdue;   /* at most this many remediation plans past their due date; -1 none */
} tx_policy_rules;

/* A policy with no rule (every member "none"). */
void tx_policy_rules_init(tx_policy_rules *p);

/* Parses the policy object `o` strictly: unknown members, wrong types, unknown schemes or
 * statuses, numbers out of range and duplicates are refused with TX_ERR_MALFORMED and a
 * message naming the member (e.g. "credentials[1].status[0]: unknown status \"vaild\"").
 * Members "version" and "set" are accepted and ignored only when `stored` is set. */
int tx_policy_rules_from_json(const json_t *o, int stored, tx_policy_rules *out);

/* Parses a policy file's bytes (UTF-8 JSON, at most TX_POLICY_MAX_BYTES): a JSON error names
 * its line and column; then tx_policy_rules_from_json. `what` names the file in messages. */
int tx_policy_rules_parse(const char *what, const uint8_t *text, size_t len, int stored,
                          tx_policy_rules *out);

/* The policy as its file's JSON object (members in a fixed order, absent rules left out).
 * Caller owns. NULL on NOMEM. */
json_t *tx_policy_rules_json(const tx_policy_rules *p);

/* The rules as an array of {"rule","text"}, one per rule in force, "rule" the member's name
 * and "text" its sentence in the process's language (English when en is set, else as
 * tx_i18n_english says). Caller owns. */
json_t *tx_policy_rules_list(const tx_policy_rules *p, int en);

/* The whole policy as one sentence in the process's language (English when en is set, else as
 * tx_i18n_english says), e.g.
 * 「TICS（有効または登録簿に掲載）またはISMS（有効）を持ち、レベル1以上を達成していること。」
 * Writes at most n bytes into out (cut at a character boundary). */
void tx_policy_rules_text(const tx_policy_rules *p, int en, char *out, size_t n);

#endif

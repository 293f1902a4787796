/* Remediation plans and per-item evidence inside an assessment: the rules every writer and
 * every reader applies (Answer.plan, Answer.evidence; see proto/ticsx.proto). The sender checks
 * before signing, `answer --check` reports, and a buyer's verify refuses an assessment breaking
 * them as malformed, so a plan a buyer sees always belongs to an item still short of full
 * credit. */
#ifndef TX_PLAN_H
#define TX_PLAN_H

#include "tx_codec.h"

#include <jansson.h>
#include <stddef.h>

/* Checks every answer of `a` against q: a plan only on an answered item whose choice scores
 * below full credit and is not "not applicable"; its action non-empty valid UTF-8 of at most
 * TX_MAX_PLAN_ACTION bytes; its due date set; its done date, when set, not after the
 * assessment's as-of plus one day; each name in Answer.evidence listed in a->evidence and not
 * twice for one item. Answers naming unknown items or choices are left to tx_score_compute.
 * TX_OK, or TX_ERR_MALFORMED with `why` naming the item and the rule broken (English, one
 * line, in the process language when translated by the caller). */
int tx_plan_check(const tx_questionnaire_pb *q, const tx_assessment_pb *a, char *why, size_t n);

/* 1 when choice `code` of q scores below full credit and is not "not applicable": an item so
 * answered may carry a plan. 0 otherwise (also for an unknown code). */
int tx_plan_allowed(const tx_questionnaire_pb *q, const char *code);

/* A plan as an answers file writes it: the action, and dates as YYYY-MM-DD (each may be blank
 * or NULL). */
typedef struct {
    const char *action, *due, *done;
} tx_plan_text;

/* 1 when t holds anything (a non-blank action or date). */
int tx_plan_text_given(const tx_plan_text *t);

/* Sets a->plan from t for answer a (a->choice set, a scale code of q): nothing when t is all
 * blank; else the action must be given, the choice short of full credit (tx_plan_allowed), due
 * a date, done blank or a date (both kept as the start of their UTC day). TX_ERR_MALFORMED with
 * `why` (translated, one line) naming what is wrong; TX_ERR_NOMEM. */
int tx_plan_take(const tx_questionnaire_pb *q, tx_answer_pb *a, const tx_plan_text *t, char *why,
                 size_t n);

/* Appends evidence file `name` (trimmed; blank names are skipped) to a->evidence, within the
 * limits of Answer.evidence. TX_ERR_MALFORMED with `why`, TX_ERR_NOMEM. */
int tx_plan_take_evidence(tx_answer_pb *a, const char *name, char *why, size_t n);

/* Frees what tx_plan_take and tx_plan_take_evidence allocated in a. */
void tx_plan_answer_clear(tx_answer_pb *a);

/* A plan's state on day `now` (unix seconds). A plan exists only on an item still short of
 * full credit, so a plan marked done more than `stale_days` days ago is stale: no superseding
 * assessment improved the item. */
typedef enum {
    TX_PLAN_NONE,    /* no plan */
    TX_PLAN_OPEN,    /* not done, due today or later */
    TX_PLAN_OVERDUE, /* not done, due before today */
    TX_PLAN_DONE,    /* done within the last stale_days days */
    TX_PLAN_STALE    /* done earlier, item not improved since */
} tx_plan_state;

#define TX_PLAN_DAYS_DEFAULT 90u /* stale_days when the buyer's policy sets none */

tx_plan_state tx_plan_state_of(const tx_plan_pb *p, int64_t now, unsigned stale_days);

/* "none", "open", "overdue", "done" or "stale" (for JSON; not translated). */
const char *tx_plan_state_name(tx_plan_state s);

/* (Its label for people: tx_report_plan_state_label in the report layer.) */

/* How many plans of an assessment are in each state. */
typedef struct {
    size_t open, overdue, done, stale;
} tx_plan_counts;

void tx_plan_count(const tx_assessment_pb *a, int64_t now, unsigned stale_days, tx_plan_counts *c);

/* The plans of `a` (NULL: none) as the reports and `verify --json` show them:
 * {"open","overdue","done","stale","days","items":[{"item","action","due","done","state",
 * "evidence":[names]}]}, "days" being stale_days, "done" null while open. Caller owns. */
json_t *tx_plan_json(const tx_assessment_pb *a, int64_t now, unsigned stale_days);

#endif

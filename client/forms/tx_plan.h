/* Remediation plans and per-item evidence inside an assessment: the rules every writer and
 * every reader applies (Answer.plan, Answer.evidence; see proto/ticsx.proto). The sender checks
 * before signing, `answer --check` reports, and a buyer's verify refuses an assessment breaking
 * them as malformed, so a plan a buyer sees always belongs to an item still short of full
 * credit. */
#ifndef TX_PLAN_H
#define TX_PLAN_H

#include "tx_codec.h"

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

#endif

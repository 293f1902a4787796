/* Remediation plans and per-item evidence: the rules writers and readers share (tx_plan.h). */
#include "tx_plan.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_util.h"

#include <stdio.h>
#include <string.h>

#define DAY 86400

int
tx_plan_allowed(const tx_questionnaire_pb *q, const char *code)
{
    for (size_t i = 0; i < q->n_scale; i++) {
        const tx_choice_pb *c = q->scale[i];
        if (strcmp(c->code, code) == 0) {
            return !c->not_applicable && c->score_permille < 1000;
        }
    }
    return 0;
}

static int
listed(const tx_assessment_pb *a, const char *name)
{
    for (size_t i = 0; i < a->n_evidence; i++) {
        if (strcmp(a->evidence[i]->name, name) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
check_evidence(const tx_assessment_pb *a, const tx_answer_pb *an, char *why, size_t n)
{
    for (size_t j = 0; j < an->n_evidence; j++) {
        if (!listed(a, an->evidence[j])) {
            snprintf(why, n, _("item %s names the evidence file \"%s\", which the assessment does "
                               "not attach"),
                     an->item, an->evidence[j]);
            return TX_ERR_MALFORMED;
        }
        for (size_t k = 0; k < j; k++) {
            if (strcmp(an->evidence[k], an->evidence[j]) == 0) {
                snprintf(why, n, _("item %s names the evidence file \"%s\" twice"), an->item,
                         an->evidence[j]);
                return TX_ERR_MALFORMED;
            }
        }
    }
    return TX_OK;
}

static int
check_plan(const tx_questionnaire_pb *q, const tx_assessment_pb *a, const tx_answer_pb *an,
           char *why, size_t n)
{
    const tx_plan_pb *p = an->plan;
    size_t len = strlen(p->action);

    if (!tx_plan_allowed(q, an->choice)) {
        snprintf(why, n,
                 _("item %s has a remediation plan but is answered \"%s\": a plan belongs only "
                   "to an item short of full credit"),
                 an->item, an->choice);
        return TX_ERR_MALFORMED;
    }
    if (len == 0 || len > TX_MAX_PLAN_ACTION || !tx_utf8_valid(p->action, len)) {
        snprintf(why, n,
                 _("item %s: the remediation plan's action must be 1 to %u bytes of UTF-8 "
                   "text"),
                 an->item, TX_MAX_PLAN_ACTION);
        return TX_ERR_MALFORMED;
    }
    if (p->due == 0) {
        snprintf(why, n, _("item %s: the remediation plan has no due date"), an->item);
        return TX_ERR_MALFORMED;
    }
    if (p->done != 0 && a->as_of != 0 && p->done > a->as_of + DAY) {
        char d[16], o[16];
        tx_format_date(d, sizeof d, p->done);
        tx_format_date(o, sizeof o, a->as_of);
        snprintf(why, n,
                 _("item %s: the remediation plan is marked done on %s, after the assessment's "
                   "as-of date %s"),
                 an->item, d, o);
        return TX_ERR_MALFORMED;
    }
    return TX_OK;
}

int
tx_plan_check(const tx_questionnaire_pb *q, const tx_assessment_pb *a, char *why, size_t n)
{
    for (size_t i = 0; i < a->n_answers; i++) {
        const tx_answer_pb *an = a->answers[i];
        int rc;

        if ((rc = check_evidence(a, an, why, n)) != TX_OK ||
            (an->plan != NULL && (rc = check_plan(q, a, an, why, n)) != TX_OK)) {
            return rc;
        }
    }
    return TX_OK;
}

/* Remediation plans and per-item evidence: the rules writers and readers share (tx_plan.h). */
#include "tx_plan.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_limits.h"
#include "tx_util.h"

#include <stdio.h>
#include <stdlib.h>
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
            snprintf(why, n,
                     _("item %s names the evidence file \"%s\", which the assessment does "
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

static int
blank(const char *s)
{
    return s == NULL || s[strspn(s, " \t\r\n")] == 0;
}

int
tx_plan_text_given(const tx_plan_text *t)
{
    return !blank(t->action) || !blank(t->due) || !blank(t->done);
}

/* Trims s into a fresh string. */
static char *
trim_dup(const char *s)
{
    size_t n;

    s += strspn(s, " \t\r\n");
    n = strlen(s);
    while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL) {
        n--;
    }
    return strndup(s, n);
}

/* "2027/3/31" (as Japanese spreadsheets write dates) as "2027-03-31" into out; 0 if s is not
 * that shape. */
static int
slashed(const char *s, char *out, size_t n)
{
    int y, m, d, end = 0;

    if (sscanf(s, "%4d/%2d/%2d%n", &y, &m, &d, &end) != 3 || s[end] != 0) {
        return 0;
    }
    snprintf(out, n, "%04d-%02d-%02d", y, m, d);
    return 1;
}

/* A date as YYYY-MM-DD or YYYY/M/D, or as the day number a spreadsheet keeps for a date cell
 * (days since 1899-12-30, five digits). */
static int
day_of(const char *s, int64_t *out)
{
    char *t = trim_dup(s), iso[16];
    int rc = t != NULL && tx_parse_time(t, out) == TX_OK && *out > 0 ? TX_OK : TX_ERR_MALFORMED;

    if (rc != TX_OK && t != NULL && slashed(t, iso, sizeof iso)) {
        rc = tx_parse_time(iso, out) == TX_OK && *out > 0 ? TX_OK : TX_ERR_MALFORMED;
    }
    if (rc != TX_OK && t != NULL && strlen(t) == 5 && strspn(t, "0123456789") == 5) {
        *out = (strtoll(t, NULL, 10) - 25569) * DAY;
        rc = *out > 0 ? TX_OK : TX_ERR_MALFORMED;
    }

    free(t);
    *out -= *out % DAY;
    return rc;
}

static int
plan_fields(tx_plan_pb *p, const tx_plan_text *t, char *why, size_t n)
{
    if ((p->action = trim_dup(t->action)) == NULL) {
        return TX_ERR_NOMEM;
    }
    if (blank(t->due) || day_of(t->due, &p->due) != TX_OK) {
        snprintf(why, n,
                 _("the remediation plan needs a due date (plan_due) as YYYY-MM-DD, not "
                   "\"%.40s\""),
                 t->due != NULL ? t->due : "");
        return TX_ERR_MALFORMED;
    }
    if (!blank(t->done) && day_of(t->done, &p->done) != TX_OK) {
        snprintf(why, n,
                 _("the remediation plan's done date (plan_done) must be YYYY-MM-DD, not "
                   "\"%.40s\""),
                 t->done);
        return TX_ERR_MALFORMED;
    }
    if (strlen(p->action) > TX_MAX_PLAN_ACTION || !tx_utf8_valid(p->action, strlen(p->action))) {
        snprintf(why, n, _("the remediation plan's action must be 1 to %u bytes of UTF-8 text"),
                 TX_MAX_PLAN_ACTION);
        return TX_ERR_MALFORMED;
    }
    return TX_OK;
}

int
tx_plan_take(const tx_questionnaire_pb *q, tx_answer_pb *a, const tx_plan_text *t, char *why,
             size_t n)
{
    tx_plan_pb *p;
    int rc;

    if (!tx_plan_text_given(t)) {
        return TX_OK;
    }
    if (blank(t->action)) {
        snprintf(why, n,
                 _("a due or done date without a remediation plan: write what will be "
                   "done in the plan column"));
        return TX_ERR_MALFORMED;
    }
    if (!tx_plan_allowed(q, a->choice)) {
        snprintf(why, n,
                 _("a remediation plan belongs only to an item short of full credit (such as "
                   "partly or no), not to one answered \"%s\""),
                 a->choice);
        return TX_ERR_MALFORMED;
    }
    if ((p = calloc(1, sizeof *p)) == NULL) {
        return TX_ERR_NOMEM;
    }
    ticsx__v1__plan__init(p);
    p->action = NULL; /* not the codec's static "" until set: tx_plan_answer_clear frees it */
    a->plan = p;
    rc = plan_fields(p, t, why, n);
    if (rc == TX_OK && p->done != 0 && p->done > tx_now()) {
        snprintf(why, n, _("the remediation plan's done date is in the future"));
        rc = TX_ERR_MALFORMED;
    }
    return rc;
}

int
tx_plan_take_evidence(tx_answer_pb *a, const char *name, char *why, size_t n)
{
    const tx_limit *count =
        tx_limit_find(&ticsx__v1__answer__descriptor, "evidence", TX_LIMIT_COUNT);
    const tx_limit *text = tx_limit_find(&ticsx__v1__answer__descriptor, "evidence", TX_LIMIT_TEXT);
    char *t = trim_dup(name), **v;
    int rc = TX_OK;

    if (t == NULL) {
        return TX_ERR_NOMEM;
    }
    if (t[0] == 0) {
        free(t);
        return TX_OK;
    }
    if ((rc = tx_limit_check_text(text, t, strlen(t), why, n)) != TX_OK ||
        (rc = tx_limit_check_count(count, a->n_evidence + 1, why, n)) != TX_OK) {
        free(t);
        return rc;
    }
    if ((v = realloc(a->evidence, (a->n_evidence + 1) * sizeof *v)) == NULL) {
        free(t);
        return TX_ERR_NOMEM;
    }
    a->evidence = v;
    v[a->n_evidence++] = t;
    return TX_OK;
}

void
tx_plan_answer_clear(tx_answer_pb *a)
{
    if (a->plan != NULL) {
        free(a->plan->action);
        free(a->plan);
        a->plan = NULL;
    }
    for (size_t i = 0; i < a->n_evidence; i++) {
        free(a->evidence[i]);
    }
    free(a->evidence);
    a->evidence = NULL;
    a->n_evidence = 0;
}

tx_plan_state
tx_plan_state_of(const tx_plan_pb *p, int64_t now, unsigned stale_days)
{
    int64_t today = now - now % DAY;

    if (p == NULL) {
        return TX_PLAN_NONE;
    }
    if (p->done != 0) {
        return today > p->done + (int64_t)stale_days * DAY ? TX_PLAN_STALE : TX_PLAN_DONE;
    }
    return p->due < today ? TX_PLAN_OVERDUE : TX_PLAN_OPEN;
}

const char *
tx_plan_state_name(tx_plan_state s)
{
    static const char *const names[] = {"none", "open", "overdue", "done", "stale"};

    return names[s];
}

void
tx_plan_count(const tx_assessment_pb *a, int64_t now, unsigned stale_days, tx_plan_counts *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; a != NULL && i < a->n_answers; i++) {
        switch (tx_plan_state_of(a->answers[i]->plan, now, stale_days)) {
        case TX_PLAN_OPEN:
            c->open++;
            break;
        case TX_PLAN_OVERDUE:
            c->overdue++;
            break;
        case TX_PLAN_DONE:
            c->done++;
            break;
        case TX_PLAN_STALE:
            c->stale++;
            break;
        case TX_PLAN_NONE:
            break;
        }
    }
}

static json_t *
one_plan_json(const tx_answer_pb *an, int64_t now, unsigned stale_days)
{
    const tx_plan_pb *p = an->plan;
    json_t *ev = json_array();

    for (size_t j = 0; j < an->n_evidence; j++) {
        json_array_append_new(ev, json_string(an->evidence[j]));
    }
    return json_pack("{s:s,s:s,s:o,s:o,s:s,s:o}", "item", an->item, "action", p->action, "due",
                     tx_json_date(p->due), "done", p->done ? tx_json_date(p->done) : json_null(),
                     "state", tx_plan_state_name(tx_plan_state_of(p, now, stale_days)), "evidence",
                     ev);
}

json_t *
tx_plan_json(const tx_assessment_pb *a, int64_t now, unsigned stale_days)
{
    tx_plan_counts c;
    json_t *items = json_array();

    tx_plan_count(a, now, stale_days, &c);
    for (size_t i = 0; a != NULL && i < a->n_answers; i++) {
        if (a->answers[i]->plan != NULL) {
            json_array_append_new(items, one_plan_json(a->answers[i], now, stale_days));
        }
    }
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:o}", "open", (json_int_t)c.open, "overdue",
                     (json_int_t)c.overdue, "done", (json_int_t)c.done, "stale",
                     (json_int_t)c.stale, "days", (json_int_t)stale_days, "items", items);
}

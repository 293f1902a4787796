/* A supplier's own remediation plans (`ticsx plan list|done`): read from its current (not
 * superseded) assessments with the content keys kept in this home; marking one done is a new
 * signed version superseding the assessment, the same answers with the plan's done date set,
 * granted to the old one's current holders as `answer --supersedes` does. */
#ifndef TX_PLAN_OWN_H
#define TX_PLAN_OWN_H

#include "tx_answer.h"
#include "tx_client.h"

#include <jansson.h>

/* {"plans":[{"assessment","questionnaire","item","action","due","done","state","evidence"}]}
 * for every plan of this organisation's current assessments (only those not done unless
 * `all`), earliest due first. Connection codes. Caller owns *out. */
int tx_plan_list_own(tx_client *c, int all, json_t **out);

typedef struct {
    const char *assessment; /* one of this organisation's, not superseded (id or prefix) */
    const char *item;       /* an item of it with a plan not done yet */
    int64_t done;           /* the day it was done; 0 = today; never in the future */
    const tx_attachment *attachments; /* the files the assessment attaches, given again (the
                                         new version is sealed with a new key); may be NULL */
    size_t n_attachments;
} tx_plan_done_args;

/* Marks the plan done: signs, seals and submits the superseding assessment (tx_answer_submit)
 * and grants it to the old one's holders. TX_ERR_USAGE naming the problem: no such item, no
 * plan, already done, a date in the future, an attached file not given again. Caller reads
 * *out as for `answer`. */
int tx_plan_done(tx_client *c, const tx_plan_done_args *a, tx_answer_result *out);

#endif

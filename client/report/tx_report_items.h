/* The per-item answers of one assessment as report JSON: the "items" member of a report row,
 * which the renderers read (OSCAL findings per item, the HTML list of gaps). */
#ifndef TX_REPORT_ITEMS_H
#define TX_REPORT_ITEMS_H

#include "tx_codec.h"

#include <jansson.h>

/* [{"id","area","level","weight","text":{"ja","en"},
 *   "topics":[{"id","framework","name":{"ja","en"}}],"answer":code|null,
 *   "label":{"ja","en"}|null,"score_permille":n|null,"not_applicable","comment"}], one per
 * item of q in questionnaire order; answer, label and score_permille are null for an item
 * left unanswered (or answered with a choice q does not have). Caller owns the result. */
json_t *tx_report_items_json(const tx_questionnaire_pb *q, tx_answer_pb *const *answers, size_t n);

#endif

/* The per-item answers of one assessment as report JSON: the "items" member of a report row,
 * which the renderers read (OSCAL findings per item, the HTML list of gaps), and the
 * questionnaire's side of them, written once per document in the streamed JSON (format 2). */
#ifndef TX_REPORT_ITEMS_H
#define TX_REPORT_ITEMS_H

#include "tx_codec.h"
#include "tx_json_write.h"
#include "tx_wire.h"

#include <jansson.h>
#include <stdio.h>

/* [{"id","area","level","weight","text":{"ja","en"},
 *   "topics":[{"id","framework","name":{"ja","en"}}],"answer":code|null,
 *   "label":{"ja","en"}|null,"score_permille":n|null,"not_applicable","comment"}], one per
 * item of q in questionnaire order; answer, label and score_permille are null for an item
 * left unanswered (or answered with a choice q does not have). Caller owns the result. */
json_t *tx_report_items_json(const tx_questionnaire_pb *q, tx_answer_pb *const *answers, size_t n);

/* Writes format 2's row item i of q, on one line: {"id": ..., "answer": code|null,
 * "comment": ...}, answer null as in tx_report_items_json (the choice's label, score and n/a
 * are in the document's "questionnaires"). TX_ERR_BAD_UTF8 (tx_json_write_string). */
int tx_report_answer_write(tx_jw *w, const tx_questionnaire_pb *q, size_t i,
                           tx_answer_pb *const *answers, size_t n);

/* Format 2's entry of "questionnaires" for q, whose record id is `record`:
 * {"record","id","version","title","provenance","areas":[{"id","name"}],
 *  "levels":[{"level","name"}],"choices":[{"code","label","score_permille","not_applicable"}],
 *  "items":[{"id","area","level","weight","text","topics"}]}. Caller owns the result. */
json_t *tx_report_catalogue_json(const uint8_t record[TX_ID_LEN], const tx_questionnaire_pb *q);

#endif

/* Per-item answers of an assessment, joined with the questionnaire's own texts. */
#include "tx_report_items.h"

#include "tx_json.h"
#include "tx_questionnaire.h"

#include <string.h>

json_t *
tx_report_items_json(const tx_questionnaire_pb *q, tx_answer_pb *const *answers, size_t n)
{
    json_t *out = json_array();

    for (size_t i = 0; q != NULL && i < q->n_items; i++) {
        const tx_item_pb *item = q->items[i];
        const tx_answer_pb *ans = NULL;
        const tx_choice_pb *choice = NULL;

        for (size_t k = 0; k < n && ans == NULL; k++) {
            if (strcmp(answers[k]->item, item->id) == 0) {
                ans = answers[k];
            }
        }
        for (size_t c = 0; ans != NULL && c < q->n_scale && choice == NULL; c++) {
            if (strcmp(q->scale[c]->code, ans->choice) == 0) {
                choice = q->scale[c];
            }
        }
        json_array_append_new(
            out,
            json_pack(
                "{s:s,s:s,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:b,s:s}", "id", item->id, "area", item->area,
                "level", (json_int_t)item->level, "weight", (json_int_t)item->weight, "text",
                tx_json_text(item->text), "topics", tx_questionnaire_item_topics_json(q, item),
                "answer", choice != NULL ? json_string(choice->code) : json_null(), "label",
                choice != NULL ? tx_json_text(choice->label) : json_null(), "score_permille",
                choice != NULL && !choice->not_applicable ? json_integer(choice->score_permille)
                                                          : json_null(),
                "not_applicable", choice != NULL && choice->not_applicable, "comment",
                ans != NULL && ans->comment != NULL ? ans->comment : ""));
    }
    return out;
}

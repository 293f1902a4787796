/* Per-item answers of an assessment, joined with the questionnaire's own texts (format 1, in
 * memory for the renderers) or apart from them (format 2, the streamed JSON). */
#include "tx_report_items.h"

#include "tx_error.h"
#include "tx_json.h"
#include "tx_json_write.h"
#include "tx_questionnaire.h"

#include <string.h>

/* The answer to item i of q (NULL: unanswered) and its choice in q (NULL: none). Answers are
 * mostly in the questionnaire's order: the i-th is tried first. */
static const tx_answer_pb *
answer_of(const tx_questionnaire_pb *q, size_t i, tx_answer_pb *const *answers, size_t n,
          const tx_choice_pb **choice)
{
    const char *id = q->items[i]->id;
    const tx_answer_pb *ans = i < n && strcmp(answers[i]->item, id) == 0 ? answers[i] : NULL;

    for (size_t k = 0; k < n && ans == NULL; k++) {
        if (strcmp(answers[k]->item, id) == 0) {
            ans = answers[k];
        }
    }
    *choice = NULL;
    for (size_t c = 0; ans != NULL && c < q->n_scale && *choice == NULL; c++) {
        if (strcmp(q->scale[c]->code, ans->choice) == 0) {
            *choice = q->scale[c];
        }
    }
    return ans;
}

static const char *
comment_of(const tx_answer_pb *ans)
{
    return ans != NULL && ans->comment != NULL ? ans->comment : "";
}

json_t *
tx_report_items_json(const tx_questionnaire_pb *q, tx_answer_pb *const *answers, size_t n)
{
    json_t *out = json_array();

    for (size_t i = 0; q != NULL && i < q->n_items; i++) {
        const tx_item_pb *item = q->items[i];
        const tx_choice_pb *choice;
        const tx_answer_pb *ans = answer_of(q, i, answers, n, &choice);

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
                comment_of(ans)));
    }
    return out;
}

int
tx_report_answer_write(tx_jw *w, const tx_questionnaire_pb *q, size_t i,
                       tx_answer_pb *const *answers, size_t n)
{
    const tx_choice_pb *choice;
    const tx_answer_pb *ans = answer_of(q, i, answers, n, &choice);
    int rc;

    tx_jw_puts(w, "{\"id\": ");
    if ((rc = tx_json_write_string(w, q->items[i]->id)) != TX_OK) {
        return rc;
    }
    tx_jw_puts(w, ", \"answer\": ");
    if (choice == NULL) {
        tx_jw_puts(w, "null");
    } else if ((rc = tx_json_write_string(w, choice->code)) != TX_OK) {
        return rc;
    }
    tx_jw_puts(w, ", \"comment\": ");
    if ((rc = tx_json_write_string(w, comment_of(ans))) != TX_OK) {
        return rc;
    }
    tx_jw_putc(w, '}');
    return TX_OK;
}

json_t *
tx_report_catalogue_json(const uint8_t record[TX_ID_LEN], const tx_questionnaire_pb *q)
{
    json_t *areas = json_array(), *levels = json_array(), *choices = json_array();
    json_t *items = json_array();

    for (size_t a = 0; a < q->n_areas; a++) {
        json_array_append_new(areas, json_pack("{s:s,s:o}", "id", q->areas[a]->id, "name",
                                               tx_json_text(q->areas[a]->name)));
    }
    for (size_t l = 0; l < q->n_levels; l++) {
        json_array_append_new(levels,
                              json_pack("{s:I,s:o}", "level", (json_int_t)q->levels[l]->level,
                                        "name", tx_json_text(q->levels[l]->name)));
    }
    for (size_t c = 0; c < q->n_scale; c++) {
        const tx_choice_pb *ch = q->scale[c];
        json_array_append_new(
            choices, json_pack("{s:s,s:o,s:o,s:b}", "code", ch->code, "label",
                               tx_json_text(ch->label), "score_permille",
                               ch->not_applicable ? json_null() : json_integer(ch->score_permille),
                               "not_applicable", ch->not_applicable));
    }
    for (size_t i = 0; i < q->n_items; i++) {
        const tx_item_pb *item = q->items[i];
        json_array_append_new(
            items, json_pack("{s:s,s:s,s:I,s:I,s:o,s:o}", "id", item->id, "area", item->area,
                             "level", (json_int_t)item->level, "weight", (json_int_t)item->weight,
                             "text", tx_json_text(item->text), "topics",
                             tx_questionnaire_item_topics_json(q, item)));
    }
    return json_pack("{s:o,s:s,s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "record",
                     tx_json_hex(record, TX_ID_LEN), "id", q->id, "version",
                     (json_int_t)q->version, "title", tx_json_text(q->title), "provenance",
                     tx_questionnaire_has_provenance(q) ? tx_json_text(q->provenance)
                                                        : json_null(),
                     "areas", areas, "levels", levels, "choices", choices, "items", items);
}

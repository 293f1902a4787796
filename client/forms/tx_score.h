/* Scoring, driven by the questionnaire's data: a choice scores score_permille/1000; choices
 * marked not_applicable leave the item out; an area's score is sum(weight*score) over the
 * answered applicable items divided by the sum of their weights, in percent; the overall score
 * is the same over all items. Per level: the share of that level's applicable items that are
 * fully implemented (1000 permille); a level is achieved when every applicable item of it and
 * of every lower level is fully implemented. Unanswered items are listed, count as applicable
 * but not implemented for levels, and are left out of the scores. */
#ifndef TX_SCORE_H
#define TX_SCORE_H

#include "tx_codec.h"
#include "tx_emit.h"

#include <jansson.h>

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *id;    /* borrowed from the questionnaire */
    size_t items;      /* items in this area */
    size_t answered;   /* answered, not-applicable included */
    size_t applicable; /* answered and applicable: the denominator's items */
    uint64_t weight;   /* sum of weights of the applicable answered items */
    uint64_t earned;   /* sum of weight * score_permille */
    int has_score;     /* 0 when no applicable answered item */
    double percent;    /* 100 * earned / (1000 * weight) */
} tx_area_score;

typedef struct {
    uint32_t level;
    size_t applicable;  /* items of this level not answered "not applicable" */
    size_t implemented; /* of those, answered with a full-score choice */
    double share;       /* 100 * implemented / applicable; 100 when none applicable */
    int achieved;       /* this level and all below fully implemented */
} tx_level_score;

typedef struct {
    size_t n_areas;
    tx_area_score *areas;  /* in questionnaire order */
    tx_area_score overall; /* id NULL */
    size_t n_levels;
    tx_level_score *levels;  /* ascending */
    uint32_t level_achieved; /* highest achieved level, 0 if none */
    size_t n_unanswered;
    const char **unanswered; /* item ids, borrowed from the questionnaire */
} tx_score;

/* Scores `n` answers (item id + choice code, as in an Assessment) against q. An answer naming an
 * unknown item or choice, or a second answer for an item, is TX_ERR_MALFORMED with a message
 * naming it. Caller owns *out's arrays (tx_score_free); q must outlive *out. */
int tx_score_compute(const tx_questionnaire_pb *q, tx_answer_pb *const *answers, size_t n,
                     tx_score *out);

void tx_score_free(tx_score *s);

/* The scores as a report row shows them: {"areas": [{"id", "name", "score", "items", "answered",
 * "applicable"}], "overall", "levels": [{"level", "name", "applicable", "implemented", "share",
 * "achieved"}], "level_achieved", "level_next", "unanswered", "unanswered_items"}, percentages
 * rounded to one decimal and null when nothing applicable was answered. s must come from q.
 * Caller owns.
 *
 * A level's "share" is the percentage of its applicable items (not answered "not applicable";
 * unanswered ones count) that are fully met, "implemented" their number; "level_achieved" is
 * the highest level achieved (0 if none). "level_next" is the lowest level not achieved,
 * {"level", "name", "share", "fully_met", "applicable"}, or null when every level is: with
 * level_achieved it is what a report shows as "L1 80%" (no level yet, 80% of level 1 fully
 * met) or "L1 L2 40%" (level 1 achieved, 40% of level 2). */
json_t *tx_score_json(const tx_questionnaire_pb *q, const tx_score *s);

/* tx_score_json without the questionnaire's texts: no "name" in "areas", "levels" and
 * "level_next" (report JSON format 2 writes them once, in the document's "questionnaires"). */
json_t *tx_score_json_bare(const tx_questionnaire_pb *q, const tx_score *s);

/* The members of tx_score_json (with the names of areas and levels when `texts`, as
 * tx_score_json; without, as tx_score_json_bare) described to `e`, into the object it is in:
 * one description for the json_t and for the report's streamed writer. */
void tx_score_emit(tx_emit *e, const tx_questionnaire_pb *q, const tx_score *s, int texts);

/* The level summary of a report row (its "level_achieved" and "level_next" as above) as the
 * short text reports show: "L1 80%", "L1 L2 40%", "L2", or "" when the row has no score. The
 * share is rounded down, so 100% is never shown before the level is achieved. Returns 1 when
 * something was written, 0 otherwise. Same text in every language. */
int tx_score_level_text(const json_t *row, char *out, size_t n);

/* A percentage rounded to one decimal place. */
double tx_score_round(double percent);

#endif

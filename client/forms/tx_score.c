/* Area, overall and level scores from answers, following the rules the questionnaire holds. */
#include "tx_score.h"

#include "tx_emit.h"
#include "tx_error.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double
tx_score_round(double percent)
{
    return round(percent * 10.0) / 10.0;
}

static void
add(tx_area_score *a, uint32_t weight, const tx_choice_pb *c)
{
    a->answered++;
    if (c->not_applicable) {
        return;
    }
    a->applicable++;
    a->weight += weight;
    a->earned += (uint64_t)weight * c->score_permille;
}

static void
finish(tx_area_score *a)
{
    a->has_score = a->weight > 0;
    a->percent = a->has_score ? 100.0 * (double)a->earned / (1000.0 * (double)a->weight) : 0.0;
}

static int
level_index(tx_score *s, uint32_t level)
{
    size_t i;

    for (i = 0; i < s->n_levels; i++) {
        if (s->levels[i].level == level) {
            return (int)i;
        }
    }
    /* Keep ascending order: insert. */
    for (i = 0; i < s->n_levels && s->levels[i].level < level; i++) {
    }
    memmove(&s->levels[i + 1], &s->levels[i], (s->n_levels - i) * sizeof *s->levels);
    memset(&s->levels[i], 0, sizeof *s->levels);
    s->levels[i].level = level;
    s->n_levels++;
    return (int)i;
}

int
tx_score_compute(const tx_questionnaire_pb *q, tx_answer_pb *const *answers, size_t n,
                 tx_score *out)
{
    int *chosen = NULL; /* per item: scale index, -1 unanswered */
    int rc = TX_OK;
    int all = 1;

    memset(out, 0, sizeof *out);
    chosen = malloc((q->n_items ? q->n_items : 1) * sizeof *chosen);
    out->areas = calloc(q->n_areas ? q->n_areas : 1, sizeof *out->areas);
    out->levels = calloc(q->n_items + q->n_levels + 1, sizeof *out->levels);
    out->unanswered = calloc(q->n_items ? q->n_items : 1, sizeof *out->unanswered);
    if (chosen == NULL || out->areas == NULL || out->levels == NULL || out->unanswered == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < q->n_items; i++) {
        chosen[i] = -1;
    }
    for (size_t k = 0; k < n; k++) {
        int item = tx_questionnaire_item_near(q, answers[k]->item, k);
        int choice = -1;

        if (item < 0) {
            rc = tx_fail(TX_ERR_MALFORMED, "answer for unknown item %s", answers[k]->item);
            goto out;
        }
        for (size_t c = 0; c < q->n_scale && choice < 0; c++) {
            if (strcmp(q->scale[c]->code, answers[k]->choice) == 0) {
                choice = (int)c;
            }
        }
        if (choice < 0) {
            rc = tx_fail(TX_ERR_MALFORMED, "item %s: unknown answer code \"%s\"", answers[k]->item,
                         answers[k]->choice);
            goto out;
        }
        if (chosen[item] >= 0) {
            rc = tx_fail(TX_ERR_MALFORMED, "item %s is answered twice", answers[k]->item);
            goto out;
        }
        chosen[item] = choice;
    }
    out->n_areas = q->n_areas;
    for (size_t a = 0; a < q->n_areas; a++) {
        out->areas[a].id = q->areas[a]->id;
    }
    for (size_t l = 0; l < q->n_levels; l++) {
        level_index(out, q->levels[l]->level);
    }
    for (size_t i = 0, near = 0; i < q->n_items; i++) {
        const tx_item_pb *it = q->items[i];
        int area = tx_questionnaire_area_near(q, it->area, near);
        tx_level_score *lv = &out->levels[level_index(out, it->level)];

        if (area >= 0) {
            out->areas[area].items++;
            near = (size_t)area; /* the next item is mostly in the same area */
        }
        out->overall.items++;
        if (chosen[i] < 0) {
            out->unanswered[out->n_unanswered++] = it->id;
            lv->applicable++;
            continue;
        }
        const tx_choice_pb *c = q->scale[chosen[i]];
        if (area >= 0) {
            add(&out->areas[area], it->weight, c);
        }
        add(&out->overall, it->weight, c);
        if (!c->not_applicable) {
            lv->applicable++;
            lv->implemented += c->score_permille == 1000;
        }
    }
    for (size_t a = 0; a < out->n_areas; a++) {
        finish(&out->areas[a]);
    }
    finish(&out->overall);
    for (size_t l = 0; l < out->n_levels; l++) {
        tx_level_score *lv = &out->levels[l];
        lv->share =
            lv->applicable ? 100.0 * (double)lv->implemented / (double)lv->applicable : 100.0;
        all = all && lv->implemented == lv->applicable;
        lv->achieved = all;
        if (all) {
            out->level_achieved = lv->level;
        }
    }
out:
    free(chosen);
    if (rc != TX_OK) {
        tx_score_free(out);
    }
    return rc;
}

void
tx_score_free(tx_score *s)
{
    free(s->areas);
    free(s->levels);
    free(s->unanswered);
    memset(s, 0, sizeof *s);
}

/* A percentage as the report shows it: one decimal, null when nothing applicable. */
static void
emit_percent(tx_emit *e, const tx_area_score *a)
{
    if (a->has_score) {
        tx_emit_real(e, tx_score_round(a->percent));
    } else {
        tx_emit_null(e);
    }
}

/* The name of level `level` in q, NULL when q names none. */
static const tx_local_text_pb *
level_name(const tx_questionnaire_pb *q, uint32_t level)
{
    const tx_local_text_pb *name = NULL;

    for (size_t k = 0; k < q->n_levels; k++) {
        if (q->levels[k]->level == level) {
            name = q->levels[k]->name;
        }
    }
    return name;
}

/* A level's object, opened, with its first members: "level", and "name" with `texts`. */
static void
open_level(tx_emit *e, const tx_questionnaire_pb *q, uint32_t level, int texts)
{
    tx_emit_object(e);
    tx_emit_key(e, "level");
    tx_emit_int(e, level);
    if (texts) {
        tx_emit_key(e, "name");
        tx_emit_json(e, tx_json_text(level_name(q, level)));
    }
}

/* The lowest level not yet achieved, with its share of applicable items fully met: what a
 * report shows as "L1 80%". null when every level is achieved (or there is none). */
static void
emit_level_next(tx_emit *e, const tx_questionnaire_pb *q, const tx_score *s, int texts)
{
    for (size_t l = 0; l < s->n_levels; l++) {
        const tx_level_score *ls = &s->levels[l];
        if (ls->achieved) {
            continue;
        }
        open_level(e, q, ls->level, texts);
        tx_emit_key(e, "share");
        tx_emit_real(e, tx_score_round(ls->share));
        tx_emit_key(e, "fully_met");
        tx_emit_int(e, (int64_t)ls->implemented);
        tx_emit_key(e, "applicable");
        tx_emit_int(e, (int64_t)ls->applicable);
        tx_emit_end(e);
        return;
    }
    tx_emit_null(e);
}

void
tx_score_emit(tx_emit *e, const tx_questionnaire_pb *q, const tx_score *s, int texts)
{
    tx_emit_key(e, "areas");
    tx_emit_array(e);
    for (size_t a = 0; a < s->n_areas; a++) {
        const tx_area_score *as = &s->areas[a];
        tx_emit_object(e);
        tx_emit_key(e, "id");
        tx_emit_string(e, as->id);
        if (texts) {
            tx_emit_key(e, "name");
            tx_emit_json(e, tx_json_text(q->areas[a]->name));
        }
        tx_emit_key(e, "score");
        emit_percent(e, as);
        tx_emit_key(e, "items");
        tx_emit_int(e, (int64_t)as->items);
        tx_emit_key(e, "answered");
        tx_emit_int(e, (int64_t)as->answered);
        tx_emit_key(e, "applicable");
        tx_emit_int(e, (int64_t)as->applicable);
        tx_emit_end(e);
    }
    tx_emit_end(e);
    tx_emit_key(e, "overall");
    emit_percent(e, &s->overall);
    tx_emit_key(e, "levels");
    tx_emit_array(e);
    for (size_t l = 0; l < s->n_levels; l++) {
        const tx_level_score *ls = &s->levels[l];
        open_level(e, q, ls->level, texts);
        tx_emit_key(e, "applicable");
        tx_emit_int(e, (int64_t)ls->applicable);
        tx_emit_key(e, "implemented");
        tx_emit_int(e, (int64_t)ls->implemented);
        tx_emit_key(e, "share");
        tx_emit_real(e, tx_score_round(ls->share));
        tx_emit_key(e, "achieved");
        tx_emit_bool(e, ls->achieved);
        tx_emit_end(e);
    }
    tx_emit_end(e);
    tx_emit_key(e, "level_achieved");
    tx_emit_int(e, s->level_achieved);
    tx_emit_key(e, "level_next");
    emit_level_next(e, q, s, texts);
    tx_emit_key(e, "unanswered");
    tx_emit_int(e, (int64_t)s->n_unanswered);
    tx_emit_key(e, "unanswered_items");
    tx_emit_array(e);
    for (size_t k = 0; k < s->n_unanswered; k++) {
        tx_emit_string(e, s->unanswered[k]);
    }
    tx_emit_end(e);
}

/* tx_score_json, with the questionnaire's texts or without (tx_score_json_bare). */
static json_t *
score_json(const tx_questionnaire_pb *q, const tx_score *s, int texts)
{
    tx_emit_builder b;
    json_t *o = json_object();

    tx_emit_build(&b, o);
    tx_score_emit(&b.e, q, s, texts);
    if (b.e.rc != TX_OK) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *
tx_score_json(const tx_questionnaire_pb *q, const tx_score *s)
{
    return score_json(q, s, 1);
}

json_t *
tx_score_json_bare(const tx_questionnaire_pb *q, const tx_score *s)
{
    return score_json(q, s, 0);
}

int
tx_score_level_text(const json_t *row, char *out, size_t n)
{
    const json_t *next = json_object_get(row, "level_next");
    const json_t *got = json_object_get(row, "level_achieved");
    json_int_t achieved = json_is_integer(got) ? json_integer_value(got) : 0;
    int w;

    if (n == 0) {
        return 0;
    }
    out[0] = 0;
    if (json_is_object(next)) {
        json_int_t level = json_integer_value(json_object_get(next, "level"));
        double share = json_number_value(json_object_get(next, "share"));
        long whole = (long)floor(share); /* never shows 100% before the level is achieved */
        if (whole > 99) {
            whole = 99;
        }
        if (achieved > 0) {
            w = snprintf(out, n, "L%lld L%lld %ld%%", (long long)achieved, (long long)level, whole);
        } else {
            w = snprintf(out, n, "L%lld %ld%%", (long long)level, whole);
        }
    } else if (achieved > 0) {
        w = snprintf(out, n, "L%lld", (long long)achieved);
    } else {
        return 0;
    }
    return w > 0 && (size_t)w < n;
}

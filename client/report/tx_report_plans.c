/* Remediation plans in the buyer's report (tx_report_plans.h). */
#include "tx_report_plans.h"

#include "tx_cell.h"
#include "tx_i18n.h"
#include "tx_render_doc.h"

#include <string.h>

#define WIDTH 80

long
tx_report_plans_n(const json_t *row, const char *state)
{
    return (long)json_integer_value(json_object_get(json_object_get(row, "plans"), state));
}

static void
sum_into(json_t *rollup, const json_t *nodes, json_int_t tier)
{
    const json_t *node;
    long open = 0, overdue = 0;
    size_t i;

    json_array_foreach(nodes, i, node)
    {
        if (tier == 0 || json_integer_value(json_object_get(node, "tier")) == tier) {
            open += tx_report_plans_n(node, "open");
            overdue += tx_report_plans_n(node, "overdue");
        }
    }
    json_object_set_new(rollup, "plans_open", json_integer(open));
    json_object_set_new(rollup, "plans_overdue", json_integer(overdue));
}

void
tx_report_plans_tiers(json_t *doc)
{
    const json_t *nodes = json_object_get(doc, "nodes");
    json_t *t;
    size_t i;

    json_array_foreach(json_object_get(doc, "tiers"), i, t)
    {
        sum_into(t, nodes, json_integer_value(json_object_get(t, "tier")));
    }
    if (json_is_object(json_object_get(doc, "total"))) {
        sum_into(json_object_get(doc, "total"), nodes, 0);
    }
}

const char *
tx_report_plan_state_label(const char *state, int ja)
{
    if (strcmp(state, "open") == 0) {
        return tx_render_tr(N_("in progress"), ja);
    }
    if (strcmp(state, "overdue") == 0) {
        return tx_render_tr(N_("overdue"), ja);
    }
    if (strcmp(state, "done") == 0) {
        return tx_render_tr(N_("done"), ja);
    }
    return tx_render_tr(N_("done, item not improved"), ja);
}

/* "1 in progress" for state k of tx_report_plans_summary's list, in the language. */
static void
put_count(char *out, size_t n, size_t *used, size_t k, long c, int ja)
{
    switch (k) {
    case 0:
        tx_render_append(out, n, used, tx_render_tr(N_("%ld in progress"), ja), c);
        break;
    case 1:
        tx_render_append(out, n, used, tx_render_tr(N_("%ld overdue"), ja), c);
        break;
    case 2:
        tx_render_append(out, n, used, tx_render_tr(N_("%ld done"), ja), c);
        break;
    default:
        tx_render_append(out, n, used, tx_render_tr(N_("%ld done, item not improved"), ja), c);
    }
}

int
tx_report_plans_summary(const json_t *row, int ja, char *out, size_t n)
{
    static const char *const states[] = {"open", "overdue", "done", "stale"};
    size_t used = 0;
    int parts = 0;

    out[0] = 0;
    for (size_t k = 0; k < 4; k++) {
        long c = tx_report_plans_n(row, states[k]);
        if (c == 0) {
            continue;
        }
        tx_render_append(out, n, &used, "%s",
                         tx_render_tr(parts ? N_(", ") : N_("remediation plans: "), ja));
        put_count(out, n, &used, k, c, ja);
        parts++;
    }
    return parts > 0;
}

void
tx_report_plan_line(const json_t *plan, int ja, char *out, size_t n)
{
    const char *state = tx_render_str(plan, "state");
    size_t used = 0;

    out[0] = 0;
    tx_render_append(out, n, &used, "%s %s", tx_render_str(plan, "item"),
                     tx_report_plan_state_label(state, ja));
    if (json_is_string(json_object_get(plan, "done"))) {
        tx_render_append(out, n, &used, tx_render_tr(N_(", done on %s"), ja),
                         tx_render_str(plan, "done"));
    } else {
        tx_render_append(out, n, &used, tx_render_tr(N_(", plan due %s"), ja),
                         tx_render_str(plan, "due"));
    }
    tx_render_append(out, n, &used, "%s%s", tx_render_tr(N_(": "), ja),
                     tx_render_str(plan, "action"));
    tx_render_utf8_fix(out);
}

void
tx_report_plans_notes(FILE *f, const json_t *row, int ja)
{
    const json_t *p;
    char buf[1024];
    size_t i;

    if (!tx_report_plans_summary(row, ja, buf, sizeof buf)) {
        return;
    }
    fputs("  ", f);
    tx_put_wrapped(f, buf, 2, WIDTH, 4);
    json_array_foreach(json_object_get(json_object_get(row, "plans"), "items"), i, p)
    {
        const char *state = tx_render_str(p, "state");
        if (strcmp(state, "overdue") == 0 || strcmp(state, "stale") == 0) {
            tx_report_plan_line(p, ja, buf, sizeof buf);
            fputs("    ", f);
            tx_put_wrapped(f, buf, 4, WIDTH, 6);
        }
    }
}

void
tx_report_plans_rollup(FILE *f, const json_t *rollup, int ja)
{
    const json_t *open = json_object_get(rollup, "plans_open");
    const json_t *overdue = json_object_get(rollup, "plans_overdue");
    char buf[256];

    if (json_integer_value(open) == 0 && json_integer_value(overdue) == 0) {
        return;
    }
    snprintf(buf, sizeof buf, tx_render_tr(N_("remediation plans: open %lld, overdue %lld"), ja),
             (long long)json_integer_value(open), (long long)json_integer_value(overdue));
    fputs("  ", f);
    tx_put_wrapped(f, buf, 2, WIDTH, 4);
}

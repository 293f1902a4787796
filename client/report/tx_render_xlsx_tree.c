/* The XLSX report's sheets of answers, of the supply tree's roll-ups by tier and of its nodes,
 * one a row with tier and parent (tx_render_xlsx.h). */
#include "tx_render_doc.h"
#include "tx_render_xlsx.h"

#include "tx_i18n.h"
#include "tx_msg.h"

#include <stdio.h>
#include <string.h>

/* Every answer: one row per supplier and item, with the questionnaire's text. */
void
tx_xlsx_sheet_items(tx_xlsx_book *b, const json_t *sups)
{
    static const char *const cols[][2] = {
        {"supplier", N_("Supplier")},
        {"item", N_("Item")},
        {"area", N_("Area")},
        {"level", N_("Level")},
        {"text", N_("Requirement")},
        {"answer", N_("Answer")},
        {"score_%", N_("Score in percent")},
        {"comment", N_("Comment")},
        {"topics", N_("Topics")},
    };
    /* Widths in characters: short for dates and numbers, wide for texts (wrapped). */
    static const double widths[] = {20, 8, 6, 6, 60, 14, 8, 36, 26};
    TX_XLSX_WIDTH_PER_COLUMN(widths, cols);
    static const char *const sheet[2] = {"items", N_("Items")};
    char buf[2048];
    lxw_worksheet *ws;
    lxw_row_t r = 0;

    ws = tx_xlsx_add_table(b, sheet, cols, widths, sizeof cols / sizeof cols[0]);
    if (ws == NULL) {
        return;
    }
    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *sup = json_array_get(sups, s);
        const json_t *items = json_object_get(sup, "items");
        for (size_t i = 0; i < json_array_size(items); i++) {
            const json_t *it = json_array_get(items, i);
            const json_t *permille = json_object_get(it, "score_permille");
            r++;
            tx_xlsx_put_str(ws, r, 0, tx_render_str(sup, "name"));
            tx_xlsx_put_str(ws, r, 1, tx_render_str(it, "id"));
            tx_xlsx_put_str(ws, r, 2, tx_render_str(it, "area"));
            tx_xlsx_put_number(ws, r, 3, json_object_get(it, "level"), NULL);
            tx_xlsx_put_str(ws, r, 4, tx_render_text(json_object_get(it, "text"), b->ja));
            tx_xlsx_put_str(ws, r, 5,
                            json_is_string(json_object_get(it, "answer"))
                                ? tx_render_text(json_object_get(it, "label"), b->ja)
                                : tx_render_tr(N_("not answered"), b->ja));
            if (json_is_integer(permille)) {
                worksheet_write_number(ws, r, 6, (double)json_integer_value(permille) / 10.0,
                                       b->num);
            }
            tx_xlsx_put_str(ws, r, 7, tx_render_str(it, "comment"));
            buf[0] = 0;
            size_t used = 0;
            for (size_t k = 0; k < json_array_size(json_object_get(it, "topics")); k++) {
                const json_t *tp = json_array_get(json_object_get(it, "topics"), k);
                tx_render_append(buf, sizeof buf, &used, "%s%s %s", k ? "\n" : "",
                                 tx_render_str(tp, "id"),
                                 tx_render_text(json_object_get(tp, "name"), b->ja));
            }
            tx_xlsx_put_str(ws, r, 8, buf);
        }
    }
    worksheet_autofilter(ws, 0, 0, r, sizeof cols / sizeof cols[0] - 1);
}

/* The supply tree's roll-ups: one row per tier and one for the whole tree. */
void
tx_xlsx_sheet_tiers(tx_xlsx_book *b, const json_t *doc)
{
    static const char *const cols[][2] = {
        {"tier", N_("Tier")},
        {"nodes", N_("Organisations")},
        {"verified", N_("Verified")},
        {"verified_%", N_("Verified, share")},
        {"current", N_("Current")},
        {"current_%", N_("Current, share")},
        {"certified", N_("Certified")},
        {"certified_%", N_("Certified, share")},
        {"weakest", N_("Weakest link per area")},
    };
    /* Widths in characters: short for dates and numbers, wide for texts (wrapped). */
    static const double widths[] = {8, 10, 9, 9, 9, 9, 9, 9, 50};
    TX_XLSX_WIDTH_PER_COLUMN(widths, cols);
    static const char *const sheet[2] = {"tiers", N_("Tiers")};
    static const char *const all[2] = {"all", N_("Whole tree")};
    static const char *const measures[] = {"verified", "current", "certified"};
    const json_t *tiers = json_object_get(doc, "tiers");
    size_t n = json_array_size(tiers);
    lxw_worksheet *ws;
    char buf[2048];

    if (n == 0) {
        return;
    }
    ws = tx_xlsx_add_table(b, sheet, cols, widths, sizeof cols / sizeof cols[0]);
    if (ws == NULL) {
        return;
    }
    for (size_t i = 0; i <= n; i++) {
        const json_t *t = i < n ? json_array_get(tiers, i) : json_object_get(doc, "total");
        const json_t *weakest = json_object_get(t, "weakest");
        lxw_row_t r = (lxw_row_t)(i + 1);
        size_t used = 0;
        if (!json_is_object(t)) {
            break;
        }
        if (i < n) {
            tx_xlsx_put_number(ws, r, 0, json_object_get(t, "tier"), NULL);
        } else {
            worksheet_write_string(ws, r, 0, tx_xlsx_word(b, all), b->head);
        }
        tx_xlsx_put_number(ws, r, 1, json_object_get(t, "nodes"), NULL);
        for (size_t m = 0; m < 3; m++) {
            tx_xlsx_put_number(ws, r, (lxw_col_t)(2 + 2 * m), json_object_get(t, measures[m]),
                               NULL);
            tx_xlsx_put_number(ws, r, (lxw_col_t)(3 + 2 * m),
                               json_object_get(json_object_get(t, "coverage"), measures[m]),
                               b->num);
        }
        buf[0] = 0;
        for (size_t w = 0; w < json_array_size(weakest) && used < sizeof buf; w++) {
            const json_t *e = json_array_get(weakest, w);
            int k =
                snprintf(buf + used, sizeof buf - used, "%s%s %.1f %s", w ? "; " : "",
                         tx_render_str(e, "area"), json_number_value(json_object_get(e, "score")),
                         tx_render_str(e, "node_name"));
            used += k > 0 ? (size_t)k : 0;
        }
        tx_render_utf8_fix(buf);
        tx_xlsx_put_str(ws, r, 8, buf);
    }
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)n, sizeof cols / sizeof cols[0] - 1);
}

/* A node's flags, space-separated: their keys in English (as in the CSV), labels in Japanese. */
static void
flags_text(const json_t *node, int ja, char *out, size_t n)
{
    const json_t *flags = json_object_get(node, "flags");
    size_t used = 0;

    out[0] = 0;
    for (size_t k = 0; k < json_array_size(flags); k++) {
        const char *flag = json_string_value(json_array_get(flags, k));
        const char *label = flag == NULL                ? ""
                            : !ja                       ? flag
                            : strcmp(flag, "loop") == 0 ? tx_render_tr(N_("loop"), 1)
                            : strcmp(flag, "reached_twice") == 0
                                ? tx_render_tr(N_("reached twice"), 1)
                                : flag;
        tx_render_append(out, n, &used, "%s%s", k ? " " : "", label);
    }
}

/* One row of the tree sheet: node `node` of doc at row r. */
static void
tree_row(const tx_xlsx_book *b, lxw_worksheet *ws, lxw_row_t r, const json_t *doc,
         const json_t *node, const json_t *areas)
{
    char names[2048], fps[2048];
    const char *state = tx_render_str(node, "answer_state");

    tx_xlsx_put_number(ws, r, 0, json_object_get(node, "tier"), NULL);
    tx_xlsx_put_str(ws, r, 1, tx_render_str(node, "name"));
    tx_xlsx_put_str(ws, r, 2, tx_render_str(node, "fingerprint"));
    tx_render_parents(doc, node, names, fps, sizeof names);
    tx_xlsx_put_str(ws, r, 3, names);
    tx_xlsx_put_str(ws, r, 4, fps);
    tx_xlsx_put_str(ws, r, 5, tx_render_str(node, "supplies"));
    tx_xlsx_put_str(ws, r, 6, b->ja ? tx_render_answer_state_label(state, 1) : state);
    tx_xlsx_put_str(ws, r, 7, tx_render_status_label(tx_render_str(node, "status"), b->ja));
    tx_xlsx_put_number(ws, r, 8, json_object_get(node, "overall"), b->num);
    tx_xlsx_put_number(ws, r, 9, json_object_get(node, "level_achieved"), NULL);
    tx_xlsx_put_number(ws, r, 10, json_object_get(node, "age_days"), NULL);
    flags_text(node, b->ja, names, sizeof names);
    tx_xlsx_put_str(ws, r, 11, names);
    tx_xlsx_area_scores(ws, b, r, 12, node, areas);
}

/* The supply tree, one node a row in walk order: tier, the organisation, its parents (every
 * one, a line each) with their fingerprints, what it supplies, answer state, verification,
 * scores (overall, then per area), level, age and flags. Only when the report has a tree. */
void
tx_xlsx_sheet_tree(tx_xlsx_book *b, const json_t *doc, const json_t *areas)
{
    static const char *const cols[][2] = {
        {"tier", N_("Tier")},
        {"supplier", N_("Supplier")},
        {"fingerprint", N_("Fingerprint")},
        {"parent", N_("Parent")},
        {"parent_fingerprint", N_("Parent's fingerprint")},
        {"supplies", N_("Supplies")},
        {"answer_state", N_("Answer state")},
        {"verification", N_("Verification")},
        {"overall", N_("Overall")},
        {"level_achieved", N_("Level")},
        {"age_days", N_("Age in days")},
        {"flags", N_("Notes")},
    };
    /* Widths in characters: short for dates and numbers, wide for texts (wrapped). */
    static const double widths[] = {6, 24, 26, 24, 26, 14, 12, 12, 8, 7, 7, 14};
    TX_XLSX_WIDTH_PER_COLUMN(widths, cols);
    static const char *const sheet[2] = {"tree", N_("Supply tree")};
    const size_t nc = sizeof cols / sizeof cols[0], na = json_array_size(areas);
    const json_t *nodes = json_object_get(doc, "nodes");
    size_t n = json_array_size(nodes);
    lxw_worksheet *ws;

    if (n == 0 || (ws = tx_xlsx_add_table(b, sheet, cols, widths, nc)) == NULL) {
        return;
    }
    tx_xlsx_area_headings(ws, b, areas, (lxw_col_t)nc);
    worksheet_freeze_panes(ws, 1, 2);
    for (size_t i = 0; i < n; i++) {
        tree_row(b, ws, (lxw_row_t)(i + 1), doc, json_array_get(nodes, i), areas);
    }
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)n, (lxw_col_t)(nc + na - 1));
}

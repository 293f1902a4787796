/* The buyer's report model as the buyer's handlers (tx_ui_buyer.c) read it: what `ticsx report
 * --json` computes from the home's cache (verdicts, the supply tree from this organisation's
 * requests, the report document) kept in memory, plus compact rows for the dashboard and the
 * tree, indexed by supplier key, and the requests with their progress. Built by
 * tx_ui_model_build (tx_ui_app.h); every pointer here is owned by the model. */
#ifndef TX_UI_MODEL_H
#define TX_UI_MODEL_H

#include "tx_idmap.h"
#include "tx_orgs.h"
#include "tx_progress.h"
#include "tx_report.h"
#include "tx_report_scope.h"
#include "tx_ui_app.h"
#include "tx_verify.h"

#include <jansson.h>
#include <stdint.h>

/* One supplier of the dashboard: a report row, or a supplier this organisation asked that has
 * granted nothing (status "not_answered"). The sort and filter keys are read from here. */
typedef struct {
    uint8_t key[TX_KEY_LEN];
    json_t *obj;         /* the compact dashboard row (docs/ui-api.md) */
    json_t *full;        /* the report row in doc "suppliers" (borrowed), NULL if none */
    const tx_verdict *v; /* the verdict the report row shows, NULL if none */
    const char *name;    /* borrowed from obj */
    const char *status;  /* "verified", ..., "not_answered" */
    const char *cert;    /* certificate status now, "no_certificate" when none */
    char *haystack;      /* lower-case "name fingerprint" for the text filter */
    double overall;      /* -1: none */
    int level;           /* 0: none */
    int64_t age;         /* days since as-of, -1: none */
    int64_t next_due;    /* earliest due date of an open request, 0: none */
    unsigned tier;       /* 0: not in the tree */
    int items_dropped;   /* full has no "items" but had some: tx_ui_model_full_row makes them */
} tx_ui_row;

struct tx_ui_model {
    int valid;              /* 0 after tx_ui_model_invalidate */
    tx_verdicts vs;         /* tx_verify_all of the cache */
    tx_report_scope *scope; /* the questionnaire shown (tx_report_scopes, one) */
    size_t n_scope;
    const tx_verdicts *rvs; /* its verdicts: what the report, the rows and the tree show */
    json_t *questionnaires; /* [{"id","version","title","selected","main"}]: each
                               questionnaire answered (id null: not readable), and the
                               one shown when nobody answered it */
    char main_q[TX_QUESTIONNAIRE_ID_MAX + 1]; /* the main questionnaire when built */
    tx_orgs orgs;                             /* enrolled organisations (profiles in the cache) */
    uint8_t (*roots)[TX_KEY_LEN]; /* tier 1: the suppliers of this organisation's requests */
    tx_report_tree_opts tree;     /* what `report` walks (depth from the requests) */
    json_t *doc;                  /* the report document with the tree, without "items"
                                   * (tx_report_json_brief; tx_ui_model_full_row); its tree nodes
                                   * slimmed to tier, status and scores */
    json_t *tree_doc;             /* {"depth","current_days","nodes" (compact),"tiers","total"} */
    tx_progress progress;         /* this organisation's requests, newest first */
    tx_ui_row *rows;              /* by name, then fingerprint */
    size_t n_rows;
    tx_idmap by_key; /* supplier key -> position in rows */
    json_t *areas;   /* union of the rows' areas: [{"id","name"}] */
    json_t *counts;  /* rows per status */
    int64_t now;     /* the clock when built (TICSX_NOW included) */
};

/* The model, built when missing or out of date (tx_ui_model_build). Borrowed until the lock
 * is released. */
int tx_ui_model_get(tx_ui_app *app, struct tx_ui_model **out);

/* The tree part with compact nodes, for a depth other than the model's (GET /api/tree?depth=).
 * Caller owns *out. */
int tx_ui_model_tree(const struct tx_ui_model *m, unsigned depth, json_t **out);

/* The supplier's full report row as `report --json` has it (its per-item answers made again
 * from the verdict), or its dashboard row when it granted nothing. Caller owns. */
json_t *tx_ui_model_full_row(const tx_ui_row *r);

/* The supplier's full report row as `report --json` has it (its per-item answers made again
 * from the verdict), or its dashboard row when it granted nothing. Caller owns. */
json_t *tx_ui_model_full_row(const tx_ui_row *r);

/* The row of supplier `key`, NULL when the model knows no such supplier. */
const tx_ui_row *tx_ui_model_row(const struct tx_ui_model *m, const uint8_t key[TX_KEY_LEN]);

#endif

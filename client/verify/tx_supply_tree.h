/* The supply tree a buyer can see, and its roll-ups: a walk from the tier-1 suppliers its own
 * requests name through the sub-suppliers listed inside each verified assessment, to N tiers;
 * an organisation reached twice or through a loop is one node, flagged. Per tier and for the
 * whole tree: coverage (share of nodes verified, current, certified), weakest link per area
 * and counts by certificate status. Pure arithmetic on what the caller hands in, so a
 * hand-built tree tests it; tx_tree_roots reads the buyer's requests from the cache. */
#ifndef TX_SUPPLY_TREE_H
#define TX_SUPPLY_TREE_H

#include "tx_cert_judge.h"
#include "tx_codec.h"
#include "tx_home.h"
#include "tx_keys.h"
#include "tx_score.h"

#include <stddef.h>
#include <stdint.h>

#define TX_TREE_DEFAULT_CURRENT_DAYS 365
#define TX_TREE_MAX_DEPTH 16

/* A sub-supplier as listed inside an assessment. */
typedef struct {
    int has_key;
    uint8_t key[TX_KEY_LEN];
    const char *name;     /* borrowed */
    const char *supplies; /* borrowed, may be "" */
} tx_tree_sub;

/* What the buyer holds of one organisation: the assessment its report shows. */
typedef struct {
    uint8_t key[TX_KEY_LEN];
    const char *name;             /* borrowed: from its signed profile, may be "" */
    int status;                   /* TX_VERIFIED, TX_EXPIRED, TX_FAILED, TX_REVOKED */
    int64_t as_of;                /* 0 when not read */
    int cert_status;              /* TX_CERT_*, the report's status now */
    const tx_score *score;        /* NULL when not scored; borrowed */
    const tx_questionnaire_pb *q; /* area names for score; borrowed */
    const tx_tree_sub *subs;      /* borrowed */
    size_t n_subs;
    const void *ctx; /* the caller's, handed back on the node */
} tx_tree_known;

typedef struct {
    const uint8_t (*roots)[TX_KEY_LEN]; /* tier 1, in order */
    const char *const *root_names;      /* NULL, or a name per root ("" unknown): shown when
                                           nothing is granted */
    size_t n_roots;
    const tx_tree_known *known;
    size_t n_known;
    unsigned depth;        /* tiers to walk, >= 1 */
    unsigned current_days; /* current: as-of within this many days of now */
    int64_t now;
} tx_tree_input;

enum { TX_TREE_ANSWERED = 0, TX_TREE_NOT_ANSWERED = 1, TX_TREE_NOT_SHARED = 2 };
#define TX_TREE_REACHED_TWICE 1u
#define TX_TREE_LOOP 2u

typedef struct {
    int has_key;
    uint8_t key[TX_KEY_LEN];
    const char *name;     /* borrowed: profile name, else the first parent's listing */
    const char *supplies; /* borrowed: the first parent's listing, NULL for a root */
    unsigned tier;
    size_t *parents; /* node indices, in the order reached */
    size_t n_parents;
    int answer_state;
    unsigned flags;
    const tx_tree_known *known; /* NULL when nothing is granted */
    int64_t age_days;           /* -1 when there is no as-of */
    int verified, current, certified;
} tx_tree_node;

typedef struct {
    const char *area;                 /* borrowed area id */
    const tx_local_text_pb *name;     /* borrowed, may be NULL */
    double score;                     /* percent */
    size_t node;                      /* index into the nodes */
} tx_tree_weak;

typedef struct {
    unsigned tier; /* 0 for the total */
    size_t nodes, verified, current, certified;
    tx_tree_weak *weakest; /* per area, in order of first appearance */
    size_t n_weakest;
    size_t cert[TX_CERT_STATUS_COUNT]; /* verified nodes by certificate status */
} tx_tree_rollup;

typedef struct {
    tx_tree_node *nodes;
    size_t n;
    unsigned depth, current_days;
    tx_tree_rollup *tiers; /* depth of them */
    tx_tree_rollup total;
} tx_tree;

/* Walks and rolls up: a node at tier < depth whose assessment verified adds its listed
 * sub-suppliers as the next tier; a listing (at any tier, the last included) of a node already
 * in the tree adds a parent and flags it: loop when the node is the lister or one of its
 * ancestors, else reached twice. A sub-supplier listed without a key is always a new node.
 * Caller owns *out (tx_tree_free); it borrows from `in`, which must
 * outlive it. TX_ERR_NOMEM. */
int tx_tree_build(const tx_tree_input *in, tx_tree *out);

/* Share of `part` in `whole` as a percentage rounded to one decimal; -1 when whole is 0. */
double tx_tree_share(size_t part, size_t whole);

/* "answered", "not_answered", "not_shared". */
const char *tx_tree_answer_name(int state);

void tx_tree_free(tx_tree *t);

/* The tier-1 suppliers of this organisation's own requests in the cache (not forwarded ones),
 * de-duplicated in request order, and the largest depth they ask for (1 when none).
 * Caller frees *roots. */
int tx_tree_roots(tx_home *home, uint8_t (**roots)[TX_KEY_LEN], size_t *n, unsigned *depth);

#endif

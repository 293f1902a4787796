/* The client's check of the hub's log: the checkpoint kept in the home, each new one judged
 * against it (with its witness quorum and the kept receipts), and the records the client relies
 * on proven included. */
#include "tx_log_check.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_log.h"
#include "tx_log_proof.h"
#include "tx_merkle.h"
#include "tx_msg.h"
#include "tx_note.h"
#include "tx_pool.h"
#include "tx_receipts.h"
#include "tx_util.h"
#include "tx_witness.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define WINDOW 256                 /* proof calls in flight at once */
#define LEAF_PAGE 8192             /* leaf hashes per answer: the hub's most */
#define CHECKPOINT_MAX TX_NOTE_MAX /* bytes of a kept checkpoint file */

/* Holds the home's lock (the one the sequence counter uses) while the kept checkpoint is
 * compared and replaced, so two commands cannot keep an older one over a newer one. */
static int
lock_home(tx_home *home, int *fd)
{
    char path[PATH_MAX];

    if (tx_path_join(path, sizeof path, tx_home_dir(home), "lock") != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "home directory path too long");
    }
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (*fd < 0) {
        return tx_fail(TX_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    }
    while (flock(*fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            close(*fd);
            *fd = -1;
            return tx_fail(TX_ERR_IO, "cannot lock %s: %s", path, strerror(errno));
        }
    }
    return TX_OK;
}

static int
kept_path(tx_home *home, char *out, size_t n)
{
    if (tx_path_join(out, n, tx_home_dir(home), "checkpoint") != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "home directory path too long");
    }
    return TX_OK;
}

/* The kept checkpoint; TX_ERR_NOT_FOUND when none. */
static int
load_kept(tx_home *home, const uint8_t hub_sign[32], tx_checkpoint *out)
{
    char path[PATH_MAX];
    uint8_t *buf = NULL;
    size_t len;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = kept_path(home, path, sizeof path)) != TX_OK) {
        return rc;
    }
    rc = tx_file_read(path, CHECKPOINT_MAX, &buf, &len);
    if (rc == TX_ERR_NOT_FOUND) {
        return rc;
    }
    if (rc != TX_OK) {
        return tx_fail(rc, "cannot read %s: %s", path, tx_strerror(rc));
    }
    rc = tx_checkpoint_open(buf, len, hub_sign, out);
    free(buf);
    if (rc == TX_ERR_WRONG_KEY) {
        return tx_fail(rc,
                       "%s was signed by another hub than the pinned one (%s); if this home "
                       "moved to another hub on purpose, remove that file",
                       path, tx_fail_msg());
    }
    if (rc != TX_OK) {
        return tx_fail(rc,
                       "%s is damaged (%s); remove it to start over from the hub's next "
                       "checkpoint",
                       path, tx_fail_msg());
    }
    return TX_OK;
}

/* Judges `next` against the kept checkpoint (getting the consistency proof it needs) and keeps
 * it when it passes; the caller holds the home lock. */
static int
accept_locked(tx_client *c, tx_conn *conn, const uint8_t hub_sign[32], tx_checkpoint *next,
              int check_receipts, int keep)
{
    uint8_t path[TX_MERKLE_MAX_PATH][32];
    char file[PATH_MAX], where[PATH_MAX + 80], receipts[PATH_MAX + 80];
    tx_checkpoint kept = {0};
    size_t n = 0;
    int rc = load_kept(tx_client_home(c), hub_sign, &kept);

    if (rc == TX_ERR_NOT_FOUND) {
        tx_fail_clear();
        rc = TX_OK;
        goto receipts; /* the first checkpoint this home sees is taken on trust */
    }
    if (rc != TX_OK) {
        return rc;
    }
    if (next->size > kept.size && kept.size > 0 &&
        (rc = tx_log_consistency_path(conn, kept.size, next->size, path, &n)) != TX_OK) {
        rc = tx_client_conn_fail(c, rc);
        goto out;
    }
    if ((rc = tx_checkpoint_judge(&kept, next, (const uint8_t(*)[32])path, n)) != TX_OK) {
        char msg[1024];

        snprintf(msg, sizeof msg, "%s", tx_fail_msg());
        tx_checkpoint_save_evidence(tx_client_home(c), "", &kept, next, where, sizeof where);
        /* The receipts of this home's own records are evidence of what the hub acknowledged. */
        tx_receipts_evidence(tx_client_home(c), receipts, sizeof receipts);
        if (receipts[0]) {
            rc = tx_fail(rc,
                         "%s; both signed checkpoints saved as %s, this home's receipts as %s; "
                         "the newer one is not accepted: do not rely on this hub's answers",
                         msg, where[0] ? where : _("(could not be saved)"), receipts);
        } else {
            rc = tx_fail(rc,
                         "%s; both signed checkpoints saved as %s; the newer one is not "
                         "accepted: do not rely on this hub's answers",
                         msg, where[0] ? where : _("(could not be saved)"));
        }
        goto out;
    }
receipts:
    /* Nor is a log accepted that lacks a record the hub acknowledged to this home. */
    if (check_receipts && (rc = tx_receipts_check(c, conn, next)) != TX_OK) {
        goto out;
    }
    if (!keep || (kept.len > 0 && next->size == kept.size && next->time == kept.time)) {
        goto out; /* nothing new to keep, or not witnessed enough to be kept */
    }
    if ((rc = kept_path(tx_client_home(c), file, sizeof file)) == TX_OK &&
        (rc = tx_file_replace(file, next->env, next->len, 0644)) != TX_OK) {
        rc = tx_fail(rc, "cannot write %s: %s", file, tx_strerror(rc));
    }
out:
    tx_checkpoint_clear(&kept);
    return rc;
}

int
tx_log_check_accept(tx_client *c, tx_checkpoint *next)
{
    const tx_pubkey *hub;
    tx_witness_policy policy;
    tx_conn *conn;
    int fd = -1;
    int rc, keep = 1;

    if ((rc = tx_client_hub_key(c, &hub)) != TX_OK || (rc = tx_client_conn(c, &conn)) != TX_OK) {
        return rc;
    }
    /* With a quorum, only a witnessed checkpoint is kept: a later witnessed one, possibly
     * older than this one, must still be accepted against it. */
    if ((rc = tx_witness_policy_load(tx_home_dir(tx_client_home(c)), &policy)) == TX_OK) {
        rc = tx_witness_check(&policy, next, NULL);
    }
    tx_witness_policy_free(&policy);
    if (rc == TX_ERR_REFUSED) {
        keep = 0;
        tx_fail_clear();
    } else if (rc != TX_OK) {
        return rc;
    }
    if ((rc = lock_home(tx_client_home(c), &fd)) == TX_OK) {
        rc = accept_locked(c, conn, hub->sign, next, 0, keep);
        close(fd);
    }
    return rc;
}

/* The latest checkpoint `latest` lacks the quorum of `policy` (the message of why is set; so the
 * quorum is above 0): replaces it by the newest checkpoint that has it, its hub_size the
 * latest's size. TX_ERR_REFUSED with that message when the hub has none. */
static int
witnessed_instead(tx_client *c, tx_conn *conn, const uint8_t hub_sign[32],
                  const tx_witness_policy *policy, tx_checkpoint *latest)
{
    tx_checkpoint w = {0};
    char why[1024];
    int rc;

    snprintf(why, sizeof why, "%s", tx_fail_msg());
    if (policy->n == 0 || policy->quorum > policy->n) {
        return tx_fail(TX_ERR_REFUSED, "%s", why);
    }
    rc = tx_log_witnessed(conn, hub_sign, policy->keys, policy->n, policy->quorum, &w);
    if (rc == TX_ERR_UNREACHABLE || rc == TX_ERR_NOT_ENROLLED || rc == TX_ERR_NET) {
        return tx_client_conn_fail(c, rc);
    }
    /* Every cosignature is checked here; one larger than the hub's latest is not its log. */
    if (rc != TX_OK || w.size > latest->size) {
        tx_checkpoint_clear(&w);
        return tx_fail(TX_ERR_REFUSED, "%s", why);
    }
    /* Its own judgement (e.g. cosigned too long ago: the hub may be showing a fork that no
     * witness will cosign) says more than the latest's. */
    if (tx_witness_check(policy, &w, NULL) != TX_OK) {
        snprintf(why, sizeof why, "%s", tx_fail_msg());
        tx_checkpoint_clear(&w);
        return tx_fail(TX_ERR_REFUSED, "%s", why);
    }
    w.hub_size = latest->size;
    tx_checkpoint_clear(latest);
    *latest = w;
    return TX_OK;
}

void
tx_log_check_warn_left_out(uint64_t n, uint64_t size)
{
    if (n > 0) {
        tx_warn("%" PRIu64 " record%s newer than the last witnessed checkpoint (size %" PRIu64
                ") %s left out until the witnesses cosign a newer one",
                n, n == 1 ? "" : "s", size, n == 1 ? "is" : "are");
    }
}

int
tx_log_check_kept(tx_client *c, tx_checkpoint *out)
{
    const tx_pubkey *hub;
    int rc = tx_client_hub_key(c, &hub);

    memset(out, 0, sizeof *out);
    if (rc == TX_OK && (rc = load_kept(tx_client_home(c), hub->sign, out)) == TX_ERR_NOT_FOUND) {
        tx_fail_clear();
    }
    return rc;
}

int
tx_log_check_sync(tx_client *c, tx_checkpoint *out)
{
    const tx_pubkey *hub;
    tx_witness_policy policy;
    tx_checkpoint next = {0};
    tx_conn *conn;
    int fd = -1;
    int rc, witnessed = 0;

    if (out != NULL) {
        memset(out, 0, sizeof *out);
    }
    if ((rc = tx_client_hub_key(c, &hub)) != TX_OK || (rc = tx_client_conn(c, &conn)) != TX_OK) {
        return rc;
    }
    rc = tx_log_checkpoint(conn, hub->sign, &next);
    if (rc == TX_ERR_UNREACHABLE || rc == TX_ERR_NOT_ENROLLED || rc == TX_ERR_NET) {
        return tx_client_conn_fail(c, rc);
    }
    if (rc != TX_OK) {
        return rc;
    }
    /* With a witness quorum set, only a checkpoint that many pinned witnesses cosigned: the
     * latest, or else the newest the hub has with the quorum (records past it wait). */
    if ((rc = tx_witness_policy_load(tx_home_dir(tx_client_home(c)), &policy)) == TX_OK) {
        rc = tx_witness_check(&policy, &next, NULL);
    }
    if (rc == TX_ERR_REFUSED) {
        rc = witnessed_instead(c, conn, hub->sign, &policy, &next);
        witnessed = 1;
    }
    tx_witness_policy_free(&policy);
    if (rc != TX_OK) {
        tx_checkpoint_clear(&next);
        return rc;
    }
    if ((rc = lock_home(tx_client_home(c), &fd)) == TX_OK) {
        rc = accept_locked(c, conn, hub->sign, &next, 1, 1);
        close(fd);
    }
    if (rc == TX_ERR_CHECKSUM && witnessed) {
        char msg[2048];

        snprintf(msg, sizeof msg, "%s", tx_fail_msg());
        rc = tx_fail(rc,
                     "the hub's latest checkpoint lacks the witness quorum, and the newest one "
                     "it has with the quorum fails the check: %s",
                     msg);
    }
    if (rc == TX_OK && out != NULL) {
        *out = next;
        memset(&next, 0, sizeof next);
    }
    tx_checkpoint_clear(&next);
    return rc;
}

/* ---- records ---- */

/* Room for `need` records: the capacity doubles from 64. */
static int
set_grow(tx_log_check_set *set, size_t need)
{
    size_t cap = set->cap ? set->cap : 64;
    void *a;

    if (need <= set->cap) {
        return TX_OK;
    }
    while (cap < need) {
        cap *= 2;
    }
    if ((a = realloc(set->index, cap * sizeof *set->index)) == NULL) {
        return TX_ERR_NOMEM;
    }
    set->index = a;
    if ((a = realloc(set->leaf, cap * sizeof *set->leaf)) == NULL) {
        return TX_ERR_NOMEM;
    }
    set->leaf = a;
    if ((a = realloc(set->id, cap * sizeof *set->id)) == NULL) {
        return TX_ERR_NOMEM;
    }
    set->id = a;
    set->cap = cap;
    return TX_OK;
}

int
tx_log_check_add(tx_log_check_set *set, uint64_t index, const uint8_t *env, size_t len)
{
    if (index == 0) {
        return TX_OK;
    }
    if (set_grow(set, set->n + 1) != TX_OK) {
        return TX_ERR_NOMEM;
    }
    set->index[set->n] = index;
    tx_record_id(env, len, set->id[set->n]);
    tx_merkle_leaf_hash(env, len, set->leaf[set->n]);
    set->n++;
    return TX_OK;
}

typedef struct {
    tx_log_check_set *set;
    size_t from;
    const tx_rec **recs;
} leaf_job;

static void
leaf_one(void *ctx, size_t i)
{
    leaf_job *j = ctx;
    const tx_rec *r = j->recs[i];

    tx_merkle_leaf_hash(r->bytes, r->len, j->set->leaf[j->from + i]);
}

int
tx_log_check_add_recs(tx_log_check_set *set, const tx_recs *recs)
{
    const tx_rec **take = malloc((recs->n ? recs->n : 1) * sizeof *take);
    size_t n = 0, from = set->n;

    if (take == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < recs->n; i++) {
        if (recs->v[i].index != 0) {
            take[n++] = &recs->v[i];
        }
    }
    if (set_grow(set, set->n + n) != TX_OK) {
        free(take);
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        set->index[from + i] = take[i]->index;
        memcpy(set->id[from + i], take[i]->id, TX_ID_LEN);
    }
    {
        leaf_job j = {set, from, take};
        tx_pool_for(n, leaf_one, &j);
    }
    set->n += n;
    free(take);
    return TX_OK;
}

void
tx_log_check_set_free(tx_log_check_set *set)
{
    free(set->index);
    free(set->leaf);
    free(set->id);
    memset(set, 0, sizeof *set);
}

/* Names the record a failed proof was about. */
static int
record_failed(int rc, const tx_log_check_set *set, size_t i)
{
    char hex[2 * TX_ID_LEN + 1], msg[768];

    snprintf(msg, sizeof msg, "%s", tx_fail_msg());
    tx_hex(hex, set->id[i], TX_ID_LEN);
    return tx_fail(rc, "record %.12s: %s", hex, msg);
}

static const tx_log_check_set *sort_set; /* for by_index: qsort takes no context */

static int
by_index(const void *a, const void *b)
{
    uint64_t x = sort_set->index[*(const size_t *)a], y = sort_set->index[*(const size_t *)b];

    return x < y ? -1 : x > y;
}

/* The inclusion proofs of the records of a set, in the order given, against checkpoint cp. */
typedef struct {
    const tx_log_check_set *set;
    const size_t *order;
    const tx_checkpoint *cp;
} proving;

static int
send_proof(void *ctx, tx_conn *conn, size_t i, uint64_t *id)
{
    const proving *p = ctx;

    return tx_log_send_inclusion(conn, p->set->index[p->order[i]], p->cp->size, id);
}

static int
take_proof(void *ctx, size_t i, const tx_reply_pb *r)
{
    const proving *p = ctx;
    size_t k = p->order[i];
    int rc =
        tx_log_verify_inclusion(r, p->set->index[k], p->cp->size, p->set->leaf[k], p->cp->root);

    return rc == TX_OK ? TX_OK : record_failed(rc, p->set, k);
}

/* The leaf hashes of a tree of `size`, asked for a page at a time. */
typedef struct {
    uint64_t size;
    uint8_t (*all)[32];
} leaf_pages;

static int
send_leaves(void *ctx, tx_conn *conn, size_t i, uint64_t *id)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_leaf_hashes_pb q = TICSX__V1__LEAF_HASHES__INIT;

    (void)ctx;
    q.after = (uint64_t)i * LEAF_PAGE;
    call.body_case = TICSX__V1__CALL__BODY_LEAVES;
    call.leaves = &q;
    return tx_conn_send(conn, &call, id);
}

static int
take_leaves(void *ctx, size_t i, const tx_reply_pb *r)
{
    const leaf_pages *lp = ctx;
    uint64_t first = (uint64_t)i * LEAF_PAGE;
    uint64_t want = lp->size - first < LEAF_PAGE ? lp->size - first : LEAF_PAGE;

    if (r->status != TX_STATUS_OK) {
        return tx_conn_refused(r, "%s", _("to give its leaf hashes"));
    }
    if (r->n_leaves < want) {
        return tx_fail(TX_ERR_CHECKSUM,
                       "the hub gave %zu leaf hashes after index %" PRIu64
                       " where its signed log holds %" PRIu64,
                       r->n_leaves, first, want);
    }
    for (uint64_t k = 0; k < want; k++) {
        if (r->leaves[k].len != 32) {
            return tx_fail(TX_ERR_MALFORMED, "the hub gave a leaf hash of %zu bytes",
                           r->leaves[k].len);
        }
        memcpy(lp->all[first + k], r->leaves[k].data, 32);
    }
    return TX_OK;
}

int
tx_log_check_leaves(tx_client *c, uint64_t size, uint8_t (**leaves)[32])
{
    leaf_pages lp = {size, NULL};
    int rc;

    *leaves = NULL;
    if (size > SIZE_MAX / sizeof *lp.all ||
        (lp.all = malloc((size ? size : 1) * sizeof *lp.all)) == NULL) {
        return TX_ERR_NOMEM;
    }
    rc = tx_client_pipeline(c, (size + LEAF_PAGE - 1) / LEAF_PAGE, 64, send_leaves, take_leaves,
                            &lp);
    if (rc != TX_OK) {
        free(lp.all);
        return rc;
    }
    *leaves = lp.all;
    return TX_OK;
}

/* Proves the records order[0..n) of the set at once, when that takes fewer hashes than a proof
 * each: every leaf hash of the checkpoint's tree fetched, the root rebuilt from them and equal to
 * the signed one, and each record's leaf the one at its index. 1 when all are proven so; 0 when
 * not worth it or anything differs or fails (the proofs one by one then decide, naming the
 * record). */
static int
proven_by_leaves(tx_client *c, const tx_log_check_set *set, const size_t *order, size_t n,
                 const tx_checkpoint *cp)
{
    uint8_t(*leaves)[32] = NULL;
    uint8_t root[32];
    uint64_t depth = 1;
    int ok;

    while (depth < 64 && ((uint64_t)1 << depth) < cp->size) {
        depth++;
    }
    if (n == 0 || cp->size / depth > n || tx_log_check_leaves(c, cp->size, &leaves) != TX_OK) {
        tx_fail_clear();
        return 0;
    }
    ok = tx_merkle_root(tx_merkle_node_from_leaves, leaves, cp->size, root) == TX_OK &&
         sodium_memcmp(root, cp->root, 32) == 0;
    for (size_t i = 0; i < n && ok; i++) {
        uint64_t index = set->index[order[i]];

        ok = index >= 1 && index <= cp->size &&
             sodium_memcmp(leaves[index - 1], set->leaf[order[i]], 32) == 0;
    }
    free(leaves);
    return ok;
}

int
tx_log_check_records(tx_client *c, const tx_log_check_set *set, tx_checkpoint *out,
                     uint64_t *left_out)
{
    uint64_t last_out = 0;
    tx_checkpoint cp = {0};
    size_t *order = NULL, n = 0;
    int rc;

    if (left_out != NULL) {
        *left_out = 0;
    }
    if ((rc = tx_log_check_sync(c, &cp)) != TX_OK) {
        return rc;
    }
    /* One proof per log index; two records at one index are the hub contradicting itself. */
    if ((order = malloc((set->n ? set->n : 1) * sizeof *order)) == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < set->n; i++) {
        order[i] = i;
    }
    sort_set = set;
    qsort(order, set->n, sizeof *order, by_index);
    for (size_t i = 0; i < set->n; i++) {
        size_t k = order[i];
        if (set->index[k] > cp.size && set->index[k] <= cp.hub_size) {
            /* Not witnessed yet: left out, not proven (the caller stores none of these). */
            if (left_out != NULL && set->index[k] != last_out) {
                ++*left_out;
            }
            last_out = set->index[k];
            continue;
        }
        if (set->index[k] > cp.size) {
            rc = tx_fail(TX_ERR_CHECKSUM,
                         "the hub showed a record at log index %" PRIu64
                         " past its signed log of %" PRIu64 " records",
                         set->index[k], cp.size);
            rc = record_failed(rc, set, k);
            goto out;
        }
        if (n > 0 && set->index[order[n - 1]] == set->index[k]) {
            if (memcmp(set->leaf[order[n - 1]], set->leaf[k], 32) != 0) {
                rc = tx_fail(TX_ERR_CHECKSUM,
                             "the hub showed two different records at log index %" PRIu64,
                             set->index[k]);
                rc = record_failed(rc, set, k);
                goto out;
            }
            continue;
        }
        order[n++] = k;
    }
    if (!proven_by_leaves(c, set, order, n, &cp)) {
        proving p = {set, order, &cp};
        rc = tx_client_pipeline(c, n, WINDOW, send_proof, take_proof, &p);
    }
out:
    free(order);
    if (rc == TX_OK && out != NULL) {
        *out = cp;
        memset(&cp, 0, sizeof cp);
    }
    tx_checkpoint_clear(&cp);
    return rc;
}

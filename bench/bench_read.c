/* The read side: a buyer with a supply tree of N suppliers in 3 tiers (each tier-1 supplier
 * lists 9 tier-2 suppliers in its assessment, the tier-2 ones list the tier-3 ones), every
 * supplier with one sealed assessment granted to the buyer. Everything is signed and stored
 * before the clock starts; then the buyer, through the client library, fetches (ticsx fetch),
 * decrypts and verifies (ticsx verify) and scores every assessment, and walks the tree. */
#include "bench.h"

#include "tx_client.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_fetch.h"
#include "tx_ingest.h"
#include "tx_pool.h"
#include "tx_report.h"
#include "tx_score.h"
#include "tx_seal.h"
#include "tx_store.h"
#include "tx_supply_tree.h"
#include "tx_ui_app.h"
#include "tx_ui_http.h"
#include "tx_util.h"
#include "tx_verify.h"
#include "tx_verify_ahead.h"
#include "tx_vpool.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOAD_BATCH 1000   /* records per write transaction while loading */
#define TIER2_PER_TIER1 9 /* tier-2 suppliers listed by each tier-1 supplier */
#define READ_MAP_MIB 4096
#define READ_TIMEOUT_MS 120000

typedef struct {
    tx_identity *id;
    char name[48];
    int tier; /* 1..3 */
    size_t first_child, n_children;
    uint8_t *profile, *sealed, *grant;
    size_t profile_len, sealed_len, grant_len;
} node;

typedef struct {
    node *nodes;
    size_t n, t1, t2, t3;
    tx_identity *buyer;
    tx_questionnaire_pb *q;
    uint8_t qid[TX_ID_LEN];
    uint8_t *qenv, *buyer_profile;
    size_t qlen, buyer_profile_len;
    uint64_t bytes;
} tree;

/* Tier sizes and who lists whom: nodes [0,t1) are tier 1, [t1,t1+t2) tier 2, the rest tier 3;
 * tier-2 node j lists the tier-3 nodes k with k % t2 == j, laid out contiguously. */
static void
shape(tree *t, size_t n)
{
    t->n = n;
    t->t1 = n / 100 > 0 ? n / 100 : 1;
    t->t2 = TIER2_PER_TIER1 * t->t1 < n - t->t1 ? TIER2_PER_TIER1 * t->t1 : n - t->t1;
    t->t3 = n - t->t1 - t->t2;
    for (size_t i = 0; i < n; i++) {
        node *d = &t->nodes[i];

        d->tier = i < t->t1 ? 1 : i < t->t1 + t->t2 ? 2 : 3;
        snprintf(d->name, sizeof d->name, "Tier-%d Supplier %zu", d->tier, i + 1);
        if (d->tier == 1) {
            d->first_child = t->t1 + i * TIER2_PER_TIER1;
            d->n_children = d->first_child < t->t1 + t->t2
                                ? (t->t1 + t->t2 - d->first_child < TIER2_PER_TIER1
                                       ? t->t1 + t->t2 - d->first_child
                                       : TIER2_PER_TIER1)
                                : 0;
        } else if (d->tier == 2) {
            size_t j = i - t->t1, per = t->t3 / t->t2, extra = t->t3 % t->t2;

            d->first_child = t->t1 + t->t2 + j * per + (j < extra ? j : extra);
            d->n_children = per + (j < extra);
        }
    }
}

typedef struct {
    tree *t;
    size_t from, to;
    int phase; /* 0: identities, 1: records */
    int rc;
} gen_job;

static void *
gen_thread(void *arg)
{
    gen_job *j = arg;
    tree *t = j->t;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    tx_bench_sub *subs = NULL;

    j->rc = key == NULL ? TX_ERR_NOMEM : TX_OK;
    for (size_t i = j->from; i < j->to && j->rc == TX_OK && !tx_bench_stop; i++) {
        node *d = &t->nodes[i];
        uint8_t aid[TX_ID_LEN];

        if (j->phase == 0) {
            j->rc = tx_identity_generate(d->name, &d->id);
            continue;
        }
        free(subs);
        subs = calloc(d->n_children ? d->n_children : 1, sizeof *subs);
        if (subs == NULL) {
            j->rc = TX_ERR_NOMEM;
            break;
        }
        for (size_t c = 0; c < d->n_children; c++) {
            subs[c].key = t->nodes[d->first_child + c].id->pub.sign;
            subs[c].name = t->nodes[d->first_child + c].name;
        }
        if ((j->rc = tx_bench_profile(d->id, 1, &d->profile, &d->profile_len)) != TX_OK ||
            (j->rc = tx_bench_sealed(d->id, 2, t->q, t->qid, i, subs, d->n_children, key,
                                     &d->sealed, &d->sealed_len)) != TX_OK) {
            break;
        }
        tx_record_id(d->sealed, d->sealed_len, aid);
        j->rc = tx_bench_grant(d->id, 3, aid, &t->buyer->pub, key, &d->grant, &d->grant_len);
    }
    if (tx_bench_stop && j->rc == TX_OK) {
        j->rc = TX_ERR_INTERNAL;
    }
    free(subs);
    sodium_free(key);
    return NULL;
}

/* Runs a generation phase over the nodes on `threads` threads. */
static int
generate(tree *t, int phase, unsigned threads)
{
    pthread_t *tid = calloc(threads, sizeof *tid);
    gen_job *jobs = calloc(threads, sizeof *jobs);
    int rc = TX_OK;

    if (tid == NULL || jobs == NULL) {
        free(tid);
        free(jobs);
        return TX_ERR_NOMEM;
    }
    for (unsigned i = 0; i < threads; i++) {
        jobs[i] = (gen_job){t, t->n * i / threads, t->n * (i + 1) / threads, phase, TX_OK};
        if (pthread_create(&tid[i], NULL, gen_thread, &jobs[i]) != 0) {
            gen_thread(&jobs[i]);
            tid[i] = 0;
        }
    }
    for (unsigned i = 0; i < threads; i++) {
        if (tid[i] != 0) {
            pthread_join(tid[i], NULL);
        }
        rc = jobs[i].rc != TX_OK ? jobs[i].rc : rc;
    }
    free(tid);
    free(jobs);
    return rc;
}

/* ---- loading the hub's store (untimed; the hub's own rules) ---- */

typedef struct {
    const tx_identity *caller;
    const uint8_t *env;
    size_t len;
    tx_submission *sub;
    tx_outcome out;
    int rc;
} load_item;

static void
prepare_item(void *arg)
{
    load_item *it = arg;

    it->rc = tx_ingest_prepare(it->caller->pub.sign, it->env, it->len, &it->sub, &it->out);
}

/* Verifies items on the pool, applies them in order, one write transaction. */
static int
apply_items(tx_store *st, tx_vpool *pool, load_item *items, size_t n)
{
    tx_batch *b = NULL;
    int rc = TX_OK;

    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        rc = tx_vpool_submit(pool, prepare_item, &items[i]);
    }
    tx_vpool_wait(pool);
    if (rc == TX_OK) {
        rc = tx_store_begin(st, &b);
    }
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        rc = items[i].rc;
        if (rc == TX_OK && (rc = tx_ingest_apply(b, items[i].sub, &items[i].out)) == TX_OK &&
            items[i].out.status != TICSX__V1__STATUS__OK) {
            rc = TX_ERR_REFUSED;
        }
        if (rc != TX_OK) {
            fprintf(stderr, "ticsx-bench: loading the tree: %s\n", items[i].out.message);
        }
    }
    if (rc == TX_OK) {
        rc = tx_batch_commit(&b);
    }
    tx_batch_abort(&b);
    for (size_t i = 0; i < n; i++) {
        tx_submission_destroy(&items[i].sub);
    }
    return rc;
}

static int
load_store(const char *dir, tree *t, unsigned threads)
{
    tx_store *st = NULL;
    tx_batch *b = NULL;
    tx_vpool *pool = NULL;
    load_item *items = calloc(LOAD_BATCH, sizeof *items);
    tx_receipt rcpt;
    size_t n = 0;
    int rc = items == NULL ? TX_ERR_NOMEM : TX_OK;

    if (rc == TX_OK) {
        rc = tx_store_open(dir, (size_t)READ_MAP_MIB << 20, &st);
    }
    if (rc == TX_OK) {
        rc = tx_vpool_create(threads, &pool);
    }
    /* Enrolment is the operator's act (ticsx-hub enroll); the profiles are ours, signed above. */
    for (size_t i = 0; i <= t->n && rc == TX_OK; i++) {
        const tx_identity *id = i < t->n ? t->nodes[i].id : t->buyer;
        const uint8_t *env = i < t->n ? t->nodes[i].profile : t->buyer_profile;
        size_t len = i < t->n ? t->nodes[i].profile_len : t->buyer_profile_len;

        if (b == NULL && (rc = tx_store_begin(st, &b)) != TX_OK) {
            break;
        }
        rc = tx_batch_enroll(b, env, len, id->pub.sign, 1, id->pub.curve, &rcpt);
        t->bytes += len;
        if (rc == TX_OK && (i % LOAD_BATCH == LOAD_BATCH - 1 || i == t->n)) {
            rc = tx_batch_commit(&b);
        }
    }
    tx_batch_abort(&b);
    if (rc == TX_OK) {
        items[0] = (load_item){t->buyer, t->qenv, t->qlen, NULL, {0}, 0};
        rc = apply_items(st, pool, items, 1);
        t->bytes += t->qlen;
    }
    /* Each batch keeps a sealed assessment before its grant. */
    for (size_t i = 0; i < t->n && rc == TX_OK; i++) {
        node *d = &t->nodes[i];

        items[n++] = (load_item){d->id, d->sealed, d->sealed_len, NULL, {0}, 0};
        items[n++] = (load_item){d->id, d->grant, d->grant_len, NULL, {0}, 0};
        t->bytes += d->sealed_len + d->grant_len;
        if (n + 2 > LOAD_BATCH || i + 1 == t->n) {
            rc = apply_items(st, pool, items, n);
            n = 0;
        }
    }
    tx_vpool_destroy(&pool);
    tx_store_close(&st);
    free(items);
    return rc;
}

/* ---- the buyer's view ---- */

/* What the buyer's tree walk takes in: per verdict its score and the sub-suppliers listed in
 * its decrypted assessment. */
typedef struct {
    tx_tree_known *known;
    tx_tree_sub *subs;
    tx_score *scores;
    int *scored;
    size_t n;
    uint8_t (*roots)[TX_KEY_LEN];
} view;

static void
view_free(view *w)
{
    for (size_t i = 0; i < w->n && w->scored != NULL; i++) {
        if (w->scored[i]) {
            tx_score_free(&w->scores[i]);
        }
    }
    free(w->known);
    free(w->subs);
    free(w->scores);
    free(w->scored);
    free(w->roots);
    memset(w, 0, sizeof *w);
}

typedef struct {
    const tx_verdicts *vs;
    view *w;
} score_job;

static void
score_one(void *ctx, size_t i)
{
    score_job *j = ctx;
    const tx_verdict *v = &j->vs->v[i];

    if (v->status == TX_VERIFIED && v->inner != NULL && v->q != NULL &&
        tx_score_compute(v->q, v->inner->answers, v->inner->n_answers, &j->w->scores[i]) == TX_OK) {
        j->w->scored[i] = 1;
    }
}

/* Scores every verified assessment (tx_score_compute) and walks and rolls up the supply tree
 * (tx_tree_build) from the tier-1 suppliers, as the buyer's report does. */
static int
aggregate(const tree *t, const tx_verdicts *vs, view *w, tx_tree *out)
{
    tx_tree_input in = {0};
    size_t n_subs = 0, at = 0;

    memset(w, 0, sizeof *w);
    for (size_t i = 0; i < vs->n; i++) {
        n_subs += vs->v[i].inner != NULL ? vs->v[i].inner->n_suppliers : 0;
    }
    w->n = vs->n;
    w->known = calloc(vs->n ? vs->n : 1, sizeof *w->known);
    w->subs = calloc(n_subs ? n_subs : 1, sizeof *w->subs);
    w->scores = calloc(vs->n ? vs->n : 1, sizeof *w->scores);
    w->scored = calloc(vs->n ? vs->n : 1, sizeof *w->scored);
    w->roots = calloc(t->t1, TX_KEY_LEN);
    if (w->known == NULL || w->subs == NULL || w->scores == NULL || w->scored == NULL ||
        w->roots == NULL) {
        return TX_ERR_NOMEM;
    }
    /* Scores are independent: on every core, as the report scores its rows. */
    {
        score_job j = {vs, w};
        tx_pool_for(vs->n, score_one, &j);
    }
    for (size_t i = 0; i < vs->n; i++) {
        const tx_verdict *v = &vs->v[i];
        tx_tree_known *k = &w->known[i];

        memcpy(k->key, v->supplier, TX_KEY_LEN);
        k->name = v->supplier_name;
        k->status = v->status;
        k->as_of = v->as_of;
        k->cert_status = v->cert_checked ? tx_verdict_cert_state(v)->status : TX_CERT_UNAVAILABLE;
        k->q = v->q;
        k->subs = &w->subs[at];
        if (v->status != TX_VERIFIED || v->inner == NULL || v->q == NULL) {
            continue;
        }
        if (w->scored[i]) {
            k->score = &w->scores[i];
        }
        for (size_t c = 0; c < v->inner->n_suppliers; c++) {
            const tx_sub_supplier_pb *sub = v->inner->suppliers[c];
            tx_tree_sub *o = &w->subs[at++];

            o->has_key = sub->key.len == TX_KEY_LEN;
            if (o->has_key) {
                memcpy(o->key, sub->key.data, TX_KEY_LEN);
            }
            o->name = sub->name != NULL ? sub->name : "";
            o->supplies = sub->supplies != NULL ? sub->supplies : "";
            k->n_subs++;
        }
    }
    /* The buyer's direct suppliers, as its request names them. */
    for (size_t i = 0; i < t->t1; i++) {
        memcpy(w->roots[i], t->nodes[i].id->pub.sign, TX_KEY_LEN);
    }
    in.roots = (const uint8_t(*)[TX_KEY_LEN])w->roots;
    in.n_roots = t->t1;
    in.known = w->known;
    in.n_known = w->n;
    in.depth = 3;
    in.current_days = TX_TREE_DEFAULT_CURRENT_DAYS;
    in.now = tx_now();
    return tx_tree_build(&in, out);
}

/* ---- the crypto floor of the read side ---- */

/* Per node, decoded before the clock: the three envelopes as received, and the grant's and the
 * sealed record's payloads (for the sealed key, nonce and ciphertext). */
typedef struct {
    tx_envelope_pb *env[3]; /* profile, grant, sealed */
    tx_grant_pb *grant;
    tx_sealed_pb *sealed;
} floor_node;

typedef struct {
    const tree *t;
    floor_node *fn;
    size_t from, to;
    int rc;
} floor_job;

/* This process's CPU time so far, all threads: user and kernel, and kernel alone. */
typedef struct {
    double all, sys;
} cpu_time;

static void
own_cpu(cpu_time *t)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    t->sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    t->all = t->sys + (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

/* Exactly what one node needs: 4 Ed25519 verifications (profile, grant, sealed record, inner
 * assessment), one crypto_box_seal_open of the content key and the XChaCha20-Poly1305
 * decryption (plus decoding the inner envelope, which its verification needs). */
static void *
floor_thread(void *arg)
{
    floor_job *j = arg;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);

    j->rc = key == NULL ? TX_ERR_NOMEM : TX_OK;
    for (size_t i = j->from; i < j->to && j->rc == TX_OK; i++) {
        const floor_node *f = &j->fn[i];
        tx_envelope_pb *inner = NULL;
        uint8_t *plain = NULL;
        size_t len = 0;

        for (int k = 0; k < 3 && j->rc == TX_OK; k++) {
            j->rc = tx_envelope_verify(f->env[k]);
        }
        if (j->rc == TX_OK) {
            j->rc = tx_open_key(j->t->buyer, f->grant->sealed_key.data, key);
        }
        if (j->rc == TX_OK) {
            j->rc = tx_open_content(f->sealed->ciphertext.data, f->sealed->ciphertext.len,
                                    f->sealed->questionnaire.data, key, f->sealed->nonce.data,
                                    &plain, &len);
        }
        if (j->rc == TX_OK && (j->rc = tx_decode_envelope(plain, len, &inner)) == TX_OK) {
            j->rc = tx_envelope_verify(inner);
        }
        tx_free(inner);
        free(plain);
    }
    sodium_free(key);
    return NULL;
}

/* Times the node primitives over every node on `threads` threads; *seconds receives the time. */
static int
crypto_floor(const tree *t, unsigned threads, double *seconds)
{
    floor_node *fn = calloc(t->n, sizeof *fn);
    pthread_t *tid = calloc(threads, sizeof *tid);
    floor_job *jobs = calloc(threads, sizeof *jobs);
    int64_t t0;
    int rc = fn == NULL || tid == NULL || jobs == NULL ? TX_ERR_NOMEM : TX_OK;

    for (size_t i = 0; i < t->n && rc == TX_OK; i++) {
        const node *d = &t->nodes[i];
        ProtobufCMessage *g = NULL, *s = NULL;

        if ((rc = tx_decode_envelope(d->profile, d->profile_len, &fn[i].env[0])) == TX_OK &&
            (rc = tx_decode_envelope(d->grant, d->grant_len, &fn[i].env[1])) == TX_OK &&
            (rc = tx_decode_envelope(d->sealed, d->sealed_len, &fn[i].env[2])) == TX_OK &&
            (rc = tx_decode_payload(fn[i].env[1], TX_KIND_GRANT, &g)) == TX_OK) {
            rc = tx_decode_payload(fn[i].env[2], TX_KIND_ASSESSMENT, &s);
        }
        fn[i].grant = (tx_grant_pb *)g;
        fn[i].sealed = (tx_sealed_pb *)s;
    }
    t0 = tx_bench_now_ns();
    for (unsigned k = 0; k < threads && rc == TX_OK; k++) {
        jobs[k] = (floor_job){t, fn, t->n * k / threads, t->n * (k + 1) / threads, TX_OK};
        if (pthread_create(&tid[k], NULL, floor_thread, &jobs[k]) != 0) {
            floor_thread(&jobs[k]);
            tid[k] = 0;
        }
    }
    for (unsigned k = 0; k < threads && rc == TX_OK; k++) {
        if (tid[k] != 0) {
            pthread_join(tid[k], NULL);
        }
    }
    *seconds = tx_bench_since_s(t0);
    for (unsigned k = 0; k < threads && rc == TX_OK; k++) {
        rc = jobs[k].rc != TX_OK ? jobs[k].rc : rc;
    }
    for (size_t i = 0; fn != NULL && i < t->n; i++) {
        for (int k = 0; k < 3; k++) {
            tx_free(fn[i].env[k]);
        }
        tx_free(fn[i].grant);
        tx_free(fn[i].sealed);
    }
    free(fn);
    free(tid);
    free(jobs);
    return rc;
}

static void
tree_free(tree *t)
{
    for (size_t i = 0; t->nodes != NULL && i < t->n; i++) {
        tx_identity_destroy(&t->nodes[i].id);
        free(t->nodes[i].profile);
        free(t->nodes[i].sealed);
        free(t->nodes[i].grant);
    }
    free(t->nodes);
    tx_identity_destroy(&t->buyer);
    tx_free(t->q);
    free(t->qenv);
    free(t->buyer_profile);
}

#define UI_REPEAT 5 /* calls of each page: the first is the figure, the median says how steady */

static double
cpu_now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* One API call through the dispatcher, as the server runs it, and the bytes it would send:
 * UI_REPEAT times; *first is the first call's wall time, *median the median, *cpu the first
 * call's CPU time (wall time on a loaded machine includes waiting for a core). */
static int
ui_call(tx_ui_app *app, const char *target, double *first, double *median, double *cpu,
        size_t *bytes)
{
    double wall[UI_REPEAT];
    int rc = TX_OK;

    for (int k = 0; k < UI_REPEAT && rc == TX_OK; k++) {
        int64_t t0 = tx_bench_now_ns();
        double c0 = cpu_now_s();
        tx_ui_resp rs;
        char *text = NULL;

        tx_ui_dispatch(app, "GET", target, NULL, 0, &rs);
        if (rs.json != NULL) {
            text = json_dumps(rs.json, JSON_COMPACT);
        }
        wall[k] = tx_bench_since_s(t0);
        if (k == 0) {
            *first = wall[0];
            *cpu = cpu_now_s() - c0;
            *bytes = text != NULL ? strlen(text) : 0;
        }
        if (rs.status != 0 && rs.status != 200) {
            fprintf(stderr, "ticsx-bench: GET %s answered %d: %s\n", target, rs.status,
                    text != NULL ? text : "");
            rc = TX_ERR_INTERNAL;
        }
        free(text);
        tx_ui_resp_clear(&rs);
    }
    qsort(wall, UI_REPEAT, sizeof *wall, by_double);
    *median = wall[UI_REPEAT / 2];
    return rc;
}

/* `report --json` of the tree (tier 1: the roots, 3 tiers), written by tx_report_write_tree as
 * `ticsx report --json > FILE` writes it, into a file of the buyer's home: its time
 * ("report_json_s": over "verify_s", the 1.5 x target's ratio, bench_targets.c) and its size
 * ("report_bytes", "report_mb"). */
static int
report_figures(tree *t, const view *w, const tx_verdicts *vs, const char *home, json_t *out,
               double *secs)
{
    tx_report_tree_opts topts = {(const uint8_t(*)[TX_KEY_LEN])w->roots, t->t1, NULL, 3, 0, 0, NULL,
                                 0};
    char path[PATH_MAX];
    struct stat st;
    int64_t t0;
    FILE *f;
    int rc;

    snprintf(path, sizeof path, "%s/report.json", home);
    t0 = tx_bench_now_ns();
    if ((f = fopen(path, "w")) == NULL) {
        fprintf(stderr, "ticsx-bench: cannot write %s\n", path);
        return TX_ERR_IO;
    }
    rc = tx_report_write_tree(f, vs, &topts, NULL, 1, 0);
    if (fclose(f) != 0 && rc == TX_OK) {
        rc = TX_ERR_IO;
    }
    *secs = tx_bench_since_s(t0);
    if (rc != TX_OK || stat(path, &st) != 0) {
        fprintf(stderr, "ticsx-bench: report --json failed: %s\n", tx_strerror(rc));
        unlink(path);
        return rc != TX_OK ? rc : TX_ERR_IO;
    }
    unlink(path);
    tx_bench_set(out, "report_json_s", *secs, "s", "report --json, streamed to a file");
    tx_bench_set(out, "report_bytes", (double)st.st_size, "B", "  its bytes");
    tx_bench_set(out, "report_mb", (double)st.st_size / 1e6, "MB", "  its size");
    return TX_OK;
}

/* The web UI (`ticsx ui`) on the same home: the buyer's own request naming the tier-1
 * suppliers and asking for 3 tiers goes into the cache (untimed, as `ticsx request` leaves
 * it), then the model is built as at the UI's start (verify, score, the report document, the
 * compact rows), then the dashboard's first page and the supply tree are asked for through the
 * dispatcher, each with its answer turned into the bytes the server sends. The base of the
 * ratios is `report --json` of the same verdicts, written as the CLI writes it (t_doc,
 * report_figures). */
static int
ui_figures(const tx_bench_cfg *cfg, tree *t, const view *w, double t_doc, const char *home,
           const char *endpoint, const char *hubkey, json_t *out)
{
    tx_client_opts opts = {home, endpoint, hubkey, READ_TIMEOUT_MS};
    tx_ui_app *app = NULL;
    uint8_t *env = NULL;
    size_t len = 0, dash_bytes = 0, tree_bytes = 0, sup_bytes = 0;
    double t_model = 0, t_dash = 0, t_tree = 0, t_sup = 0;
    double m_dash = 0, m_tree = 0, m_sup = 0, c_dash = 0, c_tree = 0, c_sup = 0;
    tx_bench_mem mem0, mem1;
    char target[128], hex[2 * TX_KEY_LEN + 1];
    int64_t t0;
    int rc;

    (void)cfg;
    if ((rc = tx_bench_request(t->buyer, 3, t->qid, (const uint8_t(*)[TX_KEY_LEN])w->roots, t->t1,
                               3, &env, &len)) != TX_OK ||
        (rc = tx_ui_app_open(&opts, &app)) != TX_OK ||
        (rc = tx_home_cache_put(tx_client_home(app->client), env, len, NULL)) != TX_OK) {
        fprintf(stderr, "ticsx-bench: the UI could not be set up: %s\n", tx_strerror(rc));
        free(env);
        tx_ui_app_close(&app);
        return rc;
    }
    free(env);
#ifdef __GLIBC__
    malloc_trim(0); /* as the model build ends with: both sides of its memory figure alike */
#endif
    tx_bench_memory(getpid(), &mem0);
    t0 = tx_bench_now_ns();
    pthread_mutex_lock(&app->lock);
    rc = tx_ui_model_build(app);
    pthread_mutex_unlock(&app->lock);
    t_model = tx_bench_since_s(t0);
    tx_bench_memory(getpid(), &mem1);
    if (rc == TX_OK) {
        rc = ui_call(app, "/api/dashboard?offset=0&limit=50", &t_dash, &m_dash, &c_dash,
                     &dash_bytes);
    }
    if (rc == TX_OK) {
        rc = ui_call(app, "/api/tree", &t_tree, &m_tree, &c_tree, &tree_bytes);
    }
    /* A supplier page (no target): it reads the supplier's history from the cache. */
    tx_hex(hex, w->roots[0], TX_KEY_LEN);
    snprintf(target, sizeof target, "/api/supplier/%s", hex);
    if (rc == TX_OK) {
        rc = ui_call(app, target, &t_sup, &m_sup, &c_sup, &sup_bytes);
    }
    tx_ui_app_close(&app);
    if (rc != TX_OK) {
        fprintf(stderr, "ticsx-bench: the UI figures failed: %s\n", tx_strerror(rc));
        return rc;
    }
    tx_bench_set(out, "report_doc_s", t_doc, "s", "report --json (UI ratios' base)");
    tx_bench_set(out, "ui_model_build_s", t_model, "s", "UI model build (verify, score, rows)");
    tx_bench_set(out, "ui_dashboard_s", t_dash, "s", "UI dashboard page of 50, as sent (first)");
    tx_bench_set(out, "ui_dashboard_cpu_s", c_dash, "s", "  its CPU time");
    tx_bench_set(out, "ui_dashboard_median_s", m_dash, "s", "  median of 5 calls");
    tx_bench_set(out, "ui_dashboard_bytes", (double)dash_bytes, "B", "  its bytes");
    tx_bench_set(out, "ui_tree_s", t_tree, "s", "UI supply tree, as sent (first)");
    tx_bench_set(out, "ui_tree_cpu_s", c_tree, "s", "  its CPU time");
    tx_bench_set(out, "ui_tree_median_s", m_tree, "s", "  median of 5 calls");
    tx_bench_set(out, "ui_tree_bytes", (double)tree_bytes, "B", "  its bytes");
    tx_bench_set(out, "ui_supplier_s", t_sup, "s", "UI supplier page (history from the cache)");
    tx_bench_set(out, "ui_supplier_cpu_s", c_sup, "s", "  its CPU time");
    tx_bench_set(out, "ui_supplier_median_s", m_sup, "s", "  median of 5 calls");
    if (mem0.anon_kib >= 0 && mem1.anon_kib >= 0) {
        tx_bench_set(out, "ui_model_anon_mib", (double)(mem1.anon_kib - mem0.anon_kib) / 1024,
                     "MiB", "  UI model in memory (Anonymous growth)");
    } else {
        tx_bench_unmeasured(out, "ui_model_anon_mib", "  UI model in memory (Anonymous growth)",
                            "%s", mem0.anon_kib < 0 ? mem0.why : mem1.why);
    }
    if (t_doc > 0) {
        tx_bench_set(out, "ui_model_over_report", t_model / t_doc, "",
                     "UI model build / report --json");
        tx_bench_set(out, "ui_dashboard_over_report", t_dash / t_doc, "",
                     "UI dashboard page / report --json");
        tx_bench_set(out, "ui_tree_over_report", t_tree / t_doc, "", "UI tree / report --json");
    }
    return TX_OK;
}

int
tx_bench_read(tx_bench_cfg *cfg, json_t *out, double *sig_rate)
{
    char hubdir[PATH_MAX], home[PATH_MAX], hubkey[PATH_MAX + 16];
    tree t;
    tx_bench_hub hub;
    tx_client *c = NULL;
    tx_fetched fe = {0};
    tx_verdicts vs = {0};
    tx_tree walked = {0};
    view w = {0};
    double t_report = 0;
    size_t reached = 0, verified = 0;
    double t_fetch = 0, t_verify = 0, t_score = 0, t_floor = 0, total;
    cpu_time cpu0, cpu1, cpu2;
    double hub_cpu0, hub_cpu1; /* the hub's, around the fetch: serving it on the same cores */
    unsigned long sigs0, sigs = 0, ahead0 = 0;
    int64_t t0;
    int rc;

    memset(&t, 0, sizeof t);
    memset(&hub, 0, sizeof hub);
    hubdir[0] = home[0] = 0;
    printf("read side: a buyer and %u suppliers in 3 tiers\n", cfg->suppliers);
    fflush(stdout);
    t.nodes = calloc(cfg->suppliers, sizeof *t.nodes);
    if (t.nodes == NULL) {
        return TX_ERR_NOMEM;
    }
    shape(&t, cfg->suppliers);
    t0 = tx_bench_now_ns();
    if ((rc = tx_identity_generate("Bench Buyer", &t.buyer)) != TX_OK ||
        (rc = tx_bench_profile(t.buyer, 1, &t.buyer_profile, &t.buyer_profile_len)) != TX_OK ||
        (rc = tx_bench_questionnaire(t.buyer, 2, &t.q, &t.qenv, &t.qlen, t.qid)) != TX_OK ||
        (rc = generate(&t, 0, cfg->threads)) != TX_OK ||
        (rc = generate(&t, 1, cfg->threads)) != TX_OK ||
        (rc = tx_bench_mkdtemp(cfg->work, "read-hub", hubdir, sizeof hubdir)) != TX_OK ||
        (rc = tx_bench_hub_init(cfg, hubdir)) != TX_OK ||
        (rc = load_store(hubdir, &t, cfg->threads)) != TX_OK ||
        (rc = tx_bench_hub_start(cfg, hubdir, READ_MAP_MIB, &hub)) != TX_OK ||
        (rc = tx_bench_mkdtemp(cfg->work, "buyer", home, sizeof home)) != TX_OK ||
        (rc = tx_identity_save(t.buyer, home, "identity")) != TX_OK) {
        fprintf(stderr, "ticsx-bench: building the tree failed: %s\n", tx_strerror(rc));
        goto out;
    }
    tx_bench_set(out, "setup_s", tx_bench_since_s(t0), "s", "setup (untimed: sign, store)");
    tx_bench_set(out, "suppliers", (double)t.n, "", "suppliers");
    tx_bench_set(out, "tier1", (double)t.t1, "", "  tier 1");
    tx_bench_set(out, "tier2", (double)t.t2, "", "  tier 2");
    tx_bench_set(out, "tier3", (double)t.t3, "", "  tier 3");
    snprintf(hubkey, sizeof hubkey, "%s/hub.pub", hubdir);
    {
        tx_client_opts opts = {home, hub.endpoint, hubkey, READ_TIMEOUT_MS};
        if ((rc = tx_client_open(&opts, &c)) != TX_OK) {
            fprintf(stderr, "ticsx-bench: the buyer's client does not open: %s\n", tx_strerror(rc));
            goto out;
        }
    }
    /* The clock: fetch everything granted, verify and decrypt it, score and walk the tree. */
    tx_verify_ahead_enable(1); /* fetch decrypts on a spare thread what verify takes next */
    sigs0 = tx_rec_verifications();
    ahead0 = tx_verify_ahead_taken();
    own_cpu(&cpu0);
    hub_cpu0 = tx_bench_cpu_seconds(hub.pid);
    t0 = tx_bench_now_ns();
    if ((rc = tx_fetch_all(c, &fe)) != TX_OK) {
        fprintf(stderr, "ticsx-bench: fetch failed: %s\n", tx_strerror(rc));
        goto out;
    }
    t_fetch = tx_bench_since_s(t0);
    own_cpu(&cpu1);
    hub_cpu1 = tx_bench_cpu_seconds(hub.pid);
    t0 = tx_bench_now_ns();
    if ((rc = tx_verify_all(tx_client_home(c), NULL, &vs)) != TX_OK) {
        fprintf(stderr, "ticsx-bench: verify failed: %s\n", tx_strerror(rc));
        goto out;
    }
    t_verify = tx_bench_since_s(t0);
    own_cpu(&cpu2);
    t0 = tx_bench_now_ns();
    if ((rc = aggregate(&t, &vs, &w, &walked)) != TX_OK) {
        fprintf(stderr, "ticsx-bench: the supply tree failed: %s\n", tx_strerror(rc));
        goto out;
    }
    t_score = tx_bench_since_s(t0);
    total = t_fetch + t_verify + t_score;
    sigs = tx_rec_verifications() - sigs0;
    reached = walked.total.nodes;
    verified = walked.total.verified;
    tx_bench_set(out, "fetched", (double)fe.n, "", "assessments fetched");
    tx_bench_set(out, "nodes", (double)reached, "", "tree nodes (tx_tree_build)");
    tx_bench_set(out, "verified", (double)verified, "", "  verified and decrypted");
    for (unsigned k = 0; k < walked.depth; k++) {
        char key[48], label[64];

        snprintf(key, sizeof key, "tier%u_nodes", k + 1);
        snprintf(label, sizeof label, "  tier %u nodes", k + 1);
        tx_bench_set(out, key, (double)walked.tiers[k].nodes, "", label);
    }
    tx_bench_set(out, "fetch_s", t_fetch, "s", "fetch (list, get, cache; decrypts ahead)");
    tx_bench_set(out, "fetch_cpu_s", cpu1.all - cpu0.all, "s", "  its CPU time, all threads");
    tx_bench_set(out, "fetch_sys_s", cpu1.sys - cpu0.sys, "s", "  of which in the kernel");
    if (hub_cpu0 >= 0 && hub_cpu1 >= 0) {
        tx_bench_set(out, "fetch_hub_cpu_s", hub_cpu1 - hub_cpu0, "s",
                     "  the hub's CPU time serving it");
    } else {
        tx_bench_unmeasured(out, "fetch_hub_cpu_s", "  the hub's CPU time serving it", "%s",
                            "the hub's /proc/PID/stat could not be read");
    }
    tx_bench_set(out, "verify_s", t_verify, "s", "verify (decrypted ahead in the fetch)");
    tx_bench_set(out, "verify_cpu_s", cpu2.all - cpu1.all, "s", "  its CPU time, all threads");
    tx_bench_set(out, "fetch_verify_s", t_fetch + t_verify, "s",
                 "fetch and verify, overlapped (wall)");
    tx_bench_set(out, "decrypted_ahead", (double)(tx_verify_ahead_taken() - ahead0), "",
                 "  assessments decrypted during the fetch");
    tx_bench_set(out, "score_s", t_score, "s", "score, walk and roll up the tree");
    tx_bench_set(out, "total_s", total, "s", "read side total");
    tx_bench_set(out, "nodes_per_s", total > 0 ? (double)reached / total : 0, "nodes/s",
                 "aggregation");
    /* Beside it: `report --json` of that tree, as the CLI writes it. */
    if ((rc = report_figures(&t, &w, &vs, home, out, &t_report)) != TX_OK ||
        (rc = ui_figures(cfg, &t, &w, t_report, home, hub.endpoint, hubkey, out)) != TX_OK) {
        goto out;
    }
    /* Each node needs 3 signature checks at least: grant, sealed record, inner assessment. */
    *sig_rate = total > 0 ? 3.0 * (double)reached / total : 0;
    tx_bench_set(out, "required_sig_per_s", *sig_rate, "sig/s",
                 "aggregation as signatures (3 per node)/s");
    tx_bench_set(out, "sig_checks_per_node", reached > 0 ? (double)sigs / (double)reached : 0, "",
                 "Ed25519 checks made per node (profile, grant, sealed, inner: 4 needed)");
    /* The floor: the same nodes' own crypto and nothing else, on all cores. */
    if ((rc = crypto_floor(&t, cfg->threads, &t_floor)) != TX_OK) {
        fprintf(stderr, "ticsx-bench: the crypto floor failed: %s\n", tx_strerror(rc));
        goto out;
    }
    tx_bench_set(out, "crypto_floor_s", t_floor, "s",
                 "crypto floor: 4 verify + seal_open + decrypt per node, all cores");
    tx_bench_set(out, "crypto_floor_nodes_per_s", t_floor > 0 ? (double)t.n / t_floor : 0,
                 "nodes/s", "  crypto floor rate");
    tx_bench_set(out, "read_over_crypto_floor", total > 0 ? t_floor / total : 0, "",
                 "read side / crypto floor, as rates (1 = at the floor)");
    if (reached != t.n || verified != t.n) {
        fprintf(stderr, "ticsx-bench: the buyer's tree has %zu of %zu nodes, %zu verified\n",
                reached, t.n, verified);
        rc = TX_ERR_INTERNAL;
    }
out:
    tx_tree_free(&walked);
    view_free(&w);
    tx_verdicts_free(&vs);
    tx_fetched_free(&fe);
    tx_client_destroy(&c);
    tx_bench_hub_stop(&hub);
    tree_free(&t);
    if (hubdir[0] != 0 && !cfg->keep) {
        char log[PATH_MAX + 8];
        tx_bench_rmtree(hubdir);
        snprintf(log, sizeof log, "%s.log", hubdir);
        unlink(log);
    }
    if (home[0] != 0 && !cfg->keep) {
        tx_bench_rmtree(home);
    }
    return rc;
}

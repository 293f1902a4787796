/* Damaged storage against the real ticsx-hub: a real data directory written by a running hub,
 * copied, and damaged at offsets found by walking the LMDB file (its page size, meta pages 0
 * and 1 with their txnid, leaf page headers, a value of the sequence index, a Merkle node).
 * For every case `ticsx-hub check` exits 1 naming the problem and never crashes. `ticsx-hub
 * run` refuses to start with one line when the damage is in what it checks before serving (the
 * file, the log's last records, the Merkle root, the checkpoints); otherwise it serves and its
 * full check, running beside, finds the damage: the log and the metric say so, health says so,
 * and writes are refused. */
#include "faults_util.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"
#include "tx_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define TIMEOUT_MS 10000
#define N_RECS 60

typedef struct {
    char *root;
    char pristine[PATH_MAX];
    char old_mdb[PATH_MAX]; /* data.mdb as it was before the last N_MORE records */
    tx_identity *buyer, *supplier;
    fu_rec *recs;
    uint64_t last_seq; /* the supplier's */
    th_hub *live;      /* a hub a test left running when it failed */
} world;

static world W;

#define N_MORE 5

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
sh(const char *fmt, ...)
{
    char cmd[3 * PATH_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    assert_int_equal(system(cmd), 0);
}

static void
submit(const th_hub *h, fu_rec *recs, size_t n)
{
    tx_conn *c = th_connect(h, W.supplier, TIMEOUT_MS);

    assert_int_equal(fu_submit_all(c, recs, n, 50, -1), TX_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(recs[i].status, TICSX__V1__STATUS__OK);
    }
    tx_conn_destroy(&c);
}

/* A hub with two members and N_RECS + N_MORE questionnaires, written by `ticsx-hub run`, and a
 * copy of its data.mdb taken before the last N_MORE. */
static int
group_setup(void **state)
{
    th_hub h;
    fu_rec *more;

    (void)state;
    th_require_hub_bin();
    W.root = th_tmpdir();
    snprintf(W.pristine, sizeof W.pristine, "%s/pristine", W.root);
    snprintf(W.old_mdb, sizeof W.old_mdb, "%s/old.mdb", W.root);
    W.buyer = th_identity("Buyer Motors KK");
    W.supplier = th_identity("Supplier Parts KK");
    th_hub_init(W.pristine);
    assert_int_equal(th_enroll(W.pristine, W.buyer, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(W.pristine, W.supplier, 1, NULL, 0), 0);
    W.recs = fu_questionnaires(W.supplier, 2, N_RECS);
    th_hub_start(&h, W.pristine, NULL);
    submit(&h, W.recs, N_RECS);
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
    sh("cp %s/data.mdb %s", W.pristine, W.old_mdb);
    more = fu_questionnaires(W.supplier, 2 + N_RECS, N_MORE);
    th_hub_start(&h, W.pristine, NULL);
    submit(&h, more, N_MORE);
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
    fu_recs_free(more, N_MORE);
    W.last_seq = 1 + N_RECS + N_MORE;
    return 0;
}

/* Stops a hub a failed test left running. */
static void
stop_leftover(void)
{
    if (W.live != NULL && W.live->pid > 0) {
        th_hub_stop(W.live, SIGKILL);
    }
    W.live = NULL;
}

static int
group_teardown(void **state)
{
    (void)state;
    stop_leftover();
    fu_recs_free(W.recs, N_RECS);
    tx_identity_destroy(&W.buyer);
    tx_identity_destroy(&W.supplier);
    if (getenv("TX_TEST_KEEP") == NULL) {
        th_rmtree(W.root);
    }
    free(W.root);
    return 0;
}

/* ---- the LMDB file, walked ---- */

typedef struct {
    uint8_t *b;
    size_t len;
    uint32_t psize;
    unsigned newest; /* the meta page with the higher txnid */
    uint64_t txnid[2], last_pg[2];
} mdb_file;

static uint64_t
le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--) {
        v = v << 8 | p[i];
    }
    return v;
}

/* Meta page i: 16-byte page header, then MDB_meta: magic, version, address, mapsize, two
 * MDB_db of 48 bytes (the first one's pad is the page size), last page, txnid. */
#define META_LAST_PG (16 + 24 + 96)
#define META_TXNID (META_LAST_PG + 8)

static void
mdb_read(const char *dir, mdb_file *m)
{
    char path[PATH_MAX + 16];

    snprintf(path, sizeof path, "%s/data.mdb", dir);
    memset(m, 0, sizeof *m);
    assert_int_equal(tx_file_read(path, (size_t)1 << 30, &m->b, &m->len), TX_OK);
    assert_true(m->len >= 2 * 4096);
    assert_int_equal(m->b[16] | m->b[17] << 8 | m->b[18] << 16 | (uint32_t)m->b[19] << 24,
                     0xBEEFC0DEu);
    m->psize = m->b[40] | m->b[41] << 8 | m->b[42] << 16 | (uint32_t)m->b[43] << 24;
    assert_true(m->psize >= 512 && m->psize <= 65536);
    for (unsigned i = 0; i < 2; i++) {
        const uint8_t *p = m->b + (size_t)i * m->psize;
        m->last_pg[i] = le64(p + META_LAST_PG);
        m->txnid[i] = le64(p + META_TXNID);
    }
    m->newest = m->txnid[1] > m->txnid[0];
}

static void
mdb_write(const char *dir, const mdb_file *m)
{
    char path[PATH_MAX + 16];
    FILE *f;

    snprintf(path, sizeof path, "%s/data.mdb", dir);
    assert_non_null(f = fopen(path, "r+b"));
    assert_int_equal(fwrite(m->b, 1, m->len, f), m->len);
    assert_int_equal(fclose(f), 0);
}

static unsigned
u16at(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

/* Walking a B-tree of the newest meta page: a page is a 16-byte header (pgno 8, pad 2, flags
 * 2, lower 2, upper 2), then (lower - 16) / 2 node offsets; a node is lo 2, hi 2, flags 2,
 * key size 2, key, data. A branch node's lo | hi << 16 | flags << 32 is its child page; a
 * leaf node's lo | hi << 16 its data size. */
#define P_BRANCH 0x01
#define P_LEAF 0x02

typedef struct {
    size_t node;    /* offset of the node in the file */
    size_t data;    /* offset of its data */
    size_t page;    /* the leaf page holding it */
    unsigned klen;
} leaf_node;

/* Calls fn on every leaf node of the tree rooted at pgno, in key order; stops when fn
 * returns nonzero and returns that. */
static int
walk_tree(const mdb_file *m, uint64_t pgno, int (*fn)(const mdb_file *, const leaf_node *, void *),
          void *ctx)
{
    const uint8_t *p;
    unsigned flags, n;

    assert_true((pgno + 1) * m->psize <= m->len);
    p = m->b + pgno * m->psize;
    flags = u16at(p + 10);
    n = (u16at(p + 12) - 16) / 2;
    for (unsigned i = 0; i < n; i++) {
        size_t off = u16at(p + 16 + 2 * i);
        const uint8_t *node = p + off;
        int rc;

        if (flags & P_BRANCH) {
            uint64_t child = u16at(node) | (uint64_t)u16at(node + 2) << 16 |
                             (uint64_t)u16at(node + 4) << 32;
            rc = walk_tree(m, child, fn, ctx);
        } else {
            leaf_node ln = {pgno * m->psize + off, pgno * m->psize + off + 8 + u16at(node + 6),
                            pgno, u16at(node + 6)};
            assert_true(flags & P_LEAF);
            rc = fn(m, &ln, ctx);
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* The root page of the named database, from the main database of the newest meta page. */
typedef struct {
    const char *name;
    uint64_t root;
} named;

static int
match_name(const mdb_file *m, const leaf_node *ln, void *ctx)
{
    named *nd = ctx;

    if (ln->klen == strlen(nd->name) && memcmp(m->b + ln->node + 8, nd->name, ln->klen) == 0) {
        nd->root = le64(m->b + ln->data + 40); /* MDB_db's md_root */
        return 1;
    }
    return 0;
}

static uint64_t
db_root(const mdb_file *m, const char *name)
{
    const uint8_t *meta = m->b + (size_t)m->newest * m->psize;
    named nd = {name, 0};

    assert_int_equal(walk_tree(m, le64(meta + 16 + 24 + 48 + 40), match_name, &nd), 1);
    return nd.root;
}

/* The leaf node of `key` in the named database. */
typedef struct {
    const uint8_t *key;
    unsigned klen;
    leaf_node found;
} wanted;

static int
match_key(const mdb_file *m, const leaf_node *ln, void *ctx)
{
    wanted *w = ctx;

    if (ln->klen == w->klen && memcmp(m->b + ln->node + 8, w->key, w->klen) == 0) {
        w->found = *ln;
        return 1;
    }
    return 0;
}

static leaf_node
find_key(const mdb_file *m, const char *db, const void *key, unsigned klen)
{
    wanted w = {key, klen, {0}};

    assert_int_equal(walk_tree(m, db_root(m, db), match_key, &w), 1);
    return w.found;
}

/* ---- running ticsx-hub on a copy ---- */

static void
fresh_copy(const char *name, char *dir, size_t n)
{
    snprintf(dir, n, "%s/%s", W.root, name);
    sh("rm -rf %s && cp -a %s %s && rm -f %s/hub.lock %s/endpoint", dir, W.pristine, dir, dir, dir);
}

static int
lines(const char *s)
{
    int k = 0;

    for (; *s; s++) {
        k += *s == '\n';
    }
    return k;
}

/* check exits 1 naming `what`, never crashing; run refuses with one line naming it too. */
static void
assert_refused(const char *dir, const char *what)
{
    char out[8192];
    int rc = th_run(out, sizeof out, "check", "--data", dir, NULL);

    fprintf(stderr, "# check: %d: %s", rc, out);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, what));
    rc = th_hub_try_run(dir, out, sizeof out);
    fprintf(stderr, "# run: %d: %s", rc, out);
    assert_int_equal(rc, 1);
    assert_int_equal(lines(out), 1);
    assert_non_null(strstr(out, "refusing to serve"));
    assert_non_null(strstr(out, what));
}

/* ---- the full check while serving ---- */

#define CHECK_DEADLINE_MS 300000 /* generous: the machine may be busy; nothing is timed */

/* The value of the metric `name` on the hub's page at 127.0.0.1:port; -1 when absent. */
static double
metric(unsigned port, const char *name)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {10, 0};
    static char buf[1 << 16];
    char req[128], want[128];
    size_t len = 0;
    ssize_t n;
    const char *at;
    double v = -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    snprintf(req, sizeof req,
             "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    while (len + 1 < sizeof buf && (n = read(fd, buf + len, sizeof buf - len - 1)) > 0) {
        len += (size_t)n;
    }
    close(fd);
    buf[len] = 0;
    snprintf(want, sizeof want, "\n%s ", name);
    if ((at = strstr(buf, want)) != NULL) {
        v = strtod(at + strlen(want), NULL);
    }
    return v;
}

/* Starts the hub on dir with its metrics page; *port is the page's. */
static void
start_with_metrics(th_hub *h, const char *dir, unsigned *port)
{
    static char addr[64];
    static const char *args[] = {"--metrics", addr, NULL};
    th_hub_opts o = {.args = args};

    *port = th_free_port();
    snprintf(addr, sizeof addr, "127.0.0.1:%u", *port);
    th_hub_start(h, dir, &o);
}

/* Waits until the full check running beside the hub has ended; its state (1 passed, 2
 * damage). */
static int
check_ended(unsigned port)
{
    for (int64_t until = th_now_ms() + CHECK_DEADLINE_MS; th_now_ms() < until; usleep(50000)) {
        double v = metric(port, "ticsx_hub_store_check_state");

        assert_true(v >= 0);
        if (v >= 1) {
            return (int)v;
        }
    }
    fail_msg("the full check of the store did not end within %d s", CHECK_DEADLINE_MS / 1000);
    return -1;
}

/* Damage the hub's check before serving does not read: `check` names it; `run --check-first`
 * refuses to start, naming it; `run` serves, and its full check finds it: metric state 2, the
 * log names it, health says the database is damaged, a new record is refused and reads are
 * still served. */
static void
assert_found_serving(const char *dir, const char *what, const tx_identity *who, uint64_t seq)
{
    char out[8192];
    static th_hub h; /* outlives a failed test: group_teardown stops it */
    fu_rec *rec;
    tx_conn *c;
    tx_reply_pb *r;
    unsigned port;
    int rc = th_run(out, sizeof out, "check", "--data", dir, NULL);

    fprintf(stderr, "# check: %d: %s", rc, out);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, what));
    rc = th_run(out, sizeof out, "run", "--data", dir, "--bind", "tcp://127.0.0.1:*", "--log-level",
                "error", "--check-first", NULL);
    fprintf(stderr, "# run --check-first: %d: %s", rc, out);
    assert_int_equal(rc, 1);
    assert_int_equal(lines(out), 1);
    assert_non_null(strstr(out, "refusing to serve"));
    assert_non_null(strstr(out, what));

    stop_leftover();
    start_with_metrics(&h, dir, &port);
    W.live = &h;
    assert_int_equal(check_ended(port), 2);
    assert_true(fu_log_has(&h, "is DAMAGED"));
    assert_true(fu_log_has(&h, what));
    assert_true(fu_log_has(&h, "Writes are refused"));
    rc = th_run(out, sizeof out, "health", "--data", dir, NULL);
    fprintf(stderr, "# health: %d: %s", rc, out);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "serves reads only: the hub refuses writes"));
    assert_non_null(strstr(out, what));
    /* A record the hub would take otherwise: refused, saying why. */
    rec = fu_questionnaires(who, seq, 1);
    c = th_connect(&h, who, TIMEOUT_MS);
    assert_int_equal(fu_submit_all(c, rec, 1, 1, -1), TX_OK);
    fprintf(stderr, "# submit: status %d: %s\n", rec[0].status, rec[0].message);
    assert_int_equal(rec[0].status, TICSX__V1__STATUS__INTERNAL);
    assert_non_null(strstr(rec[0].message, "refuses writes"));
    /* Reads go on. */
    r = th_list(c, TX_KIND_QUESTIONNAIRE, 0, 1000);
    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    assert_true(r->n_entries > 0);
    tx_free(r);
    tx_conn_destroy(&c);
    fu_recs_free(rec, 1);
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
    W.live = NULL;
}

/* ---- the cases ---- */

static void
test_pristine_is_clean(void **state)
{
    char dir[PATH_MAX], out[4096];
    int rc;

    (void)state;
    fresh_copy("clean", dir, sizeof dir);
    rc = th_run(out, sizeof out, "check", "--data", dir, NULL);
    fprintf(stderr, "# check: %d: %s", rc, out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "ok: 67 records"));
    assert_int_equal(th_hub_try_run(dir, out, sizeof out), -1);
}

static void
test_not_lmdb(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];
    char text[16384];

    (void)state;
    fresh_copy("not-lmdb", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    for (size_t i = 0; i < sizeof text; i++) {
        text[i] = "this is not an LMDB file\n"[i % 25];
    }
    assert_int_equal(tx_file_replace(path, text, sizeof text, 0600), TX_OK);
    assert_refused(dir, "is not an LMDB database");
}

static void
test_random_bytes(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];
    static uint8_t noise[65536];

    (void)state;
    fresh_copy("random", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    randombytes_buf(noise, sizeof noise);
    assert_int_equal(tx_file_replace(path, noise, sizeof noise, 0600), TX_OK);
    assert_refused(dir, "is not an LMDB database");
}

static void
test_empty_file(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];

    (void)state;
    fresh_copy("empty", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    assert_int_equal(truncate(path, 0), 0);
    assert_refused(dir, "is empty (0 bytes)");
}

/* The last page the newest meta page uses is cut off: LMDB would read past the end (SIGBUS). */
static void
test_truncated(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];
    mdb_file m;

    (void)state;
    fresh_copy("truncated", dir, sizeof dir);
    mdb_read(dir, &m);
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    fprintf(stderr, "# page size %u, newest meta %u uses pages up to %llu; file %zu bytes\n",
            m.psize, m.newest, (unsigned long long)m.last_pg[m.newest], m.len);
    assert_int_equal(truncate(path, (off_t)m.last_pg[m.newest] * m.psize), 0);
    free(m.b);
    assert_refused(dir, "is truncated");
}

/* One byte of the newest meta page's txnid: LMDB then opens the older meta page, and the log
 * is one transaction shorter. */
static void
test_meta_txnid(void **state)
{
    char dir[PATH_MAX];
    mdb_file m;
    uint8_t *low;

    (void)state;
    fresh_copy("txnid", dir, sizeof dir);
    mdb_read(dir, &m);
    fprintf(stderr, "# meta txnids %llu and %llu\n", (unsigned long long)m.txnid[0],
            (unsigned long long)m.txnid[1]);
    low = m.b + (size_t)m.newest * m.psize + META_TXNID;
    assert_int_not_equal(*low, 0);
    *low = 0;
    mdb_write(dir, &m);
    free(m.b);
    assert_refused(dir, "transaction ids");
}

/* The database copied back from before the last commits: its meta pages are fine, but the
 * hub signed more than it holds. */
static void
test_rolled_back(void **state)
{
    char dir[PATH_MAX];

    (void)state;
    fresh_copy("rolled-back", dir, sizeof dir);
    sh("cp %s %s/data.mdb", W.old_mdb, dir);
    assert_refused(dir, "rolled back");
}

/* The header of a leaf page of the log (the page holding a known record's first bytes): its
 * flags, lower and upper bounds become `header`. */
static void
damage_leaf_header(const char *name, const uint8_t header[6], const char *what)
{
    char dir[PATH_MAX];
    uint8_t key[10];
    mdb_file m;
    leaf_node ln;
    size_t page;

    fresh_copy(name, dir, sizeof dir);
    mdb_read(dir, &m);
    memset(key, 0, sizeof key);
    key[7] = N_RECS / 2 + 2 + 1; /* log index | part 0 of the 31st questionnaire */
    ln = find_key(&m, "log", key, sizeof key);
    page = ln.page;
    fprintf(stderr, "# log entry %u, part 0, is in leaf page %zu (flags %#x)\n", key[7], page,
            u16at(m.b + page * m.psize + 10));
    assert_memory_equal(m.b + ln.data, W.recs[N_RECS / 2].env, 32);
    memcpy(m.b + page * m.psize + 10, header, 6);
    mdb_write(dir, &m);
    free(m.b);
    assert_refused(dir, what);
}

/* Flags all set: LMDB reads the page as something else (MDB_PAGE_NOTFOUND, or keys of no
 * size): before, check said "ok" with the log gone. */
static void
test_leaf_page_flags(void **state)
{
    static const uint8_t header[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

    (void)state;
    damage_leaf_header("leaf-flags", header, "damaged");
}

/* A leaf page still, with bounds past its end: LMDB reads outside the page and faults (the
 * check did, and the hub on its first call). */
static void
test_leaf_page_bounds(void **state)
{
    static const uint8_t header[6] = {0x02, 0x00, 0xdc, 0xa4, 0x5e, 0x38};

    (void)state;
    damage_leaf_header("leaf-bounds", header, "damaged");
}

/* One byte of the supplier's last sequence number: 0x04 in front locks it out for good. */
static void
test_sequence_index(void **state)
{
    char dir[PATH_MAX];
    uint8_t seq[8];
    mdb_file m;
    leaf_node ln;

    (void)state;
    fresh_copy("seqs", dir, sizeof dir);
    mdb_read(dir, &m);
    for (int i = 0; i < 8; i++) {
        seq[i] = (uint8_t)(W.last_seq >> (8 * (7 - i)));
    }
    ln = find_key(&m, "seqs", W.supplier->pub.sign, 32);
    fprintf(stderr, "# the supplier's sequence entry: its value at byte %zu\n", ln.data);
    assert_memory_equal(m.b + ln.data, seq, 8);
    m.b[ln.data] = 0x04;
    mdb_write(dir, &m);
    free(m.b);
    /* The supplier's sequence number is what is damaged: the buyer writes. */
    assert_found_serving(dir, "sequence-number index", W.buyer, 2);
}

/* One byte of the Merkle leaf of record 1 (node level 0, index 0). */
static void
test_merkle_node(void **state)
{
    char dir[PATH_MAX];
    uint8_t key[9] = {0};
    mdb_file m;
    leaf_node ln;

    (void)state;
    fresh_copy("nodes", dir, sizeof dir);
    mdb_read(dir, &m);
    ln = find_key(&m, "nodes", key, sizeof key);
    fprintf(stderr, "# Merkle node 0/0: its hash at byte %zu\n", ln.data);
    m.b[ln.data] ^= 0x01;
    mdb_write(dir, &m);
    free(m.b);
    assert_refused(dir, "Merkle tree");
}

/* The hub's data directory and data.mdb are its own: open to others, the hub refuses to run
 * and names the chmod. */
static void
test_permissions(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX + 16], out[4096], want[PATH_MAX + 64];

    (void)state;
    fresh_copy("perm", dir, sizeof dir);
    assert_int_equal(chmod(dir, 0755), 0);
    assert_int_equal(th_hub_try_run(dir, out, sizeof out), 2);
    fprintf(stderr, "# run: %s", out);
    snprintf(want, sizeof want, "run `chmod 700 %s`", dir);
    assert_non_null(strstr(out, want));
    assert_int_equal(chmod(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(th_hub_try_run(dir, out, sizeof out), 2);
    fprintf(stderr, "# run: %s", out);
    snprintf(want, sizeof want, "run `chmod 600 %s`", path);
    assert_non_null(strstr(out, want));
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(th_hub_try_run(dir, out, sizeof out), -1);
}

/* A second organisation with a member's legal name (and its corporate number, empty here) on
 * new keys: refused unless the operator says so, and then logged. */
static void
test_enroll_duplicate_name(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX + 32], out[4096];
    tx_identity *twin = th_identity("Supplier Parts KK");
    uint8_t *env;
    size_t len;
    int rc;

    (void)state;
    fresh_copy("twin", dir, sizeof dir);
    rc = th_enroll(dir, twin, 1, out, sizeof out);
    fprintf(stderr, "# enroll: %d: %s", rc, out);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "already has the legal name \"Supplier Parts KK\""));
    assert_non_null(strstr(out, "--allow-duplicate-name"));
    snprintf(path, sizeof path, "%s/twin.profile.tx", W.root);
    env = th_profile(twin, 1, &len);
    assert_int_equal(tx_file_replace(path, env, len, 0600), TX_OK);
    free(env);
    rc = th_run(out, sizeof out, "enroll", "--data", dir, "--allow-duplicate-name", path, NULL);
    fprintf(stderr, "# enroll --allow-duplicate-name: %d: %s", rc, out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "enrolled anyway (--allow-duplicate-name)"));
    tx_identity_destroy(&twin);
}

/* A profile file cut short is a definite no about the profile: exit 1, as the README says. */
static void
test_enroll_truncated_profile(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX + 32], out[4096];
    tx_identity *org = th_identity("Third Works KK");
    uint8_t *env;
    size_t len;
    int rc;

    (void)state;
    fresh_copy("truncated-profile", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/cut.profile.tx", W.root);
    env = th_profile(org, 1, &len);
    assert_int_equal(tx_file_replace(path, env, len / 2, 0600), TX_OK);
    free(env);
    rc = th_run(out, sizeof out, "enroll", "--data", dir, path, NULL);
    fprintf(stderr, "# enroll: %d: %s", rc, out);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "refused"));
    tx_identity_destroy(&org);
}

/* A record damaged under the running hub (its bytes no longer hash to its id): a list serves
 * the others and names the damaged one; a get of it says the hub could not read it. */
static void
test_damaged_record_in_list(void **state)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_get_pb get = TICSX__V1__GET__INIT;
    char dir[PATH_MAX], path[PATH_MAX + 16];
    uint8_t key[10] = {0};
    const fu_rec *victim = &W.recs[17]; /* log index 20: profiles are 1 and 2 */
    tx_reply_pb *r;
    tx_conn *c;
    static th_hub h; /* outlives a failed test: group_teardown stops it */
    mdb_file m;
    leaf_node ln;
    uint8_t byte;
    int fd;

    (void)state;
    fresh_copy("rot", dir, sizeof dir);
    stop_leftover();
    th_hub_start(&h, dir, NULL);
    W.live = &h;
    mdb_read(dir, &m);
    key[7] = 20;
    ln = find_key(&m, "log", key, sizeof key);
    assert_memory_equal(m.b + ln.data, victim->env, 32);
    byte = m.b[ln.data + 100] ^ 0x01;
    free(m.b);
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    assert_true((fd = open(path, O_WRONLY)) >= 0);
    assert_int_equal(pwrite(fd, &byte, 1, (off_t)ln.data + 100), 1);
    close(fd);
    fprintf(stderr, "# flipped byte %zu of data.mdb under the running hub\n", ln.data + 100);

    c = th_connect(&h, W.supplier, TIMEOUT_MS);
    r = th_list(c, TX_KIND_QUESTIONNAIRE, 0, 1000);
    fprintf(stderr, "# list: status %d, %zu entries, message: %s\n", (int)r->status, r->n_entries,
            r->message);
    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    assert_int_equal(r->n_entries, N_RECS + N_MORE - 1);
    assert_non_null(strstr(r->message, "1 damaged record(s) left out"));
    assert_non_null(strstr(r->message, "log index 20"));
    for (size_t i = 0; i < r->n_entries; i++) {
        assert_int_not_equal(r->entries[i]->index, 20);
    }
    tx_free(r);
    get.record_id.data = (uint8_t *)victim->id;
    get.record_id.len = 32;
    call.body_case = TICSX__V1__CALL__BODY_GET;
    call.get = &get;
    assert_int_equal(tx_conn_call(c, &call, &r), TX_OK);
    fprintf(stderr, "# get: status %d: %s\n", (int)r->status, r->message);
    assert_int_equal(r->status, TICSX__V1__STATUS__INTERNAL);
    assert_non_null(strstr(r->message, "could not read"));
    assert_null(strstr(r->message, "store"));
    tx_free(r);
    tx_conn_destroy(&c);
    assert_true(fu_log_has(&h, "log entry 20 is damaged"));
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
    W.live = NULL;
}

/* data.mdb cut short under the running hub: the next read past the end (here the ZAP lookup of
 * the connecting member) faults in the map. The hub says so and exits 2, instead of dying of
 * SIGBUS without a word. */
static void
test_truncated_under_running_hub(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];
    tx_conn *c = NULL;
    tx_reply_pb *r = NULL;
    int64_t until;
    static th_hub h; /* outlives a failed test: group_teardown stops it */
    int rc;

    (void)state;
    fresh_copy("cut-live", dir, sizeof dir);
    stop_leftover();
    th_hub_start(&h, dir, NULL);
    W.live = &h;
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    assert_int_equal(truncate(path, 8192), 0);
    assert_int_equal(tx_conn_open(h.endpoint, h.curve, W.supplier, 2000, &c), TX_OK);
    {
        tx_call_pb call = TICSX__V1__CALL__INIT;
        tx_list_records_pb list = TICSX__V1__LIST_RECORDS__INIT;

        list.kind = TICSX__V1__KIND__KIND_QUESTIONNAIRE;
        list.limit = 1000;
        call.body_case = TICSX__V1__CALL__BODY_LIST;
        call.list = &list;
        rc = tx_conn_call(c, &call, &r);
    }
    fprintf(stderr, "# list on the cut file: %s\n", tx_strerror(rc));
    tx_free(r);
    tx_conn_destroy(&c);
    rc = -1;
    for (until = th_now_ms() + 5000; th_now_ms() < until; usleep(20000)) {
        int status;

        if (waitpid(h.pid, &status, WNOHANG) == h.pid) {
            rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            h.pid = 0;
            break;
        }
    }
    if (h.pid > 0) {
        th_hub_stop(&h, SIGKILL);
    }
    W.live = NULL;
    fprintf(stderr, "# hub exit status %d\n", rc);
    assert_int_equal(rc, 2);
    assert_true(fu_log_has(&h, "the database file was cut short while the hub ran (SIGBUS)"));
}

/* A copy of the pristine store grown past what the hub reads before serving
 * (TX_CHECK_TAIL records), made once: its older records are only read by the full check. */
#define N_BIG 1100

static const char *
big_store(void)
{
    static char dir[PATH_MAX];
    static th_hub h; /* outlives a failed test: group_teardown stops it */
    fu_rec *more;

    if (dir[0] != 0) {
        return dir;
    }
    fresh_copy("big", dir, sizeof dir);
    more = fu_questionnaires(W.supplier, W.last_seq + 1, N_BIG);
    stop_leftover();
    th_hub_start(&h, dir, NULL);
    W.live = &h;
    submit(&h, more, N_BIG);
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
    W.live = NULL;
    fu_recs_free(more, N_BIG);
    return dir;
}

/* One byte of an old record (log index 20, far behind the last TX_CHECK_TAIL) changed in
 * place: the hub serves, and its full check finds it. */
static void
test_old_record_damaged(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];
    uint8_t key[10] = {0};
    mdb_file m;
    leaf_node ln;

    (void)state;
    snprintf(dir, sizeof dir, "%s/old-record", W.root);
    sh("rm -rf %s && cp -a %s %s", dir, big_store(), dir);
    mdb_read(dir, &m);
    key[7] = 20;
    ln = find_key(&m, "log", key, sizeof key);
    assert_memory_equal(m.b + ln.data, W.recs[17].env, 32);
    m.b[ln.data + 100] ^= 0x01;
    mdb_write(dir, &m);
    free(m.b);
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    fprintf(stderr, "# flipped byte %zu of %s\n", ln.data + 100, path);
    assert_found_serving(dir, "the record id index (ids)", W.supplier, W.last_seq + N_BIG + 1);
}

/* One byte of a Merkle node of the big store. */
static void
damage_node(const char *name, uint8_t level, char *dir, size_t n)
{
    uint8_t key[9] = {level, 0, 0, 0, 0, 0, 0, 0, 0};
    mdb_file m;
    leaf_node ln;

    snprintf(dir, n, "%s/%s", W.root, name);
    sh("rm -rf %s && cp -a %s %s", dir, big_store(), dir);
    mdb_read(dir, &m);
    ln = find_key(&m, "nodes", key, sizeof key);
    m.b[ln.data] ^= 0x01;
    mdb_write(dir, &m);
    free(m.b);
}

/* The node of the first 1024 records, a part of the root (1167 = 1024 + 128 + 8 + 4 + 2 + 1):
 * the root of the stored nodes is not the one the hub signed, so it refuses to start. */
static void
test_root_merkle_node(void **state)
{
    char dir[PATH_MAX];

    (void)state;
    damage_node("root-node", 10, dir, sizeof dir);
    assert_refused(dir, "Merkle tree (nodes)");
}

/* The node of the first 16 records: only inclusion proofs use it (a client checks each
 * against the signed root); the full check finds it while the hub serves. */
static void
test_inner_merkle_node(void **state)
{
    char dir[PATH_MAX];

    (void)state;
    damage_node("inner-node", 4, dir, sizeof dir);
    assert_found_serving(dir, "Merkle tree (nodes)", W.supplier, W.last_seq + N_BIG + 1);
}

/* The hub as process 1, as in a container (a PID namespace of its own): the full check beside
 * it runs and passes on a sound store. (Its child once took a parent of pid 1 for a parent
 * gone, stopped at once, and the stop read as damage: every write refused.) Needs root and
 * unshare; skipped otherwise. */
static void
test_check_beside_as_process_1(void **state)
{
    char dir[PATH_MAX], wrap[PATH_MAX + 16];
    static const char script[] = "#!/bin/sh\nexec unshare --pid --fork --kill-child \"$@\"\n";
    static th_hub h; /* outlives a failed test: group_teardown stops it */
    unsigned port;

    (void)state;
    if (geteuid() != 0 || system("unshare --pid --fork true >/dev/null 2>&1") != 0) {
        skip();
    }
    fresh_copy("process-1", dir, sizeof dir);
    snprintf(wrap, sizeof wrap, "%s/as-process-1.sh", W.root);
    assert_int_equal(tx_file_replace(wrap, (const uint8_t *)script, strlen(script), 0755), TX_OK);
    assert_int_equal(setenv("TX_TEST_HUB_WRAPPER", wrap, 1), 0);
    start_with_metrics(&h, dir, &port);
    unsetenv("TX_TEST_HUB_WRAPPER");
    W.live = &h;
    assert_int_equal(check_ended(port), 1);
    assert_false(fu_log_has(&h, "is DAMAGED"));
    th_hub_stop(&h, SIGKILL);
    W.live = NULL;
}

/* The hub killed (SIGKILL) while its full check may still run, then started again: it serves,
 * the check passes, and a record is stored. */
static void
test_kill9_during_check(void **state)
{
    char dir[PATH_MAX];
    static th_hub h; /* outlives a failed test: group_teardown stops it */
    fu_rec *rec;
    unsigned port;
    double state_now;

    (void)state;
    snprintf(dir, sizeof dir, "%s/kill9", W.root);
    sh("rm -rf %s && cp -a %s %s", dir, big_store(), dir);
    stop_leftover();
    start_with_metrics(&h, dir, &port);
    W.live = &h;
    state_now = metric(port, "ticsx_hub_store_check_state");
    fprintf(stderr, "# check state when killed: %g, %g records walked\n", state_now,
            metric(port, "ticsx_hub_store_check_records"));
    assert_int_equal(th_hub_stop(&h, SIGKILL), 128 + SIGKILL);
    W.live = NULL;
    start_with_metrics(&h, dir, &port);
    W.live = &h;
    assert_int_equal(check_ended(port), 1);
    assert_true(metric(port, "ticsx_hub_store_check_records") >=
                (double)(1 + N_RECS + N_MORE + N_BIG + 1));
    assert_true(fu_log_has(&h, "the full check of the database passed"));
    rec = fu_questionnaires(W.supplier, W.last_seq + N_BIG + 1, 1);
    submit(&h, rec, 1);
    fu_recs_free(rec, 1);
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
    W.live = NULL;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pristine_is_clean),
        cmocka_unit_test(test_not_lmdb),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_meta_txnid),
        cmocka_unit_test(test_rolled_back),
        cmocka_unit_test(test_leaf_page_flags),
        cmocka_unit_test(test_leaf_page_bounds),
        cmocka_unit_test(test_sequence_index),
        cmocka_unit_test(test_merkle_node),
        cmocka_unit_test(test_permissions),
        cmocka_unit_test(test_enroll_duplicate_name),
        cmocka_unit_test(test_enroll_truncated_profile),
        cmocka_unit_test(test_damaged_record_in_list),
        cmocka_unit_test(test_truncated_under_running_hub),
        cmocka_unit_test(test_old_record_damaged),
        cmocka_unit_test(test_root_merkle_node),
        cmocka_unit_test(test_inner_merkle_node),
        cmocka_unit_test(test_kill9_during_check),
        cmocka_unit_test(test_check_beside_as_process_1),
    };

    tx_log_level = TX_LOG_ERROR;
    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

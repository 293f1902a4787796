/* What the client keeps of the hub's log, attacked with real hubs (LMDB, CURVE) and the real
 * ticsx: a hub restored from a backup that drops an acknowledged revocation and grows past it
 * is caught by the supplier that revoked (its receipt's checkpoint is kept, its receipt proven
 * at the next contact), with the evidence saved; a flipped byte of a stored Merkle node keeps
 * the whole fetch out of the cache, and verify and report use no record lacking a proof; a
 * refused certificate listing fails the fetch. */
#include "harness.h"
#include "tx_client.h"
#include "tx_error.h"
#include "tx_kinds.h"
#include "tx_log_check.h"
#include "tx_merkle.h"
#include "tx_msg.h"
#include "tx_rpc.h"
#include "tx_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <lmdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stddef.h>

#include <cmocka.h>

#define BUYER "Log Buyer KK"
#define SUP "Log Supplier KK"
#define BODY "Log Certification Body KK"

static char *root;

static void
path_in(char *out, size_t n, const char *test, const char *name)
{
    snprintf(out, n, "%s/%s-%s", root, test, name);
}

/* A hub at dir with the buyer and the supplier (and the body when not NULL) enrolled. */
static void
make_parties(const char *dir, const char *buyer, const char *sup, const char *body)
{
    th_hub_init(dir);
    th_party(dir, buyer, BUYER, "7123456789012");
    th_party(dir, sup, SUP, "3700000000001");
    if (body != NULL) {
        th_party(dir, body, BODY, NULL);
    }
}

/* The buyer asks, the supplier answers every item "yes": the assessment id goes to aid. */
static void
request_and_answer(const th_hub *h, const char *buyer, const char *sup, char aid[65])
{
    char req[65], path[PATH_MAX];
    th_result r;
    json_t *j, *answers;

    th_ticsx(&r, h, buyer, "-q", "request", "--questionnaire", "tics-selfcheck", "--to", SUP, NULL);
    th_expect_status(&r, 0);
    assert_true(strlen(r.out) >= 64);
    memcpy(req, r.out, 64);
    req[64] = 0;
    th_result_free(&r);
    snprintf(path, sizeof path, "%s/answers.json", sup);
    th_ticsx_expect(0, h, sup, "questionnaire", "template", req, "--format", "json", "--out", path,
                    NULL);
    j = json_load_file(path, 0, NULL);
    assert_non_null(j);
    answers = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(answers); i++) {
        json_object_set_new(json_array_get(answers, i), "answer", json_string("yes"));
    }
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    th_ticsx(&r, h, sup, "answer", req, "--file", path, NULL);
    th_expect_status(&r, 0);
    assert_true(strlen(r.out) >= 64);
    memcpy(aid, r.out, 64);
    aid[64] = 0;
    th_result_free(&r);
}

/* Whether the record (64 hex) is in home's cache. */
static int
cached(const char *home, const char *hex)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    int there =
        th_cache_count(home, "records") > 0 && th_cache_get(home, "records", hex, &bytes, &len);

    free(bytes);
    return there;
}

/* ---- 1. a restored backup drops an acknowledged revocation ---- */

static void
test_backup_fork_caught_by_the_supplier(void **state)
{
    char dir[PATH_MAX], copy[PATH_MAX], buyer[PATH_MAX], sup[PATH_MAX], aid[65], out[4096];
    th_hub h, restored;
    th_result r;
    (void)state;

    path_in(dir, sizeof dir, "fork", "hub");
    path_in(copy, sizeof copy, "fork", "backup");
    path_in(buyer, sizeof buyer, "fork", "buyer");
    path_in(sup, sizeof sup, "fork", "supplier");
    make_parties(dir, buyer, sup, NULL);
    th_hub_start(&h, dir, NULL);
    request_and_answer(&h, buyer, sup, aid);
    th_ticsx_expect(0, &h, sup, "fetch", NULL);

    /* The operator's hot backup, then the supplier revokes: acknowledged, with a receipt. */
    if (th_run(out, sizeof out, "backup", "--data", dir, "--with-key", copy, NULL) != 0) {
        fail_msg("ticsx-hub backup failed: %s", out);
    }
    th_ticsx_expect(0, &h, sup, "revoke", aid, "--from", BUYER, NULL);
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);

    /* The backup is restored and the log grows past the size the receipt showed. */
    th_hub_start(&restored, copy, NULL);
    th_ticsx_expect(0, &restored, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                    SUP, NULL);
    th_ticsx_expect(0, &restored, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                    SUP, NULL);

    th_ticsx(&r, &restored, sup, "fetch", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "split view");
    th_expect_text(r.err, "evidence");
    th_result_free(&r);
    assert_true(th_evidence_count(sup, "-old.checkpoint") >= 1);
    assert_true(th_evidence_count(sup, "-new.checkpoint") >= 1);
    assert_true(th_evidence_count(sup, ".receipt") >= 1);
    th_ticsx(&r, &restored, sup, "audit-log", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "split view");
    th_result_free(&r);
    th_ticsx(&r, &restored, sup, "watch", "--for", "2", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "split view");
    th_result_free(&r);

    /* Without its kept checkpoint the home still holds the receipt: the revocation the hub
     * acknowledged is not in the log it shows now. */
    {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/checkpoint", sup);
        assert_int_equal(unlink(path), 0);
    }
    th_ticsx(&r, &restored, sup, "fetch", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "split view: the hub acknowledged grant revocation");
    th_expect_text(r.err, ".receipt");
    th_result_free(&r);
    {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/checkpoint", sup);
        assert_int_equal(access(path, F_OK), -1); /* the forked log was not accepted */
    }
    assert_int_equal(th_hub_stop(&restored, SIGTERM), 0);
}

/* ---- 2. a damaged Merkle node: nothing unproven enters the cache or a report ---- */

/* The log index of record `id` (hex) in the hub's store at dir (stopped): the ids index. */
static uint64_t
record_index(const char *dir, const char *id)
{
    uint8_t key[32];
    uint64_t index = 0;
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k = {sizeof key, key}, v;

    assert_int_equal(tx_unhex(key, sizeof key, id), TX_OK);
    assert_int_equal(mdb_env_create(&env), MDB_SUCCESS);
    assert_int_equal(mdb_env_set_maxdbs(env, 16), MDB_SUCCESS);
    assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0600), MDB_SUCCESS);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), MDB_SUCCESS);
    assert_int_equal(mdb_dbi_open(txn, "ids", 0, &dbi), MDB_SUCCESS);
    assert_int_equal(mdb_get(txn, dbi, &k, &v), MDB_SUCCESS);
    assert_true(v.mv_size >= 8);
    for (int i = 0; i < 8; i++) {
        index = index << 8 | ((const uint8_t *)v.mv_data)[i];
    }
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return index;
}

/* The offset in `file` of the byte at `p`, from this process's mapping of it (/proc/self/maps). */
static off_t
mapped_offset(const char *file, const void *p)
{
    char line[PATH_MAX + 256], real[PATH_MAX];
    uintptr_t at = (uintptr_t)p;
    off_t off = -1;
    FILE *f = fopen("/proc/self/maps", "r");

    assert_non_null(f);
    assert_non_null(realpath(file, real));
    while (off < 0 && fgets(line, sizeof line, f) != NULL) {
        unsigned long lo, hi, fo;
        char path[PATH_MAX] = "";

        if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %4095s", &lo, &hi, &fo, path) == 4 &&
            strcmp(path, real) == 0 && at >= lo && at < hi) {
            off = (off_t)(at - lo + fo);
        }
    }
    fclose(f);
    assert_true(off >= 0);
    return off;
}

/* Overwrites the stored Merkle node `level`/`index` in dir/data.mdb with `hash`, or flips one of
 * its bytes when hash is NULL (the hub may be running): LMDB finds the value, the bytes are
 * changed in the file at its offset. */
static void
set_node(const char *dir, unsigned level, uint64_t index, const uint8_t *hash)
{
    uint8_t key[9], want[32], got[32];
    char file[PATH_MAX + 16];
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k = {sizeof key, key}, v;
    off_t off;
    int fd;

    key[0] = (uint8_t)level;
    for (int i = 0; i < 8; i++) {
        key[1 + i] = (uint8_t)(index >> (56 - 8 * i));
    }
    assert_int_equal(mdb_env_create(&env), MDB_SUCCESS);
    assert_int_equal(mdb_env_set_maxdbs(env, 16), MDB_SUCCESS);
    assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0600), MDB_SUCCESS);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), MDB_SUCCESS);
    assert_int_equal(mdb_dbi_open(txn, "nodes", 0, &dbi), MDB_SUCCESS);
    assert_int_equal(mdb_get(txn, dbi, &k, &v), MDB_SUCCESS);
    assert_int_equal(v.mv_size, 32);
    memcpy(want, v.mv_data, 32);
    snprintf(file, sizeof file, "%s/data.mdb", dir);
    off = mapped_offset(file, v.mv_data);
    mdb_txn_abort(txn);
    mdb_env_close(env);

    fd = open(file, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, got, 32, off), 32);
    assert_memory_equal(got, want, 32); /* the node's bytes, at that offset of the file */
    if (hash != NULL) {
        memcpy(got, hash, 32);
    } else {
        got[7] ^= 0x01;
    }
    assert_int_equal(pwrite(fd, got, 32, off), 32);
    assert_int_equal(fsync(fd), 0);
    close(fd);
}

/* True when the JSON report shows an assessment of SUP as verified. */
static int
report_shows_verified(const char *home, const th_hub *h, int *status)
{
    th_result r;
    json_t *j, *sups;
    int found = 0;

    th_ticsx(&r, h, home, "report", "--format", "json", NULL);
    *status = r.status;
    j = th_parse_json(r.out);
    sups = json_object_get(th_report_doc(j), "suppliers");
    for (size_t i = 0; i < json_array_size(sups); i++) {
        json_t *s = json_array_get(sups, i);
        const char *st = json_string_value(json_object_get(s, "status"));
        found |= st != NULL && strcmp(st, "verified") == 0;
    }
    json_decref(j);
    th_result_free(&r);
    return found;
}

/* Test `test`'s hub (started, into h) at dir, and its buyer and supplier homes, the buyer's
 * request answered (the assessment's id into aid). Each path holds PATH_MAX bytes. */
static void
answered(th_hub *h, const char *test, char *dir, char *buyer, char *sup, char aid[65])
{
    path_in(dir, PATH_MAX, test, "hub");
    path_in(buyer, PATH_MAX, test, "buyer");
    path_in(sup, PATH_MAX, test, "supplier");
    make_parties(dir, buyer, sup, NULL);
    th_hub_start(h, dir, NULL);
    request_and_answer(h, buyer, sup, aid);
}

static void
test_damaged_node_keeps_fetch_out_of_the_cache(void **state)
{
    char dir[PATH_MAX], buyer[PATH_MAX], sup[PATH_MAX], aid[65];
    uint64_t index;
    th_hub h;
    th_result r;
    int status;
    (void)state;

    answered(&h, "node", dir, buyer, sup, aid);
    index = record_index(dir, aid); /* the sealed assessment's log index */

    /* The leaf beside the sealed assessment's: the first hash of its inclusion proof, flipped
     * under the running hub (it refuses to start on a damaged tree). */
    set_node(dir, 0, (index - 1) ^ 1, NULL);
    th_ticsx(&r, &h, buyer, "fetch", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "is not in the hub's signed log");
    th_result_free(&r);
    assert_false(cached(buyer, aid)); /* nothing of a failed fetch is kept */
    th_ticsx(&r, &h, buyer, "verify", aid, NULL);
    assert_int_not_equal(r.status, 0);
    th_result_free(&r);
    th_ticsx(&r, &h, buyer, "verify", NULL);
    assert_null(strstr(r.out, "verified"));
    th_result_free(&r);
    assert_false(report_shows_verified(buyer, &h, &status));

    /* Repaired, the fetch proves everything; without the proof markers nothing is used. */
    set_node(dir, 0, (index - 1) ^ 1, NULL);
    th_ticsx_expect(0, &h, buyer, "fetch", NULL);
    assert_true(cached(buyer, aid));
    th_ticsx(&r, &h, buyer, "verify", aid, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "verified");
    th_result_free(&r);
    assert_true(th_cache_del_holding(buyer, "proofs", "") > 0);
    th_ticsx(&r, &h, buyer, "verify", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "not proven in the hub's signed log");
    th_expect_text(r.err, "run `ticsx fetch`");
    assert_null(strstr(r.out, "verified"));
    th_result_free(&r);
    assert_false(report_shows_verified(buyer, &h, &status));
    assert_int_equal(status, 1);
    th_ticsx_expect(0, &h, buyer, "fetch", NULL);
    th_ticsx_expect(0, &h, buyer, "verify", aid, NULL);
    assert_true(report_shows_verified(buyer, &h, &status));
    assert_int_equal(status, 0);
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
}

/* A fetch proves many records at once by the leaf hashes of the whole tree: every record seen
 * is proven so; a hub whose leaf hashes put a record at an index where the signed log holds
 * another is caught (the leaves do not rebuild the signed root), and the record is named. */
static void
test_leaves_prove_only_what_the_root_signs(void **state)
{
    const int kinds[] = {TX_KIND_PROFILE, TX_KIND_QUESTIONNAIRE, TX_KIND_REQUEST,
                         TX_KIND_ASSESSMENT, TX_KIND_GRANT};
    enum { N = sizeof kinds / sizeof kinds[0] };
    char dir[PATH_MAX], buyer[PATH_MAX], sup[PATH_MAX], aid[65];
    tx_recs l[N] = {{0}};
    tx_log_check_set set = {0}, moved = {0};
    const tx_rec *a, *b;
    uint8_t leaf[32];
    tx_client *c = NULL;
    size_t n = 0;
    th_hub h;
    (void)state;

    answered(&h, "leaves", dir, buyer, sup, aid);
    {
        tx_client_opts o = {.home = buyer, .endpoint = h.endpoint, .hub_key = h.key};
        assert_int_equal(tx_client_open(&o, &c), TX_OK);
    }
    assert_int_equal(tx_rpc_list(c, N, kinds, NULL, l), TX_OK);
    for (size_t k = 0; k < N; k++) {
        assert_int_equal(tx_log_check_add_recs(&set, &l[k]), TX_OK);
        n += l[k].n;
    }
    assert_true(n >= 5); /* more records than the tree is deep: proven by the leaves */
    assert_int_equal(tx_log_check_records(c, &set, NULL, NULL), TX_OK);

    /* The sealed assessment b shown at the index of profile a: with the hub's leaf hashes as they
     * are, and with its leaf hash there made b's (the leaves then agree with the listing but not
     * with the signed root). */
    assert_true(l[0].n >= 1 && l[3].n >= 1);
    a = &l[0].v[0];
    b = &l[3].v[0];
    for (size_t k = 0; k < N; k++) {
        for (size_t i = 0; i < l[k].n; i++) {
            const tx_rec *r = &l[k].v[i];
            if (r != a && r != b) {
                assert_int_equal(tx_log_check_add(&moved, r->index, r->bytes, r->len), TX_OK);
            }
        }
    }
    assert_int_equal(tx_log_check_add(&moved, a->index, b->bytes, b->len), TX_OK);
    for (int tampered = 0; tampered < 2; tampered++) {
        int rc;

        if (tampered) {
            tx_merkle_leaf_hash(b->bytes, b->len, leaf);
            set_node(dir, 0, a->index - 1, leaf);
        }
        rc = tx_log_check_records(c, &moved, NULL, NULL);
        if (rc != TX_ERR_CHECKSUM ||
            strstr(tx_fail_msg(), "is not in the hub's signed log") == NULL) {
            fail_msg("leaves %s: %d: %s", tampered ? "tampered" : "honest", rc, tx_fail_msg());
        }
    }
    tx_log_check_set_free(&set);
    tx_log_check_set_free(&moved);
    for (size_t k = 0; k < N; k++) {
        tx_recs_clear(&l[k]);
    }
    tx_client_destroy(&c);
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
}

/* ---- 3. a refused certificate listing fails the fetch ---- */

/* Flips one byte in every copy of the record `hex` of home's cache found in dir/data.mdb. */
static size_t
damage_record(const char *dir, const char *home, const char *hex)
{
    char file[PATH_MAX + 16];
    char *data;
    uint8_t *rec = NULL;
    size_t len, rlen = 0, n = 0;
    struct stat st;
    FILE *f;

    snprintf(file, sizeof file, "%s/data.mdb", dir);
    assert_true(th_cache_get(home, "records", hex, &rec, &rlen));
    assert_true(rlen > 96);
    assert_int_equal(stat(file, &st), 0);
    len = (size_t)st.st_size;
    data = th_read_file(file);
    for (size_t i = 0; i + rlen <= len; i++) {
        if (memcmp(data + i, rec, rlen) == 0) {
            data[i + rlen / 2] ^= 0x01;
            n++;
        }
    }
    f = fopen(file, "r+b");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    free(data);
    free(rec);
    return n;
}

static void
test_refused_certificate_listing_fails_fetch(void **state)
{
    char dir[PATH_MAX], buyer[PATH_MAX], sup[PATH_MAX], body[PATH_MAX], aid[65], cid[65];
    th_hub h;
    th_result r;
    (void)state;

    path_in(dir, sizeof dir, "trust", "hub");
    path_in(buyer, sizeof buyer, "trust", "buyer");
    path_in(sup, sizeof sup, "trust", "supplier");
    path_in(body, sizeof body, "trust", "body");
    make_parties(dir, buyer, sup, body);
    th_hub_start(&h, dir, NULL);
    request_and_answer(&h, buyer, sup, aid);
    th_ticsx(&r, &h, body, "-q", "cert", "issue", "--holder", SUP, "--number", "LOG-CERT-1",
             "--scope", "design data", "--sector", "manufacturing", "--criteria", "2024",
             "--issued", "2025-04-01", NULL);
    th_expect_status(&r, 0);
    assert_true(strlen(r.out) >= 64);
    memcpy(cid, r.out, 64);
    cid[64] = 0;
    th_result_free(&r);

    /* The stored certificate no longer matches its id (damaged under the running hub, which
     * refuses to start on a damaged database): the hub leaves it out of the listing and says
     * so, and the fetch does not pass an incomplete listing for the whole. */
    assert_true(damage_record(dir, body, cid) >= 1);
    th_ticsx(&r, &h, buyer, "fetch", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "certificates not fetched");
    th_expect_text(r.err, "left out as damaged");
    th_result_free(&r);
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
}

static int
group_setup(void **state)
{
    (void)state;
    root = th_tmpdir();
    return 0;
}

static int
group_teardown(void **state)
{
    (void)state;
    th_rmtree(root);
    free(root);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_backup_fork_caught_by_the_supplier, th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_damaged_node_keeps_fetch_out_of_the_cache,
                                  th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_leaves_prove_only_what_the_root_signs,
                                  th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_refused_certificate_listing_fails_fetch,
                                  th_stop_leftover_hubs),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

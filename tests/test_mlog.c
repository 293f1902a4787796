/* The Merkle log in the store, against a real LMDB: roots after every append equal the tree
 * computed from the leaf hashes alone; every inclusion and consistency proof up to 40 records
 * is the RFC 9162 one and verifies; batches of any size, close and reopen keep it; a store
 * written before the Merkle log is filled when opened; checkpoints are signed at commit, cover
 * the log, and their time never goes back. TX_MLOG_FILL=N times the fill of N records. */
#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_merkle.h"
#include "tx_mlog.h"
#include "tx_store.h"
#include "tx_store_file.h"
#include "tx_store_int.h"
#include "tx_util.h"

#include <lmdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#define MAX_N 1100

static uint8_t signer[TX_KEY_LEN];

typedef struct {
    char *dir;
    tx_store *s;
    uint8_t leaves[MAX_N][32];
    uint64_t n;
} fixture;

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);

    assert_non_null(f);
    f->dir = th_tmpdir();
    assert_int_equal(tx_store_open(f->dir, 256u << 20, &f->s), TX_OK);
    randombytes_buf(signer, sizeof signer);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;

    tx_store_close(&f->s);
    th_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Appends `count` records of random sizes (1 byte .. 3 KiB) in one batch, remembering their
 * leaf hashes. */
static void
append(fixture *f, uint64_t count)
{
    tx_batch *b = NULL;

    assert_int_equal(tx_store_begin(f->s, &b), TX_OK);
    for (uint64_t i = 0; i < count; i++) {
        size_t len = 1 + randombytes_uniform(3072);
        uint8_t *env = malloc(len);
        tx_receipt r;

        assert_non_null(env);
        randombytes_buf(env, len);
        assert_int_equal(
            tx_batch_append(b, env, len, TX_KIND_QUESTIONNAIRE, signer, f->n + 1, NULL, 0, &r),
            TX_OK);
        assert_int_equal(r.index, f->n + 1);
        assert_true(f->n < MAX_N);
        tx_merkle_leaf_hash(env, len, f->leaves[f->n++]);
        free(env);
    }
    assert_int_equal(tx_batch_commit(&b), TX_OK);
}

/* The root from the stored nodes, and rebuilt from the log's envelopes, equal the one
 * computed from the leaf hashes alone. */
static void
expect_root(fixture *f, uint64_t size)
{
    uint8_t want[32], got[32], rebuilt[32];

    assert_int_equal(tx_merkle_root(tx_merkle_node_from_leaves, f->leaves, size, want), TX_OK);
    assert_int_equal(tx_store_root(f->s, size, got), TX_OK);
    assert_memory_equal(got, want, 32);
    assert_int_equal(tx_store_rebuild_root(f->s, size, rebuilt), TX_OK);
    assert_memory_equal(rebuilt, want, 32);
}

/* Every root of sizes 0..n, and every leaf hash. */
static void
expect_all_roots(fixture *f)
{
    tx_view *v;
    uint8_t leaf[32];

    uint8_t want[32], got[32];

    for (uint64_t size = 0; size <= f->n; size++) {
        assert_int_equal(tx_merkle_root(tx_merkle_node_from_leaves, f->leaves, size, want), TX_OK);
        assert_int_equal(tx_store_root(f->s, size, got), TX_OK);
        assert_memory_equal(got, want, 32);
    }
    expect_root(f, f->n);
    assert_int_equal(tx_store_view(f->s, &v), TX_OK);
    for (uint64_t i = 1; i <= f->n; i++) {
        assert_int_equal(tx_view_leaf(v, i, leaf), TX_OK);
        assert_memory_equal(leaf, f->leaves[i - 1], 32);
    }
    assert_int_equal(tx_view_leaf(v, f->n + 1, leaf), TX_ERR_NOT_FOUND);
    tx_view_end(&v);
}

/* Every inclusion proof (index, size) and consistency proof (m, n) up to f->n: equal to the
 * proof computed from the leaves, and verifying against the right roots. */
static void
expect_all_proofs(fixture *f)
{
    uint8_t path[TX_MERKLE_MAX_PATH][32], want[TX_MERKLE_MAX_PATH][32];
    uint8_t roots[41][32];
    size_t n, nw;
    tx_view *v;

    assert_true(f->n <= 40);
    for (uint64_t size = 0; size <= f->n; size++) {
        assert_int_equal(tx_merkle_root(tx_merkle_node_from_leaves, f->leaves, size, roots[size]),
                         TX_OK);
    }
    assert_int_equal(tx_store_view(f->s, &v), TX_OK);
    for (uint64_t size = 1; size <= f->n; size++) {
        for (uint64_t index = 1; index <= size; index++) {
            assert_int_equal(tx_view_inclusion(v, index, size, path, &n), TX_OK);
            assert_int_equal(tx_merkle_inclusion_proof(tx_merkle_node_from_leaves, f->leaves,
                                                       index - 1, size, want, &nw),
                             TX_OK);
            assert_int_equal(n, nw);
            assert_memory_equal(path, want, 32 * n);
            assert_int_equal(tx_merkle_verify_inclusion(index - 1, size, f->leaves[index - 1],
                                                        (const uint8_t(*)[32])path, n, roots[size]),
                             TX_OK);
        }
        for (uint64_t old = 1; old <= size; old++) {
            assert_int_equal(tx_view_consistency(v, old, size, path, &n), TX_OK);
            assert_int_equal(tx_merkle_consistency_proof(tx_merkle_node_from_leaves, f->leaves, old,
                                                         size, want, &nw),
                             TX_OK);
            assert_int_equal(n, nw);
            assert_memory_equal(path, want, 32 * n);
            assert_int_equal(tx_merkle_verify_consistency(old, size, roots[old], roots[size],
                                                          (const uint8_t(*)[32])path, n),
                             TX_OK);
        }
    }
    tx_view_end(&v);
}

static void
test_one_by_one_to_40(void **state)
{
    fixture *f = *state;

    expect_all_roots(f);
    for (int i = 1; i <= 40; i++) {
        append(f, 1);
        expect_all_roots(f);
    }
    expect_all_proofs(f);
}

static void
test_batches_to_1000_and_reopen(void **state)
{
    fixture *f = *state;
    uint8_t path[TX_MERKLE_MAX_PATH][32], root_small[32], root_big[32];
    uint64_t sizes[] = {1, 2, 3, 7, 64, 127, 300, 1, 495};
    size_t n;
    tx_view *v;

    for (size_t i = 0; i < TX_ARRAY_LEN(sizes); i++) {
        append(f, sizes[i]);
        expect_root(f, f->n);
    }
    assert_int_equal(f->n, 1000);
    expect_all_roots(f);
    tx_store_close(&f->s);
    assert_int_equal(tx_store_open(f->dir, 0, &f->s), TX_OK);
    expect_all_roots(f);
    /* A sample of proofs over the big tree. */
    assert_int_equal(tx_store_root(f->s, 1000, root_big), TX_OK);
    assert_int_equal(tx_store_root(f->s, 333, root_small), TX_OK);
    assert_int_equal(tx_store_view(f->s, &v), TX_OK);
    for (uint64_t index = 1; index <= 1000; index += 37) {
        assert_int_equal(tx_view_inclusion(v, index, 1000, path, &n), TX_OK);
        assert_int_equal(tx_merkle_verify_inclusion(index - 1, 1000, f->leaves[index - 1],
                                                    (const uint8_t(*)[32])path, n, root_big),
                         TX_OK);
    }
    assert_int_equal(tx_view_consistency(v, 333, 1000, path, &n), TX_OK);
    assert_int_equal(tx_merkle_verify_consistency(333, 1000, root_small, root_big,
                                                  (const uint8_t(*)[32])path, n),
                     TX_OK);
    tx_view_end(&v);
    /* Appends go on after reopening. */
    append(f, 50);
    expect_root(f, 1050);
    expect_root(f, 1000);
}

static void
test_bad_requests(void **state)
{
    fixture *f = *state;
    uint8_t path[TX_MERKLE_MAX_PATH][32], root[32];
    uint8_t(*leaves)[32] = NULL;
    uint64_t next;
    size_t n;
    tx_view *v;

    append(f, 5);
    assert_int_equal(tx_store_view(f->s, &v), TX_OK);
    assert_int_equal(tx_view_inclusion(v, 0, 5, path, &n), TX_ERR_USAGE);
    assert_int_equal(tx_view_inclusion(v, 6, 5, path, &n), TX_ERR_USAGE);
    assert_int_equal(tx_view_inclusion(v, 1, 6, path, &n), TX_ERR_NOT_FOUND);
    assert_int_equal(tx_view_consistency(v, 0, 5, path, &n), TX_ERR_USAGE);
    assert_int_equal(tx_view_consistency(v, 4, 3, path, &n), TX_ERR_USAGE);
    assert_int_equal(tx_view_consistency(v, 2, 6, path, &n), TX_ERR_NOT_FOUND);
    assert_int_equal(tx_view_consistency(v, 5, 5, path, &n), TX_OK);
    assert_int_equal(n, 0);
    assert_int_equal(tx_view_root(v, 6, root), TX_ERR_NOT_FOUND);
    assert_int_equal(tx_view_leaf(v, 0, root), TX_ERR_USAGE);
    /* Paged leaves. */
    assert_int_equal(tx_view_leaves(v, 0, 2, &leaves, &n, &next), TX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(next, 2);
    assert_memory_equal(leaves, f->leaves, 64);
    free(leaves);
    assert_int_equal(tx_view_leaves(v, 2, 0, &leaves, &n, &next), TX_OK);
    assert_int_equal(n, 3);
    assert_int_equal(next, 0);
    assert_memory_equal(leaves, f->leaves[2], 96);
    free(leaves);
    assert_int_equal(tx_view_leaves(v, 5, 0, &leaves, &n, &next), TX_OK);
    assert_int_equal(n, 0);
    assert_null(leaves);
    assert_int_equal(tx_view_leaves(v, UINT64_MAX, 0, &leaves, &n, &next), TX_OK);
    assert_int_equal(n, 0);
    tx_view_end(&v);
}

/* Empties the nodes database the way a store written before the Merkle log looks. */
static void
drop_nodes(const char *dir)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;

    assert_int_equal(mdb_env_create(&env), MDB_SUCCESS);
    assert_int_equal(mdb_env_set_maxdbs(env, 16), MDB_SUCCESS);
    assert_int_equal(mdb_env_open(env, dir, MDB_NOTLS, 0600), MDB_SUCCESS);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), MDB_SUCCESS);
    assert_int_equal(mdb_dbi_open(txn, "nodes", 0, &dbi), MDB_SUCCESS);
    assert_int_equal(mdb_drop(txn, dbi, 1), MDB_SUCCESS);
    assert_int_equal(mdb_txn_commit(txn), MDB_SUCCESS);
    mdb_env_close(env);
}

static void
test_old_store_is_filled(void **state)
{
    fixture *f = *state;

    append(f, 37);
    append(f, 100);
    tx_store_close(&f->s);
    drop_nodes(f->dir);
    assert_int_equal(tx_store_open(f->dir, 0, &f->s), TX_OK);
    expect_all_roots(f);
    /* And the tree grows on from there. */
    append(f, 9);
    expect_all_roots(f);
}

static int64_t
checkpoint_time(fixture *f, tx_checkpoint_info *info)
{
    uint8_t *env;
    size_t len;

    assert_int_equal(tx_store_checkpoint(f->s, &env, &len, info), TX_OK);
    free(env);
    return info->time;
}

static void
test_checkpoints(void **state)
{
    fixture *f = *state;
    tx_identity *hub = th_identity("hub"), *other = th_identity("other");
    tx_checkpoint_info info;
    uint8_t root[32];
    uint8_t *env;
    size_t len;
    int made;

    /* Without a signer nothing is signed. */
    append(f, 3);
    assert_int_equal(tx_store_checkpoint(f->s, &env, &len, &info), TX_ERR_NOT_FOUND);
    assert_int_equal(tx_store_checkpoint_refresh(f->s, &made), TX_OK);
    assert_false(made);
    /* A refresh covers what was appended without one (enroll). */
    tx_store_set_signer(f->s, hub);
    setenv("TICSX_NOW", "@2000000000", 1);
    assert_int_equal(tx_store_checkpoint_refresh(f->s, &made), TX_OK);
    assert_true(made);
    assert_int_equal(tx_store_checkpoint_refresh(f->s, &made), TX_OK);
    assert_false(made);
    assert_int_equal(tx_store_checkpoint(f->s, &env, &len, &info), TX_OK);
    assert_int_equal(tx_checkpoint_read(env, len, hub->pub.sign, &info), TX_OK);
    assert_int_equal(tx_checkpoint_read(env, len, other->pub.sign, &info), TX_ERR_WRONG_KEY);
    /* A changed character of the signature's base64 (past the key hash): still a note. */
    env[len - 10] = env[len - 10] == 'A' ? 'B' : 'A';
    assert_int_equal(tx_checkpoint_read(env, len, hub->pub.sign, &info), TX_ERR_BAD_SIGNATURE);
    free(env);
    assert_int_equal(info.size, 3);
    assert_int_equal(info.time, 2000000000);
    expect_root(f, 3);
    assert_int_equal(tx_store_root(f->s, 3, root), TX_OK);
    assert_memory_equal(info.root, root, 32);

    /* Every commit that grows the log signs one, with the records, in the same transaction. */
    setenv("TICSX_NOW", "@2000000100", 1);
    append(f, 2);
    assert_int_equal(checkpoint_time(f, &info), 2000000100);
    assert_int_equal(info.size, 5);
    assert_int_equal(tx_store_root(f->s, 5, root), TX_OK);
    assert_memory_equal(info.root, root, 32);
    /* The clock going back does not take checkpoints with it. */
    setenv("TICSX_NOW", "@1000000000", 1);
    append(f, 1);
    assert_int_equal(checkpoint_time(f, &info), 2000000100);
    assert_int_equal(info.size, 6);
    /* Reopened: the latest is kept. */
    tx_store_close(&f->s);
    assert_int_equal(tx_store_open(f->dir, 0, &f->s), TX_OK);
    assert_int_equal(checkpoint_time(f, &info), 2000000100);
    assert_int_equal(info.size, 6);
    unsetenv("TICSX_NOW");
    tx_identity_destroy(&hub);
    tx_identity_destroy(&other);
}

/* A commit split from its record (tx_batch_commit_lmdb, then tx_store_record_signed, as the
 * hub's writer and signing threads do it): the database holds the checkpoint before
 * checkpoint.signed does, never the other way; a store reopened with the record lagging (a
 * kill between the two) catches the record up at its first refresh, and a refresh never takes
 * the record back. */
static void
test_signed_record_lags_never_leads(void **state)
{
    fixture *f = *state;
    tx_identity *hub = th_identity("hub");
    tx_checkpoint_info info;
    tx_signed_due due;
    tx_batch *b = NULL;
    tx_receipt r;
    uint8_t env[100], root[32];
    uint64_t size;
    int made;

    tx_store_set_signer(f->s, hub);
    append(f, 2);
    assert_int_equal(tx_signed_read(f->dir, &size, root), TX_OK);
    assert_int_equal(size, 2);

    randombytes_buf(env, sizeof env);
    assert_int_equal(tx_store_begin(f->s, &b), TX_OK);
    assert_int_equal(
        tx_batch_append(b, env, sizeof env, TX_KIND_QUESTIONNAIRE, signer, 3, NULL, 0, &r), TX_OK);
    assert_int_equal(tx_batch_commit_lmdb(&b, &due), TX_OK);
    assert_null(b);
    assert_true(due.due);
    assert_int_equal(due.size, 3);
    assert_int_equal(tx_store_root(f->s, 3, root), TX_OK);
    assert_memory_equal(due.root, root, 32);
    /* In the database, not yet in the file. */
    checkpoint_time(f, &info);
    assert_int_equal(info.size, 3);
    assert_int_equal(tx_signed_read(f->dir, &size, root), TX_OK);
    assert_int_equal(size, 2);

    /* Stopped there: the record lags; the first refresh after the reopen catches it up. */
    tx_store_close(&f->s);
    assert_int_equal(tx_store_open(f->dir, 0, &f->s), TX_OK);
    tx_store_set_signer(f->s, hub);
    assert_int_equal(tx_store_checkpoint_refresh(f->s, &made), TX_OK);
    assert_false(made);
    assert_int_equal(tx_signed_read(f->dir, &size, root), TX_OK);
    assert_int_equal(size, 3);
    assert_memory_equal(root, due.root, 32);

    /* A record ahead of the stored checkpoint (the database rolled back: the start refuses it)
     * is never taken back by a refresh. */
    assert_int_equal(tx_store_record_signed(f->s, &(tx_signed_due){1, 9, {0}}), TX_OK);
    assert_int_equal(tx_store_checkpoint_refresh(f->s, &made), TX_OK);
    assert_int_equal(tx_signed_read(f->dir, &size, root), TX_OK);
    assert_int_equal(size, 9);
    tx_store_set_signer(f->s, NULL);
    tx_identity_destroy(&hub);
}

/* What signing a checkpoint adds to a commit over a log of `size` records: root, signature
 * and put, timed inside batches of one record. */
static void
checkpoint_cost(fixture *f, uint64_t size)
{
    tx_identity *hub = th_identity("hub");
    uint8_t env[2500];
    double total = 0;
    const int rounds = 200;

    tx_store_set_signer(f->s, hub);
    for (int i = 0; i < rounds; i++) {
        struct timespec t0, t1;
        tx_batch *b = NULL;
        tx_receipt r;

        randombytes_buf(env, sizeof env);
        assert_int_equal(tx_store_begin(f->s, &b), TX_OK);
        assert_int_equal(tx_batch_append(b, env, sizeof env, TX_KIND_QUESTIONNAIRE, signer,
                                         size + (uint64_t)i + 1, NULL, 0, &r),
                         TX_OK);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(tx_mlog_checkpoint_batch(b), TX_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        assert_int_equal(tx_batch_commit(&b), TX_OK);
        total += (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
    }
    printf("a checkpoint over %llu records costs %.1f us per commit\n", (unsigned long long)size,
           total / rounds);
    tx_store_set_signer(f->s, NULL);
    tx_identity_destroy(&hub);
}

/* How long filling an old store takes; TX_MLOG_FILL=N records of 2.5 KB (default 2000). */
static void
test_fill_time(void **state)
{
    fixture *f = *state;
    const char *env_n = getenv("TX_MLOG_FILL");
    uint64_t total = env_n != NULL ? strtoull(env_n, NULL, 10) : 2000;
    uint8_t env[2500], root[32], want[32];
    struct timespec t0, t1;
    tx_view *v;
    uint8_t(*leaves)[32] = NULL;
    uint64_t next, after = 0;
    size_t n;

    tx_store_close(&f->s);
    assert_int_equal(tx_store_open(f->dir, (size_t)(total / 1000 + 1) * (8u << 20), &f->s), TX_OK);
    for (uint64_t done = 0; done < total;) {
        tx_batch *b = NULL;
        assert_int_equal(tx_store_begin(f->s, &b), TX_OK);
        for (int i = 0; i < 1000 && done < total; i++, done++) {
            tx_receipt r;
            randombytes_buf(env, sizeof env);
            assert_int_equal(tx_batch_append(b, env, sizeof env, TX_KIND_QUESTIONNAIRE, signer,
                                             done + 1, NULL, 0, &r),
                             TX_OK);
        }
        assert_int_equal(tx_batch_commit(&b), TX_OK);
    }
    assert_int_equal(tx_store_root(f->s, total, want), TX_OK);
    tx_store_close(&f->s);
    drop_nodes(f->dir);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(tx_store_open(f->dir, 0, &f->s), TX_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(tx_store_root(f->s, total, root), TX_OK);
    assert_memory_equal(root, want, 32);
    printf("filled the Merkle tree of %llu records of 2.5 KB in %.3f s\n",
           (unsigned long long)total,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    /* All leaf hashes, page by page. */
    assert_int_equal(tx_store_view(f->s, &v), TX_OK);
    do {
        assert_int_equal(tx_view_leaves(v, after, 0, &leaves, &n, &next), TX_OK);
        after += n;
        free(leaves);
    } while (next != 0);
    assert_int_equal(after, total);
    tx_view_end(&v);
    checkpoint_cost(f, total);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_by_one_to_40, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batches_to_1000_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_store_is_filled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signed_record_lags_never_leads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fill_time, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

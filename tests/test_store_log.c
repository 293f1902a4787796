/* The store's log kept in parts (index | part): envelopes of every size around the part size
 * come back byte for byte by id and by list, logs written before parts (index -> whole
 * envelope) are still read and appended to, and a missing part is reported as damage. */
#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_store.h"

#include <lmdb.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#define PART 490 /* TX_LOG_PART */

static const size_t sizes[] = {1,    2,    489,  490,  491,   979,    980,     981,
                               2433, 4096, 4410, 4411, 65536, 100003, 1u << 20};

static uint8_t signer[TX_KEY_LEN];

/* Appends `len` random bytes as a public record with seq; returns them (caller frees). */
static uint8_t *
append(tx_store *s, size_t len, uint64_t seq, uint8_t id[TX_ID_LEN], uint64_t *index)
{
    uint8_t *env = malloc(len);
    tx_batch *b = NULL;
    tx_receipt r;

    assert_non_null(env);
    randombytes_buf(env, len);
    assert_int_equal(tx_store_begin(s, &b), TX_OK);
    assert_int_equal(tx_batch_append(b, env, len, TX_KIND_QUESTIONNAIRE, signer, seq, NULL, 0, &r),
                     TX_OK);
    assert_int_equal(tx_batch_commit(&b), TX_OK);
    assert_false(r.duplicate);
    memcpy(id, r.id, TX_ID_LEN);
    *index = r.index;
    return env;
}

static void
expect_get(tx_store *s, const uint8_t id[TX_ID_LEN], const uint8_t *env, size_t len)
{
    tx_entry e;

    assert_int_equal(tx_store_get(s, id, NULL, &e), TX_OK);
    assert_int_equal(e.len, len);
    assert_memory_equal(e.env, env, len);
    free(e.env);
}

static void
test_sizes_round_trip(void **state)
{
    enum { N = sizeof sizes / sizeof sizes[0] };
    char *dir = th_tmpdir();
    uint8_t *envs[N], ids[N][TX_ID_LEN];
    uint64_t index, last = 0, next = 0, after = 0;
    tx_store *s = NULL;
    tx_entry *ents;
    size_t n, seen = 0;

    (void)state;
    assert_int_equal(tx_store_open(dir, 64u << 20, &s), TX_OK);
    for (size_t i = 0; i < N; i++) {
        envs[i] = append(s, sizes[i], i + 1, ids[i], &index);
        assert_int_equal(index, i + 1);
    }
    for (size_t i = 0; i < N; i++) {
        expect_get(s, ids[i], envs[i], sizes[i]);
    }
    assert_int_equal(tx_store_last_index(s, &last), TX_OK);
    assert_int_equal(last, N);
    /* Listed in log order with the same bytes, a page at a time. */
    do {
        assert_int_equal(tx_store_list(s, TX_KIND_QUESTIONNAIRE, NULL, after, 4, &ents, &n, &next),
                         TX_OK);
        for (size_t k = 0; k < n; k++, seen++) {
            assert_int_equal(ents[k].index, seen + 1);
            assert_int_equal(ents[k].len, sizes[seen]);
            assert_memory_equal(ents[k].env, envs[seen], sizes[seen]);
        }
        tx_entries_free(ents, n);
        after = next;
    } while (next != 0);
    assert_int_equal(seen, N);
    /* Reopened: all of it still there. */
    tx_store_close(&s);
    assert_int_equal(tx_store_open(dir, 0, &s), TX_OK);
    for (size_t i = 0; i < N; i++) {
        expect_get(s, ids[i], envs[i], sizes[i]);
        free(envs[i]);
    }
    tx_store_close(&s);
    th_rmtree(dir);
    free(dir);
}

/* Opens the environment directly, as LMDB, with its "log" database. */
static void
raw_open(const char *dir, MDB_env **env, MDB_txn **txn, MDB_dbi *log)
{
    assert_int_equal(mdb_env_create(env), MDB_SUCCESS);
    assert_int_equal(mdb_env_set_maxdbs(*env, 16), MDB_SUCCESS);
    assert_int_equal(mdb_env_open(*env, dir, MDB_NOTLS, 0600), MDB_SUCCESS);
    assert_int_equal(mdb_txn_begin(*env, NULL, 0, txn), MDB_SUCCESS);
    assert_int_equal(mdb_dbi_open(*txn, "log", 0, log), MDB_SUCCESS);
}

static void
be64(uint8_t *out, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
}

static void
test_whole_entries_still_read(void **state)
{
    char *dir = th_tmpdir();
    uint8_t ida[TX_ID_LEN], idb[TX_ID_LEN], key[10];
    uint8_t *a, *b;
    uint64_t index, last;
    tx_store *s = NULL;
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi log;
    MDB_val k, v;

    (void)state;
    assert_int_equal(tx_store_open(dir, 64u << 20, &s), TX_OK);
    a = append(s, 2 * PART + 7, 1, ida, &index);
    tx_store_close(&s);
    /* Rewrite entry 1 the way logs were kept before parts: index -> whole envelope. */
    raw_open(dir, &env, &txn, &log);
    be64(key, 1);
    for (unsigned part = 0; part < 3; part++) {
        key[8] = 0;
        key[9] = (uint8_t)part;
        k = (MDB_val){10, key};
        assert_int_equal(mdb_del(txn, log, &k, NULL), MDB_SUCCESS);
    }
    k = (MDB_val){8, key};
    v = (MDB_val){2 * PART + 7, a};
    assert_int_equal(mdb_put(txn, log, &k, &v, 0), MDB_SUCCESS);
    assert_int_equal(mdb_txn_commit(txn), MDB_SUCCESS);
    mdb_env_close(env);

    assert_int_equal(tx_store_open(dir, 0, &s), TX_OK);
    expect_get(s, ida, a, 2 * PART + 7);
    assert_int_equal(tx_store_last_index(s, &last), TX_OK);
    assert_int_equal(last, 1);
    /* Appending after a whole entry: parts sort after it. */
    b = append(s, 3000, 2, idb, &index);
    assert_int_equal(index, 2);
    expect_get(s, ida, a, 2 * PART + 7);
    expect_get(s, idb, b, 3000);
    assert_int_equal(tx_store_last_index(s, &last), TX_OK);
    assert_int_equal(last, 2);
    tx_store_close(&s);
    free(a);
    free(b);
    th_rmtree(dir);
    free(dir);
}

static void
test_missing_part_is_damage(void **state)
{
    char *dir = th_tmpdir();
    uint8_t id[TX_ID_LEN], key[10];
    uint8_t *a;
    uint64_t index;
    tx_store *s = NULL;
    tx_entry e;
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi log;
    MDB_val k;

    (void)state;
    assert_int_equal(tx_store_open(dir, 64u << 20, &s), TX_OK);
    a = append(s, 3 * PART, 1, id, &index);
    tx_store_close(&s);
    raw_open(dir, &env, &txn, &log);
    be64(key, 1);
    key[8] = 0;
    key[9] = 1;
    k = (MDB_val){10, key};
    assert_int_equal(mdb_del(txn, log, &k, NULL), MDB_SUCCESS);
    assert_int_equal(mdb_txn_commit(txn), MDB_SUCCESS);
    mdb_env_close(env);

    assert_int_equal(tx_store_open(dir, 0, &s), TX_OK);
    assert_int_equal(tx_store_get(s, id, NULL, &e), TX_ERR_STORAGE);
    tx_store_close(&s);
    free(a);
    th_rmtree(dir);
    free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_round_trip),
        cmocka_unit_test(test_whole_entries_still_read),
        cmocka_unit_test(test_missing_part_is_damage),
    };

    if (sodium_init() < 0) {
        return 1;
    }
    randombytes_buf(signer, sizeof signer);
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The read path's building blocks: the id map keeps the first value per key and survives
 * growth; the parallel loop runs every index exactly once; a record is verified once per
 * process, and bytes that differ by one bit (another id) are still checked and refused, also
 * when they come from the cache under their own name; the cache's batch write stores every
 * record readable under its hash in one environment, and a batch read returns each. */
#include "tx_client.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_home.h"
#include "tx_idmap.h"
#include "tx_pool.h"
#include "tx_util.h"

#include <limits.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static void
test_idmap(void **state)
{
    enum { N = 50000 };
    tx_idmap m = {0};
    uint8_t key[TX_IDMAP_KEY];
    int added;
    (void)state;

    memset(key, 0, sizeof key);
    assert_null(tx_idmap_get(&m, key));
    for (size_t i = 0; i < N; i++) {
        memset(key, 0, sizeof key);
        memcpy(key + 8, &i, sizeof i);
        assert_non_null(tx_idmap_put(&m, key, i, &added));
        assert_true(added);
    }
    for (size_t i = 0; i < N; i++) {
        memset(key, 0, sizeof key);
        memcpy(key + 8, &i, sizeof i);
        /* A second put keeps the first value and says so. */
        assert_int_equal(*tx_idmap_put(&m, key, i + 1, &added), i);
        assert_false(added);
        assert_int_equal(*tx_idmap_get(&m, key), i);
    }
    key[0] = 1;
    assert_null(tx_idmap_get(&m, key));
    assert_int_equal(m.n, N);
    tx_idmap_free(&m);
    assert_null(tx_idmap_get(&m, key));
}

typedef struct {
    atomic_int *hits;
} pool_ctx;

static void
hit(void *ctx, size_t i)
{
    atomic_fetch_add(&((pool_ctx *)ctx)->hits[i], 1);
}

static void
test_pool_every_index_once(void **state)
{
    const size_t sizes[] = {0, 1, 7, 8, 9, 1000, 100003};
    (void)state;

    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        pool_ctx c = {calloc(sizes[s] + 1, sizeof *c.hits)};
        tx_pool_for(sizes[s], hit, &c);
        for (size_t i = 0; i < sizes[s]; i++) {
            assert_int_equal(atomic_load(&c.hits[i]), 1);
        }
        assert_int_equal(atomic_load(&c.hits[sizes[s]]), 0);
        free(c.hits);
    }
    assert_true(tx_pool_threads() >= 1);
}

static uint8_t *
signed_profile(const tx_identity *id, size_t *len)
{
    tx_profile_pb p = TICSX__V1__ORG_PROFILE__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    uint8_t *env = NULL;

    meta.seq = 1;
    p.meta = &meta;
    p.legal_name = (char *)id->pub.name;
    p.seal_key.data = (uint8_t *)id->pub.seal;
    p.seal_key.len = 32;
    p.transport_key.data = (uint8_t *)id->pub.curve;
    p.transport_key.len = 32;
    assert_int_equal(tx_envelope_sign_msg(id, TX_KIND_PROFILE, &p.base, &env, len), TX_OK);
    return env;
}

static uint8_t *
dup_bytes(const uint8_t *b, size_t len)
{
    uint8_t *c = malloc(len);
    assert_non_null(c);
    memcpy(c, b, len);
    return c;
}

static void
test_verified_once_and_tamper_still_refused(void **state)
{
    tx_identity *id = NULL;
    tx_rec r = {0};
    size_t len;
    uint8_t *env;
    unsigned long before;
    (void)state;

    assert_int_equal(tx_identity_generate("Read Path Co", &id), TX_OK);
    env = signed_profile(id, &len);
    before = tx_rec_verifications();
    assert_int_equal(tx_rec_open(&r, dup_bytes(env, len), len, TX_KIND_PROFILE), TX_OK);
    tx_rec_clear(&r);
    assert_int_equal(tx_rec_verifications(), before + 1);
    /* The same bytes again: decoded, not checked a second time. */
    assert_int_equal(tx_rec_open(&r, dup_bytes(env, len), len, TX_KIND_PROFILE), TX_OK);
    tx_rec_clear(&r);
    assert_int_equal(tx_rec_verifications(), before + 1);
    /* One flipped bit in the signature: other bytes, another id, checked and refused, every
     * time. */
    env[len - 1] ^= 0x01;
    for (int k = 0; k < 2; k++) {
        assert_int_equal(tx_rec_open(&r, dup_bytes(env, len), len, TX_KIND_PROFILE),
                         TX_ERR_BAD_SIGNATURE);
        tx_rec_clear(&r);
    }
    assert_int_equal(tx_rec_verifications(), before + 3);
    free(env);
    tx_identity_destroy(&id);
}

static void
test_cache_batch_and_bad_signature(void **state)
{
    enum { N = 40 };
    char tmpl[] = "/tmp/tx-readpath-XXXXXX", path[PATH_MAX];
    tx_identity *id = NULL, *org = NULL;
    tx_home *home = NULL;
    uint8_t *envs[N];
    size_t lens[N];
    uint8_t id0[TX_ID_LEN], bad_id[TX_ID_LEN];
    tx_rec r = {0};
    (void)state;

    assert_non_null(mkdtemp(tmpl));
    assert_int_equal(tx_identity_generate("Buyer", &id), TX_OK);
    assert_int_equal(tx_identity_save(id, tmpl, "identity"), TX_OK);
    assert_int_equal(tx_home_open(tmpl, &home), TX_OK);
    for (size_t i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof name, "Supplier %zu", i);
        assert_int_equal(tx_identity_generate(name, &org), TX_OK);
        envs[i] = signed_profile(org, &lens[i]);
        tx_identity_destroy(&org);
    }
    assert_int_equal(tx_home_cache_put_many(home, N, (const uint8_t *const *)envs, lens, NULL),
                     TX_OK);
    for (size_t i = 0; i < N; i++) {
        uint8_t rid[TX_ID_LEN];
        tx_record_id(envs[i], lens[i], rid);
        assert_int_equal(tx_rec_from_cache(home, rid, TX_KIND_PROFILE, &r), TX_OK);
        assert_memory_equal(r.bytes, envs[i], lens[i]);
        tx_rec_clear(&r);
    }
    tx_record_id(envs[0], lens[0], id0);
    /* A copy with a broken signature stored under its own hash: the hash check passes, the
     * open refuses it. */
    envs[0][lens[0] - 1] ^= 0x80;
    assert_int_equal(tx_home_cache_put(home, envs[0], lens[0], bad_id), TX_OK);
    assert_memory_not_equal(bad_id, id0, TX_ID_LEN);
    assert_int_equal(tx_rec_from_cache(home, bad_id, TX_KIND_PROFILE, &r), TX_ERR_BAD_SIGNATURE);
    tx_rec_clear(&r);
    /* The cache holds those records and nothing else, in one environment (no file per
     * record); a batch read returns each as the single read does. */
    {
        uint8_t(*ids)[TX_ID_LEN] = NULL, *got[3];
        size_t n = 0, got_len[3];
        int rcs[3];
        struct stat st;

        assert_int_equal(tx_home_cache_list(home, &ids, &n), TX_OK);
        assert_int_equal(n, N + 1);
        memcpy(ids[0], id0, TX_ID_LEN);
        memset(ids[1], 0x5a, TX_ID_LEN); /* not cached */
        memcpy(ids[2], bad_id, TX_ID_LEN);
        assert_int_equal(
            tx_home_cache_read_many(home, 3, (const uint8_t(*)[TX_ID_LEN])ids, got, got_len, rcs),
            TX_ERR_NOT_FOUND);
        assert_int_equal(rcs[0], TX_OK);
        assert_int_equal(got_len[0], lens[0]);
        assert_int_equal(rcs[1], TX_ERR_NOT_FOUND);
        assert_null(got[1]);
        assert_int_equal(rcs[2], TX_OK);
        assert_memory_equal(got[2], envs[0], lens[0]);
        for (int k = 0; k < 3; k++) {
            free(got[k]);
        }
        free(ids);
        snprintf(path, sizeof path, "%s/records", tmpl);
        assert_int_equal(stat(path, &st), -1);
        snprintf(path, sizeof path, "%s/cache/data.mdb", tmpl);
        assert_int_equal(stat(path, &st), 0);
    }
    for (size_t i = 0; i < N; i++) {
        free(envs[i]);
    }
    tx_home_destroy(&home);
    tx_identity_destroy(&id);
    {
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpl);
        assert_int_equal(system(cmd), 0);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idmap),
        cmocka_unit_test(test_pool_every_index_once),
        cmocka_unit_test(test_verified_once_and_tamper_still_refused),
        cmocka_unit_test(test_cache_batch_and_bad_signature),
    };

    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}

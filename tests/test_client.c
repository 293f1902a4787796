/* The client's home: the sequence counter (monotonic across reopen and across processes), the
 * identity's file permissions, the record cache (round trip; a flipped byte is refused), content
 * keys and the inbox cursor; and verification from the cache, with each attack on a granted
 * assessment refused for its reason. */
#include "harness.h"
#include "tx_cache_kept.h"
#include "tx_cache_scan.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_home.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"
#include "tx_seal.h"
#include "tx_util.h"
#include "tx_verify.h"
#include "tx_verify_ahead.h"

#include <fcntl.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static tx_identity *
new_identity(const char *name)
{
    tx_identity *id = NULL;

    assert_int_equal(tx_identity_generate(name, &id), TX_OK);
    return id;
}

/* A home directory holding a fresh identity; *id_out (may be NULL) gets it. */
static char *
new_home(const char *name, tx_identity **id_out)
{
    char *dir = th_tmpdir();
    tx_identity *id = new_identity(name);

    assert_int_equal(tx_identity_save(id, dir, "identity"), TX_OK);
    if (id_out != NULL) {
        *id_out = id;
    } else {
        tx_identity_destroy(&id);
    }
    return dir;
}

static void
test_seq_monotonic_across_reopen(void **state)
{
    char *dir = new_home("seq", NULL);
    tx_home *home = NULL;
    uint64_t first = 0, last = 0;
    (void)state;

    assert_int_equal(tx_seq_take(dir, 1, &first), TX_OK);
    assert_int_equal(first, 1);
    assert_int_equal(tx_seq_take(dir, 3, &first), TX_OK);
    assert_int_equal(first, 2);
    assert_int_equal(tx_home_open(dir, &home), TX_OK);
    tx_home_destroy(&home);
    assert_null(home);
    assert_int_equal(tx_home_open(dir, &home), TX_OK);
    assert_int_equal(tx_seq_take(tx_home_dir(home), 1, &first), TX_OK);
    assert_int_equal(first, 5);
    tx_home_destroy(&home);
    assert_int_equal(tx_seq_take(dir, 0, &first), TX_ERR_USAGE);

    /* Four processes drawing at once never get the same number. */
    enum { KIDS = 4, EACH = 40 };
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    for (int k = 0; k < KIDS; k++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            for (int i = 0; i < EACH; i++) {
                uint64_t v = 0;
                if (tx_seq_take(dir, 1, &v) != TX_OK || write(fds[1], &v, sizeof v) != sizeof v) {
                    _exit(1);
                }
            }
            free(dir); /* the child's copy, so a leak checker following it stays quiet */
            _exit(0);
        }
    }
    close(fds[1]);
    uint8_t seen[5 + KIDS * EACH + 1] = {0};
    uint64_t v;
    size_t got = 0;
    while (read(fds[0], &v, sizeof v) == sizeof v) {
        assert_true(v >= 6 && v <= 5 + KIDS * EACH);
        assert_int_equal(seen[v], 0);
        seen[v] = 1;
        got++;
        last = v > last ? v : last;
    }
    close(fds[0]);
    for (int k = 0; k < KIDS; k++) {
        int status;
        wait(&status);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    assert_int_equal(got, KIDS * EACH);
    assert_int_equal(last, 5 + KIDS * EACH);
    assert_int_equal(tx_seq_take(dir, 1, &first), TX_OK);
    assert_int_equal(first, 6 + KIDS * EACH);

    /* A damaged counter is refused, not reset. */
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/seq", dir);
    th_write_file(path, "twelve\n");
    assert_int_equal(tx_seq_take(dir, 1, &first), TX_ERR_MALFORMED);
    th_rmtree(dir);
    free(dir);
}

static void
test_home_permissions(void **state)
{
    char *dir = new_home("perm", NULL);
    char path[PATH_MAX];
    tx_home *home = NULL;
    (void)state;

    snprintf(path, sizeof path, "%s/identity.key", dir);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(tx_home_open(dir, &home), TX_ERR_PERM);
    assert_null(home);
    assert_non_null(strstr(tx_fail_msg(), "chmod 600"));
    assert_non_null(strstr(tx_fail_msg(), path));
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(tx_home_open(dir, &home), TX_OK);
    tx_home_destroy(&home);

    /* No identity: a usage error that says to run keygen. */
    char *empty = th_tmpdir();
    assert_int_equal(tx_home_open(empty, &home), TX_ERR_USAGE);
    assert_non_null(strstr(tx_fail_msg(), "keygen"));
    th_rmtree(empty);
    free(empty);

    char out[PATH_MAX];
    setenv("TICSX_HOME", "/somewhere/else", 1);
    assert_int_equal(tx_home_resolve(NULL, out, sizeof out), TX_OK);
    assert_string_equal(out, "/somewhere/else");
    assert_int_equal(tx_home_resolve("/given", out, sizeof out), TX_OK);
    assert_string_equal(out, "/given");
    unsetenv("TICSX_HOME");
    setenv("HOME", "/home/u", 1);
    assert_int_equal(tx_home_resolve(NULL, out, sizeof out), TX_OK);
    assert_string_equal(out, "/home/u/.config/ticsx");
    th_rmtree(dir);
    free(dir);
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

static int
want_profiles(void *ctx, int kind, const uint8_t *signer)
{
    (void)ctx;
    (void)signer;
    return kind == TX_KIND_PROFILE;
}

/* Counts the records a scan hands on and keeps the last one's bytes in ctx (a scanned). */
typedef struct {
    size_t n;
    uint8_t bytes[4096];
    size_t len;
} scanned;

static int
count_scanned(void *ctx, const tx_rec *rec, uint64_t log_index)
{
    scanned *s = ctx;

    (void)log_index;
    assert_true(rec->len <= sizeof s->bytes);
    memcpy(s->bytes, rec->bytes, rec->len);
    s->len = rec->len;
    s->n++;
    return TX_OK;
}

/* tx_cache_scan hands on the profile it wants, byte for byte, and leaves it out once damaged. */
static size_t
scan_profiles(tx_home *home, const uint8_t *env, size_t len)
{
    scanned s = {0};

    assert_int_equal(tx_cache_scan(home, want_profiles, count_scanned, &s), TX_OK);
    if (s.n > 0) {
        assert_int_equal(s.len, len);
        assert_memory_equal(s.bytes, env, len);
    }
    return s.n;
}

static void
test_cache_round_trip_and_tamper(void **state)
{
    tx_identity *id = NULL;
    char *dir = new_home("cache", &id);
    tx_home *home = NULL;
    uint8_t rid[TX_ID_LEN] = {0}, rid2[TX_ID_LEN] = {0};
    uint8_t *env, *got = NULL;
    size_t len, got_len = 0;
    uint8_t(*ids)[TX_ID_LEN] = NULL;
    size_t n = 0;
    char path[PATH_MAX], hex[2 * TX_ID_LEN + 1];
    (void)state;

    assert_int_equal(tx_home_open(dir, &home), TX_OK);
    env = signed_profile(id, &len);
    assert_int_equal(tx_home_cache_get(home, rid, &got, &got_len), TX_ERR_NOT_FOUND);
    assert_int_equal(tx_home_cache_put(home, env, len, rid), TX_OK);
    assert_int_equal(tx_home_cache_put(home, env, len, NULL), TX_OK); /* again: fine */
    assert_int_equal(tx_home_cache_get(home, rid, &got, &got_len), TX_OK);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, env, len);
    free(got);
    assert_int_equal(tx_home_cache_list(home, &ids, &n), TX_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(ids[0], rid, TX_ID_LEN);
    free(ids);
    assert_int_equal(scan_profiles(home, env, len), 1);

    /* One flipped byte anywhere in the stored value (changed with LMDB itself, the home
     * closed): the hash no longer matches the id. */
    tx_hex(hex, rid, TX_ID_LEN);
    for (size_t at = 0; at < len; at += 13) {
        uint8_t *bad = malloc(len);
        memcpy(bad, env, len);
        bad[at] ^= 0x01;
        tx_home_destroy(&home);
        th_cache_set(dir, "records", hex, bad, len);
        assert_int_equal(tx_home_open(dir, &home), TX_OK);
        assert_int_equal(tx_home_cache_get(home, rid, &got, &got_len), TX_ERR_CHECKSUM);
        assert_null(got);
        /* The scan hashes what it hands on: damaged, the profile is left out (or, its kind
         * unreadable, not wanted). */
        assert_int_equal(scan_profiles(home, env, len), 0);
        free(bad);
    }
    /* Storing the record's bytes again replaces the damaged copy. */
    assert_int_equal(tx_home_cache_put(home, env, len, NULL), TX_OK);
    assert_int_equal(tx_home_cache_get(home, rid, &got, &got_len), TX_OK);
    free(got);
    got = NULL;

    /* A record stored under its own (new) hash whose signature no longer verifies. */
    env[len - 1] ^= 0x80;
    assert_int_equal(tx_home_cache_put(home, env, len, rid2), TX_OK);
    assert_int_equal(tx_home_cache_get(home, rid2, &got, &got_len), TX_ERR_BAD_SIGNATURE);
    assert_null(got);
    free(env);

    /* Content keys: 0600, round trip; a widened file is refused. */
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN), *back = sodium_malloc(TX_CONTENT_KEY_LEN);
    struct stat st;
    randombytes_buf(key, TX_CONTENT_KEY_LEN);
    assert_int_equal(tx_home_key_put(home, rid, key), TX_OK);
    snprintf(path, sizeof path, "%s/keys/%s", dir, hex);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(tx_home_key_get(home, rid, back), TX_OK);
    assert_memory_equal(key, back, TX_CONTENT_KEY_LEN);
    chmod(path, 0640);
    assert_int_equal(tx_home_key_get(home, rid, back), TX_ERR_PERM);
    assert_int_equal(tx_home_key_get(home, rid2, back), TX_ERR_NOT_FOUND);
    sodium_free(key);
    sodium_free(back);

    /* Inbox cursor. */
    uint64_t r = 9, g = 9;
    assert_int_equal(tx_home_cursor_load(home, &r, &g), TX_OK);
    assert_int_equal(r, 0);
    assert_int_equal(g, 0);
    assert_int_equal(tx_home_cursor_save(home, 12, 30), TX_OK);
    assert_int_equal(tx_home_cursor_load(home, &r, &g), TX_OK);
    assert_int_equal(r, 12);
    assert_int_equal(g, 30);

    tx_home_destroy(&home);
    tx_identity_destroy(&id);
    th_rmtree(dir);
    free(dir);
}

/* Writes bytes to dir/sub/hex, as an old home kept its cache. */
static void
old_file(const char *dir, const char *sub, const char *hex, const void *bytes, size_t len)
{
    char path[PATH_MAX];

    snprintf(path, sizeof path, "%s/%s", dir, sub);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, hex);
    assert_int_equal(tx_file_replace(path, bytes, len, 0600), TX_OK);
}

/* The permission bits of dir/rel, -1 when it does not exist. */
static int
mode_of(const char *dir, const char *rel)
{
    char path[PATH_MAX];
    struct stat st;

    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

/* A home from before the cache environment (records/ and proofs/ files) is migrated on first
 * use: its records and markers are imported as they were (a damaged one still reads as
 * damaged), the old directories are removed, and a migration that stopped half-way (some
 * records imported, their files not yet removed) completes. */
static void
test_cache_migrates_old_home(void **state)
{
    tx_identity *id = NULL;
    char *dir = new_home("migrate", &id);
    tx_home *home = NULL;
    uint8_t a[TX_ID_LEN], b[TX_ID_LEN], (*ids)[TX_ID_LEN] = NULL, *got = NULL;
    char ahex[2 * TX_ID_LEN + 1], bhex[2 * TX_ID_LEN + 1], path[PATH_MAX];
    size_t alen, blen, n = 0, got_len = 0;
    uint64_t index = 0, size = 0;
    uint8_t *aenv, *benv;
    (void)state;

    aenv = signed_profile(id, &alen);
    tx_record_id(aenv, alen, a);
    tx_identity_destroy(&id);
    id = new_identity("migrate-b");
    benv = signed_profile(id, &blen);
    tx_record_id(benv, blen, b);
    tx_hex(ahex, a, TX_ID_LEN);
    tx_hex(bhex, b, TX_ID_LEN);
    old_file(dir, "records", ahex, aenv, alen);
    old_file(dir, "proofs", ahex, "3 7\n", 4);
    benv[blen / 2] ^= 0x04; /* damaged on disk */
    old_file(dir, "records", bhex, benv, blen);
    old_file(dir, "records", "x.tmp.1.2", "torn", 4);
    /* Interrupted: a was imported already, its files not removed yet. */
    th_cache_set(dir, "records", ahex, aenv, alen);

    assert_int_equal(tx_home_open(dir, &home), TX_OK);
    assert_int_equal(tx_home_cache_list(home, &ids, &n), TX_OK);
    assert_int_equal(n, 2);
    free(ids);
    assert_int_equal(tx_home_cache_get(home, a, &got, &got_len), TX_OK);
    assert_int_equal(got_len, alen);
    assert_memory_equal(got, aenv, alen);
    free(got);
    assert_int_equal(tx_home_cache_read(home, b, &got, &got_len), TX_ERR_CHECKSUM);
    assert_int_equal(tx_home_proof_get(home, a, &index, &size), TX_OK);
    assert_int_equal(index, 3);
    assert_int_equal(size, 7);
    assert_int_equal(tx_home_proof_get(home, b, &index, &size), TX_ERR_NOT_FOUND);
    assert_int_equal(mode_of(dir, "records"), -1);
    assert_int_equal(mode_of(dir, "proofs"), -1);
    assert_int_equal(mode_of(dir, "cache"), 0700);
    assert_int_equal(mode_of(dir, "cache/data.mdb"), 0600);
    assert_int_equal(mode_of(dir, "cache/lock.mdb"), 0600);
    tx_home_destroy(&home);

    /* A home that another user could write into the cache of is refused. */
    snprintf(path, sizeof path, "%s/cache", dir);
    chmod(path, 0770);
    assert_int_equal(tx_home_open(dir, &home), TX_ERR_PERM);
    chmod(path, 0700);

    free(aenv);
    free(benv);
    tx_identity_destroy(&id);
    th_rmtree(dir);
    free(dir);
}

#define BLOB_LEN (512u << 10)
#define BLOBS 80 /* per writer: two of them fill more than the 64 MiB a cache starts with */

/* Stores BLOBS distinct blobs (the cache takes any bytes under their hash) tagged `who`, in
 * batches of 8, then reads every one back. */
static void
write_blobs(tx_home *home, int who)
{
    uint8_t *blob = malloc(BLOB_LEN * 8), *got = NULL;
    const uint8_t *envs[8];
    size_t lens[8], got_len;

    assert_non_null(blob);
    for (int i = 0; i < BLOBS; i += 8) {
        for (int k = 0; k < 8; k++) {
            memset(blob + (size_t)k * BLOB_LEN, who, BLOB_LEN);
            memcpy(blob + (size_t)k * BLOB_LEN, &i, sizeof i);
            blob[(size_t)k * BLOB_LEN + sizeof i] = (uint8_t)k;
            envs[k] = blob + (size_t)k * BLOB_LEN;
            lens[k] = BLOB_LEN;
        }
        assert_int_equal(tx_home_cache_put_many(home, 8, envs, lens, NULL), TX_OK);
        for (int k = 0; k < 8; k++) {
            uint8_t rid[TX_ID_LEN];
            tx_record_id(envs[k], lens[k], rid);
            assert_int_equal(tx_home_cache_read(home, rid, &got, &got_len), TX_OK);
            assert_int_equal(got_len, BLOB_LEN);
            free(got);
        }
    }
    free(blob);
}

/* Two processes write one home's cache at once (as ticsx ui and a ticsx fetch in a terminal
 * would), together past the map the cache starts with: both succeed, the map grows, and a
 * third sees every record of both. Two homes of one process on one directory share the
 * environment. */
static void
test_cache_two_processes(void **state)
{
    char *dir = new_home("procs", NULL);
    tx_home *home = NULL, *again = NULL;
    uint8_t(*ids)[TX_ID_LEN] = NULL;
    size_t n = 0;
    int go[2], status;
    pid_t pid[2];
    (void)state;

    assert_int_equal(pipe(go), 0);
    for (int w = 0; w < 2; w++) {
        pid[w] = fork();
        assert_true(pid[w] >= 0);
        if (pid[w] == 0) {
            char c, own[PATH_MAX];
            tx_home *h = NULL;
            /* The child's copy of the heap is its own to free (valgrind checks it at exit). */
            snprintf(own, sizeof own, "%s", dir);
            free(dir);
            close(go[1]);
            if (read(go[0], &c, 1) != 0 || tx_home_open(own, &h) != TX_OK) {
                _exit(2);
            }
            write_blobs(h, 'a' + w);
            tx_home_destroy(&h);
            _exit(0);
        }
    }
    close(go[0]);
    close(go[1]); /* both start now */
    for (int w = 0; w < 2; w++) {
        assert_int_equal(waitpid(pid[w], &status, 0), pid[w]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(tx_home_open(dir, &home), TX_OK);
    assert_int_equal(tx_home_open(dir, &again), TX_OK);
    assert_int_equal(tx_home_cache_list(home, &ids, &n), TX_OK);
    assert_int_equal(n, 2 * BLOBS);
    free(ids);
    assert_int_equal(tx_home_cache_list(again, &ids, &n), TX_OK);
    assert_int_equal(n, 2 * BLOBS);
    free(ids);
    tx_home_destroy(&again);
    assert_int_equal(tx_home_cache_list(home, &ids, &n), TX_OK); /* still open */
    assert_int_equal(n, 2 * BLOBS);
    free(ids);
    tx_home_destroy(&home);
    th_rmtree(dir);
    free(dir);
}

/* ---- verification from the cache ---- */

/* Ways to build a granted assessment, each an attack or fault verification must catch. */
typedef struct {
    int key_to_other;    /* content key sealed to another organisation */
    int grant_by_other;  /* grant signed by someone other than the author */
    int flip_ciphertext; /* ciphertext altered (outer record re-signed) */
    int inner_by_other;  /* inner assessment signed by another key */
    int grantee_other;   /* the grant names another organisation */
    int64_t valid_until; /* 0: a year from now */
    int grant_unproven;  /* the grant cached without a proof marker (no fetch proved it) */
} variant;

static uint8_t last_grant[TX_ID_LEN]; /* the id of the grant build() cached last */

typedef struct {
    tx_identity *buyer, *supplier, *other;
    char *dir;
    tx_home *home;
} world;

static int
world_setup(void **state)
{
    world *w = calloc(1, sizeof *w);

    w->dir = new_home("Buyer KK", &w->buyer);
    w->supplier = new_identity("Supplier KK");
    w->other = new_identity("Other KK");
    assert_int_equal(tx_home_open(w->dir, &w->home), TX_OK);
    *state = w;
    return 0;
}

static int
world_teardown(void **state)
{
    world *w = *state;

    tx_home_destroy(&w->home);
    tx_identity_destroy(&w->buyer);
    tx_identity_destroy(&w->supplier);
    tx_identity_destroy(&w->other);
    th_rmtree(w->dir);
    free(w->dir);
    free(w);
    return 0;
}

/* Caches a record with a proof marker, as a fetch that proved it would (no hub here). */
static void
put(world *w, const uint8_t *env, size_t len, uint8_t id[TX_ID_LEN])
{
    static uint64_t index;
    uint8_t got[TX_ID_LEN];

    assert_int_equal(tx_home_cache_put(w->home, env, len, got), TX_OK);
    index++;
    assert_int_equal(tx_home_proof_put(w->home, got, index, index), TX_OK);
    if (id != NULL) {
        memcpy(id, got, TX_ID_LEN);
    }
}

/* Builds and caches questionnaire, request, sealed assessment and grant; aid gets the
 * assessment id. */
static void
build(world *w, const variant *v, uint8_t aid[TX_ID_LEN])
{
    static uint64_t seq = 1;
    tx_questionnaire_pb *q = NULL;
    uint8_t qid[TX_ID_LEN], rid[TX_ID_LEN], nonce[TX_NONCE_LEN], sealed_key[TX_SEALED_KEY_LEN];
    uint8_t *env, *inner, *ct;
    size_t len, inner_len, ct_len;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    tx_meta_pb m1 = TICSX__V1__META__INIT, m2 = TICSX__V1__META__INIT;
    tx_meta_pb m3 = TICSX__V1__META__INIT, m4 = TICSX__V1__META__INIT;
    tx_request_pb r = TICSX__V1__REQUEST__INIT;
    tx_assessment_pb a = TICSX__V1__ASSESSMENT__INIT;
    tx_sealed_pb s = TICSX__V1__SEALED_ASSESSMENT__INIT;
    tx_grant_pb g = TICSX__V1__GRANT__INIT;
    tx_answer_pb ans = TICSX__V1__ANSWER__INIT, *ansp = &ans;
    ProtobufCBinaryData supplier = {32, w->supplier->pub.sign};

    assert_int_equal(tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, &q), TX_OK);
    assert_int_equal(tx_questionnaire_sign(q, w->buyer, seq++, tx_now(), &env, &len), TX_OK);
    put(w, env, len, qid);
    free(env);

    m1.seq = seq++;
    r.meta = &m1;
    r.questionnaire = (ProtobufCBinaryData){TX_ID_LEN, qid};
    r.suppliers = &supplier;
    r.n_suppliers = 1;
    assert_int_equal(tx_envelope_sign_msg(w->buyer, TX_KIND_REQUEST, &r.base, &env, &len), TX_OK);
    put(w, env, len, rid);
    free(env);

    m2.seq = seq++;
    a.meta = &m2;
    a.questionnaire = (ProtobufCBinaryData){TX_ID_LEN, qid};
    a.request = (ProtobufCBinaryData){TX_ID_LEN, rid};
    ans.item = q->items[0]->id;
    ans.choice = "yes";
    a.answers = &ansp;
    a.n_answers = 1;
    a.as_of = tx_now() - 86400;
    a.valid_until = v->valid_until ? v->valid_until : tx_now() + 365 * 86400;
    assert_int_equal(tx_envelope_sign_msg(v->inner_by_other ? w->other : w->supplier,
                                          TX_KIND_INNER_ASSESSMENT, &a.base, &inner, &inner_len),
                     TX_OK);
    assert_int_equal(tx_seal_content(inner, inner_len, qid, key, nonce, &ct, &ct_len), TX_OK);
    free(inner);
    if (v->flip_ciphertext) {
        ct[ct_len / 2] ^= 0x01;
    }
    m3.seq = seq++;
    s.meta = &m3;
    s.questionnaire = (ProtobufCBinaryData){TX_ID_LEN, qid};
    s.nonce = (ProtobufCBinaryData){TX_NONCE_LEN, nonce};
    s.ciphertext = (ProtobufCBinaryData){ct_len, ct};
    assert_int_equal(tx_envelope_sign_msg(w->supplier, TX_KIND_ASSESSMENT, &s.base, &env, &len),
                     TX_OK);
    put(w, env, len, aid);
    free(env);
    free(ct);

    assert_int_equal(
        tx_seal_key(key, v->key_to_other ? w->other->pub.seal : w->buyer->pub.seal, sealed_key),
        TX_OK);
    m4.seq = seq++;
    g.meta = &m4;
    g.assessment = (ProtobufCBinaryData){TX_ID_LEN, aid};
    g.grantee =
        (ProtobufCBinaryData){32, v->grantee_other ? w->other->pub.sign : w->buyer->pub.sign};
    g.sealed_key = (ProtobufCBinaryData){TX_SEALED_KEY_LEN, sealed_key};
    g.request = (ProtobufCBinaryData){TX_ID_LEN, rid};
    assert_int_equal(tx_envelope_sign_msg(v->grant_by_other ? w->other : w->supplier, TX_KIND_GRANT,
                                          &g.base, &env, &len),
                     TX_OK);
    if (v->grant_unproven) {
        assert_int_equal(tx_home_cache_put(w->home, env, len, last_grant), TX_OK);
    } else {
        put(w, env, len, last_grant);
    }
    free(env);
    sodium_free(key);
    tx_free(q);
}

/* Verifies only `aid` and returns its verdict's status; reason into why. */
static int
verify_one(world *w, const uint8_t aid[TX_ID_LEN], char *why, size_t n)
{
    char hex[2 * TX_ID_LEN + 1];
    tx_verdicts vs;
    int status;

    tx_hex(hex, aid, TX_ID_LEN);
    assert_int_equal(tx_verify_all(w->home, hex, &vs), TX_OK);
    assert_int_equal(vs.n, 1);
    assert_memory_equal(vs.v[0].assessment, aid, TX_ID_LEN);
    status = vs.v[0].status;
    snprintf(why, n, "%s", vs.v[0].reason);
    if (status == TX_VERIFIED) {
        assert_non_null(vs.v[0].inner);
        assert_non_null(vs.v[0].q);
    }
    tx_verdicts_free(&vs);
    return status;
}

static void
expect(world *w, const variant *v, int status, const char *reason)
{
    uint8_t aid[TX_ID_LEN];
    char why[512];

    build(w, v, aid);
    assert_int_equal(verify_one(w, aid, why, sizeof why), status);
    if (strstr(why, reason) == NULL) {
        fail_msg("reason \"%s\" does not say \"%s\"", why, reason);
    }
}

static void
test_verify_good(void **state)
{
    world *w = *state;
    variant v = {0};
    tx_verdicts vs;

    expect(w, &v, TX_VERIFIED, "");
    assert_int_equal(tx_verify_all(w->home, NULL, &vs), TX_OK);
    assert_true(vs.n >= 1);
    tx_verdicts_free(&vs);
    assert_int_equal(tx_verify_all(w->home, "00000000", &vs), TX_ERR_NOT_FOUND);
}

/* Decrypts, as a fetch does beside its waits, the assessment `aid` granted by last_grant. */
static void
decrypt_ahead(world *w, const tx_identity *me, const uint8_t aid[TX_ID_LEN])
{
    tx_recs grants = {0}, sealed = {0};
    tx_rec r = {0};

    assert_int_equal(tx_rec_from_cache(w->home, last_grant, TX_KIND_GRANT, &r), TX_OK);
    assert_int_equal(tx_recs_push(&grants, &r), TX_OK);
    assert_int_equal(tx_rec_from_cache(w->home, aid, TX_KIND_ASSESSMENT, &r), TX_OK);
    assert_int_equal(tx_recs_push(&sealed, &r), TX_OK);
    tx_verify_ahead_enable(1);
    {
        tx_verify_ahead *a = tx_verify_ahead_start(me);

        assert_non_null(a);
        tx_verify_ahead_add(a, grants.v, grants.n);
        tx_verify_ahead_add(a, sealed.v, sealed.n);
        tx_verify_ahead_join(a, 1);
    }
    tx_verify_ahead_enable(0);
    tx_recs_clear(&grants);
    tx_recs_clear(&sealed);
}

/* Verify takes what was decrypted ahead instead of decrypting again, and only for a grant a
 * fetch proved: decrypted ahead, an unproven grant is still left out, and its plaintext is
 * never used. Disabled (a fetch alone), nothing is decrypted ahead. */
static void
test_verify_takes_what_was_decrypted_ahead(void **state)
{
    world *w = *state;
    variant v = {0}, unproven = {.grant_unproven = 1};
    uint8_t aid[TX_ID_LEN], bid[TX_ID_LEN];
    char why[512], hex[2 * TX_ID_LEN + 1];
    unsigned long taken, decodes, ahead;
    tx_verdicts vs;

    build(w, &v, aid);
    taken = tx_verify_ahead_taken();
    assert_null(tx_verify_ahead_start(w->buyer));
    decrypt_ahead(w, w->other, aid); /* another identity: its grant is not to it */
    assert_int_equal(verify_one(w, aid, why, sizeof why), TX_VERIFIED);
    assert_int_equal(tx_verify_ahead_taken(), taken);
    decodes = tx_rec_decodes();
    assert_int_equal(verify_one(w, aid, why, sizeof why), TX_VERIFIED);
    decodes = tx_rec_decodes() - decodes; /* the cache's records and the inner assessment */
    decrypt_ahead(w, w->buyer, aid);
    ahead = tx_rec_decodes();
    assert_int_equal(verify_one(w, aid, why, sizeof why), TX_VERIFIED);
    assert_int_equal(tx_verify_ahead_taken(), taken + 1);
    /* The inner assessment was taken opened and decoded: not decoded again. */
    assert_int_equal(tx_rec_decodes() - ahead, decodes - 1);
    /* Taken once: verifying again decrypts again, to the same verdict. */
    ahead = tx_rec_decodes();
    assert_int_equal(verify_one(w, aid, why, sizeof why), TX_VERIFIED);
    assert_int_equal(tx_verify_ahead_taken(), taken + 1);
    assert_int_equal(tx_rec_decodes() - ahead, decodes);

    build(w, &unproven, bid);
    decrypt_ahead(w, w->buyer, bid);
    tx_hex(hex, bid, TX_ID_LEN);
    assert_int_equal(tx_verify_all(w->home, NULL, &vs), TX_OK);
    for (size_t i = 0; i < vs.n; i++) {
        assert_memory_not_equal(vs.v[i].assessment, bid, TX_ID_LEN);
    }
    assert_int_equal(vs.unproven, 1);
    tx_verdicts_free(&vs);
    assert_int_equal(tx_verify_all(w->home, hex, &vs), TX_ERR_NOT_FOUND);
    assert_int_equal(tx_verify_ahead_taken(), taken + 1);
}

/* Hands every proven cached record, opened as verify opens it, to tx_cache_kept as a fetch
 * that has just stored them would; returns how many. */
static size_t
hand_all(world *w, uint64_t mark)
{
    uint8_t(*ids)[TX_ID_LEN] = NULL;
    tx_recs hand = {0};
    size_t n = 0;

    assert_int_equal(tx_home_cache_list(w->home, &ids, &n), TX_OK);
    for (size_t i = 0; i < n; i++) {
        tx_rec r = {0};
        uint64_t index, size;

        if (tx_rec_from_cache(w->home, ids[i], TX_KIND_NONE, &r) != TX_OK ||
            tx_home_proof_get(w->home, ids[i], &index, &size) != TX_OK ||
            !tx_kind_is_stored(r.kind = tx_kind_from_payload_type(r.env->payload_type)) ||
            tx_decode_payload(r.env, r.kind, &r.msg) != TX_OK) {
            tx_fail_clear();
            tx_rec_clear(&r);
            continue;
        }
        r.index = index;
        assert_int_equal(tx_recs_push(&hand, &r), TX_OK);
    }
    free(ids);
    n = hand.n;
    tx_cache_kept_hand(w->home, mark, &hand);
    assert_int_equal(hand.n, 0);
    return n;
}

/* Verify takes the records the fetch of this process stored and kept opened instead of reading
 * them again, but only while the cache is as the fetch left it: a record altered in the cache
 * since (by another process), any later write, or another process's write between the fetch's
 * store and the hand-over, and verify reads and judges the cache as before. */
static void
test_verify_takes_what_the_fetch_kept(void **state)
{
    world *w = *state;
    variant v = {0};
    uint8_t aid[TX_ID_LEN], *bytes = NULL, *bad;
    char why[512], hex[2 * TX_ID_LEN + 1];
    unsigned long taken;
    uint64_t mark;
    size_t n, len = 0;
    tx_verdicts vs;

    build(w, &v, aid); /* the last commit is this process's own */
    mark = tx_cache_kept_mark(w->home);
    assert_int_not_equal(mark, 0);
    taken = tx_cache_kept_taken();
    n = hand_all(w, mark);
    assert_true(n >= 4);
    assert_int_equal(verify_one(w, aid, why, sizeof why), TX_VERIFIED);
    assert_int_equal(tx_cache_kept_taken(), taken + n);
    /* Taken once: the next verify reads the cache. */
    assert_int_equal(verify_one(w, aid, why, sizeof why), TX_VERIFIED);
    assert_int_equal(tx_cache_kept_taken(), taken + n);

    /* The sealed record altered in the cache by another process after the hand-over: verify
     * finds it damaged, as without the records kept. */
    assert_int_equal(tx_home_cache_read(w->home, aid, &bytes, &len), TX_OK);
    mark = tx_cache_kept_mark(w->home);
    put(w, bytes, len, NULL); /* the fetch's write: the same bytes */
    mark = tx_cache_kept_mark(w->home);
    hand_all(w, mark);
    bad = malloc(len);
    memcpy(bad, bytes, len);
    bad[len / 2] ^= 0x01;
    tx_hex(hex, aid, TX_ID_LEN);
    tx_home_destroy(&w->home);
    th_cache_set(w->dir, "records", hex, bad, len);
    assert_int_equal(tx_home_open(w->dir, &w->home), TX_OK);
    assert_int_equal(tx_verify_all(w->home, hex, &vs), TX_OK);
    assert_int_equal(vs.n, 1);
    assert_int_equal(vs.v[0].status, TX_FAILED);
    tx_verdicts_free(&vs);
    assert_int_equal(tx_cache_kept_taken(), taken + n);
    free(bad);

    /* Any write after the hand-over (this process's own too): nothing is taken. */
    put(w, bytes, len, NULL); /* the damaged copy replaced */
    hand_all(w, tx_cache_kept_mark(w->home));
    put(w, bytes, len, NULL);
    assert_int_equal(verify_one(w, aid, why, sizeof why), TX_VERIFIED);
    assert_int_equal(tx_cache_kept_taken(), taken + n);

    /* Another process's commit between the fetch's store (the mark) and the hand-over: nothing
     * is kept, though the last commit is this process's again. */
    mark = tx_cache_kept_mark(w->home);
    assert_int_not_equal(mark, 0);
    tx_home_destroy(&w->home);
    th_cache_set(w->dir, "records", hex, bytes, len);
    assert_int_equal(tx_home_open(w->dir, &w->home), TX_OK);
    put(w, bytes, len, NULL);
    hand_all(w, mark);
    assert_int_equal(verify_one(w, aid, why, sizeof why), TX_VERIFIED);
    assert_int_equal(tx_cache_kept_taken(), taken + n);
    free(bytes);
}

/* The work ahead pairs a grant with its sealed record in whatever order and pages a listing
 * brings them: the grant first, the record first, or both in one page; a grant of a record never
 * listed is left to verify. */
static void
test_decrypt_ahead_pairs_across_pages(void **state)
{
    world *w = *state;
    variant v = {0};
    uint8_t aid[3][TX_ID_LEN], gid[3][TX_ID_LEN];
    tx_rec g[3] = {{0}}, s[3] = {{0}};
    char why[512];
    unsigned long taken;
    tx_verify_ahead *a;

    for (size_t i = 0; i < 3; i++) {
        build(w, &v, aid[i]);
        memcpy(gid[i], last_grant, TX_ID_LEN);
        assert_int_equal(tx_rec_from_cache(w->home, gid[i], TX_KIND_GRANT, &g[i]), TX_OK);
        assert_int_equal(tx_rec_from_cache(w->home, aid[i], TX_KIND_ASSESSMENT, &s[i]), TX_OK);
    }
    taken = tx_verify_ahead_taken();
    tx_verify_ahead_enable(1);
    a = tx_verify_ahead_start(w->buyer);
    assert_non_null(a);
    tx_verify_ahead_add(a, &g[0], 1); /* its record comes in a later page */
    tx_verify_ahead_add(a, &s[1], 1); /* its grant comes in a later page */
    tx_verify_ahead_add(a, &s[0], 1);
    tx_verify_ahead_add(a, &g[1], 1);
    tx_verify_ahead_add(a, &g[2], 1); /* its record never comes */
    tx_verify_ahead_join(a, 1);
    tx_verify_ahead_enable(0);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(verify_one(w, aid[i], why, sizeof why), TX_VERIFIED);
        assert_int_equal(tx_verify_ahead_taken(), taken + (i < 2 ? i + 1 : 2));
        tx_rec_clear(&g[i]);
        tx_rec_clear(&s[i]);
    }
}

static void
test_verify_key_sealed_to_other(void **state)
{
    variant v = {.key_to_other = 1};
    expect(*state, &v, TX_FAILED, "decryption failed: content key not sealed to this buyer");
}

static void
test_verify_grant_not_by_author(void **state)
{
    variant v = {.grant_by_other = 1};
    expect(*state, &v, TX_FAILED, "not signed by the assessment's author");
}

static void
test_verify_ciphertext_altered(void **state)
{
    variant v = {.flip_ciphertext = 1};
    expect(*state, &v, TX_FAILED, "decryption failed: the assessment does not open");
}

static void
test_verify_inner_other_signer(void **state)
{
    variant v = {.inner_by_other = 1};
    expect(*state, &v, TX_FAILED, "inner assessment is signed by another key");
}

static void
test_verify_granted_to_someone_else(void **state)
{
    variant v = {.grantee_other = 1};
    expect(*state, &v, TX_FAILED, "not granted to this organisation");
}

static void
test_verify_expired(void **state)
{
    variant v = {.valid_until = tx_now() - 3600};
    expect(*state, &v, TX_EXPIRED, "validity ended on");
}

int
main(void)
{
    const struct CMUnitTest home_tests[] = {
        cmocka_unit_test(test_seq_monotonic_across_reopen),
        cmocka_unit_test(test_home_permissions),
        cmocka_unit_test(test_cache_round_trip_and_tamper),
        cmocka_unit_test(test_cache_migrates_old_home),
        cmocka_unit_test(test_cache_two_processes),
    };
    const struct CMUnitTest verify_tests[] = {
        cmocka_unit_test(test_verify_good),
        cmocka_unit_test(test_verify_takes_what_was_decrypted_ahead),
        cmocka_unit_test(test_verify_takes_what_the_fetch_kept),
        cmocka_unit_test(test_decrypt_ahead_pairs_across_pages),
        cmocka_unit_test(test_verify_key_sealed_to_other),
        cmocka_unit_test(test_verify_grant_not_by_author),
        cmocka_unit_test(test_verify_ciphertext_altered),
        cmocka_unit_test(test_verify_inner_other_signer),
        cmocka_unit_test(test_verify_granted_to_someone_else),
        cmocka_unit_test(test_verify_expired),
    };
    int failed = cmocka_run_group_tests_name("home", home_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("verify", verify_tests, world_setup, world_teardown);
    return failed;
}

/* tx_store against a real LMDB in a temp directory: append, lookup, visibility, idempotent
 * resubmit, reopen, enrolment mapping, paging, map full; plus the ingest rules that must see
 * earlier records of the same batch. */
#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_ingest.h"
#include "tx_log.h"
#include "tx_store.h"

#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

typedef struct {
    char *dir;
    tx_store *store;
    tx_identity *a, *b, *c;
} fx;

static int
setup(void **state)
{
    fx *f = calloc(1, sizeof *f);

    f->dir = th_tmpdir();
    assert_int_equal(tx_store_open(f->dir, 64u << 20, &f->store), TX_OK);
    f->a = th_identity("Alpha KK");
    f->b = th_identity("Beta KK");
    f->c = th_identity("Gamma KK");
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fx *f = *state;

    tx_store_close(&f->store);
    tx_identity_destroy(&f->a);
    tx_identity_destroy(&f->b);
    tx_identity_destroy(&f->c);
    th_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Enrols id with its profile at seq in its own batch. */
static void
enroll(tx_store *s, const tx_identity *id, uint64_t seq)
{
    tx_outcome res;
    size_t len;
    uint8_t *env = th_profile(id, seq, &len);

    assert_int_equal(tx_ingest_enroll(s, env, len, &res, NULL, 0), TX_OK);
    assert_int_equal(res.status, TICSX__V1__STATUS__OK);
    free(env);
}

static void
append_one(tx_store *s, const uint8_t *env, size_t len, int kind, const tx_identity *signer,
           uint64_t seq, const uint8_t (*readers)[32], size_t n, tx_receipt *rc_out)
{
    tx_batch *b;

    assert_int_equal(tx_store_begin(s, &b), TX_OK);
    assert_int_equal(tx_batch_append(b, env, len, kind, signer->pub.sign, seq, readers, n, rc_out),
                     TX_OK);
    assert_int_equal(tx_batch_commit(&b), TX_OK);
    assert_null(b);
}

static void
test_append_lookup_visibility(void **state)
{
    fx *f = *state;
    uint8_t readers[2][32];
    uint8_t qid[32];
    tx_receipt rq, rr;
    tx_entry e;
    tx_entry *list;
    size_t qlen, rlen, n;
    uint64_t next;
    uint8_t *q = th_questionnaire(f->a, 1, &qlen);
    uint8_t *r;

    tx_record_id(q, qlen, qid);
    append_one(f->store, q, qlen, TX_KIND_QUESTIONNAIRE, f->a, 1, NULL, 0, &rq);
    assert_int_equal(rq.index, 1);
    assert_false(rq.duplicate);
    assert_memory_equal(rq.id, qid, 32);

    memcpy(readers[0], f->a->pub.sign, 32);
    memcpy(readers[1], f->b->pub.sign, 32);
    r = th_request(f->a, 2, qid, (const uint8_t(*)[32]) & readers[1], 1, &rlen);
    append_one(f->store, r, rlen, TX_KIND_REQUEST, f->a, 2, (const uint8_t(*)[32])readers, 2, &rr);
    assert_int_equal(rr.index, 2);

    /* Public: anyone, even without a reader key. */
    assert_int_equal(tx_store_get(f->store, qid, NULL, &e), TX_OK);
    assert_int_equal(e.len, qlen);
    assert_memory_equal(e.env, q, qlen);
    assert_int_equal(e.kind, TX_KIND_QUESTIONNAIRE);
    free(e.env);
    /* The request: its signer and its supplier, nobody else. */
    assert_int_equal(tx_store_get(f->store, rr.id, f->a->pub.sign, &e), TX_OK);
    assert_memory_equal(e.env, r, rlen);
    free(e.env);
    assert_int_equal(tx_store_get(f->store, rr.id, f->b->pub.sign, &e), TX_OK);
    free(e.env);
    assert_int_equal(tx_store_get(f->store, rr.id, f->c->pub.sign, &e), TX_ERR_NOT_FOUND);
    assert_null(e.env);
    assert_int_equal(tx_store_get(f->store, rr.id, NULL, &e), TX_ERR_NOT_FOUND);

    assert_int_equal(
        tx_store_list(f->store, TX_KIND_REQUEST, f->b->pub.sign, 0, 0, &list, &n, &next), TX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].index, 2);
    assert_int_equal(next, 0);
    tx_entries_free(list, n);
    assert_int_equal(
        tx_store_list(f->store, TX_KIND_REQUEST, f->c->pub.sign, 0, 0, &list, &n, &next), TX_OK);
    assert_int_equal(n, 0);
    tx_entries_free(list, n);
    assert_int_equal(
        tx_store_list(f->store, TX_KIND_QUESTIONNAIRE, f->c->pub.sign, 0, 0, &list, &n, &next),
        TX_OK);
    assert_int_equal(n, 1);
    tx_entries_free(list, n);
    assert_int_equal(tx_store_list(f->store, TX_KIND_NONE, f->c->pub.sign, 0, 0, &list, &n, &next),
                     TX_ERR_USAGE);
    free(q);
    free(r);
}

static void
test_idempotent_resubmit(void **state)
{
    fx *f = *state;
    tx_receipt r1, r2, r3, n1, n2, n3;
    tx_batch *b;
    uint64_t last, index;
    int kind;
    size_t len, len2, len3;
    uint8_t *q = th_questionnaire(f->a, 1, &len);
    uint8_t *q2 = th_questionnaire(f->a, 2, &len2);
    uint8_t *q3 = th_questionnaire(f->a, 3, &len3);

    append_one(f->store, q, len, TX_KIND_QUESTIONNAIRE, f->a, 1, NULL, 0, &r1);
    /* Again in a later batch, a new record twice in that batch, and a record after the second
     * copy (the batch goes on after a duplicate), then all again: one copy each, the first
     * receipt. */
    assert_int_equal(tx_store_begin(f->store, &b), TX_OK);
    assert_int_equal(
        tx_batch_append(b, q, len, TX_KIND_QUESTIONNAIRE, f->a->pub.sign, 1, NULL, 0, &r2), TX_OK);
    assert_int_equal(
        tx_batch_append(b, q2, len2, TX_KIND_QUESTIONNAIRE, f->a->pub.sign, 2, NULL, 0, &n1),
        TX_OK);
    assert_int_equal(
        tx_batch_append(b, q2, len2, TX_KIND_QUESTIONNAIRE, f->a->pub.sign, 2, NULL, 0, &n2),
        TX_OK);
    assert_int_equal(
        tx_batch_append(b, q3, len3, TX_KIND_QUESTIONNAIRE, f->a->pub.sign, 3, NULL, 0, &n3),
        TX_OK);
    assert_int_equal(tx_batch_commit(&b), TX_OK);
    append_one(f->store, q, len, TX_KIND_QUESTIONNAIRE, f->a, 1, NULL, 0, &r3);
    assert_false(r1.duplicate);
    assert_true(r2.duplicate);
    assert_true(r3.duplicate);
    assert_int_equal(r2.index, r1.index);
    assert_int_equal(r3.index, r1.index);
    assert_false(n1.duplicate);
    assert_true(n2.duplicate);
    assert_false(n3.duplicate);
    assert_int_equal(n1.index, 2);
    assert_int_equal(n2.index, 2);
    assert_int_equal(n3.index, 3);
    assert_memory_equal(n2.id, n1.id, TX_ID_LEN);
    assert_int_equal(tx_store_begin(f->store, &b), TX_OK);
    assert_int_equal(tx_batch_lookup(b, n3.id, &index, &kind), TX_OK);
    tx_batch_abort(&b);
    assert_int_equal(index, 3);
    assert_int_equal(kind, TX_KIND_QUESTIONNAIRE);
    assert_int_equal(tx_store_last_index(f->store, &last), TX_OK);
    assert_int_equal(last, 3);
    free(q);
    free(q2);
    free(q3);
}

static void
test_reopen_keeps_everything(void **state)
{
    fx *f = *state;
    uint8_t ids[20][32];
    tx_batch *b;
    tx_entry e;
    uint64_t last, seq;

    enroll(f->store, f->a, 1);
    assert_int_equal(tx_store_begin(f->store, &b), TX_OK);
    for (int i = 0; i < 20; i++) {
        tx_receipt r;
        size_t len;
        uint8_t *q = th_questionnaire(f->a, 2 + (uint64_t)i, &len);
        assert_int_equal(tx_batch_append(b, q, len, TX_KIND_QUESTIONNAIRE, f->a->pub.sign,
                                         2 + (uint64_t)i, NULL, 0, &r),
                         TX_OK);
        memcpy(ids[i], r.id, 32);
        free(q);
    }
    assert_int_equal(tx_batch_commit(&b), TX_OK);
    tx_store_close(&f->store);
    assert_null(f->store);

    assert_int_equal(tx_store_open(f->dir, 0, &f->store), TX_OK);
    assert_int_equal(tx_store_last_index(f->store, &last), TX_OK);
    assert_int_equal(last, 21);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(tx_store_get(f->store, ids[i], NULL, &e), TX_OK);
        assert_int_equal(e.index, 2 + (uint64_t)i);
        free(e.env);
    }
    assert_int_equal(tx_store_begin(f->store, &b), TX_OK);
    assert_int_equal(tx_batch_last_seq(b, f->a->pub.sign, &seq), TX_OK);
    assert_int_equal(seq, 21);
    assert_int_equal(tx_batch_last_seq(b, f->b->pub.sign, &seq), TX_OK);
    assert_int_equal(seq, 0);
    tx_batch_abort(&b);
    assert_null(b);
}

/* Ahead of LMDB the file is written with zeros (small page-cache folios, see tx_store.c); LMDB
 * then grows into them: every record stays readable across a reopen. */
static void
test_tail_pre_written(void **state)
{
    fx *f = *state;
    char path[PATH_MAX];
    struct statvfs vfs;
    struct stat st0, st1;
    uint8_t ids[300][32];
    tx_batch *b;
    tx_entry e;
    uint64_t last;

    snprintf(path, sizeof path, "%s/data.mdb", f->dir);
    if (statvfs(f->dir, &vfs) != 0 || (uint64_t)vfs.f_bavail * vfs.f_frsize < (512u << 20)) {
        skip(); /* the pre-write keeps off filling disks */
    }
    enroll(f->store, f->a, 1);
    assert_int_equal(stat(path, &st0), 0);
    /* 300 records of about 1 KB in 10 transactions: more than the first megabyte ahead. */
    for (int t = 0; t < 10; t++) {
        assert_int_equal(tx_store_begin(f->store, &b), TX_OK);
        for (int i = t * 30; i < t * 30 + 30; i++) {
            tx_receipt r;
            size_t len;
            uint8_t *q = th_questionnaire(f->a, 2 + (uint64_t)i, &len);

            assert_int_equal(tx_batch_append(b, q, len, TX_KIND_QUESTIONNAIRE, f->a->pub.sign,
                                             2 + (uint64_t)i, NULL, 0, &r),
                             TX_OK);
            memcpy(ids[i], r.id, 32);
            free(q);
        }
        assert_int_equal(tx_batch_commit(&b), TX_OK);
        if (t == 0) {
            assert_int_equal(stat(path, &st1), 0);
            assert_true(st1.st_size >= st0.st_size + (1 << 20));
        }
    }
    tx_store_close(&f->store);
    assert_int_equal(tx_store_open(f->dir, 0, &f->store), TX_OK);
    assert_int_equal(tx_store_last_index(f->store, &last), TX_OK);
    assert_int_equal(last, 301);
    for (int i = 0; i < 300; i++) {
        assert_int_equal(tx_store_get(f->store, ids[i], NULL, &e), TX_OK);
        assert_int_equal(e.index, 2 + (uint64_t)i);
        free(e.env);
    }
}

static void
test_enroll_mapping(void **state)
{
    fx *f = *state;
    uint8_t signer[32];
    uint8_t old_curve[32];
    tx_identity *a2;
    tx_outcome res;
    size_t len;
    uint8_t *env;
    char name[64];

    enroll(f->store, f->a, 1);
    assert_int_equal(tx_store_member_of_transport(f->store, f->a->pub.curve, signer), TX_OK);
    assert_memory_equal(signer, f->a->pub.sign, 32);
    assert_int_equal(tx_store_member_of_transport(f->store, f->b->pub.curve, signer),
                     TX_ERR_NOT_FOUND);

    /* Same bytes again: a duplicate, nothing changes. */
    env = th_profile(f->a, 1, &len);
    assert_int_equal(tx_ingest_enroll(f->store, env, len, &res, name, sizeof name), TX_OK);
    assert_int_equal(res.status, TICSX__V1__STATUS__OK);
    assert_true(res.receipt.duplicate);
    assert_string_equal(name, "Alpha KK");
    free(env);

    /* A newer profile of the same signer with another transport key replaces the mapping. */
    memcpy(old_curve, f->a->pub.curve, 32);
    a2 = th_identity("Alpha KK");
    memcpy(a2->pub.sign, f->a->pub.sign, 32);
    sodium_mprotect_readwrite(a2->sec);
    memcpy(a2->sec->sign, f->a->sec->sign, 64);
    env = th_profile(a2, 5, &len);
    assert_int_equal(tx_ingest_enroll(f->store, env, len, &res, NULL, 0), TX_OK);
    assert_int_equal(res.status, TICSX__V1__STATUS__OK);
    assert_false(res.receipt.duplicate);
    free(env);
    assert_int_equal(tx_store_member_of_transport(f->store, old_curve, signer), TX_ERR_NOT_FOUND);
    assert_int_equal(tx_store_member_of_transport(f->store, a2->pub.curve, signer), TX_OK);
    assert_memory_equal(signer, f->a->pub.sign, 32);

    /* An older profile is a replay. */
    env = th_profile(f->a, 3, &len);
    assert_int_equal(tx_ingest_enroll(f->store, env, len, &res, NULL, 0), TX_OK);
    assert_int_equal(res.status, TICSX__V1__STATUS__REPLAY);
    free(env);

    /* Another signer may not take a member's transport key. */
    memcpy(f->b->pub.curve, a2->pub.curve, 32);
    env = th_profile(f->b, 1, &len);
    assert_int_equal(tx_ingest_enroll(f->store, env, len, &res, NULL, 0), TX_OK);
    assert_int_equal(res.status, TICSX__V1__STATUS__FORBIDDEN);
    free(env);

    /* A tampered profile is refused. */
    env = th_profile(f->c, 1, &len);
    env[len - 1] ^= 1;
    assert_int_equal(tx_ingest_enroll(f->store, env, len, &res, NULL, 0), TX_OK);
    assert_int_equal(res.status, TICSX__V1__STATUS__BAD_SIGNATURE);
    free(env);
    assert_int_equal(tx_store_member_of_transport(f->store, f->c->pub.curve, signer),
                     TX_ERR_NOT_FOUND);
    tx_identity_destroy(&a2);
}

static void
test_list_paging(void **state)
{
    fx *f = *state;
    tx_view *v;
    tx_entry *list;
    size_t n;
    uint64_t next;

    for (uint64_t s = 1; s <= 5; s++) {
        tx_receipt r;
        size_t len;
        uint8_t *q = th_questionnaire(f->a, s, &len);
        append_one(f->store, q, len, TX_KIND_QUESTIONNAIRE, f->a, s, NULL, 0, &r);
        free(q);
    }
    assert_int_equal(tx_store_list(f->store, TX_KIND_QUESTIONNAIRE, NULL, 0, 2, &list, &n, &next),
                     TX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].index, 1);
    assert_int_equal(next, 2);
    tx_entries_free(list, n);
    assert_int_equal(
        tx_store_list(f->store, TX_KIND_QUESTIONNAIRE, NULL, next, 2, &list, &n, &next), TX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].index, 3);
    assert_int_equal(next, 4);
    tx_entries_free(list, n);
    /* The last page: no "more" marker even though it is full. */
    assert_int_equal(
        tx_store_list(f->store, TX_KIND_QUESTIONNAIRE, NULL, next, 1, &list, &n, &next), TX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].index, 5);
    assert_int_equal(next, 0);
    tx_entries_free(list, n);
    /* A byte budget cuts a page short but always returns one entry. */
    assert_int_equal(tx_store_view(f->store, &v), TX_OK);
    assert_int_equal(tx_view_list(v, TX_KIND_QUESTIONNAIRE, NULL, 0, 0, 1, &list, &n, &next),
                     TX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(next, 1);
    tx_entries_free(list, n);
    tx_view_end(&v);
    assert_null(v);
}

/* A map another process grew past this one's, while remaps are deferred (the hub's loop and
 * writer thread share the store): a begin fails instead of remapping under other threads'
 * transactions, and the size is adopted when the owner knows none is open. */
static void
test_grown_map_deferred(void **state)
{
    fx *f = *state;
    char *dir = th_tmpdir();
    uint8_t big[8192];
    tx_store *s;
    tx_view *v = NULL;
    uint64_t last = 0;
    pid_t pid;
    int st = 0;

    assert_int_equal(tx_store_open(dir, 256u << 10, &s), TX_OK);
    tx_store_defer_remap(s, 1);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Another process with a larger map writes past this one's 256 KiB. */
        tx_store *c = NULL;
        int ok = tx_store_open(dir, 4u << 20, &c) == TX_OK;

        for (int i = 0; ok && i < 64; i++) {
            tx_batch *b = NULL;
            tx_receipt r;

            randombytes_buf(big, sizeof big);
            ok = tx_store_begin(c, &b) == TX_OK &&
                 tx_batch_append(b, big, sizeof big, TX_KIND_QUESTIONNAIRE, f->a->pub.sign,
                                 (uint64_t)i + 1, NULL, 0, &r) == TX_OK &&
                 tx_batch_commit(&b) == TX_OK;
            tx_batch_abort(&b);
        }
        tx_store_close(&c);
        _exit(ok ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_int_equal(tx_store_view(s, &v), TX_ERR_BUSY);
    assert_null(v);
    assert_true(tx_store_remap_wanted(s));
    assert_int_equal(tx_store_adopt_map(s), TX_OK);
    assert_false(tx_store_remap_wanted(s));
    assert_int_equal(tx_store_last_index(s, &last), TX_OK);
    assert_int_equal(last, 64);
    tx_store_close(&s);
    th_rmtree(dir);
    free(dir);
}

static void
test_map_full(void **state)
{
    fx *f = *state;
    char *dir = th_tmpdir();
    uint8_t big[8192];
    uint8_t ids[256][32];
    tx_store *s;
    tx_batch *b;
    tx_entry e;
    uint64_t last_before, last_after;
    int stored = 0, rc = TX_OK;

    (void)f;
    /* 256 KiB hold a few 8 KiB records (overflow pages) and then no more. */
    assert_int_equal(tx_store_open(dir, 256u << 10, &s), TX_OK);
    for (int i = 0; i < 256; i++) {
        tx_receipt r;

        randombytes_buf(big, sizeof big);
        assert_int_equal(tx_store_begin(s, &b), TX_OK);
        rc = tx_batch_append(b, big, sizeof big, TX_KIND_QUESTIONNAIRE, f->a->pub.sign,
                             (uint64_t)i + 1, NULL, 0, &r);
        if (rc == TX_OK) {
            rc = tx_batch_commit(&b);
        } else {
            /* The batch is dead: later calls return the same code, commit stores nothing. */
            assert_int_equal(tx_batch_error(b), rc);
            assert_int_equal(tx_batch_allow(b, f->a->pub.sign, TX_KIND_REQUEST, 1), rc);
            assert_int_equal(tx_batch_commit(&b), rc);
        }
        if (rc != TX_OK) {
            break;
        }
        memcpy(ids[stored++], r.id, 32);
    }
    assert_int_equal(rc, TX_ERR_STORAGE_FULL);
    assert_true(stored > 2);
    assert_int_equal(tx_store_last_index(s, &last_before), TX_OK);
    assert_int_equal(last_before, (uint64_t)stored);
    tx_store_close(&s);

    /* Earlier data intact after reopening; a larger map takes more again. */
    assert_int_equal(tx_store_open(dir, 4u << 20, &s), TX_OK);
    assert_int_equal(tx_store_last_index(s, &last_after), TX_OK);
    assert_int_equal(last_after, last_before);
    for (int i = 0; i < stored; i++) {
        assert_int_equal(tx_store_get(s, ids[i], NULL, &e), TX_OK);
        assert_int_equal(e.len, sizeof big);
        free(e.env);
    }
    {
        tx_receipt r;
        append_one(s, big, sizeof big, TX_KIND_QUESTIONNAIRE, f->a, 1000, NULL, 0, &r);
        assert_int_equal(r.index, last_before + 1);
    }
    tx_store_close(&s);
    th_rmtree(dir);
    free(dir);
}

/* Ingest inside one batch: later records see earlier ones (seq, references, duplicates). */
static void
test_batch_sees_itself(void **state)
{
    fx *f = *state;
    tx_submission *sub[5];
    tx_outcome out[5];
    uint8_t *env[5];
    size_t len[5];
    uint8_t qid[32];
    uint8_t sup[1][32];
    tx_batch *b;
    tx_entry e;

    enroll(f->store, f->a, 1);
    env[0] = th_questionnaire(f->a, 2, &len[0]);
    tx_record_id(env[0], len[0], qid);
    memcpy(sup[0], f->b->pub.sign, 32);
    env[1] = th_request(f->a, 3, qid, (const uint8_t(*)[32])sup, 1, &len[1]);
    env[2] = th_questionnaire(f->a, 3, &len[2]); /* seq 3 again: replay */
    env[3] = malloc(len[0]);                     /* same bytes as [0]: duplicate */
    memcpy(env[3], env[0], len[0]);
    len[3] = len[0];
    env[4] = th_questionnaire(f->b, 1, &len[4]); /* b is not enrolled */

    for (int i = 0; i < 5; i++) {
        const tx_identity *caller = i == 4 ? f->b : f->a;
        assert_int_equal(tx_ingest_prepare(caller->pub.sign, env[i], len[i], &sub[i], &out[i]),
                         TX_OK);
    }
    assert_int_equal(tx_store_begin(f->store, &b), TX_OK);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(tx_ingest_apply(b, sub[i], &out[i]), TX_OK);
    }
    assert_int_equal(tx_batch_commit(&b), TX_OK);
    assert_int_equal(out[0].status, TICSX__V1__STATUS__OK);
    assert_int_equal(out[1].status, TICSX__V1__STATUS__OK);
    assert_int_equal(out[2].status, TICSX__V1__STATUS__REPLAY);
    assert_non_null(strstr(out[2].message, "sequence 3 is not above 3"));
    assert_int_equal(out[3].status, TICSX__V1__STATUS__OK);
    assert_true(out[3].receipt.duplicate);
    assert_int_equal(out[3].receipt.index, out[0].receipt.index);
    assert_int_equal(out[4].status, TICSX__V1__STATUS__NOT_ENROLLED);
    assert_int_equal(tx_store_get(f->store, out[1].receipt.id, f->b->pub.sign, &e), TX_OK);
    free(e.env);
    for (int i = 0; i < 5; i++) {
        tx_submission_destroy(&sub[i]);
        free(env[i]);
    }
}

/* Every stored record's message names its index, written out in full (indices 2..13: one and
 * two digits, so a digit dropped or reversed shows). */
static void
test_stored_messages(void **state)
{
    fx *f = *state;
    tx_submission *sub[12];
    tx_outcome out[12];
    uint8_t *env[12];
    size_t len[12];
    char want[32];
    tx_batch *b;

    enroll(f->store, f->a, 1);
    for (int i = 0; i < 12; i++) {
        env[i] = th_questionnaire(f->a, 2 + (uint64_t)i, &len[i]);
        assert_int_equal(tx_ingest_prepare(f->a->pub.sign, env[i], len[i], &sub[i], &out[i]),
                         TX_OK);
    }
    assert_int_equal(tx_store_begin(f->store, &b), TX_OK);
    for (int i = 0; i < 12; i++) {
        assert_int_equal(tx_ingest_apply(b, sub[i], &out[i]), TX_OK);
    }
    assert_int_equal(tx_batch_commit(&b), TX_OK);
    for (int i = 0; i < 12; i++) {
        assert_int_equal(out[i].status, TICSX__V1__STATUS__OK);
        assert_int_equal(out[i].receipt.index, 2 + (uint64_t)i);
        snprintf(want, sizeof want, "stored as %d", 2 + i);
        assert_string_equal(out[i].message, want);
        tx_submission_destroy(&sub[i]);
        free(env[i]);
    }
}

static void
test_prepare_refusals(void **state)
{
    fx *f = *state;
    tx_submission *sub;
    tx_outcome out;
    size_t len;
    uint8_t *env = th_questionnaire(f->a, 1, &len);

    /* Signed by a, submitted by b. */
    assert_int_equal(tx_ingest_prepare(f->b->pub.sign, env, len, &sub, &out), TX_ERR_FORBIDDEN);
    assert_null(sub);
    assert_int_equal(out.status, TICSX__V1__STATUS__FORBIDDEN);
    /* A flipped bit in the signature. */
    env[len - 1] ^= 0x01;
    assert_int_equal(tx_ingest_prepare(f->a->pub.sign, env, len, &sub, &out), TX_ERR_BAD_SIGNATURE);
    assert_int_equal(out.status, TICSX__V1__STATUS__BAD_SIGNATURE);
    assert_non_null(strstr(out.message, "envelope signature does not verify against signer "
                                        "SHA256:"));
    free(env);
    /* Profiles only through enroll. */
    env = th_profile(f->a, 1, &len);
    assert_int_equal(tx_ingest_prepare(f->a->pub.sign, env, len, &sub, &out), TX_ERR_FORBIDDEN);
    free(env);
    /* Not an envelope at all. */
    assert_int_equal(
        tx_ingest_prepare(f->a->pub.sign, (const uint8_t *)"\x0a\x05hi", 3, &sub, &out),
        TX_ERR_TRUNCATED);
    assert_int_equal(out.status, TICSX__V1__STATUS__BAD_REQUEST);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_lookup_visibility, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotent_resubmit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_keeps_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enroll_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grown_map_deferred, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_sees_itself, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stored_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prepare_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tail_pre_written, setup, teardown),
    };

    tx_log_level = TX_LOG_WARN;
    return cmocka_run_group_tests(tests, NULL, NULL);
}

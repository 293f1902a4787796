/* The verifiable log end to end, with the real ticsx-hub (LMDB, CURVE, ZAP) and the real ticsx:
 * receipts verify (signature, inclusion against the receipt's checkpoint); bad proof requests
 * are named; a proof the hub returns, corrupted in every way, is refused; the client accepts a
 * growing log and audit-log rebuilds the signed root; two hubs sharing one key and showing
 * different logs (a split view), a log that shrank and a checkpoint time going back are
 * reported with both checkpoints kept as evidence; a damaged tree fails the audit and fetch. */
#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log_proof.h"
#include "tx_merkle.h"
#include "tx_receipts.h"
#include "tx_util.h"

#include <dirent.h>
#include <jansson.h>
#include <lmdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stddef.h>

#include <cmocka.h>

#define TIMEOUT_MS 10000

typedef struct {
    char *root;
    tx_identity *pub; /* a publisher of questionnaires, enrolled on every hub */
} fixture;

static fixture fx;

static int
group_setup(void **state)
{
    (void)state;
    fx.root = th_tmpdir();
    fx.pub = th_identity("Publisher KK");
    return 0;
}

static int
group_teardown(void **state)
{
    (void)state;
    tx_identity_destroy(&fx.pub);
    th_rmtree(fx.root);
    free(fx.root);
    return 0;
}

static void
path_in(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", fx.root, name);
}

/* ticsx-hub init, then enrols the publisher and the client homes given (NULL-terminated). */
static void
make_hub(const char *dir, ...)
{
    char profile[PATH_MAX + 16];
    va_list ap;

    th_hub_init(dir);
    assert_int_equal(th_enroll(dir, fx.pub, 1, NULL, 0), 0);
    va_start(ap, dir);
    for (const char *home = va_arg(ap, const char *); home != NULL;
         home = va_arg(ap, const char *)) {
        snprintf(profile, sizeof profile, "%s/profile.tx", home);
        assert_int_equal(th_hub_enroll(dir, profile, NULL, 0), 0);
    }
    va_end(ap);
}

/* ticsx-hub backup --with-key: a second data directory with the same hub key and log. */
static void
copy_hub(const char *from, const char *to)
{
    char out[4096];
    int rc = th_run(out, sizeof out, "backup", "--data", from, "--with-key", to, NULL);

    if (rc != 0) {
        fail_msg("ticsx-hub backup failed (%d): %s", rc, out);
    }
}

static tx_conn *
connect_as(const th_hub *h, const tx_identity *id)
{
    tx_pubkey hub;
    tx_conn *c = NULL;

    assert_int_equal(tx_pubkey_load(h->key, &hub), TX_OK);
    assert_int_equal(tx_conn_open(h->endpoint, hub.curve, id, TIMEOUT_MS, &c), TX_OK);
    return c;
}

static void
hub_sign_key(const th_hub *h, uint8_t out[32])
{
    tx_pubkey hub;

    assert_int_equal(tx_pubkey_load(h->key, &hub), TX_OK);
    memcpy(out, hub.sign, 32);
}

/* The publisher submits its questionnaire of `seq` to h; returns the receipt's index. */
static uint64_t
publish(const th_hub *h, uint64_t seq)
{
    tx_conn *c = connect_as(h, fx.pub);
    size_t len;
    uint8_t *env = th_questionnaire(fx.pub, seq, &len);
    uint64_t index = 0;

    assert_int_equal(th_submit_status(c, env, len, &index), TICSX__V1__STATUS__OK);
    free(env);
    tx_conn_destroy(&c);
    return index;
}

static void
hub_checkpoint(const th_hub *h, tx_checkpoint *cp)
{
    uint8_t key[32];
    tx_conn *c = connect_as(h, fx.pub);

    hub_sign_key(h, key);
    assert_int_equal(tx_log_checkpoint(c, key, cp), TX_OK);
    tx_conn_destroy(&c);
}

static tx_reply_pb *
call(tx_conn *c, tx_call_pb *q)
{
    tx_reply_pb *r = NULL;

    assert_int_equal(tx_conn_call(c, q, &r), TX_OK);
    return r;
}

static tx_reply_pb *
inclusion(tx_conn *c, uint64_t index, uint64_t size)
{
    uint64_t id;
    tx_reply_pb *r = NULL;

    assert_int_equal(tx_log_send_inclusion(c, index, size, &id), TX_OK);
    assert_int_equal(tx_conn_wait(c, id, &r), TX_OK);
    return r;
}

static tx_reply_pb *
consistency(tx_conn *c, uint64_t old_size, uint64_t new_size)
{
    uint64_t id;
    tx_reply_pb *r = NULL;

    assert_int_equal(tx_log_send_consistency(c, old_size, new_size, &id), TX_OK);
    assert_int_equal(tx_conn_wait(c, id, &r), TX_OK);
    return r;
}

static void
expect_refusal(tx_reply_pb *r, int status, const char *text)
{
    if ((int)r->status != status || strstr(r->message, text) == NULL) {
        fail_msg("status %d \"%s\", expected %d with \"%s\"", r->status, r->message, status, text);
    }
    tx_free(r);
}

/* Every leaf hash of the log, by Call.leaves pages. Caller frees. */
static uint8_t (*all_leaves(tx_conn *c, uint64_t size))[32]
{
    uint8_t(*leaves)[32] = calloc(size + 1, 32);
    uint64_t after = 0;

    assert_non_null(leaves);
    for (;;) {
        tx_call_pb q = TICSX__V1__CALL__INIT;
        tx_leaf_hashes_pb lh = TICSX__V1__LEAF_HASHES__INIT;
        tx_reply_pb *r;

        lh.after = after;
        lh.limit = 7;
        q.body_case = TICSX__V1__CALL__BODY_LEAVES;
        q.leaves = &lh;
        r = call(c, &q);
        assert_int_equal(r->status, TICSX__V1__STATUS__OK);
        for (size_t i = 0; i < r->n_leaves; i++) {
            assert_int_equal(r->leaves[i].len, 32);
            assert_true(after + i < size);
            memcpy(leaves[after + i], r->leaves[i].data, 32);
        }
        after += r->n_leaves;
        if (r->next == 0) {
            tx_free(r);
            break;
        }
        assert_int_equal(r->next, after);
        tx_free(r);
    }
    assert_int_equal(after, size);
    return leaves;
}

static void
test_receipts_and_requests(void **state)
{
    char dir[PATH_MAX];
    uint8_t key[32];
    th_hub h;
    tx_conn *c;
    tx_identity *other = th_identity("not the hub");
    tx_checkpoint cp = {0};
    uint8_t(*leaves)[32];
    uint8_t root[32], *env, *first = NULL;
    size_t len, first_len = 0;
    uint64_t first_index = 0;
    (void)state;

    path_in(dir, sizeof dir, "receipts");
    make_hub(dir, NULL);
    th_hub_start(&h, dir, NULL);
    hub_sign_key(&h, key);
    c = connect_as(&h, fx.pub);
    for (uint64_t seq = 2; seq <= 21; seq++) {
        tx_reply_pb *r;

        env = th_questionnaire(fx.pub, seq, &len);
        r = th_submit(c, env, len);
        assert_int_equal(r->status, TICSX__V1__STATUS__OK);
        assert_non_null(r->receipt);
        assert_int_equal(r->receipt->leaf_hash.len, 32);
        /* Leaf hash, signature, and the inclusion proof against the receipt's checkpoint. */
        assert_int_equal(tx_receipt_check(r, env, len, key, c), TX_OK);
        assert_int_equal(
            tx_checkpoint_open(r->receipt->checkpoint.data, r->receipt->checkpoint.len, key, &cp),
            TX_OK);
        assert_int_equal(cp.size, r->receipt->index);
        tx_checkpoint_clear(&cp);
        /* The receipt is the record's, under the hub's key only. */
        assert_int_equal(tx_receipt_check(r, env, len, other->pub.sign, c), TX_ERR_WRONG_KEY);
        r->receipt->leaf_hash.data[0] ^= 1;
        assert_int_equal(tx_receipt_check(r, env, len, key, c), TX_ERR_CHECKSUM);
        r->receipt->leaf_hash.data[0] ^= 1;
        {
            /* One character of the signature's base64 changed: the note still parses. */
            uint8_t *ch = &r->receipt->checkpoint.data[r->receipt->checkpoint.len - 10];
            *ch = *ch == 'A' ? 'B' : 'A';
        }
        assert_int_equal(tx_receipt_check(r, env, len, key, c), TX_ERR_BAD_SIGNATURE);
        if (first == NULL) {
            first = env;
            first_len = len;
            first_index = r->receipt->index;
        } else {
            free(env);
        }
        tx_free(r);
    }
    /* A duplicate gets the first receipt, with a checkpoint that holds it. */
    {
        tx_reply_pb *r = th_submit(c, first, first_len);
        assert_int_equal(r->status, TICSX__V1__STATUS__OK);
        assert_true(r->receipt->duplicate);
        assert_int_equal(r->receipt->index, first_index);
        assert_int_equal(tx_receipt_check(r, first, first_len, key, c), TX_OK);
        tx_free(r);
    }
    /* A member cannot slip a checkpoint of its own into the log, even one it signed well. */
    {
        tx_checkpoint_pb forged = TICSX__V1__CHECKPOINT__INIT;
        uint8_t fake_root[32] = {0};
        uint8_t *ck;
        size_t ck_len;
        tx_reply_pb *r;

        forged.size = 1000;
        forged.root.data = fake_root;
        forged.root.len = sizeof fake_root;
        forged.time = 1;
        assert_int_equal(tx_envelope_sign_msg(fx.pub, TX_KIND_CHECKPOINT, &forged.base, &ck,
                                              &ck_len),
                         TX_OK);
        r = th_submit(c, ck, ck_len);
        assert_int_equal(r->status, TICSX__V1__STATUS__FORBIDDEN);
        assert_non_null(strstr(r->message, "checkpoints are signed by the hub"));
        tx_free(r);
        free(ck);
    }

    /* The latest checkpoint; the leaf hashes rebuild its root. */
    assert_int_equal(tx_log_checkpoint(c, key, &cp), TX_OK);
    assert_int_equal(cp.size, 21); /* the publisher's profile and 20 questionnaires */
    leaves = all_leaves(c, cp.size);
    tx_merkle_leaf_hash(first, first_len, root);
    assert_memory_equal(leaves[first_index - 1], root, 32);
    assert_int_equal(tx_merkle_root(tx_merkle_node_from_leaves, leaves, cp.size, root), TX_OK);
    assert_memory_equal(root, cp.root, 32);
    free(leaves);

    /* Bad requests are named; sizes past the log are not found. */
    expect_refusal(inclusion(c, 0, 5), TICSX__V1__STATUS__BAD_REQUEST, "start at 1");
    expect_refusal(inclusion(c, 6, 5), TICSX__V1__STATUS__BAD_REQUEST, "not in a tree of size 5");
    expect_refusal(inclusion(c, 1, 0), TICSX__V1__STATUS__BAD_REQUEST, "not in a tree");
    expect_refusal(inclusion(c, 3, 22), TICSX__V1__STATUS__NOT_FOUND, "holds 21 records");
    expect_refusal(consistency(c, 0, 5), TICSX__V1__STATUS__BAD_REQUEST, "at least 1");
    expect_refusal(consistency(c, 9, 5), TICSX__V1__STATUS__BAD_REQUEST, "larger than");
    expect_refusal(consistency(c, 5, 1000), TICSX__V1__STATUS__NOT_FOUND, "holds 21 records");
    {
        tx_reply_pb *r = consistency(c, 21, 21);
        assert_int_equal(r->status, TICSX__V1__STATUS__OK);
        assert_int_equal(r->n_proof, 0);
        tx_free(r);
    }
    tx_checkpoint_clear(&cp);
    free(first);
    tx_conn_destroy(&c);
    tx_identity_destroy(&other);
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
}

/* A reply holding `n` proof hashes from path, for corrupting. */
typedef struct {
    tx_reply_pb r;
    ProtobufCBinaryData bins[TX_MERKLE_MAX_PATH + 1];
    uint8_t data[TX_MERKLE_MAX_PATH + 1][33];
} fake;

static const tx_reply_pb *
fake_reply(fake *f, const uint8_t path[][32], size_t n)
{
    memset(f, 0, sizeof *f);
    ticsx__v1__reply__init(&f->r);
    for (size_t i = 0; i < n; i++) {
        memcpy(f->data[i], path[i], 32);
        f->bins[i].data = f->data[i];
        f->bins[i].len = 32;
    }
    f->r.proof = f->bins;
    f->r.n_proof = n;
    return &f->r;
}

/* Every corruption of an inclusion proof of (index, size) is refused. */
static void
corrupt_inclusion(const tx_reply_pb *good, uint64_t index, uint64_t size, const uint8_t leaf[32],
                  const uint8_t root[32])
{
    uint8_t path[TX_MERKLE_MAX_PATH][32], bad_root[32];
    size_t n;
    fake f;

    assert_int_equal(tx_log_proof_of(good, path, &n), TX_OK);
    assert_int_equal(tx_log_verify_inclusion(fake_reply(&f, (const uint8_t(*)[32])path, n), index,
                                             size, leaf, root),
                     TX_OK);
    /* Index and size. */
    assert_int_not_equal(tx_log_verify_inclusion(good, index + 1, size, leaf, root), TX_OK);
    assert_int_not_equal(tx_log_verify_inclusion(good, index - 1, size, leaf, root), TX_OK);
    assert_int_not_equal(tx_log_verify_inclusion(good, index, 2 * size, leaf, root), TX_OK);
    assert_int_not_equal(tx_log_verify_inclusion(good, index, size / 2, leaf, root), TX_OK);
    /* Each element with a bit flipped. */
    for (size_t i = 0; i < n; i++) {
        fake_reply(&f, (const uint8_t(*)[32])path, n);
        f.data[i][i % 32] ^= 1u << (i % 8);
        assert_int_equal(tx_log_verify_inclusion(&f.r, index, size, leaf, root), TX_ERR_CHECKSUM);
    }
    /* An element added (at the end, at the front) or removed (each). */
    fake_reply(&f, (const uint8_t(*)[32])path, n);
    memcpy(f.data[n], leaf, 32);
    f.bins[n] = (ProtobufCBinaryData){32, f.data[n]};
    f.r.n_proof = n + 1;
    assert_int_not_equal(tx_log_verify_inclusion(&f.r, index, size, leaf, root), TX_OK);
    if (n > 0) {
        for (size_t i = 0; i < n; i++) {
            uint8_t shorter[TX_MERKLE_MAX_PATH][32];
            for (size_t k = 0, m = 0; k < n; k++) {
                if (k != i) {
                    memcpy(shorter[m++], path[k], 32);
                }
            }
            assert_int_not_equal(
                tx_log_verify_inclusion(fake_reply(&f, (const uint8_t(*)[32])shorter, n - 1), index,
                                        size, leaf, root),
                TX_OK);
        }
        /* Trailing data: the last hash one byte longer. */
        fake_reply(&f, (const uint8_t(*)[32])path, n);
        f.bins[n - 1].len = 33;
        assert_int_equal(tx_log_verify_inclusion(&f.r, index, size, leaf, root), TX_ERR_MALFORMED);
    }
    /* Trailing data: an empty hash after the proof. */
    fake_reply(&f, (const uint8_t(*)[32])path, n);
    f.bins[n] = (ProtobufCBinaryData){0, f.data[n]};
    f.r.n_proof = n + 1;
    assert_int_equal(tx_log_verify_inclusion(&f.r, index, size, leaf, root), TX_ERR_MALFORMED);
    /* A wrong root, and a wrong leaf. */
    memcpy(bad_root, root, 32);
    bad_root[31] ^= 0x80;
    assert_int_equal(tx_log_verify_inclusion(good, index, size, leaf, bad_root), TX_ERR_CHECKSUM);
    assert_int_equal(tx_log_verify_inclusion(good, index, size, bad_root, root), TX_ERR_CHECKSUM);
}

/* Every corruption of a consistency proof from old_size to size is refused (the
 * transparency-dev set: old size +-1, new size doubled or halved, elements, roots). */
static void
corrupt_consistency(const tx_reply_pb *good, uint64_t old_size, const uint8_t old_root[32],
                    uint64_t size, const uint8_t root[32])
{
    uint8_t path[TX_MERKLE_MAX_PATH][32], bad[32];
    size_t n;
    fake f;

    assert_int_equal(tx_log_proof_of(good, path, &n), TX_OK);
    assert_int_equal(tx_log_verify_consistency(good, old_size, old_root, size, root), TX_OK);
    assert_int_not_equal(tx_log_verify_consistency(good, old_size + 1, old_root, size, root),
                         TX_OK);
    assert_int_not_equal(tx_log_verify_consistency(good, old_size - 1, old_root, size, root),
                         TX_OK);
    assert_int_not_equal(tx_log_verify_consistency(good, old_size, old_root, 2 * size, root),
                         TX_OK);
    assert_int_not_equal(tx_log_verify_consistency(good, old_size, old_root, size / 2, root),
                         TX_OK);
    for (size_t i = 0; i < n; i++) {
        fake_reply(&f, (const uint8_t(*)[32])path, n);
        f.data[i][(i * 7) % 32] ^= 1u << (i % 8);
        assert_int_equal(tx_log_verify_consistency(&f.r, old_size, old_root, size, root),
                         TX_ERR_CHECKSUM);
    }
    fake_reply(&f, (const uint8_t(*)[32])path, n);
    memcpy(f.data[n], root, 32);
    f.bins[n] = (ProtobufCBinaryData){32, f.data[n]};
    f.r.n_proof = n + 1;
    assert_int_not_equal(tx_log_verify_consistency(&f.r, old_size, old_root, size, root), TX_OK);
    for (size_t i = 0; i < n; i++) {
        uint8_t shorter[TX_MERKLE_MAX_PATH][32];
        for (size_t k = 0, m = 0; k < n; k++) {
            if (k != i) {
                memcpy(shorter[m++], path[k], 32);
            }
        }
        assert_int_not_equal(
            tx_log_verify_consistency(fake_reply(&f, (const uint8_t(*)[32])shorter, n - 1),
                                      old_size, old_root, size, root),
            TX_OK);
    }
    fake_reply(&f, (const uint8_t(*)[32])path, n);
    f.bins[n - 1].len = 33;
    assert_int_equal(tx_log_verify_consistency(&f.r, old_size, old_root, size, root),
                     TX_ERR_MALFORMED);
    memcpy(bad, root, 32);
    bad[0] ^= 1;
    assert_int_equal(tx_log_verify_consistency(good, old_size, old_root, size, bad),
                     TX_ERR_CHECKSUM);
    memcpy(bad, old_root, 32);
    bad[0] ^= 1;
    assert_int_equal(tx_log_verify_consistency(good, old_size, bad, size, root), TX_ERR_CHECKSUM);
}

static void
test_corrupted_proofs_refused(void **state)
{
    char dir[PATH_MAX];
    uint8_t key[32];
    th_hub h;
    tx_conn *c;
    tx_checkpoint cp = {0};
    uint8_t(*leaves)[32];
    const uint64_t indices[] = {1, 2, 5, 13, 24, 31, 32};
    const uint64_t olds[] = {1, 4, 7, 13, 16, 31};
    (void)state;

    path_in(dir, sizeof dir, "corrupt");
    make_hub(dir, NULL);
    th_hub_start(&h, dir, NULL);
    hub_sign_key(&h, key);
    for (uint64_t seq = 2; seq <= 32; seq++) {
        publish(&h, seq);
    }
    c = connect_as(&h, fx.pub);
    assert_int_equal(tx_log_checkpoint(c, key, &cp), TX_OK);
    assert_int_equal(cp.size, 32);
    leaves = all_leaves(c, 32);
    /* Over the tree of 32 and a smaller, ragged one of 27. */
    for (int t = 0; t < 2; t++) {
        uint64_t size = t == 0 ? 32 : 27;
        uint8_t root[32];

        assert_int_equal(tx_merkle_root(tx_merkle_node_from_leaves, leaves, size, root), TX_OK);
        for (size_t i = 0; i < TX_ARRAY_LEN(indices); i++) {
            tx_reply_pb *r;
            if (indices[i] > size) {
                continue;
            }
            r = inclusion(c, indices[i], size);
            corrupt_inclusion(r, indices[i], size, leaves[indices[i] - 1], root);
            tx_free(r);
        }
        for (size_t i = 0; i < TX_ARRAY_LEN(olds); i++) {
            uint8_t old_root[32];
            tx_reply_pb *r;
            if (olds[i] >= size) {
                continue;
            }
            assert_int_equal(tx_merkle_root(tx_merkle_node_from_leaves, leaves, olds[i], old_root),
                             TX_OK);
            r = consistency(c, olds[i], size);
            corrupt_consistency(r, olds[i], old_root, size, root);
            tx_free(r);
        }
    }
    free(leaves);
    tx_checkpoint_clear(&cp);
    tx_conn_destroy(&c);
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
}

/* The checkpoint this home keeps. */
static void
kept(const char *home, const th_hub *h, tx_checkpoint *cp)
{
    char path[PATH_MAX + 16];
    uint8_t key[32], *buf;
    size_t len;
    struct stat st;

    snprintf(path, sizeof path, "%s/checkpoint", home);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(tx_file_read(path, 4096, &buf, &len), TX_OK);
    hub_sign_key(h, key);
    assert_int_equal(tx_checkpoint_open(buf, len, key, cp), TX_OK);
    free(buf);
}

static void
test_growing_log_and_audit(void **state)
{
    char dir[PATH_MAX], home[PATH_MAX], hex[65];
    tx_checkpoint a = {0}, b = {0}, hubcp = {0};
    th_result r;
    th_hub h;
    json_t *j;
    (void)state;

    path_in(dir, sizeof dir, "grow");
    path_in(home, sizeof home, "grow-buyer");
    th_party(NULL, home, "Grow Buyer KK", NULL);
    make_hub(dir, home, NULL);
    th_hub_start(&h, dir, NULL);
    for (uint64_t seq = 2; seq <= 6; seq++) {
        publish(&h, seq);
    }
    th_ticsx(&r, &h, home, "fetch", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    kept(home, &h, &a);
    assert_int_equal(a.size, 7);

    /* The log grows: the new checkpoint extends the kept one and replaces it. */
    for (uint64_t seq = 7; seq <= 19; seq++) {
        publish(&h, seq);
    }
    th_ticsx(&r, &h, home, "fetch", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    kept(home, &h, &b);
    assert_int_equal(b.size, 20);
    assert_true(b.time >= a.time);

    /* audit-log: every visible record hashes to its leaf, the leaves rebuild the root. */
    th_ticsx(&r, &h, home, "audit-log", "--json", NULL);
    th_expect_status(&r, 0);
    hub_checkpoint(&h, &hubcp);
    tx_hex(hex, hubcp.root, 32);
    j = th_parse_json(r.out);
    assert_int_equal(json_integer_value(json_object_get(j, "size")), 20);
    assert_string_equal(json_string_value(json_object_get(j, "root")), hex);
    /* All 20 records are public (profiles, questionnaires). */
    assert_int_equal(json_integer_value(json_object_get(j, "records_checked")), 20);
    assert_true(json_is_true(json_object_get(j, "ok")));
    json_decref(j);
    th_result_free(&r);
    th_ticsx(&r, &h, home, "audit-log", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "log size 20");
    th_expect_text(r.out, hex);
    th_expect_text(r.out, "records checked 20");
    th_result_free(&r);

    tx_checkpoint_clear(&a);
    tx_checkpoint_clear(&b);
    tx_checkpoint_clear(&hubcp);
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
}

static void
test_split_view_reported(void **state)
{
    char a_dir[PATH_MAX], b_dir[PATH_MAX], home[PATH_MAX], path[PATH_MAX + 16];
    char *before, *after;
    tx_checkpoint ka = {0}, kb = {0};
    th_hub a, b;
    th_result r;
    (void)state;

    path_in(a_dir, sizeof a_dir, "split-a");
    path_in(b_dir, sizeof b_dir, "split-b");
    path_in(home, sizeof home, "split-buyer");
    th_party(NULL, home, "Split Buyer KK", NULL);
    make_hub(a_dir, home, NULL);
    /* A second hub with the same key and the same log so far. */
    copy_hub(a_dir, b_dir);
    th_hub_start(&a, a_dir, NULL);
    th_hub_start(&b, b_dir, NULL);
    /* Each gets another record at index 3: one size, two roots. */
    assert_int_equal(publish(&a, 10), 3);
    assert_int_equal(publish(&b, 11), 3);

    th_ticsx(&r, &a, home, "fetch", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    kept(home, &a, &ka);
    assert_int_equal(ka.size, 3);
    snprintf(path, sizeof path, "%s/checkpoint", home);
    before = th_read_file(path);

    /* The same hub key, another log: reported, evidence kept, the new one not accepted. */
    th_ticsx(&r, &b, home, "fetch", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "split view");
    th_expect_text(r.err, "two different logs of 3 records");
    hub_checkpoint(&b, &kb);
    {
        char ha[65], hb[65];
        tx_hex(ha, ka.root, 32);
        tx_hex(hb, kb.root, 32);
        th_expect_text(r.err, ha);
        th_expect_text(r.err, hb);
    }
    th_expect_text(r.err, "evidence");
    th_result_free(&r);
    assert_int_equal(th_evidence_count(home, ".checkpoint"), 2);
    after = th_read_file(path);
    assert_string_equal(before, after);
    free(after);

    /* B grows on its own branch: the consistency proof with the kept checkpoint fails. */
    publish(&b, 12);
    th_ticsx(&r, &b, home, "fetch", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "not an extension of the 3");
    th_expect_text(r.err, "size 4");
    th_result_free(&r);
    assert_int_equal(th_evidence_count(home, ".checkpoint"), 4);
    th_ticsx(&r, &b, home, "audit-log", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "split view");
    th_result_free(&r);
    after = th_read_file(path);
    assert_string_equal(before, after);
    free(after);

    /* The hub this home followed still checks. */
    publish(&a, 13);
    th_ticsx(&r, &a, home, "fetch", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, &a, home, "audit-log", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);

    free(before);
    tx_checkpoint_clear(&ka);
    tx_checkpoint_clear(&kb);
    assert_int_equal(th_hub_stop(&a, SIGTERM), 0);
    assert_int_equal(th_hub_stop(&b, SIGTERM), 0);
}

static void
test_rollback_and_time_going_back(void **state)
{
    char a_dir[PATH_MAX], c_dir[PATH_MAX], home[PATH_MAX], at[32];
    int64_t now = (int64_t)time(NULL);
    tx_checkpoint k = {0};
    th_hub a, c;
    th_result r;
    (void)state;

    path_in(a_dir, sizeof a_dir, "time-a");
    path_in(c_dir, sizeof c_dir, "time-c");
    path_in(home, sizeof home, "time-buyer");
    th_party(NULL, home, "Time Buyer KK", NULL);
    make_hub(a_dir, home, NULL);
    copy_hub(a_dir, c_dir); /* 2 records */
    snprintf(at, sizeof at, "@%lld", (long long)(now + 10000));
    th_hub_start(&a, a_dir, &(th_hub_opts){.now = at});
    assert_int_equal(publish(&a, 20), 3);
    th_ticsx(&r, &a, home, "fetch", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    kept(home, &a, &k);
    assert_int_equal(k.size, 3);
    assert_int_equal(k.time, now + 10000);
    tx_checkpoint_clear(&k);

    /* A hub of the same key that lost the last record: a rollback. */
    snprintf(at, sizeof at, "@%lld", (long long)(now + 5000));
    th_hub_start(&c, c_dir, &(th_hub_opts){.now = at});
    th_ticsx(&r, &c, home, "fetch", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "rollback");
    th_expect_text(r.err, "shrank from 3 to 2 records");
    th_result_free(&r);
    assert_int_equal(th_evidence_count(home, ".checkpoint"), 2);

    /* It takes the same record again: same log, but signed earlier than the one kept. */
    assert_int_equal(publish(&c, 20), 3);
    th_ticsx(&r, &c, home, "fetch", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "time went backwards");
    th_result_free(&r);
    /* And grows consistently, still behind in time. */
    assert_int_equal(publish(&c, 21), 4);
    th_ticsx(&r, &c, home, "fetch", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "time went backwards");
    th_result_free(&r);
    assert_int_equal(th_evidence_count(home, ".checkpoint"), 6);
    kept(home, &a, &k);
    assert_int_equal(k.size, 3);
    assert_int_equal(k.time, now + 10000);
    tx_checkpoint_clear(&k);

    assert_int_equal(th_hub_stop(&a, SIGTERM), 0);
    assert_int_equal(th_hub_stop(&c, SIGTERM), 0);
}

/* Flips a bit of the stored leaf hash of log index `index` (in a write transaction of its own,
 * beside the running hub). */
static void
damage_leaf(const char *dir, uint64_t index)
{
    uint8_t key[9], val[32];
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k = {sizeof key, key}, v;

    key[0] = 0;
    for (int i = 8; i >= 1; i--) {
        key[i] = (uint8_t)((index - 1) >> (8 * (8 - i)));
    }
    assert_int_equal(mdb_env_create(&env), MDB_SUCCESS);
    assert_int_equal(mdb_env_set_maxdbs(env, 16), MDB_SUCCESS);
    assert_int_equal(mdb_env_open(env, dir, MDB_NOTLS, 0600), MDB_SUCCESS);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), MDB_SUCCESS);
    assert_int_equal(mdb_dbi_open(txn, "nodes", 0, &dbi), MDB_SUCCESS);
    assert_int_equal(mdb_get(txn, dbi, &k, &v), MDB_SUCCESS);
    assert_int_equal(v.mv_size, 32);
    memcpy(val, v.mv_data, 32);
    val[5] ^= 0x10;
    v = (MDB_val){32, val};
    assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), MDB_SUCCESS);
    assert_int_equal(mdb_txn_commit(txn), MDB_SUCCESS);
    mdb_env_close(env);
}

static void
test_damaged_tree_fails_audit(void **state)
{
    char dir[PATH_MAX], home[PATH_MAX];
    th_result r;
    th_hub h;
    (void)state;

    path_in(dir, sizeof dir, "damaged");
    path_in(home, sizeof home, "damaged-buyer");
    th_party(NULL, home, "Damaged Buyer KK", NULL);
    make_hub(dir, home, NULL);
    th_hub_start(&h, dir, NULL);
    for (uint64_t seq = 2; seq <= 8; seq++) {
        publish(&h, seq);
    }
    th_ticsx(&r, &h, home, "fetch", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    /* The hub now serves a leaf hash for index 2 (the buyer's profile, sibling of index 1)
     * that its signed root does not hold. Damaged behind the running hub's back: a hub
     * refuses to start on a tree that does not match its log (ticsx-hub check). */
    damage_leaf(dir, 2);
    th_ticsx(&r, &h, home, "audit-log", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "audit failed");
    th_expect_text(r.err, "at log index 2 does not hash to the leaf");
    th_result_free(&r);
    th_ticsx(&r, &h, home, "audit-log", "--json", NULL);
    th_expect_status(&r, 1);
    {
        json_t *j = th_parse_json(r.out);
        assert_true(json_is_false(json_object_get(j, "ok")));
        assert_int_equal(json_integer_value(json_object_get(j, "mismatches")), 2);
        json_decref(j);
    }
    th_result_free(&r);
    /* Fetch proves every record it got: the proof of index 1 runs through that leaf. */
    th_ticsx(&r, &h, home, "fetch", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "is not in the hub's signed log");
    th_result_free(&r);
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_receipts_and_requests, th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_corrupted_proofs_refused, th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_growing_log_and_audit, th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_split_view_reported, th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_rollback_and_time_going_back, th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_damaged_tree_fails_audit, th_stop_leftover_hubs),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/* Sharing at the hub, over the wire: the real ticsx-hub on tcp://127.0.0.1:* with CURVE, real
 * clients (client/net/tx_conn), real LMDB, records signed with the keys/ functions. Who may read an
 * assessment (author, current grantees, the old one's grantees for a superseding one), replays,
 * refused submissions that leave nothing stored, and watchers: pushes after a commit to those
 * who may see the record and to no one else, renewal, expiry, the bound (BUSY) and watchers
 * whose peer is gone. */
#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_seal.h"
#include "tx_util.h"

#include <lmdb.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define TIMEOUT_MS 5000
#define PUSH_WAIT_MS 5000 /* a push must arrive within this after the commit's reply */
#define PER_MEMBER 16     /* TX_SUBS_PER_MEMBER in hub/tx_subs.h */

typedef struct {
    char *root;
    char dir[PATH_MAX];
    th_hub hub;
    tx_identity *supplier, *b1, *b2, *outsider, *rival;
    tx_conn *cs, *c1, *c2, *co, *cr;
    uint64_t seq_s, seq_r, seq_1; /* next sequence numbers */
    uint8_t qid[TX_ID_LEN];
} fx;

static int
setup(void **state)
{
    fx *f;
    size_t len;
    uint8_t *env;

    th_require_hub_bin();
    f = calloc(1, sizeof *f);
    f->root = th_tmpdir();
    snprintf(f->dir, sizeof f->dir, "%s/hub", f->root);
    th_hub_init(f->dir);
    f->supplier = th_identity("Okazaki Supplier KK");
    f->b1 = th_identity("Buyer One KK");
    f->b2 = th_identity("Buyer Two KK");
    f->outsider = th_identity("Outsider KK");
    f->rival = th_identity("Rival Supplier KK");
    assert_int_equal(th_enroll(f->dir, f->supplier, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->b1, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->b2, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->outsider, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->rival, 1, NULL, 0), 0);
    th_hub_start(&f->hub, f->dir, NULL);
    f->cs = th_connect(&f->hub, f->supplier, TIMEOUT_MS);
    f->c1 = th_connect(&f->hub, f->b1, TIMEOUT_MS);
    f->c2 = th_connect(&f->hub, f->b2, TIMEOUT_MS);
    f->co = th_connect(&f->hub, f->outsider, TIMEOUT_MS);
    f->cr = th_connect(&f->hub, f->rival, TIMEOUT_MS);
    f->seq_s = f->seq_r = 2;
    f->seq_1 = 3;
    env = th_questionnaire(f->b1, 2, &len);
    tx_record_id(env, len, f->qid);
    assert_int_equal(th_submit_status(f->c1, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fx *f = *state;
    int status = 0;

    tx_conn_destroy(&f->cs);
    tx_conn_destroy(&f->c1);
    tx_conn_destroy(&f->c2);
    tx_conn_destroy(&f->co);
    tx_conn_destroy(&f->cr);
    if (f->hub.pid > 0) {
        status = th_hub_stop(&f->hub, SIGTERM);
    }
    tx_identity_destroy(&f->supplier);
    tx_identity_destroy(&f->b1);
    tx_identity_destroy(&f->b2);
    tx_identity_destroy(&f->outsider);
    tx_identity_destroy(&f->rival);
    th_rmtree(f->root);
    free(f->root);
    free(f);
    assert_int_equal(status, 0);
    return 0;
}

/* The supplier stores an assessment (superseding old when not NULL); aid receives its id. */
static void
store_assessment(fx *f, const uint8_t *old, uint8_t *key, uint8_t aid[TX_ID_LEN])
{
    size_t len;
    uint8_t *env =
        th_sealed_with(f->supplier, f->seq_s++, f->qid, old, "secret text", key, 0, &len);

    tx_record_id(env, len, aid);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
}

/* The supplier grants aid to `to`; gid (may be NULL) receives the grant's id. */
static void
grant(fx *f, const uint8_t aid[TX_ID_LEN], const tx_identity *to, const uint8_t *key,
      uint8_t *gid)
{
    size_t len;
    uint8_t *env = th_grant(f->supplier, f->seq_s++, aid, &to->pub, key, &len);

    if (gid != NULL) {
        tx_record_id(env, len, gid);
    }
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
}

static void
test_only_author_and_grantees_read(void **state)
{
    fx *f = *state;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t aid[TX_ID_LEN], gid[TX_ID_LEN], vid[TX_ID_LEN];
    size_t len;
    uint8_t *env;

    store_assessment(f, NULL, key, aid);
    assert_int_equal(th_get_status(f->cs, aid), TX_OK);
    /* Existence does not leak: not found, exactly as for an id that was never stored. */
    assert_int_equal(th_get_status(f->c1, aid), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->co, aid), TX_ERR_NOT_FOUND);
    grant(f, aid, f->b1, key, gid);
    assert_int_equal(th_get_status(f->c1, aid), TX_OK);
    assert_int_equal(th_get_status(f->c1, gid), TX_OK);
    assert_int_equal(th_get_status(f->co, aid), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->co, gid), TX_ERR_NOT_FOUND);
    assert_int_equal(th_list_count(f->co, TX_KIND_ASSESSMENT), 0);
    assert_int_equal(th_list_count(f->co, TX_KIND_GRANT), 0);

    /* Revoked: the buyer gets nothing; it sees the revocation; a new grant restores access. */
    env = th_revoke(f->supplier, f->seq_s++, gid, aid, f->b1->pub.sign, &len);
    tx_record_id(env, len, vid);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    assert_int_equal(th_get_status(f->c1, aid), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->c1, vid), TX_OK);
    assert_int_equal(th_get_status(f->co, vid), TX_ERR_NOT_FOUND);
    grant(f, aid, f->b1, key, NULL);
    assert_int_equal(th_get_status(f->c1, aid), TX_OK);
    sodium_free(key);
}

static void
test_refused_submissions_store_nothing(void **state)
{
    fx *f = *state;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t aid[TX_ID_LEN];
    size_t len, before_a, before_g;
    uint8_t *env;
    tx_reply_pb *r;

    store_assessment(f, NULL, key, aid);
    before_a = th_list_count(f->cs, TX_KIND_ASSESSMENT);
    before_g = th_list_count(f->cs, TX_KIND_GRANT);

    /* A truncated envelope. */
    env = th_sealed_with(f->supplier, f->seq_s, f->qid, NULL, "secret", key, 0, &len);
    r = th_submit(f->cs, env, len - 7);
    assert_int_equal(r->status, TICSX__V1__STATUS__BAD_REQUEST);
    assert_non_null(strstr(r->message, "does not decode"));
    tx_free(r);
    free(env);
    /* A ciphertext cut to less than its authentication tag. */
    env = th_sealed_with(f->supplier, f->seq_s, f->qid, NULL, "secret", key, 10, &len);
    r = th_submit(f->cs, env, len);
    assert_int_equal(r->status, TICSX__V1__STATUS__BAD_REQUEST);
    tx_free(r);
    free(env);
    /* A grant of the supplier's assessment signed by someone else: to it, no such record. */
    env = th_grant(f->rival, f->seq_r++, aid, &f->b1->pub, key, &len);
    r = th_submit(f->cr, env, len);
    assert_int_equal(r->status, TICSX__V1__STATUS__MISSING_REFERENCE);
    assert_non_null(strstr(r->message, "not among your records"));
    tx_free(r);
    free(env);
    assert_int_equal(th_get_status(f->c1, aid), TX_ERR_NOT_FOUND);
    assert_int_equal(th_list_count(f->cs, TX_KIND_ASSESSMENT), before_a);
    assert_int_equal(th_list_count(f->cs, TX_KIND_GRANT), before_g);
    assert_int_equal(th_list_count(f->cr, TX_KIND_GRANT), 0);
    sodium_free(key);
}

static void
test_replay_refused(void **state)
{
    fx *f = *state;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t aid[TX_ID_LEN];
    uint64_t first = 0, again = 0;
    size_t len;
    uint8_t *env;
    tx_reply_pb *r;

    store_assessment(f, NULL, key, aid);
    env = th_grant(f->supplier, f->seq_s, aid, &f->b1->pub, key, &len);
    assert_int_equal(th_submit_status(f->cs, env, len, &first), TICSX__V1__STATUS__OK);
    /* The same bytes: the first receipt again, stored once. */
    r = th_submit(f->cs, env, len);
    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    assert_non_null(r->receipt);
    assert_true(r->receipt->duplicate);
    again = r->receipt->index;
    assert_int_equal(again, first);
    tx_free(r);
    free(env);
    assert_int_equal(th_list_count(f->c1, TX_KIND_GRANT), 1);
    /* A new record with the same sequence number, then a lower one. */
    env = th_grant(f->supplier, f->seq_s, aid, &f->b2->pub, key, &len);
    r = th_submit(f->cs, env, len);
    assert_int_equal(r->status, TICSX__V1__STATUS__REPLAY);
    assert_non_null(strstr(r->message, "not above"));
    tx_free(r);
    free(env);
    env = th_grant(f->supplier, f->seq_s - 1, aid, &f->b2->pub, key, &len);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__REPLAY);
    free(env);
    assert_int_equal(th_list_count(f->c2, TX_KIND_GRANT), 0);
    assert_int_equal(th_get_status(f->c2, aid), TX_ERR_NOT_FOUND);
    f->seq_s++;
    sodium_free(key);
}

static void
test_supersede_rules(void **state)
{
    fx *f = *state;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t old[TX_ID_LEN], newer[TX_ID_LEN], g2[TX_ID_LEN], nowhere[TX_ID_LEN];
    size_t len;
    uint8_t *env;
    tx_reply_pb *r;

    store_assessment(f, NULL, key, old);
    grant(f, old, f->b1, key, NULL);
    grant(f, old, f->b2, key, g2);
    env = th_revoke(f->supplier, f->seq_s++, g2, old, f->b2->pub.sign, &len);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);

    /* Another supplier cannot supersede it (to it, it is not there); nor can anyone supersede
     * what is not stored. */
    env = th_sealed_with(f->rival, f->seq_r++, f->qid, old, "rival", key, 0, &len);
    r = th_submit(f->cr, env, len);
    assert_int_equal(r->status, TICSX__V1__STATUS__MISSING_REFERENCE);
    assert_non_null(strstr(r->message, "not among your records"));
    tx_free(r);
    free(env);
    memset(nowhere, 0x5a, sizeof nowhere);
    env = th_sealed_with(f->supplier, f->seq_s++, f->qid, nowhere, "x", key, 0, &len);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL),
                     TICSX__V1__STATUS__MISSING_REFERENCE);
    free(env);

    /* The author's newer one: its ciphertext becomes visible to the current grantee (so it
     * learns the old one is superseded), not to the revoked one nor to outsiders. */
    store_assessment(f, old, key, newer);
    assert_int_equal(th_get_status(f->c1, newer), TX_OK);
    assert_int_equal(th_get_status(f->c2, newer), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->co, newer), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->cr, newer), TX_ERR_NOT_FOUND);
    sodium_free(key);
}

/* A revoked grant takes the newer versions of its line with it: buyer 1, granted only the old
 * one, saw the newer one's ciphertext by the supersede notice; after the revocation it gets
 * neither (nor the next one in the line). A grant of the newer version made afterwards opens
 * that one again, not the revoked old one. */
static void
test_revoke_hides_newer_versions(void **state)
{
    fx *f = *state;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t old[TX_ID_LEN], mid[TX_ID_LEN], newest[TX_ID_LEN], gid[TX_ID_LEN];
    size_t len;
    uint8_t *env;

    store_assessment(f, NULL, key, old);
    grant(f, old, f->b1, key, gid);
    grant(f, old, f->b2, key, NULL);
    store_assessment(f, old, key, mid);
    assert_int_equal(th_get_status(f->c1, mid), TX_OK);
    env = th_revoke(f->supplier, f->seq_s++, gid, old, f->b1->pub.sign, &len);
    assert_int_equal(th_submit_status(f->cs, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    assert_int_equal(th_get_status(f->c1, old), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->c1, mid), TX_ERR_NOT_FOUND);
    /* Buyer 2, not revoked, keeps both; the next version reaches it and not buyer 1. */
    assert_int_equal(th_get_status(f->c2, mid), TX_OK);
    store_assessment(f, mid, key, newest);
    assert_int_equal(th_get_status(f->c2, newest), TX_OK);
    assert_int_equal(th_get_status(f->c1, newest), TX_ERR_NOT_FOUND);
    /* Granted the newest again on purpose: readable, the revoked versions stay closed. */
    grant(f, newest, f->b1, key, NULL);
    assert_int_equal(th_get_status(f->c1, newest), TX_OK);
    assert_int_equal(th_get_status(f->c1, old), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->c1, mid), TX_ERR_NOT_FOUND);
    sodium_free(key);
}

/* `ticsx-hub check --data dir`: its exit status. */
static int
hub_check(const char *dir)
{
    char cmd[PATH_MAX + 64];
    int st;

    snprintf(cmd, sizeof cmd, "%s check --data '%s' >/dev/null", th_hub_bin(), dir);
    st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Damages the superseders index of the stopped hub at dir: drops its first entry, or (all)
 * every entry and the marker, as in an environment written before the index. */
static void
superseders_drop(const char *dir, int all)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *cur;
    MDB_val k, v;

    assert_int_equal(mdb_env_create(&env), MDB_SUCCESS);
    assert_int_equal(mdb_env_set_maxdbs(env, 16), MDB_SUCCESS);
    assert_int_equal(mdb_env_open(env, dir, MDB_NOTLS, 0600), MDB_SUCCESS);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), MDB_SUCCESS);
    assert_int_equal(mdb_dbi_open(txn, "superseders", 0, &dbi), MDB_SUCCESS);
    assert_int_equal(mdb_cursor_open(txn, dbi, &cur), MDB_SUCCESS);
    while (mdb_cursor_get(cur, &k, &v, MDB_NEXT) == MDB_SUCCESS) {
        if (k.mv_size == 16 || all) {
            assert_int_equal(mdb_cursor_del(cur, 0), MDB_SUCCESS);
            if (!all) {
                break;
            }
        }
    }
    mdb_cursor_close(cur);
    assert_int_equal(mdb_txn_commit(txn), MDB_SUCCESS);
    mdb_env_close(env);
}

/* A grant made after the supersede, and along a chain old <- mid <- newest: every grantee of
 * any assessment of the chain may get every newer one (ciphertext only), whenever granted. */
static void
test_superseders_shown_to_later_grantees(void **state)
{
    fx *f = *state;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t old[TX_ID_LEN], mid[TX_ID_LEN], newest[TX_ID_LEN], other[TX_ID_LEN];

    store_assessment(f, NULL, key, old);
    store_assessment(f, NULL, key, other);
    grant(f, old, f->b1, key, NULL);
    store_assessment(f, old, key, mid);
    /* Granted old after the supersede: buyer 2 sees mid, and nothing unrelated. */
    grant(f, old, f->b2, key, NULL);
    assert_int_equal(th_get_status(f->c2, old), TX_OK);
    assert_int_equal(th_get_status(f->c2, mid), TX_OK);
    assert_int_equal(th_get_status(f->c2, other), TX_ERR_NOT_FOUND);
    /* The chain grows: those who held old (buyer 1 since before, buyer 2 since after mid) see
     * the newest; a grant of old made now shows the whole chain. */
    store_assessment(f, mid, key, newest);
    assert_int_equal(th_get_status(f->c1, newest), TX_OK);
    assert_int_equal(th_get_status(f->c2, newest), TX_OK);
    assert_int_equal(th_get_status(f->co, mid), TX_ERR_NOT_FOUND);
    grant(f, old, f->outsider, key, NULL);
    assert_int_equal(th_get_status(f->co, mid), TX_OK);
    assert_int_equal(th_get_status(f->co, newest), TX_OK);
    assert_int_equal(th_get_status(f->co, other), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->cr, mid), TX_ERR_NOT_FOUND);
    assert_int_equal(th_get_status(f->cr, newest), TX_ERR_NOT_FOUND);
    /* `ticsx-hub check` recomputes the index from the log: clean, then one entry dropped is
     * reported (exit 1); an environment without the index (written before it) gets it built
     * on open, and the hub shows the chain from it. */
    assert_int_equal(th_hub_stop(&f->hub, SIGTERM), 0);
    assert_int_equal(hub_check(f->dir), 0);
    superseders_drop(f->dir, 0);
    assert_int_equal(hub_check(f->dir), 1);
    superseders_drop(f->dir, 1);
    th_hub_start(&f->hub, f->dir, NULL);
    assert_int_equal(hub_check(f->dir), 0);
    tx_conn_destroy(&f->cs);
    tx_conn_destroy(&f->cr);
    f->cs = th_connect(&f->hub, f->supplier, TIMEOUT_MS);
    f->cr = th_connect(&f->hub, f->rival, TIMEOUT_MS);
    grant(f, old, f->rival, key, NULL);
    assert_int_equal(th_get_status(f->cr, mid), TX_OK);
    assert_int_equal(th_get_status(f->cr, newest), TX_OK);
    sodium_free(key);
}

/* Submits env on c and copies the refusal's status and message, with every occurrence of the
 * short form of `id` replaced by "ID". */
static int
refusal(tx_conn *c, uint8_t *env, size_t len, const uint8_t id[TX_ID_LEN], char *msg, size_t n)
{
    tx_reply_pb *r = th_submit(c, env, len);
    char shortid[13], *at;
    int status = (int)r->status;

    tx_record_id_short(id, shortid);
    snprintf(msg, n, "%s", r->message);
    while ((at = strstr(msg, shortid)) != NULL) {
        memcpy(at, "ID", 2);
        memmove(at + 2, at + strlen(shortid), strlen(at + strlen(shortid)) + 1);
    }
    tx_free(r);
    free(env);
    return status;
}

/* A grant, a revocation and a supersede naming another member's real record are answered
 * exactly as those naming an id that exists nowhere: no member can probe for record ids. */
static void
test_foreign_ids_look_absent(void **state)
{
    fx *f = *state;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t theirs[TX_ID_LEN], their_grant[TX_ID_LEN], random_id[TX_ID_LEN];
    char a[512], b[512];
    size_t len;
    uint8_t *env;
    int sa, sb;

    /* The rival's assessment, granted to buyer 1. */
    env = th_sealed_with(f->rival, f->seq_r++, f->qid, NULL, "rival's", key, 0, &len);
    tx_record_id(env, len, theirs);
    assert_int_equal(th_submit_status(f->cr, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    env = th_grant(f->rival, f->seq_r++, theirs, &f->b1->pub, key, &len);
    tx_record_id(env, len, their_grant);
    assert_int_equal(th_submit_status(f->cr, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    randombytes_buf(random_id, sizeof random_id);

    /* Grant */
    env = th_grant(f->supplier, f->seq_s++, random_id, &f->b2->pub, key, &len);
    sa = refusal(f->cs, env, len, random_id, a, sizeof a);
    env = th_grant(f->supplier, f->seq_s++, theirs, &f->b2->pub, key, &len);
    sb = refusal(f->cs, env, len, theirs, b, sizeof b);
    assert_int_equal(sa, TICSX__V1__STATUS__MISSING_REFERENCE);
    assert_int_equal(sb, sa);
    assert_string_equal(b, a);
    assert_non_null(strstr(a, "assessment ID is not among your records at the hub"));
    /* GrantRevoke */
    env = th_revoke(f->supplier, f->seq_s++, random_id, theirs, f->b1->pub.sign, &len);
    sa = refusal(f->cs, env, len, random_id, a, sizeof a);
    env = th_revoke(f->supplier, f->seq_s++, their_grant, theirs, f->b1->pub.sign, &len);
    sb = refusal(f->cs, env, len, their_grant, b, sizeof b);
    assert_int_equal(sa, TICSX__V1__STATUS__MISSING_REFERENCE);
    assert_int_equal(sb, sa);
    assert_string_equal(b, a);
    /* SealedAssessment.supersedes */
    env = th_sealed_with(f->supplier, f->seq_s++, f->qid, random_id, "x", key, 0, &len);
    sa = refusal(f->cs, env, len, random_id, a, sizeof a);
    env = th_sealed_with(f->supplier, f->seq_s++, f->qid, theirs, "x", key, 0, &len);
    sb = refusal(f->cs, env, len, theirs, b, sizeof b);
    assert_int_equal(sa, TICSX__V1__STATUS__MISSING_REFERENCE);
    assert_int_equal(sb, sa);
    assert_string_equal(b, a);
    /* Nothing of it was stored: the rival's grant still stands for buyer 1. */
    assert_int_equal(th_get_status(f->c1, theirs), TX_OK);
    sodium_free(key);
}

/* Sends Call.watch on c for `seconds` (default kinds); returns the call id (asserts OK). */
static uint64_t
watch(tx_conn *c, uint32_t seconds, int expect_status)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_watch_pb w = TICSX__V1__WATCH__INIT;
    tx_reply_pb *r = NULL;
    uint64_t id;

    w.seconds = seconds;
    call.body_case = TICSX__V1__CALL__BODY_WATCH;
    call.watch = &w;
    assert_int_equal(tx_conn_send(c, &call, &id), TX_OK);
    assert_int_equal(tx_conn_wait(c, id, &r), TX_OK);
    if ((int)r->status != expect_status) {
        fail_msg("watch: status %d (%s), expected %d", r->status, r->message, expect_status);
    }
    assert_false(r->push);
    tx_free(r);
    return id;
}

/* The next push on c within wait_ms, or NULL. */
static tx_reply_pb *
next_push(tx_conn *c, int wait_ms)
{
    int64_t end = th_now_ms() + wait_ms;

    while (th_now_ms() < end) {
        tx_reply_pb *r = NULL;
        assert_int_equal(tx_conn_next(c, (int)(end - th_now_ms()), &r), TX_OK);
        if (r != NULL && r->push) {
            return r;
        }
        tx_free(r);
    }
    return NULL;
}

static void
test_watch_pushes_to_those_who_may_see(void **state)
{
    fx *f = *state;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t aid[TX_ID_LEN], gid[TX_ID_LEN], got[TX_ID_LEN];
    uint64_t id1, id2;
    tx_reply_pb *r;
    int64_t t0;

    store_assessment(f, NULL, key, aid);
    id1 = watch(f->c1, 0, TICSX__V1__STATUS__OK);
    watch(f->co, 0, TICSX__V1__STATUS__OK);
    t0 = th_now_ms();
    grant(f, aid, f->b1, key, gid);
    r = next_push(f->c1, PUSH_WAIT_MS);
    assert_non_null(r);
    print_message("push arrived %lld ms after the grant was submitted\n",
                  (long long)(th_now_ms() - t0));
    assert_int_equal(r->id, id1);
    assert_int_equal(r->n_entries, 1);
    tx_record_id(r->entries[0]->envelope.data, r->entries[0]->envelope.len, got);
    assert_memory_equal(got, gid, TX_ID_LEN);
    assert_true(r->entries[0]->index > 0);
    tx_free(r);
    /* The outsider may not see the grant: nothing comes. */
    assert_null(next_push(f->co, 1000));
    /* The assessment itself is not a watched kind by default: the buyer got only the grant. */
    assert_null(next_push(f->c1, 300));

    /* Renewal from the same connection takes the new call id (and does not add a watcher). */
    id2 = watch(f->c1, 0, TICSX__V1__STATUS__OK);
    assert_true(id2 > id1);
    grant(f, aid, f->b1, key, NULL);
    r = next_push(f->c1, PUSH_WAIT_MS);
    assert_non_null(r);
    assert_int_equal(r->id, id2);
    tx_free(r);
    sodium_free(key);
}

static void
test_watch_expires_and_bad_kind(void **state)
{
    fx *f = *state;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t aid[TX_ID_LEN];
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_watch_pb w = TICSX__V1__WATCH__INIT;
    Ticsx__V1__Kind kinds[1] = {TICSX__V1__KIND__KIND_NONE};
    tx_reply_pb *r = NULL;

    w.kinds = kinds;
    w.n_kinds = 1;
    call.body_case = TICSX__V1__CALL__BODY_WATCH;
    call.watch = &w;
    assert_int_equal(tx_conn_call(f->c1, &call, &r), TX_OK);
    assert_int_equal(r->status, TICSX__V1__STATUS__BAD_REQUEST);
    tx_free(r);

    store_assessment(f, NULL, key, aid);
    watch(f->c1, 1, TICSX__V1__STATUS__OK);
    usleep(1500 * 1000);
    grant(f, aid, f->b1, key, NULL);
    assert_null(next_push(f->c1, 1000));
    sodium_free(key);
}

static void
test_watch_bounded_and_gone_peers_dropped(void **state)
{
    fx *f = *state;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t aid[TX_ID_LEN];
    tx_conn *many[PER_MEMBER + 1];

    /* One organisation holds at most PER_MEMBER watchers: the next is told BUSY. */
    for (size_t i = 0; i < PER_MEMBER; i++) {
        many[i] = th_connect(&f->hub, f->b2, TIMEOUT_MS);
        watch(many[i], 0, TICSX__V1__STATUS__OK);
    }
    many[PER_MEMBER] = th_connect(&f->hub, f->b2, TIMEOUT_MS);
    watch(many[PER_MEMBER], 0, TICSX__V1__STATUS__BUSY);
    /* Another organisation is not held back by it. */
    watch(f->c1, 0, TICSX__V1__STATUS__OK);

    /* The watchers go away; the first push that finds their peers gone drops them, and the
     * organisation may watch again. */
    for (size_t i = 0; i < PER_MEMBER; i++) {
        tx_conn_destroy(&many[i]);
    }
    usleep(300 * 1000);
    store_assessment(f, NULL, key, aid);
    grant(f, aid, f->b2, key, NULL);
    watch(many[PER_MEMBER], 0, TICSX__V1__STATUS__OK);
    grant(f, aid, f->b2, key, NULL);
    tx_reply_pb *r = next_push(many[PER_MEMBER], PUSH_WAIT_MS);
    assert_non_null(r);
    tx_free(r);
    tx_conn_destroy(&many[PER_MEMBER]);
    sodium_free(key);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_only_author_and_grantees_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_submissions_store_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replay_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_supersede_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_superseders_shown_to_later_grantees, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoke_hides_newer_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_ids_look_absent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_pushes_to_those_who_may_see, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_expires_and_bad_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_bounded_and_gone_peers_dropped, setup, teardown),
    };

    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}

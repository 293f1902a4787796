/* Witnesses end to end, with the real ticsx-hub (LMDB, CURVE, ZAP) and the real ticsx: pinning
 * witnesses and a quorum; a checkpoint without the quorum is not accepted; the hub keeps and
 * serves cosignatures and refuses forged ones; with a witness that lags, the newest cosigned
 * checkpoint is used and newer records wait; and the backup fork: a hub restored from a backup
 * taken before a grant was revoked, grown past the old size, is refused by the witness, by the
 * supplier holding the revocation's receipt, and by a buyer whose checkpoint holds the
 * revocation (the forked hub's newest cosigned checkpoint is older than it). */
#include "harness.h"
#include "tx_client.h"
#include "tx_error.h"
#include "tx_log_proof.h"
#include "tx_note.h"
#include "tx_rpc.h"
#include "tx_util.h"

#include <dirent.h>
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define BUYER "Example Motors KK"
#define SUP "Tanaka Seiko KK"
#define ASSOC "Japan Parts Association"
#define LATE "Kansai Motors KK"
#define WNAME "witness.jpa.example/1"

typedef struct {
    char *root;
    char hubdir[PATH_MAX], backup[PATH_MAX];
    char buyer[PATH_MAX], other[PATH_MAX], sup[PATH_MAX], wit[PATH_MAX], late[PATH_MAX];
    th_hub hub;
    int witness_key; /* th_given: given_witness_key */
} fixture;

static fixture fx;

static void
first_id(const th_result *r, char id[65])
{
    if (strlen(r->out) < 65 || r->out[64] != '\n') {
        fail_msg("no id in: %s\nstderr: %s", r->out, r->err);
    }
    memcpy(id, r->out, 64);
    id[64] = 0;
}

static int
setup(void **state)
{
    (void)state;
    fx.root = th_tmpdir();
    snprintf(fx.hubdir, sizeof fx.hubdir, "%s/hub", fx.root);
    snprintf(fx.backup, sizeof fx.backup, "%s/hub-backup", fx.root);
    snprintf(fx.buyer, sizeof fx.buyer, "%s/buyer", fx.root);
    snprintf(fx.other, sizeof fx.other, "%s/other", fx.root);
    snprintf(fx.sup, sizeof fx.sup, "%s/sup", fx.root);
    snprintf(fx.wit, sizeof fx.wit, "%s/assoc", fx.root);
    snprintf(fx.late, sizeof fx.late, "%s/late", fx.root);
    th_hub_init(fx.hubdir);
    th_party(fx.hubdir, fx.buyer, BUYER, NULL);
    th_party(fx.hubdir, fx.other, "Other Buyer KK", NULL);
    th_party(fx.hubdir, fx.sup, SUP, NULL);
    th_party(fx.hubdir, fx.wit, ASSOC, NULL);
    th_party(fx.hubdir, fx.late, LATE, NULL);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    th_rmtree(fx.root);
    free(fx.root);
    return 0;
}

/* The supplier answers a request of the buyer `home` (every item "yes"); the assessment id. */
static void
answer_request_of(const char *home, char aid[65])
{
    char req[65], path[PATH_MAX + 32];
    th_result r;
    json_t *j, *arr;
    char *text;

    th_ticsx(&r, &fx.hub, home, "request", "--questionnaire", "tics-selfcheck", "--to", SUP, NULL);
    th_expect_status(&r, 0);
    first_id(&r, req);
    th_result_free(&r);
    snprintf(path, sizeof path, "%s/answers-%.12s.json", fx.sup, req);
    th_ticsx(&r, &fx.hub, fx.sup, "questionnaire", "template", req, "--format", "json", "--out",
             path, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    text = th_read_file(path);
    j = th_parse_json(text);
    free(text);
    arr = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer", json_string("yes"));
    }
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    th_ticsx(&r, &fx.hub, fx.sup, "answer", req, "--file", path, NULL);
    th_expect_status(&r, 0);
    first_id(&r, aid);
    th_result_free(&r);
}

static void
answer_request(char aid[65])
{
    answer_request_of(fx.buyer, aid);
}

static int
cached(const char *home, const char *id)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    int there = th_cache_get(home, "records", id, &bytes, &len);

    free(bytes);
    return there;
}

/* The association's first run makes its witness key (fx.wit/witness.pub) and cosigns, on the
 * hub the case started. Made once, by the first case that needs it, so that every case also
 * runs alone. */
static void
given_witness_key(void)
{
    th_result r;

    if (!th_given(&fx.witness_key, "the witness's first run")) {
        return;
    }
    /* The association's first run makes its witness key and cosigns. */
    th_ticsx(&r, &fx.hub, fx.wit, "witness", "--name", WNAME, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "cosigned the hub's checkpoint");
    th_expect_text(r.err, "witness.pub");
    th_expect_text(r.err, WNAME "+");
    th_result_free(&r);
    th_given_made(&fx.witness_key);
}

/* Pinning witnesses and a quorum; a checkpoint the witness has not cosigned is not accepted. */
static void
test_trust_witness_and_quorum(void **state)
{
    char wpub[PATH_MAX + 16];
    th_result r;
    json_t *j;
    (void)state;

    th_hub_start(&fx.hub, fx.hubdir, NULL);
    given_witness_key();

    /* Quorum 0 by default; a quorum above the pinned witnesses is refused. */
    th_ticsx(&r, &fx.hub, fx.buyer, "trust", "witness", "quorum", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "0");
    th_result_free(&r);
    th_ticsx(&r, &fx.hub, fx.buyer, "trust", "witness", "quorum", "1", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "needs 1 pinned witnesses; 0 are pinned");
    th_result_free(&r);
    /* A key file whose name cannot be a witness name (the org's identity.pub) is refused. */
    snprintf(wpub, sizeof wpub, "%s/identity.pub", fx.wit);
    th_ticsx(&r, &fx.hub, fx.buyer, "trust", "witness", "add", wpub, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "cannot be a witness name");
    th_result_free(&r);

    snprintf(wpub, sizeof wpub, "%s/witness.pub", fx.wit);
    th_ticsx(&r, &fx.hub, fx.buyer, "trust", "witness", "add", wpub, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, WNAME "+");
    th_result_free(&r);
    th_ticsx_expect(0, &fx.hub, fx.buyer, "trust", "witness", "quorum", "1", NULL);
    th_ticsx(&r, &fx.hub, fx.buyer, "--json", "trust", "witness", "list", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_int_equal(json_integer_value(json_object_get(j, "quorum")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "witnesses")), 1);
    json_decref(j);
    th_result_free(&r);

    /* The witness cosigned the latest checkpoint: accepted. */
    th_ticsx_expect(0, &fx.hub, fx.buyer, "fetch", NULL);
    /* The log grows (a request): its checkpoint is not cosigned yet, so the newest cosigned one
     * is taken and the request, past it, is left out of the audit (and fetch uses nothing
     * past it). */
    th_ticsx(&r, &fx.hub, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to", SUP,
             NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx_expect(0, &fx.hub, fx.buyer, "fetch", NULL);
    th_ticsx(&r, &fx.hub, fx.buyer, "audit-log", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "newer than the last witnessed checkpoint (size ");
    th_expect_text(r.err, "left out until the witnesses cosign a newer one");
    th_result_free(&r);
    /* The witness cosigns it: accepted. */
    th_ticsx_expect(0, &fx.hub, fx.wit, "witness", NULL);
    th_ticsx_expect(0, &fx.hub, fx.buyer, "fetch", NULL);
    th_ticsx_expect(0, &fx.hub, fx.buyer, "audit-log", NULL);

    /* Unpinned, the quorum cannot be met. */
    th_ticsx_expect(0, &fx.hub, fx.buyer, "trust", "witness", "remove", WNAME, NULL);
    th_ticsx(&r, &fx.hub, fx.buyer, "fetch", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "the quorum is 1");
    th_result_free(&r);
    th_ticsx_expect(0, &fx.hub, fx.buyer, "trust", "witness", "quorum", "0", NULL);
    th_ticsx_expect(0, &fx.hub, fx.buyer, "fetch", NULL);
    assert_int_equal(th_hub_stop(&fx.hub, SIGTERM), 0);
}

/* The hub keeps a cosignature only when it verifies and matches its log. */
static void
test_hub_checks_cosignatures(void **state)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_cosign_pb cs = TICSX__V1__COSIGN__INIT;
    char line[TX_NOTE_LINE_MAX], bad[TX_NOTE_MAX];
    tx_identity *w = NULL, *id = NULL;
    tx_checkpoint cp = {0};
    tx_conn *conn = NULL;
    tx_pubkey hub;
    tx_reply_pb *r = NULL;
    tx_note note;
    size_t line_len, n;
    (void)state;

    th_hub_start(&fx.hub, fx.hubdir, NULL);
    assert_int_equal(tx_pubkey_load(fx.hub.key, &hub), TX_OK);
    assert_int_equal(tx_identity_load(fx.buyer, "identity", &id), TX_OK);
    assert_int_equal(tx_conn_open(fx.hub.endpoint, hub.curve, id, 10000, &conn), TX_OK);
    assert_int_equal(tx_log_checkpoint(conn, hub.sign, &cp), TX_OK);
    assert_int_equal(tx_note_parse(cp.env, cp.len, &note), TX_OK);
    assert_int_equal(tx_identity_generate("w", &w), TX_OK);

    /* Cosigned by w, handed in as another key's: refused. */
    assert_int_equal(tx_note_cosign(note.text, note.text_len, "forger.example", w->sec->sign, 1000,
                                    line, sizeof line, &line_len),
                     TX_OK);
    memcpy(bad, note.text, note.text_len);
    bad[note.text_len] = '\n';
    memcpy(bad + note.text_len + 1, line, line_len);
    n = note.text_len + 1 + line_len;
    cs.note.data = (uint8_t *)bad;
    cs.note.len = n;
    cs.witness_key.data = id->pub.sign;
    cs.witness_key.len = 32;
    call.body_case = TICSX__V1__CALL__BODY_COSIGN;
    call.cosign = &cs;
    assert_int_equal(tx_conn_call(conn, &call, &r), TX_OK);
    assert_int_equal(r->status, TICSX__V1__STATUS__BAD_SIGNATURE);
    tx_free(r);

    /* A root the log never had, properly cosigned: refused. */
    {
        char text[512];
        size_t tl;
        tx_note_checkpoint c;
        assert_int_equal(tx_note_checkpoint_parse(note.text, note.text_len, &c), TX_OK);
        c.root[0] ^= 1;
        assert_int_equal(
            tx_note_checkpoint_text(c.origin, c.size, c.root, c.time, text, sizeof text, &tl),
            TX_OK);
        assert_int_equal(tx_note_cosign((uint8_t *)text, tl, "forger.example", w->sec->sign, 1000,
                                        line, sizeof line, &line_len),
                         TX_OK);
        memcpy(bad, text, tl);
        bad[tl] = '\n';
        memcpy(bad + tl + 1, line, line_len);
        cs.note.len = tl + 1 + line_len;
        cs.witness_key.data = w->pub.sign;
        assert_int_equal(tx_conn_call(conn, &call, &r), TX_OK);
        assert_int_equal(r->status, TICSX__V1__STATUS__FORBIDDEN);
        th_expect_text(r->message, "another root");
        tx_free(r);
    }

    /* The real one is stored and served with the checkpoint. */
    assert_int_equal(tx_note_cosign(note.text, note.text_len, "good.example", w->sec->sign, 1000,
                                    line, sizeof line, &line_len),
                     TX_OK);
    memcpy(bad, note.text, note.text_len);
    bad[note.text_len] = '\n';
    memcpy(bad + note.text_len + 1, line, line_len);
    cs.note.len = note.text_len + 1 + line_len;
    cs.witness_key.data = w->pub.sign;
    assert_int_equal(tx_conn_call(conn, &call, &r), TX_OK);
    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    tx_free(r);
    tx_checkpoint_clear(&cp);
    assert_int_equal(tx_log_checkpoint(conn, hub.sign, &cp), TX_OK);
    assert_int_equal(tx_note_parse(cp.env, cp.len, &note), TX_OK);
    if (tx_note_cosig_verify(&note, "good.example", w->pub.sign, NULL) != TX_OK) {
        fail_msg("not served: %.*s", (int)cp.len, (const char *)cp.env);
    }

    /* A note whose line before the cosignature is not the hub's signature: refused. */
    {
        char hubline[TX_NOTE_LINE_MAX];
        uint8_t fake[64] = {0}, hash[4];
        size_t hl = 0;
        tx_note_checkpoint c;
        assert_int_equal(tx_note_checkpoint_parse(note.text, note.text_len, &c), TX_OK);
        tx_note_key_hash(c.origin, TX_NOTE_ED25519, hub.sign, hash);
        assert_int_equal(tx_note_sig_line(c.origin, hash, fake, 64, hubline, sizeof hubline, &hl),
                         TX_OK);
        memcpy(bad, note.text, note.text_len);
        bad[note.text_len] = '\n';
        memcpy(bad + note.text_len + 1, hubline, hl);
        memcpy(bad + note.text_len + 1 + hl, line, line_len);
        cs.note.len = note.text_len + 1 + hl + line_len;
        assert_int_equal(tx_conn_call(conn, &call, &r), TX_OK);
        assert_int_equal(r->status, TICSX__V1__STATUS__BAD_SIGNATURE);
        th_expect_text(r->message, "not this hub's signature");
        tx_free(r);
    }

    /* Call.witnessed: the note kept for w, with the hub's signature and w's cosignature; none
     * for a key that never cosigned. */
    {
        tx_pubkey keys[2];
        tx_checkpoint wcp = {0};
        tx_note wn;
        memcpy(&keys[0], &w->pub, sizeof keys[0]);
        memcpy(&keys[1], &id->pub, sizeof keys[1]);
        assert_int_equal(tx_log_witnessed(conn, hub.sign, keys, 2, 1, &wcp), TX_OK);
        assert_int_equal(tx_note_parse(wcp.env, wcp.len, &wn), TX_OK);
        assert_int_equal(tx_note_cosig_verify(&wn, "good.example", w->pub.sign, NULL), TX_OK);
        assert_int_equal(wcp.size, cp.size);
        tx_checkpoint_clear(&wcp);
        assert_int_equal(tx_log_witnessed(conn, hub.sign, keys, 2, 2, &wcp), TX_ERR_NOT_FOUND);
        assert_int_equal(tx_log_witnessed(conn, hub.sign, &keys[1], 1, 1, &wcp), TX_ERR_NOT_FOUND);
    }

    tx_checkpoint_clear(&cp);
    tx_conn_destroy(&conn);
    tx_identity_destroy(&w);
    tx_identity_destroy(&id);
    assert_int_equal(th_hub_stop(&fx.hub, SIGTERM), 0);
}

/* The witness runs now and then while records keep arriving: a buyer with a quorum takes the
 * newest checkpoint the witness cosigned, uses what it covers and leaves the newer records out
 * until the witness cosigns them. */
static void
test_quorum_with_lagging_witness(void **state)
{
    char a1[65], a2[65], wpub[PATH_MAX + 16], short2[13];
    th_result r;
    (void)state;

    th_hub_start(&fx.hub, fx.hubdir, NULL);
    given_witness_key();
    snprintf(wpub, sizeof wpub, "%s/witness.pub", fx.wit);
    th_ticsx_expect(0, &fx.hub, fx.late, "trust", "witness", "add", wpub, NULL);
    th_ticsx_expect(0, &fx.hub, fx.late, "trust", "witness", "quorum", "1", NULL);
    answer_request_of(fx.late, a1);
    th_ticsx_expect(0, &fx.hub, fx.wit, "witness", NULL);
    /* The log grows after the witness cosigned: another answered request. */
    answer_request_of(fx.late, a2);
    memcpy(short2, a2, 12);
    short2[12] = 0;

    th_ticsx(&r, &fx.hub, fx.late, "fetch", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "newer than the last witnessed checkpoint (size ");
    th_expect_text(r.err, "are left out until the witnesses cosign a newer one");
    th_expect_text(r.out, "not witnessed yet");
    th_expect_text(r.out, short2);
    th_expect_text(r.out, "fetched 1 assessment (1 new)");
    th_result_free(&r);
    assert_true(cached(fx.late, a1));
    assert_false(cached(fx.late, a2)); /* not witnessed: not cached, not used */
    th_ticsx(&r, &fx.hub, fx.late, "verify", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, &fx.hub, fx.late, "audit-log", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "left out until the witnesses cosign a newer one");
    th_result_free(&r);

    /* The witness cosigns the newer checkpoint: the next fetch brings the rest. */
    th_ticsx_expect(0, &fx.hub, fx.wit, "witness", NULL);
    th_ticsx(&r, &fx.hub, fx.late, "fetch", NULL);
    th_expect_status(&r, 0);
    if (strstr(r.err, "left out") != NULL) {
        fail_msg("still left out: %s", r.err);
    }
    th_expect_text(r.out, "fetched 2 assessments (1 new)");
    th_result_free(&r);
    assert_true(cached(fx.late, a2));
    th_ticsx_expect(0, &fx.hub, fx.late, "audit-log", NULL);

    /* Two witnesses that cosigned different checkpoints: none has a quorum of 2, refused. */
    th_ticsx(&r, &fx.hub, fx.late, "request", "--questionnaire", "tics-selfcheck", "--to", SUP,
             NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx_expect(0, &fx.hub, fx.other, "witness", "--name", "witness.other.example/1", NULL);
    snprintf(wpub, sizeof wpub, "%s/witness.pub", fx.other);
    th_ticsx_expect(0, &fx.hub, fx.late, "trust", "witness", "add", wpub, NULL);
    th_ticsx_expect(0, &fx.hub, fx.late, "trust", "witness", "quorum", "2", NULL);
    th_ticsx(&r, &fx.hub, fx.late, "fetch", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "cosigned by 1 of the pinned witnesses; the quorum is 2");
    th_result_free(&r);
    /* The first witness catches up: both cosigned the latest. */
    th_ticsx_expect(0, &fx.hub, fx.wit, "witness", NULL);
    th_ticsx_expect(0, &fx.hub, fx.late, "fetch", NULL);
    assert_int_equal(th_hub_stop(&fx.hub, SIGTERM), 0);
}

/* The backup fork, with one witness and quorum 1. */
static void
test_backup_fork_caught_by_witness(void **state)
{
    char aid[65], out[4096], wpub[PATH_MAX + 16], buyer_fp[TX_FP_LEN + 8], later[32];
    th_result r;
    json_t *j;
    (void)state;

    th_hub_start(&fx.hub, fx.hubdir, NULL);
    given_witness_key();
    snprintf(wpub, sizeof wpub, "%s/witness.pub", fx.wit);
    th_ticsx_expect(0, &fx.hub, fx.buyer, "trust", "witness", "add", wpub, NULL);
    th_ticsx_expect(0, &fx.hub, fx.buyer, "trust", "witness", "quorum", "1", NULL);
    th_ticsx(&r, &fx.hub, fx.buyer, "--json", "whoami", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    snprintf(buyer_fp, sizeof buyer_fp, "%s", json_string_value(json_object_get(j, "fingerprint")));
    json_decref(j);
    th_result_free(&r);

    answer_request(aid);
    th_ticsx_expect(0, &fx.hub, fx.wit, "witness", NULL);
    /* The buyer's last checkpoint: before the revocation. */
    th_ticsx_expect(0, &fx.hub, fx.buyer, "fetch", NULL);
    th_ticsx_expect(0, &fx.hub, fx.other, "fetch", NULL);

    /* A backup, then the supplier revokes the grant (acknowledged) and the witness cosigns. */
    if (th_run(out, sizeof out, "backup", "--data", fx.hubdir, "--with-key", fx.backup, NULL) !=
        0) {
        fail_msg("ticsx-hub backup failed: %s", out);
    }
    th_ticsx(&r, &fx.hub, fx.sup, "revoke", aid, "--from", buyer_fp, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx_expect(0, &fx.hub, fx.wit, "witness", NULL);
    /* The other buyer pins the witness too, and its checkpoint now holds the revocation,
     * cosigned; the buyer's own stays before it. */
    th_ticsx_expect(0, &fx.hub, fx.other, "trust", "witness", "add", wpub, NULL);
    th_ticsx_expect(0, &fx.hub, fx.other, "trust", "witness", "quorum", "1", NULL);
    th_ticsx_expect(0, &fx.hub, fx.other, "audit-log", NULL);

    /* The hub is restored from the backup and its log grows past the old size. The supplier,
     * holding the revocation's receipt, sees the fork at once. */
    assert_int_equal(th_hub_stop(&fx.hub, SIGTERM), 0);
    th_hub_start(&fx.hub, fx.backup, NULL);
    th_ticsx(&r, &fx.hub, fx.sup, "request", "--questionnaire", "tics-selfcheck", "--to", BUYER,
             NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "split view");
    th_result_free(&r);
    th_ticsx(&r, &fx.hub, fx.wit, "request", "--questionnaire", "tics-selfcheck", "--to", SUP,
             NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);

    /* The witness refuses to cosign the fork and keeps the evidence. */
    th_ticsx(&r, &fx.hub, fx.wit, "witness", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "not cosigned");
    th_expect_text(r.err, "fork");
    th_result_free(&r);
    assert_int_equal(th_evidence_count(fx.wit, ".checkpoint"), 2);

    /* The other buyer saw the cosigned revocation: the newest cosigned checkpoint the forked
     * hub has is older than its own, refused as a rollback at once. */
    th_ticsx(&r, &fx.hub, fx.other, "fetch", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "lacks the witness quorum");
    th_expect_text(r.err, "rollback");
    th_result_free(&r);
    /* The buyer's last checkpoint predates the revocation. The forked hub's newest cosigned
     * checkpoint is that old one: nothing forked is used (records past it are left out), and
     * once its cosignature is older than the maximum age (no witness cosigns the fork, so it
     * only ages) the buyer refuses it: the fork is detected. */
    th_ticsx_expect(0, &fx.hub, fx.buyer, "fetch", NULL);
    th_ticsx_expect(0, &fx.hub, fx.buyer, "trust", "witness", "max-age", "3600", NULL);
    snprintf(later, sizeof later, "@%lld", (long long)time(NULL) + 2 * 3600);
    th_ticsx_with(&r, &(th_ticsx_opts){.hub = &fx.hub, .now = later}, fx.buyer, "fetch", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "younger than 3600 seconds");
    th_expect_text(r.err, "fork");
    th_result_free(&r);
    assert_int_equal(th_hub_stop(&fx.hub, SIGTERM), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_trust_witness_and_quorum, th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_hub_checks_cosignatures, th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_quorum_with_lagging_witness, th_stop_leftover_hubs),
        cmocka_unit_test_teardown(test_backup_fork_caught_by_witness, th_stop_leftover_hubs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

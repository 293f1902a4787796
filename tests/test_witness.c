/* Witnesses end to end, with the real ticsx-hub (LMDB, CURVE, ZAP) and the real ticsx: pinning
 * witnesses and a quorum; a checkpoint without the quorum is not accepted; the hub keeps and
 * serves cosignatures and refuses forged ones; with a witness that lags, the newest cosigned
 * checkpoint is used and newer records wait; and the backup fork: a hub restored from a backup
 * taken before a grant was revoked, grown past the old size, is refused by the witness, by the
 * supplier holding the revocation's receipt, and by a buyer whose checkpoint holds the
 * revocation (the forked hub's newest cosigned checkpoint is older than it). */
#include "client_testutil.h"
#include "hub_testutil.h"
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
    ct_hub hub;
    char env_hub[300], env_key[PATH_MAX + 20];
} fixture;

static fixture fx;
static pid_t started[4];
static size_t n_started;

static int
stop_leftovers(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_started; i++) {
        int status;
        if (waitpid(started[i], &status, WNOHANG) == 0) {
            kill(started[i], SIGKILL);
            waitpid(started[i], &status, 0);
        }
    }
    n_started = 0;
    return 0;
}

static void
start_hub(const char *dir)
{
    ct_hub_start(&fx.hub, dir);
    snprintf(fx.env_hub, sizeof fx.env_hub, "TICSX_HUB=%s", fx.hub.endpoint);
    snprintf(fx.env_key, sizeof fx.env_key, "TICSX_HUB_KEY=%s", fx.hub.key);
    assert_true(n_started < TX_ARRAY_LEN(started));
    started[n_started++] = fx.hub.pid;
}

/* Runs ticsx --home HOME ARGS... against the current hub. */
static void
ticsx(ct_result *r, const char *home, ...)
{
    const char *env[] = {fx.env_hub, fx.env_key, "LANG=C", "TICSX_NOW=", NULL};
    va_list ap;

    va_start(ap, home);
    ct_ticsx_v(r, env, home, NULL, ap);
    va_end(ap);
}

/* ticsx as above with the clock moved `ahead` seconds (TICSX_NOW). */
static void
ticsx_later(ct_result *r, long long ahead, const char *home, ...)
{
    char now[64];
    const char *env[] = {fx.env_hub, fx.env_key, "LANG=C", now, NULL};
    va_list ap;

    snprintf(now, sizeof now, "TICSX_NOW=@%lld", (long long)time(NULL) + ahead);
    va_start(ap, home);
    ct_ticsx_v(r, env, home, NULL, ap);
    va_end(ap);
}

/* ticsx ..., expected to exit with `status`; the result is freed. */
static void
expect(int status, const char *home, const char *a1, const char *a2, const char *a3, const char *a4)
{
    ct_result r;

    ticsx(&r, home, a1, a2, a3, a4, NULL);
    if (r.status != status) {
        fprintf(stderr, "ticsx %s %s %s %s\n", a1, a2 ? a2 : "", a3 ? a3 : "", a4 ? a4 : "");
    }
    ct_expect_status(&r, status);
    ct_result_free(&r);
}

static void
first_id(const ct_result *r, char id[65])
{
    if (strlen(r->out) < 65 || r->out[64] != '\n') {
        fail_msg("no id in: %s\nstderr: %s", r->out, r->err);
    }
    memcpy(id, r->out, 64);
    id[64] = 0;
}

static size_t
evidence_files(const char *home)
{
    char path[PATH_MAX + 16];
    struct dirent *e;
    size_t n = 0;
    DIR *d;

    snprintf(path, sizeof path, "%s/evidence", home);
    if ((d = opendir(path)) == NULL) {
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        n += strstr(e->d_name, ".checkpoint") != NULL;
    }
    closedir(d);
    return n;
}

static int
setup(void **state)
{
    (void)state;
    fx.root = ct_tmpdir();
    snprintf(fx.hubdir, sizeof fx.hubdir, "%s/hub", fx.root);
    snprintf(fx.backup, sizeof fx.backup, "%s/hub-backup", fx.root);
    snprintf(fx.buyer, sizeof fx.buyer, "%s/buyer", fx.root);
    snprintf(fx.other, sizeof fx.other, "%s/other", fx.root);
    snprintf(fx.sup, sizeof fx.sup, "%s/sup", fx.root);
    snprintf(fx.wit, sizeof fx.wit, "%s/assoc", fx.root);
    snprintf(fx.late, sizeof fx.late, "%s/late", fx.root);
    ct_hub_init(fx.hubdir);
    ct_keygen_enroll(fx.hubdir, fx.buyer, BUYER, NULL);
    ct_keygen_enroll(fx.hubdir, fx.other, "Other Buyer KK", NULL);
    ct_keygen_enroll(fx.hubdir, fx.sup, SUP, NULL);
    ct_keygen_enroll(fx.hubdir, fx.wit, ASSOC, NULL);
    ct_keygen_enroll(fx.hubdir, fx.late, LATE, NULL);
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
    ct_result r;
    json_t *j, *arr;
    char *text;

    ticsx(&r, home, "request", "--questionnaire", "tics-selfcheck", "--to", SUP, NULL);
    ct_expect_status(&r, 0);
    first_id(&r, req);
    ct_result_free(&r);
    snprintf(path, sizeof path, "%s/answers-%.12s.json", fx.sup, req);
    ticsx(&r, fx.sup, "questionnaire", "template", req, "--format", "json", "--out", path, NULL);
    ct_expect_status(&r, 0);
    ct_result_free(&r);
    text = ct_read_file(path);
    j = ct_parse_json(text);
    free(text);
    arr = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer", json_string("yes"));
    }
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    ticsx(&r, fx.sup, "answer", req, "--file", path, NULL);
    ct_expect_status(&r, 0);
    first_id(&r, aid);
    ct_result_free(&r);
}

static void
answer_request(char aid[65])
{
    answer_request_of(fx.buyer, aid);
}

static int
cached(const char *home, const char *id)
{
    char path[PATH_MAX + 100];

    snprintf(path, sizeof path, "%s/records/%s", home, id);
    return access(path, F_OK) == 0;
}

/* Pinning witnesses and a quorum; a checkpoint the witness has not cosigned is not accepted. */
static void
test_trust_witness_and_quorum(void **state)
{
    char wpub[PATH_MAX + 16];
    ct_result r;
    json_t *j;
    (void)state;

    start_hub(fx.hubdir);
    /* The association's first run makes its witness key and cosigns. */
    ticsx(&r, fx.wit, "witness", "--name", WNAME, NULL);
    ct_expect_status(&r, 0);
    ct_expect_text(r.out, "cosigned the hub's checkpoint");
    ct_expect_text(r.err, "witness.pub");
    ct_expect_text(r.err, WNAME "+");
    ct_result_free(&r);

    /* Quorum 0 by default; a quorum above the pinned witnesses is refused. */
    ticsx(&r, fx.buyer, "trust", "witness", "quorum", NULL);
    ct_expect_status(&r, 0);
    ct_expect_text(r.out, "0");
    ct_result_free(&r);
    ticsx(&r, fx.buyer, "trust", "witness", "quorum", "1", NULL);
    ct_expect_status(&r, 2);
    ct_expect_text(r.err, "needs 1 pinned witnesses; 0 are pinned");
    ct_result_free(&r);
    /* A key file whose name cannot be a witness name (the org's identity.pub) is refused. */
    snprintf(wpub, sizeof wpub, "%s/identity.pub", fx.wit);
    ticsx(&r, fx.buyer, "trust", "witness", "add", wpub, NULL);
    ct_expect_status(&r, 2);
    ct_expect_text(r.err, "cannot be a witness name");
    ct_result_free(&r);

    snprintf(wpub, sizeof wpub, "%s/witness.pub", fx.wit);
    ticsx(&r, fx.buyer, "trust", "witness", "add", wpub, NULL);
    ct_expect_status(&r, 0);
    ct_expect_text(r.out, WNAME "+");
    ct_result_free(&r);
    expect(0, fx.buyer, "trust", "witness", "quorum", "1");
    ticsx(&r, fx.buyer, "--json", "trust", "witness", "list", NULL);
    ct_expect_status(&r, 0);
    j = ct_parse_json(r.out);
    assert_int_equal(json_integer_value(json_object_get(j, "quorum")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "witnesses")), 1);
    json_decref(j);
    ct_result_free(&r);

    /* The witness cosigned the latest checkpoint: accepted. */
    expect(0, fx.buyer, "fetch", NULL, NULL, NULL);
    /* The log grows (a request): its checkpoint is not cosigned yet, so the newest cosigned one
     * is taken and the request, past it, is left out of the audit (and fetch uses nothing
     * past it). */
    ticsx(&r, fx.buyer, "request", "--questionnaire", "tics-selfcheck", "--to", SUP, NULL);
    ct_expect_status(&r, 0);
    ct_result_free(&r);
    expect(0, fx.buyer, "fetch", NULL, NULL, NULL);
    ticsx(&r, fx.buyer, "audit-log", NULL);
    ct_expect_status(&r, 0);
    ct_expect_text(r.err, "newer than the last witnessed checkpoint (size ");
    ct_expect_text(r.err, "left out until the witnesses cosign a newer one");
    ct_result_free(&r);
    /* The witness cosigns it: accepted. */
    expect(0, fx.wit, "witness", NULL, NULL, NULL);
    expect(0, fx.buyer, "fetch", NULL, NULL, NULL);
    expect(0, fx.buyer, "audit-log", NULL, NULL, NULL);

    /* Unpinned, the quorum cannot be met. */
    expect(0, fx.buyer, "trust", "witness", "remove", WNAME);
    ticsx(&r, fx.buyer, "fetch", NULL);
    ct_expect_status(&r, 1);
    ct_expect_text(r.err, "the quorum is 1");
    ct_result_free(&r);
    expect(0, fx.buyer, "trust", "witness", "quorum", "0");
    expect(0, fx.buyer, "fetch", NULL, NULL, NULL);
    assert_int_equal(ct_hub_stop(&fx.hub), 0);
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

    start_hub(fx.hubdir);
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
        ct_expect_text(r->message, "another root");
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
        ct_expect_text(r->message, "not this hub's signature");
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
    assert_int_equal(ct_hub_stop(&fx.hub), 0);
}

/* The witness runs now and then while records keep arriving: a buyer with a quorum takes the
 * newest checkpoint the witness cosigned, uses what it covers and leaves the newer records out
 * until the witness cosigns them. */
static void
test_quorum_with_lagging_witness(void **state)
{
    char a1[65], a2[65], wpub[PATH_MAX + 16], short2[13];
    ct_result r;
    (void)state;

    start_hub(fx.hubdir);
    snprintf(wpub, sizeof wpub, "%s/witness.pub", fx.wit);
    expect(0, fx.late, "trust", "witness", "add", wpub);
    expect(0, fx.late, "trust", "witness", "quorum", "1");
    answer_request_of(fx.late, a1);
    expect(0, fx.wit, "witness", NULL, NULL, NULL);
    /* The log grows after the witness cosigned: another answered request. */
    answer_request_of(fx.late, a2);
    memcpy(short2, a2, 12);
    short2[12] = 0;

    ticsx(&r, fx.late, "fetch", NULL);
    ct_expect_status(&r, 0);
    ct_expect_text(r.err, "newer than the last witnessed checkpoint (size ");
    ct_expect_text(r.err, "are left out until the witnesses cosign a newer one");
    ct_expect_text(r.out, "not witnessed yet");
    ct_expect_text(r.out, short2);
    ct_expect_text(r.out, "fetched 1 assessment (1 new)");
    ct_result_free(&r);
    assert_true(cached(fx.late, a1));
    assert_false(cached(fx.late, a2)); /* not witnessed: not cached, not used */
    ticsx(&r, fx.late, "verify", NULL);
    ct_expect_status(&r, 0);
    ct_result_free(&r);
    ticsx(&r, fx.late, "audit-log", NULL);
    ct_expect_status(&r, 0);
    ct_expect_text(r.err, "left out until the witnesses cosign a newer one");
    ct_result_free(&r);

    /* The witness cosigns the newer checkpoint: the next fetch brings the rest. */
    expect(0, fx.wit, "witness", NULL, NULL, NULL);
    ticsx(&r, fx.late, "fetch", NULL);
    ct_expect_status(&r, 0);
    if (strstr(r.err, "left out") != NULL) {
        fail_msg("still left out: %s", r.err);
    }
    ct_expect_text(r.out, "fetched 2 assessments (1 new)");
    ct_result_free(&r);
    assert_true(cached(fx.late, a2));
    expect(0, fx.late, "audit-log", NULL, NULL, NULL);

    /* Two witnesses that cosigned different checkpoints: none has a quorum of 2, refused. */
    ticsx(&r, fx.late, "request", "--questionnaire", "tics-selfcheck", "--to", SUP, NULL);
    ct_expect_status(&r, 0);
    ct_result_free(&r);
    expect(0, fx.other, "witness", "--name", "witness.other.example/1", NULL);
    snprintf(wpub, sizeof wpub, "%s/witness.pub", fx.other);
    expect(0, fx.late, "trust", "witness", "add", wpub);
    expect(0, fx.late, "trust", "witness", "quorum", "2");
    ticsx(&r, fx.late, "fetch", NULL);
    ct_expect_status(&r, 1);
    ct_expect_text(r.err, "cosigned by 1 of the pinned witnesses; the quorum is 2");
    ct_result_free(&r);
    /* The first witness catches up: both cosigned the latest. */
    expect(0, fx.wit, "witness", NULL, NULL, NULL);
    expect(0, fx.late, "fetch", NULL, NULL, NULL);
    assert_int_equal(ct_hub_stop(&fx.hub), 0);
}

/* The backup fork, with one witness and quorum 1. */
static void
test_backup_fork_caught_by_witness(void **state)
{
    char aid[65], out[4096], wpub[PATH_MAX + 16], buyer_fp[TX_FP_LEN + 8];
    ct_result r;
    json_t *j;
    (void)state;

    start_hub(fx.hubdir);
    snprintf(wpub, sizeof wpub, "%s/witness.pub", fx.wit);
    expect(0, fx.buyer, "trust", "witness", "add", wpub);
    expect(0, fx.buyer, "trust", "witness", "quorum", "1");
    ticsx(&r, fx.buyer, "--json", "whoami", NULL);
    ct_expect_status(&r, 0);
    j = ct_parse_json(r.out);
    snprintf(buyer_fp, sizeof buyer_fp, "%s", json_string_value(json_object_get(j, "fingerprint")));
    json_decref(j);
    ct_result_free(&r);

    answer_request(aid);
    expect(0, fx.wit, "witness", NULL, NULL, NULL);
    /* The buyer's last checkpoint: before the revocation. */
    expect(0, fx.buyer, "fetch", NULL, NULL, NULL);
    expect(0, fx.other, "fetch", NULL, NULL, NULL);

    /* A backup, then the supplier revokes the grant (acknowledged) and the witness cosigns. */
    if (th_run(out, sizeof out, "backup", "--data", fx.hubdir, "--with-key", fx.backup, NULL) !=
        0) {
        fail_msg("ticsx-hub backup failed: %s", out);
    }
    ticsx(&r, fx.sup, "revoke", aid, "--from", buyer_fp, NULL);
    ct_expect_status(&r, 0);
    ct_result_free(&r);
    expect(0, fx.wit, "witness", NULL, NULL, NULL);
    /* The other buyer pins the witness too, and its checkpoint now holds the revocation,
     * cosigned; the buyer's own stays before it. */
    expect(0, fx.other, "trust", "witness", "add", wpub);
    expect(0, fx.other, "trust", "witness", "quorum", "1");
    expect(0, fx.other, "audit-log", NULL, NULL, NULL);

    /* The hub is restored from the backup and its log grows past the old size. The supplier,
     * holding the revocation's receipt, sees the fork at once. */
    assert_int_equal(ct_hub_stop(&fx.hub), 0);
    start_hub(fx.backup);
    ticsx(&r, fx.sup, "request", "--questionnaire", "tics-selfcheck", "--to", BUYER, NULL);
    ct_expect_status(&r, 1);
    ct_expect_text(r.err, "split view");
    ct_result_free(&r);
    ticsx(&r, fx.wit, "request", "--questionnaire", "tics-selfcheck", "--to", SUP, NULL);
    ct_expect_status(&r, 0);
    ct_result_free(&r);

    /* The witness refuses to cosign the fork and keeps the evidence. */
    ticsx(&r, fx.wit, "witness", NULL);
    ct_expect_status(&r, 1);
    ct_expect_text(r.err, "not cosigned");
    ct_expect_text(r.err, "fork");
    ct_result_free(&r);
    assert_int_equal(evidence_files(fx.wit), 2);

    /* The other buyer saw the cosigned revocation: the newest cosigned checkpoint the forked
     * hub has is older than its own, refused as a rollback at once. */
    ticsx(&r, fx.other, "fetch", NULL);
    ct_expect_status(&r, 1);
    ct_expect_text(r.err, "lacks the witness quorum");
    ct_expect_text(r.err, "rollback");
    ct_result_free(&r);
    /* The buyer's last checkpoint predates the revocation. The forked hub's newest cosigned
     * checkpoint is that old one: nothing forked is used (records past it are left out), and
     * once its cosignature is older than the maximum age (no witness cosigns the fork, so it
     * only ages) the buyer refuses it: the fork is detected. */
    expect(0, fx.buyer, "fetch", NULL, NULL, NULL);
    expect(0, fx.buyer, "trust", "witness", "max-age", "3600");
    ticsx_later(&r, 2 * 3600, fx.buyer, "fetch", NULL);
    ct_expect_status(&r, 1);
    ct_expect_text(r.err, "younger than 3600 seconds");
    ct_expect_text(r.err, "fork");
    ct_result_free(&r);
    assert_int_equal(ct_hub_stop(&fx.hub), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_trust_witness_and_quorum, stop_leftovers),
        cmocka_unit_test_teardown(test_hub_checks_cosignatures, stop_leftovers),
        cmocka_unit_test_teardown(test_quorum_with_lagging_witness, stop_leftovers),
        cmocka_unit_test_teardown(test_backup_fork_caught_by_witness, stop_leftovers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* Interoperability: a real ticsx-hub's checkpoint note, with a witness cosignature the hub
 * accepted and serves, is verified by Go's golang.org/x/mod/sumdb/note (tests/go/notecheck.go),
 * code that is not ours: the hub's signature with the verifier key ticsx prints, the
 * cosignature (C2SP tlog-cosignature v1) with crypto/ed25519. A note changed by one character
 * must fail there too. Built offline from Debian's packages (golang-go,
 * golang-golang-x-mod-dev: GOPATH=/usr/share/gocode, GO111MODULE=off, GOPROXY=off). Skipped
 * (exit 77) only when no `go` is installed. */
#include "harness.h"
#include "tx_error.h"
#include "tx_keys.h"
#include "tx_note.h"
#include "tx_rpc.h"
#include "tx_util.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static char *root;

static int
have_go(void)
{
    return system("command -v go >/dev/null 2>&1") == 0;
}

/* Runs notecheck NOTE HUB_VKEY [WVKEY]; its exit status, its output into out. */
static int
notecheck(const char *note_path, const char *hub_vkey, const char *w_vkey, char *out, size_t n)
{
    char cmd[8192];
    const char *src = getenv("TX_SOURCE_DIR");
    FILE *p;
    size_t got;
    int st;

    snprintf(cmd, sizeof cmd,
             "cd %s && GOCACHE=%s/gocache GOPATH=/usr/share/gocode GO111MODULE=off GOPROXY=off "
             "GOFLAGS= go run %s/tests/go/notecheck.go '%s' '%s' %s%s%s 2>&1",
             root, root, src != NULL ? src : "..", note_path, hub_vkey, w_vkey ? "'" : "",
             w_vkey ? w_vkey : "", w_vkey ? "'" : "");
    assert_non_null(p = popen(cmd, "r"));
    got = fread(out, 1, n - 1, p);
    out[got] = 0;
    st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void
test_go_verifies_hub_checkpoint(void **state)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_cosign_pb cs = TICSX__V1__COSIGN__INIT;
    char dir[PATH_MAX], path[PATH_MAX + 16], note_path[PATH_MAX + 16], out[8192];
    char hub_vkey[TX_NOTE_VKEY_MAX], w_vkey[TX_NOTE_VKEY_MAX], line[TX_NOTE_LINE_MAX];
    char buf[TX_NOTE_MAX];
    tx_identity *pub = th_identity("Publisher KK"), *w = NULL;
    tx_note_checkpoint cp;
    tx_reply_pb *r;
    tx_pubkey hub;
    tx_conn *c;
    tx_note note;
    th_hub h;
    size_t line_len, n;
    (void)state;

    snprintf(dir, sizeof dir, "%s/hub", root);
    /* A hub named at init (--origin): its checkpoints carry that origin. */
    if (th_run(out, sizeof out, "init", "--data", dir, "--origin", "hub.example.org/ticsx", NULL) !=
        0) {
        fail_msg("ticsx-hub init --origin failed: %s", out);
    }
    assert_non_null(strstr(out, "hub verifier key: hub.example.org/ticsx+"));
    assert_int_equal(th_enroll(dir, pub, 1, NULL, 0), 0);
    th_hub_start(&h, dir, NULL);
    snprintf(path, sizeof path, "%s/hub.pub", dir);
    assert_int_equal(tx_pubkey_load(path, &hub), TX_OK);
    c = th_connect(&h, pub, 10000);
    for (uint64_t seq = 2; seq <= 5; seq++) {
        uint8_t *env = th_questionnaire(pub, seq, &n);
        assert_int_equal(th_submit_status(c, env, n, NULL), TICSX__V1__STATUS__OK);
        free(env);
    }
    call.body_case = TICSX__V1__CALL__BODY_CHECKPOINT;
    call.checkpoint = 1;
    assert_int_equal(tx_conn_call(c, &call, &r), TX_OK);
    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    assert_int_equal(tx_note_parse(r->checkpoint.data, r->checkpoint.len, &note), TX_OK);
    assert_int_equal(tx_note_checkpoint_parse(note.text, note.text_len, &cp), TX_OK);
    assert_int_equal(cp.size, 5);
    assert_string_equal(cp.origin, "hub.example.org/ticsx");

    /* A witness cosigns it; the hub takes it and serves it with the checkpoint. */
    assert_int_equal(tx_identity_generate("w", &w), TX_OK);
    assert_int_equal(tx_note_cosign(note.text, note.text_len, "witness.example/go", w->sec->sign,
                                    (uint64_t)tx_now(), line, sizeof line, &line_len),
                     TX_OK);
    memcpy(buf, note.text, note.text_len);
    buf[note.text_len] = '\n';
    memcpy(buf + note.text_len + 1, line, line_len);
    tx_free(r);
    cs.note.data = (uint8_t *)buf;
    cs.note.len = note.text_len + 1 + line_len;
    cs.witness_key.data = w->pub.sign;
    cs.witness_key.len = 32;
    call.body_case = TICSX__V1__CALL__BODY_COSIGN;
    call.cosign = &cs;
    assert_int_equal(tx_conn_call(c, &call, &r), TX_OK);
    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    tx_free(r);
    call.body_case = TICSX__V1__CALL__BODY_CHECKPOINT;
    call.checkpoint = 1;
    assert_int_equal(tx_conn_call(c, &call, &r), TX_OK);
    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    snprintf(note_path, sizeof note_path, "%s/checkpoint.note", root);
    assert_int_equal(tx_file_replace(note_path, r->checkpoint.data, r->checkpoint.len, 0644),
                     TX_OK);
    memcpy(buf, r->checkpoint.data, r->checkpoint.len);
    n = r->checkpoint.len;
    tx_free(r);

    assert_int_equal(tx_note_vkey(cp.origin, TX_NOTE_ED25519, hub.sign, hub_vkey, sizeof hub_vkey),
                     TX_OK);
    assert_int_equal(
        tx_note_vkey("witness.example/go", TX_NOTE_COSIG_V1, w->pub.sign, w_vkey, sizeof w_vkey),
        TX_OK);
    if (notecheck(note_path, hub_vkey, w_vkey, out, sizeof out) != 0) {
        fail_msg("Go refused the hub's checkpoint note:\n%s", out);
    }
    assert_non_null(strstr(out, "ok\nhub.example.org/ticsx\n5\n"));

    /* One character of the size line changed: Go's note.Open refuses it. */
    buf[strlen(cp.origin) + 1] = buf[strlen(cp.origin) + 1] == '5' ? '6' : '5';
    assert_int_equal(tx_file_replace(note_path, buf, n, 0644), TX_OK);
    assert_int_equal(notecheck(note_path, hub_vkey, NULL, out, sizeof out), 1);
    assert_non_null(strstr(out, "note.Open"));

    tx_conn_destroy(&c);
    tx_identity_destroy(&w);
    tx_identity_destroy(&pub);
    assert_int_equal(th_hub_stop(&h, SIGTERM), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_go_verifies_hub_checkpoint),
    };
    int rc;

    if (!have_go()) {
        printf("test_note_go: skipped: no `go` command (script/bootstrap installs golang-go and "
               "golang-golang-x-mod-dev for this test)\n");
        return 77;
    }
    root = th_tmpdir();
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    th_rmtree(root);
    free(root);
    return rc;
}

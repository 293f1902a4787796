/* Integration: a responder's draft carries evidence files, and an approval is safe to repeat.
 * Real hub, real binaries. The responder attaches a file to its answer: the pieces go to the
 * hub encrypted, the organisation's people fetch and check them, the buyer and another
 * organisation cannot; a viewer sends none. The officer approves: the buyer fetches the file
 * and it matches byte for byte; the hub's store never holds its text. An approval that stopped
 * after sending (the state a failed decision leaves) shows the draft approved, refuses a
 * rejection and records only the missing decision: the buyer gets one assessment, not two. */
#include "harness.h"
#include "tx_client.h"
#include "tx_drafts.h"
#include "tx_error.h"
#include "tx_util.h"

#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define MARKER "Kiwi-line torque audit 2026, cell 7: "
#define FILE_SIZE (300u << 10) /* two chunks */
#define MAX_CHUNKS 4

static tx_client *
client_of(const th_world *w, const char *home)
{
    tx_client_opts o = {.home = home, .endpoint = w->hub.endpoint, .hub_key = w->hub.key};
    tx_client *c = NULL;

    assert_int_equal(tx_client_open(&o, &c), TX_OK);
    return c;
}

/* How many of the n evidence chunks `home` may get from the hub. */
static size_t
gettable(const th_world *w, const char *home, const uint8_t (*ids)[TX_ID_LEN], size_t n)
{
    tx_identity *id = NULL;
    tx_conn *conn;
    size_t ok = 0;

    assert_int_equal(tx_identity_load(home, "identity", &id), TX_OK);
    conn = th_connect(&w->hub, id, 5000);
    for (size_t i = 0; i < n; i++) {
        ok += th_get_status(conn, ids[i]) == TX_OK;
    }
    tx_conn_destroy(&conn);
    tx_identity_destroy(&id);
    return ok;
}

/* A text file of FILE_SIZE bytes, each line starting with MARKER; its SHA-256 into sha. */
static void
evidence_file(const char *path, uint8_t sha[32])
{
    char *text = malloc(FILE_SIZE + 1);
    size_t at = 0;

    assert_non_null(text);
    while (at < FILE_SIZE) {
        at += (size_t)snprintf(text + at, FILE_SIZE + 1 - at, MARKER "%08zu nm\n", at);
    }
    th_write_file(path, text);
    crypto_hash_sha256(sha, (const uint8_t *)text, FILE_SIZE);
    free(text);
}

/* The chunk ids the responder's home keeps for the file sent (attachments/<sha256>: key, ids). */
static size_t
sent_chunks(const char *home, const uint8_t sha[32], uint8_t (*ids)[TX_ID_LEN])
{
    char hex[65], path[PATH_MAX + 96];
    uint8_t *buf = NULL;
    size_t len = 0, n;

    tx_hex(hex, sha, 32);
    snprintf(path, sizeof path, "%s/attachments/%s", home, hex);
    assert_int_equal(tx_file_read(path, 4096, &buf, &len), TX_OK);
    n = (len - 32) / TX_ID_LEN;
    assert_int_equal(n, 2);
    memcpy(ids, buf + 32, n * TX_ID_LEN);
    free(buf);
    return n;
}

/* Flips a bit of the file key the responder's home keeps for the file (attachments/<sha256>),
 * so that the next draft with the file names a key that does not open its pieces. */
static void
damage_key(const char *home, const uint8_t sha[32])
{
    char hex[65], path[PATH_MAX + 96];
    FILE *f;
    int ch;

    tx_hex(hex, sha, 32);
    snprintf(path, sizeof path, "%s/attachments/%s", home, hex);
    assert_non_null(f = fopen(path, "r+b"));
    assert_true((ch = fgetc(f)) != EOF);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    assert_true(fputc(ch ^ 1, f) != EOF);
    assert_int_equal(fclose(f), 0);
}

/* The people of the supplier: sato an officer, tanaka a responder, ito a viewer. */
static void
people(const th_world *w, const char *sup, const char *sato, const char *tanaka, const char *ito)
{
    static const char *const roles[3] = {"officer", "responder", "viewer"};
    static const char *const names[3] = {"Sato Hanako", "Tanaka Jiro", "Ito Ken"};
    const char *homes[3] = {sato, tanaka, ito};
    char profile[PATH_MAX + 16], key[PATH_MAX + 16], id[65];

    snprintf(profile, sizeof profile, "%s/profile.tx", sup);
    for (size_t i = 0; i < 3; i++) {
        th_ticsx_expect(0, &w->hub, homes[i], "keygen", "--name", names[i], "--member-of", profile,
                        NULL);
        snprintf(key, sizeof key, "%s/identity.pub", homes[i]);
        th_ticsx_id(id, &w->hub, sup, "member", "add", "--name", names[i], "--role", roles[i],
                    "--key", key, NULL);
    }
}

/* The responder's draft of `req` with the evidence file: its id into draft. */
static void
draft_with_file(const th_world *w, const char *tanaka, const char *req, const char *answers,
                const char *file, char draft[65])
{
    th_result r;
    json_t *j;

    th_ticsx(&r, &w->hub, tanaka, "answer", req, "--file", answers, "--evidence", file, "--json",
             NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    snprintf(draft, 65, "%s", json_string_value(json_object_get(j, "draft")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "evidence"), "files")),
                     1);
    json_decref(j);
    th_result_free(&r);
}

static void
test_draft_evidence(void **state)
{
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], other[PATH_MAX], sato[PATH_MAX], tanaka[PATH_MAX],
        ito[PATH_MAX];
    char req[65], draft[65], bad[65], aid[65], file[PATH_MAX + 16], answers[PATH_MAX + 16],
        got[PATH_MAX + 16], store[PATH_MAX + 32];
    uint8_t sha[32], ids[MAX_CHUNKS][TX_ID_LEN];
    char *a, *b;
    size_t n;
    th_result r;

    (void)state;
    th_require_hub_bin();
    th_world_begin(&w);
    th_world_party(&w, buyer, "buyer", "Tokai Motors KK", NULL);
    th_world_party(&w, sup, "supplier", "Mikawa Precision KK", NULL);
    th_world_party(&w, other, "other", "Nagoya Electronics KK", NULL);
    th_world_home(&w, sato, "sato");
    th_world_home(&w, tanaka, "tanaka");
    th_world_home(&w, ito, "ito");
    th_world_start(&w);
    people(&w, sup, sato, tanaka, ito);
    th_ticsx_id(req, &w.hub, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                "Mikawa Precision KK", NULL);
    snprintf(answers, sizeof answers, "%s/answers.json", w.root);
    th_answers_file(&w.hub, tanaka, req, "yes", NULL, answers);
    snprintf(file, sizeof file, "%s/torque-audit.txt", w.root);
    evidence_file(file, sha);

    /* A viewer sends no files: the hub refuses its pieces. */
    th_ticsx(&r, &w.hub, ito, "answer", req, "--file", answers, "--evidence", file, NULL);
    assert_int_not_equal(r.status, 0);
    th_expect_text(r.err, "viewer");
    th_result_free(&r);

    /* The responder's draft carries the file: the organisation's people get its pieces, the
     * buyer and another organisation do not. */
    draft_with_file(&w, tanaka, req, answers, file, draft);
    n = sent_chunks(tanaka, sha, ids);
    assert_int_equal(gettable(&w, sato, (const uint8_t(*)[TX_ID_LEN])ids, n), n);
    assert_int_equal(gettable(&w, buyer, (const uint8_t(*)[TX_ID_LEN])ids, n), 0);
    assert_int_equal(gettable(&w, other, (const uint8_t(*)[TX_ID_LEN])ids, n), 0);
    th_ticsx(&r, &w.hub, sato, "drafts", "show", draft, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "torque-audit.txt  checked  307200  text/plain");
    th_result_free(&r);
    /* The officer reads the file before approving: the same bytes. */
    snprintf(got, sizeof got, "%s/review.txt", w.root);
    th_ticsx_expect(0, &w.hub, sato, "drafts", "get", draft, "--out", got, NULL);
    a = th_read_file(file);
    b = th_read_file(got);
    assert_string_equal(a, b);
    free(a);
    free(b);
    th_ticsx_expect(2, &w.hub, buyer, "drafts", "get", draft, NULL);
    th_ticsx(&r, &w.hub, sato, "drafts", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"name\": \"torque-audit.txt\"");
    th_result_free(&r);

    /* A draft whose file key does not open its pieces (the responder's index damaged) shows
     * the file as a mismatch and is not approved: nothing is sent. */
    damage_key(tanaka, sha);
    draft_with_file(&w, tanaka, req, answers, file, bad);
    th_ticsx(&r, &w.hub, sato, "drafts", "show", bad, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "torque-audit.txt  mismatch");
    th_result_free(&r);
    th_ticsx(&r, &w.hub, sato, "drafts", "approve", bad, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "nothing was sent");
    th_result_free(&r);
    snprintf(got, sizeof got, "%s/bad.txt", w.root);
    th_ticsx(&r, &w.hub, sato, "drafts", "get", bad, "torque-audit.txt", "--out", got, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "does not match");
    th_result_free(&r);
    assert_int_equal(access(got, F_OK), -1);
    th_ticsx_expect(0, &w.hub, sato, "drafts", "reject", bad, "--note", "file damaged", NULL);

    /* The officer approves: the buyer fetches the file, checked, the same bytes. */
    th_ticsx(&r, &w.hub, sato, "drafts", "approve", draft, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "1 evidence file sent with it");
    memcpy(aid, r.out, 64);
    aid[64] = 0;
    th_result_free(&r);
    th_ticsx_expect(0, &w.hub, buyer, "fetch", NULL);
    th_ticsx(&r, &w.hub, buyer, "evidence", "list", aid, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "torque-audit.txt  checked");
    th_result_free(&r);
    snprintf(got, sizeof got, "%s/got.txt", w.root);
    th_ticsx_expect(0, &w.hub, buyer, "evidence", "get", aid, "torque-audit.txt", "--out", got,
                    NULL);
    a = th_read_file(file);
    b = th_read_file(got);
    assert_string_equal(a, b);
    free(a);
    free(b);
    assert_int_equal(gettable(&w, buyer, (const uint8_t(*)[TX_ID_LEN])ids, n), n);
    assert_int_equal(gettable(&w, other, (const uint8_t(*)[TX_ID_LEN])ids, n), 0);

    /* The hub's store holds the pieces encrypted only. */
    assert_int_equal(th_hub_stop(&w.hub, SIGTERM), 0);
    snprintf(store, sizeof store, "%s/data.mdb", w.hubdir);
    assert_true(th_file_holds(store, "application/vnd.ticsx.draft.v1"));
    assert_false(th_file_holds(store, MARKER));
    th_world_end(&w);
}

/* The first step of drafts approve alone (tx_answer_submit with the draft prepared), as when
 * recording the decision fails after the answer was sent. */
static void
send_without_decision(const th_world *w, const char *home, const char *draft, const char *req)
{
    tx_client *c = client_of(w, home);
    tx_drafts d = {0};
    const tx_draft_item *it = NULL;
    tx_answer_args args = {0};
    tx_answer_result res;

    assert_int_equal(tx_drafts_load(c, &d), TX_OK);
    assert_int_equal(tx_drafts_find(&d, draft, &it), TX_OK);
    args.request = req;
    args.file = "draft";
    args.certificate = "none";
    args.prepared = (const tx_assessment_pb *)it->inner.msg;
    args.draft = it->draft.id;
    assert_int_equal(tx_answer_submit(c, &args, &res), TX_OK);
    tx_drafts_free(&d);
    tx_client_destroy(&c);
}

/* How many assessments the buyer's verify lists. */
static size_t
verdicts(const th_world *w, const char *buyer)
{
    th_result r;
    json_t *j;
    size_t n;

    th_ticsx_expect(0, &w->hub, buyer, "fetch", NULL);
    th_ticsx(&r, &w->hub, buyer, "verify", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    n = json_array_size(json_object_get(j, "assessments"));
    json_decref(j);
    th_result_free(&r);
    return n;
}

static void
test_approval_resumed(void **state)
{
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], sato[PATH_MAX], tanaka[PATH_MAX], ito[PATH_MAX];
    char req[65], draft[65], answers[PATH_MAX + 16], file[PATH_MAX + 16];
    uint8_t sha[32];
    th_result r;

    (void)state;
    th_require_hub_bin();
    th_world_begin(&w);
    th_world_party(&w, buyer, "buyer", "Tokai Motors KK", NULL);
    th_world_party(&w, sup, "supplier", "Mikawa Precision KK", NULL);
    th_world_home(&w, sato, "sato");
    th_world_home(&w, tanaka, "tanaka");
    th_world_home(&w, ito, "ito");
    th_world_start(&w);
    people(&w, sup, sato, tanaka, ito);
    th_ticsx_id(req, &w.hub, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                "Mikawa Precision KK", NULL);
    snprintf(answers, sizeof answers, "%s/answers.json", w.root);
    th_answers_file(&w.hub, tanaka, req, "yes", NULL, answers);
    snprintf(file, sizeof file, "%s/torque-audit.txt", w.root);
    evidence_file(file, sha);
    draft_with_file(&w, tanaka, req, answers, file, draft);
    assert_int_equal(verdicts(&w, buyer), 0);

    /* Sent, decision not recorded: the draft is approved, not open to a second approval. */
    send_without_decision(&w, sato, draft, req);
    assert_int_equal(verdicts(&w, buyer), 1);
    th_ticsx(&r, &w.hub, sato, "drafts", "show", draft, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "approval not recorded");
    th_result_free(&r);
    th_ticsx(&r, &w.hub, sato, "drafts", "reject", draft, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "already sent as assessment");
    th_result_free(&r);

    /* Approving again records the decision only: still one assessment at the buyer. */
    th_ticsx(&r, &w.hub, sato, "drafts", "approve", draft, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "recorded now");
    th_result_free(&r);
    assert_int_equal(verdicts(&w, buyer), 1);
    th_ticsx(&r, &w.hub, tanaka, "drafts", "show", draft, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "approved by Sato Hanako");
    th_result_free(&r);
    th_ticsx(&r, &w.hub, sato, "drafts", "approve", draft, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "already approved by Sato Hanako");
    th_result_free(&r);
    assert_int_equal(verdicts(&w, buyer), 1);
    th_world_end(&w);
}

/* In a member's home the organisation is the one it acts for: a responder's declared
 * credential is held by the organisation, and its draft references the organisation's TICS
 * certificate, which the buyer sees valid once the officer approves. */
static void
test_responder_acts_for_org(void **state)
{
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], meti[PATH_MAX], body[PATH_MAX], sato[PATH_MAX],
        tanaka[PATH_MAX], ito[PATH_MAX];
    char req[65], draft[65], answers[PATH_MAX + 16], doc[PATH_MAX + 16], issued[16];
    th_result r;

    (void)state;
    th_require_hub_bin();
    th_world_begin(&w);
    th_world_party(&w, meti, "meti", "METI (test)", NULL);
    th_world_party(&w, body, "body", "Signed Body KK", NULL);
    th_world_party(&w, buyer, "buyer", "Tokai Motors KK", NULL);
    th_world_party(&w, sup, "supplier", "Mikawa Precision KK", "3180001056789");
    th_world_home(&w, sato, "sato");
    th_world_home(&w, tanaka, "tanaka");
    th_world_home(&w, ito, "ito");
    th_world_start(&w);
    strftime(issued, sizeof issued, "%Y-%m-%d", gmtime(&(time_t){time(NULL) - 100 * 86400}));
    th_world_certify(&w, meti, buyer, body, "Signed Body KK", "Mikawa Precision KK", "CERT-77",
                     issued);
    people(&w, sup, sato, tanaka, ito);
    snprintf(doc, sizeof doc, "%s/pmark.pdf", w.root);
    th_write_file(doc, "%PDF-1.4\n% Privacy Mark 1082 (scan)\n%%EOF\n");
    th_ticsx_expect(0, &w.hub, tanaka, "credential", "add", "--scheme", "pmark", "--number", "1082",
                    "--document", doc, NULL);
    th_ticsx(&r, &w.hub, tanaka, "credential", "show", "1082", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Mikawa Precision KK");
    assert_null(strstr(r.out, "Tanaka Jiro"));
    th_result_free(&r);
    th_ticsx_id(req, &w.hub, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                "Mikawa Precision KK", NULL);
    snprintf(answers, sizeof answers, "%s/answers.json", w.root);
    th_answers_file(&w.hub, tanaka, req, "yes", NULL, answers);
    th_ticsx_id(draft, &w.hub, tanaka, "answer", req, "--file", answers, NULL);
    th_ticsx_expect(0, &w.hub, sato, "drafts", "approve", draft, NULL);
    th_ticsx_expect(0, &w.hub, buyer, "fetch", NULL);
    th_ticsx(&r, &w.hub, buyer, "verify", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "CERT-77");
    th_expect_text(r.out, "\"status\": \"checked\"");
    assert_null(strstr(r.out, "holder_mismatch"));
    th_result_free(&r);
    th_world_end(&w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_draft_evidence),
        cmocka_unit_test(test_approval_resumed),
        cmocka_unit_test(test_responder_acts_for_org),
    };

    return cmocka_run_group_tests(tests, NULL, th_stop_leftover_hubs);
}

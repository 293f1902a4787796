/* Evidence files end to end on a real ticsx-hub with the real ticsx: a supplier attaches files to
 * an answer (answer --evidence), a buyer fetches, verifies, lists and writes them; a file sent
 * before is listed again without sending. The attacks: a sealed assessment listing another
 * signer's chunk (refused like an absent one), a chunk too large, an oversize file (refused
 * before anything is signed), a non-grantee's Get, a Get after revocation; and, on a buyer's
 * real home with real signatures, chunks swapped, of another file, (const
 * uint8_t(*)[TX_ID_LEN])altered, signed by another organisation, (const
 * uint8_t(*)[TX_ID_LEN])missing, or damaged in the cache: never "checked", never written. */
#include "harness.h"
#include "tx_cache_kept.h"
#include "tx_client.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_evidence_check.h"
#include "tx_fetch.h"
#include "tx_home.h"
#include "tx_msg.h"
#include "tx_rec.h"
#include "tx_rpc.h"
#include "tx_sign.h"
#include "tx_util.h"
#include "tx_verify.h"
#include "tx_verify_ahead.h"

#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define B1 "Example Motors KK"
#define B2 "Nagoya Assembly KK"
#define B3 "Kyushu Electric Parts KK"
#define SUP "Tanaka Seiko KK"
#define OUTSIDER "Outsider Trading Ltd"
#define DOC_SIZE (600u << 10) /* three chunks */

typedef struct {
    th_world w;
    char b1[PATH_MAX], b2[PATH_MAX], b3[PATH_MAX], sup[PATH_MAX], outsider[PATH_MAX];
    char doc[PATH_MAX + 16], note[PATH_MAX + 16];
    uint8_t doc_sha[32];
    char r1[65], r2[65], r3[65];
    char a[65]; /* r1 answered with doc.pdf and note.txt */
    int answered;
} fixture;

static fixture fx;

static int
setup(void **state)
{
    (void)state;
    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.b1, "b1", B1, NULL);
    th_world_party(&fx.w, fx.b2, "b2", B2, NULL);
    th_world_party(&fx.w, fx.b3, "b3", B3, NULL);
    th_world_party(&fx.w, fx.sup, "sup", SUP, NULL);
    th_world_party(&fx.w, fx.outsider, "outsider", OUTSIDER, NULL);
    th_world_start(&fx.w);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    th_world_end(&fx.w);
    return 0;
}

static void
write_bytes(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static uint8_t *
read_bytes(const char *path, size_t *len)
{
    uint8_t *b = NULL;

    assert_int_equal(tx_file_read(path, 64u << 20, &b, len), TX_OK);
    return b;
}

/* A sparse file of `size` bytes (stat sees the size; nothing is read before the refusal). */
static void
sparse_file(const char *path, off_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, size), 0);
    close(fd);
}

/* An answers file for request `req`, every item "yes". */
static void
answers_file(const char *home, const char *req, const char *path)
{
    th_result r;
    json_t *j, *arr;
    char *text;

    unlink(path);
    th_ticsx(&r, &fx.w.hub, home, "questionnaire", "template", req, "--format", "json", "--out",
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
}

static tx_client *
client_of(const char *home)
{
    tx_client_opts o = {.home = home, .endpoint = fx.w.hub.endpoint, .hub_key = fx.w.hub.key};
    tx_client *c = NULL;

    assert_int_equal(tx_client_open(&o, &c), TX_OK);
    return c;
}

/* The chunk ids the sealed assessment `aid` lists, as `home` (which may read it) gets it. */
static size_t
chunk_ids(const char *home, const char *aid, uint8_t (*ids)[TX_ID_LEN], size_t max)
{
    tx_client *c = client_of(home);
    uint8_t id[TX_ID_LEN];
    int kind = TX_KIND_ASSESSMENT, got = -1;
    tx_rec rec = {0};
    const tx_sealed_pb *s;
    size_t n;

    assert_int_equal(tx_unhex(id, TX_ID_LEN, aid), TX_OK);
    assert_int_equal(tx_rpc_get(c, 1, (const uint8_t(*)[TX_ID_LEN])id, &kind, &rec, &got), TX_OK);
    assert_int_equal(got, TX_OK);
    s = (const tx_sealed_pb *)rec.msg;
    n = s->n_evidence;
    assert_true(n <= max);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(s->evidence[i].len, TX_ID_LEN);
        memcpy(ids[i], s->evidence[i].data, TX_ID_LEN);
    }
    tx_rec_clear(&rec);
    tx_client_destroy(&c);
    return n;
}

/* How many of the n records `home` may Get (each one asked for as an evidence chunk). */
static size_t
gettable(const char *home, const uint8_t (*ids)[TX_ID_LEN], size_t n)
{
    tx_client *c = client_of(home);
    tx_rec recs[8] = {{0}};
    int kinds[8], rcs[8];
    size_t ok = 0;

    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        kinds[i] = TX_KIND_EVIDENCE_CHUNK;
    }
    assert_int_equal(tx_rpc_get(c, n, ids, kinds, recs, rcs), TX_OK);
    for (size_t i = 0; i < n; i++) {
        ok += rcs[i] == TX_OK;
        tx_rec_clear(&recs[i]);
    }
    tx_client_destroy(&c);
    return ok;
}

/* b1, b2 and b3 each ask the supplier; it answers r1 with two files (fx.a); b1 fetches. */
static void
given_answered(void)
{
    char answers[PATH_MAX + 16];
    uint8_t *doc;
    th_result r;

    if (!th_given(&fx.answered, "an answer with two evidence files, fetched by b1")) {
        return;
    }
    th_ticsx_id(fx.r1, &fx.w.hub, fx.b1, "request", "--questionnaire", "tics-selfcheck", "--to",
                SUP, NULL);
    th_ticsx_id(fx.r2, &fx.w.hub, fx.b2, "request", "--questionnaire", "tics-selfcheck", "--to",
                SUP, NULL);
    th_ticsx_id(fx.r3, &fx.w.hub, fx.b3, "request", "--questionnaire", "tics-selfcheck", "--to",
                SUP, NULL);
    snprintf(fx.doc, sizeof fx.doc, "%s/doc.pdf", fx.w.root);
    snprintf(fx.note, sizeof fx.note, "%s/note.txt", fx.w.root);
    doc = malloc(DOC_SIZE);
    assert_non_null(doc);
    randombytes_buf(doc, DOC_SIZE);
    write_bytes(fx.doc, doc, DOC_SIZE);
    crypto_hash_sha256(fx.doc_sha, doc, DOC_SIZE);
    free(doc);
    th_write_file(fx.note, "ISMS certificate IS 123456, valid until 2027-03-31\n");
    snprintf(answers, sizeof answers, "%s/answers.json", fx.w.root);
    answers_file(fx.sup, fx.r1, answers);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.r1, "--file", answers, "--evidence", fx.doc,
             "--evidence", fx.note, NULL);
    th_expect_status(&r, 0);
    memcpy(fx.a, r.out, 64);
    th_expect_text(r.err, "2 evidence files attached (4 chunks sent, 0 reused)");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b1, "fetch", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "4 file chunks fetched");
    th_result_free(&r);
    th_given_made(&fx.answered);
}

/* A fetch followed by verify in one process (as `due --fetch` and the benchmark run them):
 * verify takes the records the fetch stored and proved, opened, and judges as from the cache;
 * its evidence files are still read and checked from the cache. Without verify to follow, the
 * fetch keeps nothing. */
static void
test_fetch_hands_records_to_verify(void **state)
{
    uint8_t aid[TX_ID_LEN];
    unsigned long taken;
    tx_fetched fe;
    tx_verdicts vs;
    tx_client *c;
    (void)state;

    given_answered();
    assert_int_equal(tx_unhex(aid, TX_ID_LEN, fx.a), TX_OK);
    for (int ahead = 0; ahead < 2; ahead++) {
        c = client_of(fx.b1);
        tx_verify_ahead_enable(ahead);
        taken = tx_cache_kept_taken();
        assert_int_equal(tx_fetch_all(c, &fe), TX_OK);
        assert_int_equal(fe.n, 1);
        tx_fetched_free(&fe);
        assert_int_equal(tx_verify_all(tx_client_home(c), fx.a, &vs), TX_OK);
        tx_verify_ahead_enable(0);
        assert_int_equal(vs.n, 1);
        assert_memory_equal(vs.v[0].assessment, aid, TX_ID_LEN);
        assert_int_equal(vs.v[0].status, TX_VERIFIED);
        assert_int_equal(vs.v[0].n_evidence, 2);
        for (size_t i = 0; i < 2; i++) {
            assert_int_equal(vs.v[0].evidence[i].status, TX_EVIDENCE_CHECKED);
        }
        tx_verdicts_free(&vs);
        /* The grant, the sealed assessment, the request and the questionnaire at least. */
        if (ahead) {
            assert_true(tx_cache_kept_taken() >= taken + 4);
        } else {
            assert_int_equal(tx_cache_kept_taken(), taken);
        }
        tx_client_destroy(&c);
    }
}

static void
test_files_checked_and_written(void **state)
{
    char out[PATH_MAX + 16], dir[PATH_MAX + 16], hex[65], path[PATH_MAX + 32];
    uint8_t *a, *b;
    size_t la, lb;
    struct stat st;
    th_result r;
    json_t *j, *ev;
    (void)state;

    given_answered();
    tx_hex(hex, fx.doc_sha, 32);
    th_ticsx(&r, &fx.w.hub, fx.b1, "--json", "verify", fx.a, NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    ev = json_object_get(json_array_get(json_object_get(j, "assessments"), 0), "evidence");
    assert_int_equal(json_array_size(ev), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "name")),
                        "doc.pdf");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "media_type")),
                        "application/pdf");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(ev, 0), "size")), DOC_SIZE);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "sha256")), hex);
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(json_string_value(json_object_get(json_array_get(ev, i), "status")),
                            "checked");
    }
    json_decref(j);
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.b1, "evidence", "list", fx.a, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "doc.pdf  checked");
    th_expect_text(r.out, "note.txt  checked");
    th_result_free(&r);

    snprintf(out, sizeof out, "%s/got.pdf", fx.w.root);
    unlink(out);
    th_ticsx(&r, &fx.w.hub, fx.b1, "evidence", "get", fx.a, "doc.pdf", "--out", out, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    a = read_bytes(fx.doc, &la);
    b = read_bytes(out, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    free(b);
    assert_int_equal(stat(out, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* Not replaced without --force. */
    th_ticsx(&r, &fx.w.hub, fx.b1, "evidence", "get", fx.a, "doc.pdf", "--out", out, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "exists");
    th_result_free(&r);

    /* Every file into a directory. */
    snprintf(dir, sizeof dir, "%s/all", fx.w.root);
    assert_int_equal(mkdir(dir, 0700), 0);
    th_ticsx(&r, &fx.w.hub, fx.b1, "evidence", "get", fx.a, "--out", dir, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    snprintf(path, sizeof path, "%s/doc.pdf", dir);
    b = read_bytes(path, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    free(b);
    free(a);
    snprintf(path, sizeof path, "%s/note.txt", dir);
    assert_true(th_file_holds(path, "IS 123456"));

    /* The report's rows carry them too. */
    th_ticsx(&r, &fx.w.hub, fx.b1, "report", "--format", "json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    ev = json_object_get(json_array_get(json_object_get(th_report_doc(j), "suppliers"), 0),
                         "evidence");
    assert_int_equal(json_array_size(ev), 2);
    json_decref(j);
    th_result_free(&r);

    /* An unknown name. */
    th_ticsx(&r, &fx.w.hub, fx.b1, "evidence", "get", fx.a, "nothing.pdf", "--out", out, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "no evidence file named");
    th_result_free(&r);
}

/* The same file in a second answer: listed again, nothing sent; its reader checks it. */
static void
test_file_sent_before_is_reused(void **state)
{
    char answers[PATH_MAX + 16], aid[65];
    th_result r;
    (void)state;

    given_answered();
    snprintf(answers, sizeof answers, "%s/answers2.json", fx.w.root);
    answers_file(fx.sup, fx.r2, answers);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.r2, "--file", answers, "--evidence", fx.doc, NULL);
    th_expect_status(&r, 0);
    memcpy(aid, r.out, 64);
    aid[64] = 0;
    th_expect_text(r.err, "1 evidence file attached (0 chunks sent, 3 reused)");
    th_result_free(&r);
    th_ticsx_expect(0, &fx.w.hub, fx.b2, "fetch", NULL);
    th_ticsx(&r, &fx.w.hub, fx.b2, "evidence", "list", aid, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "doc.pdf  checked");
    th_result_free(&r);
}

static void
test_oversize_refused_before_signing(void **state)
{
    char answers[PATH_MAX + 16], big[PATH_MAX + 16], seqf[PATH_MAX + 16], name[PATH_MAX + 32];
    char *before, *after;
    th_result r;
    (void)state;

    given_answered();
    snprintf(answers, sizeof answers, "%s/answers3.json", fx.w.root);
    answers_file(fx.sup, fx.r3, answers);
    snprintf(seqf, sizeof seqf, "%s/seq", fx.sup);
    before = th_read_file(seqf);

    snprintf(big, sizeof big, "%s/big.pdf", fx.w.root);
    sparse_file(big, (off_t)(20u << 20) + 1);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.r3, "--file", answers, "--evidence", big, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "big.pdf is 20 971 521 bytes, at most 20 971 520 (20 MiB) per file");
    th_result_free(&r);

    /* Six files of 17 MiB: each fits, together over 100 MiB. */
    {
        const char *args[32];
        size_t k = 0;
        static char names[6][PATH_MAX + 32];

        args[k++] = "answer";
        args[k++] = fx.r3;
        args[k++] = "--file";
        args[k++] = answers;
        for (int i = 0; i < 6; i++) {
            snprintf(names[i], sizeof names[i], "%s/part%d.pdf", fx.w.root, i);
            sparse_file(names[i], (off_t)17 << 20);
            args[k++] = "--evidence";
            args[k++] = names[i];
        }
        th_ticsx(&r, &fx.w.hub, fx.sup, args[0], args[1], args[2], args[3], args[4], args[5],
                 args[6], args[7], args[8], args[9], args[10], args[11], args[12], args[13],
                 args[14], args[15], NULL);
        th_expect_status(&r, 2);
        th_expect_text(r.err, "at most 104 857 600 (100 MiB) per assessment");
        th_result_free(&r);
    }
    /* Empty, and two files of one name. */
    snprintf(name, sizeof name, "%s/empty.pdf", fx.w.root);
    sparse_file(name, 0);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.r3, "--file", answers, "--evidence", name, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "is empty");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.r3, "--file", answers, "--evidence", fx.doc,
             "--evidence", fx.doc, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "have the same name");
    th_result_free(&r);

    /* Nothing was signed: the sequence counter did not move. */
    after = th_read_file(seqf);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* Library records straight to the hub: chunk and sealed assessment listing chunks. */
static uint8_t *
sign_chunk(const tx_identity *id, uint64_t seq, size_t ct_len, size_t *len)
{
    tx_evidence_chunk_pb ch = TICSX__V1__EVIDENCE_CHUNK__INIT;
    tx_meta_pb m = TICSX__V1__META__INIT;
    uint8_t nonce[TX_NONCE_LEN], *ct = calloc(1, ct_len), *env = NULL;

    assert_non_null(ct);
    randombytes_buf(ct, ct_len);
    randombytes_buf(nonce, sizeof nonce);
    m.seq = seq;
    m.created = 1700000000;
    ch.meta = &m;
    ch.nonce.data = nonce;
    ch.nonce.len = sizeof nonce;
    ch.ciphertext.data = ct;
    ch.ciphertext.len = ct_len;
    assert_int_equal(tx_envelope_sign_msg(id, TX_KIND_EVIDENCE_CHUNK, &ch.base, &env, len), TX_OK);
    free(ct);
    return env;
}

static uint8_t *
sign_sealed_listing(const tx_identity *id, uint64_t seq, const uint8_t qid[TX_ID_LEN],
                    const uint8_t (*ids)[TX_ID_LEN], size_t n, size_t *len)
{
    tx_sealed_pb s = TICSX__V1__SEALED_ASSESSMENT__INIT;
    tx_meta_pb m = TICSX__V1__META__INIT;
    ProtobufCBinaryData *ev = calloc(n + 1, sizeof *ev);
    uint8_t nonce[TX_NONCE_LEN], ct[64], *env = NULL;

    assert_non_null(ev);
    randombytes_buf(nonce, sizeof nonce);
    randombytes_buf(ct, sizeof ct);
    for (size_t i = 0; i < n; i++) {
        ev[i].data = (uint8_t *)ids[i];
        ev[i].len = TX_ID_LEN;
    }
    m.seq = seq;
    m.created = 1700000000;
    s.meta = &m;
    s.questionnaire.data = (uint8_t *)qid;
    s.questionnaire.len = TX_ID_LEN;
    s.nonce.data = nonce;
    s.nonce.len = sizeof nonce;
    s.ciphertext.data = ct;
    s.ciphertext.len = sizeof ct;
    s.evidence = ev;
    s.n_evidence = n;
    assert_int_equal(tx_envelope_sign_msg(id, TX_KIND_ASSESSMENT, &s.base, &env, len), TX_OK);
    free(ev);
    return env;
}

static void
test_hub_refuses_listing_another_signers_chunk(void **state)
{
    tx_identity *x = th_identity("Chunk Owner KK"), *y = th_identity("Chunk Borrower KK");
    tx_conn *cx, *cy;
    uint8_t qid[TX_ID_LEN], cxid[TX_ID_LEN], cyid[TX_ID_LEN], absent[TX_ID_LEN];
    uint8_t(*many)[TX_ID_LEN];
    uint8_t *env;
    size_t len;
    tx_reply_pb *rep;
    char other_msg[512], absent_msg[512], shortid[13];
    (void)state;

    assert_int_equal(th_enroll(fx.w.hubdir, x, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(fx.w.hubdir, y, 1, NULL, 0), 0);
    cx = th_connect(&fx.w.hub, x, 10000);
    cy = th_connect(&fx.w.hub, y, 10000);
    env = th_questionnaire(x, 2, &len);
    tx_record_id(env, len, qid);
    assert_int_equal(th_submit_status(cx, env, len, NULL), TX_STATUS_OK);
    free(env);
    env = sign_chunk(x, 3, 1000, &len);
    tx_record_id(env, len, cxid);
    assert_int_equal(th_submit_status(cx, env, len, NULL), TX_STATUS_OK);
    free(env);
    env = sign_chunk(y, 2, 1000, &len);
    tx_record_id(env, len, cyid);
    assert_int_equal(th_submit_status(cy, env, len, NULL), TX_STATUS_OK);
    free(env);

    /* Y lists X's chunk: refused, in the words and status of an id that exists nowhere. */
    env = sign_sealed_listing(y, 3, qid, (const uint8_t(*)[TX_ID_LEN])cxid, 1, &len);
    rep = th_submit(cy, env, len);
    free(env);
    assert_int_equal(rep->status, TX_STATUS_MISSING_REFERENCE);
    tx_record_id_short(cxid, shortid);
    th_expect_text(rep->message, shortid);
    snprintf(other_msg, sizeof other_msg, "%s", rep->message);
    tx_free(rep);
    randombytes_buf(absent, sizeof absent);
    env = sign_sealed_listing(y, 4, qid, (const uint8_t(*)[TX_ID_LEN])absent, 1, &len);
    rep = th_submit(cy, env, len);
    free(env);
    assert_int_equal(rep->status, TX_STATUS_MISSING_REFERENCE);
    snprintf(absent_msg, sizeof absent_msg, "%s", rep->message);
    tx_free(rep);
    /* Same sentence once the short ids are set aside. */
    {
        char *p = strstr(other_msg, shortid);
        char ashort[13];
        tx_record_id_short(absent, ashort);
        char *q = strstr(absent_msg, ashort);
        assert_non_null(p);
        assert_non_null(q);
        assert_int_equal(p - other_msg, q - absent_msg);
        assert_string_equal(p + strlen(shortid), q + strlen(ashort));
        th_expect_text(other_msg, "is not among your records");
    }
    /* Its own chunk, and the owner's own: stored. */
    env = sign_sealed_listing(y, 5, qid, (const uint8_t(*)[TX_ID_LEN])cyid, 1, &len);
    assert_int_equal(th_submit_status(cy, env, len, NULL), TX_STATUS_OK);
    free(env);
    env = sign_sealed_listing(x, 4, qid, (const uint8_t(*)[TX_ID_LEN])cxid, 1, &len);
    assert_int_equal(th_submit_status(cx, env, len, NULL), TX_STATUS_OK);
    free(env);
    /* Y still cannot Get X's chunk (it reads only its own assessment). */
    assert_int_not_equal(th_get_status(cy, cxid), TX_OK);
    assert_int_equal(th_get_status(cy, cyid), TX_OK);

    /* A chunk over the size limit, and a list longer than 400 ids. */
    env = sign_chunk(y, 6, TX_EVIDENCE_CHUNK + TX_AEAD_TAG_LEN + 1, &len);
    assert_int_equal(th_submit_status(cy, env, len, NULL), TX_STATUS_TOO_LARGE);
    free(env);
    many = calloc(TX_EVIDENCE_MAX_CHUNKS + 1, TX_ID_LEN);
    assert_non_null(many);
    for (size_t i = 0; i <= TX_EVIDENCE_MAX_CHUNKS; i++) {
        memcpy(many[i], cyid, TX_ID_LEN);
    }
    env = sign_sealed_listing(y, 7, qid, (const uint8_t(*)[TX_ID_LEN])many,
                              TX_EVIDENCE_MAX_CHUNKS + 1, &len);
    assert_int_equal(th_submit_status(cy, env, len, NULL), TX_STATUS_TOO_LARGE);
    free(env);
    free(many);
    tx_conn_destroy(&cx);
    tx_conn_destroy(&cy);
    tx_identity_destroy(&x);
    tx_identity_destroy(&y);
}

static void
test_non_grantee_cannot_get_chunk(void **state)
{
    uint8_t ids[8][TX_ID_LEN];
    size_t n;
    tx_client *c;
    tx_recs l = {0};
    int kind = TX_KIND_EVIDENCE_CHUNK;
    (void)state;

    given_answered();
    n = chunk_ids(fx.b1, fx.a, ids, 8);
    assert_int_equal(n, 4);
    assert_int_equal(gettable(fx.sup, (const uint8_t(*)[TX_ID_LEN])ids, n), 4);
    assert_int_equal(gettable(fx.b1, (const uint8_t(*)[TX_ID_LEN])ids, n), 4);
    assert_int_equal(gettable(fx.outsider, (const uint8_t(*)[TX_ID_LEN])ids, n), 0);
    /* A list of chunks shows only one's own. */
    c = client_of(fx.b1);
    assert_int_equal(tx_rpc_list(c, 1, &kind, NULL, &l), TX_OK);
    assert_int_equal(l.n, 0);
    tx_recs_clear(&l);
    tx_client_destroy(&c);
    c = client_of(fx.sup);
    assert_int_equal(tx_rpc_list(c, 1, &kind, NULL, &l), TX_OK);
    assert_true(l.n >= 4);
    tx_recs_clear(&l);
    tx_client_destroy(&c);
}

/* What the page callback saw of a listing. */
typedef struct {
    size_t pages, records, stop_after;
    int bad_from;
} paging;

static int
count_page(void *ctx, size_t i, const tx_recs *list, size_t from)
{
    paging *p = ctx;

    p->bad_from |= i != 0 || from != p->records || list->n <= from;
    p->records = list->n;
    return ++p->pages == p->stop_after ? TX_ERR_IO : TX_OK;
}

/* A listing asked for in pages of one or three records calls back once a page, each page's
 * records following the last, and gives what one default page gives; a callback's error stops
 * the listing with that code. */
static void
test_list_calls_back_each_page(void **state)
{
    int kind = TX_KIND_EVIDENCE_CHUNK;
    tx_recs all = {0}, l = {0};
    tx_client *c;
    (void)state;

    given_answered();
    c = client_of(fx.sup);
    assert_int_equal(tx_rpc_list(c, 1, &kind, NULL, &all), TX_OK);
    assert_true(all.n >= 4);
    for (uint32_t page = 1; page <= 3; page += 2) {
        paging p = {0};

        assert_int_equal(tx_rpc_list_pages(c, 1, &kind, NULL, page, &l, count_page, &p), TX_OK);
        assert_false(p.bad_from);
        assert_int_equal(p.pages, (all.n + page - 1) / page);
        assert_int_equal(p.records, all.n);
        assert_int_equal(l.n, all.n);
        for (size_t i = 0; i < all.n; i++) {
            assert_memory_equal(l.v[i].id, all.v[i].id, TX_ID_LEN);
        }
        tx_recs_clear(&l);
    }
    {
        paging p = {.stop_after = 2};

        assert_int_equal(tx_rpc_list_pages(c, 1, &kind, NULL, 1, &l, count_page, &p), TX_ERR_IO);
        assert_int_equal(p.pages, 2);
        tx_recs_clear(&l);
    }
    tx_recs_clear(&all);
    tx_client_destroy(&c);
}

static void
test_revoked_grant_stops_chunk_fetch(void **state)
{
    uint8_t ids[8][TX_ID_LEN];
    size_t n;
    th_result r;
    (void)state;

    given_answered();
    n = chunk_ids(fx.b1, fx.a, ids, 8);
    assert_int_equal(gettable(fx.b3, (const uint8_t(*)[TX_ID_LEN])ids, n), 0);
    th_ticsx_expect(0, &fx.w.hub, fx.sup, "grant", fx.a, "--to", B3, NULL);
    assert_int_equal(gettable(fx.b3, (const uint8_t(*)[TX_ID_LEN])ids, n), n);
    th_ticsx_expect(0, &fx.w.hub, fx.sup, "revoke", fx.a, "--from", B3, NULL);
    assert_int_equal(gettable(fx.b3, (const uint8_t(*)[TX_ID_LEN])ids, n), 0);
    /* Its fetch gets none of them. */
    th_ticsx(&r, &fx.w.hub, fx.b3, "--json", "fetch", NULL);
    th_expect_status(&r, 0);
    {
        json_t *j = th_parse_json(r.out);
        assert_int_equal(
            json_integer_value(json_object_get(json_object_get(j, "evidence"), "fetched")), 0);
        json_decref(j);
    }
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b3, "evidence", "list", fx.a, NULL);
    th_expect_status(&r, 1);
    th_result_free(&r);
}

/* Chunks made here as the protocol says (docs/protocol.md), signed with the supplier's key. */
static uint8_t *
make_chunk(const tx_identity *signer, uint64_t seq, const uint8_t key[32], const uint8_t sha[32],
           uint32_t index, const uint8_t *plain, size_t plen, int flip, uint8_t id[TX_ID_LEN],
           size_t *len)
{
    tx_evidence_chunk_pb ch = TICSX__V1__EVIDENCE_CHUNK__INIT;
    tx_meta_pb m = TICSX__V1__META__INIT;
    uint8_t ad[sizeof TX_EVIDENCE_AD - 1 + 36], nonce[TX_NONCE_LEN];
    uint8_t *ct = malloc(plen + TX_AEAD_TAG_LEN), *env = NULL;
    unsigned long long clen;

    memcpy(ad, TX_EVIDENCE_AD, sizeof TX_EVIDENCE_AD - 1);
    memcpy(ad + sizeof TX_EVIDENCE_AD - 1, sha, 32);
    ad[sizeof ad - 4] = (uint8_t)(index >> 24);
    ad[sizeof ad - 3] = (uint8_t)(index >> 16);
    ad[sizeof ad - 2] = (uint8_t)(index >> 8);
    ad[sizeof ad - 1] = (uint8_t)index;
    randombytes_buf(nonce, sizeof nonce);
    crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &clen, plain, plen, ad, sizeof ad, NULL, nonce,
                                               key);
    if (flip) {
        ct[clen / 2] ^= 1;
    }
    m.seq = seq;
    m.created = 1700000000;
    ch.meta = &m;
    ch.nonce.data = nonce;
    ch.nonce.len = sizeof nonce;
    ch.ciphertext.data = ct;
    ch.ciphertext.len = (size_t)clen;
    assert_int_equal(tx_envelope_sign_msg(signer, TX_KIND_EVIDENCE_CHUNK, &ch.base, &env, len),
                     TX_OK);
    tx_record_id(env, *len, id);
    free(ct);
    return env;
}

/* make_chunk's record into the cache of home. */
static void
cache_chunk(tx_home *home, const tx_identity *signer, uint64_t seq, const uint8_t key[32],
            const uint8_t sha[32], uint32_t index, const uint8_t *plain, size_t plen, int flip,
            uint8_t id[TX_ID_LEN])
{
    size_t len = 0;
    uint8_t *env = make_chunk(signer, seq, key, sha, index, plain, plen, flip, id, &len);

    assert_int_equal(tx_home_cache_put(home, env, len, NULL), TX_OK);
    free(env);
}

static int
check_ref(tx_home *home, const tx_identity *signer, const uint8_t key[32], const uint8_t sha[32],
          size_t size, const uint8_t (*chunks)[TX_ID_LEN], size_t n)
{
    tx_assessment_pb a = TICSX__V1__ASSESSMENT__INIT;
    tx_evidence_ref_pb ref = TICSX__V1__EVIDENCE_REF__INIT, *refs[1] = {&ref};
    ProtobufCBinaryData ids[4];
    tx_evidence_result *res = NULL;
    tx_verdict v;
    uint8_t *data = (uint8_t *)"x";
    size_t rn = 0, dlen = 1;
    char type[64];
    int status, rc;

    for (size_t i = 0; i < n; i++) {
        ids[i].data = (uint8_t *)chunks[i];
        ids[i].len = TX_ID_LEN;
    }
    ref.name = "scan.pdf";
    ref.media_type = "application/pdf";
    ref.size = size;
    ref.sha256.data = (uint8_t *)sha;
    ref.sha256.len = 32;
    ref.key.data = (uint8_t *)key;
    ref.key.len = 32;
    ref.chunks = ids;
    ref.n_chunks = n;
    a.evidence = refs;
    a.n_evidence = 1;
    assert_int_equal(tx_evidence_check_all(home, &a, &signer->pub.sign, 1, &res, &rn), TX_OK);
    assert_int_equal(rn, 1);
    status = res[0].status;
    tx_evidence_results_free(res, rn);
    /* The open API hands out the bytes only when checked. */
    memset(&v, 0, sizeof v);
    v.inner = &a;
    memcpy(v.supplier, signer->pub.sign, TX_KEY_LEN);
    rc = tx_evidence_open(home, &v, "scan.pdf", &data, &dlen, type, sizeof type);
    if (status == TX_EVIDENCE_CHECKED) {
        assert_int_equal(rc, TX_OK);
        assert_int_equal(dlen, size);
        assert_string_equal(type, "application/pdf");
        free(data);
    } else {
        assert_int_not_equal(rc, TX_OK);
        assert_null(data);
        assert_int_equal(dlen, 0);
        tx_fail_clear();
    }
    return status;
}

static void
test_altered_pieces_never_check(void **state)
{
    size_t size = TX_EVIDENCE_CHUNK + 5000;
    uint8_t *file = malloc(size), *other = malloc(size);
    uint8_t key[32], sha[32], osha[32], id[6][TX_ID_LEN], absent[TX_ID_LEN];
    tx_home *bh = NULL, *sh = NULL;
    const tx_identity *sup, *b1;
    (void)state;

    given_answered();
    assert_int_equal(tx_home_open(fx.b1, &bh), TX_OK);
    assert_int_equal(tx_home_open(fx.sup, &sh), TX_OK);
    sup = tx_home_identity(sh);
    b1 = tx_home_identity(bh);
    randombytes_buf(file, size);
    randombytes_buf(other, size);
    crypto_hash_sha256(sha, file, size);
    crypto_hash_sha256(osha, other, size);
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    /* id[0], id[1]: the file; id[2]: piece 1 of another file under the same key; id[3]: piece 1
     * altered (then signed: a signer cheating); id[4]: piece 1 signed by the buyer itself. */
    cache_chunk(bh, sup, 9000, key, sha, 0, file, TX_EVIDENCE_CHUNK, 0, id[0]);
    cache_chunk(bh, sup, 9001, key, sha, 1, file + TX_EVIDENCE_CHUNK, 5000, 0, id[1]);
    cache_chunk(bh, sup, 9002, key, osha, 1, other + TX_EVIDENCE_CHUNK, 5000, 0, id[2]);
    cache_chunk(bh, sup, 9003, key, sha, 1, file + TX_EVIDENCE_CHUNK, 5000, 1, id[3]);
    cache_chunk(bh, b1, 9004, key, sha, 1, file + TX_EVIDENCE_CHUNK, 5000, 0, id[4]);
    randombytes_buf(absent, sizeof absent);
    {
        uint8_t good[2][TX_ID_LEN], swapped[2][TX_ID_LEN], foreign[2][TX_ID_LEN],
            altered[2][TX_ID_LEN], stranger[2][TX_ID_LEN], missing[2][TX_ID_LEN];
        uint8_t *g = (uint8_t *)good, *s = (uint8_t *)swapped, *f = (uint8_t *)foreign;
        uint8_t *al = (uint8_t *)altered, *st = (uint8_t *)stranger, *mi = (uint8_t *)missing;
        uint8_t bad_sha[32];

        memcpy(g, id[0], 32), memcpy(g + 32, id[1], 32);
        memcpy(s, id[1], 32), memcpy(s + 32, id[0], 32);
        memcpy(f, id[0], 32), memcpy(f + 32, id[2], 32);
        memcpy(al, id[0], 32), memcpy(al + 32, id[3], 32);
        memcpy(st, id[0], 32), memcpy(st + 32, id[4], 32);
        memcpy(mi, id[0], 32), memcpy(mi + 32, absent, 32);
        assert_int_equal(check_ref(bh, sup, key, sha, size, (const uint8_t(*)[TX_ID_LEN])good, 2),
                         TX_EVIDENCE_CHECKED);
        assert_int_equal(
            check_ref(bh, sup, key, sha, size, (const uint8_t(*)[TX_ID_LEN])swapped, 2),
            TX_EVIDENCE_MISMATCH);
        assert_int_equal(
            check_ref(bh, sup, key, sha, size, (const uint8_t(*)[TX_ID_LEN])foreign, 2),
            TX_EVIDENCE_MISMATCH);
        assert_int_equal(
            check_ref(bh, sup, key, sha, size, (const uint8_t(*)[TX_ID_LEN])altered, 2),
            TX_EVIDENCE_MISMATCH);
        assert_int_equal(
            check_ref(bh, sup, key, sha, size, (const uint8_t(*)[TX_ID_LEN])stranger, 2),
            TX_EVIDENCE_MISMATCH);
        assert_int_equal(
            check_ref(bh, sup, key, sha, size, (const uint8_t(*)[TX_ID_LEN])missing, 2),
            TX_EVIDENCE_MISSING);
        /* The right pieces, but the reference states another hash or size. */
        memcpy(bad_sha, sha, 32);
        bad_sha[0] ^= 1;
        assert_int_equal(
            check_ref(bh, sup, key, bad_sha, size, (const uint8_t(*)[TX_ID_LEN])good, 2),
            TX_EVIDENCE_MISMATCH);
        assert_int_equal(
            check_ref(bh, sup, key, sha, size - 1, (const uint8_t(*)[TX_ID_LEN])good, 2),
            TX_EVIDENCE_MISMATCH);
        assert_int_equal(check_ref(bh, sup, key, sha, size, (const uint8_t(*)[TX_ID_LEN])good, 1),
                         TX_EVIDENCE_MISMATCH);
    }
    tx_home_destroy(&bh);
    tx_home_destroy(&sh);
    free(file);
    free(other);
}

/* A piece damaged in the buyer's cache: verify and list say mismatch, get refuses (exit 1). */
static void
test_damaged_piece_refused_by_get(void **state)
{
    uint8_t ids[8][TX_ID_LEN];
    char hex[65], out[PATH_MAX + 16];
    uint8_t *orig, *bad;
    size_t n, olen;
    th_result r;
    (void)state;

    given_answered();
    n = chunk_ids(fx.b1, fx.a, ids, 8);
    assert_int_equal(n, 4);
    tx_hex(hex, ids[1], TX_ID_LEN);
    assert_true(th_cache_get(fx.b1, "records", hex, &orig, &olen));
    bad = malloc(olen);
    memcpy(bad, orig, olen);
    bad[olen - 10] ^= 0x40;
    th_cache_set(fx.b1, "records", hex, bad, olen);

    th_ticsx(&r, &fx.w.hub, fx.b1, "evidence", "list", fx.a, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "doc.pdf  mismatch");
    th_expect_text(r.out, "note.txt  checked");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b1, "verify", fx.a, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "evidence doc.pdf: mismatch");
    th_result_free(&r);
    snprintf(out, sizeof out, "%s/tampered.pdf", fx.w.root);
    th_ticsx(&r, &fx.w.hub, fx.b1, "evidence", "get", fx.a, "doc.pdf", "--out", out, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "does not match what the signed assessment says");
    th_result_free(&r);
    assert_int_not_equal(access(out, F_OK), 0);

    th_cache_set(fx.b1, "records", hex, orig, olen);
    free(orig);
    free(bad);
    th_ticsx_expect(0, &fx.w.hub, fx.b1, "verify", fx.a, NULL);
}

/* A file of exactly 20 MiB (80 chunks) makes the whole trip: sent, fetched, checked, written. */
static void
test_largest_file_round_trip(void **state)
{
    char answers[PATH_MAX + 16], big[PATH_MAX + 16], out[PATH_MAX + 16], aid[65];
    size_t size = TX_EVIDENCE_FILE_MAX, got_len;
    uint8_t *data = malloc(size), sha[32], got_sha[32], *got;
    th_result r;
    (void)state;

    given_answered();
    assert_non_null(data);
    randombytes_buf(data, size);
    crypto_hash_sha256(sha, data, size);
    snprintf(big, sizeof big, "%s/largest.png", fx.w.root);
    write_bytes(big, data, size);
    free(data);
    snprintf(answers, sizeof answers, "%s/answers4.json", fx.w.root);
    answers_file(fx.sup, fx.r3, answers);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.r3, "--file", answers, "--evidence", big, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "1 evidence file attached (80 chunks sent, 0 reused)");
    memcpy(aid, r.out, 64);
    aid[64] = 0;
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b3, "fetch", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "80 file chunks fetched");
    th_result_free(&r);
    snprintf(out, sizeof out, "%s/largest-got.png", fx.w.root);
    th_ticsx(&r, &fx.w.hub, fx.b3, "evidence", "get", aid, "--out", out, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "image/png, checked");
    th_result_free(&r);
    got = read_bytes(out, &got_len);
    assert_int_equal(got_len, size);
    crypto_hash_sha256(got_sha, got, got_len);
    assert_memory_equal(sha, got_sha, 32);
    free(got);
}

/* The hub's integrity check rebuilds the chunk -> assessment index from the log and compares it
 * with the stored one (run on the stopped hub, which is started again after). */
static void
test_hub_check_compares_evidence_index(void **state)
{
    char out[16384];
    (void)state;

    given_answered();
    assert_int_equal(th_hub_stop(&fx.w.hub, SIGTERM), 0);
    assert_int_equal(th_run(out, sizeof out, "check", "--data", fx.w.hubdir, NULL), 0);
    th_world_start(&fx.w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_checked_and_written),
        cmocka_unit_test(test_fetch_hands_records_to_verify),
        cmocka_unit_test(test_file_sent_before_is_reused),
        cmocka_unit_test(test_oversize_refused_before_signing),
        cmocka_unit_test(test_hub_refuses_listing_another_signers_chunk),
        cmocka_unit_test(test_non_grantee_cannot_get_chunk),
        cmocka_unit_test(test_list_calls_back_each_page),
        cmocka_unit_test(test_revoked_grant_stops_chunk_fetch),
        cmocka_unit_test(test_altered_pieces_never_check),
        cmocka_unit_test(test_damaged_piece_refused_by_get),
        cmocka_unit_test(test_largest_file_round_trip),
        cmocka_unit_test(test_hub_check_compares_evidence_index),
    };
    th_require_hub_bin();
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* Answer once, share with many, through the real binaries: a real ticsx-hub (LMDB, CURVE, ZAP)
 * on tcp://127.0.0.1:*, and ticsx run as a subprocess for three buyers, two suppliers and an
 * outsider, each with its own home. One assessment reaches three buyers (an answer, a reuse, a
 * grant) and all read the same bytes; the hub's files hold none of its text; revocation,
 * re-grant, grant end dates, supersede notices, and watchers that get a grant pushed. Records
 * the CLI would never make (a key sealed to the wrong buyer, a grant by someone else, a
 * truncated ciphertext) are made with the library and must be refused, here or at the hub. */
#include "harness.h"
#include "tx_client.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_rpc.h"
#include "tx_seal.h"
#include "tx_util.h"

#include <dirent.h>
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define B1 "Example Motors KK"
#define B2 "Nagoya Assembly KK"
#define B3 "Kyushu Electric Parts KK"
#define SUP "Tanaka Seiko KK"
#define SUP2 "Hamamatsu Castings KK"
#define OUTSIDER "Outsider Trading Ltd"
#define SECRET_COMMENT "ZEBRA-COMMENT-8841"
#define SECRET_SUB "Okazaki Plating Secret Works"
#define SECRET_SUPPLIES "anodised housings for the XJ-9 line"

typedef struct {
    th_world w;
    char b1[PATH_MAX], b2[PATH_MAX], b3[PATH_MAX], sup[PATH_MAX], sup2[PATH_MAX],
        outsider[PATH_MAX];
    char r1[65], r2[65];
    char a[65];  /* the assessment shared with all three buyers */
    char a2[65]; /* supersedes a (re-granted) */
    char a3[65]; /* supersedes a2 (not re-granted) */
    int shared, superseded; /* th_given: given_shared, given_superseded */
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
    th_world_party(&fx.w, fx.sup2, "sup2", SUP2, NULL);
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

/* Writes a JSON answers file for request `req`: every item `answer`, each with the secret
 * comment, and the sub-suppliers (one keyed by the outsider's fingerprint). */
static void
answers_file(const char *home, const char *req, const char *answer, const char *path)
{
    char fp_line[128];
    th_result r;
    json_t *j, *arr, *subs;

    th_ticsx(&r, &fx.w.hub, home, "questionnaire", "template", req, "--format", "json", "--out",
             path, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.outsider, "whoami", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    snprintf(fp_line, sizeof fp_line, "%s", json_string_value(json_object_get(j, "fingerprint")));
    json_decref(j);
    th_result_free(&r);

    char *text = th_read_file(path);
    j = th_parse_json(text);
    free(text);
    arr = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer", json_string(answer));
        json_object_set_new(json_array_get(arr, i), "comment", json_string(SECRET_COMMENT));
    }
    subs = json_pack("[{s:s,s:s},{s:s,s:s,s:s},{s:s,s:s}]", "name", SECRET_SUB, "supplies",
                     SECRET_SUPPLIES, "name", "Second Tier Works", "supplies", "castings", "key",
                     fp_line, "name", "Third Tier Works", "key",
                     "0000000000000000000000000000000000000000000000000000000000000001");
    json_object_set_new(j, "suppliers", subs);
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
}

/* The "content" (inner envelope hash) and "assessment" of buyer's only verdict for `aid`. */
static void
verify_one(const char *home, const char *aid, char content[65])
{
    th_result r;
    json_t *j, *arr, *v;

    th_ticsx(&r, &fx.w.hub, home, "--json", "verify", aid, NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    arr = json_object_get(j, "assessments");
    assert_int_equal(json_array_size(arr), 1);
    v = json_array_get(arr, 0);
    assert_string_equal(json_string_value(json_object_get(v, "status")), "verified");
    assert_string_equal(json_string_value(json_object_get(v, "assessment")), aid);
    assert_string_equal(json_string_value(json_object_get(json_object_get(v, "supplier"), "name")),
                        SUP);
    snprintf(content, 65, "%s", json_string_value(json_object_get(v, "content")));
    assert_int_equal(strlen(content), 64);
    json_decref(j);
    th_result_free(&r);
}

/* Buyers 1 and 2 ask (fx.r1, fx.r2); the supplier answers r1 once (fx.a), reuses it for r2 and
 * grants it to buyer 3; all three fetch and verify it. Made once, by the first case that needs it,
 * so that every case also runs alone. */
static void
given_shared(void)
{
    char path[PATH_MAX], same[65], other[65], sup_both[300];
    th_result r;
    json_t *j;
    if (!th_given(&fx.shared, "answering once and sharing with three buyers")) {
        return;
    }

    snprintf(sup_both, sizeof sup_both, "%s,%s", SUP, SUP2);
    th_ticsx_id(fx.r1, &fx.w.hub, fx.b1, "request", "--questionnaire", "tics-selfcheck", "--to",
                sup_both, NULL);
    th_ticsx_id(fx.r2, &fx.w.hub, fx.b2, "request", "--questionnaire", "tics-selfcheck", "--to",
                SUP, NULL);
    snprintf(path, sizeof path, "%s/answers.json", fx.w.root);
    answers_file(fx.sup, fx.r1, "yes", path);

    /* Answered once... */
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.r1, "--file", path, NULL);
    th_expect_status(&r, 0);
    memcpy(fx.a, r.out, 64);
    th_expect_text(r.err, "3 sub-suppliers");
    th_result_free(&r);
    /* ...reused for the second request without typing anything again... */
    th_ticsx(&r, &fx.w.hub, fx.sup, "inbox", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "open");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.r2, "--reuse", fx.a, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, fx.a);
    th_expect_text(r.err, "shared");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.r2, "--reuse", fx.a, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "already");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sup, "--json", "inbox", "--all", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    json_t *reqs = json_object_get(j, "requests");
    assert_int_equal(json_array_size(reqs), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *q = json_array_get(reqs, i);
        assert_true(json_is_true(json_object_get(q, "answered")));
        assert_string_equal(json_string_value(json_object_get(q, "assessment")), fx.a);
    }
    json_decref(j);
    th_result_free(&r);
    /* ...and granted to a third buyer who never asked. */
    th_ticsx(&r, &fx.w.hub, fx.sup, "grant", fx.a, "--to", B3, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, B3);
    th_result_free(&r);

    const char *homes[] = {fx.b1, fx.b2, fx.b3};
    for (size_t i = 0; i < 3; i++) {
        th_ticsx(&r, &fx.w.hub, homes[i], "fetch", NULL);
        th_expect_status(&r, 0);
        th_expect_text(r.out, "fetched 1 assessment");
        th_result_free(&r);
        verify_one(homes[i], fx.a, i == 0 ? same : other);
        if (i > 0) {
            assert_string_equal(other, same); /* the very same signed bytes */
        }
    }
    th_ticsx(&r, &fx.w.hub, fx.b3, "inbox", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, SUP);
    th_result_free(&r);
    th_given_made(&fx.shared);
}

static void
test_answer_once_share_with_three(void **state)
{
    (void)state;
    given_shared();
}

static void
test_hub_holds_no_answer_text(void **state)
{
    static const char *const secrets[] = {SECRET_COMMENT, SECRET_SUB, SECRET_SUPPLIES,
                                          "Second Tier Works"};
    char path[PATH_MAX + 300], hubdir[PATH_MAX];
    th_result r;
    (void)state;

    given_shared();

    snprintf(hubdir, sizeof hubdir, "%s/hub", fx.w.root);
    snprintf(path, sizeof path, "%s/data.mdb", hubdir);
    /* Control: the search works on this file, names from the signed profiles are in it. */
    assert_true(th_file_holds(path, B1));
    assert_true(th_file_holds(path, SUP));
    /* Every file of the hub's data directory (data.mdb, lock.mdb, keys, endpoint...). */
    DIR *d = opendir(hubdir);
    struct dirent *e;
    size_t scanned = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", hubdir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        scanned++;
        for (size_t s = 0; s < sizeof secrets / sizeof secrets[0]; s++) {
            if (th_file_holds(path, secrets[s])) {
                fail_msg("\"%s\" is readable in %s", secrets[s], path);
            }
        }
    }
    closedir(d);
    assert_true(scanned >= 2);
    snprintf(path, sizeof path, "%s.log", hubdir);
    for (size_t s = 0; s < sizeof secrets / sizeof secrets[0]; s++) {
        assert_false(th_file_holds(path, secrets[s]));
    }
    /* The buyers do read the sub-suppliers: they travel inside the assessment. */
    th_ticsx(&r, &fx.w.hub, fx.b2, "--json", "verify", fx.a, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, SECRET_SUB);
    th_expect_text(r.out, SECRET_SUPPLIES);
    th_result_free(&r);
}

static void
test_reuse_needs_the_same_questionnaire(void **state)
{
    char src[PATH_MAX], path[PATH_MAX], r3[65];
    th_result r;
    json_t *q;
    (void)state;

    given_shared();

    /* The buyer asks with another version of the questionnaire (the built-in one is v2). */
    snprintf(src, sizeof src, "%s/client/forms/questionnaires/tics-selfcheck.json",
             getenv("TX_SOURCE_DIR"));
    snprintf(path, sizeof path, "%s/selfcheck-v3.json", fx.w.root);
    q = json_load_file(src, 0, NULL);
    assert_non_null(q);
    json_object_set_new(q, "version", json_integer(3));
    assert_int_equal(json_dump_file(q, path, 0), 0);
    json_decref(q);
    th_ticsx_id(r3, &fx.w.hub, fx.b1, "request", "--questionnaire", path, "--to", SUP, NULL);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", r3, "--reuse", fx.a, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "answers questionnaire tics-selfcheck v2");
    th_expect_text(r.err, "asks for tics-selfcheck v3");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", r3, "--reuse", fx.a, "--file", path, NULL);
    th_expect_status(&r, 2);
    th_result_free(&r);
    /* Only the author reuses: the other supplier cannot share this assessment. */
    th_ticsx(&r, &fx.w.hub, fx.sup2, "answer", fx.r1, "--reuse", fx.a, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "not found among this organisation's assessments");
    th_result_free(&r);
}

static void
test_outsider_can_neither_fetch_nor_decrypt(void **state)
{
    th_result r;
    (void)state;

    given_shared();

    th_ticsx(&r, &fx.w.hub, fx.outsider, "fetch", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "fetched 0 assessments");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.outsider, "verify", fx.a, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "not been granted");
    th_result_free(&r);
    /* A buyer passes the ciphertext and its grant on (with its proof markers): the grant names
     * that buyer, and the key in it is sealed to that buyer. */
    th_cache_copy(fx.b2, fx.outsider);
    th_ticsx(&r, &fx.w.hub, fx.outsider, "--json", "verify", fx.a, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "not granted to this organisation");
    th_expect_text(r.out, "content key is not sealed to this buyer");
    th_result_free(&r);
}

/* A session of the library as the organisation whose home is `home`. */
static tx_client *
client_of(const char *home)
{
    tx_client_opts o = {.home = home, .endpoint = fx.w.hub.endpoint, .hub_key = fx.w.hub.key};
    tx_client *c = NULL;

    assert_int_equal(tx_client_open(&o, &c), TX_OK);
    return c;
}

/* The signing and seal keys of the organisation at `home`. */
static void
pubkey_of(const char *home, tx_pubkey *pk)
{
    char path[PATH_MAX + 16];

    snprintf(path, sizeof path, "%s/identity.pub", home);
    assert_int_equal(tx_pubkey_load(path, pk), TX_OK);
}

/* A grant of aid signed by `c`'s organisation naming `grantee`, carrying `key` sealed to
 * `seal_to`, at sequence seq. Caller frees. */
static uint8_t *
make_grant(tx_client *c, uint64_t seq, const uint8_t *aid, const tx_pubkey *grantee,
           const tx_pubkey *seal_to, const uint8_t *key, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_grant_pb g = TICSX__V1__GRANT__INIT;
    uint8_t sealed_key[TX_SEALED_KEY_LEN];
    uint8_t *env = NULL;

    assert_int_equal(tx_seal_key(key, seal_to->seal, sealed_key), TX_OK);
    meta.seq = seq;
    meta.created = tx_now();
    g.meta = &meta;
    g.assessment.data = (uint8_t *)aid;
    g.assessment.len = TX_ID_LEN;
    g.grantee.data = (uint8_t *)grantee->sign;
    g.grantee.len = TX_KEY_LEN;
    g.sealed_key.data = sealed_key;
    g.sealed_key.len = TX_SEALED_KEY_LEN;
    assert_int_equal(tx_envelope_sign_msg(tx_client_id(c), TX_KIND_GRANT, &g.base, &env, len),
                     TX_OK);
    return env;
}

static void
test_wrong_key_foreign_grant_truncated_ciphertext(void **state)
{
    uint8_t aid[TX_ID_LEN], *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    tx_client *sc = client_of(fx.sup), *oc = client_of(fx.outsider);
    tx_pubkey pb1, pb2;
    uint64_t seq;
    size_t len;
    uint8_t *env;
    th_result r;
    (void)state;

    given_shared();

    assert_int_equal(tx_unhex(aid, TX_ID_LEN, fx.a), TX_OK);
    assert_int_equal(tx_home_key_get(tx_client_home(sc), aid, key), TX_OK);
    pubkey_of(fx.b1, &pb1);
    pubkey_of(fx.b2, &pb2);

    /* The author's grant to buyer 2 carries a key sealed to buyer 1: buyer 2 cannot open it. */
    assert_int_equal(tx_seq_take(fx.sup, 1, &seq), TX_OK);
    env = make_grant(sc, seq, aid, &pb2, &pb1, key, &len);
    assert_int_equal(tx_rpc_submit(sc, 1, &env, &len), TX_OK);
    free(env);
    th_ticsx(&r, &fx.w.hub, fx.b2, "fetch", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b2, "--json", "verify", fx.a, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "decryption failed: content key not sealed to this buyer");
    th_result_free(&r);
    /* A proper grant (newer) puts it right. */
    th_ticsx(&r, &fx.w.hub, fx.sup, "-q", "grant", fx.a, "--to", B2, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b2, "fetch", NULL);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b2, "verify", fx.a, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);

    /* A grant of the supplier's assessment signed by the outsider: the hub refuses it, as if
     * the assessment did not exist (it does not tell the outsider)... */
    env = make_grant(oc, 1000000, aid, &pb1, &pb1, key, &len);
    assert_int_equal(tx_rpc_submit(oc, 1, &env, &len), TX_ERR_REFUSED);
    th_expect_text(tx_fail_msg(), "hub refused grant ");
    th_expect_text(tx_fail_msg(), ": missing reference: assessment ");
    th_expect_text(tx_fail_msg(), "not among your records at the hub");
    /* ...and were it slipped into buyer 1's cache, verify refuses it. */
    {
        tx_client *bc = client_of(fx.b1);
        uint8_t gid[TX_ID_LEN];
        char ghex[65];
        assert_int_equal(tx_home_cache_put(tx_client_home(bc), env, len, gid), TX_OK);
        /* With a proof marker, as if a fetch had proven it: verify's own checks refuse it. */
        assert_int_equal(tx_home_proof_put(tx_client_home(bc), gid, 1, 1), TX_OK);
        tx_client_destroy(&bc);
        th_ticsx(&r, &fx.w.hub, fx.b1, "--json", "verify", fx.a, NULL);
        th_expect_status(&r, 1);
        th_expect_text(r.out, "not signed by the assessment's author");
        th_result_free(&r);
        tx_hex(ghex, gid, TX_ID_LEN);
        assert_true(th_cache_del(fx.b1, "records", ghex));
    }
    free(env);

    /* A sealed assessment whose ciphertext was cut short (signed as such by its author). */
    {
        tx_meta_pb meta = TICSX__V1__META__INIT;
        tx_assessment_pb a = TICSX__V1__ASSESSMENT__INIT;
        tx_sealed_pb s = TICSX__V1__SEALED_ASSESSMENT__INIT;
        tx_rec old = {0};
        uint8_t nonce[TX_NONCE_LEN], tid[TX_ID_LEN], *inner, *ct, *envs[2];
        size_t inner_len, ct_len, lens[2];
        char thex[65];

        assert_int_equal(tx_rec_from_cache(tx_client_home(sc), aid, TX_KIND_ASSESSMENT, &old),
                         TX_OK);
        const ProtobufCBinaryData *qid = &((const tx_sealed_pb *)old.msg)->questionnaire;
        assert_int_equal(tx_seq_take(fx.sup, 3, &seq), TX_OK);
        meta.seq = seq;
        meta.created = tx_now();
        a.meta = &meta;
        a.questionnaire = *qid;
        a.as_of = tx_now() - 10;
        a.valid_until = tx_now() + 86400;
        assert_int_equal(tx_envelope_sign_msg(tx_client_id(sc), TX_KIND_INNER_ASSESSMENT, &a.base,
                                              &inner, &inner_len),
                         TX_OK);
        assert_int_equal(tx_seal_content(inner, inner_len, qid->data, key, nonce, &ct, &ct_len),
                         TX_OK);
        free(inner);
        tx_meta_pb ms = TICSX__V1__META__INIT;
        ms.seq = seq + 1;
        ms.created = tx_now();
        s.meta = &ms;
        s.questionnaire = *qid;
        s.nonce.data = nonce;
        s.nonce.len = TX_NONCE_LEN;
        s.ciphertext.data = ct;
        s.ciphertext.len = ct_len - 5;
        assert_int_equal(tx_envelope_sign_msg(tx_client_id(sc), TX_KIND_ASSESSMENT, &s.base,
                                              &envs[0], &lens[0]),
                         TX_OK);
        free(ct);
        tx_record_id(envs[0], lens[0], tid);
        envs[1] = make_grant(sc, seq + 2, tid, &pb1, &pb1, key, &lens[1]);
        assert_int_equal(tx_rpc_submit(sc, 2, envs, lens), TX_OK);
        free(envs[0]);
        free(envs[1]);
        tx_rec_clear(&old);
        tx_hex(thex, tid, TX_ID_LEN);
        th_ticsx(&r, &fx.w.hub, fx.b1, "fetch", NULL);
        th_expect_status(&r, 0);
        th_result_free(&r);
        th_ticsx(&r, &fx.w.hub, fx.b1, "--json", "verify", thex, NULL);
        th_expect_status(&r, 1);
        th_expect_text(r.out, "decryption failed: the assessment does not open");
        th_result_free(&r);
    }
    sodium_free(key);
    tx_client_destroy(&sc);
    tx_client_destroy(&oc);
}

static void
test_revoke_then_regrant(void **state)
{
    char today[16];
    th_result r;
    (void)state;

    given_shared();

    tx_format_date(today, sizeof today, tx_now());
    th_ticsx(&r, &fx.w.hub, fx.b3, "inbox", NULL);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sup, "revoke", fx.a, "--from", B3, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "no longer serves these versions");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sup, "revoke", fx.a, "--from", B3, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "already revoked");
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.b3, "fetch", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "revoked by the supplier");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b3, "--json", "verify", fx.a, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "revoked by the supplier on");
    th_expect_text(r.out, today);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b3, "inbox", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "REVOKED");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b3, "--json", "report", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"status\": \"revoked\"");
    th_result_free(&r);

    /* A new grant restores it. */
    th_ticsx(&r, &fx.w.hub, fx.sup, "-q", "grant", fx.a, "--to", B3, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b3, "fetch", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "fetched 1 assessment");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b3, "verify", fx.a, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
}

static void
test_grant_until(void **state)
{
    th_result r;
    (void)state;

    given_shared();

    th_ticsx(&r, &fx.w.hub, fx.sup, "grant", fx.a, "--to", B2, "--until", "2001-01-01", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "in the past");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sup, "grant", fx.a, "--to", SUP, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "is this organisation");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sup, "grant", fx.a, "--to", "Nobody KK", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "Nobody KK");
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.sup, "--json", "grant", fx.a, "--to", B2, "--until", "2099-12-31",
             NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"until\": \"2099-12-31\"");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b2, "fetch", NULL);
    th_result_free(&r);
    th_ticsx_with(&r, &(th_ticsx_opts){.hub = &fx.w.hub, .now = "2100-01-02"}, fx.b2, "--json",
                  "verify", fx.a, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "\"status\": \"expired\"");
    th_expect_text(r.out, "the grant expired on 2099-12-31");
    th_result_free(&r);
    /* Before that day it holds. */
    th_ticsx(&r, &fx.w.hub, fx.b2, "verify", fx.a, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
}

/* The report row of buyer `home` for supplier `name`, as JSON (caller decrefs the root). */
static json_t *
report_row_of(const char *home, const char *name, json_t **root)
{
    th_result r;
    json_t *sups;

    th_ticsx(&r, &fx.w.hub, home, "report", "--format", "json", NULL);
    th_expect_status(&r, 0);
    *root = th_parse_json(r.out);
    th_result_free(&r);
    sups = json_object_get(th_report_doc(*root), "suppliers");
    for (size_t i = 0; i < json_array_size(sups); i++) {
        json_t *s = json_array_get(sups, i);
        if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0) {
            return s;
        }
    }
    fail_msg("no report row for %s", name);
    return NULL;
}

/* The supplier supersedes fx.a with fx.a2 (shared with its readers), then fx.a2 with fx.a3 (not
 * shared). Made once, by the first case that needs it, so that every case also runs alone. */
static void
given_superseded(void)
{
    char path[PATH_MAX];
    th_result r;
    json_t *root, *row, *sb;
    if (!th_given(&fx.superseded, "superseding the shared assessment twice")) {
        return;
    }
    given_shared();

    snprintf(path, sizeof path, "%s/answers-2.json", fx.w.root);
    answers_file(fx.sup, fx.r1, "partly", path);
    /* Without --supersedes a second assessment of the same questionnaire stays beside the
     * first; answer says so. Another supplier cannot supersede this one. */
    th_ticsx(&r, &fx.w.hub, fx.sup2, "answer", fx.r1, "--file", path, "--supersedes", fx.a, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "only its author may supersede");
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.r1, "--file", path, "--supersedes", fx.a, NULL);
    th_expect_status(&r, 0);
    memcpy(fx.a2, r.out, 64);
    /* Buyer 1 asked (granted as requester); buyers 2 and 3 held the old one. */
    th_expect_text(r.err, "granted to 2 more readers");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.r1, "--file", path, "--supersedes", fx.a, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "already superseded");
    th_result_free(&r);

    const char *homes[] = {fx.b1, fx.b2, fx.b3};
    for (size_t i = 0; i < 3; i++) {
        th_ticsx(&r, &fx.w.hub, homes[i], "fetch", NULL);
        th_expect_status(&r, 0);
        th_result_free(&r);
        row = report_row_of(homes[i], SUP, &root);
        assert_string_equal(json_string_value(json_object_get(row, "assessment")), fx.a2);
        assert_true(json_is_null(json_object_get(row, "superseded_by")));
        json_decref(root);
        /* The old one is not current (exit 1), though the newer one is shared. */
        th_ticsx(&r, &fx.w.hub, homes[i], "--json", "verify", fx.a, NULL);
        th_expect_status(&r, 1);
        th_expect_text(r.out, "\"superseded\"");
        th_expect_text(r.out, "newer assessment available");
        th_result_free(&r);
    }

    /* Superseded again, this time not shared with the old readers: they learn it exists. */
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.r1, "--file", path, "--supersedes", fx.a2,
             "--no-regrant", NULL);
    th_expect_status(&r, 0);
    memcpy(fx.a3, r.out, 64);
    th_expect_text(r.err, "granted to 0 more readers");
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.b2, "fetch", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    row = report_row_of(fx.b2, SUP, &root);
    assert_string_equal(json_string_value(json_object_get(row, "assessment")), fx.a2);
    sb = json_object_get(row, "superseded_by");
    assert_true(json_is_object(sb));
    assert_string_equal(json_string_value(json_object_get(sb, "assessment")), fx.a3);
    assert_true(json_is_false(json_object_get(sb, "shared")));
    json_decref(root);
    th_ticsx(&r, &fx.w.hub, fx.b2, "report", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "superseded by a newer assessment not shared with you");
    th_result_free(&r);
    /* Buyer 1 (the requester) has the newest. */
    th_ticsx(&r, &fx.w.hub, fx.b1, "fetch", NULL);
    th_result_free(&r);
    row = report_row_of(fx.b1, SUP, &root);
    assert_string_equal(json_string_value(json_object_get(row, "assessment")), fx.a3);
    json_decref(root);
    th_given_made(&fx.superseded);
}

static void
test_supersede(void **state)
{
    (void)state;
    given_superseded();
}

/* The supplier grants `aid` to the buyer at `home` with the library, as a supplier would that
 * skips its own client's checks. */
static void
grant_by_library(const char *sup_home, const char *aid_hex, const char *home)
{
    uint8_t aid[TX_ID_LEN], *key = sodium_malloc(TX_CONTENT_KEY_LEN), *env;
    tx_client *sc = client_of(sup_home);
    tx_pubkey pb;
    uint64_t seq;
    size_t len;

    assert_int_equal(tx_unhex(aid, TX_ID_LEN, aid_hex), TX_OK);
    assert_int_equal(tx_home_key_get(tx_client_home(sc), aid, key), TX_OK);
    pubkey_of(home, &pb);
    assert_int_equal(tx_seq_take(sup_home, 1, &seq), TX_OK);
    env = make_grant(sc, seq, aid, &pb, &pb, key, &len);
    assert_int_equal(tx_rpc_submit(sc, 1, &env, &len), TX_OK);
    free(env);
    sodium_free(key);
    tx_client_destroy(&sc);
}

/* `verify aid` at home exits 1 and says it is superseded by `by` (JSON and table alike). */
static void
expect_superseded(const char *home, const char *aid, const char *by)
{
    char by12[13];
    th_result r;
    json_t *j, *v;

    snprintf(by12, sizeof by12, "%.12s", by);
    th_ticsx(&r, &fx.w.hub, home, "fetch", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, home, "--json", "verify", aid, NULL);
    th_expect_status(&r, 1);
    j = th_parse_json(r.out);
    v = json_array_get(json_object_get(j, "assessments"), 0);
    assert_string_equal(json_string_value(json_object_get(v, "status")), "superseded");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(v, "superseded_by"), "assessment")), by);
    th_expect_text(json_string_value(json_object_get(v, "reason")), by12);
    th_expect_text(json_string_value(json_object_get(v, "reason")), SUP2);
    json_decref(j);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, home, "verify", aid, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "superseded by");
    th_expect_text(r.out, by12);
    th_result_free(&r);
}

/* The attack: a supplier answers well, supersedes it with a worse answer without sharing that,
 * then grants the old, better one to a new buyer. The new buyer must learn from the hub that
 * it is superseded, by which assessment and when; also after a chain old <- mid <- newest, and
 * whenever the grant is made. The supplier's own client refuses such a grant. */
static void
test_superseded_is_never_current(void **state)
{
    char path[PATH_MAX], good[65], mid[65], newest[65], want[80];
    th_result r;
    json_t *root, *row;
    (void)state;

    given_shared();

    snprintf(path, sizeof path, "%s/answers-sup2-yes.json", fx.w.root);
    answers_file(fx.sup2, fx.r1, "yes", path);
    th_ticsx_id(good, &fx.w.hub, fx.sup2, "answer", fx.r1, "--file", path, NULL);
    snprintf(path, sizeof path, "%s/answers-sup2-no.json", fx.w.root);
    answers_file(fx.sup2, fx.r1, "no", path);
    th_ticsx_id(mid, &fx.w.hub, fx.sup2, "answer", fx.r1, "--file", path, "--supersedes", good,
                "--no-regrant", NULL);

    /* Granted by a client that skips the check: buyer 2 is told by the hub. */
    grant_by_library(fx.sup2, good, fx.b2);
    expect_superseded(fx.b2, good, mid);
    row = report_row_of(fx.b2, SUP2, &root);
    assert_string_equal(json_string_value(json_object_get(row, "assessment")), good);
    assert_string_equal(json_string_value(json_object_get(row, "status")), "superseded");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(row, "superseded_by"), "assessment")),
        mid);
    json_decref(root);
    th_ticsx(&r, &fx.w.hub, fx.b2, "report", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "superseded: superseded by");
    th_result_free(&r);
    /* The supplier's own client refuses, pointing to the newer one and the command. */
    th_ticsx(&r, &fx.w.hub, fx.sup2, "grant", good, "--to", B3, NULL);
    th_expect_status(&r, 2);
    snprintf(want, sizeof want, "superseded by %.12s", mid);
    th_expect_text(r.err, want);
    snprintf(want, sizeof want, "ticsx grant %.12s --to", mid);
    th_expect_text(r.err, want);
    th_result_free(&r);

    /* A chain: newest supersedes mid. The requester (granted good when it answered), buyer 2
     * (granted after mid) and buyer 3 (granted good after newest) all see newest. */
    th_ticsx_id(newest, &fx.w.hub, fx.sup2, "answer", fx.r1, "--file", path, "--supersedes", mid,
                "--no-regrant", NULL);
    th_ticsx(&r, &fx.w.hub, fx.sup2, "grant", good, "--to", B3, NULL);
    th_expect_status(&r, 2);
    snprintf(want, sizeof want, "superseded by %.12s", newest);
    th_expect_text(r.err, want);
    th_result_free(&r);
    grant_by_library(fx.sup2, good, fx.b3);
    expect_superseded(fx.b3, good, newest);
    expect_superseded(fx.b2, good, newest);
    expect_superseded(fx.b1, good, newest);
}

/* A ticsx run in the background, its output going to files. */
typedef struct {
    pid_t pid;
    char out[PATH_MAX], err[PATH_MAX];
} bg;

/* Starts `ticsx --home HOME ARGS...` in the background as b, named name. */
static void
bg_start(bg *b, const char *name, const char *home, ...)
{
    const th_ticsx_opts opts = {.hub = &fx.w.hub};
    va_list ap;

    snprintf(b->out, sizeof b->out, "%s/%s.out", fx.w.root, name);
    snprintf(b->err, sizeof b->err, "%s/%s.err", fx.w.root, name);
    va_start(ap, home);
    b->pid = th_ticsx_spawn_v(&opts, b->out, b->err, home, ap);
    va_end(ap);
}

/* Waits until `path` holds `text`; returns the ms it took, or -1 after timeout_ms. */
static int64_t
wait_text(const char *path, const char *text, int64_t timeout_ms)
{
    int64_t t0 = th_now_ms();

    while (th_now_ms() - t0 < timeout_ms) {
        if (access(path, R_OK) == 0) {
            char *s = th_read_file(path);
            int found = strstr(s, text) != NULL;
            free(s);
            if (found) {
                return th_now_ms() - t0;
            }
        }
        usleep(20000);
    }
    return -1;
}

/* Waits for the process to exit (at most timeout_ms); returns its exit status. */
static int
bg_wait(bg *b, int64_t timeout_ms)
{
    int64_t t0 = th_now_ms();
    int status = 0;

    while (waitpid(b->pid, &status, WNOHANG) != b->pid) {
        if (th_now_ms() - t0 > timeout_ms) {
            kill(b->pid, SIGKILL);
            waitpid(b->pid, &status, 0);
            fail_msg("a background ticsx did not exit in time; see %s", b->err);
        }
        usleep(20000);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void
test_watch_gets_the_grant_pushed(void **state)
{
    int wrapped = getenv("TX_TEST_CLIENT_WRAPPER") != NULL;
    int64_t up = wrapped ? 60000 : 15000, bound = wrapped ? 20000 : 5000, took;
    char prefix[13], *out;
    bg w, o;
    th_result r;
    (void)state;

    given_superseded();

    /* Both look at their inbox first, so only what comes next is new. */
    th_ticsx(&r, &fx.w.hub, fx.b3, "inbox", NULL);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.outsider, "inbox", NULL);
    th_result_free(&r);
    bg_start(&w, "watch-b3", fx.b3, "watch", "--count", "1", "--for", wrapped ? "120" : "30",
             NULL);
    bg_start(&o, "watch-outsider", fx.outsider, "watch", "--count", "1", "--for",
             wrapped ? "40" : "6", NULL);
    assert_true(wait_text(w.err, "watching", up) >= 0);
    assert_true(wait_text(o.err, "watching", up) >= 0);

    th_ticsx(&r, &fx.w.hub, fx.sup, "-q", "grant", fx.a3, "--to", B3, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    took = wait_text(w.out, "grant", bound);
    print_message("grant shown by the watcher %lld ms after the grant command returned\n",
                  (long long)took);
    assert_true(took >= 0);
    assert_int_equal(bg_wait(&w, up), 0);
    out = th_read_file(w.out);
    memcpy(prefix, fx.a3, 12);
    prefix[12] = 0;
    th_expect_text(out, prefix);
    th_expect_text(out, SUP);
    free(out);

    /* The outsider may not see that grant: it gets nothing and says so. */
    assert_int_equal(bg_wait(&o, up + 60000), 1);
    out = th_read_file(o.out);
    assert_string_equal(out, "");
    free(out);
    out = th_read_file(o.err);
    th_expect_text(out, "0 of 1 record arrived");
    free(out);

    /* A revocation arrives the same way, here as one JSON line. */
    bg_start(&w, "watch-b3-json", fx.b3, "--json", "watch", "--count", "1", "--for",
             wrapped ? "120" : "30", NULL);
    usleep(wrapped ? 5000 * 1000 : 500 * 1000);
    th_ticsx(&r, &fx.w.hub, fx.sup, "-q", "revoke", fx.a3, "--from", B3, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    assert_int_equal(bg_wait(&w, up), 0);
    out = th_read_file(w.out);
    json_t *j = th_parse_json(out);
    assert_string_equal(json_string_value(json_object_get(j, "kind")), "revocation");
    /* The revocation covers the whole line: the first pushed may be of an older version. */
    const char *revoked = json_string_value(json_object_get(j, "assessment"));
    assert_true(strcmp(revoked, fx.a3) == 0 || strcmp(revoked, fx.a2) == 0 ||
                strcmp(revoked, fx.a) == 0);
    memcpy(prefix, revoked, 12);
    json_decref(j);
    free(out);
    /* What the watch showed, inbox does not show again (the other versions' revocations it
     * does). */
    th_ticsx(&r, &fx.w.hub, fx.b3, "inbox", NULL);
    th_expect_status(&r, 0);
    assert_null(strstr(r.out, prefix));
    th_result_free(&r);
}

static void
test_bad_sub_supplier_key(void **state)
{
    char path[PATH_MAX];
    th_result r;
    json_t *j;
    (void)state;

    given_shared();

    snprintf(path, sizeof path, "%s/answers-bad.json", fx.w.root);
    answers_file(fx.sup, fx.r1, "yes", path);
    j = json_load_file(path, 0, NULL);
    json_object_set_new(j, "suppliers", json_pack("[{s:s,s:s}]", "name", "X", "key", "SHA256:no"));
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.r1, "--file", path, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "suppliers[0] (X)");
    th_result_free(&r);
    j = json_load_file(path, 0, NULL);
    json_object_set_new(j, "suppliers", json_pack("[{s:s}]", "supplies", "no name"));
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    th_ticsx(&r, &fx.w.hub, fx.sup, "answer", fx.r1, "--file", path, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "needs a name");
    th_result_free(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_once_share_with_three),
        cmocka_unit_test(test_hub_holds_no_answer_text),
        cmocka_unit_test(test_reuse_needs_the_same_questionnaire),
        cmocka_unit_test(test_outsider_can_neither_fetch_nor_decrypt),
        cmocka_unit_test(test_wrong_key_foreign_grant_truncated_ciphertext),
        cmocka_unit_test(test_revoke_then_regrant),
        cmocka_unit_test(test_grant_until),
        cmocka_unit_test(test_supersede),
        cmocka_unit_test(test_watch_gets_the_grant_pushed),
        cmocka_unit_test(test_bad_sub_supplier_key),
        cmocka_unit_test(test_superseded_is_never_current),
    };

    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* Hostile bytes against the real ticsx-hub: a table of bad inputs (truncated, oversize,
 * duplicated fields, unknown fields inside signed payloads, invalid UTF-8 and an embedded NUL,
 * out-of-range enums, a payload of the wrong kind under a valid signature, and bad wire calls).
 * Each gets its named error in the reply; the hub stays up and keeps serving another client
 * all along; nothing is stored. Run it under valgrind with TX_TEST_HUB_WRAPPER. */
#include "faults_util.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"
#include "tx_util.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include <cmocka.h>

#define TIMEOUT_MS 20000 /* generous: the hub may run under valgrind */

/* ---- a few protobuf wire-format writers, for bytes protobuf-c would never make ---- */

typedef struct {
    uint8_t *p;
    size_t n, cap;
} wbuf;

static void
put(wbuf *b, const void *data, size_t len)
{
    if (b->n + len > b->cap) {
        b->cap = (b->n + len) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    if (len > 0) {
        memcpy(b->p + b->n, data, len);
    }
    b->n += len;
}

static void
put_varint(wbuf *b, uint64_t v)
{
    uint8_t x;

    do {
        x = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v != 0) {
            x |= 0x80;
        }
        put(b, &x, 1);
    } while (v != 0);
}

static void
put_len(wbuf *b, unsigned field, const void *data, size_t len)
{
    put_varint(b, (uint64_t)field << 3 | 2);
    put_varint(b, len);
    put(b, data, len);
}

static void
put_num(wbuf *b, unsigned field, uint64_t v)
{
    put_varint(b, (uint64_t)field << 3);
    put_varint(b, v);
}

/* An envelope as bytes: type, payload, signer key, signature; `extra` is appended as is. */
static wbuf
envelope(const char *type, const uint8_t *payload, size_t plen, const uint8_t *key, size_t klen,
         const uint8_t *sig, const wbuf *extra)
{
    wbuf b = {0};

    put_len(&b, 1, type, strlen(type));
    put_len(&b, 2, payload, plen);
    put_len(&b, 3, key, klen);
    put_len(&b, 4, sig, TX_SIG_LEN);
    if (extra != NULL) {
        put(&b, extra->p, extra->n);
    }
    return b;
}

/* An envelope of `payload` under `type`, signed correctly by id. */
static wbuf
signed_as(const tx_identity *id, const char *type, const uint8_t *payload, size_t plen)
{
    uint8_t sig[TX_SIG_LEN];
    uint8_t *pae;
    size_t pae_len;

    assert_int_equal(tx_pae(type, payload, plen, &pae, &pae_len), TX_OK);
    crypto_sign_detached(sig, NULL, pae, pae_len, id->sec->sign);
    free(pae);
    return envelope(type, payload, plen, id->pub.sign, TX_KEY_LEN, sig, NULL);
}

/* A questionnaire payload with the given id ("" leaves the field out). */
static wbuf
questionnaire(const char *qid, uint64_t seq)
{
    wbuf b = {0};
    size_t len;
    uint8_t *bytes = th_questionnaire_payload(qid, seq, &len);

    put(&b, bytes, len);
    free(bytes);
    return b;
}

static wbuf
packed(const ProtobufCMessage *m)
{
    wbuf b = {0};
    uint8_t *p;
    size_t len;

    assert_int_equal(tx_pack(m, &p, &len), TX_OK);
    put(&b, p, len);
    free(p);
    return b;
}

/* ---- the hub, and a member that keeps being served meanwhile ---- */

typedef struct {
    char *root;
    char dir[PATH_MAX];
    th_hub hub;
    tx_identity *buyer, *supplier;
    uint8_t known[32];   /* a stored questionnaire the other member keeps fetching */
    fu_member bystander; /* the other member, fetching `known` throughout */
} fx;

static const char *
type_of(int kind)
{
    return tx_kind_payload_type(kind);
}

static int
setup(void **state)
{
    fx *f;
    tx_conn *c;
    size_t len;
    uint8_t *q;

    th_require_hub_bin();
    f = calloc(1, sizeof *f);
    f->root = th_tmpdir();
    snprintf(f->dir, sizeof f->dir, "%s/hub", f->root);
    th_hub_init(f->dir);
    f->buyer = th_identity("Buyer Motors KK");
    f->supplier = th_identity("Supplier Parts KK");
    assert_int_equal(th_enroll(f->dir, f->buyer, 1, NULL, 0), 0);
    assert_int_equal(th_enroll(f->dir, f->supplier, 1, NULL, 0), 0);
    th_hub_start(&f->hub, f->dir, NULL);
    c = th_connect(&f->hub, f->buyer, TIMEOUT_MS);
    q = th_questionnaire(f->buyer, 2, &len);
    tx_record_id(q, len, f->known);
    assert_int_equal(th_submit_status(c, q, len, NULL), TICSX__V1__STATUS__OK);
    free(q);
    tx_conn_destroy(&c);
    /* The other member fetches the known record over and over while the bad inputs arrive. */
    fu_member_start(&f->bystander, &f->hub, f->supplier, f->known, TIMEOUT_MS, 2000);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fx *f = *state;
    int exit_status;

    fu_member_stop(&f->bystander);
    fprintf(stderr, "# meanwhile the other member was served %u times (worst %lld ms), %u failed\n",
            atomic_load(&f->bystander.served), atomic_load(&f->bystander.worst_ms),
            atomic_load(&f->bystander.failed));
    /* A clean exit after all of it (and, under valgrind, no errors and no leaks). */
    exit_status = th_hub_stop(&f->hub, SIGTERM);
    tx_identity_destroy(&f->buyer);
    tx_identity_destroy(&f->supplier);
    th_rmtree(f->root);
    free(f->root);
    assert_int_equal(exit_status, 0);
    assert_int_equal(atomic_load(&f->bystander.failed), 0);
    assert_true(atomic_load(&f->bystander.served) > 0);
    free(f);
    return 0;
}

/* ---- bad records: submitted with a valid call ---- */

typedef struct {
    const char *name;
    wbuf env;
    int status;       /* expected reply status */
    const char *says; /* expected in the reply's message */
} bad_record;

static void
test_bad_records(void **state)
{
    fx *f = *state;
    const tx_identity *b = f->buyer;
    const char *qtype = type_of(TX_KIND_QUESTIONNAIRE);
    uint8_t zero_sig[TX_SIG_LEN] = {0};
    bad_record cases[16];
    size_t n = 0;
    uint64_t before = fu_last_index(f->dir);
    tx_conn *c = th_connect(&f->hub, b, TIMEOUT_MS);
    wbuf p, x = {0};

    /* Truncated: a valid envelope cut in half, and a signed payload cut in half. */
    p = questionnaire("q-truncated", 10);
    cases[n] = (bad_record){"truncated envelope", signed_as(b, qtype, p.p, p.n),
                            TICSX__V1__STATUS__BAD_REQUEST, "envelope does not decode"};
    cases[n++].env.n /= 2;
    cases[n++] =
        (bad_record){"truncated payload, valid signature", signed_as(b, qtype, p.p, p.n / 2),
                     TICSX__V1__STATUS__BAD_REQUEST, "questionnaire payload does not decode"};
    free(p.p);

    /* Oversize: an envelope past TX_MAX_ENVELOPE (the call itself still fits), and a string
     * past TX_MAX_STRING inside a signed payload. */
    {
        size_t big = TX_MAX_ENVELOPE;
        uint8_t *zeros = calloc(1, big);

        cases[n++] = (bad_record){"oversize envelope",
                                  envelope(qtype, zeros, big, b->pub.sign, 32, zero_sig, NULL),
                                  TICSX__V1__STATUS__TOO_LARGE, "exceeds the 1048576-byte limit"};
        free(zeros);
    }
    {
        char *long_id = malloc(TX_MAX_STRING + 2);

        memset(long_id, 'a', TX_MAX_STRING + 1);
        long_id[TX_MAX_STRING + 1] = 0;
        p = questionnaire(long_id, 11);
        cases[n++] = (bad_record){"oversize string, valid signature", signed_as(b, qtype, p.p, p.n),
                                  TICSX__V1__STATUS__TOO_LARGE, "field 2 (id): string too long"};
        free(p.p);
        free(long_id);
    }

    /* Duplicated fields: inside the signed payload, and in the envelope around it. */
    p = questionnaire("q-dup", 12);
    put_len(&p, 2, "q-dup-again", 11);
    cases[n++] = (bad_record){"duplicated field, valid signature", signed_as(b, qtype, p.p, p.n),
                              TICSX__V1__STATUS__BAD_REQUEST, "field 2 (id): field appears twice"};
    free(p.p);
    p = questionnaire("q-dup-type", 13);
    cases[n] = (bad_record){"duplicated envelope field", signed_as(b, qtype, p.p, p.n),
                            TICSX__V1__STATUS__BAD_REQUEST, "(payload_type): field appears twice"};
    put_len(&cases[n++].env, 1, qtype, strlen(qtype));
    free(p.p);

    /* Unknown fields: inside the signed payload, and in the envelope. */
    p = questionnaire("q-unknown", 14);
    put_num(&p, 99, 1);
    cases[n++] = (bad_record){"unknown field, valid signature", signed_as(b, qtype, p.p, p.n),
                              TICSX__V1__STATUS__BAD_REQUEST, "unknown field 99 in Questionnaire"};
    free(p.p);
    p = questionnaire("q-unknown-env", 15);
    cases[n] = (bad_record){"unknown envelope field", signed_as(b, qtype, p.p, p.n),
                            TICSX__V1__STATUS__BAD_REQUEST, "unknown field 9 in Envelope"};
    put_num(&cases[n++].env, 9, 1);
    free(p.p);

    /* Strings: invalid UTF-8, and an embedded NUL, under valid signatures. */
    p = questionnaire("", 16);
    put_len(&p, 2, "q-\xff\xfe", 4);
    cases[n++] = (bad_record){"invalid utf-8, valid signature", signed_as(b, qtype, p.p, p.n),
                              TICSX__V1__STATUS__BAD_REQUEST, "invalid utf-8 or embedded nul"};
    free(p.p);
    p = questionnaire("", 17);
    put_len(&p, 2, "q-\0-nul", 7);
    cases[n++] = (bad_record){"embedded nul, valid signature", signed_as(b, qtype, p.p, p.n),
                              TICSX__V1__STATUS__BAD_REQUEST, "invalid utf-8 or embedded nul"};
    free(p.p);

    /* An out-of-range enum in a signed certificate event. */
    {
        tx_meta_pb meta = TICSX__V1__META__INIT;
        tx_cert_event_pb e = TICSX__V1__CERTIFICATE_EVENT__INIT;

        meta.seq = 18;
        e.meta = &meta;
        e.certificate.data = f->known;
        e.certificate.len = 32;
        e.kind = (Ticsx__V1__CertEventKind)99;
        p = packed(&e.base);
        cases[n++] = (bad_record){"out-of-range enum, valid signature",
                                  signed_as(b, type_of(TX_KIND_CERT_EVENT), p.p, p.n),
                                  TICSX__V1__STATUS__BAD_REQUEST, "enum value out of range"};
        free(p.p);
    }

    /* The wrong kind under a valid signature: a request's bytes signed as a questionnaire; a
     * type the hub does not know; the plaintext assessment that must never be stored. */
    {
        tx_meta_pb meta = TICSX__V1__META__INIT;
        tx_request_pb r = TICSX__V1__REQUEST__INIT;
        ProtobufCBinaryData sup = {32, f->supplier->pub.sign};

        meta.seq = 19;
        r.meta = &meta;
        r.questionnaire.data = f->known;
        r.questionnaire.len = 32;
        r.n_suppliers = 1;
        r.suppliers = &sup;
        p = packed(&r.base);
        cases[n++] =
            (bad_record){"request bytes signed as a questionnaire", signed_as(b, qtype, p.p, p.n),
                         TICSX__V1__STATUS__BAD_REQUEST, "questionnaire payload does not decode"};
        cases[n++] = (bad_record){"unknown payload type",
                                  signed_as(b, "application/vnd.ticsx.bogus.v1", p.p, p.n),
                                  TICSX__V1__STATUS__BAD_REQUEST, "unknown payload type"};
        cases[n++] = (bad_record){
            "plaintext assessment", signed_as(b, type_of(TX_KIND_INNER_ASSESSMENT), p.p, p.n),
            TICSX__V1__STATUS__BAD_REQUEST, "a plaintext assessment is never"};
        free(p.p);
    }

    /* A signer key of the wrong length, and a signature by another key. */
    p = questionnaire("q-key", 20);
    cases[n++] =
        (bad_record){"short signer key", envelope(qtype, p.p, p.n, b->pub.sign, 31, zero_sig, NULL),
                     TICSX__V1__STATUS__BAD_REQUEST, "envelope does not decode"};
    x = signed_as(f->supplier, qtype, p.p, p.n);
    cases[n++] =
        (bad_record){"signature of another key",
                     envelope(qtype, p.p, p.n, b->pub.sign, 32, x.p + x.n - TX_SIG_LEN, NULL),
                     TICSX__V1__STATUS__BAD_SIGNATURE, "signature does not verify"};
    free(x.p);
    free(p.p);
    assert_true(n <= TX_ARRAY_LEN(cases));

    for (size_t i = 0; i < n; i++) {
        tx_reply_pb *r = NULL;
        uint8_t id[32];
        uint8_t *env = NULL;
        size_t len = 0;

        assert_int_equal(tx_conn_submit(c, cases[i].env.p, cases[i].env.n, &r), TX_OK);
        fprintf(stderr, "# %-42s -> %s: %s\n", cases[i].name, tx_status_name(r->status),
                r->message);
        assert_int_equal(r->status, cases[i].status);
        assert_non_null(strstr(r->message, cases[i].says));
        assert_null(r->receipt);
        tx_free(r);
        /* Not stored under its id either. */
        tx_record_id(cases[i].env.p, cases[i].env.n, id);
        assert_int_equal(tx_conn_get(c, id, &env, &len), TX_ERR_NOT_FOUND);
        free(env);
        free(cases[i].env.p);
    }
    assert_true(th_hub_alive(&f->hub));
    assert_int_equal(fu_last_index(f->dir), before);
    /* The refusals used no sequence number: the genuine record at seq 3 still goes in. */
    {
        size_t len;
        uint8_t *q = th_questionnaire(b, 3, &len);

        assert_int_equal(th_submit_status(c, q, len, NULL), TICSX__V1__STATUS__OK);
        free(q);
    }
    assert_int_equal(fu_last_index(f->dir), before + 1);
    tx_conn_destroy(&c);
}

/* ---- bad calls: raw frames from an enrolled member ---- */

typedef struct {
    const char *name;
    wbuf frame;
    int two_frames; /* sent as two frames */
    uint64_t id;    /* the call id the reply must carry */
    int status;
    const char *says;
} bad_call;

static void
test_bad_calls(void **state)
{
    fx *f = *state;
    void *ctx = zmq_ctx_new();
    void *s = th_raw_dealer(&f->hub, ctx, f->buyer, TIMEOUT_MS);
    uint64_t before = fu_last_index(f->dir);
    bad_call cases[10];
    size_t n = 0;
    wbuf inner = {0};
    uint8_t *buf = malloc(TX_MAX_REPLY);

    /* list { kind: 77 } */
    put_num(&inner, 1, 77);
    cases[n] =
        (bad_call){"out-of-range enum in a call",    {0}, 0, 101, TICSX__V1__STATUS__BAD_REQUEST,
                   "(kind): enum value out of range"};
    put_num(&cases[n].frame, 1, 101);
    put_len(&cases[n++].frame, 4, inner.p, inner.n);
    free(inner.p);

    cases[n] = (bad_call){
        "call id twice", {0}, 0, 102, TICSX__V1__STATUS__BAD_REQUEST, "(id): field appears twice"};
    put_num(&cases[n].frame, 1, 102);
    put_num(&cases[n].frame, 1, 103);
    put_num(&cases[n++].frame, 5, 1);

    cases[n] = (bad_call){"unknown field in a call", {0}, 0, 104, TICSX__V1__STATUS__BAD_REQUEST,
                          "unknown field 15 in Call"};
    put_num(&cases[n].frame, 1, 104);
    put_num(&cases[n++].frame, 15, 1);

    cases[n] = (bad_call){"two bodies of one oneof", {0}, 0, 105, TICSX__V1__STATUS__BAD_REQUEST,
                          "two members of one oneof"};
    put_num(&cases[n].frame, 1, 105);
    put_num(&cases[n].frame, 5, 1);
    put_len(&cases[n++].frame, 3, f->known, 32);

    cases[n] = (bad_call){"truncated submit",        {0}, 0, 106, TICSX__V1__STATUS__BAD_REQUEST,
                          "length runs past the end"};
    put_num(&cases[n].frame, 1, 106);
    put_varint(&cases[n].frame, 2 << 3 | 2);
    put_varint(&cases[n].frame, 5000);
    put(&cases[n++].frame, "short", 5);

    cases[n] = (bad_call){"empty envelope",        {0}, 0, 107, TICSX__V1__STATUS__BAD_REQUEST,
                          "submit: empty envelope"};
    put_num(&cases[n].frame, 1, 107);
    put_len(&cases[n++].frame, 2, "", 0);

    cases[n] =
        (bad_call){"record id of 5 bytes",          {0}, 0, 108, TICSX__V1__STATUS__BAD_REQUEST,
                   "get: record id is not 32 bytes"};
    inner = (wbuf){0};
    put_len(&inner, 1, "12345", 5);
    put_num(&cases[n].frame, 1, 108);
    put_len(&cases[n++].frame, 3, inner.p, inner.n);
    free(inner.p);

    cases[n] = (bad_call){"list without a kind",     {0}, 0, 109, TICSX__V1__STATUS__BAD_REQUEST,
                          "list: a kind is required"};
    put_num(&cases[n].frame, 1, 109);
    put_len(&cases[n++].frame, 4, "", 0);

    cases[n] = (bad_call){"a call in two frames", {0}, 1, 110, TICSX__V1__STATUS__BAD_REQUEST,
                          "a call is one frame"};
    put_num(&cases[n].frame, 1, 110);
    put_num(&cases[n++].frame, 5, 1);
    assert_true(n <= TX_ARRAY_LEN(cases));

    for (size_t i = 0; i < n; i++) {
        tx_reply_pb *r = NULL;
        int got;

        if (cases[i].two_frames) {
            assert_true(zmq_send(s, cases[i].frame.p, cases[i].frame.n, ZMQ_SNDMORE) >= 0);
            assert_true(zmq_send(s, "more", 4, 0) >= 0);
        } else {
            assert_true(zmq_send(s, cases[i].frame.p, cases[i].frame.n, 0) >= 0);
        }
        got = zmq_recv(s, buf, TX_MAX_REPLY, 0);
        assert_true(got > 0);
        assert_int_equal(tx_decode_reply(buf, (size_t)got, &r), TX_OK);
        fprintf(stderr, "# %-42s -> %s: %s\n", cases[i].name, tx_status_name(r->status),
                r->message);
        assert_int_equal(r->id, cases[i].id);
        assert_int_equal(r->status, cases[i].status);
        assert_non_null(strstr(r->message, cases[i].says));
        tx_free(r);
        free(cases[i].frame.p);
    }
    /* Bytes without a readable call id cannot be answered: dropped, and the hub goes on. */
    assert_true(zmq_send(s, "\xff\xff\xff", 3, 0) >= 0);
    assert_int_equal(fu_ping(&f->hub, f->buyer, TIMEOUT_MS), TX_OK);
    assert_true(th_hub_alive(&f->hub));
    assert_int_equal(fu_last_index(f->dir), before);
    free(buf);
    zmq_close(s);
    zmq_ctx_term(ctx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bad_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_calls, setup, teardown),
    };

    tx_log_level = TX_LOG_ERROR;
    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}

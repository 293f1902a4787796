/* Unit tests of proto/tx_codec, the one decoding layer for outside bytes. Inputs are built by
 * hand at the wire level, so every rule protobuf-c alone would let through is exercised:
 * size caps, truncation, wire types, unknown and duplicated fields, UTF-8, enum ranges, oneofs,
 * nesting, and each payload kind's required fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tx_codec.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* A growable byte string for hand-built messages. */
typedef struct {
    uint8_t *d;
    size_t n, cap;
} wbuf;

static void
put(wbuf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->d = realloc(b->d, b->cap);
        assert_non_null(b->d);
    }
    if (n > 0) {
        memcpy(b->d + b->n, p, n);
    }
    b->n += n;
}

static void
put_byte(wbuf *b, uint8_t c)
{
    put(b, &c, 1);
}

static void
put_varint(wbuf *b, uint64_t v)
{
    while (v >= 0x80) {
        put_byte(b, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put_byte(b, (uint8_t)v);
}

static void
put_tag(wbuf *b, uint32_t field, int wire)
{
    put_varint(b, ((uint64_t)field << 3) | (uint64_t)wire);
}

static void
put_len(wbuf *b, uint32_t field, const void *p, size_t n)
{
    put_tag(b, field, 2);
    put_varint(b, n);
    put(b, p, n);
}

static void
put_str(wbuf *b, uint32_t field, const char *s)
{
    put_len(b, field, s, strlen(s));
}

static void
put_uint(wbuf *b, uint32_t field, uint64_t v)
{
    put_tag(b, field, 0);
    put_varint(b, v);
}

static void
put_msg(wbuf *b, uint32_t field, const wbuf *m)
{
    put_len(b, field, m->d, m->n);
}

static void
wfree(wbuf *b)
{
    free(b->d);
    memset(b, 0, sizeof *b);
}

static const uint8_t key32[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t sig64[64] = {0x40};
static const char *const request_type = "application/vnd.ticsx.request.v1";

/* A structurally valid (unsigned) envelope: type, payload, key, signature. */
static void
put_envelope(wbuf *b, const char *type)
{
    put_str(b, 1, type);
    put_len(b, 2, "\x0a\x02\x08\x01", 4);
    put_len(b, 3, key32, 32);
    put_len(b, 4, sig64, 64);
}

static void
assert_detail_has(const char *what)
{
    if (strstr(tx_codec_detail(), what) == NULL) {
        fail_msg("tx_codec_detail() is \"%s\", expected it to mention \"%s\"", tx_codec_detail(),
                 what);
    }
}

/* Bytes of b, never NULL: an empty wbuf decodes as zero bytes at a real address. */
static const uint8_t *
bytes_of(const wbuf *b)
{
    static const uint8_t none[1];

    return b->d != NULL ? b->d : none;
}

static int
decode_env(const wbuf *b)
{
    tx_envelope_pb *env = (tx_envelope_pb *)&env;
    int rc = tx_decode_envelope(bytes_of(b), b->n, &env);

    if (rc == TX_OK) {
        assert_non_null(env);
        tx_free(env);
    } else {
        assert_null(env);
    }
    return rc;
}

static int
decode_call(const wbuf *b)
{
    tx_call_pb *c = (tx_call_pb *)&c;
    int rc = tx_decode_call(bytes_of(b), b->n, &c);

    if (rc == TX_OK) {
        assert_non_null(c);
        tx_free(c);
    } else {
        assert_null(c);
    }
    return rc;
}

static int
decode_reply(const wbuf *b)
{
    tx_reply_pb *r = (tx_reply_pb *)&r;
    int rc = tx_decode_reply(bytes_of(b), b->n, &r);

    if (rc == TX_OK) {
        assert_non_null(r);
        tx_free(r);
    } else {
        assert_null(r);
    }
    return rc;
}

static void
test_valid_envelope(void **state)
{
    wbuf b = {0};
    tx_envelope_pb *env;

    put_envelope(&b, request_type);
    assert_int_equal(tx_decode_envelope(b.d, b.n, &env), TX_OK);
    assert_string_equal(env->payload_type, request_type);
    assert_int_equal(env->payload.len, 4);
    assert_memory_equal(env->signer_key.data, key32, 32);
    tx_free(env);
    /* Fields in any order are fine. */
    wfree(&b);
    put_len(&b, 4, sig64, 64);
    put_len(&b, 3, key32, 32);
    put_len(&b, 2, "x", 1);
    put_str(&b, 1, request_type);
    assert_int_equal(decode_env(&b), TX_OK);
    wfree(&b);
}

static void
test_oversize(void **state)
{
    wbuf b = {0};
    uint8_t *big = calloc(1, TX_MAX_REPLY + 1);

    assert_non_null(big);
    /* Refused on size alone, before a single byte is parsed. */
    b.d = big;
    b.n = TX_MAX_ENVELOPE + 1;
    assert_int_equal(decode_env(&b), TX_ERR_TOO_LARGE);
    assert_detail_has("exceeds");
    b.n = TX_MAX_CALL + 1;
    assert_int_equal(decode_call(&b), TX_ERR_TOO_LARGE);
    b.n = TX_MAX_REPLY + 1;
    assert_int_equal(decode_reply(&b), TX_ERR_TOO_LARGE);
    free(big);

    /* An envelope of exactly the cap is not refused for its size: type (34 bytes), payload
     * (tag, three-byte length, filler), key (34), signature (66). */
    memset(&b, 0, sizeof b);
    size_t pad = TX_MAX_ENVELOPE - (34 + 1 + 3 + 34 + 66);
    uint8_t *filler = calloc(1, pad);
    assert_non_null(filler);
    put_str(&b, 1, request_type);
    put_len(&b, 2, filler, pad);
    put_len(&b, 3, key32, 32);
    put_len(&b, 4, sig64, 64);
    assert_int_equal(b.n, TX_MAX_ENVELOPE);
    assert_int_equal(decode_env(&b), TX_OK);
    free(filler);
    wfree(&b);

    /* A string over TX_MAX_STRING. */
    char *s = malloc(TX_MAX_STRING + 2);
    assert_non_null(s);
    memset(s, 'a', TX_MAX_STRING + 1);
    s[TX_MAX_STRING + 1] = 0;
    put_str(&b, 1, s);
    assert_int_equal(decode_env(&b), TX_ERR_TOO_LARGE);
    assert_detail_has("payload_type");
    free(s);
    wfree(&b);

    /* More repeated elements than TX_MAX_REPEATED. */
    wbuf q = {0};
    for (unsigned i = 0; i <= TX_MAX_REPEATED; i++) {
        put_len(&q, 3, key32, 32);
    }
    ProtobufCMessage *m;
    assert_int_equal(tx_decode(&ticsx__v1__request__descriptor, q.d, q.n, TX_MAX_ENVELOPE, &m),
                     TX_ERR_TOO_LARGE);
    assert_null(m);
    assert_detail_has("suppliers");
    wfree(&q);
}

static void
test_truncated(void **state)
{
    wbuf b = {0};

    /* Call.id varint whose last byte still says "more". */
    put_tag(&b, 1, 0);
    put_byte(&b, 0x80);
    assert_int_equal(decode_call(&b), TX_ERR_TRUNCATED);
    assert_detail_has("id");
    wfree(&b);

    put_tag(&b, 1, 0);
    put_byte(&b, 0xff);
    put_byte(&b, 0xff);
    assert_int_equal(decode_call(&b), TX_ERR_TRUNCATED);
    wfree(&b);

    /* A tag that stops halfway. */
    put_byte(&b, 0x80);
    assert_int_equal(decode_call(&b), TX_ERR_TRUNCATED);
    wfree(&b);

    /* A tag with no value after it. */
    put_tag(&b, 1, 0);
    assert_int_equal(decode_call(&b), TX_ERR_TRUNCATED);
    wfree(&b);

    /* A length with no bytes, and a length running past the end. */
    put_tag(&b, 2, 2);
    assert_int_equal(decode_env(&b), TX_ERR_TRUNCATED);
    wfree(&b);
    put_str(&b, 1, request_type);
    put_tag(&b, 2, 2);
    put_varint(&b, 10);
    put(&b, "abc", 3);
    assert_int_equal(decode_env(&b), TX_ERR_TRUNCATED);
    assert_detail_has("payload");
    assert_detail_has("past the end");
    wfree(&b);

    /* A length far past the end, near 2^64. */
    put_tag(&b, 2, 2);
    put_varint(&b, UINT64_MAX - 2);
    put(&b, "abc", 3);
    assert_int_equal(decode_env(&b), TX_ERR_TRUNCATED);
    wfree(&b);

    /* Every proper prefix of a valid envelope that cuts a field fails. */
    put_envelope(&b, request_type);
    for (size_t cut = 1; cut < b.n; cut++) {
        wbuf p = {b.d, cut, cut};
        int rc = decode_env(&p);
        assert_int_not_equal(rc, TX_OK);
    }
    wfree(&b);
}

static void
test_overlong_varint(void **state)
{
    wbuf b = {0};

    /* Eleven bytes: no 64-bit value is that long. */
    put_tag(&b, 1, 0);
    for (int i = 0; i < 10; i++) {
        put_byte(&b, 0x80);
    }
    put_byte(&b, 0x00);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    wfree(&b);

    /* Ten bytes whose last carries bits past 2^64. */
    put_tag(&b, 1, 0);
    for (int i = 0; i < 9; i++) {
        put_byte(&b, 0xff);
    }
    put_byte(&b, 0x02);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    wfree(&b);

    /* 2^64 - 1 itself is fine. */
    put_uint(&b, 1, UINT64_MAX);
    put_uint(&b, 5, 1);
    tx_call_pb *c;
    assert_int_equal(tx_decode_call(b.d, b.n, &c), TX_OK);
    assert_true(c->id == UINT64_MAX);
    tx_free(c);
    wfree(&b);
}

static void
test_wrong_wire_type(void **state)
{
    wbuf b = {0};

    /* Envelope.signer_key (bytes) sent as a varint. */
    put_str(&b, 1, request_type);
    put_uint(&b, 3, 1);
    assert_int_equal(decode_env(&b), TX_ERR_MALFORMED);
    assert_detail_has("signer_key");
    assert_detail_has("wrong wire type");
    wfree(&b);

    /* Call.id (varint) sent as fixed64, fixed32 and length-delimited. */
    static const int wires[] = {1, 2, 5};
    for (size_t i = 0; i < TX_ARRAY_LEN(wires); i++) {
        put_tag(&b, 1, wires[i]);
        put(&b, "\x01\x00\x00\x00\x00\x00\x00\x00", 8);
        assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
        assert_detail_has("field 1 (id)");
        wfree(&b);
    }

    /* Groups (wire types 3 and 4) and the undefined 6 and 7. */
    for (int wire = 3; wire <= 7; wire++) {
        if (wire == 5) {
            continue;
        }
        put_tag(&b, 1, wire);
        put_byte(&b, 0);
        assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
        wfree(&b);
    }

    /* A nested message sent as a varint. */
    put_uint(&b, 1, 1);
    put_uint(&b, 2, 5);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    assert_detail_has("submit");
    wfree(&b);
}

static void
test_unknown_field(void **state)
{
    wbuf b = {0};

    put_envelope(&b, request_type);
    put_uint(&b, 9, 1);
    assert_int_equal(decode_env(&b), TX_ERR_MALFORMED);
    assert_detail_has("unknown field 9");
    wfree(&b);

    /* Unknown inside a nested message. */
    wbuf sub = {0};
    put_len(&sub, 1, "env", 3);
    put_str(&sub, 7, "extra");
    put_uint(&b, 1, 1);
    put_msg(&b, 2, &sub);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    assert_detail_has("unknown field 7");
    wfree(&b);
    wfree(&sub);

    /* Field number 0 and past 2^29 - 1. */
    put_tag(&b, 0, 0);
    put_byte(&b, 1);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    wfree(&b);
    put_varint(&b, ((uint64_t)1 << 29) << 3);
    put_byte(&b, 1);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    wfree(&b);
}

static void
test_duplicate_field(void **state)
{
    wbuf b = {0};

    put_envelope(&b, request_type);
    put_str(&b, 1, request_type);
    assert_int_equal(decode_env(&b), TX_ERR_MALFORMED);
    assert_detail_has("payload_type");
    assert_detail_has("twice");
    wfree(&b);

    /* A scalar repeated: protobuf-c would silently keep the last one. */
    put_uint(&b, 1, 1);
    put_uint(&b, 1, 2);
    put_uint(&b, 5, 1);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    assert_detail_has("field 1 (id)");
    wfree(&b);

    /* Repeated fields may repeat. */
    wbuf req = {0}, meta = {0};
    put_uint(&meta, 1, 1);
    put_msg(&req, 1, &meta);
    put_len(&req, 2, key32, 32);
    put_len(&req, 3, key32, 32);
    put_len(&req, 3, key32, 32);
    ProtobufCMessage *m;
    assert_int_equal(tx_decode(&ticsx__v1__request__descriptor, req.d, req.n, TX_MAX_ENVELOPE, &m),
                     TX_OK);
    assert_int_equal(((tx_request_pb *)m)->n_suppliers, 2);
    tx_free(m);
    wfree(&req);
    wfree(&meta);
}

static void
test_bad_utf8(void **state)
{
    static const struct {
        const char *s;
        size_t n;
    } bad[] = {
        {"\xc3\x28", 2}, {"ab\0cd", 5},           {"\0", 1},          {"\xed\xa0\x80", 3},
        {"\xc0\xaf", 2}, {"\xf4\x90\x80\x80", 4}, {"app\xe6\x8a", 5},
    };
    wbuf b = {0};

    for (size_t i = 0; i < TX_ARRAY_LEN(bad); i++) {
        put_len(&b, 1, bad[i].s, bad[i].n);
        assert_int_equal(decode_env(&b), TX_ERR_BAD_UTF8);
        assert_detail_has("payload_type");
        wfree(&b);
    }

    /* Deep inside a payload: Questionnaire.items[0].text.ja. */
    wbuf text = {0}, item = {0}, q = {0};
    put_len(&text, 1, "\xe6\x8a\x80\xff", 4);
    put_str(&item, 1, "A1-01");
    put_msg(&item, 4, &text);
    put_msg(&q, 6, &item);
    ProtobufCMessage *m;
    assert_int_equal(
        tx_decode(&ticsx__v1__questionnaire__descriptor, q.d, q.n, TX_MAX_ENVELOPE, &m),
        TX_ERR_BAD_UTF8);
    assert_detail_has("ja");
    wfree(&text);
    wfree(&item);
    wfree(&q);

    /* Bytes fields carry anything, NUL included. */
    put_str(&b, 1, request_type);
    put_len(&b, 2, "\0\xff\0", 3);
    put_len(&b, 3, key32, 32);
    put_len(&b, 4, sig64, 64);
    assert_int_equal(decode_env(&b), TX_OK);
    wfree(&b);
}

static void
test_enum_and_ranges(void **state)
{
    wbuf b = {0};

    put_uint(&b, 1, 1);
    put_uint(&b, 2, 99);
    assert_int_equal(decode_reply(&b), TX_ERR_MALFORMED);
    assert_detail_has("status");
    assert_detail_has("enum");
    wfree(&b);

    /* Every defined status decodes; the one past the last does not. */
    uint64_t n_status = ticsx__v1__status__descriptor.n_values;
    assert_true(n_status >= 12);
    for (uint64_t st = 0; st <= n_status; st++) {
        put_uint(&b, 1, 1);
        put_uint(&b, 2, st);
        assert_int_equal(decode_reply(&b), st < n_status ? TX_OK : TX_ERR_MALFORMED);
        wfree(&b);
    }
    put_uint(&b, 2, (uint64_t)1 << 40);
    assert_int_equal(decode_reply(&b), TX_ERR_MALFORMED);
    wfree(&b);
    /* A negative enum value arrives as a ten-byte varint. */
    put_uint(&b, 2, (uint64_t)-1);
    assert_int_equal(decode_reply(&b), TX_ERR_MALFORMED);
    wfree(&b);

    /* ListRecords.kind out of range inside a Call. */
    wbuf list = {0};
    put_uint(&list, 1, ticsx__v1__kind__descriptor.n_values);
    put_uint(&b, 1, 1);
    put_msg(&b, 4, &list);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    assert_detail_has("kind");
    wfree(&b);
    wfree(&list);

    /* bool is 0 or 1. */
    put_uint(&b, 1, 1);
    put_uint(&b, 5, 2);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    assert_detail_has("ping");
    wfree(&b);

    /* uint32 fields take no more than 32 bits: ListRecords.limit. */
    put_uint(&list, 3, (uint64_t)UINT32_MAX + 1);
    put_uint(&b, 1, 1);
    put_msg(&b, 4, &list);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    assert_detail_has("limit");
    wfree(&b);
    wfree(&list);
    put_uint(&list, 3, UINT32_MAX);
    put_uint(&b, 1, 1);
    put_msg(&b, 4, &list);
    assert_int_equal(decode_call(&b), TX_OK);
    wfree(&b);
    wfree(&list);
}

static void
test_call_bodies(void **state)
{
    wbuf b = {0}, sub = {0};

    /* Two members of the one oneof. */
    put_len(&sub, 1, "env", 3);
    put_uint(&b, 1, 1);
    put_msg(&b, 2, &sub);
    put_uint(&b, 5, 1);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    assert_detail_has("oneof");
    wfree(&b);

    /* Submit then Get, Get then List: any two. */
    put_uint(&b, 1, 1);
    put_len(&b, 3, "", 0);
    put_len(&b, 4, "", 0);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    wfree(&b);

    /* One member twice. */
    put_uint(&b, 1, 1);
    put_uint(&b, 5, 1);
    put_uint(&b, 5, 1);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    wfree(&b);

    /* No body at all. */
    put_uint(&b, 1, 1);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    assert_detail_has("no body");
    wfree(&b);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);

    /* Each body alone. */
    tx_call_pb *c;
    put_uint(&b, 1, 42);
    put_msg(&b, 2, &sub);
    assert_int_equal(tx_decode_call(b.d, b.n, &c), TX_OK);
    assert_int_equal(c->id, 42);
    assert_int_equal(c->body_case, TICSX__V1__CALL__BODY_SUBMIT);
    assert_int_equal(c->submit->envelope.len, 3);
    tx_free(c);
    wfree(&b);
    wfree(&sub);

    put_len(&sub, 1, key32, 32);
    put_uint(&b, 1, 43);
    put_msg(&b, 3, &sub);
    assert_int_equal(tx_decode_call(b.d, b.n, &c), TX_OK);
    assert_int_equal(c->body_case, TICSX__V1__CALL__BODY_GET);
    tx_free(c);
    wfree(&b);
    wfree(&sub);

    put_uint(&sub, 1, TX_KIND_GRANT);
    put_uint(&sub, 2, 17);
    put_uint(&sub, 3, 100);
    put_uint(&b, 1, 44);
    put_msg(&b, 4, &sub);
    assert_int_equal(tx_decode_call(b.d, b.n, &c), TX_OK);
    assert_int_equal(c->body_case, TICSX__V1__CALL__BODY_LIST);
    assert_int_equal(c->list->kind, TX_KIND_GRANT);
    assert_int_equal(c->list->after, 17);
    tx_free(c);
    wfree(&b);
    wfree(&sub);

    put_uint(&b, 1, 45);
    put_uint(&b, 5, 1);
    assert_int_equal(tx_decode_call(b.d, b.n, &c), TX_OK);
    assert_int_equal(c->body_case, TICSX__V1__CALL__BODY_PING);
    tx_free(c);
    wfree(&b);

    /* Body checks: an empty submit, a short record id. */
    put_uint(&b, 1, 1);
    put_len(&b, 2, "", 0);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    assert_detail_has("submit");
    wfree(&b);
    put_len(&sub, 1, key32, 31);
    put_uint(&b, 1, 1);
    put_msg(&b, 3, &sub);
    assert_int_equal(decode_call(&b), TX_ERR_MALFORMED);
    assert_detail_has("record id");
    wfree(&b);
    wfree(&sub);
}

static void
test_reply(void **state)
{
    wbuf b = {0}, rec = {0}, e1 = {0}, e2 = {0};
    tx_reply_pb *r;

    put_uint(&rec, 1, 9);
    put_len(&rec, 2, key32, 32);
    put_uint(&rec, 3, 1);
    put_uint(&e1, 1, 1);
    put_len(&e1, 2, "one", 3);
    put_uint(&e2, 1, 2);
    put_len(&e2, 2, "two", 3);
    put_uint(&b, 1, 7);
    put_uint(&b, 2, 4);
    put_str(&b, 3, "record not found: 記録");
    put_msg(&b, 4, &rec);
    put_msg(&b, 5, &e1);
    put_msg(&b, 5, &e2);
    put_uint(&b, 6, 2);
    assert_int_equal(tx_decode_reply(b.d, b.n, &r), TX_OK);
    assert_int_equal(r->id, 7);
    assert_int_equal(r->status, TICSX__V1__STATUS__NOT_FOUND);
    assert_string_equal(r->message, "record not found: 記録");
    assert_int_equal(r->receipt->index, 9);
    assert_true(r->receipt->duplicate);
    assert_int_equal(r->n_entries, 2);
    assert_int_equal(r->entries[1]->index, 2);
    assert_int_equal(r->next, 2);
    tx_free(r);

    /* An empty reply is a valid reply: id 0, status OK. Empty bytes fields unpack as NULL
     * with length 0, so decoders take that too. */
    assert_int_equal(tx_decode_reply(NULL, 0, &r), TX_OK);
    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    tx_free(r);
    tx_envelope_pb *env;
    tx_call_pb *c;
    assert_int_equal(tx_decode_envelope(NULL, 0, &env), TX_ERR_MALFORMED);
    assert_int_equal(tx_decode_call(NULL, 0, &c), TX_ERR_MALFORMED);
    assert_int_equal(tx_envelope_open(NULL, 0, &env), TX_ERR_MALFORMED);

    /* Bad inside the second entry. */
    put_uint(&e2, 1, 3);
    wfree(&b);
    put_uint(&b, 1, 7);
    put_msg(&b, 5, &e1);
    put_msg(&b, 5, &e2);
    assert_int_equal(decode_reply(&b), TX_ERR_MALFORMED);
    assert_detail_has("index");
    wfree(&b);
    wfree(&rec);
    wfree(&e1);
    wfree(&e2);
}

static void
test_nesting(void **state)
{
    /* The schema has no recursive message, so its deepest path is Questionnaire -> Item ->
     * LocalText; the scanner follows every level. A nested length that runs past its parent's
     * end is caught at the parent. */
    wbuf text = {0}, item = {0}, q = {0};
    ProtobufCMessage *m;

    put_str(&text, 1, "技術情報");
    put_str(&text, 2, "technical information");
    put_str(&item, 1, "A1-01");
    put_msg(&item, 4, &text);
    put_msg(&q, 6, &item);
    assert_int_equal(
        tx_decode(&ticsx__v1__questionnaire__descriptor, q.d, q.n, TX_MAX_ENVELOPE, &m), TX_OK);
    assert_string_equal(((tx_questionnaire_pb *)m)->items[0]->text->ja, "技術情報");
    tx_free(m);

    /* Lie about the innermost length: it now runs past the item. */
    size_t at = q.n - text.n - 1;
    assert_int_equal(q.d[at], text.n);
    q.d[at] = (uint8_t)(text.n + 1);
    assert_int_equal(
        tx_decode(&ticsx__v1__questionnaire__descriptor, q.d, q.n, TX_MAX_ENVELOPE, &m),
        TX_ERR_TRUNCATED);
    q.d[at] = (uint8_t)text.n;

    /* A duplicated field three levels down. */
    put_str(&text, 1, "again");
    wfree(&item);
    wfree(&q);
    put_msg(&item, 4, &text);
    put_msg(&q, 6, &item);
    assert_int_equal(
        tx_decode(&ticsx__v1__questionnaire__descriptor, q.d, q.n, TX_MAX_ENVELOPE, &m),
        TX_ERR_MALFORMED);
    assert_detail_has("twice");
    wfree(&text);
    wfree(&item);
    wfree(&q);
}

/* --- Payload kinds: valid messages, and each kind's required-field checks. --- */

static const char *const profile_type = "application/vnd.ticsx.profile.v1";

static int
decode_kind(int kind, const ProtobufCMessage *msg, ProtobufCMessage **out)
{
    tx_envelope_pb env = TICSX__V1__ENVELOPE__INIT;
    uint8_t *bytes;
    size_t len;
    int rc;

    assert_int_equal(tx_pack(msg, &bytes, &len), TX_OK);
    env.payload_type = (char *)tx_kind_payload_type(kind);
    env.payload.data = bytes;
    env.payload.len = len;
    rc = tx_decode_payload(&env, kind, out);
    free(bytes);
    return rc;
}

static int
check_kind(int kind, const ProtobufCMessage *msg)
{
    ProtobufCMessage *out = (ProtobufCMessage *)&out;
    int rc = decode_kind(kind, msg, &out);

    if (rc == TX_OK) {
        assert_non_null(out);
        tx_free(out);
    } else {
        assert_null(out);
    }
    return rc;
}

static void
test_profile(void **state)
{
    tx_profile_pb p = TICSX__V1__ORG_PROFILE__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    ProtobufCMessage *out;

    meta.seq = 1;
    meta.created = 1723766400;
    p.meta = &meta;
    p.legal_name = "Tokai Motors";
    p.corporate_number = "7000012050002";
    p.seal_key = (ProtobufCBinaryData){32, (uint8_t *)key32};
    p.transport_key = (ProtobufCBinaryData){32, (uint8_t *)key32};
    assert_int_equal(decode_kind(TX_KIND_PROFILE, &p.base, &out), TX_OK);
    assert_string_equal(((tx_profile_pb *)out)->legal_name, "Tokai Motors");
    assert_string_equal(((tx_profile_pb *)out)->corporate_number, "7000012050002");
    tx_free(out);
    assert_string_equal(tx_kind_payload_type(TX_KIND_PROFILE), profile_type);

    p.corporate_number = "";
    assert_int_equal(check_kind(TX_KIND_PROFILE, &p.base), TX_OK);
    p.corporate_number = "7000012050003";
    assert_int_equal(check_kind(TX_KIND_PROFILE, &p.base), TX_ERR_MALFORMED);
    assert_detail_has("profile");
    p.corporate_number = "7000012050002";

    p.seal_key.len = 31;
    assert_int_equal(check_kind(TX_KIND_PROFILE, &p.base), TX_ERR_MALFORMED);
    p.seal_key.len = 32;
    p.transport_key.len = 0;
    assert_int_equal(check_kind(TX_KIND_PROFILE, &p.base), TX_ERR_MALFORMED);
    p.transport_key.len = 32;
    p.legal_name = "";
    assert_int_equal(check_kind(TX_KIND_PROFILE, &p.base), TX_ERR_MALFORMED);
    p.legal_name = "Tokai Motors";
    p.meta = NULL;
    assert_int_equal(check_kind(TX_KIND_PROFILE, &p.base), TX_ERR_MALFORMED);
    p.meta = &meta;
    meta.seq = 0;
    assert_int_equal(check_kind(TX_KIND_PROFILE, &p.base), TX_ERR_MALFORMED);
    meta.seq = 1;
    assert_int_equal(check_kind(TX_KIND_PROFILE, &p.base), TX_OK);
}

typedef struct {
    tx_questionnaire_pb q;
    tx_meta_pb meta;
    tx_local_text_pb text;
    tx_area_pb area[2];
    tx_area_pb *areas[2];
    tx_item_pb item[2];
    tx_item_pb *items[2];
    tx_choice_pb choice[4];
    tx_choice_pb *scale[4];
} qfix;

static void
build_questionnaire(qfix *f)
{
    static const char *const codes[] = {"yes", "partly", "no", "na"};
    static const uint32_t scores[] = {1000, 500, 0, 0};

    f->q = (tx_questionnaire_pb)TICSX__V1__QUESTIONNAIRE__INIT;
    f->meta = (tx_meta_pb)TICSX__V1__META__INIT;
    f->text = (tx_local_text_pb)TICSX__V1__LOCAL_TEXT__INIT;
    f->meta.seq = 3;
    f->text.ja = "ルール作り";
    f->text.en = "rules";
    for (int i = 0; i < 2; i++) {
        f->area[i] = (tx_area_pb)TICSX__V1__AREA__INIT;
        f->area[i].id = i == 0 ? "A1" : "A2";
        f->area[i].name = &f->text;
        f->areas[i] = &f->area[i];
        f->item[i] = (tx_item_pb)TICSX__V1__ITEM__INIT;
        f->item[i].id = i == 0 ? "A1-01" : "A2-01";
        f->item[i].area = i == 0 ? "A1" : "A2";
        f->item[i].level = 1;
        f->item[i].weight = 2;
        f->item[i].text = &f->text;
        f->items[i] = &f->item[i];
    }
    for (int i = 0; i < 4; i++) {
        f->choice[i] = (tx_choice_pb)TICSX__V1__CHOICE__INIT;
        f->choice[i].code = (char *)codes[i];
        f->choice[i].score_permille = scores[i];
        f->choice[i].not_applicable = i == 3;
        f->choice[i].label = &f->text;
        f->scale[i] = &f->choice[i];
    }
    f->q.meta = &f->meta;
    f->q.id = "tics-selfcheck";
    f->q.version = 1;
    f->q.title = &f->text;
    f->q.n_areas = 2;
    f->q.areas = f->areas;
    f->q.n_items = 2;
    f->q.items = f->items;
    f->q.n_scale = 4;
    f->q.scale = f->scale;
}

/* A decoded message lives in one block when the scan counted right what protobuf-c allocates:
 * nested messages, strings, arrays, and the slabs it takes past 16 fields met in one message
 * (100 items). The decoded message packs back to the same bytes. */
static void
test_decode_in_one_block(void **state)
{
    qfix f;
    tx_item_pb *many[100];
    uint8_t *buf, *again;
    size_t len, len2;
    ProtobufCMessage *out;
    tx_identity *id;
    tx_envelope_pb *env;

    build_questionnaire(&f);
    for (size_t i = 0; i < 100; i++) {
        many[i] = f.items[i % 2];
    }
    f.q.n_items = 100;
    f.q.items = many;
    for (size_t n = 0; n <= 100; n += 10) {
        f.q.n_items = n;
        assert_int_equal(tx_pack(&f.q.base, &buf, &len), TX_OK);
        assert_int_equal(tx_decode(&ticsx__v1__questionnaire__descriptor, buf, len, len, &out),
                         TX_OK);
        assert_int_equal(tx_decode_blocks(out), 1);
        assert_int_equal(((tx_questionnaire_pb *)out)->n_items, n);
        assert_int_equal(tx_pack(out, &again, &len2), TX_OK);
        assert_int_equal(len2, len);
        assert_memory_equal(again, buf, len);
        free(again);
        tx_free(out);
        free(buf);
    }

    f.q.n_items = 100;
    assert_int_equal(tx_identity_generate("Tokai Motors", &id), TX_OK);
    assert_int_equal(tx_envelope_sign_msg(id, TX_KIND_QUESTIONNAIRE, &f.q.base, &buf, &len), TX_OK);
    assert_int_equal(tx_envelope_open_as(buf, len, TX_KIND_QUESTIONNAIRE, &env, &out), TX_OK);
    assert_int_equal(tx_decode_blocks(env), 1);
    assert_int_equal(tx_decode_blocks(out), 1);
    tx_free(out);
    tx_free(env);
    free(buf);
    tx_identity_destroy(&id);
}

static void
test_questionnaire(void **state)
{
    qfix f;
    ProtobufCMessage *out;

    build_questionnaire(&f);
    assert_int_equal(decode_kind(TX_KIND_QUESTIONNAIRE, &f.q.base, &out), TX_OK);
    assert_int_equal(((tx_questionnaire_pb *)out)->n_items, 2);
    assert_string_equal(((tx_questionnaire_pb *)out)->items[1]->area, "A2");
    tx_free(out);

    /* An item in an area the questionnaire does not define. */
    f.item[1].area = "A9";
    assert_int_equal(check_kind(TX_KIND_QUESTIONNAIRE, &f.q.base), TX_ERR_MALFORMED);
    assert_detail_has("questionnaire");
    build_questionnaire(&f);
    f.item[0].id = "";
    assert_int_equal(check_kind(TX_KIND_QUESTIONNAIRE, &f.q.base), TX_ERR_MALFORMED);
    build_questionnaire(&f);
    f.item[0].text = NULL;
    assert_int_equal(check_kind(TX_KIND_QUESTIONNAIRE, &f.q.base), TX_ERR_MALFORMED);
    build_questionnaire(&f);
    f.choice[0].score_permille = 1001;
    assert_int_equal(check_kind(TX_KIND_QUESTIONNAIRE, &f.q.base), TX_ERR_MALFORMED);
    build_questionnaire(&f);
    f.choice[2].code = "";
    assert_int_equal(check_kind(TX_KIND_QUESTIONNAIRE, &f.q.base), TX_ERR_MALFORMED);
    build_questionnaire(&f);
    f.q.id = "";
    assert_int_equal(check_kind(TX_KIND_QUESTIONNAIRE, &f.q.base), TX_ERR_MALFORMED);
    build_questionnaire(&f);
    f.q.n_items = 0;
    assert_int_equal(check_kind(TX_KIND_QUESTIONNAIRE, &f.q.base), TX_ERR_MALFORMED);
    build_questionnaire(&f);
    f.q.n_areas = 0;
    assert_int_equal(check_kind(TX_KIND_QUESTIONNAIRE, &f.q.base), TX_ERR_MALFORMED);
    build_questionnaire(&f);
    f.q.n_scale = 0;
    assert_int_equal(check_kind(TX_KIND_QUESTIONNAIRE, &f.q.base), TX_ERR_MALFORMED);
    build_questionnaire(&f);
    f.q.meta = NULL;
    assert_int_equal(check_kind(TX_KIND_QUESTIONNAIRE, &f.q.base), TX_ERR_MALFORMED);
    build_questionnaire(&f);
    f.meta.seq = 0;
    assert_int_equal(check_kind(TX_KIND_QUESTIONNAIRE, &f.q.base), TX_ERR_MALFORMED);
    build_questionnaire(&f);
    assert_int_equal(check_kind(TX_KIND_QUESTIONNAIRE, &f.q.base), TX_OK);
}

static void
test_request(void **state)
{
    tx_request_pb r = TICSX__V1__REQUEST__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    ProtobufCBinaryData sup[2] = {{32, (uint8_t *)key32}, {32, (uint8_t *)key32}};

    meta.seq = 2;
    r.meta = &meta;
    r.questionnaire = (ProtobufCBinaryData){32, (uint8_t *)key32};
    r.n_suppliers = 2;
    r.suppliers = sup;
    r.depth = 2;
    assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_OK);
    r.on_behalf_of = (ProtobufCBinaryData){32, (uint8_t *)key32};
    assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_OK);
    r.on_behalf_of.len = 16;
    assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_ERR_MALFORMED);
    r.on_behalf_of.len = 0;
    sup[1] = (ProtobufCBinaryData){33, (uint8_t *)sig64};
    assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_ERR_MALFORMED);
    sup[1] = (ProtobufCBinaryData){32, (uint8_t *)key32};
    r.n_suppliers = 0;
    assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_ERR_MALFORMED);
    r.n_suppliers = 2;
    r.questionnaire.len = 0;
    assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_ERR_MALFORMED);
    r.questionnaire.len = 32;
    meta.seq = 0;
    assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_ERR_MALFORMED);
    meta.seq = 2;
    r.meta = NULL;
    assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_ERR_MALFORMED);
    r.meta = &meta;

    /* A sealed note: nonce, ciphertext with its tag, one key per supplier and the signer's. */
    {
        static uint8_t nonce[24], ct[TX_REQUEST_NOTE_MAX + 17], sk[80];
        ProtobufCBinaryData keys[4] = {{80, sk}, {80, sk}, {80, sk}, {80, sk}};

        assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_OK);
        r.note_nonce = (ProtobufCBinaryData){24, nonce};
        r.note_sealed = (ProtobufCBinaryData){40, ct};
        r.note_keys = keys;
        r.n_note_keys = 3;
        assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_OK);
        r.n_note_keys = 2; /* the signer's own is missing */
        assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_ERR_MALFORMED);
        r.n_note_keys = 4;
        assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_ERR_MALFORMED);
        r.n_note_keys = 3;
        keys[1].len = 79;
        assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_ERR_MALFORMED);
        keys[1].len = 80;
        r.note_nonce.len = 12;
        assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_ERR_MALFORMED);
        r.note_nonce.len = 24;
        r.note_sealed.len = 16; /* not even the tag */
        assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_ERR_MALFORMED);
        r.note_sealed.len = TX_REQUEST_NOTE_MAX + 17; /* a note longer than 4096 bytes */
        assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_ERR_MALFORMED);
        r.note_sealed.len = TX_REQUEST_NOTE_MAX + 16;
        assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_OK);
        r.note = "plaintext beside it";
        assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_ERR_MALFORMED);
        r.note = "";
        /* Keys or a nonce without a sealed note. */
        r.note_sealed.len = 0;
        assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_ERR_MALFORMED);
        r.n_note_keys = 0;
        assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_ERR_MALFORMED);
        r.note_nonce.len = 0;
        assert_int_equal(check_kind(TX_KIND_REQUEST, &r.base), TX_OK);
    }
}

static void
test_sealed_assessment(void **state)
{
    tx_sealed_pb s = TICSX__V1__SEALED_ASSESSMENT__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    uint8_t nonce[24] = {0}, ct[64] = {0};

    meta.seq = 4;
    s.meta = &meta;
    s.questionnaire = (ProtobufCBinaryData){32, (uint8_t *)key32};
    s.nonce = (ProtobufCBinaryData){24, nonce};
    s.ciphertext = (ProtobufCBinaryData){sizeof ct, ct};
    assert_int_equal(check_kind(TX_KIND_ASSESSMENT, &s.base), TX_OK);
    s.supersedes = (ProtobufCBinaryData){32, (uint8_t *)key32};
    assert_int_equal(check_kind(TX_KIND_ASSESSMENT, &s.base), TX_OK);
    s.supersedes.len = 31;
    assert_int_equal(check_kind(TX_KIND_ASSESSMENT, &s.base), TX_ERR_MALFORMED);
    s.supersedes.len = 0;
    s.nonce.len = 12;
    assert_int_equal(check_kind(TX_KIND_ASSESSMENT, &s.base), TX_ERR_MALFORMED);
    s.nonce.len = 24;
    /* No room for even the authentication tag. */
    s.ciphertext.len = 16;
    assert_int_equal(check_kind(TX_KIND_ASSESSMENT, &s.base), TX_ERR_MALFORMED);
    s.ciphertext.len = 17;
    assert_int_equal(check_kind(TX_KIND_ASSESSMENT, &s.base), TX_OK);
    s.questionnaire.len = 8;
    assert_int_equal(check_kind(TX_KIND_ASSESSMENT, &s.base), TX_ERR_MALFORMED);
    s.questionnaire.len = 32;
    s.meta = NULL;
    assert_int_equal(check_kind(TX_KIND_ASSESSMENT, &s.base), TX_ERR_MALFORMED);
}

static void
test_grant(void **state)
{
    tx_grant_pb g = TICSX__V1__GRANT__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    uint8_t sealed[TX_SEALED_KEY_LEN] = {0};

    meta.seq = 5;
    g.meta = &meta;
    g.assessment = (ProtobufCBinaryData){32, (uint8_t *)key32};
    g.grantee = (ProtobufCBinaryData){32, (uint8_t *)key32};
    g.sealed_key = (ProtobufCBinaryData){sizeof sealed, sealed};
    assert_int_equal(check_kind(TX_KIND_GRANT, &g.base), TX_OK);
    g.request = (ProtobufCBinaryData){32, (uint8_t *)key32};
    g.until = 1893456000;
    assert_int_equal(check_kind(TX_KIND_GRANT, &g.base), TX_OK);
    g.request.len = 1;
    assert_int_equal(check_kind(TX_KIND_GRANT, &g.base), TX_ERR_MALFORMED);
    g.request.len = 0;
    g.sealed_key.len = 48;
    assert_int_equal(check_kind(TX_KIND_GRANT, &g.base), TX_ERR_MALFORMED);
    g.sealed_key.len = sizeof sealed;
    g.grantee.len = 0;
    assert_int_equal(check_kind(TX_KIND_GRANT, &g.base), TX_ERR_MALFORMED);
    g.grantee.len = 32;
    g.assessment.len = 0;
    assert_int_equal(check_kind(TX_KIND_GRANT, &g.base), TX_ERR_MALFORMED);
    g.assessment.len = 32;
    meta.seq = 0;
    assert_int_equal(check_kind(TX_KIND_GRANT, &g.base), TX_ERR_MALFORMED);
}

static void
test_inner_assessment(void **state)
{
    tx_assessment_pb a = TICSX__V1__ASSESSMENT__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_answer_pb ans = TICSX__V1__ANSWER__INIT;
    tx_answer_pb *answers[] = {&ans};
    tx_sub_supplier_pb sub = TICSX__V1__SUB_SUPPLIER__INIT;
    tx_sub_supplier_pb *subs[] = {&sub};
    ProtobufCMessage *out;

    meta.seq = 6;
    a.meta = &meta;
    a.questionnaire = (ProtobufCBinaryData){32, (uint8_t *)key32};
    ans.item = "A1-01";
    ans.choice = "partly";
    ans.comment = "施錠管理は一部のみ";
    a.n_answers = 1;
    a.answers = answers;
    a.as_of = 1723766400;
    sub.key = (ProtobufCBinaryData){32, (uint8_t *)key32};
    sub.name = "Seto Plating";
    a.n_suppliers = 1;
    a.suppliers = subs;
    assert_int_equal(decode_kind(TX_KIND_INNER_ASSESSMENT, &a.base, &out), TX_OK);
    assert_string_equal(((tx_assessment_pb *)out)->answers[0]->comment, "施錠管理は一部のみ");
    tx_free(out);
    sub.key.len = 31;
    assert_int_equal(check_kind(TX_KIND_INNER_ASSESSMENT, &a.base), TX_ERR_MALFORMED);
    sub.key.len = 32;
    a.certificate = (ProtobufCBinaryData){5, (uint8_t *)key32};
    assert_int_equal(check_kind(TX_KIND_INNER_ASSESSMENT, &a.base), TX_ERR_MALFORMED);
    a.certificate.len = 32;
    assert_int_equal(check_kind(TX_KIND_INNER_ASSESSMENT, &a.base), TX_OK);
    a.request = (ProtobufCBinaryData){33, (uint8_t *)sig64};
    assert_int_equal(check_kind(TX_KIND_INNER_ASSESSMENT, &a.base), TX_ERR_MALFORMED);
    a.request.len = 0;
    a.questionnaire.len = 0;
    assert_int_equal(check_kind(TX_KIND_INNER_ASSESSMENT, &a.base), TX_ERR_MALFORMED);
    a.questionnaire.len = 32;
    a.meta = NULL;
    assert_int_equal(check_kind(TX_KIND_INNER_ASSESSMENT, &a.base), TX_ERR_MALFORMED);
}

static void
test_grant_revoke(void **state)
{
    tx_grant_revoke_pb r = TICSX__V1__GRANT_REVOKE__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;

    meta.seq = 10;
    r.meta = &meta;
    r.grant = (ProtobufCBinaryData){32, (uint8_t *)key32};
    r.assessment = (ProtobufCBinaryData){32, (uint8_t *)key32};
    r.grantee = (ProtobufCBinaryData){32, (uint8_t *)key32};
    assert_int_equal(check_kind(TX_KIND_GRANT_REVOKE, &r.base), TX_OK);
    r.grant.len = 0;
    assert_int_equal(check_kind(TX_KIND_GRANT_REVOKE, &r.base), TX_ERR_MALFORMED);
    r.grant.len = 32;
    r.assessment.len = 31;
    assert_int_equal(check_kind(TX_KIND_GRANT_REVOKE, &r.base), TX_ERR_MALFORMED);
    r.assessment.len = 32;
    r.grantee.len = 16;
    assert_int_equal(check_kind(TX_KIND_GRANT_REVOKE, &r.base), TX_ERR_MALFORMED);
    r.grantee.len = 32;
    meta.seq = 0;
    assert_int_equal(check_kind(TX_KIND_GRANT_REVOKE, &r.base), TX_ERR_MALFORMED);
}

static void
test_accreditation(void **state)
{
    tx_accreditation_pb a = TICSX__V1__ACCREDITATION__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    char *scopes[] = {"manufacturing", "sme"};

    meta.seq = 1;
    a.meta = &meta;
    a.body_key = (ProtobufCBinaryData){32, (uint8_t *)key32};
    a.body_name = "Example Certification Body";
    a.n_scopes = 2;
    a.scopes = scopes;
    a.valid_from = 1704067200;
    a.valid_until = 1798761600;
    assert_int_equal(check_kind(TX_KIND_ACCREDITATION, &a.base), TX_OK);
    /* A repeated string is checked element by element. */
    scopes[1] = "sm\377e";
    assert_int_equal(check_kind(TX_KIND_ACCREDITATION, &a.base), TX_ERR_BAD_UTF8);
    scopes[1] = "sme";
    a.valid_until = a.valid_from - 1;
    assert_int_equal(check_kind(TX_KIND_ACCREDITATION, &a.base), TX_ERR_MALFORMED);
    a.valid_until = 1798761600;
    a.n_scopes = 0;
    assert_int_equal(check_kind(TX_KIND_ACCREDITATION, &a.base), TX_ERR_MALFORMED);
    a.n_scopes = 2;
    a.body_name = "";
    assert_int_equal(check_kind(TX_KIND_ACCREDITATION, &a.base), TX_ERR_MALFORMED);
    a.body_name = "Example Certification Body";
    a.body_key.len = 0;
    assert_int_equal(check_kind(TX_KIND_ACCREDITATION, &a.base), TX_ERR_MALFORMED);
}

static void
test_certificate(void **state)
{
    tx_certificate_pb c = TICSX__V1__CERTIFICATE__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;

    meta.seq = 2;
    c.meta = &meta;
    c.number = "TICS-2024-0001";
    c.holder_key = (ProtobufCBinaryData){32, (uint8_t *)key32};
    c.holder_name = "Mikawa Precision";
    c.corporate_number = "3180001056789";
    c.scope = "設計部門";
    c.criteria_version = 2024;
    c.issued = 1723766400;
    c.expires = 1818374400;
    assert_int_equal(check_kind(TX_KIND_CERTIFICATE, &c.base), TX_OK);
    c.corporate_number = "4180001056789"; /* wrong check digit */
    assert_int_equal(check_kind(TX_KIND_CERTIFICATE, &c.base), TX_ERR_MALFORMED);
    c.corporate_number = "";
    assert_int_equal(check_kind(TX_KIND_CERTIFICATE, &c.base), TX_ERR_MALFORMED);
    c.corporate_number = "3180001056789";
    c.criteria_version = 2020;
    assert_int_equal(check_kind(TX_KIND_CERTIFICATE, &c.base), TX_ERR_MALFORMED);
    c.criteria_version = 2018;
    assert_int_equal(check_kind(TX_KIND_CERTIFICATE, &c.base), TX_OK);
    c.expires = c.issued;
    assert_int_equal(check_kind(TX_KIND_CERTIFICATE, &c.base), TX_ERR_MALFORMED);
    c.expires = 1818374400;
    c.number = "";
    assert_int_equal(check_kind(TX_KIND_CERTIFICATE, &c.base), TX_ERR_MALFORMED);
    c.number = "TICS-2024-0001";
    c.holder_name = "";
    assert_int_equal(check_kind(TX_KIND_CERTIFICATE, &c.base), TX_ERR_MALFORMED);
    c.holder_name = "Mikawa Precision";
    c.holder_key.len = 33;
    c.holder_key.data = (uint8_t *)sig64;
    assert_int_equal(check_kind(TX_KIND_CERTIFICATE, &c.base), TX_ERR_MALFORMED);
}

static void
test_cert_event(void **state)
{
    tx_cert_event_pb e = TICSX__V1__CERTIFICATE_EVENT__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;

    meta.seq = 3;
    e.meta = &meta;
    e.certificate = (ProtobufCBinaryData){32, (uint8_t *)key32};
    e.kind = TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_REVOKED;
    e.effective = 1755302400;
    assert_int_equal(check_kind(TX_KIND_CERT_EVENT, &e.base), TX_OK);
    e.kind = TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_NONE;
    assert_int_equal(check_kind(TX_KIND_CERT_EVENT, &e.base), TX_ERR_MALFORMED);
    /* An event kind the schema does not define is refused by the scan itself. */
    e.kind = (Ticsx__V1__CertEventKind)5;
    assert_int_equal(check_kind(TX_KIND_CERT_EVENT, &e.base), TX_ERR_MALFORMED);
    assert_detail_has("enum");
    e.kind = TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT;
    e.certificate.len = 0;
    assert_int_equal(check_kind(TX_KIND_CERT_EVENT, &e.base), TX_ERR_MALFORMED);
}

static void
test_signed_payloads_of_each_kind(void **state)
{
    /* End to end through signing: each kind opens as itself and only as itself. */
    tx_identity *id;
    qfix f;
    tx_grant_pb g = TICSX__V1__GRANT__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    uint8_t sealed[TX_SEALED_KEY_LEN] = {0};
    uint8_t *buf;
    size_t len;
    tx_envelope_pb *env;
    ProtobufCMessage *m;

    assert_int_equal(tx_identity_generate("Tokai Motors", &id), TX_OK);
    build_questionnaire(&f);
    assert_int_equal(tx_envelope_sign_msg(id, TX_KIND_QUESTIONNAIRE, &f.q.base, &buf, &len), TX_OK);
    assert_int_equal(tx_envelope_open_as(buf, len, TX_KIND_QUESTIONNAIRE, &env, &m), TX_OK);
    tx_free(m);
    tx_free(env);
    assert_int_equal(tx_envelope_open_as(buf, len, TX_KIND_REQUEST, &env, &m), TX_ERR_WRONG_TYPE);
    free(buf);

    meta.seq = 9;
    g.meta = &meta;
    g.assessment = (ProtobufCBinaryData){32, (uint8_t *)key32};
    g.grantee = (ProtobufCBinaryData){32, id->pub.sign};
    g.sealed_key = (ProtobufCBinaryData){sizeof sealed, sealed};
    assert_int_equal(tx_envelope_sign_msg(id, TX_KIND_GRANT, &g.base, &buf, &len), TX_OK);
    assert_int_equal(tx_envelope_open_as(buf, len, TX_KIND_GRANT, &env, &m), TX_OK);
    assert_int_equal(((tx_grant_pb *)m)->meta->seq, 9);
    tx_free(m);
    tx_free(env);
    free(buf);

    /* A grant signed while missing its grantee verifies but does not decode. */
    g.grantee.len = 0;
    assert_int_equal(tx_envelope_sign_msg(id, TX_KIND_GRANT, &g.base, &buf, &len), TX_OK);
    assert_int_equal(tx_envelope_open_as(buf, len, TX_KIND_GRANT, &env, &m), TX_ERR_MALFORMED);
    assert_null(env);
    assert_null(m);
    free(buf);
    tx_identity_destroy(&id);
}

static void
test_envelope_checks(void **state)
{
    wbuf b = {0};

    put_envelope(&b, "application/vnd.ticsx.unknown.v1");
    assert_int_equal(decode_env(&b), TX_ERR_MALFORMED);
    assert_detail_has("payload type");
    wfree(&b);

    put_str(&b, 1, request_type);
    put_len(&b, 2, "x", 1);
    put_len(&b, 3, key32, 31);
    put_len(&b, 4, sig64, 64);
    assert_int_equal(decode_env(&b), TX_ERR_MALFORMED);
    assert_detail_has("signer key");
    wfree(&b);

    put_str(&b, 1, request_type);
    put_len(&b, 2, "x", 1);
    put_len(&b, 3, key32, 32);
    put_len(&b, 4, sig64, 63);
    assert_int_equal(decode_env(&b), TX_ERR_MALFORMED);
    assert_detail_has("signature");
    wfree(&b);

    put_str(&b, 1, request_type);
    put_len(&b, 3, key32, 32);
    put_len(&b, 4, sig64, 64);
    assert_int_equal(decode_env(&b), TX_ERR_MALFORMED);
    assert_detail_has("empty payload");
    wfree(&b);

    assert_int_equal(decode_env(&b), TX_ERR_MALFORMED);
}

static void
test_kind_names(void **state)
{
    static const int kinds[] = {
        TX_KIND_PROFILE,       TX_KIND_QUESTIONNAIRE,   TX_KIND_REQUEST,       TX_KIND_ASSESSMENT,
        TX_KIND_GRANT,         TX_KIND_GRANT_REVOKE,    TX_KIND_ACCREDITATION, TX_KIND_CERTIFICATE,
        TX_KIND_CERT_EVENT,    TX_KIND_EVIDENCE_CHUNK,  TX_KIND_REGISTER,      TX_KIND_MEMBER,
        TX_KIND_MEMBER_REMOVE, TX_KIND_INNER_ASSESSMENT};

    for (size_t i = 0; i < TX_ARRAY_LEN(kinds); i++) {
        const char *type = tx_kind_payload_type(kinds[i]);
        assert_non_null(type);
        assert_int_equal(tx_kind_from_payload_type(type), kinds[i]);
        assert_string_not_equal(tx_kind_name(kinds[i]), "unknown");
    }
    assert_null(tx_kind_payload_type(TX_KIND_NONE));
    assert_int_equal(tx_kind_from_payload_type(""), TX_KIND_NONE);
    assert_int_equal(tx_kind_from_payload_type("application/vnd.ticsx.request.v2"), TX_KIND_NONE);
    assert_string_equal(tx_kind_name(77), "unknown");
    /* The record kinds equal the wire enum, and every stored kind has a payload type. */
    assert_int_equal(TX_KIND_GRANT, TICSX__V1__KIND__KIND_GRANT);
    assert_int_equal(TX_KIND_ASSESSMENT, TICSX__V1__KIND__KIND_ASSESSMENT);
    assert_int_equal(TX_KIND_CERT_EVENT, TICSX__V1__KIND__KIND_CERT_EVENT);
    for (unsigned i = 1; i < ticsx__v1__kind__descriptor.n_values; i++) {
        assert_non_null(tx_kind_payload_type(ticsx__v1__kind__descriptor.values[i].value));
    }
}

static void
test_corporate_number(void **state)
{
    /* Check digit = 9 - (sum of the 12 base digits weighted 1,2,1,2... from the right) mod 9.
     * 7000012050002 (the National Tax Agency's own number): 2 + 5 + 2 + 1*2 = 11, 9 - 2 = 7.
     * 7123456789012: 2+2+0+18+8+14+6+10+4+6+2+2 = 74, 74 mod 9 = 2, 9 - 2 = 7.
     * 9000000000000: sum 0 -> 9.  8000000000001: sum 1 -> 8.  7000000000010: 1 * 2 -> 7.
     * 9000000000009: sum 9, mod 9 = 0 -> 9.  1000000000008? 8 -> 9 - 8 = 1. */
    static const char *const valid[] = {"7000012050002", "7123456789012", "9000000000000",
                                        "8000000000001", "7000000000010", "9000000000009",
                                        "1000000000008", "5000000000400",
                                        /* the demo's organisations (script/demo) */
                                        "8180001034567", "3180001056789", "1180001078901"};
    static const char *const invalid[] = {
        "8000012050002", "6000012050002", "0000012050002",  "7123456789013",
        "9000000000001", "700001205000",  "70000120500021", "",
        "700001205000a", " 700001205000", "7000012050002 ", "７000012050002",
        "-700001205000", "+700001205000",
    };

    for (size_t i = 0; i < TX_ARRAY_LEN(valid); i++) {
        if (!tx_corporate_number_valid(valid[i])) {
            fail_msg("%s should be a valid corporate number", valid[i]);
        }
    }
    for (size_t i = 0; i < TX_ARRAY_LEN(invalid); i++) {
        if (tx_corporate_number_valid(invalid[i])) {
            fail_msg("\"%s\" should not be a valid corporate number", invalid[i]);
        }
    }
    /* Exactly one check digit fits each base. */
    char n[14] = "0123456789012";
    int hits = 0;
    for (char c = '0'; c <= '9'; c++) {
        n[0] = c;
        hits += tx_corporate_number_valid(n);
    }
    assert_int_equal(hits, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_envelope),
        cmocka_unit_test(test_oversize),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_overlong_varint),
        cmocka_unit_test(test_wrong_wire_type),
        cmocka_unit_test(test_unknown_field),
        cmocka_unit_test(test_duplicate_field),
        cmocka_unit_test(test_bad_utf8),
        cmocka_unit_test(test_enum_and_ranges),
        cmocka_unit_test(test_call_bodies),
        cmocka_unit_test(test_reply),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_profile),
        cmocka_unit_test(test_questionnaire),
        cmocka_unit_test(test_request),
        cmocka_unit_test(test_sealed_assessment),
        cmocka_unit_test(test_grant),
        cmocka_unit_test(test_inner_assessment),
        cmocka_unit_test(test_grant_revoke),
        cmocka_unit_test(test_accreditation),
        cmocka_unit_test(test_certificate),
        cmocka_unit_test(test_cert_event),
        cmocka_unit_test(test_signed_payloads_of_each_kind),
        cmocka_unit_test(test_decode_in_one_block),
        cmocka_unit_test(test_envelope_checks),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_corporate_number),
    };
    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}

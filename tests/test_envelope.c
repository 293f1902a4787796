/* Unit tests of keys/tx_envelope and keys/tx_seal: signed envelopes verify only when every bit
 * is as signed, the pre-authentication encoding matches DSSE, payloads decode only as their own
 * kind, and sealed content opens only with the right key, nonce and questionnaire id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_seal.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    tx_identity *alice;
    tx_identity *bob;
} fixture;

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);

    if (f == NULL || sodium_init() < 0 || tx_identity_generate("Mikawa Precision", &f->alice) ||
        tx_identity_generate("Nagoya Electronics", &f->bob)) {
        return -1;
    }
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;

    tx_identity_destroy(&f->alice);
    tx_identity_destroy(&f->bob);
    free(f);
    return 0;
}

/* Every record kind the codec knows, into out; returns how many. */
static size_t
all_kinds(int *out, size_t cap)
{
    size_t n = 0;

    for (int k = 1; k < 256 && n < cap; k++) {
        if (tx_kind_payload_type(k) != NULL) {
            out[n++] = k;
        }
    }
    return n;
}

static const uint8_t qid[TX_ID_LEN] = {0x51, 0x1d, 1,  2,  3,  4,  5,  6,  7,  8,  9,
                                       10,   11,   12, 13, 14, 15, 16, 17, 18, 19, 20,
                                       21,   22,   23, 24, 25, 26, 27, 28, 29};

/* Packs a request from `signer` to `supplier`. Caller frees *out. */
static void
pack_request(const tx_identity *supplier, uint64_t seq, uint8_t **out, size_t *len)
{
    tx_request_pb r = TICSX__V1__REQUEST__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    ProtobufCBinaryData sup = {TX_KEY_LEN, (uint8_t *)supplier->pub.sign};

    meta.seq = seq;
    meta.created = 1723766400;
    r.meta = &meta;
    r.questionnaire.data = (uint8_t *)qid;
    r.questionnaire.len = TX_ID_LEN;
    r.n_suppliers = 1;
    r.suppliers = &sup;
    r.due = 1727740800;
    r.depth = 1;
    r.note = "年次確認 / yearly check";
    assert_int_equal(tx_pack(&r.base, out, len), TX_OK);
}

/* A signed request envelope from f->alice to f->bob. Caller frees *out. */
static void
signed_request(const fixture *f, uint8_t **out, size_t *len)
{
    uint8_t *payload;
    size_t plen;

    pack_request(f->bob, 7, &payload, &plen);
    assert_int_equal(tx_envelope_sign(f->alice, TX_KIND_REQUEST, payload, plen, out, len), TX_OK);
    free(payload);
}

static void
test_round_trip(void **state)
{
    fixture *f = *state;
    uint8_t *buf;
    size_t len;
    tx_envelope_pb *env = NULL;
    ProtobufCMessage *m = NULL;
    tx_request_pb *r;

    signed_request(f, &buf, &len);
    assert_int_equal(tx_envelope_open(buf, len, &env), TX_OK);
    assert_non_null(env);
    assert_string_equal(env->payload_type, tx_kind_payload_type(TX_KIND_REQUEST));
    assert_int_equal(env->signer_key.len, TX_KEY_LEN);
    assert_memory_equal(env->signer_key.data, f->alice->pub.sign, TX_KEY_LEN);
    assert_int_equal(tx_envelope_verify(env), TX_OK);
    assert_int_equal(tx_decode_payload(env, TX_KIND_REQUEST, &m), TX_OK);
    r = (tx_request_pb *)m;
    assert_int_equal(r->meta->seq, 7);
    assert_int_equal(r->n_suppliers, 1);
    assert_memory_equal(r->suppliers[0].data, f->bob->pub.sign, TX_KEY_LEN);
    assert_memory_equal(r->questionnaire.data, qid, TX_ID_LEN);
    assert_string_equal(r->note, "年次確認 / yearly check");
    tx_free(m);
    tx_free(env);

    /* The one-step form. */
    assert_int_equal(tx_envelope_open_as(buf, len, TX_KIND_REQUEST, &env, &m), TX_OK);
    assert_non_null(env);
    assert_non_null(m);
    tx_free(m);
    tx_free(env);
    free(buf);
    tx_free(NULL);
}

static void
test_sign_msg_same_as_sign(void **state)
{
    fixture *f = *state;
    tx_request_pb r = TICSX__V1__REQUEST__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    ProtobufCBinaryData sup = {TX_KEY_LEN, f->bob->pub.sign};
    uint8_t *a, *b, *payload;
    size_t alen, blen, plen;

    meta.seq = 1;
    r.meta = &meta;
    r.questionnaire.data = (uint8_t *)qid;
    r.questionnaire.len = TX_ID_LEN;
    r.n_suppliers = 1;
    r.suppliers = &sup;
    assert_int_equal(tx_envelope_sign_msg(f->alice, TX_KIND_REQUEST, &r.base, &a, &alen), TX_OK);
    assert_int_equal(tx_pack(&r.base, &payload, &plen), TX_OK);
    assert_int_equal(tx_envelope_sign(f->alice, TX_KIND_REQUEST, payload, plen, &b, &blen), TX_OK);
    /* Ed25519 is deterministic: same key, same bytes, same envelope. */
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen);
    free(a);
    free(b);

    assert_int_equal(tx_envelope_sign(f->alice, TX_KIND_NONE, payload, plen, &b, &blen),
                     TX_ERR_USAGE);
    assert_int_equal(tx_envelope_sign(f->alice, 42, payload, plen, &b, &blen), TX_ERR_USAGE);
    free(payload);
}

static void
test_every_bit_flip_fails(void **state)
{
    fixture *f = *state;
    uint8_t *buf, *copy;
    size_t len;
    tx_envelope_pb *env;

    signed_request(f, &buf, &len);
    copy = malloc(len);
    assert_non_null(copy);
    for (size_t bit = 0; bit < len * 8; bit++) {
        memcpy(copy, buf, len);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        env = NULL;
        int rc = tx_envelope_open(copy, len, &env);
        if (rc == TX_OK) {
            fail_msg("bit %zu (byte %zu) flipped: envelope still opens", bit, bit / 8);
        }
        assert_null(env);
    }
    /* Every truncation fails too, and so does trailing garbage. */
    for (size_t cut = 0; cut < len; cut++) {
        env = NULL;
        assert_int_not_equal(tx_envelope_open(buf, cut, &env), TX_OK);
        assert_null(env);
    }
    copy = realloc(copy, len + 1);
    assert_non_null(copy);
    memcpy(copy, buf, len);
    copy[len] = 0;
    assert_int_not_equal(tx_envelope_open(copy, len + 1, &env), TX_OK);
    free(copy);
    free(buf);
}

/* Decodes buf without verifying it. Caller frees (tx_free). */
static tx_envelope_pb *
parse_raw(const uint8_t *buf, size_t len)
{
    tx_envelope_pb *env = NULL;

    assert_int_equal(tx_decode_envelope(buf, len, &env), TX_OK);
    return env;
}

static void
test_payload_type_swapped(void **state)
{
    fixture *f = *state;
    int kinds[64];
    size_t n = all_kinds(kinds, TX_ARRAY_LEN(kinds));
    uint8_t *buf, *out;
    size_t len, out_len;

    assert_true(n >= 6);
    signed_request(f, &buf, &len);
    for (size_t i = 0; i < n; i++) {
        if (kinds[i] == TX_KIND_REQUEST) {
            continue;
        }
        tx_envelope_pb *env = parse_raw(buf, len), *opened = NULL;
        char *orig = env->payload_type;

        env->payload_type = (char *)tx_kind_payload_type(kinds[i]);
        assert_int_equal(tx_pack(&env->base, &out, &out_len), TX_OK);
        env->payload_type = orig;
        tx_free(env);
        /* The swapped envelope is well formed; only the signature gives it away. */
        env = parse_raw(out, out_len);
        tx_free(env);
        assert_int_equal(tx_envelope_open(out, out_len, &opened), TX_ERR_BAD_SIGNATURE);
        assert_null(opened);
        free(out);
    }
    free(buf);
}

/* Packs buf's envelope again with the signer key and/or payload replaced (NULL keeps it). */
static void
repack(const uint8_t *buf, size_t len, const uint8_t *signer, const uint8_t *payload,
       size_t payload_len, uint8_t **out, size_t *out_len)
{
    tx_envelope_pb *env = parse_raw(buf, len);
    tx_envelope_pb copy = *env;

    if (signer != NULL) {
        copy.signer_key.data = (uint8_t *)signer;
    }
    if (payload != NULL) {
        copy.payload.data = (uint8_t *)payload;
        copy.payload.len = payload_len;
    }
    assert_int_equal(tx_pack(&copy.base, out, out_len), TX_OK);
    tx_free(env);
}

static void
test_wrong_signer(void **state)
{
    fixture *f = *state;
    uint8_t *buf, *bob_buf, *out, *payload;
    size_t len, bob_len, out_len, plen;
    tx_envelope_pb *opened = NULL;

    /* Alice's signature presented as Bob's. */
    signed_request(f, &buf, &len);
    repack(buf, len, f->bob->pub.sign, NULL, 0, &out, &out_len);
    assert_int_equal(tx_envelope_open(out, out_len, &opened), TX_ERR_BAD_SIGNATURE);
    assert_null(opened);
    free(out);

    /* Bob signs, but the envelope names Alice. */
    pack_request(f->bob, 7, &payload, &plen);
    assert_int_equal(tx_envelope_sign(f->bob, TX_KIND_REQUEST, payload, plen, &bob_buf, &bob_len),
                     TX_OK);
    repack(bob_buf, bob_len, f->alice->pub.sign, NULL, 0, &out, &out_len);
    assert_int_equal(tx_envelope_open(out, out_len, &opened), TX_ERR_BAD_SIGNATURE);
    free(out);
    free(bob_buf);
    free(payload);

    /* Alice's signature moved onto another payload. */
    pack_request(f->bob, 8, &payload, &plen);
    repack(buf, len, NULL, payload, plen, &out, &out_len);
    assert_int_equal(tx_envelope_open(out, out_len, &opened), TX_ERR_BAD_SIGNATURE);
    free(out);
    free(payload);

    /* Wrong-sized keys and signatures are refused before any verification. */
    tx_envelope_pb *env = parse_raw(buf, len);
    tx_envelope_pb sized = *env;
    sized.signer_key.len = 31;
    assert_int_equal(tx_envelope_verify(&sized), TX_ERR_BAD_SIGNATURE);
    sized.signer_key.len = 32;
    sized.signature.len = 63;
    assert_int_equal(tx_envelope_verify(&sized), TX_ERR_BAD_SIGNATURE);
    tx_free(env);
    free(buf);
}

static void
test_pae_dsse_example(void **state)
{
    static const char expected[] = "DSSEv1 29 http://example.com/HelloWorld 11 hello world";
    uint8_t *pae;
    size_t len;

    assert_int_equal(
        tx_pae("http://example.com/HelloWorld", (const uint8_t *)"hello world", 11, &pae, &len),
        TX_OK);
    assert_int_equal(len, strlen(expected));
    assert_memory_equal(pae, expected, len);
    free(pae);

    /* An empty body, and a body holding bytes that look like separators. */
    assert_int_equal(tx_pae("t", NULL, 0, &pae, &len), TX_OK);
    assert_int_equal(len, 13);
    assert_memory_equal(pae, "DSSEv1 1 t 0 ", 13);
    free(pae);
    assert_int_equal(tx_pae("", (const uint8_t *)"\0 1\n", 4, &pae, &len), TX_OK);
    assert_int_equal(len, 16);
    assert_memory_equal(pae, "DSSEv1 0  4 \0 1\n", 16);
    free(pae);

    /* Lengths are decimal without padding, however long. */
    uint8_t body[1000];
    memset(body, 'b', sizeof body);
    assert_int_equal(tx_pae(tx_kind_payload_type(TX_KIND_GRANT), body, sizeof body, &pae, &len),
                     TX_OK);
    assert_memory_equal(pae, "DSSEv1 30 application/vnd.ticsx.grant.v1 1000 b", 47);
    assert_int_equal(len, 46 + 1000);
    free(pae);
}

static void
test_signature_covers_pae(void **state)
{
    fixture *f = *state;
    uint8_t *buf, *pae;
    size_t len, pae_len;
    tx_envelope_pb *env;

    /* The signature is plain Ed25519 over PAE(type, payload): any DSSE verifier agrees. */
    signed_request(f, &buf, &len);
    env = parse_raw(buf, len);
    assert_int_equal(tx_pae(env->payload_type, env->payload.data, env->payload.len, &pae, &pae_len),
                     TX_OK);
    assert_int_equal(
        crypto_sign_verify_detached(env->signature.data, pae, pae_len, f->alice->pub.sign), 0);
    assert_int_not_equal(crypto_sign_verify_detached(env->signature.data, env->payload.data,
                                                     env->payload.len, f->alice->pub.sign),
                         0);
    free(pae);
    tx_free(env);
    free(buf);
}

static void
test_decode_payload_wrong_kind(void **state)
{
    fixture *f = *state;
    uint8_t *buf;
    size_t len;
    tx_envelope_pb *env = NULL;
    ProtobufCMessage *m = (ProtobufCMessage *)&m;
    int kinds[64];
    size_t n = all_kinds(kinds, TX_ARRAY_LEN(kinds));

    signed_request(f, &buf, &len);
    assert_int_equal(tx_envelope_open(buf, len, &env), TX_OK);
    for (size_t i = 0; i < n; i++) {
        if (kinds[i] != TX_KIND_REQUEST) {
            assert_int_equal(tx_decode_payload(env, kinds[i], &m), TX_ERR_WRONG_TYPE);
            assert_null(m);
        }
    }
    assert_int_equal(tx_decode_payload(env, TX_KIND_NONE, &m), TX_ERR_WRONG_TYPE);
    assert_int_equal(tx_decode_payload(env, 42, &m), TX_ERR_WRONG_TYPE);
    assert_null(m);
    assert_non_null(strstr(tx_codec_detail(), "request"));
    tx_free(env);

    env = NULL;
    assert_int_equal(tx_envelope_open_as(buf, len, TX_KIND_GRANT, &env, &m), TX_ERR_WRONG_TYPE);
    assert_null(env);
    assert_null(m);
    free(buf);
}

static void
test_verified_but_unparsable(void **state)
{
    fixture *f = *state;
    static const uint8_t junk[] = {0x0a, 0x05, 'a', 'b'};
    uint8_t *buf;
    size_t len;
    tx_envelope_pb *env = NULL;
    ProtobufCMessage *m;

    /* A valid signature says who sent the bytes, not that they parse. */
    assert_int_equal(tx_envelope_sign(f->alice, TX_KIND_REQUEST, junk, sizeof junk, &buf, &len),
                     TX_OK);
    assert_int_equal(tx_envelope_open(buf, len, &env), TX_OK);
    assert_int_equal(tx_decode_payload(env, TX_KIND_REQUEST, &m), TX_ERR_TRUNCATED);
    assert_null(m);
    tx_free(env);
    free(buf);

    /* An empty payload is refused by the envelope decoder itself. */
    assert_int_equal(tx_envelope_sign(f->alice, TX_KIND_REQUEST, junk, 0, &buf, &len), TX_OK);
    assert_int_equal(tx_envelope_open(buf, len, &env), TX_ERR_MALFORMED);
    assert_null(env);
    free(buf);
}

static void
test_record_id(void **state)
{
    fixture *f = *state;
    static const uint8_t abc_sha256[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                           0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                           0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                           0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    uint8_t id[TX_ID_LEN], id2[TX_ID_LEN];
    char hex[13];
    uint8_t *buf;
    size_t len;

    /* FIPS 180-2 example: SHA-256("abc"). */
    tx_record_id((const uint8_t *)"abc", 3, id);
    assert_memory_equal(id, abc_sha256, 32);
    tx_record_id_short(id, hex);
    assert_string_equal(hex, "ba7816bf8f01");

    /* Over the exact envelope bytes: one changed bit is another record. */
    signed_request(f, &buf, &len);
    tx_record_id(buf, len, id);
    crypto_hash_sha256(id2, buf, len);
    assert_memory_equal(id, id2, TX_ID_LEN);
    buf[len - 1] ^= 1;
    tx_record_id(buf, len, id2);
    assert_memory_not_equal(id, id2, TX_ID_LEN);
    free(buf);
}

static void
test_seal_content(void **state)
{
    static const char plain[] = "signed inner assessment bytes";
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t *key2 = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t nonce[TX_NONCE_LEN], nonce2[TX_NONCE_LEN], other_qid[TX_ID_LEN];
    uint8_t *ct, *ct2, *back;
    size_t ct_len, ct2_len, back_len;

    assert_non_null(key);
    assert_non_null(key2);
    assert_int_equal(
        tx_seal_content((const uint8_t *)plain, sizeof plain, qid, key, nonce, &ct, &ct_len),
        TX_OK);
    assert_int_equal(ct_len, sizeof plain + 16);
    assert_null(memmem(ct, ct_len, "assessment", 10));
    assert_int_equal(tx_open_content(ct, ct_len, qid, key, nonce, &back, &back_len), TX_OK);
    assert_int_equal(back_len, sizeof plain);
    assert_memory_equal(back, plain, sizeof plain);
    free(back);

    /* Fresh key and nonce each time. */
    assert_int_equal(
        tx_seal_content((const uint8_t *)plain, sizeof plain, qid, key2, nonce2, &ct2, &ct2_len),
        TX_OK);
    assert_memory_not_equal(key, key2, TX_CONTENT_KEY_LEN);
    assert_memory_not_equal(nonce, nonce2, TX_NONCE_LEN);
    assert_memory_not_equal(ct, ct2, ct_len);

    back = (uint8_t *)&back;
    assert_int_equal(tx_open_content(ct, ct_len, qid, key2, nonce, &back, &back_len),
                     TX_ERR_DECRYPT);
    assert_null(back);
    assert_int_equal(tx_open_content(ct, ct_len, qid, key, nonce2, &back, &back_len),
                     TX_ERR_DECRYPT);
    memcpy(other_qid, qid, TX_ID_LEN);
    other_qid[31] ^= 1;
    assert_int_equal(tx_open_content(ct, ct_len, other_qid, key, nonce, &back, &back_len),
                     TX_ERR_DECRYPT);
    for (size_t cut = 0; cut < ct_len; cut++) {
        assert_int_equal(tx_open_content(ct, cut, qid, key, nonce, &back, &back_len),
                         TX_ERR_DECRYPT);
    }
    for (size_t bit = 0; bit < ct_len * 8; bit++) {
        ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(tx_open_content(ct, ct_len, qid, key, nonce, &back, &back_len),
                         TX_ERR_DECRYPT);
        ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    free(ct);
    free(ct2);

    /* Empty content seals to the tag alone and opens to nothing. */
    assert_int_equal(tx_seal_content((const uint8_t *)"", 0, qid, key, nonce, &ct, &ct_len), TX_OK);
    assert_int_equal(ct_len, 16);
    assert_int_equal(tx_open_content(ct, ct_len, qid, key, nonce, &back, &back_len), TX_OK);
    assert_int_equal(back_len, 0);
    free(back);
    free(ct);
    sodium_free(key);
    sodium_free(key2);
}

static void
test_seal_key(void **state)
{
    fixture *f = *state;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t *back = sodium_malloc(TX_CONTENT_KEY_LEN);
    uint8_t sealed[TX_SEALED_KEY_LEN], sealed2[TX_SEALED_KEY_LEN];

    assert_non_null(key);
    assert_non_null(back);
    randombytes_buf(key, TX_CONTENT_KEY_LEN);
    assert_int_equal(tx_seal_key(key, f->bob->pub.seal, sealed), TX_OK);
    assert_int_equal(tx_open_key(f->bob, sealed, back), TX_OK);
    assert_memory_equal(back, key, TX_CONTENT_KEY_LEN);

    /* Sealed to Bob: Alice cannot open it, nor can Bob's transport key. */
    assert_int_equal(tx_open_key(f->alice, sealed, back), TX_ERR_WRONG_KEY);
    assert_int_equal(tx_seal_key(key, f->bob->pub.curve, sealed2), TX_OK);
    assert_int_equal(tx_open_key(f->bob, sealed2, back), TX_ERR_WRONG_KEY);

    /* Sealing is randomised, and any flipped bit is refused. */
    assert_int_equal(tx_seal_key(key, f->bob->pub.seal, sealed2), TX_OK);
    assert_memory_not_equal(sealed, sealed2, TX_SEALED_KEY_LEN);
    for (size_t bit = 0; bit < TX_SEALED_KEY_LEN * 8; bit++) {
        memcpy(sealed2, sealed, sizeof sealed);
        sealed2[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(tx_open_key(f->bob, sealed2, back), TX_ERR_WRONG_KEY);
    }
    sodium_free(key);
    sodium_free(back);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_sign_msg_same_as_sign),
        cmocka_unit_test(test_every_bit_flip_fails),
        cmocka_unit_test(test_payload_type_swapped),
        cmocka_unit_test(test_wrong_signer),
        cmocka_unit_test(test_pae_dsse_example),
        cmocka_unit_test(test_signature_covers_pae),
        cmocka_unit_test(test_decode_payload_wrong_kind),
        cmocka_unit_test(test_verified_but_unparsable),
        cmocka_unit_test(test_record_id),
        cmocka_unit_test(test_seal_content),
        cmocka_unit_test(test_seal_key),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* Unit tests of proto/tx_kinds, the table of record kinds: every kind has a row whose payload
 * type round-trips, whose offsets name the schema's own fields, and from which the sequence
 * number and the references of hand-built records read back as built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tx_codec.h"
#include "tx_error.h"
#include "tx_kinds.h"
#include "tx_util.h"

#include <stdlib.h>
#include <string.h>

static const int all_kinds[] = {
    TX_KIND_PROFILE,
    TX_KIND_QUESTIONNAIRE,
    TX_KIND_REQUEST,
    TX_KIND_ASSESSMENT,
    TX_KIND_GRANT,
    TX_KIND_GRANT_REVOKE,
    TX_KIND_ACCREDITATION,
    TX_KIND_CERTIFICATE,
    TX_KIND_CERT_EVENT,
    TX_KIND_CHECKPOINT,
    TX_KIND_EVIDENCE_CHUNK,
    TX_KIND_REGISTER,
    TX_KIND_MEMBER,
    TX_KIND_MEMBER_REMOVE,
    TX_KIND_DRAFT,
    TX_KIND_DRAFT_DECISION,
    TX_KIND_KEY_SUCCESSOR,
    TX_KIND_KEY_REVOCATION,
    TX_KIND_KEY_REENROLMENT,
    TX_KIND_ORG_SETTINGS,
    TX_KIND_GRANT_APPROVAL,
    TX_KIND_INNER_ASSESSMENT,
};

static void
test_every_kind_has_a_row(void **state)
{
    (void)state;
    assert_int_equal(tx_kind_count(), TX_ARRAY_LEN(all_kinds));
    for (size_t i = 0; i < TX_ARRAY_LEN(all_kinds); i++) {
        const tx_kind_info *k = tx_kind_get(all_kinds[i]);

        assert_non_null(k);
        assert_int_equal(k->kind, all_kinds[i]);
        assert_non_null(k->name);
        assert_non_null(k->payload_type);
        assert_non_null(k->desc);
        assert_non_null(k->check);
        /* tx_kind_at walks the rows in kind order. */
        assert_ptr_equal(tx_kind_at(i), k);
    }
    assert_null(tx_kind_at(tx_kind_count()));
    assert_null(tx_kind_get(TX_KIND_NONE));
    assert_null(tx_kind_get(99));
    assert_string_equal(tx_kind_name(TX_KIND_NONE), "unknown");
    assert_null(tx_kind_payload_type(TX_KIND_NONE));
}

static void
test_payload_types_round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < tx_kind_count(); i++) {
        const tx_kind_info *k = tx_kind_at(i);

        assert_int_equal(tx_kind_from_payload_type(k->payload_type), k->kind);
        assert_string_equal(tx_kind_payload_type(k->kind), k->payload_type);
        assert_string_equal(tx_kind_name(k->kind), k->name);
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(tx_kind_at(j)->payload_type, k->payload_type);
            assert_string_not_equal(tx_kind_at(j)->name, k->name);
        }
    }
    /* The wire strings themselves: records signed before the table must still open. */
    assert_int_equal(tx_kind_from_payload_type("application/vnd.ticsx.sealed-assessment.v1"),
                     TX_KIND_ASSESSMENT);
    assert_int_equal(tx_kind_from_payload_type("application/vnd.ticsx.assessment.v1"),
                     TX_KIND_INNER_ASSESSMENT);
    assert_int_equal(tx_kind_from_payload_type("application/vnd.ticsx.profile.v2"), TX_KIND_NONE);
    assert_int_equal(tx_kind_from_payload_type(""), TX_KIND_NONE);
}

static void
test_stored_and_public(void **state)
{
    (void)state;
    for (size_t i = 0; i < TX_ARRAY_LEN(all_kinds); i++) {
        int k = all_kinds[i];
        int pub = k == TX_KIND_PROFILE || k == TX_KIND_QUESTIONNAIRE ||
                  k == TX_KIND_ACCREDITATION || k == TX_KIND_CERTIFICATE ||
                  k == TX_KIND_CERT_EVENT || k == TX_KIND_REGISTER || k == TX_KIND_MEMBER ||
                  k == TX_KIND_MEMBER_REMOVE || k == TX_KIND_KEY_SUCCESSOR ||
                  k == TX_KIND_KEY_REVOCATION || k == TX_KIND_KEY_REENROLMENT ||
                  k == TX_KIND_ORG_SETTINGS;

        assert_int_equal(tx_kind_is_stored(k),
                         (k >= TX_KIND_PROFILE && k <= TX_KIND_CERT_EVENT) ||
                             k == TX_KIND_EVIDENCE_CHUNK || k == TX_KIND_REGISTER ||
                             k == TX_KIND_MEMBER || k == TX_KIND_MEMBER_REMOVE ||
                             k == TX_KIND_DRAFT || k == TX_KIND_DRAFT_DECISION ||
                             k == TX_KIND_KEY_SUCCESSOR || k == TX_KIND_KEY_REVOCATION ||
                             k == TX_KIND_KEY_REENROLMENT || k == TX_KIND_ORG_SETTINGS ||
                             k == TX_KIND_GRANT_APPROVAL);
        assert_int_equal(tx_kind_is_public(k), pub);
    }
    assert_false(tx_kind_is_stored(TX_KIND_NONE));
    assert_false(tx_kind_is_public(TX_KIND_NONE));
}

/* The row's offsets are those of the schema's fields of the same name. */
static void
test_offsets_match_the_schema(void **state)
{
    (void)state;
    for (size_t i = 0; i < tx_kind_count(); i++) {
        const tx_kind_info *k = tx_kind_at(i);
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field_by_name(k->desc, "meta");

        if (k->kind == TX_KIND_CHECKPOINT) {
            assert_null(f);
            assert_int_equal(k->meta, 0);
        } else {
            assert_non_null(f);
            assert_ptr_equal(f->descriptor, &ticsx__v1__meta__descriptor);
            assert_int_equal(f->offset, k->meta);
        }
        for (const tx_kind_ref *r = k->refs; r < k->refs + TX_KIND_MAX_REFS && r->field; r++) {
            f = protobuf_c_message_descriptor_get_field_by_name(k->desc, r->field);
            assert_non_null(f);
            assert_int_equal(f->type, PROTOBUF_C_TYPE_BYTES);
            assert_int_equal(f->label, PROTOBUF_C_LABEL_NONE);
            assert_int_equal(f->offset, r->offset);
            assert_non_null(tx_kind_get(r->kind));
            assert_non_null(r->noun);
            assert_true(r->rule != TX_REF_AUTHOR || r->act != NULL);
        }
    }
}

/* Every kind's sequence number, read from a record built by hand through its descriptor. */
static void
test_seq_of_every_kind(void **state)
{
    (void)state;
    for (size_t i = 0; i < tx_kind_count(); i++) {
        const tx_kind_info *k = tx_kind_at(i);
        tx_meta_pb meta = TICSX__V1__META__INIT;
        ProtobufCMessage *m = calloc(1, k->desc->sizeof_message);

        assert_non_null(m);
        protobuf_c_message_init(k->desc, m);
        assert_int_equal(tx_kind_seq(k->kind, m), 0);
        if (k->meta != 0) {
            meta.seq = 1000 + (uint64_t)k->kind;
            *(tx_meta_pb **)((char *)m + k->meta) = &meta;
            assert_int_equal(tx_kind_seq(k->kind, m), 1000 + (uint64_t)k->kind);
        }
        free(m);
    }
}

static uint8_t id_a[TX_ID_LEN], id_b[TX_ID_LEN], key[TX_KEY_LEN], sealed_key[TX_SEALED_KEY_LEN];

static void
fill_ids(void)
{
    memset(id_a, 0xaa, sizeof id_a);
    memset(id_b, 0xbb, sizeof id_b);
    memset(key, 0x11, sizeof key);
    memset(sealed_key, 0x22, sizeof sealed_key);
}

/* Packs m and decodes it again as `kind` through the codec: the table's checks run. */
static ProtobufCMessage *
round_trip(int kind, const ProtobufCMessage *m)
{
    ProtobufCMessage *out = NULL;
    uint8_t *buf;
    size_t len;

    assert_int_equal(tx_pack(m, &buf, &len), TX_OK);
    assert_int_equal(tx_decode_kind(kind, buf, len, &out), TX_OK);
    free(buf);
    return out;
}

/* refs[i] names `id`, through `field`, a record of `kind`, checked by `rule`. */
static void
assert_ref(const tx_ref *r, const char *field, int kind, tx_ref_rule rule, const uint8_t *id)
{
    assert_string_equal(r->ref->field, field);
    assert_int_equal(r->ref->kind, kind);
    assert_int_equal(r->ref->rule, rule);
    assert_memory_equal(r->id, id, TX_ID_LEN);
}

static void
test_grant_refs(void **state)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_grant_pb g = TICSX__V1__GRANT__INIT;
    ProtobufCMessage *m;
    tx_ref refs[TX_KIND_MAX_REFS];
    uint8_t *buf;
    size_t len;

    (void)state;
    fill_ids();
    meta.seq = 9;
    g.meta = &meta;
    g.assessment = (ProtobufCBinaryData){TX_ID_LEN, id_a};
    g.grantee = (ProtobufCBinaryData){TX_KEY_LEN, key};
    g.sealed_key = (ProtobufCBinaryData){TX_SEALED_KEY_LEN, sealed_key};

    /* Without the optional request: one reference, the signer's own assessment. */
    m = round_trip(TX_KIND_GRANT, &g.base);
    assert_int_equal(tx_kind_seq(TX_KIND_GRANT, m), 9);
    assert_int_equal(tx_kind_refs(TX_KIND_GRANT, m, refs), 1);
    assert_ref(&refs[0], "assessment", TX_KIND_ASSESSMENT, TX_REF_OWN, id_a);
    assert_null(tx_kind_replaced(TX_KIND_GRANT, m));
    tx_free(m);

    g.request = (ProtobufCBinaryData){TX_ID_LEN, id_b};
    m = round_trip(TX_KIND_GRANT, &g.base);
    assert_int_equal(tx_kind_refs(TX_KIND_GRANT, m, refs), 2);
    assert_ref(&refs[1], "request", TX_KIND_REQUEST, TX_REF_NAMED, id_b);
    tx_free(m);

    /* A reference of the wrong length, or a Meta without a sequence number, is refused. */
    g.request.len = TX_ID_LEN - 1;
    assert_false(tx_kind_check(TX_KIND_GRANT, &g.base));
    assert_int_equal(tx_pack(&g.base, &buf, &len), TX_OK);
    assert_int_equal(tx_decode_kind(TX_KIND_GRANT, buf, len, &m), TX_ERR_MALFORMED);
    assert_null(m);
    free(buf);
    g.request.len = TX_ID_LEN;
    assert_true(tx_kind_check(TX_KIND_GRANT, &g.base));
    meta.seq = 0;
    assert_false(tx_kind_check(TX_KIND_GRANT, &g.base));
    /* ...and so is a payload checked as another kind. */
    meta.seq = 9;
    assert_false(tx_kind_check(TX_KIND_GRANT_REVOKE, &g.base));
}

/* A member record names two distinct keys of 32 bytes, a role, a name and an ordered period;
 * a removal names the organisation and the member. Each defect alone is refused. */
static void
test_member_checks(void **state)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_member_pb r = TICSX__V1__MEMBER_RECORD__INIT;
    tx_member_remove_pb x = TICSX__V1__MEMBER_REMOVE__INIT;
    ProtobufCMessage *m;

    (void)state;
    fill_ids();
    meta.seq = 4;
    r.meta = &meta;
    r.organisation = (ProtobufCBinaryData){TX_KEY_LEN, id_a};
    r.signing_key = r.seal_key = r.transport_key = (ProtobufCBinaryData){TX_KEY_LEN, key};
    r.name = "Sato";
    r.role = TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_VIEWER;
    r.valid_from = 100;
    m = round_trip(TX_KIND_MEMBER, &r.base);
    assert_int_equal(tx_kind_seq(TX_KIND_MEMBER, m), 4);
    tx_free(m);
    r.org_seal_key = (ProtobufCBinaryData){TX_SEALED_KEY_LEN, sealed_key};
    r.valid_until = 101;
    assert_true(tx_kind_check(TX_KIND_MEMBER, &r.base));

    r.org_seal_key.len = TX_SEALED_KEY_LEN - 1;
    assert_false(tx_kind_check(TX_KIND_MEMBER, &r.base));
    r.org_seal_key.len = TX_SEALED_KEY_LEN;
    r.valid_until = 100;
    assert_false(tx_kind_check(TX_KIND_MEMBER, &r.base));
    r.valid_until = 0;
    r.role = TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_NONE;
    assert_false(tx_kind_check(TX_KIND_MEMBER, &r.base));
    r.role = TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN + 1;
    assert_false(tx_kind_check(TX_KIND_MEMBER, &r.base));
    r.role = TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN;
    r.name = "";
    assert_false(tx_kind_check(TX_KIND_MEMBER, &r.base));
    r.name = "Sato";
    /* The organisation cannot be its own member. */
    r.organisation.data = key;
    assert_false(tx_kind_check(TX_KIND_MEMBER, &r.base));
    r.organisation.data = id_a;
    r.transport_key.len = TX_KEY_LEN - 1;
    assert_false(tx_kind_check(TX_KIND_MEMBER, &r.base));
    r.transport_key.len = TX_KEY_LEN;
    assert_true(tx_kind_check(TX_KIND_MEMBER, &r.base));

    x.meta = &meta;
    x.organisation = (ProtobufCBinaryData){TX_KEY_LEN, id_a};
    x.signing_key = (ProtobufCBinaryData){TX_KEY_LEN, key};
    x.effective = 200;
    m = round_trip(TX_KIND_MEMBER_REMOVE, &x.base);
    tx_free(m);
    x.signing_key.len = 0;
    assert_false(tx_kind_check(TX_KIND_MEMBER_REMOVE, &x.base));
    x.signing_key.len = TX_KEY_LEN;
    x.effective = -1;
    assert_false(tx_kind_check(TX_KIND_MEMBER_REMOVE, &x.base));
}

/* A key successor names five keys of 32 bytes and a 64-byte proof; its signing key is new (not
 * the organisation's, not the one it replaces). Each defect alone is refused. */
static void
test_key_successor_checks(void **state)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_key_successor_pb r = TICSX__V1__KEY_SUCCESSOR__INIT;
    uint8_t sig[TX_SIG_LEN] = {7};
    ProtobufCMessage *m;

    (void)state;
    fill_ids();
    meta.seq = 5;
    r.meta = &meta;
    r.organisation = r.predecessor = (ProtobufCBinaryData){TX_KEY_LEN, id_a};
    r.signing_key = r.seal_key = r.transport_key = (ProtobufCBinaryData){TX_KEY_LEN, key};
    r.proof = (ProtobufCBinaryData){TX_SIG_LEN, sig};
    r.effective = 300;
    m = round_trip(TX_KIND_KEY_SUCCESSOR, &r.base);
    assert_int_equal(tx_kind_seq(TX_KIND_KEY_SUCCESSOR, m), 5);
    tx_free(m);
    r.proof.len = TX_SIG_LEN - 1;
    assert_false(tx_kind_check(TX_KIND_KEY_SUCCESSOR, &r.base));
    r.proof.len = TX_SIG_LEN;
    r.seal_key.len = 0;
    assert_false(tx_kind_check(TX_KIND_KEY_SUCCESSOR, &r.base));
    r.seal_key.len = TX_KEY_LEN;
    r.effective = -1;
    assert_false(tx_kind_check(TX_KIND_KEY_SUCCESSOR, &r.base));
    r.effective = 300;
    r.signing_key.data = id_a; /* the organisation's own key again */
    assert_false(tx_kind_check(TX_KIND_KEY_SUCCESSOR, &r.base));
    r.signing_key.data = key;
    r.predecessor.data = key; /* a key succeeding itself */
    assert_false(tx_kind_check(TX_KIND_KEY_SUCCESSOR, &r.base));
    r.predecessor.data = id_a;
    assert_true(tx_kind_check(TX_KIND_KEY_SUCCESSOR, &r.base));
}

/* A key revocation names two keys, a date not before 1970 and a reason. */
static void
test_key_revocation_checks(void **state)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_key_revocation_pb r = TICSX__V1__KEY_REVOCATION__INIT;
    ProtobufCMessage *m;

    (void)state;
    fill_ids();
    meta.seq = 6;
    r.meta = &meta;
    r.organisation = (ProtobufCBinaryData){TX_KEY_LEN, id_a};
    r.key = (ProtobufCBinaryData){TX_KEY_LEN, key};
    r.from = 400;
    r.from_index = 12;
    r.reason = "laptop stolen";
    m = round_trip(TX_KIND_KEY_REVOCATION, &r.base);
    assert_int_equal(tx_kind_seq(TX_KIND_KEY_REVOCATION, m), 6);
    tx_free(m);
    r.reason = "";
    assert_false(tx_kind_check(TX_KIND_KEY_REVOCATION, &r.base));
    r.reason = "laptop stolen";
    r.key.len = 31;
    assert_false(tx_kind_check(TX_KIND_KEY_REVOCATION, &r.base));
    r.key.len = TX_KEY_LEN;
    r.from = -1;
    assert_false(tx_kind_check(TX_KIND_KEY_REVOCATION, &r.base));
    r.from = 0;
    assert_true(tx_kind_check(TX_KIND_KEY_REVOCATION, &r.base));
}

/* A re-enrolment names five keys (the new one new), a valid corporate number and a profile. */
static void
test_key_reenrolment_checks(void **state)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_key_reenrolment_pb r = TICSX__V1__KEY_REENROLMENT__INIT;
    uint8_t prof[4] = {1, 2, 3, 4};
    ProtobufCMessage *m;

    (void)state;
    fill_ids();
    meta.seq = 7;
    r.meta = &meta;
    r.organisation = r.replaces = (ProtobufCBinaryData){TX_KEY_LEN, id_a};
    r.signing_key = r.seal_key = r.transport_key = (ProtobufCBinaryData){TX_KEY_LEN, key};
    r.effective = 500;
    r.corporate_number = "3700000000001";
    r.profile = (ProtobufCBinaryData){sizeof prof, prof};
    m = round_trip(TX_KIND_KEY_REENROLMENT, &r.base);
    assert_int_equal(tx_kind_seq(TX_KIND_KEY_REENROLMENT, m), 7);
    tx_free(m);
    r.corporate_number = "3700000000002"; /* a wrong check digit */
    assert_false(tx_kind_check(TX_KIND_KEY_REENROLMENT, &r.base));
    r.corporate_number = "3700000000001";
    r.signing_key.data = id_a;
    assert_false(tx_kind_check(TX_KIND_KEY_REENROLMENT, &r.base));
    r.signing_key.data = key;
    r.profile.len = 0;
    assert_false(tx_kind_check(TX_KIND_KEY_REENROLMENT, &r.base));
    r.profile.len = sizeof prof;
    assert_true(tx_kind_check(TX_KIND_KEY_REENROLMENT, &r.base));
}

static void
test_supersede_refs(void **state)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_sealed_pb s = TICSX__V1__SEALED_ASSESSMENT__INIT;
    uint8_t nonce[TX_NONCE_LEN] = {0}, ct[TX_AEAD_TAG_LEN + 1] = {0};
    tx_ref refs[TX_KIND_MAX_REFS];
    ProtobufCMessage *m;

    (void)state;
    fill_ids();
    meta.seq = 3;
    s.meta = &meta;
    s.questionnaire = (ProtobufCBinaryData){TX_ID_LEN, id_a};
    s.nonce = (ProtobufCBinaryData){sizeof nonce, nonce};
    s.ciphertext = (ProtobufCBinaryData){sizeof ct, ct};
    m = round_trip(TX_KIND_ASSESSMENT, &s.base);
    assert_int_equal(tx_kind_seq(TX_KIND_ASSESSMENT, m), 3);
    assert_int_equal(tx_kind_refs(TX_KIND_ASSESSMENT, m, refs), 1);
    assert_ref(&refs[0], "questionnaire", TX_KIND_QUESTIONNAIRE, TX_REF_STORED, id_a);
    assert_null(tx_kind_replaced(TX_KIND_ASSESSMENT, m));
    tx_free(m);

    s.supersedes = (ProtobufCBinaryData){TX_ID_LEN, id_b};
    m = round_trip(TX_KIND_ASSESSMENT, &s.base);
    assert_int_equal(tx_kind_refs(TX_KIND_ASSESSMENT, m, refs), 2);
    assert_ref(&refs[0], "questionnaire", TX_KIND_QUESTIONNAIRE, TX_REF_STORED, id_a);
    assert_ref(&refs[1], "supersedes", TX_KIND_ASSESSMENT, TX_REF_OWN, id_b);
    assert_memory_equal(tx_kind_replaced(TX_KIND_ASSESSMENT, m), id_b, TX_ID_LEN);
    tx_free(m);

    /* The content key sealed to the organisation: one sealed box of a key, or none (older). */
    s.org_key_sealed = (ProtobufCBinaryData){TX_SEALED_KEY_LEN, sealed_key};
    assert_true(tx_kind_check(TX_KIND_ASSESSMENT, &s.base));
    s.org_key_sealed.len = TX_SEALED_KEY_LEN - 1;
    assert_false(tx_kind_check(TX_KIND_ASSESSMENT, &s.base));
    s.org_key_sealed.len = TX_SEALED_KEY_LEN + 1;
    assert_false(tx_kind_check(TX_KIND_ASSESSMENT, &s.base));
}

static void
test_revoke_event_request_refs(void **state)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_grant_revoke_pb v = TICSX__V1__GRANT_REVOKE__INIT;
    tx_cert_event_pb e = TICSX__V1__CERTIFICATE_EVENT__INIT;
    tx_request_pb r = TICSX__V1__REQUEST__INIT;
    ProtobufCBinaryData suppliers[1];
    tx_ref refs[TX_KIND_MAX_REFS];
    ProtobufCMessage *m;

    (void)state;
    fill_ids();
    meta.seq = 5;
    v.meta = &meta;
    v.grant = (ProtobufCBinaryData){TX_ID_LEN, id_a};
    v.assessment = (ProtobufCBinaryData){TX_ID_LEN, id_b};
    v.grantee = (ProtobufCBinaryData){TX_KEY_LEN, key};
    m = round_trip(TX_KIND_GRANT_REVOKE, &v.base);
    assert_int_equal(tx_kind_seq(TX_KIND_GRANT_REVOKE, m), 5);
    assert_int_equal(tx_kind_refs(TX_KIND_GRANT_REVOKE, m, refs), 2);
    assert_ref(&refs[0], "grant", TX_KIND_GRANT, TX_REF_OWN, id_a);
    assert_ref(&refs[1], "assessment", TX_KIND_ASSESSMENT, TX_REF_NAMED, id_b);
    tx_free(m);

    e.meta = &meta;
    e.certificate = (ProtobufCBinaryData){TX_ID_LEN, id_b};
    e.kind = TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_SUSPENDED;
    m = round_trip(TX_KIND_CERT_EVENT, &e.base);
    assert_int_equal(tx_kind_refs(TX_KIND_CERT_EVENT, m, refs), 1);
    assert_ref(&refs[0], "certificate", TX_KIND_CERTIFICATE, TX_REF_AUTHOR, id_b);
    assert_string_equal(refs[0].ref->act, "record events for it");
    tx_free(m);

    suppliers[0] = (ProtobufCBinaryData){TX_KEY_LEN, key};
    r.meta = &meta;
    r.questionnaire = (ProtobufCBinaryData){TX_ID_LEN, id_a};
    r.n_suppliers = 1;
    r.suppliers = suppliers;
    r.on_behalf_of = (ProtobufCBinaryData){TX_ID_LEN, id_b};
    m = round_trip(TX_KIND_REQUEST, &r.base);
    assert_int_equal(tx_kind_refs(TX_KIND_REQUEST, m, refs), 2);
    assert_ref(&refs[0], "questionnaire", TX_KIND_QUESTIONNAIRE, TX_REF_STORED, id_a);
    assert_ref(&refs[1], "on_behalf_of", TX_KIND_REQUEST, TX_REF_NAMED, id_b);
    tx_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_has_a_row),
        cmocka_unit_test(test_payload_types_round_trip),
        cmocka_unit_test(test_stored_and_public),
        cmocka_unit_test(test_offsets_match_the_schema),
        cmocka_unit_test(test_seq_of_every_kind),
        cmocka_unit_test(test_grant_refs),
        cmocka_unit_test(test_supersede_refs),
        cmocka_unit_test(test_member_checks),
        cmocka_unit_test(test_key_successor_checks),
        cmocka_unit_test(test_key_revocation_checks),
        cmocka_unit_test(test_key_reenrolment_checks),
        cmocka_unit_test(test_revoke_event_request_refs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The limits table drives both sides, and every limit in it is tested from the table itself:
 * for every record kind, every string and every list reachable from it is set one past its
 * row's limit (and to invalid UTF-8, and to exactly the limit), and the sender's check and the
 * reader's decoder must agree: both refuse, the sender naming the field and the limit. A row
 * added to the table, or a string added to the schema, is tested without a new line here.
 * Then the rows filled from answers files are tested through the answers parser (CSV, JSON),
 * which must name file, line or entry, item and limit. */
#include "tx_answer_file.h"
#include "tx_builtin.h"
#include "tx_error.h"
#include "tx_limits.h"
#include "tx_msg.h"
#include "tx_outgoing.h"
#include "tx_questionnaire.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>
#include <zip.h>

static uint8_t zeros[64];

/* A valid record of each kind, with every sub-message present and every list holding one
 * element, so every field can be reached. Packed into *buf. */
static void
baseline(int kind, uint8_t **buf, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    ProtobufCBinaryData id = {TX_ID_LEN, zeros}, key = {TX_KEY_LEN, zeros};
    const ProtobufCMessage *m = NULL;

    meta.seq = 1;
    meta.created = 1700000000;
    switch (kind) {
    case TX_KIND_PROFILE: {
        static tx_profile_pb p = TICSX__V1__ORG_PROFILE__INIT;
        p.meta = &meta;
        p.legal_name = "Example KK";
        p.corporate_number = "7123456789012";
        p.seal_key = key;
        p.transport_key = key;
        m = &p.base;
        break;
    }
    case TX_KIND_QUESTIONNAIRE: {
        static tx_questionnaire_pb q = TICSX__V1__QUESTIONNAIRE__INIT;
        static tx_local_text_pb t[5];
        static tx_area_pb a = TICSX__V1__AREA__INIT, *ap = &a;
        static tx_item_pb it = TICSX__V1__ITEM__INIT, *itp = &it;
        static tx_choice_pb c = TICSX__V1__CHOICE__INIT, *cp = &c;
        static tx_level_pb l = TICSX__V1__LEVEL__INIT, *lp = &l;
        static tx_topic_pb tp = TICSX__V1__TOPIC__INIT, *tpp = &tp;
        static char *topic_id = "tics-2024.incident";
        static tx_local_text_pb prov = TICSX__V1__LOCAL_TEXT__INIT,
                                tname = TICSX__V1__LOCAL_TEXT__INIT;
        for (int i = 0; i < 5; i++) {
            ticsx__v1__local_text__init(&t[i]);
            t[i].ja = "テキスト";
            t[i].en = "text";
        }
        q.meta = &meta;
        q.id = "q";
        q.version = 1;
        q.title = &t[0];
        a.id = "A1";
        a.name = &t[1];
        it.id = "A1-1";
        it.area = "A1";
        it.level = 1;
        it.text = &t[2];
        it.weight = 1;
        c.code = "yes";
        c.label = &t[3];
        c.score_permille = 1000;
        l.level = 1;
        l.name = &t[4];
        q.areas = &ap;
        q.n_areas = 1;
        q.items = &itp;
        q.n_items = 1;
        q.scale = &cp;
        q.n_scale = 1;
        q.levels = &lp;
        q.n_levels = 1;
        prov.ja = "非公式";
        prov.en = "unofficial";
        tname.ja = "事故対応";
        tname.en = "incident response";
        tp.id = topic_id;
        tp.framework = "tics-2024";
        tp.name = &tname;
        q.topics = &tpp;
        q.n_topics = 1;
        q.provenance = &prov;
        it.topics = &topic_id;
        it.n_topics = 1;
        m = &q.base;
        break;
    }
    case TX_KIND_REQUEST: {
        static tx_request_pb r = TICSX__V1__REQUEST__INIT;
        static ProtobufCBinaryData sup;
        sup = key;
        r.meta = &meta;
        r.questionnaire = id;
        r.suppliers = &sup;
        r.n_suppliers = 1;
        r.note = "please";
        m = &r.base;
        break;
    }
    case TX_KIND_INNER_ASSESSMENT: {
        static tx_assessment_pb a = TICSX__V1__ASSESSMENT__INIT;
        static tx_answer_pb an = TICSX__V1__ANSWER__INIT, *anp = &an;
        static tx_plan_pb pl = TICSX__V1__PLAN__INIT;
        static tx_sub_supplier_pb s = TICSX__V1__SUB_SUPPLIER__INIT, *sp = &s;
        static tx_credential_pb cr = TICSX__V1__CREDENTIAL__INIT, *crp = &cr;
        static tx_evidence_ref_pb ev = TICSX__V1__EVIDENCE_REF__INIT, *evp = &ev;
        static char *ev_name = "tics-certificate.pdf";
        static ProtobufCBinaryData chunk;
        a.meta = &meta;
        a.questionnaire = id;
        an.item = "A1-1";
        an.choice = "yes";
        an.comment = "kept in the safe";
        pl.action = "lock the drawing cabinet";
        pl.due = 1735689600;
        an.plan = &pl;
        an.evidence = &ev_name;
        an.n_evidence = 1;
        s.name = "Sub KK";
        s.supplies = "bolts";
        a.answers = &anp;
        a.n_answers = 1;
        a.suppliers = &sp;
        a.n_suppliers = 1;
        cr.scheme = "tics";
        cr.state = "certified";
        cr.number = "TICS-0001";
        cr.body = "Body";
        cr.holder_name = "Example KK";
        cr.corporate_number = "7123456789012";
        cr.scope = "all sites";
        cr.standard = "2024";
        cr.issued = 1730000000;
        cr.expires = 1730000000 + 86400;
        cr.renews = "TICS-0000";
        cr.evidence = &ev_name;
        cr.n_evidence = 1;
        a.credentials = &crp;
        a.n_credentials = 1;
        chunk = id;
        ev.name = ev_name;
        ev.media_type = "application/pdf";
        ev.size = 10;
        ev.sha256 = id;
        ev.key = key;
        ev.chunks = &chunk;
        ev.n_chunks = 1;
        a.evidence = &evp;
        a.n_evidence = 1;
        m = &a.base;
        break;
    }
    case TX_KIND_ACCREDITATION: {
        static tx_accreditation_pb a = TICSX__V1__ACCREDITATION__INIT;
        static char *scope = "all";
        a.meta = &meta;
        a.body_key = key;
        a.body_name = "Body";
        a.scopes = &scope;
        a.n_scopes = 1;
        a.valid_from = 1;
        a.valid_until = 2;
        a.note = "n";
        m = &a.base;
        break;
    }
    case TX_KIND_CERTIFICATE: {
        static tx_certificate_pb c = TICSX__V1__CERTIFICATE__INIT;
        c.meta = &meta;
        c.number = "C-1";
        c.holder_key = key;
        c.holder_name = "Example KK";
        c.corporate_number = "7123456789012";
        c.scope = "all sites";
        c.sector = "manufacturing";
        c.criteria_version = 2024;
        c.issued = 1700000000;
        c.expires = 1700000000 + 86400;
        m = &c.base;
        break;
    }
    case TX_KIND_CERT_EVENT: {
        static tx_cert_event_pb e = TICSX__V1__CERTIFICATE_EVENT__INIT;
        e.meta = &meta;
        e.certificate = id;
        e.kind = TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_SUSPENDED;
        e.note = "n";
        m = &e.base;
        break;
    }
    case TX_KIND_REGISTER: {
        static tx_register_pb r = TICSX__V1__REGISTER__INIT;
        static tx_register_entry_pb e = TICSX__V1__REGISTER_ENTRY__INIT, *ep = &e;
        static tx_local_text_pb title = TICSX__V1__LOCAL_TEXT__INIT;
        static char *sector = "manufacturing";
        r.meta = &meta;
        r.list = "tics-certified";
        title.ja = "認証取得事業者";
        title.en = "certified organisations";
        r.title = &title;
        r.source = "https://www.meti.go.jp/";
        r.as_of = 1700000000;
        e.number = "TICS-0001";
        e.holder_name = "Example KK";
        e.corporate_number = "7123456789012";
        e.body = "Body";
        e.scope = "all sites";
        e.sectors = &sector;
        e.n_sectors = 1;
        e.note = "n";
        r.entries = &ep;
        r.n_entries = 1;
        m = &r.base;
        break;
    }
    case TX_KIND_MEMBER: {
        static tx_member_pb r = TICSX__V1__MEMBER_RECORD__INIT;
        static uint8_t org[TX_KEY_LEN] = {1};
        r.meta = &meta;
        r.organisation = (ProtobufCBinaryData){TX_KEY_LEN, org};
        r.signing_key = key;
        r.seal_key = key;
        r.transport_key = key;
        r.name = "佐藤 花子";
        r.role = TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER;
        m = &r.base;
        break;
    }
    case TX_KIND_KEY_REVOCATION: {
        static tx_key_revocation_pb r = TICSX__V1__KEY_REVOCATION__INIT;
        static uint8_t org[TX_KEY_LEN] = {1};
        r.meta = &meta;
        r.organisation = (ProtobufCBinaryData){TX_KEY_LEN, org};
        r.key = key;
        r.from = 1700000000;
        r.reason = "laptop stolen";
        m = &r.base;
        break;
    }
    default:
        fail_msg("no baseline for kind %d", kind);
    }
    assert_int_equal(tx_pack(m, buf, len), TX_OK);
}

static const int kinds[] = {TX_KIND_PROFILE,          TX_KIND_QUESTIONNAIRE, TX_KIND_REQUEST,
                            TX_KIND_INNER_ASSESSMENT, TX_KIND_ACCREDITATION, TX_KIND_CERTIFICATE,
                            TX_KIND_CERT_EVENT,       TX_KIND_REGISTER,      TX_KIND_MEMBER,
                            TX_KIND_KEY_REVOCATION};

/* A field reached from the record's top: the fields to follow (element 0 of lists). */
typedef struct {
    const ProtobufCFieldDescriptor *f[TX_MAX_DEPTH];
    const ProtobufCMessageDescriptor *d[TX_MAX_DEPTH];
    size_t n;
} path;

static int visited[64]; /* per table row: tested this many times */

static const ProtobufCMessageDescriptor *
kind_desc(int kind)
{
    switch (kind) {
    case TX_KIND_PROFILE:
        return &ticsx__v1__org_profile__descriptor;
    case TX_KIND_QUESTIONNAIRE:
        return &ticsx__v1__questionnaire__descriptor;
    case TX_KIND_REQUEST:
        return &ticsx__v1__request__descriptor;
    case TX_KIND_INNER_ASSESSMENT:
        return &ticsx__v1__assessment__descriptor;
    case TX_KIND_ACCREDITATION:
        return &ticsx__v1__accreditation__descriptor;
    case TX_KIND_CERTIFICATE:
        return &ticsx__v1__certificate__descriptor;
    case TX_KIND_REGISTER:
        return &ticsx__v1__register__descriptor;
    case TX_KIND_MEMBER:
        return &ticsx__v1__member_record__descriptor;
    case TX_KIND_KEY_REVOCATION:
        return &ticsx__v1__key_revocation__descriptor;
    default:
        return &ticsx__v1__certificate_event__descriptor;
    }
}

/* The message holding the last field of p, inside m. */
static ProtobufCMessage *
holder(ProtobufCMessage *m, const path *p)
{
    for (size_t i = 0; i + 1 < p->n; i++) {
        const ProtobufCFieldDescriptor *f = p->f[i];
        void *slot = (char *)m + f->offset;
        m = f->label == PROTOBUF_C_LABEL_REPEATED ? (*(ProtobufCMessage ***)slot)[0]
                                                  : *(ProtobufCMessage **)slot;
        assert_non_null(m);
    }
    return m;
}

enum { SET_LONG, SET_AT_LIMIT, SET_BAD_UTF8, SET_MANY };

/* Sets the last field of p inside m (a fresh unpacked copy) as `how` says. */
static void
mutate(ProtobufCMessage *m, const path *p, const tx_limit *l, int how)
{
    const ProtobufCFieldDescriptor *f = p->f[p->n - 1];
    ProtobufCMessage *h = holder(m, p);
    void *slot = (char *)h + f->offset;

    if (how == SET_MANY) {
        size_t n = l->max + 1;
        size_t *count = (size_t *)((char *)h + f->quantifier_offset);
        void **old = *(void ***)slot;
        if (f->type == PROTOBUF_C_TYPE_STRING) {
            char **v = calloc(n, sizeof *v);
            for (size_t i = 0; i < n; i++) {
                v[i] = strdup("a");
            }
            for (size_t i = 0; i < *count; i++) {
                free(old[i]);
            }
            free(old);
            *(char ***)slot = v;
        } else if (f->type == PROTOBUF_C_TYPE_BYTES) {
            ProtobufCBinaryData *v = calloc(n, sizeof *v), *o = *(ProtobufCBinaryData **)slot;
            for (size_t i = 0; i < n; i++) {
                v[i].data = calloc(1, TX_KEY_LEN);
                v[i].len = TX_KEY_LEN;
            }
            for (size_t i = 0; i < *count; i++) {
                free(o[i].data);
            }
            free(o);
            *(ProtobufCBinaryData **)slot = v;
        } else {
            assert_int_equal(f->type, PROTOBUF_C_TYPE_MESSAGE);
            ProtobufCMessage **o = *(ProtobufCMessage ***)slot;
            ProtobufCMessage **v = calloc(n, sizeof *v);
            uint8_t *b;
            size_t len;
            assert_int_equal(tx_pack(o[0], &b, &len), TX_OK);
            for (size_t i = 0; i < n; i++) {
                v[i] = protobuf_c_message_unpack(f->descriptor, NULL, len, b);
            }
            free(b);
            for (size_t i = 0; i < *count; i++) {
                protobuf_c_message_free_unpacked(o[i], NULL);
            }
            free(o);
            *(ProtobufCMessage ***)slot = v;
        }
        *count = n;
        return;
    }
    char *s;
    if (how == SET_BAD_UTF8) {
        s = strdup("ok \xff\xfe");
    } else {
        size_t n = how == SET_LONG ? l->max + 1 : l->max;
        s = malloc(n + 1);
        memset(s, 'a', n);
        s[n] = 0;
    }
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        char **v = *(char ***)slot;
        free(v[0]);
        v[0] = s;
    } else {
        free(*(char **)slot);
        *(char **)slot = s;
    }
}

/* One case: the sender's check and the reader's decoder on the same record. */
static void
one(int kind, const uint8_t *base, size_t base_len, const path *p, const tx_limit *l, int how)
{
    ProtobufCMessage *m = protobuf_c_message_unpack(kind_desc(kind), NULL, base_len, base);
    ProtobufCMessage *back = NULL;
    char why[256], num[32], want[128];
    uint8_t *buf;
    size_t len;
    int sent, read;

    assert_non_null(m);
    mutate(m, p, l, how);
    sent = tx_outgoing_check(kind, m, why, sizeof why);
    assert_int_equal(tx_pack(m, &buf, &len), TX_OK);
    read = tx_decode_kind(kind, buf, len, &back);
    tx_free(back);
    free(buf);
    protobuf_c_message_free_unpacked(m, NULL);
    /* The two sides agree, whatever the case. */
    if ((sent == TX_OK) != (read == TX_OK)) {
        fail_msg("%s %s.%s (case %d): sender says %s (%s), reader says %s (%s)", tx_kind_name(kind),
                 p->d[p->n - 1]->short_name, p->f[p->n - 1]->name, how, tx_strerror(sent), why,
                 tx_strerror(read), tx_codec_detail());
    }
    switch (how) {
    case SET_LONG:
        assert_int_equal(sent, TX_ERR_TOO_LARGE);
        snprintf(want, sizeof want, "%s is %s bytes, at most ", l->label,
                 tx_limit_num(l->max + 1, num));
        break;
    case SET_MANY:
        assert_int_equal(sent, TX_ERR_TOO_LARGE);
        snprintf(want, sizeof want, "%s: %s entries, at most %s", l->label,
                 tx_limit_num(l->max + 1, num), tx_limit_num(l->max, num + 16));
        break;
    case SET_BAD_UTF8:
        assert_int_equal(sent, TX_ERR_BAD_UTF8);
        snprintf(want, sizeof want, "%s is not valid UTF-8 at byte 4", l->label);
        break;
    default:
        assert_int_not_equal(sent, TX_ERR_TOO_LARGE);
        return;
    }
    if (strstr(why, want) == NULL || strstr(why, p->f[p->n - 1]->name) == NULL) {
        fail_msg("%s: \"%s\" does not say \"%s\" and the field", tx_kind_name(kind), why, want);
    }
}

/* Every string and list reachable from the record's top, depth first. */
static void
walk(int kind, const uint8_t *base, size_t len, const ProtobufCMessageDescriptor *d, path *p)
{
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        int repeated = f->label == PROTOBUF_C_LABEL_REPEATED;

        if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE && !repeated) {
            continue;
        }
        assert_true(p->n < TX_MAX_DEPTH);
        p->f[p->n] = f;
        p->d[p->n] = d;
        p->n++;
        if (repeated) {
            const tx_limit *l = tx_limit_of(d, f, TX_LIMIT_COUNT);
            assert_int_equal(l->type, TX_LIMIT_COUNT);
            visited[l - tx_limits]++;
            one(kind, base, len, p, l, SET_MANY);
            /* Asked again after the decodes (remembered now): the same row. */
            assert_ptr_equal(tx_limit_of(d, f, TX_LIMIT_COUNT), l);
        }
        if (f->type == PROTOBUF_C_TYPE_STRING) {
            const tx_limit *l = tx_limit_of(d, f, TX_LIMIT_TEXT);
            assert_int_equal(l->type, TX_LIMIT_TEXT);
            visited[l - tx_limits]++;
            one(kind, base, len, p, l, SET_LONG);
            one(kind, base, len, p, l, SET_AT_LIMIT);
            one(kind, base, len, p, l, SET_BAD_UTF8);
            assert_ptr_equal(tx_limit_of(d, f, TX_LIMIT_TEXT), l);
            if (repeated) {
                assert_int_equal(tx_limit_of(d, f, TX_LIMIT_COUNT)->type, TX_LIMIT_COUNT);
            }
        } else if (f->type == PROTOBUF_C_TYPE_MESSAGE &&
                   f->descriptor != &ticsx__v1__meta__descriptor) {
            walk(kind, base, len, f->descriptor, p);
        }
        p->n--;
    }
}

static void
test_every_limit_both_sides(void **state)
{
    (void)state;
    assert_true(tx_n_limits <= sizeof visited / sizeof visited[0]);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        uint8_t *base;
        size_t len;
        char why[256];
        ProtobufCMessage *m;
        path p = {.n = 0};

        baseline(kinds[k], &base, &len);
        m = protobuf_c_message_unpack(kind_desc(kinds[k]), NULL, len, base);
        if (tx_outgoing_check(kinds[k], m, why, sizeof why) != TX_OK) {
            fail_msg("baseline %s refused: %s", tx_kind_name(kinds[k]), why);
        }
        protobuf_c_message_free_unpacked(m, NULL);
        walk(kinds[k], base, len, kind_desc(kinds[k]), &p);
        free(base);
    }
    /* Every row of the table names a real field that was reached, and so was tested. The
     * defaults (msg NULL) govern the wire messages around records: test_codec tests those. */
    for (size_t i = 0; i < tx_n_limits; i++) {
        if (visited[i] == 0 && tx_limits[i].msg != NULL) {
            fail_msg("limit row %zu (%s) names no field any record reaches", i, tx_limits[i].label);
        }
    }
}

/* A record too big for an envelope: the packed size is refused before signing. */
static void
test_record_size(void **state)
{
    tx_assessment_pb a = TICSX__V1__ASSESSMENT__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_answer_pb an[20], *ap[20];
    char *text = malloc(60000 + 1), why[256], want[128], num[32];
    (void)state;

    memset(text, 'c', 60000);
    text[60000] = 0;
    meta.seq = 1;
    a.meta = &meta;
    a.questionnaire.data = zeros;
    a.questionnaire.len = TX_ID_LEN;
    for (int i = 0; i < 20; i++) {
        ticsx__v1__answer__init(&an[i]);
        an[i].item = "A";
        an[i].choice = "yes";
        an[i].comment = text;
        ap[i] = &an[i];
    }
    a.answers = ap;
    a.n_answers = 20;
    assert_int_equal(tx_outgoing_check(TX_KIND_INNER_ASSESSMENT, &a.base, why, sizeof why),
                     TX_ERR_TOO_LARGE);
    snprintf(want, sizeof want, "at most %s",
             tx_limit_num(tx_limit_payload(TX_KIND_INNER_ASSESSMENT), num));
    assert_non_null(strstr(why, want));
    a.n_answers = 17; /* 17 x 60 000 bytes fit, sealed and enveloped */
    assert_int_equal(tx_outgoing_check(TX_KIND_INNER_ASSESSMENT, &a.base, why, sizeof why), TX_OK);
    free(text);
}

/* The rows an answers file fills, through the parser: file, line or entry, item, limit. */
static void
test_answers_files_from_table(void **state)
{
    tx_questionnaire_pb *q;
    const char *item;
    size_t tested = 0;
    (void)state;

    assert_int_equal(tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, &q), TX_OK);
    item = q->items[2]->id;
    for (size_t i = 0; i < tx_n_limits; i++) {
        const tx_limit *l = &tx_limits[i];
        char want[256], num[32], num2[32], *text, *csv;
        json_t *j;
        tx_answers a;
        int rc;

        if (l->kind != TX_KIND_INNER_ASSESSMENT || l->type != TX_LIMIT_TEXT ||
            (l->msg != &ticsx__v1__answer__descriptor &&
             l->msg != &ticsx__v1__sub_supplier__descriptor) ||
            (l->msg == &ticsx__v1__answer__descriptor && strcmp(l->field, "comment") != 0)) {
            continue; /* item and answer must match the questionnaire, whose limits bound them;
                         credentials and evidence do not come from an answers file */
        }
        text = malloc(l->max + 2);
        memset(text, 'z', l->max + 1);
        text[l->max + 1] = 0;
        j = json_pack("{s:[{s:s,s:s,s:s}]}", "answers", "item", item, "answer", "yes", "comment",
                      "");
        if (l->msg == &ticsx__v1__answer__descriptor) {
            json_object_set_new(json_array_get(json_object_get(j, "answers"), 0), l->field,
                                json_string(text));
            snprintf(want, sizeof want, "a.json answers[0], item %s: %s is %s bytes, at most %s",
                     item, l->label, tx_limit_num(l->max + 1, num), tx_limit_num(l->max, num2));
            /* The CSV form: named by line. */
            size_t n = strlen(text) + 256;
            csv = malloc(n);
            snprintf(csv, n, "item,answer,comment\r\n%s,yes,%s\r\n", item, text);
            rc = tx_answers_parse(csv, strlen(csv), "a.csv", q, 1, &a);
            assert_int_equal(rc, TX_ERR_TOO_LARGE);
            char want_csv[256];
            snprintf(want_csv, sizeof want_csv, "a.csv line 2, item %s: %s is %s bytes, at most %s",
                     item, l->label, num, num2);
            if (strstr(tx_fail_msg(), want_csv) == NULL) {
                fail_msg("\"%s\" does not say \"%s\"", tx_fail_msg(), want_csv);
            }
            free(csv);
        } else {
            json_t *sub = json_pack("{s:s}", "name", "Sub KK");
            json_object_set_new(sub, l->field, json_string(text));
            json_object_set_new(j, "suppliers", json_pack("[o]", sub));
            snprintf(want, sizeof want, "a.json suppliers[0]%s%s: %s is %s bytes, at most %s",
                     strcmp(l->field, "name") == 0 ? "" : " (Sub KK)", "", l->label,
                     tx_limit_num(l->max + 1, num), tx_limit_num(l->max, num2));
        }
        char *dump = json_dumps(j, 0);
        rc = tx_answers_parse(dump, strlen(dump), "a.json", q, 1, &a);
        assert_int_equal(rc, TX_ERR_TOO_LARGE);
        if (strstr(tx_fail_msg(), want) == NULL) {
            fail_msg("\"%s\" does not say \"%s\"", tx_fail_msg(), want);
        }
        free(dump);
        json_decref(j);
        free(text);
        tested++;
    }
    assert_int_equal(tested, 3); /* comment, sub-supplier name, supplies */

    /* A NUL inside a CSV cell: refused where it is, in any column. */
    {
        char buf[128];
        tx_answers a;
        int n = snprintf(buf, sizeof buf, "item,answer,comment\r\n%s,yes,safe", item);
        memcpy(buf + n, "\0hidden\r\n", 9);
        assert_int_equal(tx_answers_parse(buf, (size_t)n + 9, "n.csv", q, 1, &a), TX_ERR_BAD_UTF8);
        char want[128];
        snprintf(want, sizeof want,
                 "n.csv line 2, item %s: comment (column 3) holds a NUL byte at byte 5", item);
        if (strstr(tx_fail_msg(), want) == NULL) {
            fail_msg("\"%s\" does not say \"%s\"", tx_fail_msg(), want);
        }
    }
    /* Too many sub-suppliers, counted against the table. */
    {
        const tx_limit *l =
            tx_limit_find(&ticsx__v1__assessment__descriptor, "suppliers", TX_LIMIT_COUNT);
        json_t *arr = json_array();
        json_t *j = json_pack("{s:[],s:o}", "answers", "suppliers", arr);
        tx_answers a;
        for (size_t i = 0; i <= l->max; i++) {
            json_array_append_new(arr, json_pack("{s:s}", "name", "S"));
        }
        char *dump = json_dumps(j, 0);
        assert_int_equal(tx_answers_parse(dump, strlen(dump), "s.json", q, 1, &a),
                         TX_ERR_TOO_LARGE);
        assert_non_null(strstr(tx_fail_msg(), "sub-suppliers: 10 001 entries, at most 10 000"));
        free(dump);
        json_decref(j);
    }
    tx_free(q);
}

/* XML cannot carry a NUL: a worksheet holding one (&#0;) is refused with its line and column,
 * never read cut. */
static void
test_nul_in_xlsx(void **state)
{
    static const char *const parts[][2] = {
        {"xl/workbook.xml",
         "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
         "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
         "<sheets><sheet name=\"answers\" sheetId=\"1\" r:id=\"rId7\"/></sheets></workbook>"},
        {"xl/_rels/workbook.xml.rels",
         "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
         "<Relationship Id=\"rId7\" Type=\"worksheet\" Target=\"worksheets/answers.xml\"/>"
         "</Relationships>"},
        {"xl/worksheets/answers.xml",
         "<worksheet><sheetData>\n"
         "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>item</t></is></c>"
         "<c r=\"B1\" t=\"inlineStr\"><is><t>answer</t></is></c>"
         "<c r=\"C1\" t=\"inlineStr\"><is><t>comment</t></is></c></row>\n"
         "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>A1-01</t></is></c>"
         "<c r=\"B2\" t=\"inlineStr\"><is><t>yes</t></is></c>"
         "<c r=\"C2\" t=\"inlineStr\"><is><t>safe&#0;hidden</t></is></c></row>\n"
         "</sheetData></worksheet>"}};
    char file[] = "/tmp/ticsx-nul-XXXXXX";
    tx_questionnaire_pb *q;
    tx_answers a;
    int err = 0, fd = mkstemp(file);
    zip_t *z;
    (void)state;

    assert_true(fd >= 0);
    close(fd);
    z = zip_open(file, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    for (size_t i = 0; i < 3; i++) {
        zip_source_t *src = zip_source_buffer(z, parts[i][1], strlen(parts[i][1]), 0);
        assert_true(zip_file_add(z, parts[i][0], src, ZIP_FL_OVERWRITE) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
    assert_int_equal(tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, &q), TX_OK);
    assert_int_not_equal(tx_answers_load(file, q, 1, &a), TX_OK);
    if (strstr(tx_fail_msg(), "answers.xml is not well-formed XML at line 3, column ") == NULL ||
        strstr(tx_fail_msg(), "invalid xmlChar value 0") == NULL) {
        fail_msg("\"%s\" does not name the NUL and where it is", tx_fail_msg());
    }
    tx_free(q);
    unlink(file);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_limit_both_sides),
        cmocka_unit_test(test_record_size),
        cmocka_unit_test(test_answers_files_from_table),
        cmocka_unit_test(test_nul_in_xlsx),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

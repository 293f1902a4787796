/* Writes small valid inputs for each fuzz target into DIR/<target>/, made with the real
 * signing, packing and key-file code. Its output is committed under fuzz/corpus/; run it again
 * only when the schema or a file format changes (built with the tests):
 *   rm -rf fuzz/corpus && mkdir fuzz/corpus && build/tests/make_seeds fuzz/corpus */
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_key_proof.h"
#include "tx_keys.h"
#include "tx_note.h"
#include "tx_util.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_SEEDS 19

/* The kind of each seed payload, in the order make_payloads packs them. fuzz_payload takes
 * its first byte as the kind. */
static const int payload_kinds[N_SEEDS] = {
    TX_KIND_PROFILE,    TX_KIND_QUESTIONNAIRE,    TX_KIND_REQUEST,       TX_KIND_ASSESSMENT,
    TX_KIND_GRANT,      TX_KIND_GRANT_REVOKE,     TX_KIND_ACCREDITATION, TX_KIND_CERTIFICATE,
    TX_KIND_CERT_EVENT, TX_KIND_INNER_ASSESSMENT, TX_KIND_MEMBER,        TX_KIND_MEMBER_REMOVE,
    TX_KIND_DRAFT,      TX_KIND_DRAFT_DECISION,   TX_KIND_ORG_SETTINGS,  TX_KIND_GRANT_APPROVAL,
    TX_KIND_KEY_SUCCESSOR, TX_KIND_KEY_REVOCATION, TX_KIND_KEY_REENROLMENT};

static const char *outdir;
static int failures;

/* dir/name into out (PATH_MAX bytes); a path that does not fit ends the program. */
static void
join(char *out, const char *dir, const char *name)
{
    if (tx_path_join(out, PATH_MAX, dir, name) != TX_OK) {
        fprintf(stderr, "make_seeds: path too long: %s/%s\n", dir, name);
        exit(2);
    }
}

static void
write_seed(const char *target, const char *name, const void *data, size_t len)
{
    char dir[PATH_MAX], path[PATH_MAX];

    join(dir, outdir, target);
    join(path, dir, name);
    if (mkdir(dir, 0755) != 0 && access(dir, F_OK) != 0) {
        fprintf(stderr, "make_seeds: cannot create %s\n", dir);
        failures++;
        return;
    }
    unlink(path);
    if (tx_file_create(path, data, len, 0644) != TX_OK) {
        fprintf(stderr, "make_seeds: cannot write %s\n", path);
        failures++;
    }
}

static void
write_packed(const char *target, const char *name, const ProtobufCMessage *m)
{
    uint8_t *buf;
    size_t len;

    if (tx_pack(m, &buf, &len) != TX_OK) {
        failures++;
        return;
    }
    write_seed(target, name, buf, len);
    free(buf);
}

static uint8_t zeros[128];
static uint8_t ids[4][32];

static ProtobufCBinaryData
bin(const uint8_t *p, size_t n)
{
    ProtobufCBinaryData b = {n, (uint8_t *)p};
    return b;
}

/* Packs one valid payload of each kind into payloads[i] (caller frees). */
static void
make_payloads(const tx_identity *id, uint8_t *payloads[N_SEEDS], size_t lens[N_SEEDS])
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_local_text_pb text = TICSX__V1__LOCAL_TEXT__INIT;
    ProtobufCBinaryData supplier = bin(id->pub.sign, 32);

    meta.seq = 1;
    meta.created = 1723766400;
    text.ja = "ルール作り";
    text.en = "Rules and organisation";

    tx_profile_pb p = TICSX__V1__ORG_PROFILE__INIT;
    p.meta = &meta;
    p.legal_name = "Mikawa Precision";
    p.corporate_number = "7123456789012";
    p.seal_key = bin(id->pub.seal, 32);
    p.transport_key = bin(id->pub.curve, 32);

    tx_area_pb area = TICSX__V1__AREA__INIT;
    tx_area_pb *areas[] = {&area};
    tx_item_pb item = TICSX__V1__ITEM__INIT;
    tx_item_pb *items[] = {&item};
    tx_choice_pb yes = TICSX__V1__CHOICE__INIT, na = TICSX__V1__CHOICE__INIT;
    tx_choice_pb *scale[] = {&yes, &na};
    tx_level_pb level = TICSX__V1__LEVEL__INIT;
    tx_level_pb *levels[] = {&level};
    tx_questionnaire_pb q = TICSX__V1__QUESTIONNAIRE__INIT;
    area.id = "A1";
    area.name = &text;
    item.id = "A1-01";
    item.area = "A1";
    item.level = 1;
    item.weight = 2;
    item.text = &text;
    yes.code = "yes";
    yes.label = &text;
    yes.score_permille = 1000;
    na.code = "na";
    na.label = &text;
    na.not_applicable = 1;
    level.level = 1;
    level.name = &text;
    q.meta = &meta;
    q.id = "tics-selfcheck";
    q.version = 1;
    q.title = &text;
    q.n_areas = 1;
    q.areas = areas;
    q.n_items = 1;
    q.items = items;
    q.n_scale = 2;
    q.scale = scale;
    q.n_levels = 1;
    q.levels = levels;

    ProtobufCBinaryData note_keys[2] = {bin(zeros, TX_SEALED_KEY_LEN),
                                        bin(zeros, TX_SEALED_KEY_LEN)};
    tx_request_pb r = TICSX__V1__REQUEST__INIT;
    r.meta = &meta;
    r.questionnaire = bin(ids[0], 32);
    r.n_suppliers = 1;
    r.suppliers = &supplier;
    r.due = 1727740800;
    r.depth = 1;
    /* The note sealed to the one supplier and the signer (bytes that look like it). */
    r.note_nonce = bin(zeros, 24);
    r.note_sealed = bin(zeros, 48);
    r.n_note_keys = 2;
    r.note_keys = note_keys;

    tx_sealed_pb s = TICSX__V1__SEALED_ASSESSMENT__INIT;
    s.meta = &meta;
    s.questionnaire = bin(ids[0], 32);
    s.nonce = bin(zeros, 24);
    s.ciphertext = bin(zeros, 48);
    s.supersedes = bin(ids[1], 32);
    s.org_key_sealed = bin(zeros, TX_SEALED_KEY_LEN);

    tx_grant_pb g = TICSX__V1__GRANT__INIT;
    g.meta = &meta;
    g.assessment = bin(ids[2], 32);
    g.grantee = bin(id->pub.sign, 32);
    g.sealed_key = bin(zeros, TX_SEALED_KEY_LEN);
    g.until = 1893456000;
    g.request = bin(ids[3], 32);

    tx_answer_pb ans = TICSX__V1__ANSWER__INIT;
    tx_answer_pb *answers[] = {&ans};
    tx_sub_supplier_pb sub = TICSX__V1__SUB_SUPPLIER__INIT;
    tx_sub_supplier_pb *subs[] = {&sub};
    tx_assessment_pb a = TICSX__V1__ASSESSMENT__INIT;
    ans.item = "A1-01";
    ans.choice = "partly";
    ans.comment = "cabinets locked, keys not logged";
    sub.key = bin(id->pub.sign, 32);
    sub.name = "Seto Plating";
    sub.supplies = "surface treatment";
    a.meta = &meta;
    a.questionnaire = bin(ids[0], 32);
    a.request = bin(ids[3], 32);
    a.n_answers = 1;
    a.answers = answers;
    a.as_of = 1723766400;
    a.valid_until = 1755302400;
    a.n_suppliers = 1;
    a.suppliers = subs;

    tx_grant_revoke_pb gr = TICSX__V1__GRANT_REVOKE__INIT;
    gr.meta = &meta;
    gr.grant = bin(ids[1], 32);
    gr.assessment = bin(ids[2], 32);
    gr.grantee = bin(id->pub.sign, 32);

    char *scopes[] = {"manufacturing", "sme"};
    tx_accreditation_pb ac = TICSX__V1__ACCREDITATION__INIT;
    ac.meta = &meta;
    ac.body_key = bin(id->pub.sign, 32);
    ac.body_name = "Example Certification Body";
    ac.n_scopes = 2;
    ac.scopes = scopes;
    ac.valid_from = 1704067200;
    ac.valid_until = 1798761600;
    ac.note = "first accreditation";

    tx_certificate_pb c = TICSX__V1__CERTIFICATE__INIT;
    c.meta = &meta;
    c.number = "TICS-2024-0001";
    c.holder_key = bin(id->pub.sign, 32);
    c.holder_name = "Mikawa Precision";
    c.corporate_number = "3180001056789";
    c.scope = "設計部門及び製造部門";
    c.sector = "manufacturing";
    c.criteria_version = 2024;
    c.issued = 1723766400;
    c.expires = 1818374400;

    tx_cert_event_pb ev = TICSX__V1__CERTIFICATE_EVENT__INIT;
    ev.meta = &meta;
    ev.certificate = bin(ids[3], 32);
    ev.kind = TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT;
    ev.effective = 1755302400;
    ev.note = "定期報告";

    uint8_t org[32];
    memset(org, 0x4f, sizeof org);
    tx_member_pb mb = TICSX__V1__MEMBER_RECORD__INIT;
    mb.meta = &meta;
    mb.organisation = bin(org, 32);
    mb.signing_key = bin(id->pub.sign, 32);
    mb.seal_key = bin(id->pub.seal, 32);
    mb.transport_key = bin(id->pub.curve, 32);
    mb.name = "佐藤 花子";
    mb.role = TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER;
    mb.valid_from = 1723766400;
    mb.valid_until = 1818374400;

    tx_member_remove_pb mr = TICSX__V1__MEMBER_REMOVE__INIT;
    mr.meta = &meta;
    mr.organisation = bin(org, 32);
    mr.signing_key = bin(id->pub.sign, 32);
    mr.effective = 1755302400;

    uint8_t sealed[TX_SEALED_KEY_LEN + 64];
    memset(sealed, 0x5d, sizeof sealed);
    tx_draft_pb dr = TICSX__V1__DRAFT__INIT;
    dr.meta = &meta;
    dr.request = bin(org, 32);
    dr.questionnaire = bin(org, 32);
    dr.sealed = bin(sealed, sizeof sealed);

    tx_draft_decision_pb dd = TICSX__V1__DRAFT_DECISION__INIT;
    dd.meta = &meta;
    dd.draft = bin(org, 32);
    dd.approved = 1;
    dd.assessment = bin(org, 32);
    dd.note_sealed = bin(sealed, sizeof sealed);

    uint8_t proof[TX_SIG_LEN];
    tx_key_successor_pb ks = TICSX__V1__KEY_SUCCESSOR__INIT;
    ks.meta = &meta;
    ks.organisation = ks.predecessor = bin(org, 32);
    ks.signing_key = bin(id->pub.sign, 32);
    ks.seal_key = bin(id->pub.seal, 32);
    ks.transport_key = bin(id->pub.curve, 32);
    ks.effective = 1755302400;
    if (tx_key_proof_sign(id, &ks, proof) != TX_OK) {
        failures++;
    }

    tx_key_revocation_pb kr = TICSX__V1__KEY_REVOCATION__INIT;
    kr.meta = &meta;
    kr.organisation = bin(org, 32);
    kr.key = bin(id->pub.sign, 32);
    kr.from = 1755302400;
    kr.from_index = 1042;
    kr.reason = "ノートPCの盗難";

    tx_key_reenrolment_pb ke = TICSX__V1__KEY_REENROLMENT__INIT;
    ke.meta = &meta;
    ke.organisation = ke.replaces = bin(org, 32);
    ke.signing_key = bin(id->pub.sign, 32);
    ke.seal_key = bin(id->pub.seal, 32);
    ke.transport_key = bin(id->pub.curve, 32);
    ke.effective = 1755302400;
    ke.compromised_from = 1755216000;
    ke.corporate_number = "3700000000001";
    ke.profile = bin(sealed, sizeof sealed);

    tx_org_settings_pb os = TICSX__V1__ORG_SETTINGS__INIT;
    os.meta = &meta;
    os.organisation = bin(org, 32);
    os.two_officers = 1;

    tx_grant_approval_pb ga = TICSX__V1__GRANT_APPROVAL__INIT;
    ga.meta = &meta;
    ga.grant = bin(org, 32);
    ga.grantee = bin(id->pub.sign, 32);

    const ProtobufCMessage *msgs[N_SEEDS] = {
        &p.base,  &q.base, &r.base,  &s.base,  &g.base,  &gr.base, &ac.base, &c.base,
        &ev.base, &a.base, &mb.base, &mr.base, &dr.base, &dd.base, &os.base, &ga.base,
        &ks.base, &kr.base, &ke.base};
    for (int i = 0; i < N_SEEDS; i++) {
        if (tx_pack(msgs[i], &payloads[i], &lens[i]) != TX_OK) {
            failures++;
            payloads[i] = NULL;
            lens[i] = 0;
        }
    }
}

static void
seed_envelopes_and_payloads(const tx_identity *id, uint8_t *payloads[N_SEEDS], size_t lens[N_SEEDS],
                            uint8_t **request_env, size_t *request_len)
{
    for (int i = 0; i < N_SEEDS; i++) {
        int kind = payload_kinds[i];
        char name[64];
        uint8_t *env, *tagged;
        size_t env_len;

        snprintf(name, sizeof name, "%s", tx_kind_name(kind));
        for (char *c = name; *c; c++) {
            if (*c == ' ') {
                *c = '-';
            }
        }
        if (tx_envelope_sign(id, kind, payloads[i], lens[i], &env, &env_len) != TX_OK) {
            failures++;
            continue;
        }
        /* A seed that does not pass the decoder would start fuzzing from the wrong place. */
        tx_envelope_pb *opened = NULL;
        ProtobufCMessage *m = NULL;
        if (tx_envelope_open_as(env, env_len, kind, &opened, &m) != TX_OK) {
            fprintf(stderr, "make_seeds: the %s seed does not decode: %s\n", name,
                    tx_codec_detail());
            failures++;
        }
        tx_free(m);
        tx_free(opened);
        write_seed("fuzz_envelope", name, env, env_len);
        if (kind == TX_KIND_REQUEST) {
            *request_env = env;
            *request_len = env_len;
        } else {
            free(env);
        }
        tagged = malloc(lens[i] + 1);
        if (tagged == NULL) {
            failures++;
            continue;
        }
        tagged[0] = (uint8_t)kind;
        memcpy(tagged + 1, payloads[i], lens[i]);
        write_seed("fuzz_payload", name, tagged, lens[i] + 1);
        free(tagged);
    }
}

static void
seed_calls(const uint8_t *env, size_t env_len)
{
    tx_call_pb c = TICSX__V1__CALL__INIT;
    tx_submit_pb submit = TICSX__V1__SUBMIT__INIT;
    tx_get_pb get = TICSX__V1__GET__INIT;
    tx_list_records_pb list = TICSX__V1__LIST_RECORDS__INIT;

    c.id = 1;
    c.body_case = TICSX__V1__CALL__BODY_SUBMIT;
    submit.envelope = bin(env, env_len);
    c.submit = &submit;
    write_packed("fuzz_call", "submit", &c.base);

    c.id = 2;
    c.body_case = TICSX__V1__CALL__BODY_GET;
    get.record_id = bin(ids[0], 32);
    c.get = &get;
    write_packed("fuzz_call", "get", &c.base);

    c.id = 3;
    c.body_case = TICSX__V1__CALL__BODY_LIST;
    list.kind = TICSX__V1__KIND__KIND_REQUEST;
    list.after = 12;
    list.limit = 100;
    c.list = &list;
    write_packed("fuzz_call", "list", &c.base);

    c.id = 4;
    c.body_case = TICSX__V1__CALL__BODY_PING;
    c.ping = 1;
    write_packed("fuzz_call", "ping", &c.base);

    {
        tx_submit_batch_pb batch = TICSX__V1__SUBMIT_BATCH__INIT;
        ProtobufCBinaryData envs[3] = {bin(env, env_len), bin(env, env_len), bin(env, env_len)};

        c.id = 5;
        c.body_case = TICSX__V1__CALL__BODY_SUBMIT_BATCH;
        batch.n_envelopes = 3;
        batch.envelopes = envs;
        c.submit_batch = &batch;
        write_packed("fuzz_call", "submit_batch", &c.base);
    }
}

static void
seed_replies(const uint8_t *env, size_t env_len)
{
    tx_reply_pb r = TICSX__V1__REPLY__INIT;
    tx_receipt_pb receipt = TICSX__V1__RECEIPT__INIT;
    tx_entry_pb e1 = TICSX__V1__ENTRY__INIT, e2 = TICSX__V1__ENTRY__INIT;
    tx_entry_pb *entries[] = {&e1, &e2};

    r.id = 1;
    r.status = TICSX__V1__STATUS__OK;
    receipt.index = 7;
    receipt.record_id = bin(ids[1], 32);
    receipt.duplicate = 1;
    r.receipt = &receipt;
    write_packed("fuzz_reply", "receipt", &r.base);

    r.id = 2;
    r.receipt = NULL;
    e1.index = 7;
    e1.envelope = bin(env, env_len);
    e2.index = 9;
    e2.envelope = bin(env, env_len);
    r.n_entries = 2;
    r.entries = entries;
    r.next = 9;
    write_packed("fuzz_reply", "entries", &r.base);

    r.id = 3;
    r.n_entries = 0;
    r.next = 0;
    r.status = TICSX__V1__STATUS__MISSING_REFERENCE;
    r.message = "request: questionnaire 5f3a9c0e1b2d not stored";
    write_packed("fuzz_reply", "status", &r.base);

    {
        tx_outcome_pb o1 = TICSX__V1__OUTCOME__INIT, o2 = TICSX__V1__OUTCOME__INIT;
        tx_outcome_pb *outs[] = {&o1, &o2};

        r.id = 4;
        r.status = TICSX__V1__STATUS__OK;
        r.message = "1 of 2 stored";
        o1.status = TICSX__V1__STATUS__OK;
        receipt.duplicate = 0;
        receipt.leaf_hash = bin(ids[2], 32);
        o1.receipt = &receipt;
        o2.status = TICSX__V1__STATUS__BAD_SIGNATURE;
        o2.message = "bad_signature: envelope signature does not verify";
        r.n_outcomes = 2;
        r.outcomes = outs;
        r.checkpoint = bin(env, env_len);
        write_packed("fuzz_reply", "batch", &r.base);
    }
}

/* fuzz_keyfile: first byte 0 = public key text; 1 = secret key text, NUL, public key text. */
static void
seed_keyfiles(const tx_identity *id)
{
    char dir[PATH_MAX], home[PATH_MAX], path[PATH_MAX];
    uint8_t *sec = NULL, *pub = NULL, *buf;
    size_t sec_len = 0, pub_len = 0;

    join(dir, outdir, ".keys-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        failures++;
        return;
    }
    join(home, dir, "k");
    if (tx_identity_save(id, home, "identity") != TX_OK) {
        failures++;
        return;
    }
    join(path, home, "identity.key");
    tx_file_read(path, 4096, &sec, &sec_len);
    unlink(path);
    join(path, home, "identity.pub");
    tx_file_read(path, 4096, &pub, &pub_len);
    unlink(path);
    join(path, home, "identity_ed25519.pub");
    unlink(path);
    rmdir(home);
    rmdir(dir);
    if (sec == NULL || pub == NULL) {
        failures++;
        free(sec);
        free(pub);
        return;
    }
    buf = malloc(sec_len + pub_len + 2);
    if (buf != NULL) {
        buf[0] = 0;
        memcpy(buf + 1, pub, pub_len);
        write_seed("fuzz_keyfile", "public", buf, pub_len + 1);
        buf[0] = 1;
        memcpy(buf + 1, sec, sec_len);
        buf[1 + sec_len] = 0;
        memcpy(buf + 2 + sec_len, pub, pub_len);
        write_seed("fuzz_keyfile", "secret", buf, sec_len + pub_len + 2);
        free(buf);
    }
    sodium_memzero(sec, sec_len);
    free(sec);
    free(pub);
}

/* Checkpoint notes as the hub signs them: alone, with one and with two witness cosignatures. */
static void
seed_notes(const tx_identity *id)
{
    char text[256], line[TX_NOTE_LINE_MAX], buf[TX_NOTE_MAX];
    uint8_t *note = NULL;
    size_t len, note_len, line_len;

    if (tx_note_checkpoint_text("ticsx-hub/0123456789abcdef", 20852163, ids[0], 1764633600, text,
                                sizeof text, &len) != TX_OK ||
        tx_note_sign((const uint8_t *)text, len, "ticsx-hub/0123456789abcdef", id->sec->sign, &note,
                     &note_len) != TX_OK) {
        fprintf(stderr, "make_seeds: cannot sign a checkpoint note\n");
        failures++;
        return;
    }
    write_seed("fuzz_note", "checkpoint", note, note_len);
    memcpy(buf, note, note_len);
    for (int k = 0; k < 2; k++) {
        const char *name = k == 0 ? "witness.example/1" : "oid/1.3.6.1.4.1";
        if (tx_note_cosign((const uint8_t *)text, len, name, id->sec->sign, 1764633601 + k, line,
                           sizeof line, &line_len) != TX_OK) {
            failures++;
            break;
        }
        memcpy(buf + note_len, line, line_len);
        note_len += line_len;
        write_seed("fuzz_note", k == 0 ? "cosigned" : "cosigned-twice", buf, note_len);
        if (k == 0) {
            /* Call.cosign as a witness sends it: the hub's note and its own cosignature line. */
            tx_call_pb c = TICSX__V1__CALL__INIT;
            tx_cosign_pb cs = TICSX__V1__COSIGN__INIT;
            c.id = 6;
            c.body_case = TICSX__V1__CALL__BODY_COSIGN;
            cs.note = bin((const uint8_t *)buf, note_len);
            cs.witness_key = bin(id->pub.sign, 32);
            c.cosign = &cs;
            write_packed("fuzz_call", "cosign", &c.base);
        }
    }
    {
        /* Call.witnessed: the newest checkpoint two of three keys cosigned. */
        tx_call_pb c = TICSX__V1__CALL__INIT;
        tx_witnessed_pb w = TICSX__V1__WITNESSED__INIT;
        ProtobufCBinaryData keys[3] = {bin(id->pub.sign, 32), bin(ids[0], 32), bin(ids[1], 32)};
        c.id = 7;
        c.body_case = TICSX__V1__CALL__BODY_WITNESSED;
        w.witness_keys = keys;
        w.n_witness_keys = 3;
        w.quorum = 2;
        c.witnessed = &w;
        write_packed("fuzz_call", "witnessed", &c.base);
    }
    {
        /* Its answer: a checkpoint note with a cosignature. */
        tx_reply_pb r = TICSX__V1__REPLY__INIT;
        r.id = 7;
        r.checkpoint = bin((const uint8_t *)buf, note_len);
        write_packed("fuzz_reply", "witnessed", &r.base);
    }
    free(note);
}

int
main(int argc, char **argv)
{
    tx_identity *id = NULL;
    uint8_t *payloads[N_SEEDS] = {0};
    size_t lens[N_SEEDS] = {0};
    uint8_t *env = NULL;
    size_t env_len = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    outdir = argv[1];
    if (sodium_init() < 0 || tx_identity_generate("Mikawa Precision", &id) != TX_OK) {
        fprintf(stderr, "make_seeds: cannot make keys\n");
        return 2;
    }
    for (int i = 0; i < 4; i++) {
        crypto_hash_sha256(ids[i], (const uint8_t *)&i, sizeof i);
    }
    make_payloads(id, payloads, lens);
    seed_envelopes_and_payloads(id, payloads, lens, &env, &env_len);
    if (env != NULL) {
        seed_calls(env, env_len);
        seed_replies(env, env_len);
    }
    seed_keyfiles(id);
    seed_notes(id);
    for (int i = 0; i < N_SEEDS; i++) {
        free(payloads[i]);
    }
    free(env);
    tx_identity_destroy(&id);
    return failures == 0 ? 0 : 1;
}

/* Realistic records for the benchmark: the built-in questionnaire, profiles, full assessments
 * (every item answered, with short comments and sub-suppliers) sealed as they are stored, and
 * grants; made with the same library calls the client uses. */
#include "bench.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_questionnaire.h"
#include "tx_seal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CREATED 1735689600 /* 2025-01-01 */
#define AS_OF 1738368000   /* 2025-02-01 */
#define VALID_S (3 * 365 * 86400)

static const char comment_text[] =
    "evidence: rule book 4.2 and the register of classified information, checked 2024-11";

int
tx_bench_questionnaire(const tx_identity *publisher, uint64_t seq, tx_questionnaire_pb **q,
                       uint8_t **env, size_t *len, uint8_t qid[TX_ID_LEN])
{
    int rc = tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, q);

    if (rc != TX_OK) {
        return rc;
    }
    if ((rc = tx_questionnaire_sign(*q, publisher, seq, CREATED, env, len)) != TX_OK) {
        tx_free(*q);
        *q = NULL;
        return rc;
    }
    tx_record_id(*env, *len, qid);
    return TX_OK;
}

int
tx_bench_profile(const tx_identity *id, uint64_t seq, uint8_t **env, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_profile_pb p = TICSX__V1__ORG_PROFILE__INIT;

    meta.seq = seq;
    meta.created = CREATED;
    p.meta = &meta;
    p.legal_name = (char *)id->pub.name;
    p.seal_key.data = (uint8_t *)id->pub.seal;
    p.seal_key.len = 32;
    p.transport_key.data = (uint8_t *)id->pub.curve;
    p.transport_key.len = 32;
    return tx_envelope_sign_msg(id, TX_KIND_PROFILE, &p.base, env, len);
}

/* The choice for item i of assessment `variant`: mostly implemented, some partly, a few not,
 * a few not applicable (deterministic, so runs compare). */
static const char *
choice_for(const tx_questionnaire_pb *q, uint64_t variant, size_t i)
{
    uint64_t x = (variant + 1) * 0x9e3779b97f4a7c15ull ^ (i * 0xbf58476d1ce4e5b9ull);
    unsigned pick = (unsigned)((x >> 29) % 100);
    size_t want = pick < 70 ? 0 : pick < 85 ? 1 : pick < 95 ? 2 : 3;

    return q->scale[want < q->n_scale ? want : 0]->code;
}

int
tx_bench_sealed(const tx_identity *id, uint64_t seq, const tx_questionnaire_pb *q,
                const uint8_t qid[TX_ID_LEN], uint64_t variant, const tx_bench_sub *subs,
                size_t n_subs, uint8_t *key, uint8_t **env, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_assessment_pb a = TICSX__V1__ASSESSMENT__INIT;
    tx_sealed_pb s = TICSX__V1__SEALED_ASSESSMENT__INIT;
    tx_answer_pb *ans = calloc(q->n_items ? q->n_items : 1, sizeof *ans);
    tx_answer_pb **ans_p = calloc(q->n_items ? q->n_items : 1, sizeof *ans_p);
    tx_sub_supplier_pb *sub = calloc(n_subs ? n_subs : 1, sizeof *sub);
    tx_sub_supplier_pb **sub_p = calloc(n_subs ? n_subs : 1, sizeof *sub_p);
    char(*comments)[sizeof comment_text] = calloc(q->n_items ? q->n_items : 1, sizeof *comments);
    uint8_t nonce[TX_NONCE_LEN];
    uint8_t *inner = NULL, *ct = NULL;
    size_t inner_len = 0, ct_len = 0;
    int rc = TX_ERR_NOMEM;

    *env = NULL;
    if (ans == NULL || ans_p == NULL || sub == NULL || sub_p == NULL || comments == NULL) {
        goto out;
    }
    meta.seq = seq;
    meta.created = CREATED;
    for (size_t i = 0; i < q->n_items; i++) {
        /* Comments of up to 30..73 characters, by record: sealed records of 2.2 to 3.9 KB. */
        size_t clen = (size_t)((variant * 7 + i * 11) % (30 + (variant * 37) % 44));

        memcpy(comments[i], comment_text, clen);
        comments[i][clen] = 0;
        ticsx__v1__answer__init(&ans[i]);
        ans[i].item = q->items[i]->id;
        ans[i].choice = (char *)choice_for(q, variant, i);
        ans[i].comment = comments[i];
        ans_p[i] = &ans[i];
    }
    for (size_t i = 0; i < n_subs; i++) {
        ticsx__v1__sub_supplier__init(&sub[i]);
        sub[i].key.data = (uint8_t *)subs[i].key;
        sub[i].key.len = TX_KEY_LEN;
        sub[i].name = (char *)subs[i].name;
        sub[i].supplies = "machined parts";
        sub_p[i] = &sub[i];
    }
    a.meta = &meta;
    a.questionnaire.data = (uint8_t *)qid;
    a.questionnaire.len = TX_ID_LEN;
    a.n_answers = q->n_items;
    a.answers = ans_p;
    a.as_of = AS_OF;
    a.valid_until = AS_OF + VALID_S;
    a.n_suppliers = n_subs;
    a.suppliers = sub_p;
    if ((rc = tx_envelope_sign_msg(id, TX_KIND_INNER_ASSESSMENT, &a.base, &inner, &inner_len)) !=
            TX_OK ||
        (rc = tx_seal_content(inner, inner_len, qid, key, nonce, &ct, &ct_len)) != TX_OK) {
        goto out;
    }
    s.meta = &meta;
    s.questionnaire.data = (uint8_t *)qid;
    s.questionnaire.len = TX_ID_LEN;
    s.nonce.data = nonce;
    s.nonce.len = sizeof nonce;
    s.ciphertext.data = ct;
    s.ciphertext.len = ct_len;
    rc = tx_envelope_sign_msg(id, TX_KIND_ASSESSMENT, &s.base, env, len);
out:
    free(inner);
    free(ct);
    free(ans);
    free(ans_p);
    free(sub);
    free(sub_p);
    free(comments);
    return rc;
}

int
tx_bench_grant(const tx_identity *id, uint64_t seq, const uint8_t aid[TX_ID_LEN],
               const tx_pubkey *grantee, const uint8_t *key, uint8_t **env, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_grant_pb g = TICSX__V1__GRANT__INIT;
    uint8_t sealed[TX_SEALED_KEY_LEN];
    int rc;

    *env = NULL;
    if ((rc = tx_seal_key(key, grantee->seal, sealed)) != TX_OK) {
        return rc;
    }
    meta.seq = seq;
    meta.created = CREATED;
    g.meta = &meta;
    g.assessment.data = (uint8_t *)aid;
    g.assessment.len = TX_ID_LEN;
    g.grantee.data = (uint8_t *)grantee->sign;
    g.grantee.len = TX_KEY_LEN;
    g.sealed_key.data = sealed;
    g.sealed_key.len = sizeof sealed;
    return tx_envelope_sign_msg(id, TX_KIND_GRANT, &g.base, env, len);
}

int
tx_bench_request(const tx_identity *id, uint64_t seq, const uint8_t qid[TX_ID_LEN],
                 const uint8_t (*suppliers)[TX_KEY_LEN], size_t n, uint32_t depth, uint8_t **env,
                 size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_request_pb r = TICSX__V1__REQUEST__INIT;
    ProtobufCBinaryData *sup = calloc(n ? n : 1, sizeof *sup);
    int rc;

    *env = NULL;
    if (sup == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        sup[i].data = (uint8_t *)suppliers[i];
        sup[i].len = TX_KEY_LEN;
    }
    meta.seq = seq;
    meta.created = CREATED;
    r.meta = &meta;
    r.questionnaire.data = (uint8_t *)qid;
    r.questionnaire.len = TX_ID_LEN;
    r.suppliers = sup;
    r.n_suppliers = n;
    r.depth = depth;
    rc = tx_envelope_sign_msg(id, TX_KIND_REQUEST, &r.base, env, len);
    free(sup);
    return rc;
}

int
tx_bench_pack_submit(uint64_t call_id, const uint8_t *env, size_t len, uint8_t **out,
                     size_t *out_len)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_submit_pb submit = TICSX__V1__SUBMIT__INIT;

    submit.envelope.data = (uint8_t *)env;
    submit.envelope.len = len;
    call.id = call_id;
    call.body_case = TICSX__V1__CALL__BODY_SUBMIT;
    call.submit = &submit;
    return tx_pack(&call.base, out, out_len);
}

int
tx_bench_pack_batch(uint64_t call_id, uint8_t *const *envs, const size_t *lens, size_t n,
                    uint8_t **out, size_t *out_len)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_submit_batch_pb batch = TICSX__V1__SUBMIT_BATCH__INIT;
    ProtobufCBinaryData *bins = calloc(n ? n : 1, sizeof *bins);
    int rc;

    if (bins == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        bins[i].data = envs[i];
        bins[i].len = lens[i];
    }
    batch.n_envelopes = n;
    batch.envelopes = bins;
    call.id = call_id;
    call.body_case = TICSX__V1__CALL__BODY_SUBMIT_BATCH;
    call.submit_batch = &batch;
    rc = tx_pack(&call.base, out, out_len);
    free(bins);
    return rc;
}

int
tx_bench_sample(size_t n, uint8_t ***envs, size_t **lens, size_t *got)
{
    tx_identity *id = NULL;
    tx_questionnaire_pb *q = NULL;
    uint8_t *qenv = NULL, qid[TX_ID_LEN];
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    size_t qlen;
    int rc;

    *got = 0;
    *envs = calloc(n, sizeof **envs);
    *lens = calloc(n, sizeof **lens);
    if (key == NULL || *envs == NULL || *lens == NULL) {
        sodium_free(key);
        return TX_ERR_NOMEM;
    }
    rc = tx_identity_generate("Bench Sample", &id);
    if (rc == TX_OK) {
        rc = tx_bench_questionnaire(id, 1, &q, &qenv, &qlen, qid);
    }
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        rc = tx_bench_sealed(id, i + 2, q, qid, i, NULL, 0, key, &(*envs)[i], &(*lens)[i]);
        *got += rc == TX_OK;
    }
    sodium_free(key);
    free(qenv);
    tx_free(q);
    tx_identity_destroy(&id);
    return rc;
}

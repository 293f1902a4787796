/* Answering a request: sign, seal, grant, submit. */
#include "tx_answer.h"

#include "tx_answer_file.h"
#include "tx_answer_subs.h"
#include "tx_cert_issue.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_grant.h"
#include "tx_json.h"
#include "tx_lookup.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_plan.h"
#include "tx_qref.h"
#include "tx_request.h"
#include "tx_rpc.h"
#include "tx_seal.h"
#include "tx_sign.h"
#include "tx_signer.h"
#include "tx_us.h"
#include "tx_us_hub.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

/* Signs the inner assessment (seq) as this home's key: *inner, caller frees. */
static int
sign_inner(tx_client *c, const tx_answer_args *args, const tx_rec *request, const tx_rec *qrec,
           const tx_answers *answers, tx_sub_supplier_pb **subs, const tx_evidence_set *ev,
           uint64_t seq, const tx_answer_result *out, uint8_t **inner, size_t *inner_len)
{
    tx_assessment_pb a = TICSX__V1__ASSESSMENT__INIT;
    tx_meta_pb ma = TICSX__V1__META__INIT;
    char why[512];

    if (args->prepared != NULL) {
        a = *args->prepared; /* shallow: the draft's answers, signed again by this key */
        a.draft = (ProtobufCBinaryData){TX_ID_LEN, (uint8_t *)args->draft};
    }
    ma.seq = seq;
    ma.created = tx_now();
    a.meta = &ma;
    a.questionnaire.data = (uint8_t *)qrec->id;
    a.questionnaire.len = TX_ID_LEN;
    a.request.data = (uint8_t *)request->id;
    a.request.len = TX_ID_LEN;
    if (args->prepared == NULL) {
        a.answers = answers->v;
        a.n_answers = answers->n;
        a.suppliers = subs;
        a.n_suppliers = answers->n_subs;
        a.credentials = args->credentials;
        a.n_credentials = args->n_credentials;
    }
    a.as_of = out->as_of;
    a.valid_until = out->valid_until;
    if (out->has_certificate) {
        a.certificate.data = (uint8_t *)out->certificate;
        a.certificate.len = TX_ID_LEN;
    }
    a.evidence = ev->refs;
    a.n_evidence = ev->n;
    /* Plans and per-item evidence follow the rules every reader applies (tx_plan.h). */
    if (tx_plan_check((const tx_questionnaire_pb *)qrec->msg, &a, why, sizeof why) != TX_OK) {
        return tx_fail(TX_ERR_MALFORMED, "%s: %s", args->file, why);
    }
    return tx_sign_checked(tx_client_id(c), TX_KIND_INNER_ASSESSMENT, &a.base, args->file, inner,
                           inner_len);
}

/* A draft: the inner assessment signed by this person, sealed to the organisation's seal key
 * (every member given it opens it; the hub cannot), in a Draft signed by this person. */
static int
build_draft(tx_client *c, const tx_answer_args *args, const tx_rec *request, const tx_rec *qrec,
            const tx_answers *answers, tx_sub_supplier_pb **subs, const tx_evidence_set *ev,
            const uint8_t org_seal[32], uint64_t seq, uint8_t **env, size_t *env_len,
            tx_answer_result *out)
{
    tx_draft_pb d = TICSX__V1__DRAFT__INIT;
    tx_meta_pb md = TICSX__V1__META__INIT;
    uint8_t *inner = NULL, *sealed = NULL;
    size_t inner_len = 0;
    int rc = sign_inner(c, args, request, qrec, answers, subs, ev, seq, out, &inner, &inner_len);

    if (rc == TX_OK && (sealed = malloc(inner_len + crypto_box_SEALBYTES)) == NULL) {
        rc = TX_ERR_NOMEM;
    }
    if (rc == TX_OK && crypto_box_seal(sealed, inner, inner_len, org_seal) != 0) {
        rc = tx_fail(TX_ERR_CRYPTO, "cannot seal the draft to the organisation's seal key");
    }
    if (rc == TX_OK) {
        md.seq = seq + 1;
        md.created = tx_now();
        d.meta = &md;
        d.request = (ProtobufCBinaryData){TX_ID_LEN, (uint8_t *)request->id};
        d.questionnaire = (ProtobufCBinaryData){TX_ID_LEN, (uint8_t *)qrec->id};
        d.sealed = (ProtobufCBinaryData){inner_len + crypto_box_SEALBYTES, sealed};
        rc = tx_sign_checked(tx_client_id(c), TX_KIND_DRAFT, &d.base, args->file, env, env_len);
    }
    if (rc == TX_OK) {
        tx_record_id(*env, *env_len, out->draft_id);
        out->draft = 1;
    }
    if (inner != NULL) {
        sodium_memzero(inner, inner_len);
    }
    free(inner);
    free(sealed);
    return rc;
}

/* Signs the inner assessment, encrypts it, signs the sealed record (its content key also
 * sealed to the organisation's seal key `org_seal`, so every home of it opens it) and the
 * grant. */
static int
build(tx_client *c, const tx_answer_args *args, const tx_rec *request, const tx_rec *qrec,
      const tx_org *buyer, const uint8_t org_seal[TX_KEY_LEN], const tx_answers *answers,
      tx_sub_supplier_pb **subs, const tx_evidence_set *ev, uint64_t seq, uint8_t *key,
      uint8_t *envs[2], size_t lens[2], tx_answer_result *out)
{
    ProtobufCBinaryData *chunk_ids = NULL;
    const tx_identity *me = tx_client_id(c);
    tx_sealed_pb s = TICSX__V1__SEALED_ASSESSMENT__INIT;
    tx_grant_pb g = TICSX__V1__GRANT__INIT;
    tx_meta_pb ms = TICSX__V1__META__INIT;
    tx_meta_pb mg = TICSX__V1__META__INIT;
    uint8_t nonce[TX_NONCE_LEN];
    uint8_t sealed_key[TX_SEALED_KEY_LEN], org_key[TX_SEALED_KEY_LEN];
    uint8_t *inner = NULL, *ct = NULL;
    size_t inner_len = 0, ct_len = 0;
    int64_t now = tx_now();
    int rc;

    if ((rc = sign_inner(c, args, request, qrec, answers, subs, ev, seq, out, &inner,
                         &inner_len)) != TX_OK) {
        goto out;
    }
    rc = tx_seal_content(inner, inner_len, qrec->id, key, nonce, &ct, &ct_len);
    sodium_memzero(inner, inner_len);
    if (rc != TX_OK || (rc = tx_seal_key(key, org_seal, org_key)) != TX_OK) {
        goto out;
    }
    ms.seq = seq + 1;
    ms.created = now;
    s.meta = &ms;
    s.questionnaire.data = (uint8_t *)qrec->id;
    s.questionnaire.len = TX_ID_LEN;
    s.nonce.data = nonce;
    s.nonce.len = TX_NONCE_LEN;
    s.ciphertext.data = ct;
    s.ciphertext.len = ct_len;
    s.org_key_sealed.data = org_key;
    s.org_key_sealed.len = TX_SEALED_KEY_LEN;
    if (out->supersedes) {
        s.supersedes.data = out->superseded;
        s.supersedes.len = TX_ID_LEN;
    }
    /* Every chunk of every file, in the clear, so the hub serves them to this one's readers. */
    if (ev->n_chunks > 0) {
        if ((chunk_ids = calloc(ev->n_chunks, sizeof *chunk_ids)) == NULL) {
            rc = TX_ERR_NOMEM;
            goto out;
        }
        for (size_t i = 0; i < ev->n_chunks; i++) {
            chunk_ids[i].data = (uint8_t *)ev->chunks[i];
            chunk_ids[i].len = TX_ID_LEN;
        }
        s.evidence = chunk_ids;
        s.n_evidence = ev->n_chunks;
    }
    if ((rc = tx_sign_checked(me, TX_KIND_ASSESSMENT, &s.base, args->file, &envs[0], &lens[0])) !=
        TX_OK) {
        goto out;
    }
    tx_record_id(envs[0], lens[0], out->assessment);
    if ((rc = tx_seal_key(key, buyer->seal, sealed_key)) != TX_OK) {
        goto out;
    }
    mg.seq = seq + 2;
    mg.created = now;
    g.meta = &mg;
    g.assessment.data = out->assessment;
    g.assessment.len = TX_ID_LEN;
    g.grantee.data = (uint8_t *)buyer->key;
    g.grantee.len = TX_KEY_LEN;
    g.sealed_key.data = sealed_key;
    g.sealed_key.len = TX_SEALED_KEY_LEN;
    g.request.data = (uint8_t *)request->id;
    g.request.len = TX_ID_LEN;
    if ((rc = tx_sign_checked(me, TX_KIND_GRANT, &g.base, NULL, &envs[1], &lens[1])) != TX_OK) {
        goto out;
    }
    tx_record_id(envs[1], lens[1], out->grant);
out:
    free(chunk_ids);
    free(inner);
    free(ct);
    return rc;
}

int
tx_answer_sub_key(const tx_orgs *orgs, const char *file, const tx_sub_supplier *in,
                  uint8_t key[TX_KEY_LEN])
{
    const tx_org *o;

    if (strlen(in->key) == 2 * TX_KEY_LEN && tx_unhex(key, TX_KEY_LEN, in->key) == TX_OK) {
        return TX_OK;
    }
    /* Also the legal name of an enrolled organisation (unique among profiles). */
    if (tx_orgs_resolve(orgs, in->key, &o) != TX_OK) {
        tx_fail_clear();
        return tx_fail(TX_ERR_MALFORMED,
                       "%s %s (%s): key \"%.80s\" is neither 64 hex digits nor "
                       "the fingerprint, key id or legal name of an enrolled organisation",
                       file, in->where, in->name, in->key);
    }
    memcpy(key, o->key, TX_KEY_LEN);
    return TX_OK;
}

/* The inner assessment's sub-suppliers from the answers file, keys resolved
 * (tx_answer_sub_key). Caller frees *out and each element. */
static int
sub_suppliers(const tx_answers *answers, const tx_orgs *orgs, const char *file,
              tx_sub_supplier_pb ***out)
{
    tx_sub_supplier_pb **v = calloc(answers->n_subs + 1, sizeof *v);
    int rc;

    *out = v;
    if (v == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < answers->n_subs; i++) {
        const tx_sub_supplier *in = &answers->subs[i];

        if ((v[i] = calloc(1, sizeof *v[i] + TX_KEY_LEN)) == NULL) {
            return TX_ERR_NOMEM;
        }
        ticsx__v1__sub_supplier__init(v[i]);
        v[i]->name = in->name;
        v[i]->supplies = in->supplies;
        if (in->key[0] == 0) {
            continue;
        }
        v[i]->key.data = (uint8_t *)(v[i] + 1);
        v[i]->key.len = TX_KEY_LEN;
        if ((rc = tx_answer_sub_key(orgs, file, in, v[i]->key.data)) != TX_OK) {
            return rc;
        }
    }
    return TX_OK;
}

static void
sub_suppliers_free(tx_sub_supplier_pb **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++) {
        free(v[i]);
    }
    free(v);
}

static int
check_dates(const tx_answer_args *args, tx_answer_result *out)
{
    char a[16], v[16];

    out->as_of = args->as_of ? args->as_of : tx_now();
    if (out->as_of > tx_now()) {
        tx_format_date(a, sizeof a, out->as_of);
        return tx_fail(TX_ERR_USAGE,
                       "--as-of %s is in the future: an assessment states what is "
                       "in place now or was before; give today or an earlier date",
                       a);
    }
    out->valid_until = args->valid_until ? args->valid_until : out->as_of + 365 * (int64_t)DAY;
    if (out->valid_until <= out->as_of) {
        tx_format_date(a, sizeof a, out->as_of);
        tx_format_date(v, sizeof v, out->valid_until);
        return tx_fail(TX_ERR_USAGE,
                       "--valid-until %s is not after the as-of date %s: give a later date", v, a);
    }
    return TX_OK;
}

/* A request signed by a person of the buyer: the buyer is the organisation its member records
 * (fetched now) name, if it was an officer or admin when it signed. *buyer stays NULL when the
 * signer is no such person. */
static int
requester_org(tx_client *c, const tx_rec *request, const tx_orgs *orgs, const tx_org **buyer)
{
    tx_signer_info si;
    int found;
    int rc = tx_person_of(c, tx_rec_signer(request),
                          ((const tx_request_pb *)request->msg)->meta->created, &si, &found);

    if (rc == TX_OK && found && si.acts && tx_us_role_signs(si.role)) {
        *buyer = tx_orgs_by_key(orgs, si.org);
    }
    return rc;
}

/* In a member's home: whether this person is a responder now, whose answers are drafts. */
static int
drafts_only(tx_client *c, int is_member, int *draft)
{
    tx_signer_info si;
    int found = 0, rc = TX_OK;

    *draft = 0;
    if (is_member) {
        rc = tx_person_of(c, tx_client_id(c)->pub.sign, tx_now(), &si, &found);
    }
    if (rc == TX_OK && found && si.role == TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_RESPONDER) {
        *draft = 1;
    }
    return rc;
}

/* What a draft cannot carry: it is the officer who supersedes. */
static int
draft_args_ok(const tx_answer_args *args)
{
    if (args->supersedes != NULL) {
        return tx_fail(TX_ERR_USAGE, "a responder's answer is a draft for an officer: only an "
                                     "officer supersedes an assessment; drop --supersedes");
    }
    return TX_OK;
}

/* Signs, seals to the organisation and submits the draft (its files' chunks were sent). */
static int
submit_draft(tx_client *c, const tx_answer_args *args, const tx_rec *request, const tx_rec *qrec,
             const tx_answers *answers, tx_sub_supplier_pb **subs, const tx_evidence_set *ev,
             const tx_org *org, tx_answer_result *out)
{
    uint8_t *env = NULL;
    size_t len = 0;
    uint64_t seq;
    int rc;

    if ((rc = tx_seq_take(tx_home_dir(tx_client_home(c)), 2, &seq)) == TX_OK &&
        (rc = build_draft(c, args, request, qrec, answers, subs, ev, org->seal, seq, &env, &len,
                          out)) == TX_OK &&
        (rc = tx_rpc_submit(c, 1, &env, &len)) == TX_OK) {
        tx_home_cache_put(tx_client_home(c), env, len, NULL);
    }
    free(env);
    return rc;
}

/* The organisation's seal key: this home's own in the organisation's home, else from its
 * profile on the hub (signed by the organisation's key this home is bound to). */
static const uint8_t *
own_seal(tx_client *c, const tx_orgs *orgs, const uint8_t org[TX_KEY_LEN], int is_member)
{
    return is_member ? tx_orgs_by_key(orgs, org)->seal : tx_client_id(c)->pub.seal;
}

/* An approved draft answers the request it was prepared for, with its own dates. */
static int
prepared_fits(const tx_answer_args *args, const tx_rec *qrec, tx_answer_result *out)
{
    const tx_assessment_pb *p = args->prepared;

    if (p->questionnaire.len != TX_ID_LEN ||
        memcmp(p->questionnaire.data, qrec->id, TX_ID_LEN) != 0 || p->request.len != TX_ID_LEN ||
        memcmp(p->request.data, out->request, TX_ID_LEN) != 0) {
        return tx_fail(TX_ERR_MALFORMED, "%s does not answer the request it was prepared for",
                       args->file);
    }
    out->as_of = p->as_of;
    out->valid_until = p->valid_until;
    out->n_answers = p->n_answers;
    out->n_items = ((const tx_questionnaire_pb *)qrec->msg)->n_items;
    out->n_suppliers = p->n_suppliers;
    return TX_OK;
}

int
tx_answer_submit(tx_client *c, const tx_answer_args *args, tx_answer_result *out)
{
    tx_rec request = {0}, qrec = {0};
    tx_recs profiles = {0};
    tx_orgs orgs = {0};
    const tx_org *buyer;
    tx_answers answers = {0};
    const tx_request_pb *req;
    uint8_t *envs[3] = {NULL, NULL, NULL};
    size_t lens[3] = {0, 0, 0};
    tx_sub_supplier_pb **subs = NULL;
    tx_grant_result regrant = {0};
    tx_evidence_set ev = {0};
    uint8_t *key = NULL;
    char qhex[2 * TX_ID_LEN + 1];
    int kind = TX_KIND_QUESTIONNAIRE, got;
    uint8_t org[TX_KEY_LEN];
    uint64_t seq;
    int rc, is_member, draft = 0;

    memset(out, 0, sizeof *out);
    /* Files too large or unreadable are refused before anything is signed or sent. */
    if ((rc = tx_evidence_check(args->attachments, args->n_attachments)) != TX_OK ||
        (rc = check_dates(args, out)) != TX_OK ||
        (rc = tx_request_find(c, args->request, &request, &profiles)) != TX_OK) {
        goto out;
    }
    req = (const tx_request_pb *)request.msg;
    memcpy(out->request, request.id, TX_ID_LEN);
    out->depth = req->depth;
    if (req->on_behalf_of.len == TX_ID_LEN && req->origin_buyer.len == TX_KEY_LEN) {
        out->forwarded = 1;
        memcpy(out->origin, req->origin_buyer.data, TX_KEY_LEN);
        memcpy(out->on_behalf_of, req->on_behalf_of.data, TX_ID_LEN);
    } else if (args->need_forwarded) {
        rc = tx_fail(TX_ERR_USAGE,
                     "--also-grant-origin: request %.12s was not forwarded on anyone's behalf "
                     "(answering grants its requester): drop --also-grant-origin",
                     args->request);
        goto out;
    }
    if ((rc = tx_home_org(tx_client_home(c), org, &is_member)) != TX_OK ||
        (rc = drafts_only(c, is_member, &draft)) != TX_OK ||
        (draft && (rc = draft_args_ok(args)) != TX_OK)) {
        goto out;
    }
    if (args->supersedes != NULL) {
        if ((rc = tx_grant_check_supersede(c, args->supersedes, out->superseded)) != TX_OK) {
            goto out;
        }
        out->supersedes = 1;
    }
    if (!tx_request_names(req, org)) {
        rc = tx_fail(TX_ERR_USAGE,
                     "request %.12s does not name this organisation as a supplier: ticsx inbox "
                     "lists the requests sent to it",
                     args->request);
        goto out;
    }
    if ((rc = tx_orgs_add(&orgs, &profiles)) != TX_OK ||
        (rc = tx_orgs_follow_hub(c, &orgs)) != TX_OK) {
        goto out;
    }
    if ((buyer = tx_orgs_by_key(&orgs, tx_rec_signer(&request))) == NULL &&
        (rc = requester_org(c, &request, &orgs, &buyer)) != TX_OK) {
        goto out;
    }
    if (buyer == NULL) {
        rc = tx_fail(TX_ERR_NOT_FOUND,
                     "the requester of %.12s has no profile on the hub: "
                     "cannot seal the answers to it; ask the requester to enrol at the hub",
                     args->request);
        goto out;
    }
    const uint8_t(*qid)[TX_ID_LEN] = (const uint8_t(*)[TX_ID_LEN])req->questionnaire.data;
    if ((rc = tx_rpc_get(c, 1, qid, &kind, &qrec, &got)) != TX_OK) {
        goto out;
    }
    if ((rc = got) != TX_OK) {
        goto out;
    }
    if (args->prepared != NULL) {
        rc = prepared_fits(args, &qrec, out);
        goto prepared;
    }
    rc = tx_answers_load(args->file, (const tx_questionnaire_pb *)qrec.msg, args->allow_missing,
                         &answers);
    if (rc != TX_OK) {
        goto out;
    }
    tx_hex(qhex, qrec.id, TX_ID_LEN);
    if (answers.questionnaire[0] != 0 && strcasecmp(answers.questionnaire, qhex) != 0) {
        rc = tx_fail(TX_ERR_USAGE,
                     "%s was written for questionnaire %.12s, but the request asks for %.12s: "
                     "write a new one with ticsx questionnaire template %.16s",
                     args->file, answers.questionnaire, qhex, args->request);
        goto out;
    }
    out->n_answers = answers.n;
    out->n_items = ((const tx_questionnaire_pb *)qrec.msg)->n_items;
    out->n_suppliers = answers.n_subs;
    if ((rc = sub_suppliers(&answers, &orgs, args->file, &subs)) != TX_OK) {
        goto out;
    }
prepared:
    if (rc != TX_OK) {
        goto out;
    }
    /* Only a warning: superseding may mean to drop them. */
    if (out->supersedes && args->prepared == NULL &&
        tx_answer_dropped_subs(c, out->superseded, subs, answers.n_subs, out) != TX_OK) {
        tx_fail_clear();
    }
    if ((rc = tx_cert_pick_own(c, args->certificate, out->certificate, &out->has_certificate,
                               out->certificate_number, sizeof out->certificate_number)) != TX_OK) {
        goto out;
    }
    if ((draft || is_member) && tx_orgs_by_key(&orgs, org) == NULL) {
        rc = tx_fail(TX_ERR_NOT_FOUND, "the organisation's profile is not on the hub: cannot "
                                       "seal the answers to it; run ticsx fetch");
        goto out;
    }
    /* The chunks first (lower sequence numbers): the sealed record must find them stored. An
     * approved draft's files were sent by its responder. */
    rc = args->prepared != NULL ? tx_evidence_from_refs(args->file, args->prepared->evidence,
                                                        args->prepared->n_evidence, &ev)
                                : tx_evidence_send(c, args->attachments, args->n_attachments, &ev);
    if (rc != TX_OK) {
        goto out;
    }
    out->n_evidence = ev.n;
    out->evidence_sent = ev.sent;
    out->evidence_reused = ev.reused;
    if (draft) {
        rc = submit_draft(c, args, &request, &qrec, &answers, subs, &ev, tx_orgs_by_key(&orgs, org),
                          out);
        goto out;
    }
    key = sodium_malloc(TX_CONTENT_KEY_LEN);
    if (key == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    if ((rc = tx_seq_take(tx_home_dir(tx_client_home(c)), 3, &seq)) != TX_OK ||
        (rc = build(c, args, &request, &qrec, buyer, own_seal(c, &orgs, org, is_member), &answers,
                    subs, &ev, seq, key, envs, lens, out)) != TX_OK) {
        goto out;
    }
    /* The key is kept before anything is submitted, so a later grant can always be made. */
    if ((rc = tx_home_key_put(tx_client_home(c), out->assessment, key)) != TX_OK ||
        (args->also != NULL &&
         (rc = args->also(args->also_ctx, out->assessment, &envs[2], &lens[2])) != TX_OK) ||
        (rc = tx_rpc_submit(c, args->also != NULL ? 3 : 2, envs, lens)) != TX_OK) {
        goto out;
    }
    tx_home_cache_put(tx_client_home(c), request.bytes, request.len, NULL);
    tx_home_cache_put(tx_client_home(c), qrec.bytes, qrec.len, NULL);
    tx_home_cache_put(tx_client_home(c), envs[0], lens[0], NULL);
    tx_home_cache_put(tx_client_home(c), envs[1], lens[1], NULL);
    /* The old one's readers get the new one; the requester already has it. */
    if (out->supersedes && !args->no_regrant) {
        rc = tx_grant_regrant(c, out->superseded, out->assessment, key, buyer->key, &regrant);
        out->n_regranted = regrant.n;
        if (rc != TX_OK) {
            char hex[2 * TX_ID_LEN + 1], why[256];
            tx_hex(hex, out->assessment, TX_ID_LEN);
            snprintf(why, sizeof why, "%s", tx_fail_msg());
            rc = tx_fail(rc,
                         "assessment %s is stored, but granting it to the old one's readers "
                         "failed (%s): run ticsx grant %.12s --to BUYER",
                         hex, why, hex);
            goto out;
        }
    }
    /* Only a hint: the answer is stored whatever this finds. */
    if (!out->supersedes &&
        tx_grant_latest_own(c, qrec.id, out->assessment, out->older, &out->has_older) != TX_OK) {
        out->has_older = 0;
        tx_fail_clear();
    }
out:
    tx_evidence_set_free(&ev);
    tx_grant_result_free(&regrant);
    sub_suppliers_free(subs, answers.n_subs);
    sodium_free(key);
    free(envs[0]);
    free(envs[1]);
    free(envs[2]);
    tx_answers_free(&answers);
    tx_orgs_free(&orgs);
    tx_recs_clear(&profiles);
    tx_rec_clear(&request);
    tx_rec_clear(&qrec);
    return rc;
}

/* The sub-suppliers a superseding answer no longer lists: {"count", "names"}. */
static json_t *
dropped_json(const tx_answer_result *res)
{
    json_t *names = json_array();

    for (size_t i = 0; i < res->n_dropped && i < TX_ANSWER_DROPPED_MAX; i++) {
        json_array_append_new(names, json_string(res->dropped[i]));
    }
    return json_pack("{s:I,s:o}", "count", (json_int_t)res->n_dropped, "names", names);
}

json_t *
tx_answer_result_json(const tx_answer_result *res)
{
    char fp[TX_FP_LEN];
    json_t *j = json_pack("{s:o,s:o,s:o,s:I,s:I,s:o,s:o}", "assessment",
                          tx_json_hex(res->assessment, TX_ID_LEN), "grant",
                          tx_json_hex(res->grant, TX_ID_LEN), "request",
                          tx_json_hex(res->request, TX_ID_LEN), "answered",
                          (json_int_t)res->n_answers, "items", (json_int_t)res->n_items, "as_of",
                          tx_json_date(res->as_of), "valid_until", tx_json_date(res->valid_until));

    json_object_set_new(j, "certificate",
                        res->has_certificate ? json_pack("{s:o,s:s}", "record",
                                                         tx_json_hex(res->certificate, TX_ID_LEN),
                                                         "number", res->certificate_number)
                                             : json_null());
    json_object_set_new(j, "supersedes",
                        res->supersedes ? tx_json_hex(res->superseded, TX_ID_LEN) : json_null());
    json_object_set_new(j, "regranted", json_integer((json_int_t)res->n_regranted));
    json_object_set_new(j, "suppliers", json_integer((json_int_t)res->n_suppliers));
    json_object_set_new(j, "older",
                        res->has_older ? tx_json_hex(res->older, TX_ID_LEN) : json_null());
    tx_fingerprint(res->origin, fp);
    json_object_set_new(j, "depth", json_integer(res->depth));
    json_object_set_new(j, "origin_buyer", res->forwarded ? json_string(fp) : json_null());
    json_object_set_new(j, "origin_granted", json_false());
    json_object_set_new(j, "evidence",
                        json_pack("{s:I,s:I,s:I}", "files", (json_int_t)res->n_evidence, "sent",
                                  (json_int_t)res->evidence_sent, "reused",
                                  (json_int_t)res->evidence_reused));
    json_object_set_new(j, "dropped_suppliers", dropped_json(res));
    return j;
}

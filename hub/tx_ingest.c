/* Submit rules: what a record must satisfy to enter the log, and who may read it afterwards. */
#include "tx_ingest.h"

#include "tx_approval.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_ingest_keys.h"
#include "tx_keys.h"
#include "tx_log.h"
#include "tx_merkle.h"
#include "tx_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tx_submission {
    const uint8_t *buf; /* borrowed */
    size_t len;
    uint8_t id[TX_ID_LEN];
    uint8_t leaf[TX_HASH_LEN]; /* Merkle leaf hash, computed with the id off the writer thread */
    uint8_t signer[TX_KEY_LEN];
    /* The organisation the record is of: its signer, or the organisation of the person who
     * signed it (by_person), which owns and reads it as its own. */
    uint8_t author[TX_KEY_LEN];
    int by_person;
    int kind;
    uint64_t seq;
    tx_envelope_pb *env;
    ProtobufCMessage *payload;
};

void
tx_submission_destroy(tx_submission **sub_p)
{
    if (sub_p == NULL || *sub_p == NULL) {
        return;
    }
    tx_free((*sub_p)->payload);
    tx_free((*sub_p)->env);
    free(*sub_p);
    *sub_p = NULL;
}

const uint8_t *
tx_submission_id(const tx_submission *sub)
{
    return sub->id;
}

const uint8_t *
tx_submission_leaf(const tx_submission *sub)
{
    return sub->leaf;
}

int
tx_submission_kind(const tx_submission *sub)
{
    return sub->kind;
}

/* Decodes and verifies an envelope and its payload; refusals go to res. */
static int
open_record(const uint8_t *buf, size_t len, tx_submission *sub, tx_outcome *res)
{
    char fp[TX_FP_LEN];
    int rc;

    if ((rc = tx_decode_envelope(buf, len, &sub->env)) != TX_OK) {
        return tx_outcome_set(res, tx_err_status(rc), rc, "envelope does not decode: %s",
                              tx_codec_detail());
    }
    memcpy(sub->signer, sub->env->signer_key.data, TX_KEY_LEN);
    if ((rc = tx_envelope_verify(sub->env)) != TX_OK) {
        /* Fingerprints (a SHA-256 and base64 each) only for the messages that name them. */
        tx_fingerprint(sub->signer, fp);
        return tx_outcome_set(res, TX_STATUS_BAD_SIGNATURE, TX_ERR_BAD_SIGNATURE,
                              "envelope signature does not verify against signer %s", fp);
    }
    sub->kind = tx_kind_from_payload_type(sub->env->payload_type);
    if (sub->kind == TX_KIND_INNER_ASSESSMENT) {
        return tx_outcome_set(res, TX_STATUS_BAD_REQUEST, TX_ERR_WRONG_TYPE,
                              "a plaintext assessment is never stored; submit it sealed (%s)",
                              tx_kind_payload_type(TX_KIND_ASSESSMENT));
    }
    if ((rc = tx_decode_payload(sub->env, sub->kind, &sub->payload)) != TX_OK) {
        return tx_outcome_set(res, tx_err_status(rc), rc, "%s payload does not decode: %s",
                              tx_kind_name(sub->kind), tx_codec_detail());
    }
    sub->seq = tx_kind_seq(sub->kind, sub->payload);
    return TX_OK;
}

int
tx_ingest_prepare(const uint8_t caller[TX_KEY_LEN], const uint8_t *buf, size_t len,
                  tx_submission **out, tx_outcome *res)
{
    return tx_ingest_prepare_as(caller, NULL, buf, len, out, res);
}

/* What a member's own key may not sign: what only the organisation's key (or a successor of
 * it) signs. */
static int
person_kind_refused(const tx_submission *sub, tx_outcome *res)
{
    if (sub->kind == TX_KIND_MEMBER || sub->kind == TX_KIND_MEMBER_REMOVE ||
        sub->kind == TX_KIND_KEY_SUCCESSOR || sub->kind == TX_KIND_KEY_REVOCATION ||
        sub->kind == TX_KIND_ORG_SETTINGS) {
        return tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                              "a %s is signed by the organisation key, not a member's; run "
                              "`ticsx member` in the organisation's home",
                              tx_kind_name(sub->kind));
    }
    return TX_OK;
}

int
tx_ingest_prepare_as(const uint8_t caller[TX_KEY_LEN], const uint8_t *person, const uint8_t *buf,
                     size_t len, tx_submission **out, tx_outcome *res)
{
    const uint8_t *who = person != NULL ? person : caller;
    tx_submission *sub = calloc(1, sizeof *sub);
    char fp_signer[TX_FP_LEN], fp_caller[TX_FP_LEN];
    int rc;

    *out = NULL;
    memset(res, 0, sizeof *res);
    if (sub == NULL) {
        return tx_outcome_set(res, TX_STATUS_INTERNAL, TX_ERR_NOMEM, "out of memory");
    }
    sub->buf = buf;
    sub->len = len;
    tx_record_id_leaf(buf, len, sub->id, sub->leaf);
    memcpy(res->receipt.id, sub->id, TX_ID_LEN);
    /* Verify before anything else is believed; only then look at who signed and what. */
    if ((rc = open_record(buf, len, sub, res)) != TX_OK) {
        goto fail;
    }
    if (sub->kind == TX_KIND_PROFILE) {
        rc = tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                            "profiles enter only through `ticsx-hub enroll`; give profile.tx "
                            "to the hub operator");
        goto fail;
    }
    if (sub->kind == TX_KIND_KEY_REENROLMENT) {
        rc = tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                            "key re-enrolments are written by the hub operator (ticsx-hub "
                            "reenroll); they cannot be submitted");
        goto fail;
    }
    if (sub->kind == TX_KIND_CHECKPOINT) {
        rc = tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                            "checkpoints are signed by the hub over its own log; they cannot be "
                            "submitted");
        goto fail;
    }
    if (memcmp(sub->signer, who, TX_KEY_LEN) != 0) {
        tx_fingerprint(sub->signer, fp_signer);
        tx_fingerprint(who, fp_caller);
        rc = tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                            "record is signed by %s but the caller is %s; submit only your own "
                            "records",
                            fp_signer, fp_caller);
        goto fail;
    }
    memcpy(sub->author, caller, TX_KEY_LEN);
    sub->by_person = person != NULL;
    *out = sub;
    return TX_OK;
fail:
    tx_submission_destroy(&sub);
    return rc;
}

/* Finds a referenced record of `kind`: MISSING_REFERENCE if absent or of another kind. */
static int
reference(tx_batch *b, const uint8_t *ref, int kind, const char *field, uint64_t *index,
          tx_outcome *res)
{
    char shortid[13];
    int found_kind;
    int rc = tx_batch_lookup(b, ref, index, &found_kind);

    if (rc == TX_OK && found_kind == kind) {
        return TX_OK;
    }
    if (rc != TX_OK && rc != TX_ERR_NOT_FOUND) {
        return tx_outcome_storage(res, rc);
    }
    tx_record_id_short(ref, shortid);
    return tx_outcome_set(res, TX_STATUS_MISSING_REFERENCE, TX_ERR_MISSING_REF,
                          "%s %s is not stored at the hub; submit it first", field, shortid);
}

/* Whether the record at `index` is of organisation `org`: signed by its key, or by a person its
 * member records name (a person's records stay its organisation's after it is removed). */
static int
is_of(tx_batch *b, uint64_t index, const uint8_t org[TX_KEY_LEN], int *yes)
{
    uint8_t signer[TX_KEY_LEN];
    tx_person p;
    int rc = tx_batch_signer_of(b, index, signer);

    *yes = 0;
    if (rc != TX_OK) {
        return rc;
    }
    if (memcmp(signer, org, TX_KEY_LEN) == 0) {
        *yes = 1;
        return TX_OK;
    }
    rc = tx_batch_person(b, TX_PERSON_BY_KEY, signer, &p);
    if (rc == TX_OK) {
        *yes = memcmp(p.org, org, TX_KEY_LEN) == 0;
    }
    return rc == TX_ERR_NOT_FOUND ? TX_OK : rc;
}

/* Finds a record of `kind` signed by `signer` (a grant's assessment, a revocation's grant, the
 * assessment a new one supersedes). Absent, of another kind or another member's: the same
 * MISSING_REFERENCE and the same words, so that no member can learn whether another's record
 * id exists. */
static int
own_reference(tx_batch *b, const uint8_t *ref, int kind, const char *noun,
              const uint8_t signer[TX_KEY_LEN], uint64_t *index, tx_outcome *res)
{
    char shortid[13];
    int found_kind, yes;
    int rc = tx_batch_lookup(b, ref, index, &found_kind);

    if (rc == TX_OK && found_kind == kind) {
        if ((rc = is_of(b, *index, signer, &yes)) != TX_OK) {
            return tx_outcome_storage(res, rc);
        }
        if (yes) {
            return TX_OK;
        }
    } else if (rc != TX_OK && rc != TX_ERR_NOT_FOUND) {
        return tx_outcome_storage(res, rc);
    }
    tx_record_id_short(ref, shortid);
    return tx_outcome_set(res, TX_STATUS_MISSING_REFERENCE, TX_ERR_MISSING_REF,
                          "%s %s is not among your records at the hub", noun, shortid);
}

/* FORBIDDEN unless the record at `index` was signed by `signer` (for public records, whose
 * existence is no secret). */
static int
same_author(tx_batch *b, uint64_t index, const uint8_t signer[TX_KEY_LEN], const uint8_t *ref,
            const char *noun, const char *verb, tx_outcome *res)
{
    char shortid[13];
    int yes;
    int rc = is_of(b, index, signer, &yes);

    if (rc != TX_OK) {
        return tx_outcome_storage(res, rc);
    }
    if (!yes) {
        tx_record_id_short(ref, shortid);
        return tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                              "only the author of %s %s may %s", noun, shortid, verb);
    }
    return TX_OK;
}

/* A revocation must name its grant's own assessment and grantee (the grant, the signer's own,
 * is at grant_index); *assessment_index receives the assessment's index. */
static int
check_revoke(tx_batch *b, const tx_grant_revoke_pb *v, uint64_t grant_index,
             uint64_t *assessment_index, tx_outcome *res)
{
    tx_envelope_pb *genv = NULL;
    ProtobufCMessage *gmsg = NULL;
    const tx_grant_pb *g;
    char shortid[13];
    int rc;

    if ((rc = tx_batch_envelope(b, grant_index, &genv)) != TX_OK) {
        return tx_outcome_storage(res, rc);
    }
    if (tx_decode_payload(genv, TX_KIND_GRANT, &gmsg) != TX_OK) {
        tx_free(genv);
        return tx_outcome_storage(res, TX_ERR_STORAGE);
    }
    g = (const tx_grant_pb *)gmsg;
    if (memcmp(g->assessment.data, v->assessment.data, TX_ID_LEN) != 0 ||
        memcmp(g->grantee.data, v->grantee.data, TX_KEY_LEN) != 0) {
        tx_record_id_short(v->grant.data, shortid);
        rc =
            tx_outcome_set(res, TX_STATUS_BAD_REQUEST, TX_ERR_MALFORMED,
                           "the revocation's assessment or grantee differs from grant %s", shortid);
    } else {
        rc = reference(b, v->assessment.data, TX_KIND_ASSESSMENT, "assessment", assessment_index,
                       res);
    }
    tx_free(gmsg);
    tx_free(genv);
    return rc;
}

/* Follows the references of a submitted record that the hub checks, in the order of its row
 * (tx_kinds.h: which, and by what rule); found[i] receives the log index of refs[i], 0 for one
 * not followed. */
static int
follow_references(tx_batch *b, const tx_submission *sub, const tx_ref *refs, size_t n,
                  uint64_t *found, tx_outcome *res)
{
    int rc = TX_OK;

    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        const tx_kind_ref *r = refs[i].ref;

        found[i] = 0;
        switch (r->rule) {
        case TX_REF_STORED:
            rc = reference(b, refs[i].id, r->kind, r->noun, &found[i], res);
            break;
        case TX_REF_OWN:
            rc = own_reference(b, refs[i].id, r->kind, r->noun, sub->author, &found[i], res);
            break;
        case TX_REF_AUTHOR:
            if ((rc = reference(b, refs[i].id, r->kind, r->noun, &found[i], res)) == TX_OK) {
                rc = same_author(b, found[i], sub->author, refs[i].id, r->noun, r->act, res);
            }
            break;
        case TX_REF_NAMED:
            break;
        }
    }
    return rc;
}

/* The log index follow_references found for the reference to a record of `kind`, 0 if none. */
static uint64_t
found_of(const tx_ref *refs, const uint64_t *found, size_t n, int kind)
{
    for (size_t i = 0; i < n; i++) {
        if (refs[i].ref->kind == kind) {
            return found[i];
        }
    }
    return 0;
}

/* A superseding assessment becomes visible to everyone who may read the one it replaces now
 * (its current grantees, and those told of an earlier supersede in the chain), so a buyer
 * still holding only the old one learns that it is superseded. It sees ciphertext only:
 * without a grant of the new assessment (the supplier's choice) it cannot read it. */
static int
notify_superseded(tx_batch *b, uint64_t old_index, const uint8_t signer[TX_KEY_LEN],
                  uint64_t new_index)
{
    uint8_t(*readers)[TX_KEY_LEN] = NULL;
    size_t n = 0;
    int rc = tx_batch_readers(b, old_index, &readers, &n);

    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        if (memcmp(readers[i], signer, TX_KEY_LEN) != 0) {
            rc = tx_batch_allow(b, readers[i], TX_KIND_ASSESSMENT, new_index);
        }
    }
    free(readers);
    return rc;
}

/* Lets `reader` see every assessment superseding the one at `index` (ciphertext only, as for
 * notify_superseded), or (allow 0) takes that away again: a revoked grant of a version takes
 * the newer versions of its line with it, however the reader came to see them; a grant of a
 * newer version made after the revocation opens that one (and its newer ones) again. */
static int
superseders_access(tx_batch *b, const uint8_t reader[TX_KEY_LEN], uint64_t index, int allow)
{
    uint64_t *newer = NULL;
    size_t n = 0;
    int rc = tx_batch_superseders(b, index, &newer, &n);

    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        rc = allow ? tx_batch_allow(b, reader, TX_KIND_ASSESSMENT, newer[i])
                   : tx_batch_deny(b, reader, TX_KIND_ASSESSMENT, newer[i]);
    }
    free(newer);
    return rc;
}

/* A sealed assessment's evidence list: at most TX_EVIDENCE_MAX_CHUNKS ids, each a stored
 * evidence chunk of the same signer (absent and another's refused alike, as TX_REF_OWN);
 * their log indices into *chunks (caller frees). */
static int
evidence_list(tx_batch *b, const tx_submission *sub, uint64_t **chunks, tx_outcome *res)
{
    const tx_sealed_pb *s = (const tx_sealed_pb *)sub->payload;
    int rc = TX_OK;

    *chunks = NULL;
    if (s->n_evidence == 0) {
        return TX_OK;
    }
    if (s->n_evidence > TX_EVIDENCE_MAX_CHUNKS) {
        return tx_outcome_set(res, TX_STATUS_TOO_LARGE, TX_ERR_TOO_LARGE,
                              "the assessment lists %zu evidence chunks, at most %u (%u MiB of "
                              "files)",
                              s->n_evidence, TX_EVIDENCE_MAX_CHUNKS, TX_EVIDENCE_TOTAL_MAX >> 20);
    }
    if ((*chunks = calloc(s->n_evidence, sizeof **chunks)) == NULL) {
        return tx_outcome_set(res, TX_STATUS_INTERNAL, TX_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < s->n_evidence && rc == TX_OK; i++) {
        if (s->evidence[i].len != TX_ID_LEN) {
            rc = tx_outcome_set(res, TX_STATUS_BAD_REQUEST, TX_ERR_MALFORMED,
                                "evidence[%zu] is %zu bytes, not a record id of %d", i,
                                s->evidence[i].len, TX_ID_LEN);
        } else {
            rc = own_reference(b, s->evidence[i].data, TX_KIND_EVIDENCE_CHUNK, "evidence chunk",
                               sub->author, &(*chunks)[i], res);
        }
    }
    if (rc != TX_OK) {
        free(*chunks);
        *chunks = NULL;
    }
    return rc;
}

/* FORBIDDEN unless a member record or removal names its signer as the organisation: one
 * organisation cannot name people for another. */
static int
names_signer(const tx_submission *sub, const ProtobufCBinaryData *org, tx_outcome *res)
{
    char fp_org[TX_FP_LEN], fp[TX_FP_LEN];

    if (memcmp(org->data, sub->author, TX_KEY_LEN) == 0) {
        return TX_OK;
    }
    tx_fingerprint(org->data, fp_org);
    tx_fingerprint(sub->signer, fp);
    return tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                          "the %s names organisation %s but is signed by %s; an organisation "
                          "names only its own members",
                          tx_kind_name(sub->kind), fp_org, fp);
}

/* A member record: of its signer's organisation; its signing key no enrolled organisation's
 * and no other organisation's person's; its transport key no enrolled organisation's and no
 * other person's (the hub admits by it). */
static int
check_member_record(tx_batch *b, const tx_submission *sub, tx_outcome *res)
{
    const tx_member_pb *r = (const tx_member_pb *)sub->payload;
    uint64_t at;
    tx_person p;
    int rc = names_signer(sub, &r->organisation, res);

    if (rc != TX_OK) {
        return rc;
    }
    if ((rc = tx_batch_member(b, r->signing_key.data, &at)) != TX_ERR_NOT_FOUND) {
        return rc != TX_OK ? tx_outcome_storage(res, rc)
                           : tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                                            "the member's signing key is an enrolled "
                                            "organisation's; the member must make its own keys");
    }
    rc = tx_batch_person(b, TX_PERSON_BY_KEY, r->signing_key.data, &p);
    if (rc == TX_OK && p.is_key) {
        return tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                              "the member's signing key is an organisation's key");
    }
    if (rc == TX_OK && memcmp(p.org, sub->author, TX_KEY_LEN) != 0) {
        return tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                              "the member's signing key is already a member of another "
                              "organisation");
    }
    if (rc != TX_OK && rc != TX_ERR_NOT_FOUND) {
        return tx_outcome_storage(res, rc);
    }
    rc = tx_batch_transport_owner(b, r->transport_key.data, p.key);
    if (rc == TX_ERR_NOT_FOUND) {
        rc = tx_batch_person(b, TX_PERSON_BY_TRANSPORT, r->transport_key.data, &p);
        if (rc == TX_OK && memcmp(p.key, r->signing_key.data, TX_KEY_LEN) == 0) {
            rc = TX_ERR_NOT_FOUND; /* the same person's key again */
        }
    }
    if (rc == TX_OK) {
        return tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                              "the member's transport key is already in use at this hub; the "
                              "member must make its own keys");
    }
    return rc == TX_ERR_NOT_FOUND ? TX_OK : tx_outcome_storage(res, rc);
}

/* A removal: of its signer's organisation, naming one of its people. */
static int
check_member_removal(tx_batch *b, const tx_submission *sub, tx_outcome *res)
{
    const tx_member_remove_pb *x = (const tx_member_remove_pb *)sub->payload;
    char fp[TX_FP_LEN];
    tx_person p;
    int rc = names_signer(sub, &x->organisation, res);

    if (rc != TX_OK) {
        return rc;
    }
    rc = tx_batch_person(b, TX_PERSON_BY_KEY, x->signing_key.data, &p);
    if (rc == TX_OK && memcmp(p.org, sub->author, TX_KEY_LEN) == 0 && !p.is_key) {
        return TX_OK;
    }
    if (rc != TX_OK && rc != TX_ERR_NOT_FOUND) {
        return tx_outcome_storage(res, rc);
    }
    tx_fingerprint(x->signing_key.data, fp);
    return tx_outcome_set(res, TX_STATUS_MISSING_REFERENCE, TX_ERR_MISSING_REF,
                          "%s is not a member of your organisation at the hub", fp);
}

/* Adds the record's organisation to its readers, and the person who signed it (whose reads
 * go through its organisation; the log's check expects every signer to read its own). */
static size_t
add_authors(uint8_t (*readers)[TX_KEY_LEN], size_t n, const tx_submission *sub)
{
    memcpy(readers[n++], sub->author, TX_KEY_LEN);
    if (sub->by_person) {
        memcpy(readers[n++], sub->signer, TX_KEY_LEN);
    }
    return n;
}

/* "stored as N" (N the receipt's index), the message of every record stored, written without
 * printf: it runs on the writer thread for each record. */
static int
stored_as(tx_outcome *res)
{
    static const char lead[] = "stored as ";
    char digits[20];
    size_t n = 0;
    uint64_t v = res->receipt.index;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    res->status = TX_STATUS_OK;
    memcpy(res->message, lead, sizeof lead - 1);
    for (size_t i = 0; i < n; i++) {
        res->message[sizeof lead - 1 + i] = digits[n - 1 - i];
    }
    res->message[sizeof lead - 1 + n] = '\0';
    return TX_OK;
}

/* The record's references, its kind's own rules, then the append with its readers. */
static int
apply_kind(tx_batch *b, const tx_submission *sub, tx_outcome *res)
{
    uint8_t pair[3][TX_KEY_LEN];
    uint8_t(*heap)[TX_KEY_LEN] = NULL;
    uint8_t(*readers)[TX_KEY_LEN] = pair;
    size_t n_readers = 0;
    tx_ref refs[TX_KIND_MAX_REFS];
    uint64_t found[TX_KIND_MAX_REFS];
    size_t n_refs = tx_kind_refs(sub->kind, sub->payload, refs);
    uint64_t ref_index = 0, old_index = 0, grant_index = 0;
    uint64_t *chunks = NULL;
    int pending = 0;
    int rc;

    if ((rc = follow_references(b, sub, refs, n_refs, found, res)) != TX_OK) {
        return rc;
    }
    switch (sub->kind) {
    case TX_KIND_QUESTIONNAIRE:
    case TX_KIND_ACCREDITATION:
    case TX_KIND_CERTIFICATE:
    case TX_KIND_CERT_EVENT:
        /* Public; whether the signer may accredit or certify is for each reader to verify
         * against the pinned accreditor key. */
        break;
    case TX_KIND_REGISTER:
        /* Public; whether a register counts is for each reader to decide by the publishers it
         * pins (trust/registers/). */
        break;
    case TX_KIND_MEMBER:
        /* Public: every verifier resolves a person's signatures through them. */
        if ((rc = check_member_record(b, sub, res)) != TX_OK) {
            return rc;
        }
        break;
    case TX_KIND_MEMBER_REMOVE:
        if ((rc = check_member_removal(b, sub, res)) != TX_OK) {
            return rc;
        }
        break;
    case TX_KIND_KEY_SUCCESSOR:
        /* Public: every verifier follows the organisation's keys through them. */
        if ((rc = tx_ingest_key_successor(b, sub->signer, sub->author,
                                          (const tx_key_successor_pb *)sub->payload, res)) !=
            TX_OK) {
            return rc;
        }
        break;
    case TX_KIND_KEY_REVOCATION:
        /* Public: every verifier flags what the key signed from then on. */
        if ((rc = tx_ingest_key_revocation(b, sub->signer, sub->author,
                                           (const tx_key_revocation_pb *)sub->payload, res)) !=
            TX_OK) {
            return rc;
        }
        break;
    case TX_KIND_ORG_SETTINGS:
        /* Public: every buyer's verify learns from it which grants needed two officers. */
        if ((rc = names_signer(sub, &((const tx_org_settings_pb *)sub->payload)->organisation,
                               res)) != TX_OK) {
            return rc;
        }
        break;
    case TX_KIND_GRANT_APPROVAL: {
        const tx_grant_approval_pb *a = (const tx_grant_approval_pb *)sub->payload;

        grant_index = found_of(refs, found, n_refs, TX_KIND_GRANT);
        if ((rc = tx_approval_check(b, sub->signer, a, grant_index, &ref_index, res)) != TX_OK) {
            return rc;
        }
        n_readers = add_authors(readers, n_readers, sub);
        memcpy(readers[n_readers++], a->grantee.data, TX_KEY_LEN);
        break;
    }
    case TX_KIND_DRAFT:
    case TX_KIND_DRAFT_DECISION:
        /* The organisation's people only: sealed to the organisation, never granted. */
        n_readers = add_authors(readers, n_readers, sub);
        break;
    case TX_KIND_REQUEST: {
        const tx_request_pb *r = (const tx_request_pb *)sub->payload;

        readers = heap = calloc(r->n_suppliers + 2, TX_KEY_LEN);
        if (heap == NULL) {
            return tx_outcome_set(res, TX_STATUS_INTERNAL, TX_ERR_NOMEM, "out of memory");
        }
        n_readers = add_authors(readers, n_readers, sub);
        for (size_t i = 0; i < r->n_suppliers; i++) {
            memcpy(readers[n_readers++], r->suppliers[i].data, TX_KEY_LEN);
        }
        break;
    }
    case TX_KIND_ASSESSMENT:
        old_index = found_of(refs, found, n_refs, TX_KIND_ASSESSMENT);
        if ((rc = evidence_list(b, sub, &chunks, res)) != TX_OK) {
            return rc;
        }
        n_readers = add_authors(readers, n_readers, sub);
        break;
    case TX_KIND_EVIDENCE_CHUNK: {
        /* Its signer's; readers of a sealed assessment listing it read it too (the store's
         * evidence index, written when that assessment is stored). */
        const tx_evidence_chunk_pb *ch = (const tx_evidence_chunk_pb *)sub->payload;

        if (ch->ciphertext.len > TX_EVIDENCE_CHUNK + TX_AEAD_TAG_LEN) {
            return tx_outcome_set(res, TX_STATUS_TOO_LARGE, TX_ERR_TOO_LARGE,
                                  "an evidence chunk holds %zu bytes, at most %u",
                                  ch->ciphertext.len, TX_EVIDENCE_CHUNK + TX_AEAD_TAG_LEN);
        }
        n_readers = add_authors(readers, n_readers, sub);
        break;
    }
    case TX_KIND_GRANT: {
        const tx_grant_pb *g = (const tx_grant_pb *)sub->payload;

        ref_index = found_of(refs, found, n_refs, TX_KIND_ASSESSMENT);
        if ((rc = tx_approval_pending(b, sub->author, g->grantee.data, &pending, res)) != TX_OK) {
            return rc;
        }
        n_readers = add_authors(readers, n_readers, sub);
        if (!pending) { /* a waiting grant is its organisation's until approved */
            memcpy(readers[n_readers++], g->grantee.data, TX_KEY_LEN);
        }
        break;
    }
    case TX_KIND_GRANT_REVOKE: {
        const tx_grant_revoke_pb *v = (const tx_grant_revoke_pb *)sub->payload;

        if ((rc = check_revoke(b, v, found_of(refs, found, n_refs, TX_KIND_GRANT), &ref_index,
                               res)) != TX_OK) {
            return rc;
        }
        n_readers = add_authors(readers, n_readers, sub);
        memcpy(readers[n_readers++], v->grantee.data, TX_KEY_LEN);
        break;
    }
    default:
        return tx_outcome_set(res, TX_STATUS_BAD_REQUEST, TX_ERR_WRONG_TYPE,
                              "records of kind %s cannot be submitted", tx_kind_name(sub->kind));
    }
    rc = tx_batch_append_hashed(b, sub->id, sub->leaf, sub->buf, sub->len, sub->kind, sub->signer,
                                sub->seq, (const uint8_t(*)[TX_KEY_LEN])readers, n_readers,
                                &res->receipt);
    if (rc == TX_OK && sub->kind == TX_KIND_ASSESSMENT && old_index != 0 &&
        !res->receipt.duplicate) {
        if ((rc = tx_batch_supersede(b, old_index, res->receipt.index)) == TX_OK) {
            rc = notify_superseded(b, old_index, sub->author, res->receipt.index);
        }
    }
    if (rc == TX_OK && chunks != NULL && !res->receipt.duplicate) {
        /* In the same write transaction: the chunks are readable exactly as the assessment. */
        const tx_sealed_pb *s = (const tx_sealed_pb *)sub->payload;
        for (size_t i = 0; i < s->n_evidence && rc == TX_OK; i++) {
            rc = tx_batch_list_evidence(b, chunks[i], res->receipt.index);
        }
    }
    free(chunks);
    if (rc == TX_OK && sub->kind == TX_KIND_GRANT_APPROVAL && !res->receipt.duplicate) {
        /* The grant waited for this: the grantee now reads it, and what it opens (below). */
        rc = tx_batch_allow(b, ((const tx_grant_approval_pb *)sub->payload)->grantee.data,
                            TX_KIND_GRANT, grant_index);
    }
    if (rc == TX_OK && (sub->kind == TX_KIND_GRANT || sub->kind == TX_KIND_GRANT_APPROVAL) &&
        !pending) {
        /* The grantee may now fetch the sealed assessment it was granted, and every one that
         * supersedes it (directly or along a chain): it learns from the log that what it was
         * granted is not current, even when the grant came after the supersede. */
        const uint8_t *grantee = sub->kind == TX_KIND_GRANT
                                     ? ((const tx_grant_pb *)sub->payload)->grantee.data
                                     : ((const tx_grant_approval_pb *)sub->payload)->grantee.data;
        rc = tx_batch_allow(b, grantee, TX_KIND_ASSESSMENT, ref_index);
        if (rc == TX_OK) {
            rc = superseders_access(b, grantee, ref_index, 1);
        }
    }
    if (rc == TX_OK && sub->kind == TX_KIND_GRANT_REVOKE) {
        /* ...and no longer after a revocation, nor the versions superseding it (a later grant
         * restores what it names). The author keeps seeing its own assessment even if it had
         * granted it to itself. */
        const tx_grant_revoke_pb *v = (const tx_grant_revoke_pb *)sub->payload;
        if (memcmp(v->grantee.data, sub->author, TX_KEY_LEN) != 0) {
            rc = tx_batch_deny(b, v->grantee.data, TX_KIND_ASSESSMENT, ref_index);
            if (rc == TX_OK) {
                rc = superseders_access(b, v->grantee.data, ref_index, 0);
            }
        }
    }
    free(heap);
    if (rc != TX_OK) {
        return tx_outcome_storage(res, rc);
    }
    if (pending) {
        return tx_outcome_set(res, TX_STATUS_OK, TX_OK,
                              "stored as %llu; waiting for a second officer: the grantee is new "
                              "to the organisation",
                              (unsigned long long)res->receipt.index);
    }
    return stored_as(res);
}

/* A person submits for its organisation only while its newest member record (stored by that
 * organisation) is valid and not removed, and only as an officer or admin: a viewer reads, and
 * a responder submits drafts only (sealed to the organisation, for its officers) and the
 * encrypted pieces of the files they carry (read by the organisation, and by the readers of
 * an officer's sealed assessment once it lists them). A successor of the organisation's key in
 * force acts as the organisation. */
static int
person_may_submit(tx_batch *b, const tx_submission *sub, tx_outcome *res)
{
    char fp[TX_FP_LEN];
    tx_person p;
    int rc = tx_batch_person(b, TX_PERSON_BY_KEY, sub->signer, &p);

    if (rc != TX_OK && rc != TX_ERR_NOT_FOUND) {
        return tx_outcome_storage(res, rc);
    }
    if (rc == TX_ERR_NOT_FOUND || memcmp(p.org, sub->author, TX_KEY_LEN) != 0 ||
        !tx_person_acts(&p, (int64_t)time(NULL))) {
        tx_fingerprint(sub->signer, fp);
        return tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                              "%s is not a current member of the organisation (removed, expired "
                              "or not yet valid)",
                              fp);
    }
    if (p.is_key) {
        return TX_OK; /* the organisation's own key in force */
    }
    if (person_kind_refused(sub, res) != TX_OK) {
        return TX_ERR_FORBIDDEN;
    }
    if (p.role == TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_RESPONDER &&
        (sub->kind == TX_KIND_DRAFT || sub->kind == TX_KIND_EVIDENCE_CHUNK)) {
        return TX_OK; /* a draft and its files' encrypted pieces, read by the organisation */
    }
    if (p.role != TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER &&
        p.role != TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN) {
        tx_fingerprint(sub->signer, fp);
        return tx_outcome_set(
            res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
            "member %s is a %s: only an officer or an admin submits records "
            "for the organisation",
            fp, p.role == TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_VIEWER ? "viewer" : "responder");
    }
    return TX_OK;
}

/* An organisation's enrolled key signs nothing once a successor it named is in force. */
static int
org_key_replaced(tx_batch *b, const tx_submission *sub, tx_outcome *res)
{
    char fp[TX_FP_LEN], date[32];
    int64_t at;
    int rc = tx_batch_key_replaced(b, sub->signer, &at);

    if (rc == TX_ERR_NOT_FOUND || (rc == TX_OK && at > (int64_t)time(NULL))) {
        return TX_OK;
    }
    if (rc != TX_OK) {
        return tx_outcome_storage(res, rc);
    }
    tx_fingerprint(sub->signer, fp);
    tx_format_date(date, sizeof date, at);
    return tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                          "%s was replaced by its successor from %s; sign with the new key", fp,
                          date);
}

/* The same bytes again: the first copy's receipt, not a second record. */
static int
duplicate(tx_outcome *res, uint64_t index, const char *as)
{
    res->receipt.index = index;
    res->receipt.duplicate = 1;
    return tx_outcome_set(res, TX_STATUS_OK, TX_OK, "already %s as %llu", as,
                          (unsigned long long)index);
}

int
tx_ingest_apply(tx_batch *b, const tx_submission *sub, tx_outcome *res)
{
    char fp[TX_FP_LEN];
    uint64_t profile_index, index, last_seq;
    int kind;
    int rc;

    memset(res, 0, sizeof *res);
    memcpy(res->receipt.id, sub->id, TX_ID_LEN);
    rc = tx_batch_member(b, sub->author, &profile_index);
    if (rc == TX_ERR_NOT_FOUND) {
        tx_fingerprint(sub->author, fp);
        tx_outcome_set(res, TX_STATUS_NOT_ENROLLED, TX_ERR_NOT_ENROLLED,
                       "signer %s is not enrolled; ask the hub operator to run "
                       "`ticsx-hub enroll`",
                       fp);
        return TX_OK;
    }
    if (rc != TX_OK) {
        return tx_outcome_storage(res, rc);
    }
    /* The same bytes again get the first receipt; checked before the sequence number, which
     * the first copy already used. */
    rc = tx_batch_lookup(b, sub->id, &index, &kind);
    if (rc == TX_OK) {
        return duplicate(res, index, "stored");
    }
    if (rc != TX_ERR_NOT_FOUND) {
        return tx_outcome_storage(res, rc);
    }
    if (sub->by_person && person_may_submit(b, sub, res) != TX_OK) {
        return tx_batch_error(b);
    }
    if (!sub->by_person && org_key_replaced(b, sub, res) != TX_OK) {
        return tx_batch_error(b);
    }
    if ((rc = tx_batch_last_seq(b, sub->signer, &last_seq)) != TX_OK) {
        return tx_outcome_storage(res, rc);
    }
    if (sub->seq <= last_seq) {
        tx_fingerprint(sub->signer, fp); /* sequence numbers are per signing key */
        tx_outcome_set(res, TX_STATUS_REPLAY, TX_ERR_REPLAY,
                       "sequence %llu is not above %llu, the last accepted from %s",
                       (unsigned long long)sub->seq, (unsigned long long)last_seq, fp);
        return TX_OK;
    }
    apply_kind(b, sub, res);
    /* Rule refusals are verdicts; only a storage failure (which kills the batch) is an error. */
    return tx_batch_error(b);
}

/* An organisation enrolls with keys no member record names: a person's signing or transport
 * key as an organisation's would make one key two identities. FORBIDDEN in res otherwise. */
static int
person_keys_free(tx_batch *b, const uint8_t signer[TX_KEY_LEN], const uint8_t transport[TX_KEY_LEN],
                 tx_outcome *res)
{
    tx_person p;
    int rc = tx_batch_person(b, TX_PERSON_BY_KEY, signer, &p);

    if (rc == TX_ERR_NOT_FOUND) {
        rc = tx_batch_person(b, TX_PERSON_BY_TRANSPORT, transport, &p);
    }
    if (rc == TX_OK) {
        tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                       "a key of this profile is a member's of an enrolled organisation; an "
                       "organisation makes its own keys with `ticsx keygen`");
        return TX_ERR_FORBIDDEN;
    }
    return rc == TX_ERR_NOT_FOUND ? TX_OK : tx_outcome_storage(res, rc);
}

int
tx_ingest_enroll(tx_store *s, const uint8_t *buf, size_t len, tx_outcome *res, char *name, size_t n)
{
    return tx_ingest_enroll_with(s, buf, len, 0, res, name, n);
}

int
tx_ingest_enroll_with(tx_store *s, const uint8_t *buf, size_t len, unsigned flags,
                      tx_outcome *res, char *name, size_t n)
{
    uint8_t other[TX_KEY_LEN];
    char other_fp[TX_FP_LEN];
    uint64_t other_index;
    tx_submission sub;
    const tx_profile_pb *p;
    tx_batch *b = NULL;
    char fp[TX_FP_LEN];
    uint64_t index, last_seq;
    int kind;
    int rc;

    memset(&sub, 0, sizeof sub);
    memset(res, 0, sizeof *res);
    if (n > 0) {
        name[0] = 0;
    }
    tx_record_id(buf, len, res->receipt.id);
    if (open_record(buf, len, &sub, res) != TX_OK) {
        rc = TX_OK;
        goto out;
    }
    if (sub.kind != TX_KIND_PROFILE) {
        tx_outcome_set(res, TX_STATUS_BAD_REQUEST, TX_ERR_WRONG_TYPE,
                       "expected a signed profile, got a %s", tx_kind_name(sub.kind));
        rc = TX_OK;
        goto out;
    }
    p = (const tx_profile_pb *)sub.payload;
    snprintf(name, n, "%s", p->legal_name);
    tx_fingerprint(sub.signer, fp);
    if ((rc = tx_store_begin(s, &b)) != TX_OK) {
        tx_outcome_storage(res, rc);
        goto out;
    }
    rc = tx_batch_lookup(b, res->receipt.id, &index, &kind);
    if (rc == TX_OK) {
        rc = duplicate(res, index, "enrolled");
        goto out;
    }
    if (rc != TX_ERR_NOT_FOUND || (rc = tx_batch_last_seq(b, sub.signer, &last_seq)) != TX_OK) {
        tx_outcome_storage(res, rc);
        goto out;
    }
    if (sub.seq <= last_seq) {
        tx_outcome_set(res, TX_STATUS_REPLAY, TX_ERR_REPLAY,
                       "profile sequence %llu is not above %llu, the last accepted from %s",
                       (unsigned long long)sub.seq, (unsigned long long)last_seq, fp);
        rc = TX_OK;
        goto out;
    }
    /* Another organisation's name and number on a new key is how a member would be
     * impersonated in every buyer's list; a real namesake needs the operator's word. */
    rc = tx_batch_find_member(b, p->legal_name, p->corporate_number, sub.signer, other,
                              &other_index);
    if (rc == TX_OK) {
        tx_fingerprint(other, other_fp);
        if (!(flags & TX_ENROLL_ALLOW_DUPLICATE_NAME)) {
            tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                           "member %s (profile %llu) already has the legal name \"%s\" and "
                           "corporate number \"%s\"; if %s is truly another organisation, "
                           "enroll it with --allow-duplicate-name",
                           other_fp, (unsigned long long)other_index, p->legal_name,
                           p->corporate_number, fp);
            rc = TX_OK;
            goto out;
        }
        tx_warn("enroll: %s has the legal name \"%s\" and corporate number \"%s\" of member "
                "%s; enrolled anyway (--allow-duplicate-name)",
                fp, p->legal_name, p->corporate_number, other_fp);
    } else if (rc != TX_ERR_NOT_FOUND) {
        tx_outcome_storage(res, rc);
        goto out;
    }
    if ((rc = person_keys_free(b, sub.signer, p->transport_key.data, res)) != TX_OK) {
        rc = rc == TX_ERR_FORBIDDEN ? TX_OK : rc;
        goto out;
    }
    rc = tx_batch_enroll(b, buf, len, sub.signer, sub.seq, p->transport_key.data, &res->receipt);
    if (rc == TX_ERR_EXISTS) {
        tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                       "the transport key of this profile belongs to another member; make a "
                       "new identity");
        rc = TX_OK;
        goto out;
    }
    if (rc == TX_OK) {
        rc = tx_batch_commit(&b);
    }
    if (rc != TX_OK) {
        tx_outcome_storage(res, rc);
        goto out;
    }
    tx_outcome_set(res, TX_STATUS_OK, TX_OK, "enrolled as %llu",
                   (unsigned long long)res->receipt.index);
out:
    tx_batch_abort(&b);
    tx_free(sub.payload);
    tx_free(sub.env);
    return rc;
}

/* A supplier answers a request: the answers file is read against the request's questionnaire,
 * the Assessment is signed (inner envelope), encrypted with a fresh content key
 * (AD = questionnaire record id) into a signed SealedAssessment, and a signed Grant carries the
 * content key sealed to the requester. Both go to the hub in one pipelined batch; the content
 * key stays in the home (keys/<assessment id>) for later grants. */
#ifndef TX_ANSWER_H
#define TX_ANSWER_H

#include "tx_answer_file.h"
#include "tx_client.h"
#include "tx_evidence.h"
#include "tx_orgs.h"

#include <jansson.h>

typedef struct {
    const char *request; /* 64 hex, or a unique prefix of >= 8 hex among visible requests */
    const char *file;    /* answers, CSV or JSON */
    int64_t as_of;       /* 0 = now */
    int64_t valid_until; /* 0 = as_of + 365 days */
    int allow_missing;
    const char *certificate; /* NULL: this organisation's newest certificate on the hub, if
                                any; "none"; or a certificate number or record id prefix */
    const char *supersedes;  /* NULL, or one of this organisation's assessments (id or prefix)
                                that the new one replaces (SealedAssessment.supersedes) */
    int no_regrant;          /* with supersedes: do not grant the new one to the old one's
                                current grantees */
    int need_forwarded;      /* refuse (TX_ERR_USAGE, nothing signed) unless the request was
                                forwarded on behalf of an original buyer */
    const tx_attachment *attachments; /* files attached (Assessment.evidence): `--evidence FILE`
                                         and credentials' documents; names unique; may be NULL */
    size_t n_attachments;
    tx_credential_pb **credentials; /* declared credentials (Assessment.credentials), their
                                       documents among the attachments; may be NULL */
    size_t n_credentials;
    const tx_assessment_pb *prepared; /* an approved draft's inner assessment: its answers,
                                         sub-suppliers, credentials and dates instead of file
                                         (file then only names it in messages) */
    const uint8_t *draft;             /* with prepared: the Draft's record id (TX_ID_LEN) */
    /* NULL, or signs one more record once the sealed assessment's id is known (an officer's
     * approval naming it), submitted in the same batch after the sealed assessment and its
     * grant: the hub stores the three in one transaction. */
    int (*also)(void *ctx, const uint8_t assessment[TX_ID_LEN], uint8_t **env, size_t *len);
    void *also_ctx;
} tx_answer_args;

#define TX_ANSWER_DROPPED_MAX 16 /* dropped sub-suppliers named in a result */

typedef struct {
    int draft;                     /* a responder's answer: a Draft for an officer; nothing
                                      else signed or sent (assessment and grant stay zero) */
    uint8_t draft_id[TX_ID_LEN];   /* the Draft record */
    uint8_t assessment[TX_ID_LEN]; /* the SealedAssessment record */
    uint8_t grant[TX_ID_LEN];
    uint8_t request[TX_ID_LEN];
    size_t n_answers;
    size_t n_items;
    int64_t as_of, valid_until;
    int has_certificate;
    uint8_t certificate[TX_ID_LEN]; /* the Certificate record the assessment references */
    char certificate_number[128];
    int supersedes;                 /* the assessment replaces `superseded` */
    uint8_t superseded[TX_ID_LEN];
    size_t n_regranted;             /* grantees of the superseded one granted the new one */
    int has_older;                  /* without supersedes: an earlier assessment of this
                                       organisation for the same questionnaire, not superseded */
    uint8_t older[TX_ID_LEN];
    size_t n_suppliers;             /* sub-suppliers listed (inside the encrypted assessment) */
    uint32_t depth;                 /* tiers the request asks for (> 1: forward it) */
    int forwarded;                  /* the request was forwarded on behalf of `origin` */
    uint8_t origin[TX_KEY_LEN];     /* the original buyer */
    uint8_t on_behalf_of[TX_ID_LEN]; /* the original request */
    size_t n_evidence;               /* files attached */
    size_t evidence_sent;            /* chunk records submitted for them */
    size_t evidence_reused;          /* chunks of files sent before, listed again */
    /* With supersedes: the old one's sub-suppliers the new one no longer lists (a warning:
     * tier 2 loses them), and the first ones' names. */
    size_t n_dropped;
    char dropped[TX_ANSWER_DROPPED_MAX][128];
    int draft_recorded_only; /* drafts approve: `assessment` had been sent from the draft
                                before; only the approval was recorded now */
} tx_answer_result;

/* Answers. In a member's home whose member record makes it a responder, the answer is a draft
 * (out->draft): the inner assessment the responder signed, sealed to the organisation's seal key
 * in a Draft record for an officer to approve; its attachments are sent as for an answer (their
 * chunks, signed by the responder, read by the organisation) and args->supersedes is refused
 * (TX_ERR_USAGE). With args->prepared the files are the draft's, not sent again. With
 * args->supersedes the sealed record names the old assessment (which must be this organisation's,
 * not superseded yet) and, unless no_regrant, the new one is granted to the old one's current
 * grantees after it is stored (tx_grant_regrant), and the old one's sub-suppliers the new one no
 * longer lists are named in out->dropped (the answer goes on). Sub-suppliers listed in the answers
 * file (any format) go into the inner assessment; a key given as a fingerprint, key id or legal
 * name is resolved against the enrolled organisations. Codes: TX_ERR_MALFORMED for a bad answers
 * file (message names line and item), TX_ERR_NOT_FOUND for an unknown request, TX_ERR_USAGE when
 * the request does not name this organisation or the dates are inconsistent, TX_ERR_REFUSED,
 * connection codes. */
int tx_answer_submit(tx_client *c, const tx_answer_args *args, tx_answer_result *out);

/* The key of sub-supplier `in` (its key not empty) as the assessment carries it: 64 hex
 * digits, or the fingerprint, key id or legal name of an organisation in orgs. TX_OK, or
 * TX_ERR_MALFORMED naming file, where the file lists it, the sub-supplier and the key. */
int tx_answer_sub_key(const tx_orgs *orgs, const char *file, const tx_sub_supplier *in,
                      uint8_t key[TX_KEY_LEN]);

/* The answer as `answer --json` prints it: {"assessment", "grant", "request", "answered",
 * "items", "as_of", "valid_until", "certificate": null|{"record", "number"}, "supersedes",
 * "regranted", "suppliers", "older", "depth", "origin_buyer", "origin_granted": false,
 * "evidence": {"files", "sent", "reused"}, "dropped_suppliers": {"count", "names"} (count 0
 * unless it supersedes an assessment listing sub-suppliers the new one does not; names: the
 * first TX_ANSWER_DROPPED_MAX)}.
 * Caller owns. */
json_t *tx_answer_result_json(const tx_answer_result *res);

#endif

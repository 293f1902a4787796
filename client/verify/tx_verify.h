/* Verification of granted assessments, on this machine, from the bytes in the cache; the hub
 * is trusted for nothing. Per assessment: grant and sealed record verify; the grant, sealed
 * and inner signers are one organisation; the grant names this organisation; no revocation
 * by the supplier newer than the grant ("revoked by the supplier on DATE"); the grant's until
 * has not passed (else "expired"); the content key
 * opens with this organisation's seal key; the ciphertext opens (AD = questionnaire id); the
 * inner envelope verifies and is an assessment; it names the sealed record's questionnaire;
 * the questionnaire record verifies; a request the grant names is this organisation's and asks
 * for that questionnaire; the answers fit the questionnaire; the dates hold (as-of not in the
 * future, valid-until not past: else "expired").
 * Beside the verdict: the TICS certificate the assessment references, judged (tx_cert_judge.h)
 * at its as-of date and now with the accreditor keys pinned in the home and the records in the
 * cache; whether it answers another questionnaire (version) than its request asked for; and
 * whether a newer sealed assessment of its author supersedes it (the hub shows such a record to
 * the old one's grantees even when it is not granted to them). */
#ifndef TX_VERIFY_H
#define TX_VERIFY_H

#include "tx_cert_judge.h"
#include "tx_codec.h"
#include "tx_home.h"
#include "tx_keys.h"
#include "tx_policy_store.h"

#include <jansson.h>
#include <stdio.h>

/* Verdicts. Revoked: the supplier withdrew this organisation's grant (a GrantRevoke newer than
 * its newest grant); expired also covers a grant whose `until` passed. Superseded: everything
 * verified, but a newer sealed assessment of the same author (signed, in the hub's log, shown
 * to every grantee of the old one) replaces it: it is not current. tx_verdict_rank orders
 * them best first. */
enum { TX_VERIFIED = 0, TX_EXPIRED = 1, TX_FAILED = 2, TX_REVOKED = 3, TX_SUPERSEDED = 4 };

typedef struct {
    uint8_t assessment[TX_ID_LEN];
    uint8_t grant[TX_ID_LEN];
    uint8_t supplier[TX_KEY_LEN]; /* the grant's author: its signer, or the organisation of the
                                     member who signed it (tx_signer) */
    char member_name[257];        /* that member's display name; "" for the organisation's key */
    char supplier_name[TX_NAME_MAX];
    char supplier_fp[TX_FP_LEN];
    int status;                 /* TX_VERIFIED, TX_EXPIRED, TX_FAILED, TX_REVOKED, TX_SUPERSEDED */
    char reason[320];           /* why not verified; "" when verified */
    int64_t as_of, valid_until; /* 0 when not decrypted */
    uint64_t seq;               /* the sealed record's sequence number */
    uint8_t questionnaire[TX_ID_LEN];
    int has_request;
    uint8_t request[TX_ID_LEN];
    tx_questionnaire_pb *q;  /* borrowed from the verdicts' store; set once it verified */
    tx_assessment_pb *inner; /* owned; set once decrypted and verified */
    int cert_checked;        /* the certificate fields below are set (inner assessment read) */
    tx_cert_info cert;
    tx_cert_state cert_as_of, cert_now;
    int q_mismatch;                 /* answers another questionnaire than the request's */
    uint8_t q_requested[TX_ID_LEN]; /* the request's questionnaire record */
    char q_requested_name[96];      /* "tics-selfcheck v2", "" when not in the cache */
    char q_mismatch_reason[256];
    int has_supersedes;             /* the sealed record says it replaces `supersedes` */
    uint8_t supersedes[TX_ID_LEN];
    int superseded;                 /* a newer sealed record of its author replaces it */
    uint8_t superseded_by[TX_ID_LEN]; /* the newest at the end of that chain */
    int64_t superseded_on;          /* when that one was signed */
    int newer_shared;               /* it was granted to this organisation (it has a verdict) */
    int newest_judged;              /* the newest of the chain has a verdict of its own in the
                                       same set (tx_verify_failures counts that one instead) */
    char notice[256];               /* "superseded by a newer assessment not shared with you
                                       (...)" or "newer assessment available: ..."; "" if none */
    int has_content;                /* the ciphertext opened */
    uint8_t content[TX_ID_LEN];     /* SHA-256 of the inner signed assessment: every grantee of
                                       one assessment reads these same bytes */
    struct tx_evidence_result *evidence; /* owned: per file of inner->evidence, in its order
                                            (tx_evidence_check.h); NULL when none */
    size_t n_evidence;
    char supplier_corp[16]; /* the signer's corporate number from its verified profile */
    struct tx_cred *creds;  /* owned: the credentials, signed first then declared (tx_cred.h) */
    size_t n_creds;
    uint8_t (*chunk_signers)[TX_KEY_LEN]; /* owned: who may sign its evidence chunks: the
                                             supplier's key, then the keys its member records
                                             name (a responder sends a draft's files) */
    size_t n_chunk_signers;
} tx_verdict;

typedef struct {
    tx_verdict *v;
    size_t n;
    struct tx_verify_store *store; /* owned: the records the verdicts borrow (questionnaires) */
    size_t unproven; /* grants to this organisation left out: not proven in the hub's log */
    tx_policy *policy; /* owned: the acceptance policy reports apply (tx_policy_selected), NULL
                        * when none */
} tx_verdicts;

/* Verifies every assessment granted to `me` that is in the cache, or only the one whose id
 * starts with `only` (hex, may be NULL). With `only`, grants for that assessment that name
 * someone else are judged too, so a non-grantee gets a "not granted" verdict rather than
 * silence; TX_ERR_NOT_FOUND if the cache holds no grant for it. The return code is about
 * running the checks; each verdict says how its assessment fared. The selected acceptance
 * policy (tx_policy_selected) is loaded into out->policy; a damaged or missing one fails. */
int tx_verify_all(tx_home *home, const char *only, tx_verdicts *out);

/* The days after which a remediation plan marked done is stale when its item was not improved
 * (tx_plan_state_of): the selected policy's plan_days, else TX_PLAN_DAYS_DEFAULT. */
unsigned tx_verdicts_plan_days(const tx_verdicts *vs);

/* Number of verdicts that are not TX_VERIFIED, or whose certificate has a problem at as-of or
 * now (tx_cert_status_problem: anything but valid or no certificate), plus the grants to this
 * organisation left out as unproven (their assessments are not verified). A superseded one is
 * not counted when the assessment replacing it is judged in the same set (`verify` of
 * everything granted, the supplier having granted the newer one too); alone (`verify OLD`) it
 * counts. */
size_t tx_verify_failures(const tx_verdicts *vs);

/* The certificate status to show in one word: now's when it is a problem, else as-of's when
 * that is, else now's. */
const tx_cert_state *tx_verdict_cert_state(const tx_verdict *v);

/* JSON of a verdict's certificate (tx_cert_json) or null when it was not read. */
json_t *tx_verdict_cert_json(const tx_verdict *v);

/* JSON of a supersede notice: null, or {"assessment","date","shared","notice"}. */
json_t *tx_verdict_superseded_json(const tx_verdict *v);

/* JSON of a questionnaire mismatch: null, or {"reason","requested":{"record","name"}}. */
json_t *tx_verdict_mismatch_json(const tx_verdict *v);

/* Table (assessment, supplier, fingerprint, verdict and reason), JSON, or ids of verified
 * assessments (quiet). */
int tx_verify_print(FILE *f, const tx_verdicts *vs, int json, int quiet);

/* "verified", "expired", "failed", "revoked" or "superseded". */
const char *tx_verdict_name(int status);

/* The verdict's label in the process's language ("Sharing revoked", 「共有取消し」), the web
 * UI's words. Static storage. */
const char *tx_verdict_label(int status);

/* Order of verdicts, best first: verified, superseded, expired, failed, revoked. */
int tx_verdict_rank(int status);

void tx_verdicts_free(tx_verdicts *vs);

#endif

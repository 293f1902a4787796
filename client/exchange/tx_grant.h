/* Sharing an assessment once written: grant it to more buyers (the stored content key sealed to
 * each buyer's seal key from its verified profile), revoke a buyer's grant, answer a new request
 * with an existing assessment (--reuse), and carry the grantees of a superseded assessment over
 * to the one that replaces it. Who currently holds an assessment is worked out from this
 * organisation's own signed grants and revocations as the hub lists them: a buyer holds it when
 * its newest grant is newer than its newest revocation and has not ended. */
#ifndef TX_GRANT_H
#define TX_GRANT_H

#include "tx_client.h"
#include "tx_keys.h"

#include <jansson.h>

/* One grant or revocation made (or, for reuse, found). */
typedef struct {
    uint8_t record[TX_ID_LEN];     /* the Grant or GrantRevoke record */
    uint8_t assessment[TX_ID_LEN]; /* the assessment it grants or revokes */
    uint8_t grantee[TX_KEY_LEN];
    char name[TX_NAME_MAX]; /* the grantee's legal name, "" without a profile */
    char fingerprint[TX_FP_LEN];
    int existing; /* reuse: the request was already answered by this grant; nothing was signed */
} tx_grant_item;

typedef struct {
    uint8_t assessment[TX_ID_LEN];
    uint8_t request[TX_ID_LEN]; /* reuse: the request answered */
    tx_grant_item *v;
    size_t n;
} tx_grant_result;

typedef struct {
    const char *assessment; /* 64 hex or a unique prefix (>= 8) of one of this org's own */
    const char *const *to;  /* ORG names (legal name, fingerprint or key id) */
    size_t n_to;
    int64_t until; /* 0 = no end */
} tx_grant_args;

/* Grants the assessment to each buyer in one pipelined batch. TX_ERR_NOT_FOUND when the
 * assessment is not one of this organisation's (or its content key is not in this home),
 * TX_ERR_USAGE for an unknown buyer, this organisation itself, an `until` in the past, or an
 * assessment superseded by a newer one of this organisation (the message names the newest);
 * TX_ERR_REFUSED, connection codes. Caller frees out (tx_grant_result_free). */
int tx_grant_submit(tx_client *c, const tx_grant_args *a, tx_grant_result *out);

/* Revokes every grant to `from` not yet revoked (one GrantRevoke each) of the assessment and
 * of every other version of its line (the ones it supersedes and the ones superseding it):
 * the buyer keeps no version of it. The items name each assessment revoked, oldest first.
 * TX_ERR_NOT_FOUND when there is none (never granted, or already revoked). */
int tx_revoke_submit(tx_client *c, const char *assessment, const char *from, tx_grant_result *out);

/* Answers `request` (id or prefix, naming this organisation) with an existing assessment: a
 * grant to the requester naming the request. Refused (TX_ERR_USAGE) when the assessment answers
 * another questionnaire than the request pins, is superseded by a newer one of this
 * organisation, or its validity has ended. A request already answered by a current grant of
 * this assessment is not granted twice: the item says `existing`. */
int tx_grant_reuse(tx_client *c, const char *request, const char *assessment, tx_grant_result *out);

/* Before `answer --supersedes OLD`: OLD must be one of this organisation's assessments and not
 * superseded already. *old receives its id. TX_ERR_NOT_FOUND / TX_ERR_USAGE with a message. */
int tx_grant_check_supersede(tx_client *c, const char *old_arg, uint8_t old[TX_ID_LEN]);

/* After a superseding assessment `new_id` (content key `key`) is stored: grants it to every
 * current grantee of `old` except this organisation and `skip` (may be NULL; the requester
 * already granted), each with the until and request of its newest grant of `old`. */
int tx_grant_regrant(tx_client *c, const uint8_t old[TX_ID_LEN], const uint8_t new_id[TX_ID_LEN],
                     const uint8_t *key, const uint8_t *skip, tx_grant_result *out);

/* The newest of this organisation's assessments for questionnaire `qid`, other than `except`,
 * that nothing supersedes: *found 1 and its id in out, else *found 0. */
int tx_grant_latest_own(tx_client *c, const uint8_t qid[TX_ID_LEN], const uint8_t except[TX_ID_LEN],
                        uint8_t out[TX_ID_LEN], int *found);

void tx_grant_result_free(tx_grant_result *r);

/* A grant or revoke result as `grant --json` / `revoke --json` print it: {"assessment",
 * "assessments": [ids, once each, as the items name them], "<what>": [{"record", "assessment",
 * "grantee": {"name", "fingerprint", "key"}, "until"?}]} (until: grants with an end, 0 =
 * none). Caller owns. */
json_t *tx_grant_result_json(const tx_grant_result *r, const char *what, int64_t until);

/* A reuse as `answer --reuse --json` prints it: {"assessment", "grant", "request", "reused",
 * "already_answered", "grantee": {"name", "fingerprint", "key"}}. Caller owns. */
json_t *tx_grant_reuse_json(const tx_grant_result *r);

/* Where one of this organisation's assessments is shared: a buyer it was ever granted to, by
 * its newest grant and newest revocation. It holds it now (TX_SHARE_CURRENT) when that grant
 * is newer than the revocation and has not ended. */
enum { TX_SHARE_CURRENT, TX_SHARE_REVOKED, TX_SHARE_ENDED };

typedef struct {
    uint8_t key[TX_KEY_LEN];
    char name[TX_NAME_MAX]; /* "" without a profile */
    char fingerprint[TX_FP_LEN];
    int state;       /* TX_SHARE_* */
    int64_t granted; /* the newest grant's date */
    int64_t until;   /* 0 = no end */
    int64_t revoked; /* TX_SHARE_REVOKED: the newest revocation's date */
    int has_request;
    uint8_t request[TX_ID_LEN]; /* the request the newest grant answers */
} tx_own_holder;

/* One of this organisation's assessments as the hub lists it. */
typedef struct {
    uint8_t id[TX_ID_LEN];
    uint8_t questionnaire[TX_ID_LEN];
    json_t *q; /* {"record", "id", "version", "title"}, or {"record"} when the hub does not
                  have the questionnaire; owned */
    int64_t created;
    uint64_t index; /* its log index on the hub: orders assessments made in the same second */
    int opened; /* the content key in this home opened it: dates below set */
    int64_t as_of, valid_until;
    int superseded;
    uint8_t superseded_by[TX_ID_LEN]; /* the own assessment naming this one as replaced */
    uint8_t line[TX_ID_LEN];          /* the first version of its line (itself when none) */
    tx_own_holder *holders;           /* every buyer it was granted to, current ones first; this
                                         organisation left out */
    size_t n_holders;
    size_t n_current; /* holders[0..n_current) hold it now */
} tx_own_assessment;

typedef struct {
    tx_own_assessment *v; /* newest first */
    size_t n;
} tx_own_list;

/* This organisation's assessments on the hub with their current holders and what supersedes
 * them, newest first; as_of and valid_until from the content keys kept in this home. One round
 * trip for the lists, one for the questionnaires. Connection codes. Caller frees
 * (tx_own_list_free). */
int tx_grant_list_own(tx_client *c, tx_own_list *out);

/* True when l->v[i] is the newest version of its line in l (the list is newest first, so a
 * line starts there); its other versions follow it in l. */
int tx_own_line_starts(const tx_own_list *l, size_t i);

/* `assessments --json`: {"assessments": [{"id", "questionnaire", "as_of", "valid_until",
 * "created", "superseded_by", "line", "grantees": [{"name", "fingerprint", "key", "granted",
 * "until", "request"}] (current holders), "shared": [the same with "state": "current" |
 * "revoked" | "ended" and "revoked": DATE|null] (every buyer ever granted)}], "lines":
 * [{"chain": [ids, oldest first], "current": the newest id, "questionnaire"}] (newest line
 * first)}. Caller owns. */
json_t *tx_own_list_json(const tx_own_list *l);

void tx_own_list_free(tx_own_list *l);

#endif

/* Two officers for grants to new buyers, from the organisation's side: the setting (signed by
 * the organisation key, kind 20), the grants of this organisation waiting for a second officer,
 * and a second officer's approval (kind 21) or rejection (a revocation of the waiting grant).
 * The rule itself is client/verify/tx_two_officers (the hub applies the same). */
#ifndef TX_GRANT_APPROVE_H
#define TX_GRANT_APPROVE_H

#include "tx_client.h"
#include "tx_keys.h"
#include "tx_rec.h"

#include <jansson.h>

/* One grant of this organisation waiting for a second officer. */
typedef struct {
    const tx_rec *grant;       /* borrowed from the list's records */
    char granted_by[257];      /* the member's name; "" when the organisation key signed it */
    char grantee[TX_NAME_MAX]; /* the buyer's legal name, "" without a profile */
    char grantee_fp[TX_FP_LEN];
} tx_waiting_grant;

typedef struct {
    int two_officers; /* the organisation's newest setting */
    tx_waiting_grant *v;
    size_t n;
    uint8_t org[TX_KEY_LEN];
    tx_recs grants, approvals, settings, people, profiles, revokes; /* as the hub listed them */
} tx_waiting_list;

/* Signs the organisation's setting (on or off) with the organisation key and submits it.
 * TX_ERR_USAGE in a member's home. id receives the record id. */
int tx_two_officers_set(tx_client *c, int on, uint8_t id[TX_ID_LEN]);

/* The organisation's setting in force (its newest settings record the hub lists): *on 1 when
 * grants to new buyers need a second officer. In its own home or a member's. */
int tx_two_officers_get(tx_client *c, int *on);

/* The setting and the waiting grants of this home's organisation (in its own home or a
 * member's), oldest first. Caller frees (tx_waiting_free). */
int tx_waiting_load(tx_client *c, tx_waiting_list *out);
void tx_waiting_free(tx_waiting_list *l);

/* Approves the waiting grant whose id starts with `prefix` (>= 8 hex): this home's key must be
 * an officer's or admin's of the organisation now, or the organisation key, and not the
 * grant's signer (TX_ERR_FORBIDDEN); TX_ERR_NOT_FOUND when no waiting grant has the id. id
 * receives the approval's record id. */
int tx_grant_approve(tx_client *c, const char *prefix, uint8_t id[TX_ID_LEN]);

/* Rejects it: a revocation of the waiting grant (the same conditions, except that the officer
 * who granted may withdraw it too). id receives the revocation's record id. */
int tx_grant_reject(tx_client *c, const char *prefix, uint8_t id[TX_ID_LEN]);

/* {"two_officers": bool, "waiting": [{"grant", "assessment", "grantee": {"name",
 * "fingerprint", "key"}, "granted_by", "created"}]}. Caller owns. */
json_t *tx_waiting_json(const tx_waiting_list *l);

#endif

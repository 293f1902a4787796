/* Inside client/exchange only: what this organisation wrote that decides who holds its
 * assessments (its sealed assessments, grants and revocations as the hub lists them, each
 * verified) and the rules read from it, shared by the sharing flows (tx_grant.c) and the
 * listing of its own assessments (tx_grant_own.c). */
#ifndef TX_GRANT_STATE_H
#define TX_GRANT_STATE_H

#include "tx_client.h"
#include "tx_orgs.h"

#include <stddef.h>
#include <stdint.h>

enum { TX_GS_ASSESSMENT, TX_GS_GRANT, TX_GS_REVOKE, TX_GS_PROFILE, TX_GS_COUNT };

/* What this organisation wrote that decides who holds its assessments, as the hub lists it
 * (each record verified), plus the directory of organisations. Records of other signers are
 * dropped. */
typedef struct {
    tx_recs l[TX_GS_COUNT];
    tx_orgs orgs;
} tx_grant_state;

/* A buyer's standing for one assessment: its newest grant and newest revocation. */
typedef struct {
    uint8_t key[TX_KEY_LEN];
    const tx_rec *grant;  /* newest grant */
    uint64_t revoked_seq; /* newest revocation's seq, 0 if none */
    const tx_rec *revoke; /* that revocation, NULL if none */
} tx_grant_holder;

/* This organisation's signing key. Borrowed. */
const uint8_t *tx_grant_me(tx_client *c);

/* A record's order among the organisation's: its index in the hub's log when listed, else its
 * meta.seq. */
uint64_t tx_grant_seq(const tx_rec *r);

/* Lists the assessments, grants, revocations (this organisation's own kept) and profiles in
 * one round trip. Connection codes. Caller frees (tx_grant_state_free). */
int tx_grant_state_load(tx_client *c, tx_grant_state *st);
void tx_grant_state_free(tx_grant_state *st);

/* The own assessment that supersedes `id`, or NULL. Borrowed from st. */
const tx_rec *tx_grant_superseded_by(const tx_grant_state *st, const uint8_t *id);

/* The own assessments of `id`'s version line: it, those it supersedes and those superseding
 * it, along the chain either way (a branch included), oldest first (by sequence number).
 * *out holds records borrowed from st; caller frees the array. */
int tx_grant_line(const tx_grant_state *st, const uint8_t *id, const tx_rec ***out, size_t *n);

/* True if `id` is one of the n records of v (a version line). */
int tx_grant_line_has(const tx_rec *const *v, size_t n, const uint8_t *id);

/* Who holds or held assessment `aid` by grant of this organisation. Caller frees *out. */
int tx_grant_holders(const tx_grant_state *st, const uint8_t *aid, tx_grant_holder **out,
                     size_t *n);

/* True if h holds the assessment at `now`: granted after its last revocation, not ended. */
int tx_grant_holds(const tx_grant_holder *h, int64_t now);

/* True when this home's key signed `r`: only then can its content key be in this home. */
int tx_grant_signed_here(tx_client *c, const tx_rec *r);

/* True when `r`'s content key can open in this home: this key signed it, or it carries its
 * content key sealed to the organisation (every home of the organisation opens that). */
int tx_grant_opens_here(tx_client *c, const tx_rec *r);

/* Loads the stored content key of own assessment `sealed` into key (TX_CONTENT_KEY_LEN bytes,
 * sodium_malloc'd by the caller) and checks that it opens it, into an inner assessment signed
 * by this organisation. When this home keeps no key for it, opens the one sealed to the
 * organisation (SealedAssessment.org_key_sealed; one hub call in a member's home). *inner may
 * be NULL (not wanted); caller frees it (tx_free).
 * TX_ERR_NOT_FOUND (no key in this home), TX_ERR_DECRYPT, TX_ERR_WRONG_KEY. */
int tx_grant_open_own(tx_client *c, const tx_rec *sealed, uint8_t *key, tx_assessment_pb **inner);

#endif

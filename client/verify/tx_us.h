/* Who counts as this organisation ("us") when a home reads what it wrote: the organisation's
 * own key and the people its member records name as officers or admins while they acted. In
 * a member's home (tx_home_org) the organisation is the one whose profile the home keeps; in
 * the organisation's own home, its key. Every list of "our" requests, assessments, grants and
 * revocations asks here, so what an officer signed counts as the organisation's everywhere.
 * Works offline from the records given (member records kind 13 and removals kind 14 signed by
 * the organisation, from the cache or, in client/exchange/tx_us_hub, from the hub). */
#ifndef TX_US_H
#define TX_US_H

#include "tx_home.h"
#include "tx_rec.h"

#include <stdint.h>

typedef struct {
    uint8_t org[TX_KEY_LEN]; /* the organisation this home acts for */
    int is_member;           /* a member's home */
    tx_recs people;          /* its member records and removals (signed by org) */
    tx_home *home;           /* borrowed: whose accepted keys count (tx_signer_resolve_for) */
} tx_us;

/* org and is_member from tx_home_org, no people yet. */
int tx_us_init(tx_home *home, tx_us *us);

/* Keeps rec (moved: zeroed) when it is a member record or removal signed by us->org; clears it
 * otherwise. */
int tx_us_add(tx_us *us, tx_rec *rec);

/* tx_us_init, then the member records and removals of the organisation in the home's cache
 * (fetch keeps them). Caller frees (tx_us_free). */
int tx_us_from_cache(tx_home *home, tx_us *us);

void tx_us_free(tx_us *us);

/* True when a record signed by `key` at `at` is the organisation's: the organisation's key, or
 * a person its member records name as officer or admin, valid and not removed at `at`. A key
 * the hub operator re-enrolled, and the people it names, count once this home accepted it (or
 * holds it). */
int tx_us_signs(const tx_us *us, const uint8_t key[TX_KEY_LEN], int64_t at);

/* tx_us_signs of an opened record's signer at the time its Meta says it was signed. */
int tx_us_signed(const tx_us *us, const tx_rec *rec);

/* A quick filter before a record is opened (its date unknown): `key` is the organisation's or
 * one its member records name at any date. tx_us_signs decides. */
int tx_us_may_sign(const tx_us *us, const uint8_t key[TX_KEY_LEN]);

/* The organisation `key` signs for through the member records and removals `people` (of any
 * organisations), whatever the date: its person's organisation, or the key itself. For the
 * links between the records of one author (a grant of an officer's assessment by another
 * officer, a revocation by the organisation's key of an officer's grant). */
void tx_us_org_of(const tx_recs *people, const uint8_t key[TX_KEY_LEN], uint8_t org[TX_KEY_LEN]);

/* True for a role that signs for the organisation: officer or admin. */
int tx_us_role_signs(int role);

/* The identity that reads what is granted to the organisation: in a member's home the one
 * tx_signer_reader opens from this person's member record among us->people (caller owns
 * *out, tx_identity_destroy); NULL in the organisation's own home (use the home's identity).
 * Fails as tx_signer_reader. */
int tx_us_reader(tx_home *home, const tx_us *us, tx_identity **out);

#endif

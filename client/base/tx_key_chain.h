/* The chain of an organisation's keys: its enrolled key, then each key successor (kind 17)
 * signed by the key it replaces with the successor's proof (keys/tx_key_proof.h). The
 * organisation stays its enrolled key; the chain says which key signs, seals and connects for
 * it at a date. Offline, over records already opened (tx_rec); forged successors (signed by
 * another key than the one they name as replaced, or without the successor's proof) are
 * ignored. tx_signer (verify) resolves signatures with it, tx_orgs the seal key to seal to. */
#ifndef TX_KEY_CHAIN_H
#define TX_KEY_CHAIN_H

#include "tx_home.h"
#include "tx_rec.h"

#include <stdint.h>

/* The payload of rec when it is a key successor signed by the key it replaces with the
 * successor's proof, else NULL. Borrowed from rec. */
const tx_key_successor_pb *tx_key_chain_successor(const tx_rec *rec);

/* The first such successor among records whose successor signing key (by_predecessor 0) or
 * replaced key (1) is `key`, of organisation `org` (NULL: any). Borrowed. */
const tx_rec *tx_key_chain_find(const tx_recs *records, const uint8_t *org,
                                const uint8_t key[TX_KEY_LEN], int by_predecessor);

/* The first key re-enrolment (kind 19: only the hub writes them, and a verifier uses only
 * records proven in its log) of organisation `org` (NULL: any) whose new key (by_replaced 0) or
 * lost key (1) is `key`. Borrowed. */
const tx_rec *tx_key_chain_reenrolled(const tx_recs *records, const uint8_t *org,
                                      const uint8_t key[TX_KEY_LEN], int by_replaced);

/* Whether the home's user accepted `key` (ticsx key accept): HOME/accepted-keys/<hex key>; or
 * `key` is the home's own signing key (the re-enrolled home itself). */
int tx_key_accepted(tx_home *home, const uint8_t key[TX_KEY_LEN]);

/* Records that the home's user accepts `key` (0600, in a 0700 folder). */
int tx_key_accept(tx_home *home, const uint8_t key[TX_KEY_LEN]);

/* True when `key` is `org` or a successor in a chain from it. A re-enrolment (kind 19) is no
 * link: member records a re-enrolled key signs do not count (it is accepted per user). */
int tx_key_chain_holds(const tx_recs *records, const uint8_t org[TX_KEY_LEN],
                       const uint8_t key[TX_KEY_LEN]);

/* tx_key_chain_holds, where a re-enrolment of `org` is also a link once the user of `home`
 * accepted its new key (ticsx key accept; home NULL: never): what that key signs then counts
 * for this user as the organisation's, as its own signatures do. */
int tx_key_chain_holds_for(const tx_recs *records, const uint8_t org[TX_KEY_LEN],
                           const uint8_t key[TX_KEY_LEN], tx_home *home);

/* The seal key of `org`'s key in force at `at`: the last of the chain of successors whose
 * effective date is not after `at`, and of re-enrolments whose new key the user of `home`
 * accepted (home NULL: none); NULL while the enrolled key is (its profile's seal key).
 * Borrowed. */
const uint8_t *tx_key_chain_seal(const tx_recs *records, const uint8_t org[TX_KEY_LEN], int64_t at,
                                 tx_home *home);

#endif

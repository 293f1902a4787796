/* The successor's proof in a key successor record (kind 17, proto/ticsx.proto KeySuccessor):
 * the successor's Ed25519 signature over what the record says, so that no organisation names as
 * its next key a key whose holder did not agree (nor one it does not hold). */
#ifndef TX_KEY_PROOF_H
#define TX_KEY_PROOF_H

#include "tx_keys.h"
#include "tx_wire.h"

/* Signs the statement of r (every field but meta and proof) with `successor`, whose signing key
 * must be r->signing_key, into r->proof (pointing at sig, which must outlive r's use).
 * TX_ERR_BAD_KEY when the keys differ. */
int tx_key_proof_sign(const tx_identity *successor, tx_key_successor_pb *r,
                      uint8_t sig[TX_SIG_LEN]);

/* True when r->proof is r->signing_key's signature of r's statement. r must have passed
 * tx_kind_check (the keys' lengths). */
int tx_key_proof_ok(const tx_key_successor_pb *r);

#endif

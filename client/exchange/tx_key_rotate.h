/* Rotation of an organisation's key (ticsx key rotate): the key in force signs a key successor
 * (kind 17) naming new signing and transport keys, proven by the new key, and the home moves to
 * the new key, keeping the old one under retired/. The organisation stays its enrolled key (its
 * profile, pins, grants and members name it); a rotated home keeps a copy of that profile as
 * org-profile.tx, as a member's home does, and acts for it with the new key.
 *
 *   retired/identity-<key id>.key 0600, .pub, _ed25519.pub   a replaced key (tx_identity_save)
 *   retired/seq-<key id>                                      its last sequence number
 *   next/                                                     the new key while it is sent
 *
 * The seal key is kept: content sealed to the organisation before and after opens with it and
 * members keep the copy their member records gave them. */
#ifndef TX_KEY_ROTATE_H
#define TX_KEY_ROTATE_H

#include "tx_client.h"

#include <stdint.h>

/* What a rotation did. */
typedef struct {
    uint8_t org[TX_KEY_LEN];  /* the organisation (its enrolled key) */
    uint8_t old[TX_KEY_LEN];  /* the key replaced */
    uint8_t next[TX_KEY_LEN]; /* the new signing key */
    uint8_t record[TX_ID_LEN];
    int64_t effective;
    char retired[4096]; /* where the old key now is (its .key file) */
} tx_key_rotated;

/* The organisation whose own key this home holds: `org` (tx_home_org), when the home's key is
 * the enrolled key or the successor of it in force (from the hub's records, fetched now).
 * TX_ERR_NOT_FOUND without a message in a member's home. */
int tx_key_org_home(tx_client *c, uint8_t org[TX_KEY_LEN]);

/* Rotates this home's organisation key from now: makes the new keys (same name, same seal key),
 * stores them in HOME/next/, signs and submits the key successor, then moves the old key to
 * HOME/retired/ and the new one in its place with a fresh sequence counter. TX_ERR_USAGE in a
 * member's home. */
int tx_key_rotate(tx_client *c, tx_key_rotated *out);

/* What a key revocation says (ticsx key revoke). */
typedef struct {
    const uint8_t *key;  /* the key reported lost */
    int64_t from;        /* lost from (not in the future) */
    uint64_t from_index; /* 0: the size + 1 of the checkpoint this home kept, when it is not
                          * newer than `from` (records logged after it are suspect) */
    const char *reason;
} tx_key_revoke_args;

/* The key this home's key replaced (the predecessor its successor record names), from the
 * hub's records: for `key revoke --own`. TX_ERR_NOT_FOUND with a message when none. */
int tx_key_predecessor(tx_client *c, uint8_t out[TX_KEY_LEN]);

/* Signs (with the organisation's key in force, this home's) and submits a key revocation;
 * a->from_index is filled when 0 and the kept checkpoint allows. id receives the record id.
 * TX_ERR_USAGE in a member's home. */
int tx_key_revoke(tx_client *c, tx_key_revoke_args *a, uint8_t id[TX_ID_LEN]);

/* A re-enrolment by the hub operator (kind 19) at the hub whose new key has fingerprint `fp`
 * ("SHA256:..."): the user accepts that key as its organisation's (tx_key_accept in the home).
 * *out receives what it says (caller does nothing to free: copied). TX_ERR_NOT_FOUND with a
 * message when none names it. */
typedef struct {
    uint8_t org[TX_KEY_LEN], key[TX_KEY_LEN];
    int64_t effective;
    char corporate_number[16];
} tx_key_reenrolled_info;
int tx_key_accept_reenrolled(tx_client *c, const char *fp, tx_key_reenrolled_info *out);

/* After a fetch, in a home without org-profile.tx whose own key a re-enrolment by the hub
 * operator names as the new key (signed by the pinned hub key, proven in its log: cached with a
 * proof marker): writes the enrolled organisation's profile (cached, proven) as org-profile.tx
 * (0600), so the home acts for the organisation. Only when the profile's legal name and
 * corporate number and the re-enrolment's corporate number equal this home's own profile's;
 * else TX_ERR_FORBIDDEN with a message naming both. out->adopted 1 when written; nothing to do
 * is TX_OK with adopted 0. */
typedef struct {
    int adopted;
    uint8_t org[TX_KEY_LEN];
    char name[TX_NAME_MAX];
    char corporate_number[16];
    char path[4096]; /* HOME/org-profile.tx */
} tx_key_adopted;
int tx_key_adopt(tx_client *c, tx_key_adopted *out);

#endif

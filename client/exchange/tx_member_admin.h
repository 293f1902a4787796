/* An organisation's people (ticsx member): member records and removals signed by the
 * organisation's key in its own home and submitted to the hub; the records of one organisation
 * fetched back and resolved (client/verify/tx_signer). A member's home holds its own keys and
 * a copy of its organisation's profile (HOME/org-profile.tx, written by keygen --member-of). */
#ifndef TX_MEMBER_ADMIN_H
#define TX_MEMBER_ADMIN_H

#include "tx_client.h"
#include "tx_signer.h"

#include <stddef.h>
#include <stdint.h>

/* What a new member record says. */
typedef struct {
    const tx_pubkey *person; /* the member's public keys (its identity.pub) */
    const char *name;        /* display name */
    int role;                /* Ticsx__V1__MemberRole */
    int64_t from, until;     /* until 0: no end */
} tx_member_args;

/* Takes a sequence number from the home, signs m as `kind` with the home's key, submits it and
 * caches it; id receives the record id. */
int tx_sign_submit(tx_client *c, int kind, tx_meta_pb *meta, const ProtobufCMessage *m,
                   uint8_t id[TX_ID_LEN]);

/* Signs a member record with the organisation key `me` (seq taken from the home) with the
 * organisation's seal secret key sealed to the member's seal key (so it can read what is
 * granted to the organisation), submits it and caches it. id receives the record id.
 * TX_ERR_USAGE in a member's home: only the organisation key names members. */
int tx_member_add(tx_client *c, const tx_member_args *a, uint8_t id[TX_ID_LEN]);

/* Signs and submits a removal of the member `key` effective at `effective`. */
int tx_member_remove(tx_client *c, const uint8_t key[TX_KEY_LEN], int64_t effective,
                     uint8_t id[TX_ID_LEN]);

/* The people of organisation `org`, fetched from the hub: every member record, removal and key
 * successor (kept in *recs, which the caller clears), and one resolved entry per person of
 * `org`, by name, into *people (caller frees), at date `at`. */
int tx_member_people(tx_client *c, const uint8_t org[TX_KEY_LEN], int64_t at, tx_recs *recs,
                     tx_signer_info **people, size_t *n);

/* The person of people[0..n) that `who` names: its fingerprint ("SHA256:..."), key id (16 hex)
 * or exact display name. TX_ERR_NOT_FOUND or TX_ERR_USAGE (two share the name) with a
 * message. */
int tx_member_find(const tx_signer_info *people, size_t n, const char *who,
                   const tx_signer_info **out);

#endif

/* Who signed a record, as a verifier sees it: an organisation's own key, or a person its member
 * records (kind 13) name, resolved through them to the organisation, at a date. The one place
 * where a signing key becomes (organisation, member, role): every verifier and the history ask
 * here. Works offline, from member records and removals already opened (tx_rec). */
#ifndef TX_SIGNER_H
#define TX_SIGNER_H

#include "tx_rec.h"

#include <stddef.h>
#include <stdint.h>

/* What the newest member record of a person says, and whether it acts at the date asked. */
typedef struct {
    uint8_t org[TX_KEY_LEN];  /* the organisation: the author buyers see */
    uint8_t key[TX_KEY_LEN];  /* the person's signing key */
    uint8_t seal[TX_KEY_LEN]; /* its seal key */
    uint8_t transport[TX_KEY_LEN];
    char name[257];       /* display name, for the history */
    int role;             /* Ticsx__V1__MemberRole */
    int64_t from, until;  /* until 0: no end */
    int64_t removed;      /* INT64_MAX: not removed */
    uint64_t seq;         /* of its newest member record */
    const tx_rec *record; /* that record, borrowed from the records passed */
    int acts;             /* valid and not removed at the date asked */
    /* The organisation's own key, not a member: the enrolled key once it names a successor
     * (from INT64_MIN, record NULL, seal unknown: the profile's), or a successor (kind 17) in a
     * chain from it (from its effective date, record its successor record). `removed` is then
     * when its own successor takes over (it still acts in that second, as the successor does);
     * name is empty and role admin. */
    int is_key;
    /* Reported lost (key revocations, kind 18, by its organisation's key in force): records it
     * signed from revoked_from (INT64_MAX: never), or that entered the hub's log at or after
     * revoked_index (0: none), are suspect; the reason of the earliest report. */
    int64_t revoked_from;
    uint64_t revoked_index;
    char revoked_reason[257];
    /* is_key through the hub operator's re-enrolment (kind 19, record that record): verifiers
     * follow it only once the user accepted the key (tx_key_accepted). */
    int reenrolled;
} tx_signer_info;

/* Resolves `key` among `records`, opened member records (kind 13), removals (kind 14) and key
 * successors (kind 17) in any order and of any organisations: the newest record (highest seq of
 * its organisation's key) whose signer is the organisation it names (its enrolled key or a
 * successor of it) and whose signing key is `key`; then the earliest removal of the same
 * organisation with a higher seq. With no member record: the organisation's own key (is_key),
 * a successor in a chain of successors each signed by the key it replaces with the successor's
 * proof, or an enrolled key that names a successor. TX_ERR_NOT_FOUND (no message) when nothing
 * names the key: then the key acts for itself. TX_ERR_EXISTS (no message) when member records
 * of two organisations name it: it acts for neither. `at` decides out->acts. Key revocations
 * (kind 18) of the key by its organisation fill the revoked_ fields (tx_signer_compromised). */
int tx_signer_resolve(const tx_recs *records, const uint8_t key[TX_KEY_LEN], int64_t at,
                      tx_signer_info *out);

/* tx_signer_resolve for the user of `home` (NULL: as tx_signer_resolve): member records and
 * removals signed by a key the hub operator re-enrolled count once this user accepted that key
 * (ticsx key accept), exactly as the key's own signatures do; before, they count for nothing. */
int tx_signer_resolve_for(const tx_recs *records, const uint8_t key[TX_KEY_LEN], int64_t at,
                          tx_home *home, tx_signer_info *out);

/* True when a record `info`'s key signed at `at` (its own word) and stored at log index `index`
 * (0: not known) falls in the time or the part of the log its revocation covers: a thief's
 * back-dated record is caught by its index. */
int tx_signer_compromised(const tx_signer_info *info, int64_t at, uint64_t index);

/* In a member's home (tx_home_org): the organisation as a reader, *out an identity whose
 * signing key is the organisation's and whose seal keys are the organisation's, opened from the
 * org_seal_key of this member's newest record among `records` (so content keys sealed to the
 * organisation open); in a home holding the successor of the organisation's key, the home's
 * own seal keys. *out NULL in an organisation's own home. Fails (message) when no record
 * of this member by its organisation is among them (run ticsx fetch) or it carries no key.
 * Caller owns *out (tx_identity_destroy). */
int tx_signer_reader(tx_home *home, const tx_recs *records, tx_identity **out);

/* The role's word for messages and the CLI ("officer", ...), "?" for none; and back, 0 when
 * `word` is none of viewer, responder, officer, admin. */
const char *tx_signer_role_name(int role);
int tx_signer_role_parse(const char *word);

#endif

/* The directory of enrolled organisations, built from the signed PROFILE records the hub
 * lists (each verified here), and naming an organisation by legal name, fingerprint
 * (SHA256:...) or 16-hex key id. */
#ifndef TX_ORGS_H
#define TX_ORGS_H

#include "tx_home.h"
#include "tx_idmap.h"
#include "tx_keys.h"
#include "tx_rec.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t key[TX_KEY_LEN];  /* Ed25519 signing key: the organisation's identity */
    uint8_t seal[TX_KEY_LEN]; /* X25519 key content keys are sealed to */
    char name[TX_NAME_MAX];   /* legal name, from its signed profile */
    char corporate_number[16];
    char fingerprint[TX_FP_LEN];
    char key_id[17];
    uint64_t seq;
    uint8_t record[TX_ID_LEN]; /* the profile record's id */
} tx_org;

typedef struct {
    tx_org *v;
    size_t n;
    tx_idmap by_key; /* signing key -> position in v */
} tx_orgs;

/* Adds the profiles in `profiles` (opened as TX_KIND_PROFILE), keeping the newest (highest seq)
 * per signing key. */
int tx_orgs_add(tx_orgs *orgs, const tx_recs *profiles);

/* Follows the key successors among `records` (tx_key_chain; other records are ignored), and the
 * re-enrolments whose new key the user of `home` accepted (home NULL: none): an organisation
 * whose key one replaced by `at` gets its seal key, the key content for it is sealed to from
 * then on. Its identity stays its enrolled key. */
void tx_orgs_follow(tx_orgs *orgs, const tx_recs *records, int64_t at, tx_home *home);

/* Builds the directory from the profiles in the local cache (after a fetch), following the
 * key successors and accepted re-enrolments cached with them (tx_orgs_follow, now). */
int tx_orgs_from_cache(tx_home *home, tx_orgs *out);

/* The organisation with this signing key, or NULL. Borrowed. */
const tx_org *tx_orgs_by_key(const tx_orgs *orgs, const uint8_t key[TX_KEY_LEN]);

/* Resolves a name: fingerprint, key id, or legal name (exact, ASCII case ignored). Unknown or
 * ambiguous: TX_ERR_USAGE with a message listing the candidates. */
int tx_orgs_resolve(const tx_orgs *orgs, const char *name, const tx_org **out);

/* The values of --to as single names. Each argument is first taken whole, as tx_orgs_resolve
 * takes a name (so "Example Co., Ltd." works); only when it names no organisation is it split
 * at commas ("A,B"), blanks around each piece and empty pieces dropped. A whole name that is
 * ambiguous stays whole, so its refusal lists the candidates. *names (free) points into args
 * and into *store (free). More than max names: TX_ERR_USAGE. */
#define TX_ORGS_MAX_TO 1000 /* organisations one --to list may name */

int tx_orgs_split_to(const tx_orgs *orgs, const char *const *args, size_t n_args, size_t max,
                     const char ***names, size_t *n, char **store);

/* The directory as `orgs --json` and the web UI list it: [{"name", "corporate_number",
 * "fingerprint", "key_id", "key", "self"}] in directory order, `self` marking `me`. Caller
 * owns. */
json_t *tx_orgs_json(const tx_orgs *orgs, const uint8_t me[TX_KEY_LEN]);

/* This organisation's legal name and corporate number from the home's own signed profile
 * (profile.tx, signed by `me`); the name in the identity and "" when it cannot be read. */
void tx_orgs_own_profile(tx_home *home, const tx_identity *me, char *name, size_t n, char *corp,
                         size_t cn);

/* The legal name and corporate number of the organisation this home acts for: its own profile,
 * or in a member's home the organisation's (org-profile.tx); as tx_orgs_own_profile when it
 * cannot be read. */
void tx_orgs_acting_profile(tx_home *home, const tx_identity *me, char *name, size_t n, char *corp,
                            size_t cn);

void tx_orgs_free(tx_orgs *orgs);

#endif

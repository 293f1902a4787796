/* The client's home directory ($TICSX_HOME, --home, default ~/.config/ticsx; 0700): the
 * identity, the signer's sequence counter, a cache of records exactly as received (checked by
 * hash whenever read back; opening one checks its signature), content keys of the assessments
 * this organisation wrote, and the inbox cursor.
 *
 *   identity.key 0600, identity.pub, identity_ed25519.pub, profile.tx   (tx_keys, keygen)
 *   seq          last sequence number used, decimal; taken under flock on `lock`
 *   cache/       one LMDB environment (data.mdb, lock.mdb 0600), two databases keyed by record
 *                id: "records", the envelopes as received; "proofs", "INDEX SIZE\n": the record
 *                was proven at log index INDEX in a checkpoint of SIZE records that this home
 *                accepted. An old home's records/<id> and proofs/<id> files are imported into
 *                it on first use and removed (tx_home_cache.c).
 *   keys/<64 hex assessment id>  32-byte content keys, 0600
 *   cursor       "request N\ngrant M\nrevoke K\n": log indices the inbox has shown
 *
 * The cache is opened on first use and closed by tx_home_destroy; several processes may use one
 * home at once (LMDB's lock file), and the homes of one process on one directory share it. */
#ifndef TX_HOME_H
#define TX_HOME_H

#include "tx_codec.h"
#include "tx_keys.h"

#include <stddef.h>
#include <stdint.h>

typedef struct tx_home tx_home;

/* Picks the home directory: `opt` if given, else $TICSX_HOME, else $HOME/.config/ticsx. */
int tx_home_resolve(const char *opt, char *out, size_t n);

/* Opens the home at `dir` and loads its identity. TX_ERR_PERM (message names the chmod to run)
 * if identity.key can be read by group or others; TX_ERR_USAGE if there is no identity yet.
 * Caller owns *out (tx_home_destroy). */
int tx_home_open(const char *dir, tx_home **out);

/* Wipes and frees; *home_p becomes NULL. NULL is fine. */
void tx_home_destroy(tx_home **home_p);

/* Borrowed for the life of the home. */
const char *tx_home_dir(const tx_home *home);
const tx_identity *tx_home_identity(const tx_home *home);

/* The organisation's profile kept in a member's home (ticsx keygen --member-of). */
#define TX_HOME_ORG_PROFILE "org-profile.tx"

/* The organisation this home acts for into org: the signer of HOME/org-profile.tx in a member's
 * home (checked: a signed profile; a damaged one fails with a message), else the home's own
 * key. *is_member says which. */
int tx_home_org(tx_home *home, uint8_t org[TX_KEY_LEN], int *is_member);

/* Reserves `count` consecutive sequence numbers for the signer whose home is `dir`: under an
 * exclusive flock on dir/lock, reads the last used value, stores last+count with
 * tx_file_replace, and returns last+1 in *first. Two processes never get the same number. */
int tx_seq_take(const char *dir, unsigned count, uint64_t *first);

/* Stores an envelope in the cache under its id, in one transaction but not durably (no fsync):
 * a record a power cut damaged no longer matches its id, reads as damaged and is fetched again.
 * Storing the same bytes again is fine; a damaged copy is replaced. id_out (may be NULL)
 * receives the record id. */
int tx_home_cache_put(tx_home *home, const uint8_t *env, size_t len, uint8_t id_out[TX_ID_LEN]);

/* tx_home_cache_put of n envelopes in one write transaction. ids (may be NULL: computed here) are
 * the envelopes' SHA-256, as computed by the caller. The first failure, in order, is returned with
 * a message. */
int tx_home_cache_put_many(tx_home *home, size_t n, const uint8_t *const *envs, const size_t *lens,
                           const uint8_t (*ids)[TX_ID_LEN]);

/* Reads the cached record `id` and checks that its hash is `id` (TX_ERR_CHECKSUM otherwise): the
 * bytes are the record of that id, nothing more. Open them with tx_rec_open (tx_rec_from_cache does
 * both), which verifies the signature once per process, before using them.
 * TX_ERR_NOT_FOUND if not cached. Caller owns *env (free). */
int tx_home_cache_read(tx_home *home, const uint8_t id[TX_ID_LEN], uint8_t **env, size_t *len);

/* tx_home_cache_read of n records in one read transaction: envs[i], lens[i] and rcs[i] as that
 * call's (a message is set for the last failure only). Returns the first failing code; TX_OK. */
int tx_home_cache_read_many(tx_home *home, size_t n, const uint8_t (*ids)[TX_ID_LEN],
                            uint8_t **envs, size_t *lens, int *rcs);

/* tx_home_cache_read, then checks that the envelope decodes and its signature verifies (codec
 * errors or TX_ERR_BAD_SIGNATURE). Caller owns *env (free). */
int tx_home_cache_get(tx_home *home, const uint8_t id[TX_ID_LEN], uint8_t **env, size_t *len);

/* The cache's generation: the number of its last committed write transaction, whichever
 * process made it (each commit is one more). *own_from: when that commit was this process's, the
 * first of the unbroken run of this process's commits ending with it (nobody else wrote from
 * there on); 0 otherwise. */
int tx_home_cache_gen(tx_home *home, uint64_t *gen, uint64_t *own_from);

/* Ids of every cached record, in no particular order. Caller owns *ids (free). */
int tx_home_cache_list(tx_home *home, uint8_t (**ids)[TX_ID_LEN], size_t *n);

/* tx_home_cache_list, and the cache's generation (tx_home_cache_gen) the list was read at. */
int tx_home_cache_list_gen(tx_home *home, uint8_t (**ids)[TX_ID_LEN], size_t *n, uint64_t *gen);

/* A cached record picked by tx_home_cache_pick: its bytes (checked against its id; caller owns
 * them, free), what `want` said of it, and the log index of its proof marker (0 when it has none
 * or a damaged one). */
typedef struct {
    uint8_t id[TX_ID_LEN];
    uint8_t *env;
    size_t len;
    int tag;
    uint64_t index;
} tx_cache_pick;

/* Says of a cached record's bytes, not yet checked against its id (whatever it reads must be
 * size-limited), 0 to leave it, or a tag (not 0) to pick it. */
typedef int (*tx_cache_pick_fn)(void *ctx, const uint8_t *env, size_t len);

/* One pass over the cache in one read transaction: every record `want` tags is copied, checked
 * against its id and kept with its proof marker's index, in the cache's order, into *out (n of
 * them; caller frees each env and *out). A damaged record is left out without a message, as
 * tx_home_cache_read would refuse it; only the records picked are hashed. */
int tx_home_cache_pick(tx_home *home, tx_cache_pick_fn want, void *ctx, tx_cache_pick **out,
                       size_t *n);

/* Content key of an assessment this organisation wrote: keys/<id>, 0600. `key` is
 * TX_CONTENT_KEY_LEN bytes; for get it should be sodium_malloc'd memory the caller provides. */
int tx_home_key_put(tx_home *home, const uint8_t id[TX_ID_LEN], const uint8_t *key);
int tx_home_key_get(tx_home *home, const uint8_t id[TX_ID_LEN], uint8_t *key);

/* The inbox cursor: last log index shown for requests and for grants (0 when never shown). */
int tx_home_cursor_load(tx_home *home, uint64_t *request, uint64_t *grant);
int tx_home_cursor_save(tx_home *home, uint64_t request, uint64_t grant);

/* The whole cursor, revocations included (the forms above keep the revocation line). */
typedef struct {
    uint64_t request, grant, revoke;
} tx_cursor;

int tx_home_cursor_load_all(tx_home *home, tx_cursor *cur);
int tx_home_cursor_save_all(tx_home *home, const tx_cursor *cur);

/* Proof markers: the record `id` was proven included at log index `index` in a checkpoint of
 * `size` records this home accepted (fetch writes one for every record it proved; a receipt
 * proven at a later contact writes one too). verify and report use only records with one.
 * Written without fsync: a damaged marker reads as damaged, and the record as unproven. */
int tx_home_proof_put(tx_home *home, const uint8_t id[TX_ID_LEN], uint64_t index, uint64_t size);

/* tx_home_proof_put of n records proven in one checkpoint, in one write transaction. */
int tx_home_proof_put_many(tx_home *home, size_t n, const uint8_t (*ids)[TX_ID_LEN],
                           const uint64_t *index, uint64_t size);

/* The marker of `id`: TX_ERR_NOT_FOUND (no message) when the record was never proven,
 * TX_ERR_MALFORMED (message set) when the marker is damaged. */
int tx_home_proof_get(tx_home *home, const uint8_t id[TX_ID_LEN], uint64_t *index, uint64_t *size);

/* Parses a marker's bytes (at most 64 of them, from the cache): exactly "INDEX SIZE\n" in
 * decimal with 1 <= INDEX <= SIZE. TX_ERR_MALFORMED otherwise (no message). */
int tx_home_proof_parse(const uint8_t *text, size_t len, uint64_t *index, uint64_t *size);

#endif

/* The hub's storage: one LMDB environment (DIR/data.mdb). The log (index -> envelope bytes as
 * received) is the source of truth; ids, seqs, transports, members, access, public, grantees
 * and superseders are indices derived from it. Writes go through a batch (one write
 * transaction, group commit); reads through a view (one read transaction). Nothing handed out
 * points into the map. */
#ifndef TX_STORE_H
#define TX_STORE_H

#include "tx_codec.h"
#include "tx_keys.h"

#include <stddef.h>
#include <stdint.h>

#define TX_STORE_DEFAULT_MAP ((size_t)1 << 30)
#define TX_LIST_DEFAULT 100u
#define TX_LIST_MAX 1000u

typedef struct tx_store tx_store;
typedef struct tx_batch tx_batch;
typedef struct tx_view tx_view;

/* What a submit gets back: where the record sits in the log. */
typedef struct {
    uint64_t index;
    uint8_t id[TX_ID_LEN];
    int duplicate; /* already stored: this is the first receipt again */
} tx_receipt;

/* One stored record copied out of the map. */
typedef struct {
    uint64_t index;
    int kind;
    uint8_t *env; /* owned: free() or tx_entries_free() */
    size_t len;
} tx_entry;

/* Opens (creating if needed) the environment in dir. map_size in bytes; 0 keeps the size the
 * environment already has (TX_STORE_DEFAULT_MAP for a new one). Clears stale reader slots.
 * An existing data.mdb must pass tx_store_file_check first (TX_ERR_STORAGE, logged, if not).
 * TX_ERR_IO / TX_ERR_STORAGE on failure. Caller owns *out (tx_store_close). */
int tx_store_open(const char *dir, size_t map_size, tx_store **out);

/* on: other threads may hold transactions of this store while one is begun (the hub's loop and
 * its writer thread). A transaction that meets a map another process grew past this process's
 * then fails (TX_ERR_BUSY) instead of remapping under them, and tx_store_remap_wanted says so
 * until tx_store_adopt_map. */
void tx_store_defer_remap(tx_store *s, int on);

/* True when a begin met a grown map while remaps were deferred. */
int tx_store_remap_wanted(tx_store *s);

/* Adopts the size of a map grown by another process, if a begin met one: call it only while no
 * transaction of this store is open in any thread. TX_OK when there was nothing to adopt. */
int tx_store_adopt_map(tx_store *s);

/* Opens the environment in dir read-only, writing nothing (no database created, no Merkle
 * nodes filled): for the integrity check. TX_ERR_STORAGE when a database of the hub is
 * missing. Caller owns *out (tx_store_close). */
int tx_store_open_readonly(const char *dir, tx_store **out);

/* Closes the environment; *s_p becomes NULL. No batch or view may be open. NULL is fine. */
void tx_store_close(tx_store **s_p);

/* Clears reader slots left by dead processes (for the hub's periodic tick). */
void tx_store_reader_check(tx_store *s);

/* Why the last TX_ERR_STORAGE_FULL on this thread happened, for the caller whose write was
 * dropped: the map size reached (the operator grows it with --map-size) or the disk full.
 * Static text; never NULL. */
const char *tx_store_full_reason(void);

/* ---- writes ---- */

/* From now on every write transaction (tx_store_begin) fails with TX_ERR_STORAGE, because a
 * check found the store damaged: why (one sentence) is what tx_store_refusal says, for the
 * answers. The first call's why stays. Reads go on. */
void tx_store_refuse_writes(tx_store *s, const char *why);

/* Why writes are refused, or NULL while they are not. */
const char *tx_store_refusal(tx_store *s);

/* True while the last record of a signed checkpoint in DIR/checkpoint.signed failed: the
 * database may hold a checkpoint the file does not, so tx_store_begin refuses (unless
 * tx_store_signed_retry, which it calls, succeeds; tx_store_refusal says why) and
 * tx_view_checkpoint and tx_view_witnessed answer TX_ERR_REFUSED: nothing names a checkpoint
 * the file does not hold. failures (NULL: not wanted) gets how many records failed since the
 * store was opened. */
int tx_store_signed_failing(tx_store *s, uint64_t *failures);

/* While tx_store_signed_failing: records the database's latest checkpoint in
 * checkpoint.signed again, which lifts the refusals. TX_OK when recorded (or nothing failed).
 * Only while no other thread records (see tx_store_record_signed). */
int tx_store_signed_retry(tx_store *s);

/* Starts a write transaction; blocks while another process (ticsx-hub enroll) writes. The last
 * log index is read inside it. Refused (TX_ERR_STORAGE) while writes are refused; after a failed
 * record in checkpoint.signed it first tries that record again (tx_store_signed_retry), so
 * only one thread may record meanwhile. Caller owns *out: end it with tx_batch_commit or tx_batch_abort.
 * Once any write in a batch fails the batch is dead: every later call returns that code. */
int tx_store_begin(tx_store *s, tx_batch **out);

/* Commits and frees the batch (*b_p becomes NULL). TX_OK only once the data is durable;
 * TX_ERR_STORAGE_FULL if the map or disk is full, and then nothing of the batch is stored. */
int tx_batch_commit(tx_batch **b_p);

/* What a commit that signed a checkpoint leaves to record in DIR/checkpoint.signed. */
typedef struct {
    int due; /* a checkpoint of size records with root was signed and committed */
    uint64_t size;
    uint8_t root[32];
} tx_signed_due;

/* tx_batch_commit without the record in checkpoint.signed, which *due gets (due->due is 0 when
 * there is none): the database is durable when it returns TX_OK, the record is not; nothing
 * may name the batch's checkpoint before tx_store_record_signed(*due) returned TX_OK. Records
 * are made in commit order, so the file may lag the database but never leads it. */
int tx_batch_commit_lmdb(tx_batch **b_p, tx_signed_due *due);

/* Records due in DIR/checkpoint.signed, durably (nothing when due->due is 0). One thread at a
 * time: the store keeps the file open. TX_ERR_IO. */
int tx_store_record_signed(tx_store *s, const tx_signed_due *due);

/* Drops everything the batch wrote and frees it. NULL is fine. */
void tx_batch_abort(tx_batch **b_p);

/* TX_OK while the batch can still commit; otherwise the code of the failure that killed it. */
int tx_batch_error(const tx_batch *b);

/* Last log index committed before this batch began. */
uint64_t tx_batch_base(const tx_batch *b);

/* The index and kind of a stored record (this batch's appends included); TX_ERR_NOT_FOUND. */
int tx_batch_lookup(tx_batch *b, const uint8_t id[TX_ID_LEN], uint64_t *index, int *kind);

/* The last accepted sequence number of a signer, 0 if none. */
int tx_batch_last_seq(tx_batch *b, const uint8_t signer[TX_KEY_LEN], uint64_t *seq);

/* The log index of the signer's current profile; TX_ERR_NOT_FOUND if it is not enrolled. */
int tx_batch_member(tx_batch *b, const uint8_t signer[TX_KEY_LEN], uint64_t *profile_index);

/* The signer key of the record at `index`, read back from the log. */
int tx_batch_signer_of(tx_batch *b, uint64_t index, uint8_t signer[TX_KEY_LEN]);

/* The stored envelope at `index`, decoded (it was verified when it came in). Caller owns *env
 * (tx_free). */
int tx_batch_envelope(tx_batch *b, uint64_t index, tx_envelope_pb **env);

/* Appends a verified record: log entry, id, the signer's seq, and its visibility: public for
 * public kinds (tx_kind_is_public), otherwise one access entry per reader. If the same bytes are
 * already stored (or appended earlier in this batch) nothing is written and *receipt is the
 * first receipt with duplicate set. The bytes are copied. */
int tx_batch_append(tx_batch *b, const uint8_t *env, size_t len, int kind,
                    const uint8_t signer[TX_KEY_LEN], uint64_t seq,
                    const uint8_t (*readers)[TX_KEY_LEN], size_t n_readers, tx_receipt *receipt);

/* tx_batch_append for a record whose id the caller computed from these very bytes (the
 * writer thread then does not hash them again; a 2.5 KB SHA-256 costs as much as everything
 * else the append does). id must be tx_record_id(env, len). */
int tx_batch_append_id(tx_batch *b, const uint8_t id[TX_ID_LEN], const uint8_t *env, size_t len,
                       int kind, const uint8_t signer[TX_KEY_LEN], uint64_t seq,
                       const uint8_t (*readers)[TX_KEY_LEN], size_t n_readers, tx_receipt *receipt);

/* tx_batch_append_id with the record's Merkle leaf hash computed by the caller too (on a
 * verification thread: another 2.5 KB SHA-256 the writer then skips). leaf must be
 * tx_merkle_leaf_hash(env, len), or NULL to have it computed here. */
int tx_batch_append_hashed(tx_batch *b, const uint8_t id[TX_ID_LEN], const uint8_t *leaf,
                           const uint8_t *env, size_t len, int kind,
                           const uint8_t signer[TX_KEY_LEN], uint64_t seq,
                           const uint8_t (*readers)[TX_KEY_LEN], size_t n_readers,
                           tx_receipt *receipt);

/* Lets `reader` see the record of `kind` at `index` (a grant opening an assessment). */
int tx_batch_allow(tx_batch *b, const uint8_t reader[TX_KEY_LEN], int kind, uint64_t index);

/* Takes that away again (a grant revoked); absent already is fine. */
int tx_batch_deny(tx_batch *b, const uint8_t reader[TX_KEY_LEN], int kind, uint64_t index);

/* TX_OK when `reader` has an access entry for the record of `kind` at `index` (public records
 * have none); TX_ERR_NOT_FOUND otherwise. */
int tx_batch_may_read(tx_batch *b, const uint8_t reader[TX_KEY_LEN], int kind, uint64_t index);

/* Everyone who may read the assessment at `index` now (its author and current grantees), in
 * key order. Caller owns *readers (free); *n may be 0. */
int tx_batch_readers(tx_batch *b, uint64_t index, uint8_t (**readers)[TX_KEY_LEN], size_t *n);

/* Notes that the assessment at `index` supersedes the one at `old` (the superseders index). */
int tx_batch_supersede(tx_batch *b, uint64_t old, uint64_t index);

/* Notes that the sealed assessment at `assessment` lists the evidence chunk at `chunk`: the
 * chunk is then served to whoever may read that assessment (tx_view_may_read). */
int tx_batch_list_evidence(tx_batch *b, uint64_t chunk, uint64_t assessment);

/* Every assessment that supersedes the one at `index`, directly or along a chain (A <- B <- C
 * gives B and C), breadth first. Caller owns *out (free); *n may be 0. */
int tx_batch_superseders(tx_batch *b, uint64_t index, uint64_t **out, size_t *n);

/* Another member (not `except`) whose current profile has this corporate number (when not
 * empty), or this legal name and the same corporate number: its signer into found and the
 * log index of its profile into *index. TX_ERR_NOT_FOUND when none. Reads every member's
 * profile. */
int tx_batch_find_member(tx_batch *b, const char *legal_name, const char *corporate_number,
                         const uint8_t except[TX_KEY_LEN], uint8_t found[TX_KEY_LEN],
                         uint64_t *index);

/* Appends a verified profile and makes its signer a member reachable through `transport`
 * (its CURVE key); a previous profile's transport key of the same signer stops mapping.
 * Same bytes again: duplicate receipt, nothing changes. TX_ERR_EXISTS if the transport key
 * belongs to another member. Sequence rules are the caller's. */
int tx_batch_enroll(tx_batch *b, const uint8_t *env, size_t len, const uint8_t signer[TX_KEY_LEN],
                    uint64_t seq, const uint8_t transport[TX_KEY_LEN], tx_receipt *receipt);

/* ---- reads ---- */

/* Starts a read transaction (a snapshot). Caller owns *out (tx_view_end). */
int tx_store_view(tx_store *s, tx_view **out);

/* Ends the snapshot and frees; *v_p becomes NULL. NULL is fine. */
void tx_view_end(tx_view **v_p);

/* The record with this id if `reader` may see it (public kinds, or an access entry);
 * TX_ERR_NOT_FOUND otherwise, whether it exists or not. reader NULL sees public records only.
 * The record's hash is checked against its id (LMDB has no page checksums). Caller owns
 * out->env. */
int tx_view_get(tx_view *v, const uint8_t id[TX_ID_LEN], const uint8_t *reader, tx_entry *out);

/* Records of `kind` visible to `reader` with index > after, ascending: at most `limit`
 * (0 -> TX_LIST_DEFAULT, capped at TX_LIST_MAX) and at most `max_bytes` of envelopes (at least
 * one entry is returned if any). *next is the last index returned when more may follow, else 0.
 * TX_ERR_USAGE for an unknown kind. Caller owns *entries (tx_entries_free). */
int tx_view_list(tx_view *v, int kind, const uint8_t *reader, uint64_t after, uint32_t limit,
                 size_t max_bytes, tx_entry **entries, size_t *n, uint64_t *next);

/* Records a list left out because they are damaged (their bytes do not hash to their id, or
 * their parts are broken). */
typedef struct {
    size_t n;
    uint64_t first; /* log index of the first one */
} tx_list_damage;

/* tx_view_list, leaving damaged records out (each logged) and counting them in *damage instead
 * of failing the whole list. tx_view_list is this with the count dropped. */
int tx_view_list_damaged(tx_view *v, int kind, const uint8_t *reader, uint64_t after,
                         uint32_t limit, size_t max_bytes, tx_entry **entries, size_t *n,
                         uint64_t *next, tx_list_damage *damage);

/* TX_OK if `reader` may see the record of `kind` at `index` (the rule tx_view_get and
 * tx_view_list apply; an evidence chunk also to whoever may read a sealed assessment listing
 * it, for tx_view_get only: a list shows a reader its own chunks); TX_ERR_NOT_FOUND
 * otherwise. */
int tx_view_may_read(tx_view *v, const uint8_t *reader, int kind, uint64_t index);

/* The member whose transport (CURVE) key this is; TX_ERR_NOT_FOUND if none. */
int tx_view_transport(tx_view *v, const uint8_t curve[TX_KEY_LEN], uint8_t signer[TX_KEY_LEN]);

/* The last index in the log, 0 when empty. */
int tx_view_last_index(tx_view *v, uint64_t *last);

/* One-shot forms of the view calls, each in its own read transaction. */
int tx_store_get(tx_store *s, const uint8_t id[TX_ID_LEN], const uint8_t *reader, tx_entry *out);
int tx_store_list(tx_store *s, int kind, const uint8_t *reader, uint64_t after, uint32_t limit,
                  tx_entry **entries, size_t *n, uint64_t *next);
int tx_store_member_of_transport(tx_store *s, const uint8_t curve[TX_KEY_LEN],
                                 uint8_t signer[TX_KEY_LEN]);
int tx_store_last_index(tx_store *s, uint64_t *last);

/* Frees `n` entries and the array. NULL is fine. */
void tx_entries_free(tx_entry *entries, size_t n);

/* ---- people of an organisation (tx_store_people.c) ----
 * The persons an enrolled organisation's key named in member records (kind 13) and removed
 * (kind 14), and the keys that succeed its own (kind 17), which act as the organisation; not
 * the enrolled organisations, which the calls above name "members". */

/* What the stored records say of one person. */
typedef struct {
    uint8_t org[TX_KEY_LEN];       /* the organisation that signed its newest member record */
    uint8_t key[TX_KEY_LEN];       /* its signing key */
    uint8_t transport[TX_KEY_LEN]; /* its CURVE key, as its newest record names it */
    int role;                      /* Ticsx__V1__MemberRole */
    int64_t from, until;           /* validity of its newest record; until 0: no end */
    int64_t removed; /* earliest removal stored after that record, revocation (kind 18) or
                      * successor of its key; INT64_MAX: none */
    uint64_t index;                /* log index of its newest member record */
    int is_key; /* the organisation's own signing key in force from `from` (a key successor,
                 * kind 17), not a member: it acts as the organisation in every way */
} tx_person;

#define TX_PERSON_BY_KEY 0       /* look the person up by its signing key */
#define TX_PERSON_BY_TRANSPORT 1 /* ...or by the transport key its newest record names */

/* The person a key names, from the member records stored (in the batch: its own appends
 * included); TX_ERR_NOT_FOUND when none names it. Whether it may act now is tx_person_acts. */
int tx_batch_person(tx_batch *b, int by, const uint8_t key[TX_KEY_LEN], tx_person *out);
int tx_store_person(tx_store *s, int by, const uint8_t key[TX_KEY_LEN], tx_person *out);

/* The enrolled organisation whose transport key this is, in the batch; TX_ERR_NOT_FOUND if
 * none. */
int tx_batch_transport_owner(tx_batch *b, const uint8_t curve[TX_KEY_LEN],
                             uint8_t signer[TX_KEY_LEN]);

/* Whether the newest settings record (kind 20) organisation `org` signed asks for two officers
 * on grants to new buyers; *on 0 when it stored none. */
int tx_batch_two_officers(tx_batch *b, const uint8_t org[TX_KEY_LEN], int *on);

/* Calls fn on the log index of every record of `kind` `reader` has an access entry for, in
 * log order, until fn returns other than TX_ERR_NOT_FOUND; that code is returned,
 * TX_ERR_NOT_FOUND when every call returned it (or there was none). */
typedef int (*tx_readable_fn)(tx_batch *b, uint64_t index, void *arg);
int tx_batch_walk_readable(tx_batch *b, const uint8_t reader[TX_KEY_LEN], int kind,
                           tx_readable_fn fn, void *arg);

/* True when signing keys a and c act for the same organisation (tx_store_same_org). */
int tx_batch_same_org(tx_batch *b, const uint8_t a[TX_KEY_LEN], const uint8_t c[TX_KEY_LEN]);

/* True when the person's newest record is valid at `now` and no removal took effect. */
int tx_person_acts(const tx_person *p, int64_t now);

/* The earliest date from which a key successor (kind 17) that `key` signed replaces it;
 * TX_ERR_NOT_FOUND when none does. For an enrolled organisation's own key: its successor acts
 * for it from then on, and the key itself no longer does. */
int tx_batch_key_replaced(tx_batch *b, const uint8_t key[TX_KEY_LEN], int64_t *at);

/* The key that acts for enrolled organisation `org` at `now`: its enrolled key, or the last of
 * the successors (kind 17) and re-enrolments (kind 19) in force replacing it. */
int tx_batch_key_in_force(tx_batch *b, const uint8_t org[TX_KEY_LEN], int64_t now,
                          uint8_t out[TX_KEY_LEN]);
int tx_store_key_replaced(tx_store *s, const uint8_t key[TX_KEY_LEN], int64_t *at);

/* ---- checkpoints of the Merkle log (tx_mlog.c) ---- */

/* What a stored checkpoint says. */
typedef struct {
    uint64_t size;
    uint8_t root[32];
    int64_t time;
} tx_checkpoint_info;

/* The hub's identity signs checkpoints from now on (borrowed: it must outlive the store or
 * the next call). NULL stops signing. Checkpoints are C2SP tlog-checkpoint signed notes
 * (keys/tx_note.h) whose origin, and the name the hub signs under, is the identity's name when
 * it may be a note key name (ticsx-hub init --origin), else "ticsx-hub/<key id hex>". */
void tx_store_set_signer(tx_store *s, const tx_identity *id);

/* The origin of the checkpoints signed (set by tx_store_set_signer). Borrowed. */
const char *tx_store_origin(const tx_store *s);

/* Stores a witness's cosignature (Call.cosign): `note` is a checkpoint text of this log (same
 * origin, a size the log holds, the root of the log at that size), this hub's note signature
 * line of it, and one cosignature/v1 line that verifies with `key` (the older form without the
 * hub's line is kept with the latest checkpoint's signature when its text is the latest's, as
 * it came otherwise, and then serves only with the latest). It replaces that witness key's
 * stored one unless that is of a larger size, or of the same size and not older; at most
 * TX_WITNESSES_MAX keys are kept. Returns TX_OK (stored, or kept the newer one) or the code
 * of the refusal, with its words in why (size n: "stored", "kept: ...", what is wrong); a
 * storage failure leaves why empty (TX_ERR_STORAGE_FULL, TX_ERR_BUSY, ...). */
int tx_store_cosign(tx_store *s, const uint8_t *note, size_t note_len, const uint8_t *key,
                    size_t key_len, char *why, size_t n);

/* Signs and stores a checkpoint now when the latest does not cover the whole log (none yet,
 * or records appended by a process without the key, such as `ticsx-hub enroll`). TX_OK
 * without a signer. *made (may be NULL) is set when one was made. */
int tx_store_checkpoint_refresh(tx_store *s, int *made);

/* One-shot forms, each in its own read transaction. */
int tx_store_root(tx_store *s, uint64_t size, uint8_t root[32]);

/* The root of the first `size` records rebuilt from the log itself (every envelope read and
 * hashed, the stored nodes not used), in one snapshot: what a checkpoint must equal after a
 * crash. TX_ERR_NOT_FOUND if size is past the log. */
int tx_store_rebuild_root(tx_store *s, uint64_t size, uint8_t root[32]);
int tx_store_checkpoint(tx_store *s, uint8_t **env, size_t *len, tx_checkpoint_info *info);

#endif

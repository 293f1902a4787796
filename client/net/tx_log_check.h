/* The client's side of the hub's verifiable log (RFC 9162 Merkle tree, signed checkpoints):
 * checkpoints are verified against the pinned hub key, and the last one accepted is kept in the
 * home (`checkpoint`, 0644: a public signed statement); each new one must extend it (a
 * consistency proof; equal when the sizes match) without its time going back. Records the
 * client relies on are proven included; `audit-log` rebuilds the whole tree. A split view or a
 * rollback is reported (TX_ERR_CHECKSUM, exit 1) with both signed checkpoints saved under
 * evidence/ in the home, and the newer one is not accepted. Log index i (from 1) is leaf i - 1. */
#ifndef TX_LOG_CHECK_H
#define TX_LOG_CHECK_H

#include "tx_client.h"
#include "tx_merkle.h"

#include <stdio.h>

/* A checkpoint as signed by the hub. */
typedef struct {
    uint64_t size;
    uint8_t root[32];
    int64_t time;
    uint8_t *env; /* the checkpoint note as received, cosignatures included (owned) */
    size_t len;
    uint64_t hub_size; /* tx_audit_sync: the hub's latest size when this is the newest witnessed
                        * checkpoint, older than the latest (which lacked the quorum); else 0 */
} tx_checkpoint;

/* Opens a checkpoint note (keys/tx_note.h): its text must be a ticsx checkpoint and carry a
 * note signature by `hub_sign` (the pinned hub key) under its origin; other signature lines
 * (witness cosignatures) are kept, not judged. The bytes are copied. TX_ERR_BAD_SIGNATURE,
 * TX_ERR_WRONG_KEY, TX_ERR_MALFORMED or TX_ERR_TOO_LARGE (message set). Caller clears *out. */
int tx_checkpoint_open(const uint8_t *env, size_t len, const uint8_t hub_sign[32],
                       tx_checkpoint *out);

/* Frees the bytes and zeroes. */
void tx_checkpoint_clear(tx_checkpoint *cp);

/* ---- calls on a connection (nothing the hub says is believed until checked) ---- */

/* The hub's latest checkpoint, opened against hub_sign. */
int tx_log_checkpoint(tx_conn *conn, const uint8_t hub_sign[32], tx_checkpoint *out);

/* The newest checkpoint that at least `quorum` of the witness keys (n of them) cosigned
 * (Call.witnessed), opened against hub_sign; TX_ERR_NOT_FOUND (message set) when the hub has
 * none. */
int tx_log_witnessed(tx_conn *conn, const uint8_t hub_sign[32], const tx_pubkey *keys, size_t n,
                     unsigned quorum, tx_checkpoint *out);

/* The proof hashes of a reply: every element exactly 32 bytes, at most TX_MERKLE_MAX_PATH.
 * TX_ERR_MALFORMED otherwise (message set). */
int tx_log_proof_of(const tx_reply_pb *r, uint8_t path[][32], size_t *n);

/* Checks an inclusion proof reply for the record at log index `index` with leaf hash `leaf`
 * in the tree of `size` with `root`. TX_OK, or TX_ERR_CHECKSUM / TX_ERR_MALFORMED with the
 * message naming the record. */
int tx_log_check_inclusion(const tx_reply_pb *r, uint64_t index, uint64_t size,
                           const uint8_t leaf[32], const uint8_t root[32]);

/* Checks a consistency proof reply between two trees. Codes as above. */
int tx_log_check_consistency(const tx_reply_pb *r, uint64_t old_size, const uint8_t old_root[32],
                             uint64_t new_size, const uint8_t new_root[32]);

/* Sends an inclusion (index, size) or consistency (old, new) call; wait with tx_conn_wait. */
int tx_log_send_inclusion(tx_conn *conn, uint64_t index, uint64_t size, uint64_t *id);
int tx_log_send_consistency(tx_conn *conn, uint64_t old_size, uint64_t new_size, uint64_t *id);

/* Checks a submit reply's receipt against the envelope submitted: the leaf hash is the
 * envelope's, and the checkpoint (when present) is signed by hub_sign and holds the index.
 * With `conn`, also asks for the inclusion proof and checks it. TX_OK when all hold. */
int tx_receipt_check(const tx_reply_pb *r, const uint8_t *env, size_t len,
                     const uint8_t hub_sign[32], tx_conn *conn);

/* ---- the home's checkpoint ---- */

/* Judges a new checkpoint against the one kept: sizes equal -> the roots must be equal;
 * larger -> `path` must prove consistency; smaller -> a rollback; and time must not go
 * back. TX_OK or TX_ERR_CHECKSUM with the message naming both sizes and roots. */
int tx_audit_judge(const tx_checkpoint *kept, const tx_checkpoint *next, const uint8_t (*path)[32],
                   size_t n);

/* Gets the hub's latest checkpoint, checks its signature against the pinned hub key, that
 * it carries the home's witness quorum (tx_witness_check) and that it extends the kept one
 * (asking for a consistency proof), and keeps it. When the latest lacks the quorum, the newest
 * checkpoint that has it (tx_log_witnessed) is judged and kept the same way instead, its
 * hub_size set to the latest's size: records past it are not witnessed yet; when there is none,
 * TX_ERR_REFUSED (nothing kept). On a split view, rollback (a witnessed checkpoint smaller than
 * the kept one too) or time going back: saves both under evidence/ and returns TX_ERR_CHECKSUM
 * (the kept one stays; this home's kept receipts are saved too). The first checkpoint is taken
 * on trust. Then proves every kept receipt against it (tx_receipts_check). `out` (may be NULL)
 * receives the accepted checkpoint (caller clears). */
int tx_audit_sync(tx_client *c, tx_checkpoint *out);

/* Judges `next` (a checkpoint already opened against the pinned key, e.g. from a receipt) like
 * tx_audit_sync judges the hub's latest: it must extend the kept one, else TX_ERR_CHECKSUM with
 * the evidence saved and the kept one left. It is kept only when it has the witness quorum
 * (always with a quorum of 0). */
int tx_audit_accept(tx_client *c, tx_checkpoint *next);

/* Saves old and next as evidence/<prefix><time>-{old,new}.checkpoint (0644; "-2" etc. after
 * the time when taken) in the home and names them in where (size n; "" when they could not be
 * saved, with a warning). prefix: "" for the log's checkpoints, "witness-" for a witness's. */
void tx_audit_save_evidence(tx_home *home, const char *prefix, const tx_checkpoint *old,
                            const tx_checkpoint *next, char *where, size_t n);

/* Records the client relies on, for an inclusion check. */
typedef struct {
    uint64_t *index;
    uint8_t (*leaf)[32];
    uint8_t (*id)[TX_ID_LEN];
    size_t n, cap;
} tx_audit_set;

/* Adds a record received from the hub at log index `index` (0: unknown, skipped). Records
 * already in the set are skipped. */
int tx_audit_add(tx_audit_set *set, uint64_t index, const uint8_t *env, size_t len);

/* tx_audit_add for every opened record of recs with a log index (their ids already known);
 * the leaf hashes are computed on several threads. */
int tx_audit_add_recs(tx_audit_set *set, const tx_recs *recs);

void tx_audit_set_free(tx_audit_set *set);

/* tx_audit_sync, then proves every record of the set included in the accepted checkpoint with
 * pipelined proof calls. TX_ERR_CHECKSUM (message names the record) when one is not. A record
 * past an accepted witnessed checkpoint (hub_size set) but within the hub's latest is not
 * witnessed yet: not proven, counted in *left_out (may be NULL). `out` (may be NULL) receives
 * the checkpoint they were proven in (caller clears). */
int tx_audit_records(tx_client *c, const tx_audit_set *set, tx_checkpoint *out, uint64_t *left_out);

/* The line to tell the user about records left out (stderr): "N records newer than the last
 * witnessed checkpoint (size S) are left out until the witnesses cosign a newer one". */
void tx_audit_warn_left_out(uint64_t n, uint64_t size);

/* ---- audit-log ---- */

typedef struct {
    uint64_t size;    /* the checkpoint's */
    uint8_t root[32]; /* the checkpoint's, equal to the one rebuilt when ok */
    int64_t time;
    uint64_t checked;  /* visible records whose leaf hash matched */
    uint64_t newer;    /* visible records appended after the checkpoint, not checked */
    uint64_t mismatch; /* records whose leaf differs, or a root that differs (1) */
    int root_ok;
    char first[256]; /* the first mismatch, for the message */
} tx_audit_result;

/* Syncs the checkpoint, fetches every leaf hash of its tree, lists every record the caller may
 * see and checks each against the leaf at its index, rebuilds the root and compares it. TX_OK
 * when the audit could run (res says whether it passed). */
int tx_audit_log(tx_client *c, tx_audit_result *res);

int tx_audit_print(FILE *f, const tx_audit_result *res, int json);

#endif

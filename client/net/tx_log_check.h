/* The client's check of the hub's verifiable log (RFC 9162 Merkle tree, signed checkpoints):
 * the last checkpoint accepted is kept in the home (`checkpoint`, 0644: a public signed
 * statement); each new one must extend it (a consistency proof; equal when the sizes match)
 * without its time going back, carry the home's witness quorum, and hold every record this
 * home has a receipt for. Records the client relies on are proven included. A split view or a
 * rollback is reported (TX_ERR_CHECKSUM, exit 1) with both signed checkpoints saved under
 * evidence/ in the home, and the newer one is not accepted. Log index i (from 1) is leaf i - 1.
 * The calls and proof checks it stands on are in tx_log_proof.h; `audit-log` in tx_log_audit.h. */
#ifndef TX_LOG_CHECK_H
#define TX_LOG_CHECK_H

#include "tx_checkpoint.h"
#include "tx_client.h"

/* ---- the home's checkpoint ---- */

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
int tx_log_check_sync(tx_client *c, tx_checkpoint *out);

/* The checkpoint this home accepted last (TX_ERR_NOT_FOUND, no message, when none); caller
 * clears. */
int tx_log_check_kept(tx_client *c, tx_checkpoint *out);

/* Judges `next` (a checkpoint already opened against the pinned key, e.g. from a receipt) like
 * tx_log_check_sync judges the hub's latest: it must extend the kept one, else TX_ERR_CHECKSUM
 * with the evidence saved and the kept one left. It is kept only when it has the witness quorum
 * (always with a quorum of 0). */
int tx_log_check_accept(tx_client *c, tx_checkpoint *next);

/* ---- records the client relies on ---- */

/* Records the client relies on, for an inclusion check. */
typedef struct {
    uint64_t *index;
    uint8_t (*leaf)[32];
    uint8_t (*id)[TX_ID_LEN];
    size_t n, cap;
} tx_log_check_set;

/* Adds a record received from the hub at log index `index` (0: unknown, skipped). Records
 * already in the set are skipped. */
int tx_log_check_add(tx_log_check_set *set, uint64_t index, const uint8_t *env, size_t len);

/* tx_log_check_add for every opened record of recs with a log index (their ids already known);
 * the leaf hashes are computed on several threads. */
int tx_log_check_add_recs(tx_log_check_set *set, const tx_recs *recs);

void tx_log_check_set_free(tx_log_check_set *set);

/* Every leaf hash of the hub's tree of `size` records, asked for in pages, pipelined: *leaves
 * (size of them; the caller frees it). A page with fewer hashes than the tree holds there is
 * TX_ERR_CHECKSUM. */
int tx_log_check_leaves(tx_client *c, uint64_t size, uint8_t (**leaves)[32]);

/* tx_log_check_sync, then proves every record of the set included in the accepted checkpoint:
 * when the proofs would hold more hashes than the tree has leaves, by every leaf hash of the tree
 * rebuilding the signed root (one call per 8192 leaves); else, or when that does not prove them
 * all, with pipelined proof calls. TX_ERR_CHECKSUM (message names the record) when one is not. A
 * record past an accepted witnessed checkpoint (hub_size set) but within the hub's latest is
 * not witnessed yet: not proven, counted in *left_out (may be NULL). `out` (may be NULL)
 * receives the checkpoint they were proven in (caller clears). */
int tx_log_check_records(tx_client *c, const tx_log_check_set *set, tx_checkpoint *out,
                         uint64_t *left_out);

/* The line to tell the user about records left out (stderr): "N records newer than the last
 * witnessed checkpoint (size S) are left out until the witnesses cosign a newer one". */
void tx_log_check_warn_left_out(uint64_t n, uint64_t size);

#endif

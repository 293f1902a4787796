/* One round of the hub's poll loop: the calls waiting on the ROUTER socket are drained (at
 * most 512, or 64 MiB of submits), their envelopes verified (on the pool's threads when there
 * is a pool), every submit among them is ingested in one LMDB write transaction (group commit)
 * in arrival order, and all are answered in arrival order once it has committed; reads see
 * the records just committed. One client (connection) may have at most 512 calls taken and
 * not yet answered; its further calls are answered BUSY at once, unverified and unstored. */
#ifndef TX_ROUND_H
#define TX_ROUND_H

#include "tx_stats.h"
#include "tx_store.h"
#include "tx_vpool.h"

#include <stdint.h>

typedef struct tx_round tx_round;

/* router (a ROUTER socket with CURVE and ZAP user ids) and store are borrowed. Caller owns
 * *out (tx_round_destroy). */
int tx_round_create(void *router, tx_store *store, tx_round **out);

/* Frees; *r_p becomes NULL. NULL is fine. */
void tx_round_destroy(tx_round **r_p);

/* Runs one round without blocking on any peer: takes the calls waiting now (their submits go
 * to the pool), then waits, taking more, until the calls taken before are verified and
 * committed (on the writer thread when there is a pool), and answers them. Calls taken are
 * answered by a later round: call it again at once while tx_round_pending. */
void tx_round_run(tx_round *r);

/* Between rounds, with no transaction open on the caller's thread: adopts a map another
 * process grew (tx_store_adopt_map) when no batch is on the writer thread, and then, once a
 * second while the last record in checkpoint.signed failed, records it again
 * (tx_store_signed_retry); copies that state to the metrics. */
void tx_round_quiet(tx_round *r);

/* True while taken calls await their answers. */
int tx_round_pending(const tx_round *r);

/* Commits and answers every call taken, without taking more (for shutdown). */
void tx_round_finish(tx_round *r);

/* Verifies submits on `pool` (borrowed; NULL: on the caller's thread). While the pool is idle
 * and the caller would only wait meanwhile (no other batch, or the other one committing on the
 * writer), the first submit of each take is verified on the caller's thread all the same (no
 * hand-off). With a pool, the round also starts its writer thread
 * (the caller blocks the signals it handles first): it begins, fills and commits each batch's
 * write transaction; without one (or if it cannot start) the caller's thread commits. */
void tx_round_set_pool(tx_round *r, tx_vpool *pool);

/* Counts submits, commits and rounds into stats (borrowed; NULL: none) from now on. */
void tx_round_set_stats(tx_round *r, tx_stats *stats);

/* Records accepted and refused so far. */
void tx_round_stats(const tx_round *r, uint64_t *accepted, uint64_t *refused);

#endif

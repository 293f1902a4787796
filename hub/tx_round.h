/* One round of the hub's poll loop: the calls waiting on the ROUTER socket are drained (at
 * most 512, or 64 MiB of submits), every submit among them is ingested in one LMDB write
 * transaction (group commit), and all are answered in arrival order once it has committed;
 * reads see the records just committed. */
#ifndef TX_ROUND_H
#define TX_ROUND_H

#include "tx_store.h"

#include <stdint.h>

typedef struct tx_round tx_round;

/* router (a ROUTER socket with CURVE and ZAP user ids) and store are borrowed. Caller owns
 * *out (tx_round_destroy). */
int tx_round_create(void *router, tx_store *store, tx_round **out);

/* Frees; *r_p becomes NULL. NULL is fine. */
void tx_round_destroy(tx_round **r_p);

/* Runs one round without blocking on any peer; returns when the waiting calls are answered. */
void tx_round_run(tx_round *r);

/* Records accepted and refused so far. */
void tx_round_stats(const tx_round *r, uint64_t *accepted, uint64_t *refused);

#endif

/* Records a fetch wrote to the home's cache and proved, kept opened for the verify that follows
 * in the same process, so that verify does not read, hash and decode them again. They are the
 * bytes this process itself stored and never let go of, and they are used only while the cache is
 * exactly as the fetch left it: the cache's generation (its last commit) must be the one after
 * the fetch's own last write, with no other process's commit since the fetch stored them. Any
 * later write, by any process, and verify reads the whole cache as before. */
#ifndef TX_CACHE_KEPT_H
#define TX_CACHE_KEPT_H

#include "tx_home.h"
#include "tx_rec.h"

#include <stdint.h>

/* Called right after the fetch's write of its records: the cache's generation then when that
 * write was this process's last commit, else 0 (nothing will be kept). */
uint64_t tx_cache_kept_mark(tx_home *home);

/* Keeps the opened records of `recs` (each with the log index of its proof marker in index),
 * taking them (recs is emptied), in place of what was kept before, when every commit to the
 * cache since `mark` was this process's; else frees them. */
void tx_cache_kept_hand(tx_home *home, uint64_t mark, tx_recs *recs);

/* For verify, once it has listed the cache at generation `gen` (tx_home_cache_list_gen): 1 when
 * records are kept for this home and the cache was not written between their hand-over and that
 * listing, else 0 (and any kept record is dropped). */
int tx_cache_kept_open(tx_home *home, uint64_t gen);

/* Moves the kept record `id` into *rec (1), or leaves *rec alone (0). Each record is taken at most
 * once. Thread-safe. */
int tx_cache_kept_take(const uint8_t id[TX_ID_LEN], tx_rec *rec);

/* Frees what is kept (what verify did not take). */
void tx_cache_kept_drop(void);

/* Records taken in this process (for the tests and the benchmark). */
unsigned long tx_cache_kept_taken(void);

#endif

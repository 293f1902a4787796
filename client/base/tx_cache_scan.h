/* One pass over the home's cache for the reads that look at a few kinds of records only (this
 * organisation's requests, one supplier's history): each record's envelope is decoded to read
 * its kind and signer, and only the records asked for are opened (hash and signature checked,
 * payload decoded) and handed on with the log index of their proof marker. */
#ifndef TX_CACHE_SCAN_H
#define TX_CACHE_SCAN_H

#include "tx_home.h"
#include "tx_rec.h"

#include <stdint.h>

/* Whether to open a record of this kind signed by `signer` (32 bytes): 1 yes, 0 skip it. */
typedef int (*tx_cache_want)(void *ctx, int kind, const uint8_t *signer);

/* Called per matching record (borrowed for the call): log_index is the index its proof marker
 * names, 0 when it has none (not proven yet). A code other than TX_OK stops the scan and is
 * returned. */
typedef int (*tx_cache_fn)(void *ctx, const tx_rec *rec, uint64_t log_index);

/* Calls fn for every cached record that `want` asks for and that opens. Damaged records are
 * skipped silently (verify names them). */
int tx_cache_scan(tx_home *home, tx_cache_want want, tx_cache_fn fn, void *ctx);

#endif

/* What the client asks of the hub, pipelined: list records of several kinds at once, get many
 * records at once, submit a batch of dependent records in order, ping. Nothing the hub returns
 * is trusted: every record is checked here by hash and signature before anyone sees it. */
#ifndef TX_RPC_H
#define TX_RPC_H

#include "tx_client.h"

/* For each i < n: every record of kinds[i] visible to this organisation with log index >
 * after[i] (0 = all), into out[i] (caller-provided, zeroed; tx_recs_clear each). The first page
 * of every kind is in flight at once. Records that do not verify or decode are dropped with a
 * warning. Returns a connection-level code (message set) or TX_OK. */
int tx_rpc_list(tx_client *c, size_t n, const int *kinds, const uint64_t *after, tx_recs *out);

/* Called once a page of list i is checked and appended: its records are list->v[from..list->n).
 * Their bytes and messages stay put until the list is cleared; the array itself may move as it
 * grows. A code other than TX_OK stops the listing with that code. */
typedef int (*tx_rpc_page_fn)(void *ctx, size_t i, const tx_recs *list, size_t from);

/* tx_rpc_list asking for `page` records a reply at most (0: the default page), calling `fn` (if
 * not NULL) with ctx as each page arrives, so work on the first pages overlaps the later ones. */
int tx_rpc_list_pages(tx_client *c, size_t n, const int *kinds, const uint64_t *after,
                      uint32_t page, tx_recs *out, tx_rpc_page_fn fn, void *ctx);

/* Gets n records by id, all in flight at once (bounded window), opening out[i] as kinds[i].
 * rcs[i] receives TX_OK, TX_ERR_NOT_FOUND (absent or not visible), TX_ERR_CHECKSUM (the hub
 * answered with bytes of another hash) or the code of a failed open. The function itself
 * returns a connection-level code or TX_OK. out[i] must be zeroed; caller clears them. */
int tx_rpc_get(tx_client *c, size_t n, const uint8_t (*ids)[TX_ID_LEN], const int *kinds,
               tx_rec *out, int *rcs);

/* Submits n signed envelopes in this order, all in flight at once. A later record that the hub
 * answered with MISSING_REFERENCE while an earlier one of the batch was accepted is submitted
 * once more after the batch. TX_OK when all are stored (duplicates included); else the first
 * refusal as TX_ERR_REFUSED (or a connection-level code), with the hub's status and message.
 * Each receipt is checked (tx_receipt_check) and kept (tx_receipts_keep), and the newest of their
 * checkpoints accepted (tx_log_check_accept): TX_ERR_CHECKSUM when the hub's answers disagree. */
int tx_rpc_submit(tx_client *c, size_t n, uint8_t *const *envs, const size_t *lens);

/* Round trip to the hub; *ms receives the time it took. */
int tx_rpc_ping(tx_client *c, double *ms);

#endif

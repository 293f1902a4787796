/* This home's receipts for its own submits. Each record the hub acknowledges leaves
 * receipts/<record id> (0600): the log index the hub gave it, its leaf hash and the signed
 * checkpoint of the commit that stored it; the newest receipt checkpoint becomes the kept one
 * (proven consistent with it first). At the next contact (fetch, audit-log, watch) every receipt
 * is proven against the checkpoint then accepted: consistency from the receipt's checkpoint and
 * inclusion of the leaf at its index. A proven receipt leaves a proof marker for the record and
 * is removed; one that fails is a split view (the hub dropped or moved an acknowledged record),
 * saved as evidence with both signed checkpoints. */
#ifndef TX_RECEIPTS_H
#define TX_RECEIPTS_H

#include "tx_checkpoint.h"
#include "tx_client.h"

/* Checks a submit reply's receipt against the envelope submitted: the leaf hash is the
 * envelope's, and the checkpoint (when present) is signed by hub_sign and holds the index.
 * With `conn`, also asks for the inclusion proof and checks it. TX_OK when all hold. */
int tx_receipt_check(const tx_reply_pb *r, const uint8_t *env, size_t len,
                     const uint8_t hub_sign[32], tx_conn *conn);

/* Keeps the receipts of n records just acknowledged (per[i] the reply or batch outcome of
 * envs[i], each already checked with tx_receipt_check). *newest receives the newest of their
 * checkpoints (size 0 when n is 0; caller clears), for the caller to accept like any other
 * (tx_log_check_accept): the newest checkpoint this home has seen must extend the kept one. */
int tx_receipts_keep(tx_client *c, size_t n, const tx_reply_pb *const *per, uint8_t *const *envs,
                     const size_t *lens, tx_checkpoint *newest);

/* Proves every kept receipt against `accepted` (a checkpoint that passed tx_checkpoint_judge,
 * before it is kept; the caller holds the home lock): TX_OK when all hold (their records get proof
 * markers, the receipts are removed; with `accepted` an older witnessed checkpoint (hub_size
 * set), a receipt whose index or checkpoint is past it stays, not witnessed yet);
 * TX_ERR_CHECKSUM naming the first that does not, with
 * evidence/<time>-{old,new}.checkpoint (the receipt's checkpoint and the accepted one) and
 * evidence/<time>-<record id>.receipt saved. */
int tx_receipts_check(tx_client *c, tx_conn *conn, const tx_checkpoint *accepted);

/* Decodes a kept receipt's bytes (at most 4140): "TXR1", the index (8 bytes, big-endian, not
 * 0), the leaf hash (32), the signed checkpoint, opened against hub_sign. TX_ERR_MALFORMED
 * (no message) when the frame is wrong, else tx_checkpoint_open's code. Caller clears *cp. */
int tx_receipt_decode(const uint8_t *buf, size_t len, const uint8_t hub_sign[32], uint64_t *index,
                      uint8_t leaf[32], tx_checkpoint *cp);

/* Copies every kept receipt into evidence/ (after a failed log check) and names the files in
 * where (size n; "" when there are none). */
void tx_receipts_evidence(tx_home *home, char *where, size_t n);

#endif

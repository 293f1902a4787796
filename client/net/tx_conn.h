/* A client's connection to the hub: a DEALER socket with CURVE, the hub's key pinned.
 * Calls carry ids and may be pipelined: send many, then wait for each reply. */
#ifndef TX_CONN_H
#define TX_CONN_H

#include "tx_codec.h"
#include "tx_keys.h"
#include "tx_status.h"

#include <stddef.h>
#include <stdint.h>

typedef struct tx_conn tx_conn;

/* Connects to `endpoint` (e.g. tcp://127.0.0.1:7700) expecting the hub's CURVE key
 * `hub_curve_pk`, authenticating with id's transport key. Connecting does not wait for the
 * hub; the first call does. `timeout_ms` bounds each wait for a reply. Caller owns *out. */
int tx_conn_open(const char *endpoint, const uint8_t hub_curve_pk[32], const tx_identity *id,
                 int timeout_ms, tx_conn **out);

/* Closes the socket and frees; *conn_p becomes NULL. NULL is fine. */
void tx_conn_destroy(tx_conn **conn_p);

/* Sends `call`, assigning call->id. Does not wait. */
int tx_conn_send(tx_conn *conn, tx_call_pb *call, uint64_t *id_out);

/* Waits for the reply to call `id`. Replies to other calls that arrive first are kept for
 * their own wait. TX_ERR_UNREACHABLE on timeout, TX_ERR_NOT_ENROLLED at once if the hub refused
 * this client's key during the handshake (its ZAP handler said 400, or three handshakes in a row
 * were cut: a listening hub that does not take this client's hello, i.e. a wrong hub key). A
 * handshake cut once (a hub stopping or restarting) is not a refusal: the wait goes on, and
 * ends as TX_ERR_UNREACHABLE if the hub does not come back in time. Caller owns *reply
 * (tx_free). */
int tx_conn_wait(tx_conn *conn, uint64_t id, tx_reply_pb **reply);

/* Waits at most timeout_ms for the next reply of any id (replies kept by earlier waits first):
 * how a watcher receives the records the hub pushes. *reply is NULL when none came in time or
 * a signal interrupted the wait; TX_ERR_NOT_ENROLLED if the handshake was refused. Caller owns
 * *reply (tx_free). */
int tx_conn_next(tx_conn *conn, int timeout_ms, tx_reply_pb **reply);

/* send + wait. */
int tx_conn_call(tx_conn *conn, tx_call_pb *call, tx_reply_pb **reply);

/* Sends a Submit of one envelope (bytes as signed) without waiting: *id_out is the call to
 * tx_conn_wait for. */
int tx_conn_send_submit(tx_conn *conn, const uint8_t *env, size_t len, uint64_t *id_out);

/* Submits one envelope (bytes as signed). On TX_OK the caller owns *reply, whose status may
 * still be a refusal: use tx_status_err(). */
int tx_conn_submit(tx_conn *conn, const uint8_t *env, size_t len, tx_reply_pb **reply);

/* Sends n envelopes (1 <= n <= TX_MAX_BATCH, within TX_MAX_CALL bytes together) in one
 * SubmitBatch call, without waiting: *id_out is the call to tx_conn_wait for. */
int tx_conn_send_batch(tx_conn *conn, size_t n, uint8_t *const *envs, const size_t *lens,
                       uint64_t *id_out);

/* Checks that a SubmitBatch reply answers n envelopes: TX_OK, or TX_ERR_MALFORMED (message
 * set) when the hub said OK with another number of outcomes. A refusal of the whole call
 * (BUSY, FORBIDDEN, ...) is the reply's status, as for any call. */
int tx_batch_reply_check(const tx_reply_pb *r, size_t n);

/* Outcome i of a SubmitBatch reply seen as the reply to a single Submit (status, message, and
 * a receipt carrying the batch's checkpoint), for code that judges single replies. view and
 * receipt are the caller's; they point into r. */
void tx_batch_outcome(const tx_reply_pb *r, size_t i, tx_reply_pb *view, tx_receipt_pb *receipt);

/* Sends a Get of one record by id without waiting: *id_out is the call to tx_conn_wait for. */
int tx_conn_send_get(tx_conn *conn, const uint8_t record_id[TX_ID_LEN], uint64_t *id_out);

/* Fetches one record by id into a fresh buffer. TX_ERR_NOT_FOUND if absent or not visible.
 * Caller owns *env (free). */
int tx_conn_get(tx_conn *conn, const uint8_t record_id[TX_ID_LEN], uint8_t **env, size_t *len);

/* Handshakes that failed without a refusal so far (0 if the hub never answered at all). */
unsigned tx_conn_handshakes_failed(const tx_conn *conn);

/* Why the hub refused this client, after TX_ERR_NOT_ENROLLED: TX_CONN_REFUSED_KEY (its ZAP
 * handler does not know this organisation's key) or TX_CONN_REFUSED_HELLO (every handshake cut:
 * a wrong hub key); 0 if it did not. */
enum { TX_CONN_REFUSED_KEY = 1, TX_CONN_REFUSED_HELLO = 2 };
int tx_conn_refusal(const tx_conn *conn);

/* The endpoint, for messages. Borrowed. */
const char *tx_conn_endpoint(const tx_conn *conn);

/* Fails (tx_fail) with TX_ERR_REFUSED and returns it, the message reading once
 * "hub refused WHAT: <status words>: <the hub's message>", WHAT formatted from fmt. */
int tx_conn_refused(const tx_reply_pb *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif

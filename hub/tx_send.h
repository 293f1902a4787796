/* Replies to the peers of the hub's ROUTER socket, never blocking on one: each reply is handed
 * to ZeroMQ without a copy, and the bytes ZeroMQ still holds for each peer are counted (ZeroMQ
 * frees a reply on its I/O thread once written). A peer that leaves more than 8 MiB of replies
 * unread gets a short BUSY instead of its further replies; a peer gone or not reading loses
 * the reply, with a log line a second at most. */
#ifndef TX_SEND_H
#define TX_SEND_H

#include "tx_codec.h"

#include <stddef.h>
#include <stdint.h>

typedef struct tx_send tx_send;

/* router (a ROUTER socket with ROUTER_MANDATORY) is borrowed. Caller owns *out
 * (tx_send_destroy). TX_ERR_NOMEM. */
int tx_send_create(void *router, tx_send **out);

/* Frees every peer's account; *s_p becomes NULL. NULL is fine. */
void tx_send_destroy(tx_send **s_p);

/* Sends r, its id set to call_id, to the peer with ROUTER routing id `peer` (`who` names it in
 * logs; now_ms is monotonic, for rate-limiting them). r is borrowed. */
void tx_send_reply(tx_send *s, const uint8_t *peer, size_t peer_len, const char *who,
                   uint64_t call_id, tx_reply_pb *r, int64_t now_ms);

/* Frees the accounts of peers ZeroMQ holds nothing for. */
void tx_send_sweep(tx_send *s);

#endif

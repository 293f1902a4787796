/* The hub's ZAP handler (ZeroMQ RFC 27): a REP socket on inproc://zeromq.zap.01 that admits a
 * CURVE client only if its transport key is enrolled (looked up in the store at every
 * handshake, so enrolments by another process apply at once), is named by the newest member
 * record of a person its organisation has not removed (tx_store_people), or is the hub's own
 * key. The user id it returns is the lowercase hex of the member's signing key; for a person,
 * its organisation's key then its own; or "hub". */
#ifndef TX_ZAP_H
#define TX_ZAP_H

#include "tx_store.h"

#include <stdint.h>

#define TX_ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define TX_ZAP_HUB_USER "hub"
/* Room for a user id: an organisation's signing key in hex, or (a person of an organisation,
 * tx_store_people) the organisation's key then the person's, both in hex. */
#define TX_ZAP_USER_MAX (4 * TX_KEY_LEN + 1)

typedef struct tx_zap tx_zap;

/* Binds the handler in ZeroMQ context ctx. Must succeed before any CURVE socket binds:
 * libzmq 4.3.4 admits every CURVE client when no handler answers. TX_ERR_NET if the endpoint
 * cannot be bound. store is borrowed. Caller owns *out (tx_zap_destroy). */
int tx_zap_open(void *ctx, tx_store *store, const uint8_t hub_curve_pk[32], tx_zap **out);

/* The REP socket, for the caller's poll loop. Borrowed. */
void *tx_zap_socket(tx_zap *z);

/* Answers every request waiting on the socket without blocking; returns how many. */
int tx_zap_serve(tx_zap *z);

/* Closes the socket and frees; *z_p becomes NULL. NULL is fine. */
void tx_zap_destroy(tx_zap **z_p);

#endif

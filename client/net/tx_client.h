/* A client session: the home (identity, cache, counter) plus the hub settings, with the
 * connection made on first use. */
#ifndef TX_CLIENT_H
#define TX_CLIENT_H

#include "tx_codec.h"
#include "tx_conn.h"
#include "tx_home.h"
#include "tx_rec.h"

#include <stddef.h>
#include <stdint.h>

#define TX_DEFAULT_HUB "tcp://127.0.0.1:7700"
#define TX_DEFAULT_TIMEOUT_MS 5000

typedef struct {
    const char *home;     /* NULL: $TICSX_HOME, else ~/.config/ticsx */
    const char *endpoint; /* NULL: $TICSX_HUB, else TX_DEFAULT_HUB */
    const char *hub_key;  /* path of the hub's hub.pub; NULL: $TICSX_HUB_KEY */
    int timeout_ms;       /* 0: TX_DEFAULT_TIMEOUT_MS */
} tx_client_opts;

typedef struct tx_client tx_client;

/* Opens the home (see tx_home_open for its codes); does not contact the hub.
 * Caller owns *out (tx_client_destroy). */
int tx_client_open(const tx_client_opts *opts, tx_client **out);

/* Closes the connection, wipes the identity, frees; *client_p becomes NULL. NULL is fine. */
void tx_client_destroy(tx_client **client_p);

/* Borrowed for the life of the client. */
tx_home *tx_client_home(tx_client *c);
const tx_identity *tx_client_id(const tx_client *c);
const char *tx_client_endpoint(const tx_client *c);

/* The connection, made on the first call: TX_ERR_USAGE when no hub key is configured.
 * Borrowed; owned by the client. */
int tx_client_conn(tx_client *c, tx_conn **out);

/* The pinned hub key (hub.pub: its CURVE key and the Ed25519 key that signs its checkpoints),
 * loaded once: TX_ERR_USAGE when none is configured. Borrowed; owned by the client. */
int tx_client_hub_key(tx_client *c, const tx_pubkey **out);

/* Calls in flight at once at the most in tx_client_pipeline: well under the socket's high-water
 * mark. */
#define TX_PIPELINE_MAX 256

/* One call of a pipeline: sends call i (tx_conn_send...) and sets *id. */
typedef int (*tx_pipeline_send)(void *ctx, tx_conn *conn, size_t i, uint64_t *id);
/* Takes the reply to call i (borrowed: freed after it returns); anything but TX_OK stops the
 * pipeline with that code. */
typedef int (*tx_pipeline_take)(void *ctx, size_t i, const tx_reply_pb *r);

/* Makes n calls on the client's connection, `window` (at most TX_PIPELINE_MAX) in flight at
 * once, taking the replies in order. A send or wait that fails is a connection-level failure
 * (tx_client_conn_fail); a take that fails stops at once (the replies still in flight stay
 * queued on the connection, unread). */
int tx_client_pipeline(tx_client *c, size_t n, size_t window, tx_pipeline_send send,
                       tx_pipeline_take take, void *ctx);

/* Turns a connection-level failure into a message naming the endpoint (unreachable within the
 * timeout; handshake refused); returns rc. */
int tx_client_conn_fail(tx_client *c, int rc);

/* A record kind as a message names it, in the reader's language ("assessment", 「評価」);
 * tx_kind_name's word for kinds without a translation. Static. */
const char *tx_kind_word(int kind);

#endif

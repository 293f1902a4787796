/* A client session: the home (identity, cache, counter) plus the hub settings, with the
 * connection made on first use, and the verified-record type every flow passes around. */
#ifndef TX_CLIENT_H
#define TX_CLIENT_H

#include "tx_codec.h"
#include "tx_conn.h"
#include "tx_home.h"

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

/* Turns a connection-level failure into a message naming the endpoint (unreachable within the
 * timeout; handshake refused); returns rc. */
int tx_client_conn_fail(tx_client *c, int rc);

/* One record: bytes as received, its id (SHA-256 of the bytes), and once opened, the verified
 * envelope and its decoded payload. */
typedef struct {
    uint64_t index; /* hub log index when listed, else 0 */
    uint8_t id[TX_ID_LEN];
    uint8_t *bytes;
    size_t len;
    int kind;
    tx_envelope_pb *env;
    ProtobufCMessage *msg;
} tx_rec;

typedef struct {
    tx_rec *v;
    size_t n;
} tx_recs;

/* Takes ownership of `bytes` (malloc'd), computes the id, verifies the envelope and decodes the
 * payload as `kind`. On failure the bytes are still owned by rec (tx_rec_clear frees them) and
 * the message names the kind and id. The signature is checked once per process for the same
 * bytes (same id): opening them again decodes without a second Ed25519 check. Thread-safe. */
int tx_rec_open(tx_rec *rec, uint8_t *bytes, size_t len, int kind);

/* tx_rec_open for bytes whose SHA-256 the caller has just computed or checked (`id`, not
 * computed again). */
int tx_rec_open_known(tx_rec *rec, uint8_t *bytes, size_t len, int kind,
                      const uint8_t id[TX_ID_LEN]);

/* Ed25519 checks tx_rec_open has made in this process (for the benchmark). */
unsigned long tx_rec_verifications(void);

/* Loads a cached record (checked by hash, then opened: the signature verified as above) and
 * opens it as `kind`. */
int tx_rec_from_cache(tx_home *home, const uint8_t id[TX_ID_LEN], int kind, tx_rec *rec);

/* Frees what a record holds and zeroes it. */
void tx_rec_clear(tx_rec *rec);
void tx_recs_clear(tx_recs *recs);

/* Appends (moves) *rec to recs; rec is zeroed. */
int tx_recs_push(tx_recs *recs, tx_rec *rec);

/* The signer key of an opened record (32 bytes). */
const uint8_t *tx_rec_signer(const tx_rec *rec);

/* Finds an opened record by id; NULL if absent. Borrowed. */
tx_rec *tx_recs_find(const tx_recs *recs, const uint8_t id[TX_ID_LEN]);

#endif

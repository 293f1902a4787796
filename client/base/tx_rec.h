/* One record as every flow passes it around: the bytes as received, its id, and once opened,
 * the verified envelope and its decoded payload. Works offline: opening checks the signature. */
#ifndef TX_REC_H
#define TX_REC_H

#include "tx_codec.h"
#include "tx_home.h"

#include <stddef.h>
#include <stdint.h>

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

/* Payloads tx_rec_open has decoded in this process (tests: what is not decoded twice). */
unsigned long tx_rec_decodes(void);

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

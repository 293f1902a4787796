/* A fixture for the hub's unit tests: a real LMDB store in a temporary directory with three
 * enrolled members, a questionnaire of a's and a's request to b stored. Failures abort the test
 * (cmocka assertions). */
#ifndef HUB_UNIT_H
#define HUB_UNIT_H

#include "tx_keys.h"
#include "tx_store.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *dir;
    tx_store *store;
    tx_identity *a, *b, *c; /* Alpha, Beta, Gamma */
    uint8_t *req;           /* a's request to b, as stored */
    size_t req_len;
    uint64_t req_index;
    uint8_t req_id[32];
} hu_store;

/* Enrols id with its profile at seq (asserts it was accepted). */
void hu_enroll(tx_store *s, const tx_identity *id, uint64_t seq);

/* Stores env submitted by `by` through the ingest rules in its own batch (asserts it was
 * accepted); returns its log index. env stays the caller's. */
uint64_t hu_submit(tx_store *s, const tx_identity *by, const uint8_t *env, size_t len);

/* Makes the store described above. Caller frees with hu_close. */
void hu_open(hu_store *f);

/* Closes the store and removes its directory. */
void hu_close(hu_store *f);

#endif

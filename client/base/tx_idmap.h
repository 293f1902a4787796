/* A hash map from 32-byte ids (record ids, signing keys) to an index, so the client's joins
 * (grant -> assessment, key -> organisation, assessment -> successor) stay linear. Keys are
 * hashed with SipHash under a random per-map key, so chosen ids cannot pile into one bucket. */
#ifndef TX_IDMAP_H
#define TX_IDMAP_H

#include <stddef.h>
#include <stdint.h>

#define TX_IDMAP_KEY 32

typedef struct {
    struct tx_idmap_slot *slots;
    size_t cap, n;
    uint8_t hk[16];
} tx_idmap;

/* A zeroed map is empty and ready; free with tx_idmap_free. */

/* The value stored for key, or NULL. Borrowed until the next put. */
size_t *tx_idmap_get(const tx_idmap *m, const uint8_t key[TX_IDMAP_KEY]);

/* Inserts key with value val unless it is there; *added says which (may be NULL). Returns
 * the stored value's slot (borrowed until the next put), or NULL when out of memory. */
size_t *tx_idmap_put(tx_idmap *m, const uint8_t key[TX_IDMAP_KEY], size_t val, int *added);

void tx_idmap_free(tx_idmap *m);

#endif

/* Calls in flight per connection, for the loop's limit per client: a count per connection in
 * an open-addressing table (linear probing), keyed by a keyed hash of its ROUTER routing id.
 * Counting as calls are taken and answered replaces scanning every call in flight for each
 * call taken. Only the loop's thread uses it. */
#ifndef TX_PEERS_H
#define TX_PEERS_H

#include <stddef.h>
#include <stdint.h>

typedef struct tx_peers tx_peers;

/* A table for at most `most` connections counted at once. TX_ERR_NOMEM. Caller owns *out
 * (tx_peers_destroy). */
int tx_peers_create(size_t most, tx_peers **out);

/* Frees; *p_p becomes NULL. NULL is fine. */
void tx_peers_destroy(tx_peers **p_p);

/* The key of routing id `id` (never 0): SipHash with a key drawn at creation, so that no
 * client can choose ids whose keys collide. */
uint64_t tx_peers_key(const tx_peers *p, const uint8_t *id, size_t len);

/* Calls counted for key (0 when none). */
size_t tx_peers_calls(const tx_peers *p, uint64_t key);

/* Counts one more call for key (not 0). The caller keeps at most `most` keys counted. */
void tx_peers_took(tx_peers *p, uint64_t key);

/* Counts one call of key answered; a key with none left leaves the table. */
void tx_peers_answered(tx_peers *p, uint64_t key);

#endif

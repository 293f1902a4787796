/* Calls in flight per connection: open addressing with linear probing, key 0 an empty slot,
 * deletion by moving back the keys that probed past the emptied slot (no tombstones, so a
 * lookup never walks further than the keys present make it). */
#include "tx_peers.h"

#include "tx_error.h"

#include <sodium.h>
#include <stdlib.h>

typedef struct {
    uint64_t key; /* 0: an empty slot */
    size_t calls;
} slot;

struct tx_peers {
    slot *slots;
    size_t mask; /* slots - 1; slots a power of two, at least twice `most` */
    uint8_t hash_key[crypto_shorthash_KEYBYTES];
};

int
tx_peers_create(size_t most, tx_peers **out)
{
    tx_peers *p = calloc(1, sizeof *p);
    size_t n = 16;

    *out = NULL;
    while (n < 2 * most) {
        n *= 2;
    }
    if (p == NULL || (p->slots = calloc(n, sizeof *p->slots)) == NULL) {
        free(p);
        return TX_ERR_NOMEM;
    }
    p->mask = n - 1;
    randombytes_buf(p->hash_key, sizeof p->hash_key);
    *out = p;
    return TX_OK;
}

void
tx_peers_destroy(tx_peers **p_p)
{
    if (p_p == NULL || *p_p == NULL) {
        return;
    }
    free((*p_p)->slots);
    free(*p_p);
    *p_p = NULL;
}

uint64_t
tx_peers_key(const tx_peers *p, const uint8_t *id, size_t len)
{
    uint64_t key;

    crypto_shorthash((unsigned char *)&key, id, len, p->hash_key);
    return key != 0 ? key : 1;
}

/* The slot of key, or the empty slot where it would go (the table is never full). */
static size_t
find(const tx_peers *p, uint64_t key)
{
    size_t i = (size_t)key & p->mask;

    while (p->slots[i].key != 0 && p->slots[i].key != key) {
        i = (i + 1) & p->mask;
    }
    return i;
}

size_t
tx_peers_calls(const tx_peers *p, uint64_t key)
{
    return p->slots[find(p, key)].calls;
}

void
tx_peers_took(tx_peers *p, uint64_t key)
{
    size_t i = find(p, key);

    p->slots[i].key = key;
    p->slots[i].calls++;
}

void
tx_peers_answered(tx_peers *p, uint64_t key)
{
    size_t i = find(p, key), j = i;

    if (p->slots[i].key == 0 || --p->slots[i].calls > 0) {
        return;
    }
    p->slots[i].key = 0;
    for (;;) {
        size_t home;

        j = (j + 1) & p->mask;
        if (p->slots[j].key == 0) {
            return;
        }
        home = (size_t)p->slots[j].key & p->mask;
        /* j's key moves back to i unless its home lies in (i, j], cyclically: then a lookup
         * starting at home reaches j without passing i. */
        if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
            p->slots[i] = p->slots[j];
            p->slots[j].key = 0;
            p->slots[j].calls = 0;
            i = j;
        }
    }
}

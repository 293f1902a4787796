/* Open-addressing hash map keyed by 32-byte ids. */
#include "tx_idmap.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct tx_idmap_slot {
    uint8_t key[TX_IDMAP_KEY];
    size_t val;
    int used;
};

static size_t
slot_of(const tx_idmap *m, const uint8_t *key)
{
    uint8_t h[crypto_shorthash_BYTES];
    uint64_t x;

    crypto_shorthash(h, key, TX_IDMAP_KEY, m->hk);
    memcpy(&x, h, sizeof x);
    return (size_t)x & (m->cap - 1);
}

size_t *
tx_idmap_get(const tx_idmap *m, const uint8_t key[TX_IDMAP_KEY])
{
    if (m->n == 0) {
        return NULL;
    }
    for (size_t i = slot_of(m, key);; i = (i + 1) & (m->cap - 1)) {
        struct tx_idmap_slot *s = &m->slots[i];
        if (!s->used) {
            return NULL;
        }
        if (memcmp(s->key, key, TX_IDMAP_KEY) == 0) {
            return &s->val;
        }
    }
}

static int
grow(tx_idmap *m)
{
    struct tx_idmap_slot *old = m->slots;
    size_t old_cap = m->cap;
    size_t cap = old_cap ? old_cap * 2 : 64;

    m->slots = calloc(cap, sizeof *m->slots);
    if (m->slots == NULL) {
        m->slots = old;
        return -1;
    }
    if (old == NULL) {
        randombytes_buf(m->hk, sizeof m->hk);
    }
    m->cap = cap;
    for (size_t k = 0; k < old_cap; k++) {
        if (old[k].used) {
            size_t i = slot_of(m, old[k].key);
            while (m->slots[i].used) {
                i = (i + 1) & (m->cap - 1);
            }
            m->slots[i] = old[k];
        }
    }
    free(old);
    return 0;
}

size_t *
tx_idmap_put(tx_idmap *m, const uint8_t key[TX_IDMAP_KEY], size_t val, int *added)
{
    size_t i;

    if (added != NULL) {
        *added = 0;
    }
    /* At most half full: probes stay short. */
    if ((m->n + 1) * 2 > m->cap && grow(m) != 0) {
        return NULL;
    }
    for (i = slot_of(m, key); m->slots[i].used; i = (i + 1) & (m->cap - 1)) {
        if (memcmp(m->slots[i].key, key, TX_IDMAP_KEY) == 0) {
            return &m->slots[i].val;
        }
    }
    memcpy(m->slots[i].key, key, TX_IDMAP_KEY);
    m->slots[i].val = val;
    m->slots[i].used = 1;
    m->n++;
    if (added != NULL) {
        *added = 1;
    }
    return &m->slots[i].val;
}

void
tx_idmap_free(tx_idmap *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}

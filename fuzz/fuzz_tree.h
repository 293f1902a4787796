/* The fixed tree fuzz_merkle checks proofs against, shared with the seed generator so its
 * seeds are proofs of this very tree: leaf i is the RFC 9162 leaf hash of "fuzz leaf " followed
 * by i as 4 bytes, little-endian. */
#ifndef FUZZ_TREE_H
#define FUZZ_TREE_H

#include "tx_merkle.h"

#include <stdint.h>
#include <string.h>

#define FUZZ_LEAVES 300

static inline void
fuzz_tree_leaves(uint8_t leaves[FUZZ_LEAVES][32])
{
    for (uint32_t i = 0; i < FUZZ_LEAVES; i++) {
        uint8_t entry[14];

        memcpy(entry, "fuzz leaf ", 10);
        for (int k = 0; k < 4; k++) {
            entry[10 + k] = (uint8_t)(i >> (8 * k));
        }
        tx_merkle_leaf_hash(entry, sizeof entry, leaves[i]);
    }
}

#endif

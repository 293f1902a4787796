/* The record kinds the codec knows, found by asking it, so the fuzz targets and make_seeds
 * cover every kind the schema gains without a list to keep in step. */
#ifndef TX_FUZZ_KINDS_H
#define TX_FUZZ_KINDS_H

#include "tx_codec.h"

#include <stddef.h>

#define TX_FUZZ_MAX_KINDS 64

/* Fills out with every kind that has a payload type, ascending; returns how many. */
static inline size_t
tx_fuzz_kinds(int out[TX_FUZZ_MAX_KINDS])
{
    size_t n = 0;

    for (int k = 1; k < 256 && n < TX_FUZZ_MAX_KINDS; k++) {
        if (tx_kind_payload_type(k) != NULL) {
            out[n++] = k;
        }
    }
    return n;
}

#endif

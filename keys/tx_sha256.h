/* SHA-256 (FIPS 180-4) for record ids and the Merkle log. On x86-64 processors with the SHA
 * extensions the compression runs on them (about eight times faster than libsodium's portable
 * code on a 3 KB envelope, which the hub hashes twice per record); elsewhere, or when the
 * environment sets TICSX_SHA256=portable, libsodium does the work. Both give the same digests
 * (tests/test_sha256.c compares them on every length up to several blocks). */
#ifndef TX_SHA256_H
#define TX_SHA256_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int ni; /* the SHA extensions do the work (fixed at init) */
    union {
        crypto_hash_sha256_state sodium;
        struct {
            uint32_t h[8];
            uint64_t bytes;
            uint8_t buf[64];
            size_t used;
        } ni;
    } u;
} tx_sha256_state;

void tx_sha256_init(tx_sha256_state *st);
void tx_sha256_update(tx_sha256_state *st, const uint8_t *in, size_t len);
/* The same as tx_sha256_update(a, in, len) then tx_sha256_update(b, in, len), for two states
 * that may have taken different bytes before: with the SHA extensions the two states' blocks
 * are compressed side by side, for about the time of one. */
void tx_sha256_update_two(tx_sha256_state *a, tx_sha256_state *b, const uint8_t *in, size_t len);
void tx_sha256_final(tx_sha256_state *st, uint8_t out[32]);
void tx_sha256(uint8_t out[32], const uint8_t *in, size_t len);

/* "sha-ni" or "portable": what this process uses. */
const char *tx_sha256_impl(void);

#endif

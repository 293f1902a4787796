/* SHA-256 with the x86 SHA extensions where the processor has them. The compression below
 * follows the instruction set reference: the eight state words travel as two vectors, ABEF and
 * CDGH; SHA256RNDS2 does two rounds from the low half of (W + K), SHA256MSG1/MSG2 extend the
 * message schedule four words at a time. Padding and length handling are FIPS 180-4 5.1.1. */
#include "tx_sha256.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TX_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t sha256_iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

#ifdef TX_SHA_NI
static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define TX_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* h = A B C D | E F G H (lane 0 first) -> ABEF = (F, E, B, A), CDGH = (H, G, D, C). */
TX_SHA_TARGET static inline void
state_load(const uint32_t h[8], __m128i *abef, __m128i *cdgh)
{
    const __m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1);
    const __m128i c = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B);

    *abef = _mm_alignr_epi8(t, c, 8);
    *cdgh = _mm_blend_epi16(c, t, 0xF0);
}

/* Back to A B C D | E F G H. */
TX_SHA_TARGET static inline void
state_store(uint32_t h[8], __m128i abef, __m128i cdgh)
{
    const __m128i t = _mm_shuffle_epi32(abef, 0x1B);

    cdgh = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(t, cdgh, 0xF0));
    _mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh, t, 8));
}

/* The message schedule of one block: W + K, four words a vector. */
TX_SHA_TARGET static inline void
schedule(__m128i wk[16], const uint8_t *in)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i w[16], t;

    for (int i = 0; i < 4; i++) {
        w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(in + 16 * i)), bswap);
    }
    /* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at a time. */
    for (int i = 4; i < 16; i++) {
        t = _mm_sha256msg1_epu32(w[i - 4], w[i - 3]);
        t = _mm_add_epi32(t, _mm_alignr_epi8(w[i - 1], w[i - 2], 4));
        w[i] = _mm_sha256msg2_epu32(t, w[i - 1]);
    }
    for (int i = 0; i < 16; i++) {
        wk[i] = _mm_add_epi32(w[i], _mm_loadu_si128((const __m128i *)&sha256_k[4 * i]));
    }
}

/* Four rounds from wk. Two rounds turn the old ABEF into the new CDGH, so each call writes the
 * register the other one reads as CDGH; after both, the names are right again. */
TX_SHA_TARGET static inline void
rounds4(__m128i *abef, __m128i *cdgh, __m128i wk)
{
    *cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, wk);
    *abef = _mm_sha256rnds2_epu32(*abef, *cdgh, _mm_shuffle_epi32(wk, 0x0E));
}

/* Compresses n 64-byte blocks into h. */
TX_SHA_TARGET static void
compress_ni(uint32_t h[8], const uint8_t *in, size_t n)
{
    __m128i abef, cdgh;

    state_load(h, &abef, &cdgh);
    for (; n > 0; n--, in += 64) {
        const __m128i abef0 = abef, cdgh0 = cdgh;
        __m128i wk[16];

        schedule(wk, in);
        for (int i = 0; i < 16; i++) {
            rounds4(&abef, &cdgh, wk[i]);
        }
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }
    state_store(h, abef, cdgh);
}

/* Compresses n blocks from a into ha and n blocks from b into hb, the two chains' rounds
 * interleaved: each SHA256RNDS2 waits for the one before it in its own chain, so a second,
 * independent chain fills those waits (on processors where the instruction's latency is
 * longer than its throughput, two chains cost little more than one). */
TX_SHA_TARGET static void
compress_ni2(uint32_t ha[8], const uint8_t *a, uint32_t hb[8], const uint8_t *b, size_t n)
{
    __m128i abef_a, cdgh_a, abef_b, cdgh_b;

    state_load(ha, &abef_a, &cdgh_a);
    state_load(hb, &abef_b, &cdgh_b);
    for (; n > 0; n--, a += 64, b += 64) {
        const __m128i abef_a0 = abef_a, cdgh_a0 = cdgh_a, abef_b0 = abef_b, cdgh_b0 = cdgh_b;
        __m128i wa[16], wb[16];

        schedule(wa, a);
        schedule(wb, b);
        for (int i = 0; i < 16; i++) {
            rounds4(&abef_a, &cdgh_a, wa[i]);
            rounds4(&abef_b, &cdgh_b, wb[i]);
        }
        abef_a = _mm_add_epi32(abef_a, abef_a0);
        cdgh_a = _mm_add_epi32(cdgh_a, cdgh_a0);
        abef_b = _mm_add_epi32(abef_b, abef_b0);
        cdgh_b = _mm_add_epi32(cdgh_b, cdgh_b0);
    }
    state_store(ha, abef_a, cdgh_a);
    state_store(hb, abef_b, cdgh_b);
}

static int
detect(void)
{
    const char *force = getenv("TICSX_SHA256");
    unsigned a, b, c, d;

    if (force != NULL && strcmp(force, "portable") == 0) {
        return 0;
    }
    /* CPUID leaf 1: ECX bit 9 SSSE3, bit 19 SSE4.1; leaf 7: EBX bit 29 SHA. */
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19))) {
        return 0;
    }
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)) != 0;
}
#endif

/* Decided once per process; threads that race here compute the same answer. */
static int
use_ni(void)
{
#ifdef TX_SHA_NI
    static atomic_int known = -1;
    int v = atomic_load_explicit(&known, memory_order_relaxed);

    if (v < 0) {
        v = detect();
        atomic_store_explicit(&known, v, memory_order_relaxed);
    }
    return v;
#else
    return 0;
#endif
}

const char *
tx_sha256_impl(void)
{
    return use_ni() ? "sha-ni" : "portable";
}

void
tx_sha256_init(tx_sha256_state *st)
{
    memset(st, 0, sizeof *st);
    st->ni = use_ni();
    if (!st->ni) {
        crypto_hash_sha256_init(&st->u.sodium);
        return;
    }
    memcpy(st->u.ni.h, sha256_iv, sizeof sha256_iv);
}

void
tx_sha256_update(tx_sha256_state *st, const uint8_t *in, size_t len)
{
    if (!st->ni) {
        crypto_hash_sha256_update(&st->u.sodium, in, len);
        return;
    }
#ifdef TX_SHA_NI
    st->u.ni.bytes += len;
    if (st->u.ni.used > 0) {
        size_t take = 64 - st->u.ni.used < len ? 64 - st->u.ni.used : len;

        memcpy(st->u.ni.buf + st->u.ni.used, in, take);
        st->u.ni.used += take;
        in += take;
        len -= take;
        if (st->u.ni.used < 64) {
            return;
        }
        compress_ni(st->u.ni.h, st->u.ni.buf, 1);
        st->u.ni.used = 0;
    }
    if (len >= 64) {
        compress_ni(st->u.ni.h, in, len / 64);
        in += len & ~(size_t)63;
        len &= 63;
    }
    if (len > 0) {
        memcpy(st->u.ni.buf, in, len);
        st->u.ni.used = len;
    }
#endif
}

void
tx_sha256_update_two(tx_sha256_state *a, tx_sha256_state *b, const uint8_t *in, size_t len)
{
#ifdef TX_SHA_NI
    /* Bytes each state takes to empty its block buffer; the full blocks after them go through
     * the two chains together. */
    size_t ta = a->ni && a->u.ni.used > 0 ? 64 - a->u.ni.used : 0;
    size_t tb = b->ni && b->u.ni.used > 0 ? 64 - b->u.ni.used : 0;
    size_t n;

    if (a->ni && b->ni && len >= ta + 64 && len >= tb + 64) {
        tx_sha256_update(a, in, ta);
        tx_sha256_update(b, in, tb);
        n = (len - (ta > tb ? ta : tb)) / 64;
        compress_ni2(a->u.ni.h, in + ta, b->u.ni.h, in + tb, n);
        a->u.ni.bytes += 64 * n;
        b->u.ni.bytes += 64 * n;
        tx_sha256_update(a, in + ta + 64 * n, len - ta - 64 * n);
        tx_sha256_update(b, in + tb + 64 * n, len - tb - 64 * n);
        return;
    }
#endif
    tx_sha256_update(a, in, len);
    tx_sha256_update(b, in, len);
}

void
tx_sha256_final(tx_sha256_state *st, uint8_t out[32])
{
    if (!st->ni) {
        crypto_hash_sha256_final(&st->u.sodium, out);
        return;
    }
#ifdef TX_SHA_NI
    {
        uint64_t bits = st->u.ni.bytes * 8;
        uint8_t *b = st->u.ni.buf;

        /* 0x80, zeros to 56 mod 64, then the bit length big-endian. */
        b[st->u.ni.used++] = 0x80;
        if (st->u.ni.used > 56) {
            memset(b + st->u.ni.used, 0, 64 - st->u.ni.used);
            compress_ni(st->u.ni.h, b, 1);
            st->u.ni.used = 0;
        }
        memset(b + st->u.ni.used, 0, 56 - st->u.ni.used);
        for (int i = 0; i < 8; i++) {
            b[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
        }
        compress_ni(st->u.ni.h, b, 1);
        for (int i = 0; i < 8; i++) {
            out[4 * i] = (uint8_t)(st->u.ni.h[i] >> 24);
            out[4 * i + 1] = (uint8_t)(st->u.ni.h[i] >> 16);
            out[4 * i + 2] = (uint8_t)(st->u.ni.h[i] >> 8);
            out[4 * i + 3] = (uint8_t)st->u.ni.h[i];
        }
    }
#endif
    sodium_memzero(st, sizeof *st);
}

void
tx_sha256(uint8_t out[32], const uint8_t *in, size_t len)
{
    tx_sha256_state st;

    tx_sha256_init(&st);
    tx_sha256_update(&st, in, len);
    tx_sha256_final(&st, out);
}

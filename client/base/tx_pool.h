/* A parallel loop for independent, CPU-bound steps (signature checks, decryption): the calling
 * thread and up to one helper thread per online CPU take indices from a shared counter until
 * all are done. Results land in caller-owned slots by index, so output order never depends on
 * scheduling. libsodium is thread-safe once sodium_init has run. */
#ifndef TX_POOL_H
#define TX_POOL_H

#include <stddef.h>

/* Calls fn(ctx, i) once for every i in [0, n), on several threads, and returns when all calls
 * have returned. fn must not touch state shared between indices without its own locking; a
 * tx_fail message set inside fn stays on the thread that set it. Falls back to the calling
 * thread alone when threads cannot be started or n is small. */
void tx_pool_for(size_t n, void (*fn)(void *ctx, size_t i), void *ctx);

/* Threads tx_pool_for uses at most: online CPUs, or $TICSX_THREADS (1..64) when set. */
unsigned tx_pool_threads(void);

#endif

/* Parallel loop over independent indices. */
#include "tx_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_THREADS 64
#define GRAIN 8 /* indices taken at once: few counter bumps, still balanced */

typedef struct {
    void (*fn)(void *ctx, size_t i);
    void *ctx;
    size_t n;
    atomic_size_t next;
} loop;

static void *
run(void *arg)
{
    loop *l = arg;

    for (;;) {
        size_t i = atomic_fetch_add(&l->next, GRAIN);
        if (i >= l->n) {
            return NULL;
        }
        size_t end = l->n - i < GRAIN ? l->n : i + GRAIN;
        for (; i < end; i++) {
            l->fn(l->ctx, i);
        }
    }
}

unsigned
tx_pool_threads(void)
{
    const char *env = getenv("TICSX_THREADS");
    long n = 0;

    if (env != NULL && *env != 0) {
        n = strtol(env, NULL, 10);
    }
    if (n <= 0) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
    }
    if (n < 1) {
        n = 1;
    }
    return n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

void
tx_pool_for(size_t n, void (*fn)(void *ctx, size_t i), void *ctx)
{
    pthread_t tid[MAX_THREADS];
    unsigned want = tx_pool_threads(), started = 0;
    loop l = {fn, ctx, n, 0};

    if (n <= GRAIN) {
        want = 1;
    } else if ((n + GRAIN - 1) / GRAIN < want) {
        want = (unsigned)((n + GRAIN - 1) / GRAIN);
    }
    for (unsigned t = 1; t < want; t++) {
        if (pthread_create(&tid[started], NULL, run, &l) != 0) {
            break; /* the threads that started, and this one, do the rest */
        }
        started++;
    }
    run(&l);
    for (unsigned t = 0; t < started; t++) {
        pthread_join(tid[t], NULL);
    }
}

/* Unit test of common/tx_malloc: after tx_malloc_setup a new thread's malloc arena is usable in
 * full at once, not grown page by page. Its own program: the settings are process-wide. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tx_malloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_RESERVED (64ul << 20) /* glibc's HEAP_MAX_SIZE on 64-bit */

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    void *block;   /* a small block the thread allocated in its own arena */
    int allocated; /* set by the thread */
    int release;   /* set by the test: the thread frees its block and ends */
} holder;

/* Allocates, then holds its arena until released, so that the next thread gets a new arena
 * instead of this one from glibc's free list. */
static void *
hold(void *arg)
{
    holder *h = arg;

    pthread_mutex_lock(&h->lock);
    h->block = malloc(64);
    h->allocated = 1;
    pthread_cond_broadcast(&h->cond);
    while (!h->release) {
        pthread_cond_wait(&h->cond, &h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    free(h->block);
    return NULL;
}

static void
start(holder *h, pthread_t *tid)
{
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->cond, NULL);
    assert_int_equal(pthread_create(tid, NULL, hold, h), 0);
    pthread_mutex_lock(&h->lock);
    while (!h->allocated) {
        pthread_cond_wait(&h->cond, &h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    assert_non_null(h->block);
}

static void
stop(holder *h, pthread_t tid)
{
    pthread_mutex_lock(&h->lock);
    h->release = 1;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
    pthread_join(tid, NULL);
    pthread_cond_destroy(&h->cond);
    pthread_mutex_destroy(&h->lock);
}

/* The readable and writable mapping holding p (/proc/self/maps): its start and size; 0 when
 * p is in none. */
static size_t
usable_at(const void *p, unsigned long *from)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512], perms[8];
    unsigned long lo, hi;
    size_t size = 0;

    assert_non_null(f);
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && (uintptr_t)p >= lo &&
            (uintptr_t)p < hi && strncmp(perms, "rw", 2) == 0) {
            *from = lo;
            size = hi - lo;
        }
    }
    fclose(f);
    return size;
}

static int
under_valgrind(void)
{
    const char *pre = getenv("LD_PRELOAD");
    return pre != NULL && strstr(pre, "vgpreload") != NULL;
}

static void
test_arena_usable_at_once(void **state)
{
    holder before, after;
    pthread_t t1, t2;
    unsigned long at1 = 0, at2 = 0;
    size_t size1, size2;

    (void)state;
/* TX_SANITIZE: the sanitizer build (gcc names ASan __SANITIZE_ADDRESS__, clang does not). */
#if defined(TX_SANITIZE) || defined(__SANITIZE_ADDRESS__) || !defined(__GLIBC__)
    skip(); /* another allocator serves the process: nothing to set */
#endif
    if (under_valgrind()) {
        skip(); /* valgrind's malloc accepts the settings and ignores them */
    }
    /* Without the settings a new arena's heap is usable only in a small part (glibc's 32 KiB
     * minimum and 128 KiB pad): this shows the check below can tell the two apart. */
    start(&before, &t1);
    size1 = usable_at(before.block, &at1);
    assert_true(size1 > 0);
    assert_true(size1 < ARENA_RESERVED / 4);

    assert_int_equal(tx_malloc_setup(), 1);
    start(&after, &t2);
    size2 = usable_at(after.block, &at2);
    assert_true(at2 != at1);
    assert_true(size2 >= ARENA_RESERVED);

    stop(&after, t2);
    stop(&before, t1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_usable_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* glibc malloc settings for the read side's programs: the fetch's threads allocate in
 * per-thread arenas, which glibc made usable one page at a time (one mprotect per page). */
#include "tx_malloc.h"

#include <stdlib.h> /* defines __GLIBC__ under glibc */
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* glibc reserves each per-thread arena's heap as 64 MiB of address space (HEAP_MAX_SIZE on
 * 64-bit) and makes it usable with mprotect as the arena grows, by exactly what a request
 * needs: one system call per page, about 10 000 in a fetch of 3 000 suppliers. A new heap is
 * made usable at its start with M_TOP_PAD bytes beyond the request, so a pad of the whole
 * reservation makes it usable in one call. Usable is not touched: pages are still faulted in
 * only when written (peak resident memory 1-3 MB higher at 3 000 suppliers). The same pad makes the
 * main arena's brk grow 64 MiB ahead instead of 128 KiB, and keeps up to that much freed memory at
 * an arena's top instead of giving it back (malloc_trim(0) gives back the main arena's).
 * Setting it also stops glibc from raising its mmap threshold as large blocks are freed
 * (blocks of 128 KiB and more are then always mapped afresh): the fetch makes few (mmap calls
 * 263 before, 256 after). M_ARENA_MAX is left at glibc's default: fewer arenas make the
 * fetch's threads wait on one another's lock (futex calls 300 before, 1 000 to 8 500 with one
 * or two arenas, and no smaller peak). */
#define TOP_PAD (64u << 20)

int
tx_malloc_setup(void)
{
#ifdef __GLIBC__
    return mallopt(M_TOP_PAD, (int)TOP_PAD) == 1;
#else
    return 0;
#endif
}

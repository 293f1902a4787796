/* How glibc's malloc serves the programs whose work is the buyer's read side (`ticsx`, and
 * ticsx-bench, whose read side runs the client library in its own process). */
#ifndef TX_MALLOC_H
#define TX_MALLOC_H

/* Sets the process's malloc behaviour once, at the start of main, before any thread starts.
 * Returns 1 when the allocator accepted the settings (glibc's; valgrind's accepts and ignores
 * them), 0 when it did not (another libc, AddressSanitizer's), which is then left as it is. */
int tx_malloc_setup(void);

#endif

/* The hub's own files read before anything trusts them: data.mdb's meta pages
 * (tx_store_file_check) and checkpoint.signed (tx_signed_read). The input is written as both
 * into one scratch directory; neither may crash, read past it or leak. */
#include "tx_error.h"
#include "tx_store_file.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/fuzz_hubfile-XXXXXX";
static int made;

static void
put(const char *name, const uint8_t *data, size_t size)
{
    char path[sizeof dir + 32];
    int fd;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        abort();
    }
    if (size > 0 && write(fd, data, size) != (ssize_t)size) {
        abort();
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[512];
    uint8_t root[32];
    uint64_t n;

    if (!made) {
        if (mkdtemp(dir) == NULL) {
            abort();
        }
        made = 1;
    }
    put("data.mdb", data, size);
    put(TX_SIGNED_FILE, data, size);
    (void)tx_store_file_check(dir, why, sizeof why);
    (void)tx_signed_read(dir, &n, root);
    return 0;
}

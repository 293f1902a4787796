/* The hub's own files read before anything trusts them: data.mdb's meta pages
 * (tx_store_file_check), checkpoint.signed (tx_signed_read) and hub.ini (tx_config_read). The
 * input is written as each into one scratch directory; none may crash, read past it or leak. */
#include "tx_error.h"
#include "tx_hub_config.h"
#include "tx_msg.h"
#include "tx_store_file.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Takes what ticsx-hub's option table would: a value is refused when it is empty or when the
 * key is "bad", as a bad value is, so both of tx_config_read's paths run. */
static int
on_setting(void *ctx, const char *section, const char *key, const char *value, int line)
{
    size_t *seen = ctx;

    *seen += strlen(section) + strlen(key) + strlen(value) + (size_t)(line > 0);
    if (value[0] == 0 || strcmp(key, "bad") == 0) {
        return tx_fail(TX_ERR_USAGE, "takes %s", "a value");
    }
    return TX_OK;
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
    put("hub.ini", data, size);
    {
        char ini[sizeof dir + 16];
        size_t seen = 0;
        snprintf(ini, sizeof ini, "%s/hub.ini", dir);
        (void)tx_config_read(ini, on_setting, &seen);
    }
    return 0;
}

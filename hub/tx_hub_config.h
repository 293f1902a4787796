/* The hub's configuration file (hub.ini): an INI file read with inih, refused when group or
 * others may write it, every failure named by file, line and key. What the keys mean is the
 * caller's (ticsx-hub's option table); this module only reads the file safely. */
#ifndef TX_HUB_CONFIG_H
#define TX_HUB_CONFIG_H

#include <stddef.h>

/* The largest configuration file read; a longer one is refused (TX_ERR_TOO_LARGE). */
#define TX_CONFIG_MAX (64 * 1024)

/* Called for each `key = value` line, in file order, with the section it is under ("" before
 * any). Returns TX_OK, or a code whose tx_fail() detail says what is wrong with the value
 * ("takes a number of MiB (1 to 16777216)"). The strings are borrowed for the call only. */
typedef int (*tx_config_fn)(void *ctx, const char *section, const char *key, const char *value,
                            int line);

/* Reads the INI file at `path` and calls fn for each of its settings. TX_OK when every line
 * parsed and fn took every setting. Otherwise a code with a tx_fail() detail that begins with
 * "PATH:" (and ":LINE: [section] key" for a line): TX_ERR_NOT_FOUND (no such file),
 * TX_ERR_PERM (group or others may write it, or it is not a regular file), TX_ERR_TOO_LARGE
 * (over TX_CONFIG_MAX, or a line too long), TX_ERR_MALFORMED (a line that is not a section, a
 * setting or a comment, or a NUL byte), fn's code when it refused a value, TX_ERR_IO. */
int tx_config_read(const char *path, tx_config_fn fn, void *ctx);

#endif

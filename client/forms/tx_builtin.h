/* Built-in questionnaires: JSON files embedded into the binary at build time by
 * cmake/embed.cmake (generated tx_builtin_data.c in the build tree). */
#ifndef TX_BUILTIN_H
#define TX_BUILTIN_H

#include <stddef.h>

typedef struct {
    const char *name;
    const unsigned char *data;
    size_t len;
} tx_builtin;

extern const tx_builtin tx_builtins[];
extern const size_t tx_builtin_count;

#endif

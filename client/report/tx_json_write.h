/* JSON written straight to a FILE, byte for byte as jansson's json_dumps writes the same value
 * (so `report --json` can print what it never builds as a json_t), and json_t values written
 * without json_dumps' intermediate string. The FILE is written without taking its lock
 * (fwrite_unlocked): only the calling thread may use it meanwhile. */
#ifndef TX_JSON_WRITE_H
#define TX_JSON_WRITE_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* Writes `s` as a JSON string as json_dumps does without JSON_ENSURE_ASCII and
 * JSON_ESCAPE_SLASH: '"', '\\' and control characters escaped (\b \f \n \r \t, else \u00XX),
 * everything else as it is. TX_ERR_BAD_UTF8 (nothing written) when `s` is not UTF-8, as
 * json_string refuses it. */
int tx_json_write_string(FILE *f, const char *s);

/* Writes `i` as json_dumps writes a json_integer. */
void tx_json_write_int(FILE *f, int64_t i);

/* Writes `v` as json_dumps(v, flags | JSON_ENCODE_ANY) does, for flags made of JSON_INDENT(n),
 * JSON_PRESERVE_ORDER (members are in their order either way) and JSON_REAL_PRECISION(p);
 * with JSON_INDENT(n) the lines inside `v` are indented as if `v` were `depth` levels deep
 * (n * depth more spaces). TX_ERR_BAD_UTF8 as tx_json_write_string; TX_ERR_INTERNAL for a
 * NULL `v`. */
int tx_json_write_value(FILE *f, const json_t *v, size_t flags, int depth);

#endif

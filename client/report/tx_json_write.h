/* JSON written straight to a FILE, byte for byte as jansson's json_dumps writes the same value
 * (so `report --json` can print what it never builds as a json_t), and json_t values written
 * without json_dumps' intermediate string. The bytes gather in the writer's own buffer
 * (tx_jw) and go to the FILE a buffer at a time, not one stdio call per piece; the FILE is
 * written without taking its lock (fwrite_unlocked): only the calling thread may use it
 * meanwhile. */
#ifndef TX_JSON_WRITE_H
#define TX_JSON_WRITE_H

#include "tx_emit.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define TX_JW_BUF 65536

/* A writer: bytes for `f`, held in `buf` until it is full or tx_jw_flush. */
typedef struct {
    FILE *f;
    size_t n;   /* bytes in buf */
    int failed; /* a write to f fell short */
    char buf[TX_JW_BUF];
} tx_jw;

/* A writer to `f`, its buffer empty. */
void tx_jw_init(tx_jw *w, FILE *f);

/* Writes what the buffer holds to the FILE. TX_ERR_IO when any write to it fell short. */
int tx_jw_flush(tx_jw *w);

/* Writes the buffer out, then `s` when it does not fit in the buffer either (tx_jw_put's slow
 * path). */
void tx_jw_spill(tx_jw *w, const char *s, size_t n);

/* Appends n bytes of s. */
static inline void
tx_jw_put(tx_jw *w, const char *s, size_t n)
{
    if (n > sizeof w->buf - w->n) {
        tx_jw_spill(w, s, n);
        return;
    }
    memcpy(w->buf + w->n, s, n);
    w->n += n;
}

static inline void
tx_jw_puts(tx_jw *w, const char *s)
{
    tx_jw_put(w, s, strlen(s));
}

static inline void
tx_jw_putc(tx_jw *w, char c)
{
    if (w->n == sizeof w->buf) {
        tx_jw_spill(w, &c, 1);
        return;
    }
    w->buf[w->n++] = c;
}

/* Writes `s` as a JSON string as json_dumps does without JSON_ENSURE_ASCII and
 * JSON_ESCAPE_SLASH: '"', '\\' and control characters escaped (\b \f \n \r \t, else \u00XX),
 * everything else as it is. TX_ERR_BAD_UTF8 (nothing written) when `s` is not UTF-8, as
 * json_string refuses it. */
int tx_json_write_string(tx_jw *w, const char *s);

/* Writes `i` as json_dumps writes a json_integer. */
void tx_json_write_int(tx_jw *w, int64_t i);

/* Writes `v` as json_dumps(v, flags | JSON_ENCODE_ANY) does, for flags made of JSON_INDENT(n),
 * JSON_PRESERVE_ORDER (members are in their order either way) and JSON_REAL_PRECISION(p);
 * with JSON_INDENT(n) the lines inside `v` are indented as if `v` were `depth` levels deep
 * (n * depth more spaces). TX_ERR_BAD_UTF8 as tx_json_write_string; TX_ERR_INTERNAL for a
 * NULL `v`. */
int tx_json_write_value(tx_jw *w, const json_t *v, size_t flags, int depth);

/* The writer's back end of a described value (tx_emit.h): the members of an object whose '{'
 * the caller has written (and writes the '}' of), each on its own line (",\n", then 2 spaces
 * per `depth`, as the report's rows are written), their values on one line as
 * tx_json_write_value(w, v, flags, 0) writes them. A member whose tx_emit_json value is NULL is
 * left out, as json_object_set_new leaves it out. */
typedef struct {
    tx_emit e;
    tx_jw *w;
    size_t flags;
    int depth;
    int level;                /* containers open inside the object: 0 = its members */
    int first[TX_EMIT_DEPTH]; /* nothing written yet at that level */
    int is_array[TX_EMIT_DEPTH];
    const char *key; /* the next member's name */
} tx_jw_emit;

void tx_jw_emit_init(tx_jw_emit *je, tx_jw *w, int depth, size_t flags);

#endif

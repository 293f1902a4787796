/* One description of a JSON value run against either of two back ends: the builder below makes
 * the json_t (documents, renderers, the web UI, the policy), the report's writer
 * (tx_json_write.h, tx_jw_emit) writes its text straight out. A describer calls tx_emit_key
 * before each member of an object and one value function (or a tx_emit_object / tx_emit_array
 * ... tx_emit_end pair) per value; the back end keeps the first failure in `rc`. */
#ifndef TX_EMIT_H
#define TX_EMIT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define TX_EMIT_DEPTH 8 /* containers open at once (a report row needs 3) */

typedef struct tx_emit tx_emit;

typedef struct {
    void (*open)(tx_emit *e, int array); /* an object (array 0) or an array */
    void (*close)(tx_emit *e);
    void (*key)(tx_emit *e, const char *key); /* our own member names: not escaped */
    void (*string)(tx_emit *e, const char *s);
    void (*integer)(tx_emit *e, int64_t i);
    void (*real)(tx_emit *e, double d);
    void (*boolean)(tx_emit *e, int b);
    void (*null)(tx_emit *e);
    void (*json)(tx_emit *e, json_t *v); /* takes v; NULL (not made): the member is left out */
} tx_emit_ops;

struct tx_emit {
    const tx_emit_ops *ops;
    int rc; /* TX_OK, else the first failure: TX_ERR_BAD_UTF8 (a string), TX_ERR_NOMEM,
             * TX_ERR_INTERNAL (too deep, a value without its key) */
};

static inline void
tx_emit_object(tx_emit *e)
{
    e->ops->open(e, 0);
}

static inline void
tx_emit_array(tx_emit *e)
{
    e->ops->open(e, 1);
}

static inline void
tx_emit_end(tx_emit *e)
{
    e->ops->close(e);
}

static inline void
tx_emit_key(tx_emit *e, const char *key)
{
    e->ops->key(e, key);
}

/* Writes s, or null when s is NULL. */
static inline void
tx_emit_string(tx_emit *e, const char *s)
{
    if (s == NULL) {
        e->ops->null(e);
    } else {
        e->ops->string(e, s);
    }
}

static inline void
tx_emit_int(tx_emit *e, int64_t i)
{
    e->ops->integer(e, i);
}

static inline void
tx_emit_real(tx_emit *e, double d)
{
    e->ops->real(e, d);
}

static inline void
tx_emit_bool(tx_emit *e, int b)
{
    e->ops->boolean(e, b);
}

static inline void
tx_emit_null(tx_emit *e)
{
    e->ops->null(e);
}

/* A value made as a json_t (a rare member, made by its own maker): taken. */
static inline void
tx_emit_json(tx_emit *e, json_t *v)
{
    e->ops->json(e, v);
}

/* b[0..len) as lowercase hex (tx_json_hex), len at most 32. */
void tx_emit_hex(tx_emit *e, const uint8_t *b, size_t len);

/* The date of t as "YYYY-MM-DD", null when t is 0 (tx_json_date). */
void tx_emit_date(tx_emit *e, int64_t t);

/* The builder: what is described goes into the object `into` (borrowed). */
typedef struct {
    tx_emit e;
    json_t *open[TX_EMIT_DEPTH]; /* open[0] = into */
    int depth;                   /* index of the innermost open container */
    const char *key;             /* the next member's name */
} tx_emit_builder;

void tx_emit_build(tx_emit_builder *b, json_t *into);

#endif

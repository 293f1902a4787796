/* The json_t back end of a described value (tx_emit.h), and what both back ends share. */
#include "tx_emit.h"

#include "tx_error.h"
#include "tx_util.h"

void
tx_emit_hex(tx_emit *e, const uint8_t *b, size_t len)
{
    char hex[2 * 32 + 1];

    if (len > 32) {
        e->rc = e->rc != TX_OK ? e->rc : TX_ERR_INTERNAL;
        return;
    }
    tx_hex(hex, b, len);
    e->ops->string(e, hex);
}

void
tx_emit_date(tx_emit *e, int64_t t)
{
    char d[16];

    if (t == 0) {
        e->ops->null(e);
        return;
    }
    tx_format_date(d, sizeof d, t);
    e->ops->string(e, d);
}

static void
fail(tx_emit *e, int rc)
{
    if (e->rc == TX_OK) {
        e->rc = rc;
    }
}

/* The innermost open container: NULL under one that could not be made (or too deep), where
 * every value is dropped (the failure is already in rc). */
static json_t *
innermost(const tx_emit_builder *b)
{
    return b->depth < TX_EMIT_DEPTH ? b->open[b->depth] : NULL;
}

/* Puts v (taken) into the innermost open container; `made_rc` is the failure when v is NULL.
 * 0 when it is there. */
static int
add(tx_emit_builder *b, json_t *v, int made_rc)
{
    json_t *to = innermost(b);
    const char *key = b->key;
    int set;

    b->key = NULL;
    if (v == NULL) {
        fail(&b->e, made_rc);
        return -1;
    }
    if (json_is_array(to)) {
        set = json_array_append_new(to, v);
    } else if (key != NULL) {
        set = json_object_set_new_nocheck(to, key, v); /* releases v when it fails */
    } else {
        json_decref(v);
        set = -1;
        made_rc = TX_ERR_INTERNAL;
    }
    if (set != 0) {
        fail(&b->e, to != NULL ? made_rc : TX_ERR_NOMEM);
    }
    return set;
}

static void
b_open(tx_emit *e, int array)
{
    tx_emit_builder *b = (tx_emit_builder *)e;
    json_t *c = array ? json_array() : json_object();

    /* The container is pushed even when it could not be made, so that its tx_emit_end
     * matches. */
    if (add(b, c, TX_ERR_NOMEM) != 0) {
        c = NULL;
    }
    if (++b->depth < TX_EMIT_DEPTH) {
        b->open[b->depth] = c;
    } else {
        fail(e, TX_ERR_INTERNAL);
    }
}

static void
b_close(tx_emit *e)
{
    tx_emit_builder *b = (tx_emit_builder *)e;

    if (b->depth > 0) {
        b->depth--;
    }
}

static void
b_key(tx_emit *e, const char *key)
{
    ((tx_emit_builder *)e)->key = key;
}

static void
b_string(tx_emit *e, const char *s)
{
    (void)add((tx_emit_builder *)e, json_string(s), TX_ERR_BAD_UTF8);
}

static void
b_integer(tx_emit *e, int64_t i)
{
    (void)add((tx_emit_builder *)e, json_integer((json_int_t)i), TX_ERR_NOMEM);
}

static void
b_real(tx_emit *e, double d)
{
    (void)add((tx_emit_builder *)e, json_real(d), TX_ERR_NOMEM);
}

static void
b_boolean(tx_emit *e, int v)
{
    (void)add((tx_emit_builder *)e, json_boolean(v), TX_ERR_NOMEM);
}

static void
b_null(tx_emit *e)
{
    (void)add((tx_emit_builder *)e, json_null(), TX_ERR_NOMEM);
}

static void
b_json(tx_emit *e, json_t *v)
{
    tx_emit_builder *b = (tx_emit_builder *)e;

    if (v == NULL) {
        b->key = NULL; /* left out, as json_object_set_new leaves out a value not made */
        return;
    }
    (void)add(b, v, TX_ERR_NOMEM);
}

static const tx_emit_ops builder_ops = {b_open, b_close,   b_key,  b_string, b_integer,
                                        b_real, b_boolean, b_null, b_json};

void
tx_emit_build(tx_emit_builder *b, json_t *into)
{
    b->e.ops = &builder_ops;
    b->e.rc = into != NULL ? TX_OK : TX_ERR_NOMEM;
    b->open[0] = into;
    b->depth = 0;
    b->key = NULL;
}

/* One pass over the home's cache, opening only the records of the kinds (and signer) asked for
 * and handing each on with its proof marker's log index. */
#include "tx_cache_scan.h"

#include "tx_codec.h"
#include "tx_error.h"
#include "tx_kinds.h"
#include "tx_msg.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    tx_cache_want want;
    void *ctx;
} scan_want;

/* The kind and signer come from the envelope alone (the cache's bytes, not yet checked: the
 * decoder is size-limited); the record's kind is its tag. */
static int
want_kind(void *arg, const uint8_t *bytes, size_t len)
{
    const scan_want *w = arg;
    tx_envelope_pb *env = NULL;
    int kind = TX_KIND_NONE;

    if (tx_decode_envelope(bytes, len, &env) == TX_OK) {
        kind = tx_kind_from_payload_type(env->payload_type);
        if (kind != TX_KIND_NONE &&
            (env->signer_key.len != TX_KEY_LEN || !w->want(w->ctx, kind, env->signer_key.data))) {
            kind = TX_KIND_NONE;
        }
    }
    tx_free(env);
    return kind;
}

int
tx_cache_scan(tx_home *home, tx_cache_want want, tx_cache_fn fn, void *ctx)
{
    scan_want w = {want, ctx};
    tx_cache_pick *p = NULL;
    size_t n = 0;
    int rc;

    /* One read transaction; only the records wanted are hash-checked and opened. */
    if ((rc = tx_home_cache_pick(home, want_kind, &w, &p, &n)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        tx_rec rec = {0};

        if (rc != TX_OK) {
            free(p[i].env); /* a callback stopped the scan: the rest is only freed */
            continue;
        }
        if (tx_rec_open_known(&rec, p[i].env, p[i].len, p[i].tag, p[i].id) == TX_OK) {
            rc = fn(ctx, &rec, p[i].index);
        }
        tx_rec_clear(&rec); /* owns the bytes once given them, whether or not they opened */
    }
    free(p);
    if (rc == TX_OK) {
        tx_fail_clear();
    }
    return rc;
}

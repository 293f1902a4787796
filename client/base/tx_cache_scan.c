/* One pass over the home's cache, opening only the records of the kinds (and signer) asked for
 * and handing each on with its proof marker's log index. */
#include "tx_cache_scan.h"

#include "tx_codec.h"
#include "tx_error.h"
#include "tx_kinds.h"
#include "tx_msg.h"

#include <stdlib.h>
#include <string.h>

int
tx_cache_scan(tx_home *home, tx_cache_want want, tx_cache_fn fn, void *ctx)
{
    uint8_t(*ids)[TX_ID_LEN] = NULL;
    size_t n = 0;
    int rc;

    if ((rc = tx_home_cache_list(home, &ids, &n)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        uint8_t *bytes = NULL;
        size_t len = 0;
        tx_envelope_pb *env = NULL;
        tx_rec rec = {0};
        uint64_t index = 0, size = 0;
        int kind;

        /* The kind and signer come from the envelope alone; only wanted records are opened. */
        if (tx_home_cache_read(home, ids[i], &bytes, &len) != TX_OK ||
            tx_decode_envelope(bytes, len, &env) != TX_OK) {
            goto next;
        }
        kind = tx_kind_from_payload_type(env->payload_type);
        if (kind == TX_KIND_NONE || env->signer_key.len != TX_KEY_LEN ||
            !want(ctx, kind, env->signer_key.data)) {
            goto next;
        }
        rc = tx_rec_open_known(&rec, bytes, len, kind, ids[i]);
        bytes = NULL; /* owned by rec either way */
        if (rc != TX_OK) {
            rc = TX_OK;
            goto next;
        }
        if (tx_home_proof_get(home, ids[i], &index, &size) != TX_OK) {
            index = 0;
        }
        rc = fn(ctx, &rec, index);
    next:
        tx_rec_clear(&rec);
        tx_free(env);
        free(bytes);
    }
    free(ids);
    if (rc == TX_OK) {
        tx_fail_clear();
    }
    return rc;
}

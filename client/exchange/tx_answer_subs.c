/* The sub-suppliers a superseding answer drops. */
#include "tx_answer_subs.h"

#include "tx_error.h"
#include "tx_grant_state.h"
#include "tx_msg.h"
#include "tx_seal.h"
#include "tx_util.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

/* 1 when `old` is listed in subs: the same key when both carry one, else the same name. */
static int
still_listed(const tx_sub_supplier_pb *old, tx_sub_supplier_pb *const *subs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const tx_sub_supplier_pb *s = subs[i];
        if (old->key.len == TX_KEY_LEN && s->key.len == TX_KEY_LEN) {
            if (memcmp(old->key.data, s->key.data, TX_KEY_LEN) == 0) {
                return 1;
            }
        } else if (strcasecmp(old->name, s->name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Own assessment `old` from the hub's listing. */
static const tx_rec *
find_sealed(const tx_grant_state *st, const uint8_t old[TX_ID_LEN])
{
    for (size_t i = 0; i < st->l[TX_GS_ASSESSMENT].n; i++) {
        if (memcmp(st->l[TX_GS_ASSESSMENT].v[i].id, old, TX_ID_LEN) == 0) {
            return &st->l[TX_GS_ASSESSMENT].v[i];
        }
    }
    return NULL;
}

int
tx_answer_dropped_subs(tx_client *c, const uint8_t old[TX_ID_LEN], tx_sub_supplier_pb *const *subs,
                       size_t n, tx_answer_result *out)
{
    tx_grant_state st = {0};
    tx_assessment_pb *inner = NULL;
    const tx_rec *sealed;
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    int rc;

    out->n_dropped = 0;
    if (key == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((rc = tx_grant_state_load(c, &st)) != TX_OK) {
        goto out;
    }
    if ((sealed = find_sealed(&st, old)) == NULL) {
        rc = tx_fail(TX_ERR_NOT_FOUND, "the superseded assessment is not on the hub");
        goto out;
    }
    if ((rc = tx_grant_open_own(c, sealed, key, &inner)) != TX_OK) {
        goto out;
    }
    for (size_t i = 0; i < inner->n_suppliers; i++) {
        if (still_listed(inner->suppliers[i], subs, n)) {
            continue;
        }
        if (out->n_dropped < TX_ANSWER_DROPPED_MAX) {
            tx_utf8_copy(out->dropped[out->n_dropped], sizeof out->dropped[0],
                         inner->suppliers[i]->name);
        }
        out->n_dropped++;
    }
out:
    tx_free(inner);
    sodium_free(key);
    tx_grant_state_free(&st);
    return rc;
}

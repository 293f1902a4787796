/* What every flow looks up on the hub before it acts: the directory and the trust records. */
#include "tx_lookup.h"

#include "tx_error.h"
#include "tx_rpc.h"
#include "tx_util.h"

#include <string.h>

int
tx_orgs_fetch(tx_client *c, tx_orgs *out)
{
    int kind = TX_KIND_PROFILE;
    tx_recs recs = {0};
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = tx_rpc_list(c, 1, &kind, NULL, &recs)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < recs.n && rc == TX_OK; i++) {
        rc = tx_home_cache_put(tx_client_home(c), recs.v[i].bytes, recs.v[i].len, NULL);
    }
    if (rc == TX_OK && (rc = tx_orgs_add(out, &recs)) == TX_OK) {
        rc = tx_orgs_follow_hub(c, out);
    }
    tx_recs_clear(&recs);
    return rc;
}

int
tx_orgs_follow_hub(tx_client *c, tx_orgs *orgs)
{
    const int kinds[2] = {TX_KIND_KEY_SUCCESSOR, TX_KIND_KEY_REENROLMENT};
    tx_recs recs[2] = {{0}};
    int rc = tx_rpc_list(c, 2, kinds, NULL, recs);

    for (size_t k = 0; k < 2 && rc == TX_OK; k++) {
        for (size_t i = 0; i < recs[k].n && rc == TX_OK; i++) {
            rc = tx_home_cache_put(tx_client_home(c), recs[k].v[i].bytes, recs[k].v[i].len, NULL);
        }
    }
    for (size_t i = 0; i < recs[1].n && rc == TX_OK; i++) {
        rc = tx_recs_push(&recs[0], &recs[1].v[i]);
    }
    if (rc == TX_OK) {
        tx_orgs_follow(orgs, &recs[0], tx_now(), tx_client_home(c));
    }
    tx_recs_clear(&recs[0]);
    tx_recs_clear(&recs[1]);
    return rc;
}

int
tx_trust_set_from_hub(tx_client *c, tx_trust_set *ts)
{
    const int kinds[4] = {TX_KIND_ACCREDITATION, TX_KIND_CERTIFICATE, TX_KIND_CERT_EVENT,
                          TX_KIND_PROFILE};
    tx_recs l[4] = {{0}};
    int rc;

    if ((rc = tx_trust_set_load_pinned(tx_client_home(c), ts)) != TX_OK ||
        (rc = tx_rpc_list(c, 4, kinds, NULL, l)) != TX_OK) {
        goto out;
    }
    for (size_t k = 0; k < 4; k++) {
        for (size_t i = 0; i < l[k].n && rc == TX_OK; i++) {
            rc = tx_home_cache_put(tx_client_home(c), l[k].v[i].bytes, l[k].v[i].len, NULL);
            if (rc == TX_OK) {
                rc = tx_trust_set_take(ts, &l[k].v[i]);
            }
        }
    }
out:
    for (size_t k = 0; k < 4; k++) {
        tx_recs_clear(&l[k]);
    }
    return rc;
}

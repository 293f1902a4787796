/* The organisation's people as the hub lists them. */
#include "tx_us_hub.h"

#include "tx_error.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_rpc.h"
#include "tx_util.h"

#include <string.h>

int
tx_people_list(tx_client *c, tx_recs *out)
{
    static const int kinds[5] = {TX_KIND_MEMBER, TX_KIND_MEMBER_REMOVE, TX_KIND_KEY_SUCCESSOR,
                                 TX_KIND_KEY_REVOCATION, TX_KIND_KEY_REENROLMENT};
    tx_recs l[5] = {{0}};
    int rc = tx_rpc_list(c, 5, kinds, NULL, l);

    for (size_t k = 0; k < 5; k++) {
        for (size_t i = 0; i < l[k].n && rc == TX_OK; i++) {
            rc = tx_recs_push(out, &l[k].v[i]);
        }
        tx_recs_clear(&l[k]);
    }
    return rc;
}

int
tx_us_load(tx_client *c, tx_us *us)
{
    tx_recs all = {0};
    int rc = tx_us_init(tx_client_home(c), us);

    if (rc == TX_OK) {
        rc = tx_people_list(c, &all);
    }
    for (size_t i = 0; i < all.n && rc == TX_OK; i++) {
        rc = tx_us_add(us, &all.v[i]);
    }
    tx_recs_clear(&all);
    if (rc != TX_OK) {
        tx_us_free(us);
    }
    return rc;
}

int
tx_person_of(tx_client *c, const uint8_t key[TX_KEY_LEN], int64_t at, tx_signer_info *si,
             int *found)
{
    tx_recs all = {0};
    int rc = tx_people_list(c, &all);

    *found = 0;
    memset(si, 0, sizeof *si);
    /* The info's record is borrowed from `all`: it is not kept. */
    if (rc == TX_OK && tx_signer_resolve(&all, key, at, si) == TX_OK) {
        si->record = NULL;
        *found = 1;
    }
    tx_recs_clear(&all);
    return rc;
}

/* The home's own state, shared by tx_home.c and tx_home_cache.c only. */
#ifndef TX_HOME_PRIV_H
#define TX_HOME_PRIV_H

#include "tx_home.h"

#include <limits.h>
#include <pthread.h>

typedef struct tx_cache tx_cache;

struct tx_home {
    char dir[PATH_MAX];
    tx_identity *id;
    pthread_mutex_t cache_mu; /* guards the lazy open of `cache` */
    tx_cache *cache;          /* HOME/cache, opened on first use; shared in the process */
};

/* Lets go of the home's cache environment (closed when no other home of this process on the
 * same directory holds it). */
void tx_home_cache_close(tx_home *home);

#endif

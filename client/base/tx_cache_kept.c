/* Records a fetch stored and proved, kept opened for verify in the same process. */
#include "tx_cache_kept.h"

#include "tx_error.h"
#include "tx_idmap.h"
#include "tx_msg.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static tx_recs kept;      /* guarded by mu, as the rest */
static tx_idmap kept_ids; /* id -> position in kept */
static char kept_dir[PATH_MAX];
static uint64_t kept_gen; /* the cache's generation when they were handed over */
static atomic_ulong taken;

/* The cache's generation now, and where this process's run of commits began (0: not its). */
static uint64_t
gen_now(tx_home *home, uint64_t *own_from)
{
    uint64_t gen;

    if (tx_home_cache_gen(home, &gen, own_from) != TX_OK) {
        tx_fail_clear(); /* verify reads the cache as before and says what fails */
        *own_from = 0;
        return 0;
    }
    return gen;
}

static void
drop_locked(void)
{
    tx_recs_clear(&kept);
    tx_idmap_free(&kept_ids);
    kept_dir[0] = 0;
    kept_gen = 0;
}

uint64_t
tx_cache_kept_mark(tx_home *home)
{
    uint64_t from, gen = gen_now(home, &from);

    return from != 0 ? gen : 0;
}

void
tx_cache_kept_hand(tx_home *home, uint64_t mark, tx_recs *recs)
{
    uint64_t gen, from = 0;

    pthread_mutex_lock(&mu);
    drop_locked();
    if (mark != 0 && (gen = gen_now(home, &from)) != 0 && from != 0 && from <= mark &&
        strlen(tx_home_dir(home)) < sizeof kept_dir) {
        for (size_t i = 0; i < recs->n; i++) {
            if (tx_idmap_put(&kept_ids, recs->v[i].id, i, NULL) == NULL) {
                drop_locked();
                break;
            }
        }
        if (kept_ids.n == recs->n) { /* every id once: as many positions as records */
            kept = *recs;
            memset(recs, 0, sizeof *recs);
            snprintf(kept_dir, sizeof kept_dir, "%s", tx_home_dir(home));
            kept_gen = gen;
        } else {
            tx_idmap_free(&kept_ids);
        }
    }
    pthread_mutex_unlock(&mu);
    tx_recs_clear(recs);
}

int
tx_cache_kept_open(tx_home *home, uint64_t gen)
{
    int yes;

    pthread_mutex_lock(&mu);
    yes = kept.n > 0 && strcmp(kept_dir, tx_home_dir(home)) == 0 && gen == kept_gen;
    if (!yes) {
        drop_locked();
    }
    pthread_mutex_unlock(&mu);
    return yes;
}

int
tx_cache_kept_take(const uint8_t id[TX_ID_LEN], tx_rec *rec)
{
    const size_t *at;
    int yes = 0;

    pthread_mutex_lock(&mu);
    if ((at = tx_idmap_get(&kept_ids, id)) != NULL && kept.v[*at].env != NULL) {
        *rec = kept.v[*at];
        memset(&kept.v[*at], 0, sizeof kept.v[*at]);
        atomic_fetch_add(&taken, 1);
        yes = 1;
    }
    pthread_mutex_unlock(&mu);
    return yes;
}

void
tx_cache_kept_drop(void)
{
    pthread_mutex_lock(&mu);
    drop_locked();
    pthread_mutex_unlock(&mu);
}

unsigned long
tx_cache_kept_taken(void)
{
    return atomic_load(&taken);
}

/* Decrypting granted assessments ahead of verify, beside a fetch. */
#include "tx_verify_ahead.h"

#include "tx_error.h"
#include "tx_idmap.h"
#include "tx_msg.h"
#include "tx_seal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Plaintext kept at most (bytes), so that a fetch verify never follows cannot hold without end. */
#define AHEAD_MAX ((size_t)512 << 20)

typedef struct {
    uint8_t me[TX_KEY_LEN];
    uint8_t *plain; /* NULL once taken */
    size_t len;
} kept;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static tx_idmap by_grant; /* grant id -> position in keep */
static kept *keep;
static size_t n_keep, cap_keep, bytes_kept;
static atomic_int enabled;
static atomic_ulong taken;

struct tx_verify_ahead {
    pthread_t tid;
    const tx_identity *me;
    const tx_recs *grants, *sealed;
    tx_idmap sealed_ids; /* sealed id -> position */
    atomic_size_t next;  /* the next grant to take */
};

void
tx_verify_ahead_enable(int on)
{
    atomic_store(&enabled, on);
}

/* Keeps `plain` for the grant (taking it), or wipes and frees it when full or out of memory. */
static void
put(const tx_identity *me, const uint8_t *grant, uint8_t *plain, size_t len)
{
    size_t *at;
    int added;

    pthread_mutex_lock(&lock);
    if (bytes_kept + len > AHEAD_MAX ||
        (n_keep == cap_keep && cap_keep > SIZE_MAX / 2 / sizeof *keep)) {
        goto drop;
    }
    if (n_keep == cap_keep) {
        size_t cap = cap_keep ? cap_keep * 2 : 256;
        kept *k = realloc(keep, cap * sizeof *k);
        if (k == NULL) {
            goto drop;
        }
        keep = k;
        cap_keep = cap;
    }
    if ((at = tx_idmap_put(&by_grant, grant, n_keep, &added)) == NULL || !added) {
        goto drop; /* already kept (the same bytes) */
    }
    memcpy(keep[n_keep].me, me->pub.sign, TX_KEY_LEN);
    keep[n_keep].plain = plain;
    keep[n_keep++].len = len;
    bytes_kept += len;
    pthread_mutex_unlock(&lock);
    return;
drop:
    pthread_mutex_unlock(&lock);
    sodium_memzero(plain, len);
    free(plain);
}

int
tx_verify_ahead_take(const tx_identity *me, const uint8_t grant[TX_ID_LEN], uint8_t **plain,
                     size_t *len)
{
    const size_t *at;
    int found = 0;

    pthread_mutex_lock(&lock);
    if ((at = tx_idmap_get(&by_grant, grant)) != NULL && keep[*at].plain != NULL &&
        memcmp(keep[*at].me, me->pub.sign, TX_KEY_LEN) == 0) {
        *plain = keep[*at].plain;
        *len = keep[*at].len;
        keep[*at].plain = NULL;
        bytes_kept -= *len;
        found = 1;
    }
    pthread_mutex_unlock(&lock);
    if (found) {
        atomic_fetch_add(&taken, 1);
    }
    return found;
}

unsigned long
tx_verify_ahead_taken(void)
{
    return atomic_load(&taken);
}

int
tx_open_granted(const tx_identity *me, const tx_grant_pb *g, const tx_sealed_pb *s, uint8_t *key,
                uint8_t **plain, size_t *len, int *step)
{
    int rc;

    *step = 0;
    if ((rc = tx_open_key(me, g->sealed_key.data, key)) == TX_OK) {
        *step = 1;
        rc = tx_open_content(s->ciphertext.data, s->ciphertext.len, s->questionnaire.data, key,
                             s->nonce.data, plain, len);
    }
    sodium_memzero(key, TX_CONTENT_KEY_LEN);
    return rc;
}

/* Decrypts one granted assessment and checks its inner signature (remembered by tx_rec for the
 * process); kept only when both succeed: verify redoes and reports anything else. */
static void
decrypt_one(const tx_identity *me, const tx_rec *grant, const tx_rec *sealed, uint8_t *key)
{
    const tx_grant_pb *g = (const tx_grant_pb *)grant->msg;
    const tx_sealed_pb *s = (const tx_sealed_pb *)sealed->msg;
    tx_rec inner = {0};
    uint8_t *plain = NULL;
    size_t len = 0;
    int step;

    if (g->sealed_key.len != TX_SEALED_KEY_LEN || s->questionnaire.len != TX_ID_LEN ||
        s->nonce.len != TX_NONCE_LEN ||
        tx_open_granted(me, g, s, key, &plain, &len, &step) != TX_OK) {
        return;
    }
    if (tx_rec_open(&inner, plain, len, TX_KIND_INNER_ASSESSMENT) == TX_OK) {
        put(me, grant->id, inner.bytes, inner.len);
        inner.bytes = NULL; /* kept */
    } else if (inner.bytes != NULL) {
        sodium_memzero(inner.bytes, inner.len);
    }
    tx_rec_clear(&inner);
}

/* Takes grants by index until none are left; run by the thread and, at the join, by the joiner. */
static void
work(tx_verify_ahead *a)
{
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);

    for (size_t i = atomic_fetch_add(&a->next, 1); i < a->grants->n && key != NULL;
         i = atomic_fetch_add(&a->next, 1)) {
        const tx_rec *grant = &a->grants->v[i];
        const tx_grant_pb *g = (const tx_grant_pb *)grant->msg;
        const size_t *at;

        if (g->grantee.len != TX_KEY_LEN || g->assessment.len != TX_ID_LEN ||
            memcmp(g->grantee.data, a->me->pub.sign, TX_KEY_LEN) != 0 ||
            (at = tx_idmap_get(&a->sealed_ids, g->assessment.data)) == NULL) {
            continue;
        }
        decrypt_one(a->me, grant, &a->sealed->v[*at], key);
    }
    sodium_free(key);
    tx_fail_clear();
}

static void *
run(void *arg)
{
    /* Spare CPU only: the fetch's own checks and a hub on the same machine come first. */
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
    work(arg);
    return NULL;
}

tx_verify_ahead *
tx_verify_ahead_start(const tx_identity *me, const tx_recs *grants, const tx_recs *sealed)
{
    tx_verify_ahead *a;

    if (!atomic_load(&enabled) || (a = calloc(1, sizeof *a)) == NULL) {
        return NULL;
    }
    a->me = me;
    a->grants = grants;
    a->sealed = sealed;
    atomic_init(&a->next, 0);
    for (size_t i = 0; i < sealed->n; i++) {
        if (tx_idmap_put(&a->sealed_ids, sealed->v[i].id, i, NULL) == NULL) {
            goto fail;
        }
    }
    if (pthread_create(&a->tid, NULL, run, a) == 0) {
        return a;
    }
fail:
    tx_idmap_free(&a->sealed_ids);
    free(a);
    return NULL;
}

void
tx_verify_ahead_join(tx_verify_ahead *a)
{
    if (a != NULL) {
        work(a); /* what the thread has not reached yet, at this thread's priority */
        pthread_join(a->tid, NULL);
        tx_idmap_free(&a->sealed_ids);
        free(a);
    }
}

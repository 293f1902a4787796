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

/* Plaintext kept at most (bytes), so that a fetch verify never follows cannot hold without end.
 * Each record counts twice its bytes: the bytes and the message decoded from them. */
#define AHEAD_MAX ((size_t)512 << 20)

typedef struct {
    uint8_t me[TX_KEY_LEN];
    tx_rec inner; /* opened; bytes NULL once taken */
} kept;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static tx_idmap by_grant; /* grant id -> position in keep */
static kept *keep;
static size_t n_keep, cap_keep, bytes_kept;
static atomic_int enabled;
static atomic_ulong taken;

/* A grant to `me` and the sealed record it names, once both are listed. */
typedef struct {
    uint8_t grant[TX_ID_LEN];
    const tx_grant_pb *g;
    const tx_sealed_pb *s;
    size_t next; /* a grant waiting: the next one waiting for the same record, or SIZE_MAX */
} job;

struct tx_verify_ahead {
    pthread_t tid;
    const tx_identity *me;
    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t more;
    job *ready; /* to decrypt, in the order they became ready */
    size_t n_ready, cap_ready, next;
    job *waiting; /* grants whose sealed record is not listed yet */
    size_t n_waiting, cap_waiting;
    const tx_sealed_pb **sealed; /* the sealed records listed so far */
    size_t n_sealed, cap_sealed;
    tx_idmap sealed_ids; /* sealed record id -> position in sealed */
    tx_idmap first_wait; /* sealed record id -> first grant in waiting naming it */
    int closed;          /* nothing more comes */
    int stop;            /* the fetch failed: decrypt nothing more */
};

void
tx_verify_ahead_enable(int on)
{
    atomic_store(&enabled, on);
}

int
tx_verify_ahead_enabled(void)
{
    return atomic_load(&enabled);
}

static void
wipe(tx_rec *r)
{
    if (r->bytes != NULL) {
        sodium_memzero(r->bytes, r->len);
    }
    tx_rec_clear(r);
}

/* Keeps the opened inner record for the grant (taking it), or wipes and frees it when full or
 * out of memory. */
static void
put(const tx_identity *me, const uint8_t *grant, tx_rec *inner)
{
    size_t *at, len = 2 * inner->len;
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
    keep[n_keep++].inner = *inner;
    memset(inner, 0, sizeof *inner);
    bytes_kept += len;
    pthread_mutex_unlock(&lock);
    return;
drop:
    pthread_mutex_unlock(&lock);
    wipe(inner);
}

int
tx_verify_ahead_take(const tx_identity *me, const uint8_t grant[TX_ID_LEN], tx_rec *inner)
{
    const size_t *at;
    int found = 0;

    pthread_mutex_lock(&lock);
    if ((at = tx_idmap_get(&by_grant, grant)) != NULL && keep[*at].inner.bytes != NULL &&
        memcmp(keep[*at].me, me->pub.sign, TX_KEY_LEN) == 0) {
        *inner = keep[*at].inner;
        memset(&keep[*at].inner, 0, sizeof keep[*at].inner);
        bytes_kept -= 2 * inner->len;
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

/* Decrypts one granted assessment and opens it (its id, inner signature and decoded payload,
 * the signature remembered by tx_rec for the process); kept only when all succeed: verify redoes
 * and reports anything else. */
static void
decrypt_one(const tx_identity *me, const uint8_t grant[TX_ID_LEN], const tx_grant_pb *g,
            const tx_sealed_pb *s, uint8_t *key)
{
    tx_rec inner = {0};
    uint8_t *plain = NULL;
    size_t len = 0;
    int step;

    if (g->sealed_key.len != TX_SEALED_KEY_LEN ||
        tx_open_granted(me, g, s, key, &plain, &len, &step) != TX_OK) {
        return;
    }
    if (tx_rec_open(&inner, plain, len, TX_KIND_INNER_ASSESSMENT) == TX_OK) {
        put(me, grant, &inner); /* kept, or wiped */
    } else {
        wipe(&inner);
    }
}

/* Room for one more element of `size` bytes in *v (holding n of *cap); 0 when out of memory. */
static int
room(void **v, size_t *cap, size_t n, size_t size)
{
    size_t c = *cap ? *cap * 2 : 64;
    void *w;

    if (n < *cap) {
        return 1;
    }
    if (c > SIZE_MAX / size || (w = realloc(*v, c * size)) == NULL) {
        return 0;
    }
    *v = w;
    *cap = c;
    return 1;
}

static void
make_ready(tx_verify_ahead *a, const job *j)
{
    if (room((void **)&a->ready, &a->cap_ready, a->n_ready, sizeof *a->ready)) {
        a->ready[a->n_ready++] = *j;
    } /* else verify decrypts it itself */
}

/* A grant listed: ready when its sealed record is, else waiting for it. Under a->mu. */
static void
add_grant(tx_verify_ahead *a, const tx_rec *r)
{
    const tx_grant_pb *g = (const tx_grant_pb *)r->msg;
    job j = {.g = g, .next = SIZE_MAX};
    const size_t *at;
    size_t *head;
    int added;

    if (g->grantee.len != TX_KEY_LEN || g->assessment.len != TX_ID_LEN ||
        memcmp(g->grantee.data, a->me->pub.sign, TX_KEY_LEN) != 0) {
        return;
    }
    memcpy(j.grant, r->id, TX_ID_LEN);
    if ((at = tx_idmap_get(&a->sealed_ids, g->assessment.data)) != NULL) {
        j.s = a->sealed[*at];
        make_ready(a, &j);
        return;
    }
    if (!room((void **)&a->waiting, &a->cap_waiting, a->n_waiting, sizeof *a->waiting) ||
        (head = tx_idmap_put(&a->first_wait, g->assessment.data, a->n_waiting, &added)) == NULL) {
        return;
    }
    if (!added) { /* another grant of the same assessment waits already: chain this one */
        j.next = *head;
        *head = a->n_waiting;
    }
    a->waiting[a->n_waiting++] = j;
}

/* A sealed record listed: the grants waiting for it become ready. Under a->mu. */
static void
add_sealed(tx_verify_ahead *a, const tx_rec *r)
{
    const tx_sealed_pb *s = (const tx_sealed_pb *)r->msg;
    const size_t *w;
    int added;

    if (s->questionnaire.len != TX_ID_LEN || s->nonce.len != TX_NONCE_LEN ||
        !room((void **)&a->sealed, &a->cap_sealed, a->n_sealed, sizeof *a->sealed) ||
        tx_idmap_put(&a->sealed_ids, r->id, a->n_sealed, &added) == NULL || !added) {
        return;
    }
    a->sealed[a->n_sealed++] = s;
    w = tx_idmap_get(&a->first_wait, r->id);
    for (size_t i = w != NULL ? *w : SIZE_MAX; i != SIZE_MAX; i = a->waiting[i].next) {
        a->waiting[i].s = s;
        make_ready(a, &a->waiting[i]);
    }
}

void
tx_verify_ahead_add(tx_verify_ahead *a, const tx_rec *v, size_t n)
{
    if (a == NULL || n == 0) {
        return;
    }
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < n; i++) {
        if (v[i].kind == TX_KIND_GRANT) {
            add_grant(a, &v[i]);
        } else if (v[i].kind == TX_KIND_ASSESSMENT) {
            add_sealed(a, &v[i]);
        }
    }
    if (a->next < a->n_ready) {
        pthread_cond_signal(&a->more);
    }
    pthread_mutex_unlock(&a->mu);
}

/* The next job into *j: waits for one while more may come and `wait`; 0 when there is none. */
static int
take(tx_verify_ahead *a, job *j, int wait)
{
    int got = 0;

    pthread_mutex_lock(&a->mu);
    while (wait && !a->stop && !a->closed && a->next == a->n_ready) {
        pthread_cond_wait(&a->more, &a->mu);
    }
    if (!a->stop && a->next < a->n_ready) {
        *j = a->ready[a->next++];
        got = 1;
    }
    pthread_mutex_unlock(&a->mu);
    return got;
}

/* Decrypts jobs until none are left; run by the thread and, at the join, by the joiner. */
static void
work(tx_verify_ahead *a, int wait)
{
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    job j;

    while (key != NULL && take(a, &j, wait)) {
        decrypt_one(a->me, j.grant, j.g, j.s, key);
    }
    sodium_free(key);
    tx_fail_clear();
}

static void *
run(void *arg)
{
    /* Spare CPU only: the fetch's own checks and a hub on the same machine come first. */
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
    work(arg, 1);
    return NULL;
}

tx_verify_ahead *
tx_verify_ahead_start(const tx_identity *me)
{
    tx_verify_ahead *a;

    if (!atomic_load(&enabled) || (a = calloc(1, sizeof *a)) == NULL) {
        return NULL;
    }
    a->me = me;
    if (pthread_mutex_init(&a->mu, NULL) != 0) {
        free(a);
        return NULL;
    }
    if (pthread_cond_init(&a->more, NULL) != 0) {
        pthread_mutex_destroy(&a->mu);
        free(a);
        return NULL;
    }
    if (pthread_create(&a->tid, NULL, run, a) != 0) {
        pthread_cond_destroy(&a->more);
        pthread_mutex_destroy(&a->mu);
        free(a);
        return NULL;
    }
    return a;
}

void
tx_verify_ahead_join(tx_verify_ahead *a, int finish)
{
    if (a == NULL) {
        return;
    }
    pthread_mutex_lock(&a->mu);
    a->closed = 1;
    a->stop = !finish;
    pthread_cond_broadcast(&a->more);
    pthread_mutex_unlock(&a->mu);
    work(a, 0); /* what the thread has not reached yet, at this thread's priority */
    pthread_join(a->tid, NULL);
    pthread_cond_destroy(&a->more);
    pthread_mutex_destroy(&a->mu);
    tx_idmap_free(&a->sealed_ids);
    tx_idmap_free(&a->first_wait);
    free(a->ready);
    free(a->waiting);
    free(a->sealed);
    free(a);
}

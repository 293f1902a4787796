/* Verification pool: a FIFO of jobs under one mutex, N worker threads, a condition that
 * reports "everything submitted (or a group) has finished", and an eventfd written only when
 * someone waits on it: a watched group finished, or the pool went idle after a job without a
 * group. */
#include "tx_vpool.h"

#include "tx_error.h"
#include "tx_log.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct {
    tx_vpool_fn fn;
    void *arg;
    tx_vpool_group *group; /* may be NULL */
} job;

struct tx_vpool {
    pthread_mutex_t mu;
    pthread_cond_t work; /* a job was queued, or stop */
    pthread_cond_t idle; /* pending, or a group's pending, reached 0 */
    job *ring;           /* queued jobs: ring[(head + i) % cap], i < queued */
    size_t cap, head, queued;
    size_t pending; /* submitted and not finished (queued or running) */
    _Atomic size_t depth; /* pending, for readers without the mutex (tx_vpool_depth) */
    int stop;
    int efd;
    int nice;      /* what the workers add to the hub's niceness */
    char name[16]; /* the threads' name (top -H, perf) */
    unsigned n_threads;
    pthread_t *threads;
};

/* Niceness the verifiers add to the hub's: verification is the bulk of the hub's CPU, and the
 * threads that take calls, commit and answer (and ZeroMQ's I/O thread) must not queue behind
 * it, or every call waits for a scheduler slice. On Linux a thread's nice value is its own. */
#define WORKER_NICE 5

static void *
worker(void *arg)
{
    tx_vpool *p = arg;

    errno = 0;
    if (p->nice != 0 && setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
                                    getpriority(PRIO_PROCESS, 0) + p->nice) != 0) {
        tx_debug("vpool: worker keeps the hub's priority: %s", strerror(errno));
    }
    pthread_mutex_lock(&p->mu);
    for (;;) {
        job j;
        int wake, signal;

        while (p->queued == 0 && !p->stop) {
            pthread_cond_wait(&p->work, &p->mu);
        }
        /* On stop the queue is drained first: a job handed in is always run. */
        if (p->queued == 0) {
            break;
        }
        j = p->ring[p->head];
        p->head = (p->head + 1) % p->cap;
        p->queued--;
        pthread_mutex_unlock(&p->mu);
        j.fn(j.arg);
        pthread_mutex_lock(&p->mu);
        p->pending--;
        atomic_store_explicit(&p->depth, p->pending, memory_order_relaxed);
        wake = p->pending == 0;
        signal = wake && j.group == NULL;
        if (j.group != NULL && --j.group->pending == 0) {
            wake = 1;
            signal = j.group->watched;
            j.group->watched = 0;
        }
        if (wake) {
            pthread_cond_broadcast(&p->idle);
        }
        if (signal) {
            uint64_t one = 1;

            /* Only a wake-up hint: a full counter (EAGAIN) already reads as ready. */
            if (write(p->efd, &one, sizeof one) < 0 && errno != EAGAIN) {
                tx_warn("vpool: cannot signal idle: %s", strerror(errno));
            }
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static unsigned
online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 ? (unsigned)n : 1;
}

int
tx_vpool_create(unsigned workers, tx_vpool **out)
{
    return tx_vpool_create_as(workers, "tx-verify", WORKER_NICE, out);
}

int
tx_vpool_create_as(unsigned workers, const char *name, int nice, tx_vpool **out)
{
    tx_vpool *p;
    int rc = TX_OK;

    *out = NULL;
    /* Picks libsodium's implementations once, before any thread uses them. */
    if (sodium_init() < 0) {
        return TX_ERR_INTERNAL;
    }
    if (workers == 0) {
        workers = online_cpus();
    }
    if (workers > TX_VPOOL_MAX_WORKERS) {
        workers = TX_VPOOL_MAX_WORKERS;
    }
    p = calloc(1, sizeof *p);
    if (p == NULL) {
        return TX_ERR_NOMEM;
    }
    p->cap = 64;
    p->ring = calloc(p->cap, sizeof *p->ring);
    p->threads = calloc(workers, sizeof *p->threads);
    p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (p->ring == NULL || p->threads == NULL || p->efd < 0) {
        rc = p->efd < 0 ? TX_ERR_INTERNAL : TX_ERR_NOMEM;
        if (p->efd >= 0) {
            close(p->efd);
        }
        free(p->ring);
        free(p->threads);
        free(p);
        return rc;
    }
    p->nice = nice;
    snprintf(p->name, sizeof p->name, "%s", name);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->idle, NULL);
    for (unsigned i = 0; i < workers; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
            tx_error("vpool: cannot start worker thread %u of %u", i + 1, workers);
            rc = TX_ERR_INTERNAL;
            break;
        }
        /* Named so top -H and perf tell the verifiers from the writer and ZeroMQ's I/O. */
        pthread_setname_np(p->threads[i], p->name);
        p->n_threads++;
    }
    if (rc != TX_OK) {
        tx_vpool_destroy(&p);
        return rc;
    }
    *out = p;
    return TX_OK;
}

void
tx_vpool_destroy(tx_vpool **p_p)
{
    tx_vpool *p;

    if (p_p == NULL || *p_p == NULL) {
        return;
    }
    p = *p_p;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n_threads; i++) {
        pthread_join(p->threads[i], NULL);
    }
    pthread_cond_destroy(&p->idle);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    close(p->efd);
    free(p->threads);
    free(p->ring);
    free(p);
    *p_p = NULL;
}

unsigned
tx_vpool_workers(const tx_vpool *p)
{
    return p->n_threads;
}

/* Doubles the ring, keeping the queued jobs in order. Called with the mutex held. */
static int
grow(tx_vpool *p)
{
    size_t cap = p->cap * 2;
    job *ring = malloc(cap * sizeof *ring);

    if (ring == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < p->queued; i++) {
        ring[i] = p->ring[(p->head + i) % p->cap];
    }
    free(p->ring);
    p->ring = ring;
    p->cap = cap;
    p->head = 0;
    return TX_OK;
}

int
tx_vpool_submit_all(tx_vpool *p, tx_vpool_group *g, tx_vpool_fn fn, void *const *args, size_t n)
{
    int rc = TX_OK;

    if (n == 0) {
        return TX_OK;
    }
    pthread_mutex_lock(&p->mu);
    while (rc == TX_OK && p->cap - p->queued < n) {
        rc = grow(p);
    }
    if (rc == TX_OK) {
        for (size_t i = 0; i < n; i++) {
            p->ring[(p->head + p->queued + i) % p->cap] = (job){fn, args[i], g};
        }
        p->queued += n;
        p->pending += n;
        atomic_store_explicit(&p->depth, p->pending, memory_order_relaxed);
        if (g != NULL) {
            g->pending += n;
        }
        /* One job wakes one worker; more wake them all, each then runs jobs until none is
         * queued. */
        if (n == 1) {
            pthread_cond_signal(&p->work);
        } else {
            pthread_cond_broadcast(&p->work);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int
tx_vpool_submit_group(tx_vpool *p, tx_vpool_group *g, tx_vpool_fn fn, void *arg)
{
    return tx_vpool_submit_all(p, g, fn, &arg, 1);
}

int
tx_vpool_submit(tx_vpool *p, tx_vpool_fn fn, void *arg)
{
    return tx_vpool_submit_group(p, NULL, fn, arg);
}

int
tx_vpool_group_done(tx_vpool *p, tx_vpool_group *g)
{
    int done;

    pthread_mutex_lock(&p->mu);
    done = g->pending == 0;
    pthread_mutex_unlock(&p->mu);
    return done;
}

int
tx_vpool_group_watch(tx_vpool *p, tx_vpool_group *g)
{
    int done;

    pthread_mutex_lock(&p->mu);
    done = g->pending == 0;
    g->watched = !done;
    pthread_mutex_unlock(&p->mu);
    return done;
}

void
tx_vpool_group_wait(tx_vpool *p, tx_vpool_group *g)
{
    pthread_mutex_lock(&p->mu);
    while (g->pending > 0) {
        pthread_cond_wait(&p->idle, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
}

int
tx_vpool_idle(tx_vpool *p)
{
    int idle;

    pthread_mutex_lock(&p->mu);
    idle = p->pending == 0;
    pthread_mutex_unlock(&p->mu);
    return idle;
}

void
tx_vpool_wait(tx_vpool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->pending > 0) {
        pthread_cond_wait(&p->idle, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
}

int
tx_vpool_fd(const tx_vpool *p)
{
    return p->efd;
}

void
tx_vpool_clear_fd(tx_vpool *p)
{
    uint64_t v;

    /* Non-blocking: EAGAIN when nothing was signalled. */
    if (read(p->efd, &v, sizeof v) < 0 && errno != EAGAIN) {
        tx_warn("vpool: cannot read the idle signal: %s", strerror(errno));
    }
}

size_t
tx_vpool_depth(tx_vpool *p)
{
    return atomic_load_explicit(&p->depth, memory_order_relaxed);
}

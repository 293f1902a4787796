/* The hub's verification pool: every job runs exactly once, results land in submission order,
 * rounds of any size, the idle signal, a group's signal only when watched, real parallelism,
 * and shutdown with work in flight.
 * Runs under valgrind too (tests/bench.cmake registers test_vpool_valgrind when it is there). */
#include "tx_error.h"
#include "tx_vpool.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

typedef struct {
    uint64_t input;
    uint64_t output;
    atomic_int *runs; /* shared counter of jobs run */
    int times;        /* how often this job ran */
} slot;

/* Some work whose result depends on the input, with a varying cost so jobs finish out of
 * order. */
static void
mix_job(void *arg)
{
    slot *s = arg;
    uint64_t x = s->input * 0x9e3779b97f4a7c15ull + 1;
    unsigned spins = (unsigned)(s->input % 7) * 300;

    for (unsigned i = 0; i < spins + 10; i++) {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdull;
    }
    s->output = x;
    s->times++;
    atomic_fetch_add(s->runs, 1);
}

static uint64_t
expected(uint64_t input)
{
    uint64_t x = input * 0x9e3779b97f4a7c15ull + 1;
    unsigned spins = (unsigned)(input % 7) * 300;

    for (unsigned i = 0; i < spins + 10; i++) {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdull;
    }
    return x;
}

static int
fd_ready(int fd)
{
    struct pollfd pfd = {fd, POLLIN, 0};

    return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

static void
test_results_in_order(void **state)
{
    enum { N = 5000 };
    slot *slots = calloc(N, sizeof *slots);
    atomic_int runs = 0;
    tx_vpool *p = NULL;

    (void)state;
    assert_non_null(slots);
    assert_int_equal(tx_vpool_create(4, &p), TX_OK);
    assert_int_equal(tx_vpool_workers(p), 4);
    for (uint64_t i = 0; i < N; i++) {
        slots[i].input = i;
        slots[i].runs = &runs;
        assert_int_equal(tx_vpool_submit(p, mix_job, &slots[i]), TX_OK);
    }
    tx_vpool_wait(p);
    assert_true(tx_vpool_idle(p));
    assert_int_equal(atomic_load(&runs), N);
    for (uint64_t i = 0; i < N; i++) {
        assert_int_equal(slots[i].times, 1);
        assert_true(slots[i].output == expected(i));
    }
    tx_vpool_destroy(&p);
    assert_null(p);
    free(slots);
}

static void
test_many_rounds(void **state)
{
    enum { ROUNDS = 300, MAXN = 257 };
    slot slots[MAXN];
    atomic_int runs = 0;
    int total = 0;
    tx_vpool *p = NULL;
    unsigned seed = 12345;

    (void)state;
    assert_int_equal(tx_vpool_create(0, &p), TX_OK);
    assert_true(tx_vpool_workers(p) >= 1);
    assert_true(tx_vpool_idle(p));
    for (int r = 0; r < ROUNDS; r++) {
        /* Round sizes 0..MAXN-1, so the ring grows and wraps at many offsets. */
        int n = (int)(rand_r(&seed) % MAXN);

        memset(slots, 0, sizeof slots);
        tx_vpool_clear_fd(p);
        for (int i = 0; i < n; i++) {
            slots[i].input = (uint64_t)r * 1000 + (uint64_t)i;
            slots[i].runs = &runs;
            assert_int_equal(tx_vpool_submit(p, mix_job, &slots[i]), TX_OK);
        }
        if (r % 2 == 0) {
            tx_vpool_wait(p);
        } else {
            /* The way the hub waits: poll the descriptor, trust tx_vpool_idle. */
            while (!tx_vpool_idle(p)) {
                struct pollfd pfd = {tx_vpool_fd(p), POLLIN, 0};
                assert_true(poll(&pfd, 1, 5000) >= 0);
                tx_vpool_clear_fd(p);
            }
        }
        total += n;
        for (int i = 0; i < n; i++) {
            assert_int_equal(slots[i].times, 1);
            assert_true(slots[i].output == expected(slots[i].input));
        }
        assert_int_equal(atomic_load(&runs), total);
        if (n > 0 && r % 2 == 0) {
            /* Going idle signalled the descriptor; clearing it makes it quiet again. */
            assert_true(fd_ready(tx_vpool_fd(p)));
            tx_vpool_clear_fd(p);
            assert_false(fd_ready(tx_vpool_fd(p)));
        }
    }
    tx_vpool_destroy(&p);
}

/* Two groups in flight at once, as the hub's rounds are: waiting for the older one returns
 * with all of its jobs done, whatever the younger one does. */
static void
test_groups(void **state)
{
    enum { ROUNDS = 100, N = 64 };
    slot slots[2][N];
    tx_vpool_group groups[2];
    atomic_int runs = 0;
    tx_vpool *p = NULL;
    int cur = 0;

    (void)state;
    assert_int_equal(tx_vpool_create(2, &p), TX_OK);
    memset(slots, 0, sizeof slots);
    memset(groups, 0, sizeof groups);
    for (int r = 0; r < ROUNDS; r++) {
        tx_vpool_group *g = &groups[cur];

        assert_true(tx_vpool_group_done(p, g));
        memset(slots[cur], 0, sizeof slots[cur]);
        for (int i = 0; i < N; i++) {
            slots[cur][i].input = (uint64_t)r * N + (uint64_t)i;
            slots[cur][i].runs = &runs;
            assert_int_equal(tx_vpool_submit_group(p, g, mix_job, &slots[cur][i]), TX_OK);
        }
        /* The other group, submitted a round earlier. */
        if (r > 0) {
            tx_vpool_group *older = &groups[cur ^ 1];

            if (r % 3 == 0) {
                /* The way the hub waits: watch the group, poll the descriptor. */
                while (!tx_vpool_group_watch(p, older)) {
                    struct pollfd pfd = {tx_vpool_fd(p), POLLIN, 0};
                    assert_true(poll(&pfd, 1, 5000) >= 0);
                    tx_vpool_clear_fd(p);
                }
            } else {
                tx_vpool_group_wait(p, older);
            }
            assert_int_equal(older->pending, 0);
            for (int i = 0; i < N; i++) {
                assert_int_equal(slots[cur ^ 1][i].times, 1);
                assert_true(slots[cur ^ 1][i].output == expected(slots[cur ^ 1][i].input));
            }
        }
        cur ^= 1;
    }
    tx_vpool_wait(p);
    assert_int_equal(atomic_load(&runs), ROUNDS * N);
    tx_vpool_destroy(&p);
}

typedef struct {
    atomic_int *arrived;
    int need;
    int met; /* every worker was inside a job at once */
} rendezvous;

static int64_t
ms_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits (bounded) until `need` jobs are running at the same time. */
static void
meet_job(void *arg)
{
    rendezvous *r = arg;
    int64_t deadline = ms_now() + 10000;

    atomic_fetch_add(r->arrived, 1);
    while (atomic_load(r->arrived) < r->need && ms_now() < deadline) {
        usleep(100);
    }
    r->met = atomic_load(r->arrived) >= r->need;
}

static void
test_runs_in_parallel(void **state)
{
    enum { W = 3 };
    rendezvous rv[W];
    atomic_int arrived = 0;
    tx_vpool *p = NULL;

    (void)state;
    assert_int_equal(tx_vpool_create(W, &p), TX_OK);
    for (int i = 0; i < W; i++) {
        rv[i].arrived = &arrived;
        rv[i].need = W;
        rv[i].met = 0;
        assert_int_equal(tx_vpool_submit(p, meet_job, &rv[i]), TX_OK);
    }
    tx_vpool_wait(p);
    for (int i = 0; i < W; i++) {
        assert_true(rv[i].met);
    }
    tx_vpool_destroy(&p);
}

/* A round handed over at once (tx_vpool_submit_all): every job runs once, results in order,
 * the group counts them all, the ring grows past its size and wraps; and one hand-over of W
 * jobs wakes all W workers (they can only finish together). */
static void
test_submit_all(void **state)
{
    enum { ROUNDS = 40, MAXN = 700, W = 3 };
    slot *slots = calloc(MAXN, sizeof *slots);
    void **args = calloc(MAXN, sizeof *args);
    rendezvous rv[W];
    void *rv_args[W];
    tx_vpool_group g = {0};
    atomic_int runs = 0, arrived = 0;
    tx_vpool *p = NULL;
    unsigned seed = 777;
    int total = 0;

    (void)state;
    assert_non_null(slots);
    assert_non_null(args);
    assert_int_equal(tx_vpool_create(W, &p), TX_OK);
    assert_int_equal(tx_vpool_submit_all(p, &g, mix_job, args, 0), TX_OK);
    assert_true(tx_vpool_group_done(p, &g));
    for (int r = 0; r < ROUNDS; r++) {
        int n = (int)(rand_r(&seed) % MAXN) + 1;

        memset(slots, 0, MAXN * sizeof *slots);
        for (int i = 0; i < n; i++) {
            slots[i].input = (uint64_t)r * MAXN + (uint64_t)i;
            slots[i].runs = &runs;
            args[i] = &slots[i];
        }
        assert_int_equal(tx_vpool_submit_all(p, &g, mix_job, args, (size_t)n), TX_OK);
        tx_vpool_group_wait(p, &g);
        total += n;
        assert_int_equal(g.pending, 0);
        for (int i = 0; i < n; i++) {
            assert_int_equal(slots[i].times, 1);
            assert_true(slots[i].output == expected(slots[i].input));
        }
        assert_int_equal(atomic_load(&runs), total);
    }
    for (int i = 0; i < W; i++) {
        rv[i] = (rendezvous){&arrived, W, 0};
        rv_args[i] = &rv[i];
    }
    assert_int_equal(tx_vpool_submit_all(p, NULL, meet_job, rv_args, W), TX_OK);
    tx_vpool_wait(p);
    for (int i = 0; i < W; i++) {
        assert_true(rv[i].met);
    }
    tx_vpool_destroy(&p);
    free(args);
    free(slots);
}

static void
test_shutdown_with_work_in_flight(void **state)
{
    enum { N = 3000 };
    slot *slots = calloc(N, sizeof *slots);
    atomic_int runs = 0;
    tx_vpool *p = NULL;

    (void)state;
    assert_non_null(slots);
    assert_int_equal(tx_vpool_create(2, &p), TX_OK);
    for (uint64_t i = 0; i < N; i++) {
        slots[i].input = i;
        slots[i].runs = &runs;
        assert_int_equal(tx_vpool_submit(p, mix_job, &slots[i]), TX_OK);
    }
    /* No wait: destroy drains the queue, then joins. */
    tx_vpool_destroy(&p);
    assert_null(p);
    assert_int_equal(atomic_load(&runs), N);
    for (uint64_t i = 0; i < N; i++) {
        assert_int_equal(slots[i].times, 1);
        assert_true(slots[i].output == expected(i));
    }
    free(slots);
    /* An idle pool and NULL shut down too. */
    assert_int_equal(tx_vpool_create(1, &p), TX_OK);
    tx_vpool_destroy(&p);
    tx_vpool_destroy(&p);
    tx_vpool_destroy(NULL);
}

static void
test_worker_cap(void **state)
{
    tx_vpool *p = NULL;

    (void)state;
    assert_int_equal(tx_vpool_create(TX_VPOOL_MAX_WORKERS + 50, &p), TX_OK);
    assert_int_equal(tx_vpool_workers(p), TX_VPOOL_MAX_WORKERS);
    tx_vpool_destroy(&p);
}

/* A job that runs until the test opens its gate. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int open;
} gate;

static void
gate_job(void *arg)
{
    gate *g = arg;

    pthread_mutex_lock(&g->mu);
    while (!g->open) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    pthread_mutex_unlock(&g->mu);
}

static void
gate_open(gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->open = 1;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

/* A group's jobs signal the descriptor only when someone watches the group (the hub's loop,
 * about to sleep on it): one nobody waits for finishes without waking anyone; one watched
 * while unfinished signals once it finishes (a lost signal hangs here: ctest's timeout). */
static void
test_group_watch(void **state)
{
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    tx_vpool_group quiet = {0}, watched = {0};
    tx_vpool *p = NULL;
    struct pollfd pfd;

    (void)state;
    assert_int_equal(tx_vpool_create(2, &p), TX_OK);
    pfd = (struct pollfd){tx_vpool_fd(p), POLLIN, 0};

    /* Unwatched: finished, and the descriptor stays quiet. */
    assert_int_equal(tx_vpool_submit_group(p, &quiet, gate_job, &g), TX_OK);
    assert_false(tx_vpool_group_done(p, &quiet));
    gate_open(&g);
    tx_vpool_group_wait(p, &quiet);
    assert_true(tx_vpool_group_done(p, &quiet));
    assert_false(fd_ready(tx_vpool_fd(p)));

    /* Watched while its job runs: the job that finishes it signals. */
    g.open = 0;
    assert_int_equal(tx_vpool_submit_group(p, &watched, gate_job, &g), TX_OK);
    assert_false(tx_vpool_group_watch(p, &watched));
    gate_open(&g);
    assert_int_equal(poll(&pfd, 1, -1), 1);
    assert_true(tx_vpool_group_done(p, &watched));
    tx_vpool_clear_fd(p);
    assert_false(fd_ready(tx_vpool_fd(p)));

    /* Watching a finished group reports it done and arms nothing: a later group's jobs, not
     * watched, stay quiet. */
    assert_true(tx_vpool_group_watch(p, &watched));
    g.open = 0;
    assert_int_equal(tx_vpool_submit_group(p, &watched, gate_job, &g), TX_OK);
    gate_open(&g);
    tx_vpool_group_wait(p, &watched);
    assert_false(fd_ready(tx_vpool_fd(p)));
    tx_vpool_destroy(&p);
}

/* What a worker thread is: its name and its nice value. */
typedef struct {
    char name[16];
    int nice;
} thread_is;

static void
look_job(void *arg)
{
    thread_is *t = arg;

    pthread_getname_np(pthread_self(), t->name, sizeof t->name);
    errno = 0;
    t->nice = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
}

/* The writer's pool keeps the caller's niceness under its own name; verifiers yield (+5). */
static void
test_named_and_niced(void **state)
{
    tx_vpool *p = NULL;
    thread_is t = {"", 0};
    int mine = getpriority(PRIO_PROCESS, 0);

    (void)state;
    assert_int_equal(tx_vpool_create_as(1, "tx-write", 0, &p), TX_OK);
    assert_int_equal(tx_vpool_submit(p, look_job, &t), TX_OK);
    tx_vpool_wait(p);
    assert_string_equal(t.name, "tx-write");
    assert_int_equal(t.nice, mine);
    tx_vpool_destroy(&p);
    assert_int_equal(tx_vpool_create(1, &p), TX_OK);
    assert_int_equal(tx_vpool_submit(p, look_job, &t), TX_OK);
    tx_vpool_wait(p);
    assert_string_equal(t.name, "tx-verify");
    /* Capped at 19 for a caller already that nice. */
    assert_int_equal(t.nice, mine + 5 > 19 ? 19 : mine + 5);
    tx_vpool_destroy(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results_in_order),
        cmocka_unit_test(test_many_rounds),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_group_watch),
        cmocka_unit_test(test_submit_all),
        cmocka_unit_test(test_runs_in_parallel),
        cmocka_unit_test(test_shutdown_with_work_in_flight),
        cmocka_unit_test(test_worker_cap),
        cmocka_unit_test(test_named_and_niced),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

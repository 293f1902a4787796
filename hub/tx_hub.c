/* The hub's serving loop: ROUTER + CURVE behind ZAP, rounds of calls, group commit of submits,
 * replies only after the commit, a periodic tick, and a flag set by SIGTERM/SIGINT. */
#include "tx_hub.h"

#include "tx_error.h"
#include "tx_hub_admin.h"
#include "tx_keys.h"
#include "tx_log.h"
#include "tx_metrics.h"
#include "tx_mlog.h"
#include "tx_msg.h"
#include "tx_notify.h"
#include "tx_round.h"
#include "tx_store.h"
#include "tx_util.h"
#include "tx_vpool.h"
#include "tx_zap.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define TICK_MS 100          /* poll wake-up: bounds the stop latency */
#define HOUSEKEEPING_MS 1000 /* stale reader slots */
#define LINGER_MS 200        /* lets the last replies leave on shutdown */

typedef struct {
    tx_store *store;
    void *ctx;
    void *router;
    tx_zap *zap;
    tx_round *round;
    tx_vpool *pool;
    void *monitor;       /* PAIR receiving the router's connection events */
    tx_stats stats;      /* for the metrics page */
    tx_metrics *metrics; /* NULL when off */
    tx_store_check_bg *check; /* the full check while it runs, else NULL */
    const char *dir;
} hub;

#define MONITOR_ENDPOINT "inproc://ticsx-hub-monitor"
/* Connections opened and closed (a failed handshake closes one too), and handshakes. */
#define MONITOR_EVENTS                                                                             \
    (ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |                 \
     ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |                       \
     ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* The last resort against a data file cut short under the running hub (tx_store_open refuses
 * one that is short already): a read past its end faults in the map. Say so and stop. */
static void
on_sigbus(int sig)
{
    static const char msg[] = "ticsx-hub: the database file was cut short while the hub ran "
                              "(SIGBUS); stopping. Run `ticsx-hub check` on the data directory\n";
    ssize_t ignored;

    (void)sig;
    ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _exit(2);
}

static int
open_router(hub *h, const tx_identity *id, const char *bind, char *endpoint, size_t n)
{
    int64_t maxmsg = TX_MAX_CALL;
    /* Answers queued for one client. A round sends one client at most 1024 (a batch of its
     * calls answered, and as many past the per-client limit answered BUSY): room for two
     * rounds, so a client that reads keeps up unless it floods faster than the I/O thread
     * can write; one that stops reading loses the answers past this. */
    int sndhwm = 4 * 512;
    int one = 1, linger = LINGER_MS;
    size_t elen = n;

    h->router = zmq_socket(h->ctx, ZMQ_ROUTER);
    if (h->router == NULL) {
        return TX_ERR_NET;
    }
    if (zmq_setsockopt(h->router, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
        zmq_setsockopt(h->router, ZMQ_CURVE_SECRETKEY, id->sec->curve, 32) != 0 ||
        zmq_setsockopt(h->router, ZMQ_ZAP_DOMAIN, "ticsx", 5) != 0 ||
        zmq_setsockopt(h->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg) != 0 ||
        zmq_setsockopt(h->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one) != 0 ||
        zmq_setsockopt(h->router, ZMQ_SNDHWM, &sndhwm, sizeof sndhwm) != 0 ||
        zmq_setsockopt(h->router, ZMQ_LINGER, &linger, sizeof linger) != 0) {
        tx_error("hub: cannot configure the server socket: %s", zmq_strerror(errno));
        return TX_ERR_NET;
    }
    /* Before the bind, so that no connection is missed. */
    if (zmq_socket_monitor(h->router, MONITOR_ENDPOINT, MONITOR_EVENTS) != 0 ||
        (h->monitor = zmq_socket(h->ctx, ZMQ_PAIR)) == NULL ||
        zmq_connect(h->monitor, MONITOR_ENDPOINT) != 0) {
        tx_error("hub: cannot watch the server socket's connections: %s", zmq_strerror(errno));
        return TX_ERR_NET;
    }
    if (zmq_bind(h->router, bind) != 0) {
        int e = errno;
        tx_error("hub: cannot bind %s: %s", bind, zmq_strerror(e));
        return e == EINVAL || e == EPROTONOSUPPORT || e == ENOCOMPATPROTO ? TX_ERR_USAGE
                                                                          : TX_ERR_NET;
    }
    if (zmq_getsockopt(h->router, ZMQ_LAST_ENDPOINT, endpoint, &elen) != 0) {
        return TX_ERR_NET;
    }
    return TX_OK;
}

/* Counts the connection events waiting on the monitor socket, without blocking. ZeroMQ's
 * I/O thread waits when a thousand are unread, so the loop reads them every turn. */
static void
count_connections(hub *h)
{
    for (;;) {
        zmq_msg_t ev, addr;
        uint16_t event = 0;

        zmq_msg_init(&ev);
        if (zmq_msg_recv(&ev, h->monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ev);
            return;
        }
        if (zmq_msg_size(&ev) >= 2) {
            memcpy(&event, zmq_msg_data(&ev), 2);
        }
        if (zmq_msg_more(&ev)) {
            zmq_msg_init(&addr);
            zmq_msg_recv(&addr, h->monitor, 0);
            zmq_msg_close(&addr);
        }
        zmq_msg_close(&ev);
        switch (event) {
        case ZMQ_EVENT_ACCEPTED:
            tx_stats_add(&h->stats.accepted, 1);
            break;
        case ZMQ_EVENT_DISCONNECTED:
            tx_stats_add(&h->stats.disconnected, 1);
            break;
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
            tx_stats_add(&h->stats.handshakes_ok, 1);
            break;
        default:
            tx_stats_add(&h->stats.handshakes_failed, 1);
            break;
        }
    }
}

/* The log's size and its latest checkpoint's time, read from the store (records appended by
 * `ticsx-hub enroll` included). */
static void
count_log(hub *h)
{
    tx_checkpoint_info cp;
    uint8_t *env = NULL;
    size_t len;
    uint64_t last;

    if (tx_store_last_index(h->store, &last) == TX_OK) {
        tx_stats_set(&h->stats.log_size, last);
    }
    if (tx_store_checkpoint(h->store, &env, &len, &cp) == TX_OK) {
        atomic_store_explicit(&h->stats.checkpoint_time, cp.time, memory_order_relaxed);
        free(env);
    }
}

/* Follows the full check of the store that runs beside the serving hub: its progress for the
 * metrics; when it ends, its verdict, logged in English as everything `run` logs. Damage found
 * stops every write from then on (reads go on: clients verify each record themselves, and the
 * hub can neither read nor forge one). */
static void
follow_check(hub *h)
{
    tx_store_report r;
    uint64_t checked;
    char why[sizeof r.notes[0] + 160];
    int rc, state;

    if (h->check == NULL) {
        return;
    }
    state = tx_store_check_bg_poll(h->check, &checked, &r, &rc);
    tx_stats_set(&h->stats.store_checked, checked);
    if (state == TX_CHECK_RUNNING) {
        return;
    }
    atomic_store_explicit(&h->stats.store_check, state, memory_order_relaxed);
    tx_store_check_bg_stop(&h->check);
    if (state == TX_CHECK_PASSED) {
        tx_log_kv(TX_LOG_INFO, TX_FIELDS(TX_KN("records", checked)),
                  "hub: the full check of the database passed (%llu records)",
                  (unsigned long long)checked);
        return;
    }
    if (state == TX_CHECK_NOT_RUN) {
        tx_log_kv(TX_LOG_WARN, TX_FIELDS(TX_KV("error", tx_strerror(rc))),
                  "hub: the full check of the database could not run (%s); run `ticsx-hub "
                  "check --data %s`",
                  tx_strerror(rc), h->dir);
        return;
    }
    /* What a client reads in its answer: the hub's messages stay English. */
    snprintf(why, sizeof why,
             "the hub refuses writes: the check of its database found damage (%s); tell the hub "
             "operator",
             r.n_notes > 0 ? r.notes[0] : "no detail");
    tx_store_refuse_writes(h->store, why);
    tx_log_kv(TX_LOG_ERROR, TX_FIELDS(TX_KN("problems", r.problems)),
              "hub: the database in %s is DAMAGED: %s (%llu problem(s)). Writes are refused "
              "from now on; reads are still served. Stop the hub, run `ticsx-hub check --data "
              "%s` and restore the latest good backup",
              h->dir, r.n_notes > 0 ? r.notes[0] : "no detail", (unsigned long long)r.problems,
              h->dir);
    for (size_t i = 1; i < r.n_notes; i++) {
        tx_error("hub: the database is damaged: %s", r.notes[i]);
    }
}

/* STATUS= for the service manager when the counts moved (at most once a housekeeping tick). */
static void
notify_status(hub *h, const char *endpoint, uint64_t *shown)
{
    uint64_t accepted, refused;

    tx_round_stats(h->round, &accepted, &refused);
    if (accepted + refused != *shown) {
        *shown = accepted + refused;
        tx_notify("STATUS=serving on %s: %llu submits accepted, %llu refused", endpoint,
                  (unsigned long long)accepted, (unsigned long long)refused);
    }
}

static void
serve(hub *h, const char *endpoint)
{
    int64_t next_housekeeping = tx_clock_ms() + HOUSEKEEPING_MS;
    /* The watchdog is pinged from the loop itself: a loop that hangs stops pinging. */
    int64_t watchdog_ms = tx_notify_watchdog_ms(), next_watchdog = 0;
    uint64_t shown = 0;

    atomic_store_explicit(&h->stats.loop_ms, tx_clock_ms(), memory_order_relaxed);
    atomic_store_explicit(&h->stats.state, TX_STATS_SERVING, memory_order_relaxed);

    /* The signal handler only sets a flag. zmq_poll does not always return on a signal (one
     * that lands while it handles ZeroMQ's internal commands is absorbed and polling goes on),
     * so the poll wakes every tick to look at the flag. */
    while (!stop_requested) {
        zmq_pollitem_t items[3] = {{h->router, 0, ZMQ_POLLIN, 0},
                                   {tx_zap_socket(h->zap), 0, ZMQ_POLLIN, 0},
                                   {h->monitor, 0, ZMQ_POLLIN, 0}};
        /* Calls taken last round are answered by the next one, at once. */
        int rc = zmq_poll(items, 3, tx_round_pending(h->round) ? 0 : TICK_MS);

        atomic_store_explicit(&h->stats.loop_ms, tx_clock_ms(), memory_order_relaxed);

        if (rc < 0 && errno != EINTR) {
            tx_error("hub: poll failed: %s", zmq_strerror(errno));
            break;
        }
        /* A map another process grew is adopted while no transaction is open (tx_round.h). */
        tx_round_quiet(h->round);
        if (rc > 0 && (items[1].revents & ZMQ_POLLIN)) {
            tx_zap_serve(h->zap);
        }
        if (rc > 0 && (items[2].revents & ZMQ_POLLIN)) {
            count_connections(h);
        }
        if ((rc > 0 && (items[0].revents & ZMQ_POLLIN)) || tx_round_pending(h->round)) {
            tx_round_run(h->round);
        }
        if (tx_clock_ms() >= next_housekeeping) {
            tx_store_reader_check(h->store);
            count_log(h);
            follow_check(h);
            notify_status(h, endpoint, &shown);
            next_housekeeping = tx_clock_ms() + HOUSEKEEPING_MS;
        }
        if (watchdog_ms > 0 && tx_clock_ms() >= next_watchdog) {
            tx_notify("WATCHDOG=1");
            next_watchdog = tx_clock_ms() + watchdog_ms;
        }
    }
    tx_notify("STOPPING=1\nSTATUS=stopping: committing and answering the calls taken");
    /* Calls already taken are committed and answered before the hub stops. */
    atomic_store_explicit(&h->stats.state, TX_STATS_STOPPING, memory_order_relaxed);
    tx_round_finish(h->round);
}

/* Makes sure the latest checkpoint covers the log and says what it is. A failure (a damaged
 * or full store) is logged: the hub still serves what it has, and each commit tries again. */
static void
log_checkpoint(tx_store *s)
{
    tx_checkpoint_info cp;
    uint8_t *env = NULL;
    size_t len;
    char root[65];
    int made = 0;
    int rc = tx_store_checkpoint_refresh(s, &made);

    if (rc != TX_OK) {
        tx_error("hub: cannot sign a checkpoint of the log: %s", tx_strerror(rc));
        return;
    }
    if ((rc = tx_store_checkpoint(s, &env, &len, &cp)) != TX_OK) {
        tx_error("hub: cannot read the latest checkpoint: %s", tx_strerror(rc));
        return;
    }
    free(env);
    tx_hex(root, cp.root, 32);
    root[16] = 0;
    tx_log_kv(TX_LOG_INFO, TX_FIELDS(TX_KN("size", cp.size), TX_KV("root", root)),
              "hub: %s checkpoint: %llu records, root %s", made ? "signed a" : "latest",
              (unsigned long long)cp.size, root);
}

/* Core dumps could hold the hub's secret key. */
static void
no_core_dumps(void)
{
    struct rlimit rl = {0, 0};

    if (setrlimit(RLIMIT_CORE, &rl) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        tx_warn("hub: could not turn off core dumps");
    }
}

int
tx_hub_run(const tx_hub_options *opt)
{
    char endpoint[1024], endpoint_path[PATH_MAX], line[1100], fp[TX_FP_LEN];
    struct sigaction sa;
    sigset_t block, old;
    tx_identity *id = NULL;
    uint64_t accepted, refused;
    hub h;
    int lock_fd = -1, wrote_endpoint = 0;
    int rc;

    memset(&h, 0, sizeof h);
    h.stats.start_time = tx_now();
    h.dir = opt->dir;
    h.check = opt->check;
    atomic_store_explicit(&h.stats.store_check,
                          h.check != NULL ? TX_CHECK_RUNNING : TX_CHECK_PASSED,
                          memory_order_relaxed);
    stop_requested = 0;
    no_core_dumps();
    if ((rc = tx_path_join(endpoint_path, sizeof endpoint_path, opt->dir, "endpoint")) != TX_OK) {
        tx_store_check_bg_stop(&h.check);
        return rc;
    }
    if ((rc = tx_hub_lock(opt->dir, &lock_fd)) != TX_OK) {
        tx_store_check_bg_stop(&h.check);
        return rc;
    }
    if ((rc = tx_identity_load(opt->dir, "hub", &id)) != TX_OK) {
        tx_error("hub: cannot load %s/hub.key: %s", opt->dir, tx_strerror(rc));
        goto out;
    }
    if ((rc = tx_store_open(opt->dir, opt->map_size, &h.store)) != TX_OK) {
        goto out;
    }
    /* The hub's signing key signs a checkpoint with every commit that grows the log, and one
     * now if the latest does not cover it (a new hub, or profiles enrolled meanwhile). */
    tx_store_set_signer(h.store, id);
    log_checkpoint(h.store);
    count_log(&h);
    /* A check that ended already (damage seen in the file) refuses writes before any call. */
    follow_check(&h);
    /* ZeroMQ's I/O threads inherit this mask, so SIGTERM reaches the poll loop's thread and
     * interrupts zmq_poll at once. */
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    h.ctx = zmq_ctx_new();
    rc = h.ctx == NULL ? TX_ERR_NET : TX_OK;
    /* ZAP first: a CURVE socket bound without a handler admits anyone. */
    if (rc == TX_OK && (rc = tx_zap_open(h.ctx, h.store, id->pub.curve, &h.zap)) == TX_OK) {
        rc = open_router(&h, id, opt->bind, endpoint, sizeof endpoint);
    }
    if (rc == TX_OK) {
        rc = tx_round_create(h.router, h.store, &h.round);
    }
    /* Pool threads start with SIGTERM and SIGINT blocked, like ZeroMQ's. */
    if (rc == TX_OK && (rc = tx_vpool_create(opt->workers, &h.pool)) == TX_OK) {
        tx_round_set_pool(h.round, h.pool);
        tx_round_set_stats(h.round, &h.stats);
    }
    /* Its thread too. */
    if (rc == TX_OK && opt->metrics != NULL &&
        (rc = tx_metrics_start(opt->metrics, opt->dir, &h.stats, h.pool, &h.metrics)) != TX_OK) {
        tx_error("hub: cannot serve metrics on %s: %s", opt->metrics_text, tx_fail_msg());
    }
    if (h.metrics != NULL) {
        /* Before DIR/endpoint is written: whoever waits for that file finds this line. */
        tx_log_kv(TX_LOG_INFO, TX_FIELDS(TX_KV("metrics", tx_metrics_url(h.metrics))),
                  "hub: metrics on %s/metrics (health: /healthz, /readyz)",
                  tx_metrics_url(h.metrics));
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != TX_OK) {
        goto out;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_sigbus;
    sigaction(SIGBUS, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    snprintf(line, sizeof line, "%s\n", endpoint);
    if ((rc = tx_file_replace(endpoint_path, line, strlen(line), 0644)) != TX_OK) {
        tx_error("hub: cannot write %s: %s", endpoint_path, tx_strerror(rc));
        goto out;
    }
    wrote_endpoint = 1;
    tx_fingerprint(id->pub.sign, fp);
    tx_log_kv(TX_LOG_INFO,
              TX_FIELDS(TX_KV("hub", fp), TX_KV("endpoint", endpoint), TX_KV("data", opt->dir),
                        TX_KN("workers", tx_vpool_workers(h.pool))),
              "hub %s serving on %s (data %s, %u verification threads)", fp, endpoint, opt->dir,
              tx_vpool_workers(h.pool));
    /* Only now does it take calls: the service manager may start what depends on it. */
    tx_notify("READY=1\nSTATUS=serving on %s", endpoint);
    serve(&h, endpoint);
    tx_round_stats(h.round, &accepted, &refused);
    tx_log_kv(TX_LOG_INFO, TX_FIELDS(TX_KN("accepted", accepted), TX_KN("refused", refused)),
              "hub stopping: %llu accepted, %llu refused", (unsigned long long)accepted,
              (unsigned long long)refused);
out:
    /* Before anything it reads is freed. */
    tx_metrics_stop(&h.metrics);
    if (wrote_endpoint) {
        unlink(endpoint_path);
    }
    if (h.router != NULL) {
        zmq_close(h.router);
    }
    if (h.monitor != NULL) {
        zmq_close(h.monitor);
    }
    tx_zap_destroy(&h.zap);
    /* A second signal during shutdown interrupts zmq_ctx_term; it must still finish. */
    while (h.ctx != NULL && zmq_ctx_term(h.ctx) != 0 && errno == EINTR) {
    }
    /* Every round waited for its jobs, so the pool is idle here. */
    tx_vpool_destroy(&h.pool);
    tx_round_destroy(&h.round);
    tx_store_check_bg_stop(&h.check);
    tx_store_close(&h.store);
    tx_identity_destroy(&id);
    tx_hub_unlock(&lock_fd);
    return rc;
}

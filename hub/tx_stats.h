/* The hub's counters and gauges for its metrics page: plain C11 atomics that the serving
 * loop (their one writer) updates with relaxed loads and stores, without a lock or a locked
 * instruction, and that the metrics server's thread reads at a scrape. Nothing in here
 * names a record, a key, a payload or an organisation: only counts, sizes and times. */
#ifndef TX_STATS_H
#define TX_STATS_H

#include "tx_status.h"

#include <stdatomic.h>
#include <stdint.h>

/* Upper bounds of the duration histograms' buckets, in microseconds (the page shows them in
 * seconds); a last bucket, +Inf, counts everything. */
#define TX_STATS_BUCKETS 14
extern const int64_t tx_stats_bucket_us[TX_STATS_BUCKETS];

typedef struct {
    _Atomic uint64_t bucket[TX_STATS_BUCKETS + 1]; /* not cumulative; the last is +Inf */
    _Atomic uint64_t sum_us; /* the count is the buckets' sum, so the two always agree */
} tx_stats_histogram;

/* Where the serving loop is, for /readyz. */
enum { TX_STATS_STARTING = 0, TX_STATS_SERVING = 1, TX_STATS_STOPPING = 2 };

typedef struct {
    _Atomic uint64_t submits[TX_STATUS_COUNT_]; /* submitted envelopes answered, by status */
    _Atomic uint64_t stored;                    /* new records this process stored */
    _Atomic uint64_t verified_here;             /* submits verified on the loop's thread */
    tx_stats_histogram round;                   /* rounds that answered calls: take to answers */
    tx_stats_histogram commit;                  /* write transactions' commits (their fsync) */
    _Atomic uint64_t log_size;                  /* records in the log (its leaves) */
    _Atomic int64_t checkpoint_time;            /* the latest checkpoint's time, Unix s; 0 none */
    _Atomic uint64_t accepted, disconnected;    /* TCP connections of the ZeroMQ socket */
    _Atomic uint64_t handshakes_ok, handshakes_failed; /* CURVE + ZAP handshakes */
    _Atomic int state;                                 /* TX_STATS_* */
    _Atomic int64_t loop_ms;                           /* monotonic ms the loop last turned */
    int64_t start_time;                                /* Unix s; set before serving */
    _Atomic int store_check;                           /* the full check of the store: TX_CHECK_* */
    _Atomic uint64_t store_checked;                    /* records it walked so far */
    /* checkpoint.signed: 1 while its last record failed (writes are refused), and the records
     * that failed since the start */
    _Atomic uint64_t signed_failing, signed_failures;
} tx_stats;

/* The loop's updates: one writer, so a relaxed load and store is enough (and costs what a
 * plain increment does). */
static inline void
tx_stats_add(_Atomic uint64_t *c, uint64_t n)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

static inline void
tx_stats_set(_Atomic uint64_t *c, uint64_t v)
{
    atomic_store_explicit(c, v, memory_order_relaxed);
}

static inline uint64_t
tx_stats_get(_Atomic uint64_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

/* Counts one submit answered with status (outside the table: internal). s may be NULL. */
static inline void
tx_stats_submit(tx_stats *s, int status)
{
    if (s != NULL) {
        tx_stats_add(
            &s->submits[status >= 0 && status < TX_STATUS_COUNT_ ? status : TX_STATUS_INTERNAL], 1);
    }
}

/* Counts one duration of us microseconds into h. */
void tx_stats_observe(tx_stats_histogram *h, int64_t us);

#endif

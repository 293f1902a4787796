/* The hub's thread pools: the verification pool, worker threads that run jobs (decode and
 * verify one submitted envelope) while the loop goes on receiving, and the writer, one thread
 * that commits batches (tx_round.c). Jobs start in submission order; each writes its result
 * into its own slot, so the loop reads results in arrival order whatever order they finished
 * in. The verification pool never touches the store. */
#ifndef TX_VPOOL_H
#define TX_VPOOL_H

#include <stddef.h>
#include <stdint.h>

#define TX_VPOOL_MAX_WORKERS 256

typedef struct tx_vpool tx_vpool;

/* A job: runs on a worker thread with the argument it was submitted with. */
typedef void (*tx_vpool_fn)(void *arg);

/* Jobs that can be waited for apart from later ones (one round's submits). Zero it before
 * its first job; the pool only counts in it. */
typedef struct {
    size_t pending;
    int watched; /* tx_vpool_group_watch found it unfinished: its last job signals the fd */
} tx_vpool_group;

/* Starts `workers` threads (0: one per online CPU; capped at TX_VPOOL_MAX_WORKERS). The
 * threads inherit the caller's signal mask: block the signals the caller handles first.
 * TX_ERR_NOMEM, TX_ERR_INTERNAL if a thread cannot start. Caller owns *out
 * (tx_vpool_destroy). */
int tx_vpool_create(unsigned workers, tx_vpool **out);

/* The same with threads named `name` (at most 15 bytes are kept) that add `nice` to the
 * hub's niceness (0: they keep it). tx_vpool_create is ("tx-verify", 5): verifiers yield to
 * the threads that take, commit and answer. */
int tx_vpool_create_as(unsigned workers, const char *name, int nice, tx_vpool **out);

/* Runs every job still queued, joins the threads and frees; *p_p becomes NULL. NULL is fine. */
void tx_vpool_destroy(tx_vpool **p_p);

/* Number of worker threads. */
unsigned tx_vpool_workers(const tx_vpool *p);

/* Queues fn(arg); arg is borrowed until the job has run (tx_vpool_wait). TX_ERR_NOMEM. */
int tx_vpool_submit(tx_vpool *p, tx_vpool_fn fn, void *arg);

/* The same, counting the job in group g (borrowed until its jobs have run). */
int tx_vpool_submit_group(tx_vpool *p, tx_vpool_group *g, tx_vpool_fn fn, void *arg);

/* Queues fn(args[i]) for i < n, in order, counted in group g (NULL: none), under one lock and
 * with one wake-up call for the workers: a round's submits are handed over together.
 * All or nothing: TX_ERR_NOMEM queues none. */
int tx_vpool_submit_all(tx_vpool *p, tx_vpool_group *g, tx_vpool_fn fn, void *const *args,
                        size_t n);

/* True when every job of g has finished; what they wrote is then visible to the caller. */
int tx_vpool_group_done(tx_vpool *p, tx_vpool_group *g);

/* The same, and when it is false, the job that finishes g makes tx_vpool_fd readable (once):
 * for a caller about to wait on that descriptor. A group nobody watches finishes silently. */
int tx_vpool_group_watch(tx_vpool *p, tx_vpool_group *g);

/* Blocks until every job of g has finished. */
void tx_vpool_group_wait(tx_vpool *p, tx_vpool_group *g);

/* True when every job submitted so far has finished. What a finished job wrote is visible to
 * the caller once this returned true (or tx_vpool_wait returned). */
int tx_vpool_idle(tx_vpool *p);

/* Blocks until every job submitted so far has finished. */
void tx_vpool_wait(tx_vpool *p);

/* Jobs submitted and not finished (queued or running), read without the pool's mutex from
 * any thread: a moment's figure for the metrics page. */
size_t tx_vpool_depth(tx_vpool *p);

/* A descriptor that becomes readable when a watched group finishes (tx_vpool_group_watch),
 * or when the pool goes idle after a job submitted without a group, for zmq_poll or poll(2)
 * beside other sockets; tx_vpool_idle() and tx_vpool_group_done() stay the truth (readiness
 * is a hint). A group's jobs write nothing to it unless the group is watched: a caller that
 * does not wait for them is not woken. Borrowed. */
int tx_vpool_fd(const tx_vpool *p);

/* Consumes the readiness of tx_vpool_fd without blocking. */
void tx_vpool_clear_fd(tx_vpool *p);

#endif

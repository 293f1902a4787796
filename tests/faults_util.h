/* Helpers for the fault tests (crash, storage, hostile input, abuse): a hub started with extra
 * options, pipelined submits within a window, the store's integrity check and mdb_stat run on a
 * data directory, and what /proc says about the hub. Failures abort the test (cmocka). */
#ifndef FAULTS_UTIL_H
#define FAULTS_UTIL_H

#include "harness.h"
#include "tx_store_check.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define FU_WINDOW 200 /* calls a test client keeps in flight: under the hub's per-client limit */

/* One record to submit and what became of it. */
typedef struct {
    uint8_t *env; /* owned by the caller */
    size_t len;
    uint8_t id[32];
    int status;     /* reply status; -1 while unanswered */
    uint64_t index; /* receipt index when OK */
    char message[160];
} fu_rec;

/* Makes n questionnaires signed by id with seq from first_seq. Caller frees with fu_recs_free. */
fu_rec *fu_questionnaires(const tx_identity *id, uint64_t first_seq, size_t n);
void fu_recs_free(fu_rec *recs, size_t n);

/* Sends rec as a Submit call on c without waiting; *call_id receives the call's id for
 * tx_conn_wait. Returns the tx_conn_send code. */
int fu_send_submit(tx_conn *c, const fu_rec *rec, uint64_t *call_id);

/* Submits recs[0..n) on c keeping at most `window` calls in flight; fills status, index and
 * message of each answered one. Stops early (leaving the rest at -1) after the first reply
 * whose status is `stop_on` (-1: never) once every call sent has been answered. Returns
 * TX_OK, or the tx_conn error that ended it (a timeout: the hub went away). */
int fu_submit_all(tx_conn *c, fu_rec *recs, size_t n, unsigned window, int stop_on);

/* Opens the store in dir in this process and runs tx_store_check; prints its notes on
 * failure. Returns the check's code. */
int fu_check_store(const char *dir, tx_store_report *r);

/* The last log index of the store in dir, opened in this process. */
uint64_t fu_last_index(const char *dir);

/* Runs `mdb_stat FLAGS dir` into out (size n): its exit status, or -1 when mdb_stat is not
 * installed. */
int fu_mdb_stat(const char *flags, const char *dir, char *out, size_t n);

/* Open file descriptors and resident memory (KiB) of a process; -1 if unreadable. */
long fu_proc_fds(pid_t pid);
long fu_proc_rss_kb(pid_t pid);

/* Another member that keeps fetching one known record on its own connection while a test
 * attacks the hub, counting how it is served. */
typedef struct {
    const th_hub *hub; /* borrowed, as are id and known */
    const tx_identity *id;
    const uint8_t *known; /* TX_ID_LEN bytes */
    int timeout_ms;       /* of its connection */
    unsigned pause_us;    /* between fetches */
    pthread_t thread;
    atomic_int stop;
    atomic_uint served, failed; /* fetches answered with the record, and not */
    atomic_llong worst_ms;      /* the slowest fetch */
} fu_member;

/* Starts m's thread with its counters at 0 (asserted). A member that cannot connect counts
 * one failure and ends. */
void fu_member_start(fu_member *m, const th_hub *h, const tx_identity *id,
                     const uint8_t known[TX_ID_LEN], int timeout_ms, unsigned pause_us);

/* Tells m's thread to end and joins it; the counters stay for the caller to check. */
void fu_member_stop(fu_member *m);

/* True if the hub's log file contains `text`. */
int fu_log_has(const th_hub *h, const char *text);

/* Hubs started from now on (th_hub_start) run under the checkpoint.signed shim (sync_shim.c,
 * preloaded through TX_TEST_HUB_WRAPPER, a script written in dir): each write and flush of
 * DIR/checkpoint.signed is held back, and what is durable is copied to DIR/durable. Returns 0,
 * and sets nothing, when TX_TEST_HUB_WRAPPER is set already (valgrind): the caller skips. */
int fu_signed_shim_on(const char *dir);

/* Hubs started from now on run without it. */
void fu_signed_shim_off(void);

/* Pings the hub as id on a fresh connection: TX_OK or the connection's error. */
int fu_ping(const th_hub *h, const tx_identity *id, int timeout_ms);

#endif

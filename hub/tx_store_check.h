/* An integrity check of a hub's store, for operators (`ticsx-hub check`), backups and the
 * crash tests: the log is the source of truth, and every index derived from it must agree. */
#ifndef TX_STORE_CHECK_H
#define TX_STORE_CHECK_H

#include "tx_store.h"

#include <stddef.h>
#include <stdint.h>

#define TX_CHECK_NOTES 8 /* problems described; more are only counted */
#define TX_CHECK_NOTE_LEN 400

/* Flags of the checks: skip each record's signature (the hub's checks, see
 * tx_store_check_dir); only what the hub checks before it serves (see tx_store_check_with). */
#define TX_CHECK_QUICK 1u
#define TX_CHECK_START 2u
#define TX_CHECK_TAIL 1000 /* the last records TX_CHECK_START reads whole */

typedef struct {
    uint64_t records;  /* complete log entries */
    uint64_t last;     /* highest log index, 0 when empty */
    uint64_t ids;      /* entries of the record id index */
    uint64_t problems; /* everything found wrong */
    size_t n_notes;
    char notes[TX_CHECK_NOTES][TX_CHECK_NOTE_LEN]; /* the first problems, one line each */
    char phase[64]; /* what the check was reading last (named when reading it crashed) */
} tx_store_report;

/* What the log is checked against besides itself. */
typedef struct {
    unsigned flags;         /* TX_CHECK_* */
    const uint8_t *hub_key; /* Ed25519 key the stored checkpoint must be signed with; NULL: any */
    int have_signed;        /* DIR/checkpoint.signed was read: the log must reach signed_size */
    uint64_t signed_size;   /* and its first signed_size records have signed_root */
    uint8_t signed_root[32];
} tx_check_opts;

/* Reads the whole store in one snapshot (the hub may keep writing meanwhile) and checks that:
 * log indices run densely from 1; every entry's parts are complete and in order; every entry
 * decodes, verifies against its signer and has a payload of its kind; the record id index
 * holds exactly one entry per log entry, pointing back at its index and kind; the signer's
 * last sequence number is at least the record's; a public record is in the public index and
 * any other is visible to its signer; the public, access, grantee, member and transport
 * indices point only at log entries of the right kind and at members.
 * TX_OK with r->problems == 0 when all hold; TX_ERR_STORAGE when something does not (r says
 * what); other codes when the check could not run. */
int tx_store_check(tx_store *s, tx_store_report *r);

/* tx_store_check, and besides: every derived index (record ids, sequence numbers, public,
 * members, transports) is recomputed from the log and compared entry by entry; every Merkle
 * node is recomputed from the log's bytes and compared; the stored checkpoint's signature is
 * checked (against o->hub_key when given) and its size and root against the recomputed tree;
 * the log reaches the size, and has the root, of o's signed record. Every LMDB database
 * (the free list and the main one included) is walked to its last page. o may be NULL. */
int tx_store_check_with(tx_store *s, const tx_check_opts *o, tx_store_report *r);

/* With TX_CHECK_START in o->flags, instead: the record id index holds one entry per log
 * record and the Merkle tree one node per perfect subtree; the last TX_CHECK_TAIL records read
 * whole, decode as a stored kind, are in the id index and have their stored leaf; the stored
 * checkpoint and o's signed record agree with the root of the stored nodes. O(TX_CHECK_TAIL +
 * log n) reads: enough to know that the store's head is what the hub signed and that the next
 * write extends a sound log. A record changed in place further back is the full check's. */

/* Checks the hub database in dir without trusting it: tx_store_file_check on the bytes of
 * data.mdb, then, in a child process (LMDB has no page checksums and asserts or faults on a
 * damaged page), tx_store_check_with on the environment opened read-only, against dir's
 * hub.pub and checkpoint.signed. A child that crashes becomes a problem naming what it was
 * reading. flags: TX_CHECK_*. TX_OK clean; TX_ERR_STORAGE with r's notes; TX_ERR_NOT_FOUND when
 * dir has no data.mdb; other codes when the check could not run. */
int tx_store_check_dir(const char *dir, unsigned flags, tx_store_report *r);

/* The full check (tx_store_check_dir) of a serving hub's store, in a child process at the
 * lowest CPU and I/O priority that dies with its parent. */
typedef struct tx_store_check_bg tx_store_check_bg;

enum { TX_CHECK_RUNNING, TX_CHECK_PASSED, TX_CHECK_FAILED, TX_CHECK_NOT_RUN };

/* Starts checking dir with flags (TX_CHECK_QUICK: the hub's) and returns at once. Call it
 * before the process starts threads (it forks). TX_ERR_NOMEM, TX_ERR_INTERNAL (no fork). */
int tx_store_check_bg_start(const char *dir, unsigned flags, tx_store_check_bg **out);

/* Where the check is, without waiting: TX_CHECK_RUNNING (*checked: the records walked so far),
 * TX_CHECK_PASSED, TX_CHECK_FAILED (r says what is wrong) or TX_CHECK_NOT_RUN (*rc says why).
 * Once ended it stays so. r and rc may be NULL. */
int tx_store_check_bg_poll(tx_store_check_bg *b, uint64_t *checked, tx_store_report *r, int *rc);

/* Stops a check still running (SIGKILL to its child), waits for it and frees *b. NULL is fine. */
void tx_store_check_bg_stop(tx_store_check_bg **b);

#endif

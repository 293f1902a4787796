/* An integrity check of a hub's store, for operators (`ticsx-hub check`), backups and the
 * crash tests: the log is the source of truth, and every index derived from it must agree. */
#ifndef TX_STORE_CHECK_H
#define TX_STORE_CHECK_H

#include "tx_store.h"

#include <stddef.h>
#include <stdint.h>

#define TX_CHECK_NOTES 8 /* problems described; more are only counted */
#define TX_CHECK_NOTE_LEN 400

#define TX_CHECK_QUICK 1u /* skip each record's signature (the hub's start: see tx_store_check_dir) */

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

/* Checks the hub database in dir without trusting it: tx_store_file_check on the bytes of
 * data.mdb, then, in a child process (LMDB has no page checksums and asserts or faults on a
 * damaged page), tx_store_check_with on the environment opened read-only, against dir's
 * hub.pub and checkpoint.signed. A child that crashes becomes a problem naming what it was
 * reading. flags: TX_CHECK_*. TX_OK clean; TX_ERR_STORAGE with r's notes; TX_ERR_NOT_FOUND when
 * dir has no data.mdb; other codes when the check could not run. */
int tx_store_check_dir(const char *dir, unsigned flags, tx_store_report *r);

#endif

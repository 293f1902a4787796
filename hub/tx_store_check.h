/* An integrity check of a hub's store, for operators (`ticsx-hub check`), backups and the
 * crash tests: the log is the source of truth, and every index derived from it must agree. */
#ifndef TX_STORE_CHECK_H
#define TX_STORE_CHECK_H

#include "tx_store.h"

#include <stddef.h>
#include <stdint.h>

#define TX_CHECK_NOTES 8 /* problems described; more are only counted */
#define TX_CHECK_NOTE_LEN 200

typedef struct {
    uint64_t records;  /* complete log entries */
    uint64_t last;     /* highest log index, 0 when empty */
    uint64_t ids;      /* entries of the record id index */
    uint64_t problems; /* everything found wrong */
    size_t n_notes;
    char notes[TX_CHECK_NOTES][TX_CHECK_NOTE_LEN]; /* the first problems, one line each */
} tx_store_report;

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

#endif

/* The hub's data file as bytes, before LMDB is let near it, and the record of the last
 * checkpoint the hub signed, kept outside the LMDB environment.
 *
 * LMDB trusts its file: a file that is not LMDB opens as an empty database, a truncated one
 * kills the reader with SIGBUS, a damaged meta page's transaction id silently selects the
 * older meta page (the log rolls back one transaction). tx_store_file_check reads the two
 * meta pages itself and refuses those cases with a sentence; the signed record
 * (DIR/checkpoint.signed) catches a rollback that leaves the meta pages plausible. */
#ifndef TX_STORE_FILE_H
#define TX_STORE_FILE_H

#include <stddef.h>
#include <stdint.h>

#define TX_SIGNED_FILE "checkpoint.signed"

/* Checks DIR/data.mdb without LMDB: not empty, an LMDB data file (both meta pages with
 * LMDB's magic and version, a sane page size), transaction ids of the two meta pages one
 * apart with the parity of their page (LMDB writes meta page txnid & 1), every root page
 * inside the file, and the file as long as the newest meta page says it is (a shorter file
 * would be read past its end: SIGBUS). TX_OK; TX_ERR_NOT_FOUND when there is no data.mdb;
 * TX_ERR_STORAGE with one lowercase sentence in why (size n) naming the problem;
 * TX_ERR_IO when it cannot be read. */
int tx_store_file_check(const char *dir, char *why, size_t n);

/* DIR/checkpoint.signed as its one writer (the hub) keeps it: open, with the slot written last
 * and what it records, so a record is one pwrite and one fdatasync. */
typedef struct {
    int fd;        /* -1: not open yet (opened and read at the next record) */
    uint64_t seq;  /* of the newest slot */
    uint64_t size; /* the size it records */
    int err;       /* errno of the last failed record (0: none or not known) */
} tx_signed_file;

/* An unopened record (fd -1). */
void tx_signed_init(tx_signed_file *f);

/* Closes f's descriptor, if open; f can be used again (it is reopened and read). */
void tx_signed_close(tx_signed_file *f);

/* Records that the hub signed a checkpoint of `size` records with `root` in
 * DIR/checkpoint.signed, durably (fdatasync) before returning: two checksummed slots written
 * in turn, in place (no new disk space needed once the file exists; the first write goes to a
 * temporary, renamed, the directory fsynced). The file is opened and read at the first record
 * and kept open; after a failed write it is closed and read again next time. TX_ERR_IO. */
int tx_signed_record(tx_signed_file *f, const char *dir, uint64_t size, const uint8_t root[32]);

/* The same, unless the file records `size` records or more already: a record that lags the
 * database (a crash between a commit and its record) catches up, and never goes back. */
int tx_signed_reach(tx_signed_file *f, const char *dir, uint64_t size, const uint8_t root[32]);

/* The same after a failed record: also when the file records exactly `size`, for a flush that
 * failed may have left that slot in the page cache only (read back, never on the disk). */
int tx_signed_redo(tx_signed_file *f, const char *dir, uint64_t size, const uint8_t root[32]);

/* Reads DIR/checkpoint.signed (its newest slot that checks). TX_ERR_NOT_FOUND when the hub
 * never wrote one (a new hub, or a backup restored into a new directory); TX_ERR_MALFORMED when
 * no slot checks. */
int tx_signed_read(const char *dir, uint64_t *size, uint8_t root[32]);

#endif

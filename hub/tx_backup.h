/* Hot backups of a hub data directory (`ticsx-hub backup`): a compact copy of the LMDB
 * environment taken in one read snapshot while the hub keeps serving, with the hub's public
 * key files, and its secret key only when asked. */
#ifndef TX_BACKUP_H
#define TX_BACKUP_H

#include <stdint.h>

typedef struct {
    uint64_t last;  /* the last log index in the copy: every record up to it is there */
    uint64_t bytes; /* size of the copy's data.mdb */
} tx_backup_info;

/* Copies the hub data directory `dir` into the new directory `out` (created 0700; TX_ERR_EXISTS
 * if anything is there already): data.mdb compacted (free pages left out) from one read
 * transaction, so the copy is the store exactly as some commit left it although the hub may
 * write meanwhile; hub.pub and hub_ed25519.pub; hub.key (0600) only when with_key. Everything
 * is on disk before TX_OK. A copy without hub.key serves again once the hub's hub.key is put
 * back beside it. On failure nothing of the copy is left. TX_ERR_NOT_FOUND if dir holds no
 * hub; TX_ERR_STORAGE_FULL if the copy does not fit. */
int tx_hub_backup(const char *dir, const char *out, int with_key, tx_backup_info *info);

/* The name of a dated backup directory for time t: "YYYY-MM-DDTHHMMSSZ" (UTC) into out, which
 * needs TX_BACKUP_NAME_LEN bytes. Names of later backups sort after earlier ones. */
#define TX_BACKUP_NAME_LEN 19
void tx_hub_backup_name(char out[TX_BACKUP_NAME_LEN], int64_t t);

/* Keeps the `keep` newest dated backups (directories named as tx_hub_backup_name names them)
 * in `parent` and removes the older ones: the files a backup holds, then the directory. Other
 * entries of parent are left alone, and so is a dated directory holding anything else (it is
 * logged). *removed gets how many were removed. TX_ERR_IO if parent cannot be read. */
int tx_hub_backup_prune(const char *parent, unsigned keep, unsigned *removed);

#endif

/* A checkpoint as the hub signs it (RFC 9162 tree size and root, time; a C2SP signed note that
 * may carry witness cosignatures): opened against the pinned hub key, judged against an earlier
 * one, saved as evidence. Nothing here talks to the hub. Log index i (from 1) is leaf i - 1. */
#ifndef TX_CHECKPOINT_H
#define TX_CHECKPOINT_H

#include "tx_home.h"

#include <stddef.h>
#include <stdint.h>

/* A checkpoint as signed by the hub. */
typedef struct {
    uint64_t size;
    uint8_t root[32];
    int64_t time;
    uint8_t *env; /* the checkpoint note as received, cosignatures included (owned) */
    size_t len;
    uint64_t hub_size; /* tx_log_check_sync: the hub's latest size when this is the newest
                        * witnessed checkpoint, older than the latest (which lacked the quorum);
                        * else 0 */
} tx_checkpoint;

/* Opens a checkpoint note (keys/tx_note.h): its text must be a ticsx checkpoint and carry a
 * note signature by `hub_sign` (the pinned hub key) under its origin; other signature lines
 * (witness cosignatures) are kept, not judged. The bytes are copied. TX_ERR_BAD_SIGNATURE,
 * TX_ERR_WRONG_KEY, TX_ERR_MALFORMED or TX_ERR_TOO_LARGE (message set). Caller clears *out. */
int tx_checkpoint_open(const uint8_t *env, size_t len, const uint8_t hub_sign[32],
                       tx_checkpoint *out);

/* Frees the bytes and zeroes. */
void tx_checkpoint_clear(tx_checkpoint *cp);

/* The time a checkpoint was signed as 2026-01-02T03:04:05Z ("@seconds" when it is none). */
void tx_checkpoint_time(int64_t time, char out[32]);

/* Judges a new checkpoint against the one kept: sizes equal -> the roots must be equal;
 * larger -> `path` must prove consistency; smaller -> a rollback; and time must not go
 * back. TX_OK or TX_ERR_CHECKSUM with the message naming both sizes and roots. */
int tx_checkpoint_judge(const tx_checkpoint *kept, const tx_checkpoint *next,
                        const uint8_t (*path)[32], size_t n);

/* Saves old and next as evidence/<prefix><time>-{old,new}.checkpoint (0644; "-2" etc. after
 * the time when taken) in the home and names them in where (size n; "" when they could not be
 * saved, with a warning). prefix: "" for the log's checkpoints, "witness-" for a witness's. */
void tx_checkpoint_save_evidence(tx_home *home, const char *prefix, const tx_checkpoint *old,
                                 const tx_checkpoint *next, char *where, size_t n);

#endif

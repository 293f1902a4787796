/* Witnesses of the hub's log (C2SP tlog-cosignature v1, keys/tx_note.h).
 *
 * Being one (`ticsx witness`): the home holds a witness key (witness.key 0600, witness.pub
 * 0644, the identity file format; its name is the note key name the cosignatures carry) and
 * the last checkpoint it cosigned (witness.checkpoint 0644). Each run fetches the hub's latest
 * checkpoint, checks it extends that one (a consistency proof; equal roots at equal sizes; time
 * not going back), cosigns it and hands the cosignature to the hub (Call.cosign). A checkpoint
 * that does not extend it is never cosigned: both are saved under evidence/ and the run fails
 * (TX_ERR_CHECKSUM).
 *
 * Relying on them: a home pins witness keys (witnesses/<key id>.pub, 0644) and a quorum
 * (witnesses/quorum, a number; absent = 0). With a quorum of N > 0, a checkpoint from the hub
 * is accepted only when it carries valid cosignatures of at least N distinct pinned witnesses.
 */
#ifndef TX_WITNESS_H
#define TX_WITNESS_H

#include "tx_checkpoint.h"
#include "tx_client.h"
#include "tx_keys.h"

#include <stddef.h>
#include <stdint.h>

#define TX_WITNESS_MAX 64 /* pinned witness keys */
#define TX_WITNESS_AGE_DEFAULT 86400 /* seconds a cosignature counts (witnesses/max-age) */
#define TX_WITNESS_AGE_MAX 31536000  /* a year */

/* Pins `file` (a witness.pub) in home_dir/witnesses. TX_ERR_USAGE for a file that is not a
 * public key file or whose name cannot be a note key name. *added 0 when pinned already. */
int tx_witness_add(const char *home_dir, const char *file, tx_pubkey *out, int *added);

/* The pinned witness keys in key id order; caller frees *keys. */
int tx_witness_list(const char *home_dir, tx_pubkey **keys, size_t *n);

/* Unpins the witness named by key id, fingerprint or name. TX_ERR_NOT_FOUND if none. */
int tx_witness_remove(const char *home_dir, const char *which, tx_pubkey *out);

/* The quorum (0 when never set) / sets it. Setting it above the pinned keys is TX_ERR_USAGE. */
int tx_witness_quorum(const char *home_dir, unsigned *quorum);
int tx_witness_set_quorum(const char *home_dir, unsigned quorum);

/* How old a cosignature may be and still count (witnesses/max-age; TX_WITNESS_AGE_DEFAULT when
 * never set) / sets it (60 s to a year, else TX_ERR_USAGE). */
int tx_witness_max_age(const char *home_dir, int64_t *seconds);
int tx_witness_set_max_age(const char *home_dir, int64_t seconds);

/* A home's witness policy, read once: its quorum, maximum age and pinned keys (keys and max_age
 * are read only when the quorum is above 0; otherwise keys is NULL, n 0). */
typedef struct {
    unsigned quorum;
    int64_t max_age;
    tx_pubkey *keys;
    size_t n;
} tx_witness_policy;

/* Reads home_dir's witness policy into *p (free with tx_witness_policy_free, also after a
 * failure). */
int tx_witness_policy_load(const char *home_dir, tx_witness_policy *p);
void tx_witness_policy_free(tx_witness_policy *p);

/* Judges the witness cosignatures of cp against a home's policy (pins, quorum and maximum age):
 * TX_OK when the quorum is 0 or met by cosignatures younger than the maximum age;
 * TX_ERR_REFUSED otherwise, the message saying whether the quorum cosigned it too long ago or
 * how many it had and needed. *had (may be NULL) gets the count of distinct pinned witnesses
 * whose cosignature of it counts. */
int tx_witness_check(const tx_witness_policy *p, const tx_checkpoint *cp, unsigned *had);

/* The Go note verifier key of a witness ("NAME+HASH+base64(0x04 || key)"). */
int tx_witness_vkey(const tx_pubkey *pk, char *out, size_t n);

/* One witness run (see above). `name` names a new witness key (NULL: "ticsx-witness/<key id>");
 * *made is set when the key was made by this run. out (may be NULL) gets the checkpoint
 * cosigned (caller clears). */
int tx_witness_once(tx_client *c, const char *name, int *made, tx_checkpoint *out);

#endif

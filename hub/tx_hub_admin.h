/* Operator commands on a hub data directory: init, enroll, health, and the directory's lock
 * and endpoint files. Everything ticsx-hub does besides serving. */
#ifndef TX_HUB_ADMIN_H
#define TX_HUB_ADMIN_H

#include "tx_ingest.h"
#include "tx_keys.h"

#include <stddef.h>

/* Takes the exclusive flock on DIR/hub.lock without waiting. TX_ERR_LOCKED if another process
 * holds it. *fd receives the descriptor to pass to tx_hub_unlock. */
int tx_hub_lock(const char *dir, int *fd);

/* Releases the lock; *fd becomes -1. */
void tx_hub_unlock(int *fd);

/* Whether this process may use the data directory `dir` and the files in it the hub opens:
 * read them, and write them too when `write` (run, enroll, init). TX_OK when it may, or when
 * dir does not exist but its parent lets it be made (init); TX_ERR_PERM with a tx_fail() detail
 * naming the path, its owner's uid and mode, this process's uid and what to do; TX_ERR_IO for a
 * read-only file system. */
int tx_hub_check_access(const char *dir, int write);

/* True when another process with this process's pid reads or writes dir's database: a hub that
 * is PID 1 of another container (another PID namespace) while this command is PID 1 of its own.
 * LMDB tells its readers apart by pid, so it can only fail with EAGAIN then. */
int tx_hub_pid_clash(const char *dir);

/* Creates dir (or narrows an existing one to 0700), the hub identity (hub.key 0600, hub.pub,
 * hub_ed25519.pub) and the LMDB environment. TX_ERR_EXISTS if dir already holds hub.key. pub_path
 * (size n) receives the path of hub.pub and fp the hub's fingerprint. `origin` (may be NULL: the
 * default, derived from the key) names the log on its checkpoints; it is kept as the hub key's
 * name (tx_store_set_signer). */
int tx_hub_init(const char *dir, const char *origin, char *pub_path, size_t n, char fp[TX_FP_LEN]);

/* Enrols the signed OrgProfile in the file at `path` (flags: TX_ENROLL_*). TX_OK means `res`
 * holds the verdict (status OK, possibly a duplicate, or a refusal); name (size n) gets the
 * profile's legal name and fp the signer's fingerprint when it decodes. Other codes: the file
 * or store failed. */
int tx_hub_enroll_file(const char *dir, const char *path, unsigned flags, tx_outcome *res,
                       char *name, size_t n, char fp[TX_FP_LEN]);

/* ticsx-hub reenroll: reads the new profile at `path`, loads the hub's key from DIR and runs
 * tx_ingest_reenrol (now as the date) in the data directory; fp receives the new key's
 * fingerprint when the profile decodes. TX_OK: res holds the verdict. */
int tx_hub_reenroll_file(const char *dir, const char *path, const char *replaces,
                         int64_t compromised_from, tx_outcome *res, char fp[TX_FP_LEN]);

/* Reads the endpoint a running hub wrote to DIR/endpoint into out (size n). */
int tx_hub_read_endpoint(const char *dir, char *out, size_t n);

/* Pings the hub at `endpoint` (NULL: DIR/endpoint) with the hub's own key. TX_OK if it
 * answered, TX_ERR_UNREACHABLE if not within timeout_ms, TX_ERR_REFUSED if it refused. When it
 * answered that it refuses writes (a check found its store damaged) the reason goes in
 * refusal (size rn), else refusal is "". */
int tx_hub_health(const char *dir, const char *endpoint, int timeout_ms, char *used, size_t n,
                  char *refusal, size_t rn);

#endif

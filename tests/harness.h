/* Helpers for the hub tests: temporary directories, running the real ticsx-hub binary, and
 * identities and signed records made with the keys/ functions. Failures abort the test
 * (cmocka assertions), so callers get usable results or nothing. */
#ifndef HUB_TESTUTIL_H
#define HUB_TESTUTIL_H

#include "tx_codec.h"
#include "tx_conn.h"
#include "tx_keys.h"
#include "tx_seal.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A fresh directory under $TMPDIR (or /tmp). Caller frees the string and th_rmtree()s it. */
char *th_tmpdir(void);

/* The same, named PREFIX-XXXXXX. */
char *th_tmpdir_named(const char *prefix);

/* rm -rf dir. */
void th_rmtree(const char *dir);

/* Path of the ticsx-hub binary: $TX_BUILD_DIR/hub/ticsx-hub. Borrowed. */
const char *th_hub_bin(void);

/* Runs ticsx-hub with the NULL-terminated arguments, collecting stdout and stderr into out
 * (size n, NUL-terminated). Returns the exit status, or 128 + signal. $TX_TEST_HUB_WRAPPER
 * (e.g. "valgrind -q --error-exitcode=99") is put in front of the command when set. */
int th_run(char *out, size_t n, ...);

/* A running `ticsx-hub run` on dir, bound to tcp://127.0.0.1:*. */
typedef struct {
    pid_t pid;
    char dir[PATH_MAX];
    char endpoint[256];
    char log[PATH_MAX + 8]; /* dir + ".log": the hub's stderr */
    uint8_t curve[32];      /* from dir/hub.pub, for clients to pin */
} th_hub;

/* Fails the test (before it makes anything) when th_hub_bin() is not executable. */
void th_require_hub_bin(void);

/* ticsx-hub init --data dir; asserts success. */
void th_hub_init(const char *dir);

/* Starts the hub on dir and waits until it has written dir/endpoint (a stale one is removed
 * first). Asserts that it came up. */
void th_hub_start(th_hub *h, const char *dir);

/* Like th_hub_start, with more `ticsx-hub run` options (NULL-terminated, may be NULL). */
void th_hub_start_with(th_hub *h, const char *dir, const char *const *extra);

/* Sends sig and waits for the exit (SIGKILL after 30 s). Returns the exit status or
 * 128 + signal. */
int th_hub_stop(th_hub *h, int sig);

/* True while the hub process runs. */
int th_hub_alive(th_hub *h);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t th_now_ms(void);

/* A fresh identity (asserted). Caller owns it (tx_identity_destroy). */
tx_identity *th_identity(const char *name);

/* Signed records. Each returns a malloc'd envelope (caller frees) and its length in *len. */
uint8_t *th_profile(const tx_identity *id, uint64_t seq, size_t *len);
uint8_t *th_questionnaire(const tx_identity *id, uint64_t seq, size_t *len);
uint8_t *th_request(const tx_identity *id, uint64_t seq, const uint8_t qid[TX_ID_LEN],
                    const uint8_t (*suppliers)[32], size_t n, size_t *len);
/* A sealed assessment of a signed inner assessment; key receives the content key
 * (TX_CONTENT_KEY_LEN bytes of sodium_malloc'd memory the caller provides). */
uint8_t *th_sealed(const tx_identity *id, uint64_t seq, const uint8_t qid[TX_ID_LEN], uint8_t *key,
                   size_t *len);
/* The same, the answer's comment being secret, superseding old when not NULL, the ciphertext cut
 * to ct_keep bytes when not 0. */
uint8_t *th_sealed_with(const tx_identity *id, uint64_t seq, const uint8_t qid[TX_ID_LEN],
                        const uint8_t *old, const char *secret, uint8_t *key, size_t ct_keep,
                        size_t *len);
uint8_t *th_grant(const tx_identity *id, uint64_t seq, const uint8_t aid[TX_ID_LEN],
                  const tx_pubkey *grantee, const uint8_t *key, size_t *len);
uint8_t *th_revoke(const tx_identity *id, uint64_t seq, const uint8_t gid[TX_ID_LEN],
                   const uint8_t aid[TX_ID_LEN], const uint8_t grantee[32], size_t *len);
/* A certificate for holder issued by id (as a certification body), and an event for it. */
uint8_t *th_certificate(const tx_identity *id, uint64_t seq, const tx_identity *holder,
                        size_t *len);
uint8_t *th_cert_event(const tx_identity *id, uint64_t seq, const uint8_t cid[TX_ID_LEN],
                       size_t *len);
/* An accreditation of body by id (as the accreditor). */
uint8_t *th_accreditation(const tx_identity *id, uint64_t seq, const tx_identity *body,
                          size_t *len);

/* Writes id's profile (seq) to a file in dir's parent and runs `ticsx-hub enroll`. Returns the
 * exit status; the command's output goes to out (size n) when out is not NULL. */
int th_enroll(const char *dir, const tx_identity *id, uint64_t seq, char *out, size_t n);

/* A connection to the hub as id (asserted). Caller owns it (tx_conn_destroy). */
tx_conn *th_connect(const th_hub *h, const tx_identity *id, int timeout_ms);

/* Submits env and returns the reply (asserts the call itself worked). Caller tx_free()s. */
tx_reply_pb *th_submit(tx_conn *c, const uint8_t *env, size_t len);

/* Submits env and returns the reply's status, freeing the reply; *index gets the receipt's. */
int th_submit_status(tx_conn *c, const uint8_t *env, size_t len, uint64_t *index);

/* Sends a ListRecords call; caller tx_free()s the reply. */
tx_reply_pb *th_list(tx_conn *c, int kind, uint64_t after, uint32_t limit);

/* Gets record id and frees it: the tx_conn_get code (TX_OK when readable). */
int th_get_status(tx_conn *c, const uint8_t id[TX_ID_LEN]);

/* Lists every record of kind (asserting the status is OK) and returns how many there are. */
size_t th_list_count(tx_conn *c, int kind);

/* A bare ZeroMQ DEALER socket in ctx, CURVE-authenticated as id and connected to the hub, with
 * no linger and a receive timeout of timeout_ms (asserted). Caller zmq_close()s it. */
void *th_raw_dealer(const th_hub *h, void *ctx, const tx_identity *id, int timeout_ms);

#endif

/* The test harness: temporary directories, the real ticsx-hub and ticsx binaries run as
 * subprocesses (one runner for both), hubs started and stopped, parties with their own homes,
 * and identities and signed records made with the keys/ functions. Failures of the helpers
 * abort the test through cmocka assertions, so callers get usable results or nothing.
 * $TX_TEST_HUB_WRAPPER and $TX_TEST_CLIENT_WRAPPER (e.g. "valgrind -q --error-exitcode=99")
 * are put in front of every ticsx-hub and every ticsx command the harness runs. */
#ifndef HARNESS_H
#define HARNESS_H

#include "tx_codec.h"
#include "tx_conn.h"
#include "tx_keys.h"
#include "tx_seal.h"

#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A fresh directory under $TMPDIR (or /tmp). Caller frees the string and th_rmtree()s it. */
char *th_tmpdir(void);

/* The same, named PREFIX-XXXXXX. */
char *th_tmpdir_named(const char *prefix);

/* rm -rf dir. */
void th_rmtree(const char *dir);

/* Reads a whole file (asserted). Caller frees. */
char *th_read_file(const char *path);

/* Writes a file (asserted). */
void th_write_file(const char *path, const char *text);

/* True if needle occurs in the bytes of the file at path (asserted readable). */
int th_file_holds(const char *path, const char *needle);

/* The record cache of a client home (HOME/cache, one LMDB environment), read and changed with
 * LMDB itself, as damage or a hand would: db is "records" or "proofs", hex a record id (64 hex
 * digits). Not while this process has the home open (tx_home_destroy it first). th_cache_get
 * returns 1 and the value (caller frees) when the entry is there, 0 when not; th_cache_set
 * stores bytes as they are (the cache made if missing); th_cache_del returns 1 when it removed
 * the entry; th_cache_copy adds every record and marker of from's cache to to's. */
int th_cache_get(const char *home, const char *db, const char *hex, uint8_t **val, size_t *len);
void th_cache_set(const char *home, const char *db, const char *hex, const void *val, size_t len);
int th_cache_del(const char *home, const char *db, const char *hex);
void th_cache_copy(const char *from, const char *to);

/* Entries in a database of home's cache (0 when there is no cache yet). */
size_t th_cache_count(const char *home, const char *db);

/* Removes every entry of a database of home's cache whose value holds needle ("" for all);
 * returns how many. */
size_t th_cache_del_holding(const char *home, const char *db, const char *needle);

/* Flips bit 0x40 of the byte `from_end` bytes before the end of every cached record of at least
 * min_len bytes that matches its id (restore: of every one that does not, which flips it back),
 * in a child process, as another process would: so it may run while this process has the home
 * open. Returns how many (at most 250). */
size_t th_cache_flip(const char *home, size_t min_len, size_t from_end, int restore);

/* How many files in home/evidence have names ending in suffix (0 without the folder). */
size_t th_evidence_count(const char *home, const char *suffix);

/* $TX_BUILD_DIR/rel into out (size n). Borrowed out. */
const char *th_build_path(char *out, size_t n, const char *rel);

/* Path of the ticsx-hub binary: $TX_BUILD_DIR/hub/ticsx-hub. Borrowed. */
const char *th_hub_bin(void);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t th_now_ms(void);

/* A loopback TCP port no one listens on now: bound, read and released. */
unsigned th_free_port(void);

/* What a command did. */
typedef struct {
    int status; /* exit status, or 128 + signal */
    char *out;  /* stdout, NUL-terminated */
    char *err;  /* stderr, NUL-terminated */
} th_result;

/* Runs argv (argv[0] a path) with the extra environment entries env ("NAME=VALUE", NULL-ended,
 * may be NULL), stdin from /dev/null, and waits at most 120 s (600 s under a wrapper). The
 * wrapper of ticsx or ticsx-hub goes in front when argv[0] is one of them. Caller frees with
 * th_result_free. */
void th_exec(th_result *r, const char *const *env, const char *const *argv);

void th_result_free(th_result *r);

/* Fails the test, showing both outputs, unless r exited with status. */
void th_expect_status(const th_result *r, int status);

/* Fails the test unless needle occurs in hay. */
void th_expect_text(const char *hay, const char *needle);

/* Parses text as JSON (asserted). Caller json_decref()s. */
json_t *th_parse_json(const char *text);

/* The only questionnaire's document of a `report --json` output {"generated","reports":[doc]}
 * (asserted to hold exactly one), read back in the shape the renderers read (th_report_v1).
 * Borrowed from root. */
json_t *th_report_doc(const json_t *root);

/* A `report --json` output (format 2, README.md "Report JSON") read back in place into the
 * shape the renderers read in memory (format 1): each row's items and areas, levels and
 * questionnaire with their texts from the document's "questionnaires", each node that refers
 * to a row ("row") that row with the node's own members; "format" and "questionnaires" gone.
 * Asserts the format is 2 and every reference resolves. Returns root. */
json_t *th_report_v1(json_t *root);

/* Runs ticsx-hub with the NULL-terminated arguments, collecting stdout, then stderr, into out
 * (size n, NUL-terminated; may be NULL). Returns the exit status, or 128 + signal. */
int th_run(char *out, size_t n, ...);

/* A running `ticsx-hub run` on dir. */
typedef struct {
    pid_t pid;
    char dir[PATH_MAX];
    char endpoint[256];
    char key[PATH_MAX + 8]; /* dir/hub.pub, for ticsx --hub-key */
    char log[PATH_MAX + 8]; /* dir + ".log": the hub's stderr */
    uint8_t curve[32];      /* from dir/hub.pub, for library clients to pin */
} th_hub;

/* How th_hub_start runs the hub; every field may be left 0. */
typedef struct {
    const char *const *args; /* more `ticsx-hub run` options, NULL-terminated */
    const char *bind;        /* --bind; default tcp://127.0.0.1:* */
    const char *now;         /* TICSX_NOW for the hub, e.g. "@1700000000"; default the clock */
} th_hub_opts;

/* Fails the test (before it makes anything) when th_hub_bin() is not executable. */
void th_require_hub_bin(void);

/* ticsx-hub init --data dir; asserts success. */
void th_hub_init(const char *dir);

/* Starts `ticsx-hub run --data dir --log-level debug` with opts (may be NULL) and waits until
 * it has written dir/endpoint (a stale one is removed first); asserts that it came up. The hub
 * is remembered until th_hub_stop, for th_stop_leftover_hubs. */
void th_hub_start(th_hub *h, const char *dir, const th_hub_opts *opts);

/* For a hub expected to refuse: runs `ticsx-hub run --data dir --log-level error` and returns
 * its exit status when it stops by itself within 10 s (60 s under a wrapper), its output in out
 * (size n); or -1 when it came up and served (then stopped with SIGTERM). */
int th_hub_try_run(const char *dir, char *out, size_t n);

/* Sends sig and waits for the exit (SIGKILL after 30 s). Returns the exit status or
 * 128 + signal. */
int th_hub_stop(th_hub *h, int sig);

/* True while the hub process runs. */
int th_hub_alive(th_hub *h);

/* Kills (SIGKILL) every hub this process started that th_hub_stop has not stopped yet, so a
 * test that fails half way leaves none running. A cmocka setup or teardown: returns 0. */
int th_stop_leftover_hubs(void **state);

/* ticsx-hub enroll --data dir PROFILE; returns the exit status. The command's output goes to
 * out (size n) when out is not NULL, else to stderr on failure. */
int th_hub_enroll(const char *dir, const char *profile, char *out, size_t n);

/* What ticsx runs with beyond its arguments; every field may be left 0. */
typedef struct {
    const th_hub *hub;      /* named by TICSX_HUB and TICSX_HUB_KEY; NULL: neither is set */
    const char *now;        /* TICSX_NOW, e.g. "@1700000000"; NULL: the clock */
    const char *const *env; /* more "NAME=VALUE" entries, NULL-ended */
} th_ticsx_opts;

/* Runs $TX_BUILD_DIR/client/ticsx --home HOME ARGS... through th_exec with opts (may be NULL);
 * ap holds the arguments, NULL-ended. Like every child of the harness, it runs with
 * LC_ALL=C.UTF-8 (English) and no LANGUAGE unless opts->env names the language (LC_ALL,
 * LC_MESSAGES, LANG or LANGUAGE), e.g. "LANG=ja_JP.UTF-8". */
void th_ticsx_v(th_result *r, const th_ticsx_opts *opts, const char *home, va_list ap);

/* Starts ticsx as th_ticsx_v would, without waiting: stdout and stderr go to the files out and
 * err. Returns its pid; the caller waits for it. */
pid_t th_ticsx_spawn_v(const th_ticsx_opts *opts, const char *out, const char *err,
                       const char *home, va_list ap);

/* th_ticsx_v with the arguments inline and NULL-ended. */
void th_ticsx_with(th_result *r, const th_ticsx_opts *opts, const char *home, ...);

/* th_ticsx_v for a party of hub (may be NULL), the arguments inline and NULL-ended. */
void th_ticsx(th_result *r, const th_hub *hub, const char *home, ...);

/* th_ticsx, failing the test unless ticsx exits with status (its outputs are shown). */
void th_ticsx_expect(int status, const th_hub *hub, const char *home, ...);

/* th_ticsx, expected to succeed and print an id (64 hex digits) first on stdout: copied into
 * id (asserted). */
void th_ticsx_id(char id[65], const th_hub *hub, const char *home, ...);

/* A party with its own home: `ticsx keygen --name NAME [--corporate-number CORP]` in home
 * (corp may be NULL), asserted to succeed and print a fingerprint; then, unless hubdir is NULL,
 * home/profile.tx enrolled on the hub whose data directory is hubdir (asserted). */
void th_party(const char *hubdir, const char *home, const char *name, const char *corp);

/* A fresh identity (asserted). Caller owns it (tx_identity_destroy). */
tx_identity *th_identity(const char *name);

/* Signed records. Each returns a malloc'd envelope (caller frees) and its length in *len. */
uint8_t *th_profile(const tx_identity *id, uint64_t seq, size_t *len);
uint8_t *th_questionnaire(const tx_identity *id, uint64_t seq, size_t *len);
/* The same questionnaire's payload, unsigned, with id qid ("" leaves the field out). Caller
 * owns the bytes (free). */
uint8_t *th_questionnaire_payload(const char *qid, uint64_t seq, size_t *len);
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

/* A member record of `person` (its keys, the transport key `curve`, its name) signed by `org`
 * and naming `named` as the organisation (org's own key unless forging), and a removal. */
uint8_t *th_member(const tx_identity *org, const uint8_t named[32], uint64_t seq,
                   const tx_identity *person, const uint8_t curve[32], int role, int64_t from,
                   int64_t until, size_t *len);
uint8_t *th_member_removal(const tx_identity *org, uint64_t seq, const uint8_t person[32],
                           int64_t effective, size_t *len);
/* A Draft signed by `id` answering request `rid` of questionnaire `qid`: `text` sealed to the
 * seal key `to` (crypto_box_seal), standing in for the inner assessment envelope; created now. */
uint8_t *th_draft(const tx_identity *id, uint64_t seq, const uint8_t rid[TX_ID_LEN],
                  const uint8_t qid[TX_ID_LEN], const uint8_t to[32], const char *text,
                  size_t *len);
/* A DraftDecision signed by `id` on draft `did`: approved with assessment `aid`, or (aid NULL)
 * rejected; no note. */
uint8_t *th_draft_decision(const tx_identity *id, uint64_t seq, const uint8_t did[TX_ID_LEN],
                           const uint8_t *aid, size_t *len);

/* A key successor (kind 17) of organisation `org` signed by `by`, naming `pred` as the key
 * replaced and `succ`'s keys as its successor from `effective`; its proof made by `prover`
 * (succ itself, or a forger signing the statement with its own key). */
uint8_t *th_key_successor(const tx_identity *by, const uint8_t org[32], const uint8_t pred[32],
                          uint64_t seq, const tx_identity *succ, const tx_identity *prover,
                          int64_t effective, size_t *len);

/* A key revocation (kind 18) of `key` for organisation `org`, signed by `by`, from `from` and
 * log index `from_index`, with `reason`. */
uint8_t *th_key_revocation(const tx_identity *by, const uint8_t org[32], uint64_t seq,
                           const uint8_t key[32], int64_t from, uint64_t from_index,
                           const char *reason, size_t *len);

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

/* Pings the hub: the tx_conn_call code, or the reply's status as a code (TX_OK when it
 * answered OK, TX_ERR_NOT_ENROLLED for a caller the hub no longer admits). */
int th_ping(tx_conn *c);

/* Gets record id and frees it: the tx_conn_get code (TX_OK when readable). */
int th_get_status(tx_conn *c, const uint8_t id[TX_ID_LEN]);

/* Lists every record of kind (asserting the status is OK) and returns how many there are. */
size_t th_list_count(tx_conn *c, int kind);

/* A bare ZeroMQ DEALER socket in ctx, CURVE-authenticated as id and connected to the hub, with
 * no linger and a receive timeout of timeout_ms (asserted). Caller zmq_close()s it. */
void *th_raw_dealer(const th_hub *h, void *ctx, const tx_identity *id, int timeout_ms);

/* A hub and its parties for a group of cases: everything lives under one temporary root. */
typedef struct {
    char *root;                /* owned; removed by th_world_end */
    char hubdir[PATH_MAX + 8]; /* root/hub */
    th_hub hub;                /* running between th_world_start and th_world_end */
} th_world;

/* Makes w's root and initialises its hub in root/hub (not started yet). */
void th_world_begin(th_world *w);

/* root/dir into home (PATH_MAX bytes): the home of a party; returns home. Pass it to th_party
 * with w->hubdir to enrol the party, or NULL to keep it a stranger. */
char *th_world_home(const th_world *w, char *home, const char *dir);

/* A party of w enrolled on w's hub: th_party(w->hubdir, th_world_home(w, home, dir), name,
 * corp). Returns home. */
char *th_world_party(const th_world *w, char *home, const char *dir, const char *name,
                     const char *corp);

/* Starts w's hub (th_hub_start without options), once its parties are enrolled. */
void th_world_start(th_world *w);

/* A TICS certificate in w, on its started hub: `pinner` pins the accreditor `meti`
 * (trust add), `meti` accredits the body named `body_name` (home `body`) for every sector from
 * 2024-01-01 to 2099-01-01, and the body certifies `holder` with certificate `number` (scope
 * 設計・製造部門, sector manufacturing, 2024 criteria, issued `issued`, YYYY-MM-DD). */
void th_world_certify(const th_world *w, const char *meti, const char *pinner, const char *body,
                      const char *body_name, const char *holder, const char *number,
                      const char *issued);

/* A person of the organisation whose home is `org_home`: `ticsx keygen --member-of` in `home`
 * (its own keys beside the organisation's profile), then `member add` with `role` in the
 * organisation's home, on `hub`. Asserted. */
void th_person(const th_hub *hub, const char *home, const char *org_home, const char *name,
               const char *role);

/* An answers file for request `req` (id) at `path`: `questionnaire template REQ --format json`
 * run by the party `home` on `hub`, every item answered `choice` ("yes", "partly"...), and the
 * sub-suppliers `subs` (a JSON array, taken; NULL leaves the template's). Asserted. */
void th_answers_file(const th_hub *hub, const char *home, const char *req, const char *choice,
                     json_t *subs, const char *path);

/* Stops w's hub if it runs, asserting that it exits 0, and removes the root (kept and named on
 * stderr when $TX_TEST_KEEP is set). */
void th_world_end(th_world *w);

/* A precondition several cases of a group share (an exchange made through the binaries, say),
 * made by the first case that needs it so that each case also runs alone. *step starts 0.
 * Returns 1 when the caller must make it now and then call th_given_made(step); 0 when it is
 * made already; fails the test when an earlier attempt failed half way. */
int th_given(int *step, const char *what);
void th_given_made(int *step);

#endif

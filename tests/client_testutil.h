/* Helpers for the client tests: temporary directories, running the real ticsx and ticsx-hub
 * binaries as subprocesses with their output captured, and a hub started for a test. Failures
 * of the helpers themselves abort the test through cmocka assertions. Links with hub_testutil.c
 * (temporary directories). */
#ifndef CLIENT_TESTUTIL_H
#define CLIENT_TESTUTIL_H

#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

/* A fresh directory under $TMPDIR (or /tmp). Caller frees the string and th_rmtree()s it
 * (hub_testutil.h). */
char *ct_tmpdir(void);

/* $TX_BUILD_DIR/rel into out (size n). Borrowed out. */
const char *ct_build_path(char *out, size_t n, const char *rel);

typedef struct {
    int status; /* exit status, or 128 + signal */
    char *out;  /* stdout, NUL-terminated */
    char *err;  /* stderr, NUL-terminated */
} ct_result;

/* Runs argv (argv[0] a path) with the extra environment entries env ("NAME=VALUE", NULL-ended,
 * may be NULL), stdin from /dev/null, and waits at most 120 s. $TX_TEST_CLIENT_WRAPPER (e.g.
 * "valgrind -q --error-exitcode=99 --leak-check=full") is put in front of ticsx commands when
 * set. Caller frees with ct_result_free. */
void ct_run(ct_result *r, const char *const *env, const char *const *argv);

void ct_result_free(ct_result *r);

/* A running hub. */
typedef struct {
    pid_t pid;
    char dir[PATH_MAX];
    char endpoint[256];
    char key[PATH_MAX]; /* dir/hub.pub */
} ct_hub;

/* Runs $TX_BUILD_DIR/client/ticsx --home HOME [--hub ENDPOINT --hub-key KEY] ARGS... through
 * ct_run with env. hub may be NULL (no --hub options); ap holds the arguments, NULL-ended. */
void ct_ticsx_v(ct_result *r, const char *const *env, const char *home, const ct_hub *hub,
                va_list ap);

/* `ticsx keygen --name NAME [--corporate-number CORP]` in home (corp may be NULL), asserted
 * to succeed and print a fingerprint. Keygen is local: no hub options, LANG=C. */
void ct_keygen(const char *home, const char *name, const char *corp);

/* ct_keygen, then enrols home/profile.tx on the hub whose data directory is hubdir
 * (asserted). */
void ct_keygen_enroll(const char *hubdir, const char *home, const char *name, const char *corp);

/* Fails the test, showing both outputs, unless r exited with status. */
void ct_expect_status(const ct_result *r, int status);

/* Fails the test unless needle occurs in hay. */
void ct_expect_text(const char *hay, const char *needle);

/* Parses text as JSON (asserted). Caller json_decref()s. */
json_t *ct_parse_json(const char *text);

/* ticsx-hub init --data dir (asserted). */
void ct_hub_init(const char *dir);

/* ticsx-hub enroll --data dir PROFILE; returns the exit status. */
int ct_hub_enroll(const char *dir, const char *profile);

/* Starts `ticsx-hub run --data dir --bind tcp://127.0.0.1:*` and waits for dir/endpoint. */
void ct_hub_start(ct_hub *h, const char *dir);

/* SIGTERM and wait; returns the exit status. */
int ct_hub_stop(ct_hub *h);

/* Reads a whole file (asserted). Caller frees. */
char *ct_read_file(const char *path);

/* Writes a file (asserted). */
void ct_write_file(const char *path, const char *text);

#endif

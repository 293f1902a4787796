/* Verify working ahead of a fetch in the same process: while tx_fetch_all waits on the hub, a
 * second thread decrypts the sealed assessments granted to this organisation and opens them
 * (inner signature checked, payload decoded), keeping them for tx_verify_all. Nothing is judged
 * ahead: verify still reads only records proven in the hub's log from the cache and makes every
 * check; it only takes the opened plaintext instead of decrypting and decoding again. The
 * plaintext is a function of the grant's
 * bytes (the content key sealed to the grantee, the assessment's id) and this identity, so it is
 * kept under the grant's id and the identity's key: the same grant decrypts to the same bytes. */
#ifndef TX_VERIFY_AHEAD_H
#define TX_VERIFY_AHEAD_H

#include "tx_keys.h"
#include "tx_rec.h"

#include <stddef.h>
#include <stdint.h>

/* Off by default (a fetch alone would decrypt for nothing): a process that fetches and then
 * verifies turns it on. */
void tx_verify_ahead_enable(int on);
/* Whether it is on: verify follows the fetch in this process. */
int tx_verify_ahead_enabled(void);

typedef struct tx_verify_ahead tx_verify_ahead;

/* When enabled, starts a thread of its own at the lowest priority (spare CPU only) that decrypts
 * each sealed assessment granted to `me` as soon as tx_verify_ahead_add has given it both the
 * grant and the sealed record, in whatever order and pages they come. `me` is borrowed until the
 * join. NULL when disabled or the thread could not start (verify then decrypts as before). */
tx_verify_ahead *tx_verify_ahead_start(const tx_identity *me);

/* Gives the work the records v[0..n) just listed or got: grants (those to `me` are used) and
 * sealed assessments; other kinds are ignored. Their messages are borrowed until the join (the
 * tx_rec structs themselves may move). NULL is ignored. */
void tx_verify_ahead_add(tx_verify_ahead *a, const tx_rec *v, size_t n);

/* Nothing more comes: with `finish`, decrypts on the calling thread what the thread has not
 * reached; without it (the fetch failed), drops it. Waits for the thread and frees the handle
 * (not what it decrypted). NULL is ignored. */
void tx_verify_ahead_join(tx_verify_ahead *a, int finish);

/* The inner assessment decrypted ahead for `grant` and `me`, handed over into *inner as
 * tx_rec_open(plain, TX_KIND_INNER_ASSESSMENT) left it (id, signature checked, payload decoded;
 * the caller wipes its bytes) and forgotten; 0 when there is none. */
int tx_verify_ahead_take(const tx_identity *me, const uint8_t grant[TX_ID_LEN], tx_rec *inner);

/* Opens the content of sealed assessment `s` with the content key grant `g` seals to `me`,
 * through `key` (TX_CONTENT_KEY_LEN bytes of secure memory, wiped after). TX_OK with *plain
 * (malloc'd, the caller wipes it); else the code of the step that failed, *step 0 for the content
 * key, 1 for the content. Verify and the work ahead open content this one way. */
int tx_open_granted(const tx_identity *me, const tx_grant_pb *g, const tx_sealed_pb *s,
                    uint8_t *key, uint8_t **plain, size_t *len, int *step);

/* Plaintexts taken by verify in this process (tests). */
unsigned long tx_verify_ahead_taken(void);

#endif

/* Watchers: connections that asked the hub (Call.watch) to push the new records they may see.
 * After each commit the round hands the records it stored to tx_subs_publish, which sends every
 * live watcher, in one Reply per watcher (push = true, the watch call's id), exactly the records
 * the watcher's organisation could get or list. Bounded in number; each subscription expires
 * unless renewed; a watcher whose peer is gone is dropped at the first push that finds it so. */
#ifndef TX_SUBS_H
#define TX_SUBS_H

#include "tx_store.h"

#include <stddef.h>
#include <stdint.h>

#define TX_SUBS_MAX 1024      /* watchers in all; more are answered BUSY */
#define TX_SUBS_PER_MEMBER 16 /* watchers of one organisation */
#define TX_WATCH_DEFAULT_S 60 /* Watch.seconds 0 */
#define TX_WATCH_MAX_S 600

typedef struct tx_subs tx_subs;

/* A record the round just committed. The envelope is borrowed for the call. */
typedef struct {
    uint64_t index;
    int kind;
    const uint8_t *env;
    size_t len;
} tx_subs_record;

/* Caller owns *out (tx_subs_destroy). */
int tx_subs_create(tx_subs **out);

/* Frees; *s_p becomes NULL. NULL is fine. */
void tx_subs_destroy(tx_subs **s_p);

/* Registers the ROUTER peer `peer` (its routing id) of organisation `member` as a watcher of
 * w's kinds until now + w's seconds, answering with `call_id`; the same peer again renews (new
 * call id, kinds and expiry). TX_ERR_USAGE for a kind the hub does not store (message in why,
 * size n); TX_ERR_BUSY when TX_SUBS_MAX watchers, or TX_SUBS_PER_MEMBER of this organisation,
 * are live. *seconds receives the duration granted. */
int tx_subs_watch(tx_subs *s, const uint8_t *peer, size_t peer_len,
                  const uint8_t member[TX_KEY_LEN], uint64_t call_id, const tx_watch_pb *w,
                  int64_t now_ms, uint32_t *seconds, char *why, size_t n);

/* Pushes the records among recs[0..n) that each live watcher watches and may read (checked in
 * one read snapshot of store, taken after the commit). Expired watchers are dropped first;
 * sending never blocks: a peer that is gone (EHOSTUNREACH) loses its subscription, one that is
 * not reading (EAGAIN) loses this push. */
void tx_subs_publish(tx_subs *s, void *router, tx_store *store, const tx_subs_record *recs,
                     size_t n, int64_t now_ms);

/* Live and expired watchers held now. */
size_t tx_subs_count(const tx_subs *s);

#endif

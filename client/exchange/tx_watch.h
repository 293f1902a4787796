/* Watching the hub: what `ticsx inbox` would show as new (requests naming this organisation,
 * grants to it, revocations of those grants) first, then each such record as the hub pushes it
 * over the open connection (Call.watch). Every record is checked here before it is shown: its
 * signature; that it is addressed to this organisation; for a grant, that the grant's author
 * wrote the assessment and that the content key is sealed to this organisation; for a
 * revocation, that it withdraws a grant of its author to this organisation. The subscription
 * is renewed every third of its life, and each renewal also lists what may have been pushed
 * while the hub was away, so nothing committed during the watch is missed. What is shown moves
 * the inbox cursor in the home. */
#ifndef TX_WATCH_H
#define TX_WATCH_H

#include "tx_client.h"
#include "tx_inbox.h"

#include <signal.h>

typedef struct {
    size_t count;                      /* stop once this many were shown; 0 = no limit */
    int seconds;                       /* stop after this long; 0 = until *stop is set */
    const volatile sig_atomic_t *stop; /* set by a signal handler; may be NULL */
    void (*ready)(void *ctx);          /* called once subscribed (may be NULL) */
} tx_watch_opts;

/* Called with each checked entry, in arrival order; a code other than TX_OK stops the watch
 * and is returned. */
typedef int (*tx_watch_fn)(void *ctx, const tx_inbox_entry *e);

/* Watches until o->count entries were shown, o->seconds passed, or *o->stop was set. TX_OK,
 * or TX_ERR_NOT_FOUND when o->count was given and fewer arrived in o->seconds (message says how
 * many); TX_ERR_REFUSED when the hub will not (BUSY: it holds too many watchers);
 * connection codes (message set).
 * *shown (may be NULL) receives the number of entries shown. */
int tx_watch_run(tx_client *c, const tx_watch_opts *o, tx_watch_fn fn, void *ctx, size_t *shown);

#endif

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

#include <jansson.h>
#include <signal.h>
#include <stdio.h>

/* News of this organisation itself, for a page or a line to show who did what: an approval
 * request a person prepared (TX_KIND_DRAFT), an officer's decision on one
 * (TX_KIND_DRAFT_DECISION), the two-officer setting (TX_KIND_ORG_SETTINGS), a second officer's
 * approval of a grant (TX_KIND_GRANT_APPROVAL), a grant or revocation the organisation signed
 * (TX_KIND_GRANT, TX_KIND_GRANT_REVOKE). Only records whose signer is the organisation or one of
 * its people are news. Pushed only: what came while nobody watched is not listed again. */
typedef struct {
    int kind;
    uint64_t index;
    char id[2 * TX_ID_LEN + 1]; /* the record's id, hex */
    char by[257];               /* the member who signed it; "" for the organisation's key */
    int mine;                   /* signed with this home's own key */
} tx_watch_news;

/* Called with each piece of news; a code other than TX_OK stops the watch. */
typedef int (*tx_watch_news_fn)(void *ctx, const tx_watch_news *n);

typedef struct {
    size_t count;                      /* stop once this many were shown; 0 = no limit */
    int seconds;                       /* stop after this long; 0 = until *stop is set */
    const volatile sig_atomic_t *stop; /* set by a signal handler; may be NULL */
    void (*ready)(void *ctx);          /* called once subscribed (may be NULL) */
    tx_watch_news_fn news;             /* the organisation's own news (NULL: not watched) */
} tx_watch_opts;

/* Called with each checked entry, in arrival order; a code other than TX_OK stops the watch
 * and is returned. */
typedef int (*tx_watch_fn)(void *ctx, const tx_inbox_entry *e);

/* The news's kind as a word for JSON and the page ("draft", "decision", "settings",
 * "approval", "grant", "revocation"); its JSON ({"news", "id", "index", "by", "mine"}); and one
 * line of `ticsx watch` (JSON, the id alone when quiet, else a sentence in the user's language). */
const char *tx_watch_news_word(int kind);
json_t *tx_watch_news_json(const tx_watch_news *n);
int tx_watch_news_print(FILE *f, const tx_watch_news *n, int json, int quiet);

/* Watches until o->count entries were shown, o->seconds passed, or *o->stop was set. TX_OK,
 * or TX_ERR_NOT_FOUND when o->count was given and fewer arrived in o->seconds (message says how
 * many); TX_ERR_REFUSED when the hub will not (BUSY: it holds too many watchers);
 * connection codes (message set).
 * *shown (may be NULL) receives the number of entries shown. */
int tx_watch_run(tx_client *c, const tx_watch_opts *o, tx_watch_fn fn, void *ctx, size_t *shown);

#endif

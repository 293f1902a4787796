/* The state the UI's handlers share: the client session (the home, the hub connection), the
 * buyer's report model kept in memory between requests, and the event stream to the open pages
 * (Server-Sent Events). One lock: the client libraries are used by one thread at a time. */
#ifndef TX_UI_APP_H
#define TX_UI_APP_H

#include "tx_client.h"
#include "tx_grant.h"
#include "tx_keys.h"
#include "tx_ui_http.h"

#include <jansson.h>
#include <pthread.h>

typedef struct tx_ui_model tx_ui_model; /* tx_ui_model.c */
typedef struct tx_ui_events tx_ui_events; /* tx_ui_events.c */

struct tx_ui_app {
    pthread_mutex_t lock;   /* held around every handler and the watcher's work */
    tx_client *client;      /* opened at start; connects to the hub on first use */
    tx_client_opts opts;    /* what it was opened with (the watcher opens its own) */
    int has_hub;            /* a hub key is configured */
    tx_ui_model *model;     /* the buyer's report model, NULL until first built */
    char questionnaire[72]; /* the questionnaire the model shows as asked (?questionnaire=),
                               "" for the default: the main one, else the first answered */
    tx_ui_events *events;   /* the open event streams */
};

/* Opens the client (the home; the hub on first use) for the UI. Caller frees (tx_ui_app_close).
 * Codes as tx_client_open. */
int tx_ui_app_open(const tx_client_opts *opts, tx_ui_app **out);
void tx_ui_app_close(tx_ui_app **app_p);

/* TX_OK when a hub is configured, else TX_ERR_USAGE: `what` needs a hub (start ticsx ui with
 * --hub and --hub-key); drafts and the self-check work without one. */
int tx_ui_need_hub(const tx_ui_app *app, const char *what);

/* Sends `event` with `data` (taken: the function frees it) to every open event stream.
 * Safe from any thread; never blocks on a slow page. */
void tx_ui_event(tx_ui_app *app, const char *event, json_t *data);

/* ---- the buyer's report model (tx_ui_model.c) ---- */

/* Marks the model out of date: the next handler that reads it rebuilds it from the cache. */
void tx_ui_model_invalidate(tx_ui_app *app);

/* Builds the model from the home's cache (verify, score, the supply tree) without asking the hub;
 * called with app->lock held, by the server once at start (in the background, so the first page
 * finds it ready) and by any handler that finds it missing or out of date. */
int tx_ui_model_build(tx_ui_app *app);

/* The model of questionnaire `id` (NULL or "": the default), rebuilt when it shows another.
 * TX_ERR_USAGE for an id that is not one. Borrowed until the lock is released. */
int tx_ui_model_get_q(tx_ui_app *app, const char *id, tx_ui_model **out);

/* Fetches what was granted to this organisation (tx_fetch_all) and rebuilds the model; called
 * with app->lock held, by POST /api/fetch and by the watcher when a grant or revocation arrives.
 * *summary (may be NULL) receives what the fetch found (caller owns). */
int tx_ui_model_refresh(tx_ui_app *app, json_t **summary);

void tx_ui_model_free(tx_ui_app *app);

/* ---- who acts (tx_ui_member.c) ---- */

/* The organisation this home acts for (tx_home_org) and, in a member's home, the person: its
 * name and role as the organisation's member records on the hub say now. */
typedef struct {
    int is_member;           /* a member's home (ticsx keygen --member-of) */
    uint8_t org[TX_KEY_LEN]; /* the organisation: "you" on every page */
    char org_name[TX_NAME_MAX];
    char corp[16];
    char person[257]; /* member: its display name (its key's name when no record names it) */
    int role;         /* member: Ticsx__V1__MemberRole, 0 when no record of the organisation
                         names this key */
    int acts;         /* member: its record valid and not removed now */
} tx_ui_who;

/* Who acts here; in a member's home asks the hub (the member records). Codes as tx_home_org,
 * TX_ERR_USAGE for a member's home without a hub, connection codes. */
int tx_ui_who_get(tx_ui_app *app, tx_ui_who *w);

/* /api/session's {"member": null | {"name", "role" (null: none), "acts"}, "may": {"answer",
 * "sign", "approvals", "drafts_only"}}: what the page offers. Caller owns. */
json_t *tx_ui_who_json(const tx_ui_who *w);

/* TX_OK when this home's role may do what a route's flags (TX_UI_ANSWERS, TX_UI_SIGNS) say:
 * answering takes a responder, an officer or an admin (or the organisation's own home),
 * signing for the organisation an officer or an admin; else TX_ERR_FORBIDDEN with a message
 * naming the person and its role. */
int tx_ui_may(tx_ui_app *app, unsigned flags);

/* ---- two officers (tx_ui_grants.c) ---- */

/* Sets "waiting" in out: [the grant's id (hex)] when the grant this organisation just made
 * waits for a second officer, [] when not (or when the hub cannot say). */
void tx_ui_note_waiting(tx_ui_app *app, json_t *out, const uint8_t id[TX_ID_LEN]);

/* The same for each grant made (r->v[i].record). */
void tx_ui_note_waiting_grants(tx_ui_app *app, json_t *out, const tx_grant_result *r);

#endif

/* A report per questionnaire: the verdicts split by the questionnaire id they answer (all
 * versions of one id together), one report document each; and the organisation's main
 * questionnaire, the one its reports show by default (home file `main-questionnaire`, 0600).
 * A verdict whose questionnaire could not be read takes the id of another verdict of the same
 * questionnaire record; failing that (revoked or failed before it was read) it is in every
 * scope, so each report still shows the supplier's state. Only when no id is known at all is
 * there a scope with no id. */
#ifndef TX_REPORT_SCOPE_H
#define TX_REPORT_SCOPE_H

#include "tx_home.h"
#include "tx_questionnaire.h"
#include "tx_verify.h"

#include <jansson.h>
#include <stddef.h>

typedef struct {
    char id[TX_QUESTIONNAIRE_ID_MAX + 1]; /* questionnaire id; "" for unreadable ones */
    const tx_questionnaire_pb *q;         /* its newest version among the verdicts; NULL if none */
    const uint8_t *record;                /* that version's record id; NULL if none */
    tx_verdicts vs;                       /* copies of the verdicts of this questionnaire: free with
                                             tx_report_scopes_free only (vs.v is the only thing owned) */
} tx_report_scope;

/* The scopes of `all`, by questionnaire id, or only `only`'s (one scope, holding only the
 * unreadable verdicts when nothing answers it). With no verdicts at all, one empty scope with
 * no id, so the supply tree of unanswered requests is still reported. Caller frees with
 * tx_report_scopes_free. TX_ERR_NOMEM. */
int tx_report_scopes(const tx_verdicts *all, const char *only, tx_report_scope **out, size_t *n);
void tx_report_scopes_free(tx_report_scope *s, size_t n);

/* A document's "questionnaire": {"record","id","version","title","provenance"} of the scope's
 * newest version ("id" alone when none answers it), null for the unreadable scope. */
json_t *tx_report_scope_json(const tx_report_scope *s);

/* TX_OK when id is a questionnaire id (tx_questionnaire_id_valid, at most
 * TX_QUESTIONNAIRE_ID_MAX), else TX_ERR_USAGE with a message naming it. */
int tx_report_qid_check(const char *id);

/* The main questionnaire: *id set to "" when none is set. TX_ERR_MALFORMED if the file holds no
 * valid id. */
int tx_report_main_get(tx_home *home, char id[TX_QUESTIONNAIRE_ID_MAX + 1]);

/* Sets (id) or clears (NULL) the main questionnaire. TX_ERR_USAGE for an invalid id. */
int tx_report_main_set(tx_home *home, const char *id);

#endif

/* Naming a questionnaire on the command line: a built-in name ("tics-selfcheck", optionally
 * "@VERSION"), a JSON questionnaire file, a questionnaire id published on the hub, or 8 to 64
 * hex digits of a questionnaire record or of a request (meaning the questionnaire it asks
 * for). Records come from the hub and are verified here. */
#ifndef TX_QREF_H
#define TX_QREF_H

#include "tx_client.h"

typedef struct {
    tx_questionnaire_pb *q; /* owned; meta set when it comes from a record */
    int published;          /* record holds the questionnaire record pinned by hash */
    tx_rec record;
    int via_request; /* request holds the request the argument named */
    tx_rec request;
} tx_qref;

/* A questionnaire available without the hub: built-in name or JSON file.
 * TX_ERR_NOT_FOUND (no message) if `arg` is neither. Caller owns *q (tx_free). */
int tx_qref_local(const char *arg, tx_questionnaire_pb **q);

/* Index in `questionnaires` (opened records) of the earliest published questionnaire identical
 * to q (same id, version and content, whoever signed it), or -1. */
int tx_qref_published(const tx_recs *questionnaires, const tx_questionnaire_pb *q);

/* Resolves `arg` against the hub (a local questionnaire is matched with its published twin,
 * published stays 0 when there is none). When profiles is not NULL, the hub's profiles are
 * listed in the same round trip into it. Caller owns out (tx_qref_clear). */
int tx_qref_resolve(tx_client *c, const char *arg, tx_recs *profiles, tx_qref *out);

void tx_qref_clear(tx_qref *r);

#endif

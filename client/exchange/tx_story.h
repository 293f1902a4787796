/* What a buyer knows of one supplier beyond its report row, from the home's cache: its history
 * (requested, answered, superseded, granted, revoked, certified, certificate events, with
 * dates and log indexes), the certificate chain step by step (tx_cert_chain_json) and what the
 * hub's log proves (the proof markers of the assessment and grant shown, and the checkpoint this
 * home accepted). Works offline. */
#ifndef TX_STORY_H
#define TX_STORY_H

#include "tx_client.h"
#include "tx_verify.h"

#include <jansson.h>

/* {"history": [{"date","event","record","log_index","detail"}] (oldest first), "chain": [...],
 * "proof": {"assessment": {"record","log_index"}|null, "grant": {...}|null, "checkpoint":
 * {"origin","size","root","time"}|null}} for the organisation `key`; `v` (may be NULL: nothing
 * granted) is the verdict its report row shows. Caller owns *out. TX_ERR_NOMEM or the cache's
 * listing error. */
int tx_story_load(tx_client *c, const uint8_t key[TX_KEY_LEN], const tx_verdict *v, json_t **out);

/* The checkpoint this home accepted last, {"origin","size","root","time"}, or null when none
 * (or it does not open against the pinned hub key). Caller owns. */
json_t *tx_story_checkpoint(tx_client *c);

#endif

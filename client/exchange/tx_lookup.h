/* What the hub publishes that every flow looks up: the directory of enrolled organisations
 * and the records certificate judgements rest on. Each record is verified and cached. */
#ifndef TX_LOOKUP_H
#define TX_LOOKUP_H

#include "tx_client.h"
#include "tx_orgs.h"
#include "tx_trust.h"

/* Lists the hub's profiles, verifies and caches each, and builds the directory. */
int tx_orgs_fetch(tx_client *c, tx_orgs *out);

/* Lists the hub's key successors and re-enrolments and makes the directory seal to the key in
 * force of each organisation (tx_orgs_follow, now, with this home's accepted keys). */
int tx_orgs_follow_hub(tx_client *c, tx_orgs *orgs);

/* Pinned keys plus the hub's accreditations, certificates, events and profiles, all listed in
 * one round trip and stored in the cache. */
int tx_trust_set_from_hub(tx_client *c, tx_trust_set *ts);

#endif

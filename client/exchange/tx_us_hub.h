/* Who counts as this organisation, from the hub (client/verify/tx_us from its member
 * records as the hub lists them now), and what the member records say of one person: the one
 * place where the client asks "who is this key, and what may it do". */
#ifndef TX_US_HUB_H
#define TX_US_HUB_H

#include "tx_client.h"
#include "tx_signer.h"
#include "tx_us.h"

/* Every organisation's member records, removals, key successors, revocations and
 * re-enrolments (what tx_signer_resolve reads) as the hub lists them now, into *out (appended;
 * the caller clears it). Connection codes. */
int tx_people_list(tx_client *c, tx_recs *out);

/* tx_us_init, then every member record and removal the organisation signed, listed by the
 * hub. Connection codes. Caller frees (tx_us_free). */
int tx_us_load(tx_client *c, tx_us *us);

/* What the member records on the hub (listed now, of every organisation) say of `key` at `at`:
 * *found 0 when none names it (the key acts for itself; also when two organisations name it).
 * si->record is NULL (the records are not kept). This home's person: pass
 * tx_client_id(c)->pub.sign and compare si->org with tx_home_org. Connection codes. */
int tx_person_of(tx_client *c, const uint8_t key[TX_KEY_LEN], int64_t at, tx_signer_info *si,
                 int *found);

#endif

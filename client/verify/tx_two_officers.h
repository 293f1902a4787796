/* Two officers for grants to new buyers, as a verifier judges them from signed records alone
 * (the hub applies the same rule when it serves a grant: hub/tx_approval.c). While an
 * organisation's newest settings record (kind 20) stored before a grant asks for two officers,
 * a grant of that organisation to another organisation that no earlier grant of it reached
 * (a new buyer) counts only with a grant approval (kind 21) naming it and its grantee, signed by
 * another key of the organisation than the grant's: an officer or admin acting at the time, or
 * the organisation key itself. Records are ordered by their log index (tx_rec.index: listed or
 * proven by fetch). Works offline. */
#ifndef TX_TWO_OFFICERS_H
#define TX_TWO_OFFICERS_H

#include "tx_rec.h"

#include <stdint.h>

enum {
    TX_TWO_NOT_NEEDED = 0, /* one officer's signature was enough */
    TX_TWO_APPROVED = 1,   /* needed a second officer, who approved */
    TX_TWO_WAITING = 2,    /* needed a second officer: none approved (yet) */
};

/* The records the rule reads, any order, any organisations; each tx_recs may be NULL (none).
 * `grants` holds the grants known (at least those of the same organisation to the same
 * grantee as the one judged), `people` member records and removals (client/verify/tx_signer). */
typedef struct {
    const tx_recs *settings;  /* kind 20 */
    const tx_recs *approvals; /* kind 21 */
    const tx_recs *grants;    /* kind 5 */
    const tx_recs *people;    /* kinds 13 and 14 */
} tx_two_records;

/* The state of `grant` of organisation `org` (its author: the signer, or the organisation of
 * the person who signed it); *approval (may be NULL) receives the first valid approval when
 * approved. */
int tx_two_officers_state(const tx_two_records *r, const tx_rec *grant, const uint8_t org[32],
                          const tx_rec **approval);

/* Whether the newest settings of `org` among `settings` (the highest log index) asks for two
 * officers. */
int tx_two_officers_on(const tx_recs *settings, const uint8_t org[32]);

/* "two officers for grants to new buyers: on" (or off), in the process's language. */
const char *tx_two_officers_label(int on);

/* Whether `approval` is a valid second signature of `grant` of `org` (the rule above). */
int tx_two_officers_valid(const tx_two_records *r, const tx_rec *grant, const uint8_t org[32],
                          const tx_rec *approval);

#endif

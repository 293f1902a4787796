/* Two officers for grants to new buyers: the hub's rules for an organisation's settings
 * (kind 20) and a second officer's approval of a grant (kind 21). Under the setting, a grant
 * to a buyer the organisation never granted to before is stored but not served to the grantee
 * (its readers leave the grantee out) until another officer or admin of the organisation, or
 * the organisation key, approves it; the approval then opens the grant and its assessment. */
#ifndef TX_APPROVAL_H
#define TX_APPROVAL_H

#include "tx_reply.h"
#include "tx_store.h"

#include <stdint.h>

/* Whether a grant of organisation `org` to `grantee` waits for a second officer: the setting is
 * on, the grantee is another organisation and no grant of `org` to it was served before. */
int tx_approval_pending(tx_batch *b, const uint8_t org[TX_KEY_LEN],
                        const uint8_t grantee[TX_KEY_LEN], int *pending, tx_outcome *res);

/* The rules of an approval signed by `signer` (an officer, admin or the organisation key of the
 * grant's organisation: the caller checked the grant is its organisation's and the role) of the
 * grant at `grant_index`: it names the grant's grantee, another key signed the grant, and the
 * grant is waiting (neither served yet nor revoked). *assessment_index receives the log index
 * of the grant's assessment. Refusals go to res. */
int tx_approval_check(tx_batch *b, const uint8_t signer[TX_KEY_LEN], const tx_grant_approval_pb *a,
                      uint64_t grant_index, uint64_t *assessment_index, tx_outcome *res);

#endif

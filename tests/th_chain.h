/* A TICS trust chain built in the test's own process: signed accreditations, certificates and
 * their events, opened and taken into a trust set that the library judges without a hub. For
 * the tests of certificate statuses and their reasons (test_trust, test_i18n_lib). Every
 * function fails the running cmocka test on an error. */
#ifndef TH_CHAIN_H
#define TH_CHAIN_H

#include "tx_keys.h"
#include "tx_trust.h"

#include <stdint.h>

typedef struct {
    tx_trust_set ts;   /* what the records signed so far make; pin accreditors in ts */
    uint64_t seq;      /* the last sequence number used, shared by every signer */
    const char *scope; /* the scope (認証範囲) of the certificates made next */
    const char *corp;  /* the holder's corporate number on them */
    uint32_t criteria; /* their criteria version; 0: 2018 when issued before 2024-08-16 (when
                          the 2024 criteria came into force), else 2024 */
} th_chain;

/* A date (YYYY-MM-DD or RFC 3339) as Unix seconds. */
int64_t th_date(const char *date);

/* New identities: th_identity in harness.h. */

/* Opens a signed envelope of `kind` (taking `env`) into the set; `id` (may be NULL) gets its
 * record id. */
void th_chain_add(th_chain *c, uint8_t *env, size_t len, int kind, uint8_t *id);

/* `by` accredits `body` for `scope` from `from` until `until`. */
void th_chain_accredit(th_chain *c, const tx_identity *by, const tx_identity *body,
                       const char *scope, const char *from, const char *until);

/* `body` certifies `holder` (c->criteria, c->scope, c->corp) under `number` in `sector` on
 * `issued`; `id` gets the certificate's record id. */
void th_chain_certify(th_chain *c, const tx_identity *body, const tx_identity *holder,
                      const char *number, const char *sector, const char *issued,
                      uint8_t id[TX_ID_LEN]);

/* Like th_chain_certify in sector manufacturing, signed directly (no rule of `ticsx cert
 * issue` applies, as when another client signs a record): criteria `criteria`, expiry
 * `expires` (NULL: three years), renewing certificate `renews` (NULL: none), holder key
 * `holder` named holder_name. Returns a copy of the signed envelope (caller frees; its length
 * in *len), for a test that submits it to a hub. */
uint8_t *th_chain_certify_as(th_chain *c, const tx_identity *body, const uint8_t *holder,
                             const char *holder_name, const char *number, uint32_t criteria,
                             const char *issued, const char *expires, const uint8_t *renews,
                             uint8_t id[TX_ID_LEN], size_t *len);

/* `by` records an event of `kind` on certificate `cert`, effective `date`. */
void th_chain_event(th_chain *c, const tx_identity *by, const uint8_t cert[TX_ID_LEN], int kind,
                    const char *date, const char *note);

#endif

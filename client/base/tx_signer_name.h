/* Who signed a record, as a history names it: the organisation the key signs for (legal name
 * and fingerprint from its verified profile in the cache, or a certification body's name from
 * an accreditation) and the member who signed for it. Every signer key is resolved through
 * tx_signer_describe, so member records extend it in one place. */
#ifndef TX_SIGNER_NAME_H
#define TX_SIGNER_NAME_H

#include "tx_home.h"
#include "tx_orgs.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t org[TX_KEY_LEN];     /* the organisation the key signs for: today the key itself */
    char name[TX_NAME_MAX];      /* "" when no profile or accreditation names it */
    char fingerprint[TX_FP_LEN]; /* of org */
    char member[TX_NAME_MAX];    /* the member's display name; "" until member records exist */
} tx_signer;

typedef struct tx_signer_body tx_signer_body;

typedef struct {
    tx_orgs orgs;
    tx_signer_body *bodies; /* certification bodies named by accreditations */
    size_t n_bodies;
} tx_signers;

/* The directory of the profiles in the home's cache. Caller frees with tx_signers_free. */
int tx_signers_load(tx_home *home, tx_signers *out);

/* Names a certification body's key (from an accreditation) when no profile names it. The first
 * name given for a key stays. TX_ERR_NOMEM. */
int tx_signers_add_body(tx_signers *s, const uint8_t key[TX_KEY_LEN], const char *name);

/* Who `key` is. Never fails: an unknown key gets an empty name and its own fingerprint. */
void tx_signer_describe(const tx_signers *s, const uint8_t key[TX_KEY_LEN], tx_signer *out);

/* {"name" (null when unknown), "fingerprint", "member" (null when none)}. Caller owns. */
json_t *tx_signer_json(const tx_signer *who);

void tx_signers_free(tx_signers *s);

#endif

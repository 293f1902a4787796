/* Following an organisation's key successors. */
#include "tx_key_chain.h"

#include "tx_key_proof.h"
#include "tx_kinds.h"

#include <string.h>

/* Successors deeper than this are not followed (a chain of real rotations is short; a crafted
 * loop ends here). */
#define CHAIN_MAX 32

const tx_key_successor_pb *
tx_key_chain_successor(const tx_rec *rec)
{
    const tx_key_successor_pb *r = (const tx_key_successor_pb *)rec->msg;

    if (rec->kind != TX_KIND_KEY_SUCCESSOR || r == NULL || rec->env == NULL ||
        memcmp(tx_rec_signer(rec), r->predecessor.data, TX_KEY_LEN) != 0 || !tx_key_proof_ok(r)) {
        return NULL;
    }
    return r;
}

const tx_rec *
tx_key_chain_find(const tx_recs *records, const uint8_t *org, const uint8_t key[TX_KEY_LEN],
                  int by_predecessor)
{
    for (size_t i = 0; i < records->n; i++) {
        const tx_key_successor_pb *r = tx_key_chain_successor(&records->v[i]);
        const ProtobufCBinaryData *k;

        if (r == NULL) {
            continue;
        }
        k = by_predecessor ? &r->predecessor : &r->signing_key;
        if (memcmp(k->data, key, TX_KEY_LEN) == 0 &&
            (org == NULL || memcmp(r->organisation.data, org, TX_KEY_LEN) == 0)) {
            return &records->v[i];
        }
    }
    return NULL;
}

int
tx_key_chain_holds(const tx_recs *records, const uint8_t org[TX_KEY_LEN],
                   const uint8_t key[TX_KEY_LEN])
{
    const uint8_t *k = key;

    for (int depth = 0; depth < CHAIN_MAX; depth++) {
        const tx_rec *r;

        if (memcmp(k, org, TX_KEY_LEN) == 0) {
            return 1;
        }
        if ((r = tx_key_chain_find(records, org, k, 0)) == NULL) {
            return 0;
        }
        k = ((const tx_key_successor_pb *)r->msg)->predecessor.data;
    }
    return 0;
}

const tx_key_successor_pb *
tx_key_chain_current(const tx_recs *records, const uint8_t org[TX_KEY_LEN], int64_t at)
{
    const tx_key_successor_pb *cur = NULL;
    const uint8_t *k = org;

    for (int depth = 0; depth < CHAIN_MAX; depth++) {
        const tx_rec *r = tx_key_chain_find(records, org, k, 1);
        const tx_key_successor_pb *s = r != NULL ? (const tx_key_successor_pb *)r->msg : NULL;

        if (s == NULL || s->effective > at) {
            break;
        }
        cur = s;
        k = s->signing_key.data;
    }
    return cur;
}

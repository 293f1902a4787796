/* Following an organisation's key successors. */
#include "tx_key_chain.h"

#include "tx_error.h"
#include "tx_key_proof.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <limits.h>
#include <stdio.h>
#include <unistd.h>

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

const tx_rec *
tx_key_chain_reenrolled(const tx_recs *records, const uint8_t *org, const uint8_t key[TX_KEY_LEN],
                        int by_replaced)
{
    for (size_t i = 0; i < records->n; i++) {
        const tx_rec *rec = &records->v[i];
        const tx_key_reenrolment_pb *r = (const tx_key_reenrolment_pb *)rec->msg;

        if (rec->kind == TX_KIND_KEY_REENROLMENT && r != NULL &&
            memcmp(by_replaced ? r->replaces.data : r->signing_key.data, key, TX_KEY_LEN) == 0 &&
            (org == NULL || memcmp(r->organisation.data, org, TX_KEY_LEN) == 0)) {
            return rec;
        }
    }
    return NULL;
}

/* HOME/accepted-keys/<hex key> into out. */
static int
accepted_path(tx_home *home, const uint8_t key[TX_KEY_LEN], char *out, size_t n, int dir_only)
{
    char hex[2 * TX_KEY_LEN + 1], rel[2 * TX_KEY_LEN + 32];

    tx_hex(hex, key, TX_KEY_LEN);
    snprintf(rel, sizeof rel, dir_only ? "accepted-keys" : "accepted-keys/%s", hex);
    return tx_path_join(out, n, tx_home_dir(home), rel);
}

int
tx_key_accepted(tx_home *home, const uint8_t key[TX_KEY_LEN])
{
    char path[PATH_MAX];

    /* The home that holds the re-enrolled key trusts it: it is its own. */
    if (memcmp(key, tx_home_identity(home)->pub.sign, TX_KEY_LEN) == 0) {
        return 1;
    }
    return accepted_path(home, key, path, sizeof path, 0) == TX_OK && access(path, F_OK) == 0;
}

int
tx_key_accept(tx_home *home, const uint8_t key[TX_KEY_LEN])
{
    char dir[PATH_MAX], path[PATH_MAX];
    int rc;

    if (accepted_path(home, key, dir, sizeof dir, 1) != TX_OK ||
        accepted_path(home, key, path, sizeof path, 0) != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "home directory path too long");
    }
    if ((rc = tx_mkdir_private(dir)) != TX_OK ||
        (rc = tx_file_replace(path, "accepted\n", 9, 0600)) != TX_OK) {
        return tx_fail(rc, "cannot write %s", path);
    }
    return TX_OK;
}

int
tx_key_chain_holds(const tx_recs *records, const uint8_t org[TX_KEY_LEN],
                   const uint8_t key[TX_KEY_LEN])
{
    return tx_key_chain_holds_for(records, org, key, NULL);
}

/* The key `k` replaced: by a successor, or by a re-enrolment whose new key the user of home
 * accepted; NULL when neither. */
static const uint8_t *
replaced(const tx_recs *records, const uint8_t org[TX_KEY_LEN], const uint8_t *k, tx_home *home)
{
    const tx_rec *r = tx_key_chain_find(records, org, k, 0);

    if (r != NULL) {
        return ((const tx_key_successor_pb *)r->msg)->predecessor.data;
    }
    /* A re-enrolment only for a user who accepted its key: else what a re-enrolled key names
     * would count before the user accepted it. */
    if (home != NULL && (r = tx_key_chain_reenrolled(records, org, k, 0)) != NULL &&
        tx_key_accepted(home, k)) {
        return ((const tx_key_reenrolment_pb *)r->msg)->replaces.data;
    }
    return NULL;
}

int
tx_key_chain_holds_for(const tx_recs *records, const uint8_t org[TX_KEY_LEN],
                       const uint8_t key[TX_KEY_LEN], tx_home *home)
{
    const uint8_t *k = key;

    for (int depth = 0; depth < CHAIN_MAX && k != NULL; depth++) {
        if (memcmp(k, org, TX_KEY_LEN) == 0) {
            return 1;
        }
        k = replaced(records, org, k, home);
    }
    return 0;
}

const uint8_t *
tx_key_chain_seal(const tx_recs *records, const uint8_t org[TX_KEY_LEN], int64_t at, tx_home *home)
{
    const uint8_t *seal = NULL, *k = org;

    for (int depth = 0; depth < CHAIN_MAX; depth++) {
        const tx_rec *r = tx_key_chain_find(records, org, k, 1);
        const tx_key_successor_pb *s = r != NULL ? (const tx_key_successor_pb *)r->msg : NULL;
        const tx_key_reenrolment_pb *e = NULL;

        if (s == NULL && home != NULL &&
            (r = tx_key_chain_reenrolled(records, org, k, 1)) != NULL) {
            e = (const tx_key_reenrolment_pb *)r->msg;
            e = tx_key_accepted(home, e->signing_key.data) ? e : NULL;
        }
        if (s != NULL && s->effective <= at) {
            seal = s->seal_key.data, k = s->signing_key.data;
        } else if (e != NULL && e->effective <= at) {
            seal = e->seal_key.data, k = e->signing_key.data;
        } else {
            break;
        }
    }
    return seal;
}

/* Records as every flow passes them around: bytes, id, verified envelope, decoded payload. */
#include "tx_rec.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_idmap.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ids (SHA-256 of the exact envelope bytes) whose signature verified in this process: the same
 * bytes verify the same way, so a record read back from the cache, or listed again, is not
 * checked twice. Bounded, so a long-running process cannot grow it without end. */
#define VERIFIED_MAX 1000000

static pthread_mutex_t verified_lock = PTHREAD_MUTEX_INITIALIZER;
static tx_idmap verified;
static atomic_ulong verifications;
static atomic_ulong decodes;

static int
verified_before(const uint8_t id[TX_ID_LEN])
{
    int seen;

    pthread_mutex_lock(&verified_lock);
    seen = tx_idmap_get(&verified, id) != NULL;
    pthread_mutex_unlock(&verified_lock);
    return seen;
}

static void
verified_now(const uint8_t id[TX_ID_LEN])
{
    pthread_mutex_lock(&verified_lock);
    if (verified.n < VERIFIED_MAX) {
        (void)tx_idmap_put(&verified, id, 0, NULL); /* out of memory: only a later re-check */
    }
    pthread_mutex_unlock(&verified_lock);
}

unsigned long
tx_rec_verifications(void)
{
    return atomic_load(&verifications);
}

unsigned long
tx_rec_decodes(void)
{
    return atomic_load(&decodes);
}

int
tx_rec_open(tx_rec *rec, uint8_t *bytes, size_t len, int kind)
{
    return tx_rec_open_known(rec, bytes, len, kind, NULL);
}

int
tx_rec_open_known(tx_rec *rec, uint8_t *bytes, size_t len, int kind, const uint8_t id[TX_ID_LEN])
{
    char hex[2 * TX_ID_LEN + 1];
    int rc;

    tx_free(rec->msg);
    tx_free(rec->env);
    rec->msg = NULL;
    rec->env = NULL;
    if (rec->bytes != bytes) {
        free(rec->bytes);
    }
    rec->bytes = bytes;
    rec->len = len;
    rec->kind = kind;
    if (id != NULL) {
        memcpy(rec->id, id, TX_ID_LEN);
    } else {
        tx_record_id(bytes, len, rec->id);
    }
    tx_hex(hex, rec->id, TX_ID_LEN);
    rc = tx_decode_envelope(bytes, len, &rec->env);
    if (rc == TX_OK && !verified_before(rec->id)) {
        atomic_fetch_add(&verifications, 1);
        if ((rc = tx_envelope_verify(rec->env)) == TX_OK) {
            verified_now(rec->id);
        }
    }
    if (rc != TX_OK) {
        tx_free(rec->env);
        rec->env = NULL;
        if (rc == TX_ERR_BAD_SIGNATURE) {
            return tx_fail(rc, "signature does not verify: %s %.12s", tx_kind_name(kind), hex);
        }
        return tx_fail(rc, "%s %.12s is malformed: %s", tx_kind_name(kind), hex, tx_codec_detail());
    }
    if (kind != TX_KIND_NONE) {
        atomic_fetch_add(&decodes, 1);
    }
    if (kind != TX_KIND_NONE && (rc = tx_decode_payload(rec->env, kind, &rec->msg)) != TX_OK) {
        return tx_fail(rc, "%s %.12s: %s", tx_kind_name(kind), hex, tx_codec_detail());
    }
    return TX_OK;
}

int
tx_rec_from_cache(tx_home *home, const uint8_t id[TX_ID_LEN], int kind, tx_rec *rec)
{
    uint8_t *bytes;
    size_t len;
    int rc = tx_home_cache_read(home, id, &bytes, &len);

    if (rc != TX_OK) {
        return rc;
    }
    return tx_rec_open_known(rec, bytes, len, kind, id); /* read checked the bytes' hash */
}

void
tx_rec_clear(tx_rec *rec)
{
    tx_free(rec->msg);
    tx_free(rec->env);
    free(rec->bytes);
    memset(rec, 0, sizeof *rec);
}

void
tx_recs_clear(tx_recs *recs)
{
    for (size_t i = 0; i < recs->n; i++) {
        tx_rec_clear(&recs->v[i]);
    }
    free(recs->v);
    recs->v = NULL;
    recs->n = 0;
}

int
tx_recs_push(tx_recs *recs, tx_rec *rec)
{
    /* Grow in powers of two: n is the only size kept. */
    if ((recs->n & (recs->n - 1)) == 0) {
        size_t cap = recs->n ? recs->n * 2 : 1;
        tx_rec *v = realloc(recs->v, cap * sizeof *v);
        if (v == NULL) {
            return TX_ERR_NOMEM;
        }
        recs->v = v;
    }
    recs->v[recs->n++] = *rec;
    memset(rec, 0, sizeof *rec);
    return TX_OK;
}

const uint8_t *
tx_rec_signer(const tx_rec *rec)
{
    return rec->env->signer_key.data;
}

tx_rec *
tx_recs_find(const tx_recs *recs, const uint8_t id[TX_ID_LEN])
{
    for (size_t i = 0; i < recs->n; i++) {
        if (memcmp(recs->v[i].id, id, TX_ID_LEN) == 0) {
            return &recs->v[i];
        }
    }
    return NULL;
}

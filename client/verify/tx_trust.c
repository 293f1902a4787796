/* Pinned accreditor keys, and the public records a certificate judgement rests on. */
#include "tx_trust.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_log.h"
#include "tx_msg.h"
#include "tx_pins.h"
#include "tx_util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Pinned accreditor keys: trust/<key id>.pub. */
static const tx_pins trust_pins = {
    .dir = "trust", .max = 256, .what = N_("public key file"), .by_file = 1};

int
tx_trust_add(const char *home_dir, const char *file, tx_pubkey *out, int *added)
{
    char kid[17];
    tx_pubkey pk;
    int rc;

    *added = 0;
    rc = tx_pins_load(file, &pk);
    if (rc == TX_ERR_NOT_FOUND || rc == TX_ERR_IO) {
        return tx_fail(TX_ERR_USAGE, "cannot read %s: give the accreditor's public key file", file);
    }
    if (rc != TX_OK) {
        return tx_fail(TX_ERR_USAGE,
                       "%s is not a ticsx public key file (%s): give the accreditor's "
                       "identity.pub",
                       file, tx_strerror(rc));
    }
    if (out != NULL) {
        *out = pk;
    }
    if ((rc = tx_pins_add(&trust_pins, home_dir, &pk, file, added)) == TX_ERR_EXISTS) {
        tx_key_id_hex(pk.sign, kid);
        return tx_fail(TX_ERR_EXISTS,
                       "another key with key id %s is pinned already: remove it first with "
                       "ticsx trust remove %s",
                       kid, kid);
    }
    return rc;
}

int
tx_trust_list(const char *home_dir, tx_pubkey **keys, size_t *n)
{
    return tx_pins_list(&trust_pins, home_dir, keys, n);
}

int
tx_trust_remove(const char *home_dir, const char *name, tx_pubkey *out)
{
    int rc = tx_pins_remove(&trust_pins, home_dir, name, out);

    if (rc == TX_ERR_NOT_FOUND) {
        return tx_fail(TX_ERR_NOT_FOUND,
                       "%s is not a pinned accreditor key: ticsx trust list shows them", name);
    }
    return rc;
}

int
tx_trust_set_take(tx_trust_set *ts, tx_rec *rec)
{
    switch (rec->kind) {
    case TX_KIND_ACCREDITATION:
        return tx_recs_push(&ts->accreditations, rec);
    case TX_KIND_CERTIFICATE:
        if (tx_idmap_put(&ts->cert_ids, rec->id, ts->certificates.n, NULL) == NULL) {
            tx_rec_clear(rec);
            return TX_ERR_NOMEM;
        }
        return tx_recs_push(&ts->certificates, rec);
    case TX_KIND_CERT_EVENT:
        return tx_recs_push(&ts->events, rec);
    case TX_KIND_PROFILE: {
        tx_recs one = {rec, 1};
        int rc = tx_orgs_add(&ts->orgs, &one);
        tx_rec_clear(rec);
        return rc;
    }
    default:
        tx_rec_clear(rec);
        return TX_OK;
    }
}

static int
load_pinned(const char *home_dir, tx_trust_set *ts)
{
    return tx_trust_list(home_dir, &ts->pinned, &ts->n_pinned);
}

int
tx_trust_set_load_pinned(tx_home *home, tx_trust_set *ts)
{
    return load_pinned(tx_home_dir(home), ts);
}

const tx_rec *
tx_trust_set_certificate(const tx_trust_set *ts, const uint8_t id[TX_ID_LEN])
{
    const size_t *at = tx_idmap_get(&ts->cert_ids, id);

    return at != NULL ? &ts->certificates.v[*at] : NULL;
}

int
tx_trust_set_from_cache(tx_home *home, tx_trust_set *ts)
{
    uint8_t(*ids)[TX_ID_LEN] = NULL;
    size_t n = 0;
    int rc;

    if ((rc = load_pinned(tx_home_dir(home), ts)) != TX_OK ||
        (rc = tx_home_cache_list(home, &ids, &n)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        tx_rec r = {0};
        int kind;

        if (tx_rec_from_cache(home, ids[i], TX_KIND_NONE, &r) != TX_OK) {
            tx_rec_clear(&r); /* verify names damaged records; here they only do not count */
            continue;
        }
        kind = tx_kind_from_payload_type(r.env->payload_type);
        if ((kind == TX_KIND_ACCREDITATION || kind == TX_KIND_CERTIFICATE ||
             kind == TX_KIND_CERT_EVENT || kind == TX_KIND_PROFILE) &&
            tx_decode_payload(r.env, kind, &r.msg) == TX_OK) {
            r.kind = kind;
            rc = tx_trust_set_take(ts, &r);
        }
        tx_rec_clear(&r);
    }
    free(ids);
    tx_fail_clear();
    return rc;
}

void
tx_trust_set_free(tx_trust_set *ts)
{
    free(ts->pinned);
    tx_recs_clear(&ts->accreditations);
    tx_recs_clear(&ts->certificates);
    tx_idmap_free(&ts->cert_ids);
    tx_recs_clear(&ts->events);
    tx_orgs_free(&ts->orgs);
    memset(ts, 0, sizeof *ts);
}

int
tx_trust_find_certificate(const tx_trust_set *ts, const char *arg, const uint8_t *issuer,
                          const tx_rec **out)
{
    int hex = tx_is_id_prefix(arg);
    size_t len = strlen(arg), hits = 0;
    const tx_rec *found = NULL;
    char id[2 * TX_ID_LEN + 1];

    *out = NULL;
    for (size_t i = 0; i < ts->certificates.n; i++) {
        const tx_rec *r = &ts->certificates.v[i];
        const tx_certificate_pb *c = (const tx_certificate_pb *)r->msg;

        if (issuer != NULL && memcmp(tx_rec_signer(r), issuer, TX_KEY_LEN) != 0) {
            continue;
        }
        tx_hex(id, r->id, TX_ID_LEN);
        if ((hex && strncasecmp(id, arg, len) == 0) || strcmp(c->number, arg) == 0) {
            hits++;
            found = r;
        }
    }
    if (hits == 0) {
        return issuer != NULL ? tx_fail(TX_ERR_NOT_FOUND,
                                        "no certificate %s issued by this body on the hub: give "
                                        "its number or record id (ticsx cert list shows them)",
                                        arg)
                              : tx_fail(TX_ERR_NOT_FOUND,
                                        "no certificate %s on the hub: give its number or record "
                                        "id (ticsx cert list shows them)",
                                        arg);
    }
    if (hits > 1) {
        return tx_fail(TX_ERR_USAGE,
                       "certificate %s is ambiguous: %zu certificates match; give the record id "
                       "(ticsx cert list shows them)",
                       arg, hits);
    }
    *out = found;
    return TX_OK;
}

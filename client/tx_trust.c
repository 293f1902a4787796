/* Pinned accreditor keys, and the public records a certificate judgement rests on. */
#include "tx_trust.h"

#include "tx_error.h"
#include "tx_log.h"
#include "tx_msg.h"
#include "tx_qref.h"
#include "tx_rpc.h"
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

#define MAX_KEY_FILE 4096
#define MAX_PINNED 256

static int
trust_path(const char *home_dir, const char *file, char *out, size_t n)
{
    int w = file != NULL ? snprintf(out, n, "%s/trust/%s", home_dir, file)
                         : snprintf(out, n, "%s/trust", home_dir);

    return (w < 0 || (size_t)w >= n) ? tx_fail(TX_ERR_USAGE, "home path too long") : TX_OK;
}

static int
load_key_file(const char *path, tx_pubkey *out)
{
    uint8_t *text = NULL;
    size_t len = 0;
    int rc = tx_file_read(path, MAX_KEY_FILE, &text, &len);

    if (rc == TX_OK) {
        rc = tx_pubkey_parse((const char *)text, len, out);
    }
    free(text);
    return rc;
}

int
tx_trust_add(const char *home_dir, const char *file, tx_pubkey *out, int *added)
{
    char dir[PATH_MAX], path[PATH_MAX], name[32], kid[17];
    char text[1024];
    tx_pubkey pk, old;
    int rc;

    *added = 0;
    if (sodium_init() < 0) { /* tx_pubkey_format uses sodium_malloc */
        return tx_fail(TX_ERR_CRYPTO, "cannot initialise libsodium");
    }
    rc = load_key_file(file, &pk);
    if (rc == TX_ERR_NOT_FOUND || rc == TX_ERR_IO) {
        return tx_fail(TX_ERR_USAGE, "cannot read %s: give the accreditor's public key file", file);
    }
    if (rc != TX_OK) {
        return tx_fail(TX_ERR_USAGE,
                       "%s is not a ticsx public key file (%s): give the accreditor's "
                       "identity.pub",
                       file, tx_strerror(rc));
    }
    tx_key_id_hex(pk.sign, kid);
    snprintf(name, sizeof name, "%s.pub", kid);
    if ((rc = trust_path(home_dir, NULL, dir, sizeof dir)) != TX_OK ||
        (rc = trust_path(home_dir, name, path, sizeof path)) != TX_OK) {
        return rc;
    }
    if (out != NULL) {
        *out = pk;
    }
    if (load_key_file(path, &old) == TX_OK) {
        if (memcmp(old.sign, pk.sign, sizeof pk.sign) == 0) {
            return TX_OK;
        }
        return tx_fail(TX_ERR_EXISTS,
                       "another key with key id %s is pinned already: remove it first with "
                       "ticsx trust remove %s",
                       kid, kid);
    }
    if (tx_mkdir_private(dir) != TX_OK) {
        return tx_fail(TX_ERR_IO, "cannot create %s: %s", dir, strerror(errno));
    }
    if ((rc = tx_pubkey_format(&pk, text, sizeof text)) != TX_OK) {
        return tx_fail(rc, "cannot format the key of %s", file);
    }
    if ((rc = tx_file_replace(path, text, strlen(text), 0644)) != TX_OK) {
        return tx_fail(rc, "cannot write %s: %s", path, strerror(errno));
    }
    *added = 1;
    return TX_OK;
}

static int
is_key_file_name(const char *s)
{
    return strlen(s) == 20 && strspn(s, "0123456789abcdef") == 16 && strcmp(s + 16, ".pub") == 0;
}

static int
by_key_id(const void *pa, const void *pb)
{
    char a[17], b[17];

    tx_key_id_hex(((const tx_pubkey *)pa)->sign, a);
    tx_key_id_hex(((const tx_pubkey *)pb)->sign, b);
    return strcmp(a, b);
}

int
tx_trust_list(const char *home_dir, tx_pubkey **keys, size_t *n)
{
    char dir[PATH_MAX], path[PATH_MAX];
    struct dirent *de;
    tx_pubkey *v = NULL;
    size_t count = 0;
    DIR *d;
    int rc;

    *keys = NULL;
    *n = 0;
    if ((rc = trust_path(home_dir, NULL, dir, sizeof dir)) != TX_OK) {
        return rc;
    }
    d = opendir(dir);
    if (d == NULL) {
        return errno == ENOENT ? TX_OK : tx_fail(TX_ERR_IO, "cannot read %s", dir);
    }
    while ((de = readdir(d)) != NULL) {
        tx_pubkey pk;
        char kid[17];

        if (!is_key_file_name(de->d_name) || count >= MAX_PINNED) {
            continue;
        }
        if (tx_path_join(path, sizeof path, dir, de->d_name) != TX_OK ||
            load_key_file(path, &pk) != TX_OK) {
            tx_warn("ignoring %s: not a public key file", path);
            continue;
        }
        tx_key_id_hex(pk.sign, kid);
        if (strncmp(kid, de->d_name, 16) != 0) {
            tx_warn("ignoring %s: it holds the key %s", path, kid);
            continue;
        }
        tx_pubkey *nv = realloc(v, (count + 1) * sizeof *v);
        if (nv == NULL) {
            free(v);
            closedir(d);
            return TX_ERR_NOMEM;
        }
        v = nv;
        v[count++] = pk;
    }
    closedir(d);
    if (count > 1) {
        qsort(v, count, sizeof *v, by_key_id);
    }
    *keys = v;
    *n = count;
    return TX_OK;
}

int
tx_trust_remove(const char *home_dir, const char *name, tx_pubkey *out)
{
    tx_pubkey *keys = NULL, pk;
    size_t n = 0;
    char kid[17] = "", fp[TX_FP_LEN], file[32], path[PATH_MAX];
    int rc;

    if ((rc = tx_trust_list(home_dir, &keys, &n)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < n && kid[0] == 0; i++) {
        char k[17];
        tx_key_id_hex(keys[i].sign, k);
        tx_fingerprint(keys[i].sign, fp);
        if (strcasecmp(k, name) == 0 || strcmp(fp, name) == 0) {
            memcpy(kid, k, sizeof kid);
            pk = keys[i];
        }
    }
    if (kid[0] == 0 && load_key_file(name, &pk) == TX_OK) {
        tx_key_id_hex(pk.sign, kid);
    }
    free(keys);
    snprintf(file, sizeof file, "%s.pub", kid);
    if (kid[0] == 0 || (rc = trust_path(home_dir, file, path, sizeof path)) != TX_OK ||
        access(path, F_OK) != 0) {
        return tx_fail(TX_ERR_NOT_FOUND,
                       "%s is not a pinned accreditor key: ticsx trust list shows them", name);
    }
    if (unlink(path) != 0) {
        return tx_fail(TX_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
    }
    if (out != NULL) {
        *out = pk;
    }
    return TX_OK;
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

int
tx_trust_set_from_hub(tx_client *c, tx_trust_set *ts)
{
    const int kinds[4] = {TX_KIND_ACCREDITATION, TX_KIND_CERTIFICATE, TX_KIND_CERT_EVENT,
                          TX_KIND_PROFILE};
    tx_recs l[4] = {{0}};
    int rc;

    if ((rc = load_pinned(tx_home_dir(tx_client_home(c)), ts)) != TX_OK ||
        (rc = tx_rpc_list(c, 4, kinds, NULL, l)) != TX_OK) {
        goto out;
    }
    for (size_t k = 0; k < 4; k++) {
        for (size_t i = 0; i < l[k].n && rc == TX_OK; i++) {
            rc = tx_home_cache_put(tx_client_home(c), l[k].v[i].bytes, l[k].v[i].len, NULL);
            if (rc == TX_OK) {
                rc = tx_trust_set_take(ts, &l[k].v[i]);
            }
        }
    }
out:
    for (size_t k = 0; k < 4; k++) {
        tx_recs_clear(&l[k]);
    }
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
        return tx_fail(TX_ERR_NOT_FOUND,
                       "no certificate %s%s on the hub: give its number or record id "
                       "(ticsx cert list shows them)",
                       arg, issuer != NULL ? " issued by this body" : "");
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

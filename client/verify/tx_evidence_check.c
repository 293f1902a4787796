/* Evidence files checked from the cache: each chunk opened (hash, signature, same signer as the
 * assessment), decrypted with the file key and its place in the file as associated data, the
 * pieces joined and compared with the size and SHA-256 the signed assessment states. */
#include "tx_evidence_check.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_rec.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AD_LEN (sizeof TX_EVIDENCE_AD - 1 + 32 + 4)

const char *
tx_evidence_status_name(int status)
{
    switch (status) {
    case TX_EVIDENCE_CHECKED:
        return "checked";
    case TX_EVIDENCE_MISSING:
        return "missing";
    default:
        return "mismatch";
    }
}

const char *
tx_evidence_status_label(int status)
{
    switch (status) {
    case TX_EVIDENCE_CHECKED:
        /* TRANSLATORS: an evidence file's status: decrypted and its hash matches. */
        return _("checked");
    case TX_EVIDENCE_MISSING:
        /* TRANSLATORS: an evidence file's status: its pieces are not here (not fetched). */
        return _("missing");
    default:
        /* TRANSLATORS: an evidence file's status: it does not match what the assessment says. */
        return _("mismatch");
    }
}

/* Whether `key` is one of the n keys. */
static int
one_of(const uint8_t *key, const uint8_t (*keys)[TX_KEY_LEN], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (memcmp(key, keys[i], TX_KEY_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The bytes of file `r` of an assessment whose chunks one of `signers` signs, checked;
 * TX_EVIDENCE_* with the reason in why (size n). *data (caller frees) only when checked. */
static int
assemble(tx_home *home, const tx_evidence_ref_pb *r, const uint8_t (*signers)[TX_KEY_LEN],
         size_t n_signers, uint8_t **data, char *why, size_t n)
{
    uint8_t ad[AD_LEN], sha[32];
    uint8_t *buf = NULL;
    size_t want, off = 0;
    int status = TX_EVIDENCE_CHECKED;

    *data = NULL;
    why[0] = 0;
    if (r->key.len != 32 || r->sha256.len != 32 || r->size == 0 || r->size > TX_EVIDENCE_FILE_MAX ||
        r->n_chunks != (r->size + TX_EVIDENCE_CHUNK - 1) / TX_EVIDENCE_CHUNK) {
        snprintf(why, n, "%s",
                 _("the assessment describes the file inconsistently (size, hash, key or "
                   "number of pieces)"));
        return TX_EVIDENCE_MISMATCH;
    }
    if ((buf = malloc((size_t)r->size)) == NULL) {
        snprintf(why, n, "%s", _("out of memory"));
        return TX_EVIDENCE_MISSING;
    }
    memcpy(ad, TX_EVIDENCE_AD, sizeof TX_EVIDENCE_AD - 1);
    memcpy(ad + sizeof TX_EVIDENCE_AD - 1, r->sha256.data, 32);
    for (size_t i = 0; i < r->n_chunks && status != TX_EVIDENCE_MISMATCH; i++) {
        const tx_evidence_chunk_pb *ch;
        uint8_t *p = ad + sizeof TX_EVIDENCE_AD - 1 + 32;
        unsigned long long plen = 0;
        tx_rec rec = {0};
        int rc;

        want =
            (size_t)r->size - off < TX_EVIDENCE_CHUNK ? (size_t)r->size - off : TX_EVIDENCE_CHUNK;
        if (r->chunks[i].len != TX_ID_LEN) {
            snprintf(why, n, _("piece %zu of the file is not named by a record id"), i + 1);
            status = TX_EVIDENCE_MISMATCH;
            break;
        }
        rc = tx_rec_from_cache(home, r->chunks[i].data, TX_KIND_EVIDENCE_CHUNK, &rec);
        if (rc == TX_ERR_NOT_FOUND) {
            tx_fail_clear();
            tx_rec_clear(&rec);
            if (status == TX_EVIDENCE_CHECKED) {
                snprintf(why, n,
                         _("piece %zu of %zu is not in the cache: run ticsx fetch (the hub serves "
                           "it only while the assessment is shared with you)"),
                         i + 1, r->n_chunks);
            }
            status = TX_EVIDENCE_MISSING;
            off += want;
            continue;
        }
        if (rc != TX_OK) {
            snprintf(why, n, _("piece %zu of the file does not open: %s"), i + 1, tx_fail_msg());
            tx_fail_clear();
            tx_rec_clear(&rec);
            status = TX_EVIDENCE_MISMATCH;
            break;
        }
        if (!one_of(tx_rec_signer(&rec), signers, n_signers)) {
            snprintf(why, n, _("piece %zu of the file is signed by another organisation"), i + 1);
            tx_rec_clear(&rec);
            status = TX_EVIDENCE_MISMATCH;
            break;
        }
        ch = (const tx_evidence_chunk_pb *)rec.msg;
        p[0] = (uint8_t)(i >> 24);
        p[1] = (uint8_t)(i >> 16);
        p[2] = (uint8_t)(i >> 8);
        p[3] = (uint8_t)i;
        if (ch->nonce.len != TX_NONCE_LEN || ch->ciphertext.len != want + TX_AEAD_TAG_LEN ||
            crypto_aead_xchacha20poly1305_ietf_decrypt(buf + off, &plen, NULL, ch->ciphertext.data,
                                                       ch->ciphertext.len, ad, sizeof ad,
                                                       ch->nonce.data, r->key.data) != 0 ||
            plen != want) {
            snprintf(why, n,
                     _("piece %zu of the file does not decrypt in its place: altered, out of "
                       "order or of another file"),
                     i + 1);
            tx_rec_clear(&rec);
            status = TX_EVIDENCE_MISMATCH;
            break;
        }
        tx_rec_clear(&rec);
        off += want;
    }
    if (status == TX_EVIDENCE_CHECKED) {
        crypto_hash_sha256(sha, buf, (size_t)r->size);
        if (sodium_memcmp(sha, r->sha256.data, 32) != 0) {
            snprintf(why, n, "%s", _("the file's SHA-256 differs from the assessment's"));
            status = TX_EVIDENCE_MISMATCH;
        }
    }
    if (status == TX_EVIDENCE_CHECKED) {
        *data = buf;
    } else {
        free(buf);
    }
    return status;
}

void
tx_evidence_results_free(tx_evidence_result *r, size_t n)
{
    for (size_t i = 0; r != NULL && i < n; i++) {
        free(r[i].name);
        free(r[i].media_type);
    }
    free(r);
}

int
tx_evidence_check_all(tx_home *home, const tx_assessment_pb *inner,
                      const uint8_t (*signers)[TX_KEY_LEN], size_t n_signers,
                      tx_evidence_result **out, size_t *n)
{
    tx_evidence_result *v;

    *out = NULL;
    *n = 0;
    if (inner == NULL || inner->n_evidence == 0) {
        return TX_OK;
    }
    if ((v = calloc(inner->n_evidence, sizeof *v)) == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < inner->n_evidence; i++) {
        const tx_evidence_ref_pb *r = inner->evidence[i];
        uint8_t *data = NULL;

        v[i].name = strdup(r->name);
        v[i].media_type = strdup(r->media_type);
        if (v[i].name == NULL || v[i].media_type == NULL) {
            tx_evidence_results_free(v, i + 1);
            return TX_ERR_NOMEM;
        }
        v[i].size = r->size;
        if (r->sha256.len == 32) {
            memcpy(v[i].sha256, r->sha256.data, 32);
        }
        v[i].status = assemble(home, r, signers, n_signers, &data, v[i].reason, sizeof v[i].reason);
        for (size_t j = 0; j < i && v[i].status == TX_EVIDENCE_CHECKED; j++) {
            if (strcmp(v[j].name, v[i].name) == 0) {
                v[i].status = TX_EVIDENCE_MISMATCH;
                snprintf(v[i].reason, sizeof v[i].reason, "%s",
                         _("another file of the assessment has the same name"));
            }
        }
        free(data);
    }
    *out = v;
    *n = inner->n_evidence;
    return TX_OK;
}

const tx_evidence_result *
tx_evidence_find(const tx_verdict *v, const char *name)
{
    for (size_t i = 0; v != NULL && name != NULL && i < v->n_evidence; i++) {
        if (strcmp(v->evidence[i].name, name) == 0) {
            return &v->evidence[i];
        }
    }
    return NULL;
}

json_t *
tx_evidence_json(const tx_evidence_result *r, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr,
                              json_pack("{s:s,s:s,s:I,s:o,s:s}", "name", r[i].name, "media_type",
                                        r[i].media_type, "size", (json_int_t)r[i].size, "sha256",
                                        tx_json_hex(r[i].sha256, 32), "status",
                                        tx_evidence_status_name(r[i].status)));
    }
    return arr;
}

int
tx_evidence_open(tx_home *home, const tx_verdict *v, const char *name, uint8_t **data, size_t *len,
                 char *media_type, size_t n)
{
    const tx_evidence_ref_pb *r = NULL;
    char why[256];
    int status;

    *data = NULL;
    *len = 0;
    if (n > 0) {
        media_type[0] = 0;
    }
    if (v->inner == NULL) {
        char hex[2 * TX_ID_LEN + 1];

        tx_hex(hex, v->assessment, TX_ID_LEN);
        return tx_fail(TX_ERR_NOT_FOUND,
                       "assessment %.12s was not decrypted here (%s): its files cannot be read",
                       hex, v->reason[0] ? v->reason : "not verified");
    }
    if (name == NULL) {
        if (v->inner->n_evidence != 1) {
            return tx_fail(v->inner->n_evidence == 0 ? TX_ERR_NOT_FOUND : TX_ERR_USAGE,
                           "the assessment has %zu evidence files: name the one you want "
                           "(ticsx evidence list shows them)",
                           v->inner->n_evidence);
        }
        r = v->inner->evidence[0];
    }
    for (size_t i = 0; r == NULL && i < v->inner->n_evidence; i++) {
        if (strcmp(v->inner->evidence[i]->name, name) == 0) {
            r = v->inner->evidence[i];
        }
    }
    if (r == NULL) {
        return tx_fail(TX_ERR_NOT_FOUND,
                       "the assessment has no evidence file named \"%.200s\" (ticsx evidence "
                       "list shows its files)",
                       name);
    }
    /* The supplier alone when the verdict names no one else. */
    if (v->n_chunk_signers > 0) {
        status = assemble(home, r, (const uint8_t(*)[TX_KEY_LEN])v->chunk_signers,
                          v->n_chunk_signers, data, why, sizeof why);
    } else {
        status =
            assemble(home, r, (const uint8_t(*)[TX_KEY_LEN])v->supplier, 1, data, why, sizeof why);
    }
    if (status == TX_EVIDENCE_MISSING) {
        return tx_fail(TX_ERR_MISSING_REF, "evidence \"%.200s\" is missing: %s", r->name, why);
    }
    if (status != TX_EVIDENCE_CHECKED) {
        return tx_fail(TX_ERR_CHECKSUM,
                       "evidence \"%.200s\" does not match what the signed assessment says (%s): "
                       "refused; ask the supplier to send it again",
                       r->name, why);
    }
    *len = (size_t)r->size;
    snprintf(media_type, n, "%s", r->media_type);
    return TX_OK;
}

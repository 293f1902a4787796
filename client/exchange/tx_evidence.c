/* Evidence files, sender side: check the attachments before signing, encrypt each file in
 * chunks under a fresh key, sign and submit the chunks, and describe the file in an EvidenceRef.
 * A file sent before from this home (same SHA-256) is listed again with its key and chunks. */
#include "tx_evidence.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_limits.h"
#include "tx_msg.h"
#include "tx_rpc.h"
#include "tx_sign.h"
#include "tx_util.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define SUBMIT_GROUP 12u /* chunks per tx_rpc_submit: about 3 MiB in flight */
#define AD_LEN (sizeof TX_EVIDENCE_AD - 1 + 32 + 4)

static const struct {
    const char *ext;
    const char *type;
} media_types[] = {
    {"pdf", "application/pdf"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"tif", "image/tiff"},
    {"tiff", "image/tiff"},
    {"txt", "text/plain"},
    {"csv", "text/csv"},
    {"json", "application/json"},
    {"xml", "application/xml"},
    {"html", "text/html"},
    {"zip", "application/zip"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"doc", "application/msword"},
    {"xls", "application/vnd.ms-excel"},
};

const char *
tx_evidence_media_type(const char *name)
{
    const char *dot = name != NULL ? strrchr(name, '.') : NULL;

    for (size_t i = 0; dot != NULL && i < TX_ARRAY_LEN(media_types); i++) {
        if (strcasecmp(dot + 1, media_types[i].ext) == 0) {
            return media_types[i].type;
        }
    }
    return "application/octet-stream";
}

const char *
tx_attachment_name(const tx_attachment *a)
{
    const char *slash;

    if (a->name != NULL) {
        return a->name;
    }
    slash = strrchr(a->path, '/');
    return slash != NULL ? slash + 1 : a->path;
}

/* The name as it goes into the assessment: a file name, not a path. */
static int
check_name(const tx_attachment *a, const char *name)
{
    const tx_limit *l = tx_limit_find(&ticsx__v1__evidence_ref__descriptor, "name", TX_LIMIT_TEXT);
    char why[256];
    size_t len = strlen(name);

    if (len == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        return tx_fail(TX_ERR_USAGE, "evidence %s: the file needs a name", a->path);
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch == '/' || ch == '\\' || ch < 0x20 || ch == 0x7f) {
            return tx_fail(TX_ERR_USAGE,
                           "evidence %s: the name \"%.80s\" holds a slash or a control character; "
                           "give a plain file name",
                           a->path, name);
        }
    }
    if (l != NULL && tx_limit_check_text(l, name, len, why, sizeof why) != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "evidence %s: %s", a->path, why);
    }
    return TX_OK;
}

int
tx_evidence_check(const tx_attachment *a, size_t n)
{
    uint64_t total = 0;
    char s1[32], s2[32];
    int rc;

    for (size_t i = 0; i < n; i++) {
        const char *name = tx_attachment_name(&a[i]);
        struct stat st;

        if (a[i].path == NULL) {
            return tx_fail(TX_ERR_USAGE, "evidence: a file path is required");
        }
        if (stat(a[i].path, &st) != 0) {
            return tx_fail(errno == ENOENT ? TX_ERR_NOT_FOUND : TX_ERR_IO, "evidence %s: %s",
                           a[i].path, strerror(errno));
        }
        if (!S_ISREG(st.st_mode)) {
            return tx_fail(TX_ERR_USAGE, "evidence %s is not a regular file", a[i].path);
        }
        if (st.st_size == 0) {
            return tx_fail(TX_ERR_USAGE, "evidence %s is empty: attach the document itself",
                           a[i].path);
        }
        if ((uint64_t)st.st_size > TX_EVIDENCE_FILE_MAX) {
            return tx_fail(TX_ERR_TOO_LARGE,
                           "evidence %s is %s bytes, at most %s (20 MiB) per file: attach a "
                           "smaller scan or split the document",
                           a[i].path, tx_limit_num((size_t)st.st_size, s1),
                           tx_limit_num(TX_EVIDENCE_FILE_MAX, s2));
        }
        total += (uint64_t)st.st_size;
        if ((rc = check_name(&a[i], name)) != TX_OK) {
            return rc;
        }
        if (a[i].media_type != NULL && (a[i].media_type[0] == 0 || strlen(a[i].media_type) > 255)) {
            return tx_fail(TX_ERR_USAGE, "evidence %s: the media type must be 1 to 255 bytes",
                           a[i].path);
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(tx_attachment_name(&a[j]), name) == 0) {
                return tx_fail(TX_ERR_USAGE,
                               "evidence %s and %s have the same name \"%s\": names are unique "
                               "in an assessment; rename one",
                               a[j].path, a[i].path, name);
            }
        }
    }
    if (total > TX_EVIDENCE_TOTAL_MAX) {
        return tx_fail(TX_ERR_TOO_LARGE,
                       "the evidence files are %s bytes together, at most %s (100 MiB) per "
                       "assessment: attach fewer or smaller files",
                       tx_limit_num((size_t)total, s1), tx_limit_num(TX_EVIDENCE_TOTAL_MAX, s2));
    }
    return TX_OK;
}

void
tx_evidence_set_free(tx_evidence_set *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; s->refs != NULL && i < s->n; i++) {
        tx_evidence_ref_pb *r = s->refs[i];
        if (r == NULL) {
            continue;
        }
        free(r->name);
        free(r->media_type);
        free(r->sha256.data);
        if (r->key.data != NULL) {
            sodium_memzero(r->key.data, r->key.len);
        }
        free(r->key.data);
        free(r->chunks); /* the ids point into one block after the array */
        free(r);
    }
    free(s->refs);
    free(s->chunks);
    memset(s, 0, sizeof *s);
}

/* The home's index of files sent: attachments/<sha256 hex> = key || chunk ids (evidence/ holds
 * the log's misbehaviour evidence). */
static int
index_path(tx_client *c, const uint8_t sha[32], char *out, size_t n, int make)
{
    char dir[PATH_MAX], hex[65];
    int rc;

    if ((rc = tx_path_join(dir, sizeof dir, tx_home_dir(tx_client_home(c)), "attachments")) !=
        TX_OK) {
        return rc;
    }
    if (make && (rc = tx_mkdir_private(dir)) != TX_OK) {
        return tx_fail(rc, "cannot create %s: %s", dir, strerror(errno));
    }
    tx_hex(hex, sha, 32);
    return tx_path_join(out, n, dir, hex);
}

/* The ref's chunk array with room for n ids after it, in one block. */
static int
ref_chunks(tx_evidence_ref_pb *r, size_t n)
{
    ProtobufCBinaryData *v = calloc(1, n * (sizeof *v + TX_ID_LEN));

    if (v == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        v[i].data = (uint8_t *)(v + n) + i * TX_ID_LEN;
        v[i].len = TX_ID_LEN;
    }
    r->chunks = v;
    r->n_chunks = n;
    return TX_OK;
}

/* A file sent before: its key and chunk ids from the home, when they fit this file. */
static int
reuse(tx_client *c, tx_evidence_ref_pb *r, size_t n_chunks)
{
    char path[PATH_MAX];
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc;

    if (index_path(c, r->sha256.data, path, sizeof path, 0) != TX_OK ||
        tx_file_check_private(path) != TX_OK ||
        tx_file_read(path, 32 + TX_EVIDENCE_MAX_CHUNKS * TX_ID_LEN, &buf, &len) != TX_OK) {
        tx_fail_clear();
        return TX_ERR_NOT_FOUND;
    }
    rc = TX_ERR_NOT_FOUND;
    if (len == 32 + n_chunks * TX_ID_LEN && (rc = ref_chunks(r, n_chunks)) == TX_OK) {
        memcpy(r->key.data, buf, 32);
        for (size_t i = 0; i < n_chunks; i++) {
            memcpy(r->chunks[i].data, buf + 32 + i * TX_ID_LEN, TX_ID_LEN);
        }
    }
    sodium_memzero(buf, len);
    free(buf);
    return rc;
}

static int
remember(tx_client *c, const tx_evidence_ref_pb *r)
{
    char path[PATH_MAX];
    size_t len = 32 + r->n_chunks * TX_ID_LEN;
    uint8_t *buf = malloc(len);
    int rc;

    if (buf == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(buf, r->key.data, 32);
    for (size_t i = 0; i < r->n_chunks; i++) {
        memcpy(buf + 32 + i * TX_ID_LEN, r->chunks[i].data, TX_ID_LEN);
    }
    rc = index_path(c, r->sha256.data, path, sizeof path, 1);
    if (rc == TX_OK && (rc = tx_file_replace(path, buf, len, 0600)) != TX_OK) {
        rc = tx_fail(rc, "cannot write %s: %s", path, strerror(errno));
    }
    sodium_memzero(buf, len);
    free(buf);
    return rc;
}

static void
envs_free(uint8_t **envs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(envs[i]);
        envs[i] = NULL;
    }
}

/* Encrypts, signs and submits the chunks of one file read into data. */
static int
send_chunks(tx_client *c, const char *what, const uint8_t *data, size_t size, tx_evidence_ref_pb *r)
{
    const tx_identity *me = tx_client_id(c);
    size_t n = r->n_chunks;
    uint8_t *envs[SUBMIT_GROUP] = {NULL};
    size_t lens[SUBMIT_GROUP];
    uint8_t *ct = malloc(TX_EVIDENCE_CHUNK + TX_AEAD_TAG_LEN);
    uint8_t ad[AD_LEN], nonce[TX_NONCE_LEN];
    int64_t now = tx_now();
    uint64_t seq;
    size_t k = 0;
    int rc;

    if (ct == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((rc = tx_seq_take(tx_home_dir(tx_client_home(c)), (unsigned)n, &seq)) != TX_OK) {
        free(ct);
        return rc;
    }
    memcpy(ad, TX_EVIDENCE_AD, sizeof TX_EVIDENCE_AD - 1);
    memcpy(ad + sizeof TX_EVIDENCE_AD - 1, r->sha256.data, 32);
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        tx_evidence_chunk_pb ch = TICSX__V1__EVIDENCE_CHUNK__INIT;
        tx_meta_pb m = TICSX__V1__META__INIT;
        size_t off = i * (size_t)TX_EVIDENCE_CHUNK;
        size_t plen = size - off < TX_EVIDENCE_CHUNK ? size - off : TX_EVIDENCE_CHUNK;
        unsigned long long clen = 0;
        uint8_t *p = ad + sizeof TX_EVIDENCE_AD - 1 + 32;

        p[0] = (uint8_t)(i >> 24);
        p[1] = (uint8_t)(i >> 16);
        p[2] = (uint8_t)(i >> 8);
        p[3] = (uint8_t)i;
        randombytes_buf(nonce, sizeof nonce);
        crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &clen, data + off, plen, ad, sizeof ad, NULL,
                                                   nonce, r->key.data);
        m.seq = seq + i;
        m.created = now;
        ch.meta = &m;
        ch.nonce.data = nonce;
        ch.nonce.len = sizeof nonce;
        ch.ciphertext.data = ct;
        ch.ciphertext.len = (size_t)clen;
        if ((rc = tx_sign_checked(me, TX_KIND_EVIDENCE_CHUNK, &ch.base, what, &envs[k],
                                  &lens[k])) != TX_OK) {
            break;
        }
        tx_record_id(envs[k], lens[k], r->chunks[i].data);
        if (++k == SUBMIT_GROUP || i + 1 == n) {
            rc = tx_rpc_submit(c, k, envs, lens);
            envs_free(envs, k);
            k = 0;
        }
    }
    envs_free(envs, k);
    free(ct);
    return rc;
}

static int
one_file(tx_client *c, const tx_attachment *a, tx_evidence_ref_pb *r, int *reused)
{
    const char *name = tx_attachment_name(a);
    const char *type = a->media_type != NULL ? a->media_type : tx_evidence_media_type(name);
    uint8_t *data = NULL;
    size_t size = 0, n_chunks;
    char s1[32];
    int rc;

    *reused = 0;
    if ((r->name = strdup(name)) == NULL || (r->media_type = strdup(type)) == NULL ||
        (r->sha256.data = malloc(32)) == NULL || (r->key.data = malloc(32)) == NULL) {
        return TX_ERR_NOMEM;
    }
    r->sha256.len = 32;
    r->key.len = 32;
    rc = tx_file_read(a->path, TX_EVIDENCE_FILE_MAX, &data, &size);
    if (rc == TX_ERR_TOO_LARGE) {
        return tx_fail(rc, "evidence %s is larger than %s bytes (20 MiB) per file", a->path,
                       tx_limit_num(TX_EVIDENCE_FILE_MAX, s1));
    }
    if (rc != TX_OK) {
        return tx_fail(rc, "cannot read evidence %s: %s", a->path, strerror(errno));
    }
    if (size == 0) {
        free(data);
        return tx_fail(TX_ERR_USAGE, "evidence %s is empty: attach the document itself", a->path);
    }
    r->size = size;
    crypto_hash_sha256(r->sha256.data, data, size);
    n_chunks = (size + TX_EVIDENCE_CHUNK - 1) / TX_EVIDENCE_CHUNK;
    if (reuse(c, r, n_chunks) == TX_OK) {
        *reused = 1;
    } else if ((rc = ref_chunks(r, n_chunks)) == TX_OK) {
        crypto_aead_xchacha20poly1305_ietf_keygen(r->key.data);
        if ((rc = send_chunks(c, a->path, data, size, r)) == TX_OK) {
            rc = remember(c, r);
        }
    }
    sodium_memzero(data, size);
    free(data);
    return rc;
}

int
tx_evidence_send(tx_client *c, const tx_attachment *a, size_t n, tx_evidence_set *out)
{
    size_t total = 0;
    int rc;

    memset(out, 0, sizeof *out);
    if (n == 0) {
        return TX_OK;
    }
    if ((rc = tx_evidence_check(a, n)) != TX_OK) {
        return rc;
    }
    if ((out->refs = calloc(n, sizeof *out->refs)) == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        int reused = 0;

        if ((out->refs[i] = malloc(sizeof *out->refs[i])) == NULL) {
            rc = TX_ERR_NOMEM;
            break;
        }
        ticsx__v1__evidence_ref__init(out->refs[i]);
        out->n = i + 1;
        if ((rc = one_file(c, &a[i], out->refs[i], &reused)) == TX_OK) {
            total += out->refs[i]->n_chunks;
            *(reused ? &out->reused : &out->sent) += out->refs[i]->n_chunks;
        }
    }
    if (rc == TX_OK && total > TX_EVIDENCE_MAX_CHUNKS) {
        rc = tx_fail(TX_ERR_TOO_LARGE, "the evidence files take %zu chunks, at most %u", total,
                     TX_EVIDENCE_MAX_CHUNKS);
    }
    if (rc == TX_OK && (out->chunks = calloc(total, TX_ID_LEN)) == NULL) {
        rc = TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < out->n && rc == TX_OK; i++) {
        for (size_t j = 0; j < out->refs[i]->n_chunks; j++) {
            memcpy(out->chunks[out->n_chunks++], out->refs[i]->chunks[j].data, TX_ID_LEN);
        }
    }
    if (rc != TX_OK) {
        tx_evidence_set_free(out);
    }
    return rc;
}

/* One ref of a draft as an attachment would make it: complete and within the per-file limit. */
static int
ref_ok(const char *what, const tx_evidence_ref_pb *r)
{
    tx_attachment a = {.path = what, .name = r->name, .media_type = r->media_type};
    char s1[32];

    if (r->name == NULL || r->media_type == NULL || r->sha256.len != 32 || r->key.len != 32 ||
        r->size == 0 || r->n_chunks != (r->size + TX_EVIDENCE_CHUNK - 1) / TX_EVIDENCE_CHUNK) {
        return tx_fail(TX_ERR_MALFORMED,
                       "%s: evidence \"%.80s\" is described inconsistently (size, hash, key or "
                       "number of pieces)",
                       what, r->name != NULL ? r->name : "");
    }
    if (r->size > TX_EVIDENCE_FILE_MAX) {
        return tx_fail(TX_ERR_TOO_LARGE, "%s: evidence \"%.80s\" is larger than %s bytes (20 MiB)",
                       what, r->name, tx_limit_num(TX_EVIDENCE_FILE_MAX, s1));
    }
    for (size_t i = 0; i < r->n_chunks; i++) {
        if (r->chunks[i].len != TX_ID_LEN) {
            return tx_fail(TX_ERR_MALFORMED,
                           "%s: evidence \"%.80s\": piece %zu is not named by a record id", what,
                           r->name, i + 1);
        }
    }
    if (r->media_type[0] == 0 || strlen(r->media_type) > 255) {
        return tx_fail(TX_ERR_MALFORMED,
                       "%s: the media type of evidence \"%.80s\" must be 1 to "
                       "255 bytes",
                       what, r->name);
    }
    return check_name(&a, r->name);
}

/* A deep copy of ref r into *out (allocated). */
static int
ref_copy(const tx_evidence_ref_pb *r, tx_evidence_ref_pb **out)
{
    tx_evidence_ref_pb *c = malloc(sizeof *c);

    if ((*out = c) == NULL) {
        return TX_ERR_NOMEM;
    }
    ticsx__v1__evidence_ref__init(c);
    if ((c->name = strdup(r->name)) == NULL || (c->media_type = strdup(r->media_type)) == NULL ||
        (c->sha256.data = malloc(32)) == NULL || (c->key.data = malloc(32)) == NULL ||
        ref_chunks(c, r->n_chunks) != TX_OK) {
        return TX_ERR_NOMEM;
    }
    c->sha256.len = c->key.len = 32;
    memcpy(c->sha256.data, r->sha256.data, 32);
    memcpy(c->key.data, r->key.data, 32);
    c->size = r->size;
    for (size_t i = 0; i < r->n_chunks; i++) {
        memcpy(c->chunks[i].data, r->chunks[i].data, TX_ID_LEN);
    }
    return TX_OK;
}

int
tx_evidence_from_refs(const char *what, tx_evidence_ref_pb *const *refs, size_t n,
                      tx_evidence_set *out)
{
    uint64_t total = 0;
    size_t n_chunks = 0;
    char s1[32], s2[32];
    int rc = TX_OK;

    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        rc = ref_ok(what, refs[i]);
        for (size_t j = 0; j < i && rc == TX_OK; j++) {
            if (strcmp(refs[j]->name, refs[i]->name) == 0) {
                rc = tx_fail(TX_ERR_MALFORMED, "%s: two evidence files are named \"%.80s\"", what,
                             refs[i]->name);
            }
        }
        total += refs[i]->size;
        n_chunks += refs[i]->n_chunks;
    }
    if (rc == TX_OK && (total > TX_EVIDENCE_TOTAL_MAX || n_chunks > TX_EVIDENCE_MAX_CHUNKS)) {
        rc =
            tx_fail(TX_ERR_TOO_LARGE,
                    "%s: the evidence files are %s bytes together, at most %s "
                    "(100 MiB) per assessment",
                    what, tx_limit_num((size_t)total, s1), tx_limit_num(TX_EVIDENCE_TOTAL_MAX, s2));
    }
    if (rc != TX_OK || n == 0) {
        return rc;
    }
    if ((out->refs = calloc(n, sizeof *out->refs)) == NULL ||
        (out->chunks = calloc(n_chunks, TX_ID_LEN)) == NULL) {
        rc = TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        out->n = i + 1;
        rc = ref_copy(refs[i], &out->refs[i]);
        for (size_t j = 0; rc == TX_OK && j < refs[i]->n_chunks; j++) {
            memcpy(out->chunks[out->n_chunks++], refs[i]->chunks[j].data, TX_ID_LEN);
        }
    }
    if (rc != TX_OK) {
        tx_evidence_set_free(out);
    }
    return rc;
}

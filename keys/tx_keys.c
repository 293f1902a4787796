/* Key generation and the identity.key / identity.pub file formats. */
#include "tx_keys.h"

#include "tx_error.h"
#include "tx_util.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG0 'T'
#define TAG1 'x'
#define SEC_RAW (2 + 8 + 64 + 32 + 32 + 32)
#define PUB_RAW (2 + 8 + 32 + 32 + 32)
#define MAX_KEY_FILE 4096

static void
key_id(const uint8_t sign_pk[32], uint8_t out[8])
{
    uint8_t h[32];
    crypto_generichash(h, sizeof h, sign_pk, 32, NULL, 0);
    memcpy(out, h, 8);
}

void
tx_key_id_hex(const uint8_t sign_pk[32], char out[17])
{
    uint8_t id[8];
    key_id(sign_pk, id);
    tx_hex(out, id, 8);
}

static int
alloc_identity(tx_identity **out)
{
    tx_identity *id = calloc(1, sizeof *id);

    if (id == NULL) {
        return TX_ERR_NOMEM;
    }
    id->sec = sodium_malloc(sizeof *id->sec);
    if (id->sec == NULL) {
        free(id);
        return TX_ERR_NOMEM;
    }
    *out = id;
    return TX_OK;
}

void
tx_identity_destroy(tx_identity **id_p)
{
    if (id_p == NULL || *id_p == NULL) {
        return;
    }
    sodium_free((*id_p)->sec); /* sodium_free wipes before unmapping */
    free(*id_p);
    *id_p = NULL;
}

static void
set_name(tx_pubkey *pk, const char *name)
{
    snprintf(pk->name, sizeof pk->name, "%s", name);
}

/* The name ends the comment line of every key file: a control character would break the
 * file, and a name cut at TX_NAME_MAX could end inside a UTF-8 sequence. */
static int
name_ok(const char *name)
{
    size_t n = strlen(name);

    if (n >= TX_NAME_MAX || !tx_utf8_valid(name, n)) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
            return 0;
        }
    }
    return 1;
}

int
tx_identity_generate(const char *name, tx_identity **out)
{
    tx_identity *id;
    int rc;

    *out = NULL;
    if (!name_ok(name)) {
        return TX_ERR_USAGE;
    }
    if (sodium_init() < 0) {
        return TX_ERR_CRYPTO;
    }
    if ((rc = alloc_identity(&id)) != TX_OK) {
        return rc;
    }
    set_name(&id->pub, name);
    crypto_sign_keypair(id->pub.sign, id->sec->sign);
    crypto_box_keypair(id->pub.seal, id->sec->seal);
    crypto_box_keypair(id->pub.curve, id->sec->curve);
    *out = id;
    return TX_OK;
}

/* Writes the comment line and the base64 of raw into text (size n). */
static int
format_key_text(char *text, size_t n, const char *kind, const char *name, const uint8_t *raw,
                size_t raw_len)
{
    size_t b64n = tx_b64_len(raw_len);
    char *b64 = sodium_malloc(b64n);
    int w;

    if (b64 == NULL) {
        return TX_ERR_NOMEM;
    }
    tx_b64(b64, raw, raw_len);
    w = snprintf(text, n, "untrusted comment: ticsx %s key: %s\n%s\n", kind, name, b64);
    sodium_free(b64);
    return (w < 0 || (size_t)w >= n) ? TX_ERR_USAGE : TX_OK;
}

int
tx_pubkey_format(const tx_pubkey *pk, char *out, size_t n)
{
    uint8_t raw[PUB_RAW];

    raw[0] = TAG0;
    raw[1] = TAG1;
    key_id(pk->sign, raw + 2);
    memcpy(raw + 10, pk->sign, 32);
    memcpy(raw + 42, pk->seal, 32);
    memcpy(raw + 74, pk->curve, 32);
    return format_key_text(out, n, "public", pk->name, raw, sizeof raw);
}

int
tx_identity_save(const tx_identity *id, const char *dir, const char *base)
{
    char path[PATH_MAX];
    char file[256];
    char pubtext[1024];
    char ssh[512];
    char *sectext = NULL;
    uint8_t *raw = NULL;
    int rc;

    if ((rc = tx_mkdir_private(dir)) != TX_OK) {
        return rc;
    }
    raw = sodium_malloc(SEC_RAW);
    sectext = sodium_malloc(1024);
    if (raw == NULL || sectext == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    raw[0] = TAG0;
    raw[1] = TAG1;
    key_id(id->pub.sign, raw + 2);
    memcpy(raw + 10, id->sec->sign, 64);
    memcpy(raw + 74, id->sec->seal, 32);
    memcpy(raw + 106, id->sec->curve, 32);
    crypto_generichash(raw + 138, 32, raw, 138, NULL, 0);
    if ((rc = format_key_text(sectext, 1024, "secret", id->pub.name, raw, SEC_RAW)) != TX_OK ||
        (rc = tx_pubkey_format(&id->pub, pubtext, sizeof pubtext)) != TX_OK ||
        (rc = tx_ssh_pubkey(id->pub.sign, id->pub.name, ssh, sizeof ssh)) != TX_OK) {
        goto out;
    }
    snprintf(file, sizeof file, "%s.key", base);
    if ((rc = tx_path_join(path, sizeof path, dir, file)) != TX_OK ||
        (rc = tx_file_create(path, sectext, strlen(sectext), 0600)) != TX_OK) {
        goto out;
    }
    snprintf(file, sizeof file, "%s.pub", base);
    if ((rc = tx_path_join(path, sizeof path, dir, file)) != TX_OK ||
        (rc = tx_file_replace(path, pubtext, strlen(pubtext), 0644)) != TX_OK) {
        goto out;
    }
    strcat(ssh, "\n");
    snprintf(file, sizeof file, "%s_ed25519.pub", base);
    if ((rc = tx_path_join(path, sizeof path, dir, file)) != TX_OK ||
        (rc = tx_file_replace(path, ssh, strlen(ssh), 0644)) != TX_OK) {
        goto out;
    }
out:
    sodium_free(sectext);
    sodium_free(raw);
    return rc;
}

/* Splits "untrusted comment: ...\nBASE64\n" and decodes the base64 into raw (capacity cap).
 * The comment's trailing name (after "key: ") is copied to name when not NULL. */
static int
parse_key_text(const char *text, size_t len, uint8_t *raw, size_t cap, size_t *raw_len,
               char *name, size_t name_n)
{
    const char *nl = memchr(text, '\n', len);
    const char *b64, *end;
    const char *prefix = "untrusted comment: ";

    if (nl == NULL) {
        return TX_ERR_TRUNCATED;
    }
    if ((size_t)(nl - text) < strlen(prefix) || memcmp(text, prefix, strlen(prefix)) != 0) {
        return TX_ERR_MALFORMED;
    }
    if (name != NULL) {
        /* The name is whatever follows the first " key: " on the comment line. */
        const char *k = text;
        name[0] = 0;
        for (; k + 6 <= nl; k++) {
            if (memcmp(k, " key: ", 6) == 0) {
                size_t nn = (size_t)(nl - (k + 6));
                if (nn >= name_n) {
                    nn = name_n - 1;
                }
                memcpy(name, k + 6, nn);
                name[nn] = 0;
                break;
            }
        }
    }
    b64 = nl + 1;
    end = b64;
    while (end < text + len && *end != '\n' && *end != '\r') {
        end++;
    }
    if (end == b64) {
        return TX_ERR_TRUNCATED;
    }
    if (tx_unb64(raw, cap, raw_len, b64, (size_t)(end - b64)) != TX_OK) {
        return TX_ERR_MALFORMED;
    }
    return TX_OK;
}

int
tx_pubkey_parse(const char *text, size_t len, tx_pubkey *out)
{
    uint8_t raw[PUB_RAW + 1];
    uint8_t kid[8];
    size_t n = 0;
    int rc;

    memset(out, 0, sizeof *out);
    rc = parse_key_text(text, len, raw, sizeof raw, &n, out->name, sizeof out->name);
    if (rc != TX_OK) {
        return rc;
    }
    if (n < PUB_RAW) {
        return TX_ERR_TRUNCATED;
    }
    if (n != PUB_RAW || raw[0] != TAG0 || raw[1] != TAG1) {
        return TX_ERR_BAD_KEY;
    }
    memcpy(out->sign, raw + 10, 32);
    memcpy(out->seal, raw + 42, 32);
    memcpy(out->curve, raw + 74, 32);
    key_id(out->sign, kid);
    if (memcmp(kid, raw + 2, 8) != 0) {
        return TX_ERR_CHECKSUM;
    }
    return TX_OK;
}

int
tx_pubkey_load(const char *path, tx_pubkey *out)
{
    uint8_t *text;
    size_t len;
    int rc = tx_file_read(path, MAX_KEY_FILE, &text, &len);

    if (rc != TX_OK) {
        return rc;
    }
    rc = tx_pubkey_parse((const char *)text, len, out);
    free(text);
    return rc;
}

int
tx_identity_load(const char *dir, const char *base, tx_identity **out)
{
    char path[PATH_MAX];
    char file[256];
    uint8_t *text = NULL;
    uint8_t *raw = NULL;
    uint8_t sum[32];
    uint8_t derived[32];
    size_t len = 0, n = 0;
    tx_identity *id = NULL;
    int rc;

    *out = NULL;
    if (sodium_init() < 0) {
        return TX_ERR_CRYPTO;
    }
    snprintf(file, sizeof file, "%s.key", base);
    if ((rc = tx_path_join(path, sizeof path, dir, file)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_file_check_private(path)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_file_read(path, MAX_KEY_FILE, &text, &len)) != TX_OK) {
        return rc;
    }
    if ((rc = alloc_identity(&id)) != TX_OK) {
        goto out;
    }
    raw = sodium_malloc(SEC_RAW + 1);
    if (raw == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    rc = parse_key_text((const char *)text, len, raw, SEC_RAW + 1, &n, NULL, 0);
    if (rc != TX_OK) {
        goto out;
    }
    if (n < SEC_RAW) {
        rc = TX_ERR_TRUNCATED;
        goto out;
    }
    if (n != SEC_RAW || raw[0] != TAG0 || raw[1] != TAG1) {
        rc = TX_ERR_BAD_KEY;
        goto out;
    }
    crypto_generichash(sum, sizeof sum, raw, 138, NULL, 0);
    if (sodium_memcmp(sum, raw + 138, 32) != 0) {
        rc = TX_ERR_CHECKSUM;
        goto out;
    }
    memcpy(id->sec->sign, raw + 10, 64);
    memcpy(id->sec->seal, raw + 74, 32);
    memcpy(id->sec->curve, raw + 106, 32);
    snprintf(file, sizeof file, "%s.pub", base);
    if ((rc = tx_path_join(path, sizeof path, dir, file)) != TX_OK ||
        (rc = tx_pubkey_load(path, &id->pub)) != TX_OK) {
        goto out;
    }
    /* The public file must belong to this secret key. */
    crypto_scalarmult_base(derived, id->sec->seal);
    if (memcmp(id->sec->sign + 32, id->pub.sign, 32) != 0 ||
        memcmp(derived, id->pub.seal, 32) != 0) {
        rc = TX_ERR_BAD_KEY;
        goto out;
    }
    crypto_scalarmult_base(derived, id->sec->curve);
    if (memcmp(derived, id->pub.curve, 32) != 0) {
        rc = TX_ERR_BAD_KEY;
        goto out;
    }
    *out = id;
    id = NULL;
out:
    sodium_memzero(derived, sizeof derived);
    if (text != NULL) {
        sodium_memzero(text, len);
        free(text);
    }
    sodium_free(raw);
    tx_identity_destroy(&id);
    return rc;
}

static size_t
ssh_blob(const uint8_t pk[32], uint8_t blob[51])
{
    static const uint8_t head[] = {0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9',
                                   0, 0, 0, 32};
    memcpy(blob, head, sizeof head);
    memcpy(blob + sizeof head, pk, 32);
    return sizeof head + 32;
}

void
tx_fingerprint(const uint8_t sign_pk[32], char out[TX_FP_LEN])
{
    uint8_t blob[51];
    uint8_t h[32];
    char b64[44];
    size_t n = ssh_blob(sign_pk, blob);

    crypto_hash_sha256(h, blob, n);
    sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    snprintf(out, TX_FP_LEN, "SHA256:%s", b64);
}

int
tx_ssh_pubkey(const uint8_t sign_pk[32], const char *comment, char *out, size_t n)
{
    uint8_t blob[51];
    char b64[80];
    size_t len = ssh_blob(sign_pk, blob);
    int w;

    tx_b64(b64, blob, len);
    w = snprintf(out, n, "ssh-ed25519 %s %s", b64, comment);
    return (w < 0 || (size_t)w >= n) ? TX_ERR_USAGE : TX_OK;
}

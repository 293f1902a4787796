/* Signed notes, checkpoints and cosignatures (see tx_note.h). */
#include "tx_note.h"

#include "tx_error.h"
#include "tx_sha256.h"
#include "tx_util.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char dash[] = "\xe2\x80\x94 "; /* U+2014 EM DASH and a space */
#define DASH_LEN 4
#define COSIG_PREFIX_MAX 48 /* "cosignature/v1\ntime " + 20 digits + "\n" */

int
tx_note_name_ok(const char *name)
{
    size_t n = strnlen(name, TX_NOTE_NAME_MAX + 1);

    if (n == 0 || n > TX_NOTE_NAME_MAX) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c <= 0x20 || c >= 0x7f || c == '+') {
            return 0;
        }
    }
    return 1;
}

void
tx_note_key_hash(const char *name, uint8_t type, const uint8_t pk[32], uint8_t out[4])
{
    tx_sha256_state st;
    uint8_t h[32];
    uint8_t sep[2] = {0x0a, type};

    tx_sha256_init(&st);
    tx_sha256_update(&st, (const uint8_t *)name, strlen(name));
    tx_sha256_update(&st, sep, sizeof sep);
    tx_sha256_update(&st, pk, 32);
    tx_sha256_final(&st, h);
    memcpy(out, h, 4);
}

int
tx_note_vkey(const char *name, uint8_t type, const uint8_t pk[32], char *out, size_t n)
{
    uint8_t hash[4], raw[33];
    char hex[9], b64[64];
    int w;

    if (!tx_note_name_ok(name)) {
        return TX_ERR_USAGE;
    }
    tx_note_key_hash(name, type, pk, hash);
    tx_hex(hex, hash, 4);
    raw[0] = type;
    memcpy(raw + 1, pk, 32);
    tx_b64(b64, raw, sizeof raw);
    w = snprintf(out, n, "%s+%s+%s", name, hex, b64);
    return w < 0 || (size_t)w >= n ? TX_ERR_USAGE : TX_OK;
}

/* Decimal without leading zeroes (a lone "0" allowed); TX_ERR_MALFORMED otherwise. */
static int
parse_u64(const uint8_t *p, size_t n, uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0 || n > 20 || (p[0] == '0' && n > 1)) {
        return TX_ERR_MALFORMED;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9' || v > (UINT64_MAX - (uint64_t)(p[i] - '0')) / 10) {
            return TX_ERR_MALFORMED;
        }
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    *out = v;
    return TX_OK;
}

/* Canonical padded base64 of exactly `want` bytes (want <= 76). */
static int
parse_b64(const uint8_t *p, size_t n, uint8_t *out, size_t cap, size_t *got)
{
    char again[128];

    if (n == 0 || n % 4 != 0 || n >= sizeof again ||
        tx_unb64(out, cap, got, (const char *)p, n) != TX_OK) {
        return TX_ERR_MALFORMED;
    }
    tx_b64(again, out, *got); /* refuses non-canonical trailing bits */
    return strlen(again) == n && memcmp(again, p, n) == 0 ? TX_OK : TX_ERR_MALFORMED;
}

static int
parse_sig_line(const uint8_t *p, size_t n, tx_note_sig *sig)
{
    const uint8_t *sp;
    uint8_t raw[80];
    size_t name_len, got;

    memset(sig, 0, sizeof *sig);
    if (n < DASH_LEN || memcmp(p, dash, DASH_LEN) != 0) {
        return TX_ERR_MALFORMED;
    }
    p += DASH_LEN;
    n -= DASH_LEN;
    if ((sp = memchr(p, ' ', n)) == NULL) {
        return TX_ERR_MALFORMED;
    }
    name_len = (size_t)(sp - p);
    if (name_len == 0 || name_len > TX_NOTE_NAME_MAX) {
        return TX_ERR_MALFORMED;
    }
    memcpy(sig->name, p, name_len);
    sig->name[name_len] = 0;
    if (!tx_note_name_ok(sig->name)) {
        return TX_ERR_MALFORMED;
    }
    p = sp + 1;
    n -= name_len + 1;
    if (parse_b64(p, n, raw, sizeof raw, &got) != TX_OK || got < 5) {
        return TX_ERR_MALFORMED;
    }
    memcpy(sig->hash, raw, 4);
    if (got - 4 == 64 || got - 4 == 72) {
        sig->sig_len = got - 4;
        memcpy(sig->sig, raw + 4, sig->sig_len);
    }
    return TX_OK;
}

int
tx_note_parse(const uint8_t *buf, size_t len, tx_note *out)
{
    size_t i, start;

    memset(out, 0, sizeof *out);
    if (len > TX_NOTE_MAX) {
        return TX_ERR_TOO_LARGE;
    }
    /* The text: printable ASCII lines, none empty, up to the first blank line. */
    for (i = 0; i < len; i++) {
        uint8_t c = buf[i];
        if (c == '\n') {
            if (i == 0) {
                return TX_ERR_MALFORMED;
            }
            if (buf[i - 1] == '\n') {
                break;
            }
        } else if (c < 0x20 || c >= 0x7f) {
            return TX_ERR_MALFORMED;
        }
    }
    if (i >= len) {
        return TX_ERR_MALFORMED; /* no signatures */
    }
    out->text = buf;
    out->text_len = i; /* through the text's last newline */
    for (start = i + 1; start < len;) {
        const uint8_t *nl = memchr(buf + start, '\n', len - start);
        size_t n;
        if (nl == NULL) {
            return TX_ERR_MALFORMED;
        }
        n = (size_t)(nl - (buf + start));
        if (out->n_sigs == TX_NOTE_SIGS_MAX) {
            return TX_ERR_TOO_LARGE;
        }
        if (n + 1 > TX_NOTE_LINE_MAX ||
            parse_sig_line(buf + start, n, &out->sigs[out->n_sigs]) != TX_OK) {
            return TX_ERR_MALFORMED;
        }
        out->n_sigs++;
        start += n + 1;
    }
    return out->n_sigs > 0 ? TX_OK : TX_ERR_MALFORMED;
}

int
tx_note_checkpoint_text(const char *origin, uint64_t size, const uint8_t root[32], int64_t time,
                        char *out, size_t n, size_t *len)
{
    char b64[48];
    int w;

    if (!tx_note_name_ok(origin) || time < 0) {
        return TX_ERR_USAGE;
    }
    tx_b64(b64, root, 32);
    w = snprintf(out, n, "%s\n%" PRIu64 "\n%s\ntime %" PRId64 "\n", origin, size, b64, time);
    if (w < 0 || (size_t)w >= n) {
        return TX_ERR_USAGE;
    }
    *len = (size_t)w;
    return TX_OK;
}

int
tx_note_checkpoint_parse(const uint8_t *text, size_t len, tx_note_checkpoint *out)
{
    const uint8_t *line[5];
    size_t ln[4], k = 0, got;
    uint64_t t;

    memset(out, 0, sizeof *out);
    if (len == 0 || len > TX_NOTE_MAX || text[len - 1] != '\n') {
        return TX_ERR_MALFORMED;
    }
    line[0] = text;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') {
            if (k == 4) {
                return TX_ERR_MALFORMED;
            }
            ln[k] = (size_t)(text + i - line[k]);
            line[++k] = text + i + 1;
        }
    }
    if (k != 4 || ln[0] == 0 || ln[0] > TX_NOTE_NAME_MAX) {
        return TX_ERR_MALFORMED;
    }
    memcpy(out->origin, line[0], ln[0]);
    out->origin[ln[0]] = 0;
    if (!tx_note_name_ok(out->origin) || parse_u64(line[1], ln[1], &out->size) != TX_OK ||
        ln[2] != 44 || parse_b64(line[2], ln[2], out->root, sizeof out->root, &got) != TX_OK ||
        got != 32) {
        return TX_ERR_MALFORMED;
    }
    if (ln[3] < 6 || memcmp(line[3], "time ", 5) != 0 ||
        parse_u64(line[3] + 5, ln[3] - 5, &t) != TX_OK || t > INT64_MAX) {
        return TX_ERR_MALFORMED;
    }
    out->time = (int64_t)t;
    return TX_OK;
}

int
tx_note_sig_line(const char *name, const uint8_t hash[4], const uint8_t *sig, size_t sig_len,
                 char *out, size_t n, size_t *len)
{
    uint8_t raw[80];
    char b64[128];
    int w;

    if (!tx_note_name_ok(name) || sig_len + 4 > sizeof raw) {
        return TX_ERR_USAGE;
    }
    memcpy(raw, hash, 4);
    memcpy(raw + 4, sig, sig_len);
    tx_b64(b64, raw, sig_len + 4);
    w = snprintf(out + *len, n - *len, "%s%s %s\n", dash, name, b64);
    if (w < 0 || (size_t)w >= n - *len) {
        return TX_ERR_USAGE;
    }
    *len += (size_t)w;
    return TX_OK;
}

int
tx_note_sign(const uint8_t *text, size_t len, const char *name, const uint8_t sk[64],
             uint8_t **note, size_t *note_len)
{
    uint8_t hash[4], sig[64];
    size_t cap = len + 1 + TX_NOTE_LINE_MAX, n;
    char *buf;
    int rc;

    *note = NULL;
    *note_len = 0;
    if (len == 0 || len > TX_NOTE_MAX || text[len - 1] != '\n') {
        return TX_ERR_USAGE;
    }
    if ((buf = malloc(cap)) == NULL) {
        return TX_ERR_NOMEM;
    }
    crypto_sign_detached(sig, NULL, text, len, sk);
    tx_note_key_hash(name, TX_NOTE_ED25519, sk + 32, hash);
    memcpy(buf, text, len);
    buf[len] = '\n';
    n = len + 1;
    if ((rc = tx_note_sig_line(name, hash, sig, sizeof sig, buf, cap, &n)) != TX_OK) {
        free(buf);
        return rc;
    }
    *note = (uint8_t *)buf;
    *note_len = n;
    return TX_OK;
}

/* The signature line of `note` by pk under name with key type `type`: TX_ERR_WRONG_KEY when
 * none. Several lines may match (a stale copy, say): *from is where to start looking. */
static const tx_note_sig *
find_sig(const tx_note *note, const char *name, uint8_t type, const uint8_t pk[32], size_t *from)
{
    uint8_t hash[4];

    tx_note_key_hash(name, type, pk, hash);
    for (size_t i = *from; i < note->n_sigs; i++) {
        const tx_note_sig *s = &note->sigs[i];
        if (strcmp(s->name, name) == 0 && memcmp(s->hash, hash, 4) == 0) {
            *from = i + 1;
            return s;
        }
    }
    *from = note->n_sigs;
    return NULL;
}

int
tx_note_verify(const tx_note *note, const char *name, const uint8_t pk[32])
{
    const tx_note_sig *s;
    size_t from = 0;
    int rc = TX_ERR_WRONG_KEY;

    while ((s = find_sig(note, name, TX_NOTE_ED25519, pk, &from)) != NULL) {
        if (s->sig_len == 64 &&
            crypto_sign_verify_detached(s->sig, note->text, note->text_len, pk) == 0) {
            return TX_OK;
        }
        rc = TX_ERR_BAD_SIGNATURE;
    }
    return rc;
}

/* "cosignature/v1\ntime T\n" into p; its length. */
static size_t
cosig_prefix(char p[COSIG_PREFIX_MAX], uint64_t t)
{
    return (size_t)snprintf(p, COSIG_PREFIX_MAX, "cosignature/v1\ntime %" PRIu64 "\n", t);
}

int
tx_note_cosign(const uint8_t *text, size_t len, const char *name, const uint8_t sk[64], uint64_t t,
               char *line, size_t n, size_t *line_len)
{
    char prefix[COSIG_PREFIX_MAX];
    size_t plen = cosig_prefix(prefix, t);
    uint8_t raw[72], hash[4];

    *line_len = 0;
    if (t > INT64_MAX || len == 0 || len > TX_NOTE_MAX || text[len - 1] != '\n') {
        return TX_ERR_USAGE;
    }
    for (int i = 0; i < 8; i++) {
        raw[i] = (uint8_t)(t >> (56 - 8 * i));
    }
    /* Plain Ed25519 over the message (crypto_sign_detached), built in one buffer. */
    {
        uint8_t *msg = malloc(plen + len);
        if (msg == NULL) {
            return TX_ERR_NOMEM;
        }
        memcpy(msg, prefix, plen);
        memcpy(msg + plen, text, len);
        crypto_sign_detached(raw + 8, NULL, msg, plen + len, sk);
        free(msg);
    }
    tx_note_key_hash(name, TX_NOTE_COSIG_V1, sk + 32, hash);
    return tx_note_sig_line(name, hash, raw, sizeof raw, line, n, line_len);
}

int
tx_note_cosig_verify(const tx_note *note, const char *name, const uint8_t pk[32], uint64_t *t)
{
    const tx_note_sig *s;
    size_t from = 0;
    int rc = TX_ERR_WRONG_KEY;

    while ((s = find_sig(note, name, TX_NOTE_COSIG_V1, pk, &from)) != NULL) {
        char prefix[COSIG_PREFIX_MAX];
        uint64_t ts = 0;
        uint8_t *msg;
        size_t plen;
        int ok;

        if (s->sig_len != 72) {
            rc = TX_ERR_BAD_SIGNATURE;
            continue;
        }
        for (int i = 0; i < 8; i++) {
            ts = ts << 8 | s->sig[i];
        }
        if (ts > INT64_MAX) {
            rc = TX_ERR_MALFORMED;
            continue;
        }
        plen = cosig_prefix(prefix, ts);
        if ((msg = malloc(plen + note->text_len)) == NULL) {
            return TX_ERR_NOMEM;
        }
        memcpy(msg, prefix, plen);
        memcpy(msg + plen, note->text, note->text_len);
        ok = crypto_sign_verify_detached(s->sig + 8, msg, plen + note->text_len, pk) == 0;
        free(msg);
        if (ok) {
            if (t != NULL) {
                *t = ts;
            }
            return TX_OK;
        }
        rc = TX_ERR_BAD_SIGNATURE;
    }
    return rc;
}

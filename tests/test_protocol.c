/* The test vectors of docs/protocol.md, recomputed with the project's own code: every ```vector
 * block of the document is parsed, every value in it is either an input or is recomputed and
 * compared, and a value no check reads fails the test, so the specification cannot drift. */
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_keys.h"
#include "tx_merkle.h"
#include "tx_note.h"
#include "tx_seal.h"
#include "tx_sha256.h"
#include "tx_util.h"

#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#ifndef TX_PROTOCOL_MD
#error "TX_PROTOCOL_MD (the path of docs/protocol.md) must be defined by the build"
#endif

#define DOC_MAX (1u << 20)
#define MAX_LINES 64
#define MAX_BLOCKS 32
#define VAL_MAX 1024

/* One "key: hex" or "key = text" line of a block. */
typedef struct {
    char key[40];
    char val[VAL_MAX];
    int is_text;
    int used;
    int line; /* in the document, for messages */
} vline;

typedef struct {
    char name[32];
    int line;
    vline v[MAX_LINES];
    size_t n;
    int differs; /* a value differs from what the code computes (each is reported) */
} vblock;

static vblock blocks[MAX_BLOCKS];
static size_t n_blocks;
static char tmpdir[64];

/* ---- the document ---- */

static int
key_ok(const char *k, size_t n)
{
    if (n == 0 || n >= sizeof((vline *)0)->key) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_')) {
            return 0;
        }
    }
    return 1;
}

/* Parses one line inside a block into b; 0 when it has neither form. */
static int
parse_line(vblock *b, const char *s, size_t n, int lineno)
{
    const char *colon = memchr(s, ':', n), *eq = memchr(s, '=', n);
    const char *sep = colon != NULL && (eq == NULL || colon < eq) ? colon : eq;
    vline *l;
    size_t klen, vlen;

    if (sep == NULL || b->n == MAX_LINES || sep + 1 >= s + n || sep[1] != ' ') {
        return 0;
    }
    klen = (size_t)(sep - s);
    if (klen > 0 && s[klen - 1] == ' ' && sep == eq) {
        klen--;
    }
    if (!key_ok(s, klen)) {
        return 0;
    }
    l = &b->v[b->n++];
    memset(l, 0, sizeof *l);
    memcpy(l->key, s, klen);
    l->is_text = sep == eq;
    vlen = n - (size_t)(sep + 2 - s);
    if (vlen >= sizeof l->val) {
        return 0;
    }
    memcpy(l->val, sep + 2, vlen);
    l->line = lineno;
    if (!l->is_text) {
        for (size_t i = 0; i < vlen; i++) {
            if (!((l->val[i] >= '0' && l->val[i] <= '9') ||
                  (l->val[i] >= 'a' && l->val[i] <= 'f'))) {
                return 0;
            }
        }
        if (vlen % 2 != 0) {
            return 0;
        }
    }
    return 1;
}

static int
load_doc(void **state)
{
    uint8_t *doc;
    size_t len, pos = 0;
    vblock *cur = NULL;
    int lineno = 0;
    (void)state;

    if (sodium_init() < 0) {
        return -1;
    }
    if (tx_file_read(TX_PROTOCOL_MD, DOC_MAX, &doc, &len) != TX_OK) {
        fprintf(stderr, "cannot read %s\n", TX_PROTOCOL_MD);
        return -1;
    }
    while (pos < len) {
        const char *s = (const char *)doc + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;

        lineno++;
        pos += n + 1;
        if (cur == NULL) {
            if (n > 10 && memcmp(s, "```vector ", 10) == 0) {
                if (n_blocks == MAX_BLOCKS || n - 10 >= sizeof cur->name) {
                    fprintf(stderr, "%s:%d: too many vector blocks or too long a name\n",
                            TX_PROTOCOL_MD, lineno);
                    free(doc);
                    return -1;
                }
                cur = &blocks[n_blocks++];
                memcpy(cur->name, s + 10, n - 10);
                cur->line = lineno;
            }
            continue;
        }
        if (n == 3 && memcmp(s, "```", 3) == 0) {
            cur = NULL;
        } else if (n > 0 && !parse_line(cur, s, n, lineno)) {
            fprintf(stderr, "%s:%d: not a \"key: hex\" or \"key = text\" line: %.*s\n",
                    TX_PROTOCOL_MD, lineno, (int)n, s);
            free(doc);
            return -1;
        }
    }
    free(doc);
    if (cur != NULL) {
        fprintf(stderr, "%s:%d: vector block not closed\n", TX_PROTOCOL_MD, cur->line);
        return -1;
    }
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tx_protocol_XXXXXX");
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
remove_tmpdir(void **state)
{
    char cmd[128];
    (void)state;

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- reading a block ---- */

/* The value of hex key k: every line of that key, concatenated, into out (cap). */
static size_t
hexv(vblock *b, const char *k, uint8_t *out, size_t cap)
{
    size_t len = 0;
    int found = 0;

    for (size_t i = 0; i < b->n; i++) {
        vline *l = &b->v[i];
        size_t n = strlen(l->val) / 2;

        if (strcmp(l->key, k) != 0) {
            continue;
        }
        if (l->is_text) {
            fail_msg("%s:%d: %s should be hex (\"%s: ...\")", TX_PROTOCOL_MD, l->line, k, k);
        }
        if (len + n > cap) {
            fail_msg("%s:%d: %s is longer than %zu bytes", TX_PROTOCOL_MD, l->line, k, cap);
        }
        assert_int_equal(tx_unhex(out + len, n, l->val), TX_OK);
        len += n;
        l->used = found = 1;
    }
    if (!found) {
        fail_msg("vector %s (line %d) has no %s", b->name, b->line, k);
    }
    return len;
}

/* hexv of exactly n bytes. */
static void
hexn(vblock *b, const char *k, uint8_t *out, size_t n)
{
    size_t got = hexv(b, k, out, n);

    if (got != n) {
        fail_msg("vector %s (line %d): %s is %zu bytes, not %zu", b->name, b->line, k, got, n);
    }
}

/* Text lines of key k, joined by newlines (a trailing newline when `lines`), into out. */
static const char *
textv(vblock *b, const char *k, int lines, char *out, size_t cap)
{
    size_t len = 0;
    int found = 0;

    out[0] = 0;
    for (size_t i = 0; i < b->n; i++) {
        vline *l = &b->v[i];
        size_t n = strlen(l->val);

        if (strcmp(l->key, k) != 0) {
            continue;
        }
        if (!l->is_text) {
            fail_msg("%s:%d: %s should be text (\"%s = ...\")", TX_PROTOCOL_MD, l->line, k, k);
        }
        if (found && !lines) {
            fail_msg("%s:%d: %s appears twice", TX_PROTOCOL_MD, l->line, k);
        }
        if (len + n + 2 > cap) {
            fail_msg("%s:%d: %s is too long", TX_PROTOCOL_MD, l->line, k);
        }
        memcpy(out + len, l->val, n);
        len += n;
        if (lines) {
            out[len++] = '\n';
        }
        out[len] = 0;
        l->used = found = 1;
    }
    if (!found) {
        fail_msg("vector %s (line %d) has no %s", b->name, b->line, k);
    }
    return out;
}

/* The text value of k as a decimal number. */
static int64_t
numv(vblock *b, const char *k)
{
    char s[64], *end;
    long long v;

    textv(b, k, 0, s, sizeof s);
    v = strtoll(s, &end, 10);
    if (end == s || *end != 0) {
        fail_msg("vector %s (line %d): %s = %s is not a number", b->name, b->line, k, s);
    }
    return (int64_t)v;
}

/* Compares what the code computes with hex key k; a difference is printed in the document's
 * form and fails the block when it is done (so one run shows every difference). */
static void
expect_hex(vblock *b, const char *k, const uint8_t *computed, size_t n)
{
    uint8_t doc[VAL_MAX * 4];
    size_t len = hexv(b, k, doc, sizeof doc);

    if (len != n || memcmp(doc, computed, n) != 0) {
        char *hex = malloc(2 * n + 1);
        assert_non_null(hex);
        tx_hex(hex, computed, n);
        fprintf(stderr, "vector %s (line %d): %s differs from what the code computes:\n", b->name,
                b->line, k);
        for (size_t i = 0; i < 2 * n; i += 64) {
            fprintf(stderr, "%s: %.64s\n", k, hex + i);
        }
        free(hex);
        b->differs = 1;
    }
}

static void
expect_text(vblock *b, const char *k, int lines, const char *computed)
{
    char doc[4 * VAL_MAX];

    textv(b, k, lines, doc, sizeof doc);
    if (strcmp(doc, computed) != 0) {
        fprintf(stderr, "vector %s (line %d): %s differs from what the code computes:\n%s\n",
                b->name, b->line, k, computed);
        b->differs = 1;
    }
}

/* Every value of the block matched, and every line was read by a check. */
static void
block_done(const vblock *b)
{
    if (b->differs) {
        fail_msg("vector %s (line %d) differs from the code (see above)", b->name, b->line);
    }
    for (size_t i = 0; i < b->n; i++) {
        if (!b->v[i].used) {
            fail_msg("%s:%d: %s is checked by nothing in tests/test_protocol.c", TX_PROTOCOL_MD,
                     b->v[i].line, b->v[i].key);
        }
    }
}

/* Runs fn on every block of that name: at least one must exist. */
static void
each_block(const char *name, void (*fn)(vblock *b))
{
    int seen = 0;

    for (size_t i = 0; i < n_blocks; i++) {
        if (strcmp(blocks[i].name, name) == 0) {
            fn(&blocks[i]);
            block_done(&blocks[i]);
            seen = 1;
        }
    }
    if (!seen) {
        fail_msg("%s has no ```vector %s block", TX_PROTOCOL_MD, name);
    }
}

/* An identity from fixed secret keys, as tx_identity_load would make it. */
static tx_identity *
fixed_identity(const uint8_t sign_seed[32], const uint8_t seal_sk[32], const uint8_t curve_sk[32],
               const char *name)
{
    tx_identity *id = calloc(1, sizeof *id);

    assert_non_null(id);
    id->sec = sodium_malloc(sizeof *id->sec);
    assert_non_null(id->sec);
    crypto_sign_seed_keypair(id->pub.sign, id->sec->sign, sign_seed);
    memcpy(id->sec->seal, seal_sk, 32);
    crypto_scalarmult_base(id->pub.seal, seal_sk);
    memcpy(id->sec->curve, curve_sk, 32);
    crypto_scalarmult_base(id->pub.curve, curve_sk);
    snprintf(id->pub.name, sizeof id->pub.name, "%s", name);
    return id;
}

/* ---- the vectors ---- */

static void
file_is(vblock *b, const char *k, const char *dir, const char *file, unsigned mode)
{
    char path[256];
    uint8_t *text;
    size_t len;
    struct stat st;

    snprintf(path, sizeof path, "%s/%s", dir, file);
    assert_int_equal(tx_file_read(path, 4096, &text, &len), TX_OK);
    text = realloc(text, len + 1);
    assert_non_null(text);
    text[len] = 0;
    expect_text(b, k, 1, (const char *)text);
    free(text);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, mode);
}

static void
check_key(vblock *b)
{
    uint8_t seed[32], seal_sk[32], curve_sk[32], kid[8];
    char name[TX_NAME_MAX], fp[TX_FP_LEN], ssh[512], kid_hex[17], dir[128];
    tx_identity *id, *back = NULL;

    hexn(b, "sign_seed", seed, 32);
    hexn(b, "seal_sk", seal_sk, 32);
    hexn(b, "curve_sk", curve_sk, 32);
    textv(b, "name", 0, name, sizeof name);
    id = fixed_identity(seed, seal_sk, curve_sk, name);
    expect_hex(b, "sign_pk", id->pub.sign, 32);
    expect_hex(b, "seal_pk", id->pub.seal, 32);
    expect_hex(b, "curve_pk", id->pub.curve, 32);
    tx_key_id_hex(id->pub.sign, kid_hex);
    assert_int_equal(tx_unhex(kid, 8, kid_hex), TX_OK);
    expect_hex(b, "key_id", kid, 8);
    tx_fingerprint(id->pub.sign, fp);
    expect_text(b, "fingerprint", 0, fp);
    assert_int_equal(tx_ssh_pubkey(id->pub.sign, name, ssh, sizeof ssh), TX_OK);
    expect_text(b, "ssh_pubkey", 0, ssh);
    /* The three files as tx_identity_save writes them, with their modes. */
    snprintf(dir, sizeof dir, "%s/%s", tmpdir, "home");
    assert_int_equal(tx_identity_save(id, dir, "identity"), TX_OK);
    file_is(b, "identity_key", dir, "identity.key", 0600);
    file_is(b, "identity_pub", dir, "identity.pub", 0644);
    file_is(b, "identity_ed25519_pub", dir, "identity_ed25519.pub", 0644);
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_OK);
    assert_memory_equal(back->sec->sign, id->sec->sign, 64);
    tx_identity_destroy(&back);
    tx_identity_destroy(&id);
}

static void
check_record(vblock *b)
{
    uint8_t seed[32], zero[32] = {0}, assessment[32], grantee[32], sealed[TX_SEALED_KEY_LEN];
    uint8_t request[32], id_bytes[32], leaf[32];
    char type[128];
    tx_grant_pb g = TICSX__V1__GRANT__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_envelope_pb *env;
    ProtobufCMessage *msg;
    const tx_grant_pb *back;
    uint8_t *payload, *pae, *envelope;
    size_t payload_len, pae_len, env_len;
    tx_identity *id;

    hexn(b, "signer_seed", seed, 32);
    id = fixed_identity(seed, zero, zero, "signer");
    textv(b, "payload_type", 0, type, sizeof type);
    assert_int_equal(tx_kind_from_payload_type(type), TX_KIND_GRANT);
    meta.seq = (uint64_t)numv(b, "seq");
    meta.created = numv(b, "created");
    g.meta = &meta;
    hexn(b, "assessment", assessment, 32);
    hexn(b, "grantee", grantee, 32);
    hexn(b, "sealed_key", sealed, sizeof sealed);
    hexn(b, "request", request, 32);
    g.assessment = (ProtobufCBinaryData){32, assessment};
    g.grantee = (ProtobufCBinaryData){32, grantee};
    g.sealed_key = (ProtobufCBinaryData){sizeof sealed, sealed};
    g.until = numv(b, "until");
    g.request = (ProtobufCBinaryData){32, request};
    assert_int_equal(tx_pack(&g.base, &payload, &payload_len), TX_OK);
    expect_hex(b, "payload", payload, payload_len);
    assert_int_equal(tx_pae(type, payload, payload_len, &pae, &pae_len), TX_OK);
    expect_hex(b, "pae", pae, pae_len);
    assert_int_equal(tx_envelope_sign(id, TX_KIND_GRANT, payload, payload_len, &envelope, &env_len),
                     TX_OK);
    expect_hex(b, "envelope", envelope, env_len);
    assert_int_equal(tx_envelope_open_as(envelope, env_len, TX_KIND_GRANT, &env, &msg), TX_OK);
    expect_hex(b, "signature", env->signature.data, env->signature.len);
    assert_memory_equal(env->signer_key.data, id->pub.sign, 32);
    assert_int_equal(crypto_sign_verify_detached(env->signature.data, pae, pae_len, id->pub.sign),
                     0);
    back = (const tx_grant_pb *)msg;
    assert_int_equal(back->until, g.until);
    assert_memory_equal(back->sealed_key.data, sealed, sizeof sealed);
    tx_record_id(envelope, env_len, id_bytes);
    expect_hex(b, "record_id", id_bytes, 32);
    tx_merkle_leaf_hash(envelope, env_len, leaf);
    expect_hex(b, "leaf_hash", leaf, 32);
    /* A flipped payload bit no longer verifies. */
    env->payload.data[0] ^= 1;
    assert_int_equal(tx_envelope_verify(env), TX_ERR_BAD_SIGNATURE);
    tx_free(msg);
    tx_free(env);
    free(envelope);
    free(pae);
    free(payload);
    tx_identity_destroy(&id);
}

static void
check_sealed_key(vblock *b)
{
    uint8_t seal_sk[32], zero[32] = {0}, sealed[TX_SEALED_KEY_LEN], nonce[24], key[32], again[80];
    uint8_t *k = sodium_malloc(TX_CONTENT_KEY_LEN);
    tx_identity *id;

    assert_non_null(k);
    hexn(b, "recipient_seal_sk", seal_sk, 32);
    id = fixed_identity(zero, seal_sk, zero, "reader");
    expect_hex(b, "recipient_seal_pk", id->pub.seal, 32);
    assert_int_equal(hexv(b, "sealed", sealed, sizeof sealed + 1), TX_SEALED_KEY_LEN);
    assert_int_equal(crypto_box_SEALBYTES + TX_CONTENT_KEY_LEN, TX_SEALED_KEY_LEN);
    expect_hex(b, "ephemeral_pk", sealed, 32);
    /* crypto_box_seal: nonce = BLAKE2b-192(ephemeral pk || recipient pk). */
    {
        uint8_t both[64];
        memcpy(both, sealed, 32);
        memcpy(both + 32, id->pub.seal, 32);
        crypto_generichash(nonce, sizeof nonce, both, sizeof both, NULL, 0);
    }
    expect_hex(b, "box_nonce", nonce, 24);
    assert_int_equal(tx_open_key(id, sealed, k), TX_OK);
    expect_hex(b, "content_key", k, 32);
    assert_int_equal(crypto_box_open_easy(key, sealed + 32, 48, nonce, sealed, seal_sk), 0);
    assert_memory_equal(key, k, 32);
    /* Sealing is randomized: a fresh seal differs and opens to the same key. */
    assert_int_equal(tx_seal_key(k, id->pub.seal, again), TX_OK);
    assert_memory_not_equal(again, sealed, sizeof again);
    sodium_memzero(k, 32);
    assert_int_equal(tx_open_key(id, again, k), TX_OK);
    assert_memory_equal(k, key, 32);
    sealed[79] ^= 1;
    assert_int_equal(tx_open_key(id, sealed, k), TX_ERR_WRONG_KEY);
    sodium_free(k);
    tx_identity_destroy(&id);
}

static void
check_aead(vblock *b)
{
    uint8_t key[32], nonce[24], ad[32], ct[VAL_MAX], *plain;
    char text[VAL_MAX];
    unsigned long long ct_len = 0;
    size_t plain_len;

    hexn(b, "key", key, 32);
    hexn(b, "nonce", nonce, 24);
    hexn(b, "ad", ad, 32);
    textv(b, "plaintext", 0, text, sizeof text);
    crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &ct_len, (const uint8_t *)text, strlen(text), ad,
                                               32, NULL, nonce, key);
    assert_int_equal(ct_len, strlen(text) + TX_AEAD_TAG_LEN);
    expect_hex(b, "ciphertext", ct, (size_t)ct_len);
    assert_int_equal(tx_open_content(ct, (size_t)ct_len, ad, key, nonce, &plain, &plain_len),
                     TX_OK);
    assert_int_equal(plain_len, strlen(text));
    assert_memory_equal(plain, text, plain_len);
    free(plain);
    /* Another questionnaire id as associated data: refused. */
    ad[0] ^= 1;
    assert_int_equal(tx_open_content(ct, (size_t)ct_len, ad, key, nonce, &plain, &plain_len),
                     TX_ERR_DECRYPT);
}

/* The tree of the merkle_tree block, for the proofs. */
static uint8_t tree[16][32];
static uint64_t tree_size;

static void
check_tree(vblock *b)
{
    char entries[VAL_MAX];
    uint8_t root[32];
    uint64_t size = (uint64_t)numv(b, "size");
    const char *p = textv(b, "entry", 1, entries, sizeof entries);

    tree_size = 0;
    while (*p != 0) {
        const char *nl = strchr(p, '\n');
        assert_true(tree_size < 16);
        tx_merkle_leaf_hash((const uint8_t *)p, (size_t)(nl - p), tree[tree_size++]);
        p = nl + 1;
    }
    assert_int_equal(tree_size, size);
    expect_hex(b, "leaf_hash", &tree[0][0], 32 * tree_size);
    assert_int_equal(tx_merkle_root(tx_merkle_node_from_leaves, tree, 0, root), TX_OK);
    expect_hex(b, "empty_root", root, 32);
    assert_int_equal(tx_merkle_root(tx_merkle_node_from_leaves, tree, size, root), TX_OK);
    expect_hex(b, "root", root, 32);
}

static void
need_tree(void)
{
    if (tree_size == 0) {
        each_block("merkle_tree", check_tree);
    }
}

static void
check_inclusion(vblock *b)
{
    uint64_t index = (uint64_t)numv(b, "log_index"), size = (uint64_t)numv(b, "size");
    uint8_t path[TX_MERKLE_MAX_PATH][32], root[32];
    size_t n = 0;

    need_tree();
    assert_true(index >= 1 && index <= size && size <= tree_size);
    expect_hex(b, "leaf_hash", tree[index - 1], 32);
    assert_int_equal(tx_merkle_root(tx_merkle_node_from_leaves, tree, size, root), TX_OK);
    expect_hex(b, "root", root, 32);
    assert_int_equal(
        tx_merkle_inclusion_proof(tx_merkle_node_from_leaves, tree, index - 1, size, path, &n),
        TX_OK);
    expect_hex(b, "proof", &path[0][0], 32 * n);
    assert_int_equal(tx_merkle_verify_inclusion(index - 1, size, tree[index - 1],
                                                (const uint8_t(*)[32])path, n, root),
                     TX_OK);
    if (n > 0) {
        path[0][0] ^= 1;
        assert_int_not_equal(tx_merkle_verify_inclusion(index - 1, size, tree[index - 1],
                                                        (const uint8_t(*)[32])path, n, root),
                             TX_OK);
    }
}

static void
check_consistency(vblock *b)
{
    uint64_t old_size = (uint64_t)numv(b, "old_size"), new_size = (uint64_t)numv(b, "new_size");
    uint8_t path[TX_MERKLE_MAX_PATH][32], old_root[32], new_root[32];
    size_t n = 0;

    need_tree();
    assert_true(old_size >= 1 && old_size <= new_size && new_size <= tree_size);
    assert_int_equal(tx_merkle_root(tx_merkle_node_from_leaves, tree, old_size, old_root), TX_OK);
    assert_int_equal(tx_merkle_root(tx_merkle_node_from_leaves, tree, new_size, new_root), TX_OK);
    expect_hex(b, "old_root", old_root, 32);
    expect_hex(b, "new_root", new_root, 32);
    assert_int_equal(
        tx_merkle_consistency_proof(tx_merkle_node_from_leaves, tree, old_size, new_size, path, &n),
        TX_OK);
    expect_hex(b, "proof", &path[0][0], 32 * n);
    assert_int_equal(tx_merkle_verify_consistency(old_size, new_size, old_root, new_root,
                                                  (const uint8_t(*)[32])path, n),
                     TX_OK);
}

static void
check_checkpoint(vblock *b)
{
    uint8_t seed[32], pk[32], sk[64], wpk[32], wsk[64], root[32], hash[4], raw[68];
    char origin[TX_NOTE_NAME_MAX + 1], wname[TX_NOTE_NAME_MAX + 1], text[512], line[512];
    char vkey[TX_NOTE_VKEY_MAX], b64[128];
    uint8_t *note;
    size_t text_len, note_len, line_len;
    uint64_t t = 0;
    tx_note parsed;
    tx_note_checkpoint cp;

    hexn(b, "hub_seed", seed, 32);
    crypto_sign_seed_keypair(pk, sk, seed);
    expect_hex(b, "hub_pk", pk, 32);
    textv(b, "origin", 0, origin, sizeof origin);
    hexn(b, "root", root, 32);
    need_tree();
    {
        uint8_t tree_root[32];
        uint64_t size = (uint64_t)numv(b, "size");
        assert_int_equal(tx_merkle_root(tx_merkle_node_from_leaves, tree, size, tree_root), TX_OK);
        assert_memory_equal(root, tree_root, 32);
        assert_int_equal(tx_note_checkpoint_text(origin, size, root, numv(b, "time"), text,
                                                 sizeof text, &text_len),
                         TX_OK);
    }
    expect_text(b, "text", 1, text);
    tx_note_key_hash(origin, TX_NOTE_ED25519, pk, hash);
    expect_hex(b, "key_hash", hash, 4);
    assert_int_equal(tx_note_vkey(origin, TX_NOTE_ED25519, pk, vkey, sizeof vkey), TX_OK);
    expect_text(b, "vkey", 0, vkey);
    assert_int_equal(tx_note_sign((const uint8_t *)text, text_len, origin, sk, &note, &note_len),
                     TX_OK);
    assert_int_equal(tx_note_parse(note, note_len, &parsed), TX_OK);
    assert_int_equal(parsed.n_sigs, 1);
    expect_hex(b, "signature", parsed.sigs[0].sig, 64);
    assert_int_equal(
        crypto_sign_verify_detached(parsed.sigs[0].sig, (const uint8_t *)text, text_len, pk), 0);
    /* The note is the text, a blank line and the signature line. */
    memcpy(raw, hash, 4);
    memcpy(raw + 4, parsed.sigs[0].sig, 64);
    tx_b64(b64, raw, sizeof raw);
    snprintf(line, sizeof line, "\xe2\x80\x94 %s %s", origin, b64);
    expect_text(b, "signature_line", 0, line);
    assert_int_equal(note_len, text_len + 1 + strlen(line) + 1);
    assert_memory_equal(note, text, text_len);
    assert_memory_equal(note + text_len + 1, line, strlen(line));
    assert_int_equal(tx_note_verify(&parsed, origin, pk), TX_OK);
    assert_int_equal(tx_note_checkpoint_parse(parsed.text, parsed.text_len, &cp), TX_OK);
    assert_string_equal(cp.origin, origin);
    /* A witness's cosignature/v1 of the same text. */
    hexn(b, "witness_seed", seed, 32);
    crypto_sign_seed_keypair(wpk, wsk, seed);
    textv(b, "witness_name", 0, wname, sizeof wname);
    assert_int_equal(tx_note_cosign((const uint8_t *)text, text_len, wname, wsk,
                                    (uint64_t)numv(b, "cosignature_time"), line, sizeof line,
                                    &line_len),
                     TX_OK);
    assert_true(line_len > 0 && line[line_len - 1] == '\n');
    line[--line_len] = 0;
    expect_text(b, "cosignature_line", 0, line);
    note = realloc(note, note_len + line_len + 1);
    assert_non_null(note);
    memcpy(note + note_len, line, line_len);
    note[note_len + line_len] = '\n';
    assert_int_equal(tx_note_parse(note, note_len + line_len + 1, &parsed), TX_OK);
    assert_int_equal(tx_note_cosig_verify(&parsed, wname, wpk, &t), TX_OK);
    assert_int_equal(t, (uint64_t)numv(b, "cosignature_time"));
    free(note);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(wsk, sizeof wsk);
}

static void
check_call(vblock *b)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_list_records_pb list = TICSX__V1__LIST_RECORDS__INIT;
    tx_call_pb *back;
    uint8_t *buf;
    size_t len;

    call.id = (uint64_t)numv(b, "id");
    call.body_case = TICSX__V1__CALL__BODY_LIST;
    call.list = &list;
    list.kind = (Ticsx__V1__Kind)numv(b, "kind");
    list.after = (uint64_t)numv(b, "after");
    list.limit = (uint32_t)numv(b, "limit");
    assert_int_equal(tx_pack(&call.base, &buf, &len), TX_OK);
    expect_hex(b, "call", buf, len);
    assert_int_equal(tx_decode_call(buf, len, &back), TX_OK);
    assert_int_equal(back->list->kind, list.kind);
    tx_free(back);
    free(buf);
}

static void
test_key(void **state)
{
    (void)state;
    each_block("key", check_key);
}

static void
test_record(void **state)
{
    (void)state;
    each_block("record", check_record);
}

static void
test_sealed_key(void **state)
{
    (void)state;
    each_block("sealed_key", check_sealed_key);
}

static void
test_aead(void **state)
{
    (void)state;
    each_block("aead", check_aead);
}

static void
test_merkle(void **state)
{
    (void)state;
    tree_size = 0;
    each_block("merkle_tree", check_tree);
    each_block("inclusion", check_inclusion);
    each_block("consistency", check_consistency);
}

static void
test_checkpoint(void **state)
{
    (void)state;
    each_block("checkpoint", check_checkpoint);
}

static void
test_call(void **state)
{
    (void)state;
    each_block("call", check_call);
}

/* Every block has a name some check reads: a misspelt one would otherwise go unchecked. */
static void
test_known_blocks(void **state)
{
    static const char *known[] = {"key",       "record",      "sealed_key", "aead", "merkle_tree",
                                  "inclusion", "consistency", "checkpoint", "call"};
    (void)state;

    for (size_t i = 0; i < n_blocks; i++) {
        int ok = 0;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
            ok |= strcmp(blocks[i].name, known[k]) == 0;
        }
        if (!ok) {
            fail_msg("%s:%d: no check knows vector %s", TX_PROTOCOL_MD, blocks[i].line,
                     blocks[i].name);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_blocks), cmocka_unit_test(test_key),
        cmocka_unit_test(test_record),       cmocka_unit_test(test_sealed_key),
        cmocka_unit_test(test_aead),         cmocka_unit_test(test_merkle),
        cmocka_unit_test(test_checkpoint),   cmocka_unit_test(test_call),
    };
    return cmocka_run_group_tests(tests, load_doc, remove_tmpdir);
}

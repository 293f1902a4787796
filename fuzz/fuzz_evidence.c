/* Fuzzes the evidence checker (client/verify/tx_evidence_check), whose input is a supplier's
 * signed EvidenceRef and chunk records from the hub: a home made at start holds one real chunk
 * (a 300-byte file). First byte 0: the rest is an inner Assessment payload, checked as is.
 * Otherwise the rest builds one EvidenceRef from the real file's values, each replaced by
 * fuzzed bytes where the fuzzer says so. A file may come out "checked" only when its key, hash,
 * size and chunk list are the real ones: anything else checked is a forgery getting through. */
#include "tx_codec.h"
#include "tx_error.h"
#include "tx_evidence_check.h"
#include "tx_home.h"
#include "tx_keys.h"
#include "tx_msg.h"
#include "tx_sign.h"

#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FILE_LEN 300

static tx_home *home;
static char home_dir[] = "/tmp/fuzz-evidence-XXXXXX";
static uint8_t signer[TX_KEY_LEN], key[32], sha[32], chunk_id[TX_ID_LEN];

static int
remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

/* The home made at start goes when the fuzzer exits. */
static void
remove_home(void)
{
    tx_home_destroy(&home);
    nftw(home_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char *dir = home_dir;
    tx_identity *id = NULL;
    tx_evidence_chunk_pb ch = TICSX__V1__EVIDENCE_CHUNK__INIT;
    tx_meta_pb m = TICSX__V1__META__INIT;
    uint8_t file[FILE_LEN], ad[sizeof TX_EVIDENCE_AD - 1 + 36] = {0}, nonce[TX_NONCE_LEN];
    uint8_t ct[FILE_LEN + TX_AEAD_TAG_LEN], *env = NULL;
    unsigned long long clen;
    size_t len;

    (void)argc;
    (void)argv;
    if (sodium_init() < 0 || mkdtemp(dir) == NULL || atexit(remove_home) != 0 ||
        tx_identity_generate("Fuzz Supplier KK", &id) != TX_OK ||
        tx_identity_save(id, dir, "identity") != TX_OK || tx_home_open(dir, &home) != TX_OK) {
        return -1;
    }
    memcpy(signer, tx_home_identity(home)->pub.sign, TX_KEY_LEN);
    memset(file, 'e', sizeof file);
    crypto_hash_sha256(sha, file, sizeof file);
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    memcpy(ad, TX_EVIDENCE_AD, sizeof TX_EVIDENCE_AD - 1);
    memcpy(ad + sizeof TX_EVIDENCE_AD - 1, sha, 32); /* index 0: the last four bytes stay 0 */
    randombytes_buf(nonce, sizeof nonce);
    crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &clen, file, sizeof file, ad, sizeof ad, NULL,
                                               nonce, key);
    m.seq = 1;
    ch.meta = &m;
    ch.nonce.data = nonce;
    ch.nonce.len = sizeof nonce;
    ch.ciphertext.data = ct;
    ch.ciphertext.len = (size_t)clen;
    if (tx_sign_checked(tx_home_identity(home), TX_KIND_EVIDENCE_CHUNK, &ch.base, NULL, &env,
                        &len) != TX_OK ||
        tx_home_cache_put(home, env, len, chunk_id) != TX_OK) {
        return -1;
    }
    free(env);
    tx_identity_destroy(&id);
    return 0;
}

static void
check(const tx_assessment_pb *a)
{
    tx_evidence_result *r = NULL;
    size_t n = 0;

    if (tx_evidence_check_all(home, a, (const uint8_t(*)[TX_KEY_LEN])signer, 1, &r, &n) != TX_OK) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const tx_evidence_ref_pb *e = a->evidence[i];

        if (r[i].status == TX_EVIDENCE_CHECKED &&
            (e->size != FILE_LEN || e->key.len != 32 || memcmp(e->key.data, key, 32) != 0 ||
             e->sha256.len != 32 || memcmp(e->sha256.data, sha, 32) != 0 || e->n_chunks != 1 ||
             e->chunks[0].len != TX_ID_LEN ||
             memcmp(e->chunks[0].data, chunk_id, TX_ID_LEN) != 0)) {
            abort();
        }
    }
    tx_evidence_results_free(r, n);
    tx_fail_clear();
}

/* Takes up to `want` bytes of input into out (the rest stays as it was). */
static void
take(const uint8_t **p, size_t *left, uint8_t *out, size_t want)
{
    size_t k = *left < want ? *left : want;

    memcpy(out, *p, k);
    *p += k;
    *left -= k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 8192) {
        return 0;
    }
    if (data[0] == 0) {
        tx_envelope_pb env = TICSX__V1__ENVELOPE__INIT;
        ProtobufCMessage *m = NULL;

        env.payload_type = (char *)tx_kind_payload_type(TX_KIND_INNER_ASSESSMENT);
        env.payload.data = (uint8_t *)data + 1;
        env.payload.len = size - 1;
        if (tx_decode_payload(&env, TX_KIND_INNER_ASSESSMENT, &m) == TX_OK) {
            check((const tx_assessment_pb *)m);
        }
        tx_free(m);
    } else {
        tx_assessment_pb a = TICSX__V1__ASSESSMENT__INIT;
        tx_evidence_ref_pb ref = TICSX__V1__EVIDENCE_REF__INIT, *refs[1] = {&ref};
        uint8_t k[32], h[32], ids[4][TX_ID_LEN], sz[8] = {0};
        ProtobufCBinaryData chunks[4];
        const uint8_t *p = data + 1;
        size_t left = size - 1, n = (data[0] >> 4) % 5;
        unsigned flags = data[0];

        memcpy(k, key, 32);
        memcpy(h, sha, 32);
        if (flags & 1) {
            take(&p, &left, k, 32);
        }
        if (flags & 2) {
            take(&p, &left, h, 32);
        }
        ref.size = FILE_LEN;
        if (flags & 4) {
            take(&p, &left, sz, 8);
            memcpy(&ref.size, sz, 8);
        }
        for (size_t i = 0; i < n; i++) {
            memcpy(ids[i], chunk_id, TX_ID_LEN);
            if (flags & 8) {
                take(&p, &left, ids[i], TX_ID_LEN);
            }
            chunks[i].data = ids[i];
            chunks[i].len = TX_ID_LEN;
        }
        ref.name = "scan.pdf";
        ref.media_type = "application/pdf";
        ref.key.data = k;
        ref.key.len = left > 0 && (p[0] & 1) ? 16 : 32;
        ref.sha256.data = h;
        ref.sha256.len = 32;
        ref.chunks = chunks;
        ref.n_chunks = n;
        a.evidence = refs;
        a.n_evidence = 1;
        check(&a);
    }
    return 0;
}

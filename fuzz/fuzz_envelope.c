/* Fuzzes what hub and client do with an envelope from outside: take its record id and Merkle
 * leaf in one pass (as the hub does before it verifies; the same as each hashed alone), decode
 * and verify it, decode its payload as every kind. The payload decoder also runs on envelopes
 * whose signature does not verify, so mutations inside payloads reach it. */
#include "fuzz_kinds.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_merkle.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int kinds[TX_FUZZ_MAX_KINDS];
static size_t n_kinds;

static void
decode_every_kind(const tx_envelope_pb *env)
{
    int matched = 0;

    for (size_t i = 0; i < n_kinds; i++) {
        ProtobufCMessage *m = NULL;
        int rc = tx_decode_payload(env, kinds[i], &m);
        /* Exactly the envelope's own kind may succeed, and only success hands out a message. */
        if ((rc == TX_OK) != (m != NULL)) {
            abort();
        }
        if (rc != TX_ERR_WRONG_TYPE) {
            matched++;
        }
        tx_free(m);
    }
    if (matched != 1) {
        abort();
    }
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    n_kinds = tx_fuzz_kinds(kinds);
    return sodium_init() < 0 || n_kinds == 0 ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tx_envelope_pb *env = NULL;
    uint8_t id[TX_ID_LEN], leaf[32], one_id[TX_ID_LEN], one_leaf[32];

    tx_record_id_leaf(data, size, one_id, one_leaf);
    tx_record_id(data, size, id);
    tx_merkle_leaf_hash(data, size, leaf);
    if (memcmp(one_id, id, sizeof id) != 0 || memcmp(one_leaf, leaf, sizeof leaf) != 0) {
        abort();
    }
    if (tx_envelope_open(data, size, &env) == TX_OK) {
        if (env->signer_key.len != TX_KEY_LEN || env->signature.len != TX_SIG_LEN) {
            abort();
        }
        decode_every_kind(env);
        tx_free(env);
    } else if (env != NULL) {
        abort();
    }
    if (tx_decode_envelope(data, size, &env) == TX_OK) {
        decode_every_kind(env);
        tx_free(env);
    }
    return 0;
}

/* Fuzzes the per-kind payload decoder directly, with no signature in the way: the first byte
 * picks the kind (its value when that is a kind, else an index into the known kinds), the
 * rest is the payload. Whatever is accepted must still be accepted after
 * protobuf-c packs it again (the strict scan takes everything protobuf-c itself writes). */
#include "fuzz_kinds.h"
#include "tx_codec.h"
#include "tx_error.h"

#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int kinds[TX_FUZZ_MAX_KINDS];
static size_t n_kinds;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    n_kinds = tx_fuzz_kinds(kinds);
    return n_kinds == 0 ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tx_envelope_pb env = TICSX__V1__ENVELOPE__INIT;
    ProtobufCMessage *m = NULL, *again = NULL;
    uint8_t *packed;
    size_t packed_len;
    int kind;

    if (size < 1) {
        return 0;
    }
    kind = tx_kind_payload_type(data[0]) != NULL ? data[0] : kinds[data[0] % n_kinds];
    env.payload_type = (char *)tx_kind_payload_type(kind);
    env.payload.data = (uint8_t *)data + 1;
    env.payload.len = size - 1;
    if (tx_decode_payload(&env, kind, &m) != TX_OK) {
        if (m != NULL) {
            abort();
        }
        return 0;
    }
    if (tx_pack(m, &packed, &packed_len) != TX_OK) {
        abort();
    }
    env.payload.data = packed;
    env.payload.len = packed_len;
    if (tx_decode_payload(&env, kind, &again) != TX_OK) {
        abort();
    }
    tx_free(again);
    free(packed);
    tx_free(m);
    return 0;
}

/* Fuzzes the client's view of a hub answer: decode a Reply, then open, identify and decode
 * every envelope its entries carry. A hostile hub controls all of these bytes. */
#include "tx_envelope.h"
#include "tx_error.h"

#include <sodium.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return sodium_init() < 0 ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tx_reply_pb *reply = NULL;
    uint8_t id[TX_ID_LEN];

    if (tx_decode_reply(data, size, &reply) != TX_OK) {
        if (reply != NULL) {
            abort();
        }
        return 0;
    }
    if (protobuf_c_enum_descriptor_get_value(&ticsx__v1__status__descriptor, (int)reply->status) ==
        NULL) {
        abort();
    }
    for (size_t i = 0; i < reply->n_entries; i++) {
        const tx_entry_pb *e = reply->entries[i];
        tx_envelope_pb *env = NULL;
        ProtobufCMessage *m = NULL;
        int kind;

        tx_record_id(e->envelope.data, e->envelope.len, id);
        if (tx_envelope_open(e->envelope.data, e->envelope.len, &env) != TX_OK) {
            continue;
        }
        kind = tx_kind_from_payload_type(env->payload_type);
        if (kind == TX_KIND_NONE) {
            abort();
        }
        if (tx_decode_payload(env, kind, &m) == TX_OK) {
            tx_free(m);
        }
        tx_free(env);
    }
    tx_free(reply);
    return 0;
}

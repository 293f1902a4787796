/* Fuzzes the hub's first step on every frame: decode a Call, then open the envelope a Submit
 * (or each one a SubmitBatch) carries, as the ingest path does, or the note a Cosign carries. */
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_note.h"

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
    tx_call_pb *call = NULL;
    tx_envelope_pb *env = NULL;

    if (tx_decode_call(data, size, &call) != TX_OK) {
        if (call != NULL) {
            abort();
        }
        return 0;
    }
    switch (call->body_case) {
    case TICSX__V1__CALL__BODY_SUBMIT:
        if (call->submit == NULL || call->submit->envelope.len == 0) {
            abort();
        }
        if (tx_envelope_open(call->submit->envelope.data, call->submit->envelope.len, &env) ==
            TX_OK) {
            tx_free(env);
        }
        break;
    case TICSX__V1__CALL__BODY_SUBMIT_BATCH:
        /* The decoder admits 1 to TX_MAX_BATCH envelopes, none empty; each is opened. */
        if (call->submit_batch == NULL || call->submit_batch->n_envelopes == 0 ||
            call->submit_batch->n_envelopes > TX_MAX_BATCH) {
            abort();
        }
        for (size_t i = 0; i < call->submit_batch->n_envelopes; i++) {
            const ProtobufCBinaryData *e = &call->submit_batch->envelopes[i];

            if (e->len == 0) {
                abort();
            }
            if (tx_envelope_open(e->data, e->len, &env) == TX_OK) {
                tx_free(env);
                env = NULL;
            }
        }
        break;
    case TICSX__V1__CALL__BODY_GET:
        if (call->get == NULL || call->get->record_id.len != TX_ID_LEN) {
            abort();
        }
        break;
    case TICSX__V1__CALL__BODY_LIST:
        /* The scan admits only defined enum values. */
        if (call->list == NULL ||
            protobuf_c_enum_descriptor_get_value(&ticsx__v1__kind__descriptor,
                                                 (int)call->list->kind) == NULL) {
            abort();
        }
        break;
    case TICSX__V1__CALL__BODY_PING:
        break;
    case TICSX__V1__CALL__BODY_WATCH:
        if (call->watch == NULL || call->watch->n_kinds > 16) {
            abort();
        }
        break;
    case TICSX__V1__CALL__BODY_CHECKPOINT:
        break;
    case TICSX__V1__CALL__BODY_COSIGN: {
        /* What the hub does before its store: the note and its one cosignature line. */
        tx_note note;
        tx_note_checkpoint cp;
        if (call->cosign == NULL || call->cosign->witness_key.len != TX_KEY_LEN ||
            call->cosign->note.len == 0 || call->cosign->note.len > TX_NOTE_MAX) {
            abort();
        }
        if (tx_note_parse(call->cosign->note.data, call->cosign->note.len, &note) == TX_OK &&
            tx_note_checkpoint_parse(note.text, note.text_len, &cp) == TX_OK) {
            /* The cosignature line comes last, after the hub's own line when there is one. */
            (void)tx_note_cosig_verify(&note, note.sigs[note.n_sigs - 1].name,
                                       call->cosign->witness_key.data, NULL);
        }
        break;
    }
    case TICSX__V1__CALL__BODY_WITNESSED: {
        const tx_witnessed_pb *w = call->witnessed;
        if (w == NULL || w->n_witness_keys == 0 || w->n_witness_keys > 64 || w->quorum == 0 ||
            w->quorum > w->n_witness_keys) {
            abort();
        }
        for (size_t i = 0; i < w->n_witness_keys; i++) {
            if (w->witness_keys[i].len != TX_KEY_LEN) {
                abort();
            }
        }
        break;
    }
    case TICSX__V1__CALL__BODY_INCLUSION:
    case TICSX__V1__CALL__BODY_CONSISTENCY:
    case TICSX__V1__CALL__BODY_LEAVES:
        /* Sizes and indices are for the hub to check against its log. */
        if (call->inclusion == NULL && call->consistency == NULL && call->leaves == NULL) {
            abort();
        }
        break;
    default:
        abort();
    }
    tx_free(call);
    return 0;
}

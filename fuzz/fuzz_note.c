/* Fuzzes the signed-note parsers (keys/tx_note.c): tx_note_parse on the whole input, then
 * tx_note_checkpoint_parse on its text, and every verification on whatever parsed, with a
 * fixed key (a checkpoint note as the hub and clients see it, cosignatures included).
 * Whatever parses as a checkpoint must format back to the same text. */
#include "tx_error.h"
#include "tx_note.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pk[32], sk[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    uint8_t seed[32] = {1};

    (void)argc;
    (void)argv;
    if (sodium_init() < 0) {
        return -1;
    }
    crypto_sign_seed_keypair(pk, sk, seed);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tx_note note;
    tx_note_checkpoint cp;
    char text[TX_NOTE_NAME_MAX + 128];
    size_t len;
    uint64_t t;

    if (tx_note_parse(data, size, &note) != TX_OK) {
        return 0;
    }
    if (note.text_len == 0 || note.text_len >= size || note.n_sigs == 0 ||
        note.n_sigs > TX_NOTE_SIGS_MAX) {
        abort();
    }
    for (size_t i = 0; i < note.n_sigs; i++) {
        (void)tx_note_verify(&note, note.sigs[i].name, pk);
        (void)tx_note_cosig_verify(&note, note.sigs[i].name, pk, &t);
    }
    if (tx_note_checkpoint_parse(note.text, note.text_len, &cp) == TX_OK) {
        if (tx_note_checkpoint_text(cp.origin, cp.size, cp.root, cp.time, text, sizeof text,
                                    &len) != TX_OK ||
            len != note.text_len || memcmp(text, note.text, len) != 0) {
            abort();
        }
    }
    return 0;
}

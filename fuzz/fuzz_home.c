/* Fuzzes the decoders of the client's own log files, whose bytes come from the hub or from a
 * disk anyone may damage. First byte 0: the rest is a proof marker (a value of the "proofs"
 * database in the home's cache/) for tx_home_proof_parse, and what parses must satisfy
 * 1 <= index <= size and print back to the same bytes. First byte 1: the rest is a kept
 * receipt (receipts/<id>) for tx_receipt_decode, its checkpoint opened against a fixed key. */
#include "tx_error.h"
#include "tx_home.h"
#include "tx_receipts.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t hub_sign[32];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0) {
        return -1;
    }
    memset(hub_sign, 0x5a, sizeof hub_sign);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 8192) {
        return 0;
    }
    if (data[0] == 0) {
        uint64_t index, tree;
        char back[64];

        if (size - 1 <= 64 && tx_home_proof_parse(data + 1, size - 1, &index, &tree) == TX_OK) {
            int n = snprintf(back, sizeof back, "%" PRIu64 " %" PRIu64 "\n", index, tree);
            if (index == 0 || index > tree || (size_t)n != size - 1 ||
                memcmp(back, data + 1, size - 1) != 0) {
                abort();
            }
        }
    } else if (data[0] == 1) {
        uint8_t leaf[32];
        uint64_t index;
        tx_checkpoint cp;

        if (tx_receipt_decode(data + 1, size - 1, hub_sign, &index, leaf, &cp) == TX_OK &&
            index == 0) {
            abort();
        }
        tx_checkpoint_clear(&cp);
    }
    return 0;
}

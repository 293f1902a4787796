/* Fuzzes the reader of declared credential files (credentials/<ID>.json in the home, which
 * anyone with access to the disk may edit) and the document type check by magic bytes: what
 * parses must hold the invariants the answer relies on (id, scheme and state set, strings
 * NUL-terminated within their fields, the document a plain file name). */
#include "tx_cred_store.h"
#include "tx_error.h"
#include "tx_msg.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tx_cred_decl c;

    (void)tx_cred_media_type(data, size);
    if (tx_cred_parse(data, size, "fuzz", &c) == TX_OK) {
        if (c.id[0] == 0 || c.scheme[0] == 0 || c.state[0] == 0 || strchr(c.document, '/') ||
            memchr(c.number, 0, sizeof c.number) == NULL ||
            memchr(c.body, 0, sizeof c.body) == NULL) {
            abort();
        }
        json_decref(tx_cred_decl_json(&c));
    }
    tx_fail_clear();
    return 0;
}

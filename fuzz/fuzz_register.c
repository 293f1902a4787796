/* Fuzzes what turns a saved list into register entries (ticsx register import): first byte 0,
 * the rest is read as a "tics-certified" list; 1, as a "tics-bodies" list (CSV or HTML, UTF-8
 * or Shift_JIS). Whatever is accepted must pack into a Register the hub's strict decoder accepts
 * (so an import never yields a record the hub would refuse), and every name must normalise
 * within its buffer. A refused file yields nothing and a message. */
#include "tx_codec.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_register.h"
#include "tx_register_import.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return sodium_init() < 0 ? -1 : 0;
}

static void
must_decode_strictly(const char *list, tx_register_rows *rows)
{
    tx_register_pb r = TICSX__V1__REGISTER__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_envelope_pb env = TICSX__V1__ENVELOPE__INIT;
    ProtobufCMessage *back = NULL;
    uint8_t *packed;
    size_t len;

    meta.seq = 1;
    meta.created = 1700000000;
    r.meta = &meta;
    r.list = (char *)list;
    r.as_of = 1700000000;
    r.entries = rows->v;
    r.n_entries = rows->n;
    if (tx_pack(&r.base, &packed, &len) != TX_OK) {
        abort();
    }
    env.payload_type = (char *)tx_kind_payload_type(TX_KIND_REGISTER);
    env.payload.data = packed;
    env.payload.len = len;
    /* a list too big for one envelope is refused by the signer, with a message: fine */
    if (len <= (1u << 20) - 4096 && tx_decode_payload(&env, TX_KIND_REGISTER, &back) != TX_OK) {
        abort();
    }
    tx_free(back);
    free(packed);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *list;
    tx_register_rows rows;
    char norm[64];

    if (size < 1 || data[0] > 1) {
        return 0;
    }
    list = data[0] == 0 ? "tics-certified" : "tics-bodies";
    if (tx_register_parse(data + 1, size - 1, "fuzz", list, &rows) == TX_OK) {
        if (rows.n == 0 || rows.v == NULL) {
            abort();
        }
        for (size_t i = 0; i < rows.n; i++) {
            tx_register_norm_name(rows.v[i]->holder_name, norm, sizeof norm, NULL);
            if (memchr(norm, 0, sizeof norm) == NULL) {
                abort();
            }
        }
        must_decode_strictly(list, &rows);
        tx_register_rows_free(&rows);
    } else {
        if (rows.v != NULL || rows.n != 0 || tx_fail_msg()[0] == 0) {
            abort();
        }
    }
    return 0;
}

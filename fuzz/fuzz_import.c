/* Fuzzes what turns a user's file into a questionnaire: first byte 0, the rest is a CSV check
 * sheet for tx_import_csv; 1, a JSON questionnaire for tx_questionnaire_parse; 2, a topics file
 * (CSV) and a check sheet naming its topics, split at the first form feed. Whatever either
 * accepts must be a questionnaire the hub's strict decoder accepts too (packed with a meta, it
 * passes tx_decode_payload), so an import never yields a record the hub would refuse. A refused
 * sheet yields nothing but its listed errors. */
#include "tx_codec.h"
#include "tx_error.h"
#include "tx_import.h"
#include "tx_questionnaire.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return sodium_init() < 0 ? -1 : 0;
}

static void
must_decode_strictly(tx_questionnaire_pb *q)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_envelope_pb env = TICSX__V1__ENVELOPE__INIT;
    ProtobufCMessage *back = NULL;
    uint8_t *packed;
    size_t len;

    meta.seq = 1;
    meta.created = 1700000000;
    q->meta = &meta;
    if (tx_pack(&q->base, &packed, &len) != TX_OK) {
        abort();
    }
    q->meta = NULL; /* on the stack: not for tx_free */
    env.payload_type = (char *)tx_kind_payload_type(TX_KIND_QUESTIONNAIRE);
    env.payload.data = packed;
    env.payload.len = len;
    if (tx_decode_payload(&env, TX_KIND_QUESTIONNAIRE, &back) != TX_OK) {
        abort();
    }
    tx_free(back);
    free(packed);
}

static void
import_csv(const uint8_t *data, size_t size, const uint8_t *topics, size_t topics_len)
{
    tx_import_opts o = {.id = "fuzz-sheet",
                        .version = 1,
                        .title_en = "Fuzz sheet",
                        .topics_buf = (const char *)topics,
                        .topics_len = topics_len};
    tx_import_errors errs = {0};
    tx_questionnaire_pb *q = NULL;

    if (tx_import_csv((const char *)data, size, "fuzz.csv", &o, &q, &errs) == TX_OK) {
        if (q == NULL || errs.n != 0 || errs.v != NULL) {
            abort();
        }
        must_decode_strictly(q);
        tx_free(q);
        return;
    }
    if (q != NULL || errs.n > TX_IMPORT_MAX_ERRORS || errs.n > errs.total) {
        abort();
    }
    for (size_t i = 0; i < errs.n; i++) {
        if (memchr(errs.v[i].what, 0, sizeof errs.v[i].what) == NULL ||
            memchr(errs.v[i].item, 0, sizeof errs.v[i].item) == NULL) {
            abort();
        }
    }
    tx_import_errors_free(&errs);
}

static void
parse_json(const uint8_t *data, size_t size)
{
    tx_questionnaire_pb *q = NULL;

    if (tx_questionnaire_parse((const char *)data, size, "fuzz.json", &q) == TX_OK) {
        if (q == NULL) {
            abort();
        }
        must_decode_strictly(q);
        tx_free(q);
    } else if (q != NULL) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    if (data[0] == 0) {
        import_csv(data + 1, size - 1, NULL, 0);
    } else if (data[0] == 1) {
        parse_json(data + 1, size - 1);
    } else if (data[0] == 2) {
        const uint8_t *ff = memchr(data + 1, '\f', size - 1);
        if (ff != NULL) {
            import_csv(ff + 1, size - (size_t)(ff + 1 - data), data + 1, (size_t)(ff - data - 1));
        }
    }
    return 0;
}

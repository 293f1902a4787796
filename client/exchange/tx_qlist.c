/* The questionnaires known without the hub: built-in ones, then the cached records by id and
 * version. */
#include "tx_qlist.h"
#include "tx_cache_scan.h"

#include "tx_error.h"
#include "tx_json.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"
#include "tx_util.h"

#include <stdlib.h>
#include <string.h>

static json_t *
entry(const tx_questionnaire_pb *q, const char *ref, json_t *record)
{
    return json_pack("{s:s,s:s,s:I,s:o,s:I,s:b,s:o}", "ref", ref, "id", q->id, "version",
                     (json_int_t)q->version, "title", tx_json_text(q->title), "items",
                     (json_int_t)q->n_items, "builtin", json_is_null(record), "record", record);
}

static int
want(void *ctx, int kind, const uint8_t *signer)
{
    (void)ctx;
    (void)signer;
    return kind == TX_KIND_QUESTIONNAIRE;
}

static int
take(void *ctx, const tx_rec *rec, uint64_t index)
{
    json_t *list = ctx;
    char hex[2 * TX_ID_LEN + 1];

    (void)index;
    tx_hex(hex, rec->id, TX_ID_LEN);
    json_array_append_new(
        list, entry((const tx_questionnaire_pb *)rec->msg, hex, tx_json_hex(rec->id, TX_ID_LEN)));
    return TX_OK;
}

static int
by_id(const void *pa, const void *pb)
{
    const json_t *a = *(const json_t *const *)pa, *b = *(const json_t *const *)pb;
    int c = strcmp(json_string_value(json_object_get(a, "id")),
                   json_string_value(json_object_get(b, "id")));
    json_int_t va = json_integer_value(json_object_get(a, "version"));
    json_int_t vb = json_integer_value(json_object_get(b, "version"));

    return c != 0     ? c
           : va != vb ? (va < vb ? -1 : 1)
                      : strcmp(json_string_value(json_object_get(a, "ref")),
                               json_string_value(json_object_get(b, "ref")));
}

int
tx_qlist_json(tx_home *home, json_t **out)
{
    json_t *list = json_array(), *cached = json_array();
    const char *name;
    int rc;

    *out = NULL;
    for (size_t i = 0; (name = tx_questionnaire_builtin_name(i)) != NULL; i++) {
        tx_questionnaire_pb *q = NULL;
        if (tx_questionnaire_builtin(name, &q) == TX_OK) {
            json_array_append_new(list, entry(q, name, json_null()));
        }
        tx_free(q);
    }
    if ((rc = tx_cache_scan(home, want, take, cached)) != TX_OK) {
        json_decref(list);
        json_decref(cached);
        return rc;
    }
    {
        size_t n = json_array_size(cached);
        json_t **v = calloc(n ? n : 1, sizeof *v);
        for (size_t i = 0; v != NULL && i < n; i++) {
            v[i] = json_array_get(cached, i);
        }
        if (v != NULL) {
            qsort(v, n, sizeof *v, by_id);
            for (size_t i = 0; i < n; i++) {
                json_array_append(list, v[i]);
            }
        }
        free(v);
    }
    json_decref(cached);
    *out = json_pack("{s:o}", "questionnaires", list);
    return TX_OK;
}

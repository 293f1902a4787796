/* The JSON spelling of ids, keys, dates and local texts shared by every --json output. */
#include "tx_json.h"

#include "tx_util.h"

#include <assert.h>

json_t *
tx_json_hex(const uint8_t *b, size_t len)
{
    char hex[2 * TX_ID_LEN + 1];

    assert(len <= TX_ID_LEN && TX_KEY_LEN <= TX_ID_LEN);
    tx_hex(hex, b, len);
    return json_string(hex);
}

json_t *
tx_json_str(const char *s)
{
    return s != NULL && s[0] != 0 ? json_string(s) : json_null();
}

json_t *
tx_json_date(int64_t t)
{
    char d[16];

    if (t == 0) {
        return json_null();
    }
    tx_format_date(d, sizeof d, t);
    return json_string(d);
}

json_t *
tx_json_text(const tx_local_text_pb *t)
{
    return json_pack("{s:s,s:s}", "ja", t != NULL ? t->ja : "", "en", t != NULL ? t->en : "");
}

json_t *
tx_json_object_take(const char *const *names, json_t **m, size_t n)
{
    json_t *o = json_object();

    for (size_t i = 0; i < n; i++) {
        if (o == NULL) {
            json_decref(m[i]); /* NULL, or made part of nothing */
        } else if (json_object_set_new_nocheck(o, names[i], m[i]) != 0) {
            json_decref(o); /* a NULL member fails; set_new took m[i] even then */
            o = NULL;
        }
    }
    return o;
}

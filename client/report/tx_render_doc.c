/* Reading the report's JSON document, for every renderer: texts, labels, rows and areas. */
#include "tx_render_doc.h"

#include "tx_cert_judge.h"

#include <string.h>

const char *
tx_render_text(const json_t *text, int ja)
{
    const char *want = json_string_value(json_object_get(text, ja ? "ja" : "en"));
    const char *other = json_string_value(json_object_get(text, ja ? "en" : "ja"));

    if (want != NULL && want[0] != 0) {
        return want;
    }
    return other != NULL ? other : "";
}

const char *
tx_render_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL ? s : "";
}

const char *
tx_render_cert_status(const json_t *supplier)
{
    return tx_render_str(json_object_get(json_object_get(supplier, "certificate"), "now"),
                         "status");
}

const char *
tx_render_cert_label(const char *status_name, int ja)
{
    for (int s = TX_CERT_VALID; s <= TX_CERT_UNAVAILABLE; s++) {
        if (strcmp(status_name, tx_cert_status_name(s)) == 0) {
            return tx_cert_status_label(s, ja);
        }
    }
    return "-";
}

const char *
tx_render_status_label(const char *status, int ja)
{
    static const char *const names[][3] = {
        {"verified", "verified", "検証済"},
        {"expired", "expired", "期限切れ"},
        {"revoked", "revoked", "取消済"},
        {"failed", "failed", "検証失敗"},
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(status, names[i][0]) == 0) {
            return names[i][ja ? 2 : 1];
        }
    }
    return status;
}

void
tx_render_utf8_fix(char *s)
{
    size_t len = strlen(s), lead = len, need;

    while (lead > 0 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80) {
        lead--;
    }
    if (lead == 0) {
        return;
    }
    unsigned char c = (unsigned char)s[lead - 1];
    need = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len - (lead - 1) < need) {
        s[lead - 1] = 0;
    }
}

const json_t *
tx_render_area_of(const json_t *supplier, const char *id)
{
    const json_t *areas = json_object_get(supplier, "areas");

    for (size_t i = 0; i < json_array_size(areas); i++) {
        const json_t *a = json_array_get(areas, i);
        if (strcmp(tx_render_str(a, "id"), id) == 0) {
            return a;
        }
    }
    return NULL;
}

const json_t *
tx_render_rows(const json_t *doc)
{
    const json_t *nodes = json_object_get(doc, "nodes");

    return json_array_size(nodes) > 0 ? nodes : json_object_get(doc, "suppliers");
}

json_t *
tx_render_area_union(const json_t *doc)
{
    const json_t *sups = tx_render_rows(doc);
    json_t *out = json_array();
    int seen;

    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *areas = json_object_get(json_array_get(sups, s), "areas");
        for (size_t i = 0; i < json_array_size(areas); i++) {
            json_t *a = json_array_get(areas, i);
            seen = 0;
            for (size_t k = 0; k < json_array_size(out) && !seen; k++) {
                seen = strcmp(tx_render_str(json_array_get(out, k), "id"),
                              tx_render_str(a, "id")) == 0;
            }
            if (!seen) {
                json_array_append(out, a);
            }
        }
    }
    return out;
}

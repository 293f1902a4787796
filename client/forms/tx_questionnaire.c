/* Questionnaire JSON <-> protobuf, the built-in one, lookups. The JSON is turned into a
 * temporary message tree that borrows its strings from the parsed document, packed, and
 * decoded again by the strict codec, so the result is an ordinary tx_free-able message. */
#include "tx_questionnaire.h"

#include "tx_builtin.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_sign.h"
#include "tx_util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FILE (4u << 20)

typedef struct {
    void **ptrs;
    size_t n, cap;
    const char *source;
} arena;

static void *
arena_alloc(arena *a, size_t size)
{
    void *p;

    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        void **v = realloc(a->ptrs, cap * sizeof *v);
        if (v == NULL) {
            return NULL;
        }
        a->ptrs = v;
        a->cap = cap;
    }
    p = calloc(1, size ? size : 1);
    if (p != NULL) {
        a->ptrs[a->n++] = p;
    }
    return p;
}

static void
arena_free(arena *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->ptrs[i]);
    }
    free(a->ptrs);
}

static int
bad(const arena *a, const char *where, const char *what)
{
    return tx_fail(TX_ERR_MALFORMED, "questionnaire %s: %s: %s", a->source, where, what);
}

static int
check_keys(const arena *a, json_t *obj, const char *const *allowed, const char *where)
{
    const char *key;
    json_t *v;
    char what[160];

    json_object_foreach(obj, key, v)
    {
        int ok = 0;
        for (size_t i = 0; allowed[i] != NULL && !ok; i++) {
            ok = strcmp(key, allowed[i]) == 0;
        }
        if (!ok) {
            snprintf(what, sizeof what, _("unknown field \"%.64s\""), key);
            return bad(a, where, what);
        }
    }
    (void)v;
    return TX_OK;
}

int
tx_questionnaire_id_valid(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > TX_QUESTIONNAIRE_ID_MAX) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)s[i]) && strchr("._-", s[i]) == NULL) {
            return 0;
        }
    }
    return 1;
}

static int
get_id(const arena *a, json_t *obj, const char *key, const char *where, char **out)
{
    json_t *v = json_object_get(obj, key);
    char what[96];

    if (!json_is_string(v) || !tx_questionnaire_id_valid(json_string_value(v))) {
        snprintf(what, sizeof what, _("\"%s\" must be 1-%d letters, digits, '.', '_' or '-'"), key,
                 TX_QUESTIONNAIRE_ID_MAX);
        return bad(a, where, what);
    }
    *out = (char *)json_string_value(v);
    return TX_OK;
}

static int
get_uint(const arena *a, json_t *obj, const char *key, const char *where, json_int_t lo,
         json_int_t hi, int required, json_int_t dflt, uint32_t *out)
{
    json_t *v = json_object_get(obj, key);
    char what[96];

    if (v == NULL && !required) {
        *out = (uint32_t)dflt;
        return TX_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        snprintf(what, sizeof what, _("\"%s\" must be an integer from %lld to %lld"), key,
                 (long long)lo, (long long)hi);
        return bad(a, where, what);
    }
    *out = (uint32_t)json_integer_value(v);
    return TX_OK;
}

static int
get_text(arena *a, json_t *obj, const char *key, const char *where, tx_local_text_pb **out)
{
    static const char *const keys[] = {"ja", "en", NULL};
    json_t *v = json_object_get(obj, key);
    json_t *ja, *en;
    tx_local_text_pb *t;
    char w[96];
    int rc;

    snprintf(w, sizeof w, "%s.%s", where, key);
    if (!json_is_object(v)) {
        return bad(a, w, _("must be an object {\"ja\": \"...\", \"en\": \"...\"}"));
    }
    if ((rc = check_keys(a, v, keys, w)) != TX_OK) {
        return rc;
    }
    ja = json_object_get(v, "ja");
    en = json_object_get(v, "en");
    if ((ja != NULL && !json_is_string(ja)) || (en != NULL && !json_is_string(en))) {
        return bad(a, w, _("\"ja\" and \"en\" must be strings"));
    }
    if ((ja == NULL || json_string_length(ja) == 0) &&
        (en == NULL || json_string_length(en) == 0)) {
        return bad(a, w, _("needs a Japanese or an English text"));
    }
    t = arena_alloc(a, sizeof *t);
    if (t == NULL) {
        return TX_ERR_NOMEM;
    }
    ticsx__v1__local_text__init(t);
    t->ja = ja != NULL ? (char *)json_string_value(ja) : "";
    t->en = en != NULL ? (char *)json_string_value(en) : "";
    *out = t;
    return TX_OK;
}

/* Allocates the pointer array and the structs of a repeated field of `n` elements. */
static int
get_array(arena *a, json_t *root, const char *key, size_t min, void ***ptrs, size_t size, size_t *n)
{
    json_t *v = json_object_get(root, key);
    char *block;
    char what[96];

    if (!json_is_array(v) || json_array_size(v) < min || json_array_size(v) > TX_MAX_REPEATED) {
        snprintf(what, sizeof what, _("must be an array of 1 to %u entries"), TX_MAX_REPEATED);
        return bad(a, key, what);
    }
    *n = json_array_size(v);
    *ptrs = arena_alloc(a, *n * sizeof(void *));
    block = arena_alloc(a, *n * size);
    if (*ptrs == NULL || block == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < *n; i++) {
        (*ptrs)[i] = block + i * size;
    }
    return TX_OK;
}

/* Element i of the array root[key], its place ("scale[2]") written to w: an object with no
 * field but `keys`. Borrowed from root. */
static int
get_element(const arena *a, json_t *root, const char *key, size_t i, const char *const *keys,
            char *w, size_t wn, json_t **out)
{
    json_t *o = json_array_get(json_object_get(root, key), i);

    snprintf(w, wn, "%s[%zu]", key, i);
    if (!json_is_object(o)) {
        return bad(a, w, _("must be an object"));
    }
    *out = o;
    return check_keys(a, o, keys, w);
}

static int
parse_scale(arena *a, json_t *root, tx_questionnaire_pb *q)
{
    static const char *const keys[] = {"code", "label", "score_permille", "not_applicable", NULL};
    int rc;

    if ((rc = get_array(a, root, "scale", 1, (void ***)&q->scale, sizeof(tx_choice_pb),
                        &q->n_scale)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < q->n_scale; i++) {
        tx_choice_pb *ch = q->scale[i];
        json_t *c = NULL, *na;
        char w[32];

        ticsx__v1__choice__init(ch);
        if ((rc = get_element(a, root, "scale", i, keys, w, sizeof w, &c)) != TX_OK ||
            (rc = get_id(a, c, "code", w, &ch->code)) != TX_OK ||
            (rc = get_text(a, c, "label", w, &ch->label)) != TX_OK ||
            (rc = get_uint(a, c, "score_permille", w, 0, 1000, 1, 0, &ch->score_permille)) !=
                TX_OK) {
            return rc;
        }
        na = json_object_get(c, "not_applicable");
        if (na != NULL && !json_is_boolean(na)) {
            return bad(a, w, _("\"not_applicable\" must be true or false"));
        }
        ch->not_applicable = json_is_true(na);
        for (size_t k = 0; k < i; k++) {
            if (strcasecmp(q->scale[k]->code, ch->code) == 0) {
                return bad(a, w, _("code appears twice"));
            }
        }
    }
    return TX_OK;
}

static int
parse_levels(arena *a, json_t *root, tx_questionnaire_pb *q)
{
    static const char *const keys[] = {"level", "name", NULL};
    int rc;

    if ((rc = get_array(a, root, "levels", 1, (void ***)&q->levels, sizeof(tx_level_pb),
                        &q->n_levels)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < q->n_levels; i++) {
        tx_level_pb *lv = q->levels[i];
        json_t *l = NULL;
        char w[32];

        ticsx__v1__level__init(lv);
        if ((rc = get_element(a, root, "levels", i, keys, w, sizeof w, &l)) != TX_OK ||
            (rc = get_uint(a, l, "level", w, 1, 99, 1, 0, &lv->level)) != TX_OK ||
            (rc = get_text(a, l, "name", w, &lv->name)) != TX_OK) {
            return rc;
        }
        for (size_t k = 0; k < i; k++) {
            if (q->levels[k]->level == lv->level) {
                return bad(a, w, _("level appears twice"));
            }
        }
    }
    return TX_OK;
}

static int
parse_areas(arena *a, json_t *root, tx_questionnaire_pb *q)
{
    static const char *const keys[] = {"id", "name", NULL};
    int rc;

    if ((rc = get_array(a, root, "areas", 1, (void ***)&q->areas, sizeof(tx_area_pb),
                        &q->n_areas)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < q->n_areas; i++) {
        tx_area_pb *ar = q->areas[i];
        json_t *o = NULL;
        char w[32];

        ticsx__v1__area__init(ar);
        if ((rc = get_element(a, root, "areas", i, keys, w, sizeof w, &o)) != TX_OK ||
            (rc = get_id(a, o, "id", w, &ar->id)) != TX_OK ||
            (rc = get_text(a, o, "name", w, &ar->name)) != TX_OK) {
            return rc;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(q->areas[k]->id, ar->id) == 0) {
                return bad(a, w, _("area id appears twice"));
            }
        }
    }
    return TX_OK;
}

/* "topics" is optional: absent or an empty array is no topic. */
static int
parse_topics(arena *a, json_t *root, tx_questionnaire_pb *q)
{
    static const char *const keys[] = {"id", "framework", "name", NULL};
    int rc;

    if (json_object_get(root, "topics") == NULL ||
        (json_is_array(json_object_get(root, "topics")) &&
         json_array_size(json_object_get(root, "topics")) == 0)) {
        return TX_OK;
    }
    if ((rc = get_array(a, root, "topics", 1, (void ***)&q->topics, sizeof(tx_topic_pb),
                        &q->n_topics)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < q->n_topics; i++) {
        tx_topic_pb *t = q->topics[i];
        json_t *o = NULL;
        char w[96];

        ticsx__v1__topic__init(t);
        if ((rc = get_element(a, root, "topics", i, keys, w, sizeof w, &o)) != TX_OK ||
            (rc = get_id(a, o, "id", w, &t->id)) != TX_OK) {
            return rc;
        }
        snprintf(w, sizeof w, "topics[%zu] (%s)", i, t->id);
        if ((rc = get_id(a, o, "framework", w, &t->framework)) != TX_OK ||
            (rc = get_text(a, o, "name", w, &t->name)) != TX_OK) {
            return rc;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(q->topics[k]->id, t->id) == 0) {
                return bad(a, w, _("topic id appears twice"));
            }
        }
    }
    return TX_OK;
}

/* An item's "topics": optional, an array of ids of the questionnaire's topics, each once. */
static int
parse_item_topics(arena *a, json_t *o, const char *w, const tx_questionnaire_pb *q, tx_item_pb *it)
{
    json_t *v = json_object_get(o, "topics");
    char what[160];

    if (v == NULL) {
        return TX_OK;
    }
    if (!json_is_array(v) || json_array_size(v) > TX_MAX_REPEATED) {
        return bad(a, w, _("\"topics\" must be an array of topic ids"));
    }
    if (json_array_size(v) == 0) {
        return TX_OK;
    }
    it->n_topics = json_array_size(v);
    it->topics = arena_alloc(a, it->n_topics * sizeof *it->topics);
    if (it->topics == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t k = 0; k < it->n_topics; k++) {
        json_t *e = json_array_get(v, k);
        if (!json_is_string(e)) {
            return bad(a, w, _("\"topics\" must be an array of topic ids"));
        }
        it->topics[k] = (char *)json_string_value(e);
        if (tx_questionnaire_topic(q, it->topics[k]) < 0) {
            snprintf(what, sizeof what, _("topic \"%.64s\" is not among \"topics\""),
                     it->topics[k]);
            return bad(a, w, what);
        }
        for (size_t j = 0; j < k; j++) {
            if (strcmp(it->topics[j], it->topics[k]) == 0) {
                snprintf(what, sizeof what, _("topic \"%.64s\" appears twice"), it->topics[k]);
                return bad(a, w, what);
            }
        }
    }
    return TX_OK;
}

static int
parse_items(arena *a, json_t *root, tx_questionnaire_pb *q)
{
    static const char *const keys[] = {"id", "area", "level", "weight", "text", "topics", NULL};
    int rc;

    if ((rc = get_array(a, root, "items", 1, (void ***)&q->items, sizeof(tx_item_pb),
                        &q->n_items)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < q->n_items; i++) {
        tx_item_pb *it = q->items[i];
        json_t *o = NULL;
        int known = 0;
        char w[96];

        ticsx__v1__item__init(it);
        if ((rc = get_element(a, root, "items", i, keys, w, sizeof w, &o)) != TX_OK ||
            (rc = get_id(a, o, "id", w, &it->id)) != TX_OK) {
            return rc;
        }
        snprintf(w, sizeof w, "items[%zu] (%s)", i, it->id);
        if ((rc = get_id(a, o, "area", w, &it->area)) != TX_OK ||
            (rc = get_uint(a, o, "level", w, 1, 99, 1, 0, &it->level)) != TX_OK ||
            (rc = get_uint(a, o, "weight", w, 1, 1000, 0, 1, &it->weight)) != TX_OK ||
            (rc = get_text(a, o, "text", w, &it->text)) != TX_OK ||
            (rc = parse_item_topics(a, o, w, q, it)) != TX_OK) {
            return rc;
        }
        if (tx_questionnaire_area(q, it->area) < 0) {
            return bad(a, w, _("its area is not among \"areas\""));
        }
        for (size_t k = 0; k < q->n_levels && !known; k++) {
            known = q->levels[k]->level == it->level;
        }
        if (!known) {
            return bad(a, w, _("its level is not among \"levels\""));
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(q->items[k]->id, it->id) == 0) {
                return bad(a, w, _("item id appears twice"));
            }
        }
    }
    return TX_OK;
}

int
tx_questionnaire_parse(const char *text, size_t len, const char *source, tx_questionnaire_pb **out)
{
    static const char *const keys[] = {"id",     "version", "title",  "provenance", "scale",
                                       "levels", "areas",   "topics", "items",      NULL};
    tx_questionnaire_pb q = TICSX__V1__QUESTIONNAIRE__INIT;
    arena a = {.source = source};
    json_error_t jerr;
    json_t *root;
    uint8_t *packed = NULL;
    size_t packed_len;
    int rc;

    *out = NULL;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        return tx_fail(TX_ERR_MALFORMED, "questionnaire %s: line %d: %s", source, jerr.line,
                       jerr.text);
    }
    if (!json_is_object(root)) {
        rc = bad(&a, _("top level"), "must be an object");
        goto out;
    }
    if ((rc = check_keys(&a, root, keys, _("top level"))) != TX_OK ||
        (rc = get_id(&a, root, "id", _("top level"), &q.id)) != TX_OK ||
        (rc = get_uint(&a, root, "version", _("top level"), 1, UINT32_MAX, 1, 0, &q.version)) !=
            TX_OK ||
        (rc = get_text(&a, root, "title", _("top level"), &q.title)) != TX_OK ||
        (json_object_get(root, "provenance") != NULL &&
         (rc = get_text(&a, root, "provenance", _("top level"), &q.provenance)) != TX_OK) ||
        (rc = parse_scale(&a, root, &q)) != TX_OK || (rc = parse_levels(&a, root, &q)) != TX_OK ||
        (rc = parse_areas(&a, root, &q)) != TX_OK || (rc = parse_topics(&a, root, &q)) != TX_OK ||
        (rc = parse_items(&a, root, &q)) != TX_OK) {
        goto out;
    }
    if ((rc = tx_pack(&q.base, &packed, &packed_len)) != TX_OK) {
        goto out;
    }
    rc = tx_decode(&ticsx__v1__questionnaire__descriptor, packed, packed_len, TX_MAX_ENVELOPE,
                   (ProtobufCMessage **)out);
    if (rc != TX_OK) {
        rc = tx_fail(rc, "questionnaire %s: %s", source, tx_codec_detail());
    }
out:
    free(packed);
    arena_free(&a);
    json_decref(root);
    return rc;
}

int
tx_questionnaire_load_file(const char *path, tx_questionnaire_pb **out)
{
    uint8_t *text;
    size_t len;
    int rc = tx_file_read(path, MAX_FILE, &text, &len);

    *out = NULL;
    if (rc != TX_OK) {
        return tx_fail(rc == TX_ERR_NOT_FOUND ? TX_ERR_IO : rc, "cannot read %s: %s", path,
                       tx_strerror(rc));
    }
    rc = tx_questionnaire_parse((const char *)text, len, path, out);
    free(text);
    return rc;
}

const char *
tx_questionnaire_builtin_name(size_t i)
{
    return i < tx_builtin_count ? tx_builtins[i].name : NULL;
}

int
tx_questionnaire_builtin(const char *name, tx_questionnaire_pb **out)
{
    *out = NULL;
    for (size_t i = 0; i < tx_builtin_count; i++) {
        if (strcmp(tx_builtins[i].name, name) == 0) {
            return tx_questionnaire_parse((const char *)tx_builtins[i].data, tx_builtins[i].len,
                                          name, out);
        }
    }
    return tx_fail(TX_ERR_NOT_FOUND, "no built-in questionnaire called %s", name);
}

static int
pack_without_meta(const tx_questionnaire_pb *q, uint8_t **out, size_t *len)
{
    tx_questionnaire_pb copy = *q;

    copy.meta = NULL;
    return tx_pack(&copy.base, out, len);
}

int
tx_questionnaire_same(const tx_questionnaire_pb *a, const tx_questionnaire_pb *b)
{
    uint8_t *pa = NULL, *pb = NULL;
    size_t la = 0, lb = 0;
    int same = 0;

    if (pack_without_meta(a, &pa, &la) == TX_OK && pack_without_meta(b, &pb, &lb) == TX_OK) {
        same = la == lb && memcmp(pa, pb, la) == 0;
    }
    free(pa);
    free(pb);
    return same;
}

int
tx_questionnaire_sign(const tx_questionnaire_pb *q, const tx_identity *id, uint64_t seq,
                      int64_t created, uint8_t **env, size_t *len)
{
    tx_questionnaire_pb copy = *q;
    tx_meta_pb meta = TICSX__V1__META__INIT;

    meta.seq = seq;
    meta.created = created;
    copy.meta = &meta;
    return tx_sign_checked(id, TX_KIND_QUESTIONNAIRE, &copy.base, NULL, env, len);
}

json_t *
tx_questionnaire_to_json(const tx_questionnaire_pb *q)
{
    json_t *root = json_pack("{s:s,s:I,s:o}", "id", q->id, "version", (json_int_t)q->version,
                             "title", tx_json_text(q->title));
    json_t *scale = json_array(), *levels = json_array(), *areas = json_array();
    json_t *items = json_array();

    if (tx_questionnaire_has_provenance(q)) {
        json_object_set_new(root, "provenance", tx_json_text(q->provenance));
    }
    for (size_t i = 0; i < q->n_scale; i++) {
        const tx_choice_pb *c = q->scale[i];
        json_t *o = json_pack("{s:s,s:o,s:I}", "code", c->code, "label", tx_json_text(c->label),
                              "score_permille", (json_int_t)c->score_permille);
        if (c->not_applicable) {
            json_object_set_new(o, "not_applicable", json_true());
        }
        json_array_append_new(scale, o);
    }
    for (size_t i = 0; i < q->n_levels; i++) {
        json_array_append_new(levels,
                              json_pack("{s:I,s:o}", "level", (json_int_t)q->levels[i]->level,
                                        "name", tx_json_text(q->levels[i]->name)));
    }
    for (size_t i = 0; i < q->n_areas; i++) {
        json_array_append_new(areas, json_pack("{s:s,s:o}", "id", q->areas[i]->id, "name",
                                               tx_json_text(q->areas[i]->name)));
    }
    for (size_t i = 0; i < q->n_items; i++) {
        const tx_item_pb *it = q->items[i];
        json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:o}", "id", it->id, "area", it->area, "level",
                              (json_int_t)it->level, "weight", (json_int_t)it->weight, "text",
                              tx_json_text(it->text));
        if (it->n_topics > 0) {
            json_t *t = json_array();
            for (size_t k = 0; k < it->n_topics; k++) {
                json_array_append_new(t, json_string(it->topics[k]));
            }
            json_object_set_new(o, "topics", t);
        }
        json_array_append_new(items, o);
    }
    json_object_set_new(root, "scale", scale);
    json_object_set_new(root, "levels", levels);
    json_object_set_new(root, "areas", areas);
    if (q->n_topics > 0) {
        json_t *topics = json_array();
        for (size_t i = 0; i < q->n_topics; i++) {
            const tx_topic_pb *t = q->topics[i];
            json_array_append_new(topics, json_pack("{s:s,s:s,s:o}", "id", t->id, "framework",
                                                    t->framework, "name", tx_json_text(t->name)));
        }
        json_object_set_new(root, "topics", topics);
    }
    json_object_set_new(root, "items", items);
    return root;
}

int
tx_questionnaire_item(const tx_questionnaire_pb *q, const char *id)
{
    for (size_t i = 0; i < q->n_items; i++) {
        if (strcmp(q->items[i]->id, id) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int
tx_questionnaire_item_near(const tx_questionnaire_pb *q, const char *id, size_t hint)
{
    if (hint < q->n_items && strcmp(q->items[hint]->id, id) == 0) {
        return (int)hint;
    }
    return tx_questionnaire_item(q, id);
}

int
tx_questionnaire_topic(const tx_questionnaire_pb *q, const char *id)
{
    for (size_t i = 0; i < q->n_topics; i++) {
        if (q->topics[i] != NULL && strcmp(q->topics[i]->id, id) == 0) {
            return (int)i;
        }
    }
    return -1;
}

const char *
tx_topic_framework_name(const char *framework)
{
    if (strcmp(framework, "tics-2024") == 0) {
        return _("TICS criteria 2024");
    }
    if (strcmp(framework, "jama-l1") == 0) {
        return _("JAMA/JAPIA Level 1");
    }
    return framework;
}

void
tx_questionnaire_item_topics_text(const tx_questionnaire_pb *q, const tx_item_pb *it, int ja,
                                  const char *sep, char *out, size_t n)
{
    size_t used = 0;

    if (n == 0) {
        return;
    }
    out[0] = 0;
    for (size_t k = 0; it != NULL && k < it->n_topics && used + 1 < n; k++) {
        int t = tx_questionnaire_topic(q, it->topics[k]);
        char one[512];
        snprintf(one, sizeof one, _("%s (%s)"),
                 t >= 0 ? tx_text(q->topics[t]->name, ja) : it->topics[k],
                 t >= 0 ? tx_topic_framework_name(q->topics[t]->framework) : "?");
        if (k > 0) {
            tx_utf8_copy(out + used, n - used, sep);
            used = strlen(out);
        }
        tx_utf8_copy(out + used, n - used, one);
        used = strlen(out);
    }
}

int
tx_questionnaire_has_provenance(const tx_questionnaire_pb *q)
{
    return q->provenance != NULL && (q->provenance->ja[0] != 0 || q->provenance->en[0] != 0);
}

json_t *
tx_questionnaire_item_topics_json(const tx_questionnaire_pb *q, const tx_item_pb *it)
{
    json_t *out = json_array();

    for (size_t k = 0; it != NULL && k < it->n_topics; k++) {
        int t = tx_questionnaire_topic(q, it->topics[k]);
        if (t < 0) {
            continue;
        }
        json_array_append_new(out, json_pack("{s:s,s:s,s:o}", "id", q->topics[t]->id, "framework",
                                             q->topics[t]->framework, "name",
                                             tx_json_text(q->topics[t]->name)));
    }
    return out;
}

int
tx_questionnaire_area(const tx_questionnaire_pb *q, const char *id)
{
    for (size_t i = 0; i < q->n_areas; i++) {
        if (q->areas[i] != NULL && strcmp(q->areas[i]->id, id) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int
tx_questionnaire_area_near(const tx_questionnaire_pb *q, const char *id, size_t hint)
{
    if (hint < q->n_areas && q->areas[hint] != NULL && strcmp(q->areas[hint]->id, id) == 0) {
        return (int)hint;
    }
    return tx_questionnaire_area(q, id);
}

int
tx_questionnaire_choice(const tx_questionnaire_pb *q, const char *answer)
{
    char buf[512];
    size_t n;

    while (*answer == ' ' || *answer == '\t') {
        answer++;
    }
    n = strlen(answer);
    while (n > 0 && (answer[n - 1] == ' ' || answer[n - 1] == '\t')) {
        n--;
    }
    if (n == 0 || n >= sizeof buf) {
        return -1;
    }
    memcpy(buf, answer, n);
    buf[n] = 0;
    for (size_t i = 0; i < q->n_scale; i++) {
        if (strcasecmp(q->scale[i]->code, buf) == 0) {
            return (int)i;
        }
    }
    for (size_t i = 0; i < q->n_scale; i++) {
        const tx_local_text_pb *l = q->scale[i]->label;
        if (l != NULL &&
            ((l->en[0] && strcasecmp(l->en, buf) == 0) || (l->ja[0] && strcmp(l->ja, buf) == 0))) {
            return (int)i;
        }
    }
    return -1;
}

void
tx_questionnaire_codes(const tx_questionnaire_pb *q, char *out, size_t n)
{
    size_t used = 0;

    out[0] = 0;
    for (size_t i = 0; i < q->n_scale && used < n; i++) {
        const char *sep = i == 0 ? "" : (i + 1 == q->n_scale ? _(" or ") : _(", "));
        int w = snprintf(out + used, n - used, "%s%s", sep, q->scale[i]->code);
        if (w < 0) {
            break;
        }
        used += (size_t)w;
    }
}

const char *
tx_text(const tx_local_text_pb *t, int ja)
{
    if (t == NULL) {
        return "";
    }
    if (ja) {
        return t->ja[0] ? t->ja : t->en;
    }
    return t->en[0] ? t->en : t->ja;
}

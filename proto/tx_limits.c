/* The limits table, and the checks a sender runs with it before signing. */
#include "tx_limits.h"

#include "tx_error.h"
#include "tx_util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT(kind, msg, field, label)                                                              \
    {                                                                                              \
        kind, &ticsx__v1__##msg##__descriptor, field, TX_LIMIT_TEXT, TX_MAX_STRING, label          \
    }
#define COUNT(kind, msg, field, label)                                                             \
    {                                                                                              \
        kind, &ticsx__v1__##msg##__descriptor, field, TX_LIMIT_COUNT, TX_MAX_REPEATED, label       \
    }

const tx_limit tx_limits[] = {
    TEXT(TX_KIND_PROFILE, org_profile, "legal_name", "legal name"),
    TEXT(TX_KIND_PROFILE, org_profile, "corporate_number", "corporate number"),
    TEXT(TX_KIND_QUESTIONNAIRE, questionnaire, "id", "questionnaire id"),
    COUNT(TX_KIND_QUESTIONNAIRE, questionnaire, "areas", "areas"),
    COUNT(TX_KIND_QUESTIONNAIRE, questionnaire, "items", "items"),
    COUNT(TX_KIND_QUESTIONNAIRE, questionnaire, "scale", "answer scale"),
    COUNT(TX_KIND_QUESTIONNAIRE, questionnaire, "levels", "levels"),
    TEXT(TX_KIND_QUESTIONNAIRE, area, "id", "area id"),
    TEXT(TX_KIND_QUESTIONNAIRE, item, "id", "item id"),
    TEXT(TX_KIND_QUESTIONNAIRE, item, "area", "item area"),
    TEXT(TX_KIND_QUESTIONNAIRE, choice, "code", "answer code"),
    TEXT(TX_KIND_QUESTIONNAIRE, local_text, "ja", "Japanese text"),
    TEXT(TX_KIND_QUESTIONNAIRE, local_text, "en", "English text"),
    TEXT(TX_KIND_REQUEST, request, "note", "note"),
    COUNT(TX_KIND_REQUEST, request, "suppliers", "suppliers"),
    COUNT(TX_KIND_INNER_ASSESSMENT, assessment, "answers", "answers"),
    COUNT(TX_KIND_INNER_ASSESSMENT, assessment, "suppliers", "sub-suppliers"),
    TEXT(TX_KIND_INNER_ASSESSMENT, answer, "item", "item"),
    TEXT(TX_KIND_INNER_ASSESSMENT, answer, "choice", "answer"),
    TEXT(TX_KIND_INNER_ASSESSMENT, answer, "comment", "comment"),
    TEXT(TX_KIND_INNER_ASSESSMENT, answer, "evidence", "item evidence file name"),
    COUNT(TX_KIND_INNER_ASSESSMENT, answer, "evidence", "item evidence files"),
    {TX_KIND_INNER_ASSESSMENT, &ticsx__v1__plan__descriptor, "action", TX_LIMIT_TEXT,
     TX_MAX_PLAN_ACTION, "plan"},
    TEXT(TX_KIND_INNER_ASSESSMENT, sub_supplier, "name", "sub-supplier name"),
    TEXT(TX_KIND_INNER_ASSESSMENT, sub_supplier, "supplies", "supplies"),
    TEXT(TX_KIND_ACCREDITATION, accreditation, "body_name", "body name"),
    TEXT(TX_KIND_ACCREDITATION, accreditation, "scopes", "scope"),
    COUNT(TX_KIND_ACCREDITATION, accreditation, "scopes", "scopes"),
    TEXT(TX_KIND_ACCREDITATION, accreditation, "note", "note"),
    TEXT(TX_KIND_CERTIFICATE, certificate, "number", "certificate number"),
    TEXT(TX_KIND_CERTIFICATE, certificate, "holder_name", "holder name"),
    TEXT(TX_KIND_CERTIFICATE, certificate, "corporate_number", "corporate number"),
    TEXT(TX_KIND_CERTIFICATE, certificate, "scope", "scope"),
    TEXT(TX_KIND_CERTIFICATE, certificate, "sector", "sector"),
    TEXT(TX_KIND_CERT_EVENT, certificate_event, "note", "note"),
    TEXT(TX_KIND_QUESTIONNAIRE, topic, "id", "topic id"),
    TEXT(TX_KIND_QUESTIONNAIRE, topic, "framework", "topic framework"),
    COUNT(TX_KIND_QUESTIONNAIRE, questionnaire, "topics", "topics"),
    COUNT(TX_KIND_QUESTIONNAIRE, item, "topics", "item topics"),
    COUNT(TX_KIND_INNER_ASSESSMENT, assessment, "credentials", "credentials"),
    COUNT(TX_KIND_INNER_ASSESSMENT, assessment, "evidence", "evidence files"),
    TEXT(TX_KIND_INNER_ASSESSMENT, credential, "scheme", "credential scheme"),
    TEXT(TX_KIND_INNER_ASSESSMENT, credential, "number", "certificate number"),
    TEXT(TX_KIND_INNER_ASSESSMENT, credential, "body", "certification body"),
    TEXT(TX_KIND_INNER_ASSESSMENT, credential, "holder_name", "holder name"),
    TEXT(TX_KIND_INNER_ASSESSMENT, credential, "corporate_number", "corporate number"),
    TEXT(TX_KIND_INNER_ASSESSMENT, credential, "scope", "scope"),
    TEXT(TX_KIND_INNER_ASSESSMENT, credential, "standard", "standard"),
    TEXT(TX_KIND_INNER_ASSESSMENT, evidence_ref, "name", "evidence file name"),
    TEXT(TX_KIND_INNER_ASSESSMENT, evidence_ref, "media_type", "media type"),
    TEXT(TX_KIND_REGISTER, register, "list", "register list"),
    TEXT(TX_KIND_REGISTER, register, "source", "register source"),
    COUNT(TX_KIND_REGISTER, register, "entries", "register entries"),
    TEXT(TX_KIND_REGISTER, register_entry, "number", "certificate number"),
    TEXT(TX_KIND_REGISTER, register_entry, "holder_name", "holder name"),
    TEXT(TX_KIND_REGISTER, register_entry, "body", "certification body"),
    TEXT(TX_KIND_REGISTER, register_entry, "scope", "scope"),
    {TX_KIND_MEMBER, &ticsx__v1__member_record__descriptor, "name", TX_LIMIT_TEXT,
     TX_MEMBER_NAME_MAX, "member name"},
    {TX_KIND_KEY_REVOCATION, &ticsx__v1__key_revocation__descriptor, "reason", TX_LIMIT_TEXT,
     TX_MEMBER_NAME_MAX, "revocation reason"},
    /* Every other string and list, in any message. */
    {TX_KIND_NONE, NULL, NULL, TX_LIMIT_TEXT, TX_MAX_STRING, "text"},
    {TX_KIND_NONE, NULL, NULL, TX_LIMIT_COUNT, TX_MAX_REPEATED, "list"},
};

const size_t tx_n_limits = TX_ARRAY_LEN(tx_limits);

static const tx_limit *
limit_search(const ProtobufCMessageDescriptor *msg, const ProtobufCFieldDescriptor *f, int type)
{
    const tx_limit *dflt = NULL;

    for (size_t i = 0; i < TX_ARRAY_LEN(tx_limits); i++) {
        const tx_limit *l = &tx_limits[i];
        if (l->type != type) {
            continue;
        }
        if (l->msg == NULL) {
            dflt = l;
        } else if (l->msg == msg && strcmp(l->field, f->name) == 0) {
            return l;
        }
    }
    return dflt;
}

/* The decoder looks a row up for the fields of every message it checks (each answer of an
 * assessment, again and again): rows found are remembered per thread in a small table indexed
 * by the field descriptor (fields of one message are adjacent in memory) and the type. */
#define LIMIT_MEMO 256u

typedef struct {
    const ProtobufCMessageDescriptor *msg;
    const ProtobufCFieldDescriptor *f;
    int type;
    const tx_limit *row;
} limit_memo;

static _Thread_local limit_memo memo[LIMIT_MEMO];

const tx_limit *
tx_limit_of(const ProtobufCMessageDescriptor *msg, const ProtobufCFieldDescriptor *f, int type)
{
    size_t at = ((uintptr_t)f / sizeof *f * 2 + (size_t)type) % LIMIT_MEMO;
    limit_memo *m = &memo[at];

    if (m->f != f || m->msg != msg || m->type != type) {
        *m = (limit_memo){msg, f, type, limit_search(msg, f, type)};
    }
    return m->row;
}

const tx_limit *
tx_limit_find(const ProtobufCMessageDescriptor *msg, const char *field, int type)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(msg, field);
    return f != NULL ? tx_limit_of(msg, f, type) : NULL;
}

size_t
tx_limit_payload(int kind)
{
    return TX_MAX_ENVELOPE -
           (kind == TX_KIND_INNER_ASSESSMENT ? 3 : 1) * (size_t)TX_ENVELOPE_OVERHEAD;
}

const char *
tx_limit_num(size_t v, char *out)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%zu", v), o = 0;

    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            out[o++] = ' ';
        }
        out[o++] = digits[i];
    }
    out[o] = 0;
    return out;
}

/* Length of the UTF-8 sequence a lead byte starts, 1 for anything else. */
static size_t
seq_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

int
tx_limit_check_text(const tx_limit *l, const char *s, size_t len, char *why, size_t n)
{
    char a[32], b[32];
    const char *nul = memchr(s, 0, len);

    if (nul != NULL) {
        snprintf(why, n, "%s holds a NUL byte at byte %zu: remove it", l->label,
                 (size_t)(nul - s) + 1);
        return TX_ERR_BAD_UTF8;
    }
    if (len > l->max) {
        snprintf(why, n, "%s is %s bytes, at most %s", l->label, tx_limit_num(len, a),
                 tx_limit_num(l->max, b));
        return TX_ERR_TOO_LARGE;
    }
    for (size_t i = 0; i < len;) {
        size_t k = seq_len((unsigned char)s[i]);
        if (k > len - i || !tx_utf8_valid(s + i, k)) {
            snprintf(why, n, "%s is not valid UTF-8 at byte %zu: save the file as UTF-8", l->label,
                     i + 1);
            return TX_ERR_BAD_UTF8;
        }
        i += k;
    }
    return TX_OK;
}

int
tx_limit_check_count(const tx_limit *l, size_t count, char *why, size_t n)
{
    char a[32], b[32];

    if (count > l->max) {
        snprintf(why, n, "%s: %s entries, at most %s", l->label, tx_limit_num(count, a),
                 tx_limit_num(l->max, b));
        return TX_ERR_TOO_LARGE;
    }
    return TX_OK;
}

/* Walks m: every string and list against its row. `path` names m ("" at the top). */
static int
walk(const ProtobufCMessage *m, const char *path, char *why, size_t n, int depth)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    char sub[160], inner[200];
    int rc;

    if (depth > TX_MAX_DEPTH) {
        snprintf(why, n, "%smessages nested too deep", path);
        return TX_ERR_MALFORMED;
    }
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *base = (const char *)m + f->offset;
        size_t count = 1;
        const void *elems = base;

        if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE &&
            f->label != PROTOBUF_C_LABEL_REPEATED) {
            continue;
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            count = *(const size_t *)((const char *)m + f->quantifier_offset);
            elems = *(void *const *)base;
            if ((rc = tx_limit_check_count(tx_limit_of(d, f, TX_LIMIT_COUNT), count, inner,
                                           sizeof inner)) != TX_OK) {
                snprintf(why, n, "%s%s: %s", path, f->name, inner);
                return rc;
            }
        }
        if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE) {
            continue;
        }
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF &&
            *(const uint32_t *)((const char *)m + f->quantifier_offset) != f->id) {
            continue;
        }
        for (size_t k = 0; k < count; k++) {
            const void *v = f->label == PROTOBUF_C_LABEL_REPEATED ? ((void *const *)elems)[k]
                                                                  : *(void *const *)base;
            int w = f->label == PROTOBUF_C_LABEL_REPEATED
                        ? snprintf(sub, sizeof sub, "%s%s[%zu]", path, f->name, k)
                        : snprintf(sub, sizeof sub, "%s%s", path, f->name);
            if (w < 0 || (size_t)w >= sizeof sub) {
                /* Only messages read the path: a cut one ends in "..." to say so. */
                memcpy(sub + sizeof sub - 4, "...", 4);
            }
            if (v == NULL) {
                continue;
            }
            if (f->type == PROTOBUF_C_TYPE_STRING) {
                const tx_limit *l = tx_limit_of(d, f, TX_LIMIT_TEXT);
                if ((rc = tx_limit_check_text(l, v, strlen(v), inner, sizeof inner)) != TX_OK) {
                    if (strcmp(sub, l->label) == 0) {
                        snprintf(why, n, "%s", inner); /* "note is …", not "note: note is …" */
                    } else {
                        snprintf(why, n, "%s: %s", sub, inner);
                    }
                    return rc;
                }
            } else {
                char next[168];
                snprintf(next, sizeof next, "%s.", sub);
                if ((rc = walk(v, next, why, n, depth + 1)) != TX_OK) {
                    return rc;
                }
            }
        }
    }
    return TX_OK;
}

int
tx_limits_walk(const ProtobufCMessage *m, char *why, size_t n)
{
    why[0] = 0;
    return walk(m, "", why, n, 0);
}

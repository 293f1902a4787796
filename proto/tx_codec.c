/* Strict decoding of outside bytes. protobuf-c 1.4.1 accepts unknown and repeated fields,
 * unchecked enums and any bytes in strings, so a wire-level scan runs before it unpacks. */
#include "tx_codec.h"

#include "tx_error.h"
#include "tx_limits.h"
#include "tx_util.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__SANITIZE_ADDRESS__)
#define TX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TX_ASAN 1
#endif
#endif
#ifdef TX_ASAN
#include <sanitizer/asan_interface.h>
#define GAP 16 /* poisoned bytes after each piece: a read past a field still shows */
#else
#define GAP 0
#endif
#define ALIGN_UP(n) (((n) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))
#define PIECE(n) ALIGN_UP((n) + GAP) /* what a piece of n bytes takes in a decode's arena */

static _Thread_local char detail[192];

const char *
tx_codec_detail(void)
{
    return detail;
}

static int
fail(int code, const ProtobufCFieldDescriptor *f, const char *what)
{
    if (f != NULL) {
        snprintf(detail, sizeof detail, "field %u (%s): %s", f->id, f->name, what);
    } else {
        snprintf(detail, sizeof detail, "%s", what);
    }
    return code;
}

static int
read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t r = 0;

    for (unsigned shift = 0; shift < 64; shift += 7) {
        uint8_t b;
        if (*p >= end) {
            return TX_ERR_TRUNCATED;
        }
        b = *(*p)++;
        if (shift == 63 && b > 1) {
            return TX_ERR_MALFORMED;
        }
        r |= (uint64_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            *v = r;
            return TX_OK;
        }
    }
    return TX_ERR_MALFORMED;
}

/* Wire type a field must arrive in (packed repeated scalars aside). */
static int
wire_type_of(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 1;
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        return 5;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE:
        return 2;
    default:
        return 0;
    }
}

static int
check_varint_value(const ProtobufCFieldDescriptor *f, uint64_t v)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_BOOL:
        return v <= 1 ? TX_OK : fail(TX_ERR_MALFORMED, f, "bool out of range");
    case PROTOBUF_C_TYPE_ENUM:
        if (v > INT32_MAX ||
            protobuf_c_enum_descriptor_get_value(f->descriptor, (int)v) == NULL) {
            return fail(TX_ERR_MALFORMED, f, "enum value out of range");
        }
        return TX_OK;
    case PROTOBUF_C_TYPE_UINT32:
        return v <= UINT32_MAX ? TX_OK : fail(TX_ERR_MALFORMED, f, "uint32 out of range");
    default:
        return TX_OK;
    }
}

/* protobuf-c 1.4 notes each field it meets in a message in a ScannedMember (32 bytes): 16 on
 * its stack, the rest in slabs of 32, 64, 128... it allocates. Their room for `met` fields. */
static size_t
slab_room(size_t met)
{
    size_t room = 0, have = 16, slab = 32;

    while (have < met) {
        room += PIECE(slab * 32);
        have += slab;
        slab *= 2;
    }
    return room;
}

/* The size of one element of a repeated field's array, as protobuf-c allocates it. */
static size_t
element_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return 8; /* 64-bit values, pointers */
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    default:
        return 4; /* 32-bit values, enums, protobuf_c_boolean */
    }
}

/* Checks the message d in p..end and adds to *room what protobuf-c will allocate to unpack it
 * (its strings, byte fields, nested messages, arrays and slabs; not d itself). */
static int
scan(const ProtobufCMessageDescriptor *d, const uint8_t *p, const uint8_t *end, int depth,
     size_t *room)
{
    uint32_t counts[d->n_fields + 1];
    size_t met = 0;                    /* fields on the wire, packed ones once */
    int any_repeated = 0;              /* a repeated field met: its array to count */
    size_t count_max[d->n_fields + 1]; /* per field, from the limits table; 0 = not looked up */
    size_t text_max[d->n_fields + 1];  /* the same for string lengths */
    int rc;

    if (depth > TX_MAX_DEPTH) {
        return fail(TX_ERR_MALFORMED, NULL, "messages nested too deep");
    }
    memset(counts, 0, sizeof counts);
    memset(count_max, 0, sizeof count_max);
    memset(text_max, 0, sizeof text_max);
    while (p < end) {
        uint64_t key, v, n;
        const ProtobufCFieldDescriptor *f;
        size_t idx;
        int wire;

        if ((rc = read_varint(&p, end, &key)) != TX_OK) {
            return fail(rc, NULL, "truncated field tag");
        }
        wire = (int)(key & 7);
        if ((key >> 3) == 0 || (key >> 3) > 536870911u) {
            return fail(TX_ERR_MALFORMED, NULL, "field number out of range");
        }
        f = protobuf_c_message_descriptor_get_field(d, (unsigned)(key >> 3));
        if (f == NULL) {
            snprintf(detail, sizeof detail, "unknown field %llu in %s",
                     (unsigned long long)(key >> 3), d->short_name);
            return TX_ERR_MALFORMED;
        }
        idx = (size_t)(f - d->fields);
        met++;
        any_repeated |= f->label == PROTOBUF_C_LABEL_REPEATED;
        if (f->label != PROTOBUF_C_LABEL_REPEATED && counts[idx] > 0) {
            return fail(TX_ERR_MALFORMED, f, "field appears twice");
        }
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            for (unsigned k = 0; k < d->n_fields; k++) {
                if (k != idx && counts[k] > 0 && (d->fields[k].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
                    d->fields[k].quantifier_offset == f->quantifier_offset) {
                    return fail(TX_ERR_MALFORMED, f, "two members of one oneof");
                }
            }
        }
        if (count_max[idx] == 0) {
            count_max[idx] =
                f->label == PROTOBUF_C_LABEL_REPEATED ? tx_limit_of(d, f, TX_LIMIT_COUNT)->max : 1;
        }
        if (++counts[idx] > count_max[idx]) {
            return fail(TX_ERR_TOO_LARGE, f, "too many elements");
        }
        int expected = wire_type_of(f->type);
        int packed = f->label == PROTOBUF_C_LABEL_REPEATED && expected != 2 && wire == 2;
        if (wire != expected && !packed) {
            return fail(TX_ERR_MALFORMED, f, "wrong wire type");
        }
        switch (wire) {
        case 0:
            if ((rc = read_varint(&p, end, &v)) != TX_OK) {
                return fail(rc, f, "truncated varint");
            }
            if ((rc = check_varint_value(f, v)) != TX_OK) {
                return rc;
            }
            break;
        case 1:
        case 5:
            n = wire == 1 ? 8 : 4;
            if ((uint64_t)(end - p) < n) {
                return fail(TX_ERR_TRUNCATED, f, "truncated fixed-width value");
            }
            p += n;
            break;
        case 2:
            if ((rc = read_varint(&p, end, &n)) != TX_OK) {
                return fail(rc, f, "truncated length");
            }
            if (n > (uint64_t)(end - p)) {
                return fail(TX_ERR_TRUNCATED, f, "length runs past the end");
            }
            if (packed) {
                const uint8_t *q = p, *qe = p + n;
                while (q < qe) {
                    if (expected != 0) {
                        size_t w = expected == 1 ? 8 : 4;
                        if ((size_t)(qe - q) < w) {
                            return fail(TX_ERR_TRUNCATED, f, "truncated packed value");
                        }
                        q += w;
                    } else {
                        if ((rc = read_varint(&q, qe, &v)) != TX_OK) {
                            return fail(rc, f, "truncated packed varint");
                        }
                        if ((rc = check_varint_value(f, v)) != TX_OK) {
                            return rc;
                        }
                    }
                    if (++counts[idx] > count_max[idx]) {
                        return fail(TX_ERR_TOO_LARGE, f, "too many elements");
                    }
                }
            } else if (f->type == PROTOBUF_C_TYPE_STRING) {
                if (text_max[idx] == 0) {
                    text_max[idx] = tx_limit_of(d, f, TX_LIMIT_TEXT)->max;
                }
                if (n > text_max[idx]) {
                    return fail(TX_ERR_TOO_LARGE, f, "string too long");
                }
                if (!tx_utf8_valid((const char *)p, (size_t)n)) {
                    return fail(TX_ERR_BAD_UTF8, f, "invalid utf-8 or embedded nul");
                }
                *room += PIECE(n + 1);
            } else if (f->type == PROTOBUF_C_TYPE_BYTES) {
                *room += PIECE(n);
            } else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
                const ProtobufCMessageDescriptor *sub = f->descriptor;
                if ((rc = scan(sub, p, p + n, depth + 1, room)) != TX_OK) {
                    return rc;
                }
                *room += PIECE(sub->sizeof_message);
            }
            p += n;
            break;
        default:
            return fail(TX_ERR_MALFORMED, f, "unsupported wire type");
        }
    }
    for (unsigned k = 0; any_repeated && k < d->n_fields; k++) {
        if (counts[k] > 0 && d->fields[k].label == PROTOBUF_C_LABEL_REPEATED) {
            *room += PIECE(counts[k] * element_size(d->fields[k].type));
        }
    }
    *room += slab_room(met);
    return TX_OK;
}

/* A decoded message lives in one arena: protobuf-c allocates every string, array and nested
 * message of it (hundreds for an assessment) and frees them one by one, which was a third of
 * the fetch's own CPU outside cryptography. Here they are cut from a few blocks, freed
 * together by tx_free. The first piece protobuf-c asks for is the message itself, at the start
 * of the first block's data, so tx_free finds the arena from the message. */
typedef struct block {
    struct block *next;
    struct block *last; /* in the first block: the block pieces are cut from */
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
} block;

static block *
block_new(size_t size)
{
    block *b = malloc(sizeof *b + size);

    if (b != NULL) {
        b->next = NULL;
        b->last = b;
        b->size = size;
        b->used = 0;
#ifdef TX_ASAN
        ASAN_POISON_MEMORY_REGION(b->data, size);
#endif
    }
    return b;
}

static void *
arena_alloc(void *ctx, size_t size)
{
    block *first = ctx, *b = first->last;
    size_t need = PIECE(size);
    void *p;

    if (b->size - b->used < need) {
        block *nb = block_new(first->size > need ? first->size : need);
        if (nb == NULL) {
            return NULL;
        }
        b->next = nb;
        first->last = b = nb;
    }
    p = b->data + b->used;
    b->used += need;
#ifdef TX_ASAN
    ASAN_UNPOISON_MEMORY_REGION(p, size);
#endif
    return p;
}

static void
arena_free_piece(void *ctx, void *p)
{
    (void)ctx; /* pieces go with the arena */
    (void)p;
}

static void
arena_free(block *first)
{
    while (first != NULL) {
        block *next = first->next;
        free(first);
        first = next;
    }
}

int
tx_decode(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len, size_t cap,
          ProtobufCMessage **out)
{
    ProtobufCAllocator alloc = {arena_alloc, arena_free_piece, NULL};
    size_t room = PIECE(desc->sizeof_message);
    block *a;
    int rc;

    *out = NULL;
    detail[0] = 0;
    if (len == 0) {
        /* Empty bytes fields unpack with data == NULL, and NULL + 0 is undefined. */
        buf = (const uint8_t *)"";
    }
    if (len > cap) {
        snprintf(detail, sizeof detail, "%s of %zu bytes exceeds the %zu-byte limit",
                 desc->short_name, len, cap);
        return TX_ERR_TOO_LARGE;
    }
    if ((rc = scan(desc, buf, buf + len, 0, &room)) != TX_OK) {
        return rc;
    }
    /* The scan counted what unpacking takes: one block, unless protobuf-c asks for more. */
    if ((a = block_new(room)) == NULL) {
        return fail(TX_ERR_NOMEM, NULL, "out of memory");
    }
    alloc.allocator_data = a;
    *out = protobuf_c_message_unpack(desc, &alloc, len, buf);
    if (*out == NULL) {
        arena_free(a);
        return fail(TX_ERR_MALFORMED, NULL, "protobuf-c refused the message");
    }
    if ((void *)*out != (void *)a->data) {
        /* protobuf-c allocated something before the message: tx_free could not find it */
        *out = NULL;
        arena_free(a);
        return fail(TX_ERR_INTERNAL, NULL, "protobuf-c did not place the message first");
    }
    return TX_OK;
}

void
tx_free(void *msg)
{
    if (msg != NULL) {
        arena_free((block *)((unsigned char *)msg - offsetof(block, data)));
    }
}

size_t
tx_decode_blocks(const void *msg)
{
    size_t n = 0;

    for (const block *b = (const block *)((const unsigned char *)msg - offsetof(block, data));
         b != NULL; b = b->next) {
        n++;
    }
    return n;
}

int
tx_pack(const ProtobufCMessage *msg, uint8_t **out, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = malloc(n ? n : 1);

    if (buf == NULL) {
        return TX_ERR_NOMEM;
    }
    *len = protobuf_c_message_pack(msg, buf);
    *out = buf;
    return TX_OK;
}

static int
reject(void *msg, const char *what)
{
    tx_free(msg);
    snprintf(detail, sizeof detail, "%s", what);
    return TX_ERR_MALFORMED;
}

int
tx_decode_envelope(const uint8_t *buf, size_t len, tx_envelope_pb **out)
{
    ProtobufCMessage *m;
    tx_envelope_pb *e;
    int rc = tx_decode(&ticsx__v1__envelope__descriptor, buf, len, TX_MAX_ENVELOPE, &m);

    *out = NULL;
    if (rc != TX_OK) {
        return rc;
    }
    e = (tx_envelope_pb *)m;
    if (tx_kind_from_payload_type(e->payload_type) == TX_KIND_NONE) {
        return reject(e, "envelope: unknown payload type");
    }
    if (e->signer_key.len != TX_KEY_LEN) {
        return reject(e, "envelope: signer key is not 32 bytes");
    }
    if (e->signature.len != TX_SIG_LEN) {
        return reject(e, "envelope: signature is not 64 bytes");
    }
    if (e->payload.len == 0) {
        return reject(e, "envelope: empty payload");
    }
    *out = e;
    return TX_OK;
}

int
tx_decode_call(const uint8_t *buf, size_t len, tx_call_pb **out)
{
    ProtobufCMessage *m;
    tx_call_pb *c;
    int rc = tx_decode(&ticsx__v1__call__descriptor, buf, len, TX_MAX_CALL, &m);

    *out = NULL;
    if (rc != TX_OK) {
        return rc;
    }
    c = (tx_call_pb *)m;
    switch (c->body_case) {
    case TICSX__V1__CALL__BODY_SUBMIT:
        if (c->submit->envelope.len == 0) {
            return reject(c, "submit: empty envelope");
        }
        break;
    case TICSX__V1__CALL__BODY_SUBMIT_BATCH:
        if (c->submit_batch->n_envelopes == 0) {
            return reject(c, "submit_batch: no envelopes");
        }
        if (c->submit_batch->n_envelopes > TX_MAX_BATCH) {
            return reject(c, "submit_batch: more than 256 envelopes");
        }
        for (size_t i = 0; i < c->submit_batch->n_envelopes; i++) {
            if (c->submit_batch->envelopes[i].len == 0) {
                return reject(c, "submit_batch: empty envelope");
            }
        }
        break;
    case TICSX__V1__CALL__BODY_GET:
        if (c->get->record_id.len != TX_ID_LEN) {
            return reject(c, "get: record id is not 32 bytes");
        }
        break;
    case TICSX__V1__CALL__BODY_WATCH:
        if (c->watch->n_kinds > 16) {
            return reject(c, "watch: at most 16 kinds");
        }
        break;
    case TICSX__V1__CALL__BODY_COSIGN:
        if (c->cosign->witness_key.len != TX_KEY_LEN) {
            return reject(c, "cosign: witness key is not 32 bytes");
        }
        if (c->cosign->note.len == 0 || c->cosign->note.len > 8192) { /* TX_NOTE_MAX */
            return reject(c, "cosign: note empty or over 8192 bytes");
        }
        break;
    case TICSX__V1__CALL__BODY_WITNESSED:
        if (c->witnessed->n_witness_keys == 0 || c->witnessed->n_witness_keys > 64) {
            return reject(c, "witnessed: 1 to 64 witness keys");
        }
        for (size_t i = 0; i < c->witnessed->n_witness_keys; i++) {
            if (c->witnessed->witness_keys[i].len != TX_KEY_LEN) {
                return reject(c, "witnessed: a witness key is not 32 bytes");
            }
        }
        if (c->witnessed->quorum == 0 || c->witnessed->quorum > c->witnessed->n_witness_keys) {
            return reject(c, "witnessed: quorum not between 1 and the number of keys");
        }
        break;
    case TICSX__V1__CALL__BODY_LIST:
    case TICSX__V1__CALL__BODY_PING:
    case TICSX__V1__CALL__BODY_CHECKPOINT:
    case TICSX__V1__CALL__BODY_INCLUSION:
    case TICSX__V1__CALL__BODY_CONSISTENCY:
    case TICSX__V1__CALL__BODY_LEAVES:
        /* Sizes and indices are checked against the log by the hub, which names the bad one. */
        break;
    default:
        return reject(c, "call: no body");
    }
    *out = c;
    return TX_OK;
}

int
tx_decode_reply(const uint8_t *buf, size_t len, tx_reply_pb **out)
{
    return tx_decode(&ticsx__v1__reply__descriptor, buf, len, TX_MAX_REPLY,
                     (ProtobufCMessage **)out);
}

int
tx_decode_payload(const tx_envelope_pb *env, int kind, ProtobufCMessage **out)
{
    const char *want = tx_kind_payload_type(kind);

    *out = NULL;
    if (want == NULL || strcmp(env->payload_type, want) != 0) {
        snprintf(detail, sizeof detail, "expected a %s, got %s", tx_kind_name(kind),
                 env->payload_type);
        return TX_ERR_WRONG_TYPE;
    }
    return tx_decode_kind(kind, env->payload.data, env->payload.len, out);
}

int
tx_decode_kind(int kind, const uint8_t *buf, size_t len, ProtobufCMessage **out)
{
    const tx_kind_info *k = tx_kind_get(kind);
    int rc;

    *out = NULL;
    if (k == NULL) {
        return TX_ERR_WRONG_TYPE;
    }
    if ((rc = tx_decode(k->desc, buf, len, TX_MAX_ENVELOPE, out)) != TX_OK) {
        return rc;
    }
    if (!tx_kind_check(kind, *out)) {
        tx_free(*out);
        *out = NULL;
        snprintf(detail, sizeof detail, "%s: a required field is missing or has the wrong size",
                 k->name);
        return TX_ERR_MALFORMED;
    }
    return TX_OK;
}

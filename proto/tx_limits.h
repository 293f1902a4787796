/* The limits a reader enforces on every record it decodes, in one table that the decoder
 * (tx_codec) and every sender read. The decoder takes each string's and each list's limit
 * from here; a sender checks what it is about to sign against the same rows, so nothing is
 * signed and sent that its readers would refuse as malformed.
 *
 * Rows name a field of a message (the ones filled from files and the command line, with the
 * word users know it by) or, with msg NULL, every other string or list. */
#ifndef TX_LIMITS_H
#define TX_LIMITS_H

#include "tx_kinds.h"
#include "tx_wire.h"

#include <stddef.h>
#include <stdint.h>

enum {
    TX_LIMIT_TEXT = 1, /* bytes of a string, which must also be UTF-8 without NUL */
    TX_LIMIT_COUNT,    /* elements of a repeated field */
};

typedef struct {
    int kind;                              /* the record kind the field is signed in */
    const ProtobufCMessageDescriptor *msg; /* the message holding the field; NULL = any */
    const char *field;                     /* its name in the schema; NULL = any */
    int type;                              /* TX_LIMIT_TEXT or TX_LIMIT_COUNT */
    size_t max;                            /* bytes or elements */
    const char *label;                     /* what users call it: "comment", "note" */
} tx_limit;

/* The table; tx_limits[tx_n_limits - 2 ..] are the defaults (msg NULL). */
extern const tx_limit tx_limits[];
extern const size_t tx_n_limits;

/* Envelope bytes around a payload (type string, keys, signature, framing), at most. A kind's
 * payload may use TX_MAX_ENVELOPE minus this; the inner assessment three times this, as it
 * travels in a ciphertext inside a sealed assessment inside an envelope. */
#define TX_ENVELOPE_OVERHEAD 256u

/* The row of `type` that governs field f of message msg (its own, or the default). */
const tx_limit *tx_limit_of(const ProtobufCMessageDescriptor *msg,
                            const ProtobufCFieldDescriptor *f, int type);

/* The same by field name; NULL if msg has no such field. */
const tx_limit *tx_limit_find(const ProtobufCMessageDescriptor *msg, const char *field, int type);

/* The largest payload of `kind` a reader takes, in bytes. */
size_t tx_limit_payload(int kind);

/* Checks len bytes of text against row l: TX_OK, TX_ERR_TOO_LARGE ("comment is 71 680 bytes,
 * at most 65 536") or TX_ERR_BAD_UTF8 ("comment holds a NUL byte at byte 17", "... is not
 * valid UTF-8 at byte 3"), the sentence in why (size n). */
int tx_limit_check_text(const tx_limit *l, const char *s, size_t len, char *why, size_t n);

/* Checks a count against row l: TX_OK or TX_ERR_TOO_LARGE with why. */
int tx_limit_check_count(const tx_limit *l, size_t count, char *why, size_t n);

/* Every string and list of m against its row; why names the path of the first too long or too
 * many (e.g. "answers[11].comment is 71 680 bytes, at most 65 536"). TX_OK or
 * TX_ERR_TOO_LARGE. */
int tx_limits_walk(const ProtobufCMessage *m, char *why, size_t n);

/* n with a space every three digits ("71 680") into out (size >= 32). Returns out. */
const char *tx_limit_num(size_t v, char *out);

#endif

/* The record kinds: one row per kind in one table (tx_kinds.c) saying everything the code knows
 * of a kind without knowing its flow: its number, short name, payload type string, schema, whether
 * the hub stores it and whether everyone may read it, where its sequence number is, its strict
 * checks and the record ids it refers to. Adding a kind is a row there and its own file. */
#ifndef TX_KINDS_H
#define TX_KINDS_H

#include "ticsx.pb-c.h"
#include "tx_wire.h"

#include <stddef.h>
#include <stdint.h>

/* Record kinds; values equal the wire enum Ticsx__V1__Kind. Assessment is the sealed,
 * stored form; TX_KIND_INNER_ASSESSMENT is the plaintext signed inside it. */
enum {
    TX_KIND_NONE = 0,
    TX_KIND_PROFILE = 1,
    TX_KIND_QUESTIONNAIRE = 2,
    TX_KIND_REQUEST = 3,
    TX_KIND_ASSESSMENT = 4,
    TX_KIND_GRANT = 5,
    TX_KIND_GRANT_REVOKE = 6,
    TX_KIND_ACCREDITATION = 7,
    TX_KIND_CERTIFICATE = 8,
    TX_KIND_CERT_EVENT = 9,
    TX_KIND_CHECKPOINT = 10, /* signed by the hub, never a record of its log */
    TX_KIND_EVIDENCE_CHUNK = 11,
    TX_KIND_REGISTER = 12,
    TX_KIND_MEMBER = 13,         /* signed by the organisation key */
    TX_KIND_MEMBER_REMOVE = 14,  /* signed by the organisation key */
    TX_KIND_DRAFT = 15,          /* signed by a responder or officer; sealed to the organisation */
    TX_KIND_DRAFT_DECISION = 16, /* an officer's approval or rejection of a draft */
    TX_KIND_KEY_SUCCESSOR = 17,  /* signed by the organisation's key in force: its next key */
    TX_KIND_KEY_REVOCATION = 18, /* signed by the organisation's key in force: a key lost */
    TX_KIND_KEY_REENROLMENT = 19, /* signed by the hub's log key: a lost key's successor */
    TX_KIND_ORG_SETTINGS = 20,   /* signed by the organisation key: two officers for grants */
    TX_KIND_GRANT_APPROVAL = 21, /* a second officer's signature on a grant to a new buyer */
    TX_KIND_INNER_ASSESSMENT = 100,
};

/* Row flags. */
#define TX_KIND_STORED 1u /* a record of the hub's log */
#define TX_KIND_PUBLIC 2u /* every member may read it; others only by their readers */

/* What the hub requires of a record id a payload names when the record is submitted. */
typedef enum {
    TX_REF_NAMED,  /* nothing: another member's record (a forwarded request's original, the
                    * request a grant answers), or checked through another reference (a
                    * revocation's assessment, through its grant) */
    TX_REF_STORED, /* stored at the hub, of the reference's kind */
    TX_REF_OWN,    /* stored, of its kind and signed by the same signer; absent and another
                    * member's look alike, so no member learns whether another's id exists */
    TX_REF_AUTHOR, /* stored (public), and only its author may refer to it */
} tx_ref_rule;

/* Reference flags. */
#define TX_REF_OPTIONAL 1u /* may be empty */
#define TX_REF_REPLACES 2u /* the record replaces the one it names (a supersede) */

/* One record id a kind's payload may carry. */
typedef struct {
    const char *field; /* the payload's field, e.g. "supersedes" */
    const char *noun;  /* in messages, e.g. "superseded assessment" */
    int kind;          /* kind of the record it names */
    size_t offset;     /* of the field's ProtobufCBinaryData in the payload */
    unsigned flags;    /* TX_REF_* */
    tx_ref_rule rule;
    const char *act; /* TX_REF_AUTHOR: what only the author may do ("record events for it") */
} tx_kind_ref;

#define TX_KIND_MAX_REFS 3

/* A kind's row. */
typedef struct {
    int kind;
    const char *name;         /* short name ("profile", "request", ...) for messages */
    const char *payload_type; /* the envelope's payload_type */
    const ProtobufCMessageDescriptor *desc;
    unsigned flags; /* TX_KIND_STORED, TX_KIND_PUBLIC */
    size_t meta;    /* offset of the payload's Meta pointer; 0: none (a checkpoint) */
    /* The kind's own checks, run after the Meta (when it has one) and the references' lengths
     * were checked: 1 when they hold. */
    int (*check)(const ProtobufCMessage *m);
    tx_kind_ref refs[TX_KIND_MAX_REFS]; /* in the order the hub checks them; ends at field NULL */
} tx_kind_info;

/* A reference present in a decoded payload. Borrowed from the payload and the table. */
typedef struct {
    const tx_kind_ref *ref;
    const uint8_t *id; /* TX_ID_LEN bytes */
} tx_ref;

/* The row of a kind, or NULL. Borrowed (static). */
const tx_kind_info *tx_kind_get(int kind);

/* The number of rows, and row i of them (NULL past the end), for tests and fuzz targets. */
size_t tx_kind_count(void);
const tx_kind_info *tx_kind_at(size_t i);

/* The payload type string of a kind, or NULL. */
const char *tx_kind_payload_type(int kind);

/* The kind for a payload type string, or TX_KIND_NONE. */
int tx_kind_from_payload_type(const char *type);

/* Short name ("profile", "request", ...) for messages and the CLI; "unknown" for none. */
const char *tx_kind_name(int kind);

/* True for kinds the hub stores in its log. */
int tx_kind_is_stored(int kind);

/* True for kinds every member may read (the hub keeps no readers for them). */
int tx_kind_is_public(int kind);

/* The strict checks of a payload unpacked as `kind`: its Meta with a sequence number above 0,
 * every reference TX_ID_LEN bytes (or empty when optional), then the kind's own checks.
 * 1 when they all hold, 0 otherwise or for an unknown kind. */
int tx_kind_check(int kind, const ProtobufCMessage *m);

/* The sequence number in a payload's Meta; 0 for a kind without one or a payload without it
 * (tx_decode_payload refuses those). */
uint64_t tx_kind_seq(int kind, const ProtobufCMessage *m);

/* The signing time in a payload's Meta (meta.created); 0 as tx_kind_seq. */
int64_t tx_kind_created(int kind, const ProtobufCMessage *m);

/* The references present in a payload of `kind` (those of TX_ID_LEN bytes; an empty optional
 * one is left out), in table order; returns how many (at most TX_KIND_MAX_REFS). */
size_t tx_kind_refs(int kind, const ProtobufCMessage *m, tx_ref out[TX_KIND_MAX_REFS]);

/* The id of the record this payload replaces (a TX_REF_REPLACES reference), or NULL. Borrowed
 * from m. */
const uint8_t *tx_kind_replaced(int kind, const ProtobufCMessage *m);

/* True for a 13-digit Japanese corporate number whose leading check digit matches. */
int tx_corporate_number_valid(const char *s);

/* The latest expiry a certificate issued at `issued` may carry: three calendar years later
 * (a TICS certificate is renewed by audit every 3 years). */
int64_t tx_certificate_max_expiry(int64_t issued);

#endif

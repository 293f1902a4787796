/* Public registers as signed, dated data: the registers of trusted publishers (keys pinned in
 * the home as trust/registers/<key id>.pub) read from the cache, each checked by hash and
 * signature, plus the built-in register of the accredited certification bodies (METI's 2024
 * briefing and its June 2025 edition). Answers whether a declared certificate is listed, and
 * finds an accredited body by name at a date. */
#ifndef TX_REGISTER_H
#define TX_REGISTER_H

#include "tx_home.h"
#include "tx_keys.h"
#include "tx_rec.h"

#include <stddef.h>
#include <stdint.h>

/* The list names used by ticsx (a register may carry any list name; these are the known ones). */
#define TX_REG_LIST_BODIES "tics-bodies"
#define TX_REG_LIST_CERTIFIED "tics-certified"

/* ---- pinned register publishers (trust/registers/<key id>.pub, 0644) ---- */

/* Pins the publisher's public key file. *added is 0 when it was pinned already. TX_ERR_USAGE
 * (message set) for a file that is not a public key file; TX_ERR_EXISTS for another key with
 * the same key id. out (may be NULL) receives the key. */
int tx_register_trust_add(const char *home_dir, const char *file, tx_pubkey *out, int *added);

/* The pinned publisher keys, in key id order. Caller owns *keys (free). */
int tx_register_trust_list(const char *home_dir, tx_pubkey **keys, size_t *n);

/* Unpins by key id, fingerprint or public key file path. TX_ERR_NOT_FOUND (message set). */
int tx_register_trust_remove(const char *home_dir, const char *name, tx_pubkey *out);

/* ---- the registers known to this home ---- */

/* One register: a signed record from the cache, or the built-in bodies register (rec NULL). */
typedef struct {
    const tx_rec *rec;           /* NULL for a built-in edition */
    const char *list;            /* borrowed from the record or static */
    int64_t as_of;               /* 0: not stated (the built-in 2024 edition) */
    uint64_t seq;                /* the signer's sequence number; 0 built-in */
    int trusted;                 /* signed by a pinned publisher (built-in: 1) */
    int builtin;                 /* 1 for a built-in edition */
    char publisher[TX_NAME_MAX]; /* the publisher's profile name, else the pin's name */
    char fingerprint[TX_FP_LEN]; /* the signer's fingerprint; "" built-in */
    size_t n_entries;
} tx_register_info;

typedef struct {
    tx_pubkey *pinned;
    size_t n_pinned;
    tx_recs recs;        /* every register record of the cache, opened */
    tx_register_info *v; /* one per record (trusted or not), then the built-ins */
    size_t n;
    void *builtin; /* private: the built-in editions' entries */
} tx_registers;

/* Loads the pinned publishers and every register record in the cache (a record that fails its
 * hash or signature is skipped), plus the built-in bodies editions. regs must be zeroed;
 * tx_registers_free. Untrusted records are listed (trusted 0) but never used for answers. */
int tx_registers_load(tx_home *home, tx_registers *regs);

void tx_registers_free(tx_registers *regs);

/* The entries of register i (borrowed; built-in entries are static). */
size_t tx_registers_entries(const tx_registers *regs, size_t i,
                            const tx_register_entry_pb *const **out);

/* ---- matching a declared certificate ---- */

typedef enum {
    TX_REG_LISTED = 0,       /* number, body and holder match an entry */
    TX_REG_OTHER_HOLDER = 1, /* the number and body are listed, under another holder */
    TX_REG_OTHER_BODY = 2,   /* the number is listed, issued by another body */
    TX_REG_NOT_LISTED = 3,   /* the register read at or after issue does not list the number */
    TX_REG_NONE = 4          /* no trusted register of that list read between issue and `at` */
} tx_reg_match_t;

/* "listed", "other_holder", "other_body", "not_listed", "none" (stable ASCII; the JSON's
 * "match" member; "none" means the row's "register" is null). */
const char *tx_reg_match_name(tx_reg_match_t m);

typedef struct {
    const char *list;             /* e.g. "tics-certified"; NULL = "tics-certified" */
    const char *number;           /* the certificate number; required */
    const char *holder_name;      /* may be NULL/"" */
    const char *corporate_number; /* may be NULL/"" */
    const char *body;             /* the certifying body's name as declared; may be NULL/"" */
    int64_t issued;               /* unix seconds; 0 = unknown (then any register up to `at`) */
    int64_t at;                   /* the date judged at (unix seconds) */
} tx_reg_query;

typedef struct {
    tx_reg_match_t match;
    char list[64];
    char publisher[TX_NAME_MAX];
    char fingerprint[TX_FP_LEN];
    int64_t as_of;                     /* the register used; 0 with TX_REG_NONE */
    uint8_t record[TX_ID_LEN];         /* its record id (zero for TX_REG_NONE) */
    char reason[512];                  /* one sentence, process language */
    const tx_register_entry_pb *entry; /* the entry found (borrowed), NULL if none */
} tx_reg_result;

/* The register used is the newest trusted register of q->list whose as_of lies in
 * [issued, at] (one publisher's registers of the same as_of: the higher seq). A number is
 * matched (normalised: widths, spaces, case), then the body (normalised name), then the holder
 * by corporate number when both have one, else by normalised name. Always fills *out; returns
 * TX_OK, or TX_ERR_USAGE (message set) when q->number is empty. */
int tx_register_match(const tx_registers *regs, const tx_reg_query *q, tx_reg_result *out);

/* ---- the accredited certification bodies ---- */

typedef enum {
    TX_BODY_ACCREDITED = 0, /* listed in the bodies register in force at the date */
    TX_BODY_NOT_LISTED = 1, /* known from another edition, absent from the one in force */
    TX_BODY_ENDED = 2,      /* listed, but its accreditation's stated dates exclude the date */
} tx_body_state;

typedef struct {
    tx_body_state state;
    const tx_register_entry_pb *entry; /* borrowed: name (holder_name), corporate_number
                                        * ("" = not stated), scope, sectors, valid_from/
                                        * valid_until (0 = not stated) */
    int builtin;                       /* the edition used is built in */
    int64_t as_of;                     /* that edition's date (0: not stated) */
    char publisher[TX_NAME_MAX];       /* "built-in" or the signed register's publisher */
    char reason[512];                  /* one sentence, process language */
} tx_reg_body;

/* Finds the accredited body named `name` (normalised: full/half width, spaces, 株式会社/
 * 一般社団法人/... before or after the name) in the bodies register in force at `at`: the
 * newest, among those whose as_of is at or before `at`, of the built-in editions (2024: as_of
 * 0; June 2025: 2025-06-01) and the trusted "tics-bodies" registers read after the newest
 * built-in edition (a signed register replaces the built-in one from its date). TX_OK with
 * out->state (TX_BODY_NOT_LISTED: absent from that edition, present in another); TX_ERR_NOT_FOUND
 * (message set) when no edition knows the name. */
int tx_register_body(const tx_registers *regs, const char *name, int64_t at, tx_reg_body *out);

/* Whether the body's sectors cover `sector` ("all" covers every sector). */
int tx_register_body_covers(const tx_reg_body *b, const char *sector);

/* Normalises an organisation name for comparison into out (size n): NFKC-like width folding
 * (full-width ASCII and space, half-width katakana), spaces removed, ASCII lower-cased, legal
 * form words removed wherever they stand; *form (may be NULL) gets the legal form found
 * (static, "" if none). */
void tx_register_norm_name(const char *name, char *out, size_t n, const char **form);

#endif

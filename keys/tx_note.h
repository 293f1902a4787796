/* C2SP signed notes (c2sp.org/signed-note), the hub's checkpoints in them
 * (c2sp.org/tlog-checkpoint) and witness cosignatures of those (c2sp.org/tlog-cosignature,
 * cosignature/v1, Ed25519). A note is its text (non-empty newline-terminated lines), one blank
 * line, and one or more signature lines "— NAME base64(key hash (4) || signature)\n". The key
 * hash is the first 4 bytes of SHA-256(NAME || 0x0A || TYPE || public key): TYPE 0x01 for an
 * Ed25519 note signature (over the text), 0x04 for a cosignature/v1, whose signature is
 * timestamp (8, big-endian) || Ed25519 over "cosignature/v1\ntime T\n" || text.
 *
 * A ticsx checkpoint's text is four lines:
 *   ORIGIN\nSIZE\nbase64(ROOT)\ntime T\n
 * the last an extension line carrying the hub's signing time (unix seconds, never going back).
 * The hub signs it under the name ORIGIN. Parsing takes at most TX_NOTE_MAX bytes and
 * TX_NOTE_SIGS_MAX signature lines; everything else is refused as malformed. */
#ifndef TX_NOTE_H
#define TX_NOTE_H

#include <stddef.h>
#include <stdint.h>

#define TX_NOTE_MAX 8192      /* bytes of a note with its signatures */
#define TX_NOTE_SIGS_MAX 64   /* signature lines of a note */
#define TX_NOTE_NAME_MAX 128  /* bytes of a key name or an origin */
#define TX_NOTE_LINE_MAX 320  /* bytes of one signature line, newline included */
#define TX_NOTE_VKEY_MAX 200  /* bytes of a verifier key, NUL included */
#define TX_NOTE_ED25519 0x01  /* key type of an Ed25519 note signature */
#define TX_NOTE_COSIG_V1 0x04 /* key type of an Ed25519 cosignature/v1 */

typedef struct {
    char name[TX_NOTE_NAME_MAX + 1];
    uint8_t hash[4];
    uint8_t sig[72]; /* what follows the key hash */
    size_t sig_len;  /* 64 (note signature) or 72 (cosignature); anything else is kept as 0 */
} tx_note_sig;

/* A parsed note: text points into the buffer parsed (borrowed). */
typedef struct {
    const uint8_t *text;
    size_t text_len; /* through the text's final newline */
    tx_note_sig sigs[TX_NOTE_SIGS_MAX];
    size_t n_sigs;
} tx_note;

/* What a ticsx checkpoint's text says. */
typedef struct {
    char origin[TX_NOTE_NAME_MAX + 1];
    uint64_t size;
    uint8_t root[32];
    int64_t time;
} tx_note_checkpoint;

/* 1 when name may be a key name or an origin here: 1 to TX_NOTE_NAME_MAX bytes of printable
 * ASCII other than space and '+'. */
int tx_note_name_ok(const char *name);

/* SHA-256(name || 0x0A || type || pk)[:4]. */
void tx_note_key_hash(const char *name, uint8_t type, const uint8_t pk[32], uint8_t out[4]);

/* The verifier key "NAME+HASH(8 hex)+base64(TYPE || pk)" into out (TX_NOTE_VKEY_MAX). */
int tx_note_vkey(const char *name, uint8_t type, const uint8_t pk[32], char *out, size_t n);

/* Splits a note into text and signature lines. TX_ERR_TOO_LARGE over TX_NOTE_MAX or
 * TX_NOTE_SIGS_MAX lines, TX_ERR_MALFORMED otherwise. */
int tx_note_parse(const uint8_t *buf, size_t len, tx_note *out);

/* The text of a checkpoint into out (capacity n); *len its length. TX_ERR_USAGE for an origin
 * tx_note_name_ok refuses or a negative time. */
int tx_note_checkpoint_text(const char *origin, uint64_t size, const uint8_t root[32], int64_t time,
                            char *out, size_t n, size_t *len);

/* Parses a checkpoint's text (exactly the four lines above, canonical numbers and base64).
 * TX_ERR_MALFORMED otherwise. */
int tx_note_checkpoint_parse(const uint8_t *text, size_t len, tx_note_checkpoint *out);

/* Appends "— NAME base64(hash || sig)\n" to out (capacity n) at *len. */
int tx_note_sig_line(const char *name, const uint8_t hash[4], const uint8_t *sig, size_t sig_len,
                     char *out, size_t n, size_t *len);

/* Signs text (Ed25519 note signature under `name`): the whole note into *note (caller frees).
 * sk is libsodium's 64-byte secret key, its public half in its last 32 bytes. */
int tx_note_sign(const uint8_t *text, size_t len, const char *name, const uint8_t sk[64],
                 uint8_t **note, size_t *note_len);

/* Checks that the note holds an Ed25519 note signature by pk under `name`. TX_OK, or
 * TX_ERR_WRONG_KEY when no line carries that name and key hash, TX_ERR_BAD_SIGNATURE when
 * one does and it does not verify. */
int tx_note_verify(const tx_note *note, const char *name, const uint8_t pk[32]);

/* A cosignature/v1 line of text at time t by sk under `name` into line (TX_NOTE_LINE_MAX);
 * *len its length. */
int tx_note_cosign(const uint8_t *text, size_t len, const char *name, const uint8_t sk[64],
                   uint64_t t, char *line, size_t n, size_t *line_len);

/* Checks that the note holds a cosignature/v1 by pk under `name`; *t (may be NULL) gets its
 * timestamp. Codes as tx_note_verify; a timestamp over 2^63 - 1 is TX_ERR_MALFORMED. */
int tx_note_cosig_verify(const tx_note *note, const char *name, const uint8_t pk[32], uint64_t *t);

#endif

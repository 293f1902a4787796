/* Identities and key files. An identity is an Ed25519 signing key, an X25519 sealing key and a
 * CURVE transport key; the hub's identity uses the same format (its seal key unused).
 *
 * Files, in the style of minisign: a comment line, then one base64 line.
 *   identity.key  0600  "Tx" | key id (8) | sign sk (64) | seal sk (32) | curve sk (32) | checksum (32)
 *   identity.pub  0644  "Tx" | key id (8) | sign pk (32) | seal pk (32) | curve pk (32)
 *   identity_ed25519.pub  OpenSSH form of the signing key
 * The key id is the first 8 bytes of BLAKE2b-256(sign pk); the checksum is BLAKE2b-256 of what
 * precedes it. Secret keys live in sodium_malloc memory and are wiped when destroyed. */
#ifndef TX_KEYS_H
#define TX_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define TX_NAME_MAX 256
#define TX_FP_LEN 51 /* "SHA256:" + 43 base64 characters + NUL */

typedef struct {
    uint8_t sign[32];
    uint8_t seal[32];
    uint8_t curve[32];
    char name[TX_NAME_MAX]; /* from the untrusted comment; display only */
} tx_pubkey;

typedef struct {
    uint8_t sign[64];
    uint8_t seal[32];
    uint8_t curve[32];
} tx_secrets;

typedef struct {
    tx_pubkey pub;
    tx_secrets *sec; /* sodium_malloc'd, read-only except while being filled */
} tx_identity;

/* Makes fresh keys. TX_ERR_USAGE if name is not UTF-8, holds a control character or is
 * TX_NAME_MAX bytes or longer. Caller owns *out (tx_identity_destroy). */
int tx_identity_generate(const char *name, tx_identity **out);

/* Writes BASE.key (0600), BASE.pub and BASE_ed25519.pub (0644) into dir, which is created
 * 0700 if missing; clients use the base name "identity", the hub "hub". Refuses to overwrite
 * the secret file (TX_ERR_EXISTS). */
int tx_identity_save(const tx_identity *id, const char *dir, const char *base);

/* Loads dir/BASE.key and dir/BASE.pub. TX_ERR_PERM if the secret file is readable by
 * group or others; TX_ERR_CHECKSUM, TX_ERR_TRUNCATED or TX_ERR_BAD_KEY if it is damaged or does
 * not match the public file. Caller owns *out. */
int tx_identity_load(const char *dir, const char *base, tx_identity **out);

/* Wipes and frees *id_p and sets it to NULL. NULL is fine. */
void tx_identity_destroy(tx_identity **id_p);

/* Parses a public key file's text / reads one from a path. */
int tx_pubkey_parse(const char *text, size_t len, tx_pubkey *out);
int tx_pubkey_load(const char *path, tx_pubkey *out);

/* Text of a public key file (comment + base64 line), NUL-terminated in out of size n. */
int tx_pubkey_format(const tx_pubkey *pk, char *out, size_t n);

/* "SHA256:..." as `ssh-keygen -lf` prints it for the same Ed25519 key. */
void tx_fingerprint(const uint8_t sign_pk[32], char out[TX_FP_LEN]);

/* "ssh-ed25519 AAAA... comment" into out of size n. */
int tx_ssh_pubkey(const uint8_t sign_pk[32], const char *comment, char *out, size_t n);

/* The 8-byte key id as 16 hex characters plus NUL. */
void tx_key_id_hex(const uint8_t sign_pk[32], char out[17]);

#endif

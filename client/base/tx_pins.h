/* A directory of pinned public keys in a home: HOME/<dir>/<16-hex key id>.pub, each in the
 * identity.pub format (0644; the directory 0700). tx_trust (trust/, accreditor keys) and
 * tx_witness (witnesses/, witness keys) keep their keys this way; each reads, checks and words
 * its own keys, these functions keep the files. */
#ifndef TX_PINS_H
#define TX_PINS_H

#include "tx_keys.h"

#include <stddef.h>

/* What differs between two such directories (static, read-only). */
typedef struct {
    const char *dir;                    /* the directory under the home, e.g. "trust" */
    size_t max;                         /* at most this many keys are listed */
    const char *what;                   /* a skipped file is "not a <what>" in the warning */
    int (*key_ok)(const tx_pubkey *pk); /* NULL, or what a listed key must also pass */
    int by_name; /* the key's name is part of the pin: the same key under another name is
                  * another key, and tx_pins_remove matches names too */
    int by_file; /* tx_pins_remove also takes the path of the key's public key file */
} tx_pins;

/* home_dir/<dir>/file, or the directory itself when file is NULL. TX_ERR_USAGE (message set)
 * when it does not fit in n. */
int tx_pins_path(const tx_pins *p, const char *home_dir, const char *file, char *out, size_t n);

/* Reads the public key file at path (at most 4096 bytes) into *out. The codes of tx_file_read
 * and tx_pubkey_parse (TX_ERR_NOT_FOUND, TX_ERR_IO, ...), no message. */
int tx_pins_load(const char *path, tx_pubkey *out);

/* Pins pk (read from `file`, which messages name) as <dir>/<key id>.pub. *added is 0 when it
 * was pinned already. TX_ERR_EXISTS with no message when another key holds its key id (the
 * caller words it); other failures with the message set. */
int tx_pins_add(const tx_pins *p, const char *home_dir, const tx_pubkey *pk, const char *file,
                int *added);

/* The pinned keys in key id order, at most p->max. A file named like a key that does not hold
 * that key, or whose key fails p->key_ok, is skipped with a warning. Caller owns *keys (free). */
int tx_pins_list(const tx_pins *p, const char *home_dir, tx_pubkey **keys, size_t *n);

/* Unpins the key whose key id (any case) or fingerprint is `which` (or its name, with
 * p->by_name; or the key in the public key file at path `which`, with p->by_file).
 * TX_ERR_NOT_FOUND with no message when no such key is pinned (the caller words it); other
 * failures with the message set. out (may be NULL) gets the key. */
int tx_pins_remove(const tx_pins *p, const char *home_dir, const char *which, tx_pubkey *out);

#endif

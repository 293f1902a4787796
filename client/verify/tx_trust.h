/* The buyer's side of the TICS trust chain: accreditor keys (the METI role) pinned in the home
 * as trust/<key id>.pub (identity.pub format, 0644), and the public records a certificate
 * judgement rests on (accreditations, certificates, certificate events, profiles for names),
 * each checked by hash and signature, gathered from the cache or from the hub. The judgement
 * itself is tx_cert_judge. */
#ifndef TX_TRUST_H
#define TX_TRUST_H

#include "tx_keys.h"
#include "tx_orgs.h"
#include "tx_rec.h"

#include <stddef.h>
#include <stdint.h>

/* ---- pinned accreditor keys ---- */

/* Pins the public key file `file` (identity.pub format) as home_dir/trust/<key id>.pub, 0644.
 * *added is 0 when it was pinned already. TX_ERR_USAGE (message says why) for a file that is
 * not a public key file. out (may be NULL) receives the key. */
int tx_trust_add(const char *home_dir, const char *file, tx_pubkey *out, int *added);

/* The pinned keys, in key id order. A damaged file is skipped with a warning.
 * Caller owns *keys (free). */
int tx_trust_list(const char *home_dir, tx_pubkey **keys, size_t *n);

/* Unpins the key named by its 16-hex key id, its fingerprint (SHA256:...) or the path of its
 * public key file. TX_ERR_NOT_FOUND if it is not pinned. out (may be NULL) gets the key. */
int tx_trust_remove(const char *home_dir, const char *name, tx_pubkey *out);

/* ---- the records a judgement rests on ---- */

typedef struct {
    tx_pubkey *pinned;
    size_t n_pinned;
    tx_recs accreditations; /* opened as TX_KIND_ACCREDITATION */
    tx_recs certificates;   /* opened as TX_KIND_CERTIFICATE */
    tx_recs events;         /* opened as TX_KIND_CERT_EVENT */
    tx_orgs orgs;           /* profiles, for names */
    tx_idmap cert_ids;      /* certificate record id -> its first position in certificates */
    int report_grace_days;  /* days an annual report may be late before stale (report_due
                               until then); 0 by default (the buyer's policy sets it) */
} tx_trust_set;

/* Pinned keys from the home plus every accreditation, certificate, event and profile in the
 * cache (each checked by hash and signature). ts must be zeroed; tx_trust_set_free. */
int tx_trust_set_from_cache(tx_home *home, tx_trust_set *ts);

/* Only the pinned keys from the home (tx_trust_set_from_cache without the records, for a caller
 * that reads the cache itself and hands each record to tx_trust_set_take). */
int tx_trust_set_load_pinned(tx_home *home, tx_trust_set *ts);

/* The certificate record with this id, or NULL. Borrowed from ts. */
const tx_rec *tx_trust_set_certificate(const tx_trust_set *ts, const uint8_t id[TX_ID_LEN]);

/* Moves an opened record of one of the three kinds (or a profile) into the set; other kinds
 * are ignored (and cleared). */
int tx_trust_set_take(tx_trust_set *ts, tx_rec *rec);

void tx_trust_set_free(tx_trust_set *ts);

/* The certificate record whose id starts with `arg` (8+ hex digits) or whose number is `arg`;
 * when issuer is not NULL only that body's certificates are considered. TX_ERR_NOT_FOUND or
 * TX_ERR_USAGE (ambiguous: give the record id) with a message. Borrowed from ts. */
int tx_trust_find_certificate(const tx_trust_set *ts, const char *arg, const uint8_t *issuer,
                              const tx_rec **out);

#endif

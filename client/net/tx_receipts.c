/* Receipts of this home's own submits, kept until a later contact proves their records are
 * still in the hub's signed log. */
#include "tx_receipts.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_home.h"
#include "tx_i18n.h"
#include "tx_log.h"
#include "tx_log_proof.h"
#include "tx_msg.h"
#include "tx_note.h"
#include "tx_util.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* receipts/<id>: "TXR1", the index (8 bytes, big-endian), the leaf hash (32), then the signed
 * checkpoint as the hub sent it. */
#define MAGIC "TXR1"
#define HEAD (4 + 8 + 32)
#define RECEIPT_MAX (HEAD + TX_NOTE_MAX) /* the checkpoint note with its cosignatures */

typedef struct {
    uint8_t id[TX_ID_LEN];
    uint64_t index;
    uint8_t leaf[32];
    tx_checkpoint cp;
} receipt;

static int
receipt_path(tx_home *home, const uint8_t *id, char *out, size_t n)
{
    char hex[2 * TX_ID_LEN + 1];

    tx_hex(hex, id, TX_ID_LEN);
    if (snprintf(out, n, "%s/receipts/%s", tx_home_dir(home), hex) >= (int)n) {
        return tx_fail(TX_ERR_USAGE, "home directory path too long");
    }
    return TX_OK;
}

/* The kind of a cached record, for messages ("record" when it is not cached). */
static const char *
kind_of(tx_home *home, const uint8_t *id)
{
    const char *name = _("record");
    tx_envelope_pb *e = NULL;
    uint8_t *env = NULL;
    size_t len;

    if (tx_home_cache_read(home, id, &env, &len) == TX_OK &&
        tx_decode_envelope(env, len, &e) == TX_OK) {
        name = tx_kind_word(tx_kind_from_payload_type(e->payload_type));
    }
    tx_fail_clear();
    tx_free(e);
    free(env);
    return name;
}

int
tx_receipt_check(const tx_reply_pb *r, const uint8_t *env, size_t len, const uint8_t hub_sign[32],
                 tx_conn *conn)
{
    const tx_receipt_pb *rc_pb = r->receipt;
    uint8_t leaf[32];
    tx_checkpoint cp = {0};
    tx_reply_pb *proof = NULL;
    uint64_t id;
    int rc;

    if (r->status != TX_STATUS_OK || rc_pb == NULL) {
        return tx_fail(TX_ERR_MALFORMED, "the hub's reply carries no receipt");
    }
    tx_merkle_leaf_hash(env, len, leaf);
    if (rc_pb->leaf_hash.len != 32 || sodium_memcmp(rc_pb->leaf_hash.data, leaf, 32) != 0) {
        return tx_fail(TX_ERR_CHECKSUM,
                       "the hub's receipt for log index %" PRIu64
                       " names another leaf hash than the record's",
                       rc_pb->index);
    }
    if (rc_pb->checkpoint.len == 0) {
        return tx_fail(TX_ERR_MALFORMED, "the hub's receipt carries no signed checkpoint");
    }
    if ((rc = tx_checkpoint_open(rc_pb->checkpoint.data, rc_pb->checkpoint.len, hub_sign, &cp)) !=
        TX_OK) {
        return rc;
    }
    if (rc_pb->index == 0 || rc_pb->index > cp.size) {
        rc = tx_fail(TX_ERR_CHECKSUM,
                     "the hub's receipt puts the record at log index %" PRIu64
                     ", outside its checkpoint of %" PRIu64 " records",
                     rc_pb->index, cp.size);
    } else if (conn != NULL) {
        if ((rc = tx_log_send_inclusion(conn, rc_pb->index, cp.size, &id)) == TX_OK &&
            (rc = tx_conn_wait(conn, id, &proof)) == TX_OK) {
            rc = tx_log_verify_inclusion(proof, rc_pb->index, cp.size, leaf, cp.root);
        }
    }
    tx_free(proof);
    tx_checkpoint_clear(&cp);
    return rc;
}

int
tx_receipts_keep(tx_client *c, size_t n, const tx_reply_pb *const *per, uint8_t *const *envs,
                 const size_t *lens, tx_checkpoint *newest_out)
{
    tx_home *home = tx_client_home(c);
    const tx_pubkey *hub;
    tx_checkpoint newest = {0};
    char dir[PATH_MAX], path[PATH_MAX];
    uint8_t buf[RECEIPT_MAX];
    int rc;

    memset(newest_out, 0, sizeof *newest_out);
    if (n == 0) {
        return TX_OK;
    }
    if ((rc = tx_client_hub_key(c, &hub)) != TX_OK) {
        return rc;
    }
    if (tx_path_join(dir, sizeof dir, tx_home_dir(home), "receipts") != TX_OK ||
        tx_mkdir_private(dir) != TX_OK) {
        return tx_fail(
            TX_ERR_IO,
            "cannot create the receipts directory in %s: check its permissions and free space",
            tx_home_dir(home));
    }
    for (size_t i = 0; i < n; i++) {
        const tx_receipt_pb *r = per[i]->receipt;
        tx_checkpoint cp = {0};
        uint8_t id[TX_ID_LEN];

        /* tx_receipt_check passed: a leaf of 32 bytes and a checkpoint that opens. */
        if (r == NULL || r->leaf_hash.len != 32 || r->checkpoint.len > RECEIPT_MAX - HEAD) {
            return tx_fail(TX_ERR_MALFORMED,
                           "the hub's receipt cannot be kept: it is malformed or too large");
        }
        if ((rc = tx_checkpoint_open(r->checkpoint.data, r->checkpoint.len, hub->sign, &cp)) !=
            TX_OK) {
            return rc;
        }
        if (cp.size > newest.size) {
            tx_checkpoint_clear(&newest);
            newest = cp;
        } else {
            tx_checkpoint_clear(&cp);
        }
        memcpy(buf, MAGIC, 4);
        for (int k = 0; k < 8; k++) {
            buf[4 + k] = (uint8_t)(r->index >> (56 - 8 * k));
        }
        memcpy(buf + 12, r->leaf_hash.data, 32);
        memcpy(buf + HEAD, r->checkpoint.data, r->checkpoint.len);
        tx_record_id(envs[i], lens[i], id);
        if ((rc = receipt_path(home, id, path, sizeof path)) != TX_OK ||
            (rc = tx_file_replace(path, buf, HEAD + r->checkpoint.len, 0600)) != TX_OK) {
            tx_checkpoint_clear(&newest);
            return tx_fail(rc, "cannot keep the hub's receipt in %s: %s", path, tx_strerror(rc));
        }
    }
    *newest_out = newest;
    return TX_OK;
}

int
tx_receipt_decode(const uint8_t *buf, size_t len, const uint8_t hub_sign[32], uint64_t *index,
                  uint8_t leaf[32], tx_checkpoint *cp)
{
    memset(cp, 0, sizeof *cp);
    *index = 0;
    if (len <= HEAD || len > RECEIPT_MAX || memcmp(buf, MAGIC, 4) != 0) {
        return TX_ERR_MALFORMED;
    }
    for (int k = 0; k < 8; k++) {
        *index = *index << 8 | buf[4 + k];
    }
    if (*index == 0) {
        return TX_ERR_MALFORMED;
    }
    memcpy(leaf, buf + 12, 32);
    return tx_checkpoint_open(buf + HEAD, len - HEAD, hub_sign, cp);
}

/* Reads receipts/<id>. */
static int
receipt_load(tx_home *home, const uint8_t *id, const uint8_t hub_sign[32], receipt *out)
{
    char path[PATH_MAX];
    uint8_t *buf = NULL;
    size_t len;
    int rc;

    memset(out, 0, sizeof *out);
    memcpy(out->id, id, TX_ID_LEN);
    if ((rc = receipt_path(home, id, path, sizeof path)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_file_read(path, RECEIPT_MAX, &buf, &len)) != TX_OK) {
        return rc == TX_ERR_NOT_FOUND ? rc
                                      : tx_fail(rc, "cannot read %s: %s", path, tx_strerror(rc));
    }
    rc = tx_receipt_decode(buf, len, hub_sign, &out->index, out->leaf, &out->cp);
    if (rc == TX_ERR_MALFORMED) {
        rc = tx_fail(TX_ERR_MALFORMED, "%s is damaged: remove it", path);
    } else if (rc != TX_OK) {
        rc = tx_fail(rc,
                     "%s: %s (a receipt of another hub: remove it if this home moved to another "
                     "hub on purpose)",
                     path, tx_fail_msg());
    }
    free(buf);
    return rc;
}

/* Saves a failed receipt's checkpoint, the accepted one and the receipt itself. */
static void
receipt_evidence(tx_home *home, const receipt *r, const tx_checkpoint *accepted, char *where,
                 size_t n)
{
    char from[PATH_MAX], to[PATH_MAX + 128], hex[2 * TX_ID_LEN + 1], cps[PATH_MAX + 80];
    uint8_t *buf = NULL;
    size_t len;
    int w;

    static const char suffix[] = "-{old,new}.checkpoint";
    size_t base;

    tx_checkpoint_save_evidence(home, "", &r->cp, accepted, cps, sizeof cps);
    base = strlen(cps) > sizeof suffix - 1 ? strlen(cps) - (sizeof suffix - 1) : 0;
    tx_hex(hex, r->id, TX_ID_LEN);
    w = snprintf(to, sizeof to, "%.*s-%s.receipt", (int)base, cps, hex);
    if (base == 0 || strcmp(cps + base, suffix) != 0 || w >= (int)sizeof to ||
        receipt_path(home, r->id, from, sizeof from) != TX_OK ||
        tx_file_read(from, RECEIPT_MAX, &buf, &len) != TX_OK ||
        tx_file_create(to, buf, len, 0644) != TX_OK) {
        tx_fail_clear();
        snprintf(where, n, "%s", cps[0] ? cps : "(could not be saved)");
    } else {
        snprintf(where, n, "%s and %s", cps, to);
    }
    free(buf);
}

/* The receipt checkpoint last proven consistent with the accepted one: the receipts of one
 * submit share it, and need one proof. */
typedef struct {
    uint64_t size;
    uint8_t root[32];
} proven_cp;

/* Judges one receipt against the accepted checkpoint a. */
static int
receipt_judge(tx_client *c, tx_conn *conn, const receipt *r, const tx_checkpoint *a,
              proven_cp *last)
{
    tx_reply_pb *rep = NULL;
    char hex[65];
    uint64_t id;
    int rc = TX_OK;

    if (r->index == 0 || r->index > a->size || r->cp.size > a->size) {
        tx_hex(hex, a->root, 32);
        return tx_fail(TX_ERR_CHECKSUM,
                       "its signed log now holds %" PRIu64 " records (root %.16s), fewer than the "
                       "%" PRIu64 " of the receipt's checkpoint",
                       a->size, hex, r->cp.size);
    }
    if (r->cp.size == a->size) {
        if (sodium_memcmp(r->cp.root, a->root, 32) != 0) {
            return tx_fail(TX_ERR_CHECKSUM, "it signed two different logs of %" PRIu64 " records",
                           a->size);
        }
    } else if (!(last->size == r->cp.size && sodium_memcmp(last->root, r->cp.root, 32) == 0)) {
        if ((rc = tx_log_send_consistency(conn, r->cp.size, a->size, &id)) != TX_OK ||
            (rc = tx_conn_wait(conn, id, &rep)) != TX_OK) {
            return tx_client_conn_fail(c, rc);
        }
        rc = tx_log_verify_consistency(rep, r->cp.size, r->cp.root, a->size, a->root);
        tx_free(rep);
        rep = NULL;
        if (rc != TX_OK) {
            return rc == TX_ERR_REFUSED ? TX_ERR_CHECKSUM : rc;
        }
        last->size = r->cp.size;
        memcpy(last->root, r->cp.root, 32);
    }
    if ((rc = tx_log_send_inclusion(conn, r->index, a->size, &id)) != TX_OK ||
        (rc = tx_conn_wait(conn, id, &rep)) != TX_OK) {
        return tx_client_conn_fail(c, rc);
    }
    rc = tx_log_verify_inclusion(rep, r->index, a->size, r->leaf, a->root);
    tx_free(rep);
    return rc == TX_ERR_REFUSED ? TX_ERR_CHECKSUM : rc;
}

int
tx_receipts_check(tx_client *c, tx_conn *conn, const tx_checkpoint *accepted)
{
    tx_home *home = tx_client_home(c);
    const tx_pubkey *hub;
    char dir[PATH_MAX], path[PATH_MAX];
    struct dirent *de;
    proven_cp last = {0};
    DIR *d;
    int rc = TX_OK;

    if (tx_path_join(dir, sizeof dir, tx_home_dir(home), "receipts") != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "home directory path too long");
    }
    if ((d = opendir(dir)) == NULL) {
        return errno == ENOENT ? TX_OK
                               : tx_fail(TX_ERR_IO, "cannot read %s: %s", dir, strerror(errno));
    }
    if ((rc = tx_client_hub_key(c, &hub)) != TX_OK) {
        closedir(d);
        return rc;
    }
    while (rc == TX_OK && (de = readdir(d)) != NULL) {
        uint8_t id[TX_ID_LEN];
        receipt r;

        if (strlen(de->d_name) != 2 * TX_ID_LEN || tx_unhex(id, TX_ID_LEN, de->d_name) != TX_OK) {
            continue; /* ".", "..", temporaries */
        }
        if ((rc = receipt_load(home, id, hub->sign, &r)) == TX_ERR_NOT_FOUND) {
            rc = TX_OK; /* another command proved it meanwhile */
            tx_fail_clear();
            continue;
        }
        if (rc == TX_OK && accepted->hub_size > 0 &&
            (r.index > accepted->size || r.cp.size > accepted->size)) {
            /* Past the newest witnessed checkpoint: not witnessed yet, the receipt stays. */
            tx_checkpoint_clear(&r.cp);
            continue;
        }
        if (rc == TX_OK && (rc = receipt_judge(c, conn, &r, accepted, &last)) == TX_OK) {
            /* Proven in a checkpoint this home accepted: the marker replaces the receipt. */
            if ((rc = tx_home_proof_put(home, id, r.index, accepted->size)) == TX_OK &&
                receipt_path(home, id, path, sizeof path) == TX_OK && unlink(path) != 0 &&
                errno != ENOENT) {
                tx_warn(_("cannot remove %s: %s"), path, strerror(errno));
            }
        } else if (rc == TX_ERR_CHECKSUM) {
            char msg[768], where[2 * PATH_MAX + 300], hex[2 * TX_ID_LEN + 1];

            snprintf(msg, sizeof msg, "%s", tx_fail_msg());
            tx_hex(hex, id, TX_ID_LEN);
            receipt_evidence(home, &r, accepted, where, sizeof where);
            rc = tx_fail(TX_ERR_CHECKSUM,
                         "split view: the hub acknowledged %s %.12s at log index %" PRIu64
                         " (receipt with its signed checkpoint of %" PRIu64
                         " records), but its log does not hold it there: %s; evidence saved as "
                         "%s: do not rely on this hub's answers",
                         kind_of(home, id), hex, r.index, r.cp.size, msg, where);
        }
        tx_checkpoint_clear(&r.cp);
    }
    closedir(d);
    return rc;
}

void
tx_receipts_evidence(tx_home *home, char *where, size_t n)
{
    char dir[PATH_MAX], ev[PATH_MAX], from[PATH_MAX + 80], to[PATH_MAX + 160], stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    struct dirent *de;
    size_t saved = 0;
    DIR *d;

    where[0] = 0;
    if (tx_path_join(dir, sizeof dir, tx_home_dir(home), "receipts") != TX_OK ||
        tx_path_join(ev, sizeof ev, tx_home_dir(home), "evidence") != TX_OK ||
        (d = opendir(dir)) == NULL) {
        return;
    }
    if (tx_mkdir_private(ev) != TX_OK) {
        closedir(d);
        tx_fail_clear();
        return;
    }
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    while ((de = readdir(d)) != NULL) {
        uint8_t *buf = NULL;
        size_t len;

        if (strlen(de->d_name) != 2 * TX_ID_LEN) {
            continue;
        }
        snprintf(from, sizeof from, "%s/%.64s", dir, de->d_name);
        snprintf(to, sizeof to, "%s/%s-%.64s.receipt", ev, stamp, de->d_name);
        if (tx_file_read(from, RECEIPT_MAX, &buf, &len) == TX_OK &&
            tx_file_create(to, buf, len, 0644) != TX_ERR_IO) {
            saved++;
        }
        free(buf);
    }
    closedir(d);
    tx_fail_clear();
    if (saved > 0) {
        snprintf(where, n, "%s/%s-*.receipt", ev, stamp);
    }
}

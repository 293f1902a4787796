/* A checkpoint the hub signed: opened against the pinned hub key, judged against an earlier one
 * (split view, rollback, time going back), and saved as evidence when it fails. Nothing here
 * talks to the hub. */
#include "tx_checkpoint.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_log.h"
#include "tx_merkle.h"
#include "tx_msg.h"
#include "tx_note.h"
#include "tx_util.h"

#include <inttypes.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
tx_checkpoint_clear(tx_checkpoint *cp)
{
    free(cp->env);
    memset(cp, 0, sizeof *cp);
}

int
tx_checkpoint_open(const uint8_t *env, size_t len, const uint8_t hub_sign[32], tx_checkpoint *out)
{
    tx_note_checkpoint cp;
    tx_note note;
    char fp[TX_FP_LEN];
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = tx_note_parse(env, len, &note)) != TX_OK ||
        (rc = tx_note_checkpoint_parse(note.text, note.text_len, &cp)) != TX_OK) {
        return tx_fail(rc,
                       "the hub's checkpoint is not a checkpoint note (%s): check that the "
                       "endpoint is a ticsx hub",
                       tx_strerror(rc));
    }
    /* The hub signs under its checkpoints' origin. */
    rc = tx_note_verify(&note, cp.origin, hub_sign);
    if (rc == TX_ERR_BAD_SIGNATURE) {
        return tx_fail(rc, "the hub's checkpoint signature does not verify: check --hub-key");
    }
    if (rc != TX_OK) {
        tx_fingerprint(hub_sign, fp);
        return tx_fail(TX_ERR_WRONG_KEY,
                       "checkpoint of %s carries no signature by the pinned hub key %s: check the "
                       "hub and --hub-key",
                       cp.origin, fp);
    }
    if ((out->env = malloc(len)) == NULL) {
        return TX_ERR_NOMEM;
    }
    memcpy(out->env, env, len);
    out->len = len;
    out->size = cp.size;
    memcpy(out->root, cp.root, 32);
    out->time = cp.time;
    return TX_OK;
}

void
tx_checkpoint_time(int64_t time, char out[32])
{
    time_t t = (time_t)time;
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(out, 32, "@%" PRId64, time);
    }
}

static void
describe(char *out, size_t n, const tx_checkpoint *cp)
{
    char hex[65], date[32];

    tx_hex(hex, cp->root, 32);
    tx_checkpoint_time(cp->time, date);
    snprintf(out, n, _("size %" PRIu64 " root %s signed %s"), cp->size, hex, date);
}

int
tx_checkpoint_judge(const tx_checkpoint *kept, const tx_checkpoint *next, const uint8_t (*path)[32],
                    size_t n)
{
    char a[160], b[160];

    describe(a, sizeof a, kept);
    describe(b, sizeof b, next);
    if (next->size == kept->size && sodium_memcmp(next->root, kept->root, 32) != 0) {
        return tx_fail(TX_ERR_CHECKSUM,
                       "split view: the hub signed two different logs of %" PRIu64
                       " records: kept %s; now %s",
                       kept->size, a, b);
    }
    if (next->size < kept->size) {
        return tx_fail(TX_ERR_CHECKSUM,
                       "rollback: the hub's log shrank from %" PRIu64 " to %" PRIu64
                       " records: kept %s; now %s",
                       kept->size, next->size, a, b);
    }
    if (next->size > kept->size && kept->size > 0 &&
        tx_merkle_verify_consistency(kept->size, next->size, kept->root, next->root, path, n) !=
            TX_OK) {
        return tx_fail(TX_ERR_CHECKSUM,
                       "split view: the hub's log of %" PRIu64 " records is not an extension of "
                       "the %" PRIu64 " it showed before (the consistency proof fails): kept %s; "
                       "now %s",
                       next->size, kept->size, a, b);
    }
    if (next->time < kept->time) {
        return tx_fail(TX_ERR_CHECKSUM, "the hub's checkpoint time went backwards: kept %s; now %s",
                       a, b);
    }
    return TX_OK;
}

void
tx_checkpoint_save_evidence(tx_home *home, const char *prefix, const tx_checkpoint *old,
                            const tx_checkpoint *next, char *where, size_t n)
{
    char dir[PATH_MAX], base[64], stamp[32], path[PATH_MAX + 96];
    time_t now = time(NULL);
    struct tm tm;
    int rc = TX_ERR_EXISTS;

    where[0] = 0;
    if (tx_path_join(dir, sizeof dir, tx_home_dir(home), "evidence") != TX_OK ||
        tx_mkdir_private(dir) != TX_OK) {
        tx_warn(_("cannot make the evidence directory under %s"), tx_home_dir(home));
        return;
    }
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    for (int k = 1; k < 100 && rc == TX_ERR_EXISTS; k++) {
        if (k == 1) {
            snprintf(base, sizeof base, "%s%s", prefix, stamp);
        } else {
            snprintf(base, sizeof base, "%s%s-%d", prefix, stamp, k);
        }
        snprintf(path, sizeof path, "%s/%s-old.checkpoint", dir, base);
        rc = tx_file_create(path, old->env, old->len, 0644);
    }
    if (rc == TX_OK) {
        snprintf(path, sizeof path, "%s/%s-new.checkpoint", dir, base);
        rc = tx_file_create(path, next->env, next->len, 0644);
    }
    if (rc != TX_OK) {
        tx_warn(_("cannot save the evidence under %s: %s"), dir, tx_strerror(rc));
        return;
    }
    if (snprintf(where, n, "%s/%s-{old,new}.checkpoint", dir, base) >= (int)n) {
        where[0] = 0;
    }
}

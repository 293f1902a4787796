/* Checkpoints, consistency and inclusion on the client: everything the hub says about its log
 * is checked here against the pinned hub key and RFC 9162 proofs. */
#include "tx_log_check.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_log.h"
#include "tx_msg.h"
#include "tx_note.h"
#include "tx_pool.h"
#include "tx_receipts.h"
#include "tx_rpc.h"
#include "tx_util.h"
#include "tx_witness.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define WINDOW 256                 /* proof calls in flight at once */
#define CHECKPOINT_MAX TX_NOTE_MAX /* bytes of a kept checkpoint file */

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
        return tx_fail(rc, "the hub's checkpoint is not a checkpoint note (%s)", tx_strerror(rc));
    }
    /* The hub signs under its checkpoints' origin. */
    rc = tx_note_verify(&note, cp.origin, hub_sign);
    if (rc == TX_ERR_BAD_SIGNATURE) {
        return tx_fail(rc, "the hub's checkpoint signature does not verify");
    }
    if (rc != TX_OK) {
        tx_fingerprint(hub_sign, fp);
        return tx_fail(TX_ERR_WRONG_KEY,
                       "checkpoint of %s carries no signature by the pinned hub key %s", cp.origin,
                       fp);
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

/* ---- calls ---- */

int
tx_log_checkpoint(tx_conn *conn, const uint8_t hub_sign[32], tx_checkpoint *out)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_reply_pb *r = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    call.body_case = TICSX__V1__CALL__BODY_CHECKPOINT;
    call.checkpoint = 1;
    if ((rc = tx_conn_call(conn, &call, &r)) != TX_OK) {
        return rc;
    }
    if (r->status != TX_STATUS_OK) {
        rc = tx_conn_refused(r, "to give its checkpoint");
    } else {
        rc = tx_checkpoint_open(r->checkpoint.data, r->checkpoint.len, hub_sign, out);
    }
    tx_free(r);
    return rc;
}

int
tx_log_witnessed(tx_conn *conn, const uint8_t hub_sign[32], const tx_pubkey *keys, size_t n,
                 unsigned quorum, tx_checkpoint *out)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_witnessed_pb q = TICSX__V1__WITNESSED__INIT;
    ProtobufCBinaryData *bins;
    tx_reply_pb *r = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((bins = calloc(n ? n : 1, sizeof *bins)) == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        bins[i].data = (uint8_t *)keys[i].sign;
        bins[i].len = 32;
    }
    q.witness_keys = bins;
    q.n_witness_keys = n;
    q.quorum = quorum;
    call.body_case = TICSX__V1__CALL__BODY_WITNESSED;
    call.witnessed = &q;
    rc = tx_conn_call(conn, &call, &r);
    free(bins);
    if (rc != TX_OK) {
        return rc;
    }
    if (r->status == TX_STATUS_NOT_FOUND) {
        rc = tx_fail(TX_ERR_NOT_FOUND, "the hub has no checkpoint with the witness quorum: %s",
                     r->message);
    } else if (r->status != TX_STATUS_OK) {
        rc = tx_conn_refused(r, "to give its newest witnessed checkpoint");
    } else {
        rc = tx_checkpoint_open(r->checkpoint.data, r->checkpoint.len, hub_sign, out);
    }
    tx_free(r);
    return rc;
}

int
tx_log_proof_of(const tx_reply_pb *r, uint8_t path[][32], size_t *n)
{
    *n = 0;
    if (r->n_proof > TX_MERKLE_MAX_PATH) {
        return tx_fail(TX_ERR_MALFORMED, "the hub's proof has %zu hashes, more than any tree needs",
                       r->n_proof);
    }
    for (size_t i = 0; i < r->n_proof; i++) {
        if (r->proof[i].len != 32) {
            return tx_fail(TX_ERR_MALFORMED, "the hub's proof holds a hash of %zu bytes",
                           r->proof[i].len);
        }
        memcpy(path[i], r->proof[i].data, 32);
    }
    *n = r->n_proof;
    return TX_OK;
}

int
tx_log_check_inclusion(const tx_reply_pb *r, uint64_t index, uint64_t size, const uint8_t leaf[32],
                       const uint8_t root[32])
{
    uint8_t path[TX_MERKLE_MAX_PATH][32];
    char hex[65];
    size_t n;
    int rc;

    if (r->status != TX_STATUS_OK) {
        return tx_conn_refused(r, "an inclusion proof");
    }
    if ((rc = tx_log_proof_of(r, path, &n)) != TX_OK) {
        return rc;
    }
    if (index == 0 || tx_merkle_verify_inclusion(index - 1, size, leaf, (const uint8_t(*)[32])path,
                                                 n, root) != TX_OK) {
        tx_hex(hex, root, 32);
        return tx_fail(TX_ERR_CHECKSUM,
                       "the record at log index %" PRIu64 " is not in the hub's signed log of "
                       "%" PRIu64 " records (root %.16s): its inclusion proof fails",
                       index, size, hex);
    }
    return TX_OK;
}

int
tx_log_check_consistency(const tx_reply_pb *r, uint64_t old_size, const uint8_t old_root[32],
                         uint64_t new_size, const uint8_t new_root[32])
{
    uint8_t path[TX_MERKLE_MAX_PATH][32];
    char a[65], b[65];
    size_t n;
    int rc;

    if (r->status != TX_STATUS_OK) {
        return tx_conn_refused(r, "a consistency proof");
    }
    if ((rc = tx_log_proof_of(r, path, &n)) != TX_OK) {
        return rc;
    }
    if (tx_merkle_verify_consistency(old_size, new_size, old_root, new_root,
                                     (const uint8_t(*)[32])path, n) != TX_OK) {
        tx_hex(a, old_root, 32);
        tx_hex(b, new_root, 32);
        return tx_fail(TX_ERR_CHECKSUM,
                       "the hub's log of %" PRIu64 " records (root %.16s) is not a prefix of its "
                       "log of %" PRIu64 " records (root %.16s): the consistency proof fails",
                       old_size, a, new_size, b);
    }
    return TX_OK;
}

int
tx_log_send_inclusion(tx_conn *conn, uint64_t index, uint64_t size, uint64_t *id)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_inclusion_proof_pb q = TICSX__V1__INCLUSION_PROOF__INIT;

    q.index = index;
    q.size = size;
    call.body_case = TICSX__V1__CALL__BODY_INCLUSION;
    call.inclusion = &q;
    return tx_conn_send(conn, &call, id);
}

int
tx_log_send_consistency(tx_conn *conn, uint64_t old_size, uint64_t new_size, uint64_t *id)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_consistency_proof_pb q = TICSX__V1__CONSISTENCY_PROOF__INIT;

    q.old_size = old_size;
    q.new_size = new_size;
    call.body_case = TICSX__V1__CALL__BODY_CONSISTENCY;
    call.consistency = &q;
    return tx_conn_send(conn, &call, id);
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
            rc = tx_log_check_inclusion(proof, rc_pb->index, cp.size, leaf, cp.root);
        }
    }
    tx_free(proof);
    tx_checkpoint_clear(&cp);
    return rc;
}

/* ---- judging and keeping ---- */

static void
describe(char *out, size_t n, const tx_checkpoint *cp)
{
    char hex[65], date[32];
    time_t t = (time_t)cp->time;
    struct tm tm;

    tx_hex(hex, cp->root, 32);
    if (gmtime_r(&t, &tm) == NULL || strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(date, sizeof date, "@%" PRId64, cp->time);
    }
    snprintf(out, n, "size %" PRIu64 " root %s signed %s", cp->size, hex, date);
}

int
tx_audit_judge(const tx_checkpoint *kept, const tx_checkpoint *next, const uint8_t (*path)[32],
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

/* Holds the home's lock (the one the sequence counter uses) while the kept checkpoint is
 * compared and replaced, so two commands cannot keep an older one over a newer one. */
static int
lock_home(tx_home *home, int *fd)
{
    char path[PATH_MAX];

    if (tx_path_join(path, sizeof path, tx_home_dir(home), "lock") != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "home directory path too long");
    }
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (*fd < 0) {
        return tx_fail(TX_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    }
    while (flock(*fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            close(*fd);
            *fd = -1;
            return tx_fail(TX_ERR_IO, "cannot lock %s: %s", path, strerror(errno));
        }
    }
    return TX_OK;
}

static int
kept_path(tx_home *home, char *out, size_t n)
{
    if (tx_path_join(out, n, tx_home_dir(home), "checkpoint") != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "home directory path too long");
    }
    return TX_OK;
}

/* The kept checkpoint; TX_ERR_NOT_FOUND when none. */
static int
load_kept(tx_home *home, const uint8_t hub_sign[32], tx_checkpoint *out)
{
    char path[PATH_MAX];
    uint8_t *buf = NULL;
    size_t len;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = kept_path(home, path, sizeof path)) != TX_OK) {
        return rc;
    }
    rc = tx_file_read(path, CHECKPOINT_MAX, &buf, &len);
    if (rc == TX_ERR_NOT_FOUND) {
        return rc;
    }
    if (rc != TX_OK) {
        return tx_fail(rc, "cannot read %s: %s", path, tx_strerror(rc));
    }
    rc = tx_checkpoint_open(buf, len, hub_sign, out);
    free(buf);
    if (rc == TX_ERR_WRONG_KEY) {
        return tx_fail(rc,
                       "%s was signed by another hub than the pinned one (%s); if this home "
                       "moved to another hub on purpose, remove that file",
                       path, tx_fail_msg());
    }
    if (rc != TX_OK) {
        return tx_fail(rc,
                       "%s is damaged (%s); remove it to start over from the hub's next "
                       "checkpoint",
                       path, tx_fail_msg());
    }
    return TX_OK;
}

void
tx_audit_save_evidence(tx_home *home, const char *prefix, const tx_checkpoint *old,
                       const tx_checkpoint *next, char *where, size_t n)
{
    char dir[PATH_MAX], base[64], stamp[32], path[PATH_MAX + 96];
    time_t now = time(NULL);
    struct tm tm;
    int rc = TX_ERR_EXISTS;

    where[0] = 0;
    if (tx_path_join(dir, sizeof dir, tx_home_dir(home), "evidence") != TX_OK ||
        tx_mkdir_private(dir) != TX_OK) {
        tx_warn("cannot make the evidence directory under %s", tx_home_dir(home));
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
        tx_warn("cannot save the evidence under %s: %s", dir, tx_strerror(rc));
        return;
    }
    if (snprintf(where, n, "%s/%s-{old,new}.checkpoint", dir, base) >= (int)n) {
        where[0] = 0;
    }
}

/* Judges `next` against the kept checkpoint (getting the consistency proof it needs) and keeps
 * it when it passes; the caller holds the home lock. */
static int
accept_locked(tx_client *c, tx_conn *conn, const uint8_t hub_sign[32], tx_checkpoint *next,
              int check_receipts, int keep)
{
    uint8_t path[TX_MERKLE_MAX_PATH][32];
    char file[PATH_MAX], where[PATH_MAX + 80], receipts[PATH_MAX + 80];
    tx_checkpoint kept = {0};
    tx_reply_pb *r = NULL;
    size_t n = 0;
    uint64_t id;
    int rc = load_kept(tx_client_home(c), hub_sign, &kept);

    if (rc == TX_ERR_NOT_FOUND) {
        tx_fail_clear();
        rc = TX_OK;
        goto receipts; /* the first checkpoint this home sees is taken on trust */
    }
    if (rc != TX_OK) {
        return rc;
    }
    if (next->size > kept.size && kept.size > 0) {
        if ((rc = tx_log_send_consistency(conn, kept.size, next->size, &id)) != TX_OK ||
            (rc = tx_conn_wait(conn, id, &r)) != TX_OK) {
            rc = tx_client_conn_fail(c, rc);
            goto out;
        }
        if (r->status != TX_STATUS_OK) {
            /* A hub that will not prove its new log extends the old one shows no proof: the
             * check below then fails like a bad proof. */
            tx_warn("hub refused a consistency proof: %s: %s", tx_status_text(r->status),
                    r->message);
        } else if (tx_log_proof_of(r, path, &n) != TX_OK) {
            tx_warn("%s", tx_fail_msg());
            n = 0; /* a malformed proof is judged as no proof */
        }
    }
    if ((rc = tx_audit_judge(&kept, next, (const uint8_t(*)[32])path, n)) != TX_OK) {
        char msg[1024];

        snprintf(msg, sizeof msg, "%s", tx_fail_msg());
        tx_audit_save_evidence(tx_client_home(c), "", &kept, next, where, sizeof where);
        /* The receipts of this home's own records are evidence of what the hub acknowledged. */
        tx_receipts_evidence(tx_client_home(c), receipts, sizeof receipts);
        rc = tx_fail(rc,
                     "%s; both signed checkpoints saved as %s%s%s; the newer one is not "
                     "accepted: do not rely on this hub's answers",
                     msg, where[0] ? where : "(could not be saved)",
                     receipts[0] ? ", this home's receipts as " : "", receipts);
        goto out;
    }
receipts:
    /* Nor is a log accepted that lacks a record the hub acknowledged to this home. */
    if (check_receipts && (rc = tx_receipts_check(c, conn, next)) != TX_OK) {
        goto out;
    }
    if (!keep || (kept.len > 0 && next->size == kept.size && next->time == kept.time)) {
        goto out; /* nothing new to keep, or not witnessed enough to be kept */
    }
    if ((rc = kept_path(tx_client_home(c), file, sizeof file)) == TX_OK &&
        (rc = tx_file_replace(file, next->env, next->len, 0644)) != TX_OK) {
        rc = tx_fail(rc, "cannot write %s: %s", file, tx_strerror(rc));
    }
out:
    tx_free(r);
    tx_checkpoint_clear(&kept);
    return rc;
}

int
tx_audit_accept(tx_client *c, tx_checkpoint *next)
{
    const tx_pubkey *hub;
    tx_witness_policy policy;
    tx_conn *conn;
    int fd = -1;
    int rc, keep = 1;

    if ((rc = tx_client_hub_key(c, &hub)) != TX_OK || (rc = tx_client_conn(c, &conn)) != TX_OK) {
        return rc;
    }
    /* With a quorum, only a witnessed checkpoint is kept: a later witnessed one, possibly
     * older than this one, must still be accepted against it. */
    if ((rc = tx_witness_policy_load(tx_home_dir(tx_client_home(c)), &policy)) == TX_OK) {
        rc = tx_witness_check(&policy, next, NULL);
    }
    tx_witness_policy_free(&policy);
    if (rc == TX_ERR_REFUSED) {
        keep = 0;
        tx_fail_clear();
    } else if (rc != TX_OK) {
        return rc;
    }
    if ((rc = lock_home(tx_client_home(c), &fd)) == TX_OK) {
        rc = accept_locked(c, conn, hub->sign, next, 0, keep);
        close(fd);
    }
    return rc;
}

/* The latest checkpoint `latest` lacks the quorum of `policy` (the message of why is set; so the
 * quorum is above 0): replaces it by the newest checkpoint that has it, its hub_size the
 * latest's size. TX_ERR_REFUSED with that message when the hub has none. */
static int
witnessed_instead(tx_client *c, tx_conn *conn, const uint8_t hub_sign[32],
                  const tx_witness_policy *policy, tx_checkpoint *latest)
{
    tx_checkpoint w = {0};
    char why[1024];
    int rc;

    snprintf(why, sizeof why, "%s", tx_fail_msg());
    if (policy->n == 0 || policy->quorum > policy->n) {
        return tx_fail(TX_ERR_REFUSED, "%s", why);
    }
    rc = tx_log_witnessed(conn, hub_sign, policy->keys, policy->n, policy->quorum, &w);
    if (rc == TX_ERR_UNREACHABLE || rc == TX_ERR_NOT_ENROLLED || rc == TX_ERR_NET) {
        return tx_client_conn_fail(c, rc);
    }
    /* Every cosignature is checked here; one larger than the hub's latest is not its log. */
    if (rc != TX_OK || w.size > latest->size) {
        tx_checkpoint_clear(&w);
        return tx_fail(TX_ERR_REFUSED, "%s", why);
    }
    /* Its own judgement (e.g. cosigned too long ago: the hub may be showing a fork that no
     * witness will cosign) says more than the latest's. */
    if (tx_witness_check(policy, &w, NULL) != TX_OK) {
        snprintf(why, sizeof why, "%s", tx_fail_msg());
        tx_checkpoint_clear(&w);
        return tx_fail(TX_ERR_REFUSED, "%s", why);
    }
    w.hub_size = latest->size;
    tx_checkpoint_clear(latest);
    *latest = w;
    return TX_OK;
}

void
tx_audit_warn_left_out(uint64_t n, uint64_t size)
{
    if (n > 0) {
        tx_warn("%" PRIu64 " record%s newer than the last witnessed checkpoint (size %" PRIu64
                ") %s left out until the witnesses cosign a newer one",
                n, n == 1 ? "" : "s", size, n == 1 ? "is" : "are");
    }
}

int
tx_audit_sync(tx_client *c, tx_checkpoint *out)
{
    const tx_pubkey *hub;
    tx_witness_policy policy;
    tx_checkpoint next = {0};
    tx_conn *conn;
    int fd = -1;
    int rc, witnessed = 0;

    if (out != NULL) {
        memset(out, 0, sizeof *out);
    }
    if ((rc = tx_client_hub_key(c, &hub)) != TX_OK || (rc = tx_client_conn(c, &conn)) != TX_OK) {
        return rc;
    }
    rc = tx_log_checkpoint(conn, hub->sign, &next);
    if (rc == TX_ERR_UNREACHABLE || rc == TX_ERR_NOT_ENROLLED || rc == TX_ERR_NET) {
        return tx_client_conn_fail(c, rc);
    }
    if (rc != TX_OK) {
        return rc;
    }
    /* With a witness quorum set, only a checkpoint that many pinned witnesses cosigned: the
     * latest, or else the newest the hub has with the quorum (records past it wait). */
    if ((rc = tx_witness_policy_load(tx_home_dir(tx_client_home(c)), &policy)) == TX_OK) {
        rc = tx_witness_check(&policy, &next, NULL);
    }
    if (rc == TX_ERR_REFUSED) {
        rc = witnessed_instead(c, conn, hub->sign, &policy, &next);
        witnessed = 1;
    }
    tx_witness_policy_free(&policy);
    if (rc != TX_OK) {
        tx_checkpoint_clear(&next);
        return rc;
    }
    if ((rc = lock_home(tx_client_home(c), &fd)) == TX_OK) {
        rc = accept_locked(c, conn, hub->sign, &next, 1, 1);
        close(fd);
    }
    if (rc == TX_ERR_CHECKSUM && witnessed) {
        char msg[2048];

        snprintf(msg, sizeof msg, "%s", tx_fail_msg());
        rc = tx_fail(rc,
                     "the hub's latest checkpoint lacks the witness quorum, and the newest one "
                     "it has with the quorum fails the check: %s",
                     msg);
    }
    if (rc == TX_OK && out != NULL) {
        *out = next;
        memset(&next, 0, sizeof next);
    }
    tx_checkpoint_clear(&next);
    return rc;
}

/* ---- records ---- */

int
tx_audit_add(tx_audit_set *set, uint64_t index, const uint8_t *env, size_t len)
{
    if (index == 0) {
        return TX_OK;
    }
    if (set->n == set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 64;
        void *a = realloc(set->index, cap * sizeof *set->index);
        if (a == NULL) {
            return TX_ERR_NOMEM;
        }
        set->index = a;
        if ((a = realloc(set->leaf, cap * sizeof *set->leaf)) == NULL) {
            return TX_ERR_NOMEM;
        }
        set->leaf = a;
        if ((a = realloc(set->id, cap * sizeof *set->id)) == NULL) {
            return TX_ERR_NOMEM;
        }
        set->id = a;
        set->cap = cap;
    }
    set->index[set->n] = index;
    tx_record_id(env, len, set->id[set->n]);
    tx_merkle_leaf_hash(env, len, set->leaf[set->n]);
    set->n++;
    return TX_OK;
}

typedef struct {
    tx_audit_set *set;
    size_t from;
    const tx_rec **recs;
} leaf_job;

static void
leaf_one(void *ctx, size_t i)
{
    leaf_job *j = ctx;
    const tx_rec *r = j->recs[i];

    tx_merkle_leaf_hash(r->bytes, r->len, j->set->leaf[j->from + i]);
}

int
tx_audit_add_recs(tx_audit_set *set, const tx_recs *recs)
{
    const tx_rec **take = malloc((recs->n ? recs->n : 1) * sizeof *take);
    size_t n = 0, from = set->n;

    if (take == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < recs->n; i++) {
        if (recs->v[i].index != 0) {
            take[n++] = &recs->v[i];
        }
    }
    if (set->n + n > set->cap) {
        size_t cap = set->cap ? set->cap : 64;
        void *a;
        while (cap < set->n + n) {
            cap *= 2;
        }
        if ((a = realloc(set->index, cap * sizeof *set->index)) == NULL) {
            goto nomem;
        }
        set->index = a;
        if ((a = realloc(set->leaf, cap * sizeof *set->leaf)) == NULL) {
            goto nomem;
        }
        set->leaf = a;
        if ((a = realloc(set->id, cap * sizeof *set->id)) == NULL) {
            goto nomem;
        }
        set->id = a;
        set->cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        set->index[from + i] = take[i]->index;
        memcpy(set->id[from + i], take[i]->id, TX_ID_LEN);
    }
    {
        leaf_job j = {set, from, take};
        tx_pool_for(n, leaf_one, &j);
    }
    set->n += n;
    free(take);
    return TX_OK;
nomem:
    free(take);
    return TX_ERR_NOMEM;
}

void
tx_audit_set_free(tx_audit_set *set)
{
    free(set->index);
    free(set->leaf);
    free(set->id);
    memset(set, 0, sizeof *set);
}

/* Names the record a failed proof was about. */
static int
record_failed(int rc, const tx_audit_set *set, size_t i)
{
    char hex[2 * TX_ID_LEN + 1], msg[768];

    snprintf(msg, sizeof msg, "%s", tx_fail_msg());
    tx_hex(hex, set->id[i], TX_ID_LEN);
    return tx_fail(rc, "record %.12s: %s", hex, msg);
}

static const tx_audit_set *sort_set; /* for by_index: qsort takes no context */

static int
by_index(const void *a, const void *b)
{
    uint64_t x = sort_set->index[*(const size_t *)a], y = sort_set->index[*(const size_t *)b];

    return x < y ? -1 : x > y;
}

int
tx_audit_records(tx_client *c, const tx_audit_set *set, tx_checkpoint *out, uint64_t *left_out)
{
    uint64_t ids[WINDOW], last_out = 0;
    tx_checkpoint cp = {0};
    tx_conn *conn;
    size_t *order = NULL, n = 0, sent = 0, done = 0;
    int rc;

    if (left_out != NULL) {
        *left_out = 0;
    }
    if ((rc = tx_audit_sync(c, &cp)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_client_conn(c, &conn)) != TX_OK) {
        goto out;
    }
    /* One proof per log index; two records at one index are the hub contradicting itself. */
    if ((order = malloc((set->n ? set->n : 1) * sizeof *order)) == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < set->n; i++) {
        order[i] = i;
    }
    sort_set = set;
    qsort(order, set->n, sizeof *order, by_index);
    for (size_t i = 0; i < set->n; i++) {
        size_t k = order[i];
        if (set->index[k] > cp.size && set->index[k] <= cp.hub_size) {
            /* Not witnessed yet: left out, not proven (the caller stores none of these). */
            if (left_out != NULL && set->index[k] != last_out) {
                ++*left_out;
            }
            last_out = set->index[k];
            continue;
        }
        if (set->index[k] > cp.size) {
            rc = tx_fail(TX_ERR_CHECKSUM,
                         "the hub showed a record at log index %" PRIu64
                         " past its signed log of %" PRIu64 " records",
                         set->index[k], cp.size);
            rc = record_failed(rc, set, k);
            goto out;
        }
        if (n > 0 && set->index[order[n - 1]] == set->index[k]) {
            if (memcmp(set->leaf[order[n - 1]], set->leaf[k], 32) != 0) {
                rc = tx_fail(TX_ERR_CHECKSUM,
                             "the hub showed two different records at log index %" PRIu64,
                             set->index[k]);
                rc = record_failed(rc, set, k);
                goto out;
            }
            continue;
        }
        order[n++] = k;
    }
    while (done < n) {
        tx_reply_pb *r = NULL;
        size_t k = order[done];

        while (sent < n && sent - done < WINDOW) {
            if ((rc = tx_log_send_inclusion(conn, set->index[order[sent]], cp.size,
                                            &ids[sent % WINDOW])) != TX_OK) {
                rc = tx_client_conn_fail(c, rc);
                goto out;
            }
            sent++;
        }
        if ((rc = tx_conn_wait(conn, ids[done % WINDOW], &r)) != TX_OK) {
            rc = tx_client_conn_fail(c, rc);
            goto out;
        }
        rc = tx_log_check_inclusion(r, set->index[k], cp.size, set->leaf[k], cp.root);
        tx_free(r);
        if (rc != TX_OK) {
            /* The replies still in flight stay queued on the connection, unread. */
            rc = record_failed(rc, set, k);
            goto out;
        }
        done++;
    }
out:
    free(order);
    if (rc == TX_OK && out != NULL) {
        *out = cp;
        memset(&cp, 0, sizeof cp);
    }
    tx_checkpoint_clear(&cp);
    return rc;
}

/* ---- audit-log ---- */

static int
send_leaves(tx_conn *conn, uint64_t after, uint64_t *id)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_leaf_hashes_pb q = TICSX__V1__LEAF_HASHES__INIT;

    q.after = after;
    call.body_case = TICSX__V1__CALL__BODY_LEAVES;
    call.leaves = &q;
    return tx_conn_send(conn, &call, id);
}

/* Every leaf hash of the tree of cp.size, pages pipelined. Caller owns *leaves. */
static int
fetch_leaves(tx_client *c, tx_conn *conn, uint64_t size, uint8_t (**leaves)[32])
{
    const uint64_t page = 8192; /* the hub's most per answer */
    uint64_t pages = (size + page - 1) / page, sent = 0, done = 0;
    uint64_t ids[64];
    uint8_t(*all)[32];
    int rc = TX_OK;

    *leaves = NULL;
    if ((all = malloc((size ? size : 1) * sizeof *all)) == NULL) {
        return TX_ERR_NOMEM;
    }
    while (done < pages) {
        tx_reply_pb *r = NULL;
        uint64_t first = done * page, want = size - first < page ? size - first : page;

        while (sent < pages && sent - done < 64) {
            if ((rc = send_leaves(conn, sent * page, &ids[sent % 64])) != TX_OK) {
                rc = tx_client_conn_fail(c, rc);
                goto out;
            }
            sent++;
        }
        if ((rc = tx_conn_wait(conn, ids[done % 64], &r)) != TX_OK) {
            rc = tx_client_conn_fail(c, rc);
            goto out;
        }
        if (r->status != TX_STATUS_OK) {
            rc = tx_conn_refused(r, "to give its leaf hashes");
        } else if (r->n_leaves < want) {
            rc = tx_fail(TX_ERR_CHECKSUM,
                         "the hub gave %zu leaf hashes after index %" PRIu64
                         " where its signed log holds %" PRIu64,
                         r->n_leaves, first, want);
        }
        for (uint64_t k = 0; rc == TX_OK && k < want; k++) {
            if (r->leaves[k].len != 32) {
                rc = tx_fail(TX_ERR_MALFORMED, "the hub gave a leaf hash of %zu bytes",
                             r->leaves[k].len);
            } else {
                memcpy(all[first + k], r->leaves[k].data, 32);
            }
        }
        tx_free(r);
        if (rc != TX_OK) {
            goto out;
        }
        done++;
    }
    *leaves = all;
    all = NULL;
out:
    free(all);
    return rc;
}

int
tx_audit_log(tx_client *c, tx_audit_result *res)
{
    static const int kinds[] = {TX_KIND_PROFILE,       TX_KIND_QUESTIONNAIRE, TX_KIND_REQUEST,
                                TX_KIND_ASSESSMENT,    TX_KIND_GRANT,         TX_KIND_GRANT_REVOKE,
                                TX_KIND_ACCREDITATION, TX_KIND_CERTIFICATE,   TX_KIND_CERT_EVENT};
    enum { N_KINDS = sizeof kinds / sizeof kinds[0] };
    tx_recs l[N_KINDS] = {{0}};
    tx_checkpoint cp = {0};
    uint8_t(*leaves)[32] = NULL;
    uint8_t root[32];
    tx_conn *conn;
    int rc;

    memset(res, 0, sizeof *res);
    if ((rc = tx_audit_sync(c, &cp)) != TX_OK || (rc = tx_client_conn(c, &conn)) != TX_OK ||
        (rc = fetch_leaves(c, conn, cp.size, &leaves)) != TX_OK ||
        (rc = tx_rpc_list(c, N_KINDS, kinds, NULL, l)) != TX_OK) {
        goto out;
    }
    res->size = cp.size;
    res->time = cp.time;
    memcpy(res->root, cp.root, 32);
    for (size_t k = 0; k < N_KINDS; k++) {
        for (size_t i = 0; i < l[k].n; i++) {
            const tx_rec *rec = &l[k].v[i];
            uint8_t leaf[32];
            char hex[2 * TX_ID_LEN + 1];

            if (rec->index > cp.size) {
                res->newer++;
                continue;
            }
            tx_merkle_leaf_hash(rec->bytes, rec->len, leaf);
            if (rec->index == 0 || sodium_memcmp(leaf, leaves[rec->index - 1], 32) != 0) {
                if (res->mismatch++ == 0) {
                    tx_hex(hex, rec->id, TX_ID_LEN);
                    snprintf(res->first, sizeof res->first,
                             "%s %.12s at log index %" PRIu64
                             " does not hash to the leaf the hub gave for that index",
                             tx_kind_name(kinds[k]), hex, rec->index);
                }
                continue;
            }
            res->checked++;
        }
    }
    if (cp.hub_size > 0) {
        tx_audit_warn_left_out(res->newer, cp.size);
    }
    tx_merkle_root(tx_merkle_node_from_leaves, leaves, cp.size, root);
    res->root_ok = sodium_memcmp(root, cp.root, 32) == 0;
    if (!res->root_ok) {
        char a[65], b[65];
        tx_hex(a, root, 32);
        tx_hex(b, cp.root, 32);
        if (res->mismatch++ == 0) {
            snprintf(res->first, sizeof res->first,
                     "the %" PRIu64 " leaf hashes rebuild root %.16s, not the signed root %.16s",
                     cp.size, a, b);
        }
    }
out:
    for (size_t k = 0; k < N_KINDS; k++) {
        tx_recs_clear(&l[k]);
    }
    free(leaves);
    tx_checkpoint_clear(&cp);
    return rc;
}

int
tx_audit_print(FILE *f, const tx_audit_result *res, int json)
{
    char hex[65], date[32];
    time_t t = (time_t)res->time;
    struct tm tm;

    tx_hex(hex, res->root, 32);
    if (gmtime_r(&t, &tm) == NULL || strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(date, sizeof date, "@%" PRId64, res->time);
    }
    if (json) {
        json_t *j =
            json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:b,s:o}", "size", (json_int_t)res->size, "root",
                      hex, "time", date, "records_checked", (json_int_t)res->checked,
                      "records_newer", (json_int_t)res->newer, "mismatches",
                      (json_int_t)res->mismatch, "ok", res->mismatch == 0 && res->root_ok,
                      "problem", res->mismatch ? json_string(res->first) : json_null());
        int rc = j != NULL ? json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : -1;
        fputc('\n', f);
        json_decref(j);
        return rc == 0 ? TX_OK : tx_fail(TX_ERR_IO, "cannot write the result");
    }
    fprintf(f, "log size %" PRIu64 "\nroot %s\nsigned %s\n", res->size, hex, date);
    fprintf(f, "records checked %" PRIu64 "%s\n", res->checked,
            res->newer ? " (newer ones are left for the next audit)" : "");
    if (res->mismatch == 0 && res->root_ok) {
        fprintf(f, "ok: every record you may see is in the signed log, and the leaves rebuild "
                   "its root\n");
    }
    return TX_OK;
}

/* Witnesses: pinned witness keys and their quorum, and `ticsx witness` (see tx_witness.h). */
#include "tx_witness.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_log.h"
#include "tx_log_proof.h"
#include "tx_msg.h"
#include "tx_note.h"
#include "tx_pins.h"
#include "tx_util.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int
name_ok(const tx_pubkey *pk)
{
    return tx_note_name_ok(pk->name);
}

/* Pinned witness keys: witnesses/<key id>.pub; a witness key's name is part of its pin. */
static const tx_pins witness_pins = {.dir = "witnesses",
                                     .max = TX_WITNESS_MAX,
                                     .what = N_("witness public key file"),
                                     .key_ok = name_ok,
                                     .by_name = 1};

static int
wpath(const char *home_dir, const char *file, char *out, size_t n)
{
    return tx_pins_path(&witness_pins, home_dir, file, out, n);
}

int
tx_witness_vkey(const tx_pubkey *pk, char *out, size_t n)
{
    return tx_note_vkey(pk->name, TX_NOTE_COSIG_V1, pk->sign, out, n);
}

int
tx_witness_add(const char *home_dir, const char *file, tx_pubkey *out, int *added)
{
    char kid[17];
    tx_pubkey pk;
    int rc;

    *added = 0;
    rc = tx_pins_load(file, &pk);
    if (rc == TX_ERR_NOT_FOUND || rc == TX_ERR_IO) {
        return tx_fail(TX_ERR_USAGE, "cannot read %s: give the witness's witness.pub", file);
    }
    if (rc != TX_OK) {
        return tx_fail(TX_ERR_USAGE,
                       "%s is not a ticsx public key file (%s): give the witness's witness.pub",
                       file, tx_strerror(rc));
    }
    if (!tx_note_name_ok(pk.name)) {
        return tx_fail(TX_ERR_USAGE,
                       "%s names its key \"%s\", which cannot be a witness name (1 to %d "
                       "printable characters, no space or '+'): give the witness's witness.pub",
                       file, pk.name, TX_NOTE_NAME_MAX);
    }
    if (out != NULL) {
        *out = pk;
    }
    if ((rc = tx_pins_add(&witness_pins, home_dir, &pk, file, added)) == TX_ERR_EXISTS) {
        tx_key_id_hex(pk.sign, kid);
        return tx_fail(TX_ERR_EXISTS,
                       "another witness key with key id %s is pinned already: remove it first "
                       "with ticsx trust witness remove %s",
                       kid, kid);
    }
    return rc;
}

int
tx_witness_list(const char *home_dir, tx_pubkey **keys, size_t *n)
{
    return tx_pins_list(&witness_pins, home_dir, keys, n);
}

int
tx_witness_remove(const char *home_dir, const char *which, tx_pubkey *out)
{
    int rc = tx_pins_remove(&witness_pins, home_dir, which, out);

    if (rc == TX_ERR_NOT_FOUND) {
        return tx_fail(TX_ERR_NOT_FOUND,
                       "%s is not a pinned witness: ticsx trust witness list shows them", which);
    }
    return rc;
}

/* A number kept in witnesses/NAME (at most `max`); `def` when the file is absent. */
static int
setting_get(const char *home_dir, const char *name, unsigned long max, unsigned long def,
            const char *how, unsigned long *out)
{
    char path[PATH_MAX];
    uint8_t *buf = NULL;
    size_t len = 0;
    char *end;
    unsigned long v;
    int rc, bad;

    *out = def;
    if ((rc = wpath(home_dir, name, path, sizeof path)) != TX_OK) {
        return rc;
    }
    rc = tx_file_read(path, 16, &buf, &len);
    if (rc == TX_ERR_NOT_FOUND) {
        return TX_OK;
    }
    if (rc != TX_OK) {
        return tx_fail(rc, "cannot read %s: %s", path, tx_strerror(rc));
    }
    /* tx_file_read NUL-terminates the buffer. */
    errno = 0;
    v = strtoul((const char *)buf, &end, 10);
    bad = end == (char *)buf || (*end != 0 && *end != '\n') || errno != 0 || v > max;
    free(buf);
    if (bad) {
        return tx_fail(TX_ERR_MALFORMED, "%s is damaged: set it again with ticsx trust witness %s",
                       path, how);
    }
    *out = v;
    return TX_OK;
}

/* Writes witnesses/NAME = v (0644; the directory 0700). */
static int
setting_set(const char *home_dir, const char *name, unsigned long v)
{
    char dir[PATH_MAX], path[PATH_MAX], text[24];
    int rc;

    if ((rc = wpath(home_dir, NULL, dir, sizeof dir)) != TX_OK ||
        (rc = wpath(home_dir, name, path, sizeof path)) != TX_OK) {
        return rc;
    }
    if (tx_mkdir_private(dir) != TX_OK) {
        return tx_fail(TX_ERR_IO, "cannot create %s: %s", dir, strerror(errno));
    }
    snprintf(text, sizeof text, "%lu\n", v);
    if ((rc = tx_file_replace(path, text, strlen(text), 0644)) != TX_OK) {
        return tx_fail(rc, "cannot write %s: %s", path, strerror(errno));
    }
    return TX_OK;
}

int
tx_witness_quorum(const char *home_dir, unsigned *quorum)
{
    unsigned long v;
    int rc = setting_get(home_dir, "quorum", TX_WITNESS_MAX, 0, "quorum N", &v);

    *quorum = (unsigned)v;
    return rc;
}

int
tx_witness_max_age(const char *home_dir, int64_t *seconds)
{
    unsigned long v;
    int rc = setting_get(home_dir, "max-age", TX_WITNESS_AGE_MAX, TX_WITNESS_AGE_DEFAULT,
                         "max-age SECONDS", &v);

    *seconds = (int64_t)v;
    return rc;
}

int
tx_witness_set_max_age(const char *home_dir, int64_t seconds)
{
    if (seconds < 60 || seconds > TX_WITNESS_AGE_MAX) {
        return tx_fail(TX_ERR_USAGE, "trust witness max-age: SECONDS is 60 to %d",
                       TX_WITNESS_AGE_MAX);
    }
    return setting_set(home_dir, "max-age", (unsigned long)seconds);
}

int
tx_witness_set_quorum(const char *home_dir, unsigned quorum)
{
    tx_pubkey *keys = NULL;
    size_t n = 0;
    int rc;

    if ((rc = tx_witness_list(home_dir, &keys, &n)) != TX_OK) {
        return rc;
    }
    free(keys);
    if (quorum > n) {
        return tx_fail(TX_ERR_USAGE,
                       "a quorum of %u needs %u pinned witnesses; %zu are pinned (ticsx trust "
                       "witness add FILE)",
                       quorum, quorum, n);
    }
    return setting_set(home_dir, "quorum", quorum);
}

int
tx_witness_policy_load(const char *home_dir, tx_witness_policy *p)
{
    int rc;

    memset(p, 0, sizeof *p);
    p->max_age = TX_WITNESS_AGE_DEFAULT;
    if ((rc = tx_witness_quorum(home_dir, &p->quorum)) != TX_OK) {
        return rc;
    }
    if (p->quorum == 0) {
        return TX_OK; /* nothing to judge: the rest is not read */
    }
    if ((rc = tx_witness_max_age(home_dir, &p->max_age)) != TX_OK ||
        (rc = tx_witness_list(home_dir, &p->keys, &p->n)) != TX_OK) {
        tx_witness_policy_free(p);
        return rc;
    }
    return TX_OK;
}

void
tx_witness_policy_free(tx_witness_policy *p)
{
    free(p->keys);
    memset(p, 0, sizeof *p);
}

int
tx_witness_check(const tx_witness_policy *p, const tx_checkpoint *cp, unsigned *had)
{
    tx_note note;
    unsigned count = 0, fresh = 0;
    uint64_t newest = 0;
    int64_t now = tx_now();

    if (had != NULL) {
        *had = 0;
    }
    if (p->quorum == 0) {
        return TX_OK;
    }
    if (tx_note_parse(cp->env, cp->len, &note) == TX_OK) {
        for (size_t i = 0; i < p->n; i++) {
            uint64_t t;

            /* Keys are distinct files; one key counts once, whatever lines it has. Only a
             * recent cosignature counts: a hub showing this home a fork can replay old ones,
             * but no witness cosigns the fork, so its cosignatures age. */
            if (tx_note_cosig_verify(&note, p->keys[i].name, p->keys[i].sign, &t) != TX_OK) {
                continue;
            }
            count++;
            newest = t > newest ? t : newest;
            fresh += (int64_t)t >= now - p->max_age;
        }
    }
    if (had != NULL) {
        *had = fresh;
    }
    if (count >= p->quorum && fresh < p->quorum) {
        char when[32] = "?";
        time_t tt = (time_t)newest;
        struct tm tm;

        if (gmtime_r(&tt, &tm) != NULL) {
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        }
        return tx_fail(TX_ERR_REFUSED,
                       "the hub's checkpoint of %" PRIu64 " records is cosigned by the quorum, "
                       "but only %u of those cosignatures are younger than %" PRId64
                       " seconds (the newest is from %s): the witnesses have not seen this hub's "
                       "log since; a witness may have stopped, or the hub is showing this home "
                       "a fork (ticsx trust witness max-age)",
                       cp->size, fresh, p->max_age, when);
    }
    if (count < p->quorum) {
        return tx_fail(TX_ERR_REFUSED,
                       "the hub's checkpoint of %" PRIu64 " records is cosigned by %u of the "
                       "pinned witnesses; the quorum is %u: not accepted (a witness may not have "
                       "seen it yet; if it refused it, the hub showed a fork)",
                       cp->size, count, p->quorum);
    }
    return TX_OK;
}

/* ---- being a witness ---- */

/* The home's witness key, made (named `name`) when there is none. */
static int
witness_key(tx_home *home, const char *name, int *made, tx_identity **out)
{
    const char *dir = tx_home_dir(home);
    char path[PATH_MAX], kid[17], def[TX_NOTE_NAME_MAX + 1];
    tx_identity *id = NULL;
    int rc;

    *made = 0;
    if (tx_path_join(path, sizeof path, dir, "witness.key") != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "home directory path too long");
    }
    if (access(path, F_OK) == 0) {
        if ((rc = tx_identity_load(dir, "witness", out)) != TX_OK) {
            return tx_fail(rc, "cannot load the witness key %s: %s", path, tx_strerror(rc));
        }
        if (!tx_note_name_ok((*out)->pub.name)) {
            tx_identity_destroy(out);
            return tx_fail(TX_ERR_BAD_KEY,
                           "%s/witness.pub does not name the witness: restore witness.pub from a "
                           "backup of this home",
                           dir);
        }
        if (name != NULL && strcmp(name, (*out)->pub.name) != 0) {
            tx_identity_destroy(out);
            return tx_fail(TX_ERR_USAGE,
                           "this home's witness is named already (see %s/witness.pub); drop "
                           "--name",
                           dir);
        }
        return TX_OK;
    }
    if (name != NULL && !tx_note_name_ok(name)) {
        return tx_fail(TX_ERR_USAGE,
                       "witness name \"%s\": 1 to %d printable characters, no space or '+' "
                       "(e.g. witness.example.org/1)",
                       name, TX_NOTE_NAME_MAX);
    }
    if ((rc = tx_identity_generate("witness", &id)) != TX_OK) {
        return tx_fail(rc, "cannot make a witness key: %s", tx_strerror(rc));
    }
    if (name == NULL) {
        tx_key_id_hex(id->pub.sign, kid);
        snprintf(def, sizeof def, "ticsx-witness/%s", kid);
        name = def;
    }
    snprintf(id->pub.name, sizeof id->pub.name, "%s", name);
    if ((rc = tx_identity_save(id, dir, "witness")) != TX_OK) {
        tx_identity_destroy(&id);
        return tx_fail(rc, "cannot save the witness key in %s: %s", dir, tx_strerror(rc));
    }
    *made = 1;
    *out = id;
    return TX_OK;
}

/* Judges next against the last checkpoint cosigned (kept; size 0 when none). */
static int
judge(tx_client *c, tx_conn *conn, const tx_checkpoint *kept, const tx_checkpoint *next)
{
    uint8_t path[TX_MERKLE_MAX_PATH][32];
    char where[PATH_MAX + 96], msg[1024];
    size_t n = 0;
    int rc;

    if (kept->len == 0) {
        return TX_OK; /* the first checkpoint this witness sees is taken as the start */
    }
    if (next->size > kept->size && kept->size > 0 &&
        (rc = tx_log_consistency_path(conn, kept->size, next->size, path, &n)) != TX_OK) {
        return tx_client_conn_fail(c, rc);
    }
    if ((rc = tx_checkpoint_judge(kept, next, (const uint8_t(*)[32])path, n)) != TX_OK) {
        snprintf(msg, sizeof msg, "%s", tx_fail_msg());
        tx_checkpoint_save_evidence(tx_client_home(c), "witness-", kept, next, where, sizeof where);
        return tx_fail(rc,
                       "witness: not cosigned: %s; both signed checkpoints saved as %s; the hub "
                       "showed a fork of the log this witness cosigned",
                       msg, where[0] ? where : "(could not be saved)");
    }
    return TX_OK;
}

/* The hub's note signature line of a checkpoint note (opened, so it is there) into out. */
static int
hub_line(const tx_note *note, const uint8_t hub_sign[32], char *out, size_t n, size_t *len)
{
    tx_note_checkpoint cp;
    uint8_t hash[4];

    *len = 0;
    if (tx_note_checkpoint_parse(note->text, note->text_len, &cp) != TX_OK) {
        return tx_fail(TX_ERR_MALFORMED, "the hub's checkpoint is not a checkpoint note");
    }
    tx_note_key_hash(cp.origin, TX_NOTE_ED25519, hub_sign, hash);
    for (size_t i = 0; i < note->n_sigs; i++) {
        const tx_note_sig *s = &note->sigs[i];
        if (s->sig_len == 64 && strcmp(s->name, cp.origin) == 0 && memcmp(s->hash, hash, 4) == 0) {
            return tx_note_sig_line(s->name, s->hash, s->sig, s->sig_len, out, n, len);
        }
    }
    return tx_fail(TX_ERR_WRONG_KEY, "the hub's checkpoint carries no signature by its key");
}

int
tx_witness_once(tx_client *c, const char *name, int *made, tx_checkpoint *out)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_cosign_pb cs = TICSX__V1__COSIGN__INIT;
    const tx_pubkey *hub;
    tx_identity *id = NULL;
    tx_checkpoint kept = {0}, next = {0};
    tx_reply_pb *r = NULL;
    tx_conn *conn;
    tx_note note;
    char path[PATH_MAX], line[TX_NOTE_LINE_MAX], hub_sig[TX_NOTE_LINE_MAX];
    uint8_t *buf = NULL, *cosig = NULL;
    size_t len = 0, line_len, hub_len = 0;
    int64_t now;
    int rc;

    if (out != NULL) {
        memset(out, 0, sizeof *out);
    }
    if ((rc = witness_key(tx_client_home(c), name, made, &id)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_client_hub_key(c, &hub)) != TX_OK || (rc = tx_client_conn(c, &conn)) != TX_OK) {
        goto out;
    }
    if ((rc = tx_log_checkpoint(conn, hub->sign, &next)) != TX_OK) {
        if (rc == TX_ERR_UNREACHABLE || rc == TX_ERR_NOT_ENROLLED || rc == TX_ERR_NET) {
            rc = tx_client_conn_fail(c, rc);
        }
        goto out;
    }
    if ((rc = tx_path_join(path, sizeof path, tx_home_dir(tx_client_home(c)),
                           "witness.checkpoint")) != TX_OK) {
        rc = tx_fail(TX_ERR_USAGE, "home directory path too long");
        goto out;
    }
    rc = tx_file_read(path, TX_NOTE_MAX, &buf, &len);
    if (rc == TX_OK) {
        rc = tx_checkpoint_open(buf, len, hub->sign, &kept);
        if (rc != TX_OK) {
            rc = tx_fail(rc,
                         "%s is damaged or of another hub (%s): it is what this witness "
                         "cosigned last; restore it, or remove it to start over",
                         path, tx_fail_msg());
            goto out;
        }
    } else if (rc != TX_ERR_NOT_FOUND) {
        rc = tx_fail(rc, "cannot read %s: %s", path, tx_strerror(rc));
        goto out;
    }
    if ((rc = judge(c, conn, &kept, &next)) != TX_OK) {
        goto out;
    }
    /* Cosign the text only (the hub's signature line and any cosignatures are not signed). */
    if ((rc = tx_note_parse(next.env, next.len, &note)) != TX_OK) {
        goto out;
    }
    now = tx_now();
    if ((rc = tx_note_cosign(note.text, note.text_len, id->pub.name, id->sec->sign,
                             (uint64_t)(now > 0 ? now : 0), line, sizeof line, &line_len)) !=
        TX_OK) {
        rc = tx_fail(rc, "cannot cosign: %s", tx_strerror(rc));
        goto out;
    }
    /* Handed in with the hub's own signature line, so that the hub can serve this checkpoint
     * with its cosignatures after its log has grown (Call.witnessed). */
    if ((rc = hub_line(&note, hub->sign, hub_sig, sizeof hub_sig, &hub_len)) != TX_OK ||
        (cosig = malloc(note.text_len + 1 + hub_len + line_len)) == NULL) {
        rc = rc != TX_OK ? rc : TX_ERR_NOMEM;
        goto out;
    }
    memcpy(cosig, note.text, note.text_len);
    cosig[note.text_len] = '\n';
    memcpy(cosig + note.text_len + 1, hub_sig, hub_len);
    memcpy(cosig + note.text_len + 1 + hub_len, line, line_len);
    cs.note.data = cosig;
    cs.note.len = note.text_len + 1 + hub_len + line_len;
    cs.witness_key.data = id->pub.sign;
    cs.witness_key.len = 32;
    call.body_case = TICSX__V1__CALL__BODY_COSIGN;
    call.cosign = &cs;
    if ((rc = tx_conn_call(conn, &call, &r)) != TX_OK) {
        rc = tx_client_conn_fail(c, rc);
        goto out;
    }
    if (r->status != TX_STATUS_OK) {
        rc = tx_conn_refused(r, "%s", _("the cosignature"));
        goto out;
    }
    /* Keep what was cosigned: the next run must extend it. */
    if ((rc = tx_file_replace(path, next.env, next.len, 0644)) != TX_OK) {
        rc = tx_fail(rc, "cannot write %s: %s", path, tx_strerror(rc));
        goto out;
    }
    if (out != NULL) {
        *out = next;
        memset(&next, 0, sizeof next);
    }
out:
    tx_free(r);
    free(cosig);
    free(buf);
    tx_checkpoint_clear(&kept);
    tx_checkpoint_clear(&next);
    tx_identity_destroy(&id);
    return rc;
}

/* ticsx key rotate: the organisation's key names its successor, and the home moves to it. */
#include "tx_key_rotate.h"

#include "tx_cache_scan.h"
#include "tx_error.h"
#include "tx_home.h"
#include "tx_key_chain.h"
#include "tx_key_proof.h"
#include "tx_log_check.h"
#include "tx_member_admin.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_signer.h"
#include "tx_us_hub.h"
#include "tx_util.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NEXT_DIR "next"
#define RETIRED_DIR "retired"

int
tx_key_org_home(tx_client *c, uint8_t org[TX_KEY_LEN])
{
    tx_recs all = {0};
    tx_signer_info si;
    int is_member, rc = tx_home_org(tx_client_home(c), org, &is_member);

    if (rc != TX_OK || !is_member) {
        return rc;
    }
    if ((rc = tx_people_list(c, &all)) == TX_OK) {
        rc = tx_signer_resolve(&all, tx_client_id(c)->pub.sign, tx_now(), &si) == TX_OK &&
                     si.is_key && si.acts && memcmp(si.org, org, TX_KEY_LEN) == 0
                 ? TX_OK
                 : TX_ERR_NOT_FOUND;
    }
    tx_recs_clear(&all);
    return rc;
}

/* New keys named as `me`, with me's seal key. */
static int
make_next(const tx_identity *me, tx_identity **out)
{
    int rc = tx_identity_generate(me->pub.name, out);

    if (rc != TX_OK) {
        return tx_fail(rc, "cannot generate keys: %s", tx_strerror(rc));
    }
    memcpy((*out)->sec->seal, me->sec->seal, TX_KEY_LEN);
    memcpy((*out)->pub.seal, me->pub.seal, TX_KEY_LEN);
    return TX_OK;
}

/* Signs (with the key in force) and submits the successor record naming `next`. */
static int
submit_successor(tx_client *c, const uint8_t org[TX_KEY_LEN], const tx_identity *next,
                 tx_key_rotated *out)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_key_successor_pb r = TICSX__V1__KEY_SUCCESSOR__INIT;
    uint8_t sig[TX_SIG_LEN];

    r.meta = &meta;
    r.organisation = (ProtobufCBinaryData){TX_KEY_LEN, (uint8_t *)org};
    r.predecessor = (ProtobufCBinaryData){TX_KEY_LEN, (uint8_t *)tx_client_id(c)->pub.sign};
    r.signing_key = (ProtobufCBinaryData){TX_KEY_LEN, (uint8_t *)next->pub.sign};
    r.seal_key = (ProtobufCBinaryData){TX_KEY_LEN, (uint8_t *)next->pub.seal};
    r.transport_key = (ProtobufCBinaryData){TX_KEY_LEN, (uint8_t *)next->pub.curve};
    r.effective = out->effective;
    if (tx_key_proof_sign(next, &r, sig) != TX_OK) {
        return tx_fail(TX_ERR_BAD_KEY, "cannot sign the successor's proof with the new key");
    }
    return tx_sign_submit(c, TX_KIND_KEY_SUCCESSOR, &meta, &r.base, out->record);
}

/* dir/name into out, or a usage error when it does not fit. */
static int
join(char *out, size_t n, const char *dir, const char *name)
{
    return tx_path_join(out, n, dir, name) == TX_OK
               ? TX_OK
               : tx_fail(TX_ERR_USAGE, "the home's path is too long: %s", dir);
}

/* Moves the file `base` of dir/from to dir/to/`as` (rename: same file system). */
static int
move(const char *dir, const char *from, const char *base, const char *to, const char *as)
{
    char src[PATH_MAX], dst[PATH_MAX], a[PATH_MAX], b[PATH_MAX];

    if (join(a, sizeof a, dir, from) != TX_OK || join(src, sizeof src, a, base) != TX_OK ||
        join(b, sizeof b, dir, to) != TX_OK || join(dst, sizeof dst, b, as) != TX_OK) {
        return TX_ERR_USAGE;
    }
    if (rename(src, dst) != 0) {
        return tx_fail(TX_ERR_IO, "cannot move %s to %s", src, dst);
    }
    return TX_OK;
}

/* The home's key files and counter go to retired/, the new key's from next/ take their place,
 * and org-profile.tx (the enrolled profile) makes the home act for the organisation. */
static int
swap_keys(const char *dir, const uint8_t old[TX_KEY_LEN], tx_key_rotated *out)
{
    static const char *const files[] = {"identity.key", "identity.pub", "identity_ed25519.pub"};
    char kid[17], as[64], path[PATH_MAX], prof[PATH_MAX];
    int rc = TX_OK;

    tx_key_id_hex(old, kid);
    for (size_t i = 0; i < 3 && rc == TX_OK; i++) {
        snprintf(as, sizeof as, "identity-%s%s", kid, files[i] + strlen("identity"));
        rc = move(dir, ".", files[i], RETIRED_DIR, as);
    }
    snprintf(as, sizeof as, "seq-%s", kid);
    if (rc == TX_OK && join(path, sizeof path, dir, "seq") == TX_OK && access(path, F_OK) == 0) {
        rc = move(dir, ".", "seq", RETIRED_DIR, as);
    }
    for (size_t i = 0; i < 3 && rc == TX_OK; i++) {
        rc = move(dir, NEXT_DIR, files[i], ".", files[i]);
    }
    if (rc != TX_OK) {
        return rc;
    }
    join(path, sizeof path, dir, TX_HOME_ORG_PROFILE);
    join(prof, sizeof prof, dir, "profile.tx");
    if (access(path, F_OK) != 0 && link(prof, path) != 0) {
        return tx_fail(TX_ERR_IO,
                       "cannot copy %s to %s: the home has the new key but no "
                       "organisation profile; copy it by hand",
                       prof, path);
    }
    snprintf(as, sizeof as, "%s/identity-%s.key", RETIRED_DIR, kid);
    join(out->retired, sizeof out->retired, dir, as);
    return TX_OK;
}

int
tx_key_rotate(tx_client *c, tx_key_rotated *out)
{
    const tx_identity *me = tx_client_id(c);
    const char *dir = tx_home_dir(tx_client_home(c));
    char next_dir[PATH_MAX], retired[PATH_MAX];
    tx_identity *next = NULL;
    int rc = tx_key_org_home(c, out->org);

    if (rc == TX_ERR_NOT_FOUND) {
        return tx_fail(TX_ERR_USAGE, "this is a member's home: a member makes new keys with "
                                     "ticsx keygen --member-of in a new home and is added again "
                                     "(ticsx member add), then the old key is removed");
    }
    out->effective = tx_now();
    memcpy(out->old, me->pub.sign, TX_KEY_LEN);
    if (rc != TX_OK || (rc = join(next_dir, sizeof next_dir, dir, NEXT_DIR)) != TX_OK ||
        (rc = join(retired, sizeof retired, dir, RETIRED_DIR)) != TX_OK) {
        return rc;
    }
    if (access(next_dir, F_OK) == 0) {
        return tx_fail(TX_ERR_EXISTS,
                       "%s exists: an earlier rotation did not finish; see "
                       "README (Keys that change) before removing it",
                       next_dir);
    }
    if ((rc = tx_mkdir_private(retired)) != TX_OK || (rc = make_next(me, &next)) != TX_OK) {
        goto out;
    }
    memcpy(out->next, next->pub.sign, TX_KEY_LEN);
    /* The new key is on disk before the hub hears of it. */
    if ((rc = tx_identity_save(next, next_dir, "identity")) != TX_OK) {
        rc = tx_fail(rc, "cannot write the new key into %s: %s", next_dir, tx_strerror(rc));
        goto out;
    }
    if ((rc = submit_successor(c, out->org, next, out)) != TX_OK ||
        (rc = swap_keys(dir, out->old, out)) != TX_OK) {
        goto out;
    }
    rc = rmdir(next_dir) == 0 ? TX_OK : tx_fail(TX_ERR_IO, "cannot remove %s", next_dir);
out:
    tx_identity_destroy(&next);
    return rc;
}

int
tx_key_predecessor(tx_client *c, uint8_t out[TX_KEY_LEN])
{
    tx_recs all = {0};
    const tx_rec *r = NULL;
    uint8_t org[TX_KEY_LEN];
    int rc = tx_key_org_home(c, org);

    if (rc == TX_OK && (rc = tx_people_list(c, &all)) == TX_OK) {
        r = tx_key_chain_find(&all, org, tx_client_id(c)->pub.sign, 0);
        if (r != NULL) {
            memcpy(out, ((const tx_key_successor_pb *)r->msg)->predecessor.data, TX_KEY_LEN);
        }
    }
    tx_recs_clear(&all);
    if (rc == TX_OK && r == NULL) {
        rc = tx_fail(TX_ERR_NOT_FOUND, "this home's key replaced no other: to report the key in "
                                       "force lost, run ticsx key rotate first, then revoke "
                                       "the old key with --own");
    }
    return rc;
}

int
tx_key_revoke(tx_client *c, tx_key_revoke_args *a, uint8_t id[TX_ID_LEN])
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_key_revocation_pb r = TICSX__V1__KEY_REVOCATION__INIT;
    uint8_t org[TX_KEY_LEN];
    tx_checkpoint kept;
    int rc = tx_key_org_home(c, org);

    if (rc == TX_ERR_NOT_FOUND) {
        return tx_fail(TX_ERR_USAGE, "this is a member's home: keys are reported lost with the "
                                     "organisation key, in the organisation's home");
    }
    if (rc != TX_OK) {
        return rc;
    }
    if (a->from_index == 0 && tx_log_check_kept(c, &kept) == TX_OK) {
        /* Logged after a checkpoint no newer than the loss: possibly the thief's. */
        if (kept.time <= a->from) {
            a->from_index = kept.size + 1;
        }
        tx_checkpoint_clear(&kept);
    }
    r.meta = &meta;
    r.organisation = (ProtobufCBinaryData){TX_KEY_LEN, org};
    r.key = (ProtobufCBinaryData){TX_KEY_LEN, (uint8_t *)a->key};
    r.from = a->from;
    r.from_index = a->from_index;
    r.reason = (char *)a->reason;
    return tx_sign_submit(c, TX_KIND_KEY_REVOCATION, &meta, &r.base, id);
}

int
tx_key_accept_reenrolled(tx_client *c, const char *fp, tx_key_reenrolled_info *out)
{
    tx_recs all = {0};
    int rc = tx_people_list(c, &all), found = 0;

    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < all.n && rc == TX_OK && !found; i++) {
        const tx_key_reenrolment_pb *r = (const tx_key_reenrolment_pb *)all.v[i].msg;
        char kfp[TX_FP_LEN];

        if (all.v[i].kind != TX_KIND_KEY_REENROLMENT) {
            continue;
        }
        tx_fingerprint(r->signing_key.data, kfp);
        if ((found = strcmp(kfp, fp) == 0)) {
            memcpy(out->org, r->organisation.data, TX_KEY_LEN);
            memcpy(out->key, r->signing_key.data, TX_KEY_LEN);
            out->effective = r->effective;
            snprintf(out->corporate_number, sizeof out->corporate_number, "%s",
                     r->corporate_number);
        }
    }
    tx_recs_clear(&all);
    if (rc == TX_OK && !found) {
        rc = tx_fail(TX_ERR_NOT_FOUND,
                     "no re-enrolment by the hub operator names the key %s "
                     "(ticsx history lists them)",
                     fp);
    }
    return rc == TX_OK ? tx_key_accept(tx_client_home(c), out->key) : rc;
}

/* What the scan for a re-enrolment naming this home's key keeps. */
typedef struct {
    const uint8_t *hub;  /* the pinned hub key: the only signer of a re-enrolment */
    const uint8_t *me;   /* this home's signing key */
    tx_key_adopted *out; /* org and corporate_number of the one found */
    int found;
} adopt_scan;

static int
adopt_want(void *ctx, int kind, const uint8_t *signer)
{
    const adopt_scan *s = ctx;

    return kind == TX_KIND_KEY_REENROLMENT && memcmp(signer, s->hub, TX_KEY_LEN) == 0;
}

/* A re-enrolment proven in the hub's log (a proof marker) whose new key is this home's. */
static int
adopt_take(void *ctx, const tx_rec *rec, uint64_t log_index)
{
    adopt_scan *s = ctx;
    const tx_key_reenrolment_pb *e = (const tx_key_reenrolment_pb *)rec->msg;

    if (log_index != 0 && memcmp(e->signing_key.data, s->me, TX_KEY_LEN) == 0) {
        memcpy(s->out->org, e->organisation.data, TX_KEY_LEN);
        snprintf(s->out->corporate_number, sizeof s->out->corporate_number, "%s",
                 e->corporate_number);
        s->found = 1;
    }
    return TX_OK;
}

/* Writes the enrolled organisation's profile (cached, proven) as org-profile.tx when its names
 * equal this home's own profile's. */
static int
adopt_write(tx_home *home, const char *path, tx_key_adopted *out)
{
    const tx_identity *me = tx_home_identity(home);
    char name[TX_NAME_MAX], corp[16];
    tx_orgs orgs = {0};
    const tx_org *o;
    uint8_t *bytes = NULL;
    uint64_t index, size;
    size_t len;
    int rc = tx_orgs_from_cache(home, &orgs);

    tx_orgs_own_profile(home, me, name, sizeof name, corp, sizeof corp);
    if (rc == TX_OK && ((o = tx_orgs_by_key(&orgs, out->org)) == NULL ||
                        tx_home_proof_get(home, o->record, &index, &size) != TX_OK)) {
        rc = tx_fail(TX_ERR_NOT_FOUND,
                     "the hub operator re-enrolled this key for the organisation with "
                     "corporate number %s, but its profile is not cached: run ticsx fetch again",
                     out->corporate_number);
    } else if (rc == TX_OK) {
        snprintf(out->name, sizeof out->name, "%s", o->name);
        if (strcmp(o->corporate_number, corp) != 0 || strcmp(out->corporate_number, corp) != 0 ||
            strcmp(o->name, name) != 0) {
            rc = tx_fail(TX_ERR_FORBIDDEN,
                         "the hub operator re-enrolled this key for %s (corporate number %s), "
                         "but this home's profile names %s (corporate number %s): "
                         "org-profile.tx not written",
                         o->name, o->corporate_number, name, corp[0] ? corp : "-");
        } else if ((rc = tx_home_cache_read(home, o->record, &bytes, &len)) == TX_OK &&
                   (rc = tx_file_replace(path, bytes, len, 0600)) != TX_OK) {
            rc = tx_fail(rc, "cannot write %s", path);
        }
    }
    free(bytes);
    tx_orgs_free(&orgs);
    return rc;
}

int
tx_key_adopt(tx_client *c, tx_key_adopted *out)
{
    tx_home *home = tx_client_home(c);
    const tx_pubkey *hub;
    adopt_scan s = {0};
    int rc;

    memset(out, 0, sizeof *out);
    if (join(out->path, sizeof out->path, tx_home_dir(home), TX_HOME_ORG_PROFILE) != TX_OK) {
        return TX_ERR_USAGE;
    }
    if (access(out->path, F_OK) == 0 || tx_client_hub_key(c, &hub) != TX_OK) {
        tx_fail_clear();
        return TX_OK;
    }
    s.hub = hub->sign;
    s.me = tx_home_identity(home)->pub.sign;
    s.out = out;
    if ((rc = tx_cache_scan(home, adopt_want, adopt_take, &s)) != TX_OK || !s.found) {
        return rc;
    }
    if ((rc = adopt_write(home, out->path, out)) == TX_OK) {
        out->adopted = 1;
    }
    return rc;
}

/* Organisation directory from verified profiles. */
#include "tx_orgs.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_key_chain.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
tx_orgs_add(tx_orgs *orgs, const tx_recs *profiles)
{
    for (size_t i = 0; i < profiles->n; i++) {
        const tx_rec *r = &profiles->v[i];
        const tx_profile_pb *p = (const tx_profile_pb *)r->msg;
        tx_org *o = (tx_org *)tx_orgs_by_key(orgs, tx_rec_signer(r));

        if (p == NULL || r->kind != TX_KIND_PROFILE) {
            continue;
        }
        if (o == NULL) {
            /* Grow in powers of two: n is the only size kept. */
            if ((orgs->n & (orgs->n - 1)) == 0) {
                tx_org *v = realloc(orgs->v, (orgs->n ? orgs->n * 2 : 1) * sizeof *v);
                if (v == NULL) {
                    return TX_ERR_NOMEM;
                }
                orgs->v = v;
            }
            if (tx_idmap_put(&orgs->by_key, tx_rec_signer(r), orgs->n, NULL) == NULL) {
                return TX_ERR_NOMEM;
            }
            o = &orgs->v[orgs->n++];
            memset(o, 0, sizeof *o);
        } else if (o->seq >= p->meta->seq) {
            continue;
        }
        memcpy(o->key, tx_rec_signer(r), TX_KEY_LEN);
        memcpy(o->seal, p->seal_key.data, TX_KEY_LEN);
        snprintf(o->name, sizeof o->name, "%s", p->legal_name);
        snprintf(o->corporate_number, sizeof o->corporate_number, "%s", p->corporate_number);
        tx_fingerprint(o->key, o->fingerprint);
        tx_key_id_hex(o->key, o->key_id);
        o->seq = p->meta->seq;
        memcpy(o->record, r->id, TX_ID_LEN);
    }
    return TX_OK;
}

void
tx_orgs_follow(tx_orgs *orgs, const tx_recs *records, int64_t at, tx_home *home)
{
    for (size_t i = 0; i < orgs->n; i++) {
        const uint8_t *seal = tx_key_chain_seal(records, orgs->v[i].key, at, home);

        if (seal != NULL) {
            memcpy(orgs->v[i].seal, seal, TX_KEY_LEN);
        }
    }
}

int
tx_orgs_from_cache(tx_home *home, tx_orgs *out)
{
    uint8_t(*ids)[TX_ID_LEN] = NULL;
    tx_recs recs = {0}, successors = {0};
    size_t n = 0;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = tx_home_cache_list(home, &ids, &n)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        tx_rec r = {0};
        tx_envelope_pb *e = NULL;
        uint8_t *bytes = NULL;
        size_t len = 0;
        int kind = TX_KIND_NONE;

        /* Only profiles and key successors are wanted: the kind is read before any signature
         * is checked. */
        if (tx_home_cache_read(home, ids[i], &bytes, &len) != TX_OK) {
            continue;
        }
        if (tx_decode_envelope(bytes, len, &e) == TX_OK) {
            kind = tx_kind_from_payload_type(e->payload_type);
        }
        tx_free(e);
        if (kind != TX_KIND_PROFILE && kind != TX_KIND_KEY_SUCCESSOR &&
            kind != TX_KIND_KEY_REENROLMENT) {
            free(bytes);
            continue;
        }
        if (tx_rec_open_known(&r, bytes, len, kind, ids[i]) == TX_OK) {
            rc = tx_recs_push(kind == TX_KIND_PROFILE ? &recs : &successors, &r);
        }
        tx_rec_clear(&r);
    }
    if (rc == TX_OK) {
        rc = tx_orgs_add(out, &recs);
        tx_orgs_follow(out, &successors, tx_now(), home);
    }
    tx_recs_clear(&recs);
    tx_recs_clear(&successors);
    free(ids);
    tx_fail_clear();
    return rc;
}

const tx_org *
tx_orgs_by_key(const tx_orgs *orgs, const uint8_t key[TX_KEY_LEN])
{
    const size_t *at = tx_idmap_get(&orgs->by_key, key);

    return at != NULL ? &orgs->v[*at] : NULL;
}

static int
all_hex(const char *s, size_t n)
{
    if (strlen(s) != n) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

/* Appends "NAME (SHA256:...)" entries for the orgs that `pick` selects into list. */
static size_t
candidates(const tx_orgs *orgs, const char *name, int partial, char *list, size_t n)
{
    size_t count = 0, used = 0;

    list[0] = 0;
    for (size_t i = 0; i < orgs->n; i++) {
        const tx_org *o = &orgs->v[i];
        int hit = partial ? strcasestr(o->name, name) != NULL : strcasecmp(o->name, name) == 0;
        if (!hit) {
            continue;
        }
        if (count < 10 && used < n) {
            /* TRANSLATORS: one organisation in a list of candidates: its name, its
             * fingerprint. */
            int w = snprintf(list + used, n - used, _("%s%s (%s)"), count ? _(", ") : "", o->name,
                             o->fingerprint);
            used += w > 0 ? (size_t)w : 0;
        }
        count++;
    }
    return count;
}

int
tx_orgs_resolve(const tx_orgs *orgs, const char *name, const tx_org **out)
{
    const tx_org *found = NULL;
    char list[900];
    size_t count;

    *out = NULL;
    for (size_t i = 0; i < orgs->n && found == NULL; i++) {
        const tx_org *o = &orgs->v[i];
        char keyhex[2 * TX_KEY_LEN + 1];

        tx_hex(keyhex, o->key, TX_KEY_LEN);
        if (strcmp(o->fingerprint, name) == 0 ||
            (all_hex(name, 16) && strcasecmp(o->key_id, name) == 0) ||
            (all_hex(name, 64) && strcasecmp(keyhex, name) == 0)) {
            found = o;
        }
    }
    if (found != NULL) {
        *out = found;
        return TX_OK;
    }
    count = candidates(orgs, name, 0, list, sizeof list);
    if (count == 1) {
        for (size_t i = 0; i < orgs->n; i++) {
            if (strcasecmp(orgs->v[i].name, name) == 0) {
                *out = &orgs->v[i];
                return TX_OK;
            }
        }
    }
    if (count > 1) {
        return tx_fail(TX_ERR_USAGE,
                       "organisation \"%s\" is ambiguous: %zu enrolled organisations have that "
                       "name: %s; name one by its fingerprint",
                       name, count, list);
    }
    count = candidates(orgs, name, 1, list, sizeof list);
    if (count > 0) {
        return tx_fail(TX_ERR_USAGE, "no enrolled organisation is called \"%s\"; did you mean: %s",
                       name, list);
    }
    count = candidates(orgs, "", 1, list, sizeof list);
    if (count == 0) {
        return tx_fail(TX_ERR_USAGE,
                       "no enrolled organisation is called \"%s\" (the hub lists none)", name);
    }
    return tx_fail(TX_ERR_USAGE, "no enrolled organisation is called \"%s\"; enrolled: %s", name,
                   list);
}

int
tx_orgs_split_to(const tx_orgs *orgs, const char *const *args, size_t n_args, size_t max,
                 const char ***names, size_t *n, char **store)
{
    size_t total = 0, cap = 0, used = 0;
    const char **v;
    char *buf;

    *names = NULL;
    *n = 0;
    *store = NULL;
    for (size_t i = 0; i < n_args; i++) {
        total += strlen(args[i]) + 1;
        cap += 1;
        for (const char *p = args[i]; *p; p++) {
            cap += *p == ',';
        }
    }
    v = calloc(cap + 1, sizeof *v);
    buf = malloc(total + 1);
    if (v == NULL || buf == NULL) {
        free(v);
        free(buf);
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n_args; i++) {
        const tx_org *o;
        char list[8];

        if (strchr(args[i], ',') == NULL || tx_orgs_resolve(orgs, args[i], &o) == TX_OK ||
            candidates(orgs, args[i], 0, list, sizeof list) > 1) {
            v[(*n)++] = args[i]; /* one name, whether or not it resolves */
            continue;
        }
        tx_fail_clear();
        char *copy = buf + used;
        memcpy(copy, args[i], strlen(args[i]) + 1);
        used += strlen(args[i]) + 1;
        for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok != NULL;
             tok = strtok_r(NULL, ",", &save)) {
            size_t len;
            while (*tok == ' ' || *tok == '\t') {
                tok++;
            }
            len = strlen(tok);
            while (len > 0 && (tok[len - 1] == ' ' || tok[len - 1] == '\t')) {
                tok[--len] = 0;
            }
            if (len > 0) {
                v[(*n)++] = tok;
            }
        }
    }
    if (*n > max) {
        free(v);
        free(buf);
        *n = 0;
        return tx_fail(TX_ERR_USAGE, "--to: at most %zu organisations at once", max);
    }
    *names = v;
    *store = buf;
    return TX_OK;
}

void
tx_orgs_free(tx_orgs *orgs)
{
    free(orgs->v);
    orgs->v = NULL;
    orgs->n = 0;
    tx_idmap_free(&orgs->by_key);
}

json_t *
tx_orgs_json(const tx_orgs *orgs, const uint8_t me[TX_KEY_LEN])
{
    json_t *arr = json_array();

    for (size_t i = 0; i < orgs->n; i++) {
        const tx_org *o = &orgs->v[i];
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:o,s:b}", "name", o->name,
                                             "corporate_number", o->corporate_number, "fingerprint",
                                             o->fingerprint, "key_id", o->key_id, "key",
                                             tx_json_hex(o->key, TX_KEY_LEN), "self",
                                             memcmp(o->key, me, TX_KEY_LEN) == 0));
    }
    return arr;
}

/* A profile is a few hundred bytes; more is not one. */
#define OWN_PROFILE_MAX 4096

/* The legal name and corporate number of the profile `file` in the home, if `signer` signed
 * it; name and corp left as they are otherwise. */
static void
profile_in(tx_home *home, const char *file, const uint8_t signer[TX_KEY_LEN], char *name, size_t n,
           char *corp, size_t cn)
{
    char path[PATH_MAX];
    uint8_t *buf = NULL;
    size_t len = 0;
    tx_envelope_pb *env = NULL;
    ProtobufCMessage *msg = NULL;

    if (tx_path_join(path, sizeof path, tx_home_dir(home), file) == TX_OK &&
        tx_file_read(path, OWN_PROFILE_MAX, &buf, &len) == TX_OK &&
        tx_envelope_open_as(buf, len, TX_KIND_PROFILE, &env, &msg) == TX_OK &&
        memcmp(env->signer_key.data, signer, TX_KEY_LEN) == 0) {
        const tx_profile_pb *p = (const tx_profile_pb *)msg;
        snprintf(name, n, "%s", p->legal_name);
        snprintf(corp, cn, "%s", p->corporate_number);
    }
    tx_free(msg);
    tx_free(env);
    free(buf);
}

void
tx_orgs_own_profile(tx_home *home, const tx_identity *me, char *name, size_t n, char *corp,
                    size_t cn)
{
    snprintf(name, n, "%s", me->pub.name);
    corp[0] = 0;
    profile_in(home, "profile.tx", me->pub.sign, name, n, corp, cn);
}

void
tx_orgs_acting_profile(tx_home *home, const tx_identity *me, char *name, size_t n, char *corp,
                       size_t cn)
{
    uint8_t org[TX_KEY_LEN];
    int is_member = 0;

    tx_orgs_own_profile(home, me, name, n, corp, cn);
    if (tx_home_org(home, org, &is_member) == TX_OK && is_member) {
        profile_in(home, TX_HOME_ORG_PROFILE, org, name, n, corp, cn);
    }
    tx_fail_clear();
}

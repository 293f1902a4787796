/* Publishing a questionnaire (when needed) and a request, as one pipelined batch. */
#include "tx_request.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_lookup.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_qref.h"
#include "tx_questionnaire.h"
#include "tx_rpc.h"
#include "tx_seal.h"
#include "tx_sign.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A request's note sealed to its readers; what the Request's note fields point at. */
typedef struct {
    uint8_t nonce[TX_NONCE_LEN];
    uint8_t *ct;                          /* owned */
    uint8_t (*sealed)[TX_SEALED_KEY_LEN]; /* owned: one per supplier, then the signer's */
    ProtobufCBinaryData *keys;            /* owned: points into sealed */
} sealed_note;

static void
sealed_note_free(sealed_note *sn)
{
    free(sn->ct);
    free(sn->sealed);
    free(sn->keys);
    memset(sn, 0, sizeof *sn);
}

/* Seals `note` under a fresh content key (associated data: the questionnaire id) and the key to
 * each supplier's seal key, then to `self` (the signer's), into req. */
static int
seal_note(const char *note, const uint8_t *const *seal_keys, size_t n, const uint8_t self[32],
          tx_request_pb *req, sealed_note *sn)
{
    uint8_t *key = sodium_malloc(TX_CONTENT_KEY_LEN);
    size_t ct_len = 0;
    int rc;

    memset(sn, 0, sizeof *sn);
    sn->sealed = calloc(n + 1, sizeof *sn->sealed);
    sn->keys = calloc(n + 1, sizeof *sn->keys);
    if (key == NULL || sn->sealed == NULL || sn->keys == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    if ((rc = tx_seal_content((const uint8_t *)note, strlen(note), req->questionnaire.data, key,
                              sn->nonce, &sn->ct, &ct_len)) != TX_OK) {
        goto out;
    }
    for (size_t i = 0; i <= n && rc == TX_OK; i++) {
        rc = tx_seal_key(key, i < n ? seal_keys[i] : self, sn->sealed[i]);
        sn->keys[i].data = sn->sealed[i];
        sn->keys[i].len = TX_SEALED_KEY_LEN;
    }
    if (rc == TX_OK) {
        req->note = (char *)"";
        req->note_nonce.data = sn->nonce;
        req->note_nonce.len = TX_NONCE_LEN;
        req->note_sealed.data = sn->ct;
        req->note_sealed.len = ct_len;
        req->note_keys = sn->keys;
        req->n_note_keys = n + 1;
    }
out:
    sodium_free(key);
    return rc;
}

int
tx_request_note(const tx_request_pb *req, const uint8_t *signer, const tx_identity *me, char **note)
{
    uint8_t *key = NULL, *plain = NULL;
    size_t at = req->n_note_keys, len = 0;
    int rc;

    *note = NULL;
    if (req->note_sealed.len == 0) {
        *note = strdup(req->note);
        return *note != NULL ? TX_OK : TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < req->n_suppliers && at == req->n_note_keys; i++) {
        if (memcmp(req->suppliers[i].data, me->pub.sign, TX_KEY_LEN) == 0) {
            at = i;
        }
    }
    if (at == req->n_note_keys && memcmp(signer, me->pub.sign, TX_KEY_LEN) == 0) {
        at = req->n_suppliers;
    }
    if (at >= req->n_note_keys) {
        return tx_fail(TX_ERR_WRONG_KEY, "the request's note is not sealed to this organisation: "
                                         "ask the requester to send it again");
    }
    if ((key = sodium_malloc(TX_CONTENT_KEY_LEN)) == NULL) {
        return TX_ERR_NOMEM;
    }
    rc = tx_open_key(me, req->note_keys[at].data, key);
    if (rc == TX_OK) {
        rc = tx_open_content(req->note_sealed.data, req->note_sealed.len, req->questionnaire.data,
                             key, req->note_nonce.data, &plain, &len);
    }
    sodium_free(key);
    if (rc != TX_OK) {
        return tx_fail(TX_ERR_DECRYPT,
                       "the request's note does not open with this "
                       "organisation's seal key: ask the requester to send it again");
    }
    if (!tx_utf8_valid((const char *)plain, len) || memchr(plain, 0, len) != NULL) {
        free(plain);
        return tx_fail(TX_ERR_MALFORMED,
                       "the request's note is not UTF-8 text: ask the requester to send it again");
    }
    *note = malloc(len + 1);
    if (*note != NULL) {
        memcpy(*note, plain, len);
        (*note)[len] = 0;
    }
    free(plain);
    return *note != NULL ? TX_OK : TX_ERR_NOMEM;
}

int
tx_request_send(tx_client *c, const tx_request_args *args, tx_request_result *out)
{
    const tx_identity *me = tx_client_id(c);
    tx_qref ref = {0};
    tx_recs profiles = {0};
    tx_orgs orgs = {0};
    ProtobufCBinaryData *keys = NULL;
    const uint8_t **seals = NULL;
    sealed_note sn = {0};
    size_t n_keys = 0, n_names = 0;
    const char **names = NULL;
    char *store = NULL;
    tx_request_pb req = TICSX__V1__REQUEST__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    uint8_t *envs[2] = {NULL, NULL};
    size_t lens[2] = {0, 0};
    size_t n_envs = 0;
    uint64_t seq;
    int rc;

    memset(out, 0, sizeof *out);
    if (args->n_to == 0) {
        return tx_fail(TX_ERR_USAGE, "no supplier: name at least one with --to ORG");
    }
    if ((rc = tx_qref_resolve(c, args->questionnaire, &profiles, &ref)) != TX_OK ||
        (rc = tx_orgs_add(&orgs, &profiles)) != TX_OK ||
        (rc = tx_orgs_follow_hub(c, &orgs)) != TX_OK) {
        goto out;
    }
    if ((rc = tx_orgs_split_to(&orgs, args->to, args->n_to, TX_ORGS_MAX_TO, &names, &n_names,
                               &store)) != TX_OK) {
        goto out;
    }
    if (n_names == 0) {
        rc = tx_fail(TX_ERR_USAGE, "no supplier: name at least one with --to ORG");
        goto out;
    }
    keys = calloc(n_names + 1, sizeof *keys);
    seals = calloc(n_names + 1, sizeof *seals);
    if (keys == NULL || seals == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n_names; i++) {
        const tx_org *o;
        int dup = 0;

        if ((rc = tx_orgs_resolve(&orgs, names[i], &o)) != TX_OK) {
            goto out;
        }
        if (memcmp(o->key, me->pub.sign, TX_KEY_LEN) == 0) {
            rc = tx_fail(TX_ERR_USAGE, "%s is this organisation: a request goes to suppliers",
                         names[i]);
            goto out;
        }
        for (size_t k = 0; k < n_keys && !dup; k++) {
            dup = memcmp(keys[k].data, o->key, TX_KEY_LEN) == 0;
        }
        if (!dup) {
            keys[n_keys].data = (uint8_t *)o->key;
            keys[n_keys].len = TX_KEY_LEN;
            seals[n_keys] = o->seal;
            n_keys++;
        }
    }
    /* One number for the questionnaire if it must be published, one for the request. */
    if ((rc = tx_seq_take(tx_home_dir(tx_client_home(c)), ref.published ? 1 : 2, &seq)) != TX_OK) {
        goto out;
    }
    if (ref.published) {
        memcpy(out->questionnaire, ref.record.id, TX_ID_LEN);
    } else {
        rc = tx_questionnaire_sign(ref.q, me, seq++, tx_now(), &envs[0], &lens[0]);
        if (rc != TX_OK) {
            goto out;
        }
        tx_record_id(envs[0], lens[0], out->questionnaire);
        n_envs++;
        out->published = 1;
    }
    meta.seq = seq;
    meta.created = tx_now();
    req.meta = &meta;
    req.questionnaire.data = out->questionnaire;
    req.questionnaire.len = TX_ID_LEN;
    req.suppliers = keys;
    req.n_suppliers = n_keys;
    req.due = args->due;
    req.depth = args->depth ? args->depth : 1;
    /* The note is for those addressed: sealed to each supplier and to this organisation. */
    if (args->note != NULL && args->note[0] != 0 &&
        (rc = seal_note(args->note, seals, n_keys, me->pub.seal, &req, &sn)) != TX_OK) {
        goto out;
    }
    if ((rc = tx_sign_checked(me, TX_KIND_REQUEST, &req.base, NULL, &envs[n_envs],
                              &lens[n_envs])) != TX_OK) {
        goto out;
    }
    tx_record_id(envs[n_envs], lens[n_envs], out->id);
    n_envs++;
    if ((rc = tx_rpc_submit(c, n_envs, envs, lens)) != TX_OK) {
        goto out;
    }
    out->n_suppliers = n_keys;
    for (size_t i = 0; i < n_envs && rc == TX_OK; i++) {
        rc = tx_home_cache_put(tx_client_home(c), envs[i], lens[i], NULL);
    }
    if (rc == TX_OK && ref.published) {
        rc = tx_home_cache_put(tx_client_home(c), ref.record.bytes, ref.record.len, NULL);
    }
out:
    free(envs[0]);
    free(envs[1]);
    free(keys);
    free(seals);
    sealed_note_free(&sn);
    free(names);
    free(store);
    tx_orgs_free(&orgs);
    tx_recs_clear(&profiles);
    tx_qref_clear(&ref);
    return rc;
}

int
tx_request_names(const tx_request_pb *r, const uint8_t *key)
{
    for (size_t i = 0; i < r->n_suppliers; i++) {
        if (memcmp(r->suppliers[i].data, key, TX_KEY_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

int
tx_request_find(tx_client *c, const char *arg, tx_rec *request, tx_recs *profiles)
{
    int kinds[2] = {TX_KIND_REQUEST, TX_KIND_PROFILE};
    tx_recs lists[2] = {{0}};
    size_t len = strlen(arg), hits = 0, at = 0;
    char hex[2 * TX_ID_LEN + 1];
    int rc;

    memset(request, 0, sizeof *request);
    if (!tx_is_id_prefix(arg)) {
        return tx_fail(TX_ERR_USAGE, "request %s: give its id (64 hex digits, or at least 8)", arg);
    }
    if ((rc = tx_rpc_list(c, profiles != NULL ? 2 : 1, kinds, NULL, lists)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < lists[0].n; i++) {
        tx_hex(hex, lists[0].v[i].id, TX_ID_LEN);
        if (strncasecmp(hex, arg, len) == 0) {
            hits++;
            at = i;
        }
    }
    if (hits == 0) {
        rc = tx_fail(TX_ERR_NOT_FOUND,
                     "request %s not found: it does not exist or does not "
                     "name this organisation (ticsx inbox lists yours)",
                     arg);
    } else if (hits > 1) {
        rc =
            tx_fail(TX_ERR_USAGE, "request %s is ambiguous: %zu requests start with it", arg, hits);
    } else {
        *request = lists[0].v[at];
        memset(&lists[0].v[at], 0, sizeof lists[0].v[at]);
        if (profiles != NULL) {
            *profiles = lists[1];
            memset(&lists[1], 0, sizeof lists[1]);
        }
    }
    tx_recs_clear(&lists[0]);
    tx_recs_clear(&lists[1]);
    return rc;
}

/* Publishing a questionnaire (when needed) and a request, as one pipelined batch. */
#include "tx_request.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_qref.h"
#include "tx_questionnaire.h"
#include "tx_rpc.h"
#include "tx_sign.h"
#include "tx_util.h"

#include <stdlib.h>
#include <string.h>

int
tx_request_send(tx_client *c, const tx_request_args *args, tx_request_result *out)
{
    const tx_identity *me = tx_client_id(c);
    tx_qref ref = {0};
    tx_recs profiles = {0};
    tx_orgs orgs = {0};
    ProtobufCBinaryData *keys = NULL;
    size_t n_keys = 0, n_names = 0;
    const char **names = NULL;
    char *store = NULL;
    tx_request_pb req = TICSX__V1__REQUEST__INIT;
    Ticsx__V1__Meta meta = TICSX__V1__META__INIT;
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
        (rc = tx_orgs_add(&orgs, &profiles)) != TX_OK) {
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
    if (keys == NULL) {
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
    req.note = (char *)(args->note != NULL ? args->note : "");
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
    free(names);
    free(store);
    tx_orgs_free(&orgs);
    tx_recs_clear(&profiles);
    tx_qref_clear(&ref);
    return rc;
}

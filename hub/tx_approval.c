/* Two officers for grants to new buyers: the settings record's effect on a grant and the rules
 * of a second officer's approval (tx_approval.h). */
#include "tx_approval.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_keys.h"
#include "tx_log.h"

#include <string.h>

typedef struct {
    const uint8_t *org;
} org_walk;

/* A grant the grantee reads already, of the organisation: it was served, so not new. */
static int
of_org(tx_batch *b, uint64_t index, void *arg)
{
    const org_walk *w = arg;
    uint8_t signer[TX_KEY_LEN];
    int rc = tx_batch_signer_of(b, index, signer);

    if (rc != TX_OK) {
        return rc;
    }
    return tx_batch_same_org(b, signer, w->org) ? TX_OK : TX_ERR_NOT_FOUND;
}

int
tx_approval_pending(tx_batch *b, const uint8_t org[TX_KEY_LEN], const uint8_t grantee[TX_KEY_LEN],
                    int *pending, tx_outcome *res)
{
    org_walk w = {org};
    int on, rc;

    *pending = 0;
    if ((rc = tx_batch_two_officers(b, org, &on)) != TX_OK) {
        return tx_outcome_storage(res, rc);
    }
    if (!on || tx_batch_same_org(b, grantee, org)) {
        return TX_OK;
    }
    rc = tx_batch_walk_readable(b, grantee, TX_KIND_GRANT, of_org, &w);
    if (rc != TX_OK && rc != TX_ERR_NOT_FOUND) {
        return tx_outcome_storage(res, rc);
    }
    *pending = rc == TX_ERR_NOT_FOUND;
    return TX_OK;
}

typedef struct {
    const uint8_t *grant;
} revoke_walk;

/* A revocation (readable by the grantee) of the grant: it was withdrawn before approval. */
static int
revokes(tx_batch *b, uint64_t index, void *arg)
{
    const revoke_walk *w = arg;
    tx_envelope_pb *env = NULL;
    ProtobufCMessage *m = NULL;
    int rc = tx_batch_envelope(b, index, &env);

    if (rc == TX_OK && tx_decode_payload(env, TX_KIND_GRANT_REVOKE, &m) != TX_OK) {
        rc = TX_ERR_STORAGE;
    }
    if (rc == TX_OK) {
        rc = memcmp(((const tx_grant_revoke_pb *)m)->grant.data, w->grant, TX_ID_LEN) == 0
                 ? TX_OK
                 : TX_ERR_NOT_FOUND;
    }
    tx_free(m);
    tx_free(env);
    return rc;
}

/* TX_OK when the grant at `index` (grantee g, id `id`) still waits: not served, not revoked. */
static int
waiting(tx_batch *b, const uint8_t g[TX_KEY_LEN], const uint8_t *id, uint64_t index,
        tx_outcome *res)
{
    revoke_walk w = {id};
    char shortid[13];
    int rc = tx_batch_may_read(b, g, TX_KIND_GRANT, index);

    if (rc == TX_ERR_NOT_FOUND) {
        rc = tx_batch_walk_readable(b, g, TX_KIND_GRANT_REVOKE, revokes, &w);
        if (rc == TX_ERR_NOT_FOUND) {
            return TX_OK;
        }
    }
    if (rc != TX_OK) {
        return tx_outcome_storage(res, rc);
    }
    tx_record_id_short(id, shortid);
    return tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                          "grant %s is not waiting for a second officer (it needed none, was "
                          "approved already or was revoked)",
                          shortid);
}

static int
check_grant(tx_batch *b, const uint8_t signer[TX_KEY_LEN], const tx_grant_approval_pb *a,
            const tx_envelope_pb *genv, const tx_grant_pb *g, uint64_t grant_index,
            uint64_t *assessment_index, tx_outcome *res)
{
    char shortid[13];
    int kind, rc;

    tx_record_id_short(a->grant.data, shortid);
    if (memcmp(g->grantee.data, a->grantee.data, TX_KEY_LEN) != 0) {
        return tx_outcome_set(res, TX_STATUS_BAD_REQUEST, TX_ERR_MALFORMED,
                              "the approval's grantee differs from grant %s's", shortid);
    }
    if (memcmp(genv->signer_key.data, signer, TX_KEY_LEN) == 0) {
        return tx_outcome_set(res, TX_STATUS_FORBIDDEN, TX_ERR_FORBIDDEN,
                              "grant %s was signed with this key: a second officer, an admin or "
                              "the organisation key must approve it, not the one who granted",
                              shortid);
    }
    if ((rc = waiting(b, g->grantee.data, a->grant.data, grant_index, res)) != TX_OK) {
        return rc;
    }
    rc = tx_batch_lookup(b, g->assessment.data, assessment_index, &kind);
    if (rc != TX_OK || kind != TX_KIND_ASSESSMENT) {
        return tx_outcome_storage(res, rc != TX_OK ? rc : TX_ERR_STORAGE);
    }
    return TX_OK;
}

int
tx_approval_check(tx_batch *b, const uint8_t signer[TX_KEY_LEN], const tx_grant_approval_pb *a,
                  uint64_t grant_index, uint64_t *assessment_index, tx_outcome *res)
{
    tx_envelope_pb *genv = NULL;
    ProtobufCMessage *gmsg = NULL;
    int rc;

    if ((rc = tx_batch_envelope(b, grant_index, &genv)) != TX_OK) {
        return tx_outcome_storage(res, rc);
    }
    if (tx_decode_payload(genv, TX_KIND_GRANT, &gmsg) != TX_OK) {
        rc = tx_outcome_storage(res, TX_ERR_STORAGE);
    } else {
        rc = check_grant(b, signer, a, genv, (const tx_grant_pb *)gmsg, grant_index,
                         assessment_index, res);
    }
    tx_free(gmsg);
    tx_free(genv);
    return rc;
}

/* Two officers for grants to new buyers: the setting, the waiting grants, approving and
 * rejecting them (tx_grant_approve.h). */
#include "tx_grant_approve.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_rpc.h"
#include "tx_sign.h"
#include "tx_signer.h"
#include "tx_two_officers.h"
#include "tx_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Takes a sequence number, signs m as `kind` with this home's key and submits it. */
static int
sign_and_send(tx_client *c, int kind, tx_meta_pb *meta, const ProtobufCMessage *m,
              uint8_t id[TX_ID_LEN])
{
    uint8_t *env = NULL;
    size_t len = 0;
    int rc = tx_seq_take(tx_home_dir(tx_client_home(c)), 1, &meta->seq);

    meta->created = tx_now();
    if (rc == TX_OK &&
        (rc = tx_sign_checked(tx_client_id(c), kind, m, tx_kind_name(kind), &env, &len)) == TX_OK) {
        tx_record_id(env, len, id);
        rc = tx_rpc_submit(c, 1, &env, &len);
    }
    free(env);
    return rc;
}

int
tx_two_officers_set(tx_client *c, int on, uint8_t id[TX_ID_LEN])
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_org_settings_pb s = TICSX__V1__ORG_SETTINGS__INIT;
    uint8_t org[TX_KEY_LEN];
    int is_member, rc = tx_home_org(tx_client_home(c), org, &is_member);

    if (rc == TX_OK && is_member) {
        rc = tx_fail(TX_ERR_USAGE, "this is a member's home: the organisation's settings are "
                                   "signed with the organisation key, in the organisation's home");
    }
    if (rc != TX_OK) {
        return rc;
    }
    s.meta = &meta;
    s.organisation = (ProtobufCBinaryData){TX_KEY_LEN, org};
    s.two_officers = on != 0;
    return sign_and_send(c, TX_KIND_ORG_SETTINGS, &meta, &s.base, id);
}

static void
describe(const tx_waiting_list *l, const tx_orgs *orgs, tx_waiting_grant *w)
{
    const tx_grant_pb *g = (const tx_grant_pb *)w->grant->msg;
    const tx_org *o = tx_orgs_by_key(orgs, g->grantee.data);
    tx_signer_info si;

    snprintf(w->grantee, sizeof w->grantee, "%s", o != NULL ? o->name : "");
    tx_fingerprint(g->grantee.data, w->grantee_fp);
    if (tx_signer_resolve(&l->people, tx_rec_signer(w->grant), 0, &si) == TX_OK) {
        snprintf(w->granted_by, sizeof w->granted_by, "%s", si.name);
    }
}

/* True when a revocation withdrew grant g (a rejected grant waits no more). */
static int
revoked(const tx_waiting_list *l, const tx_rec *g)
{
    for (size_t i = 0; i < l->revokes.n; i++) {
        const tx_grant_revoke_pb *v = (const tx_grant_revoke_pb *)l->revokes.v[i].msg;

        if (memcmp(v->grant.data, g->id, TX_ID_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Keeps the grants of this organisation that wait for a second officer. */
static int
find_waiting(tx_waiting_list *l)
{
    tx_two_records r = {&l->settings, &l->approvals, &l->grants, &l->people};
    tx_orgs orgs = {0};
    int rc = tx_orgs_add(&orgs, &l->profiles);

    l->v = calloc(l->grants.n + 1, sizeof *l->v);
    if (l->v == NULL) {
        rc = TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < l->grants.n && rc == TX_OK; i++) {
        const tx_rec *g = &l->grants.v[i];
        tx_signer_info si;
        int mine = memcmp(tx_rec_signer(g), l->org, TX_KEY_LEN) == 0 ||
                   (tx_signer_resolve(&l->people, tx_rec_signer(g), 0, &si) == TX_OK &&
                    memcmp(si.org, l->org, TX_KEY_LEN) == 0);

        if (mine && tx_two_officers_state(&r, g, l->org, NULL) == TX_TWO_WAITING &&
            !revoked(l, g)) {
            l->v[l->n].grant = g;
            describe(l, &orgs, &l->v[l->n++]);
        }
    }
    tx_orgs_free(&orgs);
    return rc;
}

int
tx_two_officers_get(tx_client *c, int *on)
{
    const int kind = TX_KIND_ORG_SETTINGS;
    uint8_t org[TX_KEY_LEN];
    tx_recs l = {0};
    int is_member, rc;

    *on = 0;
    if ((rc = tx_home_org(tx_client_home(c), org, &is_member)) == TX_OK &&
        (rc = tx_rpc_list(c, 1, &kind, NULL, &l)) == TX_OK) {
        *on = tx_two_officers_on(&l, org);
    }
    tx_recs_clear(&l);
    return rc;
}

int
tx_waiting_load(tx_client *c, tx_waiting_list *out)
{
    static const int kinds[7] = {TX_KIND_GRANT,       TX_KIND_GRANT_APPROVAL, TX_KIND_ORG_SETTINGS,
                                 TX_KIND_MEMBER,      TX_KIND_MEMBER_REMOVE,  TX_KIND_PROFILE,
                                 TX_KIND_GRANT_REVOKE};
    tx_recs l[7] = {{0}};
    int is_member, rc;

    memset(out, 0, sizeof *out);
    if ((rc = tx_home_org(tx_client_home(c), out->org, &is_member)) != TX_OK ||
        (rc = tx_rpc_list(c, 7, kinds, NULL, l)) != TX_OK) {
        for (size_t k = 0; k < 7; k++) {
            tx_recs_clear(&l[k]);
        }
        return rc;
    }
    out->grants = l[0];
    out->approvals = l[1];
    out->settings = l[2];
    out->people = l[3];
    for (size_t i = 0; i < l[4].n && rc == TX_OK; i++) {
        rc = tx_recs_push(&out->people, &l[4].v[i]);
    }
    tx_recs_clear(&l[4]);
    out->profiles = l[5];
    out->revokes = l[6];
    out->two_officers = tx_two_officers_on(&out->settings, out->org);
    return rc == TX_OK ? find_waiting(out) : rc;
}

void
tx_waiting_free(tx_waiting_list *l)
{
    tx_recs *all[] = {&l->grants, &l->approvals, &l->settings,
                      &l->people, &l->profiles,  &l->revokes};

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        tx_recs_clear(all[i]);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* The waiting grant whose id starts with `prefix`. */
static int
find(const tx_waiting_list *l, const char *prefix, const tx_waiting_grant **out)
{
    char hex[2 * TX_ID_LEN + 1];
    size_t n = strlen(prefix);

    *out = NULL;
    if (!tx_is_id_prefix(prefix)) {
        return tx_fail(TX_ERR_USAGE,
                       "%s: give a grant id (8 to 64 hex digits; ticsx grants pending lists "
                       "them)",
                       prefix);
    }
    for (size_t i = 0; i < l->n; i++) {
        tx_hex(hex, l->v[i].grant->id, TX_ID_LEN);
        if (strncasecmp(hex, prefix, n) != 0) {
            continue;
        }
        if (*out != NULL) {
            return tx_fail(TX_ERR_USAGE, "%s names more than one grant: give more digits", prefix);
        }
        *out = &l->v[i];
    }
    return *out != NULL ? TX_OK
                        : tx_fail(TX_ERR_NOT_FOUND,
                                  "no grant %s of this organisation waits for a second officer "
                                  "(ticsx grants pending lists them)",
                                  prefix);
}

/* This home's key may decide for the organisation now: its key, or an officer's or admin's. */
static int
may_decide(const tx_waiting_list *l, const uint8_t me[TX_KEY_LEN])
{
    tx_signer_info si;
    char fp[TX_FP_LEN];

    if (memcmp(me, l->org, TX_KEY_LEN) == 0) {
        return TX_OK;
    }
    tx_fingerprint(me, fp);
    if (tx_signer_resolve(&l->people, me, tx_now(), &si) != TX_OK || !si.acts ||
        memcmp(si.org, l->org, TX_KEY_LEN) != 0) {
        return tx_fail(TX_ERR_FORBIDDEN,
                       "%s is not a current member of the organisation: run ticsx fetch, or ask "
                       "the organisation to name it with ticsx member add",
                       fp);
    }
    if (si.role != TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER &&
        si.role != TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN) {
        return tx_fail(TX_ERR_FORBIDDEN,
                       "member %s is a %s: only an officer, an admin or the organisation key "
                       "decides on a grant",
                       si.name, _(tx_signer_role_name(si.role)));
    }
    return TX_OK;
}

/* Loads the list and finds the waiting grant this home's key may decide on. */
static int
decidable(tx_client *c, const char *prefix, tx_waiting_list *l, const tx_waiting_grant **w)
{
    const uint8_t *me = tx_client_id(c)->pub.sign;
    int rc = tx_waiting_load(c, l);

    if (rc == TX_OK) {
        rc = may_decide(l, me);
    }
    if (rc == TX_OK) {
        rc = find(l, prefix, w);
    }
    return rc;
}

int
tx_grant_approve(tx_client *c, const char *prefix, uint8_t id[TX_ID_LEN])
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_grant_approval_pb a = TICSX__V1__GRANT_APPROVAL__INIT;
    tx_waiting_list l = {0};
    const tx_waiting_grant *w = NULL;
    int rc = decidable(c, prefix, &l, &w);

    if (rc == TX_OK &&
        memcmp(tx_rec_signer(w->grant), tx_client_id(c)->pub.sign, TX_KEY_LEN) == 0) {
        rc = tx_fail(TX_ERR_FORBIDDEN, "you signed this grant: another officer, an admin or the "
                                       "organisation key must approve it");
    }
    if (rc == TX_OK) {
        a.meta = &meta;
        a.grant = (ProtobufCBinaryData){TX_ID_LEN, (uint8_t *)w->grant->id};
        a.grantee = ((const tx_grant_pb *)w->grant->msg)->grantee;
        rc = sign_and_send(c, TX_KIND_GRANT_APPROVAL, &meta, &a.base, id);
    }
    tx_waiting_free(&l);
    return rc;
}

int
tx_grant_reject(tx_client *c, const char *prefix, uint8_t id[TX_ID_LEN])
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_grant_revoke_pb v = TICSX__V1__GRANT_REVOKE__INIT;
    tx_waiting_list l = {0};
    const tx_waiting_grant *w = NULL;
    int rc = decidable(c, prefix, &l, &w);

    if (rc == TX_OK) {
        const tx_grant_pb *g = (const tx_grant_pb *)w->grant->msg;

        v.meta = &meta;
        v.grant = (ProtobufCBinaryData){TX_ID_LEN, (uint8_t *)w->grant->id};
        v.assessment = g->assessment;
        v.grantee = g->grantee;
        rc = sign_and_send(c, TX_KIND_GRANT_REVOKE, &meta, &v.base, id);
    }
    tx_waiting_free(&l);
    return rc;
}

json_t *
tx_waiting_json(const tx_waiting_list *l)
{
    json_t *arr = json_array(), *root = json_object();
    char hex[2 * TX_ID_LEN + 1];

    for (size_t i = 0; i < l->n; i++) {
        const tx_waiting_grant *w = &l->v[i];
        const tx_grant_pb *g = (const tx_grant_pb *)w->grant->msg;
        json_t *o = json_object(), *to = json_object();

        tx_hex(hex, w->grant->id, TX_ID_LEN);
        json_object_set_new(o, "grant", json_string(hex));
        tx_hex(hex, g->assessment.data, TX_ID_LEN);
        json_object_set_new(o, "assessment", json_string(hex));
        json_object_set_new(to, "name", json_string(w->grantee));
        json_object_set_new(to, "fingerprint", json_string(w->grantee_fp));
        tx_hex(hex, g->grantee.data, TX_KEY_LEN);
        json_object_set_new(to, "key", json_string(hex));
        json_object_set_new(o, "grantee", to);
        json_object_set_new(o, "granted_by", json_string(w->granted_by));
        json_object_set_new(o, "created", json_integer(g->meta->created));
        json_array_append_new(arr, o);
    }
    json_object_set_new(root, "two_officers", json_boolean(l->two_officers));
    json_object_set_new(root, "waiting", arr);
    return root;
}

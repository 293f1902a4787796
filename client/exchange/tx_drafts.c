/* Drafts: listing, opening with the organisation's seal key, checking, approving. */
#include "tx_drafts.h"

#include "tx_error.h"
#include "tx_home.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_rpc.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
tx_drafts_free(tx_drafts *d)
{
    for (size_t i = 0; i < d->n; i++) {
        tx_rec_clear(&d->v[i].draft);
        tx_rec_clear(&d->v[i].inner);
    }
    free(d->v);
    memset(d, 0, sizeof *d);
}

static int
refuse(tx_draft_item *it, const char *why)
{
    snprintf(it->why, sizeof it->why, "%s", _(why));
    return TX_OK;
}

/* Opens it->draft with the organisation's seal key and checks who prepared it. */
static int
open_one(tx_draft_item *it, const tx_identity *org, const tx_recs *people)
{
    const tx_draft_pb *d = (const tx_draft_pb *)it->draft.msg;
    const tx_assessment_pb *a;
    size_t len;
    uint8_t *plain;
    int role;

    if (tx_signer_resolve(people, tx_rec_signer(&it->draft), d->meta->created, &it->who) != TX_OK ||
        memcmp(it->who.org, org->pub.sign, TX_KEY_LEN) != 0 || !it->who.acts) {
        return refuse(it, N_("not prepared by a current person of this organisation"));
    }
    it->who.record = NULL;
    role = it->who.role;
    if (role != TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_RESPONDER &&
        role != TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER &&
        role != TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN) {
        return refuse(it, N_("prepared by a person who is neither a responder nor an officer"));
    }
    len = d->sealed.len - crypto_box_SEALBYTES; /* the kind's check: longer than that */
    if ((plain = malloc(len)) == NULL) {
        return TX_ERR_NOMEM;
    }
    if (crypto_box_seal_open(plain, d->sealed.data, d->sealed.len, org->pub.seal, org->sec->seal) !=
        0) {
        free(plain);
        return refuse(it, N_("does not open with the organisation's seal key"));
    }
    if (tx_rec_open(&it->inner, plain, len, TX_KIND_INNER_ASSESSMENT) != TX_OK) {
        tx_fail_clear();
        return refuse(it, N_("holds no signed assessment"));
    }
    a = (const tx_assessment_pb *)it->inner.msg;
    if (memcmp(tx_rec_signer(&it->inner), tx_rec_signer(&it->draft), TX_KEY_LEN) != 0) {
        return refuse(it, N_("the assessment inside was signed by another key than the draft"));
    }
    if (a->request.len != TX_ID_LEN || memcmp(a->request.data, d->request.data, TX_ID_LEN) != 0 ||
        memcmp(a->questionnaire.data, d->questionnaire.data, TX_ID_LEN) != 0) {
        return refuse(it, N_("the assessment inside answers another request"));
    }
    it->ok = 1;
    return TX_OK;
}

static int
load_people(tx_client *c, tx_recs *drafts, tx_recs *people)
{
    static const int kinds[3] = {TX_KIND_DRAFT, TX_KIND_MEMBER, TX_KIND_MEMBER_REMOVE};
    tx_recs l[3] = {{0}};
    int rc = tx_rpc_list(c, 3, kinds, NULL, l);

    for (size_t k = 1; k < 3 && rc == TX_OK; k++) {
        for (size_t i = 0; i < l[k].n && rc == TX_OK; i++) {
            rc = tx_recs_push(people, &l[k].v[i]);
        }
    }
    *drafts = l[0];
    tx_recs_clear(&l[1]);
    tx_recs_clear(&l[2]);
    return rc;
}

int
tx_drafts_load(tx_client *c, tx_drafts *out)
{
    tx_recs drafts = {0}, people = {0};
    tx_identity *org = NULL;
    int rc = load_people(c, &drafts, &people);

    memset(out, 0, sizeof *out);
    if (rc == TX_OK && (rc = tx_signer_reader(tx_client_home(c), &people, &org)) == TX_OK &&
        org == NULL) {
        rc = tx_fail(TX_ERR_USAGE, "drafts are read in a person's home (ticsx keygen "
                                   "--member-of): this is the organisation's own home");
    }
    if (rc == TX_OK && drafts.n > 0 && (out->v = calloc(drafts.n, sizeof *out->v)) == NULL) {
        rc = TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < drafts.n && rc == TX_OK; i++) {
        tx_draft_item *it = &out->v[out->n++];

        it->draft = drafts.v[i]; /* taken */
        memset(&drafts.v[i], 0, sizeof drafts.v[i]);
        rc = open_one(it, org, &people);
    }
    tx_identity_destroy(&org);
    tx_recs_clear(&drafts);
    tx_recs_clear(&people);
    return rc;
}

int
tx_drafts_find(const tx_drafts *d, const char *prefix, const tx_draft_item **out)
{
    char hex[2 * TX_ID_LEN + 1];
    size_t n = strlen(prefix);

    *out = NULL;
    if (!tx_is_id_prefix(prefix)) {
        return tx_fail(TX_ERR_USAGE,
                       "%s: give a draft id (8 to 64 hex digits; ticsx drafts "
                       "lists them)",
                       prefix);
    }
    for (size_t i = 0; i < d->n; i++) {
        tx_hex(hex, d->v[i].draft.id, TX_ID_LEN);
        if (strncasecmp(hex, prefix, n) != 0) {
            continue;
        }
        if (*out != NULL) {
            return tx_fail(TX_ERR_USAGE, "%s names more than one draft: give more digits", prefix);
        }
        *out = &d->v[i];
    }
    return *out != NULL ? TX_OK
                        : tx_fail(TX_ERR_NOT_FOUND,
                                  "no draft %s of this organisation on the hub (ticsx drafts "
                                  "lists them)",
                                  prefix);
}

json_t *
tx_drafts_json(const tx_drafts *d)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < d->n; i++) {
        const tx_draft_item *it = &d->v[i];
        const tx_draft_pb *p = (const tx_draft_pb *)it->draft.msg;
        const tx_assessment_pb *a = it->ok ? (const tx_assessment_pb *)it->inner.msg : NULL;

        json_array_append_new(
            arr, json_pack("{s:o,s:o,s:o,s:{s:s,s:s},s:o,s:o,s:b,s:o}", "draft",
                           tx_json_hex(it->draft.id, TX_ID_LEN), "request",
                           tx_json_hex(p->request.data, TX_ID_LEN), "questionnaire",
                           tx_json_hex(p->questionnaire.data, TX_ID_LEN), "prepared_by", "name",
                           it->who.name, "role", tx_signer_role_name(it->who.role), "created",
                           tx_json_date(p->meta->created), "answered",
                           a ? json_integer((json_int_t)a->n_answers) : json_null(), "ok", it->ok,
                           "problem", it->ok ? json_null() : json_string(it->why)));
    }
    return json_pack("{s:o}", "drafts", arr);
}

/* This home's person may approve: an officer or admin of its organisation now. */
static int
may_approve(tx_client *c)
{
    static const int kinds[2] = {TX_KIND_MEMBER, TX_KIND_MEMBER_REMOVE};
    tx_recs l[2] = {{0}}, all = {0};
    tx_signer_info si;
    int rc = tx_rpc_list(c, 2, kinds, NULL, l), ok = 0;

    for (size_t k = 0; k < 2 && rc == TX_OK; k++) {
        for (size_t i = 0; i < l[k].n && rc == TX_OK; i++) {
            rc = tx_recs_push(&all, &l[k].v[i]);
        }
    }
    if (rc == TX_OK && tx_signer_resolve(&all, tx_client_id(c)->pub.sign, tx_now(), &si) == TX_OK) {
        ok = si.acts && (si.role == TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER ||
                         si.role == TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN);
    }
    tx_recs_clear(&l[0]);
    tx_recs_clear(&l[1]);
    tx_recs_clear(&all);
    if (rc == TX_OK && !ok) {
        rc = tx_fail(TX_ERR_FORBIDDEN, "only an officer or an admin of the organisation approves "
                                       "a draft; this person is not one");
    }
    return rc;
}

int
tx_drafts_approve(tx_client *c, const char *prefix, tx_answer_result *out)
{
    tx_drafts d = {0};
    const tx_draft_item *it = NULL;
    tx_answer_args args = {0};
    char req[2 * TX_ID_LEN + 1], name[32];
    int rc = may_approve(c);

    memset(out, 0, sizeof *out);
    if (rc == TX_OK && (rc = tx_drafts_load(c, &d)) == TX_OK &&
        (rc = tx_drafts_find(&d, prefix, &it)) == TX_OK && !it->ok) {
        rc = tx_fail(TX_ERR_REFUSED, "draft %.12s is refused: %s", prefix, it->why);
    }
    if (rc == TX_OK) {
        const tx_draft_pb *p = (const tx_draft_pb *)it->draft.msg;

        tx_hex(req, p->request.data, TX_ID_LEN);
        snprintf(name, sizeof name, "draft %.12s", prefix);
        args.request = req;
        args.file = name;
        args.certificate = "none";
        args.prepared = (const tx_assessment_pb *)it->inner.msg;
        args.draft = it->draft.id;
        if (args.prepared->certificate.len == TX_ID_LEN) {
            args.certificate = NULL; /* this organisation's newest, as the responder had */
        }
        rc = tx_answer_submit(c, &args, out);
    }
    tx_drafts_free(&d);
    return rc;
}

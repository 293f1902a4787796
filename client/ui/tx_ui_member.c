/* The UI in a member's home (ticsx keygen --member-of): who acts (the organisation, and the
 * person with its role as its organisation's member records on the hub say now), what that role
 * may do (checked by the dispatcher before a handler runs: 403 otherwise), and the approvals: the
 * organisation's drafts (kind 15, tx_drafts) its responders prepared, listed, opened, approved
 * or rejected by an officer. Not the page's local drafts (tx_ui_drafts.c): those are forms kept
 * in this home and never leave it. */
#include "tx_ui_app.h"
#include "tx_ui_drafts.h"
#include "tx_ui_http.h"

#include "tx_drafts.h"
#include "tx_error.h"
#include "tx_home.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_plan.h"
#include "tx_report_items.h"
#include "tx_us_hub.h"
#include "tx_util.h"

#include <string.h>

#define NOTE_MAX 500 /* bytes of a rejection's note (a draft's opened note holds 511) */

/* This home's person as its organisation's member records on the hub say now (tx_person_of):
 * w->role 0 when no record of the organisation names it. */
static int
person(tx_ui_app *app, tx_ui_who *w)
{
    tx_signer_info si;
    int found, rc;

    if ((rc = tx_ui_need_hub(app, _("a member's home (the person's role is on the hub)"))) !=
            TX_OK ||
        (rc = tx_person_of(app->client, tx_client_id(app->client)->pub.sign, tx_now(), &si,
                           &found)) != TX_OK) {
        return rc;
    }
    if (found && memcmp(si.org, w->org, TX_KEY_LEN) == 0) {
        snprintf(w->person, sizeof w->person, "%s", si.name);
        w->role = si.role;
        w->acts = si.acts;
    }
    return TX_OK;
}

int
tx_ui_who_get(tx_ui_app *app, tx_ui_who *w)
{
    tx_home *home = tx_client_home(app->client);
    const tx_identity *id = tx_client_id(app->client);
    tx_orgs orgs = {0};
    const tx_org *o;
    int rc;

    memset(w, 0, sizeof *w);
    if ((rc = tx_home_org(home, w->org, &w->is_member)) != TX_OK) {
        return rc;
    }
    if (!w->is_member) {
        tx_orgs_own_profile(home, id, w->org_name, sizeof w->org_name, w->corp, sizeof w->corp);
        return TX_OK;
    }
    /* The organisation's name from its profile in the cache (fetched); its fingerprint else. */
    tx_fingerprint(w->org, w->org_name);
    if (tx_orgs_from_cache(home, &orgs) == TX_OK && (o = tx_orgs_by_key(&orgs, w->org)) != NULL) {
        snprintf(w->org_name, sizeof w->org_name, "%s", o->name);
        snprintf(w->corp, sizeof w->corp, "%s", o->corporate_number);
    }
    tx_orgs_free(&orgs);
    tx_fail_clear();
    snprintf(w->person, sizeof w->person, "%s", id->pub.name);
    return person(app, w);
}

/* What the role may do: answer (an officer sends, a responder prepares a draft for approval),
 * sign for the organisation (requests, grants, revocations, forwarding, plans, approvals). */
static int
may_answer(const tx_ui_who *w)
{
    return !w->is_member || (w->acts && (w->role == TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_RESPONDER ||
                                         tx_us_role_signs(w->role)));
}

static int
may_sign(const tx_ui_who *w)
{
    return !w->is_member || (w->acts && tx_us_role_signs(w->role));
}

json_t *
tx_ui_who_json(const tx_ui_who *w)
{
    json_t *member = json_null();

    if (w->is_member) {
        member = json_pack("{s:s,s:o,s:b}", "name", w->person, "role",
                           w->role ? json_string(tx_signer_role_name(w->role)) : json_null(),
                           "acts", w->acts);
    }
    return json_pack("{s:o,s:{s:b,s:b,s:b,s:b}}", "member", member, "may", "answer", may_answer(w),
                     "sign", may_sign(w), "approvals", w->is_member, "drafts_only",
                     w->is_member && w->role == TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_RESPONDER);
}

int
tx_ui_may(tx_ui_app *app, unsigned flags)
{
    tx_ui_who w;
    int rc = tx_ui_who_get(app, &w);

    if (rc != TX_OK) {
        return rc;
    }
    if ((flags & TX_UI_ANSWERS) && !may_answer(&w)) {
        return tx_fail(TX_ERR_FORBIDDEN,
                       "%s (%s) may not answer for the organisation: a viewer reads what is "
                       "shared with it and answers nothing; ask a responder or an officer",
                       w.person,
                       w.acts ? _(tx_signer_role_name(w.role)) : _("not a current member"));
    }
    if ((flags & TX_UI_SIGNS) && !may_sign(&w)) {
        return tx_fail(TX_ERR_FORBIDDEN,
                       "%s (%s) may not sign for the organisation: only an officer or an admin "
                       "sends requests, shares assessments, marks plans done and approves answers",
                       w.person,
                       w.acts ? _(tx_signer_role_name(w.role)) : _("not a current member"));
    }
    return TX_OK;
}

/* ---- approvals: the organisation's drafts ---- */

/* The questionnaire's title as the page shows it ({"ja","en"} or the id), NULL when unknown. */
static json_t *
q_title(tx_ui_app *app, const char *qhex, tx_questionnaire_pb **keep)
{
    tx_questionnaire_pb *q = NULL;
    json_t *meta = NULL, *title = NULL;

    if (tx_ui_questionnaire(app, qhex, &q, &meta) == TX_OK) {
        title = json_incref(json_object_get(meta, "title"));
    }
    tx_fail_clear();
    json_decref(meta);
    if (keep != NULL) {
        *keep = q;
    } else {
        tx_free(q);
    }
    return title != NULL ? title : json_null();
}

static int
approvals_get(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    tx_drafts d = {0};
    tx_ui_who w;
    json_t *arr;
    size_t i;
    json_t *o;
    int rc;

    (void)rq;
    if ((rc = tx_ui_need_hub(app, _("the approvals"))) != TX_OK ||
        (rc = tx_ui_who_get(app, &w)) != TX_OK || (rc = tx_drafts_load(app->client, &d)) != TX_OK) {
        tx_drafts_free(&d);
        return rc;
    }
    rs->json = tx_drafts_json(&d);
    arr = json_object_get(rs->json, "drafts");
    json_array_foreach(arr, i, o)
    {
        const char *qhex = json_string_value(json_object_get(o, "questionnaire"));
        json_object_set_new(o, "questionnaire_title",
                            qhex ? q_title(app, qhex, NULL) : json_null());
    }
    json_object_set_new(rs->json, "may_decide", json_boolean(may_sign(&w)));
    tx_drafts_free(&d);
    return TX_OK;
}

/* The draft's sub-suppliers: [{"name", "supplies", "key"}] (key null when not enrolled). */
static json_t *
subs_json(const tx_assessment_pb *a)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < a->n_suppliers; i++) {
        const tx_sub_supplier_pb *s = a->suppliers[i];
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:o}", "name", s->name, "supplies", s->supplies,
                           s->key.len == TX_KEY_LEN ? tx_json_hex(s->key.data, TX_KEY_LEN)
                                                    : json_null()));
    }
    return arr;
}

/* GET /api/approvals/ID: the list's entry with the answers (per item of the questionnaire, its
 * texts), the sub-suppliers, the plans and the dates. */
static int
approval_get(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    char hex[2 * TX_ID_LEN + 1];
    const tx_draft_item *it;
    const tx_assessment_pb *a;
    tx_questionnaire_pb *q = NULL;
    tx_drafts d = {0}, all;
    tx_ui_who w;
    json_t *one, *list, *title;
    int rc;

    if ((rc = tx_ui_need_hub(app, _("the approvals"))) != TX_OK ||
        (rc = tx_ui_who_get(app, &w)) != TX_OK || (rc = tx_drafts_load(app->client, &d)) != TX_OK ||
        (rc = tx_drafts_find(&d, rq->rest, &it)) != TX_OK) {
        tx_drafts_free(&d);
        return rc;
    }
    /* The list's entry of this draft, in the same words. */
    all = d;
    all.v = (tx_draft_item *)it;
    all.n = 1;
    list = tx_drafts_json(&all);
    one = json_incref(json_array_get(json_object_get(list, "drafts"), 0));
    json_decref(list);
    if (one == NULL) {
        tx_drafts_free(&d);
        return TX_ERR_NOMEM;
    }
    rs->json = one;
    if (it->ok) {
        a = (const tx_assessment_pb *)it->inner.msg;
        tx_hex(hex, a->questionnaire.data, TX_ID_LEN);
        title = q_title(app, hex, &q);
        json_object_set_new(one, "questionnaire_title", title);
        json_object_set_new(one, "items",
                            q != NULL ? tx_report_items_json(q, a->answers, a->n_answers)
                                      : json_null());
        json_object_set_new(one, "suppliers", subs_json(a));
        json_object_set_new(one, "plans", tx_plan_json(a, tx_now(), TX_PLAN_DAYS_DEFAULT));
        json_object_set_new(one, "as_of", tx_json_date(a->as_of));
        json_object_set_new(one, "valid_until", tx_json_date(a->valid_until));
    }
    json_object_set_new(one, "assessment",
                        it->state == TX_DRAFT_APPROVED ? tx_json_hex(it->assessment, TX_ID_LEN)
                                                       : json_null());
    json_object_set_new(one, "may_decide", json_boolean(may_sign(&w)));
    tx_free(q);
    tx_drafts_free(&d);
    return TX_OK;
}

/* POST /api/approvals/approve {"draft"}: signs the draft's answers as the organisation's and
 * sends them to the requester, as ticsx drafts approve does. */
static int
approval_approve(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    const char *id;
    tx_answer_result res;
    int rc;

    if ((rc = tx_ui_need_hub(app, _("approving"))) != TX_OK ||
        (rc = tx_ui_body_str(rq, "draft", 1, &id)) != TX_OK ||
        (rc = tx_drafts_approve(app->client, id, &res)) != TX_OK) {
        return rc;
    }
    rs->json = tx_answer_result_json(&res);
    json_object_set_new(rs->json, "draft", json_string(id));
    tx_ui_note_waiting(app, rs->json, res.grant);
    tx_ui_model_invalidate(app);
    return TX_OK;
}

/* POST /api/approvals/reject {"draft", "note"?}: records the rejection, the note sealed to the
 * organisation (the responder reads it). */
static int
approval_reject(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    const char *id, *note;
    int rc;

    if ((rc = tx_ui_need_hub(app, _("rejecting"))) != TX_OK ||
        (rc = tx_ui_body_str(rq, "draft", 1, &id)) != TX_OK ||
        (rc = tx_ui_body_str(rq, "note", 0, &note)) != TX_OK) {
        return rc;
    }
    if (note != NULL && (strlen(note) > NOTE_MAX || !tx_utf8_valid(note, strlen(note)))) {
        return tx_fail(TX_ERR_TOO_LARGE, "the note is longer than %d bytes: shorten it", NOTE_MAX);
    }
    if ((rc = tx_drafts_reject(app->client, id, note)) != TX_OK) {
        return rc;
    }
    rs->json = json_pack("{s:s,s:s}", "draft", id, "state", "rejected");
    return TX_OK;
}

const tx_ui_route tx_ui_member_routes[] = {
    {"GET", "/api/approvals", approvals_get, 0},
    {"GET", "/api/approvals/", approval_get, TX_UI_PREFIX},
    {"POST", "/api/approvals/approve", approval_approve, TX_UI_POST | TX_UI_SIGNS},
    {"POST", "/api/approvals/reject", approval_reject, TX_UI_POST | TX_UI_SIGNS},
};
const size_t tx_ui_member_n_routes = TX_ARRAY_LEN(tx_ui_member_routes);

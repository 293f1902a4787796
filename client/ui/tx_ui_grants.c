/* Two officers for grants to new buyers, in the UI (tx_grant_approve): the organisation's
 * setting and its grants waiting for a second officer, each approved or rejected by another
 * officer (the same checks as ticsx grants approve|reject: never one's own grant, an officer,
 * an admin or the organisation key); the setting switched in the organisation's own home; and
 * the note a grant's answer gets when it waits. */
#include "tx_ui_app.h"
#include "tx_ui_http.h"

#include "tx_error.h"
#include "tx_grant_approve.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <string.h>

/* Whether grant `id` is among the waiting ones. */
static int
waits(const tx_waiting_list *l, const uint8_t id[TX_ID_LEN])
{
    for (size_t i = 0; i < l->n; i++) {
        if (memcmp(l->v[i].grant->id, id, TX_ID_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

/* out's "waiting": the ids among the n ids (one every `stride` bytes from `ids`) waiting. */
static void
note(tx_ui_app *app, json_t *out, const uint8_t *ids, size_t stride, size_t n)
{
    json_t *arr = json_array();
    tx_waiting_list l = {0};

    if (n > 0 && tx_waiting_load(app->client, &l) == TX_OK) {
        for (size_t k = 0; k < n; k++) {
            if (waits(&l, ids + k * stride)) {
                json_array_append_new(arr, tx_json_hex(ids + k * stride, TX_ID_LEN));
            }
        }
    }
    tx_waiting_free(&l);
    tx_fail_clear(); /* a note only: the grants themselves were stored */
    json_object_set_new(out, "waiting", arr);
}

void
tx_ui_note_waiting(tx_ui_app *app, json_t *out, const uint8_t id[TX_ID_LEN])
{
    note(app, out, id, TX_ID_LEN, 1);
}

void
tx_ui_note_waiting_grants(tx_ui_app *app, json_t *out, const tx_grant_result *r)
{
    note(app, out, r->n > 0 ? r->v[0].record : NULL, sizeof r->v[0], r->n);
}

/* GET /api/grants: {"two_officers", "waiting": [{"grant", "assessment", "grantee": {"name",
 * "fingerprint", "key"}, "granted_by", "created", "mine"}], "may_decide", "may_set"}. "mine":
 * this home's key signed it (another officer decides); "may_set": the organisation's own home,
 * whose key alone signs the setting. */
static int
grants_get(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    const uint8_t *me = tx_client_id(app->client)->pub.sign;
    tx_waiting_list l = {0};
    tx_ui_who w;
    json_t *arr;
    int rc;

    (void)rq;
    if ((rc = tx_ui_need_hub(app, _("the grants waiting for a second officer"))) != TX_OK ||
        (rc = tx_ui_who_get(app, &w)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_waiting_load(app->client, &l)) != TX_OK) {
        tx_waiting_free(&l);
        return rc;
    }
    rs->json = tx_waiting_json(&l);
    arr = json_object_get(rs->json, "waiting");
    for (size_t i = 0; i < l.n && i < json_array_size(arr); i++) {
        int mine = memcmp(tx_rec_signer(l.v[i].grant), me, TX_KEY_LEN) == 0;
        json_object_set_new(json_array_get(arr, i), "mine", json_boolean(mine));
    }
    json_object_set_new(rs->json, "may_decide", json_boolean(tx_ui_may(app, TX_UI_SIGNS) == TX_OK));
    tx_fail_clear();
    json_object_set_new(rs->json, "may_set", json_boolean(!w.is_member));
    tx_waiting_free(&l);
    return TX_OK;
}

/* POST /api/grants/approve {"grant"} and /api/grants/reject {"grant"}: as ticsx grants
 * approve|reject; {"grant", "approval"|"revocation"}. */
static int
decide(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs, int approve)
{
    uint8_t id[TX_ID_LEN];
    const char *grant;
    int rc;

    if ((rc = tx_ui_need_hub(app, approve ? _("approving") : _("rejecting"))) != TX_OK ||
        (rc = tx_ui_body_str(rq, "grant", 1, &grant)) != TX_OK) {
        return rc;
    }
    rc = approve ? tx_grant_approve(app->client, grant, id)
                 : tx_grant_reject(app->client, grant, id);
    if (rc == TX_OK) {
        rs->json = json_pack("{s:s,s:o}", "grant", grant, approve ? "approval" : "revocation",
                             tx_json_hex(id, TX_ID_LEN));
    }
    return rc;
}

static int
grant_approve(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    return decide(app, rq, rs, 1);
}

static int
grant_reject(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    return decide(app, rq, rs, 0);
}

/* POST /api/grants/settings {"two_officers": true|false}: the organisation's own home signs
 * the setting (a member's home: 400, the command names the home that may). */
static int
grants_settings(tx_ui_app *app, const tx_ui_req *rq, tx_ui_resp *rs)
{
    const json_t *v = json_object_get(rq->body, "two_officers");
    uint8_t id[TX_ID_LEN];
    int rc;

    if ((rc = tx_ui_need_hub(app, _("the organisation's settings"))) != TX_OK) {
        return rc;
    }
    if (!json_is_boolean(v)) {
        return tx_fail(TX_ERR_USAGE, "\"two_officers\" must be true or false");
    }
    if ((rc = tx_two_officers_set(app->client, json_is_true(v), id)) == TX_OK) {
        rs->json = json_pack("{s:b,s:o}", "two_officers", json_is_true(v), "id",
                             tx_json_hex(id, TX_ID_LEN));
    }
    return rc;
}

const tx_ui_route tx_ui_grants_routes[] = {
    {"GET", "/api/grants", grants_get, 0},
    {"POST", "/api/grants/approve", grant_approve, TX_UI_POST | TX_UI_SIGNS},
    {"POST", "/api/grants/reject", grant_reject, TX_UI_POST | TX_UI_SIGNS},
    {"POST", "/api/grants/settings", grants_settings, TX_UI_POST | TX_UI_SIGNS},
};
const size_t tx_ui_grants_n_routes = TX_ARRAY_LEN(tx_ui_grants_routes);

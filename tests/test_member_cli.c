/* Integration: ticsx member and keygen --member-of through the real binaries and a real hub.
 * A person makes its keys in its own home with a copy of its organisation's profile; the
 * organisation names it (member add), both homes list it, it connects with its own keys, a
 * member's home cannot name members, and once removed the hub refuses it. */
#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_util.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

static void
test_member_cli(void **state)
{
    th_world w;
    char sup[PATH_MAX], sato[PATH_MAX], ito[PATH_MAX], profile[PATH_MAX + 16], key[PATH_MAX + 16],
        id[65];
    th_result r;
    json_t *root;

    (void)state;
    th_require_hub_bin();
    th_world_begin(&w);
    th_world_party(&w, sup, "supplier", "Mikawa Precision KK", NULL);
    th_world_home(&w, sato, "sato");
    th_world_home(&w, ito, "ito");
    th_world_start(&w);
    snprintf(profile, sizeof profile, "%s/profile.tx", sup);

    /* The person's own keys, beside its organisation's profile; a file that is no profile is
     * refused. */
    th_ticsx_expect(2, &w.hub, sato, "keygen", "--name", "Sato Hanako", "--member-of", "/dev/null",
                    NULL);
    th_ticsx_expect(0, &w.hub, sato, "keygen", "--name", "Sato Hanako", "--member-of", profile,
                    NULL);
    th_ticsx_expect(0, &w.hub, ito, "keygen", "--name", "Ito Ken", "--member-of", profile, NULL);
    /* Not named yet: the hub refuses it. */
    th_ticsx_expect(1, &w.hub, sato, "ping", NULL);

    snprintf(key, sizeof key, "%s/identity.pub", sato);
    th_ticsx_expect(2, &w.hub, sup, "member", "add", "--name", "Sato Hanako", "--role", "boss",
                    "--key", key, NULL);
    th_ticsx_id(id, &w.hub, sup, "member", "add", "--name", "Sato Hanako", "--role", "officer",
                "--key", key, NULL);
    snprintf(key, sizeof key, "%s/identity.pub", ito);
    th_ticsx(&r, &w.hub, sup, "member", "add", "--name", "Ito Ken", "--role", "viewer", "--key",
             key, "--json", NULL);
    th_expect_status(&r, 0);
    root = th_parse_json(r.out);
    assert_string_equal(json_string_value(json_object_get(root, "role")), "viewer");
    assert_int_equal(strlen(json_string_value(json_object_get(root, "id"))), 64);
    json_decref(root);
    th_result_free(&r);
    th_ticsx_expect(0, &w.hub, sato, "ping", NULL);

    /* Both homes list the organisation's people; a member's home names no one. */
    th_ticsx(&r, &w.hub, sato, "member", "list", "--json", NULL);
    th_expect_status(&r, 0);
    root = th_parse_json(r.out);
    assert_int_equal(json_array_size(json_object_get(root, "members")), 2);
    json_decref(root);
    th_result_free(&r);
    th_ticsx(&r, &w.hub, sup, "member", "show", "Sato Hanako", "--json", NULL);
    th_expect_status(&r, 0);
    root = th_parse_json(r.out);
    assert_string_equal(json_string_value(json_object_get(root, "role")), "officer");
    assert_string_equal(json_string_value(json_object_get(root, "status")), "active");
    json_decref(root);
    th_result_free(&r);
    th_ticsx_expect(2, &w.hub, sato, "member", "add", "--name", "Ito Ken", "--role", "admin",
                    "--key", key, NULL);
    th_ticsx_expect(2, &w.hub, sato, "member", "remove", "Ito Ken", NULL);
    th_ticsx_expect(1, &w.hub, sup, "member", "show", "Nobody", NULL);

    /* Removed: refused at its next connection, listed as removed. */
    th_ticsx_id(id, &w.hub, sup, "member", "remove", "Sato Hanako", NULL);
    th_ticsx_expect(1, &w.hub, sato, "ping", NULL);
    th_ticsx_expect(0, &w.hub, ito, "ping", NULL);
    th_ticsx(&r, &w.hub, sup, "member", "show", "Sato Hanako", "--json", NULL);
    th_expect_status(&r, 0);
    root = th_parse_json(r.out);
    assert_string_equal(json_string_value(json_object_get(root, "status")), "removed");
    json_decref(root);
    th_result_free(&r);
    th_world_end(&w);
}

/* An officer answers from its own home; the buyer's verify sees the organisation as the author
 * and still does once the officer is removed (it signed while a member). A viewer's answer is
 * refused by the hub. The buyer's viewer reads and verifies what was granted to the buyer in
 * its own home, and nothing once removed. */
static void
test_officer_answers(void **state)
{
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], sato[PATH_MAX], ito[PATH_MAX], kato[PATH_MAX],
        mori[PATH_MAX], profile[PATH_MAX + 16], key[PATH_MAX + 16], path[PATH_MAX + 16], req[65],
        id[65], aid[65], later[32], nagoya[PATH_MAX];
    th_ticsx_opts later_opts = {.hub = &w.hub, .now = later};
    th_result r;

    (void)state;
    th_require_hub_bin();
    th_world_begin(&w);
    th_world_party(&w, buyer, "buyer", "Tokai Motors KK", NULL);
    th_world_party(&w, sup, "supplier", "Mikawa Precision KK", NULL);
    th_world_party(&w, nagoya, "nagoya", "Nagoya Body KK", NULL);
    th_world_home(&w, sato, "sato");
    th_world_home(&w, ito, "ito");
    th_world_home(&w, kato, "kato");
    th_world_home(&w, mori, "mori");
    th_world_start(&w);
    snprintf(profile, sizeof profile, "%s/profile.tx", sup);
    th_ticsx_expect(0, &w.hub, sato, "keygen", "--name", "Sato Hanako", "--member-of", profile,
                    NULL);
    th_ticsx_expect(0, &w.hub, ito, "keygen", "--name", "Ito Ken", "--member-of", profile, NULL);
    snprintf(key, sizeof key, "%s/identity.pub", sato);
    th_ticsx_id(id, &w.hub, sup, "member", "add", "--name", "Sato Hanako", "--role", "officer",
                "--key", key, NULL);
    snprintf(key, sizeof key, "%s/identity.pub", ito);
    th_ticsx_id(id, &w.hub, sup, "member", "add", "--name", "Ito Ken", "--role", "viewer", "--key",
                key, NULL);

    th_ticsx_id(req, &w.hub, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                "Mikawa Precision KK", NULL);
    /* The officer's inbox holds the request to its organisation. */
    th_ticsx(&r, &w.hub, sato, "inbox", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Tokai Motors KK");
    th_result_free(&r);
    snprintf(path, sizeof path, "%s/answers.json", w.root);
    th_answers_file(&w.hub, sato, req, "yes", NULL, path);
    th_ticsx(&r, &w.hub, ito, "answer", req, "--file", path, NULL);
    th_expect_status(&r, 1);
    th_result_free(&r);
    th_ticsx_id(aid, &w.hub, sato, "answer", req, "--file", path, NULL);

    th_ticsx_expect(0, &w.hub, buyer, "fetch", NULL);
    th_ticsx(&r, &w.hub, buyer, "verify", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Mikawa Precision KK");
    th_result_free(&r);
    th_ticsx(&r, &w.hub, buyer, "verify", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"signed_by_member\": \"Sato Hanako\"");
    th_result_free(&r);
    /* The buyer's history: the organisation answered, through the officer named. */
    th_ticsx(&r, &w.hub, buyer, "history", aid, "--format", "json", NULL);
    th_expect_status(&r, 0);
    {
        json_t *j = th_parse_json(r.out), *e, *who = NULL;
        size_t i;
        json_array_foreach(json_object_get(j, "events"), i, e)
        {
            if (strcmp(json_string_value(json_object_get(e, "kind")), "answered") == 0) {
                who = json_object_get(e, "actor");
            }
        }
        assert_non_null(who);
        assert_string_equal(json_string_value(json_object_get(who, "name")), "Mikawa Precision KK");
        assert_string_equal(json_string_value(json_object_get(who, "member")), "Sato Hanako");
        json_decref(j);
    }
    th_result_free(&r);
    th_ticsx(&r, &w.hub, buyer, "history", aid, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Mikawa Precision KK / Sato"); /* the column cuts the rest */
    th_result_free(&r);
    /* The officer shares it with another buyer; that buyer sees the organisation's. */
    th_ticsx_expect(0, &w.hub, sato, "grant", aid, "--to", "Nagoya Body KK", NULL);
    th_ticsx_expect(0, &w.hub, nagoya, "fetch", NULL);
    th_ticsx(&r, &w.hub, nagoya, "verify", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Mikawa Precision KK");
    th_result_free(&r);

    /* The buyer's auditor (a viewer) reads what was granted to the buyer, in its own home. */
    snprintf(profile, sizeof profile, "%s/profile.tx", buyer);
    th_ticsx_expect(0, &w.hub, kato, "keygen", "--name", "Kato Yui", "--member-of", profile, NULL);
    th_ticsx_expect(1, &w.hub, kato, "fetch", NULL);
    snprintf(key, sizeof key, "%s/identity.pub", kato);
    th_ticsx_id(id, &w.hub, buyer, "member", "add", "--name", "Kato Yui", "--role", "viewer",
                "--key", key, NULL);
    th_ticsx_expect(0, &w.hub, kato, "fetch", NULL);
    th_ticsx(&r, &w.hub, kato, "verify", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Mikawa Precision KK");
    th_result_free(&r);
    th_ticsx_id(id, &w.hub, buyer, "member", "remove", "Kato Yui", NULL);
    th_ticsx_expect(1, &w.hub, kato, "fetch", NULL);
    /* A buyer's officer asks from its own home; the supplier's officer answers it to the buyer;
     * the buyer verifies it as its own request. */
    snprintf(profile, sizeof profile, "%s/profile.tx", buyer);
    th_ticsx_expect(0, &w.hub, mori, "keygen", "--name", "Mori Aoi", "--member-of", profile, NULL);
    snprintf(key, sizeof key, "%s/identity.pub", mori);
    th_ticsx_id(id, &w.hub, buyer, "member", "add", "--name", "Mori Aoi", "--role", "officer",
                "--key", key, NULL);
    th_ticsx_id(req, &w.hub, mori, "request", "--questionnaire", "tics-selfcheck", "--to",
                "Mikawa Precision KK", NULL);
    th_ticsx(&r, &w.hub, sato, "answer", req, "--file", path, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx_expect(0, &w.hub, buyer, "fetch", NULL);
    th_ticsx(&r, &w.hub, buyer, "verify", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);

    /* Removed a minute after it signed (TICSX_NOW: no waiting on the clock). */
    snprintf(later, sizeof later, "@%lld", (long long)time(NULL) + 60);
    th_ticsx_with(&r, &later_opts, sup, "member", "remove", "Sato Hanako", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx_expect(0, &w.hub, buyer, "fetch", NULL);
    th_ticsx_expect(0, &w.hub, buyer, "verify", NULL);
    th_world_end(&w);
}

#define SECRET_SUB "Kiwi Hidden Castings"

/* A responder's answer is a draft sealed to its organisation: nothing reaches the requester, the
 * hub's store never holds the answers, the responder's own assessment is refused, and the
 * officer still answers. */
static void
test_responder_drafts(void **state)
{
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], sato[PATH_MAX], tanaka[PATH_MAX], profile[PATH_MAX + 16],
        key[PATH_MAX + 16], path[PATH_MAX + 16], req[65], id[65], draft[65], store[PATH_MAX + 32];
    char ito[PATH_MAX], bad_hex[65], second[65];
    uint8_t rid[32], qid[32], bad[32], *env;
    tx_identity *tid = NULL, *sid = NULL;
    tx_conn *conn;
    size_t len;
    th_result r;

    (void)state;
    th_require_hub_bin();
    th_world_begin(&w);
    th_world_party(&w, buyer, "buyer", "Tokai Motors KK", NULL);
    th_world_party(&w, sup, "supplier", "Mikawa Precision KK", NULL);
    th_world_home(&w, sato, "sato");
    th_world_home(&w, tanaka, "tanaka");
    th_world_home(&w, ito, "ito");
    th_world_start(&w);
    snprintf(profile, sizeof profile, "%s/profile.tx", sup);
    th_ticsx_expect(0, &w.hub, sato, "keygen", "--name", "Sato Hanako", "--member-of", profile,
                    NULL);
    th_ticsx_expect(0, &w.hub, tanaka, "keygen", "--name", "Tanaka Jiro", "--member-of", profile,
                    NULL);
    th_ticsx_expect(0, &w.hub, ito, "keygen", "--name", "Ito Ken", "--member-of", profile, NULL);
    snprintf(key, sizeof key, "%s/identity.pub", sato);
    th_ticsx_id(id, &w.hub, sup, "member", "add", "--name", "Sato Hanako", "--role", "officer",
                "--key", key, NULL);
    snprintf(key, sizeof key, "%s/identity.pub", tanaka);
    th_ticsx_id(id, &w.hub, sup, "member", "add", "--name", "Tanaka Jiro", "--role", "responder",
                "--key", key, NULL);
    snprintf(key, sizeof key, "%s/identity.pub", ito);
    th_ticsx_id(id, &w.hub, sup, "member", "add", "--name", "Ito Ken", "--role", "viewer", "--key",
                key, NULL);
    th_ticsx(&r, &w.hub, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
             "Mikawa Precision KK", "--json", NULL);
    th_expect_status(&r, 0);
    {
        json_t *j = th_parse_json(r.out);

        assert_int_equal(
            tx_unhex(rid, sizeof rid, json_string_value(json_object_get(j, "request"))), TX_OK);
        assert_int_equal(
            tx_unhex(qid, sizeof qid, json_string_value(json_object_get(j, "questionnaire"))),
            TX_OK);
        tx_hex(req, rid, sizeof rid);
        json_decref(j);
    }
    th_result_free(&r);
    snprintf(path, sizeof path, "%s/answers.json", w.root);
    th_answers_file(&w.hub, tanaka, req, "yes",
                    json_pack("[{s:s,s:s}]", "name", SECRET_SUB, "supplies", "castings"), path);

    /* The responder's answer is a draft for an officer. */
    th_ticsx(&r, &w.hub, tanaka, "answer", req, "--file", path, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "prepared for an officer");
    assert_int_equal(strlen(r.out), 65);
    memcpy(draft, r.out, 64);
    draft[64] = 0;
    th_result_free(&r);
    th_ticsx(&r, &w.hub, tanaka, "answer", req, "--file", path, "--json", NULL);
    th_expect_status(&r, 0);
    {
        json_t *j = th_parse_json(r.out);

        snprintf(second, sizeof second, "%s", json_string_value(json_object_get(j, "draft")));
        json_decref(j);
    }
    th_result_free(&r);
    /* What a draft cannot carry is refused before anything is signed. */
    th_ticsx(&r, &w.hub, tanaka, "answer", req, "--file", path, "--supersedes", draft, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "only an officer supersedes");
    th_result_free(&r);
    /* Nothing reached the buyer. */
    th_ticsx_expect(0, &w.hub, buyer, "fetch", NULL);
    th_ticsx(&r, &w.hub, buyer, "verify", "--json", NULL);
    assert_null(strstr(r.out, "Mikawa Precision KK"));
    th_result_free(&r);

    /* A responder does not approve; the officer lists the drafts and approves one: the buyer
     * then verifies the organisation's assessment, signed by the officer. */
    th_ticsx(&r, &w.hub, tanaka, "drafts", "approve", draft, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "only an officer");
    th_result_free(&r);
    th_ticsx(&r, &w.hub, ito, "drafts", "approve", draft, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "only an officer");
    th_result_free(&r);
    /* A draft that does not hold an assessment signed by its preparer is refused. */
    assert_int_equal(tx_identity_load(tanaka, "identity", &tid), TX_OK);
    assert_int_equal(tx_identity_load(sup, "identity", &sid), TX_OK);
    conn = th_connect(&w.hub, tid, 5000);
    env = th_draft(tid, 1000, rid, qid, sid->pub.seal,
                   "this is not a signed assessment envelope at all", &len);
    tx_record_id(env, len, bad);
    assert_int_equal(th_submit_status(conn, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    tx_conn_destroy(&conn);
    tx_identity_destroy(&tid);
    tx_identity_destroy(&sid);
    tx_hex(bad_hex, bad, sizeof bad);
    th_ticsx(&r, &w.hub, sato, "drafts", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "holds no signed assessment");
    th_result_free(&r);
    th_ticsx(&r, &w.hub, sato, "drafts", "approve", bad_hex, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "holds no signed assessment");
    th_result_free(&r);
    th_ticsx(&r, &w.hub, sato, "drafts", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Tanaka Jiro");
    th_expect_text(r.out, "100.0%, L2\n"); /* the level as reports write it */
    th_result_free(&r);
    /* The officer rejects the second with a note (read by the organisation's people); a rejected
     * draft is not approved, nor one approved twice. A responder does not reject. */
    th_ticsx_expect(1, &w.hub, tanaka, "drafts", "reject", second, NULL);
    th_ticsx_expect(0, &w.hub, sato, "drafts", "reject", second, "--note", "A1: evidence missing",
                    NULL);
    th_ticsx(&r, &w.hub, tanaka, "drafts", "show", second, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "rejected by Sato Hanako: A1: evidence missing");
    th_result_free(&r);
    th_ticsx(&r, &w.hub, sato, "drafts", "approve", second, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "already rejected");
    th_result_free(&r);
    th_ticsx(&r, &w.hub, sato, "drafts", "show", draft, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "prepared by Tanaka Jiro");
    th_expect_text(r.out, " yes ");
    th_result_free(&r);
    th_ticsx(&r, &w.hub, sato, "drafts", "approve", draft, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "approved");
    th_result_free(&r);
    th_ticsx(&r, &w.hub, sato, "drafts", "approve", draft, NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "already approved by Sato Hanako");
    th_result_free(&r);
    th_ticsx_expect(0, &w.hub, buyer, "fetch", NULL);
    th_ticsx(&r, &w.hub, buyer, "verify", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"signed_by_member\": \"Sato Hanako\"");
    th_expect_text(r.out, SECRET_SUB);
    th_result_free(&r);

    /* The hub's store holds the draft but never the answers in it. */
    assert_int_equal(th_hub_stop(&w.hub, SIGTERM), 0);
    snprintf(store, sizeof store, "%s/data.mdb", w.hubdir);
    assert_true(th_file_holds(store, "application/vnd.ticsx.draft.v1"));
    assert_false(th_file_holds(store, SECRET_SUB));
    th_world_end(&w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_cli),
        cmocka_unit_test(test_officer_answers),
        cmocka_unit_test(test_responder_drafts),
    };

    return cmocka_run_group_tests(tests, NULL, th_stop_leftover_hubs);
}

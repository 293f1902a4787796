/* Integration: ticsx grants (two officers for grants to new buyers) through the real binaries
 * and a real hub. The organisation turns the setting on in its own home; an officer's answer to
 * a new buyer waits (the officer is told so) and the buyer fetches nothing until another officer
 * approves it; the granting officer and a viewer cannot approve; a second officer rejects a
 * grant to another new buyer, which that buyer never gets; a grant to a known buyer passes with
 * one officer. */
#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_store.h"
#include "tx_util.h"

#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

/* How many assessments `fetch --json` in home brought. */
static size_t
fetched(const th_hub *hub, const char *home)
{
    th_result r;
    json_t *root;
    size_t n;

    th_ticsx(&r, hub, home, "fetch", "--json", NULL);
    th_expect_status(&r, 0);
    root = th_parse_json(r.out);
    n = json_array_size(json_object_get(root, "assessments"));
    json_decref(root);
    th_result_free(&r);
    return n;
}

/* The grants waiting for a second officer as `grants pending --json` in home lists them; the
 * first one's id into first (when any). */
static size_t
waiting(const th_hub *hub, const char *home, char first[65])
{
    th_result r;
    json_t *root, *arr;
    size_t n;

    th_ticsx(&r, hub, home, "grants", "pending", "--json", NULL);
    th_expect_status(&r, 0);
    root = th_parse_json(r.out);
    assert_true(json_is_true(json_object_get(root, "two_officers")));
    arr = json_object_get(root, "waiting");
    n = json_array_size(arr);
    if (n > 0) {
        snprintf(first, 65, "%s",
                 json_string_value(json_object_get(json_array_get(arr, 0), "grant")));
    }
    json_decref(root);
    th_result_free(&r);
    return n;
}

/* The events of `kind` in `history --fetch --json` in home (newest first): how many, and the
 * first one's member, detail and grant into the buffers. Every one is proven (log index). */
static size_t
history_events(const th_hub *hub, const char *home, const char *kind, char member[64],
               char detail[160], char grant[65])
{
    th_result r;
    json_t *root, *ev;
    size_t i, n = 0;

    th_ticsx(&r, hub, home, "history", "--fetch", "--json", NULL);
    th_expect_status(&r, 0);
    root = th_parse_json(r.out);
    json_array_foreach(json_object_get(root, "events"), i, ev)
    {
        const char *g = json_string_value(json_object_get(ev, "grant")),
                   *m = json_string_value(json_object_get(json_object_get(ev, "actor"), "member"));
        if (strcmp(json_string_value(json_object_get(ev, "kind")), kind) != 0) {
            continue;
        }
        assert_true(json_integer_value(json_object_get(ev, "log_index")) > 0);
        if (n++ == 0) {
            snprintf(member, 64, "%s", m != NULL ? m : "");
            snprintf(detail, 160, "%s", json_string_value(json_object_get(ev, "detail")));
            snprintf(grant, 65, "%s", g != NULL ? g : "");
        }
    }
    json_decref(root);
    th_result_free(&r);
    return n;
}

static void
person(th_world *w, const char *org, const char *home, const char *name, const char *role)
{
    char profile[PATH_MAX + 16], key[PATH_MAX + 16], id[65];

    snprintf(profile, sizeof profile, "%s/profile.tx", org);
    th_ticsx_expect(0, &w->hub, home, "keygen", "--name", name, "--member-of", profile, NULL);
    snprintf(key, sizeof key, "%s/identity.pub", home);
    th_ticsx_id(id, &w->hub, org, "member", "add", "--name", name, "--role", role, "--key", key,
                NULL);
}

static void
test_two_officers_cli(void **state)
{
    th_world w;
    char buyer[PATH_MAX], nagoya[PATH_MAX], sup[PATH_MAX], sato[PATH_MAX], kato[PATH_MAX],
        ito[PATH_MAX], path[PATH_MAX + 16], path2[PATH_MAX + 16], req[65], req2[65], aid[65],
        gid[65], id[65], aid_full[65], who[64], detail[160], grant[65];
    th_result r;

    (void)state;
    th_require_hub_bin();
    th_world_begin(&w);
    th_world_party(&w, buyer, "buyer", "Tokai Motors KK", NULL);
    th_world_party(&w, nagoya, "nagoya", "Nagoya Body KK", NULL);
    th_world_party(&w, sup, "supplier", "Mikawa Precision KK", NULL);
    th_world_home(&w, sato, "sato");
    th_world_home(&w, kato, "kato");
    th_world_home(&w, ito, "ito");
    th_world_start(&w);
    person(&w, sup, sato, "Sato Hanako", "officer");
    person(&w, sup, kato, "Kato Ken", "officer");
    person(&w, sup, ito, "Ito Ken", "viewer");

    /* member list shows the setting, off until the organisation turns it on. */
    th_ticsx(&r, &w.hub, kato, "member", "list", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"two_officers\": false");
    th_result_free(&r);

    /* The setting is the organisation key's, in its own home. */
    th_ticsx_expect(2, &w.hub, sato, "grants", "settings", "--two-officers", "on", NULL);
    th_ticsx_expect(2, &w.hub, sup, "grants", "settings", "--two-officers", "maybe", NULL);
    th_ticsx(&r, &w.hub, sup, "grants", "settings", "--two-officers", "on", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "two officers for grants to new buyers: on");
    th_result_free(&r);
    th_ticsx(&r, &w.hub, kato, "member", "list", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "two officers for grants to new buyers: on");
    th_expect_text(r.out, "Kato Ken");
    th_result_free(&r);

    /* The officer answers a new buyer: stored, the officer told it waits, the buyer gets
     * nothing. */
    th_ticsx_id(req, &w.hub, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                "Mikawa Precision KK", NULL);
    snprintf(path, sizeof path, "%s/answers.json", w.root);
    th_answers_file(&w.hub, sato, req, "yes", NULL, path);
    th_ticsx(&r, &w.hub, sato, "answer", req, "--file", path, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "waiting for a second officer");
    snprintf(aid, sizeof aid, "%.64s", r.out);
    snprintf(aid_full, sizeof aid_full, "%s", aid);
    th_result_free(&r);
    assert_int_equal(fetched(&w.hub, buyer), 0);
    assert_int_equal(waiting(&w.hub, kato, gid), 1);
    /* The history shows the setting, signed by the organisation key, and the grant waiting. */
    assert_int_equal(history_events(&w.hub, kato, "settings", who, detail, grant), 1);
    assert_string_equal(who, ""); /* no member: the organisation key */
    th_expect_text(detail, "two officers for grants to new buyers: on");
    assert_int_equal(history_events(&w.hub, kato, "granted", who, detail, grant), 1);
    assert_string_equal(who, "Sato Hanako");
    th_expect_text(detail, "waiting for a second officer");

    /* Meanwhile another supplier's grant reaches the buyer, whose inbox moves past it. */
    th_ticsx_id(req2, &w.hub, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                "Nagoya Body KK", NULL);
    snprintf(path2, sizeof path2, "%s/answers2.json", w.root);
    th_answers_file(&w.hub, nagoya, req2, "yes", NULL, path2);
    /* Quietly (-q prints the id alone and no waiting note: it once freed a list never loaded). */
    th_ticsx_id(id, &w.hub, nagoya, "-q", "answer", req2, "--file", path2, NULL);
    th_ticsx(&r, &w.hub, buyer, "inbox", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Nagoya Body KK");
    assert_null(strstr(r.out, "Mikawa Precision KK"));
    th_result_free(&r);

    /* Neither the officer who granted nor a viewer approves it. */
    th_ticsx_expect(1, &w.hub, sato, "grants", "approve", gid, NULL);
    th_ticsx_expect(1, &w.hub, ito, "grants", "approve", gid, NULL);
    th_ticsx_expect(1, &w.hub, kato, "grants", "approve", "0123456789abcdef", NULL);
    assert_int_equal(fetched(&w.hub, buyer), 1); /* Nagoya's only */

    /* The second officer approves: the buyer fetches and verifies it. */
    th_ticsx_id(id, &w.hub, kato, "grants", "approve", gid, NULL);
    assert_int_equal(waiting(&w.hub, sup, gid), 0);
    /* The buyer's inbox shows it as new from the approval on. */
    th_ticsx(&r, &w.hub, buyer, "inbox", NULL);
    th_expect_status(&r, 0);
    aid[12] = 0;
    th_expect_text(r.out, aid);
    th_result_free(&r);
    assert_int_equal(fetched(&w.hub, buyer), 2);
    /* Who approved, in the organisation's history and in the buyer's; the grant waits no more. */
    assert_int_equal(history_events(&w.hub, kato, "approved", who, detail, grant), 1);
    assert_string_equal(who, "Kato Ken");
    assert_string_equal(grant, gid);
    assert_int_equal(history_events(&w.hub, buyer, "approved", who, detail, grant), 1);
    assert_string_equal(who, "Kato Ken");
    /* The approval belongs to the assessment's history (the approved grant's assessment). */
    th_ticsx(&r, &w.hub, kato, "history", aid_full, "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"kind\": \"approved\"");
    th_result_free(&r);
    assert_int_equal(history_events(&w.hub, sup, "granted", who, detail, grant), 1);
    assert_null(strstr(detail, "waiting"));
    th_ticsx(&r, &w.hub, buyer, "verify", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Mikawa Precision KK");
    th_result_free(&r);

    /* Another new buyer: rejected by the second officer, never served. */
    th_ticsx(&r, &w.hub, sato, "grant", aid_full, "--to", "Nagoya Body KK", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "waiting for a second officer");
    th_result_free(&r);
    assert_int_equal(waiting(&w.hub, kato, gid), 1);
    th_ticsx_id(id, &w.hub, kato, "grants", "reject", gid, NULL);
    assert_int_equal(waiting(&w.hub, kato, gid), 0);
    th_ticsx_expect(1, &w.hub, kato, "grants", "approve", gid, NULL);
    assert_int_equal(fetched(&w.hub, nagoya), 0);
    /* The rejection is named as such, the revocation of an approved grant is not. */
    assert_int_equal(history_events(&w.hub, sup, "rejected", who, detail, grant), 1);
    assert_string_equal(who, "Kato Ken");
    assert_int_equal(history_events(&w.hub, sup, "revoked", who, detail, grant), 0);
    th_ticsx(&r, &w.hub, sup, "history", "--format", "csv", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"rejected\"");
    th_expect_text(r.out, "\"approved\"");
    th_result_free(&r);

    /* The known buyer: one officer is enough. */
    th_ticsx(&r, &w.hub, sato, "grant", aid_full, "--to", "Tokai Motors KK", NULL);
    th_expect_status(&r, 0);
    assert_null(strstr(r.err, "waiting for a second officer"));
    th_result_free(&r);
    th_world_end(&w);
}

/* What a hub skipping the rule would do: the grant waiting for a second officer, and its
 * assessment, given to the grantee straight in the hub's store. */
static void
serve_anyway(const char *hubdir, const char *grant_hex)
{
    uint8_t gid[32];
    uint64_t gidx, aidx;
    tx_store *s = NULL;
    tx_batch *b = NULL;
    tx_envelope_pb *env = NULL;
    ProtobufCMessage *m = NULL;
    const tx_grant_pb *g;
    int kind;

    assert_int_equal(tx_unhex(gid, sizeof gid, grant_hex), TX_OK);
    assert_int_equal(tx_store_open(hubdir, 0, &s), TX_OK);
    assert_int_equal(tx_store_begin(s, &b), TX_OK);
    assert_int_equal(tx_batch_lookup(b, gid, &gidx, &kind), TX_OK);
    assert_int_equal(tx_batch_envelope(b, gidx, &env), TX_OK);
    assert_int_equal(tx_decode_payload(env, TX_KIND_GRANT, &m), TX_OK);
    g = (const tx_grant_pb *)m;
    assert_int_equal(tx_batch_lookup(b, g->assessment.data, &aidx, &kind), TX_OK);
    assert_int_equal(tx_batch_allow(b, g->grantee.data, TX_KIND_GRANT, gidx), TX_OK);
    assert_int_equal(tx_batch_allow(b, g->grantee.data, TX_KIND_ASSESSMENT, aidx), TX_OK);
    assert_int_equal(tx_batch_commit(&b), TX_OK);
    tx_free(m);
    tx_free(env);
    tx_store_close(&s);
}

/* A hub that serves a grant before the second officer approved it: the buyer's verify refuses
 * it (the setting is a signed record in the hub's log, and no approval verifies). */
static void
test_hub_skipping_the_rule(void **state)
{
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], sato[PATH_MAX], kato[PATH_MAX], path[PATH_MAX + 16],
        req[65], gid[65];
    th_result r;

    (void)state;
    th_require_hub_bin();
    th_world_begin(&w);
    th_world_party(&w, buyer, "buyer", "Tokai Motors KK", NULL);
    th_world_party(&w, sup, "supplier", "Mikawa Precision KK", NULL);
    th_world_home(&w, sato, "sato");
    th_world_home(&w, kato, "kato");
    th_world_start(&w);
    person(&w, sup, sato, "Sato Hanako", "officer");
    person(&w, sup, kato, "Kato Ken", "officer");
    th_ticsx_expect(0, &w.hub, sup, "grants", "settings", "--two-officers", "on", NULL);
    th_ticsx_id(req, &w.hub, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                "Mikawa Precision KK", NULL);
    snprintf(path, sizeof path, "%s/answers.json", w.root);
    th_answers_file(&w.hub, sato, req, "yes", NULL, path);
    th_ticsx_expect(0, &w.hub, sato, "answer", req, "--file", path, NULL);
    assert_int_equal(waiting(&w.hub, sato, gid), 1);

    assert_int_equal(th_hub_stop(&w.hub, SIGTERM), 0);
    serve_anyway(w.hubdir, gid);
    th_hub_start(&w.hub, w.hubdir, NULL);
    assert_int_equal(fetched(&w.hub, buyer), 1);
    th_ticsx(&r, &w.hub, buyer, "verify", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.out, "granted by one officer only");
    th_result_free(&r);

    /* The hub, having served it, takes no approval now: the grant stays refused by verify. */
    th_ticsx_expect(1, &w.hub, kato, "grants", "approve", gid, NULL);
    th_world_end(&w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_officers_cli),
        cmocka_unit_test(test_hub_skipping_the_rule),
    };

    return cmocka_run_group_tests(tests, th_stop_leftover_hubs, NULL);
}

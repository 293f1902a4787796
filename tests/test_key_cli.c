/* Integration: ticsx key rotate through the real binaries and a real hub. A supplier answers a
 * buyer, rotates its organisation key, and answers again (superseding) with the new key; the
 * buyer verifies both assessments as the one organisation and its history shows the rotation;
 * the rotated home keeps the old key under retired/ (0600), still reads what was granted to
 * the organisation, names members, and a member's home cannot rotate the organisation's key. */
#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define BUYER "Tokai Motors KK"
#define SUPPLIER "Mikawa Precision KK"

/* The fingerprint of the organisation `ticsx whoami --json` says home acts for. */
static void
org_of(const th_world *w, const char *home, char *out, size_t n)
{
    th_result r;
    json_t *j;

    th_ticsx(&r, &w->hub, home, "whoami", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    /* A rotated home acts for the organisation it holds the key of, as a member's does. */
    snprintf(out, n, "%s",
             json_string_value(json_object_get(j, json_is_string(json_object_get(j, "member_of"))
                                                      ? "member_of"
                                                      : "fingerprint")));
    json_decref(j);
    th_result_free(&r);
}

/* How many history events of `kind` the buyer's history of everything holds. */
static size_t
events(const th_world *w, const char *home, const char *kind)
{
    th_result r;
    json_t *j, *e;
    size_t i, n = 0;

    th_ticsx(&r, &w->hub, home, "history", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    json_array_foreach(json_object_get(j, "events"), i, e)
    {
        n += strcmp(json_string_value(json_object_get(e, "kind")), kind) == 0;
    }
    json_decref(j);
    th_result_free(&r);
    return n;
}

static void
test_rotate(void **state)
{
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], sato[PATH_MAX], path[PATH_MAX + 32], req[65], a1[65],
        a2[65], id[65], before[TX_FP_LEN + 8], after[TX_FP_LEN + 8];
    th_result r;
    struct stat st;

    (void)state;
    th_require_hub_bin();
    th_world_begin(&w);
    th_world_party(&w, buyer, "buyer", BUYER, NULL);
    th_world_party(&w, sup, "supplier", SUPPLIER, "3700000000001");
    th_world_home(&w, sato, "sato");
    th_world_start(&w);

    th_ticsx_id(req, &w.hub, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                SUPPLIER, NULL);
    snprintf(path, sizeof path, "%s/answers.json", w.root);
    th_answers_file(&w.hub, sup, req, "yes", NULL, path);
    th_ticsx_id(a1, &w.hub, sup, "answer", req, "--file", path, NULL);
    org_of(&w, sup, before, sizeof before);

    /* The rotation: the old key kept under retired/, private; the organisation the same. */
    th_ticsx(&r, &w.hub, sup, "key", "rotate", "--json", NULL);
    th_expect_status(&r, 0);
    {
        json_t *j = th_parse_json(r.out);
        const char *retired = json_string_value(json_object_get(j, "retired"));

        assert_string_equal(json_string_value(json_object_get(j, "organisation")), before);
        assert_string_equal(json_string_value(json_object_get(j, "old")), before);
        assert_string_not_equal(json_string_value(json_object_get(j, "new")), before);
        assert_int_equal(stat(retired, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        json_decref(j);
    }
    th_result_free(&r);
    org_of(&w, sup, after, sizeof after);
    assert_string_equal(after, before);
    th_ticsx_expect(0, &w.hub, sup, "ping", NULL);

    /* The new key answers again, superseding; its inbox still holds the request. */
    th_ticsx(&r, &w.hub, sup, "inbox", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, BUYER);
    th_result_free(&r);
    th_ticsx_id(a2, &w.hub, sup, "answer", req, "--file", path, "--supersedes", a1, NULL);

    /* The buyer verifies both as the one organisation; its history shows the rotation. */
    th_ticsx_expect(0, &w.hub, buyer, "fetch", NULL);
    th_ticsx(&r, &w.hub, buyer, "verify", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, a2);
    th_expect_text(r.out, SUPPLIER);
    assert_null(strstr(r.out, "not in force"));
    th_result_free(&r);
    assert_int_equal(events(&w, buyer, "key_rotated"), 1);
    assert_int_equal(events(&w, buyer, "answered"), 2);

    /* The rotated home names members; a member's home rotates nothing. */
    snprintf(path, sizeof path, "%s/profile.tx", sup);
    th_ticsx_expect(0, &w.hub, sato, "keygen", "--name", "Sato Hanako", "--member-of", path, NULL);
    snprintf(path, sizeof path, "%s/identity.pub", sato);
    th_ticsx_id(id, &w.hub, sup, "member", "add", "--name", "Sato Hanako", "--role", "officer",
                "--key", path, NULL);
    th_ticsx_expect(0, &w.hub, sato, "ping", NULL);
    th_ticsx(&r, &w.hub, sato, "key", "rotate", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "member's home");
    th_result_free(&r);
    th_world_end(&w);
}

/* The time line ("time T") of the checkpoint file a home kept. */
static long long
kept_time(const char *home)
{
    char path[PATH_MAX + 16];
    char *text, *at;
    long long t = 0;

    snprintf(path, sizeof path, "%s/checkpoint", home);
    text = th_read_file(path);
    assert_non_null(text);
    at = strstr(text, "\ntime ");
    assert_non_null(at);
    t = atoll(at + 6);
    free(text);
    return t;
}

/* A member's key stolen: the thief answers with a back-dated clock after the organisation's
 * last checkpoint; the organisation reports the key lost from that checkpoint's time; the
 * buyer's verify fails the thief's assessment (caught by its log index, not its date) with the
 * reason, keeps the earlier one, and the hub refuses the key from then on. */
static void
test_revoke(void **state)
{
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], sato[PATH_MAX], path[PATH_MAX + 32], req[65], a1[65],
        a2[65], id[65], from[32], past[32];
    th_ticsx_opts thief = {0};
    th_result r;

    (void)state;
    th_require_hub_bin();
    th_world_begin(&w);
    th_world_party(&w, buyer, "buyer", BUYER, NULL);
    th_world_party(&w, sup, "supplier", SUPPLIER, "3700000000001");
    th_world_home(&w, sato, "sato");
    th_world_start(&w);
    snprintf(path, sizeof path, "%s/profile.tx", sup);
    th_ticsx_expect(0, &w.hub, sato, "keygen", "--name", "Sato Hanako", "--member-of", path, NULL);
    snprintf(path, sizeof path, "%s/identity.pub", sato);
    /* An officer since three days: its answer of two days ago (below) is the organisation's. */
    snprintf(past, sizeof past, "@%lld", (long long)time(NULL) - 3 * 86400);
    th_ticsx_id(id, &w.hub, sup, "member", "add", "--name", "Sato Hanako", "--role", "officer",
                "--key", path, "--from", past, NULL);
    th_ticsx_id(req, &w.hub, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                SUPPLIER, NULL);
    snprintf(path, sizeof path, "%s/answers.json", w.root);
    th_answers_file(&w.hub, sato, req, "yes", NULL, path);
    /* The officer's own answer, two days before (the same second as the report would be
     * either side of it). */
    snprintf(past, sizeof past, "@%lld", (long long)time(NULL) - 2 * 86400);
    thief.hub = &w.hub;
    thief.now = past;
    th_ticsx_with(&r, &thief, sato, "answer", req, "--file", path, NULL);
    th_expect_status(&r, 0);
    snprintf(a1, sizeof a1, "%.64s", r.out);
    th_result_free(&r);
    /* The organisation's home keeps a checkpoint covering a1. */
    th_ticsx_expect(0, &w.hub, sup, "fetch", NULL);
    snprintf(from, sizeof from, "@%lld", kept_time(sup));
    /* The thief answers again, its clock set back a day. */
    snprintf(past, sizeof past, "@%lld", kept_time(sup) - 86400);
    th_ticsx_with(&r, &thief, sato, "answer", req, "--file", path, "--supersedes", a1, NULL);
    th_expect_status(&r, 0);
    snprintf(a2, sizeof a2, "%.64s", r.out);
    th_result_free(&r);

    /* Only the organisation's home reports a key lost. */
    th_ticsx(&r, &w.hub, sato, "key", "revoke", "Sato Hanako", "--from", from, "--reason",
             "laptop stolen", NULL);
    th_expect_status(&r, 2);
    th_result_free(&r);
    th_ticsx(&r, &w.hub, sup, "key", "revoke", "Sato Hanako", "--from", from, "--reason",
             "laptop stolen", "--json", NULL);
    th_expect_status(&r, 0);
    {
        json_t *j = th_parse_json(r.out);
        assert_true(json_integer_value(json_object_get(j, "from_index")) > 0);
        json_decref(j);
    }
    th_result_free(&r);
    th_ticsx_expect(1, &w.hub, sato, "ping", NULL);

    th_ticsx_expect(0, &w.hub, buyer, "fetch", NULL);
    th_ticsx(&r, &w.hub, buyer, "verify", "--json", NULL);
    {
        json_t *j = th_parse_json(r.out), *v;
        size_t i;
        int seen = 0;

        json_array_foreach(json_object_get(j, "assessments"), i, v)
        {
            const char *aid = json_string_value(json_object_get(v, "assessment"));
            const char *why = json_string_value(json_object_get(v, "reason"));

            if (strcmp(aid, a2) == 0) {
                assert_string_equal(json_string_value(json_object_get(v, "status")), "failed");
                assert_non_null(strstr(why, "laptop stolen"));
                seen |= 1;
            } else if (strcmp(aid, a1) == 0) {
                assert_null(why != NULL ? strstr(why, "reported lost") : NULL);
                seen |= 2;
            }
        }
        assert_int_equal(seen & 1, 1);
        json_decref(j);
    }
    th_result_free(&r);
    assert_int_equal(events(&w, buyer, "key_revoked"), 1);
    th_world_end(&w);
}

/* A home holding the re-enrolled key whose own profile (signed by that key) gives another
 * corporate number: its fetch refuses to adopt the enrolled profile and names both; nothing
 * is written. The home's real profile is put back. */
static void
adopt_refused(const th_world *w, const char *home)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_profile_pb p = TICSX__V1__ORG_PROFILE__INIT;
    char path[PATH_MAX + 32], keep[PATH_MAX + 32];
    tx_identity *id = NULL;
    uint8_t *env = NULL;
    size_t len;
    th_result r;

    assert_int_equal(tx_identity_load(home, "identity", &id), TX_OK);
    meta.seq = 1;
    meta.created = time(NULL);
    p.meta = &meta;
    p.legal_name = (char *)SUPPLIER;
    p.corporate_number = "3180001056789";
    p.seal_key = (ProtobufCBinaryData){32, id->pub.seal};
    p.transport_key = (ProtobufCBinaryData){32, id->pub.curve};
    assert_int_equal(tx_envelope_sign_msg(id, TX_KIND_PROFILE, &p.base, &env, &len), TX_OK);
    snprintf(path, sizeof path, "%s/profile.tx", home);
    snprintf(keep, sizeof keep, "%s/profile.tx.keep", home);
    assert_int_equal(rename(path, keep), 0);
    assert_int_equal(tx_file_replace(path, env, len, 0644), TX_OK);
    th_ticsx(&r, &w->hub, home, "fetch", NULL);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "3180001056789");
    th_expect_text(r.err, "org-profile.tx not written");
    th_result_free(&r);
    snprintf(path, sizeof path, "%s/org-profile.tx", home);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/profile.tx", home);
    assert_int_equal(rename(keep, path), 0);
    free(env);
    tx_identity_destroy(&id);
}

/* ticsx-hub reenroll in the hub's data directory (the hub stopped); its output into r. */
static void
reenroll(th_result *r, const th_world *w, const char *fp, const char *profile)
{
    const char *argv[] = {th_hub_bin(), "reenroll", "--data", w->hubdir,
                          "--replaces", fp,         profile,  NULL};

    th_exec(r, NULL, argv);
}

/* How many `answered` events of the buyer's history name `member` as the person who signed
 * for the organisation. */
static size_t
answered_by(const th_world *w, const char *home, const char *member)
{
    th_result r;
    json_t *j, *e, *who;
    size_t i, n = 0;

    th_ticsx(&r, &w->hub, home, "history", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    json_array_foreach(json_object_get(j, "events"), i, e)
    {
        who = json_object_get(json_object_get(e, "actor"), "member");
        n += strcmp(json_string_value(json_object_get(e, "kind")), "answered") == 0 &&
             json_is_string(who) && strcmp(json_string_value(who), member) == 0;
    }
    json_decref(j);
    th_result_free(&r);
    return n;
}

/* The re-enrolled home names an officer, who answers (first call, accepted 0); the buyer's
 * verify counts the officer for the organisation exactly when it accepted the re-enrolled key
 * (the member record is signed by that key): before, the officer's answer fails with the rest. */
static void
reenrolled_officer(th_world *w, const char *buyer, const char *fresh, const char *sup, int accepted)
{
    static char kato[PATH_MAX], oid[65];
    char path[PATH_MAX + 32], req[65], id[65];
    th_result r;

    if (!accepted) {
        th_world_home(w, kato, "kato");
        snprintf(path, sizeof path, "%s/profile.tx", sup);
        th_ticsx_expect(0, NULL, kato, "keygen", "--name", "Kato Ichiro", "--member-of", path,
                        NULL);
        snprintf(path, sizeof path, "%s/identity.pub", kato);
        th_ticsx_id(id, &w->hub, fresh, "member", "add", "--name", "Kato Ichiro", "--role",
                    "officer", "--key", path, NULL);
        th_ticsx_id(req, &w->hub, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                    SUPPLIER, NULL);
        snprintf(path, sizeof path, "%s/answers-kato.json", w->root);
        th_answers_file(&w->hub, kato, req, "yes", NULL, path);
        th_ticsx_id(oid, &w->hub, kato, "answer", req, "--file", path, NULL);
        /* The re-enrolled home counts the member its own key named. */
        th_ticsx(&r, &w->hub, fresh, "member", "show", "Kato Ichiro", "--json", NULL);
        th_expect_status(&r, 0);
        th_expect_text(r.out, "\"status\": \"active\"");
        th_result_free(&r);
        th_ticsx_expect(0, &w->hub, buyer, "fetch", NULL);
    }
    th_ticsx(&r, &w->hub, buyer, "verify", "--json", NULL);
    th_expect_status(&r, accepted ? 0 : 1);
    if (accepted) {
        th_expect_text(r.out, oid);
        th_expect_text(r.out, "\"signed_by_member\": \"Kato Ichiro\"");
    } else {
        assert_null(strstr(r.out, "\"signed_by_member\": \"Kato Ichiro\""));
    }
    th_result_free(&r);
    /* The buyer's history agrees: the organisation answered through Kato, once accepted. */
    assert_int_equal(answered_by(w, buyer, "Kato Ichiro"), accepted);
}

/* The supplier lost its only key: a new home with the same legal name and corporate number is
 * re-enrolled by the hub operator; another corporate number, or another organisation's
 * fingerprint, is refused; afterwards the hub admits the new key and refuses the old one. */
static void
test_reenroll(void **state)
{
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], fresh[PATH_MAX], wrong[PATH_MAX], prof[PATH_MAX + 16],
        fp[TX_FP_LEN + 8], bfp[TX_FP_LEN + 8];
    th_result r;

    (void)state;
    th_require_hub_bin();
    th_world_begin(&w);
    th_world_party(&w, buyer, "buyer", BUYER, NULL);
    th_world_party(&w, sup, "supplier", SUPPLIER, "3700000000001");
    th_world_home(&w, fresh, "fresh");
    th_world_home(&w, wrong, "wrong");
    th_world_start(&w);
    org_of(&w, sup, fp, sizeof fp);
    org_of(&w, buyer, bfp, sizeof bfp);
    th_ticsx_expect(0, NULL, fresh, "keygen", "--name", SUPPLIER, "--corporate-number",
                    "3700000000001", NULL);
    th_ticsx_expect(0, NULL, wrong, "keygen", "--name", SUPPLIER, "--corporate-number",
                    "3180001056789", NULL);
    assert_int_equal(th_hub_stop(&w.hub, SIGTERM), 0);

    /* Another corporate number, another organisation's fingerprint: refused. */
    snprintf(prof, sizeof prof, "%s/profile.tx", wrong);
    reenroll(&r, &w, fp, prof);
    th_expect_status(&r, 1);
    th_expect_text(r.err, "3180001056789");
    th_result_free(&r);
    snprintf(prof, sizeof prof, "%s/profile.tx", fresh);
    reenroll(&r, &w, bfp, prof);
    th_expect_status(&r, 1);
    th_result_free(&r);
    reenroll(&r, &w, fp, prof);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "reenrolled");
    th_result_free(&r);
    /* The same new keys again: in use. */
    reenroll(&r, &w, fp, prof);
    th_expect_status(&r, 1);
    th_result_free(&r);

    th_hub_start(&w.hub, w.hubdir, NULL);
    th_ticsx_expect(0, &w.hub, fresh, "ping", NULL);
    th_ticsx_expect(1, &w.hub, sup, "ping", NULL);

    /* The new home acts for the organisation (its enrolled profile beside the new key) and
     * answers; the buyer is told and verify fails it until the buyer accepts the key. */
    {
        char src[PATH_MAX + 16], dst[PATH_MAX + 16], req[65], aid[65], nfp[TX_FP_LEN + 8];
        struct stat st;

        adopt_refused(&w, fresh);
        th_ticsx(&r, &w.hub, fresh, "fetch", NULL);
        th_expect_status(&r, 0);
        th_expect_text(r.err, "re-enrolled by the hub operator");
        th_expect_text(r.err, "3700000000001");
        th_result_free(&r);
        snprintf(dst, sizeof dst, "%s/org-profile.tx", fresh);
        org_of(&w, fresh, src, sizeof src); /* now acts for the enrolled organisation */
        assert_string_equal(src, fp);
        assert_int_equal(stat(dst, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        /* Once adopted, a fetch says nothing more. */
        th_ticsx(&r, &w.hub, fresh, "fetch", NULL);
        th_expect_status(&r, 0);
        assert_null(strstr(r.err, "re-enrolled"));
        th_result_free(&r);
        th_ticsx_id(req, &w.hub, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                    SUPPLIER, NULL);
        snprintf(prof, sizeof prof, "%s/answers.json", w.root);
        th_answers_file(&w.hub, fresh, req, "yes", NULL, prof);
        th_ticsx_id(aid, &w.hub, fresh, "answer", req, "--file", prof, NULL);
        th_ticsx_expect(0, &w.hub, buyer, "fetch", NULL);
        th_ticsx(&r, &w.hub, buyer, "verify", "--json", NULL);
        th_expect_text(r.out, "re-enrolled");
        th_expect_text(r.out, "3700000000001");
        th_result_free(&r);
        assert_int_equal(events(&w, buyer, "key_reenrolled"), 1);
        th_ticsx(&r, &w.hub, fresh, "whoami", "--json", NULL);
        {
            json_t *j = th_parse_json(r.out);
            snprintf(nfp, sizeof nfp, "%s", json_string_value(json_object_get(j, "fingerprint")));
            json_decref(j);
        }
        th_result_free(&r);
        reenrolled_officer(&w, buyer, fresh, sup, 0);
        th_ticsx_expect(1, &w.hub, buyer, "key", "accept", bfp, NULL);
        th_ticsx_expect(0, &w.hub, buyer, "key", "accept", nfp, NULL);
        th_ticsx(&r, &w.hub, buyer, "verify", "--json", NULL);
        th_expect_status(&r, 0);
        th_expect_text(r.out, aid);
        assert_null(strstr(r.out, "re-enrolled"));
        th_result_free(&r);
        reenrolled_officer(&w, buyer, fresh, sup, 1);
        /* Accepted, the buyer seals to the new key's seal key: the new home reads its note. */
        th_ticsx_id(req, &w.hub, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                    SUPPLIER, "--note", "KIWI-5521 drawings", NULL);
        th_ticsx(&r, &w.hub, fresh, "inbox", NULL);
        th_expect_status(&r, 0);
        th_expect_text(r.out, "KIWI-5521");
        th_result_free(&r);
    }
    /* The hub's own check agrees with the record it wrote. */
    assert_int_equal(th_hub_stop(&w.hub, SIGTERM), 0);
    {
        char out[4096];
        if (th_run(out, sizeof out, "check", "--data", w.hubdir, NULL) != 0) {
            fail_msg("ticsx-hub check: %s", out);
        }
    }
    th_world_end(&w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rotate),
        cmocka_unit_test(test_revoke),
        cmocka_unit_test(test_reenroll),
    };

    return cmocka_run_group_tests(tests, NULL, th_stop_leftover_hubs);
}

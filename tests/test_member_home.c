/* Integration: in a member's home every command acts for the organisation, through the real
 * binaries and a real hub. Two officers of a supplier and an officer and a viewer of a buyer,
 * each in its own home: what one officer (or the organisation's key) signed is the
 * organisation's in every other person's home (watch, requests, assessments, share, revoke),
 * and a person of another organisation counts for nothing. */
#include "harness.h"
#include "tx_error.h"
#include "tx_ui_app.h"
#include "tx_ui_http.h"
#include "tx_util.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

typedef struct {
    th_world w;
    char buyer[PATH_MAX], sup[PATH_MAX], other[PATH_MAX];
    char sato[PATH_MAX], ito[PATH_MAX], mori[PATH_MAX], kato[PATH_MAX], eve[PATH_MAX];
    char answers[PATH_MAX + 16];
} fixture;

static void
setup(fixture *f)
{
    th_require_hub_bin();
    th_world_begin(&f->w);
    th_world_party(&f->w, f->buyer, "buyer", "Tokai Motors KK", NULL);
    th_world_party(&f->w, f->sup, "supplier", "Mikawa Precision KK", NULL);
    th_world_party(&f->w, f->other, "other", "Nagoya Body KK", NULL);
    th_world_home(&f->w, f->sato, "sato");
    th_world_home(&f->w, f->ito, "ito");
    th_world_home(&f->w, f->mori, "mori");
    th_world_home(&f->w, f->kato, "kato");
    th_world_home(&f->w, f->eve, "eve");
    th_world_start(&f->w);
    th_person(&f->w.hub, f->sato, f->sup, "Sato Hanako", "officer");
    th_person(&f->w.hub, f->ito, f->sup, "Ito Ken", "officer");
    th_person(&f->w.hub, f->mori, f->buyer, "Mori Aoi", "officer");
    th_person(&f->w.hub, f->kato, f->buyer, "Kato Yui", "viewer");
    th_person(&f->w.hub, f->eve, f->other, "Eve Other",
              "officer"); /* another organisation's officer */
    snprintf(f->answers, sizeof f->answers, "%s/answers.json", f->w.root);
}

/* A request from `home` to the supplier; its id into req. */
static void
ask(fixture *f, const char *home, char req[65])
{
    th_ticsx_id(req, &f->w.hub, home, "request", "--questionnaire", "tics-selfcheck", "--to",
                "Mikawa Precision KK", NULL);
}

/* `home` answers req with yes everywhere; the assessment's id into aid. */
static void
answer(fixture *f, const char *home, const char *req, char aid[65])
{
    remove(f->answers);
    th_answers_file(&f->w.hub, home, req, "yes", NULL, f->answers);
    th_ticsx_id(aid, &f->w.hub, home, "answer", req, "--file", f->answers, NULL);
}

/* Watching in a member's home: the request to the organisation reaches its officer, the grant
 * to the buyer reaches the buyer's officer (the content key sealed to the organisation opens
 * with the key the member record gives it); a person of another organisation sees neither. */
static void
test_watch(void **state)
{
    fixture f;
    char req[65], aid[65];
    th_result r;

    (void)state;
    setup(&f);
    ask(&f, f.mori, req);
    th_ticsx(&r, &f.w.hub, f.sato, "watch", "--count", "1", "--for", "30", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Tokai Motors KK");
    th_result_free(&r);
    answer(&f, f.ito, req, aid);
    th_ticsx(&r, &f.w.hub, f.kato, "watch", "--count", "1", "--for", "30", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Mikawa Precision KK");
    th_result_free(&r);
    /* Another organisation's officer: nothing for it arrives (a short wait, then exit 3). */
    th_ticsx(&r, &f.w.hub, f.eve, "watch", "--count", "1", "--for", "1", NULL);
    assert_int_not_equal(r.status, 0);
    assert_null(strstr(r.out, "Tokai Motors KK"));
    assert_null(strstr(r.out, "Mikawa Precision KK"));
    th_result_free(&r);
    th_world_end(&f.w);
}

/* The inbox in an officer's home: a request a buyer's officer signed comes from the buyer
 * (named, not the person's fingerprint), and once another officer answered it, it is answered. */
static void
test_inbox(void **state)
{
    fixture f;
    char req[65], aid[65];
    th_result r;

    (void)state;
    setup(&f);
    ask(&f, f.mori, req);
    th_ticsx(&r, &f.w.hub, f.sato, "inbox", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Tokai Motors KK");
    th_expect_text(r.out, "open");
    th_result_free(&r);
    answer(&f, f.ito, req, aid);
    th_ticsx(&r, &f.w.hub, f.sato, "inbox", "--all", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "\"answered\": true");
    th_expect_text(r.out, aid);
    th_result_free(&r);
    th_world_end(&f.w);
}

/* The member of the event of `kind` in `history --format json` run in `home` ("" for the
 * organisation's key), NULL when there is none. Caller frees. */
static char *
history_member(fixture *f, const char *home, const char *kind)
{
    json_t *root, *e;
    char *who = NULL;
    th_result r;
    size_t i;

    th_ticsx(&r, &f->w.hub, home, "history", "--format", "json", NULL);
    th_expect_status(&r, 0);
    root = th_parse_json(r.out);
    json_array_foreach(json_object_get(root, "events"), i, e)
    {
        const char *m = json_string_value(json_object_get(json_object_get(e, "actor"), "member"));
        if (who == NULL && strcmp(json_string_value(json_object_get(e, "kind")), kind) == 0) {
            who = strdup(m != NULL ? m : "");
        }
    }
    json_decref(root);
    th_result_free(&r);
    return who;
}

/* History in another officer's home: after a fetch it holds what one officer answered and the
 * grant it gave, and another's revocation, each by name. */
static void
test_history(void **state)
{
    fixture f;
    char req[65], aid[65], *who;

    (void)state;
    setup(&f);
    ask(&f, f.mori, req);
    answer(&f, f.sato, req, aid);
    th_ticsx_expect(0, &f.w.hub, f.sup, "revoke", aid, "--from", "Tokai Motors KK", NULL);
    th_ticsx_expect(0, &f.w.hub, f.ito, "fetch", NULL);
    who = history_member(&f, f.ito, "answered");
    assert_non_null(who);
    assert_string_equal(who, "Sato Hanako");
    free(who);
    who = history_member(&f, f.ito, "granted");
    assert_non_null(who);
    assert_string_equal(who, "Sato Hanako");
    free(who);
    who = history_member(&f, f.ito, "revoked");
    assert_non_null(who);
    assert_string_equal(who, ""); /* the organisation's key */
    free(who);
    th_world_end(&f.w);
}

/* Starts `ticsx --home HOME ARGS...` in the background, output into files named `name` under
 * the world's root. */
static pid_t
spawn(fixture *f, const char *name, char out[PATH_MAX], char err[PATH_MAX], const char *home, ...)
{
    const th_ticsx_opts opts = {.hub = &f->w.hub};
    va_list ap;
    pid_t pid;

    snprintf(out, PATH_MAX, "%s/%s.out", f->w.root, name);
    snprintf(err, PATH_MAX, "%s/%s.err", f->w.root, name);
    va_start(ap, home);
    pid = th_ticsx_spawn_v(&opts, out, err, home, ap);
    va_end(ap);
    return pid;
}

/* Waits until `path` holds `text` (at most a minute: a stuck watcher fails the test). */
static void
wait_text(const char *path, const char *text)
{
    int64_t t0 = th_now_ms();

    while (th_now_ms() - t0 < 60000) {
        char *s = access(path, R_OK) == 0 ? th_read_file(path) : NULL;
        int found = s != NULL && strstr(s, text) != NULL;

        free(s);
        if (found) {
            return;
        }
        usleep(20000);
    }
    fail_msg("%s never said \"%s\"", path, text);
}

/* A watch running in an officer's home gets the request to its organisation pushed by the
 * hub while it waits (the UI's live updates run the same watch). */
static void
test_watch_live(void **state)
{
    fixture f;
    char req[65], out[PATH_MAX], err[PATH_MAX], *text;
    int status = 0;
    pid_t pid;

    (void)state;
    setup(&f);
    th_ticsx_expect(0, &f.w.hub, f.sato, "inbox", NULL);
    pid = spawn(&f, "watch-sato", out, err, f.sato, "watch", "--count", "1", "--for", "60", NULL);
    wait_text(err, "watching");
    ask(&f, f.mori, req);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    text = th_read_file(out);
    th_expect_text(text, "Tokai Motors KK");
    free(text);
    th_world_end(&f.w);
}

/* The number of requests `requests --json` lists in `home`, and the answered count of the
 * first. */
static size_t
requests_listed(fixture *f, const char *home, json_int_t *answered)
{
    json_t *root, *v;
    th_result r;
    size_t n;

    th_ticsx(&r, &f->w.hub, home, "requests", "--json", NULL);
    th_expect_status(&r, 0);
    root = th_parse_json(r.out);
    v = json_object_get(root, "requests");
    n = json_array_size(v);
    *answered = n > 0 ? json_integer_value(json_object_get(json_array_get(v, 0), "answered")) : -1;
    json_decref(root);
    th_result_free(&r);
    return n;
}

/* A buyer's requests signed by its officer are the organisation's: its own home, the officer's
 * and its viewer's list them with their progress, and the report's tree starts from them. A
 * request another organisation's officer sent to the same supplier is not the buyer's. */
static void
test_progress(void **state)
{
    fixture f;
    char req[65], aid[65], theirs[65];
    json_int_t answered;
    th_result r;

    (void)state;
    setup(&f);
    ask(&f, f.mori, req);
    ask(&f, f.eve, theirs);
    /* A second request of the officer, not answered: only the tree's roots name its supplier. */
    th_ticsx_id(aid, &f.w.hub, f.mori, "request", "--questionnaire", "tics-selfcheck", "--to",
                "Nagoya Body KK", NULL);
    answer(&f, f.sato, req, aid);
    answer(&f, f.ito, theirs, aid);
    th_ticsx_expect(0, &f.w.hub, f.buyer, "fetch", NULL);
    th_ticsx_expect(0, &f.w.hub, f.kato, "fetch", NULL);
    th_ticsx_expect(0, &f.w.hub, f.mori, "fetch", NULL);
    /* Newest first: the unanswered one, then the answered one. */
    assert_int_equal(requests_listed(&f, f.buyer, &answered), 2);
    assert_int_equal(requests_listed(&f, f.kato, &answered), 2);
    assert_int_equal(requests_listed(&f, f.mori, &answered), 2);
    th_ticsx(&r, &f.w.hub, f.kato, "requests", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Nagoya Body KK");
    th_expect_text(r.out, "Mikawa Precision KK");
    th_result_free(&r);
    /* The tree's first tier: the supplier the officer asked. */
    th_ticsx(&r, &f.w.hub, f.kato, "report", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Mikawa Precision KK");
    th_expect_text(r.out, "Nagoya Body KK");
    th_result_free(&r);
    th_world_end(&f.w);
}

/* True when `assessments --json` in `home` lists assessment `aid`; the state of its sharing
 * with `buyer` ("current", "revoked", "ended", or "" when never) into state. */
static int
lists(fixture *f, const char *home, const char *aid, const char *buyer, char state[16])
{
    json_t *root, *a, *h;
    size_t i, k;
    th_result r;
    int found = 0;

    state[0] = 0;
    th_ticsx(&r, &f->w.hub, home, "assessments", "--json", NULL);
    th_expect_status(&r, 0);
    root = th_parse_json(r.out);
    json_array_foreach(json_object_get(root, "assessments"), i, a)
    {
        if (strcmp(json_string_value(json_object_get(a, "id")), aid) != 0) {
            continue;
        }
        found = 1;
        json_array_foreach(json_object_get(a, "shared"), k, h)
        {
            if (strcmp(json_string_value(json_object_get(h, "name")), buyer) == 0) {
                snprintf(state, 16, "%s", json_string_value(json_object_get(h, "state")));
            }
        }
    }
    json_decref(root);
    th_result_free(&r);
    return found;
}

/* The organisation's assessments, signed by one officer or by the organisation's key, are
 * listed in every home of the organisation; another officer revokes a grant the first made,
 * and every home sees it revoked. Another organisation's officer finds none of them. */
static void
test_assessments(void **state)
{
    fixture f;
    char req[65], req2[65], by_sato[65], by_org[65], st[16];
    th_result r;

    (void)state;
    setup(&f);
    ask(&f, f.mori, req);
    ask(&f, f.buyer, req2);
    answer(&f, f.sato, req, by_sato);
    answer(&f, f.sup, req2, by_org);
    assert_true(lists(&f, f.ito, by_sato, "Tokai Motors KK", st));
    assert_string_equal(st, "current");
    assert_true(lists(&f, f.ito, by_org, "Tokai Motors KK", st));
    assert_true(lists(&f, f.sup, by_sato, "Tokai Motors KK", st));
    assert_true(lists(&f, f.sato, by_org, "Tokai Motors KK", st));
    assert_false(lists(&f, f.eve, by_sato, "Tokai Motors KK", st));
    assert_false(lists(&f, f.eve, by_org, "Tokai Motors KK", st));

    /* The content key is also sealed to the organisation: the other officer shares it, and
     * the signer sees it shared. */
    th_ticsx_expect(0, &f.w.hub, f.ito, "grant", by_sato, "--to", "Nagoya Body KK", NULL);
    assert_true(lists(&f, f.sato, by_sato, "Nagoya Body KK", st));
    assert_string_equal(st, "current");
    /* Another organisation's officer cannot revoke it; the other officer can. */
    th_ticsx(&r, &f.w.hub, f.eve, "revoke", by_sato, "--from", "Tokai Motors KK", NULL);
    assert_int_not_equal(r.status, 0);
    th_result_free(&r);
    th_ticsx_expect(0, &f.w.hub, f.ito, "revoke", by_sato, "--from", "Tokai Motors KK", NULL);
    assert_true(lists(&f, f.sato, by_sato, "Tokai Motors KK", st));
    assert_string_equal(st, "revoked");
    assert_true(lists(&f, f.sup, by_sato, "Tokai Motors KK", st));
    assert_string_equal(st, "revoked");
    /* The organisation's key revokes the grant of its own answer; its officers see it. */
    th_ticsx_expect(0, &f.w.hub, f.sup, "revoke", by_org, "--from", "Tokai Motors KK", NULL);
    assert_true(lists(&f, f.ito, by_org, "Tokai Motors KK", st));
    assert_string_equal(st, "revoked");
    th_world_end(&f.w);
}

/* Forwarding in a member's home: the request names the organisation (not the person); a
 * supplier one officer already asked on the buyer's behalf is not asked again by another. */
static void
test_forward(void **state)
{
    fixture f;
    char req[65], fwd[65];
    th_result r;

    (void)state;
    setup(&f);
    th_ticsx_id(req, &f.w.hub, f.mori, "request", "--questionnaire", "tics-selfcheck", "--to",
                "Mikawa Precision KK", "--depth", "2", NULL);
    th_ticsx_id(fwd, &f.w.hub, f.sato, "forward", req, "--to", "Nagoya Body KK", NULL);
    th_ticsx(&r, &f.w.hub, f.ito, "forward", req, "--to", "Nagoya Body KK", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "not asked again: Nagoya Body KK");
    th_expect_text(r.err, "nothing forwarded");
    th_result_free(&r);
    /* Forwarding to the organisation itself is refused, in its person's home too. */
    th_ticsx(&r, &f.w.hub, f.ito, "forward", req, "--to", "Mikawa Precision KK", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "is this organisation");
    th_result_free(&r);
    th_world_end(&f.w);
}

/* Deadlines in people's homes: the supplier's officer has the buyer's request to answer; the
 * buyer's viewer sees the supplier not answered yet. */
static void
test_due(void **state)
{
    fixture f;
    char req[65], due[16];
    th_result r;

    (void)state;
    setup(&f);
    tx_format_date(due, sizeof due, tx_now() + 20 * 86400);
    th_ticsx_id(req, &f.w.hub, f.mori, "request", "--questionnaire", "tics-selfcheck", "--to",
                "Mikawa Precision KK", "--due", due, NULL);
    th_ticsx_expect(0, &f.w.hub, f.sato, "fetch", NULL); /* the member records */
    th_ticsx_expect(0, &f.w.hub, f.sato, "inbox", NULL); /* keeps the request in its cache */
    th_ticsx(&r, &f.w.hub, f.sato, "due", "--within", "60", "--json", NULL);
    assert_true(r.status == 0 || r.status == 1); /* 1: the inbox's copy is not proven yet */
    th_expect_text(r.out, req);
    th_result_free(&r);
    th_ticsx_expect(0, &f.w.hub, f.kato, "fetch", NULL);
    th_ticsx(&r, &f.w.hub, f.kato, "due", "--within", "60", "--json", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Mikawa Precision KK");
    th_result_free(&r);
    th_world_end(&f.w);
}

/* GET `target` through the UI's dispatcher in `home` (with the hub); 200 expected. The JSON,
 * dumped (caller frees). */
static char *
ui_get(fixture *f, const char *home, const char *target)
{
    tx_client_opts o = {.home = home, .endpoint = f->w.hub.endpoint, .hub_key = f->w.hub.key};
    tx_ui_app *app = NULL;
    tx_ui_resp rs;
    char *text;

    assert_int_equal(tx_ui_app_open(&o, &app), TX_OK);
    tx_ui_dispatch(app, "GET", target, NULL, 0, &rs);
    assert_int_equal(rs.status == 0 ? 200 : rs.status, 200);
    text = json_dumps(rs.json, 0);
    assert_non_null(text);
    tx_ui_resp_clear(&rs);
    tx_ui_app_close(&app);
    return text;
}

/* The UI in people's homes shows the organisation's: an officer's Assessments page lists what
 * another officer signed, a buyer's viewer's request list what its officer asked. */
static void
test_ui(void **state)
{
    fixture f;
    char req[65], aid[65], *text;

    (void)state;
    setup(&f);
    ask(&f, f.mori, req);
    answer(&f, f.sato, req, aid);
    text = ui_get(&f, f.ito, "/api/assessments");
    assert_non_null(strstr(text, aid));
    free(text);
    text = ui_get(&f, f.eve, "/api/assessments");
    assert_null(strstr(text, aid));
    free(text);
    th_ticsx_expect(0, &f.w.hub, f.kato, "fetch", NULL);
    text = ui_get(&f, f.kato, "/api/requests");
    assert_non_null(strstr(text, req));
    free(text);
    th_world_end(&f.w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watch),    cmocka_unit_test(test_watch_live),
        cmocka_unit_test(test_progress), cmocka_unit_test(test_assessments),
        cmocka_unit_test(test_forward),  cmocka_unit_test(test_due),
        cmocka_unit_test(test_ui),       cmocka_unit_test(test_inbox),
        cmocka_unit_test(test_history),
    };

    return cmocka_run_group_tests(tests, NULL, th_stop_leftover_hubs);
}

/* Tiers through the real binaries: a real ticsx-hub (LMDB, CURVE, ZAP) on tcp://127.0.0.1:*
 * and ticsx run as subprocesses for an OEM, two tier-1s and two tier-2s. The OEM asks for two
 * tiers; a tier-1 forwards the request on the OEM's behalf; one tier-2 also grants the OEM, the
 * other does not; a tier-2 lists a tier-1 (a loop) and both tier-1s list the same tier-2
 * (reached twice). The report's nodes, flags, answer states, tiers and coverage are checked
 * exactly. */
#include "harness.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define OEM "Example Motors KK"
#define T1A "Tanaka Seiko KK"
#define T1B "Hamamatsu Castings KK"
#define T2A "Okazaki Plating KK"
#define T2B "Gifu Springs KK"
#define NOKEY "Corner Packaging"

typedef struct {
    th_world w;
    char oem[PATH_MAX], t1a[PATH_MAX], t1b[PATH_MAX], t2a[PATH_MAX], t2b[PATH_MAX];
} fixture;

static fixture fx;

static void
whoami(const char *home, char fp[64])
{
    th_result r;
    json_t *j;

    th_ticsx(&r, &fx.w.hub, home, "whoami", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    snprintf(fp, 64, "%s", json_string_value(json_object_get(j, "fingerprint")));
    json_decref(j);
    th_result_free(&r);
}

static int
setup(void **state)
{
    (void)state;

    th_world_begin(&fx.w);
    th_world_party(&fx.w, fx.oem, "oem", OEM, NULL);
    th_world_party(&fx.w, fx.t1a, "t1a", T1A, NULL);
    th_world_party(&fx.w, fx.t1b, "t1b", T1B, NULL);
    th_world_party(&fx.w, fx.t2a, "t2a", T2A, NULL);
    th_world_party(&fx.w, fx.t2b, "t2b", T2B, NULL);
    th_world_start(&fx.w);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    th_world_end(&fx.w);
    return 0;
}

/* An answers file for `req`: every item `answer`, and the sub-suppliers `subs` (JSON array,
 * taken). */
static void
answers_file(const char *home, const char *req, const char *answer, json_t *subs, const char *path)
{
    th_result r;
    json_t *j, *arr;
    char *text;

    th_ticsx(&r, &fx.w.hub, home, "questionnaire", "template", req, "--format", "json", "--out",
             path, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    text = th_read_file(path);
    j = th_parse_json(text);
    free(text);
    arr = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer", json_string(answer));
    }
    json_object_set_new(j, "suppliers", subs);
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
}

static const json_t *
node_named(const json_t *nodes, const char *name)
{
    for (size_t i = 0; i < json_array_size(nodes); i++) {
        const json_t *n = json_array_get(nodes, i);
        if (strcmp(json_string_value(json_object_get(n, "name")), name) == 0) {
            return n;
        }
    }
    fail_msg("no node %s", name);
    return NULL;
}

static void
expect_flags(const json_t *node, const char *want)
{
    char got[64] = "";
    const json_t *flags = json_object_get(node, "flags");

    for (size_t i = 0; i < json_array_size(flags); i++) {
        strcat(got, i ? "," : "");
        strcat(got, json_string_value(json_array_get(flags, i)));
    }
    assert_string_equal(got, want);
}

static void
expect_parents(const json_t *node, const char *k1, const char *k2)
{
    const json_t *p = json_object_get(node, "parents");

    assert_int_equal(json_array_size(p), (k1 != NULL) + (k2 != NULL));
    if (k1 != NULL) {
        assert_string_equal(json_string_value(json_array_get(p, 0)), k1);
    }
    if (k2 != NULL) {
        assert_string_equal(json_string_value(json_array_get(p, 1)), k2);
    }
}

static double
num(const json_t *o, const char *a, const char *b)
{
    const json_t *v = json_object_get(o, a);
    if (b != NULL) {
        v = json_object_get(v, b);
    }
    assert_true(json_is_number(v));
    return json_number_value(v);
}

static void
test_tree(void **state)
{
    char req[65], fwd[65], fwd2[65], a1[65], a2[65], a3[65], a4[65], path[PATH_MAX];
    char fp_t1b[64], fp_t2a[64], fp_t2b[64], fp_oem[64], fp[64];
    const char *k_t1a, *k_t1b, *k_t2a;
    char to[256];
    th_result r;
    json_t *j, *root;
    (void)state;

    whoami(fx.oem, fp_oem);
    whoami(fx.t1a, fp);
    whoami(fx.t1b, fp_t1b);
    whoami(fx.t2a, fp_t2a);
    whoami(fx.t2b, fp_t2b);

    snprintf(to, sizeof to, "%s,%s", T1A, T1B);
    th_ticsx_id(req, &fx.w.hub, fx.oem, "request", "--questionnaire", "tics-selfcheck", "--to", to,
                "--depth", "2", NULL);

    /* Tier-1 A lists both tier-2s and one organisation without a key; it is told to forward. */
    snprintf(path, sizeof path, "%s/t1a.json", fx.w.root);
    answers_file(fx.t1a, req, "yes",
                 json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s}]", "name", T2A, "supplies",
                           "plating", "key", fp_t2a, "name", T2B, "supplies", "springs", "key",
                           fp_t2b, "name", NOKEY, "supplies", "boxes"),
                 path);
    th_ticsx(&r, &fx.w.hub, fx.t1a, "answer", req, "--file", path, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "ticsx forward");
    memcpy(a1, r.out, 64);
    a1[64] = 0;
    th_result_free(&r);
    /* Tier-1 B lists tier-2 A too: reached twice. Some items only partly: weaker. */
    snprintf(path, sizeof path, "%s/t1b.json", fx.w.root);
    answers_file(fx.t1b, req, "partly",
                 json_pack("[{s:s,s:s,s:s}]", "name", "Okazaki", "supplies", "plating", "key", T2A),
                 path); /* the key named by the enrolled organisation's legal name */
    th_ticsx_id(a2, &fx.w.hub, fx.t1b, "answer", req, "--file", path, NULL);

    /* Forwarding: by default to the keyed sub-suppliers of the latest own assessment. */
    th_ticsx_id(fwd, &fx.w.hub, fx.t1a, "forward", req, NULL);
    th_ticsx(&r, &fx.w.hub, fx.t2a, "inbox", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "on behalf of " OEM);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.t2b, "inbox", "--json", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    {
        const json_t *rq = json_array_get(json_object_get(j, "requests"), 0);
        assert_string_equal(json_string_value(json_object_get(rq, "id")), fwd);
        assert_int_equal(json_integer_value(json_object_get(rq, "depth")), 1);
        const json_t *ob = json_object_get(rq, "on_behalf_of");
        assert_string_equal(json_string_value(json_object_get(ob, "request")), req);
        assert_string_equal(json_string_value(json_object_get(ob, "name")), OEM);
        assert_string_equal(json_string_value(json_object_get(ob, "fingerprint")), fp_oem);
    }
    json_decref(j);
    th_result_free(&r);
    /* The OEM's request asks for 2 tiers, the forwarded one for 1: no further forwarding. */
    th_ticsx(&r, &fx.w.hub, fx.t2a, "forward", fwd, "--to", T1B, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "asks for 1 tier");
    th_result_free(&r);
    /* Only a supplier the request names may forward it: the tier-2 cannot even see it. */
    th_ticsx(&r, &fx.w.hub, fx.t2b, "forward", req, "--to", T2A, NULL);
    assert_int_not_equal(r.status, 0);
    th_expect_text(r.err, "not found");
    th_result_free(&r);
    /* Tier-1 B forwards by name. */
    th_ticsx_id(fwd2, &fx.w.hub, fx.t1b, "forward", req, "--to", T2A, NULL);

    /* Tier-2 A answers, grants the OEM as well, and lists tier-1 B: a loop. */
    snprintf(path, sizeof path, "%s/t2a.json", fx.w.root);
    answers_file(fx.t2a, fwd, "yes",
                 json_pack("[{s:s,s:s,s:s}]", "name", T1B, "supplies", "tooling", "key", fp_t1b),
                 path);
    th_ticsx(&r, &fx.w.hub, fx.t2a, "answer", fwd, "--file", path, "--also-grant-origin", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "also granted to the original buyer");
    memcpy(a3, r.out, 64);
    a3[64] = 0;
    th_result_free(&r);
    /* Tier-2 B answers its direct customer only. */
    snprintf(path, sizeof path, "%s/t2b.json", fx.w.root);
    answers_file(fx.t2b, fwd, "no", json_array(), path);
    th_ticsx(&r, &fx.w.hub, fx.t2b, "answer", fwd, "--file", path, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.err, "on behalf of");
    memcpy(a4, r.out, 64);
    a4[64] = 0;
    th_result_free(&r);
    /* --also-grant-origin on a request that was not forwarded is refused. */
    th_ticsx(&r, &fx.w.hub, fx.t1a, "answer", req, "--file", path, "--also-grant-origin", NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "not forwarded");
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.oem, "fetch", NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    /* The OEM verifies tier-2 A's assessment; tier-2 B's is not granted to it. */
    th_ticsx(&r, &fx.w.hub, fx.oem, "verify", a3, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.oem, "verify", a4, NULL);
    assert_int_not_equal(r.status, 0);
    th_result_free(&r);

    th_ticsx(&r, &fx.w.hub, fx.oem, "report", "--format", "json", NULL);
    th_expect_status(&r, 0);
    root = th_parse_json(r.out);
    j = th_report_doc(root);
    {
        const json_t *nodes = json_object_get(j, "nodes");
        const json_t *n;
        assert_int_equal(json_integer_value(json_object_get(j, "depth")), 2);
        assert_int_equal(json_integer_value(json_object_get(j, "current_days")), 365);
        assert_int_equal(json_array_size(json_object_get(j, "suppliers")), 3);
        if (json_array_size(nodes) != 5) {
            fail_msg("nodes: %zu", json_array_size(nodes));
        }
        k_t1a = json_string_value(json_object_get(node_named(nodes, T1A), "key"));
        k_t1b = json_string_value(json_object_get(node_named(nodes, T1B), "key"));
        k_t2a = json_string_value(json_object_get(node_named(nodes, T2A), "key"));
        assert_string_equal(
            json_string_value(json_object_get(node_named(nodes, T2B), "fingerprint")), fp_t2b);

        n = node_named(nodes, T1A);
        assert_int_equal(json_integer_value(json_object_get(n, "tier")), 1);
        assert_string_equal(json_string_value(json_object_get(n, "answer_state")), "answered");
        assert_string_equal(json_string_value(json_object_get(n, "status")), "verified");
        assert_string_equal(json_string_value(json_object_get(n, "assessment")), a1);
        expect_flags(n, "");
        expect_parents(n, NULL, NULL);
        assert_true(json_is_true(json_object_get(n, "current")));
        assert_int_equal(json_integer_value(json_object_get(n, "age_days")), 0);

        n = node_named(nodes, T1B);
        assert_int_equal(json_integer_value(json_object_get(n, "tier")), 1);
        assert_string_equal(json_string_value(json_object_get(n, "assessment")), a2);
        expect_flags(n, "loop");
        expect_parents(n, k_t2a, NULL);

        n = node_named(nodes, T2A);
        assert_int_equal(json_integer_value(json_object_get(n, "tier")), 2);
        assert_string_equal(json_string_value(json_object_get(n, "answer_state")), "answered");
        assert_string_equal(json_string_value(json_object_get(n, "status")), "verified");
        assert_string_equal(json_string_value(json_object_get(n, "assessment")), a3);
        assert_string_equal(json_string_value(json_object_get(n, "supplies")), "plating");
        expect_flags(n, "reached_twice");
        expect_parents(n, k_t1b, k_t1a); /* tier 1 walks by name */

        n = node_named(nodes, T2B);
        assert_int_equal(json_integer_value(json_object_get(n, "tier")), 2);
        assert_string_equal(json_string_value(json_object_get(n, "answer_state")), "not_shared");
        assert_true(json_is_null(json_object_get(n, "status")));
        assert_true(json_is_null(json_object_get(n, "assessment")));
        expect_parents(n, k_t1a, NULL);

        n = node_named(nodes, NOKEY);
        assert_int_equal(json_integer_value(json_object_get(n, "tier")), 2);
        assert_true(json_is_null(json_object_get(n, "key")));
        assert_string_equal(json_string_value(json_object_get(n, "answer_state")), "not_answered");

        const json_t *t1 = json_array_get(json_object_get(j, "tiers"), 0);
        const json_t *t2 = json_array_get(json_object_get(j, "tiers"), 1);
        const json_t *tot = json_object_get(j, "total");
        assert_int_equal(json_array_size(json_object_get(j, "tiers")), 2);
        assert_true(num(t1, "nodes", NULL) == 2 && num(t1, "verified", NULL) == 2);
        assert_true(num(t1, "current", NULL) == 2 && num(t1, "certified", NULL) == 0);
        assert_true(num(t1, "coverage", "verified") == 100.0);
        assert_true(num(t1, "coverage", "certified") == 0.0);
        assert_true(num(t1, "certificate_status", "no_certificate") == 2);
        assert_true(num(t2, "nodes", NULL) == 3 && num(t2, "verified", NULL) == 1);
        assert_true(num(t2, "coverage", "verified") == 33.3);
        assert_true(num(t2, "coverage", "current") == 33.3);
        assert_true(num(tot, "nodes", NULL) == 5 && num(tot, "verified", NULL) == 3);
        assert_true(num(tot, "coverage", "verified") == 60.0);
        assert_true(json_is_null(json_object_get(tot, "tier")));
        /* Weakest link: tier-1 B answered "partly" everywhere: 50 in every area. */
        const json_t *weak = json_object_get(t1, "weakest");
        assert_int_equal(json_array_size(weak), 8);
        for (size_t i = 0; i < json_array_size(weak); i++) {
            const json_t *w = json_array_get(weak, i);
            assert_string_equal(json_string_value(json_object_get(w, "node")), k_t1b);
            assert_true(num(w, "score", NULL) == 50.0);
        }
        weak = json_object_get(t2, "weakest");
        assert_string_equal(json_string_value(json_object_get(json_array_get(weak, 0), "node")),
                            k_t2a);
        assert_true(num(json_array_get(weak, 0), "score", NULL) == 100.0);
    }
    json_decref(root);
    th_result_free(&r);

    /* --depth 1: the tier-1s only; the table fits 80 columns and shows the tree. */
    th_ticsx(&r, &fx.w.hub, fx.oem, "report", "--format", "json", "--depth", "1", NULL);
    th_expect_status(&r, 0);
    root = th_parse_json(r.out);
    assert_int_equal(json_array_size(json_object_get(th_report_doc(root), "nodes")), 2);
    json_decref(root);
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.oem, "report", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "supply tree");
    th_expect_text(r.out, "  " T2A);
    th_expect_text(r.out, "not shared");
    th_expect_text(r.out, "reached twice");
    th_expect_text(r.out, "tier 2: 3 nodes; verified 1 (33.3%)");
    for (char *line = r.out, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (nl == NULL) {
            break;
        }
        if (nl - line > 80) {
            fail_msg("line wider than 80 columns: %.*s", (int)(nl - line), line);
        }
    }
    th_result_free(&r);
    th_ticsx(&r, &fx.w.hub, fx.oem, "report", "--current-days", "0", NULL);
    th_expect_status(&r, 2);
    th_result_free(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tree),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

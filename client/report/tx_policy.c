/* Evaluation of the acceptance policy on the report's rows: one check per rule, each with its
 * reason; a row passes when every check passes; sub-suppliers roll up the supply tree; tiers
 * count passes and failures. */
#include "tx_policy.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_render_doc.h"
#include "tx_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECONDS_PER_DAY 86400
#define TX_POLICY_MAX_TIER 64

/* 1 when texts are Japanese right now (the process's language, not under --json). */
static int
texts_ja(void)
{
    int en = tx_i18n_english(1);

    tx_i18n_english(en);
    return tx_i18n_ja() && !en;
}

static void
add_check(json_t *checks, const char *rule, int pass, const char *reason)
{
    json_array_append_new(checks,
                          json_pack("{s:s,s:b,s:s}", "rule", rule, "pass", pass, "reason", reason));
}

/* The row's credentials: its "credentials" member, or else its body-signed certificate. */
static json_t *
row_credentials(const json_t *row)
{
    const json_t *c = json_object_get(row, "credentials");
    const json_t *cert = json_object_get(row, "certificate");
    const char *st;

    if (json_is_array(c)) {
        return json_incref((json_t *)c);
    }
    st = json_string_value(json_object_get(json_object_get(cert, "now"), "status"));
    if (!json_is_object(cert) || json_is_null(json_object_get(cert, "record")) || st == NULL ||
        strcmp(st, "no_certificate") == 0) {
        return json_array();
    }
    return json_pack("[{s:s,s:s,s:s,s:s?}]", "scheme", "tics", "source", "signed", "status", st,
                     "number", json_string_value(json_object_get(cert, "number")));
}

static void
check_credentials(const json_t *row, const tx_policy_rules *r, json_t *checks)
{
    json_t *creds = row_credentials(row), *c;
    char seen[512] = "", buf[768];
    size_t i, at = 0;

    json_array_foreach(creds, i, c)
    {
        const char *scheme = json_string_value(json_object_get(c, "scheme"));
        const char *status = json_string_value(json_object_get(c, "status"));
        const char *number = json_string_value(json_object_get(c, "number"));
        int sc = scheme ? tx_cred_scheme_find(scheme) : -1;
        int st = status ? tx_cred_status_find(status) : -1;
        int w;

        if (sc < 0) {
            continue;
        }
        for (size_t k = 0; k < r->n_accept; k++) {
            if (r->accept[k].scheme == sc && st >= 0 && (r->accept[k].statuses & 1u << st)) {
                if (number != NULL && number[0]) {
                    snprintf(buf, sizeof buf, _("holds %s %s (%s)"), tx_cred_scheme_word(sc, 0),
                             number, tx_cred_status_word(st, 0));
                } else {
                    snprintf(buf, sizeof buf, _("holds %s (%s)"), tx_cred_scheme_word(sc, 0),
                             tx_cred_status_word(st, 0));
                }
                add_check(checks, "credentials", 1, buf);
                json_decref(creds);
                return;
            }
        }
        if (at + 1 < sizeof seen) {
            char one[256];

            snprintf(one, sizeof one, _("%s (%s)"), tx_cred_scheme_word(sc, 0),
                     st >= 0  ? tx_cred_status_word(st, 0)
                     : status ? status
                              : "?");
            w = snprintf(seen + at, sizeof seen - at, "%s%s", at ? _(", ") : "", one);
            at = w > 0 ? at + (size_t)w : at;
            at = at < sizeof seen ? at : sizeof seen - 1;
        }
    }
    json_decref(creds);
    tx_utf8_copy(seen, sizeof seen, seen);
    if (seen[0]) {
        snprintf(buf, sizeof buf, _("no accepted credential (has %s)"), seen);
    } else {
        snprintf(buf, sizeof buf, "%s", _("no accepted credential (none certified or declared)"));
    }
    add_check(checks, "credentials", 0, buf);
}

static void
check_verified(const json_t *row, json_t *checks)
{
    const char *st = json_string_value(json_object_get(row, "status"));
    char buf[256];

    if (st != NULL && strcmp(st, "verified") == 0) {
        add_check(checks, "verified", 1, _("the assessment is verified"));
        return;
    }
    if (st == NULL) {
        add_check(checks, "verified", 0, _("no assessment was shared"));
        return;
    }
    snprintf(buf, sizeof buf, _("the assessment is not verified (%s)"),
             tx_render_status_label(st, texts_ja()));
    add_check(checks, "verified", 0, buf);
}

static void
check_level(const json_t *row, const tx_policy_rules *r, json_t *checks)
{
    const json_t *l = json_object_get(row, "level_achieved");
    char buf[256];

    if (!json_is_integer(l)) {
        snprintf(buf, sizeof buf, _("no level achieved (level %d required)"), r->level);
        add_check(checks, "level", r->level == 0, buf);
        return;
    }
    snprintf(buf, sizeof buf, _("level %d achieved (level %d required)"),
             (int)json_integer_value(l), r->level);
    add_check(checks, "level", json_integer_value(l) >= r->level, buf);
}

static void
check_area(const json_t *row, const tx_policy_area *a, json_t *checks)
{
    const json_t *area = tx_render_area_of(row, a->id);
    const json_t *s = json_object_get(area, "score");
    char buf[256];

    if (area == NULL) {
        snprintf(buf, sizeof buf, _("area %s is not in the assessment (%g%% required)"), a->id,
                 a->min);
        add_check(checks, "areas", 0, buf);
    } else if (!json_is_number(s)) {
        snprintf(buf, sizeof buf, _("area %s has no score (%g%% required)"), a->id, a->min);
        add_check(checks, "areas", 0, buf);
    } else {
        snprintf(buf, sizeof buf, _("area %s scores %.1f%% (%g%% required)"), a->id,
                 json_number_value(s), a->min);
        add_check(checks, "areas", json_number_value(s) >= a->min, buf);
    }
}

static void
check_overall(const json_t *row, const tx_policy_rules *r, json_t *checks)
{
    const json_t *s = json_object_get(row, "overall");
    char buf[256];

    if (!json_is_number(s)) {
        snprintf(buf, sizeof buf, _("no overall score (%g%% required)"), r->overall);
        add_check(checks, "overall", 0, buf);
        return;
    }
    snprintf(buf, sizeof buf, _("overall score %.1f%% (%g%% required)"), json_number_value(s),
             r->overall);
    add_check(checks, "overall", json_number_value(s) >= r->overall, buf);
}

static void
check_within(const json_t *row, const tx_policy_rules *r, int64_t now, json_t *checks)
{
    const char *d = json_string_value(json_object_get(row, "as_of"));
    int64_t as_of;
    char buf[256];
    long days;

    if (d == NULL || tx_parse_time(d, &as_of) != TX_OK) {
        snprintf(buf, sizeof buf, _("no answer date (answered within %d days required)"),
                 r->within_days);
        add_check(checks, "within_days", 0, buf);
        return;
    }
    days = now >= as_of ? (long)((now - as_of) / SECONDS_PER_DAY) : 0;
    snprintf(buf, sizeof buf, _("answered on %s, %ld days before the report (at most %d)"), d, days,
             r->within_days);
    add_check(checks, "within_days", days <= r->within_days, buf);
}

/* Counts the row's remediation plans ("plans"."items") overdue on `now`, and those marked
 * done more than `days` days before it (their item still short of full credit). */
static void
count_plans(const json_t *row, int64_t now, int days, long *overdue, long *stale)
{
    const json_t *it;
    int64_t today = now - now % SECONDS_PER_DAY, t;
    size_t i;

    *overdue = *stale = 0;
    json_array_foreach(json_object_get(json_object_get(row, "plans"), "items"), i, it)
    {
        const char *due = json_string_value(json_object_get(it, "due"));
        const char *done = json_string_value(json_object_get(it, "done"));

        if (done != NULL && tx_parse_time(done, &t) == TX_OK) {
            *stale += days >= 0 && today > t + (int64_t)days * SECONDS_PER_DAY;
        } else if (due != NULL && tx_parse_time(due, &t) == TX_OK) {
            *overdue += t < today;
        }
    }
}

static void
check_plans(const json_t *row, const tx_policy_rules *r, int64_t now, json_t *checks)
{
    long overdue, stale;
    char buf[256];

    count_plans(row, now, r->plan_days, &overdue, &stale);
    if (r->max_overdue >= 0) {
        snprintf(buf, sizeof buf, _("%ld remediation plans past their due date (at most %d)"),
                 overdue, r->max_overdue);
        add_check(checks, "max_overdue", overdue <= r->max_overdue, buf);
    }
    if (r->plan_days >= 0) {
        snprintf(buf, sizeof buf,
                 _("%ld remediation plans done more than %d days ago without an improved "
                   "answer"),
                 stale, r->plan_days);
        add_check(checks, "plan_days", stale == 0, buf);
    }
}

/* A row's policy object with every rule but sub_suppliers. */
json_t *
tx_policy_row(const json_t *row, const tx_policy *p, int64_t now)
{
    const tx_policy_rules *r = &p->rules;
    json_t *checks = json_array(), *reasons = json_array(), *c;
    size_t i;
    int pass = 1;

    if (r->n_accept) {
        check_credentials(row, r, checks);
    }
    if (r->verified) {
        check_verified(row, checks);
    }
    if (r->level >= 0) {
        check_level(row, r, checks);
    }
    for (i = 0; i < r->n_areas; i++) {
        check_area(row, &r->areas[i], checks);
    }
    if (r->overall >= 0) {
        check_overall(row, r, checks);
    }
    if (r->within_days >= 0) {
        check_within(row, r, now, checks);
    }
    if (r->max_overdue >= 0 || r->plan_days >= 0) {
        check_plans(row, r, now, checks);
    }
    json_array_foreach(checks, i, c)
    {
        if (!json_is_true(json_object_get(c, "pass"))) {
            pass = 0;
            json_array_append(reasons, json_object_get(c, "reason"));
        }
    }
    return json_pack("{s:i,s:b,s:o,s:o}", "version", p->version, "pass", pass, "reasons", reasons,
                     "checks", checks);
}

static void
set_pass(json_t *pol, int pass)
{
    json_object_set_new(pol, "pass", json_boolean(pass));
}

/* Per parent key, the nodes that name it among their "parents" (each node once, in order):
 * {"key": [index, ...]}. NULL on NOMEM. */
static json_t *
children_of(const json_t *nodes)
{
    json_t *by_parent = json_object(), *node, *par;
    size_t j, k;

    json_array_foreach(nodes, j, node)
    {
        json_array_foreach(json_object_get(node, "parents"), k, par)
        {
            json_t *list;
            size_t last;
            if (!json_is_string(par)) {
                continue;
            }
            list = json_object_get(by_parent, json_string_value(par));
            if (list == NULL) {
                list = json_array();
                if (json_object_set_new(by_parent, json_string_value(par), list) != 0) {
                    json_decref(by_parent);
                    return NULL;
                }
            }
            last = json_array_size(list);
            if (last > 0 && (size_t)json_integer_value(json_array_get(list, last - 1)) == j) {
                continue; /* the same parent named twice by one node */
            }
            if (json_array_append_new(list, json_integer((json_int_t)j)) != 0) {
                json_decref(by_parent);
                return NULL;
            }
        }
    }
    return by_parent;
}

/* The sub-suppliers rule on the tree: a node passes when it passes itself and every node that
 * names it as a parent (deeper in the tree) passes, deepest tier first. */
static int
roll_up_nodes(json_t *nodes)
{
    size_t n = json_array_size(nodes), i, k;
    json_int_t deepest = 0, *tier = calloc(n ? n : 1, sizeof *tier);
    json_t *by_parent = children_of(nodes), *sub;

    if (tier == NULL || by_parent == NULL) {
        free(tier);
        json_decref(by_parent);
        return TX_ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        tier[i] = json_integer_value(json_object_get(json_array_get(nodes, i), "tier"));
        deepest = tier[i] > deepest ? tier[i] : deepest;
    }
    if (deepest > TX_POLICY_MAX_TIER) {
        deepest = TX_POLICY_MAX_TIER; /* deeper nodes are not a supply tree ticsx walks */
    }
    for (json_int_t t = deepest; t >= 1; t--) {
        for (i = 0; i < n; i++) {
            json_t *node = json_array_get(nodes, i), *pol = json_object_get(node, "policy");
            const json_t *key = json_object_get(node, "key"), *named_by;
            size_t failing = 0, subs = 0;
            char buf[256];

            if (tier[i] != t) {
                continue;
            }
            named_by =
                json_is_string(key) ? json_object_get(by_parent, json_string_value(key)) : NULL;
            json_array_foreach(named_by, k, sub)
            {
                size_t j = (size_t)json_integer_value(sub);
                if (tier[j] <= t) {
                    continue; /* a loop back up the tree is not a sub-supplier */
                }
                subs++;
                failing += !json_is_true(
                    json_object_get(json_object_get(json_array_get(nodes, j), "policy"), "pass"));
            }
            if (failing) {
                snprintf(buf, sizeof buf, _("%zu of %zu sub-suppliers do not meet the policy"),
                         failing, subs);
            } else if (subs) {
                snprintf(buf, sizeof buf, _("all %zu sub-suppliers meet the policy"), subs);
            } else {
                snprintf(buf, sizeof buf, "%s", _("no sub-suppliers in the report"));
            }
            json_array_append_new(json_object_get(pol, "checks"),
                                  json_pack("{s:s,s:b,s:s}", "rule", "sub_suppliers", "pass",
                                            failing == 0, "reason", buf));
            if (failing) {
                json_array_append_new(json_object_get(pol, "reasons"), json_string(buf));
                set_pass(pol, 0);
            }
        }
    }
    free(tier);
    json_decref(by_parent);
    return TX_OK;
}

/* A supplier row takes its sub_suppliers check from its tree node (the first of tier 1 or
 * deeper with the same key). */
static int
rows_from_nodes(json_t *rows, const json_t *nodes)
{
    json_t *first = json_object(), *row, *node; /* key -> its first node of tier >= 1 */
    size_t i;

    if (first == NULL) {
        return TX_ERR_NOMEM;
    }
    json_array_foreach(nodes, i, node)
    {
        const json_t *key = json_object_get(node, "key");
        if (json_is_string(key) && json_integer_value(json_object_get(node, "tier")) >= 1 &&
            json_object_get(first, json_string_value(key)) == NULL &&
            json_object_set(first, json_string_value(key), node) != 0) {
            json_decref(first);
            return TX_ERR_NOMEM;
        }
    }
    json_array_foreach(rows, i, row)
    {
        json_t *pol = json_object_get(row, "policy");
        const json_t *key = json_object_get(row, "key"), *check = NULL, *c;

        node = json_is_string(key) ? json_object_get(first, json_string_value(key)) : NULL;
        if (node != NULL) {
            size_t k;

            json_array_foreach(json_object_get(json_object_get(node, "policy"), "checks"), k, c)
            {
                if (strcmp(json_string_value(json_object_get(c, "rule")), "sub_suppliers") == 0) {
                    check = c;
                }
            }
        }
        if (node == NULL || check == NULL) {
            check = json_pack("{s:s,s:b,s:s}", "rule", "sub_suppliers", "pass", 1, "reason",
                              _("not in the supply tree of this report"));
            json_array_append_new(json_object_get(pol, "checks"), (json_t *)check);
            continue;
        }
        json_array_append(json_object_get(pol, "checks"), (json_t *)check);
        if (!json_is_true(json_object_get(check, "pass"))) {
            json_array_append(json_object_get(pol, "reasons"), json_object_get(check, "reason"));
            set_pass(pol, 0);
        }
    }
    json_decref(first);
    return TX_OK;
}

/* "policy_pass" and "policy_fail" of each tier and the total, from the nodes; null when no
 * policy applies. */
static void
count_tiers(json_t *doc, const tx_policy *p)
{
    json_t *tiers = json_object_get(doc, "tiers"), *total = json_object_get(doc, "total");
    json_t *nodes = json_object_get(doc, "nodes"), *t, *node;
    json_int_t pass_all = 0, fail_all = 0;
    size_t i, j;

    json_array_foreach(tiers, i, t)
    {
        json_int_t tier = json_integer_value(json_object_get(t, "tier")), pass = 0, fail = 0;

        json_array_foreach(nodes, j, node)
        {
            const json_t *pol = json_object_get(node, "policy");

            if (p == NULL || json_integer_value(json_object_get(node, "tier")) != tier) {
                continue;
            }
            pass += json_is_true(json_object_get(pol, "pass"));
            fail += !json_is_true(json_object_get(pol, "pass"));
        }
        json_object_set_new(t, "policy_pass", p != NULL ? json_integer(pass) : json_null());
        json_object_set_new(t, "policy_fail", p != NULL ? json_integer(fail) : json_null());
        pass_all += pass;
        fail_all += fail;
    }
    if (json_is_object(total)) {
        json_object_set_new(total, "policy_pass", p != NULL ? json_integer(pass_all) : json_null());
        json_object_set_new(total, "policy_fail", p != NULL ? json_integer(fail_all) : json_null());
    }
}

json_t *
tx_policy_doc(const tx_policy *p)
{
    char text[4096];

    if (p == NULL) {
        return json_null();
    }
    tx_policy_rules_text(&p->rules, 0, text, sizeof text);
    return json_pack("{s:i,s:o,s:o,s:s,s:o,s:o}", "version", p->version, "name",
                     p->rules.name[0] ? json_string(p->rules.name) : json_null(), "set",
                     tx_json_date(p->set), "text", text, "rules",
                     tx_policy_rules_list(&p->rules, 0), "definition",
                     tx_policy_rules_json(&p->rules));
}

static int
apply_rows(json_t *rows, const tx_policy *p, int64_t now)
{
    size_t i;
    json_t *row;

    json_array_foreach(rows, i, row)
    {
        json_t *pol;

        if (!json_is_object(row)) {
            continue;
        }
        pol = p != NULL ? tx_policy_row(row, p, now) : json_null();

        if (pol == NULL || json_object_set_new(row, "policy", pol) != 0) {
            return TX_ERR_NOMEM;
        }
    }
    return TX_OK;
}

int
tx_policy_apply(json_t *doc, const tx_policy *p, int64_t now)
{
    json_t *nodes = json_object_get(doc, "nodes");
    json_t *rows = json_object_get(doc, "suppliers");
    int rc;

    if ((rc = apply_rows(rows, p, now)) != TX_OK || (rc = apply_rows(nodes, p, now)) != TX_OK) {
        return rc;
    }
    if (p != NULL && p->rules.sub_suppliers &&
        ((rc = roll_up_nodes(nodes)) != TX_OK || (rc = rows_from_nodes(rows, nodes)) != TX_OK)) {
        return rc;
    }
    count_tiers(doc, p);
    if (json_object_set_new(doc, "policy", tx_policy_doc(p)) != 0) {
        return TX_ERR_NOMEM;
    }
    return TX_OK;
}

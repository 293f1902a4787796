/* The acceptance policy's rule language: a strict JSON parser (every member named in its
 * message), the normalised JSON of a policy, and its sentence in the process's language. */
#include "tx_policy_rule.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
tx_policy_rules_init(tx_policy_rules *p)
{
    memset(p, 0, sizeof *p);
    p->level = -1;
    p->overall = -1;
    p->within_days = -1;
    p->plan_days = -1;
    p->max_overdue = -1;
}

/* An integer member in [lo, hi]. */
static int
get_int(const json_t *v, const char *what, long lo, long hi, int *out)
{
    json_int_t x;

    if (!json_is_integer(v)) {
        return tx_fail(TX_ERR_MALFORMED, "%s: should be a whole number", what);
    }
    x = json_integer_value(v);
    if (x < lo || x > hi) {
        return tx_fail(TX_ERR_MALFORMED, "%s: %lld is out of range (%ld to %ld)", what,
                       (long long)x, lo, hi);
    }
    *out = (int)x;
    return TX_OK;
}

static int
get_percent(const json_t *v, const char *what, double *out)
{
    double x;

    if (!json_is_number(v)) {
        return tx_fail(TX_ERR_MALFORMED, "%s: should be a percentage (a number from 0 to 100)",
                       what);
    }
    x = json_number_value(v);
    if (!(x >= 0 && x <= 100)) {
        return tx_fail(TX_ERR_MALFORMED, "%s: %g is not a percentage from 0 to 100", what, x);
    }
    *out = x;
    return TX_OK;
}

static int
get_bool(const json_t *v, const char *what, int *out)
{
    if (!json_is_boolean(v)) {
        return tx_fail(TX_ERR_MALFORMED, "%s: should be true or false", what);
    }
    *out = json_is_true(v);
    return TX_OK;
}

static int
parse_accept(const json_t *a, size_t i, tx_policy_accept *out)
{
    char what[64];
    const char *key;
    const json_t *v, *st;
    size_t j;

    snprintf(what, sizeof what, "credentials[%zu]", i);
    if (!json_is_object(a)) {
        return tx_fail(TX_ERR_MALFORMED,
                       "%s: should be an object such as {\"scheme\": \"tics\", \"status\": "
                       "[\"valid\", \"listed\"]}",
                       what);
    }
    json_object_foreach((json_t *)a, key, v)
    {
        if (strcmp(key, "scheme") != 0 && strcmp(key, "status") != 0) {
            return tx_fail(TX_ERR_MALFORMED, "%s: unknown member \"%s\" (scheme, status)", what,
                           key);
        }
    }
    v = json_object_get(a, "scheme");
    if (!json_is_string(v)) {
        return tx_fail(TX_ERR_MALFORMED,
                       "%s.scheme: missing or not a string (tics, isms, tisax, pmark, audit)",
                       what);
    }
    if ((out->scheme = tx_cred_scheme_find(json_string_value(v))) < 0) {
        return tx_fail(TX_ERR_MALFORMED,
                       "%s.scheme: unknown scheme \"%s\" (tics, isms, tisax, pmark, audit)", what,
                       json_string_value(v));
    }
    st = json_object_get(a, "status");
    out->statuses = 0;
    if (st == NULL) {
        out->statuses = 1u << 0 | 1u << 1; /* valid or listed */
        return TX_OK;
    }
    if (!json_is_array(st) || json_array_size(st) == 0) {
        return tx_fail(TX_ERR_MALFORMED,
                       "%s.status: should be a list of statuses such as [\"valid\", \"listed\"]",
                       what);
    }
    json_array_foreach(st, j, v)
    {
        int s = json_is_string(v) ? tx_cred_status_find(json_string_value(v)) : -1;

        if (s < 0) {
            return tx_fail(TX_ERR_MALFORMED,
                           "%s.status[%zu]: unknown status %s%s%s (valid, listed, declared, "
                           "report_due, applied, under_audit, ...)",
                           what, j, json_is_string(v) ? "\"" : "",
                           json_is_string(v) ? json_string_value(v) : "(not a string)",
                           json_is_string(v) ? "\"" : "");
        }
        if (out->statuses & 1u << s) {
            return tx_fail(TX_ERR_MALFORMED, "%s.status[%zu]: \"%s\" is named twice", what, j,
                           tx_cred_statuses[s]);
        }
        out->statuses |= 1u << s;
    }
    return TX_OK;
}

static int
parse_areas(const json_t *o, tx_policy_rules *p)
{
    const char *key;
    const json_t *v;
    char what[64];
    int rc;

    if (!json_is_object(o)) {
        return tx_fail(TX_ERR_MALFORMED, "areas: should be an object such as {\"A5\": 60}");
    }
    json_object_foreach((json_t *)o, key, v)
    {
        size_t len = strlen(key);

        if (p->n_areas == TX_POLICY_MAX_AREAS) {
            return tx_fail(TX_ERR_TOO_LARGE, "areas: at most %d areas", TX_POLICY_MAX_AREAS);
        }
        if (len == 0 || len >= TX_POLICY_AREA_ID_MAX) {
            return tx_fail(TX_ERR_MALFORMED, "areas: an area id has 1 to %d characters",
                           TX_POLICY_AREA_ID_MAX - 1);
        }
        for (size_t i = 0; i < len; i++) {
            char c = key[i];

            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.')) {
                return tx_fail(TX_ERR_MALFORMED,
                               "areas: \"%s\" is not an area id (letters, digits, - _ .)", key);
            }
        }
        snprintf(what, sizeof what, "areas.%s", key);
        if ((rc = get_percent(v, what, &p->areas[p->n_areas].min)) != TX_OK) {
            return rc;
        }
        memcpy(p->areas[p->n_areas].id, key, len + 1);
        p->n_areas++;
    }
    return TX_OK;
}

int
tx_policy_rules_from_json(const json_t *o, int stored, tx_policy_rules *p)
{
    const char *key;
    const json_t *v;
    int rc = TX_OK;

    tx_policy_rules_init(p);
    if (!json_is_object(o)) {
        return tx_fail(TX_ERR_MALFORMED, "a policy is a JSON object");
    }
    json_object_foreach((json_t *)o, key, v)
    {
        if (strcmp(key, "name") == 0) {
            size_t len = json_is_string(v) ? json_string_length(v) : 0;

            if (!json_is_string(v) || len >= TX_POLICY_NAME_MAX ||
                !tx_utf8_valid(json_string_value(v), len)) {
                return tx_fail(TX_ERR_MALFORMED, "name: should be a text of at most %d bytes",
                               TX_POLICY_NAME_MAX - 1);
            }
            memcpy(p->name, json_string_value(v), len + 1);
        } else if (strcmp(key, "credentials") == 0) {
            size_t i;
            const json_t *a;

            if (!json_is_array(v)) {
                return tx_fail(TX_ERR_MALFORMED,
                               "credentials: should be a list of accepted credentials (any one "
                               "of them is enough)");
            }
            if (json_array_size(v) > TX_POLICY_MAX_ACCEPT) {
                return tx_fail(TX_ERR_TOO_LARGE, "credentials: at most %d alternatives",
                               TX_POLICY_MAX_ACCEPT);
            }
            json_array_foreach(v, i, a)
            {
                if ((rc = parse_accept(a, i, &p->accept[i])) != TX_OK) {
                    return rc;
                }
                for (size_t j = 0; j < i; j++) {
                    if (p->accept[j].scheme == p->accept[i].scheme) {
                        return tx_fail(TX_ERR_MALFORMED,
                                       "credentials[%zu]: scheme \"%s\" is named twice (list "
                                       "all its statuses in one entry)",
                                       i, tx_cred_schemes[p->accept[i].scheme]);
                    }
                }
            }
            p->n_accept = json_array_size(v);
        } else if (strcmp(key, "level") == 0) {
            rc = get_int(v, "level", 0, 99, &p->level);
        } else if (strcmp(key, "areas") == 0) {
            rc = parse_areas(v, p);
        } else if (strcmp(key, "overall") == 0) {
            rc = get_percent(v, "overall", &p->overall);
        } else if (strcmp(key, "within_days") == 0) {
            rc = get_int(v, "within_days", 1, TX_POLICY_MAX_DAYS, &p->within_days);
        } else if (strcmp(key, "report_grace_days") == 0) {
            rc = get_int(v, "report_grace_days", 0, TX_POLICY_MAX_DAYS, &p->grace_days);
        } else if (strcmp(key, "plan_days") == 0) {
            rc = get_int(v, "plan_days", 0, TX_POLICY_MAX_DAYS, &p->plan_days);
        } else if (strcmp(key, "max_overdue") == 0) {
            rc = get_int(v, "max_overdue", 0, 100000, &p->max_overdue);
        } else if (strcmp(key, "verified") == 0) {
            rc = get_bool(v, "verified", &p->verified);
        } else if (strcmp(key, "sub_suppliers") == 0) {
            rc = get_bool(v, "sub_suppliers", &p->sub_suppliers);
        } else if (stored && (strcmp(key, "version") == 0 || strcmp(key, "set") == 0)) {
            continue;
        } else {
            return tx_fail(TX_ERR_MALFORMED,
                           "unknown member \"%s\" (name, credentials, level, areas, overall, "
                           "within_days, report_grace_days, verified, sub_suppliers, "
                           "plan_days, max_overdue)",
                           key);
        }
        if (rc != TX_OK) {
            return rc;
        }
    }
    return TX_OK;
}

int
tx_policy_rules_parse(const char *what, const uint8_t *text, size_t len, int stored,
                      tx_policy_rules *out)
{
    json_error_t err;
    json_t *o;
    int rc;

    tx_policy_rules_init(out);
    if (len > TX_POLICY_MAX_BYTES) {
        return tx_fail(TX_ERR_TOO_LARGE, "%s: a policy has at most %d bytes", what,
                       TX_POLICY_MAX_BYTES);
    }
    if (!tx_utf8_valid((const char *)text, len)) {
        return tx_fail(TX_ERR_BAD_UTF8, "%s: not UTF-8 text", what);
    }
    o = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &err);
    if (o == NULL) {
        return tx_fail(TX_ERR_MALFORMED, "%s: line %d, column %d: %s", what, err.line, err.column,
                       err.text);
    }
    rc = tx_policy_rules_from_json(o, stored, out);
    json_decref(o);
    if (rc != TX_OK) {
        char why[512];

        snprintf(why, sizeof why, "%s", tx_fail_msg());
        return tx_fail(rc, "%s: %s", what, why);
    }
    return TX_OK;
}

json_t *
tx_policy_rules_json(const tx_policy_rules *p)
{
    json_t *o = json_object();

    if (o == NULL) {
        return NULL;
    }
    if (p->name[0]) {
        json_object_set_new(o, "name", json_string(p->name));
    }
    if (p->n_accept) {
        json_t *arr = json_array();

        for (size_t i = 0; i < p->n_accept; i++) {
            json_t *st = json_array();

            for (int s = 0; s < TX_CRED_COUNT_; s++) {
                if (p->accept[i].statuses & 1u << s) {
                    json_array_append_new(st, json_string(tx_cred_statuses[s]));
                }
            }
            json_array_append_new(arr,
                                  json_pack("{s:s,s:o}", "scheme",
                                            tx_cred_schemes[p->accept[i].scheme], "status", st));
        }
        json_object_set_new(o, "credentials", arr);
    }
    if (p->level >= 0) {
        json_object_set_new(o, "level", json_integer(p->level));
    }
    if (p->n_areas) {
        json_t *a = json_object();

        for (size_t i = 0; i < p->n_areas; i++) {
            json_object_set_new(a, p->areas[i].id, json_real(p->areas[i].min));
        }
        json_object_set_new(o, "areas", a);
    }
    if (p->overall >= 0) {
        json_object_set_new(o, "overall", json_real(p->overall));
    }
    if (p->within_days >= 0) {
        json_object_set_new(o, "within_days", json_integer(p->within_days));
    }
    if (p->grace_days > 0) {
        json_object_set_new(o, "report_grace_days", json_integer(p->grace_days));
    }
    if (p->verified) {
        json_object_set_new(o, "verified", json_true());
    }
    if (p->sub_suppliers) {
        json_object_set_new(o, "sub_suppliers", json_true());
    }
    if (p->plan_days >= 0) {
        json_object_set_new(o, "plan_days", json_integer(p->plan_days));
    }
    if (p->max_overdue >= 0) {
        json_object_set_new(o, "max_overdue", json_integer(p->max_overdue));
    }
    return o;
}

/* Appends printf output to out (size n) at *at, cutting at a character boundary. */
static void cat(char *out, size_t n, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
cat(char *out, size_t n, size_t *at, const char *fmt, ...)
{
    va_list ap;
    int w;

    if (*at + 1 >= n) {
        return;
    }
    va_start(ap, fmt);
    w = vsnprintf(out + *at, n - *at, fmt, ap);
    va_end(ap);
    if (w < 0) {
        return;
    }
    if ((size_t)w >= n - *at) {
        tx_utf8_copy(out + *at, n - *at, out + *at);
        *at = strlen(out);
        return;
    }
    *at += (size_t)w;
}

/* "TICS (Valid or Listed in a register) or ISMS (Valid)". */
static void
accept_text(const tx_policy_rules *p, char *out, size_t n)
{
    char acc[1024] = "", one[512], st[384], tmp[1024];

    for (size_t i = 0; i < p->n_accept; i++) {
        st[0] = '\0';
        for (int s = 0; s < TX_CRED_COUNT_; s++) {
            if (p->accept[i].statuses & 1u << s) {
                if (st[0]) {
                    snprintf(tmp, sizeof tmp, _("%1$s or %2$s"), st, tx_cred_status_word(s, 0));
                    tx_utf8_copy(st, sizeof st, tmp);
                } else {
                    tx_utf8_copy(st, sizeof st, tx_cred_status_word(s, 0));
                }
            }
        }
        snprintf(one, sizeof one, _("%s (%s)"), tx_cred_scheme_word(p->accept[i].scheme, 0), st);
        if (acc[0]) {
            snprintf(tmp, sizeof tmp, _("%1$s or %2$s"), acc, one);
            tx_utf8_copy(acc, sizeof acc, tmp);
        } else {
            tx_utf8_copy(acc, sizeof acc, one);
        }
    }
    tx_utf8_copy(out, n, acc);
}

/* The sentence of each rule in force, in order; `fn` receives the member's name and text. */
static void
each_rule(const tx_policy_rules *p, void (*fn)(void *, const char *, const char *), void *arg)
{
    char buf[1024], part[512];

    if (p->n_accept) {
        accept_text(p, part, sizeof part);
        snprintf(buf, sizeof buf, _("holds %s"), part);
        fn(arg, "credentials", buf);
    }
    if (p->verified) {
        fn(arg, "verified", _("the assessment is verified"));
    }
    if (p->level >= 0) {
        snprintf(buf, sizeof buf, _("achieves level %d or higher"), p->level);
        fn(arg, "level", buf);
    }
    for (size_t i = 0; i < p->n_areas; i++) {
        snprintf(buf, sizeof buf, _("scores at least %g%% in area %s"), p->areas[i].min,
                 p->areas[i].id);
        fn(arg, "areas", buf);
    }
    if (p->overall >= 0) {
        snprintf(buf, sizeof buf, _("scores at least %g%% overall"), p->overall);
        fn(arg, "overall", buf);
    }
    if (p->within_days >= 0) {
        snprintf(buf, sizeof buf, _("answered within the last %d days"), p->within_days);
        fn(arg, "within_days", buf);
    }
    if (p->sub_suppliers) {
        fn(arg, "sub_suppliers", _("every sub-supplier meets the policy too"));
    }
    if (p->max_overdue >= 0) {
        snprintf(buf, sizeof buf, _("has at most %d remediation plans past their due date"),
                 p->max_overdue);
        fn(arg, "max_overdue", buf);
    }
    if (p->plan_days >= 0) {
        snprintf(buf, sizeof buf,
                 _("improves each item whose remediation plan is done within %d days"),
                 p->plan_days);
        fn(arg, "plan_days", buf);
    }
    if (p->grace_days > 0) {
        snprintf(buf, sizeof buf,
                 _("a TICS periodic report late by up to %d days is a warning, not a failure"),
                 p->grace_days);
        fn(arg, "report_grace_days", buf);
    }
}

static void
add_rule(void *arg, const char *rule, const char *text)
{
    json_array_append_new((json_t *)arg, json_pack("{s:s,s:s}", "rule", rule, "text", text));
}

json_t *
tx_policy_rules_list(const tx_policy_rules *p, int en)
{
    json_t *arr = json_array();
    int was = en ? tx_i18n_english(1) : 0;

    if (arr != NULL) {
        each_rule(p, add_rule, arr);
    }
    if (en) {
        tx_i18n_english(was);
    }
    return arr;
}

typedef struct {
    char *out;
    size_t n, at;
    int count;
} sentence;

static void
add_part(void *arg, const char *rule, const char *text)
{
    sentence *s = arg;

    if (strcmp(rule, "report_grace_days") == 0) {
        return; /* not a condition: a sentence of its own */
    }
    cat(s->out, s->n, &s->at, "%s%s", s->count ? _("; ") : "", text);
    s->count++;
}

void
tx_policy_rules_text(const tx_policy_rules *p, int en, char *out, size_t n)
{
    int was = en ? tx_i18n_english(1) : 0;
    sentence s = {out, n, 0, 0};
    char body[2048];

    out[0] = '\0';
    s.out = body;
    s.n = sizeof body;
    body[0] = '\0';
    each_rule(p, add_part, &s);
    if (s.count == 0) {
        snprintf(out, n, "%s", _("No rule: every supplier meets this policy."));
    } else {
        snprintf(out, n, _("A supplier is accepted when it %s."), body);
    }
    if (p->grace_days > 0) {
        char first[2560];

        tx_utf8_copy(first, sizeof first, out);
        snprintf(out, n,
                 _("%1$s A TICS periodic report late by up to %2$d days is a warning, not a "
                   "failure."),
                 first, p->grace_days);
    }

    tx_utf8_copy(out, n, out);
    if (en) {
        tx_i18n_english(was);
    }
}

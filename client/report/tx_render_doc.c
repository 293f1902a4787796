/* Reading the report's JSON document, for every renderer: texts, labels, rows and areas; and
 * the report's words in its language, from the one catalogue (po/ja.po). */
#include "tx_render_doc.h"

#include "tx_cert_judge.h"
#include "tx_i18n.h"
#include "tx_util.h"
#include "tx_verify.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The compiled catalogue (ja/LC_MESSAGES/ticsx.mo where tx_i18n found it), read once: gettext
 * answers in the process's one language, while the web UI renders each report in the language
 * of the page that asks. A .mo file is a header, then the (length, offset) pairs of the sorted
 * msgids and of their translations; every string ends in a NUL. */
#define MO_MAX (16u << 20)
#define MO_MAGIC 0x950412deu

static struct {
    unsigned char *data;
    size_t len;
    uint32_t n, orig, trans;
    int swap;
} mo;
static pthread_once_t mo_once = PTHREAD_ONCE_INIT;

static uint32_t
mo_u32(size_t at)
{
    uint32_t v;

    memcpy(&v, mo.data + at, sizeof v);
    return mo.swap ? __builtin_bswap32(v) : v;
}

/* The string of the pair at `at`, NULL when it does not lie, NUL-terminated, inside the file. */
static const char *
mo_str(size_t at)
{
    uint64_t len = mo_u32(at), off = mo_u32(at + 4);

    return off + len < mo.len && mo.data[off + len] == 0 ? (const char *)mo.data + off : NULL;
}

static void
mo_load(void)
{
    char path[PATH_MAX];
    const char *dir = tx_i18n_localedir();
    FILE *f;
    long len;
    uint32_t magic;

    if (dir[0] == 0 ||
        snprintf(path, sizeof path, "%s/ja/LC_MESSAGES/ticsx.mo", dir) >= (int)sizeof path ||
        (f = fopen(path, "rb")) == NULL) {
        return;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 28 && (unsigned long)len <= MO_MAX &&
        fseek(f, 0, SEEK_SET) == 0 && (mo.data = malloc((size_t)len)) != NULL &&
        fread(mo.data, 1, (size_t)len, f) == (size_t)len) {
        mo.len = (size_t)len;
        memcpy(&magic, mo.data, sizeof magic);
        mo.swap = magic != MO_MAGIC;
        if (mo_u32(0) == MO_MAGIC) {
            mo.n = mo_u32(8);
            mo.orig = mo_u32(12);
            mo.trans = mo_u32(16);
        }
        /* Both tables inside the file, or no table at all. */
        if ((uint64_t)mo.orig + 8u * (uint64_t)mo.n > mo.len ||
            (uint64_t)mo.trans + 8u * (uint64_t)mo.n > mo.len) {
            mo.n = 0;
        }
    }
    fclose(f);
}

/* The Japanese of msgid in the .mo file, NULL when it has none. */
static const char *
mo_find(const char *msgid)
{
    size_t lo = 0, hi;

    pthread_once(&mo_once, mo_load);
    hi = mo.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *id = mo_str(mo.orig + 8 * mid);
        int c;
        if (id == NULL) {
            return NULL;
        }
        c = strcmp(msgid, id);
        if (c == 0) {
            const char *ja = mo_str(mo.trans + 8 * mid);
            return ja != NULL && ja[0] != 0 ? ja : NULL;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

const char *
tx_render_tr(const char *msgid, int ja)
{
    const char *t;

    if (!ja) {
        return msgid;
    }
    if (tx_i18n_ja()) {
        return gettext(msgid);
    }
    t = mo_find(msgid);
    return t != NULL ? t : msgid;
}

const char *
tx_render_text(const json_t *text, int ja)
{
    const char *want = json_string_value(json_object_get(text, ja ? "ja" : "en"));
    const char *other = json_string_value(json_object_get(text, ja ? "en" : "ja"));

    if (want != NULL && want[0] != 0) {
        return want;
    }
    return other != NULL ? other : "";
}

const char *
tx_render_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL ? s : "";
}

const char *
tx_render_cert_status(const json_t *supplier)
{
    return tx_render_str(json_object_get(json_object_get(supplier, "certificate"), "now"),
                         "status");
}

/* The certificate states and verdicts in the web UI's words (client/ui/assets/i18n.js, "cert."
 * and "status."), so a report and the page call one state by one name. */
static const char *const cert_labels[][2] = {
    {"valid", N_("Valid")},
    {"not_yet_valid", N_("Not yet valid")},
    {"expired", N_("Expired")},
    {"stale", N_("Periodic report overdue")},
    {"suspended", N_("Suspended")},
    {"revoked", N_("Revoked")},
    {"not_accredited", N_("Not accredited")},
    {"holder_mismatch", N_("Holder mismatch")},
    {"no_certificate", N_("No certificate")},
    {"unavailable", N_("Unavailable")},
};

static const char *const status_labels[][2] = {
    {"verified", N_("Verified")},          {"expired", N_("Expired")},
    {"revoked", N_("Sharing revoked")},    {"superseded", N_("Superseded")},
    {"failed", N_("Verification failed")}, {"not_shared", N_("Not shared")},
    {"not_answered", N_("Not answered")},  {"answered", N_("Answered")},
};

static const char *
label_of(const char *const (*table)[2], size_t n, const char *name, int ja)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(name, table[i][0]) == 0) {
            return tx_render_tr(table[i][1], ja);
        }
    }
    return NULL;
}

const char *
tx_render_cert_label(const char *status_name, int ja)
{
    const char *l = label_of(cert_labels, TX_ARRAY_LEN(cert_labels), status_name, ja);

    return l != NULL ? l : "-";
}

const char *
tx_render_status_label(const char *status, int ja)
{
    const char *l = label_of(status_labels, 5, status, ja);

    return l != NULL ? l : status;
}

const char *
tx_render_verdict_word(int status, int ja)
{
    return ja ? tx_render_status_label(tx_verdict_name(status), 1) : tx_verdict_name(status);
}

const char *
tx_render_cert_word(int status, int ja)
{
    /* English tables give a certificate's state 9 columns: short words of their own. */
    static const char *const short_en[] = {
        [TX_CERT_VALID] = "valid",
        [TX_CERT_NOT_YET_VALID] = "not yet",
        [TX_CERT_EXPIRED] = "expired",
        [TX_CERT_STALE] = "stale",
        [TX_CERT_SUSPENDED] = "suspended",
        [TX_CERT_REVOKED] = "revoked",
        [TX_CERT_NOT_ACCREDITED] = "no accr",
        [TX_CERT_HOLDER_MISMATCH] = "holder?",
        [TX_CERT_NONE] = "none",
        [TX_CERT_UNAVAILABLE] = "missing",
    };

    if (ja) {
        return tx_render_cert_label(tx_cert_status_name(status), 1);
    }
    return status >= 0 && (size_t)status < TX_ARRAY_LEN(short_en) ? short_en[status] : "?";
}

const char *
tx_render_answer_state_label(const char *state, int ja)
{
    const char *l = label_of(status_labels + 5, 3, state, ja);

    return l != NULL ? l : state;
}

void
tx_render_utf8_fix(char *s)
{
    size_t len = strlen(s), lead = len, need;

    while (lead > 0 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80) {
        lead--;
    }
    if (lead == 0) {
        return;
    }
    unsigned char c = (unsigned char)s[lead - 1];
    need = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len - (lead - 1) < need) {
        s[lead - 1] = 0;
    }
}

const json_t *
tx_render_area_of(const json_t *supplier, const char *id)
{
    const json_t *areas = json_object_get(supplier, "areas");

    for (size_t i = 0; i < json_array_size(areas); i++) {
        const json_t *a = json_array_get(areas, i);
        if (strcmp(tx_render_str(a, "id"), id) == 0) {
            return a;
        }
    }
    return NULL;
}

const json_t *
tx_render_rows(const json_t *doc)
{
    const json_t *nodes = json_object_get(doc, "nodes");

    return json_array_size(nodes) > 0 ? nodes : json_object_get(doc, "suppliers");
}

/* The node of doc whose key is `key`, NULL when none. */
static const json_t *
node_by_key(const json_t *doc, const char *key)
{
    const json_t *nodes = json_object_get(doc, "nodes");

    for (size_t i = 0; i < json_array_size(nodes); i++) {
        if (strcmp(tx_render_str(json_array_get(nodes, i), "key"), key) == 0) {
            return json_array_get(nodes, i);
        }
    }
    return NULL;
}

void
tx_render_parents(const json_t *doc, const json_t *node, char *names, char *fps, size_t n)
{
    const json_t *parents = json_object_get(node, "parents");
    size_t used_names = 0, used_fps = 0, k = 0;

    names[0] = 0;
    fps[0] = 0;
    for (size_t i = 0; i < json_array_size(parents); i++) {
        const char *key = json_string_value(json_array_get(parents, i));
        const json_t *p = key != NULL ? node_by_key(doc, key) : NULL;
        const char *sep = k > 0 ? "\n" : "";
        if (key == NULL) {
            continue;
        }
        k++;
        tx_render_append(names, n, &used_names, "%s%s", sep,
                         p != NULL ? tx_render_str(p, "name") : key);
        tx_render_append(fps, n, &used_fps, "%s%s", sep, tx_render_str(p, "fingerprint"));
    }
}

const json_t *
tx_render_questionnaire(const json_t *doc)
{
    const json_t *q = json_object_get(doc, "questionnaire");
    const json_t *rows = tx_render_rows(doc);
    size_t i;

    if (json_is_object(q))
        return q;
    for (i = 0; i < json_array_size(rows); i++) {
        q = json_object_get(json_array_get(rows, i), "questionnaire");
        if (json_is_object(q))
            return q;
    }
    return NULL;
}

json_t *
tx_render_area_union(const json_t *doc)
{
    const json_t *sups = tx_render_rows(doc);
    json_t *out = json_array();
    int seen;

    for (size_t s = 0; s < json_array_size(sups); s++) {
        const json_t *areas = json_object_get(json_array_get(sups, s), "areas");
        for (size_t i = 0; i < json_array_size(areas); i++) {
            json_t *a = json_array_get(areas, i);
            seen = 0;
            for (size_t k = 0; k < json_array_size(out) && !seen; k++) {
                seen = strcmp(tx_render_str(json_array_get(out, k), "id"),
                              tx_render_str(a, "id")) == 0;
            }
            if (!seen) {
                json_array_append(out, a);
            }
        }
    }
    return out;
}

void
tx_render_area_label(const json_t *area, int ja, char *out, size_t n)
{
    snprintf(out, n, "%s %s", tx_render_str(area, "id"),
             tx_render_text(json_object_get(area, "name"), ja));
    tx_render_utf8_fix(out);
}

/* ---- Credentials, policy and level shares (README.md "Report JSON"). ---- */

/* A credential's status in the words of verify (client/verify/tx_cred.c), so the CLI, the
 * reports and the UI call one status by one name. */
static const char *const cred_labels[][2] = {
    {"valid", N_("Valid (signed by the body)")},
    {"listed", N_("Listed in a public register")},
    {"declared", N_("Declared by the supplier")},
    {"report_due", N_("Periodic report due")},
    {"applied", N_("Applied for")},
    {"under_audit", N_("Under audit")},
    {"not_yet_valid", N_("Not yet valid")},
    {"expired", N_("Expired")},
    {"stale", N_("Periodic report overdue")},
    {"suspended", N_("Suspended")},
    {"revoked", N_("Revoked")},
    {"not_accredited", N_("Body not accredited")},
    {"holder_mismatch", N_("Holder mismatch")},
    {"invalid_criteria", N_("Invalid criteria version")},
    {"register_mismatch", N_("Register mismatch")},
    {"evidence_failed", N_("Evidence failed")},
    {"unavailable", N_("Unavailable")},
};

static const char *const scheme_labels[][2] = {
    {"tics", N_("TICS")},
    {"isms", N_("ISMS (ISO/IEC 27001)")},
    {"tisax", N_("TISAX")},
    {"pmark", N_("Privacy Mark")},
    {"audit", N_("Third-party audit report")},
};

static const char *const source_labels[][2] = {
    {"signed", N_("signed by the body")},
    {"declared", N_("declared by the supplier")},
};

static const char *const match_labels[][2] = {
    {"listed", N_("listed")},
    {"other_holder", N_("listed for another holder")},
    {"other_body", N_("listed with another body")},
    {"not_listed", N_("not listed")},
};

static const char *const evidence_labels[][2] = {
    {"checked", N_("checked")},
    {"missing", N_("missing")},
    {"mismatch", N_("does not match")},
};

#define LABEL(table, name, ja)                                                                     \
    do {                                                                                           \
        const char *l_ = label_of(table, TX_ARRAY_LEN(table), name, ja);                           \
        return l_ != NULL ? l_ : name;                                                             \
    } while (0)

const char *
tx_render_cred_label(const char *status, int ja)
{
    LABEL(cred_labels, status, ja);
}

const char *
tx_render_scheme_label(const char *scheme, int ja)
{
    LABEL(scheme_labels, scheme, ja);
}

const char *
tx_render_source_label(const char *source, int ja)
{
    LABEL(source_labels, source, ja);
}

const char *
tx_render_match_label(const char *match, int ja)
{
    LABEL(match_labels, match, ja);
}

const char *
tx_render_evidence_label(const char *status, int ja)
{
    LABEL(evidence_labels, status, ja);
}

void
tx_render_append(char *out, size_t n, size_t *used, const char *fmt, ...)
{
    va_list ap;
    int w;

    if (*used >= n) {
        return;
    }
    va_start(ap, fmt);
    w = vsnprintf(out + *used, n - *used, fmt, ap);
    va_end(ap);
    *used = w < 0 ? *used : *used + (size_t)w >= n ? n - 1 : *used + (size_t)w;
    tx_render_utf8_fix(out);
}

/* The parentheses around a note in the language: " (" and ")", full width in Japanese. */
static const char *
open_paren(int ja)
{
    /* TRANSLATORS: opens a note after a word, e.g. "file.pdf (checked)". */
    return tx_render_tr(N_(" ("), ja);
}

static const char *
close_paren(int ja)
{
    /* TRANSLATORS: closes the note opened by " (". */
    return tx_render_tr(N_(")"), ja);
}

/* Appends "; label value" (the separator only after something) when value is not empty. */
static void
append_field(char *out, size_t n, size_t *used, int ja, const char *label, const char *value)
{
    if (value[0] == 0) {
        return;
    }
    tx_render_append(out, n, used, "%s%s%s", *used ? tx_render_tr(N_("; "), ja) : "", label, value);
}

void
tx_render_cred_line(const json_t *c, int ja, char *out, size_t n)
{
    const json_t *reg = json_object_get(c, "register");
    const json_t *ev = json_object_get(c, "evidence");
    const json_t *crit = json_object_get(c, "criteria_version");
    char buf[64];
    size_t used = 0;
    const char *status = tx_render_str(c, "status");

    /* "valid" and "declared" say their source in their label already. */
    if (strcmp(status, "valid") == 0 || strcmp(status, "declared") == 0) {
        tx_render_append(out, n, &used, "%s%s%s",
                         tx_render_scheme_label(tx_render_str(c, "scheme"), ja),
                         tx_render_tr(N_(": "), ja), tx_render_cred_label(status, ja));
    } else {
        tx_render_append(
            out, n, &used, "%s%s%s%s%s", tx_render_scheme_label(tx_render_str(c, "scheme"), ja),
            tx_render_tr(N_(", "), ja), tx_render_source_label(tx_render_str(c, "source"), ja),
            tx_render_tr(N_(": "), ja), tx_render_cred_label(status, ja));
    }
    append_field(out, n, &used, ja, tx_render_tr(N_("No. "), ja), tx_render_str(c, "number"));
    append_field(out, n, &used, ja, "", tx_render_str(c, "body"));
    /* A TICS certificate's "standard" is its criteria version, said next. */
    if (strcmp(tx_render_str(c, "scheme"), "tics") != 0) {
        append_field(out, n, &used, ja, tx_render_tr(N_("standard "), ja),
                     tx_render_str(c, "standard"));
    }
    if (json_is_integer(crit)) {
        snprintf(buf, sizeof buf, tx_render_tr(N_("%lld criteria"), ja),
                 (long long)json_integer_value(crit));
        append_field(out, n, &used, ja, "", buf);
    }
    append_field(out, n, &used, ja, tx_render_tr(N_("scope: "), ja), tx_render_str(c, "scope"));
    append_field(out, n, &used, ja, tx_render_tr(N_("issued "), ja), tx_render_str(c, "issued"));
    append_field(out, n, &used, ja, tx_render_tr(N_("expires "), ja), tx_render_str(c, "expires"));
    append_field(out, n, &used, ja, tx_render_tr(N_("last periodic report "), ja),
                 tx_render_str(c, "last_report"));
    append_field(out, n, &used, ja, tx_render_tr(N_("next report due "), ja),
                 tx_render_str(c, "next_report_due"));
    append_field(out, n, &used, ja, tx_render_tr(N_("expected "), ja),
                 tx_render_str(c, "expected"));
    append_field(out, n, &used, ja, tx_render_tr(N_("renews "), ja), tx_render_str(c, "renews"));
    if (json_is_object(reg)) {
        tx_render_append(out, n, &used, "%s%s%s%s%s", used ? tx_render_tr(N_("; "), ja) : "",
                         tx_render_tr(N_("register: "), ja),
                         tx_render_match_label(tx_render_str(reg, "match"), ja), open_paren(ja),
                         tx_render_str(reg, "list"));
        if (tx_render_str(reg, "publisher")[0]) {
            tx_render_append(out, n, &used, "%s%s", tx_render_tr(N_(", "), ja),
                             tx_render_str(reg, "publisher"));
        }
        if (tx_render_str(reg, "as_of")[0]) {
            tx_render_append(out, n, &used, tx_render_tr(N_(", as of %s"), ja),
                             tx_render_str(reg, "as_of"));
        }
        tx_render_append(out, n, &used, "%s", close_paren(ja));
    }
    for (size_t i = 0; i < json_array_size(ev); i++) {
        const json_t *e = json_array_get(ev, i);
        tx_render_append(out, n, &used, "%s%s%s%s%s%s",
                         i      ? tx_render_tr(N_(", "), ja)
                         : used ? tx_render_tr(N_("; "), ja)
                                : "",
                         i ? "" : tx_render_tr(N_("evidence: "), ja), tx_render_str(e, "name"),
                         open_paren(ja), tx_render_evidence_label(tx_render_str(e, "status"), ja),
                         close_paren(ja));
    }
}

const char *
tx_render_scheme_short(const char *scheme, int ja)
{
    return strcmp(scheme, "tics") == 0    ? "TICS"
           : strcmp(scheme, "isms") == 0  ? "ISMS"
           : strcmp(scheme, "tisax") == 0 ? "TISAX"
           : strcmp(scheme, "audit") == 0 ? tx_render_tr(N_("Audit report"), ja)
                                          : tx_render_scheme_label(scheme, ja);
}

void
tx_render_cred_summary(const json_t *row, int ja, char *out, size_t n)
{
    const json_t *creds = json_object_get(row, "credentials");
    size_t used = 0;

    out[0] = 0;
    for (size_t i = 0; i < json_array_size(creds); i++) {
        const json_t *c = json_array_get(creds, i);
        const char *scheme = tx_render_str(c, "scheme");
        tx_render_append(out, n, &used, "%s%s %s", i ? tx_render_tr(N_(", "), ja) : "",
                         tx_render_scheme_short(scheme, ja),
                         tx_render_cred_label(tx_render_str(c, "status"), ja));
    }
}

int
tx_render_policy_pass(const json_t *row)
{
    const json_t *p = json_object_get(row, "policy");

    if (!json_is_object(p)) {
        return -1;
    }
    return json_is_true(json_object_get(p, "pass")) ? 1 : 0;
}

const char *
tx_render_policy_label(int pass, int ja)
{
    return pass < 0 ? "" : pass ? tx_render_tr(N_("Pass"), ja) : tx_render_tr(N_("Fail"), ja);
}

void
tx_render_policy_reasons(const json_t *row, int ja, char *out, size_t n)
{
    const json_t *reasons = json_object_get(json_object_get(row, "policy"), "reasons");
    size_t used = 0;

    out[0] = 0;
    for (size_t i = 0; i < json_array_size(reasons); i++) {
        const char *r = json_string_value(json_array_get(reasons, i));
        tx_render_append(out, n, &used, "%s%s", i ? tx_render_tr(N_("; "), ja) : "",
                         r != NULL ? r : "");
    }
}

void
tx_render_level_share(const json_t *row, int all, int ja, char *out, size_t n)
{
    const json_t *levels = json_object_get(row, "levels");
    const json_t *got = json_object_get(row, "level_achieved");
    json_int_t achieved = json_is_integer(got) ? json_integer_value(got) : 0;
    size_t used = 0;

    out[0] = 0;
    if (json_array_size(levels) == 0) {
        if (achieved > 0) {
            tx_render_append(out, n, &used, "L%lld", (long long)achieved);
        } else {
            tx_render_append(out, n, &used, "-");
        }
        return;
    }
    if (all) {
        for (size_t i = 0; i < json_array_size(levels); i++) {
            const json_t *l = json_array_get(levels, i);
            const json_t *share = json_object_get(l, "share");
            tx_render_append(out, n, &used, "%sL%lld %.0f%%", i ? tx_render_tr(N_(", "), ja) : "",
                             (long long)json_integer_value(json_object_get(l, "level")),
                             json_is_number(share) ? floor(json_number_value(share)) : 0.0);
        }
        return;
    }
    if (achieved > 0) {
        tx_render_append(out, n, &used, "L%lld", (long long)achieved);
    }
    /* The lowest level not achieved with its share fully met (rounded down: 99.6 is not 100),
     * as tx_score_level_text writes it. */
    for (size_t i = 0; i < json_array_size(levels); i++) {
        const json_t *l = json_array_get(levels, i);
        const json_t *share = json_object_get(l, "share");
        if (json_integer_value(json_object_get(l, "level")) > achieved && json_is_number(share)) {
            tx_render_append(out, n, &used, "%sL%lld %.0f%%", used ? " " : "",
                             (long long)json_integer_value(json_object_get(l, "level")),
                             floor(json_number_value(share)));
            break;
        }
    }
    if (used == 0) {
        tx_render_append(out, n, &used, "-");
    }
}

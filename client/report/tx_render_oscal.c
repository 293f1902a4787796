/* The report as an OSCAL 1.0.4 assessment-results document (JSON), valid against NIST's
 * published schema: a result per supplier (per node when the report has a supply tree), an
 * observation per questionnaire area (its score) and a finding per item (its answer; per area
 * when the document has no "items"), an observation of the verification and certificate, and
 * each referenced certificate in back-matter. */
#include "tx_render_doc.h"
#include "tx_render_formats.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A random (version 4) UUID from libsodium. */
static json_t *
uuid_v4(char out[37])
{
    uint8_t b[16];

    randombytes_buf(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0F) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3F) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
    return json_string(out);
}

static json_t *
new_uuid(void)
{
    char u[37];

    return uuid_v4(u);
}

/* RFC 3339 in UTC: "YYYY-MM-DDTHH:MM:SSZ". */
static json_t *
rfc3339(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[32];

    gmtime_r(&tt, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

/* A report date "YYYY-MM-DD" as the start of that day in UTC, else `fallback`. */
static json_t *
date_rfc3339(const char *date, int64_t fallback)
{
    char buf[32];

    if (strlen(date) != 10) {
        return rfc3339(fallback);
    }
    snprintf(buf, sizeof buf, "%sT00:00:00Z", date);
    return json_string(buf);
}

/* Appends {"name","value"} unless value is empty (the schema wants no blank values). */
static void
add_prop(json_t *props, const char *name, const char *value)
{
    size_t len = strlen(value);

    if (len == 0 || value[0] == ' ' || value[len - 1] == ' ') {
        return;
    }
    json_array_append_new(props, json_pack("{s:s,s:s}", "name", name, "value", value));
}

/* An OSCAL token: letters, digits, . - _, not starting with a digit, dot or dash. */
static void
token(char *out, size_t n, const char *id)
{
    size_t k = 0;

    if (!((id[0] >= 'A' && id[0] <= 'Z') || (id[0] >= 'a' && id[0] <= 'z') || id[0] == '_')) {
        out[k++] = '_';
    }
    for (; *id && k + 1 < n; id++) {
        char c = *id;
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '-' || c == '_';
        out[k++] = ok ? c : '_';
    }
    out[k] = 0;
}

static json_t *
observation(const char *title, const char *description, json_t *collected, char uuid[37])
{
    return json_pack("{s:o,s:s,s:s,s:[s],s:o}", "uuid", uuid_v4(uuid), "title", title,
                     "description", description, "methods", "EXAMINE", "collected", collected);
}

/* The certificate as a back-matter resource (its report JSON, base64); NULL when the
 * assessment references none. */
static json_t *
cert_resource(const json_t *sup, int ja, char uuid[37])
{
    const json_t *cert = json_object_get(sup, "certificate");
    json_t *props = json_array(), *res;
    char *text, *b64, title[400];
    size_t len, b64_len;

    if (!json_is_string(json_object_get(cert, "record"))) {
        json_decref(props);
        return NULL;
    }
    text = json_dumps(cert, JSON_COMPACT | JSON_PRESERVE_ORDER);
    len = text != NULL ? strlen(text) : 0;
    b64_len = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    b64 = malloc(b64_len);
    if (text == NULL || b64 == NULL) {
        free(text);
        free(b64);
        json_decref(props);
        return NULL;
    }
    sodium_bin2base64(b64, b64_len, (const unsigned char *)text, len,
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(title, sizeof title, "%s %s", tx_render_tr(N_("TICS certificate"), ja),
             tx_render_str(cert, "number"));
    tx_render_utf8_fix(title);
    add_prop(props, "record", tx_render_str(cert, "record"));
    add_prop(props, "number", tx_render_str(cert, "number"));
    add_prop(props, "holder", tx_render_str(json_object_get(cert, "holder"), "name"));
    add_prop(props, "issuer", tx_render_str(json_object_get(cert, "issuer"), "name"));
    add_prop(props, "issuer-fingerprint",
             tx_render_str(json_object_get(cert, "issuer"), "fingerprint"));
    add_prop(props, "status", tx_render_cert_status(sup));
    add_prop(props, "expires", tx_render_str(cert, "expires"));
    res = json_pack("{s:o,s:s,s:s,s:{s:s,s:s,s:s}}", "uuid", uuid_v4(uuid), "title", title,
                    "description", tx_render_str(json_object_get(cert, "now"), "reason"), "base64",
                    "filename", "certificate.json", "media-type", "application/json", "value", b64);
    if (json_array_size(props) > 0) {
        json_object_set_new(res, "props", props);
    } else {
        json_decref(props);
    }
    free(text);
    free(b64);
    return res;
}

static json_t *
finding(const char *title, const char *desc, const char *target, int satisfied,
        const char *obs_uuid)
{
    return json_pack("{s:o,s:s,s:s,s:{s:s,s:s,s:s,s:{s:s}},s:[{s:s}]}", "uuid", new_uuid(), "title",
                     title, "description", desc, "target", "type", "objective-id", "target-id",
                     target, "title", title, "status", "state",
                     satisfied ? "satisfied" : "not-satisfied", "related-observations",
                     "observation-uuid", obs_uuid);
}

/* A finding per item of area `area`: satisfied when answered with full credit or not
 * applicable; the answer (or "not answered") and the supplier's comment as description. */
static void
add_item_findings(json_t *findings, const json_t *items, const char *area, const char *obs_uuid,
                  int ja)
{
    char title[700], desc[1400], tok[128];

    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *it = json_array_get(items, i);
        const json_t *permille = json_object_get(it, "score_permille");
        const json_t *na = json_object_get(it, "not_applicable");
        const char *comment = tx_render_str(it, "comment");
        int answered = json_is_string(json_object_get(it, "answer"));

        if (strcmp(tx_render_str(it, "area"), area) != 0) {
            continue;
        }
        snprintf(title, sizeof title, "%s %s", tx_render_str(it, "id"),
                 tx_render_text(json_object_get(it, "text"), ja));
        tx_render_utf8_fix(title);
        snprintf(desc, sizeof desc, "%s: %s%s%s", tx_render_tr(N_("answer"), ja),
                 answered ? tx_render_text(json_object_get(it, "label"), ja)
                          : tx_render_tr(N_("not answered"), ja),
                 comment[0] ? " — " : "", comment);
        tx_render_utf8_fix(desc);
        token(tok, sizeof tok, tx_render_str(it, "id"));
        json_array_append_new(findings, finding(title, desc, tok,
                                                answered && (json_is_true(na) ||
                                                             json_integer_value(permille) >= 1000),
                                                obs_uuid));
    }
}

/* An observation per credential: its fields as props (stable names, values as in the JSON),
 * its status and reason as description, its evidence files as relevant evidence. */
static json_t *
credential_observation(const json_t *c, int64_t now, int ja)
{
    static const char *const keys[][2] = {
        {"credential-scheme", "scheme"},
        {"credential-source", "source"},
        {"credential-state", "state"},
        {"credential-status", "status"},
        {"credential-severity", "severity"},
        {"credential-number", "number"},
        {"credential-body", "body"},
        {"credential-holder", "holder_name"},
        {"credential-corporate-number", "corporate_number"},
        {"credential-scope", "scope"},
        {"credential-standard", "standard"},
        {"credential-issued", "issued"},
        {"credential-expires", "expires"},
        {"credential-last-report", "last_report"},
        {"credential-next-report-due", "next_report_due"},
        {"credential-expected", "expected"},
        {"credential-renews", "renews"},
        {"credential-record", "record"},
    };
    const json_t *reg = json_object_get(c, "register");
    const json_t *ev = json_object_get(c, "evidence");
    json_t *props = json_array(), *o, *rel;
    char title[300], desc[1200], buf[32], uuid[37];

    for (size_t k = 0; k < TX_ARRAY_LEN(keys); k++) {
        add_prop(props, keys[k][0], tx_render_str(c, keys[k][1]));
    }
    if (json_is_integer(json_object_get(c, "criteria_version"))) {
        snprintf(buf, sizeof buf, "%lld",
                 (long long)json_integer_value(json_object_get(c, "criteria_version")));
        add_prop(props, "credential-criteria-version", buf);
    }
    if (json_is_object(reg)) {
        add_prop(props, "register-match", tx_render_str(reg, "match"));
        add_prop(props, "register-list", tx_render_str(reg, "list"));
        add_prop(props, "register-publisher", tx_render_str(reg, "publisher"));
        add_prop(props, "register-publisher-fingerprint", tx_render_str(reg, "fingerprint"));
        add_prop(props, "register-as-of", tx_render_str(reg, "as_of"));
    }
    snprintf(title, sizeof title, "%s (%s)", tx_render_scheme_label(tx_render_str(c, "scheme"), ja),
             tx_render_source_label(tx_render_str(c, "source"), ja));
    tx_render_utf8_fix(title);
    snprintf(desc, sizeof desc, "%s: %s", tx_render_cred_label(tx_render_str(c, "status"), ja),
             tx_render_str(c, "reason")[0] ? tx_render_str(c, "reason") : "-");
    tx_render_utf8_fix(desc);
    o = observation(title, desc, rfc3339(now), uuid);
    if (json_array_size(props) > 0) {
        json_object_set_new(o, "props", props);
    } else {
        json_decref(props);
    }
    rel = json_array();
    for (size_t i = 0; i < json_array_size(ev); i++) {
        const json_t *e = json_array_get(ev, i);
        json_t *eprops = json_array();
        snprintf(desc, sizeof desc, "%s (%s)", tx_render_str(e, "name"),
                 tx_render_evidence_label(tx_render_str(e, "status"), ja));
        tx_render_utf8_fix(desc);
        add_prop(eprops, "evidence-status", tx_render_str(e, "status"));
        add_prop(eprops, "evidence-sha256", tx_render_str(e, "sha256"));
        add_prop(eprops, "evidence-media-type", tx_render_str(e, "media_type"));
        json_array_append_new(rel, json_pack("{s:s,s:o}", "description", desc, "props", eprops));
    }
    if (json_array_size(rel) > 0) {
        json_object_set_new(o, "relevant-evidence", rel);
    } else {
        json_decref(rel);
    }
    return o;
}

static json_t *
supplier_result(const json_t *sup, int64_t now, int ja, json_t *resources)
{
    const json_t *q = json_object_get(sup, "questionnaire");
    const json_t *areas = json_object_get(sup, "areas");
    const json_t *item_list = json_object_get(sup, "items");
    const char *name = tx_render_str(sup, "name");
    const char *cs = tx_render_cert_status(sup);
    json_t *props = json_array(), *obs = json_array(), *findings = json_array(), *res, *cert;
    char title[600], desc[1200], uuid[37], cert_uuid[37], score[64], tok[128];

    snprintf(title, sizeof title, "%s: %s", name[0] ? name : tx_render_tr(N_("(no profile)"), ja),
             json_is_object(q) ? tx_render_text(json_object_get(q, "title"), ja) : "-");
    tx_render_utf8_fix(title);
    snprintf(desc, sizeof desc, tx_render_tr(N_("Supplier self-assessment by %s (signer %s)"), ja),
             name, tx_render_str(sup, "fingerprint"));
    tx_render_utf8_fix(desc);
    add_prop(props, "supplier-fingerprint", tx_render_str(sup, "fingerprint"));
    add_prop(props, "assessment", tx_render_str(sup, "assessment"));
    add_prop(props, "verification", tx_render_str(sup, "status"));
    add_prop(props, "certificate-status", cs);
    add_prop(props, "answer-state", tx_render_str(sup, "answer_state"));
    add_prop(props, "supplies", tx_render_str(sup, "supplies"));
    if (json_is_integer(json_object_get(sup, "tier"))) {
        snprintf(score, sizeof score, "%lld",
                 (long long)json_integer_value(json_object_get(sup, "tier")));
        add_prop(props, "tier", score);
    }
    if (json_is_number(json_object_get(sup, "overall"))) {
        snprintf(score, sizeof score, "%.1f", json_number_value(json_object_get(sup, "overall")));
        add_prop(props, "overall-score", score);
    }
    tx_render_level_share(sup, 0, 0, score, sizeof score);
    if (json_array_size(json_object_get(sup, "levels")) > 0) {
        add_prop(props, "level-share", score);
    }
    if (tx_render_policy_pass(sup) >= 0) {
        add_prop(props, "policy-pass", tx_render_policy_pass(sup) ? "true" : "false");
        snprintf(score, sizeof score, "%lld",
                 (long long)json_integer_value(
                     json_object_get(json_object_get(sup, "policy"), "version")));
        add_prop(props, "policy-version", score);
    }
    res = json_pack("{s:o,s:s,s:s,s:o,s:{s:[{s:{}}]}}", "uuid", new_uuid(), "title", title,
                    "description", desc, "start", date_rfc3339(tx_render_str(sup, "as_of"), now),
                    "reviewed-controls", "control-selections", "include-all");
    if (strlen(tx_render_str(sup, "valid_until")) == 10) {
        json_object_set_new(res, "end", date_rfc3339(tx_render_str(sup, "valid_until"), now));
    }
    if (json_array_size(props) > 0) {
        json_object_set_new(res, "props", props);
    } else {
        json_decref(props);
    }

    /* What verification and the certificate check found. */
    cert = cert_resource(sup, ja, cert_uuid);
    snprintf(desc, sizeof desc, "%s: %s%s%s. %s: %s%s%s", tx_render_tr(N_("Verification"), ja),
             tx_render_str(sup, "status")[0]
                 ? tx_render_status_label(tx_render_str(sup, "status"), ja)
                 : tx_render_tr(N_("no assessment shared"), ja),
             tx_render_str(sup, "reason")[0] ? " — " : "", tx_render_str(sup, "reason"),
             tx_render_tr(N_("Certificate"), ja), cs[0] ? tx_render_cert_label(cs, ja) : "-",
             cs[0] ? " — " : "",
             tx_render_str(json_object_get(json_object_get(sup, "certificate"), "now"), "reason"));
    tx_render_utf8_fix(desc);
    json_t *o = observation(tx_render_tr(N_("Signature and certificate verification"), ja), desc,
                            rfc3339(now), uuid);
    if (cert != NULL) {
        char href[40];
        snprintf(href, sizeof href, "#%s", cert_uuid);
        json_object_set_new(o, "links", json_pack("[{s:s,s:s}]", "href", href, "rel", "reference"));
        json_array_append_new(resources, cert);
    }
    json_array_append_new(obs, o);

    /* Each credential an observation; the policy's verdict a finding related to them. */
    for (size_t i = 0; i < json_array_size(json_object_get(sup, "credentials")); i++) {
        json_array_append_new(
            obs, credential_observation(json_array_get(json_object_get(sup, "credentials"), i), now,
                                        ja));
    }
    if (tx_render_policy_pass(sup) >= 0) {
        char reasons[1000];
        tx_render_policy_reasons(sup, ja, reasons, sizeof reasons);
        snprintf(title, sizeof title, tx_render_tr(N_("Acceptance policy version %lld"), ja),
                 (long long)json_integer_value(
                     json_object_get(json_object_get(sup, "policy"), "version")));
        snprintf(desc, sizeof desc, "%s%s%s",
                 tx_render_policy_label(tx_render_policy_pass(sup), ja), reasons[0] ? " — " : "",
                 reasons);
        tx_render_utf8_fix(desc);
        json_array_append_new(findings, finding(title, desc, "acceptance-policy",
                                                tx_render_policy_pass(sup) == 1, uuid));
    }

    for (size_t i = 0; i < json_array_size(areas); i++) {
        const json_t *a = json_array_get(areas, i);
        const json_t *s = json_object_get(a, "score");
        json_int_t items = json_integer_value(json_object_get(a, "items"));
        json_int_t answered = json_integer_value(json_object_get(a, "answered"));
        /* Satisfied: every item answered and every applicable one fully implemented. */
        int satisfied = answered == items && (!json_is_number(s) || json_number_value(s) >= 100.0);

        if (json_is_number(s)) {
            snprintf(score, sizeof score, "%.1f%%", json_number_value(s));
        } else {
            snprintf(score, sizeof score, "%s", tx_render_tr(N_("not applicable"), ja));
        }
        snprintf(title, sizeof title, "%s %s", tx_render_str(a, "id"),
                 tx_render_text(json_object_get(a, "name"), ja));
        tx_render_utf8_fix(title);
        snprintf(desc, sizeof desc, tx_render_tr(N_("score %s; answered %lld of %lld"), ja), score,
                 (long long)answered, (long long)items);
        json_array_append_new(obs, observation(title, desc, rfc3339(now), uuid));
        if (json_array_size(item_list) > 0) {
            add_item_findings(findings, item_list, tx_render_str(a, "id"), uuid, ja);
            continue;
        }
        token(tok, sizeof tok, tx_render_str(a, "id"));
        json_array_append_new(findings, finding(title, desc, tok, satisfied, uuid));
    }
    json_object_set_new(res, "observations", obs);
    if (json_array_size(findings) > 0) {
        json_object_set_new(res, "findings", findings);
    } else {
        json_decref(findings);
    }
    return res;
}

int
tx_render_oscal(FILE *f, const json_t *docs, int ja)
{
    const json_t *doc = json_array_get(docs, 0);
    int64_t now = tx_now();
    json_t *results = json_array(), *resources = json_array(), *ar, *root;
    const char *generated = tx_render_str(doc, "generated");
    int rc;

    if (sodium_init() < 0) {
        return tx_fail(TX_ERR_CRYPTO, "libsodium did not initialise");
    }
    /* A result per supplier of each questionnaire in turn; each result's title names its
     * questionnaire. */
    for (size_t d = 0; d < json_array_size(docs); d++) {
        const json_t *sups = tx_render_rows(json_array_get(docs, d));
        for (size_t s = 0; s < json_array_size(sups); s++) {
            json_array_append_new(results,
                                  supplier_result(json_array_get(sups, s), now, ja, resources));
        }
    }
    if (json_array_size(results) == 0) {
        /* The schema wants at least one result. */
        json_array_append_new(
            results,
            json_pack("{s:o,s:s,s:s,s:o,s:{s:[{s:{}}]}}", "uuid", new_uuid(), "title",
                      tx_render_tr(N_("No assessments"), ja), "description",
                      tx_render_tr(N_("No assessments to report"), ja), "start", rfc3339(now),
                      "reviewed-controls", "control-selections", "include-all"));
    }
    ar = json_pack("{s:o,s:{s:s,s:o,s:s,s:s},s:{s:s,s:s},s:o}", "uuid", new_uuid(), "metadata",
                   "title", tx_render_tr(N_("Supplier security assessment results (ticsx)"), ja),
                   "last-modified", rfc3339(now), "version", generated[0] ? generated : "1",
                   "oscal-version", "1.0.4", "import-ap", "href", "#", "remarks",
                   "No separate assessment plan: each result answers a ticsx request for the "
                   "questionnaire named in its title.",
                   "results", results);
    if (json_array_size(resources) > 0) {
        json_object_set_new(ar, "back-matter", json_pack("{s:o}", "resources", resources));
    } else {
        json_decref(resources);
    }
    root = json_pack("{s:o}", "assessment-results", ar);
    rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    fputc('\n', f);
    json_decref(root);
    return rc == 0 && !ferror(f) ? TX_OK : tx_fail(TX_ERR_IO, "cannot write the report");
}

/* ticsx answer --check FILE (REQUEST | --questionnaire ID): a dry run of answer --file. The file
 * is read and judged against the questionnaire as an answer would read it; the scores (per area,
 * ready for a radar chart), the overall score and level, the sub-suppliers and every problem
 * found are shown; nothing is signed or sent. A built-in or a JSON questionnaire file needs no
 * hub; a request does (its questionnaire, and the organisations a sub-supplier's key may name). */
#include "cli.h"

#include "tx_answer.h"
#include "tx_answer_file.h"
#include "tx_cell.h"
#include "tx_error.h"
#include "tx_evidence.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_orgs.h"
#include "tx_plan.h"
#include "tx_qref.h"
#include "tx_questionnaire.h"
#include "tx_score.h"
#include "tx_util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What the check found, as `--json` prints it. */
typedef struct {
    const tx_cli *g;
    const char *file;
    tx_qref ref;
    tx_recs profiles;
    tx_orgs orgs;
    int online;       /* the hub was asked: keys are resolved against its organisations */
    tx_answers a;     /* read with blank answers allowed, so the scores show what is there */
    int parsed;       /* the file could be read at all */
    json_t *problems; /* strings */
    const tx_attachment *files; /* --evidence: the files the answer would attach */
    size_t n_files;
} check;

static void
problem(check *k, const char *text)
{
    json_array_append_new(k->problems, json_string(text));
}

/* The questionnaire: --questionnaire ID (a built-in or a JSON file without the hub), or the
 * one a request asks for. */
static int
resolve(check *k, const char *request, const char *qid, tx_client **c)
{
    int rc;

    if (qid != NULL && (rc = tx_qref_local(qid, &k->ref.q)) != TX_ERR_NOT_FOUND) {
        return rc;
    }
    tx_fail_clear();
    if ((rc = tx_cli_open(k->g, c)) != TX_OK ||
        (rc = tx_qref_resolve(*c, qid != NULL ? qid : request, &k->profiles, &k->ref)) != TX_OK) {
        return rc;
    }
    if (request != NULL && !k->ref.via_request) {
        return tx_fail(TX_ERR_USAGE,
                       "%s is not a request: give a request, or the questionnaire with "
                       "--questionnaire ID",
                       request);
    }
    k->online = 1;
    return tx_orgs_add(&k->orgs, &k->profiles);
}

/* The answers file read as answer --file reads it; a failure is the problem found. */
static int
read_file(check *k)
{
    char qhex[2 * TX_ID_LEN + 1], line[512];
    int rc = tx_answers_load(k->file, k->ref.q, 1, &k->a);

    if (rc != TX_OK) {
        if (rc == TX_ERR_NOMEM) {
            return rc;
        }
        problem(k, tx_fail_msg());
        tx_fail_clear();
        return TX_OK;
    }
    k->parsed = 1;
    if (k->ref.published) {
        tx_hex(qhex, k->ref.record.id, TX_ID_LEN);
        if (k->a.questionnaire[0] != 0 && strcasecmp(k->a.questionnaire, qhex) != 0) {
            snprintf(line, sizeof line,
                     _("%s was written for questionnaire %.12s, not %.12s: write a new one with "
                       "ticsx questionnaire template"),
                     k->file, k->a.questionnaire, qhex);
            problem(k, line);
        }
    }
    return TX_OK;
}

/* Items left blank or out, a problem unless --allow-missing. */
static void
check_missing(check *k, const tx_score *s, int allow_missing)
{
    char list[200] = "", line[400];
    size_t used = 0;

    if (s->n_unanswered == 0 || allow_missing) {
        return;
    }
    for (size_t i = 0; i < s->n_unanswered && used < sizeof list - 80; i++) {
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i > 0 ? " " : "",
                                 s->unanswered[i]);
        if (used >= sizeof list - 80 && i + 1 < s->n_unanswered) {
            snprintf(list + used, sizeof list - used, " ...");
        }
    }
    snprintf(line, sizeof line,
             ngettext("%zu item has no answer (%s): fill it in, or pass --allow-missing",
                      "%zu items have no answer (%s): fill them in, or pass --allow-missing",
                      s->n_unanswered),
             s->n_unanswered, list);
    problem(k, line);
}

/* The --evidence files by answer's limits (tx_evidence_check), then plans and per-item evidence
 * by the rules a buyer applies (tx_plan_check), against those files' names. */
static void
check_plans(check *k)
{
    tx_assessment_pb as = TICSX__V1__ASSESSMENT__INIT;
    tx_evidence_ref_pb refs[TX_EVIDENCE_MAX_CHUNKS], *ptrs[TX_EVIDENCE_MAX_CHUNKS];
    char why[512], line[640];

    if (tx_evidence_check(k->files, k->n_files) != TX_OK) {
        problem(k, tx_fail_msg());
        tx_fail_clear();
    }
    for (size_t i = 0; i < k->n_files && i < TX_ARRAY_LEN(refs); i++) {
        refs[i] = (tx_evidence_ref_pb)TICSX__V1__EVIDENCE_REF__INIT;
        refs[i].name = (char *)tx_attachment_name(&k->files[i]);
        ptrs[i] = &refs[i];
    }
    as.evidence = ptrs;
    as.n_evidence = k->n_files < TX_ARRAY_LEN(refs) ? k->n_files : TX_ARRAY_LEN(refs);
    as.answers = k->a.v;
    as.n_answers = k->a.n;
    as.as_of = tx_now();
    if (tx_plan_check(k->ref.q, &as, why, sizeof why) != TX_OK) {
        snprintf(line, sizeof line, "%s: %s", k->file, why);
        problem(k, line);
    }
}

/* A sub-supplier as the assessment would carry it: {"name", "supplies", "key", "where",
 * "resolved"}; a key the hub's organisations do not resolve is a problem (answer would refuse
 * it). Offline, only a key of 64 hex digits is resolved. */
static json_t *
sub_json(check *k, const tx_sub_supplier *s)
{
    json_t *j = json_pack("{s:s,s:s,s:s,s:s}", "name", s->name, "supplies", s->supplies, "key",
                          s->key, "where", s->where);
    uint8_t raw[TX_KEY_LEN];
    char fp[TX_FP_LEN];
    int hex = strlen(s->key) == 2 * TX_KEY_LEN && tx_unhex(raw, TX_KEY_LEN, s->key) == TX_OK;

    json_object_set_new(j, "resolved", json_null());
    if (s->key[0] == 0 || (!k->online && !hex)) {
        return j;
    }
    if (tx_answer_sub_key(&k->orgs, k->file, s, raw) == TX_OK) {
        tx_fingerprint(raw, fp);
        json_object_set_new(j, "resolved", json_string(fp));
    } else {
        problem(k, tx_fail_msg());
        tx_fail_clear();
    }
    return j;
}

/* The whole finding: {"file", "questionnaire": {"id", "version", "record"}, "valid", "answered",
 * "items", "scores" (tx_score_json: per-area figures ready for a radar chart), "level",
 * "suppliers", "problems", "signed": false}. */
static int
judge(check *k, int allow_missing, json_t **out)
{
    const tx_questionnaire_pb *q = k->ref.q;
    json_t *subs = json_array(), *scores = json_null();
    char rec[2 * TX_ID_LEN + 1], level[64] = "";
    tx_score s = {0};
    int rc;

    if (k->parsed) {
        if ((rc = tx_score_compute(q, k->a.v, k->a.n, &s)) != TX_OK) {
            json_decref(subs);
            return rc;
        }
        check_missing(k, &s, allow_missing);
        check_plans(k);
        scores = tx_score_json(q, &s);
        tx_score_level_text(scores, level, sizeof level);
        tx_score_free(&s);
        for (size_t i = 0; i < k->a.n_subs; i++) {
            json_array_append_new(subs, sub_json(k, &k->a.subs[i]));
        }
    }
    if (k->ref.published) {
        tx_hex(rec, k->ref.record.id, TX_ID_LEN);
    }
    *out = json_pack("{s:s,s:{s:s,s:I,s:o},s:b,s:I,s:I,s:o,s:s,s:o,s:O,s:b}", "file", k->file,
                     "questionnaire", "id", q->id, "version", (json_int_t)q->version, "record",
                     k->ref.published ? json_string(rec) : json_null(), "valid",
                     json_array_size(k->problems) == 0, "answered", (json_int_t)k->a.n, "items",
                     (json_int_t)q->n_items, "scores", scores, "level", level, "suppliers", subs,
                     "problems", k->problems, "signed", 0);
    return *out != NULL ? TX_OK : TX_ERR_NOMEM;
}

static void
print_percent(const json_t *v)
{
    char cell[16];

    if (json_is_number(v)) {
        snprintf(cell, sizeof cell, "%.1f%%", json_number_value(v));
    } else {
        snprintf(cell, sizeof cell, "-");
    }
    tx_put_rcell(stdout, cell, 7);
}

static void
print_text(const check *k, const json_t *j)
{
    const json_t *scores = json_object_get(j, "scores"), *v;
    size_t i;

    printf(_("%s: %s v%u, %zu of %zu items answered\n"), k->file, k->ref.q->id, k->ref.q->version,
           k->a.n, k->ref.q->n_items);
    if (json_is_object(scores)) {
        json_array_foreach(json_object_get(scores, "areas"), i, v)
        {
            const json_t *name = json_object_get(v, "name");
            char count[32];
            printf("  ");
            tx_put_cell(stdout, json_string_value(json_object_get(v, "id")), 6);
            tx_put_cell(stdout, json_string_value(json_object_get(name, k->g->ja ? "ja" : "en")),
                        34);
            print_percent(json_object_get(v, "score"));
            snprintf(count, sizeof count, "  %lld/%lld",
                     (long long)json_integer_value(json_object_get(v, "answered")),
                     (long long)json_integer_value(json_object_get(v, "items")));
            puts(count);
        }
        printf("  ");
        tx_put_cell(stdout, _("overall"), 40);
        print_percent(json_object_get(scores, "overall"));
        printf("  %s\n", json_string_value(json_object_get(j, "level")));
    }
    if (k->a.n_subs > 0) {
        printf(ngettext("%zu sub-supplier:\n", "%zu sub-suppliers:\n", k->a.n_subs), k->a.n_subs);
        json_array_foreach(json_object_get(j, "suppliers"), i, v)
        {
            const char *supplies = json_string_value(json_object_get(v, "supplies"));
            const json_t *fp = json_object_get(v, "resolved");
            printf("  %s", json_string_value(json_object_get(v, "name")));
            printf("%s%s", supplies[0] ? _(": ") : "", supplies);
            const char *key = json_string_value(json_object_get(v, "key"));
            if (json_is_string(fp)) {
                printf(" (%s)\n", json_string_value(fp));
            } else if (key == NULL || key[0] == '\0') {
                puts(_(" (no key: not on the hub)"));
            } else {
                printf(_(" (key %s: not looked up without the hub)\n"), key);
            }
        }
    }
}

/* Prints the problems found (text), and returns the verdict: TX_OK, or TX_ERR_MALFORMED with a
 * message counting them (exit 2). */
static int
verdict(const check *k)
{
    size_t n = json_array_size(k->problems), i;
    json_t *v;

    fflush(stdout); /* the figures above come first, also when both go to one file */
    if (n == 0) {
        if (!k->g->quiet && !k->g->json) {
            fprintf(stderr,
                    _("valid: %s can be sent with ticsx answer (nothing was signed or sent)\n"),
                    k->file);
        }
        return TX_OK;
    }
    if (!k->g->json) {
        printf(ngettext("%zu problem:\n", "%zu problems:\n", n), n);
        json_array_foreach(k->problems, i, v)
        {
            printf("  %s\n", json_string_value(v));
        }
    }
    return tx_fail(TX_ERR_MALFORMED,
                   ngettext("%s is not valid: %zu problem found (nothing was signed or sent)",
                            "%s is not valid: %zu problems found (nothing was signed or sent)", n),
                   k->file, n);
}

int
tx_cmd_answer_check(tx_cli *g, const char *file, const char *request, const char *qid,
                    int allow_missing, const tx_attachment *files, size_t n_files)
{
    check k = {.g = g, .file = file, .problems = json_array(), .files = files, .n_files = n_files};
    tx_client *c = NULL;
    json_t *j = NULL;
    int rc;

    if ((request == NULL) == (qid == NULL)) {
        rc = tx_fail(TX_ERR_USAGE, "usage: ticsx answer --check FILE (REQUEST | --questionnaire "
                                   "ID) [--allow-missing] [--evidence FILE]... [--json]");
    } else if ((rc = resolve(&k, request, qid, &c)) == TX_OK && (rc = read_file(&k)) == TX_OK &&
               (rc = judge(&k, allow_missing, &j)) == TX_OK) {
        if (g->json) {
            rc = tx_cli_print_json(json_incref(j));
        } else {
            print_text(&k, j);
        }
        if (rc == TX_OK) {
            rc = verdict(&k);
        }
    }
    json_decref(j);
    json_decref(k.problems);
    tx_answers_free(&k.a);
    tx_orgs_free(&k.orgs);
    tx_recs_clear(&k.profiles);
    tx_qref_clear(&k.ref);
    tx_client_destroy(&c);
    return rc;
}

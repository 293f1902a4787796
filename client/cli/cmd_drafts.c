/* ticsx drafts [list] | show ID | get ID [NAME] | approve ID | reject ID [--note TEXT]: a
 * responder's drafts, listed, read and approved by an officer in its own home (see
 * tx_drafts.h). */
#include "cli.h"

#include "tx_drafts.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void
print_list(const tx_cli *g, const tx_drafts *d)
{
    char id[2 * TX_ID_LEN + 1], req[2 * TX_ID_LEN + 1], date[16];

    if (g->json) {
        tx_cli_print_json(tx_drafts_json(d));
        return;
    }
    if (d->n == 0) {
        fputs(_("no drafts\n"), stderr);
        return;
    }
    for (size_t i = 0; i < d->n; i++) {
        const tx_draft_item *it = &d->v[i];
        const tx_draft_pb *p = (const tx_draft_pb *)it->draft.msg;

        tx_hex(id, it->draft.id, TX_ID_LEN);
        tx_hex(req, p->request.data, TX_ID_LEN);
        tx_format_date(date, sizeof date, p->meta->created);
        printf("%.12s  %.12s  %s  %-8s  %s (%s)  ", id, req, date,
               _(tx_draft_state_name(it->state)), it->ok ? it->who.name : "?",
               it->ok ? _(tx_signer_role_name(it->who.role)) : "?");
        if (it->ok && it->has_score) {
            printf(_("%zu answered, %.1f%%, %s\n"),
                   ((const tx_assessment_pb *)it->inner.msg)->n_answers, it->score,
                   it->level_text[0] != 0 ? it->level_text : "-");
        } else if (it->ok) {
            printf(_("%zu answered\n"), ((const tx_assessment_pb *)it->inner.msg)->n_answers);
        } else {
            printf(_("refused: %s\n"), it->why);
        }
    }
}

/* The draft's files, each with its state (fetched and checked now). */
static void
print_files(const tx_evidence_result *e, size_t n)
{
    if (n > 0) {
        printf(_("evidence files (encrypted at the hub, read by the organisation):\n"));
    }
    for (size_t i = 0; i < n; i++) {
        printf("  %s  %s  %llu  %s\n", e[i].name, tx_evidence_status_label(e[i].status),
               (unsigned long long)e[i].size, e[i].media_type);
        if (e[i].status != TX_EVIDENCE_CHECKED) {
            printf("    %s\n", e[i].reason);
        }
    }
}

/* How it was decided: by whom, with the note; an approval not recorded says what to run. */
static void
print_decision(const tx_draft_item *it, const char *id)
{
    char hex[2 * TX_ID_LEN + 1];

    if (it->unrecorded) {
        tx_hex(hex, it->assessment, TX_ID_LEN);
        printf(_("sent as assessment %.12s by %s, approval not recorded: run ticsx drafts "
                 "approve %.12s\n"),
               hex, it->decided_by, id);
    } else if (it->state != TX_DRAFT_OPEN) {
        printf(_("%s by %s%s%s\n"), _(tx_draft_state_name(it->state)), it->decided_by,
               it->note[0] ? ": " : "", it->note);
    }
}

/* One draft: who prepared it, for which request, its dates, each answer (item, choice,
 * comment) and its files; --json {"draft", "request", "prepared_by": {"name", "role"}, "as_of",
 * "valid_until", "answers": [{"item", "choice", "comment"}], "evidence": [{"name",
 * "media_type", "size", "sha256", "status"}]}. */
static int
show(const tx_cli *g, tx_client *c, const char *id)
{
    char hex[2 * TX_ID_LEN + 1], req[2 * TX_ID_LEN + 1], d1[16], d2[16];
    const tx_draft_item *it;
    const tx_assessment_pb *a;
    tx_evidence_result *ev = NULL;
    size_t n_ev = 0;
    tx_drafts d = {0};
    int rc = tx_drafts_load(c, &d);

    if (rc == TX_OK && (rc = tx_drafts_find(&d, id, &it)) == TX_OK && !it->ok) {
        rc = tx_fail(TX_ERR_REFUSED, "draft %.12s is refused: %s", id, it->why);
    }
    if (rc == TX_OK) {
        rc = tx_drafts_check_files(c, it, &ev, &n_ev);
    }
    if (rc != TX_OK) {
        tx_drafts_free(&d);
        return rc;
    }
    a = (const tx_assessment_pb *)it->inner.msg;
    tx_hex(hex, it->draft.id, TX_ID_LEN);
    tx_hex(req, a->request.data, TX_ID_LEN);
    if (g->json) {
        json_t *answers = json_array();

        for (size_t i = 0; i < a->n_answers; i++) {
            json_array_append_new(answers, json_pack("{s:s,s:s,s:s}", "item", a->answers[i]->item,
                                                     "choice", a->answers[i]->choice, "comment",
                                                     a->answers[i]->comment));
        }
        tx_cli_print_json(json_pack(
            "{s:s,s:s,s:{s:s,s:s},s:o,s:o,s:o,s:o}", "draft", hex, "request", req, "prepared_by",
            "name", it->who.name, "role", tx_signer_role_name(it->who.role), "as_of",
            tx_json_date(a->as_of), "valid_until", tx_json_date(a->valid_until), "answers", answers,
            "evidence", tx_evidence_json(ev, n_ev)));
    } else {
        tx_format_date(d1, sizeof d1, a->as_of);
        tx_format_date(d2, sizeof d2, a->valid_until);
        printf(_("draft %s\nrequest %s\nprepared by %s (%s)\nas of %s, valid until %s\n"), hex, req,
               it->who.name, _(tx_signer_role_name(it->who.role)), d1, d2);
        print_decision(it, id);
        for (size_t i = 0; i < a->n_answers; i++) {
            printf("  %-10s %-8s %s\n", a->answers[i]->item, a->answers[i]->choice,
                   a->answers[i]->comment);
        }
        print_files(ev, n_ev);
    }
    tx_evidence_results_free(ev, n_ev);
    tx_drafts_free(&d);
    return TX_OK;
}

/* Writes the draft's checked files as `evidence get` writes an assessment's. */
static int
get_files(tx_cli *g, tx_client *c, const char *id, const char *name, const char *out, int force)
{
    const tx_draft_item *it;
    tx_drafts d = {0};
    tx_verdict v;
    int rc = tx_drafts_load(c, &d);

    if (rc == TX_OK && (rc = tx_drafts_find(&d, id, &it)) == TX_OK && !it->ok) {
        rc = tx_fail(TX_ERR_REFUSED, "draft %.12s is refused: %s", id, it->why);
    }
    if (rc == TX_OK && (rc = tx_drafts_view(c, it, &v)) == TX_OK) {
        rc = tx_cli_evidence_write(g, c, &v, id, name, out, force);
        tx_drafts_view_free(&v);
    }
    tx_drafts_free(&d);
    return rc;
}

static int
approve(const tx_cli *g, tx_client *c, const char *id)
{
    char hex[2 * TX_ID_LEN + 1];
    tx_answer_result res;
    int rc = tx_drafts_approve(c, id, &res);

    if (rc != TX_OK) {
        return rc;
    }
    tx_hex(hex, res.assessment, TX_ID_LEN);
    if (g->json) {
        json_t *j = tx_answer_result_json(&res);

        json_object_set_new(j, "draft", json_string(id));
        json_object_set_new(j, "recorded_only", json_boolean(res.draft_recorded_only));
        tx_cli_print_json(j);
    } else {
        printf("%s\n", hex);
        if (!g->quiet && res.draft_recorded_only) {
            fprintf(stderr,
                    _("draft %s had been sent as assessment %.12s: its approval is recorded now, "
                      "nothing was sent again\n"),
                    id, hex);
        } else if (!g->quiet) {
            fprintf(stderr,
                    _("draft %s approved: assessment signed for the organisation, sealed and "
                      "granted to the requester\n"),
                    id);
        }
        tx_cli_note_waiting(g, c, &res.grant, 1);
        if (!g->quiet && res.n_evidence > 0) {
            fprintf(stderr,
                    ngettext("%zu evidence file sent with it\n",
                             "%zu evidence files sent with it\n", res.n_evidence),
                    res.n_evidence);
        }
    }
    return TX_OK;
}

/* The subcommand, its ID and (get) NAME; TX_ERR_USAGE for anything else. */
static int
drafts_args(int argc, char **argv, const char **sub, const char **id, const char **name)
{
    static const char *const with_id[] = {"show", "get", "approve", "reject"};

    *sub = optind < argc ? argv[optind++] : "list";
    *id = *name = NULL;
    for (size_t i = 0; i < TX_ARRAY_LEN(with_id); i++) {
        if (strcmp(*sub, with_id[i]) == 0 && optind < argc) {
            *id = argv[optind++];
        }
    }
    if (strcmp(*sub, "get") == 0 && optind < argc) {
        *name = argv[optind++];
    }
    if (optind < argc || (strcmp(*sub, "list") != 0 && *id == NULL)) {
        return tx_fail(TX_ERR_USAGE, "usage: ticsx drafts [list] | show ID | get ID [NAME] [--out "
                                     "FILE|DIR] [--force] | approve ID | reject ID [--note TEXT]");
    }
    return TX_OK;
}

int
tx_cmd_drafts(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"note", required_argument, NULL, 'n'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"force", no_argument, NULL, 'F'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    tx_client *c = NULL;
    tx_drafts d = {0};
    const char *sub = NULL, *id = NULL, *name = NULL, *note = NULL, *out = NULL;
    int opt, rc = TX_OK, force = 0;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'n') {
            note = optarg;
        } else if (opt == 'o') {
            out = optarg;
        } else if (opt == 'F') {
            force = 1;
        } else {
            rc = tx_cli_common_opt(g, opt, "drafts");
        }
    }
    if (rc == TX_OK && (rc = drafts_args(argc, argv, &sub, &id, &name)) == TX_OK && note != NULL &&
        strcmp(sub, "reject") != 0) {
        rc = tx_fail(TX_ERR_USAGE, "--note goes with drafts reject");
    }
    if (rc == TX_OK && (out != NULL || force) && strcmp(sub, "get") != 0) {
        rc = tx_fail(TX_ERR_USAGE, "--out and --force go with drafts get");
    }
    if (rc == TX_OK && (rc = tx_cli_open(g, &c)) == TX_OK) {
        if (strcmp(sub, "show") == 0) {
            rc = show(g, c, id);
        } else if (strcmp(sub, "get") == 0) {
            rc = get_files(g, c, id, name, out, force);
        } else if (strcmp(sub, "approve") == 0) {
            rc = approve(g, c, id);
        } else if (strcmp(sub, "reject") == 0) {
            rc = tx_drafts_reject(c, id, note);
            if (rc == TX_OK && !g->quiet) {
                fprintf(stderr, _("draft %s rejected\n"), id);
            }
        } else if ((rc = tx_drafts_load(c, &d)) == TX_OK) {
            print_list(g, &d);
        }
    }
    tx_drafts_free(&d);
    tx_client_destroy(&c);
    return rc;
}

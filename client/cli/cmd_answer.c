/* ticsx answer: a request answered with an answers file (signed, sealed, granted), or with an
 * assessment already written (--reuse), and all an answer does after: re-grants of a superseded
 * one, the grant to the original buyer of a forwarded request, the hints on what to do next. */
#include "cli.h"

#include "tx_answer.h"
#include "tx_cred_store.h"
#include "tx_error.h"
#include "tx_grant.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* `answer REQUEST --reuse ASSESSMENT`: an assessment already written, granted for the request. */
static int
answer_reuse(tx_cli *g, const char *request, const char *assessment)
{
    tx_grant_result res = {0};
    tx_client *c = NULL;
    char hex[2 * TX_ID_LEN + 1], rq[2 * TX_ID_LEN + 1], rec[2 * TX_ID_LEN + 1];
    int rc;

    if ((rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = tx_grant_reuse(c, request, assessment, &res)) == TX_OK && res.n == 1) {
        const tx_grant_item *it = &res.v[0];
        tx_hex(hex, res.assessment, TX_ID_LEN);
        tx_hex(rq, res.request, TX_ID_LEN);
        tx_hex(rec, it->record, TX_ID_LEN);
        if (g->json) {
            tx_cli_print_json(tx_grant_reuse_json(&res));
        } else {
            printf("%s\n", hex);
            if (!g->quiet) {
                fprintf(stderr,
                        it->existing
                            ? _("nothing to do: request %.12s of %s answered with assessment "
                                "%.12s already\n")
                            : _("shared: request %.12s of %s answered with assessment %.12s (no "
                                "answers typed again)\n"),
                        rq, it->name[0] ? it->name : it->fingerprint, hex);
            }
        }
    }
    tx_grant_result_free(&res);
    tx_client_destroy(&c);
    return rc;
}

/* What an answer did about sharing (supersedes, re-grants, sub-suppliers, an older assessment
 * of the same questionnaire), told on standard error. */
static void
share_note(FILE *f, const tx_answer_result *res)
{
    char old[2 * TX_ID_LEN + 1];

    if (res->n_suppliers > 0) {
        fprintf(f,
                ngettext("it lists %zu sub-supplier (encrypted with the answers)\n",
                         "it lists %zu sub-suppliers (encrypted with the answers)\n",
                         res->n_suppliers),
                res->n_suppliers);
    }
    if (res->supersedes) {
        tx_hex(old, res->superseded, TX_ID_LEN);
        fprintf(f,
                ngettext("it supersedes %.12s; granted to %zu more reader of that one\n",
                         "it supersedes %.12s; granted to %zu more readers of that one\n",
                         res->n_regranted),
                old, res->n_regranted);
    } else if (res->has_older) {
        tx_hex(old, res->older, TX_ID_LEN);
        fprintf(f,
                _("note: assessment %1$.12s of this organisation answers the same questionnaire "
                  "and stays current beside the new one (answer --reuse %1$.12s shares an "
                  "existing one; --supersedes %1$.12s replaces it)\n"),
                old);
    }
}

/* Warns that a superseding answer no longer lists some of the old one's sub-suppliers: the
 * buyers' supply trees lose them (and the tiers below them). Said even with --quiet. */
static void
dropped_note(FILE *f, const tx_answer_result *res)
{
    char old[2 * TX_ID_LEN + 1];

    if (res->n_dropped == 0) {
        return;
    }
    tx_hex(old, res->superseded, TX_ID_LEN);
    fprintf(f,
            ngettext("warning: %zu sub-supplier listed in %.12s is not listed any more; buyers' "
                     "supply trees lose it:",
                     "warning: %zu sub-suppliers listed in %.12s are not listed any more; "
                     "buyers' supply trees lose them:",
                     res->n_dropped),
            res->n_dropped, old);
    for (size_t i = 0; i < res->n_dropped && i < TX_ANSWER_DROPPED_MAX; i++) {
        fprintf(f, "%s%s", i > 0 ? _(", ") : " ", res->dropped[i]);
    }
    if (res->n_dropped > TX_ANSWER_DROPPED_MAX) {
        fprintf(f, _(" and %zu more"), res->n_dropped - TX_ANSWER_DROPPED_MAX);
    }
    fputs(_("\n(list them in the answers file's suppliers sheet or section to keep them)\n"), f);
}

/* A responder's answer: the draft's id on standard output (or {"draft", "request", "answered",
 * "items", "as_of", "valid_until", "evidence": {"files", "sent", "reused"}}), and what happens
 * next. */
static void
print_draft(const tx_cli *g, const tx_answer_result *res)
{
    char hex[2 * TX_ID_LEN + 1], d1[16], d2[16];

    tx_hex(hex, res->draft_id, TX_ID_LEN);
    tx_format_date(d1, sizeof d1, res->as_of);
    tx_format_date(d2, sizeof d2, res->valid_until);
    if (g->json) {
        tx_cli_print_json(json_pack(
            "{s:o,s:o,s:I,s:I,s:o,s:o,s:{s:I,s:I,s:I}}", "draft",
            tx_json_hex(res->draft_id, TX_ID_LEN), "request", tx_json_hex(res->request, TX_ID_LEN),
            "answered", (json_int_t)res->n_answers, "items", (json_int_t)res->n_items, "as_of",
            tx_json_date(res->as_of), "valid_until", tx_json_date(res->valid_until), "evidence",
            "files", (json_int_t)res->n_evidence, "sent", (json_int_t)res->evidence_sent, "reused",
            (json_int_t)res->evidence_reused));
        return;
    }
    printf("%s\n", hex);
    if (!g->quiet) {
        fprintf(stderr,
                _("draft %.12s prepared for an officer: %zu of %zu items answered, as of %s, "
                  "valid until %s; sealed to the organisation, nothing was sent to the "
                  "requester\n"),
                hex, res->n_answers, res->n_items, d1, d2);
        if (res->n_evidence > 0) {
            fprintf(stderr,
                    ngettext("%zu evidence file sent encrypted with the draft (only the "
                             "organisation's people can fetch it until an officer approves)\n",
                             "%zu evidence files sent encrypted with the draft (only the "
                             "organisation's people can fetch them until an officer approves)\n",
                             res->n_evidence),
                    res->n_evidence);
        }
    }
}

/* After an answer: with also_grant_origin, grants the assessment to the original buyer of a
 * forwarded request (TX_ERR_USAGE when it was not forwarded); then adds "depth", "origin_buyer"
 * and "origin_granted" to j, or (j NULL) hints on standard error to forward a request asking for
 * more tiers and to share with the original buyer. */
static int
answer_tiers(tx_cli *g, tx_client *c, const tx_answer_result *res, int also_grant_origin, json_t *j)
{
    char rq[2 * TX_ID_LEN + 1], as[2 * TX_ID_LEN + 1], fp[TX_FP_LEN];
    tx_grant_result gr = {0};
    int rc = TX_OK, granted = 0;

    tx_hex(rq, res->request, TX_ID_LEN);
    tx_hex(as, res->assessment, TX_ID_LEN);
    tx_fingerprint(res->origin, fp);
    if (also_grant_origin && !res->forwarded) {
        return tx_fail(TX_ERR_USAGE,
                       "--also-grant-origin: request %.12s was not forwarded on "
                       "anyone's behalf (it was granted to its requester)",
                       rq);
    }
    if (also_grant_origin) {
        const char *to[1] = {fp};
        tx_grant_args ga = {.assessment = as, .to = to, .n_to = 1, .until = 0};
        if ((rc = tx_grant_submit(c, &ga, &gr)) != TX_OK) {
            tx_grant_result_free(&gr);
            return rc;
        }
        granted = 1;
        tx_grant_result_free(&gr);
    }
    if (j != NULL) {
        json_object_set_new(j, "depth", json_integer(res->depth));
        json_object_set_new(j, "origin_buyer", res->forwarded ? json_string(fp) : json_null());
        json_object_set_new(j, "origin_granted", json_boolean(granted));
        return TX_OK;
    }
    if (g->quiet) {
        return TX_OK;
    }
    if (res->forwarded && granted) {
        fprintf(stderr, _("also granted to the original buyer %s\n"), fp);
    } else if (res->forwarded) {
        fprintf(stderr,
                _("forwarded on behalf of %1$s: it sees this assessment only if you share it "
                  "(ticsx grant %2$.12s --to %1$s, or answer --also-grant-origin)\n"),
                fp, as);
    }
    if (res->depth > 1) {
        fprintf(stderr,
                _("the request asks for %u tiers: forward it to your suppliers with "
                  "ticsx forward %.12s\n"),
                res->depth, rq);
    }
    return TX_OK;
}

/* The declared credentials an answer includes (`--credentials all|none|ID[,ID...]`, default
 * all), as Credential messages pointing into decl, with their documents appended to the
 * attachments. Warns on standard error about one that has expired by the as-of date or
 * today (a buyer judges it expired): the answer goes on. */
static int
pick_credentials(tx_cli *g, tx_client *c, const char *which, tx_answer_args *a,
                 tx_attachment *files, size_t max_files, tx_cred_decl **decl,
                 tx_credential_pb **pbs, char **slots, tx_credential_pb ***ptrs)
{
    size_t n = 0, keep = 0;
    int64_t at = a->as_of ? a->as_of : tx_now();
    int rc;

    *decl = NULL;
    if (which != NULL && strcmp(which, "none") == 0) {
        return TX_OK;
    }
    if ((rc = tx_cred_load_all(tx_client_home(c), decl, &n)) != TX_OK) {
        return rc;
    }
    if (which != NULL && strcmp(which, "all") != 0) {
        char *list = strdup(which), *save = NULL;
        if (list == NULL) {
            return TX_ERR_NOMEM;
        }
        for (char *t = strtok_r(list, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
            size_t i;
            for (i = 0; i < n; i++) {
                if (strcmp((*decl)[i].id, t) == 0 || strcmp((*decl)[i].number, t) == 0) {
                    break;
                }
            }
            if (i == n) {
                rc = tx_fail(TX_ERR_NOT_FOUND,
                             "--credentials: no declared credential %s (ticsx credential list "
                             "shows them; all or none)",
                             t);
                free(list);
                return rc;
            }
            if (i >= keep) { /* move it to the front, once */
                tx_cred_decl tmp = (*decl)[keep];
                (*decl)[keep] = (*decl)[i];
                (*decl)[i] = tmp;
                keep++;
            }
        }
        free(list);
        n = keep;
    }
    if (n == 0) {
        return TX_OK;
    }
    if ((*pbs = calloc(n, sizeof **pbs)) == NULL || (*ptrs = calloc(n, sizeof **ptrs)) == NULL) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        tx_cred_decl *d = &(*decl)[i];
        static char doc[TX_CRED_MAX][4096];
        tx_cred_to_pb(d, &(*pbs)[i], &slots[i]);
        (*ptrs)[i] = &(*pbs)[i];
        if (d->expires && d->expires <= at && !g->quiet) {
            char day[16];
            tx_format_date(day, sizeof day, d->expires);
            fprintf(stderr,
                    _("warning: declared credential %1$s expired on %2$s: a buyer sees it as "
                      "expired (ticsx credential remove %1$s, or --credentials to leave it "
                      "out)\n"),
                    d->id, day);
        }
        if (d->document[0] == 0) {
            continue;
        }
        if (a->n_attachments >= max_files) {
            return tx_fail(TX_ERR_USAGE,
                           "--evidence: at most %zu files with the credentials' "
                           "documents",
                           max_files);
        }
        if ((rc = tx_cred_doc_path(tx_client_home(c), d, doc[i], sizeof doc[i])) != TX_OK) {
            return rc;
        }
        if (a->attachments != files) {
            a->attachments = files;
        }
        files[a->n_attachments++] =
            (tx_attachment){.path = doc[i], .name = d->document, .media_type = d->media_type};
    }
    a->credentials = *ptrs;
    a->n_credentials = n;
    return TX_OK;
}

int
tx_cmd_answer(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"file", required_argument, NULL, 'f'},
                                         {"valid-until", required_argument, NULL, 'v'},
                                         {"as-of", required_argument, NULL, 'a'},
                                         {"allow-missing", no_argument, NULL, 'm'},
                                         {"certificate", required_argument, NULL, 'C'},
                                         {"reuse", required_argument, NULL, 'R'},
                                         {"supersedes", required_argument, NULL, 'S'},
                                         {"no-regrant", no_argument, NULL, 'N'},
                                         {"also-grant-origin", no_argument, NULL, 'O'},
                                         {"evidence", required_argument, NULL, 'E'},
                                         {"credentials", required_argument, NULL, 'K'},
                                         {"check", required_argument, NULL, 'c'},
                                         {"questionnaire", required_argument, NULL, 'Q'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    const char *reuse = NULL, *which = NULL, *check = NULL, *qid = NULL;
    tx_cred_decl *decl = NULL;
    tx_credential_pb *pbs = NULL, **ptrs = NULL;
    char *slots[TX_CRED_MAX];
    tx_attachment files[TX_EVIDENCE_MAX_CHUNKS]; /* --evidence: each file takes a chunk at least */
    tx_answer_args a = {0};
    tx_answer_result res;
    tx_client *c = NULL;
    char hex[2 * TX_ID_LEN + 1], grant[2 * TX_ID_LEN + 1], d1[16], d2[16];
    int opt, rc = TX_OK, also_grant_origin = 0;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (opt) {
        case 'f':
            a.file = optarg;
            break;
        case 'v':
            rc = tx_cli_parse_date("--valid-until", optarg, &a.valid_until);
            break;
        case 'a':
            rc = tx_cli_parse_date("--as-of", optarg, &a.as_of);
            break;
        case 'm':
            a.allow_missing = 1;
            break;
        case 'C':
            a.certificate = optarg;
            break;
        case 'R':
            reuse = optarg;
            break;
        case 'S':
            a.supersedes = optarg;
            break;
        case 'N':
            a.no_regrant = 1;
            break;
        case 'O':
            also_grant_origin = a.need_forwarded = 1;
            break;
        case 'K':
            which = optarg;
            break;
        case 'c':
            check = optarg;
            break;
        case 'Q':
            qid = optarg;
            break;
        case 'E':
            if (a.n_attachments == TX_ARRAY_LEN(files)) {
                rc = tx_fail(TX_ERR_USAGE, "--evidence: at most %zu files", TX_ARRAY_LEN(files));
                break;
            }
            files[a.n_attachments] = (tx_attachment){.path = optarg};
            a.attachments = files;
            a.n_attachments++;
            break;
        default:
            rc = tx_cli_common_opt(g, opt, "answer");
        }
    }
    if (rc != TX_OK) {
        return rc;
    }
    if (check != NULL || qid != NULL) {
        if (check == NULL || a.file != NULL || reuse != NULL || a.supersedes != NULL ||
            a.no_regrant || a.valid_until || a.as_of || a.certificate != NULL ||
            also_grant_origin || which != NULL || optind + (qid == NULL) != argc) {
            return tx_fail(TX_ERR_USAGE, "usage: ticsx answer --check FILE (REQUEST | "
                                         "--questionnaire ID) [--allow-missing] [--evidence "
                                         "FILE]... [--json] (a dry run: no other options)");
        }
        return tx_cmd_answer_check(g, check, qid == NULL ? argv[optind] : NULL, qid,
                                   a.allow_missing, a.attachments, a.n_attachments);
    }
    if (reuse != NULL) {
        if (a.file != NULL || a.supersedes != NULL || a.no_regrant || a.valid_until || a.as_of ||
            a.allow_missing || a.certificate != NULL || also_grant_origin || a.n_attachments > 0 ||
            which != NULL || optind + 1 != argc) {
            return tx_fail(TX_ERR_USAGE, "usage: ticsx answer REQUEST --reuse ASSESSMENT (the "
                                         "assessment is shared as it is: no other options)");
        }
        return answer_reuse(g, argv[optind], reuse);
    }
    if (a.no_regrant && a.supersedes == NULL) {
        return tx_fail(TX_ERR_USAGE, "--no-regrant goes with --supersedes ASSESSMENT");
    }
    if (a.file == NULL || optind + 1 != argc) {
        return tx_fail(TX_ERR_USAGE, "usage: ticsx answer REQUEST --file FILE [--valid-until DATE] "
                                     "[--as-of DATE] [--allow-missing] [--certificate CERT|none] "
                                     "[--evidence FILE]... [--credentials all|none|ID[,ID...]]");
    }
    a.request = argv[optind];
    if ((rc = tx_cli_open(g, &c)) == TX_OK &&
        (rc = pick_credentials(g, c, which, &a, files, TX_ARRAY_LEN(files), &decl, &pbs, slots,
                               &ptrs)) == TX_OK &&
        (rc = tx_answer_submit(c, &a, &res)) == TX_OK && res.draft) {
        print_draft(g, &res);
    } else if (rc == TX_OK) {
        tx_hex(hex, res.assessment, TX_ID_LEN);
        tx_hex(grant, res.grant, TX_ID_LEN);
        tx_format_date(d1, sizeof d1, res.as_of);
        tx_format_date(d2, sizeof d2, res.valid_until);
        if (g->json) {
            json_t *j = tx_answer_result_json(&res), *ids = json_array();
            for (size_t i = 0; i < a.n_credentials; i++) {
                json_array_append_new(ids, json_string(decl[i].id));
            }
            json_object_set_new(j, "credentials", ids);
            rc = answer_tiers(g, c, &res, also_grant_origin, j);
            tx_cli_print_json(j);
        } else {
            printf("%s\n", hex);
            dropped_note(stderr, &res);
            if (!g->quiet) {
                fprintf(stderr,
                        _("assessment signed, sealed and granted to the requester: %zu of %zu "
                          "items answered, as of %s, valid until %s\n"),
                        res.n_answers, res.n_items, d1, d2);
                if (res.has_certificate) {
                    fprintf(stderr, _("it references TICS certificate %s\n"),
                            res.certificate_number);
                } else {
                    fputs(_("it references no TICS certificate\n"), stderr);
                }
                share_note(stderr, &res);
                if (a.n_credentials > 0) {
                    fprintf(stderr,
                            ngettext("it declares %zu credential (ticsx credential list)\n",
                                     "it declares %zu credentials (ticsx credential list)\n",
                                     a.n_credentials),
                            a.n_credentials);
                }
                if (res.n_evidence > 0) {
                    fprintf(stderr,
                            ngettext("%zu evidence file attached (%zu chunks sent, %zu reused)\n",
                                     "%zu evidence files attached (%zu chunks sent, %zu reused)\n",
                                     res.n_evidence),
                            res.n_evidence, res.evidence_sent, res.evidence_reused);
                }
            }
            rc = answer_tiers(g, c, &res, also_grant_origin, NULL);
            tx_cli_note_waiting(g, c, &res.grant, 1);
        }
    }
    free(decl);
    free(pbs);
    free(ptrs);
    tx_client_destroy(&c);
    return rc;
}

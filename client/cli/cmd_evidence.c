/* ticsx evidence list|get: the files attached to an assessment granted to this organisation,
 * checked from the cache (ticsx fetch gets them), and a checked file written out; a file that
 * does not match its signed description is never written. */
#include "cli.h"

#include "tx_error.h"
#include "tx_evidence_check.h"
#include "tx_i18n.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_util.h"
#include "tx_verify.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    N_("usage: ticsx evidence list ASSESSMENT [--json]\n"
       "       ticsx evidence get ASSESSMENT [NAME] [--out FILE|DIR] [--force]\n"
       "list: the files attached to an assessment granted to you, each checked (decrypted, size\n"
       "and SHA-256 as the signed assessment states), missing (run ticsx fetch) or mismatch.\n"
       "get: writes a checked file (NAME, or every file) into the current directory, DIR, or\n"
       "FILE (- for standard output); --force replaces an existing file. A mismatch is refused\n"
       "(exit 1).\n");

/* The verdict of the assessment (prefix `id`) that was decrypted here. */
static int
find_verdict(tx_cli *g, const char *id, tx_client **c, tx_verdicts *vs, const tx_verdict **out)
{
    int rc;

    *out = NULL;
    if (strlen(id) < 8 || strspn(id, "0123456789abcdefABCDEF") != strlen(id)) {
        return tx_fail(TX_ERR_USAGE,
                       "evidence %s: give an assessment id (hex, a unique prefix of at least 8)",
                       id);
    }
    if ((rc = tx_cli_open(g, c)) != TX_OK ||
        (rc = tx_verify_all(tx_client_home(*c), id, vs)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < vs->n; i++) {
        if (vs->v[i].inner != NULL) {
            *out = &vs->v[i];
            return TX_OK;
        }
    }
    return tx_fail(TX_ERR_NOT_FOUND,
                   "assessment %s is not decrypted here (%s): ticsx verify %s says why", id,
                   vs->n > 0 && vs->v[0].reason[0] ? vs->v[0].reason : "not granted to you", id);
}

static int
evidence_list(tx_cli *g, const char *id)
{
    tx_client *c = NULL;
    tx_verdicts vs = {0};
    const tx_verdict *v;
    int rc = find_verdict(g, id, &c, &vs, &v);

    if (rc == TX_OK && g->json) {
        rc = tx_cli_print_json(json_pack("{s:o,s:o}", "assessment",
                                         tx_json_hex(v->assessment, TX_ID_LEN), "evidence",
                                         tx_evidence_json(v->evidence, v->n_evidence)));
    } else if (rc == TX_OK) {
        char hex[65];

        if (v->n_evidence == 0 && !g->quiet) {
            fputs(_("no evidence files are attached to this assessment\n"), stdout);
        }
        for (size_t i = 0; i < v->n_evidence; i++) {
            const tx_evidence_result *e = &v->evidence[i];

            if (g->quiet) {
                if (e->status == TX_EVIDENCE_CHECKED) {
                    printf("%s\n", e->name);
                }
                continue;
            }
            tx_hex(hex, e->sha256, 32);
            printf("%s  %s  %llu  %s\n", e->name, tx_evidence_status_label(e->status),
                   (unsigned long long)e->size, e->media_type);
            printf("    SHA-256 %s\n", hex);
            if (e->status != TX_EVIDENCE_CHECKED) {
                printf("    %s\n", e->reason);
            }
        }
    }
    if (rc == TX_OK) {
        for (size_t i = 0; i < v->n_evidence; i++) {
            g->definite_no |= v->evidence[i].status == TX_EVIDENCE_MISMATCH;
        }
    }
    tx_verdicts_free(&vs);
    tx_client_destroy(&c);
    return rc;
}

static int
is_dir(const char *path)
{
    struct stat st;

    return path != NULL && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Writes one file (0600: evidence is the supplier's confidential document). */
static int
write_one(const char *path, const uint8_t *data, size_t len, int force)
{
    int rc;

    if (strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
            return tx_fail(TX_ERR_IO, "cannot write to standard output");
        }
        return TX_OK;
    }
    rc = force ? tx_file_replace(path, data, len, 0600) : tx_file_create(path, data, len, 0600);
    if (rc == TX_ERR_EXISTS) {
        return tx_fail(rc, "%s exists: remove it or add --force", path);
    }
    if (rc != TX_OK) {
        return tx_fail(rc, "cannot write %s: %s", path, strerror(errno));
    }
    return TX_OK;
}

static int
get_one(tx_cli *g, tx_client *c, const tx_verdict *v, const char *name, const char *out, int force)
{
    char path[PATH_MAX], type[256];
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = tx_evidence_open(tx_client_home(c), v, name, &data, &len, type, sizeof type);

    if (rc != TX_OK) {
        return rc;
    }
    if (name == NULL) {
        name = v->inner->evidence[0]->name;
    }
    if (out == NULL || is_dir(out)) {
        rc = tx_path_join(path, sizeof path, out != NULL ? out : ".", name);
    } else {
        rc = snprintf(path, sizeof path, "%s", out) < (int)sizeof path ? TX_OK : TX_ERR_USAGE;
    }
    if (rc == TX_OK) {
        rc = write_one(path, data, len, force);
    } else {
        rc = tx_fail(rc, "path too long: %s", out != NULL ? out : name);
    }
    if (rc == TX_OK && !g->quiet && strcmp(path, "-") != 0) {
        fprintf(stderr, _("wrote %1$s (%2$zu bytes, %3$s, checked)\n"), path, len, type);
    }
    free(data);
    return rc;
}

int
tx_cli_evidence_write(tx_cli *g, tx_client *c, const tx_verdict *v, const char *id,
                      const char *name, const char *out, int force)
{
    int rc = TX_OK;

    if (name != NULL || v->n_evidence == 1) {
        rc = get_one(g, c, v, name, out, force);
    } else if (v->n_evidence == 0) {
        rc = tx_fail(TX_ERR_NOT_FOUND, "no evidence files are attached to assessment %s", id);
    } else if (out != NULL && !is_dir(out)) {
        rc = tx_fail(TX_ERR_USAGE,
                     "the assessment has %zu files: --out must be a directory, or name one file",
                     v->n_evidence);
    } else {
        /* Every file: the checked ones are written, the others named; exit 1 if any is not. */
        for (size_t i = 0; i < v->n_evidence && rc == TX_OK; i++) {
            rc = get_one(g, c, v, v->evidence[i].name, out, force);
            if (rc == TX_ERR_CHECKSUM || rc == TX_ERR_MISSING_REF) {
                fprintf(stderr, "ticsx: %s\n", tx_fail_msg());
                tx_fail_clear();
                g->definite_no = 1;
                rc = TX_OK;
            }
        }
    }
    return rc;
}

static int
evidence_get(tx_cli *g, const char *id, const char *name, const char *out, int force)
{
    tx_client *c = NULL;
    tx_verdicts vs = {0};
    const tx_verdict *v;
    int rc = find_verdict(g, id, &c, &vs, &v);

    if (rc == TX_OK) {
        rc = tx_cli_evidence_write(g, c, v, id, name, out, force);
    }
    tx_verdicts_free(&vs);
    tx_client_destroy(&c);
    return rc;
}

int
tx_cmd_evidence(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"force", no_argument, NULL, 'F'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL, *sub;
    int opt, rc = TX_OK, force = 0;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            out = optarg;
            break;
        case 'F':
            force = 1;
            break;
        case 'h':
            tx_i18n_english(0); /* help is for people, even beside --json */
            fputs(_(usage), stdout);
            return TX_OK;
        default:
            rc = tx_cli_common_opt(g, opt, "evidence");
        }
    }
    if (rc != TX_OK) {
        return rc;
    }
    sub = optind < argc ? argv[optind] : "";
    if (strcmp(sub, "list") == 0 && argc - optind == 2 && out == NULL && !force) {
        return evidence_list(g, argv[optind + 1]);
    }
    if (strcmp(sub, "get") == 0 && (argc - optind == 2 || argc - optind == 3)) {
        return evidence_get(g, argv[optind + 1], argc - optind == 3 ? argv[optind + 2] : NULL, out,
                            force);
    }
    return tx_fail(TX_ERR_USAGE,
                   "usage: ticsx evidence list ASSESSMENT | get ASSESSMENT [NAME] [--out "
                   "FILE|DIR] [--force]");
}

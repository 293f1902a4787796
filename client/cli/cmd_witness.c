/* ticsx witness (cosign the hub's checkpoints) and ticsx trust witness (pin witnesses and a
 * quorum). */
#include "cli.h"

#include "tx_error.h"
#include "tx_home.h"
#include "tx_i18n.h"
#include "tx_log.h"
#include "tx_msg.h"
#include "tx_note.h"
#include "tx_util.h"
#include "tx_witness.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const usage_witness = N_("usage: ticsx witness [--every SECONDS] [--name NAME]");
static const char *const usage_trust_witness =
    N_("usage: ticsx trust witness add FILE | list | remove KEY | quorum [N] | max-age "
       "[SECONDS]");

static json_t *
witness_json(const tx_pubkey *pk)
{
    char fp[TX_FP_LEN], kid[17], vkey[TX_NOTE_VKEY_MAX];

    tx_fingerprint(pk->sign, fp);
    tx_key_id_hex(pk->sign, kid);
    if (tx_witness_vkey(pk, vkey, sizeof vkey) != TX_OK) {
        vkey[0] = 0;
    }
    return json_pack("{s:s,s:s,s:s,s:s}", "key_id", kid, "fingerprint", fp, "name", pk->name,
                     "vkey", vkey);
}

static volatile sig_atomic_t stop_loop;

static void
on_stop(int sig)
{
    (void)sig;
    stop_loop = 1;
}

static int
witness_report(tx_cli *g, const tx_checkpoint *cp)
{
    char hex[65];

    tx_hex(hex, cp->root, 32);
    if (g->json) {
        return tx_cli_print_json(json_pack("{s:I,s:s,s:I}", "size", (json_int_t)cp->size, "root",
                                           hex, "time", (json_int_t)cp->time));
    }
    if (!g->quiet) {
        printf(_("cosigned the hub's checkpoint: %llu records, root %s\n"),
               (unsigned long long)cp->size, hex);
    }
    return TX_OK;
}

int
tx_cmd_witness(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"every", required_argument, NULL, 'e'},
                                         {"name", required_argument, NULL, 'n'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    const char *name = NULL;
    long every = 0;
    tx_client *c = NULL;
    int opt, rc, made = 0;

    while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        char *end;
        switch (opt) {
        case 'e':
            errno = 0;
            every = strtol(optarg, &end, 10);
            if (*optarg == 0 || *end != 0 || errno != 0 || every < 1 || every > 86400) {
                return tx_fail(TX_ERR_USAGE, "witness: --every takes seconds (1 to 86400)");
            }
            break;
        case 'n':
            name = optarg;
            break;
        default:
            if ((rc = tx_cli_common_opt(g, opt, "witness")) != TX_OK) {
                return rc;
            }
        }
    }
    if (optind < argc) {
        return tx_fail(TX_ERR_USAGE, "witness: unexpected argument %s; %s", argv[optind],
                       _(usage_witness));
    }
    if ((rc = tx_cli_open(g, &c)) != TX_OK) {
        return rc;
    }
    if (every > 0) {
        signal(SIGTERM, on_stop);
        signal(SIGINT, on_stop);
    }
    for (;;) {
        tx_checkpoint cp = {0};

        rc = tx_witness_once(c, name, &made, &cp);
        if (made && !g->quiet) {
            char vkey[TX_NOTE_VKEY_MAX], dir[PATH_MAX];
            const char *home = tx_home_dir(tx_client_home(c));
            tx_pubkey pk;
            snprintf(dir, sizeof dir, "%s/witness.pub", home);
            if (tx_pubkey_load(dir, &pk) == TX_OK &&
                tx_witness_vkey(&pk, vkey, sizeof vkey) == TX_OK) {
                fprintf(stderr,
                        _("made the witness key %s (name %s): give that file to those who rely "
                          "on this witness (ticsx trust witness add FILE); verifier key %s\n"),
                        dir, pk.name, vkey);
            }
        }
        if (rc == TX_OK) {
            rc = witness_report(g, &cp);
        }
        tx_checkpoint_clear(&cp);
        /* A fork (or any definite no) ends the loop: it needs a person. */
        if (every == 0 || stop_loop ||
            (rc != TX_OK && rc != TX_ERR_UNREACHABLE && rc != TX_ERR_NET && rc != TX_ERR_BUSY)) {
            break;
        }
        if (rc != TX_OK) {
            tx_warn(_("witness: %s; trying again in %ld s"), tx_fail_msg(), every);
            tx_fail_clear();
        }
        fflush(stdout);
        for (long s = 0; s < every && !stop_loop; s++) {
            sleep(1);
        }
        if (stop_loop) {
            rc = TX_OK;
            break;
        }
        name = NULL; /* the key exists now */
    }
    tx_client_destroy(&c);
    return rc;
}

int
tx_cmd_trust_witness(tx_cli *g, int argc, char **argv, int at)
{
    const char *sub = at < argc ? argv[at] : "";
    char dir[PATH_MAX], vkey[TX_NOTE_VKEY_MAX], fp[TX_FP_LEN];
    tx_pubkey pk, *keys = NULL;
    size_t n = 0;
    unsigned quorum = 0;
    int rc, added = 0;

    if ((rc = tx_home_resolve(g->home, dir, sizeof dir)) != TX_OK) {
        return rc;
    }
    if (strcmp(sub, "add") == 0 && at + 2 == argc) {
        if ((rc = tx_witness_add(dir, argv[at + 1], &pk, &added)) != TX_OK) {
            return rc;
        }
        if (g->json) {
            json_t *j = witness_json(&pk);
            json_object_set_new(j, "added", json_boolean(added));
            return tx_cli_print_json(j);
        }
        tx_witness_vkey(&pk, vkey, sizeof vkey);
        printf("%s\n", vkey);
        if (!g->quiet) {
            tx_witness_quorum(dir, &quorum);
            fprintf(stderr,
                    added ? _("pinned witness %s; the quorum is %u (set it with ticsx trust "
                              "witness quorum N)\n")
                          : _("already pinned: witness %s; the quorum is %u (set it with ticsx "
                              "trust witness quorum N)\n"),
                    pk.name, quorum);
        }
        return TX_OK;
    }
    if (strcmp(sub, "remove") == 0 && at + 2 == argc) {
        if ((rc = tx_witness_remove(dir, argv[at + 1], &pk)) != TX_OK) {
            return rc;
        }
        tx_fingerprint(pk.sign, fp);
        printf("%s\n", fp);
        if (!g->quiet) {
            fprintf(stderr, _("unpinned witness %s: its cosignatures no longer count\n"), pk.name);
        }
        if (tx_witness_quorum(dir, &quorum) == TX_OK && tx_witness_list(dir, &keys, &n) == TX_OK &&
            quorum > n) {
            tx_warn(_("the quorum %u is now above the %zu pinned witnesses: no checkpoint will "
                      "be accepted until it is lowered (ticsx trust witness quorum N)"),
                    quorum, n);
        }
        free(keys);
        return TX_OK;
    }
    if (strcmp(sub, "quorum") == 0 && (at + 1 == argc || at + 2 == argc)) {
        if (at + 2 == argc) {
            char *end;
            unsigned long v;
            errno = 0;
            v = strtoul(argv[at + 1], &end, 10);
            if (*argv[at + 1] == 0 || *end != 0 || errno != 0 || v > TX_WITNESS_MAX ||
                argv[at + 1][0] == '-') {
                return tx_fail(TX_ERR_USAGE, "trust witness quorum: N is 0 to %d", TX_WITNESS_MAX);
            }
            if ((rc = tx_witness_set_quorum(dir, (unsigned)v)) != TX_OK) {
                return rc;
            }
        }
        if ((rc = tx_witness_quorum(dir, &quorum)) != TX_OK) {
            return rc;
        }
        if (g->json) {
            return tx_cli_print_json(json_pack("{s:i}", "quorum", (int)quorum));
        }
        printf("%u\n", quorum);
        return TX_OK;
    }
    if (strcmp(sub, "max-age") == 0 && (at + 1 == argc || at + 2 == argc)) {
        int64_t age;

        if (at + 2 == argc) {
            char *end;
            long long v;
            errno = 0;
            v = strtoll(argv[at + 1], &end, 10);
            if (*argv[at + 1] == 0 || *end != 0 || errno != 0) {
                return tx_fail(TX_ERR_USAGE, "trust witness max-age: SECONDS is 60 to %d",
                               TX_WITNESS_AGE_MAX);
            }
            if ((rc = tx_witness_set_max_age(dir, (int64_t)v)) != TX_OK) {
                return rc;
            }
        }
        if ((rc = tx_witness_max_age(dir, &age)) != TX_OK) {
            return rc;
        }
        if (g->json) {
            return tx_cli_print_json(json_pack("{s:I}", "max_age", (json_int_t)age));
        }
        printf("%lld\n", (long long)age);
        return TX_OK;
    }
    if (strcmp(sub, "list") != 0 || at + 1 != argc) {
        return tx_fail(TX_ERR_USAGE, "%s", _(usage_trust_witness));
    }
    if ((rc = tx_witness_list(dir, &keys, &n)) != TX_OK ||
        (rc = tx_witness_quorum(dir, &quorum)) != TX_OK) {
        free(keys);
        return rc;
    }
    if (g->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(arr, witness_json(&keys[i]));
        }
        free(keys);
        return tx_cli_print_json(json_pack("{s:o,s:i}", "witnesses", arr, "quorum", (int)quorum));
    }
    if (!g->quiet) {
        printf(
            ngettext("quorum %u of %zu pinned witness\n", "quorum %u of %zu pinned witnesses\n", n),
            quorum, n);
    }
    for (size_t i = 0; i < n; i++) {
        tx_witness_vkey(&keys[i], vkey, sizeof vkey);
        printf("%s\n", vkey);
    }
    free(keys);
    return TX_OK;
}

/* The help text, and the helpers every command file shares: opening the client with the global
 * options, the options every command takes, dates, --to values, JSON on standard output, and
 * output files written through a temporary. */
#include "cli.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The help, in blocks each translated whole (so that the translation aligns its own
 * columns): the global options, the commands, the notation and exit status. */
static const char *const usage_blocks[] = {
    N_("usage: ticsx [GLOBAL OPTIONS] COMMAND [OPTIONS]\n"
       "\n"
       "global options (before or after the command):\n"
       "  --home DIR        home directory (env TICSX_HOME, default ~/.config/ticsx)\n"
       "  --hub ENDPOINT    hub address (env TICSX_HUB, default tcp://127.0.0.1:7700)\n"
       "  --hub-key FILE    the hub's hub.pub (env TICSX_HUB_KEY); needed to reach the hub\n"
       "  --timeout MS      wait at most MS for each hub reply (default 5000)\n"
       "  --lang ja|en      language of texts (default: ja when LC_ALL, LC_MESSAGES or LANG\n"
       "                    starts with ja)\n"
       "  --json            JSON output (read commands)\n"
       "  -q, --quiet       print only ids, one per line\n"
       "  -h, --help        this help (also ticsx help);  --version  the version\n"),
    N_("commands:\n"
       "  keygen --name NAME [--corporate-number N]   create this organisation's keys and profile\n"
       "  keygen --name NAME --member-of PROFILE      a person's own keys, beside its\n"
       "                                              organisation's profile (a member's home)\n"
       "  member add --name NAME --role ROLE --key FILE [--from DATE] [--until DATE]\n"
       "  member show MEMBER | list | remove MEMBER [--date DATE]\n"
       "                                              the organisation's people and their roles\n"
       "  key rotate                                  replace the organisation key (new signing and\n"
       "                                              transport keys; buyers follow the successor)\n"
       "  key revoke MEMBER|--own --from DATE --reason TEXT [--from-index N]\n"
       "                                              report a key lost: the hub refuses it, verify\n"
       "                                              fails what it signed from then on\n"
       "  key accept FINGERPRINT                      accept a key the hub operator re-enrolled\n"
       "  drafts show ID | get ID [NAME] | list | approve ID | reject ID [--note TEXT]\n"
       "                                              responders' drafts and their files: an officer\n"
       "                                              sends one as the organisation's answer, or\n"
       "                                              turns it down\n"
       "  grants approve ID | reject ID | pending     grants waiting for a second officer\n"
       "  grants settings [--two-officers on|off]     two officers for grants to new buyers\n"
       "  whoami                                      name, fingerprint, key id, home\n"
       "  orgs                                        organisations enrolled on the hub\n"
       "  ping                                        check the hub answers\n"
       "  questionnaire list                          built-in and published questionnaires\n"
       "  questionnaire show ID                       areas, items, scale and levels\n"
       "  questionnaire template ID|REQUEST [--out FILE] [--format csv|json|xlsx]\n"
       "                                              an answers file to fill in\n"
       "  questionnaire import FILE.csv --id ID --version N [--title-ja T] [--title-en T]\n"
       "                [--out FILE.json] [--publish]  a check sheet as a signed questionnaire\n"
       "  questionnaire main [ID|none]                the questionnaire reports show by default\n"
       "  request --questionnaire ID --to ORG[,ORG...] [--due DATE] [--depth N] [--note TEXT]\n"
       "          [--every PERIOD]                    ask suppliers; prints the request id;\n"
       "                                              --every PERIOD repeats it (a campaign)\n"
       "  inbox [--all]                               new requests, grants and revocations\n"
       "  watch [--count N] [--for SECONDS]           print them as the hub pushes them\n"
       "  answer REQUEST --file FILE [--valid-until DATE] [--as-of DATE] [--allow-missing]\n"
       "         [--certificate CERT|none] [--supersedes ASSESSMENT [--no-regrant]]\n"
       "                                              sign, seal and grant; prints the assessment "
       "id\n"
       "  answer REQUEST --reuse ASSESSMENT           answer with an assessment already written\n"
       "  answer --check FILE REQUEST|--questionnaire ID [--allow-missing] [--evidence FILE]\n"
       "                                              dry run: scores, sub-suppliers, problems\n"
       "  forward REQUEST [--to ORG[,ORG...]]         pass a request asking for more tiers on to\n"
       "                                              your suppliers, on behalf of its buyer\n"
       "  grant ASSESSMENT --to BUYER[,BUYER...] [--until DATE]   share it with more buyers\n"
       "  revoke ASSESSMENT --from BUYER              withdraw a buyer's grant, every version\n"
       "  assessments                                 own assessments by version line, where each\n"
       "                                              is shared (since, until, revoked)\n"
       "  fetch                                       download what was granted to you\n"
       "  verify [ASSESSMENT]                         check it all here; exit 1 if any fails\n"
       "  report [--format table|json|csv|html|oscal|xlsx] [--out FILE [--force]]\n"
       "         [--depth N] [--current-days N] [--questionnaire ID]\n"
       "                                              per questionnaire: a row per supplier with\n"
       "                                              its area scores, and the supply tree with\n"
       "                                              roll-ups per tier\n"
       "  requests                                    your requests, who answered, response rate\n"
       "  due [--within DAYS] [--fetch]               what to do by when; exit 1 if overdue\n"
       "  history [ASSESSMENT|ORG] [--format table|json|csv] [--out FILE [--force]] [--fetch]\n"
       "                                              who did what when, with each log index\n"
       "  campaign show N | list | run [--dry-run] | stop N\n"
       "                                              requests repeated each period (cron, timer)\n"
       "  trust add FILE | list | remove KEY          pin the accreditor's public key (METI role)\n"
       "  accredit --body ORG --scope all|SECTOR[,SECTOR...] --from DATE --until DATE [--note T]\n"
       "  accredit --body ORG --withdraw [--until DATE]   (accreditor) accredit or withdraw a "
       "body\n"
       "  cert issue --holder ORG --number N --scope TEXT --sector SECTOR --criteria 2018|2024\n"
       "             --issued DATE [--expires DATE] [--renews CERT]\n"
       "                             (certification body) issue or renew a certificate\n"
       "  cert report|suspend|reinstate|revoke CERT [--date DATE] [--note TEXT]\n"
       "  cert show CERT | verify CERT [--at DATE] [--grace DAYS] | list [--holder ORG]\n"
       "  cert history CERT|ORG [--at DATE] [--grace DAYS]   its line of renewals\n"
       "  audit-log                                   check the hub's signed log: every record "
       "you\n"
       "                                              may see is in it, the leaves rebuild its "
       "root\n"
       "  witness [--every SECONDS] [--name NAME]     check the hub's log extends the checkpoint\n"
       "                                              cosigned last, cosign the new one, hand it "
       "in\n"
       "  trust witness add FILE | list | remove KEY | quorum [N] | max-age [SECONDS]\n"
       "                                              pin witnesses; accept only checkpoints N of\n"
       "                                              them cosigned (default 0: none needed)\n"
       "  ui [--port N] [--no-browser]                the exchange in your browser, served on\n"
       "                                              127.0.0.1; prints the address to open "
       "(valid\n"
       "                                              once); ctrl-c stops it\n"),
    /* public registers (cmd_register.c); a block of its own, read as part of the commands */
    N_("  register import FILE [--list LIST] [--as-of DATE] [--source TEXT] [--title-ja T]\n"
       "           [--title-en T] [--publish] [--out FILE [--force]]\n"
       "                                              METI's list of certified organisations\n"
       "                                              (CSV or the HTML table) as a signed,\n"
       "                                              dated register\n"
       "  register list                               registers in the cache, trusted or not\n"
       "  register show ID|LIST [--at DATE]           one register and its entries\n"
       "  register trust FILE | untrust KEY | trusted  pin the publishers whose registers count\n"
       "  register bodies [--at DATE]                 the accredited certification bodies in\n"
       "                                              force (built in, or a signed register)\n"),
    N_("commands: evidence files attached to assessments, checked by every grantee\n"
       "  answer REQUEST --file FILE --evidence FILE [--evidence FILE...]\n"
       "                                              attach files (20 MiB each, 100 MiB in all)\n"
       "  evidence list ASSESSMENT                    its files and whether each is checked\n"
       "  evidence get ASSESSMENT [NAME] [--out FILE|DIR] [--force]\n"
       "                                              write a checked file; a mismatch is "
       "refused\n"),
    N_("commands: declared credentials (kept in the home, sent with every answer)\n"
       "  credential add --scheme tics|isms|tisax|pmark|audit\n"
       "                 [--state certified|applied|under_audit] [--number N] [--body NAME]\n"
       "                 [--holder NAME] [--corporate-number N] [--scope TEXT]\n"
       "                 [--criteria 2018|2024] [--standard TEXT] [--issued DATE]\n"
       "                 [--expires DATE] [--last-report DATE] [--expected DATE]\n"
       "                 [--renews NUMBER] [--document FILE]\n"
       "                                              declare a certificate, label, audit report\n"
       "                                              or application; its document (PDF, PNG,\n"
       "                                              JPEG) goes with every answer\n"
       "  credential list                             the declared credentials\n"
       "  credential show ID | remove ID              one of them; remove it\n"
       "  answer REQUEST --file FILE [--credentials all|none|ID[,ID...]]\n"
       "                                              which ones an answer declares (default "
       "all)\n"),
    N_("commands: the buyer's acceptance policy\n"
       "  policy set FILE [--name TEXT]               a new version of the policy, in force from\n"
       "                                              now (FILE: JSON, see man ticsx)\n"
       "  policy set [--accept SCHEME:STATUS[,STATUS...]] [--level N] [--area ID=PERCENT]\n"
       "             [--overall PERCENT] [--within DAYS] [--grace DAYS] [--verified]\n"
       "             [--sub-suppliers] [--name TEXT]  the same from options; --accept and --area\n"
       "                                              may be repeated (any one --accept is "
       "enough)\n"
       "  policy show [N]                             the policy in force (or version N) in words\n"
       "  policy list                                 every version with its date; * in force\n"
       "  policy use N|none                           put version N in force (none: no policy)\n"
       "  report [--policy N|none]                    judge each supplier by version N (default:\n"
       "                                              the version in force) or by no policy\n"
       "SCHEME: tics, isms, tisax, pmark, audit.  STATUS: valid, listed, declared, report_due,\n"
       "applied, under_audit (a credential's status as verify shows it).\n"),
    N_("commands: remediation plans (sealed with the answers: only grantees see them)\n"
       "  answer REQUEST --file FILE                  a plan for an item answered partly\n"
       "                                              or no: columns plan, plan_due,\n"
       "                                              plan_done, evidence (JSON: \"plan\",\n"
       "                                              \"evidence\")\n"
       "  plan list [--all]                           your plans not done, earliest due\n"
       "                                              first\n"
       "  plan done ASSESSMENT ITEM [--date DATE] [--evidence FILE...]\n"
       "                                              mark one done: a new version that\n"
       "                                              supersedes it, for the same buyers\n"
       "  policy set [--plan-days DAYS] [--max-overdue N]\n"
       "                                              (buyer) fail a plan done DAYS ago\n"
       "                                              without an improved answer, or\n"
       "                                              more than N overdue plans\n"),
    N_("commands: questionnaires mapped to topics (2024 TICS criteria, JAMA/JAPIA Level 1...)\n"
       "  questionnaire import FILE.csv --id ID --version N --topics TOPICS.csv\n"
       "                                              a sheet whose topics column names topics of\n"
       "                                              TOPICS.csv (id, framework, name ja, name "
       "en)\n"
       "                                              or of the built-in questionnaire\n"),
    N_("ORG: legal name, fingerprint (SHA256:...) or 16-hex key id.  DATE: YYYY-MM-DD.\n"
       "REQUEST, ASSESSMENT: 64 hex digits, or a unique prefix of at least 8.\n"
       "CERT: a certificate number, or its record id (a unique prefix of at least 8 hex).\n"
       "exit status: 0 ok, 1 a definite no (verification failed, refused), 2 usage or local\n"
       "error, 3 hub unreachable.\n"),
};

void
tx_cli_usage(FILE *f)
{
    for (size_t i = 0; i < sizeof usage_blocks / sizeof usage_blocks[0]; i++) {
        fputs(i > 0 ? "\n" : "", f);
        fputs(_(usage_blocks[i]), f);
    }
}

int
tx_cmd_help(tx_cli *g, int argc, char **argv)
{
    int rc;

    if ((rc = tx_cli_common_only(g, argc, argv, "help")) != TX_OK) {
        return rc;
    }
    if (optind < argc) {
        return tx_fail(TX_ERR_USAGE, "help takes no argument (got %s): see ticsx --help",
                       argv[optind]);
    }
    tx_cli_usage(stdout);
    return TX_OK;
}

int
tx_cli_open(const tx_cli *g, tx_client **out)
{
    tx_client_opts o = {
        .home = g->home, .endpoint = g->hub, .hub_key = g->hub_key, .timeout_ms = g->timeout_ms};

    return tx_client_open(&o, out);
}

int
tx_cli_common_opt(tx_cli *g, int opt, const char *command)
{
    char *end;
    long v;

    switch (opt) {
    case 'J':
        /* Output for programs: its texts (reasons, messages) stay English whatever --lang. */
        g->json = 1;
        tx_i18n_english(1);
        return TX_OK;
    case 'q':
        g->quiet = 1;
        return TX_OK;
    case TX_OPT_HOME:
        g->home = optarg;
        return TX_OK;
    case TX_OPT_HUB:
        g->hub = optarg;
        return TX_OK;
    case TX_OPT_HUB_KEY:
        g->hub_key = optarg;
        return TX_OK;
    case TX_OPT_TIMEOUT:
        errno = 0;
        v = strtol(optarg, &end, 10);
        if (errno != 0 || end == optarg || *end != 0 || v <= 0 || v > 3600000) {
            return tx_fail(TX_ERR_USAGE, "--timeout %s: give milliseconds, 1 to 3600000", optarg);
        }
        g->timeout_ms = (int)v;
        return TX_OK;
    case TX_OPT_LANG:
        /* Every text from here on, the error messages included, follows the new language. */
        if (tx_i18n_init(optarg) != TX_OK) {
            return tx_fail(TX_ERR_USAGE, "--lang %s: use ja or en", optarg);
        }
        g->ja = tx_i18n_ja();
        return TX_OK;
    case 'h':
        tx_i18n_english(0); /* help is for people, even beside --json */
        tx_cli_usage(stdout);
        exit(0);
    default:
        return tx_fail(TX_ERR_USAGE, "%s: unknown option or missing value (see ticsx --help)",
                       command);
    }
}

int
tx_cli_common_only(tx_cli *g, int argc, char **argv, const char *command)
{
    static const struct option opts[] = {TX_CLI_COMMON_OPTS, {NULL, 0, NULL, 0}};
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if ((rc = tx_cli_common_opt(g, opt, command)) != TX_OK) {
            return rc;
        }
    }
    return TX_OK;
}

int
tx_cli_parse_date(const char *opt, const char *s, int64_t *out)
{
    if (tx_parse_time(s, out) != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "%s %s: give a date as YYYY-MM-DD", opt, s);
    }
    return TX_OK;
}

int
tx_cli_split_names(char *s, const char **names, size_t *n, size_t max, const char *what)
{
    /* Kept whole: a legal name may hold commas. The names are split when they are resolved
     * (tx_orgs_split_to), once the enrolled organisations are known. */
    while (*s == ' ') {
        s++;
    }
    if (*s == 0) {
        return TX_OK;
    }
    if (*n >= max) {
        return tx_fail(TX_ERR_USAGE, "--to: at most %zu %s", max, what);
    }
    names[(*n)++] = s;
    return TX_OK;
}

int
tx_cli_print_json(json_t *root)
{
    int rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

    fputc('\n', stdout);
    json_decref(root);
    return rc == 0 ? TX_OK : tx_fail(TX_ERR_IO, "cannot write to standard output");
}

json_t *
tx_cli_key_json(const tx_pubkey *pk)
{
    char fp[TX_FP_LEN], kid[17], hex[2 * TX_KEY_LEN + 1];

    tx_fingerprint(pk->sign, fp);
    tx_key_id_hex(pk->sign, kid);
    tx_hex(hex, pk->sign, TX_KEY_LEN);
    return json_pack("{s:s,s:s,s:s,s:s}", "key_id", kid, "fingerprint", fp, "name", pk->name, "key",
                     hex);
}

int
tx_cli_print_pins(const tx_cli *g, tx_pubkey *keys, size_t n, const char *member,
                  const char *none_text)
{
    char fp[TX_FP_LEN], kid[17];

    if (g->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(arr, tx_cli_key_json(&keys[i]));
        }
        free(keys);
        return tx_cli_print_json(json_pack("{s:o}", member, arr));
    }
    if (!g->quiet && n == 0) {
        fputs(none_text, stdout);
    } else if (!g->quiet) {
        /* TRANSLATORS: column headers over 16 and 50 display columns, two spaces between. */
        fputs(_("KEY ID            FINGERPRINT                                         NAME (from "
                "the key file)\n"),
              stdout);
    }
    for (size_t i = 0; i < n; i++) {
        tx_fingerprint(keys[i].sign, fp);
        tx_key_id_hex(keys[i].sign, kid);
        if (g->quiet) {
            printf("%s\n", fp);
        } else {
            printf("%s  %-50s  %s\n", kid, fp, keys[i].name);
        }
    }
    free(keys);
    return TX_OK;
}

int
tx_cli_open_out(const char *path, int replace, FILE **f, char *tmp, size_t n)
{
    int fd;

    if (path == NULL || strcmp(path, "-") == 0) {
        *f = stdout;
        tmp[0] = 0;
        return TX_OK;
    }
    if (!replace && access(path, F_OK) == 0) {
        return tx_fail(TX_ERR_EXISTS, "%s exists: remove it or choose another --out", path);
    }
    if (snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid()) >= (int)n) {
        return tx_fail(TX_ERR_USAGE, "path too long: %s", path);
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 || (*f = fdopen(fd, "w")) == NULL) {
        if (fd >= 0) {
            close(fd);
        }
        return tx_fail(TX_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    }
    return TX_OK;
}

int
tx_cli_commit_out(const char *path, FILE *f, const char *tmp, int rc)
{
    if (f == stdout) {
        if (fflush(stdout) != 0 && rc == TX_OK) {
            rc = tx_fail(TX_ERR_IO, "cannot write to standard output");
        }
        return rc;
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        rc = rc == TX_OK ? tx_fail(TX_ERR_IO, "cannot write %s: %s", path, strerror(errno)) : rc;
    }
    fclose(f);
    if (rc == TX_OK && rename(tmp, path) != 0) {
        rc = tx_fail(TX_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    }
    if (rc != TX_OK) {
        unlink(tmp);
    }
    return rc;
}

/* Shared by the ticsx command files: global options, the helpers in cli.c and the command
 * entry points, one file per command family. Each command returns a tx_err code with tx_fail()
 * set; main maps it to the exit status. */
#ifndef TX_CLI_H
#define TX_CLI_H

#include "tx_client.h"
#include "tx_evidence.h"
#include "tx_verify.h"

#include <jansson.h>
#include <stdio.h>

typedef struct {
    const char *home;
    const char *hub;
    const char *hub_key;
    int timeout_ms;
    int json;
    int quiet;
    int ja;
    int definite_no; /* set by a command that ran but must exit 1 (verify found a failure) */
} tx_cli;

/* Options every command accepts in its own getopt table, before or after the command: the
 * global options (--home, --hub, --hub-key, --timeout, --lang) and --json, --quiet, --help. */
enum { TX_OPT_HOME = 0x100, TX_OPT_HUB, TX_OPT_HUB_KEY, TX_OPT_TIMEOUT, TX_OPT_LANG };
#define TX_CLI_COMMON_OPTS                                                                         \
    {"json", no_argument, NULL, 'J'}, {"quiet", no_argument, NULL, 'q'},                           \
        {"help", no_argument, NULL, 'h'}, {"home", required_argument, NULL, TX_OPT_HOME},          \
        {"hub", required_argument, NULL, TX_OPT_HUB},                                              \
        {"hub-key", required_argument, NULL, TX_OPT_HUB_KEY},                                      \
        {"timeout", required_argument, NULL, TX_OPT_TIMEOUT},                                      \
    {                                                                                              \
        "lang", required_argument, NULL, TX_OPT_LANG                                               \
    }

/* Organisations one --to may name, all values together. */
#define TX_CLI_MAX_TO 1000

/* ---- cli.c ---- */

/* Writes the text of ticsx --help (and of -h after any command) to f, in the language of
 * texts. */
void tx_cli_usage(FILE *f);

/* `ticsx help`: the text of ticsx --help on standard output. */
int tx_cmd_help(tx_cli *g, int argc, char **argv);

/* Opens the client with the global options. */
int tx_cli_open(const tx_cli *g, tx_client **out);

/* Handles the common options: -J/-q, the global options (--lang switches every text at once
 * through tx_i18n_init), -h (prints the usage and exits 0); TX_ERR_USAGE with a message for a
 * bad value or anything else. */
int tx_cli_common_opt(tx_cli *g, int opt, const char *command);

/* Parses argv with the common options only (for a command that has none of its own); the
 * arguments left start at optind. */
int tx_cli_common_only(tx_cli *g, int argc, char **argv, const char *command);

/* Parses s as YYYY-MM-DD into *out; TX_ERR_USAGE naming the option `opt` when it is not one. */
int tx_cli_parse_date(const char *opt, const char *s, int64_t *out);

/* Appends the value of one --to (NAME[,NAME...], or one name holding commas) to names[*n],
 * whole, without leading blanks; an empty value is skipped. It is split into names when it is
 * resolved (tx_orgs_split_to). TX_ERR_USAGE, "--to: at most MAX WHAT", past max values. */
int tx_cli_split_names(char *s, const char **names, size_t *n, size_t max, const char *what);

/* Prints root on standard output (indented, keys in order, a newline after) and frees it.
 * TX_ERR_IO (message set) when it cannot be written. */
int tx_cli_print_json(json_t *root);

/* {"key_id","fingerprint","name","key"} of a pinned public key. Caller owns. */
json_t *tx_cli_key_json(const tx_pubkey *pk);

/* Prints pinned keys (accreditors, register publishers) and frees them: JSON {member: [...]},
 * fingerprints with -q, else a table (key id, fingerprint, name), or none_text when there is
 * none. TX_OK or TX_ERR_IO. */
int tx_cli_print_pins(const tx_cli *g, tx_pubkey *keys, size_t n, const char *member,
                      const char *none_text);

/* Opens `path` for writing through a temporary beside it, renamed into place by
 * tx_cli_commit_out. Refuses to overwrite when !replace. NULL path: stdout. */
int tx_cli_open_out(const char *path, int replace, FILE **f, char *tmp, size_t n);
int tx_cli_commit_out(const char *path, FILE *f, const char *tmp, int rc);

/* ---- the commands ---- */

/* cmd_org.c */
int tx_cmd_keygen(tx_cli *g, int argc, char **argv);
int tx_cmd_whoami(tx_cli *g, int argc, char **argv);
int tx_cmd_orgs(tx_cli *g, int argc, char **argv);
int tx_cmd_ping(tx_cli *g, int argc, char **argv);

/* ---- cmd_member.c ---- */
int tx_cmd_member(tx_cli *g, int argc, char **argv);

/* ---- cmd_key.c ---- */
int tx_cmd_key(tx_cli *g, int argc, char **argv);

/* cmd_questionnaire.c */
int tx_cmd_questionnaire(tx_cli *g, int argc, char **argv);

/* cmd_request.c */
int tx_cmd_request(tx_cli *g, int argc, char **argv);
int tx_cmd_inbox(tx_cli *g, int argc, char **argv);

/* cmd_answer.c */
int tx_cmd_answer(tx_cli *g, int argc, char **argv);

/* cmd_answer_check.c: `answer --check FILE (REQUEST | --questionnaire ID) [--evidence FILE]...`,
 * a dry run (the files are checked against answer's limits and the names the file gives). TX_OK
 * when valid; TX_ERR_MALFORMED (exit 2) when the file has problems (all shown first). */
int tx_cmd_answer_check(tx_cli *g, const char *file, const char *request, const char *qid,
                        int allow_missing, const tx_attachment *files, size_t n_files);

/* cmd_share.c */
int tx_cmd_grant(tx_cli *g, int argc, char **argv);
int tx_cmd_revoke(tx_cli *g, int argc, char **argv);
int tx_cmd_forward(tx_cli *g, int argc, char **argv);

/* cmd_assessments.c */
int tx_cmd_assessments(tx_cli *g, int argc, char **argv);

/* cmd_evidence.c */
int tx_cmd_evidence(tx_cli *g, int argc, char **argv);

/* Writes the checked evidence file `name` of v (NULL: its only file, or every file when it has
 * several, `out` then a directory) as `evidence get` does: into the current directory, DIR or
 * FILE (- for standard output), 0600, --force replacing; a file that does not check is named,
 * not written, and sets g->definite_no. `id` names v in messages. */
int tx_cli_evidence_write(tx_cli *g, tx_client *c, const tx_verdict *v, const char *id,
                          const char *name, const char *out, int force);

/* cmd_read.c */
int tx_cmd_fetch(tx_cli *g, int argc, char **argv);
int tx_cmd_verify(tx_cli *g, int argc, char **argv);
int tx_cmd_report(tx_cli *g, int argc, char **argv);
int tx_cmd_watch(tx_cli *g, int argc, char **argv);

/* cmd_cert.c */
int tx_cmd_trust(tx_cli *g, int argc, char **argv);
int tx_cmd_accredit(tx_cli *g, int argc, char **argv);
int tx_cmd_cert(tx_cli *g, int argc, char **argv);

/* cmd_credential.c: ticsx credential add|list|show|remove (declared credentials). */
int tx_cmd_credential(tx_cli *g, int argc, char **argv);

/* cmd_audit.c */
int tx_cmd_audit_log(tx_cli *g, int argc, char **argv);

/* cmd_requests.c */
int tx_cmd_requests(tx_cli *g, int argc, char **argv);

/* cmd_due.c: `ticsx due`, what needs doing by when (exit 1 when something is overdue). */
int tx_cmd_due(tx_cli *g, int argc, char **argv);

/* cmd_history.c: `ticsx history [ASSESSMENT|ORG]`, who did what when, from proven records. */
int tx_cmd_history(tx_cli *g, int argc, char **argv);

/* cmd_drafts.c: `ticsx drafts [list] | approve ID`, a responder's answers for an officer. */
int tx_cmd_drafts(tx_cli *g, int argc, char **argv);

/* cmd_grants.c: `ticsx grants [pending] | approve ID | reject ID | settings`, two officers for
 * grants to new buyers. */
int tx_cmd_grants(tx_cli *g, int argc, char **argv);

/* After granting: names each of the n grant records `ids` that waits for a second officer (on
 * stderr, unless quiet); says nothing when the hub cannot be asked. */
void tx_cli_note_waiting(const tx_cli *g, tx_client *c, const uint8_t (*ids)[TX_ID_LEN], size_t n);

/* cmd_campaign.c: `ticsx campaign list|show|run|stop`, requests repeated on a period. */
int tx_cmd_campaign(tx_cli *g, int argc, char **argv);

/* cmd_witness.c: `ticsx witness`, and `ticsx trust witness ...` with its subcommand at argv[at]. */
int tx_cmd_witness(tx_cli *g, int argc, char **argv);
int tx_cmd_trust_witness(tx_cli *g, int argc, char **argv, int at);

/* cmd_register.c: `ticsx register`, public registers as signed, dated data. */
int tx_cmd_register(tx_cli *g, int argc, char **argv);

/* cmd_ui.c: `ticsx ui`, the web application on 127.0.0.1 until ctrl-c. */
int tx_cmd_ui(tx_cli *g, int argc, char **argv);

/* cmd_policy.c: `ticsx policy set|show|list|use`, the buyer's acceptance policy. */
int tx_cmd_policy(tx_cli *g, int argc, char **argv);

/* cmd_plan.c */
int tx_cmd_plan(tx_cli *g, int argc, char **argv);

/* `report --policy N|none`: the policy the report applies instead of the one in force
 * (tx_policy_select). TX_ERR_USAGE with a message for another value. */
int tx_cli_policy_opt(const char *arg);

#endif

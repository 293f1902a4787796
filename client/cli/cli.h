/* Shared by the ticsx command files: global options and the command entry points. Each
 * command returns a tx_err code with tx_fail() set; main maps it to the exit status. */
#ifndef TX_CLI_H
#define TX_CLI_H

#include "tx_answer.h"
#include "tx_client.h"

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

/* Options every command accepts in its own getopt table. */
#define TX_CLI_COMMON_OPTS                                                                         \
    {"json", no_argument, NULL, 'J'}, {"quiet", no_argument, NULL, 'q'},                           \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }

/* Opens the client with the global options. */
int tx_cli_open(const tx_cli *g, tx_client **out);

/* Handles -J/-q; TX_ERR_USAGE with a message for anything else. */
int tx_cli_common_opt(tx_cli *g, int opt, const char *command);

/* Parses s as YYYY-MM-DD into *out; TX_ERR_USAGE naming the option `opt` when it is not one. */
int tx_cli_parse_date(const char *opt, const char *s, int64_t *out);

/* Appends the value of one --to (NAME[,NAME...], or one name holding commas) to names[*n],
 * whole, without leading blanks; an empty value is skipped. It is split into names when it is
 * resolved (tx_orgs_split_to). TX_ERR_USAGE, "--to: at most MAX WHAT", past max values. */
int tx_cli_split_names(char *s, const char **names, size_t *n, size_t max, const char *what);

/* Opens `path` for writing through a temporary beside it, renamed into place by
 * tx_cli_commit_out. Refuses to overwrite when !replace. NULL path: stdout. */
int tx_cli_open_out(const char *path, int replace, FILE **f, char *tmp, size_t n);
int tx_cli_commit_out(const char *path, FILE *f, const char *tmp, int rc);

int tx_cmd_keygen(tx_cli *g, int argc, char **argv);
int tx_cmd_whoami(tx_cli *g, int argc, char **argv);
int tx_cmd_orgs(tx_cli *g, int argc, char **argv);
int tx_cmd_ping(tx_cli *g, int argc, char **argv);
int tx_cmd_questionnaire(tx_cli *g, int argc, char **argv);
int tx_cmd_request(tx_cli *g, int argc, char **argv);
int tx_cmd_inbox(tx_cli *g, int argc, char **argv);
int tx_cmd_answer(tx_cli *g, int argc, char **argv);
int tx_cmd_grant(tx_cli *g, int argc, char **argv);
int tx_cmd_revoke(tx_cli *g, int argc, char **argv);
int tx_cmd_watch(tx_cli *g, int argc, char **argv);
int tx_cmd_forward(tx_cli *g, int argc, char **argv);

/* cmd_witness.c: `ticsx witness`, and `ticsx trust witness ...` with its subcommand at argv[at]. */
int tx_cmd_witness(tx_cli *g, int argc, char **argv);
int tx_cmd_trust_witness(tx_cli *g, int argc, char **argv, int at);

/* After an answer (cmd_tiers.c): with also_grant_origin, grants the assessment to the original
 * buyer of a forwarded request (TX_ERR_USAGE when it was not forwarded); then adds "depth",
 * "origin_buyer" and "origin_granted" to j, or (j NULL) hints on standard error to forward a
 * request asking for more tiers and to share with the original buyer. */
int tx_cli_answer_tiers(tx_cli *g, tx_client *c, const tx_answer_result *res,
                        int also_grant_origin, json_t *j);

/* `answer REQUEST --reuse ASSESSMENT` (cmd_share.c). */
int tx_cli_answer_reuse(tx_cli *g, const char *request, const char *assessment);

/* What an answer did about sharing (supersedes, re-grants, sub-suppliers, an older assessment
 * of the same questionnaire): added to its JSON, or told on standard error (cmd_share.c). */
void tx_answer_share_json(json_t *j, const tx_answer_result *res);
void tx_answer_share_note(FILE *f, const tx_answer_result *res);
int tx_cmd_fetch(tx_cli *g, int argc, char **argv);
int tx_cmd_verify(tx_cli *g, int argc, char **argv);
int tx_cmd_report(tx_cli *g, int argc, char **argv);
int tx_cmd_trust(tx_cli *g, int argc, char **argv);
int tx_cmd_accredit(tx_cli *g, int argc, char **argv);
int tx_cmd_cert(tx_cli *g, int argc, char **argv);
int tx_cmd_audit_log(tx_cli *g, int argc, char **argv);

#endif

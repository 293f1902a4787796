/* Helpers every command file shares: opening the client with the global options, the options
 * every command takes, dates, --to values, JSON on standard output, and output files written
 * through a temporary. */
#include "cli.h"

#include "tx_error.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    switch (opt) {
    case 'J':
        g->json = 1;
        return TX_OK;
    case 'q':
        g->quiet = 1;
        return TX_OK;
    case 'h':
        fputs(tx_cli_usage_text, stdout);
        exit(0);
    default:
        return tx_fail(TX_ERR_USAGE,
                       "%s: unknown option or missing value (global options such as --hub go "
                       "before the command; see ticsx --help)",
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
tx_cli_hex_json(const uint8_t *b, size_t len)
{
    char hex[2 * TX_ID_LEN + 1];

    tx_hex(hex, b, len);
    return json_string(hex);
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

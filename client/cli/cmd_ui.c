/* ticsx ui: the exchange in a browser. Parses --port, --no-browser and --lang, then serves the
 * web application on 127.0.0.1 (client/ui) until ctrl-c or SIGTERM. */
#include "cli.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_ui.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t ui_stop;

static void
on_stop(int sig)
{
    (void)sig;
    ui_stop = 1;
}

static const char *const ui_usage = N_("usage: ticsx ui [--port N] [--no-browser] [--lang ja|en]");

int
tx_cmd_ui(tx_cli *g, int argc, char **argv)
{
    static const struct option opts[] = {{"port", required_argument, NULL, 'p'},
                                         {"no-browser", no_argument, NULL, 'n'},
                                         TX_CLI_COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    tx_ui_opts o = {0};
    struct sigaction sa, ign, old_int, old_term, old_pipe;
    int opt, rc = TX_OK;

    while (rc == TX_OK && (opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (opt == 'p') {
            char *end;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno != 0 || *end != 0 || end == optarg || v < 0 || v > 65535) {
                rc = tx_fail(TX_ERR_USAGE,
                             "ui: --port %s: give a port from 1 to 65535, or 0 "
                             "for any free one",
                             optarg);
            }
            o.port = (unsigned)v;
        } else if (opt == 'n') {
            o.no_browser = 1;
        } else {
            rc = tx_cli_common_opt(g, opt, "ui");
        }
    }
    if (rc == TX_OK && optind < argc) {
        rc = tx_fail(TX_ERR_USAGE, "%s", _(ui_usage));
    }
    if (rc != TX_OK) {
        return rc;
    }
    /* After the options: the global ones may follow the command (--lang, --home, ...). */
    o.client = (tx_client_opts){
        .home = g->home, .endpoint = g->hub, .hub_key = g->hub_key, .timeout_ms = g->timeout_ms};
    o.ja = g->ja;
    ui_stop = 0;
    o.stop = &ui_stop;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN; /* a page that goes away mid-answer must not end the process */
    sigemptyset(&ign.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGPIPE, &ign, &old_pipe);
    rc = tx_ui_run(&o);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
    return rc;
}

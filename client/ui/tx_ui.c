/* ticsx ui: opens the client, makes the one-time token, starts the HTTP server on 127.0.0.1,
 * prints the URL and opens the browser; warms the buyer's model in the background and, with a
 * hub, watches it so new requests and grants reach the open pages; stops cleanly on a signal. */
#include "tx_ui.h"

#include "tx_ui_app.h"
#include "tx_ui_server.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_render_doc.h"
#include "tx_watch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef TX_VERSION
#define TX_VERSION "0"
#endif

#define BACKOFF_MAX_S 30 /* longest wait before trying an unreachable hub again */

extern char **environ;

typedef struct {
    tx_ui_app *app;
    volatile sig_atomic_t quit; /* set once the server stops: the threads end */
    int backoff_s;
} ui_run;

static void
nap_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

static void
hub_event(tx_ui_app *app, const char *state, const char *message)
{
    tx_ui_event(app, "hub", json_pack("{s:s,s:s}", "state", state, "message", message));
}

static void *
warm_main(void *arg)
{
    tx_ui_app *app = arg;

    pthread_mutex_lock(&app->lock);
    if (tx_ui_model_build(app) != TX_OK) {
        /* the first page that needs it builds it again and shows the error */
        tx_fail_clear();
    }
    pthread_mutex_unlock(&app->lock);
    return NULL;
}

static void
watch_ready(void *ctx)
{
    ui_run *u = ctx;

    u->backoff_s = 1;
    hub_event(u->app, "connected", "");
}

static int
watch_entry(void *ctx, const tx_inbox_entry *e)
{
    ui_run *u = ctx;
    tx_ui_app *app = u->app;
    json_t *summary = NULL;
    int rc;

    tx_ui_event(app, "inbox", tx_inbox_entry_json(e, 1));
    if (e->kind != TX_KIND_GRANT && e->kind != TX_KIND_GRANT_REVOKE) {
        return TX_OK;
    }
    pthread_mutex_lock(&app->lock);
    rc = tx_ui_model_refresh(app, &summary);
    pthread_mutex_unlock(&app->lock);
    if (rc == TX_OK) {
        json_t *m = json_object();
        json_t *g = json_object_get(summary, "generated");
        json_t *n = json_object_get(summary, "suppliers");
        if (g != NULL) {
            json_object_set(m, "generated", g);
        }
        if (n != NULL) {
            json_object_set(m, "suppliers", n);
        }
        tx_ui_event(app, "model", m);
    } else {
        tx_ui_event(app, "model",
                    json_pack("{s:{s:s,s:s}}", "error", "code", tx_ui_code_name(rc), "message",
                              tx_fail_msg()));
    }
    json_decref(summary);
    return TX_OK;
}

/* The organisation's own news (another officer's approval, a responder's answer for approval,
 * the setting): the open pages redraw the approvals and grants they show. */
static int
watch_news(void *ctx, const tx_watch_news *n)
{
    ui_run *u = ctx;

    tx_ui_event(u->app, "news", tx_watch_news_json(n));
    return TX_OK;
}

/* Watches the hub with its own client until told to quit; an unreachable hub is tried again
 * after 1, 2, 4... up to 30 s. */
static void *
watch_main(void *arg)
{
    ui_run *u = arg;
    tx_watch_opts wo = {.stop = &u->quit, .ready = watch_ready, .news = watch_news};

    u->backoff_s = 1;
    while (!u->quit) {
        tx_client *c = NULL;
        int rc = tx_client_open(&u->app->opts, &c);
        if (rc == TX_OK) {
            rc = tx_watch_run(c, &wo, watch_entry, u, NULL);
        }
        tx_client_destroy(&c);
        if (u->quit) {
            break;
        }
        hub_event(u->app, "unreachable",
                  rc != TX_OK && tx_fail_msg()[0] != 0 ? tx_fail_msg() : tx_strerror(rc));
        for (long waited = 0; waited < u->backoff_s * 1000L && !u->quit; waited += 100) {
            nap_ms(100);
        }
        u->backoff_s = u->backoff_s * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : u->backoff_s * 2;
    }
    return NULL;
}

/* True when prog (a path, or a name looked up in $PATH) is an executable file. Checked before
 * spawning: not every posix_spawnp reports a program that is not there (under valgrind, say). */
static int
program_exists(const char *prog)
{
    const char *path = getenv("PATH");
    char full[PATH_MAX];

    if (strchr(prog, '/') != NULL) {
        return access(prog, X_OK) == 0;
    }
    for (const char *p = path != NULL ? path : "/usr/bin:/bin"; *p != 0;) {
        size_t len = strcspn(p, ":");
        if (len > 0 &&
            snprintf(full, sizeof full, "%.*s/%s", (int)len, p, prog) < (int)sizeof full &&
            access(full, X_OK) == 0) {
            return 1;
        }
        p += len;
        if (*p == ':') {
            p++;
        }
    }
    return 0;
}

/* Opens url in $BROWSER (its first entry) or xdg-open, without a shell. The child's pid, or -1
 * when none could be started. */
static pid_t
open_browser(const char *url)
{
    const char *env = getenv("BROWSER");
    char prog[256];
    char *argv[3];
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int rc;

    snprintf(prog, sizeof prog, "%s", env != NULL && env[0] != 0 ? env : "xdg-open");
    prog[strcspn(prog, ":")] = 0; /* BROWSER may list several, separated by colons */
    if (prog[0] == 0 || !program_exists(prog)) {
        return -1;
    }
    argv[0] = prog;
    argv[1] = (char *)url;
    argv[2] = NULL;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    rc = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

int
tx_ui_run(const tx_ui_opts *o)
{
    static const volatile sig_atomic_t never = 0;
    const volatile sig_atomic_t *stop = o->stop != NULL ? o->stop : &never;
    FILE *out = o->out != NULL ? o->out : stdout;
    ui_run u = {0};
    tx_ui_server *srv = NULL;
    pthread_t warm, watcher;
    int warm_on = 0, watcher_on = 0, rc;
    uint8_t raw[32];
    char token[65], url[128];
    pid_t browser = -1;

    if (sodium_init() < 0) {
        return tx_fail(TX_ERR_CRYPTO, "ui: libsodium did not start");
    }
    if ((rc = tx_ui_app_open(&o->client, &u.app)) != TX_OK) {
        return rc;
    }
    if ((u.app->events = tx_ui_events_new()) == NULL) {
        rc = tx_fail(TX_ERR_NOMEM, "out of memory");
        goto out;
    }
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token, sizeof token, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    if ((rc = tx_ui_server_start(u.app, o->port, token, o->ja, TX_VERSION, &srv)) != TX_OK) {
        goto out;
    }
    if (!u.app->has_hub) {
        hub_event(u.app, "none", "");
    }
    warm_on = pthread_create(&warm, NULL, warm_main, u.app) == 0;
    if (u.app->has_hub) {
        watcher_on = pthread_create(&watcher, NULL, watch_main, &u) == 0;
    }

    snprintf(url, sizeof url, "http://127.0.0.1:%u/?token=%s", tx_ui_server_port(srv), token);
    sodium_memzero(token, sizeof token);
    fprintf(
        out, "%s\n%s\n%s\n",
        tx_render_tr(N_("ticsx ui: open this address in your browser (it is valid once):"), o->ja),
        url, tx_render_tr(N_("Press ctrl-c to stop ticsx ui."), o->ja));
    fflush(out);
    if (!o->no_browser && (browser = open_browser(url)) < 0) {
        fprintf(
            out, "%s\n",
            tx_render_tr(N_("No browser could be started: open the address above in your browser."),
                         o->ja));
        fflush(out);
    }
    sodium_memzero(url, sizeof url);

    while (!*stop) {
        nap_ms(100);
        if (browser > 0 && waitpid(browser, NULL, WNOHANG) == browser) {
            browser = -1;
        }
    }
    rc = TX_OK;

out:
    u.quit = 1;
    if (watcher_on) {
        pthread_join(watcher, NULL);
    }
    if (warm_on) {
        pthread_join(warm, NULL);
    }
    tx_ui_server_stop(&srv);
    if (u.app != NULL) {
        tx_ui_events_free(&u.app->events);
    }
    tx_ui_app_close(&u.app);
    if (browser > 0) {
        waitpid(browser, NULL, WNOHANG);
    }
    return rc;
}

/* Fuzzes the web UI's API as a page (or anything on this machine that got past the server's
 * checks) can call it: the first line is "METHOD TARGET" (the path with its query), the rest
 * the body, given to the handler when it parses as a JSON object, as the server does. The
 * home is a fresh identity without a hub, so every route runs its parsing, validation and
 * offline work (questionnaires, live scores, drafts, the report model) and the hub's routes
 * stop at "no hub configured". Whatever the input, the answer is a JSON document or bytes with
 * an HTTP status, and nothing crashes or leaks. */
#include "tx_error.h"
#include "tx_keys.h"
#include "tx_ui_app.h"
#include "tx_ui_http.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tx_ui_app *app;
static char home[64];
static char drafts[96];
static unsigned long runs;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    tx_identity *id = NULL;
    tx_client_opts opts = {0};
    (void)argc;
    (void)argv;

    if (sodium_init() < 0) {
        return -1;
    }
    unsetenv("TICSX_HUB_KEY");
    unsetenv("TICSX_HUB");
    snprintf(home, sizeof home, "/tmp/fuzz-ui-XXXXXX");
    if (mkdtemp(home) == NULL || tx_identity_generate("Fuzz KK", &id) != TX_OK ||
        tx_identity_save(id, home, "identity") != TX_OK) {
        return -1;
    }
    tx_identity_destroy(&id);
    snprintf(drafts, sizeof drafts, "%s/drafts", home);
    opts.home = home;
    return tx_ui_app_open(&opts, &app) == TX_OK ? 0 : -1;
}

/* Drafts saved by the inputs pile up in the home: start again every so often. */
static void
clear_drafts(void)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", drafts);
    if (system(cmd) != 0) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t head = nl != NULL ? (size_t)(nl - data) : size;
    char line[1024], *sp;
    json_t *body = NULL;
    tx_ui_resp rs;

    if (head >= sizeof line || size > 64 * 1024) {
        return 0;
    }
    memcpy(line, data, head);
    line[head] = 0;
    if (memchr(line, 0, head) != NULL || (sp = strchr(line, ' ')) == NULL) {
        return 0;
    }
    *sp = 0;
    if (strcmp(line, "GET") != 0 && strcmp(line, "POST") != 0) {
        return 0;
    }
    if (nl != NULL) {
        body = json_loadb((const char *)nl + 1, size - head - 1, JSON_REJECT_DUPLICATES, NULL);
        if (body != NULL && !json_is_object(body)) {
            json_decref(body);
            body = NULL;
        }
    }
    if (strcmp(line, "POST") == 0 && body == NULL) {
        return 0; /* the server answers 400 before dispatching */
    }
    tx_ui_dispatch(app, line, sp + 1, body, size & 1, &rs);
    if (rs.status != 0 && (rs.status < 200 || rs.status > 599)) {
        abort();
    }
    if (rs.json == NULL && rs.body == NULL) {
        abort();
    }
    tx_ui_resp_clear(&rs);
    json_decref(body);
    if (++runs % 2000 == 0) {
        clear_drafts();
    }
    return 0;
}

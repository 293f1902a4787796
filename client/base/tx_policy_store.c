/* Versions of the acceptance policy in the home (policy/N.json and policy/current): written
 * once each, atomically, private to the user; the selection a report applies. */
#include "tx_policy_store.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static int selected = TX_POLICY_CURRENT;

void
tx_policy_select(int version)
{
    selected = version;
}

static int
policy_path(tx_home *home, const char *file, char *out, size_t n)
{
    int w = file ? snprintf(out, n, "%s/policy/%s", tx_home_dir(home), file)
                 : snprintf(out, n, "%s/policy", tx_home_dir(home));

    if (w < 0 || (size_t)w >= n) {
        return tx_fail(TX_ERR_USAGE, "the home's path is too long");
    }
    return TX_OK;
}

static int
version_path(tx_home *home, int version, char *out, size_t n)
{
    char file[32];

    snprintf(file, sizeof file, "%d.json", version);
    return policy_path(home, file, out, n);
}

/* Parses "N\n" (N a version or 0). */
static int
parse_current(const uint8_t *b, size_t len, int *version)
{
    long v = 0;
    size_t i;

    if (len < 2 || len > 8 || b[len - 1] != '\n') {
        return TX_ERR_MALFORMED;
    }
    for (i = 0; i + 1 < len; i++) {
        if (b[i] < '0' || b[i] > '9') {
            return TX_ERR_MALFORMED;
        }
        v = v * 10 + (b[i] - '0');
    }
    if (v > TX_POLICY_MAX_VERSIONS) {
        return TX_ERR_MALFORMED;
    }
    *version = (int)v;
    return TX_OK;
}

int
tx_policy_store_current(tx_home *home, int *version)
{
    char path[4096];
    uint8_t *b = NULL;
    size_t len = 0;
    int rc;

    *version = 0;
    if ((rc = policy_path(home, "current", path, sizeof path)) != TX_OK) {
        return rc;
    }
    rc = tx_file_read(path, 16, &b, &len);
    if (rc == TX_ERR_NOT_FOUND) {
        return TX_OK;
    }
    if (rc != TX_OK) {
        return tx_fail(rc, "cannot read %s", path);
    }
    rc = parse_current(b, len, version);
    free(b);
    if (rc != TX_OK) {
        return tx_fail(TX_ERR_MALFORMED,
                       "%s is damaged: choose the policy in force again with `ticsx policy use N`",
                       path);
    }
    return TX_OK;
}

int
tx_policy_store_get(tx_home *home, int version, tx_policy *out)
{
    char path[4096];
    uint8_t *b = NULL;
    size_t len = 0;
    json_t *doc, *v, *set, *pol;
    json_error_t err;
    int rc;

    memset(out, 0, sizeof *out);
    if (version < 1 || version > TX_POLICY_MAX_VERSIONS) {
        return tx_fail(TX_ERR_NOT_FOUND, "there is no policy version %d", version);
    }
    if ((rc = version_path(home, version, path, sizeof path)) != TX_OK) {
        return rc;
    }
    rc = tx_file_read(path, TX_POLICY_MAX_BYTES, &b, &len);
    if (rc == TX_ERR_NOT_FOUND) {
        return tx_fail(rc, "there is no policy version %d (see `ticsx policy list`)", version);
    }
    if (rc != TX_OK) {
        return tx_fail(rc, "cannot read %s", path);
    }
    doc = json_loadb((const char *)b, len, JSON_REJECT_DUPLICATES, &err);
    free(b);
    if (doc == NULL) {
        return tx_fail(TX_ERR_MALFORMED, "%s is damaged: line %d: %s", path, err.line, err.text);
    }
    v = json_object_get(doc, "version");
    set = json_object_get(doc, "set");
    pol = json_object_get(doc, "policy");
    if (!json_is_object(doc) || json_object_size(doc) != 3 || !json_is_integer(v) ||
        json_integer_value(v) != version || !json_is_string(set) ||
        tx_parse_time(json_string_value(set), &out->set) != TX_OK || !json_is_object(pol)) {
        json_decref(doc);
        return tx_fail(TX_ERR_MALFORMED,
                       "%s is damaged: it should hold {\"version\", \"set\", \"policy\"}", path);
    }
    rc = tx_policy_rules_from_json(pol, 1, &out->rules);
    json_decref(doc);
    if (rc != TX_OK) {
        char why[512];

        snprintf(why, sizeof why, "%s", tx_fail_msg());
        return tx_fail(rc, "%s is damaged: %s", path, why);
    }
    out->version = version;
    return TX_OK;
}

static int
cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

int
tx_policy_store_list(tx_home *home, int **versions, size_t *n)
{
    char path[4096];
    DIR *d;
    struct dirent *e;
    int *v;
    size_t k = 0;
    int rc;

    *versions = NULL;
    *n = 0;
    if ((rc = policy_path(home, NULL, path, sizeof path)) != TX_OK) {
        return rc;
    }
    if ((v = malloc(sizeof *v * TX_POLICY_MAX_VERSIONS)) == NULL) {
        return TX_ERR_NOMEM;
    }
    if ((d = opendir(path)) == NULL) {
        if (errno == ENOENT) {
            *versions = v;
            return TX_OK;
        }
        free(v);
        return tx_fail(TX_ERR_IO, "cannot read the directory %s: %s", path, strerror(errno));
    }
    while ((e = readdir(d)) != NULL && k < TX_POLICY_MAX_VERSIONS) {
        char *end;
        long x;

        if (e->d_name[0] < '1' || e->d_name[0] > '9') {
            continue;
        }
        x = strtol(e->d_name, &end, 10);
        if (strcmp(end, ".json") == 0 && x >= 1 && x <= TX_POLICY_MAX_VERSIONS) {
            v[k++] = (int)x;
        }
    }
    closedir(d);
    qsort(v, k, sizeof *v, cmp_int);
    *versions = v;
    *n = k;
    return TX_OK;
}

static int
write_current(tx_home *home, int version)
{
    char path[4096], text[16];
    int rc;

    if ((rc = policy_path(home, "current", path, sizeof path)) != TX_OK) {
        return rc;
    }
    snprintf(text, sizeof text, "%d\n", version);
    if ((rc = tx_file_replace(path, text, strlen(text), 0600)) != TX_OK) {
        return tx_fail(rc, "cannot write %s", path);
    }
    return TX_OK;
}

int
tx_policy_store_use(tx_home *home, int version)
{
    tx_policy p;
    int rc;

    if (version != 0 && (rc = tx_policy_store_get(home, version, &p)) != TX_OK) {
        return rc;
    }
    return write_current(home, version);
}

int
tx_policy_store_add(tx_home *home, const tx_policy_rules *rules, int64_t now, int *version)
{
    char dir[4096], path[4096], lock[4096], when[32];
    int *vs = NULL;
    size_t n = 0;
    json_t *doc;
    char *text;
    int rc, fd, next;
    time_t t = (time_t)now;
    struct tm tm;

    if ((rc = policy_path(home, NULL, dir, sizeof dir)) != TX_OK ||
        (rc = policy_path(home, "lock", lock, sizeof lock)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_mkdir_private(dir)) != TX_OK) {
        return tx_fail(rc, "cannot create %s", dir);
    }
    /* Two `policy set` at once must not take the same number. */
    if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
        return tx_fail(TX_ERR_IO, "cannot open %s: %s", lock, strerror(errno));
    }
    if (flock(fd, LOCK_EX) != 0) {
        close(fd);
        return tx_fail(TX_ERR_IO, "cannot lock %s: %s", lock, strerror(errno));
    }
    if ((rc = tx_policy_store_list(home, &vs, &n)) != TX_OK) {
        goto out;
    }
    next = n ? vs[n - 1] + 1 : 1;
    free(vs);
    if (next > TX_POLICY_MAX_VERSIONS) {
        rc = tx_fail(TX_ERR_TOO_LARGE, "the home holds %d policy versions already",
                     TX_POLICY_MAX_VERSIONS);
        goto out;
    }
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    doc = json_pack("{s:i,s:s,s:o}", "version", next, "set", when, "policy",
                    tx_policy_rules_json(rules));
    text =
        doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(doc);
    if (text == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    if ((rc = version_path(home, next, path, sizeof path)) == TX_OK) {
        size_t len = strlen(text);

        rc = tx_file_replace(path, text, len, 0600);
        if (rc != TX_OK) {
            rc = tx_fail(rc, "cannot write %s", path);
        }
    }
    free(text);
    if (rc == TX_OK && (rc = write_current(home, next)) == TX_OK && version != NULL) {
        *version = next;
    }
out:
    close(fd);
    return rc;
}

int
tx_policy_selected(tx_home *home, tx_policy *out, int *found)
{
    int v = selected, rc;

    *found = 0;
    memset(out, 0, sizeof *out);
    if (v == TX_POLICY_CURRENT && (rc = tx_policy_store_current(home, &v)) != TX_OK) {
        return rc;
    }
    if (v <= 0) {
        return TX_OK;
    }
    if ((rc = tx_policy_store_get(home, v, out)) != TX_OK) {
        /* A version chosen by number that is not there is the caller's mistake. */
        return rc == TX_ERR_NOT_FOUND ? TX_ERR_USAGE : rc;
    }
    *found = 1;
    return TX_OK;
}

int
tx_policy_report_grace(tx_home *home)
{
    tx_policy p;
    int found = 0;

    if (home == NULL || tx_policy_selected(home, &p, &found) != TX_OK || !found) {
        tx_fail_clear();
        return 0;
    }
    return p.rules.grace_days;
}

/* Home directory: identity, sequence counter, record cache, content keys, inbox cursor. */
#include "tx_home_priv.h"

#include "tx_error.h"
#include "tx_msg.h"
#include "tx_seal.h"
#include "tx_util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define SMALL_FILE 256

int
tx_home_resolve(const char *opt, char *out, size_t n)
{
    const char *env = getenv("TICSX_HOME");
    const char *user = getenv("HOME");
    int w;

    if (opt != NULL && *opt != 0) {
        w = snprintf(out, n, "%s", opt);
    } else if (env != NULL && *env != 0) {
        w = snprintf(out, n, "%s", env);
    } else if (user != NULL && *user != 0) {
        w = snprintf(out, n, "%s/.config/ticsx", user);
    } else {
        return tx_fail(TX_ERR_USAGE, "no home directory: pass --home DIR or set TICSX_HOME");
    }
    if (w < 0 || (size_t)w >= n) {
        return tx_fail(TX_ERR_USAGE, "home directory path too long");
    }
    return TX_OK;
}

/* What another local user could replace to make this client trust something else: the home
 * itself, the pinned accreditor and witness keys (and the quorum), the cached records and
 * their proof markers (the cache environment; records/ and proofs/ in a home not yet
 * migrated), the receipts and the checkpoint it checks the log against. Each must be writable
 * by its owner alone. */
static int
check_writers(const char *dir)
{
    static const struct {
        const char *rel;
        const char *mode; /* what to chmod it to: what the client creates it with */
    } parts[] = {{"", "700"},          {"trust", "700"},          {"witnesses", "700"},
                 {"cache", "700"},     {"cache/data.mdb", "600"}, {"cache/lock.mdb", "600"},
                 {"records", "700"},   {"proofs", "700"},         {"receipts", "700"},
                 {"checkpoint", "644"}};
    char path[PATH_MAX];
    struct stat st;

    for (size_t i = 0; i < TX_ARRAY_LEN(parts); i++) {
        if (parts[i].rel[0] == 0) {
            snprintf(path, sizeof path, "%s", dir);
        } else if (tx_path_join(path, sizeof path, dir, parts[i].rel) != TX_OK) {
            return tx_fail(TX_ERR_USAGE, "home directory path too long");
        }
        if (stat(path, &st) != 0) {
            continue; /* not made yet: the client makes it private */
        }
        if (st.st_mode & (S_IWGRP | S_IWOTH)) {
            return tx_fail(TX_ERR_PERM, "%s is writable by group or others: run chmod %s %s", path,
                           parts[i].mode, path);
        }
    }
    return TX_OK;
}

int
tx_home_open(const char *dir, tx_home **out)
{
    tx_home *h;
    char path[PATH_MAX];
    int rc;

    *out = NULL;
    h = calloc(1, sizeof *h);
    if (h == NULL) {
        return TX_ERR_NOMEM;
    }
    snprintf(h->dir, sizeof h->dir, "%s", dir);
    pthread_mutex_init(&h->cache_mu, NULL);
    tx_path_join(path, sizeof path, dir, "identity.key");
    rc = tx_identity_load(dir, "identity", &h->id);
    switch (rc) {
    case TX_OK:
        if ((rc = check_writers(dir)) != TX_OK) {
            tx_identity_destroy(&h->id);
            break;
        }
        *out = h;
        return TX_OK;
    case TX_ERR_PERM:
        rc =
            tx_fail(TX_ERR_PERM, "%s is readable by group or others: run chmod 600 %s", path, path);
        break;
    case TX_ERR_NOT_FOUND:
        rc = tx_fail(TX_ERR_USAGE, "no identity in %s: run ticsx keygen --name NAME first", dir);
        break;
    default:
        rc = tx_fail(rc, "cannot load identity from %s: %s", dir, tx_strerror(rc));
        break;
    }
    pthread_mutex_destroy(&h->cache_mu);
    free(h);
    return rc;
}

void
tx_home_destroy(tx_home **home_p)
{
    if (home_p == NULL || *home_p == NULL) {
        return;
    }
    tx_home_cache_close(*home_p);
    pthread_mutex_destroy(&(*home_p)->cache_mu);
    tx_identity_destroy(&(*home_p)->id);
    free(*home_p);
    *home_p = NULL;
}

const char *
tx_home_dir(const tx_home *home)
{
    return home->dir;
}

const tx_identity *
tx_home_identity(const tx_home *home)
{
    return home->id;
}

static int
parse_u64(const char *s, uint64_t *v)
{
    char *end;

    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno != 0 || end == s || (*end != 0 && *end != '\n') || s[0] == '-') {
        return TX_ERR_MALFORMED;
    }
    *v = (uint64_t)x;
    return TX_OK;
}

int
tx_seq_take(const char *dir, unsigned count, uint64_t *first)
{
    char lock[PATH_MAX], seq[PATH_MAX], text[32];
    uint8_t *buf = NULL;
    size_t len = 0;
    uint64_t last = 0;
    int fd, rc;

    if (count == 0) {
        return TX_ERR_USAGE;
    }
    if (tx_path_join(lock, sizeof lock, dir, "lock") != TX_OK ||
        tx_path_join(seq, sizeof seq, dir, "seq") != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "home directory path too long");
    }
    fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return tx_fail(TX_ERR_IO, "cannot open %s: %s", lock, strerror(errno));
    }
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            rc = tx_fail(TX_ERR_IO, "cannot lock %s: %s", lock, strerror(errno));
            goto out;
        }
    }
    rc = tx_file_read(seq, SMALL_FILE, &buf, &len);
    if (rc == TX_OK) {
        if (parse_u64((const char *)buf, &last) != TX_OK) {
            rc = tx_fail(TX_ERR_MALFORMED, "%s is damaged: it should hold one decimal number", seq);
            goto out;
        }
    } else if (rc != TX_ERR_NOT_FOUND) {
        rc = tx_fail(rc, "cannot read %s: %s", seq, tx_strerror(rc));
        goto out;
    }
    if (last > UINT64_MAX - count) {
        rc = tx_fail(TX_ERR_INTERNAL, "sequence counter in %s is exhausted", seq);
        goto out;
    }
    snprintf(text, sizeof text, "%" PRIu64 "\n", last + count);
    /* The new value is on disk before any record carrying it is signed. */
    rc = tx_file_replace(seq, text, strlen(text), 0600);
    if (rc != TX_OK) {
        rc = tx_fail(rc, "cannot write %s: %s", seq, strerror(errno));
        goto out;
    }
    *first = last + 1;
out:
    free(buf);
    close(fd); /* releases the lock */
    return rc;
}

static int
sub_path(const tx_home *home, const char *sub, const uint8_t id[TX_ID_LEN], char *out, size_t n)
{
    char hex[2 * TX_ID_LEN + 1];
    int w;

    tx_hex(hex, id, TX_ID_LEN);
    w = snprintf(out, n, "%s/%s/%s", home->dir, sub, hex);
    return (w < 0 || (size_t)w >= n) ? tx_fail(TX_ERR_USAGE, "home path too long") : TX_OK;
}

static int
ensure_sub(const tx_home *home, const char *sub)
{
    char path[PATH_MAX];

    if (tx_path_join(path, sizeof path, home->dir, sub) != TX_OK) {
        return tx_fail(TX_ERR_USAGE, "home path too long");
    }
    if (tx_mkdir_private(path) != TX_OK) {
        return tx_fail(TX_ERR_IO, "cannot create %s: %s", path, strerror(errno));
    }
    return TX_OK;
}

int
tx_home_key_put(tx_home *home, const uint8_t id[TX_ID_LEN], const uint8_t *key)
{
    char path[PATH_MAX];
    int rc;

    if ((rc = ensure_sub(home, "keys")) != TX_OK ||
        (rc = sub_path(home, "keys", id, path, sizeof path)) != TX_OK) {
        return rc;
    }
    rc = tx_file_replace(path, key, TX_CONTENT_KEY_LEN, 0600);
    return rc == TX_OK ? TX_OK : tx_fail(rc, "cannot write %s: %s", path, strerror(errno));
}

int
tx_home_key_get(tx_home *home, const uint8_t id[TX_ID_LEN], uint8_t *key)
{
    char path[PATH_MAX];
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc;

    if ((rc = sub_path(home, "keys", id, path, sizeof path)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_file_check_private(path)) == TX_ERR_PERM) {
        return tx_fail(rc, "%s is readable by group or others: run chmod 600 %s", path, path);
    }
    if (rc == TX_OK) {
        rc = tx_file_read(path, SMALL_FILE, &buf, &len);
    }
    if (rc == TX_ERR_NOT_FOUND) {
        return tx_fail(rc, "no content key for this assessment in %s/keys", home->dir);
    }
    if (rc == TX_OK && len != TX_CONTENT_KEY_LEN) {
        rc = tx_fail(TX_ERR_BAD_KEY, "%s is not a %d-byte content key", path, TX_CONTENT_KEY_LEN);
    }
    if (rc == TX_OK) {
        memcpy(key, buf, TX_CONTENT_KEY_LEN);
    }
    if (buf != NULL) {
        sodium_memzero(buf, len);
        free(buf);
    }
    return rc;
}

int
tx_home_cursor_load_all(tx_home *home, tx_cursor *cur)
{
    char path[PATH_MAX];
    uint8_t *buf = NULL;
    size_t len = 0;
    unsigned long long r = 0, g = 0, v = 0;
    int n, rc;

    memset(cur, 0, sizeof *cur);
    tx_path_join(path, sizeof path, home->dir, "cursor");
    rc = tx_file_read(path, SMALL_FILE, &buf, &len);
    if (rc == TX_ERR_NOT_FOUND) {
        return TX_OK;
    }
    if (rc != TX_OK) {
        return tx_fail(rc, "cannot read %s: %s", path, tx_strerror(rc));
    }
    /* The revocation line came later: a cursor without it has shown none. */
    n = sscanf((const char *)buf, "request %llu grant %llu revoke %llu", &r, &g, &v);
    free(buf);
    if (n < 2) {
        return tx_fail(TX_ERR_MALFORMED, "%s is damaged: remove it to see everything again", path);
    }
    cur->request = r;
    cur->grant = g;
    cur->revoke = n == 3 ? v : 0;
    return TX_OK;
}

int
tx_home_cursor_save_all(tx_home *home, const tx_cursor *cur)
{
    char path[PATH_MAX];
    char text[128];
    int rc;

    tx_path_join(path, sizeof path, home->dir, "cursor");
    snprintf(text, sizeof text, "request %" PRIu64 "\ngrant %" PRIu64 "\nrevoke %" PRIu64 "\n",
             cur->request, cur->grant, cur->revoke);
    rc = tx_file_replace(path, text, strlen(text), 0600);
    return rc == TX_OK ? TX_OK : tx_fail(rc, "cannot write %s: %s", path, strerror(errno));
}

int
tx_home_cursor_load(tx_home *home, uint64_t *request, uint64_t *grant)
{
    tx_cursor cur;
    int rc = tx_home_cursor_load_all(home, &cur);

    *request = cur.request;
    *grant = cur.grant;
    return rc;
}

int
tx_home_cursor_save(tx_home *home, uint64_t request, uint64_t grant)
{
    tx_cursor cur;
    int rc = tx_home_cursor_load_all(home, &cur);

    if (rc != TX_OK) {
        tx_fail_clear();
        cur.revoke = 0;
    }
    cur.request = request;
    cur.grant = grant;
    return tx_home_cursor_save_all(home, &cur);
}

int
tx_home_proof_parse(const uint8_t *text, size_t len, uint64_t *index, uint64_t *size)
{
    uint64_t v[2] = {0, 0};
    size_t i = 0;

    *index = *size = 0;
    /* Exactly "INDEX SIZE\n": decimals without sign or leading zero, 1 <= INDEX <= SIZE. */
    for (int k = 0; k < 2; k++) {
        size_t start = i;
        while (i < len && i - start < 20 && text[i] >= '0' && text[i] <= '9') {
            uint64_t d = (uint64_t)(text[i] - '0');
            if (v[k] > (UINT64_MAX - d) / 10) {
                return TX_ERR_MALFORMED;
            }
            v[k] = v[k] * 10 + d;
            i++;
        }
        if (i == start || (text[start] == '0' && i - start > 1) || i >= len ||
            text[i] != (k == 0 ? ' ' : '\n')) {
            return TX_ERR_MALFORMED;
        }
        i++;
    }
    if (i != len || v[0] == 0 || v[0] > v[1]) {
        return TX_ERR_MALFORMED;
    }
    *index = v[0];
    *size = v[1];
    return TX_OK;
}

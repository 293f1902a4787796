/* Home directory: identity, sequence counter, record cache, content keys, inbox cursor. */
#include "tx_home.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_pool.h"
#include "tx_seal.h"
#include "tx_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define SMALL_FILE 256

struct tx_home {
    char dir[PATH_MAX];
    tx_identity *id;
    int records_made; /* records/ exists: made or checked once */
    int proofs_made;  /* proofs/ likewise */
};

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
 * their proof markers, the receipts and the checkpoint it checks the log against. Each must
 * be writable by its owner alone. */
static int
check_writers(const char *dir)
{
    static const struct {
        const char *rel;
        const char *mode; /* what to chmod it to: what the client creates it with */
    } parts[] = {{"", "700"},         {"trust", "700"},    {"witnesses", "700"},
                 {"records", "700"},  {"proofs", "700"},   {"receipts", "700"},
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
    free(h);
    return rc;
}

void
tx_home_destroy(tx_home **home_p)
{
    if (home_p == NULL || *home_p == NULL) {
        return;
    }
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

/* Writes a cache file atomically but without fsync: a temporary beside it, renamed over it, so
 * a reader sees the whole file or none. A power cut may leave a torn file under its name; its
 * SHA-256 then differs from the name, tx_home_cache_get reports it damaged and a fetch replaces
 * it, so no durability is needed here (the counter, keys and cursor keep tx_file_replace). */
static int
write_cached(const char *path, const uint8_t *env, size_t len)
{
    static atomic_ulong serial;
    char tmp[PATH_MAX + 48];
    size_t done = 0;
    int fd;

    snprintf(tmp, sizeof tmp, "%s.tmp.%ld.%lu", path, (long)getpid(), atomic_fetch_add(&serial, 1));
    unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        return TX_ERR_IO;
    }
    while (done < len) {
        ssize_t w = write(fd, env + done, len - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            close(fd);
            unlink(tmp);
            return TX_ERR_IO;
        }
        done += (size_t)w;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return TX_ERR_IO;
    }
    return TX_OK;
}

/* Stores env under records/<id>; id is the SHA-256 of env. */
static int
put_known(tx_home *home, const uint8_t *id, const uint8_t *env, size_t len)
{
    char path[PATH_MAX];
    int rc;

    if (!home->records_made) {
        if ((rc = ensure_sub(home, "records")) != TX_OK) {
            return rc;
        }
        home->records_made = 1;
    }
    if ((rc = sub_path(home, "records", id, path, sizeof path)) != TX_OK) {
        return rc;
    }
    if (access(path, F_OK) == 0) {
        uint8_t *old = NULL;
        size_t old_len = 0;
        int same = tx_file_read(path, TX_MAX_ENVELOPE, &old, &old_len) == TX_OK && old_len == len &&
                   memcmp(old, env, len) == 0;
        free(old);
        if (same) {
            return TX_OK;
        }
        /* A damaged copy is replaced by the bytes that match its name. */
    }
    rc = write_cached(path, env, len);
    return rc == TX_OK ? TX_OK : tx_fail(rc, "cannot write %s: %s", path, strerror(errno));
}

int
tx_home_cache_put(tx_home *home, const uint8_t *env, size_t len, uint8_t id_out[TX_ID_LEN])
{
    uint8_t id[TX_ID_LEN];

    tx_record_id(env, len, id);
    if (id_out != NULL) {
        memcpy(id_out, id, TX_ID_LEN);
    }
    return put_known(home, id, env, len);
}

/* Runs fn(ctx, i) for i < n on the pool, each job setting (*rcs)[i]: *rcs (a member of ctx)
 * is allocated here for the run and freed after. The first failing code, in i order; TX_OK. */
static int
pool_run(size_t n, void (*fn)(void *ctx, size_t i), void *ctx, int **rcs)
{
    int rc = TX_OK;

    if ((*rcs = calloc(n, sizeof **rcs)) == NULL) {
        return TX_ERR_NOMEM;
    }
    tx_pool_for(n, fn, ctx);
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        rc = (*rcs)[i];
    }
    free(*rcs);
    *rcs = NULL;
    return rc;
}

typedef struct {
    tx_home *home;
    const uint8_t *const *envs;
    const size_t *lens;
    const uint8_t (*ids)[TX_ID_LEN];
    int *rcs;
} put_job;

static void
put_one(void *ctx, size_t i)
{
    put_job *j = ctx;

    j->rcs[i] = j->ids != NULL ? put_known(j->home, j->ids[i], j->envs[i], j->lens[i])
                               : tx_home_cache_put(j->home, j->envs[i], j->lens[i], NULL);
}

int
tx_home_cache_put_many(tx_home *home, size_t n, const uint8_t *const *envs, const size_t *lens,
                       const uint8_t (*ids)[TX_ID_LEN])
{
    char path[PATH_MAX];
    int rc;

    if (n == 0) {
        return TX_OK;
    }
    if (!home->records_made) {
        if ((rc = ensure_sub(home, "records")) != TX_OK) {
            return rc;
        }
        home->records_made = 1;
    }
    {
        put_job j = {home, envs, lens, ids, NULL};
        rc = pool_run(n, put_one, &j, &j.rcs);
    }
    if (rc != TX_OK) {
        tx_path_join(path, sizeof path, home->dir, "records");
        return tx_fail(rc, "cannot write the record cache in %s: %s", path, tx_strerror(rc));
    }
    return TX_OK;
}

int
tx_home_cache_read(tx_home *home, const uint8_t id[TX_ID_LEN], uint8_t **env, size_t *len)
{
    char path[PATH_MAX];
    char hex[2 * TX_ID_LEN + 1];
    uint8_t got[TX_ID_LEN];
    int rc;

    *env = NULL;
    *len = 0;
    if ((rc = sub_path(home, "records", id, path, sizeof path)) != TX_OK) {
        return rc;
    }
    tx_hex(hex, id, TX_ID_LEN);
    rc = tx_file_read(path, TX_MAX_ENVELOPE, env, len);
    if (rc == TX_ERR_NOT_FOUND) {
        return tx_fail(rc, "record %.12s is not in the local cache: run ticsx fetch", hex);
    }
    if (rc != TX_OK) {
        return tx_fail(rc, "cannot read %s: %s", path, tx_strerror(rc));
    }
    tx_record_id(*env, *len, got);
    if (sodium_memcmp(got, id, TX_ID_LEN) != 0) {
        free(*env);
        *env = NULL;
        *len = 0;
        return tx_fail(TX_ERR_CHECKSUM, "cached record %.12s is damaged: its hash does not match",
                       hex);
    }
    return TX_OK;
}

int
tx_home_cache_get(tx_home *home, const uint8_t id[TX_ID_LEN], uint8_t **env, size_t *len)
{
    char hex[2 * TX_ID_LEN + 1];
    tx_envelope_pb *e = NULL;
    int rc = tx_home_cache_read(home, id, env, len);

    if (rc != TX_OK) {
        return rc;
    }
    if ((rc = tx_envelope_open(*env, *len, &e)) != TX_OK) {
        tx_hex(hex, id, TX_ID_LEN);
        rc = tx_fail(rc, "cached record %.12s does not verify: %s", hex, tx_strerror(rc));
        free(*env);
        *env = NULL;
        *len = 0;
    }
    tx_free(e);
    return rc;
}

int
tx_home_cache_list(tx_home *home, uint8_t (**ids)[TX_ID_LEN], size_t *n)
{
    char path[PATH_MAX];
    uint8_t(*v)[TX_ID_LEN] = NULL;
    size_t count = 0, cap = 0;
    struct dirent *de;
    DIR *d;

    *ids = NULL;
    *n = 0;
    tx_path_join(path, sizeof path, home->dir, "records");
    d = opendir(path);
    if (d == NULL) {
        return errno == ENOENT ? TX_OK : tx_fail(TX_ERR_IO, "cannot read %s", path);
    }
    while ((de = readdir(d)) != NULL) {
        uint8_t id[TX_ID_LEN];
        if (tx_unhex(id, TX_ID_LEN, de->d_name) != TX_OK) {
            continue;
        }
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            void *p = realloc(v, ncap * sizeof *v);
            if (p == NULL) {
                free(v);
                closedir(d);
                return TX_ERR_NOMEM;
            }
            v = p;
            cap = ncap;
        }
        memcpy(v[count++], id, TX_ID_LEN);
    }
    closedir(d);
    *ids = v;
    *n = count;
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

/* ---- proof markers ---- */

#define PROOF_MAX 64 /* bytes of a proofs/<id> file: "INDEX SIZE\n" */

/* tx_home_proof_put; proofs/ is made first unless `made` says the caller made it. */
static int
proof_put(tx_home *home, const uint8_t id[TX_ID_LEN], uint64_t index, uint64_t size, int made)
{
    char path[PATH_MAX], text[PROOF_MAX];
    int n, rc;

    if (index == 0 || index > size) {
        return tx_fail(TX_ERR_USAGE, "a proof marker needs 1 <= index <= size");
    }
    if (!made && !home->proofs_made) {
        if ((rc = ensure_sub(home, "proofs")) != TX_OK) {
            return rc;
        }
        home->proofs_made = 1;
    }
    if ((rc = sub_path(home, "proofs", id, path, sizeof path)) != TX_OK) {
        return rc;
    }
    n = snprintf(text, sizeof text, "%" PRIu64 " %" PRIu64 "\n", index, size);
    /* Without fsync, like the cache: a torn marker does not parse, the record counts as
     * unproven and the next fetch proves it again. */
    if ((rc = write_cached(path, (const uint8_t *)text, (size_t)n)) != TX_OK) {
        return tx_fail(rc, "cannot write %s: %s", path, tx_strerror(rc));
    }
    return TX_OK;
}

int
tx_home_proof_put(tx_home *home, const uint8_t id[TX_ID_LEN], uint64_t index, uint64_t size)
{
    return proof_put(home, id, index, size, 0);
}

typedef struct {
    tx_home *home;
    const uint8_t (*ids)[TX_ID_LEN];
    const uint64_t *index;
    uint64_t size;
    int *rcs;
} proof_job;

static void
proof_one(void *ctx, size_t i)
{
    proof_job *j = ctx;

    /* proofs/ was made by tx_home_proof_put_many (and the threads leave proofs_made alone). */
    j->rcs[i] = proof_put(j->home, j->ids[i], j->index[i], j->size, 1);
}

int
tx_home_proof_put_many(tx_home *home, size_t n, const uint8_t (*ids)[TX_ID_LEN],
                       const uint64_t *index, uint64_t size)
{
    int rc;

    if (n == 0) {
        return TX_OK;
    }
    if ((rc = ensure_sub(home, "proofs")) != TX_OK) {
        return rc;
    }
    home->proofs_made = 1;
    {
        proof_job j = {home, ids, index, size, NULL};
        return pool_run(n, proof_one, &j, &j.rcs);
    }
}

int
tx_home_proof_get(tx_home *home, const uint8_t id[TX_ID_LEN], uint64_t *index, uint64_t *size)
{
    char path[PATH_MAX];
    uint8_t *text = NULL;
    size_t len;
    int rc;

    *index = *size = 0;
    if ((rc = sub_path(home, "proofs", id, path, sizeof path)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_file_read(path, PROOF_MAX, &text, &len)) != TX_OK) {
        return rc == TX_ERR_NOT_FOUND ? rc
                                      : tx_fail(rc, "cannot read %s: %s", path, tx_strerror(rc));
    }
    rc = tx_home_proof_parse(text, len, index, size);
    free(text);
    if (rc != TX_OK) {
        return tx_fail(rc, "%s is damaged: run ticsx fetch to prove the record again", path);
    }
    return TX_OK;
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

/* Hot backup: mdb_env_copyfd2 with compaction into a fresh directory, synced, plus the key
 * files the copy needs to be a hub data directory again. */
#include "tx_backup.h"

#include "tx_error.h"
#include "tx_log.h"
#include "tx_store.h"
#include "tx_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <lmdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The files of a data directory a backup may hold, so a failed one can be removed. */
static const char *const copy_files[] = {"data.mdb", "lock.mdb", "hub.pub", "hub_ed25519.pub",
                                         "hub.key"};

static int
errno_err(int e)
{
    switch (e) {
    case ENOSPC:
    case EDQUOT:
        return TX_ERR_STORAGE_FULL;
    case EEXIST:
        return TX_ERR_EXISTS;
    case ENOENT:
        return TX_ERR_NOT_FOUND;
    case ENOMEM:
        return TX_ERR_NOMEM;
    default:
        return TX_ERR_IO;
    }
}

static int
sync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    int rc = TX_OK;

    if (fd < 0) {
        return errno_err(errno);
    }
    if (fsync(fd) != 0) {
        rc = errno_err(errno);
    }
    close(fd);
    return rc;
}

/* Copies dir/name to out/name with `mode`; absent is fine unless `required`. */
static int
copy_file(const char *dir, const char *out, const char *name, mode_t mode, int required)
{
    char from[PATH_MAX], to[PATH_MAX];
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc;

    if ((rc = tx_path_join(from, sizeof from, dir, name)) != TX_OK ||
        (rc = tx_path_join(to, sizeof to, out, name)) != TX_OK) {
        return rc;
    }
    rc = tx_file_read(from, 1u << 20, &buf, &len);
    if (rc == TX_ERR_NOT_FOUND && !required) {
        return TX_OK;
    }
    if (rc == TX_OK) {
        rc = tx_file_create(to, buf, len, mode);
    }
    if (buf != NULL) {
        sodium_memzero(buf, len); /* hub.key passes through here */
        free(buf);
    }
    if (rc != TX_OK) {
        tx_error("backup: cannot copy %s to %s: %s", from, out, tx_strerror(rc));
    }
    return rc;
}

/* One read snapshot of the environment in dir, compacted into fd. */
static int
copy_env(const char *dir, int fd)
{
    MDB_env *env = NULL;
    int mrc = mdb_env_create(&env);

    /* Read-only: the backup never writes the hub's data file; the lock file is shared with
     * the running hub so its writer and this reader see each other. */
    if (mrc == MDB_SUCCESS) {
        mrc = mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0600);
    }
    if (mrc == MDB_SUCCESS) {
        mrc = mdb_env_copyfd2(env, fd, MDB_CP_COMPACT);
        /* The hub was restarted with a larger map since this process mapped it. */
        if (mrc == MDB_MAP_RESIZED && (mrc = mdb_env_set_mapsize(env, 0)) == MDB_SUCCESS) {
            if (ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0) {
                mrc = mdb_env_copyfd2(env, fd, MDB_CP_COMPACT);
            } else {
                mrc = errno;
            }
        }
    }
    if (env != NULL) {
        mdb_env_close(env);
    }
    if (mrc != MDB_SUCCESS) {
        tx_error("backup: cannot copy the database in %s: %s", dir, mdb_strerror(mrc));
        return mrc == MDB_MAP_FULL || mrc == ENOSPC || mrc == EDQUOT ? TX_ERR_STORAGE_FULL
               : mrc == ENOENT                                       ? TX_ERR_NOT_FOUND
                                                                     : TX_ERR_STORAGE;
    }
    return TX_OK;
}

static void
remove_copy(const char *out)
{
    char path[PATH_MAX];

    for (size_t i = 0; i < TX_ARRAY_LEN(copy_files); i++) {
        if (tx_path_join(path, sizeof path, out, copy_files[i]) == TX_OK) {
            unlink(path);
        }
    }
    rmdir(out);
}

/* Opens the copy as a store: it must open, and says how far its log goes. */
static int
inspect_copy(const char *out, tx_backup_info *info)
{
    char path[PATH_MAX];
    struct stat st;
    tx_store *s = NULL;
    int rc;

    if ((rc = tx_path_join(path, sizeof path, out, "data.mdb")) != TX_OK) {
        return rc;
    }
    if (stat(path, &st) != 0) {
        return errno_err(errno);
    }
    info->bytes = (uint64_t)st.st_size;
    if ((rc = tx_store_open(out, 0, &s)) == TX_OK) {
        rc = tx_store_last_index(s, &info->last);
    }
    tx_store_close(&s);
    return rc;
}

int
tx_hub_backup(const char *dir, const char *out, int with_key, tx_backup_info *info)
{
    char path[PATH_MAX];
    struct stat st;
    int fd = -1;
    int rc;

    memset(info, 0, sizeof *info);
    if ((rc = tx_path_join(path, sizeof path, dir, "data.mdb")) != TX_OK) {
        return rc;
    }
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        return TX_ERR_NOT_FOUND;
    }
    /* mkdir claims out: it fails if anything, even an empty directory, is there. */
    if (mkdir(out, 0700) != 0) {
        return errno_err(errno);
    }
    if ((rc = tx_path_join(path, sizeof path, out, "data.mdb")) != TX_OK) {
        goto fail;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = errno_err(errno);
        goto fail;
    }
    if ((rc = copy_env(dir, fd)) != TX_OK) {
        goto fail;
    }
    /* mdb_env_copy* does not sync what it wrote. */
    if (fsync(fd) != 0) {
        rc = errno_err(errno);
        goto fail;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = errno_err(errno);
        goto fail;
    }
    fd = -1;
    if ((rc = copy_file(dir, out, "hub.pub", 0644, 1)) != TX_OK ||
        (rc = copy_file(dir, out, "hub_ed25519.pub", 0644, 0)) != TX_OK ||
        (with_key && (rc = copy_file(dir, out, "hub.key", 0600, 1)) != TX_OK)) {
        goto fail;
    }
    if ((rc = inspect_copy(out, info)) != TX_OK || (rc = sync_path(out, O_RDONLY)) != TX_OK) {
        goto fail;
    }
    /* ...and the directory entry of out itself. */
    snprintf(path, sizeof path, "%s", out);
    return sync_path(dirname(path), O_RDONLY);
fail:
    if (fd >= 0) {
        close(fd);
    }
    remove_copy(out);
    return rc;
}

void
tx_hub_backup_name(char out[TX_BACKUP_NAME_LEN], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, TX_BACKUP_NAME_LEN, "%Y-%m-%dT%H%M%SZ", &tm);
}

/* True for a name tx_hub_backup_name could have made. */
static int
dated_name(const char *name)
{
    static const char shape[] = "dddd-dd-ddTddddddZ";

    if (strlen(name) != sizeof shape - 1) {
        return 0;
    }
    for (size_t i = 0; shape[i] != 0; i++) {
        if (shape[i] == 'd' ? (name[i] < '0' || name[i] > '9') : name[i] != shape[i]) {
            return 0;
        }
    }
    return 1;
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
tx_hub_backup_prune(const char *parent, unsigned keep, unsigned *removed)
{
    char **names = NULL, path[PATH_MAX];
    size_t n = 0, cap = 0;
    struct dirent *e;
    DIR *d = opendir(parent);
    int rc = TX_OK;

    *removed = 0;
    if (d == NULL) {
        return errno_err(errno);
    }
    while ((e = readdir(d)) != NULL) {
        if (!dated_name(e->d_name)) {
            continue;
        }
        if (n == cap) {
            char **more = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof *names);
            if (more == NULL) {
                rc = TX_ERR_NOMEM;
                break;
            }
            names = more;
        }
        if ((names[n] = strdup(e->d_name)) == NULL) {
            rc = TX_ERR_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == TX_OK) {
        qsort(names, n, sizeof *names, by_name);
    }
    for (size_t i = 0; rc == TX_OK && i + keep < n; i++) {
        if (tx_path_join(path, sizeof path, parent, names[i]) != TX_OK) {
            continue;
        }
        remove_copy(path);
        if (access(path, F_OK) == 0) {
            tx_warn("backup: kept %s: it holds files a backup does not", path);
        } else {
            (*removed)++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    return rc;
}

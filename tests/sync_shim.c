/* Preloaded into ticsx-hub by test_hub and test_crash (fu_signed_shim_on): a write (pwrite)
 * and a flush (fdatasync or fsync) of DIR/checkpoint.signed each first wait SHIM_DELAY_US, to
 * widen the windows in which an answer could go out before the record, or a kill -9 land
 * between a commit and its record; once a flush returned, the file as it then is is copied to
 * DIR/durable/checkpoint.signed: what a power cut would leave of it. A reply naming a
 * checkpoint larger than that copy's was sent before its record was durable.
 *
 * A failing disk: while the file named by TX_SHIM_SIGNED_FAIL_WHILE exists, a flush of
 * checkpoint.signed fails with EIO (and makes no copy); the test creates and removes it.
 *
 * A commit held on the writer: while the file named by TX_SHIM_DATA_HOLD_WHILE exists, a flush
 * of data.mdb (LMDB's commit) waits, after creating that name with ".held" appended so the
 * test knows a commit is held. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHIM_DELAY_US 10000
#define SIGNED "checkpoint.signed"

/* The path of DIR/checkpoint.signed when fd is that file, or the directory DIR when the
 * durable copy does not exist yet (the first record is renamed into place, then the directory
 * flushed); 0 otherwise. */
static int
signed_path(int fd, char *path, size_t n, int dirs)
{
    char link[64], copy[PATH_MAX + 32];
    struct stat st;
    ssize_t len;

    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    if ((len = readlink(link, path, n - sizeof SIGNED - 16)) <= 0) {
        return 0;
    }
    path[len] = 0;
    if ((size_t)len > sizeof SIGNED && strcmp(path + len - (sizeof SIGNED - 1), SIGNED) == 0 &&
        path[len - sizeof SIGNED] == '/') {
        return 1;
    }
    if (!dirs || fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return 0;
    }
    snprintf(copy, sizeof copy, "%s/durable/" SIGNED, path);
    if (access(copy, F_OK) == 0) {
        return 0;
    }
    strcat(path, "/" SIGNED);
    return access(path, F_OK) == 0;
}

/* Copies path (DIR/checkpoint.signed) to DIR/durable/checkpoint.signed, whole (renamed). */
static void
copy_durable(const char *path)
{
    char dir[PATH_MAX], tmp[PATH_MAX + 32], dst[PATH_MAX + 32], buf[4096];
    const char *slash = strrchr(path, '/');
    ssize_t got;
    int in, out;

    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    snprintf(tmp, sizeof tmp, "%s/durable/" SIGNED ".tmp", dir);
    snprintf(dst, sizeof dst, "%s/durable/" SIGNED, dir);
    snprintf(tmp, sizeof tmp, "%s/durable", dir);
    mkdir(tmp, 0700); /* there already, after the first copy */
    snprintf(tmp, sizeof tmp, "%s/durable/" SIGNED ".tmp", dir);
    if ((in = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        return;
    }
    got = read(in, buf, sizeof buf);
    close(in);
    if (got <= 0 || (out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        return;
    }
    if (write(out, buf, (size_t)got) == got) {
        close(out);
        rename(tmp, dst);
        return;
    }
    close(out);
}

/* Holds a flush of DIR/data.mdb while TX_SHIM_DATA_HOLD_WHILE names a file that exists. */
static void
hold_data(int fd)
{
    const char *hold = getenv("TX_SHIM_DATA_HOLD_WHILE");
    char link[64], path[PATH_MAX], held[PATH_MAX + 8];
    ssize_t len;
    int out;

    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    if (hold == NULL || (len = readlink(link, path, sizeof path - 1)) <= 0) {
        return;
    }
    path[len] = 0;
    if ((size_t)len < sizeof "/data.mdb" - 1 ||
        strcmp(path + len - (sizeof "/data.mdb" - 1), "/data.mdb") != 0 || access(hold, F_OK) != 0) {
        return;
    }
    snprintf(held, sizeof held, "%s.held", hold);
    if ((out = open(held, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0) {
        close(out);
    }
    while (access(hold, F_OK) == 0) {
        usleep(1000);
    }
}

static int
flush(const char *name, int fd)
{
    int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, name);
    char path[PATH_MAX];
    int hit = signed_path(fd, path, sizeof path, 1);
    int rc;

    hold_data(fd);
    if (hit) {
        const char *fail = getenv("TX_SHIM_SIGNED_FAIL_WHILE");
        usleep(SHIM_DELAY_US);
        /* The file itself, not its directory (the first record's rename). */
        if (fail != NULL && access(fail, F_OK) == 0 && signed_path(fd, path, sizeof path, 0)) {
            errno = EIO;
            return -1;
        }
    }
    rc = real(fd);
    if (hit && rc == 0) {
        copy_durable(path);
    }
    return rc;
}

int
fdatasync(int fd)
{
    return flush("fdatasync", fd);
}

int
fsync(int fd)
{
    return flush("fsync", fd);
}

static ssize_t
write_at(const char *name, int fd, const void *buf, size_t n, off_t at)
{
    ssize_t (*real)(int, const void *, size_t, off_t) =
        (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, name);
    char path[PATH_MAX];

    if (signed_path(fd, path, sizeof path, 0)) {
        usleep(SHIM_DELAY_US);
    }
    return real(fd, buf, n, at);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t at)
{
    return write_at("pwrite", fd, buf, n, at);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t at)
{
    return write_at("pwrite64", fd, buf, n, at);
}

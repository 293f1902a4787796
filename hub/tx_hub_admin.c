/* Operator commands on a hub data directory: init, enroll, health, lock and endpoint. */
#include "tx_hub_admin.h"

#include "tx_conn.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_ingest_keys.h"
#include "tx_log.h"
#include "tx_msg.h"
#include "tx_store.h"
#include "tx_util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int
tx_hub_lock(const char *dir, int *fd)
{
    char path[PATH_MAX];
    int rc;

    *fd = -1;
    if ((rc = tx_path_join(path, sizeof path, dir, "hub.lock")) != TX_OK) {
        return rc;
    }
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (*fd < 0) {
        return errno == ENOENT ? TX_ERR_NOT_FOUND : TX_ERR_IO;
    }
    /* flock, not fcntl locks: it belongs to the open file, so the lock goes when the process
     * dies however it dies, and nothing else in the process can drop it by closing the file. */
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        rc = errno == EWOULDBLOCK ? TX_ERR_LOCKED : TX_ERR_IO;
        close(*fd);
        *fd = -1;
        return rc;
    }
    return TX_OK;
}

void
tx_hub_unlock(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* TX_ERR_PERM with what to do when this process may not use `path` as `mode` (R_OK, W_OK...
 * of faccessat); TX_OK when it may or the file is absent. */
static int
check_one(const char *path, int mode)
{
    struct stat st;
    unsigned me = (unsigned)geteuid();

    if (faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0) {
        return TX_OK;
    }
    if (errno == EROFS) {
        return tx_fail(TX_ERR_IO,
                       "%s is on a read-only file system; the hub writes its data "
                       "directory: mount it read-write",
                       path);
    }
    if (errno != EACCES && errno != EPERM) {
        return TX_OK; /* absent: whoever opens it says so */
    }
    if (stat(path, &st) != 0) {
        return tx_fail(TX_ERR_PERM,
                       "permission denied: %s cannot be reached by uid %u, which ticsx-hub runs "
                       "as (a directory above it is closed to it); open the way or run "
                       "ticsx-hub as the owner of the data directory",
                       path, me);
    }
    /* Two whole sentences, not a verb put into one: each is translated as it stands. */
    if (mode & W_OK) {
        return tx_fail(TX_ERR_PERM,
                       "permission denied: %s belongs to uid %u (mode %03o) and ticsx-hub runs "
                       "as uid %u, which must read and write it; give the data directory to "
                       "uid %u (`chown -R %u DIR`; in a container, the volume's owner) or run "
                       "ticsx-hub as uid %u",
                       path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), me, me, me,
                       (unsigned)st.st_uid);
    }
    return tx_fail(TX_ERR_PERM,
                   "permission denied: %s belongs to uid %u (mode %03o) and ticsx-hub runs as "
                   "uid %u, which must read it; give the data directory to uid %u (`chown -R %u "
                   "DIR`; in a container, the volume's owner) or run ticsx-hub as uid %u",
                   path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), me, me, me,
                   (unsigned)st.st_uid);
}

int
tx_hub_check_access(const char *dir, int write)
{
    static const struct {
        const char *name;
        int mode; /* beyond R_OK; W_OK only when `write` */
        int writes;
    } files[] = {{"", X_OK, 1},     {"data.mdb", 0, 1}, {"lock.mdb", W_OK, 1}, {"hub.key", 0, 0},
                 {"hub.ini", 0, 0}, {"hub.lock", 0, 1}, {"endpoint", 0, 0}};
    char path[PATH_MAX], parent[PATH_MAX];
    struct stat st;
    int rc;

    if (stat(dir, &st) != 0 && errno == ENOENT) {
        /* init makes it: the parent must let it. */
        snprintf(parent, sizeof parent, "%s", dir);
        return write ? check_one(dirname(parent), W_OK | X_OK) : TX_OK;
    }
    for (size_t i = 0; i < TX_ARRAY_LEN(files); i++) {
        int mode = R_OK | files[i].mode | (write && files[i].writes ? W_OK : 0);
        if (files[i].name[0] == 0) {
            snprintf(path, sizeof path, "%s", dir);
        } else if ((rc = tx_path_join(path, sizeof path, dir, files[i].name)) != TX_OK) {
            return rc;
        }
        if ((rc = check_one(path, mode)) != TX_OK) {
            return rc;
        }
    }
    return TX_OK;
}

int
tx_hub_pid_clash(const char *dir)
{
    /* LMDB marks a process that reads with an fcntl write lock on the byte of lock.mdb at its
     * pid. Nothing of ours holds one yet, and F_GETLK never reports our own locks: a lock on
     * our byte is another process's with our pid. */
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = getpid(), .l_len = 1};
    char path[PATH_MAX];
    int fd, clash;

    if (tx_path_join(path, sizeof path, dir, "lock.mdb") != TX_OK ||
        (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        return 0;
    }
    clash = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
    /* Closing drops every fcntl lock this process holds on the file: there are none yet. */
    close(fd);
    return clash;
}

int
tx_hub_init(const char *dir, const char *origin, char *pub_path, size_t n, char fp[TX_FP_LEN])
{
    char path[PATH_MAX];
    tx_identity *id = NULL;
    tx_store *store = NULL;
    int rc;

    if ((rc = tx_path_join(path, sizeof path, dir, "hub.key")) != TX_OK) {
        return rc;
    }
    if (access(path, F_OK) == 0) {
        return TX_ERR_EXISTS;
    }
    if ((rc = tx_mkdir_private(dir)) != TX_OK) {
        return rc;
    }
    /* An existing directory (a container volume, say) is narrowed too: it holds hub.key. */
    if (chmod(dir, 0700) != 0) {
        tx_warn("init: cannot make %s private (0700): %s", dir, strerror(errno));
    }
    if ((rc = tx_identity_generate(origin != NULL ? origin : "hub", &id)) != TX_OK ||
        (rc = tx_identity_save(id, dir, "hub")) != TX_OK) {
        goto out;
    }
    if ((rc = tx_store_open(dir, TX_STORE_DEFAULT_MAP, &store)) != TX_OK) {
        goto out;
    }
    tx_fingerprint(id->pub.sign, fp);
    rc = tx_path_join(pub_path, n, dir, "hub.pub");
out:
    tx_store_close(&store);
    tx_identity_destroy(&id);
    return rc;
}

int
tx_hub_enroll_file(const char *dir, const char *path, unsigned flags, tx_outcome *res,
                   char *name, size_t n, char fp[TX_FP_LEN])
{
    uint8_t *buf = NULL;
    size_t len = 0;
    tx_envelope_pb *env = NULL;
    tx_store *store = NULL;
    int rc;

    memset(res, 0, sizeof *res);
    fp[0] = 0;
    if ((rc = tx_file_read(path, TX_MAX_ENVELOPE, &buf, &len)) != TX_OK) {
        return rc;
    }
    if (tx_decode_envelope(buf, len, &env) == TX_OK) {
        tx_fingerprint(env->signer_key.data, fp);
        tx_free(env);
    }
    /* 0: keep whatever map size the running hub (or init) gave the environment. */
    if ((rc = tx_store_open(dir, 0, &store)) == TX_OK) {
        rc = tx_ingest_enroll_with(store, buf, len, flags, res, name, n);
    }
    tx_store_close(&store);
    free(buf);
    return rc;
}

int
tx_hub_reenroll_file(const char *dir, const char *path, const char *replaces,
                     int64_t compromised_from, tx_outcome *res, char fp[TX_FP_LEN])
{
    tx_reenrol_args a = {NULL, 0, replaces, compromised_from, tx_now()};
    tx_envelope_pb *env = NULL;
    tx_identity *hub = NULL;
    tx_store *store = NULL;
    uint8_t *buf = NULL;
    int rc;

    memset(res, 0, sizeof *res);
    fp[0] = 0;
    if ((rc = tx_file_read(path, TX_MAX_ENVELOPE, &buf, &a.profile_len)) != TX_OK) {
        return rc;
    }
    a.profile = buf;
    if (tx_decode_envelope(buf, a.profile_len, &env) == TX_OK) {
        tx_fingerprint(env->signer_key.data, fp);
        tx_free(env);
    }
    if ((rc = tx_identity_load(dir, "hub", &hub)) == TX_OK &&
        (rc = tx_store_open(dir, 0, &store)) == TX_OK) {
        rc = tx_ingest_reenrol(store, hub, &a, res);
    }
    tx_store_close(&store);
    tx_identity_destroy(&hub);
    free(buf);
    return rc;
}

int
tx_hub_read_endpoint(const char *dir, char *out, size_t n)
{
    char path[PATH_MAX];
    uint8_t *buf;
    size_t len;
    int rc;

    if ((rc = tx_path_join(path, sizeof path, dir, "endpoint")) != TX_OK ||
        (rc = tx_file_read(path, 1024, &buf, &len)) != TX_OK) {
        return rc;
    }
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' ')) {
        len--;
    }
    if (len == 0 || len >= n || memchr(buf, '\n', len) != NULL) {
        free(buf);
        return TX_ERR_MALFORMED;
    }
    memcpy(out, buf, len);
    out[len] = 0;
    free(buf);
    return TX_OK;
}

int
tx_hub_health(const char *dir, const char *endpoint, int timeout_ms, char *used, size_t n,
              char *refusal, size_t rn)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_identity *id = NULL;
    tx_conn *conn = NULL;
    tx_reply_pb *reply = NULL;
    char ep[1024];
    int rc;

    refusal[0] = 0;
    if (endpoint != NULL) {
        snprintf(ep, sizeof ep, "%s", endpoint);
    } else if ((rc = tx_hub_read_endpoint(dir, ep, sizeof ep)) != TX_OK) {
        return rc;
    }
    snprintf(used, n, "%s", ep);
    if ((rc = tx_identity_load(dir, "hub", &id)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_conn_open(ep, id->pub.curve, id, timeout_ms, &conn)) != TX_OK) {
        goto out;
    }
    call.body_case = TICSX__V1__CALL__BODY_PING;
    call.ping = 1;
    if ((rc = tx_conn_call(conn, &call, &reply)) != TX_OK) {
        /* The hub admits its own key; a refusal means another hub answers there. */
        rc = rc == TX_ERR_NOT_ENROLLED ? TX_ERR_REFUSED : rc;
        goto out;
    }
    rc = reply->status == TX_STATUS_OK ? TX_OK : TX_ERR_REFUSED;
    if (rc == TX_OK && reply->message != NULL && strcmp(reply->message, "ok") != 0) {
        snprintf(refusal, rn, "%s", reply->message);
    }
out:
    tx_free(reply);
    tx_conn_destroy(&conn);
    tx_identity_destroy(&id);
    return rc;
}

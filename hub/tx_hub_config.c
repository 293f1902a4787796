/* Reading hub.ini: permissions first, a size cap, then inih over the bytes with our own line
 * reader, so the line of a refused value is known exactly (inih only reports the first bad
 * line's number, not which setting it was). */
#include "tx_hub_config.h"

#include "tx_error.h"
#include "tx_msg.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    const char *path;
    const char *next; /* the unread rest of the file */
    int line;         /* the line inih is working on */
    int long_line;    /* the line that did not fit inih's buffer, 0 if none */
    tx_config_fn fn;
    void *ctx;
    int bad_line; /* the first line fn refused, 0 if none */
    int bad_rc;
    char bad[512];
} reader;

/* fgets over the buffer; a line longer than inih's buffer ends the parse. */
static char *
next_line(char *str, int num, void *stream)
{
    reader *r = stream;
    const char *end;
    size_t len;

    if (*r->next == 0 || r->long_line != 0) {
        return NULL;
    }
    end = strchr(r->next, '\n');
    len = end != NULL ? (size_t)(end - r->next) + 1 : strlen(r->next);
    r->line++;
    if (len >= (size_t)num) {
        r->long_line = r->line;
        return NULL;
    }
    memcpy(str, r->next, len);
    str[len] = 0;
    r->next += len;
    return str;
}

static int
on_setting(void *user, const char *section, const char *key, const char *value)
{
    reader *r = user;
    int rc;

    tx_fail_clear();
    rc = r->fn(r->ctx, section, key, value, r->line);
    if (rc == TX_OK) {
        return 1;
    }
    if (r->bad_line == 0) {
        r->bad_line = r->line;
        r->bad_rc = rc;
        snprintf(r->bad, sizeof r->bad, "%s:%d: %s%s%s%s: %s", r->path, r->line,
                 section[0] ? "[" : "", section, section[0] ? "] " : "", key,
                 tx_fail_msg()[0] ? tx_fail_msg() : tx_strerror(rc));
    }
    return 0;
}

/* Opens path as a regular file no one but its owner (and root) may change. */
static int
open_private(const char *path, int *fd_out)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    if (fd < 0) {
        int e = errno;
        if (e == ENOENT) {
            return tx_fail(TX_ERR_NOT_FOUND, "%s: no such file", path);
        }
        return tx_fail(e == EACCES ? TX_ERR_PERM : TX_ERR_IO,
                       "%s: cannot open it (%s); it must be readable by the user ticsx-hub "
                       "runs as (uid %u)",
                       path, strerror(e), (unsigned)geteuid());
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return tx_fail(TX_ERR_PERM, "%s: not a regular file", path);
    }
    /* Whoever may write the file chooses the hub's address, its log and its metrics. */
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        close(fd);
        return tx_fail(TX_ERR_PERM,
                       "%s: group or others may write it (mode %03o); run `chmod 600 %s`", path,
                       (unsigned)(st.st_mode & 0777), path);
    }
    *fd_out = fd;
    return TX_OK;
}

int
tx_config_read(const char *path, tx_config_fn fn, void *ctx)
{
    reader r = {.path = path, .fn = fn, .ctx = ctx};
    char *text = NULL;
    ssize_t got = 0;
    size_t len = 0;
    int fd = -1, rc, line;

    if ((rc = open_private(path, &fd)) != TX_OK) {
        return rc;
    }
    text = malloc(TX_CONFIG_MAX + 2);
    if (text == NULL) {
        close(fd);
        return TX_ERR_NOMEM;
    }
    while (len <= TX_CONFIG_MAX && (got = read(fd, text + len, TX_CONFIG_MAX + 1 - len)) > 0) {
        len += (size_t)got;
    }
    close(fd);
    if (got < 0) {
        rc = tx_fail(TX_ERR_IO, "%s: cannot read it: %s", path, strerror(errno));
    } else if (len > TX_CONFIG_MAX) {
        rc = tx_fail(TX_ERR_TOO_LARGE, "%s: larger than %d bytes; a hub.ini is a few lines", path,
                     TX_CONFIG_MAX);
    } else if (memchr(text, 0, len) != NULL) {
        rc = tx_fail(TX_ERR_MALFORMED, "%s: holds a NUL byte; it is not a text file", path);
    }
    if (rc != TX_OK) {
        free(text);
        return rc;
    }
    text[len] = 0;
    r.next = text;
    line = ini_parse_stream(next_line, &r, on_setting, &r);
    free(text);
    if (r.long_line != 0 && (line <= 0 || r.long_line < line)) {
        return tx_fail(TX_ERR_TOO_LARGE, "%s:%d: the line is too long", path, r.long_line);
    }
    if (line > 0 && line == r.bad_line) {
        return tx_fail(r.bad_rc, "%s", r.bad);
    }
    if (line > 0) {
        return tx_fail(TX_ERR_MALFORMED,
                       "%s:%d: not a `key = value` setting, a [section] or a # comment", path,
                       line);
    }
    if (line < 0) {
        return tx_fail(TX_ERR_NOMEM, "%s: out of memory while reading it", path);
    }
    return TX_OK;
}

/* Files with safe permissions, encodings, dates and UTF-8 checks shared by hub and client. */
#include "tx_util.h"

#include "tx_error.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int
tx_file_read(const char *path, size_t max, uint8_t **out, size_t *len)
{
    int fd;
    struct stat st;
    uint8_t *buf = NULL;
    size_t got = 0;
    int rc = TX_ERR_IO;

    *out = NULL;
    *len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? TX_ERR_NOT_FOUND : TX_ERR_IO;
    }
    if (fstat(fd, &st) != 0) {
        goto out;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
        rc = TX_ERR_TOO_LARGE;
        goto out;
    }
    buf = malloc(max + 1);
    if (buf == NULL) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    /* Read one byte past the cap so pipes and growing files are caught too. */
    for (;;) {
        ssize_t n = read(fd, buf + got, max + 1 - got);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            goto out;
        }
        if (n == 0) {
            break;
        }
        got += (size_t)n;
        if (got > max) {
            rc = TX_ERR_TOO_LARGE;
            goto out;
        }
    }
    buf[got] = 0;
    *out = buf;
    *len = got;
    buf = NULL;
    rc = TX_OK;
out:
    free(buf);
    close(fd);
    return rc;
}

static int
write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return TX_ERR_IO;
        }
        p += n;
        len -= (size_t)n;
    }
    return TX_OK;
}

int
tx_file_create(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    int rc;

    if (fd < 0) {
        return errno == EEXIST ? TX_ERR_EXISTS : TX_ERR_IO;
    }
    /* The umask may have narrowed the mode; widen nothing, but make it exact. */
    rc = fchmod(fd, mode) == 0 ? TX_OK : TX_ERR_IO;
    if (rc == TX_OK) {
        rc = write_all(fd, data, len);
    }
    if (rc == TX_OK && fsync(fd) != 0) {
        rc = TX_ERR_IO;
    }
    if (close(fd) != 0 && rc == TX_OK) {
        rc = TX_ERR_IO;
    }
    if (rc != TX_OK) {
        unlink(path);
    }
    return rc;
}

int
tx_file_replace(const char *path, const void *data, size_t len, mode_t mode)
{
    /* A temporary name of its own per call: threads of one process (the UI's server and its
     * watcher) replacing the same file at once must not remove each other's temporary. */
    static atomic_uint serial;
    char tmp[PATH_MAX];
    int rc;

    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld.%u", path, (long)getpid(),
                 atomic_fetch_add(&serial, 1)) >= (int)sizeof tmp) {
        return TX_ERR_USAGE;
    }
    unlink(tmp);
    rc = tx_file_create(tmp, data, len, mode);
    if (rc != TX_OK) {
        return rc;
    }
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return TX_ERR_IO;
    }
    return TX_OK;
}

int
tx_file_check_private(const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0) {
        return errno == ENOENT ? TX_ERR_NOT_FOUND : TX_ERR_IO;
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        return TX_ERR_PERM;
    }
    return TX_OK;
}

int
tx_mkdir_private(const char *path)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof buf) {
        return TX_ERR_USAGE;
    }
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
                return TX_ERR_IO;
            }
            *p = c;
            if (c == 0) {
                break;
            }
        }
    }
    return TX_OK;
}

int
tx_path_join(char *out, size_t n, const char *dir, const char *name)
{
    int w = snprintf(out, n, "%s/%s", dir, name);
    return (w < 0 || (size_t)w >= n) ? TX_ERR_USAGE : TX_OK;
}

void
tx_hex(char *out, const uint8_t *in, size_t len)
{
    sodium_bin2hex(out, 2 * len + 1, in, len);
}

int
tx_unhex(uint8_t *out, size_t len, const char *hex)
{
    size_t got = 0;
    const char *end = NULL;

    if (strlen(hex) != 2 * len) {
        return TX_ERR_MALFORMED;
    }
    if (sodium_hex2bin(out, len, hex, 2 * len, NULL, &got, &end) != 0 || got != len) {
        return TX_ERR_MALFORMED;
    }
    return TX_OK;
}

size_t
tx_b64_len(size_t len)
{
    return sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
}

void
tx_b64(char *out, const uint8_t *in, size_t len)
{
    sodium_bin2base64(out, tx_b64_len(len), in, len, sodium_base64_VARIANT_ORIGINAL);
}

int
tx_unb64(uint8_t *out, size_t cap, size_t *len, const char *in, size_t in_len)
{
    const char *end = NULL;
    int variant = sodium_base64_VARIANT_ORIGINAL;

    if (in_len % 4 != 0) {
        variant = sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
    }
    if (sodium_base642bin(out, cap, in, in_len, NULL, len, &end, variant) != 0 ||
        end != in + in_len) {
        return TX_ERR_MALFORMED;
    }
    return TX_OK;
}

int
tx_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        unsigned c = p[i];
        size_t extra;
        uint32_t cp;

        if (c == 0) {
            return 0;
        }
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + extra >= len) {
            return 0;
        }
        for (size_t k = 1; k <= extra; k++) {
            if ((p[i + k] & 0xC0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        /* Overlong forms, surrogates and values past U+10FFFF are invalid. */
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
            (extra == 3 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return 0;
        }
        i += extra + 1;
    }
    return 1;
}

int64_t
tx_now(void)
{
    const char *s = getenv("TICSX_NOW");
    int64_t t;

    if (s != NULL && *s != 0 && tx_parse_time(s, &t) == TX_OK) {
        return t;
    }
    return (int64_t)time(NULL);
}

/* True if s has exactly the shape of `form`, where 'd' stands for one ASCII digit. */
static int
has_shape(const char *s, const char *form)
{
    for (; *form != 0; s++, form++) {
        if (*form == 'd' ? (*s < '0' || *s > '9') : *s != *form) {
            return 0;
        }
    }
    return *s == 0;
}

int
tx_parse_time(const char *s, int64_t *out)
{
    struct tm tm, back;
    char *end;
    time_t t;

    if (s[0] == '@') {
        /* strtoll alone would also take leading blanks and a plus sign. */
        const char *digits = s[1] == '-' ? s + 2 : s + 1;
        if (*digits < '0' || *digits > '9') {
            return TX_ERR_MALFORMED;
        }
        errno = 0;
        long long v = strtoll(s + 1, &end, 10);
        if (errno != 0 || end == s + 1 || *end != 0) {
            return TX_ERR_MALFORMED;
        }
        *out = v;
        return TX_OK;
    }
    /* strptime skips blanks and takes short fields; the forms are exact. */
    if (!has_shape(s, "dddd-dd-dd") && !has_shape(s, "dddd-dd-ddTdd:dd:ddZ")) {
        return TX_ERR_MALFORMED;
    }
    memset(&tm, 0, sizeof tm);
    end = strptime(s, "%Y-%m-%d", &tm);
    if (end == NULL) {
        return TX_ERR_MALFORMED;
    }
    if (*end == 'T') {
        end = strptime(end + 1, "%H:%M:%S", &tm);
        if (end == NULL || (*end != 'Z' || end[1] != 0)) {
            return TX_ERR_MALFORMED;
        }
    } else if (*end != 0) {
        return TX_ERR_MALFORMED;
    }
    if (tm.tm_year < 70 || tm.tm_year > 1100) {
        return TX_ERR_MALFORMED;
    }
    /* timegm normalises 2024-02-30 to March 1; a date that does not come back unchanged did
     * not exist. */
    back = tm;
    t = timegm(&back);
    if (back.tm_year != tm.tm_year || back.tm_mon != tm.tm_mon || back.tm_mday != tm.tm_mday ||
        back.tm_hour != tm.tm_hour || back.tm_min != tm.tm_min || back.tm_sec != tm.tm_sec) {
        return TX_ERR_MALFORMED;
    }
    *out = (int64_t)t;
    return TX_OK;
}

void
tx_format_date(char *out, size_t n, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL || strftime(out, n, "%Y-%m-%d", &tm) == 0) {
        snprintf(out, n, "?");
    }
}

int
tx_is_id_prefix(const char *s)
{
    size_t n = strlen(s);

    if (n < 8 || n > 64) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

int64_t
tx_clock_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
tx_clock_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
tx_utf8_copy(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);

    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80) {
            len--;
        }
    }
    memcpy(dst, src, len);
    dst[len] = 0;
}

size_t
tx_utf8_next(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return 3;
    }
    if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
        (s[3] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
              ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        return 4;
    }
    *cp = 0xFFFD;
    return 1;
}

size_t
tx_utf8_put(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

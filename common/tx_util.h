/* Small shared helpers: files with safe permissions, encodings, dates, UTF-8. */
#ifndef TX_UTIL_H
#define TX_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TX_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Reads a whole file of at most `max` bytes. TX_ERR_TOO_LARGE past that, TX_ERR_NOT_FOUND if it
 * does not exist. Caller owns *out (free()); it is NUL-terminated one byte past *len. */
int tx_file_read(const char *path, size_t max, uint8_t **out, size_t *len);

/* Creates `path` with `mode`, refusing to overwrite or follow a symlink (O_EXCL|O_NOFOLLOW),
 * writes and fsyncs it. TX_ERR_EXISTS if present. */
int tx_file_create(const char *path, const void *data, size_t len, mode_t mode);

/* Replaces `path` atomically: writes a temporary beside it, fsyncs, renames. */
int tx_file_replace(const char *path, const void *data, size_t len, mode_t mode);

/* TX_ERR_PERM if the file at `path` can be read or written by group or others. */
int tx_file_check_private(const char *path);

/* mkdir -p with mode 0700 for every directory created. Existing directories are kept as they
 * are. */
int tx_mkdir_private(const char *path);

/* Joins dir and name into out (size n). TX_ERR_USAGE if it does not fit. */
int tx_path_join(char *out, size_t n, const char *dir, const char *name);

/* Lowercase hex of `len` bytes into out, which needs 2*len+1 bytes. */
void tx_hex(char *out, const uint8_t *in, size_t len);

/* Parses exactly `len` bytes of hex. TX_ERR_MALFORMED otherwise. */
int tx_unhex(uint8_t *out, size_t len, const char *hex);

/* Standard base64 with padding. out needs tx_b64_len(len) bytes (including NUL). */
size_t tx_b64_len(size_t len);
void tx_b64(char *out, const uint8_t *in, size_t len);

/* Decodes standard base64 (padding optional, no whitespace) into out of capacity cap;
 * *len receives the decoded size. */
int tx_unb64(uint8_t *out, size_t cap, size_t *len, const char *in, size_t in_len);

/* True if s[0..len) is valid UTF-8 without NUL bytes. */
int tx_utf8_valid(const char *s, size_t len);

/* The current time in unix seconds. TICSX_NOW (unix seconds or a date as accepted by
 * tx_parse_time) overrides the clock, so tests can move it. */
int64_t tx_now(void);

/* Parses YYYY-MM-DD (midnight UTC), YYYY-MM-DDTHH:MM:SSZ, or @SECONDS. */
int tx_parse_time(const char *s, int64_t *out);

/* Formats as YYYY-MM-DD into out (at least 11 bytes). */
void tx_format_date(char *out, size_t n, int64_t t);

/* True if s is 8 to 64 hex digits: a prefix of a record id (64 hex digits) a user may type. */
int tx_is_id_prefix(const char *s);

/* The monotonic clock in milliseconds and in microseconds, for timeouts and durations (never
 * for dates: tx_now). */
int64_t tx_clock_ms(void);
int64_t tx_clock_us(void);

/* Copies at most n-1 bytes (n > 0) of UTF-8 text into dst and ends it with NUL, never cutting a
 * character in two. */
void tx_utf8_copy(char *dst, size_t n, const char *src);

/* Decodes the UTF-8 sequence at s (NUL-terminated) into *cp and returns its length in bytes; a
 * byte that does not start a well-formed sequence is one byte of U+FFFD. */
size_t tx_utf8_next(const unsigned char *s, uint32_t *cp);

/* Encodes cp (at most U+10FFFF) as UTF-8 at out (room for 4 bytes); returns its length. */
size_t tx_utf8_put(char *out, uint32_t cp);

#endif

/* The data file read as bytes (LMDB's on-disk meta pages, 64-bit layout), and the durable
 * record of the last signed checkpoint. */
#include "tx_store_file.h"

#include "tx_error.h"
#include "tx_util.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* LMDB 0.9's data file: every page starts with a 16-byte header (pgno 8, pad 2, flags 2,
 * lower 2, upper 2); pages 0 and 1 are meta pages, each holding an MDB_meta after the header:
 * magic 4, version 4, address 8, mapsize 8, the free and main databases' MDB_db (48 bytes
 * each: pad 4 (the page size, in the free one), flags 2, depth 2, branch, leaf and overflow
 * page counts, entries, root: 8 each), last page 8, txnid 8. */
#define PAGEHDR 16
#define P_META 0x08
#define MDB_MAGIC 0xBEEFC0DEu
#define MDB_DATA_VERSION 1u
#define OFF_MAGIC (PAGEHDR + 0)
#define OFF_VERSION (PAGEHDR + 4)
#define OFF_DB(i) (PAGEHDR + 24 + 48 * (i))
#define OFF_ROOT(i) (OFF_DB(i) + 40)
#define OFF_LAST_PG (PAGEHDR + 24 + 96)
#define OFF_TXNID (OFF_LAST_PG + 8)
#define META_LEN (OFF_TXNID + 8)
#define P_INVALID UINT64_MAX

typedef struct {
    int ok;
    uint64_t txnid, last_pg, root[2];
} meta;

static uint64_t
le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--) {
        v = v << 8 | p[i];
    }
    return v;
}

static uint32_t
le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads meta page `i` (at i * psize) into m; m->ok when it looks like LMDB's. */
static int
read_meta(int fd, unsigned i, uint32_t psize, meta *m)
{
    uint8_t b[META_LEN];
    ssize_t got = pread(fd, b, sizeof b, (off_t)i * psize);

    memset(m, 0, sizeof *m);
    if (got < 0) {
        return TX_ERR_IO;
    }
    if ((size_t)got < sizeof b) {
        return TX_OK;
    }
    m->ok = le64(b) == i && (b[10] & P_META) && le32(b + OFF_MAGIC) == MDB_MAGIC &&
            le32(b + OFF_VERSION) == MDB_DATA_VERSION;
    m->txnid = le64(b + OFF_TXNID);
    m->last_pg = le64(b + OFF_LAST_PG);
    m->root[0] = le64(b + OFF_ROOT(0));
    m->root[1] = le64(b + OFF_ROOT(1));
    return TX_OK;
}

static int
page_size(int fd, uint32_t *psize)
{
    uint8_t b[META_LEN];
    ssize_t got = pread(fd, b, sizeof b, 0);

    *psize = 0;
    if (got < 0) {
        return TX_ERR_IO;
    }
    if ((size_t)got == sizeof b && le32(b + OFF_MAGIC) == MDB_MAGIC) {
        *psize = le32(b + OFF_DB(0));
    }
    return TX_OK;
}

int
tx_store_file_check(const char *dir, char *why, size_t n)
{
    char path[PATH_MAX];
    struct stat st;
    meta m[2];
    uint32_t psize;
    unsigned newest;
    uint64_t need;
    int fd, rc;

    why[0] = 0;
    if ((rc = tx_path_join(path, sizeof path, dir, "data.mdb")) != TX_OK) {
        return rc;
    }
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        return errno == ENOENT ? TX_ERR_NOT_FOUND : TX_ERR_IO;
    }
    if (fstat(fd, &st) != 0 || (rc = page_size(fd, &psize)) != TX_OK) {
        close(fd);
        return TX_ERR_IO;
    }
    rc = TX_ERR_STORAGE;
    if (st.st_size == 0) {
        snprintf(why, n, "%s is empty (0 bytes): it is not a hub database", path);
        goto out;
    }
    if (psize < 512 || psize > 65536 || (psize & (psize - 1)) != 0) {
        snprintf(why, n, "%s is not an LMDB database (its first page is not an LMDB meta page)",
                 path);
        goto out;
    }
    if (read_meta(fd, 0, psize, &m[0]) != TX_OK || read_meta(fd, 1, psize, &m[1]) != TX_OK) {
        rc = TX_ERR_IO;
        goto out;
    }
    for (unsigned i = 0; i < 2; i++) {
        if (!m[i].ok) {
            snprintf(why, n,
                     "%s: meta page %u is damaged or missing (no LMDB meta page at byte %llu)",
                     path, i, (unsigned long long)i * psize);
            goto out;
        }
    }
    /* LMDB writes transaction t to meta page t & 1, so the two hold t and t - 1 (both 0 in a
     * database never written). Anything else is a damaged transaction id, and LMDB would open
     * whichever page claims the higher one: possibly the older state. */
    if (!(m[0].txnid == 0 && m[1].txnid == 0) &&
        ((m[0].txnid & 1) != 0 || (m[1].txnid & 1) != 1 ||
         (m[0].txnid > m[1].txnid ? m[0].txnid - m[1].txnid : m[1].txnid - m[0].txnid) != 1)) {
        snprintf(why, n,
                 "%s: the meta pages' transaction ids (%llu on page 0, %llu on page 1) are not "
                 "consecutive: a meta page is damaged, and LMDB could open an older state of "
                 "the log",
                 path, (unsigned long long)m[0].txnid, (unsigned long long)m[1].txnid);
        goto out;
    }
    newest = m[1].txnid > m[0].txnid ? 1 : 0;
    for (unsigned i = 0; i < 2; i++) {
        if ((m[newest].root[i] != P_INVALID && m[newest].root[i] > m[newest].last_pg) ||
            m[newest].last_pg < 1) {
            snprintf(why, n, "%s: meta page %u is damaged (a root page past its last page %llu)",
                     path, newest, (unsigned long long)m[newest].last_pg);
            goto out;
        }
    }
    need = (m[newest].last_pg + 1) * (uint64_t)psize;
    if (m[newest].last_pg > (uint64_t)1 << 40 || (uint64_t)st.st_size < need) {
        snprintf(why, n,
                 "%s is truncated: %llu bytes, but its newest meta page uses %llu (pages up to "
                 "%llu of %u bytes)",
                 path, (unsigned long long)st.st_size, (unsigned long long)need,
                 (unsigned long long)m[newest].last_pg, psize);
        goto out;
    }
    rc = TX_OK;
out:
    close(fd);
    return rc;
}

/* DIR/checkpoint.signed holds two slots of SLOT bytes, written in turn like LMDB's meta pages:
 * "tsc1 SIZE ROOT SEQ SUM" (SUM: the first 4 bytes of the SHA-256 of what precedes it, hex),
 * padded with spaces to SLOT - 1 and a newline. The slot with the highest SEQ that checks is
 * the record. Once the file exists, a write overwrites one slot in place: no new blocks are
 * needed, so recording a checkpoint never fails for a full disk, and a torn write leaves the
 * other slot. */
#define SLOT 128

/* Parses one slot; TX_OK with its fields when it checks. */
static int
slot_parse(const char *b, uint64_t *size, uint8_t root[32], uint64_t *seq)
{
    char text[SLOT + 1], hex[65], sum[9], want[9];
    unsigned long long sz, sq;
    uint8_t h[crypto_hash_sha256_BYTES];
    int n = 0;

    memcpy(text, b, SLOT);
    text[SLOT] = 0;
    if (sscanf(text, "tsc1 %20llu %64s %20llu %n%8s", &sz, hex, &sq, &n, sum) != 4 || n <= 0 ||
        strlen(hex) != 64 || strlen(sum) != 8 || tx_unhex(root, 32, hex) != TX_OK) {
        return TX_ERR_MALFORMED;
    }
    crypto_hash_sha256(h, (const uint8_t *)text, (unsigned long long)n);
    tx_hex(want, h, 4);
    if (strcmp(want, sum) != 0) {
        return TX_ERR_MALFORMED;
    }
    *size = sz;
    *seq = sq;
    return TX_OK;
}

/* The newest slot that checks: TX_ERR_MALFORMED when none does. */
static int
slots_read(const uint8_t *b, size_t len, uint64_t *size, uint8_t root[32], uint64_t *seq)
{
    int rc = TX_ERR_MALFORMED;

    for (size_t i = 0; i + SLOT <= len && i < 2 * SLOT; i += SLOT) {
        uint64_t sz, sq;
        uint8_t r[32];

        if (slot_parse((const char *)b + i, &sz, r, &sq) == TX_OK && (rc != TX_OK || sq > *seq)) {
            *size = sz;
            *seq = sq;
            memcpy(root, r, 32);
            rc = TX_OK;
        }
    }
    return rc;
}

static void
slot_format(char out[SLOT], uint64_t size, const uint8_t root[32], uint64_t seq)
{
    char text[SLOT + 1], hex[65], sum[9];
    uint8_t h[crypto_hash_sha256_BYTES];
    int n;

    tx_hex(hex, root, 32);
    n = snprintf(text, sizeof text, "tsc1 %llu %s %llu ", (unsigned long long)size, hex,
                 (unsigned long long)seq);
    crypto_hash_sha256(h, (const uint8_t *)text, (unsigned long long)n);
    tx_hex(sum, h, 4);
    memset(out, ' ', SLOT);
    memcpy(out, text, (size_t)n);
    memcpy(out + n, sum, 8);
    out[SLOT - 1] = '\n';
}

void
tx_signed_init(tx_signed_file *f)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
}

void
tx_signed_close(tx_signed_file *f)
{
    if (f->fd >= 0) {
        close(f->fd);
    }
    tx_signed_init(f);
}

/* Opens DIR/checkpoint.signed and reads its newest slot into f, unless f is open already; f->fd
 * stays -1 when the file is absent or no slot checks (the next record writes it whole). */
static void
signed_open(tx_signed_file *f, const char *dir)
{
    char path[PATH_MAX];
    uint8_t old[2 * SLOT], r[32];
    int fd;

    if (f->fd >= 0 || tx_path_join(path, sizeof path, dir, TX_SIGNED_FILE) != TX_OK ||
        (fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) < 0) {
        return;
    }
    if (pread(fd, old, sizeof old, 0) == (ssize_t)sizeof old &&
        slots_read(old, sizeof old, &f->size, r, &f->seq) == TX_OK) {
        f->fd = fd;
        return;
    }
    close(fd);
}

int
tx_signed_record(tx_signed_file *f, const char *dir, uint64_t size, const uint8_t root[32])
{
    char path[PATH_MAX], both[2 * SLOT];
    int fd, rc;

    signed_open(f, dir);
    if (f->fd >= 0) {
        slot_format(both, size, root, f->seq + 1);
        if (pwrite(f->fd, both, SLOT, (off_t)((f->seq + 1) % 2) * SLOT) != SLOT ||
            fdatasync(f->fd) != 0) {
            int e = errno;
            tx_signed_close(f);
            f->err = e;
            return TX_ERR_IO;
        }
        f->seq++;
        f->size = size;
        return TX_OK;
    }
    /* The first record (or one that does not parse): both slots, written aside and renamed;
     * opened at the next record. */
    if ((rc = tx_path_join(path, sizeof path, dir, TX_SIGNED_FILE)) != TX_OK) {
        return rc;
    }
    slot_format(both, size, root, 0);
    slot_format(both + SLOT, size, root, 0);
    if ((rc = tx_file_replace(path, both, sizeof both, 0600)) != TX_OK) {
        f->err = errno;
        return rc;
    }
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        f->err = errno;
        return TX_ERR_IO;
    }
    rc = fsync(fd) == 0 ? TX_OK : TX_ERR_IO;
    f->err = rc == TX_OK ? 0 : errno;
    close(fd);
    return rc;
}

/* Records size and root unless the file records more already, or as much when !redo. */
static int
record_unless_ahead(tx_signed_file *f, const char *dir, uint64_t size, const uint8_t root[32],
                    int redo)
{
    signed_open(f, dir);
    if (f->fd >= 0 && (f->size > size || (f->size == size && !redo))) {
        return TX_OK;
    }
    return tx_signed_record(f, dir, size, root);
}

int
tx_signed_reach(tx_signed_file *f, const char *dir, uint64_t size, const uint8_t root[32])
{
    return record_unless_ahead(f, dir, size, root, 0);
}

int
tx_signed_redo(tx_signed_file *f, const char *dir, uint64_t size, const uint8_t root[32])
{
    return record_unless_ahead(f, dir, size, root, 1);
}

int
tx_signed_read(const char *dir, uint64_t *size, uint8_t root[32])
{
    char path[PATH_MAX];
    uint8_t *buf = NULL;
    uint64_t seq = 0;
    size_t len;
    int rc;

    *size = 0;
    if ((rc = tx_path_join(path, sizeof path, dir, TX_SIGNED_FILE)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_file_read(path, 4 * SLOT, &buf, &len)) != TX_OK) {
        return rc == TX_ERR_NOT_FOUND || (rc == TX_ERR_IO && errno == ENOENT) ? TX_ERR_NOT_FOUND
                                                                              : rc;
    }
    rc = slots_read(buf, len, size, root, &seq);
    free(buf);
    return rc;
}

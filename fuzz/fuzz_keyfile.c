/* Fuzzes the key file parsers. First byte 0: the rest is a public key file's text for
 * tx_pubkey_parse, and whatever parses must format and parse back to the same key. First byte
 * 1: the rest is a secret key file, a NUL, then a public key file; both are written into a
 * private temp directory and loaded with tx_identity_load, the path every command takes. */
#include "tx_error.h"
#include "tx_keys.h"
#include "tx_util.h"

#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char home[64];
static char key_path[PATH_MAX];
static char pub_path[PATH_MAX];

static void
cleanup(void)
{
    unlink(key_path);
    unlink(pub_path);
    rmdir(home);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (sodium_init() < 0) {
        return -1;
    }
    snprintf(home, sizeof home, "/tmp/ticsx-fuzz-keyfile-XXXXXX");
    if (mkdtemp(home) == NULL || tx_path_join(key_path, sizeof key_path, home, "identity.key") ||
        tx_path_join(pub_path, sizeof pub_path, home, "identity.pub")) {
        abort();
    }
    atexit(cleanup);
    return 0;
}

/* Plain writes without fsync: tx_file_create would sync every run and slow fuzzing down. */
static void
put_file(const char *path, const uint8_t *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

    if (fd < 0 || fchmod(fd, mode) != 0) {
        abort();
    }
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n <= 0) {
            abort();
        }
        data += n;
        len -= (size_t)n;
    }
    close(fd);
}

static void
public_round_trip(const uint8_t *data, size_t size)
{
    tx_pubkey pk, back;
    char text[1024];

    if (tx_pubkey_parse((const char *)data, size, &pk) != TX_OK) {
        return;
    }
    if (tx_pubkey_format(&pk, text, sizeof text) != TX_OK ||
        tx_pubkey_parse(text, strlen(text), &back) != TX_OK ||
        memcmp(pk.sign, back.sign, 32) != 0 || memcmp(pk.seal, back.seal, 32) != 0 ||
        memcmp(pk.curve, back.curve, 32) != 0 || strcmp(pk.name, back.name) != 0) {
        abort();
    }
}

static void
secret_load(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t sec_len = nul != NULL ? (size_t)(nul - data) : size;
    tx_identity *id = NULL;

    put_file(key_path, data, sec_len, 0600);
    if (nul != NULL) {
        put_file(pub_path, nul + 1, size - sec_len - 1, 0644);
    } else {
        unlink(pub_path);
    }
    if (tx_identity_load(home, "identity", &id) == TX_OK) {
        /* A loaded identity is whole: its secret signing key holds its public key. */
        if (memcmp(id->sec->sign + 32, id->pub.sign, 32) != 0) {
            abort();
        }
        tx_identity_destroy(&id);
    } else if (id != NULL) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    if (data[0] == 0) {
        public_round_trip(data + 1, size - 1);
    } else if (data[0] == 1) {
        secret_load(data + 1, size - 1);
    }
    return 0;
}

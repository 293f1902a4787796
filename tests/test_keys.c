/* Unit tests of keys/tx_keys: identity files round trip, are refused when readable by others,
 * truncated, damaged or mismatched, are never overwritten or written through a symlink, and the
 * fingerprint and OpenSSH line agree with ssh-keygen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tx_error.h"
#include "tx_keys.h"
#include "tx_util.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];

static int
make_tmpdir(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tx_keys_XXXXXX");
    return mkdtemp(tmpdir) == NULL || sodium_init() < 0 ? -1 : 0;
}

static int
remove_tmpdir(void **state)
{
    char cmd[128];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A fresh directory path (not created) under the temp directory. */
static void
fresh_dir(char *out, size_t n, const char *name)
{
    assert_int_equal(tx_path_join(out, n, tmpdir, name), TX_OK);
}

static void
file_in(char *out, size_t n, const char *dir, const char *name)
{
    assert_int_equal(tx_path_join(out, n, dir, name), TX_OK);
}

static mode_t
mode_of(const char *path)
{
    struct stat st;

    assert_int_equal(lstat(path, &st), 0);
    return st.st_mode & 07777;
}

/* Generates an identity named `name` and saves it into dir as "identity". */
static tx_identity *
make_saved(const char *dir, const char *name)
{
    tx_identity *id = NULL;

    assert_int_equal(tx_identity_generate(name, &id), TX_OK);
    assert_non_null(id);
    assert_int_equal(tx_identity_save(id, dir, "identity"), TX_OK);
    return id;
}

/* The whole file at path, NUL-terminated, read with plain stdio (not the code under test).
 * Caller frees. */
static char *
read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *text = malloc(1 << 16);
    size_t n;

    assert_non_null(f);
    assert_non_null(text);
    n = fread(text, 1, (1 << 16) - 1, f);
    assert_int_equal(ferror(f), 0);
    assert_true(feof(f));
    fclose(f);
    text[n] = 0;
    *len = n;
    return text;
}

/* Overwrites path with text, keeping mode 0600. */
static void
rewrite(const char *path, const char *text, size_t len)
{
    assert_int_equal(tx_file_replace(path, text, len, 0600), TX_OK);
}

static void
test_round_trip(void **state)
{
    char dir[PATH_MAX];
    tx_identity *id, *back = NULL;

    fresh_dir(dir, sizeof dir, "round");
    id = make_saved(dir, "Tokai Motors 東海");
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_OK);
    assert_non_null(back);
    assert_memory_equal(back->pub.sign, id->pub.sign, 32);
    assert_memory_equal(back->pub.seal, id->pub.seal, 32);
    assert_memory_equal(back->pub.curve, id->pub.curve, 32);
    assert_string_equal(back->pub.name, "Tokai Motors 東海");
    assert_memory_equal(back->sec->sign, id->sec->sign, 64);
    assert_memory_equal(back->sec->seal, id->sec->seal, 32);
    assert_memory_equal(back->sec->curve, id->sec->curve, 32);

    /* The three key pairs are independent. */
    assert_memory_not_equal(id->pub.seal, id->pub.curve, 32);

    /* Loaded keys work: a signature made with them verifies against the generated key. */
    uint8_t sig[64];
    crypto_sign_detached(sig, NULL, (const uint8_t *)"m", 1, back->sec->sign);
    assert_int_equal(crypto_sign_verify_detached(sig, (const uint8_t *)"m", 1, id->pub.sign), 0);

    /* Another base name lives beside it: the hub uses "hub". */
    assert_int_equal(tx_identity_save(id, dir, "hub"), TX_OK);
    tx_identity_destroy(&back);
    assert_int_equal(tx_identity_load(dir, "hub", &back), TX_OK);
    assert_memory_equal(back->pub.sign, id->pub.sign, 32);

    tx_identity_destroy(&back);
    assert_null(back);
    tx_identity_destroy(&id);
    assert_null(id);
    tx_identity_destroy(&id);
    tx_identity_destroy(NULL);
}

static void
test_modes(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX];
    tx_identity *id;
    mode_t old = umask(0);

    fresh_dir(dir, sizeof dir, "modes");
    id = make_saved(dir, "Mikawa Precision");
    assert_int_equal(mode_of(dir), 0700);
    file_in(path, sizeof path, dir, "identity.key");
    assert_int_equal(mode_of(path), 0600);
    file_in(path, sizeof path, dir, "identity.pub");
    assert_int_equal(mode_of(path), 0644);
    file_in(path, sizeof path, dir, "identity_ed25519.pub");
    assert_int_equal(mode_of(path), 0644);
    tx_identity_destroy(&id);

    /* A strict umask narrows nothing the format relies on: the public files stay readable. */
    umask(077);
    fresh_dir(dir, sizeof dir, "modes-strict");
    id = make_saved(dir, "Mikawa Precision");
    file_in(path, sizeof path, dir, "identity.pub");
    assert_int_equal(mode_of(path), 0644);
    file_in(path, sizeof path, dir, "identity.key");
    assert_int_equal(mode_of(path), 0600);
    tx_identity_destroy(&id);
    umask(old);
}

static void
test_world_readable_refused(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX];
    tx_identity *id, *back = NULL;
    static const mode_t open_modes[] = {0644, 0640, 0604, 0660, 0606, 0620, 0602, 0666};

    fresh_dir(dir, sizeof dir, "perm");
    id = make_saved(dir, "Nagoya Electronics");
    file_in(path, sizeof path, dir, "identity.key");
    for (size_t i = 0; i < TX_ARRAY_LEN(open_modes); i++) {
        assert_int_equal(chmod(path, open_modes[i]), 0);
        assert_int_equal(tx_identity_load(dir, "identity", &back), TX_ERR_PERM);
        assert_null(back);
    }
    assert_int_equal(chmod(path, 0400), 0);
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_OK);
    tx_identity_destroy(&back);
    tx_identity_destroy(&id);
}

static void
test_missing(void **state)
{
    char dir[PATH_MAX];
    tx_identity *back = NULL;

    fresh_dir(dir, sizeof dir, "nothing-here");
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_ERR_NOT_FOUND);
    assert_null(back);
}

static void
test_truncated(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX];
    tx_identity *id, *back = NULL;
    char *text, *b64;
    size_t len, b64_len;

    fresh_dir(dir, sizeof dir, "truncated");
    id = make_saved(dir, "Tokai Motors");
    file_in(path, sizeof path, dir, "identity.key");
    text = read_text(path, &len);
    b64 = strchr(text, '\n') + 1;
    b64_len = strcspn(b64, "\n");

    /* Every cut of the base64 line, from empty to the last data character (padding is
     * optional, so dropping only '=' leaves the key intact). */
    size_t data_len = b64_len;
    while (data_len > 0 && b64[data_len - 1] == '=') {
        data_len--;
    }
    for (size_t keep = 0; keep < data_len; keep++) {
        rewrite(path, text, (size_t)(b64 - text) + keep);
        int rc = tx_identity_load(dir, "identity", &back);
        if (rc != TX_ERR_TRUNCATED && rc != TX_ERR_MALFORMED) {
            fail_msg("key cut to %zu base64 chars: got %s", keep, tx_strerror(rc));
        }
        assert_null(back);
    }
    /* The comment line alone, without its newline. */
    rewrite(path, text, (size_t)(b64 - text) - 1);
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_ERR_TRUNCATED);
    rewrite(path, "", 0);
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_ERR_TRUNCATED);

    /* Cut whole base64 quanta: decodes, but too short. */
    rewrite(path, text, (size_t)(b64 - text) + b64_len - 8);
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_ERR_TRUNCATED);

    /* The complete file without the final newline still loads. */
    rewrite(path, text, (size_t)(b64 - text) + b64_len);
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_OK);
    tx_identity_destroy(&back);

    /* Not a key file at all. */
    rewrite(path, "hello\nworld\n", 12);
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_ERR_MALFORMED);
    free(text);
    tx_identity_destroy(&id);
}

/* Decodes the secret blob of path, lets `change` alter it, writes it back. */
static void
edit_secret_blob(const char *path, size_t offset, uint8_t xor_mask)
{
    size_t len, raw_len;
    char *text = read_text(path, &len);
    char *b64 = strchr(text, '\n') + 1;
    size_t b64_len = strcspn(b64, "\n");
    uint8_t raw[256];
    char out[4096];

    assert_int_equal(tx_unb64(raw, sizeof raw, &raw_len, b64, b64_len), TX_OK);
    assert_true(offset < raw_len);
    raw[offset] ^= xor_mask;
    memcpy(out, text, (size_t)(b64 - text));
    tx_b64(out + (b64 - text), raw, raw_len);
    strcat(out, "\n");
    rewrite(path, out, strlen(out));
    free(text);
}

static void
test_checksum(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX];
    tx_identity *id, *back = NULL;
    size_t len;
    char *good;

    fresh_dir(dir, sizeof dir, "checksum");
    id = make_saved(dir, "Tokai Motors");
    file_in(path, sizeof path, dir, "identity.key");
    good = read_text(path, &len);

    /* Blob: tag (2) | key id (8) | sign sk (64) | seal sk (32) | curve sk (32) | checksum (32).
     * Any changed byte past the tag, secret or checksum, is caught by the checksum. */
    for (size_t off = 2; off < 170; off++) {
        rewrite(path, good, len);
        edit_secret_blob(path, off, (uint8_t)(1u << (off % 8)));
        int rc = tx_identity_load(dir, "identity", &back);
        if (rc != TX_ERR_CHECKSUM) {
            fail_msg("byte %zu of the secret blob changed: got %s", off, tx_strerror(rc));
        }
        assert_null(back);
    }
    /* A changed algorithm tag is not our key format. */
    rewrite(path, good, len);
    edit_secret_blob(path, 0, 0x01);
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_ERR_BAD_KEY);

    rewrite(path, good, len);
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_OK);
    tx_identity_destroy(&back);
    free(good);
    tx_identity_destroy(&id);
}

static void
copy_file(const char *from, const char *to)
{
    size_t len;
    char *text = read_text(from, &len);

    assert_int_equal(tx_file_replace(to, text, len, 0644), TX_OK);
    free(text);
}

static void
test_public_mismatch(void **state)
{
    char dir[PATH_MAX], other[PATH_MAX], path[PATH_MAX], opath[PATH_MAX];
    tx_identity *id, *id2, *back = NULL;
    tx_pubkey pk;
    char text[1024];

    fresh_dir(dir, sizeof dir, "mismatch");
    fresh_dir(other, sizeof other, "mismatch-other");
    id = make_saved(dir, "Tokai Motors");
    id2 = make_saved(other, "Tokai Motors");
    file_in(path, sizeof path, dir, "identity.pub");
    file_in(opath, sizeof opath, other, "identity.pub");
    copy_file(opath, path);
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_ERR_BAD_KEY);
    assert_null(back);

    /* Mixed: our signing key with someone else's sealing or transport key. */
    pk = id->pub;
    memcpy(pk.seal, id2->pub.seal, 32);
    assert_int_equal(tx_pubkey_format(&pk, text, sizeof text), TX_OK);
    assert_int_equal(tx_file_replace(path, text, strlen(text), 0644), TX_OK);
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_ERR_BAD_KEY);
    pk = id->pub;
    memcpy(pk.curve, id2->pub.curve, 32);
    assert_int_equal(tx_pubkey_format(&pk, text, sizeof text), TX_OK);
    assert_int_equal(tx_file_replace(path, text, strlen(text), 0644), TX_OK);
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_ERR_BAD_KEY);

    /* A missing public file is reported as such. */
    assert_int_equal(unlink(path), 0);
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_ERR_NOT_FOUND);
    assert_null(back);
    tx_identity_destroy(&id);
    tx_identity_destroy(&id2);
}

static void
test_no_overwrite_no_symlink(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX], target[PATH_MAX];
    tx_identity *id, *id2, *back = NULL;
    size_t len, len2;
    char *before, *after;

    fresh_dir(dir, sizeof dir, "exists");
    id = make_saved(dir, "Tokai Motors");
    assert_int_equal(tx_identity_generate("Intruder", &id2), TX_OK);
    file_in(path, sizeof path, dir, "identity.key");
    before = read_text(path, &len);
    assert_int_equal(tx_identity_save(id2, dir, "identity"), TX_ERR_EXISTS);
    after = read_text(path, &len2);
    assert_int_equal(len, len2);
    assert_memory_equal(before, after, len);
    free(before);
    free(after);
    /* The public files were not replaced either: the pair still loads as the first identity. */
    assert_int_equal(tx_identity_load(dir, "identity", &back), TX_OK);
    assert_memory_equal(back->pub.sign, id->pub.sign, 32);
    tx_identity_destroy(&back);

    /* A symlink where the secret key goes, dangling: refused, and nothing created at its target. */
    fresh_dir(dir, sizeof dir, "symlink");
    assert_int_equal(mkdir(dir, 0700), 0);
    fresh_dir(target, sizeof target, "symlink-target.key");
    file_in(path, sizeof path, dir, "identity.key");
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(tx_identity_save(id2, dir, "identity"), TX_ERR_EXISTS);
    assert_int_equal(access(target, F_OK), -1);
    assert_int_equal(errno, ENOENT);

    /* ... and pointing at an existing file: refused, the file untouched. */
    assert_int_equal(tx_file_create(target, "keep", 4, 0600), TX_OK);
    assert_int_equal(tx_identity_save(id2, dir, "identity"), TX_ERR_EXISTS);
    before = read_text(target, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(before, "keep", 4);
    free(before);

    tx_identity_destroy(&id);
    tx_identity_destroy(&id2);
}

static void
test_pubkey_parse(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX], text[1024], hex[17];
    tx_identity *id;
    tx_pubkey pk;

    fresh_dir(dir, sizeof dir, "pubkey");
    id = make_saved(dir, "Nagoya Electronics");
    file_in(path, sizeof path, dir, "identity.pub");
    assert_int_equal(tx_pubkey_load(path, &pk), TX_OK);
    assert_memory_equal(pk.sign, id->pub.sign, 32);
    assert_memory_equal(pk.seal, id->pub.seal, 32);
    assert_memory_equal(pk.curve, id->pub.curve, 32);
    assert_string_equal(pk.name, "Nagoya Electronics");

    /* Format and parse agree. */
    assert_int_equal(tx_pubkey_format(&id->pub, text, sizeof text), TX_OK);
    assert_non_null(strstr(text, "untrusted comment: "));
    assert_int_equal(tx_pubkey_parse(text, strlen(text), &pk), TX_OK);
    assert_memory_equal(pk.sign, id->pub.sign, 32);
    assert_int_equal(tx_pubkey_format(&id->pub, text, 20), TX_ERR_USAGE);

    /* A changed signing key no longer matches the embedded key id. */
    uint8_t raw[128];
    size_t raw_len;
    assert_int_equal(tx_pubkey_format(&id->pub, text, sizeof text), TX_OK);
    char *b64 = strchr(text, '\n') + 1;
    assert_int_equal(tx_unb64(raw, sizeof raw, &raw_len, b64, strcspn(b64, "\n")), TX_OK);
    assert_int_equal(raw_len, 106);
    raw[20] ^= 0x40;
    tx_b64(b64, raw, raw_len);
    assert_int_equal(tx_pubkey_parse(text, strlen(text), &pk), TX_ERR_CHECKSUM);
    raw[20] ^= 0x40;
    raw[1] = 'y';
    tx_b64(b64, raw, raw_len);
    assert_int_equal(tx_pubkey_parse(text, strlen(text), &pk), TX_ERR_BAD_KEY);
    /* Too short and too long blobs. */
    raw[1] = 'x';
    tx_b64(b64, raw, raw_len - 1);
    assert_int_equal(tx_pubkey_parse(text, strlen(text), &pk), TX_ERR_TRUNCATED);
    raw[raw_len] = 0;
    tx_b64(b64, raw, raw_len + 1);
    assert_int_equal(tx_pubkey_parse(text, strlen(text), &pk), TX_ERR_BAD_KEY);
    /* A secret key file is not a public key. */
    file_in(path, sizeof path, dir, "identity.key");
    assert_int_equal(tx_pubkey_load(path, &pk), TX_ERR_MALFORMED);
    assert_int_equal(tx_pubkey_parse("no newline", 10, &pk), TX_ERR_TRUNCATED);
    assert_int_equal(tx_pubkey_parse("comment: x\nAAAA\n", 16, &pk), TX_ERR_MALFORMED);

    tx_key_id_hex(id->pub.sign, hex);
    assert_int_equal(strlen(hex), 16);
    assert_int_equal(strspn(hex, "0123456789abcdef"), 16);
    tx_identity_destroy(&id);
}

/* Runs cmd and returns its first output line in out; the exit status is returned. */
static int
run_line(const char *cmd, char *out, size_t n)
{
    FILE *p = popen(cmd, "r");
    int status;

    assert_non_null(p);
    out[0] = 0;
    if (fgets(out, (int)n, p) == NULL) {
        out[0] = 0;
    }
    out[strcspn(out, "\n")] = 0;
    while (fgetc(p) != EOF) {
    }
    status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
require_ssh_keygen(void)
{
    char line[256];

    if (run_line("command -v ssh-keygen", line, sizeof line) != 0) {
        fail_msg("ssh-keygen not found: install openssh-client (script/bootstrap does)");
    }
}

static void
test_fingerprint_matches_ssh_keygen(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX], cmd[PATH_MAX + 64], line[512], fp[TX_FP_LEN];
    tx_identity *id;

    require_ssh_keygen();
    for (int round = 0; round < 3; round++) {
        char name[32];
        snprintf(dir, sizeof dir, "%s/ssh-%d", tmpdir, round);
        snprintf(name, sizeof name, "Org %d", round);
        id = make_saved(dir, name);
        file_in(path, sizeof path, dir, "identity_ed25519.pub");
        snprintf(cmd, sizeof cmd, "ssh-keygen -lf '%s' 2>&1", path);
        /* "256 SHA256:... Org 0 (ED25519)" */
        assert_int_equal(run_line(cmd, line, sizeof line), 0);
        tx_fingerprint(id->pub.sign, fp);
        assert_int_equal(strlen(fp), TX_FP_LEN - 1);
        char *got = strchr(line, ' ');
        assert_non_null(got);
        got++;
        if (strncmp(got, fp, strlen(fp)) != 0 || got[strlen(fp)] != ' ') {
            fail_msg("ssh-keygen printed \"%s\", tx_fingerprint gave %s", line, fp);
        }
        assert_non_null(strstr(line, name));
        assert_non_null(strstr(line, "(ED25519)"));
        tx_identity_destroy(&id);
    }
}

static void
test_ssh_pubkey_line(void **state)
{
    char path[PATH_MAX], cmd[PATH_MAX + 64], line[512], ssh[512], fp[TX_FP_LEN];
    tx_identity *id;

    require_ssh_keygen();
    assert_int_equal(tx_identity_generate("Mikawa Precision", &id), TX_OK);
    assert_int_equal(tx_ssh_pubkey(id->pub.sign, "mikawa@example", ssh, sizeof ssh), TX_OK);
    assert_int_equal(strncmp(ssh, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", 37), 0);
    assert_int_equal(tx_ssh_pubkey(id->pub.sign, "x", ssh, 40), TX_ERR_USAGE);
    assert_int_equal(tx_ssh_pubkey(id->pub.sign, "mikawa@example", ssh, sizeof ssh), TX_OK);
    strcat(ssh, "\n");
    assert_int_equal(tx_path_join(path, sizeof path, tmpdir, "line.pub"), TX_OK);
    assert_int_equal(tx_file_create(path, ssh, strlen(ssh), 0644), TX_OK);
    snprintf(cmd, sizeof cmd, "ssh-keygen -l -f '%s' 2>&1", path);
    assert_int_equal(run_line(cmd, line, sizeof line), 0);
    tx_fingerprint(id->pub.sign, fp);
    assert_non_null(strstr(line, fp));
    assert_non_null(strstr(line, "mikawa@example"));

    /* A damaged line is refused by ssh-keygen: the check above is not vacuous. */
    ssh[20] = ssh[20] == 'A' ? 'B' : 'A';
    assert_int_equal(tx_file_replace(path, ssh, strlen(ssh), 0644), TX_OK);
    assert_int_not_equal(run_line(cmd, line, sizeof line), 0);
    tx_identity_destroy(&id);
}

static void
test_name_with_newline(void **state)
{
    tx_identity *id = NULL;

    /* The name goes into the comment line of every key file; a line break would split it and
     * leave a key file that never loads again. */
    assert_int_equal(tx_identity_generate("Tokai\nMotors", &id), TX_ERR_USAGE);
    assert_null(id);
    assert_int_equal(tx_identity_generate("Tokai\rMotors", &id), TX_ERR_USAGE);
    assert_int_equal(tx_identity_generate("bad \xff utf-8", &id), TX_ERR_USAGE);
    assert_null(id);

    /* Names are never cut (a cut could end inside a UTF-8 sequence): too long is refused. */
    char name[TX_NAME_MAX + 1];
    memset(name, 'n', TX_NAME_MAX);
    name[TX_NAME_MAX] = 0;
    assert_int_equal(tx_identity_generate(name, &id), TX_ERR_USAGE);
    name[TX_NAME_MAX - 1] = 0;
    assert_int_equal(tx_identity_generate(name, &id), TX_OK);
    assert_string_equal(id->pub.name, name);
    tx_identity_destroy(&id);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_world_readable_refused),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_checksum),
        cmocka_unit_test(test_public_mismatch),
        cmocka_unit_test(test_no_overwrite_no_symlink),
        cmocka_unit_test(test_pubkey_parse),
        cmocka_unit_test(test_fingerprint_matches_ssh_keygen),
        cmocka_unit_test(test_ssh_pubkey_line),
        cmocka_unit_test(test_name_with_newline),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}

/* A directory of pinned public keys in a home (see tx_pins.h). */
#include "tx_pins.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_log.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAX_KEY_FILE 4096

int
tx_pins_path(const tx_pins *p, const char *home_dir, const char *file, char *out, size_t n)
{
    int w = file != NULL ? snprintf(out, n, "%s/%s/%s", home_dir, p->dir, file)
                         : snprintf(out, n, "%s/%s", home_dir, p->dir);

    return (w < 0 || (size_t)w >= n) ? tx_fail(TX_ERR_USAGE, "home path too long") : TX_OK;
}

int
tx_pins_load(const char *path, tx_pubkey *out)
{
    uint8_t *text = NULL;
    size_t len = 0;
    int rc = tx_file_read(path, MAX_KEY_FILE, &text, &len);

    if (rc == TX_OK) {
        rc = tx_pubkey_parse((const char *)text, len, out);
    }
    free(text);
    return rc;
}

int
tx_pins_add(const tx_pins *p, const char *home_dir, const tx_pubkey *pk, const char *file,
            int *added)
{
    char dir[PATH_MAX], path[PATH_MAX], name[32], kid[17], text[1024];
    tx_pubkey old;
    int rc;

    *added = 0;
    if (sodium_init() < 0) { /* tx_pubkey_format uses sodium_malloc */
        return tx_fail(TX_ERR_CRYPTO, "cannot initialise libsodium");
    }
    tx_key_id_hex(pk->sign, kid);
    snprintf(name, sizeof name, "%s.pub", kid);
    if ((rc = tx_pins_path(p, home_dir, NULL, dir, sizeof dir)) != TX_OK ||
        (rc = tx_pins_path(p, home_dir, name, path, sizeof path)) != TX_OK) {
        return rc;
    }
    if (tx_pins_load(path, &old) == TX_OK) {
        if (memcmp(old.sign, pk->sign, sizeof pk->sign) == 0 &&
            (!p->by_name || strcmp(old.name, pk->name) == 0)) {
            return TX_OK;
        }
        return TX_ERR_EXISTS;
    }
    if (tx_mkdir_private(dir) != TX_OK) {
        return tx_fail(TX_ERR_IO, "cannot create %s: %s", dir, strerror(errno));
    }
    if ((rc = tx_pubkey_format(pk, text, sizeof text)) != TX_OK) {
        return tx_fail(rc, "cannot format the key of %s", file);
    }
    if ((rc = tx_file_replace(path, text, strlen(text), 0644)) != TX_OK) {
        return tx_fail(rc, "cannot write %s: %s", path, strerror(errno));
    }
    *added = 1;
    return TX_OK;
}

static int
is_key_file_name(const char *s)
{
    return strlen(s) == 20 && strspn(s, "0123456789abcdef") == 16 && strcmp(s + 16, ".pub") == 0;
}

static int
by_key_id(const void *pa, const void *pb)
{
    char a[17], b[17];

    tx_key_id_hex(((const tx_pubkey *)pa)->sign, a);
    tx_key_id_hex(((const tx_pubkey *)pb)->sign, b);
    return strcmp(a, b);
}

int
tx_pins_list(const tx_pins *p, const char *home_dir, tx_pubkey **keys, size_t *n)
{
    char dir[PATH_MAX], path[PATH_MAX];
    struct dirent *de;
    tx_pubkey *v = NULL;
    size_t count = 0;
    DIR *d;
    int rc;

    *keys = NULL;
    *n = 0;
    if ((rc = tx_pins_path(p, home_dir, NULL, dir, sizeof dir)) != TX_OK) {
        return rc;
    }
    if ((d = opendir(dir)) == NULL) {
        return errno == ENOENT ? TX_OK : tx_fail(TX_ERR_IO, "cannot read %s", dir);
    }
    while ((de = readdir(d)) != NULL) {
        tx_pubkey pk, *nv;
        char kid[17];

        if (!is_key_file_name(de->d_name) || count >= p->max) {
            continue;
        }
        if (tx_path_join(path, sizeof path, dir, de->d_name) != TX_OK ||
            tx_pins_load(path, &pk) != TX_OK || (p->key_ok != NULL && !p->key_ok(&pk))) {
            tx_warn(_("ignoring %s: not a %s"), path, _(p->what));
            continue;
        }
        tx_key_id_hex(pk.sign, kid);
        if (strncmp(kid, de->d_name, 16) != 0) {
            tx_warn(_("ignoring %s: it holds the key %s"), path, kid);
            continue;
        }
        if ((nv = realloc(v, (count + 1) * sizeof *v)) == NULL) {
            free(v);
            closedir(d);
            return TX_ERR_NOMEM;
        }
        v = nv;
        v[count++] = pk;
    }
    closedir(d);
    if (count > 1) {
        qsort(v, count, sizeof *v, by_key_id);
    }
    *keys = v;
    *n = count;
    return TX_OK;
}

int
tx_pins_remove(const tx_pins *p, const char *home_dir, const char *which, tx_pubkey *out)
{
    tx_pubkey *keys = NULL, pk;
    size_t n = 0;
    char kid[17] = "", fp[TX_FP_LEN], file[32], path[PATH_MAX];
    int rc;

    if ((rc = tx_pins_list(p, home_dir, &keys, &n)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < n && kid[0] == 0; i++) {
        char k[17];
        tx_key_id_hex(keys[i].sign, k);
        tx_fingerprint(keys[i].sign, fp);
        if (strcasecmp(k, which) == 0 || strcmp(fp, which) == 0 ||
            (p->by_name && strcmp(keys[i].name, which) == 0)) {
            memcpy(kid, k, sizeof kid);
            pk = keys[i];
        }
    }
    if (kid[0] == 0 && p->by_file && tx_pins_load(which, &pk) == TX_OK) {
        tx_key_id_hex(pk.sign, kid);
    }
    free(keys);
    snprintf(file, sizeof file, "%s.pub", kid);
    if (kid[0] == 0 || tx_pins_path(p, home_dir, file, path, sizeof path) != TX_OK ||
        access(path, F_OK) != 0) {
        return TX_ERR_NOT_FOUND;
    }
    if (unlink(path) != 0) {
        return tx_fail(TX_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
    }
    if (out != NULL) {
        *out = pk;
    }
    return TX_OK;
}

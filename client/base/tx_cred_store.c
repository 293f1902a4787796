/* Declared credentials in the home: one JSON file per credential and its document beside it,
 * both 0600 in credentials/ (0700). Read back with size limits and every field checked, as
 * the files could have been edited by hand. */
#include "tx_cred_store.h"

#include "tx_error.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *
tx_cred_media_type(const uint8_t *b, size_t len)
{
    if (len >= 5 && memcmp(b, "%PDF-", 5) == 0) {
        return "application/pdf";
    }
    if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0) {
        return "image/png";
    }
    if (len >= 3 && memcmp(b, "\xff\xd8\xff", 3) == 0) {
        return "image/jpeg";
    }
    return NULL;
}

void
tx_cred_make_id(const tx_cred_decl *c, char *out, size_t n)
{
    size_t j = 0;

    if (c->number[0] == 0) {
        snprintf(out, n, "%s-%s", c->scheme, c->state);
        return;
    }
    for (const char *p = c->number; *p && j + 1 < n && j < 80; p++) {
        char ch = *p;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '.' || ch == '_' || ch == '-';
        out[j++] = ok ? ch : '_';
    }
    out[j] = 0;
    if (out[0] == '.') {
        out[0] = '_'; /* never a hidden file, never ".." */
    }
}

static int
cred_dir(tx_home *home, char *out, size_t n)
{
    return tx_path_join(out, n, tx_home_dir(home), "credentials");
}

static int
cred_file(tx_home *home, const char *id, const char *ext, char *out, size_t n)
{
    char dir[PATH_MAX], name[160];

    snprintf(name, sizeof name, "%s%s", id, ext);
    if (cred_dir(home, dir, sizeof dir) != TX_OK) {
        return TX_ERR_USAGE;
    }
    return tx_path_join(out, n, dir, name);
}

json_t *
tx_cred_decl_json(const tx_cred_decl *c)
{
    json_t *j = json_object();

    json_object_set_new(j, "id", json_string(c->id));
    json_object_set_new(j, "scheme", json_string(c->scheme));
    json_object_set_new(j, "state", json_string(c->state));
    json_object_set_new(j, "number", tx_json_str(c->number));
    json_object_set_new(j, "body", tx_json_str(c->body));
    json_object_set_new(j, "holder_name", tx_json_str(c->holder_name));
    json_object_set_new(j, "corporate_number", tx_json_str(c->corporate_number));
    json_object_set_new(j, "scope", tx_json_str(c->scope));
    json_object_set_new(j, "standard", tx_json_str(c->standard));
    json_object_set_new(j, "issued", tx_json_date(c->issued));
    json_object_set_new(j, "expires", tx_json_date(c->expires));
    json_object_set_new(j, "last_report", tx_json_date(c->last_report));
    json_object_set_new(j, "expected", tx_json_date(c->expected));
    json_object_set_new(j, "renews", tx_json_str(c->renews));
    json_object_set_new(j, "document", tx_json_str(c->document));
    json_object_set_new(j, "media_type", tx_json_str(c->media_type));
    return j;
}

/* One string member into dst: absent or null is "", anything else must be a string that fits
 * and is UTF-8. */
static int
get_str(json_t *j, const char *key, char *dst, size_t n, const char *path)
{
    json_t *v = json_object_get(j, key);
    const char *s;

    dst[0] = 0;
    if (v == NULL || json_is_null(v)) {
        return TX_OK;
    }
    if (!json_is_string(v) || strlen(s = json_string_value(v)) >= n ||
        !tx_utf8_valid(s, strlen(s))) {
        return tx_fail(TX_ERR_MALFORMED,
                       "%s: \"%s\" is not a string of at most %zu bytes: remove the credential "
                       "and add it again",
                       path, key, n - 1);
    }
    memcpy(dst, s, strlen(s) + 1);
    return TX_OK;
}

static int
get_date(json_t *j, const char *key, int64_t *t, const char *path)
{
    json_t *v = json_object_get(j, key);

    *t = 0;
    if (v == NULL || json_is_null(v)) {
        return TX_OK;
    }
    if (!json_is_string(v) || tx_parse_time(json_string_value(v), t) != TX_OK) {
        tx_fail_clear();
        return tx_fail(TX_ERR_MALFORMED, "%s: \"%s\" is not a date YYYY-MM-DD", path, key);
    }
    return TX_OK;
}

int
tx_cred_parse(const uint8_t *b, size_t len, const char *path, tx_cred_decl *c)
{
    json_error_t err;
    json_t *j;
    int rc;

    memset(c, 0, sizeof *c);
    if (len > TX_CRED_JSON_MAX) {
        return tx_fail(TX_ERR_TOO_LARGE, "%s: larger than %d bytes: remove it", path,
                       TX_CRED_JSON_MAX);
    }
    j = json_loadb((const char *)b, len, JSON_REJECT_DUPLICATES, &err);
    if (j == NULL || !json_is_object(j)) {
        json_decref(j);
        return tx_fail(TX_ERR_MALFORMED, "%s: not a credential (JSON object): remove it", path);
    }
    (void)((rc = get_str(j, "id", c->id, sizeof c->id, path)) != TX_OK ||
           (rc = get_str(j, "scheme", c->scheme, sizeof c->scheme, path)) != TX_OK ||
           (rc = get_str(j, "state", c->state, sizeof c->state, path)) != TX_OK ||
           (rc = get_str(j, "number", c->number, sizeof c->number, path)) != TX_OK ||
           (rc = get_str(j, "body", c->body, sizeof c->body, path)) != TX_OK ||
           (rc = get_str(j, "holder_name", c->holder_name, sizeof c->holder_name, path)) != TX_OK ||
           (rc = get_str(j, "corporate_number", c->corporate_number, sizeof c->corporate_number,
                         path)) != TX_OK ||
           (rc = get_str(j, "scope", c->scope, sizeof c->scope, path)) != TX_OK ||
           (rc = get_str(j, "standard", c->standard, sizeof c->standard, path)) != TX_OK ||
           (rc = get_str(j, "renews", c->renews, sizeof c->renews, path)) != TX_OK ||
           (rc = get_str(j, "document", c->document, sizeof c->document, path)) != TX_OK ||
           (rc = get_str(j, "media_type", c->media_type, sizeof c->media_type, path)) != TX_OK ||
           (rc = get_date(j, "issued", &c->issued, path)) != TX_OK ||
           (rc = get_date(j, "expires", &c->expires, path)) != TX_OK ||
           (rc = get_date(j, "last_report", &c->last_report, path)) != TX_OK ||
           (rc = get_date(j, "expected", &c->expected, path)) != TX_OK);
    json_decref(j);
    if (rc == TX_OK && (c->id[0] == 0 || c->scheme[0] == 0 || c->state[0] == 0 ||
                        strchr(c->document, '/') != NULL || c->document[0] == '.')) {
        rc = tx_fail(TX_ERR_MALFORMED, "%s: id, scheme or state missing, or a bad document name",
                     path);
    }
    return rc;
}

int
tx_cred_save(tx_home *home, tx_cred_decl *c, const char *doc_path)
{
    char dir[PATH_MAX], path[PATH_MAX], doc[PATH_MAX];
    uint8_t *bytes = NULL;
    size_t len = 0;
    const char *mt = NULL, *ext = NULL;
    char *text;
    int rc;

    tx_cred_make_id(c, c->id, sizeof c->id);
    c->document[0] = c->media_type[0] = 0;
    if (doc_path != NULL) {
        rc = tx_file_read(doc_path, TX_CRED_DOC_MAX, &bytes, &len);
        if (rc == TX_ERR_TOO_LARGE) {
            return tx_fail(rc, "--document %s: larger than %u MiB, the limit of an evidence file",
                           doc_path, TX_CRED_DOC_MAX >> 20);
        }
        if (rc != TX_OK) {
            return rc;
        }
        if ((mt = tx_cred_media_type(bytes, len)) == NULL) {
            free(bytes);
            return tx_fail(TX_ERR_USAGE,
                           "--document %s: not a PDF, PNG or JPEG file (by its first bytes): "
                           "give the certificate as a PDF or an image",
                           doc_path);
        }
        ext = strcmp(mt, "application/pdf") == 0 ? ".pdf"
              : strcmp(mt, "image/png") == 0     ? ".png"
                                                 : ".jpg";
        snprintf(c->document, sizeof c->document, "%s%s", c->id, ext);
        snprintf(c->media_type, sizeof c->media_type, "%s", mt);
    }
    if ((rc = cred_dir(home, dir, sizeof dir)) != TX_OK || (rc = tx_mkdir_private(dir)) != TX_OK ||
        (rc = cred_file(home, c->id, ".json", path, sizeof path)) != TX_OK) {
        free(bytes);
        return rc;
    }
    if (access(path, F_OK) == 0) {
        free(bytes);
        return tx_fail(TX_ERR_EXISTS,
                       "credential %s is declared already: ticsx credential remove %s first", c->id,
                       c->id);
    }
    if (bytes != NULL) {
        if ((rc = tx_path_join(doc, sizeof doc, dir, c->document)) != TX_OK ||
            (rc = tx_file_replace(doc, bytes, len, 0600)) != TX_OK) {
            free(bytes);
            return rc;
        }
        free(bytes);
    }
    json_t *j = tx_cred_decl_json(c);
    text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (text == NULL) {
        return TX_ERR_NOMEM;
    }
    rc = tx_file_create(path, text, strlen(text), 0600);
    free(text);
    return rc;
}

static int
by_id(const void *a, const void *b)
{
    return strcmp(((const tx_cred_decl *)a)->id, ((const tx_cred_decl *)b)->id);
}

int
tx_cred_load_all(tx_home *home, tx_cred_decl **v, size_t *n)
{
    char dir[PATH_MAX], path[PATH_MAX];
    struct dirent *de;
    DIR *d;
    int rc = TX_OK;

    *v = NULL;
    *n = 0;
    if ((rc = cred_dir(home, dir, sizeof dir)) != TX_OK) {
        return rc;
    }
    if ((d = opendir(dir)) == NULL) {
        return errno == ENOENT ? TX_OK
                               : tx_fail(TX_ERR_IO, "cannot read %s: %s", dir, strerror(errno));
    }
    while (rc == TX_OK && (de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        uint8_t *b;
        size_t len;
        tx_cred_decl *nv;

        if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".json") != 0) {
            continue;
        }
        if (*n >= TX_CRED_MAX) {
            rc = tx_fail(TX_ERR_TOO_LARGE, "%s: more than %d credentials", dir, TX_CRED_MAX);
            break;
        }
        if ((rc = tx_path_join(path, sizeof path, dir, de->d_name)) != TX_OK ||
            (rc = tx_file_read(path, TX_CRED_JSON_MAX, &b, &len)) != TX_OK) {
            break;
        }
        if ((nv = realloc(*v, (*n + 1) * sizeof **v)) == NULL) {
            free(b);
            rc = TX_ERR_NOMEM;
            break;
        }
        *v = nv;
        rc = tx_cred_parse(b, len, path, &(*v)[*n]);
        free(b);
        if (rc == TX_OK) {
            (*n)++;
        }
    }
    closedir(d);
    if (rc != TX_OK) {
        free(*v);
        *v = NULL;
        *n = 0;
        return rc;
    }
    if (*n > 1) {
        qsort(*v, *n, sizeof **v, by_id);
    }
    return TX_OK;
}

int
tx_cred_find(tx_home *home, const char *key, tx_cred_decl *out)
{
    tx_cred_decl *v;
    size_t n;
    int rc;

    if ((rc = tx_cred_load_all(home, &v, &n)) != TX_OK) {
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].id, key) == 0 || (v[i].number[0] && strcmp(v[i].number, key) == 0)) {
            *out = v[i];
            free(v);
            return TX_OK;
        }
    }
    free(v);
    return tx_fail(TX_ERR_NOT_FOUND,
                   "no declared credential %s: ticsx credential list shows the ones there are",
                   key);
}

int
tx_cred_doc_path(tx_home *home, const tx_cred_decl *c, char *out, size_t n)
{
    char dir[PATH_MAX];

    if (c->document[0] == 0) {
        return TX_ERR_NOT_FOUND;
    }
    if (cred_dir(home, dir, sizeof dir) != TX_OK) {
        return TX_ERR_USAGE;
    }
    return tx_path_join(out, n, dir, c->document);
}

int
tx_cred_remove(tx_home *home, const char *key)
{
    tx_cred_decl c;
    char path[PATH_MAX];
    int rc;

    if ((rc = tx_cred_find(home, key, &c)) != TX_OK) {
        return rc;
    }
    if (tx_cred_doc_path(home, &c, path, sizeof path) == TX_OK && unlink(path) != 0 &&
        errno != ENOENT) {
        return tx_fail(TX_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
    }
    if ((rc = cred_file(home, c.id, ".json", path, sizeof path)) != TX_OK) {
        return rc;
    }
    if (unlink(path) != 0) {
        return tx_fail(TX_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
    }
    return TX_OK;
}

void
tx_cred_to_pb(const tx_cred_decl *c, tx_credential_pb *pb, char **evidence_slot)
{
    tx_credential_pb init = TICSX__V1__CREDENTIAL__INIT;

    *pb = init;
    pb->scheme = (char *)c->scheme;
    pb->state = (char *)c->state;
    pb->number = (char *)c->number;
    pb->body = (char *)c->body;
    pb->holder_name = (char *)c->holder_name;
    pb->corporate_number = (char *)c->corporate_number;
    pb->scope = (char *)c->scope;
    pb->standard = (char *)c->standard;
    pb->issued = c->issued;
    pb->expires = c->expires;
    pb->last_report = c->last_report;
    pb->expected = c->expected;
    pb->renews = (char *)c->renews;
    if (c->document[0]) {
        evidence_slot[0] = (char *)c->document;
        pb->evidence = evidence_slot;
        pb->n_evidence = 1;
    }
}

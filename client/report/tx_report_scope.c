/* The report's scopes, one per questionnaire id, and the main questionnaire's home file. */
#include "tx_report_scope.h"

#include "tx_error.h"
#include "tx_idmap.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAIN_FILE "main-questionnaire"

/* The questionnaire id of verdict i: its own questionnaire's, else that of another verdict of
 * the same record (`by_record`: record -> a verdict with q); NULL when unknown. */
static const char *
qid_of(const tx_verdicts *all, const tx_idmap *by_record, size_t i)
{
    const tx_verdict *v = &all->v[i];
    const size_t *at;

    if (v->q != NULL) {
        return v->q->id;
    }
    at = v->seq != 0 ? tx_idmap_get(by_record, v->questionnaire) : NULL;
    return at != NULL ? all->v[*at].q->id : NULL;
}

static int
by_id(const void *pa, const void *pb)
{
    const tx_report_scope *a = pa, *b = pb;

    /* The unreadable scope ("") last. */
    if (a->id[0] == 0 || b->id[0] == 0) {
        return (a->id[0] == 0) - (b->id[0] == 0);
    }
    return strcmp(a->id, b->id);
}

/* The scope of id (NULL: unreadable) among s[0..*n), added when `add` and missing. */
static tx_report_scope *
scope_for(tx_report_scope *s, size_t *n, const char *id, int add)
{
    const char *key = id != NULL ? id : "";

    for (size_t k = 0; k < *n; k++) {
        if (strcmp(s[k].id, key) == 0) {
            return &s[k];
        }
    }
    if (!add) {
        return NULL;
    }
    snprintf(s[*n].id, sizeof s[*n].id, "%s", key);
    return &s[(*n)++];
}

static void
scope_add(tx_report_scope *s, const tx_verdicts *all, const tx_verdict *v)
{
    s->vs.v[s->vs.n++] = *v;
    if (v->q != NULL && (s->q == NULL || v->q->version > s->q->version)) {
        s->q = v->q;
        s->record = v->questionnaire;
    }
    s->vs.policy = all->policy;
    s->vs.unproven = all->unproven;
}

int
tx_report_scopes(const tx_verdicts *all, const char *only, tx_report_scope **out, size_t *n)
{
    tx_report_scope *s = calloc(all->n + 1, sizeof *s);
    tx_idmap by_record = {0};
    const char **ids = calloc(all->n + 1, sizeof *ids);
    size_t count = 0, unknown = 0;

    *out = NULL;
    *n = 0;
    for (size_t i = 0; s != NULL && ids != NULL && i < all->n; i++) {
        if (all->v[i].q != NULL &&
            tx_idmap_put(&by_record, all->v[i].questionnaire, i, NULL) == NULL) {
            goto nomem;
        }
    }
    if (s == NULL || ids == NULL) {
        goto nomem;
    }
    /* The scopes: `only`, else each questionnaire id answered; the one with no id only when
     * none is known (every verdict unreadable, or none at all: the tree of what was asked). */
    if (only != NULL) {
        scope_for(s, &count, only, 1);
    }
    for (size_t i = 0; i < all->n; i++) {
        ids[i] = qid_of(all, &by_record, i);
        if (only == NULL && ids[i] != NULL) {
            scope_for(s, &count, ids[i], 1);
        }
    }
    if (count == 0) {
        scope_for(s, &count, NULL, 1);
    }
    /* Count each scope's verdicts, then copy them in; an unreadable verdict (revoked or failed
     * before its questionnaire was read) is in every scope. */
    for (size_t i = 0; i < all->n; i++) {
        tx_report_scope *sc;
        if (ids[i] == NULL) {
            unknown++;
        } else if ((sc = scope_for(s, &count, ids[i], 0)) != NULL) {
            sc->vs.n++;
        }
    }
    for (size_t k = 0; k < count; k++) {
        if ((s[k].vs.v = calloc(s[k].vs.n + unknown + 1, sizeof *s[k].vs.v)) == NULL) {
            tx_report_scopes_free(s, count);
            s = NULL;
            goto nomem;
        }
        s[k].vs.n = 0;
        s[k].vs.policy = all->policy;
        s[k].vs.unproven = all->unproven;
    }
    for (size_t i = 0; i < all->n; i++) {
        tx_report_scope *sc;
        if (ids[i] == NULL) {
            for (size_t k = 0; k < count; k++) {
                scope_add(&s[k], all, &all->v[i]);
            }
        } else if ((sc = scope_for(s, &count, ids[i], 0)) != NULL) {
            scope_add(sc, all, &all->v[i]);
        }
    }
    qsort(s, count, sizeof *s, by_id);
    tx_idmap_free(&by_record);
    free(ids);
    *out = s;
    *n = count;
    return TX_OK;
nomem:
    tx_idmap_free(&by_record);
    free(ids);
    free(s);
    return TX_ERR_NOMEM;
}

void
tx_report_scopes_free(tx_report_scope *s, size_t n)
{
    for (size_t k = 0; s != NULL && k < n; k++) {
        free(s[k].vs.v);
    }
    free(s);
}

json_t *
tx_report_scope_json(const tx_report_scope *s)
{
    const tx_questionnaire_pb *q = s->q;

    if (s->id[0] == 0) {
        return json_null();
    }
    if (q == NULL) {
        return json_pack("{s:n,s:s,s:n,s:n,s:n}", "record", "id", s->id, "version", "title",
                         "provenance");
    }
    return json_pack(
        "{s:o,s:s,s:I,s:o,s:o}", "record", tx_json_hex(s->record, TX_ID_LEN), "id", q->id,
        "version", (json_int_t)q->version, "title", tx_json_text(q->title), "provenance",
        tx_questionnaire_has_provenance(q) ? tx_json_text(q->provenance) : json_null());
}

int
tx_report_qid_check(const char *id)
{
    if (strlen(id) > TX_QUESTIONNAIRE_ID_MAX || !tx_questionnaire_id_valid(id)) {
        return tx_fail(TX_ERR_USAGE,
                       "%s: a questionnaire id is 1 to %d letters, digits, '.', '_' or '-'", id,
                       TX_QUESTIONNAIRE_ID_MAX);
    }
    return TX_OK;
}

static int
main_path(tx_home *home, char *path, size_t n)
{
    return tx_path_join(path, n, tx_home_dir(home), MAIN_FILE);
}

int
tx_report_main_get(tx_home *home, char id[TX_QUESTIONNAIRE_ID_MAX + 1])
{
    char path[4096];
    uint8_t *text = NULL;
    size_t len = 0;
    int rc;

    id[0] = 0;
    if ((rc = main_path(home, path, sizeof path)) != TX_OK) {
        return rc;
    }
    rc = tx_file_read(path, TX_QUESTIONNAIRE_ID_MAX + 2, &text, &len);
    if (rc == TX_ERR_NOT_FOUND) {
        tx_fail_clear();
        return TX_OK;
    }
    if (rc == TX_OK) {
        while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r')) {
            text[--len] = 0;
        }
        if (len > TX_QUESTIONNAIRE_ID_MAX || !tx_questionnaire_id_valid((const char *)text)) {
            rc = tx_fail(TX_ERR_MALFORMED,
                         "%s: not a questionnaire id: set it again with ticsx questionnaire main",
                         path);
        } else {
            memcpy(id, text, len + 1);
        }
    } else if (rc == TX_ERR_TOO_LARGE) {
        rc =
            tx_fail(TX_ERR_MALFORMED,
                    "%s: not a questionnaire id: set it again with ticsx questionnaire main", path);
    }
    free(text);
    return rc;
}

int
tx_report_main_set(tx_home *home, const char *id)
{
    char path[4096], line[TX_QUESTIONNAIRE_ID_MAX + 2];
    int rc;

    if ((rc = main_path(home, path, sizeof path)) != TX_OK) {
        return rc;
    }
    if (id == NULL) {
        if (unlink(path) != 0 && errno != ENOENT) {
            return tx_fail(TX_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
        }
        return TX_OK;
    }
    if ((rc = tx_report_qid_check(id)) != TX_OK) {
        return rc;
    }
    snprintf(line, sizeof line, "%s\n", id);
    return tx_file_replace(path, line, strlen(line), 0600);
}

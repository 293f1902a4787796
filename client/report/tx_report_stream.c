/* The streamed report JSON (tx_report_stream.h). */
#include "tx_report_stream.h"
#include "tx_report.h"
#include "tx_report_items.h"

#include "tx_error.h"
#include "tx_idmap.h"
#include "tx_json.h"
#include "tx_json_write.h"
#include "tx_util.h"

#include <stdlib.h>
#include <string.h>

/* Two spaces per level, in one write (the document is at most a few levels deep). */
static void
indent(FILE *f, int depth)
{
    static const char spaces[] = "                ";

    for (int left = 2 * depth; left > 0; left -= (int)sizeof spaces - 1) {
        fwrite_unlocked(spaces, 1,
                        left < (int)sizeof spaces - 1 ? (size_t)left : sizeof spaces - 1, f);
    }
}

int
tx_report_stream_value(FILE *f, const json_t *v, int depth)
{
    return tx_json_write_value(f, v, TX_REPORT_JSON_FLAGS, depth);
}

/* `v` on one line (", " and ": " between members): rows' members and nodes' members. */
static int
put_line(FILE *f, const json_t *v)
{
    return tx_json_write_value(f, v, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6), 0);
}

/* ",\n" (not first) then `"key": ` at depth. */
static void
put_key(FILE *f, const char *key, int depth, int *first)
{
    fputs_unlocked(*first ? "\n" : ",\n", f);
    *first = 0;
    indent(f, depth);
    fputc_unlocked('"', f);
    fputs_unlocked(key, f); /* our own member names: nothing to escape */
    fputs_unlocked("\": ", f);
}

/* The questionnaires the rows answer, each once: format 2's "questionnaires". */
static int
put_catalogues(FILE *f, const tx_report_row *rows, size_t n, int depth)
{
    tx_idmap seen = {0};
    int first = 1, rc = TX_OK;

    fputc_unlocked('[', f);
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        const tx_verdict *v = rows[i].v;
        int added;
        json_t *c;
        if (v->q == NULL) {
            continue;
        }
        if (tx_idmap_put(&seen, v->questionnaire, i, &added) == NULL) {
            rc = TX_ERR_NOMEM;
        } else if (added) {
            fputs_unlocked(first ? "\n" : ",\n", f);
            first = 0;
            indent(f, depth + 1);
            if ((c = tx_report_catalogue_json(v->questionnaire, v->q)) == NULL) {
                rc = TX_ERR_NOMEM;
            } else {
                rc = tx_report_stream_value(f, c, depth + 1);
                json_decref(c);
            }
        }
    }
    tx_idmap_free(&seen);
    if (!first) {
        fputc_unlocked('\n', f);
        indent(f, depth);
    }
    fputc_unlocked(']', f);
    return rc;
}

/* One row: each member on a line, then "items" (its answers, one line each). */
static int
put_row(FILE *f, json_t *row, const tx_report_row *r, int depth)
{
    const tx_verdict *v = r->v;
    size_t n_items = r->scored ? v->q->n_items : 0;
    json_t *val;
    const char *key;
    int first = 1, rc = TX_OK;

    fputc_unlocked('{', f);
    json_object_foreach(row, key, val)
    {
        put_key(f, key, depth + 1, &first);
        if ((rc = put_line(f, val)) != TX_OK) {
            return rc;
        }
    }
    put_key(f, "items", depth + 1, &first);
    fputc_unlocked('[', f);
    for (size_t i = 0; i < n_items && rc == TX_OK; i++) {
        fputs_unlocked(i ? ",\n" : "\n", f);
        indent(f, depth + 2);
        rc = tx_report_answer_write(f, v->q, i, v->inner->answers, v->inner->n_answers);
    }
    if (n_items > 0) {
        fputc_unlocked('\n', f);
        indent(f, depth + 1);
    }
    fputs_unlocked("]\n", f);
    indent(f, depth);
    fputc_unlocked('}', f);
    return rc;
}

static int
put_rows(FILE *f, json_t *sups, const tx_report_row *rows, size_t n, int depth)
{
    int rc = TX_OK;

    fputc_unlocked('[', f);
    for (size_t i = 0; i < n && i < json_array_size(sups) && rc == TX_OK; i++) {
        fputs_unlocked(i ? ",\n" : "\n", f);
        indent(f, depth + 1);
        rc = put_row(f, json_array_get(sups, i), &rows[i], depth + 1);
        json_array_set_new(sups, i, json_null()); /* written: freed */
    }
    if (n > 0) {
        fputc_unlocked('\n', f);
        indent(f, depth);
    }
    fputc_unlocked(']', f);
    return rc;
}

/* A node that is a supplier row: "row" (its position in "suppliers") and what is the node's
 * own; any other node in full with "row": null. One line. */
static int
put_node(FILE *f, json_t *node, const tx_idmap *by_key)
{
    static const char *const own[] = {"name",     "fingerprint", "key",          "tier",
                                      "parents",  "supplies",    "answer_state", "flags",
                                      "age_days", "current",     "certified",    "policy"};
    const char *hex = json_string_value(json_object_get(node, "key")), *name;
    uint8_t key[TX_KEY_LEN];
    const size_t *at = NULL;
    json_t *m;
    int rc = TX_OK;

    if (!json_is_null(json_object_get(node, "status")) && hex != NULL &&
        tx_unhex(key, TX_KEY_LEN, hex) == TX_OK) {
        at = tx_idmap_get(by_key, key);
    }
    if (at == NULL) {
        fputs_unlocked("{\"row\": null", f);
        json_object_foreach(node, name, m)
        {
            if (rc == TX_OK) {
                fputs_unlocked(", ", f);
                rc = tx_json_write_string(f, name);
                fputs_unlocked(": ", f);
                rc = rc == TX_OK ? put_line(f, m) : rc;
            }
        }
    } else {
        fputs_unlocked("{\"row\": ", f);
        tx_json_write_int(f, (int64_t)*at);
        for (size_t k = 0; k < TX_ARRAY_LEN(own) && rc == TX_OK; k++) {
            if ((m = json_object_get(node, own[k])) != NULL) {
                fputs_unlocked(", \"", f);
                fputs_unlocked(own[k], f); /* our own member names: nothing to escape */
                fputs_unlocked("\": ", f);
                rc = put_line(f, m);
            }
        }
    }
    fputc_unlocked('}', f);
    return rc;
}

static int
put_nodes(FILE *f, json_t *nodes, const tx_report_row *rows, size_t n, int depth)
{
    tx_idmap by_key = {0};
    int rc = TX_OK;
    size_t i;
    json_t *node;

    for (size_t k = 0; k < n && rc == TX_OK; k++) {
        if (tx_idmap_put(&by_key, rows[k].v->supplier, k, NULL) == NULL) {
            rc = TX_ERR_NOMEM;
        }
    }
    fputc_unlocked('[', f);
    json_array_foreach(nodes, i, node)
    {
        if (rc != TX_OK) {
            break;
        }
        fputs_unlocked(i ? ",\n" : "\n", f);
        indent(f, depth + 1);
        rc = put_node(f, node, &by_key);
        json_array_set_new(nodes, i, json_null());
    }
    if (json_array_size(nodes) > 0) {
        fputc_unlocked('\n', f);
        indent(f, depth);
    }
    fputc_unlocked(']', f);
    tx_idmap_free(&by_key);
    return rc;
}

int
tx_report_stream_doc(FILE *f, json_t *doc, const tx_report_row *rows, size_t n, int depth)
{
    const char *key;
    json_t *val;
    int first = 1, rc = TX_OK;

    fputc_unlocked('{', f);
    json_object_foreach(doc, key, val)
    {
        if (strcmp(key, "suppliers") == 0) {
            put_key(f, "questionnaires", depth + 1, &first);
            if ((rc = put_catalogues(f, rows, n, depth + 1)) != TX_OK) {
                break;
            }
        }
        put_key(f, key, depth + 1, &first);
        if (strcmp(key, "suppliers") == 0) {
            rc = put_rows(f, val, rows, n, depth + 1);
        } else if (strcmp(key, "nodes") == 0) {
            rc = put_nodes(f, val, rows, n, depth + 1);
        } else {
            rc = tx_report_stream_value(f, val, depth + 1);
        }
        if (rc == TX_OK && strcmp(key, "generated") == 0) {
            put_key(f, "format", depth + 1, &first);
            fprintf(f, "%d", TX_REPORT_FORMAT);
        }
        if (rc != TX_OK) {
            break;
        }
    }
    fputc_unlocked('\n', f);
    indent(f, depth);
    fputc_unlocked('}', f);
    return rc;
}

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
indent(tx_jw *w, int depth)
{
    static const char spaces[] = "                ";

    for (int left = 2 * depth; left > 0; left -= (int)sizeof spaces - 1) {
        tx_jw_put(w, spaces, left < (int)sizeof spaces - 1 ? (size_t)left : sizeof spaces - 1);
    }
}

int
tx_report_stream_value(tx_jw *w, const json_t *v, int depth)
{
    return tx_json_write_value(w, v, TX_REPORT_JSON_FLAGS, depth);
}

/* How rows' and nodes' members are written: on one line (", " and ": " between members). */
#define LINE_FLAGS (JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))

/* `v` on one line: rows' members and nodes' members. */
static int
put_line(tx_jw *w, const json_t *v)
{
    return tx_json_write_value(w, v, LINE_FLAGS, 0);
}

/* ",\n" (not first) then `"key": ` at depth. */
static void
put_key(tx_jw *w, const char *key, int depth, int *first)
{
    tx_jw_puts(w, *first ? "\n" : ",\n");
    *first = 0;
    indent(w, depth);
    tx_jw_putc(w, '"');
    tx_jw_puts(w, key); /* our own member names: nothing to escape */
    tx_jw_puts(w, "\": ");
}

/* The questionnaires the rows answer, each once: format 2's "questionnaires". */
static int
put_catalogues(tx_jw *w, const tx_report_row *rows, size_t n, int depth)
{
    tx_idmap seen = {0};
    int first = 1, rc = TX_OK;

    tx_jw_putc(w, '[');
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
            tx_jw_puts(w, first ? "\n" : ",\n");
            first = 0;
            indent(w, depth + 1);
            if ((c = tx_report_catalogue_json(v->questionnaire, v->q)) == NULL) {
                rc = TX_ERR_NOMEM;
            } else {
                rc = tx_report_stream_value(w, c, depth + 1);
                json_decref(c);
            }
        }
    }
    tx_idmap_free(&seen);
    if (!first) {
        tx_jw_putc(w, '\n');
        indent(w, depth);
    }
    tx_jw_putc(w, ']');
    return rc;
}

/* One row: each member on a line, then "items" (its answers, one line each). Its members are
 * those of `row` when that is not NULL, else written from `r` (tx_report_row_emit) with
 * "policy": null (no policy applies). */
static int
put_row(tx_jw *w, json_t *row, const tx_report_row *r, int depth)
{
    const tx_verdict *v = r->v;
    size_t n_items = r->scored ? v->q->n_items : 0;
    json_t *val;
    const char *key;
    int first = 1, rc = TX_OK;

    tx_jw_putc(w, '{');
    if (row == NULL) {
        tx_jw_emit je;
        tx_jw_emit_init(&je, w, depth + 1, LINE_FLAGS);
        tx_report_row_emit(&je.e, r);
        tx_emit_key(&je.e, "policy");
        tx_emit_null(&je.e);
        if ((rc = je.e.rc) != TX_OK) {
            return rc;
        }
        first = 0;
    }
    json_object_foreach(row, key, val)
    {
        put_key(w, key, depth + 1, &first);
        if ((rc = put_line(w, val)) != TX_OK) {
            return rc;
        }
    }
    put_key(w, "items", depth + 1, &first);
    tx_jw_putc(w, '[');
    for (size_t i = 0; i < n_items && rc == TX_OK; i++) {
        tx_jw_puts(w, i ? ",\n" : "\n");
        indent(w, depth + 2);
        rc = tx_report_answer_write(w, v->q, i, v->inner->answers, v->inner->n_answers);
    }
    if (n_items > 0) {
        tx_jw_putc(w, '\n');
        indent(w, depth + 1);
    }
    tx_jw_puts(w, "]\n");
    indent(w, depth);
    tx_jw_putc(w, '}');
    return rc;
}

/* The rows: the objects of `sups` (freed as they are written), or, `apart`, written from
 * `rows`. */
static int
put_rows(tx_jw *w, json_t *sups, const tx_report_row *rows, size_t n, int apart, int depth)
{
    size_t n_put = apart ? n : json_array_size(sups);
    int rc = TX_OK;

    tx_jw_putc(w, '[');
    for (size_t i = 0; i < n && i < n_put && rc == TX_OK; i++) {
        tx_jw_puts(w, i ? ",\n" : "\n");
        indent(w, depth + 1);
        rc = put_row(w, apart ? NULL : json_array_get(sups, i), &rows[i], depth + 1);
        if (!apart) {
            json_array_set_new(sups, i, json_null()); /* written: freed */
        }
    }
    if (n > 0) {
        tx_jw_putc(w, '\n');
        indent(w, depth);
    }
    tx_jw_putc(w, ']');
    return rc;
}

/* A node that is a supplier row: "row" (its position in "suppliers") and what is the node's
 * own; any other node in full with "row": null. One line. */
static int
put_node(tx_jw *w, json_t *node, const tx_idmap *by_key)
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
        tx_jw_puts(w, "{\"row\": null");
        json_object_foreach(node, name, m)
        {
            if (rc == TX_OK) {
                tx_jw_puts(w, ", ");
                rc = tx_json_write_string(w, name);
                tx_jw_puts(w, ": ");
                rc = rc == TX_OK ? put_line(w, m) : rc;
            }
        }
    } else {
        tx_jw_puts(w, "{\"row\": ");
        tx_json_write_int(w, (int64_t)*at);
        for (size_t k = 0; k < TX_ARRAY_LEN(own) && rc == TX_OK; k++) {
            if ((m = json_object_get(node, own[k])) != NULL) {
                tx_jw_puts(w, ", \"");
                tx_jw_puts(w, own[k]); /* our own member names: nothing to escape */
                tx_jw_puts(w, "\": ");
                rc = put_line(w, m);
            }
        }
    }
    tx_jw_putc(w, '}');
    return rc;
}

static int
put_nodes(tx_jw *w, json_t *nodes, const tx_report_row *rows, size_t n, int depth)
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
    tx_jw_putc(w, '[');
    json_array_foreach(nodes, i, node)
    {
        if (rc != TX_OK) {
            break;
        }
        tx_jw_puts(w, i ? ",\n" : "\n");
        indent(w, depth + 1);
        rc = put_node(w, node, &by_key);
        json_array_set_new(nodes, i, json_null());
    }
    if (json_array_size(nodes) > 0) {
        tx_jw_putc(w, '\n');
        indent(w, depth);
    }
    tx_jw_putc(w, ']');
    tx_idmap_free(&by_key);
    return rc;
}

int
tx_report_stream_doc(tx_jw *w, json_t *doc, const tx_report_row *rows, size_t n, int apart,
                     int depth)
{
    const char *key;
    json_t *val;
    int first = 1, rc = TX_OK;

    tx_jw_putc(w, '{');
    json_object_foreach(doc, key, val)
    {
        if (strcmp(key, "suppliers") == 0) {
            put_key(w, "questionnaires", depth + 1, &first);
            if ((rc = put_catalogues(w, rows, n, depth + 1)) != TX_OK) {
                break;
            }
        }
        put_key(w, key, depth + 1, &first);
        if (strcmp(key, "suppliers") == 0) {
            rc = put_rows(w, val, rows, n, apart, depth + 1);
        } else if (strcmp(key, "nodes") == 0) {
            rc = put_nodes(w, val, rows, n, depth + 1);
        } else {
            rc = tx_report_stream_value(w, val, depth + 1);
        }
        if (rc == TX_OK && strcmp(key, "generated") == 0) {
            put_key(w, "format", depth + 1, &first);
            tx_json_write_int(w, TX_REPORT_FORMAT);
        }
        if (rc != TX_OK) {
            break;
        }
    }
    tx_jw_putc(w, '\n');
    indent(w, depth);
    tx_jw_putc(w, '}');
    return rc;
}

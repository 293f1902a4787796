/* The report in every format: one table of formats (name and renderer), the names users type,
 * and the dispatcher. Table and JSON are written by the report itself (tx_report.h); every other
 * format by its renderer (tx_render_formats.h) from the JSON document, so all show the same. */
#include "tx_render.h"
#include "tx_render_formats.h"

#include "tx_error.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <stdlib.h>
#include <string.h>

/* One row per format, indexed by TX_REPORT_*. A renderer writes either to a stream (to_file)
 * or to a path it creates (to_path); a row with neither is written by tx_report_write_tree. */
typedef struct {
    const char *name;
    int (*to_file)(FILE *f, const json_t *docs, int ja);
    int (*to_path)(const char *path, const json_t *docs, int ja);
} format_row;

static const format_row formats[] = {
    [TX_REPORT_TABLE] = {"table", NULL, NULL},
    [TX_REPORT_JSON] = {"json", NULL, NULL},
    [TX_REPORT_CSV] = {"csv", tx_render_csv, NULL},
    [TX_REPORT_HTML] = {"html", tx_render_html, NULL},
    [TX_REPORT_OSCAL] = {"oscal", tx_render_oscal, NULL},
    [TX_REPORT_XLSX] = {"xlsx", NULL, tx_render_xlsx},
};

int
tx_render_format(const char *name, int *format)
{
    char names[128];
    size_t used = 0, n = TX_ARRAY_LEN(formats);

    for (size_t i = 0; i < n; i++) {
        if (strcmp(name, formats[i].name) == 0) {
            *format = (int)i;
            return TX_OK;
        }
    }
    /* "table, json, ... or xlsx", from the table. */
    names[0] = 0;
    for (size_t i = 0; i < n && used < sizeof names; i++) {
        int w = snprintf(names + used, sizeof names - used, "%s%s",
                         i == 0      ? ""
                         : i + 1 < n ? ", "
                                     : " or ",
                         formats[i].name);
        used += w > 0 ? (size_t)w : 0;
    }
    return tx_fail(TX_ERR_USAGE, "--format %s: use %s", name, names);
}

int
tx_render_report(FILE *f, const char *xlsx_path, const tx_verdicts *vs,
                 const tx_report_tree_opts *t, const char *only, int format, int ja)
{
    json_t *root;
    const format_row *row;
    int rc;

    if (format < 0 || (size_t)format >= TX_ARRAY_LEN(formats)) {
        return tx_fail(TX_ERR_USAGE, "unknown report format %d", format);
    }
    row = &formats[format];
    if (row->to_file == NULL && row->to_path == NULL) {
        return tx_report_write_tree(f, vs, t, only, format == TX_REPORT_JSON, ja);
    }
    /* The documents the renderers read are exactly what `--format json` prints. */
    if ((rc = tx_report_docs(vs, t, only, &root)) != TX_OK) {
        return rc == TX_ERR_NOMEM ? tx_fail(rc, "out of memory") : rc;
    }
    rc = row->to_file != NULL ? row->to_file(f, json_object_get(root, "reports"), ja)
                              : row->to_path(xlsx_path, json_object_get(root, "reports"), ja);
    json_decref(root);
    return rc;
}

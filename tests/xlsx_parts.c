/* Reading back XLSX parts and cells for tests (xlsx_parts.h): libzip and plain string search,
 * enough for the workbooks libxlsxwriter writes. */
#include "xlsx_parts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

char *
xp_zip_part(const char *path, const char *name)
{
    int err;
    zip_t *z = zip_open(path, ZIP_RDONLY, &err);
    zip_stat_t st;
    zip_file_t *zf;
    char *buf = NULL;

    if (z == NULL) {
        return NULL;
    }
    if (zip_stat(z, name, 0, &st) == 0 && (zf = zip_fopen(z, name, 0)) != NULL) {
        buf = calloc(1, st.size + 1);
        if (buf != NULL && zip_fread(zf, buf, st.size) != (zip_int64_t)st.size) {
            free(buf);
            buf = NULL;
        }
        zip_fclose(zf);
    }
    zip_close(z);
    return buf;
}

char *
xp_sheet_part(const char *path, const char *sheet)
{
    char *wb = xp_zip_part(path, "xl/workbook.xml");
    char *rels = xp_zip_part(path, "xl/_rels/workbook.xml.rels");
    char needle[512], *at, *part = NULL;

    snprintf(needle, sizeof needle, "<sheet name=\"%s\" ", sheet);
    if (wb != NULL && rels != NULL && (at = strstr(wb, needle)) != NULL &&
        (at = strstr(at, "r:id=\"")) != NULL) {
        snprintf(needle, sizeof needle, "Id=\"%.*s\"", (int)strcspn(at + 6, "\""), at + 6);
        if ((at = strstr(rels, needle)) != NULL && (at = strstr(at, "Target=\"")) != NULL) {
            size_t len = strcspn(at + 8, "\"");
            if ((part = malloc(len + 4)) != NULL) {
                snprintf(part, len + 4, "xl/%.*s", (int)len, at + 8);
            }
        }
    }
    free(wb);
    free(rels);
    return part;
}

/* The text of the idx-th <si> of sharedStrings.xml (its first <t>). */
static char *
shared_string(const char *strings, long idx)
{
    const char *si = strings;

    for (long k = 0; k <= idx && si != NULL; k++) {
        si = strstr(k == 0 ? si : si + 1, "<si>");
    }
    if (si == NULL || (si = strstr(si, "<t")) == NULL || (si = strchr(si, '>')) == NULL) {
        return NULL;
    }
    si++;
    return strndup(si, strcspn(si, "<"));
}

char *
xp_cell(const char *path, const char *sheet, const char *ref)
{
    char *part = xp_sheet_part(path, sheet), *xml, *strings, needle[32], *c, *end, *v, *out;

    if (part == NULL) {
        return NULL;
    }
    xml = xp_zip_part(path, part);
    free(part);
    if (xml == NULL) {
        return NULL;
    }
    snprintf(needle, sizeof needle, "<c r=\"%s\"", ref);
    c = strstr(xml, needle);
    end = c != NULL ? strchr(c, '>') : NULL;
    /* <c r="A1" s="1"/>: a blank cell. */
    end = end != NULL && end[-1] != '/' ? strstr(end, "</c>") : NULL;
    v = c != NULL ? strstr(c, "<v>") : NULL;
    if (c == NULL || end == NULL || v == NULL || v > end) {
        free(xml);
        return strdup("");
    }
    *end = 0;
    if (strstr(c, "t=\"s\"") != NULL) {
        strings = xp_zip_part(path, "xl/sharedStrings.xml");
        out = strings != NULL ? shared_string(strings, strtol(v + 3, NULL, 10)) : NULL;
        free(strings);
    } else {
        out = strndup(v + 3, strcspn(v + 3, "<"));
    }
    free(xml);
    return out;
}

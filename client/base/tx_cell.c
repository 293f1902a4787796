/* Display width of UTF-8 text and fixed-width cells. */
#include "tx_cell.h"

#include "tx_util.h"

#include <stdint.h>
#include <string.h>

static int
cp_width(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
        return 0;
    }
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
        (cp >= 0x20000 && cp <= 0x3FFFD)) {
        return 2;
    }
    return 1;
}

int
tx_display_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int w = 0;

    while (*p) {
        uint32_t cp;
        p += tx_utf8_next(p, &cp);
        w += cp_width(cp);
    }
    return w;
}

void
tx_put_cell(FILE *f, const char *s, int width)
{
    const unsigned char *p = (const unsigned char *)s;
    int used = 0;

    if (tx_display_width(s) <= width) {
        fputs(s, f);
        used = tx_display_width(s);
    } else {
        while (*p) {
            uint32_t cp;
            int n = (int)tx_utf8_next(p, &cp);
            int cw = cp_width(cp);
            if (used + cw > width - 1) {
                break;
            }
            fwrite(p, 1, (size_t)n, f);
            used += cw;
            p += n;
        }
        fputc('~', f);
        used++;
    }
    for (; used < width; used++) {
        fputc(' ', f);
    }
}

void
tx_put_rcell(FILE *f, const char *s, int width)
{
    for (int used = tx_display_width(s); used < width; used++) {
        fputc(' ', f);
    }
    fputs(s, f);
}

static void
new_line(FILE *f, int indent, int *col)
{
    fputc('\n', f);
    for (*col = 0; *col < indent; (*col)++) {
        fputc(' ', f);
    }
}

void
tx_put_wrapped(FILE *f, const char *text, int start, int width, int indent)
{
    const unsigned char *p = (const unsigned char *)text;
    int col = start;
    int space = 0; /* a space is owed before the next word on this line */

    while (*p) {
        const unsigned char *end = p;
        int ww = 0;

        while (*p == ' ') {
            p++;
            space = col > start || col > indent;
        }
        end = p;
        while (*end && *end != ' ') {
            uint32_t cp;
            end += tx_utf8_next(end, &cp);
            ww += cp_width(cp);
        }
        if (end == p) {
            break;
        }
        if (col > indent && col + space + ww > width) {
            new_line(f, indent, &col);
            space = 0;
        }
        if (space) {
            fputc(' ', f);
            col++;
            space = 0;
        }
        /* A word wider than the line (Japanese text has no spaces) breaks anywhere. */
        while (p < end) {
            uint32_t cp;
            int n = (int)tx_utf8_next(p, &cp);
            int cw = cp_width(cp);
            if (col + cw > width && col > indent) {
                new_line(f, indent, &col);
            }
            fwrite(p, 1, (size_t)n, f);
            col += cw;
            p += n;
        }
    }
    fputc('\n', f);
}

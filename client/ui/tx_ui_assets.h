/* The page's files (HTML, CSS, JavaScript, the texts in Japanese and English), embedded at
 * build time from client/ui/assets by cmake/embed.cmake. */
#ifndef TX_UI_ASSETS_H
#define TX_UI_ASSETS_H

#include <stddef.h>

typedef struct {
    const char *name; /* file name, e.g. "app.js" */
    const unsigned char *data;
    size_t len;
} tx_ui_asset;

extern const tx_ui_asset tx_ui_assets[];
extern const size_t tx_ui_n_assets;

#endif

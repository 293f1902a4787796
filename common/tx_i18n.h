/* Translations through GNU gettext, text domain "ticsx": `_("text")` where a string is used,
 * `N_("text")` in a static table translated later with `_()`. Messages given to tx_fail() are
 * translated there and need no marking. The catalogue is po/ja.po; English is the source. */
#ifndef TX_I18N_H
#define TX_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* Chooses the language of every translated text for this process and binds the catalogue.
 * `lang` is "ja", "en" or NULL for the environment (LC_ALL, LC_MESSAGES, LANG: Japanese when the
 * first one set starts with "ja"). Japanese works without a Japanese locale installed: the
 * catalogue is UTF-8 and C.UTF-8 is used when the locale cannot show it. Never touches
 * LC_NUMERIC, so numbers in JSON and CSV keep their dot. Call again to switch (before threads).
 * Returns TX_OK, or TX_ERR_USAGE for another `lang`. */
int tx_i18n_init(const char *lang);

/* 1 when texts are Japanese (after tx_i18n_init), else 0. */
int tx_i18n_ja(void);

/* Where the catalogue was found ("" when none): TICSX_LOCALEDIR, then share/locale beside the
 * program's directory, then the build tree, then the install prefix. Borrowed. */
const char *tx_i18n_localedir(void);

#endif

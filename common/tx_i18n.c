/* Language choice and catalogue binding for gettext (see tx_i18n.h). */
#include "tx_i18n.h"

#include "tx_error.h"

#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TX_DOMAIN "ticsx"

static int is_ja;
static _Thread_local int english_here;
static char localedir[PATH_MAX];

static int
has_catalogue(const char *dir)
{
    char path[PATH_MAX];
    struct stat st;

    if (dir == NULL || dir[0] == 0) {
        return 0;
    }
    if (snprintf(path, sizeof path, "%s/ja/LC_MESSAGES/" TX_DOMAIN ".mo", dir) >=
        (int)sizeof path) {
        return 0;
    }
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* <directory of the running program>/../share/locale, for an installed or relocated tree. */
static int
beside_program(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash;

    if (n <= 0) {
        return 0;
    }
    exe[n] = 0;
    if ((slash = strrchr(exe, '/')) == NULL) {
        return 0;
    }
    *slash = 0;
    return snprintf(out, cap, "%s/../share/locale", exe) < (int)cap;
}

static void
find_localedir(void)
{
    char beside[PATH_MAX];
    const char *candidates[4] = {getenv("TICSX_LOCALEDIR"), NULL, TX_BUILD_LOCALEDIR, TX_LOCALEDIR};

    if (beside_program(beside, sizeof beside)) {
        candidates[1] = beside;
    }
    localedir[0] = 0;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        if (has_catalogue(candidates[i])) {
            snprintf(localedir, sizeof localedir, "%s", candidates[i]);
            return;
        }
    }
}

/* The language the environment asks for, as POSIX orders it. */
static int
environment_is_ja(void)
{
    static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};

    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v != NULL && v[0] != 0) {
            return strncmp(v, "ja", 2) == 0;
        }
    }
    return 0;
}

int
tx_i18n_init(const char *lang)
{
    if (lang != NULL && strcmp(lang, "ja") != 0 && strcmp(lang, "en") != 0) {
        return TX_ERR_USAGE;
    }
    is_ja = lang != NULL ? strcmp(lang, "ja") == 0 : environment_is_ja();
    /* Only the categories texts need: LC_NUMERIC stays "C" for JSON and CSV. */
    setlocale(LC_CTYPE, "");
    setlocale(LC_MESSAGES, "");
    if (is_ja) {
        /* gettext ignores LANGUAGE in the "C" locale and converts to the locale's codeset:
         * with no Japanese locale installed, C.UTF-8 (always there in Debian) shows UTF-8. */
        if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0) {
            setlocale(LC_CTYPE, "C.UTF-8");
        }
        const char *m = setlocale(LC_MESSAGES, NULL);
        if (m == NULL || strcmp(m, "C") == 0 || strcmp(m, "POSIX") == 0) {
            setlocale(LC_MESSAGES, "C.UTF-8");
        }
    }
    setenv("LANGUAGE", is_ja ? "ja" : "en", 1);
    find_localedir();
    if (localedir[0] != 0) {
        bindtextdomain(TX_DOMAIN, localedir);
    }
    bind_textdomain_codeset(TX_DOMAIN, "UTF-8");
    textdomain(TX_DOMAIN);
    return TX_OK;
}

const char *
tx_gettext(const char *s)
{
    return english_here ? s : gettext(s);
}

int
tx_i18n_english(int on)
{
    int was = english_here;

    english_here = on;
    return was;
}

int
tx_i18n_ja(void)
{
    return is_ja;
}

const char *
tx_i18n_localedir(void)
{
    return localedir;
}

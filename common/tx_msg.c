/* Thread-local failure detail, in the language tx_i18n_init chose. */
#include "tx_msg.h"

#include "tx_i18n.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last[1024];

int
tx_fail(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(last, sizeof last, _(fmt), ap);
    va_end(ap);
    return code;
}

const char *
tx_fail_msg(void)
{
    return last;
}

void
tx_fail_clear(void)
{
    last[0] = 0;
}

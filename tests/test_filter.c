/* Runs one case of a test program alone: with TX_TEST_FILTER set (a case name, or a cmocka
 * pattern where `*` and `?` are wildcards), only the matching cases of each group run; the
 * group's setup and teardown still do. tx_add_test links this file into every test program,
 * so no main() has to read the variable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

__attribute__((constructor)) static void
filter_from_environment(void)
{
    const char *pattern = getenv("TX_TEST_FILTER");

    if (pattern != NULL && *pattern != 0) {
        cmocka_set_test_filter(pattern);
    }
}

/* The table of wire statuses (proto/tx_status): every Status of ticsx.proto has a row with a
 * name, a tx_err code and user text; status -> code -> status is the identity; every tx_err
 * code reports some status; values outside the enum are named, not trusted. */
#include "tx_codec.h"
#include "tx_error.h"
#include "tx_status.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static void
test_every_status_has_a_row(void **state)
{
    const ProtobufCEnumDescriptor *d = &ticsx__v1__status__descriptor;

    (void)state;
    assert_int_equal(d->n_values, TX_STATUS_COUNT_);
    for (unsigned i = 0; i < d->n_values; i++) {
        int s = d->values[i].value;
        const char *name = tx_status_name(s);
        char upper[64];
        size_t k;

        assert_true(s >= 0 && s < TX_STATUS_COUNT_);
        /* The name is the schema's, in lower case. */
        for (k = 0; name[k] != '\0' && k + 1 < sizeof upper; k++) {
            upper[k] = (char)toupper((unsigned char)name[k]);
        }
        upper[k] = '\0';
        assert_string_equal(upper, d->values[i].name);
        assert_true(strlen(tx_status_text(s)) > 0);
        assert_null(strchr(tx_status_text(s), '_'));
    }
}

static void
test_round_trip(void **state)
{
    (void)state;
    assert_int_equal(tx_status_err(TX_STATUS_OK), TX_OK);
    assert_int_equal(tx_err_status(TX_OK), TX_STATUS_OK);
    for (int s = 0; s < TX_STATUS_COUNT_; s++) {
        int code = tx_status_err(s);

        assert_true(s == TX_STATUS_OK || code != TX_OK);
        assert_int_equal(tx_err_status(code), s);
    }
}

static void
test_every_code_reports_a_status(void **state)
{
    (void)state;
    for (int code = 0; code < TX_ERR_COUNT_; code++) {
        int s = tx_err_status(code);

        assert_true(s >= 0 && s < TX_STATUS_COUNT_);
    }
    assert_int_equal(tx_err_status(TX_ERR_USAGE), TX_STATUS_BAD_REQUEST);
    assert_int_equal(tx_err_status(TX_ERR_TRUNCATED), TX_STATUS_BAD_REQUEST);
    assert_int_equal(tx_err_status(TX_ERR_EXISTS), TX_STATUS_FORBIDDEN);
    assert_int_equal(tx_err_status(TX_ERR_STORAGE), TX_STATUS_INTERNAL);
    assert_int_equal(tx_err_status(-1), TX_STATUS_INTERNAL);
}

static void
test_outside_the_enum(void **state)
{
    (void)state;
    assert_string_equal(tx_status_name(TX_STATUS_COUNT_), "unknown");
    assert_string_equal(tx_status_name(-1), "unknown");
    assert_string_equal(tx_status_text(99), "unknown status");
    assert_int_equal(tx_status_err(99), TX_ERR_INTERNAL);
    assert_string_equal(tx_status_name(TX_STATUS_BAD_REQUEST), "bad_request");
    assert_string_equal(tx_status_text(TX_STATUS_BAD_REQUEST), "bad request");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_status_has_a_row),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_every_code_reports_a_status),
        cmocka_unit_test(test_outside_the_enum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The hub's ZAP handler (hub/tx_zap) over real ZeroMQ and a real LMDB store: a REQ socket
 * plays libzmq's side of RFC 27. An enrolled transport key is admitted with its member's
 * signing key as user id, the hub's own key as "hub"; an unknown key, a key its member
 * replaced by enrolling a new profile, and a client without CURVE are refused. */
#include "hub_unit.h"
#include "tx_error.h"
#include "tx_status.h"
#include "tx_store.h"
#include "tx_util.h"
#include "tx_zap.h"

#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include <cmocka.h>

typedef struct {
    hu_store st;
    void *ctx, *req;
    tx_zap *zap;
    uint8_t hub_curve[32];
} fx;

static int
setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    int linger = 0;

    hu_open(&f->st);
    randombytes_buf(f->hub_curve, sizeof f->hub_curve);
    f->ctx = zmq_ctx_new();
    assert_int_equal(tx_zap_open(f->ctx, f->st.store, f->hub_curve, &f->zap), TX_OK);
    f->req = zmq_socket(f->ctx, ZMQ_REQ);
    zmq_setsockopt(f->req, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_connect(f->req, TX_ZAP_ENDPOINT), 0);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fx *f = *state;

    zmq_close(f->req);
    tx_zap_destroy(&f->zap);
    zmq_ctx_term(f->ctx);
    hu_close(&f->st);
    free(f);
    return 0;
}

/* Asks the handler about a client of `mechanism` with `key`; returns the status code and puts
 * the user id in user (size 80). */
static int
ask(fx *f, const char *mechanism, const uint8_t key[32], char user[80])
{
    const char *frames[] = {"1.0", "7", "", "127.0.0.1", "", mechanism};
    zmq_pollitem_t item = {f->zap != NULL ? tx_zap_socket(f->zap) : NULL, 0, ZMQ_POLLIN, 0};
    char code[8] = "", version[8];
    int n;

    for (size_t i = 0; i < 6; i++) {
        assert_true(zmq_send(f->req, frames[i], strlen(frames[i]), ZMQ_SNDMORE) >= 0);
    }
    assert_int_equal(zmq_send(f->req, key, 32, 0), 32);
    assert_int_equal(zmq_poll(&item, 1, 5000), 1);
    assert_int_equal(tx_zap_serve(f->zap), 1);
    /* version, request id, status code, status text, user id, metadata */
    assert_int_equal(zmq_recv(f->req, version, sizeof version, 0), 3);
    assert_true(zmq_recv(f->req, version, sizeof version, 0) >= 0);
    n = zmq_recv(f->req, code, sizeof code - 1, 0);
    assert_int_equal(n, 3);
    code[n] = '\0';
    assert_true(zmq_recv(f->req, user, 79, 0) >= 0); /* status text */
    n = zmq_recv(f->req, user, 79, 0);
    assert_true(n >= 0);
    user[n] = '\0';
    assert_true(zmq_recv(f->req, version, sizeof version, 0) >= 0);
    return atoi(code);
}

static void
test_enrolled_admitted(void **state)
{
    fx *f = *state;
    char user[80], hex[65];

    assert_int_equal(ask(f, "CURVE", f->st.a->pub.curve, user), 200);
    tx_hex(hex, f->st.a->pub.sign, 32);
    assert_string_equal(user, hex);
    assert_int_equal(ask(f, "CURVE", f->hub_curve, user), 200);
    assert_string_equal(user, TX_ZAP_HUB_USER);
}

static void
test_unknown_refused(void **state)
{
    fx *f = *state;
    uint8_t key[32];
    char user[80];

    randombytes_buf(key, sizeof key);
    assert_int_equal(ask(f, "CURVE", key, user), 400);
    assert_string_equal(user, "");
    /* An enrolled key without CURVE is no admission either. */
    assert_int_equal(ask(f, "PLAIN", f->st.a->pub.curve, user), 400);
}

static void
test_replaced_key_refused(void **state)
{
    fx *f = *state;
    uint8_t old[32];
    char user[80];

    /* The member enrols a new profile with another transport key: the old key stops. */
    memcpy(old, f->st.a->pub.curve, 32);
    randombytes_buf(f->st.a->pub.curve, 32);
    hu_enroll(f->st.store, f->st.a, 4); /* a signed seqs 1 to 3 in hu_open */
    assert_int_equal(ask(f, "CURVE", old, user), 400);
    assert_int_equal(ask(f, "CURVE", f->st.a->pub.curve, user), 200);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_enrolled_admitted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replaced_key_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

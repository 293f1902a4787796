/* The hub's watchers (hub/tx_subs) over real ZeroMQ and a real LMDB store: a ROUTER plays the
 * hub's socket, DEALERs the watching clients. A pushed record reaches only the watchers whose
 * organisation may read it and who watch its kind; an expired watcher gets nothing; a kind the
 * hub does not keep cannot be watched. */
#include "hub_unit.h"
#include "tx_error.h"
#include "tx_store.h"
#include "tx_subs.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include <cmocka.h>

#define NOW 1000000

typedef struct {
    hu_store st;
    void *ctx, *router, *peer_b, *peer_c;
    tx_subs *subs;
    tx_subs_record rec; /* a's request to b, stored */
} fx;

/* A DEALER with routing id `id`, connected, and known to the router. */
static void *
dealer(fx *f, const char *id)
{
    void *d = zmq_socket(f->ctx, ZMQ_DEALER);
    char buf[64];
    int linger = 0;

    zmq_setsockopt(d, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(d, ZMQ_ROUTING_ID, id, strlen(id));
    assert_int_equal(zmq_connect(d, "inproc://test-subs"), 0);
    assert_int_equal(zmq_send(d, "hello", 5, 0), 5);
    assert_int_equal(zmq_recv(f->router, buf, sizeof buf, 0), (int)strlen(id));
    assert_int_equal(zmq_recv(f->router, buf, sizeof buf, 0), 5);
    return d;
}

static int
setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    int one = 1, linger = 0;

    hu_open(&f->st);
    f->rec.index = f->st.req_index;
    f->rec.kind = TX_KIND_REQUEST;
    f->rec.env = f->st.req;
    f->rec.len = f->st.req_len;
    f->ctx = zmq_ctx_new();
    f->router = zmq_socket(f->ctx, ZMQ_ROUTER);
    zmq_setsockopt(f->router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(f->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    assert_int_equal(zmq_bind(f->router, "inproc://test-subs"), 0);
    f->peer_b = dealer(f, "peer-b");
    f->peer_c = dealer(f, "peer-c");
    assert_int_equal(tx_subs_create(&f->subs), TX_OK);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fx *f = *state;

    tx_subs_destroy(&f->subs);
    zmq_close(f->peer_b);
    zmq_close(f->peer_c);
    zmq_close(f->router);
    zmq_ctx_term(f->ctx);
    hu_close(&f->st);
    free(f);
    return 0;
}

/* Registers the peer `id` of member m as a watcher of `kinds` (n of them; 0: the default). */
static int
watch(fx *f, const char *id, const tx_identity *m, uint64_t call_id, Ticsx__V1__Kind *kinds,
      size_t n, uint32_t seconds)
{
    tx_watch_pb w = TICSX__V1__WATCH__INIT;
    char why[128];
    uint32_t granted;

    w.kinds = kinds;
    w.n_kinds = n;
    w.seconds = seconds;
    return tx_subs_watch(f->subs, (const uint8_t *)id, strlen(id), m->pub.sign, call_id, &w, NOW,
                         &granted, why, sizeof why);
}

/* The push waiting on d within wait_ms, or NULL when none comes. Caller frees (tx_free). */
static tx_reply_pb *
push_on(void *d, int wait_ms)
{
    zmq_pollitem_t item = {d, 0, ZMQ_POLLIN, 0};
    tx_reply_pb *r = NULL;
    zmq_msg_t m;

    if (zmq_poll(&item, 1, wait_ms) != 1) {
        return NULL;
    }
    zmq_msg_init(&m);
    assert_true(zmq_msg_recv(&m, d, 0) >= 0);
    assert_int_equal(tx_decode_reply(zmq_msg_data(&m), zmq_msg_size(&m), &r), TX_OK);
    zmq_msg_close(&m);
    return r;
}

static void
test_only_who_may_see(void **state)
{
    fx *f = *state;
    tx_reply_pb *r;

    assert_int_equal(watch(f, "peer-b", f->st.b, 7, NULL, 0, 60), TX_OK);
    assert_int_equal(watch(f, "peer-c", f->st.c, 8, NULL, 0, 60), TX_OK);
    assert_int_equal(tx_subs_count(f->subs), 2);
    tx_subs_publish(f->subs, f->router, f->st.store, &f->rec, 1, NOW + 1000);
    r = push_on(f->peer_b, 5000);
    assert_non_null(r);
    assert_true(r->push);
    assert_int_equal(r->id, 7);
    assert_int_equal(r->n_entries, 1);
    assert_int_equal(r->entries[0]->index, f->rec.index);
    assert_int_equal(r->entries[0]->envelope.len, f->rec.len);
    assert_memory_equal(r->entries[0]->envelope.data, f->st.req, f->rec.len);
    tx_free(r);
    /* c may not read a's request to b. */
    assert_null(push_on(f->peer_c, 300));
}

static void
test_only_kinds_watched(void **state)
{
    fx *f = *state;
    Ticsx__V1__Kind grants = TICSX__V1__KIND__KIND_GRANT;

    assert_int_equal(watch(f, "peer-b", f->st.b, 7, &grants, 1, 60), TX_OK);
    tx_subs_publish(f->subs, f->router, f->st.store, &f->rec, 1, NOW + 1000);
    assert_null(push_on(f->peer_b, 300));
}

static void
test_expired_gets_nothing(void **state)
{
    fx *f = *state;

    assert_int_equal(watch(f, "peer-b", f->st.b, 7, NULL, 0, 1), TX_OK);
    tx_subs_publish(f->subs, f->router, f->st.store, &f->rec, 1, NOW + 2000);
    assert_null(push_on(f->peer_b, 300));
    assert_int_equal(tx_subs_count(f->subs), 0);
}

static void
test_unknown_kind_refused(void **state)
{
    fx *f = *state;
    Ticsx__V1__Kind none = TICSX__V1__KIND__KIND_NONE;

    assert_int_equal(watch(f, "peer-b", f->st.b, 7, &none, 1, 60), TX_ERR_USAGE);
    assert_int_equal(tx_subs_count(f->subs), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_only_who_may_see, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_kinds_watched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_gets_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_kind_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

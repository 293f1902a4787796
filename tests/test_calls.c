/* The hub's call table (hub/tx_calls): one row for every body of ticsx.proto's Call, a body no
 * row serves refused BAD_REQUEST, the hub's own key only pinging; and the handlers of reads
 * run against a real LMDB store: a record served to who may see it and NOT_FOUND to others,
 * requests that make no sense refused BAD_REQUEST, sizes past the log NOT_FOUND. */
#include "hub_unit.h"
#include "tx_calls.h"
#include "tx_error.h"
#include "tx_store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void
test_one_row_per_body(void **state)
{
    const ProtobufCMessageDescriptor *d = &ticsx__v1__call__descriptor;
    size_t bodies = 0;

    (void)state;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        size_t rows = 0;

        if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) {
            continue;
        }
        bodies++;
        for (size_t k = 0; k < tx_calls_count(); k++) {
            rows += tx_call_at(k)->body == (int)f->id;
        }
        assert_int_equal(rows, 1);
        assert_non_null(tx_call_find((int)f->id));
        assert_string_equal(tx_call_find((int)f->id)->name, f->name);
    }
    assert_int_equal(bodies, tx_calls_count());
    assert_null(tx_call_at(tx_calls_count()));
}

static void
test_rows_are_whole(void **state)
{
    (void)state;
    for (size_t k = 0; k < tx_calls_count(); k++) {
        const tx_call_def *def = tx_call_at(k);
        int writes = (def->flags & TX_CALL_WRITES) != 0;

        /* A write is answered by the round's receipts; every other call by its handler. */
        assert_int_equal(writes, def->envelopes != NULL);
        assert_int_equal(writes, def->answer == NULL);
        assert_false(writes && (def->flags & (TX_CALL_READS | TX_CALL_OWN_TXN)));
    }
}

static void
test_unknown_body_refused(void **state)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_outcome out;

    (void)state;
    memset(&out, 0, sizeof out);
    call.body_case = (Ticsx__V1__Call__BodyCase)99;
    assert_null(tx_call_find(99));
    assert_null(tx_call_admit(&call, 0, &out));
    assert_int_equal(out.status, TX_STATUS_BAD_REQUEST);
    assert_non_null(strstr(out.message, "99"));
    memset(&out, 0, sizeof out);
    call.body_case = TICSX__V1__CALL__BODY__NOT_SET;
    assert_null(tx_call_admit(&call, 0, &out));
    assert_int_equal(out.status, TX_STATUS_BAD_REQUEST);
}

static void
test_hub_key_only_pings(void **state)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_outcome out;

    (void)state;
    memset(&out, 0, sizeof out);
    call.body_case = TICSX__V1__CALL__BODY_PING;
    assert_non_null(tx_call_admit(&call, 1, &out));
    for (size_t k = 0; k < tx_calls_count(); k++) {
        const tx_call_def *def = tx_call_at(k);

        if (def->body == TICSX__V1__CALL__BODY_PING) {
            continue;
        }
        call.body_case = (Ticsx__V1__Call__BodyCase)def->body;
        memset(&out, 0, sizeof out);
        assert_null(tx_call_admit(&call, 1, &out));
        assert_int_equal(out.status, TX_STATUS_FORBIDDEN);
        /* An organisation may make it. */
        assert_ptr_equal(tx_call_admit(&call, 0, &out), def);
    }
}

/* ---- handlers on a real store ---- */

static int
setup(void **state)
{
    hu_store *f = calloc(1, sizeof *f);

    hu_open(f);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    hu_close(*state);
    free(*state);
    return 0;
}

/* Runs the handler of call's row as caller, from a fresh snapshot; the reply in *r (entries
 * and proofs freed at once: only counts are looked at). Returns the status. */
static int
answer(hu_store *f, tx_call_pb *call, const tx_identity *caller, tx_reply_pb *r, tx_outcome *out)
{
    const tx_call_def *def = tx_call_admit(call, 0, out);
    tx_reply_keep keep = {0};
    tx_view *v = NULL;
    tx_answer a;

    memset(out, 0, sizeof *out);
    assert_non_null(def);
    assert_non_null(def->answer);
    assert_int_equal(tx_store_view(f->store, &v), TX_OK);
    a = (tx_answer){.store = f->store,
                    .view = v,
                    .call = call,
                    .caller = caller->pub.sign,
                    .who = "test",
                    .r = r,
                    .out = out,
                    .keep = &keep};
    def->answer(&a);
    tx_reply_finish(r, out);
    tx_reply_keep_free(&keep);
    tx_view_end(&v);
    return out->status;
}

static void
test_get_only_to_readers(void **state)
{
    hu_store *f = *state;
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_get_pb get = TICSX__V1__GET__INIT;
    tx_reply_pb r = TICSX__V1__REPLY__INIT;
    tx_outcome out;

    get.record_id.data = f->req_id;
    get.record_id.len = TX_ID_LEN;
    call.body_case = TICSX__V1__CALL__BODY_GET;
    call.get = &get;
    assert_int_equal(answer(f, &call, f->b, &r, &out), TX_STATUS_OK);
    assert_int_equal(r.n_entries, 1);
    r = (tx_reply_pb)TICSX__V1__REPLY__INIT;
    assert_int_equal(answer(f, &call, f->a, &r, &out), TX_STATUS_OK);
    assert_int_equal(r.n_entries, 1);
    r = (tx_reply_pb)TICSX__V1__REPLY__INIT;
    /* c is a member, but neither the request's author nor a supplier it names. */
    assert_int_equal(answer(f, &call, f->c, &r, &out), TX_STATUS_NOT_FOUND);
    assert_int_equal(r.n_entries, 0);
    assert_non_null(strstr(out.message, "not visible to you"));
}

static void
test_list_needs_a_kind(void **state)
{
    hu_store *f = *state;
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_list_records_pb list = TICSX__V1__LIST_RECORDS__INIT;
    tx_reply_pb r = TICSX__V1__REPLY__INIT;
    tx_outcome out;

    call.body_case = TICSX__V1__CALL__BODY_LIST;
    call.list = &list;
    assert_int_equal(answer(f, &call, f->b, &r, &out), TX_STATUS_BAD_REQUEST);
    list.kind = TICSX__V1__KIND__KIND_REQUEST;
    r = (tx_reply_pb)TICSX__V1__REPLY__INIT;
    assert_int_equal(answer(f, &call, f->b, &r, &out), TX_STATUS_OK);
    assert_int_equal(r.n_entries, 1);
    r = (tx_reply_pb)TICSX__V1__REPLY__INIT;
    assert_int_equal(answer(f, &call, f->c, &r, &out), TX_STATUS_OK);
    assert_int_equal(r.n_entries, 0);
}

static void
test_proofs_checked_against_the_log(void **state)
{
    hu_store *f = *state;
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_inclusion_proof_pb inc = TICSX__V1__INCLUSION_PROOF__INIT;
    tx_reply_pb r = TICSX__V1__REPLY__INIT;
    tx_outcome out;

    call.body_case = TICSX__V1__CALL__BODY_INCLUSION;
    call.inclusion = &inc;
    inc.index = 0;
    inc.size = 1;
    assert_int_equal(answer(f, &call, f->c, &r, &out), TX_STATUS_BAD_REQUEST);
    inc.index = 3;
    inc.size = 2;
    assert_int_equal(answer(f, &call, f->c, &r, &out), TX_STATUS_BAD_REQUEST);
    /* Five records: three profiles, a questionnaire, a request. */
    inc.index = 1;
    inc.size = 6;
    assert_int_equal(answer(f, &call, f->c, &r, &out), TX_STATUS_NOT_FOUND);
    assert_non_null(strstr(out.message, "holds 5 records"));
    assert_int_equal(r.n_proof, 0);
    inc.size = 5;
    r = (tx_reply_pb)TICSX__V1__REPLY__INIT;
    assert_int_equal(answer(f, &call, f->c, &r, &out), TX_STATUS_OK);
    assert_int_equal(r.n_proof, 3);
}

static void
test_ping(void **state)
{
    hu_store *f = *state;
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_reply_pb r = TICSX__V1__REPLY__INIT;
    tx_outcome out;

    call.body_case = TICSX__V1__CALL__BODY_PING;
    call.ping = 1;
    assert_int_equal(answer(f, &call, f->c, &r, &out), TX_STATUS_OK);
    assert_string_equal(r.message, "ok");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_row_per_body),
        cmocka_unit_test(test_rows_are_whole),
        cmocka_unit_test(test_unknown_body_refused),
        cmocka_unit_test(test_hub_key_only_pings),
        cmocka_unit_test_setup_teardown(test_get_only_to_readers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_needs_a_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proofs_checked_against_the_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ping, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

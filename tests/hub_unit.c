/* The hub unit tests' store fixture (see hub_unit.h). */
#include "hub_unit.h"

#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_ingest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

void
hu_enroll(tx_store *s, const tx_identity *id, uint64_t seq)
{
    tx_outcome res;
    size_t len;
    uint8_t *env = th_profile(id, seq, &len);

    assert_int_equal(tx_ingest_enroll(s, env, len, &res, NULL, 0), TX_OK);
    assert_int_equal(res.status, TX_STATUS_OK);
    free(env);
}

uint64_t
hu_submit(tx_store *s, const tx_identity *by, const uint8_t *env, size_t len)
{
    tx_submission *sub;
    tx_outcome out;
    tx_batch *b;

    assert_int_equal(tx_ingest_prepare(by->pub.sign, env, len, &sub, &out), TX_OK);
    assert_int_equal(tx_store_begin(s, &b), TX_OK);
    assert_int_equal(tx_ingest_apply(b, sub, &out), TX_OK);
    assert_int_equal(out.status, TX_STATUS_OK);
    assert_int_equal(tx_batch_commit(&b), TX_OK);
    tx_submission_destroy(&sub);
    return out.receipt.index;
}

void
hu_open(hu_store *f)
{
    uint8_t qid[TX_ID_LEN], sup[1][32];
    uint8_t *q;
    size_t len;

    memset(f, 0, sizeof *f);
    f->dir = th_tmpdir();
    assert_int_equal(tx_store_open(f->dir, 64u << 20, &f->store), TX_OK);
    f->a = th_identity("Alpha KK");
    f->b = th_identity("Beta KK");
    f->c = th_identity("Gamma KK");
    hu_enroll(f->store, f->a, 1);
    hu_enroll(f->store, f->b, 1);
    hu_enroll(f->store, f->c, 1);
    q = th_questionnaire(f->a, 2, &len);
    hu_submit(f->store, f->a, q, len);
    tx_record_id(q, len, qid);
    free(q);
    memcpy(sup[0], f->b->pub.sign, 32);
    f->req = th_request(f->a, 3, qid, (const uint8_t(*)[32])sup, 1, &f->req_len);
    f->req_index = hu_submit(f->store, f->a, f->req, f->req_len);
    tx_record_id(f->req, f->req_len, f->req_id);
}

void
hu_close(hu_store *f)
{
    tx_store_close(&f->store);
    tx_identity_destroy(&f->a);
    tx_identity_destroy(&f->b);
    tx_identity_destroy(&f->c);
    th_rmtree(f->dir);
    free(f->dir);
    free(f->req);
    memset(f, 0, sizeof *f);
}

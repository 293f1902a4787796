/* A TICS trust chain signed and judged in the test's own process (see th_chain.h). */
#include "th_chain.h"

#include "tx_cert_issue.h"
#include "tx_error.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_rec.h"
#include "tx_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

int64_t
th_date(const char *date)
{
    int64_t t = 0;

    assert_int_equal(tx_parse_time(date, &t), TX_OK);
    return t;
}

void
th_chain_add(th_chain *c, uint8_t *env, size_t len, int kind, uint8_t *id)
{
    tx_rec r = {0};

    assert_non_null(env);
    if (tx_rec_open(&r, env, len, kind) != TX_OK) {
        fail_msg("%s", tx_fail_msg());
    }
    if (id != NULL) {
        memcpy(id, r.id, TX_ID_LEN);
    }
    assert_int_equal(tx_trust_set_take(&c->ts, &r), TX_OK);
}

void
th_chain_accredit(th_chain *c, const tx_identity *by, const tx_identity *body, const char *scope,
                  const char *from, const char *until)
{
    const char *scopes[1] = {scope};
    uint8_t *env = NULL;
    size_t len = 0;

    assert_int_equal(tx_cert_sign_accreditation(by, ++c->seq, body->pub.sign, body->pub.name,
                                                scopes, 1, th_date(from), th_date(until), "", &env,
                                                &len),
                     TX_OK);
    th_chain_add(c, env, len, TX_KIND_ACCREDITATION, NULL);
}

uint8_t *
th_chain_certify_as(th_chain *c, const tx_identity *body, const uint8_t *holder,
                    const char *holder_name, const char *number, uint32_t criteria,
                    const char *issued, const char *expires, const uint8_t *renews,
                    uint8_t id[TX_ID_LEN], size_t *len)
{
    tx_certificate_pb cert = TICSX__V1__CERTIFICATE__INIT;
    uint8_t *env = NULL, *copy;

    cert.number = (char *)number;
    cert.holder_key = (ProtobufCBinaryData){TX_KEY_LEN, (uint8_t *)holder};
    cert.holder_name = (char *)holder_name;
    cert.corporate_number = (char *)c->corp;
    cert.scope = (char *)c->scope;
    cert.sector = "manufacturing";
    cert.criteria_version = criteria;
    cert.issued = th_date(issued);
    cert.expires = expires != NULL ? th_date(expires) : 0;
    if (renews != NULL) {
        cert.renews = (ProtobufCBinaryData){TX_ID_LEN, (uint8_t *)renews};
    }
    if (tx_cert_sign_certificate(body, ++c->seq, &cert, &env, len) != TX_OK) {
        fail_msg("%s", tx_fail_msg());
    }
    copy = malloc(*len);
    assert_non_null(copy);
    memcpy(copy, env, *len);
    th_chain_add(c, env, *len, TX_KIND_CERTIFICATE, id);
    return copy;
}

void
th_chain_certify(th_chain *c, const tx_identity *body, const tx_identity *holder,
                 const char *number, const char *sector, const char *issued, uint8_t id[TX_ID_LEN])
{
    tx_certificate_pb cert = TICSX__V1__CERTIFICATE__INIT;
    uint8_t *env = NULL;
    size_t len = 0;

    cert.number = (char *)number;
    cert.holder_key = (ProtobufCBinaryData){TX_KEY_LEN, (uint8_t *)holder->pub.sign};
    cert.holder_name = (char *)holder->pub.name;
    cert.corporate_number = (char *)c->corp;
    cert.scope = (char *)c->scope;
    cert.sector = (char *)sector;
    cert.issued = th_date(issued);
    cert.criteria_version = c->criteria                           ? c->criteria
                            : cert.issued < TX_TICS_2024_IN_FORCE ? 2018
                                                                  : 2024;
    if (tx_cert_sign_certificate(body, ++c->seq, &cert, &env, &len) != TX_OK) {
        fail_msg("%s", tx_fail_msg());
    }
    th_chain_add(c, env, len, TX_KIND_CERTIFICATE, id);
}

void
th_chain_event(th_chain *c, const tx_identity *by, const uint8_t cert[TX_ID_LEN], int kind,
               const char *date, const char *note)
{
    uint8_t *env = NULL;
    size_t len = 0;

    assert_int_equal(tx_cert_sign_event(by, ++c->seq, cert, kind, th_date(date), note, &env, &len),
                     TX_OK);
    th_chain_add(c, env, len, TX_KIND_CERT_EVENT, NULL);
}

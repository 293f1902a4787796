/* Certificates in `ticsx due`: this organisation's own (holder key) and those its suppliers'
 * current assessments reference, from the trust records in the cache. A certificate renewed by
 * a newer one of the same line counts as that one (its dates); a revoked one is left out, and a
 * report due after expiry. */
#include "tx_due_int.h"

#include "tx_cert_judge.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_trust.h"

#include <stdlib.h>
#include <string.h>

/* The newest certificate of cert's line of renewals (cert itself when none renews it). */
static const tx_rec *
latest_in_line(const tx_trust_set *ts, const tx_rec *cert)
{
    for (int depth = 0; depth < TX_RENEWAL_DEPTH; depth++) {
        const tx_rec *next = NULL;

        for (size_t k = 0; k < ts->certificates.n && next == NULL; k++) {
            if (tx_cert_is_renewal(&ts->certificates.v[k], cert)) {
                next = &ts->certificates.v[k];
            }
        }
        if (next == NULL) {
            break;
        }
        cert = next;
    }
    return cert;
}

static int
one_certificate(tx_due_ctx *x, const tx_trust_set *ts, const tx_rec *cert)
{
    const tx_certificate_pb *cp = (const tx_certificate_pb *)cert->msg;
    int revoked = 0, suspended = 0, rc;
    int64_t last = 0, next_due = 0;

    if (cp->holder_key.len != TX_KEY_LEN) {
        return TX_OK;
    }
    tx_cert_event_state(ts, cert, x->out->now, &revoked, &suspended, &last);
    if (revoked) {
        return TX_OK; /* final: verify says so; nothing is due any more */
    }
    rc =
        tx_due_push(x, TX_DUE_CERT_EXPIRES, cp->expires, cert->id, cp->holder_key.data, cp->number);
    tx_tics_report_state(cp->issued, last, x->out->now, ts->report_grace_days, &next_due);
    if (rc == TX_OK && next_due != 0 && next_due < cp->expires) {
        rc =
            tx_due_push(x, TX_DUE_CERT_REPORT, next_due, cert->id, cp->holder_key.data, cp->number);
    }
    return rc;
}

int
tx_due_certificates(tx_due_ctx *x)
{
    tx_trust_set ts = {0};
    uint8_t(*seen)[TX_ID_LEN] = NULL;
    size_t n_seen = 0;
    int rc;

    if ((rc = tx_trust_set_from_cache(tx_client_home(x->c), &ts)) != TX_OK) {
        tx_trust_set_free(&ts);
        return rc;
    }
    seen = calloc(ts.certificates.n + 1, sizeof *seen);
    if (seen == NULL) {
        rc = TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < ts.certificates.n && rc == TX_OK; i++) {
        const tx_rec *cert = &ts.certificates.v[i];
        const tx_certificate_pb *cp = (const tx_certificate_pb *)cert->msg;
        int wanted =
            cp->holder_key.len == TX_KEY_LEN && memcmp(cp->holder_key.data, x->me, TX_KEY_LEN) == 0;

        for (size_t v = 0; v < x->vs.n && !wanted; v++) {
            wanted = x->vs.v[v].cert.present && x->vs.v[v].cert.loaded &&
                     memcmp(x->vs.v[v].cert.record, cert->id, TX_ID_LEN) == 0 &&
                     tx_due_current(&x->vs, v);
        }
        /* A renewed certificate's deadlines are its successor's. */
        cert = wanted ? latest_in_line(&ts, cert) : cert;
        for (size_t k = 0; k < n_seen && wanted; k++) {
            wanted = memcmp(seen[k], cert->id, TX_ID_LEN) != 0;
        }
        if (wanted) {
            memcpy(seen[n_seen++], cert->id, TX_ID_LEN);
            rc = one_certificate(x, &ts, cert);
        }
    }
    free(seen);
    tx_trust_set_free(&ts);
    return rc;
}

/* A buyer's request: pin the questionnaire on the hub (publish it signed by this organisation
 * unless an identical one is already there), name the suppliers by their verified profiles,
 * sign the Request and submit both in one pipelined batch. The request's note is sealed to the
 * suppliers named and to this organisation (the hub cannot read it). */
#ifndef TX_REQUEST_H
#define TX_REQUEST_H

#include "tx_client.h"

typedef struct {
    const char *questionnaire; /* see tx_qref.h */
    const char **to;           /* organisation names, fingerprints or key ids */
    size_t n_to;
    int64_t due;      /* 0 = none */
    uint32_t depth;   /* 0 = 1 */
    const char *note; /* may be NULL */
} tx_request_args;

typedef struct {
    uint8_t id[TX_ID_LEN];            /* the request record */
    uint8_t questionnaire[TX_ID_LEN]; /* the questionnaire record pinned */
    int published;                    /* this call published the questionnaire */
    size_t n_suppliers;
} tx_request_result;

/* The note of a request signed by `signer`, for `me`: a sealed note opened with me's seal key
 * (me is a supplier it names, or its signer), or an older plaintext one. Caller frees *note.
 * TX_ERR_WRONG_KEY when not sealed to me, TX_ERR_DECRYPT when it does not open,
 * TX_ERR_MALFORMED when it is not UTF-8 text (message set). */
int tx_request_note(const tx_request_pb *req, const uint8_t *signer, const tx_identity *me,
                    char **note);

/* 1 when the request names `key` (an organisation's signing key) among its suppliers. */
int tx_request_names(const tx_request_pb *req, const uint8_t *key);

/* Finds a request visible to this organisation by id or unique prefix (TX_ERR_USAGE when it is
 * not one or ambiguous, TX_ERR_NOT_FOUND when none), verified; when profiles is not NULL the
 * hub's profiles come back in the same round trip. Caller clears *request and *profiles. */
int tx_request_find(tx_client *c, const char *arg, tx_rec *request, tx_recs *profiles);

/* Sends the request. Codes: TX_ERR_USAGE for an unknown or ambiguous supplier (message lists
 * candidates), TX_ERR_REFUSED when the hub refuses, connection codes. */
int tx_request_send(tx_client *c, const tx_request_args *args, tx_request_result *out);

#endif
